/* The token reader (yajl and its checks) against jansson: every replay
 * page, each of them cut short and with bytes changed, and hand-made tricky
 * input. Both must accept the same texts and read the same values. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <dirent.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "json_write.h"
#include "jsontok.h"

static const size_t jansson_flags = JSON_ALLOW_NUL | JSON_DISABLE_EOF_CHECK | JSON_DECODE_ANY;

/* jansson as the pages were read: a numeric overflow reads all integers as reals. */
static json_t *jansson_read(const char *text, size_t len, size_t *used)
{
    json_error_t err;
    json_t *j = json_loadb(text, len, jansson_flags, &err);
    if (!j && json_error_code(&err) == json_error_numeric_overflow)
        j = json_loadb(text, len, jansson_flags | JSON_DECODE_INT_AS_REAL, &err);
    *used = j ? (size_t)err.position : 0;
    return j;
}

/* Whether token t of d holds the same value as j. */
static bool same(const esm_jdoc *d, uint32_t t, const json_t *j)
{
    const esm_jtok *k = &d->tok[t];
    switch (json_typeof(j)) {
    case JSON_NULL: return k->type == ESM_JT_NULL;
    case JSON_TRUE: return k->type == ESM_JT_TRUE;
    case JSON_FALSE: return k->type == ESM_JT_FALSE;
    case JSON_INTEGER: return k->type == ESM_JT_INT && k->ival == json_integer_value(j);
    case JSON_REAL: /* a page with a huge integer was read with every integer real */
        return (k->type == ESM_JT_REAL || k->type == ESM_JT_INT) && esm_jdoc_real(d, t) == json_real_value(j);
    case JSON_STRING:
        return k->type == ESM_JT_STRING && k->len == json_string_length(j) &&
               !memcmp(esm_jdoc_str(d, t), json_string_value(j), k->len) && esm_jdoc_str(d, t)[k->len] == '\0';
    case JSON_ARRAY: {
        if (k->type != ESM_JT_ARRAY || k->size != json_array_size(j))
            return false;
        uint32_t e = t + 1;
        for (size_t i = 0; i < json_array_size(j); i++, e = d->tok[e].next)
            if (!same(d, e, json_array_get(j, i)))
                return false;
        return e == k->next;
    }
    case JSON_OBJECT: {
        if (k->type != ESM_JT_OBJECT || k->size != json_object_size(j))
            return false;
        uint32_t it = 0, key, val;
        const char *name;
        json_t *member;
        json_object_foreach((json_t *)j, name, member) {
            if (!esm_jdoc_next_member(d, t, &it, &key, &val) || strcmp(esm_jdoc_str(d, key), name) != 0 ||
                !same(d, val, member) || esm_jdoc_member(d, t, name) != val)
                return false;
        }
        return !esm_jdoc_next_member(d, t, &it, &key, &val);
    }
    }
    return false;
}

/* Both readers on text[0..len): same verdict, same value, same length used
 * (yajl reads, and the checks after it answer for what it lets pass). */
static void check(const char *text, size_t len)
{
    size_t jused, used;
    json_t *j = jansson_read(text, len, &jused);
    char *copy = malloc(len + 1);
    assert_non_null(copy);
    memcpy(copy, text, len);
    copy[len] = '\0';
    esm_jdoc d;
    esm_jdoc_init(&d);
    esm_jt_status st = esm_jdoc_parse(&d, copy, len, &used);
    if ((st == ESM_JT_OK) != (j != NULL))
        fail_msg("jansson %s, tokens %s: %.*s", j ? "accepts" : "refuses", st == ESM_JT_OK ? "accept" : "refuse",
                 (int)(len > 200 ? 200 : len), text);
    if (j) {
        if (!same(&d, 0, j))
            fail_msg("different values: %.*s", (int)(len > 200 ? 200 : len), text);
        if ((json_is_object(j) || json_is_array(j)) && used != jused)
            fail_msg("used %zu, jansson %zu: %.*s", used, jused, (int)(len > 200 ? 200 : len), text);
        assert_int_equal(d.tok[0].next, d.n);
    }
    json_decref(j);
    esm_jdoc_free(&d);
    free(copy);
}

static void check_str(const char *text)
{
    check(text, strlen(text));
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    struct stat st;
    assert_int_equal(fstat(fileno(f), &st), 0);
    char *buf = malloc((size_t)st.st_size + 1);
    assert_non_null(buf);
    *len = fread(buf, 1, (size_t)st.st_size, f);
    fclose(f);
    buf[*len] = '\0';
    return buf;
}

