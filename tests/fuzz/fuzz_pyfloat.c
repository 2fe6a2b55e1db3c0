/* esm_pyfloat_format(), Python's repr(float), on every double: the text reads
 * back as the same double, has no fewer digits than needed (no shorter
 * decimal reads back), and is laid out as Python lays it out. Input: 8 bytes,
 * the double's bit pattern (shorter inputs are zero-padded). */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pyfloat.h"

/* Whether some decimal of `digits` significant digits next to v reads back
 * as v. The correctly rounded one may miss where a neighbour hits (just
 * below a power of two), so both neighbours are tried as well. */
static int shorter_exists(double v, int digits)
{
    char tmp[64];
    snprintf(tmp, sizeof tmp, "%.*e", digits - 1, v);
    char *e = strchr(tmp, 'e');
    int exp10 = atoi(e + 1);
    unsigned long long m = 0;
    for (const char *p = tmp; p < e; p++)
        if (*p >= '0' && *p <= '9')
            m = m * 10 + (unsigned long long)(*p - '0');
    for (int d = -1; d <= 1; d++) {
        snprintf(tmp, sizeof tmp, "%llue%d", m + (unsigned long long)d, exp10 - (digits - 1));
        if (m + (unsigned long long)d > 0 && strtod(tmp, NULL) == v)
            return 1;
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint64_t bits = 0;
    memcpy(&bits, data, size < 8 ? size : 8);
    double v;
    memcpy(&v, &bits, sizeof v);

    char buf[ESM_PYFLOAT_MAX + 8];
    memset(buf, 0x55, sizeof buf);
    size_t n = esm_pyfloat_format(v, buf);
    if (n >= ESM_PYFLOAT_MAX || strlen(buf) != n)
        abort();
    if (isnan(v)) {
        if (strcmp(buf, "nan") != 0)
            abort();
        return 0;
    }
    char *end;
    double back = strtod(buf, &end);
    if (*end || back != v || signbit(back) != signbit(v))
        abort(); /* not a round trip */
    if (isinf(v) || v == 0)
        return 0;

    /* Significant digits as written: leading zeros, and the zeros of an
     * integral value in fixed notation ("1200.0"), do not count. */
    const char *p = buf + (buf[0] == '-');
    const char *ex = strchr(p, 'e');
    const char *dot = strchr(p, '.');
    if (!ex && (!dot || dot[1] == '\0'))
        abort(); /* fixed notation always has digits after the point */
    int integral = !ex && strcmp(dot, ".0") == 0;
    const char *stop = integral ? dot : ex ? ex : p + strlen(p);
    char last = 0;
    int digits = 0;
    for (const char *q = p; q < stop; q++)
        if (*q != '.' && (digits || *q != '0')) {
            digits++;
            last = *q;
        }
    if (integral)
        for (const char *q = dot - 1; q > p && *q == '0'; q--)
            digits--;
    else if (last == '0')
        abort(); /* a trailing zero Python does not write */
    if (digits > 1 && shorter_exists(fabs(v), digits - 1))
        abort(); /* not the shortest */

    /* Python's layout: exponent form exactly outside 1e-4 <= |v| < 1e16. */
    double a = fabs(v);
    int want_exp = a < 1e-4 || a >= 1e16;
    if (want_exp != (ex != NULL))
        abort();
    if (ex && !(ex[1] == '-' || ex[1] == '+'))
        abort();
    return 0;
}
