/* Error texts, version and global initialisation. */
#include <curl/curl.h>

#include "internal.h"

const char *esm_strerror(esm_code code)
{
    switch (code) {
    case ESM_OK: return "success";
    case ESM_DONE: return "no more items";
    case ESM_ERR_INVALID: return "invalid argument";
    case ESM_ERR_NOMEM: return "out of memory";
    case ESM_ERR_TRANSPORT: return "cannot reach the archive";
    case ESM_ERR_TIMEOUT: return "the archive did not answer in time";
    case ESM_ERR_HTTP: return "the archive answered with an HTTP error";
    case ESM_ERR_AUTH: return "not allowed: missing or wrong credentials";
    case ESM_ERR_NOT_FOUND: return "not found";
    case ESM_ERR_CONFLICT: return "already stored";
    case ESM_ERR_PROTOCOL: return "the archive's answer is not valid esmond JSON";
    case ESM_ERR_TYPE: return "the value does not have the requested shape";
    case ESM_ERR_TIME_SYNTAX: return "cannot read the date and time";
    }
    return "unknown error";
}

const char *esm_version(void)
{
    return ESM_VERSION;
}

esm_code esm_global_init(void)
{
    return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? ESM_OK : ESM_ERR_NOMEM;
}

void esm_global_cleanup(void)
{
    curl_global_cleanup();
}
