/* Starts a server program (esmond-ps-archive or the canned-response server)
 * that prints "listening on http://ADDR:PORT" when ready, and stops it by PID. */
#ifndef ESM_TEST_SERVER_PROCESS_H
#define ESM_TEST_SERVER_PROCESS_H

#include <sys/types.h>

typedef struct {
    pid_t pid;
    const char *log_path; /* set before server_start(): the server's stderr goes there (NULL: inherited) */
    char url[256]; /* "http://127.0.0.1:PORT" */
} server_process;

/* argv[0] is the program path; waits up to 30 s for the listening line.
 * Returns 0 on success, -1 (with a message on stderr) otherwise. */
int server_start(server_process *sp, char *const argv[]);
/* SIGTERM, then waits; returns the exit status (or -1). */
int server_stop(server_process *sp);

#endif
