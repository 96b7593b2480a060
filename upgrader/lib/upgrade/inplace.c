/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * inplace.c - the in-place upgrade, its rollback and its commit (see
 * inplace.h). Each step's do and undo live side by side below.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "archive_util.h"
#include "catalogsel.h"
#include "clusterstatus.h"
#include "fs.h"
#include "inplace_int.h"
#include "jdist.h"
#include "journal.h"
#include "oglog.h"
#include "pkgsum.h"
#include "banned.h"

#define CTL_TIMEOUT_MS INPLACE_CTL_TIMEOUT_MS
#define NORMAL_WAIT_MS INPLACE_NORMAL_WAIT_MS

void inplace_say(const struct inplace *u, const char *fmt, ...)
{
    char line[1024];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    log_info("upgrade", "%s", line);
    if (!u->quiet) {
        printf("%s\n", line);
        fflush(stdout);
    }
}

const struct cluster_node *inplace_primary(const struct inplace *u)
{
    return clusterconfig_primary(u->cfg);
}

/* The nodes other than this one (the journal's writer). */
size_t inplace_other_nodes(const struct inplace *u, const char **out)
{
    size_t k = 0;

    for (size_t i = 0; i < u->n_nodes; i++) {
        bool local = false;
        if (transport_node_is_local(u->env->t, u->nodes[i], &local, NULL) == 0 && local)
            continue;
        out[k++] = u->nodes[i];
    }
    return k;
}

static const char *this_node(const struct inplace *u)
{
    for (size_t i = 0; i < u->n_nodes; i++) {
        bool local = false;
        if (transport_node_is_local(u->env->t, u->nodes[i], &local, NULL) == 0 && local)
            return u->nodes[i];
    }
    return "?";
}

/* ---- node operations ----------------------------------------------------------- */

/* gs_ctl on one node through $GAUSSHOME (whatever it points to now). */
static int ctl(struct inplace *u, const struct cluster_node *n, const char *const *args,
               struct command_result *res, struct og_error *err)
{
    char bin[PATH_MAX + 16];
    const char *argv[16];
    struct transport_run_opts o = {.timeout_ms = CTL_TIMEOUT_MS};
    size_t k = 0;

    snprintf(bin, sizeof(bin), "%s/bin/gs_ctl", u->cfg->app_path);
    argv[k++] = bin;
    for (size_t i = 0; args[i] && k < 14; i++)
        argv[k++] = args[i];
    argv[k] = NULL;
    return transport_run(u->env->t, n->name, argv, &o, res, err);
}

static int node_running(struct inplace *u, const struct cluster_node *n, bool *ret,
                        struct og_error *err)
{
    const char *args[] = {"status", "-D", n->datadir, NULL};
    struct command_result res = {0};
    int r = ctl(u, n, args, &res, err);

    if (r == 0)
        *ret = res.exit_status == 0;
    command_result_done(&res);
    return r;
}

static int stop_node(struct inplace *u, const struct cluster_node *n, struct og_error *err)
{
    const char *args[] = {"stop", "-D", n->datadir, "-m", "fast", NULL};
    struct command_result res = {0};
    bool running = true;
    int r = node_running(u, n, &running, err);

    if (r == 0 && running) {
        r = ctl(u, n, args, &res, err);
        if (r == 0 && res.exit_status != 0 && !strstr(res.out, "Is server running?") &&
            !strstr(res.err, "Is server running?"))
            r = og_error_set(err, OG_E_EXEC_FAILED,
                             "Failed to execute the command: gs_ctl stop on %s: %s%s", n->name,
                             res.out, res.err);
    }
    command_result_done(&res);
    return r;
}

static int start_node(struct inplace *u, const struct cluster_node *n, int upgrade_from,
                      struct og_error *err)
{
    char uopt[32];
    const char *args[] = {"start",
                          "-D",
                          n->datadir,
                          "-M",
                          n->primary ? "primary" : "standby",
                          "-t",
                          "600",
                          upgrade_from > 0 ? "-o" : NULL,
                          uopt,
                          NULL};
    struct command_result res = {0};
    bool running = false;
    int r = node_running(u, n, &running, err);

    snprintf(uopt, sizeof(uopt), "-u %d", upgrade_from);
    if (r == 0 && !running) {
        r = ctl(u, n, args, &res, err);
        if (r == 0 && res.exit_status != 0)
            r = og_error_set(err, OG_E_EXEC_FAILED,
                             "Failed to execute the command: gs_ctl start on %s: %s%s", n->name,
                             res.out, res.err);
    }
    command_result_done(&res);
    return r;
}

/* With --force a node's failure is noted and the rest goes on. */
int inplace_node_result(struct inplace *u, const struct cluster_node *n, int r, const char *what,
                        struct og_error *err)
{
    char msg[OG_ERROR_DETAIL_MAX + 64];

    if (r == 0 || !u->force)
        return r;
    dynbuf_appendf(&u->skipped, "  %s: %s skipped: %s\n", n->name, what,
                   og_error_format(err, msg, sizeof(msg)));
    og_error_clear(err);
    return 0;
}

/* --force: a node found unreachable is not tried again (each try would wait
 * for the connect timeout); the skip is noted. */
