/* The iterators against archives that behave unlike esmond-ps-archive
 * (canned_server.py): metadata totals missing, overstated or understated,
 * pages capped below the limit, a non-JSON answer, a series whose pages do
 * not advance, and elmond's integer summary windows and /base/0 URIs. */
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
        cmocka_unit_test(test_non_json_page_is_a_protocol_error),
        cmocka_unit_test(test_elmond),
        cmocka_unit_test(test_page_that_does_not_advance),
        cmocka_unit_test(test_page_texts),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
