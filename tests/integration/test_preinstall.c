/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * gs_preinstall on a real 3-node LXC cluster (2.0.0) with the 3.0.0 package,
 * as the upgrade guide runs it (2.3 steps 3-5: root on node1 unpacks the
 * -all bundle and the OM tarball, then `./gs_preinstall -U omm -G dbgrp -X`
 * from script/): the new app beside the running one on every node, $GPHOME
 * holding the new package and tools, the env file kept and updated, the
 * cluster still Normal. Bad input changes nothing on any node; a re-run
 * changes nothing either.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "command.h"
#include "fs.h"
#include "simcluster.h"

#define NEW_COMMIT "02c14696"
#define OLD_COMMIT "78689da9"
#define PKG_DIR    "/tmp/gaussdb_upgrade"
#define XML        "/home/omm/clusterconfig.xml"
/* what gs_preinstall changes on no node but its own, and there only in a
 * real run: root's /etc/profile (openGauss edits it on every host, and
 * /etc/hosts); a refused run changes none of it */
#define SYSFILES                                                                                   \
    "md5sum /etc/hosts /etc/profile /etc/passwd /etc/group; ls -A /root/.ssh 2>/dev/null || :"

static char name[32];
static struct command_result res;

static void setup(void)
{
    snprintf(name, sizeof(name), "pi%d", (int)(getpid() % 10000));
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

static int host(const char *const *argv)
{
    _cleanup_command_ struct command *c = command_new(argv);
    struct og_error err = {0};

    command_result_done(&res);
    command_set_timeout_ms(c, 120000);
    cr_assert_eq(command_run(c, &res, &err), 0, "%s", err.detail);
    return res.exit_status;
}

static int node(const struct sim_cluster *c, const char *n, const char *user,
                const char *const *argv)
{
    struct og_error err = {0};

    command_result_done(&res);
    cr_assert_eq(sim_exec(c, n, user, argv, 300000, &res, &err), 0, "%s", err.detail);
    return res.exit_status;
}

static int sh(const struct sim_cluster *c, const char *n, const char *user, const char *script)
{
    const char *a[] = {"bash", "-c", script, NULL};
    return node(c, n, user, a);
}

/* What preinstall may change on a node, by content (no times): every entry
 * of the install root except the data, log, socket and core dirs, with type,
 * mode, owner and link target; the md5 of every file; the env file. */
static char *fingerprint(const struct sim_cluster *c, const char *n)
{
    static const char script[] =
        "cd /opt/ogsim && P='( -path ./data -o -path ./log -o -path ./tmp -o -path ./corefile )'"
        " && find . $P -prune -o -printf '%p %y %m %u:%g %l\\n' | LC_ALL=C sort"
        " && find . $P -prune -o -type f -print0 | LC_ALL=C sort -z | xargs -0 md5sum"
        " && md5sum /home/omm/.bashrc && stat -c '%U:%G %a' /home/omm/.bashrc"
        " && ls -A /home/omm | LC_ALL=C sort | tr '\\n' ' ' && " SYSFILES;
    char *fp;

    cr_assert_eq(sh(c, n, "root", script), 0, "fingerprint of %s: %s", n, res.err);
    fp = strdup(res.out);
    cr_assert_not_null(fp);
    return fp;
}

static void fingerprints(const struct sim_cluster *c, char *fp[])
{
    for (size_t i = 0; i < c->n_nodes; i++)
        fp[i] = fingerprint(c, c->nodes[i].name);
}

static void fingerprints_free(const struct sim_cluster *c, char *fp[])
{
    for (size_t i = 0; i < c->n_nodes; i++) {
        free(fp[i]);
        fp[i] = NULL;
    }
}

static void assert_unchanged(const struct sim_cluster *c, char *before[], const char *what)
{
    for (size_t i = 0; i < c->n_nodes; i++) {
        char *now = fingerprint(c, c->nodes[i].name);
        cr_assert_str_eq(now, before[i], "%s changed %s", what, c->nodes[i].name);
        free(now);
    }
}

/* ./gs_preinstall ARGS as root on node1 from the package's script/. */
static int preinstall(const struct sim_cluster *c, const char *args)
{
    char script[1024];

    snprintf(script, sizeof(script), "cd %s/script && exec ./gs_preinstall %s", PKG_DIR, args);
    return sh(c, "node1", "root", script);
}

/* A host path inside a node's own dirs (its /tmp, its install root). */
static void node_host_path(const struct sim_cluster *c, const char *n, const char *sub, char *buf,
                           size_t size)
{
    snprintf(buf, size, "%s/nodes/%s/%s", c->state_dir, n, sub);
}

/* Refused with exit_code and code (and naming what when given), nothing
 * changed on any node. */
static void expect_refused(const struct sim_cluster *c, char *before[], const char *args,
                           int exit_code, const char *code, const char *what)
{
    int rc = preinstall(c, args);

    cr_assert_eq(rc, exit_code, "%s: exit %d\n%s%s", args, rc, res.out, res.err);
    cr_assert_not_null(strstr(res.err, code), "%s: %s", args, res.err);
    if (what)
        cr_assert_not_null(strstr(res.err, what), "%s: %s", args, res.err);
    cr_assert_null(strstr(res.out, "Preinstallation succeeded."), "%s", res.out);
    assert_unchanged(c, before, args);
}

TestSuite(preinstall, .init = setup, .fini = teardown, .timeout = 900);

Test(preinstall, upgrade_package_beside_running_cluster)
{
    struct sim_up_opts o = {.name = name,
                            .nodes = 3,
                            .version = "2.0.0",
                            .databases = 1,
                            .data_mib = 256,
                            .quiet = true};
    struct og_error err = {0};
    struct sim_cluster c;
    char *f0[SIM_MAX_NODES] = {0}, *f1[SIM_MAX_NODES] = {0};
    char pkg[600], p[700], q[700], script[2048];
    long long t0 = ms(), t;

    cr_assert_eq(sim_up(&o, &c, &err), 0, "%s", err.detail);
    cr_log_info("3-node 2.0.0 up: %lld ms", ms() - t0);

    /* The 3.0.0 package where the nodes can read it (the host's paths are
     * visible read-only inside a node); unpacked as the guide says. */
    snprintf(pkg, sizeof(pkg), "%s/pkg-3.0.0", c.state_dir);
    {
        const char *a[] = {OGSIM_PATH, "package", "build", "--version",
                           "3.0.0",    "--out",   pkg,     NULL};
        cr_assert_eq(host(a), 0, "%s%s", res.out, res.err);
    }
    snprintf(script, sizeof(script),
             "mkdir -p %s && tar -xzf %s/openGauss-3.0.0-Debian-64bit-all.tar.gz -C %s && "
             "tar -xzf %s/openGauss-3.0.0-Debian-64bit-om.tar.gz -C %s && "
             "test -L %s/script/gs_preinstall && id -un",
             PKG_DIR, pkg, PKG_DIR, PKG_DIR, PKG_DIR, PKG_DIR);
    cr_assert_eq(sh(&c, "node1", "root", script), 0, "%s", res.err);
    cr_assert_str_eq(res.out, "root\n");

    fingerprints(&c, f0);
    cr_assert_not_null(strstr(f0[1], " app_" OLD_COMMIT "\n"), "%s", f0[1]);

    /* Bad input: each refused with its code, nothing changed on any node. */
    t0 = ms();
    expect_refused(&c, f0, "-U nosuchuser -G dbgrp -X " XML, 1, "[GAUSS-50300]", NULL);
    expect_refused(&c, f0, "-U omm -G nosuchgroup -X " XML, 1, "[GAUSS-50316]", NULL);
    expect_refused(&c, f0, "-U omm -G daemon -X " XML, 1, "[GAUSS-50305]", NULL);
    expect_refused(&c, f0, "-U omm -G root -X " XML, 1, "[GAUSS-50301]", NULL);
    expect_refused(&c, f0, "-U root -G dbgrp -X " XML, 1, "[GAUSS-50301]", NULL);
    expect_refused(&c, f0, "-U omm -X " XML, 1, "[GAUSS-50001]", NULL);
    expect_refused(&c, f0, "-U omm -G dbgrp -X " XML " --bogus", 1, "[GAUSS-50000]", NULL);
    /* gs_preinstall:155 (a blank: PATH_CHECK_LIST), :252-261, :289-294 */
    expect_refused(&c, f0, "-U 'omm x' -G dbgrp -X " XML, 1, "[GAUSS-50219]", "omm x");
    expect_refused(&c, f0, "-U omm -G dbgrp -X " XML " --env-var='A=$(id)'", 1, "[GAUSS-50004]",
                   "--env-var");
    expect_refused(&c, f0, "-U omm -G dbgrp -X " XML " --sep-env-file=/home/omm", 1,
                   "[GAUSS-50004]", "reserved home directory");
    /* only root (gs_preinstall:517), -V included */
    cr_assert_eq(sh(&c, "node1", "omm", "cd " PKG_DIR "/script && exec ./gs_preinstall -V"), 1,
                 "%s%s", res.out, res.err);
    cr_assert_not_null(strstr(res.err, "[GAUSS-50104]"), "%s", res.err);
    /* malformed XML */
    node_host_path(&c, "node1", "tmp/bad.xml", p, sizeof(p));
    cr_assert_eq(fs_replace_file(p, "<ROOT><CLUSTER>\n", 16, 0644, &err), 0, "%s", err.detail);
    expect_refused(&c, f0, "-U omm -G dbgrp -X /tmp/bad.xml", 1, "[OGUP-60060]", NULL);
    /* a tampered server package, then a tampered upgrade_sql.tar.gz */
    {
        static const char *const members[] = {"openGauss-3.0.0-Debian-64bit.tar.bz2",
                                              "upgrade_sql.tar.gz"};
        for (size_t i = 0; i < 2; i++) {
            char sub[256];
            FILE *f;
            snprintf(sub, sizeof(sub), "tmp/gaussdb_upgrade/%s", members[i]);
            node_host_path(&c, "node1", sub, p, sizeof(p));
            snprintf(q, sizeof(q), "%s.orig", p);
            const char *cp[] = {"cp", "-a", p, q, NULL};
            cr_assert_eq(host(cp), 0, "%s", res.err);
            f = fopen(p, "ab");
            cr_assert_not_null(f);
            fputs("tampered", f);
            fclose(f);
            expect_refused(&c, f0, "-U omm -G dbgrp -X " XML, 1, "[GAUSS-51635]", NULL);
            cr_assert_eq(rename(q, p), 0);
        }
    }
    /* $GAUSSHOME a real directory on node2 (a remote node): refused before
     * anything changes anywhere, node1 included. */
    {
        char *mod[SIM_MAX_NODES] = {0};
        node_host_path(&c, "node2", "install/app", p, sizeof(p));
        snprintf(q, sizeof(q), "%s.keep", p);
        cr_assert_eq(rename(p, q), 0);
        cr_assert_eq(mkdir(p, 0755), 0);
        fingerprints(&c, mod);
        expect_refused(&c, mod, "-U omm -G dbgrp -X " XML, 1, "[GAUSS-50200]", "node2");
        cr_assert_eq(rmdir(p), 0);
        cr_assert_eq(rename(q, p), 0);
        fingerprints_free(&c, mod);
        assert_unchanged(&c, f0, "restoring $GAUSSHOME");
    }
    cr_log_info("15 refusals: %lld ms", ms() - t0);

    /* node2's env file lost its GPHOME line and carries one of the user's
     * own: preinstall must put GPHOME back and keep the rest. */
    cr_assert_eq(sh(&c, "node2", "root",
                    "sed -i '/^export GPHOME=/d' /home/omm/.bashrc && "
                    "echo 'export OGUP_TEST_KEEP=kept' >> /home/omm/.bashrc && "
                    "chown root:root /home/omm/.bashrc"),
                 0, "%s", res.err);

    /* The real run. */
    t0 = ms();
    cr_assert_eq(preinstall(&c, "-U omm -G dbgrp -X " XML), 0, "%s%s", res.out, res.err);
    t = ms() - t0;
    cr_log_info("gs_preinstall, 3 nodes: %lld ms", t);
    cr_assert_str_eq(res.out, "Parsing the configuration file.\n"
                              "Successfully parsed the configuration file.\n"
                              "Installing the tools on the local node.\n"
                              "Successfully installed the tools on the local node.\n"
                              "Distributing package.\n"
                              "Successfully distributed package.\n"
                              "Creating cluster's path.\n"
                              "Successfully created cluster's path.\n"
                              "Setting user environmental variables.\n"
                              "Successfully set user environmental variables.\n"
                              "Preinstallation succeeded.\n");

    for (size_t i = 0; i < c.n_nodes; i++) {
        const char *n = c.nodes[i].name;
        /* the new app's directory beside the old one, empty (the upgrade installs
         * into it at its step 4, as openGauss's prepareInstallPath), the user's;
         * $GAUSSHOME untouched */
        cr_assert_eq(sh(&c, n, "root",
                        "cd /opt/ogsim && test -d app_" NEW_COMMIT " && "
                        "ls -A app_" NEW_COMMIT " | wc -l && readlink app && "
                        "stat -c '%U %a' app_" NEW_COMMIT " && "
                        "head -1 tool/version.cfg && ls tool && ls -d app* | tr '\\n' ' '"),
                     0, "%s: %s", n, res.err);
        cr_assert(strncmp(res.out, "0\napp_" OLD_COMMIT "\nomm 750\nopenGauss-3.0.0\n",
                          strlen("0\napp_" OLD_COMMIT "\nomm 750\nopenGauss-3.0.0\n")) == 0,
                  "%s: %s", n, res.out);
        cr_assert_not_null(strstr(res.out, "openGauss-3.0.0-Debian-64bit.tar.bz2\n"), "%s",
                           res.out);
        cr_assert_not_null(strstr(res.out, "openGauss-3.0.0-Debian-64bit.sha256\n"), "%s", res.out);
        cr_assert_not_null(strstr(res.out, "openGauss-3.0.0-Debian-64bit-om.tar.gz\n"), "%s",
                           res.out);
        cr_assert_not_null(strstr(res.out, "upgrade_sql.tar.gz\n"), "%s", res.out);
        cr_assert_not_null(strstr(res.out, "\napp app_" NEW_COMMIT " app_" OLD_COMMIT " "),
                           "%s: no leftovers expected: %s", n, res.out);
        /* the env file sources cleanly, names $GPHOME, is the user's */
        cr_assert_eq(sh(&c, n, "omm",
                        "exec env -i HOME=/home/omm PATH=/usr/bin:/bin bash -c 'set -eu; "
                        ". ~/.bashrc; echo \"$GPHOME\"; command -v gs_preinstall; "
                        "stat -c %U:%G ~/.bashrc'"),
                     0, "%s: %s", n, res.err);
        cr_assert_str_eq(res.out,
                         "/opt/ogsim/tool\n/opt/ogsim/tool/script/gs_preinstall\n"
                         "omm:dbgrp\n",
                         "%s", n);
        cr_assert_str_eq(res.err, "");
        {
            const char *v[] = {"env", "-i", "HOME=/home/omm", "bash", "-lc", "gs_om -V", NULL};
            cr_assert_eq(node(&c, n, "omm", v), 0, "%s", res.err);
            cr_assert_not_null(strstr(res.out, "gs_om (openGauss OM 3.0.0 build " NEW_COMMIT ")"),
                               "%s: %s", n, res.out);
        }
    }
    /* root's login shell on node1 finds the tools (the guide's 2.2.5 runs
     * gs_checkos -i A as root) */
    cr_assert_eq(sh(&c, "node1", "root",
                    "exec env -i HOME=/root PATH=/usr/bin:/bin bash -lc "
                    "'echo \"$GPHOME\"; command -v gs_checkos; command -v gs_om'"),
                 0, "%s%s", res.out, res.err);
    cr_assert_str_eq(res.out, "/opt/ogsim/tool\n/opt/ogsim/tool/script/gs_checkos\n"
                              "/opt/ogsim/tool/script/gs_om\n");
    /* one GPHOME line, the install's replaced in place (not a second one) */
    cr_assert_eq(sh(&c, "node1", "root", "grep -c '^export GPHOME=' /etc/profile"), 0, "%s",
                 res.out);
    cr_assert_str_eq(res.out, "1\n");
    /* node2's own line is kept; nodes 1 and 3 had nothing to change */
    cr_assert_eq(sh(&c, "node2", "root",
                    "grep -c -e '^export OGUP_TEST_KEEP=kept$' "
                    "-e '^export GPHOME=/opt/ogsim/tool$' /home/omm/.bashrc"),
                 0, "%s", res.err);
    cr_assert_str_eq(res.out, "2\n");
    fingerprints(&c, f1);
    for (size_t i = 0; i < c.n_nodes; i += 2) {
        const char *env0 = strstr(f0[i], "  /home/omm/.bashrc\n");
        char md5_line[128];
        cr_assert(env0 && env0 - f0[i] >= 32);
        /* its md5 line only: node1's /etc/profile, further on, did change */
        snprintf(md5_line, sizeof(md5_line), "%.*s", 32 + (int)strlen("  /home/omm/.bashrc\n"),
                 env0 - 32);
        cr_assert_not_null(strstr(f1[i], md5_line), "%s: env file rewritten", c.nodes[i].name);
    }

    /* The cluster never noticed. */
    {
        const char *a[] = {"bash", "-lc", "gs_om -t status", NULL};
        cr_assert_eq(node(&c, "node3", "omm", a), 0, "%s", res.err);
        cr_assert_not_null(strstr(res.out, "cluster_state   : Normal\n"), "%s", res.out);
    }

    /* A re-run is idempotent: same steps, same content on every node. */
    t0 = ms();
    cr_assert_eq(preinstall(&c, "-U omm -G dbgrp -X " XML), 0, "%s%s", res.out, res.err);
    cr_log_info("gs_preinstall again: %lld ms", ms() - t0);
    cr_assert_not_null(strstr(res.out, "Preinstallation succeeded.\n"), "%s", res.out);
    assert_unchanged(&c, f1, "the re-run");
    /* -L: the local node only, also idempotent */
    cr_assert_eq(preinstall(&c, "-U omm -G dbgrp -X " XML " -L"), 0, "%s%s", res.out, res.err);
    cr_assert_null(strstr(res.out, "Distributing package."), "%s", res.out);
    assert_unchanged(&c, f1, "-L");
    {
        const char *a[] = {"bash", "-lc", "gs_om -t status", NULL};
        cr_assert_eq(node(&c, "node1", "omm", a), 0, "%s", res.err);
        cr_assert_not_null(strstr(res.out, "cluster_state   : Normal\n"), "%s", res.out);
    }

    /* --sep-env-file: the user's environment goes to the file, ~/.bashrc
     * names it (PreInstallUtility.py v5.0.0 :1318-1339, :1544-1646), the
     * --env-var values with it (:1516-1542, blanks stripped); the flags ogup
     * accepts and has nothing to do for change nothing else: no /etc/hosts
     * line (--skip-hostname-set), no OS setting, no prompt, no root trust. */
    char *sys0[SIM_MAX_NODES] = {0};
    for (size_t i = 0; i < c.n_nodes; i++) {
        cr_assert_eq(sh(&c, c.nodes[i].name, "root", SYSFILES), 0, "%s", res.err);
        sys0[i] = strdup(res.out);
    }
    t0 = ms();
    cr_assert_eq(preinstall(&c, "-U omm -G dbgrp -X " XML " --sep-env-file=/home/omm/ogenv"
                                " --env-var=OGUP_A=1 --env-var='OGUP_B= two ' --skip-hostname-set"
                                " --skip-os-set --non-interactive --delete-root-trust"
                                " --unused-third-party"),
                 0, "%s%s", res.out, res.err);
    cr_log_info("gs_preinstall --sep-env-file: %lld ms", ms() - t0);
    cr_assert_not_null(strstr(res.out, "Preinstallation succeeded.\n"), "%s", res.out);
    for (size_t i = 0; i < c.n_nodes; i++) {
        const char *n = c.nodes[i].name;
        /* /etc/hosts, /etc/profile, the accounts, root's ssh: as before */
        cr_assert_eq(sh(&c, n, "root", SYSFILES), 0, "%s", res.err);
        cr_assert_str_eq(res.out, sys0[i], "%s", n);
        free(sys0[i]);
        cr_assert_eq(sh(&c, n, "root",
                        "stat -c '%U:%G %a' /home/omm/ogenv && cat /home/omm/ogenv && "
                        "grep -c '^export MPPDB_ENV_SEPARATE_PATH=/home/omm/ogenv$' "
                        "/home/omm/.bashrc"),
                     0, "%s: %s", n, res.err);
        cr_assert_str_eq(res.out,
                         "omm:dbgrp 600\n"
                         "export GPHOME=/opt/ogsim/tool\n"
                         "export PATH=$GPHOME/script:$PATH\n"
                         "export MPPDB_ENV_SEPARATE_PATH=/home/omm/ogenv\n"
                         "export OGUP_A=1\n"
                         "export OGUP_B=two\n"
                         "1\n",
                         "%s", n);
        /* a login as omm names the file; sourcing it gives the environment */
        {
            const char *v[] = {"env",
                               "-i",
                               "HOME=/home/omm",
                               "bash",
                               "-lc",
                               "set -u; . \"$MPPDB_ENV_SEPARATE_PATH\"; "
                               "echo \"$GPHOME|$OGUP_A|$OGUP_B\"; command -v gs_preinstall",
                               NULL};
            cr_assert_eq(node(&c, n, "omm", v), 0, "%s: %s", n, res.err);
            cr_assert_str_eq(
                res.out, "/opt/ogsim/tool|1|two\n/opt/ogsim/tool/script/gs_preinstall\n", "%s", n);
        }
    }
    /* again, on this node only: nothing to change in either file */
    cr_assert_eq(sh(&c, "node1", "root", "md5sum /home/omm/ogenv /home/omm/.bashrc"), 0);
    {
        char *sums = strdup(res.out);
        cr_assert_not_null(sums);
        cr_assert_eq(preinstall(&c, "-U omm -G dbgrp -X " XML " -L --sep-env-file=/home/omm/ogenv"
                                    " --env-var=OGUP_A=1 --env-var=OGUP_B=two"),
                     0, "%s%s", res.out, res.err);
        cr_assert_eq(sh(&c, "node1", "root", "md5sum /home/omm/ogenv /home/omm/.bashrc"), 0);
        cr_assert_str_eq(res.out, sums);
        free(sums);
    }
    /* a broken env file is refused before anything changes (gs_preinstall:301-309) */
    cr_assert_eq(
        sh(&c, "node1", "root", "printf 'export 1A=x\\n' > /tmp/bad.env && chmod 644 /tmp/bad.env"),
        0, "%s", res.err);
    fingerprints_free(&c, f1);
    fingerprints(&c, f1);
    expect_refused(&c, f1, "-U omm -G dbgrp -X " XML " --sep-env-file=/tmp/bad.env", 1,
                   "[GAUSS-51808]", "/tmp/bad.env");
    {
        const char *a[] = {"bash", "-lc", "gs_om -t status", NULL};
        cr_assert_eq(node(&c, "node2", "omm", a), 0, "%s", res.err);
        cr_assert_not_null(strstr(res.out, "cluster_state   : Normal\n"), "%s", res.out);
    }
    fingerprints_free(&c, f0);
    fingerprints_free(&c, f1);
}
