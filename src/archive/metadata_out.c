/* Rendering metadata objects, event-type entries and summary entries as the
 * reference serves them (esmond-rest-api §6, §8). */
#include "metadata.h"

#include <stdlib.h>
#include <string.h>

#include "event_types.h"
#include "values.h"

/* Bytes that esm_buf_json_string() escapes (0xe2 may start U+2028/U+2029). */
static bool needs_escape(unsigned char c)
{
    return c < 0x20 || c == '"' || c == '\\' || c == 0xe2;
}

/* A JSON string literal; text with nothing to escape, the usual case, is
 * copied in one piece. */
static void put_json_string(esm_buf *out, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (needs_escape((unsigned char)s[i])) {
            esm_buf_json_string(out, s, n);
            return;
        }
    }
    esm_buf_append(out, "\"", 1);
    esm_buf_append(out, s, n);
    esm_buf_append(out, "\"", 1);
}

/* "name": for a name of this file (nothing to escape). */
static void put_name(esm_buf *out, const char *name)
{
    esm_buf_append(out, "\"", 1);
    esm_buf_puts(out, name);
    esm_buf_append(out, "\":", 2);
}

/* A member named by this file. */
static void put_member(esm_buf *out, const char *name, const char *value)
{
    put_name(out, name);
    put_json_string(out, value, strlen(value));
}

/* A member named by stored data (a free-form parameter). */
static void put_str(esm_buf *out, const char *name, const char *value)
{
    put_json_string(out, name, strlen(name));
    esm_buf_append(out, ":", 1);
    put_json_string(out, value, strlen(value));
}

/* A series' time-updated as read from column col: a number or null. */
typedef struct {
    bool known;
    long long value;
} time_updated;

static time_updated time_of(sqlite3_stmt *s, int col)
{
    time_updated t = {sqlite3_column_type(s, col) != SQLITE_NULL, 0};
    if (t.known)
        t.value = sqlite3_column_int64(s, col);
    return t;
}

static void put_time(esm_buf *out, time_updated t)
{
    put_name(out, "time-updated");
    if (t.known)
        esm_buf_int(out, t.value);
    else
        esm_buf_append(out, "null", 4);
}

/* "<prefix>/archive/<key>/" */
static void put_uri_base(esm_buf *out, const esa_request *rq, const char *key)
{
    esm_buf_puts(out, rq->prefix);
    esm_buf_append(out, "/archive/", 9);
    esm_buf_puts(out, key);
    esm_buf_append(out, "/", 1);
}

/* "name":"<prefix>/archive/<key>/<tail1>/<tail2>[/<window>]", composed in
 * scratch (reused, so a listing does not allocate per URI). */
static void put_uri(esm_buf *out, esm_buf *scratch, const char *name, const esa_request *rq, const char *key,
                    const char *tail1, const char *tail2, long long window, bool with_window)
{
    scratch->len = 0;
    put_uri_base(scratch, rq, key);
    esm_buf_puts(scratch, tail1);
    esm_buf_append(scratch, "/", 1);
    esm_buf_puts(scratch, tail2);
    if (with_window) {
        esm_buf_append(scratch, "/", 1);
        esm_buf_int(scratch, window);
    }
    put_name(out, name);
    put_json_string(out, scratch->data ? scratch->data : "", scratch->len);
    out->failed |= scratch->failed;
}

static void put_summary(esm_buf *out, esm_buf *scratch, const esa_request *rq, const char *key, const char *et,
                        sqlite3_stmt *s)
{
    const char *st = (const char *)sqlite3_column_text(s, 1);
    long long window = sqlite3_column_int64(s, 2);
    int sti = esm_summary_from_json_name(st);
    esm_buf_append(out, "{", 1);
    put_uri(out, scratch, "uri", rq, key, et, sti >= 0 ? esm_summary_url_name(sti) : st, window, true);
    esm_buf_append(out, ",", 1);
    put_member(out, "summary-type", st);
    esm_buf_puts(out, ",\"summary-window\":\"");
    esm_buf_int(out, window);
    esm_buf_append(out, "\",", 2);
    put_time(out, time_of(s, 3));
    esm_buf_append(out, "}", 1);
}

