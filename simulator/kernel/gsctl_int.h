/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * gsctl_int.h - gs_ctl's inside, shared by gsctl.c (the command line, start,
 * stop, restart), gsctl_query.c (query, status) and gsctl_ha.c (switchover,
 * failover, build).
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "cleanup.h"
#include "kenv.h"

struct ctl {
    const struct kenv *k;
    const char *cmd;
    const char *datadir;
    const char *mode;       /* -M */
    const char *opts;       /* -o */
    const char *logfile;    /* -l */
    const char *stop_mode;  /* -m */
    const char *build_mode; /* -b */
    const char *conninfo;   /* -C */
    int wait_s;             /* -t */
    bool no_wait;           /* -W */
};

/* gsctl.c */
/* A progress line on stdout, after the "[time][pid][][gs_ctl]: " prefix. */
void gsctl_say(const char *fmt, ...) _printf_(1, 2);
int gsctl_do_start(const struct ctl *c, bool banner);
int gsctl_do_stop(const struct ctl *c, bool banner);

/* gsctl_query.c */
/* An LSN "X/Y" as a number (0 when it is not one). */
uint64_t gsctl_lsn(const char *s);
int gsctl_do_query(const struct ctl *c);
int gsctl_do_status(const struct ctl *c);

/* gsctl_ha.c */
int gsctl_do_switchover(const struct ctl *c);
int gsctl_do_failover(const struct ctl *c);
int gsctl_do_build(const struct ctl *c);
