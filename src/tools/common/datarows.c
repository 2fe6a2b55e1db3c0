/* Data rows of the data tools (see datarows.h). */
#include "datarows.h"

#include <stdlib.h>
#include <string.h>

#include "pydatetime.h"

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

#define MAX_CELLS 24

/* A row as cells: values are shown straight from the page's tokens (as
 * Python's json module read them; integers beyond 64 bits are floats, as
 * jansson read them before). */
typedef struct {
    esm_cell cell[MAX_CELLS];
    size_t n;
    json_t *owned[4]; /* numbers made for this row */
    size_t n_owned;
} row;

typedef struct {
    const esm_datarows *d;
    const json_t *mdobj;
    const char *event_type;
    shape shape;
    size_t *rows;
    bool failed;
    esm_cell base[7];    /* the columns every row starts with, the same for the series */
    char timestamp[ESM_PY_DATETIME_MAX]; /* the point's */
} run;

static void add_json(row *w, const char *name, const json_t *v)
{
    w->cell[w->n++] = (esm_cell){name, v, NULL, NULL};
}

static void add_value(row *w, const char *name, const esm_value *v)
{
    w->cell[w->n++] = v ? (esm_cell){name, NULL, v, NULL} : (esm_cell){name, NULL, NULL, NULL};
}

static void add_integer(row *w, const char *name, long long n)
{
    json_t *j = json_integer(n);
    w->owned[w->n_owned++] = j;
    add_json(w, name, j);
}

/* HostnameConversion of the original: truthy strings shown as names. */
static void show_name(const esm_datarows *d, esm_cell *c, const char *addr)
{
    if (d->names && addr && *addr)
        *c = (esm_cell){c->name, NULL, NULL, esm_hostnames_get(d->names, addr)};
}

static void base_cells(run *r)
{
    const esm_psopts *o = r->d->opts;
    static const char *const names[] = {"source", "destination", "event_type", "tool", "summary_type",
                                        "summary_window", "timestamp"};
    const json_t *md = r->mdobj;
    r->base[0] = (esm_cell){names[0], json_object_get(md, "source"), NULL, NULL};
    r->base[1] = (esm_cell){names[1], json_object_get(md, "destination"), NULL, NULL};
    r->base[2] = (esm_cell){names[2], NULL, NULL, r->event_type};
    r->base[3] = (esm_cell){names[3], json_object_get(md, "tool-name"), NULL, NULL};
    r->base[4] = (esm_cell){names[4], NULL, NULL, o->summary_type && *o->summary_type ? o->summary_type : "base"};
    r->base[5] = (esm_cell){names[5], json_integer(o->summary_window), NULL, NULL};
    r->base[6] = (esm_cell){names[6], NULL, NULL, r->timestamp};
    for (int i = 0; i < 2; i++)
        show_name(r->d, &r->base[i], json_string_value(r->base[i].json));
}

static void start_row(const run *r, row *w, bool base)
{
    w->n = w->n_owned = 0;
    if (base) {
        memcpy(w->cell, r->base, sizeof r->base);
        w->n = 7;
    }
}

/* Writes the row (as a block: a trace's header), and lets its numbers go. */
static void emit(run *r, row *w, bool block)
{
    const esm_cell *ip = NULL;
    for (size_t i = 0; i < w->n && !ip; i++)
        ip = !strcmp(w->cell[i].name, "ip") ? &w->cell[i] : NULL;
    if (ip)
        show_name(r->d, (esm_cell *)ip, esm_value_string(ip->value));
    if (!r->failed && !esm_output_cells(r->d->out, w->cell, w->n, block))
        r->failed = true;
    (*r->rows)++;
    for (size_t i = 0; i < w->n_owned; i++)
        json_decref(w->owned[i]);
}

static void hop_fields(row *w, const esm_value *hop)
{
    static const char *const names[] = {HOP};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        add_value(w, names[i], esm_value_member(hop, names[i]));
}

static size_t array_size(const esm_value *v)
{
    return esm_value_kind_of(v) == ESM_VAL_ARRAY ? esm_value_size(v) : 0;
}

