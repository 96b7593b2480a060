/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * gs_upgradectl's pre-checks on a real 3-node simulator cluster: all pass on
 * a healthy cluster, and each one FAILS, alone and with its own code, when
 * the test breaks the condition it guards (then the test heals it). Also the
 * journal across nodes: the node-local worker puts, dumps and removes files
 * over real SSH, and the copies are reconciled (a disagreement is
 * OGUP-60090; a node missing the journal gets the agreed copy).
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "command.h"
#include <limits.h>

#include "jdist.h"
#include "simcluster.h"
#include "transport.h"

static char name[32];
static struct command_result res;

static void setup(void)
{
    snprintf(name, sizeof(name), "pc%d", (int)(getpid() % 10000));
    sim_down(name, NULL, NULL);
}

static void teardown(void)
{
    command_result_done(&res);
    sim_down(name, NULL, NULL);
}

TestSuite(precheck, .init = setup, .fini = teardown, .timeout = 900);

/* bash -lc script on a node (the user's env file sourced); exit status. */
static int sh(const struct sim_cluster *c, const char *node, const char *user, const char *script)
{
    const char *argv[] = {"bash", "-lc", script, NULL};
    struct og_error err = {0};

    command_result_done(&res);
    cr_assert_eq(sim_exec(c, node, user, argv, 120000, &res, &err), 0, "%s", err.detail);
    return res.exit_status;
}

static void sh_ok(const struct sim_cluster *c, const char *node, const char *user,
                  const char *script)
{
    cr_assert_eq(sh(c, node, user, script), 0, "%s on %s: %s %s", script, node, res.out, res.err);
}

#define PRECHECK "gs_upgradectl -t pre-check -X ~/clusterconfig.xml"

/* The ids of the failed checks, comma separated, and the code of the first. */
static void failed(const char *out, char *ids, size_t size, char *code, size_t csize)
{
    const char *p = out;

    ids[0] = code[0] = '\0';
    while ((p = strstr(p, "[FAILED] "))) {
        char id[64];
        const char *c;
        if (sscanf(p + 9, "%63s", id) == 1)
            snprintf(ids + strlen(ids), size - strlen(ids), "%s%s", ids[0] ? "," : "", id);
        c = strchr(p, '\n');
        if (c && !code[0] && sscanf(c + 1, " [%31[^]]]", code) != 1)
            code[0] = '\0';
        (void)csize;
        p += 9;
    }
}

/* Run the pre-check on node1 after prefix; it must fail with exactly the
 * checks in want_ids, the first carrying want_code. */
static void expect_fail(const struct sim_cluster *c, const char *prefix, const char *want_ids,
                        const char *want_code)
{
    char script[2048], ids[512], code[32];

    snprintf(script, sizeof(script), "%s " PRECHECK, prefix);
    cr_assert_eq(sh(c, "node1", "omm", script), 1, "pre-check after \"%s\" exited %d: %s %s",
                 prefix, res.exit_status, res.out, res.err);
    failed(res.out, ids, sizeof(ids), code, sizeof(code));
    cr_assert_str_eq(ids, want_ids, "after \"%s\":\n%s", prefix, res.out);
    cr_assert_str_eq(code, want_code, "after \"%s\":\n%s", prefix, res.out);
    cr_assert_not_null(strstr(res.out, "Failed to check pre upgrade."), "%s", res.out);
    cr_log_info("%s -> %s %s", prefix, ids, code);
}

static void expect_pass(const struct sim_cluster *c, const char *when)
{
    cr_assert_eq(sh(c, "node1", "omm", PRECHECK), 0, "%s: %s %s", when, res.out, res.err);
    cr_assert_not_null(strstr(res.out, "Successfully checked the cluster: all 16 items passed."),
                       "%s: %s", when, res.out);
}

/* A condition broken on a node, the check that must fail alone with its code,
 * and the heal. */
struct breakage {
    const char *node, *user, *broken, *ids, *code, *heal;
};

static const struct breakage checkupgrade_cases[] = {
    /* personal data in node2's old app: over 2000M besides pg_plugin */
    {"node2", "omm", "fallocate -l 2100M $GAUSSHOME/personal.dat", "app-size", "GAUSS-50401",
     "rm -f $GAUSSHOME/personal.dat"},
    /* node3's backup directory on a 64M filesystem */
    {"node3", "root",
     "mkdir -p /opt/ogsim/tmp/binary_upgrade && mount -t tmpfs -o "
     "size=64m,mode=0700,uid=$(id -u omm) tmpfs /opt/ogsim/tmp/binary_upgrade",
     "backup-space", "GAUSS-50400",
     "umount /opt/ogsim/tmp/binary_upgrade && rmdir /opt/ogsim/tmp/binary_upgrade"},
    /* node2's data directory takes no new file */
    {"node2", "omm", "chmod u-w /opt/ogsim/data/dn1", "datadir-writable", "GAUSS-50205",
     "chmod u+w /opt/ogsim/data/dn1"},
};

