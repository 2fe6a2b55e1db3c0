/* The harvest of one archive: the tests updated since its last run (the
 * metadata time filter compares with time-updated; no time-end is sent, as
 * that drops tests still being written), and of each series the points after
 * its checkpoint less --overlap, delivering those not delivered before. The
 * sink and the checkpoint are committed together, on page boundaries. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "harvest.h"
#include "json_write.h"

#define PAGE 1000 /* points per data request: a page of histograms is a few MB */
#define COMMIT_EVERY_MS 250   /* at most this much work to redo after a crash */

volatile sig_atomic_t hv_stop_signal;

static pthread_mutex_t query_lock = PTHREAD_MUTEX_INITIALIZER;

typedef struct {
    hv_archive *a;
    const hv_opts *o;
    esm_client *c;
    hv_state st;
    hv_sink *sink;
    long long run_start, deadline_ms, last_commit_ms;
    esm_buf rec, key;
} run;

static long long now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static void count_request(void *userdata, const char *method, const char *url)
{
    run *r = userdata;
    r->a->requests++;
    if (r->o->ps.verbose)
        fprintf(stderr, "%s %s\n", method, url);
}

static bool fail(run *r, const char *why)
{
    if (!r->a->failed)
        snprintf(r->a->why, sizeof r->a->why, "%s", why);
    r->a->failed = true;
    return false;
}

static bool within_time(run *r, long long slack_ms);

/* A request cut by the archive's time ends a few ms before its deadline
 * (it started a little after the time was taken): such a timeout is the
 * archive's, not the server's. */
#define CUT_SLACK_MS 250

static bool archive_error(run *r, esm_code rc)
{
    if (rc == ESM_ERR_TIMEOUT && !within_time(r, CUT_SLACK_MS))
        return false; /* the archive's time ran out: said so */
    const char *detail = esm_client_error(r->c);
    char text[700];
    snprintf(text, sizeof text, "%s%s%s", esm_strerror(rc), *detail ? ": " : "", detail);
    return fail(r, text);
}

static bool commit(run *r)
{
    if (!r->sink->ops->commit(r->sink, &r->st))
        return fail(r, r->sink->why);
    char why[600];
    if (!hv_state_save(&r->st, why, sizeof why))
        return fail(r, why);
    r->last_commit_ms = now_ms();
    return true;
}

/* Before each request: what is left of the archive's time (less slack_ms). */
static bool within_time(run *r, long long slack_ms)
{
    long long left = r->deadline_ms - now_ms();
    if (left <= slack_ms) {
        char why[80];
        snprintf(why, sizeof why, "took longer than --archive-timeout %lld s", r->o->archive_timeout);
        return fail(r, why);
    }
    esm_client_set_request_timeout(r->c, (long)left);
    return true;
}

static void field(esm_buf *b, const char *name, const char *value)
{
    esm_buf_printf(b, ",\"%s\":", name);
    if (value)
        esm_buf_json_string(b, value, strlen(value));
    else
        esm_buf_puts(b, "null");
}

