/* The USER:KEY pairs that may write, from --token and --token-file. Blank
 * users or keys (empty, or only spaces) and ones holding spaces or control
 * bytes are refused: no client could send them. Messages never quote a key. */
#ifndef ESA_TOKENS_H
#define ESA_TOKENS_H

#include <stddef.h>

typedef struct {
    char *user;
    char *key;
} esa_token;

typedef struct {
    esa_token *items;
    size_t n;
} esa_tokens;

/* Adds "USER:KEY" (split at the first colon). 0, or -1 with the reason in err. */
int esa_tokens_add(esa_tokens *t, const char *pair, char *err, size_t cap);
/* Adds a file's pairs: one a line, blanks around them dropped, '#' starts a
 * comment line. Warns on stderr when the file is open to group or others.
 * 0, or -1 with the reason (its line number, never its text) in err; t may
 * then hold some of the file's pairs. */
int esa_tokens_add_file(esa_tokens *t, const char *path, char *err, size_t cap);
void esa_tokens_free(esa_tokens *t);

#endif
