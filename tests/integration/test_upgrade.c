/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * gs_upgradectl on real 3-node simulator clusters (LXC nodes, sshd, the
 * node kernel over PostgreSQL 15): the guide's in-place upgrade, commit,
 * auto-rollback (also --force), refusals that change nothing, and upgrades
 * killed at failpoints then rolled back or resumed.
 *
 * UPGRADE_FAILPOINTS=all kills at EVERY failpoint of the in-place plan and
 * of its rollback (the slow suite: shard:K/N, its K-th of N parts);
 * UPGRADE_FAILPOINTS=from:NAME at every point from NAME on, only:A,B at
 * those; otherwise a sample of them runs.
 */
#include <criterion/criterion.h>
#include <json-c/json.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"
#include "fs.h"
#include "upfixture.h"

static char name[32];

static void setup(void)
{
    snprintf(name, sizeof(name), "ug%d", (int)(getpid() % 10000));
}

static void teardown(void)
{
    command_result_done(&upres);
    sim_down(name, NULL, NULL);
}

TestSuite(upgrade, .init = setup, .fini = teardown, .timeout = 3000);

/* A refused upgrade changes nothing. */
static void expect_refused(const struct sim_cluster *c, const char *code, const char *dump0,
                           const char *links0)
{
    up_expect_code(up_ctl(c, "auto-upgrade", NULL, NULL), 1, code);
    up_expect_unchanged(c, dump0, links0, "a refused upgrade");
}

/* The same, taking the before-state itself. */
static void expect_refused_now(const struct sim_cluster *c, const char *code)
{
    char *d0 = up_dump(c, false), *l0 = up_links(c);

    expect_refused(c, code, d0, l0);
    free(d0);
    free(l0);
}

/* A write on the primary (a table made and dropped: nothing stays) is
 * refused with the kernel's read-only error (refused = true), or accepted. */
static void expect_writes(const struct sim_cluster *c, bool refused, const char *when)
{
    int rc = up_sh(c, "node1", "omm",
                   "gsql -d db1 -X -v ON_ERROR_STOP=1 -c 'CREATE TABLE ro_probe (i int); "
                   "DROP TABLE ro_probe'");

    if (refused) {
        cr_assert_neq(rc, 0, "a write %s was accepted", when);
        cr_assert_not_null(strstr(upres.err, "cannot execute CREATE TABLE in a read-only "
                                             "transaction"),
                           "%s: %s", when, upres.err);
    } else {
        cr_assert_eq(rc, 0, "a write %s was refused: %s", when, upres.err);
    }
}

/* What the old app carries to the new one (openGauss's backupClusterConfig /
 * restoreClusterConfig, UpgradeUtility.py v5.0.0 :1283-1460): checksums,
 * relative to an app directory, the same on every node's app at dir. */
#define CARRIED                                                                                    \
    "bin/server.key.cipher bin/server.key.rand etc/gscgroup_omm.cfg "                              \
    "lib/postgresql/pg_plugin/og_ext.so bin/cluster_static_config"

static char *carried_sums(const struct sim_cluster *c, const char *node, const char *dir)
{
    char sh[512];

    snprintf(sh, sizeof(sh), "cd %s && sha256sum " CARRIED, dir);
    up_sh_ok(c, node, "omm", sh);
    return strdup(upres.out);
}

/* The physical catalog backup of step 3 on a node: present or absent. */
static void expect_catalog_backup(const struct sim_cluster *c, const char *node, bool present)
{
    char sh[PATH_MAX + 256];

    snprintf(sh, sizeof(sh),
             "ls -d %s/global_bak %s/pg_clog_bak %s/pg_csnlog_bak %s/pg_xlog/xlog_backup_info.json"
             " && ls %s/base/1/ | grep -c '_bak$'",
             c->datadir, c->datadir, c->datadir, c->datadir, c->datadir);
    if (present) {
        up_sh_ok(c, node, "omm", sh); /* grep -c fails on 0 catalog files */
    } else {
        cr_assert_neq(up_sh(c, node, "omm", sh), 0, "a catalog backup is left on %s: %s", node,
                      upres.out);
    }
}

/* 2.0.0 -> 3.0.0 (large): upgrade, rollback to the exact dump, upgrade
 * again, commit; the refusals of commit and rollback around them; the
 * read-only window (openGauss-OM v5.0.0 UpgradeImpl.py:2345, :2456, :2608):
 * from before the backup to commit or rollback, writes are refused. */
