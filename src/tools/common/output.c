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
    esm_cell *cells;   /* esm_output_row()'s cells of a JSON row */
    size_t cells_cap;
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
    *o = (esm_output){out, k, columns, ncolumns, extended, 0, isatty(fileno(out)) == 1, false, 0, {0}, NULL, 0};
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

/* The tokens of a data value cell; NULL when the cell holds none. */
static const esm_jdoc *tokens(const esm_cell *c, uint32_t *tok)
{
    const esm_jdoc *d = NULL;
    if (c && c->value)
        esm__value_tokens(c->value, &d, tok);
    return d;
}

static bool is_none(const esm_cell *c)
{
    uint32_t t;
    const esm_jdoc *d = tokens(c, &t);
    return !c || (!c->text && (c->value ? !d || d->tok[t].type == ESM_JT_NULL : !c->json || json_is_null(c->json)));
}

/* str() of a cell. */
static void cell_str(esm_buf *b, const esm_cell *c)
{
    uint32_t t;
    const esm_jdoc *d = tokens(c, &t);
    if (d)
        esm_py_str_tok(b, d, t);
    else if (c && c->text)
        esm_buf_puts(b, c->text);
    else
        esm_py_str(b, c ? c->json : NULL);
}

/* value_text() of a cell. */
static void cell_text(esm_buf *b, const esm_cell *c)
{
    uint32_t t;
    const esm_jdoc *d = tokens(c, &t);
    if (!d || d->tok[t].type != ESM_JT_ARRAY) {
        if (c && !c->value && !c->text)
            value_text(b, c->json);
        else
            cell_str(b, c);
        return;
    }
    for (uint32_t e = t + 1; e < d->tok[t].next; e = d->tok[e].next) {
        if (e != t + 1)
            esm_buf_append(b, ", ", 2);
        esm_py_str_tok(b, d, e);
    }
}

static void cell_json(esm_buf *b, const esm_cell *c)
{
    uint32_t t;
    const esm_jdoc *d = tokens(c, &t);
    if (d)
        esm_py_json_tok(b, d, t);
    else if (c->text)
        esm_py_json_text(b, c->text, strlen(c->text));
    else
        esm_py_json(b, c->value ? NULL : c->json);
}

/* The cell named name; rows usually hold the columns in their order, so cell `hint` is tried first. */
static const esm_cell *find(const esm_cell *cells, size_t n, const char *name, size_t hint)
{
    if (hint < n && !strcmp(cells[hint].name, name))
        return &cells[hint];
    for (size_t i = 0; i < n; i++)
        if (!strcmp(cells[i].name, name))
            return &cells[i];
    return NULL;
}

static bool is_column(const esm_output *o, const char *name)
{
    for (size_t i = 0; i < o->ncolumns; i++)
        if (!strcmp(o->columns[i], name))
            return true;
    return false;
}

/* Human lines are for a terminal: each "key: value" is escaped (termsafe.h). */
static void key_line(esm_output *o, const char *key, const esm_cell *c, bool list)
{
    size_t line = o->buf.len;
    esm_buf_puts(&o->buf, key);
    esm_buf_append(&o->buf, ": ", 2);
    if (list)
        cell_text(&o->buf, c);
    else
        cell_str(&o->buf, c);
    esm_termsafe_tail(&o->buf, line);
    esm_buf_append(&o->buf, "\n", 1);
}

static void human_row(esm_output *o, const esm_cell *cells, size_t n)
{
    if (o->rows)
        esm_buf_puts(&o->buf, "= + = + = + = + = + =\n");
    for (size_t i = 0; i < o->ncolumns; i++)
        key_line(o, o->columns[i], find(cells, n, o->columns[i], i), true);
    if (!o->extended)
        return;
    for (size_t i = 0; i < n; i++)
        if (!is_column(o, cells[i].name))
            key_line(o, cells[i].name, &cells[i], true);
}

/* csv.writer prints None (and a missing member) as an empty field. */
static void csv_line(esm_output *o, const esm_cell *cells, size_t n, const char *fixed)
{
    esm_buf field;
    esm_buf_init(&field);
    for (size_t i = 0; i < o->ncolumns; i++) {
        field.len = 0;
        if (fixed) {
            esm_buf_puts(&field, fixed);
        } else {
            const esm_cell *c = find(cells, n, o->columns[i], i);
            if (!is_none(c))
                cell_text(&field, c);
        }
        if (i)
            esm_buf_puts(&o->buf, ",");
        esm_py_csv_field(&o->buf, field.data ? field.data : "", field.len);
    }
    esm_buf_puts(&o->buf, "\r\n");
    o->buf.failed |= field.failed;
    esm_buf_free(&field);
}

static void json_row(esm_output *o, const esm_cell *cells, size_t n)
{
    esm_buf_puts(&o->buf, o->rows ? ", {" : "[{");
    for (size_t i = 0; i < n; i++) {
        if (i)
            esm_buf_append(&o->buf, ", ", 2);
        esm_py_json_text(&o->buf, cells[i].name, strlen(cells[i].name));
        esm_buf_append(&o->buf, ": ", 2);
        cell_json(&o->buf, &cells[i]);
    }
    esm_buf_append(&o->buf, "}", 1);
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

bool esm_output_cells(esm_output *o, const esm_cell *cells, size_t n, bool block)
{
    switch (o->kind) {
    case HUMAN:
        if (!block) {
            human_row(o, cells, n);
            break;
        }
        if (o->rows)
            esm_buf_puts(&o->buf, "= + = + = + = + = + =\n");
        for (size_t i = 0; i < n; i++)
            key_line(o, cells[i].name, &cells[i], false);
        break;
    case JSON: json_row(o, cells, n); break;
    case CSV:
        if (!o->rows)
            csv_header(o);
        csv_line(o, cells, n, NULL);
        break;
    }
    return row_done(o);
}

/* The members of a JSON row as cells (NULL when out of memory). */
static const esm_cell *json_cells(esm_output *o, const json_t *row, size_t *n)
{
    *n = json_object_size(row);
    if (*n > o->cells_cap) {
        esm_cell *c = realloc(o->cells, *n * sizeof *c);
        if (!c)
            return NULL;
        o->cells = c;
        o->cells_cap = *n;
    }
    size_t i = 0;
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)row, key, v) {
        o->cells[i++] = (esm_cell){key, v, NULL, NULL};
    }
    return o->cells;
}

static bool write_json_row(esm_output *o, const json_t *row, bool block)
{
    size_t n;
    const esm_cell *cells = json_cells(o, row, &n);
    if (!cells && n) {
        o->buf.failed = 1;
        return row_done(o);
    }
    return esm_output_cells(o, cells, n, block);
}

bool esm_output_row(esm_output *o, const json_t *row)
{
    return write_json_row(o, row, false);
}

bool esm_output_block(esm_output *o, const json_t *row)
{
    return write_json_row(o, row, true);
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
            csv_line(o, NULL, 0, "No data");
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
    free(o->cells);
    free(o);
}
