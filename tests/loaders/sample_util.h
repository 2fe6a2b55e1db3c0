/* Helpers shared by the loader parser tests: files, expected/ JSON, numbers. */
#ifndef ESM_TEST_SAMPLE_UTIL_H
#define ESM_TEST_SAMPLE_UTIL_H

#include <dirent.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loader_common.h"

#define SAMPLES ESM_TEST_DATA "/samples"

static inline char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 65536, n = 0, r;
    char *b = malloc(cap + 1);
    while (b && (r = fread(b + n, 1, cap - n, f)) > 0) {
        n += r;
        if (n == cap) {
            char *nb = realloc(b, cap * 2 + 1);
            if (!nb) {
                free(b);
                b = NULL;
                break;
            }
            b = nb;
            cap *= 2;
        }
    }
    fclose(f);
    if (b)
        b[n] = '\0';
    *len = n;
    return b;
}

/* Sorted list of names in dir ending with suffix (NULL-terminated). */
static int cmpstr(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}
static inline char **list_dir(const char *dir, const char *suffix, size_t *count)
{
    DIR *d = opendir(dir);
    char **v = NULL;
    size_t n = 0;
    struct dirent *e;
    while (d && (e = readdir(d))) {
        size_t l = strlen(e->d_name), sl = strlen(suffix);
        if (l < sl || strcmp(e->d_name + l - sl, suffix) != 0)
            continue;
        v = realloc(v, (n + 2) * sizeof *v);
        v[n++] = strdup(e->d_name);
    }
    if (d)
        closedir(d);
    if (v) {
        qsort(v, n, sizeof *v, cmpstr);
        v[n] = NULL;
    }
    *count = n;
    return v;
}
static inline void free_list(char **v)
{
    for (size_t i = 0; v && v[i]; i++)
        free(v[i]);
    free(v);
}

static inline json_t *num_json(const esm_num *n)
{
    switch (n->kind) {
    case ESM_NUM_INT: return json_integer(n->i);
    case ESM_NUM_REAL: return json_real(n->d);
    default: return json_null();
    }
}

#endif
