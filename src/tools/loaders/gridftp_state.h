/* The state file of esmond-ps-load-gridftp: where the last run stopped in
 * which log, so that a rerun reads only what is new and notices rotation.
 *
 * The file is JSON (the original pickled a record, which Python 3 could not
 * even write), replaced atomically:
 *
 *   {"format": "esmond-ps-load-gridftp state", "version": 1,
 *    "style": "netlogger" | "json",
 *    "log": "/var/log/gridftp-transfer.log",     the log's absolute path
 *    "device": 2049, "inode": 1234567,           the log's identity
 *    "offset": 104857600, "line": 349525,        resume point: end of the last record dealt with
 *    "head": {"length": 4096, "fnv1a64": "..."}, the first bytes (at most 4096, at most offset)
 *    "last_record": {"offset": 104857300, "length": 300, "fnv1a64": "...",
 *                    "text": "DATE=..."},        the bytes [offset, offset+length) before "offset"
 *    "saved": "2026-12-01T19:33:02Z"}
 *
 * A log matches the state when it has at least `offset` bytes whose head and
 * last record hash as recorded: then it is the same log, grown or not. The
 * identity (device, inode) tells a renamed (rotated) log from a copy.
 * Hashes are 64-bit FNV-1a, as 16 lower-case hex digits; "text" is only for
 * people (left out when longer than 64 KiB). */
#ifndef ESM_GRIDFTP_STATE_H
#define ESM_GRIDFTP_STATE_H

#include <stddef.h>
#include <stdint.h>

#include "loader_common.h"

typedef struct {
    int style;             /* ESM_GFTP_NETLOGGER or ESM_GFTP_JSON */
    char *log;             /* absolute path of the log */
    uint64_t device, inode;
    uint64_t offset, line; /* resume point and the lines before it */
    uint64_t head_len, head_hash;
    uint64_t last_begin, last_len, last_hash; /* last_len 0: no record yet */
    char *last_text;       /* NULL when not kept */
} esm_gftp_state;

void esm_gftp_state_clear(esm_gftp_state *st);

/* Reads path into st (overwritten). 0: read; 1: there is no such file; -1: a
 * state file of this loader that cannot be used (another version, members
 * missing or wrong); ESM_GFTP_STATE_FOREIGN: something else, not to be
 * replaced (the original's pickle, an empty file, other JSON, a file that
 * cannot be opened). err says why. */
#define ESM_GFTP_STATE_FOREIGN (-2)

int esm_gftp_state_read(const char *path, esm_gftp_state *st, esm_ld_error *err);

/* Fills st for the log open as fd (path: its absolute path) with the resume
 * point `offset` after `line` lines, whose last record is [last_begin,
 * offset) (last_begin == offset: none), reading the head and the record back
 * from fd. st is overwritten (clear an earlier one first). 0, or -1 with err
 * set (I/O error, out of memory). */
int esm_gftp_state_describe(esm_gftp_state *st, int style, const char *path, int fd, uint64_t offset, uint64_t line,
                            uint64_t last_begin, esm_ld_error *err);

/* Writes st to path atomically: a temporary file next to it, flushed to disk,
 * renamed over it, and the directory flushed. 0, or -1 with err set; path is
 * then as it was. */
int esm_gftp_state_write(const char *path, const esm_gftp_state *st, esm_ld_error *err);

/* Whether the log open as fd holds what st describes (see above): 1 yes,
 * 0 no (why says what differs), -1 I/O error (why set). */
int esm_gftp_state_matches(const esm_gftp_state *st, int fd, esm_ld_error *why);

/* 64-bit FNV-1a of data, continuing from h (start with ESM_FNV1A64_INIT). */
#define ESM_FNV1A64_INIT 0xcbf29ce484222325ULL
uint64_t esm_fnv1a64(uint64_t h, const void *data, size_t len);

#endif
