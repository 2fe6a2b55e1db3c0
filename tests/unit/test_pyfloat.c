/* esm_pyfloat_format against Python's repr(float). The expected strings were
 * produced by CPython 3.11 (python3 -c 'print(repr(x))'); the inputs are hex
 * literals so that every case names one exact double. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <locale.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pyfloat.h"

static const struct {
    double v;
    const char *repr;
} cases[] = {
    {0x0.0p+0, "0.0"}, /* 0.0 */
    {-0x0.0p+0, "-0.0"}, /* -0.0 */
    {0x1.0000000000000p+0, "1.0"}, /* 1.0 */
    {-0x1.0000000000000p+0, "-1.0"}, /* -1.0 */
    {0x1.999999999999ap-4, "0.1"}, /* 0.1 */
    {0x1.999999999999ap-3, "0.2"}, /* 0.2 */
    {0x1.3333333333333p-2, "0.3"}, /* 0.3 */
    {0x1.3333333333334p-2, "0.30000000000000004"}, /* 0.1+0.2 */
    {0x1.5555555555555p-2, "0.3333333333333333"}, /* 1/3 */
    {0x1.5555555555555p-1, "0.6666666666666666"}, /* 2/3 */
    {-0x1.5555555555555p-2, "-0.3333333333333333"}, /* -1/3 */
    {0x1.4f8b588e368f1p-17, "1e-05"}, /* 1e-05 */
    {0x1.f75104d551d69p-17, "1.5e-05"}, /* 1.5e-05 */
    {0x1.a36e2eb1c432dp-14, "0.0001"}, /* 0.0001 */
    {0x1.02e4b6ce5dc68p-13, "0.00012345"}, /* 0.00012345 */
    {0x1.a36e2eb1c432cp-14, "9.999999999999999e-05"}, /* 0.00009999999999999999 */
    {0x1.1c37937e08000p+53, "1e+16"}, /* 1e16 */
    {0x1.1c37937e07fffp+53, "9999999999999998.0"}, /* 9999999999999998.0 */
    {0x1.18b54f22aeb00p+50, "1234567890123456.0"}, /* 1234567890123456.0 */
    {0x1.5ee2a2eb5a5c4p+53, "1.2345678901234568e+16"}, /* 12345678901234567.0 */
    {0x1.0f0cf064dd592p+73, "1e+22"}, /* 1e22 */
    {0x1.52d02c7e14af6p+76, "1e+23"}, /* 1e23 */
    {0x0.0000000000001p-1022, "5e-324"}, /* 5e-324 */
    {0x0.0000000000002p-1022, "1e-323"}, /* 1e-323 */
    {0x1.0000000000000p-1022, "2.2250738585072014e-308"}, /* 2.2250738585072014e-308 */
    {0x0.fffffffffffffp-1022, "2.225073858507201e-308"}, /* 2.225073858507201e-308 */
    {0x1.fffffffffffffp+1023, "1.7976931348623157e+308"}, /* 1.7976931348623157e+308 */
    {-0x1.fffffffffffffp+1023, "-1.7976931348623157e+308"}, /* -1.7976931348623157e+308 */
    {0x1.48c6a7ef9db23p+5, "41.097"}, /* 41.097 */
    {0x1.48c6a7ef9db24p+5, "41.09700000000001"}, /* 41.09700000000001 */
    {0x1.7e4b17e4b17e5p-5, "0.04666666666666667"}, /* 0.04666666666666667 */
    {0x1.25be0ded288cfp+6, "73.43560000000001"}, /* 73.43560000000001 */
    {0x1.494a9b2500000p+32, "5524593445.0"}, /* 5524593445.0 */
    {0x1.b69b4ba630f35p+56, "1.2345678901234568e+17"}, /* 123456789012345678.0 */
    {0x1.6f0068db8bac7p-9, "0.0028"}, /* 0.0028 */
    {0x1.7c1bda5119ce0p-9, "0.0029"}, /* 0.0029 */
    {0x1.0624dd2f1a9fcp-10, "0.001"}, /* 0.001 */
    {0x1.0624dd2f1a9fcp-9, "0.002"}, /* 0.002 */
    {0x1.47ae147ae147bp-7, "0.01"}, /* 0.01 */
    {0x1.0000000000000p-2, "0.25"}, /* 0.25 */
    {0x1.8000000000000p-2, "0.375"}, /* 0.375 */
    {0x1.91ccccccccccdp+6, "100.45"}, /* 100.45 */
    {0x1.87f20ef800000p+32, "6575755000.0"}, /* 6575755000.0 */
    {0x1.87f20ef800000p+34, "26303020000.0"}, /* 26303020000.0 */
    {0x1.a2348c0000000p+32, "7016320000.0"}, /* 7016320000.0 */
    {0x1.2c00000000000p+9, "600.0"}, /* 600.0 */
    {0x1.249ad2594c37dp+332, "1e+100"}, /* 1e100 */
    {0x1.bff2ee48e0530p-333, "1e-100"}, /* 1e-100 */
    {0x1.ac4da03bc47e4p+66, "1.2345e+20"}, /* 1.2345e+20 */
    {0x1.edd2f1a9fbe77p+6, "123.456"}, /* 123.456 */
    {-0x1.edd2f1a9fbe77p+6, "-123.456"}, /* -123.456 */
    {0x1.921fb54442d18p+1, "3.141592653589793"}, /* 3.141592653589793 */
    {0x1.5bf0a8b145769p+1, "2.718281828459045"}, /* 2.718281828459045 */
    {0x1.c6bf526340000p+49, "1000000000000000.0"}, /* 1e15 */
    {0x1.6345785d8a000p+56, "1e+17"}, /* 1e17 */
    {0x1.c6bf52633ffffp+49, "999999999999999.9"}, /* 999999999999999.9 */
    {0x1.0000000000000p-1, "0.5"}, /* 0.5 */
    {0x1.4000000000000p+1, "2.5"}, /* 2.5 */
    {0x1.ad7f29abcaf48p-24, "1e-07"}, /* 1e-07 */
    {-0x1.ad7f29abcaf48p-24, "-1e-07"}, /* -1e-07 */
    {0x1.1666666666666p+2, "4.35"}, /* 4.35 */
    {0x1.12ac083126e97p+5, "34.333999999999996"}, /* 34.333999999999996 */
    {0x1.02795703f2dbep-8, "0.003944000000000112"}, /* 0.003944000000000112 */
    {0x1.013be896de21bp-4, "0.06280127387243122"}, /* 0.06280127387243122 */
    {0x1.0000000000000p-1017, "7.120236347223045e-307"}, /* 2**-1017 */
    {0x1.0000000000000p-1007, "7.291122019556398e-304"}, /* 2**-1007 */
    {0x1.0000000000000p+53, "9007199254740992.0"}, /* 2**53 */
    {0x1.0000000000000p+63, "9.223372036854776e+18"}, /* 2**63 */
    {0x1.0000000000000p+64, "1.8446744073709552e+19"}, /* float(2**64) */
    {0x1.1ccf385ebc8a0p+1023, "1e+308"}, /* 1e308 */
    {0x1.3000000000000p+3, "9.5"}, /* 9.5 */
    {0x1.c8571c4687a3dp-20, "1.7e-06"}, /* 1.7e-06 */
    {0x1.2b1bbbbbbbbbcp+8, "299.10833333333335"}, /* 299.10833333333335 */
    {0x1.5e17f2468acf1p+14, "22405.98659722222"}, /* 22405.98659722222 */
    {0x1.9999999999999p-1, "0.7999999999999999"}, /* 0.1+0.7 */
    {0x1.9000000000000p+6, "100.0"}, /* 100.0 */
    {0x1.4000000000000p+3, "10.0"}, /* 10.0 */
};

