/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * inplace.c - the in-place upgrade, its rollback and its commit (see
 * inplace.h). Each step's do and undo live side by side below; the catalog
 * steps in inplace_catalog.c, the node operations in inplace_node.c, the
 * record in inplace_journal.c, taking over openGauss's own journal in
 * inplace_adopt.c.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "tarball.h"
#include "catalogsel.h"
#include "clusterstatus.h"
#include "fs.h"
#include "inplace_int.h"
#include "jdist.h"
#include "journal.h"
#include "oglog.h"
#include "pkgsum.h"
#include "banned.h"

#define NORMAL_WAIT_MS INPLACE_NORMAL_WAIT_MS

/* ---- step: record ------------------------------------------------------------------ */

static int do_record(void *ctx, struct og_error *err)
{
    struct inplace *u = ctx;
    char nums[128];
    int r;

    snprintf(nums, sizeof(nums), "newClusterNumber:%s\noldClusterNumber:%s\n", u->newv.number_str,
             u->oldv.number_str);
    r = inplace_record_base(u, JOURNAL_INPLACE_FILE, nums, err);
    /* clients are refused from here to commit or rollback (writes during the
     * backup would be lost by a rollback) */
    if (r == 0)
        r = inplace_set_read_only(u, true, err);
    /* large: the catalog files the physical backup takes, while it runs */
    if (r == 0 && u->large)
        r = inplace_catalog_list(u, err);
    return r;
}

/* the last undo of a rollback: the cluster (running again) takes writes */
static int undo_record(void *ctx, struct og_error *err)
{
    return inplace_set_read_only(ctx, false, err);
}

/* ---- step: stop-cluster --------------------------------------------------------------- */

static int do_stop_cluster(void *ctx, struct og_error *err)
{
    return inplace_stop_all(ctx, err);
}

static int undo_stop_cluster(void *ctx, struct og_error *err)
{
    struct inplace *u = ctx;
    int r = inplace_start_all(u, 0, err);

    if (r == 0 && !u->force)
        r = inplace_wait_normal(u, NORMAL_WAIT_MS, err);
    return r;
}

/* ---- step: backup -------------------------------------------------------------------- */

/* openGauss's backupClusterConfig (UpgradeImpl.py v5.0.0 :2370): each
 * node's instance configuration, what the old app carries (appinstall.h)
 * into backup/app, and for a large upgrade the catalog physical files. */
static int do_backup(void *ctx, struct og_error *err)
{
    struct inplace *u = ctx;
    char dst[PATH_MAX + 16], app[PATH_MAX + 16];
    const char *carry[] = {"backup-app", u->old_app, app, NULL};
    int r = 0;

    snprintf(dst, sizeof(dst), "%s/backup", u->dir);
    snprintf(app, sizeof(app), "%s/backup/app", u->dir);
    for (size_t i = 0; r == 0 && i < u->cfg->n_nodes; i++) {
        const struct cluster_node *n = &u->cfg->nodes[i];
        const char *node[] = {n->name};
        const char *verb[] = {"backup-conf", n->datadir, dst, NULL};
        r = worker_run_all(&u->w, node, 1, verb, NULL, 0, NULL, err);
    }
    if (r == 0)
        r = worker_run_all(&u->w, u->nodes, u->n_nodes, carry, NULL, 0, NULL, err);
    if (r == 0 && u->large)
        r = inplace_catalog_backup(u, err);
    /* from here the rollback restores the configuration: a backup missing
     * then is an error (OGUP-60093), never a rollback that keeps the new */
    if (r == 0)
        r = inplace_journal_put(u, INPLACE_BACKUP_DONE, "", err);
    return r;
}

