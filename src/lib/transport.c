/* One HTTP request on the client's reused libcurl handle: URL building,
 * headers, retries of reads with backoff, and error details. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "client_priv.h"

#define BACKOFF_FIRST_MS 200L
#define BACKOFF_MAX_MS 5000L
#define RETRY_AFTER_MAX_S 30L
#define MIN_RATE 1024L                /* bytes/s over any timeout-long window, or the transfer ends */
#define BUDGET_TIMEOUTS 3L            /* a request, its retries and their waits end within 3 timeouts */
#define RAW_SNIPPET_MAX 200           /* bytes of a non-JSON error body in a detail */
#define SERVER_TEXT_MAX 1000          /* bytes of a detail/error string in a detail */

typedef struct {
    char *data;
    size_t len, cap;
    size_t max;  /* the client's max_page_bytes */
    bool too_big, nomem;
} buffer;

static size_t on_body(char *ptr, size_t size, size_t nmemb, void *userdata)
{
    buffer *b = userdata;
    size_t n = size * nmemb;
    if (n > b->max - b->len) {
        b->too_big = true;
        return 0;
    }
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 16384;
        while (cap < b->len + n + 1)
            cap *= 2;
        if (cap > b->max + 1)
            cap = b->max + 1; /* never twice what may be kept */
        char *p = realloc(b->data, cap);
        if (!p) {
            b->nomem = true;
            return 0;
        }
        b->data = p;
        b->cap = cap;
    }
    memcpy(b->data + b->len, ptr, n);
    b->len += n;
    b->data[b->len] = '\0';
    return n;
}

static char *concat3(const char *a, const char *b, const char *c)
{
    size_t size = strlen(a) + strlen(b) + strlen(c) + 1;
    char *s = malloc(size);
    if (s)
        snprintf(s, size, "%s%s%s", a, b, c);
    return s;
}

/* The request URL: the client's origin plus the target's path and query. */
static esm_code build_url(esm_client *c, const char *target, char **url)
{
    *url = NULL;
    for (const unsigned char *p = (const unsigned char *)target; *p; p++)
        if (*p <= 0x20 || *p == 0x7f)
            return esm__client_fail(c, ESM_ERR_INVALID, "request target contains a space or control character");
    if (target[0] == '/') {
        *url = concat3(c->origin, target, "");
        return *url ? ESM_OK : ESM_ERR_NOMEM;
    }
    if (strncasecmp(target, "http://", 7) != 0 && strncasecmp(target, "https://", 8) != 0)
        return esm__client_fail(c, ESM_ERR_INVALID, "request target %s is neither a path nor an http(s) URL", target);
    /* Servers behind proxies name the wrong host: keep only path and query. */
    CURLU *u = curl_url();
    char *path = NULL, *query = NULL;
    esm_code rc = ESM_ERR_NOMEM;
    if (u) {
        if (curl_url_set(u, CURLUPART_URL, target, 0) != CURLUE_OK ||
            curl_url_get(u, CURLUPART_PATH, &path, 0) != CURLUE_OK) {
            rc = esm__client_fail(c, ESM_ERR_INVALID, "request target %s is not a valid URL", target);
        } else {
            curl_url_get(u, CURLUPART_QUERY, &query, 0);
            char *path_query = concat3(path, query ? "?" : "", query ? query : "");
            if (path_query) {
                *url = concat3(c->origin, path_query, "");
                free(path_query);
            }
            rc = *url ? ESM_OK : ESM_ERR_NOMEM;
        }
    }
    curl_free(path);
    curl_free(query);
    curl_url_cleanup(u);
    return rc;
}

static bool valid_method(const char *m)
{
    if (!*m)
        return false;
    for (; *m; m++)
        if (*m < 'A' || *m > 'Z')
            return false;
    return true;
}

