#include "server.h"

#include "deadline.h"

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
#define ESM_STR_(x) #x
#define ESM_STR(x) ESM_STR_(x)
#define HEADER_DEADLINE_S 10     /* to receive a request's headers, however slowly they come */
#define PER_ADDRESS_CONNECTIONS 256 /* open connections from one client address */
#define MAX_PARAMS 1000       /* query parameters in one request */
#define MAX_QUERY_BYTES 32768 /* the query string, so that parameters fit in the connection's pool */

struct esa_server {
    struct MHD_Daemon *daemon;
    esa_archive *ar;
    size_t max_body;
    atomic_int active; /* requests between their first callback and completion */
    esa_deadlines *deadlines;
};

/* Per-request state, from the first callback to the completion callback. */
typedef struct {
    esm_buf body;
    bool started;          /* the access handler has seen the request */
    const char *bad_query; /* why the query string was dropped unparsed */
    bool too_big;
    struct timespec start;
    unsigned status;
    size_t bytes;
    bool cut; /* a streamed body failed after its headers were sent */
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

/* A body sent in parts (esa_stream): the part in hand and where its sending
 * stands. The part is libmicrohttpd's to free (stream_free) once the
 * connection is done with it; cs is valid while stream_read is called. */
typedef struct {
    esm_buf part;
    size_t sent;
    bool last;
    esa_stream more;
    conn_state *cs;
} streamed;

static ssize_t stream_read(void *cls, uint64_t pos, char *buf, size_t max)
{
    (void)pos;
    streamed *s = cls;
    while (s->sent == s->part.len) {
        if (s->last)
            return MHD_CONTENT_READER_END_OF_STREAM;
        s->part.len = 0;
        s->sent = 0;
        int rc = s->more.next(s->more.state, &s->part);
        if (rc < 0 || s->part.failed) {
            s->cs->cut = true;
            return MHD_CONTENT_READER_END_WITH_ERROR; /* the client sees a broken transfer */
        }
        s->last = rc == 0;
    }
    size_t n = s->part.len - s->sent < max ? s->part.len - s->sent : max;
    memcpy(buf, s->part.data + s->sent, n);
    s->sent += n;
    s->cs->bytes += n;
    return (ssize_t)n;
}

static void stream_free(void *cls)
{
    streamed *s = cls;
    esm_buf_free(&s->part);
    s->more.free(s->more.state);
    free(s);
}

/* A response of rs->body and, when the body goes on, of its stream (sent
 * chunked: the length is not known in advance). rs->body and rs->more are
 * the response's after this. */
static struct MHD_Response *create_response(conn_state *cs, esa_response *rs)
{
    if (!rs->more.next) {
        size_t len = rs->body.len;
        char *data = rs->body.data;
        rs->body.data = NULL;
        struct MHD_Response *r =
            data ? MHD_create_response_from_buffer(len, data, MHD_RESPMEM_MUST_FREE)
                 : MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
        if (!r)
            free(data);
        cs->bytes = len;
        return r;
    }
    streamed *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->part = rs->body;
    s->more = rs->more;
    s->cs = cs;
    esm_buf_init(&rs->body);
    rs->more = (esa_stream){0};
    /* The block size matters only for bodies of known length. */
    struct MHD_Response *r = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 64 * 1024, stream_read, s,
                                                               stream_free);
    if (!r)
        stream_free(s);
    return r;
}

