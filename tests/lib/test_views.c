/* JSON views of libesmond: metadata objects, pages and data values, checked
 * against every answer in tests/data/replay, the esmond fixtures' expected
 * lists, the legacy shapes of esmond's REST documentation, and malformed
 * input. jansson reading the same files is the oracle for the generic checks;
 * the spot checks hold values copied from the files by hand. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "esmond/esmond_jansson.h"
#include "json_write.h"

#define DATA ESM_TEST_DATA

/* ---- helpers ---- */

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        fail_msg("cannot open %s", path);
    char *buf = NULL;
    size_t cap = 0, n = 0, got;
    do {
        if (n + 4096 > cap) {
            cap = (n + 4096) * 2;
            buf = realloc(buf, cap + 1);
            assert_non_null(buf);
        }
        got = fread(buf + n, 1, cap - n, f);
        n += got;
    } while (got > 0);
    fclose(f);
    buf[n] = '\0';
    *len = n;
    return buf;
}

static json_t *load_file(const char *path)
{
    json_error_t err;
    json_t *j = json_load_file(path, 0, &err);
    if (!j)
        fail_msg("%s: %s", path, err.text);
    return j;
}

static json_t *parse(const char *text)
{
    json_error_t err;
    json_t *j = json_loads(text, JSON_DECODE_ANY | JSON_ALLOW_NUL, &err);
    if (!j)
        fail_msg("bad test JSON %s: %s", text, err.text);
    return j;
}

/* A view of the tokens of j's text (as a page's reader makes them), and
 * their release: the tokens hang off the view's doc. */
typedef struct {
    esm_jdoc doc; /* first: the view's doc pointer is the holder's */
    char *text;
} view_tokens;

static void init_view(struct esm_value *v, const json_t *j)
{
    view_tokens *t = malloc(sizeof *t);
    assert_non_null(t);
    t->text = json_dumps(j, JSON_ENCODE_ANY | JSON_REAL_PRECISION(17));
    assert_non_null(t->text);
    esm_jdoc_init(&t->doc);
    size_t used;
    assert_int_equal(esm_jdoc_parse(&t->doc, t->text, strlen(t->text), &used), ESM_JT_OK);
    esm__value_init(v, &t->doc, 0);
}

static void clear_view(struct esm_value *v)
{
    view_tokens *t = (view_tokens *)v->doc;
    esm__value_clear(v);
    esm_jdoc_free(&t->doc);
    free(t->text);
    free(t);
}

/* A value view over its own JSON. */
typedef struct {
    json_t *json;
    struct esm_value v;
} owned_value;

static owned_value *value_of(const char *text)
{
    owned_value *o = malloc(sizeof *o);
    assert_non_null(o);
    o->json = parse(text);
    init_view(&o->v, o->json);
    return o;
}

static void value_free(owned_value *o)
{
    clear_view(&o->v);
    json_decref(o->json);
    free(o);
}

static esm_metadata *metadata_of(const char *text)
{
    json_t *j = parse(text);
    esm_metadata *md = esm__metadata_from_json(j);
    json_decref(j);
    return md;
}

static bool is_pagination(const char *name)
{
    return strcmp(name, "metadata-count-total") == 0 || strcmp(name, "metadata-previous-page") == 0 ||
           strcmp(name, "metadata-next-page") == 0;
}

static long long window_of(json_t *j)
{
    return json_is_integer(j) ? json_integer_value(j) : strtoll(json_string_value(j), NULL, 10);
}

/* ---- metadata: generic check of one object against its JSON ---- */

typedef struct {
    size_t objects, fields, event_types, never_updated, summaries;
} md_counts;

static void check_metadata(json_t *obj, md_counts *counts)
{
    esm_metadata *md = esm__metadata_from_json(obj);
    assert_non_null(md);
    counts->objects++;
    assert_string_equal(esm_metadata_key(md), json_string_value(json_object_get(obj, "metadata-key")));
    assert_string_equal(esm_metadata_uri(md), json_string_value(json_object_get(obj, "uri")));
    const char *url = json_string_value(json_object_get(obj, "url"));
    if (url)
        assert_string_equal(esm_metadata_get(md, "url"), url);
    else
        assert_null(esm_metadata_get(md, "url"));

    /* fields: every string member in order, but event-types, url and pagination */
    size_t k = 0;
    const char *name;
    json_t *member;
    json_object_foreach(obj, name, member) {
        if (strcmp(name, "event-types") == 0 || is_pagination(name))
            assert_null(esm_metadata_get(md, name));
        if (strcmp(name, "event-types") == 0 || strcmp(name, "url") == 0 || is_pagination(name))
            continue;
        assert_true(json_is_string(member));
        assert_string_equal(esm_metadata_field_name(md, k), name);
        assert_string_equal(esm_metadata_field_value(md, k), json_string_value(member));
        assert_ptr_equal(esm_metadata_get(md, name), esm_metadata_field_value(md, k));
        k++;
    }
    assert_int_equal(esm_metadata_field_count(md), k);
    assert_null(esm_metadata_field_name(md, k));
    assert_null(esm_metadata_field_value(md, k));
    counts->fields += k;

    json_t *ets = json_object_get(obj, "event-types");
    assert_int_equal(esm_metadata_event_type_count(md), json_array_size(ets));
    assert_null(esm_metadata_event_type_at(md, json_array_size(ets)));
    size_t i;
    json_t *jet;
    json_array_foreach(ets, i, jet) {
        const esm_event_type *et = esm_metadata_event_type_at(md, i);
        const char *et_name = json_string_value(json_object_get(jet, "event-type"));
        assert_string_equal(esm_event_type_name(et), et_name);
        assert_ptr_equal(esm_metadata_event_type(md, et_name), et);
        assert_string_equal(esm_event_type_base_uri(et), json_string_value(json_object_get(jet, "base-uri")));
        assert_int_equal(esm_event_type_data_type(et), esm_catalog_data_type(et_name));
        long long t = -1;
        json_t *jt = json_object_get(jet, "time-updated");
        if (json_is_null(jt)) {
            assert_false(esm_event_type_time_updated(et, &t));
            counts->never_updated++;
        } else {
            assert_true(esm_event_type_time_updated(et, &t));
            assert_int_equal(t, json_integer_value(jt));
        }
        json_t *sums = json_object_get(jet, "summaries");
        assert_int_equal(esm_event_type_summary_count(et), json_array_size(sums));
        assert_null(esm_event_type_summary_at(et, json_array_size(sums)));
        size_t j;
        json_t *js;
        json_array_foreach(sums, j, js) {
            const esm_summary *s = esm_event_type_summary_at(et, j);
            const char *type = json_string_value(json_object_get(js, "summary-type"));
            long long window = window_of(json_object_get(js, "summary-window"));
            assert_string_equal(esm_summary_type(s), type);
            assert_int_equal(esm_summary_window(s), window);
            assert_string_equal(esm_summary_uri(s), json_string_value(json_object_get(js, "uri")));
            assert_ptr_equal(esm_event_type_summary(et, type, window), s);
            jt = json_object_get(js, "time-updated");
            if (json_is_null(jt)) {
                assert_false(esm_summary_time_updated(s, &t));
            } else {
                assert_true(esm_summary_time_updated(s, &t));
                assert_int_equal(t, json_integer_value(jt));
            }
            counts->summaries++;
        }
        counts->event_types++;
    }
    assert_null(esm_metadata_event_type(md, "no-such-type"));

    /* the JSON text is the object without the page's members */
    json_t *expected = json_deep_copy(obj);
    json_object_del(expected, "metadata-count-total");
    json_object_del(expected, "metadata-previous-page");
    json_object_del(expected, "metadata-next-page");
    json_t *back = parse(esm_metadata_json(md));
    assert_true(json_equal(back, expected));
    assert_null(strstr(esm_metadata_json(md), "metadata-count-total"));
    json_decref(back);
    json_decref(expected);

    /* a copy outlives the view and holds the same content */
    char *text = strdup(esm_metadata_json(md));
    size_t n_event_types = esm_metadata_event_type_count(md), n_fields = esm_metadata_field_count(md);
    esm_metadata *dup = esm_metadata_dup(md);
    esm_metadata_free(md);
    assert_non_null(dup);
    assert_string_equal(esm_metadata_json(dup), text);
    assert_string_equal(esm_metadata_key(dup), json_string_value(json_object_get(obj, "metadata-key")));
    assert_int_equal(esm_metadata_event_type_count(dup), n_event_types);
    assert_int_equal(esm_metadata_field_count(dup), n_fields);
    free(text);
    esm_metadata_free(dup);
    assert_null(esm_metadata_dup(NULL));
}

static json_t *metadata_page_file(const char *path, long long *total)
{
    size_t len;
    char *body = slurp(path, &len);
    json_t *items = NULL;
    assert_int_equal(esm__parse_metadata_page(body, len, &items, total), ESM_OK);
    free(body);
    assert_true(json_is_array(items));
    return items;
}

/* Finds the element with the given key. */
static json_t *by_key(json_t *items, const char *key)
{
    size_t i;
    json_t *obj;
    json_array_foreach(items, i, obj)
        if (strcmp(json_string_value(json_object_get(obj, "metadata-key")), key) == 0)
            return obj;
    fail_msg("no metadata %s", key);
    return NULL;
}

/* ---- metadata ---- */

static void test_replay_metadata_all(void **state)
{
    (void)state;
    long long total = 0;
    json_t *items = metadata_page_file(DATA "/replay/metadata.json", &total);
    assert_int_equal(total, -1); /* the file is a page without the server's totals */
    assert_int_equal(json_array_size(items), 19);
    md_counts counts = {0};
    size_t i;
    json_t *obj;
    json_array_foreach(items, i, obj)
        check_metadata(obj, &counts);
    assert_int_equal(counts.objects, 19);
    assert_int_equal(counts.fields, 227);
    assert_int_equal(counts.event_types, 109);
    assert_int_equal(counts.never_updated, 35);
    assert_int_equal(counts.summaries, 33);
    json_decref(items);
}

