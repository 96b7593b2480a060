/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * inplace_catalog.c - the catalog steps of a large in-place upgrade, as
 * openGauss orders them (openGauss-OM v5.0.0 UpgradeImpl.py
 * doInplaceBinaryUpgrade :2285-2475, doUpgradeCatalog :3190, rollbackCatalog
 * :4708, doPhysicalRollbackCatalog :4776):
 *
 *   start [5]        touch_init_flag; the old binary started; upgrade_mode=1
 *   catalog [5]      `rollback` (cleanup) then `upgrade` scripts, old binary
 *   (switch-bin)     inplace.c: stop, $GAUSSHOME -> new app, start
 *   post-catalog [5] `rollback-post` then `upgrade-post` scripts, new binary
 *
 * The rollback of the catalog (once touch_init_flag is there): by the SQL
 * rollback scripts when the old kernel is above 93.000, else, or when
 * they fail, by restoring the physical backup each node took at step 3
 * (catalogphys.h).
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "archive_util.h"
#include "catalogphys.h"
#include "catalogsel.h"
#include "fs.h"
#include "inplace_int.h"
#include "jdist.h"
#include "journal.h"
#include "pkgsum.h"
#include "banned.h"

#define SQL_FILE_MAX       (64u << 20)
#define SQL_ROLLBACK_ABOVE 93000 /* UpgradeImpl.py v5.0.0 :4718 */

bool inplace_is_large(void *ctx)
{
    return ((struct inplace *)ctx)->large;
}

/* binary_upgrade/upgrade_sql from $GPHOME/upgrade_sql.tar.gz (sha256 checked). */
static int extract_sql(struct inplace *u, struct og_error *err)
{
    char tar[PATH_MAX + 32], sum[PATH_MAX + 32], dst[PATH_MAX + 32];
    int r;

    snprintf(tar, sizeof(tar), "%s/upgrade_sql.tar.gz", u->gphome);
    snprintf(sum, sizeof(sum), "%s/upgrade_sql.sha256", u->gphome);
    snprintf(dst, sizeof(dst), "%s/upgrade_sql", u->dir);
    r = pkgsum_verify(tar, sum, err);
    if (r == 0)
        r = fs_remove_tree(dst, err);
    if (r == 0)
        r = fs_mkdir_p(u->dir, 0700, err);
    if (r == 0)
        r = archive_extract(tar, u->dir, err);
    return r;
}

/* Assemble <mode>_catalog_<db>_tmp.sql (reference §3.5): one transaction,
 * openGauss's header, the selected files in order, COMMIT; copied to the
 * primary's node. */
static int assemble_sql(struct inplace *u, const char *mode, const char *db, char *path,
                        size_t size, struct og_error *err)
{
    char folder[PATH_MAX + 64];
    const char *names[512], *sel[512];
    size_t n = 0;
    int k, r = 0;
    _cleanup_dynbuf_ struct dynbuf sql;
    DIR *d;
    struct dirent *de;

    dynbuf_init(&sql, SQL_FILE_MAX);
    /* the tarball holds upgrade_sql/ at its top */
    snprintf(folder, sizeof(folder), "%s/upgrade_sql/%s_catalog_%s", u->dir,
             strncmp(mode, "upgrade", 7) == 0 ? "upgrade" : "rollback", db);
    d = opendir(folder);
    if (!d)
        return og_error_set_errno(err, OG_E_NOT_EXIST, errno, "The %s does not exist.", folder);
    while ((de = readdir(d)) && n < ELEMENTSOF(names))
        if (de->d_name[0] != '.' && (names[n] = strdup(de->d_name)) != NULL)
            n++;
    closedir(d);
    k = catalogsel_select(names, n, mode, db, u->oldv.number, u->newv.number, sel, ELEMENTSOF(sel));
    if (k < 0)
        r = og_error_set(err, OG_E_CONTENT_INVALID, "selecting the %s SQL of %s", mode, db);
    /* the cluster stays read-only for clients; these sessions write (ogup
     * keeps it read-only where openGauss lifts it for the catalog phase,
     * UpgradeImpl.py v5.0.0 :2407: a write accepted then would be lost by a
     * physical catalog rollback) */
    if (r == 0 && dynbuf_appends(&sql, "SET default_transaction_read_only = off;\n"
                                       "START TRANSACTION;\nSET IsInplaceUpgrade = on;\n"
                                       "SET search_path = 'pg_catalog';\n"
                                       "SET local client_min_messages = NOTICE;\n"
                                       "SET local log_min_messages = NOTICE;\n") < 0)
        r = og_error_set(err, OG_E_TOO_LARGE, "catalog SQL");
    for (int i = 0; r == 0 && i < k; i++) {
        char fp[PATH_MAX + 400];
        _cleanup_free_ char *text = NULL;
        snprintf(fp, sizeof(fp), "%s/%s", folder, sel[i]);
        r = fs_read_file(fp, SQL_FILE_MAX, &text, NULL, err);
        if (r == 0 && dynbuf_appends(&sql, text) < 0)
            r = og_error_set(err, OG_E_TOO_LARGE, "catalog SQL");
    }
    if (r == 0 && dynbuf_appends(&sql, "COMMIT;\n") < 0)
        r = og_error_set(err, OG_E_TOO_LARGE, "catalog SQL");
    for (size_t i = 0; i < n; i++)
        free((char *)names[i]);
    snprintf(path, size, "%s/%s_catalog_%s_tmp.sql", u->dir, mode, db);
    if (r == 0)
        r = fs_replace_file(path, sql.buf, sql.len, 0600, err);
    if (r == 0) {
        const char *others[CLUSTER_MAX_NODES];
        size_t no = inplace_other_nodes(u, others);
        for (size_t i = 0; r == 0 && i < no; i++)
            if (strcmp(others[i], inplace_primary(u)->name) == 0) {
                const char *one[] = {others[i]};
                r = jdist_push_file(&u->w, one, 1, u->dir, strrchr(path, '/') + 1, err);
            }
    }
    return r;
}

