#include "summaries.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "histogram.h"
#include "statistics.h"

/* Running state of one summary bin. */
typedef struct bin {
    long long series, ts, window;
    esm_data_type dt;
    int st;
    long long a, b, n;       /* numeric counters */
    esa_hist hist;           /* histogram sum */
    const struct bin *agg;   /* statistics: the aggregation bin of the same window, when registered */
    long long base_id;       /* statistics without it: recomputed from these base data when stored */
} bin;

struct esa_summary_batch {
    esa_db *db;
    bin **bins;      /* in the order first touched */
    size_t n, cap;
    size_t *index;   /* open addressing on (series, ts): 0 empty, else position + 1 */
    size_t index_cap;
};

static void bin_init(bin *bn, const esa_series *row, long long ts, esm_data_type dt)
{
    memset(bn, 0, sizeof *bn);
    bn->series = row->id;
    bn->window = row->window;
    bn->ts = ts;
    bn->dt = dt;
    bn->st = row->summary_type;
    esa_hist_init(&bn->hist);
}

static void bin_clear(bin *bn)
{
    esa_hist_free(&bn->hist);
    bn->a = bn->b = bn->n = 0;
}

/* Adds one numeric base point given by its counters. */
static void bin_add_counts(bin *bn, long long a, long long b)
{
    bn->a += a;
    bn->b += b;
    bn->n++;
}

/* Adds a posted base point. */
static bool bin_add_value(bin *bn, const esa_value *v)
{
    if (bn->dt != ESM_DT_HISTOGRAM) {
        bin_add_counts(bn, v->a, v->b);
        return true;
    }
    if (!v->hist)
        return false;
    for (size_t i = 0; i < v->hist_n; i++)
        if (!esa_hist_add(&bn->hist, v->hist[i].key, v->hist[i].len, v->hist[i].count))
            return false;
    return true;
}

/* Adds a stored base point (columns: val, a, b from col). */
static bool bin_add_row(bin *bn, sqlite3_stmt *s, int col)
{
    if (bn->dt != ESM_DT_HISTOGRAM) {
        bin_add_counts(bn, sqlite3_column_int64(s, col + 1), sqlite3_column_int64(s, col + 2));
        return true;
    }
    json_t *hist = json_loads((const char *)sqlite3_column_text(s, col), 0, NULL);
    bool ok = hist && esa_hist_add_json(&bn->hist, hist);
    json_decref(hist);
    return ok;
}

