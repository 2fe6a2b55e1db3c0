/* GridFTP log parsers against every sample and what the original loader posted
 * for it (tests/data/samples/expected/gridftp-*). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "gridftp_log.h"
#include "sample_util.h"

/* ---- comparison helpers ---- */

static void expect_int(json_t *md, const char *key, int have, long long v)
{
    json_t *x = json_object_get(md, key);
    if (!have) {
        assert_true(x == NULL || json_is_null(x));
        return;
    }
    assert_non_null(x);
    assert_true(json_is_integer(x));
    assert_int_equal(json_integer_value(x), v);
}

static void expect_str(json_t *md, const char *key, const char *v)
{
    json_t *x = json_object_get(md, key);
    if (!v) {
        assert_true(x == NULL || json_is_null(x));
        return;
    }
    if (!json_is_string(x))
        fail_msg("%s: expected '%s', original had none", key, v);
    assert_string_equal(json_string_value(x), v);
}

static json_t *bulk_val(json_t *post, const char *et)
{
    json_t *vals = json_object_get(json_array_get(json_object_get(json_object_get(post, "payload"),
                                                                  "data"), 0), "val");
    size_t i;
    json_t *v;
    json_array_foreach(vals, i, v)
        if (strcmp(json_string_value(json_object_get(v, "event-type")), et) == 0)
            return json_object_get(v, "val");
    return NULL;
}

static long long bulk_ts(json_t *post)
{
    return json_integer_value(json_object_get(
        json_array_get(json_object_get(json_object_get(post, "payload"), "data"), 0), "ts"));
}

static const char *op_of(json_t *post)
{
    return post ? json_string_value(json_object_get(post, "op")) : "(none)";
}

/* Was this line skipped by the original for a name-resolution failure? */
static int skipped_by_resolver(json_t *exp, const char *line)
{
    size_t i;
    json_t *l;
    json_array_foreach(json_object_get(exp, "log"), i, l) {
        const char *m = json_string_value(json_object_get(l, "msg"));
        static const char pfx[] = "could not generate metadata args for row: ";
        if (m && strncmp(m, pfx, sizeof pfx - 1) == 0 &&
            strncmp(m + sizeof pfx - 1, line, strlen(line)) == 0)
            return 1;
    }
    return 0;
}

typedef struct {
    size_t lines_ok, transfers, errors, matched;
    int original_crashed;
    size_t posts_left;
} outcome;

/* ---- netlogger ---- */

