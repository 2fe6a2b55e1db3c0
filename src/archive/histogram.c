#include "histogram.h"

#include <stdlib.h>
#include <string.h>

#include "values.h"

void esa_hist_init(esa_hist *h)
{
    memset(h, 0, sizeof *h);
}

void esa_hist_free(esa_hist *h)
{
    for (size_t i = 0; i < h->n; i++)
        free((char *)h->b[i].key);
    free(h->b);
    free(h->index);
    esa_hist_init(h);
}

static size_t hash(const char *s, size_t len)
{
    uint64_t x = 1469598103934665603ULL; /* FNV-1a */
    for (size_t i = 0; i < len; i++)
        x = (x ^ (unsigned char)s[i]) * 1099511628211ULL;
    return (size_t)x;
}

static uint32_t *slot(const esa_hist *h, const char *key, size_t len)
{
    size_t mask = h->index_cap - 1;
    for (size_t i = hash(key, len) & mask;; i = (i + 1) & mask) {
        uint32_t *e = &h->index[i];
        if (!*e)
            return e;
        const esm_hist_bucket *b = &h->b[*e - 1];
        if (b->len == len && memcmp(b->key, key, len) == 0)
            return e;
    }
}

static bool grow(esa_hist *h)
{
    if (h->n == h->cap) {
        size_t cap = h->cap ? 2 * h->cap : 16;
        esm_hist_bucket *b = realloc(h->b, cap * sizeof *b);
        if (!b)
            return false;
        h->b = b;
        h->cap = cap;
    }
    if (2 * (h->n + 1) <= h->index_cap)
        return true;
    size_t cap = h->index_cap ? 2 * h->index_cap : 32;
    if (cap > UINT32_MAX)
        return false;
    uint32_t *old = h->index;
    h->index = calloc(cap, sizeof *h->index);
    if (!h->index) {
        h->index = old;
        return false;
    }
    h->index_cap = cap;
    for (size_t i = 0; i < h->n; i++)
        *slot(h, h->b[i].key, h->b[i].len) = (uint32_t)(i + 1);
    free(old);
    return true;
}

bool esa_hist_add(esa_hist *h, const char *key, size_t len, long long count)
{
    if (h->index_cap) {
        uint32_t *e = slot(h, key, len);
        if (*e) {
            long long *c = &h->b[*e - 1].count;
            *c = (long long)((unsigned long long)*c + (unsigned long long)count); /* wraps as jansson's sum did */
            return true;
        }
    }
    char *copy = malloc(len + 1);
    if (!copy || !grow(h)) {
        free(copy);
        return false;
    }
    memcpy(copy, key, len);
    copy[len] = '\0';
    h->b[h->n] = (esm_hist_bucket){copy, len, count};
    *slot(h, key, len) = (uint32_t)(++h->n);
    return true;
}

bool esa_hist_add_json(esa_hist *h, const json_t *obj)
{
    const char *key;
    json_t *count;
    /* Keys as C strings: the stored histograms were built that way. */
    json_object_foreach((json_t *)obj, key, count) {
        if (!esa_hist_add(h, key, strlen(key), json_integer_value(count)))
            return false;
    }
    return true;
}

void esa_hist_write(const esa_hist *h, esm_buf *out)
{
    esm_buf_append(out, "{", 1);
    for (size_t i = 0; i < h->n; i++) {
        if (i)
            esm_buf_append(out, ",", 1);
        esm_buf_json_string(out, h->b[i].key, h->b[i].len);
        esm_buf_append(out, ":", 1);
        esm_buf_int(out, h->b[i].count);
    }
    esm_buf_append(out, "}", 1);
}