bool inplace_gone(struct inplace *u, const struct cluster_node *n, const char *what)
{
    if (!u->probed)
        return false;
    for (size_t i = 0; i < u->n_nodes; i++)
        if (strcmp(u->nodes[i], n->name) == 0)
            return false;
    dynbuf_appendf(&u->skipped, "  %s: %s skipped: the node is unreachable\n", n->name, what);
    return true;
}

int inplace_stop_all(struct inplace *u, struct og_error *err)
{
    int r = 0;

    /* standbys first, then the primary */
    for (int pass = 0; r == 0 && pass < 2; pass++)
        for (size_t i = 0; r == 0 && i < u->cfg->n_nodes; i++) {
            const struct cluster_node *n = &u->cfg->nodes[i];
            if (n->primary != (pass == 1) || inplace_gone(u, n, "stopping the datanode"))
                continue;
            r = inplace_node_result(u, n, stop_node(u, n, err), "stopping the datanode", err);
        }
    return r;
}

int inplace_start_all(struct inplace *u, int upgrade_from, struct og_error *err)
{
    int r = 0;

    for (int pass = 0; r == 0 && pass < 2; pass++)
        for (size_t i = 0; r == 0 && i < u->cfg->n_nodes; i++) {
            const struct cluster_node *n = &u->cfg->nodes[i];
            if (n->primary != (pass == 0) || inplace_gone(u, n, "starting the datanode"))
                continue;
            r = inplace_node_result(u, n, start_node(u, n, upgrade_from, err),
                                    "starting the datanode", err);
        }
    return r;
}

/* The read-only window, openGauss's way: default_transaction_read_only by
 * gs_guc reload on every node (openGauss-OM v5.0.0 UpgradeImpl.py:738
 * setClusterReadOnlyMode, :759 unSetClusterReadOnlyMode). Set before the
 * backup (:2345) and again after the post scripts (:2456); cleared by
 * commit (:2608) and rollback. openGauss lifts it for the catalog phase
 * (:2407); ogup keeps clients out and lets only its catalog sessions write
 * (inplace_catalog.c). A stopped instance gets it in its postgresql.conf. */
int inplace_reload_guc(struct inplace *u, const char *setting, int code, const char *failure,
                       struct og_error *err)
{
    char bin[PATH_MAX + 16];
    struct transport_run_opts o = {.timeout_ms = 60000};
    int r = 0;

    snprintf(bin, sizeof(bin), "%s/bin/gs_guc", u->cfg->app_path);
    for (size_t i = 0; r == 0 && i < u->cfg->n_nodes; i++) {
        const struct cluster_node *n = &u->cfg->nodes[i];
        const char *argv[] = {bin, "reload", "-D", n->datadir, "-c", setting, NULL};
        struct command_result res = {0};

        if (inplace_gone(u, n, setting))
            continue;
        r = transport_run(u->env->t, n->name, argv, &o, &res, err);
        if (r == 0 && res.exit_status != 0)
            r = -OG_E_EXEC_FAILED;
        if (r < 0) {
            char why[OG_ERROR_DETAIL_MAX];
            snprintf(why, sizeof(why), "%s",
                     r == -OG_E_EXEC_FAILED && res.out ? res.out : err->detail);
            r = og_error_set(err, code, "%s on %s: %s", failure, n->name, why);
        }
        command_result_done(&res);
        r = inplace_node_result(u, n, r, setting, err);
    }
    return r;
}

static int set_read_only(struct inplace *u, bool on, struct og_error *err)
{
    int r = inplace_reload_guc(
        u, on ? "default_transaction_read_only=true" : "default_transaction_read_only=false",
        on ? OG_E_READONLY_SET : OG_E_READONLY_CANCEL,
        on ? "Failed to set cluster read-only mode."
           : "Failed to cancel the cluster read-only mode",
        err);

    if (r == 0)
        inplace_say(u, on ? "Cluster is read-only (default_transaction_read_only=true)."
                          : "Cluster is writable again (default_transaction_read_only=false).");
    return r;
}

int inplace_wait_normal(struct inplace *u, int timeout_ms, struct og_error *err)
{
    struct timespec t0, now;
    struct cluster_status st;

    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (;;) {
        int r = clusterstatus_query(u->cfg, u->env->t, &st, err);
        if (r == 0 && strcmp(st.cluster_state, "Normal") == 0)
            return 0;
        clock_gettime(CLOCK_MONOTONIC, &now);
        if ((now.tv_sec - t0.tv_sec) * 1000 + (now.tv_nsec - t0.tv_nsec) / 1000000 > timeout_ms)
            return og_error_set(err, OG_E_CLUSTER_STATUS,
                                "Failed to check cluster status. Cluster status is %s after %d s.",
                                r == 0 ? st.cluster_state : "unknown", timeout_ms / 1000);
        {
            struct timespec ts = {0, 300 * 1000000};
            nanosleep(&ts, NULL);
        }
    }
}

/* ---- the journal ------------------------------------------------------------------ */

static int write_local(struct inplace *u, const char *name, const char *text, struct og_error *err)
{
    char p[PATH_MAX + 64];
    int r = fs_mkdir_p(u->dir, 0700, err);

    snprintf(p, sizeof(p), "%s/%s", u->dir, name);
    if (r == 0)
        r = fs_replace_file(p, text, strlen(text), 0600, err);
    return r;
}

