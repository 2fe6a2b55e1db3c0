/* esmond-ps-get-endpoints: the tests an archive holds, one row per metadata
 * object with its event types. A drop-in for the esmond-client tool. */
#include "common/mdtool.h"

static const char *const columns[] = {"source", "destination", "measurement_agent", "tool_name", "event_type"};

static json_t *endpoint_row(const esm_psopts *o, const esm_metadata *md, json_t *obj)
{
    (void)o;
    json_t *types = json_array();
    for (size_t i = 0; types && i < esm_metadata_event_type_count(md); i++)
        json_array_append_new(types, json_string(esm_event_type_name(esm_metadata_event_type_at(md, i))));
    /* Python's dict keeps this order in json output */
    return json_pack("{s:O?, s:O?, s:O?, s:O?, s:o*}", "source", json_object_get(obj, "source"), "destination",
                     json_object_get(obj, "destination"), "measurement_agent",
                     json_object_get(obj, "measurement-agent"), "tool_name", json_object_get(obj, "tool-name"),
                     "event_type", types);
}

int main(int argc, char **argv)
{
    const esm_mdtool tool = {columns, sizeof columns / sizeof columns[0], endpoint_row};
    return esm_mdtool_main(&tool, argc, argv);
}
