/* SPDX-License-Identifier: MulanPSL-2.0 */
#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <fcntl.h>
#include <fiu.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dynbuf.h"
#include "fs.h"
#include "banned.h"

int fs_write_all(int fd, const void *data, size_t len)
{
    const char *p = data;

    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -errno;
        }
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

int fs_fsync_dir(const char *dir, struct og_error *err)
{
    _cleanup_close_ int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

    if (fd < 0)
        return og_error_set_errno(err, OG_E_IO, errno, "cannot open directory \"%s\"", dir);
    if (fsync(fd) < 0)
        return og_error_set_errno(err, OG_E_IO, errno, "cannot fsync directory \"%s\"", dir);
    return 0;
}

/* Remove "<base>.tmp-XXXXXX" leftovers of crashed writers of the same file. */
static void remove_stale_temps(const char *dir, const char *base)
{
    _cleanup_(closedirp) DIR *d = NULL;
    size_t bl = strlen(base);
    struct dirent *de;

    d = opendir(dir);
    if (!d)
        return;
    while ((de = readdir(d))) {
        if (strncmp(de->d_name, base, bl) == 0 && strncmp(de->d_name + bl, ".tmp-", 5) == 0 &&
            strlen(de->d_name + bl + 5) == 6)
            unlinkat(dirfd(d), de->d_name, 0);
    }
}

struct buf_writer {
    const void *data;
    size_t len;
};

static int write_buffer(int fd, void *userdata, struct og_error *err)
{
    struct buf_writer *w = userdata;
    int r = fs_write_all(fd, w->data, w->len);

    return r < 0 ? og_error_set_errno(err, OG_E_WRITE_FAILED, -r, "write") : 0;
}

int fs_replace_file(const char *path, const void *data, size_t len, mode_t mode,
                    struct og_error *err)
{
    struct buf_writer w = {data, len};

    return fs_replace_file_with(path, mode, write_buffer, &w, err);
}

int fs_replace_file_with(const char *path, mode_t mode, fs_writer_fn writer, void *userdata,
                         struct og_error *err)
{
    _cleanup_free_ char *dcopy = strdup(path), *bcopy = strdup(path), *tmp = NULL;
    _cleanup_close_ int fd = -1;
    const char *dir, *base;
    int r;

    if (!dcopy || !bcopy)
        return og_error_set(err, OG_E_NOMEM, "replacing \"%s\"", path);
    dir = dirname(dcopy);
    base = basename(bcopy);
    remove_stale_temps(dir, base);

    if (asprintf(&tmp, "%s.tmp-XXXXXX", path) < 0)
        return og_error_set(err, OG_E_NOMEM, "replacing \"%s\"", path);
    fd = mkostemp(tmp, O_CLOEXEC); /* O_CREAT|O_EXCL, mode 0600 */
    if (fd < 0) {
        int e = errno;
        free(steal_ptr(tmp));
        return og_error_set_errno(err, e == ENOENT ? OG_E_NOT_EXIST : OG_E_WRITE_FAILED, e,
                                  "cannot create a temp file beside \"%s\"", path);
    }

    r = writer(fd, userdata, err);
    if (r == 0 && fiu_fail("util/fs/replace/before-fsync"))
        r = og_error_set(err, OG_E_WRITE_FAILED, "failpoint util/fs/replace/before-fsync");
    if (r == 0 && fsync(fd) < 0)
        r = og_error_set_errno(err, OG_E_WRITE_FAILED, errno, "fsync");
    if (r == 0 && fchmod(fd, mode) < 0)
        r = og_error_set_errno(err, OG_E_WRITE_FAILED, errno, "chmod %o", (unsigned)mode);
    if (r == 0 && close(steal_fd(&fd)) < 0)
        r = og_error_set_errno(err, OG_E_WRITE_FAILED, errno, "close");
    if (r == 0 && rename(tmp, path) < 0)
        r = og_error_set_errno(err, OG_E_WRITE_FAILED, errno, "rename to \"%s\"", path);
    if (r < 0) {
        unlink(tmp);
        og_error_prefix(err, "cannot replace \"%s\"", path);
        return r;
    }
    return fs_fsync_dir(dir, err);
}

int fs_read_chunks(const char *path, size_t chunk,
                   int (*fn)(void *arg, const void *data, size_t n, struct og_error *err),
                   void *arg, struct og_error *err)
{
    _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
    _cleanup_free_ char *buf = NULL;

    if (fd < 0)
        return og_error_set_errno(err, errno == ENOENT ? OG_E_NOT_EXIST : OG_E_READ_FAILED, errno,
                                  "cannot open \"%s\"", path);
    if (!(buf = malloc(chunk)))
        return og_error_set(err, OG_E_NOMEM, "reading \"%s\"", path);
    for (;;) {
        ssize_t n = read(fd, buf, chunk);
        int r;
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return og_error_set_errno(err, OG_E_READ_FAILED, errno, "cannot read \"%s\"", path);
        }
        if (n == 0)
            return 0;
        if ((r = fn(arg, buf, (size_t)n, err)) != 0)
            return r;
    }
}

