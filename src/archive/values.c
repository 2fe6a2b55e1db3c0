#include "values.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_write.h"
#include "pyfloat.h"
#include "request.h"

/* Python strips ASCII whitespace around numeric strings. */
static void strip(const char *s, size_t len, const char **start, size_t *n)
{
    while (len && isspace((unsigned char)*s))
        s++, len--;
    while (len && isspace((unsigned char)s[len - 1]))
        len--;
    *start = s;
    *n = len;
}

static bool parse_int_text(const char *text, size_t len, long long *out)
{
    const char *s;
    size_t n;
    strip(text, len, &s, &n);
    if (n == 0 || n > 24)
        return false;
    char tmp[32];
    memcpy(tmp, s, n);
    tmp[n] = '\0';
    return esa_parse_int(tmp, out);
}

bool esa_py_int(const esm_jdoc *d, uint32_t v, long long *out)
{
    const esm_jtok *t = &d->tok[v];
    switch (t->type) {
    case ESM_JT_INT:
        *out = t->ival;
        return true;
    case ESM_JT_REAL: {
        double r = trunc(esm_jdoc_real(d, v));
        if (!isfinite(r) || r < -9.2e18 || r > 9.2e18)
            return false;
        *out = (long long)r;
        return true;
    }
    case ESM_JT_TRUE:
        *out = 1;
        return true;
    case ESM_JT_FALSE:
        *out = 0;
        return true;
    case ESM_JT_STRING:
        return parse_int_text(esm_jdoc_str(d, v), t->len, out);
    default:
        return false;
    }
}

bool esa_py_float(const esm_jdoc *d, uint32_t v, double *out)
{
    const esm_jtok *t = &d->tok[v];
    if (t->type == ESM_JT_INT || t->type == ESM_JT_REAL) {
        *out = esm_jdoc_real(d, v);
        return true;
    }
    if (t->type != ESM_JT_STRING)
        return false;
    const char *s;
    size_t n;
    strip(esm_jdoc_str(d, v), t->len, &s, &n);
    if (n == 0 || n > 64 || memchr(s, '\0', n))
        return false;
    char tmp[72];
    memcpy(tmp, s, n);
    tmp[n] = '\0';
    /* strtod also takes hex floats, which Python's float() does not. */
    if (strchr(tmp, 'x') || strchr(tmp, 'X'))
        return false;
    char *end;
    errno = 0;
    double r = strtod(tmp, &end);
    if (end == tmp || *end)
        return false;
    *out = r;
    return true;
}

char *esa_render_real(double v)
{
    char buf[ESM_PYFLOAT_MAX];
    esm_pyfloat_format(v, buf);
    return strdup(buf);
}