static void test_replay_metadata_owamp(void **state)
{
    (void)state;
    json_t *items = load_file(DATA "/replay/metadata.json");
    esm_metadata *md = esm__metadata_from_json(by_key(items, "0CB19291FB6D40EAA1955376772BF5D2"));
    json_decref(items); /* the view holds its own reference */
    assert_non_null(md);
    static const char *const fields[][2] = {
        {"metadata-key", "0CB19291FB6D40EAA1955376772BF5D2"},
        {"subject-type", "point-to-point"},
        {"source", "198.129.252.142"},
        {"destination", "198.124.252.154"},
        {"measurement-agent", "198.129.252.142"},
        {"tool-name", "owamp/powstream"},
        {"input-source", "lbl-owamp.es.net"},
        {"input-destination", "chic-owamp.es.net"},
        {"ip-packet-interval", ".1"},
        {"sample-bucket-width", ".0001"},
        {"time-duration", "60"},
        {"uri", "/esmond/perfsonar/archive/0CB19291FB6D40EAA1955376772BF5D2/"},
    };
    assert_int_equal(esm_metadata_field_count(md), 12);
    for (size_t i = 0; i < 12; i++) {
        assert_string_equal(esm_metadata_field_name(md, i), fields[i][0]);
        assert_string_equal(esm_metadata_field_value(md, i), fields[i][1]);
    }
    assert_string_equal(esm_metadata_get(md, "url"),
                        "http://archive.example.net/esmond/perfsonar/archive/0CB19291FB6D40EAA1955376772BF5D2/");
    assert_null(esm_metadata_get(md, "event-types"));
    assert_null(esm_metadata_get(md, "ip-transport-protocol"));

    assert_int_equal(esm_metadata_event_type_count(md), 5);
    const esm_event_type *owd = esm_metadata_event_type(md, "histogram-owdelay");
    assert_ptr_equal(owd, esm_metadata_event_type_at(md, 0));
    assert_int_equal(esm_event_type_data_type(owd), ESM_TYPE_HISTOGRAM);
    assert_string_equal(esm_event_type_base_uri(owd),
                        "/esmond/perfsonar/archive/0CB19291FB6D40EAA1955376772BF5D2/histogram-owdelay/base");
    long long t = 0;
    assert_true(esm_event_type_time_updated(owd, &t));
    assert_int_equal(t, 1391615950);
    assert_int_equal(esm_event_type_summary_count(owd), 1);
    const esm_summary *agg = esm_event_type_summary(owd, "aggregation", 86400);
    assert_non_null(agg);
    assert_string_equal(esm_summary_uri(agg),
                        "/esmond/perfsonar/archive/0CB19291FB6D40EAA1955376772BF5D2/histogram-owdelay/aggregations/86400");
    assert_true(esm_summary_time_updated(agg, &t));
    assert_int_equal(t, 1391613631);
    assert_null(esm_event_type_summary(owd, "aggregation", 3600));
    assert_null(esm_event_type_summary(owd, "average", 86400));
    assert_null(esm_event_type_summary(owd, "aggregations", 86400)); /* the URL name is not the type */
    assert_int_equal(esm_event_type_data_type(esm_metadata_event_type(md, "packet-count-lost")), ESM_TYPE_INTEGER);
    assert_int_equal(esm_event_type_summary_count(esm_metadata_event_type(md, "histogram-ttl")), 0);
    assert_null(esm_event_type_summary_at(esm_metadata_event_type(md, "histogram-ttl"), 0));
    esm_metadata_free(md);
}

static void test_replay_metadata_others(void **state)
{
    (void)state;
    json_t *items = load_file(DATA "/replay/metadata.json");
    long long t = 0;

    /* network-element: no destination fields */
    esm_metadata *ne = esm__metadata_from_json(by_key(items, "9d7e3c1a5b2f4e6d8c0a1b2c3d4e5f60"));
    assert_non_null(ne);
    assert_string_equal(esm_metadata_get(ne, "subject-type"), "network-element");
    assert_null(esm_metadata_get(ne, "destination"));
    assert_null(esm_metadata_get(ne, "input-destination"));
    assert_int_equal(esm_metadata_field_count(ne), 7);
    assert_int_equal(esm_event_type_data_type(esm_metadata_event_type(ne, "ntp-offset")), ESM_TYPE_FLOAT);
    assert_int_equal(esm_event_type_data_type(esm_metadata_event_type(ne, "ntp-stratum")), ESM_TYPE_INTEGER);
    esm_metadata_free(ne);

    /* iperf3 with two summaries and failures */
    esm_metadata *bw = esm__metadata_from_json(by_key(items, "f6b732e9f351487a96126f0c25e5e546"));
    const esm_event_type *tp = esm_metadata_event_type(bw, "throughput");
    assert_int_equal(esm_event_type_summary_count(tp), 2);
    assert_true(esm_summary_time_updated(esm_event_type_summary(tp, "aggregation", 86400), &t));
    assert_int_equal(t, 1398785369);
    assert_true(esm_summary_time_updated(esm_event_type_summary(tp, "average", 86400), &t));
    assert_int_equal(t, 1398797791);
    const esm_event_type *fail = esm_metadata_event_type(bw, "failures");
    assert_int_equal(esm_event_type_data_type(fail), ESM_TYPE_JSON);
    assert_true(esm_event_type_time_updated(fail, &t));
    assert_int_equal(t, 1397315930);
    assert_int_equal(esm_event_type_data_type(esm_metadata_event_type(bw, "throughput-subintervals")),
                     ESM_TYPE_SUBINTERVAL);
    assert_string_equal(esm_metadata_get(bw, "bw-parallel-streams"), "2");
    esm_metadata_free(bw);

    /* never written: null time-updated on the event type and its summary */
    esm_metadata *v6 = esm__metadata_from_json(by_key(items, "a0368603e2e8458b9ee687df4e7cc762"));
    tp = esm_metadata_event_type(v6, "throughput");
    t = 42;
    assert_false(esm_event_type_time_updated(tp, &t));
    assert_false(esm_summary_time_updated(esm_event_type_summary(tp, "average", 86400), &t));
    assert_int_equal(t, 42);
    assert_string_equal(esm_metadata_get(v6, "source"), "2001:400:201:1150::3");
    esm_metadata_free(v6);
    json_decref(items);
}

static void test_expected_lists(void **state)
{
    (void)state;
    long long total = 0;
    json_t *items = metadata_page_file(DATA "/esmond/derived/perfsonar_api_metadata.expected-list.json", &total);
    assert_int_equal(total, 16);
    md_counts counts = {0};
    size_t i;
    json_t *obj;
    json_array_foreach(items, i, obj)
        check_metadata(obj, &counts);
    assert_int_equal(counts.objects, 16);
    assert_int_equal(counts.event_types, 101);
    assert_int_equal(counts.summaries, 32);

    /* element 0 carries the page's members: the view leaves them out and the page keeps them */
    json_t *first = json_array_get(items, 0);
    esm_metadata *md = esm__metadata_from_json(first);
    assert_null(esm_metadata_get(md, "metadata-count-total"));
    assert_null(esm_metadata_get(md, "metadata-next-page"));
    assert_string_equal(esm_metadata_field_name(md, esm_metadata_field_count(md) - 1), "uri");
    assert_null(strstr(esm_metadata_json(md), "metadata-previous-page"));
    assert_int_equal(json_integer_value(json_object_get(first, "metadata-count-total")), 16);
    esm_metadata_free(md);

    /* esmond-rest-api §10.3: a retired event type stays readable */
    md = esm__metadata_from_json(by_key(items, "e99bbc44b7b041c7ad9e51dc6a053b8c"));
    const esm_event_type *retired = esm_metadata_event_type(md, "streams-retransmits");
    assert_non_null(retired);
    assert_int_equal(esm_event_type_data_type(retired), ESM_TYPE_UNKNOWN);
    assert_string_equal(esm_event_type_base_uri(retired),
                        "/perfsonar/archive/e99bbc44b7b041c7ad9e51dc6a053b8c/streams-retransmits/base");
    const esm_summary *avg = esm_event_type_summary(esm_metadata_event_type(md, "throughput"), "average", 3600);
    assert_string_equal(esm_summary_uri(avg), "/perfsonar/archive/e99bbc44b7b041c7ad9e51dc6a053b8c/throughput/averages/3600");
    assert_string_equal(esm_metadata_get(md, "input-source"), "bost-pt1.es.net");
    esm_metadata_free(md);
    json_decref(items);

    items = metadata_page_file(DATA "/esmond/derived/perfsonar_client_metadata.expected-list.json", &total);
    assert_int_equal(total, 2);
    memset(&counts, 0, sizeof counts);
    json_array_foreach(items, i, obj)
        check_metadata(obj, &counts);
    assert_int_equal(counts.event_types, 6);
    json_decref(items);
}

