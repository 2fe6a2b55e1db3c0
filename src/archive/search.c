/* Metadata search, GET <root>/archive/ (esmond-rest-api §7): every filter becomes a
 * condition with bound parameters, evaluated in SQLite. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "archive.h"
#include "ip.h"
#include "metadata.h"
#include "paging.h"
#include "timefilter.h"

#define MAX_BINDS 256

typedef struct {
    esm_buf sql;
    struct {
        const char *text; /* NULL: use num */
        long long num;
    } binds[MAX_BINDS];
    int n;
    bool overflow;
} query;

static void bind_text(query *q, const char *t)
{
    if (q->n == MAX_BINDS) {
        q->overflow = true;
        return;
    }
    q->binds[q->n].text = t;
    q->binds[q->n++].num = 0;
}

static void bind_num(query *q, long long v)
{
    if (q->n == MAX_BINDS) {
        q->overflow = true;
        return;
    }
    q->binds[q->n].text = NULL;
    q->binds[q->n++].num = v;
}

/* Parameters with a meaning of their own; any other name filters on a free-form parameter. */
static const char *const known[] = {"source", "destination", "measurement-agent", "input-source",
                                    "input-destination", "tool-name", "subject-type", "metadata-key",
                                    "event-type", "summary-type", "summary-window", "time", "time-start",
                                    "time-end", "time-range", "dns-match-rule", "limit", "offset", "format"};

static bool is_known(const char *name)
{
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        if (strcmp(known[i], name) == 0)
            return true;
    return false;
}

/* Adds the conditions; answers 400 and returns false on bad parameters. */
static bool build_where(const esa_request *rq, query *q, esa_ip_set sets[3], esa_response *rs)
{
    static const int ip_fields[3] = {0, 1, 2}; /* source, destination, measurement-agent */
    const char *rule = esa_param_get(rq, "dns-match-rule");
    for (int i = 0; i < 3; i++) {
        const char *name = esa_subject_fields[ip_fields[i]];
        const char *v = esa_param_get(rq, name);
        if (!v)
            continue;
        int rc = esa_ip_resolve(v, rule, &sets[i]);
        if (rc == -1) {
            esa_respond_error(rs, 400, "Invalid dns-match-rule parameter %.100s", rule);
            return false;
        }
        if (rc == -2) {
            esa_respond_error(rs, 400, "Unable to find address for host %.200s", v);
            return false;
        }
        esm_buf_printf(&q->sql, " AND m.%s IN (?%s)", esa_subject_columns[ip_fields[i]], sets[i].n > 1 ? ",?" : "");
        for (int j = 0; j < sets[i].n; j++)
            bind_text(q, sets[i].addr[j]);
    }
    static const int text_fields[3] = {3, 4, 5}; /* tool-name, input-source, input-destination */
    for (int i = 0; i < 3; i++) {
        const char *v = esa_param_get(rq, esa_subject_fields[text_fields[i]]);
        if (v) {
            esm_buf_printf(&q->sql, " AND m.%s = ?", esa_subject_columns[text_fields[i]]);
            bind_text(q, v);
        }
    }
    const char *v;
    if ((v = esa_param_get(rq, "subject-type"))) {
        esm_buf_puts(&q->sql, " AND m.subject_type = ?");
        bind_text(q, v);
    }
    if ((v = esa_param_get(rq, "metadata-key"))) {
        esm_buf_puts(&q->sql, " AND m.key = ?");
        bind_text(q, v);
    }
    /* Free-form filters: each an independent condition (esmond-rest-api §7.2 rule 3). */
    for (size_t i = 0; i < rq->n_params; i++) {
        const esa_param *p = &rq->params[i];
        if (is_known(p->name) || esa_param_get(rq, p->name) != p->value)
            continue;
        esm_buf_puts(&q->sql, " AND EXISTS (SELECT 1 FROM parameter p WHERE p.metadata_id = m.id"
                              " AND p.name = ? AND p.value = ?)");
        bind_text(q, p->name);
        bind_text(q, p->value);
    }
    /* Event type, summary and time conditions hold on one series row (esmond-rest-api §7.2 rule 1). */
    char err[128];
    esa_time_filter tf;
    if (!esa_time_filter_parse(rq, esa_now(), &tf, err, sizeof err)) {
        esa_respond_error(rs, 400, "%s", err);
        return false;
    }
    const char *et = esa_param_get(rq, "event-type"), *st = esa_param_get(rq, "summary-type"),
               *sw = esa_param_get(rq, "summary-window");
    long long window = 0;
    if (sw && !esa_parse_int(sw, &window)) {
        esa_respond_error(rs, 400, "Summary window parameter must be an integer");
        return false;
    }
    if (et || st || sw || tf.given) {
        esm_buf_puts(&q->sql, " AND EXISTS (SELECT 1 FROM series s WHERE s.metadata_id = m.id");
        if (et) {
            esm_buf_puts(&q->sql, " AND s.event_type = ?");
            bind_text(q, et);
        }
        if (st) {
            esm_buf_puts(&q->sql, " AND s.summary_type = ?");
            bind_text(q, st);
        }
        if (sw) {
            esm_buf_puts(&q->sql, " AND s.summary_window = ?");
            bind_num(q, window);
        }
        if (tf.given) {
            esm_buf_puts(&q->sql, " AND s.time_updated >= ?");
            bind_num(q, tf.begin);
            if (!tf.open_end) {
                esm_buf_puts(&q->sql, " AND s.time_updated <= ?");
                bind_num(q, tf.end);
            }
        }
        esm_buf_puts(&q->sql, ")");
    }
    if (q->overflow || q->sql.failed) {
        esa_respond_error(rs, 400, "Too many query parameters");
        return false;
    }
    return true;
}

