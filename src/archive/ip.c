#include "ip.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

/* Answers of esa_ip_resolve() for names, kept briefly so a burst of searches
 * does not repeat the same lookups (esmond-rest-api §7.2). */
#define CACHE_SLOTS 64
#define CACHE_SECONDS 30

static struct {
    char host[256];
    char rule[16];
    int rc;
    esa_ip_set set;
    time_t expires;
} cache[CACHE_SLOTS];
static unsigned cache_next;
static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;

static bool cache_get(const char *host, const char *rule, esa_ip_set *set, int *rc)
{
    bool hit = false;
    time_t now = time(NULL);
    pthread_mutex_lock(&cache_lock);
    for (int i = 0; i < CACHE_SLOTS && !hit; i++) {
        if (cache[i].expires > now && strcmp(cache[i].host, host) == 0 && strcmp(cache[i].rule, rule) == 0) {
            *set = cache[i].set;
            *rc = cache[i].rc;
            hit = true;
        }
    }
    pthread_mutex_unlock(&cache_lock);
    return hit;
}

static void cache_put(const char *host, const char *rule, const esa_ip_set *set, int rc)
{
    if (strlen(host) >= sizeof cache[0].host || strlen(rule) >= sizeof cache[0].rule)
        return;
    pthread_mutex_lock(&cache_lock);
    unsigned i = cache_next++ % CACHE_SLOTS;
    snprintf(cache[i].host, sizeof cache[i].host, "%s", host);
    snprintf(cache[i].rule, sizeof cache[i].rule, "%s", rule);
    cache[i].set = *set;
    cache[i].rc = rc;
    cache[i].expires = time(NULL) + CACHE_SECONDS;
    pthread_mutex_unlock(&cache_lock);
}

bool esa_ip_canonical(const char *s, char out[ESA_IP_TEXT])
{
    unsigned char bin[sizeof(struct in6_addr)];
    if (inet_pton(AF_INET, s, bin) == 1)
        return inet_ntop(AF_INET, bin, out, ESA_IP_TEXT) != NULL;
    if (inet_pton(AF_INET6, s, bin) == 1)
        return inet_ntop(AF_INET6, bin, out, ESA_IP_TEXT) != NULL;
    return false;
}

/* First address of one family, as the reference uses only that one (esmond-rest-api §7.2). */
static bool first_address(const char *host, int family, char out[ESA_IP_TEXT])
{
    struct addrinfo hints = {.ai_family = family, .ai_socktype = SOCK_STREAM};
    struct addrinfo *res = NULL;
    char canon[ESA_IP_TEXT];
    if (esa_ip_canonical(host, canon)) {
        /* A literal of the other family gives nothing, as in the reference. */
        bool v6 = strchr(canon, ':') != NULL;
        if ((family == AF_INET6) != v6)
            return false;
        memcpy(out, canon, ESA_IP_TEXT);
        return true;
    }
    if (getaddrinfo(host, NULL, &hints, &res) != 0 || !res)
        return false;
    const void *addr = family == AF_INET ? (const void *)&((struct sockaddr_in *)res->ai_addr)->sin_addr
                                         : (const void *)&((struct sockaddr_in6 *)res->ai_addr)->sin6_addr;
    bool ok = inet_ntop(family, addr, out, ESA_IP_TEXT) != NULL;
    freeaddrinfo(res);
    return ok;
}

static int resolve(const char *host, const char *rule, esa_ip_set *set)
{
    set->n = 0;
    if (strcmp(rule, "v4v6") == 0) {
        if (first_address(host, AF_INET6, set->addr[set->n]))
            set->n++;
        if (first_address(host, AF_INET, set->addr[set->n]))
            set->n++;
    } else if (strcmp(rule, "only-v4") == 0 || strcmp(rule, "only-v6") == 0) {
        if (first_address(host, strcmp(rule, "only-v4") == 0 ? AF_INET : AF_INET6, set->addr[0]))
            set->n = 1;
    } else if (strcmp(rule, "prefer-v4") == 0 || strcmp(rule, "prefer-v6") == 0) {
        int first = strcmp(rule, "prefer-v4") == 0 ? AF_INET : AF_INET6;
        int second = first == AF_INET ? AF_INET6 : AF_INET;
        if (first_address(host, first, set->addr[0]) || first_address(host, second, set->addr[0]))
            set->n = 1;
    } else {
        return -1;
    }
    return set->n ? 0 : -2;
}

int esa_ip_resolve(const char *host, const char *rule, esa_ip_set *set)
{
    if (!rule)
        rule = "v4v6";
    char canon[ESA_IP_TEXT];
    bool literal = esa_ip_canonical(host, canon);
    int rc;
    if (!literal && cache_get(host, rule, set, &rc))
        return rc;
    rc = resolve(host, rule, set);
    if (!literal && rc != -1)
        cache_put(host, rule, set, rc);
    return rc;
}
