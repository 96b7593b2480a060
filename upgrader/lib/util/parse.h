/* SPDX-License-Identifier: MulanPSL-2.0 */
/* The command-line kit's small parts: number parsing that refuses what atoi()
 * lets through (systemd's safe_atoi), and ogup's own tools' version line. */
#pragma once

#include "cleanup.h"

/* s: optional blanks, an optional sign, decimal digits, nothing after; in
 * range of int. 0, or -EINVAL / -ERANGE with *ret untouched. */
int safe_atoi(const char *s, int *ret) _warn_unused_result_;

/* "<tool> (ogup) <version>" on stdout: --version / -V of ogsim, ogfault and
 * ogscenario (the OM tools print openGauss's line instead: omtools.c). */
int og_print_version(const char *tool);
