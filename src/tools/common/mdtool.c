/* Driver of the metadata listing tools (see mdtool.h). */
#include "mdtool.h"

#include <string.h>

#include "output.h"

/* The fields the originals show as names unless --ip (HostnameConversion). */
static const char *const address_fields[] = {"source", "destination", "measurement_agent"};

/* Looks the row's addresses up together, then puts the names in. */
static void show_names(esm_hostnames *h, json_t *row)
{
    size_t n = sizeof address_fields / sizeof address_fields[0];
    for (size_t i = 0; i < n; i++) {
        const char *a = json_string_value(json_object_get(row, address_fields[i]));
        if (a && *a)
            esm_hostnames_want(h, a);
    }
    esm_hostnames_resolve(h);
    for (size_t i = 0; i < n; i++) {
        const char *a = json_string_value(json_object_get(row, address_fields[i]));
        if (a && *a)
            json_object_set_new(row, address_fields[i], json_string(esm_hostnames_get(h, a)));
    }
}

/* The first page's pagination members. The next page's URL is the archive's
 * and not known here: the listing is read in pages of the library's size. */
static void add_pagination(json_t *obj, const esm_metadata_iter *it)
{
    long long total = esm_metadata_iter_total(it);
    if (total < 0)
        return;
    json_object_set_new(obj, "metadata-count-total", json_integer(total));
    json_object_set_new(obj, "metadata-next-page", json_null());
    json_object_set_new(obj, "metadata-previous-page", json_null());
}

static int list(const esm_mdtool *t, const esm_psopts *o, esm_client *c, const esm_query *q, esm_hostnames *h,
                esm_output *out)
{
    esm_metadata_iter *it = NULL;
    esm_code rc = esm_metadata_iter_new(c, q, &it);
    const esm_metadata *md;
    bool first = true;
    while (rc == ESM_OK && (rc = esm_metadata_iter_next(it, &md)) == ESM_OK) {
        json_t *obj = json_loads(esm_metadata_json(md), 0, NULL);
        if (obj && first)
            add_pagination(obj, it);
        first = false;
        json_t *row = obj ? t->row(o, md, obj) : NULL;
        json_decref(obj);
        if (!row) {
            rc = ESM_ERR_NOMEM;
            break;
        }
        if (h)
            show_names(h, row);
        bool written = esm_output_row(out, row);
        json_decref(row);
        if (!written) {
            esm_metadata_iter_free(it);
            return esm_psopts_output_error(o, esm_output_error(out));
        }
    }
    esm_metadata_iter_free(it);
    if (rc != ESM_DONE)
        return esm_psopts_archive_error(o, c, rc);
    return esm_output_end(out) ? 0 : esm_psopts_output_error(o, esm_output_error(out));
}

static int run(const esm_psopts *o, const esm_query *q, esm_client *c, esm_hostnames *h, const void *ctx)
{
    const esm_mdtool *t = ctx;
    esm_output *out = esm_output_new(stdout, o->format, t->columns, t->ncolumns, o->metadata);
    int status = out ? list(t, o, c, q, h, out) : esm_psopts_archive_error(o, NULL, ESM_ERR_NOMEM);
    esm_output_free(out);
    return status;
}

int esm_mdtool_main(const esm_mdtool *t, int argc, char **argv)
{
    return esm_psopts_main(argc, argv, 0, run, t);
}
