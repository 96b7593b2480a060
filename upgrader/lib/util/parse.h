/* SPDX-License-Identifier: MulanPSL-2.0 */
/* Number parsing that refuses what atoi() lets through (systemd's safe_atoi). */
#pragma once

#include "cleanup.h"

/* s: optional blanks, an optional sign, decimal digits, nothing after; in
 * range of int. 0, or -EINVAL / -ERANGE with *ret untouched. */
int safe_atoi(const char *s, int *ret) _warn_unused_result_;