static outcome run_netlogger(const char *sample, const char *expfile, int with_fnv)
{
    char path[512];
    size_t len = 0;
    snprintf(path, sizeof path, SAMPLES "/gridftp/netlogger/%s", sample);
    char *text = slurp(path, &len);
    assert_non_null(text);
    snprintf(path, sizeof path, SAMPLES "/expected/gridftp-netlogger/%s", expfile);
    json_error_t je;
    json_t *exp = json_load_file(path, 0, &je);
    assert_non_null(exp);
    json_t *posts = json_object_get(exp, "posts");
    size_t pi = 0, np = json_array_size(posts);
    outcome o = {0};
    o.original_crashed = json_integer_value(json_object_get(exp, "exit_status")) != 0;

    esm_gftp_reader *r = esm_gftp_reader_new(ESM_GFTP_NETLOGGER, 0);
    /* feed in small odd chunks to exercise the incremental path */
    for (size_t off = 0; off < len; off += 37)
        assert_int_equal(esm_gftp_reader_feed(r, text + off, len - off < 37 ? len - off : 37), ESM_LD_OK);
    esm_gftp_reader_finish(r);
    esm_gftp_record rec;
    esm_gftp_pos pos;
    esm_ld_error err;
    esm_ld_code rc;
    uint64_t last_end = 0;
    while ((rc = esm_gftp_reader_next(r, &rec, NULL, &pos, &err)) != ESM_LD_END) {
        assert_int_not_equal(rc, ESM_LD_MORE);
        assert_true(pos.begin >= last_end && pos.end > pos.begin && pos.end <= len);
        last_end = pos.end;
        if (rc != ESM_LD_OK) {
            assert_int_equal(err.code, rc);
            assert_true(strlen(err.msg) > 0);
            o.errors++;
            continue;
        }
        o.lines_ok++;
        if (!esm_gftp_record_is_transfer(&rec)) {
            esm_gftp_record_clear(&rec);
            continue;
        }
        o.transfers++;
        char line[8192];
        size_t ll = pos.end - pos.begin;
        memcpy(line, text + pos.begin, ll);
        while (ll && (line[ll - 1] == '\n' || line[ll - 1] == '\r' || line[ll - 1] == ' '))
            ll--;
        line[ll] = '\0';
        if (skipped_by_resolver(exp, line)) {
            esm_gftp_record_clear(&rec);
            continue;
        }
        if (pi >= np) {   /* past the point where the original crashed */
            assert_true(o.original_crashed);
            esm_gftp_record_clear(&rec);
            continue;
        }
        json_t *mp = json_array_get(posts, pi);
        assert_string_equal(op_of(mp), "metadata");
        json_t *md = json_object_get(mp, "payload");
        int retr = rec.type == ESM_GFTP_TYPE_RETR;
        expect_str(md, "input-source", retr ? rec.host : rec.dest);
        expect_str(md, "input-destination", retr ? rec.dest : rec.host);
        expect_str(md, retr ? "destination" : "source", rec.dest);
        expect_str(md, "gridftp-program", rec.prog);
        expect_int(md, "bw-parallel-streams", rec.have & ESM_GFTP_HAVE_STREAMS, rec.streams);
        expect_int(md, "bw-stripes", rec.have & ESM_GFTP_HAVE_STRIPES, rec.stripes);
        expect_int(md, "gridftp-block-size", rec.have & ESM_GFTP_HAVE_BLOCK, rec.block);
        expect_int(md, "tcp-window-size", rec.have & ESM_GFTP_HAVE_BUFFER, rec.buffer);
        expect_int(md, "gridftp-bytes-transferred", rec.have & ESM_GFTP_HAVE_NBYTES, rec.nbytes);
        if (with_fnv) {
            expect_str(md, "gridftp-file", rec.file);
            expect_str(md, "gridftp-user", rec.user);
            expect_str(md, "gridftp-volume", rec.volume);
        }
        json_t *dp = json_array_get(posts, pi + 1);
        if (!dp) {   /* metadata posted, then the original crashed on this record */
            assert_true(o.original_crashed);
            pi++;
            esm_gftp_record_clear(&rec);
            continue;
        }
        int success = (rec.have & ESM_GFTP_HAVE_CODE) && rec.code == 226;
        if (success) {
            assert_string_equal(op_of(dp), "bulk-put");
            assert_int_equal(bulk_ts(dp), rec.start.sec);
            double bps;
            json_t *tp = bulk_val(dp, "throughput");
            if (esm_gftp_throughput(rec.nbytes, esm_gftp_duration_us(&rec.start, &rec.end), &bps) == 0) {
                assert_non_null(tp);
                if (json_real_value(tp) != bps)
                    fail_msg("%s: throughput %.17g, original %.17g", sample, bps, json_real_value(tp));
            } else {
                assert_null(tp);
            }
            json_t *rt = bulk_val(dp, "streams-packet-retransmits");
            assert_non_null(rt);
            assert_int_equal(json_array_size(rt), rec.n_retrans);
            for (size_t k = 0; k < rec.n_retrans; k++)
                assert_int_equal(json_integer_value(json_array_get(rt, k)), rec.retrans[k]);
        } else {
            assert_string_equal(op_of(dp), "event-post");
            json_t *pl = json_object_get(dp, "point");
            assert_string_equal(json_string_value(json_object_get(dp, "event_type")), "failures");
            assert_int_equal(json_integer_value(json_object_get(pl, "ts")), rec.start.sec);
            char want[160];
            const char *t = (rec.have & ESM_GFTP_HAVE_CODE) ? esm_gftp_code_text(rec.code) : NULL;
            if (rec.have & ESM_GFTP_HAVE_CODE)
                snprintf(want, sizeof want, "%lld %s", rec.code, t ? t : "None");
            else
                snprintf(want, sizeof want, "None None");
            assert_string_equal(json_string_value(json_object_get(json_object_get(pl, "val"), "error")), want);
        }
        pi += 2;
        o.matched++;
        esm_gftp_record_clear(&rec);
    }
    o.posts_left = np - pi;
    if (!o.original_crashed)
        assert_int_equal(o.posts_left, 0);
    esm_gftp_reader_free(r);
    json_decref(exp);
    free(text);
    return o;
}

