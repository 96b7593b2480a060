/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * grey.c - the grey upgrade, its rollback and its commit (see grey.h). Each
 * step's do and undo live side by side below. Line numbers are openGauss-OM
 * v5.0.0's script/impl/upgrade/UpgradeImpl.py unless said otherwise.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clusterstatus.h"
#include "fs.h"
#include "grey_int.h"
#include "inplace_int.h"
#include "jdist.h"
#include "journal.h"
#include "banned.h"

#define NORMAL_WAIT_MS (300 * 1000) /* waitClusterNormalDegrade: 300 s */

/* ---- the batch and upgrade_step.csv ------------------------------------------------ */

static bool is_target(const struct inplace *u, const char *node)
{
    for (size_t i = 0; i < u->n_targets; i++)
        if (strcmp(u->targets[i], node) == 0)
            return true;
    return false;
}

int grey_step_of(const struct inplace *u, const char *node)
{
    for (size_t i = 0; i < u->steps.n; i++)
        if (strcmp(u->steps.rows[i].node, node) == 0)
            return u->steps.rows[i].step;
    return 0;
}

bool grey_every_node_at(const struct inplace *u, int step)
{
    for (size_t i = 0; i < u->steps.n; i++)
        if (u->steps.rows[i].step < step)
            return false;
    return u->steps.n > 0;
}

int grey_max_step(const struct inplace *u)
{
    int m = JOURNAL_STEP_MIN;

    for (size_t i = 0; i < u->steps.n; i++)
        if (u->steps.rows[i].step > m)
            m = u->steps.rows[i].step;
    return m;
}

int grey_put_steps(struct inplace *u, struct og_error *err)
{
    _cleanup_dynbuf_ struct dynbuf b = {0};
    int r;

    dynbuf_init(&b, 1 << 20);
    r = journal_steps_format(&u->steps, &b, err);
    if (r == 0)
        r = inplace_journal_put(u, JOURNAL_STEPS_FILE, dynbuf_str(&b), err);
    return r;
}

/* every node at 0 (initNodeStepInCsv :2180), once */
static void init_steps(struct inplace *u)
{
    if (u->steps.n)
        return;
    snprintf(u->steps.action, sizeof(u->steps.action), "%s", u->action);
    for (size_t i = 0; i < u->cfg->n_nodes && i < JOURNAL_NODES_MAX; i++) {
        snprintf(u->steps.rows[i].node, sizeof(u->steps.rows[i].node), "%s", u->cfg->nodes[i].name);
        u->steps.rows[i].step = 0;
    }
    u->steps.n = u->cfg->n_nodes;
}

/* The engine's record, openGauss's way beside ogup's (recordNodeStep
 * :2217): a step begun moves the batch (every node for post-catalog and
 * pre-commit) up to its number; a step undone moves every node above the
 * step below it down (the rollback's downward rewrites, §4.3). */
int grey_record(void *ctx, int index, enum engine_state state, bool undoing, struct og_error *err)
{
    struct inplace *u = ctx;
    bool changed = u->steps.n == 0;
    int r;

    init_steps(u);
    if (!undoing && state == ENGINE_BEGIN && index >= 0) {
        int to = grey_plan.steps[index].og_step;
        bool all = index >= S_POST_CATALOG;
        for (size_t i = 0; i < u->steps.n; i++) {
            struct journal_step_row *row = &u->steps.rows[i];
            if ((all || is_target(u, row->node)) && row->step < to) {
                row->step = to;
                changed = true;
            }
        }
    } else if (undoing && state == ENGINE_DONE && index + 1 < (int)grey_plan.n) {
        int above = grey_plan.steps[index + 1].og_step;
        for (size_t i = 0; i < u->steps.n; i++)
            if (u->steps.rows[i].step >= above && above > 0) {
                u->steps.rows[i].step = above - 1;
                changed = true;
            }
    }
    r = changed && !(undoing && index < 0) ? grey_put_steps(u, err) : 0;
    if (r == 0)
        r = inplace_record_step(u, index, state, undoing, err);
    return r;
}

int grey_put_targets(struct inplace *u, struct og_error *err)
{
    _cleanup_dynbuf_ struct dynbuf b = {0};

    dynbuf_init(&b, 1 << 16);
    for (size_t i = 0; i < u->n_targets; i++)
        if (dynbuf_appendf(&b, "%s\n", u->targets[i]) < 0)
            return og_error_set(err, OG_E_NOMEM, "nodes");
    return inplace_journal_put(u, GREY_NODES_FILE, dynbuf_str(&b), err);
}

