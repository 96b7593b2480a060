/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * oglog.h - the command layer's log: a console stream (stderr) plus a log
 * file, openGauss style: $GAUSSLOG/om/<tool>-YYYY-MM-DD_hhmmss.log, mode 0600,
 * lines "[YYYY-MM-DD hh:mm:ss.uuuuuu][pid][tool][LEVEL][category]:message".
 *
 * Libraries log at debug only; tools log where they decide (systemd rule).
 * Every message goes through oglog_redact() first: passwords, tokens and
 * private keys never reach the console or the file.
 */
#pragma once

#include <stdio.h>
#include <sys/types.h>

#include "cleanup.h"
#include "ogerror.h"

enum oglog_level {
    OGLOG_DEBUG = 0,
    OGLOG_INFO = 1, /* "LOG" in the file, as openGauss's GaussLog writes it */
    OGLOG_WARNING = 2,
    OGLOG_ERROR = 3,
    OGLOG_NONE = 4,
};

/* Open the log file of tool. path: an explicit file (the tools' -l option),
 * or NULL for $GAUSSLOG/om/<tool>-<timestamp>.log. Without a path and without
 * $GAUSSLOG only the console is used (not an error).
 *
 * As root the path is walked from / one component at a time, never following
 * a symbolic link (OG_E_LOG_UNSAFE); every directory on the way must belong
 * to root or to oglog_trust_user()'s user and be writable by no one else
 * unless sticky (/tmp), and an existing file must be a regular file with one
 * link of root or that user (OG_E_LOG_UNSAFE otherwise: the caller logs to the
 * console only, or fails when the file was asked for). A relative path is
 * taken from the working directory, checked the same way. Not root: the
 * user's own files, O_NOFOLLOW on the file. */
int oglog_open(const char *tool, const char *path, struct og_error *err);
void oglog_close(void);

/* As root, the one user (besides root) whose directories and files the log
 * may be in: the cluster user. Set before oglog_open(). */
void oglog_trust_user(uid_t uid);

/* Give the open log to uid:gid (root, for the cluster user): the file only
 * when this oglog_open() created it, its directory only when it created that
 * too, by the descriptors it holds (fchown; never a path). */
int oglog_give(uid_t uid, gid_t gid, struct og_error *err);

/* The file in use, NULL when none. */
const char *oglog_path(void);

void oglog_set_console_level(enum oglog_level level);
void oglog_set_file_level(enum oglog_level level);
/* Where console lines go (default stderr); for tests. */
void oglog_set_console(FILE *f);

/* Whether a message of level would be written anywhere (skip building it). */
bool oglog_enabled(enum oglog_level level);

void oglog_msg(enum oglog_level level, const char *category, const char *fmt, ...) _printf_(3, 4);

/* Mask secrets in s, in place: the value after password=/passwd=/pwd=/
 * secret=/token=/PGPASSWORD= (any case, also "key: value"), the word after
 * -W / --password, and PEM private-key blocks. Returns how many were masked. */
int oglog_redact(char *s);

#define log_debug(cat, ...) oglog_msg(OGLOG_DEBUG, cat, __VA_ARGS__)
#define log_info(cat, ...)  oglog_msg(OGLOG_INFO, cat, __VA_ARGS__)
#define log_warn(cat, ...)  oglog_msg(OGLOG_WARNING, cat, __VA_ARGS__)
#define log_error(cat, ...) oglog_msg(OGLOG_ERROR, cat, __VA_ARGS__)
