/* libesmond's private declarations, shared by its modules only. Public API
 * and conventions: include/esmond/esmond.h. */
#ifndef ESM_LIB_INTERNAL_H
#define ESM_LIB_INTERNAL_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "esmond/esmond.h"
#include "jsontok.h"

/* ---- transport (client.c, transport.c) ---- */

typedef struct {
    long status;        /* HTTP status, 0 when no response */
    char *body;         /* NUL-terminated, decoded (gzip undone) */
    size_t len;
    char *content_type; /* NULL when absent */
    bool too_big;       /* no answer: it was over the client's max_page_bytes */
} esm__response;

/* Sends one request. target is an absolute path with optional query
 * ("/esmond/perfsonar/archive/?limit=10") or a full URL, of which only the
 * path and query are used (servers behind proxies return wrong hosts,
 * esmond-rest-api §3.1); it is sent to the client's scheme://host:port. write: a POST/PUT
 * that carries credentials and is not retried. body may be NULL. Returns
 * ESM_OK for 2xx; otherwise the mapped code (404 -> ESM_ERR_NOT_FOUND, 409 ->
 * ESM_ERR_CONFLICT, 401/403 -> ESM_ERR_AUTH, other -> ESM_ERR_HTTP, no answer
 * -> ESM_ERR_TRANSPORT/ESM_ERR_TIMEOUT) with the client's error detail set
 * (method, URL, status, the server's detail/error text or a body snippet).
 * *out is filled whenever a response arrived; release it with
 * esm__response_free(). */
esm_code esm__request(esm_client *c, const char *method, const char *target, const char *body, size_t body_len,
                      bool write, esm__response *out);
void esm__response_free(esm__response *r);

/* "/esmond/perfsonar" or "/perfsonar": the API root below the host. */
const char *esm__client_root(const esm_client *c);
/* Records a failure detail on c and returns code. */
esm_code esm__client_fail(esm_client *c, esm_code code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* ---- JSON views (metadata.c, value.c, page.c) ---- */

struct esm_value {
    const esm_jdoc *doc;       /* the tokens of the point (or document) that holds it, borrowed */
    uint32_t tok;              /* its token there */
    char *text;                /* esm_value_json() cache */
    json_t *json;              /* esm_value_jansson() cache */
    struct esm_value *kids;    /* esm_value_at()/member() cache: array elements or object members */
    const char **names;        /* member names of an object, parallel to kids (NULL for arrays) */
    size_t n_kids;
};

/* A view of token tok of doc (borrowed: it must outlive v). Caches are built
 * on first use and released by esm__value_clear(), which leaves v ready for
 * another init. */
void esm__value_init(struct esm_value *v, const esm_jdoc *doc, uint32_t tok);
void esm__value_clear(struct esm_value *v);

/* Numbers as old and new archives write them: a JSON number or a string
 * holding a decimal number ("1.034930", "9000"); never NaN or infinite.
 * esm__json_integer() also takes integral reals (9000.0, "9000.0"). */
bool esm__json_number(const json_t *j, double *out);
bool esm__json_integer(const json_t *j, long long *out);

/* A metadata object from a page element or a POST answer (takes its own
 * reference; pagination members are left out of the view). NULL on a bad
 * shape: no string metadata-key, event-types not an array of objects named by
 * "event-type", a summary without summary-type or an integer summary-window. */
esm_metadata *esm__metadata_from_json(json_t *obj);

/* Parses a metadata list page: *items gets the array (new reference);
 * *total the first element's metadata-count-total, or -1 when absent or not
 * an integer. ESM_ERR_PROTOCOL (and *items NULL) unless the body is a JSON
 * array; its elements are checked by esm__metadata_from_json(). */
esm_code esm__parse_metadata_page(const char *body, size_t len, json_t **items, long long *total);
/* Parses one element of a metadata page's text, as esm__parse_metadata_page()
 * reads it: the JSON value at text, followed by anything; *used is the bytes
 * it took, *total its metadata-count-total (or -1). The metadata iterator
 * holds one element at a time, not the page's tree (five times its text). */
esm_code esm__parse_metadata_item(const char *text, size_t len, json_t **item, long long *total, size_t *used);
/* Parses a data page: an array of {"ts": int, "val": any}, checked;
 * ESM_ERR_PROTOCOL (and *items NULL) otherwise. Integers beyond 64 bits are
 * accepted (read as reals; ts stays an integer). */
esm_code esm__parse_data_page(const char *body, size_t len, json_t **items);
/* Parses one point of a data page's text, the same way checked: the JSON
 * object at text, followed by anything, into doc (decoding its strings in
 * place); *ts gets its ts, *val the token of its "val", *used the bytes it
 * took. A reader holds one point at a time, as tokens, not the page's tree
 * (a thousand histograms are ten times their text in jansson). */
esm_code esm__parse_data_point(const char *text, size_t len, esm_jdoc *doc, long long *ts, uint32_t *val, size_t *used);

/* ---- list pages read element by element (list_text.c) ---- */

typedef struct {
    const char *text;
    size_t len;
    size_t pos; /* where the next element (or its comma) is looked for */
    size_t n;   /* elements taken */
} esm__list;

/* Starts at the '[' that opens text (after white space); false if none. */
bool esm__list_open(esm__list *l, const char *text, size_t len);
/* 1: the next element starts at *at, *left bytes from the text's end; 0: the
 * list has ended and only white space follows; -1: the text is not a list. */
int esm__list_next(esm__list *l, const char **at, size_t *left);
/* After the element just found, which took used bytes. */
void esm__list_took(esm__list *l, size_t used);

/* ---- queries (query.c) ---- */

/* "name=value&..." URL-encoded, names in insertion order; "" when empty. Malloc'ed, NULL when out of memory. */
char *esm__query_string(const esm_query *q);

#endif
