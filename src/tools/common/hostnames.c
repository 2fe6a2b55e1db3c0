/* Host names for addresses, as Python's socket.getfqdn() finds them, and
 * addresses for host names (see hostnames.h). Two c-ares channels: one reads
 * only the hosts file (its lookups finish inside the call), one asks DNS,
 * where queries run in parallel up to max_in_flight. */
#include "hostnames.h"

#include <ares.h>
#include <arpa/inet.h>
#include <limits.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>

enum state { QUEUED, ASKING, DONE };

typedef struct entry {
    esm_hostnames *h; /* for the c-ares callbacks */
    char *addr;
    char *name; /* NULL: the address is shown */
    enum state state;
    int family, len;
    unsigned char bin[16];
    long long deadline; /* monotonic ms, set when DNS is first asked */
    int slot;           /* index in h->asking while ASKING */
} entry;

struct esm_hostnames {
    ares_channel files; /* NULL when the hosts file is not read */
    ares_channel dns;   /* NULL when DNS is not asked */
    long timeout_ms;
    int max_in_flight;
    entry **table; /* open addressing on addr; size a power of two */
    size_t table_size, count;
    entry **queue; /* entries waiting for a DNS slot, FIFO from queue_head */
    size_t queue_head, queue_len, queue_cap;
    entry **asking; /* the queries in flight (max_in_flight slots) */
    int in_flight;
    struct forward *forwards; /* addresses of names, esm_hostnames_address() */
};

/* One name's first address in one family, or why there is none. */
typedef struct forward {
    struct forward *next;
    int family;
    char *name;
    char addr[INET6_ADDRSTRLEN]; /* "" when the lookup failed */
    const char *why;
} forward;

static pthread_once_t library_once = PTHREAD_ONCE_INIT;
static int library_status = ARES_ENOTINITIALIZED;

static void library_init(void)
{
    library_status = ares_library_init(ARES_LIB_INIT_ALL);
}

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static size_t hash(const char *s)
{
    size_t x = 2166136261u; /* FNV-1a */
    for (; *s; s++)
        x = (x ^ (unsigned char)*s) * 16777619u;
    return x;
}

/* The slot holding addr, or the empty slot where it belongs. */
static size_t slot_of(const esm_hostnames *h, const char *addr)
{
    size_t mask = h->table_size - 1, i = hash(addr) & mask;
    while (h->table[i] && strcmp(h->table[i]->addr, addr) != 0)
        i = (i + 1) & mask;
    return i;
}

static int grow(esm_hostnames *h)
{
    size_t old_size = h->table_size;
    entry **old = h->table;
    h->table = calloc(old_size * 2, sizeof *h->table);
    if (!h->table) {
        h->table = old;
        return 0;
    }
    h->table_size = old_size * 2;
    for (size_t i = 0; i < old_size; i++)
        if (old[i])
            h->table[slot_of(h, old[i]->addr)] = old[i];
    free(old);
    return 1;
}

static int push(esm_hostnames *h, entry *e)
{
    if (h->queue_len == h->queue_cap) {
        size_t cap = h->queue_cap ? h->queue_cap * 2 : 64;
        entry **q = realloc(h->queue, cap * sizeof *q);
        if (!q)
            return 0;
        h->queue = q;
        h->queue_cap = cap;
    }
    h->queue[h->queue_len++] = e;
    e->state = QUEUED;
    return 1;
}

/* Reads an IP literal into e->bin. The unspecified addresses are not looked
 * up: Python shows this machine's name for them, which says nothing about a
 * measurement. IPv4-mapped IPv6 addresses are asked as they are (ip6.arpa),
 * which is what Python shows. */
static int parse(entry *e)
{
    static const unsigned char zeros[16];
    if (inet_pton(AF_INET, e->addr, e->bin) == 1) {
        e->family = AF_INET;
        e->len = 4;
    } else if (inet_pton(AF_INET6, e->addr, e->bin) == 1) {
        e->family = AF_INET6;
        e->len = 16;
    } else {
        return 0;
    }
    return memcmp(e->bin, zeros, (size_t)e->len) != 0;
}

/* getfqdn() on a hosts-file answer: the name if it has a dot, else the first
 * alias with one, else the name. */
