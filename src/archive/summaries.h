/* Summaries computed on write (esmond-rest-api §11): aggregation, average and
 * statistics bins, kept exact with integer counters, and rebuilt from base
 * data where incremental state is missing (imported rows, replaced histograms). */
#ifndef ESA_SUMMARIES_H
#define ESA_SUMMARIES_H

#include <stdbool.h>
#include <stddef.h>

#include "event_types.h"
#include "store.h"
#include "values.h"

typedef struct {
    long long id;
    int summary_type; /* esm_summary_kind */
    long long window;
} esa_series;

/* The rows of (metadata, event type), base included, in the order esmond
 * processes them (aggregation, average, base, statistics; windows ascending).
 * Returns the count, or -1 on error; at most max rows are written. */
int esa_series_list(esa_db *db, long long metadata_id, const char *event_type, esa_series *out, int max);

/* Updates every summary of the event type for a base point at ts that was just
 * stored (replaced: it overwrote an older histogram, whose contribution must go). */
bool esa_summaries_apply(esa_db *db, const esa_series *rows, int n_rows, esm_data_type dt, long long ts,
                         const esa_value *v, bool replaced);

/* Computes a whole summary series from the base series (used by the import for
 * registered summaries that came without data). */
bool esa_summary_build(esa_db *db, const esa_series *summary, long long base_id, esm_data_type dt);

#endif
