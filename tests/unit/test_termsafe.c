/* termsafe: server text for a terminal. The expected escapes are those of
 * Python's repr() for the same characters (CPython 3.11: repr('\x1b') is
 * '\x1b', repr('\x9b') is '\x9b'), and \xNN per byte of invalid UTF-8. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "termsafe.h"

static const struct {
    const char *in, *out;
} cases[] = {
    {"", ""},
    {"bwctl/iperf3 198.51.100.1 -> 2001:db8::1", "bwctl/iperf3 198.51.100.1 -> 2001:db8::1"},
    {"back\\slash 'quoted' \"too\"", "back\\slash 'quoted' \"too\""}, /* clean text as it is */
    {"\303\251t\303\251 \342\202\254 \360\237\230\200", "\303\251t\303\251 \342\202\254 \360\237\230\200"},
    {"\302\240nbsp \302\241", "\302\240nbsp \302\241"},         /* U+00A0, U+00A1: past C1 */
    {"\033[2J\033]0;owned\007", "\\x1b[2J\\x1b]0;owned\\x07"},   /* clear screen, window title */
    {"a\nsource: 6.6.6.6\r\tz", "a\\nsource: 6.6.6.6\\r\\tz"},  /* a forged row */
    {"del\177 nul-less \001\037", "del\\x7f nul-less \\x01\\x1f"},
    {"\302\2332J \302\200 \302\237", "\\x9b2J \\x80 \\x9f"},     /* C1 controls, as UTF-8 */
    {"raw \233 \377 \200", "raw \\x9b \\xff \\x80"},             /* bytes that are no UTF-8 */
    {"cut \303", "cut \\xc3"},                                   /* a sequence cut short */
    {"\303(", "\\xc3("},                                         /* a lead without its continuation */
    {"\300\257 \340\200\257", "\\xc0\\xaf \\xe0\\x80\\xaf"},     /* overlong forms */
    {"\355\240\200", "\\xed\\xa0\\x80"},                         /* a surrogate */
    {"\364\220\200\200", "\\xf4\\x90\\x80\\x80"},                /* beyond U+10FFFF */
    {"\370\210\200\200\200", "\\xf8\\x88\\x80\\x80\\x80"},       /* five-byte form */
};

static void test_append(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        esm_buf b;
        esm_buf_init(&b);
        esm_termsafe_append(&b, cases[i].in, strlen(cases[i].in));
        esm_buf_append(&b, "", 1);
        assert_false(b.failed);
        assert_string_equal(b.data, cases[i].out);
        assert_int_equal(esm_termsafe_clean(cases[i].in, strlen(cases[i].in)),
                         strcmp(cases[i].in, cases[i].out) == 0);
        esm_buf_free(&b);
    }
}

/* The escape of a buffer's tail leaves what comes before it alone. */
static void test_tail(void **state)
{
    (void)state;
    esm_buf b;
    esm_buf_init(&b);
    esm_buf_puts(&b, "kept\033 ");
    size_t from = b.len;
    esm_buf_puts(&b, "tool: x\033]2;t\007\302\233y");
    esm_termsafe_tail(&b, from);
    esm_buf_append(&b, "", 1);
    assert_string_equal(b.data, "kept\033 tool: x\\x1b]2;t\\x07\\x9by");
    b.len = 0;
    esm_buf_puts(&b, "clean");
    esm_termsafe_tail(&b, 0);
    esm_termsafe_tail(&b, b.len);
    esm_buf_append(&b, "", 1);
    assert_string_equal(b.data, "clean");
    esm_buf_free(&b);
}

/* NUL is no part of a C string, but esm_termsafe_append() takes lengths. */
static void test_nul_byte(void **state)
{
    (void)state;
    esm_buf b;
    esm_buf_init(&b);
    esm_termsafe_append(&b, "a\0b", 3);
    esm_buf_append(&b, "", 1);
    assert_string_equal(b.data, "a\\x00b");
    assert_false(esm_termsafe_clean("a\0b", 3));
    esm_buf_free(&b);
}

static void test_fputs(void **state)
{
    (void)state;
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    assert_non_null(f);
    esm_termsafe_fputs("uri:/x/\033[1m/", f);
    esm_termsafe_fputs(NULL, f);
    esm_termsafe_fputs(" plain", f);
    fclose(f);
    assert_string_equal(text, "uri:/x/\\x1b[1m/ plain");
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_append),
        cmocka_unit_test(test_tail),
        cmocka_unit_test(test_nul_byte),
        cmocka_unit_test(test_fputs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