/* per sample: records the original posted and we match, parsed lines, transfers, errors */
static const struct {
    const char *sample, *expected;
    int fnv;
    size_t matched, lines_ok, transfers, errors;
} NL[] = {
    {"esnet-doc-retr-5streams.log", "esnet-doc-retr-5streams.json", 0, 1, 1, 1, 0},
    {"jasonalt-syslog-transfer-stats.log", "jasonalt-syslog-transfer-stats.json", 0, 0, 2, 2, 0},
    {"malformed-bad-date.log", "malformed-bad-date.json", 0, 1, 1, 1, 1},
    {"malformed-binary-garbage.log", "malformed-binary-garbage.json", 0, 1, 2, 2, 1},
    {"malformed-equals-in-filename.log", "malformed-equals-in-filename.json", 0, 1, 2, 2, 0},
    {"malformed-missing-code.log", "malformed-missing-code.json", 0, 2, 2, 2, 0},
    {"malformed-missing-start.log", "malformed-missing-start.json", 0, 1, 1, 1, 1},
    {"malformed-non-numeric-nbytes.log", "malformed-non-numeric-nbytes.json", 0, 1, 1, 1, 1},
    {"malformed-space-in-filename.log", "malformed-space-in-filename.json", 0, 1, 2, 2, 0},
    {"malformed-truncated-lines.log", "malformed-truncated-lines.json", 0, 3, 4, 3, 0},
    {"malformed-truncated-no-newline.log", "malformed-truncated-no-newline.json", 0, 1, 2, 1, 0},
    {"malformed-truncated-retrans.log", "malformed-truncated-retrans.json", 0, 1, 1, 1, 1},
    {"nersc-pytokio-globuslogs.log", "nersc-pytokio-globuslogs.json", 0, 5, 11, 11, 0},
    {"synthetic-edge-cases.log", "synthetic-edge-cases.json", 0, 10, 15, 10, 0},
    {"synthetic-failures.log", "synthetic-failures.json", 0, 7, 7, 7, 0},
    {"synthetic-success.log", "synthetic-success.json", 0, 5, 6, 6, 0},
    {"synthetic-success.log", "synthetic-success.with-F-N-V.json", 1, 5, 6, 6, 0},
};

static void test_netlogger_samples(void **state)
{
    (void)state;
    size_t n;
    char **logs = list_dir(SAMPLES "/gridftp/netlogger", ".log", &n);
    /* every sample file is in the table */
    for (size_t i = 0; i < n; i++) {
        int found = 0;
        for (size_t k = 0; k < sizeof NL / sizeof NL[0]; k++)
            found |= strcmp(NL[k].sample, logs[i]) == 0;
        if (!found)
            fail_msg("sample %s has no test entry", logs[i]);
    }
    free_list(logs);
    int bad = 0;
    for (size_t k = 0; k < sizeof NL / sizeof NL[0]; k++) {
        outcome o = run_netlogger(NL[k].sample, NL[k].expected, NL[k].fnv);
        if (o.matched != NL[k].matched || o.lines_ok != NL[k].lines_ok ||
            o.transfers != NL[k].transfers || o.errors != NL[k].errors)
            print_message("MISMATCH %s: matched %zu ok %zu transfers %zu errors %zu\n", NL[k].expected, o.matched,
                     o.lines_ok, o.transfers, o.errors), bad++;
    }
    assert_int_equal(bad, 0);
}

static void parse_ok(const char *line, esm_gftp_record *rec)
{
    esm_ld_error err;
    esm_ld_code rc = esm_gftp_parse_line(line, strlen(line), rec, &err);
    if (rc != ESM_LD_OK)
        fail_msg("'%s': %s", line, err.msg);
}

