/* esmond-sample-data: writes a deterministic, realistic perfSONAR data set in
 * the replay layout of tests/data/replay/ (metadata.json plus
 * data/<key>/<event-type>/base.json), ready for `esmond-ps-archive --import`.
 *
 * For every host pair it writes three tests the way a pScheduler host archives
 * them: one-way latency (powstream, one run a minute), throughput (iperf3,
 * every 4 hours) and traceroute (every 2 hours). Only base data is written;
 * the summaries registered in the metadata are computed by the importer.
 *
 * Everything derives from --seed through splitmix64/xorshift64* streams and
 * integer arithmetic, so the output is byte-identical from run to run, and a
 * pair's data depends only on the seed and the pair's index (the first pairs
 * of --pairs 20 are those of --pairs 3). Data are streamed to disk one test at
 * a time; memory use does not grow with --days. */
#define _XOPEN_SOURCE 700 /* nftw() */
#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <getopt.h>
#include <math.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef ESM_VERSION
#define ESM_VERSION "0"
#endif

#define PROG "esmond-sample-data"
#define ARCHIVE_PATH "/esmond/perfsonar/archive/"
#define ARCHIVE_URL "http://archive.example.net"

#define MAX_PAIRS 100
#define MAX_DAYS 3660
#define MAX_START INT64_C(4102444800) /* 2100-01-01 */
#define DEFAULT_START INT64_C(1700006400)
#define DEFAULT_SEED UINT64_C(1)

#define LAT_PERIOD 60
#define BW_PERIOD (4 * 3600)
#define TR_PERIOD (2 * 3600)
#define LAT_PACKETS 600
#define BW_SECONDS 20
#define MAX_HOPS 12

/* ------------------------------------------------------------------------ */
/* Diagnostics */

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void die(const char *fmt, ...)
{
    va_list ap;
    fputs(PROG ": ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    exit(1);
}

static void usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void usage_error(const char *fmt, ...)
{
    va_list ap;
    fputs(PROG ": ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputs("\nTry '" PROG " --help' for more information.\n", stderr);
    exit(2);
}

/* ------------------------------------------------------------------------ */
/* Random numbers: splitmix64 to derive independent streams, xorshift64* to
 * draw from them. No libm on the data path, so results do not depend on the
 * C library's rounding of transcendental functions. */

static uint64_t splitmix64(uint64_t *state)
{
    uint64_t z = (*state += UINT64_C(0x9E3779B97F4A7C15));
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

typedef struct {
    uint64_t s;
} rng;

/* A stream for (seed, pair, purpose): distinct inputs give unrelated streams. */
static rng rng_stream(uint64_t seed, unsigned pair, unsigned purpose)
{
    uint64_t st = seed;
    uint64_t a = splitmix64(&st);
    st = a ^ ((uint64_t)pair << 32) ^ ((uint64_t)purpose << 8) ^ UINT64_C(0x5DEECE66D);
    rng r;
    do
        r.s = splitmix64(&st);
    while (r.s == 0); /* xorshift must not start at zero */
    return r;
}

static uint64_t rng_next(rng *r)
{
    uint64_t x = r->s;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    r->s = x;
    return x * UINT64_C(0x2545F4914F6CDD1D);
}

/* Uniform integer in [0, n), n < 2^32. */
static uint32_t rng_below(rng *r, uint32_t n)
{
    return (uint32_t)(((rng_next(r) >> 32) * (uint64_t)n) >> 32);
}

/* True with probability num/den. */
static bool rng_chance(rng *r, uint32_t num, uint32_t den)
{
    return rng_below(r, den) < num;
}

/* ------------------------------------------------------------------------ */
/* Number formatting */

/* Python's repr() of a double: shortest round-trip digits, exponent form
 * below 1e-4 and from 1e16 on, ".0" on integral values. */
static void pyrepr(double v, char out[40])
{
    if (v == 0) {
        strcpy(out, signbit(v) ? "-0.0" : "0.0");
        return;
    }
    char tmp[40];
    int prec;
    for (prec = 1; prec <= 17; prec++) {
        snprintf(tmp, sizeof tmp, "%.*e", prec - 1, v);
        if (strtod(tmp, NULL) == v)
            break;
    }
    /* tmp is "-d.ddde+XX": collect the digits and the exponent */
    char digits[20];
    int nd = 0;
    const char *p = tmp;
    bool neg = *p == '-';
    if (neg)
        p++;
    for (; *p && *p != 'e'; p++)
        if (*p >= '0' && *p <= '9')
            digits[nd++] = *p;
    int exp10 = atoi(p + 1);
    while (nd > 1 && digits[nd - 1] == '0')
        nd--;
    char *o = out;
    if (neg)
        *o++ = '-';
    if (exp10 < -4 || exp10 >= 16) {
        *o++ = digits[0];
        if (nd > 1) {
            *o++ = '.';
            memcpy(o, digits + 1, (size_t)nd - 1);
            o += nd - 1;
        }
        sprintf(o, "e%c%02d", exp10 < 0 ? '-' : '+', exp10 < 0 ? -exp10 : exp10);
        return;
    }
    if (exp10 < 0) {
        *o++ = '0';
        *o++ = '.';
        for (int i = -1; i > exp10; i--)
            *o++ = '0';
        memcpy(o, digits, (size_t)nd);
        o += nd;
    } else {
        for (int i = 0; i <= exp10; i++)
            *o++ = i < nd ? digits[i] : '0';
        *o++ = '.';
        if (nd > exp10 + 1) {
            memcpy(o, digits + exp10 + 1, (size_t)(nd - exp10 - 1));
            o += nd - exp10 - 1;
        } else {
            *o++ = '0';
        }
    }
    *o = '\0';
}

/* A small append buffer for one point's JSON text. */
typedef struct {
    char *p;
    size_t len, cap;
} sbuf;

static void sb_reserve(sbuf *b, size_t more)
{
    if (b->len + more <= b->cap)
        return;
    size_t cap = b->cap ? b->cap : 4096;
    while (cap < b->len + more)
        cap *= 2;
    char *p = realloc(b->p, cap);
    if (!p)
        die("out of memory");
    b->p = p;
    b->cap = cap;
}

static void sb_add(sbuf *b, const char *s, size_t n)
{
    sb_reserve(b, n);
    memcpy(b->p + b->len, s, n);
    b->len += n;
}

static void sb_puts(sbuf *b, const char *s) { sb_add(b, s, strlen(s)); }

static void sb_int(sbuf *b, int64_t v)
{
    char tmp[24];
    char *e = tmp + sizeof tmp, *q = e;
    uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    do
        *--q = (char)('0' + u % 10);
    while (u /= 10);
    if (v < 0)
        *--q = '-';
    sb_add(b, q, (size_t)(e - q));
}

/* Python repr of an integral float below 1e16: "600.0". */
static void sb_intfloat(sbuf *b, int64_t v)
{
    sb_int(b, v);
    sb_add(b, ".0", 2);
}

/* Python repr of v / 10^dec for 0 <= v and v / 10^dec >= 1e-4 (or v == 0):
 * the decimal digits with trailing zeros dropped, "1.0" rather than "1". */
static void sb_decimal(sbuf *b, int64_t v, int dec)
{
    int64_t scale = 1;
    for (int i = 0; i < dec; i++)
        scale *= 10;
    sb_int(b, v / scale);
    int64_t frac = v % scale;
    char digits[20];
    int nd = dec;
    for (int i = dec - 1; i >= 0; i--) {
        digits[i] = (char)('0' + frac % 10);
        frac /= 10;
    }
    while (nd > 1 && digits[nd - 1] == '0')
        nd--;
    sb_add(b, ".", 1);
    sb_add(b, digits, (size_t)nd);
}

/* v / 100 with exactly two decimals ("10.40"), v >= 0. */
static void sb_fixed2(sbuf *b, int64_t v)
{
    char frac[3] = {(char)('0' + v / 10 % 10), (char)('0' + v % 10), '\0'};
    sb_int(b, v / 100);
    sb_add(b, ".", 1);
    sb_add(b, frac, 2);
}

static void sb_float(sbuf *b, double v)
{
    char tmp[40];
    pyrepr(v, tmp);
    sb_puts(b, tmp);
}

/* A JSON string literal; our strings are printable ASCII, escape anyway. */
static void sb_str(sbuf *b, const char *s)
{
    sb_add(b, "\"", 1);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') {
            char esc[2] = {'\\', (char)c};
            sb_add(b, esc, 2);
        } else if (c < 0x20) {
            char esc[8];
            snprintf(esc, sizeof esc, "\\u%04x", c);
            sb_puts(b, esc);
        } else {
            sb_add(b, s, 1);
        }
    }
    sb_add(b, "\"", 1);
}

/* ------------------------------------------------------------------------ */
/* Files */

static void mkdir_p(const char *path)
{
    char tmp[4096];
    size_t n = strlen(path);
    if (n == 0 || n >= sizeof tmp)
        die("path too long: %s", path);
    memcpy(tmp, path, n + 1);
    for (char *p = tmp + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(tmp, 0777) != 0 && errno != EEXIST)
            die("cannot create directory %s: %s", tmp, strerror(errno));
        *p = '/';
    }
    if (mkdir(tmp, 0777) != 0 && errno != EEXIST)
        die("cannot create directory %s: %s", tmp, strerror(errno));
    struct stat st;
    if (stat(tmp, &st) != 0 || !S_ISDIR(st.st_mode))
        die("%s exists and is not a directory", tmp);
}

