/* The loader's state file (see gridftp_state.h). */
#include "gridftp_state.h"

#include "gridftp_log.h"
#include "durable_file.h"

#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define FORMAT_NAME "esmond-ps-load-gridftp state"
#define FORMAT_VERSION 1
#define HEAD_MAX 4096
#define TEXT_MAX (64u << 10)

uint64_t esm_fnv1a64(uint64_t h, const void *data, size_t len)
{
    const unsigned char *p = data;
    for (size_t i = 0; i < len; i++)
        h = (h ^ p[i]) * 0x100000001b3ULL;
    return h;
}

void esm_gftp_state_clear(esm_gftp_state *st)
{
    if (!st)
        return;
    free(st->log);
    free(st->last_text);
    memset(st, 0, sizeof *st);
}

/* ---- reading bytes of the log back ---- */

/* Hash of [begin, begin+len) of fd; with text, also a copy of those bytes
 * (when len <= TEXT_MAX). 0, 1 when the file is shorter, -1 on I/O errors. */
static int hash_range(int fd, uint64_t begin, uint64_t len, uint64_t *hash, char **text)
{
    char buf[65536];
    uint64_t h = ESM_FNV1A64_INIT, done = 0;
    char *copy = text && len <= TEXT_MAX ? malloc(len + 1) : NULL;
    if (text && len <= TEXT_MAX && !copy)
        return -1;
    while (done < len) {
        size_t want = len - done < sizeof buf ? (size_t)(len - done) : sizeof buf;
        ssize_t got = pread(fd, buf, want, (off_t)(begin + done));
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0) {
            free(copy);
            return got < 0 ? -1 : 1;
        }
        h = esm_fnv1a64(h, buf, (size_t)got);
        if (copy)
            memcpy(copy + done, buf, (size_t)got);
        done += (uint64_t)got;
    }
    *hash = h;
    if (copy) {
        /* for people: the line without its end */
        size_t n = (size_t)len;
        while (n && (copy[n - 1] == '\n' || copy[n - 1] == '\r'))
            n--;
        copy[n] = '\0';
        *text = copy;
    }
    return 0;
}

int esm_gftp_state_describe(esm_gftp_state *st, int style, const char *path, int fd, uint64_t offset, uint64_t line,
                            uint64_t last_begin, esm_ld_error *err)
{
    memset(st, 0, sizeof *st);
    struct stat sb;
    if (fstat(fd, &sb) != 0) {
        esm_ld_set_error(err, ESM_LD_EIO, "cannot stat %s: %s", path, strerror(errno));
        return -1;
    }
    st->style = style;
    st->device = (uint64_t)sb.st_dev;
    st->inode = (uint64_t)sb.st_ino;
    st->offset = offset;
    st->line = line;
    st->head_len = offset < HEAD_MAX ? offset : HEAD_MAX;
    st->last_begin = last_begin < offset ? last_begin : offset;
    st->last_len = offset - st->last_begin;
    if (!(st->log = strdup(path))) {
        esm_ld_set_error(err, ESM_LD_ENOMEM, "out of memory");
        return -1;
    }
    int rc = hash_range(fd, 0, st->head_len, &st->head_hash, NULL);
    if (rc == 0)
        rc = hash_range(fd, st->last_begin, st->last_len, &st->last_hash, &st->last_text);
    if (rc != 0) {
        esm_ld_set_error(err, ESM_LD_EIO, "cannot read %s back: %s", path,
                         rc > 0 ? "it is shorter than read before" : strerror(errno));
        esm_gftp_state_clear(st);
        return -1;
    }
    return 0;
}

int esm_gftp_state_matches(const esm_gftp_state *st, int fd, esm_ld_error *why)
{
    struct stat sb;
    if (fstat(fd, &sb) != 0) {
        esm_ld_set_error(why, ESM_LD_EIO, "cannot stat the log: %s", strerror(errno));
        return -1;
    }
    if ((uint64_t)sb.st_size < st->offset) {
        esm_ld_set_error(why, ESM_LD_EVALUE, "it holds %lld bytes, fewer than the %" PRIu64 " read before",
                         (long long)sb.st_size,
                st->offset);
        return 0;
    }
    uint64_t head, last;
    int rc = hash_range(fd, 0, st->head_len, &head, NULL);
    if (rc == 0)
        rc = hash_range(fd, st->last_begin, st->last_len, &last, NULL);
    if (rc < 0) {
        esm_ld_set_error(why, ESM_LD_EIO, "cannot read the log: %s", strerror(errno));
        return -1;
    }
    if (rc > 0 || head != st->head_hash) {
        esm_ld_set_error(why, ESM_LD_EVALUE, "its first bytes differ from those read before");
        return 0;
    }
    if (last != st->last_hash) {
        esm_ld_set_error(why, ESM_LD_EVALUE, "the record before byte %" PRIu64 " differs from the last one read",
                         st->offset);
        return 0;
    }
    return 1;
}

/* ---- the file ---- */

static json_t *hashed(uint64_t len, uint64_t hash)
{
    char hex[17];
    snprintf(hex, sizeof hex, "%016" PRIx64, hash);
    return json_pack("{s:I, s:s}", "length", (json_int_t)len, "fnv1a64", hex);
}

