/* The host-name resolver against dns_responder.py on 127.0.0.1: names as
 * getfqdn() shows them, failures and timeouts shown as the address, the
 * cache, parallel lookups and the bound on queries in flight. Each test gets
 * a fresh responder, so its query counts start at zero. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <sys/socket.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "hostnames.h"
#include "server_process.h"

#define SLOW_MS 200 /* dns_responder.py's delay for 198.51.100.0/24 */

static server_process responder;
static char stats_path[64];
static char servers[256]; /* "127.0.0.1:PORT" */

static long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static int start_responder(void **state)
{
    snprintf(stats_path, sizeof stats_path, "/tmp/esm-dns-stats-%ld", (long)getpid());
    char *argv[] = {ESM_PYTHON, ESM_DNS_RESPONDER, "--stats", stats_path, "--hosts", ESM_HOSTS_MAP, NULL};
    if (server_start(&responder, argv) != 0)
        return -1;
    const char *prefix = "udp://";
    if (strncmp(responder.url, prefix, strlen(prefix)) != 0)
        return -1;
    snprintf(servers, sizeof servers, "%s", responder.url + strlen(prefix));
    return 0;
}

static int stop_responder(void **state)
{
    server_stop(&responder);
    unlink(stats_path);
    return 0;
}

/* A line of the responder's stats: "total", "peak", or the count of one
 * query name ("1.2.0.192.in-addr.arpa"); 0 when absent. */
static long stat_of(const char *what)
{
    FILE *f = fopen(stats_path, "r");
    assert_non_null(f);
    char line[512], key[300];
    long n, found = 0;
    while (fgets(line, sizeof line, f)) {
        if ((sscanf(line, "query %299s %ld", key, &n) == 2 || sscanf(line, "%299s %ld", key, &n) == 2) &&
            strcmp(key, what) == 0)
            found = n;
    }
    fclose(f);
    return found;
}

static void test_names(void **state)
{
    esm_hostnames *h = esm_hostnames_new(2000, 8, servers);
    assert_non_null(h);
    const char *addrs[] = {"192.0.2.1", "192.0.2.2", "192.0.2.3", "192.0.2.4", "192.0.2.5", "2001:db8::1"};
    for (size_t i = 0; i < sizeof addrs / sizeof *addrs; i++)
        esm_hostnames_want(h, addrs[i]);
    esm_hostnames_resolve(h);
    assert_string_equal(esm_hostnames_get(h, "192.0.2.1"), "ps1.example.net");
    /* Several PTR records: the first one, dot or not, as glibc gives it to Python. */
    assert_string_equal(esm_hostnames_get(h, "192.0.2.2"), "short");
    assert_string_equal(esm_hostnames_get(h, "192.0.2.3"), "long.example.net");
    assert_string_equal(esm_hostnames_get(h, "192.0.2.5"), "a.example.net");
    assert_string_equal(esm_hostnames_get(h, "192.0.2.4"), "plain");
    assert_string_equal(esm_hostnames_get(h, "2001:db8::1"), "v6.example.net");
    assert_int_equal(stat_of("total"), 6);
    /* Another spelling of an address; IPv4 inside IPv6 is asked as IPv6
     * (ip6.arpa), which is what Python shows. */
    assert_string_equal(esm_hostnames_get(h, "2001:DB8:0:0::1"), "v6.example.net");
    assert_string_equal(esm_hostnames_get(h, "::ffff:192.0.2.1"), "::ffff:192.0.2.1");
    assert_int_equal(stat_of("1.0.2.0.0.0.0.c.f.f.f.f.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.ip6.arpa"), 1);
    esm_hostnames_free(h);
}

static void test_failures_show_the_address(void **state)
{
    esm_hostnames *h = esm_hostnames_new(2000, 8, servers);
    assert_non_null(h);
    assert_string_equal(esm_hostnames_get(h, "192.0.2.9"), "192.0.2.9");       /* NXDOMAIN */
    assert_string_equal(esm_hostnames_get(h, "192.0.2.8"), "192.0.2.8");       /* SERVFAIL */
    assert_string_equal(esm_hostnames_get(h, "203.0.113.7"), "203.0.113.7");   /* not in the table */
    assert_string_equal(esm_hostnames_get(h, "2001:db8::99"), "2001:db8::99"); /* nor this */
    esm_hostnames_free(h);
}

