/* The client handle and esm__request() against canned_server.py: URL
 * parsing, keep-alive, gzip, retries and backoff, timeouts, truncated and
 * oversized bodies, redirects, error details, headers, credentials, TLS. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "client_priv.h"
#include "server_process.h"

#define SECRET "sekrit-0123456789abcdef"

static server_process server;

static long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static int setup(void **state)
{
    /* The requests go to 127.0.0.1 whatever proxy the environment names. */
    setenv("no_proxy", "*", 1);
    setenv("NO_PROXY", "*", 1);
    if (esm_global_init() != ESM_OK)
        return -1;
    char *argv[] = {ESM_PYTHON, ESM_CANNED_SERVER, NULL};
    return server_start(&server, argv);
}

static int teardown(void **state)
{
    server_stop(&server);
    esm_global_cleanup();
    return 0;
}

/* A client of the canned server without mount point and without retries. */
static esm_client *new_client(void)
{
    esm_client *c = esm_client_new(server.url);
    assert_non_null(c);
    assert_int_equal(esm_client_set_script_alias(c, ""), ESM_OK);
    esm_client_set_retries(c, 0);
    return c;
}

/* GETs target and returns its JSON answer (asserting success). */
static json_t *get_json(esm_client *c, const char *target)
{
    esm__response r;
    assert_int_equal(esm__request(c, "GET", target, NULL, 0, false, &r), ESM_OK);
    json_t *j = json_loadb(r.body, r.len, 0, NULL);
    assert_non_null(j);
    esm__response_free(&r);
    return j;
}

/* How many requests the server saw for path (query excluded). */
static long long count(const char *path)
{
    esm_client *c = new_client();
    char target[256];
    snprintf(target, sizeof target, "/count?p=%s", path);
    json_t *j = get_json(c, target);
    long long n = json_integer_value(json_object_get(j, "count"));
    json_decref(j);
    esm_client_free(c);
    return n;
}

typedef struct {
    int calls;
    char method[16];
    char url[512];
} trace_log;

static void on_trace(void *userdata, const char *method, const char *url)
{
    trace_log *t = userdata;
    t->calls++;
    snprintf(t->method, sizeof t->method, "%s", method);
    snprintf(t->url, sizeof t->url, "%s", url);
}

/* ---- the handle (no network) ---- */

static void expect_url(const char *base, const char *origin, const char *root)
{
    esm_client *c = esm_client_new(base);
    if (!c)
        fail_msg("rejected %s", base);
    assert_string_equal(c->origin, origin);
    assert_string_equal(esm__client_root(c), root);
    esm_client_free(c);
}

static void test_base_urls(void **state)
{
    expect_url("http://127.0.0.1:8080", "http://127.0.0.1:8080", "/esmond/perfsonar");
    expect_url("http://archive.example/", "http://archive.example", "/esmond/perfsonar");
    expect_url("HTTPS://Archive.Example:8443/", "https://Archive.Example:8443", "/esmond/perfsonar");
    expect_url("https://h/perfsonar/archive/", "https://h", "/perfsonar");
    expect_url("https://h/perfsonar", "https://h", "/perfsonar");
    expect_url("http://h:81/esmond/perfsonar/archive/abc/throughput/base?time-range=60#x", "http://h:81",
               "/esmond/perfsonar");
    expect_url("http://h/a/b/perfsonar/archive/", "http://h", "/a/b/perfsonar");
    expect_url("http://h/esmond", "http://h", "/esmond/perfsonar");
    expect_url("http://h/perfsonarx/", "http://h", "/perfsonarx/perfsonar");
    expect_url("http://[::1]:8085/", "http://[::1]:8085", "/esmond/perfsonar");
    expect_url("http://[2001:db8::5]/esmond/perfsonar/archive/", "http://[2001:db8::5]", "/esmond/perfsonar");

    const char *bad[] = {"", "ftp://h/", "file:///etc/passwd", "archive.example:80", "http://", "http://u:p@h/",
                         "http://h:99999/", "http://h:0/", "http://h /", "http://h/%41/perfsonar",
                         "http://h/a b/perfsonar", "mailto:a@b", "http://[::1/"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        esm_client *c = esm_client_new(bad[i]);
        if (c)
            fail_msg("accepted %s", bad[i]);
    }
    assert_null(esm_client_new(NULL));
    esm_client_free(NULL);
}

