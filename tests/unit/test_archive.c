/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * test_archive.c - tarball_extract() against crafted tarballs (issue 15 row 1):
 * hardlinks absolute, with "..", resolving outside (through the working
 * directory or a symlink), a legitimate GNU tar hardlink, devices, FIFOs,
 * set-id and sticky bits, names longer than NAME_MAX / PATH_MAX, a file
 * written through a symlink member. The tarballs are written here with
 * libarchive's writer.
 */
#include <archive.h>
#include <archive_entry.h>
#include <criterion/criterion.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "tarball.h"
#include "fs.h"
#include "ogerror.h"

#include "../helpers/tmpdir.h"

enum kind { REG, DIR_, SYM, HARD, CHR, FIFO_ };

struct member {
    enum kind kind;
    const char *name;
    int mode;         /* permission bits (0 = 0644 / 0755) */
    const char *data; /* REG: contents; SYM/HARD: the link's target */
};

static char tmp[PATH_MAX], dest[PATH_MAX], tarball[PATH_MAX], outside[PATH_MAX];

static void setup(void)
{
    cr_assert_eq(tmpdir_make("archive", tmp, sizeof(tmp)), 0);
    snprintf(dest, sizeof(dest), "%s/dest", tmp);
    snprintf(tarball, sizeof(tarball), "%s/pkg.tar", tmp);
    snprintf(outside, sizeof(outside), "%s/outside.txt", tmp);
    cr_assert_eq(mkdir(dest, 0755), 0);
    FILE *f = fopen(outside, "w");
    cr_assert_not_null(f);
    fputs("precious\n", f);
    fclose(f);
}

static void teardown(void)
{
    tmpdir_remove(tmp);
}

TestSuite(archive, .init = setup, .fini = teardown);

static void add(struct archive *a, const struct member *m)
{
    struct archive_entry *e = archive_entry_new();
    size_t len = m->kind == REG && m->data ? strlen(m->data) : 0;

    archive_entry_set_pathname(e, m->name);
    archive_entry_set_uid(e, getuid());
    archive_entry_set_gid(e, getgid());
    archive_entry_set_mtime(e, 1700000000, 0);
    switch (m->kind) {
    case REG:
        archive_entry_set_filetype(e, AE_IFREG);
        break;
    case DIR_:
        archive_entry_set_filetype(e, AE_IFDIR);
        break;
    case SYM:
        archive_entry_set_filetype(e, AE_IFLNK);
        archive_entry_set_symlink(e, m->data);
        break;
    case HARD:
        archive_entry_set_filetype(e, AE_IFREG);
        archive_entry_set_hardlink(e, m->data);
        break;
    case CHR:
        archive_entry_set_filetype(e, AE_IFCHR);
        archive_entry_set_rdev(e, makedev(1, 3));
        break;
    case FIFO_:
        archive_entry_set_filetype(e, AE_IFIFO);
        break;
    }
    archive_entry_set_perm(e, m->mode ? m->mode : m->kind == DIR_ ? 0755 : 0644);
    archive_entry_set_size(e, (la_int64_t)len);
    cr_assert_eq(archive_write_header(a, e), ARCHIVE_OK, "%s: %s", m->name,
                 archive_error_string(a));
    if (len)
        cr_assert_eq(archive_write_data(a, m->data, len), (la_ssize_t)len);
    archive_entry_free(e);
}

/* A GNU tar (gnu = true) or pax tarball of the members at tarball. */
static void make(bool gnu, const struct member *m, size_t n)
{
    struct archive *a = archive_write_new();

    cr_assert_eq(gnu ? archive_write_set_format_gnutar(a) : archive_write_set_format_pax(a),
                 ARCHIVE_OK);
    cr_assert_eq(archive_write_open_filename(a, tarball), ARCHIVE_OK);
    for (size_t i = 0; i < n; i++)
        add(a, &m[i]);
    cr_assert_eq(archive_write_close(a), ARCHIVE_OK);
    archive_write_free(a);
}

static int extract(void)
{
    struct og_error err = {0};
    int r = tarball_extract(tarball, dest, &err);
    cr_log_info("tarball_extract: %d %s", r, err.detail);
    return r;
}

static bool exists(const char *rel)
{
    char p[PATH_MAX * 2];
    struct stat st;
    snprintf(p, sizeof(p), "%s/%s", dest, rel);
    return lstat(p, &st) == 0;
}

static void outside_untouched(void)
{
    struct stat st;
    char buf[64] = {0};
    FILE *f = fopen(outside, "r");

    cr_assert_not_null(f);
    cr_assert_not_null(fgets(buf, sizeof(buf), f));
    fclose(f);
    cr_assert_str_eq(buf, "precious\n");
    cr_assert_eq(stat(outside, &st), 0);
    cr_assert_eq(st.st_nlink, 1, "the file outside the target got a hardlink");
}

/* ---- the tree a good package makes ------------------------------------------ */

