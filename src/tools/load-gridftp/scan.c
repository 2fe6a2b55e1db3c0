/* Reading one log: records in order, each posted or skipped with a log
 * line, and the state saved behind them. The state only ever names the end
 * of a record that has been dealt with (stored, already stored, refused by
 * the archive, or unusable), so a crash at any point loses nothing: the
 * next run starts at most SAVE_EVERY_MS worth of records early, and what it
 * sends again the archive already holds. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "load_gridftp.h"

#define CHUNK (256u << 10)
#define SAVE_EVERY_MS 250 /* how stale the state may get while records are posted (a crash re-sends that much) */

typedef struct {
    run *r;
    int fd;
    const char *path;
    uint64_t done, done_line, done_begin; /* end of the last record dealt with, its line, its start */
    uint64_t base_line;                   /* lines before the offset the reader started at */
    bool unsaved;
    long long saved_ms;
} scan;

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void log_ev(const run *r, const char *level, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void log_ev(const run *r, const char *level, const char *fmt, ...)
{
    char event[96], msg[9000];
    snprintf(event, sizeof event, "%s.%s", r->ev, level);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    esm_loader_log(event, "%s", msg);
}

/* Writes the state for what is dealt with so far (unless -d). */
static void save(scan *s)
{
    s->unsaved = false;
    s->saved_ms = now_ms();
    if (s->r->o->dont_write)
        return;
    esm_gftp_state st;
    esm_ld_error err;
    if (esm_gftp_state_describe(&st, s->r->style, s->path, s->fd, s->done, s->done_line, s->done_begin, &err) != 0 ||
        esm_gftp_state_write(s->r->o->state_path, &st, &err) != 0) {
        esm_loader_log("main.error", "cannot save the state in %s: %s", s->r->o->state_path, err.msg);
        s->r->fatal = true;
    }
    esm_gftp_state_clear(&st);
}

static const char *lookup(void *userdata, const char *host, int family, const char **why)
{
    return esm_hostnames_address(userdata, host, family, why);
}

/* A transfer record: its plan, posted. */
static void transfer(scan *s, const esm_gftp_plan *plan, esm_ld_code plan_rc, const char *plan_err,
                     const esm_gftp_pos *pos)
{
    run *r = s->r;
    r->n.loaded++;
    if (!r->o->no_progress && r->n.loaded % 100 == 0)
        log_ev(r, "info", "%llu records processed", r->n.loaded);
    uint64_t line = s->base_line + pos->line_no;
    if (plan_rc == ESM_LD_ENOMEM) {
        esm_loader_log("main.error", "out of memory");
        r->fatal = true;
        return;
    }
    if (plan_rc != ESM_LD_OK) {
        log_ev(r, "error", "could not generate metadata args for row: %.*s - exception: %s",
               (int)(pos->len < 4096 ? pos->len : 4096), pos->text, plan_err);
        r->n.failed++;
        return;
    }
    switch (poster_send(r->post, plan, r->ev, line)) {
    case POST_STORED:
        r->n.stored++;
        r->n.points += plan->failure ? 1 : plan->n_values;
        break;
    case POST_REJECTED:
        r->n.failed++;
        break;
    case POST_FATAL:
        r->fatal = true;
        return;
    }
    if (r->o->single)
        r->done = true;
}

/* One item from the reader: a record (rc OK) or a line that is not one. */
static void handle(scan *s, esm_ld_code rc, esm_gftp_record *net, esm_gftp_json_record *json, const esm_gftp_pos *pos,
                   const esm_ld_error *err)
{
    run *r = s->r;
    r->n.read++;
    uint64_t line = s->base_line + pos->line_no;
    if (rc == ESM_LD_ENOMEM) {
        esm_loader_log("main.error", "out of memory");
        r->fatal = true;
        return;
    }
    if (rc != ESM_LD_OK) {
        r->n.failed++;
        const char *text = pos->text ? pos->text : "";
        int shown = (int)(pos->len < 4096 ? pos->len : 4096);
        if (rc == ESM_LD_EJSON)
            log_ev(r, "error", "skipping - log line is not valid json: %.*s", shown, text);
        else
            log_ev(r, "error", "skipping line %llu - %s: %.*s", (unsigned long long)line, err->msg, shown, text);
        return;
    }
    esm_gftp_plan plan;
    esm_ld_error plan_err;
    esm_ld_code plan_rc;
    if (r->style == ESM_GFTP_NETLOGGER) {
        if (!esm_gftp_record_is_transfer(net)) {
            r->n.skipped++; /* listings, partial transfers, no TYPE: as the original */
            return;
        }
        plan_rc = esm_gftp_plan_netlogger(net, r->o->privacy, lookup, r->names, &plan, &plan_err);
    } else {
        if (!json->event_type || strcmp(json->event_type, "Transfer-End") != 0) {
            r->n.skipped++;
            return;
        }
        if (!esm_gftp_json_is_transfer(json)) {
            /* the original posted metadata without a subject here and gave up the whole run */
            log_ev(r, "warning", "skipping line %llu - cmd_type %s is not RETR or STOR", (unsigned long long)line,
                   json->cmd_type ? json->cmd_type : "(none)");
            r->n.skipped++;
            return;
        }
        plan_rc = esm_gftp_plan_json(json, r->o->privacy, lookup, r->names, &plan, &plan_err);
    }
    transfer(s, &plan, plan_rc, plan_err.msg, pos);
    esm_gftp_plan_clear(&plan);
}

void scan_log(run *r, int fd, const char *path, uint64_t offset, uint64_t line)
{
    scan s = {.r = r, .fd = fd, .path = path, .done = offset, .done_line = line, .done_begin = offset,
              .base_line = line, .saved_ms = now_ms()};
    esm_gftp_reader *rd = esm_gftp_reader_new(r->style, offset);
    char *buf = malloc(CHUNK);
    if (!rd || !buf) {
        esm_loader_log("main.error", "out of memory");
        r->fatal = true;
        goto out;
    }
    uint64_t fed = 0;
    while (!r->fatal && !r->done) {
        esm_gftp_record net;
        esm_gftp_json_record json;
        esm_gftp_pos pos;
        esm_ld_error err;
        esm_ld_code rc = esm_gftp_reader_next(rd, &net, &json, &pos, &err);
        if (rc == ESM_LD_END)
            break;
        if (rc == ESM_LD_MORE) {
            ssize_t got = pread(fd, buf, CHUNK, (off_t)(offset + fed));
            if (got < 0 && errno == EINTR)
                continue;
            if (got < 0) {
                esm_loader_log("main.error", "cannot read %s: %s", path, strerror(errno));
                r->fatal = true;
                break;
            }
            r->n.bytes += (uint64_t)got;
            fed += (uint64_t)got;
            if (got == 0)
                esm_gftp_reader_finish(rd);
            else if (esm_gftp_reader_feed(rd, buf, (size_t)got) != ESM_LD_OK) {
                esm_loader_log("main.error", "out of memory");
                r->fatal = true;
            }
            continue;
        }
        if (!pos.terminated) {
            /* the last line, without its end: the server may still be writing it; the next run reads it */
            log_ev(r, "warning", "line %llu does not end yet (still being written?) - left for the next run",
                   (unsigned long long)(s.base_line + pos.line_no));
            if (rc == ESM_LD_OK)
                r->style == ESM_GFTP_JSON ? esm_gftp_json_record_clear(&json) : esm_gftp_record_clear(&net);
            break;
        }
        handle(&s, rc, &net, &json, &pos, &err);
        esm_progress_update(r->progress, r->n.read, r->n.points);
        if (rc == ESM_LD_OK)
            r->style == ESM_GFTP_JSON ? esm_gftp_json_record_clear(&json) : esm_gftp_record_clear(&net);
        if (r->fatal)
            break;
        s.done = pos.end;
        s.done_line = s.base_line + pos.line_no;
        s.done_begin = pos.begin;
        s.unsaved = true;
        if (*r->signalled)
            r->done = true;
        if (now_ms() - s.saved_ms >= SAVE_EVERY_MS)
            save(&s);
    }
    if (s.unsaved || s.done == offset)
        save(&s);
out:
    free(buf);
    esm_gftp_reader_free(rd);
}
