/* SPDX-License-Identifier: MulanPSL-2.0 */
#include <stdio.h>

#include "catalogsql.h"
#include "cleanup.h"
#include "ogerror.h"
#include "simversion.h"
#include "strtable.h"
#include "banned.h"

static const char *const catalog_mode_table[] = {
    [CATALOG_UPGRADE] = "upgrade",
    [CATALOG_UPGRADE_POST] = "upgrade-post",
    [CATALOG_ROLLBACK] = "rollback",
    [CATALOG_ROLLBACK_POST] = "rollback-post",
};
STRTABLE_TO_STRING(catalog_mode_name, enum catalog_mode, catalog_mode_table, "?");

static const char *const catalog_db_table[] = {
    [CATALOG_MAINDB] = "maindb",
    [CATALOG_OTHERDB] = "otherdb",
};
STRTABLE_TO_STRING(catalog_db_name, enum catalog_db, catalog_db_table, "otherdb");

/* Distinct kernel numbers of the simulated releases above the base. */
static size_t steps(int *out, size_t max)
{
    size_t n = 0;

    for (size_t i = 0; i < sim_version_count(); i++) {
        int num = sim_version_at(i)->number;
        bool seen = num <= CATALOG_BASE_NUMBER;

        for (size_t j = 0; j < n && !seen; j++)
            seen = out[j] == num;
        if (!seen && n < max)
            out[n++] = num;
    }
    /* The table is in release order, numbers ascend with it; keep it sorted anyway. */
    for (size_t i = 1; i < n; i++)
        for (size_t j = i; j > 0 && out[j - 1] > out[j]; j--) {
            int t = out[j];
            out[j] = out[j - 1];
            out[j - 1] = t;
        }
    return n;
}

size_t catalog_step_count(void)
{
    int buf[64];

    return steps(buf, ELEMENTSOF(buf));
}

int catalog_step_at(size_t i)
{
    int buf[64];
    size_t n = steps(buf, ELEMENTSOF(buf));

    return i < n ? buf[i] : -1;
}

int catalog_step_prev(int number)
{
    int buf[64];
    size_t n = steps(buf, ELEMENTSOF(buf));

    for (size_t i = 0; i < n; i++)
        if (buf[i] == number)
            return i == 0 ? CATALOG_BASE_NUMBER : buf[i - 1];
    return -1;
}

void catalog_sql_filename(enum catalog_mode mode, enum catalog_db db, int number, char *buf,
                          size_t size)
{
    snprintf(buf, size, "%s_catalog_%s_%d_%03d.sql", catalog_mode_name(mode), catalog_db_name(db),
             number / 1000, number % 1000);
}

void catalog_sql_folder(enum catalog_mode mode, enum catalog_db db, char *buf, size_t size)
{
    bool up = mode == CATALOG_UPGRADE || mode == CATALOG_UPGRADE_POST;

    snprintf(buf, size, "%s_catalog_%s", up ? "upgrade" : "rollback", catalog_db_name(db));
}

#define GUARD_INPLACE                                                                              \
    "DO $og$\nBEGIN\n"                                                                             \
    "  IF coalesce(current_setting('og.isinplaceupgrade', true), 'off') NOT IN ('on', 'true', "    \
    "'1') THEN\n"                                                                                  \
    "    RAISE EXCEPTION 'catalog changes need IsInplaceUpgrade = on';\n"                          \
    "  END IF;\nEND\n$og$;\n"

/* Which binary runs a script (openGauss: the non-post scripts on the old
 * binary before the switch, the post scripts on the new one after it; blog
 * upgrade_script.md, UpgradeImpl.py v5.0.0 :2430-2447). The running binary's
 * own number is og.kernel_num (gaussdb.c); gs_initdb's bootstrap, which
 * plays every step on the new binary, says og.catalog_bootstrap. */
