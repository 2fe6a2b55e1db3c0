/* optparse-compatible command line reading (see optparse.h). */
#include "optparse.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <strings.h>
#include <string.h>

#include "json_write.h"
#include "pytext.h"

/* optparse's layout: help column 24, option column 2..22. */
#define HELP_COL 24

static void print_usage(const esm_optparser *p, FILE *out)
{
    fprintf(out, "Usage: %s\n", p->usage);
}

void esm_optparse_help(const esm_optparser *p, FILE *out)
{
    print_usage(p, out);
    fputs("\nOptions:\n", out);
    for (size_t i = 0; i < p->count; i++) {
        const esm_optdef *d = &p->defs[i];
        if (!d->help)
            continue;
        bool takes = d->kind == ESM_OPT_STRING || d->kind == ESM_OPT_INT || d->kind == ESM_OPT_APPEND;
        char opts[128] = "";
        size_t n = 0;
        if (d->short_name)
            n += (size_t)snprintf(opts + n, sizeof opts - n, takes ? "-%c %s" : "-%c", d->short_name,
                                  d->metavar);
        if (d->long_name)
            n += (size_t)snprintf(opts + n, sizeof opts - n, takes ? "%s--%s=%s" : "%s--%s", n ? ", " : "",
                                  d->long_name, d->metavar);
        const char *line = d->help;
        if (n > HELP_COL - 4) {
            fprintf(out, "  %s\n", opts);
        } else {
            size_t len = strcspn(line, "\n");
            fprintf(out, "  %-*s%.*s\n", HELP_COL - 2, opts, (int)len, line);
            line = line[len] ? line + len + 1 : line + len;
            if (!*line)
                continue;
        }
        while (*line) {
            size_t len = strcspn(line, "\n");
            fprintf(out, "%*s%.*s\n", HELP_COL, "", (int)len, line);
            line += len + (line[len] != 0);
        }
    }
}