static void parse_err(const char *line, size_t len, esm_ld_code want, const char *msgpart)
{
    esm_gftp_record rec;
    esm_ld_error err;
    assert_int_equal(esm_gftp_parse_line(line, len, &rec, &err), want);
    assert_int_equal(err.code, want);
    if (!strstr(err.msg, msgpart))
        fail_msg("message '%s' lacks '%s'", err.msg, msgpart);
    assert_null(rec.host);
}

static void test_netlogger_fields(void **state)
{
    (void)state;
    esm_gftp_record rec;
    parse_ok("DATE=20190731073326.591277 HOST=dtn11.nersc.gov PROG=globus-gridftp-server "
             "NL.EVNT=FTP_INFO START=20190731073323.935428 USER=glock FILE=/a/wrf1hr=d03_2015 "
             "04-25_00:00:00 BUFFER=235104 BLOCK=262144 NBYTES=3064334152 VOLUME=/ STREAMS=4 "
             "STRIPES=1 DEST=[2001:DB8:20::5] TYPE=STOR CODE=226 TASKID=none retrans=1,-1,0,3\r\n",
             &rec);
    assert_string_equal(rec.file, "/a/wrf1hr=d03_2015 04-25_00:00:00");
    assert_string_equal(rec.dest, "2001:DB8:20::5");
    assert_string_equal(rec.dest_raw, "[2001:DB8:20::5]");
    assert_int_equal(rec.dest_family, 6);
    assert_int_equal(rec.type, ESM_GFTP_TYPE_STOR);
    assert_string_equal(rec.nl_evnt, "FTP_INFO");
    assert_string_equal(rec.taskid, "none");
    assert_int_equal(rec.nbytes, 3064334152LL);
    assert_int_equal(rec.start.sec, 1564558403);
    assert_int_equal(rec.start.usec, 935428);
    assert_int_equal(rec.end.usec, 591277);
    assert_int_equal(rec.n_retrans, 4);
    assert_int_equal(rec.retrans[1], -1);
    assert_int_equal(esm_gftp_duration_us(&rec.start, &rec.end), 2655849);
    esm_gftp_record_clear(&rec);

    /* syslog prefix and the logger module's quoted FILE / SHARE fields */
    parse_ok("Aug 7 14:31:21 h globus-gridftp-server[1]: Transfer stats: DATE=20140807193121.219285 "
             "HOST=h PROG=p START=20140807193120.328202 USER=u SHARE=0 SHAREE=none "
             "FILE=\"/x y/z\" NBYTES=5 DEST=[1.2.3.4] TYPE=RETR CODE=226 ", &rec);
    assert_true(rec.syslog_prefix);
    assert_string_equal(rec.file, "/x y/z");
    assert_string_equal(rec.user, "u");
    assert_int_equal(rec.dest_family, 4);
    assert_false(rec.have & ESM_GFTP_HAVE_RETRANS);
    esm_gftp_record_clear(&rec);

    /* pre-2009 unpadded fraction: flagged, read right-padded as the original */
    parse_ok("DATE=20070215110703.2102 START=20070215110703.000000 NBYTES=1 TYPE=RETR", &rec);
    assert_true(rec.end.short_fraction);
    assert_int_equal(rec.end.usec, 210200);
    esm_gftp_record_clear(&rec);

    /* wu-ftpd DEST form is not an address */
    parse_ok("DATE=20070215110703.2 START=20070215110703.1 NBYTES=1 DEST=1[1.2.3.4] TYPE=RETR CODE=227", &rec);
    assert_int_equal(rec.dest_family, 0);
    assert_string_equal(esm_gftp_code_text(rec.code), "Entering Passive Mode (h1,h2,h3,h4,p1,p2).");
    esm_gftp_record_clear(&rec);

    /* records without TYPE are fine (the loader skips them) */
    parse_ok("DATE=20150910183256.123456 HOST=dtn1 PROG=globus", &rec);
    assert_false(esm_gftp_record_is_transfer(&rec));
    esm_gftp_record_clear(&rec);

    parse_err("", 0, ESM_LD_ESYNTAX, "empty");
    parse_err("   \r", 4, ESM_LD_ESYNTAX, "empty");
    parse_err("\0\0\0\0", 4, ESM_LD_ESYNTAX, "binary");
    parse_err("hello world", 11, ESM_LD_ESYNTAX, "no KEY=value");
    parse_err("junk DATE=20150910183256.123456", 31, ESM_LD_ESYNTAX, "before the first field");
    parse_err("DATE=2015-09-10T18:32:56Z TYPE=RETR", 35, ESM_LD_EVALUE, "DATE");
    parse_err("DATE=20150230183256.1 TYPE=RETR", 31, ESM_LD_EVALUE, "DATE");
    parse_err("DATE=20150910183256.1234567", 27, ESM_LD_EVALUE, "DATE");
    parse_err("NBYTES=1G", 9, ESM_LD_EVALUE, "NBYTES");
    parse_err("NBYTES=99999999999999999999", 27, ESM_LD_EVALUE, "NBYTES");
    parse_err("retrans=12,", 11, ESM_LD_EVALUE, "retrans");
    parse_err("DATE=20150910183256.1 NBYTES=1 TYPE=RETR", 40, ESM_LD_EMISSING, "START");
    assert_null(esm_gftp_code_text(999));
}

