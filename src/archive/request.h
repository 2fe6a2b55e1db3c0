/* What a handler sees of an HTTP request and what it answers: a plain
 * description independent of libmicrohttpd, so routing and handlers can be
 * reasoned about (and tested) without a socket. */
#ifndef ESA_REQUEST_H
#define ESA_REQUEST_H

#include <stdbool.h>
#include <stddef.h>

#include "json_write.h"

typedef struct {
    char *name;
    char *value;
} esa_param;

typedef struct {
    const char *method;       /* "GET", "POST", ... ("HEAD" is served as "GET") */
    const char *prefix;       /* mount point the request came in on: "/esmond/perfsonar" or "/perfsonar" */
    const char *host;         /* Host header, or "localhost" */
    const char *content_type; /* NULL when absent */
    const char *authorization;
    esa_param *params;        /* query parameters, decoded; a repeated name keeps its last value */
    size_t n_params;
    const char *body;
    size_t body_len;
} esa_request;

/* The rest of a body too large to build whole (data pages, see data_read.c):
 * once the server has sent rs->body, it calls next() for each further part.
 * next() appends at least one byte to b and returns 1 while more follows, 0
 * after the last part, -1 when it failed: the server then cuts the transfer
 * (no valid short body). free() releases state, whichever way it ended. */
typedef struct {
    int (*next)(void *state, esm_buf *b);
    void (*free)(void *state);
    void *state;
} esa_stream;

typedef struct {
    unsigned status;
    esm_buf body;        /* JSON text: all of it, or its first part when more.next is set */
    esa_stream more;
    char *location;      /* malloc'ed or NULL */
    char *link;          /* malloc'ed or NULL */
    bool www_authenticate;
} esa_response;

/* Strict base-10 integer with optional sign, as query parameters and path
 * segments take them; false for anything else or out of range. */
bool esa_parse_int(const char *s, long long *out);

/* Value of query parameter `name`, or NULL. */
const char *esa_param_get(const esa_request *rq, const char *name);

/* Sets status and a {"detail": message} body (printf-style message). */
void esa_respond_error(esa_response *rs, unsigned status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Sets status 201 and the body "" that esmond returns for data writes. */
void esa_respond_written(esa_response *rs);

void esa_response_init(esa_response *rs);
void esa_response_free(esa_response *rs);

#endif