Test(upgrade, large_rollback_then_commit)
{
    struct sim_cluster c;
    char *dump0, *user0, *links0;

    char *sums0[SIM_MAX_NODES], newapp[PATH_MAX + 32];

    up_cluster(&c, name, "2.0.0", 3);
    /* an operator's plugin in the old app */
    for (size_t i = 0; i < c.n_nodes; i++)
        up_sh_ok(&c, c.nodes[i].name, "omm",
                 "head -c 4096 /dev/urandom > $GAUSSHOME/lib/postgresql/pg_plugin/og_ext.so");
    up_prepare(&c, "3.0.0");
    /* gs_preinstall made the new app's directory, empty: the upgrade
     * installs into it at its step 4 (PreInstallUtility.py v5.0.0 :1066) */
    up_sh_ok(&c, "node2", "omm", "echo /opt/ogsim/app_$(sed -n 3p $GPHOME/version.cfg)");
    snprintf(newapp, sizeof(newapp), "%.*s", (int)strcspn(upres.out, "\n"), upres.out);
    up_sh_ok(&c, "node2", "omm", "ls -A /opt/ogsim/app_$(sed -n 3p $GPHOME/version.cfg) | wc -l");
    cr_assert_str_eq(upres.out, "0\n", "the new app is installed before the upgrade");
    for (size_t i = 0; i < c.n_nodes; i++)
        sums0[i] = carried_sums(&c, c.nodes[i].name, "$GAUSSHOME");
    dump0 = up_dump(&c, false);
    user0 = up_dump(&c, true);
    links0 = up_links(&c);
    expect_writes(&c, false, "before the upgrade");

    /* nothing to commit yet: openGauss's "No need to commit-upgrade", exit 5
     * (UpgradeImpl.py v5.0.0 :600-606) */
    up_expect_code(up_ctl(&c, "commit-upgrade", NULL, NULL), 5, "No need to commit-upgrade");

    /* killed before the cluster stops: still running, already read-only */
    up_expect_code(up_ctl(&c, "auto-upgrade", NULL, "inplace.stop-cluster.before=kill"), 137, NULL);
    expect_writes(&c, true, "before the backup");
    /* the OM tools of another build while this upgrade is unfinished:
     * GAUSS-52935 (UpgradeImpl.py v5.0.0 :693, :5638),
     * nothing changed */
    up_sh(&c, "node1", "omm",
          "rm -rf $PGHOST/gp-other && cp -a $GPHOME $PGHOST/gp-other && "
          "sed -i '3s/.*/0badc0de/' $PGHOST/gp-other/version.cfg && "
          "GPHOME=$PGHOST/gp-other gs_upgradectl -t auto-upgrade -X ~/clusterconfig.xml; "
          "rc=$?; rm -rf $PGHOST/gp-other; exit $rc");
    up_expect_code(upres.exit_status, 1,
                   "[GAUSS-52935] : Current upgrade version is not same "
                   "with unfinished upgrade version record.");

    /* resumed to pre-commit: read-only until commit or rollback */
    up_expect_code(up_ctl(&c, "auto-upgrade", NULL, NULL), 0, NULL);
    cr_assert_not_null(strstr(upres.out, "Progress report: (100%)"), "%s", upres.out);
    /* the pre-commit banner (UpgradeImpl.py v5.0.0 :3992-4006) */
    cr_assert_not_null(strstr(upres.out, "Upgrade main process has been finished, user can do "
                                         "some check now.\nOnce the check done, please execute "
                                         "following command to commit upgrade:\n"),
                       "%s", upres.out);
    /* -S show-step in place (UpgradeImpl.py v6.0.0 :253-300) */
    up_sh_ok(&c, "node3", "omm", "gs_upgradectl -S show-step");
    cr_assert_not_null(strstr(upres.out, "Upgrade mode is `inplace upgrade`.\n"), "%s", upres.out);
    cr_assert_not_null(strstr(upres.out, "You have Not run `upgrade-commit` yet."), "%s",
                       upres.out);
    expect_writes(&c, true, "at pre-commit");
    up_expect_upgraded(&c, "3.0.0", user0);
    up_sh_ok(&c, "node2", "omm", "gsql -d db1 -X -tA -c 'SELECT og_catalog.gs_feature_92605()'");
    cr_assert_str_eq(upres.out, "92605\n");
    up_sh_ok(&c, "node1", "omm", "cat $PGHOST/binary_upgrade/upgrade_step.dat");
    cr_assert_str_eq(upres.out, "inplace-binary-upgrade:6\n");
    up_sh_ok(&c, "node3", "omm", "cat $PGHOST/binary_upgrade/upgrade_step.dat");
    cr_assert_str_eq(upres.out, "inplace-binary-upgrade:6\n", "the journal is on every node");
    /* the new app carries the old app's files; each node took the physical
     * catalog backup; upgrade_mode=1 until the commit */
    for (size_t i = 0; i < c.n_nodes; i++) {
        char *sums = carried_sums(&c, c.nodes[i].name, newapp);
        cr_assert_str_eq(sums, sums0[i], "carried files on %s", c.nodes[i].name);
        free(sums);
        expect_catalog_backup(&c, c.nodes[i].name, true);
    }
    up_sh_ok(&c, "node1", "omm", "gsql -d postgres -X -tA -c 'show upgrade_mode'");
    cr_assert_str_eq(upres.out, "1\n");

    /* re-running at pre-commit changes nothing */
    up_expect_code(up_ctl(&c, "auto-upgrade", NULL, NULL), 0, NULL);
    cr_assert_not_null(strstr(upres.out, "at pre-commit already"), "%s", upres.out);

    /* roll back: the old version, the exact dump, no journal */
    up_expect_code(up_ctl(&c, "auto-rollback", NULL, NULL), 2, NULL);
    cr_assert_not_null(strstr(upres.out, "rolled back the catalog (the physical files of before)"),
                       "%s", upres.out);
    up_assert_version(&c, "2.0.0");
    up_assert_normal(&c);
    up_expect_unchanged(&c, dump0, links0, "after the rollback");
    expect_writes(&c, false, "after the rollback");
    /* the physical catalog restore, not SQL (old 92.298 <= 93.000,
     * UpgradeImpl.py v5.0.0 :4718); the new app removed (cleanInstallPath,
     * :4613); the old app's files as they were; no catalog backup left */
    for (size_t i = 0; i < c.n_nodes; i++) {
        char sh[PATH_MAX + 32], *sums;
        snprintf(sh, sizeof(sh), "test ! -e %s", newapp);
        up_sh_ok(&c, c.nodes[i].name, "omm", sh);
        sums = carried_sums(&c, c.nodes[i].name, "$GAUSSHOME");
        cr_assert_str_eq(sums, sums0[i], "old app's files on %s", c.nodes[i].name);
        free(sums);
        expect_catalog_backup(&c, c.nodes[i].name, false);
    }
    /* commit after rollback: nothing to commit (exit 5, :600-606) */
    up_expect_code(up_ctl(&c, "commit-upgrade", NULL, NULL), 5, "No need to commit-upgrade");
    /* a second rollback: nothing to do */
    up_expect_code(up_ctl(&c, "auto-rollback", NULL, NULL), 2, NULL);

    /* upgrade again, killed just before the switch: the old binary ran the
     * non-post catalog SQL (the scripts refuse the other binary), $GAUSSHOME
     * is still the old app; then resumed and committed: the old app is
     * gone, the journal too */
    up_expect_code(up_ctl(&c, "auto-upgrade", NULL, "inplace.switch-bin.before=kill"), 137, NULL);
    up_sh_ok(&c, "node1", "omm",
             "readlink -f $GAUSSHOME; gsql -d db1 -X -tA -c 'SELECT num FROM "
             "og_catalog.catalog_version' -c 'show upgrade_mode'; ls $PGHOST/binary_upgrade/");
    cr_assert(strncmp(upres.out, "/opt/ogsim/app_78689da9\n92605\n1\n", 32) == 0, "%s", upres.out);
    cr_assert_not_null(strstr(upres.out, "\ntouch_init_flag\n"), "%s", upres.out);
    up_expect_code(up_ctl(&c, "auto-upgrade", NULL, NULL), 0, NULL);
    up_expect_code(up_ctl(&c, "commit-upgrade", NULL, NULL), 0,
                   "NOTICE: Commit binary upgrade succeeded.");
    expect_writes(&c, false, "after the commit");
    up_expect_upgraded(&c, "3.0.0", user0);
    up_assert_no_journal(&c);
    up_sh_ok(&c, "node2", "omm", "gsql -d postgres -X -tA -c 'show upgrade_mode'");
    cr_assert_str_eq(upres.out, "0\n", "upgrade_mode after the commit");
    for (size_t i = 0; i < c.n_nodes; i++) {
        char *sums = carried_sums(&c, c.nodes[i].name, "$GAUSSHOME");
        cr_assert_str_eq(sums, sums0[i], "carried files on %s after the commit", c.nodes[i].name);
        free(sums);
        expect_catalog_backup(&c, c.nodes[i].name, false);
        free(sums0[i]);
    }
    for (size_t i = 0; i < c.n_nodes; i++)
        cr_assert_neq(up_sh(&c, c.nodes[i].name, "omm", "ls -d /opt/ogsim/app_78689da9"), 0,
                      "old app left on %s", c.nodes[i].name);
    /* rollback after a finished commit: nothing to roll back (exit 2,
     * UpgradeImpl.py v5.0.0 :326-331); a commit again: the same build
     * (52900 wrapping 52901, exit 1) */
    up_expect_code(up_ctl(&c, "auto-rollback", NULL, NULL), 2, "No need to rollback.");
    up_expect_code(up_ctl(&c, "commit-upgrade", NULL, NULL), 1,
                   "[GAUSS-52900] : Failed to upgrade strategy: [GAUSS-52901] : New cluster "
                   "commitid cannot be same with old cluster commitid.. Do nothing this time.");
    up_assert_version(&c, "3.0.0");
    /* the history, on every node */
    up_sh_ok(&c, "node3", "omm", "grep -c 'commit-upgrade' $GPHOME/upgradeRecord.txt");
    cr_assert_str_eq(upres.out, "1\n");
    free(dump0);
    free(user0);
    free(links0);
}

