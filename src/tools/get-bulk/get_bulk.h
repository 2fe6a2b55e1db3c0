/* esmond-ps-get-bulk's parts: the series read into temporary files by the
 * readers (series.c), the files' names (names.c), and the run that lists the
 * tests, hands their series to the readers and reports them in order
 * (main.c). */
#ifndef ESM_GET_BULK_H
#define ESM_GET_BULK_H

#include <jansson.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>

#include "datarows.h"
#include "psopts.h"

/* One event type of one test, as the original read it (one paged series). */
typedef struct {
    esm_metadata *md;       /* own copy: the listing moves on meanwhile */
    const char *event_type; /* NULL: a test without event types (its line only) */
    bool first_of_test;     /* the test's line comes before it */
    size_t slot;            /* its temporary file (temp_*) */
    /* what the reader found */
    esm_code rc;
    char *detail;           /* the archive's error text */
    bool write_failed;
    int write_errno;
    size_t rows;
} series;

/* What a reader thread reads with. */
typedef struct {
    const esm_psopts *o;
    const esm_query *q; /* its time filters bound the points */
    esm_client *c;
    esm_hostnames *h;   /* NULL with --ip */
} reader;

/* Reads s into its temporary file (an esm_pool_fn: reader, series). */
void series_read(void *reader, void *s);

/* Temporary files: one per slot, in dir (absolute), removed on errors and
 * on SIGINT, SIGTERM and SIGHUP. false when out of memory or when dir is too long. */
bool temp_init(const char *dir, size_t slots);
/* Creates the slot's file; NULL with errno set. */
FILE *temp_create(size_t slot);
const char *temp_path(size_t slot);
/* Removes the slot's file, if any. */
void temp_remove(size_t slot);
/* The file is in place under its name: nothing to remove any more. */
void temp_forget(size_t slot);
void temp_free(void);

/* File names of one run: the original's SRC_DEST_EVENTTYPE_START_END.FORMAT,
 * with the metadata key added when another test of the run had that name. */
typedef struct {
    const esm_psopts *o;
    esm_hostnames *h; /* NULL with --ip */
    char start[32], end[32];
    json_t *used;
} names;

/* os.path.abspath(): joined to the working directory, normalised without
 * resolving links. NULL when out of memory. */
char *names_abspath(const char *dir);
bool names_init(names *n, const esm_psopts *o, esm_hostnames *h, long long start, long long end);
/* s's file name (not the path), in name; false when out of memory. A name
 * longer than NAME_MAX is cut short (fit_name() in names.c, README). */
bool names_of(names *n, const series *s, char name[NAME_MAX + 1]);
void names_free(names *n);

#endif
