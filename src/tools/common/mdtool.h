/* The run of a metadata listing tool (esmond-ps-get-endpoints,
 * esmond-ps-get-metadata): options, query, client, then one output row per
 * metadata object, written as the archive's pages arrive. */
#ifndef ESM_TOOLS_MDTOOL_H
#define ESM_TOOLS_MDTOOL_H

#include <jansson.h>

#include "esmond/esmond.h"
#include "psopts.h"

/* Builds the row of one metadata object. obj: the object as the archive sent
 * it; the first object of the listing also holds the pagination members
 * (metadata-count-total, metadata-next-page, metadata-previous-page), as the
 * Python client saw them. NULL when out of memory. */
typedef json_t *(*esm_mdtool_row_fn)(const esm_psopts *o, const esm_metadata *md, json_t *obj);

typedef struct {
    const char *const *columns; /* human and csv columns */
    size_t ncolumns;
    esm_mdtool_row_fn row;
} esm_mdtool;

/* Whole program: returns the exit status. */
int esm_mdtool_main(const esm_mdtool *t, int argc, char **argv);

#endif
