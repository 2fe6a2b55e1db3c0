/* Query filters (the Python client's ApiFilters): an ordered list of API
 * parameter names and values. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

typedef struct {
    char *name;
    char *value;
} param;

struct esm_query {
    param *items;
    size_t n;
};

/* Names with a meaning of their own; for these, underscores are taken as dashes
 * so "tool_name" works as the Python client's attribute names did. */
static const char *const standard[] = {"source", "destination", "measurement-agent", "input-source",
                                       "input-destination", "tool-name", "subject-type", "event-type",
                                       "summary-type", "summary-window", "metadata-key", "dns-match-rule",
                                       "time", "time-start", "time-end", "time-range"};

esm_query *esm_query_new(void)
{
    return calloc(1, sizeof(esm_query));
}

void esm_query_free(esm_query *q)
{
    if (!q)
        return;
    for (size_t i = 0; i < q->n; i++) {
        free(q->items[i].name);
        free(q->items[i].value);
    }
    free(q->items);
    free(q);
}

/* The API spelling of name: a standard name with dashes, others unchanged. */
static char *api_name(const char *name)
{
    char *n = strdup(name);
    if (!n)
        return NULL;
    for (char *p = n; *p; p++)
        if (*p == '_')
            *p = '-';
    for (size_t i = 0; i < sizeof standard / sizeof standard[0]; i++)
        if (strcmp(standard[i], n) == 0)
            return n;
    strcpy(n, name); /* same length: a free-form name is kept verbatim */
    return n;
}

static param *find(const esm_query *q, const char *name)
{
    for (size_t i = 0; i < q->n; i++)
        if (strcmp(q->items[i].name, name) == 0)
            return &q->items[i];
    return NULL;
}

esm_code esm_query_set(esm_query *q, const char *name, const char *value)
{
    if (!q || !name || !*name)
        return ESM_ERR_INVALID;
    /* Paging belongs to the iterators, which must control it to read everything. */
    if (strcmp(name, "limit") == 0 || strcmp(name, "offset") == 0)
        return ESM_ERR_INVALID;
    char *n = api_name(name);
    if (!n)
        return ESM_ERR_NOMEM;
    param *p = find(q, n);
    if (!value) {
        if (p) {
            free(p->name);
            free(p->value);
            *p = q->items[--q->n];
        }
        free(n);
        return ESM_OK;
    }
    char *v = strdup(value);
    if (!v) {
        free(n);
        return ESM_ERR_NOMEM;
    }
    if (p) {
        free(n);
        free(p->value);
        p->value = v;
        return ESM_OK;
    }
    param *items = realloc(q->items, (q->n + 1) * sizeof *items);
    if (!items) {
        free(n);
        free(v);
        return ESM_ERR_NOMEM;
    }
    q->items = items;
    q->items[q->n++] = (param){n, v};
    return ESM_OK;
}

esm_code esm_query_set_time(esm_query *q, const char *name, long long seconds)
{
    if (!name || (strcmp(name, "time") != 0 && strcmp(name, "time-start") != 0 && strcmp(name, "time-end") != 0 &&
                  strcmp(name, "time-range") != 0))
        return ESM_ERR_INVALID;
    char text[24];
    snprintf(text, sizeof text, "%lld", seconds);
    return esm_query_set(q, name, text);
}

const char *esm_query_get(const esm_query *q, const char *name)
{
    if (!q || !name)
        return NULL;
    char *n = api_name(name);
    param *p = n ? find(q, n) : NULL;
    free(n);
    return p ? p->value : NULL;
}

static void put_escaped(char **out, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || strchr("-._~", c)) {
            *(*out)++ = (char)c;
        } else {
            *(*out)++ = '%';
            *(*out)++ = hex[c >> 4];
            *(*out)++ = hex[c & 15];
        }
    }
}

char *esm__query_string(const esm_query *q)
{
    size_t size = 1;
    for (size_t i = 0; q && i < q->n; i++)
        size += 3 * (strlen(q->items[i].name) + strlen(q->items[i].value)) + 2;
    char *text = malloc(size), *out = text;
    if (!text)
        return NULL;
    for (size_t i = 0; q && i < q->n; i++) {
        if (i)
            *out++ = '&';
        put_escaped(&out, q->items[i].name);
        *out++ = '=';
        put_escaped(&out, q->items[i].value);
    }
    *out = '\0';
    return text;
}
