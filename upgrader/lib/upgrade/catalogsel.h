/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * catalogsel.h - which catalog SQL files a large upgrade (or its rollback)
 * runs, and in which order, as openGauss's getFileNameList chooses them
 * (reference §3.5):
 *  - a name split on '_' must give exactly 5 tokens, the first equal to the
 *    mode ("upgrade", "upgrade-post", "rollback", "rollback-post") and the
 *    third to the database kind ("maindb" or "otherdb");
 *  - the file is included when old < <int>.<frac> <= new (kernel numbers,
 *    compared as integers of number*1000);
 *  - upgrade* files run ascending, rollback* descending, except that a
 *    rollback file for 92.506 always runs last.
 */
#pragma once

#include <stddef.h>

#include "ogerror.h"

/* Select from names[0..n) into out (pointers into names), at most max;
 * returns the count or -OG_E_TOO_LARGE. mode/db as in the file names. */
int catalogsel_select(const char *const *names, size_t n, const char *mode, const char *db,
                      int old_number, int new_number, const char **out, size_t max);

/* The kernel number a file name carries (92605 for ..._92_605.sql), or -1. */
int catalogsel_number(const char *name);