Test(precheck, each_check_fails_for_its_own_reason)
{
    struct sim_up_opts o = {.name = name,
                            .nodes = 3,
                            .version = "2.0.0",
                            .databases = 1,
                            .data_mib = 256,
                            .quiet = true};
    struct og_error err = {0};
    struct sim_cluster c;
    char script[2048];

    cr_assert_eq(sim_up(&o, &c, &err), 0, "%s", err.detail);
    expect_pass(&c, "healthy cluster");

    /* not as root: openGauss's checkUser, before anything else */
    cr_assert_eq(sh(&c, "node1", "root",
                    "/opt/ogsim/tool/script/gs_upgradectl -t pre-check -X "
                    "/home/omm/clusterconfig.xml"),
                 1);
    cr_assert_not_null(strstr(res.err, "[GAUSS-50105]"), "%s", res.err);

    /* the environment */
    cr_assert_eq(sh(&c, "node1", "omm", "unset GAUSSHOME; " PRECHECK), 1);
    cr_assert_not_null(strstr(res.err, "[GAUSS-51800]"), "%s", res.err);

    /* another task holds the cluster lock */
    snprintf(script, sizeof(script),
             "%s hold-lock $PGHOST/.ogup_upgrade_lock 60000 > ~/h.out & hp=$!; "
             "for i in $(seq 100); do grep -q locked ~/h.out && break; sleep 0.1; done; ",
             UTIL_HELPER_PATH);
    snprintf(script + strlen(script), sizeof(script) - strlen(script),
             "%s; rc=$?; kill $hp; wait $hp; rm -f ~/h.out; exit $rc", PRECHECK);
    expect_fail(&c, script, "cluster-lock", "GAUSS-52936");
    expect_pass(&c, "lock released");

    /* the XML differs from the installed cluster (a port) */
    sh_ok(&c, "node1", "omm",
          "sed 's/\"dataPortBase\" value=\"[0-9]*\"/\"dataPortBase\" value=\"16400\"/' "
          "~/clusterconfig.xml > ~/changed.xml");
    cr_assert_eq(sh(&c, "node1", "omm", "gs_upgradectl -t pre-check -X ~/changed.xml"), 1);
    {
        char ids[512], code[32];
        failed(res.out, ids, sizeof(ids), code, sizeof(code));
        cr_assert_str_eq(ids, "static-config", "%s", res.out);
        cr_assert_str_eq(code, "GAUSS-51217", "%s", res.out);
    }

    /* SSH trust between two other nodes: node2's key removed from node3
     * (node1, where the upgrader runs, still reaches every node) */
    sh_ok(&c, "node3", "omm",
          "cp ~/.ssh/authorized_keys ~/ak.bak && "
          "grep -v ' node2$' ~/ak.bak > ~/.ssh/authorized_keys");
    expect_fail(&c, "", "ssh-trust", "GAUSS-51100");
    cr_assert_not_null(strstr(res.out, "node2->node3 (omm@node3: Permission denied"), "%s",
                       res.out);
    sh_ok(&c, "node3", "omm", "cp ~/ak.bak ~/.ssh/authorized_keys");

    /* SSH trust: node3's host key changed in node2's known_hosts */
    sh_ok(&c, "node2", "omm",
          "cp ~/.ssh/known_hosts ~/kh.bak && ssh-keygen -q -t ed25519 -N '' -f ~/fake && "
          "grep -v '^node3,' ~/kh.bak > ~/.ssh/known_hosts && "
          "echo \"node3,$(getent hosts node3 | cut -d' ' -f1) $(cut -d' ' -f1,2 ~/fake.pub)\" "
          ">> ~/.ssh/known_hosts");
    expect_fail(&c, "", "ssh-trust", "GAUSS-51100");
    cr_assert_not_null(strstr(res.out, "node2->node3"), "%s", res.out);
    sh_ok(&c, "node2", "omm", "cp ~/kh.bak ~/.ssh/known_hosts; rm -f ~/fake ~/fake.pub");

    /* disk usage over 80% on node2's data filesystem */
    sh_ok(&c, "node2", "omm",
          "fallocate -l $(( $(stat -f -c '%a*%S-%b*%S*15/100' /opt/ogsim/data) )) "
          "/opt/ogsim/data/ballast");
    expect_fail(&c, "", "disk-usage", "GAUSS-52922");
    sh_ok(&c, "node2", "omm", "rm -f /opt/ogsim/data/ballast");

    /* enable_stream_replication off on node3 */
    sh_ok(&c, "node3", "omm",
          "gs_guc reload -D /opt/ogsim/data/dn1 -c "
          "'enable_stream_replication=off'");
    expect_fail(&c, "", "stream-replication", "OGUP-60052");
    sh_ok(&c, "node3", "omm",
          "gs_guc reload -D /opt/ogsim/data/dn1 -c "
          "'enable_stream_replication=on'");

    /* Kerberos configured on node3 */
    sh_ok(&c, "node3", "omm", "mkdir -p ~/auth_config && touch ~/auth_config/mppdb-site.xml");
    expect_fail(&c, "", "kerberos", "GAUSS-50200");
    sh_ok(&c, "node3", "omm", "rm -rf ~/auth_config");

    /* the OM tools of another package than the installed kernel (node2) */
    sh_ok(&c, "node2", "omm",
          "cp $GPHOME/version.cfg ~/v.bak && "
          "sed -i '3s/.*/0badc0de/' $GPHOME/version.cfg");
    expect_fail(&c, "", "om-kernel", "GAUSS-52929");
    sh_ok(&c, "node2", "omm", "cp ~/v.bak $GPHOME/version.cfg");

    /* a tampered package in $GPHOME (node3) */
    sh_ok(&c, "node3", "omm",
          "cp $GPHOME/upgrade_sql.tar.gz ~/sql.bak && "
          "echo x >> $GPHOME/upgrade_sql.tar.gz");
    expect_fail(&c, "", "package-sha256", "GAUSS-51635");
    sh_ok(&c, "node3", "omm", "cp ~/sql.bak $GPHOME/upgrade_sql.tar.gz");

    /* a frozen GUC differs between nodes (node3 restarted with another
     * max_connections: a standby may have more than its primary) */
    sh_ok(&c, "node3", "omm",
          "gsql -d postgres -X -tA -c 'SHOW max_connections' > ~/mc.bak && "
          "gs_guc set -D /opt/ogsim/data/dn1 -c 'max_connections=333' && "
          "gs_ctl restart -D /opt/ogsim/data/dn1 -M standby >/dev/null");
    expect_fail(&c, "", "frozen-gucs", "OGUP-60051");
    cr_assert_not_null(strstr(res.out, "max_connections"), "%s", res.out);
    sh_ok(&c, "node3", "omm",
          "gs_guc set -D /opt/ogsim/data/dn1 -c \"max_connections=$(cat ~/mc.bak)\" && "
          "gs_ctl restart -D /opt/ogsim/data/dn1 -M standby >/dev/null");
    /* openGauss's CheckUpgrade, per node (CheckUpgrade.py v5.0.0) */
    for (size_t i = 0; i < ELEMENTSOF(checkupgrade_cases); i++) {
        const struct breakage *b = &checkupgrade_cases[i];
        sh_ok(&c, b->node, b->user, b->broken);
        expect_fail(&c, "", b->ids, b->code);
        sh_ok(&c, b->node, b->user, b->heal);
    }

    /* $GAUSSHOME a copy of the app, not a link: the upgrade refuses (choseStrategy) */
    cr_assert_eq(sh(&c, "node1", "omm",
                    "mv /opt/ogsim/app /opt/ogsim/app.link && "
                    "cp -a /opt/ogsim/app.link/. /opt/ogsim/app/ && "
                    "gs_upgradectl -t chose-strategy; rc=$?; rm -rf /opt/ogsim/app; "
                    "mv /opt/ogsim/app.link /opt/ogsim/app; exit $rc"),
                 1, "%s %s", res.out, res.err);
    cr_assert_not_null(strstr(res.out, "GAUSS-52915") ? res.out : strstr(res.err, "GAUSS-52915"),
                       "%s %s", res.out, res.err);
    expect_pass(&c, "every condition healed");

    /* a stopped standby: cluster_state Degraded, and not streaming */
    sh_ok(&c, "node3", "omm", "gs_ctl stop -D /opt/ogsim/data/dn1 >/dev/null");
    expect_fail(&c, "", "cluster-state,stream-replication,frozen-gucs,standby-replay",
                "GAUSS-51601");
    cr_assert_not_null(strstr(res.out, "Degraded"), "%s", res.out);
    cr_assert_not_null(strstr(res.out, "[OGUP-60053]"), "%s", res.out);
}

