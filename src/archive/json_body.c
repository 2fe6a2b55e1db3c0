#include "json_body.h"

#include <stdint.h>
#include <string.h>

/* What the token reader accepts and jansson without flags refuses: a NUL in
 * a string (JSON_ALLOW_NUL) and integers beyond 64 bits, which it reads as
 * reals. */
static bool jansson_refuses(const esm_jdoc *d)
{
    for (size_t i = 0; i < d->n; i++) {
        const esm_jtok *t = &d->tok[i];
        const char *s = d->text + t->start;
        if (t->type == ESM_JT_STRING && memchr(s, '\0', t->len))
            return true;
        if (t->type == ESM_JT_REAL && !memchr(s, '.', t->len) && !memchr(s, 'e', t->len) &&
            !memchr(s, 'E', t->len))
            return true;
    }
    return false;
}

esa_body_status esa_json_body_parse(esm_jdoc *d, const char *text, size_t len)
{
    d->max_tokens = UINT32_MAX - 1;
    size_t used;
    esm_jt_status st = esm_jdoc_parse(d, text, len, &used);
    if (st == ESM_JT_NOMEM)
        return ESA_BODY_NOMEM;
    if (st != ESM_JT_OK || d->tok[0].type != ESM_JT_OBJECT || jansson_refuses(d))
        return ESA_BODY_INVALID;
    for (; used < len; used++) /* only jansson's white space may follow */
        if (!strchr(" \t\n\r", text[used]) || text[used] == '\0')
            return ESA_BODY_INVALID;
    return ESA_BODY_OBJECT;
}