#define GUARD_BINARY(cmp, what)                                                                    \
    "DO $og$\nBEGIN\n"                                                                             \
    "  IF coalesce(current_setting('og.catalog_bootstrap', true), 'off') <> 'on' AND "             \
    "coalesce(current_setting('og.kernel_num', true), '0')::int " cmp " THEN\n"                    \
    "    RAISE EXCEPTION '" what " (this binary is %%', "                                          \
    "current_setting('og.kernel_version', true) || ')';\n"                                         \
    "  END IF;\nEND\n$og$;\n"

static int gen_upgrade(struct dynbuf *o, enum catalog_db db, int n, int p)
{
    int r = dynbuf_appends(o, GUARD_INPLACE);

    if (r == 0)
        r = dynbuf_appendf(o,
                           GUARD_BINARY(">= %d",
                                        "catalog step %d.%03d runs on the old binary, before "
                                        "the switch"),
                           n, n / 1000, n % 1000);

    if (r == 0)
        r = dynbuf_appendf(
            o,
            "DO $og$\nDECLARE cur int;\nBEGIN\n"
            "  SELECT num INTO cur FROM og_catalog.catalog_version;\n"
            "  IF cur IS NULL OR cur NOT IN (%d, %d) THEN\n"
            "    RAISE EXCEPTION 'catalog step %d.%03d needs catalog %d.%03d, found %%', cur;\n"
            "  END IF;\nEND\n$og$;\n"
            "CREATE TABLE IF NOT EXISTS og_catalog.gs_catalog_%d (objid int PRIMARY KEY, "
            "objname text NOT NULL);\n"
            "INSERT INTO og_catalog.gs_catalog_%d VALUES (1, 'catalog step %d.%03d') "
            "ON CONFLICT (objid) DO NOTHING;\n"
            "CREATE OR REPLACE FUNCTION og_catalog.gs_feature_%d() RETURNS int "
            "LANGUAGE sql IMMUTABLE AS $f$ SELECT %d $f$;\n",
            p, n, n / 1000, n % 1000, p / 1000, p % 1000, n, n, n / 1000, n % 1000, n, n);
    if (r == 0 && db == CATALOG_MAINDB)
        r = dynbuf_appendf(o,
                           "DO $og$\nBEGIN\n"
                           "  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = "
                           "'gs_role_%d') THEN\n"
                           "    CREATE ROLE gs_role_%d NOLOGIN;\n"
                           "  END IF;\nEND\n$og$;\n",
                           n, n);
    if (r == 0)
        r = dynbuf_appendf(o, "UPDATE og_catalog.catalog_version SET num = %d WHERE num = %d;\n", n,
                           p);
    return r;
}

static int gen_upgrade_post(struct dynbuf *o, int n)
{
    return dynbuf_appendf(o,
                          GUARD_BINARY("< %d", "post step %d.%03d runs on the new binary, after "
                                               "the switch") "DO $og$\nBEGIN\n"
                                                             "  IF coalesce((SELECT num FROM "
                                                             "og_catalog.catalog_version), 0) < %d "
                                                             "THEN\n"
                                                             "    RAISE EXCEPTION 'post step "
                                                             "%d.%03d needs catalog %d.%03d or "
                                                             "later';\n"
                                                             "  END IF;\nEND\n$og$;\n"
                                                             "CREATE OR REPLACE VIEW "
                                                             "og_catalog.gs_post_%d AS SELECT "
                                                             "objid, objname FROM "
                                                             "og_catalog.gs_catalog_%d;\n",
                          n, n / 1000, n % 1000, n, n / 1000, n % 1000, n / 1000, n % 1000, n, n);
}

static int gen_rollback(struct dynbuf *o, enum catalog_db db, int n, int p)
{
    int r = dynbuf_appends(o, GUARD_INPLACE);

    if (r == 0)
        r = dynbuf_appendf(o,
                           "DROP VIEW IF EXISTS og_catalog.gs_post_%d;\n"
                           "DROP FUNCTION IF EXISTS og_catalog.gs_feature_%d();\n"
                           "DROP TABLE IF EXISTS og_catalog.gs_catalog_%d;\n",
                           n, n, n);
    if (r == 0 && db == CATALOG_MAINDB)
        r = dynbuf_appendf(o, "DROP ROLE IF EXISTS gs_role_%d;\n", n);
    if (r == 0)
        r = dynbuf_appendf(o, "UPDATE og_catalog.catalog_version SET num = %d WHERE num = %d;\n", p,
                           n);
    return r;
}

