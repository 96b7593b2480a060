/* SPDX-License-Identifier: MulanPSL-2.0 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "failpoint.h"
#include "fault.h"
#include "grey.h"
#include "netfilter.h"
#include "parse.h"
#include "simcluster.h"
#include "simdriver.h"
#include "banned.h"

#define EXEC_TIMEOUT_MS     (60 * 1000)
#define DB_START_TIMEOUT_MS (180 * 1000)
#define BALLAST_PREFIX      "ogfault-ballast-"
#define FILL_ROUNDS         8

struct fault {
    struct sim_cluster c;
    char ledger_path[PATH_MAX];
    struct lockfile *lock;
    struct ledger *l;
    struct simdriver *d; /* opened on first use */
};

static const struct failpoint_def fault_points[] = {
    {"fault.install.after-ledger", "the ledger says installing, nothing is installed yet"},
    {"fault.install.after-effect", "the fault is installed, the ledger still says installing"},
    {"fault.heal.after-effect", "the fault is undone, the ledger still says it is not healed"},
};

int fault_register_failpoints(void)
{
    int r = ledger_register_failpoints();

    return r < 0 ? r : failpoint_register_all(fault_points, ELEMENTSOF(fault_points));
}

void fault_ledger_path(const char *cluster, char *buf, size_t size)
{
    snprintf(buf, size, "%s/%s/%s", sim_state_root(), cluster, LEDGER_FILE);
}

int fault_open(const char *cluster, int timeout_ms, struct fault **ret, struct og_error *err)
{
    struct fault *f = calloc(1, sizeof(*f));
    int r;

    if (!f)
        return og_error_set(err, OG_E_NOMEM, "fault");
    r = sim_load(cluster, &f->c, err);
    if (r == 0)
        r = ledger_lock(f->c.state_dir, timeout_ms, &f->lock, err);
    if (r == 0) {
        fault_ledger_path(cluster, f->ledger_path, sizeof(f->ledger_path));
        r = ledger_load(f->ledger_path, cluster, &f->l, err);
    }
    if (r < 0) {
        fault_close(f);
        return r;
    }
    *ret = f;
    return 0;
}

void fault_close(struct fault *f)
{
    if (!f)
        return;
    ledger_free(f->l);
    simdriver_close(f->d);
    lockfile_release(f->lock);
    free(f);
}

const struct ledger *fault_ledger(const struct fault *f)
{
    return f->l;
}

static int save(struct fault *f, struct og_error *err)
{
    return ledger_save(f->l, f->ledger_path, err);
}

/* The number on the first line of out (cut there), as safe_atolli_range
 * takes it: 0, or -EINVAL / -ERANGE. */
static int first_line_ll(char *out, long long min, long long max, long long *ret)
{
    out[strcspn(out, "\n")] = '\0';
    return safe_atolli_range(out, min, max, ret);
}

/* The fault id at s in a name the ledger made (a rule's tag, a ballast
 * file's name): the decimal digits there, up to the first other character;
 * 0, which no fault has, when there is none. */
static int id_at(const char *s)
{
    char digits[16];
    size_t len = strspn(s, "0123456789");
    int id;

    if (len == 0 || len >= sizeof(digits))
        return 0;
    memcpy(digits, s, len);
    digits[len] = '\0';
    return safe_atoi(digits, &id) == 0 ? id : 0;
}

/* ---- nodes ------------------------------------------------------------------------- */

static const struct sim_node *find_node(const struct fault *f, const char *name,
                                        struct og_error *err)
{
    for (size_t i = 0; name && i < f->c.n_nodes; i++)
        if (strcmp(f->c.nodes[i].name, name) == 0)
            return &f->c.nodes[i];
    og_error_set(err, OG_E_NODE_UNKNOWN, "The host name [%s] is not in the cluster %s.",
                 name ? name : "", f->c.name);
    return NULL;
}

static int driver(struct fault *f, struct simdriver **ret, struct og_error *err)
{
    int r = 0;

    if (!f->d)
        r = simdriver_open(f->c.driver, f->c.uri, &f->d, err);
    *ret = f->d;
    return r;
}

static int node_state(struct fault *f, const struct sim_node *n, enum node_state *ret,
                      struct og_error *err)
{
    struct simdriver *d;
    int r = driver(f, &d, err);

    if (r == 0)
        *ret = simdriver_ops(d)->node_state(d, n->domain);
    return r;
}

static int need_running(struct fault *f, const struct sim_node *n, struct og_error *err)
{
    enum node_state st = NODE_OTHER;
    int r = node_state(f, n, &st, err);

    if (r < 0)
        return r;
    if (st != NODE_RUNNING)
        return og_error_set(err, OG_E_FAULT_TARGET, "the node %s is not running (%s)", n->name,
                            st == NODE_PAUSED ? "frozen" : "powered off");
    return 0;
}