static char *state_text(const esm_gftp_state *st)
{
    char when[32];
    time_t now = time(NULL);
    struct tm tm;
    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&now, &tm));
    json_t *last = hashed(st->last_len, st->last_hash);
    if (last && st->last_len) {
        json_object_set_new(last, "offset", json_integer((json_int_t)st->last_begin));
        json_t *text = st->last_text ? json_string(st->last_text) : NULL; /* NULL too when not UTF-8 */
        if (text)
            json_object_set_new(last, "text", text);
    }
    json_t *o = json_pack("{s:s, s:i, s:s, s:s, s:I, s:I, s:I, s:I, s:o, s:o*, s:s}", "format", FORMAT_NAME,
                          "version", FORMAT_VERSION, "style", st->style == ESM_GFTP_JSON ? "json" : "netlogger",
                          "log", st->log ? st->log : "", "device", (json_int_t)st->device, "inode",
                          (json_int_t)st->inode, "offset", (json_int_t)st->offset, "line", (json_int_t)st->line,
                          "head", hashed(st->head_len, st->head_hash), "last_record", st->last_len ? last : NULL,
                          "saved", when);
    if (!st->last_len)
        json_decref(last);
    /* json_pack steals "o" references even when it fails */
    char *text = o ? json_dumps(o, JSON_INDENT(1) | JSON_ENSURE_ASCII) : NULL;
    json_decref(o);
    char *line = text ? malloc(strlen(text) + 2) : NULL;
    if (line)
        sprintf(line, "%s\n", text);
    free(text);
    return line;
}

int esm_gftp_state_write(const char *path, const esm_gftp_state *st, esm_ld_error *err)
{
    char *text = state_text(st);
    if (!text) {
        esm_ld_set_error(err, ESM_LD_ENOMEM, "out of memory");
        return -1;
    }
    char why[1024];
    /* 0600: it quotes a record, user and file names */
    int rc = esm_durable_replace(path, text, strlen(text), 0600, why, sizeof why);
    if (rc != 0)
        esm_ld_set_error(err, ESM_LD_EIO, "%s", why);
    free(text);
    return rc;
}

static int hex64(json_t *o, uint64_t *out)
{
    const char *s = json_string_value(json_object_get(o, "fnv1a64"));
    char *end;
    if (!s || strlen(s) != 16 || strspn(s, "0123456789abcdef") != 16)
        return -1;
    *out = strtoull(s, &end, 16);
    return 0;
}

static int uint_member(json_t *o, const char *name, uint64_t *out)
{
    json_t *v = json_object_get(o, name);
    if (!json_is_integer(v) || json_integer_value(v) < 0)
        return -1;
    *out = (uint64_t)json_integer_value(v);
    return 0;
}

int esm_gftp_state_read(const char *path, esm_gftp_state *st, esm_ld_error *err)
{
    memset(st, 0, sizeof *st);
    FILE *f = fopen(path, "rb");
    if (!f) {
        if (errno == ENOENT)
            return 1;
        esm_ld_set_error(err, ESM_LD_EIO, "cannot open it: %s", strerror(errno));
        return ESM_GFTP_STATE_FOREIGN;
    }
    json_error_t jerr;
    json_t *o = json_loadf(f, 0, &jerr);
    fclose(f);
    const char *format = json_string_value(json_object_get(o, "format"));
    if (!format || strcmp(format, FORMAT_NAME) != 0) {
        esm_ld_set_error(err, ESM_LD_ESYNTAX, "%s",
                         o ? "it is JSON without \"format\": \"" FORMAT_NAME "\""
                         : jerr.position == 0 ? "it is empty"
                                              : "it is not JSON, an esmond-client pickle?");
        json_decref(o);
        return ESM_GFTP_STATE_FOREIGN;
    }
    const char *style = json_string_value(json_object_get(o, "style"));
    const char *log = json_string_value(json_object_get(o, "log"));
    json_t *head = json_object_get(o, "head"), *last = json_object_get(o, "last_record");
    json_t *version = json_object_get(o, "version");
    int bad = 0;
    if (!json_is_integer(version) || json_integer_value(version) != FORMAT_VERSION) {
        esm_ld_set_error(err, ESM_LD_ESYNTAX, "its version is not %d", FORMAT_VERSION);
        json_decref(o);
        return -1;
    }
    if (!bad) {
        st->style = style && strcmp(style, "json") == 0 ? ESM_GFTP_JSON : ESM_GFTP_NETLOGGER;
        bad = !style || (strcmp(style, "json") != 0 && strcmp(style, "netlogger") != 0) || !log ||
              uint_member(o, "device", &st->device) || uint_member(o, "inode", &st->inode) ||
              uint_member(o, "offset", &st->offset) || uint_member(o, "line", &st->line) ||
              uint_member(head, "length", &st->head_len) || hex64(head, &st->head_hash) ||
              st->head_len > st->offset;
    }
    if (!bad && last) {
        bad = uint_member(last, "offset", &st->last_begin) || uint_member(last, "length", &st->last_len) ||
              hex64(last, &st->last_hash) || st->last_len > st->offset || st->last_begin != st->offset - st->last_len;
        const char *text = json_string_value(json_object_get(last, "text"));
        if (!bad && text && !(st->last_text = strdup(text)))
            bad = 1;
    } else if (!bad) {
        st->last_begin = st->offset;
        st->last_hash = ESM_FNV1A64_INIT;
    }
    if (!bad && !(st->log = strdup(log)))
        bad = 1;
    json_decref(o);
    if (bad) {
        esm_ld_set_error(err, ESM_LD_ESYNTAX, "it is not a state file of esmond-ps-load-gridftp %d", FORMAT_VERSION);
        esm_gftp_state_clear(st);
        return -1;
    }
    return 0;
}
