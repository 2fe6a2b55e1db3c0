/* Metadata endpoints other than search: create (esmond-rest-api §12.1), one
 * object (§8.1), one event type (§8.2), the summaries of one type (§8.3). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "archive.h"
#include "event_types.h"
#include "metadata.h"

void esa_metadata_post(esa_archive *ar, const esa_request *rq, esa_response *rs)
{
    const char *ct = rq->content_type;
    if (ct && (strncasecmp(ct, "application/x-www-form-urlencoded", 33) == 0 ||
               strncasecmp(ct, "multipart/form-data", 19) == 0)) {
        esa_respond_error(rs, 400, "Metadata must be posted as application/json");
        return;
    }
    if (!ct || strncasecmp(ct, "application/json", 16) != 0) {
        esa_respond_error(rs, 415, "Unsupported media type \"%.100s\" in request.", ct ? ct : "");
        return;
    }
    json_error_t jerr;
    json_t *body = json_loadb(rq->body, rq->body_len, JSON_DECODE_ANY, &jerr);
    if (!body) {
        esa_respond_error(rs, 400, "JSON parse error - %s", jerr.text);
        return;
    }
    esa_metadata_in md;
    unsigned status;
    char err[256], key[ESA_KEY_LEN + 1];
    long long id;
    bool created;
    if (!esa_metadata_read(body, false, &md, &status, err, sizeof err)) {
        esa_respond_error(rs, status, "%s", err);
        goto out;
    }
    esa_db *db = esa_store_acquire(ar->store);
    if (!esa_db_exec(db, "BEGIN IMMEDIATE") || !esa_metadata_store(db, &md, key, &id, &created, err, sizeof err) ||
        !esa_db_exec(db, "COMMIT")) {
        esa_respond_error(rs, 503, "Cannot store metadata: %s", esa_db_errmsg(db));
    } else {
        rs->status = 201;
        esm_buf loc;
        esm_buf_init(&loc);
        esm_buf_printf(&loc, "http://%s%s/archive/%s/", rq->host, rq->prefix, key);
        rs->location = loc.data;
        if (!esa_metadata_render(db, id, rq, NULL, &rs->body))
            esa_respond_error(rs, 503, "Database error: %s", esa_db_errmsg(db));
    }
    esa_store_release(ar->store, db);
out:
    esa_metadata_in_free(&md);
    json_decref(body);
}

void esa_metadata_get(esa_archive *ar, const esa_request *rq, const char *key, esa_response *rs)
{
    esa_db *db = esa_store_acquire(ar->store);
    long long id;
    if (!esa_metadata_lookup(db, key, &id)) {
        esa_respond_error(rs, 404, "Not found.");
    } else {
        rs->status = 200;
        if (!esa_metadata_render(db, id, rq, NULL, &rs->body))
            esa_respond_error(rs, 503, "Database error: %s", esa_db_errmsg(db));
    }
    esa_store_release(ar->store, db);
}

void esa_event_type_get(esa_archive *ar, const esa_request *rq, const char *key, const char *et, esa_response *rs)
{
    esa_db *db = esa_store_acquire(ar->store);
    long long id;
    rs->status = 200;
    esm_buf_puts(&rs->body, "[");
    if (esa_metadata_lookup(db, key, &id) && !esa_event_type_render(db, id, key, et, rq, &rs->body))
        esa_respond_error(rs, 503, "Database error: %s", esa_db_errmsg(db));
    else
        esm_buf_puts(&rs->body, "]");
    esa_store_release(ar->store, db);
}

void esa_summary_list_get(esa_archive *ar, const esa_request *rq, const char *key, const char *et, int st,
                          esa_response *rs)
{
    esa_db *db = esa_store_acquire(ar->store);
    long long id;
    int count = 0;
    rs->status = 200;
    esm_buf_puts(&rs->body, "[");
    if (esa_metadata_lookup(db, key, &id) &&
        !esa_summaries_render(db, id, key, et, st, rq, &rs->body, &count))
        esa_respond_error(rs, 503, "Database error: %s", esa_db_errmsg(db));
    else if (count == 0)
        esa_respond_error(rs, 404, "Not found.");
    else
        esm_buf_puts(&rs->body, "]");
    esa_store_release(ar->store, db);
}
