/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * grey_run.c - the grey actions (grey.h): which nodes a run upgrades (-h,
 * --continue, a batch resumed), the rollback from the highest step, the
 * commit. Line numbers are openGauss-OM v5.0.0's
 * script/impl/upgrade/UpgradeImpl.py.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fs.h"
#include "grey_int.h"
#include "jdist.h"
#include "journal.h"
#include "banned.h"

/* ---- commit ---------------------------------------------------------------------------- */

/* recordNodeStep(STEP_BEGIN_COMMIT) (:4033). openGauss records it only
 * when its legacy support table exists (never, since 2.0), so its rollback
 * after a half-done commit goes ahead on a removed old app; ogup records
 * it: auto-rollback refuses (GAUSS-52919), commit-upgrade resumes. */
static int do_record_commit(void *ctx, struct og_error *err)
{
    struct inplace *u = ctx;
    char dat[128];
    int r;

    for (size_t i = 0; i < u->steps.n; i++)
        u->steps.rows[i].step = JOURNAL_STEP_MAX;
    r = grey_put_steps(u, err);
    snprintf(dat, sizeof(dat), "%s:%d\n", u->action, JOURNAL_STEP_MAX);
    if (r == 0)
        r = inplace_journal_put(u, JOURNAL_DAT_FILE, dat, err);
    return r;
}

/* :4041-4050: upgrade_mode=0 (large), the pmk schema dropped */
static int do_commit_mode(void *ctx, struct og_error *err)
{
    struct inplace *u = ctx;
    char out[64];
    int r = u->large ? inplace_set_upgrade_mode(u, 0, err) : 0;

    if (r == 0)
        r = precheck_sql(u->env, inplace_primary(u), "postgres",
                         "DROP SCHEMA IF EXISTS pmk CASCADE", out, sizeof(out), err);
    if (r < 0 && err->code != OG_E_EXEC_FAILED)
        og_error_prefix(err, "[GAUSS-52917] : Failed to drop old pmk schema");
    return r;
}

/* cleanInstallPath(OLD) (:4053), cleanConfBakOld (:4057) */
static int do_commit_clean(void *ctx, struct og_error *err)
{
    struct inplace *u = ctx;
    const char *rm[] = {"rm", u->old_app, NULL};
    int r;

    if (strcmp(u->old_app, u->new_app) == 0 || !u->old_app[0])
        return og_error_set(err, OG_E_SAME_PATH, "The directory name %s and %s cannot be same.",
                            u->old_app, u->new_app);
    r = worker_run_all(&u->w, u->nodes, u->n_nodes, rm, NULL, 0, NULL, err);
    if (r == 0)
        r = grey_each_datadir(u, u->nodes, u->n_nodes, "conf-clean-old", "postgresql.conf.bak.old",
                              err);
    return r;
}

static int do_commit_clear(void *ctx, struct og_error *err)
{
    return inplace_journal_remove_everywhere(ctx, err);
}

static const struct engine_step commit_steps[] = {
    {"record-commit", "every node at 6 (upgrade_step.csv)", 6, NULL, do_record_commit, NULL},
    {"upgrade-mode", "upgrade_mode=0 (large); the pmk schema dropped", 6, NULL, do_commit_mode,
     NULL},
    {"clean", "the old app removed; postgresql.conf.bak.old removed", 6, NULL, do_commit_clean,
     NULL},
    {"clear-journal", "remove binary_upgrade on every node", 6, NULL, do_commit_clear, NULL},
};

const struct engine_plan grey_commit_plan = {
    .name = "grey-commit",
    .steps = commit_steps,
    .n = ELEMENTSOF(commit_steps),
    .record = engine_record_none, /* every node at 6 is the record: every step is idempotent */
    .progress = inplace_progress,
};

/* ---- set-up and the actions --------------------------------------------------------------- */

bool grey_journal_here(const char *dir)
{
    char p[PATH_MAX + 32];

    snprintf(p, sizeof(p), "%s/%s", dir, JOURNAL_STEPS_FILE);
    return access(p, F_OK) == 0;
}

