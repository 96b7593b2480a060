/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * greylocal.h - the grey upgrade's node-local operations (run by
 * `gs_upgradectl --local`), as openGauss's UpgradeUtility.py workers do them
 * (openGauss-OM v5.0.0 script/local/UpgradeUtility.py):
 *
 * - greySyncGuc (:3702): each datanode's postgresql.conf kept as
 *   postgresql.conf.bak.old before anything changes it; greyRestoreGuc
 *   (:4544) puts it back at a rollback; cleanConfBakOld (:4615) at commit;
 * - switchDn (:4330): the instance killed (SIGKILL, as `pkill -9 gaussdb`)
 *   when the binary it runs is not the target's (isKillDn :4323: its
 *   version() against the target's build); the controller then relinks
 *   $GAUSSHOME and starts it;
 * - ogup's --rolling handover (an extension): the old primary stopped fast
 *   and where its WAL ends, in one call on it; the chosen standby promoted
 *   once it has replayed past that point, in one call on it.
 */
#pragma once

#include <stdbool.h>

#include "ogerror.h"

#define GREY_CONF_BAK_SUFFIX ".bak.old"

int grey_local_conf_backup(const char *datadir, struct og_error *err) _warn_unused_result_;
int grey_local_conf_restore(const char *datadir, struct og_error *err) _warn_unused_result_;
int grey_local_conf_clean(const char *datadir, struct og_error *err) _warn_unused_result_;

/* Kill the instance of datadir unless it runs target's build; waits (30 s
 * at most) until it and its children are gone. *killed tells. */
int grey_local_kill_other(const char *target, const char *datadir, bool *killed,
                          struct og_error *err) _warn_unused_result_;

/* "X/Y", each 1-8 hex digits: a pg_lsn literal */
bool grey_local_lsn_valid(const char *lsn);
/* gs_ctl stop -m fast (a fast shutdown ships every WAL record to the
 * standbys; already stopped is fine), then pg_controldata's latest checkpoint
 * location -- its shutdown checkpoint -- into lsn. */
int grey_local_stop_primary(const char *app, const char *datadir, char *lsn, size_t size,
                            struct og_error *err) _warn_unused_result_;
/* Wait (60 s at most, every 20 ms) until the running standby of datadir has
 * replayed past lsn, then gs_ctl failover: it is the primary. */
int grey_local_promote_after(const char *app, const char *datadir, const char *lsn,
                             struct og_error *err) _warn_unused_result_;
