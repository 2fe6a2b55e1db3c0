/* Human, json and csv writers (see output.h). */
#include "output.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "json_write.h"
#include "pytext.h"
#include "termsafe.h"

typedef enum { HUMAN, JSON, CSV } kind;

struct esm_output {
    FILE *out;
    kind kind;
    const char *const *columns;
    size_t ncolumns;
    bool extended;
    size_t rows;
    bool interactive;  /* out is a terminal */
    bool write_failed; /* sticky: a batch could not be written */
    int error;         /* errno of that first failure */
    esm_buf buf;       /* text not yet written */
};

#define BATCH (64 * 1024)

esm_output *esm_output_new(FILE *out, const char *format, const char *const *columns, size_t ncolumns,
                           bool extended)
{
    kind k;
    if (!strcmp(format, "human"))
        k = HUMAN;
    else if (!strcmp(format, "json"))
        k = JSON;
    else if (!strcmp(format, "csv"))
        k = CSV;
    else
        return NULL;
    esm_output *o = calloc(1, sizeof *o);
    if (!o)
        return NULL;
    *o = (esm_output){out, k, columns, ncolumns, extended, 0, isatty(fileno(out)) == 1, false, 0, {0}};
    esm_buf_init(&o->buf);
    return o;
}

/* str() of a value as the originals show it: lists joined by ", ". */
static void value_text(esm_buf *b, const json_t *v)
{
    if (!json_is_array(v)) {
        esm_py_str(b, v);
        return;
    }
    for (size_t i = 0; i < json_array_size(v); i++) {
        if (i)
            esm_buf_puts(b, ", ");
        esm_py_str(b, json_array_get(v, i));
    }
}

static bool is_column(const esm_output *o, const char *name)
{
    for (size_t i = 0; i < o->ncolumns; i++)
        if (!strcmp(o->columns[i], name))
            return true;
    return false;
}

/* Human lines are for a terminal: each "key: value" is escaped (termsafe.h). */
static void human_row(esm_output *o, const json_t *row)
{
    if (o->rows)
        esm_buf_puts(&o->buf, "= + = + = + = + = + =\n");
    for (size_t i = 0; i < o->ncolumns; i++) {
        size_t line = o->buf.len;
        esm_buf_puts(&o->buf, o->columns[i]);
        esm_buf_puts(&o->buf, ": ");
        value_text(&o->buf, json_object_get(row, o->columns[i]));
        esm_termsafe_tail(&o->buf, line);
        esm_buf_puts(&o->buf, "\n");
    }
    if (!o->extended)
        return;
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)row, key, v) {
        if (is_column(o, key))
            continue;
        size_t line = o->buf.len;
        esm_buf_puts(&o->buf, key);
        esm_buf_puts(&o->buf, ": ");
        value_text(&o->buf, v);
        esm_termsafe_tail(&o->buf, line);
        esm_buf_puts(&o->buf, "\n");
    }
}

/* csv.writer prints None (and a missing member) as an empty field. */
static void csv_line(esm_output *o, const json_t *row, const char *fixed)
{
    esm_buf field;
    esm_buf_init(&field);
    for (size_t i = 0; i < o->ncolumns; i++) {
        field.len = 0;
        if (fixed) {
            esm_buf_puts(&field, fixed);
        } else {
            const json_t *v = json_object_get(row, o->columns[i]);
            if (v && !json_is_null(v))
                value_text(&field, v);
        }
        if (i)
            esm_buf_puts(&o->buf, ",");
        esm_py_csv_field(&o->buf, field.data ? field.data : "", field.len);
    }
    esm_buf_puts(&o->buf, "\r\n");
    o->buf.failed |= field.failed;
    esm_buf_free(&field);
}

static bool flush(esm_output *o)
{
    bool ok = !o->buf.failed && fwrite(o->buf.data ? o->buf.data : "", 1, o->buf.len, o->out) == o->buf.len &&
              fflush(o->out) == 0;
    if (!ok && !o->write_failed)
        o->error = o->buf.failed ? ENOMEM : errno;
    o->buf.len = 0;
    o->write_failed |= !ok;
    return !o->write_failed;
}

/* Rows go out in batches (one write() per BATCH bytes, not one per row),
 * except on a terminal, where each row shows as it comes. */
static bool row_done(esm_output *o)
{
    o->rows++;
    return o->interactive || o->buf.len >= BATCH || o->buf.failed ? flush(o) : !o->write_failed;
}

static void csv_header(esm_output *o)
{
    for (size_t i = 0; i < o->ncolumns; i++) {
        if (i)
            esm_buf_puts(&o->buf, ",");
        esm_py_csv_field(&o->buf, o->columns[i], strlen(o->columns[i]));
    }
    esm_buf_puts(&o->buf, "\r\n");
}

bool esm_output_row(esm_output *o, const json_t *row)
{
    switch (o->kind) {
    case HUMAN: human_row(o, row); break;
    case JSON:
        esm_buf_puts(&o->buf, o->rows ? ", " : "[");
        esm_py_json(&o->buf, row);
        break;
    case CSV:
        if (!o->rows)
            csv_header(o);
        csv_line(o, row, NULL);
        break;
    }
    return row_done(o);
}

bool esm_output_block(esm_output *o, const json_t *row)
{
    if (o->kind != HUMAN)
        return esm_output_row(o, row);
    if (o->rows)
        esm_buf_puts(&o->buf, "= + = + = + = + = + =\n");
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)row, key, v) {
        size_t line = o->buf.len;
        esm_buf_puts(&o->buf, key);
        esm_buf_puts(&o->buf, ": ");
        esm_py_str(&o->buf, v);
        esm_termsafe_tail(&o->buf, line);
        esm_buf_puts(&o->buf, "\n");
    }
    return row_done(o);
}

bool esm_output_close(esm_output *o)
{
    if (o->rows && o->kind == JSON)
        esm_buf_puts(&o->buf, "]");
    return flush(o);
}

int esm_output_error(const esm_output *o)
{
    return o->error;
}

size_t esm_output_rows(const esm_output *o)
{
    return o->rows;
}

bool esm_output_end(esm_output *o)
{
    if (o->rows == 0) {
        switch (o->kind) {
        case HUMAN: esm_buf_puts(&o->buf, "No data found."); break;
        case JSON: esm_buf_puts(&o->buf, "[{\"msg\": \"No data found.\"}]"); break;
        case CSV:
            csv_header(o);
            csv_line(o, NULL, "No data");
            break;
        }
    } else if (o->kind == JSON) {
        esm_buf_puts(&o->buf, "]");
    }
    esm_buf_puts(&o->buf, "\n");
    return flush(o);
}

void esm_output_free(esm_output *o)
{
    if (!o)
        return;
    flush(o); /* the rows of a run that stopped early are not lost */
    esm_buf_free(&o->buf);
    free(o);
}
