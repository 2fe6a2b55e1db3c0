/* GridFTP transfer-log parsers (netlogger lines and -J JSON lines). */
#include "gridftp_log.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fenv.h>
#include <jansson.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---------- small helpers ---------- */

static int is_ws(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

static void trim(const char **s, size_t *len)
{
    while (*len && is_ws((unsigned char)(*s)[0])) {
        (*s)++;
        (*len)--;
    }
    while (*len && is_ws((unsigned char)(*s)[*len - 1]))
        (*len)--;
}

/* Decimal integer, optional sign, whole text. */
static int parse_ll(const char *s, size_t n, long long *out)
{
    size_t i = 0;
    int neg = 0;
    if (i < n && (s[i] == '-' || s[i] == '+'))
        neg = s[i++] == '-';
    if (i == n)
        return -1;
    unsigned long long v = 0, lim = neg ? (unsigned long long)LLONG_MAX + 1 : LLONG_MAX;
    for (; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        unsigned d = (unsigned)(s[i] - '0');
        if (v > (lim - d) / 10)
            return -1;
        v = v * 10 + d;
    }
    *out = neg ? (long long)(0 - v) : (long long)v;
    return 0;
}

/* Days since 1970-01-01 of a proleptic Gregorian date. */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

static int digits(const char *s, size_t n, unsigned *out)
{
    unsigned v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (unsigned)(s[i] - '0');
    }
    *out = v;
    return 0;
}

/* YYYYmmddHHMMSS[.f{1,6}] (UTC); the fraction is right-padded like strptime %f. */
static int parse_nltime(const char *s, size_t n, esm_gftp_time *t)
{
    unsigned Y, mo, d, H, M, S, us = 0;
    if (n < 14 || digits(s, 4, &Y) || digits(s + 4, 2, &mo) || digits(s + 6, 2, &d) ||
        digits(s + 8, 2, &H) || digits(s + 10, 2, &M) || digits(s + 12, 2, &S))
        return -1;
    static const unsigned mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (Y < 1 || mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] || H > 23 || M > 59 || S > 59)
        return -1;
    if (mo == 2 && d == 29 && !((Y % 4 == 0 && Y % 100 != 0) || Y % 400 == 0))
        return -1;
    t->short_fraction = 0;
    if (n > 14) {
        size_t fl = n - 15;
        if (s[14] != '.' || fl < 1 || fl > 6 || digits(s + 15, fl, &us))
            return -1;
        for (size_t k = fl; k < 6; k++)
            us *= 10;
        t->short_fraction = fl < 6;
    }
    t->sec = days_from_civil(Y, mo, d) * 86400 + H * 3600 + M * 60 + S;
    t->usec = (int32_t)us;
    return 0;
}

int64_t esm_gftp_duration_us(const esm_gftp_time *start, const esm_gftp_time *end)
{
    return (end->sec - start->sec) * 1000000 + (end->usec - start->usec);
}

int esm_gftp_throughput(long long nbytes, int64_t duration_us, double *bps)
{
    if (duration_us == 0)
        return -1;
    /* Python: (nbytes * 8) / timedelta.total_seconds(); scaling by 8 is exact in binary */
    double bits = (double)nbytes * 8.0;
    *bps = bits / ((double)duration_us / 1e6);
    return 0;
}

const char *esm_gftp_code_text(long long code)
{
    switch (code) {
    case 200: return "Command okay.";
    case 202: return "Command not implemented, superfluous at this site.";
    case 211: return "System status, or system help reply.";
    case 212: return "Directory status.";
    case 213: return "File status.";
    case 214: return "Help message.";
    case 215: return "NAME system type.";
    case 220: return "Service ready for new user.";
    case 221: return "Service closing control connection.";
    case 225: return "Data connection open; no transfer in progress.";
    case 226: return "Closing data connection.";
    case 227: return "Entering Passive Mode (h1,h2,h3,h4,p1,p2).";
    case 230: return "User logged in, proceed.";
    case 250: return "Requested file action okay, completed.";
    case 257: return "\"PATHNAME\" created.";
    case 331: return "User name okay, need password.";
    case 332: return "Need account for login.";
    case 350: return "Requested file action pending further information.";
    case 421: return "Service not available, closing control connection.";
    case 425: return "Cant open data connection.";
    case 426: return "Connection closed; transfer aborted.";
    case 450: return "Requested file action not taken.";
    case 451: return "Requested action aborted: local error in processing.";
    case 452: return "Requested action not taken.";
    case 500: return "Syntax error, command unrecognized.";
    case 501: return "Syntax error in parameters or arguments.";
    case 502: return "Command not implemented.";
    case 503: return "Bad sequence of commands.";
    case 504: return "Command not implemented for that parameter.";
    case 530: return "Not logged in.";
    case 532: return "Need account for storing files.";
    case 550: return "Requested action not taken.";
    case 551: return "Requested action aborted: page type unknown.";
    case 552: return "Requested file action aborted.";
    case 553: return "Requested action not taken.";
    }
    return NULL;
}

