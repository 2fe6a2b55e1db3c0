/* A JSON reader for data points (esmond-rest-api §9.2): yajl parses, and
 * its callbacks fill one flat array of tokens per document, no tree, no
 * allocation per value. It accepts what jansson accepts with
 * JSON_ALLOW_NUL (the differential test holds it to that), reads integers
 * beyond 64 bits as reals as the pages' readers always did, and bounds
 * nesting and token counts, which come from the server. The decoded
 * strings and the reals' own text are kept, each NUL-terminated, in the
 * document's text, so views hand out pointers into it; an integer keeps
 * only its value. */
#ifndef ESM_COMMON_JSONTOK_H
#define ESM_COMMON_JSONTOK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum {
    ESM_JT_NULL,
    ESM_JT_FALSE,
    ESM_JT_TRUE,
    ESM_JT_INT,    /* fits in 64 bits: ival */
    ESM_JT_REAL,   /* a fraction or an exponent, or an integer beyond 64 bits */
    ESM_JT_STRING, /* text[start..start+len), decoded, NUL-terminated */
    ESM_JT_ARRAY,
    ESM_JT_OBJECT, /* members as key (a STRING token) then value */
} esm_jt_type;

typedef struct {
    uint8_t type;
    uint8_t dup;     /* object: a key occurs more than once; key: a repeat of an earlier key */
    uint32_t start;  /* string, real: its text at text[start..start+len) */
    uint32_t len;
    uint32_t size;   /* container: elements, or members with distinct keys;
                      * key repeated later: the last repeat's value token */
    uint32_t next;   /* the token after this one's subtree */
    int64_t ival;    /* ESM_JT_INT */
} esm_jtok;

/* Bounds on what one document may hold: jansson's nesting limit, and
 * tokens worth 100 MB, more than any page cap lets through. */
#define ESM_JT_MAX_DEPTH 2048
#define ESM_JT_MAX_TOKENS (4u << 20)

typedef struct {
    char *text;      /* the strings (decoded) and numbers, each ending in a NUL */
    size_t text_len, text_cap;
    esm_jtok *tok;
    size_t n, cap;
    uint32_t *seen;  /* duplicate-key scratch: an open hash of token indices */
    size_t seen_cap;
    size_t max_tokens; /* a bound of the caller's (below UINT32_MAX); 0: ESM_JT_MAX_TOKENS */
    void *parser;    /* the callbacks' state, kept between documents */
    size_t arena_used;
    _Alignas(16) char arena[8192]; /* yajl's allocations for one parse */
} esm_jdoc;

void esm_jdoc_init(esm_jdoc *d);
void esm_jdoc_free(esm_jdoc *d);

typedef enum { ESM_JT_OK, ESM_JT_SYNTAX, ESM_JT_NOMEM } esm_jt_status;

/* Reads the one JSON value at text (len bytes, at most UINT32_MAX;
 * leading whitespace skipped, anything may follow it) into d, replacing
 * what d held; *used: the bytes it took up to the value's end. */
esm_jt_status esm_jdoc_parse(esm_jdoc *d, const char *text, size_t len, size_t *used);

/* The token of member name of object token i, or 0 when absent (token 0
 * is never a member). With duplicate keys, the last one's value. */
uint32_t esm_jdoc_member(const esm_jdoc *d, uint32_t i, const char *name);

/* Walks the members of object token i with distinct keys, in the order
 * of their first occurrence, each with its last value (jansson's and
 * Python's dicts): start with *it = 0; false at the end. */
bool esm_jdoc_next_member(const esm_jdoc *d, uint32_t obj, uint32_t *it, uint32_t *key, uint32_t *val);

/* A number token's value as a double (reals through strtod, locale-proof). */
double esm_jdoc_real(const esm_jdoc *d, uint32_t i);

/* The tokens behind a value view of libesmond (src/lib/value.c), for the
 * tools' writers, which render data values straight from them; *doc NULL
 * for a NULL view. */
struct esm_value;
void esm__value_tokens(const struct esm_value *v, const esm_jdoc **doc, uint32_t *tok);

static inline const char *esm_jdoc_str(const esm_jdoc *d, uint32_t i)
{
    return d->text + d->tok[i].start;
}

#endif