/* Rows of one metadata, optionally one event type, in index order: event
 * type, summary type, window. */
static const char rows_sql[] =
    "SELECT event_type, summary_type, summary_window, time_updated FROM series"
    " WHERE metadata_id = ?1 AND (?2 IS NULL OR event_type = ?2)"
    " ORDER BY event_type, summary_type, summary_window";

/* The entries of one event type, collected until its rows end: 'base' sorts
 * among the summary types, yet its time goes first. */
typedef struct {
    char *event_type;
    bool have_time, have_base;
    time_updated time; /* the base row's, else the first row's */
    esm_buf summaries;
} et_entry;

static void put_entry(esm_buf *out, esm_buf *scratch, const esa_request *rq, const char *key, const et_entry *e)
{
    esm_buf_append(out, "{", 1);
    put_uri(out, scratch, "base-uri", rq, key, e->event_type, "base", 0, false);
    esm_buf_append(out, ",", 1);
    put_member(out, "event-type", e->event_type);
    esm_buf_append(out, ",", 1);
    put_time(out, e->time);
    esm_buf_puts(out, ",\"summaries\":[");
    esm_buf_append(out, e->summaries.data, e->summaries.len);
    esm_buf_append(out, "]}", 2);
    out->failed |= e->summaries.failed;
}

static bool put_event_types(esa_db *db, long long id, const char *key, const char *only_et, const esa_request *rq,
                            esm_buf *out)
{
    sqlite3_stmt *s = esa_db_prepare(db, rows_sql);
    if (!s)
        return false;
    sqlite3_bind_int64(s, 1, id);
    esa_bind_text(s, 2, only_et);
    esm_buf scratch;
    esm_buf_init(&scratch);
    et_entry e = {0};
    esm_buf_init(&e.summaries);
    int rc;
    bool first = true;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        const char *et = (const char *)sqlite3_column_text(s, 0);
        const char *st = (const char *)sqlite3_column_text(s, 1);
        if (!e.event_type || strcmp(e.event_type, et) != 0) {
            if (e.event_type) {
                if (!first)
                    esm_buf_append(out, ",", 1);
                first = false;
                put_entry(out, &scratch, rq, key, &e);
            }
            free(e.event_type);
            if (!(e.event_type = strdup(et)))
                break;
            e.have_time = e.have_base = false;
            e.summaries.len = 0;
        }
        bool is_base = strcmp(st, "base") == 0;
        if (!e.have_time || (is_base && !e.have_base)) {
            e.time = time_of(s, 3);
            e.have_time = true;
            e.have_base |= is_base;
        }
        if (is_base)
            continue;
        if (e.summaries.len)
            esm_buf_append(&e.summaries, ",", 1);
        put_summary(&e.summaries, &scratch, rq, key, et, s);
    }
    if (e.event_type && rc == SQLITE_DONE) {
        if (!first)
            esm_buf_append(out, ",", 1);
        put_entry(out, &scratch, rq, key, &e);
    }
    free(e.event_type);
    esm_buf_free(&e.summaries);
    esm_buf_free(&scratch);
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
    esm_buf scratch;
    esm_buf_init(&scratch);
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        if ((*count)++)
            esm_buf_append(out, ",", 1);
        put_summary(out, &scratch, rq, key, event_type, s);
    }
    esm_buf_free(&scratch);
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
        esm_buf_append(&u, "http://", 7);
        esm_buf_puts(&u, rq->host);
        put_uri_base(&u, rq, key);
        esm_buf_append(out, "{", 1);
        put_member(out, "url", u.data ? u.data : "");
        esm_buf_free(&u);
        esm_buf_append(out, ",", 1);
        put_member(out, "metadata-key", key);
        esm_buf_append(out, ",", 1);
        put_member(out, "subject-type", fields[0]);
        esm_buf_puts(out, ",\"event-types\":[");
        ok = put_event_types(db, id, key, NULL, rq, out);
        esm_buf_append(out, "]", 1);
        for (int i = 0; ok && i < ESA_N_SUBJECT; i++) {
            if (fields[1 + i]) {
                esm_buf_append(out, ",", 1);
                put_member(out, esa_subject_fields[i], fields[1 + i]);
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