/* The databases, as openGauss lists them: template0, template1 and postgres
 * must be there. Space separated in buf. */
static int list_databases(struct inplace *u, char *buf, size_t size, struct og_error *err)
{
    int r = precheck_sql(u->env, inplace_primary(u), "postgres",
                         "SELECT string_agg(datname, ' ' ORDER BY datname) FROM pg_database", buf,
                         size, err);

    if (r == 0 &&
        (!strstr(buf, "template0") || !strstr(buf, "template1") || !strstr(buf, "postgres")))
        r = og_error_set(err, OG_E_CONTENT_INVALID, "The database list is invalid: %s", buf);
    return r;
}

static int run_sql_file(struct inplace *u, const char *db, const char *file, struct og_error *err)
{
    const struct cluster_node *p = inplace_primary(u);
    char bin[PATH_MAX + 16], port[16];
    const char *argv[] = {bin,  "-X", "-q", "-h",    u->cfg->tmp_path,   "-p",
                          port, "-d", db,   "--set", "ON_ERROR_STOP=on", "-f",
                          file, NULL};
    struct transport_run_opts o = {.timeout_ms = INPLACE_CTL_TIMEOUT_MS};
    struct command_result res = {0};
    int r;

    snprintf(bin, sizeof(bin), "%s/bin/gsql", u->cfg->app_path);
    snprintf(port, sizeof(port), "%d", p->port);
    r = transport_run(u->env->t, p->name, argv, &o, &res, err);
    if (r == 0 && res.exit_status != 0)
        r = og_error_set(err, OG_E_SQL, "Failed to update catalog. Error: %s on %s: %s",
                         strrchr(file, '/') + 1, db, res.err);
    command_result_done(&res);
    return r;
}

static bool has_line(const char *text, const char *line)
{
    size_t len = strlen(line);

    for (const char *p = text; (p = strstr(p, line)); p++)
        if (p == text || p[-1] == '\n')
            return len > 0;
    return false;
}

/* Run mode on every database (maindb on postgres first), skipping the ones
 * the journal lists as done; each one recorded once committed. */
