/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * The fault injector on a real 3-node cluster, LXC and QEMU (root, libvirtd): every
 * fault shows its effect where the cluster feels it (ENOSPC in the database,
 * a node unreachable, replication lost, a process gone, a domain off or
 * paused) and its heal brings it back; an injector killed mid-fault leaves
 * a ledger entry that `ogfault sweep` heals. Traffic goes only to the
 * cluster's own nodes on its isolated network.
 */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "command.h"
#include "ledger.h"
#include "netfilter.h"
#include "simcluster.h"
#include "simdriver.h"

static char name[32];
static struct sim_cluster c;
static struct command_result res;
static pid_t upgrader_child = -1;

static long long ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ogfault --cluster NAME args...; OGUP_FAILPOINTS=fp when fp. The exit
 * status, or 128 + the signal that killed it. */
static int ogfault_fp(const char *fp, const char *const *args)
{
    _cleanup_command_ struct command *cmd = command_newl(OGFAULT_PATH, "--cluster", name, NULL);
    struct og_error err = {0};

    cr_assert_not_null(cmd);
    for (size_t i = 0; args[i]; i++)
        command_add_arg(cmd, args[i]);
    if (fp)
        command_setenv(cmd, "OGUP_FAILPOINTS", fp);
    command_passenv(cmd, "OGSIM_STATE_DIR");
    command_set_timeout_ms(cmd, 240000);
    command_result_done(&res);
    cr_assert_eq(command_run(cmd, &res, &err), 0, "%s", err.detail);
    return res.term_signal ? 128 + res.term_signal : res.exit_status;
}

static int ogfault(const char *const *args)
{
    return ogfault_fp(NULL, args);
}

/* The id from "fault N: ..." */
static int fault_id(void)
{
    int id = 0;

    cr_assert_eq(sscanf(res.out, "fault %d:", &id), 1, "ogfault printed: %s %s", res.out, res.err);
    return id;
}

static int node_run(const char *n, const char *user, const char *const *argv)
{
    struct og_error err = {0};

    command_result_done(&res);
    cr_assert_eq(sim_exec(&c, n, user, argv, 120000, &res, &err), 0, "%s", err.detail);
    return res.exit_status;
}

/* ssh as omm from node a to node b (host keys checked, no waiting). */
static bool ssh_ok(const char *a, const char *b)
{
    const char *argv[] = {"timeout",       "6", "ssh",  "-o", "ConnectTimeout=2", "-o",
                          "BatchMode=yes", b,   "true", NULL};

    return node_run(a, "omm", argv) == 0;
}

/* A TCP connection from the host to ip:port within timeout_ms. */
static bool tcp_ok(const char *ip, int port, int timeout_ms)
{
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0), soerr = 0;
    socklen_t len = sizeof(soerr);
    bool ok = false;

    inet_pton(AF_INET, ip, &sa.sin_addr);
    if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0) {
        ok = true;
    } else if (errno == EINPROGRESS) {
        struct pollfd p = {.fd = fd, .events = POLLOUT};
        ok = poll(&p, 1, timeout_ms) == 1 &&
             getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len) == 0 && soerr == 0;
    }
    close(fd);
    return ok;
}

static const struct sim_node *nd(const char *n)
{
    for (size_t i = 0; i < c.n_nodes; i++)
        if (strcmp(c.nodes[i].name, n) == 0)
            return &c.nodes[i];
    cr_assert_fail("no node %s", n);
    return NULL;
}

/* A query on node n as omm; the first line of the result. */
static const char *sql(const char *n, const char *db, const char *q)
{
    static char out[4096];
    char bin[600];
    const char *a[] = {bin, "-X", "-q", "-tA", "-d", db, "-c", q, NULL};

    snprintf(bin, sizeof(bin), "%s/bin/gsql", c.app_path);
    cr_assert_eq(node_run(n, "omm", a), 0, "%s on %s: %s", q, n, res.err);
    snprintf(out, sizeof(out), "%s", res.out);
    out[strcspn(out, "\n")] = '\0';
    return out;
}