static struct curl_slist *build_headers(const esm_client *c, bool write, bool has_body)
{
    struct curl_slist *list = NULL, *next;
    const char *lines[4] = {"Accept: application/json", "Expect:", NULL, NULL};
    size_t n = 2;
    if (write || has_body)
        lines[n++] = "Content-Type: application/json";
    if (c->auth && (write || c->auth_on_reads))
        lines[n++] = c->auth;
    for (size_t i = 0; i < n; i++) {
        next = curl_slist_append(list, lines[i]);
        if (!next) {
            curl_slist_free_all(list);
            return NULL;
        }
        list = next;
    }
    return list;
}

/* Every option, set afresh on each attempt (curl_easy_reset keeps the live
 * connections, so keep-alive still works). */
static bool setup(esm_client *c, const char *method, const char *url, const char *body, size_t body_len,
                  bool write, struct curl_slist *headers, buffer *b, long left_ms)
{
    CURL *h = c->curl;
    char agent[64];
    snprintf(agent, sizeof agent, "libesmond/%s", esm_version());
    curl_easy_reset(h);
    bool ok = true;
#define SET(opt, val) ok = ok && curl_easy_setopt(h, opt, val) == CURLE_OK
    SET(CURLOPT_URL, url);
    SET(CURLOPT_HTTPHEADER, headers);
    SET(CURLOPT_WRITEFUNCTION, on_body);
    SET(CURLOPT_WRITEDATA, b);
    SET(CURLOPT_ERRORBUFFER, c->curl_error);
    SET(CURLOPT_NOSIGNAL, 1L);
    SET(CURLOPT_USERAGENT, agent);
    SET(CURLOPT_ACCEPT_ENCODING, "");
    SET(CURLOPT_FOLLOWLOCATION, 0L);
#if LIBCURL_VERSION_NUM >= 0x075500
    SET(CURLOPT_PROTOCOLS_STR, "http,https");
#else
    SET(CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
    SET(CURLOPT_CONNECTTIMEOUT_MS, c->connect_ms < left_ms ? c->connect_ms : left_ms);
    /* A stall or a trickle: under MIN_RATE for the timeout's seconds. */
    SET(CURLOPT_LOW_SPEED_LIMIT, MIN_RATE);
    SET(CURLOPT_LOW_SPEED_TIME, c->idle_ms / 1000 + (c->idle_ms % 1000 != 0));
    SET(CURLOPT_TIMEOUT_MS, left_ms); /* what remains of the request's budget */
    SET(CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)b->max); /* an announced length over it fails at once */
    SET(CURLOPT_SSL_VERIFYPEER, c->insecure ? 0L : 1L);
    SET(CURLOPT_SSL_VERIFYHOST, c->insecure ? 0L : 2L);
    if (c->ca_file)
        SET(CURLOPT_CAINFO, c->ca_file);
    if (strcmp(method, "HEAD") == 0) {
        SET(CURLOPT_NOBODY, 1L);
    } else if (write || body) {
        SET(CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body_len);
        SET(CURLOPT_POSTFIELDS, body ? body : "");
        if (strcmp(method, "POST") != 0)
            SET(CURLOPT_CUSTOMREQUEST, method);
    } else if (strcmp(method, "GET") != 0) {
        SET(CURLOPT_CUSTOMREQUEST, method);
    }
#undef SET
    return ok;
}

static bool retryable_status(long status)
{
    return status == 429 || status == 502 || status == 503 || status == 504;
}

/* Failures before a complete answer that a second attempt may not meet. */
static bool retryable_curl(CURLcode cc)
{
    switch (cc) {
    case CURLE_COULDNT_CONNECT:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_GOT_NOTHING:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_PARTIAL_FILE:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
        return true;
    default:
        return false;
    }
}

static long now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long)t.tv_sec * 1000L + t.tv_nsec / 1000000L;
}

