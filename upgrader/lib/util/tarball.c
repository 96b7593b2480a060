/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * archive.c - extract a tarball under a directory. libarchive reads; the
 * members are written here, each relative to an fd of the target directory
 * (openat, mkdirat, symlinkat, linkat) and each path component opened
 * O_NOFOLLOW, the way systemd's chase() walks a tree under a root
 * (src/basic/chase.c). What libarchive's archive_write_disk(3) promises with
 * ARCHIVE_EXTRACT_SECURE_NODOTDOT, _SECURE_SYMLINKS and
 * _SECURE_NOABSOLUTEPATHS is done here for the hardlink names too, which
 * archive_write_disk resolves against the working directory.
 */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tarball.h"
#include "cleanup.h"
#include "fs.h"
#include "banned.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(struct archive *, archive_read_free)

/* A directory's mode and times, set once everything under it is written (a
 * read-only directory of the package still takes its files). */
struct dirfix {
    char *path;
    mode_t mode;
    struct timespec ts[2];
};

struct extract {
    const char *tarball;
    int root; /* the target directory */
    struct dirfix *dirs;
    size_t ndirs, cap;
};

/* name, relative, cleaned into out ("./a//b/" -> "a/b", "./" -> ""):
 * absolute names and ".." are GAUSS-50222, a name or component over
 * PATH_MAX / NAME_MAX OGUP-60003 (never cut). */
static int clean_name(const struct extract *x, const char *name, char out[PATH_MAX],
                      struct og_error *err)
{
    size_t o = 0;

    if (!name || !name[0] || name[0] == '/')
        return og_error_set(err, OG_E_CONTENT_INVALID,
                            "the archive \"%s\" holds an absolute or empty path \"%s\"", x->tarball,
                            name ? name : "(null)");
    if (strlen(name) >= PATH_MAX)
        return og_error_set(err, OG_E_TOO_LARGE,
                            "the archive \"%s\" holds a path of %zu bytes (limit %d): \"%.64s...\"",
                            x->tarball, strlen(name), PATH_MAX - 1, name);
    for (const char *p = name; *p;) {
        size_t n = strcspn(p, "/");
        if (n == 2 && p[0] == '.' && p[1] == '.')
            return og_error_set(err, OG_E_CONTENT_INVALID,
                                "the archive \"%s\" holds a path with \"..\": \"%s\"", x->tarball,
                                name);
        if (n > NAME_MAX)
            return og_error_set(err, OG_E_TOO_LARGE,
                                "the archive \"%s\" holds a name of %zu bytes (limit %d) in "
                                "\"%.64s...\"",
                                x->tarball, n, NAME_MAX, name);
        if (n > 0 && !(n == 1 && p[0] == '.')) {
            if (o > 0)
                out[o++] = '/';
            memcpy(out + o, p, n);
            o += n;
        }
        p += n + (p[n] == '/');
    }
    out[o] = '\0';
    return 0;
}

static int unsafe(const struct extract *x, const char *rel, const char *why, struct og_error *err)
{
    return og_error_set(err, OG_E_ARCHIVE_UNSAFE, "the member \"%s\" of \"%s\" %s", rel, x->tarball,
                        why);
}

/* Open the directory that holds rel's last component (rel as clean_name
 * made it), walking from the target one component at a time with
 * O_NOFOLLOW; missing directories are made (0755) when create. *base points
 * at the last component. A symlink or a file on the way, or (!create) a
 * directory not there, is OGUP-60170. */