/* A worker verb on each of nodes, one at a time (--force: failures noted). */
int grey_each_node(struct inplace *u, const char *const *nodes, size_t n, const char *const *verb,
                   const char *what, struct og_error *err)
{
    int r = 0;

    for (size_t i = 0; r == 0 && i < n; i++) {
        const struct cluster_node *node = clusterconfig_find_node(u->cfg, nodes[i]);
        const char *one[] = {nodes[i]};
        if (!node || inplace_gone(u, node, what))
            continue;
        r = inplace_node_result(u, node, worker_run_all(&u->w, one, 1, verb, NULL, 0, NULL, err),
                                what, err);
    }
    return r;
}

/* verb DATADIR on each of nodes */
int grey_each_datadir(struct inplace *u, const char *const *nodes, size_t n, const char *verb,
                      const char *what, struct og_error *err)
{
    int r = 0;

    for (size_t i = 0; r == 0 && i < n; i++) {
        const struct cluster_node *node = clusterconfig_find_node(u->cfg, nodes[i]);
        const char *argv[] = {verb, node ? node->datadir : "", NULL};
        if (node)
            r = grey_each_node(u, &nodes[i], 1, argv, what, err);
    }
    return r;
}

void grey_list_nodes(const char *const *nodes, size_t n, char *buf, size_t size)
{
    size_t len = 0;

    buf[0] = '\0';
    for (size_t i = 0; i < n && len < size; i++)
        len += (size_t)snprintf(buf + len, size - len, "%s'%s'", i ? ", " : "[", nodes[i]);
    if (len < size)
        snprintf(buf + len, size - len, "]");
}

/* ---- step: prepare ------------------------------------------------------------------ */

/* prepareGreyUpgradeFiles (:2164) and ogup's own record beside it; the read
 * only GUC off (checkReadOnly :356: grey keeps the cluster writable). */
static int do_prepare(void *ctx, struct og_error *err)
{
    struct inplace *u = ctx;
    int r = inplace_record_base(u, NULL, NULL, err);

    if (r == 0)
        r = grey_put_targets(u, err);
    if (r == 0)
        r = inplace_set_read_only(u, false, err);
    return r;
}

/* ---- step: install ------------------------------------------------------------------ */

/* installNewBin (:6729) on every node */
static int do_install(void *ctx, struct og_error *err)
{
    struct inplace *u = ctx;
    const char *install[] = {"install-app", u->gphome, u->new_app, NULL};

    return worker_run_all(&u->w, u->nodes, u->n_nodes, install, NULL, 0, NULL, err);
}

/* cleanInstallPath(NEW) (:4313) */
static int undo_install(void *ctx, struct og_error *err)
{
    struct inplace *u = ctx;
    const char *rm[] = {"rm", u->new_app, NULL};

    if (strcmp(u->old_app, u->new_app) == 0)
        return og_error_set(err, OG_E_SAME_PATH, "The directory name %s and %s cannot be same.",
                            u->old_app, u->new_app);
    return grey_each_node(u, u->nodes, u->n_nodes, rm, "removing the new app", err);
}

/* ---- step: catalog ------------------------------------------------------------------ */

static bool is_large_first(void *ctx)
{
    return ((struct inplace *)ctx)->large;
}

/* updateCatalog (:1530, :3190): upgrade_mode=2, then the cleanup and the
 * upgrade scripts on the old binary, the cluster serving */
static int do_catalog(void *ctx, struct og_error *err)
{
    struct inplace *u = ctx;
    int r = inplace_set_upgrade_mode(u, 2, err);

    if (r == 0)
        r = inplace_catalog_sql(u, "rollback", "upgrade", false, err);
    return r;
}

/* rollbackCatalog (:4708): upgrade_mode=2, the rollback scripts on every
 * database (the old binary runs everywhere again), upgrade_mode=0 */
static int undo_catalog(void *ctx, struct og_error *err)
{
    struct inplace *u = ctx;
    int r = inplace_set_upgrade_mode(u, 2, err);

    if (r == 0)
        r = inplace_catalog_sql(u, "rollback", NULL, true, err);
    if (r == 0)
        r = precheck_standby_replay(u->env, err);
    if (r == 0)
        r = inplace_set_upgrade_mode(u, 0, err);
    if (r == 0)
        r = jdist_remove(&u->w, u->nodes, u->n_nodes, u->dir, INPLACE_CATALOG_DONE, err);
    return r;
}

