/* Rendering metadata objects, event-type entries and summary entries as the
 * reference serves them (esmond-rest-api §6, §8). */
#include "metadata.h"

#include <stdlib.h>
#include <string.h>

#include "event_types.h"

static void put_key(esm_buf *out, const char *name)
{
    esm_buf_json_string(out, name, strlen(name));
    esm_buf_append(out, ":", 1);
}

static void put_str(esm_buf *out, const char *name, const char *value)
{
    put_key(out, name);
    esm_buf_json_string(out, value, strlen(value));
}

static void put_time(esm_buf *out, sqlite3_stmt *s, int col)
{
    put_key(out, "time-updated");
    if (sqlite3_column_type(s, col) == SQLITE_NULL)
        esm_buf_puts(out, "null");
    else
        esm_buf_printf(out, "%lld", (long long)sqlite3_column_int64(s, col));
}

/* "<prefix>/archive/<key>/" */
static void put_uri_base(esm_buf *out, const esa_request *rq, const char *key)
{
    esm_buf_printf(out, "%s/archive/%s/", rq->prefix, key);
}

static void put_uri(esm_buf *out, const char *name, const esa_request *rq, const char *key, const char *tail1,
                    const char *tail2, long long window, bool with_window)
{
    esm_buf u;
    esm_buf_init(&u);
    put_uri_base(&u, rq, key);
    esm_buf_printf(&u, "%s/%s", tail1, tail2);
    if (with_window)
        esm_buf_printf(&u, "/%lld", window);
    put_key(out, name);
    esm_buf_json_string(out, u.data ? u.data : "", u.len);
    out->failed |= u.failed;
    esm_buf_free(&u);
}

static void put_summary(esm_buf *out, const esa_request *rq, const char *key, const char *et, sqlite3_stmt *s)
{
    const char *st = (const char *)sqlite3_column_text(s, 1);
    long long window = sqlite3_column_int64(s, 2);
    int sti = esm_summary_from_json_name(st);
    esm_buf_append(out, "{", 1);
    put_uri(out, "uri", rq, key, et, sti >= 0 ? esm_summary_url_name(sti) : st, window, true);
    esm_buf_append(out, ",", 1);
    put_str(out, "summary-type", st);
    esm_buf_printf(out, ",\"summary-window\":\"%lld\",", window);
    put_time(out, s, 3);
    esm_buf_append(out, "}", 1);
}

/* Rows of one metadata, optionally one event type, sorted by event type, then
 * summary type, then window ('base' sorts among the summary types, so it is
 * picked out explicitly). */
static const char rows_sql[] =
    "SELECT event_type, summary_type, summary_window, time_updated FROM series"
    " WHERE metadata_id = ?1 AND (?2 IS NULL OR event_type = ?2)"
    " ORDER BY event_type, summary_type <> 'base', summary_type, summary_window";

static bool put_event_types(esa_db *db, long long id, const char *key, const char *only_et, const esa_request *rq,
                            esm_buf *out)
{
    sqlite3_stmt *s = esa_db_prepare(db, rows_sql);
    if (!s)
        return false;
    sqlite3_bind_int64(s, 1, id);
    esa_bind_text(s, 2, only_et);
    char *current = NULL;
    int rc;
    bool first_summary = true;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        const char *et = (const char *)sqlite3_column_text(s, 0);
        const char *st = (const char *)sqlite3_column_text(s, 1);
        if (!current || strcmp(current, et) != 0) {
            if (current)
                esm_buf_puts(out, "]},");
            free(current);
            current = strdup(et);
            if (!current)
                break;
            esm_buf_append(out, "{", 1);
            put_uri(out, "base-uri", rq, key, et, "base", 0, false);
            esm_buf_append(out, ",", 1);
            put_str(out, "event-type", et);
            esm_buf_append(out, ",", 1);
            put_time(out, s, 3); /* the base row comes first and carries the event type's time */
            esm_buf_puts(out, ",\"summaries\":[");
            first_summary = true;
        }
        if (strcmp(st, "base") == 0)
            continue;
        if (!first_summary)
            esm_buf_append(out, ",", 1);
        first_summary = false;
        put_summary(out, rq, key, et, s);
    }
    if (current)
        esm_buf_puts(out, "]}");
    free(current);
    sqlite3_reset(s);
    return rc == SQLITE_DONE && !out->failed;
}

