/* The library's readers of archive answers: metadata and data pages, the
 * views built on them, and every value accessor. Input: one HTTP body. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "esmond/esmond_jansson.h"

#include "internal.h"

static void walk_value(const esm_value *v, int depth)
{
    double d;
    long long a, b;
    const char *s;
    esm_subinterval si;
    esm_hop hop;
    esm_value_json(v);
    esm_value_number(v, &d);
    esm_value_percentage(v, &a, &b);
    esm_value_failure(v);
    for (size_t i = 0; i < esm_value_histogram_size(v); i++)
        esm_value_histogram_bucket(v, i, &s, &a);
    size_t n = esm_value_size(v);
    for (size_t i = 0; i < n && i < 64; i++) {
        esm_value_subinterval(v, i, &si);
        esm_value_hop(v, i, &hop);
        const esm_value *kid = esm_value_at(v, i);
        if (kid && depth < 4)
            walk_value(kid, depth + 1);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t *items = NULL;
    long long total;
    if (esm__parse_metadata_page((const char *)data, size, &items, &total) == ESM_OK) {
        size_t i;
        json_t *obj;
        json_array_foreach(items, i, obj) {
            esm_metadata *md = esm__metadata_from_json(obj);
            if (!md)
                continue;
            for (size_t f = 0; f < esm_metadata_field_count(md); f++)
                esm_metadata_get(md, esm_metadata_field_name(md, f));
            for (size_t e = 0; e < esm_metadata_event_type_count(md); e++) {
                const esm_event_type *et = esm_metadata_event_type_at(md, e);
                for (size_t k = 0; k < esm_event_type_summary_count(et); k++) {
                    const esm_summary *s = esm_event_type_summary_at(et, k);
                    esm_event_type_summary(et, esm_summary_type(s), esm_summary_window(s));
                }
            }
            esm_metadata_json(md);
            esm_metadata_free(md);
        }
        json_decref(items);
    }
    /* the page's points as the data iterator reads them */
    char *text = malloc(size + 1);
    if (text) {
        memcpy(text, data, size);
        text[size] = '\0';
        esm_jdoc doc;
        esm_jdoc_init(&doc);
        size_t pos = 0, used;
        while (pos < size && (text[pos] == '[' || text[pos] == ',' || text[pos] == ' ')) {
            long long ts;
            uint32_t val;
            if (esm__parse_data_point(text + pos + 1, size - pos - 1, &doc, &ts, &val, &used) != ESM_OK)
                break;
            struct esm_value v;
            esm__value_init(&v, &doc, val);
            walk_value(&v, 0);
            esm_value_jansson(&v);
            esm__value_clear(&v);
            pos += 1 + used;
        }
        esm_jdoc_free(&doc);
        free(text);
    }
    return 0;
}
