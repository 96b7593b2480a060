/* SPDX-License-Identifier: MulanPSL-2.0 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fs.h"
#include "simfs.h"
#include "banned.h"

int simfs_copy_file(const char *src, const char *dst, struct og_error *err)
{
    _cleanup_close_ int in = open(src, O_RDONLY | O_CLOEXEC), out = -1;
    _cleanup_free_ char *tmp = NULL;
    struct stat st;
    off_t pos = 0;

    if (in < 0 || fstat(in, &st) < 0)
        return og_error_set_errno(err, OG_E_READ_FAILED, errno, "cannot open \"%s\"", src);
    if (asprintf(&tmp, "%s.tmp-copy", dst) < 0)
        return og_error_set(err, OG_E_NOMEM, "copy");
    unlink(tmp);
    out = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (out < 0)
        return og_error_set_errno(err, OG_E_WRITE_FAILED, errno, "cannot create \"%s\"", tmp);
    if (ftruncate(out, st.st_size) < 0)
        goto fail;
    while (pos < st.st_size) {
        off_t data = lseek(in, pos, SEEK_DATA), hole;
        if (data < 0) {
            if (errno == ENXIO)
                break; /* only a hole is left */
            goto fail;
        }
        hole = lseek(in, data, SEEK_HOLE);
        if (hole < 0)
            goto fail;
        for (off_t o = data; o < hole;) {
            loff_t ro = o, wo = o;
            ssize_t n = copy_file_range(in, &ro, out, &wo, (size_t)(hole - o), 0);
            if (n <= 0) {
                if (n < 0 && errno == EINTR)
                    continue;
                goto fail;
            }
            o += n;
        }
        pos = hole;
    }
    if (fchmod(out, st.st_mode & 07777) < 0 || fchown(out, st.st_uid, st.st_gid) < 0 ||
        fsync(out) < 0 || rename(tmp, dst) < 0)
        goto fail;
    return 0;
fail : {
    int e = errno;
    unlink(tmp);
    return og_error_set_errno(err, OG_E_WRITE_FAILED, e, "cannot copy \"%s\" to \"%s\"", src, dst);
}
}

static _Thread_local const char *copy_src_root, *copy_dst_root;
static _Thread_local struct og_error *copy_err;
static _Thread_local int copy_rc;

static int copy_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    char dst[PATH_MAX];

    (void)ftw;
    snprintf(dst, sizeof(dst), "%s%s", copy_dst_root, path + strlen(copy_src_root));
    if (flag == FTW_D) {
        if (mkdir(dst, st->st_mode & 07777) < 0 && errno != EEXIST)
            goto fail;
        if (lchown(dst, st->st_uid, st->st_gid) < 0 || chmod(dst, st->st_mode & 07777) < 0)
            goto fail;
    } else if (flag == FTW_SL) {
        char target[PATH_MAX];
        ssize_t n = readlink(path, target, sizeof(target) - 1);
        if (n < 0)
            goto fail;
        target[n] = '\0';
        if (symlink(target, dst) < 0 || lchown(dst, st->st_uid, st->st_gid) < 0)
            goto fail;
    } else if (flag == FTW_F) {
        copy_rc = simfs_copy_file(path, dst, copy_err);
        if (copy_rc < 0)
            return 1;
    }
    return 0;
fail:
    copy_rc = og_error_set_errno(copy_err, OG_E_WRITE_FAILED, errno, "cannot copy \"%s\"", path);
    return 1;
}

int simfs_copy_tree(const char *src, const char *dst, struct og_error *err)
{
    copy_src_root = src;
    copy_dst_root = dst;
    copy_err = err;
    copy_rc = 0;
    if (nftw(src, copy_entry, 64, FTW_PHYS) != 0 && copy_rc == 0)
        copy_rc = og_error_set_errno(err, OG_E_READ_FAILED, errno, "cannot walk \"%s\"", src);
    return copy_rc;
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)ftw;
    if ((flag == FTW_DP ? rmdir(path) : unlink(path)) < 0 && errno != ENOENT)
        return 1;
    return 0;
}

int simfs_remove_tree(const char *path, struct og_error *err)
{
    struct stat st;

    if (lstat(path, &st) < 0)
        return errno == ENOENT ? 0 : og_error_set_errno(err, OG_E_IO, errno, "stat \"%s\"", path);
    if (!S_ISDIR(st.st_mode))
        return unlink(path) < 0 ? og_error_set_errno(err, OG_E_IO, errno, "rm \"%s\"", path) : 0;
    /* one file system: a mount below (a node's root overlay) is never walked */
    if (nftw(path, rm_entry, 64, FTW_DEPTH | FTW_PHYS | FTW_MOUNT) != 0)
        return og_error_set_errno(err, OG_E_IO, errno, "cannot remove \"%s\"", path);
    return 0;
}

static _Thread_local uid_t chown_uid;
static _Thread_local gid_t chown_gid;

static int chown_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return lchown(path, chown_uid, chown_gid) < 0 ? 1 : 0;
}

int simfs_chown_tree(const char *path, uid_t uid, gid_t gid, struct og_error *err)
{
    chown_uid = uid;
    chown_gid = gid;
    if (nftw(path, chown_entry, 64, FTW_PHYS) != 0)
        return og_error_set_errno(err, OG_E_IO, errno, "cannot chown \"%s\"", path);
    return 0;
}
