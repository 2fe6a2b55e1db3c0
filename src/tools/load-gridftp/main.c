/* esmond-ps-load-gridftp: loads GridFTP transfer logs (netlogger lines, or
 * JSON lines with -J) into an esmond archive, remembering in a state file
 * how far it got. A drop-in for the esmond-client tool; the deliberate
 * differences are listed in the README.
 *
 * This file reads the options and the state, and decides what to read: the
 * log from where the last run stopped when it is the same log, else (it was
 * rotated) first the rest of the rotated log, found next to it, then the new
 * log from its start. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "load_gridftp.h"
#include "optparse.h"

static volatile sig_atomic_t signalled;

static void on_signal(int sig)
{
    signalled = sig;
}

static const char USAGE[] = PROG " [ -f filename | -v ]";

static int usage_error(const char *msg, const char *arg)
{
    fprintf(stderr, "Usage: %s\n\n%s: error: %s%s\n", USAGE, PROG, arg ? arg : "", msg);
    return 2;
}

/* Whether path is in log's directory and named after it: gridftp.log.1,
 * gridftp.log-20261201 for gridftp.log. */
static bool named_after(const char *path, const char *log)
{
    const char *slash = strrchr(log, '/');
    size_t dir = slash ? (size_t)(slash - log) + 1 : 0, len = strlen(log);
    return strncmp(path, log, len) == 0 && path[len] && !strchr(path + dir, '/');
}

/* The log as it was before rotation (renamed, or copied by copytruncate): a
 * file next to the current log, named after it, holding what the state
 * describes; the state's own file and inode win. Returns an open descriptor
 * and sets *found (malloc'ed), or -1. */
static int find_rotated(const esm_gftp_state *st, const char *current, char **found)
{
    *found = NULL;
    const char *slash = strrchr(current, '/');
    char dir[PATH_MAX];
    snprintf(dir, sizeof dir, "%.*s", slash == current ? 1 : (int)(slash - current), current);
    DIR *d = opendir(dir);
    int best = -1;
    bool best_is_state = false;
    struct dirent *e;
    while (d && (e = readdir(d))) {
        char path[PATH_MAX];
        if ((size_t)snprintf(path, sizeof path, "%s/%s", strcmp(dir, "/") ? dir : "", e->d_name) >= sizeof path ||
            !named_after(path, current))
            continue;
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        struct stat sb;
        esm_ld_error why;
        if (fd < 0 || fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode) || esm_gftp_state_matches(st, fd, &why) != 1) {
            if (fd >= 0)
                close(fd);
            continue;
        }
        bool is_state = strcmp(path, st->log) == 0 ||
                        ((uint64_t)sb.st_ino == st->inode && (uint64_t)sb.st_dev == st->device);
        char *name = best < 0 || (is_state && !best_is_state) ? strdup(path) : NULL;
        if (!name) { /* a copy when a better one is known, or out of memory */
            close(fd);
            continue;
        }
        if (best >= 0)
            close(best);
        free(*found);
        best = fd;
        best_is_state = is_state;
        *found = name;
    }
    if (d)
        closedir(d);
    return best;
}

/* The state file and what it holds (rc as esm_gftp_state_read()'s). A file
 * at -p's path (or the default) that is not this loader's, such as the
 * original's pickle, is left untouched, so that going back to the original
 * is safe: the state is then kept beside it, in FILE.json. false: that file is
 * not ours either (logged); the run must not go on. */
static bool load_state(options *o, char **beside, esm_gftp_state *st, int *rc)
{
    esm_ld_error err;
    *rc = esm_gftp_state_read(o->state_path, st, &err);
    if (*rc == ESM_GFTP_STATE_FOREIGN) {
        size_t n = strlen(o->state_path) + sizeof ".json";
        if (!(*beside = malloc(n))) {
            esm_loader_log("main.error", "out of memory");
            return false;
        }
        snprintf(*beside, n, "%s.json", o->state_path);
        esm_loader_log("main.warn", "%s is not a state file of this loader (%s) - leaving it untouched, the state is "
                       "kept in %s", o->state_path, err.msg, *beside);
        o->state_path = *beside;
        *rc = esm_gftp_state_read(o->state_path, st, &err);
        if (*rc == ESM_GFTP_STATE_FOREIGN) {
            esm_loader_log("main.error", "%s is not a state file of this loader either (%s) - give a state file "
                           "with -p", o->state_path, err.msg);
            return false;
        }
    }
    if (*rc == 1)
        esm_loader_log("main.start", "no last record found");
    else if (*rc < 0)
        esm_loader_log("main.warn", "the state file %s cannot be used: %s - ignoring it", o->state_path, err.msg);
    else
        esm_loader_log("main.start", "found last record: %s (line %llu of %s)",
                       st->last_text ? st->last_text : st->last_len ? "(not text)" : "(none)",
                       (unsigned long long)st->line, st->log);
    return true;
}

