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
#include "auth.h"
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
    "                       comment), so keys stay out of the process list; SIGHUP\n"
    "                       reads it again\n"
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
    esa_tokens given;          /* --token */
    const char **token_files;  /* --token-file, read again on SIGHUP */
    size_t n_token_files;
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

/* The set to serve with: the --token pairs and every --token-file's.
 * NULL with err set when a file cannot be used. */
static esa_tokens *load_tokens(const options *o, char *err, size_t cap)
{
    esa_tokens *t = calloc(1, sizeof *t);
    int rc = t ? 0 : -1;
    if (!t)
        snprintf(err, cap, "out of memory");
    for (size_t i = 0; rc == 0 && i < o->given.n; i++) {
        char pair[2048];
        snprintf(pair, sizeof pair, "%s:%s", o->given.items[i].user, o->given.items[i].key);
        rc = esa_tokens_add(t, pair, err, cap);
    }
    for (size_t i = 0; rc == 0 && i < o->n_token_files; i++)
        rc = esa_tokens_add_file(t, o->token_files[i], err, cap);
    if (rc != 0 && t) {
        esa_tokens_free(t);
        free(t);
        t = NULL;
    }
    return t;
}

static int add_token_file(options *o, const char *path)
{
    const char **grown = realloc(o->token_files, (o->n_token_files + 1) * sizeof *grown);
    if (!grown)
        return 1;
    o->token_files = grown;
    grown[o->n_token_files++] = path;
    return 0;
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
    char err[512];
    int c;
    while ((c = getopt_long(argc, argv, ":hV", longopts, NULL)) != -1) {
        int rc = 0;
        switch (c) {
        case 'd': o->db = optarg; break;
        case 'l': o->listen = optarg; break;
        case 'i': o->import_dir = optarg; break;
        case 't':
            if (esa_tokens_add(&o->given, optarg, err, sizeof err) != 0)
                return usage_error("--token: %s", err);
            break;
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

/* SIGHUP: the token files again. A file that cannot be used keeps the set
 * in use; requests in progress finish with the set they looked at. */
static void reload_tokens(esa_archive *ar, const options *o)
{
    if (!o->n_token_files) {
        fprintf(stderr, "esmond-ps-archive: SIGHUP received, no --token-file to read again\n");
        return;
    }
    char err[1024];
    esa_tokens *fresh = load_tokens(o, err, sizeof err);
    if (!fresh) {
        fprintf(stderr, "esmond-ps-archive: SIGHUP received, keeping the tokens in use: %s\n", err);
        return;
    }
    size_t n = fresh->n;
    esa_auth_swap(ar, fresh);
    fprintf(stderr, "esmond-ps-archive: SIGHUP received, %zu token%s in use\n", n, n == 1 ? "" : "s");
}

static int serve(esa_archive *ar, const options *o)
{
    /* Signals are taken by sigwait() below, so every thread started from here blocks them. */
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    sigaddset(&stop, SIGHUP);
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
    while (sigwait(&stop, &sig) == 0 && sig == SIGHUP)
        reload_tokens(ar, o);
    fprintf(stderr, "esmond-ps-archive: %s received, finishing requests in progress\n",
            sig == SIGINT ? "SIGINT" : "SIGTERM");
    esa_server_stop(srv);
    return 0;
}

int main(int argc, char **argv)
{
    options o = {.threads = DEFAULT_THREADS, .max_body = DEFAULT_MAX_BODY};
    int rc = parse_options(argc, argv, &o);
    char err[1024];
    esa_archive ar = {.tokens_lock = PTHREAD_RWLOCK_INITIALIZER};
    if (rc < 0 && !(ar.tokens = load_tokens(&o, err, sizeof err))) {
        fprintf(stderr, "esmond-ps-archive: %s\n", err);
        rc = 2;
    }
    if (rc < 0) {
        signal(SIGPIPE, SIG_IGN);
        ar.store = esa_store_open(o.db, (int)o.threads, err, sizeof err);
        if (!ar.store) {
            fprintf(stderr, "esmond-ps-archive: %s\n", err);
            rc = 1;
        } else if (o.import_dir && !esa_import(ar.store, o.import_dir, err, sizeof err)) {
            fprintf(stderr, "esmond-ps-archive: %s\n", err);
            rc = 1;
        } else {
            rc = o.listen ? serve(&ar, &o) : 0;
        }
        esa_store_close(ar.store);
    }
    esa_auth_swap(&ar, NULL);
    esa_tokens_free(&o.given);
    free(o.token_files);
    return rc;
}
