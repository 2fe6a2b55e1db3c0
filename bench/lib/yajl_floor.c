/* The least a yajl-based reader can spend on some pages: yajl parsing them
 * with no callbacks, nothing built and nothing written. Prints the best CPU
 * time of three passes in seconds, then the byte count
 * (bench/export_speed.sh sets it beside the curl floor).
 *
 *     esmond-bench-yajl-floor FILE     (JSON texts one after another, as curl wrote them)
 */
#include <fcntl.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <yajl/yajl_parse.h>

static double cpu_seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* The file mapped read-only (the pages are parsed where they lie); NULL when
 * it cannot be read or is empty. */
static const unsigned char *map_file(const char *path, size_t *len)
{
    struct stat st;
    void *text = MAP_FAILED;
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return NULL;
    if (fstat(fd, &st) == 0 && st.st_size > 0) {
        *len = (size_t)st.st_size;
        text = mmap(NULL, *len, PROT_READ, MAP_PRIVATE, fd, 0);
    }
    close(fd);
    return text == MAP_FAILED ? NULL : text;
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
    const unsigned char *text = map_file(argv[1], &len);
    if (!text) {
        fprintf(stderr, "%s: cannot read %s, or it is empty\n", argv[0], argv[1]);
        return 1;
    }
    double best = -1;
    for (int pass = 0; pass < 3; pass++) {
        double t0 = cpu_seconds();
        if (parse_once(text, len)) {
            fprintf(stderr, "%s: %s is not JSON texts\n", argv[0], argv[1]);
            return 1;
        }
        double t = cpu_seconds() - t0;
        if (best < 0 || t < best)
            best = t;
    }
    printf("%.4f %zu\n", best, len);
    return 0;
}