static void test_script_alias(void **state)
{
    esm_client *c = esm_client_new("http://h/");
    assert_non_null(c);
    assert_int_equal(esm_client_set_script_alias(c, ""), ESM_OK);
    assert_string_equal(esm__client_root(c), "/perfsonar");
    assert_int_equal(esm_client_set_script_alias(c, "/foo/"), ESM_OK);
    assert_string_equal(esm__client_root(c), "/foo/perfsonar");
    assert_int_equal(esm_client_set_script_alias(c, "/"), ESM_OK);
    assert_string_equal(esm__client_root(c), "/perfsonar");
    assert_int_equal(esm_client_set_script_alias(c, "a.b/c_d-~9"), ESM_OK);
    assert_string_equal(esm__client_root(c), "/a.b/c_d-~9/perfsonar");
    const char *bad[] = {"a b", "a?b", "a%20b", "a#b", "../x", "a//b", "./a", "a\nb", "é"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        if (esm_client_set_script_alias(c, bad[i]) != ESM_ERR_INVALID)
            fail_msg("accepted alias %s", bad[i]);
        assert_string_equal(esm__client_root(c), "/a.b/c_d-~9/perfsonar"); /* unchanged */
    }
    assert_int_equal(esm_client_set_script_alias(c, NULL), ESM_OK);
    assert_string_equal(esm__client_root(c), "/perfsonar");
    assert_int_equal(esm_client_set_script_alias(NULL, "x"), ESM_ERR_INVALID);
    esm_client_free(c);
}

static void test_setters(void **state)
{
    esm_client *c = esm_client_new("http://h");
    assert_non_null(c);
    assert_string_equal(esm_client_error(c), "");
    assert_int_equal(esm_client_http_status(c), 0);

    assert_int_equal(esm_client_set_token(c, ""), ESM_ERR_INVALID);
    assert_int_equal(esm_client_set_token(c, "a b"), ESM_ERR_INVALID);
    assert_int_equal(esm_client_set_token(c, "abc\r\nX-Evil: 1"), ESM_ERR_INVALID);
    assert_null(c->auth);
    assert_int_equal(esm_client_set_token(c, "abc"), ESM_OK);
    assert_string_equal(c->auth, "Authorization: Token abc");
    assert_int_equal(esm_client_set_api_key(c, "u:x", "k"), ESM_ERR_INVALID);
    assert_int_equal(esm_client_set_api_key(c, "u", NULL), ESM_ERR_INVALID);
    assert_int_equal(esm_client_set_api_key(c, "u", "k"), ESM_OK);
    assert_string_equal(c->auth, "Authorization: ApiKey u:k");
    assert_int_equal(esm_client_set_token(c, NULL), ESM_OK);
    assert_null(c->auth);

    assert_int_equal(esm_client_set_ca_file(c, "/etc/ssl/certs/ca-certificates.crt"), ESM_OK);
    assert_string_equal(c->ca_file, "/etc/ssl/certs/ca-certificates.crt");
    assert_int_equal(esm_client_set_ca_file(c, NULL), ESM_OK);
    assert_null(c->ca_file);
    assert_false(c->insecure);
    esm_client_set_insecure(c, true);
    assert_true(c->insecure);

    /* A timeout always applies: <= 0 gives the defaults. */
    assert_int_equal(c->connect_ms, 20000);
    assert_int_equal(c->idle_ms, 20000);
    esm_client_set_timeouts(c, 1500, 2500);
    assert_int_equal(c->connect_ms, 1500);
    assert_int_equal(c->idle_ms, 2500);
    esm_client_set_timeouts(c, 0, -1);
    assert_int_equal(c->connect_ms, 20000);
    assert_int_equal(c->idle_ms, 20000);

    assert_int_equal(c->retries, 3);
    esm_client_set_retries(c, -2);
    assert_int_equal(c->retries, 0);

    assert_int_equal(esm__client_fail(c, ESM_ERR_PROTOCOL, "page %d is %s", 3, "odd"), ESM_ERR_PROTOCOL);
    assert_string_equal(esm_client_error(c), "page 3 is odd");
    assert_int_equal(esm_client_set_token(NULL, "x"), ESM_ERR_INVALID);
    assert_int_equal(esm_client_set_ca_file(NULL, "x"), ESM_ERR_INVALID);
    esm_client_free(c);
}

