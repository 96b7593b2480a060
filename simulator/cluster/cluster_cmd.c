/* SPDX-License-Identifier: MulanPSL-2.0 */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cluster_cmd.h"
#include "parse.h"
#include "simcluster.h"
#include "banned.h"

static int report(int rc, const struct og_error *err)
{
    return og_error_report(err, OG_ACTION_OTHER, rc);
}

static int usage_error(const char *cmd, const char *usage)
{
    fprintf(stderr, "Usage: ogsim %s %s\n", cmd, usage);
    return og_exit_code(OG_ACTION_OTHER, -OG_E_PARAM_INVALID);
}

#define COMMON_OPTS                                                                                \
    {"name", required_argument, NULL, 'n'}, {"uri", required_argument, NULL, 'c'},                 \
    {                                                                                              \
        "help", no_argument, NULL, 'h'                                                             \
    }

static const char up_usage[] =
    "[-X clusterconfig.xml | --nodes N] --version V [--name C] [--uri URI] [--driver lxc|qemu] "
    "[--shape full|light] [--data-size MiB] [--databases K] [--quiet]";

int cluster_cmd_up(int argc, char **argv)
{
    static const struct option opts[] = {
        COMMON_OPTS,
        {"nodes", required_argument, NULL, 'N'},
        {"version", required_argument, NULL, 'v'},
        {"driver", required_argument, NULL, 'd'},
        {"data-size", required_argument, NULL, 's'},
        {"databases", required_argument, NULL, 'k'},
        {"shape", required_argument, NULL, 'S'},
        {"quiet", no_argument, NULL, 'q'},
        {NULL, 0, NULL, 0},
    };
    struct sim_up_opts o = {.databases = -1};
    struct og_error err = {0};
    int opt;

    optind = 1;
    while ((opt = getopt_long(argc, argv, "X:h", opts, NULL)) != -1) {
        switch (opt) {
        case 'X':
            o.xml = optarg;
            break;
        case 'n':
            o.name = optarg;
            break;
        case 'c':
            o.uri = optarg;
            break;
        case 'N':
            if (safe_atoi_range(optarg, 1, INT_MAX, &o.nodes) < 0)
                return usage_error("up", up_usage);
            break;
        case 'v':
            o.version = optarg;
            break;
        case 'd':
            o.driver = optarg;
            break;
        case 's':
            if (safe_atou_base(optarg, 10, &o.data_mib) < 0 || o.data_mib < 64)
                return usage_error("up", up_usage);
            break;
        case 'k':
            if (safe_atoi_range(optarg, 0, INT_MAX, &o.databases) < 0)
                return usage_error("up", up_usage);
            break;
        case 'S':
            if (sim_shape_parse(optarg, &o.shape, &err) < 0)
                return report(-OG_E_PARAM_VALUE, &err);
            break;
        case 'q':
            o.quiet = true;
            break;
        case 'h':
            printf("Usage: ogsim up %s\n\nBrings up a simulated openGauss cluster: an isolated "
                   "libvirt network, one node per host with sshd and SSH trust for omm, the "
                   "version's package installed, the primary initialised, standbys built with "
                   "gs_ctl build, K user databases with sample data. --shape light: the same "
                   "nodes (root, users, sshd, SSH trust, package) without a data filesystem "
                   "or database instance, up to 64 of them.\n",
                   up_usage);
            return 0;
        default:
            return usage_error("up", up_usage);
        }
    }
    if (!o.version) {
        struct og_error e = {0};
        og_error_set(&e, OG_E_PARAM_REQUIRED,
                     "Incorrect parameter. Parameter '--version' is "
                     "required");
        return report(-OG_E_PARAM_REQUIRED, &e);
    }
    return report(sim_up(&o, NULL, &err), &err);
}

/* Parse --name/--uri (+ extra positional args) for the simple commands. */
static int simple_opts(int argc, char **argv, const char **name, const char **uri, bool *json)
{
    static const struct option opts[] = {
        COMMON_OPTS,
        {"json", no_argument, NULL, 'j'},
        {NULL, 0, NULL, 0},
    };
    int opt;

    *name = "ogsim";
    optind = 1;
    while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (opt) {
        case 'n':
            *name = optarg;
            break;
        case 'c':
            *uri = optarg;
            break;
        case 'j':
            if (json)
                *json = true;
            break;
        case 'h':
            return 1;
        default:
            return -1;
        }
    }
    return 0;
}

