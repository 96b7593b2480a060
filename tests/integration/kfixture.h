/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * kfixture.h - local-process fixture for kernel integration tests: packages
 * built with the real builder, installed into app_<commit> directories under
 * a private root, a $GAUSSHOME-style "app" symlink, and the kernel's tools
 * run as the omm user (PostgreSQL refuses root) with PGHOST/GAUSSLOG set.
 */
#pragma once

#include <stdbool.h>

#include "command.h"
#include "simversion.h"

struct kfix {
    char root[128];   /* $TMPDIR/ogup-test-<program>-XXXXXX (tests/helpers/tmpdir.h) */
    char pghost[160]; /* root/tmp: unix sockets */
    char log[160];    /* root/log: GAUSSLOG */
};

/* Create the root and install each version (NULL-terminated list). */
void kfix_setup(struct kfix *f, const char *const *versions);
/* Stop every server under root (immediate) and remove root. */
void kfix_teardown(struct kfix *f);

/* Point root/app at version's app dir. */
void kfix_use(struct kfix *f, const char *version);

/* Run root/app/bin/<tool> args... as omm; the result is in *res. */
int kfix_run(struct kfix *f, struct command_result *res, const char *tool, ...) _sentinel_;
/* Same with an argv array. */
int kfix_runv(struct kfix *f, struct command_result *res, const char *tool,
              const char *const *args);

/* A free TCP port on 127.0.0.1. */
int kfix_free_port(void);

/* The initial user's password in every fixture instance (test-only). */
#define KFIX_PASSWORD "ogup-fixture-1"

/* gs_initdb (-w KFIX_PASSWORD) + port/listen settings; returns the data dir
 * path in buf. */
void kfix_initdb(struct kfix *f, const char *name, int port, char *buf, size_t size);

/* Run SQL with gsql -tA against port/db over the local socket (the initial
 * user's way in), return trimmed stdout (static). */
const char *kfix_sql(struct kfix *f, int port, const char *db, const char *sql);