static char *path_join(const char *a, const char *b)
{
    size_t n = strlen(a) + strlen(b) + 2;
    char *p = malloc(n);
    if (!p)
        die("out of memory");
    snprintf(p, n, "%s/%s", a, b);
    return p;
}

/* A file written as <path>.tmp and renamed into place on close. */
typedef struct {
    char path[4096];
    char tmp[4100];
    FILE *f;
    char *vbuf;
} out_file;

static void of_open(out_file *o, const char *path)
{
    if (snprintf(o->path, sizeof o->path, "%s", path) >= (int)sizeof o->path)
        die("path too long: %s", path);
    snprintf(o->tmp, sizeof o->tmp, "%s.tmp", o->path);
    o->f = fopen(o->tmp, "w");
    if (!o->f)
        die("cannot create %s: %s", o->tmp, strerror(errno));
    o->vbuf = malloc(1 << 18);
    if (o->vbuf)
        setvbuf(o->f, o->vbuf, _IOFBF, 1 << 18);
}

static void of_write(out_file *o, const char *s, size_t n)
{
    if (n && fwrite(s, 1, n, o->f) != n)
        die("cannot write %s: %s", o->tmp, strerror(errno));
}

static void of_close(out_file *o)
{
    if (fflush(o->f) != 0 || ferror(o->f))
        die("cannot write %s: %s", o->tmp, strerror(errno));
    if (fclose(o->f) != 0)
        die("cannot write %s: %s", o->tmp, strerror(errno));
    o->f = NULL;
    free(o->vbuf);
    o->vbuf = NULL;
    if (rename(o->tmp, o->path) != 0)
        die("cannot rename %s to %s: %s", o->tmp, o->path, strerror(errno));
}

/* ------------------------------------------------------------------------ */
/* Test kinds: event types (sorted by name), summaries (sorted by type, then
 * window as a number), free-form parameters (sorted by name, as esmond lists
 * them). */

typedef struct {
    const char *type; /* JSON name */
    const char *url;  /* URL name */
    int window;
} summary_spec;

typedef struct {
    const char *name;
    int nsum;
    summary_spec sums[5];
} et_spec;

