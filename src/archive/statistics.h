/* Descriptive statistics of a histogram, exactly as esmond computes its
 * `statistics` summaries (esmond-rest-api §11.4). */
#ifndef ESM_ARCHIVE_STATISTICS_H
#define ESM_ARCHIVE_STATISTICS_H

#include <jansson.h>

/* Returns a new object with minimum, maximum, mean, median, mode,
 * percentile-25/75/95, variance and standard-deviation of `histogram`
 * (bucket text -> integer count). Returns an empty object when a bucket key
 * is not a finite number (Python float() syntax, ASCII blanks only), when a
 * count is negative or the total overflows, or when the histogram is empty or
 * its counts sum to 0. `mode` lists values in ascending order.
 * NULL only when out of memory. */
json_t *esm_histogram_statistics(const json_t *histogram);

#endif
