/* esm_parse_time(): accepted forms with their epoch seconds (computed with
 * calendar.timegm() on the intended fields, not with dateutil), defaults taken
 * from `now`, epoch seconds (where dateutil fails or the number cannot be a
 * date), refused text and bad arguments. The comparison
 * with python-dateutil itself is timeparse_oracle.py. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "esmond/esmond.h"

/* 2024-07-10T12:34:56Z, a Wednesday. */
#define NOW 1720614896LL

typedef struct {
    const char *text;
    long long want;
} time_case;

static void check_ok(const char *text, long long now, long long want)
{
    long long got = 0;
    esm_code rc = esm_parse_time(text, now, &got);
    if (rc != ESM_OK || got != want)
        fail_msg("esm_parse_time(\"%s\", %lld): rc %d, got %lld, want %lld", text, now, (int)rc, got, want);
}

static void check_error(const char *text, long long now)
{
    long long got = 42;
    esm_code rc = esm_parse_time(text, now, &got);
    if (rc != ESM_ERR_TIME_SYNTAX)
        fail_msg("esm_parse_time(\"%s\", %lld): rc %d (value %lld), want ESM_ERR_TIME_SYNTAX", text, now, (int)rc,
                 got);
    assert_int_equal(got, 42); /* untouched */
}