static void on_file(void *arg, int status, int timeouts, struct hostent *he)
{
    entry *e = arg;
    if (status != ARES_SUCCESS || !he || !he->h_name)
        return;
    const char *name = he->h_name;
    for (char **a = he->h_aliases; !strchr(name, '.') && a && *a; a++)
        if (strchr(*a, '.'))
            name = *a;
    e->name = strdup(name);
    e->state = DONE;
}

/* A DNS answer. glibc, hence Python, takes the first PTR record and no
 * aliases, so getfqdn() shows it as it is. c-ares lists every PTR record in
 * h_aliases in answer order (h_name is the last one): the first alias is it. */
static void on_dns(void *arg, int status, int timeouts, struct hostent *he)
{
    entry *e = arg;
    esm_hostnames *h = e->h;
    h->asking[e->slot] = h->asking[--h->in_flight];
    h->asking[e->slot]->slot = e->slot;
    /* Cancelled by the backstop in wait_once() before its own deadline: ask again. */
    if (status == ARES_ECANCELLED && now_ms() < e->deadline && push(h, e))
        return;
    e->state = DONE;
    if (status != ARES_SUCCESS || !he)
        return;
    const char *name = he->h_aliases && he->h_aliases[0] ? he->h_aliases[0] : he->h_name;
    if (name)
        e->name = strdup(name);
}

static void start(esm_hostnames *h, entry *e)
{
    if (h->files) {
        ares_gethostbyaddr(h->files, e->bin, e->len, e->family, on_file, e);
        ares_cancel(h->files); /* in case a c-ares version does not answer at once */
        if (e->state == DONE)
            return;
    }
    if (!h->dns) {
        e->state = DONE;
        return;
    }
    if (!e->deadline)
        e->deadline = now_ms() + h->timeout_ms;
    e->state = ASKING;
    e->slot = h->in_flight;
    h->asking[h->in_flight++] = e;
    ares_gethostbyaddr(h->dns, e->bin, e->len, e->family, on_dns, e);
}

static long long first_deadline(const esm_hostnames *h)
{
    long long first = LLONG_MAX;
    for (int i = 0; i < h->in_flight; i++)
        if (h->asking[i]->deadline < first)
            first = h->asking[i]->deadline;
    return first;
}

/* Waits for the channel's sockets or its next timeout, at most until
 * deadline (monotonic ms), and lets c-ares go on. */
static void pump(ares_channel ch, long long deadline)
{
    ares_socket_t socks[ARES_GETSOCK_MAXNUM];
    struct pollfd pfds[ARES_GETSOCK_MAXNUM];
    /* The bits as unsigned: ARES_GETSOCK_WRITABLE() shifts an int by 31. */
    unsigned bits = (unsigned)ares_getsock(ch, socks, ARES_GETSOCK_MAXNUM);
    int n = 0;
    for (int i = 0; i < ARES_GETSOCK_MAXNUM; i++) {
        short events = (short)((bits & 1u << i ? POLLIN : 0) | (bits & 1u << (i + ARES_GETSOCK_MAXNUM) ? POLLOUT : 0));
        if (events)
            pfds[n++] = (struct pollfd){.fd = socks[i], .events = events};
    }
    long long left = deadline - now_ms();
    if (left < 0)
        left = 0;
    struct timeval max = {.tv_sec = left / 1000, .tv_usec = (left % 1000) * 1000}, tv;
    struct timeval *next = ares_timeout(ch, &max, &tv);
    int ms = (int)(next->tv_sec * 1000 + (next->tv_usec + 999) / 1000);
    int ready = poll(pfds, (nfds_t)n, ms);
    if (ready > 0) {
        for (int i = 0; i < n; i++) {
            short r = pfds[i].revents;
            if (r)
                ares_process_fd(ch, r & (POLLIN | POLLERR | POLLHUP) ? pfds[i].fd : ARES_SOCKET_BAD,
                                r & POLLOUT ? pfds[i].fd : ARES_SOCKET_BAD);
        }
    } else if (ready == 0) {
        ares_process_fd(ch, ARES_SOCKET_BAD, ARES_SOCKET_BAD); /* timeouts */
    }
}

static void wait_once(esm_hostnames *h)
{
    pump(h->dns, first_deadline(h));
    /* The tries and per-try timeout end every query within timeout_ms; should
     * c-ares take longer, stop it so that resolving always ends. */
    if (h->in_flight > 0 && now_ms() >= first_deadline(h))
        ares_cancel(h->dns);
}

