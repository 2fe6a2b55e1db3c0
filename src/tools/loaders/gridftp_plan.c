/* What the gridftp loader posts for a record (see gridftp_plan.h). */
#include "gridftp_plan.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "json_write.h"

static const char *const netlogger_types[] = {"throughput", "streams-packet-retransmits", "failures"};
static const char *const json_types[] = {"throughput", "streams-packet-retransmits", "iostat",
                                         "mpstat",     "rusage",                     "streams-tcpinfo"};

void esm_gftp_plan_clear(esm_gftp_plan *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->n_md; i++)
        free(p->md[i].json);
    for (size_t i = 0; i < p->n_values; i++)
        free(p->values[i].json);
    free(p->failure);
    memset(p, 0, sizeof *p);
}

/* Takes the buffer's text as a member; false when out of memory. */
static bool take(esm_gftp_member *list, size_t *n, size_t max, const char *name, esm_buf *b)
{
    if (b->failed || !b->data || *n >= max) {
        esm_buf_free(b);
        return false;
    }
    list[*n].name = name;
    list[(*n)++].json = b->data;
    esm_buf_init(b);
    return true;
}

static bool add_string(esm_gftp_plan *p, const char *name, const char *s)
{
    if (!s)
        return true; /* missing: left out */
    esm_buf b;
    esm_buf_init(&b);
    esm_buf_json_string(&b, s, strlen(s));
    return take(p->md, &p->n_md, ESM_GFTP_MAX_MEMBERS, name, &b);
}

static bool add_num(esm_gftp_plan *p, const char *name, const esm_num *n)
{
    if (!esm_num_present(n))
        return true;
    esm_buf b;
    esm_buf_init(&b);
    esm_ld_put_num(&b, n);
    return take(p->md, &p->n_md, ESM_GFTP_MAX_MEMBERS, name, &b);
}

static bool add_int(esm_gftp_plan *p, const char *name, bool have, long long v)
{
    esm_num n = {.kind = have ? ESM_NUM_INT : ESM_NUM_ABSENT, .i = v, .d = (double)v};
    return add_num(p, name, &n);
}

static bool add_value(esm_gftp_plan *p, const char *event_type, esm_buf *b)
{
    return take(p->values, &p->n_values, ESM_GFTP_MAX_VALUES, event_type, b);
}

static bool add_raw_value(esm_gftp_plan *p, const char *event_type, const char *json)
{
    esm_buf b;
    esm_buf_init(&b);
    esm_buf_puts(&b, json);
    return add_value(p, event_type, &b);
}

/* 8 x bytes / duration, when the duration is not zero. */
static bool add_throughput(esm_gftp_plan *p, long long nbytes, const esm_gftp_time *start, const esm_gftp_time *end)
{
    double bps;
    if (esm_gftp_throughput(nbytes, esm_gftp_duration_us(start, end), &bps) != 0)
        return true;
    esm_buf b;
    esm_buf_init(&b);
    esm_buf_json_real(&b, bps);
    return add_value(p, "throughput", &b);
}

/* The subject: RETR sends from host to dest, STOR the other way. */
static bool add_subject(esm_gftp_plan *p, bool retr, const char *host, const char *host_addr, const char *dest,
                        const char *dest_addr)
{
    return add_string(p, "source", retr ? host_addr : dest_addr) &&
           add_string(p, "destination", retr ? dest_addr : host_addr) && add_string(p, "tool-name", "gridftp") &&
           add_string(p, "measurement-agent", host_addr) && add_string(p, "input-source", retr ? host : dest) &&
           add_string(p, "input-destination", retr ? dest : host);
}

static esm_ld_code nomem(esm_gftp_plan *p, esm_ld_error *err)
{
    esm_gftp_plan_clear(p);
    esm_ld_set_error(err, ESM_LD_ENOMEM, "out of memory");
    return ESM_LD_ENOMEM;
}

static const char *family_name(int family)
{
    return family == AF_INET ? "IPv4" : "IPv6";
}

