/* esmond-ps-harvest's options: the archives, the query tools' filters and
 * credentials (read into an esm_psopts for the shared query and client
 * code), the checkpoint directory and the output. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "harvest.h"

#define JOBS_DEFAULT 8
#define OVERLAP_DEFAULT 3600
#define ARCHIVE_TIMEOUT_DEFAULT 600

static const char usage[] =
    "%s --state DIR (--url URL ... | --archives FILE) (--out DIR | --out - | --amqp URL --exchange NAME)\n"
    "       [-s SRC] [-d DEST] [-a AGENT] [-t TOOL] [-e EVENT] [-F KEY:VALUE] [-T TYPE [-W WINDOW]]\n"
    "       [--since TIME] [--overlap SECONDS] [-j N]";

static void parser_of(hv_opts *o, esm_optdef *defs, size_t *count, char *usage_text, size_t cap, esm_optparser *p)
{
    esm_psopts *ps = &o->ps;
    const esm_optdef table[] = {
        {'h', "help", NULL, ESM_OPT_HELP, "show this help message and exit", NULL},
        {'u', "url", "URL", ESM_OPT_APPEND, "An archive to harvest (repeatable).", &o->urls},
        {0, "archives", "FILE", ESM_OPT_STRING, "Archives to harvest, one URL a line ('#' comments).",
         &o->archives_file},
        {0, "state", "DIR", ESM_OPT_STRING, "Checkpoint directory (one file per archive).", &o->state_dir},
        {0, "since", "TIME", ESM_OPT_STRING, "Where new series start (default: 24 hours ago).", &o->since},
        {0, "overlap", "SECONDS", ESM_OPT_INT,
         "Re-read this much before each checkpoint for late points\n(default: 3600).", &o->overlap},
        {0, "out", "DIR", ESM_OPT_STRING, "NDJSON files under DIR, or '-' for stdout.", &o->out},
        {0, "amqp", "URL", ESM_OPT_STRING, "Publish to this RabbitMQ broker (amqp://...).", &o->amqp},
        {0, "exchange", "NAME", ESM_OPT_STRING, "The exchange to publish to.", &o->exchange},
        {0, "routing-key", "TEMPLATE", ESM_OPT_STRING,
         "Routing key, with {event-type}, {source}, {destination},\n{metadata-key} ... (default: {event-type}).",
         &o->routing_key},
        {'j', "jobs", "N", ESM_OPT_INT, "Archives harvested at once (default: 8).", &o->jobs},
        {0, "archive-timeout", "SECONDS", ESM_OPT_INT,
         "Time one archive may take per run (default: 600).", &o->archive_timeout},
        {'s', "src", "SRC", ESM_OPT_STRING, "Host originating the test.", &ps->src},
        {'d', "dest", "DEST", ESM_OPT_STRING, "Test endpoint.", &ps->dest},
        {'a', "agent", "AGENT", ESM_OPT_STRING, "Host that initiated the test.", &ps->agent},
        {'e', "event-type", "EVENT", ESM_OPT_STRING, "Only this event type.", &ps->type},
        {'t', "tool", "TOOL", ESM_OPT_STRING, "Tool used to run the test.", &ps->tool},
        {'F', "filter", "FILTER", ESM_OPT_APPEND, "Additional filter key:value (repeatable).", &ps->filters},
        {'T', "summary-type", "SUMMARY_TYPE", ESM_OPT_STRING,
         "Summaries of this type [aggregation, average, statistics]\ninstead of base data.", &ps->summary_type},
        {'W', "summary-window", "SUMMARY_WINDOW", ESM_OPT_INT, "Only the summary of this window (with -T).",
         &o->summary_window},
        {0, "all-series", NULL, ESM_OPT_FLAG, "Base data and every summary.", &o->all_series},
        {'v', "verbose", NULL, ESM_OPT_FLAG, "Show the requests on stderr.", &ps->verbose},
        {0, "timeout", "SECONDS", ESM_OPT_INT, "Connect and idle timeout (default: 20).", &ps->timeout},
        {0, "insecure", NULL, ESM_OPT_FLAG, "Do not verify TLS certificates.", &ps->insecure},
        {0, "ca-file", "FILE", ESM_OPT_STRING, "CA certificates to verify with.", &ps->ca_file},
        {0, "user", "USER", ESM_OPT_STRING, "User for ApiKey credentials (or ESMOND_USER).", &ps->user},
        {0, "key", "KEY", ESM_OPT_STRING, "API key (or ESMOND_KEY).", &ps->key},
        {0, "key-file", "FILE", ESM_OPT_STRING, "USER:KEY or KEY from this private file (mode 0600).",
         &ps->key_file},
        {0, "script-alias", "ALIAS", ESM_OPT_STRING, "Mount point of the API (default: esmond).",
         &ps->script_alias},
    };
    *count = sizeof table / sizeof table[0];
    memcpy(defs, table, sizeof table);
    snprintf(usage_text, cap, usage, ps->prog);
    *p = (esm_optparser){ps->prog, usage_text, defs, *count};
}

static bool add_archive(hv_opts *o, const char *url)
{
    char **grown = realloc(o->archives, (o->n_archives + 1) * sizeof *grown);
    if (!grown)
        return false;
    o->archives = grown;
    return (o->archives[o->n_archives] = strdup(url)) && ++o->n_archives;
}

/* One URL a line; blank lines and '#' comments skipped. */
static int read_archives(hv_opts *o, const esm_optparser *p)
{
    FILE *f = fopen(o->archives_file, "r");
    if (!f) {
        char why[4200];
        snprintf(why, sizeof why, "cannot read --archives %s: %s", o->archives_file, strerror(errno));
        return esm_optparse_error(p, why);
    }
    char line[4096];
    int status = -1;
    while (status < 0 && fgets(line, sizeof line, f)) {
        char *hash = strchr(line, '#');
        if (hash)
            *hash = 0;
        char *s = line + strspn(line, " \t\r\n"), *e = s + strcspn(s, " \t\r\n");
        *e = 0;
        if (*s && !add_archive(o, s))
            status = 1;
    }
    fclose(f);
    return status;
}

