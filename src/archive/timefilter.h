/* The time parameters shared by metadata search and data retrieval (esmond-rest-api §7.3). */
#ifndef ESA_TIMEFILTER_H
#define ESA_TIMEFILTER_H

#include <stdbool.h>
#include <stddef.h>

#include "request.h"

typedef struct {
    bool given;     /* any of time, time-start, time-end, time-range was used */
    long long begin;
    long long end;  /* inclusive */
    bool open_end;  /* no upper bound was given */
} esa_time_filter;

/* Reads the interval from rq's parameters (first matching row of the §7.3
 * table). Returns false with a 400 message in err on malformed values or
 * end < begin. */
bool esa_time_filter_parse(const esa_request *rq, long long now, esa_time_filter *tf, char *err, size_t errlen);

#endif
