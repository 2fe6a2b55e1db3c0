/* Compact JSON text the way esmond's server emits it: no spaces, member order
 * kept, non-ASCII left as UTF-8, U+2028/U+2029 escaped, reals in Python repr
 * form (jansson prints %.17g, which is not what esmond clients see). */
#ifndef ESM_COMMON_JSON_WRITE_H
#define ESM_COMMON_JSON_WRITE_H

#include <jansson.h>
#include <stddef.h>

/* A growable byte buffer. */
typedef struct {
    char *data;
    size_t len;
    size_t cap;
    int failed; /* set once an allocation failed; later appends are ignored */
} esm_buf;

void esm_buf_init(esm_buf *b);
void esm_buf_free(esm_buf *b);
void esm_buf_append(esm_buf *b, const char *s, size_t n);
void esm_buf_puts(esm_buf *b, const char *s);
void esm_buf_printf(esm_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends v in decimal (as "%lld", without printf's cost). */
void esm_buf_int(esm_buf *b, long long v);
/* Appends a JSON string literal (quotes included) of the UTF-8 text s[0..n). */
void esm_buf_json_string(esm_buf *b, const char *s, size_t n);
/* Appends repr(v) of a real. */
void esm_buf_json_real(esm_buf *b, double v);

/* Appends the JSON text of v. */
void esm_json_write(esm_buf *b, const json_t *v);
/* Returns a malloc'ed NUL-terminated JSON text of v, or NULL when out of memory. */
char *esm_json_dumps(const json_t *v);

#endif
