/* The SQLite database: schema, a pool of connections (one per serving
 * thread, WAL mode so readers never wait for the writer), and cached
 * prepared statements. Every SQL text goes through esa_db_prepare(). */
#ifndef ESA_STORE_H
#define ESA_STORE_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>

typedef struct esa_store esa_store;
typedef struct esa_db esa_db;

/* Opens (creating if needed) the database at path with n_conns pooled
 * connections. On failure returns NULL and writes a message to err. */
esa_store *esa_store_open(const char *path, int n_conns, char *err, size_t errlen);
void esa_store_close(esa_store *st);

/* Borrow a connection for the duration of one request; blocks while all are in use. */
esa_db *esa_store_acquire(esa_store *st);
void esa_store_release(esa_store *st, esa_db *db);

sqlite3 *esa_db_handle(esa_db *db);
/* A reset statement for a fixed SQL text from the connection's cache (prepared
 * on first use). NULL on error. SQL built per request is prepared and
 * finalized by its caller instead. */
sqlite3_stmt *esa_db_prepare(esa_db *db, const char *sql);
/* Runs a statement without result rows, e.g. "BEGIN IMMEDIATE"; true on success. */
bool esa_db_exec(esa_db *db, const char *sql);
const char *esa_db_errmsg(esa_db *db);

/* Binds a text that may be NULL. */
int esa_bind_text(sqlite3_stmt *s, int idx, const char *text);

#endif
