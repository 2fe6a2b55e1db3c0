/* esmond-ps-get-metadata: the metadata of the tests an archive holds; with
 * -M every parameter, keys sorted and dashes turned into underscores. A
 * drop-in for the esmond-client tool. */
#include <stdlib.h>
#include <string.h>

#include "common/mdtool.h"

static const char *const columns[] = {"source",       "destination",       "measurement_agent",
                                      "input_source", "input_destination", "tool_name"};

/* -M shows everything but these (the original's exclude_fields). */
static const char *const excluded[] = {"event-types", "uri", "metadata-key"};

static int by_name(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static bool is_excluded(const char *key)
{
    for (size_t i = 0; i < sizeof excluded / sizeof excluded[0]; i++)
        if (!strcmp(key, excluded[i]))
            return true;
    return false;
}

/* The object's members under underscored names, in sorted order. */
static json_t *extended_row(json_t *obj)
{
    json_t *renamed = json_object();
    const char *key;
    json_t *v;
    json_object_foreach(obj, key, v) {
        char *name = strdup(key);
        if (!name || !renamed) {
            free(name);
            json_decref(renamed);
            return NULL;
        }
        for (char *c = name; *c; c++)
            *c = *c == '-' ? '_' : *c;
        if (!is_excluded(key))
            json_object_set(renamed, name, v);
        free(name);
    }
    size_t n = json_object_size(renamed), k = 0;
    const char **names = malloc((n ? n : 1) * sizeof *names);
    json_t *row = json_object();
    if (names && row) {
        json_object_foreach(renamed, key, v)
            names[k++] = key;
        qsort(names, k, sizeof *names, by_name);
        for (size_t i = 0; i < k; i++)
            json_object_set(row, names[i], json_object_get(renamed, names[i]));
    } else {
        json_decref(row);
        row = NULL;
    }
    free(names);
    json_decref(renamed);
    return row;
}

static json_t *metadata_row(const esm_psopts *o, const esm_metadata *md, json_t *obj)
{
    (void)md;
    if (o->metadata)
        return extended_row(obj);
    return json_pack("{s:O?, s:O?, s:O?, s:O?, s:O?, s:O?}", "source", json_object_get(obj, "source"),
                     "destination", json_object_get(obj, "destination"), "measurement_agent",
                     json_object_get(obj, "measurement-agent"), "input_source", json_object_get(obj, "input-source"),
                     "input_destination", json_object_get(obj, "input-destination"), "tool_name",
                     json_object_get(obj, "tool-name"));
}

int main(int argc, char **argv)
{
    const esm_mdtool tool = {columns, sizeof columns / sizeof columns[0], metadata_row};
    return esm_mdtool_main(&tool, argc, argv);
}
