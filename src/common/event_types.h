/* The esmond event-type catalog (esmond-rest-api §10.3) and summary types (§11.1).
 * Pure data, shared by the library, the tools and the archive. */
#ifndef ESM_COMMON_EVENT_TYPES_H
#define ESM_COMMON_EVENT_TYPES_H

#include <stdbool.h>
#include <stddef.h>

typedef enum {
    ESM_DT_INTEGER,
    ESM_DT_FLOAT,
    ESM_DT_PERCENTAGE,
    ESM_DT_HISTOGRAM,
    ESM_DT_SUBINTERVAL,
    ESM_DT_JSON
} esm_data_type;

/* Ordered as the reference processes summary rows on write (esmond-rest-api §11.3):
 * aggregation, average, base, statistics. */
typedef enum {
    ESM_SUM_AGGREGATION,
    ESM_SUM_AVERAGE,
    ESM_SUM_BASE,
    ESM_SUM_STATISTICS,
    ESM_SUM_COUNT_
} esm_summary_kind;

typedef struct {
    const char *name;
    esm_data_type data_type;
} esm_event_type_info;

/* The 49 event types of esmond-rest-api §10.3, sorted by name. */
size_t esm_event_type_count(void);
const esm_event_type_info *esm_event_type_at(size_t i);
/* NULL when the name is not in the catalog. */
const esm_event_type_info *esm_event_type_find(const char *name);

const char *esm_data_type_name(esm_data_type dt);

/* JSON names ("aggregation") and URL names ("aggregations"); -1 when unknown. */
const char *esm_summary_json_name(esm_summary_kind st);
const char *esm_summary_url_name(esm_summary_kind st);
int esm_summary_from_json_name(const char *name);
int esm_summary_from_url_name(const char *name);

/* Whether summary type st may be registered for data type dt (esmond-rest-api §11.1). */
bool esm_summary_allowed(esm_data_type dt, esm_summary_kind st);

#endif
