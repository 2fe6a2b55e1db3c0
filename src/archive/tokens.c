/* Token sets of esmond-ps-archive (see tokens.h). */
#include "tokens.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static bool blank(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] != ' ' && s[i] != '\t')
            return false;
    return true;
}

/* Visible ASCII and UTF-8 bytes only: a space or a control byte cannot be
 * sent in an Authorization header's credentials. */
static bool sendable(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] <= ' ' || s[i] == 0x7f)
            return false;
    return true;
}

int esa_tokens_add(esa_tokens *t, const char *pair, char *err, size_t cap)
{
    const char *colon = strchr(pair, ':');
    if (!colon) {
        snprintf(err, cap, "a token wants USER:KEY (the value is not shown: it may be a secret)");
        return -1;
    }
    size_t ulen = (size_t)(colon - pair), klen = strlen(colon + 1);
    const char *why = blank(pair, ulen)                                     ? "the user is blank"
                      : blank(colon + 1, klen)                              ? "the key is blank"
                      : !sendable(pair, ulen) || !sendable(colon + 1, klen) ? "spaces or control bytes in USER:KEY"
                                                                            : NULL;
    if (why) {
        snprintf(err, cap, "a token wants USER:KEY, both not blank: %s (the value is not shown)", why);
        return -1;
    }
    esa_token *grown = realloc(t->items, (t->n + 1) * sizeof *grown);
    if (!grown) {
        snprintf(err, cap, "out of memory");
        return -1;
    }
    t->items = grown;
    char *user = strndup(pair, ulen), *key = strdup(colon + 1);
    if (!user || !key) {
        free(user);
        free(key);
        snprintf(err, cap, "out of memory");
        return -1;
    }
    t->items[t->n++] = (esa_token){user, key};
    return 0;
}

int esa_tokens_add_file(esa_tokens *t, const char *path, char *err, size_t cap)
{
    FILE *f = fopen(path, "r");
    struct stat sb;
    if (!f || fstat(fileno(f), &sb) != 0) {
        snprintf(err, cap, "cannot read --token-file %s: %s", path, strerror(errno));
        if (f)
            fclose(f);
        return -1;
    }
    if (sb.st_mode & 077)
        fprintf(stderr, "esmond-ps-archive: warning: --token-file %s is open to group or others (mode %04o); "
                        "its keys should be private: chmod 600 it\n", path, (unsigned)(sb.st_mode & 07777));
    char line[1024];
    int rc = 0, lineno = 0;
    while (rc == 0 && fgets(line, sizeof line, f)) {
        lineno++;
        size_t n = strcspn(line, "\r\n");
        if (!line[n] && !feof(f)) {
            snprintf(err, cap, "%s line %d: longer than %zu bytes", path, lineno, sizeof line - 2);
            rc = -1;
            break;
        }
        while (n && (line[n - 1] == ' ' || line[n - 1] == '\t'))
            n--;
        line[n] = '\0';
        const char *p = line + strspn(line, " \t");
        if (*p == '\0' || *p == '#')
            continue;
        char why[256];
        if (esa_tokens_add(t, p, why, sizeof why) != 0) {
            /* the line holds a secret: name the line, never print it */
            snprintf(err, cap, "%s line %d: %s", path, lineno, why);
            rc = -1;
        }
    }
    if (rc == 0 && ferror(f)) {
        snprintf(err, cap, "cannot read --token-file %s: %s", path, strerror(errno));
        rc = -1;
    }
    fclose(f);
    return rc;
}

void esa_tokens_free(esa_tokens *t)
{
    for (size_t i = 0; i < t->n; i++) {
        free(t->items[i].user);
        free(t->items[i].key);
    }
    free(t->items);
    t->items = NULL;
    t->n = 0;
}