int cluster_cmd_down(int argc, char **argv)
{
    const char *name, *uri = NULL;
    struct og_error err = {0};
    int r = simple_opts(argc, argv, &name, &uri, NULL);

    if (r != 0) {
        printf("Usage: ogsim down [--name C] [--uri URI]\n\nRemoves the cluster's domains, "
               "network, images and files; idempotent; works after a crashed run.\n");
        return r < 0 ? 1 : 0;
    }
    r = sim_down(name, uri, &err);
    if (r == 0)
        printf("ogsim: cluster %s is down\n", name);
    return report(r, &err);
}

int cluster_cmd_status(int argc, char **argv)
{
    _cleanup_dynbuf_ struct dynbuf out = {0};
    const char *name, *uri = NULL;
    struct og_error err = {0};
    struct sim_cluster c;
    bool json = false;
    int r = simple_opts(argc, argv, &name, &uri, &json);

    if (r != 0) {
        printf("Usage: ogsim status [--name C] [--json]\n");
        return r < 0 ? 1 : 0;
    }
    dynbuf_init(&out, 1 << 20);
    r = sim_load(name, &c, &err);
    if (r == 0)
        r = sim_status(&c, json, &out, &err);
    if (r == 0)
        fputs(dynbuf_str(&out), stdout);
    return report(r, &err);
}

int cluster_cmd_list(int argc, char **argv)
{
    _cleanup_dynbuf_ struct dynbuf out = {0};
    struct og_error err = {0};
    int r;

    (void)argc;
    (void)argv;
    dynbuf_init(&out, 1 << 20);
    r = sim_list(&out, &err);
    if (r == 0)
        fputs(dynbuf_str(&out), stdout);
    return report(r, &err);
}

int cluster_cmd_exec(int argc, char **argv)
{
    static const struct option opts[] = {
        COMMON_OPTS,
        {"user", required_argument, NULL, 'u'},
        {"timeout", required_argument, NULL, 't'},
        {NULL, 0, NULL, 0},
    };
    const char *name = "ogsim", *user = "omm", *node;
    struct command_result res = {0};
    struct og_error err = {0};
    struct sim_cluster c;
    int opt, r, timeout_s = 600;

    optind = 1;
    while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (opt) {
        case 'n':
            name = optarg;
            break;
        case 'u':
            user = optarg;
            break;
        case 't':
            if (safe_atoi_range(optarg, 1, INT_MAX / 1000, &timeout_s) < 0)
                return usage_error("exec", "NODE [--user omm|root] -- ARGV...");
            break;
        case 'c':
            break;
        default:
            printf(
                "Usage: ogsim exec NODE [--name C] [--user omm|root] [--timeout S] -- ARGV...\n");
            return opt == 'h' ? 0 : 1;
        }
    }
    if (optind + 1 >= argc)
        return usage_error("exec", "NODE [--user omm|root] -- ARGV...");
    node = argv[optind++];
    if (strcmp(argv[optind], "--") == 0)
        optind++;
    if (optind >= argc)
        return usage_error("exec", "NODE [--user omm|root] -- ARGV...");
    r = sim_load(name, &c, &err);
    if (r == 0)
        r = sim_exec(&c, node, user, (const char *const *)argv + optind, timeout_s * 1000, &res,
                     &err);
    if (r < 0)
        return report(r, &err);
    fwrite(res.out, 1, res.out_len, stdout);
    fwrite(res.err, 1, res.err_len, stderr);
    r = res.exit_status < 0 ? 128 + res.term_signal : res.exit_status;
    command_result_done(&res);
    return r;
}

static int snap_cmd(int argc, char **argv, bool restore)
{
    const char *name, *uri = NULL;
    struct og_error err = {0};
    struct sim_cluster c;
    int r = simple_opts(argc, argv, &name, &uri, NULL);

    if (r != 0 || optind >= argc) {
        printf("Usage: ogsim %s SNAPSHOT [--name C]\n", restore ? "restore" : "snapshot");
        return r > 0 ? 0 : 1;
    }
    r = sim_load(name, &c, &err);
    if (r == 0)
        r = restore ? sim_restore(&c, argv[optind], &err) : sim_snapshot(&c, argv[optind], &err);
    if (r == 0)
        printf("ogsim: %s %s of cluster %s done\n", restore ? "restore" : "snapshot", argv[optind],
               name);
    return report(r, &err);
}

int cluster_cmd_snapshot(int argc, char **argv)
{
    return snap_cmd(argc, argv, false);
}

int cluster_cmd_restore(int argc, char **argv)
{
    return snap_cmd(argc, argv, true);
}
