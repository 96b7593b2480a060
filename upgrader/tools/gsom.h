/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * gsom.h - gs_om's command line once checked (gsom.c) and the actions that
 * run it (gsom_run.c).
 */
#pragma once

#include <stdbool.h>

#include "clusterconfig.h"
#include "ogerror.h"

struct gsom_args {
    const char *action;          /* the -t value */
    char node[CLUSTER_NAME_MAX]; /* -h, "" when not given */
    const char *mode;            /* -m / --mode, NULL when not given */
    const char *data_dir;        /* -D */
    const char *out;             /* -o */
    const char *timeout;         /* --time-out as given */
    int timeout_s;               /* checked, 300 by default */
    const char *az, *security, *xml, *old_values, *new_values, *cert_file;
    bool detail, all, distribute, dynamic, rollback;
};

/* Run a checked action on the installed cluster. */
int gsom_run(const struct gsom_args *a, struct og_error *err) _warn_unused_result_;