static void test_bad_targets(void **state)
{
    esm_client *c = new_client();
    trace_log t = {0};
    esm_client_set_trace(c, on_trace, &t);
    const char *bad[] = {"/a b", "/a\nb", "/a\tb", "/a\x7f", "relative/path", "ftp://h/x", ""};
    esm__response r;
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        assert_int_equal(esm__request(c, "GET", bad[i], NULL, 0, false, &r), ESM_ERR_INVALID);
        assert_null(r.body);
        assert_string_not_equal(esm_client_error(c), "");
    }
    assert_int_equal(esm__request(c, "get", "/conn", NULL, 0, false, &r), ESM_ERR_INVALID);
    assert_int_equal(t.calls, 0); /* nothing was sent */
    esm_client_free(c);
}

/* ---- requests ---- */

static void test_keep_alive(void **state)
{
    esm_client *c = new_client();
    json_t *first = get_json(c, "/conn");
    long long conn = json_integer_value(json_object_get(first, "conn"));
    long long total = json_integer_value(json_object_get(first, "connections"));
    esm__response r;
    assert_int_equal(esm__request(c, "GET", "/error-detail/ka", NULL, 0, false, &r), ESM_ERR_NOT_FOUND);
    esm__response_free(&r);
    for (int i = 0; i < 3; i++) {
        json_t *j = get_json(c, "/conn");
        assert_int_equal(json_integer_value(json_object_get(j, "conn")), conn);
        assert_int_equal(json_integer_value(json_object_get(j, "connections")), total);
        json_decref(j);
    }
    json_decref(first);
    esm_client_free(c);
}

static void test_gzip(void **state)
{
    esm_client *c = new_client();
    json_t *j = get_json(c, "/gzip");
    const char *gz = json_string_value(json_object_get(j, "gz"));
    assert_non_null(gz);
    assert_int_equal(strlen(gz), 5000);
    json_decref(j);
    esm__response r;
    assert_int_equal(esm__request(c, "GET", "/badgzip", NULL, 0, false, &r), ESM_ERR_PROTOCOL);
    esm__response_free(&r);
    esm_client_free(c);
}

static void test_charset_and_not_json(void **state)
{
    esm_client *c = new_client();
    esm__response r;
    assert_int_equal(esm__request(c, "GET", "/charset", NULL, 0, false, &r), ESM_OK);
    assert_string_equal(r.content_type, "application/json; charset=utf-8");
    assert_string_equal(r.body, "{\"ok\": true}");
    esm__response_free(&r);

    /* Parsing is the caller's business: the body arrives as sent. */
    assert_int_equal(esm__request(c, "GET", "/notjson", NULL, 0, false, &r), ESM_OK);
    assert_int_equal(r.status, 200);
    assert_int_equal(esm_client_http_status(c), 200);
    assert_string_equal(r.content_type, "text/plain");
    assert_string_equal(r.body, "hello, <b>not</b> json\n");
    assert_int_equal(r.len, strlen("hello, <b>not</b> json\n"));
    esm__response_free(&r);
    assert_string_equal(esm_client_error(c), "");
    esm_client_free(c);
}

