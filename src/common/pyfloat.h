/* Python's text for numbers: repr(float) (shortest round-trip, exponent form
 * below 1e-4 and from 1e16 on, ".0" on integral values), as esmond renders
 * values on the wire and Python's str() shows them (esmond-rest-api §13; the tools print values as
 * the original Python tools did). */
#ifndef ESM_COMMON_PYFLOAT_H
#define ESM_COMMON_PYFLOAT_H

#include <stddef.h>

/* Longest text esm_pyfloat_format() writes, terminator included. */
#define ESM_PYFLOAT_MAX 32

/* Writes repr(v) into buf (at least ESM_PYFLOAT_MAX bytes); returns its length.
 * Non-finite values give "nan", "inf" or "-inf" as Python does. */
size_t esm_pyfloat_format(double v, char buf[ESM_PYFLOAT_MAX]);

/* repr(float(text)) for the text of a JSON number (s[0..n)), straight from
 * its digits when that is exact: at most 15 significant digits in the range
 * of normal doubles, which any double reproduces (DBL_DIG), so they are the
 * shortest that round-trip. Returns the length, or 0 when the number needs
 * esm_pyfloat_format(). */
size_t esm_pyfloat_from_text(const char *s, size_t n, char buf[ESM_PYFLOAT_MAX]);

#endif
