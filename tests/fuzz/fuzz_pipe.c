/* esmond-ps-pipe's input parser: bwctl transcripts, iperf3 -J documents and
 * pScheduler results, tolerant and strict. Input: what the pipe reads on
 * stdin. Every number of a parsed result, written as the pipe posts it,
 * must be JSON. */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>

#include "bwctl_output.h"

static void put(esm_buf *b, const esm_num *n)
{
    esm_buf_puts(b, b->len > 1 ? ", " : "");
    esm_ld_put_num(b, n);
}

static void check_numbers(const esm_bw_result *r)
{
    esm_buf b;
    esm_buf_init(&b);
    esm_buf_puts(&b, "[");
    const esm_num *scalars[] = {&r->ts, &r->duration, &r->num_streams, &r->omit, &r->throughput,
                                &r->retransmits, &r->lost, &r->sent, &r->jitter_ms};
    for (size_t i = 0; i < sizeof scalars / sizeof scalars[0]; i++)
        put(&b, scalars[i]);
    for (size_t i = 0; i < r->n_intervals; i++) {
        const esm_bw_interval *iv = &r->intervals[i];
        put(&b, &iv->throughput.start);
        put(&b, &iv->throughput.duration);
        put(&b, &iv->throughput.val);
        put(&b, &iv->retransmits.val);
        for (size_t k = 0; k < iv->n_streams; k++) {
            put(&b, &iv->streams[k].start);
            put(&b, &iv->streams[k].duration);
            put(&b, &iv->streams[k].throughput);
            put(&b, &iv->streams[k].retransmits);
        }
    }
    esm_buf_puts(&b, ", ");
    esm_ld_put_num_list(&b, r->stream_retransmits, r->stream_retransmits ? r->n_streams : 0);
    esm_buf_puts(&b, ", ");
    esm_ld_put_num_list(&b, r->stream_throughput, r->stream_throughput ? r->n_streams : 0);
    esm_buf_puts(&b, "]");
    json_t *back = json_loadb(b.data, b.len, 0, NULL);
    if (!back)
        abort(); /* a value the pipe would post is not JSON */
    json_decref(back);
    esm_buf_free(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const unsigned flags[] = {0, ESM_BW_STRICT};
    for (size_t i = 0; i < 2; i++) {
        esm_bw_result r;
        esm_ld_error err;
        esm_ld_code rc = esm_bw_parse((const char *)data, size, flags[i], &r, &err);
        if (rc == ESM_LD_OK || rc == ESM_LD_ETOOL)
            check_numbers(&r);
        esm_bw_result_clear(&r);
    }
    return 0;
}
