/* The names of the files esmond-ps-get-bulk writes (see get_bulk.h). */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "get_bulk.h"
#include "json_write.h"

char *names_abspath(const char *dir)
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
    char *save = NULL;
    for (char *part = strtok_r(joined, "/", &save); part; part = strtok_r(NULL, "/", &save)) {
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
static void put_part(esm_buf *name, const char *part)
{
    for (const char *c = part ? part : ""; *c; c++) {
        unsigned char ch = (unsigned char)*c;
        bool bad = ch == '/' || ch == '\\' || ch < 0x20 || ch == 0x7f || (name->len == 0 && ch == '.');
        char out = bad ? '_' : (char)ch;
        esm_buf_append(name, &out, 1);
    }
}

/* FNV-1a, 64 bits, from h on: a short, stable stand-in for a name cut short. */
static unsigned long long fnv1a(unsigned long long h, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 0x100000001b3ULL;
    return h;
}

/* STEM.FORMAT in out; a name longer than NAME_MAX keeps the stem's start
 * (whole UTF-8 characters), then "~" and the hash of the full name in 16
 * hex digits, then ".FORMAT". */
static void fit_name(const char *stem, size_t n, const char *format, char out[NAME_MAX + 1])
{
    size_t tail = 1 + strlen(format);
    if (n + tail <= NAME_MAX) {
        snprintf(out, NAME_MAX + 1, "%.*s.%s", (int)n, stem, format);
        return;
    }
    unsigned long long h = fnv1a(fnv1a(fnv1a(0xcbf29ce484222325ULL, stem, n), ".", 1), format, tail - 1);
    size_t keep = NAME_MAX - 1 - 16 - tail;
    while (keep > 0 && ((unsigned char)stem[keep] & 0xC0) == 0x80)
        keep--; /* not inside a UTF-8 sequence */
    snprintf(out, NAME_MAX + 1, "%.*s~%016llx.%s", (int)keep, stem, h, format);
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

bool names_init(names *n, const esm_psopts *o, esm_hostnames *h, long long start, long long end)
{
    *n = (names){o, h, "", "", json_object()};
    utc_date(start, n->start, sizeof n->start);
    utc_date(end, n->end, sizeof n->end);
    return n->used != NULL;
}

bool names_of(names *n, const series *s, char name[NAME_MAX + 1])
{
    const char *src = esm_metadata_get(s->md, "source"), *dst = esm_metadata_get(s->md, "destination");
    if (n->h) {
        if (src && *src)
            esm_hostnames_want(n->h, src);
        if (dst && *dst)
            esm_hostnames_want(n->h, dst);
        esm_hostnames_resolve(n->h);
        src = src && *src ? esm_hostnames_get(n->h, src) : src;
        dst = dst && *dst ? esm_hostnames_get(n->h, dst) : dst;
    }
    esm_buf stem;
    esm_buf_init(&stem);
    const char *parts[] = {src, dst, s->event_type, n->start, n->end};
    for (size_t i = 0; i < 5; i++) {
        if (i)
            put_part(&stem, "_");
        put_part(&stem, parts[i]);
    }
    fit_name(stem.data ? stem.data : "", stem.len, n->o->format, name);
    if (json_object_get(n->used, name)) {
        put_part(&stem, "_");
        put_part(&stem, esm_metadata_key(s->md));
        fit_name(stem.data ? stem.data : "", stem.len, n->o->format, name);
    }
    bool ok = !stem.failed && json_object_set_new(n->used, name, json_true()) == 0;
    esm_buf_free(&stem);
    return ok;
}

void names_free(names *n)
{
    json_decref(n->used);
    n->used = NULL;
}
