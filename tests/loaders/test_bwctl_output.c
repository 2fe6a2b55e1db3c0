/* bwctl / iperf3 / pScheduler parser against every sample and what the original
 * esmond-ps-pipe posted for it (tests/data/samples/expected/bwctl). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "bwctl_output.h"
#include "sample_util.h"

static void add(json_t *arr, const char *et, json_t *val)
{
    json_t *o = json_object();
    json_object_set_new(o, "event-type", json_string(et));
    json_object_set_new(o, "val", val);
    json_array_append_new(arr, o);
}

static json_t *subints(const esm_bw_result *r, int retrans)
{
    json_t *a = json_array();
    for (size_t i = 0; i < r->n_intervals; i++) {
        const esm_bw_subint *s = retrans ? &r->intervals[i].retransmits : &r->intervals[i].throughput;
        json_t *o = json_object();
        json_object_set_new(o, "start", num_json(&s->start));
        json_object_set_new(o, "duration", num_json(&s->duration));
        json_object_set_new(o, "val", num_json(&s->val));
        json_array_append_new(a, o);
    }
    return a;
}

static json_t *stream_subints(const esm_bw_result *r, int retrans)
{
    json_t *a = json_array();
    for (size_t i = 0; i < r->n_intervals; i++) {
        json_t *l = json_array();
        for (size_t k = 0; k < r->intervals[i].n_streams; k++) {
            const esm_bw_stream_subint *s = &r->intervals[i].streams[k];
            json_t *o = json_object();
            json_object_set_new(o, "start", num_json(&s->start));
            json_object_set_new(o, "duration", num_json(&s->duration));
            json_object_set_new(o, retrans ? "retransmits" : "throughput",
                                num_json(retrans ? &s->retransmits : &s->throughput));
            json_array_append_new(l, o);
        }
        json_array_append_new(a, l);
    }
    return a;
}

/* The bulk values in the original's order. */
static json_t *bulk(const esm_bw_result *r)
{
    json_t *a = json_array();
    add(a, "throughput", num_json(&r->throughput));
    add(a, "throughput-subintervals", subints(r, 0));
    if (r->udp) {
        if (esm_num_present(&r->lost))
            add(a, "packet-count-lost", num_json(&r->lost));
        if (esm_num_present(&r->sent))
            add(a, "packet-count-sent", num_json(&r->sent));
        if (esm_num_present(&r->lost) && esm_num_present(&r->sent)) {
            json_t *o = json_object();
            json_object_set_new(o, "numerator", num_json(&r->lost));
            json_object_set_new(o, "denominator", num_json(&r->sent));
            add(a, "packet-loss-rate", o);
        }
    } else {
        add(a, "packet-retransmits", num_json(&r->retransmits));
    }
    add(a, "packet-retransmits-subintervals", subints(r, 1));
    if (r->num_streams.i > 1) {
        json_t *sr = json_array(), *st = json_array();
        for (size_t k = 0; k < r->n_streams; k++) {
            json_array_append_new(sr, num_json(&r->stream_retransmits[k]));
            json_array_append_new(st, num_json(&r->stream_throughput[k]));
        }
        add(a, "streams-packet-retransmits", sr);
        add(a, "streams-packet-retransmits-subintervals", stream_subints(r, 1));
        add(a, "streams-throughput", st);
        add(a, "streams-throughput-subintervals", stream_subints(r, 0));
    }
    return a;
}

static void check_metadata(const esm_bw_result *r, json_t *md)
{
    assert_string_equal(json_string_value(json_object_get(md, "source")), r->source);
    assert_string_equal(json_string_value(json_object_get(md, "destination")), r->destination);
    assert_string_equal(json_string_value(json_object_get(md, "input-source")), r->input_source);
    assert_string_equal(json_string_value(json_object_get(md, "input-destination")), r->input_destination);
    assert_string_equal(json_string_value(json_object_get(md, "ip-transport-protocol")), r->protocol);
    char tool[64];
    snprintf(tool, sizeof tool, "bwctl/%s", r->tool_name);
    assert_string_equal(json_string_value(json_object_get(md, "tool-name")), tool);
    json_t *x;
    assert_true(json_equal(json_object_get(md, "time-duration"), x = num_json(&r->duration)));
    json_decref(x);
    assert_true(json_equal(json_object_get(md, "bw-parallel-streams"), x = num_json(&r->num_streams)));
    json_decref(x);
    assert_true(json_equal(json_object_get(md, "bw_ignore_first_seconds"), x = num_json(&r->omit)));
    json_decref(x);
}

