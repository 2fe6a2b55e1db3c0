/* Metadata search results, page by page (esmond-rest-api §7.4). Objects are
 * parsed one by one from the page's text as they are handed out, and every
 * page must bring new objects: a server that ignores offset would otherwise
 * be asked for ever. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* Legacy archives return at most 1000 per page; elmond caps at 10000. */
#define PAGE 1000

/* The first object of a page read: a later page starting with it again is a
 * page read twice (a page that moved by a whole page under concurrent
 * deletes would look the same, and ending there is right too). */
typedef struct {
    char *key;
    long long offset;
} page_start;

struct esm_metadata_iter {
    esm_client *c;
    char *query;          /* filters, URL-encoded */
    char *target;         /* the current page's path and query */
    esm__response page;   /* its text */
    esm__list list;       /* the walk through it */
    bool in_page;
    long long offset;     /* objects of the pages before the current one */
    long long total;      /* metadata-count-total of the first page, -1 when absent */
    bool more;            /* whether another page should be asked for */
    page_start *starts;   /* of every page so far */
    size_t n_starts;
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

static esm_code not_a_list(esm_metadata_iter *it)
{
    return esm__client_fail(it->c, ESM_ERR_PROTOCOL, "GET %s: the answer is not a metadata list", it->target);
}

static esm_code fetch_page(esm_metadata_iter *it)
{
    size_t size = strlen(esm__client_root(it->c)) + strlen(it->query) + 64;
    free(it->target);
    if (!(it->target = malloc(size)))
        return ESM_ERR_NOMEM;
    snprintf(it->target, size, "%s/archive/?%s%slimit=%d&offset=%lld", esm__client_root(it->c), it->query,
             *it->query ? "&" : "", PAGE, it->offset);
    esm__response_free(&it->page);
    esm_code rc = esm__request(it->c, "GET", it->target, NULL, 0, false, &it->page);
    if (rc != ESM_OK)
        return rc;
    if (!esm__list_open(&it->list, it->page.body, it->page.len))
        return not_a_list(it);
    it->in_page = true;
    return ESM_OK;
}

/* After a page's last object: whether to ask for the next one. */
static esm_code end_page(esm_metadata_iter *it)
{
    esm__response_free(&it->page);
    it->in_page = false;
    size_t n = it->list.n;
    it->offset += (long long)n;
    /* A full page may be followed by more even when the total says otherwise
     * (it can be approximate); a short one only when the total says so (a
     * server may cap pages below PAGE). An empty page always ends. */
    it->more = n > 0 && (n == PAGE || (it->total >= 0 && it->offset < it->total));
    return ESM_DONE;
}

/* Records the first object of a page, or fails when an earlier page began with it. */
static esm_code check_progress(esm_metadata_iter *it, const char *key)
{
    for (size_t i = 0; i < it->n_starts; i++)
        if (strcmp(it->starts[i].key, key) == 0)
            return esm__client_fail(it->c, ESM_ERR_PROTOCOL,
                                    "GET %s: the page repeats the one at offset=%lld (both start with metadata-key %s)",
                                    it->target, it->starts[i].offset, key);
    page_start *starts = realloc(it->starts, (it->n_starts + 1) * sizeof *starts);
    if (!starts)
        return ESM_ERR_NOMEM;
    it->starts = starts;
    if (!(starts[it->n_starts].key = strdup(key)))
        return ESM_ERR_NOMEM;
    starts[it->n_starts++].offset = it->offset;
    return ESM_OK;
}

/* The page's next object in it->current (ESM_OK), its end (ESM_DONE) or an error. */
static esm_code next_object(esm_metadata_iter *it)
{
    const char *at;
    size_t left, used;
    int found = esm__list_next(&it->list, &at, &left);
    if (found <= 0)
        return found == 0 ? end_page(it) : not_a_list(it);
    json_t *item;
    long long total;
    if (esm__parse_metadata_item(at, left, &item, &total, &used) != ESM_OK)
        return not_a_list(it);
    bool first = it->list.n == 0;
    if (first && it->offset == 0)
        it->total = total;
    it->current = esm__metadata_from_json(item);
    json_decref(item);
    if (!it->current)
        return esm__client_fail(it->c, ESM_ERR_PROTOCOL, "metadata object %lld of the search is malformed",
                                it->offset + (long long)it->list.n + 1);
    esm_code rc = first ? check_progress(it, esm_metadata_key(it->current)) : ESM_OK;
    esm__list_took(&it->list, used);
    return rc;
}

esm_code esm_metadata_iter_next(esm_metadata_iter *it, const esm_metadata **md)
{
    if (!it || !md)
        return ESM_ERR_INVALID;
    *md = NULL;
    for (;;) {
        esm_metadata_free(it->current);
        it->current = NULL;
        esm_code rc = ESM_DONE;
        if (it->in_page)
            rc = next_object(it);
        else if (it->more)
            rc = fetch_page(it);
        else
            return ESM_DONE;
        if (rc == ESM_OK && it->current)
            break;
        if (rc != ESM_OK && rc != ESM_DONE) {
            esm_metadata_free(it->current);
            it->current = NULL;
            esm__response_free(&it->page);
            it->in_page = it->more = false;
            return rc;
        }
    }
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
    esm__response_free(&it->page);
    for (size_t i = 0; i < it->n_starts; i++)
        free(it->starts[i].key);
    free(it->starts);
    free(it->target);
    free(it->query);
    free(it);
}
