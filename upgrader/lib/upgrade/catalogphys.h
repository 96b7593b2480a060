/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * The physical catalog backup of a large in-place upgrade, node-local, per
 * datanode, as openGauss's Local_Upgrade_Utility does it (UpgradeUtility.py
 * v5.0.0 backupOneInstanceOldClusterCatalogPhysicalFiles :2850, restore
 * :3100-3243; UpgradeConst.py :159 BACKUP_DIR_LIST_BASE, :198):
 *
 * - global, pg_clog, pg_csnlog copied to <dir>_bak (pg_multixact, pg_replslot,
 *   pg_notify, pg_subtrans, pg_twophase too when the old kernel is older
 *   than 91.208);
 * - the WAL from the latest checkpoint's REDO file on, each segment to
 *   pg_xlog/<segment>_upgrade_backup, listed in pg_xlog/xlog_backup_info.json;
 * - every catalog relation file of every database (the list the upgrader
 *   took from the running primary, datadir-relative) to <file>_bak, with its
 *   forks and segments, and each database's pg_filenode.map and
 *   pg_internal.init.
 *
 * Taken once, with the datanode stopped: the files are copied without a sync
 * each, the file system synced once, then CATALOGPHYS_BACKED_UP written; with
 * the mark there a new backup keeps the old one, without it (a backup cut
 * short) everything is copied again. Likewise the restore: all copied, one
 * sync, then CATALOGPHYS_RESTORED.
 * The restore puts all of it back (newer WAL removed first) so the old
 * binary starts on the exact catalog of before; the clean removes it.
 */
#pragma once

#include "cleanup.h"
#include "ogerror.h"

#define CATALOGPHYS_XLOG_INFO "xlog_backup_info.json"
/* in the data directory: the catalog was put back from its backup (a later
 * restore after the backup is cleaned is a no-op); removed by a new backup */
#define CATALOGPHYS_RESTORED    "ogup_catalog_restored"
#define CATALOGPHYS_XLOG_SUFFIX "_upgrade_backup"
/* in the data directory: the backup is whole and on disk; removed first by the clean */
#define CATALOGPHYS_BACKED_UP "ogup_catalog_backed_up"

/* app: the app whose bin/pg_controldata reads the datanode's control file;
 * list: the file of catalog relation paths; old_number: the old kernel. */
int catalogphys_backup(const char *app, const char *datadir, const char *list, int old_number,
                       struct og_error *err) _warn_unused_result_;
int catalogphys_restore(const char *datadir, struct og_error *err) _warn_unused_result_;
int catalogphys_clean(const char *datadir, struct og_error *err) _warn_unused_result_;

/* The SQL that lists one database's catalog relation files (run on the
 * primary, one path a row). */
extern const char catalogphys_list_sql[];
