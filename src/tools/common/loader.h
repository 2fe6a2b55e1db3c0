/* Shared by the two loaders (esmond-ps-load-gridftp, esmond-ps-pipe): log
 * lines in the originals' format and the archive client their options name. */
#ifndef ESM_TOOLS_LOADER_H
#define ESM_TOOLS_LOADER_H

#include <stdbool.h>
#include <stddef.h>

#include <esmond/esmond.h>

#include "optparse.h"

/* Log lines "ts=2026-12-01 19:33:02,123 event=E id=EPOCH MSG", as the
 * originals' logging.Formatter('ts=%(asctime)s %(message)s') wrote them
 * (local time). dir NULL or "": stderr; else appended to DIR/PROG.log.
 * Returns 0, or -1 with errno set when the file cannot be opened. */
int esm_loader_log_open(const char *dir, const char *prog);
void esm_loader_log(const char *event, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void esm_loader_log_close(void);

/* Python's os.path.normpath() of path ("a//b/../c/" -> "a/c"), as the
 * originals show paths in messages; malloc'ed, NULL when out of memory. */
char *esm_py_normpath(const char *path);

/* The loaders' archive options. */
typedef struct {
    const char *url, *user, *key, *key_file, *alias, *ca_file;
    bool insecure;
    long long timeout; /* seconds; 0: the library's default */
} esm_loader_archive;

/* The options both originals had, with their help texts, and the ones
 * added here (not in --help). */
#define ESM_LOADER_LOG_DIR_OPT(dir)                                                                                    \
    {'l', "log_dir", "DIR", ESM_OPT_STRING,                                                                            \
     "Write log output to specified directory - if not set,\nlog goes to stdout.", &(dir)}
#define ESM_LOADER_ARCHIVE_OPTS(a)                                                                                     \
    {'U', "url", "ESMOND_REST_URL", ESM_OPT_STRING,                                                                    \
     "URL for the REST API (default=http://localhost:8000) -\nrequired.", &(a).url},                                  \
        {'u', "user", "USER", ESM_OPT_STRING, "POST interface username.", &(a).user},                                  \
        {'k', "key", "API_KEY", ESM_OPT_STRING, "API key for POST operation.", &(a).key},                              \
        {'s', "script_alias", "URI_PREFIX", ESM_OPT_STRING,                                                            \
         "Set the script_alias arg if the perfsonar API is\nconfigured to use one (default=/ which means none\nset).", \
         &(a).alias}
#define ESM_LOADER_NEW_ARCHIVE_OPTS(a)                                                                                 \
    {0, "timeout", "SECONDS", ESM_OPT_INT, NULL, &(a).timeout},                                                    \
        {0, "insecure", NULL, ESM_OPT_FLAG, NULL, &(a).insecure},                                                      \
        {0, "ca-file", "FILE", ESM_OPT_STRING, NULL, &(a).ca_file},                                                    \
        {0, "key-file", "FILE", ESM_OPT_STRING, NULL, &(a).key_file}
/* The originals' defaults, but for url, user and key: NULL until
 * esm_loader_archive_resolve() fills them in. */
#define ESM_LOADER_ARCHIVE_DEFAULTS {.alias = "/"}
#define ESM_LOADER_DEFAULT_URL "http://localhost:8000"

/* After parsing: the URL (ESMOND_URL, else the originals' default) and the
 * credentials (--key-file, ESMOND_USER, ESMOND_KEY; see credentials.h) the
 * options left out; user and key are "" when absent. Returns 0, or -1 with
 * the reason in err (never a key). */
int esm_loader_archive_resolve(esm_loader_archive *a, char *err, size_t cap);

/* A client that writes to the archive: the script alias (the original's
 * default "/" keeps a path given in the URL), ApiKey credentials (none when
 * user and key are both empty), TLS options, timeouts, and no retries (a
 * write is never sent twice by the library; the loaders decide). NULL with
 * *why set to a static reason. */
esm_client *esm_loader_client(const esm_loader_archive *a, const char **why);

#endif
