/* The iterators against archives that behave unlike esmond-ps-archive
 * (canned_server.py): metadata totals missing, overstated or understated,
 * pages capped below the limit, pages that repeat (offset ignored), a
 * non-JSON answer, a series whose pages do not advance, pages over the
 * client's size cap or beyond their limit, and elmond's integer summary windows and /base/0 URIs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "esmond/esmond.h"
#include "server_process.h"

static server_process server;

static int setup(void **state)
{
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

/* A client whose script alias selects the canned archive's behaviour. */
static esm_client *client_for(const char *scenario)
{
    esm_client *c = esm_client_new(server.url);
    assert_non_null(c);
    assert_int_equal(esm_client_set_script_alias(c, scenario), ESM_OK);
    esm_client_set_retries(c, 0);
    return c;
}

/* Reads every metadata object; checks keys run 1..n without gaps or repeats. */
static long long read_all(const char *scenario, esm_code *end)
{
    esm_client *c = client_for(scenario);
    esm_metadata_iter *it;
    const esm_metadata *md;
    assert_int_equal(esm_metadata_iter_new(c, NULL, &it), ESM_OK);
    long long n = 0;
    char want[33];
    while ((*end = esm_metadata_iter_next(it, &md)) == ESM_OK) {
        snprintf(want, sizeof want, "%032llx", n + 1);
        assert_string_equal(esm_metadata_key(md), want);
        n++;
    }
    esm_metadata_iter_free(it);
    esm_client_free(c);
    return n;
}

static void test_metadata_totals(void **state)
{
    static const char *const scenarios[] = {"nototal", "approx", "lowtotal", "capped"};
    for (size_t i = 0; i < sizeof scenarios / sizeof scenarios[0]; i++) {
        esm_code end;
        long long n = read_all(scenarios[i], &end);
        if (end != ESM_DONE || n != 2500)
            fail_msg("%s: read %lld objects, ended with %s", scenarios[i], n, esm_strerror(end));
    }
}

/* Servers that ignore offset: the same page (full, or short with a total
 * that promises more), or two pages in turn. The read stops at the first
 * repeated page, before handing out any object twice. */
static void test_metadata_pages_that_repeat(void **state)
{
    static const struct {
        const char *scenario;
        long long objects;
        const char *detail;
    } cases[] = {{"repeat", 1000, "offset=1000: the page repeats the one at offset=0"},
                 {"liar", 700, "offset=700: the page repeats the one at offset=0"},
                 {"cycle", 2000, "offset=2000: the page repeats the one at offset=0"}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        esm_client *c = client_for(cases[i].scenario);
        esm_metadata_iter *it;
        const esm_metadata *md;
        assert_int_equal(esm_metadata_iter_new(c, NULL, &it), ESM_OK);
        long long n = 0;
        esm_code end;
        char want[33];
        while ((end = esm_metadata_iter_next(it, &md)) == ESM_OK && n < 10000) {
            snprintf(want, sizeof want, "%032llx", n + 1);
            assert_string_equal(esm_metadata_key(md), want);
            n++;
        }
        if (n != cases[i].objects || end != ESM_ERR_PROTOCOL || !strstr(esm_client_error(c), cases[i].detail))
            fail_msg("%s: %lld objects, then %s: %s", cases[i].scenario, n, esm_strerror(end), esm_client_error(c));
        assert_non_null(strstr(esm_client_error(c), "/archive/?limit=1000"));
        assert_int_equal(esm_metadata_iter_next(it, &md), ESM_DONE); /* an error ends the read */
        esm_metadata_iter_free(it);
        esm_client_free(c);
    }
}

/* A metadata page over the client's max_page_bytes is an error, not halved:
 * its objects are never that big. */
static void test_metadata_page_over_the_cap(void **state)
{
    esm_client *c = client_for("nototal");
    esm_client_set_max_page_bytes(c, 64 << 10);
    esm_metadata_iter *it;
    const esm_metadata *md;
    assert_int_equal(esm_metadata_iter_new(c, NULL, &it), ESM_OK);
    assert_int_equal(esm_metadata_iter_next(it, &md), ESM_ERR_PROTOCOL);
    assert_non_null(strstr(esm_client_error(c), "offset=0: the answer exceeds the limit of 65536 bytes per page"));
    esm_metadata_iter_free(it);
    esm_client_free(c);
}