/* Whether the primary (node1) streams to node n. */
static bool streams_to(const char *n)
{
    char q[256];

    snprintf(q, sizeof(q),
             "SELECT count(*) FROM pg_stat_replication WHERE client_addr = '%s' AND state = "
             "'streaming'",
             nd(n)->ip);
    return strcmp(sql("node1", "postgres", q), "1") == 0;
}

#define WAIT_UNTIL(cond, timeout_ms)                                                               \
    ({                                                                                             \
        long long _dl = ms() + (timeout_ms);                                                       \
        bool _ok;                                                                                  \
        while (!(_ok = (cond)) && ms() < _dl)                                                      \
            usleep(200 * 1000);                                                                    \
        _ok;                                                                                       \
    })

static int gs_ctl_status(const char *n)
{
    char bin[600];
    const char *a[] = {bin, "status", "-D", c.datadir, NULL};

    snprintf(bin, sizeof(bin), "%s/bin/gs_ctl", c.app_path);
    return node_run(n, "omm", a);
}

static enum node_state dom_state(const char *n)
{
    struct simdriver *d = NULL;
    enum node_state st;

    cr_assert_eq(simdriver_open(c.driver, c.uri, &d, NULL), 0);
    st = simdriver_ops(d)->node_state(d, nd(n)->domain);
    simdriver_close(d);
    return st;
}

static bool veth_up(const char *n)
{
    bool up = false;

    cr_assert_eq(netfilter_link_is_up(nd(n)->veth, &up, NULL), 0);
    return up;
}

/* The ledger as the CLI reports it (list --json). */
static const char *state_of(int id)
{
    static char state[32];
    json_object *o, *faults, *v;
    const char *list[] = {"list", "--json", NULL};

    cr_assert_eq(ogfault(list), 0, "%s", res.err);
    o = json_tokener_parse(res.out);
    cr_assert_not_null(o, "list --json printed: %s", res.out);
    cr_assert(json_object_object_get_ex(o, "faults", &faults));
    state[0] = '\0';
    for (size_t i = 0; i < json_object_array_length(faults); i++) {
        json_object *e = json_object_array_get_idx(faults, i);
        if (json_object_object_get_ex(e, "id", &v) && json_object_get_int(v) == id &&
            json_object_object_get_ex(e, "state", &v))
            snprintf(state, sizeof(state), "%s", json_object_get_string(v));
    }
    json_object_put(o);
    return state;
}

static void heal(int id)
{
    char ids[16];
    const char *a[] = {"heal", ids, NULL};

    snprintf(ids, sizeof(ids), "%d", id);
    cr_assert_eq(ogfault(a), 0, "heal %d: %s %s", id, res.out, res.err);
    cr_assert_str_eq(state_of(id), "healed");
}

static char *chain_rules(void)
{
    char chain[40], *rules = NULL;

    netfilter_chain_name(name, chain, sizeof(chain));
    cr_assert_eq(netfilter_rule_list(chain, &rules, NULL), 0);
    return rules;
}

static void setup(void)
{
    snprintf(name, sizeof(name), "ft%d", (int)(getpid() % 10000));
    sim_down(name, NULL, NULL); /* a crashed earlier run is harmless */
}

static void teardown(void)
{
    _cleanup_command_ struct command *sweep =
        command_newl(OGFAULT_PATH, "--cluster", name, "sweep", NULL);
    char chain[40];

    /* Also after a failure: no fault, rule, chain or cluster left behind. */
    if (upgrader_child > 0) {
        kill(upgrader_child, SIGKILL);
        waitpid(upgrader_child, NULL, 0);
    }
    command_result_done(&res);
    if (sweep) {
        command_passenv(sweep, "OGSIM_STATE_DIR");
        command_run(sweep, &res, NULL);
    }
    command_result_done(&res);
    sim_down(name, NULL, NULL);
    netfilter_chain_name(name, chain, sizeof(chain));
    netfilter_chain_remove(chain, NULL);
}

TestSuite(fault, .init = setup, .fini = teardown, .timeout = 600);

