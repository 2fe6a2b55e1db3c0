/* esmond-ps-get-bulk: every event type (or -e's) of every matching test, one
 * json or csv file each under -D, read in time slices as the original did.
 * Files never overwrite one another (a second test with the same name gets
 * its metadata key in the name), are written under a temporary name and
 * renamed when complete, and their names cannot leave -D. A drop-in for the
 * esmond-client tool. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/datarows.h"

/* The original asked for about this many points per request. */
#define RESULTS_PER_REQUEST 10000

/* The file being written, removed if the run is interrupted. */
static char temp_path[4200];
static volatile sig_atomic_t temp_open;

static void on_signal(int sig)
{
    if (temp_open)
        unlink(temp_path);
    signal(sig, SIG_DFL);
    raise(sig);
}

/* os.path.abspath(): joined to the working directory, then normalised
 * without resolving links. */
static char *abspath(const char *dir)
{
    char cwd[4096];
    size_t cap = strlen(dir) + sizeof cwd + 2;
    char *joined = malloc(cap), *out = malloc(cap);
    if (!joined || !out || (dir[0] != '/' && !getcwd(cwd, sizeof cwd))) {
        free(joined);
        free(out);
        return NULL;
    }
    snprintf(joined, cap, "%s/%s", dir[0] == '/' ? "" : cwd, dir);
    size_t n = 0;
    for (char *part = strtok(joined, "/"); part; part = strtok(NULL, "/")) {
        if (!strcmp(part, "."))
            continue;
        if (!strcmp(part, "..")) {
            while (n > 0 && out[n - 1] != '/')
                n--;
            if (n > 0)
                n--;
            continue;
        }
        out[n++] = '/';
        memcpy(out + n, part, strlen(part));
        n += strlen(part);
    }
    if (n == 0)
        out[n++] = '/';
    out[n] = 0;
    free(joined);
    return out;
}

/* A part of a file name from the server: nothing that could leave the
 * directory or hide the file (no '/', no control bytes, no leading dot). */
static void put_part(char *name, size_t cap, const char *part)
{
    size_t n = strlen(name);
    for (const char *c = part ? part : ""; *c && n + 1 < cap; c++) {
        unsigned char ch = (unsigned char)*c;
        bool bad = ch == '/' || ch == '\\' || ch < 0x20 || ch == 0x7f || (n == 0 && ch == '.');
        name[n++] = bad ? '_' : (char)ch;
    }
    name[n] = 0;
}

