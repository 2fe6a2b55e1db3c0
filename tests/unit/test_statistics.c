/* Histogram statistics (esmond-rest-api §11.4) against the reference
 * vectors, that section's table, and histograms that drive each branch of the
 * percentile step. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "json_write.h"
#include "statistics.h"

static const char *const members[] = {"mode",          "mean",   "minimum",       "maximum",       "percentile-25",
                                      "median",        "percentile-75", "percentile-95", "variance",
                                      "standard-deviation"};
#define NMEMBERS (sizeof members / sizeof members[0])

static json_t *parse(const char *text)
{
    json_error_t err;
    json_t *v = json_loads(text, JSON_ALLOW_NUL, &err);
    if (!v)
        fail_msg("bad test JSON %s: %s", text, err.text);
    return v;
}

static json_t *stats_of(const char *histogram)
{
    json_t *h = parse(histogram);
    json_t *s = esm_histogram_statistics(h);
    json_decref(h);
    assert_non_null(s);
    return s;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void assert_close(const char *what, double got, double want)
{
    double tol = 1e-9 * fmax(fabs(want), 1e-300);
    if (!(fabs(got - want) <= tol))
        fail_msg("%s: got %.17g, want %.17g", what, got, want);
}

/* Compares a result with an expected statistics object: every member in the
 * project's order, reals within 1e-9, mode as a multiset. */
static void assert_stats(const char *name, const json_t *got, const json_t *want)
{
    if (json_object_size(want) == 0) {
        if (json_object_size(got) != 0)
            fail_msg("%s: expected {}", name);
        return;
    }
    assert_int_equal(json_object_size(got), NMEMBERS);
    void *it = json_object_iter((json_t *)got);
    for (size_t i = 0; i < NMEMBERS; i++, it = json_object_iter_next((json_t *)got, it)) {
        assert_string_equal(json_object_iter_key(it), members[i]);
        json_t *g = json_object_iter_value(it), *w = json_object_get(want, members[i]);
        if (!w)
            fail_msg("%s: test lacks %s", name, members[i]);
        if (i == 0) {
            size_t n = json_array_size(w);
            assert_int_equal(json_array_size(g), n);
            double gv[64], wv[64];
            assert_true(n <= 64);
            for (size_t j = 0; j < n; j++) {
                assert_true(json_is_real(json_array_get(g, j)));
                gv[j] = json_real_value(json_array_get(g, j));
                wv[j] = json_number_value(json_array_get(w, j));
                if (j > 0) /* the project lists modes in ascending order */
                    assert_true(gv[j - 1] <= gv[j]);
            }
            qsort(wv, n, sizeof *wv, cmp_double);
            for (size_t j = 0; j < n; j++)
                assert_close(name, gv[j], wv[j]);
        } else {
            assert_true(json_is_real(g));
            assert_close(members[i], json_real_value(g), json_number_value(w));
        }
    }
}

static void check(const char *histogram, const char *expected)
{
    json_t *s = stats_of(histogram), *w = parse(expected);
    assert_stats(histogram, s, w);
    json_decref(w);
    json_decref(s);
}

static double member(const json_t *s, const char *name)
{
    json_t *v = json_object_get(s, name);
    assert_non_null(v);
    return json_real_value(v);
}

/* Every vector computed with esmond's own routine. */
static void test_reference_vectors(void **state)
{
    (void)state;
    json_error_t err;
    json_t *vectors = json_load_file(ESM_TEST_DATA "/esmond/derived/statistics_vectors.json", 0, &err);
    if (!vectors)
        fail_msg("cannot load vectors: %s", err.text);
    assert_true(json_array_size(vectors) >= 16);
    size_t i;
    json_t *v;
    json_array_foreach(vectors, i, v) {
        const char *name = json_string_value(json_object_get(v, "name"));
        json_t *s = esm_histogram_statistics(json_object_get(v, "histogram"));
        assert_non_null(s);
        assert_stats(name, s, json_object_get(v, "statistics"));
        json_decref(s);
    }
    json_decref(vectors);
}