static void test_not_literals_as_given(void **state)
{
    esm_hostnames *h = esm_hostnames_new(2000, 8, servers);
    assert_non_null(h);
    const char *as_given[] = {"ps1.example.net", "", "192.0.2.300", "192.0.2", " 192.0.2.1", "fe80::1%eth0",
                              "2001:db8::1/64", "0.0.0.0", "::"};
    for (size_t i = 0; i < sizeof as_given / sizeof *as_given; i++)
        esm_hostnames_want(h, as_given[i]);
    esm_hostnames_resolve(h);
    for (size_t i = 0; i < sizeof as_given / sizeof *as_given; i++)
        assert_string_equal(esm_hostnames_get(h, as_given[i]), as_given[i]);
    assert_int_equal(stat_of("total"), 0);
    assert_null(esm_hostnames_get(h, NULL));
    assert_string_equal(esm_hostnames_get(NULL, "192.0.2.1"), "192.0.2.1");
    esm_hostnames_want(NULL, "192.0.2.1");
    esm_hostnames_resolve(NULL);
    esm_hostnames_free(NULL);
    esm_hostnames_free(h);
}

/* 192.0.2.10 is never answered: the address comes back once timeout_ms is
 * spent (two tries), and the other lookups are not held up. */
static void test_timeout(void **state)
{
    esm_hostnames *h = esm_hostnames_new(600, 8, servers);
    assert_non_null(h);
    esm_hostnames_want(h, "192.0.2.10");
    esm_hostnames_want(h, "192.0.2.1");
    long t0 = now_ms();
    esm_hostnames_resolve(h);
    long elapsed = now_ms() - t0;
    assert_string_equal(esm_hostnames_get(h, "192.0.2.10"), "192.0.2.10");
    assert_string_equal(esm_hostnames_get(h, "192.0.2.1"), "ps1.example.net");
    print_message("silent server, timeout 600 ms: %ld ms\n", elapsed);
    assert_in_range(elapsed, 400, 600 + 300);
    assert_int_equal(stat_of("10.2.0.192.in-addr.arpa"), 2);
    /* Cached: no more waiting. */
    t0 = now_ms();
    assert_string_equal(esm_hostnames_get(h, "192.0.2.10"), "192.0.2.10");
    assert_in_range(now_ms() - t0, 0, 50);
    esm_hostnames_free(h);
}

/* Two servers that both stay silent: still within timeout_ms in all. */
static void test_timeout_two_servers(void **state)
{
    char two[sizeof servers * 2 + 1];
    snprintf(two, sizeof two, "%s,%s", servers, servers);
    esm_hostnames *h = esm_hostnames_new(600, 8, two);
    assert_non_null(h);
    long t0 = now_ms();
    assert_string_equal(esm_hostnames_get(h, "192.0.2.10"), "192.0.2.10");
    long elapsed = now_ms() - t0;
    print_message("two silent servers, timeout 600 ms: %ld ms\n", elapsed);
    assert_in_range(elapsed, 400, 600 + 300);
    assert_int_equal(stat_of("10.2.0.192.in-addr.arpa"), 4);
    esm_hostnames_free(h);
}

static void test_cache(void **state)
{
    esm_hostnames *h = esm_hostnames_new(2000, 8, servers);
    assert_non_null(h);
    const char *first = esm_hostnames_get(h, "192.0.2.1");
    assert_string_equal(first, "ps1.example.net");
    assert_string_equal(esm_hostnames_get(h, "192.0.2.9"), "192.0.2.9");
    esm_hostnames_want(h, "192.0.2.1");
    esm_hostnames_want(h, "192.0.2.9");
    esm_hostnames_resolve(h);
    assert_ptr_equal(esm_hostnames_get(h, "192.0.2.1"), first);
    assert_string_equal(esm_hostnames_get(h, "192.0.2.9"), "192.0.2.9");
    assert_int_equal(stat_of("1.2.0.192.in-addr.arpa"), 1);
    assert_int_equal(stat_of("9.2.0.192.in-addr.arpa"), 1);
    /* Wanted twice before resolving: asked once. */
    esm_hostnames_want(h, "192.0.2.3");
    esm_hostnames_want(h, "192.0.2.3");
    esm_hostnames_resolve(h);
    assert_int_equal(stat_of("3.2.0.192.in-addr.arpa"), 1);
    assert_int_equal(stat_of("total"), 3);
    esm_hostnames_free(h);
}

