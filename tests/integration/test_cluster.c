/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * Cluster simulator integration test on real libvirt LXC nodes: up from
 * nothing, SSH trust with host keys checked, replication, status, snapshot
 * and restore, and a down that leaves nothing behind.
 */
#include <criterion/criterion.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "command.h"
#include "fs.h"
#include "simcluster.h"
#include "transport.h"
#include <json-c/json.h>

static char name[32];
static struct command_result res;

static void setup(void)
{
    snprintf(name, sizeof(name), "it%d", (int)(getpid() % 10000));
    sim_down(name, NULL, NULL); /* a crashed earlier run is harmless */
}

static void teardown(void)
{
    char state[96];
    _cleanup_command_ struct command *stop = NULL, *rm = NULL;

    /* Also after a failure: no workload left running, no state left over. */
    snprintf(state, sizeof(state), "/tmp/ogsim-wl-%s", name);
    stop = command_newl(OGSIM_PATH, "workload", "stop", "--state-dir", state, NULL);
    rm = command_newl("rm", "-rf", state, NULL);
    command_result_done(&res);
    if (stop && access(state, F_OK) == 0)
        command_run(stop, &res, NULL);
    command_result_done(&res);
    if (rm)
        command_run(rm, &res, NULL);
    command_result_done(&res);
    sim_down(name, NULL, NULL);
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
    command_set_timeout_ms(c, 60000);
    cr_assert_eq(command_run(c, &res, &err), 0, "%s", err.detail);
    return res.exit_status;
}

/* ssh from the host as user@ip with the harness key, in batch mode with
 * strict host key checking against khopt ("UserKnownHostsFile=..."). */
static int host_ssh(const char *key, const char *khopt, const char *user, const char *ip,
                    const char *cmd)
{
    char dest[96];
    const char *a[] = {"ssh",
                       "-i",
                       key,
                       "-o",
                       khopt,
                       "-o",
                       "StrictHostKeyChecking=yes",
                       "-o",
                       "BatchMode=yes",
                       "-o",
                       "ConnectTimeout=5",
                       dest,
                       cmd,
                       NULL};

    snprintf(dest, sizeof(dest), "%s@%s", user, ip);
    return host(a);
}

static int node(const struct sim_cluster *c, const char *n, const char *user,
                const char *const *argv)
{
    struct og_error err = {0};

    command_result_done(&res);
    cr_assert_eq(sim_exec(c, n, user, argv, 60000, &res, &err), 0, "%s", err.detail);
    return res.exit_status;
}

static const char *sql(const struct sim_cluster *c, const char *n, const char *db, const char *q)
{
    static char out[4096];
    char bin[600];
    const char *a[] = {bin, "-X", "-q", "-tA", "-d", db, "-c", q, NULL};

    snprintf(bin, sizeof(bin), "%s/bin/gsql", c->app_path);
    cr_assert_eq(node(c, n, "omm", a), 0, "%s: %s", q, res.err);
    snprintf(out, sizeof(out), "%s", res.out);
    out[strcspn(out, "\n")] = '\0';
    return out;
}

/* ogsim workload ... for this cluster; the result in res. */
static int workload(const struct sim_cluster *c, const char *verb, const char *extra)
{
    char hosts[256], port[16], state[96];
    const char *argv[24];
    size_t n = 0;

    sim_hosts_csv(c, hosts, sizeof(hosts));
    snprintf(port, sizeof(port), "%d", c->port);
    snprintf(state, sizeof(state), "/tmp/ogsim-wl-%s", name);
    argv[n++] = OGSIM_PATH;
    argv[n++] = "workload";
    argv[n++] = verb;
    argv[n++] = "--state-dir";
    argv[n++] = state;
    if (strcmp(verb, "stop") != 0) {
        argv[n++] = "--hosts";
        argv[n++] = hosts;
        argv[n++] = "--port";
        argv[n++] = port;
    }
    if (extra)
        argv[n++] = extra;
    argv[n] = NULL;
    return host(argv);
}

static json_object *check_json(const struct sim_cluster *c, int *rc)
{
    json_object *o;

    *rc = workload(c, "check", "--json");
    o = json_tokener_parse(res.out);
    cr_assert_not_null(o, "check --json printed: %s %s", res.out, res.err);
    return o;
}

static json_object *node_entry(json_object *o, const char *ip)
{
    json_object *nodes, *n, *h;

    cr_assert(json_object_object_get_ex(o, "nodes", &nodes));
    for (size_t i = 0; i < json_object_array_length(nodes); i++) {
        n = json_object_array_get_idx(nodes, i);
        if (json_object_object_get_ex(n, "host", &h) && strcmp(json_object_get_string(h), ip) == 0)
            return n;
    }
    cr_assert_fail("node %s missing from check", ip);
    return NULL;
}

static int64_t jget(json_object *o, const char *a, const char *b)
{
    json_object *x, *y;

    cr_assert(json_object_object_get_ex(o, a, &x), "no %s", a);
    if (!b)
        return json_object_get_int64(x);
    cr_assert(json_object_object_get_ex(x, b, &y), "no %s.%s", a, b);
    return json_object_get_int64(y);
}

