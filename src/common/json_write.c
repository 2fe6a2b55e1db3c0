#include "json_write.h"

#include "pyfloat.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void esm_buf_init(esm_buf *b)
{
    memset(b, 0, sizeof *b);
}

void esm_buf_free(esm_buf *b)
{
    free(b->data);
    esm_buf_init(b);
}

/* Makes room for `extra` more bytes plus the terminator that keeps data a C
 * string at all times. */
int esm_buf_reserve(esm_buf *b, size_t extra)
{
    if (b->failed)
        return 0;
    if (extra >= (size_t)-1 - b->len) {
        b->failed = 1;
        return 0;
    }
    size_t need = b->len + extra + 1;
    if (need <= b->cap)
        return 1;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < need)
        cap = cap > (size_t)-1 / 2 ? need : cap * 2;
    char *p = realloc(b->data, cap);
    if (!p) {
        b->failed = 1;
        return 0;
    }
    b->data = p;
    b->cap = cap;
    return 1;
}

void esm_buf_printf(esm_buf *b, const char *fmt, ...)
{
    /* One pass when the text fits in the room left, a second only to grow. */
    size_t room = b->failed || !b->data ? 0 : b->cap - b->len;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(room ? b->data + b->len : NULL, room, fmt, ap);
    va_end(ap);
    if (n >= 0 && (size_t)n < room) {
        b->len += (size_t)n;
        return;
    }
    if (n < 0 || !esm_buf_reserve(b, (size_t)n)) {
        b->failed = 1;
        if (b->data)
            b->data[b->len] = '\0';
        return;
    }
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

void esm_buf_int(esm_buf *b, long long v)
{
    char tmp[24], *p = tmp + sizeof tmp;
    /* through unsigned, so that LLONG_MIN negates without overflow */
    unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
    do
        *--p = (char)('0' + u % 10);
    while (u /= 10);
    if (v < 0)
        *--p = '-';
    esm_buf_append(b, p, (size_t)(tmp + sizeof tmp - p));
}

/* The literal's characters without the quotes. */
static void json_chars(esm_buf *b, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    size_t run = 0; /* start of the bytes not yet copied */
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        char esc[7] = {'\\', 0};
        size_t elen = 2;
        size_t skip = 1;
        switch (c) {
        case '"': esc[1] = '"'; break;
        case '\\': esc[1] = '\\'; break;
        case '\n': esc[1] = 'n'; break;
        case '\r': esc[1] = 'r'; break;
        case '\t': esc[1] = 't'; break;
        case '\b': esc[1] = 'b'; break;
        case '\f': esc[1] = 'f'; break;
        default:
            if (c < 0x20) {
                memcpy(esc + 1, "u00", 3);
                esc[4] = hex[c >> 4];
                esc[5] = hex[c & 15];
                elen = 6;
            } else if (c == 0xe2 && i + 2 < n && (unsigned char)s[i + 1] == 0x80 &&
                       ((unsigned char)s[i + 2] == 0xa8 || (unsigned char)s[i + 2] == 0xa9)) {
                /* U+2028/U+2029 end lines in JavaScript: escaped as esmond's
                 * renderer does. */
                memcpy(esc + 1, (unsigned char)s[i + 2] == 0xa8 ? "u2028" : "u2029", 5);
                elen = 6;
                skip = 3;
            } else {
                continue; /* other bytes, UTF-8 included, are copied as they are */
            }
        }
        esm_buf_append(b, s + run, i - run);
        esm_buf_append(b, esc, elen);
        i += skip - 1;
        run = i + 1;
    }
    esm_buf_append(b, s + run, n - run);
}

void esm_buf_json_string(esm_buf *b, const char *s, size_t n)
{
    esm_buf_append(b, "\"", 1);
    json_chars(b, s, n);
    esm_buf_append(b, "\"", 1);
}


void esm_buf_json_real(esm_buf *b, double v)
{
    char tmp[ESM_PYFLOAT_MAX];
    if (!isfinite(v)) {
        esm_buf_append(b, "null", 4); /* NaN/Infinity are not JSON */
        return;
    }
    esm_buf_append(b, tmp, esm_pyfloat_format(v, tmp));
}

void esm_json_write(esm_buf *b, const json_t *v)
{
    if (!v) {
        esm_buf_append(b, "null", 4);
        return;
    }
    switch (json_typeof(v)) {
    case JSON_OBJECT: {
        const char *key;
        json_t *member;
        int first = 1;
        esm_buf_append(b, "{", 1);
        /* jansson iterates objects in insertion order */
        json_object_foreach((json_t *)v, key, member) {
            if (!first)
                esm_buf_append(b, ",", 1);
            first = 0;
            esm_buf_json_string(b, key, json_object_iter_key_len(json_object_key_to_iter(key)));
            esm_buf_append(b, ":", 1);
            esm_json_write(b, member);
        }
        esm_buf_append(b, "}", 1);
        break;
    }
    case JSON_ARRAY:
        esm_buf_append(b, "[", 1);
        for (size_t i = 0; i < json_array_size(v); i++) {
            if (i)
                esm_buf_append(b, ",", 1);
            esm_json_write(b, json_array_get(v, i));
        }
        esm_buf_append(b, "]", 1);
        break;
    case JSON_STRING:
        esm_buf_json_string(b, json_string_value(v), json_string_length(v));
        break;
    case JSON_INTEGER:
        esm_buf_int(b, (long long)json_integer_value(v));
        break;
    case JSON_REAL:
        esm_buf_json_real(b, json_real_value(v));
        break;
    case JSON_TRUE:
        esm_buf_append(b, "true", 4);
        break;
    case JSON_FALSE:
        esm_buf_append(b, "false", 5);
        break;
    default:
        esm_buf_append(b, "null", 4);
        break;
    }
}

void esm_json_write_tok(esm_buf *b, const esm_jdoc *d, uint32_t t)
{
    const esm_jtok *k = &d->tok[t];
    switch (k->type) {
    case ESM_JT_OBJECT: {
        uint32_t it = 0, key, val;
        esm_buf_append(b, "{", 1);
        for (int first = 1; esm_jdoc_next_member(d, t, &it, &key, &val); first = 0) {
            if (!first)
                esm_buf_append(b, ",", 1);
            esm_buf_json_string(b, esm_jdoc_str(d, key), d->tok[key].len);
            esm_buf_append(b, ":", 1);
            esm_json_write_tok(b, d, val);
        }
        esm_buf_append(b, "}", 1);
        break;
    }
    case ESM_JT_ARRAY:
        esm_buf_append(b, "[", 1);
        for (uint32_t e = t + 1; e < k->next; e = d->tok[e].next) {
            if (e != t + 1)
                esm_buf_append(b, ",", 1);
            esm_json_write_tok(b, d, e);
        }
        esm_buf_append(b, "]", 1);
        break;
    case ESM_JT_STRING: esm_buf_json_string(b, esm_jdoc_str(d, t), k->len); break;
    case ESM_JT_INT: esm_buf_int(b, (long long)k->ival); break;
    case ESM_JT_REAL: esm_buf_json_real(b, esm_jdoc_real(d, t)); break;
    case ESM_JT_TRUE: esm_buf_append(b, "true", 4); break;
    case ESM_JT_FALSE: esm_buf_append(b, "false", 5); break;
    default: esm_buf_append(b, "null", 4); break;
    }
}

char *esm_json_dumps(const json_t *v)
{
    esm_buf b;
    esm_buf_init(&b);
    esm_json_write(&b, v);
    if (b.failed || !b.data) {
        esm_buf_free(&b);
        return NULL;
    }
    return b.data;
}
