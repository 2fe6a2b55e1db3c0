/* --out DIR: one NDJSON file per archive and day, DIR/NAME/YYYY-MM-DD.ndjson
 * (the UTC day the archive's harvest started), appended. The checkpoint
 * names the file and the length written through; what lies beyond it is a
 * torn tail of a run that stopped before its checkpoint, cut off here before
 * appending, so every record is in the files exactly once. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "durable_file.h"
#include "harvest.h"

typedef struct {
    hv_sink base;
    FILE *f;
    char path[4096];
} file_sink;

static bool file_write(hv_sink *s, const char *rec, size_t len, const char *routing_key)
{
    (void)routing_key;
    file_sink *fs = (file_sink *)s;
    if (fwrite(rec, 1, len, fs->f) == len && putc('\n', fs->f) != EOF)
        return true;
    snprintf(s->why, sizeof s->why, "cannot write %.400s: %s", fs->path, strerror(errno));
    return false;
}

static bool file_commit(hv_sink *s, hv_state *st)
{
    file_sink *fs = (file_sink *)s;
    off_t len;
    if (fflush(fs->f) != 0 || fdatasync(fileno(fs->f)) != 0 || (len = ftello(fs->f)) < 0) {
        snprintf(s->why, sizeof s->why, "cannot write %.400s: %s", fs->path, strerror(errno));
        return false;
    }
    st->file_len = (long long)len;
    return true;
}

static void file_close(hv_sink *s)
{
    file_sink *fs = (file_sink *)s;
    if (fs->f)
        fclose(fs->f);
    free(fs);
}

static const hv_sink_ops file_ops = {file_write, file_commit, file_close};

static hv_sink *failed(file_sink *fs, char *why, size_t cap, const char *what, const char *path)
{
    snprintf(why, cap, "%s %s: %s", what, path, strerror(errno));
    file_close(&fs->base);
    return NULL;
}

hv_sink *hv_sink_file(const char *dir, const char *name, hv_state *st, char *why, size_t cap)
{
    file_sink *fs = calloc(1, sizeof *fs);
    if (!fs) {
        snprintf(why, cap, "out of memory");
        return NULL;
    }
    fs->base.ops = &file_ops;
    char sub[3900];
    snprintf(sub, sizeof sub, "%.3700s/%s", dir, name);
    if ((mkdir(dir, 0777) != 0 && errno != EEXIST) || (mkdir(sub, 0777) != 0 && errno != EEXIST))
        return failed(fs, why, cap, "cannot create", sub);
    /* The recorded file first: cut back to what the checkpoint covers. */
    if (st->file) {
        snprintf(fs->path, sizeof fs->path, "%s/%s", sub, st->file);
        struct stat sb;
        if (stat(fs->path, &sb) == 0 && sb.st_size > st->file_len && truncate(fs->path, st->file_len) != 0)
            return failed(fs, why, cap, "cannot cut the torn tail of", fs->path);
    }
    char today[32];
    time_t now = time(NULL);
    struct tm tm;
    strftime(today, sizeof today, "%Y-%m-%d.ndjson", gmtime_r(&now, &tm));
    bool same = st->file && !strcmp(st->file, today);
    snprintf(fs->path, sizeof fs->path, "%s/%s", sub, today);
    if (!(fs->f = fopen(fs->path, "a")))
        return failed(fs, why, cap, "cannot open", fs->path);
    if (!same) {
        /* A new file: the checkpoint names it (at its length now) before a
         * record goes in, so that a crash never leaves records it does not cover. */
        char *file = strdup(today);
        if (!file || esm_sync_dir(sub) != 0) {
            free(file);
            return failed(fs, why, cap, "cannot create", fs->path);
        }
        free(st->file);
        st->file = file;
        fseeko(fs->f, 0, SEEK_END);
        st->file_len = (long long)ftello(fs->f);
        if (!hv_state_save(st, why, cap)) {
            file_close(&fs->base);
            return NULL;
        }
    }
    return &fs->base;
}