static void bin_render(const bin *bn, esm_buf *out)
{
    if (bn->dt == ESM_DT_HISTOGRAM) {
        const esa_hist *h = bn->agg ? &bn->agg->hist : &bn->hist;
        if (bn->st == ESM_SUM_STATISTICS)
            esm_histogram_statistics_write(out, h->b, h->n);
        else
            esa_hist_write(h, out);
        return;
    }
    double v;
    if (bn->dt == ESM_DT_PERCENTAGE)
        v = bn->b ? (double)bn->a / (double)bn->b : 0.0;
    else {
        double scale = bn->dt == ESM_DT_FLOAT ? 10000.0 : 1.0;
        v = bn->st == ESM_SUM_AVERAGE ? (double)bn->a / ((double)bn->n * scale) : (double)bn->a / scale;
    }
    char *text = esa_render_real(v);
    if (text)
        esm_buf_puts(out, text);
    else
        out->failed = 1;
    free(text);
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

static long long bin_end(long long start, long long window)
{
    return window > 0 ? start + window - 1 : start;
}

/* Writes one summary point: its served text, and counters for numeric bins (NULL: none). */
static bool store_text(esa_db *db, long long series, long long ts, const esm_buf *text, const bin *counters)
{
    sqlite3_stmt *s = text->failed ? NULL
                                   : esa_db_prepare(db, "INSERT OR REPLACE INTO point(series_id, ts, val, a, b, n)"
                                                        " VALUES (?, ?, ?, ?, ?, ?)");
    if (!s)
        return false;
    sqlite3_bind_int64(s, 1, series);
    sqlite3_bind_int64(s, 2, ts);
    sqlite3_bind_text(s, 3, text->data, (int)text->len, SQLITE_STATIC); /* text outlives the step */
    if (counters) {
        sqlite3_bind_int64(s, 4, counters->a);
        sqlite3_bind_int64(s, 5, counters->b);
        sqlite3_bind_int64(s, 6, counters->n);
    }
    bool ok = sqlite3_step(s) == SQLITE_DONE;
    sqlite3_reset(s);
    return ok;
}

static bool store_bin(esa_db *db, const bin *bn)
{
    esm_buf text;
    esm_buf_init(&text);
    bin_render(bn, &text);
    bool ok = store_text(db, bn->series, bn->ts, &text, bn->dt == ESM_DT_HISTOGRAM ? NULL : bn);
    esm_buf_free(&text);
    return ok;
}

/* Feeds the base points of [from, to] into bn. */
static bool add_base_range(esa_db *db, long long base_id, long long from, long long to, bin *bn)
{
    sqlite3_stmt *s = esa_db_prepare(db, "SELECT val, a, b FROM point WHERE series_id = ? AND ts BETWEEN ? AND ?"
                                         " ORDER BY ts");
    if (!s)
        return false;
    sqlite3_bind_int64(s, 1, base_id);
    sqlite3_bind_int64(s, 2, from);
    sqlite3_bind_int64(s, 3, to);
    bool ok = true;
    while (ok && sqlite3_step(s) == SQLITE_ROW)
        ok = bin_add_row(bn, s, 0);
    sqlite3_reset(s);
    return ok;
}

/* Starts bn from its stored state; false when it has none to build on. */
static bool load_bin(esa_db *db, bin *bn)
{
    sqlite3_stmt *s = esa_db_prepare(db, "SELECT val, a, b, n FROM point WHERE series_id = ? AND ts = ?");
    if (!s)
        return false;
    sqlite3_bind_int64(s, 1, bn->series);
    sqlite3_bind_int64(s, 2, bn->ts);
    bool ok = true;
    if (sqlite3_step(s) == SQLITE_ROW) {
        if (bn->dt == ESM_DT_HISTOGRAM) {
            json_t *h = json_loads((const char *)sqlite3_column_text(s, 0), 0, NULL);
            ok = json_is_object(h) && esa_hist_add_json(&bn->hist, h);
            json_decref(h);
        } else if (sqlite3_column_type(s, 3) == SQLITE_NULL) {
            ok = false; /* imported value: no counters to add to */
        } else {
            bn->a = sqlite3_column_int64(s, 1);
            bn->b = sqlite3_column_int64(s, 2);
            bn->n = sqlite3_column_int64(s, 3);
        }
    }
    sqlite3_reset(s);
    return ok;
}

esa_summary_batch *esa_summary_batch_new(esa_db *db)
{
    esa_summary_batch *batch = calloc(1, sizeof *batch);
    if (batch)
        batch->db = db;
    return batch;
}

void esa_summary_batch_free(esa_summary_batch *batch)
{
    if (!batch)
        return;
    for (size_t i = 0; i < batch->n; i++) {
        esa_hist_free(&batch->bins[i]->hist);
        free(batch->bins[i]);
    }
    free(batch->bins);
    free(batch->index);
    free(batch);
}

static size_t *batch_slot(const esa_summary_batch *batch, long long series, long long ts)
{
    size_t mask = batch->index_cap - 1;
    uint64_t h = ((uint64_t)series * 0x9e3779b97f4a7c15ULL) ^ ((uint64_t)ts * 0xc2b2ae3d27d4eb4fULL);
    for (size_t i = (size_t)(h ^ (h >> 29)) & mask;; i = (i + 1) & mask) {
        size_t *e = &batch->index[i];
        if (!*e || (batch->bins[*e - 1]->series == series && batch->bins[*e - 1]->ts == ts))
            return e;
    }
}

static bin *batch_find(const esa_summary_batch *batch, long long series, long long ts)
{
    if (!batch->index_cap)
        return NULL;
    size_t *e = batch_slot(batch, series, ts);
    return *e ? batch->bins[*e - 1] : NULL;
}

static bool batch_grow(esa_summary_batch *batch)
{
    if (batch->n == batch->cap) {
        size_t cap = batch->cap ? 2 * batch->cap : 64;
        bin **bins = realloc(batch->bins, cap * sizeof *bins);
        if (!bins)
            return false;
        batch->bins = bins;
        batch->cap = cap;
    }
    if (2 * (batch->n + 1) <= batch->index_cap)
        return true;
    size_t cap = batch->index_cap ? 2 * batch->index_cap : 128;
    size_t *old = batch->index;
    if (!(batch->index = calloc(cap, sizeof *batch->index))) {
        batch->index = old;
        return false;
    }
    batch->index_cap = cap;
    for (size_t i = 0; i < batch->n; i++)
        *batch_slot(batch, batch->bins[i]->series, batch->bins[i]->ts) = i + 1;
    free(old);
    return true;
}

static bin *batch_add(esa_summary_batch *batch, const esa_series *row, long long ts, esm_data_type dt)
{
    bin *bn = malloc(sizeof *bn);
    if (!bn || !batch_grow(batch)) {
        free(bn);
        return NULL;
    }
    bin_init(bn, row, ts, dt);
    batch->bins[batch->n++] = bn;
    *batch_slot(batch, row->id, ts) = batch->n;
    return bn;
}

static const esa_series *find_row(const esa_series *rows, int n, int st, long long window)
{
    for (int i = 0; i < n; i++)
        if (rows[i].summary_type == st && rows[i].window == window)
            return &rows[i];
    return NULL;
}

/* Statistics of window 0 describe one base histogram: written at once, straight
 * from its buckets. */
static bool store_point_statistics(esa_db *db, const esa_series *row, long long ts, const esa_value *v)
{
    if (!v->hist)
        return false;
    esm_buf text;
    esm_buf_init(&text);
    esm_histogram_statistics_write(&text, v->hist, v->hist_n);
    bool ok = store_text(db, row->id, ts, &text, NULL);
    esm_buf_free(&text);
    return ok;
}

static bool apply_one(esa_summary_batch *batch, const esa_series *row, long long base_id, const esa_series *rows,
                      int n_rows, esm_data_type dt, long long ts, const esa_value *v, bool replaced)
{
    if (row->summary_type == ESM_SUM_STATISTICS && row->window == 0)
        return store_point_statistics(batch->db, row, ts, v);
    long long start = bin_start(ts, row->window);
    bin *bn = batch_find(batch, row->id, start);
    bool fresh = !bn;
    if (fresh && !(bn = batch_add(batch, row, start, dt)))
        return false;
    if (row->summary_type == ESM_SUM_STATISTICS) {
        /* Statistics describe the bin's aggregated histogram: the aggregation of
         * the same window when registered (already updated), else the base data
         * (read when the bin is stored). */
        const esa_series *agg = find_row(rows, n_rows, ESM_SUM_AGGREGATION, row->window);
        if (agg && !(bn->agg = batch_find(batch, agg->id, start)))
            return false;
        bn->base_id = base_id;
        return true;
    }
    if (!replaced && (!fresh || load_bin(batch->db, bn)))
        return bin_add_value(bn, v);
    bin_clear(bn);
    return add_base_range(batch->db, base_id, start, bin_end(start, row->window), bn);
}

bool esa_summaries_apply(esa_summary_batch *batch, const esa_series *rows, int n_rows, esm_data_type dt,
                         long long ts, const esa_value *v, bool replaced)
{
    const esa_series *base = find_row(rows, n_rows, ESM_SUM_BASE, 0);
    if (!base)
        return false;
    for (int i = 0; i < n_rows; i++) {
        const esa_series *r = &rows[i];
        if (r->summary_type == ESM_SUM_BASE || !esm_summary_allowed(dt, (esm_summary_kind)r->summary_type))
            continue;
        if (!apply_one(batch, r, base->id, rows, n_rows, dt, ts, v, replaced))
            return false;
    }
    return true;
}

bool esa_summary_batch_flush(esa_summary_batch *batch)
{
    for (size_t i = 0; i < batch->n; i++) {
        bin *bn = batch->bins[i];
        if (bn->st == ESM_SUM_STATISTICS && !bn->agg &&
            !add_base_range(batch->db, bn->base_id, bn->ts, bin_end(bn->ts, bn->window), bn))
            return false;
        if (!store_bin(batch->db, bn))
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
    bin bn;
    bin_init(&bn, summary, 0, dt);
    bool have = false, ok = true;
    int rc = SQLITE_DONE;
    while (ok && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        long long start = bin_start(sqlite3_column_int64(s, 0), summary->window);
        if (have && start != bn.ts) {
            ok = store_bin(db, &bn);
            bin_clear(&bn);
        }
        have = true;
        bn.ts = start;
        ok = ok && bin_add_row(&bn, s, 1);
    }
    if (ok && have)
        ok = store_bin(db, &bn);
    bin_clear(&bn);
    sqlite3_reset(s);
    return ok && (rc == SQLITE_DONE || rc == SQLITE_ROW);
}