static void test_retry_then_success(void **state)
{
    esm_client *c = new_client();
    esm_client_set_retries(c, 3);
    trace_log t = {0};
    esm_client_set_trace(c, on_trace, &t);
    json_t *j = get_json(c, "/fail-then-ok/r1?n=2");
    assert_int_equal(json_integer_value(json_object_get(j, "attempt")), 3);
    json_decref(j);
    assert_int_equal(t.calls, 3);
    assert_string_equal(t.method, "GET");
    char url[512];
    snprintf(url, sizeof url, "%s/fail-then-ok/r1?n=2", server.url);
    assert_string_equal(t.url, url);

    const char *codes[] = {"429", "502", "504"};
    for (size_t i = 0; i < 3; i++) {
        char target[64];
        snprintf(target, sizeof target, "/fail-then-ok/code%s?n=1&code=%s", codes[i], codes[i]);
        json_t *k = get_json(c, target);
        assert_int_equal(json_integer_value(json_object_get(k, "attempt")), 2);
        json_decref(k);
    }
    esm_client_free(c);
}

static void test_retries_exhausted(void **state)
{
    esm_client *c = new_client();
    esm_client_set_retries(c, 2);
    esm__response r;
    assert_int_equal(esm__request(c, "GET", "/fail-then-ok/r2?n=9", NULL, 0, false, &r), ESM_ERR_HTTP);
    assert_int_equal(r.status, 503);
    esm__response_free(&r);
    assert_int_equal(count("/fail-then-ok/r2"), 3);
    char want[512];
    snprintf(want, sizeof want, "GET %s/fail-then-ok/r2?n=9: HTTP 503: attempt 3", server.url);
    assert_string_equal(esm_client_error(c), want);

    /* Other statuses are final. */
    assert_int_equal(esm__request(c, "GET", "/fail-then-ok/r500?n=9&code=500", NULL, 0, false, &r), ESM_ERR_HTTP);
    esm__response_free(&r);
    assert_int_equal(count("/fail-then-ok/r500"), 1);
    esm_client_free(c);
}

static void test_writes_not_retried(void **state)
{
    esm_client *c = new_client();
    esm_client_set_retries(c, 3);
    esm__response r;
    assert_int_equal(esm__request(c, "POST", "/fail-then-ok/w1?n=1", "{}", 2, true, &r), ESM_ERR_HTTP);
    esm__response_free(&r);
    assert_int_equal(count("/fail-then-ok/w1"), 1);
    assert_int_equal(esm__request(c, "PUT", "/fail-then-ok/w2?n=1", "[]", 2, true, &r), ESM_ERR_HTTP);
    esm__response_free(&r);
    assert_int_equal(count("/fail-then-ok/w2"), 1);
    esm_client_free(c);
}

static void test_retry_after(void **state)
{
    esm_client *c = new_client();
    esm_client_set_retries(c, 1);
    long t0 = now_ms();
    json_t *j = get_json(c, "/fail-then-ok/ra?n=1&ra=1");
    long elapsed = now_ms() - t0;
    assert_int_equal(json_integer_value(json_object_get(j, "attempt")), 2);
    json_decref(j);
    /* The first backoff alone would be 200 ms. */
    if (elapsed < 950)
        fail_msg("retried after %ld ms, before Retry-After: 1", elapsed);
    esm_client_free(c);
}

static void test_stall_times_out(void **state)
{
    esm_client *c = new_client();
    esm_client_set_timeouts(c, 1000, 1000);
    esm__response r;
    long t0 = now_ms();
    assert_int_equal(esm__request(c, "GET", "/stall/t1", NULL, 0, false, &r), ESM_ERR_TIMEOUT);
    long elapsed = now_ms() - t0;
    if (elapsed >= 5000)
        fail_msg("the stall took %ld ms", elapsed);
    assert_null(r.body);
    char prefix[512];
    snprintf(prefix, sizeof prefix, "GET %s/stall/t1: ", server.url);
    assert_true(strncmp(esm_client_error(c), prefix, strlen(prefix)) == 0);

    /* Timeouts of reads are retried. */
    esm_client_set_retries(c, 1);
    assert_int_equal(esm__request(c, "GET", "/stall/t2", NULL, 0, false, &r), ESM_ERR_TIMEOUT);
    assert_int_equal(count("/stall/t2"), 2);
    esm_client_free(c);
}