static int check(hv_opts *o, const esm_optparser *p)
{
    const char *st = o->ps.summary_type;
    if (st && strcmp(st, "aggregation") && strcmp(st, "average") && strcmp(st, "statistics"))
        return esm_optparse_error(p, "-T/--summary-type must be aggregation, average or statistics");
    if (o->summary_window >= 0 && !st)
        return esm_optparse_error(p, "-W/--summary-window needs -T/--summary-type");
    if (st && o->all_series)
        return esm_optparse_error(p, "--all-series and -T/--summary-type exclude each other");
    if (o->ps.type && esm_catalog_data_type(o->ps.type) == ESM_TYPE_UNKNOWN)
        return esm_optparse_error(p, "-e/--event-type is not an event type of the esmond catalog");
    for (size_t i = 0; i < o->ps.filters.count; i++) {
        const char *f = o->ps.filters.items[i], *colon = strchr(f, ':');
        if (!colon || colon == f)
            return esm_optparse_error(p, "-F/--filter must be KEY:VALUE");
    }
    if (!o->state_dir)
        return esm_optparse_error(p, "--state DIR is required");
    if (!o->out == !o->amqp)
        return esm_optparse_error(p, "give one of --out DIR, --out - and --amqp URL");
    if (o->amqp && !o->exchange)
        return esm_optparse_error(p, "--amqp needs --exchange NAME");
    if ((o->exchange || o->routing_key) && !o->amqp)
        return esm_optparse_error(p, "--exchange and --routing-key go with --amqp");
    if (o->overlap < 0 || o->overlap > HV_OVERLAP_MAX)
        return esm_optparse_error(p, "--overlap must be 0 to 604800 seconds");
    if (o->jobs < 1 || o->jobs > ESM_PSOPTS_JOBS_MAX)
        return esm_optparse_error(p, "-j/--jobs must be 1 to 64");
    if (o->archive_timeout < 1 || o->archive_timeout > 86400)
        return esm_optparse_error(p, "--archive-timeout must be 1 to 86400 seconds");
    long long now = (long long)time(NULL);
    o->since_ts = now - 86400;
    if (o->since && esm_parse_time(o->since, now, &o->since_ts) != ESM_OK)
        return esm_optparse_error(p, "--since: cannot read the time");
    for (size_t i = 0; i < o->urls.count; i++)
        if (!add_archive(o, o->urls.items[i]))
            return 1;
    int status = o->archives_file ? read_archives(o, p) : -1;
    if (status < 0 && o->n_archives == 0)
        status = esm_optparse_error(p, "no archives: give --url URL or --archives FILE");
    return status;
}

int hv_options(hv_opts *o, int argc, char **argv)
{
    const char *prog = argc > 0 ? strrchr(argv[0], '/') : NULL;
    *o = (hv_opts){.overlap = OVERLAP_DEFAULT,
                   .jobs = JOBS_DEFAULT,
                   .archive_timeout = ARCHIVE_TIMEOUT_DEFAULT,
                   .summary_window = -1};
    o->ps = (esm_psopts){.prog = prog ? prog + 1 : argc > 0 ? argv[0] : "esmond-ps-harvest", .format = "json"};
    esm_optdef defs[40];
    size_t count;
    char usage_text[1024];
    esm_optparser p;
    parser_of(o, defs, &count, usage_text, sizeof usage_text, &p);
    int status = esm_optparse(&p, argc, argv);
    if (status >= 0)
        return status;
    status = check(o, &p);
    if (status < 0 && o->summary_window > 0)
        o->ps.summary_window = o->summary_window; /* 0 matches base rows too: filtered here */
    return status;
}

void hv_options_free(hv_opts *o)
{
    for (size_t i = 0; i < o->n_archives; i++)
        free(o->archives[i]);
    free(o->archives);
    esm_strlist_free(&o->urls);
    esm_psopts_free(&o->ps);
}