struct read_file {
    struct dynbuf b;
    const char *path;
};

static int read_file_chunk(void *arg, const void *data, size_t n, struct og_error *err)
{
    struct read_file *f = arg;
    int r = dynbuf_append(&f->b, data, n);

    if (r == -OG_E_TOO_LARGE)
        return og_error_set(err, OG_E_TOO_LARGE, "the file \"%s\" is larger than %zu bytes",
                            f->path, f->b.max);
    return r < 0 ? og_error_set(err, -r, "reading \"%s\"", f->path) : 0;
}

int fs_read_file(const char *path, size_t max, char **ret_data, size_t *ret_len,
                 struct og_error *err)
{
    struct read_file f = {.path = path};
    int r;

    dynbuf_init(&f.b, max);
    r = fs_read_chunks(path, 16384, read_file_chunk, &f, err);
    if (r == 0 && ret_len)
        *ret_len = f.b.len;
    if (r == 0 && !(*ret_data = dynbuf_steal(&f.b)))
        r = og_error_set(err, OG_E_NOMEM, "reading \"%s\"", path);
    dynbuf_done(&f.b);
    return r;
}

/* fsync the directory holding p[0..end) (a path just created): its new
 * entry survives a crash only once the parent is on disk. */
static int fsync_parent(char *p, char *end, struct og_error *err)
{
    char *slash = memrchr(p, '/', (size_t)(end - p));
    int r;

    if (fiu_fail("util/fs/mkdir/fsync-parent"))
        return og_error_set(err, OG_E_IO, "failpoint util/fs/mkdir/fsync-parent at \"%s\"", p);
    if (!slash)
        return fs_fsync_dir(".", err);
    if (slash == p)
        return fs_fsync_dir("/", err);
    *slash = '\0';
    r = fs_fsync_dir(p, err);
    *slash = '/';
    return r;
}

int fs_mkdir_p(const char *path, mode_t mode, struct og_error *err)
{
    _cleanup_free_ char *p = strdup(path);
    struct stat st;
    int r;

    if (!p)
        return og_error_set(err, OG_E_NOMEM, "mkdir \"%s\"", path);
    for (char *s = p + 1;; s++) {
        if (*s != '/' && *s != '\0')
            continue;
        char saved = *s;
        *s = '\0';
        if (mkdir(p, mode) == 0) {
            if ((r = fsync_parent(p, s, err)) < 0)
                return r;
        } else if (errno != EEXIST) {
            return og_error_set_errno(err, OG_E_CREATE_FAILED, errno, "cannot create \"%s\"", p);
        }
        *s = saved;
        if (saved == '\0')
            break;
    }
    if (stat(path, &st) < 0 || !S_ISDIR(st.st_mode))
        return og_error_set(err, OG_E_CREATE_FAILED, "\"%s\" exists and is not a directory", path);
    return 0;
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)ftw;
    return (flag == FTW_DP ? rmdir(path) : unlink(path)) < 0 && errno != ENOENT ? -1 : 0;
}

int fs_remove_tree(const char *path, struct og_error *err)
{
    struct stat st;

    if (lstat(path, &st) < 0 && errno == ENOENT)
        return 0;
    if (nftw(path, remove_one, 16, FTW_DEPTH | FTW_PHYS) < 0)
        return og_error_set_errno(err, OG_E_IO, errno, "cannot remove \"%s\"", path);
    return 0;
}

/* ---- copying trees ------------------------------------------------------------ */

#define COPY_FILE_MAX (64u << 20)

struct copy_opts {
    bool keep;      /* a file already at its destination is left */
    bool sync_each; /* each file replaced crash-safely, else written in place */
};

/* in -> out from the current offsets: in the kernel where it can
 * (copy_file_range), through a small buffer where it cannot. */
static int copy_fd(int in, int out, struct og_error *err)
{
    char buf[65536];
    ssize_t n;

    for (;;) {
        n = copy_file_range(in, NULL, out, NULL, 1u << 30, 0);
        if (n == 0)
            return 0;
        if (n > 0)
            continue;
        if (errno == EINTR)
            continue;
        if (errno != EXDEV && errno != ENOSYS && errno != EINVAL && errno != EOPNOTSUPP)
            return og_error_set_errno(err, OG_E_WRITE_FAILED, errno, "copy");
        break;
    }
    while ((n = read(in, buf, sizeof(buf))) != 0) {
        int r;
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return og_error_set_errno(err, OG_E_READ_FAILED, errno, "read");
        if ((r = fs_write_all(out, buf, (size_t)n)) < 0)
            return og_error_set_errno(err, OG_E_WRITE_FAILED, -r, "write");
    }
    return 0;
}