static void test_non_json_page_is_a_protocol_error(void **state)
{
    esm_client *c = client_for("garbage");
    esm_metadata_iter *it;
    const esm_metadata *md;
    assert_int_equal(esm_metadata_iter_new(c, NULL, &it), ESM_OK);
    assert_int_equal(esm_metadata_iter_next(it, &md), ESM_ERR_PROTOCOL);
    assert_null(md);
    assert_true(strlen(esm_client_error(c)) > 0);
    esm_metadata_iter_free(it);
    esm_data_iter *dit;
    const esm_point *pt;
    assert_int_equal(esm_data_iter_new(c, "/garbage/perfsonar/archive/x/throughput/base", NULL, 0, &dit), ESM_OK);
    assert_int_equal(esm_data_iter_next(dit, &pt), ESM_ERR_PROTOCOL);
    esm_data_iter_free(dit);
    esm_client_free(c);
}

static void test_elmond(void **state)
{
    esm_client *c = client_for("elmond");
    esm_metadata_iter *it;
    const esm_metadata *md;
    assert_int_equal(esm_metadata_iter_new(c, NULL, &it), ESM_OK);
    assert_int_equal(esm_metadata_iter_next(it, &md), ESM_OK);
    const esm_event_type *et = esm_metadata_event_type(md, "throughput");
    assert_non_null(et);
    const esm_summary *s = esm_event_type_summary(et, "average", 86400); /* integer window */
    assert_non_null(s);
    assert_int_equal(esm_summary_window(s), 86400);
    /* The base URI as given, /base/0 included, paged through all 25,000 points. */
    esm_data_iter *dit;
    const esm_point *pt;
    esm_query *q = esm_query_new();
    esm_query_set_time(q, "time-start", 0);
    assert_int_equal(esm_data_iter_new(c, esm_event_type_base_uri(et), q, 0, &dit), ESM_OK);
    long long n = 0;
    double v;
    esm_code rc;
    while ((rc = esm_data_iter_next(dit, &pt)) == ESM_OK) {
        assert_int_equal(pt->ts, 1000 + 10 * n);
        assert_int_equal(esm_value_number(pt->value, &v), ESM_OK);
        assert_true(v == (double)n);
        n++;
    }
    assert_int_equal(rc, ESM_DONE);
    assert_int_equal(n, 25000);
    esm_data_iter_free(dit);
    /* The cursor stops at the end bound: three full pages end exactly there,
     * and asking for a fourth (start past end) would be an error. */
    esm_query_set_time(q, "time-end", 1000 + 10 * 2999);
    assert_int_equal(esm_data_iter_new(c, esm_event_type_base_uri(et), q, 1000, &dit), ESM_OK);
    for (n = 0; (rc = esm_data_iter_next(dit, &pt)) == ESM_OK; n++)
        ;
    assert_int_equal(rc, ESM_DONE);
    assert_int_equal(n, 3000);
    esm_data_iter_free(dit);
    esm_query_free(q);
    assert_int_equal(esm_metadata_iter_next(it, &md), ESM_DONE);
    esm_metadata_iter_free(it);
    esm_client_free(c);
}

/* Reads a series to its end; returns how many points it gave. */
static long long read_series(esm_client *c, const char *path, const esm_query *q, esm_code *end)
{
    esm_data_iter *it;
    const esm_point *pt;
    assert_int_equal(esm_data_iter_new(c, path, q, 0, &it), ESM_OK);
    long long n = 0;
    while ((*end = esm_data_iter_next(it, &pt)) == ESM_OK && n < 100000)
        n++;
    esm_data_iter_free(it);
    return n;
}

/* A server that answers every page with the same full page: the second page
 * holds points before its time-start, so the read stops with an error at its
 * first point instead of asking for ever. Cursors near LLONG_MAX stop
 * without overflowing. */
static void test_page_that_does_not_advance(void **state)
{
    esm_client *c = client_for("stuck");
    esm_code end;
    assert_int_equal(read_series(c, "/stuck/perfsonar/archive/x/throughput/base", NULL, &end), 1000);
    assert_int_equal(end, ESM_ERR_PROTOCOL);
    assert_non_null(strstr(esm_client_error(c), "time-start=1001 holds ts 1"));
    esm_query *q = esm_query_new();
    esm_query_set_time(q, "time-start", 0);
    assert_int_equal(read_series(c, "/stuck/perfsonar/archive/x/throughput/base", q, &end), 1000);
    assert_int_equal(end, ESM_ERR_PROTOCOL);
    assert_int_equal(read_series(c, "/stuck/perfsonar/archive/x/throughput/max", q, &end), 2000);
    assert_int_equal(end, ESM_DONE);
    esm_query_free(q);
    esm_client_free(c);
}

