/* esmond-ps-get-bulk: every event type (or -e's) of every matching test, one
 * json or csv file each under -D, each read as 4.2.1 read it: one paged
 * series (time-start = last ts + 1). With -j N, N readers on their own
 * connections read series at once, into temporary files; this thread prints
 * the progress lines and moves the files into place in the listing's order,
 * so stdout and the files are those of -j 1. A drop-in for the esmond-client
 * tool; files never overwrite one another and appear whole. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "get_bulk.h"
#include "progress.h"
#include "termsafe.h"
#include "workpool.h"

/* Series held at once per reader: a slow one does not leave the others idle. */
#define WINDOW_PER_READER 4

typedef struct {
    const esm_psopts *o;
    esm_client *c; /* the listing's (and the series' with -j 1) */
    const char *dir;
    mode_t mode;   /* the mode open() would give a file */
    names names;
    esm_metadata_iter *it;
    const esm_metadata *md; /* the test whose series are handed out */
    size_t next_type, window, submitted;
    esm_code list_rc;       /* ESM_DONE after the last test */
    esm_progress *pg;       /* NULL: stderr is not a terminal */
    unsigned long long done, points;
} bulk;

static size_t type_count(const bulk *b)
{
    return b->o->type && *b->o->type ? 1 : esm_metadata_event_type_count(b->md);
}

static void series_free(series *s)
{
    if (!s)
        return;
    esm_metadata_free(s->md);
    free(s->detail);
    free(s);
}

/* The listing's next series; NULL at its end or on an error (b->list_rc). A
 * test without event types gives one series without one: its line. */
static series *next_series(bulk *b)
{
    bool first = false;
    if (!b->md || b->next_type >= type_count(b)) {
        if ((b->list_rc = esm_metadata_iter_next(b->it, &b->md)) != ESM_OK) {
            b->md = NULL;
            return NULL;
        }
        b->next_type = 0;
        first = true;
    }
    series *s = calloc(1, sizeof *s);
    if (!s || !(s->md = esm_metadata_dup(b->md))) {
        series_free(s);
        b->list_rc = ESM_ERR_NOMEM;
        return NULL;
    }
    s->first_of_test = first;
    s->slot = b->submitted++ % b->window;
    if (b->next_type < type_count(b))
        s->event_type = b->o->type && *b->o->type ? b->o->type
                                                  : esm_event_type_name(esm_metadata_event_type_at(s->md, b->next_type));
    b->next_type++;
    return s;
}

/* The progress lines go to stdout: a closed pipe or a full disk there ends
 * the run, whose temporary files are then removed. */
static int lines_done(const bulk *b)
{
    return fflush(stdout) == 0 ? 0 : esm_psopts_output_error(b->o, errno);
}

/* Server text in a line is escaped for the terminal (termsafe.h). */
static int print_header(const bulk *b, const series *s)
{
    esm_progress_hide();
    if (s->first_of_test) {
        fputs("\n <Metadata/", stdout);
        esm_termsafe_fputs(esm_metadata_key(s->md), stdout);
        fputs(": uri:", stdout);
        esm_termsafe_fputs(esm_metadata_uri(s->md), stdout);
        fputs(">\n", stdout);
    }
    if (s->event_type) {
        fputs("\n  * processing ", stdout);
        esm_termsafe_fputs(s->event_type, stdout);
        fputs("\n", stdout);
    }
    return lines_done(b);
}

static int write_failed(const bulk *b, const char *path, int err)
{
    fprintf(stderr, "%s: cannot write ", b->o->prog);
    esm_termsafe_fputs(path, stderr);
    fprintf(stderr, ": %s\n", strerror(err ? err : EIO));
    return 1;
}

/* What became of a series that was read: its lines, its file put in place.
 * A file that could not be written is named in the error. */
static int finish(bulk *b, series *s)
{
    if (!s->event_type)
        return 0;
    esm_progress_hide();
    if (s->rc != ESM_OK || s->write_failed || !s->rows)
        temp_remove(s->slot);
    if (s->rc != ESM_OK)
        return esm_psopts_archive_error_text(b->o, s->rc, s->detail);
    if (!s->rows && !s->write_failed) {
        printf("  * no data for that event type, skipping output.\n");
        return lines_done(b);
    }
    char name[NAME_MAX + 1], path[4096 + NAME_MAX + 2];
    if (!names_of(&b->names, s, name)) {
        temp_remove(s->slot);
        return esm_psopts_archive_error(b->o, NULL, ESM_ERR_NOMEM);
    }
    snprintf(path, sizeof path, "%s/%s", strcmp(b->dir, "/") ? b->dir : "", name);
    if (s->write_failed)
        return write_failed(b, path, s->write_errno);
    printf("   * got %zu results\n", s->rows);
    if (chmod(temp_path(s->slot), b->mode) != 0 || rename(temp_path(s->slot), path) != 0) {
        int err = errno;
        temp_remove(s->slot);
        return write_failed(b, path, err);
    }
    temp_forget(s->slot);
    fputs("  * writing ", stdout);
    esm_termsafe_fputs(path, stdout);
    fputs("\n", stdout);
    return lines_done(b);
}

