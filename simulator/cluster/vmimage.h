/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * vmimage.h - what a QEMU node boots: the guest kernel ci/setup.sh unpacked
 * from Debian's cloud kernel package, and an initramfs of ogsim-vminit with
 * the kernel's modules the node needs (built with libarchive, newc cpio).
 *
 * The kernel directory (OGSIM_VM_KERNEL_DIR, default VMIMAGE_KERNEL_DIR)
 * holds the package's tree as dpkg-deb -x leaves it: boot/vmlinuz-REL and
 * lib/modules/REL/kernel/...; exactly one release.
 */
#pragma once

#include <limits.h>

#include "cleanup.h"
#include "ogerror.h"

#define VMIMAGE_KERNEL_DIR "/var/cache/ogsim/vmkernel"

struct vm_kernel {
    char dir[PATH_MAX];
    char release[128];
    char vmlinuz[PATH_MAX];
};

/* The kernel to boot; -OG_E_NOT_EXIST (naming ci/setup.sh) when there is none. */
int vmimage_kernel(struct vm_kernel *k, struct og_error *err) _warn_unused_result_;

/* Write the initramfs to out (replaced whole): /init = the static program at
 * vminit, /dev/console, and the modules of vmimage_modules[] in load order.
 * A module missing from the kernel is -OG_E_NOT_EXIST. */
int vmimage_initrd(const struct vm_kernel *k, const char *vminit, const char *out,
                   struct og_error *err) _warn_unused_result_;

/* The modules, in the order they must load (each after what it depends on). */
extern const char *const vmimage_modules[];
