/* SPDX-License-Identifier: MulanPSL-2.0 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "failpoint.h"
#include "fault.h"
#include "fault_int.h"
#include "grey.h"
#include "netfilter.h"
#include "parse.h"
#include "simcluster.h"
#include "simdriver.h"
#include "banned.h"

#define DB_START_TIMEOUT_MS (180 * 1000)
#define FILL_ROUNDS         8

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

/* ---- nodes ------------------------------------------------------------------------- */

const struct sim_node *fault_find_node(const struct fault *f, const char *name,
                                       struct og_error *err)
{
    for (size_t i = 0; name && i < f->c.n_nodes; i++)
        if (strcmp(f->c.nodes[i].name, name) == 0)
            return &f->c.nodes[i];
    og_error_set(err, OG_E_NODE_UNKNOWN, "The host name [%s] is not in the cluster %s.",
                 name ? name : "", f->c.name);
    return NULL;
}

int fault_driver(struct fault *f, struct simdriver **ret, struct og_error *err)
{
    int r = 0;

    if (!f->d)
        r = simdriver_open(f->c.driver, f->c.uri, &f->d, err);
    *ret = f->d;
    return r;
}

int fault_node_state(struct fault *f, const struct sim_node *n, enum node_state *ret,
                     struct og_error *err)
{
    struct simdriver *d;
    int r = fault_driver(f, &d, err);

    if (r == 0)
        *ret = simdriver_ops(d)->node_state(d, n->domain);
    return r;
}

int fault_need_running(struct fault *f, const struct sim_node *n, struct og_error *err)
{
    enum node_state st = NODE_OTHER;
    int r = fault_node_state(f, n, &st, err);

    if (r < 0)
        return r;
    if (st != NODE_RUNNING)
        return og_error_set(err, OG_E_FAULT_TARGET, "the node %s is not running (%s)", n->name,
                            st == NODE_PAUSED ? "frozen" : "powered off");
    return 0;
}

/* Run argv inside node as user; the result in res (exit status not checked). */
int fault_in_node(struct fault *f, const struct sim_node *n, const char *user,
                  const char *const *argv, int timeout_ms, struct command_result *res,
                  struct og_error *err)
{
    command_result_done(res);
    return sim_exec(&f->c, n->name, user, argv, timeout_ms, res, err);
}

/* ... and it must exit 0. */
int fault_in_node_ok(struct fault *f, const struct sim_node *n, const char *user,
                     const char *const *argv, int timeout_ms, struct command_result *res,
                     struct og_error *err)
{
    int r = fault_in_node(f, n, user, argv, timeout_ms, res, err);

    if (r == 0 && res->exit_status != 0) {
        size_t el = res->err_len;
        r = og_error_set(err, OG_E_EXEC_FAILED, "on %s, \"%s\" exited with %d: %s", n->name,
                         argv[0], res->exit_status, el > 600 ? res->err + el - 600 : res->err);
    }
    return r;
}

/* The server's pid from postmaster.pid when it runs; 0 when it does not. */
int fault_db_pid(struct fault *f, const struct sim_node *n, long *ret, struct og_error *err)
{
    _cleanup_command_result_ struct command_result res = {0};
    char pidfile[PATH_MAX + 32], pid_s[32];
    const char *cat[] = {"cat", pidfile, NULL};
    const char *probe[] = {"kill", "-0", pid_s, NULL};
    long long pid;
    int r;

    *ret = 0;
    snprintf(pidfile, sizeof(pidfile), "%s/postmaster.pid", f->c.datadir);
    r = fault_in_node(f, n, "omm", cat, EXEC_TIMEOUT_MS, &res, err);
    if (r < 0 || res.exit_status != 0)
        return r;
    if (first_line_ll(res.out, 2, LONG_MAX, &pid) < 0)
        return og_error_set(err, OG_E_CONTENT_INVALID, "on %s, %s does not start with a pid",
                            n->name, pidfile);
    snprintf(pid_s, sizeof(pid_s), "%lld", pid);
    r = fault_in_node(f, n, "omm", probe, EXEC_TIMEOUT_MS, &res, err);
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
    int r = fault_db_pid(f, n, &pid, err);

    if (r < 0 || pid > 0)
        return r;
    snprintf(bin, sizeof(bin), "%s/bin/gs_ctl", f->c.app_path);
    r = fault_in_node(f, n, "omm", start, DB_START_TIMEOUT_MS, &res, err);
    if (r == 0 && res.exit_status != 0) {
        size_t ol = res.out_len;
        r = og_error_set(err, OG_E_EXEC_FAILED, "on %s, gs_ctl start exited with %d: %s%s", n->name,
                         res.exit_status, ol > 800 ? res.out + ol - 800 : res.out, res.err);
    }
    return r;
}

