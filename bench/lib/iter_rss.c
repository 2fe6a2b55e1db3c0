/* Iterates a whole series through libesmond and reports the point count and
 * the process's peak resident memory, to show that memory stays flat
 * whatever the series length (bench/iter_memory.sh).
 *
 *     esmond-bench-iter-rss URL URI
 */
#include <stdio.h>
#include <sys/resource.h>

#include <esmond/esmond.h>

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: %s URL URI\n", argv[0]);
        return 2;
    }
    esm_global_init();
    esm_client *c = esm_client_new(argv[1]);
    esm_query *q = esm_query_new();
    esm_query_set_time(q, "time-start", 0);
    esm_data_iter *it;
    const esm_point *pt;
    long long n = 0;
    double sum = 0, v;
    esm_code rc = c ? esm_data_iter_new(c, argv[2], q, 0, &it) : ESM_ERR_INVALID;
    while (rc == ESM_OK && (rc = esm_data_iter_next(it, &pt)) == ESM_OK) {
        if (esm_value_number(pt->value, &v) == ESM_OK)
            sum += v; /* touch every value, as a real reader would */
        n++;
    }
    if (rc != ESM_DONE) {
        fprintf(stderr, "%s: %s: %s\n", argv[0], esm_strerror(rc), c ? esm_client_error(c) : "");
        return 1;
    }
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("points %lld peak_rss_kb %ld checksum %.0f\n", n, ru.ru_maxrss, sum);
    esm_data_iter_free(it);
    esm_query_free(q);
    esm_client_free(c);
    esm_global_cleanup();
    return 0;
}
