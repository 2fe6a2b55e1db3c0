/* Python's text for JSON values, as the original tools print them: str() and
 * repr() (None, True, floats in shortest round-trip form, dict and list reprs
 * in the server's key order, string quoting), json.dumps() with its default
 * separators and ASCII escapes, and csv-module field quoting, as the original Python tools print. */
#ifndef ESM_TOOLS_PYTEXT_H
#define ESM_TOOLS_PYTEXT_H

#include <jansson.h>
#include <stddef.h>

#include "json_write.h" /* esm_buf */
#include "jsontok.h"

/* str(v): strings as they are, everything else as repr(). NULL v is None. */
void esm_py_str(esm_buf *b, const json_t *v);
/* repr(v). */
void esm_py_repr(esm_buf *b, const json_t *v);
/* repr() of the UTF-8 text s[0..n). */
void esm_py_repr_string(esm_buf *b, const char *s, size_t n);
/* json.dumps(v) with Python's defaults: ", " and ": ", ensure_ascii. */
void esm_py_json(esm_buf *b, const json_t *v);
/* json.dumps() of the string s[0..n). */
void esm_py_json_text(esm_buf *b, const char *s, size_t n);
/* The same for token t of a data point (the page's own text, no tree). */
void esm_py_str_tok(esm_buf *b, const esm_jdoc *d, uint32_t t);
void esm_py_json_tok(esm_buf *b, const esm_jdoc *d, uint32_t t);
/* One field of csv.writer (QUOTE_MINIMAL, ',' and '"', "\r\n" line ends). */
void esm_py_csv_field(esm_buf *b, const char *s, size_t n);

#endif
