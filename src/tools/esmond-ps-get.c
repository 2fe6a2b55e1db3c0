/* esmond-ps-get: the data of one event type between a source and a
 * destination, in human, json or csv form, written as it arrives. A drop-in
 * for the esmond-client tool. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "common/datarows.h"

static int run(const esm_psopts *o, const esm_query *q, esm_client *c, esm_hostnames *h, const void *ctx)
{
    const char *const *columns;
    bool human = !strcmp(o->format, "human");
    size_t ncolumns = esm_datarows_columns(o, o->type, human, &columns);
    esm_output *out = esm_output_new(stdout, o->format, columns, ncolumns, o->metadata);
    if (!out)
        return esm_psopts_archive_error(o, NULL, ESM_ERR_NOMEM);
    esm_datarows d = {o, c, q, h, out, human};
    esm_metadata_iter *it = NULL;
    esm_code rc = esm_metadata_iter_new(c, q, &it);
    const esm_metadata *md;
    bool failed = false;
    size_t rows = 0;
    while (rc == ESM_OK && !failed && (rc = esm_metadata_iter_next(it, &md)) == ESM_OK) {
        json_t *mdobj = json_loads(esm_metadata_json(md), 0, NULL);
        if (!mdobj) {
            rc = ESM_ERR_NOMEM;
            break;
        }
        rc = esm_datarows_write(&d, md, mdobj, o->type, &rows, &failed);
        json_decref(mdobj);
    }
    esm_metadata_iter_free(it);
    int status = 0;
    if (failed)
        status = esm_psopts_output_error(o, esm_output_error(out) ? esm_output_error(out) : ENOMEM);
    else if (rc != ESM_DONE)
        status = esm_psopts_archive_error(o, c, rc);
    else if (!esm_output_end(out))
        status = esm_psopts_output_error(o, esm_output_error(out));
    esm_output_free(out);
    return status;
}

int main(int argc, char **argv)
{
    return esm_psopts_main(argc, argv, ESM_PSOPTS_NEED_SRC_DEST | ESM_PSOPTS_NEED_EVENT, run, NULL);
}
