/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * ogguc.h - openGauss-only GUCs on a PostgreSQL 15 server.
 *
 * PostgreSQL accepts any dotted "placeholder" parameter, so an openGauss GUC
 * NAME lives on the server as og.NAME: instance GUCs (upgrade_mode,
 * enable_stream_replication, replconninfoN, ...) in og_guc.conf, session
 * GUCs (IsInplaceUpgrade, ...) only through SET. gsql rewrites statements
 * that name one of them, so operators and the upgrader keep openGauss's
 * spelling:
 *   SHOW upgrade_mode            -> SELECT COALESCE(current_setting('og.upgrade_mode', true), '0')
 * AS upgrade_mode SET [LOCAL] IsInplaceUpgrade = on -> SET [LOCAL] og.IsInplaceUpgrade = on RESET
 * name                   -> RESET og.name Everything else in the SQL is left byte for byte.
 */
#pragma once

#include <stdbool.h>

#include "dynbuf.h"

struct ogguc {
    const char *name; /* openGauss spelling */
    const char *def;  /* default value shown by SHOW when unset */
    bool instance;    /* settable with gs_guc (else session-only) */
};

/* The entry for name (case-insensitive; replconninfo1..8 included), or NULL. */
const struct ogguc *ogguc_find(const char *name);

/* Rewrite SQL text as described above. 0 or a dynbuf error. */
int ogguc_rewrite_sql(const char *sql, struct dynbuf *out);

/* True when the SQL names an openGauss-only GUC in SET/SHOW/RESET. */
bool ogguc_sql_needs_rewrite(const char *sql);
