/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * grey.h - openGauss's grey (rolling) upgrade (reference §3.2-§3.7) as a plan
 * on the step engine, with its rollback and its commit, over the context the
 * in-place plan uses (struct inplace, inplace.h).
 *
 * Steps (openGauss's GreyUpgradeStep recorded in upgrade_step.csv for the
 * batch's nodes while the step runs; openGauss-OM v5.0.0 UpgradeImpl.py
 * doGreyBinaryUpgrade :1463, upgradeAgain :1563):
 *   prepare [0]         binary_upgrade on every node: upgrade_step.csv (every
 *                       node 0), .dat, record_app_directory,
 *                       old_upgrade_version; the cluster stays writable
 *   install [0]         the server package as <app>_<commit> on every node
 *   catalog [1]         large: upgrade_mode=2; `rollback` then `upgrade` SQL
 *                       on the old binary (the cluster serving)
 *   sync-config [2]     the batch: postgresql.conf.bak.old, the old app's
 *                       files carried into the new app, $GAUSSHOME -> new
 *   switch-process [3]  the batch: CHECKPOINT; each old gaussdb killed and
 *                       started on the new binary with -u <old number>
 *   post-check [4]      Normal or Degraded; the batch runs the new version
 *   post-catalog [4]    every node at 4, large: `rollback-post` then
 *                       `upgrade-post` SQL on the new binary
 *   pre-commit [5]      every node at 4: the upgrade awaits commit-upgrade
 * The first batch (all nodes, or -h's) runs from prepare; a later one
 * (-h, --continue) from sync-config, for nodes still at 0.
 */
#pragma once

#include <stdbool.h>

#include "inplace.h"

#define GREY_LARGE_ACTION "large-binary-upgrade"
#define GREY_SMALL_ACTION "small-binary-upgrade"
#define GREY_NODES_FILE   JOURNAL_OGUP_GREY_NODES /* the batch under way, a node per line */

extern const struct engine_plan grey_plan;
extern const struct engine_plan grey_commit_plan;

/* The one registry of the upgrade's failpoints: every point gs_upgradectl
 * can hit, the plans' (in place and grey, each with its commit: here, where
 * all four are known) and the journal's put (journal.put.after-local), in
 * that order. gs_upgradectl (--list-failpoints, OGUP_FAILPOINTS), ogfault's
 * failpoint check and the scenarios' failpoint names all register them from
 * here; the fault matrix's rows are these plans' points
 * (engine_failpoint_name). Idempotent; 0 or the first failure. */
int grey_register_failpoints(void);

/* inplace_init, then the grey plan and its action (large/small). */
int grey_init(struct inplace *u, struct precheck_env *env, struct og_error *err)
    _warn_unused_result_;

/* Whether the journal in dir is a grey one (upgrade_step.csv there). */
bool grey_journal_here(const char *dir);

/* -h's comma-separated list: every name a node of cfg (GAUSS-51619),
 * duplicates dropped; out points into list (modified). */
int grey_parse_hosts(const struct cluster_config *cfg, char *list, const char **out, size_t *n,
                     struct og_error *err) _warn_unused_result_;

/* auto-upgrade: hosts (n > 0) as -h, cont as --continue, else every node;
 * a batch interrupted before is resumed (the same nodes). */
int grey_upgrade(struct inplace *u, const char *const *hosts, size_t n, bool cont,
                 struct og_error *err) _warn_unused_result_;
/* auto-rollback: every node, from the highest step recorded (§3.7). */
int grey_rollback(struct inplace *u, struct og_error *err) _warn_unused_result_;
/* commit-upgrade: every node at 5 (or 6: a commit resumed). */
int grey_commit(struct inplace *u, struct og_error *err) _warn_unused_result_;
