/* The client handle: base URL, mount point, credentials, TLS and timeout
 * settings, and the detail of the last failure. Requests are in transport.c. */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client_priv.h"

/* Frees a string that may hold a credential, wiping it first. */
static void free_secret(char *s)
{
    if (s) {
        explicit_bzero(s, strlen(s));
        free(s);
    }
}

/* The first "/perfsonar" path segment of path, or NULL. */
static const char *find_perfsonar(const char *path)
{
    static const char seg[] = "/perfsonar";
    for (const char *p = strstr(path, seg); p; p = strstr(p + 1, seg)) {
        char next = p[sizeof seg - 1];
        if (next == '/' || next == '\0')
            return p;
    }
    return NULL;
}

/* Fills c->origin ("scheme://host[:port]") from base_url and returns the
 * mount point it names (malloc'ed; "esmond" when the URL has no path). */
static char *parse_base_url(esm_client *c, const char *base_url)
{
    CURLU *u = curl_url();
    char *scheme = NULL, *port = NULL, *path = NULL, *origin = NULL, *alias = NULL;
    if (!u || curl_url_set(u, CURLUPART_URL, base_url, CURLU_DISALLOW_USER) != CURLUE_OK)
        goto done;
    if (curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
        (strcmp(scheme, "http") != 0 && strcmp(scheme, "https") != 0))
        goto done;
    if (curl_url_get(u, CURLUPART_PORT, &port, 0) == CURLUE_OK && strcmp(port, "0") == 0)
        goto done;
    if (curl_url_get(u, CURLUPART_PATH, &path, 0) != CURLUE_OK)
        goto done;
    /* A pasted query or fragment is dropped with the path. */
    if (curl_url_set(u, CURLUPART_PATH, NULL, 0) != CURLUE_OK || curl_url_set(u, CURLUPART_QUERY, NULL, 0) != CURLUE_OK ||
        curl_url_set(u, CURLUPART_FRAGMENT, NULL, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_URL, &origin, 0) != CURLUE_OK)
        goto done;
    size_t n = strlen(origin);
    if (n > 0 && origin[n - 1] == '/')
        origin[n - 1] = '\0';
    c->origin = strdup(origin);
    if (!c->origin)
        goto done;
    /* What precedes "/perfsonar" is the mount point; a path without it is
     * taken as the mount point itself; no path means the default. */
    const char *ps = find_perfsonar(path);
    if (ps)
        alias = strndup(path, (size_t)(ps - path));
    else if (strcmp(path, "/") == 0 || path[0] == '\0')
        alias = strdup("esmond");
    else
        alias = strdup(path);
done:
    curl_free(scheme);
    curl_free(port);
    curl_free(path);
    curl_free(origin);
    curl_url_cleanup(u);
    return alias;
}

esm_client *esm_client_new(const char *base_url)
{
    if (!base_url)
        return NULL;
    esm_client *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->connect_ms = ESM_DEFAULT_TIMEOUT_MS;
    c->idle_ms = ESM_DEFAULT_TIMEOUT_MS;
    c->retries = ESM_DEFAULT_RETRIES;
    c->max_page_bytes = ESM_DEFAULT_MAX_PAGE_BYTES;
    char *alias = parse_base_url(c, base_url);
    esm_code rc = alias ? esm_client_set_script_alias(c, alias) : ESM_ERR_INVALID;
    free(alias);
    if (rc == ESM_OK)
        c->curl = curl_easy_init();
    if (!c->curl) {
        esm_client_free(c);
        return NULL;
    }
    return c;
}

void esm_client_free(esm_client *c)
{
    if (!c)
        return;
    curl_easy_cleanup(c->curl);
    free(c->origin);
    free(c->root);
    free_secret(c->auth);
    free(c->ca_file);
    free(c->error);
    free(c);
}

/* Mount point characters: unreserved URL characters and '/'. Empty, "." and
 * ".." segments are refused because libcurl would rewrite them. */
static bool valid_alias(const char *a, size_t len)
{
    size_t seg_start = 0;
    for (size_t i = 0; i <= len; i++) {
        if (i == len || a[i] == '/') {
            size_t seg = i - seg_start;
            if (seg == 0 || (seg == 1 && a[seg_start] == '.') ||
                (seg == 2 && a[seg_start] == '.' && a[seg_start + 1] == '.'))
                return false;
            seg_start = i + 1;
            continue;
        }
        char ch = a[i];
        bool ok = (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '.' ||
                  ch == '_' || ch == '~' || ch == '-';
        if (!ok)
            return false;
    }
    return true;
}

esm_code esm_client_set_script_alias(esm_client *c, const char *alias)
{
    if (!c)
        return ESM_ERR_INVALID;
    if (!alias)
        alias = "";
    while (*alias == '/')
        alias++;
    size_t len = strlen(alias);
    while (len > 0 && alias[len - 1] == '/')
        len--;
    if (len > 0 && !valid_alias(alias, len))
        return ESM_ERR_INVALID;
    size_t size = len + sizeof "//perfsonar";
    char *root = malloc(size);
    if (!root)
        return ESM_ERR_NOMEM;
    if (len > 0)
        snprintf(root, size, "/%.*s/perfsonar", (int)len, alias);
    else
        snprintf(root, size, "/perfsonar");
    free(c->root);
    c->root = root;
    return ESM_OK;
}

/* Credentials go into a header line: visible ASCII only, so that no space,
 * CR or LF can split or extend the header. */
static bool header_safe(const char *s)
{
    if (!s || !*s)
        return false;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p <= 0x20 || *p >= 0x7f)
            return false;
    return true;
}

