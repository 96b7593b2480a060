/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * gs_upgradectl: openGauss's upgrade tool over libogup.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clusterstatus.h"
#include "command.h"
#include "fs.h"
#include "journal.h"
#include "oglog.h"
#include "omtools.h"
#include "staticconfig.h"
#include "transport.h"
#include "versioncfg.h"
#include "banned.h"

/* ---- gs_upgradectl (the parts built so far) ---------------------------- */

static int usage_gs_upgradectl(int rc)
{
    printf("gs_upgradectl is a utility to upgrade a cluster (ogup).\n\nUsage:\n"
           "  gs_upgradectl -t chose-strategy [-l LOGFILE]\n"
           "  gs_upgradectl -t auto-upgrade -X XMLFILE [-l LOGFILE] [--grey] "
           "[--inplace-upgrade] [--skip-resource-check]\n"
           "  gs_upgradectl -t auto-rollback -X XMLFILE [-l LOGFILE] [--force]\n"
           "  gs_upgradectl -t commit-upgrade -X XMLFILE [-l LOGFILE]\n"
           "  gs_upgradectl -S show-step | -t show-step\n\n"
           "This build implements show-step; the upgrade actions are being built.\n");
    return rc;
}

/* openGauss's show-step: upgrade_mode on the primary (0 none, 1 in-place,
 * 2 grey) and, for grey, one line per node from upgrade_step.csv. */
static int upgradectl_show_step(void)
{
    _cleanup_transport_ struct transport *t = NULL;
    _cleanup_free_ char *csv = NULL;
    struct cluster_config cfg;
    struct og_error err = { 0 };
    struct command_result res = { 0 };
    const struct cluster_node *pri;
    char bin[PATH_MAX + 16], port[16], path[PATH_MAX];
    int r = om_open_cluster(&cfg, &t, &err), mode;

    if (r < 0)
        return om_fail("gs_upgradectl", r, &err);
    pri = clusterconfig_primary(&cfg);
    snprintf(bin, sizeof(bin), "%s/bin/gsql", cfg.app_path);
    snprintf(port, sizeof(port), "%d", pri->port);
    {
        /* the socket dir is the cluster's tmpMppdbPath ($PGHOST), on every node */
        const char *argv[] = { bin, "-d", "postgres", "-h", cfg.tmp_path, "-p", port, "-X", "-q",
                               "-tA", "-c", "show upgrade_mode;", NULL };
        struct transport_run_opts o = { .timeout_ms = 60 * 1000, .check_exit = true };
        r = transport_run(t, pri->name, argv, &o, &res, &err);
    }
    if (r < 0)
        return om_fail("gs_upgradectl", r, &err);
    mode = atoi(res.out);
    command_result_done(&res);
    if (mode == 0) {
        printf("Cluster Not in Upgrading or have been run `upgrade-commit`.\n");
        return 0;
    }
    printf("%s\n", mode == 1 ? "inplace upgrade" : "grey upgrade");
    snprintf(path, sizeof(path), "%s/binary_upgrade/upgrade_step.csv", getenv("PGHOST"));
    if (mode == 2 && fs_read_file(path, 1 << 20, &csv, NULL, NULL) == 0) {
        struct journal_steps steps;
        if (journal_steps_parse(csv, path, NULL, &steps, &err) < 0)
            return om_fail("gs_upgradectl", -err.code, &err);
        for (size_t i = 0; i < steps.n; i++)
            printf("%s: %s step %d\n", steps.rows[i].node, steps.action, steps.rows[i].step);
    }
    return 0;
}

int tool_gs_upgradectl(int argc, char **argv)
{
    struct og_error err = { 0 };
    const char *action = NULL;

    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-?") == 0 || strcmp(argv[i], "--help") == 0 ||
            strcmp(argv[i], "-h") == 0)
            return usage_gs_upgradectl(0);
        if ((strcmp(argv[i], "-t") == 0 || strcmp(argv[i], "-S") == 0) && i + 1 < argc)
            action = argv[++i];
        else if (strcmp(argv[i], "-l") == 0 && i + 1 < argc)
            oglog_open("gs_upgradectl", argv[++i], NULL);
        else
            return om_fail("gs_upgradectl",
                        og_error_set(&err, OG_E_PARAM_UNKNOWN, "Unrecognized parameter: %s.",
                                     argv[i]),
                        &err);
    }
    /* openGauss's checkUser: never as root */
    if (geteuid() == 0)
        return om_fail("gs_upgradectl",
                    og_error_set(&err, OG_E_RUN_AS_ROOT,
                                 "Cannot run this script as a user with the root permission."),
                    &err);
    if (!action)
        return om_fail("gs_upgradectl",
                    og_error_set(&err, OG_E_PARAM_REQUIRED,
                                 "Incorrect parameter. Parameter '-t' is required"),
                    &err);
    {
        const char *vars[] = { "GAUSSHOME", "GS_CLUSTER_NAME", "GAUSS_ENV", "GPHOME", "PGHOST",
                               NULL };
        for (size_t i = 0; vars[i]; i++)
            if (!getenv(vars[i]) || !getenv(vars[i])[0])
                return om_fail("gs_upgradectl",
                            og_error_set(&err, OG_E_ENV_EMPTY,
                                         "The environmental variable %s is empty.", vars[i]),
                            &err);
    }
    if (strcmp(action, "show-step") == 0)
        return upgradectl_show_step();
    return om_fail("gs_upgradectl",
                og_error_set(&err, OG_E_PARAM_INVALID,
                             "The parameter '-t' value is incorrect: %s (this build implements "
                             "show-step; the upgrade actions are being built)",
                             action),
                &err);
}

