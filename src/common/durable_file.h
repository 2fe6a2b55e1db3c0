/* Replacing a small file so that a crash at any moment leaves either its old
 * or its new content under its name, never a mix or nothing: the loaders'
 * and the harvester's state files. */
#ifndef ESM_COMMON_DURABLE_FILE_H
#define ESM_COMMON_DURABLE_FILE_H

#include <stddef.h>
#include <sys/types.h>

/* Writes data to a new temporary file beside path, flushes it, gives it mode,
 * renames it over path and flushes the directory. 0, or -1 with one line in
 * why (the file and the system's reason) and no temporary file left; path is
 * untouched unless only the directory flush failed, which is an error too (the
 * rename might not survive a crash) except where the file system cannot flush
 * directories at all (EINVAL). */
int esm_durable_replace(const char *path, const char *data, size_t len, mode_t mode, char *why, size_t cap);

/* Flushes directory dir (EINVAL counts as done); 0, or -1 with errno set. */
int esm_sync_dir(const char *dir);

#endif