bool esa_event_type_render(esa_db *db, long long id, const char *key, const char *event_type,
                           const esa_request *rq, esm_buf *out)
{
    return put_event_types(db, id, key, event_type, rq, out);
}

bool esa_summaries_render(esa_db *db, long long id, const char *key, const char *event_type, int summary_type,
                          const esa_request *rq, esm_buf *out, int *count)
{
    sqlite3_stmt *s = esa_db_prepare(db, "SELECT event_type, summary_type, summary_window, time_updated FROM series"
                                         " WHERE metadata_id = ? AND event_type = ? AND summary_type = ?"
                                         " ORDER BY summary_window");
    if (!s)
        return false;
    sqlite3_bind_int64(s, 1, id);
    sqlite3_bind_text(s, 2, event_type, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 3, esm_summary_json_name(summary_type), -1, SQLITE_STATIC);
    *count = 0;
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        if ((*count)++)
            esm_buf_append(out, ",", 1);
        put_summary(out, rq, key, event_type, s);
    }
    sqlite3_reset(s);
    return rc == SQLITE_DONE;
}

static bool put_params(esa_db *db, long long id, esm_buf *out)
{
    sqlite3_stmt *s = esa_db_prepare(db, "SELECT name, value FROM parameter WHERE metadata_id = ? ORDER BY pos");
    if (!s)
        return false;
    sqlite3_bind_int64(s, 1, id);
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        esm_buf_append(out, ",", 1);
        put_str(out, (const char *)sqlite3_column_text(s, 0), (const char *)sqlite3_column_text(s, 1));
    }
    sqlite3_reset(s);
    return rc == SQLITE_DONE;
}

bool esa_metadata_render(esa_db *db, long long id, const esa_request *rq, const char *extra, esm_buf *out)
{
    sqlite3_stmt *s = esa_db_prepare(db, "SELECT key, subject_type, source, destination, measurement_agent,"
                                         " tool_name, input_source, input_destination FROM metadata WHERE id = ?");
    if (!s)
        return false;
    sqlite3_bind_int64(s, 1, id);
    if (sqlite3_step(s) != SQLITE_ROW) {
        sqlite3_reset(s);
        return false;
    }
    char *key = strdup((const char *)sqlite3_column_text(s, 0));
    char *fields[1 + ESA_N_SUBJECT] = {0};
    for (int i = 0; i <= ESA_N_SUBJECT; i++) {
        const unsigned char *t = sqlite3_column_text(s, 1 + i);
        fields[i] = t ? strdup((const char *)t) : NULL;
    }
    sqlite3_reset(s);
    bool ok = key && fields[0];
    if (ok) {
        esm_buf u;
        esm_buf_init(&u);
        esm_buf_printf(&u, "http://%s", rq->host);
        put_uri_base(&u, rq, key);
        esm_buf_append(out, "{", 1);
        put_str(out, "url", u.data ? u.data : "");
        esm_buf_free(&u);
        esm_buf_append(out, ",", 1);
        put_str(out, "metadata-key", key);
        esm_buf_append(out, ",", 1);
        put_str(out, "subject-type", fields[0]);
        esm_buf_puts(out, ",\"event-types\":[");
        ok = put_event_types(db, id, key, NULL, rq, out);
        esm_buf_append(out, "]", 1);
        for (int i = 0; ok && i < ESA_N_SUBJECT; i++) {
            if (fields[1 + i]) {
                esm_buf_append(out, ",", 1);
                put_str(out, esa_subject_fields[i], fields[1 + i]);
            }
        }
        ok = ok && put_params(db, id, out);
        esm_buf_puts(out, ",\"uri\":\"");
        put_uri_base(out, rq, key);
        esm_buf_append(out, "\"", 1);
        if (extra)
            esm_buf_puts(out, extra);
        esm_buf_append(out, "}", 1);
    }
    free(key);
    for (int i = 0; i <= ESA_N_SUBJECT; i++)
        free(fields[i]);
    return ok && !out->failed;
}
