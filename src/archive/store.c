#include "store.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define STMT_CACHE 64

struct esa_db {
    sqlite3 *h;
    struct {
        char *sql;
        sqlite3_stmt *stmt;
    } cache[STMT_CACHE];
    int n_cached;
    bool busy;
};

struct esa_store {
    esa_db *conns;
    int n;
    pthread_mutex_t lock;
    pthread_cond_t freed;
};

static const char schema[] =
    "CREATE TABLE IF NOT EXISTS metadata("
    " id INTEGER PRIMARY KEY,"
    " key TEXT NOT NULL UNIQUE,"
    " identity TEXT NOT NULL UNIQUE," /* canonical text of what makes two posts the same test (esmond-rest-api §12.1) */
    " subject_type TEXT NOT NULL,"
    " source TEXT, destination TEXT, measurement_agent TEXT,"
    " tool_name TEXT, input_source TEXT, input_destination TEXT);"
    "CREATE INDEX IF NOT EXISTS metadata_source ON metadata(source);"
    "CREATE INDEX IF NOT EXISTS metadata_destination ON metadata(destination);"
    "CREATE TABLE IF NOT EXISTS parameter("
    " metadata_id INTEGER NOT NULL REFERENCES metadata(id),"
    " pos INTEGER NOT NULL, name TEXT NOT NULL, value TEXT NOT NULL,"
    " PRIMARY KEY(metadata_id, name));"
    "CREATE INDEX IF NOT EXISTS parameter_name_value ON parameter(name, value);"
    /* One row per (event type, summary); the implicit base row has summary 'base', window 0. */
    "CREATE TABLE IF NOT EXISTS series("
    " id INTEGER PRIMARY KEY,"
    " metadata_id INTEGER NOT NULL REFERENCES metadata(id),"
    " event_type TEXT NOT NULL, summary_type TEXT NOT NULL, summary_window INTEGER NOT NULL,"
    " time_updated INTEGER,"
    " UNIQUE(metadata_id, event_type, summary_type, summary_window));"
    /* val is the JSON text served; a, b, n hold exact counters for numeric summaries. */
    "CREATE TABLE IF NOT EXISTS point("
    " series_id INTEGER NOT NULL, ts INTEGER NOT NULL, val TEXT NOT NULL,"
    " a INTEGER, b INTEGER, n INTEGER,"
    " PRIMARY KEY(series_id, ts)) WITHOUT ROWID;";

static bool open_conn(esa_db *db, const char *path, bool create, char *err, size_t errlen)
{
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (create ? SQLITE_OPEN_CREATE : 0);
    if (sqlite3_open_v2(path, &db->h, flags, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "cannot open database %s: %s", path, db->h ? sqlite3_errmsg(db->h) : "out of memory");
        return false;
    }
    sqlite3_busy_timeout(db->h, 30000);
    sqlite3_extended_result_codes(db->h, 1);
    const char *setup = create ? "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
                               : "PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;";
    char *msg = NULL;
    if (sqlite3_exec(db->h, setup, NULL, NULL, &msg) != SQLITE_OK ||
        (create && sqlite3_exec(db->h, schema, NULL, NULL, &msg) != SQLITE_OK)) {
        snprintf(err, errlen, "cannot use database %s: %s", path, msg ? msg : sqlite3_errmsg(db->h));
        sqlite3_free(msg);
        return false;
    }
    return true;
}

static void close_conn(esa_db *db)
{
    for (int i = 0; i < db->n_cached; i++) {
        sqlite3_finalize(db->cache[i].stmt);
        free(db->cache[i].sql);
    }
    db->n_cached = 0;
    if (db->h)
        sqlite3_close(db->h);
    db->h = NULL;
}

esa_store *esa_store_open(const char *path, int n_conns, char *err, size_t errlen)
{
    esa_store *st = calloc(1, sizeof *st);
    if (!st || n_conns < 1 || !(st->conns = calloc((size_t)n_conns, sizeof *st->conns))) {
        snprintf(err, errlen, "out of memory");
        free(st);
        return NULL;
    }
    st->n = n_conns;
    pthread_mutex_init(&st->lock, NULL);
    pthread_cond_init(&st->freed, NULL);
    for (int i = 0; i < n_conns; i++) {
        if (!open_conn(&st->conns[i], path, i == 0, err, errlen)) {
            esa_store_close(st);
            return NULL;
        }
    }
    return st;
}

void esa_store_close(esa_store *st)
{
    if (!st)
        return;
    for (int i = 0; i < st->n; i++)
        close_conn(&st->conns[i]);
    pthread_mutex_destroy(&st->lock);
    pthread_cond_destroy(&st->freed);
    free(st->conns);
    free(st);
}

esa_db *esa_store_acquire(esa_store *st)
{
    pthread_mutex_lock(&st->lock);
    for (;;) {
        for (int i = 0; i < st->n; i++) {
            if (!st->conns[i].busy) {
                st->conns[i].busy = true;
                pthread_mutex_unlock(&st->lock);
                return &st->conns[i];
            }
        }
        pthread_cond_wait(&st->freed, &st->lock);
    }
}

void esa_store_release(esa_store *st, esa_db *db)
{
    if (!db)
        return;
    /* A handler that failed mid-transaction must not leave it open for the next request. */
    if (!sqlite3_get_autocommit(db->h))
        sqlite3_exec(db->h, "ROLLBACK", NULL, NULL, NULL);
    pthread_mutex_lock(&st->lock);
    db->busy = false;
    pthread_cond_signal(&st->freed);
    pthread_mutex_unlock(&st->lock);
}

sqlite3 *esa_db_handle(esa_db *db) { return db->h; }
const char *esa_db_errmsg(esa_db *db) { return sqlite3_errmsg(db->h); }

sqlite3_stmt *esa_db_prepare(esa_db *db, const char *sql)
{
    for (int i = 0; i < db->n_cached; i++) {
        if (strcmp(db->cache[i].sql, sql) == 0) {
            sqlite3_reset(db->cache[i].stmt);
            sqlite3_clear_bindings(db->cache[i].stmt);
            return db->cache[i].stmt;
        }
    }
    sqlite3_stmt *s = NULL;
    if (sqlite3_prepare_v3(db->h, sql, -1, SQLITE_PREPARE_PERSISTENT, &s, NULL) != SQLITE_OK)
        return NULL;
    char *copy = strdup(sql);
    if (!copy) {
        sqlite3_finalize(s);
        return NULL;
    }
    int slot = db->n_cached;
    if (slot == STMT_CACHE) { /* only fixed SQL texts are cached, so this means a programming error */
        sqlite3_finalize(s);
        free(copy);
        return NULL;
    }
    db->n_cached++;
    db->cache[slot].sql = copy;
    db->cache[slot].stmt = s;
    return s;
}

bool esa_db_exec(esa_db *db, const char *sql)
{
    sqlite3_stmt *s = esa_db_prepare(db, sql);
    if (!s)
        return false;
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    return rc == SQLITE_DONE || rc == SQLITE_ROW;
}

int esa_bind_text(sqlite3_stmt *s, int idx, const char *text)
{
    return text ? sqlite3_bind_text(s, idx, text, -1, SQLITE_TRANSIENT) : sqlite3_bind_null(s, idx);
}