/* ---------- netlogger ---------- */

enum {
    K_DATE, K_HOST, K_PROG, K_NL_EVNT, K_START, K_USER, K_FILE, K_BUFFER, K_BLOCK, K_NBYTES,
    K_VOLUME, K_STREAMS, K_STRIPES, K_DEST, K_TYPE, K_CODE, K_TASKID, K_RETRANS,
    K_SHARE, K_SHAREE, K_COUNT
};
static const char *const key_names[K_COUNT] = {
    "DATE", "HOST", "PROG", "NL.EVNT", "START", "USER", "FILE", "BUFFER", "BLOCK", "NBYTES",
    "VOLUME", "STREAMS", "STRIPES", "DEST", "TYPE", "CODE", "TASKID", "retrans",
    "SHARE", "SHAREE"
};

/* Key starting at s (followed by '='), or -1. */
static int key_at(const char *s, size_t n)
{
    for (int k = 0; k < K_COUNT; k++) {
        size_t kl = strlen(key_names[k]);
        if (kl < n && s[kl] == '=' && memcmp(s, key_names[k], kl) == 0)
            return k;
    }
    return -1;
}

void esm_gftp_record_clear(esm_gftp_record *rec)
{
    if (!rec)
        return;
    free(rec->host);
    free(rec->prog);
    free(rec->nl_evnt);
    free(rec->user);
    free(rec->file);
    free(rec->volume);
    free(rec->taskid);
    free(rec->type_text);
    free(rec->dest_raw);
    free(rec->dest);
    free(rec->retrans);
    free(rec->storage);
    memset(rec, 0, sizeof *rec);
}

int esm_gftp_record_is_transfer(const esm_gftp_record *rec)
{
    return rec && (rec->type == ESM_GFTP_TYPE_RETR || rec->type == ESM_GFTP_TYPE_STOR);
}

static esm_gftp_type type_of(const char *s)
{
    static const struct { const char *n; esm_gftp_type t; } m[] = {
        {"RETR", ESM_GFTP_TYPE_RETR}, {"STOR", ESM_GFTP_TYPE_STOR}, {"ERET", ESM_GFTP_TYPE_ERET},
        {"ESTO", ESM_GFTP_TYPE_ESTO}, {"LIST", ESM_GFTP_TYPE_LIST}, {"NLST", ESM_GFTP_TYPE_NLST},
        {"MLSD", ESM_GFTP_TYPE_MLSD},
    };
    for (size_t i = 0; i < sizeof m / sizeof m[0]; i++)
        if (strcmp(s, m[i].n) == 0)
            return m[i].t;
    return ESM_GFTP_TYPE_OTHER;
}

static int dest_family(const char *a)
{
    struct in_addr v4;
    struct in6_addr v6;
    if (*a && inet_aton(a, &v4))
        return 4;
    if (inet_pton(AF_INET6, a, &v6) == 1)
        return 6;
    return 0;
}

static esm_ld_code parse_retrans(const char *v, size_t n, esm_gftp_record *rec, esm_ld_error *err)
{
    size_t count = 1;
    for (size_t i = 0; i < n; i++)
        count += v[i] == ',';
    rec->retrans = malloc(count * sizeof *rec->retrans);
    if (!rec->retrans) {
        esm_ld_set_error(err, ESM_LD_ENOMEM, "out of memory");
        return ESM_LD_ENOMEM;
    }
    size_t at = 0;
    for (size_t k = 0; k < count; k++) {
        const char *c = memchr(v + at, ',', n - at);
        size_t e = c ? (size_t)(c - v) : n;
        if (parse_ll(v + at, e - at, &rec->retrans[k]) != 0) {
            esm_ld_set_error(err, ESM_LD_EVALUE, "retrans: element %zu is not an integer: '%.*s'",
                             k + 1, (int)(e - at > 64 ? 64 : e - at), v + at);
            return ESM_LD_EVALUE;
        }
        at = e + 1;
    }
    rec->n_retrans = count;
    return ESM_LD_OK;
}