/* get() of an address not wanted resolves it, along with whatever is queued. */
static void test_get_resolves_the_queue(void **state)
{
    esm_hostnames *h = esm_hostnames_new(2000, 8, servers);
    assert_non_null(h);
    esm_hostnames_want(h, "192.0.2.3");
    assert_string_equal(esm_hostnames_get(h, "192.0.2.1"), "ps1.example.net");
    assert_int_equal(stat_of("total"), 2);
    assert_string_equal(esm_hostnames_get(h, "192.0.2.3"), "long.example.net");
    assert_int_equal(stat_of("total"), 2);
    esm_hostnames_free(h);
}

static void want_slow(esm_hostnames *h, int n)
{
    for (int i = 1; i <= n; i++) {
        char addr[32];
        snprintf(addr, sizeof addr, "198.51.100.%d", i);
        esm_hostnames_want(h, addr);
    }
}

static void assert_slow_names(esm_hostnames *h, int n)
{
    for (int i = 1; i <= n; i++) {
        char addr[32], name[64];
        snprintf(addr, sizeof addr, "198.51.100.%d", i);
        snprintf(name, sizeof name, "h%d.slow.example.net", i);
        assert_string_equal(esm_hostnames_get(h, addr), name);
    }
}

/* 50 answers each 200 ms late: one after the other would take 10 s. */
static void test_parallel(void **state)
{
    esm_hostnames *h = esm_hostnames_new(3000, 50, servers);
    assert_non_null(h);
    want_slow(h, 50);
    long t0 = now_ms();
    esm_hostnames_resolve(h);
    long elapsed = now_ms() - t0;
    assert_slow_names(h, 50);
    print_message("50 lookups of %d ms, 50 in flight: %ld ms (peak %ld)\n", SLOW_MS, elapsed, stat_of("peak"));
    assert_in_range(elapsed, SLOW_MS, 1500);
    assert_int_equal(stat_of("total"), 50);
    esm_hostnames_free(h);
}

/* 20 slow lookups, 4 at a time: never more than 4 waiting at the server,
 * so at least 5 rounds of 200 ms. */
static void test_in_flight_bound(void **state)
{
    esm_hostnames *h = esm_hostnames_new(3000, 4, servers);
    assert_non_null(h);
    want_slow(h, 20);
    long t0 = now_ms();
    esm_hostnames_resolve(h);
    long elapsed = now_ms() - t0;
    assert_slow_names(h, 20);
    print_message("20 lookups of %d ms, 4 in flight: %ld ms (peak %ld)\n", SLOW_MS, elapsed, stat_of("peak"));
    assert_int_equal(stat_of("peak"), 4);
    assert_int_equal(stat_of("total"), 20);
    assert_in_range(elapsed, 5 * SLOW_MS - 50, 3000);
    esm_hostnames_free(h);
}

/* Many addresses (the table grows), most unknown to the server. */
static void test_many(void **state)
{
    esm_hostnames *h = esm_hostnames_new(2000, 64, servers);
    assert_non_null(h);
    char addr[64];
    for (int i = 0; i < 1000; i++) {
        snprintf(addr, sizeof addr, "10.0.%d.%d", i / 256, i % 256);
        esm_hostnames_want(h, addr);
    }
    esm_hostnames_want(h, "192.0.2.1");
    long t0 = now_ms();
    esm_hostnames_resolve(h);
    print_message("1001 lookups, 64 in flight: %ld ms\n", now_ms() - t0);
    for (int i = 0; i < 1000; i++) {
        snprintf(addr, sizeof addr, "10.0.%d.%d", i / 256, i % 256);
        assert_string_equal(esm_hostnames_get(h, addr), addr);
    }
    assert_string_equal(esm_hostnames_get(h, "192.0.2.1"), "ps1.example.net");
    assert_int_equal(stat_of("total"), 1001);
    esm_hostnames_free(h);
}

static void test_arguments(void **state)
{
    assert_null(esm_hostnames_new(1000, 4, "not a server list"));
    /* No time and no parallelism given: the least of each, still an answer. */
    esm_hostnames *h = esm_hostnames_new(0, 0, servers);
    assert_non_null(h);
    esm_hostnames_want(h, "192.0.2.1");
    esm_hostnames_want(h, "192.0.2.10");
    long t0 = now_ms();
    esm_hostnames_resolve(h);
    assert_in_range(now_ms() - t0, 0, 300);
    assert_string_equal(esm_hostnames_get(h, "192.0.2.10"), "192.0.2.10");
    esm_hostnames_free(h);
}

