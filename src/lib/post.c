/* Writing: metadata objects (esmond-rest-api §12.1), single points (§12.2)
 * and bulk PUTs grouped by timestamp (§12.3). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "json_write.h"

struct esm_metadata_post {
    json_t *body;  /* the object to post; event-types kept as an array */
};

esm_metadata_post *esm_metadata_post_new(const char *subject_type)
{
    if (!subject_type || (strcmp(subject_type, "point-to-point") != 0 && strcmp(subject_type, "network-element") != 0))
        return NULL;
    esm_metadata_post *mp = calloc(1, sizeof *mp);
    if (!mp)
        return NULL;
    mp->body = json_pack("{s:s, s:[]}", "subject-type", subject_type, "event-types");
    if (!mp->body) {
        free(mp);
        return NULL;
    }
    return mp;
}

void esm_metadata_post_free(esm_metadata_post *mp)
{
    if (!mp)
        return;
    json_decref(mp->body);
    free(mp);
}

static bool settable(const esm_metadata_post *mp, const char *name)
{
    return mp && name && *name && strcmp(name, "event-types") != 0 && strcmp(name, "subject-type") != 0 &&
           strcmp(name, "metadata-key") != 0;
}

esm_code esm_metadata_post_set(esm_metadata_post *mp, const char *name, const char *value)
{
    if (!settable(mp, name) || !value)
        return ESM_ERR_INVALID;
    /* Text by default: the archive stores text, and numbers would be
     * re-rendered (20.0 vs 20) and change the metadata's identity (esmond-rest-api §6.3). */
    json_t *v = json_string(value);
    if (!v)
        return ESM_ERR_INVALID; /* not UTF-8 */
    return json_object_set_new(mp->body, name, v) == 0 ? ESM_OK : ESM_ERR_NOMEM;
}

esm_code esm_metadata_post_set_json(esm_metadata_post *mp, const char *name, const char *value_json)
{
    if (!settable(mp, name) || !value_json)
        return ESM_ERR_INVALID;
    json_t *v = json_loads(value_json, JSON_DECODE_ANY, NULL);
    /* archives keep parameters as text: null, arrays and objects have no agreed text (esmond-rest-api §6.3) */
    if (!v || json_is_null(v) || json_is_array(v) || json_is_object(v)) {
        json_decref(v);
        return ESM_ERR_INVALID;
    }
    return json_object_set_new(mp->body, name, v) == 0 ? ESM_OK : ESM_ERR_NOMEM;
}

static json_t *find_event_type(json_t *ets, const char *event_type)
{
    size_t i;
    json_t *e;
    json_array_foreach(ets, i, e) {
        if (strcmp(json_string_value(json_object_get(e, "event-type")), event_type) == 0)
            return e;
    }
    return NULL;
}

static bool valid_name(const char *s)
{
    return s && *s && strlen(s) <= 64 && strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789-_") == strlen(s);
}

esm_code esm_metadata_post_add_event_type(esm_metadata_post *mp, const char *event_type)
{
    if (!mp || !valid_name(event_type))
        return ESM_ERR_INVALID;
    json_t *ets = json_object_get(mp->body, "event-types");
    if (find_event_type(ets, event_type))
        return ESM_OK;
    json_t *e = json_pack("{s:s, s:[]}", "event-type", event_type, "summaries");
    return e && json_array_append_new(ets, e) == 0 ? ESM_OK : ESM_ERR_NOMEM;
}

esm_code esm_metadata_post_add_summary(esm_metadata_post *mp, const char *event_type, const char *summary_type,
                                       long long window)
{
    if (!mp || !summary_type || window < 0 ||
        (strcmp(summary_type, "aggregation") != 0 && strcmp(summary_type, "average") != 0 &&
         strcmp(summary_type, "statistics") != 0))
        return ESM_ERR_INVALID;
    esm_code rc = esm_metadata_post_add_event_type(mp, event_type);
    if (rc != ESM_OK)
        return rc;
    json_t *summaries = json_object_get(find_event_type(json_object_get(mp->body, "event-types"), event_type),
                                        "summaries");
    char w[24];
    snprintf(w, sizeof w, "%lld", window);
    json_t *s = json_pack("{s:s, s:s}", "summary-type", summary_type, "summary-window", w);
    return s && json_array_append_new(summaries, s) == 0 ? ESM_OK : ESM_ERR_NOMEM;
}

