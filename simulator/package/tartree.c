/* SPDX-License-Identifier: MulanPSL-2.0 */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fs.h"
#include "tartree.h"
#include "banned.h"

#define COPY_CHUNK (64 * 1024)

DEFINE_TRIVIAL_CLEANUP_FUNC(struct archive *, archive_write_free)
DEFINE_TRIVIAL_CLEANUP_FUNC(struct archive_entry *, archive_entry_free)

void tar_tree_done(struct tar_tree *t)
{
    for (size_t i = 0; i < t->n; i++) {
        free(t->v[i].path);
        free(t->v[i].data);
    }
    free(t->v);
    *t = (struct tar_tree){0};
}

int tar_tree_add(struct tar_tree *t, enum entry_kind kind, const char *path, mode_t perm,
                 const void *data, size_t len)
{
    struct tar_entry e = {.kind = kind, .perm = perm, .len = len};

    if (t->error)
        return t->error;
    if (t->n == t->alloc) {
        size_t alloc = t->alloc ? t->alloc * 2 : 32;
        struct tar_entry *v = reallocarray(t->v, alloc, sizeof(*v));
        if (!v)
            return t->error = -OG_E_NOMEM;
        t->v = v;
        t->alloc = alloc;
    }
    e.path = strdup(path);
    if (kind == ENTRY_MEM) {
        e.data = malloc(len + 1);
        if (e.data && len)
            memcpy(e.data, data, len);
    } else if (data) {
        e.data = strdup(data);
    }
    if (!e.path || (kind != ENTRY_DIR && !e.data)) {
        free(e.path);
        free(e.data);
        return t->error = -OG_E_NOMEM;
    }
    t->v[t->n++] = e;
    return 0;
}

int tar_tree_add_dirs(struct tar_tree *t, const char *const *paths)
{
    for (size_t i = 0; paths[i]; i++)
        (void)tar_tree_add(t, ENTRY_DIR, paths[i], 0755, NULL, 0);
    return t->error;
}

static int tar_entry_cmp(const void *a, const void *b)
{
    return strcmp(((const struct tar_entry *)a)->path, ((const struct tar_entry *)b)->path);
}

struct tar_job {
    struct tar_tree *tree;
    enum tar_filter filter;
    time_t mtime;
    const char *name; /* for messages */
};

static int archive_fail(struct archive *a, const struct tar_job *job, const char *what,
                        struct og_error *err)
{
    const char *msg = archive_error_string(a);

    return og_error_set(err, OG_E_WRITE_FAILED, "cannot %s \"%s\": %s", what, job->name,
                        msg ? msg : "unknown libarchive error");
}

static int write_all_data(struct archive *a, const struct tar_job *job, const char *data,
                          size_t len, struct og_error *err)
{
    while (len > 0) {
        la_ssize_t n = archive_write_data(a, data, len);
        if (n <= 0)
            return archive_fail(a, job, "write data into", err);
        data += n;
        len -= (size_t)n;
    }
    return 0;
}

/* Stream a file's content into the current entry (header written by caller
 * after the size is known). */
static int open_source(const char *path, int *ret_fd, size_t *ret_size, struct og_error *err)
{
    _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;

    if (fd < 0)
        return og_error_set_errno(err, errno == ENOENT ? OG_E_NOT_EXIST : OG_E_READ_FAILED, errno,
                                  "cannot open \"%s\"", path);
    if (fstat(fd, &st) < 0)
        return og_error_set_errno(err, OG_E_READ_FAILED, errno, "cannot stat \"%s\"", path);
    if (!S_ISREG(st.st_mode))
        return og_error_set(err, OG_E_READ_FAILED, "\"%s\" is not a regular file", path);
    *ret_size = (size_t)st.st_size;
    *ret_fd = steal_fd(&fd);
    return 0;
}

static int copy_source(struct archive *a, const struct tar_job *job, int fd, size_t size,
                       const char *path, struct og_error *err)
{
    _cleanup_free_ char *chunk = malloc(COPY_CHUNK);
    int r;

    if (!chunk)
        return og_error_set(err, OG_E_NOMEM, "copying \"%s\"", path);
    while (size > 0) {
        ssize_t n = read(fd, chunk, size < COPY_CHUNK ? size : COPY_CHUNK);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return og_error_set_errno(err, OG_E_READ_FAILED, errno, "cannot read \"%s\"", path);
        if (n == 0)
            return og_error_set(err, OG_E_READ_FAILED, "\"%s\" shrank while being packaged", path);
        r = write_all_data(a, job, chunk, (size_t)n, err);
        if (r < 0)
            return r;
        size -= (size_t)n;
    }
    return 0;
}

