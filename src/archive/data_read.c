/* Data retrieval: base data and summaries of one event type (esmond-rest-api §9).
 *
 * A page (up to 100,000 points, histograms of kilobytes each) is sent in parts
 * (a first one of about FIRST_PART_BYTES, then of PART_BYTES), so that what a response holds in memory is bounded
 * whatever the page and however slowly the client reads. Each part is its own
 * short query, continuing after the last ts written (ts is unique in a
 * series), on whichever pool connection is free for that moment; no read
 * transaction stays open for the response. Holding one would pin one of the
 * few pooled connections (as many as serving threads) and hold back WAL
 * checkpoints for as long as the slowest client likes. The price: a page read
 * while points of its series are written may include points (or updated
 * summary values) written after the read began; it never holds a point twice,
 * out of order or beyond its limit. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "archive.h"
#include "event_types.h"
#include "metadata.h"
#include "paging.h"
#include "timefilter.h"

/* Points more than an hour ahead are never served, as in esmond (esmond-rest-api §7.3). */
#define OPEN_END_SLACK 3600
/* A part is complete once it holds this much (plus at most one point). The
 * first part is larger: a page that ends within it (the usual 1,000-point
 * histogram page is ~650 KB) goes out whole with its length, one write and
 * one read transaction, as fast as before pages were streamed; 11 parts of
 * 64 KiB served it ~20% slower (a read transaction and a send each). */
#define FIRST_PART_BYTES (1024 * 1024)
#define PART_BYTES (64 * 1024)

/* Where a page stands: the points not yet written are the first `remaining`
 * ones of the series with ts in [from, end], after skipping `skip`. */
typedef struct {
    esa_store *store;
    long long series, from, end, skip, remaining;
    bool wrote;     /* a point has been written: the next one takes a comma */
    bool exhausted; /* the series ran out before the limit */
} page_cursor;

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

/* The cursor's series and ts range: parameters 1-3 of both point queries. */
static void bind_window(sqlite3_stmt *s, const page_cursor *pc)
{
    sqlite3_bind_int64(s, 1, pc->series);
    sqlite3_bind_int64(s, 2, pc->from);
    sqlite3_bind_int64(s, 3, pc->end);
}

/* Appends the page's next points to b until b holds `bytes` or the page is
 * complete; its closing bracket ends the last part. 1: more follows, 0: done,
 * -1: database error. */
static int read_part(page_cursor *pc, esa_db *db, esm_buf *b, size_t bytes)
{
    sqlite3_stmt *s = esa_db_prepare(db, "SELECT ts, val FROM point WHERE series_id = ? AND ts BETWEEN ? AND ?"
                                         " ORDER BY ts LIMIT ? OFFSET ?");
    if (!s)
        return -1;
    bind_window(s, pc);
    sqlite3_bind_int64(s, 4, pc->remaining);
    sqlite3_bind_int64(s, 5, pc->skip);
    int rc = SQLITE_ROW;
    while (pc->remaining > 0 && !pc->exhausted && b->len < bytes) {
        if ((rc = sqlite3_step(s)) != SQLITE_ROW)
            break;
        long long ts = sqlite3_column_int64(s, 0);
        esm_buf_puts(b, pc->wrote ? ",{\"ts\":" : "{\"ts\":");
        esm_buf_int(b, ts);
        esm_buf_puts(b, ",\"val\":");
        esm_buf_append(b, (const char *)sqlite3_column_text(s, 1), (size_t)sqlite3_column_bytes(s, 1));
        esm_buf_append(b, "}", 1);
        pc->wrote = true;
        pc->remaining--;
        pc->skip = 0;
        if (ts == LLONG_MAX)
            pc->exhausted = true; /* nothing can follow */
        else
            pc->from = ts + 1;
    }
    sqlite3_reset(s);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return -1;
    pc->exhausted = pc->exhausted || rc == SQLITE_DONE;
    if (pc->remaining > 0 && !pc->exhausted)
        return 1;
    esm_buf_append(b, "]", 1);
    return 0;
}

/* Whether the series has points beyond this page: the one `remaining` after
 * the last point written. Asked before the rest is streamed, since the Link
 * header goes first. -1: database error. */
static int page_has_next(const page_cursor *pc, esa_db *db)
{
    if (pc->exhausted || pc->skip > LLONG_MAX - pc->remaining)
        return 0;
    sqlite3_stmt *s = esa_db_prepare(db, "SELECT 1 FROM point WHERE series_id = ? AND ts BETWEEN ? AND ?"
                                         " ORDER BY ts LIMIT 1 OFFSET ?");
    if (!s)
        return -1;
    bind_window(s, pc);
    sqlite3_bind_int64(s, 4, pc->skip + pc->remaining);
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

/* esa_stream.next of a page: one part on a connection borrowed for it. */
static int next_part(void *state, esm_buf *b)
{
    page_cursor *pc = state;
    esa_db *db = esa_store_acquire(pc->store);
    int rc = read_part(pc, db, b, PART_BYTES);
    esa_store_release(pc->store, db);
    return rc;
}

/* Writes the first part of the page into rs->body (after its "["), the Link
 * header when one is due, and hands the rest to the server as a stream. */
static void serve_page(const esa_request *rq, esa_db *db, page_cursor *pc, const esa_page *pg,
                       const char *path, esa_response *rs)
{
    int more = read_part(pc, db, &rs->body, FIRST_PART_BYTES);
    /* Without an explicit limit the answer is silently one page, so say where the rest is. */
    bool linked = !pg->explicit_limit || pg->offset > 0;
    int has_next = more >= 0 && linked ? page_has_next(pc, db) : 0;
    if (more < 0 || has_next < 0) {
        esa_respond_error(rs, 503, "Database error: %s", esa_db_errmsg(db));
        return;
    }
    if (linked)
        esa_page_link(rq, path, pg, has_next, rs);
    if (more == 0)
        return;
    page_cursor *rest = malloc(sizeof *rest);
    if (!rest) {
        esa_respond_error(rs, 503, "Out of memory");
        return;
    }
    *rest = *pc;
    rs->more = (esa_stream){next_part, free, rest};
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
    rs->status = 200;
    esm_buf_puts(&rs->body, "[");
    if (!found || (st == ESM_SUM_BASE && window != 0)) {
        esm_buf_puts(&rs->body, "]");
        esa_store_release(ar->store, db);
        return;
    }
    esm_buf path;
    esm_buf_init(&path);
    if (st == ESM_SUM_BASE)
        esm_buf_printf(&path, "/archive/%s/%s/base", key, et);
    else
        esm_buf_printf(&path, "/archive/%s/%s/%s/%lld", key, et, esm_summary_url_name(st), window);
    if (path.failed) {
        esa_respond_error(rs, 503, "Out of memory");
    } else {
        page_cursor pc = {.store = ar->store, .series = series, .from = tf.begin, .end = tf.end, .skip = pg.offset,
                          .remaining = pg.limit};
        serve_page(rq, db, &pc, &pg, path.data, rs);
    }
    esm_buf_free(&path);
    esa_store_release(ar->store, db);
}