/* Write locally, crash-safely, then copy to every other node. */
int inplace_journal_put(struct inplace *u, const char *name, const char *text, struct og_error *err)
{
    const char *others[CLUSTER_MAX_NODES];
    size_t n = inplace_other_nodes(u, others);
    int r = write_local(u, name, text, err);

    if (r == 0)
        r = jdist_push_file(&u->w, others, n, u->dir, name, err);
    return r;
}

static int journal_remove_everywhere(struct inplace *u, struct og_error *err)
{
    int r = jdist_remove(&u->w, u->nodes, u->n_nodes, u->dir, NULL, err);

    if (r == 0)
        r = fs_remove_tree(u->dir, err);
    return r;
}

static unsigned long long seq_counter;

int inplace_record_step(void *ctx, int index, enum engine_state state, bool undoing,
                        struct og_error *err)
{
    struct inplace *u = ctx;
    const struct engine_plan *p = &inplace_plan;
    char line[512], dat[128];
    int r;

    if (index < 0 && undoing && u->skipped.len)
        return 0; /* --force skipped something: inplace_rollback rewinds the record */
    if (index < 0 && undoing)
        return journal_remove_everywhere(u, err);
    snprintf(line, sizeof(line), "inplace %d %s %s %s seq=%llu writer=%s\n", index,
             p->steps[index].name, state == ENGINE_BEGIN ? "begin" : "done",
             undoing ? "undo" : "do", ++seq_counter, this_node(u));
    snprintf(dat, sizeof(dat), "%s:%d\n", INPLACE_ACTION, p->steps[index].og_step);
    r = write_local(u, INPLACE_STEP_FILE, line, err);
    if (r == 0)
        r = write_local(u, JOURNAL_DAT_FILE, dat, err);
    if (r == 0) {
        const char *others[CLUSTER_MAX_NODES];
        size_t n = inplace_other_nodes(u, others);
        r = jdist_push_file(&u->w, others, n, u->dir, INPLACE_STEP_FILE, err);
        if (r == 0)
            r = jdist_push_file(&u->w, others, n, u->dir, JOURNAL_DAT_FILE, err);
    }
    return r;
}

static int parse_step_line(const char *text, struct inplace_record *ret, unsigned long long *seq,
                           char *writer, size_t wsize)
{
    char name[64], state[16], dir[16], w[CLUSTER_NAME_MAX];
    int idx;

    if (!text ||
        sscanf(text, "inplace %d %63s %15s %15s seq=%llu writer=%63s", &idx, name, state, dir, seq,
               w) != 6 ||
        idx < -1 || idx >= (int)inplace_plan.n)
        return -1;
    ret->has_step = true;
    ret->index = idx;
    ret->state = strcmp(state, "begin") == 0 ? ENGINE_BEGIN : ENGINE_DONE;
    ret->undoing = strcmp(dir, "undo") == 0;
    snprintf(writer, wsize, "%s", w);
    return 0;
}

static const char *dump_file(json_object *dump, const char *name)
{
    json_object *files, *f;

    if (dump && json_object_object_get_ex(dump, "files", &files) &&
        json_object_object_get_ex(files, name, &f))
        return json_object_get_string(f);
    return NULL;
}

/* --force: the nodes that do not answer are left out of every journal
 * operation and noted; the cluster operations on them fail and are noted. */
static int drop_unreachable(struct inplace *u, struct og_error *err)
{
    const char *argv[] = {"true", NULL};
    struct transport_run_opts o = {.timeout_ms = 15000};
    size_t k = 0;

    for (size_t i = 0; i < u->n_nodes; i++) {
        struct command_result res = {0};
        struct og_error e = {0};
        char msg[OG_ERROR_DETAIL_MAX + 64];
        if (transport_run(u->env->t, u->nodes[i], argv, &o, &res, &e) == 0)
            u->nodes[k++] = u->nodes[i];
        else
            dynbuf_appendf(&u->skipped, "  %s: unreachable, nothing done there: %s\n", u->nodes[i],
                           og_error_format(&e, msg, sizeof(msg)));
        command_result_done(&res);
    }
    u->n_nodes = k;
    if (k == 0)
        return og_error_set(err, OG_E_SSH_CONNECT, "no node answers");
    return 0;
}

/* Every node's copy; the copy with the highest record sequence is the
 * newest: a crash between the writer's local write and its copies leaves
 * other nodes one record behind, and they are brought level (logged). Then
 * every copy must agree (journal_reconcile: OGUP-60090 otherwise). */