typedef struct {
    const char *name, *value;
} param;

enum { KIND_LATENCY, KIND_THROUGHPUT, KIND_TRACE, KIND_COUNT_ };

#define AGG(w) {"aggregation", "aggregations", w}
#define AVG(w) {"average", "averages", w}
#define STAT(w) {"statistics", "statistics", w}

enum {
    LAT_FAILURES,
    LAT_OWDELAY,
    LAT_TTL,
    LAT_LOST,
    LAT_SENT,
    LAT_DUPS,
    LAT_LOSS_RATE,
    LAT_REORDERS,
    LAT_N_
};
static const et_spec lat_ets[LAT_N_] = {
    {"failures", 0, {{0}}},
    {"histogram-owdelay", 5, {AGG(3600), AGG(86400), STAT(0), STAT(3600), STAT(86400)}},
    {"histogram-ttl", 1, {STAT(0)}},
    {"packet-count-lost", 0, {{0}}},
    {"packet-count-sent", 0, {{0}}},
    {"packet-duplicates", 0, {{0}}},
    {"packet-loss-rate", 2, {AGG(3600), AGG(86400)}},
    {"packet-reorders", 0, {{0}}},
};
static const param lat_params[] = {
    {"ip-packet-interval", "0.1"},   {"ip-transport-protocol", "udp"}, {"sample-bucket-width", "0.0001"},
    {"sample-size", "600"},          {"time-duration", "60"},
};

enum { BW_FAILURES, BW_RETRANSMITS, BW_STREAMS, BW_THROUGHPUT, BW_SUBINTERVALS, BW_N_ };
static const et_spec bw_ets[BW_N_] = {
    {"failures", 0, {{0}}},
    {"packet-retransmits", 0, {{0}}},
    {"streams-throughput", 0, {{0}}},
    {"throughput", 1, {AVG(86400)}},
    {"throughput-subintervals", 0, {{0}}},
};
static const param bw_params[] = {
    {"bw-parallel-streams", "1"},
    {"ip-transport-protocol", "tcp"},
    {"time-duration", "20"},
};

enum { TR_FAILURES, TR_TRACE, TR_MTU, TR_N_ };
static const et_spec tr_ets[TR_N_] = {
    {"failures", 0, {{0}}},
    {"packet-trace", 0, {{0}}},
    {"path-mtu", 0, {{0}}},
};
static const param tr_params[] = {
    {"ip-transport-protocol", "udp"},
};

typedef struct {
    const char *tool;
    const et_spec *ets;
    int n_ets;
    const param *params;
    int n_params;
} kind_spec;

static const kind_spec kinds[KIND_COUNT_] = {
    {"pscheduler/powstream", lat_ets, LAT_N_, lat_params, sizeof lat_params / sizeof lat_params[0]},
    {"pscheduler/iperf3", bw_ets, BW_N_, bw_params, sizeof bw_params / sizeof bw_params[0]},
    {"pscheduler/traceroute", tr_ets, TR_N_, tr_params, sizeof tr_params / sizeof tr_params[0]},
};

/* ------------------------------------------------------------------------ */
/* Host pairs */

typedef struct {
    unsigned index;
    bool ipv6;
    char lat_src[48], lat_dst[48], bw_src[48], bw_dst[48];
    char lat_src_name[48], lat_dst_name[48], bw_src_name[48], bw_dst_name[48];
    /* network character, fixed per pair */
    int base_us;          /* one-way delay floor, microseconds */
    int jitter_us;        /* spread of the delay peak */
    int tail_us;          /* spread of the small queueing tail */
    int hops;             /* hop count to the destination */
    int mtu;              /* path MTU */
    int64_t capacity_bps; /* bottleneck capacity */
    char hop_ip[MAX_HOPS][48];
    char alt_ip[48]; /* an alternative router on the path */
    int alt_hop;     /* which hop (1-based) the alternative replaces */
} host_pair;

static void make_pair(host_pair *hp, uint64_t seed, unsigned p)
{
    memset(hp, 0, sizeof *hp);
    hp->index = p;
    hp->ipv6 = p == 1; /* the second pair, so every run of two pairs or more has one */
    unsigned lat = 10 + p, bw = 130 + p;
    if (hp->ipv6) {
        snprintf(hp->lat_src, sizeof hp->lat_src, "2001:db8:1::%x", lat);
        snprintf(hp->lat_dst, sizeof hp->lat_dst, "2001:db8:2::%x", lat);
        snprintf(hp->bw_src, sizeof hp->bw_src, "2001:db8:1::%x", bw);
        snprintf(hp->bw_dst, sizeof hp->bw_dst, "2001:db8:2::%x", bw);
    } else {
        snprintf(hp->lat_src, sizeof hp->lat_src, "192.0.2.%u", lat);
        snprintf(hp->lat_dst, sizeof hp->lat_dst, "198.51.100.%u", lat);
        snprintf(hp->bw_src, sizeof hp->bw_src, "192.0.2.%u", bw);
        snprintf(hp->bw_dst, sizeof hp->bw_dst, "198.51.100.%u", bw);
    }
    snprintf(hp->lat_src_name, sizeof hp->lat_src_name, "ps-lat-%u.example.net", 2 * p + 1);
    snprintf(hp->lat_dst_name, sizeof hp->lat_dst_name, "ps-lat-%u.example.net", 2 * p + 2);
    snprintf(hp->bw_src_name, sizeof hp->bw_src_name, "ps-bw-%u.example.net", 2 * p + 1);
    snprintf(hp->bw_dst_name, sizeof hp->bw_dst_name, "ps-bw-%u.example.net", 2 * p + 2);

    rng r = rng_stream(seed, p, 0);
    hp->base_us = 800 + (int)rng_below(&r, 60000);
    hp->jitter_us = 10 + (int)rng_below(&r, 40);
    hp->tail_us = 60 + (int)rng_below(&r, 300);
    hp->hops = 4 + (int)rng_below(&r, 8); /* 4..11 */
    hp->mtu = rng_chance(&r, 2, 3) ? 9000 : 1500;
    hp->capacity_bps = rng_chance(&r, 3, 4) ? INT64_C(10000000000) : INT64_C(1000000000);

    /* hop 1: the source's gateway; hops 2..n-1: transit routers; hop n: destination */
    for (int h = 1; h <= hp->hops; h++) {
        char *ip = hp->hop_ip[h - 1];
        if (h == hp->hops) {
            snprintf(ip, 48, "%s", hp->lat_dst);
        } else if (h == 1) {
            snprintf(ip, 48, "%s", hp->ipv6 ? "2001:db8:1::1" : "192.0.2.1");
        } else {
            unsigned router = 1 + rng_below(&r, 250);
            if (hp->ipv6)
                snprintf(ip, 48, "2001:db8:ff:%x::1", router);
            else
                snprintf(ip, 48, "203.0.113.%u", router);
        }
    }
    hp->alt_hop = 2 + (int)rng_below(&r, (uint32_t)(hp->hops - 2));
    unsigned alt = 1 + rng_below(&r, 250);
    if (hp->ipv6)
        snprintf(hp->alt_ip, sizeof hp->alt_ip, "2001:db8:fe:%x::1", alt);
    else
        snprintf(hp->alt_ip, sizeof hp->alt_ip, "203.0.113.%u", alt);
}

