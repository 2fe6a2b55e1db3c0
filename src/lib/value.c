/* Typed access to data values (esmond-rest-api §10.4): the JSON a page holds, read the
 * way old (string numbers, error_message) and new (numbers, error-message)
 * writers left it. Views never copy the JSON; caches hang off the view and
 * are released by esm__value_clear(). */
#include <errno.h>
#include <locale.h>
#include <math.h>
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

/* The text of a JSON string, or NULL when it is not one or holds a NUL. */
static const char *plain_string(const json_t *j)
{
    const char *s = json_string_value(j);
    return s && strlen(s) == json_string_length(j) ? s : NULL;
}

bool esm__json_number(const json_t *j, double *out)
{
    bool integral;
    if (json_is_integer(j)) {
        *out = (double)json_integer_value(j);
        return true;
    }
    if (json_is_real(j)) {
        *out = json_real_value(j); /* jansson never makes NaN or infinities */
        return true;
    }
    const char *s = json_is_string(j) ? plain_string(j) : NULL;
    return s && decimal_syntax(s, &integral) && text_to_double(s, out);
}

bool esm__json_integer(const json_t *j, long long *out)
{
    if (json_is_integer(j)) {
        *out = json_integer_value(j);
        return true;
    }
    const char *s = json_is_string(j) ? plain_string(j) : NULL;
    bool integral = false;
    if (s && !decimal_syntax(s, &integral))
        return false;
    if (integral) {
        /* exact, also beyond 2^53 */
        errno = 0;
        char *end;
        long long n = strtoll(s, &end, 10);
        if (errno == ERANGE || *end != '\0')
            return false;
        *out = n;
        return true;
    }
    double d;
    return esm__json_number(j, &d) && double_to_integer(d, out);
}

/* ---- the view and its caches ---- */

void esm__value_init(struct esm_value *v, json_t *json)
{
    v->json = json;
    v->text = NULL;
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
    esm__value_init(v, NULL);
}

/* Views of the elements or members, made once so the pointers handed out
 * stay valid until the value is cleared. Caches live in the view, which
 * callers see as const: they are not part of its observable state. */
static bool build_kids(const esm_value *cv)
{
    struct esm_value *v = (struct esm_value *)cv;
    size_t n = json_is_array(v->json) ? json_array_size(v->json) : json_object_size(v->json);
    if (v->kids || n == 0)
        return true;
    struct esm_value *kids = calloc(n, sizeof *kids);
    const char **names = json_is_object(v->json) ? calloc(n, sizeof *names) : NULL;
    if (!kids || (json_is_object(v->json) && !names)) {
        free(kids);
        free(names);
        return false;
    }
    size_t i = 0;
    if (names) {
        const char *key;
        json_t *member;
        json_object_foreach(v->json, key, member) {
            if (i == n)
                break;
            names[i] = key;
            esm__value_init(&kids[i++], member);
        }
    } else {
        for (; i < n; i++)
            esm__value_init(&kids[i], json_array_get(v->json, i));
    }
    v->kids = kids;
    v->names = names;
    v->n_kids = i;
    return true;
}

/* ---- generic access ---- */

esm_value_kind esm_value_kind_of(const esm_value *v)
{
    switch (v && v->json ? json_typeof(v->json) : JSON_NULL) {
    case JSON_TRUE:
    case JSON_FALSE:
        return ESM_VAL_BOOL;
    case JSON_INTEGER:
    case JSON_REAL:
        return ESM_VAL_NUMBER;
    case JSON_STRING:
        return ESM_VAL_STRING;
    case JSON_ARRAY:
        return ESM_VAL_ARRAY;
    case JSON_OBJECT:
        return ESM_VAL_OBJECT;
    default:
        return ESM_VAL_NULL;
    }
}

const char *esm_value_json(const esm_value *v)
{
    if (!v)
        return NULL;
    struct esm_value *m = (struct esm_value *)v;
    if (!m->text)
        m->text = esm_json_dumps(m->json);
    return m->text;
}

const json_t *esm_value_jansson(const esm_value *v)
{
    return v ? v->json : NULL;
}

