/* Reading, identity and storage of metadata objects (esmond-rest-api §12.1). */
#include "metadata.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "event_types.h"
#include "ip.h"
#include "request.h"
#include "values.h"

const char *const esa_subject_fields[ESA_N_SUBJECT] = {"source",    "destination",  "measurement-agent",
                                                       "tool-name", "input-source", "input-destination"};
const char *const esa_subject_columns[ESA_N_SUBJECT] = {"source",    "destination",  "measurement_agent",
                                                        "tool_name", "input_source", "input_destination"};
/* Subject fields that hold IP literals. */
static const bool subject_is_ip[ESA_N_SUBJECT] = {true, true, true, false, false, false};
/* Fields a network-element subject has (esmond-rest-api §6.2). */
static const bool in_network_element[ESA_N_SUBJECT] = {true, false, true, true, true, false};

/* Names a free-form parameter may not take: output members and query words (esmond-rest-api §6.3). */
static const char *const reserved[] = {"uri", "url", "metadata-count-total", "metadata-previous-page",
                                       "metadata-next-page", "format", "limit", "offset", "time", "time-start",
                                       "time-end", "time-range", "dns-match-rule", "event-type", "summary-type",
                                       "summary-window", "event_types", "subject_type", "metadata_key"};

static bool is_reserved(const char *name)
{
    for (size_t i = 0; i < sizeof reserved / sizeof reserved[0]; i++)
        if (strcmp(reserved[i], name) == 0)
            return true;
    /* esmond shows underscores as dashes, so foo_bar would shadow foo-bar fields (esmond-rest-api §6.3). */
    for (int i = 0; i < ESA_N_SUBJECT; i++) {
        const char *f = esa_subject_fields[i];
        size_t n = strlen(f);
        if (strlen(name) != n)
            continue;
        size_t j = 0;
        while (j < n && (name[j] == f[j] || (name[j] == '_' && f[j] == '-')))
            j++;
        if (j == n)
            return true;
    }
    return false;
}

#define FAIL(code, ...)                                                                                     \
    do {                                                                                                    \
        *status = (code);                                                                                   \
        snprintf(err, errlen, __VA_ARGS__);                                                                 \
        return false;                                                                                       \
    } while (0)

static bool add_row(esa_metadata_in *md, const char *et, int st, long long window, const json_t *time_updated)
{
    for (size_t i = 0; i < md->n_rows; i++) { /* repeated summary entries count once */
        esa_row *r = &md->rows[i];
        if (r->summary_type == st && r->window == window && strcmp(r->event_type, et) == 0)
            return true;
    }
    esa_row *rows = realloc(md->rows, (md->n_rows + 1) * sizeof *rows);
    if (!rows)
        return false;
    md->rows = rows;
    esa_row *r = &rows[md->n_rows];
    if (!(r->event_type = strdup(et)))
        return false;
    md->n_rows++;
    r->summary_type = st;
    r->window = window;
    r->has_time = json_is_integer(time_updated);
    r->time_updated = r->has_time ? json_integer_value(time_updated) : 0;
    return true;
}

static bool read_window(const json_t *w, long long *out)
{
    if (json_is_integer(w)) {
        *out = json_integer_value(w);
        return true;
    }
    return json_is_string(w) && esa_parse_int(json_string_value(w), out);
}

static bool read_summaries(const json_t *summaries, const char *et, const esm_event_type_info *info, bool imported,
                           esa_metadata_in *md, unsigned *status, char *err, size_t errlen)
{
    if (!summaries || json_is_null(summaries))
        return true;
    if (!json_is_array(summaries))
        FAIL(400, "summaries must be a list");
    size_t i;
    const json_t *s;
    json_array_foreach(summaries, i, s) {
        const json_t *jst = json_object_get(s, "summary-type");
        if (!json_is_object(s) || !jst)
            FAIL(400, "Summary must contain summary-type");
        int st = esm_summary_from_json_name(json_string_value(jst));
        if (st < 0)
            FAIL(400, "Invalid summary type '%.100s'", json_is_string(jst) ? json_string_value(jst) : "?");
        if (st == ESM_SUM_BASE)
            continue;
        /* Imported archives may hold rows of unknown event types; keep them as they are. */
        if (info && !esm_summary_allowed(info->data_type, (esm_summary_kind)st))
            FAIL(400, "Summary type %s not allowed for event-type %s", esm_summary_json_name(st), et);
        const json_t *jw = json_object_get(s, "summary-window");
        if (!jw)
            FAIL(400, "Summary must contain summary-window");
        long long window;
        if (!read_window(jw, &window))
            FAIL(400, "Summary window must be an integer");
        if (window < 0)
            FAIL(400, "Summary window must not be negative");
        if (!add_row(md, et, st, window, imported ? json_object_get(s, "time-updated") : NULL))
            FAIL(500, "Out of memory");
    }
    return true;
}

