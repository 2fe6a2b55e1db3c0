/* JSON into a flat token array (see jsontok.h), parsed by yajl. yajl's
 * callbacks append tokens; what yajl lets pass and jansson (the reader
 * before, and the reference of the differential test) refuses is refused
 * after the parse: lax UTF-8, lone surrogate escapes, \f and \v taken for
 * white space, NUL in keys, reals beyond the double range. yajl's own
 * allocations come from a per-document arena, as a point's parse makes a
 * handful of them and pages hold thousands of points. */
#include "jsontok.h"

#include <locale.h>
#include <math.h>
#include <stdalign.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_parse.h>

/* ---- yajl's allocator: a bump arena reset at each parse ---- */

typedef struct {
    size_t size;  /* the usable bytes after the header */
    size_t heap;  /* 1: malloc'd because the arena was full */
} block;

#define BLOCK_ALIGN (sizeof(block))

static void *arena_malloc(void *ctx, size_t n)
{
    esm_jdoc *d = ctx;
    size_t need = sizeof(block) + ((n + BLOCK_ALIGN - 1) & ~(BLOCK_ALIGN - 1));
    block *b;
    if (need <= sizeof d->arena - d->arena_used) {
        b = (block *)(void *)(d->arena + d->arena_used);
        d->arena_used += need;
        b->heap = 0;
    } else {
        if (!(b = malloc(need)))
            return NULL;
        b->heap = 1;
    }
    b->size = need - sizeof(block);
    return b + 1;
}

static void arena_free(void *ctx, void *p)
{
    (void)ctx;
    if (p && ((block *)p - 1)->heap)
        free((block *)p - 1);
}

static void *arena_realloc(void *ctx, void *p, size_t n)
{
    if (!p)
        return arena_malloc(ctx, n);
    block *b = (block *)p - 1;
    if (n <= b->size)
        return p;
    void *q = arena_malloc(ctx, n);
    if (q) {
        memcpy(q, p, b->size);
        arena_free(ctx, p);
    }
    return q;
}

void esm_jdoc_init(esm_jdoc *d)
{
    memset(d, 0, sizeof *d);
}

void esm_jdoc_free(esm_jdoc *d)
{
    free(d->tok);
    free(d->seen);
    free(d->text);
    free(d->parser);
    esm_jdoc_init(d);
}

/* ---- the parse ---- */

typedef struct {
    esm_jdoc *d;
    uint32_t open[ESM_JT_MAX_DEPTH]; /* the containers being read */
    int depth;
    bool done;                       /* the top value is complete */
    esm_jt_status err;               /* why a callback stopped the parse */
} parser;

static int fail(parser *p, esm_jt_status why)
{
    p->err = why;
    return 0;
}

/* A new token; counts it as an element of the array it is in (members of
 * objects are counted by their keys). */
static int add(parser *p, esm_jt_type type, uint32_t *out)
{
    esm_jdoc *d = p->d;
    if (d->n == d->cap) {
        if (d->n >= (d->max_tokens ? d->max_tokens : ESM_JT_MAX_TOKENS))
            return fail(p, ESM_JT_SYNTAX);
        size_t cap = d->cap ? d->cap * 2 : 64;
        esm_jtok *t = realloc(d->tok, cap * sizeof *t);
        if (!t)
            return fail(p, ESM_JT_NOMEM);
        d->tok = t;
        d->cap = cap;
    }
    d->tok[d->n] = (esm_jtok){(uint8_t)type, 0, 0, 0, 0, (uint32_t)d->n + 1, 0};
    *out = (uint32_t)d->n++;
    if (p->depth > 0 && d->tok[p->open[p->depth - 1]].type == ESM_JT_ARRAY)
        d->tok[p->open[p->depth - 1]].size++;
    else if (p->depth == 0)
        p->done = type != ESM_JT_ARRAY && type != ESM_JT_OBJECT;
    return 1;
}

/* Copies s[0..n) and a NUL into the document's text; token t points at it. */
static int keep_text(parser *p, uint32_t t, const unsigned char *s, size_t n)
{
    esm_jdoc *d = p->d;
    if (n + 1 > UINT32_MAX - d->text_len)
        return fail(p, ESM_JT_SYNTAX);
    if (d->text_len + n + 1 > d->text_cap) {
        size_t cap = d->text_cap ? d->text_cap : 256;
        while (cap < d->text_len + n + 1)
            cap *= 2;
        char *text = realloc(d->text, cap);
        if (!text)
            return fail(p, ESM_JT_NOMEM);
        d->text = text;
        d->text_cap = cap;
    }
    memcpy(d->text + d->text_len, s, n);
    d->text[d->text_len + n] = '\0';
    d->tok[t].start = (uint32_t)d->text_len;
    d->tok[t].len = (uint32_t)n;
    d->text_len += n + 1;
    return 1;
}

