/* Data writes: one point to a base URI (esmond-rest-api §12.2) and bulk PUT
 * of many points (§12.3), validated as a whole and applied in one transaction,
 * so a request is stored entirely or not at all (§12.4). */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "archive.h"
#include "event_types.h"
#include "json_body.h"
#include "metadata.h"
#include "summaries.h"
#include "values.h"

#define MAX_ROWS 64 /* summary rows one event type can have */

typedef struct {
    char event_type[65];
    const esm_event_type_info *info;
    long long ts;
    esa_value v;
} pending;

typedef struct {
    pending *items;
    size_t n, cap;
} pending_list;

static void pending_free(pending_list *l)
{
    for (size_t i = 0; i < l->n; i++)
        esa_value_free(&l->items[i].v);
    free(l->items);
}

static pending *pending_add(pending_list *l)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 16;
        pending *p = realloc(l->items, cap * sizeof *p);
        if (!p)
            return NULL;
        l->items = p;
        l->cap = cap;
    }
    pending *p = &l->items[l->n++];
    memset(p, 0, sizeof *p);
    return p;
}

/* Body checks shared by both writes (esmond-rest-api §4.1); reads the body
 * into d (its object is token 0), or answers and returns false. */
static bool read_body(const esa_request *rq, esm_jdoc *d, esa_response *rs)
{
    if (!rq->content_type || strncasecmp(rq->content_type, "application/json", 16) != 0) {
        esa_respond_error(rs, 400, "Must post content-type: application/json header and json-formatted payload.");
        return false;
    }
    if (rq->body_len == 0) {
        esa_respond_error(rs, 400, "No data payload POSTed.");
        return false;
    }
    switch (esa_json_body_parse(d, rq->body, rq->body_len)) {
    case ESA_BODY_OBJECT:
        return true;
    case ESA_BODY_NOMEM:
        esa_respond_error(rs, 503, "Out of memory");
        return false;
    case ESA_BODY_INVALID:
        break;
    }
    /* Echo a printable prefix only: the body may be large or binary. */
    char given[81];
    size_t n = rq->body_len < 80 ? rq->body_len : 80;
    for (size_t i = 0; i < n; i++)
        given[i] = isprint((unsigned char)rq->body[i]) ? rq->body[i] : '?';
    given[n] = '\0';
    esa_respond_error(rs, 400, "POST data payload could not be decoded to a JSON object - given: %s%s", given,
                      rq->body_len > 80 ? "..." : "");
    return false;
}

/* Validates one (event type, ts, val) triple of d into p; answers 400 on failure. */
static bool read_point(pending *p, const char *et, const esm_jdoc *d, uint32_t ts, uint32_t val, esa_response *rs)
{
    p->info = esm_event_type_find(et);
    if (!p->info) {
        esa_respond_error(rs, 400, "Invalid event type %.100s", et ? et : "(not a string)");
        return false;
    }
    snprintf(p->event_type, sizeof p->event_type, "%s", et);
    if (!esa_py_int(d, ts, &p->ts) || p->ts < 0) {
        esa_respond_error(rs, 400, "Time must be a unix timestamp");
        return false;
    }
    char err[256];
    if (!esa_value_parse(p->info->data_type, d, val, &p->v, err, sizeof err)) {
        esa_respond_error(rs, 400, "%s", err);
        return false;
    }
    return true;
}

static bool is_numeric(esm_data_type dt)
{
    return dt == ESM_DT_INTEGER || dt == ESM_DT_FLOAT || dt == ESM_DT_PERCENTAGE;
}

typedef enum { STORED, CONFLICT, UNREGISTERED, FAILED } store_result;

/* The summary rows of one event type, read once per request. */
typedef struct {
    const char *event_type;
    esa_series rows[MAX_ROWS];
    int n;
    long long base_id; /* -1: not registered */
    bool written;
} type_rows;

/* What one write request keeps while it stores its points. */
typedef struct {
    esa_db *db;
    long long md_id;
    type_rows *types; /* event types seen, at most one entry per catalog name */
    size_t n_types, cap_types;
    esa_summary_batch *batch;
} write_state;

static type_rows *rows_of(write_state *w, const char *event_type)
{
    for (size_t i = 0; i < w->n_types; i++)
        if (strcmp(w->types[i].event_type, event_type) == 0)
            return &w->types[i];
    if (w->n_types == w->cap_types) {
        size_t cap = w->cap_types ? 2 * w->cap_types : 8;
        type_rows *t = realloc(w->types, cap * sizeof *t);
        if (!t)
            return NULL;
        w->types = t;
        w->cap_types = cap;
    }
    type_rows *t = &w->types[w->n_types];
    t->event_type = event_type;
    t->n = esa_series_list(w->db, w->md_id, event_type, t->rows, MAX_ROWS);
    if (t->n < 0)
        return NULL;
    t->base_id = -1;
    t->written = false;
    for (int i = 0; i < t->n; i++)
        if (t->rows[i].summary_type == ESM_SUM_BASE)
            t->base_id = t->rows[i].id;
    w->n_types++;
    return t;
}