/* 2.0.0 -> 2.0.1 (small: binaries only) and commit; then the refusals:
 * the same commit, an older version. */
Test(upgrade, small_then_refusals)
{
    struct sim_cluster c;
    char *user0;

    up_cluster(&c, name, "2.0.0", 3);
    user0 = up_dump(&c, true);
    /* the same commit: nothing to upgrade */
    expect_refused_now(&c, "[GAUSS-52901]");
    up_prepare(&c, "2.0.1");
    up_expect_code(up_ctl(&c, "auto-upgrade", NULL, NULL), 0, NULL);
    cr_assert_not_null(strstr(upres.out, "small, binaries only"), "%s", upres.out);
    cr_assert_null(strstr(upres.out, "Catalog upgrade"), "a small upgrade runs no SQL");
    up_assert_version(&c, "2.0.1");
    up_expect_code(up_ctl(&c, "commit-upgrade", NULL, NULL), 0,
                   "NOTICE: Commit binary upgrade succeeded.");
    up_expect_upgraded(&c, "2.0.1", user0);

    /* an older version: refused (GAUSS-52902), nothing changed */
    up_prepare(&c, "1.1.0");
    expect_refused_now(&c, "[GAUSS-52902]");
    free(user0);
}

/* The guide's table 1-1 from 1.0.1: only 1.1.0 (then commit); with MOT
 * tables on 1.1.0, 2.0.0 is refused. */
Test(upgrade, paths_from_1_0_1)
{
    struct sim_cluster c;
    char *user0;

    up_cluster(&c, name, "1.0.1", 3);
    user0 = up_dump(&c, true);
    up_prepare(&c, "2.0.0");
    expect_refused_now(&c, "[GAUSS-52902]");

    up_prepare(&c, "1.1.0");
    up_expect_code(up_ctl(&c, "auto-upgrade", NULL, NULL), 0, NULL);
    up_expect_code(up_ctl(&c, "commit-upgrade", NULL, NULL), 0,
                   "NOTICE: Commit binary upgrade succeeded.");
    up_expect_upgraded(&c, "1.1.0", user0);

    /* MOT tables in use: 1.1.0 -> 2.0.0 refused */
    up_sh_ok(&c, "node1", "omm",
             "gsql -d db1 -X -c 'CREATE FOREIGN TABLE mot_t (id int) SERVER mot_server'");
    up_prepare(&c, "2.0.0");
    expect_refused_now(&c, "[OGUP-60070]");
    free(user0);
}

