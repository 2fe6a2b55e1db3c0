/* Lists the tests (metadata) of an archive matching optional filters.
 *
 *     list_tests URL [NAME=VALUE ...]
 *     list_tests http://127.0.0.1:8080 tool-name=pscheduler/iperf3
 */
#include <stdio.h>
#include <string.h>

#include <esmond/esmond.h>

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s URL [NAME=VALUE ...]\n", argv[0]);
        return 2;
    }
    esm_global_init();
    esm_client *c = esm_client_new(argv[1]);
    esm_query *q = esm_query_new();
    if (!c || !q) {
        fprintf(stderr, "%s: bad URL or out of memory\n", argv[0]);
        return 2;
    }
    for (int i = 2; i < argc; i++) {
        char *eq = strchr(argv[i], '=');
        if (!eq) {
            fprintf(stderr, "%s: filters are NAME=VALUE, got '%s'\n", argv[0], argv[i]);
            return 2;
        }
        *eq = '\0';
        if (esm_query_set(q, argv[i], eq + 1) != ESM_OK) {
            fprintf(stderr, "%s: cannot filter on '%s'\n", argv[0], argv[i]);
            return 2;
        }
    }
    esm_metadata_iter *it;
    const esm_metadata *md;
    esm_code rc = esm_metadata_iter_new(c, q, &it);
    while (rc == ESM_OK && (rc = esm_metadata_iter_next(it, &md)) == ESM_OK) {
        printf("%s  %s  %s -> %s\n", esm_metadata_key(md), esm_metadata_get(md, "tool-name"),
               esm_metadata_get(md, "source"),
               esm_metadata_get(md, "destination") ? esm_metadata_get(md, "destination") : "-");
        for (size_t i = 0; i < esm_metadata_event_type_count(md); i++)
            printf("    %s\n", esm_event_type_name(esm_metadata_event_type_at(md, i)));
    }
    if (rc != ESM_DONE)
        fprintf(stderr, "%s: %s: %s\n", argv[0], esm_strerror(rc), esm_client_error(c));
    esm_metadata_iter_free(it);
    esm_query_free(q);
    esm_client_free(c);
    esm_global_cleanup();
    return rc == ESM_DONE ? 0 : 1;
}