static int undo_backup(void *ctx, struct og_error *err)
{
    struct inplace *u = ctx;
    char mark[PATH_MAX + 32];
    int r = 0;

    /* not recorded: the backup was never complete, nothing after it ran */
    snprintf(mark, sizeof(mark), "%s/%s", u->dir, INPLACE_BACKUP_DONE);
    for (size_t i = 0; r == 0 && access(mark, F_OK) == 0 && i < u->cfg->n_nodes; i++) {
        const struct cluster_node *n = &u->cfg->nodes[i];
        const char *node[] = {n->name};
        char src[PATH_MAX + 16];
        const char *verb[] = {"restore-conf", src, n->datadir, NULL};
        if (inplace_gone(u, n, "restoring the configuration"))
            continue;
        snprintf(src, sizeof(src), "%s/backup", u->dir);
        r = inplace_node_result(u, n, worker_run_all(&u->w, node, 1, verb, NULL, 0, NULL, err),
                                "restoring the configuration", err);
    }
    /* cleanBackupedCatalogPhysicalFiles(isRollBack=True), UpgradeImpl.py :4600 */
    if (r == 0 && u->large)
        r = inplace_catalog_clean(u, err);
    if (r == 0 && !(u->skipped.len || dynbuf_error(&u->skipped)))
        r = jdist_remove(&u->w, u->nodes, u->n_nodes, u->dir, INPLACE_BACKUP_DONE, err);
    return r;
}

/* ---- step: install --------------------------------------------------------------------- */

/* A worker verb on every reachable node (--force: the others noted). */
static int on_every_node(struct inplace *u, const char *const *verb, const char *what,
                         struct og_error *err)
{
    int r = 0;

    for (size_t i = 0; r == 0 && i < u->cfg->n_nodes; i++) {
        const struct cluster_node *n = &u->cfg->nodes[i];
        const char *node[] = {n->name};
        if (inplace_gone(u, n, what))
            continue;
        r = inplace_node_result(u, n, worker_run_all(&u->w, node, 1, verb, NULL, 0, NULL, err),
                                what, err);
    }
    return r;
}

/* openGauss's installNewBin (:6729) and restoreClusterConfig (:6111): the
 * server package in $GPHOME installed as <appPath>_<commit>, then what the
 * old app carries, from the backup, into it. */
static int do_install(void *ctx, struct og_error *err)
{
    struct inplace *u = ctx;
    char app[PATH_MAX + 16];
    const char *install[] = {"install-app", u->gphome, u->new_app, NULL};
    const char *carry[] = {"carry-app", app, u->new_app, NULL};
    int r;

    snprintf(app, sizeof(app), "%s/backup/app", u->dir);
    r = worker_run_all(&u->w, u->nodes, u->n_nodes, install, NULL, 0, NULL, err);
    if (r == 0)
        r = worker_run_all(&u->w, u->nodes, u->n_nodes, carry, NULL, 0, NULL, err);
    return r;
}

static int relink_all(struct inplace *u, const char *target, struct og_error *err);

/* $GAUSSHOME back on the old app, what it carries restored into it
 * (restoreClusterConfig(isRollBack=True), :4592), the new app removed
 * (cleanInstallPath(NEW), :4613). */
static int undo_install(void *ctx, struct og_error *err)
{
    struct inplace *u = ctx;
    char app[PATH_MAX + 16];
    const char *carry[] = {"restore-app", app, u->old_app, NULL};
    const char *rm[] = {"rm", u->new_app, NULL};
    int r = relink_all(u, u->old_app, err);

    snprintf(app, sizeof(app), "%s/backup/app", u->dir);
    if (r == 0 && strcmp(u->old_app, u->new_app) == 0)
        r = og_error_set(err, OG_E_SAME_PATH, "The directory name %s and %s cannot be same.",
                         u->old_app, u->new_app);
    if (r == 0)
        r = on_every_node(u, carry, "restoring the old app's configuration", err);
    if (r == 0)
        r = on_every_node(u, rm, "removing the new app", err);
    return r;
}

/* ---- step: switch-bin ------------------------------------------------------------------- */

/* $GAUSSHOME -> target on every node at once, as openGauss's switchBin sends
 * its switch to every host together (openGauss-OM v5.0.0 UpgradeImpl.py
 * :6916-6950, execCommandWithMode); outcomes in node order, --force noting
 * each failure. */
