/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * The upgrade guide (../shared/seed), its command lines exactly as printed,
 * on a real 3-node cluster (2.0.0; LXC, and QEMU VMs in guide_qemu) with the 3.0.0 package, each in
 * a fresh login shell of the user the guide names: root "logs in"
 * (`bash -l` from an empty environment), "su - omm" is su - omm.
 *
 *   1.2   gsql -V                                  (omm)
 *   2.2.5 gs_checkos -i A                          (root)
 *   2.2.7 gs_om -t status                          (omm)
 *   2.3   mkdir -p /opt/software/gaussdb_upgrade   (root; steps 1-6, the
 *         package unpacked there, cd .../script, ./gs_preinstall ..., su - omm)
 *         example 1: gs_upgradectl -t auto-upgrade -X ...   (in-place)
 *   2.4   gs_ssh -c "gsql -V", gs_om -t status, gs_checkos -i A
 *   2.6   gs_upgradectl -t auto-rollback  -X ..., gs_om -V
 *   2.3 again, then 2.5 gs_upgradectl -t commit-upgrade  -X ...
 *   3     gs_collector --begin-time='20200724 00:00' --end-time='20200725 00:00'
 *
 * The installation's XML is where the guide keeps it,
 * /opt/software/GaussDB_Kernel/clusterconfig.xml (copied there by root as
 * the operator would have it). Nothing of this touches the host: each node
 * has its own root.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "command.h"
#include "simcluster.h"

#define XML_DIR "/opt/software/GaussDB_Kernel"
#define XML     XML_DIR "/clusterconfig.xml"
#define PKG_DIR "/opt/software/gaussdb_upgrade"

static char name[32];
static struct command_result res;

static void setup(void)
{
    snprintf(name, sizeof(name), "gd%d", (int)(getpid() % 10000));
    sim_down(name, NULL, NULL); /* a crashed earlier run is harmless */
}

static void teardown(void)
{
    command_result_done(&res);
    sim_down(name, NULL, NULL); /* also after a failure */
}

static long long ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* line in a fresh root login shell on node1 */
static int as_root(const struct sim_cluster *c, const char *line)
{
    const char *a[] = {"env", "-i", "HOME=/root", "PATH=/usr/bin:/bin", "bash", "-lc", line, NULL};
    struct og_error err = {0};

    command_result_done(&res);
    cr_assert_eq(sim_exec(c, "node1", "root", a, 900000, &res, &err), 0, "%s", err.detail);
    cr_log_info("# %s\n%s%s", line, res.out, res.err);
    return res.exit_status;
}

/* line as omm after the guide's `su - omm`, from root's login shell */
static int as_omm(const struct sim_cluster *c, const char *line)
{
    char su[2048];
    char *q = su;

    /* su - omm -c '<line>' with the line's single quotes kept */
    q += snprintf(q, sizeof(su) - 64, "su - omm -c '");
    for (const char *p = line; *p && q < su + sizeof(su) - 8; p++)
        q += *p == '\'' ? snprintf(q, 5, "'\\''") : snprintf(q, 2, "%c", *p);
    snprintf(q, 2, "'");
    return as_root(c, su);
}

static int host(const char *const *argv)
{
    _cleanup_command_ struct command *cmd = command_new(argv);
    struct og_error err = {0};

    command_result_done(&res);
    command_set_timeout_ms(cmd, 120000);
    cr_assert_eq(command_run(cmd, &res, &err), 0, "%s", err.detail);
    return res.exit_status;
}

static int count(const char *hay, const char *needle)
{
    int n = 0;

    for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
        n++;
    return n;
}

static void every_node_runs(const struct sim_cluster *c, const char *version)
{
    char want[64];

    /* 2.4.2 */
    cr_assert_eq(as_omm(c, "gs_ssh -c \"gsql -V\""), 0, "%s%s", res.out, res.err);
    snprintf(want, sizeof(want), "gsql (openGauss %s build", version);
    cr_assert_eq(count(res.out, want), 3, "gs_ssh -c \"gsql -V\": %s", res.out);
    /* 2.4.3 */
    cr_assert_eq(as_omm(c, "gs_om -t status"), 0, "%s", res.err);
    cr_assert_not_null(strstr(res.out, "cluster_state   : Normal\n"), "%s", res.out);
}

/* 2.3 steps 1-7 (example 1) */
static void upgrade(const struct sim_cluster *c)
{
    long long t0 = ms();

    cr_assert_eq(as_root(c, "cd " PKG_DIR "/script && "
                            "./gs_preinstall -U omm -G dbgrp  -X " XML),
                 0, "%s%s", res.out, res.err);
    cr_assert_not_null(strstr(res.out, "Preinstallation succeeded.\n"), "%s", res.out);
    cr_assert_eq(as_omm(c, "gs_upgradectl -t auto-upgrade -X " XML), 0, "%s%s", res.out, res.err);
    cr_assert_not_null(strstr(res.out, "Upgrade main process has been finished"), "%s", res.out);
    cr_log_info("gs_preinstall + auto-upgrade: %lld ms", ms() - t0);
}

TestSuite(guide, .init = setup, .fini = teardown, .timeout = 1500);

