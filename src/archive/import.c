#include "import.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "event_types.h"
#include "json_write.h"
#include "metadata.h"
#include "summaries.h"

#define MAX_ROWS 64

/* Percentages are served as ratios; without the counts, keep the ratio in millionths. */
#define RATIO_SCALE 1000000

typedef struct {
    size_t metadata, points, computed;
} counts;

/* Counters a stored base value contributes to summaries (esmond-rest-api §11.3). */
static bool base_state(esm_data_type dt, const json_t *val, long long *a, long long *b)
{
    if (!json_is_number(val))
        return false;
    double v = json_number_value(val);
    if (!isfinite(v) || fabs(v) > 9e14)
        return false;
    *b = 0;
    if (dt == ESM_DT_INTEGER)
        *a = llround(v);
    else if (dt == ESM_DT_FLOAT)
        *a = llround(v * 10000.0);
    else
        *a = llround(v * RATIO_SCALE), *b = RATIO_SCALE;
    return true;
}

/* Next byte that is not JSON whitespace, or EOF. */
static int next_token(FILE *f)
{
    int ch;
    while ((ch = getc(f)) == ' ' || ch == '\n' || ch == '\r' || ch == '\t')
        ;
    return ch;
}

static bool store_point(esa_db *db, sqlite3_stmt *s, long long series, const esm_event_type_info *info, bool base,
                        const json_t *pt, size_t i, const char *file, char *err, size_t errlen)
{
    const json_t *ts = json_object_get(pt, "ts"), *val = json_object_get(pt, "val");
    if (!json_is_integer(ts) || !val) {
        snprintf(err, errlen, "%s: point %zu needs an integer ts and a val", file, i);
        return false;
    }
    esm_data_type dt = info ? info->data_type : ESM_DT_JSON;
    long long a = 0, b = 0;
    bool numeric = dt == ESM_DT_INTEGER || dt == ESM_DT_FLOAT || dt == ESM_DT_PERCENTAGE;
    if (base && numeric && !base_state(dt, val, &a, &b)) {
        snprintf(err, errlen, "%s: point %zu: value is not a finite number", file, i);
        return false;
    }
    if (base && dt == ESM_DT_HISTOGRAM && !json_is_object(val)) {
        snprintf(err, errlen, "%s: point %zu: histogram is not an object", file, i);
        return false;
    }
    char *text = esm_json_dumps(val);
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
    sqlite3_bind_int64(s, 1, series);
    sqlite3_bind_int64(s, 2, json_integer_value(ts));
    if (text)
        sqlite3_bind_text(s, 3, text, -1, SQLITE_TRANSIENT);
    if (base && numeric) {
        sqlite3_bind_int64(s, 4, a);
        sqlite3_bind_int64(s, 5, b);
        sqlite3_bind_int64(s, 6, 1);
    }
    bool ok = text && sqlite3_step(s) == SQLITE_DONE;
    free(text);
    if (!ok)
        snprintf(err, errlen, "%s: cannot store point %zu: %s", file, i, esa_db_errmsg(db));
    return ok;
}

/* Streams the array one point at a time, so memory does not grow with the file. */
static bool load_points(esa_db *db, const char *file, long long series, const esm_event_type_info *info, bool base,
                        counts *c, char *err, size_t errlen)
{
    FILE *f = fopen(file, "r");
    if (!f) {
        snprintf(err, errlen, "%s: %s", file, strerror(errno));
        return false;
    }
    sqlite3_stmt *s = esa_db_prepare(db, "INSERT OR REPLACE INTO point(series_id, ts, val, a, b, n)"
                                         " VALUES (?, ?, ?, ?, ?, ?)");
    bool ok = s != NULL;
    if (!ok)
        snprintf(err, errlen, "%s: %s", file, esa_db_errmsg(db));
    if (ok && next_token(f) != '[') {
        snprintf(err, errlen, "%s: not a JSON array", file);
        ok = false;
    }
    for (size_t i = 1; ok; i++) {
        int ch = next_token(f);
        if (ch == ']' && i == 1)
            break;
        if (i > 1) {
            if (ch == ']')
                break;
            if (ch != ',') {
                snprintf(err, errlen, "%s: expected ',' or ']' after point %zu", file, i - 1);
                ok = false;
                break;
            }
        } else {
            ungetc(ch, f);
        }
        json_error_t jerr;
        json_t *pt = json_loadf(f, JSON_DISABLE_EOF_CHECK, &jerr);
        if (!json_is_object(pt)) {
            snprintf(err, errlen, "%s: point %zu: %s", file, i, pt ? "not an object" : jerr.text);
            ok = false;
        } else {
            ok = store_point(db, s, series, info, base, pt, i, file, err, errlen);
            c->points++;
        }
        json_decref(pt);
    }
    if (ok && next_token(f) != EOF) {
        snprintf(err, errlen, "%s: unexpected data after the array", file);
        ok = false;
    }
    fclose(f);
    return ok;
}