static int write_entry(struct archive *a, const struct tar_job *job, const struct tar_entry *e,
                       struct og_error *err)
{
    _cleanup_(archive_entry_freep) struct archive_entry *ae = archive_entry_new();
    _cleanup_close_ int fd = -1;
    size_t size = 0;
    int r;

    if (!ae)
        return og_error_set(err, OG_E_NOMEM, "packaging \"%s\"", e->path);
    if (e->kind == ENTRY_DISK) {
        r = open_source(e->data, &fd, &size, err);
        if (r < 0)
            return r;
    } else if (e->kind == ENTRY_MEM) {
        size = e->len;
    }

    archive_entry_set_pathname(ae, e->path);
    switch (e->kind) {
    case ENTRY_DIR:
        archive_entry_set_filetype(ae, AE_IFDIR);
        break;
    case ENTRY_SYMLINK:
        archive_entry_set_filetype(ae, AE_IFLNK);
        archive_entry_set_symlink(ae, e->data);
        break;
    case ENTRY_MEM:
    case ENTRY_DISK:
        archive_entry_set_filetype(ae, AE_IFREG);
        break;
    }
    archive_entry_set_perm(ae, e->perm);
    archive_entry_set_size(ae, (la_int64_t)size);
    archive_entry_set_mtime(ae, job->mtime, 0);
    archive_entry_set_uid(ae, 0);
    archive_entry_set_gid(ae, 0);
    if (archive_write_header(a, ae) != ARCHIVE_OK)
        return archive_fail(a, job, "write an entry header into", err);

    if (e->kind == ENTRY_MEM)
        return write_all_data(a, job, e->data, e->len, err);
    if (e->kind == ENTRY_DISK)
        return copy_source(a, job, fd, size, e->data, err);
    return 0;
}

/* fs_writer_fn: the whole tarball into fd. */
static int tar_write(int fd, void *userdata, struct og_error *err)
{
    struct tar_job *job = userdata;
    _cleanup_(archive_write_freep) struct archive *a = archive_write_new();
    int r;

    if (!a)
        return og_error_set(err, OG_E_NOMEM, "writing \"%s\"", job->name);
    qsort(job->tree->v, job->tree->n, sizeof(job->tree->v[0]), tar_entry_cmp);

    if (archive_write_set_format_ustar(a) != ARCHIVE_OK)
        return archive_fail(a, job, "set the tar format of", err);
    if (job->filter == TAR_GZIP) {
        /* No mtime in the gzip header (libarchive never stores a name). */
        if (archive_write_add_filter_gzip(a) != ARCHIVE_OK ||
            archive_write_set_filter_option(a, "gzip", "timestamp", NULL) != ARCHIVE_OK)
            return archive_fail(a, job, "set gzip compression of", err);
    } else if (archive_write_add_filter_bzip2(a) != ARCHIVE_OK) {
        return archive_fail(a, job, "set bzip2 compression of", err);
    }
    /* Do not pad the compressed output to a whole block. */
    if (archive_write_set_bytes_in_last_block(a, 1) != ARCHIVE_OK ||
        archive_write_open_fd(a, fd) != ARCHIVE_OK)
        return archive_fail(a, job, "open", err);

    for (size_t i = 0; i < job->tree->n; i++) {
        r = write_entry(a, job, &job->tree->v[i], err);
        if (r < 0)
            return r;
    }
    if (archive_write_close(a) != ARCHIVE_OK)
        return archive_fail(a, job, "finish", err);
    return 0;
}

int tar_tree_write(struct tar_tree *tree, enum tar_filter filter, time_t mtime, const char *path,
                   const char *what, struct og_error *err)
{
    struct tar_job job = {tree, filter, mtime, path};

    if (tree->error)
        return og_error_set(err, -tree->error, "building %s", what);
    return fs_replace_file_with(path, 0644, tar_write, &job, err);
}