static const time_case accepted[] = {
    /* ISO 8601 */
    {"2015-03-15", 1426377600},
    {"2015-3-5", 1425513600},
    {"2015-03-15T10:20:30", 1426414830},
    {"2015-03-15t10:20:30", 1426414830},
    {"2015-03-15 10:20:30", 1426414830},
    {"2015-03-15  10:20", 1426414800},
    {"2015-03-15T10:20:30Z", 1426414830},
    {"2015-03-15T10:20:30z", 1426414830},
    {"2015-03-15T10:20:30 UTC", 1426414830},
    {"2015-03-15T10:20:30GMT", 1426414830},
    {"2015-03-15 10:20:30+02:00", 1426407630},
    {"2015-03-15T10:20:30-0500", 1426432830},
    {"2015-03-15T10:20:30 +02", 1426407630},
    {"2015-03-15T10:20 +05:30", 1426395000},
    {"2015-03-15T10:20:30 -23:59", 1426414830 + 86340},
    /* fractions are dropped: the earlier second, also before 1970 */
    {"2015-03-15T10:20:30.999999Z", 1426414830},
    {"2015-03-15T10:20:30,5", 1426414830},
    {"2015-03-15T10:20:30.1234567890", 1426414830},
    {"1969-12-31T23:59:59.5Z", -1},
    /* basic format */
    {"20150315", 1426377600},
    {"20150315T102030Z", 1426414830},
    {"20150315T102030.5+0100", 1426411230},
    {"20150315T1020", 1426414800},
    {"20150315T10", 1426413600},
    {"2015-03-15T102030", 1426414830},
    /* all digits, as dateutil reads them */
    {"20140429000000", 1398729600},     /* YYYYMMDDhhmmss */
    {"201503151020", 1426414800},       /* YYYYMMDDhhmm */
    {"201404291200+0100", 1398769200},
    {"20140429000000 UTC", 1398729600},
    {"990101", 915148800},              /* six digits: year first when above 31 */
    {"150315", 1426377600},             /* day first when above 12 */
    {"031515", 1426377600},             /* else month, day, year */
    {"19690720201700", -14182980},
    /* other numeric dates */
    {"2015/03/15", 1426377600},
    {"2015.03.15", 1426377600},
    {"03/15/2015", 1426377600},
    {"3/15/2015 10:00", 1426413600},
    {"03-15-2015", 1426377600},
    {"13/02/2015", 1423785600}, /* day first only when the first number exceeds 12 */
    {"02/13/2015", 1423785600},
    {"15.03.2015", 1426377600},
    {"03.15.2015", 1426377600},
    {"05.05.2015", 1430784000},
    {"03/15/15", 1426377600},
    {"12/31/99", 946598400},
    {"99-01-01", 915148800},   /* short parts: dateutil's order */
    {"1/2/3", 1041465600},
    {"15-3-4", 1079308800},
    {"13.1.5", 1105574400},
    {"99-01", 915926400},
    {"01/99", 915926400},
    /* month names, any case */
    {"January 1 2015", 1420070400},
    {"JANUARY 1 2015", 1420070400},
    {"january 1, 2015", 1420070400},
    {"Jan 1 2015", 1420070400},
    {"jan. 1, 2015", 1420070400},
    {"Sept 5 2015", 1441411200},
    {"Sept. 5 2015", 1441411200},
    {"May. 5 2015", 1430784000},
    {"1 Jan 2015", 1420070400},
    {"1st January 2015", 1420070400},
    {"January 2nd, 2015", 1420156800},
    {"March 3rd 2015", 1425340800},
    {"April 11th 2015", 1428710400},
    {"May 22nd 2015", 1432252800},
    {"Jan 1, 2015 10:00", 1420106400},
    {"Jan 1, 2015, 10:00", 1420106400},
    {"Jan 1,2015", 1420070400},
    {"Jan 1 2015 at 10:00", 1420106400},
    {"Jan 1 2015 at 10am", 1420106400},
    {"1st of January 2015", 1420070400},
    {"15 of March, 2015", 1426377600},
    {"March 15th of 2015", 1426377600},
    {"3rd of March 2015 at 10am", 1425376800},
    {"on Jan 1 2015", 1420070400},
    {"2015 Jan 1", 1420070400},
    {"01-Jan-2015", 1420070400},
    {"1-jan-15", 1420070400},
    {"Jan-01-2015", 1420070400},
    {"2015-Jan-01", 1420070400},
    {"01/Jan/2015", 1420070400},
    {"Sunday, January 4, 2015", 1420329600},
    {"Sun., Jan. 4, 2015", 1420329600},
    {"sun, 04 JAN 2015 10:00:00 +0000", 1420365600},
    {"Sunday, 04-Jan-15 10:00:00 GMT", 1420365600},
    {"Sun Jan  4 10:00:00 UTC 2015", 1420365600},
    {"Sun Jan 4 10:00:00 2015", 1420365600},
    {"10:00 2015-03-15", 1426413600},
    {"10:00 pm Jan 4 2015", 1420408800},
    /* 12-hour clock */
    {"2015-03-15 10:00 PM UTC", 1426456800},
    {"2015-03-15 10:00PM", 1426456800},
    {"2015-03-15 10:30:15 a.m.", 1426415415},
    {"2015-03-15 12:30 am", 1426379400},
    {"2015-03-15 12:30 pm", 1426422600},
    {"2015-03-15 12 AM", 1426377600},
    {"2015-03-15 1 P.M. +02:00", 1426417200},
    /* today (2024-07-10), times only */
    {"10:00", 1720605600},
    {"T10:00", 1720605600},
    {"9:05:07", 1720602307},
    {"10:00Z", 1720605600},
    {"10:00 -05:00", 1720623600},
    {"10pm", 1720648800},
    {"10 pm", 1720648800},
    {"12am", 1720569600},
    {"12pm", 1720612800},
    {"12:30 p.m.", 1720614600},
    {"23:59:59", 1720655999},
    {"00:00", 1720569600},
    /* partial dates: the rest from today */
    {"Jan 1", 1704067200},
    {"1 Jan", 1704067200},
    {"January", 1704844800}, /* day 10 from today */
    {"3/15", 1710460800},
    {"03-15", 1710460800},
    {"Feb 2015", 1423526400},
    {"2015 Feb", 1423526400},
    {"Feb-2015", 1423526400},
    {"2015-02", 1423526400},
    {"02/2015", 1423526400},
    {"2015", 1436486400},
    {"15", 1721001600},
    {"15th", 1721001600},
    {"2nd", 1719878400},
    /* weekdays without a date: forward to that day, today included */
    {"Wednesday", 1720569600},
    {"wed", 1720569600},
    {"Tue 08:00", 1721116800},
    {"Thursday", 1720656000},
    {"Monday 15", 1721001600},
    /* leap years */
    {"2016-02-29", 1456704000},
    {"2000-02-29", 951782400},
    {"Feb 29 2024", 1709164800},
    /* range */
    {"1000-01-01", -30610224000},
    {"0999-12-31", -30610310400},
    {"0001-01-01", -62135596800},
    {"9999-12-31T23:59:59", 253402300799},
    {"1970-01-01T00:00:00Z", 0},
    /* whitespace */
    {"  2015-03-15  ", 1426377600},
    {"\t2015-03-15\n", 1426377600},
};

