/* libesmond against a real esmond-ps-archive on 127.0.0.1, loaded with
 * tests/data/replay: metadata and data paging, every value shape, summaries,
 * filters, posting and reading back, auth failures and 404s. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <jansson.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "esmond/esmond.h"
#include "json_write.h"
#include "server_process.h"

#define TOKEN "0123456789abcdef0123456789abcdef01234567"
#define REPLAY ESM_TEST_DATA "/replay"

static server_process server;
static char tmpdir[] = "/tmp/esm-lib-XXXXXX";
static json_t *replay; /* tests/data/replay/metadata.json */

static esm_client *new_client(bool with_token)
{
    esm_client *c = esm_client_new(server.url);
    assert_non_null(c);
    if (with_token)
        assert_int_equal(esm_client_set_token(c, TOKEN), ESM_OK);
    return c;
}

static int setup(void **state)
{
    if (esm_global_init() != ESM_OK || !mkdtemp(tmpdir))
        return -1;
    char db[PATH_MAX];
    snprintf(db, sizeof db, "%s/archive.db", tmpdir);
    char *argv[] = {ESM_ARCHIVE, "--db", db, "--listen", "127.0.0.1:0", "--token", "tester:" TOKEN,
                    "--import", REPLAY, NULL};
    replay = json_load_file(REPLAY "/metadata.json", 0, NULL);
    static char log[PATH_MAX]; /* one line per request: kept out of the test output */
    snprintf(log, sizeof log, "%s/archive.log", tmpdir);
    server.log_path = log;
    return replay && server_start(&server, argv) == 0 ? 0 : -1;
}

static int teardown(void **state)
{
    int status = server_stop(&server);
    json_decref(replay);
    char cmd[PATH_MAX + 16];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    if (system(cmd) != 0)
        return -1;
    esm_global_cleanup();
    return status == 0 ? 0 : -1;
}

/* ---- metadata ---- */

/* Keys of the replay objects that pass pred, in key order. */
static size_t expected_keys(bool (*pred)(json_t *), const char **keys, size_t max)
{
    size_t n = 0, i;
    json_t *m;
    json_array_foreach(replay, i, m) {
        if (pred(m) && n < max)
            keys[n++] = json_string_value(json_object_get(m, "metadata-key"));
    }
    return n;
}

static size_t search(esm_client *c, const esm_query *q, const char **keys, size_t max)
{
    esm_metadata_iter *it;
    assert_int_equal(esm_metadata_iter_new(c, q, &it), ESM_OK);
    const esm_metadata *md;
    esm_code rc;
    size_t n = 0;
    while ((rc = esm_metadata_iter_next(it, &md)) == ESM_OK) {
        if (keys && n < max)
            keys[n] = strdup(esm_metadata_key(md));
        n++;
    }
    assert_int_equal(rc, ESM_DONE);
    esm_metadata_iter_free(it);
    return n;
}

static void assert_same_keys(const char **want, size_t nwant, const char **got, size_t ngot)
{
    assert_int_equal(ngot, nwant);
    for (size_t i = 0; i < ngot; i++) {
        assert_string_equal(got[i], want[i]);
        free((char *)got[i]);
    }
}

static bool any(json_t *m) { (void)m; return true; }

static bool has_packet_trace(json_t *m)
{
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(m, "event-types"), i, e)
        if (strcmp(json_string_value(json_object_get(e, "event-type")), "packet-trace") == 0)
            return true;
    return false;
}

static bool is_tcp_two_streams(json_t *m)
{
    const char *p = json_string_value(json_object_get(m, "ip-transport-protocol"));
    const char *s = json_string_value(json_object_get(m, "bw-parallel-streams"));
    return p && s && strcmp(p, "tcp") == 0 && strcmp(s, "2") == 0;
}

