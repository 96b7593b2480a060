/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * The tests' scratch directories (tests/helpers/tmpdir.h): made 0700 under
 * $TMPDIR with the test's name in them, removed whole without following a
 * symlink, even below directories a test left without permissions; kept
 * under OGUP_KEEP_TMP=1; anything not made by tmpdir_make() refused.
 */
#include <criterion/criterion.h>
#include <criterion/redirect.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fs.h"

#include "../helpers/tmpdir.h"

/* $TMPDIR for the tests here: a scratch directory of its own */
static char base[PATH_MAX];

static void setup(void)
{
    unsetenv("OGUP_KEEP_TMP"); /* this file sets it where it means to */
    unsetenv("TMPDIR");
    cr_assert_eq(tmpdir_make("tmpdir", base, sizeof(base)), 0);
    cr_assert_eq(setenv("TMPDIR", base, 1), 0);
}

static void teardown(void)
{
    unsetenv("OGUP_KEEP_TMP");
    tmpdir_remove(base);
}

TestSuite(tmpdir, .init = setup, .fini = teardown);

static void put(const char *dir, const char *name, const char *text)
{
    char p[PATH_MAX + 64];

    snprintf(p, sizeof(p), "%s/%s", dir, name);
    cr_assert_eq(fs_replace_file(p, text, strlen(text), 0600, NULL), 0, "%s", p);
}

static void sub(const char *dir, const char *name, char *buf, size_t size)
{
    snprintf(buf, size, "%s/%s", dir, name);
}

Test(tmpdir, made_private_under_tmpdir_with_the_name)
{
    char d[PATH_MAX], prefix[PATH_MAX + 32];
    struct stat st;

    cr_assert_eq(tmpdir_make("some-test", d, sizeof(d)), 0);
    snprintf(prefix, sizeof(prefix), "%s/ogup-test-some-test-", base);
    cr_assert_eq(strncmp(d, prefix, strlen(prefix)), 0, "%s", d);
    cr_assert_eq(strlen(d), strlen(prefix) + 6, "%s", d);
    cr_assert_eq(lstat(d, &st), 0);
    cr_assert(S_ISDIR(st.st_mode));
    cr_assert_eq(st.st_mode & 07777, 0700);
}

Test(tmpdir, tmp_when_tmpdir_is_unset_empty_or_relative)
{
    static const char *const values[] = {NULL, "", "relative/dir"};

    for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
        char d[PATH_MAX];

        if (values[i])
            setenv("TMPDIR", values[i], 1);
        else
            unsetenv("TMPDIR");
        cr_assert_eq(tmpdir_make("tmpdir-default", d, sizeof(d)), 0);
        cr_assert_eq(strncmp(d, "/tmp/ogup-test-tmpdir-default-", 30), 0, "%s", d);
        cr_assert_eq(tmpdir_remove(d), 0);
        cr_assert_neq(access(d, F_OK), 0, "%s removed", d);
    }
}

Test(tmpdir, too_long_is_an_error_not_a_cut_path)
{
    char d[16] = "junk";

    cr_assert_eq(tmpdir_make("a-name-longer-than-the-buffer", d, sizeof(d)), -ENAMETOOLONG);
    cr_assert_str_eq(d, "");
    cr_assert_eq(tmpdir_remove(d), 0, "an empty path is nothing to do");
}

Test(tmpdir, failure_leaves_an_empty_path)
{
    char d[PATH_MAX];

    setenv("TMPDIR", "/nonexistent/ogup", 1);
    cr_assert_eq(tmpdir_make("x", d, sizeof(d)), -ENOENT);
    cr_assert_str_eq(d, "");
}

/* Everything below goes, a symlink's target stays: to a directory outside
 * (with a file in it) and to a file outside. Directories without write or
 * search permission are emptied too (matters when not root). */
Test(tmpdir, removes_all_below_without_following_symlinks)
{
    char d[PATH_MAX], outside[PATH_MAX], p[PATH_MAX + 64], q[PATH_MAX + 64];

    cr_assert_eq(tmpdir_make("outside", outside, sizeof(outside)), 0);
    put(outside, "keep", "precious\n");
    cr_assert_eq(tmpdir_make("tree", d, sizeof(d)), 0);
    sub(d, "a/b/c", p, sizeof(p));
    cr_assert_eq(fs_mkdir_p(p, 0755, NULL), 0);
    put(d, "a/b/c/f", "x\n");
    put(d, "a/f", "y\n");
    sub(d, "a/link-dir", p, sizeof(p));
    cr_assert_eq(symlink(outside, p), 0);
    sub(d, "a/link-file", p, sizeof(p));
    sub(outside, "keep", q, sizeof(q));
    cr_assert_eq(symlink(q, p), 0);
    sub(d, "a/b/c", p, sizeof(p));
    cr_assert_eq(chmod(p, 0500), 0); /* read-only: its file cannot go as it is */
    sub(d, "a/b", p, sizeof(p));
    cr_assert_eq(chmod(p, 0000), 0);

    cr_assert_eq(tmpdir_remove(d), 0);
    cr_assert_neq(access(d, F_OK), 0, "%s is gone", d);
    cr_assert_eq(access(q, F_OK), 0, "the symlinks' target is kept");
    cr_assert_eq(tmpdir_remove(d), 0, "an absent path is nothing to do");
    cr_assert_eq(tmpdir_remove(outside), 0);
}

Test(tmpdir, only_its_own_directories_are_removed)
{
    char d[PATH_MAX + 64];

    snprintf(d, sizeof(d), "%s/not-a-scratch-dir", base);
    cr_assert_eq(mkdir(d, 0700), 0);
    cr_assert_eq(tmpdir_remove(d), -EINVAL);
    cr_assert_eq(access(d, F_OK), 0, "left alone");
    cr_assert_eq(tmpdir_remove("ogup-test-relative-but-absent"), 0);
}

Test(tmpdir, kept_and_printed_under_ogup_keep_tmp, .init = cr_redirect_stderr)
{
    char d[PATH_MAX], line[PATH_MAX + 64];

    cr_assert_eq(tmpdir_make("keep", d, sizeof(d)), 0);
    put(d, "evidence", "what the failing test left\n");
    setenv("OGUP_KEEP_TMP", "1", 1);
    cr_assert_eq(tmpdir_remove(d), 0);
    cr_assert_eq(access(d, F_OK), 0, "kept");
    fflush(stderr);
    snprintf(line, sizeof(line), "tmpdir: kept %s (OGUP_KEEP_TMP is set)\n", d);
    cr_assert_stderr_eq_str(line);
    setenv("OGUP_KEEP_TMP", "0", 1);
    cr_assert_eq(tmpdir_remove(d), 0);
    cr_assert_neq(access(d, F_OK), 0, "OGUP_KEEP_TMP=0 keeps nothing");
}