int inplace_read_record(struct inplace *u, struct inplace_record *ret, struct og_error *err)
{
    char *outs[CLUSTER_MAX_NODES] = {0};
    json_object *dumps[CLUSTER_MAX_NODES] = {0};
    unsigned long long seqs[CLUSTER_MAX_NODES] = {0};
    const char *verb[] = {"dump", u->dir, NULL};
    struct inplace_record rec[CLUSTER_MAX_NODES];
    struct journal_view view;
    size_t best = SIZE_MAX;
    int r;

    memset(ret, 0, sizeof(*ret));
    memset(rec, 0, sizeof(rec));
    ret->og_step = -1;
    if (u->force && !u->probed) {
        u->probed = true;
        r = drop_unreachable(u, err);
        if (r < 0)
            return r;
    }
    r = worker_run_all(&u->w, u->nodes, u->n_nodes, verb, NULL, 0, outs, err);
    if (r < 0)
        return r;
    for (size_t i = 0; i < u->n_nodes; i++) {
        char writer[CLUSTER_NAME_MAX];
        dumps[i] = json_tokener_parse(outs[i]);
        if (parse_step_line(dump_file(dumps[i], INPLACE_STEP_FILE), &rec[i], &seqs[i], writer,
                            sizeof(writer)) == 0 &&
            (best == SIZE_MAX || seqs[i] > seqs[best]))
            best = i;
    }
    if (best != SIZE_MAX) {
        json_object *files;
        seq_counter = seqs[best];
        json_object_object_get_ex(dumps[best], "files", &files);
        for (size_t i = 0; r == 0 && i < u->n_nodes; i++) {
            const char *node[] = {u->nodes[i]};
            if (i == best || seqs[i] == seqs[best])
                continue;
            inplace_say(u,
                        "The journal of %s is behind (record %llu, newest %llu on %s): copying it.",
                        u->nodes[i], seqs[i], seqs[best], u->nodes[best]);
            r = jdist_remove(&u->w, node, 1, u->dir, NULL, err);
            json_object_object_foreach(files, name, val)
            {
                char path[PATH_MAX + 300];
                const char *put[] = {"put", path, "0600", NULL};
                if (r < 0)
                    break;
                snprintf(path, sizeof(path), "%s/%s", u->dir, name);
                r = worker_run_all(&u->w, node, 1, put, json_object_get_string(val),
                                   (size_t)json_object_get_string_len(val), NULL, err);
            }
        }
    }
    if (r == 0)
        r = jdist_reconcile(&u->w, u->nodes, u->n_nodes, u->dir, u->pghost, true, &view, err);
    if (r == 0 && view.present) {
        ret->present = true;
        if (best != SIZE_MAX) {
            ret->has_step = true;
            ret->index = rec[best].index;
            ret->state = rec[best].state;
            ret->undoing = rec[best].undoing;
        }
        if (view.has_dat)
            ret->og_step = view.dat.step;
        ret->committed = dump_file(dumps[best != SIZE_MAX ? best : 0], JOURNAL_COMMIT_FLAG) != NULL;
    }
    for (size_t i = 0; i < u->n_nodes; i++) {
        free(outs[i]);
        json_object_put(dumps[i]);
    }
    return r;
}

/* ---- step: record ------------------------------------------------------------------ */

static int do_record(void *ctx, struct og_error *err)
{
    struct inplace *u = ctx;
    _cleanup_dynbuf_ struct dynbuf text;
    _cleanup_free_ char *oldcfg = NULL;
    char p[PATH_MAX + 32], a[2 * PATH_MAX + 8], nums[128], oldn[16], newn[16];
    struct frozen_gucs g;
    int r;

    dynbuf_init(&text, 1 << 20);
    snprintf(a, sizeof(a), "%s\n%s\n", u->old_app, u->new_app);
    r = inplace_journal_put(u, JOURNAL_APPDIR_FILE, a, err);
    snprintf(p, sizeof(p), "%s/version.cfg", u->old_app);
    if (r == 0)
        r = fs_read_file(p, 4096, &oldcfg, NULL, err);
    if (r == 0)
        r = inplace_journal_put(u, JOURNAL_OLDVER_FILE, oldcfg, err);
    snprintf(oldn, sizeof(oldn), "%s", u->oldv.number_str);
    snprintf(newn, sizeof(newn), "%s", u->newv.number_str);
    snprintf(nums, sizeof(nums), "newClusterNumber:%s\noldClusterNumber:%s\n", newn, oldn);
    if (r == 0)
        r = inplace_journal_put(u, JOURNAL_INPLACE_FILE, nums, err);
    /* the live roles (gs_ctl start -M, the catalog SQL's primary) for every
     * later step, also once the cluster is stopped */
    if (r == 0) {
        _cleanup_dynbuf_ struct dynbuf roles;
        dynbuf_init(&roles, 1 << 16);
        r = clusterstatus_roles_format(u->cfg, &roles) < 0
                ? og_error_set(err, OG_E_NOMEM, "roles")
                : inplace_journal_put(u, INPLACE_ROLES_FILE, dynbuf_str(&roles), err);
    }
    /* the frozen GUCs, as they are now (an existing record is kept) */
    snprintf(p, sizeof(p), "%s/%s", u->dir, INPLACE_FROZEN_FILE);
    if (r == 0 && access(p, F_OK) != 0) {
        r = frozen_gucs_collect(u->env, &g, err);
        if (r == 0)
            r = frozen_gucs_format(&g, &text) < 0 ? og_error_set(err, OG_E_NOMEM, "GUCs") : 0;
        if (r == 0)
            r = inplace_journal_put(u, INPLACE_FROZEN_FILE, dynbuf_str(&text), err);
    }
    /* clients are refused from here to commit or rollback (writes during the
     * backup would be lost by a rollback) */
    if (r == 0)
        r = set_read_only(u, true, err);
    /* large: the catalog files the physical backup takes, while it runs */
    if (r == 0 && u->large)
        r = inplace_catalog_list(u, err);
    return r;
}

/* the last undo of a rollback: the cluster (running again) takes writes */
static int undo_record(void *ctx, struct og_error *err)
{
    return set_read_only(ctx, false, err);
}

/* ---- step: stop-cluster --------------------------------------------------------------- */

static int do_stop_cluster(void *ctx, struct og_error *err)
{
    return inplace_stop_all(ctx, err);
}

