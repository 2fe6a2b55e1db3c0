/* Who may write: `Authorization: Token KEY` or legacy `ApiKey USER:KEY` (esmond-rest-api §5). */
#ifndef ESA_AUTH_H
#define ESA_AUTH_H

#include "archive.h"

typedef enum {
    ESA_AUTH_ANONYMOUS, /* no (usable) credentials */
    ESA_AUTH_OK,
    ESA_AUTH_INVALID    /* a Token header that is malformed or unknown: 401 even for reads */
} esa_auth_result;

/* Checks rq's Authorization header; for ESA_AUTH_INVALID and for a wrong
 * ApiKey, writes the reason into err. */
esa_auth_result esa_auth_check(const esa_archive *ar, const esa_request *rq, char *err, size_t errlen);

#endif