static esm_ld_code store_field(int k, const char *v, size_t n, esm_gftp_record *rec,
                               esm_ld_error *err)
{
    char **sp = NULL;
    long long *ip = NULL;
    unsigned bit = 0;
    switch (k) {
    case K_HOST: sp = &rec->host; bit = ESM_GFTP_HAVE_HOST; break;
    case K_PROG: sp = &rec->prog; bit = ESM_GFTP_HAVE_PROG; break;
    case K_NL_EVNT: sp = &rec->nl_evnt; bit = ESM_GFTP_HAVE_NL_EVNT; break;
    case K_USER: sp = &rec->user; bit = ESM_GFTP_HAVE_USER; break;
    case K_VOLUME: sp = &rec->volume; bit = ESM_GFTP_HAVE_VOLUME; break;
    case K_TASKID: sp = &rec->taskid; bit = ESM_GFTP_HAVE_TASKID; break;
    case K_FILE:
        sp = &rec->file;
        bit = ESM_GFTP_HAVE_FILE;
        if (n >= 2 && v[0] == '"' && v[n - 1] == '"') {   /* FILE="..." (logger modules) */
            v++;
            n -= 2;
        }
        break;
    case K_BUFFER: ip = &rec->buffer; bit = ESM_GFTP_HAVE_BUFFER; break;
    case K_BLOCK: ip = &rec->block; bit = ESM_GFTP_HAVE_BLOCK; break;
    case K_NBYTES: ip = &rec->nbytes; bit = ESM_GFTP_HAVE_NBYTES; break;
    case K_STREAMS: ip = &rec->streams; bit = ESM_GFTP_HAVE_STREAMS; break;
    case K_STRIPES: ip = &rec->stripes; bit = ESM_GFTP_HAVE_STRIPES; break;
    case K_CODE: ip = &rec->code; bit = ESM_GFTP_HAVE_CODE; break;
    case K_DATE:
    case K_START: {
        esm_gftp_time *t = k == K_DATE ? &rec->end : &rec->start;
        if (parse_nltime(v, n, t) != 0) {
            esm_ld_set_error(err, ESM_LD_EVALUE,
                             "%s: not a YYYYmmddHHMMSS.ffffff time: '%.*s'", key_names[k],
                             (int)(n > 64 ? 64 : n), v);
            return ESM_LD_EVALUE;
        }
        rec->have |= k == K_DATE ? ESM_GFTP_HAVE_DATE : ESM_GFTP_HAVE_START;
        return ESM_LD_OK;
    }
    case K_TYPE:
        free(rec->type_text);
        if (!(rec->type_text = esm_ld_strndup(v, n)))
            goto nomem;
        rec->type = type_of(rec->type_text);
        rec->have |= ESM_GFTP_HAVE_TYPE;
        return ESM_LD_OK;
    case K_DEST: {
        free(rec->dest_raw);
        free(rec->dest);
        rec->dest = NULL;
        if (!(rec->dest_raw = esm_ld_strndup(v, n)))
            goto nomem;
        size_t b = 0, e = n;
        while (b < e && v[b] == '[')
            b++;
        while (e > b && v[e - 1] == ']')
            e--;
        if (!(rec->dest = esm_ld_strndup(v + b, e - b)))
            goto nomem;
        rec->dest_family = dest_family(rec->dest);
        rec->have |= ESM_GFTP_HAVE_DEST;
        return ESM_LD_OK;
    }
    case K_RETRANS:
        free(rec->retrans);
        rec->retrans = NULL;
        rec->n_retrans = 0;
        if (parse_retrans(v, n, rec, err) != ESM_LD_OK)
            return err ? err->code : ESM_LD_EVALUE;
        rec->have |= ESM_GFTP_HAVE_RETRANS;
        return ESM_LD_OK;
    default:
        return ESM_LD_OK;   /* SHARE, SHAREE: recognised as boundaries, not kept */
    }
    if (sp) {
        free(*sp);
        if (!(*sp = esm_ld_strndup(v, n)))
            goto nomem;
    } else if (parse_ll(v, n, ip) != 0) {
        esm_ld_set_error(err, ESM_LD_EVALUE, "%s: not an integer: '%.*s'", key_names[k],
                         (int)(n > 64 ? 64 : n), v);
        return ESM_LD_EVALUE;
    }
    rec->have |= bit;
    return ESM_LD_OK;
nomem:
    esm_ld_set_error(err, ESM_LD_ENOMEM, "out of memory");
    return ESM_LD_ENOMEM;
}