static void test_python_table(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char buf[ESM_PYFLOAT_MAX];
        size_t n = esm_pyfloat_format(cases[i].v, buf);
        assert_string_equal(buf, cases[i].repr);
        assert_int_equal(n, strlen(cases[i].repr));
    }
}

static void test_non_finite(void **state)
{
    (void)state;
    char buf[ESM_PYFLOAT_MAX];
    assert_int_equal(esm_pyfloat_format(NAN, buf), 3);
    assert_string_equal(buf, "nan");
    esm_pyfloat_format(-NAN, buf); /* Python prints no sign on a NaN */
    assert_string_equal(buf, "nan");
    assert_int_equal(esm_pyfloat_format(INFINITY, buf), 3);
    assert_string_equal(buf, "inf");
    assert_int_equal(esm_pyfloat_format(-INFINITY, buf), 4);
    assert_string_equal(buf, "-inf");
}

static uint64_t xorshift64(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

/* Significant digits of a repr text: leading and trailing zeros dropped. */
static int significant_digits(const char *s)
{
    char d[40];
    int n = 0;
    for (; *s && *s != 'e'; s++)
        if (*s >= '0' && *s <= '9' && (n > 0 || *s != '0'))
            d[n++] = *s;
    while (n > 1 && d[n - 1] == '0')
        n--;
    return n ? n : 1;
}

static void check_shortest(double v)
{
    char buf[ESM_PYFLOAT_MAX];
    size_t n = esm_pyfloat_format(v, buf);
    assert_true(n > 0 && n < ESM_PYFLOAT_MAX);
    assert_int_equal(strlen(buf), n);
    /* reads back as exactly v */
    assert_true(strtod(buf, NULL) == v);
    /* no fewer digits would do */
    int sig = significant_digits(buf);
    assert_in_range(sig, 1, 17);
    for (int p = 1; p < sig; p++) {
        char tmp[40];
        snprintf(tmp, sizeof tmp, "%.*e", p - 1, v);
        if (strtod(tmp, NULL) == v)
            fail_msg("%s: %s also round-trips", buf, tmp);
    }
    /* Python's thresholds: exponent form below 1e-4 and from 1e16 on */
    double a = fabs(v);
    bool expo = strchr(buf, 'e') != NULL;
    assert_int_equal(expo, a < 1e-4 || a >= 1e16);
    if (!expo)
        assert_non_null(strchr(buf, '.'));
}

/* Raw bit patterns cover every exponent; scaled values cover the fixed range
 * where measurements live. */
static void test_round_trip_property(void **state)
{
    (void)state;
    uint64_t seed = 0x9e3779b97f4a7c15u;
    int checked = 0;
    for (int i = 0; i < 100000; i++) {
        uint64_t bits = xorshift64(&seed);
        double v;
        if (i % 2) {
            memcpy(&v, &bits, sizeof v);
            if (!isfinite(v))
                continue;
        } else {
            v = ldexp((double)(bits >> 11) / 9007199254740992.0, (int)(bits % 140) - 70);
        }
        check_shortest(v);
        checked++;
    }
    assert_true(checked > 99000);
}

/* Powers of two have a narrower rounding interval below them; Python then
 * prints the next decimal up rather than 17 digits. */
static void test_powers_of_two(void **state)
{
    (void)state;
    for (int e = -1074; e <= 1023; e++)
        check_shortest(ldexp(1.0, e));
}

/* Output must not follow the locale's decimal comma. Skipped when no such
 * locale is installed (glibc also looks in $LOCPATH). */
static void test_locale_independent(void **state)
{
    (void)state;
    static const char *const names[] = {"de_DE.UTF-8", "de_DE.utf8", "fr_FR.UTF-8", "fr_FR.utf8"};
    const char *old = setlocale(LC_NUMERIC, NULL);
    char *saved = old ? strdup(old) : NULL;
    int found = 0;
    for (size_t i = 0; !found && i < sizeof names / sizeof names[0]; i++)
        found = setlocale(LC_NUMERIC, names[i]) != NULL;
    if (!found) {
        free(saved);
        skip();
    }
    char buf[ESM_PYFLOAT_MAX], probe[16];
    snprintf(probe, sizeof probe, "%.1f", 1.5);
    esm_pyfloat_format(41.09700000000001, buf);
    int ok1 = strcmp(buf, "41.09700000000001") == 0;
    esm_pyfloat_format(1.5e-05, buf);
    int ok2 = strcmp(buf, "1.5e-05") == 0;
    setlocale(LC_NUMERIC, saved ? saved : "C");
    free(saved);
    assert_string_equal(probe, "1,5"); /* the locale is in effect */
    assert_true(ok1 && ok2);
}

/* Short decimals (the bucket values and percentiles of statistics): a value
 * read from up to 15 significant digits prints those digits again, and is
 * the shortest, across the fixed and exponent layouts. */
static void test_short_decimals(void **state)
{
    (void)state;
    uint64_t seed = 0x2545f4914f6cdd1du;
    for (int i = 0; i < 100000; i++) {
        char digits[20], text[40], buf[ESM_PYFLOAT_MAX];
        int n = 1 + (int)(xorshift64(&seed) % 15);
        for (int j = 0; j < n; j++)
            digits[j] = (char)('0' + xorshift64(&seed) % 10);
        digits[0] = (char)('1' + xorshift64(&seed) % 9);
        digits[n - 1] = (char)('1' + xorshift64(&seed) % 9);
        digits[n] = '\0';
        snprintf(text, sizeof text, "%se%d", digits, (int)(xorshift64(&seed) % 36) - 24);
        double v = strtod(text, NULL);
        check_shortest(v);
        esm_pyfloat_format(v, buf);
        char got[40];
        int g = 0;
        for (const char *s = buf; *s && *s != 'e'; s++)
            if (*s >= '0' && *s <= '9' && (g > 0 || *s != '0'))
                got[g++] = *s;
        while (g > 1 && got[g - 1] == '0')
            g--;
        got[g] = '\0';
        if (strcmp(got, digits) != 0)
            fail_msg("%s printed as %s", text, buf);
    }
}

/* From a number's text, where it answers at all, the same text as through
 * strtod: generated decimals of every layout, and edge cases. */
static void check_text(const char *text)
{
    char fast[ESM_PYFLOAT_MAX], slow[ESM_PYFLOAT_MAX];
    size_t n = esm_pyfloat_from_text(text, strlen(text), fast);
    if (n == 0)
        return;
    size_t m = esm_pyfloat_format(strtod(text, NULL), slow);
    if (n != m || memcmp(fast, slow, n) != 0)
        fail_msg("%s: %.*s from the text, %.*s from the double", text, (int)n, fast, (int)m, slow);
}

static void test_from_text(void **state)
{
    (void)state;
    static const char *const edge[] = {
        "0.0", "-0.0", "0e5", "7.44", "7.50", "100.0", "1e16", "1e15", "9.99e15", "1.5e-4", "1.5e-5", "0.0001",
        "0.00001", "-3e-06", "123456789012345.0", "1234567890123456.0", "0.1", "0.30000000000000004",
        "1e-307", "1e-308", "9.99e307", "1.7e308", "5e-324", "1E+2", "00.5", "1.", ".5", "1e", "x", "1.0e1000",
        "73.43560000000001", "4.0001240000000005", "6760003015.0", "1e22", "1e23", "0.000000000000000000001",
    };
    size_t answered = 0;
    for (size_t i = 0; i < sizeof edge / sizeof edge[0]; i++) {
        char buf[ESM_PYFLOAT_MAX];
        answered += esm_pyfloat_from_text(edge[i], strlen(edge[i]), buf) != 0;
        check_text(edge[i]);
    }
    assert_true(answered > 20);
    uint64_t seed = 42;
    for (int i = 0; i < 200000; i++) {
        seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
        int digits = 1 + (int)((seed >> 33) % 17), at = (int)((seed >> 40) % 22) - 3;
        long e = (long)((seed >> 50) % 640) - 320;
        char text[64], *p = text;
        if (seed & 1)
            *p++ = '-';
        for (int k = 0; k < digits; k++) {
            if (k == at)
                *p++ = '.';
            seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
            *p++ = (char)('0' + (seed >> 59) % 10);
        }
        if (at >= digits || at < 0)
            p += sprintf(p, ".%d", (int)(seed >> 61));
        if (seed & 2)
            sprintf(p, "e%ld", (seed & 4) ? e : e / 40);
        else
            *p = '\0';
        check_text(text);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_python_table),
        cmocka_unit_test(test_non_finite),
        cmocka_unit_test(test_round_trip_property),
        cmocka_unit_test(test_short_decimals),
        cmocka_unit_test(test_powers_of_two),
        cmocka_unit_test(test_locale_independent),
        cmocka_unit_test(test_from_text),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