static esm_code set_auth(esm_client *c, const char *scheme, const char *user, const char *key)
{
    size_t size = strlen("Authorization: ") + strlen(scheme) + 1 + (user ? strlen(user) + 1 : 0) + strlen(key) + 1;
    char *line = malloc(size);
    if (!line)
        return ESM_ERR_NOMEM;
    snprintf(line, size, "Authorization: %s %s%s%s", scheme, user ? user : "", user ? ":" : "", key);
    free_secret(c->auth);
    c->auth = line;
    return ESM_OK;
}

esm_code esm_client_set_token(esm_client *c, const char *key)
{
    if (!c)
        return ESM_ERR_INVALID;
    if (!key) {
        free_secret(c->auth);
        c->auth = NULL;
        return ESM_OK;
    }
    if (!header_safe(key))
        return ESM_ERR_INVALID;
    return set_auth(c, "Token", NULL, key);
}

esm_code esm_client_set_api_key(esm_client *c, const char *user, const char *key)
{
    if (!c)
        return ESM_ERR_INVALID;
    if (!user && !key) {
        free_secret(c->auth);
        c->auth = NULL;
        return ESM_OK;
    }
    if (!header_safe(user) || strchr(user, ':') || !header_safe(key))
        return ESM_ERR_INVALID;
    return set_auth(c, "ApiKey", user, key);
}

void esm_client_set_auth_on_reads(esm_client *c, bool on)
{
    if (c)
        c->auth_on_reads = on;
}

esm_code esm_client_set_ca_file(esm_client *c, const char *path)
{
    if (!c)
        return ESM_ERR_INVALID;
    char *copy = NULL;
    if (path && *path) {
        copy = strdup(path);
        if (!copy)
            return ESM_ERR_NOMEM;
    }
    free(c->ca_file);
    c->ca_file = copy;
    return ESM_OK;
}

void esm_client_set_insecure(esm_client *c, bool insecure)
{
    if (c)
        c->insecure = insecure;
}

void esm_client_set_timeouts(esm_client *c, long connect_ms, long idle_ms)
{
    if (!c)
        return;
    c->connect_ms = connect_ms > 0 ? connect_ms : ESM_DEFAULT_TIMEOUT_MS;
    c->idle_ms = idle_ms > 0 ? idle_ms : ESM_DEFAULT_TIMEOUT_MS;
}

void esm_client_set_request_timeout(esm_client *c, long total_ms)
{
    if (c)
        c->total_ms = total_ms > 0 ? total_ms : 0;
}

void esm_client_set_retries(esm_client *c, int retries)
{
    if (c)
        c->retries = retries < 0 ? 0 : retries > 100 ? 100 : retries;
}

void esm_client_set_max_page_bytes(esm_client *c, size_t bytes)
{
    if (c)
        c->max_page_bytes = bytes == 0 ? ESM_DEFAULT_MAX_PAGE_BYTES : bytes > SIZE_MAX / 4 ? SIZE_MAX / 4 : bytes;
}

void esm_client_set_trace(esm_client *c, esm_trace_fn fn, void *userdata)
{
    if (!c)
        return;
    c->trace = fn;
    c->trace_userdata = userdata;
}

const char *esm_client_error(const esm_client *c)
{
    if (!c || !c->error_code)
        return "";
    /* Without memory for the detail, the static text still says something. */
    return c->error ? c->error : esm_strerror(c->error_code);
}

long esm_client_http_status(const esm_client *c)
{
    return c ? c->http_status : 0;
}

const char *esm__client_root(const esm_client *c)
{
    return c && c->root ? c->root : "/esmond/perfsonar";
}

void esm__client_clear_error(esm_client *c)
{
    free(c->error);
    c->error = NULL;
    c->error_code = ESM_OK;
}

esm_code esm__client_fail(esm_client *c, esm_code code, const char *fmt, ...)
{
    if (!c)
        return code;
    esm__client_clear_error(c);
    c->error_code = code;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return code;
    c->error = malloc((size_t)n + 1);
    if (c->error) {
        va_start(ap, fmt);
        vsnprintf(c->error, (size_t)n + 1, fmt, ap);
        va_end(ap);
    }
    return code;
}