/* Run argv inside node as user; the result in res (exit status not checked). */
static int in_node(struct fault *f, const struct sim_node *n, const char *user,
                   const char *const *argv, int timeout_ms, struct command_result *res,
                   struct og_error *err)
{
    command_result_done(res);
    return sim_exec(&f->c, n->name, user, argv, timeout_ms, res, err);
}

/* ... and it must exit 0. */
static int in_node_ok(struct fault *f, const struct sim_node *n, const char *user,
                      const char *const *argv, int timeout_ms, struct command_result *res,
                      struct og_error *err)
{
    int r = in_node(f, n, user, argv, timeout_ms, res, err);

    if (r == 0 && res->exit_status != 0) {
        size_t el = res->err_len;
        r = og_error_set(err, OG_E_EXEC_FAILED, "on %s, \"%s\" exited with %d: %s", n->name,
                         argv[0], res->exit_status, el > 600 ? res->err + el - 600 : res->err);
    }
    return r;
}

/* The server's pid from postmaster.pid when it runs; 0 when it does not. */
static int db_pid(struct fault *f, const struct sim_node *n, long *ret, struct og_error *err)
{
    _cleanup_command_result_ struct command_result res = {0};
    char pidfile[PATH_MAX + 32], pid_s[32];
    const char *cat[] = {"cat", pidfile, NULL};
    const char *probe[] = {"kill", "-0", pid_s, NULL};
    long long pid;
    int r;

    *ret = 0;
    snprintf(pidfile, sizeof(pidfile), "%s/postmaster.pid", f->c.datadir);
    r = in_node(f, n, "omm", cat, EXEC_TIMEOUT_MS, &res, err);
    if (r < 0 || res.exit_status != 0)
        return r;
    if (first_line_ll(res.out, 2, LONG_MAX, &pid) < 0)
        return og_error_set(err, OG_E_CONTENT_INVALID, "on %s, %s does not start with a pid",
                            n->name, pidfile);
    snprintf(pid_s, sizeof(pid_s), "%lld", pid);
    r = in_node(f, n, "omm", probe, EXEC_TIMEOUT_MS, &res, err);
    if (r == 0 && res.exit_status == 0)
        *ret = (long)pid;
    return r;
}

/* gs_ctl start (the instance's own role: standby.signal) unless it runs. */
static int db_start(struct fault *f, const struct sim_node *n, struct og_error *err)
{
    _cleanup_command_result_ struct command_result res = {0};
    char bin[PATH_MAX + 16];
    const char *start[] = {bin, "start", "-D", f->c.datadir, NULL};
    long pid = 0;
    int r = db_pid(f, n, &pid, err);

    if (r < 0 || pid > 0)
        return r;
    snprintf(bin, sizeof(bin), "%s/bin/gs_ctl", f->c.app_path);
    r = in_node(f, n, "omm", start, DB_START_TIMEOUT_MS, &res, err);
    if (r == 0 && res.exit_status != 0) {
        size_t ol = res.out_len;
        r = og_error_set(err, OG_E_EXEC_FAILED, "on %s, gs_ctl start exited with %d: %s%s", n->name,
                         res.exit_status, ol > 800 ? res.out + ol - 800 : res.out, res.err);
    }
    return r;
}

/* ---- prepare: the undo information, before anything is written ---------------------- */

static void rule(struct ledger_entry *e, const char *fmt, ...) _printf_(2, 3);
static void rule(struct ledger_entry *e, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(e->undo.rules[e->undo.n_rules++], LEDGER_RULE_MAX, fmt, ap);
    va_end(ap);
}

static int prepare_disk_full(struct fault *f, const struct fault_req *q, const struct sim_node *n,
                             struct ledger_entry *e, struct og_error *err)
{
    int r;

    if (q->free_bytes < 0)
        return og_error_set(err, OG_E_PARAM_INVALID, "--free-bytes must not be negative");
    r = need_running(f, n, err);
    if (r < 0)
        return r;
    e->params.free_bytes = q->free_bytes;
    snprintf(e->undo.domain, sizeof(e->undo.domain), "%s", n->domain);
    snprintf(e->undo.path, sizeof(e->undo.path), "%s/" BALLAST_PREFIX "%d", f->c.data_mount, e->id);
    return 0;
}

