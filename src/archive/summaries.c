#include "summaries.h"

#include <stdlib.h>
#include <string.h>

#include "json_write.h"
#include "statistics.h"

/* Running state of one summary bin. */
typedef struct {
    esm_data_type dt;
    int st;
    long long a, b, n;
    json_t *hist; /* histogram sum, bucket order of first appearance */
} accum;

static void accum_init(accum *acc, esm_data_type dt, int st)
{
    memset(acc, 0, sizeof *acc);
    acc->dt = dt;
    acc->st = st;
}

static bool hist_add(accum *acc, const json_t *h)
{
    if (!acc->hist && !(acc->hist = json_object()))
        return false;
    const char *bucket;
    json_t *count;
    json_object_foreach((json_t *)h, bucket, count) {
        json_t *have = json_object_get(acc->hist, bucket);
        long long c = json_integer_value(count);
        if (have)
            json_integer_set(have, json_integer_value(have) + c);
        else if (json_object_set_new(acc->hist, bucket, json_integer(c)) != 0)
            return false;
    }
    return true;
}

/* Adds one base point given by its counters (a, b) or its histogram. */
static bool accum_add(accum *acc, long long a, long long b, const json_t *hist)
{
    if (acc->dt == ESM_DT_HISTOGRAM)
        return hist && hist_add(acc, hist);
    acc->a += a;
    acc->b += b;
    acc->n++;
    return true;
}

static char *accum_render(const accum *acc)
{
    if (acc->dt == ESM_DT_HISTOGRAM) {
        json_t *empty = NULL;
        const json_t *h = acc->hist ? acc->hist : (empty = json_object());
        char *text = NULL;
        if (acc->st == ESM_SUM_STATISTICS) {
            json_t *stats = h ? esm_histogram_statistics(h) : NULL;
            text = stats ? esm_json_dumps(stats) : NULL;
            json_decref(stats);
        } else if (h) {
            text = esm_json_dumps(h);
        }
        json_decref(empty);
        return text;
    }
    double v;
    if (acc->dt == ESM_DT_PERCENTAGE)
        v = acc->b ? (double)acc->a / (double)acc->b : 0.0;
    else {
        double scale = acc->dt == ESM_DT_FLOAT ? 10000.0 : 1.0;
        v = acc->st == ESM_SUM_AVERAGE ? (double)acc->a / ((double)acc->n * scale) : (double)acc->a / scale;
    }
    return esa_render_real(v);
}

int esa_series_list(esa_db *db, long long metadata_id, const char *event_type, esa_series *out, int max)
{
    sqlite3_stmt *s = esa_db_prepare(db, "SELECT id, summary_type, summary_window FROM series"
                                         " WHERE metadata_id = ? AND event_type = ?"
                                         " ORDER BY summary_type, summary_window");
    if (!s)
        return -1;
    sqlite3_bind_int64(s, 1, metadata_id);
    sqlite3_bind_text(s, 2, event_type, -1, SQLITE_TRANSIENT);
    int n = 0, rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        int st = esm_summary_from_json_name((const char *)sqlite3_column_text(s, 1));
        if (st < 0 || n >= max)
            continue;
        out[n].id = sqlite3_column_int64(s, 0);
        out[n].summary_type = st;
        out[n].window = sqlite3_column_int64(s, 2);
        n++;
    }
    sqlite3_reset(s);
    return rc == SQLITE_DONE ? n : -1;
}

static long long bin_start(long long ts, long long window)
{
    if (window <= 0)
        return ts;
    long long q = ts / window;
    if (ts % window < 0) /* floor for timestamps before the epoch */
        q--;
    return q * window;
}

static bool store_bin(esa_db *db, long long series, long long ts, const accum *acc, bool with_state)
{
    char *text = accum_render(acc);
    if (!text)
        return false;
    sqlite3_stmt *s = esa_db_prepare(db, "INSERT OR REPLACE INTO point(series_id, ts, val, a, b, n)"
                                         " VALUES (?, ?, ?, ?, ?, ?)");
    bool ok = false;
    if (s) {
        sqlite3_bind_int64(s, 1, series);
        sqlite3_bind_int64(s, 2, ts);
        sqlite3_bind_text(s, 3, text, -1, SQLITE_TRANSIENT);
        if (with_state && acc->dt != ESM_DT_HISTOGRAM) {
            sqlite3_bind_int64(s, 4, acc->a);
            sqlite3_bind_int64(s, 5, acc->b);
            sqlite3_bind_int64(s, 6, acc->n);
        }
        ok = sqlite3_step(s) == SQLITE_DONE;
    }
    free(text);
    return ok;
}

/* Feeds the base points of [from, to] into acc. */
static bool add_base_range(esa_db *db, long long base_id, long long from, long long to, accum *acc)
{
    sqlite3_stmt *s = esa_db_prepare(db, "SELECT val, a, b FROM point WHERE series_id = ? AND ts BETWEEN ? AND ?"
                                         " ORDER BY ts");
    if (!s)
        return false;
    sqlite3_bind_int64(s, 1, base_id);
    sqlite3_bind_int64(s, 2, from);
    sqlite3_bind_int64(s, 3, to);
    bool ok = true;
    int rc;
    while (ok && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        json_t *hist = NULL;
        if (acc->dt == ESM_DT_HISTOGRAM)
            hist = json_loads((const char *)sqlite3_column_text(s, 0), 0, NULL);
        ok = accum_add(acc, sqlite3_column_int64(s, 1), sqlite3_column_int64(s, 2), hist);
        json_decref(hist);
    }
    sqlite3_reset(s);
    return ok;
}

