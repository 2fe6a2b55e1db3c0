#include "timefilter.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

bool esa_parse_int(const char *s, long long *out)
{
    if (!s)
        return false;
    const char *p = s + ((*s == '+' || *s == '-') ? 1 : 0);
    if (!isdigit((unsigned char)*p))
        return false;
    for (const char *q = p; *q; q++)
        if (!isdigit((unsigned char)*q))
            return false;
    errno = 0;
    long long v = strtoll(s, NULL, 10);
    if (errno == ERANGE)
        return false;
    *out = v;
    return true;
}

/* Keeps begin/end arithmetic clear of overflow: no archive holds data this far out. */
#define TIME_LIMIT 4000000000000000000LL

static bool get(const esa_request *rq, const char *name, bool *present, long long *v, char *err, size_t errlen)
{
    const char *s = esa_param_get(rq, name);
    *present = s != NULL;
    if (!s)
        return true;
    if (!esa_parse_int(s, v) || *v > TIME_LIMIT || *v < -TIME_LIMIT) {
        snprintf(err, errlen, "Time parameter must be an integer");
        return false;
    }
    return true;
}

bool esa_time_filter_parse(const esa_request *rq, long long now, esa_time_filter *tf, char *err, size_t errlen)
{
    bool has_t, has_s, has_e, has_r;
    long long t = 0, s = 0, e = 0, r = 0;
    if (!get(rq, "time", &has_t, &t, err, errlen) || !get(rq, "time-start", &has_s, &s, err, errlen) ||
        !get(rq, "time-end", &has_e, &e, err, errlen) || !get(rq, "time-range", &has_r, &r, err, errlen))
        return false;
    tf->given = has_t || has_s || has_e || has_r;
    tf->open_end = false;
    if (has_t) {
        tf->begin = tf->end = t;
    } else if (has_s && has_e) {
        tf->begin = s, tf->end = e;
    } else if (has_s && has_r) {
        tf->begin = s, tf->end = s + r;
    } else if (has_e && has_r) {
        tf->begin = e - r, tf->end = e;
    } else if (has_s) {
        tf->begin = s, tf->open_end = true;
    } else if (has_e) {
        tf->begin = 0, tf->end = e;
    } else if (has_r) {
        tf->begin = now - r, tf->open_end = true;
    } else {
        tf->begin = 0, tf->end = now, tf->open_end = false;
    }
    if (!tf->open_end && tf->given && tf->end < tf->begin) {
        snprintf(err, errlen, "Requested start time must be less than end time");
        return false;
    }
    return true;
}
