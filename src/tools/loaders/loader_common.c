/* Loader parsers: codes, errors and the incremental line reader. */
#include "loader_common.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *esm_ld_strerror(esm_ld_code code)
{
    switch (code) {
    case ESM_LD_OK: return "success";
    case ESM_LD_MORE: return "more input needed";
    case ESM_LD_END: return "end of input";
    case ESM_LD_ENOMEM: return "out of memory";
    case ESM_LD_EARG: return "invalid argument";
    case ESM_LD_ESYNTAX: return "malformed input";
    case ESM_LD_EMISSING: return "required field missing";
    case ESM_LD_EVALUE: return "invalid field value";
    case ESM_LD_EJSON: return "invalid JSON";
    case ESM_LD_ENOJSON: return "no tool JSON output found";
    case ESM_LD_ETOOL: return "measurement tool failed";
    case ESM_LD_EUNSUPPORTED: return "unsupported input";
    case ESM_LD_ETOOLONG: return "input too long";
    case ESM_LD_EIO: return "input/output error";
    }
    return "unknown error";
}

void esm_ld_set_error(esm_ld_error *err, esm_ld_code code, const char *fmt, ...)
{
    if (!err)
        return;
    err->code = code;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
}

struct esm_ld_lines {
    char *buf;
    size_t len, cap;
    size_t pos;        /* start of the unconsumed part */
    size_t scan;       /* no '\n' in [pos, scan) */
    uint64_t base;     /* stream offset of buf[0] */
    size_t max_line;
    int finished;
    int skipping;      /* inside an over-long line being discarded */
    uint64_t skip_begin;
};

esm_ld_lines *esm_ld_lines_new(size_t max_line, uint64_t start_offset)
{
    esm_ld_lines *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    r->max_line = max_line ? max_line : (size_t)16 << 20;
    r->base = start_offset;
    return r;
}

void esm_ld_lines_free(esm_ld_lines *r)
{
    if (!r)
        return;
    free(r->buf);
    free(r);
}

static void compact(esm_ld_lines *r)
{
    if (r->pos == 0)
        return;
    memmove(r->buf, r->buf + r->pos, r->len - r->pos);
    r->len -= r->pos;
    r->scan -= r->pos;
    r->base += r->pos;
    r->pos = 0;
}

esm_ld_code esm_ld_lines_feed(esm_ld_lines *r, const void *data, size_t len)
{
    if (!r || (!data && len))
        return ESM_LD_EARG;
    if (len == 0)
        return ESM_LD_OK;
    /* compact when the consumed prefix dominates: amortised linear */
    if (r->pos > 0 && (r->pos >= r->len / 2 || r->len + len > r->cap))
        compact(r);
    if (r->len + len + 1 > r->cap) {
        size_t ncap = r->cap ? r->cap : 4096;
        while (ncap < r->len + len + 1) {
            if (ncap > SIZE_MAX / 2)
                return ESM_LD_ENOMEM;
            ncap *= 2;
        }
        char *nb = realloc(r->buf, ncap);
        if (!nb)
            return ESM_LD_ENOMEM;
        r->buf = nb;
        r->cap = ncap;
    }
    memcpy(r->buf + r->len, data, len);
    r->len += len;
    r->buf[r->len] = '\0';
    return ESM_LD_OK;
}

void esm_ld_lines_finish(esm_ld_lines *r)
{
    if (r)
        r->finished = 1;
}

esm_ld_code esm_ld_lines_next(esm_ld_lines *r, esm_ld_line *line)
{
    if (!r || !line)
        return ESM_LD_EARG;
    memset(line, 0, sizeof *line);
    for (;;) {
        size_t avail = r->len - r->scan;
        char *nl = avail ? memchr(r->buf + r->scan, '\n', avail) : NULL;
        if (r->skipping) {
            if (!nl) {
                /* drop everything buffered: still inside the long line */
                r->base += r->len;
                r->len = r->pos = r->scan = 0;
                if (!r->finished)
                    return ESM_LD_MORE;
                r->skipping = 0;
                line->begin = r->skip_begin;
                line->end = r->base;
                return ESM_LD_ETOOLONG;
            }
            size_t after = (size_t)(nl - r->buf) + 1;
            r->skipping = 0;
            line->begin = r->skip_begin;
            line->end = r->base + after;
            r->pos = r->scan = after;
            return ESM_LD_ETOOLONG;
        }
        if (nl) {
            size_t start = r->pos, stop = (size_t)(nl - r->buf);
            if (stop - start > r->max_line) {
                line->begin = r->base + start;
                line->end = r->base + stop + 1;
                r->pos = r->scan = stop + 1;
                return ESM_LD_ETOOLONG;
            }
            *nl = '\0';
            line->text = r->buf + start;
            line->len = stop - start;
            line->begin = r->base + start;
            line->end = r->base + stop + 1;
            line->terminated = 1;
            r->pos = r->scan = stop + 1;
            return ESM_LD_OK;
        }
        r->scan = r->len;
        if (r->len - r->pos > r->max_line) {
            r->skipping = 1;
            r->skip_begin = r->base + r->pos;
            r->pos = r->scan = r->len;
            continue;
        }
        if (!r->finished)
            return ESM_LD_MORE;
        if (r->pos == r->len)
            return ESM_LD_END;
        line->text = r->buf + r->pos;   /* buf is kept NUL-terminated */
        line->len = r->len - r->pos;
        line->begin = r->base + r->pos;
        line->end = r->base + r->len;
        line->terminated = 0;
        r->pos = r->scan = r->len;
        return ESM_LD_OK;
    }
}

void esm_ld_clear_error(esm_ld_error *err)
{
    if (err) {
        err->code = ESM_LD_OK;
        err->msg[0] = '\0';
    }
}

char *esm_ld_strndup(const char *s, size_t n)
{
    char *p = malloc(n + 1);
    if (p) {
        memcpy(p, s, n);
        p[n] = '\0';
    }
    return p;
}

void esm_ld_put_num(esm_buf *b, const esm_num *n)
{
    if (n->kind == ESM_NUM_INT)
        esm_buf_printf(b, "%lld", n->i);
    else if (n->kind == ESM_NUM_REAL)
        esm_buf_json_real(b, n->d);
    else
        esm_buf_puts(b, "null");
}

void esm_ld_put_num_list(esm_buf *b, const esm_num *v, size_t n)
{
    esm_buf_puts(b, "[");
    for (size_t k = 0; k < n; k++) {
        if (k)
            esm_buf_puts(b, ", ");
        esm_ld_put_num(b, &v[k]);
    }
    esm_buf_puts(b, "]");
}