static void test_accepted(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof accepted / sizeof accepted[0]; i++)
        check_ok(accepted[i].text, NOW, accepted[i].want);
}

static void test_epoch_seconds(void **state)
{
    (void)state;
    check_ok("1391558400", NOW, 1391558400);
    check_ok("-1391558400", NOW, -1391558400);
    check_ok("+1391558400", NOW, 1391558400);
    check_ok(" 1391558400\n", NOW, 1391558400);
    check_ok("000000000", NOW, 0);
    check_ok("100000000", NOW, 100000000);
    check_ok("2014042912", NOW, 2014042912LL);          /* ten digits: dateutil fails */
    check_ok("20141329000000", NOW, 20141329000000LL);  /* fourteen, but month 13 */
    check_ok("201404292400", NOW, 201404292400LL);      /* twelve, but hour 24 */
    check_ok("-20140429000000", NOW, -20140429000000LL); /* a sign: a number */
    check_ok("9223372036854775807", NOW, 9223372036854775807LL);
    check_ok("-9223372036854775808", NOW, -9223372036854775807LL - 1);
    check_error("9223372036854775808", NOW);
    check_error("-9223372036854775809", NOW);
    check_error("99999999999999999999999999999", NOW);
    check_error("1391558400.5", NOW);
    check_error("1391558400 UTC", NOW);
    check_error("- 1391558400", NOW);
    check_error("--1391558400", NOW);
    /* fewer than 9 digits are not epoch seconds */
    check_ok("20150315", NOW, 1426377600);
    check_error("12345678", NOW); /* month 56 */
    check_error("-12345678", NOW);
    check_error("1234567", NOW);
    check_error("123456", NOW); /* 12/34/56 */
    check_error("000101", NOW);
    check_error("12345", NOW);
    check_error("123", NOW);
    check_error("0", NOW);
}

static void test_defaults_from_now(void **state)
{
    (void)state;
    const long long jan31 = 1706688000; /* 2024-01-31T08:00:00Z */
    check_ok("Feb", jan31, 1709164800);       /* 2024-02-29: the day clamps to the month */
    check_ok("Feb 2015", jan31, 1425081600);  /* 2015-02-28 */
    check_ok("2015-02", jan31, 1425081600);
    check_ok("Apr", jan31, 1714435200);       /* 2024-04-30 */
    check_ok("2015", jan31, 1422662400);      /* 2015-01-31 */
    check_ok("31", jan31, 1706659200);
    check_ok("10:00", jan31, 1706695200);
    check_error("31", 1718409600);              /* 2024-06-15: June has 30 days */
    check_error("Feb 29", 1678838400);          /* 2023-03-15: not a leap year */
    check_ok("Feb 29", 1710460800, 1709164800); /* 2024-03-15 */
    /* before 1970: days round down */
    check_ok("10:00", -1, -50400);
    check_ok("Jan 1", -1, -31536000);
    /* weekday forward across a month end: from Wednesday 2024-07-31 */
    check_ok("Monday", 1722384000, 1722816000);
    /* two-digit years: within [now - 50, now + 49] years */
    check_ok("01/01/73", NOW, 3250454400);  /* 2073 */
    check_ok("01/01/74", NOW, 126230400);   /* 1974 */
    check_ok("01/01/29", 3471292800, 5017593600); /* now 2080: 2129 */
    check_ok("01/01/30", 3471292800, 1893456000); /* now 2080: 2030 */
    /* `now` is only a default */
    check_ok("2015-03-15T10:20:30Z", 0, 1426414830);
    check_ok("2015-03-15T10:20:30Z", -62135596800LL, 1426414830);
    check_ok("2015-03-15T10:20:30Z", 253402300799LL, 1426414830);
}