static int undo_stop_cluster(void *ctx, struct og_error *err)
{
    struct inplace *u = ctx;
    int r = inplace_start_all(u, 0, err);

    if (r == 0 && !u->force)
        r = inplace_wait_normal(u, NORMAL_WAIT_MS, err);
    return r;
}

/* ---- step: backup -------------------------------------------------------------------- */

/* openGauss's backupClusterConfig (UpgradeImpl.py v5.0.0 :2370): each
 * node's instance configuration, what the old app carries (appinstall.h)
 * into backup/app, and for a large upgrade the catalog physical files. */
static int do_backup(void *ctx, struct og_error *err)
{
    struct inplace *u = ctx;
    char dst[PATH_MAX + 16], app[PATH_MAX + 16];
    const char *carry[] = {"backup-app", u->old_app, app, NULL};
    int r = 0;

    snprintf(dst, sizeof(dst), "%s/backup", u->dir);
    snprintf(app, sizeof(app), "%s/backup/app", u->dir);
    for (size_t i = 0; r == 0 && i < u->cfg->n_nodes; i++) {
        const struct cluster_node *n = &u->cfg->nodes[i];
        const char *node[] = {n->name};
        const char *verb[] = {"backup-conf", n->datadir, dst, NULL};
        r = worker_run_all(&u->w, node, 1, verb, NULL, 0, NULL, err);
    }
    if (r == 0)
        r = worker_run_all(&u->w, u->nodes, u->n_nodes, carry, NULL, 0, NULL, err);
    if (r == 0 && u->large)
        r = inplace_catalog_backup(u, err);
    return r;
}

static int undo_backup(void *ctx, struct og_error *err)
{
    struct inplace *u = ctx;
    int r = 0;

    for (size_t i = 0; r == 0 && i < u->cfg->n_nodes; i++) {
        const struct cluster_node *n = &u->cfg->nodes[i];
        const char *node[] = {n->name};
        char src[PATH_MAX + 16];
        const char *verb[] = {"restore-conf", src, n->datadir, NULL};
        if (inplace_gone(u, n, "restoring the configuration"))
            continue;
        snprintf(src, sizeof(src), "%s/backup", u->dir);
        r = inplace_node_result(u, n, worker_run_all(&u->w, node, 1, verb, NULL, 0, NULL, err),
                                "restoring the configuration", err);
    }
    /* cleanBackupedCatalogPhysicalFiles(isRollBack=True), UpgradeImpl.py :4600 */
    if (r == 0 && u->large)
        r = inplace_catalog_clean(u, err);
    return r;
}

/* ---- step: install --------------------------------------------------------------------- */

/* A worker verb on every reachable node (--force: the others noted). */
static int on_every_node(struct inplace *u, const char *const *verb, const char *what,
                         struct og_error *err)
{
    int r = 0;

    for (size_t i = 0; r == 0 && i < u->cfg->n_nodes; i++) {
        const struct cluster_node *n = &u->cfg->nodes[i];
        const char *node[] = {n->name};
        if (inplace_gone(u, n, what))
            continue;
        r = inplace_node_result(u, n, worker_run_all(&u->w, node, 1, verb, NULL, 0, NULL, err),
                                what, err);
    }
    return r;
}

/* openGauss's installNewBin (:6729) and restoreClusterConfig (:6111): the
 * server package in $GPHOME installed as <appPath>_<commit>, then what the
 * old app carries, from the backup, into it. */
static int do_install(void *ctx, struct og_error *err)
{
    struct inplace *u = ctx;
    char app[PATH_MAX + 16];
    const char *install[] = {"install-app", u->gphome, u->new_app, NULL};
    const char *carry[] = {"carry-app", app, u->new_app, NULL};
    int r;

    snprintf(app, sizeof(app), "%s/backup/app", u->dir);
    r = worker_run_all(&u->w, u->nodes, u->n_nodes, install, NULL, 0, NULL, err);
    if (r == 0)
        r = worker_run_all(&u->w, u->nodes, u->n_nodes, carry, NULL, 0, NULL, err);
    return r;
}

static int relink_all(struct inplace *u, const char *target, struct og_error *err);

/* $GAUSSHOME back on the old app, what it carries restored into it
 * (restoreClusterConfig(isRollBack=True), :4592), the new app removed
 * (cleanInstallPath(NEW), :4613). */
static int undo_install(void *ctx, struct og_error *err)
{
    struct inplace *u = ctx;
    char app[PATH_MAX + 16];
    const char *carry[] = {"restore-app", app, u->old_app, NULL};
    const char *rm[] = {"rm", u->new_app, NULL};
    int r = relink_all(u, u->old_app, err);

    snprintf(app, sizeof(app), "%s/backup/app", u->dir);
    if (r == 0 && strcmp(u->old_app, u->new_app) == 0)
        r = og_error_set(err, OG_E_SAME_PATH, "The directory name %s and %s cannot be same.",
                         u->old_app, u->new_app);
    if (r == 0)
        r = on_every_node(u, carry, "restoring the old app's configuration", err);
    if (r == 0)
        r = on_every_node(u, rm, "removing the new app", err);
    return r;
}

/* ---- step: switch-bin ------------------------------------------------------------------- */