/* Whether s[0..n) is UTF-8 as jansson checks it (utf8_check_first/full):
 * no overlong forms, surrogates or values beyond U+10FFFF. */
static bool valid_utf8(const unsigned char *s, size_t n)
{
    for (size_t i = 0; i < n;) {
        if (s[i] < 0x80) {
            i++;
            continue;
        }
        size_t k = s[i] < 0xC2 ? 0 : s[i] < 0xE0 ? 2 : s[i] < 0xF0 ? 3 : s[i] < 0xF5 ? 4 : 0;
        if (k == 0 || i + k > n)
            return false;
        unsigned long cp = s[i] & (0x7F >> k);
        for (size_t j = 1; j < k; j++) {
            if ((s[i + j] & 0xC0) != 0x80)
                return false;
            cp = (cp << 6) | (s[i + j] & 0x3F);
        }
        if ((k == 3 && cp < 0x800) || (k == 4 && cp < 0x10000) || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return false;
        i += k;
    }
    return true;
}

static int on_string(void *ctx, const unsigned char *s, size_t n)
{
    parser *p = ctx;
    uint32_t t;
    if (!valid_utf8(s, n))
        return fail(p, ESM_JT_SYNTAX);
    return add(p, ESM_JT_STRING, &t) && keep_text(p, t, s, n);
}

static int on_key(void *ctx, const unsigned char *s, size_t n)
{
    parser *p = ctx;
    if (memchr(s, '\0', n)) /* jansson takes no NUL in keys */
        return fail(p, ESM_JT_SYNTAX);
    p->d->tok[p->open[p->depth - 1]].size++;
    return on_string(ctx, s, n);
}

static int on_literal(parser *p, esm_jt_type type)
{
    uint32_t t;
    return add(p, type, &t);
}

static int on_null(void *ctx)
{
    return on_literal(ctx, ESM_JT_NULL);
}

static int on_boolean(void *ctx, int b)
{
    return on_literal(ctx, b ? ESM_JT_TRUE : ESM_JT_FALSE);
}

/* Locale-proof strtod of a JSON number's text. */
static double text_real(const char *s, size_t n)
{
    const char *point = localeconv()->decimal_point;
    size_t plen = strlen(point);
    char local[128];
    char *buf = n + plen < sizeof local ? local : malloc(n + plen + 1);
    if (!buf)
        return NAN;
    size_t w = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '.') {
            memcpy(buf + w, point, plen);
            w += plen;
        } else {
            buf[w++] = s[i];
        }
    }
    buf[w] = '\0';
    double d = strtod(buf, NULL);
    if (buf != local)
        free(buf);
    return d;
}

/* yajl has checked the grammar; this tells an integer of 64 bits from a
 * real (a fraction, an exponent or more digits), as jansson's
 * JSON_DECODE_INT_AS_REAL retry did, and refuses reals beyond the range of
 * a double, as jansson does. */
static int on_number(void *ctx, const char *s, size_t n)
{
    parser *p = ctx;
    uint32_t t;
    if (!add(p, ESM_JT_INT, &t))
        return 0;
    esm_jtok *tok = &p->d->tok[t];
    bool neg = s[0] == '-', real = false;
    uint64_t u = 0, limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
    size_t i = neg;
    for (; i < n && s[i] >= '0' && s[i] <= '9' && !real; i++) {
        unsigned dgt = (unsigned)(s[i] - '0');
        real = u > (limit - dgt) / 10;
        u = u * 10 + dgt;
    }
    if (!real && i == n) { /* its value is all an integer keeps: no text (half a histogram's tokens) */
        tok->ival = neg ? (int64_t)(0 - u) : (int64_t)u;
        return 1;
    }
    tok->type = ESM_JT_REAL;
    if (!keep_text(p, t, (const unsigned char *)s, n))
        return 0;
    /* only a long number or a large exponent can overflow */
    const char *e = memchr(s, 'e', n);
    e = e ? e : memchr(s, 'E', n);
    if ((n > 300 || (e && (size_t)(s + n - e) > 3)) && !isfinite(text_real(s, n)))
        return fail(p, ESM_JT_SYNTAX);
    return 1;
}

