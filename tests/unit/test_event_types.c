/* The event-type catalog and summary tables against esmond-rest-api §10.3 and §11.1. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "event_types.h"

/* esmond-rest-api §10.3, copied from its table (not from the catalog source). */
static const esm_event_type_info spec_table[] = {
    {"failures", ESM_DT_JSON},
    {"histogram-owdelay", ESM_DT_HISTOGRAM},
    {"histogram-rtt", ESM_DT_HISTOGRAM},
    {"histogram-ttl", ESM_DT_HISTOGRAM},
    {"histogram-ttl-reverse", ESM_DT_HISTOGRAM},
    {"iostat", ESM_DT_JSON},
    {"mpstat", ESM_DT_JSON},
    {"ntp-delay", ESM_DT_FLOAT},
    {"ntp-dispersion", ESM_DT_FLOAT},
    {"ntp-jitter", ESM_DT_FLOAT},
    {"ntp-offset", ESM_DT_FLOAT},
    {"ntp-polling-interval", ESM_DT_FLOAT},
    {"ntp-reach", ESM_DT_INTEGER},
    {"ntp-stratum", ESM_DT_INTEGER},
    {"ntp-wander", ESM_DT_FLOAT},
    {"packet-count-lost", ESM_DT_INTEGER},
    {"packet-count-lost-bidir", ESM_DT_INTEGER},
    {"packet-count-sent", ESM_DT_INTEGER},
    {"packet-duplicates", ESM_DT_INTEGER},
    {"packet-duplicates-bidir", ESM_DT_INTEGER},
    {"packet-loss-rate", ESM_DT_PERCENTAGE},
    {"packet-loss-rate-bidir", ESM_DT_PERCENTAGE},
    {"packet-reorders", ESM_DT_INTEGER},
    {"packet-reorders-bidir", ESM_DT_INTEGER},
    {"packet-retransmits", ESM_DT_INTEGER},
    {"packet-retransmits-subintervals", ESM_DT_SUBINTERVAL},
    {"packet-rtt", ESM_DT_INTEGER},
    {"packet-rtt-subintervals", ESM_DT_SUBINTERVAL},
    {"packet-trace", ESM_DT_JSON},
    {"packet-trace-multi", ESM_DT_JSON},
    {"path-mtu", ESM_DT_INTEGER},
    {"pscheduler-raw", ESM_DT_JSON},
    {"pscheduler-run-href", ESM_DT_JSON},
    {"rusage", ESM_DT_JSON},
    {"streams-packet-retransmits", ESM_DT_JSON},
    {"streams-packet-retransmits-subintervals", ESM_DT_JSON},
    {"streams-packet-rtt", ESM_DT_JSON},
    {"streams-packet-rtt-subintervals", ESM_DT_JSON},
    {"streams-tcp-windowsize", ESM_DT_JSON},
    {"streams-tcp-windowsize-subintervals", ESM_DT_JSON},
    {"streams-tcpinfo", ESM_DT_JSON},
    {"streams-throughput", ESM_DT_JSON},
    {"streams-throughput-subintervals", ESM_DT_JSON},
    {"tcp-windowsize", ESM_DT_INTEGER},
    {"tcp-windowsize-subintervals", ESM_DT_SUBINTERVAL},
    {"tcpinfo", ESM_DT_JSON},
    {"throughput", ESM_DT_INTEGER},
    {"throughput-subintervals", ESM_DT_SUBINTERVAL},
    {"time-error-estimates", ESM_DT_FLOAT},
};
#define SPEC_LEN (sizeof spec_table / sizeof spec_table[0])

static void test_catalog_matches_spec(void **state)
{
    (void)state;
    assert_int_equal(SPEC_LEN, 49);
    assert_int_equal(esm_event_type_count(), 49);
    for (size_t i = 0; i < SPEC_LEN; i++) {
        const esm_event_type_info *e = esm_event_type_at(i);
        assert_non_null(e);
        assert_string_equal(e->name, spec_table[i].name);
        assert_int_equal(e->data_type, spec_table[i].data_type);
    }
    assert_null(esm_event_type_at(49));
    assert_null(esm_event_type_at((size_t)-1));
}

/* Sorted strictly by byte order, which the binary search relies on. */
static void test_sorted(void **state)
{
    (void)state;
    for (size_t i = 1; i < esm_event_type_count(); i++)
        assert_true(strcmp(esm_event_type_at(i - 1)->name, esm_event_type_at(i)->name) < 0);
}