static int relink_all(struct inplace *u, const char *target, struct og_error *err)
{
    const char *verb[] = {"relink", u->cfg->app_path, target, NULL};
    const char *const *verbs[CLUSTER_MAX_NODES];
    const struct cluster_node *of[CLUSTER_MAX_NODES];
    size_t n = 0;

    for (size_t i = 0; i < u->cfg->n_nodes && n < CLUSTER_MAX_NODES; i++) {
        const struct cluster_node *nd = &u->cfg->nodes[i];
        if (inplace_gone(u, nd, "switching $GAUSSHOME"))
            continue;
        verbs[n] = verb;
        of[n++] = nd;
    }
    return inplace_worker_each(u, of, n, verbs, "switching $GAUSSHOME", err);
}

/* openGauss: stop, switchBin(NEW), start (:2438-2443); the new binary
 * starts normally on the catalog the old one upgraded. */
static int do_switch_bin(void *ctx, struct og_error *err)
{
    struct inplace *u = ctx;
    int r = inplace_stop_all(u, err);

    if (r == 0)
        r = relink_all(u, u->new_app, err);
    if (r == 0)
        r = inplace_start_all(u, 0, err);
    return r;
}

static int undo_switch_bin(void *ctx, struct og_error *err)
{
    struct inplace *u = ctx;
    int r = inplace_stop_all(u, err);

    if (r == 0)
        r = relink_all(u, u->old_app, err);
    return r;
}

/* ---- step: post-check -------------------------------------------------------------------------
 */

static int do_post_check(void *ctx, struct og_error *err)
{
    struct inplace *u = ctx;
    int r = inplace_start_all(u, 0, err); /* resumed after a crash: up again */

    /* read-only until commit or rollback, as openGauss before its health check */
    if (r == 0)
        r = inplace_set_read_only(u, true, err);
    if (r == 0)
        r = inplace_wait_normal(u, NORMAL_WAIT_MS, err);
    if (r < 0)
        return og_error_set(err, OG_E_CLUSTER_STATUS,
                            "Failed to check cluster status. Cluster "
                            "status is Abnormal.");
    r = inplace_check_version(u, u->nodes, u->n_nodes, OG_E_CLUSTER_STATUS,
                              "Failed to check cluster status. The gaussdb version is "
                              "inconsistent",
                              err);
    if (r == 0)
        r = precheck_standby_replay(u->env, err);
    if (r == 0)
        r = precheck_frozen_gucs(u->env, err);
    return r;
}

void inplace_progress(void *ctx, int index, int percent)
{
    struct inplace *u = ctx;
    (void)index;
    inplace_say(u, "Progress report: (%d%%)", percent);
}

static const struct engine_step inplace_steps[] = {
    {"record", "record the upgrade on every node; the cluster becomes read-only", 0, NULL,
     do_record, undo_record},
    {"stop-cluster", "stop every datanode (all at once)", 2, NULL, do_stop_cluster,
     undo_stop_cluster},
    {"backup", "back up every node's configuration, app files and (large) catalog files", 3, NULL,
     do_backup, undo_backup},
    {"install", "install the new app on every node and carry the old app's files into it", 4, NULL,
     do_install, undo_install},
    {"start", "start every datanode on the old binary with upgrade_mode=1", 5, inplace_is_large,
     inplace_do_start, inplace_undo_start},
    {"catalog", "the rollback then the upgrade catalog SQL, on the old binary", 5, inplace_is_large,
     inplace_do_catalog, inplace_undo_catalog},
    {"switch-bin", "stop, switch $GAUSSHOME to the new app, start the new binary", 5, NULL,
     do_switch_bin, undo_switch_bin},
    {"post-catalog", "the rollback-post then the upgrade-post SQL, on the new binary", 5,
     inplace_is_large, inplace_do_post_catalog, NULL},
    {"post-check", "check versions, cluster state, replay and GUCs", 5, NULL, do_post_check, NULL},
    {"pre-commit", "wait for commit-upgrade or auto-rollback", 6, NULL, engine_record_only, NULL},
};

