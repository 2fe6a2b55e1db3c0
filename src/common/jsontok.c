/* JSON into a flat token array (see jsontok.h). The grammar and its limits
 * follow jansson's lexer (load.c), which was the reader before. */
#include "jsontok.h"

#include <locale.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

void esm_jdoc_init(esm_jdoc *d)
{
    memset(d, 0, sizeof *d);
}

void esm_jdoc_free(esm_jdoc *d)
{
    free(d->tok);
    free(d->seen);
    esm_jdoc_init(d);
}

typedef struct {
    esm_jdoc *d;
    char *s;
    size_t len, pos;
    int depth;
    esm_jt_status err; /* why parsing stopped */
} parser;

static bool fail(parser *p, esm_jt_status why)
{
    p->err = why;
    return false;
}

static bool add(parser *p, esm_jt_type type, size_t start, uint32_t *out)
{
    esm_jdoc *d = p->d;
    if (d->n == d->cap) {
        size_t cap = d->cap ? d->cap * 2 : 64;
        if (d->n >= ESM_JT_MAX_TOKENS)
            return fail(p, ESM_JT_SYNTAX);
        esm_jtok *t = realloc(d->tok, cap * sizeof *t);
        if (!t)
            return fail(p, ESM_JT_NOMEM);
        d->tok = t;
        d->cap = cap;
    }
    d->tok[d->n] = (esm_jtok){(uint8_t)type, 0, (uint32_t)start, 0, 0, (uint32_t)d->n + 1, 0};
    *out = (uint32_t)d->n++;
    return true;
}