/* Addresses of names (A and AAAA from the responder's hosts.map), asked once each. */
static void test_addresses(void **state)
{
    esm_hostnames *h = esm_hostnames_new(2000, 4, servers);
    assert_non_null(h);
    const char *why = NULL;
    assert_string_equal(esm_hostnames_address(h, "dtn1.example.net", AF_INET, &why), "192.0.2.10");
    assert_string_equal(esm_hostnames_address(h, "dtn1.example.net", AF_INET6, &why), "2001:db8:1::10");
    assert_string_equal(esm_hostnames_address(h, "DTN1.example.net", AF_INET, &why), "192.0.2.10");
    assert_string_equal(esm_hostnames_address(h, "dtn2.example.net", AF_INET, &why), "192.0.2.11");
    why = NULL;
    assert_null(esm_hostnames_address(h, "dtn2.example.net", AF_INET6, &why)); /* no AAAA */
    assert_non_null(why);
    why = NULL;
    assert_null(esm_hostnames_address(h, "nowhere.example.net", AF_INET, &why));
    assert_non_null(why);
    /* again: from the cache, failures included */
    assert_string_equal(esm_hostnames_address(h, "dtn1.example.net", AF_INET6, &why), "2001:db8:1::10");
    assert_null(esm_hostnames_address(h, "dtn2.example.net", AF_INET6, &why));
    assert_null(esm_hostnames_address(h, "nowhere.example.net", AF_INET, &why));
    assert_int_equal(stat_of("dtn1.example.net"), 2);
    assert_int_equal(stat_of("dtn2.example.net"), 2);
    assert_int_equal(stat_of("nowhere.example.net"), 1);
    /* literals answer themselves, without a query */
    long before = stat_of("total");
    assert_string_equal(esm_hostnames_address(h, "198.51.100.7", AF_INET, &why), "198.51.100.7");
    assert_string_equal(esm_hostnames_address(h, "2001:db8::7", AF_INET6, &why), "2001:db8::7");
    assert_int_equal(stat_of("total"), before);
    /* a literal of the other family is no address of this one */
    why = NULL;
    assert_null(esm_hostnames_address(h, "198.51.100.7", AF_INET6, &why));
    assert_non_null(why);
    assert_null(esm_hostnames_address(h, "2001:db8::7", AF_INET, &why));
    assert_null(esm_hostnames_address(h, "dtn1.example.net", AF_UNIX, &why));
    esm_hostnames_free(h);
}

/* A name nobody answers fails within the timeout. */
static void test_address_timeout(void **state)
{
    esm_hostnames *h = esm_hostnames_new(400, 1, servers);
    assert_non_null(h);
    const char *why = NULL;
    long t0 = now_ms();
    assert_null(esm_hostnames_address(h, "silent.example.net", AF_INET, &why));
    long elapsed = now_ms() - t0;
    assert_non_null(why);
    assert_in_range(elapsed, 300, 400 + 400);
    esm_hostnames_free(h);
}

/* The system's resolvers (hosts file first): as Python shows 127.0.0.1. */
static void test_system_resolvers(void **state)
{
    FILE *p = popen(ESM_PYTHON " -c \"import socket; print(socket.getfqdn('127.0.0.1'))\"", "r");
    assert_non_null(p);
    char expected[256] = "";
    assert_non_null(fgets(expected, sizeof expected, p));
    pclose(p);
    expected[strcspn(expected, "\n")] = '\0';
    esm_hostnames *h = esm_hostnames_new(5000, 4, NULL);
    assert_non_null(h);
    assert_string_equal(esm_hostnames_get(h, "127.0.0.1"), expected);
    esm_hostnames_free(h);
    /* names through the hosts file, as getaddrinfo() finds them */
    h = esm_hostnames_new(5000, 4, NULL);
    const char *why = NULL;
    assert_string_equal(esm_hostnames_address(h, "localhost", AF_INET, &why), "127.0.0.1");
    esm_hostnames_free(h);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, start_responder, stop_responder)
    const struct CMUnitTest tests[] = {
        T(test_names),
        T(test_failures_show_the_address),
        T(test_not_literals_as_given),
        T(test_timeout),
        T(test_timeout_two_servers),
        T(test_cache),
        T(test_get_resolves_the_queue),
        T(test_parallel),
        T(test_in_flight_bound),
        T(test_many),
        T(test_arguments),
        T(test_addresses),
        T(test_address_timeout),
        cmocka_unit_test(test_system_resolvers),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
