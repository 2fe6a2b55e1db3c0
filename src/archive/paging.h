/* limit/offset parameters and the Link header of paginated answers (esmond-rest-api §7.4, §9.3). */
#ifndef ESA_PAGING_H
#define ESA_PAGING_H

#include <stdbool.h>
#include <stddef.h>

#include "request.h"

#define ESA_PAGE_DEFAULT 1500
#define ESA_PAGE_MAX 100000

typedef struct {
    long long limit;
    long long offset;
    bool explicit_limit;
} esa_page;

/* Reads limit and offset; answers 400 and returns false when malformed. */
bool esa_page_parse(const esa_request *rq, esa_page *pg, esa_response *rs);

/* Sets rs->link to the next/prev links of this page: the request URL (path
 * given) with its parameters sorted and limit/offset replaced. */
void esa_page_link(const esa_request *rq, const char *path, const esa_page *pg, bool has_next, esa_response *rs);

/* Builds "<url>?<sorted params with limit/offset>" (offset < 0: omitted). Malloc'ed. */
char *esa_page_url(const esa_request *rq, const char *path, long long limit, long long offset);

#endif
