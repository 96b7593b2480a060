/* SPDX-License-Identifier: MulanPSL-2.0 */
/* simulator/package/tartree: the builder's sticky error. After a failed add
 * nothing more is added, and the write reports the failure before it makes
 * any file: a package is never written with an entry missing. */
#include <archive.h>
#include <archive_entry.h>
#include <criterion/criterion.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../helpers/tmpdir.h"
#include "tartree.h"

static char dir[PATH_MAX];

static void setup(void)
{
    cr_assert_eq(tmpdir_make("tartree", dir, sizeof(dir)), 0);
}

static void teardown(void)
{
    tmpdir_remove(dir);
}

TestSuite(tartree, .init = setup, .fini = teardown);

Test(tartree, writes_entries_sorted)
{
    _cleanup_tar_tree_ struct tar_tree t = {0};
    struct og_error err = {0};
    struct archive *a = archive_read_new();
    struct archive_entry *e;
    char p[PATH_MAX + 32];
    const char *want[] = {"a/", "a/x", "b"}; /* a directory ends in / */
    size_t k = 0;

    snprintf(p, sizeof(p), "%s/t.tar.gz", dir);
    cr_assert_eq(tar_tree_add(&t, ENTRY_MEM, "b", 0644, "hi", 2), 0);
    cr_assert_eq(tar_tree_add_dirs(&t, (const char *const[]){"a", NULL}), 0);
    cr_assert_eq(tar_tree_add(&t, ENTRY_SYMLINK, "a/x", 0777, "../b", 0), 0);
    cr_assert_eq(tar_tree_write(&t, TAR_GZIP, 0, p, "t", &err), 0, "%s", err.detail);
    archive_read_support_filter_all(a);
    archive_read_support_format_all(a);
    cr_assert_eq(archive_read_open_filename(a, p, 10240), ARCHIVE_OK);
    while (archive_read_next_header(a, &e) == ARCHIVE_OK) {
        cr_assert_lt(k, 3);
        cr_assert_str_eq(archive_entry_pathname(e), want[k]);
        k++;
    }
    cr_assert_eq(k, 3);
    archive_read_free(a);
}

Test(tartree, a_failed_add_is_sticky_and_nothing_is_written)
{
    _cleanup_tar_tree_ struct tar_tree t = {0};
    struct og_error err = {0};
    char p[PATH_MAX + 32];

    snprintf(p, sizeof(p), "%s/t.tar.gz", dir);
    cr_assert_eq(tar_tree_add(&t, ENTRY_DIR, "a", 0755, NULL, 0), 0);
    /* a DISK entry without a source path cannot be added (as when out of memory) */
    cr_assert_eq(tar_tree_add(&t, ENTRY_DISK, "b", 0644, NULL, 0), -OG_E_NOMEM);
    cr_assert_eq(tar_tree_add(&t, ENTRY_DIR, "c", 0755, NULL, 0), -OG_E_NOMEM, "sticky");
    cr_assert_eq(tar_tree_add_dirs(&t, (const char *const[]){"d", NULL}), -OG_E_NOMEM);
    cr_assert_eq(t.n, 1, "nothing added after the failure");
    cr_assert_eq(tar_tree_write(&t, TAR_GZIP, 0, p, "the test tarball", &err), -OG_E_NOMEM);
    cr_assert_eq(err.code, OG_E_NOMEM);
    cr_assert(strstr(err.detail, "building the test tarball"), "%s", err.detail);
    cr_assert_neq(access(p, F_OK), 0, "no tarball was written");
}