/* Sends a JSON body as a write and returns the response for the caller to read. */
static esm_code send_json(esm_client *c, const char *method, const char *target, const json_t *body,
                          esm__response *r)
{
    char *text = esm_json_dumps(body);
    if (!text) {
        memset(r, 0, sizeof *r);
        return ESM_ERR_NOMEM;
    }
    esm_code rc = esm__request(c, method, target, text, strlen(text), true, r);
    free(text);
    return rc;
}

/* A write's target: the client's root, "/archive/", then tail. Every write
 * of a run is built this way, as the Python client does (a server's URIs may
 * name a mount point the client does not use). malloc'ed; NULL: no memory. */
static char *archive_target(const esm_client *c, const char *tail)
{
    const char *root = esm__client_root(c);
    size_t n = strlen(root) + strlen(tail) + sizeof "/archive/";
    char *t = malloc(n);
    if (t)
        snprintf(t, n, "%s/archive/%s", root, tail);
    return t;
}

/* A write whose answer is not needed: method to the target of tail (see
 * archive_target()) with body, which is released (NULL: out of memory). */
static esm_code send_write(esm_client *c, const char *method, const char *tail, json_t *body)
{
    char *target = body ? archive_target(c, tail) : NULL;
    esm_code rc = ESM_ERR_NOMEM;
    if (target) {
        esm__response r;
        rc = send_json(c, method, target, body, &r);
        esm__response_free(&r);
    }
    free(target);
    json_decref(body);
    return rc;
}

/* The subject fields a subject type needs (esmond-rest-api §6.2); archives reject posts without them. */
static esm_code check_subject(esm_client *c, const json_t *body)
{
    static const char *const p2p[] = {"source", "destination", "measurement-agent", "tool-name", "input-source",
                                      "input-destination"};
    static const char *const ne[] = {"source", "measurement-agent", "tool-name", "input-source"};
    bool is_p2p = strcmp(json_string_value(json_object_get(body, "subject-type")), "point-to-point") == 0;
    const char *const *need = is_p2p ? p2p : ne;
    size_t n = is_p2p ? sizeof p2p / sizeof p2p[0] : sizeof ne / sizeof ne[0];
    for (size_t i = 0; i < n; i++)
        if (!json_object_get(body, need[i]))
            return esm__client_fail(c, ESM_ERR_INVALID, "metadata post: %s is required for a %s subject", need[i],
                                    is_p2p ? "point-to-point" : "network-element");
    return ESM_OK;
}

/* The members in the order the Python client's MetadataPost sends them: the
 * subject, time-duration and ip-transport-protocol, the event types, then the
 * free-form parameters as they were set. */
static json_t *in_client_order(const json_t *body)
{
    static const char *const head[] = {"subject-type", "source", "destination", "tool-name", "measurement-agent",
                                       "input-source", "input-destination", "time-duration", "ip-transport-protocol",
                                       "event-types"};
    json_t *out = json_object();
    for (size_t i = 0; out && i < sizeof head / sizeof head[0]; i++) {
        json_t *v = json_object_get(body, head[i]);
        if (v && json_object_set(out, head[i], v) != 0) {
            json_decref(out);
            return NULL;
        }
    }
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)body, key, v) {
        if (out && !json_object_get(out, key) && json_object_set(out, key, v) != 0) {
            json_decref(out);
            return NULL;
        }
    }
    return out;
}