static int prepare_net_loss(struct fault *f, const struct fault_req *q, const struct sim_node *n,
                            const char *tag, struct ledger_entry *e, struct og_error *err)
{
    char stat[96] = "";

    if (q->percent < 1 || q->percent > 100)
        return og_error_set(err, OG_E_PARAM_INVALID, "--percent must be 1..100, not %d",
                            q->percent);
    e->params.percent = q->percent;
    netfilter_chain_name(f->c.name, e->undo.chain, sizeof(e->undo.chain));
    if (q->percent < 100)
        snprintf(stat, sizeof(stat), " -m statistic --mode random --probability %d.%02d",
                 q->percent / 100, q->percent % 100);
    /* frames from the node (to peers: FORWARD; to the host: INPUT), frames
     * to it from peers (FORWARD), packets to it from the host (OUTPUT) */
    rule(e, "-m physdev --physdev-in %s%s -m comment --comment %s -j DROP", n->veth, stat, tag);
    rule(e,
         "-m physdev --physdev-out %s --physdev-is-bridged%s -m comment --comment %s -j "
         "DROP",
         n->veth, stat, tag);
    rule(e, "-s %s/32 -d %s/32%s -m comment --comment %s -j DROP", f->c.host_ip, n->ip, stat, tag);
    return 0;
}

static int prepare_partition(struct fault *f, const struct fault_req *q, const struct sim_node *n,
                             const char *tag, struct ledger_entry *e, struct og_error *err)
{
    const struct sim_node *m = find_node(f, q->node2, err);

    if (!m)
        return -OG_E_NODE_UNKNOWN;
    if (m == n)
        return og_error_set(err, OG_E_PARAM_INVALID, "a partition needs two different nodes");
    snprintf(e->nodes[e->n_nodes++], sizeof(e->nodes[0]), "%s", m->name);
    netfilter_chain_name(f->c.name, e->undo.chain, sizeof(e->undo.chain));
    rule(e,
         "-m physdev --physdev-in %s --physdev-out %s --physdev-is-bridged -m comment "
         "--comment %s -j DROP",
         n->veth, m->veth, tag);
    rule(e,
         "-m physdev --physdev-in %s --physdev-out %s --physdev-is-bridged -m comment "
         "--comment %s -j DROP",
         m->veth, n->veth, tag);
    return 0;
}

static int prepare_kill_db(struct fault *f, const struct sim_node *n, struct ledger_entry *e,
                           struct og_error *err)
{
    long pid = 0;
    int r = need_running(f, n, err);

    if (r == 0)
        r = db_pid(f, n, &pid, err);
    if (r < 0)
        return r;
    if (pid <= 0)
        return og_error_set(err, OG_E_FAULT_TARGET, "no gaussdb runs on %s", n->name);
    e->undo.pid = pid;
    e->undo.restart_db = true;
    return 0;
}

/* pgrep's answer: a pid a line; the pids above 1 kept, up to the first
 * token that is not a number. */
static void add_pids(char *out, struct fault_params *p)
{
    char *save = NULL;

    for (char *t = strtok_r(out, " \t\n", &save); t && p->n_pids < LEDGER_PIDS_MAX;
         t = strtok_r(NULL, " \t\n", &save)) {
        long long v;
        if (safe_atolli_range(t, LONG_MIN, LONG_MAX, &v) < 0)
            break;
        if (v > 1)
            p->pids[p->n_pids++] = (long)v;
    }
}

static int prepare_kill_upgrader(struct fault *f, const struct sim_node *n, struct ledger_entry *e,
                                 struct og_error *err)
{
    _cleanup_command_result_ struct command_result res = {0};
    const char *pg[] = {"pgrep", "-u", "omm", "-x", "gs_upgradectl", NULL};
    int r = need_running(f, n, err);

    if (r == 0)
        r = in_node(f, n, "root", pg, EXEC_TIMEOUT_MS, &res, err);
    if (r < 0)
        return r;
    add_pids(res.out, &e->params);
    if (e->params.n_pids == 0)
        return og_error_set(err, OG_E_FAULT_TARGET, "no gs_upgradectl of omm runs on %s", n->name);
    return 0;
}

static int prepare_power_off(struct fault *f, const struct sim_node *n, struct ledger_entry *e,
                             struct og_error *err)
{
    enum node_state st = NODE_OTHER;
    long pid = 0;
    int r = node_state(f, n, &st, err);

    if (r < 0)
        return r;
    if (st != NODE_RUNNING && st != NODE_PAUSED)
        return og_error_set(err, OG_E_FAULT_TARGET, "the node %s is already off", n->name);
    snprintf(e->undo.domain, sizeof(e->undo.domain), "%s", n->domain);
    /* a frozen node cannot be asked: its instance is assumed running */
    e->undo.restart_db = true;
    if (st == NODE_RUNNING) {
        r = db_pid(f, n, &pid, err);
        if (r < 0)
            return r;
        e->undo.restart_db = pid > 0;
    }
    return 0;
}

static int prepare_freeze(struct fault *f, const struct sim_node *n, struct ledger_entry *e,
                          struct og_error *err)
{
    int r = need_running(f, n, err);