static void sleep_ms(long ms)
{
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

/* Copies server text for a detail line: control characters and runs of
 * white space become one space; without keep_utf8 non-ASCII bytes become
 * '?'. Cut at max bytes, never inside a UTF-8 sequence. */
static char *clean_text(const char *s, size_t len, size_t max, bool keep_utf8)
{
    char *out = malloc(max + 1);
    if (!out)
        return NULL;
    size_t n = 0;
    for (size_t i = 0; i < len && n < max; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch <= 0x20 || ch == 0x7f) {
            if (n > 0 && out[n - 1] != ' ')
                out[n++] = ' ';
        } else if (ch >= 0x80 && !keep_utf8) {
            out[n++] = '?';
        } else {
            out[n++] = (char)ch;
        }
        if (n == max && keep_utf8 && i + 1 < len && ((unsigned char)s[i + 1] & 0xC0) == 0x80) {
            while (n > 0 && ((unsigned char)out[n - 1] & 0xC0) == 0x80)
                n--;
            if (n > 0 && (unsigned char)out[n - 1] >= 0xC0)
                n--;
            break;
        }
    }
    while (n > 0 && out[n - 1] == ' ')
        n--;
    out[n] = '\0';
    return out;
}

/* The server's explanation: "detail", then legacy "error", then the body. */
static char *server_text(const char *body, size_t len)
{
    if (!body || len == 0)
        return NULL;
    char *text = NULL;
    json_t *j = json_loadb(body, len, 0, NULL);
    if (json_is_object(j)) {
        const char *msg = json_string_value(json_object_get(j, "detail"));
        if (!msg)
            msg = json_string_value(json_object_get(j, "error"));
        if (msg)
            text = clean_text(msg, strlen(msg), SERVER_TEXT_MAX, true);
    }
    json_decref(j);
    return text ? text : clean_text(body, len, RAW_SNIPPET_MAX, false);
}

static esm_code status_code(long status)
{
    switch (status) {
    case 401:
    case 403: return ESM_ERR_AUTH;
    case 404: return ESM_ERR_NOT_FOUND;
    case 409: return ESM_ERR_CONFLICT;
    default: return ESM_ERR_HTTP;
    }
}

static esm_code fail_status(esm_client *c, const char *method, const char *url, long status, const buffer *b)
{
    esm_code code = status_code(status);
    char *location = NULL;
    if (status >= 300 && status < 400)
        curl_easy_getinfo(c->curl, CURLINFO_REDIRECT_URL, &location);
    if (location)
        return esm__client_fail(c, code, "%s %s: HTTP %ld: redirected to %s (not followed)", method, url, status,
                                location);
    char *text = server_text(b->data, b->len);
    if (text && *text)
        esm__client_fail(c, code, "%s %s: HTTP %ld: %s", method, url, status, text);
    else
        esm__client_fail(c, code, "%s %s: HTTP %ld", method, url, status);
    free(text);
    return code;
}

static esm_code fail_curl(esm_client *c, const char *method, const char *url, CURLcode cc, const buffer *b)
{
    if (b->nomem || cc == CURLE_OUT_OF_MEMORY)
        return esm__client_fail(c, ESM_ERR_NOMEM, "%s %s: out of memory", method, url);
    if (b->too_big || cc == CURLE_FILESIZE_EXCEEDED)
        return esm__client_fail(c, ESM_ERR_PROTOCOL, "%s %s: the answer exceeds the limit of %zu bytes per page", method,
                                url, b->max);
    esm_code code = cc == CURLE_OPERATION_TIMEDOUT     ? ESM_ERR_TIMEOUT
                    : cc == CURLE_BAD_CONTENT_ENCODING ? ESM_ERR_PROTOCOL
                                                       : ESM_ERR_TRANSPORT;
    const char *why = c->curl_error[0] ? c->curl_error : curl_easy_strerror(cc);
    return esm__client_fail(c, code, "%s %s: %s", method, url, why);
}

/* Hands the body over to out (always a string, "" when empty). */
static esm_code fill_response(esm_client *c, long status, buffer *b, esm__response *out)
{
    if (!out)
        return ESM_OK;
    char *ct = NULL;
    curl_easy_getinfo(c->curl, CURLINFO_CONTENT_TYPE, &ct);
    if (!b->data && !(b->data = calloc(1, 1)))
        return ESM_ERR_NOMEM;
    if (ct && !(out->content_type = strdup(ct)))
        return ESM_ERR_NOMEM;
    out->status = status;
    out->body = b->data;
    out->len = b->len;
    b->data = NULL;
    return ESM_OK;
}