/* 3.0.0 -> 5.0.0 (large) and commit. */
Test(upgrade, path_3_0_0_to_5_0_0)
{
    struct sim_cluster c;
    char *user0;

    up_cluster(&c, name, "3.0.0", 3);
    user0 = up_dump(&c, true);
    up_prepare(&c, "5.0.0");
    up_expect_code(up_ctl(&c, "auto-upgrade", NULL, NULL), 0, NULL);
    up_expect_code(up_ctl(&c, "commit-upgrade", NULL, NULL), 0,
                   "NOTICE: Commit binary upgrade succeeded.");
    up_expect_upgraded(&c, "5.0.0", user0);
    free(user0);
}

/* Kill the upgrader at each failpoint; then auto-rollback must give back
 * the old cluster exactly, and a re-run of auto-upgrade must give the same
 * result as an uninterrupted upgrade. Then kill the rollback at each of its
 * failpoints and re-run it: it converges. The integration suite's sample:
 * the binary switch half done and the catalog SQL committed but not
 * recorded; the rollback killed after its catalog undo. The slow suite
 * (UPGRADE_FAILPOINTS=all) runs every point, the commit's included (killed,
 * re-run: the same end as an uninterrupted commit). */
Test(upgrade, killed_at_failpoints, .timeout = 7000) /* every point: the slow suite */
{
    struct sim_cluster c;
    const char *sample[] = {"inplace.switch-bin.after-effect", "inplace.catalog.after-effect",
                            "inplace-rollback.catalog.after-effect"};

    up_cluster(&c, name, "2.0.0", 3);
    up_prepare(&c, "3.0.0");
    /* 10 steps x 3 points; 7 undos x 3; 5 commit steps x 3 */
    up_kill_matrix(&c, "inplace", NULL, "2.0.0", "3.0.0", 30, 21, 15, sample,
                   sizeof(sample) / sizeof(sample[0]));
}

/* auto-rollback --force with a node's database killed, then with a node
 * unreachable (powered off): what can be done is done, the rest reported;
 * once the node is back a plain auto-rollback finishes. */
Test(upgrade, force_rollback)
{
    struct sim_cluster c;
    struct og_error err = {0};
    char *dump0, *links0;

    up_cluster(&c, name, "2.0.0", 2);
    up_prepare(&c, "3.0.0");
    dump0 = up_dump(&c, false);
    links0 = up_links(&c);
    up_snapshot(&c, "ready");

    /* node2's database killed (SIGKILL) at pre-commit */
    up_expect_code(up_ctl(&c, "auto-upgrade", NULL, NULL), 0, NULL);
    up_sh_ok(&c, "node2", "omm", "kill -9 $(head -1 /opt/ogsim/data/dn1/postmaster.pid)");
    up_expect_code(up_ctl(&c, "auto-rollback", "--force", NULL), 2, NULL);
    up_assert_version(&c, "2.0.0");
    up_assert_normal(&c);
    up_expect_unchanged(&c, dump0, links0, "--force with a killed datanode");

    /* node3 powered off at pre-commit */
    up_restore(&c, "ready");
    up_expect_code(up_ctl(&c, "auto-upgrade", NULL, NULL), 0, NULL);
    cr_assert_eq(sim_node_power(&c, "node3", false, &err), 0, "%s", err.detail);
    up_expect_code(up_ctl(&c, "auto-rollback", NULL, NULL), 3, NULL); /* without --force: fails */
    up_expect_code(up_ctl(&c, "auto-rollback", "--force", NULL), 3, "[GAUSS-51626]");
    cr_assert_not_null(strstr(upres.out, "node3: unreachable"), "%s", upres.out);
    cr_assert_not_null(strstr(upres.out, "run auto-rollback again"), "%s", upres.out);
    up_sh_ok(&c, "node1", "omm", "readlink $GAUSSHOME");
    cr_assert_str_eq(upres.out, "app_78689da9\n", "the reachable nodes rolled back");
    up_sh_ok(&c, "node2", "omm", "gaussdb -V");
    cr_assert_not_null(strstr(upres.out, "openGauss 2.0.0"));
    /* node3 back: a plain rollback finishes */
    cr_assert_eq(sim_node_power(&c, "node3", true, &err), 0, "%s", err.detail);
    up_sh_ok(&c, "node1", "omm",
             "for i in $(seq 120); do ssh node3 true 2>/dev/null && exit 0; sleep 0.5; done; "
             "exit 1");
    up_expect_code(up_ctl(&c, "auto-rollback", NULL, NULL), 2, NULL);
    up_assert_version(&c, "2.0.0");
    up_assert_normal(&c);
    up_expect_unchanged(&c, dump0, links0, "--force, then the node back");
    free(dump0);
    free(links0);
}

/* The HA state's local_role of node's instance is role. */
static void expect_role(const struct sim_cluster *c, const char *node, const char *role)
{
    char q[PATH_MAX + 64];

    snprintf(q, sizeof(q), "gs_ctl query -D %s | awk '/local_role/ {print $3; exit}'", c->datadir);
    for (int i = 0; i < 100; i++) {
        if (up_sh(c, node, "omm", q) == 0 && strncmp(upres.out, role, strlen(role)) == 0)
            return;
        usleep(300 * 1000);
    }
    cr_assert_fail("%s is not %s: %s", node, role, upres.out);
}

/* Live roles: after a switchover node2 is the primary; the upgrade and its
 * rollback take the roles from the running cluster (openGauss's gs_om -t
 * query), not from the install's static config (node1). */
