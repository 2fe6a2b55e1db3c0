/* esmond-ps-harvest: incremental, crash-safe harvesting of many archives
 * into NDJSON files, stdout or RabbitMQ. One checkpoint per archive under
 * --state (locked, so runs never overlap); -j archives at once, each on its
 * own thread and connection; one summary line per archive on stderr. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harvest.h"
#include "workpool.h"

static void on_signal(int sig)
{
    hv_stop_signal = sig;
}

static void catch_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN); /* a closed stdout or broker is an error to report */
}

/* DIR/lock, held (flock) for the whole run; -1 when another run holds it. */
static int lock_state(const hv_opts *o)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/lock", o->state_dir);
    if (mkdir(o->state_dir, 0700) != 0 && errno != EEXIST) {
        fprintf(stderr, "%s: cannot create --state %s: %s\n", o->ps.prog, o->state_dir, strerror(errno));
        return -1;
    }
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) {
        fprintf(stderr, "%s: cannot open %s: %s\n", o->ps.prog, path, strerror(errno));
        return -1;
    }
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        fprintf(stderr, "%s: %s: %s\n", o->ps.prog, path,
                errno == EWOULDBLOCK ? "another run is using this --state" : strerror(errno));
        close(fd);
        return -1;
    }
    return fd;
}

static void report(const hv_opts *o, const hv_archive *a, bool ran)
{
    const char *what = !ran ? "not harvested (stopped)" : a->failed ? "failed" : a->stopped ? "stopped" : "harvested";
    fprintf(stderr, "%s: %s: %s: %zu series, %zu points, %.2f s, %zu requests%s%s\n", o->ps.prog, a->url, what,
            a->series, a->points, a->seconds, a->requests, a->failed ? ": " : "", a->failed ? a->why : "");
}

/* Every archive on the pool; returns how many failed (or were not run). */
static size_t harvest_all(const hv_opts *o, esm_query *q, hv_archive *archives)
{
    size_t n = o->n_archives, threads = (size_t)o->jobs < n ? (size_t)o->jobs : n, failed = 0;
    void **contexts = calloc(threads, sizeof *contexts);
    esm_pool *pool = contexts ? esm_pool_new(threads, contexts, n, hv_archive_run) : NULL;
    if (!pool) {
        fprintf(stderr, "%s: out of memory\n", o->ps.prog);
        free(contexts);
        return n;
    }
    for (size_t i = 0; i < n; i++) {
        archives[i] = (hv_archive){.o = o, .url = o->archives[i], .q = q};
        esm_pool_submit(pool, &archives[i]);
    }
    hv_archive *a;
    bool ran;
    while ((a = esm_pool_next(pool, &ran))) {
        if (hv_stop_signal)
            esm_pool_cancel(pool);
        report(o, a, ran);
        failed += !ran || a->failed;
    }
    esm_pool_free(pool);
    free(contexts);
    return failed;
}

int main(int argc, char **argv)
{
    hv_opts o;
    int status = hv_options(&o, argc, argv);
    if (status >= 0) {
        hv_options_free(&o);
        return status;
    }
    esm_query *q = NULL;
    int lock = -1;
    status = esm_psopts_query(&o.ps, &q);
    if (status < 0 && esm_global_init() != ESM_OK)
        status = esm_psopts_archive_error(&o.ps, NULL, ESM_ERR_NOMEM);
    if (status < 0 && (lock = lock_state(&o)) < 0)
        status = 1;
    if (status < 0) {
        esm_query_set(q, "time-end", NULL); /* it would hide tests still being written */
        catch_signals();
        hv_archive *archives = calloc(o.n_archives, sizeof *archives);
        size_t failed = archives ? harvest_all(&o, q, archives) : o.n_archives;
        status = hv_stop_signal ? 128 + hv_stop_signal : failed == 0 ? 0 : failed < o.n_archives ? 3 : 1;
        free(archives);
    }
    if (lock >= 0)
        close(lock);
    esm_query_free(q);
    hv_options_free(&o);
    esm_global_cleanup();
    return status;
}
