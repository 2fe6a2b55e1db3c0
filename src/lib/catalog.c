/* The public face of the shared event-type catalog (src/common/event_types.c). */
#include "event_types.h"
#include "internal.h"

size_t esm_catalog_count(void)
{
    return esm_event_type_count();
}

const char *esm_catalog_name(size_t i)
{
    const esm_event_type_info *info = esm_event_type_at(i);
    return info ? info->name : NULL;
}

esm_data_type_t esm_catalog_data_type(const char *event_type)
{
    const esm_event_type_info *info = esm_event_type_find(event_type);
    return info ? (esm_data_type_t)info->data_type : ESM_TYPE_UNKNOWN;
}