static void guide(const char *driver)
{
    struct sim_up_opts o = {.name = name,
                            .driver = driver,
                            .nodes = 3,
                            .version = "2.0.0",
                            .databases = 1,
                            .data_mib = 256,
                            .quiet = true};
    struct og_error err = {0};
    struct sim_cluster c;
    char pkg[600], script[2048];

    cr_assert_eq(sim_up(&o, &c, &err), 0, "%s", err.detail);
    /* the new package, built on the host ("uploaded") */
    snprintf(pkg, sizeof(pkg), "%s/pkg-3.0.0", c.state_dir);
    {
        const char *a[] = {OGSIM_PATH, "package", "build", "--version",
                           "3.0.0",    "--out",   pkg,     NULL};
        cr_assert_eq(host(a), 0, "%s%s", res.out, res.err);
    }
    /* the installation's XML where the guide has it */
    cr_assert_eq(as_root(&c, "mkdir -p " XML_DIR " && cp /home/omm/clusterconfig.xml " XML), 0,
                 "%s", res.err);

    /* 1.2 */
    cr_assert_eq(as_omm(&c, "gsql -V"), 0, "%s", res.err);
    cr_assert(strncmp(res.out, "gsql (openGauss 2.0.0 build 78689da9)", 37) == 0, "%s", res.out);
    /* 2.2.5: as root; the OS check runs to its result line */
    cr_assert_eq(as_root(&c, "gs_checkos -i A"), 0, "%s%s", res.out, res.err);
    cr_assert_not_null(strstr(res.out, "Do checking operation finished. Result: "), "%s", res.out);
    /* 2.2.7 */
    cr_assert_eq(as_omm(&c, "gs_om -t status"), 0, "%s", res.err);
    cr_assert_not_null(strstr(res.out, "cluster_state   : Normal\n"), "%s", res.out);

    /* 2.3 steps 1-4: root makes the directory and unpacks the package */
    cr_assert_eq(as_root(&c, "mkdir -p /opt/software/gaussdb_upgrade"), 0, "%s", res.err);
    snprintf(script, sizeof(script),
             "tar -xzf %s/openGauss-3.0.0-Debian-64bit-all.tar.gz -C " PKG_DIR " && "
             "tar -xzf %s/openGauss-3.0.0-Debian-64bit-om.tar.gz -C " PKG_DIR " && "
             "cd /opt/software/gaussdb_upgrade/script && pwd",
             pkg, pkg);
    cr_assert_eq(as_root(&c, script), 0, "%s", res.err);
    cr_assert_str_eq(res.out, PKG_DIR "/script\n");
    /* steps 5-7, example 1: in place */
    upgrade(&c);
    /* 2.4 */
    every_node_runs(&c, "3.0.0");
    cr_assert_eq(as_root(&c, "gs_checkos -i A"), 0, "%s%s", res.out, res.err);

    /* 2.6: back to 2.0.0 (auto-rollback's success is exit 2, openGauss's
     * exitWithRetCode, UpgradeImpl.py v5.0.0 :93-143) */
    cr_assert_eq(as_omm(&c, "gs_upgradectl -t auto-rollback  -X " XML), 2, "%s%s", res.out,
                 res.err);
    cr_assert_not_null(strstr(res.out, "Rollback succeeded."), "%s", res.out);
    every_node_runs(&c, "2.0.0");
    /* step 3: the OM tools are the new package's until the old one's
     * gs_preinstall (the guide's note) */
    cr_assert_eq(as_omm(&c, "gs_om -V"), 0, "%s", res.err);
    cr_assert_not_null(strstr(res.out, "gs_om (openGauss OM 3.0.0 build "), "%s", res.out);

    /* 2.3 again, then 2.5: commit (0 in place, UpgradeImpl.py :2652) */
    upgrade(&c);
    cr_assert_eq(as_omm(&c, "gs_upgradectl -t commit-upgrade  -X " XML), 0, "%s%s", res.out,
                 res.err);
    every_node_runs(&c, "3.0.0");
    cr_assert_eq(as_omm(&c, "gs_upgradectl -t auto-rollback  -X " XML), 2, "%s%s", res.out,
                 res.err);
    every_node_runs(&c, "3.0.0"); /* committed: nothing to roll back */

    /* 3: the log collection, the guide's own window (nothing of 2020 here:
     * it still runs to its result) and today's */
    cr_assert_eq(as_omm(&c, "gs_collector --begin-time='20200724 00:00' "
                            "--end-time='20200725 00:00'"),
                 0, "%s%s", res.out, res.err);
    cr_assert_not_null(strstr(res.out, "All results are stored in "), "%s", res.out);
    {
        char line[160], b[32], e[32];
        time_t now = time(NULL), from = now - 3600, to = now + 3600;
        struct tm tm;
        localtime_r(&from, &tm);
        strftime(b, sizeof(b), "%Y%m%d %H:%M", &tm);
        localtime_r(&to, &tm);
        strftime(e, sizeof(e), "%Y%m%d %H:%M", &tm);
        snprintf(line, sizeof(line), "gs_collector --begin-time='%s' --end-time='%s'", b, e);
        cr_assert_eq(as_omm(&c, line), 0, "%s%s", res.out, res.err);
        cr_assert_not_null(strstr(res.out, "All results are stored in "), "%s", res.out);
    }

    /* the host saw none of it */
    cr_assert_neq(access("/opt/software/gaussdb_upgrade", F_OK), 0);
    cr_assert_neq(access(XML, F_OK), 0);
    cr_assert_eq(sim_down(name, NULL, &err), 0, "%s", err.detail);
}

Test(guide, every_command_line_as_printed)
{
    guide("lxc");
}

/* The same on full VMs (issue 17): each node its own kernel, root's shell
 * and omm's over SSH into the VM. ci/gate.sh runs it (TCG: many minutes). */
TestSuite(guide_qemu, .init = setup, .fini = teardown, .timeout = 5400);

Test(guide_qemu, every_command_line_as_printed_on_vms)
{
    guide("qemu");
}
