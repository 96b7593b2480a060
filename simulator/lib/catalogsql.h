/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * catalogsql.h - the simulated kernel's catalog and its upgrade SQL.
 *
 * Every database holds a schema og_catalog with
 *   og_catalog.catalog_version(num int)   exactly one row: the catalog number
 *                                          (92605 for 92.605)
 * and, for every catalog step N up to that number, the objects the step
 * creates (table og_catalog.gs_catalog_N, function og_catalog.gs_feature_N(),
 * view og_catalog.gs_post_N; maindb steps also the shared role gs_role_N).
 *
 * A kernel starts normally only when every database's catalog number equals
 * its own kernel number (gaussdb -u N also accepts N).
 *
 * Step files, named as openGauss names them:
 *   {upgrade,upgrade-post,rollback,rollback-post}_catalog_{maindb,otherdb}_<int>_<frac>.sql
 * upgrade N   : needs catalog P or N (P = the step before N), creates the
 *               step's objects, moves the number P -> N.
 * upgrade-post: needs catalog N or later, creates the step's view.
 * rollback N  : idempotent (DROP ... IF EXISTS), moves the number N -> P.
 * rollback-post: drops the view (idempotent).
 * upgrade/rollback refuse to run unless IsInplaceUpgrade is on (gsql maps
 * "SET IsInplaceUpgrade = on" to the placeholder og.isinplaceupgrade).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "dynbuf.h"

enum catalog_mode {
    CATALOG_UPGRADE,
    CATALOG_UPGRADE_POST,
    CATALOG_ROLLBACK,
    CATALOG_ROLLBACK_POST,
};

enum catalog_db {
    CATALOG_MAINDB,
    CATALOG_OTHERDB,
};

/* The catalog number of a fresh 1.0.x kernel: steps start after it. */
#define CATALOG_BASE_NUMBER 92072

const char *catalog_mode_name(enum catalog_mode mode);
const char *catalog_db_name(enum catalog_db db);

/* Catalog steps (distinct kernel numbers above the base), ascending. */
size_t catalog_step_count(void);
int catalog_step_at(size_t i);
/* The step before number (CATALOG_BASE_NUMBER for the first); -1 when
 * number is not a step. */
int catalog_step_prev(int number);

/* "upgrade-post_catalog_maindb_92_605.sql" */
void catalog_sql_filename(enum catalog_mode mode, enum catalog_db db, int number, char *buf,
                          size_t size);
/* Folder inside upgrade_sql/: "upgrade_catalog_maindb" or "rollback_catalog_otherdb". */
void catalog_sql_folder(enum catalog_mode mode, enum catalog_db db, char *buf, size_t size);

/* The SQL of one step file. 0, -OG_E_INVALID_ARG (not a step) or dynbuf errors. */
int catalog_sql_generate(enum catalog_mode mode, enum catalog_db db, int number,
                         struct dynbuf *out);

/* SQL that creates og_catalog at kernel number own_number in a fresh database:
 * the base schema, then every step's upgrade and upgrade-post SQL up to
 * own_number; with mot, the MOT foreign server mot_server as well. */
int catalog_sql_bootstrap(int own_number, enum catalog_db db, bool mot, struct dynbuf *out);
