/* libesmond: read from and write to perfSONAR measurement archives that speak
 * the esmond REST API (esmond, elmond, esmond-ps-archive).
 *
 * Conventions (as in libcurl and hiredis):
 * - Fallible calls return an esm_code; 0 (ESM_OK) is success. esm_strerror()
 *   gives static text; esm_client_error() the detail of the client's last
 *   failure (URL, HTTP status, the server's message). The library never
 *   prints and never exits.
 * - Memory: what a _new/_create/_send call returns belongs to the caller and
 *   is released with the matching _free (every _free accepts NULL). Views
 *   returned by getters and iterators (esm_metadata, esm_event_type,
 *   esm_summary, esm_point, esm_value and their strings) are borrowed: valid
 *   until the next call on the handle they came from, or its _free. Input
 *   strings are copied.
 * - Threads: handles are not shared between threads without locking; separate
 *   handles may be used in separate threads at once. Call
 *   esm_global_init() once before starting threads.
 *
 * The Python esmond client maps as follows: ApiConnect -> esm_client,
 * ApiFilters -> esm_query, Metadata/EventType/Summary -> esm_metadata,
 * esm_event_type, esm_summary, get_data() -> esm_data_iter with esm_point
 * (DataPoint/DataHistogram), MetadataPost -> esm_metadata_post,
 * EventTypePost/EventTypeBulkPost -> esm_point_post()/esm_bulk_post.
 */
#ifndef ESMOND_ESMOND_H
#define ESMOND_ESMOND_H

#include <stdbool.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The shared library is built with hidden symbols: what this header declares
 * is its whole exported API. */
#if defined(__GNUC__)
#pragma GCC visibility push(default)
#endif

/* ---- errors ---------------------------------------------------------- */

typedef enum {
    ESM_OK = 0,
    ESM_DONE,              /* an iterator has no more items (not an error) */
    ESM_ERR_INVALID,       /* a bad argument, e.g. a malformed URL or event-type name */
    ESM_ERR_NOMEM,
    ESM_ERR_TRANSPORT,     /* connection, DNS or TLS failure */
    ESM_ERR_TIMEOUT,       /* no answer within the connect or idle timeout */
    ESM_ERR_HTTP,          /* an HTTP status the call cannot use */
    ESM_ERR_AUTH,          /* 401 or 403 */
    ESM_ERR_NOT_FOUND,     /* 404 */
    ESM_ERR_CONFLICT,      /* 409: the point is already stored (harmless on re-sends) */
    ESM_ERR_PROTOCOL,      /* the answer is not what the esmond API promises (bad JSON, wrong shape) */
    ESM_ERR_TYPE,          /* a value accessor does not fit the value's shape */
    ESM_ERR_TIME_SYNTAX    /* esm_parse_time() cannot read the text */
} esm_code;

const char *esm_strerror(esm_code code);
/* "0.1.0" */
const char *esm_version(void);
/* Initialises libcurl's global state; call once before threads start. */
esm_code esm_global_init(void);
void esm_global_cleanup(void);

/* ---- client ------------------------------------------------------------ */

typedef struct esm_client esm_client;

/* base_url: "http(s)://host[:port]"; a pasted ".../esmond/perfsonar/archive/..."
 * path is trimmed (what precedes "/perfsonar" becomes the script alias), and
 * any other path is taken as the script alias. NULL on a malformed URL, another
 * scheme, or out of memory. */
esm_client *esm_client_new(const char *base_url);
void esm_client_free(esm_client *c);

/* Mount point of the API: "esmond" by default; "" or "/" (or NULL) for none.
 * Letters, digits, "._~-" and "/" only, else ESM_ERR_INVALID. */
esm_code esm_client_set_script_alias(esm_client *c, const char *alias);
/* Credentials, sent on writes (and on reads after esm_client_set_auth_on_reads());
 * visible ASCII without spaces, else ESM_ERR_INVALID; NULL removes them. */