static bool read_event_types(const json_t *ets, bool imported, esa_metadata_in *md, unsigned *status, char *err,
                             size_t errlen)
{
    if (!ets)
        FAIL(400, "Missing event-types field in request");
    if (json_is_null(ets))
        return true;
    if (!json_is_array(ets))
        FAIL(400, "event_types must be a list");
    size_t i;
    const json_t *e;
    json_array_foreach(ets, i, e) {
        const json_t *jet = json_object_get(e, "event-type");
        if (!json_is_object(e) || !jet)
            FAIL(400, "No event-type defined");
        const char *et = json_string_value(jet);
        const esm_event_type_info *info = esm_event_type_find(et);
        /* The name becomes a path segment of URIs and of import file names: keep it plain. */
        if (!et || (!info && !imported) || !*et || strlen(et) > 64 ||
            strspn(et, "abcdefghijklmnopqrstuvwxyz0123456789-_") != strlen(et))
            FAIL(400, "Invalid event-type %.100s", et ? et : "?");
        if (!add_row(md, et, ESM_SUM_BASE, 0, imported ? json_object_get(e, "time-updated") : NULL))
            FAIL(500, "Out of memory");
        if (!read_summaries(json_object_get(e, "summaries"), et, info, imported, md, status, err, errlen))
            return false;
    }
    return true;
}

static int subject_index(const char *name)
{
    for (int i = 0; i < ESA_N_SUBJECT; i++)
        if (strcmp(esa_subject_fields[i], name) == 0)
            return i;
    return -1;
}

static bool read_member(const char *name, const json_t *v, bool imported, esa_metadata_in *md, unsigned *status,
                        char *err, size_t errlen)
{
    int si = subject_index(name);
    if (si >= 0) {
        char *text = esa_py_str(v);
        if (!text)
            FAIL(400, "Field %s must be a string", name);
        if (subject_is_ip[si]) {
            char canon[ESA_IP_TEXT];
            if (!esa_ip_canonical(text, canon)) {
                free(text);
                FAIL(400, "Field %s must be an IP address", name);
            }
            free(text);
            text = strdup(canon);
        }
        free(md->subject[si]);
        md->subject[si] = text;
        if (!text)
            FAIL(500, "Out of memory");
        return true;
    }
    if (strcmp(name, "metadata-key") == 0) {
        if (!imported)
            FAIL(400, "metadata-key is not allowed to be specified");
        const char *k = json_string_value(v);
        if (!k || !*k || strlen(k) > 64 || strspn(k, "0123456789abcdefABCDEF") != strlen(k))
            FAIL(400, "Invalid metadata-key");
        md->key = strdup(k);
        return md->key != NULL;
    }
    if (imported && (strcmp(name, "uri") == 0 || strcmp(name, "url") == 0 || strncmp(name, "metadata-", 9) == 0))
        return true; /* what the archive derives itself */
    if (is_reserved(name) || !*name || strlen(name) > 256)
        FAIL(400, "Parameter name '%.100s' is reserved", name);
    char *text = esa_py_str(v);
    if (!text)
        FAIL(400, "Value of parameter '%.100s' must be a string or a number", name);
    esa_kv *p = realloc(md->params, (md->n_params + 1) * sizeof *p);
    if (!p || !(p[md->n_params].name = strdup(name))) {
        free(text);
        if (p)
            md->params = p;
        FAIL(500, "Out of memory");
    }
    md->params = p;
    p[md->n_params++].value = text;
    return true;
}

bool esa_metadata_read(const json_t *body, bool imported, esa_metadata_in *md, unsigned *status, char *err,
                       size_t errlen)
{
    memset(md, 0, sizeof *md);
    if (!json_is_object(body))
        FAIL(400, "Metadata must be a JSON object");
    const json_t *jst = json_object_get(body, "subject-type");
    if (!jst)
        FAIL(400, "Missing subject-type field in request");
    const char *st = json_string_value(jst);
    bool p2p = st && strcmp(st, "point-to-point") == 0;
    if (!p2p && !(st && strcmp(st, "network-element") == 0))
        FAIL(400, "Invalid subject type %.100s", st ? st : "(not a string)");
    if (!(md->subject_type = strdup(st)))
        FAIL(500, "Out of memory");
    const char *name;
    const json_t *v;
    json_object_foreach((json_t *)body, name, v) {
        if (strcmp(name, "subject-type") == 0 || strcmp(name, "event-types") == 0)
            continue;
        if (!read_member(name, v, imported, md, status, err, errlen))
            return false;
    }
    for (int i = 0; i < ESA_N_SUBJECT; i++) {
        bool wanted = p2p || in_network_element[i];
        if (wanted && !md->subject[i])
            FAIL(400, "Missing %s field in request", esa_subject_fields[i]);
        if (!wanted && md->subject[i])
            FAIL(400, "Field %s is not allowed for subject type network-element", esa_subject_fields[i]);
    }
    return read_event_types(json_object_get(body, "event-types"), imported, md, status, err, errlen);
}