static bool contains_file(const char *path, const char *needle)
{
    _cleanup_free_ char *text = NULL;

    return fs_read_file(path, 1 << 22, &text, NULL, NULL) == 0 && strstr(text, needle);
}

TestSuite(cluster, .init = setup, .fini = teardown, .timeout = 600);

/* gs_om's other actions on the running cluster (openGauss-OM v5.0.0
 * DbClusterInfo.py queryNodeInfo :1093-1205, printStaticConfig :1207-1277,
 * OmImplOLAP.py doStart/doStop :209-349, doRefreshConf :377-397,
 * OmImpl.py doRebuildConf :313-395) */
static void gs_om_actions(const struct sim_cluster *c)
{
    const char *all[] = {"bash", "-lc", "gs_om -t status --all -o /tmp/ogup-st/all.txt", NULL};
    const char *one[] = {"bash", "-lc", "gs_om -t status -h node2", NULL};
    const char *bad[] = {"bash", "-lc", "gs_om -t status -h nodeX", NULL};
    const char *view[] = {"bash", "-lc", "gs_om -t view", NULL};
    /* --dynamic: the OM tools from 3.0.1 on (PP v3.0.1); this cluster's are
     * 2.0.0's, so the same program as a 5.0.0 package's tool */
    const char *dyn[] = {"bash", "-lc", "gs_om -t view --dynamic", NULL};
    const char *dyn5[] = {
        "bash", "-lc",
        "mkdir -p /tmp/om5/script && cp $GPHOME/script/gs_om /tmp/om5/script/ && "
        "printf 'openGauss-5.0.0\\n92.848\\na07d57c3\\n' >/tmp/om5/version.cfg && "
        "/tmp/om5/script/gs_om -t view --dynamic",
        NULL};
    const char *ref[] = {"bash", "-lc",
                         "gs_om -t refreshconf && /tmp/om5/script/gs_om -t view --dynamic", NULL};
    const char *cat[] = {"cat", "/tmp/ogup-st/all.txt", NULL};
    const char *gen[] = {"bash", "-lc",
                         "gs_om -t generateconf -X ~/clusterconfig.xml && "
                         "cmp $GPHOME/script/static_config_files/cluster_static_config_node2 "
                         "$GAUSSHOME/bin/cluster_static_config",
                         NULL};
    const char *node3[] = {"bash", "-lc",
                           "gs_om -t stop -h node3 -m i && gs_om -t status && "
                           "gs_om -t start -h node3",
                           NULL};

    cr_assert_eq(node(c, "node1", "omm", all), 0, "%s", res.err);
    cr_assert_not_null(strstr(res.out, "cluster_state             : Normal\n"), "%s", res.out);
    cr_assert_not_null(strstr(res.out, "node_name                 : node3\n"), "%s", res.out);
    cr_assert_not_null(strstr(res.out, "instance_role             : Primary\n"), "%s", res.out);
    cr_assert_not_null(strstr(res.out, "sender_replay_location    : "), "%s", res.out);
    cr_assert_not_null(strstr(res.out, "sync_state                : "), "%s", res.out);
    {
        _cleanup_free_ char *printed = strdup(res.out);
        cr_assert_eq(node(c, "node1", "omm", cat), 0, "%s", res.err);
        cr_assert_str_eq(res.out, printed); /* -o: the same text appended */
    }
    cr_assert_eq(node(c, "node1", "omm", one), 0, "%s", res.err);
    cr_assert_not_null(strstr(res.out, "node_name                 : node2\n"), "%s", res.out);
    cr_assert_null(strstr(res.out, "node_name                 : node1\n"), "%s", res.out);
    cr_assert_eq(node(c, "node1", "omm", bad), 1, "%s", res.out);
    cr_assert_not_null(strstr(res.err, "[GAUSS-51619] : The host name [nodeX] is not in the "
                                       "cluster."),
                       "%s", res.err);
    cr_assert_eq(node(c, "node2", "omm", view), 0, "%s", res.err);
    cr_assert(strncmp(res.out, "NodeHeader:\nversion:301\ntime:", 29) == 0, "%s", res.out);
    cr_assert_not_null(strstr(res.out, "nodeCount:3\nnode:2\n"), "%s", res.out);
    cr_assert_not_null(strstr(res.out, "nodeName:node1\n"), "%s", res.out);
    cr_assert_not_null(strstr(res.out, "datanodeInstanceType :primary\n"), "%s", res.out);
    cr_assert_not_null(strstr(res.out, "datanodePeer1DataPath :"), "%s", res.out);
    cr_assert_eq(node(c, "node2", "omm", dyn), 1, "%s", res.out);
    cr_assert_not_null(strstr(res.err, "[GAUSS-50000] : Unrecognized parameter: --dynamic."), "%s",
                       res.err);
    cr_assert_eq(node(c, "node2", "omm", dyn5), 1, "%s", res.out); /* before refreshconf */
    cr_assert_not_null(strstr(res.err, "[GAUSS-50201]"), "%s", res.err);
    cr_assert_eq(node(c, "node2", "omm", ref), 0, "%s", res.err);
    {
        const char *head = "Generating dynamic configuration file for all nodes.\n"
                           "Successfully generated dynamic configuration file.\nNodeHeader:\n";
        cr_assert(strncmp(res.out, head, strlen(head)) == 0, "%s", res.out);
    }
    cr_assert_not_null(strstr(res.out, "datanodeInstanceType :primary\n"), "%s", res.out);
    cr_assert_eq(node(c, "node3", "omm", gen), 0, "%s%s", res.out, res.err);
    cr_assert_not_null(strstr(res.out, "Static configuration files for all nodes are saved in "),
                       "%s", res.out);
    cr_assert_eq(node(c, "node1", "omm", node3), 0, "%s%s", res.out, res.err);
    cr_assert(strncmp(res.out, "Stopping node.\n", 15) == 0, "%s", res.out);
    cr_assert_not_null(strstr(res.out, "End stop node.\n"), "%s", res.out);
    cr_assert_not_null(strstr(res.out, "cluster_state   : Degraded\n"), "%s", res.out);
    cr_assert_not_null(strstr(res.out, "Starting node.\n"), "%s", res.out);
    cr_assert_not_null(strstr(res.out, "Successfully started.\n"), "%s", res.out);
}