static const char *const refused[] = {
    "", " ", "\t\n", "foo", "today", "now", "noon", "yesterday", "2015-03-15 foo",
    /* dates that do not exist */
    "Feb 30 2015", "Feb 29 2015", "1900-02-29", "2100-02-29", "2015-02-29", "Apr 31 2015", "2015-13-01",
    "2015-00-10", "2015-01-00", "2015-01-32", "Jan 32", "Jan 0", "0000-01-01", "00000101", "123-01-01",
    "15 Jan 0015", "13/13/2015", "32/01/2015", "15/3",
    /* times that do not exist */
    "24:00", "10:60", "10:00:60", "23:59:60", "13pm", "0am", "00:30 am", "13:00 pm",
    /* zones */
    "10:00 EST", "10:00 CET", "10:00 utc", "10:00 UTC+3", "10:00 GMT-3", "10:00 UTC +02:00", "10:00 Z Z",
    "10:00 +2400", "10:00 +0060", "10:00 +02:60", "10:00+5", "10:00 +", "10:00 +02:", "10:00 +020",
    "10:00 +02:00:00", "2015-03-15 UTC", "2015-03-15Z", "2015-03-15+02:00", "UTC", "Z",
    /* weekdays */
    "Monday, January 4, 2015", "Sunday, January 2015", "Sunday 2015", "Sunday 15", "Sunday Monday",
    "January 4, 2015 Sunday",
    /* guesswork */
    "05.03.2015", "01.02.03", "3.15", "Jan 1 15", "Jan 45", "2015-03-15 10", "2015-03-15 1020",
    "20150315 102030", "T102030", "2015-03-15T", "2015-03T10", "12-12T10", "0003-11", "2015 03 15",
    "1st of 2015", "of Jan 1", "Jan 1 of", "Jan of of 2015", "1Jan2015", "2015Jan01", "Jan 01,2015", "10:00,1615", "10:5", "10:20.5", "10:00 10:00",
    "2015-03-15 2016-03-15", "Jan Feb 2015", "2015-03-15-01", "2015--03-15", "2015-03/15", "1th Jan 2015",
    "Jan 1 2015 10 am extra", "10 a.m", "2:59:11 A.M 12",
    /* punctuation */
    "at 10:00", "Jan 1 at", "Jan 1 at 2015", "Jan 1,", ",Jan 1", "Jan 1,, 2015", "Jan 1 2015 atat 10:00",
    "2015-03-15;10:00", "(2015-03-15)", "2015-03-15\xc2\xa0" "10:00", "2015-03-15\x01",
};

static void test_refused(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++)
        check_error(refused[i], NOW);
}

static void test_long_input(void **state)
{
    (void)state;
    size_t n = 100000;
    char *s = malloc(n + 2);
    assert_non_null(s);
    /* too many tokens */
    for (size_t i = 0; i < n; i += 2) {
        s[i] = '1';
        s[i + 1] = ' ';
    }
    s[n] = '\0';
    check_error(s, NOW);
    /* one huge number after a letter, one huge pure number */
    memset(s, '7', n);
    s[0] = 'a';
    check_error(s, NOW);
    s[0] = '7';
    check_error(s, NOW);
    /* a huge fraction is only skipped */
    memcpy(s, "2015-03-15T10:20:30.", 20);
    check_ok(s, NOW, 1426414830);
    /* long whitespace is one separator */
    memset(s, ' ', n);
    memcpy(s + n / 2, "2015-03-15", 10);
    check_ok(s, NOW, 1426377600);
    free(s);
}

static void test_invalid_arguments(void **state)
{
    (void)state;
    long long out = 42;
    assert_int_equal(esm_parse_time(NULL, NOW, &out), ESM_ERR_INVALID);
    assert_int_equal(esm_parse_time("2015-03-15", NOW, NULL), ESM_ERR_INVALID);
    /* now outside 0001-01-01 .. 9999-12-31 */
    assert_int_equal(esm_parse_time("2015-03-15", -62135596801LL, &out), ESM_ERR_INVALID);
    assert_int_equal(esm_parse_time("2015-03-15", 253402300800LL, &out), ESM_ERR_INVALID);
    assert_int_equal(out, 42);
    assert_string_not_equal(esm_strerror(ESM_ERR_TIME_SYNTAX), "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_accepted),          cmocka_unit_test(test_epoch_seconds),
        cmocka_unit_test(test_defaults_from_now), cmocka_unit_test(test_refused),
        cmocka_unit_test(test_long_input),        cmocka_unit_test(test_invalid_arguments),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
