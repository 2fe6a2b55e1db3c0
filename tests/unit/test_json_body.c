/* The archive's body reader against what it replaced, json_loadb(body,
 * JSON_DECODE_ANY) giving an object: the same verdict on every text, and
 * the same value (its JSON text) when both accept. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "json_body.h"
#include "json_write.h"

static void check(const char *text, size_t len)
{
    json_t *j = json_loadb(text, len, JSON_DECODE_ANY, NULL);
    bool want = json_is_object(j);
    esm_jdoc d;
    esm_jdoc_init(&d);
    esa_body_status st = esa_json_body_parse(&d, text, len);
    if ((st == ESA_BODY_OBJECT) != want)
        fail_msg("jansson %s, body reader %s: %.*s", want ? "accepts" : "refuses",
                 st == ESA_BODY_OBJECT ? "accepts" : "refuses", (int)(len > 200 ? 200 : len), text);
    if (want) {
        esm_buf a, b;
        esm_buf_init(&a);
        esm_buf_init(&b);
        esm_json_write(&a, j);
        esm_json_write_tok(&b, &d, 0);
        assert_false(a.failed || b.failed);
        if (strcmp(a.data, b.data) != 0)
            fail_msg("different values: %s / %s", a.data, b.data);
        esm_buf_free(&a);
        esm_buf_free(&b);
    }
    json_decref(j);
    esm_jdoc_free(&d);
}

static void check_str(const char *text)
{
    check(text, strlen(text));
}

/* Values as members of a bulk PUT item, and bodies as a whole. */
static void test_bodies(void **state)
{
    (void)state;
    static const char *const values[] = {
        "1", "-0", "1.5", "1e400", "1e-400", "9223372036854775807", "9223372036854775808",
        "-9223372036854775809", "123456789012345678901234567890", "123456789012345678901234567890.5",
        "1E5", "\"a\"", "\"a\\u0000b\"", "\"\\u0000\"", "\"\xc3\xa9\"", "\"\xc3\"", "\"\\ud83d\"", "true", "null",
        "{\"numerator\":1,\"denominator\":2}", "{\"a\\u0000\":1}", "{\"10\":3,\"20\":4,\"10\":5}", "[1,2,[3]]",
        "[{\"start\":0,\"duration\":1,\"val\":2}]", "\f1", "1\v",
    };
    char body[512];
    for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
        snprintf(body, sizeof body, "{\"data\":[{\"ts\":1,\"val\":[{\"event-type\":\"x\",\"val\":%s}]}]}", values[i]);
        check_str(body);
        snprintf(body, sizeof body, "{\"ts\":1,\"val\":%s}", values[i]);
        check_str(body);
        check_str(values[i]); /* not an object: refused by both */
    }
    static const char *const bodies[] = {
        "{}", " {} ", "{}\n", "\t\r\n{}\t\r\n", "{}x", "{} {}", "{}\f", "{}\v", "{},", "{", "}", "",
        "{\"a\":1}   ", "[{}]", "\"{}\"", "{\"a\":1,}", "{\"a\" 1}", "{\"a\":01}",
    };
    for (size_t i = 0; i < sizeof bodies / sizeof bodies[0]; i++)
        check_str(bodies[i]);
    check("{}\0", 3);          /* a NUL after the object */
    check("{\"a\":\"\0\"}", 9); /* a raw NUL in a string */
    check("{\"a\":1}", 5);      /* the length counts: cut short */
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_bodies)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
