/* --out -: NDJSON on stdout. The archives' threads share it; each commit
 * writes an archive's buffered records under a lock, so lines stay whole.
 * At least once across crashes: a run that stops before its checkpoint sends
 * those records again. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harvest.h"
#include "json_write.h"

#define FLUSH_AT (256u << 10)

typedef struct {
    hv_sink base;
    esm_buf buf;
} stdout_sink;

static pthread_mutex_t stdout_lock = PTHREAD_MUTEX_INITIALIZER;

static bool flush_out(stdout_sink *ss)
{
    pthread_mutex_lock(&stdout_lock);
    bool ok = fwrite(ss->buf.data, 1, ss->buf.len, stdout) == ss->buf.len && fflush(stdout) == 0;
    pthread_mutex_unlock(&stdout_lock);
    ss->buf.len = 0;
    if (!ok)
        snprintf(ss->base.why, sizeof ss->base.why, "cannot write to stdout: %s", strerror(errno));
    return ok;
}

static bool stdout_write(hv_sink *s, const char *rec, size_t len, const char *routing_key)
{
    (void)routing_key;
    stdout_sink *ss = (stdout_sink *)s;
    esm_buf_append(&ss->buf, rec, len);
    esm_buf_append(&ss->buf, "\n", 1);
    if (ss->buf.failed) {
        snprintf(s->why, sizeof s->why, "out of memory");
        return false;
    }
    return ss->buf.len < FLUSH_AT || flush_out(ss);
}

static bool stdout_commit(hv_sink *s, hv_state *st)
{
    (void)st;
    return flush_out((stdout_sink *)s);
}

static void stdout_close(hv_sink *s)
{
    stdout_sink *ss = (stdout_sink *)s;
    esm_buf_free(&ss->buf);
    free(ss);
}

static const hv_sink_ops stdout_ops = {stdout_write, stdout_commit, stdout_close};

hv_sink *hv_sink_stdout(void)
{
    stdout_sink *ss = calloc(1, sizeof *ss);
    if (!ss)
        return NULL;
    ss->base.ops = &stdout_ops;
    esm_buf_init(&ss->buf);
    return &ss->base;
}