static int run_catalog_mode(struct inplace *u, const char *mode, struct og_error *err)
{
    char dbs[8192], mainf[PATH_MAX + 64], otherf[PATH_MAX + 64], p[PATH_MAX + 32];
    _cleanup_free_ char *done = NULL;
    _cleanup_dynbuf_ struct dynbuf rec;
    char *save = NULL;
    int r;

    dynbuf_init(&rec, 1 << 20);
    snprintf(p, sizeof(p), "%s/%s", u->dir, INPLACE_CATALOG_DONE);
    if (fs_read_file(p, 1 << 20, &done, NULL, NULL) == 0)
        dynbuf_appends(&rec, done);
    r = list_databases(u, dbs, sizeof(dbs), err);
    if (r == 0)
        r = assemble_sql(u, mode, "maindb", mainf, sizeof(mainf), err);
    if (r == 0)
        r = assemble_sql(u, mode, "otherdb", otherf, sizeof(otherf), err);
    /* postgres first */
    for (int pass = 0; r == 0 && pass < 2; pass++) {
        char copy[8192];
        snprintf(copy, sizeof(copy), "%s", dbs);
        for (char *db = strtok_r(copy, " ", &save); r == 0 && db; db = strtok_r(NULL, " ", &save)) {
            char line[256];
            bool is_main = strcmp(db, "postgres") == 0;
            if (is_main != (pass == 0))
                continue;
            snprintf(line, sizeof(line), "%s %s\n", mode, db);
            if (has_line(dynbuf_str(&rec), line))
                continue;
            r = run_sql_file(u, db, is_main ? mainf : otherf, err);
            if (r == 0 && dynbuf_appends(&rec, line) < 0)
                r = og_error_set(err, OG_E_TOO_LARGE, "catalog record");
            if (r == 0)
                r = inplace_journal_put(u, INPLACE_CATALOG_DONE, dynbuf_str(&rec), err);
            if (r == 0)
                inplace_say(u, "Catalog %s done on database %s.", mode, db);
        }
    }
    return r;
}

/* ---- the physical backup ----------------------------------------------------------- */

/* The catalog relation files of every database, from the running primary
 * (openGauss's backupOldClusterDBAndRelInfo, before the stop); kept once. */
int inplace_catalog_list(struct inplace *u, struct og_error *err)
{
    char dbs[8192], p[PATH_MAX + 64], *save = NULL;
    _cleanup_dynbuf_ struct dynbuf all;
    int r;

    dynbuf_init(&all, 16u << 20);
    snprintf(p, sizeof(p), "%s/%s", u->dir, INPLACE_CATALOG_LIST);
    if (access(p, F_OK) == 0)
        return 0;
    r = list_databases(u, dbs, sizeof(dbs), err);
    for (char *db = r == 0 ? strtok_r(dbs, " ", &save) : NULL; r == 0 && db;
         db = strtok_r(NULL, " ", &save)) {
        char files[256 * 1024];
        r = precheck_sql(u->env, inplace_primary(u), db, catalogphys_list_sql, files, sizeof(files),
                         err);
        if (r == 0 && dynbuf_appendf(&all, "%s\n", files) < 0)
            r = og_error_set(err, OG_E_TOO_LARGE, "catalog file list");
    }
    if (r == 0)
        r = inplace_journal_put(u, INPLACE_CATALOG_LIST, dynbuf_str(&all), err);
    return r;
}

/* One worker verb on every node, once per node, with its datanode's path. */
static int each_datanode(struct inplace *u, const char *verb, bool with_list, const char *what,
                         struct og_error *err)
{
    char list[PATH_MAX + 64], num[16];
    int r = 0;

    snprintf(list, sizeof(list), "%s/%s", u->dir, INPLACE_CATALOG_LIST);
    snprintf(num, sizeof(num), "%d", u->oldv.number);
    for (size_t i = 0; r == 0 && i < u->cfg->n_nodes; i++) {
        const struct cluster_node *n = &u->cfg->nodes[i];
        const char *node[] = {n->name};
        const char *with[] = {verb, u->old_app, n->datadir, list, num, NULL};
        const char *plain[] = {verb, n->datadir, NULL};
        if (inplace_gone(u, n, what))
            continue;
        r = inplace_node_result(
            u, n, worker_run_all(&u->w, node, 1, with_list ? with : plain, NULL, 0, NULL, err),
            what, err);
    }
    return r;
}

int inplace_catalog_backup(struct inplace *u, struct og_error *err)
{
    return each_datanode(u, "backup-catalog", true, "backing up the catalog files", err);
}

int inplace_catalog_clean(struct inplace *u, struct og_error *err)
{
    return each_datanode(u, "clean-catalog", false, "removing the catalog backup", err);
}

/* ---- step: start ---------------------------------------------------------------------- */

int inplace_set_upgrade_mode(struct inplace *u, int mode, struct og_error *err)
{
    char setting[32];

    snprintf(setting, sizeof(setting), "upgrade_mode=%d", mode);
    return inplace_reload_guc(u, setting, OG_E_EXEC_FAILED, "Failed to set upgrade_mode", err);
}

