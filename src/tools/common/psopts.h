/* The options every perfSONAR query tool shares (perfsonar_client_opts() of
 * the originals), their checks in the originals' order and messages, and the
 * query, client and host-name resolver they describe. */
#ifndef ESM_TOOLS_PSOPTS_H
#define ESM_TOOLS_PSOPTS_H

#include <stdbool.h>

#include "esmond/esmond.h"
#include "hostnames.h"
#include "optparse.h"

typedef struct {
    const char *prog;
    const char *url, *src, *dest, *agent, *type, *tool, *start, *end;
    const char *summary_type, *format;
    esm_strlist filters;
    long long summary_window, timeout;
    bool list_events, metadata, ip, verbose, ssl_verify;
    const char *output_dir; /* -D (esmond-ps-get-bulk): default the working directory */
    long long jobs;         /* -j (esmond-ps-get-bulk): series read at once */
    unsigned needs;         /* ESM_PSOPTS_NEED_* */
    /* beyond the original */
    bool insecure;
    const char *ca_file, *user, *key, *key_file, *script_alias;
} esm_psopts;

/* What a tool requires (perfsonar_client_opts()'s require_* arguments). */
enum {
    ESM_PSOPTS_NEED_SRC_DEST = 1, /* --src and --dest (--src alone for ntp-*) */
    ESM_PSOPTS_NEED_EVENT = 2,    /* --event-type */
    ESM_PSOPTS_NEED_OUTPUT = 4    /* -D, and json or csv output; -j */
};

/* -j: the default does not hammer an archive; the most keeps connections few. */
#define ESM_PSOPTS_JOBS_DEFAULT 4
#define ESM_PSOPTS_JOBS_MAX 64

/* Reads argv and runs the originals' checks (-L, --url, host names, event
 * type, summary type, output format), with a tool's requirements
 * (ESM_PSOPTS_NEED_* flags, 0 for none). -1 to go on, else the exit status. */
int esm_psopts_parse_needs(esm_psopts *o, unsigned needs, int argc, char **argv);
/* The filters: time range (-S/-E, default the last 24 hours) and -F
 * key:value pairs. -1 with *out set, else the exit status. */
int esm_psopts_query(const esm_psopts *o, esm_query **out);
/* A client for --url with TLS, timeout and credential options. -1 with
 * *out set, else the exit status. */
int esm_psopts_client(const esm_psopts *o, esm_client **out);
/* The resolver that shows addresses as names; NULL with --ip. */
esm_hostnames *esm_psopts_hostnames(const esm_psopts *o);
/* Reports a failed archive call on stderr; returns the exit status (1). */
int esm_psopts_archive_error(const esm_psopts *o, esm_client *c, esm_code rc);
/* The same with the client's error text kept from earlier (NULL: none). */
int esm_psopts_archive_error_text(const esm_psopts *o, esm_code rc, const char *detail);
/* Reports a failed write to stdout (err: its errno); returns the exit status (1). */
int esm_psopts_output_error(const esm_psopts *o, int err);
/* After parsing: the query, libesmond's global state, the client and (without
 * --ip) the host-name resolver, in that order. Returns -1 to go on, else the
 * exit status; what was made is the caller's to free either way. */
int esm_psopts_connect(const esm_psopts *o, esm_query **q, esm_client **c, esm_hostnames **h);
void esm_psopts_free(esm_psopts *o);
/* What a query tool does once connected (ctx: the tool's own); returns the exit status. */
typedef int (*esm_psopts_run_fn)(const esm_psopts *o, const esm_query *q, esm_client *c, esm_hostnames *h,
                                 const void *ctx);
/* A query tool's main(): parses (esm_psopts_parse_needs), connects, runs,
 * frees everything and returns the exit status. SIGPIPE and SIGXFSZ are
 * ignored: writes fail with EPIPE and EFBIG instead. */
int esm_psopts_main(int argc, char **argv, unsigned needs, esm_psopts_run_fn run, const void *ctx);
/* The original's formatting type of an event type ("numeric", "histogram",
 * "failures", "packet_trace", "subintervals", "number_list",
 * "subinterval_list"); NULL for types outside its list. */
const char *esm_psopts_event_format(const char *event_type);

#endif
