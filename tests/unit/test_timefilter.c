/* The time-filter table of esmond-rest-api §7.3 and strict integer parsing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "timefilter.h"

#define NOW 1700000000LL

static bool run(esa_param *ps, size_t n, esa_time_filter *tf, char *err)
{
    esa_request rq = {.params = ps, .n_params = n};
    return esa_time_filter_parse(&rq, NOW, tf, err, 128);
}

static void expect_interval(esa_param *ps, size_t n, bool given, long long begin, long long end, bool open)
{
    esa_time_filter tf;
    char err[128];
    assert_true(run(ps, n, &tf, err));
    assert_int_equal(tf.given, given);
    assert_int_equal(tf.begin, begin);
    assert_int_equal(tf.open_end, open);
    if (!open)
        assert_int_equal(tf.end, end);
}

static void test_table(void **state)
{
    esa_param t[] = {{"time", "100"}, {"time-start", "5"}, {"time-range", "7"}};
    expect_interval(t, 3, true, 100, 100, false); /* time wins over everything */
    esa_param se[] = {{"time-start", "10"}, {"time-end", "20"}, {"time-range", "1"}};
    expect_interval(se, 3, true, 10, 20, false); /* range ignored */
    esa_param sr[] = {{"time-start", "10"}, {"time-range", "5"}};
    expect_interval(sr, 2, true, 10, 15, false);
    esa_param er[] = {{"time-end", "10"}, {"time-range", "5"}};
    expect_interval(er, 2, true, 5, 10, false);
    esa_param s[] = {{"time-start", "-10"}};
    expect_interval(s, 1, true, -10, 0, true);
    esa_param e[] = {{"time-end", "+10"}};
    expect_interval(e, 1, true, 0, 10, false);
    esa_param r[] = {{"time-range", "600"}};
    expect_interval(r, 1, true, NOW - 600, 0, true);
    expect_interval(NULL, 0, false, 0, NOW, false);
    esa_param eq[] = {{"time-start", "10"}, {"time-end", "10"}};
    expect_interval(eq, 2, true, 10, 10, false); /* equal bounds are allowed */
    esa_param last[] = {{"time", "1"}, {"time", "2"}};
    expect_interval(last, 2, true, 2, 2, false); /* a repeated parameter keeps its last value */
}

static void test_errors(void **state)
{
    static const char *const bad[] = {"1397476800.5", "abc", "", "1e5", " 5", "5 ", "--5", "99999999999999999999"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        esa_param p[] = {{"time-start", (char *)bad[i]}};
        esa_time_filter tf;
        char err[128];
        assert_false(run(p, 1, &tf, err));
        assert_string_equal(err, "Time parameter must be an integer");
    }
    esa_param rev[] = {{"time-start", "20"}, {"time-end", "10"}};
    esa_time_filter tf;
    char err[128];
    assert_false(run(rev, 2, &tf, err));
    assert_string_equal(err, "Requested start time must be less than end time");
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_table), cmocka_unit_test(test_errors)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
