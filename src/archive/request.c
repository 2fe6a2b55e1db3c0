#include "request.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool esa_parse_int(const char *s, long long *out)
{
    if (!s)
        return false;
    const char *p = s + ((*s == '+' || *s == '-') ? 1 : 0);
    if (!isdigit((unsigned char)*p))
        return false;
    for (const char *q = p; *q; q++)
        if (!isdigit((unsigned char)*q))
            return false;
    errno = 0;
    long long v = strtoll(s, NULL, 10);
    if (errno == ERANGE)
        return false;
    *out = v;
    return true;
}

const char *esa_param_get(const esa_request *rq, const char *name)
{
    for (size_t i = rq->n_params; i-- > 0;)
        if (strcmp(rq->params[i].name, name) == 0)
            return rq->params[i].value;
    return NULL;
}

void esa_response_init(esa_response *rs)
{
    memset(rs, 0, sizeof *rs);
    esm_buf_init(&rs->body);
}

void esa_response_free(esa_response *rs)
{
    esm_buf_free(&rs->body);
    free(rs->location);
    free(rs->link);
}

void esa_respond_error(esa_response *rs, unsigned status, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (n < 0)
        n = 0;
    if ((size_t)n >= sizeof msg)
        n = sizeof msg - 1;
    rs->status = status;
    rs->body.len = 0;
    esm_buf_puts(&rs->body, "{\"detail\":");
    esm_buf_json_string(&rs->body, msg, (size_t)n);
    esm_buf_puts(&rs->body, "}");
}

void esa_respond_written(esa_response *rs)
{
    rs->status = 201;
    rs->body.len = 0;
    esm_buf_puts(&rs->body, "\"\"");
}