    if (r < 0)
        return r;
    snprintf(e->undo.domain, sizeof(e->undo.domain), "%s", n->domain);
    return 0;
}

static int prepare_failpoint(const struct fault_req *q, struct ledger_entry *e,
                             struct og_error *err)
{
    int r = fault_failpoint_check(q->spec, err);

    if (r < 0)
        return r;
    snprintf(e->params.spec, sizeof(e->params.spec), "%s", q->spec);
    return 0;
}

/* The entry's node(s), parameters and undo information, per kind, before
 * anything is written or installed. */
static int prepare(struct fault *f, const struct fault_req *q, struct ledger_entry *e,
                   struct og_error *err)
{
    const struct sim_node *n = NULL;
    char tag[96];

    if (q->kind != FAULT_FAILPOINT) {
        n = find_node(f, q->node, err);
        if (!n)
            return -OG_E_NODE_UNKNOWN;
        snprintf(e->nodes[e->n_nodes++], sizeof(e->nodes[0]), "%s", n->name);
    }
    snprintf(tag, sizeof(tag), "ogfault:%s:%d", f->c.name, e->id);
    switch (q->kind) {
    case FAULT_DISK_FULL:
        return prepare_disk_full(f, q, n, e, err);
    case FAULT_NET_CUT:
        snprintf(e->undo.veth, sizeof(e->undo.veth), "%s", n->veth);
        return 0;
    case FAULT_NET_LOSS:
        return prepare_net_loss(f, q, n, tag, e, err);
    case FAULT_PARTITION:
        return prepare_partition(f, q, n, tag, e, err);
    case FAULT_KILL_DB:
        return prepare_kill_db(f, n, e, err);
    case FAULT_KILL_UPGRADER:
        return prepare_kill_upgrader(f, n, e, err);
    case FAULT_POWER_OFF:
        return prepare_power_off(f, n, e, err);
    case FAULT_FREEZE:
        return prepare_freeze(f, n, e, err);
    case FAULT_FAILPOINT:
        return prepare_failpoint(q, e, err);
    case FAULT_KIND_COUNT:
        break;
    }
    return og_error_set(err, OG_E_INVALID_ARG, "fault kind %d", (int)q->kind);
}

/* ---- effects -------------------------------------------------------------------------- */

/* Bytes available to non-root users on the node's data filesystem. */
static int avail_bytes(struct fault *f, const struct sim_node *n, long long *ret,
                       struct og_error *err)
{
    _cleanup_command_result_ struct command_result res = {0};
    const char *a[] = {"stat", "-f", "-c", "%a %S", f->c.data_mount, NULL};
    long long blocks = 0, bsize = 0;
    int r = in_node_ok(f, n, "root", a, EXEC_TIMEOUT_MS, &res, err);

    if (r < 0)
        return r;
    if (sscanf(res.out, "%lld %lld", &blocks, &bsize) != 2 || blocks < 0 || bsize <= 0)
        return og_error_set(err, OG_E_CONTENT_INVALID, "stat -f printed \"%s\"", res.out);
    *ret = blocks * bsize;
    return 0;
}

static int file_size(struct fault *f, const struct sim_node *n, const char *path, long long *ret,
                     struct og_error *err)
{
    _cleanup_command_result_ struct command_result res = {0};
    const char *a[] = {"stat", "-c", "%s", path, NULL};
    int r = in_node(f, n, "root", a, EXEC_TIMEOUT_MS, &res, err);
    long long size;

    *ret = 0;
    if (r == 0 && res.exit_status == 0 && first_line_ll(res.out, LLONG_MIN, LLONG_MAX, &size) == 0)
        *ret = size;
    return r;
}

/* Grow the ballast (root may use the blocks reserved for root, so the
 * instance, which runs as omm, sees ENOSPC) until what omm may still use is
 * at most free_bytes. Extents need metadata blocks: a refused fallocate is
 * retried smaller, and the space is measured again after each round. */
static int fill(struct fault *f, const struct sim_node *n, struct ledger_entry *e,
                struct og_error *err)
{
    _cleanup_command_result_ struct command_result res = {0};
    long long avail = 0, have = 0;
    int r = avail_bytes(f, n, &avail, err);