char *esa_py_str(const json_t *v)
{
    char buf[ESM_PYFLOAT_MAX];
    switch (json_typeof(v)) {
    case JSON_STRING:
        return strndup(json_string_value(v), json_string_length(v));
    case JSON_INTEGER:
        snprintf(buf, sizeof buf, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        return strdup(buf);
    case JSON_REAL:
        esm_pyfloat_format(json_real_value(v), buf);
        return strdup(buf);
    case JSON_TRUE:
        return strdup("True");
    case JSON_FALSE:
        return strdup("False");
    default:
        return NULL;
    }
}

static bool fail(char *err, size_t errlen, const char *msg)
{
    snprintf(err, errlen, "%s", msg);
    return false;
}

/* The JSON text of token t as the reference serves it; NULL when out of memory. */
static char *dump_tok(const esm_jdoc *d, uint32_t t)
{
    esm_buf b;
    esm_buf_init(&b);
    esm_json_write_tok(&b, d, t);
    if (b.failed || !b.data) {
        esm_buf_free(&b);
        return NULL;
    }
    return b.data;
}

static bool parse_integer(const esm_jdoc *d, uint32_t v, esa_value *out, char *err, size_t errlen)
{
    if (!esa_py_int(d, v, &out->a))
        return fail(err, errlen, "Value must be an integer");
    out->has_state = true;
    out->json = esa_render_real((double)out->a);
    return true;
}

static bool parse_float(const esm_jdoc *d, uint32_t v, esa_value *out, char *err, size_t errlen)
{
    double r;
    if (!esa_py_float(d, v, &r) || !isfinite(r))
        return fail(err, errlen, "Value must be a floating point number");
    double q = trunc(r * 10000.0); /* esmond keeps ten-thousandths, truncated */
    if (q < -9.2e18 || q > 9.2e18)
        return fail(err, errlen, "Value must be a floating point number");
    out->a = (long long)q;
    out->has_state = true;
    out->json = esa_render_real((double)out->a / 10000.0);
    return true;
}

static bool parse_percentage(const esm_jdoc *d, uint32_t v, esa_value *out, char *err, size_t errlen)
{
    if (d->tok[v].type != ESM_JT_OBJECT)
        return fail(err, errlen, "Invalid percentage provided");
    static const char *const fields[] = {"numerator", "denominator"};
    long long nd[2];
    for (int i = 0; i < 2; i++) {
        uint32_t f = esm_jdoc_member(d, v, fields[i]);
        if (!f) {
            snprintf(err, errlen, "Missing required field '%s'", fields[i]);
            return false;
        }
        if (!esa_py_int(d, f, &nd[i])) {
            snprintf(err, errlen, "The field '%s' must be an integer", fields[i]);
            return false;
        }
    }
    if (nd[1] <= 0)
        return fail(err, errlen, "The field 'denominator' must be greater than 0");
    if (nd[0] < 0)
        return fail(err, errlen, "The field 'numerator' cannot be negative");
    out->a = nd[0];
    out->b = nd[1];
    out->has_state = true;
    out->json = esa_render_real((double)nd[0] / (double)nd[1]);
    return true;
}

/* Buckets with int() counts (every count checked first), and the served
 * text: the same members in the same order. */
static bool parse_histogram(const esm_jdoc *d, uint32_t v, esa_value *out, char *err, size_t errlen)
{
    if (d->tok[v].type != ESM_JT_OBJECT)
        return fail(err, errlen, "Invalid histogram provided");
    size_t n = d->tok[v].size, i = 0;
    esm_hist_bucket *b = malloc((n ? n : 1) * sizeof *b);
    if (!b)
        return fail(err, errlen, "Out of memory");
    uint32_t it = 0, key, count;
    while (esm_jdoc_next_member(d, v, &it, &key, &count)) {
        long long c;
        if (!esa_py_int(d, count, &c)) {
            free(b);
            return fail(err, errlen, "Value of histogram must be an integer");
        }
        b[i++] = (esm_hist_bucket){esm_jdoc_str(d, key), d->tok[key].len, c};
    }
    esm_buf text;
    esm_buf_init(&text);
    esm_buf_append(&text, "{", 1);
    for (i = 0; i < n; i++) {
        if (i)
            esm_buf_append(&text, ",", 1);
        esm_buf_json_string(&text, b[i].key, b[i].len);
        esm_buf_append(&text, ":", 1);
        esm_buf_int(&text, b[i].count);
    }
    esm_buf_append(&text, "}", 1);
    out->hist = b;
    out->hist_n = n;
    if (text.failed)
        esm_buf_free(&text);
    out->json = text.data;
    return true;
}

static bool parse_subintervals(const esm_jdoc *d, uint32_t v, esa_value *out, char *err, size_t errlen)
{
    const esm_jtok *arr = &d->tok[v];
    if (arr->type != ESM_JT_ARRAY || arr->size == 0)
        return fail(err, errlen, "Invalid subintervals provided");
    static const char *const fields[] = {"start", "duration", "val"};
    size_t i = 0;
    for (uint32_t iv = v + 1; iv < arr->next; iv = d->tok[iv].next, i++) {
        if (d->tok[iv].type != ESM_JT_OBJECT)
            return fail(err, errlen, "Invalid subintervals provided");
        for (int f = 0; f < 3; f++) {
            if (!esm_jdoc_member(d, iv, fields[f])) {
                snprintf(err, errlen, "Interval must contain '%s' field at position %zu", fields[f], i + 1);
                return false;
            }
        }
        double r;
        if (!esa_py_float(d, esm_jdoc_member(d, iv, "start"), &r) || !isfinite(r) ||
            !esa_py_float(d, esm_jdoc_member(d, iv, "duration"), &r) || !isfinite(r))
            return fail(err, errlen, "Subinterval 'start' and 'duration' must be floating point numbers");
    }
    out->json = dump_tok(d, v);
    return true;
}

bool esa_value_parse(esm_data_type dt, const esm_jdoc *d, uint32_t v, esa_value *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    bool ok;
    switch (dt) {
    case ESM_DT_INTEGER: ok = parse_integer(d, v, out, err, errlen); break;
    case ESM_DT_FLOAT: ok = parse_float(d, v, out, err, errlen); break;
    case ESM_DT_PERCENTAGE: ok = parse_percentage(d, v, out, err, errlen); break;
    case ESM_DT_HISTOGRAM: ok = parse_histogram(d, v, out, err, errlen); break;
    case ESM_DT_SUBINTERVAL: ok = parse_subintervals(d, v, out, err, errlen); break;
    default: ok = (out->json = dump_tok(d, v)) != NULL; break;
    }
    if (ok && !out->json) {
        esa_value_free(out);
        return fail(err, errlen, "Out of memory");
    }
    return ok;
}

void esa_value_free(esa_value *v)
{
    free(v->json);
    free(v->hist);
    memset(v, 0, sizeof *v);
}
