/* URL layout of the archive (esmond-rest-api §3.2): which handler answers
 * which method and path, with the path syntax checks of §3.4. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "archive.h"
#include "auth.h"
#include "event_types.h"
#include "request.h"

#define MAX_SEGMENTS 6
#define MAX_SEGMENT_LEN 64

static bool is_name(const char *s)
{
    size_t n = strlen(s);
    return n > 0 && n <= MAX_SEGMENT_LEN &&
           strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-") == n;
}

/* Splits "/archive/a/b/" into segments; a trailing slash is optional (esmond-rest-api §3.3). */
static int split(char *path, char *seg[MAX_SEGMENTS])
{
    int n = 0;
    char *save = NULL; /* strtok_r: requests are routed on several threads at once */
    for (char *tok = strtok_r(path, "/", &save); tok; tok = strtok_r(NULL, "/", &save)) {
        if (n == MAX_SEGMENTS)
            return -1;
        seg[n++] = tok;
    }
    return n;
}

static bool is_write(const char *m)
{
    return strcmp(m, "GET") != 0 && strcmp(m, "OPTIONS") != 0;
}

static void not_allowed(const esa_request *rq, esa_response *rs)
{
    esa_respond_error(rs, 405, "Method \"%.20s\" not allowed.", rq->method);
}

static void route_data(esa_archive *ar, const esa_request *rq, char *seg[], int n, esa_response *rs)
{
    const char *key = seg[1], *et = seg[2];
    int st = esm_summary_from_url_name(seg[3]);
    bool post = strcmp(rq->method, "POST") == 0;
    if (st < 0) {
        esa_respond_error(rs, 400, "Invalid summary type '%s'", seg[3]);
        return;
    }
    long long window = 0;
    if (n == 5 && (!esa_parse_int(seg[4], &window) || window < 0)) {
        esa_respond_error(rs, 400, "Summary window parameter must be an integer");
        return;
    }
    if (post) {
        if (st != ESM_SUM_BASE)
            esa_respond_error(rs, 400, "Only base summary-type allowed for writing. Cannot use %s", seg[3]);
        else
            esa_point_post(ar, rq, key, et, rs);
    } else if (strcmp(rq->method, "GET") != 0) {
        not_allowed(rq, rs);
    } else if (n == 4 && st != ESM_SUM_BASE) {
        esa_summary_list_get(ar, rq, key, et, st, rs);
    } else {
        esa_data_get(ar, rq, key, et, st, window, rs);
    }
}

void esa_route(esa_archive *ar, const esa_request *rq, const char *path, esa_response *rs)
{
    char err[128];
    esa_auth_result auth = esa_auth_check(ar, rq, err, sizeof err);
    if (auth == ESA_AUTH_INVALID || (is_write(rq->method) && auth != ESA_AUTH_OK)) {
        rs->www_authenticate = true;
        esa_respond_error(rs, 401, "%s", *err ? err : "Authentication credentials were not provided.");
        return;
    }
    char *copy = strdup(path), *seg[MAX_SEGMENTS];
    if (!copy) {
        esa_respond_error(rs, 503, "Out of memory");
        return;
    }
    int n = split(copy, seg);
    bool names_ok = n >= 1 && strcmp(seg[0], "archive") == 0;
    for (int i = 1; names_ok && i < n && i < 3; i++)
        names_ok = is_name(seg[i]);
    const char *m = rq->method;
    if (!names_ok || n < 1 || n > 5) {
        esa_respond_error(rs, 404, "Not found.");
    } else if (n == 1) {
        if (strcmp(m, "GET") == 0)
            esa_metadata_list(ar, rq, rs);
        else if (strcmp(m, "POST") == 0)
            esa_metadata_post(ar, rq, rs);
        else
            not_allowed(rq, rs);
    } else if (n == 2) {
        if (strcmp(m, "GET") == 0)
            esa_metadata_get(ar, rq, seg[1], rs);
        else if (strcmp(m, "PUT") == 0 || strcmp(m, "POST") == 0) /* POST: legacy bulk writes */
            esa_bulk_put(ar, rq, seg[1], rs);
        else
            not_allowed(rq, rs);
    } else if (n == 3) {
        if (strcmp(m, "GET") == 0)
            esa_event_type_get(ar, rq, seg[1], seg[2], rs);
        else
            not_allowed(rq, rs);
    } else {
        route_data(ar, rq, seg, n, rs);
    }
    free(copy);
}