/* Runs one of the point inserts for p into the base series; returns the step's code. */
static int insert_point(esa_db *db, const char *sql, long long base_id, const pending *p)
{
    sqlite3_stmt *s = esa_db_prepare(db, sql);
    if (!s)
        return SQLITE_ERROR;
    sqlite3_bind_int64(s, 1, base_id);
    sqlite3_bind_int64(s, 2, p->ts);
    sqlite3_bind_text(s, 3, p->v.json, -1, SQLITE_STATIC); /* p outlives the step */
    if (p->v.has_state) {
        sqlite3_bind_int64(s, 4, p->v.a);
        sqlite3_bind_int64(s, 5, p->v.b);
        sqlite3_bind_int64(s, 6, 1);
    }
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    return rc;
}

/* Stores one point and updates its summaries in the batch. */
static store_result store_point(write_state *w, const pending *p)
{
    type_rows *t = rows_of(w, p->event_type);
    if (!t)
        return FAILED;
    if (t->base_id < 0)
        return UNREGISTERED;
    /* A plain INSERT finds an existing point by its key error, sparing a lookup
     * per point; only a replaced (non-numeric) point takes a second statement. */
    bool replaced = false;
    int rc = insert_point(w->db, "INSERT INTO point(series_id, ts, val, a, b, n) VALUES (?, ?, ?, ?, ?, ?)",
                          t->base_id, p);
    if (rc == SQLITE_CONSTRAINT_PRIMARYKEY) {
        if (is_numeric(p->info->data_type))
            return CONFLICT;
        replaced = true;
        rc = insert_point(w->db, "INSERT OR REPLACE INTO point(series_id, ts, val, a, b, n) VALUES (?, ?, ?, ?, ?, ?)",
                          t->base_id, p);
    }
    if (rc != SQLITE_DONE)
        return FAILED;
    t->written = true;
    return esa_summaries_apply(w->batch, t->rows, t->n, p->info->data_type, p->ts, &p->v, replaced) ? STORED
                                                                                                   : FAILED;
}

/* Writes the touched summary bins and the event types' time-updated (esmond-rest-api §12.6). */
static bool finish(write_state *w, long long now)
{
    if (!esa_summary_batch_flush(w->batch))
        return false;
    for (size_t i = 0; i < w->n_types; i++) {
        if (!w->types[i].written)
            continue;
        sqlite3_stmt *s = esa_db_prepare(w->db, "UPDATE series SET time_updated = ? WHERE metadata_id = ? AND event_type = ?");
        if (!s)
            return false;
        sqlite3_bind_int64(s, 1, now);
        sqlite3_bind_int64(s, 2, w->md_id);
        sqlite3_bind_text(s, 3, w->types[i].event_type, -1, SQLITE_TRANSIENT);
        if (sqlite3_step(s) != SQLITE_DONE)
            return false;
    }
    return true;
}

/* Stores all points of one request in a single transaction and answers. */
static void store_all(esa_archive *ar, const char *key, const pending_list *l, esa_response *rs)
{
    write_state w = {.db = esa_store_acquire(ar->store)};
    if (!esa_metadata_lookup(w.db, key, &w.md_id)) {
        esa_respond_error(rs, 404, "Not found.");
        goto out;
    }
    if (!(w.batch = esa_summary_batch_new(w.db))) {
        esa_respond_error(rs, 503, "Out of memory");
        goto out;
    }
    if (!esa_db_exec(w.db, "BEGIN IMMEDIATE")) {
        esa_respond_error(rs, 503, "Database busy: %s", esa_db_errmsg(w.db));
        goto out;
    }
    for (size_t i = 0; i < l->n; i++) {
        const pending *p = &l->items[i];
        switch (store_point(&w, p)) {
        case STORED:
            continue;
        case CONFLICT:
            esa_respond_error(rs, 409, "Time series value already exists with event type %s at time %lld",
                              p->event_type, p->ts);
            break;
        case UNREGISTERED:
            esa_respond_error(rs, 400, "Event type %s is not registered for metadata %s", p->event_type, key);
            break;
        case FAILED:
            esa_respond_error(rs, 503, "Cannot store data: %s", esa_db_errmsg(w.db));
            break;
        }
        esa_db_exec(w.db, "ROLLBACK");
        goto out;
    }
    if (finish(&w, esa_now()) && esa_db_exec(w.db, "COMMIT"))
        esa_respond_written(rs);
    else
        esa_respond_error(rs, 503, "Cannot store data: %s", esa_db_errmsg(w.db));
out:
    esa_summary_batch_free(w.batch);
    free(w.types);
    esa_store_release(ar->store, w.db);
}

