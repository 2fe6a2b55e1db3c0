/* esmond-ps-load-gridftp's readers: the log reader in both styles
 * (netlogger lines, -J JSON lines) fed in uneven pieces, what the loader
 * would post for each transfer record it returns, and the state file.
 * Input: a piece of a transfer log (or a state file). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "gridftp_log.h"
#include "gridftp_plan.h"
#include "gridftp_state.h"

/* Every host has an address, except those named "unknown*" (a failed lookup). */
static const char *lookup(void *userdata, const char *host, int family, const char **why)
{
    (void)userdata;
    if (strncmp(host, "unknown", 7) == 0) {
        *why = "no address";
        return NULL;
    }
    return family == AF_INET6 ? "2001:db8::1" : "192.0.2.1";
}

static void plan_netlogger(const esm_gftp_record *rec)
{
    if (!esm_gftp_record_is_transfer(rec))
        return;
    for (int priv = 0; priv < 2; priv++) {
        esm_gftp_plan p;
        esm_ld_error err;
        esm_gftp_privacy pv = {.file = priv, .user = priv, .volume = priv};
        esm_gftp_plan_netlogger(rec, pv, lookup, NULL, &p, &err);
        esm_gftp_plan_clear(&p);
    }
    double bps;
    esm_gftp_throughput(rec->nbytes, esm_gftp_duration_us(&rec->start, &rec->end), &bps);
    esm_gftp_code_text(rec->code);
}

static void plan_json(const esm_gftp_json_record *rec)
{
    if (!esm_gftp_json_is_transfer(rec))
        return;
    for (int priv = 0; priv < 2; priv++) {
        esm_gftp_plan p;
        esm_ld_error err;
        esm_gftp_privacy pv = {.file = priv, .user = priv, .volume = priv};
        esm_gftp_plan_json(rec, pv, lookup, NULL, &p, &err);
        esm_gftp_plan_clear(&p);
    }
}

/* Takes every record out of the reader; each call consumes a line or stops. */
static void drain(esm_gftp_reader *rd, int style)
{
    for (;;) {
        esm_gftp_record net;
        esm_gftp_json_record json;
        esm_gftp_pos pos;
        esm_ld_error err;
        memset(&net, 0, sizeof net);
        memset(&json, 0, sizeof json);
        esm_ld_code rc = esm_gftp_reader_next(rd, &net, &json, &pos, &err);
        if (rc == ESM_LD_MORE || rc == ESM_LD_END || rc == ESM_LD_ENOMEM || rc == ESM_LD_EARG)
            return;
        if (rc == ESM_LD_OK && style == ESM_GFTP_NETLOGGER) {
            plan_netlogger(&net);
            esm_gftp_record_clear(&net);
        } else if (rc == ESM_LD_OK) {
            plan_json(&json);
            esm_gftp_json_record_clear(&json);
        }
    }
}

static void read_log(const uint8_t *data, size_t size, int style)
{
    esm_gftp_reader *rd = esm_gftp_reader_new(style, 0);
    if (!rd)
        return;
    size_t piece = 1 + size % 61; /* lines cut anywhere, the way a growing log is read */
    for (size_t off = 0; off < size; off += piece) {
        if (esm_gftp_reader_feed(rd, data + off, size - off < piece ? size - off : piece) != ESM_LD_OK)
            break;
        drain(rd, style);
    }
    esm_gftp_reader_finish(rd);
    drain(rd, style);
    esm_gftp_reader_free(rd);
}

static char state_path[64];

static void remove_state(void)
{
    unlink(state_path);
}

static void read_state(const uint8_t *data, size_t size)
{
    if (!*state_path) {
        snprintf(state_path, sizeof state_path, "/tmp/fuzz_gridftp_state.XXXXXX");
        int fd = mkstemp(state_path);
        if (fd < 0)
            abort();
        close(fd);
        atexit(remove_state);
    }
    FILE *f = fopen(state_path, "wb");
    if (!f || fwrite(data, 1, size, f) != size || fclose(f) != 0)
        abort();
    esm_gftp_state st;
    esm_ld_error err;
    esm_gftp_state_read(state_path, &st, &err);
    esm_gftp_state_clear(&st);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    read_log(data, size, ESM_GFTP_NETLOGGER);
    read_log(data, size, ESM_GFTP_JSON);
    read_state(data, size);
    return 0;
}