static void skip_space(parser *p)
{
    while (p->pos < p->len) {
        char c = p->s[p->pos];
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
            break;
        p->pos++;
    }
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Four hex digits at s[at..], or -1. */
static long hex4(const parser *p, size_t at)
{
    if (at + 4 > p->len)
        return -1;
    long v = 0;
    for (size_t i = 0; i < 4; i++) {
        int h = hex_value(p->s[at + i]);
        if (h < 0)
            return -1;
        v = v * 16 + h;
    }
    return v;
}

static size_t put_utf8(char *out, unsigned long cp)
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* The length of the valid UTF-8 sequence at s[at..] (jansson's
 * utf8_check_first/full: no overlong forms, surrogates or values beyond
 * U+10FFFF), or 0. */
static size_t utf8_sequence(const parser *p, size_t at)
{
    const unsigned char *u = (const unsigned char *)p->s + at;
    size_t n = u[0] < 0xC2 ? 0 : u[0] < 0xE0 ? 2 : u[0] < 0xF0 ? 3 : u[0] < 0xF5 ? 4 : 0;
    if (n == 0 || at + n > p->len)
        return 0;
    unsigned long cp = u[0] & (0x7F >> n);
    for (size_t i = 1; i < n; i++) {
        if ((u[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (u[i] & 0x3F);
    }
    if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return n;
}

/* A backslash escape at s[pos] ('\\'), decoded to out; *in gets the
 * escape's length. 0 when invalid. */
static size_t escape(const parser *p, size_t pos, char *out, size_t *in)
{
    if (pos + 1 >= p->len)
        return 0;
    static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
    char c = p->s[pos + 1];
    const char *e = c ? strchr(from, c) : NULL;
    if (e) {
        *out = to[e - from];
        *in = 2;
        return 1;
    }
    if (c != 'u')
        return 0;
    long cp = hex4(p, pos + 2);
    *in = 6;
    if (cp < 0 || (cp >= 0xDC00 && cp <= 0xDFFF))
        return 0;
    if (cp >= 0xD800 && cp <= 0xDBFF) { /* a pair, or nothing */
        long lo = pos + 7 < p->len && p->s[pos + 6] == '\\' && p->s[pos + 7] == 'u' ? hex4(p, pos + 8) : -1;
        if (lo < 0xDC00 || lo > 0xDFFF)
            return 0;
        cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
        *in = 12;
    }
    return put_utf8(out, (unsigned long)cp);
}

/* Bytes copied as they are: printable ASCII but the quote and backslash. */
static bool plain(unsigned char c)
{
    return c >= 0x20 && c < 0x80 && c != '"' && c != '\\';
}

/* The string literal at s[pos] ('"'), decoded in place. */
static bool string(parser *p, uint32_t *out, bool key)
{
    size_t pos = p->pos + 1, w = pos;
    char *s = p->s;
    if (!add(p, ESM_JT_STRING, pos, out))
        return false;
    for (;;) {
        size_t q = pos;
        while (q < p->len && plain((unsigned char)s[q]))
            q++;
        if (w != pos)
            memmove(s + w, s + pos, q - pos);
        w += q - pos;
        pos = q;
        if (pos >= p->len)
            return fail(p, ESM_JT_SYNTAX);
        unsigned char c = (unsigned char)s[pos];
        size_t n, in;
        if (c == '"')
            break;
        if (c == '\\') {
            char tmp[4];
            if (!(n = escape(p, pos, tmp, &in)) || (key && n == 1 && tmp[0] == '\0'))
                return fail(p, ESM_JT_SYNTAX); /* jansson takes no NUL in keys */
            memcpy(s + w, tmp, n);
            w += n;
            pos += in;
        } else {
            if (c < 0x20 || !(n = utf8_sequence(p, pos)))
                return fail(p, ESM_JT_SYNTAX);
            if (w != pos)
                memmove(s + w, s + pos, n);
            w += n;
            pos += n;
        }
    }
    s[w] = '\0';
    p->d->tok[*out].len = (uint32_t)(w - p->d->tok[*out].start);
    p->pos = pos + 1;
    return true;
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

static size_t digits(const parser *p, size_t pos)
{
    while (pos < p->len && is_digit(p->s[pos]))
        pos++;
    return pos;
}

static bool number(parser *p)
{
    const char *s = p->s;
    size_t start = p->pos, pos = start;
    bool neg = pos < p->len && s[pos] == '-';
    pos += neg;
    if (pos >= p->len || !is_digit(s[pos]))
        return fail(p, ESM_JT_SYNTAX);
    size_t int_start = pos;
    pos = s[pos] == '0' ? pos + 1 : digits(p, pos);
    if (pos < p->len && is_digit(s[pos]))
        return fail(p, ESM_JT_SYNTAX); /* a leading zero */
    size_t int_digits = pos - int_start;
    bool real = false;
    long exp = 0;
    if (pos < p->len && s[pos] == '.') {
        size_t f = pos + 1;
        pos = digits(p, f);
        if (pos == f)
            return fail(p, ESM_JT_SYNTAX);
        real = true;
    }
    if (pos < p->len && (s[pos] == 'e' || s[pos] == 'E')) {
        pos++;
        bool eneg = pos < p->len && s[pos] == '-';
        pos += pos < p->len && (s[pos] == '-' || s[pos] == '+');
        size_t d0 = pos;
        pos = digits(p, pos);
        if (pos == d0)
            return fail(p, ESM_JT_SYNTAX);
        for (size_t i = d0; i < pos && exp < 100000; i++)
            exp = exp * 10 + (s[i] - '0');
        exp = eneg ? -exp : exp;
        real = true;
    }
    uint32_t t;
    if (!add(p, ESM_JT_INT, start, &t))
        return false;
    esm_jtok *tok = &p->d->tok[t];
    tok->len = (uint32_t)(pos - start);
    p->pos = pos;
    if (!real) {
        uint64_t u = 0, limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
        for (size_t i = int_start; i < pos && !real; i++) {
            unsigned dgt = (unsigned)(s[i] - '0');
            real = u > (limit - dgt) / 10; /* beyond 64 bits: a real */
            u = u * 10 + dgt;
        }
        if (!real) {
            tok->ival = neg ? (int64_t)(0 - u) : (int64_t)u;
            return true;
        }
    }
    tok->type = ESM_JT_REAL;
    /* only a large decimal exponent can overflow; jansson refuses those */
    if ((long)int_digits + exp > 300 && !isfinite(text_real(s + start, pos - start)))
        return fail(p, ESM_JT_SYNTAX);
    return true;
}

static bool literal(parser *p)
{
    static const struct {
        const char *word;
        size_t len;
        esm_jt_type type;
    } words[] = {{"true", 4, ESM_JT_TRUE}, {"false", 5, ESM_JT_FALSE}, {"null", 4, ESM_JT_NULL}};
    for (size_t i = 0; i < 3; i++) {
        size_t end = p->pos + words[i].len;
        if (end <= p->len && !memcmp(p->s + p->pos, words[i].word, words[i].len)) {
            char c = end < p->len ? p->s[end] : 0;
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
                break; /* "truex" is one word, and no JSON */
            uint32_t t;
            p->pos = end;
            return add(p, words[i].type, end - words[i].len, &t);
        }
    }
    return fail(p, ESM_JT_SYNTAX);
}

static bool same_key(const esm_jdoc *d, uint32_t a, uint32_t b)
{
    return d->tok[a].len == d->tok[b].len && !memcmp(esm_jdoc_str(d, a), esm_jdoc_str(d, b), d->tok[a].len);
}

/* Counts the distinct keys of object token o with k members; flags dup. */
static bool count_keys(parser *p, uint32_t o, uint32_t k)
{
    esm_jdoc *d = p->d;
    uint32_t distinct = 0;
    if (k <= 8) { /* a few comparisons beat hashing */
        for (uint32_t a = o + 1, i = 0; i < k; i++, a = d->tok[a + 1].next) {
            bool again = false;
            for (uint32_t b = o + 1; b != a && !again; b = d->tok[b + 1].next)
                again = same_key(d, a, b);
            distinct += !again;
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
            distinct += !d->seen[slot];
            d->seen[slot] = a;
        }
    }
    d->tok[o].size = distinct;
    d->tok[o].dup = distinct != k;
    return true;
}

static bool value(parser *p);

/* An array or object at s[pos]. */
static bool container(parser *p, bool object)
{
    if (++p->depth > ESM_JT_MAX_DEPTH)
        return fail(p, ESM_JT_SYNTAX);
    uint32_t t, n = 0;
    size_t start = p->pos;
    if (!add(p, object ? ESM_JT_OBJECT : ESM_JT_ARRAY, start, &t))
        return false;
    char close = object ? '}' : ']';
    p->pos++;
    skip_space(p);
    if (p->pos < p->len && p->s[p->pos] == close) {
        p->pos++;
    } else {
        for (;;) {
            if (object) {
                uint32_t key;
                if (p->pos >= p->len || p->s[p->pos] != '"' || !string(p, &key, true))
                    return fail(p, p->err == ESM_JT_NOMEM ? ESM_JT_NOMEM : ESM_JT_SYNTAX);
                skip_space(p);
                if (p->pos >= p->len || p->s[p->pos] != ':')
                    return fail(p, ESM_JT_SYNTAX);
                p->pos++;
                skip_space(p);
            }
            if (!value(p))
                return false;
            n++;
            skip_space(p);
            if (p->pos < p->len && p->s[p->pos] == ',') {
                p->pos++;
                skip_space(p);
                continue;
            }
            if (p->pos < p->len && p->s[p->pos] == close) {
                p->pos++;
                break;
            }
            return fail(p, ESM_JT_SYNTAX);
        }
    }
    esm_jtok *tok = &p->d->tok[t];
    tok->next = (uint32_t)p->d->n;
    tok->len = (uint32_t)(p->pos - start);
    tok->size = n;
    p->depth--;
    return object && n > 1 ? count_keys(p, t, n) : true;
}

static bool value(parser *p)
{
    if (p->pos >= p->len)
        return fail(p, ESM_JT_SYNTAX);
    uint32_t t;
    switch (p->s[p->pos]) {
    case '{': return container(p, true);
    case '[': return container(p, false);
    case '"': return string(p, &t, false);
    case '-':
    case '0': case '1': case '2': case '3': case '4':
    case '5': case '6': case '7': case '8': case '9': return number(p);
    default: return literal(p);
    }
}

esm_jt_status esm_jdoc_parse(esm_jdoc *d, char *text, size_t len, size_t *used)
{
    parser p = {d, text, len, 0, 0, ESM_JT_SYNTAX};
    d->text = text;
    d->n = 0;
    *used = 0;
    if (!text || len > UINT32_MAX)
        return ESM_JT_SYNTAX;
    skip_space(&p);
    if (!value(&p)) {
        d->n = 0;
        return p.err;
    }
    *used = p.pos;
    return ESM_JT_OK;
}

uint32_t esm_jdoc_member(const esm_jdoc *d, uint32_t i, const char *name)
{
    const esm_jtok *o = &d->tok[i];
    if (o->type != ESM_JT_OBJECT)
        return 0;
    size_t n = strlen(name);
    uint32_t found = 0;
    for (uint32_t k = i + 1; k < o->next; k = d->tok[k + 1].next) {
        if (d->tok[k].len == n && !memcmp(esm_jdoc_str(d, k), name, n)) {
            found = k + 1;
            if (!o->dup)
                break;
        }
    }
    return found;
}

bool esm_jdoc_next_member(const esm_jdoc *d, uint32_t obj, uint32_t *it, uint32_t *key, uint32_t *val)
{
    const esm_jtok *o = &d->tok[obj];
    uint32_t k = *it ? *it : obj + 1;
    for (; k < o->next; k = d->tok[k + 1].next) {
        uint32_t v = k + 1;
        if (o->dup) {
            bool earlier = false;
            for (uint32_t e = obj + 1; e != k && !earlier; e = d->tok[e + 1].next)
                earlier = same_key(d, e, k);
            if (earlier)
                continue;
            for (uint32_t l = d->tok[v].next; l < o->next; l = d->tok[l + 1].next)
                if (same_key(d, l, k))
                    v = l + 1;
        }
        *key = k;
        *val = v;
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