static sqlite3_stmt *prepare(esa_db *db, const query *q, const char *head, const char *tail)
{
    esm_buf sql;
    esm_buf_init(&sql);
    esm_buf_printf(&sql, "%s WHERE 1%s%s", head, q->sql.data ? q->sql.data : "", tail);
    sqlite3_stmt *s = NULL;
    if (!sql.failed && sqlite3_prepare_v2(esa_db_handle(db), sql.data, -1, &s, NULL) != SQLITE_OK)
        s = NULL;
    esm_buf_free(&sql);
    for (int i = 0; s && i < q->n; i++) {
        if (q->binds[i].text)
            sqlite3_bind_text(s, i + 1, q->binds[i].text, -1, SQLITE_TRANSIENT);
        else
            sqlite3_bind_int64(s, i + 1, q->binds[i].num);
    }
    return s;
}

static void put_pagination(esm_buf *extra, const esa_request *rq, const esa_page *pg, long long total)
{
    char *next = pg->offset + pg->limit < total ? esa_page_url(rq, "/archive/", pg->limit, pg->offset + pg->limit) : NULL;
    char *prev = pg->offset > 0 ? esa_page_url(rq, "/archive/", pg->limit, pg->offset - pg->limit) : NULL;
    esm_buf_printf(extra, ",\"metadata-count-total\":%lld,\"metadata-previous-page\":", total);
    if (prev)
        esm_buf_json_string(extra, prev, strlen(prev));
    else
        esm_buf_puts(extra, "null");
    esm_buf_puts(extra, ",\"metadata-next-page\":");
    if (next)
        esm_buf_json_string(extra, next, strlen(next));
    else
        esm_buf_puts(extra, "null");
    free(next);
    free(prev);
}

void esa_metadata_list(esa_archive *ar, const esa_request *rq, esa_response *rs)
{
    esa_page pg;
    if (!esa_page_parse(rq, &pg, rs))
        return;
    query *q = calloc(1, sizeof *q);
    esa_ip_set sets[3];
    if (!q) {
        esa_respond_error(rs, 503, "Out of memory");
        return;
    }
    esm_buf_init(&q->sql);
    if (!build_where(rq, q, sets, rs))
        goto out;
    esa_db *db = esa_store_acquire(ar->store);
    sqlite3_stmt *count = prepare(db, q, "SELECT count(*) FROM metadata m", "");
    long long total = count && sqlite3_step(count) == SQLITE_ROW ? sqlite3_column_int64(count, 0) : -1;
    sqlite3_finalize(count);
    sqlite3_stmt *page = total >= 0 ? prepare(db, q, "SELECT m.id FROM metadata m", " ORDER BY m.key LIMIT ? OFFSET ?")
                                    : NULL;
    if (!page) {
        esa_respond_error(rs, 503, "Database error: %s", esa_db_errmsg(db));
        esa_store_release(ar->store, db);
        goto out;
    }
    sqlite3_bind_int64(page, q->n + 1, pg.limit);
    sqlite3_bind_int64(page, q->n + 2, pg.offset);
    rs->status = 200;
    esm_buf_puts(&rs->body, "[");
    bool ok = true;
    for (int i = 0; ok && sqlite3_step(page) == SQLITE_ROW; i++) {
        esm_buf extra;
        esm_buf_init(&extra);
        if (i == 0)
            put_pagination(&extra, rq, &pg, total);
        else
            esm_buf_append(&rs->body, ",", 1);
        ok = esa_metadata_render(db, sqlite3_column_int64(page, 0), rq, extra.data, &rs->body);
        esm_buf_free(&extra);
    }
    sqlite3_finalize(page);
    esm_buf_puts(&rs->body, "]");
    if (!ok)
        esa_respond_error(rs, 503, "Database error: %s", esa_db_errmsg(db));
    else
        esa_page_link(rq, "/archive/", &pg, pg.offset + pg.limit < total, rs);
    esa_store_release(ar->store, db);
out:
    esm_buf_free(&q->sql);
    free(q);
}