esm_ld_code esm_gftp_parse_line(const char *line, size_t len, esm_gftp_record *rec,
                                esm_ld_error *err)
{
    if (!rec || (!line && len)) {
        esm_ld_set_error(err, ESM_LD_EARG, "invalid argument");
        return ESM_LD_EARG;
    }
    memset(rec, 0, sizeof *rec);
    esm_ld_clear_error(err);
    const char *s = line;
    size_t n = len;
    trim(&s, &n);
    if (n == 0) {
        esm_ld_set_error(err, ESM_LD_ESYNTAX, "empty line");
        return ESM_LD_ESYNTAX;
    }
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 && c != '\t') {
            esm_ld_set_error(err, ESM_LD_ESYNTAX, "binary data (byte 0x%02x at column %zu)", c, i + 1);
            return ESM_LD_ESYNTAX;
        }
    }
    /* first key at a token boundary */
    size_t first = n;
    int fk = -1;
    for (size_t i = 0; i < n; i++) {
        if ((i == 0 || is_ws((unsigned char)s[i - 1])) && (fk = key_at(s + i, n - i)) >= 0) {
            first = i;
            break;
        }
    }
    if (fk < 0) {
        esm_ld_set_error(err, ESM_LD_ESYNTAX, "no KEY=value field: '%.*s'",
                         (int)(n > 64 ? 64 : n), s);
        return ESM_LD_ESYNTAX;
    }
    if (first > 0) {
        static const char pfx[] = "Transfer stats:";
        const char *p = s, *end = s + first;
        int found = 0;
        while ((p = memchr(p, 'T', (size_t)(end - p))) != NULL) {
            if ((size_t)(end - p) >= sizeof pfx - 1 && memcmp(p, pfx, sizeof pfx - 1) == 0) {
                found = 1;
                break;
            }
            p++;
        }
        if (!found) {
            esm_ld_set_error(err, ESM_LD_ESYNTAX, "unexpected text before the first field: '%.*s'",
                             (int)(first > 64 ? 64 : first), s);
            return ESM_LD_ESYNTAX;
        }
        rec->syslog_prefix = 1;
    }
    size_t i = first;
    int k = fk;
    esm_ld_code rc = ESM_LD_OK;
    while (k >= 0) {
        size_t vb = i + strlen(key_names[k]) + 1, j = vb;
        int nk = -1;
        for (; j < n; j++) {
            if (is_ws((unsigned char)s[j - 1]) && !is_ws((unsigned char)s[j]) &&
                (nk = key_at(s + j, n - j)) >= 0)
                break;
        }
        size_t ve = j;
        while (ve > vb && is_ws((unsigned char)s[ve - 1]))
            ve--;
        if ((rc = store_field(k, s + vb, ve - vb, rec, err)) != ESM_LD_OK)
            break;
        i = j;
        k = nk;
    }
    if (rc == ESM_LD_OK && esm_gftp_record_is_transfer(rec)) {
        const char *miss = !(rec->have & ESM_GFTP_HAVE_START) ? "START"
                           : !(rec->have & ESM_GFTP_HAVE_DATE) ? "DATE"
                           : !(rec->have & ESM_GFTP_HAVE_NBYTES) ? "NBYTES" : NULL;
        if (miss) {
            esm_ld_set_error(err, ESM_LD_EMISSING, "%s transfer record without %s",
                             rec->type_text, miss);
            rc = ESM_LD_EMISSING;
        }
    }
    if (rc != ESM_LD_OK)
        esm_gftp_record_clear(rec);
    return rc;
}

/* ---------- JSON style ---------- */