    if (r < 0)
        return r;
    if (avail <= e->params.free_bytes)
        return og_error_set(err, OG_E_FAULT_TARGET,
                            "only %lld bytes are free on %s:%s, not more than --free-bytes %lld",
                            avail, n->name, f->c.data_mount, e->params.free_bytes);
    for (int round = 0; round < FILL_ROUNDS && avail > e->params.free_bytes; round++) {
        long long len = avail - e->params.free_bytes;
        bool grew = false;
        while (len > 0 && !grew) {
            char off_s[32], len_s[32];
            const char *a[] = {"fallocate", "-o", off_s, "-l", len_s, e->undo.path, NULL};
            snprintf(off_s, sizeof(off_s), "%lld", have);
            snprintf(len_s, sizeof(len_s), "%lld", len);
            r = in_node(f, n, "root", a, EXEC_TIMEOUT_MS, &res, err);
            if (r < 0)
                return r;
            grew = res.exit_status == 0;
            if (!grew) {
                long long step = len / 16 > 65536 ? len / 16 : 65536;
                len -= step;
            }
        }
        r = file_size(f, n, e->undo.path, &have, err);
        if (r == 0)
            r = avail_bytes(f, n, &avail, err);
        if (r < 0)
            return r;
        if (!grew)
            break;
    }
    e->params.ballast_bytes = have;
    if (have == 0)
        return og_error_set(err, OG_E_FAULT_INSTALL, "fallocate on %s made no ballast: %s", n->name,
                            res.err);
    return 0;
}

static int apply(struct fault *f, struct ledger_entry *e, struct og_error *err)
{
    const struct sim_node *n = e->n_nodes ? find_node(f, e->nodes[0], err) : NULL;
    _cleanup_command_result_ struct command_result res = {0};
    struct simdriver *d;
    int r = 0;

    if (e->kind != FAULT_FAILPOINT && !n)
        return -OG_E_NODE_UNKNOWN;
    switch (e->kind) {
    case FAULT_DISK_FULL:
        return fill(f, n, e, err);
    case FAULT_NET_CUT:
        return netfilter_link_set(e->undo.veth, false, err);
    case FAULT_NET_LOSS:
    case FAULT_PARTITION:
        r = netfilter_chain_ensure(e->undo.chain, err);
        for (size_t i = 0; r == 0 && i < e->undo.n_rules; i++)
            r = netfilter_rule_add(e->undo.chain, e->undo.rules[i], err);
        return r;
    case FAULT_KILL_DB: {
        char pid_s[32];
        const char *kill9[] = {"kill", "-9", pid_s, NULL};
        const char *probe[] = {"kill", "-0", pid_s, NULL};
        snprintf(pid_s, sizeof(pid_s), "%ld", e->undo.pid);
        r = in_node_ok(f, n, "omm", kill9, EXEC_TIMEOUT_MS, &res, err);
        /* gone once ogsim-init (the node's PID 1) has reaped it */
        for (int k = 0; r == 0 && k < 100; k++) {
            r = in_node(f, n, "omm", probe, EXEC_TIMEOUT_MS, &res, err);
            if (r < 0 || res.exit_status != 0)
                break;
            usleep(50 * 1000);
        }
        return r;
    }
    case FAULT_KILL_UPGRADER: {
        const char *a[LEDGER_PIDS_MAX + 3];
        char pids[LEDGER_PIDS_MAX][24];
        size_t k = 0;
        a[k++] = "kill";
        a[k++] = "-9";
        for (size_t i = 0; i < e->params.n_pids; i++) {
            snprintf(pids[i], sizeof(pids[i]), "%ld", e->params.pids[i]);
            a[k++] = pids[i];
        }
        a[k] = NULL;
        /* one may have ended meanwhile: kill's exit status is not the point */
        return in_node(f, n, "omm", a, EXEC_TIMEOUT_MS, &res, err);
    }
    case FAULT_POWER_OFF:
        return sim_node_power(&f->c, n->name, false, err);
    case FAULT_FREEZE:
        r = driver(f, &d, err);
        if (r == 0)
            r = simdriver_ops(d)->node_suspend(d, e->undo.domain, true, err);
        return r;
    case FAULT_FAILPOINT:
        return 0;
    case FAULT_KIND_COUNT:
        break;
    }
    return og_error_set(err, OG_E_INVALID_ARG, "fault kind %d", (int)e->kind);
}

/* Remove the rules; the chain goes too once it holds none. */
static int unrule(struct ledger_entry *e, struct og_error *err)
{
    _cleanup_free_ char *left = NULL;
    int r = 0;

    for (size_t i = 0; r == 0 && i < e->undo.n_rules; i++)
        r = netfilter_rule_del(e->undo.chain, e->undo.rules[i], err);
    if (r == 0)
        r = netfilter_rule_list(e->undo.chain, &left, err);
    if (r == 0 && !left[0])
        r = netfilter_chain_remove(e->undo.chain, err);
    return r;
}

