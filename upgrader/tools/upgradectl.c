/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * gs_upgradectl: openGauss's upgrade tool over libogup.
 */
#include <libgen.h>
#include <limits.h>
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
#include "failpoint.h"
#include "precheck.h"
#include "upgradectl.h"
#include "banned.h"


static int usage_gs_upgradectl(int rc)
{
    printf("gs_upgradectl is a utility to upgrade a cluster (ogup).\n\nUsage:\n"
           "  gs_upgradectl -t chose-strategy [-l LOGFILE]\n"
           "  gs_upgradectl -t auto-upgrade -X XMLFILE [-l LOGFILE] [--grey] "
           "[--inplace-upgrade] [--skip-resource-check]\n"
           "  gs_upgradectl -t auto-rollback -X XMLFILE [-l LOGFILE] [--force]\n"
           "  gs_upgradectl -t commit-upgrade -X XMLFILE [-l LOGFILE]\n"
           "  gs_upgradectl -S show-step | -t show-step\n"
           "  gs_upgradectl -t pre-check -X XMLFILE [-l LOGFILE]   (ogup: every pre-check, "
           "no change)\n"
           "  gs_upgradectl --list-failpoints                       (ogup: JSON)\n");
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

/* The pre-checks' environment from the installed cluster, the XML and the
 * process environment. */
static int precheck_env_init(struct upgctl *u, struct og_error *err)
{
    const char *envfile = getenv("MPPDB_ENV_SEPARATE_PATH");
    char path[PATH_MAX + 64];
    int r;

    r = om_open_cluster(&u->installed, &u->t, err);
    if (r < 0)
        return r;
    r = clusterconfig_load(u->xml, &u->xmlcfg, err);
    if (r < 0)
        return r;
    snprintf(u->worker, sizeof(u->worker), "%s/script/gs_upgradectl", getenv("GPHOME"));
    if (envfile && envfile[0])
        snprintf(u->krb_dir, sizeof(u->krb_dir), "%s", envfile);
    else
        snprintf(u->krb_dir, sizeof(u->krb_dir), "%s/.bashrc", getenv("HOME") ? getenv("HOME") : "/");
    {
        char tmp[PATH_MAX];
        snprintf(tmp, sizeof(tmp), "%s", u->krb_dir);
        snprintf(u->krb_dir, sizeof(u->krb_dir), "%s", dirname(tmp));
    }
    u->env = (struct precheck_env){
        .xml = &u->xmlcfg,
        .installed = &u->installed,
        .t = u->t,
        .gausshome = getenv("GAUSSHOME"),
        .gphome = getenv("GPHOME"),
        .pghost = getenv("PGHOST"),
        .worker = u->worker,
        .kerberos_dir = u->krb_dir,
    };
    /* frozen GUCs recorded by an upgrade under way */
    snprintf(path, sizeof(path), "%s/binary_upgrade/%s", getenv("PGHOST"), FROZEN_GUCS_FILE);
    {
        _cleanup_free_ char *text = NULL;
        if (fs_read_file(path, 1 << 20, &text, NULL, NULL) == 0) {
            r = frozen_gucs_parse(text, &u->recorded, err);
            if (r < 0)
                return r;
            u->env.recorded = &u->recorded;
        }
    }
    return 0;
}

static int upgradectl_pre_check(struct upgctl *u)
{
    struct precheck_result res[32];
    _cleanup_dynbuf_ struct dynbuf out;
    struct og_error err = { 0 };
    size_t n = 0;
    int r;

    dynbuf_init(&out, 1 << 20);
    r = precheck_env_init(u, &err);
    if (r < 0)
        return om_fail("gs_upgradectl", r, &err);
    printf("Checking the cluster before upgrade.\n");
    fflush(stdout);
    r = precheck_run_all(&u->env, res, &n, &err);
    precheck_format(res, n, &out);
    fputs(dynbuf_str(&out), stdout);
    if (r < 0) {
        printf("Failed to check pre upgrade.\n");
        return om_fail("gs_upgradectl", r, &err);
    }
    printf("Successfully checked the cluster: all %zu items passed.\n", n);
    return 0;
}

static int need_arg(int i, int argc, const char *opt, struct og_error *err)
{
    if (i + 1 >= argc)
        return og_error_set(err, OG_E_PARAM_REQUIRED, "Incorrect parameter. Parameter '%s' is "
                                                      "required",
                            opt);
    return 0;
}

int tool_gs_upgradectl(int argc, char **argv)
{
    _cleanup_free_ struct upgctl *u = calloc(1, sizeof(*u));
    struct og_error err = { 0 };
    int r = 0;

    if (!u)
        return om_fail("gs_upgradectl", og_error_set(&err, OG_E_NOMEM, "gs_upgradectl"), &err);
    /* the node-local worker: its own argv, its own rules */
    if (argc >= 2 && strcmp(argv[1], "--local") == 0)
        return upgradectl_local(argc - 2, argv + 2);
    for (int i = 1; r == 0 && i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "-?") == 0 || strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0)
            return usage_gs_upgradectl(0);
        if (strcmp(a, "--list-failpoints") == 0)
            u->list_failpoints = true;
        else if (strcmp(a, "-t") == 0 || strcmp(a, "-S") == 0) {
            r = need_arg(i, argc, a + 1, &err);
            if (r == 0)
                u->action = argv[++i];
        } else if (strcmp(a, "-X") == 0) {
            r = need_arg(i, argc, "X", &err);
            if (r == 0)
                u->xml = argv[++i];
        } else if (strcmp(a, "-l") == 0) {
            r = need_arg(i, argc, "l", &err);
            if (r == 0)
                oglog_open("gs_upgradectl", argv[++i], NULL);
        } else if (strcmp(a, "--grey") == 0)
            u->grey = true;
        else if (strcmp(a, "--inplace-upgrade") == 0)
            u->grey = false;
        else if (strcmp(a, "--force") == 0)
            u->force = true;
        else if (strcmp(a, "--skip-resource-check") == 0)
            u->skip_resource_check = true;
        else if (strcmp(a, "--bypass-stale-check") == 0)
            u->bypass_stale_check = true;
        else
            r = og_error_set(&err, OG_E_PARAM_UNKNOWN, "Unrecognized parameter: %s.", a);
    }
    if (r < 0)
        return om_fail("gs_upgradectl", r, &err);
    if (u->list_failpoints) {
        _cleanup_dynbuf_ struct dynbuf out;
        dynbuf_init(&out, 1 << 20);
        upgradectl_register_failpoints();
        if (failpoint_list_json(&out) < 0)
            return om_fail("gs_upgradectl", og_error_set(&err, OG_E_NOMEM, "failpoints"), &err);
        printf("%s\n", dynbuf_str(&out));
        return 0;
    }
    /* openGauss's checkUser: never as root, the environment set */
    r = precheck_not_root(NULL, &err);
    if (r == 0 && !u->action)
        r = og_error_set(&err, OG_E_PARAM_REQUIRED, "Incorrect parameter. Parameter '-t' is "
                                                    "required");
    if (r == 0)
        r = precheck_environment(NULL, &err);
    if (r < 0)
        return om_fail("gs_upgradectl", r, &err);
    if (strcmp(u->action, "show-step") == 0)
        return upgradectl_show_step();
    if (!u->xml)
        return om_fail("gs_upgradectl",
                       og_error_set(&err, OG_E_PARAM_REQUIRED,
                                    "Incorrect parameter. Parameter '-X' is required"),
                       &err);
    if (access(u->xml, R_OK) < 0)
        return om_fail("gs_upgradectl",
                       og_error_set(&err, OG_E_NOT_EXIST, "The %s does not exist.", u->xml),
                       &err);
    if (strcmp(u->action, "pre-check") == 0)
        return upgradectl_pre_check(u);
    return om_fail("gs_upgradectl",
                   og_error_set(&err, OG_E_PARAM_INVALID,
                                "The parameter '-t' value is incorrect: %s", u->action),
                   &err);
}

void upgradectl_register_failpoints(void)
{
    /* the plans register their steps' points (issue 6: the step engine) */
}
