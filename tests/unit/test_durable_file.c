/* esm_durable_replace(): the new content or the old one, never a temporary
 * file left behind, one line saying what failed. */
#include <dirent.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "durable_file.h"

static char dir[] = "/tmp/esm-durable-XXXXXX";

static const char *path_of(const char *name)
{
    static char buf[256];
    snprintf(buf, sizeof buf, "%s/%s", dir, name);
    return buf;
}

static char *slurp(const char *path)
{
    static char buf[4096];
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = 0;
    return buf;
}

static int entries(void)
{
    int n = 0;
    DIR *d = opendir(dir);
    for (struct dirent *e; (e = readdir(d));)
        n += e->d_name[0] != '.';
    closedir(d);
    return n;
}

static void test_replaces(void **state)
{
    (void)state;
    char why[256] = "";
    const char *p = path_of("f");
    assert_int_equal(esm_durable_replace(p, "one\n", 4, 0600, why, sizeof why), 0);
    assert_string_equal(slurp(p), "one\n");
    assert_int_equal(esm_durable_replace(p, "two\n", 4, 0640, why, sizeof why), 0);
    assert_string_equal(slurp(p), "two\n");
    struct stat st;
    assert_int_equal(stat(p, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0640);
    assert_int_equal(entries(), 1);
    unlink(p);
}

static void test_missing_dir(void **state)
{
    (void)state;
    char why[256] = "";
    assert_int_equal(esm_durable_replace(path_of("none/f"), "x", 1, 0600, why, sizeof why), -1);
    assert_non_null(strstr(why, "cannot create"));
    assert_non_null(strstr(why, "none/f."));
    assert_non_null(strstr(why, "No such file or directory"));
}

/* A write that fails half way (the file-size limit: EFBIG) keeps the old
 * content and removes its temporary file. In a child: the limit stays there. */
static void test_failed_write_keeps_old(void **state)
{
    (void)state;
    const char *p = path_of("g");
    char why[256] = "";
    assert_int_equal(esm_durable_replace(p, "old\n", 4, 0600, why, sizeof why), 0);
    pid_t pid = fork();
    if (pid == 0) {
        signal(SIGXFSZ, SIG_IGN);
        struct rlimit rl = {100, 100};
        setrlimit(RLIMIT_FSIZE, &rl);
        static char big[1000];
        memset(big, 'n', sizeof big);
        int rc = esm_durable_replace(p, big, sizeof big, 0600, why, sizeof why);
        _exit(rc == -1 && strstr(why, "cannot write") && strstr(why, "File too large") ? 0 : 1);
    }
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    assert_string_equal(slurp(p), "old\n");
    assert_int_equal(entries(), 1);
    unlink(p);
}

/* A directory in the way of the rename: nothing replaced, nothing left. */
static void test_rename_refused(void **state)
{
    (void)state;
    const char *p = path_of("d");
    assert_int_equal(mkdir(p, 0755), 0);
    char inside[300];
    snprintf(inside, sizeof inside, "%s/keep", p);
    FILE *f = fopen(inside, "w");
    fclose(f);
    char why[512] = "";
    assert_int_equal(esm_durable_replace(p, "x", 1, 0600, why, sizeof why), -1);
    assert_non_null(strstr(why, "cannot rename"));
    assert_int_equal(entries(), 1);
    unlink(inside);
    rmdir(p);
}

int main(void)
{
    if (!mkdtemp(dir))
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_replaces),
        cmocka_unit_test(test_missing_dir),
        cmocka_unit_test(test_failed_write_keeps_old),
        cmocka_unit_test(test_rename_refused),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    rmdir(dir);
    return rc;
}
