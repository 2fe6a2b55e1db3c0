/* Registers a throughput test (idempotent) and stores one result, as a
 * measurement tool would after each run.
 *
 *     ESMOND_TOKEN=KEY post_throughput URL SOURCE DEST BITS_PER_SECOND [TS]
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <esmond/esmond.h>

int main(int argc, char **argv)
{
    const char *token = getenv("ESMOND_TOKEN"); /* from the environment: keys stay out of `ps` */
    if (argc < 5 || argc > 6 || !token) {
        fprintf(stderr, "usage: ESMOND_TOKEN=KEY %s URL SOURCE DEST BITS_PER_SECOND [TS]\n", argv[0]);
        return 2;
    }
    esm_global_init();
    esm_client *c = esm_client_new(argv[1]);
    esm_metadata_post *mp = esm_metadata_post_new("point-to-point");
    if (!c || !mp)
        return 2;
    esm_client_set_token(c, token);
    const char *fields[][2] = {{"source", argv[2]},          {"destination", argv[3]},
                               {"measurement-agent", argv[2]}, {"input-source", argv[2]},
                               {"input-destination", argv[3]}, {"tool-name", "example/post_throughput"},
                               {"time-duration", "10"}};
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
        esm_metadata_post_set(mp, fields[i][0], fields[i][1]);
    esm_metadata_post_add_summary(mp, "throughput", "average", 86400);
    esm_metadata *md = NULL;
    esm_code rc = esm_metadata_post_send(c, mp, &md);
    if (rc == ESM_OK) {
        long long ts = argc == 6 ? atoll(argv[5]) : (long long)time(NULL);
        rc = esm_point_post(c, esm_metadata_key(md), "throughput", ts, argv[4]);
        if (rc == ESM_ERR_CONFLICT) /* a re-run after a timeout: the archive has it already */
            rc = ESM_OK;
        if (rc == ESM_OK)
            printf("stored %s at %lld in %s\n", argv[4], ts, esm_metadata_key(md));
    }
    if (rc != ESM_OK)
        fprintf(stderr, "%s: %s: %s\n", argv[0], esm_strerror(rc), esm_client_error(c));
    esm_metadata_free(md);
    esm_metadata_post_free(mp);
    esm_client_free(c);
    esm_global_cleanup();
    return rc == ESM_OK ? 0 : 1;
}
