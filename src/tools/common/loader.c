/* Log lines and archive client of the loaders (see loader.h). */
#include "loader.h"

#include "credentials.h"
#include "progress.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

static FILE *log_out;

int esm_loader_log_open(const char *dir, const char *prog)
{
    log_out = stderr;
    if (!dir || !*dir)
        return 0;
    size_t n = strlen(dir) + strlen(prog) + sizeof "/.log";
    char *path = malloc(n);
    if (!path)
        return -1;
    snprintf(path, n, "%s/%s.log", dir, prog);
    FILE *f = fopen(path, "a");
    free(path);
    if (!f)
        return -1;
    log_out = f;
    return 0;
}

void esm_loader_log(const char *event, const char *fmt, ...)
{
    FILE *out = log_out ? log_out : stderr;
    if (out == stderr)
        esm_progress_hide(); /* a progress line on the terminal would be written over */
    struct timeval tv;
    gettimeofday(&tv, NULL);
    struct tm tm;
    localtime_r(&tv.tv_sec, &tm);
    char ts[32];
    strftime(ts, sizeof ts, "%Y-%m-%d %H:%M:%S", &tm);
    fprintf(out, "ts=%s,%03ld event=%s id=%lld ", ts, (long)(tv.tv_usec / 1000), event, (long long)tv.tv_sec);
    va_list ap;
    va_start(ap, fmt);
    vfprintf(out, fmt, ap);
    va_end(ap);
    fputc('\n', out);
    fflush(out);
}

void esm_loader_log_close(void)
{
    if (log_out && log_out != stderr)
        fclose(log_out);
    log_out = NULL;
}

char *esm_py_normpath(const char *path)
{
    size_t n = strlen(path);
    char *out = malloc(n + 2), *copy = strdup(path);
    char **names = malloc((n / 2 + 1) * sizeof *names); /* names are at least one byte and a slash apart */
    if (!out || !copy || !names) {
        free(out);
        free(copy);
        free(names);
        return NULL;
    }
    /* POSIX keeps exactly two leading slashes; one or three and more are "/" */
    size_t lead = strspn(path, "/");
    size_t o = lead == 2 ? 2 : lead ? 1 : 0, k = 0;
    memcpy(out, "//", o);
    char *save = NULL;
    for (char *name = strtok_r(copy, "/", &save); name; name = strtok_r(NULL, "/", &save)) {
        if (strcmp(name, ".") == 0)
            continue;
        if (strcmp(name, "..") == 0 && k > 0 && strcmp(names[k - 1], "..") != 0) {
            k--;
            continue;
        }
        if (strcmp(name, "..") == 0 && lead) /* "/.." is "/" */
            continue;
        names[k++] = name;
    }
    for (size_t i = 0; i < k; i++) {
        if (i)
            out[o++] = '/';
        size_t len = strlen(names[i]);
        memcpy(out + o, names[i], len);
        o += len;
    }
    if (o == 0)
        out[o++] = '.';
    out[o] = '\0';
    free(copy);
    free(names);
    return out;
}

int esm_loader_archive_resolve(esm_loader_archive *a, char *err, size_t cap)
{
    a->url = esm_archive_url(a->url, ESM_LOADER_DEFAULT_URL);
    if (esm_credentials(&a->user, &a->key, a->key_file, err, cap) != 0)
        return -1;
    if (!a->user)
        a->user = "";
    if (!a->key)
        a->key = "";
    return 0;
}

static bool url_has_path(const char *url)
{
    const char *p = strstr(url, "://");
    p = strchr(p ? p + 3 : url, '/');
    return p && strcmp(p, "/") != 0;
}

esm_client *esm_loader_client(const esm_loader_archive *a, const char **why)
{
    esm_client *c = esm_client_new(a->url);
    if (!c) {
        *why = "the URL is not an http:// or https:// URL";
        return NULL;
    }
    *why = NULL;
    if (strcmp(a->alias, "/") != 0 || !url_has_path(a->url)) {
        if (esm_client_set_script_alias(c, a->alias) != ESM_OK)
            *why = "invalid script alias";
    }
    /* none at all: archives that authenticate by address take writes without */
    if (!*why && (*a->user || *a->key) && esm_client_set_api_key(c, a->user, a->key) != ESM_OK)
        *why = "invalid user or key (both are needed; only visible ASCII without spaces)";
    if (!*why && a->ca_file && esm_client_set_ca_file(c, a->ca_file) != ESM_OK)
        *why = "cannot use the CA file";
    if (*why) {
        esm_client_free(c);
        return NULL;
    }
    esm_client_set_insecure(c, a->insecure);
    if (a->timeout > 0) {
        long ms = a->timeout > 86400 ? 86400000L : (long)a->timeout * 1000; /* a day is plenty */
        esm_client_set_timeouts(c, ms, ms);
    }
    esm_client_set_retries(c, 0);
    return c;
}
