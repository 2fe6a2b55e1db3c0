/* The archive's request handling without a socket: what server.c hands to
 * esa_route() (method, path, decoded query parameters, Authorization and
 * Content-Type headers, body) against a real store holding the archive of
 * tests/data/replay. Every answer must be a status below 500 with a JSON
 * body. Writes are undone after each input, so every input meets the same
 * data. Input:
 *   line 1: METHOD PATH[?QUERY]   (PATH below the mount point: /archive/...)
 *   line 2: Authorization header (empty: none); the token is fuzz:secret
 *   line 3: Content-Type header (empty: none)
 *   the rest: the body */
#include <jansson.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz_input.h"

#include "archive.h"
#include "import.h"
#include "store.h"
#include "tokens.h"

static esa_archive ar = {.tokens_lock = PTHREAD_RWLOCK_INITIALIZER};
static sqlite3 *pristine; /* the store's content before any input */
static char dir[64];

/* A fixed clock (main.c has the real one): the same input gets the same
 * answer, and the default time ranges end just after the replay data. */
long long esa_now(void)
{
    return 1391700000;
}

static void copy_db(sqlite3 *to, sqlite3 *from)
{
    sqlite3_backup *bk = sqlite3_backup_init(to, "main", from, "main");
    if (!bk || sqlite3_backup_step(bk, -1) != SQLITE_DONE || sqlite3_backup_finish(bk) != SQLITE_OK)
        abort();
}

static void cleanup(void)
{
    sqlite3_close(pristine);
    esa_store_close(ar.store);
    esa_tokens_free(ar.tokens);
    free(ar.tokens);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "fuzz_request: cannot remove %s\n", dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    char err[256], path[128];
    snprintf(dir, sizeof dir, "/tmp/fuzz_request.XXXXXX");
    if (!mkdtemp(dir))
        abort();
    snprintf(path, sizeof path, "%s/archive.db", dir);
    ar.tokens = calloc(1, sizeof *ar.tokens);
    if (!ar.tokens || esa_tokens_add(ar.tokens, "fuzz:secret", err, sizeof err) != 0 ||
        !(ar.store = esa_store_open(path, 1, err, sizeof err)) ||
        !esa_import(ar.store, ESM_FUZZ_REPLAY_DIR, err, sizeof err) ||
        sqlite3_open(":memory:", &pristine) != SQLITE_OK) {
        fprintf(stderr, "fuzz_request: %s\n", err);
        abort();
    }
    esa_db *db = esa_store_acquire(ar.store);
    copy_db(pristine, esa_db_handle(db));
    esa_store_release(ar.store, db);
    atexit(cleanup);
    return 0;
}

/* Splits "a=1&b&c=" into parameters, in place (libmicrohttpd has decoded them). */
static size_t split_query(char *q, esa_param *params, size_t cap)
{
    size_t n = 0;
    for (char *save = NULL, *tok = q ? strtok_r(q, "&", &save) : NULL; tok && n < cap;
         tok = strtok_r(NULL, "&", &save)) {
        char *eq = strchr(tok, '=');
        if (eq)
            *eq++ = '\0';
        params[n].name = tok;
        params[n].value = eq ? eq : "";
        n++;
    }
    return n;
}

static char *next_line(char **p)
{
    char *line = *p, *nl = strchr(line, '\n');
    if (nl) {
        *nl = '\0';
        *p = nl + 1;
    } else {
        *p = line + strlen(line);
    }
    return line;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fuzz_text(data, size);
    if (!text)
        return 0;
    char *p = text;
    char *first = next_line(&p), *auth = next_line(&p), *ctype = next_line(&p);
    const char *body = p;
    size_t body_len = size - (size_t)(p - text); /* the body may hold NUL bytes */
    char *space = strchr(first, ' ');
    if (!space) {
        free(text);
        return 0;
    }
    *space = '\0';
    char *path = space + 1, *query = strchr(path, '?');
    if (query)
        *query++ = '\0';
    esa_param params[64];
    esa_request rq = {
        .method = strcmp(first, "HEAD") == 0 ? "GET" : first,
        .prefix = "/esmond/perfsonar",
        .host = "localhost",
        .content_type = *ctype ? ctype : NULL,
        .authorization = *auth ? auth : NULL,
        .params = params,
        .n_params = split_query(query, params, sizeof params / sizeof params[0]),
        .body = body,
        .body_len = body_len,
    };
    esa_response rs;
    esa_response_init(&rs);
    if (!esa_route_unauthorized(&ar, &rq, &rs)) {
        esa_response_free(&rs);
        esa_response_init(&rs);
        esa_route(&ar, &rq, path, &rs);
    }
    /* A streamed page (data_read.c) is judged whole, as a client receives it. */
    int more = rs.more.next ? 1 : 0;
    esm_buf part;
    esm_buf_init(&part);
    while (more == 1) {
        part.len = 0; /* next() fills a part from empty, as server.c hands it one */
        more = rs.more.next(rs.more.state, &part);
        esm_buf_append(&rs.body, part.data, part.len);
    }
    esm_buf_free(&part);
    if (more < 0 || rs.status < 200 || rs.status >= 500 || rs.body.failed)
        abort(); /* bad input is the client's error (4xx), never the server's */
    json_t *answer = json_loadb(rs.body.data ? rs.body.data : "", rs.body.len, JSON_DECODE_ANY, NULL);
    if (!answer)
        abort(); /* every answer is JSON */
    json_decref(answer);
    esa_response_free(&rs);
    if (strcmp(rq.method, "GET") != 0) {
        esa_db *db = esa_store_acquire(ar.store);
        copy_db(esa_db_handle(db), pristine);
        esa_store_release(ar.store, db);
    }
    free(text);
    return 0;
}