const struct engine_plan inplace_plan = {
    .name = "inplace",
    .steps = inplace_steps,
    .n = ELEMENTSOF(inplace_steps),
    .record = inplace_record_step,
    .progress = inplace_progress,
};

/* ---- commit ------------------------------------------------------------------------------------
 */

static int do_commit_flag(void *ctx, struct og_error *err)
{
    return inplace_journal_put(ctx, JOURNAL_COMMIT_FLAG, "", err);
}

/* openGauss's commit: upgrade_mode=0 (large), then read-write (:2600-2608) */
static int do_read_write(void *ctx, struct og_error *err)
{
    struct inplace *u = ctx;
    int r = u->large ? inplace_reload_guc(u, "upgrade_mode=0", OG_E_EXEC_FAILED,
                                          "Failed to set upgrade_mode", err)
                     : 0;

    if (r == 0)
        r = inplace_set_read_only(u, false, err);
    return r;
}

static int do_remove_backup(void *ctx, struct og_error *err)
{
    struct inplace *u = ctx;
    const char *names[] = {"backup", "upgrade_sql"}; /* upgrade_sql: an older ogup's */
    int r = 0;

    for (size_t i = 0; r == 0 && i < ELEMENTSOF(names); i++)
        r = jdist_remove(&u->w, u->nodes, u->n_nodes, u->dir, names[i], err);
    if (r == 0)
        r = jdist_remove(&u->w, u->nodes, u->n_nodes, u->pghost, INPLACE_SQL_DIR, err);
    if (r == 0 && u->large)
        r = inplace_catalog_clean(u, err);
    return r;
}

static int do_remove_old_app(void *ctx, struct og_error *err)
{
    struct inplace *u = ctx;
    const char *verb[] = {"rm", u->old_app, NULL};

    if (strcmp(u->old_app, u->new_app) == 0 || !u->old_app[0])
        return og_error_set(err, OG_E_SAME_PATH, "The directory name %s and %s cannot be same.",
                            u->old_app, u->new_app);
    return worker_run_all(&u->w, u->nodes, u->n_nodes, verb, NULL, 0, NULL, err);
}

static int do_clear_journal(void *ctx, struct og_error *err)
{
    return inplace_journal_remove_everywhere(ctx, err);
}

static const struct engine_step commit_steps[] = {
    {"record-commit", "record the commit on every node (commitFlagFile)", 6, NULL, do_commit_flag,
     NULL},
    {"read-write", "upgrade_mode=0 (large); the cluster takes writes again", 6, NULL, do_read_write,
     NULL},
    {"remove-backup", "remove the backups, the catalog files' backup and the extracted SQL", 6,
     NULL, do_remove_backup, NULL},
    {"remove-old-app", "remove the old app on every node", 6, NULL, do_remove_old_app, NULL},
    {"clear-journal", "remove binary_upgrade on every node", 6, NULL, do_clear_journal, NULL},
};

const struct engine_plan inplace_commit_plan = {
    .name = "inplace-commit",
    .steps = commit_steps,
    .n = ELEMENTSOF(commit_steps),
    .record = engine_record_none, /* commitFlagFile is the record: every step is idempotent */
    .progress = inplace_progress,
};

/* ---- set-up and the actions
 * ---------------------------------------------------------------------- */

