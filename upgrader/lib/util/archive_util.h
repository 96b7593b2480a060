/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * archive_util.h - safe extraction of a tarball (libarchive): every member
 * re-rooted under dest, absolute names refused (GAUSS-50222), no "..", no
 * writes through symlinks; modes and times kept.
 */
#pragma once

#include "ogerror.h"

int archive_extract(const char *tarball, const char *dest, struct og_error *err);