Test(cluster, up_trust_status_snapshot_restore_down)
{
    struct sim_up_opts o = {.name = name,
                            .nodes = 3,
                            .version = "2.0.0",
                            .databases = 2,
                            .data_mib = 256,
                            .quiet = true};
    struct og_error err = {0};
    struct sim_cluster c;
    _cleanup_dynbuf_ struct dynbuf st = {0};
    char key[512], kh[512], khopt[600];
    long long t0 = ms(), t_up, t_restore;

    cr_assert_eq(sim_up(&o, &c, &err), 0, "%s", err.detail);
    t_up = ms() - t0;
    cr_log_info("3-node up: %lld ms", t_up);
    cr_assert_eq(c.n_nodes, 3);

    /* SSH as omm from the host to every node, host keys checked. */
    snprintf(key, sizeof(key), "%s/ssh/id_ed25519", c.state_dir);
    snprintf(kh, sizeof(kh), "%s/ssh/known_hosts", c.state_dir);
    snprintf(khopt, sizeof(khopt), "UserKnownHostsFile=%s", kh);
    for (size_t i = 0; i < c.n_nodes; i++) {
        cr_assert_eq(
            host_ssh(key, khopt, "omm", c.nodes[i].ip, "hostname; id -un; echo $GAUSSHOME"), 0,
            "ssh to %s: %s", c.nodes[i].name, res.err);
        cr_assert(strncmp(res.out, c.nodes[i].name, strlen(c.nodes[i].name)) == 0, "%s", res.out);
        cr_assert_not_null(strstr(res.out, "\nomm\n/opt/ogsim/app\n"), "%s", res.out);
    }
    /* An unknown host key is refused (no blind trust). */
    cr_assert_eq(host_ssh(key, "UserKnownHostsFile=/dev/null", "omm", c.nodes[1].ip, "true"), 255,
                 "ssh accepted an unknown host key");
    /* Node to node as omm, by name and by address, keys checked. */
    {
        const char *a[] = {"ssh", "node2", "hostname", NULL};
        cr_assert_eq(node(&c, "node1", "omm", a), 0, "%s", res.err);
        cr_assert_str_eq(res.out, "node2\n");
        const char *b[] = {"ssh", c.nodes[0].ip, "hostname", NULL};
        cr_assert_eq(node(&c, "node3", "omm", b), 0, "%s", res.err);
        cr_assert_str_eq(res.out, "node1\n");
        const char *x[] = {"ssh", "-o", "UserKnownHostsFile=/dev/null", "node3", "true", NULL};
        cr_assert_neq(node(&c, "node2", "omm", x), 0);
    }
    /* Root too, as gs_preinstall leaves a host (guide section 2.2: root login
     * and root's mutual trust; gs_checkos runs as root): the harness key from
     * the host, root between nodes, host keys checked; omm is not root. */
    {
        cr_assert_eq(host_ssh(key, khopt, "root", c.nodes[2].ip, "hostname; id -un; echo $HOME"), 0,
                     "root ssh to node3: %s", res.err);
        cr_assert_str_eq(res.out, "node3\nroot\n/root\n");
        const char *b[] = {"ssh", "node2", "id -un", NULL};
        cr_assert_eq(node(&c, "node1", "root", b), 0, "%s", res.err);
        cr_assert_str_eq(res.out, "root\n");
        const char *x[] = {"ssh", "root@node2", "true", NULL};
        cr_assert_eq(node(&c, "node1", "omm", x), 255, "omm's key must not open root: %s", res.err);
        const char *h[] = {"cat", "/root/.ssh/known_hosts", NULL};
        cr_assert_eq(node(&c, "node2", "root", h), 0, "%s", res.err);
        cr_assert_not_null(strstr(res.out, c.nodes[0].ip), "the node's own /root: %s", res.out);
    }
    /* The node sees its own filesystems: a root of its own that root may
     * change as the guide does (section 2.3 step 2, a user, /etc/profile)
     * while the host's stays as it was; the data fs sized. */
    {
        const char *a[] = {"bash", "-c",
                           "mkdir -p /opt/software/gaussdb_upgrade && "
                           "echo 'export OGSIM_ROOT_TEST=1' >> /etc/profile && "
                           "useradd -M ogsimtest && touch /usr/ogsim-node-only",
                           NULL};
        cr_assert_eq(node(&c, "node1", "root", a), 0, "root's writes in the node: %s", res.err);
        const char *v[] = {"bash", "-lc", "id -un ogsimtest && echo $OGSIM_ROOT_TEST", NULL};
        cr_assert_eq(node(&c, "node1", "root", v), 0, "%s", res.err);
        cr_assert_str_eq(res.out, "ogsimtest\n1\n");
        cr_assert_neq(access("/usr/ogsim-node-only", F_OK), 0, "the host's root was written");
        cr_assert_neq(access("/opt/software/gaussdb_upgrade", F_OK), 0, "the host's root");
        cr_assert_not(contains_file("/etc/profile", "OGSIM_ROOT_TEST"), "the host's profile");
        const char *other[] = {"test", "-e", "/usr/ogsim-node-only", NULL};
        cr_assert_eq(node(&c, "node2", "root", other), 1, "another node's root is its own");
        const char *b[] = {"stat", "-f", "-c", "%b %S", "/opt/ogsim/data", NULL};
        cr_assert_eq(node(&c, "node1", "omm", b), 0);
        long long blocks = 0, bs = 0;
        cr_assert_eq(sscanf(res.out, "%lld %lld", &blocks, &bs), 2);
        cr_assert_lt(blocks * bs, 300LL << 20, "data fs is the 256 MiB image: %s", res.out);
    }

    /* Replication streams to both standbys; status is Normal. */
    cr_assert_str_eq(sql(&c, "node1", "postgres",
                         "SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'"),
                     "2");
    cr_assert_str_eq(sql(&c, "node2", "db1", "SELECT count(*) FROM sample"), "1000");
    dynbuf_init(&st, 1 << 20);
    cr_assert_eq(sim_status(&c, false, &st, &err), 0, "%s", err.detail);
    cr_assert_not_null(strstr(st.buf, "cluster_state   : Normal\n"), "%s", st.buf);
    cr_assert_not_null(strstr(st.buf, "Primary"), "%s", st.buf);
    cr_assert_not_null(strstr(st.buf, "2.0.0 (78689da9)"), "%s", st.buf);

    /* The guide's OM commands, as omm on a node, over real SSH between nodes. */
    {
        const char *a[] = {"bash", "-lc", "gs_om -t status --detail", NULL};
        cr_assert_eq(node(&c, "node1", "omm", a), 0, "%s", res.err);
        cr_assert_not_null(strstr(res.out, "cluster_state   : Normal\n"), "%s", res.out);
        cr_assert_not_null(strstr(res.out, " P Primary Normal\n"), "%s", res.out);
        /* DCI v5.0.0 :1401-1463: widths from the data, "%3s " role letter */
        cr_assert_not_null(strstr(res.out, "3  node3 "), "%s", res.out);
        cr_assert_not_null(strstr(res.out, "6003 /opt/ogsim/data/dn1   S Standby Normal\n"), "%s",
                           res.out);
        /* nodeLen 2+1+5+1, instanceLen 8+1+19, the rule 84 wide */
        cr_assert_not_null(strstr(res.out, "\n    node node_ip         port      instance"
                                           "                    state\n"
                                           "-----------------------------------------------------"
                                           "-------------------------------\n1  node1 "),
                           "%s", res.out);
        gs_om_actions(&c);
        const char *b[] = {"bash", "-lc", "gs_ssh -c 'gsql -V'", NULL};
        cr_assert_eq(node(&c, "node2", "omm", b), 0, "%s", res.err);
        cr_assert_not_null(strstr(res.out, "Successfully execute command on all nodes.\n"), "%s",
                           res.out);
        cr_assert_not_null(strstr(res.out, "[SUCCESS] node3:\ngsql (openGauss 2.0.0 build "
                                           "78689da9)"),
                           "%s", res.out);
        /* openGauss's gs_ssh (gs_ssh v5.0.0 :152-211, :249): the first word
         * must be a program on every node (52403, exit 1); a command that fails
         * on some nodes still exits 0, naming them */
        const char *nx[] = {"bash", "-lc", "gs_ssh -c 'nosuchcmd -a'", NULL};
        cr_assert_eq(node(&c, "node2", "omm", nx), 1, "%s", res.out);
        cr_assert_not_null(strstr(res.err, "[GAUSS-52403] : Command \"nosuchcmd\" does not exist "
                                           "or the user has no execute permission on node1 "
                                           "node2 node3 ."),
                           "%s", res.err);
        const char *pt[] = {
            "bash", "-lc",
            "touch $PGHOST/ogup-only-here && gs_ssh -c 'test -e $PGHOST/ogup-only-here'; "
            "rc=$?; rm -f $PGHOST/ogup-only-here; exit $rc",
            NULL};
        cr_assert_eq(node(&c, "node2", "omm", pt), 0, "%s", res.err);
        const char *partial = "Failed to execute command on node1 node3 .\nSuccessfully "
                              "execute command on node2 .\n\nOutput:\n[GAUSS-51400] : ";
        cr_assert(strncmp(res.out, partial, strlen(partial)) == 0, "%s", res.out);
        cr_assert_not_null(strstr(res.out, "[SUCCESS] node2:\n"), "%s", res.out);
        cr_assert_not_null(strstr(res.out, "[FAILURE] node3:\n"), "%s", res.out);
        const char *s[] = {"bash", "-lc", "gs_om -t stop && gs_om -t status", NULL};
        cr_assert_eq(node(&c, "node3", "omm", s), 0, "%s", res.err);
        cr_assert_not_null(strstr(res.out, "cluster_state   : Unavailable\n"), "%s", res.out);
        const char *g[] = {"bash", "-lc", "gs_om -t start && gs_om -t query", NULL};
        cr_assert_eq(node(&c, "node1", "omm", g), 0, "%s", res.err);
        cr_assert_not_null(strstr(res.out, "Successfully started.\n"), "%s", res.out);
        cr_assert_not_null(strstr(res.out, "cluster_state   : Normal\n"), "%s", res.out);
        const char *u[] = {"bash", "-lc", "gs_upgradectl -t show-step", NULL};
        cr_assert_eq(node(&c, "node2", "omm", u), 0, "%s", res.err);
        /* openGauss 6.0.0's show-step: the nodes, gs_ssh -c "gsql -V", the mode */
        const char *head = "doShowUpgradeStep in UpgradeImpl\nCluster Nodes are ['node1', "
                           "'node2', 'node3']. \n";
        cr_assert(strncmp(res.out, head, strlen(head)) == 0, "%s", res.out);
        cr_assert_not_null(strstr(res.out, "gsql (openGauss 2.0.0 build"), "%s", res.out);
        cr_assert_not_null(
            strstr(res.out, "\nCluster Not in Upgrading or have been run `upgrade-commit`.\n"),
            "%s", res.out);
        const char *ur[] = {"/opt/ogsim/tool/script/gs_upgradectl", "-t", "show-step", NULL};
        cr_assert_eq(node(&c, "node2", "root", ur), 1, "as root: refused");
        cr_assert_not_null(strstr(res.err, "[GAUSS-50105]"), "%s", res.err);
        const char *v[] = {"bash", "-lc", "gs_om -V", NULL};
        cr_assert_eq(node(&c, "node1", "omm", v), 0, "%s", res.err);
        cr_assert_not_null(strstr(res.out, "gs_om (openGauss OM 2.0.0 build 78689da9)"), "%s",
                           res.out);
    }
    cr_assert_str_eq(sql(&c, "node3", "db1", "SELECT count(*) FROM sample"), "1000");

    /* Snapshot, change data, restore: the data is back. */
    cr_assert_eq(sim_snapshot(&c, "base", &err), 0, "%s", err.detail);
    sql(&c, "node1", "db1", "DELETE FROM sample WHERE id > 10");
    {
        const char *a[] = {"touch", "/root/left-by-a-test", NULL};
        cr_assert_eq(node(&c, "node2", "root", a), 0, "%s", res.err);
        const char *b[] = {"mkdir", "-p", "/opt/software/after-the-snapshot", NULL};
        cr_assert_eq(node(&c, "node2", "root", b), 0, "%s", res.err);
    }
    cr_assert_str_eq(sql(&c, "node1", "db1", "SELECT count(*) FROM sample"), "10");
    t0 = ms();
    cr_assert_eq(sim_restore(&c, "base", &err), 0, "%s", err.detail);
    t_restore = ms() - t0;
    cr_log_info("restore: %lld ms", t_restore);
    cr_assert_str_eq(sql(&c, "node1", "db1", "SELECT count(*) FROM sample"), "1000");
    cr_assert_str_eq(sql(&c, "node3", "db1", "SELECT count(*) FROM sample"), "1000");
    {
        const char *a[] = {"test", "-e", "/root/left-by-a-test", NULL};
        cr_assert_eq(node(&c, "node2", "root", a), 1, "root's home is reset by a restore");
        const char *b[] = {"test", "-e", "/opt/software/after-the-snapshot", NULL};
        cr_assert_eq(node(&c, "node2", "root", b), 1, "the node's root is reset by a restore");
        const char *k[] = {"test", "-d", "/opt/software/gaussdb_upgrade", NULL};
        cr_assert_eq(node(&c, "node1", "root", k), 0, "what the snapshot had stays");
    }
    {
        /* the data directory is still on the node's own data filesystem */
        const char *a[] = {"findmnt", "-n", "-o", "SOURCE", "--target", c.datadir, NULL};
        cr_assert_eq(node(&c, "node2", "root", a), 0, "%s", res.err);
        cr_assert_not_null(strstr(res.out, "loop"), "data fs not mounted after restore: %s",
                           res.out);
    }
    cr_assert_eq(sim_restore(&c, "nosuch", &err), -OG_E_SIM_SNAPSHOT);

    /* A client workload for 20 s through every node's address: nothing
     * acknowledged is missing on the primary or on either standby. */
    {
        char state[96];
        json_object *jo;
        int rc;

        snprintf(state, sizeof(state), "/tmp/ogsim-wl-%s", name);
        {
            const char *rm[] = {"rm", "-rf", state, NULL};
            host(rm);
        }
        cr_assert_eq(workload(&c, "start", "--writers=3"), 0, "%s %s", res.out, res.err);
        sleep(20);
        cr_assert_eq(workload(&c, "stop", NULL), 0, "%s %s", res.out, res.err);
        jo = check_json(&c, &rc);
        cr_assert_eq(rc, 0, "check: %s", res.out);
        cr_assert_gt(jget(jo, "acked", NULL), 100, "%s", res.out);
        for (size_t i = 0; i < c.n_nodes; i++)
            cr_assert_eq(jget(node_entry(jo, c.nodes[i].ip), "lost", NULL), 0, "%s", res.out);
        json_object_put(jo);

        /* Kill the primary's gaussdb (SIGKILL) mid-workload, fail over to
         * node2: the writers follow it by themselves; check reports node1
         * unreachable and what was acked, never a silent loss. */
        cr_assert_eq(workload(&c, "start", "--writers=3"), 0, "%s %s", res.out, res.err);
        sleep(4);
        {
            const char *pid[] = {"head", "-1", c.datadir, NULL};
            char pidfile[600], pidtext[32];
            snprintf(pidfile, sizeof(pidfile), "%s/postmaster.pid", c.datadir);
            pid[2] = pidfile;
            cr_assert_eq(node(&c, "node1", "root", pid), 0, "%s", res.err);
            snprintf(pidtext, sizeof(pidtext), "%ld", atol(res.out));
            const char *kill9[] = {"kill", "-9", pidtext, NULL};
            cr_assert_eq(node(&c, "node1", "root", kill9), 0, "%s", res.err);
        }
        long long killed = ms();
        {
            char bin[600];
            const char *fo[] = {bin, "failover", "-D", c.datadir, NULL};
            snprintf(bin, sizeof(bin), "%s/bin/gs_ctl", c.app_path);
            cr_assert_eq(node(&c, "node2", "omm", fo), 0, "%s", res.out);
        }
        long long failed_over = ms();
        sleep(6);
        cr_assert_eq(workload(&c, "stop", NULL), 0, "%s %s", res.out, res.err);
        jo = check_json(&c, &rc);
        cr_assert_eq(rc, 1, "node1 is down: check must not pass: %s", res.out);
        {
            json_object *n1 = node_entry(jo, c.nodes[0].ip), *r;
            cr_assert(json_object_object_get_ex(n1, "reachable", &r) && !json_object_get_boolean(r),
                      "node1 reported reachable: %s", res.out);
        }
        cr_assert_gt(jget(jo, "acked", NULL), 100);
        /* Writes stopped while there was no primary: the longest gap is the
         * failover's (ordinary gaps are a few ms here), and it opens after
         * the kill (~4 s in). Backends of a SIGKILLed postmaster may still
         * commit for a moment, so the gap can be shorter than kill->failover. */
        cr_assert_geq(jget(jo, "longest_gap", "ms"), 200, "%s", res.out);
        cr_assert_leq(jget(jo, "longest_gap", "ms"), failed_over - killed + 15000, "%s", res.out);
        cr_assert_geq(jget(jo, "longest_gap", "at_ms"), 3000, "%s", res.out);
        cr_log_info("after the kill: %s", res.out);
        json_object_put(jo);
        {
            const char *rm[] = {"rm", "-rf", state, NULL};
            host(rm);
        }
    }
    /* Restore heals the failed-over cluster. */
    cr_assert_eq(sim_restore(&c, "base", &err), 0, "%s", err.detail);
    dynbuf_reset(&st);
    cr_assert_eq(sim_status(&c, false, &st, &err), 0, "%s", err.detail);
    cr_assert_not_null(strstr(st.buf, "cluster_state   : Normal\n"), "%s", st.buf);

    /* Errors: a second up with the same name, an unknown node. */
    cr_assert_eq(sim_up(&o, NULL, &err), -OG_E_SIM_EXISTS);
    {
        const char *a[] = {"true", NULL};
        cr_assert_eq(sim_exec(&c, "node9", "omm", a, 1000, &res, &err), -OG_E_NODE_UNKNOWN);
    }

    /* Down leaves nothing. */
    cr_assert_eq(sim_down(name, NULL, &err), 0, "%s", err.detail);
    {
        const char *a[] = {"virsh", "-c", "lxc:///system", "list", "--all", "--name", NULL};
        cr_assert_eq(host(a), 0);
        cr_assert_null(strstr(res.out, name), "domains left: %s", res.out);
        const char *b[] = {"virsh", "-c", "lxc:///system", "net-list", "--all", "--name", NULL};
        cr_assert_eq(host(b), 0);
        cr_assert_null(strstr(res.out, name), "networks left: %s", res.out);
        const char *l[] = {"ip", "-o", "link", NULL};
        cr_assert_eq(host(l), 0);
        cr_assert_null(strstr(res.out, c.bridge), "bridge left");
        cr_assert_null(strstr(res.out, c.nodes[0].veth), "veth left");
        const char *lo[] = {"losetup", "-a", NULL};
        cr_assert_eq(host(lo), 0);
        cr_assert_null(strstr(res.out, c.state_dir), "loop devices left: %s", res.out);
        cr_assert_not(contains_file("/proc/mounts", c.state_dir), "mounts left");
        cr_assert_neq(access(c.state_dir, F_OK), 0, "state dir left");
    }
    /* down is idempotent */
    cr_assert_eq(sim_down(name, NULL, &err), 0);
    printf("cluster: 3-node up %lld ms, restore %lld ms\n", t_up, t_restore);
}

