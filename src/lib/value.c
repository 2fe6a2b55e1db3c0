/* Typed access to data values (esmond-rest-api §10.4): the JSON a page holds, read the
 * way old (string numbers, error_message) and new (numbers, error-message)
 * writers left it. Views are a token of the point (jsontok.h) and never copy
 * its text; caches hang off the view and are released by esm__value_clear(). */
#include <errno.h>
#include <locale.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "esmond/esmond_jansson.h"
#include "internal.h"
#include "json_write.h"

/* ---- numbers in JSON numbers or in strings ---- */

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Python's float() grammar without its extras (no spaces, inf, nan, "_"):
 * [+-] digits [. digits] [e [+-] digits], with ".5" and "5." allowed. */
static bool decimal_syntax(const char *s, bool *integral)
{
    const char *p = s;
    size_t digits = 0;
    if (*p == '+' || *p == '-')
        p++;
    for (; is_digit(*p); p++)
        digits++;
    *integral = digits > 0 && *p == '\0';
    if (*p == '.')
        for (p++; is_digit(*p); p++)
            digits++;
    if (digits == 0)
        return false;
    if (*p == 'e' || *p == 'E') {
        p++;
        if (*p == '+' || *p == '-')
            p++;
        if (!is_digit(*p))
            return false;
        while (is_digit(*p))
            p++;
    }
    return *p == '\0';
}

/* strtod() follows LC_NUMERIC, which the application may have changed:
 * swap the '.' for the locale's decimal point first (as jansson does). */
static bool text_to_double(const char *s, double *out)
{
    const char *point = localeconv()->decimal_point;
    size_t len = strlen(s), plen = strlen(point);
    char local[64];
    char *buf = len + plen < sizeof local ? local : malloc(len + plen + 1);
    if (!buf)
        return false;
    const char *dot = strchr(s, '.');
    if (dot && strcmp(point, ".") != 0) {
        size_t head = (size_t)(dot - s);
        memcpy(buf, s, head);
        memcpy(buf + head, point, plen);
        strcpy(buf + head + plen, dot + 1);
    } else {
        memcpy(buf, s, len + 1);
    }
    char *end;
    double d = strtod(buf, &end);
    bool ok = *end == '\0' && isfinite(d);
    if (buf != local)
        free(buf);
    if (ok)
        *out = d;
    return ok;
}

static bool double_to_integer(double d, long long *out)
{
    /* 2^63 is exact in a double; the cast is defined only below it */
    if (!(d >= -9223372036854775808.0 && d < 9223372036854775808.0) || d != floor(d))
        return false;
    *out = (long long)d;
    return true;
}

/* A number in a string: decimal text without a NUL inside. */
static bool string_number(const char *s, size_t len, double *out)
{
    bool integral;
    return s && strlen(s) == len && decimal_syntax(s, &integral) && text_to_double(s, out);
}

static bool string_integer(const char *s, size_t len, long long *out)
{
    bool integral = false;
    if (!s || strlen(s) != len || !decimal_syntax(s, &integral))
        return false;
    if (!integral) {
        double d;
        return text_to_double(s, &d) && double_to_integer(d, out);
    }
    /* exact, also beyond 2^53 */
    errno = 0;
    char *end;
    long long n = strtoll(s, &end, 10);
    if (errno == ERANGE || *end != '\0')
        return false;
    *out = n;
    return true;
}

bool esm__json_number(const json_t *j, double *out)
{
    if (json_is_integer(j)) {
        *out = (double)json_integer_value(j);
        return true;
    }
    if (json_is_real(j)) {
        *out = json_real_value(j); /* jansson never makes NaN or infinities */
        return true;
    }
    return json_is_string(j) && string_number(json_string_value(j), json_string_length(j), out);
}

bool esm__json_integer(const json_t *j, long long *out)
{
    if (json_is_integer(j)) {
        *out = json_integer_value(j);
        return true;
    }
    if (json_is_real(j))
        return double_to_integer(json_real_value(j), out);
    return json_is_string(j) && string_integer(json_string_value(j), json_string_length(j), out);
}

/* The same readings of token t (NONE: absent, false). */
#define NONE UINT32_MAX

