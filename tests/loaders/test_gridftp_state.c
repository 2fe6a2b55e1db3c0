/* The loader's state file: round trip, atomic replacement, the log checks
 * that decide between resuming and reading from the start, and state files
 * that are not ours. Real files in a temporary directory. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gridftp_log.h"
#include "gridftp_state.h"

static char dir[64];

static int make_dir(void **state)
{
    snprintf(dir, sizeof dir, "/tmp/esm-state-XXXXXX");
    return mkdtemp(dir) ? 0 : -1;
}

static int remove_dir(void **state)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char p[512];
    while (d && (e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
        unlink(p);
    }
    if (d)
        closedir(d);
    rmdir(dir);
    return 0;
}

static char *path_of(const char *name)
{
    static char p[4][256];
    static int i;
    i = (i + 1) % 4;
    snprintf(p[i], sizeof p[i], "%s/%s", dir, name);
    return p[i];
}

static void write_file(const char *path, const char *text, const char *mode)
{
    FILE *f = fopen(path, mode);
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static int count_files(void)
{
    int n = 0;
    DIR *d = opendir(dir);
    struct dirent *e;
    while ((e = readdir(d)))
        n += e->d_name[0] != '.';
    closedir(d);
    return n;
}

#define L1 "DATE=20150910183256.000000 HOST=a TYPE=RETR CODE=226\n"
#define L2 "DATE=20150910183300.000000 HOST=b TYPE=STOR CODE=226\n"
#define L3 "DATE=20150910183400.000000 HOST=c TYPE=RETR CODE=426\n"

/* A state after the first two lines of a log holding L1 L2. */
static void describe_two(esm_gftp_state *st, const char *log)
{
    write_file(log, L1 L2, "w");
    int fd = open(log, O_RDONLY);
    assert_true(fd >= 0);
    esm_ld_error err;
    uint64_t end = strlen(L1 L2);
    assert_int_equal(esm_gftp_state_describe(st, ESM_GFTP_NETLOGGER, log, fd, end, 2, strlen(L1), &err), 0);
    close(fd);
}