/* ------------------------------------------------------------------------ */
/* A metadata object being written */

#define MAX_ETS 8

typedef struct {
    char key[33];
    int kind;
    char src[48], dst[48], in_src[48], in_dst[48];
    int64_t updated[MAX_ETS]; /* last ts per event type, -1: none */
} meta;

typedef struct {
    const char *out_dir;
    meta *m;
    out_file files[MAX_ETS];
    bool open[MAX_ETS];
    int64_t count[MAX_ETS];
    sbuf point;
    int64_t total_points;
    int64_t total_files;
} writer;

static void make_key(char out[33], uint64_t seed, unsigned pair, int kind)
{
    rng r = rng_stream(seed, pair, 100 + (unsigned)kind);
    uint64_t a = rng_next(&r), b = rng_next(&r);
    snprintf(out, 33, "%016" PRIx64 "%016" PRIx64, a, b);
}

static void writer_begin(writer *w, meta *m)
{
    w->m = m;
    for (int i = 0; i < MAX_ETS; i++) {
        w->open[i] = false;
        w->count[i] = 0;
        m->updated[i] = -1;
    }
}

/* Starts a point of event type et at ts: the caller appends the value's
 * JSON text to w->point, then calls point_end(). */
static sbuf *point_begin(writer *w, int et, int64_t ts)
{
    sbuf *b = &w->point;
    b->len = 0;
    if (!w->open[et]) {
        const char *name = kinds[w->m->kind].ets[et].name;
        char rel[256];
        snprintf(rel, sizeof rel, "data/%s/%s", w->m->key, name);
        char *dir = path_join(w->out_dir, rel);
        mkdir_p(dir);
        char *path = path_join(dir, "base.json");
        of_open(&w->files[et], path);
        free(path);
        free(dir);
        w->open[et] = true;
        sb_add(b, "[", 1);
    } else {
        sb_add(b, ", ", 2);
    }
    if (ts <= w->m->updated[et])
        die("internal error: time stamps out of order");
    w->m->updated[et] = ts;
    w->count[et]++;
    w->total_points++;
    sb_puts(b, "{\"ts\": ");
    sb_int(b, ts);
    sb_puts(b, ", \"val\": ");
    return b;
}

static void point_end(writer *w, int et)
{
    sb_add(&w->point, "}", 1);
    of_write(&w->files[et], w->point.p, w->point.len);
}

static void writer_end(writer *w)
{
    for (int i = 0; i < MAX_ETS; i++) {
        if (!w->open[i])
            continue;
        of_write(&w->files[i], "]\n", 2);
        of_close(&w->files[i]);
        w->open[i] = false;
        w->total_files++;
    }
}

static void put_failure(writer *w, int et, int64_t ts, const char *msg)
{
    sbuf *b = point_begin(w, et, ts);
    sb_puts(b, "{\"error\": ");
    sb_str(b, msg);
    sb_puts(b, "}");
    point_end(w, et);
}

/* The UTC hour of ts: networks are busier in the (European/American) afternoon. */
static bool busy_hour(int64_t ts)
{
    int h = (int)((ts % 86400) / 3600);
    return h >= 13 && h <= 21;
}

/* ------------------------------------------------------------------------ */
/* Latency: powstream, 600 packets every minute */

#define NBUCKETS 1024