/* Hands the listing's series to the pool as the window allows and reports
 * them in order; after an error the rest is dropped, files removed. */
static int run(bulk *b, esm_pool *pool)
{
    int status = 0;
    bool listing = true;
    for (;;) {
        while (status == 0 && listing && !esm_pool_full(pool)) {
            series *s = next_series(b);
            if (s)
                esm_pool_submit(pool, s);
            listing = s != NULL;
        }
        series *s = esm_pool_oldest(pool);
        if (!s)
            break;
        if (status == 0 && (status = print_header(b, s)) != 0)
            esm_pool_cancel(pool);
        bool ran;
        esm_pool_next(pool, &ran);
        if (status != 0)
            temp_remove(s->slot);
        else if ((status = finish(b, s)) != 0)
            esm_pool_cancel(pool);
        b->points += s->rows;
        esm_progress_update(b->pg, ++b->done, b->points);
        series_free(s);
    }
    if (status == 0 && b->list_rc != ESM_DONE) {
        esm_progress_hide();
        status = esm_psopts_archive_error(b->o, b->c, b->list_rc);
    }
    return status;
}

static long long query_time(const esm_query *q, const char *name)
{
    const char *v = esm_query_get(q, name);
    return v ? strtoll(v, NULL, 10) : 0;
}

/* With -j 1 the series are read on this thread with the listing's client;
 * else each reader has a client (and a resolver) of its own. */
static int start_readers(const esm_psopts *o, const esm_query *q, esm_client *c, esm_hostnames *h, size_t n,
                         reader *readers, void **contexts)
{
    for (size_t i = 0; i < n; i++) {
        readers[i] = (reader){o, q, c, h};
        contexts[i] = &readers[i];
        if (n == 1)
            break;
        readers[i].c = NULL;
        readers[i].h = NULL;
        int status = esm_psopts_client(o, &readers[i].c);
        if (status >= 0)
            return status;
        if (!o->ip && !(readers[i].h = esm_psopts_hostnames(o)))
            return esm_psopts_archive_error(o, NULL, ESM_ERR_NOMEM);
    }
    return -1;
}

static void stop_readers(size_t n, reader *readers)
{
    for (size_t i = 0; n > 1 && i < n; i++) {
        esm_client_free(readers[i].c);
        esm_hostnames_free(readers[i].h);
    }
}

static int export_all(const esm_psopts *o, const esm_query *q, esm_client *c, esm_hostnames *h,
                      const void *ctx)
{
    size_t jobs = (size_t)o->jobs;
    bulk b = {.o = o, .c = c, .window = jobs == 1 ? 1 : jobs * WINDOW_PER_READER};
    mode_t mask = umask(0);
    umask(mask);
    b.mode = 0666 & ~mask;
    char *dir = names_abspath(o->output_dir);
    reader *readers = calloc(jobs, sizeof *readers);
    void **contexts = calloc(jobs, sizeof *contexts);
    esm_pool *pool = NULL;
    int status = -1;
    if (!dir || !readers || !contexts ||
        !names_init(&b.names, o, h, query_time(q, "time-start"), query_time(q, "time-end")))
        status = esm_psopts_archive_error(o, NULL, ESM_ERR_NOMEM);
    else if (!temp_init(dir, b.window))
        status = write_failed(&b, dir, errno);
    if (status < 0)
        status = start_readers(o, q, c, h, jobs, readers, contexts);
    if (status < 0 && !(pool = esm_pool_new(jobs == 1 ? 0 : jobs, contexts, b.window, series_read)))
        status = esm_psopts_archive_error(o, NULL, ESM_ERR_NOMEM);
    if (status < 0) {
        b.dir = dir;
        esm_code rc = esm_metadata_iter_new(c, q, &b.it);
        b.pg = esm_progress_start("series");
        status = rc == ESM_OK ? run(&b, pool) : esm_psopts_archive_error(o, c, rc);
        esm_progress_end(b.pg);
    }
    esm_metadata_iter_free(b.it);
    esm_pool_free(pool);
    if (readers)
        stop_readers(jobs, readers);
    temp_free();
    names_free(&b.names);
    free(contexts);
    free(readers);
    free(dir);
    return status;
}

int main(int argc, char **argv)
{
    return esm_psopts_main(argc, argv, ESM_PSOPTS_NEED_OUTPUT, export_all, NULL);
}
