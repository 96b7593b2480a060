/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * package.h - build the openGauss packages of the simulated releases.
 *
 * For version V (simversion.h) and os SIM_PACKAGE_OS the builder writes, into
 * one directory, the layout openGauss ships:
 *
 *   openGauss-V-Debian-64bit-all.tar.gz    the bundle: the four files below
 *   openGauss-V-Debian-64bit.tar.bz2       the kernel tarball
 *   openGauss-V-Debian-64bit.sha256        its SHA-256 ("<hex>\n", pkgsum.h)
 *   upgrade_sql.tar.gz                     the catalog upgrade SQL
 *   upgrade_sql.sha256                     its SHA-256
 *
 * The kernel tarball holds bin/gaussdb (the node kernel binary, 0755), the
 * symlinks bin/gs_ctl, bin/gsql, bin/gs_guc, bin/gs_initdb -> gaussdb,
 * version.cfg (openGauss-V / 92.NNN / commit), share/postgresql/README.ogsim
 * and an empty lib/. upgrade_sql.tar.gz holds upgrade_sql/ with the four
 * catalog folders (every step file for the catalog steps <= V's kernel
 * number), set_guc/add_guc, set_guc/delete_guc and an empty check_upgrade/.
 *
 * Builds are deterministic: the same version and kernel binary give
 * byte-identical files (ustar, sorted entries, mtime = the release's build
 * time in UTC, uid/gid 0 without names, fixed modes, gzip without timestamp).
 * Every file is written crash-safely (fs_replace_file_with).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "dynbuf.h"
#include "ogerror.h"
#include "simversion.h"

enum package_file {
    PACKAGE_BUNDLE,          /* openGauss-V-Debian-64bit-all.tar.gz */
    PACKAGE_KERNEL,          /* openGauss-V-Debian-64bit.tar.bz2 */
    PACKAGE_KERNEL_SUM,      /* openGauss-V-Debian-64bit.sha256 */
    PACKAGE_OM,              /* openGauss-V-Debian-64bit-om.tar.gz (script/gs_om, gs_ssh) */
    PACKAGE_OM_SUM,          /* openGauss-V-Debian-64bit-om.sha256 */
    PACKAGE_UPGRADE_SQL,     /* upgrade_sql.tar.gz */
    PACKAGE_UPGRADE_SQL_SUM, /* upgrade_sql.sha256 */
};

/* Environment variable naming the kernel binary when --kernel is not given. */
#define PACKAGE_KERNEL_ENV "OGSIM_KERNEL"
/* The README shipped in the kernel tarball (so share/ exists). */
#define PACKAGE_README_PATH "share/postgresql/README.ogsim"

/* The file name (no directory) of one package file of version v. */
void package_file_name(const struct sim_version *v, enum package_file f, char *buf, size_t size);

/* The kernel binary to package: explicit (--kernel) when non-NULL, else
 * $OGSIM_KERNEL when set and non-empty, else the compiled-in default (the
 * build tree's ogkernel). Never NULL. */
const char *package_kernel_path(const char *explicit_path);

/* The release's build time as a UTC epoch ("2022-04-01 18:12:34" ->
 * 1648836754); -OG_E_INVALID_ARG when the table holds a bad time. */
int package_build_time(const struct sim_version *v, long long *ret);

/* Build version's package into out_dir (created when missing) from the
 * kernel binary at kernel (NULL: package_kernel_path(NULL)).
 *  -OG_E_PARAM_INVALID  unknown version (the detail lists the known ones)
 *  -OG_E_NOT_EXIST      kernel missing, not a regular file or not executable
 * Both are checked before anything is written. Otherwise 0 or the code of
 * the step that failed (-OG_E_CREATE_FAILED, -OG_E_WRITE_FAILED, ...). */
int package_build(const char *version, const char *out_dir, const char *kernel,
                  struct og_error *err);

/* Check the .sha256 files in dir against their tarballs (pkgsum_verify):
 * -OG_E_PARAM_INVALID (unknown version), -OG_E_NOT_EXIST, -OG_E_SHA256. */
int package_verify(const char *dir, const char *version, struct og_error *err);

/* The simulated releases, one line each (version, kernel number, commit,
 * build time, MOT allowed) as an aligned table, or as a JSON array. */
int package_list(bool json, struct dynbuf *out, struct og_error *err);

/* Extract a tarball into dest safely (no absolute paths, no "..", no writes
 * through symlinks), keeping modes and times. */
int package_extract(const char *tarball, const char *dest, struct og_error *err);

/* Install version's kernel from the package in pkg_dir into app_dir (an
 * app_<commit> directory): verify the checksums, extract the kernel tarball
 * safely (no absolute paths, no "..", no writes through symlinks), and copy
 * version.cfg to bin/upgrade_version as openGauss's install does.
 * -OG_E_SHA256 on a tampered package (nothing extracted). */
int package_install_kernel(const char *pkg_dir, const char *version, const char *app_dir,
                           struct og_error *err);

/* "1.0.0, 1.0.1, ..., 6.0.0" */
int package_known_versions(struct dynbuf *out);