static int undo(struct fault *f, struct ledger_entry *e, struct og_error *err)
{
    const struct sim_node *n = e->n_nodes ? find_node(f, e->nodes[0], err) : NULL;
    _cleanup_command_result_ struct command_result res = {0};
    enum node_state st = NODE_OTHER;
    struct simdriver *d;
    int r = 0;

    if (e->kind != FAULT_FAILPOINT && !n)
        return -OG_E_NODE_UNKNOWN;
    switch (e->kind) {
    case FAULT_DISK_FULL: {
        const char *rm[] = {"rm", "-f", "--", e->undo.path, NULL};
        r = need_running(f, n, err);
        if (r == 0)
            r = in_node_ok(f, n, "root", rm, EXEC_TIMEOUT_MS, &res, err);
        return r;
    }
    case FAULT_NET_CUT:
        r = netfilter_link_set(e->undo.veth, true, err);
        if (r == -OG_E_NOT_EXIST) { /* the node is off: its next veth comes up */
            og_error_clear(err);
            r = 0;
        }
        return r;
    case FAULT_NET_LOSS:
    case FAULT_PARTITION:
        return unrule(e, err);
    case FAULT_KILL_DB:
        if (!e->undo.restart_db)
            return 0;
        r = need_running(f, n, err);
        return r < 0 ? r : db_start(f, n, err);
    case FAULT_POWER_OFF:
        r = node_state(f, n, &st, err);
        if (r == 0 && st == NODE_PAUSED) {
            r = driver(f, &d, err);
            if (r == 0)
                r = simdriver_ops(d)->node_suspend(d, n->domain, false, err);
        } else if (r == 0) {
            r = sim_node_power(&f->c, n->name, true, err);
        }
        if (r == 0 && e->undo.restart_db)
            r = db_start(f, n, err);
        return r;
    case FAULT_FREEZE:
        r = node_state(f, n, &st, err);
        if (r == 0 && st == NODE_PAUSED) {
            r = driver(f, &d, err);
            if (r == 0)
                r = simdriver_ops(d)->node_suspend(d, e->undo.domain, false, err);
        }
        return r;
    case FAULT_KILL_UPGRADER:
    case FAULT_FAILPOINT:
        return 0; /* nothing to undo */
    case FAULT_KIND_COUNT:
        break;
    }
    return og_error_set(err, OG_E_INVALID_ARG, "fault kind %d", (int)e->kind);
}

/* ---- inject / heal ------------------------------------------------------------------------ */

int fault_inject(struct fault *f, const struct fault_req *q, int *ret_id, struct og_error *err)
{
    struct ledger_entry *e;
    int id, r = ledger_add(f->l, q->kind, &e, err);

    if (r < 0)
        return r;
    id = e->id;
    r = prepare(f, q, e, err);
    if (r < 0) {
        /* nothing was recorded nor installed */
        f->l->n--;
        f->l->next_id--;
        return r;
    }
    r = save(f, err);
    if (r < 0)
        return r;
    if (ret_id)
        *ret_id = id;
    r = failpoint_hit("fault.install.after-ledger", err);
    if (r == 0) {
        r = apply(f, e, err);
        if (r < 0 && r != -OG_E_FAULT_TARGET && r != -OG_E_FAULT_INSTALL)
            r = og_error_set(err, OG_E_FAULT_INSTALL, "could not be installed");
    }
    if (r == 0)
        r = failpoint_hit("fault.install.after-effect", err);
    if (r == 0) {
        r = ledger_entry_set_state(e, FAULT_ACTIVE, err);
        return r < 0 ? r : save(f, err);
    }
    /* undo what part of it took effect; the entry stays installing when
     * that fails too, for heal or sweep */
    {
        struct og_error uerr = {0};
        snprintf(e->error, sizeof(e->error), "install: %s", err ? err->detail : "");
        if (undo(f, e, &uerr) == 0)
            ledger_entry_set_state(e, FAULT_HEALED, NULL);
        else
            snprintf(e->error + strlen(e->error), sizeof(e->error) - strlen(e->error), "; undo: %s",
                     uerr.detail);
        save(f, NULL);
    }
    og_error_prefix(err, "fault %d (%s)", id, fault_kind_name(q->kind));
    return r;
}

static int heal_entry(struct fault *f, struct ledger_entry *e, struct og_error *err)
{
    int r;

    if (e->state == FAULT_HEALED)
        return 0;
    r = undo(f, e, err);
    if (r < 0)
        r = og_error_set(err, OG_E_FAULT_HEAL, "could not be healed");
    if (r == 0)
        r = failpoint_hit("fault.heal.after-effect", err);
    if (r < 0) {
        snprintf(e->error, sizeof(e->error), "heal: %s", err ? err->detail : "");
        save(f, NULL);
        og_error_prefix(err, "fault %d (%s %s)", e->id, fault_kind_name(e->kind),
                        e->n_nodes ? e->nodes[0] : "");
        return r;
    }
    e->error[0] = '\0';
    r = ledger_entry_set_state(e, FAULT_HEALED, err);
    return r < 0 ? r : save(f, err);
}

