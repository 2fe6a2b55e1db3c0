/* The HTTP side: libmicrohttpd with a thread pool, request bodies collected
 * up to a size limit, one log line per request, and a graceful stop that
 * lets in-flight requests finish. */
#ifndef ESA_SERVER_H
#define ESA_SERVER_H

#include <stddef.h>

#include "archive.h"

typedef struct esa_server esa_server;

/* Listens on listen_addr ("ADDR:PORT", IPv6 as "[ADDR]:PORT"; port 0 picks
 * one). On success writes "http://ADDR:PORT" with the real port into url. */
esa_server *esa_server_start(esa_archive *ar, const char *listen_addr, int threads, size_t max_body, char *url,
                             size_t urllen, char *err, size_t errlen);
/* Stops accepting, waits (bounded) for in-flight requests, then stops. */
void esa_server_stop(esa_server *srv);

#endif
