/* Python str()/repr()/json.dumps()/csv text of JSON values (see pytext.h). */
#include "pytext.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "pyfloat.h"

/* Decodes one UTF-8 sequence at s (n bytes left); *len gets its length.
 * An invalid byte gives U+FFFD with *len 1; so does the lead byte of an
 * overlong form, a surrogate or a value above U+10FFFF, which are no
 * characters and would be copied out as invalid UTF-8. */
static uint32_t utf8_next(const unsigned char *s, size_t n, size_t *len)
{
    unsigned c = s[0];
    size_t need = c < 0x80 ? 0 : (c & 0xE0) == 0xC0 ? 1 : (c & 0xF0) == 0xE0 ? 2 : (c & 0xF8) == 0xF0 ? 3 : 4;
    if (need == 0) {
        *len = 1;
        return c;
    }
    if (need > 3 || need >= n) {
        *len = 1;
        return 0xFFFD;
    }
    uint32_t cp = c & (0x3F >> need);
    for (size_t i = 1; i <= need; i++) {
        if ((s[i] & 0xC0) != 0x80) {
            *len = 1;
            return 0xFFFD;
        }
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    static const uint32_t least[] = {0, 0x80, 0x800, 0x10000};
    if (cp < least[need] || (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) {
        *len = 1;
        return 0xFFFD;
    }
    *len = need + 1;
    return cp;
}

/* Characters str.isprintable() rejects among those an archive may plausibly
 * send: controls, C1 controls, non-space separators, format characters. */
static bool py_unprintable(uint32_t cp)
{
    return cp < 0x20 || (cp >= 0x7F && cp <= 0xA0) || cp == 0xAD || (cp >= 0x200B && cp <= 0x200F) ||
           (cp >= 0x2028 && cp <= 0x202E) || (cp >= 0x2060 && cp <= 0x2064) || cp == 0xFEFF;
}

/* The length of the run of printable ASCII at s that needs no escape in a
 * literal quoted with q (copied in one go: most text is such). */
static size_t plain_run(const unsigned char *s, size_t n, char q)
{
    /* printable ASCII but the quotes and the backslash: one load a byte (GNU ranges, gcc and clang) */
    static const bool plain[256] = {[0x20 ... 0x21] = true, [0x23 ... 0x26] = true, /* not " ' */
                                    [0x28 ... 0x5B] = true, [0x5D ... 0x7E] = true}; /* nor \\ */
    size_t i = 0;
    while (i < n && (plain[s[i]] || (s[i] != (unsigned char)q && (s[i] == '"' || s[i] == '\''))))
        i++;
    return i;
}

void esm_py_repr_string(esm_buf *b, const char *s, size_t n)
{
    /* Python picks double quotes only when the text has ' and no ". */
    bool single = memchr(s, '\'', n) != NULL, dbl = memchr(s, '"', n) != NULL;
    char q = single && !dbl ? '"' : '\'';
    esm_buf_append(b, &q, 1);
    const unsigned char *u = (const unsigned char *)s;
    for (size_t i = 0; i < n;) {
        size_t run = plain_run(u + i, n - i, q);
        if (run) {
            esm_buf_append(b, s + i, run);
            i += run;
            continue;
        }
        size_t len;
        uint32_t cp = utf8_next(u + i, n - i, &len);
        if (cp == (uint32_t)q || cp == '\\')
            esm_buf_printf(b, "\\%c", (char)cp);
        else if (cp == '\n')
            esm_buf_puts(b, "\\n");
        else if (cp == '\r')
            esm_buf_puts(b, "\\r");
        else if (cp == '\t')
            esm_buf_puts(b, "\\t");
        else if (py_unprintable(cp))
            esm_buf_printf(b, cp < 0x100 ? "\\x%02x" : "\\u%04x", (unsigned)cp);
        else if (cp == 0xFFFD && len == 1)
            esm_buf_puts(b, "\xef\xbf\xbd"); /* an invalid byte shows as U+FFFD */
        else
            esm_buf_append(b, s + i, len);
        i += len;
    }
    esm_buf_append(b, &q, 1);
}

static void py_number(esm_buf *b, const json_t *v)
{
    if (json_is_integer(v)) {
        esm_buf_int(b, (long long)json_integer_value(v));
    } else {
        char tmp[ESM_PYFLOAT_MAX];
        size_t n = esm_pyfloat_format(json_real_value(v), tmp);
        esm_buf_append(b, tmp, n);
    }
}

void esm_py_str(esm_buf *b, const json_t *v)
{
    if (json_is_string(v))
        esm_buf_append(b, json_string_value(v), json_string_length(v));
    else
        esm_py_repr(b, v);
}

/* A JSON string literal as json.dumps() writes it with ensure_ascii. */
static void py_json_string(esm_buf *b, const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t run = plain_run(u, n, '"');
    if (run == n) { /* nothing to escape (a bucket key, a word): quoted in one copy */
        if (!esm_buf_reserve(b, n + 2))
            return;
        char *p = b->data + b->len;
        p[0] = '"';
        memcpy(p + 1, s, n);
        p[n + 1] = '"';
        b->len += n + 2;
        b->data[b->len] = '\0';
        return;
    }
    esm_buf_puts(b, "\"");
    for (size_t i = 0; i < n; run = plain_run(u + i, n - i, '"')) {
        if (run) {
            esm_buf_append(b, s + i, run);
            i += run;
            continue;
        }
        size_t len;
        uint32_t cp = utf8_next(u + i, n - i, &len);
        i += len;
        switch (cp) {
        case '"': esm_buf_puts(b, "\\\""); continue;
        case '\\': esm_buf_puts(b, "\\\\"); continue;
        case '\n': esm_buf_puts(b, "\\n"); continue;
        case '\r': esm_buf_puts(b, "\\r"); continue;
        case '\t': esm_buf_puts(b, "\\t"); continue;
        case '\b': esm_buf_puts(b, "\\b"); continue;
        case '\f': esm_buf_puts(b, "\\f"); continue;
        default: break;
        }
        if (cp >= 0x10000) { /* a surrogate pair, as Python writes it */
            cp -= 0x10000;
            esm_buf_printf(b, "\\u%04x\\u%04x", 0xD800 + (unsigned)(cp >> 10), 0xDC00 + (unsigned)(cp & 0x3FF));
        } else if (cp < 0x20 || cp > 0x7E) {
            esm_buf_printf(b, "\\u%04x", (unsigned)cp);
        } else {
            char c = (char)cp;
            esm_buf_append(b, &c, 1);
        }
    }
    esm_buf_puts(b, "\"");
}

/* Python's repr() and json.dumps() (with its default ", " and ": ") walk a
 * value the same way; they differ in the words for None/True/False and in
 * how strings are quoted. */
typedef struct {
    const char *null_text, *true_text, *false_text;
    void (*string)(esm_buf *b, const char *s, size_t n);
} py_style;

static const py_style repr_style = {"None", "True", "False", esm_py_repr_string};
static const py_style json_style = {"null", "true", "false", py_json_string};

static void py_render(esm_buf *b, const json_t *v, const py_style *st)
{
    if (!v || json_is_null(v)) {
        esm_buf_puts(b, st->null_text);
    } else if (json_is_boolean(v)) {
        esm_buf_puts(b, json_is_true(v) ? st->true_text : st->false_text);
    } else if (json_is_number(v)) {
        py_number(b, v);
    } else if (json_is_string(v)) {
        st->string(b, json_string_value(v), json_string_length(v));
    } else if (json_is_array(v)) {
        esm_buf_puts(b, "[");
        for (size_t i = 0; i < json_array_size(v); i++) {
            if (i)
                esm_buf_puts(b, ", ");
            py_render(b, json_array_get(v, i), st);
        }
        esm_buf_puts(b, "]");
    } else {
        const char *key;
        json_t *member;
        bool first = true;
        esm_buf_puts(b, "{");
        json_object_foreach((json_t *)v, key, member) {
            if (!first)
                esm_buf_puts(b, ", ");
            first = false;
            st->string(b, key, strlen(key));
            esm_buf_puts(b, ": ");
            py_render(b, member, st);
        }
        esm_buf_puts(b, "}");
    }
}

void esm_py_repr(esm_buf *b, const json_t *v)
{
    py_render(b, v, &repr_style);
}

void esm_py_json(esm_buf *b, const json_t *v)
{
    py_render(b, v, &json_style);
}

/* repr(float) of a real token, from its digits where that is exact. */
static void py_real_tok(esm_buf *b, const esm_jdoc *d, uint32_t t)
{
    char tmp[ESM_PYFLOAT_MAX];
    size_t n = esm_pyfloat_from_text(d->text + d->tok[t].start, d->tok[t].len, tmp);
    esm_buf_append(b, tmp, n ? n : esm_pyfloat_format(esm_jdoc_real(d, t), tmp));
}

static void py_render_tok(esm_buf *b, const esm_jdoc *d, uint32_t t, const py_style *st)
{
    const esm_jtok *k = &d->tok[t];
    switch (k->type) {
    case ESM_JT_NULL: esm_buf_puts(b, st->null_text); break;
    case ESM_JT_TRUE: esm_buf_puts(b, st->true_text); break;
    case ESM_JT_FALSE: esm_buf_puts(b, st->false_text); break;
    case ESM_JT_INT: esm_buf_int(b, (long long)k->ival); break;
    case ESM_JT_REAL: py_real_tok(b, d, t); break;
    case ESM_JT_STRING: st->string(b, esm_jdoc_str(d, t), k->len); break;
    case ESM_JT_ARRAY:
        esm_buf_append(b, "[", 1);
        for (uint32_t e = t + 1; e < k->next; e = d->tok[e].next) {
            if (e != t + 1)
                esm_buf_append(b, ", ", 2);
            py_render_tok(b, d, e, st);
        }
        esm_buf_append(b, "]", 1);
        break;
    case ESM_JT_OBJECT: {
        uint32_t it = 0, key, val;
        esm_buf_append(b, "{", 1);
        for (bool first = true; esm_jdoc_next_member(d, t, &it, &key, &val); first = false) {
            if (!first)
                esm_buf_append(b, ", ", 2);
            st->string(b, esm_jdoc_str(d, key), d->tok[key].len);
            esm_buf_append(b, ": ", 2);
            py_render_tok(b, d, val, st);
        }
        esm_buf_append(b, "}", 1);
        break;
    }
    }
}

void esm_py_str_tok(esm_buf *b, const esm_jdoc *d, uint32_t t)
{
    if (d->tok[t].type == ESM_JT_STRING)
        esm_buf_append(b, esm_jdoc_str(d, t), d->tok[t].len);
    else
        py_render_tok(b, d, t, &repr_style);
}

void esm_py_json_tok(esm_buf *b, const esm_jdoc *d, uint32_t t)
{
    py_render_tok(b, d, t, &json_style);
}

void esm_py_json_text(esm_buf *b, const char *s, size_t n)
{
    py_json_string(b, s, n);
}

void esm_py_csv_field(esm_buf *b, const char *s, size_t n)
{
    static const bool special[256] = {[','] = true, ['"'] = true, ['\r'] = true, ['\n'] = true};
    bool quote = false;
    for (size_t i = 0; i < n && !quote; i++)
        quote = special[(unsigned char)s[i]];
    if (!quote) {
        esm_buf_append(b, s, n);
        return;
    }
    esm_buf_puts(b, "\"");
    for (const char *q; n && (q = memchr(s, '"', n)) != NULL; n -= (size_t)(q + 1 - s), s = q + 1) {
        esm_buf_append(b, s, (size_t)(q + 1 - s)); /* up to and with the quote, */
        esm_buf_puts(b, "\"");                    /* which is doubled */
    }
    esm_buf_append(b, s, n);
    esm_buf_puts(b, "\"");
}