static void check_against(const esm_bw_result *r, json_t *exp, const char *name)
{
    json_t *posts = json_object_get(exp, "posts");
    json_t *mp = json_array_get(posts, 0);
    assert_string_equal(json_string_value(json_object_get(mp, "op")), "metadata");
    check_metadata(r, json_object_get(mp, "payload"));
    json_t *bp = json_array_get(posts, 1);
    if (!bp)
        return;   /* the original crashed after the metadata */
    json_t *d0 = json_array_get(json_object_get(json_object_get(bp, "payload"), "data"), 0);
    assert_int_equal(json_integer_value(json_object_get(d0, "ts")), r->ts.i);
    json_t *ours = bulk(r);
    if (!json_equal(ours, json_object_get(d0, "val"))) {
        char *a = json_dumps(ours, JSON_COMPACT);
        fail_msg("%s: bulk differs: ours %.600s", name, a);
    }
    json_decref(ours);
}

static json_t *load_expected(const char *name)
{
    char path[512];
    snprintf(path, sizeof path, SAMPLES "/expected/bwctl/%s.json", name);
    json_error_t je;
    json_t *e = json_load_file(path, 0, &je);
    assert_non_null(e);
    return e;
}

static esm_ld_code parse_file(const char *rel, unsigned flags, esm_bw_result *r, esm_ld_error *err)
{
    char path[512];
    size_t len = 0;
    snprintf(path, sizeof path, SAMPLES "/%s", rel);
    char *t = slurp(path, &len);
    assert_non_null(t);
    esm_ld_code rc = esm_bw_parse(t, len, flags, r, err);
    free(t);
    return rc;
}

/* sample, tolerant result, strict result, expected file whose posts the tolerant parse matches */
static const struct {
    const char *name;
    esm_ld_code tolerant, strict;
    const char *same_as;
} BW[] = {
    {"bwctl-err-double-verbose-prefix", ESM_LD_OK, ESM_LD_EUNSUPPORTED, "bwctl-iperf3-tcp-1stream"},
    {"bwctl-err-iperf3-3.12-noise-before-json", ESM_LD_OK, ESM_LD_EJSON, NULL},
    {"bwctl-err-iperf3-connect-refused", ESM_LD_ETOOL, ESM_LD_ETOOL, NULL},
    {"bwctl-err-local-sender", ESM_LD_OK, ESM_LD_EUNSUPPORTED, "bwctl-iperf3-tcp-1stream"},
    {"bwctl-err-no-verbose", ESM_LD_OK, ESM_LD_EUNSUPPORTED, "bwctl-iperf3-tcp-1stream"},
    {"bwctl-err-stdout-only", ESM_LD_OK, ESM_LD_EUNSUPPORTED, "bwctl-iperf3-tcp-1stream"},
    {"bwctl-err-timestamp-utc-suffix", ESM_LD_OK, ESM_LD_EUNSUPPORTED, "bwctl-iperf3-tcp-1stream"},
    {"bwctl-err-tool-killed-no-json", ESM_LD_ENOJSON, ESM_LD_EJSON, NULL},
    {"bwctl-err-truncated-json", ESM_LD_EJSON, ESM_LD_EJSON, NULL},
    {"bwctl-iperf3-tcp-1stream-ipv6", ESM_LD_OK, ESM_LD_OK, NULL},
    {"bwctl-iperf3-tcp-1stream", ESM_LD_OK, ESM_LD_OK, "bwctl-iperf3-tcp-1stream"},
    {"bwctl-iperf3-tcp-2streams-omit2", ESM_LD_OK, ESM_LD_OK, "bwctl-iperf3-tcp-2streams-omit2"},
    {"bwctl-iperf3-tcp-4streams-both-sides", ESM_LD_OK, ESM_LD_OK, NULL},
    {"bwctl-iperf3-tcp-4streams-hostnames", ESM_LD_OK, ESM_LD_OK, "bwctl-iperf3-tcp-4streams-hostnames"},
    {"bwctl-iperf3-udp-1stream", ESM_LD_OK, ESM_LD_OK, "bwctl-iperf3-udp-1stream"},
    {"bwctl-iperf3-udp-2streams", ESM_LD_OK, ESM_LD_OK, "bwctl-iperf3-udp-2streams"},
};

