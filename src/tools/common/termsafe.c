/* Terminal-safe server text (see termsafe.h). */
#include "termsafe.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Bytes that may start something other than printable ASCII. */
static bool suspect(unsigned char c)
{
    return c < 0x20 || c >= 0x7f;
}

/* The length of the valid UTF-8 sequence of a non-ASCII character at s (n
 * bytes left), with its code point in *cp; 0 when it is not valid UTF-8
 * (stray continuation, overlong form, surrogate, beyond U+10FFFF, cut). */
static size_t utf8_valid(const unsigned char *s, size_t n, uint32_t *cp)
{
    size_t len = s[0] >= 0xC2 && s[0] <= 0xDF ? 2 : s[0] >= 0xE0 && s[0] <= 0xEF ? 3
               : s[0] >= 0xF0 && s[0] <= 0xF4 ? 4 : 0;
    if (len == 0 || len > n)
        return 0;
    uint32_t v = s[0] & (0x7F >> len);
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        v = (v << 6) | (s[i] & 0x3F);
    }
    static const uint32_t least[] = {0, 0, 0x80, 0x800, 0x10000};
    if (v < least[len] || (v >= 0xD800 && v <= 0xDFFF) || v > 0x10FFFF)
        return 0;
    *cp = v;
    return len;
}

bool esm_termsafe_clean(const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    for (size_t i = 0; i < n;) {
        if (!suspect(u[i])) {
            i++;
            continue;
        }
        uint32_t cp;
        size_t len = u[i] >= 0x80 ? utf8_valid(u + i, n - i, &cp) : 0;
        if (len == 0 || cp <= 0x9F)
            return false;
        i += len;
    }
    return true;
}

void esm_termsafe_append(esm_buf *b, const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t start = 0; /* of the text not yet appended */
    for (size_t i = 0; i < n;) {
        if (!suspect(u[i])) {
            i++;
            continue;
        }
        uint32_t cp = 0;
        size_t len = u[i] >= 0x80 ? utf8_valid(u + i, n - i, &cp) : 0;
        if (len && cp > 0x9F) {
            i += len;
            continue;
        }
        esm_buf_append(b, s + start, i - start);
        unsigned v = len ? (unsigned)cp : u[i]; /* a C1 control, or the byte itself */
        if (v == '\n')
            esm_buf_puts(b, "\\n");
        else if (v == '\r')
            esm_buf_puts(b, "\\r");
        else if (v == '\t')
            esm_buf_puts(b, "\\t");
        else
            esm_buf_printf(b, "\\x%02x", v);
        i += len ? len : 1;
        start = i;
    }
    esm_buf_append(b, s + start, n - start);
}

void esm_termsafe_tail(esm_buf *b, size_t from)
{
    if (b->failed || from >= b->len || esm_termsafe_clean(b->data + from, b->len - from))
        return;
    size_t n = b->len - from;
    char *copy = malloc(n);
    if (!copy) {
        b->failed = 1;
        return;
    }
    memcpy(copy, b->data + from, n);
    b->len = from;
    esm_termsafe_append(b, copy, n);
    free(copy);
}

void esm_termsafe_fputs(const char *s, FILE *f)
{
    if (!s)
        return;
    size_t n = strlen(s);
    if (esm_termsafe_clean(s, n)) {
        fwrite(s, 1, n, f);
        return;
    }
    esm_buf b;
    esm_buf_init(&b);
    esm_termsafe_append(&b, s, n);
    if (!b.failed)
        fwrite(b.data, 1, b.len, f);
    esm_buf_free(&b);
}