static void gen_latency(writer *w, const host_pair *hp, uint64_t seed, int64_t start, int64_t end)
{
    rng r = rng_stream(seed, hp->index, 1);
    int64_t ts = start + rng_below(&r, LAT_PERIOD);
    int bad_loss = 0;      /* > 0 while in a loss burst: per-mille loss probability */
    int congestion = 0;    /* 0..3 */
    int outage = 0;        /* minutes left in an outage */
    int outage_error = 0;  /* what the failed runs of that outage report */
    int route_change = 0;  /* minutes left on the longer route */
    uint32_t counts[NBUCKETS];
    static const char *const errors[] = {
        "Unable to contact the remote host: Connection refused",
        "powstream: Unable to start session with the receiver",
        "Timed out waiting for the test to finish",
    };

    for (; ts < end; ts += LAT_PERIOD) {
        bool busy = busy_hour(ts);

        /* outages: the test does not run at all and reports a failure */
        if (outage == 0 && rng_chance(&r, 1, 9000)) {
            outage = 1 + (int)rng_below(&r, 12);
            outage_error = (int)rng_below(&r, 3);
        }
        if (outage > 0) {
            outage--;
            put_failure(w, LAT_FAILURES, ts, errors[outage_error]);
            continue;
        }
        if (rng_chance(&r, 1, 4000)) {
            put_failure(w, LAT_FAILURES, ts, errors[rng_below(&r, 3)]);
            continue;
        }

        /* state changes */
        if (bad_loss == 0) {
            if (rng_chance(&r, busy ? 2 : 1, 1200))
                bad_loss = 5 + (int)rng_below(&r, 150);
        } else if (rng_chance(&r, 1, 6)) {
            bad_loss = 0;
        }
        if (congestion == 0) {
            if (rng_chance(&r, 1, busy ? 60 : 400))
                congestion = 1 + (int)rng_below(&r, 3);
        } else if (rng_chance(&r, 1, 10)) {
            congestion--;
        }
        if (route_change == 0 && rng_chance(&r, 1, 5000))
            route_change = 5 + (int)rng_below(&r, 120);
        else if (route_change > 0)
            route_change--;

        /* loss */
        int lost = 0;
        if (bad_loss > 0) {
            for (int i = 0; i < LAT_PACKETS; i++)
                lost += rng_below(&r, 1000) < (uint32_t)bad_loss;
        } else if (rng_chance(&r, 1, 120)) {
            lost = 1 + (rng_chance(&r, 1, 8) ? (int)rng_below(&r, 3) : 0);
        }
        int received = LAT_PACKETS - lost;
        int dups = rng_chance(&r, 1, 700) ? 1 + (int)rng_below(&r, 2) : 0;
        int reorders = congestion > 1 ? (int)rng_below(&r, 3) : (rng_chance(&r, 1, 300) ? 1 : 0);

        /* one-way delays of the received packets, in 10 us buckets */
        int floor_b = (hp->base_us + (int)rng_below(&r, 6)) / 10;
        int lo = NBUCKETS, hi = -1;
        memset(counts, 0, sizeof counts);
        for (int i = 0; i < received; i++) {
            /* a peak (sum of two uniforms), an exponential-like queueing
             * tail on a quarter of the packets, and rare spikes */
            uint64_t x = rng_next(&r);
            int d = (int)(((x >> 40) & 0xffff) % (uint64_t)hp->jitter_us) +
                    (int)(((x >> 24) & 0xffff) % (uint64_t)hp->jitter_us);
            if ((x & 3) == 0) {
                uint64_t y = rng_next(&r);
                int steps = __builtin_ctzll(y | (UINT64_C(1) << 12)); /* geometric, P(k) = 2^-(k+1) */
                d += steps * hp->tail_us / 2 + (int)((y >> 32) % (uint64_t)(hp->tail_us / 2));
            }
            if (((x >> 2) & 511) == 0)
                d += (int)(((x >> 11) & 0x1fff) % 2500);
            if (congestion)
                d += (int)rng_below(&r, (uint32_t)(congestion * 700));
            int bucket = d / 10;
            if (bucket >= NBUCKETS)
                bucket = NBUCKETS - 1;
            counts[bucket]++;
            if (bucket < lo)
                lo = bucket;
            if (bucket > hi)
                hi = bucket;
        }

        sbuf *b = point_begin(w, LAT_OWDELAY, ts);
        sb_add(b, "{", 1);
        bool first = true;
        for (int k = lo; k <= hi; k++) {
            if (!counts[k])
                continue;
            int v = floor_b + k; /* hundredths of a millisecond */
            if (!first)
                sb_add(b, ", ", 2);
            first = false;
            sb_add(b, "\"", 1);
            sb_fixed2(b, v); /* "%.2f" milliseconds, as pScheduler writes them */
            sb_add(b, "\": ", 3);
            sb_int(b, counts[k]);
        }
        sb_add(b, "}", 1);
        point_end(w, LAT_OWDELAY);

        b = point_begin(w, LAT_TTL, ts);
        int hops = hp->hops + (route_change > 0);
        int other = 0;
        if (route_change > 0 && rng_chance(&r, 1, 4))
            other = (int)rng_below(&r, (uint32_t)received / 4 + 1);
        sb_add(b, "{", 1);
        if (other > 0) {
            sb_add(b, "\"", 1);
            sb_int(b, hops - 1);
            sb_add(b, "\": ", 3);
            sb_int(b, other);
            sb_add(b, ", ", 2);
        }
        if (received - other > 0) {
            sb_add(b, "\"", 1);
            sb_int(b, hops);
            sb_add(b, "\": ", 3);
            sb_int(b, received - other);
        }
        sb_add(b, "}", 1);
        point_end(w, LAT_TTL);

        b = point_begin(w, LAT_LOST, ts);
        sb_intfloat(b, lost);
        point_end(w, LAT_LOST);

        b = point_begin(w, LAT_SENT, ts);
        sb_intfloat(b, LAT_PACKETS);
        point_end(w, LAT_SENT);

        b = point_begin(w, LAT_DUPS, ts);
        sb_intfloat(b, dups);
        point_end(w, LAT_DUPS);

        b = point_begin(w, LAT_LOSS_RATE, ts);
        sb_float(b, (double)lost / LAT_PACKETS);
        point_end(w, LAT_LOSS_RATE);

        b = point_begin(w, LAT_REORDERS, ts);
        sb_intfloat(b, reorders);
        point_end(w, LAT_REORDERS);
    }
}

/* ------------------------------------------------------------------------ */
/* Throughput: iperf3, one 20 s TCP stream every 4 hours */

