/* One series read into its temporary file, and the temporary files (see
 * get_bulk.h). Readers run on several threads; the signal handler removes
 * whatever temporary files exist at that moment. */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "get_bulk.h"

#define TEMP_NAME "/.esmond-ps-get-bulk.XXXXXX"

static size_t n_slots, path_cap;
static char *paths; /* n_slots paths of path_cap bytes, each ending in the template */
static volatile sig_atomic_t *in_use;

static void on_signal(int sig)
{
    for (size_t i = 0; i < n_slots; i++)
        if (in_use[i])
            unlink(paths + i * path_cap);
    signal(sig, SIG_DFL);
    raise(sig);
}

bool temp_init(const char *dir, size_t slots)
{
    const char *prefix = strcmp(dir, "/") ? dir : "";
    path_cap = strlen(prefix) + sizeof TEMP_NAME;
    if (path_cap > 4096) {
        errno = ENAMETOOLONG;
        return false;
    }
    paths = malloc(slots * path_cap);
    in_use = calloc(slots, sizeof *in_use);
    if (!paths || !in_use) {
        temp_free();
        errno = ENOMEM;
        return false;
    }
    n_slots = slots;
    for (size_t i = 0; i < slots; i++)
        snprintf(paths + i * path_cap, path_cap, "%s%s", prefix, TEMP_NAME);
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    signal(SIGHUP, on_signal);
    return true;
}

FILE *temp_create(size_t slot)
{
    char *path = paths + slot * path_cap;
    /* marked before the file exists, so that a signal never misses it; the
     * handler may meanwhile unlink a name that is not there, harmlessly */
    memset(path + path_cap - 7, 'X', 6);
    in_use[slot] = 1;
    int fd = mkstemp(path);
    FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (!f) {
        int saved = errno;
        if (fd >= 0) {
            close(fd);
            unlink(path);
        }
        in_use[slot] = 0;
        errno = saved;
    }
    return f;
}

const char *temp_path(size_t slot)
{
    return paths + slot * path_cap;
}

void temp_remove(size_t slot)
{
    if (in_use[slot])
        unlink(paths + slot * path_cap);
    in_use[slot] = 0;
}

void temp_forget(size_t slot)
{
    in_use[slot] = 0;
}

void temp_free(void)
{
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    signal(SIGHUP, SIG_DFL);
    n_slots = 0;
    free(paths);
    free((void *)in_use);
    paths = NULL;
    in_use = NULL;
}

void series_read(void *context, void *task)
{
    const reader *r = context;
    series *s = task;
    if (!s->event_type)
        return;
    FILE *f = temp_create(s->slot);
    if (!f) {
        s->write_failed = true;
        s->write_errno = errno;
        return;
    }
    const char *const *columns;
    size_t ncolumns = esm_datarows_columns(r->o, s->event_type, false, &columns);
    esm_output *out = esm_output_new(f, r->o->format, columns, ncolumns, false);
    json_t *mdobj = json_loads(esm_metadata_json(s->md), 0, NULL);
    s->rc = out && mdobj ? ESM_OK : ESM_ERR_NOMEM;
    if (s->rc == ESM_OK) {
        esm_datarows d = {r->o, r->c, r->q, r->h, out, false};
        s->rc = esm_datarows_write(&d, s->md, mdobj, s->event_type, &s->rows, &s->write_failed);
    }
    if (s->rc == ESM_OK && !s->write_failed && s->rows && !esm_output_close(out))
        s->write_failed = true;
    if (s->write_failed) /* a row not made: out of memory */
        s->write_errno = esm_output_error(out) ? esm_output_error(out) : ENOMEM;
    esm_output_free(out);
    json_decref(mdobj);
    if (fclose(f) != 0 && !s->write_failed) {
        s->write_failed = true;
        s->write_errno = errno;
    }
    if (s->rc != ESM_OK)
        s->detail = strdup(esm_client_error(r->c));
}
