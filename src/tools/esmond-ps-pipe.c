/* esmond-ps-pipe: reads the output of `bwctl ... -T iperf3 --parsable
 * --verbose` (or a plain `iperf3 -J` document, or a pScheduler throughput
 * result) on stdin and stores it in an esmond archive: one metadata POST, then
 * one bulk PUT of every value. A drop-in for the esmond-client tool; the
 * deliberate differences are listed in the README. */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <esmond/esmond.h>

#include "bwctl_output.h"
#include "json_write.h"
#include "loader.h"
#include "optparse.h"

#define PROG "esmond-ps-pipe"
#define MAX_INPUT (256u << 20) /* far above any test result */

/* ---- values as JSON text (integers stay integers, reals in Python repr form) ---- */

static void put_subints(esm_buf *b, const esm_bw_result *r, int retrans)
{
    esm_buf_puts(b, "[");
    for (size_t i = 0; i < r->n_intervals; i++) {
        const esm_bw_subint *s = retrans ? &r->intervals[i].retransmits : &r->intervals[i].throughput;
        esm_buf_puts(b, i ? ", {\"start\": " : "{\"start\": ");
        esm_ld_put_num(b, &s->start);
        esm_buf_puts(b, ", \"duration\": ");
        esm_ld_put_num(b, &s->duration);
        esm_buf_puts(b, ", \"val\": ");
        esm_ld_put_num(b, &s->val);
        esm_buf_puts(b, "}");
    }
    esm_buf_puts(b, "]");
}

static void put_stream_subints(esm_buf *b, const esm_bw_result *r, int retrans)
{
    esm_buf_puts(b, "[");
    for (size_t i = 0; i < r->n_intervals; i++) {
        esm_buf_puts(b, i ? ", [" : "[");
        for (size_t k = 0; k < r->intervals[i].n_streams; k++) {
            const esm_bw_stream_subint *s = &r->intervals[i].streams[k];
            esm_buf_puts(b, k ? ", {\"start\": " : "{\"start\": ");
            esm_ld_put_num(b, &s->start);
            esm_buf_puts(b, ", \"duration\": ");
            esm_ld_put_num(b, &s->duration);
            esm_buf_puts(b, retrans ? ", \"retransmits\": " : ", \"throughput\": ");
            esm_ld_put_num(b, retrans ? &s->retransmits : &s->throughput);
            esm_buf_puts(b, "}");
        }
        esm_buf_puts(b, "]");
    }
    esm_buf_puts(b, "]");
}

/* ---- measurement agent: the local address the kernel picks toward the receiver ---- */