/* elmond: integer windows, /base/0 base URIs (esmond-rest-api §14) */
static void test_elmond_integer_windows(void **state)
{
    (void)state;
    esm_metadata *md = metadata_of(
        "{\"metadata-key\":\"k1\",\"uri\":\"/esmond/perfsonar/archive/k1/\",\"event-types\":["
        "{\"event-type\":\"histogram-rtt\",\"base-uri\":\"/esmond/perfsonar/archive/k1/histogram-rtt/base/0\","
        "\"time-updated\":null,\"summaries\":["
        "{\"summary-type\":\"statistics\",\"summary-window\":0,\"uri\":\"/s/0\",\"time-updated\":null},"
        "{\"summary-type\":\"aggregation\",\"summary-window\":86400,\"uri\":\"/a/86400\",\"time-updated\":1700000000},"
        "{\"summary-type\":\"statistics\",\"summary-window\":\"86400\",\"uri\":\"/s/86400\"}]}]}");
    assert_non_null(md);
    const esm_event_type *et = esm_metadata_event_type(md, "histogram-rtt");
    assert_string_equal(esm_event_type_base_uri(et), "/esmond/perfsonar/archive/k1/histogram-rtt/base/0");
    assert_false(esm_event_type_time_updated(et, NULL));
    assert_int_equal(esm_summary_window(esm_event_type_summary_at(et, 0)), 0);
    assert_string_equal(esm_summary_uri(esm_event_type_summary(et, "statistics", 0)), "/s/0");
    assert_string_equal(esm_summary_uri(esm_event_type_summary(et, "aggregation", 86400)), "/a/86400");
    assert_string_equal(esm_summary_uri(esm_event_type_summary(et, "statistics", 86400)), "/s/86400");
    long long t = 0;
    assert_true(esm_summary_time_updated(esm_event_type_summary(et, "aggregation", 86400), &t));
    assert_int_equal(t, 1700000000);
    assert_false(esm_summary_time_updated(esm_event_type_summary(et, "statistics", 86400), &t));
    assert_null(esm_event_type_summary(et, "aggregation", 0));
    esm_metadata_free(md);
}

/* Numbers where strings belong: rendered as Python's str() (esmond-rest-api §6.3). */
static void test_odd_field_values(void **state)
{
    (void)state;
    esm_metadata *md = metadata_of(
        "{\"metadata-key\":\"k2\",\"time-duration\":20,\"time-probe-interval\":0.1,\"ip-tos\":20.0,"
        "\"flag\":true,\"off\":false,\"big\":1e16,\"tiny\":0.00001,\"neg\":-3,\"nothing\":null,"
        "\"list\":[1],\"obj\":{\"a\":1},\"tool-name\":\"\"}");
    assert_non_null(md);
    assert_string_equal(esm_metadata_get(md, "time-duration"), "20");
    assert_string_equal(esm_metadata_get(md, "time-probe-interval"), "0.1");
    assert_string_equal(esm_metadata_get(md, "ip-tos"), "20.0");
    assert_string_equal(esm_metadata_get(md, "flag"), "True");
    assert_string_equal(esm_metadata_get(md, "off"), "False");
    assert_string_equal(esm_metadata_get(md, "big"), "1e+16");
    assert_string_equal(esm_metadata_get(md, "tiny"), "1e-05");
    assert_string_equal(esm_metadata_get(md, "neg"), "-3");
    assert_string_equal(esm_metadata_get(md, "tool-name"), "");
    assert_null(esm_metadata_get(md, "nothing"));
    assert_null(esm_metadata_get(md, "list"));
    assert_null(esm_metadata_get(md, "obj"));
    assert_null(esm_metadata_get(md, NULL));
    assert_int_equal(esm_metadata_field_count(md), 10);
    assert_string_equal(esm_metadata_field_name(md, 9), "tool-name");
    assert_null(esm_metadata_uri(md));
    assert_null(esm_metadata_get(md, "url"));
    assert_int_equal(esm_metadata_event_type_count(md), 0);
    assert_string_equal(esm_metadata_json(md),
                        "{\"metadata-key\":\"k2\",\"time-duration\":20,\"time-probe-interval\":0.1,\"ip-tos\":20.0,"
                        "\"flag\":true,\"off\":false,\"big\":1e+16,\"tiny\":1e-05,\"neg\":-3,\"nothing\":null,"
                        "\"list\":[1],\"obj\":{\"a\":1},\"tool-name\":\"\"}");
    esm_metadata_free(md);
}

static void test_missing_optional_members(void **state)
{
    (void)state;
    esm_metadata *md = metadata_of("{\"metadata-key\":\"only\"}");
    assert_non_null(md);
    assert_string_equal(esm_metadata_key(md), "only");
    assert_null(esm_metadata_uri(md));
    assert_int_equal(esm_metadata_field_count(md), 1);
    assert_int_equal(esm_metadata_event_type_count(md), 0);
    esm_metadata_free(md);

    md = metadata_of("{\"metadata-key\":\"k\",\"event-types\":[{\"event-type\":\"throughput\"},"
                     "{\"event-type\":\"x-new\",\"summaries\":null,\"time-updated\":\"1398785369\"},"
                     "{\"event-type\":\"path-mtu\",\"time-updated\":1398785369.75,\"summaries\":[]}]}");
    assert_non_null(md);
    const esm_event_type *et = esm_metadata_event_type_at(md, 0);
    assert_null(esm_event_type_base_uri(et));
    assert_false(esm_event_type_time_updated(et, NULL));
    assert_int_equal(esm_event_type_summary_count(et), 0);
    assert_int_equal(esm_event_type_data_type(et), ESM_TYPE_INTEGER);
    long long t = 0;
    et = esm_metadata_event_type(md, "x-new");
    assert_int_equal(esm_event_type_data_type(et), ESM_TYPE_UNKNOWN);
    assert_true(esm_event_type_time_updated(et, &t));
    assert_int_equal(t, 1398785369);
    assert_true(esm_event_type_time_updated(esm_metadata_event_type(md, "path-mtu"), &t));
    assert_int_equal(t, 1398785369); /* truncated */
    esm_metadata_free(md);

    /* NULL handles answer like absent things */
    assert_null(esm_metadata_key(NULL));
    assert_null(esm_metadata_get(NULL, "source"));
    assert_int_equal(esm_metadata_field_count(NULL), 0);
    assert_null(esm_metadata_json(NULL));
    assert_null(esm_metadata_event_type(NULL, "throughput"));
    assert_null(esm_event_type_name(NULL));
    assert_int_equal(esm_event_type_data_type(NULL), ESM_TYPE_UNKNOWN);
    assert_false(esm_event_type_time_updated(NULL, &t));
    assert_null(esm_event_type_summary(NULL, "average", 0));
    assert_null(esm_summary_type(NULL));
    assert_int_equal(esm_summary_window(NULL), -1);
    esm_metadata_free(NULL);
}

static void test_bad_metadata(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "[]",
        "\"metadata\"",
        "{}",
        "{\"metadata-key\":null}",
        "{\"metadata-key\":17}",
        "{\"metadata-key\":\"k\",\"event-types\":{}}",
        "{\"metadata-key\":\"k\",\"event-types\":\"throughput\"}",
        "{\"metadata-key\":\"k\",\"event-types\":[\"throughput\"]}",
        "{\"metadata-key\":\"k\",\"event-types\":[{\"base-uri\":\"/b\"}]}",
        "{\"metadata-key\":\"k\",\"event-types\":[{\"event-type\":7}]}",
        "{\"metadata-key\":\"k\",\"event-types\":[{\"event-type\":\"throughput\",\"summaries\":{}}]}",
        "{\"metadata-key\":\"k\",\"event-types\":[{\"event-type\":\"throughput\",\"summaries\":[1]}]}",
        "{\"metadata-key\":\"k\",\"event-types\":[{\"event-type\":\"throughput\",\"summaries\":"
        "[{\"summary-type\":\"average\",\"summary-window\":\"daily\"}]}]}",
        "{\"metadata-key\":\"k\",\"event-types\":[{\"event-type\":\"throughput\",\"summaries\":"
        "[{\"summary-type\":\"average\"}]}]}",
        "{\"metadata-key\":\"k\",\"event-types\":[{\"event-type\":\"throughput\",\"summaries\":"
        "[{\"summary-window\":\"86400\"}]}]}",
        "{\"metadata-key\":\"k\",\"event-types\":[{\"event-type\":\"throughput\"},{\"event-type\":\"failures\","
        "\"summaries\":[{\"summary-type\":\"average\",\"summary-window\":86400.5}]}]}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        esm_metadata *md = metadata_of(bad[i]);
        if (md)
            fail_msg("accepted %s", bad[i]);
    }
    assert_null(esm__metadata_from_json(NULL));
}

/* BWCTL-era documentation examples (esmond's perfsonar_client_rest.rst) */
static void test_rest_doc_metadata(void **state)
{
    (void)state;
    json_t *examples = load_file(DATA "/esmond/extracted/rest_doc_examples.json");
    size_t i, lists = 0, posts = 0, bodies = 0;
    json_t *ex;
    md_counts counts = {0};
    json_array_foreach(examples, i, ex) {
        const char *kind = json_string_value(json_object_get(ex, "kind"));
        json_t *j = json_object_get(ex, "json");
        if (strcmp(kind, "metadata-list-response") == 0) {
            char *text = json_dumps(j, 0);
            json_t *items = NULL;
            long long total = 0;
            assert_int_equal(esm__parse_metadata_page(text, strlen(text), &items, &total), ESM_OK);
            assert_int_equal(total, -1);
            size_t k;
            json_t *obj;
            json_array_foreach(items, k, obj)
                check_metadata(obj, &counts);
            json_decref(items);
            free(text);
            lists++;
        } else if (strcmp(kind, "metadata-post-response") == 0) {
            check_metadata(j, &counts);
            posts++;
        } else if (strcmp(kind, "metadata-post-body") == 0) {
            /* what a careless server could echo back: numbers in free-form fields */
            json_t *obj = json_deep_copy(j);
            json_object_set_new(obj, "metadata-key", json_string("posted"));
            esm_metadata *md = esm__metadata_from_json(obj);
            assert_non_null(md);
            const char *name;
            json_t *member;
            json_object_foreach(obj, name, member) {
                if (json_is_integer(member)) {
                    char want[32];
                    snprintf(want, sizeof want, "%lld", (long long)json_integer_value(member));
                    assert_string_equal(esm_metadata_get(md, name), want);
                }
            }
            const esm_event_type *failures = esm_metadata_event_type(md, "failures");
            assert_non_null(failures);
            assert_null(esm_event_type_base_uri(failures));
            esm_metadata_free(md);
            json_decref(obj);
            bodies++;
        } else if (strcmp(kind, "event-types-fragment") == 0) {
            assert_null(esm__metadata_from_json(j)); /* no metadata-key */
        }
    }
    assert_int_equal(lists, 1);
    assert_int_equal(posts, 1);
    assert_int_equal(bodies, 4);
    assert_int_equal(counts.objects, 2);

    /* spot checks of the numbers the bodies carry */
    json_t *powstream = json_deep_copy(json_object_get(json_array_get(examples, 16), "json"));
    json_object_set_new(powstream, "metadata-key", json_string("p"));
    esm_metadata *md = esm__metadata_from_json(powstream);
    assert_string_equal(esm_metadata_get(md, "tool-name"), "powstream");
    assert_string_equal(esm_metadata_get(md, "time-duration"), "60");
    assert_string_equal(esm_metadata_get(md, "time-probe-interval"), "0.1");
    assert_string_equal(esm_metadata_get(md, "sample-bucket-width"), "0.0001");
    esm_metadata_free(md);
    json_decref(powstream);
    json_decref(examples);
}