esm_code esm_value_number(const esm_value *v, double *out)
{
    if (!v || !out)
        return ESM_ERR_INVALID;
    return v->json && esm__json_number(v->json, out) ? ESM_OK : ESM_ERR_TYPE;
}

const char *esm_value_string(const esm_value *v)
{
    return v ? json_string_value(v->json) : NULL;
}

size_t esm_value_size(const esm_value *v)
{
    if (!v)
        return 0;
    return json_is_array(v->json) ? json_array_size(v->json) : json_object_size(v->json);
}

const esm_value *esm_value_at(const esm_value *v, size_t i)
{
    if (!v || i >= esm_value_size(v) || !build_kids(v))
        return NULL;
    return i < v->n_kids ? &v->kids[i] : NULL;
}

const esm_value *esm_value_member(const esm_value *v, const char *name)
{
    if (!v || !name || !json_is_object(v->json) || !build_kids(v))
        return NULL;
    for (size_t i = 0; i < v->n_kids; i++)
        if (strcmp(v->names[i], name) == 0)
            return &v->kids[i];
    return NULL;
}

/* ---- shapes ---- */

size_t esm_value_histogram_size(const esm_value *v)
{
    return v ? json_object_size(v->json) : 0;
}

esm_code esm_value_histogram_bucket(const esm_value *v, size_t i, const char **bucket, long long *count)
{
    if (bucket)
        *bucket = NULL;
    if (count)
        *count = 0;
    if (!v)
        return ESM_ERR_INVALID;
    if (!json_is_object(v->json))
        return ESM_ERR_TYPE;
    if (i >= json_object_size(v->json))
        return ESM_ERR_INVALID;
    if (!build_kids(v))
        return ESM_ERR_NOMEM;
    long long n;
    if (!esm__json_integer(v->kids[i].json, &n))
        return ESM_ERR_TYPE;
    if (bucket)
        *bucket = v->names[i];
    if (count)
        *count = n;
    return ESM_OK;
}

esm_code esm_value_percentage(const esm_value *v, long long *numerator, long long *denominator)
{
    if (!v)
        return ESM_ERR_INVALID;
    long long n, d;
    if (!esm__json_integer(json_object_get(v->json, "numerator"), &n) ||
        !esm__json_integer(json_object_get(v->json, "denominator"), &d))
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
    if (!json_is_array(v->json))
        return ESM_ERR_TYPE;
    if (i >= json_array_size(v->json))
        return ESM_ERR_INVALID;
    if (!(*out = esm_value_at(v, i)))
        return ESM_ERR_NOMEM;
    return json_is_object((*out)->json) ? ESM_OK : ESM_ERR_TYPE;
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
    if (!esm__json_number(json_object_get(el->json, "start"), &start) ||
        !esm__json_number(json_object_get(el->json, "duration"), &duration) ||
        !json_object_get(el->json, "val"))
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
static bool hop_success(const json_t *j)
{
    double d;
    if (json_is_boolean(j))
        return json_is_true(j);
    if (esm__json_number(j, &d))
        return d != 0;
    const char *s = json_string_value(j);
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
    json_t *hop = el->json;
    out->has_ttl = esm__json_integer(json_object_get(hop, "ttl"), &out->ttl);
    out->has_query = esm__json_integer(json_object_get(hop, "query"), &out->query);
    out->success = hop_success(json_object_get(hop, "success"));
    out->ip = json_string_value(json_object_get(hop, "ip"));
    out->hostname = json_string_value(json_object_get(hop, "hostname"));
    out->has_rtt = esm__json_number(json_object_get(hop, "rtt"), &out->rtt);
    out->has_mtu = esm__json_integer(json_object_get(hop, "mtu"), &out->mtu);
    /* BWCTL-era writers used the underscore, pScheduler the dash */
    out->error_message = json_string_value(json_object_get(hop, "error_message"));
    if (!out->error_message)
        out->error_message = json_string_value(json_object_get(hop, "error-message"));
    return ESM_OK;
}

const char *esm_value_failure(const esm_value *v)
{
    if (!v)
        return NULL;
    if (json_is_string(v->json))
        return json_string_value(v->json);
    return json_string_value(json_object_get(v->json, "error"));
}