/* Issue 15 row 11: --cluster is a name (ogsim's --name rule: 1-20 of a-z,
 * 0-9, '-', not leading '-'), never a path: ogfault runs as root and joins
 * it to the state directory. Refused as GAUSS-50004 (exit 10) before any
 * file is touched; no cluster is needed (run with --filter 'ogfault_args/...'). */
Test(ogfault_args, cluster_must_be_a_name)
{
    static const char *const bad[] = {
        "../../etc", "..", "a/b", "/etc", "", "Upper", "-x", "a.b", "abcdefghijklmnopqrstu", NULL};
    static const char *const cmds[] = {"list", "sweep", "failpoint", NULL};

    for (size_t i = 0; bad[i]; i++)
        for (size_t k = 0; cmds[k]; k++) {
            _cleanup_command_ struct command *cmd =
                command_newl(OGFAULT_PATH, "--cluster", bad[i], cmds[k], NULL);
            _cleanup_command_result_ struct command_result r = {0};
            struct og_error err = {0};

            cr_assert_eq(command_run(cmd, &r, &err), 0, "%s", err.detail);
            cr_assert_eq(r.exit_status, 10, "--cluster \"%s\" %s: exit %d: %s", bad[i], cmds[k],
                         r.exit_status, r.err);
            cr_assert_not_null(strstr(r.err, "[GAUSS-50004]"), "%s", r.err);
        }
    /* A valid name of no cluster gets past the check. */
    {
        _cleanup_command_ struct command *cmd =
            command_newl(OGFAULT_PATH, "--cluster", "no-such-1x", "list", NULL);
        _cleanup_command_result_ struct command_result r = {0};

        cr_assert_eq(command_run(cmd, &r, NULL), 0);
        cr_assert_null(strstr(r.err, "[GAUSS-50004]"), "%s", r.err);
    }
}

static void disk_full(void)
{
    const char *fill[] = {"disk-full", "node1", NULL};
    const char *big = "INSERT INTO big SELECT string_agg(md5(random()::text), '') FROM "
                      "generate_series(1, 100000)";
    char bin[600];
    const char *ins[] = {bin, "-X", "-q", "-d", "db1", "-c", big, NULL};
    const char *df[] = {"stat", "-f", "-c", "%a %S", c.data_mount, NULL};
    int id;

    snprintf(bin, sizeof(bin), "%s/bin/gsql", c.app_path);
    sql("node1", "db1", "CREATE TABLE big (t text)");
    sql("node1", "db1", "SELECT 1"); /* the relcache init file exists before the disk fills */
    cr_assert_eq(ogfault(fill), 0, "%s %s", res.out, res.err);
    id = fault_id();
    cr_assert_str_eq(state_of(id), "active");
    cr_assert_eq(node_run("node1", "omm", df), 0);
    cr_assert_eq(atoll(res.out), 0, "blocks still free for omm: %s", res.out);
    cr_assert_neq(node_run("node1", "omm", ins), 0, "the insert went through a full disk");
    cr_assert_not_null(strstr(res.err, "No space left on device"), "%s", res.err);
    heal(id);
    cr_assert_eq(node_run("node1", "omm", ins), 0, "after heal: %s", res.err);
    cr_assert_str_eq(sql("node1", "db1", "SELECT count(*) FROM big"), "1");
    /* --free-bytes leaves that much */
    {
        const char *leave[] = {"disk-full", "node1", "--free-bytes", "8M", NULL};
        long long avail;
        cr_assert_eq(ogfault(leave), 0, "%s %s", res.out, res.err);
        id = fault_id();
        cr_assert_eq(node_run("node1", "omm", df), 0);
        long long blocks = 0, bs = 0;
        cr_assert_eq(sscanf(res.out, "%lld %lld", &blocks, &bs), 2, "%s", res.out);
        avail = blocks * bs;
        cr_assert(avail <= 8LL << 20 && avail >= 6LL << 20, "%lld bytes free", avail);
        heal(id);
    }
}