static void test_lookup(void **state)
{
    (void)state;
    for (size_t i = 0; i < esm_event_type_count(); i++) {
        const esm_event_type_info *e = esm_event_type_at(i);
        assert_ptr_equal(esm_event_type_find(e->name), e);
    }
    assert_int_equal(esm_event_type_find("throughput")->data_type, ESM_DT_INTEGER);
    assert_int_equal(esm_event_type_find("histogram-owdelay")->data_type, ESM_DT_HISTOGRAM);
    assert_int_equal(esm_event_type_find("packet-loss-rate")->data_type, ESM_DT_PERCENTAGE);
    assert_int_equal(esm_event_type_find("ntp-offset")->data_type, ESM_DT_FLOAT);
    assert_int_equal(esm_event_type_find("throughput-subintervals")->data_type, ESM_DT_SUBINTERVAL);
    assert_int_equal(esm_event_type_find("packet-trace")->data_type, ESM_DT_JSON);
    /* unknown, retired, never-existing and near-miss names */
    static const char *const unknown[] = {"", "streams-retransmits", "ntp-rms-jitter", "histogram-delay",
                                          "Throughput", "throughput ", "throughput_subintervals", "a", "zzz"};
    for (size_t i = 0; i < sizeof unknown / sizeof unknown[0]; i++)
        assert_null(esm_event_type_find(unknown[i]));
    assert_null(esm_event_type_find(NULL));
}

static void test_data_type_names(void **state)
{
    (void)state;
    assert_string_equal(esm_data_type_name(ESM_DT_INTEGER), "integer");
    assert_string_equal(esm_data_type_name(ESM_DT_FLOAT), "float");
    assert_string_equal(esm_data_type_name(ESM_DT_PERCENTAGE), "percentage");
    assert_string_equal(esm_data_type_name(ESM_DT_HISTOGRAM), "histogram");
    assert_string_equal(esm_data_type_name(ESM_DT_SUBINTERVAL), "subinterval");
    assert_string_equal(esm_data_type_name(ESM_DT_JSON), "json");
    assert_string_equal(esm_data_type_name((esm_data_type)99), "unknown");
}

static void test_summary_names(void **state)
{
    (void)state;
    static const struct {
        esm_summary_kind st;
        const char *json, *url;
    } names[] = {
        {ESM_SUM_AGGREGATION, "aggregation", "aggregations"},
        {ESM_SUM_AVERAGE, "average", "averages"},
        {ESM_SUM_BASE, "base", "base"},
        {ESM_SUM_STATISTICS, "statistics", "statistics"},
    };
    for (size_t i = 0; i < 4; i++) {
        assert_string_equal(esm_summary_json_name(names[i].st), names[i].json);
        assert_string_equal(esm_summary_url_name(names[i].st), names[i].url);
        assert_int_equal(esm_summary_from_json_name(names[i].json), names[i].st);
        assert_int_equal(esm_summary_from_url_name(names[i].url), names[i].st);
    }
    /* the two spellings do not mix */
    assert_int_equal(esm_summary_from_json_name("aggregations"), -1);
    assert_int_equal(esm_summary_from_json_name("averages"), -1);
    assert_int_equal(esm_summary_from_url_name("aggregation"), -1);
    assert_int_equal(esm_summary_from_url_name("average"), -1);
    assert_int_equal(esm_summary_from_json_name("Base"), -1);
    assert_int_equal(esm_summary_from_json_name(""), -1);
    assert_int_equal(esm_summary_from_json_name(NULL), -1);
    assert_int_equal(esm_summary_from_url_name(NULL), -1);
    assert_null(esm_summary_json_name(ESM_SUM_COUNT_));
    assert_null(esm_summary_url_name(ESM_SUM_COUNT_));
    /* processing order of esmond-rest-api §11.3 */
    assert_true(ESM_SUM_AGGREGATION < ESM_SUM_AVERAGE && ESM_SUM_AVERAGE < ESM_SUM_BASE &&
                ESM_SUM_BASE < ESM_SUM_STATISTICS);
}

/* esmond-rest-api §11.1: which summaries each data type may register. */
static void test_summary_allowed(void **state)
{
    (void)state;
    static const struct {
        esm_data_type dt;
        bool aggregation, average, base, statistics;
    } table[] = {
        {ESM_DT_INTEGER, true, true, true, false},      {ESM_DT_FLOAT, true, true, true, false},
        {ESM_DT_PERCENTAGE, true, false, true, false},  {ESM_DT_HISTOGRAM, true, false, true, true},
        {ESM_DT_SUBINTERVAL, false, false, true, false}, {ESM_DT_JSON, false, false, true, false},
    };
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
        esm_data_type dt = table[i].dt;
        assert_int_equal(esm_summary_allowed(dt, ESM_SUM_AGGREGATION), table[i].aggregation);
        assert_int_equal(esm_summary_allowed(dt, ESM_SUM_AVERAGE), table[i].average);
        assert_int_equal(esm_summary_allowed(dt, ESM_SUM_BASE), table[i].base);
        assert_int_equal(esm_summary_allowed(dt, ESM_SUM_STATISTICS), table[i].statistics);
        assert_false(esm_summary_allowed(dt, ESM_SUM_COUNT_));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_catalog_matches_spec), cmocka_unit_test(test_sorted),
        cmocka_unit_test(test_lookup),               cmocka_unit_test(test_data_type_names),
        cmocka_unit_test(test_summary_names),        cmocka_unit_test(test_summary_allowed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