static void test_metadata_filters(void **state)
{
    esm_client *c = new_client(false);
    const char *want[64], *got[64];
    size_t nw = expected_keys(any, want, 64);
    assert_int_equal(nw, json_array_size(replay));
    assert_same_keys(want, nw, got, search(c, NULL, got, 64));

    esm_query *q = esm_query_new();
    assert_int_equal(esm_query_set(q, "event_type", "packet-trace"), ESM_OK); /* underscores accepted */
    nw = expected_keys(has_packet_trace, want, 64);
    assert_true(nw > 0);
    assert_same_keys(want, nw, got, search(c, q, got, 64));
    esm_query_free(q);

    q = esm_query_new(); /* free-form parameters */
    esm_query_set(q, "ip-transport-protocol", "tcp");
    esm_query_set(q, "bw-parallel-streams", "2");
    nw = expected_keys(is_tcp_two_streams, want, 64);
    assert_true(nw > 0);
    assert_same_keys(want, nw, got, search(c, q, got, 64));
    esm_query_free(q);

    q = esm_query_new();
    esm_query_set(q, "tool-name", "no-such-tool");
    assert_int_equal(search(c, q, NULL, 0), 0);
    assert_int_equal(esm_query_set(q, "limit", "5"), ESM_ERR_INVALID);
    esm_query_free(q);
    esm_client_free(c);
}

static void test_metadata_fields_and_summaries(void **state)
{
    esm_client *c = new_client(false);
    esm_query *q = esm_query_new();
    esm_query_set(q, "metadata-key", "f6b732e9f351487a96126f0c25e5e546");
    esm_metadata_iter *it;
    const esm_metadata *md;
    assert_int_equal(esm_metadata_iter_new(c, q, &it), ESM_OK);
    assert_int_equal(esm_metadata_iter_next(it, &md), ESM_OK);
    assert_string_equal(esm_metadata_get(md, "tool-name"), "bwctl/iperf3");
    assert_string_equal(esm_metadata_get(md, "time-duration"), "20");
    assert_null(esm_metadata_get(md, "metadata-count-total")); /* pagination members are hidden */
    const esm_event_type *et = esm_metadata_event_type(md, "throughput");
    assert_non_null(et);
    assert_int_equal(esm_event_type_data_type(et), ESM_TYPE_INTEGER);
    const esm_summary *s = esm_event_type_summary(et, "average", 86400);
    assert_non_null(s);
    assert_int_equal(esm_summary_window(s), 86400);
    assert_null(esm_event_type_summary(et, "average", 3600));
    assert_string_equal(esm_summary_uri(s),
                        "/esmond/perfsonar/archive/f6b732e9f351487a96126f0c25e5e546/throughput/averages/86400");
    /* The summary's data, through the URI the archive gave. */
    esm_data_iter *dit;
    const esm_point *pt;
    double v;
    assert_int_equal(esm_data_iter_new(c, esm_summary_uri(s), NULL, 0, &dit), ESM_OK);
    assert_int_equal(esm_data_iter_next(dit, &pt), ESM_OK);
    assert_int_equal(pt->ts, 1398729600);
    assert_int_equal(esm_value_number(pt->value, &v), ESM_OK);
    assert_true(v == 6594381762.75);
    assert_int_equal(esm_data_iter_next(dit, &pt), ESM_DONE);
    esm_data_iter_free(dit);
    assert_int_equal(esm_metadata_iter_next(it, &md), ESM_DONE);
    esm_metadata_iter_free(it);
    esm_query_free(q);
    esm_client_free(c);
}

/* ---- data: every replay file reads back exactly, in small pages ---- */

static void compare_series(esm_client *c, const char *uri, const char *file)
{
    json_t *want = json_load_file(file, 0, NULL);
    assert_non_null(want);
    esm_query *q = esm_query_new();
    esm_query_set_time(q, "time-start", 0);
    esm_data_iter *it;
    assert_int_equal(esm_data_iter_new(c, uri, q, 97, &it), ESM_OK);
    const esm_point *pt;
    size_t n = 0;
    esm_code rc;
    while ((rc = esm_data_iter_next(it, &pt)) == ESM_OK) {
        json_t *w = json_array_get(want, n++);
        assert_non_null(w);
        assert_int_equal(pt->ts, json_integer_value(json_object_get(w, "ts")));
        json_t *got = json_loads(esm_value_json(pt->value), JSON_DECODE_ANY, NULL);
        if (!json_equal(got, json_object_get(w, "val")))
            fail_msg("%s point %zu: got %s", uri, n, esm_value_json(pt->value));
        json_decref(got);
    }
    assert_int_equal(rc, ESM_DONE);
    assert_int_equal(n, json_array_size(want));
    esm_data_iter_free(it);
    esm_query_free(q);
    json_decref(want);
}

