#include "pyfloat.h"

#include <float.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Digits are kept as a bare ASCII significand plus a decimal exponent
 * (value = d1.d2d3... x 10^exp10), so nothing depends on the locale's radix. */
typedef struct {
    char d[20];
    int n;
    int exp10;
} decimal;

/* Correctly rounded `prec` significant digits of a > 0, via "%.*e". The radix
 * character between the first and the other digits is skipped whatever it is
 * (the locale may make it ',' or a multibyte string); digits stay ASCII. */
static void round_digits(double a, int prec, decimal *out)
{
    char tmp[64];
    snprintf(tmp, sizeof tmp, "%.*e", prec - 1, a);
    const char *s = tmp;
    out->n = 0;
    for (; *s && *s != 'e'; s++)
        if (*s >= '0' && *s <= '9')
            out->d[out->n++] = *s;
    out->d[out->n] = '\0';
    int sign = 1, e = 0;
    if (*s == 'e')
        s++;
    if (*s == '-' || *s == '+')
        sign = *s++ == '-' ? -1 : 1;
    for (; *s >= '0' && *s <= '9'; s++)
        e = e * 10 + (*s - '0');
    out->exp10 = sign * e;
}

/* Whether the digits read back as exactly a. The text has no radix point
 * ("4109700000000001e-14"), so strtod reads it the same in every locale. */
static bool round_trips(const decimal *x, double a)
{
    char tmp[64];
    snprintf(tmp, sizeof tmp, "%se%d", x->d, x->exp10 - (x->n - 1));
    return strtod(tmp, NULL) == a;
}

/* The next larger decimal with the same number of digits. */
static void bump(decimal *x)
{
    int i = x->n - 1;
    while (i >= 0 && x->d[i] == '9')
        x->d[i--] = '0';
    if (i >= 0) {
        x->d[i]++;
    } else {
        x->d[0] = '1';
        x->exp10++;
    }
}

/* The 15-digit test of shortest() without printf or strtod, for normal a in
 * [1e-8, 1e15): m = a * 10^k rounded (k = 14 - exponent) is within 1 of the
 * 15-digit rounding of a, each candidate c and 10^k are exact doubles, so
 * c / 10^k == a is exactly strtod's verdict, and at most one 15-digit decimal
 * reads back as a. Returns 1 with the digits (trailing zeros dropped), 0 when
 * no decimal of up to 15 digits reads back as a, -1 when it cannot tell. */
static int short_digits(double a, decimal *x)
{
    static const double pow10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
                                   1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
    if (!(a >= 1e-8 && a < 1e15))
        return -1;
    int e = (int)floor(log10(a));
    int k = 14 - e;
    if (k < 0 || k > 22)
        return -1;
    double m = nearbyint(a * pow10[k]);
    if (m - 1 < 1e14 || m + 1 >= 1e15) /* the exponent may be off by one: printf decides */
        return -1;
    for (int i = 0; i < 3; i++) {
        double c = m + (i == 0 ? 0 : i == 1 ? -1 : 1);
        if (c / pow10[k] != a)
            continue;
        unsigned long long u = (unsigned long long)c;
        while (u % 10 == 0)
            u /= 10;
        char tmp[20];
        int n = 0;
        do
            tmp[n++] = (char)('0' + u % 10);
        while (u /= 10);
        for (int j = 0; j < n; j++)
            x->d[j] = tmp[n - 1 - j];
        x->n = n;
        x->d[n] = '\0';
        x->exp10 = e;
        return 1;
    }
    return 0;
}

/* Shortest digits that round-trip, as Python's repr finds them. */
static void shortest(double a, decimal *x)
{
    if (a < DBL_MIN) {
        /* Subnormals carry fewer digits than DBL_DIG: search upwards. */
        for (int p = 1; p < 17; p++) {
            round_digits(a, p, x);
            if (round_trips(x, a))
                return;
        }
        round_digits(a, 17, x);
        return;
    }
    /* For normal doubles every decimal of up to DBL_DIG (15) digits survives a
     * round trip, so if any string of <= 15 digits reads back as a, the
     * 15-digit rounding is that string padded with zeros. */
    int found = short_digits(a, x);
    if (found == 1)
        return;
    if (found < 0) {
        round_digits(a, 15, x);
        if (round_trips(x, a)) {
            while (x->n > 1 && x->d[x->n - 1] == '0')
                x->d[--x->n] = '\0';
            return;
        }
    }
    round_digits(a, 16, x);
    if (round_trips(x, a))
        return;
    /* A power of two has a rounding interval half as wide below it as above,
     * so the nearest 16-digit decimal may fall short while the next one up
     * still reads back (Python prints 7.120236347223045e-307 for 2**-1017). */
    int e2;
    if (frexp(a, &e2) == 0.5) {
        bump(x);
        if (round_trips(x, a))
            return;
    }
    round_digits(a, 17, x);
}