Test(upgrade, after_switchover)
{
    struct sim_cluster c;
    char sw[PATH_MAX + 64], *user0;

    up_cluster(&c, name, "2.0.0", 1);
    up_prepare(&c, "3.0.0");
    snprintf(sw, sizeof(sw), "gs_ctl switchover -D %s", c.datadir);
    up_sh_ok(&c, "node2", "omm", sw);
    expect_role(&c, "node2", "Primary");
    expect_role(&c, "node1", "Standby");
    up_assert_normal(&c);
    user0 = up_dump(&c, true);

    up_expect_code(up_ctl(&c, "auto-upgrade", NULL, NULL), 0, NULL);
    up_expect_upgraded(&c, "3.0.0", user0);
    expect_role(&c, "node2", "Primary");
    expect_role(&c, "node1", "Standby");

    up_expect_code(up_ctl(&c, "auto-rollback", NULL, NULL), 2, NULL);
    up_assert_version(&c, "2.0.0");
    up_assert_normal(&c);
    expect_role(&c, "node2", "Primary");
    expect_role(&c, "node3", "Standby");
    free(user0);
}

/* ---- a journal openGauss's own gs_upgradectl left -------------------------------------- */

/* The fixture file, @OLD_APP@ / @NEW_APP@ replaced, written on node into
 * binary_upgrade (tests/data/journals/opengauss-5.0.0-inplace/README.md). */
static void put_fixture(const struct sim_cluster *c, const char *node, const char *file,
                        const char *old_app, const char *new_app)
{
    char path[PATH_MAX], sh[8192], text[4096 + 2 * PATH_MAX];
    char *raw = NULL;
    struct og_error err = {0};
    size_t k = 0;

    snprintf(path, sizeof(path), "%s/tests/data/journals/opengauss-5.0.0-inplace/%s", SOURCE_ROOT,
             file);
    cr_assert_eq(fs_read_file(path, 4096, &raw, NULL, &err), 0, "%s", err.detail);
    for (const char *p = raw; *p; p++) {
        if (strncmp(p, "@OLD_APP@", 9) == 0 || strncmp(p, "@NEW_APP@", 9) == 0) {
            k +=
                (size_t)snprintf(text + k, sizeof(text) - k, "%s", p[1] == 'O' ? old_app : new_app);
            p += 8;
        } else if (k < sizeof(text) - 1) {
            text[k++] = *p;
        }
    }
    text[k] = '\0';
    free(raw);
    snprintf(sh, sizeof(sh), "cat > $PGHOST/binary_upgrade/%s <<'OGEOF'\n%sOGEOF", file, text);
    up_sh_ok(c, node, "omm", sh);
}

/* What openGauss's tool does before it records step 4, on a node whose
 * datanode it stopped: Local_Backup -p -b (script/local/Backup.py v5.0.0),
 * backupClusterConfig's flat copies (UpgradeUtility.py :1283-1460), the
 * physical catalog backup (:2850-2990, :947-1070) of binary_upgrade/relfiles. */
static void opengauss_backups(const struct sim_cluster *c, const char *node)
{
    char sh[4096];

    snprintf(sh, sizeof(sh),
             "set -e; B=$PGHOST/binary_upgrade; D=%s; H=$(hostname); cd $B\n"
             "cp $GAUSSHOME/bin/upgrade_version old_upgrade_version\n"
             "mkdir parameter_$H; cp $D/postgresql.conf parameter_$H/6001_postgresql.conf\n"
             "cp $D/pg_hba.conf parameter_$H/6001_pg_hba.conf; echo $H > parameter_$H/HOSTNAME\n"
             "tar -cf parameter_$H.tar parameter_$H; rm -r parameter_$H\n"
             "tar -cf binary_$H.tar -C $(dirname $(readlink -f $GAUSSHOME)) "
             "$(basename $(readlink -f $GAUSSHOME))\n"
             "cp -p $GAUSSHOME/bin/cluster_static_config $GAUSSHOME/bin/server.key.cipher "
             "$GAUSSHOME/bin/server.key.rand $GAUSSHOME/etc/gscgroup_omm.cfg .\n"
             "cp -rp $GAUSSHOME/lib/postgresql/pg_plugin .\n"
             "cd $D; cp -rp global global_bak; cp -rpL pg_clog pg_clog_bak; "
             "cp -rp pg_csnlog pg_csnlog_bak\n"
             "R=$($GAUSSHOME/bin/pg_controldata $D | sed -n \"s/^Latest checkpoint's REDO WAL "
             "file: *//p\"); L=''\n"
             "for f in $(ls pg_xlog | grep -E '^[0-9A-F]{24}$'); do\n"
             "  if [ \"$f\" = \"$R\" ] || [ \"$f\" \\> \"$R\" ]; then\n"
             "    cp -p pg_xlog/$f pg_xlog/${f}_upgrade_backup; L=\"$L, \\\"$f\\\"\"; fi; done\n"
             "printf '{\"latest_checkpoint_redo_xlog_file\": \"%%s\", \"backup_xlog_list\": "
             "[%%s]}' $R \"${L#, }\" > pg_xlog/xlog_backup_info.json\n"
             "for p in $(cat $B/relfiles); do for f in $D/$p $D/${p}_fsm $D/${p}_vm; do\n"
             "  if [ -f $f ]; then cp -p $f ${f}_bak; fi; done; done; rm $B/relfiles\n",
             c->datadir);
    up_sh_ok(c, node, "omm", sh);
}

/* 2.0.0 -> 3.0.0: openGauss's own gs_upgradectl died at in-place step 4
 * (installNewBin); its binary_upgrade (the fixture and what its tool builds)
 * is taken over: resumed to pre-commit and, from a snapshot of the same
 * state, rolled back to the exact cluster of before. */
