/* A request body read into flat tokens (jsontok.h, yajl) rather than a
 * jansson tree, which cost half of a bulk PUT's ingest; it accepts exactly
 * what json_loadb(body, JSON_DECODE_ANY) accepted when that gave an object. */
#ifndef ESA_JSON_BODY_H
#define ESA_JSON_BODY_H

#include <stddef.h>

#include "jsontok.h"

typedef enum { ESA_BODY_OBJECT, ESA_BODY_INVALID, ESA_BODY_NOMEM } esa_body_status;

/* Reads text[0..len) into d (token 0 is the object); the body's length
 * (--max-body) is what bounds its tokens. */
esa_body_status esa_json_body_parse(esm_jdoc *d, const char *text, size_t len);

#endif