static void test_slow_drip_is_under_the_floor(void **state)
{
    esm_client *c = new_client();
    esm_client_set_timeouts(c, 1000, 1000);
    esm_client_set_retries(c, 0);
    esm__response r;
    /* Eight bytes over two seconds: never idle, but far under 1 KiB/s for a timeout. */
    assert_int_equal(esm__request(c, "GET", "/slow-drip", NULL, 0, false, &r), ESM_ERR_TIMEOUT);
    assert_null(r.body);
    esm_client_free(c);
}

/* A trickle (2 bytes/s) and its retries end within three timeouts (issue 12 item 8). */
static void test_trickle_ends_within_the_budget(void **state)
{
    esm_client *c = new_client();
    esm_client_set_timeouts(c, 1000, 1000);
    esm_client_set_retries(c, 3);
    esm__response r;
    long t0 = now_ms();
    assert_int_equal(esm__request(c, "GET", "/trickle/b1", NULL, 0, false, &r), ESM_ERR_TIMEOUT);
    long elapsed = now_ms() - t0;
    assert_null(r.body);
    if (elapsed >= 3000 + 500)
        fail_msg("the trickle took %ld ms, the budget is 3000", elapsed);
    esm_client_free(c);
}

/* Failures answered at once: the retries and their waits fit in the same budget. */
static void test_retries_count_against_the_budget(void **state)
{
    esm_client *c = new_client();
    esm_client_set_timeouts(c, 1000, 1000);
    esm_client_set_retries(c, 10);
    esm__response r;
    long t0 = now_ms();
    assert_int_equal(esm__request(c, "GET", "/fail-then-ok/b2?n=100", NULL, 0, false, &r), ESM_ERR_HTTP);
    long elapsed = now_ms() - t0;
    esm__response_free(&r);
    if (elapsed >= 3000 + 500)
        fail_msg("the retries took %ld ms, the budget is 3000", elapsed);
    /* backoff 200 + 400 + 800 + 1600 ms: the fifth wait would pass the budget */
    assert_int_equal(count("/fail-then-ok/b2"), 4);
    esm_client_free(c);
}

static void test_truncated_and_huge(void **state)
{
    esm_client *c = new_client();
    esm_client_set_retries(c, 2);
    esm__response r;
    assert_int_equal(esm__request(c, "GET", "/truncated/a", NULL, 0, false, &r), ESM_ERR_TRANSPORT);
    assert_null(r.body);
    assert_int_equal(count("/truncated/a"), 3); /* a broken read is retried */

    assert_int_equal(esm__request(c, "GET", "/huge", NULL, 0, false, &r), ESM_ERR_PROTOCOL);
    assert_null(r.body);
    assert_non_null(strstr(esm_client_error(c), "exceeds the limit of 33554432 bytes per page"));
    esm_client_free(c);
}

static void test_transport_error(void **state)
{
    esm_client *c = esm_client_new("http://127.0.0.1:1");
    assert_non_null(c);
    esm_client_set_retries(c, 1);
    trace_log t = {0};
    esm_client_set_trace(c, on_trace, &t);
    esm__response r;
    assert_int_equal(esm__request(c, "GET", "/x/", NULL, 0, false, &r), ESM_ERR_TRANSPORT);
    assert_int_equal(t.calls, 2);
    assert_int_equal(esm_client_http_status(c), 0);
    const char *prefix = "GET http://127.0.0.1:1/x/: ";
    assert_true(strncmp(esm_client_error(c), prefix, strlen(prefix)) == 0);
    assert_true(strlen(esm_client_error(c)) > strlen(prefix));
    esm_client_free(c);
}

