/* esmond-ps-archive: a small esmond-compatible measurement archive. */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "archive.h"
#include "import.h"
#include "server.h"
#include "store.h"
#include "request.h"

#define DEFAULT_THREADS 4
#define DEFAULT_MAX_BODY (64LL * 1024 * 1024)

static const char usage_text[] =
    "Usage: esmond-ps-archive --db FILE [--listen ADDR:PORT] [--token USER:KEY]...\n"
    "                         [--token-file FILE] [--import DIR] [--threads N]\n"
    "                         [--max-body BYTES]\n"
    "\n"
    "A small esmond-compatible perfSONAR measurement archive (SQLite), serving the\n"
    "esmond REST API under /esmond/perfsonar/archive/ and /perfsonar/archive/.\n"
    "\n"
    "  --db FILE            SQLite database (created when missing)\n"
    "  --listen ADDR:PORT   serve on this address (IPv6 as [ADDR]:PORT; port 0 picks\n"
    "                       a free one); prints 'listening on http://ADDR:PORT' when ready\n"
    "  --token USER:KEY     accept writes with 'Authorization: Token KEY' or\n"
    "                       'Authorization: ApiKey USER:KEY' (repeatable); reads are open\n"
    "  --token-file FILE    read USER:KEY pairs from FILE, one a line ('#' starts a\n"
    "                       comment), so keys stay out of the process list\n"
    "  --import DIR         load an archive laid out as files (metadata.json + data/),\n"
    "                       then serve, or exit when --listen is not given\n"
    "  --threads N          serving threads (default 4)\n"
    "  --max-body BYTES     largest request body accepted (default 67108864)\n"
    "  -h, --help           show this help and exit\n"
    "  -V, --version        show the version and exit\n";

long long esa_now(void)
{
    return (long long)time(NULL);
}

typedef struct {
    const char *db;
    const char *listen;
    const char *import_dir;
    long long threads;
    long long max_body;
    esa_token *tokens;
    size_t n_tokens;
} options;

static int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int usage_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "esmond-ps-archive: ");
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nTry 'esmond-ps-archive --help' for more information.\n");
    return 2;
}

static int add_token(options *o, const char *arg)
{
    const char *colon = strchr(arg, ':');
    if (!colon || colon == arg || !colon[1])
        return usage_error("%s", "--token wants USER:KEY (the value is not shown: it may be a secret)");
    esa_token *t = realloc(o->tokens, (o->n_tokens + 1) * sizeof *t);
    if (!t)
        return 1;
    o->tokens = t;
    t[o->n_tokens].user = strndup(arg, (size_t)(colon - arg));
    t[o->n_tokens].key = strdup(colon + 1);
    if (!t[o->n_tokens].user || !t[o->n_tokens].key)
        return 1;
    o->n_tokens++;
    return 0;
}

static int add_token_file(options *o, const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "esmond-ps-archive: cannot read --token-file %s: %s\n", path, strerror(errno));
        return 2;
    }
    char line[1024];
    int rc = 0, lineno = 0;
    while (rc == 0 && fgets(line, sizeof line, f)) {
        lineno++;
        line[strcspn(line, "\r\n")] = '\0';
        const char *p = line + strspn(line, " \t");
        if (*p == '\0' || *p == '#')
            continue;
        if (!strchr(p, ':') || p[strlen(p) - 1] == ':' || *p == ':') {
            /* the line holds a secret: name the line, never print it */
            fprintf(stderr, "esmond-ps-archive: %s line %d: expected USER:KEY\n", path, lineno);
            rc = 2;
        } else {
            rc = add_token(o, p);
        }
    }
    fclose(f);
    return rc;
}

/* Returns -1 to go on, else the exit status. */
static int parse_options(int argc, char **argv, options *o)
{
    static const struct option longopts[] = {
        {"db", required_argument, NULL, 'd'},       {"listen", required_argument, NULL, 'l'},
        {"token", required_argument, NULL, 't'},    {"import", required_argument, NULL, 'i'},
        {"token-file", required_argument, NULL, 'T'},
        {"threads", required_argument, NULL, 'n'},  {"max-body", required_argument, NULL, 'm'},
        {"help", no_argument, NULL, 'h'},           {"version", no_argument, NULL, 'V'},
        {NULL, 0, NULL, 0}};
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":hV", longopts, NULL)) != -1) {
        int rc = 0;
        switch (c) {
        case 'd': o->db = optarg; break;
        case 'l': o->listen = optarg; break;
        case 'i': o->import_dir = optarg; break;
        case 't': rc = add_token(o, optarg); break;
        case 'T': rc = add_token_file(o, optarg); break;
        case 'n':
            if (!esa_parse_int(optarg, &o->threads) || o->threads < 1 || o->threads > 256)
                return usage_error("--threads wants a number from 1 to 256, got '%s'", optarg);
            break;
        case 'm':
            if (!esa_parse_int(optarg, &o->max_body) || o->max_body < 1024)
                return usage_error("--max-body wants a number of bytes >= 1024, got '%s'", optarg);
            break;
        case 'h': fputs(usage_text, stdout); return 0;
        case 'V': printf("esmond-ps-archive %s\n", ESM_VERSION); return 0;
        case ':': return usage_error("option '%s' needs a value", argv[optind - 1]);
        default: return usage_error("unknown option '%s'", argv[optind - 1]);
        }
        if (rc)
            return rc;
    }
    if (optind < argc)
        return usage_error("unexpected argument '%s'", argv[optind]);
    if (!o->db)
        return usage_error("%s", "--db FILE is required");
    if (!o->listen && !o->import_dir)
        return usage_error("%s", "give --listen ADDR:PORT, --import DIR, or both");
    return -1;
}

static int serve(esa_archive *ar, const options *o)
{
    /* Signals are taken by sigwait() below, so every thread started from here blocks them. */
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);
    char url[128], err[512];
    esa_server *srv = esa_server_start(ar, o->listen, (int)o->threads, (size_t)o->max_body, url, sizeof url, err,
                                       sizeof err);
    if (!srv) {
        fprintf(stderr, "esmond-ps-archive: %s\n", err);
        return 1;
    }
    printf("listening on %s\n", url);
    fflush(stdout);
    int sig = 0;
    sigwait(&stop, &sig);
    fprintf(stderr, "esmond-ps-archive: %s received, finishing requests in progress\n",
            sig == SIGINT ? "SIGINT" : "SIGTERM");
    esa_server_stop(srv);
    return 0;
}

int main(int argc, char **argv)
{
    options o = {.threads = DEFAULT_THREADS, .max_body = DEFAULT_MAX_BODY};
    int rc = parse_options(argc, argv, &o);
    if (rc < 0) {
        signal(SIGPIPE, SIG_IGN);
        char err[1024];
        esa_store *st = esa_store_open(o.db, (int)o.threads, err, sizeof err);
        esa_archive ar = {.store = st, .tokens = o.tokens, .n_tokens = o.n_tokens};
        if (!st) {
            fprintf(stderr, "esmond-ps-archive: %s\n", err);
            rc = 1;
        } else if (o.import_dir && !esa_import(st, o.import_dir, err, sizeof err)) {
            fprintf(stderr, "esmond-ps-archive: %s\n", err);
            rc = 1;
        } else {
            rc = o.listen ? serve(&ar, &o) : 0;
        }
        esa_store_close(st);
    }
    for (size_t i = 0; i < o.n_tokens; i++) {
        free(o.tokens[i].user);
        free(o.tokens[i].key);
    }
    free(o.tokens);
    return rc;
}
