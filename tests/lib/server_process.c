#include "server_process.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

int server_start(server_process *sp, char *const argv[])
{
    int fds[2];
    if (pipe(fds) != 0)
        return -1;
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        dup2(fds[1], STDOUT_FILENO);
        if (sp->log_path) {
            int log = open(sp->log_path, O_WRONLY | O_CREAT | O_APPEND, 0600);
            if (log >= 0)
                dup2(log, STDERR_FILENO);
        }
        close(fds[0]);
        close(fds[1]);
        execvp(argv[0], argv);
        fprintf(stderr, "cannot run %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    close(fds[1]);
    sp->pid = pid;
    char line[256];
    size_t len = 0;
    struct pollfd pfd = {.fd = fds[0], .events = POLLIN};
    /* Read byte by byte up to the first newline, within 30 s. */
    while (len + 1 < sizeof line && poll(&pfd, 1, 30000) == 1) {
        ssize_t n = read(fds[0], line + len, 1);
        if (n <= 0)
            break;
        if (line[len] == '\n')
            break;
        len++;
    }
    line[len] = '\0';
    close(fds[0]);
    const char *prefix = "listening on ";
    if (strncmp(line, prefix, strlen(prefix)) != 0) {
        fprintf(stderr, "%s did not start (first line: '%s')\n", argv[0], line);
        server_stop(sp);
        return -1;
    }
    snprintf(sp->url, sizeof sp->url, "%s", line + strlen(prefix));
    return 0;
}

int server_stop(server_process *sp)
{
    if (sp->pid <= 0)
        return -1;
    kill(sp->pid, SIGTERM);
    int status = 0;
    pid_t r;
    while ((r = waitpid(sp->pid, &status, 0)) < 0 && errno == EINTR)
        ;
    sp->pid = 0;
    return r < 0 ? -1 : WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
