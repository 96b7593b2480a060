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
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tarball.h"
#include "catalogphys.h"
#include "catalogsel.h"
#include "fs.h"
#include "inplace_int.h"
#include "jdist.h"
#include "journal.h"
#include "pkgsig.h"
#include "pkgsum.h"
#include "banned.h"

#define SQL_FILE_MAX       (64u << 20)
#define SQL_ROLLBACK_ABOVE 93000 /* UpgradeImpl.py v5.0.0 :4718 */

bool inplace_is_large(void *ctx)
{
    return ((struct inplace *)ctx)->large;
}

static void sql_dir(const struct inplace *u, char *buf, size_t size)
{
    snprintf(buf, size, "%s/%s", u->pghost, INPLACE_SQL_DIR);
}

/* $GPHOME/upgrade_sql.tar.gz (sha256 checked, and its signature when a
 * key is configured: pkgsig.h) into its own directory
 * ($PGHOST/ogup_upgrade_sql, made afresh, 0700), never the journal's: a
 * member named like a journal file lands beside the SQL, harmless. */
static int extract_sql(struct inplace *u, struct og_error *err)
{
    char tar[PATH_MAX + 32], sum[PATH_MAX + 32], dst[PATH_MAX + 32];
    int r;

    snprintf(tar, sizeof(tar), "%s/upgrade_sql.tar.gz", u->gphome);
    snprintf(sum, sizeof(sum), "%s/upgrade_sql.sha256", u->gphome);
    sql_dir(u, dst, sizeof(dst));
    r = pkgsum_verify(tar, sum, err);
    if (r == 0) {
        bool authentic;
        r = pkgsig_check(tar, PKGSIG_KEY_PATH, &authentic, err);
    }
    if (r == 0)
        r = fs_remove_tree(dst, err);
    if (r == 0)
        r = fs_mkdir_p(dst, 0700, err);
    if (r == 0)
        r = tarball_extract(tar, dst, err);
    return r;
}

/* The assembled SQL to the primary's node when it is another (worker put:
 * up to SQL_FILE_MAX; outside the journal, so no journal dump carries it). */
static int push_sql(struct inplace *u, const char *path, const struct dynbuf *sql,
                    struct og_error *err)
{
    const char *others[CLUSTER_MAX_NODES], *put[] = {"put", path, "0600", NULL};
    size_t no = inplace_other_nodes(u, others);
    int r = 0;

    for (size_t i = 0; r == 0 && i < no; i++)
        if (strcmp(others[i], inplace_primary(u)->name) == 0)
            r = worker_run_all(&u->w, &others[i], 1, put, sql->buf ? sql->buf : "", sql->len, NULL,
                               err);
    return r;
}

/* Assemble <mode>_catalog_<db>_tmp.sql (reference §3.5): one transaction,
 * openGauss's header, the selected files in order, COMMIT; copied to the
 * primary's node. */
static int assemble_sql(struct inplace *u, const char *mode, const char *db, char *path,
                        size_t size, struct og_error *err)
{
    char folder[PATH_MAX + 64], dir[PATH_MAX + 32];
    const char *names[512], *sel[512];
    size_t n = 0;
    int k, r = 0;
    _cleanup_dynbuf_ struct dynbuf sql = {0};
    DIR *d;
    struct dirent *de;

    dynbuf_init(&sql, SQL_FILE_MAX);
    /* the tarball holds upgrade_sql/ at its top */
    sql_dir(u, dir, sizeof(dir));
    snprintf(folder, sizeof(folder), "%s/upgrade_sql/%s_catalog_%s", dir,
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
        /* a file's last line never joins the next file's first (a trailing
         * comment would swallow the next statement, or the COMMIT) */
        if (r == 0 && (dynbuf_appends(&sql, text) < 0 || dynbuf_appends(&sql, "\n") < 0))
            r = og_error_set(err, OG_E_TOO_LARGE, "catalog SQL");
    }
    if (r == 0 && dynbuf_appends(&sql, "COMMIT;\n") < 0)
        r = og_error_set(err, OG_E_TOO_LARGE, "catalog SQL");
    for (size_t i = 0; i < n; i++)
        free((char *)names[i]);
    snprintf(path, size, "%s/%s_catalog_%s_tmp.sql", dir, mode, db);
    if (r == 0)
        r = fs_replace_file(path, sql.buf, sql.len, 0600, err);
    if (r == 0)
        r = push_sql(u, path, &sql, err);
    return r;
}