int fault_heal(struct fault *f, int id, struct og_error *err)
{
    struct ledger_entry *e = ledger_find(f->l, id);

    if (!e)
        return og_error_set(err, OG_E_FAULT_NO_ENTRY, "there is no fault %d in %s", id,
                            f->ledger_path);
    return heal_entry(f, e, err);
}

int fault_heal_all(struct fault *f, size_t *ret_count, struct og_error *err)
{
    size_t healed = 0;
    int first = 0;

    /* newest first: a later fault may stand on an earlier one */
    for (size_t k = f->l->n; k > 0; k--) {
        struct ledger_entry *e = &f->l->entries[k - 1];
        struct og_error e2 = {0};
        int r;
        if (e->state == FAULT_HEALED)
            continue;
        r = heal_entry(f, e, first ? &e2 : err);
        if (r < 0 && !first)
            first = r;
        else if (r == 0)
            healed++;
    }
    if (ret_count)
        *ret_count = healed;
    return first;
}

int fault_thaw(struct fault *f, const char *node, int *ret_id, struct og_error *err)
{
    for (size_t k = f->l->n; k > 0; k--) {
        struct ledger_entry *e = &f->l->entries[k - 1];
        if (e->kind == FAULT_FREEZE && e->state != FAULT_HEALED && strcmp(e->nodes[0], node) == 0) {
            if (ret_id)
                *ret_id = e->id;
            return heal_entry(f, e, err);
        }
    }
    if (!find_node(f, node, err))
        return -OG_E_NODE_UNKNOWN;
    return og_error_set(err, OG_E_FAULT_NO_ENTRY, "no freeze of %s is in the ledger", node);
}

/* ---- sweep ------------------------------------------------------------------------------- */

/* An entry not healed owns its rules, ballast, veth and domain. */
static const struct ledger_entry *live_entry(const struct fault *f, int id)
{
    for (size_t i = 0; i < f->l->n; i++)
        if (f->l->entries[i].id == id && f->l->entries[i].state != FAULT_HEALED)
            return &f->l->entries[i];
    return NULL;
}

static bool live_owner(const struct fault *f, enum fault_kind kind, const char *node)
{
    for (size_t i = 0; i < f->l->n; i++) {
        const struct ledger_entry *e = &f->l->entries[i];
        if (e->kind == kind && e->state != FAULT_HEALED && strcmp(e->nodes[0], node) == 0)
            return true;
    }
    return false;
}

/* Rules of the cluster's chain that no live entry owns (by the tag in their
 * comment), then the chain itself when it is empty. */
static int sweep_rules(struct fault *f, struct dynbuf *report, struct og_error *err)
{
    _cleanup_free_ char *rules = NULL;
    char chain[32], tag[64];
    int nums[1024], n = 0, num = 0, r;
    size_t tl;

    netfilter_chain_name(f->c.name, chain, sizeof(chain));
    if (!netfilter_chain_exists(chain))
        return 0;
    r = netfilter_rule_list(chain, &rules, err);
    if (r < 0)
        return r;
    tl = (size_t)snprintf(tag, sizeof(tag), "ogfault:%s:", f->c.name);
    for (char *p = rules; *p && n < (int)ELEMENTSOF(nums);) {
        char *nl = strchr(p, '\n');
        const char *t;
        if (nl)
            *nl = '\0';
        num++;
        t = strstr(p, tag);
        if (!t || !live_entry(f, id_at(t + tl)))
            nums[n++] = num;
        p = nl ? nl + 1 : p + strlen(p);
    }
    for (int k = n - 1; r == 0 && k >= 0; k--) /* from the end: numbers stay valid */
        r = netfilter_rule_del_num(chain, nums[k], err);
    if (r == 0 && n)
        dynbuf_addf(report, "removed %d rule%s of %s owned by no live fault\n", n,
                    n == 1 ? "" : "s", chain);
    if (r == 0) {
        _cleanup_free_ char *left = NULL;
        r = netfilter_rule_list(chain, &left, err);
        if (r == 0 && !left[0]) {
            r = netfilter_chain_remove(chain, err);
            if (r == 0)
                dynbuf_addf(report, "removed the chain %s\n", chain);
        }
    }
    return r;
}

static int sweep_node(struct fault *f, const struct sim_node *n, struct dynbuf *report,
                      struct og_error *err)
{
    _cleanup_command_result_ struct command_result res = {0};
    enum node_state st = NODE_OTHER;
    bool up = true;
    int r = node_state(f, n, &st, err);