void esm_hostnames_resolve(esm_hostnames *h)
{
    if (!h)
        return;
    while (h->queue_head < h->queue_len || h->in_flight > 0) {
        while (h->in_flight < h->max_in_flight && h->queue_head < h->queue_len)
            start(h, h->queue[h->queue_head++]);
        if (h->in_flight > 0)
            wait_once(h);
    }
    h->queue_head = h->queue_len = 0;
}

static entry *find_or_add(esm_hostnames *h, const char *addr)
{
    size_t i = slot_of(h, addr);
    if (h->table[i])
        return h->table[i];
    if ((h->count + 1) * 2 > h->table_size) {
        if (!grow(h))
            return NULL;
        i = slot_of(h, addr);
    }
    entry *e = calloc(1, sizeof *e);
    if (!e || !(e->addr = strdup(addr))) {
        free(e);
        return NULL;
    }
    e->h = h;
    e->state = DONE;
    if (parse(e) && (h->files || h->dns))
        push(h, e); /* out of memory: stays DONE, shown as the address */
    h->table[i] = e;
    h->count++;
    return e;
}

void esm_hostnames_want(esm_hostnames *h, const char *addr)
{
    if (h && addr)
        find_or_add(h, addr);
}

const char *esm_hostnames_get(esm_hostnames *h, const char *addr)
{
    entry *e = h && addr ? find_or_add(h, addr) : NULL;
    if (!e)
        return addr;
    if (e->state == QUEUED)
        esm_hostnames_resolve(h);
    return e->name ? e->name : e->addr;
}

/* ---- addresses of names ---- */

static void on_addrinfo(void *arg, int status, int timeouts, struct ares_addrinfo *res)
{
    forward *f = arg;
    const struct ares_addrinfo_node *node = status == ARES_SUCCESS && res ? res->nodes : NULL;
    while (node && node->ai_family != f->family) /* c-ares answers a literal of the other family as it is */
        node = node->ai_next;
    if (node) {
        const void *bin = node->ai_family == AF_INET6 ? (const void *)&((struct sockaddr_in6 *)node->ai_addr)->sin6_addr
                                                      : (const void *)&((struct sockaddr_in *)node->ai_addr)->sin_addr;
        if (!inet_ntop(node->ai_family, bin, f->addr, sizeof f->addr))
            f->addr[0] = '\0';
    }
    f->why = f->addr[0] ? NULL
             : status == ARES_SUCCESS ? "no address of that family"
             : status == ARES_ECANCELLED ? "timed out"
             : ares_strerror(status);
    ares_freeaddrinfo(res);
}

/* Asks one channel; the answer (or its failure) is in f->addr / f->why. */
static void ask_address(ares_channel ch, forward *f, long timeout_ms)
{
    struct ares_addrinfo_hints hints;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = f->family;
    f->why = NULL;
    ares_getaddrinfo(ch, f->name, NULL, &hints, on_addrinfo, f);
    long long deadline = now_ms() + timeout_ms;
    while (!f->why && !f->addr[0]) {
        if (now_ms() >= deadline) {
            ares_cancel(ch); /* calls on_addrinfo: "timed out" */
            break;
        }
        pump(ch, deadline);
    }
    if (!f->why && !f->addr[0])
        f->why = "timed out";
}

const char *esm_hostnames_address(esm_hostnames *h, const char *name, int family, const char **why)
{
    static const char *const nomem = "out of memory";
    *why = "not an IPv4 or IPv6 lookup";
    if (!h || !name || (family != AF_INET && family != AF_INET6))
        return NULL;
    forward *f = h->forwards;
    while (f && (f->family != family || strcasecmp(f->name, name) != 0)) /* names ignore case */
        f = f->next;
    if (!f) {
        if (!(f = calloc(1, sizeof *f)) || !(f->name = strdup(name))) {
            free(f);
            *why = nomem;
            return NULL;
        }
        f->family = family;
        f->next = h->forwards;
        h->forwards = f;
        f->why = "no hosts file or DNS to ask";
        if (h->files)
            ask_address(h->files, f, h->timeout_ms);
        if (!f->addr[0] && h->dns)
            ask_address(h->dns, f, h->timeout_ms);
    }
    *why = f->why;
    return f->addr[0] ? f->addr : NULL;
}

