/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * tmpdir.h - the tests' scratch directories, one way for every test program.
 *
 * tmpdir_make() creates a private (0700, mkdtemp) directory
 * $TMPDIR/ogup-test-<name>-XXXXXX ($TMPDIR unset, empty or not absolute:
 * /tmp) and writes its path to the caller's buffer; tmpdir_remove() removes
 * it with everything below it, no symlink followed (fs_remove_tree), after
 * giving back to its owner the directories a test left without write or
 * search permission. With OGUP_KEEP_TMP=1 in the environment tmpdir_remove()
 * keeps the directory and prints its path on stderr instead, to look at what
 * a failing test left there (a .fini cannot tell failure from success: set
 * it when re-running the failing test).
 *
 * The usual shape, in a Criterion suite (.fini runs when the test failed
 * too; not when it crashed or timed out):
 *
 *     static char dir[PATH_MAX];
 *     static void setup(void) { cr_assert_eq(tmpdir_make("fs", dir, sizeof(dir)), 0); }
 *     static void teardown(void) { tmpdir_remove(dir); }
 *     TestSuite(fs, .init = setup, .fini = teardown);
 *
 * A test that takes its own directory gives itself the same pair with
 * Test(suite, name, .fini = ...). A test that needs another owner or mode
 * (a directory handed to omm or nobody) sets it after tmpdir_make(); such
 * a user must be able to search $TMPDIR (/tmp: yes).
 *
 * Header-only on purpose: the test programs are built by several
 * meson.build files (tests/ and the folders that register their own tests;
 * kfixture.c is compiled into one of those), and a few are not Criterion
 * programs (test_failpoint_build, the fuzz targets). Nothing here uses
 * Criterion; failures are returned, the caller asserts.
 */
#pragma once

#include <errno.h>
#include <ftw.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fs.h"

#define TMPDIR_PREFIX "ogup-test-"

/* $TMPDIR when it is an absolute path, else /tmp. */
static inline const char *tmpdir_base(void)
{
    const char *t = getenv("TMPDIR");

    return t && t[0] == '/' ? t : "/tmp";
}

/* OGUP_KEEP_TMP set, non-empty and not "0": scratch directories are kept. */
static inline bool tmpdir_keep(void)
{
    const char *k = getenv("OGUP_KEEP_TMP");

    return k && k[0] && strcmp(k, "0") != 0;
}

/* Create $TMPDIR/ogup-test-<name>-XXXXXX (0700); its path in buf. 0, or
 * -errno (-ENAMETOOLONG when the path does not fit in size); on failure buf
 * is "" (tmpdir_remove of it does nothing). */
static inline int tmpdir_make(const char *name, char *buf, size_t size)
{
    int n, r;

    if (size == 0)
        return -ENAMETOOLONG;
    n = snprintf(buf, size, "%s/" TMPDIR_PREFIX "%s-XXXXXX", tmpdir_base(), name);
    if (n < 0 || (size_t)n >= size) {
        buf[0] = '\0';
        return -ENAMETOOLONG;
    }
    if (!mkdtemp(buf)) {
        r = -errno;
        buf[0] = '\0';
        return r;
    }
    return 0;
}

/* nftw callback: a directory its owner could not empty gets u+rwx; 1 (walk
 * again) when it was unreadable, its entries unseen. */
static inline int tmpdir_open_one(const char *path, const struct stat *st, int flag,
                                  struct FTW *ftw)
{
    (void)ftw;
    if ((flag == FTW_D || flag == FTW_DNR) && (st->st_mode & S_IRWXU) != S_IRWXU &&
        chmod(path, (st->st_mode & 07777) | S_IRWXU) == 0 && flag == FTW_DNR)
        return 1;
    return 0;
}

/* Remove a directory tmpdir_make() made, everything below it included (no
 * symlink followed); kept, its path printed, under OGUP_KEEP_TMP=1. An
 * empty or absent path is nothing to do; a path whose last component does
 * not begin with "ogup-test-" is refused (-EINVAL), never removed. 0 or a
 * negative code. */
static inline int tmpdir_remove(const char *path)
{
    const char *base;
    struct stat st;

    if (!path || !path[0] || (lstat(path, &st) < 0 && errno == ENOENT))
        return 0;
    base = strrchr(path, '/');
    if (strncmp(base ? base + 1 : path, TMPDIR_PREFIX, strlen(TMPDIR_PREFIX)) != 0)
        return -EINVAL;
    if (tmpdir_keep()) {
        fprintf(stderr, "tmpdir: kept %s (OGUP_KEEP_TMP is set)\n", path);
        return 0;
    }
    while (nftw(path, tmpdir_open_one, 16, FTW_PHYS) == 1)
        ; /* each round opens one more unreadable directory */
    return fs_remove_tree(path, NULL);
}
