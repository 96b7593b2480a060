/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * pkgsum.h - the SHA-256 files that ship beside openGauss packages.
 *
 * openGauss writes them with
 *     sha256sum "$pkg" | awk -F" " '{print $1}' > "$sha256_name"
 * (openGauss-server build/script/utils/internal_packages.sh), so a .sha256
 * file is the 64 lower-case hex characters and one newline: 65 bytes, no file
 * name. openGauss-OM reads the first line and strips it
 * (PackageInfo.getFileSHA256Info, DefaultValue.checkSHA256); a mismatch is
 * [GAUSS-51635] "Failed to check SHA256.".
 */
#pragma once

#include <stddef.h>

#include "ogerror.h"

#define PKGSUM_HEX_LEN 64

/* SHA-256 of a file (read in chunks, never whole in memory) as lower-case
 * hex. 0, -OG_E_NOT_EXIST (no such file), -OG_E_READ_FAILED or -OG_E_NOMEM.
 * hex is written only on success. */
int pkgsum_file(const char *path, char hex[PKGSUM_HEX_LEN + 1], struct og_error *err);

/* SHA-256 of len bytes at data as lower-case hex: 0, or -OG_E_NOMEM. */
int pkgsum_buffer(const void *data, size_t len, char hex[PKGSUM_HEX_LEN + 1]);

/* Write sumfile ("<hex>\n", mode 0644) for file, crash-safely. */
int pkgsum_write(const char *file, const char *sumfile, struct og_error *err);

/* Check file against sumfile. Trailing whitespace (the newline) in sumfile is
 * ignored. -OG_E_NOT_EXIST when either is missing; -OG_E_SHA256 when the
 * digests differ or sumfile holds no digest (the detail names the file and
 * both values). */
int pkgsum_verify(const char *file, const char *sumfile, struct og_error *err);