void esa_metadata_in_free(esa_metadata_in *md)
{
    free(md->key);
    free(md->subject_type);
    for (int i = 0; i < ESA_N_SUBJECT; i++)
        free(md->subject[i]);
    for (size_t i = 0; i < md->n_params; i++) {
        free(md->params[i].name);
        free(md->params[i].value);
    }
    free(md->params);
    for (size_t i = 0; i < md->n_rows; i++)
        free(md->rows[i].event_type);
    free(md->rows);
    memset(md, 0, sizeof *md);
}

/* ---- identity ---- */

static void append_lower(esm_buf *b, const char *s)
{
    for (; *s; s++) {
        char c = (char)tolower((unsigned char)*s);
        esm_buf_append(b, &c, 1);
    }
}

static int cmp_strings(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* One line per component, lowercased, sorted: equal texts mean the same test. */
static char *identity(const esa_metadata_in *md)
{
    size_t n = 1 + ESA_N_SUBJECT + md->n_params + md->n_rows, k = 0;
    char **lines = calloc(n, sizeof *lines);
    if (!lines)
        return NULL;
    esm_buf b;
    bool ok = true;
    for (size_t i = 0; i < n && ok; i++) {
        esm_buf_init(&b);
        if (i == 0) {
            esm_buf_puts(&b, "t ");
            append_lower(&b, md->subject_type);
        } else if (i <= ESA_N_SUBJECT) {
            if (!md->subject[i - 1])
                continue;
            esm_buf_printf(&b, "s %s=", esa_subject_fields[i - 1]);
            append_lower(&b, md->subject[i - 1]);
        } else if (i <= ESA_N_SUBJECT + md->n_params) {
            const esa_kv *p = &md->params[i - 1 - ESA_N_SUBJECT];
            esm_buf_puts(&b, "p ");
            append_lower(&b, p->name);
            esm_buf_puts(&b, "=");
            append_lower(&b, p->value);
        } else {
            const esa_row *r = &md->rows[i - 1 - ESA_N_SUBJECT - md->n_params];
            esm_buf_puts(&b, "r ");
            append_lower(&b, r->event_type);
            esm_buf_printf(&b, " %s %lld", esm_summary_json_name(r->summary_type), r->window);
        }
        esm_buf_append(&b, "\n", 1);
        ok = !b.failed;
        lines[k++] = b.data;
    }
    qsort(lines, k, sizeof *lines, cmp_strings);
    esm_buf_init(&b);
    for (size_t i = 0; i < k; i++) {
        if (lines[i])
            esm_buf_puts(&b, lines[i]);
        free(lines[i]);
    }
    free(lines);
    if (!ok || b.failed) {
        esm_buf_free(&b);
        return NULL;
    }
    return b.data;
}

/* ---- storage ---- */

bool esa_metadata_lookup(esa_db *db, const char *key, long long *id)
{
    sqlite3_stmt *s = esa_db_prepare(db, "SELECT id FROM metadata WHERE key = ?");
    if (!s)
        return false;
    sqlite3_bind_text(s, 1, key, -1, SQLITE_TRANSIENT);
    bool found = sqlite3_step(s) == SQLITE_ROW;
    if (found)
        *id = sqlite3_column_int64(s, 0);
    sqlite3_reset(s);
    return found;
}

static bool new_key(char key[ESA_KEY_LEN + 1])
{
    unsigned char raw[ESA_KEY_LEN / 2];
    if (getrandom(raw, sizeof raw, 0) != (ssize_t)sizeof raw)
        return false;
    for (size_t i = 0; i < sizeof raw; i++)
        snprintf(key + 2 * i, 3, "%02x", raw[i]);
    return true;
}

static bool find_identity(esa_db *db, const char *ident, char key[ESA_KEY_LEN + 1], long long *id)
{
    sqlite3_stmt *s = esa_db_prepare(db, "SELECT id, key FROM metadata WHERE identity = ? ORDER BY id LIMIT 1");
    if (!s)
        return false;
    sqlite3_bind_text(s, 1, ident, -1, SQLITE_TRANSIENT);
    bool found = sqlite3_step(s) == SQLITE_ROW;
    if (found) {
        *id = sqlite3_column_int64(s, 0);
        snprintf(key, ESA_KEY_LEN + 1, "%s", (const char *)sqlite3_column_text(s, 1));
    }
    sqlite3_reset(s);
    return found;
}

static bool insert_children(esa_db *db, const esa_metadata_in *md, long long id)
{
    sqlite3_stmt *s = esa_db_prepare(db, "INSERT INTO parameter(metadata_id, pos, name, value) VALUES (?, ?, ?, ?)");
    for (size_t i = 0; s && i < md->n_params; i++) {
        sqlite3_reset(s);
        sqlite3_bind_int64(s, 1, id);
        sqlite3_bind_int64(s, 2, (long long)i);
        sqlite3_bind_text(s, 3, md->params[i].name, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(s, 4, md->params[i].value, -1, SQLITE_TRANSIENT);
        if (sqlite3_step(s) != SQLITE_DONE)
            return false;
    }
    if (!s)
        return false;
    s = esa_db_prepare(db, "INSERT INTO series(metadata_id, event_type, summary_type, summary_window, time_updated)"
                           " VALUES (?, ?, ?, ?, ?)");
    for (size_t i = 0; s && i < md->n_rows; i++) {
        const esa_row *r = &md->rows[i];
        sqlite3_reset(s);
        sqlite3_bind_int64(s, 1, id);
        sqlite3_bind_text(s, 2, r->event_type, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(s, 3, esm_summary_json_name(r->summary_type), -1, SQLITE_STATIC);
        sqlite3_bind_int64(s, 4, r->window);
        if (r->has_time)
            sqlite3_bind_int64(s, 5, r->time_updated);
        else
            sqlite3_bind_null(s, 5);
        if (sqlite3_step(s) != SQLITE_DONE)
            return false;
    }
    return s != NULL;
}

bool esa_metadata_store(esa_db *db, const esa_metadata_in *md, char key[ESA_KEY_LEN + 1], long long *id,
                        bool *created, char *err, size_t errlen)
{
    char *ident = identity(md);
    if (!ident) {
        snprintf(err, errlen, "Out of memory");
        return false;
    }
    bool ok = false;
    *created = false;
    if (md->key && esa_metadata_lookup(db, md->key, id)) {
        /* Re-importing the same archive is harmless; the same key for another test is not. */
        sqlite3_stmt *s = esa_db_prepare(db, "SELECT identity = ? FROM metadata WHERE id = ?");
        ok = s && (sqlite3_bind_text(s, 1, ident, -1, SQLITE_TRANSIENT), sqlite3_bind_int64(s, 2, *id),
                   sqlite3_step(s) == SQLITE_ROW && sqlite3_column_int(s, 0));
        if (!ok)
            snprintf(err, errlen, "metadata key %s is already stored for a different test", md->key);
        snprintf(key, ESA_KEY_LEN + 1, "%s", md->key);
        goto done;
    }
    if (!md->key && find_identity(db, ident, key, id)) {
        ok = true;
        goto done;
    }
    if (md->key)
        snprintf(key, ESA_KEY_LEN + 1, "%s", md->key);
    else if (!new_key(key)) {
        snprintf(err, errlen, "cannot generate a metadata key");
        goto done;
    }
    sqlite3_stmt *s = esa_db_prepare(db, "INSERT INTO metadata(key, identity, subject_type, source, destination,"
                                         " measurement_agent, tool_name, input_source, input_destination)"
                                         " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
    if (s) {
        sqlite3_bind_text(s, 1, key, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(s, 2, ident, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(s, 3, md->subject_type, -1, SQLITE_TRANSIENT);
        for (int i = 0; i < ESA_N_SUBJECT; i++)
            esa_bind_text(s, 4 + i, md->subject[i]);
    }
    if (!s || sqlite3_step(s) != SQLITE_DONE) {
        snprintf(err, errlen, "cannot store metadata: %s", esa_db_errmsg(db));
        goto done;
    }
    *id = sqlite3_last_insert_rowid(esa_db_handle(db));
    ok = insert_children(db, md, *id);
    if (!ok)
        snprintf(err, errlen, "cannot store metadata: %s", esa_db_errmsg(db));
    *created = ok;
done:
    free(ident);
    return ok;
}
