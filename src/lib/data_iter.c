/* Data points of one series, page by page with time-start = last ts + 1
 * (esmond-rest-api §9.3, the loop clients use): immune to concurrent inserts,
 * and memory stays within one page's text whatever the series length: the
 * points are parsed one by one as they are handed out, and a page's text is
 * at most the client's max_page_bytes. */
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
    size_t limit;        /* points asked per page: the caller's page size, halved for big points */
    long long start;     /* cursor: time-start of the next page */
    bool has_start;      /* false: first page without a time filter (server default) */
    long long end;
    bool has_end;        /* false: open end */
    esm__response page;  /* the current page's text */
    esm__list list;      /* the walk through it */
    long long last;      /* the last one's ts */
    bool in_page;
    esm_jdoc current;    /* the point handed out, as tokens */
    bool has_point;
    struct esm_value value;
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
    it->limit = page_size ? page_size : DEFAULT_PAGE;
    it->more = true;
    /* A full URL keeps only its path (esmond-rest-api §3.1); any query is replaced by ours. */
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

static void clear_point(esm_data_iter *it)
{
    esm__value_clear(&it->value);
    it->has_point = false;
}

static void clear_page(esm_data_iter *it)
{
    clear_point(it);
    esm__response_free(&it->page);
    it->in_page = false;
}

static esm_code not_points(esm_data_iter *it)
{
    return esm__client_fail(it->c, ESM_ERR_PROTOCOL, "GET %s: the answer is not a list of points", it->path);
}

/* A page over the client's max_page_bytes is asked again with half the
 * limit (its points are big); the smaller limit stays for the next pages. */
static esm_code fetch_page(esm_data_iter *it)
{
    for (;;) {
        char target[8192];
        int len = snprintf(target, sizeof target, "%s?limit=%zu", it->path, it->limit);
        if (it->has_start)
            len += snprintf(target + len, sizeof target - (size_t)len, "&time-start=%lld", it->start);
        if (it->has_end)
            len += snprintf(target + len, sizeof target - (size_t)len, "&time-end=%lld", it->end);
        if (len < 0 || (size_t)len >= sizeof target)
            return esm__client_fail(it->c, ESM_ERR_INVALID, "series path too long");
        clear_page(it);
        esm_code rc = esm__request(it->c, "GET", target, NULL, 0, false, &it->page);
        if (rc != ESM_OK && it->page.too_big && it->limit > 1) {
            it->limit /= 2;
            continue;
        }
        if (rc != ESM_OK)
            return rc;
        if (!esm__list_open(&it->list, it->page.body, it->page.len))
            return not_points(it);
        it->in_page = true;
        return ESM_OK;
    }
}

/* After a page's last point: whether to ask for the next one, from where. */
static esm_code end_page(esm_data_iter *it)
{
    clear_page(it);
    /* A short page is the last; so is one whose cursor would pass the end. */
    it->more = it->list.n == it->limit && (!it->has_end || it->last < it->end) && it->last < LLONG_MAX;
    if (it->more) {
        it->start = it->last + 1;
        it->has_start = true;
    }
    return ESM_DONE;
}

/* The page's next point (ESM_OK), its end (ESM_DONE) or an error. */
static esm_code next_point(esm_data_iter *it)
{
    clear_point(it);
    const char *at;
    size_t left, used;
    int found = esm__list_next(&it->list, &at, &left);
    if (found <= 0)
        return found == 0 ? end_page(it) : not_points(it);
    /* A server that ignores limit would make pages as big as the series. */
    if (it->list.n == it->limit)
        return esm__client_fail(it->c, ESM_ERR_PROTOCOL, "GET %s: the page holds more than the %zu points asked for",
                                it->path, it->limit);
    uint32_t val;
    esm_code rc = esm__parse_data_point(at, left, &it->current, &it->last, &val, &used);
    if (rc != ESM_OK)
        return rc == ESM_ERR_PROTOCOL ? not_points(it) : rc;
    esm__list_took(&it->list, used);
    /* Every page must move the cursor on: a server that ignores time-start
     * would give the same page again and again. */
    if (it->has_start && it->last < it->start)
        return esm__client_fail(it->c, ESM_ERR_PROTOCOL, "GET %s: the page from time-start=%lld holds ts %lld",
                                it->path, it->start, it->last);
    esm__value_init(&it->value, &it->current, val);
    it->has_point = true;
    return ESM_OK;
}

esm_code esm_data_iter_next(esm_data_iter *it, const esm_point **pt)
{
    if (!it || !pt)
        return ESM_ERR_INVALID;
    *pt = NULL;
    for (;;) {
        esm_code rc = ESM_DONE;
        if (it->in_page)
            rc = next_point(it);
        else if (it->more)
            rc = fetch_page(it);
        else
            return ESM_DONE;
        if (rc == ESM_OK && it->has_point)
            break;
        if (rc != ESM_OK && rc != ESM_DONE) {
            clear_page(it);
            it->more = false;
            return rc;
        }
    }
    it->point.ts = it->last;
    it->point.value = &it->value;
    *pt = &it->point;
    return ESM_OK;
}

void esm_data_iter_free(esm_data_iter *it)
{
    if (!it)
        return;
    clear_page(it);
    esm_jdoc_free(&it->current);
    free(it->path);
    free(it);
}