/* ---- pages ---- */

static esm_code metadata_page(const char *body, json_t **items, long long *total)
{
    return esm__parse_metadata_page(body, body ? strlen(body) : 0, items, total);
}

static esm_code data_page(const char *body, json_t **items)
{
    return esm__parse_data_page(body, body ? strlen(body) : 0, items);
}

static void test_metadata_pages(void **state)
{
    (void)state;
    json_t *items = NULL;
    long long total = 0;
    assert_int_equal(metadata_page("[]", &items, &total), ESM_OK);
    assert_int_equal(json_array_size(items), 0);
    assert_int_equal(total, -1);
    json_decref(items);

    assert_int_equal(metadata_page(" [{\"metadata-key\":\"a\",\"metadata-count-total\":3}]\n", &items, &total), ESM_OK);
    assert_int_equal(total, 3);
    json_decref(items);

    /* a total that is not a count is no total */
    static const char *const no_total[] = {
        "[{\"metadata-key\":\"a\",\"metadata-count-total\":\"3\"}]",
        "[{\"metadata-key\":\"a\",\"metadata-count-total\":3.0}]",
        "[{\"metadata-key\":\"a\",\"metadata-count-total\":-5}]",
        "[{\"metadata-key\":\"a\",\"metadata-count-total\":null}]",
        "[{\"metadata-key\":\"a\"},{\"metadata-count-total\":3}]",
        "[7,{\"metadata-count-total\":3}]",
    };
    for (size_t i = 0; i < sizeof no_total / sizeof no_total[0]; i++) {
        total = 0;
        assert_int_equal(metadata_page(no_total[i], &items, &total), ESM_OK);
        assert_int_equal(total, -1);
        json_decref(items);
    }

    /* an integer too big for 64 bits in a free-form field does not lose the page */
    assert_int_equal(metadata_page("[{\"metadata-key\":\"a\",\"metadata-count-total\":1,"
                                   "\"odd\":123456789012345678901234567890}]",
                                   &items, &total),
                     ESM_OK);
    assert_int_equal(total, 1);
    esm_metadata *md = esm__metadata_from_json(json_array_get(items, 0));
    assert_string_equal(esm_metadata_get(md, "odd"), "1.2345678901234568e+29");
    esm_metadata_free(md);
    json_decref(items);

    static const char *const bad[] = {
        "", "   ", "{}", "{\"metadata-key\":\"a\"}", "\"[]\"", "null", "17", "[", "[]]", "[] x",
        "[{\"metadata-key\":\"a\",\"v\":NaN}]", "[{\"metadata-key\":\"a\",\"v\":Infinity}]", "[1e400]",
        "<html><body>Not Found</body></html>",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        items = (json_t *)1;
        total = 0;
        if (metadata_page(bad[i], &items, &total) != ESM_ERR_PROTOCOL)
            fail_msg("accepted %s", bad[i]);
        assert_null(items);
        assert_int_equal(total, -1);
    }
    items = (json_t *)1;
    assert_int_equal(metadata_page(NULL, &items, &total), ESM_ERR_PROTOCOL);
    assert_null(items);
    /* the length counts, not the terminator */
    assert_int_equal(esm__parse_metadata_page("[]garbage", 2, &items, &total), ESM_OK);
    json_decref(items);
}

static void test_data_pages(void **state)
{
    (void)state;
    json_t *items = NULL;
    assert_int_equal(data_page("[]", &items), ESM_OK);
    assert_int_equal(json_array_size(items), 0);
    json_decref(items);

    assert_int_equal(data_page("[{\"ts\":1,\"val\":null},{\"val\":[],\"ts\":-5,\"extra\":1}]", &items), ESM_OK);
    assert_int_equal(json_array_size(items), 2);
    json_decref(items);

    /* values beyond 64 bits: read as reals, ts still an integer */
    assert_int_equal(data_page("[{\"ts\":1398732990,\"val\":{\"9\":123456789012345678901234}}]", &items), ESM_OK);
    json_t *ts = json_object_get(json_array_get(items, 0), "ts");
    assert_true(json_is_integer(ts));
    assert_int_equal(json_integer_value(ts), 1398732990);
    struct esm_value v;
    init_view(&v, json_object_get(json_array_get(items, 0), "val"));
    const char *bucket;
    long long count;
    assert_int_equal(esm_value_histogram_bucket(&v, 0, &bucket, &count), ESM_ERR_TYPE); /* > 2^63 */
    double d;
    assert_int_equal(esm_value_number(esm_value_member(&v, "9"), &d), ESM_OK);
    assert_true(fabs(d - 1.2345678901234568e23) < 1e8);
    clear_view(&v);
    json_decref(items);

    assert_int_equal(data_page("[{\"ts\":1,\"val\":9223372036854775807}]", &items), ESM_OK);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(items, 0), "val")), INT64_MAX);
    json_decref(items);

    static const char *const bad[] = {
        "", "{}", "{\"ts\":1,\"val\":1}", "[1]", "[[1,2]]", "[null]",
        "[{\"val\":1}]", "[{\"ts\":1}]", "[{\"ts\":\"1\",\"val\":1}]", "[{\"ts\":1.0,\"val\":1}]",
        "[{\"ts\":1.5,\"val\":1}]", "[{\"ts\":null,\"val\":1}]", "[{\"ts\":true,\"val\":1}]",
        "[{\"ts\":1,\"val\":1},{\"ts\":2}]", "[{\"ts\":1,\"val\":NaN}]", "[{\"ts\":1,\"val\":-Infinity}]",
        "[{\"ts\":1,\"val\":1e999}]", "[{\"ts\":123456789012345678901234,\"val\":1}]",
        "[{\"ts\":1,\"val\":1}", "[{\"ts\":1,\"val\":1}] []",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        items = (json_t *)1;
        if (data_page(bad[i], &items) != ESM_ERR_PROTOCOL)
            fail_msg("accepted %s", bad[i]);
        assert_null(items);
    }
    items = (json_t *)1;
    assert_int_equal(data_page(NULL, &items), ESM_ERR_PROTOCOL);
    assert_null(items);
}

/* One point as the data iterator reads it. */
static esm_code point_of(const char *text, esm_jdoc *doc, long long *ts, uint32_t *val)
{
    static char buf[256];
    snprintf(buf, sizeof buf, "%s", text);
    size_t used;
    return esm__parse_data_point(buf, strlen(buf), doc, ts, val, &used);
}

