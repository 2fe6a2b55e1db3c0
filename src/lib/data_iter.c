/* Data points of one series, page by page with time-start = last ts + 1
 * (spec §8.3 client algorithm): immune to concurrent inserts, and memory
 * stays within one page whatever the series length. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "internal.h"

#define DEFAULT_PAGE 1000

struct esm_data_iter {
    esm_client *c;
    char *path;          /* the series' path, no query */
    size_t page_size;
    long long start;     /* cursor: time-start of the next page */
    bool has_start;      /* false: first page without a time filter (server default) */
    long long end;
    bool has_end;        /* false: open end */
    json_t *items;       /* the current page */
    struct esm_value *values; /* views of the page's values; kept for the next page */
    size_t values_cap;
    size_t n, next;
    bool more;
    esm_point point;
};

static bool read_int(const esm_query *q, const char *name, long long *v, bool *present)
{
    const char *s = esm_query_get(q, name);
    *present = s != NULL;
    if (!s)
        return true;
    char *end;
    errno = 0;
    *v = strtoll(s, &end, 10);
    return *s && !*end && errno == 0;
}

/* Turns the query's time filters into a fixed [start, end] so that the window
 * does not move with the server's clock while pages are read. */
static esm_code set_window(esm_data_iter *it, const esm_query *q)
{
    long long t = 0, s = 0, e = 0, r = 0;
    bool ht, hs, he, hr;
    if (!read_int(q, "time", &t, &ht) || !read_int(q, "time-start", &s, &hs) || !read_int(q, "time-end", &e, &he) ||
        !read_int(q, "time-range", &r, &hr))
        return ESM_ERR_INVALID;
    it->has_start = it->has_end = true;
    if (ht)
        it->start = it->end = t;
    else if (hs && he)
        it->start = s, it->end = e;
    else if (hs && hr)
        it->start = s, it->end = s + r;
    else if (he && hr)
        it->start = e - r, it->end = e;
    else if (hs)
        it->start = s, it->has_end = false;
    else if (he)
        it->start = 0, it->end = e;
    else if (hr)
        it->start = (long long)time(NULL) - r, it->has_end = false;
    else
        it->has_start = it->has_end = false; /* the server's default window, [0, now] */
    return ESM_OK;
}

esm_code esm_data_iter_new(esm_client *c, const char *uri, const esm_query *q, size_t page_size,
                           esm_data_iter **out)
{
    if (!c || !uri || !out)
        return ESM_ERR_INVALID;
    *out = NULL;
    esm_data_iter *it = calloc(1, sizeof *it);
    if (!it)
        return ESM_ERR_NOMEM;
    it->c = c;
    it->page_size = page_size ? page_size : DEFAULT_PAGE;
    it->more = true;
    /* A full URL keeps only its path (spec §2.1); any query is replaced by ours. */
    const char *p = strstr(uri, "://");
    p = p ? strchr(p + 3, '/') : uri;
    it->path = p ? strndup(p, strcspn(p, "?#")) : NULL;
    esm_code rc = !it->path ? ESM_ERR_INVALID : q ? set_window(it, q) : ESM_OK;
    if (rc == ESM_OK && it->path[0] != '/')
        rc = ESM_ERR_INVALID;
    if (rc != ESM_OK) {
        esm_data_iter_free(it);
        return rc;
    }
    *out = it;
    return ESM_OK;
}

static void clear_page(esm_data_iter *it)
{
    for (size_t i = 0; i < it->n; i++)
        esm__value_clear(&it->values[i]);
    json_decref(it->items);
    it->items = NULL;
    it->n = it->next = 0;
}

static esm_code fetch_page(esm_data_iter *it)
{
    /* The caller is done with the page (its points are borrowed until this
     * call): freed first, so that two pages are never held at once. */
    clear_page(it);
    char target[8192];
    int len = snprintf(target, sizeof target, "%s?limit=%zu", it->path, it->page_size);
    if (it->has_start)
        len += snprintf(target + len, sizeof target - (size_t)len, "&time-start=%lld", it->start);
    if (it->has_end)
        len += snprintf(target + len, sizeof target - (size_t)len, "&time-end=%lld", it->end);
    if (len < 0 || (size_t)len >= sizeof target)
        return esm__client_fail(it->c, ESM_ERR_INVALID, "series path too long");
    esm__response r;
    esm_code rc = esm__request(it->c, "GET", target, NULL, 0, false, &r);
    json_t *items = NULL;
    if (rc == ESM_OK && (rc = esm__parse_data_page(r.body, r.len, &items)) != ESM_OK)
        esm__client_fail(it->c, rc, "GET %s: the answer is not a list of points", it->path);
    esm__response_free(&r);
    if (rc != ESM_OK)
        return rc;
    size_t n = json_array_size(items);
    long long last = n ? json_integer_value(json_object_get(json_array_get(items, n - 1), "ts")) : 0;
    /* A short page is the last; so is one whose cursor would pass the end. */
    bool more = n == it->page_size && (!it->has_end || last < it->end) && last < LLONG_MAX;
    /* A full page must move the cursor on: one from a server that ignores
     * time-start would be asked for again and again. */
    if (more && it->has_start && last < it->start) {
        json_decref(items);
        return esm__client_fail(it->c, ESM_ERR_PROTOCOL, "GET %s: the page from time-start=%lld ends at %lld",
                                it->path, it->start, last);
    }
    it->items = items;
    it->n = n;
    if (it->n > it->values_cap) {
        struct esm_value *v = realloc(it->values, it->n * sizeof *v);
        if (!v) {
            it->n = 0;
            return ESM_ERR_NOMEM;
        }
        it->values = v;
        it->values_cap = it->n;
    }
    for (size_t i = 0; i < it->n; i++)
        esm__value_init(&it->values[i], json_object_get(json_array_get(items, i), "val"));
    it->more = more;
    if (more) {
        it->start = last + 1;
        it->has_start = true;
    }
    return ESM_OK;
}

esm_code esm_data_iter_next(esm_data_iter *it, const esm_point **pt)
{
    if (!it || !pt)
        return ESM_ERR_INVALID;
    *pt = NULL;
    while (it->next >= it->n) {
        if (!it->more)
            return ESM_DONE;
        esm_code rc = fetch_page(it);
        if (rc != ESM_OK) {
            it->more = false;
            return rc;
        }
    }
    json_t *item = json_array_get(it->items, it->next);
    it->point.ts = json_integer_value(json_object_get(item, "ts"));
    it->point.value = &it->values[it->next++];
    *pt = &it->point;
    return ESM_OK;
}

void esm_data_iter_free(esm_data_iter *it)
{
    if (!it)
        return;
    clear_page(it);
    free(it->values);
    free(it->path);
    free(it);
}