esm_code esm_client_set_token(esm_client *c, const char *key);                      /* Token KEY */
esm_code esm_client_set_api_key(esm_client *c, const char *user, const char *key);  /* ApiKey USER:KEY */
void esm_client_set_auth_on_reads(esm_client *c, bool on);
/* TLS: verification is on by default. A NULL path restores the system's CA store. */
esm_code esm_client_set_ca_file(esm_client *c, const char *path);
void esm_client_set_insecure(esm_client *c, bool insecure);
/* Connect timeout and idle timeout (under 1 KiB/s for that long), in milliseconds;
 * defaults 20000 and 20000. Values <= 0 keep the default: a timeout always applies.
 * A request with its retries and their waits ends within 3 idle timeouts. */
void esm_client_set_timeouts(esm_client *c, long connect_ms, long idle_ms);
/* The limit on each request's whole duration, retries and their waits
 * included, in milliseconds, instead of 3 idle timeouts; <= 0 restores that
 * default. */
void esm_client_set_request_timeout(esm_client *c, long total_ms);
/* Retries of reads on connection errors, timeouts, broken answers and
 * 429/502/503/504, with exponential backoff (200 ms doubling, at most 5 s) or
 * the server's Retry-After (at most 30 s); default 3. Writes are never retried. */
void esm_client_set_retries(esm_client *c, int retries);
/* The largest answer the client reads, in bytes; 0 restores the default, 32 MiB
 * (a legitimate page is far smaller: 1000 big histograms are a few MB). A
 * larger answer is ESM_ERR_PROTOCOL, except that a data iterator asks for that
 * page again with half the limit, down to one point. Memory stays within about
 * this much per client whatever a server sends. */
void esm_client_set_max_page_bytes(esm_client *c, size_t bytes);
/* Called with each request's method and full URL before it is sent. */
typedef void (*esm_trace_fn)(void *userdata, const char *method, const char *url);
void esm_client_set_trace(esm_client *c, esm_trace_fn fn, void *userdata);

/* Detail of the last failure on c ("" when none): URL, status, server text.
 * Each request clears it when it starts. */
const char *esm_client_error(const esm_client *c);
/* HTTP status of the last response, 0 when none was received. */
long esm_client_http_status(const esm_client *c);

/* ---- event-type catalog (esmond-rest-api §10.3) ------------------------- */

typedef enum {
    ESM_TYPE_UNKNOWN = -1,
    ESM_TYPE_INTEGER,
    ESM_TYPE_FLOAT,
    ESM_TYPE_PERCENTAGE,
    ESM_TYPE_HISTOGRAM,
    ESM_TYPE_SUBINTERVAL,
    ESM_TYPE_JSON
} esm_data_type_t;

/* The 49 event types, sorted by name; i from 0 to esm_catalog_count()-1. */
size_t esm_catalog_count(void);
const char *esm_catalog_name(size_t i);
/* Data type of a name; ESM_TYPE_UNKNOWN for names outside the catalog. */
esm_data_type_t esm_catalog_data_type(const char *event_type);

/* ---- queries ------------------------------------------------------------ */

typedef struct esm_query esm_query;

esm_query *esm_query_new(void);
void esm_query_free(esm_query *q);
/* Sets a filter by its API name: source, destination, measurement-agent,
 * input-source, input-destination, tool-name, subject-type, event-type,
 * summary-type, summary-window, metadata-key, dns-match-rule, time,
 * time-start, time-end, time-range, or any free-form metadata parameter.
 * Underscores in name are taken as dashes for the standard names. A NULL
 * value removes the filter. */
esm_code esm_query_set(esm_query *q, const char *name, const char *value);
/* Time filters as numbers: name is "time", "time-start", "time-end" or "time-range". */
esm_code esm_query_set_time(esm_query *q, const char *name, long long seconds);
const char *esm_query_get(const esm_query *q, const char *name);

/* ---- metadata, event types, summaries (borrowed views) ------------------ */