Test(archive, extracts_files_dirs_symlinks_modes_and_times)
{
    const struct member m[] = {
        {DIR_, "./", 0, NULL},
        {DIR_, "bin", 0555, NULL}, /* read-only: its files still land */
        {REG, "bin/gaussdb", 0750, "ELF\n"},
        {SYM, "bin/postgres", 0777, "gaussdb"},
        {SYM, "bin/psql", 0777, "/usr/lib/postgresql/15/bin/psql"},
        {REG, "./share/a/b/c.sql", 0640, "select 1;\n"},
    };
    struct stat st;
    char p[PATH_MAX * 2], link[64] = {0};

    make(false, m, 6);
    cr_assert_eq(extract(), 0);
    snprintf(p, sizeof(p), "%s/bin/gaussdb", dest);
    cr_assert_eq(stat(p, &st), 0);
    cr_assert_eq(st.st_mode & 07777, 0750);
    cr_assert_eq(st.st_mtime, 1700000000);
    snprintf(p, sizeof(p), "%s/bin", dest);
    cr_assert_eq(stat(p, &st), 0);
    cr_assert_eq(st.st_mode & 07777, 0555);
    cr_assert_eq(st.st_mtime, 1700000000);
    snprintf(p, sizeof(p), "%s/bin/psql", dest);
    cr_assert_gt(readlink(p, link, sizeof(link) - 1), 0);
    cr_assert_str_eq(link, "/usr/lib/postgresql/15/bin/psql");
    cr_assert(exists("share/a/b/c.sql"));
    snprintf(p, sizeof(p), "%s/share/a/b/c.sql", dest);
    cr_assert_eq(stat(p, &st), 0);
    cr_assert_eq(st.st_mode & 07777, 0640);
}

/* A member named like an earlier symlink member is written in its place, never
 * through it. */
Test(archive, a_file_replaces_a_symlink_member_not_writes_through_it)
{
    const struct member m[] = {
        {SYM, "a", 0777, outside},
        {REG, "a", 0644, "mine\n"},
    };
    struct stat st;
    char p[PATH_MAX * 2];

    make(false, m, 2);
    cr_assert_eq(extract(), 0);
    snprintf(p, sizeof(p), "%s/a", dest);
    cr_assert_eq(lstat(p, &st), 0);
    cr_assert(S_ISREG(st.st_mode));
    outside_untouched();
}

/* ---- names ------------------------------------------------------------------------ */

Test(archive, absolute_name_refused)
{
    char name[PATH_MAX];
    snprintf(name, sizeof(name), "%s/abs.txt", tmp);
    const struct member m[] = {{REG, name, 0644, "x\n"}};

    make(false, m, 1);
    cr_assert_eq(extract(), -OG_E_CONTENT_INVALID);
    cr_assert(access(name, F_OK) != 0);
}

Test(archive, dotdot_name_refused)
{
    const struct member m[] = {{REG, "a/../../escaped.txt", 0644, "x\n"}};
    char p[PATH_MAX * 2];

    make(false, m, 1);
    cr_assert_eq(extract(), -OG_E_CONTENT_INVALID);
    snprintf(p, sizeof(p), "%s/escaped.txt", tmp);
    cr_assert(access(p, F_OK) != 0);
}

Test(archive, component_longer_than_name_max_is_an_error)
{
    char name[NAME_MAX + 40];
    memset(name, 'n', sizeof(name) - 1);
    name[sizeof(name) - 1] = '\0';
    const struct member m[] = {{REG, name, 0644, "x\n"}};

    make(true, m, 1);
    cr_assert_eq(extract(), -OG_E_TOO_LARGE);
}

/* Longer than PATH_MAX in all: never cut to a shorter name. */
Test(archive, name_longer_than_path_max_is_an_error_not_cut)
{
    static char name[PATH_MAX + 200];
    size_t len = 0;
    DIR *d;

    while (len + 101 < sizeof(name) - 1) {
        memset(name + len, 'd', 100);
        name[len + 100] = '/';
        len += 101;
    }
    memcpy(name + len, "f", 2);
    const struct member m[] = {{REG, name, 0644, "x\n"}};

    make(true, m, 1);
    cr_assert_eq(extract(), -OG_E_TOO_LARGE);
    /* nothing made: no shortened copy of the name */
    d = opendir(dest);
    cr_assert_not_null(d);
    for (struct dirent *de; (de = readdir(d));)
        cr_assert(de->d_name[0] == '.', "made %s", de->d_name);
    closedir(d);
}

/* ---- links -------------------------------------------------------------------------- */

Test(archive, absolute_hardlink_refused)
{
    const struct member m[] = {{HARD, "h", 0644, outside}};

    make(false, m, 1);
    cr_assert_eq(extract(), -OG_E_CONTENT_INVALID);
    cr_assert_not(exists("h"));
    outside_untouched();
}

Test(archive, dotdot_hardlink_refused)
{
    const struct member m[] = {{HARD, "h", 0644, "../outside.txt"}};

    make(false, m, 1);
    cr_assert_eq(chdir(dest), 0);
    cr_assert_eq(extract(), -OG_E_CONTENT_INVALID);
    cr_assert_not(exists("h"));
    outside_untouched();
}

