/* Prints what an archive holds, read through libesmond: one JSON line per
 * metadata object, {"fields": {name: text}, "event-types": [name, ...],
 * "data": {event type: [[ts, value], ...]}}, every point from 1970 to 2100.
 * The loaders' tests compare it with what their inputs say.
 *     archive_dump URL [SCRIPT_ALIAS] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <esmond/esmond.h>

#include "json_write.h"

static int fail(esm_client *c, esm_code rc)
{
    fprintf(stderr, "archive_dump: %s: %s\n", esm_strerror(rc), esm_client_error(c));
    return 1;
}

/* Appends "event type": [[ts, value], ...] of one base URI. */
static esm_code dump_series(esm_client *c, const esm_query *q, const esm_event_type *et, esm_buf *b)
{
    const char *name = esm_event_type_name(et);
    esm_buf_json_string(b, name, strlen(name));
    esm_buf_puts(b, ": [");
    esm_data_iter *it;
    esm_code rc = esm_data_iter_new(c, esm_event_type_base_uri(et), q, 0, &it);
    const esm_point *pt;
    for (size_t n = 0; rc == ESM_OK && (rc = esm_data_iter_next(it, &pt)) == ESM_OK; n++)
        esm_buf_printf(b, "%s[%lld, %s]", n ? ", " : "", pt->ts, esm_value_json(pt->value));
    esm_data_iter_free(it);
    esm_buf_puts(b, "]");
    return rc == ESM_DONE ? ESM_OK : rc;
}

int main(int argc, char **argv)
{
    if (argc < 2 || esm_global_init() != ESM_OK)
        return 2;
    esm_client *c = esm_client_new(argv[1]);
    esm_query *q = esm_query_new();
    if (!c || !q || esm_client_set_script_alias(c, argc > 2 ? argv[2] : "esmond") != ESM_OK)
        return 2;
    esm_query_set_time(q, "time-start", 0);
    esm_query_set_time(q, "time-end", 4102444800LL);
    esm_metadata_iter *mi;
    const esm_metadata *md;
    esm_code rc = esm_metadata_iter_new(c, NULL, &mi);
    int status = 0;
    while (rc == ESM_OK && (rc = esm_metadata_iter_next(mi, &md)) == ESM_OK) {
        esm_buf b;
        esm_buf_init(&b);
        esm_buf_puts(&b, "{\"fields\": {");
        for (size_t i = 0; i < esm_metadata_field_count(md); i++) {
            const char *k = esm_metadata_field_name(md, i), *v = esm_metadata_field_value(md, i);
            esm_buf_puts(&b, i ? ", " : "");
            esm_buf_json_string(&b, k, strlen(k));
            esm_buf_puts(&b, ": ");
            esm_buf_json_string(&b, v, strlen(v));
        }
        esm_buf_puts(&b, "}, \"event-types\": [");
        size_t n = esm_metadata_event_type_count(md);
        for (size_t i = 0; i < n; i++) {
            const char *name = esm_event_type_name(esm_metadata_event_type_at(md, i));
            esm_buf_puts(&b, i ? ", " : "");
            esm_buf_json_string(&b, name, strlen(name));
        }
        esm_buf_puts(&b, "], \"data\": {");
        esm_code drc = ESM_OK;
        for (size_t i = 0; drc == ESM_OK && i < n; i++) {
            esm_buf_puts(&b, i ? ", " : "");
            drc = dump_series(c, q, esm_metadata_event_type_at(md, i), &b);
        }
        esm_buf_puts(&b, "}}");
        if (drc != ESM_OK || b.failed) {
            status = fail(c, drc != ESM_OK ? drc : ESM_ERR_NOMEM);
            esm_buf_free(&b);
            break;
        }
        puts(b.data);
        esm_buf_free(&b);
    }
    if (!status && rc != ESM_DONE)
        status = fail(c, rc);
    esm_metadata_iter_free(mi);
    esm_query_free(q);
    esm_client_free(c);
    esm_global_cleanup();
    return status;
}