static bool tok_number(const esm_jdoc *d, uint32_t t, double *out)
{
    if (t == NONE)
        return false;
    switch (d->tok[t].type) {
    case ESM_JT_INT:
    case ESM_JT_REAL: *out = esm_jdoc_real(d, t); return true;
    case ESM_JT_STRING: return string_number(esm_jdoc_str(d, t), d->tok[t].len, out);
    default: return false;
    }
}

static bool tok_integer(const esm_jdoc *d, uint32_t t, long long *out)
{
    if (t == NONE)
        return false;
    switch (d->tok[t].type) {
    case ESM_JT_INT: *out = d->tok[t].ival; return true;
    case ESM_JT_REAL: return double_to_integer(esm_jdoc_real(d, t), out);
    case ESM_JT_STRING: return string_integer(esm_jdoc_str(d, t), d->tok[t].len, out);
    default: return false;
    }
}

static const char *tok_string(const esm_jdoc *d, uint32_t t)
{
    return t != NONE && d->tok[t].type == ESM_JT_STRING ? esm_jdoc_str(d, t) : NULL;
}

/* ---- the view and its caches ---- */

void esm__value_init(struct esm_value *v, const esm_jdoc *doc, uint32_t tok)
{
    v->doc = doc;
    v->tok = tok;
    v->text = NULL;
    v->json = NULL;
    v->kids = NULL;
    v->names = NULL;
    v->n_kids = 0;
}

void esm__value_clear(struct esm_value *v)
{
    if (!v)
        return;
    for (size_t i = 0; i < v->n_kids; i++)
        esm__value_clear(&v->kids[i]);
    free(v->kids);
    free(v->names);
    free(v->text);
    json_decref(v->json);
    esm__value_init(v, NULL, 0);
}

static const esm_jtok *tok_of(const esm_value *v)
{
    return v && v->doc ? &v->doc->tok[v->tok] : NULL;
}

static bool is_type(const esm_value *v, esm_jt_type type)
{
    const esm_jtok *t = tok_of(v);
    return t && t->type == type;
}

/* Views of the elements or members, made once so the pointers handed out
 * stay valid until the value is cleared. Caches live in the view, which
 * callers see as const: they are not part of its observable state. */
static bool build_kids(const esm_value *cv)
{
    struct esm_value *v = (struct esm_value *)cv;
    size_t n = esm_value_size(v);
    if (v->kids || n == 0)
        return true;
    bool object = is_type(v, ESM_JT_OBJECT);
    struct esm_value *kids = calloc(n, sizeof *kids);
    const char **names = object ? calloc(n, sizeof *names) : NULL;
    if (!kids || (object && !names)) {
        free(kids);
        free(names);
        return false;
    }
    const esm_jdoc *d = v->doc;
    size_t i = 0;
    if (object) {
        uint32_t it = 0, key, val;
        while (i < n && esm_jdoc_next_member(d, v->tok, &it, &key, &val)) {
            names[i] = esm_jdoc_str(d, key);
            esm__value_init(&kids[i++], d, val);
        }
    } else {
        for (uint32_t e = v->tok + 1; i < n; e = d->tok[e].next)
            esm__value_init(&kids[i++], d, e);
    }
    v->kids = kids;
    v->names = names;
    v->n_kids = i;
    return true;
}

/* ---- generic access ---- */

esm_value_kind esm_value_kind_of(const esm_value *v)
{
    const esm_jtok *t = tok_of(v);
    switch (t ? t->type : ESM_JT_NULL) {
    case ESM_JT_TRUE:
    case ESM_JT_FALSE: return ESM_VAL_BOOL;
    case ESM_JT_INT:
    case ESM_JT_REAL: return ESM_VAL_NUMBER;
    case ESM_JT_STRING: return ESM_VAL_STRING;
    case ESM_JT_ARRAY: return ESM_VAL_ARRAY;
    case ESM_JT_OBJECT: return ESM_VAL_OBJECT;
    default: return ESM_VAL_NULL;
    }
}

const char *esm_value_json(const esm_value *v)
{
    if (!v)
        return NULL;
    struct esm_value *m = (struct esm_value *)v;
    if (!m->text && v->doc) {
        esm_buf b;
        esm_buf_init(&b);
        esm_json_write_tok(&b, v->doc, v->tok);
        if (b.failed)
            esm_buf_free(&b);
        m->text = b.data;
    }
    return m->text ? m->text : v->doc ? NULL : "null";
}