static void test_round_trip(void **state)
{
    esm_gftp_state st, back;
    const char *log = path_of("transfer.log"), *sp = path_of("state");
    describe_two(&st, log);
    assert_int_equal(st.last_begin, strlen(L1));
    assert_int_equal(st.last_len, strlen(L2));
    assert_int_equal(st.head_len, strlen(L1 L2));
    assert_string_equal(st.last_text, "DATE=20150910183300.000000 HOST=b TYPE=STOR CODE=226");
    esm_ld_error err;
    assert_int_equal(esm_gftp_state_write(sp, &st, &err), 0);
    assert_int_equal(count_files(), 2); /* no temporary file left */
    struct stat sb;
    assert_int_equal(stat(sp, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0600); /* it quotes a record: for the loader's user only */
    assert_int_equal(esm_gftp_state_read(sp, &back, &err), 0);
    assert_int_equal(back.style, ESM_GFTP_NETLOGGER);
    assert_string_equal(back.log, log);
    assert_int_equal(back.device, st.device);
    assert_int_equal(back.inode, st.inode);
    assert_int_equal(back.offset, st.offset);
    assert_int_equal(back.line, 2);
    assert_int_equal(back.head_len, st.head_len);
    assert_int_equal(back.head_hash, st.head_hash);
    assert_int_equal(back.last_begin, st.last_begin);
    assert_int_equal(back.last_len, st.last_len);
    assert_int_equal(back.last_hash, st.last_hash);
    assert_string_equal(back.last_text, st.last_text);
    /* the hash is FNV-1a of the record's bytes */
    assert_int_equal(back.last_hash, esm_fnv1a64(ESM_FNV1A64_INIT, L2, strlen(L2)));

    /* a later state replaces it whole */
    st.style = ESM_GFTP_JSON;
    assert_int_equal(esm_gftp_state_write(sp, &st, &err), 0);
    esm_gftp_state_clear(&back);
    assert_int_equal(esm_gftp_state_read(sp, &back, &err), 0);
    assert_int_equal(back.style, ESM_GFTP_JSON);
    assert_int_equal(count_files(), 2);
    esm_gftp_state_clear(&back);
    esm_gftp_state_clear(&st);
}

static void test_empty_log(void **state)
{
    const char *log = path_of("empty.log"), *sp = path_of("state");
    write_file(log, "", "w");
    int fd = open(log, O_RDONLY);
    esm_gftp_state st, back;
    esm_ld_error err;
    assert_int_equal(esm_gftp_state_describe(&st, ESM_GFTP_NETLOGGER, log, fd, 0, 0, 0, &err), 0);
    assert_int_equal(esm_gftp_state_write(sp, &st, &err), 0);
    assert_int_equal(esm_gftp_state_read(sp, &back, &err), 0);
    assert_int_equal(back.last_len, 0);
    assert_null(back.last_text);
    assert_int_equal(esm_gftp_state_matches(&back, fd, &err), 1);
    close(fd);
    esm_gftp_state_clear(&back);
    esm_gftp_state_clear(&st);
}

static int matches(const esm_gftp_state *st, const char *log, esm_ld_error *why)
{
    int fd = open(log, O_RDONLY);
    assert_true(fd >= 0);
    int m = esm_gftp_state_matches(st, fd, why);
    close(fd);
    return m;
}

static void test_matches(void **state)
{
    esm_gftp_state st;
    const char *log = path_of("transfer.log");
    esm_ld_error why;
    describe_two(&st, log);
    assert_int_equal(matches(&st, log, &why), 1);
    write_file(log, L3, "a"); /* grown: still the same log */
    assert_int_equal(matches(&st, log, &why), 1);

    write_file(log, L1, "w"); /* truncated */
    assert_int_equal(matches(&st, log, &why), 0);
    assert_non_null(strstr(why.msg, "fewer"));

    write_file(log, "X" L1 L2, "w"); /* other first bytes */
    assert_int_equal(matches(&st, log, &why), 0);
    assert_non_null(strstr(why.msg, "first bytes"));
    esm_gftp_state_clear(&st);

    /* Longer than the head: a rewritten last record is seen on its own. */
    write_file(log, "", "w");
    for (int i = 0; i < 100; i++)
        write_file(log, L1, "a");
    write_file(log, L2, "a");
    int fd = open(log, O_RDONLY);
    uint64_t end = 100 * strlen(L1) + strlen(L2);
    assert_int_equal(esm_gftp_state_describe(&st, ESM_GFTP_NETLOGGER, log, fd, end, 101, end - strlen(L2), &why), 0);
    close(fd);
    assert_int_equal(st.head_len, 4096);
    assert_int_equal(matches(&st, log, &why), 1);
    write_file(log, "", "w");
    for (int i = 0; i < 100; i++)
        write_file(log, L1, "a");
    write_file(log, L3, "a"); /* as long, other last record */
    assert_int_equal(matches(&st, log, &why), 0);
    assert_non_null(strstr(why.msg, "differs"));
    esm_gftp_state_clear(&st);
}

static void test_not_our_state(void **state)
{
    esm_gftp_state st;
    esm_ld_error err;
    assert_int_equal(esm_gftp_state_read(path_of("none"), &st, &err), 1);
    /* not ours: to be left untouched */
    const char *foreign[] = {
        "",                                                      /* what Python 3's failed pickle write left */
        "(dp0\nS'date'\np1\nS'20150910183256.000000'\n",          /* a protocol-0 pickle */
        "\x80\x04\x95\x10\x00\x00\x00",                                 /* a protocol-4 pickle */
        "{\"format\": \"something else\"}",
        "[1, 2]",
    };
    for (size_t i = 0; i < sizeof foreign / sizeof foreign[0]; i++) {
        write_file(path_of("state"), foreign[i], "w");
        err.msg[0] = 0;
        assert_int_equal(esm_gftp_state_read(path_of("state"), &st, &err), ESM_GFTP_STATE_FOREIGN);
        assert_true(err.msg[0] != 0);
        assert_null(st.log);
    }
    /* ours, but not usable: to be replaced */
    const char *cases[] = {
        "{\"format\": \"esmond-ps-load-gridftp state\", \"version\": 2}",
        "{\"format\": \"esmond-ps-load-gridftp state\", \"version\": 1, \"style\": \"netlogger\"}",
        "{\"format\": \"esmond-ps-load-gridftp state\", \"version\": 1, \"style\": \"xml\", \"log\": \"/l\","
        " \"device\": 1, \"inode\": 2, \"offset\": 10, \"line\": 1,"
        " \"head\": {\"length\": 10, \"fnv1a64\": \"0123456789abcdef\"}}",
        /* last record not ending at offset */
        "{\"format\": \"esmond-ps-load-gridftp state\", \"version\": 1, \"style\": \"json\", \"log\": \"/l\","
        " \"device\": 1, \"inode\": 2, \"offset\": 10, \"line\": 1,"
        " \"head\": {\"length\": 10, \"fnv1a64\": \"0123456789abcdef\"},"
        " \"last_record\": {\"offset\": 2, \"length\": 3, \"fnv1a64\": \"0123456789abcdef\"}}",
        /* head longer than what was read */
        "{\"format\": \"esmond-ps-load-gridftp state\", \"version\": 1, \"style\": \"json\", \"log\": \"/l\","
        " \"device\": 1, \"inode\": 2, \"offset\": 10, \"line\": 1,"
        " \"head\": {\"length\": 11, \"fnv1a64\": \"0123456789abcdef\"}}",
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        write_file(path_of("state"), cases[i], "w");
        err.msg[0] = 0;
        assert_int_equal(esm_gftp_state_read(path_of("state"), &st, &err), -1);
        assert_true(err.msg[0] != 0);
        assert_null(st.log);
    }
    /* a well-formed one for comparison */
    write_file(path_of("state"),
               "{\"format\": \"esmond-ps-load-gridftp state\", \"version\": 1, \"style\": \"json\", \"log\": \"/l\","
               " \"device\": 1, \"inode\": 2, \"offset\": 10, \"line\": 1,"
               " \"head\": {\"length\": 10, \"fnv1a64\": \"0123456789abcdef\"},"
               " \"last_record\": {\"offset\": 7, \"length\": 3, \"fnv1a64\": \"0123456789abcdef\"}}",
               "w");
    assert_int_equal(esm_gftp_state_read(path_of("state"), &st, &err), 0);
    assert_int_equal(st.head_hash, 0x0123456789abcdefULL);
    assert_int_equal(st.last_begin, 7);
    esm_gftp_state_clear(&st);
}

/* A record that is not UTF-8 (binary junk) is kept by its hash only. */
static void test_binary_last_record(void **state)
{
    const char *log = path_of("junk.log"), *sp = path_of("state");
    write_file(log, L1 "\xff\xfe\x01junk\n", "w");
    int fd = open(log, O_RDONLY);
    esm_gftp_state st, back;
    esm_ld_error err;
    uint64_t end = strlen(L1 "\xff\xfe\x01junk\n");
    assert_int_equal(esm_gftp_state_describe(&st, ESM_GFTP_NETLOGGER, log, fd, end, 2, strlen(L1), &err),
                     0);
    assert_int_equal(esm_gftp_state_write(sp, &st, &err), 0);
    assert_int_equal(esm_gftp_state_read(sp, &back, &err), 0);
    assert_null(back.last_text);
    assert_int_equal(back.last_hash, st.last_hash);
    assert_int_equal(esm_gftp_state_matches(&back, fd, &err), 1);
    close(fd);
    esm_gftp_state_clear(&back);
    esm_gftp_state_clear(&st);
}

/* A state that cannot be written leaves the old one and no temporary file. */
static void test_write_failure(void **state)
{
    esm_gftp_state st;
    describe_two(&st, path_of("transfer.log"));
    esm_ld_error err;
    assert_int_equal(esm_gftp_state_write(path_of("no/such/dir/state"), &st, &err), -1);
    assert_non_null(strstr(err.msg, "cannot create"));
    /* a directory in the way of the rename */
    const char *sp = path_of("statedir");
    assert_int_equal(mkdir(sp, 0755), 0);
    write_file(path_of("statedir/keep"), "x", "w");
    assert_int_equal(esm_gftp_state_write(sp, &st, &err), -1);
    assert_non_null(strstr(err.msg, "rename"));
    unlink(path_of("statedir/keep"));
    rmdir(sp);
    assert_int_equal(count_files(), 1); /* only the log */
    esm_gftp_state_clear(&st);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, make_dir, remove_dir)
    const struct CMUnitTest tests[] = {
        T(test_round_trip), T(test_empty_log), T(test_matches), T(test_not_our_state),
        T(test_binary_last_record), T(test_write_failure),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
