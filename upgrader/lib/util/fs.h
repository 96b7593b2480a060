/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * fs.h - file helpers for state that must survive a crash.
 *
 * fs_replace_file() writes like git's lockfile: a temp file created with
 * O_EXCL beside the target, written, fsync'd, chmod'ed, renamed over the
 * target, then the directory fsync'd. A reader sees the old content or the
 * new one, never half. A crash leaves at most a stray "<name>.tmp-XXXXXX"
 * file, which never shadows the real one and which the next replace of the
 * same path removes.
 */
#pragma once

#include <stdbool.h>

#include <stddef.h>
#include <sys/types.h>

#include "ogerror.h"

/* Writes the whole content to fd; return 0 or a negative code. */
typedef int (*fs_writer_fn)(int fd, void *userdata, struct og_error *err);

int fs_replace_file(const char *path, const void *data, size_t len, mode_t mode,
                    struct og_error *err);
int fs_replace_file_with(const char *path, mode_t mode, fs_writer_fn writer, void *userdata,
                         struct og_error *err);

/* write() the whole buffer, retrying short writes and EINTR; -errno on failure. */
int fs_write_all(int fd, const void *data, size_t len);

/* Read a whole file, at most max bytes (more = -OG_E_TOO_LARGE). The result
 * is NUL-terminated; *ret_len excludes the NUL (ret_len may be NULL).
 * A missing file is -OG_E_NOT_EXIST. */
/* path read through in chunks of at most chunk bytes, each given to fn (a
 * non-zero return ends the read with it); an open or read failure is
 * GAUSS-50201 (absent) or GAUSS-50202 with the path. */
int fs_read_chunks(const char *path, size_t chunk,
                   int (*fn)(void *arg, const void *data, size_t n, struct og_error *err),
                   void *arg, struct og_error *err);
int fs_read_file(const char *path, size_t max, char **ret_data, size_t *ret_len,
                 struct og_error *err);

/* Remove path and everything below it (no symlink is followed); an absent
 * path is not an error. */
int fs_remove_tree(const char *path, struct og_error *err);

/* mkdir -p with mode for created components. Each directory it creates is
 * made durable: its parent is fsync'd right after the mkdir (failpoint
 * util/fs/mkdir/fsync-parent; a failure is -OG_E_IO). Existing components
 * are left as they are. */
int fs_mkdir_p(const char *path, mode_t mode, struct og_error *err);

/* Copy a regular file or a directory tree (a top-level symlink is followed,
 * none below it; links, devices and sockets below are skipped), modes
 * kept, each file written crash-safely; files of at most 64 MiB. An absent
 * src is not an error. keep: a file already at its destination is left. */
int fs_copy_tree(const char *src, const char *dst, bool keep, struct og_error *err);

/* fs_copy_tree (keep false) for many files that only matter together: each
 * file written in place (O_TRUNC, no temp, no fsync); the caller makes the
 * whole durable with one fs_syncfs() and only then marks it complete, and
 * redoes the whole copy when it finds no mark (a crash may leave any file
 * copied so far short). */
int fs_copy_tree_unsynced(const char *src, const char *dst, struct og_error *err);

/* syncfs(2) of the file system holding path: everything written there is on disk. */
int fs_syncfs(const char *path, struct og_error *err);

/* fsync the directory holding path (or path itself when it is a dir). */
int fs_fsync_dir(const char *dir, struct og_error *err);