/* Runs the attempts: one for writes, 1 + retries for reads. */
static CURLcode perform(esm_client *c, const char *method, const char *url, const char *body, size_t body_len,
                        bool write, struct curl_slist *headers, buffer *b, long *status)
{
    int attempts = write ? 1 : 1 + c->retries;
    CURLcode cc = CURLE_OK;
    long deadline = now_ms() + (c->total_ms > 0 ? c->total_ms : BUDGET_TIMEOUTS * c->idle_ms);
    for (int i = 0; i < attempts; i++) {
        if (i > 0) {
            curl_off_t after = -1;
            if (cc == CURLE_OK)
                curl_easy_getinfo(c->curl, CURLINFO_RETRY_AFTER, &after);
            long wait = BACKOFF_FIRST_MS << (i - 1 < 5 ? i - 1 : 5);
            if (wait > BACKOFF_MAX_MS)
                wait = BACKOFF_MAX_MS;
            if (after > 0)
                wait = (after < RETRY_AFTER_MAX_S ? (long)after : RETRY_AFTER_MAX_S) * 1000L;
            if (deadline - now_ms() <= wait)
                break; /* no time left for another attempt: report the last failure */
            sleep_ms(wait);
        }
        b->len = 0;
        if (b->data)
            b->data[0] = '\0';
        b->too_big = b->nomem = false;
        c->curl_error[0] = '\0';
        /* at least 1 ms: to libcurl, 0 means no limit at all */
        long left = deadline - now_ms();
        if (left < 1)
            left = 1;
        if (!setup(c, method, url, body, body_len, write, headers, b, left))
            return CURLE_OUT_OF_MEMORY;
        if (c->trace)
            c->trace(c->trace_userdata, method, url);
        cc = curl_easy_perform(c->curl);
        *status = 0;
        curl_easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, status);
        if (b->too_big || b->nomem || !(cc == CURLE_OK ? retryable_status(*status) : retryable_curl(cc)))
            break;
    }
    return cc;
}

esm_code esm__request(esm_client *c, const char *method, const char *target, const char *body, size_t body_len,
                      bool write, esm__response *out)
{
    if (out)
        memset(out, 0, sizeof *out);
    if (!c)
        return ESM_ERR_INVALID;
    esm__client_clear_error(c);
    c->http_status = 0;
    if (!method || !target || !valid_method(method))
        return esm__client_fail(c, ESM_ERR_INVALID, "bad request method or target");
    char *url = NULL;
    esm_code rc = build_url(c, target, &url);
    if (rc != ESM_OK)
        return rc == ESM_ERR_NOMEM ? esm__client_fail(c, rc, "out of memory") : rc;
    struct curl_slist *headers = build_headers(c, write, body != NULL);
    buffer b = {.max = c->max_page_bytes};
    long status = 0;
    if (!headers) {
        rc = esm__client_fail(c, ESM_ERR_NOMEM, "out of memory");
        goto done;
    }
    CURLcode cc = perform(c, method, url, body, body_len, write, headers, &b, &status);
    c->http_status = status;
    if (cc != CURLE_OK) {
        rc = fail_curl(c, method, url, cc, &b);
        if (out)
            out->too_big = b.too_big || cc == CURLE_FILESIZE_EXCEEDED;
        goto done;
    }
    rc = status >= 200 && status < 300 ? ESM_OK : fail_status(c, method, url, status, &b);
    if (fill_response(c, status, &b, out) != ESM_OK) {
        esm__response_free(out);
        rc = esm__client_fail(c, ESM_ERR_NOMEM, "%s %s: out of memory", method, url);
    }
done:
    /* The list holds a copy of the credential line. */
    for (struct curl_slist *h = headers; h; h = h->next)
        explicit_bzero(h->data, strlen(h->data));
    curl_slist_free_all(headers);
    free(b.data);
    free(url);
    return rc;
}

void esm__response_free(esm__response *r)
{
    if (!r)
        return;
    free(r->body);
    free(r->content_type);
    memset(r, 0, sizeof *r);
}
