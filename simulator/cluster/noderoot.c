/* SPDX-License-Identifier: MulanPSL-2.0 */
#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "command.h"
#include "dynbuf.h"
#include "fs.h"
#include "noderoot.h"
#include "pkgsum.h"
#include "simfs.h"
#include "banned.h"

#define OVERLAYFS_MAGIC 0x794c7630
#define TMPFS_MAGIC_    0x01021994

static void sub(const char *node_dir, const char *rel, char *buf, size_t size)
{
    snprintf(buf, size, "%s/%s", node_dir, rel);
}

static bool fs_is(const char *path, long magic)
{
    struct statfs sf;

    return statfs(path, &sf) == 0 && (long)sf.f_type == magic;
}

bool noderoot_mounted(const char *node_dir)
{
    char root[PATH_MAX];

    sub(node_dir, NODEROOT_DIR, root, sizeof(root));
    return fs_is(root, OVERLAYFS_MAGIC);
}

static int mount_overlay(const char *node_dir, struct og_error *err)
{
    char root[PATH_MAX], up[PATH_MAX], work[PATH_MAX], opts[3 * PATH_MAX + 64];

    sub(node_dir, NODEROOT_DIR, root, sizeof(root));
    sub(node_dir, NODEROOT_RW_DIR "/upper", up, sizeof(up));
    sub(node_dir, NODEROOT_RW_DIR "/work", work, sizeof(work));
    if (strpbrk(node_dir, ",:\\"))
        return og_error_set(err, OG_E_PARAM_INVALID,
                            "the node directory \"%s\" cannot name an overlay layer", node_dir);
    snprintf(opts, sizeof(opts), "lowerdir=/,upperdir=%s,workdir=%s", up, work);
    if (mount("ogsim-root", root, "overlay", 0, opts) < 0)
        return og_error_set_errno(err, OG_E_SIM_LIBVIRT, errno,
                                  "cannot mount the node's root overlay on \"%s\"", root);
    return 0;
}

/* root-rw/ a tmpfs with upper/ and work/ in it. */
static int ensure_rw(const char *node_dir, struct og_error *err)
{
    char rw[PATH_MAX], p[PATH_MAX + 16];
    int r;

    sub(node_dir, NODEROOT_RW_DIR, rw, sizeof(rw));
    if ((r = fs_mkdir_p(rw, 0700, err)) < 0)
        return r;
    if (!fs_is(rw, TMPFS_MAGIC_)) {
        char opts[64];
        snprintf(opts, sizeof(opts), "size=%dm,mode=0700", NODEROOT_RW_MIB);
        if (mount("ogsim-root-rw", rw, "tmpfs", MS_NOSUID, opts) < 0)
            return og_error_set_errno(err, OG_E_SIM_LIBVIRT, errno,
                                      "cannot mount the tmpfs of the node's root on \"%s\"", rw);
    }
    snprintf(p, sizeof(p), "%s/upper", rw);
    if ((r = fs_mkdir_p(p, 0755, err)) < 0)
        return r;
    snprintf(p, sizeof(p), "%s/work", rw);
    return fs_mkdir_p(p, 0700, err);
}

int noderoot_mount(const char *node_dir, struct og_error *err)
{
    char root[PATH_MAX];
    int r;

    sub(node_dir, NODEROOT_DIR, root, sizeof(root));
    if ((r = fs_mkdir_p(root, 0755, err)) < 0)
        return r;
    if (fs_is(root, OVERLAYFS_MAGIC))
        return 0;
    if ((r = ensure_rw(node_dir, err)) < 0)
        return r;
    return mount_overlay(node_dir, err);
}