/* A channel with the given lookups ("f": hosts file, "b": DNS). For DNS, the
 * per-try timeout is set so that all tries of all servers fit in timeout_ms:
 * c-ares asks each server in turn, doubling the timeout after each round, so
 * two rounds take 3 x nservers x the first timeout. */
static ares_channel open_channel(const char *lookups, const char *servers, long timeout_ms, int nservers)
{
    char lookups_copy[3];
    snprintf(lookups_copy, sizeof lookups_copy, "%s", lookups);
    struct ares_options o;
    memset(&o, 0, sizeof o);
    o.lookups = lookups_copy;
    o.tries = 2;
    long per_try = timeout_ms / (3L * nservers);
    o.timeout = (int)(per_try < 1 ? 1 : per_try > INT_MAX ? INT_MAX : per_try);
    ares_channel ch = NULL;
    if (ares_init_options(&ch, &o, ARES_OPT_LOOKUPS | ARES_OPT_TRIES | ARES_OPT_TIMEOUTMS) != ARES_SUCCESS)
        return NULL;
    if (servers && ares_set_servers_ports_csv(ch, servers) != ARES_SUCCESS) {
        ares_destroy(ch);
        return NULL;
    }
    return ch;
}

static int count_servers(ares_channel ch)
{
    struct ares_addr_port_node *list = NULL;
    int n = 0;
    if (ares_get_servers_ports(ch, &list) == ARES_SUCCESS)
        for (struct ares_addr_port_node *s = list; s; s = s->next)
            n++;
    ares_free_data(list);
    return n > 0 ? n : 1;
}

/* Which of the hosts file and DNS the system consults (c-ares reads
 * nsswitch.conf or resolv.conf for this), "fb" when unsure. */
static void system_lookups(int *files, int *dns)
{
    ares_channel ch = NULL;
    struct ares_options o;
    int mask = 0;
    *files = *dns = 1;
    if (ares_init(&ch) != ARES_SUCCESS)
        return;
    if (ares_save_options(ch, &o, &mask) == ARES_SUCCESS) {
        if ((mask & ARES_OPT_LOOKUPS) && o.lookups && *o.lookups) {
            *files = strchr(o.lookups, 'f') != NULL;
            *dns = strchr(o.lookups, 'b') != NULL;
        }
        ares_destroy_options(&o);
    }
    ares_destroy(ch);
}

esm_hostnames *esm_hostnames_new(long timeout_ms, int max_in_flight, const char *servers)
{
    pthread_once(&library_once, library_init);
    if (library_status != ARES_SUCCESS)
        return NULL;
    esm_hostnames *h = calloc(1, sizeof *h);
    if (!h)
        return NULL;
    h->timeout_ms = timeout_ms > 0 ? timeout_ms : 1;
    h->max_in_flight = max_in_flight > 0 ? max_in_flight : 1;
    h->table_size = 64;
    h->table = calloc(h->table_size, sizeof *h->table);
    h->asking = calloc((size_t)h->max_in_flight, sizeof *h->asking);
    if (!h->table || !h->asking)
        goto fail;
    /* Tests name their servers: then only DNS, never this machine's hosts file. */
    int files = 0, dns = 1;
    if (!servers)
        system_lookups(&files, &dns);
    if (files && !(h->files = open_channel("f", NULL, h->timeout_ms, 1)))
        goto fail;
    if (dns) {
        if (!(h->dns = open_channel("b", servers, h->timeout_ms, 1)))
            goto fail;
        int n = count_servers(h->dns);
        if (n > 1) {
            ares_destroy(h->dns);
            if (!(h->dns = open_channel("b", servers, h->timeout_ms, n)))
                goto fail;
        }
    }
    return h;
fail:
    esm_hostnames_free(h);
    return NULL;
}

void esm_hostnames_free(esm_hostnames *h)
{
    if (!h)
        return;
    /* Channels first: destroying them calls back into the entries. */
    if (h->dns)
        ares_destroy(h->dns);
    if (h->files)
        ares_destroy(h->files);
    for (size_t i = 0; h->table && i < h->table_size; i++) {
        if (h->table[i]) {
            free(h->table[i]->addr);
            free(h->table[i]->name);
            free(h->table[i]);
        }
    }
    free(h->table);
    free(h->queue);
    free(h->asking);
    while (h->forwards) {
        forward *next = h->forwards->next;
        free(h->forwards->name);
        free(h->forwards);
        h->forwards = next;
    }
    free(h);
}
