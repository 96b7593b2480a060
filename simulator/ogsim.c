/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * ogsim - the simulator's command line: a thin dispatcher over the
 * simulator's libraries. Each subcommand is a function of its module
 * (cluster_cmd_up, package_cmd_main, ...; argv[0] = the subcommand name)
 * returning the process exit code; add new ones to the table below.
 */
#include <stdio.h>
#include <string.h>

#include "ogup-config.h"

#include "cleanup.h"
#include "ogerror.h"
#include "cluster_cmd.h"
#include "package_cmd.h"
#include "workload_cmd.h"
#include "cmdkit.h"
#include "parse.h"
#include "banned.h"

static const struct cmdkit_sub subcommands[] = {
    {"up", cluster_cmd_up, "bring up a simulated cluster (libvirt nodes, SSH trust, instances)"},
    {"down", cluster_cmd_down, "remove a simulated cluster and everything it made"},
    {"status", cluster_cmd_status, "nodes, roles, db_state, versions and cluster_state"},
    {"exec", cluster_cmd_exec, "run a command on a node (as omm or root)"},
    {"list", cluster_cmd_list, "the simulated clusters on this host"},
    {"snapshot", cluster_cmd_snapshot, "save the whole cluster (data and installs)"},
    {"restore", cluster_cmd_restore, "reset the cluster to a snapshot"},
    {"package", package_cmd_main, "build, list and verify the simulated openGauss packages"},
    {"workload", workload_cmd_main, "client workload: start, stop, check acknowledged writes"},
};

static void usage(FILE *f)
{
    fprintf(f, "Usage: ogsim [--help] [--version] COMMAND [ARGS]\n"
               "\n"
               "The ogup cluster simulator.\n"
               "\n"
               "Commands:\n");
    for (size_t i = 0; i < ELEMENTSOF(subcommands); i++)
        fprintf(f, "  %-10s %s\n", subcommands[i].name, subcommands[i].summary);
    fprintf(f, "\n"
               "Run `ogsim COMMAND --help` for a command's usage. Errors are printed as\n"
               "[GAUSS-NNNNN] : detail, with the openGauss OM tools' exit codes.\n");
}

int main(int argc, char **argv)
{
    return cmdkit_dispatch("ogsim", subcommands, ELEMENTSOF(subcommands), usage, argc, argv);
}
