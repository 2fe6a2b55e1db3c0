/* esm_parse_time() on arbitrary text (the tools' --start-time/--end-time). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_input.h"

#include "esmond/esmond.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fuzz_text(data, size);
    if (!text)
        return 0;
    long long out;
    esm_parse_time(text, 1700000000, &out);
    esm_parse_time(text, -86400LL * 365 * 60, &out);
    free(text);
    return 0;
}