static void net_cut(void)
{
    const char *cut[] = {"net-cut", "node3", NULL};
    int id;

    cr_assert(streams_to("node3"));
    cr_assert_eq(ogfault(cut), 0, "%s %s", res.out, res.err);
    id = fault_id();
    cr_assert_not(veth_up("node3"));
    cr_assert_not(ssh_ok("node1", "node3"), "node1 reached node3 through a cut");
    cr_assert_not(tcp_ok(nd("node3")->ip, 22, 1500), "the host reached node3 through a cut");
    cr_assert(ssh_ok("node1", "node2"));
    /* the primary drops the standby (wal_sender_timeout = 10s) */
    cr_assert(WAIT_UNTIL(!streams_to("node3"), 30000), "node3 still streams");
    heal(id);
    cr_assert(veth_up("node3"));
    cr_assert(ssh_ok("node1", "node3"));
    cr_assert(WAIT_UNTIL(streams_to("node3"), 40000), "node3 did not reconnect");
}

static void net_loss(void)
{
    const char *lose[] = {"net-loss", "node3", "--percent", "100", NULL};
    const char *some[] = {"net-loss", "node2", "--percent", "30", NULL};
    _cleanup_free_ char *rules = NULL;
    char tag[64];
    int id, id2;

    cr_assert_eq(ogfault(lose), 0, "%s %s", res.out, res.err);
    id = fault_id();
    rules = chain_rules();
    snprintf(tag, sizeof(tag), "ogfault:%s:%d", name, id);
    cr_assert_not_null(strstr(rules, tag), "%s", rules);
    cr_assert(veth_up("node3"), "loss is not a cut");
    cr_assert_not(ssh_ok("node1", "node3"), "node1 reached node3 through 100%% loss");
    cr_assert_not(ssh_ok("node3", "node2"), "node3 reached node2 through 100%% loss");
    cr_assert_not(tcp_ok(nd("node3")->ip, 22, 1500), "the host reached node3 at 100%% loss");
    cr_assert(ssh_ok("node1", "node2"));
    /* a partial loss is a random drop of that probability */
    cr_assert_eq(ogfault(some), 0, "%s %s", res.out, res.err);
    id2 = fault_id();
    free(rules);
    rules = chain_rules();
    {
        const char *p = strstr(rules, "--probability ");
        double prob;
        cr_assert_not_null(p, "%s", rules);
        prob = atof(p + 14);
        cr_assert(prob > 0.2999 && prob < 0.3001, "%s", rules);
    }
    heal(id);
    heal(id2);
    cr_assert(ssh_ok("node1", "node3"));
    cr_assert(tcp_ok(nd("node3")->ip, 22, 3000));
    {
        char chain[40];
        netfilter_chain_name(name, chain, sizeof(chain));
        cr_assert_not(netfilter_chain_exists(chain), "the empty chain stays after heal");
    }
}

static void partition(void)
{
    const char *part[] = {"partition", "node2", "node3", NULL};
    int id;

    cr_assert_eq(ogfault(part), 0, "%s %s", res.out, res.err);
    id = fault_id();
    cr_assert_not(ssh_ok("node2", "node3"), "node2 reached node3 across the partition");
    cr_assert_not(ssh_ok("node3", "node2"), "node3 reached node2 across the partition");
    cr_assert(ssh_ok("node1", "node2"));
    cr_assert(ssh_ok("node1", "node3"));
    cr_assert(ssh_ok("node3", "node1"));
    heal(id);
    cr_assert(ssh_ok("node2", "node3"));
    cr_assert(ssh_ok("node3", "node2"));
}

