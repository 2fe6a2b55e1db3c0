/* Prints the points of one series (a base-uri or summary uri from the
 * metadata) between two times, one "ts value-as-JSON" line each.
 *
 *     read_series URL URI [START [END]]
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <esmond/esmond.h>

int main(int argc, char **argv)
{
    if (argc < 3 || argc > 5) {
        fprintf(stderr, "usage: %s URL URI [START [END]]\n", argv[0]);
        return 2;
    }
    esm_global_init();
    esm_client *c = esm_client_new(argv[1]);
    esm_query *q = esm_query_new();
    long long t;
    for (int i = 3; i < argc; i++) {
        /* dates as the esmond tools take them, or epoch seconds */
        if (esm_parse_time(argv[i], (long long)time(NULL), &t) != ESM_OK) {
            fprintf(stderr, "%s: cannot read the time '%s'\n", argv[0], argv[i]);
            return 2;
        }
        esm_query_set_time(q, i == 3 ? "time-start" : "time-end", t);
    }
    esm_data_iter *it;
    const esm_point *pt;
    esm_code rc = c ? esm_data_iter_new(c, argv[2], q, 0, &it) : ESM_ERR_INVALID;
    while (rc == ESM_OK && (rc = esm_data_iter_next(it, &pt)) == ESM_OK)
        printf("%lld %s\n", pt->ts, esm_value_json(pt->value));
    if (rc != ESM_DONE)
        fprintf(stderr, "%s: %s: %s\n", argv[0], esm_strerror(rc), c ? esm_client_error(c) : argv[1]);
    if (c)
        esm_data_iter_free(it);
    esm_query_free(q);
    esm_client_free(c);
    esm_global_cleanup();
    return rc == ESM_DONE ? 0 : 1;
}