static int relink_all(struct inplace *u, const char *target, struct og_error *err)
{
    int r = 0;

    for (size_t i = 0; r == 0 && i < u->cfg->n_nodes; i++) {
        const struct cluster_node *n = &u->cfg->nodes[i];
        const char *node[] = {n->name};
        const char *verb[] = {"relink", u->cfg->app_path, target, NULL};
        if (inplace_gone(u, n, "switching $GAUSSHOME"))
            continue;
        r = inplace_node_result(u, n, worker_run_all(&u->w, node, 1, verb, NULL, 0, NULL, err),
                                "switching $GAUSSHOME", err);
    }
    return r;
}

/* openGauss: stop, switchBin(NEW), start (:2438-2443); the new binary
 * starts normally on the catalog the old one upgraded. */
static int do_switch_bin(void *ctx, struct og_error *err)
{
    struct inplace *u = ctx;
    int r = inplace_stop_all(u, err);

    if (r == 0)
        r = relink_all(u, u->new_app, err);
    if (r == 0)
        r = inplace_start_all(u, 0, err);
    return r;
}

static int undo_switch_bin(void *ctx, struct og_error *err)
{
    struct inplace *u = ctx;
    int r = inplace_stop_all(u, err);

    if (r == 0)
        r = relink_all(u, u->old_app, err);
    return r;
}

/* ---- step: post-check -------------------------------------------------------------------------
 */

static int do_post_check(void *ctx, struct og_error *err)
{
    struct inplace *u = ctx;
    char bin[PATH_MAX + 16], want[96];
    const char *argv[] = {bin, "-V", NULL};
    struct command_result res[CLUSTER_MAX_NODES];
    struct og_error errs[CLUSTER_MAX_NODES];
    struct transport_run_opts o = {.timeout_ms = 60000};
    int r = inplace_start_all(u, 0, err); /* resumed after a crash: up again */

    /* read-only until commit or rollback, as openGauss before its health check */
    if (r == 0)
        r = set_read_only(u, true, err);
    if (r == 0)
        r = inplace_wait_normal(u, NORMAL_WAIT_MS, err);
    if (r < 0)
        return og_error_set(err, OG_E_CLUSTER_STATUS,
                            "Failed to check cluster status. Cluster "
                            "status is Abnormal.");
    snprintf(bin, sizeof(bin), "%s/bin/gaussdb", u->cfg->app_path);
    snprintf(want, sizeof(want), "(openGauss %s build %s)", u->newv.version, u->newv.commit);
    memset(res, 0, sizeof(res));
    memset(errs, 0, sizeof(errs));
    transport_run_all(u->env->t, u->nodes, u->n_nodes, argv, &o, res, errs);
    for (size_t i = 0; i < u->n_nodes; i++) {
        if (r == 0 && (errs[i].code || !strstr(res[i].out, want)))
            r = og_error_set(err, OG_E_CLUSTER_STATUS,
                             "Failed to check cluster status. The gaussdb version is "
                             "inconsistent: %s reports %s",
                             u->nodes[i], errs[i].code ? errs[i].detail : res[i].out);
        command_result_done(&res[i]);
    }
    if (r == 0)
        r = precheck_standby_replay(u->env, err);
    if (r == 0)
        r = precheck_frozen_gucs(u->env, err);
    return r;
}

/* ---- step: pre-commit --------------------------------------------------------------------------
 */

static int do_pre_commit(void *ctx, struct og_error *err)
{
    (void)ctx;
    (void)err;
    return 0; /* the record (upgrade_step.dat = 6) is the effect */
}

static void progress(void *ctx, int index, int percent)
{
    struct inplace *u = ctx;
    (void)index;
    inplace_say(u, "Progress report: (%d%%)", percent);
}

static const struct engine_step inplace_steps[] = {
    {"record", "record the upgrade on every node; the cluster becomes read-only", 0, NULL,
     do_record, undo_record},
    {"stop-cluster", "stop every datanode (standbys first)", 2, NULL, do_stop_cluster,
     undo_stop_cluster},
    {"backup", "back up every node's configuration, app files and (large) catalog files", 3, NULL,
     do_backup, undo_backup},
    {"install", "install the new app on every node and carry the old app's files into it", 4, NULL,
     do_install, undo_install},
    {"start", "start every datanode on the old binary with upgrade_mode=1", 5, inplace_is_large,
     inplace_do_start, inplace_undo_start},
    {"catalog", "the rollback then the upgrade catalog SQL, on the old binary", 5, inplace_is_large,
     inplace_do_catalog, inplace_undo_catalog},
    {"switch-bin", "stop, switch $GAUSSHOME to the new app, start the new binary", 5, NULL,
     do_switch_bin, undo_switch_bin},
    {"post-catalog", "the rollback-post then the upgrade-post SQL, on the new binary", 5,
     inplace_is_large, inplace_do_post_catalog, NULL},
    {"post-check", "check versions, cluster state, replay and GUCs", 5, NULL, do_post_check, NULL},
    {"pre-commit", "wait for commit-upgrade or auto-rollback", 6, NULL, do_pre_commit, NULL},
};

const struct engine_plan inplace_plan = {
    .name = "inplace",
    .steps = inplace_steps,
    .n = ELEMENTSOF(inplace_steps),
    .record = inplace_record_step,
    .progress = progress,
};

/* ---- commit ------------------------------------------------------------------------------------
 */

