/* timeparse_cli NOW: for each line of stdin (without its newline) prints what
 * esm_parse_time(line, NOW) gives: the epoch seconds, "error" for
 * ESM_ERR_TIME_SYNTAX, or "code N" for anything else. Driver of
 * timeparse_oracle.py. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "esmond/esmond.h"

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s NOW-EPOCH-SECONDS < lines\n", argv[0]);
        return 2;
    }
    char *end;
    errno = 0;
    long long now = strtoll(argv[1], &end, 10);
    if (errno || end == argv[1] || *end) {
        fprintf(stderr, "%s: bad NOW '%s'\n", argv[0], argv[1]);
        return 2;
    }

    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    while ((len = getline(&line, &cap, stdin)) >= 0) {
        if (len > 0 && line[len - 1] == '\n')
            line[--len] = '\0';
        long long v;
        esm_code rc = esm_parse_time(line, now, &v);
        if (rc == ESM_OK)
            printf("%lld\n", v);
        else if (rc == ESM_ERR_TIME_SYNTAX)
            puts("error");
        else
            printf("code %d\n", (int)rc);
    }
    free(line);
    return ferror(stdin) || fflush(stdout) ? 1 : 0;
}
