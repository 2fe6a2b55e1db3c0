/* The RabbitMQ side of the harvest tests, with rabbitmq-c:
 *   amqp_consume setup PORT EXCHANGE QUEUE   declares a durable topic exchange
 *                                            and a durable queue bound to it ('#')
 *   amqp_consume drain PORT QUEUE IDLE_S     prints every message body on a
 *                                            line (acked) until IDLE_S without one */
#include <amqp.h>
#include <amqp_tcp_socket.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

static int die(const char *what)
{
    fprintf(stderr, "amqp_consume: %s\n", what);
    return 1;
}

static int ok(amqp_connection_state_t c)
{
    return amqp_get_rpc_reply(c).reply_type == AMQP_RESPONSE_NORMAL;
}

int main(int argc, char **argv)
{
    if (argc != 5 || (strcmp(argv[1], "setup") && strcmp(argv[1], "drain")))
        return die("usage: setup PORT EXCHANGE QUEUE | drain PORT QUEUE IDLE_S");
    amqp_connection_state_t c = amqp_new_connection();
    amqp_socket_t *s = amqp_tcp_socket_new(c);
    struct timeval tv = {10, 0};
    if (!s || amqp_socket_open_noblock(s, "127.0.0.1", atoi(argv[2]), &tv) != AMQP_STATUS_OK)
        return die("cannot connect");
    amqp_login(c, "/", 0, 131072, 0, AMQP_SASL_METHOD_PLAIN, "guest", "guest");
    amqp_channel_open(c, 1);
    if (!ok(c))
        return die("cannot log in");
    if (!strcmp(argv[1], "setup")) {
        amqp_exchange_declare(c, 1, amqp_cstring_bytes(argv[3]), amqp_cstring_bytes("topic"), 0, 1, 0, 0,
                              amqp_empty_table);
        amqp_queue_declare(c, 1, amqp_cstring_bytes(argv[4]), 0, 1, 0, 0, amqp_empty_table);
        amqp_queue_bind(c, 1, amqp_cstring_bytes(argv[4]), amqp_cstring_bytes(argv[3]), amqp_cstring_bytes("#"),
                        amqp_empty_table);
        if (!ok(c))
            return die("cannot declare");
    } else {
        amqp_basic_qos(c, 1, 0, 1000, 0);
        amqp_basic_consume(c, 1, amqp_cstring_bytes(argv[3]), amqp_empty_bytes, 0, 0, 0, amqp_empty_table);
        if (!ok(c))
            return die("cannot consume");
        for (;;) {
            struct timeval idle = {atoi(argv[4]), 0};
            amqp_envelope_t e;
            amqp_maybe_release_buffers(c);
            amqp_rpc_reply_t r = amqp_consume_message(c, &e, &idle, 0);
            if (r.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION && r.library_error == AMQP_STATUS_TIMEOUT)
                break;
            if (r.reply_type != AMQP_RESPONSE_NORMAL)
                return die("consume failed");
            fwrite(e.message.body.bytes, 1, e.message.body.len, stdout);
            putchar('\n');
            amqp_basic_ack(c, 1, e.delivery_tag, 0);
            amqp_destroy_envelope(&e);
        }
    }
    fflush(stdout);
    amqp_channel_close(c, 1, AMQP_REPLY_SUCCESS);
    amqp_connection_close(c, AMQP_REPLY_SUCCESS);
    amqp_destroy_connection(c);
    return 0;
}