int inplace_do_start(void *ctx, struct og_error *err)
{
    struct inplace *u = ctx;
    /* from here a rollback must roll the catalog back (UpgradeImpl.py :3158) */
    int r = inplace_journal_put(u, JOURNAL_TOUCH_INIT, "", err);

    if (r == 0)
        r = inplace_start_all(u, 0, err);
    if (r == 0)
        r = inplace_set_upgrade_mode(u, 1, err);
    return r;
}

int inplace_undo_start(void *ctx, struct og_error *err)
{
    return inplace_stop_all(ctx, err);
}

/* ---- step: catalog ---------------------------------------------------------------------- */

int inplace_catalog_sql(struct inplace *u, const char *first, const char *then, bool fresh,
                        struct og_error *err)
{
    int r = extract_sql(u, err);

    if (r == 0 && fresh)
        r = jdist_remove(&u->w, u->nodes, u->n_nodes, u->dir, INPLACE_CATALOG_DONE, err);
    if (r == 0 && first)
        r = run_catalog_mode(u, first, err);
    if (r == 0 && then)
        r = run_catalog_mode(u, then, err);
    return r;
}

/* The cluster up (a resumed run finds it down), then the cleanup scripts
 * and the scripts of one phase, in that order (§3.5). */
static int run_phase(struct inplace *u, const char *cleanup, const char *mode, struct og_error *err)
{
    int r = inplace_start_all(u, 0, err);

    if (r == 0)
        r = inplace_catalog_sql(u, cleanup, mode, false, err);
    return r;
}

int inplace_do_catalog(void *ctx, struct og_error *err)
{
    return run_phase(ctx, "rollback", "upgrade", err);
}

/* The SQL way back (old kernel above 93.000): the old binary, upgrade_mode
 * still 1, accepts the newer catalog; the rollback scripts (idempotent)
 * bring every database back. */
static int rollback_by_sql(struct inplace *u, struct og_error *err)
{
    char p[PATH_MAX + 32];
    int r = extract_sql(u, err);

    snprintf(p, sizeof(p), "%s/%s", u->dir, INPLACE_CATALOG_DONE);
    if (r == 0)
        r = inplace_start_all(u, 0, err);
    if (r == 0) {
        unlink(p); /* the rollback runs on every database */
        r = run_catalog_mode(u, "rollback-post", err);
    }
    if (r == 0)
        r = run_catalog_mode(u, "rollback", err);
    if (r == 0)
        r = precheck_standby_replay(u->env, err);
    if (r == 0)
        r = inplace_stop_all(u, err);
    return r;
}

static int rollback_physically(struct inplace *u, struct og_error *err)
{
    int r = inplace_stop_all(u, err);

    if (r == 0)
        r = each_datanode(u, "restore-catalog", false, "restoring the catalog files", err);
    /* doPhysicalRollbackCatalog's setUpgradeMode(0) (:4791), into the
     * stopped instances' configuration */
    if (r == 0)
        r = inplace_set_upgrade_mode(u, 0, err);
    return r;
}

int inplace_undo_catalog(void *ctx, struct og_error *err)
{
    struct inplace *u = ctx;
    char p[PATH_MAX + 32];
    bool physical = u->oldv.number <= SQL_ROLLBACK_ABOVE;
    int r = 0;

    snprintf(p, sizeof(p), "%s/%s", u->dir, JOURNAL_TOUCH_INIT);
    if (access(p, F_OK) != 0)
        return inplace_stop_all(u, err); /* the catalog was never touched */
    if (!physical && rollback_by_sql(u, err) < 0) {
        inplace_say(u,
                    "Failed to roll the catalog back by SQL (%s); restoring the catalog "
                    "physical files.",
                    err->detail);
        og_error_clear(err);
        physical = true;
    }
    if (physical)
        r = rollback_physically(u, err);
    if (r == 0)
        inplace_say(u, "Successfully rolled back the catalog (%s).",
                    physical ? "the physical files of before" : "the rollback SQL");
    if (r == 0)
        r = jdist_remove(&u->w, u->nodes, u->n_nodes, u->dir, INPLACE_CATALOG_DONE, err);
    if (r == 0)
        r = jdist_remove(&u->w, u->nodes, u->n_nodes, u->dir, JOURNAL_TOUCH_INIT, err);
    return r;
}

/* ---- step: post-catalog ------------------------------------------------------------------ */

int inplace_do_post_catalog(void *ctx, struct og_error *err)
{
    struct inplace *u = ctx;
    int r = run_phase(u, "rollback-post", "upgrade-post", err);

    /* the standbys replay the new catalog before anything stops them */
    if (r == 0)
        r = precheck_standby_replay(u->env, err);
    return r;
}
