/* GridFTP transfer-log parsers for esmond-ps-load-gridftp.
 *
 * Netlogger style: one line "DATE=... HOST=... FILE=... TYPE=RETR CODE=226 ..."
 * -> esm_gftp_record. Keys are recognised only from a known key set at a token
 * boundary, so file names with spaces or '=' are read whole (the original
 * crashed on them); an optional "... Transfer stats: " syslog prefix and
 * FILE="quoted" values are accepted.
 *
 * JSON style (-J): one JSON object per line -> esm_gftp_json_record, through an
 * incremental reader that reports byte offsets for exact resumption.
 *
 * Memory: records own their strings; release with the matching _clear().
 * Nothing here prints, resolves names or keeps global state. */
#ifndef ESM_GRIDFTP_LOG_H
#define ESM_GRIDFTP_LOG_H

#include <stddef.h>
#include <stdint.h>

#include "loader_common.h"

typedef enum {
    ESM_GFTP_TYPE_NONE = 0,   /* TYPE missing */
    ESM_GFTP_TYPE_RETR, ESM_GFTP_TYPE_STOR, ESM_GFTP_TYPE_ERET, ESM_GFTP_TYPE_ESTO,
    ESM_GFTP_TYPE_LIST, ESM_GFTP_TYPE_NLST, ESM_GFTP_TYPE_MLSD,
    ESM_GFTP_TYPE_OTHER       /* any other text; see type_text */
} esm_gftp_type;

/* Time from DATE/START: epoch seconds + microseconds (UTC). */
typedef struct {
    int64_t sec;
    int32_t usec;
    int short_fraction;   /* fraction had < 6 digits: pre-2009 unpadded writer; the value is
                             read right-padded as the original did (".2102" = 0.2102 s) */
} esm_gftp_time;

/* Presence bits of esm_gftp_record.have */
enum {
    ESM_GFTP_HAVE_DATE = 1u << 0, ESM_GFTP_HAVE_START = 1u << 1, ESM_GFTP_HAVE_HOST = 1u << 2,
    ESM_GFTP_HAVE_PROG = 1u << 3, ESM_GFTP_HAVE_USER = 1u << 4, ESM_GFTP_HAVE_FILE = 1u << 5,
    ESM_GFTP_HAVE_BUFFER = 1u << 6, ESM_GFTP_HAVE_BLOCK = 1u << 7, ESM_GFTP_HAVE_NBYTES = 1u << 8,
    ESM_GFTP_HAVE_VOLUME = 1u << 9, ESM_GFTP_HAVE_STREAMS = 1u << 10,
    ESM_GFTP_HAVE_STRIPES = 1u << 11, ESM_GFTP_HAVE_DEST = 1u << 12, ESM_GFTP_HAVE_TYPE = 1u << 13,
    ESM_GFTP_HAVE_CODE = 1u << 14, ESM_GFTP_HAVE_TASKID = 1u << 15,
    ESM_GFTP_HAVE_RETRANS = 1u << 16, ESM_GFTP_HAVE_NL_EVNT = 1u << 17
};

/* One netlogger transfer record. Strings are NUL-terminated, NULL when absent. */
typedef struct {
    unsigned have;            /* ESM_GFTP_HAVE_* */
    esm_gftp_time start;      /* START */
    esm_gftp_time end;        /* DATE (end of transfer) */
    char *host, *prog, *nl_evnt, *user, *file, *volume, *taskid;
    long long buffer, block, nbytes, streams, stripes, code;
    esm_gftp_type type;
    char *type_text;          /* TYPE as written */
    char *dest_raw;           /* DEST as written, e.g. "[2001:DB8:20::5]" */
    char *dest;               /* leading '[' and trailing ']' removed (as the original) */
    int dest_family;          /* 4 (inet_aton rules, like the original), 6, or 0: not an address */
    long long *retrans;       /* retrans list (may hold -1); NULL/0 when absent */
    size_t n_retrans;
    int syslog_prefix;        /* line carried a "... Transfer stats: " prefix */
    char *storage;            /* internal */
} esm_gftp_record;

/* Parse one line (without or with its '\n'; surrounding whitespace and '\r' ignored).
 * Returns ESM_LD_OK and fills rec, or an error with err->msg naming the field:
 *   ESM_LD_ESYNTAX  empty line, binary junk, no KEY= token, text before the first key;
 *   ESM_LD_EVALUE   bad DATE/START text, non-integer number field, bad retrans element;
 *   ESM_LD_EMISSING RETR/STOR record without DATE, START or NBYTES.
 * Missing TYPE or CODE are not errors (have bits tell). On error rec is cleared. */
