/* Shared pieces of the loader input parsers: result codes, error detail,
 * JSON-like numbers, and an incremental line reader with byte offsets.
 * Pure functions: no global state, no printing, no exit(). */
#ifndef ESM_LOADER_COMMON_H
#define ESM_LOADER_COMMON_H

#include <stddef.h>
#include <stdint.h>

#include "json_write.h"

typedef enum {
    ESM_LD_OK = 0,      /* a record/result was produced */
    ESM_LD_MORE,        /* reader: no complete line yet, feed more or finish */
    ESM_LD_END,         /* reader: input finished and fully consumed */
    ESM_LD_ENOMEM,      /* out of memory */
    ESM_LD_EARG,        /* bad argument (NULL pointer, ...) */
    ESM_LD_ESYNTAX,     /* text is not of the expected shape */
    ESM_LD_EMISSING,    /* a required field is missing */
    ESM_LD_EVALUE,      /* a field has a value that cannot be used */
    ESM_LD_EJSON,       /* JSON text does not parse / is not an object */
    ESM_LD_ENOJSON,     /* bwctl: no tool JSON found in the transcript */
    ESM_LD_ETOOL,       /* the measurement tool reported a failure */
    ESM_LD_EUNSUPPORTED,/* valid input the loader cannot use (other tool, strict mode) */
    ESM_LD_ETOOLONG,    /* a line or document exceeds the configured limit */
    ESM_LD_EIO          /* a file cannot be read or written */
} esm_ld_code;

/* Error detail: code plus a human-readable message (never NULL-terminated-less). */
typedef struct {
    esm_ld_code code;
    char msg[256];
} esm_ld_error;

/* Static text for a code. */
const char *esm_ld_strerror(esm_ld_code code);

/* A JSON-like number: absent, explicit null, integer or real. Integers keep
 * their exact value (byte counts exceed 2^53 rarely, but exactly); `d` is
 * always the value as a double when kind is INT or REAL. */
enum { ESM_NUM_ABSENT = 0, ESM_NUM_NULL, ESM_NUM_INT, ESM_NUM_REAL };
typedef struct {
    unsigned char kind;
    long long i;
    double d;
} esm_num;

static inline int esm_num_present(const esm_num *n) { return n->kind >= ESM_NUM_INT; }

/* A number as JSON text: integers as they are, reals as Python writes them
 * (repr), absent or null as null; a list of them as "[1, 2.5, null]". */
void esm_ld_put_num(esm_buf *b, const esm_num *n);
void esm_ld_put_num_list(esm_buf *b, const esm_num *v, size_t n);

/* Incremental line reader. Bytes are fed in any chunking; lines come out
 * with their absolute byte offsets in the stream, so a caller can persist
 * `end` of the last complete record and resume there. Memory stays bounded
 * by the longest line (plus one chunk); scanning is linear overall. */
typedef struct esm_ld_lines esm_ld_lines;

typedef struct {
    const char *text;   /* the line without its '\n'; borrowed until next call */
    size_t len;
    uint64_t begin;     /* offset of the first byte */
    uint64_t end;       /* offset just after the '\n' (or after the last byte) */
    int terminated;     /* 1 when the line ended with '\n', 0 for an unterminated tail at finish */
} esm_ld_line;

/* max_line: lines longer than this are reported as ESM_LD_ETOOLONG (and skipped);
 * 0 means 16 MiB. start_offset: offset of the first byte that will be fed. */
esm_ld_lines *esm_ld_lines_new(size_t max_line, uint64_t start_offset);
void esm_ld_lines_free(esm_ld_lines *r);
/* Append bytes; returns ESM_LD_OK or ESM_LD_ENOMEM. */
esm_ld_code esm_ld_lines_feed(esm_ld_lines *r, const void *data, size_t len);
/* Declare the end of input: a remaining unterminated tail becomes a last line. */
void esm_ld_lines_finish(esm_ld_lines *r);
/* Next line: ESM_LD_OK (line filled), ESM_LD_MORE, ESM_LD_END, or
 * ESM_LD_ETOOLONG (line filled with begin/end of the skipped line, text NULL). */
esm_ld_code esm_ld_lines_next(esm_ld_lines *r, esm_ld_line *line);

/* Helpers shared by the parsers (internal use). */
void esm_ld_set_error(esm_ld_error *err, esm_ld_code code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Resets err (may be NULL) to "no error". */
void esm_ld_clear_error(esm_ld_error *err);
/* Copy of s[0..n) with a terminating NUL, even when s holds NUL bytes; NULL when out of memory. */
char *esm_ld_strndup(const char *s, size_t n);

#endif
