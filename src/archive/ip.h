/* IP literals and the host-name matching of metadata searches (esmond-rest-api §6.2, §7.2). */
#ifndef ESA_IP_H
#define ESA_IP_H

#include <netinet/in.h>
#include <stdbool.h>

#define ESA_IP_TEXT INET6_ADDRSTRLEN

/* Canonical text (IPv6 compressed lowercase) of an IP literal; false when s is not one. */
bool esa_ip_canonical(const char *s, char out[ESA_IP_TEXT]);

typedef struct {
    char addr[2][ESA_IP_TEXT];
    int n;
} esa_ip_set;

/* Resolves a host name or literal by a dns-match-rule. Returns 0 on success,
 * -1 for an unknown rule, -2 when no address was found. */
int esa_ip_resolve(const char *host, const char *rule, esa_ip_set *set);

#endif