static void test_every_replay_series(void **state)
{
    esm_client *c = new_client(false);
    size_t i, j, k, files = 0;
    json_t *m, *e, *s;
    char file[PATH_MAX];
    json_array_foreach(replay, i, m) {
        const char *key = json_string_value(json_object_get(m, "metadata-key"));
        json_array_foreach(json_object_get(m, "event-types"), j, e) {
            const char *et = json_string_value(json_object_get(e, "event-type"));
            snprintf(file, sizeof file, "%s/data/%s/%s/base.json", REPLAY, key, et);
            if (access(file, R_OK) == 0) {
                compare_series(c, json_string_value(json_object_get(e, "base-uri")), file);
                files++;
            }
            json_array_foreach(json_object_get(e, "summaries"), k, s) {
                const char *uri = json_string_value(json_object_get(s, "uri"));
                snprintf(file, sizeof file, "%s/data/%s/%s/%s", REPLAY, key, et,
                         strstr(uri, et) + strlen(et) + 1);
                strcat(file, ".json");
                if (access(file, R_OK) == 0) {
                    compare_series(c, uri, file);
                    files++;
                }
            }
        }
    }
    assert_int_equal(files, 38); /* every data file of the replay set */
    esm_client_free(c);
}

/* The first point of a series. */
static const esm_point *first_point(esm_client *c, const char *uri, esm_data_iter **it)
{
    esm_query *q = esm_query_new();
    esm_query_set_time(q, "time-start", 0);
    assert_int_equal(esm_data_iter_new(c, uri, q, 0, it), ESM_OK);
    esm_query_free(q);
    const esm_point *pt;
    assert_int_equal(esm_data_iter_next(*it, &pt), ESM_OK);
    return pt;
}

#define ARCH "/esmond/perfsonar/archive/"

static void test_value_shapes(void **state)
{
    esm_client *c = new_client(false);
    esm_data_iter *it;
    const esm_point *pt;
    const char *bucket;
    long long count;

    pt = first_point(c, ARCH "0CB19291FB6D40EAA1955376772BF5D2/histogram-owdelay/base", &it);
    assert_int_equal(esm_value_histogram_size(pt->value), 4); /* {"400":2,"646":3,"196":113,"538":482} */
    assert_int_equal(esm_value_histogram_bucket(pt->value, 2, &bucket, &count), ESM_OK);
    assert_string_equal(bucket, "196");
    assert_int_equal(count, 113);
    esm_data_iter_free(it);

    /* Packet traces: every hop readable, and the set holds a timed-out hop. */
    pt = first_point(c, ARCH "638e53d546924c58b067f3d6f6926059/packet-trace/base", &it);
    esm_hop hop;
    size_t traces = 0, timed_out = 0;
    do {
        size_t hops = esm_value_size(pt->value);
        assert_true(hops > 1);
        for (size_t i = 0; i < hops; i++) {
            assert_int_equal(esm_value_hop(pt->value, i, &hop), ESM_OK);
            assert_true(hop.has_ttl);
            assert_true(hop.success ? hop.ip != NULL && hop.has_rtt : hop.error_message != NULL);
            timed_out += !hop.success;
        }
        traces++;
    } while (esm_data_iter_next(it, &pt) == ESM_OK);
    assert_int_equal(traces, 3);
    assert_true(timed_out >= 1);
    esm_data_iter_free(it);

    pt = first_point(c, ARCH "f6b732e9f351487a96126f0c25e5e546/throughput-subintervals/base", &it);
    esm_subinterval si;
    double v;
    assert_true(esm_value_size(pt->value) > 1);
    assert_int_equal(esm_value_subinterval(pt->value, 0, &si), ESM_OK);
    assert_true(si.start == 0.0 && si.duration > 0.0);
    assert_int_equal(esm_value_number(si.val, &v), ESM_OK);
    esm_data_iter_free(it);

    pt = first_point(c, ARCH "f6b732e9f351487a96126f0c25e5e546/streams-throughput/base", &it);
    assert_true(esm_value_size(pt->value) >= 1);
    assert_int_equal(esm_value_number(esm_value_at(pt->value, 0), &v), ESM_OK);
    assert_true(v > 0);
    esm_data_iter_free(it);

    pt = first_point(c, ARCH "f6b732e9f351487a96126f0c25e5e546/streams-throughput-subintervals/base", &it);
    assert_int_equal(esm_value_subinterval(esm_value_at(pt->value, 0), 0, &si), ESM_OK);
    esm_data_iter_free(it);

    pt = first_point(c, ARCH "f6b732e9f351487a96126f0c25e5e546/failures/base", &it);
    assert_non_null(esm_value_failure(pt->value));
    assert_true(strlen(esm_value_failure(pt->value)) > 0);
    assert_int_equal(esm_value_number(pt->value, &v), ESM_ERR_TYPE);
    esm_data_iter_free(it);

    pt = first_point(c, ARCH "67a3c298de0b4237abee56b879e03587/histogram-rtt/statistics/0", &it);
    assert_int_equal(esm_value_number(esm_value_member(pt->value, "median"), &v), ESM_OK);
    assert_int_equal(esm_value_kind_of(esm_value_member(pt->value, "mode")), ESM_VAL_ARRAY);
    esm_data_iter_free(it);
    esm_client_free(c);
}