typedef struct esm_metadata esm_metadata;
typedef struct esm_event_type esm_event_type;
typedef struct esm_summary esm_summary;

const char *esm_metadata_key(const esm_metadata *md);
const char *esm_metadata_uri(const esm_metadata *md);
/* Any string member by its API name, free-form parameters included
 * ("source", "tool-name", "time-duration", "url", ...); NULL when absent.
 * Numbers and booleans that odd servers send in place of strings are given
 * as Python's str() shows them (20 -> "20", 20.0 -> "20.0", true -> "True");
 * null, arrays and objects count as absent. */
const char *esm_metadata_get(const esm_metadata *md, const char *name);
/* All string members in the server's order (metadata-key, subject fields,
 * free-form parameters, uri...), without url and the pagination members
 * (metadata-count-total, metadata-previous-page, metadata-next-page). */
size_t esm_metadata_field_count(const esm_metadata *md);
const char *esm_metadata_field_name(const esm_metadata *md, size_t i);
const char *esm_metadata_field_value(const esm_metadata *md, size_t i);
/* The object as compact JSON text, as the server sent it but without the
 * pagination members of a search page's first element. */
const char *esm_metadata_json(const esm_metadata *md);
/* An owned copy of a borrowed view that shares nothing with md, so it may
 * outlive md's iterator and go to another thread; free it with
 * esm_metadata_free(). NULL when out of memory. */
esm_metadata *esm_metadata_dup(const esm_metadata *md);

size_t esm_metadata_event_type_count(const esm_metadata *md);
const esm_event_type *esm_metadata_event_type_at(const esm_metadata *md, size_t i);
const esm_event_type *esm_metadata_event_type(const esm_metadata *md, const char *name);

const char *esm_event_type_name(const esm_event_type *et);
const char *esm_event_type_base_uri(const esm_event_type *et);
esm_data_type_t esm_event_type_data_type(const esm_event_type *et);
/* false when the server says null (never written); *out is then untouched. */
bool esm_event_type_time_updated(const esm_event_type *et, long long *out);
size_t esm_event_type_summary_count(const esm_event_type *et);
const esm_summary *esm_event_type_summary_at(const esm_event_type *et, size_t i);
/* Looks a summary up by type ("aggregation", "average", "statistics") and
 * window, comparing windows as numbers (elmond sends 86400, esmond "86400"). */
const esm_summary *esm_event_type_summary(const esm_event_type *et, const char *type, long long window);

const char *esm_summary_type(const esm_summary *s);
long long esm_summary_window(const esm_summary *s);
const char *esm_summary_uri(const esm_summary *s);
bool esm_summary_time_updated(const esm_summary *s, long long *out);

/* ---- reading metadata ------------------------------------------------------ */

typedef struct esm_metadata_iter esm_metadata_iter;

/* Iterates over every metadata object matching q (NULL: all), fetching pages
 * with offset until metadata-count-total items are read, or a short or empty
 * page when the total is missing or wrong. At most one page's text and one
 * object are held. A page that starts with the same object as an earlier page
 * (a server ignoring offset) ends the read with ESM_ERR_PROTOCOL, as does a
 * malformed object; after an error the iterator is at its end. */
esm_code esm_metadata_iter_new(esm_client *c, const esm_query *q, esm_metadata_iter **out);
/* ESM_OK with *md set, ESM_DONE at the end, or an error. */
esm_code esm_metadata_iter_next(esm_metadata_iter *it, const esm_metadata **md);
void esm_metadata_iter_free(esm_metadata_iter *it);
/* The first page's metadata-count-total (how many objects the archive says
 * match), -1 before the first page or when the archive did not say. The
 * Python client showed it on the first object (esmond-ps-get-metadata -M). */
long long esm_metadata_iter_total(const esm_metadata_iter *it);

/* ---- reading data -------------------------------------------------------- */

typedef struct esm_value esm_value;
typedef struct esm_data_iter esm_data_iter;