/* An operator's clusterconfig.xml: its names, addresses, port and paths. */
Test(cluster, up_from_clusterconfig_xml)
{
    struct sim_up_opts o = {.name = name,
                            .version = "2.1.0",
                            .databases = 1,
                            .data_mib = 128,
                            .quiet = true,
                            .xml = SOURCE_ROOT "/tests/data/clusterconfig/sim-2node.xml"};
    struct og_error err = {0};
    struct sim_cluster c;

    cr_assert_eq(sim_up(&o, &c, &err), 0, "%s", err.detail);
    cr_assert_str_eq(c.nodes[0].name, "db-a");
    cr_assert_str_eq(c.nodes[1].ip, "10.214.77.22");
    cr_assert_eq(c.port, 26000);
    {
        const char *a[] = {"bash", "-lc",
                           "hostname; echo $GAUSSHOME $GPHOME $PGHOST; "
                           "gs_ctl query -D /opt/ogsimx/data/dn | grep local_role",
                           NULL};
        cr_assert_eq(node(&c, "db-b", "omm", a), 0, "%s", res.err);
        cr_assert_not_null(strstr(res.out, "db-b\n/opt/ogsimx/install/app /opt/ogsimx/install/om "
                                           "/opt/ogsimx/tmp\n"),
                           "%s", res.out);
        cr_assert_not_null(strstr(res.out, ": Standby"), "%s", res.out);
    }
    cr_assert_str_eq(sql(&c, "db-b", "db1", "SELECT count(*) FROM sample"), "1000");
    {
        /* the XML and the static config openGauss's install leaves */
        const char *a[] = {"ls", "/home/omm/clusterconfig.xml",
                           "/opt/ogsimx/install/app/bin/cluster_static_config", NULL};
        cr_assert_eq(node(&c, "db-a", "omm", a), 0, "%s", res.err);
    }
    cr_assert_eq(sim_down(name, NULL, &err), 0, "%s", err.detail);
}