static int commit_record(void *ctx, int index, enum engine_state state, bool undoing,
                         struct og_error *err)
{
    (void)ctx;
    (void)index;
    (void)state;
    (void)undoing;
    (void)err;
    return 0; /* commitFlagFile is the record: every step is idempotent */
}

static int do_commit_flag(void *ctx, struct og_error *err)
{
    return inplace_journal_put(ctx, JOURNAL_COMMIT_FLAG, "", err);
}

/* openGauss's commit: upgrade_mode=0 (large), then read-write (:2600-2608) */
static int do_read_write(void *ctx, struct og_error *err)
{
    struct inplace *u = ctx;
    int r = u->large ? inplace_reload_guc(u, "upgrade_mode=0", OG_E_EXEC_FAILED,
                                          "Failed to set upgrade_mode", err)
                     : 0;

    if (r == 0)
        r = set_read_only(u, false, err);
    return r;
}

static int do_remove_backup(void *ctx, struct og_error *err)
{
    struct inplace *u = ctx;
    const char *names[] = {"backup", "upgrade_sql"};
    int r = 0;

    for (size_t i = 0; r == 0 && i < ELEMENTSOF(names); i++)
        r = jdist_remove(&u->w, u->nodes, u->n_nodes, u->dir, names[i], err);
    if (r == 0 && u->large)
        r = inplace_catalog_clean(u, err);
    return r;
}

static int do_remove_old_app(void *ctx, struct og_error *err)
{
    struct inplace *u = ctx;
    const char *verb[] = {"rm", u->old_app, NULL};

    if (strcmp(u->old_app, u->new_app) == 0 || !u->old_app[0])
        return og_error_set(err, OG_E_SAME_PATH, "The directory name %s and %s cannot be same.",
                            u->old_app, u->new_app);
    return worker_run_all(&u->w, u->nodes, u->n_nodes, verb, NULL, 0, NULL, err);
}

static int do_clear_journal(void *ctx, struct og_error *err)
{
    return journal_remove_everywhere(ctx, err);
}

static const struct engine_step commit_steps[] = {
    {"record-commit", "record the commit on every node (commitFlagFile)", 6, NULL, do_commit_flag,
     NULL},
    {"read-write", "upgrade_mode=0 (large); the cluster takes writes again", 6, NULL, do_read_write,
     NULL},
    {"remove-backup", "remove the backups, the catalog files' backup and the extracted SQL", 6,
     NULL, do_remove_backup, NULL},
    {"remove-old-app", "remove the old app on every node", 6, NULL, do_remove_old_app, NULL},
    {"clear-journal", "remove binary_upgrade on every node", 6, NULL, do_clear_journal, NULL},
};

const struct engine_plan inplace_commit_plan = {
    .name = "inplace-commit",
    .steps = commit_steps,
    .n = ELEMENTSOF(commit_steps),
    .record = commit_record,
    .progress = progress,
};

/* ---- set-up and the actions
 * ---------------------------------------------------------------------- */

int inplace_init(struct inplace *u, struct precheck_env *env, struct og_error *err)
{
    char link[PATH_MAX], p[PATH_MAX + 32];
    struct stat st;
    int r;

    u->env = env;
    u->cfg = env->installed;
    u->w = (struct worker){.t = env->t, .path = env->worker};
    u->gphome = env->gphome;
    u->pghost = env->pghost;
    dynbuf_init(&u->skipped, 1 << 20);
    u->n_nodes = u->cfg->n_nodes;
    for (size_t i = 0; i < u->n_nodes; i++)
        u->nodes[i] = u->cfg->nodes[i].name;
    snprintf(u->dir, sizeof(u->dir), "%s/binary_upgrade", env->pghost);
    engine_register_failpoints(&inplace_plan);
    engine_register_failpoints(&inplace_commit_plan);

    /* the switch relinks $GAUSSHOME: it must be a link (openGauss-OM v5.0.0
     * UpgradeImpl.py:481 choseStrategy, GAUSS-52915) */
    if (lstat(u->cfg->app_path, &st) < 0)
        return og_error_set_errno(err, OG_E_NOT_EXIST, errno, "The %s does not exist.",
                                  u->cfg->app_path);
    if (!S_ISLNK(st.st_mode))
        return og_error_set(err, OG_E_NOT_SYMLINK, "$GAUSSHOME is not a symbolic link: %s.",
                            u->cfg->app_path);

    /* new: the OM tools' package */
    snprintf(p, sizeof(p), "%s/version.cfg", env->gphome);
    r = version_cfg_read(p, &u->newv, err);
    if (r < 0)
        return r;
    snprintf(u->new_app, sizeof(u->new_app), "%s_%s", u->cfg->app_path, u->newv.commit);
    /* old: what the journal recorded, else what $GAUSSHOME points to */
    {
        _cleanup_journal_ struct journal *j = NULL;
        struct journal_app_dirs dirs;
        struct version_cfg ov;
        if (access(u->dir, F_OK) == 0 && journal_open(u->dir, &j, NULL) == 0 &&
            journal_read_app_dirs(j, &dirs, NULL) == 0 &&
            journal_read_old_version(j, &ov, NULL) == 0) {
            snprintf(u->old_app, sizeof(u->old_app), "%s", dirs.old_app);
            u->oldv = ov;
            if (strcmp(dirs.new_app, u->new_app) != 0)
                return og_error_set(err, OG_E_COMMITID_RECORD,
                                    "The record commitid is not same with current commitid: the "
                                    "journal's new app is %s, the OM tools in $GPHOME are %s %s. "
                                    "Roll back the recorded upgrade first (auto-rollback with the "
                                    "OM tools of %s).",
                                    dirs.new_app, u->newv.product, u->newv.commit, dirs.new_app);
            u->large = u->oldv.number != u->newv.number;
            return 0;
        }
    }
    if (!realpath(u->cfg->app_path, link))
        return og_error_set_errno(err, OG_E_NOT_EXIST, errno, "The %s does not exist.",
                                  u->cfg->app_path);
    snprintf(u->old_app, sizeof(u->old_app), "%s", link);
    snprintf(p, sizeof(p), "%s/version.cfg", u->old_app);
    r = version_cfg_read(p, &u->oldv, err);
    u->large = u->oldv.number != u->newv.number;
    return r;
}

