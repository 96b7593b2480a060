/* SPDX-License-Identifier: MulanPSL-2.0 */
/* journal_int.h - the small text helpers journal.c and journal_record.c share. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* Copy at most size-1 bytes; false when it does not fit. */
bool journal_copy_str(char *dst, size_t size, const char *src, size_t len);
/* Next line of *p (without "\n" or "\r\n"); false at the end of text. */
bool journal_next_line(const char **p, const char **ret, size_t *ret_len);
/* A token we write into a file: non-empty, no separators or control chars. */
bool journal_safe_token(const char *s, const char *forbidden);
/* Blanks off both ends. */
void journal_trim(const char **s, size_t *len);

#include "journal.h"

/* The parsed files of the journal in dir (journal.c), for the views. */
int journal_read_steps_in(const char *dir, const char *expected, int mismatch_code,
                          int notdigit_code, struct journal_steps *ret, struct og_error *err);
int journal_read_app_dirs_in(const char *dir, struct journal_app_dirs *ret, struct og_error *err);
