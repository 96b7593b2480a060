/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * shquote.h - THE one function that turns an argv into a POSIX shell command
 * line (git's sq_quote). Every remote command ogup runs is built here and
 * nowhere else.
 *
 * Each argument becomes a single-quoted word; a single quote inside becomes
 * '\''. Nothing else is special inside single quotes, so the remote shell
 * sees exactly the bytes given: $(), backticks, ;, globs, newlines and
 * non-ASCII stay literal, and an empty argument stays an argument ('').
 *
 * shquote_check_name() refuses host names, user names and paths that a
 * program would read as an option (leading '-') or that are empty or hold
 * control characters.
 */
#pragma once

#include "dynbuf.h"
#include "ogerror.h"

/* Append argv (NULL-terminated, at least one element) as a quoted command
 * line to b. Returns 0 or a negative code (-OG_E_INVALID_ARG for an empty
 * argv, dynbuf errors). */
int shquote_argv(struct dynbuf *b, const char *const *argv);

/* what = "host" / "user" / "path" (used in the error detail).
 * Returns 0 or -OG_E_UNSAFE_ARG. */
int shquote_check_name(const char *what, const char *value, struct og_error *err);
