/* What every handler of esmond-ps-archive shares: the store, the tokens and
 * the limits, plus the handlers' entry points, one per endpoint group. */
#ifndef ESA_ARCHIVE_H
#define ESA_ARCHIVE_H

#include <stddef.h>

#include "request.h"
#include "store.h"

typedef struct {
    char *user;
    char *key;
} esa_token;

typedef struct {
    esa_store *store;
    esa_token *tokens;
    size_t n_tokens;
} esa_archive;

/* Routes one request (path below the mount point, e.g. "/archive/<key>/"). */
void esa_route(esa_archive *ar, const esa_request *rq, const char *path, esa_response *rs);

/* Metadata endpoints (esmond-rest-api §7, §8, §12.1). */
void esa_metadata_list(esa_archive *ar, const esa_request *rq, esa_response *rs);
void esa_metadata_post(esa_archive *ar, const esa_request *rq, esa_response *rs);
void esa_metadata_get(esa_archive *ar, const esa_request *rq, const char *key, esa_response *rs);
void esa_event_type_get(esa_archive *ar, const esa_request *rq, const char *key, const char *et, esa_response *rs);
void esa_summary_list_get(esa_archive *ar, const esa_request *rq, const char *key, const char *et, int st,
                          esa_response *rs);

/* Data endpoints (esmond-rest-api §9, §12.2, §12.3). */
void esa_data_get(esa_archive *ar, const esa_request *rq, const char *key, const char *et, int st, long long window,
                  esa_response *rs);
void esa_point_post(esa_archive *ar, const esa_request *rq, const char *key, const char *et, esa_response *rs);
void esa_bulk_put(esa_archive *ar, const esa_request *rq, const char *key, esa_response *rs);

/* Current time in whole seconds (time-updated and the default data window). */
long long esa_now(void);

#endif
