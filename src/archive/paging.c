#include "paging.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "request.h"

bool esa_page_parse(const esa_request *rq, esa_page *pg, esa_response *rs)
{
    const char *l = esa_param_get(rq, "limit"), *o = esa_param_get(rq, "offset");
    pg->limit = ESA_PAGE_DEFAULT;
    pg->offset = 0;
    pg->explicit_limit = l != NULL;
    if (l && (!esa_parse_int(l, &pg->limit) || pg->limit < 1)) {
        esa_respond_error(rs, 400, "Limit must be a positive integer");
        return false;
    }
    if (o && (!esa_parse_int(o, &pg->offset) || pg->offset < 0)) {
        esa_respond_error(rs, 400, "Offset must be a non-negative integer");
        return false;
    }
    if (pg->limit > ESA_PAGE_MAX)
        pg->limit = ESA_PAGE_MAX;
    return true;
}

bool esa_page_has_next(const esa_page *pg, long long total)
{
    return pg->offset < total - pg->limit; /* total >= 0 and limit <= ESA_PAGE_MAX: no overflow */
}

static void put_escaped(esm_buf *b, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || strchr("-._~:", c)) {
            esm_buf_append(b, s, 1);
        } else {
            char e[3] = {'%', hex[c >> 4], hex[c & 15]};
            esm_buf_append(b, e, 3);
        }
    }
}

static int cmp_param(const void *a, const void *b)
{
    return strcmp(((const esa_param *)a)->name, ((const esa_param *)b)->name);
}

char *esa_page_url(const esa_request *rq, const char *path, long long limit, long long offset)
{
    /* The last value of each name, without limit and offset, sorted by name. */
    esa_param *ps = calloc(rq->n_params + 2, sizeof *ps);
    if (!ps)
        return NULL;
    size_t n = 0;
    for (size_t i = 0; i < rq->n_params; i++) {
        const char *name = rq->params[i].name;
        if (strcmp(name, "limit") == 0 || strcmp(name, "offset") == 0 || esa_param_get(rq, name) != rq->params[i].value)
            continue;
        ps[n++] = rq->params[i];
    }
    char lim[24], off[24];
    snprintf(lim, sizeof lim, "%lld", limit);
    snprintf(off, sizeof off, "%lld", offset);
    ps[n++] = (esa_param){"limit", lim};
    if (offset > 0)
        ps[n++] = (esa_param){"offset", off};
    qsort(ps, n, sizeof *ps, cmp_param);
    esm_buf b;
    esm_buf_init(&b);
    esm_buf_printf(&b, "http://%s%s%s", rq->host, rq->prefix, path);
    for (size_t i = 0; i < n; i++) {
        esm_buf_append(&b, i ? "&" : "?", 1);
        put_escaped(&b, ps[i].name);
        esm_buf_append(&b, "=", 1);
        put_escaped(&b, ps[i].value);
    }
    free(ps);
    if (b.failed) {
        esm_buf_free(&b);
        return NULL;
    }
    return b.data;
}

void esa_page_link(const esa_request *rq, const char *path, const esa_page *pg, bool has_next, esa_response *rs)
{
    char *next = has_next ? esa_page_url(rq, path, pg->limit, pg->offset + pg->limit) : NULL;
    char *prev = pg->offset > 0 ? esa_page_url(rq, path, pg->limit, pg->offset - pg->limit) : NULL;
    esm_buf b;
    esm_buf_init(&b);
    if (next)
        esm_buf_printf(&b, "<%s>; rel=\"next\"", next);
    if (prev)
        esm_buf_printf(&b, "%s<%s>; rel=\"prev\"", next ? ", " : "", prev);
    free(next);
    free(prev);
    free(rs->link);
    rs->link = b.len && !b.failed ? b.data : NULL;
    if (!rs->link)
        esm_buf_free(&b);
}
