/* bwctl transcript / iperf3 -J / pScheduler throughput result parser. */
#include "bwctl_output.h"

#include <jansson.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

static int is_ws(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

static int starts(const char *s, size_t n, const char *p)
{
    size_t pl = strlen(p);
    return n >= pl && memcmp(s, p, pl) == 0;
}

static int ends(const char *s, size_t n, const char *p)
{
    size_t pl = strlen(p);
    return n >= pl && memcmp(s + n - pl, p, pl) == 0;
}

void esm_bw_result_clear(esm_bw_result *res)
{
    if (!res)
        return;
    free(res->tool_name);
    free(res->input_source);
    free(res->input_destination);
    free(res->source);
    free(res->destination);
    free(res->protocol);
    for (size_t i = 0; i < res->n_intervals; i++)
        free(res->intervals[i].streams);
    free(res->intervals);
    free(res->stream_retransmits);
    free(res->stream_throughput);
    free(res->tool_error);
    memset(res, 0, sizeof *res);
}

/* ---------- JSON value helpers ---------- */

static json_t *path(json_t *v, const char *a, const char *b, const char *c)
{
    v = json_object_get(v, a);
    if (b)
        v = json_object_get(v, b);
    if (c)
        v = json_object_get(v, c);
    return v;
}

/* Number as the original passed it on: missing or non-number -> null. */
static esm_num num(json_t *v)
{
    esm_num n = {ESM_NUM_NULL, 0, 0};
    if (json_is_integer(v)) {
        n.kind = ESM_NUM_INT;
        n.i = json_integer_value(v);
        n.d = (double)n.i;
    } else if (json_is_real(v)) {
        n.kind = ESM_NUM_REAL;
        n.d = json_real_value(v);
    }
    return n;
}

/* A rate (bits per second): a number, null or missing. A string or a negative
 * value is refused, the first one found named in err and *rc: the original
 * dropped the one silently and stored the other. */
static esm_num rate(json_t *v, const char *name, esm_ld_code *rc, esm_ld_error *err)
{
    esm_num n = num(v);
    bool text = v && !json_is_null(v) && !json_is_number(v);
    if ((text || (n.kind != ESM_NUM_NULL && n.d < 0)) && *rc == ESM_LD_OK) {
        *rc = ESM_LD_EVALUE;
        if (text)
            esm_ld_set_error(err, ESM_LD_EVALUE, "%s is not a number", name);
        else
            esm_ld_set_error(err, ESM_LD_EVALUE, "%s is negative (%g)", name, n.d);
    }
    return n;
}

static esm_num num_opt(json_t *v)   /* ABSENT when missing */
{
    esm_num n = num(v);
    if (!v)
        n.kind = ESM_NUM_ABSENT;
    return n;
}

static char *str_dup(json_t *v)
{
    return json_is_string(v) ? esm_ld_strndup(json_string_value(v), json_string_length(v)) : NULL;
}

/* ---------- iperf3 document ---------- */

static esm_ld_code fill_iperf3(json_t *doc, esm_bw_result *res, esm_ld_error *err)
{
    esm_ld_code bad = ESM_LD_OK; /* the first refused rate */
    json_t *start = json_object_get(doc, "start");
    json_t *end = json_object_get(doc, "end");
    json_t *ts = path(start, "test_start", NULL, NULL);
    json_t *errv = json_object_get(doc, "error");
    if (json_is_string(errv) && !(res->tool_error = str_dup(errv)))
        goto nomem;
    res->receiver_side = json_object_get(start, "accepted_connection") != NULL;
    json_t *c0 = json_array_get(json_object_get(start, "connected"), 0);
    if (json_is_object(c0)) {
        res->source = str_dup(json_object_get(c0, "local_host"));
        res->destination = str_dup(json_object_get(c0, "remote_host"));
    }
    res->ts = num_opt(path(start, "timestamp", "timesecs", NULL));
    res->duration = num(json_object_get(ts, "duration"));
    res->num_streams = num_opt(json_object_get(ts, "num_streams"));
    res->omit = num(json_object_get(ts, "omit"));
    res->protocol = str_dup(json_object_get(ts, "protocol"));
    if (res->tool_error) {
        esm_ld_set_error(err, ESM_LD_ETOOL, "iperf3 failed: %s", res->tool_error);
        return ESM_LD_ETOOL;
    }
    if (!res->source || !res->destination) {
        esm_ld_set_error(err, ESM_LD_EMISSING, "iperf3 JSON lacks start.connected[0] hosts");
        return ESM_LD_EMISSING;
    }
    if (res->ts.kind != ESM_NUM_INT) {
        esm_ld_set_error(err, ESM_LD_EMISSING, "iperf3 JSON lacks start.timestamp.timesecs");
        return ESM_LD_EMISSING;
    }
    if (res->num_streams.kind != ESM_NUM_INT || res->num_streams.i < 1) {
        esm_ld_set_error(err, ESM_LD_EMISSING, "iperf3 JSON lacks start.test_start.num_streams");
        return ESM_LD_EMISSING;
    }
    if (!res->protocol) {
        esm_ld_set_error(err, ESM_LD_EMISSING, "iperf3 JSON lacks start.test_start.protocol");
        return ESM_LD_EMISSING;
    }
    if (strcmp(res->protocol, "UDP") == 0) {
        res->udp = 1;
    } else if (strcmp(res->protocol, "TCP") != 0) {
        esm_ld_set_error(err, ESM_LD_EUNSUPPORTED, "protocol '%.32s' is neither TCP nor UDP",
                         res->protocol);
        return ESM_LD_EUNSUPPORTED;
    }
    if (res->udp) {
        json_t *sum = json_object_get(end, "sum");
        res->throughput = rate(json_object_get(sum, "bits_per_second"), "end.sum.bits_per_second", &bad, err);
        res->lost = num_opt(json_object_get(sum, "lost_packets"));
        res->sent = num_opt(json_object_get(sum, "packets"));
        res->jitter_ms = num_opt(json_object_get(sum, "jitter_ms"));
        res->retransmits.kind = ESM_NUM_ABSENT;
    } else {
        res->throughput = rate(path(end, "sum_received", "bits_per_second", NULL), "end.sum_received.bits_per_second", &bad, err);
        res->retransmits = num(path(end, "sum_sent", "retransmits", NULL));
    }
    json_t *ivs = json_object_get(doc, "intervals");
    size_t ni = json_is_array(ivs) ? json_array_size(ivs) : 0;
    if (ni && !(res->intervals = calloc(ni, sizeof *res->intervals)))
        goto nomem;
    res->n_intervals = ni;
    for (size_t i = 0; i < ni; i++) {
        json_t *iv = json_array_get(ivs, i), *sum = json_object_get(iv, "sum");
        esm_bw_interval *o = &res->intervals[i];
        o->throughput.start = o->retransmits.start = num(json_object_get(sum, "start"));
        o->throughput.duration = o->retransmits.duration = num(json_object_get(sum, "seconds"));
        o->throughput.val = rate(json_object_get(sum, "bits_per_second"), "intervals[].sum.bits_per_second", &bad, err);
        o->retransmits.val = num(json_object_get(sum, "retransmits"));
        o->omitted = json_is_true(json_object_get(sum, "omitted"));
        json_t *sts = json_object_get(iv, "streams");
        size_t ns = json_is_array(sts) ? json_array_size(sts) : 0;
        if (ns && !(o->streams = calloc(ns, sizeof *o->streams)))
            goto nomem;
        o->n_streams = ns;
        for (size_t k = 0; k < ns; k++) {
            json_t *st = json_array_get(sts, k);
            o->streams[k].start = num(json_object_get(st, "start"));
            o->streams[k].duration = num(json_object_get(st, "seconds"));
            o->streams[k].throughput = rate(json_object_get(st, "bits_per_second"), "intervals[].streams[].bits_per_second", &bad, err);
            o->streams[k].retransmits = num(json_object_get(st, "retransmits"));
        }
    }
    json_t *es = json_object_get(end, "streams");
    size_t ne = json_is_array(es) ? json_array_size(es) : 0;
    if (ne && (!(res->stream_retransmits = calloc(ne, sizeof(esm_num))) ||
               !(res->stream_throughput = calloc(ne, sizeof(esm_num)))))
        goto nomem;
    res->n_streams = ne;
    for (size_t k = 0; k < ne; k++) {
        json_t *st = json_array_get(es, k);
        res->stream_retransmits[k] = num(path(st, "sender", "retransmits", NULL));
        /* UDP stream summaries have only "udp" (the original crashed on them) */
        json_t *recv = json_object_get(st, "receiver");
        res->stream_throughput[k] = rate(json_object_get(recv ? recv : json_object_get(st, "udp"), "bits_per_second"),
                                         "end.streams[].bits_per_second", &bad, err);
    }
    return bad;
nomem:
    esm_ld_set_error(err, ESM_LD_ENOMEM, "out of memory");
    return ESM_LD_ENOMEM;
}

/* ---------- pScheduler ---------- */

static int digits2(const char *s, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 0;
}

static long long days_from_civil(long long y, unsigned m, unsigned d)
{
    y -= m <= 2;
    long long era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (long long)doe - 719468;
}

/* "YYYY-MM-DDTHH:MM:SS[.fff](Z|+HH:MM|-HH:MM)" -> integer epoch seconds. */
static int iso_time(const char *s, long long *out)
{
    int Y, M, D, h, m, sec;
    size_t n = strlen(s);
    if (n < 19 || digits2(s, 4, &Y) || s[4] != '-' || digits2(s + 5, 2, &M) || s[7] != '-' ||
        digits2(s + 8, 2, &D) || (s[10] != 'T' && s[10] != ' ') || digits2(s + 11, 2, &h) ||
        s[13] != ':' || digits2(s + 14, 2, &m) || s[16] != ':' || digits2(s + 17, 2, &sec))
        return -1;
    if (M < 1 || M > 12 || D < 1 || D > 31 || h > 23 || m > 59 || sec > 60)
        return -1;
    const char *p = s + 19;
    if (*p == '.')
        for (p++; *p >= '0' && *p <= '9'; p++)
            ;
    long long off = 0;
    if (*p == 'Z') {
        p++;
    } else if (*p == '+' || *p == '-') {
        int oh, om;
        if (strlen(p) < 6 || digits2(p + 1, 2, &oh) || p[3] != ':' || digits2(p + 4, 2, &om))
            return -1;
        off = (oh * 3600 + om * 60) * (*p == '-' ? -1 : 1);
        p += 6;
    }
    if (*p)
        return -1;
    *out = days_from_civil(Y, (unsigned)M, (unsigned)D) * 86400 + h * 3600 + m * 60 + sec - off;
    return 0;
}

/* ISO 8601 duration "PnDTnHnMnS" (fractions allowed on seconds) -> seconds. */
static int iso_duration(const char *s, esm_num *out)
{
    const char *p = s;
    double total = 0;
    int in_time = 0, any = 0;
    if (*p++ != 'P')
        return -1;
    while (*p) {
        if (*p == 'T') {
            in_time = 1;
            p++;
            continue;
        }
        char *e;
        double v = strtod(p, &e);
        if (e == p || v < 0)
            return -1;
        switch (*e) {
        case 'W': total += v * 604800; break;
        case 'D': total += v * 86400; break;
        case 'H': if (!in_time) return -1; total += v * 3600; break;
        case 'M': if (!in_time) return -1; total += v * 60; break;
        case 'S': if (!in_time) return -1; total += v; break;
        default: return -1;
        }
        any = 1;
        p = e + 1;
    }
    if (!any)
        return -1;
    if (total == floor(total) && total < 9e15) {
        out->kind = ESM_NUM_INT;
        out->i = (long long)total;
    } else {
        out->kind = ESM_NUM_REAL;
    }
    out->d = total;
    return 0;
}

static esm_num duration_member(json_t *v)
{
    esm_num n = num_opt(v);
    if (json_is_string(v) && iso_duration(json_string_value(v), &n) != 0)
        n.kind = ESM_NUM_NULL;
    return n;
}

static int by_stream_id(const void *a, const void *b)
{
    json_t *x = json_object_get(*(json_t *const *)a, "stream-id");
    json_t *y = json_object_get(*(json_t *const *)b, "stream-id");
    if (json_is_number(x) && json_is_number(y)) {
        double p = json_number_value(x), q = json_number_value(y);
        return (p > q) - (p < q);
    }
    if (json_is_string(x) && json_is_string(y))
        return strcmp(json_string_value(x), json_string_value(y));
    return json_is_number(x) ? -1 : json_is_number(y) ? 1 : 0;
}

/* streams sorted by stream-id (stable enough: ids are unique) */
static json_t **sorted_streams(json_t *arr, size_t *n)
{
    *n = json_is_array(arr) ? json_array_size(arr) : 0;
    if (*n == 0)
        return NULL;
    json_t **v = malloc(*n * sizeof *v);
    if (!v)
        return NULL;
    for (size_t i = 0; i < *n; i++)
        v[i] = json_array_get(arr, i);
    qsort(v, *n, sizeof *v, by_stream_id);
    return v;
}

static esm_num span(json_t *d)
{
    esm_num s = num(json_object_get(d, "start")), e = num(json_object_get(d, "end")), r = {0};
    if (esm_num_present(&s) && esm_num_present(&e)) {
        r.kind = ESM_NUM_REAL;
        r.d = e.d - s.d;
    } else {
        r.kind = ESM_NUM_NULL;
    }
    return r;
}

static esm_ld_code fill_pscheduler(json_t *root, esm_bw_result *res, esm_ld_error *err)
{
    esm_ld_code bad = ESM_LD_OK; /* the first refused rate */
    json_t *result = json_object_get(root, "result");
    if (!json_is_object(result))
        result = root;   /* bare result */
    json_t *spec = path(root, "test", "spec", NULL);
    res->format = ESM_BW_PSCHEDULER;
    res->tool_name = str_dup(path(root, "tool", "name", NULL));
    json_t *src = json_object_get(spec, "source");
    if (!src)
        src = json_array_get(json_object_get(root, "participants"), 0);
    res->input_source = str_dup(src);
    res->input_destination = str_dup(json_object_get(spec, "dest"));
    res->source = str_dup(src);
    res->destination = str_dup(json_object_get(spec, "dest"));
    res->input_origin = ESM_BW_ADDR_SPEC;
    res->udp = json_is_true(json_object_get(spec, "udp"));
    res->protocol = esm_ld_strndup(res->udp ? "udp" : "tcp", 3);
    res->receiver_side = json_is_true(json_object_get(spec, "reverse"));
    long long t;
    json_t *sstart = path(root, "schedule", "start", NULL);
    if (json_is_string(sstart) && iso_time(json_string_value(sstart), &t) == 0) {
        res->ts.kind = ESM_NUM_INT;
        res->ts.i = t;
        res->ts.d = (double)t;
    }
    res->duration = duration_member(path(root, "schedule", "duration", NULL));
    if (res->duration.kind < ESM_NUM_INT)
        res->duration = duration_member(json_object_get(spec, "duration"));
    res->num_streams = num_opt(json_object_get(spec, "parallel"));
    if (res->num_streams.kind == ESM_NUM_ABSENT)
        res->num_streams = (esm_num){ESM_NUM_INT, 1, 1.0};
    res->omit = duration_member(json_object_get(spec, "omit"));
    if (!res->protocol)
        goto nomem;
    if (!json_is_true(json_object_get(result, "succeeded"))) {
        json_t *e = json_object_get(result, "error");
        res->tool_error = json_is_string(e) ? str_dup(e) : esm_ld_strndup("run did not succeed", 19);
        if (!res->tool_error)
            goto nomem;
        esm_ld_set_error(err, ESM_LD_ETOOL, "pScheduler run failed: %s", res->tool_error);
        return ESM_LD_ETOOL;
    }
    json_t *sum = path(result, "summary", "summary", NULL);
    res->throughput = rate(json_object_get(sum, "throughput-bits"), "summary.throughput-bits", &bad, err);
    if (res->udp) {
        res->lost = num_opt(json_object_get(sum, "lost"));
        res->sent = num_opt(json_object_get(sum, "sent"));
        res->jitter_ms = num_opt(json_object_get(sum, "jitter"));
        res->retransmits.kind = ESM_NUM_ABSENT;
    } else {
        res->retransmits = num(json_object_get(sum, "retransmits"));
    }
    json_t *ivs = json_object_get(result, "intervals");
    size_t ni = json_is_array(ivs) ? json_array_size(ivs) : 0;
    if (ni && !(res->intervals = calloc(ni, sizeof *res->intervals)))
        goto nomem;
    res->n_intervals = ni;
    for (size_t i = 0; i < ni; i++) {
        json_t *iv = json_array_get(ivs, i), *s = json_object_get(iv, "summary");
        esm_bw_interval *o = &res->intervals[i];
        o->throughput.start = o->retransmits.start = num(json_object_get(s, "start"));
        o->throughput.duration = o->retransmits.duration = span(s);
        o->throughput.val = rate(json_object_get(s, "throughput-bits"), "intervals[].summary.throughput-bits", &bad, err);
        o->retransmits.val = num(json_object_get(s, "retransmits"));
        o->omitted = json_is_true(json_object_get(s, "omitted"));
        size_t ns;
        json_t **sts = sorted_streams(json_object_get(iv, "streams"), &ns);
        if (ns && !sts)
            goto nomem;
        if (ns && !(o->streams = calloc(ns, sizeof *o->streams))) {
            free(sts);
            goto nomem;
        }
        o->n_streams = ns;
        for (size_t k = 0; k < ns; k++) {
            o->streams[k].start = num(json_object_get(sts[k], "start"));
            o->streams[k].duration = span(sts[k]);
            o->streams[k].throughput = rate(json_object_get(sts[k], "throughput-bits"), "intervals[].streams[].throughput-bits", &bad, err);
            o->streams[k].retransmits = num(json_object_get(sts[k], "retransmits"));
        }
        free(sts);
    }
    size_t ne;
    json_t **es = sorted_streams(path(result, "summary", "streams", NULL), &ne);
    if (ne && !es)
        goto nomem;
    if (ne && (!(res->stream_retransmits = calloc(ne, sizeof(esm_num))) ||
               !(res->stream_throughput = calloc(ne, sizeof(esm_num))))) {
        free(es);
        goto nomem;
    }
    res->n_streams = ne;
    for (size_t k = 0; k < ne; k++) {
        res->stream_retransmits[k] = num(json_object_get(es[k], "retransmits"));
        res->stream_throughput[k] = rate(json_object_get(es[k], "throughput-bits"), "summary.streams[].throughput-bits", &bad, err);
    }
    free(es);
    if (res->ts.kind != ESM_NUM_INT) {
        esm_ld_set_error(err, ESM_LD_EMISSING, "pScheduler result lacks schedule.start");
        return ESM_LD_EMISSING;
    }
    if (!res->input_source || !res->input_destination) {
        esm_ld_set_error(err, ESM_LD_EMISSING, "pScheduler result lacks test.spec source/dest");
        return ESM_LD_EMISSING;
    }
    return bad;
nomem:
    esm_ld_set_error(err, ESM_LD_ENOMEM, "out of memory");
    return ESM_LD_ENOMEM;
}

/* ---------- bwctl transcript ---------- */

typedef struct {
    int sender;                 /* 1 SENDER block, 0 RECEIVER/unknown */
    size_t begin, end;          /* tool output region (byte offsets) */
} block;

typedef struct {
    char *tool, *rsrc, *rdst, *lsrc, *ldst, *tsrc, *tdst;
    block blocks[4];
    size_t n_blocks;
    int in_block_sender;
    int open;                   /* inside start_tool..stop_tool */
    int saw_start;
    int strict;                 /* only plain "bwctl: " lines, as the original */
} scan_state;

static void scan_free(scan_state *st)
{
    free(st->tool);
    free(st->rsrc);
    free(st->rdst);
    free(st->lsrc);
    free(st->ldst);
    free(st->tsrc);
    free(st->tdst);
}

static void set_word(char **dst, const char *s, size_t n)
{
    while (n && is_ws((unsigned char)*s)) {
        s++;
        n--;
    }
    size_t w = 0;
    while (w < n && !is_ws((unsigned char)s[w]))
        w++;
    if (w && !*dst)
        *dst = esm_ld_strndup(s, w);
}

/* A bwctl message line: "bwctl: MSG" or "bwctl[pid]: [FILE=x, LINE=n, ]MSG". */
static int bwctl_msg(const char *s, size_t n, const char **msg, size_t *mlen)
{
    size_t i;
    if (starts(s, n, "bwctl: ")) {
        i = 7;
    } else if (starts(s, n, "bwctl[")) {
        const char *c = memchr(s, ']', n);
        if (!c || (size_t)(c - s) + 2 >= n || c[1] != ':')
            return 0;
        i = (size_t)(c - s) + 2;
        while (i < n && s[i] == ' ')
            i++;
        if (starts(s + i, n - i, "FILE=")) {
            const char *l = NULL;
            for (size_t k = i; k + 5 < n; k++)
                if (memcmp(s + k, "LINE=", 5) == 0) {
                    l = s + k;
                    break;
                }
            const char *comma = l ? memchr(l, ',', n - (size_t)(l - s)) : NULL;
            if (!comma)
                return 0;
            i = (size_t)(comma - s) + 1;
            while (i < n && s[i] == ' ')
                i++;
        }
    } else {
        return 0;
    }
    *msg = s + i;
    *mlen = n - i;
    return 1;
}

static void scan_line(scan_state *st, const char *s, size_t n, size_t line_begin, size_t line_end)
{
    const char *m;
    size_t ml;
    size_t tn = n;
    while (tn && is_ws((unsigned char)s[tn - 1]))
        tn--;
    if (!st->open && (starts(s, tn, "SENDER START") || starts(s, tn, "RECEIVER START"))) {
        st->in_block_sender = s[0] == 'S';
        return;
    }
    if (!bwctl_msg(s, tn, &m, &ml) || (st->strict && !starts(s, tn, "bwctl: ")))
        return;
    if (st->open) {
        if (starts(m, ml, "stop_tool:")) {
            st->open = 0;
            if (st->n_blocks < 4)
                { st->blocks[st->n_blocks].end = line_begin; st->n_blocks++; }
        }
        return;
    }
    if (starts(m, ml, "start_tool:")) {
        st->saw_start = 1;
        if (st->n_blocks < 4) {
            st->open = 1;
            st->blocks[st->n_blocks].sender = st->in_block_sender;
            st->blocks[st->n_blocks].begin = line_end;
        }
        return;
    }
    if (starts(m, ml, "Using tool:")) {
        set_word(&st->tool, m + 11, ml - 11);
        return;
    }
    static const char *const tails[] = {" as the address for remote sender",
                                        " as the address for remote receiver",
                                        " as the address for local sender",
                                        " as the address for local receiver"};
    if (starts(m, ml, "Using ")) {
        char **dst[] = {&st->rsrc, &st->rdst, &st->lsrc, &st->ldst};
        for (int k = 0; k < 4; k++)
            if (ends(m, ml, tails[k])) {
                set_word(dst[k], m + 6, ml - 6);
                return;
            }
    }
    if (starts(m, ml, "run_tool: sender:"))
        set_word(&st->tsrc, m + 17, ml - 17);
    else if (starts(m, ml, "run_tool: receiver:"))
        set_word(&st->tdst, m + 19, ml - 19);
}

/* Parse the first JSON value starting at the first line beginning with '{'
 * within [b, e). Returns NULL with *first_line set to the first non-blank line. */
static json_t *json_in(const char *text, size_t b, size_t e, int strict, esm_ld_error *err,
                       esm_ld_code *rc)
{
    size_t p = b, first_nb = e, first_nb_end = e;
    while (p < e) {
        const char *nl = memchr(text + p, '\n', e - p);
        size_t le = nl ? (size_t)(nl - text) : e;
        size_t q = p;
        while (q < le && is_ws((unsigned char)text[q]))
            q++;
        if (q < le && first_nb == e) {
            first_nb = q;
            first_nb_end = le;
        }
        if (q < le && text[q] == '{' && (!strict || q == first_nb))
            break;
        if (strict && first_nb != e)
            break;
        p = nl ? le + 1 : e;
    }
    if (p >= e || (strict && text[first_nb] != '{')) {
        if (first_nb == e) {
            esm_ld_set_error(err, ESM_LD_ENOJSON, "the tool produced no output");
        } else {
            int l = (int)(first_nb_end - first_nb);
            esm_ld_set_error(err, strict ? ESM_LD_EJSON : ESM_LD_ENOJSON,
                             "no JSON in the tool output, which begins: %.*s", l > 160 ? 160 : l,
                             text + first_nb);
        }
        *rc = err ? err->code : ESM_LD_ENOJSON;
        return NULL;
    }
    json_error_t jerr;
    json_t *doc = json_loadb(text + p, e - p, strict ? 0 : JSON_DISABLE_EOF_CHECK, &jerr);
    if (!doc || !json_is_object(doc)) {
        esm_ld_set_error(err, ESM_LD_EJSON, "tool JSON %s (line %d, column %d: %s)",
                         doc ? "is not an object" : "is invalid or cut short", jerr.line,
                         jerr.column, jerr.text);
        json_decref(doc);
        *rc = ESM_LD_EJSON;
        return NULL;
    }
    return doc;
}

/* The original converted every member named "time" and rejected anything but
 * an integer or "Www, DD Mon YYYY HH:MM:SS GMT". */
static const char *bad_time(json_t *v)
{
    const char *key;
    json_t *x;
    size_t i;
    if (json_is_object(v)) {
        json_object_foreach(v, key, x) {
            if (strcmp(key, "time") == 0 && !json_is_integer(x)) {
                if (!json_is_string(x))
                    return "(not a string)";
                const char *s = json_string_value(x);
                size_t n = strlen(s);
                if (n != 29 || !ends(s, n, " GMT") || s[3] != ',')
                    return s;
            }
            const char *b = bad_time(x);
            if (b)
                return b;
        }
    } else if (json_is_array(v)) {
        json_array_foreach(v, i, x) {
            const char *b = bad_time(x);
            if (b)
                return b;
        }
    }
    return NULL;
}

static esm_ld_code parse_transcript(const char *text, size_t len, unsigned flags,
                                    esm_bw_result *res, esm_ld_error *err)
{
    int strict = (flags & ESM_BW_STRICT) != 0;
    scan_state st;
    memset(&st, 0, sizeof st);
    st.strict = strict;
    size_t p = 0;
    while (p < len) {
        const char *nl = memchr(text + p, '\n', len - p);
        size_t le = nl ? (size_t)(nl - text) : len;
        scan_line(&st, text + p, le - p, p, nl ? le + 1 : len);
        p = nl ? le + 1 : len;
    }
    if (st.open) {               /* no stop_tool: the region runs to the end */
        st.blocks[st.n_blocks].end = len;
        st.n_blocks++;
    }
    esm_ld_code rc = ESM_LD_OK;
    res->format = ESM_BW_BWCTL;
    if (strict && (!st.saw_start || !st.tool || !st.rsrc || !st.rdst)) {
        esm_ld_set_error(err, ESM_LD_EUNSUPPORTED, "could not extract %s",
                         !st.saw_start ? "the start_tool marker (bwctl must run with --verbose)"
                         : !st.tool ? "tool_name" : !st.rsrc ? "input_source" : "input_destination");
        rc = ESM_LD_EUNSUPPORTED;
        goto out;
    }
    /* tool output region: the sender's block when several (-x), else the first */
    size_t b = 0, e = len;
    if (st.n_blocks) {
        size_t pick = 0;
        if (!strict)
            for (size_t k = 0; k < st.n_blocks; k++)
                if (st.blocks[k].sender) {
                    pick = k;
                    break;
                }
        b = st.blocks[pick].begin;
        e = st.blocks[pick].end;
        res->multiple_blocks = st.n_blocks > 1;
    }
    json_t *doc = json_in(text, b, e, strict, err, &rc);
    if (!doc)
        goto out;
    if (strict) {
        const char *bt = bad_time(doc);
        if (bt) {
            esm_ld_set_error(err, ESM_LD_EUNSUPPORTED,
                             "time member '%.40s' does not match '%%a, %%d %%b %%Y %%X GMT'", bt);
            json_decref(doc);
            rc = ESM_LD_EUNSUPPORTED;
            goto out;
        }
    }
    rc = fill_iperf3(doc, res, err);
    json_decref(doc);
    if (rc != ESM_LD_OK && rc != ESM_LD_ETOOL)
        goto out;
    res->format = ESM_BW_BWCTL;
    res->tool_name = st.tool ? st.tool : esm_ld_strndup("iperf3", 6);
    st.tool = NULL;
    if (st.rsrc || st.rdst || st.lsrc || st.ldst) {
        res->input_origin = (st.rsrc && st.rdst) ? ESM_BW_ADDR_REMOTE_LINE : ESM_BW_ADDR_LOCAL_LINE;
        res->input_source = st.rsrc ? st.rsrc : st.lsrc;
        res->input_destination = st.rdst ? st.rdst : st.ldst;
        if (st.rsrc) st.rsrc = NULL; else st.lsrc = NULL;
        if (st.rdst) st.rdst = NULL; else st.ldst = NULL;
    }
    if ((!res->input_source || !res->input_destination) && st.tsrc && st.tdst) {
        free(res->input_source);
        free(res->input_destination);
        res->input_source = st.tsrc;
        res->input_destination = st.tdst;
        st.tsrc = st.tdst = NULL;
        res->input_origin = ESM_BW_ADDR_RUN_TOOL;
    }
    if ((!res->input_source || !res->input_destination) && res->source && res->destination) {
        free(res->input_source);
        free(res->input_destination);
        /* the JSON's own view: with a server-side document local_host is the receiver */
        res->input_source = esm_ld_strndup(res->receiver_side ? res->destination : res->source,
                                  strlen(res->receiver_side ? res->destination : res->source));
        res->input_destination = esm_ld_strndup(res->receiver_side ? res->source : res->destination,
                                       strlen(res->receiver_side ? res->source : res->destination));
        res->input_origin = ESM_BW_ADDR_JSON;
    }
    if (!res->tool_name || (rc == ESM_LD_OK && (!res->input_source || !res->input_destination))) {
        esm_ld_set_error(err, ESM_LD_ENOMEM, "out of memory");
        rc = ESM_LD_ENOMEM;
        goto out;
    }
    if (rc == ESM_LD_OK && strcmp(res->tool_name, "iperf3") != 0) {
        esm_ld_set_error(err, ESM_LD_EUNSUPPORTED, "there is no handler for tool %.32s",
                         res->tool_name);
        rc = ESM_LD_EUNSUPPORTED;
    }
out:
    scan_free(&st);
    return rc;
}

static int has_bwctl_line(const char *text, size_t len)
{
    size_t p = 0;
    while (p < len) {
        const char *nl = memchr(text + p, '\n', len - p);
        size_t le = nl ? (size_t)(nl - text) : len;
        if (starts(text + p, le - p, "bwctl:") || starts(text + p, le - p, "bwctl["))
            return 1;
        p = nl ? le + 1 : len;
    }
    return 0;
}

esm_ld_code esm_bw_parse(const char *text, size_t len, unsigned flags, esm_bw_result *res,
                         esm_ld_error *err)
{
    if (!res || (!text && len)) {
        esm_ld_set_error(err, ESM_LD_EARG, "invalid argument");
        return ESM_LD_EARG;
    }
    memset(res, 0, sizeof *res);
    esm_ld_clear_error(err);
    if (!text)
        text = "";
    esm_ld_code rc;
    if (has_bwctl_line(text, len)) {
        rc = parse_transcript(text, len, flags, res, err);
    } else {
        json_t *doc = json_in(text, 0, len, 0, err, &rc);
        if (!doc) {
            if (rc == ESM_LD_ENOJSON)
                esm_ld_set_error(err, ESM_LD_ESYNTAX,
                                 "neither a bwctl transcript, an iperf3 JSON document nor a pScheduler result");
            rc = err ? err->code : ESM_LD_ESYNTAX;
        } else if (json_object_get(doc, "result") || json_object_get(doc, "succeeded")) {
            rc = fill_pscheduler(doc, res, err);
            json_decref(doc);
        } else {
            res->format = ESM_BW_IPERF3;
            rc = fill_iperf3(doc, res, err);
            json_decref(doc);
            if (rc == ESM_LD_OK || rc == ESM_LD_ETOOL) {
                const char *s = res->receiver_side ? res->destination : res->source;
                const char *d = res->receiver_side ? res->source : res->destination;
                res->input_origin = ESM_BW_ADDR_JSON;
                res->tool_name = esm_ld_strndup("iperf3", 6);
                if (s && d) {
                    res->input_source = esm_ld_strndup(s, strlen(s));
                    res->input_destination = esm_ld_strndup(d, strlen(d));
                }
                if (!res->tool_name || (s && d && (!res->input_source || !res->input_destination))) {
                    esm_ld_set_error(err, ESM_LD_ENOMEM, "out of memory");
                    rc = ESM_LD_ENOMEM;
                }
            }
        }
    }
    if (rc != ESM_LD_OK && rc != ESM_LD_ETOOL)
        esm_bw_result_clear(res);
    return rc;
}