Test(cluster, bad_input_is_refused)
{
    struct sim_up_opts o = {.name = name, .nodes = 1, .version = "9.9.9", .quiet = true};
    struct og_error err = {0};
    struct sim_cluster c;

    cr_assert_eq(sim_up(&o, NULL, &err), -OG_E_PARAM_INVALID);
    o.version = "2.0.0";
    o.name = "Bad Name";
    cr_assert_eq(sim_up(&o, NULL, &err), -OG_E_PARAM_INVALID);
    o.name = name;
    o.nodes = 99;
    cr_assert_eq(sim_up(&o, NULL, &err), -OG_E_PARAM_INVALID);
    cr_assert_eq(sim_load("no-such-cluster", &c, &err), -OG_E_SIM_NO_CLUSTER);
    /* a clusterconfig.xml the schema refuses: coded, nothing created */
    o.nodes = 0;
    o.xml = SOURCE_ROOT "/tests/data/clusterconfig/bad-malformed.xml";
    cr_assert_eq(sim_up(&o, NULL, &err), -OG_E_XML_INVALID, "%s", err.detail);
    o.xml = "/no/such/clusterconfig.xml";
    cr_assert_eq(sim_up(&o, NULL, &err), -OG_E_NOT_EXIST, "%s", err.detail);
    cr_assert_eq(access("/var/lib/ogsim/no-such-cluster", F_OK), -1);
}

