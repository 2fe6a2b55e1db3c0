/* The names of the files esmond-ps-get-bulk writes (see get_bulk.h). */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "get_bulk.h"

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

bool names_init(names *n, const esm_psopts *o, esm_hostnames *h, long long start, long long end)
{
    *n = (names){o, h, "", "", json_object()};
    utc_date(start, n->start, sizeof n->start);
    utc_date(end, n->end, sizeof n->end);
    return n->used != NULL;
}

void names_of(names *n, const series *s, char *name, size_t cap)
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
    char stem[1024] = "";
    const char *parts[] = {src, dst, s->event_type, n->start, n->end};
    for (size_t i = 0; i < 5; i++) {
        if (i)
            put_part(stem, sizeof stem, "_");
        put_part(stem, sizeof stem, parts[i]);
    }
    snprintf(name, cap, "%s.%s", stem, n->o->format);
    if (json_object_get(n->used, name)) {
        char keyed[1100] = "";
        put_part(keyed, sizeof keyed, stem);
        put_part(keyed, sizeof keyed, "_");
        put_part(keyed, sizeof keyed, esm_metadata_key(s->md));
        snprintf(name, cap, "%s.%s", keyed, n->o->format);
    }
    json_object_set_new(n->used, name, json_true());
}

void names_free(names *n)
{
    json_decref(n->used);
    n->used = NULL;
}
