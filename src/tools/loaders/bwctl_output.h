/* Throughput-test result parser for esmond-ps-pipe.
 *
 * Accepts, detected from the text:
 *  - a bwctl `-T iperf3 --parsable --verbose` transcript (stdout+stderr): the
 *    framing lines, SENDER/RECEIVER blocks, the iperf3 -J document between
 *    start_tool and stop_tool, with text before the JSON (iperf3 >= 3.2/3.6
 *    warnings, "Control connection MSS"), `-vv` decorated lines and `local`
 *    address lines tolerated;
 *  - a plain `iperf3 -J` document (possibly preceded by such noise);
 *  - a pScheduler throughput result (archiver envelope or bare result).
 * into esm_bw_result holding exactly what the original pipe loader extracted
 * and posted (values keep their JSON integer/real/null nature).
 *
 * Memory: esm_bw_result owns everything; release with esm_bw_result_clear().
 * No global state, no printing, no name resolution. */
#ifndef ESM_BWCTL_OUTPUT_H
#define ESM_BWCTL_OUTPUT_H

#include <stddef.h>

#include "loader_common.h"

typedef enum { ESM_BW_BWCTL = 1, ESM_BW_IPERF3, ESM_BW_PSCHEDULER } esm_bw_format;

/* Where input_source / input_destination came from. */
typedef enum {
    ESM_BW_ADDR_NONE = 0,
    ESM_BW_ADDR_REMOTE_LINE,   /* "Using X as the address for remote sender" (what the original read) */
    ESM_BW_ADDR_LOCAL_LINE,    /* "... for local sender" (bwctl run on that host) */
    ESM_BW_ADDR_RUN_TOOL,      /* "run_tool: sender: X" lines (no address lines, e.g. -vv or stdout only) */
    ESM_BW_ADDR_JSON,          /* iperf3 connected[0] (plain iperf3, or bwctl without -verbose) */
    ESM_BW_ADDR_SPEC           /* pScheduler test.spec source/dest */
} esm_bw_addr_origin;

/* One aggregate subinterval {"start", "duration", "val"}. */
typedef struct {
    esm_num start, duration, val;
} esm_bw_subint;

/* One stream within an interval: {"start","duration","throughput"/"retransmits"}. */
typedef struct {
    esm_num start, duration, throughput, retransmits;
} esm_bw_stream_subint;

typedef struct {
    esm_bw_subint throughput;    /* sum.bits_per_second */
    esm_bw_subint retransmits;   /* sum.retransmits (null for UDP / receiver side) */
    esm_bw_stream_subint *streams;
    size_t n_streams;
    int omitted;
} esm_bw_interval;

typedef struct {
    esm_bw_format format;
    char *tool_name;            /* "iperf3" (bwctl: "Using tool:"; pScheduler: tool.name) */
    char *input_source, *input_destination;
    esm_bw_addr_origin input_origin;
    char *source, *destination; /* start.connected[0].local_host / remote_host */
    char *protocol;             /* "TCP"/"UDP" as written (pScheduler: "tcp"/"udp") */
    int udp;                    /* 1 for UDP */
    int receiver_side;          /* JSON is the iperf3 server's (bwctl -x receiver block, -s) */
    int multiple_blocks;        /* bwctl printed several blocks (-x); the sender's was used */
    esm_num ts;                 /* start.timestamp.timesecs (pScheduler: schedule start) */
    esm_num duration;           /* start.test_start.duration (time-duration) */
    esm_num num_streams;        /* bw-parallel-streams */
    esm_num omit;               /* bw_ignore_first_seconds */
    esm_num throughput;         /* TCP end.sum_received.bits_per_second, UDP end.sum.bits_per_second */
    esm_num retransmits;        /* TCP end.sum_sent.retransmits (NULL kind when absent) */
    esm_num lost, sent;         /* UDP end.sum.lost_packets / packets (ABSENT when missing) */
    esm_num jitter_ms;          /* UDP end.sum.jitter_ms (not posted by the original) */
    esm_bw_interval *intervals;
    size_t n_intervals;
    esm_num *stream_retransmits;/* end.streams[].sender.retransmits (null for UDP) */
    esm_num *stream_throughput; /* end.streams[].receiver.bits_per_second (UDP: .udp.bits_per_second) */
    size_t n_streams;
    char *tool_error;           /* iperf3 "error" member / pScheduler result.error */
} esm_bw_result;

/* Flags for esm_bw_parse(). */
enum {
    /* Reproduce the original's acceptance rules for bwctl transcripts: start_tool
     * marker, "Using tool:", both "remote" address lines, JSON right after the
     * marker, `time` members as "..., GMT" (failures become ESM_LD_EUNSUPPORTED
     * or the error the original hit). Default: tolerant. */
    ESM_BW_STRICT = 1u << 0
};

/* Parse a whole input. Returns ESM_LD_OK, or:
 *   ESM_LD_ENOJSON  transcript without tool JSON (tool killed; message quotes bwctl's line)
 *   ESM_LD_EJSON    JSON cut short or invalid
 *   ESM_LD_ETOOL    the tool reported failure; res is filled as far as possible and
 *                   res->tool_error holds the tool's text
 *   ESM_LD_EMISSING document lacks timesecs / protocol / num_streams / connected hosts
 *   ESM_LD_EUNSUPPORTED protocol other than TCP/UDP, a tool other than iperf3 in bwctl,
 *                   or (ESM_BW_STRICT) what the original rejected.
 * On errors other than ETOOL, res is cleared. */
esm_ld_code esm_bw_parse(const char *text, size_t len, unsigned flags, esm_bw_result *res,
                         esm_ld_error *err);
void esm_bw_result_clear(esm_bw_result *res);

#endif