/* jansson's tree of token t, for the bridge. */
static json_t *to_jansson(const esm_jdoc *d, uint32_t t)
{
    const esm_jtok *k = &d->tok[t];
    switch (k->type) {
    case ESM_JT_TRUE: return json_true();
    case ESM_JT_FALSE: return json_false();
    case ESM_JT_INT: return json_integer(k->ival);
    case ESM_JT_REAL: return json_real(esm_jdoc_real(d, t));
    case ESM_JT_STRING: return json_stringn_nocheck(esm_jdoc_str(d, t), k->len);
    case ESM_JT_ARRAY: {
        json_t *a = json_array();
        for (uint32_t e = t + 1; a && e < k->next; e = d->tok[e].next)
            if (json_array_append_new(a, to_jansson(d, e)) != 0) {
                json_decref(a);
                a = NULL;
            }
        return a;
    }
    case ESM_JT_OBJECT: {
        json_t *o = json_object();
        uint32_t it = 0, key, val;
        while (o && esm_jdoc_next_member(d, t, &it, &key, &val))
            if (json_object_setn_new_nocheck(o, esm_jdoc_str(d, key), d->tok[key].len, to_jansson(d, val)) != 0) {
                json_decref(o);
                o = NULL;
            }
        return o;
    }
    default: return json_null();
    }
}

const json_t *esm_value_jansson(const esm_value *v)
{
    if (!v)
        return NULL;
    struct esm_value *m = (struct esm_value *)v;
    if (!m->json)
        m->json = v->doc ? to_jansson(v->doc, v->tok) : json_null();
    return m->json;
}

void esm__value_tokens(const esm_value *v, const esm_jdoc **doc, uint32_t *tok)
{
    *doc = v ? v->doc : NULL;
    *tok = v ? v->tok : 0;
}

esm_code esm_value_number(const esm_value *v, double *out)
{
    if (!v || !out)
        return ESM_ERR_INVALID;
    return v->doc && tok_number(v->doc, v->tok, out) ? ESM_OK : ESM_ERR_TYPE;
}

const char *esm_value_string(const esm_value *v)
{
    return is_type(v, ESM_JT_STRING) ? esm_jdoc_str(v->doc, v->tok) : NULL;
}

size_t esm_value_size(const esm_value *v)
{
    return is_type(v, ESM_JT_ARRAY) || is_type(v, ESM_JT_OBJECT) ? tok_of(v)->size : 0;
}

const esm_value *esm_value_at(const esm_value *v, size_t i)
{
    if (!v || i >= esm_value_size(v) || !build_kids(v))
        return NULL;
    return i < v->n_kids ? &v->kids[i] : NULL;
}

const esm_value *esm_value_member(const esm_value *v, const char *name)
{
    if (!name || !is_type(v, ESM_JT_OBJECT) || !build_kids(v))
        return NULL;
    for (size_t i = 0; i < v->n_kids; i++)
        if (strcmp(v->names[i], name) == 0)
            return &v->kids[i];
    return NULL;
}

/* ---- shapes ---- */

size_t esm_value_histogram_size(const esm_value *v)
{
    return is_type(v, ESM_JT_OBJECT) ? tok_of(v)->size : 0;
}

esm_code esm_value_histogram_bucket(const esm_value *v, size_t i, const char **bucket, long long *count)
{
    if (bucket)
        *bucket = NULL;
    if (count)
        *count = 0;
    if (!v)
        return ESM_ERR_INVALID;
    if (!is_type(v, ESM_JT_OBJECT))
        return ESM_ERR_TYPE;
    if (i >= tok_of(v)->size)
        return ESM_ERR_INVALID;
    if (!build_kids(v))
        return ESM_ERR_NOMEM;
    long long n;
    if (!tok_integer(v->doc, v->kids[i].tok, &n))
        return ESM_ERR_TYPE;
    if (bucket)
        *bucket = v->names[i];
    if (count)
        *count = n;
    return ESM_OK;
}

