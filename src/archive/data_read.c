/* Data retrieval: base data and summaries of one event type (esmond-rest-api §9). */
#include <stdlib.h>
#include <string.h>

#include "archive.h"
#include "event_types.h"
#include "metadata.h"
#include "paging.h"
#include "timefilter.h"

/* Points more than an hour ahead are never served, as in esmond (esmond-rest-api §7.3). */
#define OPEN_END_SLACK 3600

static bool find_series(esa_db *db, const char *key, const char *et, int st, long long window, long long *id)
{
    sqlite3_stmt *s = esa_db_prepare(db, "SELECT s.id FROM series s JOIN metadata m ON m.id = s.metadata_id"
                                         " WHERE m.key = ? AND s.event_type = ? AND s.summary_type = ?"
                                         " AND s.summary_window = ?");
    if (!s)
        return false;
    sqlite3_bind_text(s, 1, key, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 2, et, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 3, esm_summary_json_name(st), -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 4, window);
    bool found = sqlite3_step(s) == SQLITE_ROW;
    if (found)
        *id = sqlite3_column_int64(s, 0);
    sqlite3_reset(s);
    return found;
}

void esa_data_get(esa_archive *ar, const esa_request *rq, const char *key, const char *et, int st, long long window,
                  esa_response *rs)
{
    char err[128];
    long long now = esa_now();
    esa_time_filter tf;
    esa_page pg;
    if (!esa_time_filter_parse(rq, now, &tf, err, sizeof err)) {
        esa_respond_error(rs, 400, "%s", err);
        return;
    }
    if (!esa_page_parse(rq, &pg, rs))
        return;
    if (tf.open_end)
        tf.end = now + OPEN_END_SLACK;

    rs->status = 200;
    esm_buf_puts(&rs->body, "[");
    esa_db *db = esa_store_acquire(ar->store);
    long long series;
    /* The reference reads base data from /base/<window> only for window 0. */
    bool found = find_series(db, key, et, st, window, &series);
    /* Names outside the catalog are served only when stored (old archives), esmond-rest-api §3.4. */
    if (!found && !esm_event_type_find(et)) {
        esa_store_release(ar->store, db);
        esa_respond_error(rs, 400, "Unsupported event type '%s' provided", et);
        return;
    }
    if (found && !(st == ESM_SUM_BASE && window != 0)) {
        sqlite3_stmt *s = esa_db_prepare(db, "SELECT ts, val FROM point WHERE series_id = ? AND ts BETWEEN ? AND ?"
                                             " ORDER BY ts LIMIT ? OFFSET ?");
        if (!s) {
            esa_respond_error(rs, 503, "Database error: %s", esa_db_errmsg(db));
            esa_store_release(ar->store, db);
            return;
        }
        sqlite3_bind_int64(s, 1, series);
        sqlite3_bind_int64(s, 2, tf.begin);
        sqlite3_bind_int64(s, 3, tf.end);
        sqlite3_bind_int64(s, 4, pg.limit + 1); /* one more tells whether a next page exists */
        sqlite3_bind_int64(s, 5, pg.offset);
        long long n = 0;
        while (sqlite3_step(s) == SQLITE_ROW) {
            if (n++ == pg.limit)
                break;
            esm_buf_printf(&rs->body, "%s{\"ts\":%lld,\"val\":", n > 1 ? "," : "", (long long)sqlite3_column_int64(s, 0));
            esm_buf_append(&rs->body, (const char *)sqlite3_column_text(s, 1), (size_t)sqlite3_column_bytes(s, 1));
            esm_buf_append(&rs->body, "}", 1);
        }
        sqlite3_reset(s);
        /* Without an explicit limit the answer is silently one page, so say where the rest is. */
        if (!pg.explicit_limit || pg.offset > 0) {
            esm_buf path;
            esm_buf_init(&path);
            if (st == ESM_SUM_BASE)
                esm_buf_printf(&path, "/archive/%s/%s/base", key, et);
            else
                esm_buf_printf(&path, "/archive/%s/%s/%s/%lld", key, et, esm_summary_url_name(st), window);
            if (!path.failed)
                esa_page_link(rq, path.data, &pg, n > pg.limit, rs);
            esm_buf_free(&path);
        }
    }
    esa_store_release(ar->store, db);
    esm_buf_puts(&rs->body, "]");
}