int grey_register_failpoints(void)
{
    static const struct engine_plan *const plans[] = {&inplace_plan, &inplace_commit_plan,
                                                      &grey_plan, &grey_commit_plan};
    int r = 0;

    for (size_t i = 0; i < ELEMENTSOF(plans) && r == 0; i++)
        r = engine_register_failpoints(plans[i]);
    if (r == 0)
        jdist_register_failpoints();
    return r;
}

int grey_init(struct inplace *u, struct precheck_env *env, struct og_error *err)
{
    int r = inplace_init(u, env, err);

    u->grey = true;
    u->plan = &grey_plan;
    u->action = u->large ? GREY_LARGE_ACTION : GREY_SMALL_ACTION;
    return r;
}

int grey_parse_hosts(const struct cluster_config *cfg, char *list, const char **out, size_t *n,
                     struct og_error *err)
{
    char *save = NULL;

    *n = 0;
    for (char *h = strtok_r(list, ",", &save); h; h = strtok_r(NULL, ",", &save)) {
        bool dup = false;
        if (!clusterconfig_find_node(cfg, h))
            return og_error_set(err, OG_E_NODE_UNKNOWN, "The host name [%s] is not in the cluster.",
                                h);
        for (size_t i = 0; i < *n; i++)
            dup |= strcmp(out[i], h) == 0;
        if (!dup && *n < CLUSTER_MAX_NODES)
            out[(*n)++] = h;
    }
    if (*n == 0)
        return og_error_set(err, OG_E_PARAM_VALUE, "The parameter[-h] value[%s] is invalid.", "");
    return 0;
}

static void set_targets_all(struct inplace *u)
{
    for (size_t i = 0; i < u->n_nodes; i++)
        u->targets[i] = u->nodes[i];
    u->n_targets = u->n_nodes;
}

/* The batch a record names (GREY_NODES_FILE), into targets; names point
 * into buf. */
static int read_targets(struct inplace *u, char *buf, size_t size, struct og_error *err)
{
    char p[PATH_MAX + 32], *save = NULL;
    _cleanup_free_ char *text = NULL;
    int r;

    snprintf(p, sizeof(p), "%s/%s", u->dir, GREY_NODES_FILE);
    r = fs_read_file(p, 1 << 16, &text, NULL, err);
    if (r < 0)
        return r;
    snprintf(buf, size, "%s", text);
    u->n_targets = 0;
    for (char *h = strtok_r(buf, "\n", &save); h; h = strtok_r(NULL, "\n", &save))
        if (clusterconfig_find_node(u->cfg, h) && u->n_targets < CLUSTER_MAX_NODES)
            u->targets[u->n_targets++] = h;
    return 0;
}

static size_t nodes_at(const struct inplace *u, int lo, int hi, const char **out)
{
    size_t k = 0;

    for (size_t i = 0; i < u->steps.n; i++)
        if (u->steps.rows[i].step >= lo && u->steps.rows[i].step <= hi)
            out[k++] = u->steps.rows[i].node;
    return k;
}

static bool same_nodes(const char *const *a, size_t na, const char *const *b, size_t nb)
{
    if (na != nb)
        return false;
    for (size_t i = 0; i < na; i++) {
        bool found = false;
        for (size_t j = 0; j < nb; j++)
            found |= strcmp(a[i], b[j]) == 0;
        if (!found)
            return false;
    }
    return true;
}

/* A new batch after a finished one: -h (checkOptionH :5681) or --continue
 * (checkOptionContinue :5770); plain auto-upgrade is refused as openGauss
 * refuses -g then (checkOptionG :5806). */
static int next_batch(struct inplace *u, const char *const *hosts, size_t n, bool cont,
                      struct og_error *err)
{
    const char *rest[CLUSTER_MAX_NODES], *done[CLUSTER_MAX_NODES];
    size_t nr = nodes_at(u, 0, 0, rest), nd = nodes_at(u, 1, JOURNAL_STEP_MAX, done);
    char names[1024];

