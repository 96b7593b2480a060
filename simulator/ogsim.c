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
#include "parse.h"
#include "banned.h"

static const struct subcommand {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
} subcommands[] = {
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

/* Print a usage error the openGauss way and return its exit code. */
static int fail(int code, const char *arg)
{
    struct og_error err = {0};
    int rc;

    rc = code == OG_E_PARAM_UNKNOWN
             ? og_error_set(&err, code, "Unrecognized parameter: %s.", arg)
             : og_error_set(&err, code, "Incorrect parameter. Parameter '%s' is required", arg);
    return og_error_report(&err, OG_ACTION_OTHER, rc);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return fail(OG_E_PARAM_REQUIRED, "COMMAND");
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        usage(stdout);
        return 0;
    }
    if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0) {
        return og_print_version("ogsim");
    }
    for (size_t i = 0; i < ELEMENTSOF(subcommands); i++)
        if (strcmp(argv[1], subcommands[i].name) == 0)
            return subcommands[i].run(argc - 1, argv + 1);
    return fail(OG_E_PARAM_UNKNOWN, argv[1]);
}
