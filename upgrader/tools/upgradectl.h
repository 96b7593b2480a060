/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * upgradectl.h - gs_upgradectl's parts: the command line (upgradectl.c),
 * the node-local worker (local.c).
 */
#pragma once

#include <stdbool.h>
#include <limits.h>

#include "clusterconfig.h"
#include "precheck.h"
#include "transport.h"

struct upgctl {
    const char *action, *xml;
    bool grey, force, skip_resource_check, bypass_stale_check, list_failpoints;
    bool inplace_opt; /* --inplace-upgrade given */
    bool cont;        /* --continue */
    bool rolling;     /* ogup's --rolling (grey) */
    int parallel;     /* ogup's --parallel (0: inplace_parallel_default()) */
    char *hosts;      /* -h n1,n2 */
    struct cluster_config installed, xmlcfg;
    struct transport *t;
    char worker[PATH_MAX];
    char krb_dir[PATH_MAX];
    struct frozen_gucs recorded;
    struct precheck_env env;
};

int upgradectl_local(int argc, char **argv);
