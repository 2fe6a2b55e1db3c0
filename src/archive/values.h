/* Validation and normalisation of posted values per data type (esmond-rest-api §10.2),
 * with the reference's messages, and Python's int()/float()/str() rules
 * the reference applies to posted numbers. */
#ifndef ESA_VALUES_H
#define ESA_VALUES_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "event_types.h"
#include "json_write.h"
#include "jsontok.h"
#include "statistics.h"

typedef struct {
    char *json;   /* malloc'ed JSON text served for the point */
    long long a;  /* integer: value; float: ten-thousandths; percentage: numerator */
    long long b;  /* percentage: denominator */
    bool has_state;
    esm_hist_bucket *hist; /* histogram: malloc'ed buckets with int() counts, in posted
                            * member order, keys pointing into the parsed body */
    size_t hist_n;
} esa_value;

/* Validates token v of d as a value of data type dt. On failure returns
 * false with the reference's message in err. */
bool esa_value_parse(esm_data_type dt, const esm_jdoc *d, uint32_t v, esa_value *out, char *err, size_t errlen);
void esa_value_free(esa_value *v);

/* Python int(v) for a JSON number, bool or integer string (token v of d); false otherwise. */
bool esa_py_int(const esm_jdoc *d, uint32_t v, long long *out);
/* Python float(v) for a JSON number or numeric string (token v of d); false otherwise. */
bool esa_py_float(const esm_jdoc *d, uint32_t v, double *out);
/* Python str(v) of a scalar (string, number, bool) as malloc'ed text; NULL for
 * null, arrays and objects. */
char *esa_py_str(const json_t *v);

/* Text of a served numeric value: repr(double). Returns malloc'ed text. */
char *esa_render_real(double v);

#endif