static int local_address_toward(const char *host, char *out, size_t cap)
{
    struct addrinfo hints = {0}, *res = NULL;
    hints.ai_socktype = SOCK_DGRAM;
    if (getaddrinfo(host, "80", &hints, &res) != 0)
        return -1;
    int ok = -1;
    for (struct addrinfo *a = res; a && ok != 0; a = a->ai_next) {
        int fd = socket(a->ai_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
            continue;
        struct sockaddr_storage ss;
        socklen_t len = sizeof ss;
        /* connect() on a datagram socket only picks the route: nothing is sent */
        if (connect(fd, a->ai_addr, a->ai_addrlen) == 0 && getsockname(fd, (struct sockaddr *)&ss, &len) == 0 &&
            getnameinfo((struct sockaddr *)&ss, len, out, (socklen_t)cap, NULL, 0, NI_NUMERICHOST) == 0) {
            char *pct = strchr(out, '%'); /* drop an IPv6 zone id */
            if (pct)
                *pct = 0;
            ok = 0;
        }
        close(fd);
    }
    freeaddrinfo(res);
    return ok;
}

/* The archive's source and destination are addresses: a host name (pScheduler
 * specs carry names) becomes its first address. Returns 0, or -1 when it does
 * not resolve. */
static int to_address(const char *host, char *out, size_t cap)
{
    struct addrinfo hints = {0}, *res = NULL;
    hints.ai_socktype = SOCK_DGRAM;
    if (getaddrinfo(host, NULL, &hints, &res) != 0)
        return -1;
    int rc = getnameinfo(res->ai_addr, res->ai_addrlen, out, (socklen_t)cap, NULL, 0, NI_NUMERICHOST) == 0 ? 0 : -1;
    freeaddrinfo(res);
    return rc;
}

/* ---- input ---- */

static char *read_all(FILE *f, size_t *len)
{
    size_t cap = 65536, n = 0;
    char *buf = malloc(cap + 1);
    if (!buf)
        return NULL;
    for (;;) {
        if (n == cap) {
            if (cap >= MAX_INPUT) {
                free(buf);
                errno = EFBIG;
                return NULL;
            }
            char *nb = realloc(buf, cap * 2 + 1);
            if (!nb) {
                free(buf);
                return NULL;
            }
            buf = nb;
            cap *= 2;
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0) {
            if (ferror(f)) {
                free(buf);
                return NULL;
            }
            break;
        }
    }
    buf[n] = 0;
    *len = n;
    return buf;
}

/* ---- posting ---- */

typedef struct {
    esm_loader_archive archive;
    const char *logdir, *src, *dest, *agent;
    bool verbose;
} options;

/* A number parameter as the original sent it (5, 6.0); a missing one as the
 * text "None" that its str() would have made. */
static esm_code set_num(esm_metadata_post *mp, const char *name, const esm_num *n)
{
    esm_buf b;
    esm_buf_init(&b);
    if (esm_num_present(n))
        esm_ld_put_num(&b, n);
    else
        esm_buf_puts(&b, "\"None\"");
    esm_code rc = b.failed ? ESM_ERR_NOMEM : esm_metadata_post_set_json(mp, name, b.data);
    esm_buf_free(&b);
    return rc;
}

/* Adds one value; returns false when out of memory or rejected. */
static bool add_value(esm_bulk_post *bp, long long ts, const char *et, esm_buf *b)
{
    bool ok = !b->failed && esm_bulk_post_add(bp, ts, et, b->data ? b->data : "null") == ESM_OK;
    b->len = 0;
    if (b->data)
        b->data[0] = 0;
    return ok;
}

#define ADD(et, expr)                                                                                                  \
    do {                                                                                                               \
        expr;                                                                                                          \
        if (!add_value(bp, ts, et, &b))                                                                                \
            goto fail;                                                                                                 \
    } while (0)

static esm_bulk_post *build_bulk(const esm_bw_result *r, const char *key, long long ts, bool streams)
{
    esm_bulk_post *bp = esm_bulk_post_new(key);
    if (!bp)
        return NULL;
    esm_buf b;
    esm_buf_init(&b);
    /* integer event types take no null (a receiver-side document has no retransmits): such a point is left out */
    if (esm_num_present(&r->throughput))
        ADD("throughput", esm_ld_put_num(&b, &r->throughput));
    ADD("throughput-subintervals", put_subints(&b, r, 0));
    if (r->udp) {
        if (esm_num_present(&r->lost))
            ADD("packet-count-lost", esm_ld_put_num(&b, &r->lost));
        if (esm_num_present(&r->sent))
            ADD("packet-count-sent", esm_ld_put_num(&b, &r->sent));
        if (esm_num_present(&r->lost) && esm_num_present(&r->sent)) {
            ADD("packet-loss-rate", {
                esm_buf_puts(&b, "{\"numerator\": ");
                esm_ld_put_num(&b, &r->lost);
                esm_buf_puts(&b, ", \"denominator\": ");
                esm_ld_put_num(&b, &r->sent);
                esm_buf_puts(&b, "}");
            });
        }
    } else if (esm_num_present(&r->retransmits)) {
        ADD("packet-retransmits", esm_ld_put_num(&b, &r->retransmits));
    }
    ADD("packet-retransmits-subintervals", put_subints(&b, r, 1));
    if (streams) {
        ADD("streams-packet-retransmits", esm_ld_put_num_list(&b, r->stream_retransmits, r->n_streams));
        ADD("streams-packet-retransmits-subintervals", put_stream_subints(&b, r, 1));
        ADD("streams-throughput", esm_ld_put_num_list(&b, r->stream_throughput, r->n_streams));
        ADD("streams-throughput-subintervals", put_stream_subints(&b, r, 0));
    }
    esm_buf_free(&b);
    return bp;
fail:
    esm_buf_free(&b);
    esm_bulk_post_free(bp);
    return NULL;
}

static const char *tool_prefix(esm_bw_format f)
{
    return f == ESM_BW_BWCTL ? "bwctl/" : f == ESM_BW_PSCHEDULER ? "pscheduler/" : "";
}

/* Returns the exit status. */
static int post_result(const options *o, esm_bw_result *r)
{
    esm_loader_log("process_iperf3.start", "begin");
    /* addresses the input lacks come from the new options */
    bool input_from_json = r->input_origin == ESM_BW_ADDR_NONE || r->input_origin == ESM_BW_ADDR_JSON;
    const char *in_src = (o->src && (input_from_json || !r->input_source)) ? o->src : r->input_source;
    const char *in_dst = (o->dest && (input_from_json || !r->input_destination)) ? o->dest : r->input_destination;
    /* the receiver's (iperf3 server's) document names itself local: the test ran remote -> local */
    const char *src = r->receiver_side ? r->destination : r->source;
    const char *dst = r->receiver_side ? r->source : r->destination;
    if (!src)
        src = in_src;
    if (!dst)
        dst = in_dst;
    if (!in_src)
        in_src = src;
    if (!in_dst)
        in_dst = dst;
    if (!src || !dst || !in_src || !in_dst) {
        esm_loader_log("process_iperf3.error", "the input names no %s; give it with --%s",
                       (!src || !in_src) ? "source" : "destination", (!src || !in_src) ? "src" : "dest");
        return 1;
    }
    /* a name that does not resolve (pScheduler specs carry names) is replaced by the option's address */
    char src_addr[NI_MAXHOST], dst_addr[NI_MAXHOST];
    bool src_ok = to_address(src, src_addr, sizeof src_addr) == 0 ||
                  (o->src && to_address(o->src, src_addr, sizeof src_addr) == 0);
    bool dst_ok = to_address(dst, dst_addr, sizeof dst_addr) == 0 ||
                  (o->dest && to_address(o->dest, dst_addr, sizeof dst_addr) == 0);
    if (!src_ok || !dst_ok) {
        esm_loader_log("process_iperf3.error", "cannot find the address of %s; give it with --%s",
                       !src_ok ? (o->src ? o->src : src) : (o->dest ? o->dest : dst), !src_ok ? "src" : "dest");
        return 1;
    }
    src = src_addr;
    dst = dst_addr;
    char agent[NI_MAXHOST];
    if (o->agent)
        snprintf(agent, sizeof agent, "%s", o->agent);
    else if (local_address_toward(in_dst, agent, sizeof agent) != 0 &&
             local_address_toward(dst, agent, sizeof agent) != 0) {
        esm_loader_log("process_iperf3.error", "cannot find the local address toward %s (%s); give it with --agent",
                       in_dst, strerror(errno));
        return 1;
    }
    if (!esm_num_present(&r->ts)) {
        esm_loader_log("process_iperf3.error", "the input has no test time");
        return 1;
    }
    long long ts = r->ts.kind == ESM_NUM_INT ? r->ts.i : (long long)r->ts.d;
    bool streams = r->num_streams.kind == ESM_NUM_INT ? r->num_streams.i > 1
                                                      : (esm_num_present(&r->num_streams) && r->num_streams.d > 1);

    esm_metadata_post *mp = esm_metadata_post_new("point-to-point");
    char tool[128];
    snprintf(tool, sizeof tool, "%s%s", tool_prefix(r->format), r->tool_name ? r->tool_name : "iperf3");
    bool ok = mp && esm_metadata_post_set(mp, "source", src) == ESM_OK &&
              esm_metadata_post_set(mp, "destination", dst) == ESM_OK &&
              esm_metadata_post_set(mp, "tool-name", tool) == ESM_OK &&
              esm_metadata_post_set(mp, "measurement-agent", agent) == ESM_OK &&
              esm_metadata_post_set(mp, "input-source", in_src) == ESM_OK &&
              esm_metadata_post_set(mp, "input-destination", in_dst) == ESM_OK &&
              set_num(mp, "time-duration", &r->duration) == ESM_OK &&
              esm_metadata_post_set(mp, "ip-transport-protocol", r->protocol ? r->protocol : "None") == ESM_OK;
    static const char *const base[] = {"throughput", "throughput-subintervals", "packet-retransmits-subintervals"};
    static const char *const multi[] = {"streams-packet-retransmits", "streams-packet-retransmits-subintervals",
                                        "streams-throughput", "streams-throughput-subintervals"};
    static const char *const udp[] = {"packet-count-lost", "packet-count-sent", "packet-loss-rate"};
    for (size_t i = 0; ok && i < 3; i++)
        ok = esm_metadata_post_add_event_type(mp, base[i]) == ESM_OK;
    for (size_t i = 0; ok && streams && i < 4; i++)
        ok = esm_metadata_post_add_event_type(mp, multi[i]) == ESM_OK;
    if (ok && !r->udp)
        ok = esm_metadata_post_add_event_type(mp, "packet-retransmits") == ESM_OK;
    for (size_t i = 0; ok && r->udp && i < 3; i++)
        ok = esm_metadata_post_add_event_type(mp, udp[i]) == ESM_OK;
    ok = ok && set_num(mp, "bw-parallel-streams", &r->num_streams) == ESM_OK &&
         set_num(mp, "bw_ignore_first_seconds", &r->omit) == ESM_OK;
    if (!ok) {
        esm_metadata_post_free(mp);
        esm_loader_log("process_iperf3.error", "cannot build the metadata (out of memory or text that is not UTF-8)");
        return 1;
    }

    const char *why;
    esm_client *c = esm_loader_client(&o->archive, &why);
    if (!c) {
        esm_metadata_post_free(mp);
        esm_loader_log("process_iperf3.error", "MetadataPost failed, abort processing - ERROR: %s: %s", why,
                       o->archive.url);
        return 1;
    }
    int status = 1;
    esm_metadata *md = NULL;
    esm_bulk_post *bp = NULL;
    esm_code rc;
    rc = esm_metadata_post_send(c, mp, &md);
    if (rc != ESM_OK) {
        const char *d = esm_client_error(c);
        esm_loader_log("process_iperf3.error",
                       "MetadataPost failed, abort processing, not updating record state - ERROR: %s",
                       *d ? d : esm_strerror(rc));
        goto out;
    }
    if (o->verbose)
        esm_loader_log("process_iperf3.debug", "metadata key %s", esm_metadata_key(md));
    bp = build_bulk(r, esm_metadata_key(md), ts, streams);
    if (!bp) {
        esm_loader_log("process_iperf3.error", "cannot build the data for metadata key %s", esm_metadata_key(md));
        goto out;
    }
    rc = esm_bulk_post_send(c, bp);
    if (rc == ESM_ERR_CONFLICT) {
        esm_loader_log("process_iperf3.warning", "the archive already holds this data (409)");
    } else if (rc != ESM_OK) {
        const char *d = esm_client_error(c);
        esm_loader_log("process_iperf3.error", "EventTypeBulkPost failed - ERROR: %s", *d ? d : esm_strerror(rc));
        goto out;
    }
    esm_loader_log("process_iperf3.end", "finished");
    status = 0;
out:
    esm_bulk_post_free(bp);
    esm_metadata_free(md);
    esm_metadata_post_free(mp);
    esm_client_free(c);
    return status;
}

static const char USAGE[] = " bwctl ... |& " PROG " [ -u USER -k API_KEY | -U ESMOND_REST_URL | -v ]";

static int usage_error(const char *msg, const char *arg)
{
    fprintf(stderr, "Usage: %s\n\n%s: error: %s%s\n", USAGE, PROG, arg ? arg : "", msg);
    return 2;
}

int main(int argc, char **argv)
{
    options o = {.archive = ESM_LOADER_ARCHIVE_DEFAULTS, .logdir = ""};
    const esm_optdef defs[] = {
        {'h', "help", NULL, ESM_OPT_HELP, "show this help message and exit", NULL},
        ESM_LOADER_ARCHIVE_OPTS(o.archive),
        {'v', "verbose", NULL, ESM_OPT_FLAG, "Verbose output.", &o.verbose},
        ESM_LOADER_LOG_DIR_OPT(o.logdir),
        /* beyond the original (not in --help, see the README) */
        ESM_LOADER_NEW_ARCHIVE_OPTS(o.archive),
        {0, "src", "ADDR", ESM_OPT_STRING, NULL, &o.src},
        {0, "dest", "ADDR", ESM_OPT_STRING, NULL, &o.dest},
        {0, "agent", "ADDR", ESM_OPT_STRING, NULL, &o.agent},
    };
    const esm_optparser p = {PROG, USAGE, defs, sizeof defs / sizeof defs[0]};
    int st = esm_optparse(&p, argc, argv);
    if (st >= 0)
        return st;

    if (*o.logdir) {
        /* os.path.normpath is enough for the message; the directory must exist */
        struct stat sb;
        if (stat(o.logdir, &sb) != 0)
            return usage_error(" log path does not exist.", o.logdir);
    }
    if (esm_loader_log_open(o.logdir, PROG) != 0) {
        fprintf(stderr, "%s: cannot open %s/%s.log: %s\n", PROG, o.logdir, PROG, strerror(errno));
        return 1;
    }
    char why[512];
    if (esm_loader_archive_resolve(&o.archive, why, sizeof why) != 0)
        return usage_error(why, NULL);
    if (!*o.archive.user || !*o.archive.key)
        return usage_error("both --user and --key args are required.", NULL);
    if (o.archive.timeout < 0)
        return usage_error("--timeout must not be negative.", NULL);

    if (esm_global_init() != ESM_OK) {
        fprintf(stderr, "%s: cannot initialise libcurl\n", PROG);
        return 1;
    }
    esm_loader_log("main.start", "reading input");
    size_t len = 0;
    char *text = read_all(stdin, &len);
    if (!text) {
        esm_loader_log("main.fatal", "cannot read the input: %s", strerror(errno));
        esm_loader_log("main.fatal", "exiting");
        return 255;
    }
    esm_bw_result r;
    esm_ld_error err;
    esm_ld_code rc = esm_bw_parse(text, len, 0, &r, &err);
    int status;
    if (rc != ESM_LD_OK) {
        if (rc == ESM_LD_ETOOL)
            esm_loader_log("id_and_extract.error", "the test failed: %s", r.tool_error ? r.tool_error : err.msg);
        else
            esm_loader_log("id_and_extract.error", "%s", err.msg[0] ? err.msg : esm_ld_strerror(rc));
        esm_loader_log("main.fatal", "could not extract metadata and valid json from input");
        if (o.verbose)
            esm_loader_log("main.debug", "%s", text);
        esm_loader_log("main.fatal", "exiting");
        status = 255;
    } else {
        status = post_result(&o, &r);
        if (status == 0)
            esm_loader_log("main.exit", "success");
        else
            esm_loader_log("main.fatal", "exiting");
    }
    esm_bw_result_clear(&r);
    free(text);
    esm_loader_log_close();
    esm_global_cleanup();
    return status;
}