/* ---- step: sync-config ------------------------------------------------------------------ */

/* greySyncGuc (:1684), greyUpgradeSyncOldConfigToNew (:1699), switchBin(NEW)
 * on the batch (:6916); the old gaussdb still runs */
static int do_sync_config(void *ctx, struct og_error *err)
{
    struct inplace *u = ctx;
    const char *carry[] = {"carry-app", u->old_app, u->new_app, NULL};
    const char *relink[] = {"relink", u->cfg->app_path, u->new_app, NULL};
    int r = grey_each_datadir(u, u->targets, u->n_targets, "conf-bak-old", "postgresql.conf", err);

    if (r == 0)
        r = worker_run_all(&u->w, u->targets, u->n_targets, carry, NULL, 0, NULL, err);
    if (r == 0)
        r = worker_run_all(&u->w, u->targets, u->n_targets, relink, NULL, 0, NULL, err);
    return r;
}

/* greyRestoreConfig (:4444: the new app's files back into the old app, on
 * nodes that had them carried, i.e. at 3 or more), switchBin(OLD),
 * greyRestoreGuc (:4469) and the .bak.old gone */
static int restore_old(struct inplace *u, bool clean, struct og_error *err)
{
    const char *carry[] = {"carry-app", u->new_app, u->old_app, NULL};
    const char *relink[] = {"relink", u->cfg->app_path, u->old_app, NULL};
    const char *moved[CLUSTER_MAX_NODES];
    size_t nm = 0;
    int r;

    for (size_t i = 0; i < u->n_nodes; i++)
        if (grey_step_of(u, u->nodes[i]) >= 3)
            moved[nm++] = u->nodes[i];
    r = grey_each_node(u, moved, nm, carry, "restoring the old app's configuration", err);
    if (r == 0)
        r = grey_each_node(u, u->nodes, u->n_nodes, relink, "switching $GAUSSHOME", err);
    if (r == 0)
        r = grey_each_datadir(u, u->nodes, u->n_nodes, "conf-restore-old", "postgresql.conf", err);
    if (r == 0 && clean)
        r = grey_each_datadir(u, u->nodes, u->n_nodes, "conf-clean-old", "postgresql.conf.bak.old",
                              err);
    return r;
}

static int undo_sync_config(void *ctx, struct og_error *err)
{
    return restore_old(ctx, true, err);
}

/* ---- step: switch-process ------------------------------------------------------------------ */

static int checkpoint(struct inplace *u, struct og_error *err)
{
    char out[64];
    int r = -1;

    /* createCheckpoint (:1783): 10 tries, 1 s apart */
    for (int i = 0; i < 10 && r < 0; i++) {
        og_error_clear(err);
        r = precheck_sql(u->env, inplace_primary(u), "postgres", "CHECKPOINT", out, sizeof(out),
                         err);
        if (r < 0)
            sleep(1);
    }
    return r;
}

/* Every one of nodes answers (15 s), or OGUP-60083 before anything is done:
 * no instance is killed while a node cannot be switched or recorded (the
 * killed ones would stay down through the transport's timeouts). */
static int reachable(struct inplace *u, const char *const *nodes, size_t n, struct og_error *err)
{
    const char *argv[] = {"true", NULL};
    struct command_result res[CLUSTER_MAX_NODES];
    struct og_error errs[CLUSTER_MAX_NODES];
    struct transport_run_opts o = {.timeout_ms = 15000};
    int r = 0;

    memset(errs, 0, sizeof(errs));
    transport_run_all(u->env->t, nodes, n, argv, &o, res, errs);
    for (size_t i = 0; i < n; i++) {
        if (r == 0 && errs[i].code)
            r = og_error_set(err, OG_E_SSH_CONNECT,
                             "%s does not answer (%s): no instance was switched.", nodes[i],
                             errs[i].detail);
        command_result_done(&res[i]);
    }
    return r;
}

/* switch_dn (UpgradeUtility.py :4330) on nodes at once (one call for the
 * nodes of one datadir path: all of them, as a rule): each gaussdb killed
 * unless it runs target's build, $GAUSSHOME -> target */