static void test_data_points(void **state)
{
    (void)state;
    esm_jdoc doc;
    esm_jdoc_init(&doc);
    long long ts;
    uint32_t val;
    assert_int_equal(point_of("{\"val\":[],\"ts\":-5,\"extra\":1}, {", &doc, &ts, &val), ESM_OK);
    assert_int_equal(ts, -5);
    assert_int_equal(doc.tok[val].type, ESM_JT_ARRAY);
    /* the last of repeated members, as jansson and Python read them */
    assert_int_equal(point_of("{\"ts\":1,\"val\":1,\"ts\":2}", &doc, &ts, &val), ESM_OK);
    assert_int_equal(ts, 2);

    /* an integer beyond 64 bits is a real; the integers beside it stay integers */
    assert_int_equal(point_of("{\"ts\":1398732990,\"val\":{\"9\":123456789012345678901234,\"10\":5}}", &doc, &ts,
                              &val),
                     ESM_OK);
    assert_int_equal(ts, 1398732990);
    struct esm_value v;
    esm__value_init(&v, &doc, val);
    assert_string_equal(esm_value_json(&v), "{\"9\":1.2345678901234569e+23,\"10\":5}"); /* Python: the same */
    assert_true(json_is_integer(json_object_get(esm_value_jansson(&v), "10")));
    assert_true(json_is_real(json_object_get(esm_value_jansson(&v), "9")));
    esm__value_clear(&v);

    static const char *const bad[] = {
        "", "1", "[1]", "null", "{\"val\":1}", "{\"ts\":1}", "{\"ts\":\"1\",\"val\":1}", "{\"ts\":1.0,\"val\":1}",
        "{\"ts\":1.5,\"val\":1}", "{\"ts\":null,\"val\":1}", "{\"ts\":true,\"val\":1}", "{\"ts\":1,\"val\":NaN}",
        "{\"ts\":1,\"val\":-Infinity}", "{\"ts\":1,\"val\":1e999}", "{\"ts\":123456789012345678901234,\"val\":1}",
        "{\"ts\":1,\"val\":1", "{\"ts\":1,\"val\":\"\\ud800\"}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (point_of(bad[i], &doc, &ts, &val) != ESM_ERR_PROTOCOL)
            fail_msg("accepted %s", bad[i]);
    esm_jdoc_free(&doc);
}

/* ---- values: one generic check per shape (esmond-rest-api §10.4) ---- */

typedef enum {
    SHAPE_NUMBER,
    SHAPE_PERCENTAGE,
    SHAPE_HISTOGRAM,
    SHAPE_STATISTICS,
    SHAPE_SUBINTERVALS,
    SHAPE_STREAM_SUBINTERVALS,
    SHAPE_NUMBER_LIST,
    SHAPE_TRACE,
    SHAPE_FAILURE,
    SHAPE_COUNT
} shape;

typedef struct {
    size_t values[SHAPE_COUNT];
    size_t hops, failed_hops, subintervals;
} shape_counts;

static bool starts(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

static bool ends(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* The shape a value of event_type has, in base data or the named summary. */
static shape shape_of(const char *event_type, const char *summary, const json_t *val)
{
    if (summary && strcmp(summary, "statistics") == 0)
        return SHAPE_STATISTICS;
    if (starts(event_type, "histogram-"))
        return SHAPE_HISTOGRAM;
    if (strcmp(event_type, "failures") == 0)
        return SHAPE_FAILURE;
    if (strcmp(event_type, "packet-trace") == 0)
        return SHAPE_TRACE;
    if (ends(event_type, "-subintervals"))
        return starts(event_type, "streams-") ? SHAPE_STREAM_SUBINTERVALS : SHAPE_SUBINTERVALS;
    if (starts(event_type, "streams-"))
        return SHAPE_NUMBER_LIST;
    return json_is_object(val) ? SHAPE_PERCENTAGE : SHAPE_NUMBER;
}

/* The oracle's reading of a number or numeric string. */
static double oracle_number(const json_t *j)
{
    if (json_is_string(j))
        return strtod(json_string_value(j), NULL);
    assert_true(json_is_number(j));
    return json_number_value(j);
}

static long long oracle_integer(const json_t *j)
{
    if (json_is_string(j))
        return strtoll(json_string_value(j), NULL, 10);
    assert_true(json_is_integer(j));
    return json_integer_value(j);
}

static void check_number(const esm_value *v, const json_t *j)
{
    double d = -1;
    assert_int_equal(esm_value_number(v, &d), ESM_OK);
    assert_true(d == oracle_number(j));
}

static void check_subintervals(const esm_value *v, const json_t *j, shape_counts *counts)
{
    esm_subinterval sub;
    assert_int_equal(esm_value_kind_of(v), ESM_VAL_ARRAY);
    assert_int_equal(esm_value_size(v), json_array_size(j));
    size_t i;
    json_t *el;
    json_array_foreach(j, i, el) {
        assert_int_equal(esm_value_subinterval(v, i, &sub), ESM_OK);
        assert_true(sub.start == oracle_number(json_object_get(el, "start")));
        assert_true(sub.duration == oracle_number(json_object_get(el, "duration")));
        assert_ptr_equal(sub.val, esm_value_member(esm_value_at(v, i), "val"));
        check_number(sub.val, json_object_get(el, "val"));
        counts->subintervals++;
    }
    assert_int_equal(esm_value_subinterval(v, json_array_size(j), &sub), ESM_ERR_INVALID);
}

static void check_hops(const esm_value *v, const json_t *j, shape_counts *counts)
{
    esm_hop hop;
    size_t i;
    json_t *el;
    json_array_foreach(j, i, el) {
        assert_int_equal(esm_value_hop(v, i, &hop), ESM_OK);
        json_t *ttl = json_object_get(el, "ttl"), *rtt = json_object_get(el, "rtt"), *mtu = json_object_get(el, "mtu");
        assert_int_equal(hop.has_ttl, ttl && !json_is_null(ttl));
        if (hop.has_ttl)
            assert_int_equal(hop.ttl, oracle_integer(ttl));
        assert_int_equal(hop.has_query, true);
        assert_int_equal(hop.query, oracle_integer(json_object_get(el, "query")));
        assert_int_equal(hop.has_rtt, rtt && !json_is_null(rtt));
        if (hop.has_rtt)
            assert_true(hop.rtt == oracle_number(rtt));
        assert_int_equal(hop.has_mtu, mtu && !json_is_null(mtu));
        if (hop.has_mtu)
            assert_int_equal(hop.mtu, oracle_integer(mtu));
        assert_int_equal(hop.success, json_integer_value(json_object_get(el, "success")) == 1);
        const char *ip = json_string_value(json_object_get(el, "ip"));
        if (ip)
            assert_string_equal(hop.ip, ip);
        else
            assert_null(hop.ip);
        const char *msg = json_string_value(json_object_get(el, "error_message"));
        if (msg)
            assert_string_equal(hop.error_message, msg);
        else
            assert_null(hop.error_message);
        assert_null(hop.hostname);
        counts->hops++;
        counts->failed_hops += !hop.success;
    }
    assert_int_equal(esm_value_hop(v, json_array_size(j), &hop), ESM_ERR_INVALID);
}

static void check_value(const char *event_type, const char *summary, json_t *j, shape_counts *counts)
{
    struct esm_value v;
    init_view(&v, j);
    shape s = shape_of(event_type, summary, j);
    counts->values[s]++;

    /* the text reads back as the same JSON, floats exactly */
    json_t *back = parse(esm_value_json(&v));
    assert_true(json_equal(back, j));
    json_decref(back);

    esm_hop hop;
    long long n, d;
    const char *bucket;
    size_t i;
    json_t *el;
    switch (s) {
    case SHAPE_NUMBER:
        check_number(&v, j);
        assert_int_equal(esm_value_histogram_bucket(&v, 0, &bucket, &n), ESM_ERR_TYPE);
        assert_int_equal(esm_value_percentage(&v, &n, &d), ESM_ERR_TYPE);
        assert_int_equal(esm_value_hop(&v, 0, &hop), ESM_ERR_TYPE);
        if (json_is_number(j))
            assert_null(esm_value_failure(&v)); /* a string would be taken as a message */
        break;
    case SHAPE_PERCENTAGE:
        assert_int_equal(esm_value_percentage(&v, &n, &d), ESM_OK);
        assert_int_equal(n, oracle_integer(json_object_get(j, "numerator")));
        assert_int_equal(d, oracle_integer(json_object_get(j, "denominator")));
        break;
    case SHAPE_HISTOGRAM: {
        assert_int_equal(esm_value_kind_of(&v), ESM_VAL_OBJECT);
        assert_int_equal(esm_value_histogram_size(&v), json_object_size(j));
        assert_true(json_object_size(j) > 0);
        const char *key;
        i = 0;
        json_object_foreach(j, key, el) {
            assert_int_equal(esm_value_histogram_bucket(&v, i, &bucket, &n), ESM_OK);
            assert_string_equal(bucket, key);
            assert_int_equal(n, oracle_integer(el));
            assert_ptr_equal(esm_value_member(&v, key), esm_value_at(&v, i));
            i++;
        }
        assert_int_equal(esm_value_histogram_bucket(&v, i, &bucket, &n), ESM_ERR_INVALID);
        assert_int_equal(esm_value_number(&v, &(double){0}), ESM_ERR_TYPE);
        break;
    }
    case SHAPE_STATISTICS: {
        static const char *const numbers[] = {"mean", "median", "minimum", "maximum", "variance",
                                              "standard-deviation", "percentile-25", "percentile-75",
                                              "percentile-95"};
        for (i = 0; i < sizeof numbers / sizeof numbers[0]; i++)
            check_number(esm_value_member(&v, numbers[i]), json_object_get(j, numbers[i]));
        const esm_value *mode = esm_value_member(&v, "mode");
        json_t *jmode = json_object_get(j, "mode");
        assert_int_equal(esm_value_size(mode), json_array_size(jmode));
        json_array_foreach(jmode, i, el)
            check_number(esm_value_at(mode, i), el);
        break;
    }
    case SHAPE_SUBINTERVALS:
        check_subintervals(&v, j, counts);
        break;
    case SHAPE_STREAM_SUBINTERVALS:
        assert_int_equal(esm_value_subinterval(&v, 0, &(esm_subinterval){0}), ESM_ERR_TYPE);
        json_array_foreach(j, i, el)
            check_subintervals(esm_value_at(&v, i), el, counts);
        break;
    case SHAPE_NUMBER_LIST:
        assert_int_equal(esm_value_size(&v), json_array_size(j));
        json_array_foreach(j, i, el)
            check_number(esm_value_at(&v, i), el);
        assert_null(esm_value_at(&v, json_array_size(j)));
        break;
    case SHAPE_TRACE:
        check_hops(&v, j, counts);
        break;
    case SHAPE_FAILURE:
        assert_string_equal(esm_value_failure(&v), json_string_value(json_object_get(j, "error")));
        break;
    default:
        fail();
    }
    clear_view(&v);
}

/* Every .json file below dir, sorted, as malloc'ed paths. */
static size_t list_files(const char *dir, char ***paths, size_t n)
{
    DIR *d = opendir(dir);
    if (!d)
        fail_msg("cannot open %s", dir);
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        char *path = malloc(strlen(dir) + strlen(e->d_name) + 2);
        assert_non_null(path);
        sprintf(path, "%s/%s", dir, e->d_name);
        if (ends(path, ".json")) {
            *paths = realloc(*paths, (n + 1) * sizeof **paths);
            assert_non_null(*paths);
            (*paths)[n++] = path;
        } else {
            n = list_files(path, paths, n);
            free(path);
        }
    }
    closedir(d);
    return n;
}

static void test_replay_values(void **state)
{
    (void)state;
    const char *root = DATA "/replay/data";
    char **paths = NULL;
    size_t n = list_files(root, &paths, 0);
    assert_int_equal(n, 38);
    shape_counts counts;
    memset(&counts, 0, sizeof counts);
    size_t points = 0;
    for (size_t f = 0; f < n; f++) {
        /* <root>/<key>/<event-type>/base.json or <root>/<key>/<event-type>/<summary>/<window>.json */
        char rel[512];
        snprintf(rel, sizeof rel, "%s", paths[f] + strlen(root) + 1);
        char *event_type = strchr(rel, '/') + 1;
        char *rest = strchr(event_type, '/');
        *rest++ = '\0';
        char *summary = strchr(rest, '/') ? rest : NULL;
        if (summary)
            *strchr(summary, '/') = '\0';

        size_t len;
        char *body = slurp(paths[f], &len);
        json_t *items = NULL;
        assert_int_equal(esm__parse_data_page(body, len, &items), ESM_OK);
        json_t *oracle = load_file(paths[f]);
        assert_int_equal(json_array_size(items), json_array_size(oracle));
        size_t i;
        json_t *point;
        long long last = 0;
        json_array_foreach(items, i, point) {
            long long ts = json_integer_value(json_object_get(point, "ts"));
            assert_true(ts > last);
            last = ts;
            check_value(event_type, summary, json_object_get(point, "val"), &counts);
            points++;
        }
        json_decref(oracle);
        json_decref(items);
        free(body);
        free(paths[f]);
    }
    free(paths);
    assert_int_equal(points, 7997);
    assert_int_equal(counts.values[SHAPE_NUMBER], 4974);
    assert_int_equal(counts.values[SHAPE_HISTOGRAM], 2993);
    assert_int_equal(counts.values[SHAPE_STATISTICS], 9);
    assert_int_equal(counts.values[SHAPE_SUBINTERVALS], 4);
    assert_int_equal(counts.values[SHAPE_STREAM_SUBINTERVALS], 4);
    assert_int_equal(counts.values[SHAPE_NUMBER_LIST], 8);
    assert_int_equal(counts.values[SHAPE_TRACE], 3);
    assert_int_equal(counts.values[SHAPE_FAILURE], 2);
    assert_int_equal(counts.hops, 15);
    assert_int_equal(counts.failed_hops, 1);
    assert_int_equal(counts.subintervals, 4 * 5 + 4 * 2 * 5);
}

/* Every value of the documentation's data answers and bulk bodies (BWCTL era). */
static void test_rest_doc_values(void **state)
{
    (void)state;
    json_t *examples = load_file(DATA "/esmond/extracted/rest_doc_examples.json");
    shape_counts counts;
    memset(&counts, 0, sizeof counts);
    size_t i, k;
    json_t *ex, *point;
    json_array_foreach(examples, i, ex) {
        const char *kind = json_string_value(json_object_get(ex, "kind"));
        json_t *j = json_object_get(ex, "json");
        if (strcmp(kind, "data-response") == 0) {
            /* the request names the series: .../<event-type>/<base|summary>... */
            char et[64], summary[64];
            const char *req = strstr(json_string_value(json_object_get(ex, "request")), "/archive/") + 9;
            assert_int_equal(sscanf(req, "%*[^/]/%63[^/]/%63[^/?\"]", et, summary), 2);
            char *text = json_dumps(j, 0);
            json_t *items = NULL;
            assert_int_equal(esm__parse_data_page(text, strlen(text), &items), ESM_OK);
            json_array_foreach(items, k, point)
                check_value(et, strcmp(summary, "base") == 0 ? NULL : summary, json_object_get(point, "val"), &counts);
            json_decref(items);
            free(text);
        } else if (strcmp(kind, "bulk-put-body") == 0) {
            json_array_foreach(json_object_get(j, "data"), k, point) {
                size_t m;
                json_t *item;
                json_array_foreach(json_object_get(point, "val"), m, item)
                    check_value(json_string_value(json_object_get(item, "event-type")), NULL,
                                json_object_get(item, "val"), &counts);
            }
        }
    }
    assert_int_equal(counts.values[SHAPE_HISTOGRAM], 7);
    assert_int_equal(counts.values[SHAPE_STATISTICS], 2);
    assert_int_equal(counts.values[SHAPE_SUBINTERVALS], 2 + 1);
    assert_int_equal(counts.values[SHAPE_PERCENTAGE], 2);
    assert_int_equal(counts.values[SHAPE_TRACE], 2);
    assert_int_equal(counts.hops, 10 + 4);
    assert_int_equal(counts.values[SHAPE_NUMBER], 31);
    json_decref(examples);
}

static void test_legacy_spot_checks(void **state)
{
    (void)state;
    double d;
    long long n, den;
    const char *bucket;

    /* statistics with string minimum/maximum/mode (esmond REST docs) */
    owned_value *o = value_of("{\"maximum\":\"34.4\",\"mean\":34.38233333333333,\"minimum\":\"34.3\","
                              "\"mode\":[\"34.4\"],\"standard-deviation\":0.03813863599495395}");
    assert_int_equal(esm_value_number(esm_value_member(&o->v, "minimum"), &d), ESM_OK);
    assert_true(d == 34.3);
    assert_int_equal(esm_value_kind_of(esm_value_member(&o->v, "minimum")), ESM_VAL_STRING);
    assert_string_equal(esm_value_string(esm_value_member(&o->v, "maximum")), "34.4");
    assert_int_equal(esm_value_number(esm_value_at(esm_value_member(&o->v, "mode"), 0), &d), ESM_OK);
    assert_true(d == 34.4);
    assert_int_equal(esm_value_number(esm_value_member(&o->v, "mean"), &d), ESM_OK);
    assert_true(d == 34.38233333333333);
    value_free(o);

    /* histogram counts as strings, in the writer's order */
    o = value_of("{\"34.5\":\"30\",\"34.3\":\"440\",\"34.6\":\"7\",\"34.4\":\"123\"}");
    assert_int_equal(esm_value_histogram_size(&o->v), 4);
    assert_int_equal(esm_value_histogram_bucket(&o->v, 1, &bucket, &n), ESM_OK);
    assert_string_equal(bucket, "34.3");
    assert_int_equal(n, 440);
    assert_int_equal(esm_value_histogram_bucket(&o->v, 3, NULL, &n), ESM_OK);
    assert_int_equal(n, 123);
    value_free(o);

    o = value_of("{\"denominator\":\"600\",\"numerator\":\"0\"}");
    assert_int_equal(esm_value_percentage(&o->v, &n, &den), ESM_OK);
    assert_int_equal(n, 0);
    assert_int_equal(den, 600);
    value_free(o);

    o = value_of("[{\"val\":\"47619700\",\"duration\":\"1.034930\",\"start\":\"0.000000\"},"
                 "{\"val\":\"584518000\",\"duration\":\"0.972302\",\"start\":\"1.034930\"}]");
    esm_subinterval sub;
    assert_int_equal(esm_value_subinterval(&o->v, 1, &sub), ESM_OK);
    assert_true(sub.start == 1.03493);
    assert_true(sub.duration == 0.972302);
    assert_string_equal(esm_value_string(sub.val), "584518000");
    assert_int_equal(esm_value_number(sub.val, &d), ESM_OK);
    assert_true(d == 584518000.0);
    assert_string_equal(esm_value_json(&o->v), "[{\"val\":\"47619700\",\"duration\":\"1.034930\",\"start\":\"0.000000\"},"
                                               "{\"val\":\"584518000\",\"duration\":\"0.972302\",\"start\":\"1.034930\"}]");
    value_free(o);

    /* BWCTL tracepath hop: strings, underscore key */
    o = value_of("[{\"error_message\":null,\"ip\":\"198.124.238.65\",\"mtu\":\"9000\",\"query\":\"2\","
                 "\"rtt\":\"0.195\",\"success\":1,\"ttl\":\"1\"}]");
    esm_hop hop;
    assert_int_equal(esm_value_hop(&o->v, 0, &hop), ESM_OK);
    assert_true(hop.has_ttl && hop.ttl == 1 && hop.has_query && hop.query == 2);
    assert_true(hop.success);
    assert_string_equal(hop.ip, "198.124.238.65");
    assert_true(hop.has_rtt && hop.rtt == 0.195);
    assert_true(hop.has_mtu && hop.mtu == 9000);
    assert_null(hop.error_message);
    assert_null(hop.hostname);
    value_free(o);
}

/* Values copied by hand from tests/data/replay/data. */
static void test_replay_spot_checks(void **state)
{
    (void)state;
    json_t *items = load_file(DATA "/replay/data/67a3c298de0b4237abee56b879e03587/histogram-rtt/base.json");
    struct esm_value v;
    init_view(&v, json_object_get(json_array_get(items, 0), "val"));
    const char *bucket;
    long long n;
    assert_int_equal(esm_value_histogram_bucket(&v, 0, &bucket, &n), ESM_OK);
    assert_string_equal(bucket, "73.40");
    assert_int_equal(n, 10);
    assert_int_equal(esm_value_histogram_bucket(&v, 1, &bucket, &n), ESM_OK);
    assert_string_equal(bucket, "73.47"); /* server order, not sorted */
    assert_int_equal(n, 17);
    assert_string_equal(esm_value_json(&v), "{\"73.40\":10,\"73.47\":17,\"73.42\":15,\"73.45\":9,\"73.41\":15,"
                                            "\"73.46\":12,\"73.43\":13,\"73.44\":9}");
    clear_view(&v);
    json_decref(items);

    items = load_file(DATA "/replay/data/9d7e3c1a5b2f4e6d8c0a1b2c3d4e5f60/ntp-offset/base.json");
    init_view(&v, json_object_get(json_array_get(items, 3), "val"));
    double d;
    assert_string_equal(esm_value_json(&v), "-3e-06");
    assert_int_equal(esm_value_number(&v, &d), ESM_OK);
    assert_true(d == -3e-06);
    clear_view(&v);
    json_decref(items);

    items = load_file(DATA "/replay/data/f6b732e9f351487a96126f0c25e5e546/throughput/base.json");
    init_view(&v, json_object_get(json_array_get(items, 0), "val"));
    assert_string_equal(esm_value_json(&v), "6760003015.0");
    assert_int_equal(esm_value_kind_of(&v), ESM_VAL_NUMBER);
    clear_view(&v);
    json_decref(items);

    items = load_file(DATA "/replay/data/f6b732e9f351487a96126f0c25e5e546/failures/base.json");
    init_view(&v, json_object_get(json_array_get(items, 1), "val"));
    assert_string_equal(esm_value_failure(&v), "iperf3: error - unable to connect to server: Connection refused");
    clear_view(&v);
    json_decref(items);

    /* the timed-out hop */
    items = load_file(DATA "/replay/data/638e53d546924c58b067f3d6f6926059/packet-trace/base.json");
    init_view(&v, json_object_get(json_array_get(items, 1), "val"));
    esm_hop hop;
    assert_int_equal(esm_value_hop(&v, 2, &hop), ESM_OK);
    assert_true(hop.has_ttl);
    assert_int_equal(hop.ttl, 3);
    assert_false(hop.success);
    assert_null(hop.ip);
    assert_false(hop.has_rtt);
    assert_false(hop.has_mtu);
    assert_string_equal(hop.error_message, "requestTimedOut");
    assert_int_equal(esm_value_hop(&v, 4, &hop), ESM_OK);
    assert_string_equal(hop.ip, "198.124.238.66");
    assert_true(hop.rtt == 70.064);
    clear_view(&v);
    json_decref(items);

    items = load_file(DATA "/replay/data/f6b732e9f351487a96126f0c25e5e546/streams-throughput-subintervals/base.json");
    init_view(&v, json_object_get(json_array_get(items, 0), "val"));
    esm_subinterval sub;
    assert_int_equal(esm_value_size(&v), 2);
    assert_int_equal(esm_value_subinterval(esm_value_at(&v, 1), 0, &sub), ESM_OK);
    assert_true(sub.duration == 4.0001240000000005);
    assert_string_equal(esm_value_json(sub.val), "1514372763.0");
    clear_view(&v);
    json_decref(items);
}

/* pScheduler-era hops: numbers, hostname, AS, dash key; packet-trace-multi. */
static void test_pscheduler_hops(void **state)
{
    (void)state;
    owned_value *o = value_of(
        "[[{\"ttl\":1,\"query\":1,\"success\":1,\"ip\":\"10.0.0.1\",\"hostname\":\"gw.example.net\","
        "\"as\":{\"number\":293,\"owner\":\"ESnet\"},\"rtt\":0.246,\"mtu\":9000},"
        "{\"ttl\":2,\"query\":1,\"success\":0,\"error-message\":\"no reply\"},"
        "{\"ttl\":3,\"success\":true,\"ip\":\"10.0.0.3\",\"rtt\":1},"
        "{\"ttl\":4.0,\"success\":false,\"error_message\":\"under\",\"error-message\":\"dash\"},"
        "{\"ttl\":\"5\",\"success\":\"1\",\"mtu\":\"1500.0\"},"
        "{\"ttl\":null,\"success\":\"0\",\"rtt\":\"x\",\"ip\":7}],"
        "[{\"ttl\":1,\"success\":1,\"ip\":\"10.1.0.1\"}]]");
    const esm_value *path = esm_value_at(&o->v, 0);
    esm_hop hop;
    assert_int_equal(esm_value_hop(path, 0, &hop), ESM_OK);
    assert_string_equal(hop.hostname, "gw.example.net");
    assert_true(hop.success && hop.ttl == 1 && hop.rtt == 0.246 && hop.mtu == 9000);
    assert_int_equal(esm_value_number(esm_value_member(esm_value_member(esm_value_at(path, 0), "as"), "number"),
                                      &(double){0}),
                     ESM_OK);

    assert_int_equal(esm_value_hop(path, 1, &hop), ESM_OK);
    assert_false(hop.success);
    assert_string_equal(hop.error_message, "no reply");
    assert_null(hop.ip);
    assert_false(hop.has_rtt);

    assert_int_equal(esm_value_hop(path, 2, &hop), ESM_OK);
    assert_true(hop.success);
    assert_false(hop.has_query);
    assert_true(hop.has_rtt && hop.rtt == 1.0);
    assert_false(hop.has_mtu);

    assert_int_equal(esm_value_hop(path, 3, &hop), ESM_OK);
    assert_true(hop.has_ttl && hop.ttl == 4);
    assert_false(hop.success);
    assert_string_equal(hop.error_message, "under");

    assert_int_equal(esm_value_hop(path, 4, &hop), ESM_OK);
    assert_true(hop.has_ttl && hop.ttl == 5 && hop.success && hop.has_mtu && hop.mtu == 1500);

    assert_int_equal(esm_value_hop(path, 5, &hop), ESM_OK);
    assert_false(hop.has_ttl);
    assert_false(hop.success);
    assert_false(hop.has_rtt);
    assert_null(hop.ip);

    assert_int_equal(esm_value_hop(path, 6, &hop), ESM_ERR_INVALID);
    assert_int_equal(esm_value_hop(&o->v, 0, &hop), ESM_ERR_TYPE); /* a path, not a hop */
    assert_int_equal(esm_value_hop(esm_value_at(&o->v, 1), 0, &hop), ESM_OK);
    assert_string_equal(hop.ip, "10.1.0.1");
    value_free(o);
}

/* ---- values: kinds, errors, caches, numeric strings ---- */

static void test_value_kinds(void **state)
{
    (void)state;
    static const struct {
        const char *json;
        esm_value_kind kind;
    } cases[] = {
        {"null", ESM_VAL_NULL}, {"true", ESM_VAL_BOOL}, {"false", ESM_VAL_BOOL}, {"0", ESM_VAL_NUMBER},
        {"1e+16", ESM_VAL_NUMBER}, {"\"x\"", ESM_VAL_STRING}, {"[]", ESM_VAL_ARRAY}, {"{}", ESM_VAL_OBJECT},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        owned_value *o = value_of(cases[i].json);
        assert_int_equal(esm_value_kind_of(&o->v), cases[i].kind);
        assert_string_equal(esm_value_json(&o->v), cases[i].json);
        value_free(o);
    }
    assert_int_equal(esm_value_kind_of(NULL), ESM_VAL_NULL);
    assert_null(esm_value_json(NULL));

    /* a member whose value is null is there, and null */
    owned_value *o = value_of("{\"a\":null,\"b\":\"\\u00e9\\u2028\",\"c\":600.0,\"d\":1e-05}");
    assert_non_null(esm_value_member(&o->v, "a"));
    assert_int_equal(esm_value_kind_of(esm_value_member(&o->v, "a")), ESM_VAL_NULL);
    assert_null(esm_value_member(&o->v, "z"));
    assert_string_equal(esm_value_string(esm_value_member(&o->v, "b")), "\xc3\xa9\xe2\x80\xa8");
    assert_string_equal(esm_value_json(&o->v), "{\"a\":null,\"b\":\"\xc3\xa9\\u2028\",\"c\":600.0,\"d\":1e-05}");
    assert_int_equal(esm_value_size(&o->v), 4);
    assert_string_equal(esm_value_json(esm_value_at(&o->v, 2)), "600.0");
    value_free(o);
}

static void test_value_type_errors(void **state)
{
    (void)state;
    double d = 7;
    long long n, den;
    const char *bucket;
    esm_subinterval sub;
    esm_hop hop;

    static const char *const not_numbers[] = {
        "null", "true", "false", "[]", "[1]", "{}", "{\"val\":1}", "\"\"", "\"abc\"", "\"1.5x\"", "\" 1\"",
        "\"1 \"", "\"nan\"", "\"NaN\"", "\"inf\"", "\"-Infinity\"", "\"0x10\"", "\"1e\"", "\"1e+\"", "\".\"", "\"-\"",
        "\"1e999\"", "\"--1\"", "\"1,5\"", "\"1\\u00001\"",
    };
    for (size_t i = 0; i < sizeof not_numbers / sizeof not_numbers[0]; i++) {
        owned_value *o = value_of(not_numbers[i]);
        if (esm_value_number(&o->v, &d) != ESM_ERR_TYPE)
            fail_msg("read %s as a number", not_numbers[i]);
        value_free(o);
    }
    assert_true(d == 7); /* untouched on error */

    owned_value *o = value_of("[1,2]");
    assert_int_equal(esm_value_histogram_size(&o->v), 0);
    assert_int_equal(esm_value_histogram_bucket(&o->v, 0, &bucket, &n), ESM_ERR_TYPE);
    assert_null(bucket);
    assert_int_equal(esm_value_percentage(&o->v, &n, &den), ESM_ERR_TYPE);
    assert_int_equal(esm_value_subinterval(&o->v, 0, &sub), ESM_ERR_TYPE); /* element is no object */
    assert_int_equal(esm_value_hop(&o->v, 1, &hop), ESM_ERR_TYPE);
    assert_null(esm_value_failure(&o->v));
    assert_null(esm_value_string(&o->v));
    assert_null(esm_value_member(&o->v, "0"));
    value_free(o);

    o = value_of("{\"10\":1,\"11\":\"many\",\"12\":2.5,\"13\":null,\"14\":-1,\"15\":\"9223372036854775808\","
                 "\"16\":\"9223372036854775807\",\"17\":3.0}");
    assert_int_equal(esm_value_histogram_bucket(&o->v, 0, NULL, &n), ESM_OK);
    for (size_t i = 1; i <= 3; i++)
        assert_int_equal(esm_value_histogram_bucket(&o->v, i, &bucket, &n), ESM_ERR_TYPE);
    assert_int_equal(esm_value_histogram_bucket(&o->v, 4, NULL, &n), ESM_OK);
    assert_int_equal(n, -1);
    assert_int_equal(esm_value_histogram_bucket(&o->v, 5, NULL, &n), ESM_ERR_TYPE);
    assert_int_equal(esm_value_histogram_bucket(&o->v, 6, NULL, &n), ESM_OK);
    assert_int_equal(n, INT64_MAX);
    assert_int_equal(esm_value_histogram_bucket(&o->v, 7, NULL, &n), ESM_OK);
    assert_int_equal(n, 3);
    assert_int_equal(esm_value_histogram_bucket(&o->v, 8, &bucket, &n), ESM_ERR_INVALID);
    assert_int_equal(esm_value_subinterval(&o->v, 0, &sub), ESM_ERR_TYPE);
    assert_int_equal(esm_value_hop(&o->v, 0, &hop), ESM_ERR_TYPE);
    assert_int_equal(esm_value_number(&o->v, &d), ESM_ERR_TYPE);
    value_free(o);

    static const char *const bad_percentages[] = {
        "0.5", "{}", "{\"numerator\":1}", "{\"denominator\":1}", "{\"numerator\":\"x\",\"denominator\":1}",
        "{\"numerator\":1.5,\"denominator\":2}", "{\"numerator\":null,\"denominator\":2}",
    };
    for (size_t i = 0; i < sizeof bad_percentages / sizeof bad_percentages[0]; i++) {
        o = value_of(bad_percentages[i]);
        assert_int_equal(esm_value_percentage(&o->v, &n, &den), ESM_ERR_TYPE);
        value_free(o);
    }
    o = value_of("{\"numerator\":3,\"denominator\":600.0}");
    assert_int_equal(esm_value_percentage(&o->v, &n, &den), ESM_OK);
    assert_true(n == 3 && den == 600);
    value_free(o);

    static const char *const bad_subintervals[] = {
        "[{\"duration\":1,\"val\":1}]", "[{\"start\":0,\"val\":1}]", "[{\"start\":0,\"duration\":1}]",
        "[{\"start\":\"zero\",\"duration\":1,\"val\":1}]", "[{\"start\":0,\"duration\":[1],\"val\":1}]", "[7]",
    };
    for (size_t i = 0; i < sizeof bad_subintervals / sizeof bad_subintervals[0]; i++) {
        o = value_of(bad_subintervals[i]);
        sub.start = 9;
        assert_int_equal(esm_value_subinterval(&o->v, 0, &sub), ESM_ERR_TYPE);
        assert_null(sub.val);
        assert_true(sub.start == 0);
        value_free(o);
    }
    /* a subinterval's val may be of any shape: it is handed over as a view */
    o = value_of("[{\"start\":0,\"duration\":1,\"val\":null}]");
    assert_int_equal(esm_value_subinterval(&o->v, 0, &sub), ESM_OK);
    assert_int_equal(esm_value_kind_of(sub.val), ESM_VAL_NULL);
    value_free(o);

    o = value_of("\"426 Transfer aborted\"");
    assert_string_equal(esm_value_failure(&o->v), "426 Transfer aborted");
    value_free(o);
    static const char *const not_failures[] = {"{\"error\":5}", "{\"message\":\"x\"}", "42", "null", "[\"x\"]"};
    for (size_t i = 0; i < sizeof not_failures / sizeof not_failures[0]; i++) {
        o = value_of(not_failures[i]);
        assert_null(esm_value_failure(&o->v));
        value_free(o);
    }

    /* NULL handles and outputs */
    assert_int_equal(esm_value_number(NULL, &d), ESM_ERR_INVALID);
    o = value_of("1");
    assert_int_equal(esm_value_number(&o->v, NULL), ESM_ERR_INVALID);
    value_free(o);
    assert_int_equal(esm_value_histogram_bucket(NULL, 0, &bucket, &n), ESM_ERR_INVALID);
    assert_int_equal(esm_value_percentage(NULL, &n, &den), ESM_ERR_INVALID);
    assert_int_equal(esm_value_subinterval(NULL, 0, &sub), ESM_ERR_INVALID);
    assert_int_equal(esm_value_hop(NULL, 0, &hop), ESM_ERR_INVALID);
    assert_int_equal(esm_value_hop(NULL, 0, NULL), ESM_ERR_INVALID);
    assert_int_equal(esm_value_size(NULL), 0);
    assert_null(esm_value_at(NULL, 0));
    assert_null(esm_value_member(NULL, "a"));
    assert_null(esm_value_string(NULL));
    assert_null(esm_value_failure(NULL));
}

/* Views handed out stay put until the value is cleared; clearing twice or
 * re-using the view is safe. */
static void test_value_cache(void **state)
{
    (void)state;
    owned_value *o = value_of("{\"a\":[[1,2],[3]],\"b\":{\"c\":\"d\"}}");
    const esm_value *a = esm_value_member(&o->v, "a");
    const esm_value *inner = esm_value_at(a, 0);
    const esm_value *two = esm_value_at(inner, 1);
    const char *text = esm_value_json(two);
    assert_ptr_equal(esm_value_member(&o->v, "a"), a);
    assert_ptr_equal(esm_value_at(&o->v, 0), a);
    assert_ptr_equal(esm_value_at(esm_value_at(a, 0), 1), two);
    assert_ptr_equal(esm_value_json(two), text);
    assert_string_equal(text, "2");
    assert_string_equal(esm_value_json(esm_value_at(a, 1)), "[3]");
    assert_string_equal(esm_value_string(esm_value_member(esm_value_member(&o->v, "b"), "c")), "d");
    assert_null(esm_value_at(inner, 2));
    assert_null(esm_value_at(esm_value_at(inner, 0), 0)); /* a number has no elements */
    assert_int_equal(esm_value_size(esm_value_at(inner, 0)), 0);

    const esm_jdoc *doc = o->v.doc;
    esm__value_clear(&o->v);
    esm__value_clear(&o->v);
    assert_null(o->v.kids);
    esm__value_init(&o->v, doc, 0);
    assert_int_equal(esm_value_size(esm_value_member(&o->v, "a")), 2);
    value_free(o);

    owned_value *empty = value_of("[]");
    assert_null(esm_value_at(&empty->v, 0));
    assert_string_equal(esm_value_json(&empty->v), "[]");
    value_free(empty);
    esm__value_clear(NULL);
}

static void test_numeric_strings(void **state)
{
    (void)state;
    static const struct {
        const char *json;
        double value;
    } ok[] = {
        {"\"0\"", 0},           {"\"-0\"", -0.0},        {"\"+7\"", 7},          {"\"1.034930\"", 1.03493},
        {"\".5\"", 0.5},        {"\"5.\"", 5},           {"\"1e3\"", 1000},      {"\"1E-2\"", 0.01},
        {"\"-3e-06\"", -3e-06}, {"\"8446270000\"", 8446270000.0}, {"\"0.000124\"", 0.000124},
        {"1e+16", 1e16},        {"-17", -17},            {"9007199254740993", 9007199254740992.0},
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        owned_value *o = value_of(ok[i].json);
        double d = -1;
        if (esm_value_number(&o->v, &d) != ESM_OK || d != ok[i].value)
            fail_msg("%s read as %.17g", ok[i].json, d);
        value_free(o);
    }

    /* integers: exact beyond 2^53 when written as integers */
    json_t *j = parse("[9007199254740993,\"9007199254740993\",\"9000.0\",\"1e3\",9000.5,\"9000.5\",true,"
                      "-9223372036854775808,9.3e18,\"-9223372036854775809\"]");
    long long n = 0;
    assert_true(esm__json_integer(json_array_get(j, 0), &n) && n == 9007199254740993LL);
    assert_true(esm__json_integer(json_array_get(j, 1), &n) && n == 9007199254740993LL);
    assert_true(esm__json_integer(json_array_get(j, 2), &n) && n == 9000);
    assert_true(esm__json_integer(json_array_get(j, 3), &n) && n == 1000);
    assert_false(esm__json_integer(json_array_get(j, 4), &n));
    assert_false(esm__json_integer(json_array_get(j, 5), &n));
    assert_false(esm__json_integer(json_array_get(j, 6), &n));
    assert_true(esm__json_integer(json_array_get(j, 7), &n) && n == INT64_MIN);
    assert_false(esm__json_integer(json_array_get(j, 8), &n)); /* beyond 2^63 */
    assert_false(esm__json_integer(json_array_get(j, 9), &n));
    assert_false(esm__json_integer(NULL, &n));
    double d;
    assert_false(esm__json_number(NULL, &d));
    json_decref(j);

    /* a long numeric string */
    char text[400] = "\"0.";
    memset(text + 3, '1', 300);
    strcpy(text + 303, "\"");
    owned_value *o = value_of(text);
    assert_int_equal(esm_value_number(&o->v, &d), ESM_OK);
    assert_true(fabs(d - 1.0 / 9) < 1e-15);
    value_free(o);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_replay_metadata_all),
        cmocka_unit_test(test_replay_metadata_owamp),
        cmocka_unit_test(test_replay_metadata_others),
        cmocka_unit_test(test_expected_lists),
        cmocka_unit_test(test_elmond_integer_windows),
        cmocka_unit_test(test_odd_field_values),
        cmocka_unit_test(test_missing_optional_members),
        cmocka_unit_test(test_bad_metadata),
        cmocka_unit_test(test_rest_doc_metadata),
        cmocka_unit_test(test_metadata_pages),
        cmocka_unit_test(test_data_pages),
        cmocka_unit_test(test_data_points),
        cmocka_unit_test(test_replay_values),
        cmocka_unit_test(test_rest_doc_values),
        cmocka_unit_test(test_legacy_spot_checks),
        cmocka_unit_test(test_replay_spot_checks),
        cmocka_unit_test(test_pscheduler_hops),
        cmocka_unit_test(test_value_kinds),
        cmocka_unit_test(test_value_type_errors),
        cmocka_unit_test(test_value_cache),
        cmocka_unit_test(test_numeric_strings),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
