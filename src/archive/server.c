#include "server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define SHUTDOWN_GRACE_MS 30000

struct esa_server {
    struct MHD_Daemon *daemon;
    esa_archive *ar;
    size_t max_body;
    atomic_int active; /* requests between their first callback and completion */
};

/* Per-request state, from the first callback to the completion callback. */
typedef struct {
    esm_buf body;
    bool too_big;
    struct timespec start;
    unsigned status;
    size_t bytes;
    esa_param *params;
    size_t n_params, cap_params;
    char method[16];
    char url[256]; /* for the log line: truncated, control bytes and quotes replaced */
} conn_state;

static double elapsed_ms(const struct timespec *start)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - start->tv_sec) * 1e3 + (double)(now.tv_nsec - start->tv_nsec) / 1e6;
}

static enum MHD_Result collect_param(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
    conn_state *cs = cls;
    if (cs->n_params == cs->cap_params) {
        size_t cap = cs->cap_params ? 2 * cs->cap_params : 8;
        esa_param *p = realloc(cs->params, cap * sizeof *p);
        if (!p)
            return MHD_NO;
        cs->params = p;
        cs->cap_params = cap;
    }
    esa_param *p = &cs->params[cs->n_params];
    p->name = strdup(key ? key : "");
    p->value = strdup(value ? value : "");
    if (!p->name || !p->value) {
        free(p->name);
        free(p->value);
        return MHD_NO;
    }
    cs->n_params++;
    return MHD_YES;
}

static void free_state(conn_state *cs)
{
    esm_buf_free(&cs->body);
    for (size_t i = 0; i < cs->n_params; i++) {
        free(cs->params[i].name);
        free(cs->params[i].value);
    }
    free(cs->params);
    free(cs);
}

static enum MHD_Result send_response(struct MHD_Connection *c, conn_state *cs, esa_response *rs)
{
    if (rs->status == 0 || rs->body.failed)
        esa_respond_error(rs, 503, "Internal error while answering");
    size_t len = rs->body.len;
    char *data = rs->body.data;
    rs->body.data = NULL;
    struct MHD_Response *r =
        data ? MHD_create_response_from_buffer(len, data, MHD_RESPMEM_MUST_FREE)
             : MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
    if (!r) {
        free(data);
        return MHD_NO;
    }
    MHD_add_response_header(r, "Content-Type", "application/json");
    MHD_add_response_header(r, "Access-Control-Allow-Origin", "*");
    if (rs->location)
        MHD_add_response_header(r, "Location", rs->location);
    if (rs->link)
        MHD_add_response_header(r, "Link", rs->link);
    if (rs->www_authenticate)
        MHD_add_response_header(r, "WWW-Authenticate", "Token");
    cs->status = rs->status;
    cs->bytes = len;
    enum MHD_Result ret = MHD_queue_response(c, rs->status, r);
    MHD_destroy_response(r);
    return ret;
}

/* Mount points: the toolkit's (/esmond) and none (esmond-rest-api §3.1). */
static const char *strip_prefix(const char *url, const char **prefix)
{
    static const char *const prefixes[] = {"/esmond/perfsonar", "/perfsonar"};
    for (size_t i = 0; i < 2; i++) {
        size_t n = strlen(prefixes[i]);
        if (strncmp(url, prefixes[i], n) == 0 && url[n] == '/') {
            *prefix = prefixes[i];
            return url + n;
        }
    }
    return NULL;
}

static enum MHD_Result handle(esa_server *srv, struct MHD_Connection *c, conn_state *cs, const char *url,
                              const char *method)
{
    esa_response rs;
    esa_response_init(&rs);
    esa_request rq = {0};
    rq.method = strcmp(method, "HEAD") == 0 ? "GET" : method;
    rq.host = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Host");
    if (!rq.host || !*rq.host || strpbrk(rq.host, "\"<> \\"))
        rq.host = "localhost";
    rq.content_type = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Type");
    rq.authorization = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");
    rq.body = cs->body.data ? cs->body.data : "";
    rq.body_len = cs->body.len;
    const char *path = strip_prefix(url, &rq.prefix);
    if (cs->too_big) {
        esa_respond_error(&rs, 413, "Request body larger than %zu bytes", srv->max_body);
    } else if (cs->body.failed) {
        esa_respond_error(&rs, 503, "Out of memory");
    } else if (!path) {
        esa_respond_error(&rs, 404, "Not found.");
    } else if (MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, collect_param, cs) < 0 ||
               cs->n_params > 1000) {
        esa_respond_error(&rs, 400, "Malformed query string");
    } else {
        rq.params = cs->params;
        rq.n_params = cs->n_params;
        esa_route(srv->ar, &rq, path, &rs);
    }
    enum MHD_Result ret = send_response(c, cs, &rs);
    esa_response_free(&rs);
    return ret;
}

static void log_text(char *out, size_t size, const char *in)
{
    size_t i = 0;
    for (; in && in[i] && i + 1 < size; i++)
        out[i] = (in[i] < 0x20 || in[i] == 0x7f || in[i] == '"') ? '?' : in[i];
    out[i] = '\0';
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                                  const char *version, const char *upload, size_t *upload_size, void **state)
{
    esa_server *srv = cls;
    conn_state *cs = *state;
    if (!cs) {
        if (!(cs = calloc(1, sizeof *cs)))
            return MHD_NO;
        esm_buf_init(&cs->body);
        clock_gettime(CLOCK_MONOTONIC, &cs->start);
        log_text(cs->method, sizeof cs->method, method);
        log_text(cs->url, sizeof cs->url, url);
        const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Length");
        if (cl && strtoull(cl, NULL, 10) > srv->max_body)
            cs->too_big = true;
        *state = cs;
        atomic_fetch_add(&srv->active, 1);
        /* Refuse an announced oversized body at once rather than reading it. */
        return cs->too_big ? handle(srv, c, cs, url, method) : MHD_YES;
    }
    if (*upload_size) {
        if (cs->body.len + *upload_size > srv->max_body) {
            cs->too_big = true;
            *upload_size = 0;
            return handle(srv, c, cs, url, method);
        }
        esm_buf_append(&cs->body, upload, *upload_size);
        *upload_size = 0;
        return MHD_YES;
    }
    return handle(srv, c, cs, url, method);
}