static void kill_db(void)
{
    const char *k[] = {"kill-db", "node2", NULL};
    const char *probe[] = {"test", "-d", NULL, NULL};
    char proc[32];
    long pid = 0;
    int id;

    cr_assert_eq(gs_ctl_status("node2"), 0);
    cr_assert_eq(ogfault(k), 0, "%s %s", res.out, res.err);
    id = fault_id();
    {
        const char *list[] = {"list", "--json", NULL};
        const char *p;
        cr_assert_eq(ogfault(list), 0);
        p = strstr(res.out, "\"pid\": ");
        cr_assert_not_null(p, "%s", res.out);
        pid = atol(p + 7);
    }
    cr_assert_gt(pid, 1);
    snprintf(proc, sizeof(proc), "/proc/%ld", pid);
    probe[2] = proc;
    cr_assert_neq(node_run("node2", "root", probe), 0, "the server %ld still runs", pid);
    cr_assert_eq(gs_ctl_status("node2"), 3, "gs_ctl status: %s", res.out);
    heal(id);
    cr_assert_eq(gs_ctl_status("node2"), 0, "after heal: %s", res.out);
    cr_assert(WAIT_UNTIL(streams_to("node2"), 30000), "node2 does not stream after heal");
}

static void kill_upgrader(void)
{
    const char *k[] = {"kill-upgrader", "node1", NULL};
    const char *cp[] = {"cp", "/usr/bin/sleep", "/tmp/gs_upgradectl", NULL};
    const char *pg[] = {"pgrep", "-u", "omm", "-x", "gs_upgradectl", NULL};
    int status = 0, id;

    /* nothing to kill: refused, nothing recorded */
    cr_assert_neq(ogfault(k), 0);
    cr_assert_not_null(strstr(res.err, "[OGUP-60155]"), "%s", res.err);
    /* a process of omm named gs_upgradectl, run as ogsim exec does */
    cr_assert_eq(node_run("node1", "omm", cp), 0, "%s", res.err);
    upgrader_child = fork();
    cr_assert_geq(upgrader_child, 0);
    if (upgrader_child == 0) {
        int devnull = open("/dev/null", O_RDWR);
        dup2(devnull, 1);
        dup2(devnull, 2);
        execl(OGSIM_PATH, "ogsim", "exec", "node1", "--name", name, "--", "/tmp/gs_upgradectl",
              "300", (char *)NULL);
        _exit(127);
    }
    cr_assert(WAIT_UNTIL(node_run("node1", "root", pg) == 0, 20000), "the fake upgrader "
                                                                     "did not start");
    cr_assert_eq(ogfault(k), 0, "%s %s", res.out, res.err);
    id = fault_id();
    cr_assert(WAIT_UNTIL(waitpid(upgrader_child, &status, WNOHANG) == upgrader_child, 20000),
              "the upgrader survived");
    upgrader_child = -1;
    cr_assert_neq(status, 0);
    cr_assert_neq(node_run("node1", "root", pg), 0, "a gs_upgradectl still runs");
    heal(id); /* nothing to undo: the ledger records that it is over */
}

static void power_off(void)
{
    const char *off[] = {"power-off", "node3", NULL};
    int id;

    cr_assert_eq(ogfault(off), 0, "%s %s", res.out, res.err);
    id = fault_id();
    cr_assert(dom_state("node3") == NODE_ABSENT || dom_state("node3") == NODE_SHUTOFF);
    cr_assert_not(ssh_ok("node1", "node3"));
    cr_assert(WAIT_UNTIL(!streams_to("node3"), 30000));
    heal(id);
    cr_assert_eq(dom_state("node3"), NODE_RUNNING);
    cr_assert_eq(gs_ctl_status("node3"), 0, "%s", res.out);
    cr_assert(ssh_ok("node1", "node3"));
    cr_assert(WAIT_UNTIL(streams_to("node3"), 40000), "node3 does not stream after power on");
}