void esm_gftp_json_record_clear(esm_gftp_json_record *rec)
{
    if (!rec)
        return;
    free(rec->event_type);
    free(rec->transfer_id);
    free(rec->host);
    free(rec->dest);
    free(rec->cmd_type);
    free(rec->prog);
    free(rec->user);
    free(rec->file);
    free(rec->volume);
    free(rec->retrans);
    free(rec->iostat);
    free(rec->mpstat);
    free(rec->rusage);
    free(rec->streams_tcpinfo);
    memset(rec, 0, sizeof *rec);
}

int esm_gftp_json_is_transfer(const esm_gftp_json_record *rec)
{
    return rec && rec->event_type && strcmp(rec->event_type, "Transfer-End") == 0 &&
           rec->cmd_type && (strcmp(rec->cmd_type, "RETR") == 0 || strcmp(rec->cmd_type, "STOR") == 0);
}

/* utcfromtimestamp(): fraction rounded to the microsecond, half to even. */
static void round_time(double v, esm_gftp_time *t)
{
    double ip, frac = modf(v, &ip);
    double us = nearbyint(frac * 1e6);
    if (us >= 1000000) {
        ip += 1;
        us -= 1000000;
    } else if (us < 0) {
        ip -= 1;
        us += 1000000;
    }
    t->sec = (int64_t)ip;
    t->usec = (int32_t)us;
    t->short_fraction = 0;
}

static int json_num(json_t *v, esm_num *out)
{
    memset(out, 0, sizeof *out);
    if (!v)
        return 0;
    if (json_is_null(v)) {
        out->kind = ESM_NUM_NULL;
    } else if (json_is_integer(v)) {
        out->kind = ESM_NUM_INT;
        out->i = json_integer_value(v);
        out->d = (double)out->i;
    } else if (json_is_real(v)) {
        out->kind = ESM_NUM_REAL;
        out->d = json_real_value(v);
    } else {
        return -1;
    }
    return 0;
}

static char *json_str_dup(json_t *o, const char *key, int strip)
{
    json_t *v = json_object_get(o, key);
    if (!json_is_string(v))
        return NULL;
    const char *s = json_string_value(v);
    size_t n = json_string_length(v);
    if (strip)
        trim(&s, &n);
    return esm_ld_strndup(s, n);
}

/* Copy of an object with keys lower-cased, '/' -> '_', '%' removed. */
static json_t *rewrite_keys(json_t *obj)
{
    json_t *out = json_object();
    if (!out)
        return NULL;
    const char *key;
    json_t *val;
    json_object_foreach(obj, key, val) {
        size_t kl = strlen(key), o = 0;
        char *nk = malloc(kl + 1);
        if (!nk) {
            json_decref(out);
            return NULL;
        }
        for (size_t i = 0; i < kl; i++) {
            char c = key[i];
            if (c == '%')
                continue;
            nk[o++] = c == '/' ? '_' : (char)tolower((unsigned char)c);
        }
        nk[o] = '\0';
        int bad = json_object_set(out, nk, val);
        free(nk);
        if (bad) {
            json_decref(out);
            return NULL;
        }
    }
    return out;
}

static char *dump(json_t *v)
{
    return json_dumps(v, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY);
}

static char *stats_text(json_t *root, const char *key)
{
    json_t *v = json_object_get(root, key);
    if (!json_is_object(v))
        return esm_ld_strndup("{}", 2);
    json_t *r = rewrite_keys(v);
    char *t = r ? dump(r) : NULL;
    json_decref(r);
    return t;
}

