/* --import DIR: loads an archive laid out as files (tests/data/replay/README.md):
 * metadata kept with its keys and time-updated values, data files stored as
 * they are, and registered summaries that came without a file computed. */
#ifndef ESA_IMPORT_H
#define ESA_IMPORT_H

#include <stdbool.h>
#include <stddef.h>

#include "store.h"

/* Imports dir in one transaction: all of it or nothing. Reports counts on stderr. */
bool esa_import(esa_store *st, const char *dir, char *err, size_t errlen);

#endif