esm_ld_code esm_gftp_parse_line(const char *line, size_t len, esm_gftp_record *rec,
                                esm_ld_error *err);
void esm_gftp_record_clear(esm_gftp_record *rec);

/* 1 for records the loader posts (TYPE RETR or STOR). */
int esm_gftp_record_is_transfer(const esm_gftp_record *rec);

/* Duration end - start in microseconds (negative when DATE < START). */
int64_t esm_gftp_duration_us(const esm_gftp_time *start, const esm_gftp_time *end);

/* Throughput in bit/s as the original computes it: 8*nbytes / (duration_us/1e6).
 * Returns 0 and sets *bps, or -1 when the duration is zero (no throughput point). */
int esm_gftp_throughput(long long nbytes, int64_t duration_us, double *bps);

/* FTP reply text used in `failures` values ("426" -> "Connection closed; transfer aborted."),
 * NULL for codes the original did not know (it printed "None"). */
const char *esm_gftp_code_text(long long code);

/* ---- JSON style (-J) ---- */

/* One JSON record (one line). Strings NULL when absent; the four statistics
 * members are compact JSON text with keys rewritten like the original
 * (lower-case, '/' -> '_', '%' removed), "{}" / "[]" when absent. */
typedef struct {
    char *event_type;         /* "Transfer-End", "Transfer-Start", ... */
    char *transfer_id;        /* string, or a number as text */
    char *host;               /* whitespace-stripped */
    char *dest;               /* verbatim (brackets kept) */
    char *cmd_type;           /* "RETR", "STOR", ... */
    char *prog, *user, *file, *volume;
    esm_num start_ts, end_ts; /* as given (number or numeric string -> REAL) */
    esm_gftp_time start, end; /* rounded to the microsecond, half to even */
    esm_num ret_code, nbytes, nstreams, tcp_bufsize, globus_blocksize;
    long long stripes;        /* 1 + largest streams[].stripe (1 without streams) */
    esm_num *retrans;         /* streams[].TCPinfo.total_retrans, NULL kind where missing */
    size_t n_streams;
    int stream_without_stripe;/* some streams[] entry lacked "stripe" (counted as stripe 0) */
    char *iostat, *mpstat, *rusage, *streams_tcpinfo;
} esm_gftp_json_record;

void esm_gftp_json_record_clear(esm_gftp_json_record *rec);
/* 1 for Transfer-End with cmd_type RETR or STOR (what the loader can post). */
int esm_gftp_json_is_transfer(const esm_gftp_json_record *rec);

/* Parse one JSON line. Errors: ESM_LD_EJSON (not JSON / not an object, e.g. a
 * record split over lines), ESM_LD_EVALUE (nbytes etc. not integers, timestamps
 * not numeric), ESM_LD_EMISSING (Transfer-End without start/end timestamp). */
esm_ld_code esm_gftp_json_parse_line(const char *line, size_t len, esm_gftp_json_record *rec,
                                     esm_ld_error *err);

/* Incremental reader over a byte stream for either style. */
typedef struct esm_gftp_reader esm_gftp_reader;
enum { ESM_GFTP_NETLOGGER = 0, ESM_GFTP_JSON = 1 };

/* start_offset: stream offset of the first byte fed (a resume point). */
esm_gftp_reader *esm_gftp_reader_new(int style, uint64_t start_offset);
void esm_gftp_reader_free(esm_gftp_reader *r);
esm_ld_code esm_gftp_reader_feed(esm_gftp_reader *r, const void *data, size_t len);
void esm_gftp_reader_finish(esm_gftp_reader *r);

/* Where the last returned item sat in the stream. `end` after a complete
 * record is the resume offset; `terminated` is 0 for an unterminated last line
 * (possibly still being written: do not persist its end as a resume point). */
typedef struct {
    uint64_t begin, end;
    uint64_t line_no;         /* 1-based, counting every line fed */
    int terminated;
    const char *text;         /* the line without its '\n', surrounding blanks trimmed;
                                 borrowed until the next call; NULL for a line over the limit */
    size_t len;
} esm_gftp_pos;

/* Next record. Returns ESM_LD_OK with *net (netlogger) or *json filled (the
 * other may be NULL), ESM_LD_MORE, ESM_LD_END, or a per-line error code with
 * err filled (the line is consumed; call again to continue). Blank lines are
 * skipped silently. */
esm_ld_code esm_gftp_reader_next(esm_gftp_reader *r, esm_gftp_record *net,
                                 esm_gftp_json_record *json, esm_gftp_pos *pos,
                                 esm_ld_error *err);

#endif