/* One line per request on stderr; the URL is printed with control bytes escaped. */
static void on_completed(void *cls, struct MHD_Connection *c, void **state, enum MHD_RequestTerminationCode toe)
{
    esa_server *srv = cls;
    conn_state *cs = *state;
    if (!cs)
        return;
    const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    char peer[INET6_ADDRSTRLEN] = "-";
    if (ci && ci->client_addr) {
        const struct sockaddr *sa = ci->client_addr;
        if (sa->sa_family == AF_INET)
            inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, peer, sizeof peer);
        else if (sa->sa_family == AF_INET6)
            inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, peer, sizeof peer);
    }
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    char when[32];
    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
    fprintf(stderr, "%s %s \"%s %s\" %u %zu %.1fms%s\n", when, peer, cs->method, cs->url, cs->status, cs->bytes,
            elapsed_ms(&cs->start),
            toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "" : " (connection ended early)");
    free_state(cs);
    *state = NULL;
    atomic_fetch_sub(&srv->active, 1);
}

static int listen_socket(const char *addr, char *url, size_t urllen, char *err, size_t errlen)
{
    char host[INET6_ADDRSTRLEN + 2];
    const char *colon = strrchr(addr, ':');
    if (!colon || (size_t)(colon - addr) >= sizeof host) {
        snprintf(err, errlen, "--listen wants ADDR:PORT, got '%s'", addr);
        return -1;
    }
    memcpy(host, addr, (size_t)(colon - addr));
    host[colon - addr] = '\0';
    char *end;
    errno = 0;
    unsigned long port = strtoul(colon + 1, &end, 10);
    if (!colon[1] || *end || port > 65535 || errno) {
        snprintf(err, errlen, "invalid port in --listen '%s'", addr);
        return -1;
    }
    struct sockaddr_storage ss = {0};
    socklen_t sl;
    const char *h = host;
    size_t hl = strlen(host);
    if (hl >= 2 && host[0] == '[' && host[hl - 1] == ']') {
        host[hl - 1] = '\0';
        h = host + 1;
    }
    struct sockaddr_in *v4 = (struct sockaddr_in *)&ss;
    struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&ss;
    if (inet_pton(AF_INET, h, &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET;
        v4->sin_port = htons((uint16_t)port);
        sl = sizeof *v4;
    } else if (inet_pton(AF_INET6, h, &v6->sin6_addr) == 1) {
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons((uint16_t)port);
        sl = sizeof *v6;
    } else {
        snprintf(err, errlen, "--listen address must be an IP literal, got '%s'", h);
        return -1;
    }
    int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
        bind(fd, (struct sockaddr *)&ss, sl) != 0 || listen(fd, 128) != 0 ||
        getsockname(fd, (struct sockaddr *)&ss, &sl) != 0) {
        snprintf(err, errlen, "cannot listen on %s: %s", addr, strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    char shown[INET6_ADDRSTRLEN];
    if (ss.ss_family == AF_INET) {
        inet_ntop(AF_INET, &v4->sin_addr, shown, sizeof shown);
        snprintf(url, urllen, "http://%s:%u", shown, ntohs(v4->sin_port));
    } else {
        inet_ntop(AF_INET6, &v6->sin6_addr, shown, sizeof shown);
        snprintf(url, urllen, "http://[%s]:%u", shown, ntohs(v6->sin6_port));
    }
    return fd;
}

esa_server *esa_server_start(esa_archive *ar, const char *listen_addr, int threads, size_t max_body, char *url,
                             size_t urllen, char *err, size_t errlen)
{
    esa_server *srv = calloc(1, sizeof *srv);
    if (!srv) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    srv->ar = ar;
    srv->max_body = max_body;
    atomic_init(&srv->active, 0);
    int fd = listen_socket(listen_addr, url, urllen, err, errlen);
    if (fd < 0) {
        free(srv);
        return NULL;
    }
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC;
    if (strchr(listen_addr, '['))
        flags |= MHD_USE_IPv6;
    srv->daemon = MHD_start_daemon(flags, 0, NULL, NULL, on_request, srv, MHD_OPTION_LISTEN_SOCKET, fd,
                                   MHD_OPTION_THREAD_POOL_SIZE, (unsigned)threads,
                                   MHD_OPTION_NOTIFY_COMPLETED, on_completed, srv,
                                   MHD_OPTION_CONNECTION_TIMEOUT, 60u,
                                   MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(128 * 1024), MHD_OPTION_END);
    if (!srv->daemon) {
        snprintf(err, errlen, "cannot start the HTTP server on %s", listen_addr);
        close(fd);
        free(srv);
        return NULL;
    }
    return srv;
}

void esa_server_stop(esa_server *srv)
{
    if (!srv)
        return;
    MHD_socket fd = MHD_quiesce_daemon(srv->daemon);
    if (fd != MHD_INVALID_SOCKET)
        close(fd);
    for (int waited = 0; atomic_load(&srv->active) > 0 && waited < SHUTDOWN_GRACE_MS; waited += 10)
        usleep(10 * 1000);
    MHD_stop_daemon(srv->daemon);
    free(srv);
}