static void gen_throughput(writer *w, const host_pair *hp, uint64_t seed, int64_t start, int64_t end)
{
    rng r = rng_stream(seed, hp->index, 2);
    int64_t offset = rng_below(&r, BW_PERIOD / 2);
    static const char *const errors[] = {
        "iperf3 returned an error: error - unable to connect to server: Connection refused",
        "iperf3 returned an error: error - the server is busy running a test. try again later",
        "Run did not complete: Timed out waiting for the result",
    };

    for (int64_t slot = start; slot < end; slot += BW_PERIOD) {
        int64_t ts = slot + offset + rng_below(&r, 300);
        if (rng_chance(&r, 1, 25)) {
            put_failure(w, BW_FAILURES, ts, errors[rng_below(&r, 3)]);
            continue;
        }
        bool busy = busy_hour(ts);
        /* per-mille of capacity this run achieves */
        int64_t eff = 941 - rng_below(&r, busy ? 120 : 25);
        int retrans = 0;
        if (rng_chance(&r, 1, busy ? 3 : 8)) {
            retrans = 1 + (int)rng_below(&r, 400);
            eff -= 100 + rng_below(&r, 400);
        } else if (rng_chance(&r, 1, 4)) {
            retrans = (int)rng_below(&r, 5);
        }
        int64_t rate = hp->capacity_bps / 1000 * eff;

        int64_t vals[BW_SECONDS], durs[BW_SECONDS];
        __int128 bits = 0;
        int64_t total_us = 0;
        for (int i = 0; i < BW_SECONDS; i++) {
            int64_t per_mille = i == 0 ? 550 + rng_below(&r, 250) : 970 + rng_below(&r, 60);
            vals[i] = rate / 1000 * per_mille + rng_below(&r, 1000000);
            durs[i] = 1000000 + rng_below(&r, 500); /* microseconds */
            bits += (__int128)vals[i] * durs[i];
            total_us += durs[i];
        }
        int64_t throughput = (int64_t)(bits / total_us);

        sbuf *b = point_begin(w, BW_RETRANSMITS, ts);
        sb_intfloat(b, retrans);
        point_end(w, BW_RETRANSMITS);

        b = point_begin(w, BW_STREAMS, ts);
        sb_add(b, "[", 1);
        sb_intfloat(b, throughput);
        sb_add(b, "]", 1);
        point_end(w, BW_STREAMS);

        b = point_begin(w, BW_THROUGHPUT, ts);
        sb_intfloat(b, throughput);
        point_end(w, BW_THROUGHPUT);

        b = point_begin(w, BW_SUBINTERVALS, ts);
        sb_add(b, "[", 1);
        int64_t at_us = 0;
        for (int i = 0; i < BW_SECONDS; i++) {
            if (i)
                sb_add(b, ", ", 2);
            sb_puts(b, "{\"start\": ");
            sb_decimal(b, at_us, 6);
            sb_puts(b, ", \"duration\": ");
            sb_decimal(b, durs[i], 6);
            sb_puts(b, ", \"val\": ");
            sb_intfloat(b, vals[i]);
            sb_add(b, "}", 1);
            at_us += durs[i];
        }
        sb_add(b, "]", 1);
        point_end(w, BW_SUBINTERVALS);
    }
}

/* ------------------------------------------------------------------------ */
/* Traceroute: one probe per hop every 2 hours */

static void gen_trace(writer *w, const host_pair *hp, uint64_t seed, int64_t start, int64_t end)
{
    rng r = rng_stream(seed, hp->index, 3);
    int64_t offset = rng_below(&r, TR_PERIOD / 2);
    int rtt_floor_us = 2 * hp->base_us;

    for (int64_t slot = start; slot < end; slot += TR_PERIOD) {
        int64_t ts = slot + offset + rng_below(&r, 120);
        if (rng_chance(&r, 1, 60)) {
            put_failure(w, TR_FAILURES, ts, "traceroute: connect: Network is unreachable");
            continue;
        }
        bool alt = rng_chance(&r, 1, 8);
        int timed_out = rng_chance(&r, 1, 12) ? 2 + (int)rng_below(&r, (uint32_t)(hp->hops - 2)) : 0;

        sbuf *b = point_begin(w, TR_TRACE, ts);
        sb_add(b, "[", 1);
        for (int h = 1; h <= hp->hops; h++) {
            if (h > 1)
                sb_add(b, ", ", 2);
            sb_puts(b, "{\"ttl\": ");
            sb_int(b, h);
            sb_puts(b, ", \"query\": 1, \"success\": ");
            if (h == timed_out) {
                sb_puts(b, "0, \"error-message\": \"requestTimedOut\"}");
                continue;
            }
            const char *ip = alt && h == hp->alt_hop ? hp->alt_ip : hp->hop_ip[h - 1];
            /* round trip grows along the path; the last hop sees the full path */
            int64_t rtt_us = h == 1 ? 150 + rng_below(&r, 300)
                                    : (int64_t)rtt_floor_us * (h - 1) / (hp->hops - 1) + 200 + rng_below(&r, 900);
            if (rtt_us < 50)
                rtt_us = 50;
            sb_puts(b, "1, \"ip\": ");
            sb_str(b, ip);
            sb_puts(b, ", \"rtt\": ");
            sb_decimal(b, rtt_us, 3); /* milliseconds */
            sb_puts(b, ", \"mtu\": ");
            sb_int(b, hp->mtu);
            sb_add(b, "}", 1);
        }
        sb_add(b, "]", 1);
        point_end(w, TR_TRACE);

        b = point_begin(w, TR_MTU, ts);
        sb_intfloat(b, hp->mtu);
        point_end(w, TR_MTU);
    }
}

/* ------------------------------------------------------------------------ */
/* metadata.json, in the layout of tests/data/replay/ (indent 1) */

static void put_updated(sbuf *b, int64_t t)
{
    if (t < 0)
        sb_puts(b, "null");
    else
        sb_int(b, t);
}