static int fail(const esm_optparser *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(const esm_optparser *p, const char *fmt, ...)
{
    print_usage(p, stderr);
    fprintf(stderr, "\n%s: error: ", p->prog);
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return 2;
}

int esm_optparse_error(const esm_optparser *p, const char *message)
{
    return fail(p, "%s", message);
}

/* Strips one '_' placed between two digits (Python allows it there). */
static bool digits_in_radix(const char *s, int radix, char *clean, size_t cap)
{
    size_t n = 0;
    for (const char *c = s; *c; c++) {
        if (*c == '_') {
            /* "0x_1f" is allowed too: after the prefix, clean holds nothing yet */
            if (!c[1] || c[1] == '_' || (c > s && c[-1] == '_'))
                return false;
            if (c == s)
                return false;
            continue;
        }
        int v = isdigit((unsigned char)*c) ? *c - '0' : isalpha((unsigned char)*c) ? tolower(*c) - 'a' + 10 : 99;
        if (v >= radix || n + 1 >= cap)
            return false;
        clean[n++] = *c;
    }
    clean[n] = 0;
    return n > 0;
}

bool esm_py_parse_int(const char *text, long long *out)
{
    /* optparse chooses the radix from the raw text, before int() trims it. */
    int radix = 10;
    if (!strncasecmp(text, "0x", 2))
        radix = 16;
    else if (!strncasecmp(text, "0b", 2))
        radix = 2, text += 2;
    else if (text[0] == '0')
        radix = 8;
    if (radix == 2 && !*text)
        text = "0";
    while (isspace((unsigned char)*text))
        text++;
    bool neg = false;
    if (*text == '+' || *text == '-')
        neg = *text++ == '-';
    size_t len = strlen(text);
    while (len && isspace((unsigned char)text[len - 1]))
        len--;
    char body[64], clean[64];
    if (len == 0 || len >= sizeof body)
        return false;
    memcpy(body, text, len);
    body[len] = 0;
    const char *digits = body;
    /* int("0x1f", 16) and int("0o17", 8) accept their own prefix, and an
     * underscore right after it. */
    if ((radix == 16 && !strncasecmp(body, "0x", 2)) || (radix == 8 && !strncasecmp(body, "0o", 2))) {
        digits = body + 2;
        if (*digits == '_')
            digits++;
    }
    if (!digits_in_radix(digits, radix, clean, sizeof clean))
        return false;
    errno = 0;
    char *end;
    unsigned long long v = strtoull(clean, &end, radix);
    if (errno || *end || v > (unsigned long long)LLONG_MAX)
        return false;
    *out = neg ? -(long long)v : (long long)v;
    return true;
}

static int store(const esm_optparser *p, const esm_optdef *d, const char *opt, const char *value)
{
    switch (d->kind) {
    case ESM_OPT_FLAG: *(bool *)d->dest = true; return -1;
    case ESM_OPT_STRING: *(const char **)d->dest = value; return -1;
    case ESM_OPT_INT:
        if (!esm_py_parse_int(value, (long long *)d->dest)) {
            esm_buf b;
            esm_buf_init(&b);
            esm_py_repr_string(&b, value, strlen(value));
            esm_buf_append(&b, "", 1);
            int rc = fail(p, "option %s: invalid integer value: %s", opt, b.failed ? "?" : b.data);
            esm_buf_free(&b);
            return rc;
        }
        return -1;
    case ESM_OPT_APPEND: {
        esm_strlist *l = d->dest;
        const char **grown = realloc(l->items, (l->count + 1) * sizeof *grown);
        if (!grown) {
            fputs("out of memory\n", stderr);
            return 1;
        }
        l->items = grown;
        l->items[l->count++] = value;
        return -1;
    }
    case ESM_OPT_HELP: esm_optparse_help(p, stdout); return 0;
    }
    return -1;
}

static bool takes_value(const esm_optdef *d)
{
    return d->kind == ESM_OPT_STRING || d->kind == ESM_OPT_INT || d->kind == ESM_OPT_APPEND;
}

/* optparse's _match_abbrev: exact name, else the one option the prefix
 * starts; options beyond the original match only exactly. */
static int match_long(const esm_optparser *p, const char *name, size_t len, const esm_optdef **out)
{
    const esm_optdef *found = NULL;
    size_t matches = 0;
    for (size_t i = 0; i < p->count; i++) {
        const char *ln = p->defs[i].long_name;
        if (!ln)
            continue;
        if (strlen(ln) == len && !strncmp(ln, name, len)) {
            *out = &p->defs[i];
            return -1;
        }
        if (p->defs[i].help && !strncmp(ln, name, len)) {
            found = &p->defs[i];
            matches++;
        }
    }
    char given[256];
    snprintf(given, sizeof given, "--%.*s", (int)(len < 200 ? len : 200), name);
    if (matches == 1) {
        *out = found;
        return -1;
    }
    if (matches == 0)
        return fail(p, "no such option: %s", given);
    /* optparse lists the candidates sorted */
    const char *names[64];
    size_t k = 0;
    for (size_t i = 0; i < p->count && k < 64; i++)
        if (p->defs[i].long_name && p->defs[i].help && !strncmp(p->defs[i].long_name, name, len))
            names[k++] = p->defs[i].long_name;
    for (size_t i = 1; i < k; i++)
        for (size_t j = i; j > 0 && strcmp(names[j - 1], names[j]) > 0; j--) {
            const char *t = names[j];
            names[j] = names[j - 1];
            names[j - 1] = t;
        }
    esm_buf b;
    esm_buf_init(&b);
    for (size_t i = 0; i < k; i++)
        esm_buf_printf(&b, "%s--%s", i ? ", " : "", names[i]);
    esm_buf_append(&b, "", 1);
    int rc = fail(p, "ambiguous option: %s (%s?)", given, b.failed ? "" : b.data);
    esm_buf_free(&b);
    return rc;
}

static int long_option(const esm_optparser *p, int argc, char **argv, int *i)
{
    const char *arg = argv[*i] + 2;
    const char *eq = strchr(arg, '=');
    size_t len = eq ? (size_t)(eq - arg) : strlen(arg);
    const esm_optdef *d = NULL;
    int rc = match_long(p, arg, len, &d);
    if (rc >= 0)
        return rc;
    char opt[128];
    snprintf(opt, sizeof opt, "--%s", d->long_name);
    if (!takes_value(d)) {
        if (eq)
            return fail(p, "%s option does not take a value", opt);
        return store(p, d, opt, NULL);
    }
    if (eq)
        return store(p, d, opt, eq + 1);
    if (*i + 1 >= argc)
        return fail(p, "%s option requires 1 argument", opt);
    return store(p, d, opt, argv[++*i]);
}

static int short_options(const esm_optparser *p, int argc, char **argv, int *i)
{
    const char *arg = argv[*i];
    for (size_t k = 1; arg[k]; k++) {
        char opt[3] = {'-', arg[k], 0};
        const esm_optdef *d = NULL;
        for (size_t j = 0; j < p->count && !d; j++)
            if (p->defs[j].short_name == arg[k])
                d = &p->defs[j];
        if (!d)
            return fail(p, "no such option: %s", opt);
        if (!takes_value(d)) {
            int rc = store(p, d, opt, NULL);
            if (rc >= 0)
                return rc;
            continue;
        }
        if (arg[k + 1])
            return store(p, d, opt, arg + k + 1);
        if (*i + 1 >= argc)
            return fail(p, "%s option requires 1 argument", opt);
        return store(p, d, opt, argv[++*i]);
    }
    return -1;
}

int esm_optparse(const esm_optparser *p, int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int rc = -1;
        if (!strcmp(a, "--"))
            break;
        if (!strncmp(a, "--", 2))
            rc = long_option(p, argc, argv, &i);
        else if (a[0] == '-' && a[1])
            rc = short_options(p, argc, argv, &i);
        if (rc >= 0)
            return rc;
    }
    return -1;
}

void esm_strlist_free(esm_strlist *l)
{
    free(l->items);
    l->items = NULL;
    l->count = 0;
}