Test(upgrade, opengauss_journal_at_step_4)
{
    struct sim_cluster c;
    char *dump0, *links0, *sums0, old_app[PATH_MAX], new_app[PATH_MAX];
    char *objs[16] = {0}, rels[65536], dbs[4096], *save = NULL;
    static const char *const files[] = {"upgrade_step.dat", "record_app_directory",
                                        "inplace_upgrade_flag"};
    static const char cat_where[] =
        "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE (c.oid < 16384 OR "
        "n.nspname = 'og_catalog') AND c.relkind IN ('r','i','t') AND "
        "pg_relation_filepath(c.oid) LIKE 'base/%'";
    size_t nobj = 0, kr = 0;

    up_cluster(&c, name, "2.0.0", 2);
    for (size_t i = 0; i < c.n_nodes; i++)
        up_sh_ok(&c, c.nodes[i].name, "omm",
                 "head -c 4096 /dev/urandom > $GAUSSHOME/lib/postgresql/pg_plugin/og_ext.so");
    up_prepare(&c, "3.0.0");
    dump0 = up_dump(&c, false);
    links0 = up_links(&c);
    sums0 = carried_sums(&c, "node1", "$GAUSSHOME");
    up_sh_ok(&c, "node1", "omm",
             "readlink -f $GAUSSHOME; echo /opt/ogsim/app_$(sed -n 3p $GPHOME/version.cfg)");
    cr_assert_eq(sscanf(upres.out, "%4095s %4095s", old_app, new_app), 2);

    /* its catalog list, per database (backupOldClusterDBAndRelInfo, :2356; jsonb: one line) */
    up_sh_ok(&c, "node1", "omm",
             "gsql -d postgres -X -tA -c 'SELECT datname FROM pg_database ORDER BY 1'");
    snprintf(dbs, sizeof(dbs), "%s", upres.out);
    for (char *db = strtok_r(dbs, "\n", &save); db; db = strtok_r(NULL, "\n", &save)) {
        char sh[4096];
        snprintf(sh, sizeof(sh),
                 "gsql -d %s -X -tA -c \"SELECT jsonb_build_object('dbname', current_database(), "
                 "'dboid', (SELECT oid::text FROM pg_database WHERE datname = "
                 "current_database()), 'spclocation', '', 'CatalogList', "
                 "jsonb_agg(jsonb_build_object('oid', c.oid::text, 'relname', c.relname, "
                 "'relfilenode', pg_relation_filenode(c.oid)::text, 'relpersistence', "
                 "c.relpersistence))) %s\"",
                 db, cat_where);
        up_sh_ok(&c, "node1", "omm", sh);
        cr_assert_lt(nobj, ELEMENTSOF(objs));
        objs[nobj++] = strndup(upres.out, strcspn(upres.out, "\n"));
        snprintf(sh, sizeof(sh),
                 "gsql -d %s -X -tA -c \"SELECT string_agg(pg_relation_filepath(c.oid), ' ') "
                 "%s\"",
                 db, cat_where);
        up_sh_ok(&c, "node1", "omm", sh);
        kr += (size_t)snprintf(rels + kr, sizeof(rels) - kr, "%.*s ", (int)strcspn(upres.out, "\n"),
                               upres.out);
    }
    /* its read-only (:2345), then the stop (:2366): standbys, then the primary */
    for (size_t i = c.n_nodes; i-- > 0;) {
        char sh[PATH_MAX + 64];
        snprintf(sh, sizeof(sh), "gs_guc reload -D %s -c default_transaction_read_only=true",
                 c.datadir);
        up_sh_ok(&c, c.nodes[i].name, "omm", sh);
    }
    for (size_t i = c.n_nodes; i-- > 0;) {
        char sh[PATH_MAX + 64];
        snprintf(sh, sizeof(sh), "gs_ctl stop -D %s -m fast", c.datadir);
        up_sh_ok(&c, c.nodes[i].name, "omm", sh);
    }
    /* binary_upgrade on every node, as it left it */
    for (size_t i = 0; i < c.n_nodes; i++) {
        const char *n = c.nodes[i].name;
        char sh[sizeof(rels) + 512];
        up_sh_ok(&c, n, "omm", "mkdir -p -m 700 $PGHOST/binary_upgrade/oldClusterDBAndRel");
        for (size_t f = 0; f < ELEMENTSOF(files); f++)
            put_fixture(&c, n, files[f], old_app, new_app);
        /* the JSON, a database at a time (an argv string stays below 128 KiB) */
        up_sh_ok(&c, n, "omm",
                 "printf '{\"dblist\": [' > $PGHOST/binary_upgrade/oldClusterDBAndRel/"
                 "dn_db_and_catalog_info_dn_6001.json");
        for (size_t k = 0; k < nobj; k++) {
            char *js = NULL;
            cr_assert_gt(asprintf(&js,
                                  "cat >> $PGHOST/binary_upgrade/oldClusterDBAndRel/"
                                  "dn_db_and_catalog_info_dn_6001.json <<'OGEOF'\n%s%s\nOGEOF",
                                  k ? ", " : "", objs[k]),
                         0);
            up_sh_ok(&c, n, "omm", js);
            free(js);
        }
        up_sh_ok(&c, n, "omm",
                 "echo ']}' >> $PGHOST/binary_upgrade/oldClusterDBAndRel/"
                 "dn_db_and_catalog_info_dn_6001.json");
        snprintf(sh, sizeof(sh), "echo '%s' > $PGHOST/binary_upgrade/relfiles", rels);
        up_sh_ok(&c, n, "omm", sh);
        opengauss_backups(&c, n);
    }
    up_snapshot(&c, "og4");

    /* taken over and resumed */
    up_expect_code(up_ctl(&c, "auto-upgrade", NULL, NULL), 0, NULL);
    cr_assert_not_null(strstr(upres.out, "Taking over the journal openGauss's gs_upgradectl left "
                                         "(inplace-binary-upgrade:4): ogup continues at step "
                                         "install."),
                       "%s", upres.out);
    up_assert_version(&c, "3.0.0");
    up_assert_normal(&c);
    {
        char *sums = carried_sums(&c, "node1", new_app);
        cr_assert_str_eq(sums, sums0, "the carried files, from openGauss's flat copies");
        free(sums);
    }
    up_sh_ok(&c, "node2", "omm", "cat $PGHOST/binary_upgrade/upgrade_step.dat");
    cr_assert_str_eq(upres.out, "inplace-binary-upgrade:6\n");

    /* the same state again, rolled back: openGauss's physical catalog files
     * and configuration backup bring back the exact cluster */
    up_restore(&c, "og4");
    up_expect_code(up_ctl(&c, "auto-rollback", NULL, NULL), 2, NULL);
    cr_assert_not_null(strstr(upres.out, "Taking over the journal"), "%s", upres.out);
    up_assert_version(&c, "2.0.0");
    up_assert_normal(&c);
    up_expect_unchanged(&c, dump0, links0, "a rollback of openGauss's journal");
    expect_writes(&c, false, "after the rollback");
    for (size_t i = 0; i < c.n_nodes; i++) {
        char sh[PATH_MAX + 32];
        snprintf(sh, sizeof(sh), "test ! -e %s", new_app);
        up_sh_ok(&c, c.nodes[i].name, "omm", sh);
    }
    for (size_t k = 0; k < nobj; k++)
        free(objs[k]);
    free(dump0);
    free(links0);
    free(sums0);
}