/* The limit of every request, in order. */
typedef struct {
    long limits[64];
    size_t n;
} limits_seen;

static void record_limit(void *userdata, const char *method, const char *url)
{
    limits_seen *s = userdata;
    const char *l = strstr(url, "limit=");
    if (l && s->n < sizeof s->limits / sizeof s->limits[0])
        s->limits[s->n++] = strtol(l + 6, NULL, 10);
}

/* Pages over the client's max_page_bytes (64 KiB here): points of 1 KB are
 * asked for again with half the limit until a page fits (62), and the rest
 * of the series comes in pages of that size; a point bigger than the cap
 * alone ends the read at limit=1. */
static void test_pages_over_the_cap(void **state)
{
    esm_client *c = client_for("bigpoints");
    esm_client_set_max_page_bytes(c, 64 << 10);
    limits_seen seen = {0};
    esm_client_set_trace(c, record_limit, &seen);
    esm_data_iter *it;
    const esm_point *pt;
    assert_int_equal(esm_data_iter_new(c, "/bigpoints/perfsonar/archive/x/throughput/base", NULL, 0, &it), ESM_OK);
    long long n = 0;
    esm_code rc;
    while ((rc = esm_data_iter_next(it, &pt)) == ESM_OK) {
        assert_int_equal(pt->ts, n + 1);
        n++;
    }
    assert_int_equal(rc, ESM_DONE);
    assert_int_equal(n, 3000);
    esm_data_iter_free(it);
    static const long first[] = {1000, 500, 250, 125, 62};
    assert_int_equal(seen.n, 5 - 1 + (3000 + 61) / 62);
    for (size_t i = 0; i < seen.n; i++)
        assert_int_equal(seen.limits[i], i < 5 ? first[i] : 62);

    seen.n = 0;
    assert_int_equal(esm_data_iter_new(c, "/bigpoints/perfsonar/archive/x/throughput/huge", NULL, 0, &it), ESM_OK);
    assert_int_equal(esm_data_iter_next(it, &pt), ESM_ERR_PROTOCOL);
    assert_non_null(strstr(esm_client_error(c), "/huge?limit=1: the answer exceeds the limit of 65536 bytes per page"));
    assert_int_equal(seen.n, 10); /* 1000 halved down to 1 */
    esm_data_iter_free(it);
    esm_client_free(c);
}

/* A server that sends more points than asked for (it ignores limit) would
 * send a whole series in one page: the read stops after the points asked. */
static void test_page_beyond_its_limit(void **state)
{
    esm_client *c = client_for("ignorelimit");
    esm_code end;
    assert_int_equal(read_series(c, "/ignorelimit/perfsonar/archive/x/throughput/base", NULL, &end), 1000);
    assert_int_equal(end, ESM_ERR_PROTOCOL);
    assert_non_null(strstr(esm_client_error(c), "the page holds more than the 1000 points asked for"));
    esm_client_free(c);
}

/* Points are read one by one from the page's text: whitespace anywhere
 * between tokens, the points before a malformed one, then the error. */
static void test_page_texts(void **state)
{
    esm_client *c = client_for("pages");
    static const struct {
        const char *name;
        long long points;
        esm_code end;
    } cases[] = {{"pretty", 2, ESM_DONE}, {"badpoint", 1, ESM_ERR_PROTOCOL}, {"trailing", 1, ESM_ERR_PROTOCOL},
                 {"nocomma", 1, ESM_ERR_PROTOCOL}, {"empty", 0, ESM_DONE}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char path[128];
        snprintf(path, sizeof path, "/pages/perfsonar/archive/x/throughput/%s", cases[i].name);
        esm_code end;
        long long n = read_series(c, path, NULL, &end);
        if (n != cases[i].points || end != cases[i].end)
            fail_msg("%s: %lld points, then %s", cases[i].name, n, esm_strerror(end));
    }
    esm_client_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_metadata_totals),
        cmocka_unit_test(test_metadata_pages_that_repeat),
        cmocka_unit_test(test_metadata_page_over_the_cap),
        cmocka_unit_test(test_non_json_page_is_a_protocol_error),
        cmocka_unit_test(test_elmond),
        cmocka_unit_test(test_page_that_does_not_advance),
        cmocka_unit_test(test_pages_over_the_cap),
        cmocka_unit_test(test_page_beyond_its_limit),
        cmocka_unit_test(test_page_texts),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