static esm_ld_code json_fill(json_t *root, esm_gftp_json_record *rec, esm_ld_error *err)
{
    json_t *v;
    rec->event_type = json_str_dup(root, "event_type", 0);
    v = json_object_get(root, "transferID");
    if (json_is_string(v))
        rec->transfer_id = esm_ld_strndup(json_string_value(v), json_string_length(v));
    else if (json_is_number(v))
        rec->transfer_id = dump(v);
    rec->host = json_str_dup(root, "host", 1);
    rec->dest = json_str_dup(root, "dest", 0);
    rec->cmd_type = json_str_dup(root, "cmd_type", 0);
    rec->prog = json_str_dup(root, "prog", 0);
    rec->user = json_str_dup(root, "user", 0);
    rec->file = json_str_dup(root, "file", 0);
    rec->volume = json_str_dup(root, "volume", 0);

    static const char *const numkeys[] = {"ret_code", "nbytes", "nstreams", "tcp_bufsize",
                                          "globus_blocksize"};
    esm_num *nums[] = {&rec->ret_code, &rec->nbytes, &rec->nstreams, &rec->tcp_bufsize,
                       &rec->globus_blocksize};
    for (size_t i = 0; i < 5; i++) {
        if (json_num(json_object_get(root, numkeys[i]), nums[i]) != 0) {
            esm_ld_set_error(err, ESM_LD_EVALUE, "%s: not a number", numkeys[i]);
            return ESM_LD_EVALUE;
        }
    }
    int is_end = rec->event_type && strcmp(rec->event_type, "Transfer-End") == 0;
    static const char *const tskeys[] = {"start_timestamp", "end_timestamp"};
    esm_num *ts[] = {&rec->start_ts, &rec->end_ts};
    esm_gftp_time *tt[] = {&rec->start, &rec->end};
    for (size_t i = 0; i < 2; i++) {
        v = json_object_get(root, tskeys[i]);
        if (json_is_string(v)) {
            const char *s = json_string_value(v);
            char *endp;
            errno = 0;
            double d = strtod(s, &endp);
            while (is_ws((unsigned char)*endp))
                endp++;
            if (endp == s || *endp || errno || !isfinite(d)) {
                esm_ld_set_error(err, ESM_LD_EVALUE, "%s: not a number: '%.64s'", tskeys[i], s);
                return ESM_LD_EVALUE;
            }
            ts[i]->kind = ESM_NUM_REAL;
            ts[i]->d = d;
        } else if (json_num(v, ts[i]) != 0 || ts[i]->kind == ESM_NUM_NULL) {
            esm_ld_set_error(err, ESM_LD_EVALUE, "%s: not a number", tskeys[i]);
            return ESM_LD_EVALUE;
        }
        if (esm_num_present(ts[i])) {
            if (!isfinite(ts[i]->d) || fabs(ts[i]->d) > 1e14) {
                esm_ld_set_error(err, ESM_LD_EVALUE, "%s: out of range", tskeys[i]);
                return ESM_LD_EVALUE;
            }
            round_time(ts[i]->d, tt[i]);
        } else if (is_end) {
            esm_ld_set_error(err, ESM_LD_EMISSING, "Transfer-End record without %s", tskeys[i]);
            return ESM_LD_EMISSING;
        }
    }
    if (is_end && rec->nbytes.kind != ESM_NUM_INT) {
        esm_ld_set_error(err, rec->nbytes.kind == ESM_NUM_REAL ? ESM_LD_EVALUE : ESM_LD_EMISSING,
                         "Transfer-End record without an integer nbytes");
        return err ? err->code : ESM_LD_EMISSING;
    }

    rec->stripes = 1;
    json_t *streams = json_object_get(root, "streams");
    json_t *out_streams = json_array();
    if (!out_streams)
        goto nomem;
    if (json_is_array(streams) && json_array_size(streams) > 0) {
        size_t n = json_array_size(streams), idx;
        rec->retrans = calloc(n, sizeof *rec->retrans);
        if (!rec->retrans) {
            json_decref(out_streams);
            goto nomem;
        }
        rec->n_streams = n;
        long long maxstripe = 0;
        json_array_foreach(streams, idx, v) {
            json_t *st = json_object_get(v, "stripe");
            if (json_is_integer(st)) {
                if (json_integer_value(st) > maxstripe)
                    maxstripe = json_integer_value(st);
            } else {
                rec->stream_without_stripe = 1;
            }
            json_t *info = json_object_get(v, "TCPinfo");
            if (json_num(json_object_get(info, "total_retrans"), &rec->retrans[idx]) != 0 ||
                rec->retrans[idx].kind == ESM_NUM_ABSENT)
                rec->retrans[idx].kind = ESM_NUM_NULL;
            json_t *copy = json_is_object(v) ? json_copy(v) : json_incref(v);
            if (copy && json_is_object(info)) {
                json_t *r = rewrite_keys(info);
                if (!r || json_object_set_new(copy, "TCPinfo", r) != 0) {
                    json_decref(copy);
                    copy = NULL;
                }
            }
            if (!copy || json_array_append_new(out_streams, copy) != 0) {
                json_decref(out_streams);
                goto nomem;
            }
        }
        if (maxstripe > 0 && maxstripe < LLONG_MAX)
            rec->stripes = maxstripe + 1;
    }
    rec->streams_tcpinfo = dump(out_streams);
    json_decref(out_streams);
    rec->iostat = stats_text(root, "iostat");
    rec->mpstat = stats_text(root, "mpstat");
    rec->rusage = stats_text(root, "getrusage");
    if (!rec->streams_tcpinfo || !rec->iostat || !rec->mpstat || !rec->rusage)
        goto nomem;
    return ESM_LD_OK;
nomem:
    esm_ld_set_error(err, ESM_LD_ENOMEM, "out of memory");
    return ESM_LD_ENOMEM;
}