/* The record's members before ts and val, the same for every point of a series. */
static void record_prefix(run *r, const esm_metadata *md, const hv_series *s)
{
    esm_buf *b = &r->rec;
    b->len = 0;
    esm_buf_puts(b, "{\"archive\":");
    esm_buf_json_string(b, r->a->url, strlen(r->a->url));
    field(b, "metadata-key", esm_metadata_key(md));
    const char *names[] = {"source", "destination", "measurement-agent", "input-source", "input-destination",
                           "tool-name"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        field(b, names[i], esm_metadata_get(md, names[i]));
    field(b, "event-type", s->event_type);
    field(b, "summary-type", s->summary_type);
    esm_buf_printf(b, ",\"summary-window\":%lld", s->window);
}

/* --routing-key: {name} is the record's member of that name (metadata
 * fields, event-type, summary-type, summary-window). */
static void routing_key(run *r, const esm_metadata *md, const hv_series *s)
{
    esm_buf *b = &r->key;
    b->len = 0;
    const char *t = r->o->routing_key ? r->o->routing_key : "{event-type}";
    while (*t) {
        const char *open = strchr(t, '{'), *close = open ? strchr(open, '}') : NULL;
        if (!close) {
            esm_buf_puts(b, t);
            break;
        }
        esm_buf_append(b, t, (size_t)(open - t));
        char name[64];
        snprintf(name, sizeof name, "%.*s", (int)(close - open - 1), open + 1);
        const char *v = !strcmp(name, "event-type")     ? s->event_type
                        : !strcmp(name, "summary-type") ? s->summary_type
                                                        : esm_metadata_get(md, name);
        if (!strcmp(name, "summary-window"))
            esm_buf_printf(b, "%lld", s->window);
        else
            esm_buf_puts(b, v ? v : "");
        t = close + 1;
    }
    esm_buf_append(b, "", 1);
}

static bool deliver(run *r, hv_series *s, const esm_point *pt, size_t prefix_len)
{
    r->rec.len = prefix_len;
    esm_buf_printf(&r->rec, ",\"ts\":%lld,\"val\":", pt->ts);
    esm_buf_puts(&r->rec, esm_value_json(pt->value));
    esm_buf_puts(&r->rec, "}");
    if (r->rec.failed || r->key.failed)
        return fail(r, "out of memory");
    if (!r->sink->ops->write(r->sink, r->rec.data, r->rec.len, r->key.data))
        return fail(r, r->sink->why);
    if (!hv_series_deliver(s, pt->ts))
        return fail(r, "out of memory");
    r->a->points++;
    return true;
}

/* Whether the series may hold anything not delivered: written since it was
 * last read, or last read too close to its last write to be sure. */
static bool has_news(const hv_series *s, bool known, long long updated)
{
    if (!known)
        return false; /* never written */
    return s->updated < 0 || updated != s->updated || s->read_at < updated + HV_CLOCK_MARGIN;
}

/* One series (base data or a summary): the points after its checkpoint less
 * the overlap, those not delivered before. */
static bool harvest_series(run *r, const esm_metadata *md, const char *uri, hv_series *s, long long updated)
{
    esm_query *q = esm_query_new();
    if (!q)
        return fail(r, "out of memory");
    long long from = s->last >= 0 ? s->last - r->o->overlap : r->o->since_ts;
    esm_query_set_time(q, "time-start", from < 0 ? 0 : from);
    record_prefix(r, md, s);
    routing_key(r, md, s);
    size_t prefix_len = r->rec.len;
    /* a summary's newest bucket changes until its window closes: it waits */
    long long closed = !strcmp(s->summary_type, "base") ? -1 : r->run_start - s->window;
    esm_data_iter *it = NULL;
    esm_code rc = within_time(r, 0) ? esm_data_iter_new(r->c, uri, q, PAGE, &it) : ESM_ERR_TIMEOUT;
    bool ok = !r->a->failed;
    if (ok && rc != ESM_OK)
        ok = archive_error(r, rc);
    size_t n = 0;
    const esm_point *pt;
    while (ok) {
        if (n > 0 && n % PAGE == 0) { /* the next call fetches a page */
            hv_series_prune(s, r->o->overlap);
            if (hv_stop_signal || now_ms() - r->last_commit_ms >= COMMIT_EVERY_MS)
                ok = commit(r);
            if (ok && hv_stop_signal)
                break;
            ok = ok && within_time(r, 0);
            if (!ok)
                break;
        }
        rc = esm_data_iter_next(it, &pt);
        if (rc == ESM_DONE || (rc == ESM_OK && closed >= 0 && pt->ts > closed))
            break;
        if (rc != ESM_OK) {
            ok = archive_error(r, rc);
            break;
        }
        n++;
        if (!hv_series_seen(s, pt->ts))
            ok = deliver(r, s, pt, prefix_len);
    }
    if (ok && !hv_stop_signal) { /* read to its end: its writes until the listing are in */
        s->updated = updated;
        s->read_at = r->run_start;
    }
    hv_series_prune(s, r->o->overlap);
    esm_data_iter_free(it);
    esm_query_free(q);
    r->a->series++;
    return ok;
}

static bool wanted_summary(const hv_opts *o, const esm_summary *sm)
{
    if (o->all_series)
        return true;
    if (!o->ps.summary_type || strcmp(o->ps.summary_type, esm_summary_type(sm)))
        return false;
    return o->summary_window < 0 || o->summary_window == esm_summary_window(sm);
}

static bool harvest_event_type(run *r, const esm_metadata *md, const esm_event_type *et)
{
    const char *name = esm_event_type_name(et);
    bool ok = true;
    if (!r->o->ps.summary_type) {
        long long updated = -1;
        bool known = esm_event_type_time_updated(et, &updated);
        hv_series *s = hv_state_series(&r->st, esm_metadata_key(md), name, "base", 0);
        if (!s)
            return fail(r, "out of memory");
        if (has_news(s, known, updated))
            ok = harvest_series(r, md, esm_event_type_base_uri(et), s, updated);
    }
    for (size_t i = 0; ok && !hv_stop_signal && i < esm_event_type_summary_count(et); i++) {
        const esm_summary *sm = esm_event_type_summary_at(et, i);
        if (!wanted_summary(r->o, sm))
            continue;
        long long updated = -1;
        bool known = esm_summary_time_updated(sm, &updated);
        hv_series *s =
            hv_state_series(&r->st, esm_metadata_key(md), name, esm_summary_type(sm), esm_summary_window(sm));
        if (!s)
            return fail(r, "out of memory");
        if (has_news(s, known, updated))
            ok = harvest_series(r, md, esm_summary_uri(sm), s, updated);
    }
    return ok;
}

static bool harvest_tests(run *r)
{
    /* the shared query's time filter is this archive's while the iterator
     * copies it */
    long long since = (r->st.last_run >= 0 ? r->st.last_run : r->o->since_ts) - HV_CLOCK_MARGIN;
    esm_metadata_iter *it = NULL;
    pthread_mutex_lock(&query_lock);
    esm_query_set_time(r->a->q, "time-start", since < 0 ? 0 : since);
    esm_code rc = esm_metadata_iter_new(r->c, r->a->q, &it);
    pthread_mutex_unlock(&query_lock);
    const esm_metadata *md;
    bool ok = rc == ESM_OK || archive_error(r, rc);
    while (ok && !hv_stop_signal && within_time(r, 0) && (rc = esm_metadata_iter_next(it, &md)) == ESM_OK) {
        const char *only = r->o->ps.type;
        for (size_t i = 0; ok && !hv_stop_signal && i < esm_metadata_event_type_count(md); i++) {
            const esm_event_type *et = esm_metadata_event_type_at(md, i);
            if (!only || !strcmp(only, esm_event_type_name(et)))
                ok = harvest_event_type(r, md, et);
        }
    }
    if (ok && !r->a->failed && !hv_stop_signal && rc != ESM_DONE)
        ok = archive_error(r, rc);
    esm_metadata_iter_free(it);
    return ok && !r->a->failed;
}

static bool open_sink(run *r, const char *name)
{
    char why[600];
    if (r->o->amqp)
        r->sink = hv_sink_amqp(r->o->amqp, r->o->exchange, why, sizeof why);
    else if (!strcmp(r->o->out, "-"))
        r->sink = hv_sink_stdout();
    else
        r->sink = hv_sink_file(r->o->out, name, &r->st, why, sizeof why);
    if (!r->sink && !strcmp(r->o->out ? r->o->out : "", "-"))
        snprintf(why, sizeof why, "out of memory");
    return r->sink || fail(r, why);
}

void hv_archive_run(void *context, void *task)
{
    (void)context;
    hv_archive *a = task;
    long long t0 = now_ms();
    run r = {.a = a, .o = a->o, .run_start = (long long)time(NULL), .deadline_ms = t0 + a->o->archive_timeout * 1000};
    r.last_commit_ms = t0;
    esm_buf_init(&r.rec);
    esm_buf_init(&r.key);
    char name[160], why[600];
    hv_archive_name(a->url, name, sizeof name);
    esm_psopts ps = a->o->ps;
    ps.url = a->url;
    ps.verbose = false;
    bool ok = hv_state_load(&r.st, a->o->state_dir, a->url, why, sizeof why) || fail(&r, why);
    if (ok && esm_psopts_client(&ps, &r.c) >= 0)
        ok = fail(&r, "cannot make a client for it (see above)");
    if (ok) {
        esm_client_set_trace(r.c, count_request, &r);
        ok = open_sink(&r, name) && harvest_tests(&r);
    }
    if (ok && !hv_stop_signal)
        r.st.last_run = r.run_start; /* every test updated before it is in */
    /* what was delivered is kept even when the archive failed on the way */
    if (r.sink)
        commit(&r);
    a->stopped = hv_stop_signal != 0;
    if (r.sink)
        r.sink->ops->close(r.sink);
    esm_client_free(r.c);
    hv_state_free(&r.st);
    esm_buf_free(&r.rec);
    esm_buf_free(&r.key);
    a->seconds = (double)(now_ms() - t0) / 1000.0;
}
