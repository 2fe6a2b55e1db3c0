/* Read-only views of a metadata object (esmond-rest-api §6): its string fields, event
 * types and summaries, as the Python client's Metadata, EventType and Summary
 * show them. The view keeps a reference to the JSON object and points into
 * it; only numbers that odd servers send in place of strings are rendered. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "json_write.h"
#include "pyfloat.h"

struct esm_summary {
    const char *type;
    long long window;
    const char *uri;
    bool has_time;
    long long time_updated;
};

struct esm_event_type {
    const char *name;
    const char *base_uri;
    esm_data_type_t data_type;
    bool has_time;
    long long time_updated;
    struct esm_summary *summaries;
    size_t n_summaries;
};

typedef struct {
    const char *name;
    const char *value;  /* into the JSON, or rendered */
    char *rendered;     /* owned text of a number or boolean member */
} md_field;

struct esm_metadata {
    json_t *json;       /* own reference, pagination members removed */
    char *text;         /* esm_metadata_json() cache */
    const char *key, *uri, *url;
    md_field *fields;
    size_t n_fields;
    struct esm_event_type *event_types;
    size_t n_event_types;
};

/* Added to the first element of a search page only (esmond-rest-api §6.1); they say
 * nothing about the object itself. */
static const char *const pagination[] = {"metadata-count-total", "metadata-previous-page", "metadata-next-page"};

/* time-updated: integer seconds, or null when never written. Reals (a
 * PostgreSQL-backed server) are truncated as the reference does. */
static bool read_time(const json_t *j, long long *out)
{
    if (esm__json_integer(j, out))
        return true;
    if (!json_is_real(j))
        return false;
    double d = floor(json_real_value(j));
    if (!(d >= -9223372036854775808.0 && d < 9223372036854775808.0))
        return false;
    *out = (long long)d;
    return true;
}

/* Python's str() of a scalar that should have been a string (esmond-rest-api §6.3):
 * 20 -> "20", 20.0 -> "20.0", true -> "True". NULL for anything else. */
#define RENDER_MAX 32
_Static_assert(ESM_PYFLOAT_MAX <= RENDER_MAX, "room for repr(float)");

static char *render_scalar(const json_t *j)
{
    char *s = malloc(RENDER_MAX);
    if (!s)
        return NULL;
    if (json_is_integer(j))
        snprintf(s, RENDER_MAX, "%" JSON_INTEGER_FORMAT, json_integer_value(j));
    else if (json_is_real(j))
        esm_pyfloat_format(json_real_value(j), s);
    else if (json_is_boolean(j))
        strcpy(s, json_is_true(j) ? "True" : "False");
    return s;
}

static bool is_field(const char *name, const json_t *value)
{
    if (strcmp(name, "event-types") == 0 || strcmp(name, "url") == 0)
        return false;
    return json_is_string(value) || json_is_number(value) || json_is_boolean(value);
}

static bool read_fields(esm_metadata *md)
{
    md->fields = calloc(json_object_size(md->json) + 1, sizeof *md->fields);
    if (!md->fields)
        return false;
    const char *name;
    json_t *value;
    json_object_foreach(md->json, name, value) {
        if (!is_field(name, value))
            continue;
        md_field *f = &md->fields[md->n_fields++];
        f->name = name;
        if (json_is_string(value)) {
            f->value = json_string_value(value);
        } else {
            if (!(f->rendered = render_scalar(value)))
                return false;
            f->value = f->rendered;
        }
    }
    return true;
}

static bool read_summary(json_t *j, struct esm_summary *s)
{
    s->type = json_string_value(json_object_get(j, "summary-type"));
    s->uri = json_string_value(json_object_get(j, "uri"));
    s->has_time = read_time(json_object_get(j, "time-updated"), &s->time_updated);
    /* esmond sends "86400", elmond 86400 */
    return s->type && esm__json_integer(json_object_get(j, "summary-window"), &s->window);
}

static bool read_event_type(json_t *j, struct esm_event_type *et)
{
    if (!(et->name = json_string_value(json_object_get(j, "event-type"))))
        return false;
    et->base_uri = json_string_value(json_object_get(j, "base-uri"));
    et->data_type = esm_catalog_data_type(et->name);
    et->has_time = read_time(json_object_get(j, "time-updated"), &et->time_updated);
    json_t *summaries = json_object_get(j, "summaries");
    if (json_is_null(summaries) || !summaries)
        return true;
    if (!json_is_array(summaries))
        return false;
    size_t n = json_array_size(summaries);
    if (n == 0)
        return true;
    if (!(et->summaries = calloc(n, sizeof *et->summaries)))
        return false;
    for (; et->n_summaries < n; et->n_summaries++)
        if (!read_summary(json_array_get(summaries, et->n_summaries), &et->summaries[et->n_summaries]))
            return false;
    return true;
}

static bool read_event_types(esm_metadata *md)
{
    json_t *list = json_object_get(md->json, "event-types");
    if (!list)
        return true;
    if (!json_is_array(list))
        return false;
    size_t n = json_array_size(list);
    if (n == 0)
        return true;
    if (!(md->event_types = calloc(n, sizeof *md->event_types)))
        return false;
    for (size_t i = 0; i < n; i++) {
        /* counted before reading, so a failure frees a half-read entry */
        md->n_event_types++;
        json_t *et = json_array_get(list, i);
        if (!json_is_object(et) || !read_event_type(et, &md->event_types[i]))
            return false;
    }
    return true;
}

