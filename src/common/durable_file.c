#include "durable_file.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int esm_sync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    int rc = fsync(fd) == 0 || errno == EINVAL ? 0 : -1;
    int saved = errno;
    close(fd);
    errno = saved;
    return rc;
}

static int write_all(int fd, const char *s, size_t n)
{
    while (n) {
        ssize_t w = write(fd, s, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0)
            return -1;
        if (w == 0) {
            errno = EIO;
            return -1;
        }
        s += w;
        n -= (size_t)w;
    }
    return 0;
}

static int fail(char *why, size_t cap, const char *what, const char *path)
{
    snprintf(why, cap, "cannot %s %s: %s", what, path, strerror(errno));
    return -1;
}

int esm_durable_replace(const char *path, const char *data, size_t len, mode_t mode, char *why, size_t cap)
{
    size_t n = strlen(path) + sizeof ".XXXXXX";
    char *tmp = malloc(n);
    char *copy = strdup(path);
    if (!tmp || !copy) {
        free(tmp);
        free(copy);
        snprintf(why, cap, "cannot write %s: out of memory", path);
        return -1;
    }
    snprintf(tmp, n, "%s.XXXXXX", path);
    int rc = -1;
    int fd = mkstemp(tmp);
    if (fd >= 0)
        fcntl(fd, F_SETFD, FD_CLOEXEC);
    if (fd < 0) {
        fail(why, cap, "create", tmp);
    } else if (write_all(fd, data, len) != 0 || fchmod(fd, mode) != 0 || fsync(fd) != 0) {
        fail(why, cap, "write", tmp);
        close(fd);
    } else if (close(fd) != 0) {
        fail(why, cap, "write", tmp);
    } else if (rename(tmp, path) != 0) {
        snprintf(why, cap, "cannot rename %s to %s: %s", tmp, path, strerror(errno));
    } else if (esm_sync_dir(dirname(copy)) != 0) {
        fail(why, cap, "flush the directory of", path);
    } else {
        rc = 0;
    }
    if (rc != 0 && fd >= 0)
        unlink(tmp); /* after a rename it names nothing */
    free(tmp);
    free(copy);
    return rc;
}
