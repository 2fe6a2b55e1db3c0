/* str(datetime.utcfromtimestamp(ts)) against gmtime_r and printf, the way
 * it was written before: every day from 1970 to 9999 at a changing second,
 * the edges of the fast range and what lies outside it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "pydatetime.h"

static void reference(long long ts, char text[ESM_PY_DATETIME_MAX])
{
    time_t t = (time_t)ts;
    struct tm tm;
    if (!gmtime_r(&t, &tm))
        snprintf(text, ESM_PY_DATETIME_MAX, "%lld", ts);
    else
        snprintf(text, ESM_PY_DATETIME_MAX, "%04d-%02d-%02d %02d:%02d:%02d", tm.tm_year + 1900, tm.tm_mon + 1,
                 tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

static void same(long long ts)
{
    char got[ESM_PY_DATETIME_MAX], want[ESM_PY_DATETIME_MAX];
    esm_py_utc_datetime(ts, got);
    reference(ts, want);
    if (strcmp(got, want) != 0)
        fail_msg("%lld: got %s, want %s", ts, got, want);
}

static void test_every_day(void **state)
{
    (void)state;
    for (long long day = 0; day <= 2932896; day++) /* 9999-12-31 */
        same(day * 86400 + (day * 7919) % 86400);
}

static void test_edges(void **state)
{
    (void)state;
    static const long long ts[] = {0, 1, 59, 60, 3599, 3600, 86399, 86400, 951782400 /* 2000-02-29 */,
                                   1700006400, 4107542399 /* 2100-02-28 23:59:59 */, 253402300799,
                                   253402300800, -1, -86400, -62135596800, 9223372036854775807LL,
                                   -9223372036854775807LL - 1, 67768036191676800LL};
    for (size_t i = 0; i < sizeof ts / sizeof ts[0]; i++)
        same(ts[i]);
    char text[ESM_PY_DATETIME_MAX];
    esm_py_utc_datetime(1700006400, text);
    assert_string_equal(text, "2023-11-15 00:00:00");
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_every_day), cmocka_unit_test(test_edges)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
