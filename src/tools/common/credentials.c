/* Archive URL and credentials from the environment and key files (see
 * credentials.h). */
#include "credentials.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_KEY_FILE 65536 /* a key file is a line or a few; refuse anything much bigger */

const char *esm_archive_url(const char *given, const char *fallback)
{
    if (given)
        return given;
    const char *env = getenv("ESMOND_URL");
    return env && *env ? env : fallback;
}

static const char *env_value(const char *name)
{
    const char *v = getenv(name);
    return v && *v ? v : NULL;
}

static char *trim(char *s)
{
    s += strspn(s, " \t");
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
        s[--n] = '\0';
    return s;
}

/* The file's first usable line, in static storage (one key file a run). */
static int read_key_file(const char *path, const char **user, const char **key, char *err, size_t cap)
{
    static char text[MAX_KEY_FILE + 1];
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    struct stat sb;
    if (fd < 0 || fstat(fd, &sb) != 0) {
        snprintf(err, cap, "cannot read --key-file %s: %s", path, strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    const char *why = !S_ISREG(sb.st_mode)        ? "is not a regular file"
                      : (sb.st_mode & 077) != 0   ? "is open to group or others"
                      : sb.st_size > MAX_KEY_FILE ? "is too big for a key file"
                                                  : NULL;
    if (why) {
        snprintf(err, cap, "--key-file %s %s (mode %04o)%s", path, why, (unsigned)(sb.st_mode & 07777),
                 (sb.st_mode & 077) && S_ISREG(sb.st_mode) ? ": keys must be private, chmod 600 it" : "");
        close(fd);
        return -1;
    }
    size_t len = 0;
    ssize_t got;
    while (len < MAX_KEY_FILE && (got = read(fd, text + len, MAX_KEY_FILE - len)) != 0) {
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0) {
            snprintf(err, cap, "cannot read --key-file %s: %s", path, strerror(errno));
            close(fd);
            return -1;
        }
        len += (size_t)got;
    }
    close(fd);
    text[len] = '\0';
    char *save = NULL;
    for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        line = trim(line);
        if (!*line || *line == '#')
            continue;
        char *colon = strchr(line, ':');
        if (colon) {
            *colon = '\0';
            *user = trim(line);
            *key = trim(colon + 1);
        } else {
            *key = line;
        }
        if (!**key || (colon && !**user)) {
            /* the line holds a secret: say what is wrong, never what it says */
            snprintf(err, cap, "--key-file %s: the key line wants KEY or USER:KEY, both not empty", path);
            return -1;
        }
        return 0;
    }
    snprintf(err, cap, "--key-file %s holds no key (a line KEY or USER:KEY)", path);
    return -1;
}

int esm_credentials(const char **user, const char **key, const char *key_file, char *err, size_t cap)
{
    if (*key && key_file) {
        snprintf(err, cap, "give the key once: a key option or --key-file, not both");
        return -1;
    }
    if (key_file) {
        const char *file_user = NULL;
        if (read_key_file(key_file, &file_user, key, err, cap) != 0)
            return -1;
        if (!*user)
            *user = file_user;
    }
    if (!*key)
        *key = env_value("ESMOND_KEY");
    if (!*user)
        *user = env_value("ESMOND_USER");
    return 0;
}