/* ---- writing, then reading back ---- */

static esm_metadata *post_metadata(esm_client *c, const char *tool, const char *run)
{
    esm_metadata_post *mp = esm_metadata_post_new("point-to-point");
    assert_non_null(mp);
    const char *fields[][2] = {{"source", "10.0.0.1"}, {"destination", "10.0.0.2"},
                               {"measurement-agent", "10.0.0.1"}, {"tool-name", tool},
                               {"input-source", "a.example"}, {"input-destination", "b.example"},
                               {"time-duration", "20"}, {"run", run}};
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
        assert_int_equal(esm_metadata_post_set(mp, fields[i][0], fields[i][1]), ESM_OK);
    const char *ets[] = {"throughput", "packet-loss-rate", "histogram-owdelay", "throughput-subintervals",
                         "failures", "time-error-estimates"};
    for (size_t i = 0; i < sizeof ets / sizeof ets[0]; i++)
        assert_int_equal(esm_metadata_post_add_event_type(mp, ets[i]), ESM_OK);
    assert_int_equal(esm_metadata_post_add_summary(mp, "throughput", "average", 86400), ESM_OK);
    assert_int_equal(esm_metadata_post_add_summary(mp, "histogram-owdelay", "statistics", 0), ESM_OK);
    esm_metadata *md = NULL;
    assert_int_equal(esm_metadata_post_send(c, mp, &md), ESM_OK);
    esm_metadata_post_free(mp);
    return md;
}

static char *uri_of(const esm_metadata *md, const char *et)
{
    return strdup(esm_event_type_base_uri(esm_metadata_event_type(md, et)));
}

static void assert_first_json(esm_client *c, const char *uri, long long ts, const char *want)
{
    esm_query *q = esm_query_new();
    esm_query_set_time(q, "time", ts);
    esm_data_iter *it;
    const esm_point *pt;
    assert_int_equal(esm_data_iter_new(c, uri, q, 0, &it), ESM_OK);
    assert_int_equal(esm_data_iter_next(it, &pt), ESM_OK);
    assert_int_equal(pt->ts, ts);
    assert_string_equal(esm_value_json(pt->value), want);
    esm_data_iter_free(it);
    esm_query_free(q);
}