/* Where to start in the log open as fd: 0, or where the state st (rc as
 * load_state()'s) says. Reads a rotated log's rest first when the state
 * names one. */
static void read_logs(run *r, int fd, const char *path, const char *shown, const esm_gftp_state *st, int rc)
{
    if (rc != 0) {
        esm_loader_log("main.process", "No last record, processing %s", shown);
        scan_log(r, fd, path, 0, 0);
        return;
    }
    esm_ld_error why;
    int m = st->style != r->style ? 0 : esm_gftp_state_matches(st, fd, &why);
    if (st->style != r->style)
        esm_ld_set_error(&why, ESM_LD_EVALUE, "the state is for %s logs",
                         st->style == ESM_GFTP_JSON ? "JSON" : "netlogger");
    if (m == 1) {
        esm_loader_log("main.process", "File %s passes last record check", shown);
        if (r->o->verbose)
            esm_loader_log("main.debug", "resuming at byte %llu (line %llu)", (unsigned long long)st->offset,
                           (unsigned long long)st->line);
        scan_log(r, fd, path, st->offset, st->line);
        return;
    }
    esm_loader_log("main.warn", "File %s does not contain last log entry. Maybe rotated?- proceeding (%s)", shown,
                   why.msg);
    char *rotated = NULL;
    /* the state names this log, or a rotation of it whose rest a crash left unread */
    bool rotation = strcmp(st->log, path) == 0 || named_after(st->log, path);
    int rfd = m < 0 || st->style != r->style || !rotation ? -1 : find_rotated(st, path, &rotated);
    if (rfd >= 0) {
        esm_loader_log("main.process", "finishing the rotated log %s from line %llu", rotated,
                       (unsigned long long)st->line);
        scan_log(r, rfd, rotated, st->offset, st->line);
        close(rfd);
        free(rotated);
    }
    if (!r->fatal && !r->done)
        scan_log(r, fd, path, 0, 0);
}

/* The original's checks, in its order and with its messages; then the log
 * open as *fd (its absolute path in path, its name as shown in *shown) and
 * the state file's path. Returns -1 to go on, else the exit status. */
static int open_inputs(const options *o, char **shown, char **state_path, int *fd, char path[PATH_MAX])
{
    char *logdir = *o->logdir ? esm_py_normpath(o->logdir) : NULL;
    struct stat sb;
    int status = -1;
    if (logdir && stat(logdir, &sb) != 0)
        status = usage_error(" log path does not exist.", logdir);
    else if (esm_loader_log_open(logdir, PROG) != 0) {
        fprintf(stderr, "%s: cannot open %s/%s.log: %s\n", PROG, logdir, PROG, strerror(errno));
        status = 1;
    }
    free(logdir);
    if (status >= 0)
        return status;
    if (!o->file || !*o->file)
        return usage_error("Filename is required.", NULL);
    *shown = esm_py_normpath(o->file);
    *state_path = esm_py_normpath(*o->state_path ? o->state_path
                                                 : o->json ? "./load_grid_ftp.json.pickle" : "./load_grid_ftp.pickle");
    if (!*shown || !*state_path)
        return 1;
    *fd = open(*shown, O_RDONLY | O_CLOEXEC);
    if (*fd < 0 && errno == ENOENT)
        return usage_error(" does not exist", *shown);
    if (o->archive.timeout < 0)
        status = usage_error("--timeout must not be negative.", NULL);
    else if (*fd < 0 || !realpath(*shown, path)) {
        fprintf(stderr, "%s: cannot read %s: %s\n", PROG, *shown, strerror(errno));
        status = 1;
    }
    if (status >= 0 && *fd >= 0)
        close(*fd);
    return status;
}

static int finish(run *r, const options *o)
{
    char event[96];
    snprintf(event, sizeof event, "%s.%s", r->ev, "info");
    if (signalled)
        esm_loader_log(event, "Got %s - exiting.", signalled == SIGINT ? "SIGINT" : "SIGTERM");
    snprintf(event, sizeof event, "%s.end", r->ev);
    esm_loader_log(event, "Loaded %llu records", r->n.loaded);
    if (o->delete_state && unlink(o->state_path) != 0 && errno != ENOENT) {
        esm_loader_log("main.error", "cannot delete the state file %s: %s", o->state_path, strerror(errno));
        r->fatal = true;
    }
    esm_loader_log("main.end", "records read %llu (%llu bytes), stored %llu, skipped %llu, failed %llu%s", r->n.read,
                   r->n.bytes, r->n.stored, r->n.skipped, r->n.failed,
                   r->fatal ? " - stopped early, the next run goes on from here" : "");
    if (r->fatal)
        return 1;
    if (signalled)
        return 128 + signalled;
    return r->n.failed ? 3 : 0;
}

