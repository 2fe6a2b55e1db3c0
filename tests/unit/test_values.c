/* Posted-value validation and normalisation per data type (esmond-rest-api §10.2). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "values.h"

/* Parses JSON text v as data type dt; returns the served text or the error message. */
static char out[512];
static const char *check(esm_data_type dt, const char *v, bool *ok)
{
    esm_jdoc d;
    esm_jdoc_init(&d);
    size_t used;
    if (esm_jdoc_parse(&d, v, strlen(v), &used) != ESM_JT_OK)
        fail_msg("bad test JSON %s", v);
    esa_value val;
    char err[256];
    *ok = esa_value_parse(dt, &d, 0, &val, err, sizeof err);
    snprintf(out, sizeof out, "%s", *ok ? val.json : err);
    if (*ok)
        esa_value_free(&val);
    esm_jdoc_free(&d);
    return out;
}

static void expect(esm_data_type dt, const char *in, bool want_ok, const char *want)
{
    bool ok;
    const char *got = check(dt, in, &ok);
    if (ok != want_ok || strcmp(got, want) != 0)
        fail_msg("%s as %s: got %s '%s', want %s '%s'", in, esm_data_type_name(dt), ok ? "ok" : "error", got,
                 want_ok ? "ok" : "error", want);
}

static void test_integer(void **state)
{
    expect(ESM_DT_INTEGER, "7016320000", true, "7016320000.0");
    expect(ESM_DT_INTEGER, "\"1000000000\"", true, "1000000000.0");
    expect(ESM_DT_INTEGER, "\" 42 \"", true, "42.0");
    expect(ESM_DT_INTEGER, "1.9", true, "1.0");   /* int() truncates toward zero */
    expect(ESM_DT_INTEGER, "-1.9", true, "-1.0");
    expect(ESM_DT_INTEGER, "true", true, "1.0");
    expect(ESM_DT_INTEGER, "0", true, "0.0");
    expect(ESM_DT_INTEGER, "10000000000000000", true, "1e+16");
    expect(ESM_DT_INTEGER, "\"1.5\"", false, "Value must be an integer");
    expect(ESM_DT_INTEGER, "\"1e3\"", false, "Value must be an integer");
    expect(ESM_DT_INTEGER, "\"bad input\"", false, "Value must be an integer");
    expect(ESM_DT_INTEGER, "null", false, "Value must be an integer");
    expect(ESM_DT_INTEGER, "[1]", false, "Value must be an integer");
    expect(ESM_DT_INTEGER, "{}", false, "Value must be an integer");
    expect(ESM_DT_INTEGER, "\"99999999999999999999999\"", false, "Value must be an integer");
}

static void test_float(void **state)
{
    expect(ESM_DT_FLOAT, "0.001", true, "0.001");
    expect(ESM_DT_FLOAT, "0.123456", true, "0.1234"); /* ten-thousandths, truncated */
    expect(ESM_DT_FLOAT, "0.0029", true, "0.0028");   /* binary rounding drops a unit, as in esmond */
    expect(ESM_DT_FLOAT, "\"2.5\"", true, "2.5");
    expect(ESM_DT_FLOAT, "-0.00019", true, "-0.0001");
    expect(ESM_DT_FLOAT, "5", true, "5.0");
    expect(ESM_DT_FLOAT, "\"bad input\"", false, "Value must be a floating point number");
    expect(ESM_DT_FLOAT, "\"nan\"", false, "Value must be a floating point number");
    expect(ESM_DT_FLOAT, "\"inf\"", false, "Value must be a floating point number");
    expect(ESM_DT_FLOAT, "\"0x10\"", false, "Value must be a floating point number");
    expect(ESM_DT_FLOAT, "null", false, "Value must be a floating point number");
    expect(ESM_DT_FLOAT, "1e300", false, "Value must be a floating point number");
}