static void test_post_and_read_back(void **state)
{
    esm_client *c = new_client(true);
    esm_metadata *md = post_metadata(c, "libtest-post", "1");
    esm_metadata *again = post_metadata(c, "libtest-post", "1");
    assert_string_equal(esm_metadata_key(md), esm_metadata_key(again)); /* idempotent */
    esm_metadata_free(again);
    assert_non_null(esm_event_type_summary(esm_metadata_event_type(md, "throughput"), "average", 86400));

    char *tp = uri_of(md, "throughput"), *loss = uri_of(md, "packet-loss-rate"),
         *hist = uri_of(md, "histogram-owdelay"), *sub = uri_of(md, "throughput-subintervals"),
         *fail = uri_of(md, "failures"), *tee = uri_of(md, "time-error-estimates");
    const char *key = esm_metadata_key(md);
    assert_int_equal(esm_point_post(c, key, "throughput", 1000, "6000"), ESM_OK);
    assert_int_equal(esm_point_post(c, key, "throughput", 1000, "6000"), ESM_ERR_CONFLICT);
    assert_int_equal(esm_point_post(c, key, "packet-loss-rate", 1000, "{\"numerator\":15,\"denominator\":40}"),
                     ESM_OK);
    assert_int_equal(esm_point_post(c, key, "histogram-owdelay", 1000, "{\"34.5\":30,\"34.3\":440}"), ESM_OK);
    assert_int_equal(esm_point_post(c, key, "time-error-estimates", 1000, "0.123456"), ESM_OK);
    assert_int_equal(esm_point_post(c, key, "throughput-subintervals", 1000,
                                    "[{\"start\":0,\"duration\":1.5,\"val\":9.41e9}]"),
                     ESM_OK);
    assert_int_equal(esm_point_post(c, key, "failures", 1000, "{\"error\":\"426 Transfer aborted\"}"), ESM_OK);
    assert_int_equal(esm_point_post(c, key, "throughput", 1001, "not json"), ESM_ERR_INVALID);
    assert_int_equal(esm_point_post(c, "../x", "throughput", 1001, "1"), ESM_ERR_INVALID); /* not a key */
    assert_int_equal(esm_point_post(c, key, "a/b", 1001, "1"), ESM_ERR_INVALID);

    assert_first_json(c, tp, 1000, "6000.0");
    assert_first_json(c, loss, 1000, "0.375");
    assert_first_json(c, hist, 1000, "{\"34.5\":30,\"34.3\":440}");
    assert_first_json(c, tee, 1000, "0.1234");
    assert_first_json(c, sub, 1000, "[{\"start\":0,\"duration\":1.5,\"val\":9410000000.0}]");
    assert_first_json(c, fail, 1000, "{\"error\":\"426 Transfer aborted\"}");

    esm_bulk_post *bp = esm_bulk_post_new(esm_metadata_key(md));
    assert_non_null(bp);
    assert_int_equal(esm_bulk_post_add(bp, 2000, "throughput", "7000"), ESM_OK);
    assert_int_equal(esm_bulk_post_add(bp, 2000, "failures", "{\"error\":\"x\"}"), ESM_OK);
    assert_int_equal(esm_bulk_post_add(bp, 2060, "throughput", "\"8000\""), ESM_OK);
    assert_int_equal(esm_bulk_post_count(bp), 3);
    assert_int_equal(esm_bulk_post_send(c, bp), ESM_OK);
    assert_int_equal(esm_bulk_post_send(c, bp), ESM_ERR_CONFLICT); /* a re-send is reported as stored */
    esm_bulk_post_free(bp);
    assert_first_json(c, tp, 2000, "7000.0");
    assert_first_json(c, tp, 2060, "8000.0");
    assert_first_json(c, fail, 2000, "{\"error\":\"x\"}");

    free(tp), free(loss), free(hist), free(sub), free(fail), free(tee);
    esm_metadata_free(md);
    esm_client_free(c);
}

/* Parameters given as JSON numbers and booleans (what the Python loaders sent)
 * are stored as the archive's text, and give the same metadata as that text. */
static void test_post_json_parameters(void **state)
{
    esm_client *c = new_client(true);
    esm_metadata_post *mp = esm_metadata_post_new("point-to-point");
    const char *fields[][2] = {{"source", "10.0.0.7"}, {"destination", "10.0.0.8"},
                               {"measurement-agent", "10.0.0.7"}, {"tool-name", "libtest-json"},
                               {"input-source", "a.example"}, {"input-destination", "b.example"}};
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
        assert_int_equal(esm_metadata_post_set(mp, fields[i][0], fields[i][1]), ESM_OK);
    assert_int_equal(esm_metadata_post_set_json(mp, "bw-parallel-streams", "5"), ESM_OK);
    assert_int_equal(esm_metadata_post_set_json(mp, "time-duration", "6.0"), ESM_OK);
    assert_int_equal(esm_metadata_post_set_json(mp, "flag", "true"), ESM_OK);
    assert_int_equal(esm_metadata_post_set_json(mp, "gridftp-program", "\"globus-gridftp-server\""), ESM_OK);
    const char *refused[] = {"null", "[1]", "{\"a\": 1}", "5 6", "", "nope"};
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++)
        assert_int_equal(esm_metadata_post_set_json(mp, "other", refused[i]), ESM_ERR_INVALID);
    assert_int_equal(esm_metadata_post_set_json(mp, "event-types", "1"), ESM_ERR_INVALID);
    assert_int_equal(esm_metadata_post_add_event_type(mp, "throughput"), ESM_OK);
    esm_metadata *md = NULL;
    assert_int_equal(esm_metadata_post_send(c, mp, &md), ESM_OK);
    assert_string_equal(esm_metadata_get(md, "bw-parallel-streams"), "5");
    assert_string_equal(esm_metadata_get(md, "time-duration"), "6.0");
    assert_string_equal(esm_metadata_get(md, "flag"), "True");
    assert_string_equal(esm_metadata_get(md, "gridftp-program"), "globus-gridftp-server");
    assert_null(esm_metadata_get(md, "other"));

    /* the same values as text name the same metadata */
    esm_metadata_post_set(mp, "bw-parallel-streams", "5");
    esm_metadata_post_set(mp, "time-duration", "6.0");
    esm_metadata_post_set(mp, "flag", "True");
    esm_metadata *same = NULL;
    assert_int_equal(esm_metadata_post_send(c, mp, &same), ESM_OK);
    assert_string_equal(esm_metadata_key(same), esm_metadata_key(md));
    esm_metadata_free(same);
    esm_metadata_free(md);
    esm_metadata_post_free(mp);
    esm_client_free(c);
}

