/* SPDX-License-Identifier: MulanPSL-2.0 */
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "benchcluster.h"
#include "stats.h"
#include "banned.h"

void bench_die(struct bench *b, const char *what, const struct og_error *err, const char *out)
{
    char msg[OG_ERROR_DETAIL_MAX + 64];

    fprintf(stderr, "%s: %s: %s\n", b->prog, what,
            err && err->code ? og_error_format(err, msg, sizeof(msg)) : "");
    if (out && *out)
        fprintf(stderr, "%s\n", out);
    sim_down(b->name, NULL, NULL);
    exit(1);
}

int bench_sh(struct bench *b, const char *node, const char *user, const char *script,
             int timeout_ms)
{
    const char *argv[] = {"bash", "-lc", script, NULL};
    struct og_error err = {0};

    command_result_done(&b->res);
    if (sim_exec(&b->c, node, user, argv, timeout_ms, &b->res, &err) < 0)
        bench_die(b, "exec", &err, NULL);
    return b->res.exit_status;
}

long long bench_wait_normal(struct bench *b, const char *after)
{
    long long t = now_ms();

    for (int i = 0; i < 200; i++) {
        if (bench_sh(b, "node1", "omm", "gs_om -t status", BENCH_SHORT_TIMEOUT) == 0 &&
            strstr(b->res.out, "cluster_state   : Normal"))
            return now_ms() - t;
        usleep(300000);
    }
    fprintf(stderr, "%s: cluster not Normal after %s\n", b->prog, after);
    bench_die(b, "status", NULL, b->res.out);
}

long long bench_setup(struct bench *b, const char *from, const char *to, int dbs)
{
    char pkg[PATH_MAX + 32], script[4096];
    struct og_error err = {0};
    long long t = now_ms();

    sim_down(b->name, NULL, NULL);
    {
        struct sim_up_opts o = {.name = b->name,
                                .nodes = 3,
                                .version = from,
                                .databases = dbs,
                                .data_mib = b->data_mib ? b->data_mib : 384,
                                .quiet = true};
        if (sim_up(&o, &b->c, &err) < 0)
            bench_die(b, "up", &err, NULL);
    }
    snprintf(pkg, sizeof(pkg), "%s/pkg-%s", b->c.state_dir, to);
    {
        const char *build[] = {OGSIM_PATH, "package", "build", "--version", to, "--out", pkg, NULL};
        _cleanup_command_ struct command *cmd = command_new(build);
        command_set_timeout_ms(cmd, BENCH_SHORT_TIMEOUT);
        command_result_done(&b->res);
        if (!cmd || command_run(cmd, &b->res, &err) < 0 || b->res.exit_status != 0)
            bench_die(b, "package build", &err, b->res.err);
    }
    snprintf(script, sizeof(script),
             "set -e; d=/tmp/gaussdb_upgrade_%s; rm -rf $d; mkdir -p $d; "
             "tar -xzf %s/openGauss-%s-Debian-64bit-all.tar.gz -C $d; "
             "tar -xzf $d/openGauss-%s-Debian-64bit-om.tar.gz -C $d; "
             "cd $d/script && ./gs_preinstall -U omm -G dbgrp -X /home/omm/clusterconfig.xml",
             to, pkg, to, to);
    if (bench_sh(b, "node1", "root", script, BENCH_RUN_TIMEOUT) != 0 ||
        !strstr(b->res.out, "Preinstallation succeeded."))
        bench_die(b, "gs_preinstall", NULL, b->res.out);
    if (sim_snapshot(&b->c, "ready", &err) < 0)
        bench_die(b, "snapshot", &err, NULL);
    return now_ms() - t;
}
