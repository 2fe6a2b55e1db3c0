/* Optional bridge for programs that use jansson themselves: the parsed JSON
 * behind a value view, so that they need not dump and parse it again. It is
 * kept out of esmond.h, whose API names no dependency's types; a program that
 * includes this header depends on jansson itself (as hiredis' adapters do on
 * their event libraries). Documented in esm_values(3). */
#ifndef ESMOND_JANSSON_H
#define ESMOND_JANSSON_H

#include <jansson.h>

#include "esmond/esmond.h"

/* The value's JSON, borrowed like the view: valid until the view is (take a
 * reference with json_incref() to keep it no longer than that either; do not
 * change it). Integers beyond 64 bits are reals, as in the page they came
 * from (each on its own). Built from the point's tokens on the first call.
 * NULL for a NULL view. */
#pragma GCC visibility push(default)
const json_t *esm_value_jansson(const esm_value *v);
#pragma GCC visibility pop

#endif
