/* The library's readers of archive answers: metadata and data pages, the
 * views built on them, and every value accessor; the element-by-element walk
 * of the iterators against the whole-page parse. Input: one HTTP body. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_input.h"

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

/* The iterators' walk (one element at a time) over the same text: -1 when it
 * meets a bad element or is not a list, else the elements. The point reader
 * decodes strings in place, so it walks a copy. */
static long walk_list(const char *data, size_t size, bool points)
{
    char *text = fuzz_text((const uint8_t *)data, size);
    if (!text)
        return -1;
    esm__list l;
    esm_jdoc doc;
    esm_jdoc_init(&doc);
    long n = -1;
    if (esm__list_open(&l, text, size)) {
        const char *at;
        size_t left, used;
        int found;
        while ((found = esm__list_next(&l, &at, &left)) == 1) {
            esm_code rc;
            if (points) {
                long long ts;
                uint32_t val;
                rc = esm__parse_data_point(at, left, &doc, &ts, &val, &used);
            } else {
                json_t *item;
                long long total;
                rc = esm__parse_metadata_item(at, left, &item, &total, &used);
                json_decref(item);
            }
            if (rc != ESM_OK)
                break;
            esm__list_took(&l, used);
        }
        if (found == 0)
            n = (long)l.n;
    }
    esm_jdoc_free(&doc);
    free(text);
    return n;
}

/* Whether jansson reads the page with its integers as integers. A page
 * holding one beyond 64 bits it reads only with every integer as a real,
 * which cannot tell a ts of 1.0 (refused) from 1 nor hold one beyond 2^53;
 * the point reader keeps each integer exact, so such a page is walked but
 * its count not compared. */
static bool integers_exact(const uint8_t *data, size_t size)
{
    json_error_t err;
    json_t *j = json_loadb((const char *)data, size, JSON_ALLOW_NUL, &err);
    json_decref(j);
    return j || json_error_code(&err) != json_error_numeric_overflow;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* Both readings of a page agree: the walk takes what the whole-page
     * parse takes, element for element. */
    json_t *whole = NULL;
    long long whole_total;
    long n = esm__parse_metadata_page((const char *)data, size, &whole, &whole_total) == ESM_OK
                 ? (long)json_array_size(whole) : -1;
    json_decref(whole);
    if (walk_list((const char *)data, size, false) != n)
        abort();
    n = esm__parse_data_page((const char *)data, size, &whole) == ESM_OK ? (long)json_array_size(whole) : -1;
    json_decref(whole);
    if (walk_list((const char *)data, size, true) != n && integers_exact(data, size))
        abort();

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
    char *text = fuzz_text(data, size);
    if (text) {
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