static int open_parent(const struct extract *x, const char *rel, bool create, const char **base,
                       int *ret_fd, struct og_error *err)
{
    _cleanup_close_ int fd = fcntl(x->root, F_DUPFD_CLOEXEC, 3);
    const char *last = strrchr(rel, '/');

    if (fd < 0)
        return og_error_set_errno(err, OG_E_IO, errno, "cannot duplicate a directory fd");
    for (const char *p = rel; last && p <= last;) {
        char comp[NAME_MAX + 1];
        size_t n = strcspn(p, "/"); /* at most NAME_MAX: clean_name */
        int nfd;

        memcpy(comp, p, n);
        comp[n] = '\0';
        p += n + 1;
        nfd = openat(fd, comp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (nfd < 0 && errno == ENOENT && create &&
            (mkdirat(fd, comp, 0755) == 0 || errno == EEXIST))
            nfd = openat(fd, comp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (nfd < 0 && (errno == ELOOP || errno == ENOTDIR || errno == ENOENT))
            return unsafe(x, rel,
                          errno == ENOENT ? "names a directory not in the target"
                                          : "would be reached through a symlink or a file",
                          err);
        if (nfd < 0)
            return og_error_set_errno(err, OG_E_WRITE_FAILED, errno,
                                      "cannot open \"%s\" under the target", rel);
        safe_close(fd);
        fd = nfd;
    }
    *base = last ? last + 1 : rel;
    *ret_fd = steal_fd(&fd);
    return 0;
}

/* Make room for a new entry named base in dir: an earlier file or symlink
 * there is removed (never written through); a directory stays and is an
 * error for anything but a directory member. */
static int clear_slot(const struct extract *x, int dir, const char *base, const char *rel,
                      bool want_dir, struct og_error *err)
{
    struct stat st;

    if (fstatat(dir, base, &st, AT_SYMLINK_NOFOLLOW) < 0)
        return errno == ENOENT
                   ? 0
                   : og_error_set_errno(err, OG_E_WRITE_FAILED, errno, "cannot stat \"%s\"", rel);
    if (S_ISDIR(st.st_mode))
        return want_dir ? 0
                        : og_error_set(err, OG_E_WRITE_FAILED,
                                       "cannot extract \"%s\": a directory is in its place", rel);
    if (unlinkat(dir, base, 0) < 0)
        return og_error_set_errno(err, OG_E_WRITE_FAILED, errno, "cannot replace \"%s\"", rel);
    return 0;
}

static void entry_times(struct archive_entry *e, struct timespec ts[2])
{
    ts[1] = archive_entry_mtime_is_set(e)
                ? (struct timespec){archive_entry_mtime(e), archive_entry_mtime_nsec(e)}
                : (struct timespec){0, UTIME_OMIT};
    ts[0] = archive_entry_atime_is_set(e)
                ? (struct timespec){archive_entry_atime(e), archive_entry_atime_nsec(e)}
                : ts[1];
}

static int write_all(int fd, const char *buf, size_t len, la_int64_t off)
{
    while (len > 0) {
        ssize_t n = pwrite(fd, buf, len, (off_t)off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        buf += n;
        len -= (size_t)n;
        off += n;
    }
    return 0;
}

static int put_file(const struct extract *x, struct archive *in, struct archive_entry *e, int dir,
                    const char *base, const char *rel, struct og_error *err)
{
    _cleanup_close_ int fd = -1;
    struct timespec ts[2];
    const void *buf;
    size_t len;
    la_int64_t off;
    int r = clear_slot(x, dir, base, rel, false, err);

    if (r < 0)
        return r;
    fd = openat(dir, base, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0)
        return og_error_set_errno(err, OG_E_WRITE_FAILED, errno, "cannot create \"%s\"", rel);
    while ((r = archive_read_data_block(in, &buf, &len, &off)) == ARCHIVE_OK)
        if (write_all(fd, buf, len, off) < 0)
            return og_error_set_errno(err, OG_E_WRITE_FAILED, errno, "cannot write \"%s\"", rel);
    if (r != ARCHIVE_EOF)
        return og_error_set(err, OG_E_READ_FAILED, "corrupt member \"%s\" in \"%s\": %s", rel,
                            x->tarball, archive_error_string(in));
    entry_times(e, ts);
    if (ftruncate(fd, (off_t)archive_entry_size(e)) < 0 ||
        fchmod(fd, archive_entry_perm(e) & 0777) < 0 || futimens(fd, ts) < 0)
        return og_error_set_errno(err, OG_E_WRITE_FAILED, errno, "cannot finish \"%s\"", rel);
    return 0;
}

static int put_symlink(const struct extract *x, struct archive_entry *e, int dir, const char *base,
                       const char *rel, struct og_error *err)
{
    const char *target = archive_entry_symlink(e);
    struct timespec ts[2];
    int r;

    if (!target || !target[0])
        return og_error_set(err, OG_E_CONTENT_INVALID, "the symlink \"%s\" in \"%s\" has no target",
                            rel, x->tarball);
    if (strlen(target) >= PATH_MAX)
        return og_error_set(err, OG_E_TOO_LARGE, "the symlink \"%s\" in \"%s\" is too long", rel,
                            x->tarball);
    r = clear_slot(x, dir, base, rel, false, err);
    if (r < 0)
        return r;
    /* Its target may be anything: nothing here is ever opened through it. */
    if (symlinkat(target, dir, base) < 0)
        return og_error_set_errno(err, OG_E_WRITE_FAILED, errno, "cannot create \"%s\"", rel);
    entry_times(e, ts);
    if (utimensat(dir, base, ts, AT_SYMLINK_NOFOLLOW) < 0)
        return og_error_set_errno(err, OG_E_WRITE_FAILED, errno, "cannot finish \"%s\"", rel);
    return 0;
}

/* A hardlink names an earlier member: re-rooted under the target, never
 * absolute, no "..", reached without following a symlink. */
static int put_hardlink(const struct extract *x, struct archive_entry *e, int dir, const char *base,
                        const char *rel, struct og_error *err)
{
    char to[PATH_MAX];
    _cleanup_close_ int tdir = -1;
    const char *tbase;
    struct stat ts, ns;
    int r = clean_name(x, archive_entry_hardlink(e), to, err);

    if (r == 0 && !to[0])
        return unsafe(x, rel, "is a hardlink to the target directory", err);
    if (r == 0)
        r = open_parent(x, to, false, &tbase, &tdir, err);
    if (r < 0)
        return r;
    if (fstatat(tdir, tbase, &ts, AT_SYMLINK_NOFOLLOW) < 0 ||
        !(S_ISREG(ts.st_mode) || S_ISLNK(ts.st_mode)))
        return unsafe(x, rel, "is a hardlink to no earlier file of the package", err);
    if (fstatat(dir, base, &ns, AT_SYMLINK_NOFOLLOW) == 0 && ns.st_dev == ts.st_dev &&
        ns.st_ino == ts.st_ino)
        return 0; /* already that file */
    r = clear_slot(x, dir, base, rel, false, err);
    if (r == 0 && linkat(tdir, tbase, dir, base, 0) < 0)
        r = og_error_set_errno(err, OG_E_WRITE_FAILED, errno, "cannot link \"%s\" to \"%s\"", rel,
                               to);
    return r;
}

static int put_dir(struct extract *x, struct archive_entry *e, int dir, const char *base,
                   const char *rel, struct og_error *err)
{
    int r = clear_slot(x, dir, base, rel, true, err);

    if (r < 0)
        return r;
    if (mkdirat(dir, base, 0700) < 0 && errno != EEXIST)
        return og_error_set_errno(err, OG_E_WRITE_FAILED, errno, "cannot create \"%s\"", rel);
    if (x->ndirs == x->cap) {
        size_t cap = x->cap ? x->cap * 2 : 16;
        struct dirfix *d = realloc(x->dirs, cap * sizeof(*d));
        if (!d)
            return og_error_set(err, OG_E_NOMEM, "extracting \"%s\"", x->tarball);
        x->dirs = d;
        x->cap = cap;
    }
    x->dirs[x->ndirs].path = strdup(rel);
    if (!x->dirs[x->ndirs].path)
        return og_error_set(err, OG_E_NOMEM, "extracting \"%s\"", x->tarball);
    x->dirs[x->ndirs].mode = archive_entry_perm(e) & 0777;
    entry_times(e, x->dirs[x->ndirs].ts);
    x->ndirs++;
    return 0;
}

/* The directories' modes and times, deepest last-made first. */
static int fix_dirs(const struct extract *x, struct og_error *err)
{
    for (size_t i = x->ndirs; i-- > 0;) {
        _cleanup_close_ int parent = -1, fd = -1;
        const char *base;
        int r = open_parent(x, x->dirs[i].path, false, &base, &parent, err);
        if (r < 0)
            return r;
        fd = openat(parent, base, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0 || fchmod(fd, x->dirs[i].mode) < 0 || futimens(fd, x->dirs[i].ts) < 0)
            return og_error_set_errno(err, OG_E_WRITE_FAILED, errno, "cannot finish \"%s\"",
                                      x->dirs[i].path);
    }
    return 0;
}

/* One member: its name and kind checked, then written under the target. */
static int put_entry(struct extract *x, struct archive *in, struct archive_entry *e,
                     struct og_error *err)
{
    char rel[PATH_MAX];
    _cleanup_close_ int dir = -1;
    const char *base;
    mode_t type = archive_entry_filetype(e);
    int r = clean_name(x, archive_entry_pathname(e), rel, err);

    if (r < 0)
        return r;
    if (archive_entry_mode(e) & (S_ISUID | S_ISGID | S_ISVTX))
        return unsafe(x, rel, "has a set-uid, set-gid or sticky bit", err);
    if (!archive_entry_hardlink(e) && type != AE_IFREG && type != AE_IFDIR && type != AE_IFLNK)
        return unsafe(x, rel, "is a device, FIFO, socket or of an unknown kind", err);
    if (!rel[0])
        return type == AE_IFDIR ? 0 : unsafe(x, ".", "is not a directory", err);
    r = open_parent(x, rel, true, &base, &dir, err);
    if (r < 0)
        return r;
    if (archive_entry_hardlink(e))
        return put_hardlink(x, e, dir, base, rel, err);
    if (type == AE_IFDIR)
        return put_dir(x, e, dir, base, rel, err);
    if (type == AE_IFLNK)
        return put_symlink(x, e, dir, base, rel, err);
    return put_file(x, in, e, dir, base, rel, err);
}

static int extract_all(struct extract *x, struct og_error *err)
{
    _cleanup_(archive_read_freep) struct archive *in = archive_read_new();
    struct archive_entry *e;
    int r;

    if (!in)
        return og_error_set(err, OG_E_NOMEM, "extracting %s", x->tarball);
    archive_read_support_filter_all(in);
    archive_read_support_format_all(in);
    if (archive_read_open_filename(in, x->tarball, 65536) != ARCHIVE_OK)
        return og_error_set(err, OG_E_READ_FAILED, "cannot open \"%s\": %s", x->tarball,
                            archive_error_string(in));
    while ((r = archive_read_next_header(in, &e)) == ARCHIVE_OK) {
        r = put_entry(x, in, e, err);
        if (r < 0)
            return r;
    }
    if (r != ARCHIVE_EOF)
        return og_error_set(err, OG_E_READ_FAILED, "corrupt archive \"%s\": %s", x->tarball,
                            archive_error_string(in));
    return fix_dirs(x, err);
}

int tarball_extract(const char *tarball, const char *dest, struct og_error *err)
{
    struct extract x = {.tarball = tarball, .root = -1};
    int r = fs_mkdir_p(dest, 0755, err);

    if (r < 0)
        return r;
    x.root = open(dest, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (x.root < 0)
        return og_error_set_errno(err, OG_E_WRITE_FAILED, errno, "cannot open \"%s\"", dest);
    r = extract_all(&x, err);
    for (size_t i = 0; i < x.ndirs; i++)
        free(x.dirs[i].path);
    free(x.dirs);
    safe_close(x.root);
    return r;
}