static long long bin_end(long long start, long long window)
{
    return window > 0 ? start + window - 1 : start;
}

/* Loads the stored state of a bin into acc; false when it has none to build on. */
static bool load_bin(esa_db *db, long long series, long long ts, accum *acc)
{
    sqlite3_stmt *s = esa_db_prepare(db, "SELECT val, a, b, n FROM point WHERE series_id = ? AND ts = ?");
    if (!s)
        return false;
    sqlite3_bind_int64(s, 1, series);
    sqlite3_bind_int64(s, 2, ts);
    bool ok = true;
    if (sqlite3_step(s) == SQLITE_ROW) {
        if (acc->dt == ESM_DT_HISTOGRAM) {
            acc->hist = json_loads((const char *)sqlite3_column_text(s, 0), 0, NULL);
            ok = json_is_object(acc->hist);
        } else if (sqlite3_column_type(s, 3) == SQLITE_NULL) {
            ok = false; /* imported value: no counters to add to */
        } else {
            acc->a = sqlite3_column_int64(s, 1);
            acc->b = sqlite3_column_int64(s, 2);
            acc->n = sqlite3_column_int64(s, 3);
        }
    }
    sqlite3_reset(s);
    return ok;
}

static const esa_series *find_row(const esa_series *rows, int n, int st, long long window)
{
    for (int i = 0; i < n; i++)
        if (rows[i].summary_type == st && rows[i].window == window)
            return &rows[i];
    return NULL;
}

static bool apply_one(esa_db *db, const esa_series *row, long long base_id, const esa_series *rows, int n_rows,
                      esm_data_type dt, long long ts, const esa_value *v, bool replaced)
{
    long long bin = bin_start(ts, row->window);
    accum acc;
    accum_init(&acc, dt, row->summary_type);
    bool ok;
    if (row->summary_type == ESM_SUM_STATISTICS) {
        /* Statistics describe the bin's aggregated histogram: the aggregation of
         * the same window when registered (already updated), else the base data. */
        const esa_series *agg = row->window > 0 ? find_row(rows, n_rows, ESM_SUM_AGGREGATION, row->window) : NULL;
        if (row->window == 0)
            ok = accum_add(&acc, 0, 0, v->hist);
        else if (agg)
            ok = load_bin(db, agg->id, bin, &acc);
        else
            ok = add_base_range(db, base_id, bin, bin_end(bin, row->window), &acc);
    } else if (!replaced && load_bin(db, row->id, bin, &acc)) {
        ok = accum_add(&acc, v->a, v->b, v->hist);
    } else {
        json_decref(acc.hist);
        accum_init(&acc, dt, row->summary_type);
        ok = add_base_range(db, base_id, bin, bin_end(bin, row->window), &acc);
    }
    ok = ok && store_bin(db, row->id, bin, &acc, true);
    json_decref(acc.hist);
    return ok;
}

bool esa_summaries_apply(esa_db *db, const esa_series *rows, int n_rows, esm_data_type dt, long long ts,
                         const esa_value *v, bool replaced)
{
    const esa_series *base = find_row(rows, n_rows, ESM_SUM_BASE, 0);
    if (!base)
        return false;
    for (int i = 0; i < n_rows; i++) {
        const esa_series *r = &rows[i];
        if (r->summary_type == ESM_SUM_BASE || !esm_summary_allowed(dt, (esm_summary_kind)r->summary_type))
            continue;
        if (!apply_one(db, r, base->id, rows, n_rows, dt, ts, v, replaced))
            return false;
    }
    return true;
}

bool esa_summary_build(esa_db *db, const esa_series *summary, long long base_id, esm_data_type dt)
{
    if (!esm_summary_allowed(dt, (esm_summary_kind)summary->summary_type))
        return true;
    /* A separate statement from add_base_range's: this one stays open across bins. */
    sqlite3_stmt *s = esa_db_prepare(db, "SELECT ts, val, a, b FROM point WHERE series_id = ?1 AND ts >= ?2"
                                         " ORDER BY ts");
    if (!s)
        return false;
    sqlite3_bind_int64(s, 1, base_id);
    sqlite3_bind_int64(s, 2, (long long)-9e18);
    accum acc;
    accum_init(&acc, dt, summary->summary_type);
    bool have = false, ok = true;
    long long current = 0;
    int rc = SQLITE_DONE;
    while (ok && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        long long bin = bin_start(sqlite3_column_int64(s, 0), summary->window);
        if (have && bin != current) {
            ok = store_bin(db, summary->id, current, &acc, true);
            json_decref(acc.hist);
            accum_init(&acc, dt, summary->summary_type);
        }
        have = true;
        current = bin;
        json_t *hist = dt == ESM_DT_HISTOGRAM ? json_loads((const char *)sqlite3_column_text(s, 1), 0, NULL) : NULL;
        ok = ok && accum_add(&acc, sqlite3_column_int64(s, 2), sqlite3_column_int64(s, 3), hist);
        json_decref(hist);
    }
    if (ok && have)
        ok = store_bin(db, summary->id, current, &acc, true);
    json_decref(acc.hist);
    sqlite3_reset(s);
    return ok && (rc == SQLITE_DONE || rc == SQLITE_ROW);
}
