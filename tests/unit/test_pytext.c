/* pytext: Python's str(), repr(), json.dumps() and csv fields of JSON values.
 * The expected texts were printed by CPython 3.11 (str(v), repr(v),
 * json.dumps(v) of json.loads(input); csv.writer for the fields). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "pytext.h"

static const struct {
    const char *json, *str, *repr, *dumps;
} cases[] = {
    {"null", "None", "None", "null"},
    {"true", "True", "True", "true"},
    {"false", "False", "False", "false"},
    {"0", "0", "0", "0"},
    {"-17", "-17", "-17", "-17"},
    {"9007199254740993", "9007199254740993", "9007199254740993", "9007199254740993"},
    {"1.5", "1.5", "1.5", "1.5"},
    {"5524593445.0", "5524593445.0", "5524593445.0", "5524593445.0"},
    {"1e-05", "1e-05", "1e-05", "1e-05"},
    {"73.43560000000001", "73.43560000000001", "73.43560000000001", "73.43560000000001"},
    {"1e16", "1e+16", "1e+16", "1e+16"},
    {"123456789012345680.0", "1.2345678901234568e+17", "1.2345678901234568e+17", "1.2345678901234568e+17"},
    {"\"plain\"", "plain", "'plain'", "\"plain\""},
    {"\"it's\"", "it's", "\"it's\"", "\"it's\""},
    {"\"say \\\"hi\\\"\"", "say \"hi\"", "'say \"hi\"'", "\"say \\\"hi\\\"\""},
    {"\"both ' and \\\"\"", "both ' and \"", "'both \\' and \"'", "\"both ' and \\\"\""},
    {"\"tab\\there\\nline\\r\"", "tab\011here\012line\015", "'tab\\there\\nline\\r'", "\"tab\\there\\nline\\r\""},
    {"\"back\\\\slash\"", "back\\slash", "'back\\\\slash'", "\"back\\\\slash\""},
    {"\"\\u00e9t\\u00e9\"", "\303\251t\303\251", "'\303\251t\303\251'", "\"\\u00e9t\\u00e9\""},
    {"\"\\u0001\\u007f\\u0085\\u00a0\"", "\001\177\302\205\302\240", "'\\x01\\x7f\\x85\\xa0'", "\"\\u0001\\u007f\\u0085\\u00a0\""},
    {"\"\\u2028x\\ufeff\"", "\342\200\250x\357\273\277", "'\\u2028x\\ufeff'", "\"\\u2028x\\ufeff\""},
    {"\"\\ud83d\\ude00\"", "\360\237\230\200", "'\360\237\230\200'", "\"\\ud83d\\ude00\""},
    {"[]", "[]", "[]", "[]"},
    {"{}", "{}", "{}", "{}"},
    {"[1, 2.5, \"a\", null, true]", "[1, 2.5, 'a', None, True]", "[1, 2.5, 'a', None, True]", "[1, 2.5, \"a\", null, true]"},
    {"{\"9\": 27, \"10\": 3}", "{'9': 27, '10': 3}", "{'9': 27, '10': 3}", "{\"9\": 27, \"10\": 3}"},
    {"{\"a\": [1, {\"b\": \"c'\"}], \"x\": -0.0}", "{'a': [1, {'b': \"c'\"}], 'x': -0.0}", "{'a': [1, {'b': \"c'\"}], 'x': -0.0}", "{\"a\": [1, {\"b\": \"c'\"}], \"x\": -0.0}"},
    {"[[\"nested\"], []]", "[['nested'], []]", "[['nested'], []]", "[[\"nested\"], []]"},
};

static char *text_of(void (*fn)(esm_buf *, const json_t *), const json_t *v, esm_buf *b)
{
    esm_buf_init(b);
    fn(b, v);
    esm_buf_append(b, "", 1);
    assert_false(b->failed);
    return b->data;
}

static void test_values(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        json_error_t err;
        json_t *v = json_loads(cases[i].json, JSON_DECODE_ANY, &err);
        assert_non_null(v);
        esm_buf b;
        assert_string_equal(text_of(esm_py_str, v, &b), cases[i].str);
        esm_buf_free(&b);
        assert_string_equal(text_of(esm_py_repr, v, &b), cases[i].repr);
        esm_buf_free(&b);
        assert_string_equal(text_of(esm_py_json, v, &b), cases[i].dumps);
        esm_buf_free(&b);
        json_decref(v);
    }
}

static void test_none_pointer(void **state)
{
    (void)state;
    esm_buf b;
    assert_string_equal(text_of(esm_py_str, NULL, &b), "None");
    esm_buf_free(&b);
    assert_string_equal(text_of(esm_py_json, NULL, &b), "null");
    esm_buf_free(&b);
}

static void test_invalid_utf8_is_not_dropped(void **state)
{
    (void)state;
    esm_buf b;
    esm_buf_init(&b);
    esm_py_repr_string(&b, "a\xff" "b", 3);
    esm_buf_append(&b, "", 1);
    assert_string_equal(b.data, "'a\xef\xbf\xbd" "b'");
    esm_buf_free(&b);
}

/* Sequences of valid shape that are no characters (found by fuzz_pytext):
 * an overlong '/', a surrogate, a value above U+10FFFF. Each byte becomes
 * U+FFFD, so the text stays valid UTF-8. */
static void test_non_characters_are_replaced(void **state)
{
    (void)state;
    esm_buf b;
    esm_buf_init(&b);
    esm_py_repr_string(&b, "\xc0\xaf|\xed\xa0\x80|\xf7\x9d\x9d\x9d", 11);
    esm_buf_append(&b, "", 1);
    assert_string_equal(b.data, "'" "\xef\xbf\xbd\xef\xbf\xbd|" "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd|"
                                "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd'");
    esm_buf_free(&b);
}

static void test_csv_fields(void **state)
{
    (void)state;
    static const struct {
        const char *in, *out;
    } f[] = {
        {"a", "a"}, {"a,b", "\"a,b\""}, {"say \"hi\"", "\"say \"\"hi\"\"\""}, {"line\nbreak", "\"line\nbreak\""},
        {"cr\r", "\"cr\r\""}, {"", ""}, {" sp ", " sp "}, {"x; y", "x; y"},
    };
    for (size_t i = 0; i < sizeof f / sizeof f[0]; i++) {
        esm_buf b;
        esm_buf_init(&b);
        esm_py_csv_field(&b, f[i].in, strlen(f[i].in));
        esm_buf_append(&b, "", 1);
        assert_string_equal(b.data, f[i].out);
        esm_buf_free(&b);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_values),
        cmocka_unit_test(test_none_pointer),
        cmocka_unit_test(test_invalid_utf8_is_not_dropped),
        cmocka_unit_test(test_non_characters_are_replaced),
        cmocka_unit_test(test_csv_fields),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