esm_ld_code esm_gftp_plan_netlogger(const esm_gftp_record *r, esm_gftp_privacy priv, esm_gftp_lookup_fn lookup,
                                    void *userdata, esm_gftp_plan *p, esm_ld_error *err)
{
    memset(p, 0, sizeof *p);
    if (!r->host || !r->dest) {
        esm_ld_set_error(err, ESM_LD_EMISSING, "the record has no %s", r->host ? "DEST" : "HOST");
        return ESM_LD_EMISSING;
    }
    if (r->dest_family == 0) {
        esm_ld_set_error(err, ESM_LD_EVALUE, "DEST %.100s is not an IPv4 or IPv6 address", r->dest_raw);
        return ESM_LD_EVALUE;
    }
    int family = r->dest_family == 4 ? AF_INET : AF_INET6;
    const char *why = NULL;
    const char *host_addr = lookup(userdata, r->host, family, &why);
    if (!host_addr) {
        esm_ld_set_error(err, ESM_LD_EVALUE, "no %s address of %.100s: %s", family_name(family), r->host,
                         why ? why : "not found");
        return ESM_LD_EVALUE;
    }
    bool retr = r->type == ESM_GFTP_TYPE_RETR;
    unsigned have = r->have;
    bool ok = add_subject(p, retr, r->host, host_addr, r->dest, r->dest) &&
              add_int(p, "bw-parallel-streams", have & ESM_GFTP_HAVE_STREAMS, r->streams) &&
              add_int(p, "bw-stripes", have & ESM_GFTP_HAVE_STRIPES, r->stripes) &&
              add_string(p, "gridftp-program", r->prog) &&
              add_int(p, "gridftp-block-size", have & ESM_GFTP_HAVE_BLOCK, r->block) &&
              add_int(p, "tcp-window-size", have & ESM_GFTP_HAVE_BUFFER, r->buffer) &&
              add_int(p, "gridftp-bytes-transferred", have & ESM_GFTP_HAVE_NBYTES, r->nbytes) &&
              (!priv.file || add_string(p, "gridftp-file", r->file)) &&
              (!priv.user || add_string(p, "gridftp-user", r->user)) &&
              (!priv.volume || add_string(p, "gridftp-volume", r->volume));
    p->event_types = netlogger_types;
    p->n_event_types = sizeof netlogger_types / sizeof netlogger_types[0];
    p->ts = r->start.sec;
    esm_buf b;
    esm_buf_init(&b);
    if (ok && (have & ESM_GFTP_HAVE_CODE) && r->code == 226) {
        ok = add_throughput(p, r->nbytes, &r->start, &r->end);
        esm_buf_puts(&b, "[");
        for (size_t i = 0; i < r->n_retrans; i++)
            esm_buf_printf(&b, i ? ", %lld" : "%lld", r->retrans[i]);
        esm_buf_puts(&b, "]");
        ok = ok && add_value(p, "streams-packet-retransmits", &b);
    } else if (ok) {
        /* "<code> <text>", with Python's None for what is unknown */
        char text[512];
        const char *known = (have & ESM_GFTP_HAVE_CODE) ? esm_gftp_code_text(r->code) : NULL;
        if (have & ESM_GFTP_HAVE_CODE)
            snprintf(text, sizeof text, "%lld %s", r->code, known ? known : "None");
        else
            snprintf(text, sizeof text, "None None");
        esm_buf_puts(&b, "{\"error\": ");
        esm_buf_json_string(&b, text, strlen(text));
        esm_buf_puts(&b, "}");
        ok = !b.failed && b.data;
        if (ok) {
            p->failure = b.data;
            esm_buf_init(&b);
        }
    }
    esm_buf_free(&b);
    return ok ? ESM_LD_OK : nomem(p, err);
}

/* An address for the record's dest: itself when it is one (brackets
 * removed), else the first IPv4 or IPv6 address of the name. */