    if (r < 0)
        return r;
    if (st == NODE_PAUSED && !live_owner(f, FAULT_FREEZE, n->name)) {
        struct simdriver *d;
        r = driver(f, &d, err);
        if (r == 0)
            r = simdriver_ops(d)->node_suspend(d, n->domain, false, err);
        if (r < 0)
            return r;
        dynbuf_addf(report, "resumed %s (paused, no live freeze)\n", n->name);
        st = NODE_RUNNING;
    }
    if (st == NODE_RUNNING && netfilter_link_is_up(n->veth, &up, NULL) == 0 && !up &&
        !live_owner(f, FAULT_NET_CUT, n->name)) {
        r = netfilter_link_set(n->veth, true, err);
        if (r < 0)
            return r;
        dynbuf_addf(report, "set %s (%s) up: down, no live net-cut\n", n->veth, n->name);
    }
    if (st == NODE_RUNNING) {
        const char *find[] = {"find",  f->c.data_mount,    "-xdev", "-maxdepth", "1",
                              "-name", BALLAST_PREFIX "*", NULL};
        char *save = NULL, *line;
        r = in_node_ok(f, n, "root", find, EXEC_TIMEOUT_MS, &res, err);
        if (r < 0)
            return r;
        for (line = strtok_r(res.out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
            const char *base = strrchr(line, '/');
            const struct ledger_entry *e;
            base = base ? base + 1 : line;
            e = live_entry(f, id_at(base + strlen(BALLAST_PREFIX)));
            if (e && e->kind == FAULT_DISK_FULL && strcmp(e->undo.path, line) == 0)
                continue;
            {
                _cleanup_command_result_ struct command_result rr = {0};
                const char *rm[] = {"rm", "-f", "--", line, NULL};
                r = in_node_ok(f, n, "root", rm, EXEC_TIMEOUT_MS, &rr, err);
                if (r < 0)
                    return r;
                dynbuf_addf(report, "removed %s:%s (no live disk-full)\n", n->name, line);
            }
        }
    }
    return 0;
}

int fault_sweep(struct fault *f, struct dynbuf *report, struct og_error *err)
{
    size_t healed = 0;
    int first = fault_heal_all(f, &healed, err), r;

    if (healed)
        dynbuf_addf(report, "healed %zu fault%s\n", healed, healed == 1 ? "" : "s");
    r = sweep_rules(f, report, first ? NULL : err);
    if (r < 0 && !first)
        first = r;
    for (size_t i = 0; i < f->c.n_nodes; i++) {
        r = sweep_node(f, &f->c.nodes[i], report, first ? NULL : err);
        if (r < 0 && !first)
            first = r;
    }
    return first;
}

int fault_sweep_orphan_chains(struct dynbuf *report, struct og_error *err)
{
    _cleanup_free_ char *chains = NULL;
    char *save = NULL, *line;
    size_t pl = strlen(NETFILTER_CHAIN_PREFIX);
    int r = netfilter_chains(&chains, err);

    for (line = r == 0 ? strtok_r(chains, "\n", &save) : NULL; r == 0 && line;
         line = strtok_r(NULL, "\n", &save)) {
        char state[PATH_MAX];
        snprintf(state, sizeof(state), "%s/%s/state.json", sim_state_root(), line + pl);
        if (access(state, F_OK) == 0)
            continue;
        r = netfilter_chain_remove(line, err);
        if (r == 0)
            dynbuf_addf(report, "removed the chain %s (no cluster %s)\n", line, line + pl);
    }
    return r;
}

/* ---- failpoints of the upgrader ----------------------------------------------------------- */

int fault_failpoint_check(const char *spec, struct og_error *err)
{
    int r;

    if (!spec || !spec[0])
        return og_error_set(err, OG_E_FAILPOINT,
                            "The failpoint setting \"\" is invalid "
                            "(name=fail:CODE|exit:N|kill[@K])");
    if (strlen(spec) >= sizeof(((struct fault_params *)0)->spec))
        return og_error_set(err, OG_E_FAILPOINT, "The failpoint setting is too long");
    for (const char *p = spec; *p; p++)
        if (*p == ' ' || (unsigned char)*p < 0x21)
            return og_error_set(err, OG_E_FAILPOINT,
                                "The failpoint setting \"%s\" holds a "
                                "blank",
                                spec);
    /* the upgrader's points, from the registry gs_upgradectl checks them
     * against (nothing here ever hits them) */
    r = grey_register_failpoints();
    if (r < 0)
        return og_error_set(err, -r, "failpoints");
    return failpoint_setup(spec, err);
}

int fault_failpoint_env(const struct ledger *l, struct dynbuf *out)
{
    bool any = false;

    for (size_t i = 0; i < l->n; i++) {
        const struct ledger_entry *e = &l->entries[i];
        if (e->kind != FAULT_FAILPOINT || e->state != FAULT_ACTIVE)
            continue;
        if (dynbuf_appendf(out, "%s%s", any ? "," : "", e->params.spec) < 0)
            return -OG_E_NOMEM;
        any = true;
    }
    return 0;
}
