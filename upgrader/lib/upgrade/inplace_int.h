/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * Internal to the in-place plan: what inplace.c (the plan, the journal, the
 * node operations) and inplace_catalog.c (the catalog steps) share.
 */
#pragma once

#include "inplace.h"

#define INPLACE_CTL_TIMEOUT_MS (10 * 60 * 1000)
/* journal: the configuration backup (backup/) is complete on every node */
#define INPLACE_BACKUP_DONE JOURNAL_OGUP_BACKUP_DONE
/* the package's upgrade_sql.tar.gz, extracted, and the catalog SQL assembled
 * from it: $PGHOST/ogup_upgrade_sql, never inside the journal directory */
#define INPLACE_SQL_DIR        "ogup_upgrade_sql"
#define INPLACE_NORMAL_WAIT_MS (90 * 1000)

void inplace_say(const struct inplace *u, const char *fmt, ...) _printf_(2, 3);
/* "Upgrade main process has been finished, ..." with the commit command */
void inplace_banner(const struct inplace *u);
/* commit-upgrade found no upgrade under way: "No need to commit-upgrade"
 * (noop), or -OG_E_SAME_COMMIT after a finished commit */
int inplace_nothing_to_commit(struct inplace *u, struct og_error *err);
const struct cluster_node *inplace_primary(const struct inplace *u);
size_t inplace_other_nodes(const struct inplace *u, const char **out);
/* --force: a node's failure is noted and the rest goes on */
/* A worker call on each of[i] (argvs[i]) at once; the outcomes taken in
 * node order, --force noting each failure (inplace_node_result). */
int inplace_worker_each(struct inplace *u, const struct cluster_node *const *of, size_t n,
                        const char *const *const *argvs, const char *what, struct og_error *err)
    _warn_unused_result_;
int inplace_node_result(struct inplace *u, const struct cluster_node *n, int r, const char *what,
                        struct og_error *err);
bool inplace_gone(struct inplace *u, const struct cluster_node *n, const char *what);
/* a journal file written here, crash-safely, and copied to every other node:
 * ogup_step's sequence advanced with it (here first, there last) */
int inplace_journal_put(struct inplace *u, const char *name, const char *text, struct og_error *err)
    _warn_unused_result_;
/* Several files in one record: written here, then put on every other node
 * with one generation (one worker call per node) */
int inplace_journal_put_files(struct inplace *u, const char *const *names, const char *const *texts,
                              size_t k, struct og_error *err) _warn_unused_result_;
/* gs_guc reload NAME=VALUE on every datanode; code and message on failure */
int inplace_reload_guc(struct inplace *u, const char *setting, int code, const char *failure,
                       struct og_error *err) _warn_unused_result_;

/* ogup's step record (ogup_step and upgrade_step.dat on every node) */
int inplace_record_step(void *ctx, int index, enum engine_state state, bool undoing,
                        struct og_error *err);

/* a journal openGauss's gs_upgradectl left (inplace_adopt.c): converted on
 * every node, ogup's record written from upgrade_step.dat; *ret the record
 * to go on from */
int inplace_adopt(struct inplace *u, const struct inplace_record *rec, struct inplace_record *ret,
                  struct og_error *err) _warn_unused_result_;

/* default_transaction_read_only on every node (inplace_node.c) */
int inplace_set_read_only(struct inplace *u, bool on, struct og_error *err) _warn_unused_result_;
/* binary_upgrade removed on every node (inplace_journal.c) */
int inplace_journal_remove_everywhere(struct inplace *u, struct og_error *err) _warn_unused_result_;

/* the catalog steps (inplace_catalog.c) */
bool inplace_is_large(void *ctx);
int inplace_catalog_list(struct inplace *u, struct og_error *err) _warn_unused_result_;
int inplace_catalog_backup(struct inplace *u, struct og_error *err) _warn_unused_result_;
int inplace_catalog_clean(struct inplace *u, struct og_error *err) _warn_unused_result_;
int inplace_do_start(void *ctx, struct og_error *err);
int inplace_undo_start(void *ctx, struct og_error *err);
int inplace_do_catalog(void *ctx, struct og_error *err);
int inplace_undo_catalog(void *ctx, struct og_error *err);
int inplace_do_post_catalog(void *ctx, struct og_error *err);

/* upgrade_mode=N on every datanode (gs_guc reload) */
int inplace_set_upgrade_mode(struct inplace *u, int mode, struct og_error *err)
    _warn_unused_result_;
/* The SQL extracted from $GPHOME, then the scripts of first and then (either
 * may be NULL) on every database of the running primary; fresh: the record
 * of the databases done is dropped first (a rollback runs everywhere). */
int inplace_catalog_sql(struct inplace *u, const char *first, const char *then, bool fresh,
                        struct og_error *err) _warn_unused_result_;
/* A planned handover of the primary role: from (the primary) stopped fast,
 * to (a standby) waited for until it replayed from's shutdown checkpoint,
 * then promoted (gs_ctl failover); the live roles re-read and recorded
 * (ogup_roles). from stays stopped. */
int inplace_handover(struct inplace *u, const struct cluster_node *from,
                     const struct cluster_node *to, struct og_error *err) _warn_unused_result_;
/* every one of nodes runs the new release ($GAUSSHOME/bin/gaussdb -V);
 * else code with failure and what the node said */
int inplace_check_version(struct inplace *u, const char *const *nodes, size_t n, int code,
                          const char *failure, struct og_error *err) _warn_unused_result_;
/* "Progress report: (N%)", the engine's progress callback of every plan */
void inplace_progress(void *ctx, int index, int percent);
/* The record both plans start with, on every node, in one put (one
 * generation): record_app_directory and old_upgrade_version; ogup_roles (the
 * live roles, for every later step, also once the cluster is stopped);
 * ogup_frozen_gucs as they are now (an existing record is kept); and the
 * plan's own file name/text when name is not NULL. */
int inplace_record_base(struct inplace *u, const char *name, const char *text, struct og_error *err)
    _warn_unused_result_;
/* ogup_roles again (after a handover) */
int inplace_record_roles(struct inplace *u, struct og_error *err) _warn_unused_result_;
