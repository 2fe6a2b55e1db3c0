/* Compact JSON text the way esmond's server emits it: no spaces, member order
 * kept, non-ASCII left as UTF-8, U+2028/U+2029 escaped, reals in Python repr
 * form (jansson prints %.17g, which is not what esmond clients see). */
#ifndef ESM_COMMON_JSON_WRITE_H
#define ESM_COMMON_JSON_WRITE_H

#include <jansson.h>
#include <stddef.h>
#include <string.h>

#include "jsontok.h"

/* A growable byte buffer. */
typedef struct {
    char *data;
    size_t len;
    size_t cap;
    int failed; /* set once an allocation failed; later appends are ignored */
} esm_buf;

void esm_buf_init(esm_buf *b);
void esm_buf_free(esm_buf *b);
/* Makes room for extra more bytes and the terminator that keeps data a C
 * string at all times; 0 once an allocation failed. */
int esm_buf_reserve(esm_buf *b, size_t extra);

/* Inline: rows are written a few bytes at a time. */
static inline void esm_buf_append(esm_buf *b, const char *s, size_t n)
{
    if ((b->failed || n >= b->cap - b->len) && !esm_buf_reserve(b, n))
        return;
    if (n) /* s may be NULL then */
        memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}

static inline void esm_buf_puts(esm_buf *b, const char *s)
{
    esm_buf_append(b, s, strlen(s));
}
void esm_buf_printf(esm_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends v in decimal (as "%lld", without printf's cost). */
void esm_buf_int(esm_buf *b, long long v);
/* Appends a JSON string literal (quotes included) of the UTF-8 text s[0..n). */
void esm_buf_json_string(esm_buf *b, const char *s, size_t n);
/* Appends repr(v) of a real. */
void esm_buf_json_real(esm_buf *b, double v);

/* Appends the JSON text of v. */
void esm_json_write(esm_buf *b, const json_t *v);
/* Appends the JSON text of token t of d (the same text as for its jansson tree). */
void esm_json_write_tok(esm_buf *b, const esm_jdoc *d, uint32_t t);
/* Returns a malloc'ed NUL-terminated JSON text of v, or NULL when out of memory. */
char *esm_json_dumps(const json_t *v);

#endif