/* Issue 15 row 7: a node whose journal lags (its record sequence behind,
 * as after a crash between the writer's local write and its copies) is
 * brought level file by file: its backups (binary_upgrade/backup, which a
 * journal dump does not carry) stay, and the rollback restores from them.
 * Then the upgrader killed between a journal file's local write and its
 * copies (journal.put.after-local) resumes, and rolls back, to the same end
 * as an uninterrupted run. */
Test(upgrade, lagging_journal_keeps_backups)
{
    struct sim_cluster c;
    char *dump0, *links0;

    up_cluster(&c, name, "2.0.0", 1);
    up_prepare(&c, "3.0.0");
    dump0 = up_dump(&c, false);
    links0 = up_links(&c);
    up_snapshot(&c, "ready");

    up_expect_code(up_ctl(&c, "auto-upgrade", NULL, "inplace.install.after-effect=kill"), 137,
                   NULL);
    up_sh_ok(&c, "node2", "omm",
             "sed -i 's/seq=[0-9]*/seq=1/' $PGHOST/binary_upgrade/ogup_step && "
             "test -f $PGHOST/binary_upgrade/backup/postgresql.conf");
    /* the rollback reads (and levels) the journal, then stops at its first undo */
    up_expect_code(up_ctl(&c, "auto-rollback", NULL, "inplace-rollback.install.before=exit:3"), 3,
                   NULL);
    cr_assert_not_null(strstr(upres.out, "The journal of node2 is behind"), "%s", upres.out);
    up_sh_ok(&c, "node2", "omm",
             "test -f $PGHOST/binary_upgrade/backup/postgresql.conf && "
             "test -d $PGHOST/binary_upgrade/backup/app && grep -c . "
             "$PGHOST/binary_upgrade/ogup_step");
    up_expect_code(up_ctl(&c, "auto-rollback", NULL, NULL), 2, NULL);
    up_assert_version(&c, "2.0.0");
    up_assert_normal(&c);
    up_expect_unchanged(&c, dump0, links0, "a rollback after a lagging node's repair");

    /* killed between a journal file's local write and its copies (the 3rd
     * journal write: inplace_upgrade_flag), then resumed */
    up_restore(&c, "ready");
    up_expect_code(up_ctl(&c, "auto-upgrade", NULL, "journal.put.after-local=kill@3"), 137, NULL);
    up_expect_code(up_ctl(&c, "auto-upgrade", NULL, NULL), 0, NULL);
    up_assert_version(&c, "3.0.0");
    up_assert_normal(&c);
    /* the same kill, then rolled back */
    up_restore(&c, "ready");
    up_expect_code(up_ctl(&c, "auto-upgrade", NULL, "journal.put.after-local=kill@3"), 137, NULL);
    up_expect_code(up_ctl(&c, "auto-rollback", NULL, NULL), 2, NULL);
    up_assert_version(&c, "2.0.0");
    up_assert_normal(&c);
    up_expect_unchanged(&c, dump0, links0, "a rollback after a kill between write and copy");
    free(dump0);
    free(links0);
}

/* Issue 15 rows 2, 6, 8: an upgrade_sql.tar.gz whose member is named like
 * a journal file (commitFlagFile) and whose catalog SQL is over 1 MiB, on a
 * cluster with databases named with a space, a quote and UTF-8: the SQL is
 * extracted and assembled outside binary_upgrade (the journal untouched,
 * its dump small), every database is upgraded under its own name, and the
 * rollback (not refused as committed, not blocked by the SQL's size) gives
 * back the cluster of before. */
