/* --amqp URL --exchange NAME: each record a persistent message (mandatory,
 * so that one no queue takes is an error, not a silent loss) on a channel in
 * confirm mode. A commit waits until the broker has confirmed every message
 * published so far; only then does the checkpoint move. At least once: a run
 * that fails before its commit publishes those records again. */
#include <amqp.h>
#include <amqp_ssl_socket.h>
#include <amqp_tcp_socket.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include "harvest.h"

#define CHANNEL 1
#define CONFIRM_WAIT_S 30 /* a broker that confirms nothing for that long has failed */
#define DRAIN_EVERY 256   /* confirms are read as they come, so they never pile up */

typedef struct {
    hv_sink base;
    amqp_connection_state_t conn;
    amqp_bytes_t exchange;
    uint64_t published, confirmed;
    bool broken;
} amqp_sink;

static bool broken(amqp_sink *as, const char *what, const char *detail)
{
    if (!as->broken)
        snprintf(as->base.why, sizeof as->base.why, "AMQP: %s%s%s", what, detail ? ": " : "", detail ? detail : "");
    as->broken = true;
    return false;
}

static bool reply_ok(amqp_sink *as, amqp_rpc_reply_t r, const char *what)
{
    if (r.reply_type == AMQP_RESPONSE_NORMAL)
        return true;
    if (r.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION)
        return broken(as, what, amqp_error_string2(r.library_error));
    char text[300] = "refused";
    if (r.reply.id == AMQP_CONNECTION_CLOSE_METHOD || r.reply.id == AMQP_CHANNEL_CLOSE_METHOD) {
        amqp_bytes_t t = r.reply.id == AMQP_CONNECTION_CLOSE_METHOD
                             ? ((amqp_connection_close_t *)r.reply.decoded)->reply_text
                             : ((amqp_channel_close_t *)r.reply.decoded)->reply_text;
        snprintf(text, sizeof text, "%.*s", (int)t.len, (const char *)t.bytes);
    }
    return broken(as, what, text);
}

/* Reads what the broker sent: confirms, returns, closes. wait: one frame,
 * for at most CONFIRM_WAIT_S; else every frame already there. */
static bool read_frames(amqp_sink *as, bool wait)
{
    for (;;) {
        struct timeval tv = {wait ? CONFIRM_WAIT_S : 0, 0};
        amqp_frame_t f;
        int rc = amqp_simple_wait_frame_noblock(as->conn, &f, &tv);
        if (rc == AMQP_STATUS_TIMEOUT)
            return !wait || broken(as, "no confirm from the broker", NULL);
        if (rc != AMQP_STATUS_OK)
            return broken(as, "connection lost", amqp_error_string2(rc));
        if (f.frame_type != AMQP_FRAME_METHOD)
            continue; /* the header and body of a returned message */
        amqp_method_t *m = &f.payload.method;
        if (m->id == AMQP_BASIC_ACK_METHOD) {
            amqp_basic_ack_t *ack = m->decoded;
            if (ack->multiple || ack->delivery_tag > as->confirmed)
                as->confirmed = ack->delivery_tag;
        } else if (m->id == AMQP_BASIC_NACK_METHOD) {
            return broken(as, "the broker refused a message (nack)", NULL);
        } else if (m->id == AMQP_BASIC_RETURN_METHOD) {
            return broken(as, "a message was returned: no queue is bound for its routing key", NULL);
        } else if (m->id == AMQP_CHANNEL_CLOSE_METHOD || m->id == AMQP_CONNECTION_CLOSE_METHOD) {
            amqp_bytes_t t = m->id == AMQP_CHANNEL_CLOSE_METHOD ? ((amqp_channel_close_t *)m->decoded)->reply_text
                                                                : ((amqp_connection_close_t *)m->decoded)->reply_text;
            char text[300];
            snprintf(text, sizeof text, "%.*s", (int)t.len, (const char *)t.bytes);
            return broken(as, "the broker closed the channel", text);
        }
        amqp_maybe_release_buffers(as->conn);
        if (wait)
            return true;
    }
}