static void test_percentage(void **state)
{
    expect(ESM_DT_PERCENTAGE, "{\"numerator\":4,\"denominator\":100}", true, "0.04");
    expect(ESM_DT_PERCENTAGE, "{\"numerator\":\"15\",\"denominator\":\"40\"}", true, "0.375");
    expect(ESM_DT_PERCENTAGE, "{\"numerator\":0,\"denominator\":600}", true, "0.0");
    expect(ESM_DT_PERCENTAGE, "{\"numerator\":3,\"denominator\":2}", true, "1.5");
    expect(ESM_DT_PERCENTAGE, "{\"denominator\":2}", false, "Missing required field 'numerator'");
    expect(ESM_DT_PERCENTAGE, "{\"numerator\":2}", false, "Missing required field 'denominator'");
    expect(ESM_DT_PERCENTAGE, "{\"numerator\":\"a\",\"denominator\":2}", false,
           "The field 'numerator' must be an integer");
    expect(ESM_DT_PERCENTAGE, "{\"numerator\":1,\"denominator\":\"b\"}", false,
           "The field 'denominator' must be an integer");
    expect(ESM_DT_PERCENTAGE, "{\"numerator\":1,\"denominator\":0}", false,
           "The field 'denominator' must be greater than 0");
    expect(ESM_DT_PERCENTAGE, "{\"numerator\":-1,\"denominator\":5}", false,
           "The field 'numerator' cannot be negative");
    expect(ESM_DT_PERCENTAGE, "\"bad input\"", false, "Invalid percentage provided");
    expect(ESM_DT_PERCENTAGE, "0.5", false, "Invalid percentage provided");
}

static void test_histogram(void **state)
{
    expect(ESM_DT_HISTOGRAM, "{\"34.5\":\"30\",\"34.3\":440,\"41.00\":2.7}", true,
           "{\"34.5\":30,\"34.3\":440,\"41.00\":2}");
    expect(ESM_DT_HISTOGRAM, "{}", true, "{}");
    expect(ESM_DT_HISTOGRAM, "{\"1\":\"x\"}", false, "Value of histogram must be an integer");
    expect(ESM_DT_HISTOGRAM, "[0]", false, "Invalid histogram provided");
    expect(ESM_DT_HISTOGRAM, "\"bad\"", false, "Invalid histogram provided");
}

static void test_subintervals(void **state)
{
    expect(ESM_DT_SUBINTERVAL, "[{\"start\":\"0.0\",\"duration\":\"1.0\",\"val\":\"47619700\"}]", true,
           "[{\"start\":\"0.0\",\"duration\":\"1.0\",\"val\":\"47619700\"}]");
    expect(ESM_DT_SUBINTERVAL, "[{\"start\":0,\"duration\":1.000232,\"val\":9.41e9}]", true,
           "[{\"start\":0,\"duration\":1.000232,\"val\":9410000000.0}]");
    expect(ESM_DT_SUBINTERVAL, "[]", false, "Invalid subintervals provided");
    expect(ESM_DT_SUBINTERVAL, "{}", false, "Invalid subintervals provided");
    expect(ESM_DT_SUBINTERVAL, "[1]", false, "Invalid subintervals provided");
    expect(ESM_DT_SUBINTERVAL, "[{\"start\":0,\"duration\":1,\"val\":1},{\"duration\":1,\"val\":1}]", false,
           "Interval must contain 'start' field at position 2");
    expect(ESM_DT_SUBINTERVAL, "[{\"start\":0,\"val\":1}]", false,
           "Interval must contain 'duration' field at position 1");
    expect(ESM_DT_SUBINTERVAL, "[{\"start\":0,\"duration\":1}]", false,
           "Interval must contain 'val' field at position 1");
    expect(ESM_DT_SUBINTERVAL, "[{\"start\":\"a\",\"duration\":1,\"val\":1}]", false,
           "Subinterval 'start' and 'duration' must be floating point numbers");
}

static void test_json(void **state)
{
    expect(ESM_DT_JSON, "{\"error\":\"426 Transfer aborted\"}", true, "{\"error\":\"426 Transfer aborted\"}");
    expect(ESM_DT_JSON, "null", true, "null");
    expect(ESM_DT_JSON, "[9.41e9,1e3]", true, "[9410000000.0,1000.0]");
}

static void test_py_str(void **state)
{
    static const struct {
        const char *json, *str;
    } cases[] = {{"20", "20"},   {"20.0", "20.0"},   {"0.1", "0.1"},   {"1e2", "100.0"},
                 {"true", "True"}, {"false", "False"}, {"\"tcp\"", "tcp"}, {"-3", "-3"}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        json_t *j = json_loads(cases[i].json, JSON_DECODE_ANY, NULL);
        char *s = esa_py_str(j);
        assert_non_null(s);
        assert_string_equal(s, cases[i].str);
        free(s);
        json_decref(j);
    }
    json_t *bad[] = {json_null(), json_array(), json_object()};
    for (size_t i = 0; i < 3; i++) {
        assert_null(esa_py_str(bad[i]));
        json_decref(bad[i]);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_integer),     cmocka_unit_test(test_float), cmocka_unit_test(test_percentage),
        cmocka_unit_test(test_histogram),   cmocka_unit_test(test_subintervals), cmocka_unit_test(test_json),
        cmocka_unit_test(test_py_str),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