static void test_redirect_not_followed(void **state)
{
    esm_client *c = new_client();
    long long before = count("/notjson");
    esm__response r;
    assert_int_equal(esm__request(c, "GET", "/redirect", NULL, 0, false, &r), ESM_ERR_HTTP);
    assert_int_equal(r.status, 301);
    esm__response_free(&r);
    assert_int_equal(count("/notjson"), before);
    char want[1024];
    snprintf(want, sizeof want, "GET %s/redirect: HTTP 301: redirected to %s/notjson (not followed)", server.url,
             server.url);
    assert_string_equal(esm_client_error(c), want);
    esm_client_free(c);
}

static void expect_error(esm_client *c, const char *method, const char *target, bool write, esm_code code,
                         const char *tail)
{
    esm__response r;
    assert_int_equal(esm__request(c, method, target, write ? "{}" : NULL, write ? 2 : 0, write, &r), code);
    esm__response_free(&r);
    char want[512];
    snprintf(want, sizeof want, "%s %s%s: %s", method, server.url, target, tail);
    assert_string_equal(esm_client_error(c), want);
    assert_null(strstr(esm_client_error(c), SECRET));
}

static void test_error_details(void **state)
{
    esm_client *c = new_client();
    assert_int_equal(esm_client_set_token(c, SECRET), ESM_OK);
    esm_client_set_auth_on_reads(c, true);
    expect_error(c, "GET", "/error-detail/a", false, ESM_ERR_NOT_FOUND, "HTTP 404: Not found.");
    assert_int_equal(esm_client_http_status(c), 404);
    expect_error(c, "GET", "/error-detail/b?code=401&msg=Invalid+token.", false, ESM_ERR_AUTH,
                 "HTTP 401: Invalid token.");
    expect_error(c, "POST", "/error-detail/c?code=403&msg=No", true, ESM_ERR_AUTH, "HTTP 403: No");
    expect_error(c, "POST", "/error-detail/d?code=409&msg=Time+series+value+already+exists", true,
                 ESM_ERR_CONFLICT, "HTTP 409: Time series value already exists");
    expect_error(c, "PUT", "/error-detail/e?code=400&msg=bad%0Aline", true, ESM_ERR_HTTP, "HTTP 400: bad line");
    expect_error(c, "GET", "/error-legacy", false, ESM_ERR_HTTP, "HTTP 400: legacy failure");

    /* An HTML page: one line, at most 200 bytes of it. */
    esm__response r;
    assert_int_equal(esm__request(c, "GET", "/error-text", NULL, 0, false, &r), ESM_ERR_HTTP);
    assert_int_equal(r.status, 500);
    assert_non_null(strstr(r.body, "<html>\n"));
    esm__response_free(&r);
    const char *err = esm_client_error(c);
    const char *text = strstr(err, "HTTP 500: ");
    assert_non_null(text);
    text += strlen("HTTP 500: ");
    assert_true(strncmp(text, "<html> <body> Server Error Server Error", 39) == 0);
    assert_true(strlen(text) <= 200);
    assert_null(strpbrk(err, "\r\n\t"));

    /* A success clears the detail. */
    assert_int_equal(esm__request(c, "GET", "/charset", NULL, 0, false, &r), ESM_OK);
    esm__response_free(&r);
    assert_string_equal(esm_client_error(c), "");
    esm_client_free(c);
}

/* The request as canned_server.py saw it. */
static json_t *echo(esm_client *c, const char *method, const char *body, bool write)
{
    esm__response r;
    assert_int_equal(esm__request(c, method, "/echo-headers", body, body ? strlen(body) : 0, write, &r), ESM_OK);
    json_t *j = json_loadb(r.body, r.len, 0, NULL);
    assert_non_null(j);
    esm__response_free(&r);
    return j;
}

static const char *header(json_t *echoed, const char *name)
{
    return json_string_value(json_object_get(json_object_get(echoed, "headers"), name));
}