int inplace_init(struct inplace *u, struct precheck_env *env, struct og_error *err)
{
    char link[PATH_MAX], p[PATH_MAX + 32];
    struct stat st;
    int r;

    u->env = env;
    u->plan = &inplace_plan;
    u->action = INPLACE_ACTION;
    u->cfg = env->installed;
    u->w = (struct worker){.t = env->t, .path = env->worker};
    u->gphome = env->gphome;
    u->pghost = env->pghost;
    dynbuf_init(&u->skipped, 1 << 20);
    u->n_nodes = u->cfg->n_nodes;
    for (size_t i = 0; i < u->n_nodes; i++)
        u->nodes[i] = u->cfg->nodes[i].name;
    snprintf(u->dir, sizeof(u->dir), "%s/%s", env->pghost, JOURNAL_DIR_NAME);

    /* the switch relinks $GAUSSHOME: it must be a link (openGauss-OM v5.0.0
     * UpgradeImpl.py:481 choseStrategy, GAUSS-52915) */
    if (lstat(u->cfg->app_path, &st) < 0)
        return og_error_set_errno(err, OG_E_NOT_EXIST, errno, "The %s does not exist.",
                                  u->cfg->app_path);
    if (!S_ISLNK(st.st_mode))
        return og_error_set(err, OG_E_NOT_SYMLINK, "$GAUSSHOME is not a symbolic link: %s.",
                            u->cfg->app_path);

    /* new: the OM tools' package */
    snprintf(p, sizeof(p), "%s/version.cfg", env->gphome);
    r = version_cfg_read(p, &u->newv, err);
    if (r < 0)
        return r;
    snprintf(u->new_app, sizeof(u->new_app), "%s_%s", u->cfg->app_path, u->newv.commit);
    /* old: what the journal recorded, else what $GAUSSHOME points to */
    {
        _cleanup_journal_ struct journal *j = NULL;
        struct journal_app_dirs dirs;
        struct version_cfg ov;
        if (access(u->dir, F_OK) == 0 && journal_open(u->dir, &j, NULL) == 0 &&
            journal_read_app_dirs(j, &dirs, NULL) == 0 &&
            journal_read_old_version(j, &ov, NULL) == 0) {
            snprintf(u->old_app, sizeof(u->old_app), "%s", dirs.old_app);
            u->oldv = ov;
            if (strcmp(dirs.new_app, u->new_app) != 0)
                return og_error_set(err, OG_E_UNFINISHED_VERSION,
                                    "Current upgrade version is not same with unfinished upgrade "
                                    "version record. (the journal's new app is %s, the OM tools "
                                    "in $GPHOME are %s %s: roll the recorded upgrade back with "
                                    "the OM tools of %s first)",
                                    dirs.new_app, u->newv.product, u->newv.commit, dirs.new_app);
            u->large = u->oldv.number != u->newv.number;
            return 0;
        }
    }
    if (!realpath(u->cfg->app_path, link))
        return og_error_set_errno(err, OG_E_NOT_EXIST, errno, "The %s does not exist.",
                                  u->cfg->app_path);
    snprintf(u->old_app, sizeof(u->old_app), "%s", link);
    snprintf(p, sizeof(p), "%s/version.cfg", u->old_app);
    r = version_cfg_read(p, &u->oldv, err);
    u->large = u->oldv.number != u->newv.number;
    return r;
}

void inplace_done(struct inplace *u)
{
    dynbuf_done(&u->skipped);
}

int inplace_upgrade(struct inplace *u, struct og_error *err)
{
    struct inplace_record rec;
    size_t from = 0;
    int failed = -1, r;

    r = inplace_read_record(u, &rec, err);
    if (r < 0)
        return r;
    if (rec.present && rec.committed)
        return og_error_set(err, OG_E_ALREADY_COMMITTED,
                            "Upgrade has already been committed but not finished commit. Please "
                            "commit again!");
    if (rec.present && rec.undoing)
        return og_error_set(err, OG_E_UPGRADE_UNFINISHED,
                            "Upgrade is not finished, cannot do another task: a rollback is under "
                            "way (at step %s); run auto-rollback to finish it.",
                            rec.index >= 0 ? inplace_plan.steps[rec.index].name : "none");
    /* a journal openGauss's own tool left: taken over */
    if (rec.present && !rec.has_step) {
        r = inplace_adopt(u, &rec, &rec, err);
        if (r < 0)
            return r;
    }
    if (rec.present && rec.has_step) {
        from = (size_t)rec.index + (rec.state == ENGINE_DONE ? 1 : 0);
        inplace_say(u, "Resuming the upgrade from step %s (the journal records %s %s).",
                    from < inplace_plan.n ? inplace_plan.steps[from].name : "(none)",
                    inplace_plan.steps[rec.index].name,
                    rec.state == ENGINE_DONE ? "done" : "begun");
        if (from >= inplace_plan.n) {
            inplace_say(
                u, "The upgrade is at pre-commit already: run commit-upgrade or auto-rollback.");
            u->noop = true;
            return 0;
        }
    }
    r = engine_run(&inplace_plan, from, u, &failed, err);
    if (r < 0) {
        inplace_say(u,
                    "Failed to upgrade at step %s. Fix the cause, then run auto-upgrade again to "
                    "resume, or auto-rollback to return to %s.",
                    failed >= 0 ? inplace_plan.steps[failed].name : "?", u->oldv.version);
        return r;
    }
    inplace_say(u, "The cluster runs %s; auto-rollback returns to %s until the commit.",
                u->newv.version, u->oldv.version);
    inplace_banner(u);
    return 0;
}

