/* SPDX-License-Identifier: MulanPSL-2.0 */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fs.h"
#include "lockfile.h"

static char path[64];

static void setup(void)
{
    snprintf(path, sizeof(path), "/tmp/ogup-lock-%d", getpid());
    unlink(path);
}

static void teardown(void)
{
    unlink(path);
}

TestSuite(lockfile, .init = setup, .fini = teardown);

Test(lockfile, second_holder_refused_until_release)
{
    struct lockfile *a = NULL, *b = NULL;
    struct og_error err = {0};
    _cleanup_free_ char *content = NULL;
    char expect[64];
    struct stat st;

    cr_assert_eq(lockfile_acquire(path, "gs_upgradectl", 0, &a, &err), 0, "%s", err.detail);
    cr_assert_eq(stat(path, &st), 0);
    cr_assert_eq(st.st_mode & 0777, 0600);
    cr_assert_eq(fs_read_file(path, 4096, &content, NULL, &err), 0);
    snprintf(expect, sizeof(expect), "pid=%d tool=gs_upgradectl ", getpid());
    cr_assert_eq(strncmp(content, expect, strlen(expect)), 0, "content: %s", content);

    cr_assert_eq(lockfile_acquire(path, "other", 0, &b, &err), -OG_E_LOCKED);
    cr_assert_eq(err.code, OG_E_LOCKED);
    cr_assert_null(b);
    cr_assert_not_null(strstr(err.detail, expect), "detail names the holder: %s", err.detail);

    lockfile_release(a);
    cr_assert_eq(lockfile_acquire(path, "other", 0, &b, &err), 0);
    lockfile_release(b);
    lockfile_release(NULL);
}

/* Start util_helper hold-lock PATH MS; returns once it holds the lock. */
static pid_t start_holder(const char *ms)
{
    int pipefd[2];
    char buf[16] = "";
    pid_t pid;

    cr_assert_eq(pipe(pipefd), 0);
    pid = fork();
    cr_assert_geq(pid, 0);
    if (pid == 0) {
        dup2(pipefd[1], STDOUT_FILENO);
        close(pipefd[0]);
        execl(UTIL_HELPER_PATH, "util_helper", "hold-lock", path, ms, (char *)NULL);
        _exit(127);
    }
    close(pipefd[1]);
    cr_assert_eq(read(pipefd[0], buf, 7), 7, "helper did not take the lock");
    cr_assert_str_eq(buf, "locked\n");
    close(pipefd[0]);
    return pid;
}

/* The kernel drops the lock of a holder that dies: no stale lock. */
Test(lockfile, dead_holder_leaves_no_lock)
{
    struct lockfile *l = NULL;
    struct og_error err = {0};
    int status;
    pid_t pid = start_holder("-1");

    cr_assert_eq(lockfile_acquire(path, "parent", 0, &l, &err), -OG_E_LOCKED);
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
    cr_assert_eq(lockfile_acquire(path, "parent", 0, &l, &err), 0, "%s", err.detail);
    lockfile_release(l);
}

Test(lockfile, waits_for_release_within_timeout)
{
    struct lockfile *l = NULL;
    struct og_error err = {0};
    int status;
    pid_t pid = start_holder("400");

    cr_assert_eq(lockfile_acquire(path, "parent", 100, &l, &err), -OG_E_LOCKED, "too short");
    cr_assert_eq(lockfile_acquire(path, "parent", 5000, &l, &err), 0, "%s", err.detail);
    lockfile_release(l);
    waitpid(pid, &status, 0);
    cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

Test(lockfile, missing_directory_is_not_exist)
{
    struct lockfile *l = NULL;
    struct og_error err = {0};

    cr_assert_eq(lockfile_acquire("/no/such/dir/lock", "x", 0, &l, &err), -OG_E_NOT_EXIST);
    cr_assert_eq(err.code, OG_E_NOT_EXIST);
    cr_assert_null(l);
}
