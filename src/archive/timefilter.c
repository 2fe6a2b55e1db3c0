#include "timefilter.h"

#include <stdio.h>

/* Keeps begin/end arithmetic clear of overflow: no archive holds data this far out. */
#define TIME_LIMIT 4000000000000000000LL

/* Reads a parameter the chosen row uses; the others are ignored, unvalidated (esmond-rest-api §7.3). */
static bool get(const char *s, long long *v, char *err, size_t errlen)
{
    if (!esa_parse_int(s, v) || *v > TIME_LIMIT || *v < -TIME_LIMIT) {
        snprintf(err, errlen, "Time parameter must be an integer");
        return false;
    }
    return true;
}

bool esa_time_filter_parse(const esa_request *rq, long long now, esa_time_filter *tf, char *err, size_t errlen)
{
    const char *t = esa_param_get(rq, "time"), *s = esa_param_get(rq, "time-start"),
               *e = esa_param_get(rq, "time-end"), *r = esa_param_get(rq, "time-range");
    long long tv, sv, ev, rv;
    tf->given = t || s || e || r;
    tf->open_end = false;
    if (t) {
        if (!get(t, &tv, err, errlen))
            return false;
        tf->begin = tf->end = tv;
    } else if (s && e) {
        if (!get(s, &sv, err, errlen) || !get(e, &ev, err, errlen))
            return false;
        tf->begin = sv, tf->end = ev;
    } else if (s && r) {
        if (!get(s, &sv, err, errlen) || !get(r, &rv, err, errlen))
            return false;
        tf->begin = sv, tf->end = sv + rv;
    } else if (e && r) {
        if (!get(e, &ev, err, errlen) || !get(r, &rv, err, errlen))
            return false;
        tf->begin = ev - rv, tf->end = ev;
    } else if (s) {
        if (!get(s, &sv, err, errlen))
            return false;
        tf->begin = sv, tf->open_end = true;
    } else if (e) {
        if (!get(e, &ev, err, errlen))
            return false;
        tf->begin = 0, tf->end = ev;
    } else if (r) {
        if (!get(r, &rv, err, errlen))
            return false;
        tf->begin = now - rv, tf->open_end = true;
    } else {
        tf->begin = 0, tf->end = now;
    }
    if (!tf->open_end && tf->given && tf->end < tf->begin) {
        snprintf(err, errlen, "Requested start time must be less than end time");
        return false;
    }
    return true;
}