static void test_auth_and_not_found(void **state)
{
    esm_client *anon = new_client(false);
    esm_metadata_post *mp = esm_metadata_post_new("network-element");
    esm_metadata *md = NULL;
    esm_metadata_post_set(mp, "source", "10.0.0.9");
    /* A missing subject field is caught before anything is sent. */
    assert_int_equal(esm_metadata_post_send(anon, mp, &md), ESM_ERR_INVALID);
    assert_non_null(strstr(esm_client_error(anon), "measurement-agent"));
    assert_int_equal(esm_client_http_status(anon), 0);
    esm_metadata_post_set(mp, "measurement-agent", "10.0.0.9");
    esm_metadata_post_set(mp, "tool-name", "t");
    esm_metadata_post_set(mp, "input-source", "h");
    assert_int_equal(esm_metadata_post_send(anon, mp, &md), ESM_ERR_AUTH);
    assert_null(md);
    assert_int_equal(esm_client_http_status(anon), 401);
    assert_non_null(strstr(esm_client_error(anon), "401"));
    assert_non_null(strstr(esm_client_error(anon), "/archive/"));

    esm_client *wrong = new_client(false);
    esm_client_set_token(wrong, "wrong-key");
    assert_int_equal(esm_metadata_post_send(wrong, mp, &md), ESM_ERR_AUTH);
    assert_null(strstr(esm_client_error(wrong), "wrong-key")); /* secrets stay out of messages */
    esm_metadata_post_free(mp);

    esm_client *c = new_client(true);
    assert_int_equal(esm_point_post(c, "00000000000000000000000000000000", "throughput", 1, "1"),
                     ESM_ERR_NOT_FOUND);
    assert_non_null(strstr(esm_client_error(c), "Not found."));
    esm_client_free(c);
    esm_client_free(wrong);
    esm_client_free(anon);
}

/* ---- paging ---- */

static void test_data_paging_over_25000_points(void **state)
{
    esm_client *c = new_client(true);
    esm_metadata *md = post_metadata(c, "libtest-paging", "1");
    const long long n = 30000, t0 = 1500000000;
    char val[32];
    for (long long base = 0; base < n; base += 5000) {
        esm_bulk_post *bp = esm_bulk_post_new(esm_metadata_key(md));
        for (long long i = base; i < base + 5000; i++) {
            snprintf(val, sizeof val, "%lld", i * 7);
            assert_int_equal(esm_bulk_post_add(bp, t0 + i * 10, "throughput", val), ESM_OK);
        }
        assert_int_equal(esm_bulk_post_send(c, bp), ESM_OK);
        esm_bulk_post_free(bp);
    }
    char *tp = uri_of(md, "throughput");
    esm_query *q = esm_query_new();
    esm_query_set_time(q, "time-start", t0);
    esm_query_set_time(q, "time-end", t0 + (n - 1) * 10);
    esm_data_iter *it;
    assert_int_equal(esm_data_iter_new(c, tp, q, 1000, &it), ESM_OK);
    const esm_point *pt;
    long long i = 0;
    double v;
    while (esm_data_iter_next(it, &pt) == ESM_OK) {
        assert_int_equal(pt->ts, t0 + i * 10);
        assert_int_equal(esm_value_number(pt->value, &v), ESM_OK);
        assert_true(v == (double)(i * 7));
        i++;
    }
    assert_int_equal(i, n);
    esm_data_iter_free(it);
    esm_query_free(q);
    free(tp);
    esm_metadata_free(md);
    esm_client_free(c);
}