static void test_bwctl_samples(void **state)
{
    (void)state;
    size_t n;
    char **files = list_dir(SAMPLES "/bwctl", ".txt", &n);
    assert_int_equal(n, sizeof BW / sizeof BW[0]);
    for (size_t k = 0; k < n; k++) {
        char rel[256];
        snprintf(rel, sizeof rel, "bwctl/%s.txt", BW[k].name);
        assert_int_equal(strncmp(files[k], BW[k].name, strlen(BW[k].name)), 0);
        esm_bw_result r;
        esm_ld_error err;
        json_t *exp = load_expected(BW[k].name);
        int orig_ok = json_integer_value(json_object_get(exp, "exit_status")) == 0;
        /* strict mode accepts exactly what the original accepted (exit 255 = rejected) */
        esm_ld_code rc = parse_file(rel, ESM_BW_STRICT, &r, &err);
        if (rc != BW[k].strict)
            fail_msg("%s strict: %d (%s), want %d", BW[k].name, rc, err.msg, BW[k].strict);
        if (json_integer_value(json_object_get(exp, "exit_status")) == 255)
            assert_int_not_equal(rc, ESM_LD_OK);
        if (orig_ok)
            check_against(&r, exp, BW[k].name);   /* strict = first block, like the original */
        esm_bw_result_clear(&r);
        json_decref(exp);

        rc = parse_file(rel, 0, &r, &err);
        if (rc != BW[k].tolerant)
            fail_msg("%s: %d (%s), want %d", BW[k].name, rc, err.msg, BW[k].tolerant);
        if (rc != ESM_LD_OK && rc != ESM_LD_ETOOL)
            assert_true(strlen(err.msg) > 0);
        if (BW[k].same_as) {
            json_t *e2 = load_expected(BW[k].same_as);
            check_against(&r, e2, BW[k].name);
            json_decref(e2);
        }
        esm_bw_result_clear(&r);
    }
    free_list(files);
}

static void test_bwctl_specifics(void **state)
{
    (void)state;
    esm_bw_result r;
    esm_ld_error err;
    assert_int_equal(parse_file("bwctl/bwctl-iperf3-tcp-1stream-ipv6.txt", 0, &r, &err), ESM_LD_OK);
    assert_string_equal(r.source, "2001:db8:100::10");
    assert_int_equal(r.input_origin, ESM_BW_ADDR_REMOTE_LINE);
    esm_bw_result_clear(&r);
    /* -x: the sender's block (client JSON) is used, orientation right, retransmits present */
    assert_int_equal(parse_file("bwctl/bwctl-iperf3-tcp-4streams-both-sides.txt", 0, &r, &err), ESM_LD_OK);
    assert_true(r.multiple_blocks);
    assert_false(r.receiver_side);
    assert_string_equal(r.source, "198.51.100.10");
    assert_int_equal(r.retransmits.kind, ESM_NUM_INT);
    assert_int_equal(r.n_streams, 4);
    esm_bw_result_clear(&r);
    assert_int_equal(parse_file("bwctl/bwctl-err-iperf3-connect-refused.txt", 0, &r, &err), ESM_LD_ETOOL);
    assert_non_null(r.tool_error);
    assert_non_null(strstr(err.msg, "iperf3 failed"));
    esm_bw_result_clear(&r);
    assert_int_equal(parse_file("bwctl/bwctl-err-tool-killed-no-json.txt", 0, &r, &err), ESM_LD_ENOJSON);
    assert_non_null(strstr(err.msg, "killed"));
    assert_int_equal(parse_file("bwctl/bwctl-err-iperf3-3.12-noise-before-json.txt", 0, &r, &err), ESM_LD_OK);
    assert_int_equal(r.num_streams.i, 1);
    assert_true(r.n_intervals > 0);
    esm_bw_result_clear(&r);
    /* UDP with 2 streams: per-stream throughput from "udp", retransmits null */
    assert_int_equal(parse_file("bwctl/bwctl-iperf3-udp-2streams.txt", 0, &r, &err), ESM_LD_OK);
    assert_int_equal(r.n_streams, 2);
    assert_int_equal(r.stream_retransmits[0].kind, ESM_NUM_NULL);
    assert_true(esm_num_present(&r.stream_throughput[1]));
    esm_bw_result_clear(&r);
    assert_int_equal(esm_bw_parse("", 0, 0, &r, &err), ESM_LD_ESYNTAX);
    assert_int_equal(esm_bw_parse("hello\n", 6, 0, &r, &err), ESM_LD_ESYNTAX);
    assert_int_equal(esm_bw_parse("{\"start\":{}}", 12, 0, &r, &err), ESM_LD_EMISSING);
}

