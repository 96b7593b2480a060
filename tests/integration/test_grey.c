/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * gs_upgradectl --grey on real 3-node simulator clusters (LXC nodes, sshd,
 * the node kernel over PostgreSQL 15), 3.0.0 -> 5.0.0 (large): -h batches
 * and --continue (a mixed-version cluster between them), the refusals that
 * change nothing, grey rollback from a partly and a fully upgraded
 * cluster, commit, and the upgrade killed at failpoints then resumed or
 * rolled back. UPGRADE_FAILPOINTS=all kills at every grey failpoint (the
 * slow suite: shard:K/N, its K-th of N parts); otherwise a sample runs.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "upfixture.h"

static char name[32];

static void setup(void)
{
    snprintf(name, sizeof(name), "gy%d", (int)(getpid() % 10000));
}

static void teardown(void)
{
    command_result_done(&upres);
    sim_down(name, NULL, NULL);
}

TestSuite(grey, .init = setup, .fini = teardown, .timeout = 3000);

/* gaussdb -V on one node names version */
static void expect_node_version(const struct sim_cluster *c, const char *node, const char *version)
{
    char want[64];

    snprintf(want, sizeof(want), "gaussdb (openGauss %s build ", version);
    up_sh_ok(c, node, "omm", "gaussdb -V");
    cr_assert_not_null(strstr(upres.out, want), "%s: %s", node, upres.out);
}

/* upgrade_step.csv on node1 as show-step prints it (openGauss 6.0.0's -S show-step) */
static void expect_steps(const struct sim_cluster *c, const char *rows)
{
    up_sh_ok(c, "node1", "omm", "gs_upgradectl -S show-step");
    cr_assert_not_null(strstr(upres.out, rows), "want\n%s\ngot\n%s", rows, upres.out);
}

/* A refused grey run: the code, exit 1, nothing changed. */
static void expect_refused(const struct sim_cluster *c, const char *flags, const char *code,
                           const char *dump, const char *links)
{
    up_expect_code(up_ctl(c, "auto-upgrade", flags, NULL), 1, code);
    if (dump)
        up_expect_unchanged(c, dump, links, flags);
}

/* -h node2 (a mixed-version cluster that keeps serving), the refusals,
 * rollback of the partly upgraded cluster; then -h node3, --continue, a
 * full rollback from pre-commit; then a whole-cluster run and commit. */
