/* Where a client tool's archive URL and credentials come from when its
 * command line leaves them out, so that keys need not be on a command line
 * (visible in ps): ESMOND_URL, ESMOND_USER, ESMOND_KEY and a key file.
 *
 * Key file (--key-file FILE): the first line that is neither blank nor a
 * '#' comment is "USER:KEY" (split at the first colon) or, without a colon,
 * "KEY" alone; leading and trailing blanks are dropped. The file must be a
 * regular file that neither group nor others may read or write (mode 0600
 * or 0400), as ssh asks of a private key. An archive's token file (USER:KEY
 * lines) serves as it is. */
#ifndef ESM_TOOLS_CREDENTIALS_H
#define ESM_TOOLS_CREDENTIALS_H

#include <stddef.h>

/* given when the option was given (even empty), else ESMOND_URL when set
 * and not empty, else fallback (may be NULL). */
const char *esm_archive_url(const char *given, const char *fallback);

/* The credentials to send: *user and *key from the options (NULL when
 * absent), else from key_file (NULL: none), else from ESMOND_USER /
 * ESMOND_KEY; an option's user wins over the file's, the file's over
 * ESMOND_USER. A key option and a key
 * file together are an error. Results are NULL when absent, and point into
 * the arguments, the environment or storage kept until exit. Returns 0, or
 * -1 with a message in err that never quotes the file's content. */
int esm_credentials(const char **user, const char **key, const char *key_file, char *err, size_t cap);

#endif