static void test_metadata_paging_over_many_pages(void **state)
{
    esm_client *c = new_client(true);
    const int n = 2100; /* more than two pages of 1000 */
    char run[16];
    for (int i = 0; i < n; i++) {
        snprintf(run, sizeof run, "%d", i);
        esm_metadata_free(post_metadata(c, "libtest-many", run));
    }
    esm_query *q = esm_query_new();
    esm_query_set(q, "tool-name", "libtest-many");
    const char **keys = calloc(n + 1, sizeof *keys);
    size_t got = search(c, q, keys, n + 1);
    assert_int_equal(got, n);
    for (size_t i = 1; i < got; i++)
        assert_true(strcmp(keys[i - 1], keys[i]) < 0); /* ascending, so no repeats */
    for (size_t i = 0; i < got; i++)
        free((char *)keys[i]);
    free(keys);
    esm_query_free(q);
    esm_client_free(c);
}

/* ---- many readers at once ---- */

#define READERS 8
#define ROUNDS 6
#define PAGE 7 /* small pages: many requests, so routing runs on several threads at once */

/* Reads every replay base series ROUNDS times with its own client and counts
 * answers that differ from the files: the archive routes and answers requests
 * on several threads at once, and none may see another's state. */
static void *reader(void *arg)
{
    long *mismatches = arg;
    esm_client *c = esm_client_new(server.url);
    esm_query *q = esm_query_new();
    esm_query_set_time(q, "time-start", 0);
    char file[PATH_MAX];
    for (int round = 0; c && q && round < ROUNDS; round++) {
        size_t i, j;
        json_t *m, *e;
        json_array_foreach(replay, i, m) {
            const char *key = json_string_value(json_object_get(m, "metadata-key"));
            json_array_foreach(json_object_get(m, "event-types"), j, e) {
                const char *et = json_string_value(json_object_get(e, "event-type"));
                snprintf(file, sizeof file, "%s/data/%s/%s/base.json", REPLAY, key, et);
                json_t *want = json_load_file(file, 0, NULL);
                esm_data_iter *it;
                const esm_point *pt;
                size_t n = 0;
                if (esm_data_iter_new(c, json_string_value(json_object_get(e, "base-uri")), q, PAGE, &it) != ESM_OK) {
                    (*mismatches)++;
                    json_decref(want);
                    continue;
                }
                esm_code rc;
                while ((rc = esm_data_iter_next(it, &pt)) == ESM_OK) {
                    json_t *w = json_array_get(want, n++);
                    if (!w || pt->ts != json_integer_value(json_object_get(w, "ts")))
                        (*mismatches)++;
                }
                if (rc != ESM_DONE || n != json_array_size(want)) /* no file: the series is empty */
                    (*mismatches)++;
                esm_data_iter_free(it);
                json_decref(want);
            }
        }
    }
    esm_query_free(q);
    esm_client_free(c);
    return NULL;
}

static void test_parallel_readers(void **state)
{
    pthread_t threads[READERS];
    long mismatches[READERS] = {0};
    for (int i = 0; i < READERS; i++)
        assert_int_equal(pthread_create(&threads[i], NULL, reader, &mismatches[i]), 0);
    long total = 0;
    for (int i = 0; i < READERS; i++) {
        pthread_join(threads[i], NULL);
        total += mismatches[i];
    }
    assert_int_equal(total, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_metadata_filters),
        cmocka_unit_test(test_metadata_fields_and_summaries),
        cmocka_unit_test(test_every_replay_series),
        cmocka_unit_test(test_value_shapes),
        cmocka_unit_test(test_post_and_read_back),
        cmocka_unit_test(test_post_json_parameters),
        cmocka_unit_test(test_auth_and_not_found),
        cmocka_unit_test(test_data_paging_over_25000_points),
        cmocka_unit_test(test_metadata_paging_over_many_pages),
        cmocka_unit_test(test_parallel_readers),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
