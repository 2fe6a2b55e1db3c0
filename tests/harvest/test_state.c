/* esmond-ps-harvest's checkpoint (src/tools/harvest/state.c): the set of
 * delivered time stamps within the overlap, file names from URLs, the file
 * written and read back, and files it refuses. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "harvest.h"

static char dir[] = "/tmp/esm-hv-state-XXXXXX";

static void test_seen_set_within_overlap(void **unused)
{
    (void)unused;
    hv_series s = {.last = -1};
    assert_false(hv_series_seen(&s, 100));
    hv_series_prune(&s, 3600); /* nothing delivered yet: no set at all */
    assert_int_equal(s.nseen, 0);
    long long ts[] = {100, 160, 220, 130}; /* 130 arrives late */
    for (size_t i = 0; i < 4; i++)
        assert_true(hv_series_deliver(&s, ts[i]));
    assert_int_equal(s.last, 220);
    assert_int_equal(s.nseen, 4);
    assert_int_equal(s.seen[1], 130); /* kept in order */
    assert_true(hv_series_seen(&s, 130));
    assert_false(hv_series_seen(&s, 131));
    assert_false(hv_series_seen(&s, 280)); /* newer than last */
    hv_series_prune(&s, 90);               /* keeps [130, 220] */
    assert_int_equal(s.nseen, 3);
    assert_int_equal(s.seen[0], 130);
    assert_false(hv_series_seen(&s, 100));
    free(s.seen);
}

static void test_names_stay_in_the_directory(void **unused)
{
    (void)unused;
    char a[160], b[160];
    hv_archive_name("http://127.0.0.1:8080/../../etc", a, sizeof a);
    assert_null(strchr(a, '/'));
    assert_true(a[0] != '.');
    assert_int_equal(strncmp(a, "127.0.0.1_8080_.._.._etc-", 25), 0);
    hv_archive_name("http://127.0.0.1:8080/..%2F..%2Fetc", b, sizeof b);
    assert_string_not_equal(a, b);
    char long_url[600] = "https://";
    memset(long_url + 8, 'x', 500);
    hv_archive_name(long_url, a, sizeof a);
    assert_true(strlen(a) <= 80 + 17);
}

static void test_round_trip(void **unused)
{
    (void)unused;
    char why[600];
    hv_state st;
    assert_true(hv_state_load(&st, dir, "http://a.example:1", why, sizeof why));
    assert_int_equal(st.n, 0);
    hv_series *s = hv_state_series(&st, "k1", "throughput", "base", 0);
    assert_non_null(s);
    assert_ptr_equal(hv_state_series(&st, "k1", "throughput", "base", 0), s);
    hv_series_deliver(s, 50);
    hv_series_deliver(s, 70);
    s->updated = 71;
    s->read_at = 72;
    st.last_run = 99;
    st.file = strdup("2026-12-02.ndjson");
    st.file_len = 1234;
    assert_true(hv_state_save(&st, why, sizeof why));
    hv_state_free(&st);

    assert_true(hv_state_load(&st, dir, "http://a.example:1", why, sizeof why));
    assert_int_equal(st.n, 1);
    assert_int_equal(st.last_run, 99);
    assert_string_equal(st.file, "2026-12-02.ndjson");
    assert_int_equal(st.file_len, 1234);
    s = &st.series[0];
    assert_int_equal(s->last, 70);
    assert_int_equal(s->updated, 71);
    assert_int_equal(s->read_at, 72);
    assert_int_equal(s->nseen, 2);
    assert_true(hv_series_seen(s, 50));
    hv_state_free(&st);
}

static void write_state(const char *url, const char *text)
{
    char name[160], path[300];
    hv_archive_name(url, name, sizeof name);
    snprintf(path, sizeof path, "%s/%s.json", dir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void test_refuses_bad_files(void **unused)
{
    (void)unused;
    const char *bad[] = {
        "{\"version\": 1, \"archive\": \"http://b\"",                      /* torn */
        "{\"version\": 2, \"archive\": \"http://b\", \"series\": []}",     /* unknown version */
        "{\"version\": 1, \"archive\": \"http://other\", \"series\": []}", /* another archive */
        "{\"version\": 1, \"archive\": \"http://b\", \"output\": {\"file\": \"../x\"}, \"series\": []}",
        "{\"version\": 1, \"archive\": \"http://b\", \"series\": [{\"metadata-key\": 1}]}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        write_state("http://b", bad[i]);
        hv_state st;
        char why[600] = "";
        assert_false(hv_state_load(&st, dir, "http://b", why, sizeof why));
        assert_true(strlen(why) > 0);
        hv_state_free(&st);
    }
}

int main(void)
{
    if (!mkdtemp(dir))
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_seen_set_within_overlap),
        cmocka_unit_test(test_names_stay_in_the_directory),
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_refuses_bad_files),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    char cmd[100];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0)
        rc = rc ? rc : 1;
    return rc;
}
