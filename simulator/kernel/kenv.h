/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * kenv.h - who this kernel is: its app directory (the one holding the running
 * binary, i.e. $GAUSSHOME's target), its version.cfg and the version strings
 * the tools print.
 */
#pragma once

#include <limits.h>
#include <stdbool.h>

#include "ogerror.h"
#include "simversion.h"
#include "versioncfg.h"

/* Where PostgreSQL 15 lives on every node (the host's read-only root). */
#define KENV_PG_BINDIR "/usr/lib/postgresql/15/bin"

struct kenv {
    char app[PATH_MAX];    /* e.g. /opt/og/app_02c14696 */
    char bindir[PATH_MAX]; /* app/bin */
    struct version_cfg ver;
    const struct sim_version *sim; /* NULL for a version the simulator does not know */
    const char *build_time;        /* "2022-04-01 18:12:34" */
};

/* Find the app dir from /proc/self/exe and read <app>/version.cfg (or
 * <app>/bin/upgrade_version). */
int kenv_load(struct kenv *k, struct og_error *err);

/* The -V line of tool, in openGauss's format (no newline). */
void kenv_version_line(const struct kenv *k, const char *tool, char *buf, size_t size);

/* Path of a PostgreSQL program, e.g. kenv_pg_program("psql"). */
const char *kenv_pg_program(const char *name, char *buf, size_t size);

/* The server executable: <app>/lib/postgresql/gaussdb (a symlink to
 * PostgreSQL's postgres, so the server's process name is "gaussdb") when
 * present, else PostgreSQL's postgres itself. */
const char *kenv_server_program(const struct kenv *k, char *buf, size_t size);

/* "[2022-06-28 12:42:24.316][8790][][gs_ctl]: " */
void kenv_log_prefix(const char *tool, char *buf, size_t size);
