/* Metadata search results, page by page (esmond-rest-api §7.4). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* Legacy archives return at most 1000 per page; elmond caps at 10000. */
#define PAGE 1000

struct esm_metadata_iter {
    esm_client *c;
    char *query;          /* filters, URL-encoded */
    json_t *items;        /* the current page */
    size_t next;          /* index of the next item of the page */
    long long collected;  /* items read over all pages */
    long long total;      /* metadata-count-total of the first page, -1 when absent */
    bool more;            /* whether another page should be asked for */
    esm_metadata *current;
};

esm_code esm_metadata_iter_new(esm_client *c, const esm_query *q, esm_metadata_iter **out)
{
    if (!c || !out)
        return ESM_ERR_INVALID;
    *out = NULL;
    esm_metadata_iter *it = calloc(1, sizeof *it);
    if (!it || !(it->query = esm__query_string(q))) {
        free(it);
        return ESM_ERR_NOMEM;
    }
    it->c = c;
    it->total = -1;
    it->more = true;
    *out = it;
    return ESM_OK;
}

static esm_code fetch_page(esm_metadata_iter *it)
{
    size_t size = strlen(esm__client_root(it->c)) + strlen(it->query) + 64;
    char *target = malloc(size);
    if (!target)
        return ESM_ERR_NOMEM;
    snprintf(target, size, "%s/archive/?%s%slimit=%d&offset=%lld", esm__client_root(it->c), it->query,
             *it->query ? "&" : "", PAGE, it->collected);
    esm__response r;
    esm_code rc = esm__request(it->c, "GET", target, NULL, 0, false, &r);
    free(target);
    json_t *items = NULL;
    long long total = -1;
    if (rc == ESM_OK) {
        rc = esm__parse_metadata_page(r.body, r.len, &items, &total);
        if (rc != ESM_OK)
            esm__client_fail(it->c, rc, "GET %s/archive/: the answer is not a metadata list",
                             esm__client_root(it->c));
    }
    esm__response_free(&r);
    if (rc != ESM_OK)
        return rc;
    json_decref(it->items);
    it->items = items;
    it->next = 0;
    if (it->collected == 0)
        it->total = total;
    size_t n = json_array_size(items);
    it->collected += (long long)n;
    /* A full page may be followed by more even when the total says otherwise
     * (it can be approximate); a short one only when the total says so (a
     * server may cap pages below PAGE). An empty page always ends. */
    it->more = n > 0 && (n == PAGE || (it->total >= 0 && it->collected < it->total));
    return ESM_OK;
}

esm_code esm_metadata_iter_next(esm_metadata_iter *it, const esm_metadata **md)
{
    if (!it || !md)
        return ESM_ERR_INVALID;
    *md = NULL;
    esm_metadata_free(it->current);
    it->current = NULL;
    while (!it->items || it->next >= json_array_size(it->items)) {
        if (!it->more)
            return ESM_DONE;
        esm_code rc = fetch_page(it);
        if (rc != ESM_OK)
            return rc;
    }
    it->current = esm__metadata_from_json(json_array_get(it->items, it->next++));
    if (!it->current)
        return esm__client_fail(it->c, ESM_ERR_PROTOCOL, "metadata object %lld of the search is malformed",
                                it->collected - (long long)json_array_size(it->items) + (long long)it->next);
    *md = it->current;
    return ESM_OK;
}

long long esm_metadata_iter_total(const esm_metadata_iter *it)
{
    return it ? it->total : -1;
}

void esm_metadata_iter_free(esm_metadata_iter *it)
{
    if (!it)
        return;
    esm_metadata_free(it->current);
    json_decref(it->items);
    free(it->query);
    free(it);
}