static void test_request_headers(void **state)
{
    esm_client *c = new_client();
    assert_int_equal(esm_client_set_token(c, SECRET), ESM_OK);

    json_t *j = echo(c, "GET", NULL, false);
    char agent[64];
    snprintf(agent, sizeof agent, "libesmond/%s", esm_version());
    assert_string_equal(header(j, "user-agent"), agent);
    assert_null(header(j, "authorization")); /* a stale token must not break reads */
    assert_null(header(j, "content-type"));
    assert_non_null(header(j, "accept-encoding"));
    assert_non_null(strstr(header(j, "accept-encoding"), "gzip"));
    assert_non_null(strstr(header(j, "accept-encoding"), "deflate"));
    assert_string_equal(header(j, "accept"), "application/json");
    assert_string_equal(json_string_value(json_object_get(j, "method")), "GET");
    json_decref(j);

    j = echo(c, "POST", "{\"a\": 1}", true);
    assert_string_equal(json_string_value(json_object_get(j, "method")), "POST");
    assert_string_equal(header(j, "authorization"), "Token " SECRET);
    assert_string_equal(header(j, "content-type"), "application/json");
    assert_null(header(j, "expect"));
    assert_string_equal(json_string_value(json_object_get(j, "body")), "{\"a\": 1}");
    json_decref(j);

    assert_int_equal(esm_client_set_api_key(c, "loader", "k3y"), ESM_OK);
    j = echo(c, "PUT", "[1]", true);
    assert_string_equal(json_string_value(json_object_get(j, "method")), "PUT");
    assert_string_equal(header(j, "authorization"), "ApiKey loader:k3y");
    assert_string_equal(json_string_value(json_object_get(j, "body")), "[1]");
    json_decref(j);

    /* A large body goes out at once (no "Expect: 100-continue" wait). */
    size_t n = 2 << 20;
    char *big = malloc(n + 1);
    assert_non_null(big);
    memset(big, 'x', n);
    big[0] = '"';
    big[n - 1] = '"';
    big[n] = '\0';
    j = echo(c, "POST", big, true);
    assert_null(header(j, "expect"));
    assert_int_equal(strlen(json_string_value(json_object_get(j, "body"))), n);
    json_decref(j);
    free(big);

    esm_client_set_auth_on_reads(c, true);
    j = echo(c, "GET", NULL, false);
    assert_string_equal(header(j, "authorization"), "ApiKey loader:k3y");
    json_decref(j);
    esm_client_free(c);
}

static void test_full_url_target(void **state)
{
    esm_client *c = new_client();
    trace_log t = {0};
    esm_client_set_trace(c, on_trace, &t);
    esm__response r;
    /* A proxy's wrong host in a returned URL: only path and query are used. */
    assert_int_equal(esm__request(c, "GET", "https://wrong.example:9/echo-headers?x=1&y=a%20b", NULL, 0, false, &r),
                     ESM_OK);
    json_t *j = json_loadb(r.body, r.len, 0, NULL);
    esm__response_free(&r);
    assert_string_equal(json_string_value(json_object_get(j, "path")), "/echo-headers?x=1&y=a%20b");
    json_decref(j);
    char url[512];
    snprintf(url, sizeof url, "%s/echo-headers?x=1&y=a%%20b", server.url);
    assert_string_equal(t.url, url);
    assert_int_equal(t.calls, 1);
    esm_client_free(c);
}

/* ---- TLS against a self-signed certificate ---- */

static server_process tls;
static char tls_dir[] = "/tmp/esm-tls-XXXXXX";
static char tls_cert[64];