/* The databases, as openGauss lists them (every one, whole names):
 * template0, template1 and postgres must be there. */
static int list_databases(struct inplace *u, struct precheck_dblist *ret, struct og_error *err)
{
    const char *must[] = {"template0", "template1", "postgres"};
    int r = precheck_databases(u->env, inplace_primary(u), false, ret, err);

    for (size_t k = 0; r == 0 && k < ELEMENTSOF(must); k++) {
        bool found = false;
        for (size_t i = 0; i < ret->n; i++)
            found = found || strcmp(ret->names[i], must[k]) == 0;
        if (!found) {
            precheck_dblist_done(ret);
            r = og_error_set(err, OG_E_CONTENT_INVALID, "The database list is invalid: no %s",
                             must[k]);
        }
    }
    return r;
}

/* ogup_catalog_done's line for db: "MODE NAME", or "MODE x:HEX" for a name
 * holding anything but letters, digits and '_' (one line per database) */
static void done_line(const char *mode, const char *db, char *buf, size_t size)
{
    size_t o = (size_t)snprintf(buf, size, "%s ", mode);
    bool plain =
        strspn(db, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") == strlen(db);

    if (!plain)
        o += (size_t)snprintf(buf + o, size - o, "x:");
    for (const char *p = db; *p && o + 4 < size; p++)
        o += (size_t)(plain ? snprintf(buf + o, size - o, "%c", *p)
                            : snprintf(buf + o, size - o, "%02x", (unsigned char)*p));
    snprintf(buf + o, size - o, "\n");
}

static int run_sql_file(struct inplace *u, const char *db, const char *file, struct og_error *err)
{
    const struct cluster_node *p = inplace_primary(u);
    char bin[PATH_MAX + 16], port[16];
    char conn[600];
    const char *argv[] = {bin,  "-X", "-q", "-h",    u->cfg->tmp_path,   "-p",
                          port, "-d", conn, "--set", "ON_ERROR_STOP=on", "-f",
                          file, NULL};
    struct transport_run_opts o = {.timeout_ms = INPLACE_CTL_TIMEOUT_MS};
    struct command_result res = {0};
    int r;

    snprintf(bin, sizeof(bin), "%s/bin/gsql", u->cfg->app_path);
    snprintf(port, sizeof(port), "%d", p->port);
    r = precheck_dbname_conninfo(db, conn, sizeof(conn), err);
    if (r == 0)
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

/* The other databases at once, u->parallel at a time. openGauss runs the
 * maintenance database first, then the others through a pool of ONE thread
 * (openGauss-OM v5.0.0 script/local/UpgradeUtility.py updateCatalog
 * :2727-2741, ThreadPool(1)): one by one. Each is its own transaction on its
 * own connection (its own gsql), so running them side by side is what
 * running them one by one is, minus the waiting. A database is
 * recorded in ogup_catalog_done once its gsql committed; the record is put
 * on every node by one thread at a time, each put carrying every line
 * appended before it (a put in flight is followed by one with what came
 * meanwhile, so n databases cost at most n puts and usually far fewer). The
 * first failure stops new databases from starting; the ones running finish
 * and are recorded, and that failure is returned. */
struct catalog_pool {
    struct inplace *u;
    const char *mode, *file;
    const char **todo;
    size_t n, next;
    pthread_mutex_t m;
    struct dynbuf *rec;
    unsigned long long appended, put; /* record versions */
    bool putting;
    int rc;
    struct og_error err;
};

static int pool_record(struct catalog_pool *p, const char *db, struct og_error *err)
{
    char line[600];
    int r = 0;

    done_line(p->mode, db, line, sizeof(line));
    pthread_mutex_lock(&p->m);
    if (dynbuf_appends(p->rec, line) < 0)
        r = og_error_set(err, OG_E_TOO_LARGE, "catalog record");
    else
        p->appended++;
    while (r == 0 && !p->putting && p->put < p->appended) {
        unsigned long long v = p->appended;
        char *text = strdup(dynbuf_str(p->rec));
        p->putting = true;
        pthread_mutex_unlock(&p->m);
        r = text ? inplace_journal_put(p->u, INPLACE_CATALOG_DONE, text, err)
                 : og_error_set(err, OG_E_NOMEM, "catalog record");
        free(text);
        pthread_mutex_lock(&p->m);
        p->putting = false;
        if (r == 0)
            p->put = v;
    }
    if (r == 0)
        inplace_say(p->u, "Catalog %s done on database %s.", p->mode, db);
    pthread_mutex_unlock(&p->m);
    return r;
}

static void *pool_worker(void *arg)
{
    struct catalog_pool *p = arg;

    for (;;) {
        struct og_error e = {0};
        const char *db;
        int r;
        pthread_mutex_lock(&p->m);
        db = p->rc == 0 && p->next < p->n ? p->todo[p->next++] : NULL;
        pthread_mutex_unlock(&p->m);
        if (!db)
            return NULL;
        r = run_sql_file(p->u, db, p->file, &e);
        if (r == 0)
            r = pool_record(p, db, &e);
        pthread_mutex_lock(&p->m);
        if (r < 0 && p->rc == 0) {
            p->rc = r;
            p->err = e;
        }
        pthread_mutex_unlock(&p->m);
    }
}

static int run_pool(struct catalog_pool *p, struct og_error *err)
{
    pthread_t th[INPLACE_PARALLEL_MAX];
    size_t k = (size_t)(p->u->parallel > 0 ? p->u->parallel : 1), started = 0;

    if (k > p->n)
        k = p->n;
    if (k > INPLACE_PARALLEL_MAX)
        k = INPLACE_PARALLEL_MAX;
    pthread_mutex_init(&p->m, NULL);
    /* one at a time: this thread; else k threads (this one waits) */
    while (k > 1 && started < k && pthread_create(&th[started], NULL, pool_worker, p) == 0)
        started++;
    if (started == 0)
        pool_worker(p);
    for (size_t i = 0; i < started; i++)
        pthread_join(th[i], NULL);
    pthread_mutex_destroy(&p->m);
    if (p->rc < 0)
        *err = p->err;
    return p->rc;
}

/* Run mode on every database (maindb on postgres first, alone), skipping
 * the ones the journal lists as done; each one recorded once committed. */
static int run_catalog_mode(struct inplace *u, const char *mode, struct og_error *err)
{
    char mainf[PATH_MAX + 64], otherf[PATH_MAX + 64], p[PATH_MAX + 32], line[600];
    _cleanup_free_ char *done = NULL;
    _cleanup_dynbuf_ struct dynbuf rec = {0};
    struct precheck_dblist dbs = {0};
    _cleanup_free_ const char **todo = NULL;
    size_t n = 0;
    bool main_todo = false;
    int r;

    dynbuf_init(&rec, JOURNAL_CARRIED_MAX);
    snprintf(p, sizeof(p), "%s/%s", u->dir, INPLACE_CATALOG_DONE);
    if (fs_read_file(p, JOURNAL_CARRIED_MAX, &done, NULL, NULL) == 0)
        dynbuf_adds(&rec, done);
    r = list_databases(u, &dbs, err);
    if (r == 0)
        r = assemble_sql(u, mode, "maindb", mainf, sizeof(mainf), err);
    if (r == 0)
        r = assemble_sql(u, mode, "otherdb", otherf, sizeof(otherf), err);
    if (r == 0 && !(todo = calloc(dbs.n + 1, sizeof(*todo))))
        r = og_error_set(err, OG_E_NOMEM, "catalog databases");
    for (size_t i = 0; r == 0 && i < dbs.n; i++) {
        done_line(mode, dbs.names[i], line, sizeof(line));
        if (has_line(dynbuf_str(&rec), line))
            continue;
        if (strcmp(dbs.names[i], "postgres") == 0)
            main_todo = true;
        else
            todo[n++] = dbs.names[i];
    }
    if (r == 0 && main_todo) { /* postgres first, alone */
        struct catalog_pool one = {.u = u, .mode = mode, .file = mainf, .rec = &rec, .n = 1};
        const char *main_db = "postgres";
        one.todo = &main_db;
        r = run_pool(&one, err);
    }
    if (r == 0 && n) {
        struct catalog_pool others = {
            .u = u, .mode = mode, .file = otherf, .rec = &rec, .todo = todo, .n = n};
        r = run_pool(&others, err);
    }
    precheck_dblist_done(&dbs);
    return r;
}

/* ---- the physical backup ----------------------------------------------------------- */

/* The catalog relation files of every database, from the running primary
 * (openGauss's backupOldClusterDBAndRelInfo, before the stop); kept once.
 * --parallel databases are asked at once (read-only queries, each its own
 * session); the list keeps the databases' order. */
int inplace_catalog_list(struct inplace *u, struct og_error *err)
{
    char p[PATH_MAX + 64];
    _cleanup_dynbuf_ struct dynbuf all = {0};
    const struct cluster_node *on[INPLACE_PARALLEL_MAX];
    struct command_result res[INPLACE_PARALLEL_MAX] = {0};
    struct precheck_dblist dbs = {0};
    size_t k = u->parallel > 0 && u->parallel <= INPLACE_PARALLEL_MAX ? (size_t)u->parallel : 1;
    int r;

    dynbuf_init(&all, JOURNAL_CARRIED_MAX);
    snprintf(p, sizeof(p), "%s/%s", u->dir, INPLACE_CATALOG_LIST);
    if (access(p, F_OK) == 0)
        return 0;
    for (size_t i = 0; i < k; i++)
        on[i] = inplace_primary(u);
    r = list_databases(u, &dbs, err);
    for (size_t i = 0; r == 0 && i < dbs.n; i += k) {
        size_t m = dbs.n - i < k ? dbs.n - i : k;
        r = precheck_sql_each(u->env, on, (const char *const *)dbs.names + i, m,
                              catalogphys_list_sql, res, err);
        for (size_t j = 0; j < m; j++) {
            if (r == 0 &&
                dynbuf_appendf(&all, "%.*s\n", (int)strcspn(res[j].out, "\n"), res[j].out) < 0)
                r = og_error_set(err, OG_E_TOO_LARGE, "catalog file list over %u bytes",
                                 JOURNAL_CARRIED_MAX);
            command_result_done(&res[j]);
        }
    }
    precheck_dblist_done(&dbs);
    if (r == 0)
        r = inplace_journal_put(u, INPLACE_CATALOG_LIST, dynbuf_str(&all), err);
    return r;
}

/* One worker verb on every node, once per node, with its datanode's path. */
/* verb on every datanode at once: openGauss sends its catalog backup and
 * restore to all nodes in one go as well (openGauss-OM v3.0.0
 * UpgradeImpl.py:4979 backupCatalogFiles, :3975 the restore: one command
 * through CmdExecutor.execCommandWithMode over sshTool, every host in
 * parallel). The outcomes are taken in node order, --force skipping the
 * failed ones; a failure no longer keeps the later nodes from their backup
 * (which is idempotent, and removed by the undo). */
static int each_datanode(struct inplace *u, const char *verb, bool with_list, const char *what,
                         struct og_error *err)
{
    char list[PATH_MAX + 64], num[16];
    const char *argv[CLUSTER_MAX_NODES][6];
    const char *const *argvs[CLUSTER_MAX_NODES];
    const struct cluster_node *of[CLUSTER_MAX_NODES];
    size_t n = 0;

    snprintf(list, sizeof(list), "%s/%s", u->dir, INPLACE_CATALOG_LIST);
    snprintf(num, sizeof(num), "%d", u->oldv.number);
    for (size_t i = 0; i < u->cfg->n_nodes && n < CLUSTER_MAX_NODES; i++) {
        const struct cluster_node *nd = &u->cfg->nodes[i];
        if (inplace_gone(u, nd, what))
            continue;
        argv[n][0] = verb;
        if (with_list) {
            argv[n][1] = u->old_app;
            argv[n][2] = nd->datadir;
            argv[n][3] = list;
            argv[n][4] = num;
            argv[n][5] = NULL;
        } else {
            argv[n][1] = nd->datadir;
            argv[n][2] = NULL;
        }
        of[n] = nd;
        argvs[n] = argv[n];
        n++;
    }
    return inplace_worker_each(u, of, n, argvs, what, err);
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
    /* --force left a node out: the markers stay, so the auto-rollback that
     * finishes it restores that node's catalog too (restore-catalog is a
     * no-op where the backup is already put back and cleaned) */
    if (r == 0 && !(u->skipped.len || dynbuf_error(&u->skipped)))
        r = jdist_remove(&u->w, u->nodes, u->n_nodes, u->dir, INPLACE_CATALOG_DONE, err);
    if (r == 0 && !(u->skipped.len || dynbuf_error(&u->skipped)))
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

int inplace_parallel_default(void)
{
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);

    return cpus < 1 ? 2 : cpus > 4 ? 8 : (int)(2 * cpus);
}