static int on_open(parser *p, esm_jt_type type)
{
    uint32_t t;
    if (p->depth >= ESM_JT_MAX_DEPTH)
        return fail(p, ESM_JT_SYNTAX);
    if (!add(p, type, &t))
        return 0;
    p->open[p->depth++] = t;
    return 1;
}

static int on_start_map(void *ctx)
{
    return on_open(ctx, ESM_JT_OBJECT);
}

static int on_start_array(void *ctx)
{
    return on_open(ctx, ESM_JT_ARRAY);
}

static bool same_key(const esm_jdoc *d, uint32_t a, uint32_t b)
{
    return d->tok[a].len == d->tok[b].len && !memcmp(esm_jdoc_str(d, a), esm_jdoc_str(d, b), d->tok[a].len);
}

/* Key a repeats key first (its first occurrence): first takes a's value,
 * a is passed over, so that a walk of the members stays linear. */
static void link_repeat(esm_jdoc *d, uint32_t first, uint32_t a)
{
    d->tok[first].size = a + 1;
    d->tok[a].dup = 1;
}

/* Counts the distinct keys of object token o with k members; flags dup and
 * links repeated keys (link_repeat). */
static int count_keys(parser *p, uint32_t o, uint32_t k)
{
    esm_jdoc *d = p->d;
    uint32_t distinct = 0;
    if (k <= 8) { /* a few comparisons beat hashing */
        for (uint32_t a = o + 1, i = 0; i < k; i++, a = d->tok[a + 1].next) {
            uint32_t b = o + 1;
            while (b != a && !same_key(d, a, b))
                b = d->tok[b + 1].next;
            if (b != a)
                link_repeat(d, b, a);
            distinct += b == a;
        }
    } else {
        size_t cap = 16;
        while (cap < 2 * (size_t)k)
            cap *= 2;
        if (cap > d->seen_cap) {
            uint32_t *s = realloc(d->seen, cap * sizeof *s);
            if (!s)
                return fail(p, ESM_JT_NOMEM);
            d->seen = s;
            d->seen_cap = cap;
        }
        memset(d->seen, 0, cap * sizeof *d->seen); /* 0: empty (no key is token 0) */
        for (uint32_t a = o + 1, i = 0; i < k; i++, a = d->tok[a + 1].next) {
            const unsigned char *s = (const unsigned char *)esm_jdoc_str(d, a);
            uint32_t h = 2166136261u;
            for (uint32_t j = 0; j < d->tok[a].len; j++)
                h = (h ^ s[j]) * 16777619u;
            size_t slot = h & (cap - 1);
            while (d->seen[slot] && !same_key(d, d->seen[slot], a))
                slot = (slot + 1) & (cap - 1);
            if (d->seen[slot])
                link_repeat(d, d->seen[slot], a);
            else
                d->seen[slot] = a;
            distinct += d->seen[slot] == a;
        }
    }
    d->tok[o].size = distinct;
    d->tok[o].dup = distinct != k;
    return 1;
}

static int on_close(void *ctx)
{
    parser *p = ctx;
    uint32_t t = p->open[--p->depth];
    esm_jtok *tok = &p->d->tok[t];
    tok->next = (uint32_t)p->d->n;
    p->done = p->depth == 0;
    return tok->type == ESM_JT_OBJECT && tok->size > 1 ? count_keys(p, t, tok->size) : 1;
}

static const yajl_callbacks callbacks = {
    .yajl_null = on_null,
    .yajl_boolean = on_boolean,
    .yajl_number = on_number,
    .yajl_string = on_string,
    .yajl_start_map = on_start_map,
    .yajl_map_key = on_key,
    .yajl_end_map = on_close,
    .yajl_start_array = on_start_array,
    .yajl_end_array = on_close,
};