/* The five rows of the table in esmond-rest-api §11.4 (values as rounded there). */
static void test_spec_table(void **state)
{
    (void)state;
    check("{\"41.00\":98,\"41.10\":2}",
          "{\"minimum\":41.0,\"maximum\":41.1,\"mean\":41.002,\"median\":41.0,\"percentile-25\":41.0,"
          "\"percentile-75\":41.0,\"percentile-95\":41.0,\"mode\":[41.0],\"variance\":0.000196,"
          "\"standard-deviation\":0.014}");
    check("{\"1\":1,\"2\":1}",
          "{\"minimum\":1,\"maximum\":2,\"mean\":1.5,\"median\":1.5,\"percentile-25\":1.0,\"percentile-75\":2.0,"
          "\"percentile-95\":2.0,\"mode\":[1.0,2.0],\"variance\":0.25,\"standard-deviation\":0.5}");
    check("{\"1\":2,\"2\":0,\"3\":2}",
          "{\"minimum\":1,\"maximum\":3,\"mean\":2.0,\"median\":1.5,\"percentile-25\":1.0,\"percentile-75\":3.0,"
          "\"percentile-95\":3.0,\"mode\":[1.0,3.0],\"variance\":1.0,\"standard-deviation\":1.0}");
    check("{\"41.00\":196,\"41.10\":100,\"41.20\":3,\"50.0\":1}",
          "{\"minimum\":41.0,\"maximum\":50.0,\"mean\":41.06533333333333,\"median\":41.0,\"percentile-25\":41.0,"
          "\"percentile-75\":41.1,\"percentile-95\":41.1,\"mode\":[41.0],\"variance\":0.2694648888888889,"
          "\"standard-deviation\":0.5191000759862099}");
    check("{\"9\":114,\"10\":486}",
          "{\"minimum\":9,\"maximum\":10,\"mean\":9.81,\"median\":10.0,\"percentile-25\":10.0,\"percentile-75\":10.0,"
          "\"percentile-95\":10.0,\"mode\":[10.0],\"variance\":0.1539,\"standard-deviation\":0.3923009049186606}");
}

/* The statistics of esmond-rest-api §19, byte for byte as esmond renders them. */
static void test_appendix_b(void **state)
{
    (void)state;
    json_t *s = stats_of("{\"34.5\":30,\"34.3\":440,\"34.6\":7,\"34.4\":123}");
    char *text = esm_json_dumps(s);
    assert_string_equal(text, "{\"mode\":[34.3],\"mean\":34.333999999999996,\"minimum\":34.3,\"maximum\":34.6,"
                              "\"percentile-25\":34.3,\"median\":34.3,\"percentile-75\":34.4,\"percentile-95\":34.5,"
                              "\"variance\":0.003944000000000112,\"standard-deviation\":0.06280127387243122}");
    free(text);
    json_decref(s);
}

/* The mean is summed in member order, the variance in ascending bucket
 * order (esmond-rest-api §11.4 step 3); with this member order the two orders give
 * different last digits, so exact comparison is the point here. */
static void test_summation_order(void **state)
{
    (void)state;
    json_t *s = stats_of("{\"50.0\":1,\"41.00\":98,\"41.10\":98,\"41.20\":3}");
    assert_true(member(s, "mean") == 41.097);               /* ascending order: 41.09700000000001 */
    assert_true(member(s, "variance") == 0.40109100000000003); /* member order: 0.40109100000000014 */
    json_decref(s);
    s = stats_of("{\"41.00\":98,\"41.10\":98,\"41.20\":3,\"50.0\":1}");
    assert_true(member(s, "mean") == 41.09700000000001);
    json_decref(s);
}

/* The three percentile-helper cases of test_validator_edge_cases, reached
 * through histograms that take the same branches. */
static void test_percentile_branches(void **state)
{
    (void)state;
    /* k == 0 takes the bucket that first reaches cum >= 0, even an empty one
     * (helper case: p40 of 1 sample -> the value itself) */
    json_t *s = stats_of("{\"100\":1}");
    assert_close("p25 one sample", member(s, "percentile-25"), 100);
    json_decref(s);
    s = stats_of("{\"50\":0,\"100\":1,\"200\":1}");
    assert_close("p25 k=0", member(s, "percentile-25"), 50);
    assert_close("median", member(s, "median"), 150);
    assert_close("minimum", member(s, "minimum"), 50);
    json_decref(s);

    /* cum >= N and k >= N: final at once, no interpolation toward the empty
     * bucket after it (helper case: p95 of 9 samples -> 101) */
    s = stats_of("{\"100\":1,\"101\":8,\"102\":0}");
    assert_close("p95 k=N", member(s, "percentile-95"), 101);
    assert_close("maximum", member(s, "maximum"), 102);
    json_decref(s);

    /* provisional at cum == k, finished at the next bucket with d = 0.45
     * (helper case: p95 of 10 samples, 4 x 100 then 6 x 101 -> 100.45) */
    s = stats_of("{\"100\":29,\"101\":1}");
    assert_close("p95 provisional", member(s, "percentile-95"), 100.45);
    json_decref(s);

    /* whereas 4 x 100, 6 x 101 through the full algorithm ends at cum = N */
    s = stats_of("{\"100\":4,\"101\":6}");
    assert_close("p95 ten samples", member(s, "percentile-95"), 101);
    json_decref(s);
}

static void test_mode(void **state)
{
    (void)state;
    json_t *s = stats_of("{\"3\":5,\"1\":5,\"2\":1}");
    char *text = esm_json_dumps(json_object_get(s, "mode"));
    assert_string_equal(text, "[1.0,3.0]"); /* ascending, not member order */
    free(text);
    json_decref(s);
    /* two spellings of one number are two buckets (esmond-rest-api §11.4 step 5) */
    s = stats_of("{\"41.00\":2,\"41.0\":2,\"7\":1}");
    text = esm_json_dumps(json_object_get(s, "mode"));
    assert_string_equal(text, "[41.0,41.0]");
    free(text);
    json_decref(s);
}