static bool file_exists(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0 && S_ISREG(sb.st_mode);
}

/* Loads the data files of one metadata object; computes registered summaries without one. */
static bool load_data(esa_db *db, const char *dir, const char *key, const esa_metadata_in *md, long long md_id,
                      counts *c, char *err, size_t errlen)
{
    for (size_t i = 0; i < md->n_rows; i++) {
        if (md->rows[i].summary_type != ESM_SUM_BASE)
            continue;
        const char *et = md->rows[i].event_type;
        const esm_event_type_info *info = esm_event_type_find(et);
        esa_series rows[MAX_ROWS];
        int n = esa_series_list(db, md_id, et, rows, MAX_ROWS);
        if (n < 0) {
            snprintf(err, errlen, "cannot read series of %s: %s", key, esa_db_errmsg(db));
            return false;
        }
        long long base_id = -1;
        for (int pass = 0; pass < 2; pass++) { /* base first: computed summaries need it */
            for (int r = 0; r < n; r++) {
                bool is_base = rows[r].summary_type == ESM_SUM_BASE;
                if (is_base != (pass == 0))
                    continue;
                char path[4096];
                if (is_base)
                    snprintf(path, sizeof path, "%s/data/%s/%s/base.json", dir, key, et);
                else
                    snprintf(path, sizeof path, "%s/data/%s/%s/%s/%lld.json", dir, key, et,
                             esm_summary_url_name(rows[r].summary_type), rows[r].window);
                if (is_base)
                    base_id = rows[r].id;
                if (file_exists(path)) {
                    if (!load_points(db, path, rows[r].id, info, is_base, c, err, errlen))
                        return false;
                } else if (!is_base && info && base_id >= 0) {
                    if (!esa_summary_build(db, &rows[r], base_id, info->data_type)) {
                        snprintf(err, errlen, "cannot compute %s of %s/%s: %s",
                                 esm_summary_json_name(rows[r].summary_type), key, et, esa_db_errmsg(db));
                        return false;
                    }
                    c->computed++;
                }
            }
        }
    }
    return true;
}

static bool import_all(esa_db *db, const char *dir, const json_t *list, counts *c, char *err, size_t errlen)
{
    size_t i;
    const json_t *obj;
    json_array_foreach(list, i, obj) {
        esa_metadata_in md;
        unsigned status;
        char key[ESA_KEY_LEN + 1], why[256];
        long long id;
        bool created;
        bool ok = esa_metadata_read(obj, true, &md, &status, why, sizeof why);
        if (ok && !md.key) {
            snprintf(why, sizeof why, "no metadata-key");
            ok = false;
        }
        if (!ok)
            snprintf(err, errlen, "%s/metadata.json: object %zu: %s", dir, i + 1, why);
        else if (!(ok = esa_metadata_store(db, &md, key, &id, &created, why, sizeof why)))
            snprintf(err, errlen, "%s/metadata.json: object %zu: %s", dir, i + 1, why);
        else
            ok = load_data(db, dir, key, &md, id, c, err, errlen);
        esa_metadata_in_free(&md);
        if (!ok)
            return false;
        c->metadata++;
    }
    return true;
}

bool esa_import(esa_store *st, const char *dir, char *err, size_t errlen)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/metadata.json", dir);
    json_error_t jerr;
    json_t *list = json_load_file(path, 0, &jerr);
    if (!json_is_array(list)) {
        snprintf(err, errlen, "cannot import %s: %s", path, list ? "not a JSON array" : jerr.text);
        json_decref(list);
        return false;
    }
    counts c = {0};
    esa_db *db = esa_store_acquire(st);
    bool ok = esa_db_exec(db, "BEGIN IMMEDIATE");
    if (!ok)
        snprintf(err, errlen, "cannot import: %s", esa_db_errmsg(db));
    ok = ok && import_all(db, dir, list, &c, err, errlen);
    if (ok && !(ok = esa_db_exec(db, "COMMIT")))
        snprintf(err, errlen, "cannot import: %s", esa_db_errmsg(db));
    esa_store_release(st, db); /* rolls back what a failure left open */
    json_decref(list);
    if (ok)
        fprintf(stderr, "imported %zu metadata, %zu points, %zu computed summaries from %s\n", c.metadata, c.points,
                c.computed, dir);
    return ok;
}
