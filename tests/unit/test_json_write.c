/* Compact JSON writer: exact output bytes for texts parsed with jansson. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "json_write.h"

/* Parses `in` (NUL characters allowed) and checks the writer gives `out`. */
static void check(const char *in, const char *out)
{
    json_error_t err;
    json_t *v = json_loads(in, JSON_DECODE_ANY | JSON_ALLOW_NUL, &err);
    if (!v)
        fail_msg("bad test input %s: %s", in, err.text);
    char *s = esm_json_dumps(v);
    assert_non_null(s);
    assert_string_equal(s, out);
    free(s);
    json_decref(v);
}

static void test_scalars(void **state)
{
    (void)state;
    check("true", "true");
    check("false", "false");
    check("null", "null");
    check("0", "0");
    check("-17", "-17");
    check("9223372036854775807", "9223372036854775807");
    check("-9223372036854775808", "-9223372036854775808");
    check("\"\"", "\"\"");
}

/* Reals are written as Python's repr, never as jansson's %.17g. */
static void test_reals(void **state)
{
    (void)state;
    check("1.0", "1.0");
    check("1e3", "1000.0");
    check("1E-5", "1e-05");
    check("0.1", "0.1");
    check("-0.0", "-0.0");
    check("41.097000000000001", "41.097");
    check("1e16", "1e+16");
    check("5524593445.0", "5524593445.0");
    check("[0.04666666666666667,7016320000.0]", "[0.04666666666666667,7016320000.0]");
}

static void test_non_finite_real_is_null(void **state)
{
    (void)state;
    esm_buf b;
    esm_buf_init(&b);
    esm_buf_json_real(&b, NAN);
    esm_buf_puts(&b, ",");
    esm_buf_json_real(&b, -INFINITY);
    assert_false(b.failed);
    assert_string_equal(b.data, "null,null");
    esm_buf_free(&b);
}

static void test_containers(void **state)
{
    (void)state;
    check("{}", "{}");
    check("[]", "[]");
    check(" [ [ [ ] ] , { } ] ", "[[[]],{}]");
    check("{\"a\": [1, 2.5, {\"x\": null}], \"b\": {\"c\": {\"d\": [true, false]}}}",
          "{\"a\":[1,2.5,{\"x\":null}],\"b\":{\"c\":{\"d\":[true,false]}}}");
}

/* Members come out in the order they were read, not sorted. */
static void test_member_order(void **state)
{
    (void)state;
    check("{\"z\":1,\"a\":2,\"m\":3,\"b\":4}", "{\"z\":1,\"a\":2,\"m\":3,\"b\":4}");
    check("{\"34.5\":30,\"34.3\":440,\"34.6\":7,\"34.4\":123}", "{\"34.5\":30,\"34.3\":440,\"34.6\":7,\"34.4\":123}");
}

/* Python json.dumps escapes, with ensure_ascii off. */
static void test_escapes(void **state)
{
    (void)state;
    check("\"q\\\" b\\\\ n\\n r\\r t\\t b\\b f\\f\"", "\"q\\\" b\\\\ n\\n r\\r t\\t b\\b f\\f\"");
    check("\"\\u0001\\u001f\\u001B\\u0000x\"", "\"\\u0001\\u001f\\u001b\\u0000x\"");
    check("\"/ \\/ \\u007f\"", "\"/ / \x7f\"");
    check("{\"k\\n\\\"\":\"v\"}", "{\"k\\n\\\"\":\"v\"}");
}

static void test_utf8(void **state)
{
    (void)state;
    check("\"\\u00e9\\u20ac\\ud83d\\ude00\"", "\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"");
    check("{\"caf\xc3\xa9\":\"\xe6\x97\xa5\"}", "{\"caf\xc3\xa9\":\"\xe6\x97\xa5\"}");
    /* line and paragraph separators are escaped, their neighbours are not */
    check("\"a\\u2028b\\u2029c\\u2027\"", "\"a\\u2028b\\u2029c\xe2\x80\xa7\"");
    check("\"\xe2\x80\xa8\"", "\"\\u2028\"");
}

/* A key may hold NUL: jansson 2.14 keeps its length, though its parser
 * refuses such keys, so the object is built by hand. */
static void test_key_with_nul(void **state)
{
    (void)state;
    json_t *o = json_object();
    json_object_setn_new(o, "a\0b", 3, json_integer(1));
    char *s = esm_json_dumps(o);
    assert_string_equal(s, "{\"a\\u0000b\":1}");
    free(s);
    json_decref(o);
}

/* Several MB of output; compared with jansson's own compact text, which is
 * the same for ASCII strings and integers. */
static void test_large_output(void **state)
{
    (void)state;
    json_t *arr = json_array();
    for (int i = 0; i < 60000; i++) {
        json_t *o = json_object();
        json_object_set_new(o, "ts", json_integer(1397807372 + i));
        json_object_set_new(o, "event-type", json_string("histogram-owdelay"));
        json_array_append_new(arr, o);
    }
    char *ours = esm_json_dumps(arr);
    char *theirs = json_dumps(arr, JSON_COMPACT | JSON_PRESERVE_ORDER);
    assert_non_null(ours);
    assert_non_null(theirs);
    assert_true(strlen(ours) > 2 * 1024 * 1024);
    assert_string_equal(ours, theirs);
    free(ours);
    free(theirs);
    json_decref(arr);
}

static void test_buf(void **state)
{
    (void)state;
    esm_buf b;
    esm_buf_init(&b);
    assert_null(b.data);
    esm_buf_append(&b, "", 0);
    assert_non_null(b.data);
    assert_string_equal(b.data, "");
    esm_buf_puts(&b, "ab");
    esm_buf_append(&b, "cdef", 2);
    esm_buf_printf(&b, "[%d|%s]", 42, "x");
    esm_buf_json_string(&b, "q\"", 2);
    assert_string_equal(b.data, "abcd[42|x]\"q\\\"\"");
    size_t head = strlen(b.data);
    assert_int_equal(b.len, head);
    /* growth far past the first allocation keeps the contents */
    int grown = 0;
    for (int i = 0; i < 200000; i++) {
        size_t cap = b.cap;
        esm_buf_printf(&b, "%07d", i);
        grown += b.cap != cap;
    }
    assert_in_range(grown, 1, 40); /* geometric growth, not one step per append */
    assert_int_equal(b.len, head + 200000 * 7);
    assert_memory_equal(b.data, "abcd[42|x]", 10);
    assert_string_equal(b.data + head + 199999 * 7, "0199999");
    assert_true(b.cap > b.len);
    assert_false(b.failed);
    esm_buf_free(&b);
    assert_null(b.data);
    assert_int_equal(b.len, 0);
}

static void test_null_value(void **state)
{
    (void)state;
    char *s = esm_json_dumps(NULL);
    assert_string_equal(s, "null");
    free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scalars),       cmocka_unit_test(test_reals),
        cmocka_unit_test(test_non_finite_real_is_null),
        cmocka_unit_test(test_containers),    cmocka_unit_test(test_member_order),
        cmocka_unit_test(test_escapes),       cmocka_unit_test(test_utf8),
        cmocka_unit_test(test_key_with_nul),  cmocka_unit_test(test_large_output),
        cmocka_unit_test(test_buf),           cmocka_unit_test(test_null_value),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