/* ---- JSON style ---- */

static void expect_json_text(json_t *want, const char *have, const char *what)
{
    json_error_t je;
    json_t *h = json_loads(have, 0, &je);
    assert_non_null(h);
    if (!json_equal(h, want)) {
        char *w = json_dumps(want, JSON_COMPACT);
        fail_msg("%s differs: ours %s, original %s", what, have, w);
    }
    json_decref(h);
}

typedef struct {
    const char *sample, *expected;
    int nv;
    size_t matched, records, transfers, errors;
} jcase;

static const jcase JS[] = {
    {"malformed-missing-end-timestamp.log", "malformed-missing-end-timestamp.json", 0, 1, 1, 1, 1},
    {"malformed-nbytes-string.log", "malformed-nbytes-string.json", 0, 1, 1, 1, 1},
    {"malformed-split-record.log", "malformed-split-record.json", 0, 2, 2, 2, 2},
    {"malformed-stream-without-stripe.log", "malformed-stream-without-stripe.json", 0, 1, 2, 2, 0},
    {"malformed-truncated-last-line.log", "malformed-truncated-last-line.json", 0, 1, 1, 1, 1},
    {"synthetic-cmd-type-eret.log", "synthetic-cmd-type-eret.json", 0, 1, 3, 3, 0},
    {"synthetic-edge-cases.log", "synthetic-edge-cases.json", 0, 6, 7, 6, 1},
    {"synthetic-transfer-end.log", "synthetic-transfer-end.json", 0, 5, 6, 5, 0},
    {"synthetic-transfer-end.log", "synthetic-transfer-end.with-N-V.json", 1, 5, 6, 5, 0},
    {"synthetic-transfer-end.log", "synthetic-transfer-end.with-F.json", 0, 0, 6, 5, 0},
};