/* The object without pagination members: a shallow copy when it has any. */
static json_t *without_pagination(json_t *obj)
{
    size_t n = sizeof pagination / sizeof pagination[0];
    bool found = false;
    for (size_t i = 0; i < n; i++)
        found = found || json_object_get(obj, pagination[i]);
    if (!found)
        return json_incref(obj);
    json_t *copy = json_copy(obj);
    for (size_t i = 0; copy && i < n; i++)
        json_object_del(copy, pagination[i]);
    return copy;
}

esm_metadata *esm__metadata_from_json(json_t *obj)
{
    if (!json_is_object(obj) || !json_is_string(json_object_get(obj, "metadata-key")))
        return NULL;
    esm_metadata *md = calloc(1, sizeof *md);
    if (!md)
        return NULL;
    if (!(md->json = without_pagination(obj)) || !read_fields(md) || !read_event_types(md)) {
        esm_metadata_free(md);
        return NULL;
    }
    md->key = json_string_value(json_object_get(md->json, "metadata-key"));
    md->uri = json_string_value(json_object_get(md->json, "uri"));
    md->url = json_string_value(json_object_get(md->json, "url"));
    return md;
}

esm_metadata *esm_metadata_dup(const esm_metadata *md)
{
    /* a deep copy: jansson's reference counts are not to be shared across threads */
    json_t *copy = md ? json_deep_copy(md->json) : NULL;
    esm_metadata *dup = copy ? esm__metadata_from_json(copy) : NULL;
    json_decref(copy);
    return dup;
}

void esm_metadata_free(esm_metadata *md)
{
    if (!md)
        return;
    for (size_t i = 0; i < md->n_event_types; i++)
        free(md->event_types[i].summaries);
    free(md->event_types);
    for (size_t i = 0; i < md->n_fields; i++)
        free(md->fields[i].rendered);
    free(md->fields);
    free(md->text);
    json_decref(md->json);
    free(md);
}

/* ---- metadata ---- */

const char *esm_metadata_key(const esm_metadata *md)
{
    return md ? md->key : NULL;
}

const char *esm_metadata_uri(const esm_metadata *md)
{
    return md ? md->uri : NULL;
}

const char *esm_metadata_get(const esm_metadata *md, const char *name)
{
    if (!md || !name)
        return NULL;
    for (size_t i = 0; i < md->n_fields; i++)
        if (strcmp(md->fields[i].name, name) == 0)
            return md->fields[i].value;
    return strcmp(name, "url") == 0 ? md->url : NULL;
}

size_t esm_metadata_field_count(const esm_metadata *md)
{
    return md ? md->n_fields : 0;
}

const char *esm_metadata_field_name(const esm_metadata *md, size_t i)
{
    return md && i < md->n_fields ? md->fields[i].name : NULL;
}

const char *esm_metadata_field_value(const esm_metadata *md, size_t i)
{
    return md && i < md->n_fields ? md->fields[i].value : NULL;
}

const char *esm_metadata_json(const esm_metadata *md)
{
    if (!md)
        return NULL;
    /* the cache is not part of the view's observable state */
    esm_metadata *m = (esm_metadata *)md;
    if (!m->text)
        m->text = esm_json_dumps(m->json);
    return m->text;
}

size_t esm_metadata_event_type_count(const esm_metadata *md)
{
    return md ? md->n_event_types : 0;
}

const esm_event_type *esm_metadata_event_type_at(const esm_metadata *md, size_t i)
{
    return md && i < md->n_event_types ? &md->event_types[i] : NULL;
}

const esm_event_type *esm_metadata_event_type(const esm_metadata *md, const char *name)
{
    if (!md || !name)
        return NULL;
    for (size_t i = 0; i < md->n_event_types; i++)
        if (strcmp(md->event_types[i].name, name) == 0)
            return &md->event_types[i];
    return NULL;
}

/* ---- event types ---- */

const char *esm_event_type_name(const esm_event_type *et)
{
    return et ? et->name : NULL;
}

const char *esm_event_type_base_uri(const esm_event_type *et)
{
    return et ? et->base_uri : NULL;
}

esm_data_type_t esm_event_type_data_type(const esm_event_type *et)
{
    return et ? et->data_type : ESM_TYPE_UNKNOWN;
}

bool esm_event_type_time_updated(const esm_event_type *et, long long *out)
{
    if (!et || !et->has_time)
        return false;
    if (out)
        *out = et->time_updated;
    return true;
}

size_t esm_event_type_summary_count(const esm_event_type *et)
{
    return et ? et->n_summaries : 0;
}

const esm_summary *esm_event_type_summary_at(const esm_event_type *et, size_t i)
{
    return et && i < et->n_summaries ? &et->summaries[i] : NULL;
}

const esm_summary *esm_event_type_summary(const esm_event_type *et, const char *type, long long window)
{
    if (!et || !type)
        return NULL;
    for (size_t i = 0; i < et->n_summaries; i++)
        if (et->summaries[i].window == window && strcmp(et->summaries[i].type, type) == 0)
            return &et->summaries[i];
    return NULL;
}

/* ---- summaries ---- */

const char *esm_summary_type(const esm_summary *s)
{
    return s ? s->type : NULL;
}

long long esm_summary_window(const esm_summary *s)
{
    return s ? s->window : -1;
}

const char *esm_summary_uri(const esm_summary *s)
{
    return s ? s->uri : NULL;
}

bool esm_summary_time_updated(const esm_summary *s, long long *out)
{
    if (!s || !s->has_time)
        return false;
    if (out)
        *out = s->time_updated;
    return true;
}