static void utc_date(long long t, char *out, size_t cap)
{
    time_t tt = (time_t)t;
    struct tm tm;
    if (gmtime_r(&tt, &tm))
        snprintf(out, cap, "%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
    else
        snprintf(out, cap, "%lld", t);
}

/* str() of a datetime.timedelta of whole seconds. */
static void timedelta_text(long long s, char *out, size_t cap)
{
    long long days = s / 86400, rest = s % 86400;
    char tail[32];
    snprintf(tail, sizeof tail, "%lld:%02lld:%02lld", rest / 3600, rest / 60 % 60, rest % 60);
    if (days)
        snprintf(out, cap, "%lld day%s, %s", days, days == 1 ? "" : "s", tail);
    else
        snprintf(out, cap, "%s", tail);
}

static void datetime_text(long long t, char *out, size_t cap)
{
    time_t tt = (time_t)t;
    struct tm tm;
    if (gmtime_r(&tt, &tm))
        snprintf(out, cap, "%04d-%02d-%02d %02d:%02d:%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                 tm.tm_hour, tm.tm_min, tm.tm_sec);
    else
        snprintf(out, cap, "%lld", t);
}

static long long number_member(const esm_metadata *md, const char *name, long long fallback)
{
    const char *v = esm_metadata_get(md, name);
    char *end;
    long long n = v ? strtoll(v, &end, 10) : 0;
    return v && end != v ? n : fallback;
}

typedef struct {
    const esm_psopts *o;
    esm_client *c;
    const esm_query *q;
    esm_hostnames *h;
    char *dir;
    long long start, end;
    json_t *used; /* file names written in this run */
} bulk;

/* The original's name: source_dest_eventtype_startdate_enddate.format,
 * then the metadata key when another test of this run had that name. */
static void file_name(bulk *b, const esm_metadata *md, const char *et, char *name, size_t cap)
{
    const char *src = esm_metadata_get(md, "source"), *dst = esm_metadata_get(md, "destination");
    if (b->h) {
        if (src && *src)
            esm_hostnames_want(b->h, src);
        if (dst && *dst)
            esm_hostnames_want(b->h, dst);
        esm_hostnames_resolve(b->h);
        src = src && *src ? esm_hostnames_get(b->h, src) : src;
        dst = dst && *dst ? esm_hostnames_get(b->h, dst) : dst;
    }
    char s[32], e[32], stem[1024] = "";
    utc_date(b->start, s, sizeof s);
    utc_date(b->end, e, sizeof e);
    const char *parts[] = {src, dst, et, s, e};
    for (size_t i = 0; i < 5; i++) {
        if (i)
            put_part(stem, sizeof stem, "_");
        put_part(stem, sizeof stem, parts[i]);
    }
    snprintf(name, cap, "%s.%s", stem, b->o->format);
    if (json_object_get(b->used, name)) {
        char keyed[1100] = "";
        put_part(keyed, sizeof keyed, stem);
        put_part(keyed, sizeof keyed, "_");
        put_part(keyed, sizeof keyed, esm_metadata_key(md));
        snprintf(name, cap, "%s.%s", keyed, b->o->format);
    }
    json_object_set_new(b->used, name, json_true());
}

/* The mode open() would have given the file. */
static mode_t file_mode(void)
{
    mode_t mask = umask(0);
    umask(mask);
    return 0666 & ~mask;
}

static int write_failed(const bulk *b, const char *path)
{
    fprintf(stderr, "%s: cannot write %s: %s\n", b->o->prog, path, strerror(errno ? errno : EIO));
    return 1;
}

/* One event type of one test into its file. */
static int export_type(bulk *b, const esm_metadata *md, const json_t *mdobj, const char *et)
{
    const esm_psopts *o = b->o;
    printf("\n  * processing %s\n", et);
    fflush(stdout);
    long long step = number_member(md, "time-interval", 1) + number_member(md, "time-duration", 0);
    long long delta = (step > 0 ? step : 1) * RESULTS_PER_REQUEST;
    if (o->verbose) {
        char text[64];
        timedelta_text(delta, text, sizeof text);
        printf("Requesting time slices of %s\n", text);
    }
    snprintf(temp_path, sizeof temp_path, "%s/.esmond-ps-get-bulk.XXXXXX", strcmp(b->dir, "/") ? b->dir : "");
    int fd = mkstemp(temp_path);
    FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (!f) {
        if (fd >= 0) {
            close(fd);
            unlink(temp_path);
        }
        return write_failed(b, b->dir);
    }
    temp_open = 1;
    const char *const *columns;
    size_t ncolumns = esm_datarows_columns(o, et, false, &columns);
    esm_output *out = esm_output_new(f, o->format, columns, ncolumns, false);
    esm_code rc = out ? ESM_OK : ESM_ERR_NOMEM;
    bool failed = false;
    long long offset = 0;
    for (long long s = b->start; rc == ESM_OK && !failed && s < b->end; s += delta) {
        long long from = s + offset, to = s + delta < b->end ? s + delta : b->end;
        offset = 1; /* start and end are inclusive: no point twice */
        if (o->verbose) {
            char a[64], z[64];
            datetime_text(from, a, sizeof a);
            datetime_text(to, z, sizeof z);
            printf("Requesting %s -> %s\n", a, z);
        }
        esm_query *slice = esm_query_new();
        if (!slice || esm_query_set_time(slice, "time-start", from) != ESM_OK ||
            esm_query_set_time(slice, "time-end", to) != ESM_OK) {
            esm_query_free(slice);
            rc = ESM_ERR_NOMEM;
            break;
        }
        esm_datarows d = {o, b->c, slice, b->h, out, false};
        size_t rows = 0;
        rc = esm_datarows_write(&d, md, mdobj, et, &rows, &failed);
        esm_query_free(slice);
        if (rows)
            printf("   * got %zu results\n", rows);
        fflush(stdout);
    }
    size_t total = out ? esm_output_rows(out) : 0;
    if (rc == ESM_OK && !failed && total && !esm_output_close(out))
        failed = true;
    esm_output_free(out);
    errno = 0;
    if (fclose(f) != 0)
        failed = true;
    if (rc != ESM_OK || failed || !total) {
        int saved = errno;
        unlink(temp_path);
        temp_open = 0;
        errno = saved;
        if (rc != ESM_OK)
            return esm_psopts_archive_error(o, b->c, rc);
        if (failed)
            return write_failed(b, b->dir);
        printf("  * no data for that event type, skipping output.\n");
        fflush(stdout);
        return 0;
    }
    char name[1200], path[4200 + 1200];
    file_name(b, md, et, name, sizeof name);
    snprintf(path, sizeof path, "%s/%s", strcmp(b->dir, "/") ? b->dir : "", name);
    if (chmod(temp_path, file_mode()) != 0 || rename(temp_path, path) != 0) {
        int saved = errno;
        unlink(temp_path);
        temp_open = 0;
        errno = saved;
        return write_failed(b, path);
    }
    temp_open = 0;
    printf("  * writing %s\n", path);
    fflush(stdout);
    return 0;
}

static int run(bulk *b)
{
    esm_metadata_iter *it = NULL;
    esm_code rc = esm_metadata_iter_new(b->c, b->q, &it);
    const esm_metadata *md;
    int status = 0;
    while (status == 0 && rc == ESM_OK && (rc = esm_metadata_iter_next(it, &md)) == ESM_OK) {
        printf("\n <Metadata/%s: uri:%s>\n", esm_metadata_key(md), esm_metadata_uri(md));
        fflush(stdout);
        json_t *mdobj = json_loads(esm_metadata_json(md), 0, NULL);
        if (!mdobj) {
            rc = ESM_ERR_NOMEM;
            break;
        }
        if (b->o->type && *b->o->type) {
            status = export_type(b, md, mdobj, b->o->type);
        } else {
            for (size_t i = 0; status == 0 && i < esm_metadata_event_type_count(md); i++)
                status = export_type(b, md, mdobj, esm_event_type_name(esm_metadata_event_type_at(md, i)));
        }
        json_decref(mdobj);
    }
    esm_metadata_iter_free(it);
    if (status == 0 && rc != ESM_DONE)
        status = esm_psopts_archive_error(b->o, b->c, rc);
    return status;
}

static long long query_time(const esm_query *q, const char *name)
{
    const char *v = esm_query_get(q, name);
    return v ? strtoll(v, NULL, 10) : 0;
}

int main(int argc, char **argv)
{
    esm_psopts o;
    esm_query *q = NULL;
    esm_client *c = NULL;
    esm_hostnames *h = NULL;
    bulk b = {0};
    int status = esm_psopts_parse_needs(&o, ESM_PSOPTS_NEED_OUTPUT, argc, argv);
    if (status < 0)
        status = esm_psopts_connect(&o, &q, &c, &h);
    if (status < 0) {
        b = (bulk){&o, c, q, h, abspath(o.output_dir), query_time(q, "time-start"), query_time(q, "time-end"),
                   json_object()};
        if (!b.dir || !b.used) {
            status = esm_psopts_archive_error(&o, NULL, ESM_ERR_NOMEM);
        } else {
            signal(SIGINT, on_signal);
            signal(SIGTERM, on_signal);
            signal(SIGHUP, on_signal);
            status = run(&b);
        }
        free(b.dir);
        json_decref(b.used);
    }
    esm_hostnames_free(h);
    esm_client_free(c);
    esm_query_free(q);
    esm_psopts_free(&o);
    esm_global_cleanup();
    return status;
}