typedef struct {
    long long ts;
    const esm_value *value;
} esm_point;

/* Iterates over the points of a base-uri or summary uri as the archive gave
 * it (a path, or a full URL whose path is used), within the time filters of q
 * (time, time-start, time-end, time-range; NULL: the server's default), in
 * pages of page_size points (0: 1000), with time-start = last ts + 1. Memory
 * stays within one page's text and one point whatever the series length. A
 * page over the client's max_page_bytes is asked again with half as many
 * points (down to one), and the smaller page size stays. A point that is
 * malformed, or older than its page's time-start (a server ignoring the
 * cursor), or a page holding more points than asked for (a server ignoring
 * limit), ends the read with ESM_ERR_PROTOCOL. */
esm_code esm_data_iter_new(esm_client *c, const char *uri, const esm_query *q, size_t page_size,
                           esm_data_iter **out);
esm_code esm_data_iter_next(esm_data_iter *it, const esm_point **pt);
void esm_data_iter_free(esm_data_iter *it);

/* ---- values ------------------------------------------------------------------ */

typedef enum {
    ESM_VAL_NULL,
    ESM_VAL_BOOL,
    ESM_VAL_NUMBER,
    ESM_VAL_STRING,
    ESM_VAL_ARRAY,
    ESM_VAL_OBJECT
} esm_value_kind;

esm_value_kind esm_value_kind_of(const esm_value *v);
/* The value as compact JSON text (numbers as the server wrote them). */
const char *esm_value_json(const esm_value *v);
/* A number, or a string holding one (old archives send "34.4"). */
esm_code esm_value_number(const esm_value *v, double *out);
const char *esm_value_string(const esm_value *v);

/* Histogram: bucket text and count pairs, in the server's order. Counts may
 * be integer strings (legacy writers). ESM_ERR_TYPE unless v is an object and
 * member i an integer; ESM_ERR_INVALID when i is out of range. */
size_t esm_value_histogram_size(const esm_value *v);
esm_code esm_value_histogram_bucket(const esm_value *v, size_t i, const char **bucket, long long *count);

/* Percentage as posted: {"numerator": n, "denominator": d}. */
esm_code esm_value_percentage(const esm_value *v, long long *numerator, long long *denominator);

/* Subintervals: [{"start","duration","val"}...]. Also number lists and lists
 * of subinterval lists (streams-*): use esm_value_size/esm_value_at. */
typedef struct {
    double start;
    double duration;
    const esm_value *val;
} esm_subinterval;
esm_code esm_value_subinterval(const esm_value *v, size_t i, esm_subinterval *out);

/* Elements of an array (number lists, subinterval lists, packet-trace hops,
 * paths of packet-trace-multi); members of an object by name, or by position
 * in the server's order with esm_value_at(). NULL out of range. */
size_t esm_value_size(const esm_value *v);
const esm_value *esm_value_at(const esm_value *v, size_t i);
const esm_value *esm_value_member(const esm_value *v, const char *name);

/* One packet-trace hop; string or number forms and both error spellings
 * (error_message, error-message) accepted. Absent fields: has_* false / NULL. */
typedef struct {
    long long ttl, query;
    bool has_ttl, has_query;
    bool success;
    const char *ip;          /* NULL when absent */
    const char *hostname;
    double rtt;
    bool has_rtt;
    long long mtu;
    bool has_mtu;
    const char *error_message;
} esm_hop;
esm_code esm_value_hop(const esm_value *v, size_t i, esm_hop *out);

/* The message of a failures value ({"error": "..."}, or a plain string);
 * NULL for other shapes. */
const char *esm_value_failure(const esm_value *v);

/* ---- writing -------------------------------------------------------------- */

typedef struct esm_metadata_post esm_metadata_post;

/* subject_type: "point-to-point" or "network-element". */
esm_metadata_post *esm_metadata_post_new(const char *subject_type);
void esm_metadata_post_free(esm_metadata_post *mp);
/* Subject fields (source, destination, measurement-agent, tool-name,
 * input-source, input-destination), time-duration, ip-transport-protocol and
 * any free-form parameter; values are sent as strings. Setting a name again
 * replaces its value. */