static enum MHD_Result send_response(struct MHD_Connection *c, conn_state *cs, esa_response *rs)
{
    if (rs->status == 0 || rs->body.failed)
        esa_respond_error(rs, 503, "Internal error while answering");
    struct MHD_Response *r = create_response(cs, rs);
    if (!r)
        return MHD_NO;
    MHD_add_response_header(r, "Content-Type", "application/json");
    MHD_add_response_header(r, "Access-Control-Allow-Origin", "*");
    if (rs->location)
        MHD_add_response_header(r, "Location", rs->location);
    if (rs->link)
        MHD_add_response_header(r, "Link", rs->link);
    if (rs->www_authenticate)
        MHD_add_response_header(r, "WWW-Authenticate", "Token");
    cs->status = rs->status;
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

/* The request's method and headers (rq's other fields untouched). */
static void read_request(struct MHD_Connection *c, const char *method, esa_request *rq)
{
    rq->method = strcmp(method, "HEAD") == 0 ? "GET" : method;
    rq->host = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Host");
    if (!rq->host || !*rq->host || strpbrk(rq->host, "\"<> \\"))
        rq->host = "localhost";
    rq->content_type = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Type");
    rq->authorization = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");
}

/* Whether the request is refused (413, 401) before its body is read: an
 * unauthorized upload is never buffered. */
static bool refuse_unread(esa_server *srv, struct MHD_Connection *c, conn_state *cs, const char *url,
                          const char *method)
{
    if (cs->too_big)
        return true;
    esa_request rq = {0};
    read_request(c, method, &rq);
    if (!strip_prefix(url, &rq.prefix))
        return false;
    esa_response rs;
    esa_response_init(&rs);
    bool refused = esa_route_unauthorized(srv->ar, &rq, &rs);
    esa_response_free(&rs);
    return refused;
}

static enum MHD_Result handle(esa_server *srv, struct MHD_Connection *c, conn_state *cs, const char *url,
                              const char *method)
{
    esa_response rs;
    esa_response_init(&rs);
    esa_request rq = {0};
    read_request(c, method, &rq);
    rq.body = cs->body.data ? cs->body.data : "";
    rq.body_len = cs->body.len;
    const char *path = strip_prefix(url, &rq.prefix);
    if (cs->too_big) {
        esa_respond_error(&rs, 413, "Request body larger than %zu bytes", srv->max_body);
    } else if (cs->body.failed) {
        esa_respond_error(&rs, 503, "Out of memory");
    } else if (!path) {
        esa_respond_error(&rs, 404, "Not found.");
    } else if (cs->bad_query) {
        esa_respond_error(&rs, 400, "%s", cs->bad_query);
    } else if (MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, collect_param, cs) < 0) {
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

static esa_deadline *connection_deadline(struct MHD_Connection *c)
{
    const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    return ci ? ci->socket_context : NULL;
}

static void on_connection(void *cls, struct MHD_Connection *c, void **socket_context,
                          enum MHD_ConnectionNotificationCode toe)
{
    esa_server *srv = cls;
    if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
        const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
        *socket_context = ci ? esa_deadline_add(srv->deadlines, ci->connect_fd) : NULL;
    } else if (*socket_context) {
        esa_deadline_remove(srv->deadlines, *socket_context);
        *socket_context = NULL;
    }
}

static conn_state *new_state(esa_server *srv)
{
    conn_state *cs = calloc(1, sizeof *cs);
    if (!cs)
        return NULL;
    esm_buf_init(&cs->body);
    clock_gettime(CLOCK_MONOTONIC, &cs->start);
    atomic_fetch_add(&srv->active, 1);
    return cs;
}

/* Called with the request line, before libmicrohttpd splits the query string
 * into its per-connection pool. Thousands of parameters exhaust that pool,
 * and libmicrohttpd 0.9.75 then never answers; so an over-long query string
 * is cut here (at the '?', in libmicrohttpd's own writable read buffer) and
 * the request answered 400. */
static void *on_uri(void *cls, const char *uri, struct MHD_Connection *c)
{
    (void)c;
    conn_state *cs = new_state(cls);
    char *query = strchr(uri, '?');
    if (!cs || !query)
        return cs;
    size_t n = 1, len = 0;
    for (const char *p = query + 1; p[len] && len <= MAX_QUERY_BYTES; len++)
        n += p[len] == '&';
    if (n > MAX_PARAMS)
        cs->bad_query = "Too many query parameters (more than " ESM_STR(MAX_PARAMS) ")";
    else if (len > MAX_QUERY_BYTES)
        cs->bad_query = "Query string too long (more than " ESM_STR(MAX_QUERY_BYTES) " bytes)";
    if (cs->bad_query)
        query[1] = '\0';
    return cs;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                                  const char *version, const char *upload, size_t *upload_size, void **state)
{
    esa_server *srv = cls;
    if (!*state && !(*state = new_state(srv)))
        return MHD_NO;
    conn_state *cs = *state;
    if (!cs->started) {
        cs->started = true;
        esa_deadline *d = connection_deadline(c);
        if (d)
            esa_deadline_met(srv->deadlines, d);
        log_text(cs->method, sizeof cs->method, method);
        log_text(cs->url, sizeof cs->url, url);
        const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Length");
        if (cl && strtoull(cl, NULL, 10) > srv->max_body)
            cs->too_big = true;
        /* Refuse an announced oversized or an unauthorized body at once
         * rather than reading it: the answer is queued before any upload is
         * consumed, so libmicrohttpd sends it and closes the connection. */
        return refuse_unread(srv, c, cs, url, method) ? handle(srv, c, cs, url, method) : MHD_YES;
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
            cs->cut ? " (response cut: reading the data failed)"
            : toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "" : " (connection ended early)");
    free_state(cs);
    *state = NULL;
    esa_deadline *d = connection_deadline(c);
    if (d)
        esa_deadline_rearm(srv->deadlines, d); /* the next request on this connection */
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
    if (!(srv->deadlines = esa_deadlines_start(HEADER_DEADLINE_S))) {
        snprintf(err, errlen, "cannot start the header deadline thread");
        close(fd);
        free(srv);
        return NULL;
    }
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC;
    if (strchr(listen_addr, '['))
        flags |= MHD_USE_IPv6;
    srv->daemon = MHD_start_daemon(flags, 0, NULL, NULL, on_request, srv, MHD_OPTION_LISTEN_SOCKET, fd,
                                   MHD_OPTION_THREAD_POOL_SIZE, (unsigned)threads,
                                   MHD_OPTION_NOTIFY_COMPLETED, on_completed, srv,
                                   MHD_OPTION_URI_LOG_CALLBACK, on_uri, srv,
                                   MHD_OPTION_NOTIFY_CONNECTION, on_connection, srv,
                                   MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)PER_ADDRESS_CONNECTIONS,
                                   MHD_OPTION_CONNECTION_TIMEOUT, 60u,
                                   MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(128 * 1024), MHD_OPTION_END);
    if (!srv->daemon) {
        snprintf(err, errlen, "cannot start the HTTP server on %s", listen_addr);
        close(fd);
        esa_deadlines_stop(srv->deadlines);
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
    esa_deadlines_stop(srv->deadlines);
    free(srv);
}