static void test_iperf3_samples(void **state)
{
    (void)state;
    size_t n;
    char **files = list_dir(SAMPLES "/iperf3", "", &n);
    size_t parsed = 0;
    for (size_t k = 0; k < n; k++) {
        if (files[k][0] == '.')
            continue;
        char rel[256];
        snprintf(rel, sizeof rel, "iperf3/%s", files[k]);
        esm_bw_result r;
        esm_ld_error err;
        esm_ld_code rc = parse_file(rel, 0, &r, &err);
        if (strstr(files[k], "error")) {
            assert_int_equal(rc, ESM_LD_ETOOL);
            assert_non_null(r.tool_error);
        } else {
            if (rc != ESM_LD_OK)
                fail_msg("%s: %s", files[k], err.msg);
            assert_int_equal(r.format, ESM_BW_IPERF3);
            assert_true(r.n_intervals > 0);
            assert_int_equal(r.udp, strstr(files[k], "udp") != NULL);
            assert_int_equal(r.receiver_side, strstr(files[k], "server-side") != NULL);
            assert_int_equal(r.ts.kind, ESM_NUM_INT);
            assert_true(esm_num_present(&r.throughput));
            if (strstr(files[k], "4streams"))
                assert_int_equal(r.num_streams.i, 4);
        }
        parsed++;
        esm_bw_result_clear(&r);
    }
    assert_int_equal(parsed, 15);
    free_list(files);
    /* the plain capture gives the same values as the bwctl transcript embedding it */
    esm_bw_result r;
    esm_ld_error err;
    assert_int_equal(parse_file("iperf3/iperf3-3.1.3-tcp-1stream.json", 0, &r, &err), ESM_LD_OK);
    json_t *e = load_expected("bwctl-iperf3-tcp-1stream");
    check_against(&r, e, "plain iperf3");
    json_decref(e);
    esm_bw_result_clear(&r);
}

static void test_pscheduler_samples(void **state)
{
    (void)state;
    size_t n;
    char **files = list_dir(SAMPLES "/pscheduler", ".json", &n);
    assert_int_equal(n, 7);
    for (size_t k = 0; k < n; k++) {
        char rel[256];
        snprintf(rel, sizeof rel, "pscheduler/%s", files[k]);
        esm_bw_result r;
        esm_ld_error err;
        esm_ld_code rc = parse_file(rel, 0, &r, &err);
        if (strstr(files[k], "failed")) {
            assert_int_equal(rc, ESM_LD_ETOOL);
            assert_non_null(strstr(r.tool_error, "Connection refused"));
        } else {
            if (rc != ESM_LD_OK)
                fail_msg("%s: %s", files[k], err.msg);
            assert_int_equal(r.format, ESM_BW_PSCHEDULER);
            assert_true(r.n_intervals > 0);
            assert_true(esm_num_present(&r.throughput));
            assert_int_equal(r.udp, strstr(files[k], "udp") != NULL);
            assert_string_equal(r.protocol, r.udp ? "udp" : "tcp");
            for (size_t i = 0; i + 1 < r.n_streams; i++)
                (void)i;
        }
        esm_bw_result_clear(&r);
    }
    free_list(files);
    esm_bw_result r;
    esm_ld_error err;
    assert_int_equal(parse_file("pscheduler/esmond-archiver-test-tcp-2streams.json", 0, &r, &err), ESM_LD_OK);
    assert_int_equal(r.ts.i, 1497971206);
    assert_int_equal(r.duration.i, 30);
    assert_int_equal(r.num_streams.i, 2);
    assert_int_equal(r.n_streams, 2);
    assert_int_equal(r.stream_retransmits[0].i, 15);
    assert_int_equal(r.stream_retransmits[1].i, 18);
    esm_bw_result_clear(&r);
    assert_int_equal(parse_file("pscheduler/derived-iperf3-3.1.3-udp-1stream.json", 0, &r, &err), ESM_LD_OK);
    assert_int_equal(r.lost.i, 12147);
    assert_int_equal(r.sent.i, 93192);
    esm_bw_result_clear(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bwctl_samples),
        cmocka_unit_test(test_bwctl_specifics),
        cmocka_unit_test(test_iperf3_samples),
        cmocka_unit_test(test_pscheduler_samples),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