int catalog_sql_generate(enum catalog_mode mode, enum catalog_db db, int number, struct dynbuf *out)
{
    int prev = catalog_step_prev(number);
    char name[96];
    int r;

    if (prev < 0)
        return -OG_E_INVALID_ARG;
    catalog_sql_filename(mode, db, number, name, sizeof(name));
    r = dynbuf_appendf(out,
                       "-- %s: ogup simulated openGauss catalog, step %d.%03d (from %d.%03d)\n",
                       name, number / 1000, number % 1000, prev / 1000, prev % 1000);
    if (r < 0)
        return r;
    switch (mode) {
    case CATALOG_UPGRADE:
        return gen_upgrade(out, db, number, prev);
    case CATALOG_UPGRADE_POST:
        return gen_upgrade_post(out, number);
    case CATALOG_ROLLBACK:
        return gen_rollback(out, db, number, prev);
    case CATALOG_ROLLBACK_POST:
        return dynbuf_appendf(out, "DROP VIEW IF EXISTS og_catalog.gs_post_%d;\n", number);
    }
    return -OG_E_INVALID_ARG;
}

int catalog_sql_bootstrap(int own_number, enum catalog_db db, bool mot, struct dynbuf *out)
{
    int r = dynbuf_appendf(
        out,
        "CREATE SCHEMA IF NOT EXISTS og_catalog;\n"
        "CREATE TABLE IF NOT EXISTS og_catalog.catalog_version (num int NOT NULL);\n"
        "CREATE UNIQUE INDEX IF NOT EXISTS catalog_version_one_row ON "
        "og_catalog.catalog_version ((true));\n"
        "INSERT INTO og_catalog.catalog_version SELECT %d WHERE NOT EXISTS "
        "(SELECT 1 FROM og_catalog.catalog_version);\n"
        /* openGauss's answers (observed): version() is the product line,
         * working_version_num() the number the running kernel works at (its
         * own, or the old one in upgrade mode); the server passes both as
         * og.version_string and og.working_version_num (gaussdb.c). */
        "CREATE OR REPLACE FUNCTION pg_catalog.version() RETURNS text LANGUAGE sql STABLE "
        "AS $og$SELECT pg_catalog.current_setting('og.version_string', true)$og$;\n"
        "CREATE OR REPLACE FUNCTION pg_catalog.working_version_num() RETURNS int LANGUAGE sql "
        "STABLE AS $og$SELECT pg_catalog.current_setting('og.working_version_num', true)::int"
        "$og$;\n"
        "SET og.isinplaceupgrade = on;\nSET og.catalog_bootstrap = on;\n",
        CATALOG_BASE_NUMBER);

    for (size_t i = 0; r == 0 && i < catalog_step_count(); i++) {
        int n = catalog_step_at(i);
        if (n > own_number)
            break;
        r = catalog_sql_generate(CATALOG_UPGRADE, db, n, out);
        if (r == 0)
            r = catalog_sql_generate(CATALOG_UPGRADE_POST, db, n, out);
    }
    if (r == 0)
        r = dynbuf_appends(out, "RESET og.isinplaceupgrade;\nRESET og.catalog_bootstrap;\n");
    if (r == 0 && mot)
        r = dynbuf_appends(out, "DO $og$\nBEGIN\n"
                                "  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_foreign_data_wrapper "
                                "WHERE fdwname = 'mot_fdw') THEN\n"
                                "    CREATE FOREIGN DATA WRAPPER mot_fdw;\n"
                                "  END IF;\n"
                                "  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_foreign_server "
                                "WHERE srvname = 'mot_server') THEN\n"
                                "    CREATE SERVER mot_server FOREIGN DATA WRAPPER mot_fdw;\n"
                                "  END IF;\nEND\n$og$;\n");
    return r;
}
