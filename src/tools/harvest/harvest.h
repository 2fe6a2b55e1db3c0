/* esmond-ps-harvest's parts: options (options.c), the checkpoint of one
 * archive (state.c), where records go (sink_file.c, sink_stdout.c,
 * sink_amqp.c), the harvest of one archive (archive.c), and the run that
 * locks the state, harvests the archives in parallel and reports (main.c). */
#ifndef ESM_HARVEST_H
#define ESM_HARVEST_H

#include <jansson.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

#include "psopts.h"

/* Writes that happen after the listing are seen by the next run if the
 * archive's clock is within this many seconds of ours (time-updated is the
 * archive's clock, in whole seconds). */
#define HV_CLOCK_MARGIN 60
#define HV_OVERLAP_MAX 604800 /* a week: the checkpoint's per-series set stays bounded */

typedef struct {
    esm_psopts ps; /* filters, credentials, TLS, --timeout; ps.url unused */
    esm_strlist urls;
    const char *archives_file, *state_dir, *since, *out, *amqp, *exchange, *routing_key;
    long long overlap, jobs, archive_timeout, summary_window;
    bool all_series;
    long long since_ts;
    char **archives; /* --url and --archives FILE, in that order */
    size_t n_archives;
} hv_opts;

/* Parses and checks argv; -1 to go on, else the exit status (2 for errors). */
int hv_options(hv_opts *o, int argc, char **argv);
void hv_options_free(hv_opts *o);

/* ---- checkpoint of one archive (state.c) ---- */

typedef struct {
    char *md_key, *event_type, *summary_type; /* summary_type "base" for base data */
    long long window;
    long long last;    /* newest ts delivered, -1 for none */
    long long updated; /* the series' time-updated when it was last read, -1: none */
    long long read_at; /* when that read started (our clock) */
    long long *seen;   /* ts delivered within [last - overlap, last], ascending */
    size_t nseen, cap;
} hv_series;

typedef struct {
    char *url, *path;
    long long last_run;  /* start of the last complete run, -1: none */
    char *file;          /* output file (in the archive's directory), NULL: none yet */
    long long file_len;  /* its length written through */
    hv_series *series;
    size_t n, cap;
    json_t *index;       /* series id -> position in series */
} hv_state;

/* A file name for url: its host, port and path with everything but
 * [A-Za-z0-9.-] as '_', then a hash of the whole URL. */
void hv_archive_name(const char *url, char *name, size_t cap);
/* Reads dir/NAME.json (absent: a fresh state). false with why set. */
bool hv_state_load(hv_state *st, const char *dir, const char *url, char *why, size_t cap);
/* The series, created (last -1) when absent; NULL when out of memory. */
hv_series *hv_state_series(hv_state *st, const char *md_key, const char *event_type, const char *summary_type,
                           long long window);
/* Writes the state atomically: temporary file, fsync, rename, fsync of the directory. */
bool hv_state_save(const hv_state *st, char *why, size_t cap);
void hv_state_free(hv_state *st);
/* Whether ts was delivered (ts <= s->last and in the set). */
bool hv_series_seen(const hv_series *s, long long ts);
/* Notes ts as delivered. */
bool hv_series_deliver(hv_series *s, long long ts);
/* Forgets the set below last - overlap. */
void hv_series_prune(hv_series *s, long long overlap);

/* ---- where records go ---- */

typedef struct hv_sink hv_sink;
typedef struct {
    /* Appends one record (an NDJSON line without its newline, in rec[0..len)) */
    bool (*write)(hv_sink *s, const char *rec, size_t len, const char *routing_key);
    /* Makes what was written durable (files: fsync; AMQP: every message
     * confirmed) and notes it in st, so the checkpoint may follow. */
    bool (*commit)(hv_sink *s, hv_state *st);
    void (*close)(hv_sink *s);
} hv_sink_ops;
struct hv_sink {
    const hv_sink_ops *ops;
    char why[512]; /* the reason of a failure */
};

/* --out DIR: DIR/NAME/YYYY-MM-DD.ndjson (today, UTC), cut back to the length
 * the checkpoint wrote through. */
hv_sink *hv_sink_file(const char *dir, const char *name, hv_state *st, char *why, size_t cap);
/* --out -: whole lines on stdout, shared by the archives. */
hv_sink *hv_sink_stdout(void);
/* --amqp URL --exchange NAME: persistent messages, publisher confirms. */
hv_sink *hv_sink_amqp(const char *url, const char *exchange, char *why, size_t cap);

/* ---- one archive (archive.c) ---- */

typedef struct {
    const hv_opts *o;
    const char *url;
    esm_query *q;             /* shared; time-start set under lock for each listing */
    /* what happened */
    size_t series, points, requests;
    double seconds;
    bool failed, stopped;
    char why[768];
} hv_archive;

/* An esm_pool_fn: harvests the archive (task). */
void hv_archive_run(void *context, void *task);

/* Set by SIGINT/SIGTERM: the archives stop after the page in progress. */
extern volatile sig_atomic_t hv_stop_signal;

#endif