static void freeze(void)
{
    const char *fill[] = {"disk-full", "node2", "--free-bytes", "64M", NULL};
    const char *fr[] = {"freeze", "node2", NULL};
    const char *th[] = {"thaw", "node2", NULL};
    const char *all[] = {"heal", "--all", NULL};
    char ids[16];
    const char *hd[] = {"heal", ids, NULL};
    int id, disk;

    /* a ballast on a node that is then frozen: it cannot be removed until the
     * node is thawed, and heal --all goes newest first */
    cr_assert_eq(ogfault(fill), 0, "%s %s", res.out, res.err);
    disk = fault_id();
    cr_assert_eq(ogfault(fr), 0, "%s %s", res.out, res.err);
    id = fault_id();
    cr_assert_eq(dom_state("node2"), NODE_PAUSED);
    cr_assert_not(ssh_ok("node1", "node2"), "a frozen node answered ssh");
    snprintf(ids, sizeof(ids), "%d", disk);
    cr_assert_neq(ogfault(hd), 0, "a ballast was removed from a frozen node");
    cr_assert_not_null(strstr(res.err, "[OGUP-60154]"), "%s", res.err);
    cr_assert_str_eq(state_of(disk), "active");
    cr_assert_eq(ogfault(all), 0, "%s %s", res.out, res.err);
    cr_assert_str_eq(res.out, "ogfault: healed 2 faults\n");
    cr_assert_str_eq(state_of(id), "healed");
    cr_assert_str_eq(state_of(disk), "healed");
    cr_assert_eq(dom_state("node2"), NODE_RUNNING);
    cr_assert(ssh_ok("node1", "node2"));
    /* freeze / thaw by name */
    cr_assert_eq(ogfault(fr), 0, "%s %s", res.out, res.err);
    id = fault_id();
    cr_assert_eq(dom_state("node2"), NODE_PAUSED);
    cr_assert_eq(ogfault(th), 0, "%s %s", res.out, res.err);
    cr_assert_eq(fault_id(), id);
    cr_assert_str_eq(state_of(id), "healed");
    cr_assert_eq(dom_state("node2"), NODE_RUNNING);
    cr_assert(ssh_ok("node1", "node2"));
    cr_assert_neq(ogfault(th), 0, "a second thaw");
    cr_assert_not_null(strstr(res.err, "[OGUP-60151]"), "%s", res.err);
}

static void failpoint(void)
{
    const char *fp[] = {"failpoint", "inplace.switch-bin.before=kill", NULL};
    const char *bad[] = {"failpoint", "inplace.no-such.before=kill", NULL};
    const char *show[] = {"failpoint", NULL};
    int id;

    cr_assert_eq(ogfault(fp), 0, "%s %s", res.out, res.err);
    id = fault_id();
    cr_assert_not_null(strstr(res.out, "\nOGUP_FAILPOINTS=inplace.switch-bin.before=kill\n"), "%s",
                       res.out);
    cr_assert_eq(ogfault(show), 0);
    cr_assert_str_eq(res.out, "OGUP_FAILPOINTS=inplace.switch-bin.before=kill\n");
    cr_assert_neq(ogfault(bad), 0);
    cr_assert_not_null(strstr(res.err, "[OGUP-60091]"), "%s", res.err);
    heal(id);
    cr_assert_eq(ogfault(show), 0);
    cr_assert_str_eq(res.out, "OGUP_FAILPOINTS=\n");
}

/* The injector dies after writing the ledger, then after the effect: the
 * sweep heals both, and what a crash left without any entry. */