    grey_list_nodes(done, nd, names, sizeof(names));
    if (n == 0 && !cont)
        return og_error_set(err, OG_E_PARAM_INVALID,
                            "-g only support if no node has ever been upgraded, nodes %s have "
                            "been upgraded, so can use --continue instead of -g to upgrade other "
                            "nodes",
                            names);
    if (cont) {
        for (size_t i = 0; i < nr; i++)
            u->targets[i] = rest[i];
        u->n_targets = nr;
        return 0;
    }
    for (size_t i = 0; i < n; i++)
        if (grey_step_of(u, hosts[i]) > 0) {
            grey_list_nodes(hosts, n, names, sizeof(names));
            return og_error_set(err, OG_E_NODES_UPGRADED,
                                "These nodes %s have been successfully upgraded to new version, "
                                "no need to upgrade again.",
                                names);
        }
    for (size_t i = 0; i < n; i++)
        u->targets[i] = hosts[i];
    u->n_targets = n;
    return 0;
}

int grey_upgrade(struct inplace *u, const char *const *hosts, size_t n, bool cont,
                 struct og_error *err)
{
    struct inplace_record rec;
    char tbuf[8192], names[1024];
    size_t from = 0;
    int failed = -1, r = inplace_read_record(u, &rec, err);

    if (r < 0)
        return r;
    if (rec.has_steps)
        u->steps = rec.steps;
    if (rec.present && rec.has_steps && strcmp(rec.steps.action, u->action) != 0)
        return og_error_set(err, OG_E_ACTION_MISMATCH,
                            "Input upgrade type [%s] is not same with record upgrade type [%s].",
                            u->action, rec.steps.action);
    if (rec.present && !rec.has_step)
        return og_error_set(err, OG_E_UPGRADE_UNFINISHED,
                            "Upgrade is not finished, cannot do another task: %s/%s was not "
                            "written by ogup; roll it back with the tool that wrote it.",
                            u->dir, JOURNAL_STEPS_FILE);
    if (rec.present && rec.undoing)
        return og_error_set(err, OG_E_UPGRADE_UNFINISHED,
                            "Upgrade is not finished, cannot do another task: a rollback is under "
                            "way; run auto-rollback to finish it.");
    if (rec.present && grey_max_step(u) >= JOURNAL_STEP_MAX)
        return og_error_set(err, OG_E_ALREADY_COMMITTED,
                            "Upgrade has already been committed but not finished commit. Please "
                            "commit again!");
    if (!rec.present) {
        if (cont)
            return og_error_set(err, OG_E_CONTINUE_NO_RECORD,
                                "Can not use grey upgrade option --continue before upgrade grey "
                                "nodes. Need to upgrade some nodes first.");
        for (size_t i = 0; i < n; i++)
            u->targets[i] = hosts[i];
        u->n_targets = n;
        if (n == 0)
            set_targets_all(u);
    } else if (grey_every_node_at(u, 5)) {
        /* UpgradeImpl.py v5.0.0 :5657-5675: exits 1 (exitWithRetCode with
         * "auto-upgrade", which has no success code) */
        inplace_say(u, "All nodes have been upgrade, no need to upgrade again.");
        u->noop = true;
        return 0;
    } else if (rec.state == ENGINE_DONE && rec.index >= S_POST_CHECK && !grey_every_node_at(u, 4)) {
        /* the last batch finished: the next one from sync-config */
        r = next_batch(u, hosts, n, cont, err);
        if (r == 0)
            r = grey_put_targets(u, err);
        if (r < 0)
            return r;
        from = S_SYNC_CONFIG;
    } else {
        /* a batch interrupted: the same nodes again */
        from = (size_t)rec.index + (rec.state == ENGINE_DONE ? 1 : 0);
        if (read_targets(u, tbuf, sizeof(tbuf), NULL) < 0) {
            /* killed before the batch was recorded: this run's nodes */
            for (size_t i = 0; i < n; i++)
                u->targets[i] = hosts[i];
            u->n_targets = n;
            if (n == 0)
                set_targets_all(u);
        }
        if (grey_every_node_at(u, 4))
            set_targets_all(u);
        else if (n > 0 && !same_nodes(hosts, n, u->targets, u->n_targets)) {
            grey_list_nodes(u->targets, u->n_targets, names, sizeof(names));
            return og_error_set(err, OG_E_NODES_MISMATCH,
                                "Last unsuccessfully upgrade nodes %s are not same with current "
                                "upgrade nodes. Please upgrade them first.",
                                names);
        }
        inplace_say(u, "Resuming the grey upgrade from step %s.",
                    from < grey_plan.n ? grey_plan.steps[from].name : "(none)");
    }
    grey_list_nodes(u->targets, u->n_targets, names, sizeof(names));
    inplace_say(u, "Upgrade nodes %s.", names);
    r = engine_run(&grey_plan, from, u, &failed, err);
    if (r < 0) {
        inplace_say(u,
                    "Failed to upgrade at step %s. Fix the cause, then run auto-upgrade again to "
                    "resume, or auto-rollback to return to %s.",
                    failed >= 0 ? grey_plan.steps[failed].name : "?", u->oldv.version);
        return r;
    }
    if (grey_every_node_at(u, 5)) {
        inplace_banner(u);
        inplace_say(u, "Successfully upgrade all nodes.");
    } else {
        inplace_say(u,
                    "The nodes %s have been successfully upgraded. Then can upgrade the remaining "
                    "nodes.",
                    names);
    }
    return 0;
}