static bool amqp_write(hv_sink *s, const char *rec, size_t len, const char *routing_key)
{
    amqp_sink *as = (amqp_sink *)s;
    if (as->broken)
        return false;
    amqp_basic_properties_t props = {._flags = AMQP_BASIC_CONTENT_TYPE_FLAG | AMQP_BASIC_DELIVERY_MODE_FLAG,
                                     .content_type = amqp_cstring_bytes("application/json"),
                                     .delivery_mode = 2};
    amqp_bytes_t body = {len, (void *)rec};
    int rc = amqp_basic_publish(as->conn, CHANNEL, as->exchange, amqp_cstring_bytes(routing_key), 1, 0, &props,
                                body);
    if (rc != AMQP_STATUS_OK)
        return broken(as, "cannot publish", amqp_error_string2(rc));
    as->published++;
    return as->published % DRAIN_EVERY || read_frames(as, false);
}

static bool amqp_commit(hv_sink *s, hv_state *st)
{
    (void)st;
    amqp_sink *as = (amqp_sink *)s;
    while (!as->broken && as->confirmed < as->published)
        read_frames(as, true);
    return !as->broken;
}

static void amqp_close(hv_sink *s)
{
    amqp_sink *as = (amqp_sink *)s;
    if (as->conn) {
        if (!as->broken) {
            amqp_channel_close(as->conn, CHANNEL, AMQP_REPLY_SUCCESS);
            amqp_connection_close(as->conn, AMQP_REPLY_SUCCESS);
        }
        amqp_destroy_connection(as->conn);
    }
    amqp_bytes_free(as->exchange);
    free(as);
}

static const hv_sink_ops amqp_ops = {amqp_write, amqp_commit, amqp_close};

static bool connect_to(amqp_sink *as, char *url)
{
    struct amqp_connection_info ci;
    amqp_default_connection_info(&ci);
    if (amqp_parse_url(url, &ci) != AMQP_STATUS_OK)
        return broken(as, "cannot read the --amqp URL", NULL);
    /* the password is best kept out of the command line */
    const char *password = getenv("ESMOND_AMQP_PASSWORD");
    if (!password)
        password = ci.password;
    amqp_socket_t *sock = ci.ssl ? amqp_ssl_socket_new(as->conn) : amqp_tcp_socket_new(as->conn);
    if (!sock)
        return broken(as, "out of memory", NULL);
    struct timeval tv = {20, 0};
    int rc = amqp_socket_open_noblock(sock, ci.host, ci.port, &tv);
    if (rc != AMQP_STATUS_OK)
        return broken(as, "cannot connect to the broker", amqp_error_string2(rc));
    /* no heartbeats: a commit may wait on the archive longer than they allow */
    amqp_rpc_reply_t r = amqp_login(as->conn, ci.vhost, 0, 131072, 0, AMQP_SASL_METHOD_PLAIN, ci.user, password);
    if (!reply_ok(as, r, "login"))
        return false;
    amqp_channel_open(as->conn, CHANNEL);
    if (!reply_ok(as, amqp_get_rpc_reply(as->conn), "cannot open a channel"))
        return false;
    amqp_confirm_select(as->conn, CHANNEL);
    return reply_ok(as, amqp_get_rpc_reply(as->conn), "cannot turn on publisher confirms");
}

hv_sink *hv_sink_amqp(const char *url, const char *exchange, char *why, size_t cap)
{
    amqp_sink *as = calloc(1, sizeof *as);
    char *copy = strdup(url); /* amqp_parse_url() writes into it */
    if (!as || !copy || !(as->conn = amqp_new_connection()) ||
        !(as->exchange = amqp_bytes_malloc_dup(amqp_cstring_bytes(exchange))).bytes) {
        snprintf(why, cap, "out of memory");
        free(copy);
        if (as) {
            as->broken = true;
            amqp_close(&as->base);
        }
        return NULL;
    }
    as->base.ops = &amqp_ops;
    bool ok = connect_to(as, copy);
    free(copy);
    if (!ok) {
        snprintf(why, cap, "%s", as->base.why);
        amqp_close(&as->base);
        return NULL;
    }
    return &as->base;
}
