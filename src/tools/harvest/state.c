/* The checkpoint of one archive: a small JSON file in --state (format in the
 * man page), read at the start and replaced atomically at each commit. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "durable_file.h"
#include "harvest.h"

#define STATE_VERSION 1
#define STATE_MAX_BYTES (256L << 20) /* bounded memory whatever the file holds */

void hv_archive_name(const char *url, char *name, size_t cap)
{
    uint64_t h = 1469598103934665603ULL; /* FNV-1a: different URLs, different files */
    for (const char *c = url; *c; c++)
        h = (h ^ (unsigned char)*c) * 1099511628211ULL;
    const char *s = strstr(url, "://");
    s = s ? s + 3 : url;
    size_t n = 0;
    for (; *s && n < 80 && n + 18 < cap; s++) {
        char c = *s;
        bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
                    (c == '.' && n > 0);
        name[n++] = keep ? c : '_';
    }
    snprintf(name + n, cap - n, "-%016llx", (unsigned long long)h);
}

static char *series_id(const char *md_key, const char *event_type, const char *summary_type, long long window)
{
    size_t n = strlen(md_key) + strlen(event_type) + strlen(summary_type) + 32;
    char *id = malloc(n);
    if (id)
        snprintf(id, n, "%s %s %s %lld", md_key, event_type, summary_type, window);
    return id;
}

hv_series *hv_state_series(hv_state *st, const char *md_key, const char *event_type, const char *summary_type,
                           long long window)
{
    char *id = series_id(md_key, event_type, summary_type, window);
    if (!id)
        return NULL;
    json_t *at = json_object_get(st->index, id);
    if (at) {
        free(id);
        return &st->series[json_integer_value(at)];
    }
    if (st->n == st->cap) {
        size_t cap = st->cap ? st->cap * 2 : 16;
        hv_series *grown = realloc(st->series, cap * sizeof *grown);
        if (!grown) {
            free(id);
            return NULL;
        }
        st->series = grown;
        st->cap = cap;
    }
    hv_series *s = &st->series[st->n];
    *s = (hv_series){strdup(md_key), strdup(event_type), strdup(summary_type), window, -1, -1, 0, NULL, 0, 0};
    bool ok = s->md_key && s->event_type && s->summary_type &&
              json_object_set_new(st->index, id, json_integer((json_int_t)st->n)) == 0;
    free(id);
    if (!ok) {
        free(s->md_key);
        free(s->event_type);
        free(s->summary_type);
        return NULL;
    }
    st->n++;
    return s;
}

bool hv_series_seen(const hv_series *s, long long ts)
{
    if (ts > s->last)
        return false;
    size_t lo = 0, hi = s->nseen;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (s->seen[mid] < ts)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < s->nseen && s->seen[lo] == ts;
}

bool hv_series_deliver(hv_series *s, long long ts)
{
    if (s->nseen == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 64;
        long long *grown = realloc(s->seen, cap * sizeof *grown);
        if (!grown)
            return false;
        s->seen = grown;
        s->cap = cap;
    }
    size_t at = s->nseen;
    while (at > 0 && s->seen[at - 1] > ts) /* late points are few: the set stays sorted */
        at--;
    memmove(s->seen + at + 1, s->seen + at, (s->nseen - at) * sizeof *s->seen);
    s->seen[at] = ts;
    s->nseen++;
    if (ts > s->last)
        s->last = ts;
    return true;
}

void hv_series_prune(hv_series *s, long long overlap)
{
    size_t drop = 0;
    while (drop < s->nseen && s->seen[drop] < s->last - overlap)
        drop++;
    if (drop == 0)
        return; /* and seen may be NULL */
    memmove(s->seen, s->seen + drop, (s->nseen - drop) * sizeof *s->seen);
    s->nseen -= drop;
}

static bool fail(char *why, size_t cap, const char *what, const char *path, const char *reason)
{
    snprintf(why, cap, "%s %s: %s", what, path, reason);
    return false;
}

static long long int_of(const json_t *obj, const char *name, long long fallback)
{
    const json_t *v = json_object_get(obj, name);
    return json_is_integer(v) ? (long long)json_integer_value(v) : fallback;
}

/* One series of the file; false when its shape is wrong. */
static bool load_series(hv_state *st, const json_t *js)
{
    const char *key = json_string_value(json_object_get(js, "metadata-key"));
    const char *et = json_string_value(json_object_get(js, "event-type"));
    const char *type = json_string_value(json_object_get(js, "summary-type"));
    const json_t *seen = json_object_get(js, "seen");
    if (!key || !et || !type || !json_is_array(seen))
        return false;
    hv_series *s = hv_state_series(st, key, et, type, int_of(js, "summary-window", 0));
    if (!s)
        return false;
    s->updated = int_of(js, "time-updated", -1);
    s->read_at = int_of(js, "read", 0);
    size_t i;
    const json_t *v;
    json_array_foreach(seen, i, v) {
        if (!json_is_integer(v) || !hv_series_deliver(s, (long long)json_integer_value(v)))
            return false;
    }
    s->last = int_of(js, "last", -1); /* after the set: it may be older than the set's newest */
    return true;
}