static const char *dest_address(const char *dest, char *buf, size_t cap, int *family, esm_gftp_lookup_fn lookup,
                                void *userdata, const char **why)
{
    size_t b = 0, e = strlen(dest);
    while (b < e && dest[b] == '[')
        b++;
    while (e > b && dest[e - 1] == ']')
        e--;
    snprintf(buf, cap, "%.*s", (int)(e - b), dest + b);
    unsigned char bin[16];
    if (inet_pton(AF_INET, buf, bin) == 1 || inet_pton(AF_INET6, buf, bin) == 1) {
        *family = strchr(buf, ':') ? AF_INET6 : AF_INET;
        return buf;
    }
    const char *a = lookup(userdata, buf, AF_INET, why);
    *family = AF_INET;
    if (!a) {
        a = lookup(userdata, buf, AF_INET6, why);
        *family = AF_INET6;
    }
    return a;
}

esm_ld_code esm_gftp_plan_json(const esm_gftp_json_record *r, esm_gftp_privacy priv, esm_gftp_lookup_fn lookup,
                               void *userdata, esm_gftp_plan *p, esm_ld_error *err)
{
    memset(p, 0, sizeof *p);
    if (!r->host || !*r->host || !r->dest || !*r->dest) {
        esm_ld_set_error(err, ESM_LD_EMISSING, "the record has no %s", r->host && *r->host ? "dest" : "host");
        return ESM_LD_EMISSING;
    }
    char dest_buf[256];
    int family;
    const char *why = NULL;
    const char *dest_addr = dest_address(r->dest, dest_buf, sizeof dest_buf, &family, lookup, userdata, &why);
    if (!dest_addr) {
        esm_ld_set_error(err, ESM_LD_EVALUE, "dest %.100s is no address and has none: %s", r->dest,
                         why ? why : "not found");
        return ESM_LD_EVALUE;
    }
    char dest_copy[sizeof dest_buf];
    snprintf(dest_copy, sizeof dest_copy, "%s", dest_addr); /* lookup() may reuse its buffer */
    const char *host_addr = lookup(userdata, r->host, family, &why);
    if (!host_addr) {
        esm_ld_set_error(err, ESM_LD_EVALUE, "no %s address of %.100s: %s", family_name(family), r->host,
                         why ? why : "not found");
        return ESM_LD_EVALUE;
    }
    bool retr = strcmp(r->cmd_type, "RETR") == 0;
    bool ok = add_subject(p, retr, r->host, host_addr, r->dest, dest_copy) &&
              add_num(p, "bw-parallel-streams", &r->nstreams) && add_int(p, "bw-stripes", true, r->stripes) &&
              add_string(p, "gridftp-program", r->prog) && add_num(p, "gridftp-block-size", &r->globus_blocksize) &&
              add_num(p, "tcp-window-size", &r->tcp_bufsize) && add_num(p, "gridftp-bytes-transferred", &r->nbytes) &&
              (!priv.file || add_string(p, "gridftp-file", r->file)) &&
              (!priv.user || add_string(p, "gridftp-user", r->user)) &&
              (!priv.volume || add_string(p, "gridftp-volume", r->volume));
    p->event_types = json_types;
    p->n_event_types = sizeof json_types / sizeof json_types[0];
    p->ts = r->start.sec;
    ok = ok && add_throughput(p, r->nbytes.i, &r->start, &r->end);
    esm_buf b;
    esm_buf_init(&b);
    esm_ld_put_num_list(&b, r->retrans, r->n_streams);
    ok = ok && add_value(p, "streams-packet-retransmits", &b) && add_raw_value(p, "iostat", r->iostat) &&
         add_raw_value(p, "mpstat", r->mpstat) && add_raw_value(p, "rusage", r->rusage) &&
         add_raw_value(p, "streams-tcpinfo", r->streams_tcpinfo);
    esm_buf_free(&b);
    return ok ? ESM_LD_OK : nomem(p, err);
}
