/* The two list answers of the API, checked before anyone walks them:
 * metadata search pages (esmond-rest-api §7.4) and data pages (§9.2). */
#include <string.h>

#include "internal.h"

/* Parses a JSON array. jansson refuses integers beyond 64 bits, which a
 * json-typed value may hold; such a page is read again with every integer as
 * a real (*reals set) rather than lost. NaN and Infinity stay refused. */
static json_t *load_array(const char *body, size_t len, bool *reals)
{
    json_error_t err;
    *reals = false;
    if (!body || memchr(body, '\0', len)) /* not JSON text; jansson would let one pass */
        return NULL;
    json_t *j = json_loadb(body, len, JSON_ALLOW_NUL, &err);
    if (!j && json_error_code(&err) == json_error_numeric_overflow) {
        *reals = true;
        j = json_loadb(body, len, JSON_ALLOW_NUL | JSON_DECODE_INT_AS_REAL, &err);
    }
    if (!json_is_array(j)) {
        json_decref(j);
        return NULL;
    }
    return j;
}

/* An integer member; an integral real too when the page was read with reals. */
static bool integer_member(json_t *obj, const char *name, bool reals, long long *out)
{
    json_t *j = json_object_get(obj, name);
    if (json_is_integer(j)) {
        *out = json_integer_value(j);
        return true;
    }
    return reals && json_is_real(j) && esm__json_integer(j, out);
}

esm_code esm__parse_metadata_page(const char *body, size_t len, json_t **items, long long *total)
{
    bool reals;
    json_t *page = load_array(body, len, &reals);
    *items = page;
    *total = -1;
    if (!page)
        return ESM_ERR_PROTOCOL;
    long long n;
    if (integer_member(json_array_get(page, 0), "metadata-count-total", reals, &n) && n >= 0)
        *total = n;
    return ESM_OK;
}

/* A point: an object with "val" and an integer "ts" (readers take it with
 * json_integer_value(), so an integral real becomes an integer). */
static esm_code check_point(json_t *point, bool reals)
{
    long long ts;
    if (!json_is_object(point) || !json_object_get(point, "val") || !integer_member(point, "ts", reals, &ts))
        return ESM_ERR_PROTOCOL;
    if (!json_is_integer(json_object_get(point, "ts")) && json_object_set_new(point, "ts", json_integer(ts)) != 0)
        return ESM_ERR_NOMEM;
    return ESM_OK;
}

esm_code esm__parse_data_page(const char *body, size_t len, json_t **items)
{
    bool reals;
    json_t *page = load_array(body, len, &reals);
    *items = NULL;
    if (!page)
        return ESM_ERR_PROTOCOL;
    size_t i;
    json_t *point;
    json_array_foreach(page, i, point) {
        esm_code rc = check_point(point, reals);
        if (rc != ESM_OK) {
            json_decref(page);
            return rc;
        }
    }
    *items = page;
    return ESM_OK;
}

esm_code esm__parse_data_point(const char *text, size_t len, esm_jdoc *doc, long long *ts, uint32_t *val, size_t *used)
{
    esm_jt_status st = esm_jdoc_parse(doc, text, len, used);
    if (st != ESM_JT_OK)
        return st == ESM_JT_NOMEM ? ESM_ERR_NOMEM : ESM_ERR_PROTOCOL;
    uint32_t t = esm_jdoc_member(doc, 0, "ts");
    *val = esm_jdoc_member(doc, 0, "val");
    if (!t || !*val || doc->tok[t].type != ESM_JT_INT)
        return ESM_ERR_PROTOCOL;
    *ts = doc->tok[t].ival;
    return ESM_OK;
}

esm_code esm__parse_metadata_item(const char *text, size_t len, json_t **item, long long *total, size_t *used)
{
    json_error_t err;
    bool reals = false;
    size_t flags = JSON_ALLOW_NUL | JSON_DISABLE_EOF_CHECK | JSON_DECODE_ANY; /* as an element of a list */
    json_t *j = json_loadb(text, len, flags, &err);
    if (!j && json_error_code(&err) == json_error_numeric_overflow) {
        reals = true;
        j = json_loadb(text, len, flags | JSON_DECODE_INT_AS_REAL, &err);
    }
    long long n;
    *item = j;
    *used = j ? (size_t)err.position : 0;
    *total = j && integer_member(j, "metadata-count-total", reals, &n) && n >= 0 ? n : -1;
    return j ? ESM_OK : ESM_ERR_PROTOCOL;
}