esm_code esm_metadata_post_send(esm_client *c, const esm_metadata_post *mp, esm_metadata **out)
{
    if (!c || !mp || !out)
        return ESM_ERR_INVALID;
    *out = NULL;
    esm_code missing = check_subject(c, mp->body);
    if (missing != ESM_OK)
        return missing;
    char *target = archive_target(c, "");
    json_t *body = target ? in_client_order(mp->body) : NULL;
    if (!body) {
        free(target);
        return ESM_ERR_NOMEM;
    }
    esm__response r;
    esm_code rc = send_json(c, "POST", target, body, &r);
    json_decref(body);
    if (rc == ESM_OK) {
        json_t *obj = json_loadb(r.body ? r.body : "", r.len, 0, NULL);
        *out = obj ? esm__metadata_from_json(obj) : NULL;
        json_decref(obj);
        if (!*out)
            rc = esm__client_fail(c, ESM_ERR_PROTOCOL, "POST %s: the answer is not a metadata object", target);
    }
    esm__response_free(&r);
    free(target);
    return rc;
}

/* A metadata key as archives issue them: hex digits (the URL is built from it). */
static bool valid_key(const char *key)
{
    return key && *key && strlen(key) <= 64 && strspn(key, "0123456789abcdefABCDEF") == strlen(key);
}

esm_code esm_point_post(esm_client *c, const char *metadata_key, const char *event_type, long long ts,
                        const char *value_json)
{
    if (!c || !valid_key(metadata_key) || !valid_name(event_type) || !value_json)
        return ESM_ERR_INVALID;
    json_t *val = json_loads(value_json, JSON_DECODE_ANY, NULL);
    if (!val)
        return esm__client_fail(c, ESM_ERR_INVALID, "the value is not JSON text");
    char tail[160]; /* key and event type are at most 64 characters each */
    snprintf(tail, sizeof tail, "%s/%s/base", metadata_key, event_type);
    return send_write(c, "POST", tail, json_pack("{s:I, s:o}", "ts", (json_int_t)ts, "val", val));
}

struct esm_bulk_post {
    char *key;
    json_t *data;  /* [{"ts": ts, "val": [{"event-type": et, "val": v}, ...]}, ...] */
    json_t *by_ts; /* ts text -> the "val" array of that ts, to group points */
    size_t count;
};

esm_bulk_post *esm_bulk_post_new(const char *metadata_key)
{
    if (!valid_key(metadata_key))
        return NULL;
    esm_bulk_post *bp = calloc(1, sizeof *bp);
    if (!bp)
        return NULL;
    bp->key = strdup(metadata_key);
    bp->data = json_array();
    bp->by_ts = json_object();
    if (!bp->key || !bp->data || !bp->by_ts) {
        esm_bulk_post_free(bp);
        return NULL;
    }
    return bp;
}

void esm_bulk_post_free(esm_bulk_post *bp)
{
    if (!bp)
        return;
    free(bp->key);
    json_decref(bp->data);
    json_decref(bp->by_ts);
    free(bp);
}

esm_code esm_bulk_post_add(esm_bulk_post *bp, long long ts, const char *event_type, const char *value_json)
{
    if (!bp || !valid_name(event_type) || !value_json)
        return ESM_ERR_INVALID;
    json_t *val = json_loads(value_json, JSON_DECODE_ANY, NULL);
    if (!val)
        return ESM_ERR_INVALID;
    char key[24];
    snprintf(key, sizeof key, "%lld", ts);
    json_t *vals = json_object_get(bp->by_ts, key);
    if (!vals) {
        vals = json_array();
        json_t *item = json_pack("{s:I, s:O}", "ts", (json_int_t)ts, "val", vals);
        if (!vals || !item || json_array_append_new(bp->data, item) != 0 ||
            json_object_set_new(bp->by_ts, key, vals) != 0) {
            json_decref(val);
            return ESM_ERR_NOMEM;
        }
    }
    json_t *entry = json_pack("{s:s, s:o}", "event-type", event_type, "val", val);
    if (!entry || json_array_append_new(vals, entry) != 0)
        return ESM_ERR_NOMEM;
    bp->count++;
    return ESM_OK;
}

size_t esm_bulk_post_count(const esm_bulk_post *bp)
{
    return bp ? bp->count : 0;
}

esm_code esm_bulk_post_send(esm_client *c, const esm_bulk_post *bp)
{
    if (!c || !bp)
        return ESM_ERR_INVALID;
    char tail[72];
    snprintf(tail, sizeof tail, "%s/", bp->key);
    return send_write(c, "PUT", tail, json_pack("{s:O}", "data", bp->data));
}
