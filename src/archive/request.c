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
    if (rs->more.free)
        rs->more.free(rs->more.state);
    free(rs->location);
    free(rs->link);
}

/* Length of the well-formed UTF-8 sequence at s (RFC 3629: no overlong forms,
 * no surrogates, nothing above U+10FFFF), or 0. */
static size_t utf8_sequence(const unsigned char *s, size_t n)
{
    if (s[0] < 0x80)
        return 1;
    size_t len = s[0] >= 0xC2 && s[0] <= 0xDF ? 2 : s[0] >= 0xE0 && s[0] <= 0xEF ? 3 : s[0] >= 0xF0 && s[0] <= 0xF4 ? 4 : 0;
    if (len == 0 || len > n)
        return 0;
    unsigned char lo = 0x80, hi = 0xBF; /* range of the second byte */
    if (s[0] == 0xE0)
        lo = 0xA0;
    else if (s[0] == 0xED)
        hi = 0x9F;
    else if (s[0] == 0xF0)
        lo = 0x90;
    else if (s[0] == 0xF4)
        hi = 0x8F;
    if (s[1] < lo || s[1] > hi)
        return 0;
    for (size_t i = 2; i < len; i++)
        if ((s[i] & 0xC0) != 0x80)
            return 0;
    return len;
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
    /* Details quote the request, whose bytes need not be UTF-8: each byte
     * that does not start a well-formed sequence (a cut at the end included)
     * becomes U+FFFD. */
    char text[3 * sizeof msg];
    size_t len = 0;
    for (size_t i = 0; i < (size_t)n;) {
        size_t k = utf8_sequence((const unsigned char *)msg + i, (size_t)n - i);
        if (k) {
            memcpy(text + len, msg + i, k);
            len += k;
            i += k;
        } else {
            memcpy(text + len, "\xEF\xBF\xBD", 3);
            len += 3;
            i++;
        }
    }
    if (rs->more.free) /* an error answer replaces the whole body */
        rs->more.free(rs->more.state);
    rs->more = (esa_stream){0};
    rs->status = status;
    rs->body.len = 0;
    rs->body.failed = 0;
    esm_buf_puts(&rs->body, "{\"detail\":");
    esm_buf_json_string(&rs->body, text, len);
    esm_buf_puts(&rs->body, "}");
}

void esa_respond_written(esa_response *rs)
{
    rs->status = 201;
    rs->body.len = 0;
    esm_buf_puts(&rs->body, "\"\"");
}
