/* Command lines read the way Python's optparse reads them, so the tools keep
 * the originals' syntax and messages: "-sVAL", "-s VAL", "--src=VAL", "--src
 * VAL", clustered flags, unique prefixes of long options, "--" and
 * interspersed arguments; errors print the usage and "PROG: error: ..." on
 * stderr (status 2); --help prints the help on stdout (status 0). */
#ifndef ESM_TOOLS_OPTPARSE_H
#define ESM_TOOLS_OPTPARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

typedef enum {
    ESM_OPT_FLAG,   /* dest: bool *, set true */
    ESM_OPT_STRING, /* dest: const char **, the last one given */
    ESM_OPT_INT,    /* dest: long long *, as optparse's type='int' reads it */
    ESM_OPT_APPEND, /* dest: esm_strlist *, every one given */
    ESM_OPT_HELP    /* prints the help and stops */
} esm_opt_kind;

typedef struct {
    const char **items;
    size_t count;
} esm_strlist;

typedef struct {
    char short_name;       /* 0: none */
    const char *long_name; /* without "--"; NULL: none */
    const char *metavar;
    esm_opt_kind kind;
    /* Help lines, already wrapped as optparse wraps them, joined by '\n'.
     * NULL for options added beyond the original: they are not in --help and
     * take no abbreviation, so the original's help and prefixes stay as they were. */
    const char *help;
    void *dest;
} esm_optdef;

typedef struct {
    const char *prog;
    const char *usage; /* the text after "Usage: " (may hold newlines) */
    const esm_optdef *defs;
    size_t count;
} esm_optparser;

/* Parses argv into the defs' destinations. Returns -1 to go on, else the
 * status to exit with (the help or the error has been printed). Positional
 * arguments are ignored, as the originals ignore them. */
int esm_optparse(const esm_optparser *p, int argc, char **argv);
void esm_optparse_help(const esm_optparser *p, FILE *out);
/* An error found after parsing, reported as optparse reports one (usage and
 * "PROG: error: MESSAGE" on stderr); returns the status, 2. */
int esm_optparse_error(const esm_optparser *p, const char *message);
void esm_strlist_free(esm_strlist *l);

/* Python's int(text, radix) with optparse's choice of radix (0x, 0b, 0 prefixes). */
bool esm_py_parse_int(const char *text, long long *out);

#endif
