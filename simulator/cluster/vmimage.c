/* SPDX-License-Identifier: MulanPSL-2.0 */
#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "fs.h"
#include "vmimage.h"
#include "banned.h"

/* Debian's cloud kernel has no modules.dep in the package (depmod runs at
 * install): the order comes from each module's "depends=" (modinfo): the
 * virtio transport, virtiofs for the root and the shares, virtio_net and
 * virtio_blk for the network and the data disk, virtio_console for the
 * guest agent's port, netem for delay faults. */
const char *const vmimage_modules[] = {
    "drivers/virtio/virtio_ring",
    "drivers/virtio/virtio",
    "drivers/virtio/virtio_pci_modern_dev",
    "drivers/virtio/virtio_pci_legacy_dev",
    "drivers/virtio/virtio_pci",
    "drivers/char/virtio_console",
    "fs/fuse/fuse",
    "fs/fuse/virtiofs",
    "net/core/failover",
    "drivers/net/net_failover",
    "drivers/net/virtio_net",
    "drivers/block/virtio_blk",
    "net/sched/sch_netem",
    NULL,
};

DEFINE_TRIVIAL_CLEANUP_FUNC(struct archive *, archive_write_free)
DEFINE_TRIVIAL_CLEANUP_FUNC(struct archive_entry *, archive_entry_free)

int vmimage_kernel(struct vm_kernel *k, struct og_error *err)
{
    const char *e = getenv("OGSIM_VM_KERNEL_DIR");
    _cleanup_(closedirp) DIR *d = NULL;
    char boot[PATH_MAX + 8];
    struct dirent *de;
    int found = 0;

    memset(k, 0, sizeof(*k));
    snprintf(k->dir, sizeof(k->dir), "%s", e && e[0] == '/' ? e : VMIMAGE_KERNEL_DIR);
    snprintf(boot, sizeof(boot), "%s/boot", k->dir);
    d = opendir(boot);
    while (d && (de = readdir(d))) {
        if (strncmp(de->d_name, "vmlinuz-", 8) != 0)
            continue;
        snprintf(k->release, sizeof(k->release), "%s", de->d_name + 8);
        found++;
    }
    if (found != 1)
        return og_error_set(err, OG_E_NOT_EXIST,
                            "no guest kernel for the QEMU driver in %s (%s; ci/setup.sh unpacks "
                            "Debian's linux-image-cloud-amd64 there)",
                            boot, found ? "more than one vmlinuz" : "no vmlinuz");
    snprintf(k->vmlinuz, sizeof(k->vmlinuz), "%s/vmlinuz-%s", boot, k->release);
    return 0;
}

static int fail(struct archive *a, const char *out, struct og_error *err)
{
    return og_error_set(err, OG_E_WRITE_FAILED, "cannot write the initramfs \"%s\": %s", out,
                        archive_error_string(a) ? archive_error_string(a) : "libarchive error");
}

/* One entry: a directory (path ends in '/'), a character device (rdev), or
 * the file at src. */
static int add(struct archive *a, const char *out, const char *name, mode_t type, mode_t perm,
               dev_t rdev, const char *src, struct og_error *err)
{
    _cleanup_(archive_entry_freep) struct archive_entry *ae = archive_entry_new();
    _cleanup_free_ char *data = NULL;
    size_t len = 0;
    int r;

    if (!ae)
        return og_error_set(err, OG_E_NOMEM, "initramfs entry");
    if (src) {
        r = fs_read_file(src, 64 << 20, &data, &len, err);
        if (r < 0)
            return r;
    }
    archive_entry_set_pathname(ae, name);
    archive_entry_set_filetype(ae, type);
    archive_entry_set_perm(ae, perm);
    archive_entry_set_rdev(ae, rdev);
    archive_entry_set_size(ae, (la_int64_t)len);
    if (archive_write_header(a, ae) != ARCHIVE_OK)
        return fail(a, out, err);
    if (len && archive_write_data(a, data, len) != (la_ssize_t)len)
        return fail(a, out, err);
    return 0;
}

int vmimage_initrd(const struct vm_kernel *k, const char *vminit, const char *out,
                   struct og_error *err)
{
    _cleanup_(archive_write_freep) struct archive *a = archive_write_new();
    char tmp[PATH_MAX + 8];
    int r = 0;

    if (!a)
        return og_error_set(err, OG_E_NOMEM, "initramfs");
    snprintf(tmp, sizeof(tmp), "%s.tmp", out);
    if (archive_write_set_format_cpio_newc(a) != ARCHIVE_OK ||
        archive_write_add_filter_none(a) != ARCHIVE_OK || archive_write_open_filename(a, tmp))
        return fail(a, tmp, err);
    r = add(a, tmp, "dev", AE_IFDIR, 0755, 0, NULL, err);
    if (r == 0)
        r = add(a, tmp, "dev/console", AE_IFCHR, 0600, makedev(5, 1), NULL, err);
    if (r == 0)
        r = add(a, tmp, "modules", AE_IFDIR, 0755, 0, NULL, err);
    if (r == 0)
        r = add(a, tmp, "init", AE_IFREG, 0755, 0, vminit, err);
    for (size_t i = 0; r == 0 && vmimage_modules[i]; i++) {
        char src[PATH_MAX * 2], name[64];
        snprintf(src, sizeof(src), "%s/lib/modules/%s/kernel/%s.ko", k->dir, k->release,
                 vmimage_modules[i]);
        /* "modules/NN-name.ko": vminit loads them in name order */
        snprintf(name, sizeof(name), "modules/%02zu-%s.ko", i,
                 strrchr(vmimage_modules[i], '/') + 1);
        if (access(src, R_OK) < 0)
            r = og_error_set_errno(err, OG_E_NOT_EXIST, errno,
                                   "the guest kernel %s lacks the module %s", k->release, src);
        else
            r = add(a, tmp, name, AE_IFREG, 0644, 0, src, err);
    }
    if (r == 0 && archive_write_close(a) != ARCHIVE_OK)
        r = fail(a, tmp, err);
    if (r == 0 && rename(tmp, out) < 0)
        r = og_error_set_errno(err, OG_E_WRITE_FAILED, errno, "rename \"%s\"", tmp);
    if (r < 0)
        unlink(tmp);
    return r;
}
