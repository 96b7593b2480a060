/* SPDX-License-Identifier: MulanPSL-2.0 */
/* The command-line kit's small parts: number parsing that refuses what atoi()
 * lets through (systemd's safe_atoi), and ogup's own tools' version line. */
#pragma once

#include "cleanup.h"

/* s: optional blanks, an optional sign, decimal digits, nothing after; in
 * range of int. 0, or -EINVAL / -ERANGE with *ret untouched. */
int safe_atoi(const char *s, int *ret) _warn_unused_result_;
/* The same in [min, max] (-ERANGE outside), and for long long. */
int safe_atoi_range(const char *s, int min, int max, int *ret) _warn_unused_result_;
int safe_atolli(const char *s, long long *ret) _warn_unused_result_;
int safe_atolli_range(const char *s, long long min, long long max, long long *ret)
    _warn_unused_result_;
/* Digits of base (8 for a file mode, 10, 16), no sign; in range of unsigned. */
int safe_atou_base(const char *s, unsigned base, unsigned *ret) _warn_unused_result_;

/* "<tool> (ogup) <version>" on stdout: --version / -V of ogsim, ogfault and
 * ogscenario (the OM tools print openGauss's line instead: omtools.c). */
int og_print_version(const char *tool);
