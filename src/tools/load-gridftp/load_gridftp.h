/* esmond-ps-load-gridftp, inside: main.c reads the options and the state
 * and decides where to read; scan.c reads a log record by record and keeps
 * the state; post.c sends a record's plan to the archive. */
#ifndef ESM_LOAD_GRIDFTP_H
#define ESM_LOAD_GRIDFTP_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include <esmond/esmond.h>

#include "gridftp_plan.h"
#include "gridftp_state.h"
#include "hostnames.h"
#include "loader.h"
#include "progress.h"

#define PROG "esmond-ps-load-gridftp"

typedef struct {
    esm_loader_archive archive;
    const char *file, *state_path, *logdir;
    bool dont_write, single, delete_state, verbose, no_progress, json;
    esm_gftp_privacy privacy;
} options;

/* ---- post.c ---- */

typedef enum {
    POST_STORED,   /* the archive holds the record now (409: it already did) */
    POST_REJECTED, /* the archive (or the library) refused this record: skip it */
    POST_FATAL     /* the archive cannot be used (down, credentials, ...): stop */
} post_result;

typedef struct poster poster;

poster *poster_new(esm_client *c, bool verbose);
void poster_free(poster *p);
/* Posts the plan; logs what went wrong under the event prefix ev. The
 * metadata of a run is posted once per distinct object (cached). */
post_result poster_send(poster *p, const esm_gftp_plan *plan, const char *ev, uint64_t line);

/* ---- scan.c ---- */

typedef struct {
    unsigned long long read, stored, skipped, failed; /* records */
    unsigned long long loaded;                         /* RETR/STOR reached, the original's "Loaded N" */
    unsigned long long bytes;                          /* read from logs */
    unsigned long long points;                         /* values the archive stored */
} counts;

typedef struct {
    const options *o;
    int style;               /* ESM_GFTP_NETLOGGER, ESM_GFTP_JSON */
    const char *ev;          /* "scan_and_load_netlogger" or "scan_and_load_json" */
    poster *post;
    esm_hostnames *names;
    counts n;
    bool fatal;              /* stopped: the archive could not be used, or state/log I/O failed */
    bool done;               /* stopped on purpose: -S, or a signal */
    volatile sig_atomic_t *signalled;
    esm_progress *progress;  /* the terminal's progress line; NULL: none */
} run;

/* Reads the log open as fd (its absolute path) from offset, after `line`
 * lines, posting each record and saving the state as records are dealt
 * with. Returns when the log is read, or on a stop (r->fatal, r->done). */
void scan_log(run *r, int fd, const char *path, uint64_t offset, uint64_t line);

#endif