/* Unmount path; not mounted (or absent) is fine; busy: detached. */
static int umount_one(const char *path, long magic, struct og_error *err)
{
    if (!fs_is(path, magic))
        return 0;
    if (umount2(path, UMOUNT_NOFOLLOW) == 0)
        return 0;
    if (errno == EBUSY && umount2(path, MNT_DETACH | UMOUNT_NOFOLLOW) == 0)
        return 0;
    if (errno == EINVAL || errno == ENOENT)
        return 0;
    return og_error_set_errno(err, OG_E_IO, errno, "cannot unmount \"%s\"", path);
}

/* Every layer mounted on path (a crashed run may have stacked a second
 * one), one at a time. */
static int umount_all(const char *path, long magic, struct og_error *err)
{
    int r = 0;

    for (int k = 0; r == 0 && k < 8 && fs_is(path, magic); k++)
        r = umount_one(path, magic, err);
    return r;
}

int noderoot_umount(const char *node_dir, struct og_error *err)
{
    char root[PATH_MAX], rw[PATH_MAX];
    int r;

    sub(node_dir, NODEROOT_DIR, root, sizeof(root));
    sub(node_dir, NODEROOT_RW_DIR, rw, sizeof(rw));
    r = umount_all(root, OVERLAYFS_MAGIC, err);
    return r < 0 ? r : umount_all(rw, TMPFS_MAGIC_, err);
}

/* ---- fingerprint ------------------------------------------------------------------ */

struct walk {
    char **lines;
    size_t n, cap, base_len;
    int failed;
};

static _Thread_local struct walk *walk_now;

static int walk_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    struct walk *w = walk_now;
    char target[PATH_MAX] = "", *line = NULL;

    (void)flag;
    (void)ftw;
    if (S_ISLNK(st->st_mode)) {
        ssize_t k = readlink(path, target, sizeof(target) - 1);
        target[k > 0 ? k : 0] = '\0';
    }
    if (asprintf(&line, "%s|%o|%u:%u|%lld|%lld.%09ld|%u:%u|%s", path + w->base_len,
                 (unsigned)st->st_mode, (unsigned)st->st_uid, (unsigned)st->st_gid,
                 (long long)st->st_size, (long long)st->st_mtim.tv_sec, st->st_mtim.tv_nsec,
                 major(st->st_rdev), minor(st->st_rdev), target) < 0) {
        w->failed = ENOMEM;
        return 1;
    }
    if (w->n == w->cap) {
        char **g = realloc(w->lines, (w->cap = w->cap ? 2 * w->cap : 256) * sizeof(*g));
        if (!g) {
            free(line);
            w->failed = ENOMEM;
            return 1;
        }
        w->lines = g;
    }
    w->lines[w->n++] = line;
    return 0;
}

int noderoot_fingerprint(const char *node_dir, char out[65], struct og_error *err)
{
    char up[PATH_MAX];
    struct walk w = {0};
    _cleanup_dynbuf_ struct dynbuf all = {0};
    int r = 0;

    sub(node_dir, NODEROOT_RW_DIR "/upper", up, sizeof(up));
    w.base_len = strlen(up);
    walk_now = &w;
    if (nftw(up, walk_entry, 32, FTW_PHYS | FTW_MOUNT) != 0 || w.failed)
        r = og_error_set_errno(err, OG_E_READ_FAILED, w.failed ? w.failed : errno,
                               "cannot read the node's root changes in \"%s\"", up);
    walk_now = NULL;
    if (r == 0) {
        /* the entries in name order, each with its NUL */
        qsort(w.lines, w.n, sizeof(*w.lines), strv_cmp);
        dynbuf_init(&all, 64u << 20);
        for (size_t i = 0; i < w.n; i++)
            dynbuf_add(&all, w.lines[i], strlen(w.lines[i]) + 1);
        if (dynbuf_error(&all) || pkgsum_buffer(all.buf ? all.buf : "", all.len, out) < 0)
            r = og_error_set(err, OG_E_NOMEM, "the fingerprint of \"%s\"", up);
    }
    for (size_t i = 0; i < w.n; i++)
        free(w.lines[i]);
    free(w.lines);
    return r;
}

