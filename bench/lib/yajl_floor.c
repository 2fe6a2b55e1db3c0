/* The least a yajl-based reader can spend on some pages: yajl parsing them
 * with no callbacks, nothing built and nothing written. Prints the best CPU
 * time of three passes in seconds, then the byte count
 * (bench/export_speed.sh sets it beside the curl floor).
 *
 *     esmond-bench-yajl-floor FILE     (JSON texts one after another, as curl wrote them)
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <yajl/yajl_parse.h>

static double cpu_seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static unsigned char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    unsigned char *buf = NULL;
    size_t cap = 0, n = 0, got;
    if (!f)
        return NULL;
    do {
        if (n == cap) {
            unsigned char *grown = realloc(buf, cap = cap ? cap * 2 : 1 << 20);
            if (!grown) {
                free(buf);
                fclose(f);
                return NULL;
            }
            buf = grown;
        }
        got = fread(buf + n, 1, cap - n, f);
        n += got;
    } while (got > 0);
    fclose(f);
    *len = n;
    return buf;
}

/* One pass; 0 when yajl took the whole text. */
static int parse_once(const unsigned char *text, size_t len)
{
    static const yajl_callbacks none;
    yajl_handle h = yajl_alloc(&none, NULL, NULL);
    int bad = !h;
    if (h) {
        yajl_config(h, yajl_allow_multiple_values, 1);
        bad = yajl_parse(h, text, len) != yajl_status_ok || yajl_complete_parse(h) != yajl_status_ok;
        yajl_free(h);
    }
    return bad;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s FILE\n", argv[0]);
        return 2;
    }
    size_t len;
    unsigned char *text = slurp(argv[1], &len);
    if (!text) {
        fprintf(stderr, "%s: cannot read %s\n", argv[0], argv[1]);
        return 1;
    }
    double best = -1;
    for (int pass = 0; pass < 3; pass++) {
        double t0 = cpu_seconds();
        if (parse_once(text, len)) {
            fprintf(stderr, "%s: %s is not JSON texts\n", argv[0], argv[1]);
            free(text);
            return 1;
        }
        double t = cpu_seconds() - t0;
        if (best < 0 || t < best)
            best = t;
    }
    printf("%.4f %zu\n", best, len);
    free(text);
    return 0;
}