static void meta_json(sbuf *b, const meta *m, bool last)
{
    const kind_spec *k = &kinds[m->kind];
    char uri[128];
    snprintf(uri, sizeof uri, ARCHIVE_PATH "%s/", m->key);

    sb_puts(b, " {\n  \"url\": ");
    char url[192];
    snprintf(url, sizeof url, ARCHIVE_URL "%s", uri);
    sb_str(b, url);
    sb_puts(b, ",\n  \"metadata-key\": ");
    sb_str(b, m->key);
    sb_puts(b, ",\n  \"subject-type\": \"point-to-point\",\n  \"event-types\": [\n");
    for (int e = 0; e < k->n_ets; e++) {
        const et_spec *et = &k->ets[e];
        char base[192];
        snprintf(base, sizeof base, "%s%s/base", uri, et->name);
        sb_puts(b, "   {\n    \"base-uri\": ");
        sb_str(b, base);
        sb_puts(b, ",\n    \"event-type\": ");
        sb_str(b, et->name);
        sb_puts(b, ",\n    \"time-updated\": ");
        put_updated(b, m->updated[e]);
        sb_puts(b, ",\n    \"summaries\": [");
        for (int s = 0; s < et->nsum; s++) {
            char suri[192], win[16];
            snprintf(suri, sizeof suri, "%s%s/%s/%d", uri, et->name, et->sums[s].url, et->sums[s].window);
            snprintf(win, sizeof win, "%d", et->sums[s].window);
            sb_puts(b, s ? ",\n" : "\n");
            sb_puts(b, "     {\n      \"uri\": ");
            sb_str(b, suri);
            sb_puts(b, ",\n      \"summary-type\": ");
            sb_str(b, et->sums[s].type);
            sb_puts(b, ",\n      \"summary-window\": ");
            sb_str(b, win);
            sb_puts(b, ",\n      \"time-updated\": ");
            put_updated(b, m->updated[e]);
            sb_puts(b, "\n     }");
        }
        sb_puts(b, et->nsum ? "\n    ]\n   }" : "]\n   }");
        sb_puts(b, e + 1 < k->n_ets ? ",\n" : "\n");
    }
    sb_puts(b, "  ],\n  \"source\": ");
    sb_str(b, m->src);
    sb_puts(b, ",\n  \"destination\": ");
    sb_str(b, m->dst);
    sb_puts(b, ",\n  \"measurement-agent\": ");
    sb_str(b, m->src);
    sb_puts(b, ",\n  \"tool-name\": ");
    sb_str(b, k->tool);
    sb_puts(b, ",\n  \"input-source\": ");
    sb_str(b, m->in_src);
    sb_puts(b, ",\n  \"input-destination\": ");
    sb_str(b, m->in_dst);
    for (int i = 0; i < k->n_params; i++) {
        sb_puts(b, ",\n  ");
        sb_str(b, k->params[i].name);
        sb_puts(b, ": ");
        sb_str(b, k->params[i].value);
    }
    sb_puts(b, ",\n  \"uri\": ");
    sb_str(b, uri);
    sb_puts(b, last ? "\n }\n" : "\n },\n");
}

static int cmp_meta(const void *a, const void *b)
{
    return strcmp(((const meta *)a)->key, ((const meta *)b)->key);
}

/* ------------------------------------------------------------------------ */
/* Options */

static void help(void)
{
    printf("Usage: " PROG " --out DIR [OPTIONS]\n"
           "\n"
           "Writes a deterministic perfSONAR sample data set in the replay layout\n"
           "(metadata.json and data/<metadata-key>/<event-type>/base.json), ready for\n"
           "`esmond-ps-archive --import DIR`. Per host pair: a powstream latency test\n"
           "(one run a minute), an iperf3 throughput test (every 4 hours) and a\n"
           "traceroute test (every 2 hours). Only base data is written; the summaries\n"
           "registered in the metadata are computed by the importing archive.\n"
           "The same options always give the same bytes.\n"
           "\n"
           "Options:\n"
           "  --out DIR      output directory (created; must be empty unless --force)\n"
           "  --pairs N      host pairs, 1 to %d (default 3; pair 2 is IPv6)\n"
           "  --days D       days of data, 1 to %d (default 1)\n"
           "  --start EPOCH  first second of the data, UTC epoch seconds\n"
           "                 (default %" PRId64 ", 2023-11-15 00:00:00 UTC)\n"
           "  --seed S       random seed, 0 to 2^64-1 (default %" PRIu64 ")\n"
           "  --force        replace an earlier output in DIR (its metadata.json and data/)\n"
           "  --help         show this help and exit\n"
           "  --version      show the version and exit\n"
           "\n"
           "Exit status: 0 on success, 1 on an I/O error, 2 on bad options.\n",
           MAX_PAIRS, MAX_DAYS, DEFAULT_START, DEFAULT_SEED);
}

/* Parses a whole decimal number in [min, max]; exits 2 on anything else. */
static uint64_t parse_num(const char *opt, const char *s, uint64_t min, uint64_t max)
{
    const char *p = s;
    uint64_t v = 0;
    bool ok = *p != '\0';
    for (; ok && *p; p++) {
        if (*p < '0' || *p > '9') {
            ok = false;
            break;
        }
        unsigned d = (unsigned)(*p - '0');
        if (v > (UINT64_MAX - d) / 10) {
            ok = false;
            break;
        }
        v = v * 10 + d;
    }
    if (!ok || v < min || v > max)
        usage_error("%s: expected a whole number from %" PRIu64 " to %" PRIu64 ", got '%s'", opt, min, max, s);
    return v;
}

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)ftw;
    int rc = flag == FTW_DP ? rmdir(path) : unlink(path);
    if (rc != 0)
        die("cannot remove %s: %s", path, strerror(errno));
    return 0;
}

/* Creates dir, or checks that it is empty. With force, a directory holding
 * only an earlier output (metadata.json, data/) is emptied first; anything
 * else in it makes the run fail before a file is touched. */
