/* optparse emulation: int values as optparse's type='int' reads them
 * (expected values printed by CPython 3.11's optparse), option syntax and
 * the statuses of --help and errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "optparse.h"

static void test_ints(void **state)
{
    (void)state;
    static const struct {
        const char *in;
        long long out;
    } good[] = {
        {"12", 12}, {"+5", 5}, {" 7 ", 7}, {"-3", -3}, {"010", 8}, {"0x1F", 31}, {"0X_1f", 31}, {"0b101", 5},
        {"0b", 0}, {"0", 0}, {"1_000", 1000}, {"0o17", 15}, {"00", 0},
    };
    static const char *const bad[] = {"08", "1__0", "_1", "1_", "-0x5", "", "abc", "0x", "1.5", "12abc"};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        long long v = -999;
        assert_true(esm_py_parse_int(good[i].in, &v));
        assert_int_equal(v, good[i].out);
    }
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        long long v;
        assert_false(esm_py_parse_int(bad[i], &v));
    }
}

typedef struct {
    bool ip, verbose;
    const char *src, *url;
    long long window;
    esm_strlist filters;
    bool extra;
} opts;

static int parse(opts *o, int argc, const char **argv)
{
    memset(o, 0, sizeof *o);
    const esm_optdef defs[] = {
        {'h', "help", NULL, ESM_OPT_HELP, "show this help message and exit", NULL},
        {'u', "url", "URL", ESM_OPT_STRING, "URL.", &o->url},
        {'s', "src", "SRC", ESM_OPT_STRING, "Source.", &o->src},
        {'W', "summary-window", "W", ESM_OPT_INT, "Window.", &o->window},
        {'F', "filter", "F", ESM_OPT_APPEND, "Filter.", &o->filters},
        {'I', "ip", NULL, ESM_OPT_FLAG, "IP.", &o->ip},
        {'v', "verbose", NULL, ESM_OPT_FLAG, "Verbose.", &o->verbose},
        {0, "ssl-verify", NULL, ESM_OPT_FLAG, "Verify.", NULL},
        {0, "insecure", NULL, ESM_OPT_FLAG, NULL, &o->extra},
    };
    esm_optparser p = {"prog", "prog [options]", defs, sizeof defs / sizeof defs[0]};
    return esm_optparse(&p, argc, (char **)argv);
}

static void test_syntax(void **state)
{
    (void)state;
    opts o;
    const char *a1[] = {"prog", "-Iv", "-s198.1.1.1", "--url", "http://x", "pos", "-W", "0x10", "-F", "a:b",
                        "--filter=c:d", "--summ=5"};
    assert_int_equal(parse(&o, 12, a1), -1);
    assert_true(o.ip && o.verbose);
    assert_string_equal(o.src, "198.1.1.1");
    assert_string_equal(o.url, "http://x");
    assert_int_equal(o.window, 5);
    assert_int_equal(o.filters.count, 2);
    assert_string_equal(o.filters.items[1], "c:d");
    esm_strlist_free(&o.filters);

    /* a value may start with '-'; "--" ends the options */
    const char *a2[] = {"prog", "-s", "-v", "--", "-I"};
    assert_int_equal(parse(&o, 5, a2), -1);
    assert_string_equal(o.src, "-v");
    assert_false(o.ip || o.verbose);

    /* options beyond the original match only when spelled out */
    const char *a3[] = {"prog", "--insecure", "--i"};
    assert_int_equal(parse(&o, 3, a3), -1);
    assert_true(o.extra && o.ip);
}

static void test_statuses(void **state)
{
    (void)state;
    opts o;
    const char *cases[][2] = {
        {"-x", NULL}, {"--nope", NULL}, {"--s", NULL}, {"-s", NULL}, {"--ip=1", NULL}, {"-W", "x"}, {"--ins", NULL},
    };
    FILE *saved = stderr;
    stderr = fopen("/dev/null", "w");
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *argv[] = {"prog", cases[i][0], cases[i][1]};
        assert_int_equal(parse(&o, cases[i][1] ? 3 : 2, argv), 2);
    }
    fclose(stderr);
    stderr = saved;
    FILE *saved_out = stdout;
    stdout = fopen("/dev/null", "w");
    const char *help[] = {"prog", "-Ih", "-x"};
    assert_int_equal(parse(&o, 3, help), 0);
    fclose(stdout);
    stdout = saved_out;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ints),
        cmocka_unit_test(test_syntax),
        cmocka_unit_test(test_statuses),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