Test(grey, batches_rollback_commit)
{
    struct sim_cluster c;
    char *dump0, *links0, *user0;

    up_cluster(&c, name, "3.0.0", 2);
    up_prepare(&c, "5.0.0");
    dump0 = up_dump(&c, false);
    links0 = up_links(&c);
    user0 = up_dump(&c, true);

    /* misuse: openGauss's codes (ParameterParsecheck / checkOption), nothing changed */
    expect_refused(&c, "--grey --continue", "[GAUSS-52920]", dump0, links0);
    expect_refused(&c, "--grey -h node9", "[GAUSS-51619]", dump0, links0);
    expect_refused(&c, "--grey -h node1 --continue", "[GAUSS-50005]", NULL, NULL);
    expect_refused(&c, "--inplace-upgrade -h node1", "should be used in grey upgrade", dump0,
                   links0);

    /* the first batch: node2 only, through every step to 4 */
    up_expect_code(up_ctl(&c, "auto-upgrade", "--grey -h node2", NULL), 0,
                   "Then can upgrade the remaining nodes.");
    expect_node_version(&c, "node2", "5.0.0");
    expect_node_version(&c, "node1", "3.0.0");
    expect_node_version(&c, "node3", "3.0.0");
    up_assert_normal(&c);
    expect_steps(&c, "Upgrade mode is `grey upgrade`.\n"
                     "step of Node [node1] is :0\nmake sure the cluster is Normal and the "
                     "database could be connected\n"
                     "step of Node [node2] is :4\nUpgrade post catalog\n"
                     "step of Node [node3] is :0\n");
    /* a mixed cluster takes writes (grey never makes it read-only) */
    up_sh_ok(&c, "node1", "omm",
             "gsql -d db1 -X -v ON_ERROR_STOP=1 -c 'CREATE TABLE mixed (i int)'");
    up_sh_ok(&c, "node1", "omm", "gsql -d db1 -X -v ON_ERROR_STOP=1 -c 'DROP TABLE mixed'");
    expect_refused(&c, "--grey -h node2", "[GAUSS-52910]", NULL, NULL);
    expect_refused(&c, "--grey", "use --continue instead of -g", NULL, NULL);

    /* rollback of a partly upgraded cluster: node2 back, the rest untouched */
    up_expect_code(up_ctl(&c, "auto-rollback", NULL, NULL), 2, "Rollback succeeded");
    up_assert_normal(&c);
    up_expect_unchanged(&c, dump0, links0, "rollback from -h node2");
    up_assert_version(&c, "3.0.0");
    up_sh_ok(&c, "node2", "omm", "ls /opt/ogsim/data/dn1/postgresql.conf.bak.old 2>&1 || true");
    cr_assert_not_null(strstr(upres.out, "No such file"), "%s", upres.out);

    /* three batches: -h node3, -h node1 with ogup's --rolling (the primary hands
     * over to node3, upgraded before, then switches), --continue (node2) */
    up_expect_code(up_ctl(&c, "auto-upgrade", "--grey -h node3", NULL), 0, NULL);
    up_expect_code(up_ctl(&c, "auto-upgrade", "--grey --rolling -h node1", NULL), 0,
                   "Switchover to node3");
    up_sh_ok(&c, "node1", "omm", "gs_om -t status --detail");
    cr_assert_not_null(strstr(upres.out, "node3 ") && strstr(upres.out, "Primary Normal"), "%s",
                       upres.out);
    expect_node_version(&c, "node2", "3.0.0");
    up_expect_code(up_ctl(&c, "auto-upgrade", "--grey --continue", NULL), 0,
                   "Upgrade main process has been finished");
    cr_assert_not_null(strstr(upres.out, "Catalog upgrade-post done on database postgres"), "%s",
                       upres.out);
    up_assert_version(&c, "5.0.0");
    expect_steps(&c, "step of Node [node1] is :5\npre-commit\nstep of Node [node2] is :5\n"
                     "pre-commit\nstep of Node [node3] is :5\npre-commit\n"
                     "You have Not run `upgrade-commit` yet.\n");
    /* exit 1, as openGauss (UpgradeImpl.py v5.0.0 :5675: "auto-upgrade" has no
     * success code in exitWithRetCode) */
    up_expect_code(up_ctl(&c, "auto-upgrade", "--grey", NULL), 1, "no need to upgrade again");

    /* rollback from pre-commit: rollback-post, every node back, the exact dump */
    up_expect_code(up_ctl(&c, "auto-rollback", NULL, NULL), 2, "Rollback succeeded");
    up_assert_normal(&c);
    up_expect_unchanged(&c, dump0, links0, "rollback from pre-commit");

    /* every node at once, then commit */
    up_expect_code(up_ctl(&c, "auto-upgrade", "--grey", NULL), 0, "Successfully upgrade all nodes");
    up_expect_code(up_ctl(&c, "commit-upgrade", NULL, NULL), 5, "Commit upgrade succeeded.");
    up_expect_upgraded(&c, "5.0.0", user0);
    up_assert_no_journal(&c);
    up_sh_ok(&c, "node1", "omm", "ls /opt/ogsim; gsql -d postgres -X -tA -c 'show upgrade_mode'");
    cr_assert_null(strstr(upres.out, "app_02c14696"), "the old app is removed: %s", upres.out);
    cr_assert_not_null(strstr(upres.out, "\n0\n"), "upgrade_mode=0: %s", upres.out);
    /* nothing to roll back after a finished commit (exit 2, :326-331); a
     * second auto-upgrade: every node at the new build already (52901) */
    up_expect_code(up_ctl(&c, "auto-rollback", NULL, NULL), 2, "No need to rollback.");
    up_expect_code(up_ctl(&c, "auto-upgrade", "--grey", NULL), 1, "[GAUSS-52901]");
    free(dump0);
    free(links0);
    free(user0);
}

/* Kill gs_upgradectl (SIGKILL) at each grey failpoint: auto-rollback gives
 * the old cluster back exactly, and a re-run of auto-upgrade ends as an
 * uninterrupted run; the rollback killed at its failpoints, re-run,
 * converges; commit-upgrade killed at its failpoints, re-run, ends as an
 * uninterrupted commit. The sample (the catalog's points are played by the
 * scenarios grey-kill-catalog-rollback and the slow suite): the old gaussdb
 * killed and the new one not started; the rollback's process switch half
 * done; the commit killed with upgrade_mode=0 set but not recorded. */
Test(grey, killed_at_failpoints, .timeout = 7000) /* every point: the slow suite */
{
    struct sim_cluster c;
    const char *sample[] = {"grey.switch-process.after-effect",
                            "grey-rollback.switch-process.after-effect",
                            "grey-commit.upgrade-mode.after-effect"};

    up_cluster(&c, name, "3.0.0", 2);
    up_prepare(&c, "5.0.0");
    /* 8 steps x 3 points; 5 undos x 3; 4 commit steps x 3 */
    up_kill_matrix(&c, "grey", "--grey", "3.0.0", "5.0.0", 24, 15, 12, sample,
                   sizeof(sample) / sizeof(sample[0]));
}