static bool load_json(hv_state *st, const json_t *root, char *why, size_t cap)
{
    const char *url = json_string_value(json_object_get(root, "archive"));
    if (int_of(root, "version", 0) != STATE_VERSION)
        return fail(why, cap, "checkpoint", st->path, "unknown version");
    if (!url || strcmp(url, st->url))
        return fail(why, cap, "checkpoint", st->path, "it belongs to another archive");
    st->last_run = int_of(root, "last-run", -1);
    const json_t *out = json_object_get(root, "output");
    const char *file = json_string_value(json_object_get(out, "file"));
    if (file && (strchr(file, '/') || file[0] == '.'))
        return fail(why, cap, "checkpoint", st->path, "bad output file name");
    if (file && !(st->file = strdup(file)))
        return fail(why, cap, "checkpoint", st->path, "out of memory");
    st->file_len = int_of(out, "length", 0);
    size_t i;
    const json_t *js;
    json_array_foreach(json_object_get(root, "series"), i, js) {
        if (!load_series(st, js))
            return fail(why, cap, "checkpoint", st->path, "a series is malformed");
    }
    return true;
}

bool hv_state_load(hv_state *st, const char *dir, const char *url, char *why, size_t cap)
{
    char name[160];
    hv_archive_name(url, name, sizeof name);
    size_t n = strlen(dir) + strlen(name) + 8;
    *st = (hv_state){.url = strdup(url), .path = malloc(n), .last_run = -1, .index = json_object()};
    if (!st->url || !st->path || !st->index)
        return fail(why, cap, "checkpoint for", url, "out of memory");
    snprintf(st->path, n, "%s/%s.json", dir, name);
    FILE *f = fopen(st->path, "r");
    if (!f)
        return errno == ENOENT || fail(why, cap, "cannot read", st->path, strerror(errno));
    struct stat sb;
    if (fstat(fileno(f), &sb) != 0 || sb.st_size > STATE_MAX_BYTES) {
        fclose(f);
        return fail(why, cap, "cannot read", st->path, "too large");
    }
    json_error_t err;
    json_t *root = json_loadf(f, 0, &err);
    fclose(f);
    if (!root)
        return fail(why, cap, "checkpoint", st->path, err.text);
    bool ok = load_json(st, root, why, cap);
    json_decref(root);
    return ok;
}

static json_t *series_json(const hv_series *s)
{
    json_t *seen = json_array();
    for (size_t i = 0; seen && i < s->nseen; i++)
        json_array_append_new(seen, json_integer(s->seen[i]));
    return json_pack("{s:s, s:s, s:s, s:I, s:I, s:I, s:I, s:o}", "metadata-key", s->md_key, "event-type",
                     s->event_type, "summary-type", s->summary_type, "summary-window", (json_int_t)s->window,
                     "last", (json_int_t)s->last, "time-updated", (json_int_t)s->updated, "read",
                     (json_int_t)s->read_at, "seen", seen);
}

static json_t *state_json(const hv_state *st)
{
    json_t *series = json_array();
    for (size_t i = 0; series && i < st->n; i++)
        if (json_array_append_new(series, series_json(&st->series[i])) != 0) {
            json_decref(series);
            return NULL;
        }
    return json_pack("{s:i, s:s, s:I, s:{s:s?, s:I}, s:o}", "version", STATE_VERSION, "archive", st->url,
                     "last-run", (json_int_t)st->last_run, "output", "file", st->file, "length",
                     (json_int_t)st->file_len, "series", series);
}

bool hv_state_save(const hv_state *st, char *why, size_t cap)
{
    json_t *root = state_json(st);
    char *text = root ? json_dumps(root, JSON_COMPACT) : NULL;
    json_decref(root);
    if (!text)
        return fail(why, cap, "cannot write", st->path, "out of memory");
    char *line = malloc(strlen(text) + 2);
    bool ok = line && sprintf(line, "%s\n", text) > 0 &&
              esm_durable_replace(st->path, line, strlen(line), 0600, why, cap) == 0;
    if (!line)
        fail(why, cap, "cannot write", st->path, "out of memory");
    free(line);
    free(text);
    return ok;
}

void hv_state_free(hv_state *st)
{
    for (size_t i = 0; i < st->n; i++) {
        free(st->series[i].md_key);
        free(st->series[i].event_type);
        free(st->series[i].summary_type);
        free(st->series[i].seen);
    }
    free(st->series);
    json_decref(st->index);
    free(st->file);
    free(st->path);
    free(st->url);
}