/* The journal across nodes over real SSH (host -> nodes, host keys checked,
 * the nodes' own worker): put, dump, reconcile, repair, disagreement, rm. */
Test(precheck, journal_on_every_node)
{
    struct sim_up_opts o = {.name = name,
                            .nodes = 3,
                            .version = "2.0.0",
                            .databases = 1,
                            .data_mib = 256,
                            .quiet = true};
    struct og_error err = {0};
    struct sim_cluster c;
    _cleanup_transport_ struct transport *t = NULL;
    char key[PATH_MAX + 32], kh[PATH_MAX + 32], worker[PATH_MAX + 32], dir[PATH_MAX + 32];
    char path[PATH_MAX + 64];
    const char *nodes[] = {"node1", "node2", "node3"};
    struct journal_view v;
    struct worker w;

    cr_assert_eq(sim_up(&o, &c, &err), 0, "%s", err.detail);
    snprintf(key, sizeof(key), "%s/ssh/id_ed25519", c.state_dir);
    snprintf(kh, sizeof(kh), "%s/ssh/known_hosts", c.state_dir);
    struct transport_opts to = {
        .user = "omm", .key_file = key, .known_hosts = kh, .local_mode = TRANSPORT_LOCAL_NEVER};
    cr_assert_eq(transport_new(&to, &t, &err), 0, "%s", err.detail);
    for (size_t i = 0; i < c.n_nodes; i++)
        cr_assert_eq(transport_add_node(t, c.nodes[i].name, c.nodes[i].ip, 22, &err), 0);
    snprintf(worker, sizeof(worker), "%s/script/gs_upgradectl", c.tool_path);
    snprintf(dir, sizeof(dir), "%s/binary_upgrade", c.tmp_path);
    w = (struct worker){.t = t, .path = worker};

    /* no node has a journal */
    cr_assert_eq(jdist_reconcile(&w, nodes, 3, dir, c.state_dir, true, &v, &err), 0, "%s",
                 err.detail);
    cr_assert(!v.present);

    /* the same step record on node1 and node2, none on node3 */
    snprintf(path, sizeof(path), "%s/upgrade_step.dat", dir);
    {
        const char *put[] = {"put", path, "0600", NULL};
        const char *text = "inplace-binary-upgrade:3\n";
        cr_assert_eq(worker_run_all(&w, nodes, 2, put, text, strlen(text), NULL, &err), 0, "%s",
                     err.detail);
    }
    cr_assert_eq(jdist_reconcile(&w, nodes, 3, dir, c.state_dir, true, &v, &err), 0, "%s",
                 err.detail);
    cr_assert(v.present && v.has_dat);
    cr_assert_eq(v.dat.step, 3);
    /* repaired: node3 now holds the same file, mode 0600 */
    cr_assert_eq(sh(&c, "node3", "omm",
                    "stat -c %a /opt/ogsim/tmp/binary_upgrade/upgrade_step.dat && "
                    "cat /opt/ogsim/tmp/binary_upgrade/upgrade_step.dat"),
                 0, "%s", res.err);
    cr_assert_str_eq(res.out, "600\ninplace-binary-upgrade:3\n");

    /* node2 disagrees: a coded error naming both, never a silent pick */
    {
        const char *put[] = {"put", path, "0600", NULL};
        const char *text = "inplace-binary-upgrade:4\n";
        cr_assert_eq(worker_run_all(&w, nodes + 1, 1, put, text, strlen(text), NULL, &err), 0);
    }
    cr_assert_eq(jdist_reconcile(&w, nodes, 3, dir, c.state_dir, true, &v, &err),
                 -OG_E_JOURNAL_DISAGREE);
    cr_assert_not_null(strstr(err.detail, "node2"), "%s", err.detail);

    /* a worker refusing a relative path keeps its own code, naming the node */
    {
        const char *put[] = {"put", "relative/x", "0600", NULL};
        memset(&err, 0, sizeof(err));
        cr_assert_eq(worker_run_all(&w, nodes, 1, put, "x", 1, NULL, &err), -OG_E_UNSAFE_ARG, "%s",
                     err.detail);
        cr_assert_not_null(strstr(err.detail, "node1"), "%s", err.detail);
    }

    /* removed everywhere */
    cr_assert_eq(jdist_remove(&w, nodes, 3, dir, NULL, &err), 0, "%s", err.detail);
    for (size_t i = 0; i < 3; i++)
        cr_assert_neq(sh(&c, nodes[i], "omm", "test -e /opt/ogsim/tmp/binary_upgrade"), 0);
}
