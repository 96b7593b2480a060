/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * noderoot.h - a node's own writable root, like a real host's: an overlay
 * of the host's root (read, never written) with the node's changes in an
 * upper layer on a tmpfs of its own, so root on a node can make
 * /opt/software, edit /etc/profile or add a user as the upgrade guide does,
 * and the host sees none of it.
 *
 * Laid out under the node's state directory:
 *   root-rw/          the tmpfs (size-limited): upper/ (the changes), work/
 *   root/             the overlay, the node's "/" (its domain binds it)
 * A snapshot keeps a copy of upper/ (cp -a: whiteouts and opaque
 * directories kept) and its fingerprint; a restore puts the copy back only
 * when the fingerprint differs (the node must be down then: the upper layer
 * is not changed under a mounted overlay). Down unmounts both.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "cleanup.h"
#include "ogerror.h"

#define NODEROOT_DIR     "root"
#define NODEROOT_RW_DIR  "root-rw"
#define NODEROOT_SNAP    "rootfs"    /* in a snapshot's node directory: upper/'s copy */
#define NODEROOT_SNAP_FP "rootfs.fp" /* and its fingerprint */
#define NODEROOT_RW_MIB  256

/* Mount the tmpfs and the overlay under node_dir (made when absent); a
 * root already mounted is left as it is. */
int noderoot_mount(const char *node_dir, struct og_error *err) _warn_unused_result_;
/* Unmount the overlay and the tmpfs (a node still using them: detached);
 * nothing mounted is fine. */
int noderoot_umount(const char *node_dir, struct og_error *err) _warn_unused_result_;
/* Whether path is an overlay mount (the node's root is in place). */
bool noderoot_mounted(const char *node_dir);
/* SHA-256 (hex) of what upper/ holds: every entry's path, type, mode,
 * owner, size, mtime, device number and link target, in name order. */
int noderoot_fingerprint(const char *node_dir, char out[65], struct og_error *err)
    _warn_unused_result_;
/* Copy upper/ into snap_node_dir/NODEROOT_SNAP with its fingerprint. */
int noderoot_save(const char *node_dir, const char *snap_node_dir, struct og_error *err)
    _warn_unused_result_;
/* Whether the node's root differs from the snapshot's (no fingerprint in
 * the snapshot: an older snapshot, the root taken as it is). */
int noderoot_changed(const char *node_dir, const char *snap_node_dir, bool *ret,
                     struct og_error *err) _warn_unused_result_;
/* The node down: unmount, put the snapshot's upper/ back, mount again. */
int noderoot_reset(const char *node_dir, const char *snap_node_dir, struct og_error *err)
    _warn_unused_result_;