static void run_json(const jcase *c, int *bad)
{
    char path[512];
    size_t len = 0;
    snprintf(path, sizeof path, SAMPLES "/gridftp/json/%s", c->sample);
    char *text = slurp(path, &len);
    assert_non_null(text);
    snprintf(path, sizeof path, SAMPLES "/expected/gridftp-json/%s", c->expected);
    json_error_t je;
    json_t *exp = json_load_file(path, 0, &je);
    assert_non_null(exp);
    json_t *posts = json_object_get(exp, "posts");
    size_t pi = 0, np = json_array_size(posts);
    int crashed = json_integer_value(json_object_get(exp, "exit_status")) != 0, aborted = 0;
    size_t matched = 0, records = 0, transfers = 0, errors = 0;

    esm_gftp_reader *r = esm_gftp_reader_new(ESM_GFTP_JSON, 1000);
    for (size_t off = 0; off < len; off += 101)
        assert_int_equal(esm_gftp_reader_feed(r, text + off, len - off < 101 ? len - off : 101), ESM_LD_OK);
    esm_gftp_reader_finish(r);
    esm_gftp_json_record rec;
    esm_gftp_pos pos;
    esm_ld_error err;
    esm_ld_code rc;
    while ((rc = esm_gftp_reader_next(r, NULL, &rec, &pos, &err)) != ESM_LD_END) {
        assert_true(pos.begin >= 1000 && pos.end <= 1000 + len);
        if (rc != ESM_LD_OK) {
            assert_true(strlen(err.msg) > 0);
            errors++;
            continue;
        }
        records++;
        if (!rec.event_type || strcmp(rec.event_type, "Transfer-End") != 0) {
            esm_gftp_json_record_clear(&rec);
            continue;
        }
        transfers++;
        if (aborted || pi >= np) {
            assert_true(crashed || aborted || pi == np);
            esm_gftp_json_record_clear(&rec);
            continue;
        }
        json_t *mp = json_array_get(posts, pi);
        if (!esm_gftp_json_is_transfer(&rec)) {
            /* ERET etc.: the original's metadata was refused and it stopped the run */
            assert_string_equal(op_of(mp), "metadata-rejected");
            aborted = 1;
            pi++;
            esm_gftp_json_record_clear(&rec);
            continue;
        }
        assert_string_equal(op_of(mp), "metadata");
        json_t *md = json_object_get(mp, "payload");
        int retr = strcmp(rec.cmd_type, "RETR") == 0;
        expect_str(md, "source", retr ? rec.host : rec.dest);
        expect_str(md, "destination", retr ? rec.dest : rec.host);
        expect_str(md, "input-source", retr ? rec.host : rec.dest);
        expect_str(md, "measurement-agent", rec.host);
        expect_str(md, "gridftp-program", rec.prog);
        expect_int(md, "bw-parallel-streams", rec.nstreams.kind == ESM_NUM_INT, rec.nstreams.i);
        expect_int(md, "bw-stripes", 1, rec.stripes);
        expect_int(md, "gridftp-block-size", rec.globus_blocksize.kind == ESM_NUM_INT, rec.globus_blocksize.i);
        expect_int(md, "tcp-window-size", rec.tcp_bufsize.kind == ESM_NUM_INT, rec.tcp_bufsize.i);
        expect_int(md, "gridftp-bytes-transferred", 1, rec.nbytes.i);
        if (c->nv) {
            expect_str(md, "gridftp-user", rec.user);
            expect_str(md, "gridftp-volume", rec.volume);
        }
        json_t *dp = json_array_get(posts, pi + 1);
        if (!dp) {
            assert_true(crashed);
            pi++;
            esm_gftp_json_record_clear(&rec);
            continue;
        }
        assert_string_equal(op_of(dp), "bulk-put");
        assert_int_equal(bulk_ts(dp), rec.start.sec);
        double bps;
        json_t *tp = bulk_val(dp, "throughput");
        if (esm_gftp_throughput(rec.nbytes.i, esm_gftp_duration_us(&rec.start, &rec.end), &bps) == 0) {
            assert_non_null(tp);
            if (json_real_value(tp) != bps)
                fail_msg("%s: throughput %.17g, original %.17g", c->sample, bps, json_real_value(tp));
        } else {
            assert_null(tp);
        }
        json_t *rt = bulk_val(dp, "streams-packet-retransmits");
        assert_int_equal(json_array_size(rt), rec.n_streams);
        for (size_t k = 0; k < rec.n_streams; k++) {
            json_t *x = num_json(&rec.retrans[k]);
            assert_true(json_equal(x, json_array_get(rt, k)));
            json_decref(x);
        }
        expect_json_text(bulk_val(dp, "iostat"), rec.iostat, "iostat");
        expect_json_text(bulk_val(dp, "mpstat"), rec.mpstat, "mpstat");
        expect_json_text(bulk_val(dp, "rusage"), rec.rusage, "rusage");
        expect_json_text(bulk_val(dp, "streams-tcpinfo"), rec.streams_tcpinfo, "streams-tcpinfo");
        pi += 2;
        matched++;
        esm_gftp_json_record_clear(&rec);
    }
    if (!crashed)
        assert_int_equal(pi, np);
    if (matched != c->matched || records != c->records || transfers != c->transfers ||
        errors != c->errors)
        print_message("MISMATCH %s: matched %zu records %zu transfers %zu errors %zu\n", c->expected, matched,
                 records, transfers, errors), (*bad)++;
    esm_gftp_reader_free(r);
    json_decref(exp);
    free(text);
}