/* The engine index a rollback starts from: the last step whose number is
 * at most the highest step of upgrade_step.csv, or ogup's record if it is
 * further (a batch under way is undone with the nodes ahead of it). */
static int rollback_from(const struct inplace *u, const struct inplace_record *rec)
{
    int m = grey_max_step(u), idx = rec->has_step ? rec->index : -1;

    for (int i = (int)grey_plan.n - 1; i >= 0; i--)
        if (grey_plan.steps[i].og_step <= m) {
            if (i > idx)
                idx = i;
            break;
        }
    return idx;
}

int grey_rollback(struct inplace *u, struct og_error *err)
{
    struct inplace_record rec;
    int from, r = inplace_read_record(u, &rec, err);

    if (r < 0)
        return r;
    inplace_say(u, "Performing grey rollback.");
    if (!rec.present) {
        inplace_say(u, "No need to rollback.");
        u->noop = true;
        return 0;
    }
    if (rec.has_steps)
        u->steps = rec.steps;
    if (rec.has_steps && strcmp(rec.steps.action, u->action) != 0)
        return og_error_set(err, OG_E_CONTENT_INVALID,
                            "%s/%s\nIncorrect upgrade strategy, input upgrade type: %s; record "
                            "upgrade type: %s",
                            u->dir, JOURNAL_STEPS_FILE, u->action, rec.steps.action);
    if (grey_max_step(u) >= JOURNAL_STEP_MAX)
        return og_error_set(err, OG_E_ALREADY_COMMITTED,
                            "Upgrade has already been committed but not finished commit. Please "
                            "commit again! Can not rollback any more.");
    if (rec.present && !rec.has_step && !rec.has_steps)
        return og_error_set(err, OG_E_UPGRADE_UNFINISHED,
                            "Upgrade is not finished: %s holds no grey record ogup can read.",
                            u->dir);
    set_targets_all(u);
    from = rollback_from(u, &rec);
    inplace_say(u, "Rolling back from step %s.",
                from >= 0 ? grey_plan.steps[from].name : "prepare");
    r = engine_rollback(&grey_plan, from, u, err);
    if (r == 0 && (u->skipped.len || dynbuf_error(&u->skipped))) {
        r = grey_record(u, from, ENGINE_DONE, true, err);
        if (r == 0)
            inplace_say(u,
                        "Rollback done on the reachable nodes; the journal still records step "
                        "%s.",
                        grey_plan.steps[from].name);
        return r;
    }
    if (r == 0) {
        inplace_say(u, "Every node runs %s.", u->oldv.version);
        inplace_say(u, "Rollback succeeded.");
    }
    return r;
}

int grey_commit(struct inplace *u, struct og_error *err)
{
    struct inplace_record rec;
    int r = inplace_read_record(u, &rec, err);

    if (r < 0)
        return r;
    if (rec.has_steps)
        u->steps = rec.steps;
    if (!rec.present)
        return inplace_nothing_to_commit(u, err);
    if (!rec.has_steps || !grey_every_node_at(u, 5) || rec.undoing)
        return og_error_set(err, OG_E_NOT_PRECOMMIT, "Current upgrade status is not pre commit.");
    r = inplace_set_read_only(u, false, err);
    if (r == 0)
        r = engine_run(&grey_commit_plan, 0, u, NULL, err);
    if (r == 0)
        inplace_say(u, "Commit upgrade succeeded.");
    return r;
}
