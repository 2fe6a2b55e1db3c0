/* Data rows of the data tools (see datarows.h). */
#include "datarows.h"

#include "esmond/esmond_jansson.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef enum { NUMERIC, FAILURES, HISTOGRAM, STATISTICS, TRACE, SUBINTERVALS, NUMBER_LIST, SUBINTERVAL_LIST } shape;

#define BASE "source", "destination", "event_type", "tool", "summary_type", "summary_window", "timestamp"
#define HOP "ttl", "query", "success", "ip", "rtt", "mtu", "error_message"

static const char *const numeric_cols[] = {BASE, "value"};
static const char *const failures_cols[] = {BASE, "msg"};
static const char *const histogram_cols[] = {BASE, "bucket", "value"};
static const char *const statistics_cols[] = {BASE,          "min",           "median",       "max",
                                              "mean",        "mode",          "standard_deviation",
                                              "variance",    "percentile_25", "percentile_75",
                                              "percentile_95"};
static const char *const trace_cols[] = {BASE, HOP};
static const char *const hop_cols[] = {HOP};
static const char *const subintervals_cols[] = {BASE, "start", "duration", "value"};
static const char *const number_list_cols[] = {BASE, "stream_num", "value"};
static const char *const subinterval_list_cols[] = {BASE, "stream_num", "start", "duration", "value"};

/* statistics columns and the summary members they show */
static const char *const statistics_members[] = {"minimum",  "median",        "maximum",       "mean",
                                                 "mode",     "standard-deviation", "variance",
                                                 "percentile-25", "percentile-75", "percentile-95"};

#define COLS(a) (*columns = (a), sizeof(a) / sizeof((a)[0]))

static shape shape_of(const esm_psopts *o, const char *event_type)
{
    const char *f = esm_psopts_event_format(event_type);
    if (!f || !strcmp(f, "numeric"))
        return NUMERIC;
    if (!strcmp(f, "failures"))
        return FAILURES;
    if (!strcmp(f, "histogram"))
        return o->summary_type && !strcmp(o->summary_type, "statistics") ? STATISTICS : HISTOGRAM;
    if (!strcmp(f, "packet_trace"))
        return TRACE;
    if (!strcmp(f, "subintervals"))
        return SUBINTERVALS;
    if (!strcmp(f, "number_list"))
        return NUMBER_LIST;
    return SUBINTERVAL_LIST;
}

size_t esm_datarows_columns(const esm_psopts *o, const char *event_type, bool trace_blocks,
                            const char *const **columns)
{
    switch (shape_of(o, event_type)) {
    case NUMERIC: return COLS(numeric_cols);
    case FAILURES: return COLS(failures_cols);
    case HISTOGRAM: return COLS(histogram_cols);
    case STATISTICS: return COLS(statistics_cols);
    case TRACE: return trace_blocks ? COLS(hop_cols) : COLS(trace_cols);
    case SUBINTERVALS: return COLS(subintervals_cols);
    case NUMBER_LIST: return COLS(number_list_cols);
    case SUBINTERVAL_LIST: return COLS(subinterval_list_cols);
    }
    return COLS(numeric_cols);
}

