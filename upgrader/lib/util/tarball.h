/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * tarball.h - safe extraction of a tarball (libarchive reads, tarball.c
 * writes every member relative to an fd of dest, each path component opened
 * O_NOFOLLOW). Refused, with nothing written for that member:
 *  - an absolute or empty name, a ".." component, in a member's name or in a
 *    hardlink's target: GAUSS-50222;
 *  - a name of PATH_MAX bytes or more, a component over NAME_MAX: OGUP-60003
 *    (never cut short);
 *  - a device, FIFO, socket; a set-uid, set-gid or sticky bit; a member
 *    reached through a symlink or a file; a hardlink to no earlier regular
 *    file or symlink under dest: OGUP-60170.
 * A hardlink names an earlier member (re-rooted under dest, whatever the
 * working directory). Symlinks are made as they are (never followed here).
 * Modes (0777 bits) and times kept; directories' modes and times set last;
 * owners never set. dest is made when missing.
 */
#pragma once

#include "ogerror.h"

int tarball_extract(const char *tarball, const char *dest, struct og_error *err);