/* A relative hardlink names a member of the package, never a file of the
 * working directory ($HOME over SSH). */
Test(archive, relative_hardlink_never_resolves_against_the_working_directory)
{
    const struct member m[] = {{HARD, "h", 0644, "outside.txt"}};

    make(false, m, 1);
    cr_assert_eq(chdir(tmp), 0);
    cr_assert_eq(extract(), -OG_E_ARCHIVE_UNSAFE);
    cr_assert_not(exists("h"));
    outside_untouched();
}

Test(archive, relative_hardlink_through_a_symlink_member_refused)
{
    const struct member m[] = {
        {SYM, "up", 0777, tmp},
        {HARD, "h", 0644, "up/outside.txt"},
    };

    make(false, m, 2);
    cr_assert_eq(extract(), -OG_E_ARCHIVE_UNSAFE);
    cr_assert_not(exists("h"));
    outside_untouched();
}

/* GNU tar writes the second name of a file as a hardlink to the first: it
 * links to that member, inside the target, whatever the working directory. */
Test(archive, gnu_tar_hardlink_to_an_earlier_member_links_the_right_file)
{
    const struct member m[] = {
        {DIR_, "./lib/", 0755, NULL},
        {REG, "./lib/libpq.so.5.5", 0755, "library\n"},
        {HARD, "./lib/libpq.so.5", 0755, "./lib/libpq.so.5.5"},
        {HARD, "lib/libpq.so", 0755, "lib/libpq.so.5.5"},
    };
    struct stat a, b, c;
    char p[PATH_MAX * 2];

    make(true, m, 4);
    cr_assert_eq(chdir(tmp), 0); /* no lib/ here */
    cr_assert_eq(extract(), 0);
    snprintf(p, sizeof(p), "%s/lib/libpq.so.5.5", dest);
    cr_assert_eq(stat(p, &a), 0);
    snprintf(p, sizeof(p), "%s/lib/libpq.so.5", dest);
    cr_assert_eq(stat(p, &b), 0);
    snprintf(p, sizeof(p), "%s/lib/libpq.so", dest);
    cr_assert_eq(stat(p, &c), 0);
    cr_assert_eq(a.st_ino, b.st_ino);
    cr_assert_eq(a.st_ino, c.st_ino);
    cr_assert_eq(a.st_nlink, 3);
    cr_assert_eq(a.st_size, 8);
}

/* A directory member that is a symlink, then a file "through" it. */
Test(archive, file_through_a_symlink_member_refused)
{
    const struct member m[] = {
        {SYM, "up", 0777, tmp},
        {REG, "up/planted.txt", 0644, "x\n"},
    };
    char p[PATH_MAX * 2];

    make(false, m, 2);
    cr_assert_eq(extract(), -OG_E_ARCHIVE_UNSAFE);
    snprintf(p, sizeof(p), "%s/planted.txt", tmp);
    cr_assert(access(p, F_OK) != 0);
}

Test(archive, file_through_a_relative_symlink_member_refused)
{
    const struct member m[] = {
        {SYM, "up", 0777, ".."},
        {REG, "up/planted.txt", 0644, "x\n"},
    };
    char p[PATH_MAX * 2];

    make(false, m, 2);
    cr_assert_eq(extract(), -OG_E_ARCHIVE_UNSAFE);
    snprintf(p, sizeof(p), "%s/planted.txt", tmp);
    cr_assert(access(p, F_OK) != 0);
}

/* ---- kinds and modes ------------------------------------------------------------- */

Test(archive, char_device_refused)
{
    const struct member m[] = {{CHR, "null", 0666, NULL}};

    make(false, m, 1);
    cr_assert_eq(extract(), -OG_E_ARCHIVE_UNSAFE);
    cr_assert_not(exists("null"));
}

Test(archive, fifo_refused)
{
    const struct member m[] = {{FIFO_, "pipe", 0644, NULL}};

    make(false, m, 1);
    cr_assert_eq(extract(), -OG_E_ARCHIVE_UNSAFE);
    cr_assert_not(exists("pipe"));
}

Test(archive, setuid_file_refused)
{
    const struct member m[] = {{REG, "su", 04755, "x\n"}};

    make(false, m, 1);
    cr_assert_eq(extract(), -OG_E_ARCHIVE_UNSAFE);
    cr_assert_not(exists("su"));
}

Test(archive, setgid_file_and_sticky_dir_refused)
{
    const struct member g[] = {{REG, "sg", 02755, "x\n"}};
    const struct member t[] = {{DIR_, "tmp", 01777, NULL}};

    make(false, g, 1);
    cr_assert_eq(extract(), -OG_E_ARCHIVE_UNSAFE);
    cr_assert_not(exists("sg"));
    make(false, t, 1);
    cr_assert_eq(extract(), -OG_E_ARCHIVE_UNSAFE);
    cr_assert_not(exists("tmp"));
}