int inplace_rollback(struct inplace *u, struct og_error *err)
{
    struct inplace_record rec;
    int r = inplace_read_record(u, &rec, err);

    if (r < 0)
        return r;
    inplace_say(u, "Performing inplace rollback.");
    if (!rec.present) {
        inplace_say(u, "No need to rollback.");
        u->noop = true;
        return 0;
    }
    if (rec.committed)
        return og_error_set(err, OG_E_ALREADY_COMMITTED,
                            "Upgrade has already been committed, can not execute rollback command "
                            "any more.");
    /* a journal openGauss's own tool left: taken over, then undone */
    if (!rec.has_step) {
        r = inplace_adopt(u, &rec, &rec, err);
        if (r < 0)
            return r;
    }
    inplace_say(u, "Rolling back from step %s.",
                rec.index >= 0 ? inplace_plan.steps[rec.index].name : "record");
    r = engine_rollback(&inplace_plan, rec.index, u, err);
    if (r == 0 && (u->skipped.len || dynbuf_error(&u->skipped))) {
        /* something was skipped: the journal keeps the step the rollback
         * started from, so a later auto-rollback does it all again (every
         * undo is idempotent) and finishes what was skipped */
        r = inplace_record_step(u, rec.index, rec.state, true, err);
        if (r == 0)
            inplace_say(u,
                        "Rollback done on the reachable nodes; the journal still records step %s.",
                        inplace_plan.steps[rec.index].name);
        return r;
    }
    if (r == 0) {
        inplace_say(u, "Every node runs %s.", u->oldv.version);
        inplace_say(u, "Rollback succeeded.");
    }
    return r;
}

/* commit-upgrade with no upgrade under way, both plans: the running build is
 * already the new one after a finished commit -- choseStrategy's refusal
 * (UpgradeImpl.py v5.0.0 :529, 52901; the tool wraps it in 52900) -- else
 * nothing to commit (:600-606) */
int inplace_nothing_to_commit(struct inplace *u, struct og_error *err)
{
    if (strcmp(u->oldv.commit, u->newv.commit) == 0)
        return og_error_set(err, OG_E_SAME_COMMIT,
                            "New cluster commitid cannot be same with old cluster commitid.");
    inplace_say(u, "No need to commit-upgrade");
    u->noop = true;
    return 0;
}

int inplace_commit(struct inplace *u, struct og_error *err)
{
    struct inplace_record rec;
    int r = inplace_read_record(u, &rec, err);

    if (r < 0)
        return r;
    if (!rec.present)
        return inplace_nothing_to_commit(u, err);
    /* doInplaceCommitUpgrade :2569-2652 */
    inplace_say(u, "NOTICE: Start to commit binary upgrade.");
    if (!rec.committed &&
        !(rec.og_step == 6 && rec.has_step && rec.index == (int)inplace_plan.n - 1 &&
          rec.state == ENGINE_DONE && !rec.undoing))
        return og_error_set(err, OG_E_NOT_PRECOMMIT,
                            "Current upgrade status is not pre commit. Please check if previous "
                            "upgrade operation was successful or if upgrade has already been "
                            "committed.");
    r = engine_run(&inplace_commit_plan, 0, u, NULL, err);
    if (r == 0)
        inplace_say(u, "NOTICE: Commit binary upgrade succeeded.");
    return r;
}