/* ---- snapshot and reset ----------------------------------------------------------- */

/* cp -a src/. dst: whiteouts (0:0 devices), opaque directories' xattrs,
 * owners, modes and times as they are. */
static int copy_all(const char *src, const char *dst, struct og_error *err)
{
    char from[PATH_MAX + 4];
    const char *argv[] = {"cp", "-a", "--", from, dst, NULL};
    _cleanup_command_ struct command *c = NULL;
    struct command_result res = {0};
    int r;

    snprintf(from, sizeof(from), "%s/.", src);
    c = command_new(argv);
    if (!c)
        return og_error_set(err, OG_E_NOMEM, "cp");
    command_set_timeout_ms(c, 120000);
    r = command_run(c, &res, err);
    if (r == 0 && res.exit_status != 0)
        r = og_error_set(err, OG_E_WRITE_FAILED, "cp -a \"%s\" \"%s\": %s", from, dst, res.err);
    command_result_done(&res);
    return r;
}

int noderoot_save(const char *node_dir, const char *snap_node_dir, struct og_error *err)
{
    char up[PATH_MAX], dst[PATH_MAX + 16], fp[65], fpfile[PATH_MAX + 16];
    int r;

    sub(node_dir, NODEROOT_RW_DIR "/upper", up, sizeof(up));
    sub(snap_node_dir, NODEROOT_SNAP, dst, sizeof(dst));
    sub(snap_node_dir, NODEROOT_SNAP_FP, fpfile, sizeof(fpfile));
    if ((r = simfs_remove_tree(dst, err)) < 0 || (r = fs_mkdir_p(dst, 0755, err)) < 0)
        return r;
    if ((r = copy_all(up, dst, err)) < 0 || (r = noderoot_fingerprint(node_dir, fp, err)) < 0)
        return r;
    return fs_replace_file(fpfile, fp, strlen(fp), 0600, err);
}

int noderoot_changed(const char *node_dir, const char *snap_node_dir, bool *ret,
                     struct og_error *err)
{
    char fpfile[PATH_MAX + 16], now[65];
    _cleanup_free_ char *saved = NULL;
    int r;

    *ret = false;
    sub(snap_node_dir, NODEROOT_SNAP_FP, fpfile, sizeof(fpfile));
    if (access(fpfile, F_OK) != 0)
        return 0;
    if ((r = fs_read_file(fpfile, 128, &saved, NULL, err)) < 0 ||
        (r = noderoot_fingerprint(node_dir, now, err)) < 0)
        return r;
    *ret = strcmp(saved, now) != 0;
    return 0;
}

int noderoot_reset(const char *node_dir, const char *snap_node_dir, struct og_error *err)
{
    char root[PATH_MAX], up[PATH_MAX], work[PATH_MAX], src[PATH_MAX + 16];
    int r;

    sub(node_dir, NODEROOT_DIR, root, sizeof(root));
    if (access(root, F_OK) != 0) /* a node made before writable roots */
        return 0;
    sub(node_dir, NODEROOT_RW_DIR "/upper", up, sizeof(up));
    sub(node_dir, NODEROOT_RW_DIR "/work", work, sizeof(work));
    sub(snap_node_dir, NODEROOT_SNAP, src, sizeof(src));
    if ((r = umount_all(root, OVERLAYFS_MAGIC, err)) < 0)
        return r;
    /* the layer is replaced only on the node's own tmpfs, never on the host */
    if ((r = ensure_rw(node_dir, err)) < 0)
        return r;
    if ((r = simfs_remove_tree(up, err)) < 0 || (r = simfs_remove_tree(work, err)) < 0)
        return r;
    if ((r = ensure_rw(node_dir, err)) < 0)
        return r;
    if (access(src, F_OK) == 0 && (r = copy_all(src, up, err)) < 0)
        return r;
    return mount_overlay(node_dir, err);
}