/* Calls fn on every .json file below dir. */
static size_t each_file(const char *dir, void (*fn)(const char *text, size_t len))
{
    DIR *dp = opendir(dir);
    assert_non_null(dp);
    size_t files = 0;
    struct dirent *e;
    while ((e = readdir(dp)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        struct stat st;
        assert_int_equal(stat(path, &st), 0);
        if (S_ISDIR(st.st_mode)) {
            files += each_file(path, fn);
        } else if (strstr(e->d_name, ".json")) {
            size_t len;
            char *text = slurp(path, &len);
            fn(text, len);
            free(text);
            files++;
        }
    }
    closedir(dp);
    return files;
}

static void whole(const char *text, size_t len)
{
    check(text, len);
}

/* Prefixes of the first 3000 bytes, and 200 copies with one byte changed. */
static void damaged(const char *text, size_t len)
{
    size_t cut = len < 3000 ? len : 3000;
    for (size_t n = 0; n < cut; n += 1 + n / 500)
        check(text, n);
    char *copy = malloc(len + 1);
    assert_non_null(copy);
    static const char bytes[] = "{}[],:\"\\0-.eE \x01\x80\xc3\xff" "9tn";
    uint32_t seed = (uint32_t)len;
    for (int i = 0; i < 200 && len; i++) {
        memcpy(copy, text, len);
        seed = seed * 1103515245u + 12345u;
        size_t at = (seed >> 8) % len;
        seed = seed * 1103515245u + 12345u;
        copy[at] = bytes[(seed >> 8) % (sizeof bytes - 1)];
        check(copy, len);
    }
    free(copy);
}

static void test_replay_pages(void **state)
{
    (void)state;
    assert_true(each_file(ESM_TEST_DATA "/replay", whole) > 30);
}

static void test_damaged_pages(void **state)
{
    (void)state;
    assert_true(each_file(ESM_TEST_DATA "/replay", damaged) > 30);
}

static void test_tricky(void **state)
{
    (void)state;
    static const char *const texts[] = {
        /* escapes */
        "\"a\\\"b\\\\c\\/d\\be\\ff\\ng\\rh\\ti\"", "\"\\u00e9\\u20AC\\u2028\"", "\"\\x\"", "\"\\u12\"", "\"\\u12G4\"",
        "\"\\", "\"\\u", "[\"\\\"\"]",
        /* surrogates */
        "\"\\ud83d\\ude00\"", "\"\\ud83d\"", "\"\\ude00\"", "\"\\ud83dx\"", "\"\\ud83d\\u0041\"", "\"\\ud83d\\\"",
        "\"\\uDBFF\\uDFFF\"",
        /* UTF-8 */
        "\"\xc3\xa9\"", "\"\xc3\"", "\"\xc0\x80\"", "\"\xe0\x80\x80\"", "\"\xed\xa0\x80\"", "\"\xf4\x90\x80\x80\"",
        "\"\xf0\x9f\x98\x80\"", "\"\xff\"", "\"\x80\"", "\"\xe2\x80\xa8\"",
        /* control characters and NUL */
        "\"a\x01\"", "\"a\tb\"", "\"\\u0000\"", "[\"a\\u0000b\",1]", "{\"a\\u0000\":1}", "{\"\\u0000\":1}",
        /* numbers */
        "0", "-0", "01", "-", "-a", "1.", "1.5", ".5", "1e", "1e+", "1E-3", "1e400", "-1e400", "1e-400",
        "9223372036854775807", "9223372036854775808", "-9223372036854775808", "-9223372036854775809",
        "123456789012345678901234567890", "[1,99999999999999999999,2.5]", "{\"a\":1,\"b\":18446744073709551616}",
        "1" "0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
        "0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
        "0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
        "00000000000000000000",
        "2.5e300", "1e308", "1.8e308", "NaN", "Infinity", "-Infinity", "+1",
        /* literals */
        "true", "false", "null", "tru", "nul", "truex", "[true,false,null]", "[truex]", "True",
        /* structure */
        "", " ", "[", "]", "[1,]", "[,1]", "[1 2]", "{", "{}", "{\"a\"}", "{\"a\":}", "{\"a\":1,}", "{1:2}",
        "{\"a\":1 \"b\":2}", "[1,\f2]", "\v[1]", "[1\v]", "{\"a\":\f1}", "[\"\\\\ud83d\"]", "[\"\\\\\\ud83d\"]", " \t\r\n[ 1 , { \"a\" : [ ] } ] x", "{\"ts\":1,\"val\":2}, {\"ts\":2}", "[]]",
        /* duplicate keys: the last value, at the first place */
        "{\"a\":1,\"b\":2,\"a\":3}", "{\"a\":1,\"a\":2,\"a\":3}",
        "{\"k1\":1,\"k2\":2,\"k3\":3,\"k4\":4,\"k5\":5,\"k6\":6,\"k7\":7,\"k8\":8,\"k9\":9,\"k3\":10,\"k10\":11}",
        "{\"k1\":1,\"k2\":2,\"k3\":3,\"k4\":4,\"k5\":5,\"k6\":6,\"k7\":7,\"k8\":8,\"k9\":9,\"k10\":10,\"k11\":11}",
        "{\"\\u0061\":1,\"a\":2}",
        "{\"k1\":1,\"k2\":2,\"k3\":3,\"k4\":4,\"k5\":5,\"k6\":6,\"k7\":7,\"k8\":8,\"k3\":9,\"k1\":10,\"k3\":11}",
        "{\"a\":1,\"b\":{\"a\":2,\"a\":3},\"a\":4,\"b\":5,\"a\":[6]}",
    };
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++)
        check_str(texts[i]);
    check("\"a\0b\"", 5); /* a raw NUL is a control character */
    check("[1,2]", 3);    /* the length counts, not the terminator */
}