static int write_from_fd(int fd, void *userdata, struct og_error *err)
{
    return copy_fd(*(int *)userdata, fd, err);
}

static int copy_file(const char *src, const char *dst, const struct stat *st, bool follow,
                     const struct copy_opts *o, struct og_error *err)
{
    _cleanup_close_ int in = -1, out = -1;
    int r;

    if (st->st_size > (off_t)COPY_FILE_MAX)
        return og_error_set(err, OG_E_TOO_LARGE, "the file \"%s\" is larger than %u bytes", src,
                            COPY_FILE_MAX);
    in = open(src, O_RDONLY | O_CLOEXEC | (follow ? 0 : O_NOFOLLOW));
    if (in < 0)
        return errno == ENOENT
                   ? 0
                   : og_error_set_errno(err, OG_E_READ_FAILED, errno, "Failed to read %s.", src);
    if (o->sync_each)
        return fs_replace_file_with(dst, st->st_mode & 0777, write_from_fd, &in, err);
    out = open(dst, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (out < 0)
        return og_error_set_errno(err, OG_E_WRITE_FAILED, errno, "cannot create \"%s\"", dst);
    r = copy_fd(in, out, err);
    if (r == 0 && fchmod(out, st->st_mode & 0777) < 0)
        r = og_error_set_errno(err, OG_E_WRITE_FAILED, errno, "chmod \"%s\"", dst);
    if (r == 0 && close(steal_fd(&out)) < 0)
        r = og_error_set_errno(err, OG_E_WRITE_FAILED, errno, "close \"%s\"", dst);
    if (r < 0)
        og_error_prefix(err, "cannot copy \"%s\" to \"%s\"", src, dst);
    return r;
}

static int copy_entry(const char *src, const char *dst, const struct copy_opts *o, bool top,
                      struct og_error *err);

static int copy_dir(const char *src, const char *dst, mode_t mode, const struct copy_opts *o,
                    struct og_error *err)
{
    DIR *d = opendir(src);
    struct dirent *de;
    int r;

    if (!d)
        return og_error_set_errno(err, OG_E_READ_FAILED, errno, "Failed to read %s.", src);
    r = fs_mkdir_p(dst, mode & 0777, err);
    while (r == 0 && (de = readdir(d))) {
        char s[PATH_MAX], t[PATH_MAX];
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        if ((size_t)snprintf(s, sizeof(s), "%s/%s", src, de->d_name) >= sizeof(s) ||
            (size_t)snprintf(t, sizeof(t), "%s/%s", dst, de->d_name) >= sizeof(t))
            r = og_error_set(err, OG_E_TOO_LARGE, "path too long under %s", src);
        else
            r = copy_entry(s, t, o, false, err);
    }
    closedir(d);
    return r;
}

/* Below the top the destination's directory was made by copy_dir. */
static int copy_entry(const char *src, const char *dst, const struct copy_opts *o, bool top,
                      struct og_error *err)
{
    char dir[PATH_MAX];
    struct stat st;
    int r = 0;

    if ((top ? stat(src, &st) : lstat(src, &st)) < 0)
        return errno == ENOENT
                   ? 0
                   : og_error_set_errno(err, OG_E_READ_FAILED, errno, "Failed to read %s.", src);
    if (S_ISDIR(st.st_mode))
        return copy_dir(src, dst, st.st_mode, o, err);
    if (!S_ISREG(st.st_mode) || (o->keep && access(dst, F_OK) == 0))
        return 0;
    if (top) {
        snprintf(dir, sizeof(dir), "%s", dst);
        r = fs_mkdir_p(dirname(dir), 0700, err);
    }
    return r < 0 ? r : copy_file(src, dst, &st, top, o, err);
}

int fs_copy_tree(const char *src, const char *dst, bool keep, struct og_error *err)
{
    const struct copy_opts o = {.keep = keep, .sync_each = true};

    return copy_entry(src, dst, &o, true, err);
}

int fs_copy_tree_unsynced(const char *src, const char *dst, struct og_error *err)
{
    const struct copy_opts o = {.keep = false, .sync_each = false};

    return copy_entry(src, dst, &o, true, err);
}

int fs_syncfs(const char *path, struct og_error *err)
{
    _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);

    if (fd < 0)
        return og_error_set_errno(err, OG_E_IO, errno, "cannot open \"%s\"", path);
    if (syncfs(fd) < 0)
        return og_error_set_errno(err, OG_E_IO, errno, "cannot sync the file system of \"%s\"",
                                  path);
    return 0;
}
