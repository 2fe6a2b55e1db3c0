/* Descriptive statistics of a histogram, exactly as esmond computes its
 * `statistics` summaries (esmond-rest-api §11.4). */
#ifndef ESM_ARCHIVE_STATISTICS_H
#define ESM_ARCHIVE_STATISTICS_H

#include <jansson.h>
#include <stddef.h>

#include "json_write.h"

/* One bucket of a histogram: its key text and count, in member order. */
typedef struct {
    const char *key;
    size_t len;
    long long count;
} esm_hist_bucket;

/* Appends the JSON object of minimum, maximum, mean, median, mode,
 * percentile-25/75/95, variance and standard-deviation of the histogram
 * b[0..n) as served. Appends `{}` when a bucket key is not a finite number
 * (Python float() syntax, ASCII blanks only), when a count is negative or the
 * total overflows, or when the histogram is empty or its counts sum to 0.
 * `mode` lists values in ascending order. Out of memory sets out->failed. */
void esm_histogram_statistics_write(esm_buf *out, const esm_hist_bucket *b, size_t n);

/* The same for a JSON histogram (bucket text -> count; a count that is not an
 * integer gives {}), as a new object; NULL only when out of memory. */
json_t *esm_histogram_statistics(const json_t *histogram);

#endif
