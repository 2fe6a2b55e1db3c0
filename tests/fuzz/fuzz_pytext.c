/* The Python-compatible formatters the tools print with (pytext.h) and the
 * compact JSON writer (json_write.h). Input: a JSON text for the value
 * formatters, and the same bytes as raw text for repr() of a string and the
 * csv field and the terminal escaping of human output. Checks: json.dumps()
 * and the JSON writer read back as the same value, json.dumps() is ASCII,
 * repr()/str() are valid UTF-8, a csv field decodes to its text, escaped
 * text is valid UTF-8 without a control character and clean text unchanged. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "json_write.h"
#include "pytext.h"
#include "termsafe.h"

/* Strict UTF-8: no overlong forms, no surrogates, nothing above U+10FFFF. */
static int valid_utf8(const unsigned char *s, size_t n)
{
    for (size_t i = 0; i < n;) {
        unsigned c = s[i];
        size_t need = c < 0x80 ? 0 : c >= 0xC2 && c <= 0xDF ? 1 : (c & 0xF0) == 0xE0 ? 2 : c >= 0xF0 && c <= 0xF4 ? 3 : 9;
        if (need == 9 || need >= n - i)
            return 0;
        uint32_t cp = c & (0x7F >> need);
        for (size_t k = 1; k <= need; k++) {
            if ((s[i + k] & 0xC0) != 0x80)
                return 0;
            cp = (cp << 6) | (s[i + k] & 0x3F);
        }
        if ((need == 2 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) || (need == 3 && (cp < 0x10000 || cp > 0x10FFFF)))
            return 0;
        i += need + 1;
    }
    return 1;
}

/* The text `out` must read back as the JSON value v. */
static void same_value(const json_t *v, const esm_buf *out)
{
    json_error_t e;
    json_t *back = json_loadb(out->data ? out->data : "", out->len, JSON_DECODE_ANY | JSON_ALLOW_NUL, &e);
    if (!back || !json_equal((json_t *)v, back))
        abort();
    json_decref(back);
}

static void check_value(const json_t *v)
{
    esm_buf b;
    esm_buf_init(&b);
    esm_py_json(&b, v);
    for (size_t i = 0; i < b.len; i++)
        if ((unsigned char)b.data[i] > 0x7E)
            abort(); /* ensure_ascii */
    same_value(v, &b);
    esm_buf_free(&b);

    esm_buf_init(&b);
    esm_json_write(&b, v);
    same_value(v, &b);
    esm_buf_free(&b);

    esm_buf_init(&b);
    esm_py_repr(&b, v);
    if (!valid_utf8((const unsigned char *)b.data, b.len))
        abort();
    esm_buf_free(&b);

    esm_buf_init(&b);
    esm_py_str(&b, v);
    esm_buf_free(&b);
}

/* csv.reader's reading of the field must give the text back; a field
 * without a delimiter, quote or line end is written as it is. */
static void check_csv(const char *s, size_t n)
{
    esm_buf b;
    esm_buf_init(&b);
    esm_py_csv_field(&b, s, n);
    const char *f = b.data ? b.data : "";
    int special = n && (memchr(s, ',', n) || memchr(s, '"', n) || memchr(s, '\n', n) || memchr(s, '\r', n));
    if (!special) {
        if (b.len != n || memcmp(f, s, n) != 0)
            abort();
    } else {
        if (b.len < 2 || f[0] != '"' || f[b.len - 1] != '"')
            abort();
        size_t k = 0;
        for (size_t i = 1; i + 1 < b.len; i++, k++) {
            if (f[i] == '"') {
                if (i + 2 >= b.len || f[i + 1] != '"')
                    abort(); /* a lone quote inside the field */
                i++;
            }
            if (k >= n || f[i] != s[k])
                abort();
        }
        if (k != n)
            abort();
    }
    esm_buf_free(&b);
}

/* What a server sends, as human output shows it (termsafe.h): valid UTF-8,
 * no C0 or C1 control and no DEL left; clean text as it is; escaping in
 * place gives what appending gives. */
static void check_termsafe(const char *s, size_t n)
{
    esm_buf b, t;
    esm_buf_init(&b);
    esm_buf_init(&t);
    esm_termsafe_append(&b, s, n);
    esm_buf_append(&t, "key: ", 5);
    esm_buf_append(&t, s, n);
    esm_termsafe_tail(&t, 5);
    if (b.failed || t.failed) {
        esm_buf_free(&b);
        esm_buf_free(&t);
        return;
    }
    const unsigned char *o = (const unsigned char *)(b.data ? b.data : "");
    if (!valid_utf8(o, b.len))
        abort();
    for (size_t i = 0; i < b.len; i++)
        if (o[i] < 0x20 || o[i] == 0x7f || (o[i] == 0xC2 && i + 1 < b.len && o[i + 1] >= 0x80 && o[i + 1] <= 0x9F))
            abort();
    if (esm_termsafe_clean(s, n) && (b.len != n || memcmp(o, s, n) != 0))
        abort();
    if (t.len != b.len + 5 || memcmp(t.data + 5, o, b.len) != 0)
        abort();
    esm_buf_free(&b);
    esm_buf_free(&t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    json_t *v = json_loadb(s, size, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
    if (v) {
        check_value(v);
        json_decref(v);
    }
    esm_buf b;
    esm_buf_init(&b);
    esm_py_repr_string(&b, s, size);
    if (!valid_utf8((const unsigned char *)b.data, b.len))
        abort(); /* repr() of any bytes (a command-line argument) is printable text */
    esm_buf_free(&b);
    check_csv(s, size);
    check_termsafe(s, size);
    return 0;
}
