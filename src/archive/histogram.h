/* A histogram being summed: buckets in order of first appearance (the order
 * esmond's aggregation keeps and statistics sum in), found by key through a
 * hash index, so adding a histogram costs one lookup per bucket. */
#ifndef ESA_HISTOGRAM_H
#define ESA_HISTOGRAM_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "json_write.h"
#include "statistics.h"

typedef struct {
    esm_hist_bucket *b; /* keys owned */
    size_t n, cap;
    uint32_t *index;    /* open addressing: 0 empty, else bucket position + 1 */
    size_t index_cap;   /* a power of two, at least twice n */
} esa_hist;

void esa_hist_init(esa_hist *h);
void esa_hist_free(esa_hist *h);
/* Adds count to the bucket named key (a new bucket goes last); false when out of memory. */
bool esa_hist_add(esa_hist *h, const char *key, size_t len, long long count);
/* Adds every member of a JSON object in member order; a count that is not an
 * integer counts 0, as jansson reads it. */
bool esa_hist_add_json(esa_hist *h, const json_t *obj);
/* Appends {"bucket":count,...} as esmond serves an aggregated histogram. */
void esa_hist_write(const esa_hist *h, esm_buf *out);

#endif