/* Member name of the object token behind v, NONE when absent or no object. */
static uint32_t member_tok(const esm_value *v, const char *name)
{
    uint32_t t = v && v->doc ? esm_jdoc_member(v->doc, v->tok, name) : 0;
    return t ? t : NONE;
}

esm_code esm_value_percentage(const esm_value *v, long long *numerator, long long *denominator)
{
    if (!v)
        return ESM_ERR_INVALID;
    long long n, d;
    if (!v->doc || !tok_integer(v->doc, member_tok(v, "numerator"), &n) ||
        !tok_integer(v->doc, member_tok(v, "denominator"), &d))
        return ESM_ERR_TYPE;
    if (numerator)
        *numerator = n;
    if (denominator)
        *denominator = d;
    return ESM_OK;
}

/* Element i of an array as a view; ESM_ERR_TYPE unless v is an array and
 * the element an object. */
static esm_code object_at(const esm_value *v, size_t i, const esm_value **out)
{
    if (!v)
        return ESM_ERR_INVALID;
    if (!is_type(v, ESM_JT_ARRAY))
        return ESM_ERR_TYPE;
    if (i >= tok_of(v)->size)
        return ESM_ERR_INVALID;
    if (!(*out = esm_value_at(v, i)))
        return ESM_ERR_NOMEM;
    return is_type(*out, ESM_JT_OBJECT) ? ESM_OK : ESM_ERR_TYPE;
}

esm_code esm_value_subinterval(const esm_value *v, size_t i, esm_subinterval *out)
{
    if (!out)
        return ESM_ERR_INVALID;
    memset(out, 0, sizeof *out);
    const esm_value *el;
    esm_code rc = object_at(v, i, &el);
    if (rc != ESM_OK)
        return rc;
    double start, duration;
    if (!tok_number(el->doc, member_tok(el, "start"), &start) ||
        !tok_number(el->doc, member_tok(el, "duration"), &duration) || member_tok(el, "val") == NONE)
        return ESM_ERR_TYPE;
    const esm_value *val = esm_value_member(el, "val");
    if (!val)
        return ESM_ERR_NOMEM;
    out->start = start;
    out->duration = duration;
    out->val = val;
    return ESM_OK;
}

/* 1, "1", true, 1.0 and "true" are success; anything else, absence too, is not. */
static bool hop_success(const esm_jdoc *d, uint32_t t)
{
    double n;
    if (t != NONE && (d->tok[t].type == ESM_JT_TRUE || d->tok[t].type == ESM_JT_FALSE))
        return d->tok[t].type == ESM_JT_TRUE;
    if (tok_number(d, t, &n))
        return n != 0;
    const char *s = tok_string(d, t);
    return s && (strcmp(s, "true") == 0 || strcmp(s, "True") == 0);
}

esm_code esm_value_hop(const esm_value *v, size_t i, esm_hop *out)
{
    if (!out)
        return ESM_ERR_INVALID;
    memset(out, 0, sizeof *out);
    const esm_value *el;
    esm_code rc = object_at(v, i, &el);
    if (rc != ESM_OK)
        return rc;
    const esm_jdoc *d = el->doc;
    out->has_ttl = tok_integer(d, member_tok(el, "ttl"), &out->ttl);
    out->has_query = tok_integer(d, member_tok(el, "query"), &out->query);
    out->success = hop_success(d, member_tok(el, "success"));
    out->ip = tok_string(d, member_tok(el, "ip"));
    out->hostname = tok_string(d, member_tok(el, "hostname"));
    out->has_rtt = tok_number(d, member_tok(el, "rtt"), &out->rtt);
    out->has_mtu = tok_integer(d, member_tok(el, "mtu"), &out->mtu);
    /* BWCTL-era writers used the underscore, pScheduler the dash */
    out->error_message = tok_string(d, member_tok(el, "error_message"));
    if (!out->error_message)
        out->error_message = tok_string(d, member_tok(el, "error-message"));
    return ESM_OK;
}

const char *esm_value_failure(const esm_value *v)
{
    if (!v || !v->doc)
        return NULL;
    if (is_type(v, ESM_JT_STRING))
        return esm_jdoc_str(v->doc, v->tok);
    return tok_string(v->doc, member_tok(v, "error"));
}