Test(upgrade, hostile_sql_package_and_odd_databases)
{
    struct sim_cluster c;
    char *dump0, *links0;

    up_cluster(&c, name, "2.0.0", 1);
    up_prepare(&c, "3.0.0");
    up_sh_ok(&c, "node1", "omm",
             "set -e; for d in 'my db' \"o'dd ü\" "
             "long_name_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa1; do "
             "gsql -d postgres -X -v ON_ERROR_STOP=1 -c \"CREATE DATABASE \\\"$d\\\"\"; done");
    /* the package's SQL tampered with (and its checksum made to match), on every node */
    up_sh_ok(
        &c, "node1", "omm",
        "set -e; t=$(mktemp -d); cd $t; tar -xzf $GPHOME/upgrade_sql.tar.gz; : > "
        "commitFlagFile; for f in upgrade_sql/*_catalog_*/*.sql; do "
        "(echo; head -c 2200000 /dev/zero | tr '\\0' 'x' | fold -w 98 | sed 's/^/--/'; echo) >> "
        "$f; done; "
        "tar -czf $GPHOME/upgrade_sql.tar.gz commitFlagFile upgrade_sql; cd $GPHOME; "
        "sha256sum upgrade_sql.tar.gz | cut -d' ' -f1 > upgrade_sql.sha256; rm -rf $t; "
        "for n in node2 node3; do scp -q upgrade_sql.tar.gz upgrade_sql.sha256 $n:$GPHOME/; "
        "done");
    dump0 = up_dump(&c, false);
    links0 = up_links(&c);

    up_expect_code(up_ctl(&c, "auto-upgrade", NULL, NULL), 0, NULL);
    cr_assert_not_null(strstr(upres.out, "Catalog upgrade done on database my db."), "%s",
                       upres.out);
    cr_assert_not_null(strstr(upres.out, "Catalog upgrade done on database o'dd ü."), "%s",
                       upres.out);
    up_assert_version(&c, "3.0.0");
    for (size_t i = 0; i < c.n_nodes; i++)
        up_sh_ok(&c, c.nodes[i].name, "omm",
                 "cd $PGHOST/binary_upgrade && test ! -e commitFlagFile && test ! -e upgrade_sql "
                 "&& ! ls *.sql 2>/dev/null");
    up_expect_code(up_ctl(&c, "auto-rollback", NULL, NULL), 2, NULL);
    up_assert_version(&c, "2.0.0");
    up_assert_normal(&c);
    up_expect_unchanged(&c, dump0, links0, "a rollback with a hostile SQL package");
    free(dump0);
    free(links0);
}

/* The catalog SQL on many databases at once (--parallel, ogup's extension;
 * openGauss runs them one by one: UpgradeUtility.py v5.0.0 :2727-2741): 6
 * databases, one of which fails its first catalog update (a trigger on
 * og_catalog.catalog_version raises once: its sequence is not rolled back
 * with the transaction): the upgrade fails with GAUSS-51300 naming it;
 * every database printed as done is in the journal's ogup_catalog_done and
 * the failed one is not; the same command then resumes and runs the SQL
 * only on the databases not done -- none twice -- and every database ends
 * at 3.0.0's catalog. */
Test(upgrade, parallel_catalog_failure_and_resume)
{
    struct sim_cluster c;
    char *first = NULL, *done = NULL;
    int k = 0;

    up_cluster(&c, name, "2.0.0", 1);
    up_prepare(&c, "3.0.0");
    up_sh_ok(
        &c, "node1", "omm",
        "set -e; for d in $(seq -f 'many%02g' 1 6); do gsql -d postgres -X -q -v "
        "ON_ERROR_STOP=1 -c \"CREATE DATABASE $d STRATEGY file_copy\"; done; gsql -d many04 "
        "-X -q -v "
        "ON_ERROR_STOP=1 -c 'CREATE SEQUENCE fail_once' -c 'CREATE FUNCTION fail_once() "
        "RETURNS trigger LANGUAGE plpgsql AS $f$BEGIN IF nextval($q$public.fail_once$q$) = 1 THEN "
        "RAISE EXCEPTION $q$refused once$q$; END IF; RETURN NEW; END$f$' -c 'CREATE TRIGGER "
        "fail_once BEFORE UPDATE ON og_catalog.catalog_version FOR EACH ROW EXECUTE "
        "FUNCTION fail_once()'");

    up_expect_code(up_ctl(&c, "auto-upgrade", "--parallel 3", NULL), 1, "GAUSS-51300");
    cr_assert_not_null(strstr(upres.err, "many04"), "%s", upres.err);
    first = strdup(upres.out);
    up_sh_ok(&c, "node1", "omm", "cat $PGHOST/binary_upgrade/ogup_catalog_done");
    done = strdup(upres.out);
    cr_assert_null(strstr(done, "upgrade many04\n"), "%s", done);
    for (const char *p = first; (p = strstr(p, "Catalog ")); p++) {
        char mode[32], db[64], line[128];
        if (sscanf(p, "Catalog %31s done on database %63[^.].", mode, db) != 2)
            continue;
        snprintf(line, sizeof(line), "%s %s\n", mode, db);
        cr_assert_not_null(strstr(done, line), "printed as done, not recorded: %s", line);
        k++;
    }
    cr_assert_gt(k, 0, "nothing done before the failure:\n%s", first);

    up_expect_code(up_ctl(&c, "auto-upgrade", "--parallel 3", NULL), 0, NULL);
    for (const char *p = upres.out; (p = strstr(p, "Catalog ")); p++) {
        char mode[32], db[64], line[128];
        if (sscanf(p, "Catalog %31s done on database %63[^.].", mode, db) != 2)
            continue;
        snprintf(line, sizeof(line), "%s %s\n", mode, db);
        cr_assert_null(strstr(done, line), "run again after it was recorded: %s", line);
    }
    cr_assert_not_null(strstr(upres.out, "Catalog upgrade done on database many04."), "%s",
                       upres.out);
    up_assert_version(&c, "3.0.0");
    up_sh_ok(&c, "node1", "omm",
             "for d in $(seq -f 'many%02g' 1 6) postgres db1; do gsql -d $d -X -A -t -c "
             "'SELECT num FROM og_catalog.catalog_version'; done | sort | uniq -c");
    cr_assert_not_null(strstr(upres.out, "8 92605"), "%s", upres.out);
    free(first);
    free(done);
}