static int tls_setup(void **state)
{
    /* openssl makes the self-signed certificate; scripts/install-deps.sh installs it */
    if (system("command -v openssl >/dev/null 2>&1") != 0 || !mkdtemp(tls_dir))
        return -1;
    char cmd[512], key[64];
    snprintf(tls_cert, sizeof tls_cert, "%s/cert.pem", tls_dir);
    snprintf(key, sizeof key, "%s/key.pem", tls_dir);
    snprintf(cmd, sizeof cmd,
             "openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1 "
             "-addext subjectAltName=IP:127.0.0.1 -keyout %s -out %s >/dev/null 2>&1",
             key, tls_cert);
    if (system(cmd) != 0)
        return -1;
    char *argv[] = {ESM_PYTHON, ESM_CANNED_SERVER, "--tls", tls_cert, key, NULL};
    return server_start(&tls, argv);
}

static int tls_teardown(void **state)
{
    server_stop(&tls);
    char cmd[64];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tls_dir);
    return system(cmd) == 0 ? 0 : -1;
}

static void test_tls(void **state)
{
    assert_true(tls.pid > 0); /* the setup started the TLS server */
    assert_true(strncmp(tls.url, "https://", 8) == 0);
    esm_client *c = esm_client_new(tls.url);
    assert_non_null(c);
    esm_client_set_retries(c, 0);
    esm__response r;
    assert_int_equal(esm__request(c, "GET", "/charset", NULL, 0, false, &r), ESM_ERR_TRANSPORT); /* verified */

    esm_client_set_insecure(c, true);
    assert_int_equal(esm__request(c, "GET", "/charset", NULL, 0, false, &r), ESM_OK);
    esm__response_free(&r);
    esm_client_free(c);

    c = esm_client_new(tls.url);
    esm_client_set_retries(c, 0);
    assert_int_equal(esm_client_set_ca_file(c, tls_cert), ESM_OK);
    assert_int_equal(esm__request(c, "GET", "/charset", NULL, 0, false, &r), ESM_OK);
    esm__response_free(&r);
    esm_client_free(c);

    /* Trusted certificate, wrong name: the host name is checked too. */
    char other_name[64];
    snprintf(other_name, sizeof other_name, "https://localhost:%s", strrchr(tls.url, ':') + 1);
    c = esm_client_new(other_name);
    esm_client_set_retries(c, 0);
    assert_int_equal(esm_client_set_ca_file(c, tls_cert), ESM_OK);
    assert_int_equal(esm__request(c, "GET", "/charset", NULL, 0, false, &r), ESM_ERR_TRANSPORT);
    esm_client_set_insecure(c, true);
    assert_int_equal(esm__request(c, "GET", "/charset", NULL, 0, false, &r), ESM_OK);
    esm__response_free(&r);

    esm_client_set_insecure(c, false);
    assert_int_equal(esm_client_set_ca_file(c, "/nonexistent/ca.pem"), ESM_OK);
    assert_int_equal(esm__request(c, "GET", "/charset", NULL, 0, false, &r), ESM_ERR_TRANSPORT);
    esm_client_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_base_urls),
        cmocka_unit_test(test_script_alias),
        cmocka_unit_test(test_setters),
        cmocka_unit_test(test_bad_targets),
        cmocka_unit_test(test_keep_alive),
        cmocka_unit_test(test_gzip),
        cmocka_unit_test(test_charset_and_not_json),
        cmocka_unit_test(test_retry_then_success),
        cmocka_unit_test(test_retries_exhausted),
        cmocka_unit_test(test_writes_not_retried),
        cmocka_unit_test(test_retry_after),
        cmocka_unit_test(test_stall_times_out),
        cmocka_unit_test(test_slow_drip_is_under_the_floor),
        cmocka_unit_test(test_trickle_ends_within_the_budget),
        cmocka_unit_test(test_retries_count_against_the_budget),
        cmocka_unit_test(test_truncated_and_huge),
        cmocka_unit_test(test_transport_error),
        cmocka_unit_test(test_redirect_not_followed),
        cmocka_unit_test(test_error_details),
        cmocka_unit_test(test_request_headers),
        cmocka_unit_test(test_full_url_target),
        cmocka_unit_test_setup_teardown(test_tls, tls_setup, tls_teardown),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
