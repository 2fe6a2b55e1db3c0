/* Addresses shown as host names, the way the Python tools do with
 * socket.getfqdn(): the reverse lookup's name when it has a dot, else the
 * first alias with a dot, else that name; the address itself when the lookup
 * fails. Lookups run in parallel (c-ares), a bounded number in flight, with a
 * timeout, and each address is looked up once (cache), so a slow DNS never
 * stalls a tool. */
#ifndef ESM_TOOLS_HOSTNAMES_H
#define ESM_TOOLS_HOSTNAMES_H

#include <stddef.h>

typedef struct esm_hostnames esm_hostnames;

/* timeout_ms: per lookup, all tries and servers included (at least 1 ms);
 * max_in_flight: DNS queries at once (at least 1). servers: NULL for the
 * system's configuration (hosts file, then DNS, as nsswitch.conf says), or a
 * c-ares server list such as "127.0.0.1:5353" (tests: DNS only, no hosts
 * file). NULL when out of memory, c-ares fails or servers is malformed. */
esm_hostnames *esm_hostnames_new(long timeout_ms, int max_in_flight, const char *servers);
void esm_hostnames_free(esm_hostnames *h);

/* Queues addr (an IPv4 or IPv6 literal; anything else, and 0.0.0.0 or ::, is
 * shown as is) for lookup; cheap when already known or queued. */
void esm_hostnames_want(esm_hostnames *h, const char *addr);
/* Resolves everything queued, in parallel, returning when all are answered or timed out. */
void esm_hostnames_resolve(esm_hostnames *h);
/* The name to show for addr (resolving it now, with whatever else is queued,
 * if it was not resolved yet). The string lives as long as h; only when out
 * of memory is it addr itself. */
const char *esm_hostnames_get(esm_hostnames *h, const char *addr);

/* The first address of host `name` in family (AF_INET or AF_INET6), as
 * getaddrinfo() with that family finds it: the hosts file, then DNS (only
 * DNS when servers were given). An address literal of the family is its own
 * answer. Each name and family is asked once, within the timeout; failures
 * are remembered too. Returns the address text (it lives as long as h), or
 * NULL with *why set to static text saying why (c-ares' reason, "timed out",
 * "no address of that family"). */
const char *esm_hostnames_address(esm_hostnames *h, const char *name, int family, const char **why);

#endif