static void prepare_out_dir(const char *dir, bool force)
{
    mkdir_p(dir);
    DIR *d = opendir(dir);
    if (!d)
        die("cannot open %s: %s", dir, strerror(errno));
    struct dirent *e;
    bool ours = false;
    char foreign[256] = "";
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        if (strcmp(e->d_name, "metadata.json") == 0 || strcmp(e->d_name, "data") == 0 ||
            strcmp(e->d_name, "metadata.json.tmp") == 0)
            ours = true;
        else if (!foreign[0])
            snprintf(foreign, sizeof foreign, "%s", e->d_name);
    }
    closedir(d);
    if (!ours && !foreign[0])
        return;
    if (!force)
        die("%s is not empty; choose an empty directory, or pass --force to replace an earlier output", dir);
    if (foreign[0])
        die("%s holds files this program does not write (%s); --force replaces only an earlier output", dir,
            foreign);
    static const char *const names[] = {"metadata.json", "metadata.json.tmp"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        char *path = path_join(dir, names[i]);
        if (unlink(path) != 0 && errno != ENOENT)
            die("cannot remove %s: %s", path, strerror(errno));
        free(path);
    }
    char *data = path_join(dir, "data");
    struct stat st;
    if (lstat(data, &st) == 0 && nftw(data, rm_entry, 16, FTW_DEPTH | FTW_PHYS) != 0)
        die("cannot remove %s", data);
    free(data);
}

int main(int argc, char **argv)
{
    const char *out = NULL;
    uint64_t pairs = 3, days = 1, seed = DEFAULT_SEED;
    int64_t start = DEFAULT_START;
    bool force = false;

    static const struct option longopts[] = {
        {"out", required_argument, NULL, 'o'},  {"pairs", required_argument, NULL, 'p'},
        {"days", required_argument, NULL, 'd'}, {"start", required_argument, NULL, 's'},
        {"seed", required_argument, NULL, 'S'}, {"force", no_argument, NULL, 'f'},
        {"help", no_argument, NULL, 'h'},       {"version", no_argument, NULL, 'V'},
        {NULL, 0, NULL, 0},
    };
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":", longopts, NULL)) != -1) {
        switch (c) {
        case 'o':
            if (!*optarg)
                usage_error("--out: the directory name is empty");
            out = optarg;
            break;
        case 'p':
            pairs = parse_num("--pairs", optarg, 1, MAX_PAIRS);
            break;
        case 'd':
            days = parse_num("--days", optarg, 1, MAX_DAYS);
            break;
        case 's':
            start = (int64_t)parse_num("--start", optarg, 1, (uint64_t)MAX_START);
            break;
        case 'S':
            seed = parse_num("--seed", optarg, 0, UINT64_MAX);
            break;
        case 'f':
            force = true;
            break;
        case 'h':
            help();
            return 0;
        case 'V':
            printf(PROG " %s\n", ESM_VERSION);
            return 0;
        case ':':
            usage_error("option '%s' needs a value", argv[optind - 1]);
        default:
            usage_error("unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind < argc)
        usage_error("unexpected argument '%s'", argv[optind]);
    if (!out)
        usage_error("--out DIR is required");

    prepare_out_dir(out, force);
    int64_t end = start + (int64_t)days * 86400;
    bool progress = isatty(STDERR_FILENO);

    size_t n_meta = (size_t)pairs * KIND_COUNT_;
    meta *metas = calloc(n_meta, sizeof *metas);
    if (!metas)
        die("out of memory");
    writer w = {.out_dir = out};

    for (unsigned p = 0; p < pairs; p++) {
        host_pair hp;
        make_pair(&hp, seed, p);
        for (int k = 0; k < KIND_COUNT_; k++) {
            meta *m = &metas[(size_t)p * KIND_COUNT_ + (size_t)k];
            m->kind = k;
            make_key(m->key, seed, p, k);
            bool bw = k == KIND_THROUGHPUT;
            snprintf(m->src, sizeof m->src, "%s", bw ? hp.bw_src : hp.lat_src);
            snprintf(m->dst, sizeof m->dst, "%s", bw ? hp.bw_dst : hp.lat_dst);
            snprintf(m->in_src, sizeof m->in_src, "%s", bw ? hp.bw_src_name : hp.lat_src_name);
            snprintf(m->in_dst, sizeof m->in_dst, "%s", bw ? hp.bw_dst_name : hp.lat_dst_name);
            writer_begin(&w, m);
            if (k == KIND_LATENCY)
                gen_latency(&w, &hp, seed, start, end);
            else if (k == KIND_THROUGHPUT)
                gen_throughput(&w, &hp, seed, start, end);
            else
                gen_trace(&w, &hp, seed, start, end);
            writer_end(&w);
        }
        if (progress)
            fprintf(stderr, "\r" PROG ": pair %u of %" PRIu64 " written", p + 1, pairs);
    }
    if (progress)
        fputc('\n', stderr);

    qsort(metas, n_meta, sizeof *metas, cmp_meta);
    for (size_t i = 1; i < n_meta; i++)
        if (strcmp(metas[i - 1].key, metas[i].key) == 0)
            die("two metadata keys collide (%s); try another --seed", metas[i].key);
    sbuf mj = {0};
    sb_puts(&mj, "[\n");
    for (size_t i = 0; i < n_meta; i++)
        meta_json(&mj, &metas[i], i + 1 == n_meta);
    sb_puts(&mj, "]\n");
    char *meta_path = path_join(out, "metadata.json");
    out_file of;
    of_open(&of, meta_path);
    of_write(&of, mj.p, mj.len);
    of_close(&of);
    free(meta_path);

    printf(PROG ": wrote %zu metadata objects, %" PRId64 " points in %" PRId64 " files to %s\n", n_meta,
           w.total_points, w.total_files, out);
    free(mj.p);
    free(w.point.p);
    free(metas);
    return 0;
}