static void crashed_injector(void)
{
    const char *cut[] = {"net-cut", "node3", NULL};
    const char *part[] = {"partition", "node1", "node2", NULL};
    const char *sweep[] = {"sweep", NULL};
    const char *list[] = {"list", NULL};
    const char *stray[] = {"fallocate", "-l", "1M", NULL, NULL};
    char stray_path[600];
    _cleanup_free_ char *rules = NULL;
    int first, second, third;

    cr_assert_eq(ogfault_fp("fault.install.after-ledger=kill", cut), 128 + SIGKILL, "%s %s",
                 res.out, res.err);
    /* the newest entry of the ledger: the last line of the list */
    cr_assert_eq(ogfault(list), 0);
    {
        const char *l = res.out, *p;
        for (p = strchr(l, '\n'); p && p[1]; p = strchr(p + 1, '\n'))
            l = p + 1;
        first = atoi(l);
    }
    cr_assert_gt(first, 0, "%s", res.out);
    cr_assert_str_eq(state_of(first), "installing");
    cr_assert(veth_up("node3"), "nothing was installed yet");

    cr_assert_eq(ogfault_fp("fault.install.after-effect=kill", cut), 128 + SIGKILL, "%s %s",
                 res.out, res.err);
    second = first + 1;
    cr_assert_str_eq(state_of(second), "installing");
    cr_assert_not(veth_up("node3"), "the cut took effect");
    cr_assert_not(ssh_ok("node1", "node3"));

    cr_assert_eq(ogfault_fp("fault.install.after-effect=kill", part), 128 + SIGKILL);
    third = second + 1;
    cr_assert_str_eq(state_of(third), "installing");
    cr_assert_not(ssh_ok("node1", "node2"), "the partition took effect");
    rules = chain_rules();
    cr_assert_neq(rules[0], '\0');

    /* a ballast no entry owns (a crash before any ledger existed) */
    snprintf(stray_path, sizeof(stray_path), "%s/ogfault-ballast-999", c.data_mount);
    stray[3] = stray_path;
    cr_assert_eq(node_run("node2", "root", stray), 0, "%s", res.err);

    cr_assert_eq(ogfault(sweep), 0, "%s %s", res.out, res.err);
    cr_assert_not_null(strstr(res.out, "healed 3 faults"), "%s", res.out);
    cr_assert_not_null(strstr(res.out, "ogfault-ballast-999"), "%s", res.out);
    cr_assert_str_eq(state_of(first), "healed");
    cr_assert_str_eq(state_of(second), "healed");
    cr_assert_str_eq(state_of(third), "healed");
    cr_assert(veth_up("node3"));
    cr_assert(ssh_ok("node1", "node3"), "the sweep did not restore node3");
    cr_assert(ssh_ok("node1", "node2"), "the sweep did not end the partition");
    {
        char chain[40];
        const char *ls[] = {"test", "-e", stray_path, NULL};
        netfilter_chain_name(name, chain, sizeof(chain));
        cr_assert_not(netfilter_chain_exists(chain));
        cr_assert_neq(node_run("node2", "root", ls), 0, "the stray ballast is still there");
    }
    /* healed, the standbys cut off (node3) and partitioned (node2) stream
     * again; a dropped one reconnects within wal_retrieve_retry_interval */
    cr_assert(WAIT_UNTIL(streams_to("node3"), 40000), "node3 did not reconnect after the sweep");
    cr_assert(WAIT_UNTIL(streams_to("node2"), 40000), "node2 did not reconnect after the sweep");
    /* a second sweep finds nothing to do */
    cr_assert_eq(ogfault(sweep), 0, "%s %s", res.out, res.err);
    cr_assert_null(strstr(res.out, "healed"), "%s", res.out);
    cr_assert_null(strstr(res.out, "removed"), "%s", res.out);
}

static void refusals(void)
{
    const char *unknown[] = {"heal", "9999", NULL};
    const char *nonode[] = {"net-cut", "node9", NULL};
    const char *pct[] = {"net-loss", "node1", "--percent", "0", NULL};
    const char *self[] = {"partition", "node1", "node1", NULL};

    cr_assert_neq(ogfault(unknown), 0);
    cr_assert_not_null(strstr(res.err, "[OGUP-60151]"), "%s", res.err);
    cr_assert_neq(ogfault(nonode), 0);
    cr_assert_not_null(strstr(res.err, "[GAUSS-51619]"), "%s", res.err);
    cr_assert_neq(ogfault(pct), 0);
    cr_assert_neq(ogfault(self), 0);
}

/* How many processes mention s in their command line (a VM's virtiofsd
 * names its share, under the cluster's state directory). */
