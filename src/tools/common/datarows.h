/* The data rows of esmond-ps-get and esmond-ps-get-bulk: one event type of
 * one metadata object read from the archive and written, point by point, as
 * the original's data_format_factory() shaped them (numeric, failures,
 * histogram buckets or statistics, packet-trace hops, subintervals, number
 * lists, subinterval lists). Event types outside the original's list are
 * written as numeric rows holding the raw value. */
#ifndef ESM_TOOLS_DATAROWS_H
#define ESM_TOOLS_DATAROWS_H

#include <jansson.h>
#include <stdbool.h>

#include "esmond/esmond.h"
#include "output.h"
#include "psopts.h"

typedef struct {
    const esm_psopts *opts;
    esm_client *client;
    const esm_query *query; /* its time filters bound the points */
    esm_hostnames *names;   /* NULL with --ip */
    esm_output *out;
    /* human layout of packet traces: a header block per trace, then one
     * block per hop (esmond-ps-get -o human) */
    bool trace_blocks;
} esm_datarows;

/* The human and csv columns for event_type (borrowed, static). */
size_t esm_datarows_columns(const esm_psopts *o, const char *event_type, bool trace_blocks,
                            const char *const **columns);

/* Writes the rows of md's event_type (absent: nothing). mdobj: md as JSON
 * (esm_metadata_json() parsed). *rows grows by the rows written. Returns
 * ESM_OK, or the archive's error; *write_failed is set when the output
 * could not be written. */
esm_code esm_datarows_write(const esm_datarows *d, const esm_metadata *md, const json_t *mdobj,
                            const char *event_type, size_t *rows, bool *write_failed);

#endif
