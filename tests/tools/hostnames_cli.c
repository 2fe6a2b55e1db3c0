/* Prints the name esm_hostnames gives each address argument, one a line,
 * with the system's resolvers (for hostnames_oracle.py). */
#include <stdio.h>

#include "hostnames.h"

int main(int argc, char **argv)
{
    esm_hostnames *h = esm_hostnames_new(3000, 16, NULL);
    if (!h)
        return 1;
    for (int i = 1; i < argc; i++)
        esm_hostnames_want(h, argv[i]);
    esm_hostnames_resolve(h);
    for (int i = 1; i < argc; i++)
        printf("%s\n", esm_hostnames_get(h, argv[i]));
    esm_hostnames_free(h);
    return 0;
}