int main(int argc, char **argv)
{
    options o = {.archive = ESM_LOADER_ARCHIVE_DEFAULTS, .state_path = "", .logdir = ""};
    bool file_attr = false, name_attr = false, volume_attr = false;
    const esm_optdef defs[] = {
        {'h', "help", NULL, ESM_OPT_HELP, "show this help message and exit", NULL},
        {'f', "file", "FILE", ESM_OPT_STRING, "Input filename.", &o.file},
        {'p', "pickle_file", "FILE", ESM_OPT_STRING,
         "Path to pickle file (./load_grid_ftp.pickle or\n./load_grid_ftp.json.pickle).", &o.state_path},
        {'d', "dont_write", NULL, ESM_OPT_FLAG,
         "Do not write last position pickle file - can be used\nto process multiple files by hand, development, etc.",
         &o.dont_write},
        {'S', "single", NULL, ESM_OPT_FLAG, "Only load a single record - used for development.", &o.single},
        {'D', "delete_state", NULL, ESM_OPT_FLAG, "Delete state file from disc after concluding run.",
         &o.delete_state},
        ESM_LOADER_LOG_DIR_OPT(o.logdir),
        ESM_LOADER_ARCHIVE_OPTS(o.archive),
        {'F', "file_attr", NULL, ESM_OPT_FLAG,
         "Include the gridftp file information when sending data\nto esmond (default=False since this might be "
         "sensitive\ndata).",
         &file_attr},
        {'N', "name_attr", NULL, ESM_OPT_FLAG,
         "Include the gridftp user (name) information when\nsending data to esmond (default=False since this might\nbe "
         "sensitive data).",
         &name_attr},
        {'V', "volume_attr", NULL, ESM_OPT_FLAG,
         "Include the gridftp volume information when sending\ndata to esmond (default=False since this might be\n"
         "sensitive data).",
         &volume_attr},
        {'v', "verbose", NULL, ESM_OPT_FLAG, "Verbose output - -v, -vv, etc.", &o.verbose},
        {'P', "no-progress", NULL, ESM_OPT_FLAG, "Suppress processing progress messages to console\n(default: on).",
         &o.no_progress},
        {'J', "json", NULL, ESM_OPT_FLAG, "Read JSON formatted GridFTP logs.", &o.json},
        /* beyond the original (not in --help, see the README) */
        ESM_LOADER_NEW_ARCHIVE_OPTS(o.archive),
    };
    const esm_optparser p = {PROG, USAGE, defs, sizeof defs / sizeof defs[0]};
    int st = esm_optparse(&p, argc, argv);
    if (st >= 0)
        return st;
    o.privacy = (esm_gftp_privacy){.file = file_attr, .user = name_attr, .volume = volume_attr};

    char *shown = NULL, *state_path = NULL, *beside = NULL, path[PATH_MAX];
    int fd = -1;
    st = open_inputs(&o, &shown, &state_path, &fd, path);
    if (st >= 0) {
        free(shown);
        free(state_path);
        esm_loader_log_close();
        return st;
    }
    o.state_path = state_path;

    if (esm_global_init() != ESM_OK) {
        fprintf(stderr, "%s: cannot initialise libcurl\n", PROG);
        close(fd);
        free(shown);
        free(state_path);
        esm_loader_log_close();
        return 1;
    }
    const char *why = NULL;
    esm_client *c = esm_loader_client(&o.archive, &why);
    /* ESMOND_DNS_SERVERS (a c-ares server list) is a testing aid: it points the lookups at a local responder */
    esm_hostnames *names = esm_hostnames_new(o.archive.timeout > 0 ? o.archive.timeout * 1000 : 20000, 1,
                                             getenv("ESMOND_DNS_SERVERS"));
    poster *post = c ? poster_new(c, o.verbose) : NULL;
    int status = 1;
    if (!c)
        esm_loader_log("main.error", "cannot use the archive: %s: %s", why, o.archive.url);
    else if (!names || !post)
        esm_loader_log("main.error", "out of memory (or c-ares cannot start)");
    if (c && names && post) {
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = on_signal;
        sigaction(SIGINT, &sa, NULL);
        sigaction(SIGTERM, &sa, NULL);
        run r = {.o = &o, .style = o.json ? ESM_GFTP_JSON : ESM_GFTP_NETLOGGER,
                 .ev = o.json ? "scan_and_load_json" : "scan_and_load_netlogger", .post = post, .names = names,
                 .signalled = &signalled};
        esm_gftp_state state;
        int rc;
        if (load_state(&o, &beside, &state, &rc)) {
            read_logs(&r, fd, path, shown, &state, rc);
            status = finish(&r, &o);
        }
        esm_gftp_state_clear(&state);
    }
    poster_free(post);
    esm_hostnames_free(names);
    esm_client_free(c);
    close(fd);
    free(shown);
    free(state_path);
    free(beside);
    esm_loader_log_close();
    esm_global_cleanup();
    return status;
}