static int kill_and_relink(struct inplace *u, const char *const *nodes, size_t n,
                           const char *target, struct og_error *err)
{
    bool done[CLUSTER_MAX_NODES] = {false};
    int r = 0;

    for (size_t i = 0; r == 0 && i < n; i++) {
        const struct cluster_node *node = clusterconfig_find_node(u->cfg, nodes[i]);
        const char *group[CLUSTER_MAX_NODES];
        char *outs[CLUSTER_MAX_NODES] = {0};
        size_t k = 0;
        if (done[i] || !node)
            continue;
        for (size_t j = i; j < n; j++) {
            const struct cluster_node *o = clusterconfig_find_node(u->cfg, nodes[j]);
            if (!done[j] && o && strcmp(o->datadir, node->datadir) == 0 &&
                !inplace_gone(u, o, "switching the processes")) {
                group[k++] = nodes[j];
                done[j] = true;
            }
        }
        {
            const char *verb[] = {"switch-dn", u->cfg->app_path, target, node->datadir, NULL};
            r = inplace_node_result(u, node,
                                    worker_run_all(&u->w, group, k, verb, NULL, 0, outs, err),
                                    "switching the processes", err);
        }
        for (size_t j = 0; j < k; j++) {
            if (outs[j] && strncmp(outs[j], "killed", 6) == 0)
                inplace_say(u, "Killed the gaussdb of the other build on %s.", group[j]);
            free(outs[j]);
        }
    }
    return r;
}

/* greyStartCluster (:1938: -u <old number>), then Normal or Degraded */
static int start_and_wait(struct inplace *u, struct og_error *err)
{
    int r = inplace_start_all(u, u->oldv.number, err);

    u->degraded_ok = true;
    if (r == 0 && !u->force)
        r = inplace_wait_normal(u, NORMAL_WAIT_MS, err);
    return r;
}

/* switchExistsProcess (:1760): CHECKPOINT, the nodes switched together,
 * the cluster started */
static int switch_processes(struct inplace *u, const char *const *nodes, size_t n,
                            const char *target, struct og_error *err)
{
    /* every node answers (the journal is on every node, and a batch node
     * that cannot be switched would keep the others down); then
     * _check_and_start_cluster (:1740): a run resumed after a failure finds
     * instances down */
    int r = u->force ? 0 : reachable(u, u->nodes, u->n_nodes, err);

    if (r == 0)
        r = inplace_start_all(u, u->oldv.number, err);
    if (r == 0 && !u->force)
        r = checkpoint(u, err);
    if (r == 0)
        r = kill_and_relink(u, nodes, n, target, err);
    /* a node that fails leaves the batch's killed instances down, as
     * openGauss does: a re-run (above) or the rollback starts them */
    if (r == 0)
        r = start_and_wait(u, err);
    return r;
}

/* One node switched and caught up before the next. */
static int switch_one(struct inplace *u, const char *node, struct og_error *err)
{
    const char *one[] = {node};
    int r = kill_and_relink(u, one, 1, u->new_app, err);

    if (r == 0)
        r = start_and_wait(u, err);
    if (r == 0)
        r = precheck_standby_replay(u->env, err);
    return r;
}

/* ogup's --rolling (an extension; openGauss restarts the batch's nodes
 * together, primary included): the batch's standbys one at a time, each
 * caught up before the next; then a planned switchover to a standby that
 * runs the new build (the primary stopped fast, the standby promoted once
 * it replayed the primary's shutdown checkpoint: no acknowledged write can
 * be missing); then the old primary, on the new build, as a standby.
 * Clients see one switchover and never a killed primary. With no upgraded
 * standby to hand over to, the primary is restarted as openGauss does. */
static int switch_rolling(struct inplace *u, struct og_error *err)
{
    const struct cluster_node *pri = inplace_primary(u);
    const struct cluster_node *to = NULL;
    int r = reachable(u, u->nodes, u->n_nodes, err);

    if (r == 0)
        r = inplace_start_all(u, u->oldv.number, err);
    if (r == 0)
        r = checkpoint(u, err);

    for (size_t i = 0; r == 0 && i < u->n_targets; i++)
        if (strcmp(u->targets[i], pri->name) != 0)
            r = switch_one(u, u->targets[i], err);
    if (r < 0 || !is_target(u, pri->name))
        return r;
    for (size_t i = 0; !to && i < u->cfg->n_nodes; i++) {
        const struct cluster_node *n = &u->cfg->nodes[i];
        if (n != pri && (is_target(u, n->name) || grey_step_of(u, n->name) >= 3))
            to = n;
    }
    if (to) {
        inplace_say(u, "Switchover to %s (the new build) before the old primary %s switches.",
                    to->name, pri->name);
        r = inplace_handover(u, pri, to, err);
    }
    if (r == 0)
        r = switch_one(u, pri->name, err);
    return r;
}

