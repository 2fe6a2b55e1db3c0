/* The archive's readers of posted bytes: a metadata object (esmond-rest-api §12.1) and
 * a value of every data type (§10.2), read as tokens as the writes read it. Input: one JSON text. */
#include <stdint.h>
#include <stdlib.h>

#include "metadata.h"
#include "values.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    esm_jdoc d;
    esm_jdoc_init(&d);
    size_t used;
    if (esm_jdoc_parse(&d, (const char *)data, size, &used) == ESM_JT_OK) {
        for (int dt = ESM_DT_INTEGER; dt <= ESM_DT_JSON; dt++) {
            esa_value v;
            char err[256];
            if (esa_value_parse((esm_data_type)dt, &d, 0, &v, err, sizeof err))
                esa_value_free(&v);
        }
    }
    esm_jdoc_free(&d);
    json_t *j = json_loadb((const char *)data, size, JSON_DECODE_ANY, NULL);
    if (!j)
        return 0;
    for (int imported = 0; imported < 2; imported++) {
        esa_metadata_in md;
        unsigned status;
        char err[256];
        esa_metadata_read(j, imported, &md, &status, err, sizeof err);
        esa_metadata_in_free(&md);
    }
    json_decref(j);
    return 0;
}