/* Python's float_repr_style 'short' layout: fixed notation for decimal
 * exponents -4..15 with at least one digit after the point, otherwise
 * d.ddde+XX with a signed exponent of at least two digits. */
/* An integral value below 2^53 (most values archives hold) is exact, and
 * its digits without trailing zeros are the shortest that round-trip: any
 * shorter decimal is another integer, at least 1 away, and doubles there are
 * at most 1 apart. Spares the printf and strtod round trips. */
static bool integral_digits(double a, decimal *x)
{
    if (!(a < 9007199254740992.0) || a != floor(a))
        return false;
    unsigned long long u = (unsigned long long)a;
    char tmp[20];
    int n = 0;
    do
        tmp[n++] = (char)('0' + u % 10);
    while (u /= 10);
    x->exp10 = n - 1;
    int first = 0;
    while (first < n - 1 && tmp[first] == '0')
        first++;
    x->n = 0;
    for (int i = n - 1; i >= first; i--)
        x->d[x->n++] = tmp[i];
    x->d[x->n] = '\0';
    return true;
}

static size_t layout(bool neg, const decimal *x, char *out)
{
    char *p = out;
    if (neg)
        *p++ = '-';
    int e = x->exp10, n = x->n;
    if (e >= -4 && e < 16) {
        int point = e + 1; /* digits before the decimal point */
        if (point <= 0) {
            *p++ = '0';
            *p++ = '.';
            for (int i = point; i < 0; i++)
                *p++ = '0';
            memcpy(p, x->d, (size_t)n);
            p += n;
        } else if (point < n) {
            memcpy(p, x->d, (size_t)point);
            p += point;
            *p++ = '.';
            memcpy(p, x->d + point, (size_t)(n - point));
            p += n - point;
        } else {
            memcpy(p, x->d, (size_t)n);
            p += n;
            for (int i = n; i < point; i++)
                *p++ = '0';
            *p++ = '.';
            *p++ = '0';
        }
        *p = '\0';
    } else {
        *p++ = x->d[0];
        if (n > 1) {
            *p++ = '.';
            memcpy(p, x->d + 1, (size_t)(n - 1));
            p += n - 1;
        }
        p += sprintf(p, "e%c%02d", e < 0 ? '-' : '+', abs(e));
    }
    return (size_t)(p - out);
}

size_t esm_pyfloat_format(double v, char buf[ESM_PYFLOAT_MAX])
{
    const char *special = NULL;
    if (isnan(v))
        special = "nan"; /* Python drops the sign of a NaN */
    else if (isinf(v))
        special = v < 0 ? "-inf" : "inf";
    else if (v == 0)
        special = signbit(v) ? "-0.0" : "0.0";
    if (special) {
        size_t n = strlen(special);
        memcpy(buf, special, n + 1);
        return n;
    }
    decimal x;
    if (!integral_digits(fabs(v), &x))
        shortest(fabs(v), &x);
    return layout(signbit(v) != 0, &x, buf);
}

size_t esm_pyfloat_from_text(const char *s, size_t n, char buf[ESM_PYFLOAT_MAX])
{
    size_t i = 0;
    bool neg = i < n && s[i] == '-';
    i += neg;
    decimal x = {.n = 0};
    int point = 0; /* digits before the point, leading zeros dropped */
    bool seen_point = false, nonzero = false;
    for (; i < n && ((s[i] >= '0' && s[i] <= '9') || s[i] == '.'); i++) {
        if (s[i] == '.') {
            seen_point = true;
            continue;
        }
        if (!nonzero && s[i] == '0') {
            point -= seen_point; /* 0.00ddd: the first digit moves right */
            continue;
        }
        nonzero = true;
        if (x.n == 15)
            return 0;
        x.d[x.n++] = s[i];
        point += !seen_point;
    }
    long exp = 0;
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        bool eneg = i < n && s[i] == '-';
        i += i < n && (s[i] == '-' || s[i] == '+');
        for (; i < n && s[i] >= '0' && s[i] <= '9'; i++)
            if ((exp = exp * 10 + (s[i] - '0')) > 1000)
                return 0;
        exp = eneg ? -exp : exp;
    }
    if (i != n)
        return 0;
    if (!nonzero)
        return esm_pyfloat_format(neg ? -0.0 : 0.0, buf);
    while (x.n > 1 && x.d[x.n - 1] == '0')
        x.n--;
    x.d[x.n] = '\0';
    long e10 = point - 1 + exp;
    if (e10 < -307 || e10 > 307)
        return 0; /* subnormals and overflow: the slow way */
    x.exp10 = (int)e10;
    return layout(neg, &x, buf);
}