static void test_zero_count_buckets(void **state)
{
    (void)state;
    check("{\"9\":0,\"5\":3,\"1\":0}",
          "{\"minimum\":1,\"maximum\":9,\"mean\":5,\"median\":5,\"percentile-25\":5,\"percentile-75\":5,"
          "\"percentile-95\":5,\"mode\":[5],\"variance\":0,\"standard-deviation\":0}");
}

/* Keys as Python float() reads them. */
static void test_key_syntax(void **state)
{
    (void)state;
    json_t *s = stats_of("{\" 1e1 \":1,\"\\t+.5E-1\\n\":1,\"1_0.2_5\":1,\"-3.\":1}");
    assert_close("minimum", member(s, "minimum"), -3);
    assert_close("maximum", member(s, "maximum"), 10.25);
    assert_close("mean", member(s, "mean"), (10 + 0.05 + 10.25 - 3) / 4);
    json_decref(s);
}

static void test_empty_results(void **state)
{
    (void)state;
    static const char *const cases[] = {
        "{}",                                 /* empty histogram */
        "{\"1\":0,\"2\":0}",                  /* no samples */
        "{\"41.00\":98,\"test\":100}",        /* non-numeric bucket */
        "{\"1\":1,\"inf\":1}",                /* Python reads these, the project does not */
        "{\"1\":1,\"-Infinity\":1}",
        "{\"1\":1,\"nan\":1}",
        "{\"1\":1,\"1e400\":1}",              /* overflows to inf */
        "{\"1\":1,\"0x10\":1}",               /* hex is not Python float() syntax */
        "{\"1\":1,\"\":1}",
        "{\"1\":1,\".\":1}",
        "{\"1\":1,\"1e\":1}",
        "{\"1\":1,\"1_\":1}",
        "{\"1\":1,\"1__0\":1}",
        "{\"1\":1,\"_1\":1}",
        "{\"1\":1,\"1._5\":1}",
        "{\"1\":1,\"1.5.2\":1}",
        "{\"1\":1,\"1 2\":1}",
        "{\"1\":1,\"1e308\":10}",             /* the mean overflows */
        "{\"1\":1.5}",                        /* counts are integers */
        "{\"1\":\"3\"}",
        "{\"1\":1,\"2\":2.5}",
        "{\"1\":-1,\"2\":3}",                 /* negative counts */
        "{\"1\":3,\"2\":-1}",
        "{\"1\":2,\"2\":-1,\"3\":2}",
        "{\"1\":9223372036854775807,\"2\":1}", /* the total overflows */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        json_t *s = stats_of(cases[i]);
        if (!json_is_object(s) || json_object_size(s) != 0)
            fail_msg("%s: expected {}", cases[i]);
        json_decref(s);
    }
    json_t *s = esm_histogram_statistics(NULL);
    assert_true(json_is_object(s) && json_object_size(s) == 0);
    json_decref(s);
    /* a NUL inside a key (jansson's parser refuses it, its API does not) */
    json_t *h = json_object();
    json_object_set_new(h, "1", json_integer(1));
    json_object_setn_new(h, "2\0", 2, json_integer(1));
    s = esm_histogram_statistics(h);
    assert_true(json_is_object(s) && json_object_size(s) == 0);
    json_decref(s);
    json_decref(h);
}

/* Bucket values read exactly as strtod reads them (the parser's fast path for
 * short keys included): random keys of 1 to 20 digits, with and without a
 * point and an exponent, each the only bucket, so its minimum is its value. */
static void test_key_values_exact(void **state)
{
    (void)state;
    srand(20261202);
    for (int i = 0; i < 100000; i++) {
        char key[64];
        int nd = 1 + rand() % 20, point = rand() % (nd + 1), p = 0;
        if (rand() % 4 == 0)
            key[p++] = '-';
        for (int d = 0; d < nd; d++) {
            if (d == point && d > 0)
                key[p++] = '.';
            key[p++] = (char)('0' + rand() % 10);
        }
        if (rand() % 3 == 0)
            p += snprintf(key + p, sizeof key - (size_t)p, "e%d", rand() % 61 - 30);
        key[p] = '\0';
        esm_hist_bucket b = {key, strlen(key), 1};
        esm_buf text;
        esm_buf_init(&text);
        esm_histogram_statistics_write(&text, &b, 1);
        json_t *s = parse(text.data);
        double want = strtod(key, NULL);
        if (json_real_value(json_object_get(s, "minimum")) != want)
            fail_msg("%s: minimum %s, strtod %.17g", key, text.data, want);
        json_decref(s);
        esm_buf_free(&text);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reference_vectors), cmocka_unit_test(test_spec_table),
        cmocka_unit_test(test_appendix_b),        cmocka_unit_test(test_summation_order),
        cmocka_unit_test(test_percentile_branches), cmocka_unit_test(test_mode),
        cmocka_unit_test(test_zero_count_buckets), cmocka_unit_test(test_key_syntax),
        cmocka_unit_test(test_empty_results),     cmocka_unit_test(test_key_values_exact),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