/* sshd never logs to the node's console: the console is a pty nobody reads,
 * and once its buffer was full every sshd monitor blocked writing its
 * "Accepted publickey" line, so new sessions hung after a few hundred
 * connections (seen as "sshd: omm [priv]" with a defunct child in the slow
 * suites). 400 sessions in a row must all run. */
Test(cluster, sshd_never_blocks_on_its_log)
{
    struct sim_up_opts o = {
        .name = name, .nodes = 1, .version = "3.0.0", .databases = 0, .quiet = true};
    struct og_error err = {0};
    struct sim_cluster c;
    /* sshd's and init's standard streams: none is the console */
    const char *fds[] = {"sh", "-c",
                         "p=$(pgrep -f 'sshd -D' | head -1); for f in 0 1 2; do "
                         "readlink /proc/$p/fd/$f /proc/1/fd/$f; done",
                         NULL};
    const char *many[] = {"bash", "-c",
                          "n=0; for i in $(seq 400); do ssh -o BatchMode=yes node1 true && "
                          "n=$((n+1)); done; echo $n",
                          NULL};

    cr_assert_eq(sim_up(&o, &c, &err), 0, "%s", err.detail);
    cr_assert_eq(node(&c, "node1", "root", fds), 0, "%s", res.err);
    cr_assert_null(strstr(res.out, "/dev/pts"), "init or sshd holds the console: %s", res.out);
    cr_assert_null(strstr(res.out, "console"), "init or sshd holds the console: %s", res.out);
    command_result_done(&res);
    cr_assert_eq(sim_exec(&c, "node1", "omm", many, 900000, &res, &err), 0, "%s", err.detail);
    cr_assert_eq(res.exit_status, 0, "%s", res.err);
    cr_assert_str_eq(res.out, "400\n", "sessions that ran: %s", res.out);
}