static int procs_naming(const char *s)
{
    DIR *d = opendir("/proc");
    struct dirent *de;
    int n = 0;

    cr_assert_not_null(d);
    while ((de = readdir(d))) {
        char p[300], buf[8192];
        ssize_t len;
        int fd;
        if (de->d_name[0] < '0' || de->d_name[0] > '9')
            continue;
        snprintf(p, sizeof(p), "/proc/%s/cmdline", de->d_name);
        fd = open(p, O_RDONLY | O_CLOEXEC);
        len = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);
        if (fd >= 0)
            close(fd);
        if (len <= 0)
            continue;
        for (ssize_t i = 0; i < len; i++)
            buf[i] = buf[i] ? buf[i] : ' ';
        buf[len] = '\0';
        n += strstr(buf, s) != NULL;
    }
    closedir(d);
    return n;
}

/* down removes the domains, the network, the state and (VMs) every helper
 * process of the nodes. */
static void down_leaves_nothing(void)
{
    struct simdriver *d = NULL;
    struct og_error err = {0};

    cr_assert_eq(sim_down(name, NULL, &err), 0, "%s", err.detail);
    cr_assert_eq(simdriver_open(c.driver, c.uri, &d, NULL), 0);
    for (size_t i = 0; i < c.n_nodes; i++)
        cr_assert_eq(simdriver_ops(d)->node_state(d, c.nodes[i].domain), NODE_ABSENT, "%s",
                     c.nodes[i].domain);
    cr_assert_not(simdriver_ops(d)->net_exists(d, c.net_name));
    simdriver_close(d);
    cr_assert_neq(access(c.state_dir, F_OK), 0, "%s is left", c.state_dir);
    cr_assert_eq(procs_naming(c.state_dir), 0, "processes of %s are left", c.state_dir);
}

static void every_fault(const char *driver)
{
    struct sim_up_opts o = {.name = name,
                            .driver = driver,
                            .nodes = 3,
                            .version = "2.0.0",
                            .databases = 1,
                            .data_mib = 256,
                            .quiet = true};
    static const struct {
        const char *what;
        void (*fn)(void);
    } steps[] = {
        {"disk-full", disk_full}, {"net-cut", net_cut},
        {"net-loss", net_loss},   {"partition", partition},
        {"kill-db", kill_db},     {"kill-upgrader", kill_upgrader},
        {"power-off", power_off}, {"freeze/thaw", freeze},
        {"failpoint", failpoint}, {"crashed injector + sweep", crashed_injector},
        {"refusals", refusals},
    };
    struct og_error err = {0};
    long long t0 = ms();

    cr_assert_eq(sim_up(&o, &c, &err), 0, "%s", err.detail);
    fprintf(stderr, "test_fault (%s): up %lld ms\n", driver, ms() - t0);
    for (size_t i = 0; i < ELEMENTSOF(steps); i++) {
        long long t = ms();
        steps[i].fn();
        fprintf(stderr, "test_fault (%s): %-26s %6lld ms\n", driver, steps[i].what, ms() - t);
    }
    /* every fault of the run is healed and the cluster is whole */
    {
        _cleanup_dynbuf_ struct dynbuf st = {0};
        const char *list[] = {"list", NULL};
        cr_assert_eq(ogfault(list), 0);
        cr_assert_null(strstr(res.out, " installing "), "%s", res.out);
        cr_assert_null(strstr(res.out, " active "), "%s", res.out);
        dynbuf_init(&st, 1 << 20);
        cr_assert_eq(sim_status(&c, false, &st, &err), 0, "%s", err.detail);
        cr_assert_not_null(strstr(st.buf, "cluster_state   : Normal\n"), "%s", st.buf);
    }
    fprintf(stderr, "test_fault (%s): total %lld ms\n", driver, ms() - t0);
    down_leaves_nothing();
}

Test(fault, every_fault_shows_its_effect_and_heals)
{
    every_fault("lxc");
}

/* The same faults on full VMs (issue 17): the data disk a virtio disk of the
 * VM, net faults on its tap device, power-off a destroy of the VM (its
 * kernel's page cache lost), freeze a pause of the VM. ci/gate.sh runs it
 * (TCG: minutes). */
TestSuite(fault_qemu, .init = setup, .fini = teardown, .timeout = 2400);

Test(fault_qemu, every_fault_shows_its_effect_and_heals_on_vms)
{
    every_fault("qemu");
}
