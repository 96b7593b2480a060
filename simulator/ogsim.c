/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * ogsim - the simulator's command line: a thin dispatcher over the
 * simulator's libraries. Each subcommand is a `<name>_cmd_main(argc, argv)`
 * (argv[0] = the subcommand name) returning the process exit code; add new
 * ones (up, down, status, exec, ...) to the table below.
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
    {"up", up_cmd_main, "bring up a simulated cluster (libvirt nodes, SSH trust, instances)"},
    {"down", down_cmd_main, "remove a simulated cluster and everything it made"},
    {"status", status_cmd_main, "nodes, roles, db_state, versions and cluster_state"},
    {"exec", exec_cmd_main, "run a command on a node (as omm or root)"},
    {"list", list_cmd_main, "the simulated clusters on this host"},
    {"snapshot", snapshot_cmd_main, "save the whole cluster (data and installs)"},
    {"restore", restore_cmd_main, "reset the cluster to a snapshot"},
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
