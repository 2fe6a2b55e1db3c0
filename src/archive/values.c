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

bool esa_py_int(const json_t *v, long long *out)
{
    switch (json_typeof(v)) {
    case JSON_INTEGER:
        *out = json_integer_value(v);
        return true;
    case JSON_REAL: {
        double d = trunc(json_real_value(v));
        if (!isfinite(d) || d < -9.2e18 || d > 9.2e18)
            return false;
        *out = (long long)d;
        return true;
    }
    case JSON_TRUE:
        *out = 1;
        return true;
    case JSON_FALSE:
        *out = 0;
        return true;
    case JSON_STRING:
        return parse_int_text(json_string_value(v), json_string_length(v), out);
    default:
        return false;
    }
}

bool esa_py_float(const json_t *v, double *out)
{
    if (json_is_number(v)) {
        *out = json_number_value(v);
        return true;
    }
    if (!json_is_string(v))
        return false;
    const char *s;
    size_t n;
    strip(json_string_value(v), json_string_length(v), &s, &n);
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
    double d = strtod(tmp, &end);
    if (end == tmp || *end)
        return false;
    *out = d;
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

static bool parse_integer(const json_t *v, esa_value *out, char *err, size_t errlen)
{
    if (!esa_py_int(v, &out->a))
        return fail(err, errlen, "Value must be an integer");
    out->has_state = true;
    out->json = esa_render_real((double)out->a);
    return true;
}

static bool parse_float(const json_t *v, esa_value *out, char *err, size_t errlen)
{
    double d;
    if (!esa_py_float(v, &d) || !isfinite(d))
        return fail(err, errlen, "Value must be a floating point number");
    double q = trunc(d * 10000.0); /* esmond keeps ten-thousandths, truncated */
    if (q < -9.2e18 || q > 9.2e18)
        return fail(err, errlen, "Value must be a floating point number");
    out->a = (long long)q;
    out->has_state = true;
    out->json = esa_render_real((double)out->a / 10000.0);
    return true;
}

static bool parse_percentage(const json_t *v, esa_value *out, char *err, size_t errlen)
{
    if (!json_is_object(v))
        return fail(err, errlen, "Invalid percentage provided");
    static const char *const fields[] = {"numerator", "denominator"};
    long long nd[2];
    for (int i = 0; i < 2; i++) {
        const json_t *f = json_object_get(v, fields[i]);
        if (!f) {
            snprintf(err, errlen, "Missing required field '%s'", fields[i]);
            return false;
        }
        if (!esa_py_int(f, &nd[i])) {
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

/* The histogram as summaries read it: the posted object itself when every
 * count is already an integer (the usual case), else a copy with int() counts. */
static json_t *histogram_counts(const json_t *v, char *err, size_t errlen)
{
    const char *bucket;
    json_t *count;
    bool integers = true;
    json_object_foreach((json_t *)v, bucket, count) {
        long long c;
        if (!esa_py_int(count, &c)) {
            fail(err, errlen, "Value of histogram must be an integer");
            return NULL;
        }
        integers = integers && json_is_integer(count);
    }
    if (integers)
        return json_incref((json_t *)v);
    json_t *h = json_object();
    if (!h) {
        fail(err, errlen, "Out of memory");
        return NULL;
    }
    json_object_foreach((json_t *)v, bucket, count) {
        long long c;
        esa_py_int(count, &c);
        json_object_set_new(h, bucket, json_integer(c));
    }
    return h;
}

static bool parse_histogram(const json_t *v, esa_value *out, char *err, size_t errlen)
{
    if (!json_is_object(v))
        return fail(err, errlen, "Invalid histogram provided");
    json_t *h = histogram_counts(v, err, errlen);
    if (!h)
        return false;
    /* The served text: the same members in the same order. */
    esm_buf text;
    esm_buf_init(&text);
    esm_buf_append(&text, "{", 1);
    const char *bucket;
    json_t *count;
    json_object_foreach(h, bucket, count) {
        if (text.len > 1)
            esm_buf_append(&text, ",", 1);
        esm_buf_json_string(&text, bucket, strlen(bucket));
        esm_buf_append(&text, ":", 1);
        esm_buf_int(&text, json_integer_value(count));
    }
    esm_buf_append(&text, "}", 1);
    out->hist = h;
    if (text.failed)
        esm_buf_free(&text);
    out->json = text.data;
    return true;
}

static bool parse_subintervals(const json_t *v, esa_value *out, char *err, size_t errlen)
{
    if (!json_is_array(v) || json_array_size(v) == 0)
        return fail(err, errlen, "Invalid subintervals provided");
    static const char *const fields[] = {"start", "duration", "val"};
    size_t i;
    const json_t *iv;
    json_array_foreach(v, i, iv) {
        if (!json_is_object(iv))
            return fail(err, errlen, "Invalid subintervals provided");
        for (int f = 0; f < 3; f++) {
            if (!json_object_get(iv, fields[f])) {
                snprintf(err, errlen, "Interval must contain '%s' field at position %zu", fields[f], i + 1);
                return false;
            }
        }
        double d;
        if (!esa_py_float(json_object_get(iv, "start"), &d) || !isfinite(d) ||
            !esa_py_float(json_object_get(iv, "duration"), &d) || !isfinite(d))
            return fail(err, errlen, "Subinterval 'start' and 'duration' must be floating point numbers");
    }
    out->json = esm_json_dumps(v);
    return true;
}

bool esa_value_parse(esm_data_type dt, const json_t *v, esa_value *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    bool ok;
    switch (dt) {
    case ESM_DT_INTEGER: ok = parse_integer(v, out, err, errlen); break;
    case ESM_DT_FLOAT: ok = parse_float(v, out, err, errlen); break;
    case ESM_DT_PERCENTAGE: ok = parse_percentage(v, out, err, errlen); break;
    case ESM_DT_HISTOGRAM: ok = parse_histogram(v, out, err, errlen); break;
    case ESM_DT_SUBINTERVAL: ok = parse_subintervals(v, out, err, errlen); break;
    default: ok = (out->json = esm_json_dumps(v)) != NULL; break;
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
    json_decref(v->hist);
    memset(v, 0, sizeof *v);
}
