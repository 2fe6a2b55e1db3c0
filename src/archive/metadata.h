/* Metadata objects: reading a posted (or imported) object, its identity
 * (esmond-rest-api §12.1), storing it, and rendering it back as esmond does (§6). */
#ifndef ESA_METADATA_H
#define ESA_METADATA_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "json_write.h"
#include "request.h"
#include "store.h"

#define ESA_KEY_LEN 32
#define ESA_N_SUBJECT 6

/* JSON names and column names of the subject fields, in output order. */
extern const char *const esa_subject_fields[ESA_N_SUBJECT];
extern const char *const esa_subject_columns[ESA_N_SUBJECT];

typedef struct {
    char *name;
    char *value;
} esa_kv;

typedef struct {
    char *event_type;
    int summary_type; /* esm_summary_kind */
    long long window;
    bool has_time;
    long long time_updated;
} esa_row;

typedef struct {
    char *key;                        /* only when imported */
    char *subject_type;
    char *subject[ESA_N_SUBJECT];     /* NULL when absent */
    esa_kv *params;
    size_t n_params;
    esa_row *rows;                    /* base rows included */
    size_t n_rows;
} esa_metadata_in;

/* Reads a metadata object. `imported` keeps metadata-key and time-updated
 * values and accepts event types outside the catalog (old archives). On
 * failure returns false with the HTTP status and message. */
bool esa_metadata_read(const json_t *body, bool imported, esa_metadata_in *md, unsigned *status, char *err,
                       size_t errlen);
void esa_metadata_in_free(esa_metadata_in *md);

/* Finds the metadata identical to md or stores it as new. `key` receives its
 * key; *created tells which. For an imported key already present with another
 * identity, fails. Runs inside the caller's transaction. */
bool esa_metadata_store(esa_db *db, const esa_metadata_in *md, char key[ESA_KEY_LEN + 1], long long *id,
                        bool *created, char *err, size_t errlen);

/* Appends the JSON object of metadata `id` as served to rq; `extra` (may be
 * NULL) is appended as members before the closing brace (pagination). */
bool esa_metadata_render(esa_db *db, long long id, const esa_request *rq, const char *extra, esm_buf *out);
/* Appends the event-type entry of (metadata, event type) (esmond-rest-api §6.4). */
bool esa_event_type_render(esa_db *db, long long id, const char *key, const char *event_type,
                           const esa_request *rq, esm_buf *out);
/* Appends the summary entries of one type (esmond-rest-api §8.3); *count receives how many. */
bool esa_summaries_render(esa_db *db, long long id, const char *key, const char *event_type, int summary_type,
                          const esa_request *rq, esm_buf *out, int *count);

/* Id of the metadata with this key; false when there is none. */
bool esa_metadata_lookup(esa_db *db, const char *key, long long *id);

#endif
