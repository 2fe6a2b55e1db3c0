/* The client handle's fields, shared by client.c (settings) and transport.c
 * (requests) only. Other modules use the functions of internal.h. */
#ifndef ESM_LIB_CLIENT_PRIV_H
#define ESM_LIB_CLIENT_PRIV_H

#include <curl/curl.h>

#include "internal.h"

#define ESM_DEFAULT_TIMEOUT_MS 20000L
#define ESM_DEFAULT_RETRIES 3
#define ESM_DEFAULT_MAX_PAGE_BYTES ((size_t)32 << 20)

struct esm_client {
    CURL *curl;          /* one easy handle, reused so connections stay alive */
    char *origin;        /* "http://host:port", no trailing slash */
    char *root;          /* "/esmond/perfsonar" or "/perfsonar" */
    char *auth;          /* "Authorization: ..." header line, NULL without credentials */
    bool auth_on_reads;
    char *ca_file;       /* NULL: the system's CA store */
    bool insecure;
    long connect_ms, idle_ms;
    long total_ms;       /* each request's whole duration, retries included; 0: 3 idle timeouts */
    int retries;
    size_t max_page_bytes; /* the largest answer read, at most SIZE_MAX / 4 (room to double) */
    esm_trace_fn trace;
    void *trace_userdata;
    esm_code error_code; /* of the last failure, ESM_OK when none */
    char *error;         /* its detail; NULL when none or out of memory */
    long http_status;
    char curl_error[CURL_ERROR_SIZE];
};

/* Forgets the last failure (called at the start of each request). */
void esm__client_clear_error(esm_client *c);

#endif