esm_code esm_metadata_post_set(esm_metadata_post *mp, const char *name, const char *value);
/* The same with the value as JSON text, for clients whose archives expect
 * numbers where the Python client sent them ("5", "6.0", "true"; strings in
 * quotes). Only scalars: null, arrays and objects give ESM_ERR_INVALID, as
 * archives keep parameters as text (an archive stores 5 as "5"). The object
 * is sent in the Python client's member order: subject-type, the subject
 * fields, time-duration, ip-transport-protocol, event-types, then the other
 * parameters in the order they were first set. */
esm_code esm_metadata_post_set_json(esm_metadata_post *mp, const char *name, const char *value_json);
esm_code esm_metadata_post_add_event_type(esm_metadata_post *mp, const char *event_type);
esm_code esm_metadata_post_add_summary(esm_metadata_post *mp, const char *event_type, const char *summary_type,
                                       long long window);
/* Posts (idempotent: an identical object returns the stored one). The
 * subject fields of the subject type are required (ESM_ERR_INVALID, nothing
 * sent, when one is missing). *out gets
 * the archive's metadata (with its key); free it with esm_metadata_free(). */
esm_code esm_metadata_post_send(esm_client *c, const esm_metadata_post *mp, esm_metadata **out);
void esm_metadata_free(esm_metadata *md);

/* One point of an event type of the metadata metadata_key (POST to the
 * event type's base under the client's URL and script alias, like every
 * write, whatever URIs the archive answers with); value_json is the value as
 * JSON text. ESM_ERR_CONFLICT: already stored. */
esm_code esm_point_post(esm_client *c, const char *metadata_key, const char *event_type, long long ts,
                        const char *value_json);

typedef struct esm_bulk_post esm_bulk_post;

esm_bulk_post *esm_bulk_post_new(const char *metadata_key);
void esm_bulk_post_free(esm_bulk_post *bp);
/* Adds a value (JSON text) for an event type at ts; points are grouped by ts. */
esm_code esm_bulk_post_add(esm_bulk_post *bp, long long ts, const char *event_type, const char *value_json);
size_t esm_bulk_post_count(const esm_bulk_post *bp);
/* PUT to the metadata's URI. ESM_ERR_CONFLICT: the archive already holds some of it. */
esm_code esm_bulk_post_send(esm_client *c, const esm_bulk_post *bp);

/* ---- time ------------------------------------------------------------------ */

/* Reads a date and time as python-dateutil's parser does for sensible input
 * (ISO 8601 with or without offset, "January 1 2015", "Jan 1", "2015/03/15",
 * "03/15/2015", "2015-03-15 10:00", "Sun, 04 Jan 2015 10:00:00 +0000",
 * "10:30 pm", ...) into epoch seconds. Times without an offset are UTC;
 * only UTC, GMT, Z and numeric offsets are zones. Missing fields come from
 * `now` (epoch seconds): its UTC date, time 00:00:00 ("10:00" is today at
 * 10:00 UTC, "Jan 1" is January 1 of now's year). Fractions of a second are
 * dropped. A pure integer of 9 or more digits (optional sign) is epoch
 * seconds, returned as is; "20150315" is a date. Text that dateutil would
 * read only by guessing (unknown zone names, "UTC+3", "05.03.2015", a wrong
 * weekday, ...) is refused. The exact rules: src/lib/timeparse.c.
 * ESM_ERR_TIME_SYNTAX: unreadable text; ESM_ERR_INVALID: NULL text or out, or
 * `now` outside years 1..9999. *out is set only on ESM_OK. */
esm_code esm_parse_time(const char *text, long long now, long long *out);

#if defined(__GNUC__)
#pragma GCC visibility pop
#endif

#ifdef __cplusplus
}
#endif

#endif
