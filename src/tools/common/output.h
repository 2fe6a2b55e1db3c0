/* The originals' output formats, written row by row as rows arrive:
 * human ("key: value" blocks between "= + = ..." lines, "No data found."),
 * json (one list of objects, json.dumps style) and csv (csv.DictWriter with
 * a header, "\r\n" line ends). Values are shown with Python's str(); list
 * values as their items' str() joined by ", ". */
#ifndef ESM_TOOLS_OUTPUT_H
#define ESM_TOOLS_OUTPUT_H

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

#include "esmond/esmond.h"

typedef struct esm_output esm_output;

/* format: "human", "json" or "csv". columns: the fields shown in human and
 * csv output, in order (borrowed). extended: human output also shows the
 * row's other members after the columns, in the row's order. NULL when out
 * of memory or on an unknown format. */
esm_output *esm_output_new(FILE *out, const char *format, const char *const *columns, size_t ncolumns,
                           bool extended);
/* One member of a row: a JSON value, a data value (written from the
 * page's tokens, no tree) or a string; all NULL is None. */
typedef struct {
    const char *name;
    const json_t *json;
    const esm_value *value;
    const char *text;
} esm_cell;

/* Writes a row of n cells, in their order, as esm_output_row() (block:
 * as esm_output_block()) does. */
bool esm_output_cells(esm_output *o, const esm_cell *cells, size_t n, bool block);
/* Writes one row (a JSON object; its member order is kept). Text is written
 * out in 64 KiB batches (row by row on a terminal), at the end, and by
 * esm_output_free(); false once a write failed. */
bool esm_output_row(esm_output *o, const json_t *row);
/* Human output: writes every member of row as "key: value" (the original's
 * header block of a packet trace), between the same delimiters as rows. */
bool esm_output_block(esm_output *o, const json_t *row);
/* Writes the end: the "no data" text when there were no rows, and the final
 * newline Python's print added. */
bool esm_output_end(esm_output *o);
/* The end of a file (esmond-ps-get-bulk): no "no data" text and no final newline. */
bool esm_output_close(esm_output *o);
/* The errno of the first failed write (ENOMEM: out of memory), 0 while none failed. */
int esm_output_error(const esm_output *o);
/* Rows and blocks written so far. */
size_t esm_output_rows(const esm_output *o);
/* Writes what is still buffered (a run that stopped early keeps its rows), then frees. */
void esm_output_free(esm_output *o);

#endif