static int do_switch_process(void *ctx, struct og_error *err)
{
    struct inplace *u = ctx;

    if (u->rolling)
        return switch_rolling(u, err);
    return switch_processes(u, u->targets, u->n_targets, u->new_app, err);
}

/* the rollback's switchExistsProcess(True) (:4291), after the old app is
 * back: every node whose gaussdb runs the new build */
static int undo_switch_process(void *ctx, struct og_error *err)
{
    struct inplace *u = ctx;
    int r = restore_old(u, false, err);

    if (r == 0)
        r = switch_processes(u, u->nodes, u->n_nodes, u->old_app, err);
    return r;
}

/* ---- step: post-check ------------------------------------------------------------------ */

/* doHealthCheck(OPTION_POSTCHECK): Normal or Degraded, and the batch's
 * gaussdb -V the new version (Local_Check_Upgrade check_version) */
static int do_post_check(void *ctx, struct og_error *err)
{
    struct inplace *u = ctx;
    int r = inplace_start_all(u, u->oldv.number, err); /* resumed after a crash: up again */

    u->degraded_ok = true;
    if (r == 0)
        r = inplace_wait_normal(u, NORMAL_WAIT_MS, err);
    if (r < 0)
        return og_error_set(err, OG_E_CLUSTER_STATUS,
                            "Failed to check cluster status. Nodes are new version. Please "
                            "check the cluster status. %s",
                            err->detail);
    r = inplace_check_version(u, u->targets, u->n_targets, OG_E_APP_VERSION,
                              "Failed to check application version", err);
    if (r == 0) {
        char names[1024];
        grey_list_nodes(u->targets, u->n_targets, names, sizeof(names));
        inplace_say(u, "The nodes %s have been successfully upgraded to new version.", names);
    }
    return r;
}

/* ---- step: post-catalog ------------------------------------------------------------------ */

static bool all_at_4(void *ctx)
{
    return grey_every_node_at(ctx, 4);
}

static bool all_at_4_large(void *ctx)
{
    return all_at_4(ctx) && ((struct inplace *)ctx)->large;
}

/* :1618-1630: waitClusterForNormal, then the post scripts on the new binary */
static int do_post_catalog(void *ctx, struct og_error *err)
{
    struct inplace *u = ctx;
    int r;

    u->degraded_ok = false;
    r = inplace_wait_normal(u, NORMAL_WAIT_MS, err);
    if (r == 0)
        r = inplace_catalog_sql(u, "rollback-post", "upgrade-post", false, err);
    if (r == 0)
        r = precheck_standby_replay(u->env, err);
    return r;
}

/* the rollback from 4 with every node at 4 (:4262-4276) */
static int undo_post_catalog(void *ctx, struct og_error *err)
{
    struct inplace *u = ctx;
    int r = inplace_set_upgrade_mode(u, 2, err);

    if (r == 0)
        r = inplace_catalog_sql(u, "rollback-post", NULL, true, err);
    if (r == 0)
        r = precheck_standby_replay(u->env, err);
    return r;
}

static const struct engine_step grey_steps[] = {
    {"prepare", "record the upgrade on every node (every node at 0); the cluster stays writable", 0,
     NULL, do_prepare, NULL},
    {"install", "install the new app on every node", 0, NULL, do_install, undo_install},
    {"catalog", "upgrade_mode=2; the rollback then the upgrade catalog SQL, old binary", 1,
     is_large_first, do_catalog, undo_catalog},
    {"sync-config",
     "the batch: postgresql.conf.bak.old, the old app's files carried, $GAUSSHOME "
     "-> new app",
     2, NULL, do_sync_config, undo_sync_config},
    {"switch-process", "the batch: old gaussdb killed, the new binary started with -u <old>", 3,
     NULL, do_switch_process, undo_switch_process},
    {"post-check", "Normal or Degraded; the batch runs the new version", 4, NULL, do_post_check,
     NULL},
    {"post-catalog", "every node upgraded, large: the rollback-post then upgrade-post SQL", 4,
     all_at_4_large, do_post_catalog, undo_post_catalog},
    {"pre-commit", "every node upgraded: wait for commit-upgrade or auto-rollback", 5, all_at_4,
     engine_record_only, NULL},
};

const struct engine_plan grey_plan = {
    .name = "grey",
    .steps = grey_steps,
    .n = ELEMENTSOF(grey_steps),
    .record = grey_record,
    .progress = inplace_progress,
};
