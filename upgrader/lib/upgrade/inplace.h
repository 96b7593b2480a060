/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * inplace.h - openGauss's in-place upgrade (reference §3.8) as a plan on the
 * step engine, with its rollback and its commit.
 *
 * Steps (openGauss's upgrade_step.dat number in brackets), in openGauss's
 * order (openGauss-OM v5.0.0 UpgradeImpl.py doInplaceBinaryUpgrade :2285):
 *   record [0]         journal: app dirs, old version, cluster numbers, frozen
 *                      GUCs, live roles; read-only; large: the catalog file list
 *   stop-cluster [2]   every datanode at once (fast)
 *   backup [3]         configs, the old app's carried files, large: catalog files
 *   install [4]        the server package as <app>_<commit>; carried files into it
 *   start [5]          large: touch_init_flag; the old binary; upgrade_mode=1
 *   catalog [5]        large: rollback, then upgrade SQL (old binary)
 *   switch-bin [5]     stop; $GAUSSHOME -> new app (atomic rename); start
 *   post-catalog [5]   large: rollback-post, then upgrade-post SQL (new binary)
 *   post-check [5]     read-only; new version everywhere, Normal, replay, GUCs
 *   pre-commit [6]     the upgrade awaits commit-upgrade or auto-rollback
 * ogup's own record beside openGauss's files: ogup_step ("inplace <i> <name>
 * begin|done do|undo"), ogup_frozen_gucs, ogup_catalog_done, ogup_roles,
 * ogup_catalog_files, backup/ (backup/app: the carried files).
 */
#pragma once

#include <stdbool.h>

#include "clusterconfig.h"
#include "dynbuf.h"
#include "engine.h"
#include "journal.h"
#include "precheck.h"
#include "versioncfg.h"
#include "worker.h"

#define INPLACE_ACTION       "inplace-binary-upgrade"
#define INPLACE_STEP_FILE    JOURNAL_OGUP_STEP
#define INPLACE_FROZEN_FILE  JOURNAL_OGUP_FROZEN
#define INPLACE_CATALOG_DONE JOURNAL_OGUP_CATALOG_DONE
#define INPLACE_ROLES_FILE   JOURNAL_OGUP_ROLES
#define INPLACE_CATALOG_LIST JOURNAL_OGUP_CATALOG_FILES

/* The upgrade's context, shared by the in-place plan and the grey one
 * (grey.h): the same node operations, catalog SQL and record. */
struct inplace {
    struct precheck_env *env;       /* t, installed cluster, worker, paths */
    const struct engine_plan *plan; /* recorded in ogup_step (&inplace_plan) */
    const char *action;             /* upgrade_step.dat's action */
    struct worker w;
    const struct cluster_config *cfg;
    const char *nodes[CLUSTER_MAX_NODES];
    size_t n_nodes;
    const char *gphome, *pghost;
    char dir[PATH_MAX];     /* $PGHOST/binary_upgrade */
    char old_app[PATH_MAX]; /* realpath of the old app */
    char new_app[PATH_MAX]; /* <appPath>_<new commit> */
    struct version_cfg oldv, newv;
    bool large;
    bool force;  /* auto-rollback --force */
    bool probed; /* --force: unreachable nodes dropped from nodes[] */
    bool quiet;
    /* what a run tells the tool about its exit (openGauss's exitWithRetCode,
     * UpgradeImpl.py v5.0.0 :93-143): nothing was to be done (no need to
     * roll back or commit; every node upgraded already) */
    bool noop;
    const char *xml_path;  /* -X as given, for the pre-commit banner */
    struct dynbuf skipped; /* --force: what was skipped, for the operator */
    int replay_wait_ms;
    /* grey (grey.h): the batch being upgraded (-h, --continue, all) */
    bool grey;
    bool degraded_ok; /* waiting for the cluster: Degraded will do */
    bool rolling;     /* ogup's --rolling: standbys first, one switchover */
    /* ogup's --parallel: the catalog SQL on this many databases at once
     * (inplace_catalog.c; openGauss runs them one by one); 0: 1 */
    int parallel;
    const char *targets[CLUSTER_MAX_NODES];
    size_t n_targets;
    struct journal_steps steps; /* upgrade_step.csv as recorded */
};

/* --parallel's bounds and its default: twice this host's CPUs, within 2..8
 * (each database's transaction waits on its commit -- the WAL flush and the
 * standbys -- as much as it computes). */
#define INPLACE_PARALLEL_MAX 32
int inplace_parallel_default(void);

/* The three plans. */
extern const struct engine_plan inplace_plan;
extern const struct engine_plan inplace_commit_plan;

/* What the journal says (the nodes' copies reconciled). */
struct inplace_record {
    bool present;  /* binary_upgrade exists */
    bool has_step; /* ogup_step read */
    int index;     /* step index */
    enum engine_state state;
    bool undoing;   /* a rollback was under way */
    bool committed; /* commitFlagFile */
    int og_step;    /* upgrade_step.dat, -1 when absent */
    bool has_steps; /* grey: upgrade_step.csv */
    struct journal_steps steps;
};

/* The upgrade's failpoints are registered by the caller, once, before
 * failpoint_setup (grey_register_failpoints: the one registry). */
int inplace_init(struct inplace *u, struct precheck_env *env, struct og_error *err);
void inplace_done(struct inplace *u);

/* Read the journal on every node (reconciled; nodes missing it repaired). */
int inplace_read_record(struct inplace *u, struct inplace_record *ret, struct og_error *err);

/* The three actions; each returns 0 or a code. */
int inplace_upgrade(struct inplace *u, struct og_error *err);
int inplace_rollback(struct inplace *u, struct og_error *err);
int inplace_commit(struct inplace *u, struct og_error *err);

/* Cluster operations the plans share (also used by tests and the bench). */
int inplace_stop_all(struct inplace *u, struct og_error *err);

/* node-local (gs_upgradectl --local adopt-backup DIR): openGauss's backups
 * in DIR converted into ogup's layout beside them (inplace_adopt.c) */
int inplace_adopt_local(const char *dir, struct og_error *err);
/* upgrade_from > 0: upgrade mode (-u). Nodes already running are left. */
int inplace_start_all(struct inplace *u, int upgrade_from, struct og_error *err);
int inplace_wait_normal(struct inplace *u, int timeout_ms, struct og_error *err);
