/* SPDX-License-Identifier: MulanPSL-2.0 */
/* simfs.h - host-side file helpers of the simulator (trees, sparse images). */
#pragma once

#include <sys/types.h>

#include "ogerror.h"

/* Copy a file keeping holes (SEEK_DATA/SEEK_HOLE + copy_file_range), mode
 * and owner. dst is replaced crash-safely (temp + rename). */
int simfs_copy_file(const char *src, const char *dst, struct og_error *err);
/* Copy a directory tree (files, dirs, symlinks; modes and owners kept). dst
 * must not exist. */
int simfs_copy_tree(const char *src, const char *dst, struct og_error *err);
/* rm -rf path (no symlink is followed); a missing path is fine. */
int simfs_remove_tree(const char *path, struct og_error *err);
/* chown -R (no symlink is followed). */
int simfs_chown_tree(const char *path, uid_t uid, gid_t gid, struct og_error *err);