static void test_json_samples(void **state)
{
    (void)state;
    size_t n;
    char **logs = list_dir(SAMPLES "/gridftp/json", ".log", &n);
    for (size_t i = 0; i < n; i++) {
        int found = 0;
        for (size_t k = 0; k < sizeof JS / sizeof JS[0]; k++)
            found |= strcmp(JS[k].sample, logs[i]) == 0;
        if (!found)
            fail_msg("sample %s has no test entry", logs[i]);
    }
    free_list(logs);
    int bad = 0;
    for (size_t k = 0; k < sizeof JS / sizeof JS[0]; k++)
        run_json(&JS[k], &bad);
    assert_int_equal(bad, 0);
}

static void test_json_errors_and_fields(void **state)
{
    (void)state;
    esm_gftp_json_record rec;
    esm_ld_error err;
    assert_int_equal(esm_gftp_json_parse_line("[1,2]", 5, &rec, &err), ESM_LD_EJSON);
    assert_non_null(strstr(err.msg, "not an object"));
    assert_int_equal(esm_gftp_json_parse_line("{\"a\":", 5, &rec, &err), ESM_LD_EJSON);
    const char *s = "{\"event_type\":\"Transfer-End\",\"start_timestamp\":\"12.5\",\"nbytes\":1}";
    assert_int_equal(esm_gftp_json_parse_line(s, strlen(s), &rec, &err), ESM_LD_EMISSING);
    assert_non_null(strstr(err.msg, "end_timestamp"));
    s = "{\"event_type\":\"Transfer-End\",\"start_timestamp\":\"x\",\"end_timestamp\":1,\"nbytes\":1}";
    assert_int_equal(esm_gftp_json_parse_line(s, strlen(s), &rec, &err), ESM_LD_EVALUE);
    s = "{\"event_type\":\"Transfer-End\",\"start_timestamp\":1441910080.0000005,"
        "\"end_timestamp\":1441910081,\"nbytes\":1,\"host\":\" h\\n\",\"transferID\":7,"
        "\"streams\":[{\"stripe\":3,\"TCPinfo\":{\"Total_Retrans\":1}}],"
        "\"iostat\":{\"Blk_read/s\":1,\"%x\":2}}";
    assert_int_equal(esm_gftp_json_parse_line(s, strlen(s), &rec, &err), ESM_LD_OK);
    assert_string_equal(rec.host, "h");
    assert_string_equal(rec.transfer_id, "7");
    assert_int_equal(rec.stripes, 4);
    assert_int_equal(rec.n_streams, 1);
    assert_int_equal(rec.retrans[0].kind, ESM_NUM_NULL);   /* key is case-sensitive */
    assert_string_equal(rec.iostat, "{\"blk_read_s\":1,\"x\":2}");
    assert_string_equal(rec.mpstat, "{}");
    assert_string_equal(rec.streams_tcpinfo, "[{\"stripe\":3,\"TCPinfo\":{\"total_retrans\":1}}]");
    assert_int_equal(rec.start.sec, 1441910080);
    esm_gftp_json_record_clear(&rec);
}

/* Byte offsets allow resuming exactly after the last complete record; an
 * unterminated last line is reported as such. */
