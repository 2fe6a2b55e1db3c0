/* Sending a record's plan: the metadata POST (once per distinct object in a
 * run), then the bulk PUT or the single failures POST. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_write.h"
#include "load_gridftp.h"

/* Metadata already posted in this run, by the text of the object. Bounded:
 * when full it starts over (a metadata POST is idempotent, so forgetting
 * costs a request, never data). */
#define CACHE_SLOTS 32768
#define CACHE_MAX (CACHE_SLOTS / 2)

typedef struct {
    char *ident;
    uint64_t hash;
    char *key;
} cached;

struct poster {
    esm_client *c;
    bool verbose;
    cached *slots;
    size_t count;
};

poster *poster_new(esm_client *c, bool verbose)
{
    poster *p = calloc(1, sizeof *p);
    if (!p || !(p->slots = calloc(CACHE_SLOTS, sizeof *p->slots))) {
        free(p);
        return NULL;
    }
    p->c = c;
    p->verbose = verbose;
    return p;
}

static void forget_all(poster *p)
{
    for (size_t i = 0; i < CACHE_SLOTS; i++) {
        free(p->slots[i].ident);
        free(p->slots[i].key);
    }
    memset(p->slots, 0, CACHE_SLOTS * sizeof *p->slots);
    p->count = 0;
}

void poster_free(poster *p)
{
    if (!p)
        return;
    forget_all(p);
    free(p->slots);
    free(p);
}

/* The object as text: its members and event types, in order. */
static char *identity(const esm_gftp_plan *plan)
{
    esm_buf b;
    esm_buf_init(&b);
    for (size_t i = 0; i < plan->n_md; i++)
        esm_buf_printf(&b, "%s\x1f%s\x1e", plan->md[i].name, plan->md[i].json);
    for (size_t i = 0; i < plan->n_event_types; i++)
        esm_buf_printf(&b, "%s\x1d", plan->event_types[i]);
    if (b.failed) {
        esm_buf_free(&b);
        return NULL;
    }
    return b.data;
}

static cached *slot_for(poster *p, const char *ident, uint64_t hash)
{
    size_t i = (size_t)hash & (CACHE_SLOTS - 1);
    while (p->slots[i].ident && (p->slots[i].hash != hash || strcmp(p->slots[i].ident, ident) != 0))
        i = (i + 1) & (CACHE_SLOTS - 1);
    return &p->slots[i];
}

/* What a failed request means for the run. */
static post_result judge(poster *p, esm_code rc, const char *ev, const char *what, uint64_t line)
{
    const char *detail = esm_client_error(p->c);
    char event[96];
    snprintf(event, sizeof event, "%s.error", ev);
    long status = esm_client_http_status(p->c);
    /* the archive's answer on this one record; anything else concerns every record */
    if (rc == ESM_ERR_INVALID || (rc == ESM_ERR_HTTP && (status == 400 || status == 413 || status == 422))) {
        esm_loader_log(event, "%s failed for the record on line %llu, skipping it - ERR: %s", what,
                       (unsigned long long)line, *detail ? detail : esm_strerror(rc));
        return POST_REJECTED;
    }
    esm_loader_log(event, "%s failed, abort processing, not updating state past line %llu - ERR: %s", what,
                   (unsigned long long)line - 1, *detail ? detail : esm_strerror(rc));
    return POST_FATAL;
}

/* The metadata's slot in the cache, posting the object when it is new. */
static post_result metadata_of(poster *p, const esm_gftp_plan *plan, const char *ev, uint64_t line, cached **out)
{
    char *ident = identity(plan);
    if (!ident)
        return judge(p, ESM_ERR_NOMEM, ev, "MetadataPost", line);
    uint64_t hash = esm_fnv1a64(ESM_FNV1A64_INIT, ident, strlen(ident));
    cached *slot = slot_for(p, ident, hash);
    if (slot->ident) {
        free(ident);
        *out = slot;
        return POST_STORED;
    }
    esm_metadata_post *mp = esm_metadata_post_new("point-to-point");
    esm_code rc = mp ? ESM_OK : ESM_ERR_NOMEM;
    for (size_t i = 0; rc == ESM_OK && i < plan->n_md; i++)
        rc = esm_metadata_post_set_json(mp, plan->md[i].name, plan->md[i].json);
    for (size_t i = 0; rc == ESM_OK && i < plan->n_event_types; i++)
        rc = esm_metadata_post_add_event_type(mp, plan->event_types[i]);
    esm_metadata *md = NULL;
    if (rc == ESM_OK)
        rc = esm_metadata_post_send(p->c, mp, &md);
    esm_metadata_post_free(mp);
    if (rc != ESM_OK) {
        free(ident);
        return judge(p, rc, ev, "MetadataPost", line);
    }
    if (p->count >= CACHE_MAX) {
        forget_all(p);
        slot = slot_for(p, ident, hash);
    }
    slot->ident = ident;
    slot->hash = hash;
    slot->key = strdup(esm_metadata_key(md));
    esm_metadata_free(md);
    p->count++;
    if (!slot->key)
        return judge(p, ESM_ERR_NOMEM, ev, "MetadataPost", line);
    *out = slot;
    return POST_STORED;
}

post_result poster_send(poster *p, const esm_gftp_plan *plan, const char *ev, uint64_t line)
{
    cached *md = NULL;
    post_result res = metadata_of(p, plan, ev, line, &md);
    if (res != POST_STORED)
        return res;
    esm_code rc;
    const char *what;
    if (plan->failure) {
        what = "EventTypePost";
        rc = esm_point_post(p->c, md->key, "failures", plan->ts, plan->failure);
    } else {
        what = "EventTypeBulkPost";
        esm_bulk_post *bp = esm_bulk_post_new(md->key);
        rc = bp ? ESM_OK : ESM_ERR_NOMEM;
        for (size_t i = 0; rc == ESM_OK && i < plan->n_values; i++)
            rc = esm_bulk_post_add(bp, plan->ts, plan->values[i].name, plan->values[i].json);
        if (rc == ESM_OK)
            rc = esm_bulk_post_send(p->c, bp);
        esm_bulk_post_free(bp);
    }
    if (rc == ESM_ERR_CONFLICT) {
        if (p->verbose) {
            char event[96];
            snprintf(event, sizeof event, "%s.debug", ev);
            esm_loader_log(event, "line %llu: already stored (409)", (unsigned long long)line);
        }
        return POST_STORED;
    }
    return rc == ESM_OK ? POST_STORED : judge(p, rc, ev, what, line);
}