/* str() of the datetime the original made with utcfromtimestamp(). */
static json_t *timestamp_text(long long ts)
{
    time_t t = (time_t)ts;
    struct tm tm;
    char text[64];
    if (!gmtime_r(&t, &tm))
        snprintf(text, sizeof text, "%lld", ts);
    else
        snprintf(text, sizeof text, "%04d-%02d-%02d %02d:%02d:%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                 tm.tm_hour, tm.tm_min, tm.tm_sec);
    return json_string(text);
}

/* The value as Python's json module read it (the page's own JSON, shared:
 * rows only take references to it). Integers beyond 64 bits, which jansson
 * refuses, are floats there. */
static json_t *value_of(const esm_value *v)
{
    const json_t *j = esm_value_jansson(v);
    return j ? json_incref((json_t *)j) : json_null();
}

/* A member of a dict value, None when absent or when the value is no dict. */
static json_t *member(const json_t *v, const char *name)
{
    json_t *m = json_is_object(v) ? json_object_get(v, name) : NULL;
    return m ? json_incref(m) : json_null();
}

/* HostnameConversion of the original: truthy strings shown as names. */
static void show_name(const esm_datarows *d, json_t *row, const char *field)
{
    const char *a = json_string_value(json_object_get(row, field));
    if (d->names && a && *a)
        json_object_set_new(row, field, json_string(esm_hostnames_get(d->names, a)));
}

typedef struct {
    const esm_datarows *d;
    const json_t *mdobj;
    const char *event_type;
    shape shape;
    size_t *rows;
    bool failed;
} run;

/* The columns every row starts with, in the original's order. */
static json_t *base_row(const run *r, long long ts)
{
    const esm_psopts *o = r->d->opts;
    json_t *row = json_object();
    json_object_set_new(row, "source", member(r->mdobj, "source"));
    json_object_set_new(row, "destination", member(r->mdobj, "destination"));
    json_object_set_new(row, "event_type", json_string(r->event_type));
    json_object_set_new(row, "tool", member(r->mdobj, "tool-name"));
    json_object_set_new(row, "summary_type",
                        json_string(o->summary_type && *o->summary_type ? o->summary_type : "base"));
    json_object_set_new(row, "summary_window", json_integer(o->summary_window));
    json_object_set_new(row, "timestamp", timestamp_text(ts));
    show_name(r->d, row, "source");
    show_name(r->d, row, "destination");
    return row;
}

/* Writes row (taking it) as a row, or as a block. */
static void emit(run *r, json_t *row, bool block)
{
    if (!row) {
        r->failed = true;
        return;
    }
    show_name(r->d, row, "ip");
    if (!r->failed && !(block ? esm_output_block(r->d->out, row) : esm_output_row(r->d->out, row)))
        r->failed = true;
    (*r->rows)++;
    json_decref(row);
}

static void set(json_t *row, const char *name, json_t *v)
{
    json_object_set_new(row, name, v ? v : json_null());
}

static void hop_fields(json_t *row, const json_t *hop)
{
    static const char *const names[] = {HOP};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        set(row, names[i], member(hop, names[i]));
}

/* Looks the hops' addresses up together before the rows need them. */
static void want_hops(const esm_datarows *d, const json_t *val)
{
    if (!d->names)
        return;
    for (size_t i = 0; i < json_array_size(val); i++) {
        const char *a = json_string_value(json_object_get(json_array_get(val, i), "ip"));
        if (a && *a)
            esm_hostnames_want(d->names, a);
    }
    esm_hostnames_resolve(d->names);
}

/* The rows of one point. */
static void point_rows(run *r, long long ts, const json_t *val)
{
    json_t *row;
    switch (r->shape) {
    case NUMERIC:
        row = base_row(r, ts);
        set(row, "value", json_incref((json_t *)val));
        emit(r, row, false);
        break;
    case FAILURES: {
        row = base_row(r, ts);
        json_t *msg = json_is_string(val) ? json_incref((json_t *)val) : member(val, "error");
        set(row, "msg", msg);
        emit(r, row, false);
        break;
    }
    case HISTOGRAM:
        row = base_row(r, ts);
        set(row, "bucket", member(r->mdobj, "sample-bucket-width"));
        set(row, "value", json_incref((json_t *)val));
        emit(r, row, false);
        break;
    case STATISTICS:
        row = base_row(r, ts);
        for (size_t i = 0; i < sizeof statistics_members / sizeof statistics_members[0]; i++)
            set(row, statistics_cols[7 + i], member(val, statistics_members[i]));
        emit(r, row, false);
        break;
    case TRACE:
        want_hops(r->d, val);
        if (r->d->trace_blocks)
            emit(r, base_row(r, ts), true);
        for (size_t i = 0; i < json_array_size(val); i++) {
            row = r->d->trace_blocks ? json_object() : base_row(r, ts);
            hop_fields(row, json_array_get(val, i));
            emit(r, row, false);
        }
        break;
    case SUBINTERVALS:
        for (size_t i = 0; i < json_array_size(val); i++) {
            const json_t *s = json_array_get(val, i);
            row = base_row(r, ts);
            set(row, "start", member(s, "start"));
            set(row, "duration", member(s, "duration"));
            set(row, "value", member(s, "val"));
            emit(r, row, false);
        }
        break;
    case NUMBER_LIST:
        for (size_t i = 0; i < json_array_size(val); i++) {
            row = base_row(r, ts);
            set(row, "stream_num", json_integer((json_int_t)i));
            set(row, "value", json_incref(json_array_get(val, i)));
            emit(r, row, false);
        }
        break;
    case SUBINTERVAL_LIST:
        for (size_t n = 0; n < json_array_size(val); n++) {
            const json_t *stream = json_array_get(val, n);
            for (size_t i = 0; i < json_array_size(stream); i++) {
                const json_t *s = json_array_get(stream, i);
                row = base_row(r, ts);
                set(row, "stream_num", json_integer((json_int_t)n));
                set(row, "start", member(s, "start"));
                set(row, "duration", member(s, "duration"));
                set(row, "value", member(s, "val"));
                emit(r, row, false);
            }
        }
        break;
    }
}

esm_code esm_datarows_write(const esm_datarows *d, const esm_metadata *md, const json_t *mdobj,
                            const char *event_type, size_t *rows, bool *write_failed)
{
    run r = {d, mdobj, event_type, shape_of(d->opts, event_type), rows, false};
    const esm_event_type *et = esm_metadata_event_type(md, event_type);
    if (!et)
        return ESM_OK;
    const char *uri = esm_event_type_base_uri(et);
    /* summaries serve numeric and histogram data only, as in the original */
    const char *st = d->opts->summary_type;
    if (st && *st && (r.shape == NUMERIC || r.shape == HISTOGRAM || r.shape == STATISTICS)) {
        const esm_summary *s = esm_event_type_summary(et, st, d->opts->summary_window);
        if (!s)
            return ESM_OK;
        uri = esm_summary_uri(s);
    }
    if (d->names) {
        const char *names[] = {json_string_value(json_object_get(mdobj, "source")),
                               json_string_value(json_object_get(mdobj, "destination"))};
        for (size_t i = 0; i < 2; i++)
            if (names[i] && *names[i])
                esm_hostnames_want(d->names, names[i]);
        esm_hostnames_resolve(d->names);
    }
    esm_data_iter *it = NULL;
    esm_code rc = esm_data_iter_new(d->client, uri, d->query, 0, &it);
    const esm_point *pt;
    while (rc == ESM_OK && !r.failed && (rc = esm_data_iter_next(it, &pt)) == ESM_OK) {
        json_t *val = value_of(pt->value);
        point_rows(&r, pt->ts, val);
        json_decref(val);
    }
    esm_data_iter_free(it);
    *write_failed = r.failed;
    return rc == ESM_DONE || rc == ESM_OK ? ESM_OK : rc;
}