static int hex4(const char *s)
{
    int v = 0;
    for (int i = 0; i < 4; i++) {
        char c = s[i];
        v = v * 16 + (c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
    }
    return v;
}

/* What yajl read leniently in text[0..n), a JSON value it accepted: a
 * surrogate escape not in a high-low pair (yajl writes '?' or the lone
 * surrogate), and \f or \v (white space to yajl; in a string they would have
 * been refused as control characters). Backslashes only occur in strings,
 * where yajl checked every escape's form. */
static bool lenient(const char *text, size_t n)
{
    if (memchr(text, '\f', n) || memchr(text, '\v', n))
        return true;
    for (const char *s = memchr(text, '\\', n), *end = text + n; s; s = memchr(s, '\\', (size_t)(end - s))) {
        if (s[1] != 'u') {
            s += 2;
            continue;
        }
        int cp = hex4(s + 2);
        if (cp >= 0xDC00 && cp <= 0xDFFF)
            return true;
        s += 6;
        if (cp >= 0xD800 && cp <= 0xDBFF) {
            if (end - s < 6 || s[0] != '\\' || s[1] != 'u' || (cp = hex4(s + 2)) < 0xDC00 || cp > 0xDFFF)
                return true;
            s += 6;
        }
    }
    return false;
}

/* A top-level number or literal that yajl ended where jansson reads on:
 * "01", "truex" (inside a container, yajl refuses what follows). */
static bool run_on(const esm_jdoc *d, char next)
{
    bool letter = (next >= 'a' && next <= 'z') || (next >= 'A' && next <= 'Z');
    switch (d->tok[0].type) {
    case ESM_JT_INT:
    case ESM_JT_REAL: return next >= '0' && next <= '9';
    case ESM_JT_NULL:
    case ESM_JT_TRUE:
    case ESM_JT_FALSE: return letter;
    default: return false;
    }
}

esm_jt_status esm_jdoc_parse(esm_jdoc *d, const char *text, size_t len, size_t *used)
{
    *used = 0;
    d->n = 0;
    d->text_len = 0;
    d->arena_used = 0;
    if (!text || len > UINT32_MAX)
        return ESM_JT_SYNTAX;
    parser *p = d->parser;
    if (!p && !(p = d->parser = malloc(sizeof *p)))
        return ESM_JT_NOMEM;
    p->d = d;
    p->depth = 0;
    p->done = false;
    p->err = ESM_JT_SYNTAX;
    yajl_alloc_funcs afs = {arena_malloc, arena_realloc, arena_free, d};
    yajl_handle h = yajl_alloc(&callbacks, &afs, p);
    if (!h)
        return ESM_JT_NOMEM;
    yajl_config(h, yajl_allow_trailing_garbage, 1); /* the value ends where it ends */
    yajl_status st = yajl_parse(h, (const unsigned char *)text, len);
    size_t n = yajl_get_bytes_consumed(h);
    if (st == yajl_status_ok && !p->done) { /* a number at the very end waits for more */
        st = yajl_complete_parse(h);
        n = len;
    }
    yajl_free(h);
    if (st != yajl_status_ok || !p->done || lenient(text, n) || (n < len && run_on(d, text[n]))) {
        d->n = 0;
        return st == yajl_status_client_canceled ? p->err : ESM_JT_SYNTAX;
    }
    *used = n;
    return ESM_JT_OK;
}

/* The value of the member whose key (a first occurrence) is token k: the last repeat's. */
static uint32_t member_value(const esm_jdoc *d, uint32_t k)
{
    return d->tok[k].size ? d->tok[k].size : k + 1;
}

uint32_t esm_jdoc_member(const esm_jdoc *d, uint32_t i, const char *name)
{
    const esm_jtok *o = &d->tok[i];
    if (o->type != ESM_JT_OBJECT)
        return 0;
    size_t n = strlen(name);
    for (uint32_t k = i + 1; k < o->next; k = d->tok[k + 1].next)
        if (d->tok[k].len == n && !memcmp(esm_jdoc_str(d, k), name, n))
            return member_value(d, k);
    return 0;
}

bool esm_jdoc_next_member(const esm_jdoc *d, uint32_t obj, uint32_t *it, uint32_t *key, uint32_t *val)
{
    const esm_jtok *o = &d->tok[obj];
    uint32_t k = *it ? *it : obj + 1;
    for (; k < o->next; k = d->tok[k + 1].next) {
        if (d->tok[k].dup)
            continue;
        *key = k;
        *val = member_value(d, k);
        *it = d->tok[k + 1].next;
        return true;
    }
    *it = o->next;
    return false;
}

double esm_jdoc_real(const esm_jdoc *d, uint32_t i)
{
    const esm_jtok *t = &d->tok[i];
    return t->type == ESM_JT_INT ? (double)t->ival : text_real(d->text + t->start, t->len);
}
