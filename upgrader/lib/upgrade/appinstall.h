/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * The app directories of an upgrade, node-local (run by `gs_upgradectl
 * --local` and by gs_preinstall's worker):
 *
 * - the server package in $GPHOME (openGauss-V-OS-64bit.tar.bz2 + .sha256),
 *   its version.cfg read from inside it;
 * - installing it into <appPath>_<commit> at the in-place step 4, as
 *   openGauss's installNewBin (Local_Install install_cluster) does
 *   (openGauss-OM v5.0.0 UpgradeImpl.py:2386, :6729);
 * - the files an app carries from the old app to the new one and that the
 *   backup keeps (openGauss's backupClusterConfig / restoreClusterConfig /
 *   CopyCerts: UpgradeUtility.py v5.0.0 backupConfig :1283-1460, copyCerts
 *   :2383): the static and dynamic config, the cgroup config, pg_plugin,
 *   the *.key.cipher / *.key.rand files, the OM and etcd certificates.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "cleanup.h"
#include "ogerror.h"
#include "versioncfg.h"

#define APPINSTALL_KERNEL_SUFFIX "-64bit.tar.bz2"

/* The server package of version (any when NULL) in dir: its file name. */
int appinstall_find_kernel(const char *dir, const char *version, char *name, size_t size,
                           struct og_error *err) _warn_unused_result_;

/* member (e.g. "version.cfg", "./version.cfg" matches too) of tarball. */
int appinstall_read_member(const char *tarball, const char *member, char *buf, size_t size,
                           struct og_error *err) _warn_unused_result_;

/* gphome's version.cfg (the OM tools' release) into *om and the server
 * package of that release beside it, sha256 checked (GAUSS-51635) and its
 * signature when a key is configured (pkgsig.h): its path. */
int appinstall_kernel_package(const char *gphome, struct version_cfg *om, char *tarball,
                              size_t size, struct og_error *err) _warn_unused_result_;

/* version.cfg of the server package in gphome (the OM tools' version). */
int appinstall_kernel_version(const char *gphome, struct version_cfg *ret, struct og_error *err)
    _warn_unused_result_;

/* When gphome's server package was built (its bin/gaussdb's time, UTC,
 * "YYYY-MM-DD HH:MM:SS", the "compiled at" of its gaussdb -V). */
int appinstall_kernel_build_time(const char *gphome, char *buf, size_t size, struct og_error *err)
    _warn_unused_result_;

/* Extract gphome's server package (sha256 and signature checked) into target: a temporary
 * directory beside it renamed (or exchanged) into place, bin/upgrade_version
 * written; an existing target is replaced. */
int appinstall_install(const char *gphome, const char *target, struct og_error *err)
    _warn_unused_result_;

/* Copy what an app carries from one app (or backup) directory into another,
 * keeping relative paths and modes; absent entries are skipped. keep: an
 * entry already in to is left (a backup taken once is not overwritten). */
int appinstall_carry(const char *from, const char *to, bool keep, struct og_error *err)
    _warn_unused_result_;

/* The same, from a backup that may be absent (nothing to restore then). */
int appinstall_restore(const char *from, const char *to, struct og_error *err) _warn_unused_result_;

/* The carried entries, relative to an app ("*" globs in the last part). */
size_t appinstall_carried_count(void);
const char *appinstall_carried_at(size_t i);
