/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * tartree.h - a tarball built as a list of entries, written sorted by name
 * (reproducible: fixed mtime, owner 0, no padding, no gzip timestamp).
 *
 * A builder with a sticky error (libvirt's virBuffer way): tar_tree_add*()
 * after a failure add nothing, and tar_tree_write() reports the first
 * failure before it writes anything, so a package is never written with an
 * entry missing from its middle. Add calls may be chained without checks.
 */
#pragma once

#include <stddef.h>
#include <sys/types.h>
#include <time.h>

#include "cleanup.h"
#include "ogerror.h"

enum entry_kind {
    ENTRY_DIR,
    ENTRY_MEM,  /* content in memory */
    ENTRY_DISK, /* content streamed from a file */
    ENTRY_SYMLINK,
};

struct tar_entry {
    char *path; /* without a trailing '/' */
    enum entry_kind kind;
    mode_t perm;
    char *data; /* MEM: content; DISK: source path; SYMLINK: target */
    size_t len; /* MEM */
};

struct tar_tree {
    struct tar_entry *v;
    size_t n, alloc;
    int error; /* sticky: the first add that failed (-OG_E_NOMEM) */
};

enum tar_filter {
    TAR_GZIP,
    TAR_BZIP2,
};

void tar_tree_done(struct tar_tree *t);
static inline void tar_tree_donep(struct tar_tree *t)
{
    tar_tree_done(t);
}
#define _cleanup_tar_tree_ _cleanup_(tar_tree_donep)

/* One entry (data: MEM content of len bytes, DISK source path, SYMLINK
 * target, DIR NULL). 0, or the sticky error. */
int tar_tree_add(struct tar_tree *t, enum entry_kind kind, const char *path, mode_t perm,
                 const void *data, size_t len);
/* Each directory of the NULL-terminated list, mode 0755. */
int tar_tree_add_dirs(struct tar_tree *t, const char *const *paths);

/* The tarball at path (replaced atomically, 0644); the sticky error first
 * (OG_E_NOMEM "building <what>"). */
int tar_tree_write(struct tar_tree *tree, enum tar_filter filter, time_t mtime, const char *path,
                   const char *what, struct og_error *err);