/* A string token's text, NULL for any other token (as json_string_value). */
static const char *string_of(const esm_jdoc *d, uint32_t t)
{
    return d->tok[t].type == ESM_JT_STRING ? esm_jdoc_str(d, t) : NULL;
}

/* Both writes read the body into a document of their own, kept until the points are stored. */
static esm_jdoc *new_doc(esa_response *rs)
{
    esm_jdoc *d = malloc(sizeof *d);
    if (d)
        esm_jdoc_init(d);
    else
        esa_respond_error(rs, 503, "Out of memory");
    return d;
}

static void free_doc(esm_jdoc *d)
{
    if (d)
        esm_jdoc_free(d);
    free(d);
}

void esa_point_post(esa_archive *ar, const esa_request *rq, const char *key, const char *et, esa_response *rs)
{
    esm_jdoc *d = new_doc(rs);
    if (!d || !read_body(rq, d, rs)) {
        free_doc(d);
        return;
    }
    pending_list l = {0};
    uint32_t ts = esm_jdoc_member(d, 0, "ts"), val = esm_jdoc_member(d, 0, "val");
    pending *p = pending_add(&l);
    if (!p)
        esa_respond_error(rs, 503, "Out of memory");
    else if (!ts)
        esa_respond_error(rs, 400, "Required field ts not provided in request");
    else if (!val)
        esa_respond_error(rs, 400, "Required field val not provided in request");
    else if (read_point(p, et, d, ts, val, rs))
        store_all(ar, key, &l, rs);
    pending_free(&l);
    free_doc(d);
}

static bool read_bulk(const esm_jdoc *d, pending_list *l, esa_response *rs)
{
    uint32_t data = esm_jdoc_member(d, 0, "data");
    if (!data) {
        esa_respond_error(rs, 400, "Request must contain 'data' element");
        return false;
    }
    if (d->tok[data].type != ESM_JT_ARRAY) {
        esa_respond_error(rs, 400, "The 'data' element must be an array");
        return false;
    }
    size_t i = 0;
    for (uint32_t item = data + 1; item < d->tok[data].next; item = d->tok[item].next, i++) {
        uint32_t ts = esm_jdoc_member(d, item, "ts"), vals = esm_jdoc_member(d, item, "val");
        if (!ts) {
            esa_respond_error(rs, 400, "Missing ts field in provided data list at position %zu", i + 1);
            return false;
        }
        if (!vals) {
            esa_respond_error(rs, 400, "Missing val field in provided data list at position %zu", i + 1);
            return false;
        }
        if (d->tok[vals].type != ESM_JT_ARRAY) {
            esa_respond_error(rs, 400, "'val' field must be an array in provided data list at position %zu", i + 1);
            return false;
        }
        long long tsv;
        if (!esa_py_int(d, ts, &tsv) || tsv < 0) { /* checked even when the item holds no value */
            esa_respond_error(rs, 400, "Time must be a unix timestamp");
            return false;
        }
        size_t j = 0;
        for (uint32_t inner = vals + 1; inner < d->tok[vals].next; inner = d->tok[inner].next, j++) {
            uint32_t et = esm_jdoc_member(d, inner, "event-type"), val = esm_jdoc_member(d, inner, "val");
            if (!et) {
                esa_respond_error(rs, 400, "Missing event-type field at data item %zu in value %zu", i + 1, j + 1);
                return false;
            }
            if (!val) {
                esa_respond_error(rs, 400, "Missing val field at data item %zu in value %zu", i + 1, j + 1);
                return false;
            }
            pending *p = pending_add(l);
            if (!p) {
                esa_respond_error(rs, 503, "Out of memory");
                return false;
            }
            if (!read_point(p, string_of(d, et), d, ts, val, rs))
                return false;
        }
    }
    return true;
}

void esa_bulk_put(esa_archive *ar, const esa_request *rq, const char *key, esa_response *rs)
{
    esm_jdoc *d = new_doc(rs);
    if (!d || !read_body(rq, d, rs)) {
        free_doc(d);
        return;
    }
    pending_list l = {0};
    if (read_bulk(d, &l, rs))
        store_all(ar, key, &l, rs);
    pending_free(&l);
    free_doc(d);
}
