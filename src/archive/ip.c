#include "ip.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <string.h>
#include <sys/socket.h>

bool esa_ip_canonical(const char *s, char out[ESA_IP_TEXT])
{
    unsigned char bin[sizeof(struct in6_addr)];
    if (inet_pton(AF_INET, s, bin) == 1)
        return inet_ntop(AF_INET, bin, out, ESA_IP_TEXT) != NULL;
    if (inet_pton(AF_INET6, s, bin) == 1)
        return inet_ntop(AF_INET6, bin, out, ESA_IP_TEXT) != NULL;
    return false;
}

/* First address of one family, as the reference uses only that one (spec §6.2). */
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

int esa_ip_resolve(const char *host, const char *rule, esa_ip_set *set)
{
    set->n = 0;
    if (!rule || strcmp(rule, "v4v6") == 0) {
        if (first_address(host, AF_INET6, set->addr[set->n]))
            set->n++;
        if (first_address(host, AF_INET, set->addr[set->n]))
            set->n++;
    } else if (strcmp(rule, "only-v4") == 0 || strcmp(rule, "only-v6") == 0) {
        if (first_address(host, rule[5] == '4' ? AF_INET : AF_INET6, set->addr[0]))
            set->n = 1;
    } else if (strcmp(rule, "prefer-v4") == 0 || strcmp(rule, "prefer-v6") == 0) {
        int first = rule[8] == '4' ? AF_INET : AF_INET6;
        int second = first == AF_INET ? AF_INET6 : AF_INET;
        if (first_address(host, first, set->addr[0]) || first_address(host, second, set->addr[0]))
            set->n = 1;
    } else {
        return -1;
    }
    return set->n ? 0 : -2;
}