/* 200,000 distinct keys and a repeat of the first: the members are walked
 * in linear time (a walk that looked for earlier occurrences of each key
 * made 2e10 comparisons), with the values jansson keeps. */
static void test_many_keys_one_repeat(void **state)
{
    (void)state;
    enum { KEYS = 200000 };
    esm_buf b;
    esm_buf_init(&b);
    esm_buf_puts(&b, "{");
    for (int i = 0; i < KEYS; i++)
        esm_buf_printf(&b, "\"k%d\":%d,", i, i);
    esm_buf_puts(&b, "\"k0\":-1}");
    assert_false(b.failed); /* not check()ed: its member lookups by name are each linear */
    esm_jdoc d;
    esm_jdoc_init(&d);
    size_t used;
    assert_int_equal(esm_jdoc_parse(&d, b.data, b.len, &used), ESM_JT_OK);
    assert_int_equal(d.tok[0].size, KEYS);
    uint32_t it = 0, key, val, n = 0;
    while (esm_jdoc_next_member(&d, 0, &it, &key, &val)) {
        char name[16];
        snprintf(name, sizeof name, "k%u", n);
        assert_string_equal(esm_jdoc_str(&d, key), name);
        assert_int_equal(d.tok[val].ival, n ? (int64_t)n : -1);
        n++;
    }
    assert_int_equal(n, KEYS);
    assert_int_equal(d.tok[esm_jdoc_member(&d, 0, "k0")].ival, -1);
    esm_jdoc_free(&d);
    esm_buf_free(&b);
}

/* Nesting: jansson's 2048 levels are allowed, one more is not. */
static void test_depth(void **state)
{
    (void)state;
    for (size_t depth = 2047; depth <= 2049; depth++) {
        char *text = malloc(2 * depth + 1);
        assert_non_null(text);
        memset(text, '[', depth);
        memset(text + depth, ']', depth);
        text[2 * depth] = '\0';
        check(text, 2 * depth);
        esm_jdoc d;
        esm_jdoc_init(&d);
        size_t used;
        assert_int_equal(esm_jdoc_parse(&d, text, 2 * depth, &used), depth <= ESM_JT_MAX_DEPTH ? ESM_JT_OK : ESM_JT_SYNTAX);
        esm_jdoc_free(&d);
        free(text);
    }
}

/* "[0,0,...]" with k zeros. */
static esm_jt_status zeros(esm_jdoc *d, size_t k, char **text)
{
    *text = malloc(2 * k + 2);
    assert_non_null(*text);
    (*text)[0] = '[';
    for (size_t i = 0; i < k; i++)
        memcpy(*text + 1 + 2 * i, i + 1 < k ? "0," : "0]", 2);
    size_t used;
    return esm_jdoc_parse(d, *text, 2 * k + 1, &used);
}

/* More tokens than a document may hold are refused (jansson has no such bound). */
static void test_token_bound(void **state)
{
    (void)state;
    esm_jdoc d;
    esm_jdoc_init(&d);
    char *text;
    assert_int_equal(zeros(&d, ESM_JT_MAX_TOKENS - 1, &text), ESM_JT_OK); /* the array and its zeros */
    assert_int_equal(d.n, ESM_JT_MAX_TOKENS);
    free(text);
    assert_int_equal(zeros(&d, ESM_JT_MAX_TOKENS, &text), ESM_JT_SYNTAX);
    free(text);
    esm_jdoc_free(&d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_replay_pages), cmocka_unit_test(test_damaged_pages), cmocka_unit_test(test_tricky),
        cmocka_unit_test(test_depth), cmocka_unit_test(test_token_bound), cmocka_unit_test(test_many_keys_one_repeat),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
