/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * lockfile.h - advisory exclusive lock on a file (open-file-description
 * locks, F_OFD_SETLK). The kernel drops the lock when the holder dies, so a
 * crashed holder never leaves a lock behind; the file itself stays and holds
 * "pid=<pid> tool=<name> since=<unix time>" of the last holder, which the
 * error detail quotes when someone else finds the lock taken.
 */
#pragma once

#include "cleanup.h"
#include "ogerror.h"

struct lockfile;

/* Take the lock at path (created 0600 when missing). timeout_ms = 0 tries
 * once; > 0 retries until then. -OG_E_LOCKED when another holder has it. */
int lockfile_acquire(const char *path, const char *owner, int timeout_ms, struct lockfile **ret,
                     struct og_error *err);

/* Release and free (NULL accepted). The file is left in place. */
void lockfile_release(struct lockfile *lock);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct lockfile *, lockfile_release)
#define _cleanup_lockfile_ _cleanup_(lockfile_releasep)