/* Looks the hops' addresses up together before the rows need them. */
static void want_hops(const esm_datarows *d, const esm_value *val)
{
    if (!d->names)
        return;
    for (size_t i = 0; i < array_size(val); i++) {
        const char *a = esm_value_string(esm_value_member(esm_value_at(val, i), "ip"));
        if (a && *a)
            esm_hostnames_want(d->names, a);
    }
    esm_hostnames_resolve(d->names);
}

static void subinterval_fields(row *w, const esm_value *s)
{
    add_value(w, "start", esm_value_member(s, "start"));
    add_value(w, "duration", esm_value_member(s, "duration"));
    add_value(w, "value", esm_value_member(s, "val"));
}

/* The rows of one point. */
static void point_rows(run *r, long long ts, const esm_value *val)
{
    row w;
    esm_py_utc_datetime(ts, r->timestamp);
    switch (r->shape) {
    case NUMERIC:
        start_row(r, &w, true);
        add_value(&w, "value", val);
        emit(r, &w, false);
        break;
    case FAILURES:
        start_row(r, &w, true);
        add_value(&w, "msg", esm_value_kind_of(val) == ESM_VAL_STRING ? val : esm_value_member(val, "error"));
        emit(r, &w, false);
        break;
    case HISTOGRAM:
        start_row(r, &w, true);
        add_json(&w, "bucket", json_object_get(r->mdobj, "sample-bucket-width"));
        add_value(&w, "value", val);
        emit(r, &w, false);
        break;
    case STATISTICS:
        start_row(r, &w, true);
        for (size_t i = 0; i < sizeof statistics_members / sizeof statistics_members[0]; i++)
            add_value(&w, statistics_cols[7 + i], esm_value_member(val, statistics_members[i]));
        emit(r, &w, false);
        break;
    case TRACE:
        want_hops(r->d, val);
        if (r->d->trace_blocks) {
            start_row(r, &w, true);
            emit(r, &w, true);
        }
        for (size_t i = 0; i < array_size(val); i++) {
            start_row(r, &w, !r->d->trace_blocks);
            hop_fields(&w, esm_value_at(val, i));
            emit(r, &w, false);
        }
        break;
    case SUBINTERVALS:
        for (size_t i = 0; i < array_size(val); i++) {
            start_row(r, &w, true);
            subinterval_fields(&w, esm_value_at(val, i));
            emit(r, &w, false);
        }
        break;
    case NUMBER_LIST:
        for (size_t i = 0; i < array_size(val); i++) {
            start_row(r, &w, true);
            add_integer(&w, "stream_num", (long long)i);
            add_value(&w, "value", esm_value_at(val, i));
            emit(r, &w, false);
        }
        break;
    case SUBINTERVAL_LIST:
        for (size_t n = 0; n < array_size(val); n++) {
            const esm_value *stream = esm_value_at(val, n);
            for (size_t i = 0; i < array_size(stream); i++) {
                start_row(r, &w, true);
                add_integer(&w, "stream_num", (long long)n);
                subinterval_fields(&w, esm_value_at(stream, i));
                emit(r, &w, false);
            }
        }
        break;
    }
}

esm_code esm_datarows_write(const esm_datarows *d, const esm_metadata *md, const json_t *mdobj,
                            const char *event_type, size_t *rows, bool *write_failed)
{
    run r = {d, mdobj, event_type, shape_of(d->opts, event_type), rows, false, {{0}}, {0}};
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
    base_cells(&r);
    esm_data_iter *it = NULL;
    esm_code rc = esm_data_iter_new(d->client, uri, d->query, 0, &it);
    const esm_point *pt;
    while (rc == ESM_OK && !r.failed && (rc = esm_data_iter_next(it, &pt)) == ESM_OK)
        point_rows(&r, pt->ts, pt->value);
    esm_data_iter_free(it);
    json_decref((json_t *)r.base[5].json);
    *write_failed = r.failed;
    return rc == ESM_DONE || rc == ESM_OK ? ESM_OK : rc;
}