/* What a node runs when a session to it does not open: its sshd processes
 * and the end of sshd's log, for the failure message. */
static void node_sshd_state(const struct sim_cluster *c, const char *n, char *buf, size_t size)
{
    const char *ps[] = {
        "sh", "-c",
        "ps -eo pid,ppid,stat,etimes,args | grep -v ' ps ' | grep -e sshd -e '<defunct>';"
        " tail -n 12 /run/ogsim-sshd.log",
        NULL};
    struct command_result r = {0};

    snprintf(buf, size, "(no state)");
    if (sim_exec(c, n, "root", ps, 20000, &r, NULL) == 0)
        snprintf(buf, size, "%s", r.out);
    command_result_done(&r);
}

/* Right after a restore, a session opens on every node at once (gs_upgradectl
 * does exactly that): 20 restores, one of them after a power-off (a node the
 * restore starts again), each followed by a fresh libssh2 session per node
 * with a 20 s bound. A session that does not open is the hang that made
 * gs_upgradectl wait out its 10-minute worker timeout. */
Test(cluster, session_opens_right_after_restore, .timeout = 900)
{
    struct sim_up_opts o = {
        .name = name, .nodes = 2, .version = "2.0.0", .databases = 0, .quiet = true};
    struct og_error err = {0};
    struct sim_cluster c;
    char key[PATH_MAX + 32], kh[PATH_MAX + 32], state[4096];
    const char *argv[] = {"sh", "-c", "echo ok", NULL};
    const char *nodes[2];

    cr_assert_eq(sim_up(&o, &c, &err), 0, "%s", err.detail);
    cr_assert_eq(sim_snapshot(&c, "base", &err), 0, "%s", err.detail);
    snprintf(key, sizeof(key), "%s/ssh/id_ed25519", c.state_dir);
    snprintf(kh, sizeof(kh), "%s/ssh/known_hosts", c.state_dir);
    for (size_t i = 0; i < c.n_nodes; i++)
        nodes[i] = c.nodes[i].name;
    for (int round = 0; round < 20; round++) {
        struct transport_opts to = {
            .user = "omm", .key_file = key, .known_hosts = kh, .local_mode = TRANSPORT_LOCAL_NEVER};
        struct transport_run_opts ro = {.timeout_ms = 20000, .check_exit = true};
        struct command_result rs[2];
        struct og_error es[2];
        _cleanup_transport_ struct transport *t = NULL;
        long long t0;

        if (round == 10) /* the restore powers it on again: a fresh sshd */
            cr_assert_eq(sim_node_power(&c, "node2", false, &err), 0, "%s", err.detail);
        cr_assert_eq(sim_restore(&c, "base", &err), 0, "round %d: %s", round, err.detail);
        cr_assert_eq(transport_new(&to, &t, &err), 0, "%s", err.detail);
        for (size_t i = 0; i < c.n_nodes; i++)
            cr_assert_eq(transport_add_node(t, c.nodes[i].name, c.nodes[i].ip, 22, &err), 0);
        t0 = ms();
        transport_run_all(t, nodes, c.n_nodes, argv, &ro, rs, es);
        for (size_t i = 0; i < c.n_nodes; i++) {
            if (es[i].code)
                node_sshd_state(&c, nodes[i], state, sizeof(state));
            cr_assert_eq(es[i].code, 0, "round %d, %s after %lld ms: %s\n%s", round, nodes[i],
                         ms() - t0, es[i].detail, state);
            cr_assert_str_eq(rs[i].out, "ok\n");
            command_result_done(&rs[i]);
        }
        /* and node to node, as gs_upgradectl does: gs_ssh on node1 (libssh2) */
        {
            const char *gs[] = {"timeout", "60", "bash", "-lc", "gs_ssh -c 'echo ok'", NULL};
            struct command_result r = {0};
            cr_assert_eq(sim_exec(&c, "node1", "omm", gs, 90000, &r, &err), 0, "%s", err.detail);
            if (r.exit_status != 0)
                node_sshd_state(&c, "node2", state, sizeof(state));
            cr_assert_eq(r.exit_status, 0, "round %d: gs_ssh from node1: %s%s\n%s", round, r.out,
                         r.err, r.exit_status ? state : "");
            command_result_done(&r);
        }
    }
    cr_assert_eq(sim_down(name, NULL, &err), 0, "%s", err.detail);
}
