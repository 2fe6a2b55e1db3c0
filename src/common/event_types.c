#include "event_types.h"

#include <stdlib.h>
#include <string.h>

static const esm_event_type_info catalog[] = {
    {"failures", ESM_DT_JSON},
    {"histogram-owdelay", ESM_DT_HISTOGRAM},
    {"histogram-rtt", ESM_DT_HISTOGRAM},
    {"histogram-ttl", ESM_DT_HISTOGRAM},
    {"histogram-ttl-reverse", ESM_DT_HISTOGRAM},
    {"iostat", ESM_DT_JSON},
    {"mpstat", ESM_DT_JSON},
    {"ntp-delay", ESM_DT_FLOAT},
    {"ntp-dispersion", ESM_DT_FLOAT},
    {"ntp-jitter", ESM_DT_FLOAT},
    {"ntp-offset", ESM_DT_FLOAT},
    {"ntp-polling-interval", ESM_DT_FLOAT},
    {"ntp-reach", ESM_DT_INTEGER},
    {"ntp-stratum", ESM_DT_INTEGER},
    {"ntp-wander", ESM_DT_FLOAT},
    {"packet-count-lost", ESM_DT_INTEGER},
    {"packet-count-lost-bidir", ESM_DT_INTEGER},
    {"packet-count-sent", ESM_DT_INTEGER},
    {"packet-duplicates", ESM_DT_INTEGER},
    {"packet-duplicates-bidir", ESM_DT_INTEGER},
    {"packet-loss-rate", ESM_DT_PERCENTAGE},
    {"packet-loss-rate-bidir", ESM_DT_PERCENTAGE},
    {"packet-reorders", ESM_DT_INTEGER},
    {"packet-reorders-bidir", ESM_DT_INTEGER},
    {"packet-retransmits", ESM_DT_INTEGER},
    {"packet-retransmits-subintervals", ESM_DT_SUBINTERVAL},
    {"packet-rtt", ESM_DT_INTEGER},
    {"packet-rtt-subintervals", ESM_DT_SUBINTERVAL},
    {"packet-trace", ESM_DT_JSON},
    {"packet-trace-multi", ESM_DT_JSON},
    {"path-mtu", ESM_DT_INTEGER},
    {"pscheduler-raw", ESM_DT_JSON},
    {"pscheduler-run-href", ESM_DT_JSON},
    {"rusage", ESM_DT_JSON},
    {"streams-packet-retransmits", ESM_DT_JSON},
    {"streams-packet-retransmits-subintervals", ESM_DT_JSON},
    {"streams-packet-rtt", ESM_DT_JSON},
    {"streams-packet-rtt-subintervals", ESM_DT_JSON},
    {"streams-tcp-windowsize", ESM_DT_JSON},
    {"streams-tcp-windowsize-subintervals", ESM_DT_JSON},
    {"streams-tcpinfo", ESM_DT_JSON},
    {"streams-throughput", ESM_DT_JSON},
    {"streams-throughput-subintervals", ESM_DT_JSON},
    {"tcp-windowsize", ESM_DT_INTEGER},
    {"tcp-windowsize-subintervals", ESM_DT_SUBINTERVAL},
    {"tcpinfo", ESM_DT_JSON},
    {"throughput", ESM_DT_INTEGER},
    {"throughput-subintervals", ESM_DT_SUBINTERVAL},
    {"time-error-estimates", ESM_DT_FLOAT},
};

#define CATALOG_LEN (sizeof catalog / sizeof catalog[0])

size_t esm_event_type_count(void) { return CATALOG_LEN; }

const esm_event_type_info *esm_event_type_at(size_t i)
{
    return i < CATALOG_LEN ? &catalog[i] : NULL;
}

static int cmp_name(const void *key, const void *elem)
{
    return strcmp(key, ((const esm_event_type_info *)elem)->name);
}

const esm_event_type_info *esm_event_type_find(const char *name)
{
    if (!name)
        return NULL;
    return bsearch(name, catalog, CATALOG_LEN, sizeof catalog[0], cmp_name);
}

const char *esm_data_type_name(esm_data_type dt)
{
    static const char *const names[] = {"integer", "float", "percentage", "histogram", "subinterval", "json"};
    return (unsigned)dt < sizeof names / sizeof names[0] ? names[dt] : "unknown";
}

static const char *const json_names[ESM_SUM_COUNT_] = {"aggregation", "average", "base", "statistics"};
static const char *const url_names[ESM_SUM_COUNT_] = {"aggregations", "averages", "base", "statistics"};

const char *esm_summary_json_name(esm_summary_kind st)
{
    return (unsigned)st < ESM_SUM_COUNT_ ? json_names[st] : NULL;
}

const char *esm_summary_url_name(esm_summary_kind st)
{
    return (unsigned)st < ESM_SUM_COUNT_ ? url_names[st] : NULL;
}

static int find_name(const char *const *names, const char *name)
{
    for (int i = 0; name && i < ESM_SUM_COUNT_; i++)
        if (strcmp(names[i], name) == 0)
            return i;
    return -1;
}

int esm_summary_from_json_name(const char *name) { return find_name(json_names, name); }
int esm_summary_from_url_name(const char *name) { return find_name(url_names, name); }

bool esm_summary_allowed(esm_data_type dt, esm_summary_kind st)
{
    switch (st) {
    case ESM_SUM_BASE:
        return true;
    case ESM_SUM_AGGREGATION:
        return dt == ESM_DT_INTEGER || dt == ESM_DT_FLOAT || dt == ESM_DT_PERCENTAGE || dt == ESM_DT_HISTOGRAM;
    case ESM_SUM_AVERAGE:
        return dt == ESM_DT_INTEGER || dt == ESM_DT_FLOAT;
    case ESM_SUM_STATISTICS:
        return dt == ESM_DT_HISTOGRAM;
    default:
        return false;
    }
}