void inplace_done(struct inplace *u)
{
    dynbuf_done(&u->skipped);
}

int inplace_upgrade(struct inplace *u, struct og_error *err)
{
    struct inplace_record rec;
    size_t from = 0;
    int failed = -1, r;

    r = inplace_read_record(u, &rec, err);
    if (r < 0)
        return r;
    if (rec.present && rec.committed)
        return og_error_set(err, OG_E_ALREADY_COMMITTED,
                            "Upgrade has already been committed but not finished commit. Please "
                            "commit again!");
    if (rec.present && rec.undoing)
        return og_error_set(err, OG_E_UPGRADE_UNFINISHED,
                            "Upgrade is not finished, cannot do another task: a rollback is under "
                            "way (at step %s); run auto-rollback to finish it.",
                            rec.index >= 0 ? inplace_plan.steps[rec.index].name : "none");
    /* a journal openGauss's own tool left: taken over */
    if (rec.present && !rec.has_step) {
        r = inplace_adopt(u, &rec, &rec, err);
        if (r < 0)
            return r;
    }
    if (rec.present && rec.has_step) {
        from = (size_t)rec.index + (rec.state == ENGINE_DONE ? 1 : 0);
        inplace_say(u, "Resuming the upgrade from step %s (the journal records %s %s).",
                    from < inplace_plan.n ? inplace_plan.steps[from].name : "(none)",
                    inplace_plan.steps[rec.index].name,
                    rec.state == ENGINE_DONE ? "done" : "begun");
        if (from >= inplace_plan.n) {
            inplace_say(
                u, "The upgrade is at pre-commit already: run commit-upgrade or auto-rollback.");
            return 0;
        }
    }
    r = engine_run(&inplace_plan, from, u, &failed, err);
    if (r < 0) {
        inplace_say(u,
                    "Failed to upgrade at step %s. Fix the cause, then run auto-upgrade again to "
                    "resume, or auto-rollback to return to %s.",
                    failed >= 0 ? inplace_plan.steps[failed].name : "?", u->oldv.version);
        return r;
    }
    inplace_say(u,
                "Successfully upgraded nodes. The cluster runs %s; run commit-upgrade to finish or "
                "auto-rollback to return to %s.",
                u->newv.version, u->oldv.version);
    return 0;
}

int inplace_rollback(struct inplace *u, struct og_error *err)
{
    struct inplace_record rec;
    int r = inplace_read_record(u, &rec, err);

    if (r < 0)
        return r;
    if (!rec.present) {
        inplace_say(u, "No need to rollback.");
        return 0;
    }
    if (rec.committed)
        return og_error_set(err, OG_E_ALREADY_COMMITTED,
                            "Upgrade has already been committed, can not execute rollback command "
                            "any more.");
    /* a journal openGauss's own tool left: taken over, then undone */
    if (!rec.has_step) {
        r = inplace_adopt(u, &rec, &rec, err);
        if (r < 0)
            return r;
    }
    inplace_say(u, "Rolling back from step %s.",
                rec.index >= 0 ? inplace_plan.steps[rec.index].name : "record");
    r = engine_rollback(&inplace_plan, rec.index, u, err);
    if (r == 0 && u->skipped.len) {
        /* something was skipped: the journal keeps the step the rollback
         * started from, so a later auto-rollback does it all again (every
         * undo is idempotent) and finishes what was skipped */
        r = inplace_record_step(u, rec.index, rec.state, true, err);
        if (r == 0)
            inplace_say(u,
                        "Rollback done on the reachable nodes; the journal still records step %s.",
                        inplace_plan.steps[rec.index].name);
        return r;
    }
    if (r == 0)
        inplace_say(u, "Rollback succeeded: every node runs %s.", u->oldv.version);
    return r;
}

int inplace_commit(struct inplace *u, struct og_error *err)
{
    struct inplace_record rec;
    int r = inplace_read_record(u, &rec, err);

    if (r < 0)
        return r;
    if (!rec.present || (!rec.committed && !(rec.og_step == 6 && rec.has_step &&
                                             rec.index == (int)inplace_plan.n - 1 &&
                                             rec.state == ENGINE_DONE && !rec.undoing)))
        return og_error_set(err, OG_E_NOT_PRECOMMIT, "Current upgrade status is not pre commit.");
    r = engine_run(&inplace_commit_plan, 0, u, NULL, err);
    if (r == 0)
        inplace_say(u, "Commit upgrade succeeded.");
    return r;
}