/* ---- effects -------------------------------------------------------------------------- */

/* Bytes available to non-root users on the node's data filesystem. */
static int avail_bytes(struct fault *f, const struct sim_node *n, long long *ret,
                       struct og_error *err)
{
    _cleanup_command_result_ struct command_result res = {0};
    const char *a[] = {"stat", "-f", "-c", "%a %S", f->c.data_mount, NULL};
    long long blocks = 0, bsize = 0;
    int r = fault_in_node_ok(f, n, "root", a, EXEC_TIMEOUT_MS, &res, err);

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
    int r = fault_in_node(f, n, "root", a, EXEC_TIMEOUT_MS, &res, err);
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
            r = fault_in_node(f, n, "root", a, EXEC_TIMEOUT_MS, &res, err);
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
    const struct sim_node *n = e->n_nodes ? fault_find_node(f, e->nodes[0], err) : NULL;
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
        r = fault_in_node_ok(f, n, "omm", kill9, EXEC_TIMEOUT_MS, &res, err);
        /* gone once ogsim-init (the node's PID 1) has reaped it */
        for (int k = 0; r == 0 && k < 100; k++) {
            r = fault_in_node(f, n, "omm", probe, EXEC_TIMEOUT_MS, &res, err);
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
        return fault_in_node(f, n, "omm", a, EXEC_TIMEOUT_MS, &res, err);
    }
    case FAULT_POWER_OFF:
        return sim_node_power(&f->c, n->name, false, err);
    case FAULT_FREEZE:
        r = fault_driver(f, &d, err);
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
    const struct sim_node *n = e->n_nodes ? fault_find_node(f, e->nodes[0], err) : NULL;
    _cleanup_command_result_ struct command_result res = {0};
    enum node_state st = NODE_OTHER;
    struct simdriver *d;
    int r = 0;

    if (e->kind != FAULT_FAILPOINT && !n)
        return -OG_E_NODE_UNKNOWN;
    switch (e->kind) {
    case FAULT_DISK_FULL: {
        const char *rm[] = {"rm", "-f", "--", e->undo.path, NULL};
        r = fault_need_running(f, n, err);
        if (r == 0)
            r = fault_in_node_ok(f, n, "root", rm, EXEC_TIMEOUT_MS, &res, err);
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
        r = fault_need_running(f, n, err);
        return r < 0 ? r : db_start(f, n, err);
    case FAULT_POWER_OFF:
        r = fault_node_state(f, n, &st, err);
        if (r == 0 && st == NODE_PAUSED) {
            r = fault_driver(f, &d, err);
            if (r == 0)
                r = simdriver_ops(d)->node_suspend(d, n->domain, false, err);
        } else if (r == 0) {
            r = sim_node_power(&f->c, n->name, true, err);
        }
        if (r == 0 && e->undo.restart_db)
            r = db_start(f, n, err);
        return r;
    case FAULT_FREEZE:
        r = fault_node_state(f, n, &st, err);
        if (r == 0 && st == NODE_PAUSED) {
            r = fault_driver(f, &d, err);
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
    r = fault_prepare(f, q, e, err);
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
    if (!fault_find_node(f, node, err))
        return -OG_E_NODE_UNKNOWN;
    return og_error_set(err, OG_E_FAULT_NO_ENTRY, "no freeze of %s is in the ledger", node);
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