esm_ld_code esm_gftp_json_parse_line(const char *line, size_t len, esm_gftp_json_record *rec,
                                     esm_ld_error *err)
{
    if (!rec || (!line && len)) {
        esm_ld_set_error(err, ESM_LD_EARG, "invalid argument");
        return ESM_LD_EARG;
    }
    memset(rec, 0, sizeof *rec);
    esm_ld_clear_error(err);
    const char *s = line;
    size_t n = len;
    trim(&s, &n);
    json_error_t jerr;
    json_t *root = json_loadb(s ? s : "", n, 0, &jerr);
    if (!root) {
        esm_ld_set_error(err, ESM_LD_EJSON, "not valid JSON (column %d: %s)", jerr.column, jerr.text);
        return ESM_LD_EJSON;
    }
    if (!json_is_object(root)) {
        json_decref(root);
        esm_ld_set_error(err, ESM_LD_EJSON, "JSON value is not an object");
        return ESM_LD_EJSON;
    }
    esm_ld_code rc = json_fill(root, rec, err);
    json_decref(root);
    if (rc != ESM_LD_OK)
        esm_gftp_json_record_clear(rec);
    return rc;
}

/* ---------- reader ---------- */

struct esm_gftp_reader {
    esm_ld_lines *lines;
    int style;
    uint64_t line_no;
};

esm_gftp_reader *esm_gftp_reader_new(int style, uint64_t start_offset)
{
    esm_gftp_reader *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    /* netlogger lines are built in a 4096-byte buffer; allow generous slack */
    r->lines = esm_ld_lines_new(style == ESM_GFTP_JSON ? (size_t)4 << 20 : (size_t)64 << 10,
                                start_offset);
    if (!r->lines) {
        free(r);
        return NULL;
    }
    r->style = style;
    return r;
}

void esm_gftp_reader_free(esm_gftp_reader *r)
{
    if (!r)
        return;
    esm_ld_lines_free(r->lines);
    free(r);
}

esm_ld_code esm_gftp_reader_feed(esm_gftp_reader *r, const void *data, size_t len)
{
    return r ? esm_ld_lines_feed(r->lines, data, len) : ESM_LD_EARG;
}

void esm_gftp_reader_finish(esm_gftp_reader *r)
{
    if (r)
        esm_ld_lines_finish(r->lines);
}

esm_ld_code esm_gftp_reader_next(esm_gftp_reader *r, esm_gftp_record *net,
                                 esm_gftp_json_record *json, esm_gftp_pos *pos,
                                 esm_ld_error *err)
{
    if (!r || (r->style == ESM_GFTP_JSON ? !json : !net)) {
        esm_ld_set_error(err, ESM_LD_EARG, "invalid argument");
        return ESM_LD_EARG;
    }
    for (;;) {
        esm_ld_line ln;
        esm_ld_code rc = esm_ld_lines_next(r->lines, &ln);
        if (rc == ESM_LD_MORE || rc == ESM_LD_END)
            return rc;
        r->line_no++;
        if (pos)
            *pos = (esm_gftp_pos){.begin = ln.begin, .end = ln.end, .line_no = r->line_no,
                                  .terminated = ln.terminated};
        if (rc == ESM_LD_ETOOLONG) {
            esm_ld_set_error(err, rc, "line %llu longer than the limit (%llu bytes)",
                             (unsigned long long)r->line_no,
                             (unsigned long long)(ln.end - ln.begin));
            return rc;
        }
        const char *s = ln.text;
        size_t n = ln.len;
        trim(&s, &n);
        if (n == 0)
            continue;
        if (pos) {
            pos->text = s;
            pos->len = n;
        }
        if (r->style == ESM_GFTP_JSON)
            return esm_gftp_json_parse_line(s, n, json, err);
        return esm_gftp_parse_line(s, n, net, err);
    }
}
