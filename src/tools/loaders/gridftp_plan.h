/* What esmond-ps-load-gridftp posts for one transfer record
 * (as the original loader posted it): the metadata object, then either a bulk
 * PUT of the record's values or one `failures` point. Pure: addresses come
 * from a caller's lookup function; nothing here talks to an archive.
 *
 * Differences from the original, each deliberate:
 * - values missing from a record are left out of the metadata (the original
 *   sent null, which archives refuse);
 * - JSON records: source, destination and measurement-agent are addresses
 *   (host and dest looked up), as archives require, where the original sent
 *   the names; iostat, mpstat, rusage and streams-tcpinfo are registered as
 *   event types, so that their values are stored instead of dropped;
 *   gridftp-file works (-F crashed the original);
 * - the host's address is looked up in the family of DEST (an IPv4 transfer
 *   gets the host's IPv4 address), where the original took the first address
 *   of any family for IPv4. */
#ifndef ESM_GRIDFTP_PLAN_H
#define ESM_GRIDFTP_PLAN_H

#include <stdbool.h>
#include <stddef.h>

#include "gridftp_log.h"

/* A name with a JSON text value. */
typedef struct {
    const char *name;
    char *json;
} esm_gftp_member;

#define ESM_GFTP_MAX_MEMBERS 16
#define ESM_GFTP_MAX_VALUES 6

typedef struct {
    esm_gftp_member md[ESM_GFTP_MAX_MEMBERS]; /* metadata members in the original's order */
    size_t n_md;
    const char *const *event_types;            /* registered event types */
    size_t n_event_types;
    long long ts;                              /* START (epoch seconds, fraction dropped) */
    esm_gftp_member values[ESM_GFTP_MAX_VALUES]; /* the bulk: event type and value */
    size_t n_values;
    char *failure;                             /* JSON value of the failures point, or NULL (then values) */
} esm_gftp_plan;

/* Which sensitive fields go to the archive (-F, -N, -V). */
typedef struct {
    bool file, user, volume;
} esm_gftp_privacy;

/* The first address of host in family (AF_INET, AF_INET6), or NULL with *why. */
typedef const char *(*esm_gftp_lookup_fn)(void *userdata, const char *host, int family, const char **why);

/* Fill p for a RETR/STOR record. ESM_LD_OK, or why no metadata can be made:
 * ESM_LD_EMISSING (no HOST or DEST), ESM_LD_EVALUE (a DEST that is no
 * address, a host without an address of DEST's family), ESM_LD_ENOMEM; err
 * says which. */
esm_ld_code esm_gftp_plan_netlogger(const esm_gftp_record *r, esm_gftp_privacy priv, esm_gftp_lookup_fn lookup,
                                    void *userdata, esm_gftp_plan *p, esm_ld_error *err);
/* The same for a JSON (-J) Transfer-End record with cmd_type RETR or STOR. */
esm_ld_code esm_gftp_plan_json(const esm_gftp_json_record *r, esm_gftp_privacy priv, esm_gftp_lookup_fn lookup,
                               void *userdata, esm_gftp_plan *p, esm_ld_error *err);
void esm_gftp_plan_clear(esm_gftp_plan *p);

#endif
