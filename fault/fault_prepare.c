/* SPDX-License-Identifier: MulanPSL-2.0 */
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cleanup.h"
#include "command.h"
#include "fault.h"
#include "fault_int.h"
#include "ledger.h"
#include "netfilter.h"
#include "ogerror.h"
#include "parse.h"
#include "simcluster.h"
#include "simdriver.h"
#include "banned.h"

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
    r = fault_need_running(f, n, err);
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
    const struct sim_node *m = fault_find_node(f, q->node2, err);

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
    int r = fault_need_running(f, n, err);

    if (r == 0)
        r = fault_db_pid(f, n, &pid, err);
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
    int r = fault_need_running(f, n, err);

    if (r == 0)
        r = fault_in_node(f, n, "root", pg, EXEC_TIMEOUT_MS, &res, err);
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
    int r = fault_node_state(f, n, &st, err);

    if (r < 0)
        return r;
    if (st != NODE_RUNNING && st != NODE_PAUSED)
        return og_error_set(err, OG_E_FAULT_TARGET, "the node %s is already off", n->name);
    snprintf(e->undo.domain, sizeof(e->undo.domain), "%s", n->domain);
    /* a frozen node cannot be asked: its instance is assumed running */
    e->undo.restart_db = true;
    if (st == NODE_RUNNING) {
        r = fault_db_pid(f, n, &pid, err);
        if (r < 0)
            return r;
        e->undo.restart_db = pid > 0;
    }
    return 0;
}

static int prepare_freeze(struct fault *f, const struct sim_node *n, struct ledger_entry *e,
                          struct og_error *err)
{
    int r = fault_need_running(f, n, err);

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
int fault_prepare(struct fault *f, const struct fault_req *q, struct ledger_entry *e,
                  struct og_error *err)
{
    const struct sim_node *n = NULL;
    char tag[96];

    if (q->kind != FAULT_FAILPOINT) {
        n = fault_find_node(f, q->node, err);
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