static void test_reader_resume(void **state)
{
    (void)state;
    const char *a = "DATE=20150910200000.1 START=20150910200000.0 NBYTES=1 TYPE=RETR CODE=226\n";
    const char *b = "DATE=20150910200001.1 START=20150910200001.0 NBYTES=2 TYPE=RETR CODE=226\n";
    const char *c = "DATE=20150910200002.1 START=2015091";
    esm_gftp_reader *r = esm_gftp_reader_new(ESM_GFTP_NETLOGGER, 0);
    esm_gftp_record rec;
    esm_gftp_pos pos;
    esm_ld_error err;
    esm_gftp_reader_feed(r, a, strlen(a));
    esm_gftp_reader_feed(r, b, 10);
    assert_int_equal(esm_gftp_reader_next(r, &rec, NULL, &pos, &err), ESM_LD_OK);
    assert_int_equal(pos.end, strlen(a));
    esm_gftp_record_clear(&rec);
    assert_int_equal(esm_gftp_reader_next(r, &rec, NULL, &pos, &err), ESM_LD_MORE);
    esm_gftp_reader_feed(r, b + 10, strlen(b) - 10);
    esm_gftp_reader_feed(r, c, strlen(c));
    assert_int_equal(esm_gftp_reader_next(r, &rec, NULL, &pos, &err), ESM_LD_OK);
    assert_int_equal(rec.nbytes, 2);
    uint64_t resume = pos.end;
    assert_int_equal(resume, strlen(a) + strlen(b));
    esm_gftp_record_clear(&rec);
    assert_int_equal(esm_gftp_reader_next(r, &rec, NULL, &pos, &err), ESM_LD_MORE);
    esm_gftp_reader_finish(r);
    assert_int_equal(esm_gftp_reader_next(r, &rec, NULL, &pos, &err), ESM_LD_EVALUE);
    assert_false(pos.terminated);
    assert_int_equal(esm_gftp_reader_next(r, &rec, NULL, &pos, &err), ESM_LD_END);
    esm_gftp_reader_free(r);

    /* resume: a new reader starting at the saved offset */
    r = esm_gftp_reader_new(ESM_GFTP_NETLOGGER, resume);
    const char *d = "DATE=20150910200003.1 START=20150910200003.0 NBYTES=3 TYPE=STOR\n";
    esm_gftp_reader_feed(r, d, strlen(d));
    esm_gftp_reader_finish(r);
    assert_int_equal(esm_gftp_reader_next(r, &rec, NULL, &pos, &err), ESM_LD_OK);
    assert_int_equal(pos.begin, resume);
    assert_int_equal(pos.end, resume + strlen(d));
    esm_gftp_record_clear(&rec);
    esm_gftp_reader_free(r);
}

/* Large inputs: many records and a huge line, fed in 64 KiB chunks. */
static void test_reader_large(void **state)
{
    (void)state;
    const char *a = "DATE=20150910200000.1 START=20150910200000.0 USER=u FILE=/a b=c d NBYTES=1 TYPE=RETR CODE=226\n";
    size_t al = strlen(a), count = 200000;
    esm_gftp_reader *r = esm_gftp_reader_new(ESM_GFTP_NETLOGGER, 0);
    char *chunk = malloc(al * 700);
    for (size_t i = 0; i < 700; i++)
        memcpy(chunk + i * al, a, al);
    size_t got = 0, fed = 0;
    esm_gftp_record rec;
    esm_gftp_pos pos;
    esm_ld_error err;
    while (fed < count) {
        esm_gftp_reader_feed(r, chunk, al * 700);
        fed += 700;
        while (esm_gftp_reader_next(r, &rec, NULL, &pos, &err) == ESM_LD_OK) {
            got++;
            esm_gftp_record_clear(&rec);
        }
    }
    /* one 1 MiB line of junk: reported as too long, then parsing continues */
    char *big = malloc(1 << 20);
    memset(big, 'x', 1 << 20);
    esm_gftp_reader_feed(r, big, 1 << 20);
    esm_gftp_reader_feed(r, "\n", 1);
    esm_gftp_reader_feed(r, a, al);
    esm_gftp_reader_finish(r);
    assert_int_equal(esm_gftp_reader_next(r, &rec, NULL, &pos, &err), ESM_LD_ETOOLONG);
    assert_int_equal(pos.end - pos.begin, (1 << 20) + 1);
    assert_int_equal(esm_gftp_reader_next(r, &rec, NULL, &pos, &err), ESM_LD_OK);
    assert_string_equal(rec.file, "/a b=c d");
    esm_gftp_record_clear(&rec);
    assert_int_equal(esm_gftp_reader_next(r, &rec, NULL, &pos, &err), ESM_LD_END);
    assert_int_equal(got, fed);
    free(big);
    free(chunk);
    esm_gftp_reader_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_netlogger_samples),
        cmocka_unit_test(test_netlogger_fields),
        cmocka_unit_test(test_json_samples),
        cmocka_unit_test(test_json_errors_and_fields),
        cmocka_unit_test(test_reader_resume),
        cmocka_unit_test(test_reader_large),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
