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
#include "inplace.h"
#include "jdist.h"
#include "journal.h"
#include "oglog.h"
#include "pkgsum.h"
#include "banned.h"

#define CTL_TIMEOUT_MS (10 * 60 * 1000)
#define NORMAL_WAIT_MS (90 * 1000)
#define SQL_FILE_MAX   (64u << 20)

static void say(const struct inplace *u, const char *fmt, ...) _printf_(2, 3);
static void say(const struct inplace *u, const char *fmt, ...)
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

static const struct cluster_node *primary_of(const struct inplace *u)
{
    return clusterconfig_primary(u->cfg);
}

/* The nodes other than this one (the journal's writer). */
static size_t other_nodes(const struct inplace *u, const char **out)
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
static int node_result(struct inplace *u, const struct cluster_node *n, int r, const char *what,
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
static bool gone(struct inplace *u, const struct cluster_node *n, const char *what)
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
            if (n->primary != (pass == 1) || gone(u, n, "stopping the datanode"))
                continue;
            r = node_result(u, n, stop_node(u, n, err), "stopping the datanode", err);
        }
    return r;
}

int inplace_start_all(struct inplace *u, int upgrade_from, struct og_error *err)
{
    int r = 0;

    for (int pass = 0; r == 0 && pass < 2; pass++)
        for (size_t i = 0; r == 0 && i < u->cfg->n_nodes; i++) {
            const struct cluster_node *n = &u->cfg->nodes[i];
            if (n->primary != (pass == 0) || gone(u, n, "starting the datanode"))
                continue;
            r = node_result(u, n, start_node(u, n, upgrade_from, err), "starting the datanode",
                            err);
        }
    return r;
}

/* The read-only window, openGauss's way: default_transaction_read_only by
 * gs_guc reload on every node (openGauss-OM v5.0.0 UpgradeImpl.py:738
 * setClusterReadOnlyMode, :759 unSetClusterReadOnlyMode). Set before the
 * backup (:2345) and again after the post scripts (:2456); cleared for the
 * catalog SQL once the new binaries run (:2407), and by commit (:2608) and
 * rollback. A stopped instance gets it in its postgresql.conf. */
static int set_read_only(struct inplace *u, bool on, struct og_error *err)
{
    char bin[PATH_MAX + 16];
    const char *setting =
        on ? "default_transaction_read_only=true" : "default_transaction_read_only=false";
    const char *what = on ? "setting read-only" : "cancelling read-only";
    struct transport_run_opts o = {.timeout_ms = 60000};
    int r = 0;

    snprintf(bin, sizeof(bin), "%s/bin/gs_guc", u->cfg->app_path);
    for (size_t i = 0; r == 0 && i < u->cfg->n_nodes; i++) {
        const struct cluster_node *n = &u->cfg->nodes[i];
        const char *argv[] = {bin, "reload", "-D", n->datadir, "-c", setting, NULL};
        struct command_result res = {0};

        if (gone(u, n, what))
            continue;
        r = transport_run(u->env->t, n->name, argv, &o, &res, err);
        if (r == 0 && res.exit_status != 0)
            r = -OG_E_EXEC_FAILED;
        if (r < 0) {
            char why[OG_ERROR_DETAIL_MAX];
            snprintf(why, sizeof(why), "%s",
                     r == -OG_E_EXEC_FAILED && res.out ? res.out : err->detail);
            r = og_error_set(err, on ? OG_E_READONLY_SET : OG_E_READONLY_CANCEL, "%s on %s: %s",
                             on ? "Failed to set cluster read-only mode."
                                : "Failed to cancel the cluster read-only mode",
                             n->name, why);
        }
        command_result_done(&res);
        r = node_result(u, n, r, what, err);
    }
    if (r == 0)
        say(u, on ? "Cluster is read-only (default_transaction_read_only=true)."
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
static int journal_put(struct inplace *u, const char *name, const char *text, struct og_error *err)
{
    const char *others[CLUSTER_MAX_NODES];
    size_t n = other_nodes(u, others);
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

static int record_step(void *ctx, int index, enum engine_state state, bool undoing,
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
        size_t n = other_nodes(u, others);
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
            say(u, "The journal of %s is behind (record %llu, newest %llu on %s): copying it.",
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
    r = journal_put(u, JOURNAL_APPDIR_FILE, a, err);
    snprintf(p, sizeof(p), "%s/version.cfg", u->old_app);
    if (r == 0)
        r = fs_read_file(p, 4096, &oldcfg, NULL, err);
    if (r == 0)
        r = journal_put(u, JOURNAL_OLDVER_FILE, oldcfg, err);
    snprintf(oldn, sizeof(oldn), "%s", u->oldv.number_str);
    snprintf(newn, sizeof(newn), "%s", u->newv.number_str);
    snprintf(nums, sizeof(nums), "newClusterNumber:%s\noldClusterNumber:%s\n", newn, oldn);
    if (r == 0)
        r = journal_put(u, JOURNAL_INPLACE_FILE, nums, err);
    /* the live roles (gs_ctl start -M, the catalog SQL's primary) for every
     * later step, also once the cluster is stopped */
    if (r == 0) {
        _cleanup_dynbuf_ struct dynbuf roles;
        dynbuf_init(&roles, 1 << 16);
        r = clusterstatus_roles_format(u->cfg, &roles) < 0
                ? og_error_set(err, OG_E_NOMEM, "roles")
                : journal_put(u, INPLACE_ROLES_FILE, dynbuf_str(&roles), err);
    }
    /* the frozen GUCs, as they are now (an existing record is kept) */
    snprintf(p, sizeof(p), "%s/%s", u->dir, INPLACE_FROZEN_FILE);
    if (r == 0 && access(p, F_OK) != 0) {
        r = frozen_gucs_collect(u->env, &g, err);
        if (r == 0)
            r = frozen_gucs_format(&g, &text) < 0 ? og_error_set(err, OG_E_NOMEM, "GUCs") : 0;
        if (r == 0)
            r = journal_put(u, INPLACE_FROZEN_FILE, dynbuf_str(&text), err);
    }
    /* clients are refused from here to commit or rollback (writes during the
     * backup would be lost by a rollback) */
    if (r == 0)
        r = set_read_only(u, true, err);
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

static int do_backup(void *ctx, struct og_error *err)
{
    struct inplace *u = ctx;
    int r = 0;

    for (size_t i = 0; r == 0 && i < u->cfg->n_nodes; i++) {
        const struct cluster_node *n = &u->cfg->nodes[i];
        const char *node[] = {n->name};
        char dst[PATH_MAX + 16];
        const char *verb[] = {"backup-conf", n->datadir, dst, NULL};
        snprintf(dst, sizeof(dst), "%s/backup", u->dir);
        r = worker_run_all(&u->w, node, 1, verb, NULL, 0, NULL, err);
    }
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
        if (gone(u, n, "restoring the configuration"))
            continue;
        snprintf(src, sizeof(src), "%s/backup", u->dir);
        r = node_result(u, n, worker_run_all(&u->w, node, 1, verb, NULL, 0, NULL, err),
                        "restoring the configuration", err);
    }
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
        if (gone(u, n, "switching $GAUSSHOME"))
            continue;
        r = node_result(u, n, worker_run_all(&u->w, node, 1, verb, NULL, 0, NULL, err),
                        "switching $GAUSSHOME", err);
    }
    return r;
}

/* The new app gets the installed cluster's static configuration (openGauss
 * restores the config into the new app before the switch), then the link. */
static int do_switch_bin(void *ctx, struct og_error *err)
{
    struct inplace *u = ctx;
    char src[PATH_MAX + 64], dst[PATH_MAX + 64];
    const char *verb[] = {"copy", src, dst, NULL};
    int r;

    snprintf(src, sizeof(src), "%s/bin/cluster_static_config", u->old_app);
    snprintf(dst, sizeof(dst), "%s/bin/cluster_static_config", u->new_app);
    r = worker_run_all(&u->w, u->nodes, u->n_nodes, verb, NULL, 0, NULL, err);
    if (r == 0)
        r = relink_all(u, u->new_app, err);
    return r;
}

static int undo_switch_bin(void *ctx, struct og_error *err)
{
    struct inplace *u = ctx;
    return relink_all(u, u->old_app, err);
}

/* ---- step: start ------------------------------------------------------------------------ */

static int do_start(void *ctx, struct og_error *err)
{
    struct inplace *u = ctx;
    int r = inplace_start_all(u, u->large ? u->oldv.number : 0, err);

    /* the catalog SQL writes (openGauss clears read-only here too) */
    if (r == 0)
        r = set_read_only(u, false, err);
    return r;
}

static int undo_start(void *ctx, struct og_error *err)
{
    return inplace_stop_all(ctx, err);
}

/* ---- step: catalog ------------------------------------------------------------------------ */

static bool is_large(void *ctx)
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
    if (r == 0 && dynbuf_appends(&sql, "START TRANSACTION;\nSET IsInplaceUpgrade = on;\n"
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
        size_t no = other_nodes(u, others);
        for (size_t i = 0; r == 0 && i < no; i++)
            if (strcmp(others[i], primary_of(u)->name) == 0) {
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
    int r = precheck_sql(u->env, primary_of(u), "postgres",
                         "SELECT string_agg(datname, ' ' ORDER BY datname) FROM pg_database", buf,
                         size, err);

    if (r == 0 &&
        (!strstr(buf, "template0") || !strstr(buf, "template1") || !strstr(buf, "postgres")))
        r = og_error_set(err, OG_E_CONTENT_INVALID, "The database list is invalid: %s", buf);
    return r;
}

static int run_sql_file(struct inplace *u, const char *db, const char *file, struct og_error *err)
{
    const struct cluster_node *p = primary_of(u);
    char bin[PATH_MAX + 16], port[16];
    const char *argv[] = {bin,  "-X", "-q", "-h",    u->cfg->tmp_path,   "-p",
                          port, "-d", db,   "--set", "ON_ERROR_STOP=on", "-f",
                          file, NULL};
    struct transport_run_opts o = {.timeout_ms = CTL_TIMEOUT_MS};
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
                r = journal_put(u, INPLACE_CATALOG_DONE, dynbuf_str(&rec), err);
            if (r == 0)
                say(u, "Catalog %s done on database %s.", mode, db);
        }
    }
    return r;
}

static int do_catalog(void *ctx, struct og_error *err)
{
    struct inplace *u = ctx;
    int r = extract_sql(u, err);

    if (r == 0)
        r = inplace_start_all(u, u->oldv.number, err); /* resumed after a crash: up again */
    if (r == 0)
        r = run_catalog_mode(u, "upgrade", err);
    if (r == 0)
        r = run_catalog_mode(u, "upgrade-post", err);
    /* the standbys replay the new catalog before anything stops them */
    if (r == 0)
        r = precheck_standby_replay(u->env, err);
    return r;
}

/* The new kernel in upgrade mode accepts the old catalog and the new one:
 * the rollback SQL (idempotent) brings every database back, then stop. */
static int undo_catalog(void *ctx, struct og_error *err)
{
    struct inplace *u = ctx;
    char p[PATH_MAX + 32];
    int r = extract_sql(u, err);

    if (r == 0)
        r = inplace_stop_all(u, err);
    if (r == 0)
        r = inplace_start_all(u, u->oldv.number, err);
    /* the rollback SQL writes; read-only comes back with the restored config */
    if (r == 0)
        r = set_read_only(u, false, err);
    snprintf(p, sizeof(p), "%s/%s", u->dir, INPLACE_CATALOG_DONE);
    if (r == 0) {
        unlink(p); /* the rollback runs on every database */
        r = run_catalog_mode(u, "rollback-post", err);
    }
    if (r == 0)
        r = run_catalog_mode(u, "rollback", err);
    if (r == 0)
        r = node_result(u, primary_of(u), precheck_standby_replay(u->env, err),
                        "waiting for the standbys to replay the catalog rollback", err);
    if (r == 0)
        r = inplace_stop_all(u, err);
    if (r == 0) {
        const char *all[] = {INPLACE_CATALOG_DONE, NULL};
        r = jdist_remove(&u->w, u->nodes, u->n_nodes, u->dir, all[0], err);
    }
    return r;
}

/* ---- step: restart -------------------------------------------------------------------------- */

static int do_restart(void *ctx, struct og_error *err)
{
    struct inplace *u = ctx;
    int r = inplace_stop_all(u, err);

    if (r == 0)
        r = inplace_start_all(u, 0, err);
    return r;
}

static int undo_restart(void *ctx, struct og_error *err)
{
    return inplace_stop_all(ctx, err);
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
    say(u, "Progress report: (%d%%)", percent);
}

static const struct engine_step inplace_steps[] = {
    {"record", "record the upgrade on every node; the cluster becomes read-only", 0, NULL,
     do_record, undo_record},
    {"stop-cluster", "stop every datanode (standbys first)", 2, NULL, do_stop_cluster,
     undo_stop_cluster},
    {"backup", "back up every node's configuration", 3, NULL, do_backup, undo_backup},
    {"switch-bin", "switch $GAUSSHOME to the new app on every node", 4, NULL, do_switch_bin,
     undo_switch_bin},
    {"start", "start every datanode (upgrade mode for a large upgrade)", 5, NULL, do_start,
     undo_start},
    {"catalog", "run the catalog upgrade SQL on every database", 5, is_large, do_catalog,
     undo_catalog},
    {"restart", "restart every datanode normally", 5, is_large, do_restart, undo_restart},
    {"post-check", "check versions, cluster state, replay and GUCs", 5, NULL, do_post_check, NULL},
    {"pre-commit", "wait for commit-upgrade or auto-rollback", 6, NULL, do_pre_commit, NULL},
};

const struct engine_plan inplace_plan = {
    .name = "inplace",
    .steps = inplace_steps,
    .n = ELEMENTSOF(inplace_steps),
    .record = record_step,
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
    return journal_put(ctx, JOURNAL_COMMIT_FLAG, "", err);
}

static int do_read_write(void *ctx, struct og_error *err)
{
    return set_read_only(ctx, false, err);
}

static int do_remove_backup(void *ctx, struct og_error *err)
{
    struct inplace *u = ctx;
    const char *names[] = {"backup", "upgrade_sql"};
    int r = 0;

    for (size_t i = 0; r == 0 && i < ELEMENTSOF(names); i++)
        r = jdist_remove(&u->w, u->nodes, u->n_nodes, u->dir, names[i], err);
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
    {"read-write", "the cluster takes writes again", 6, NULL, do_read_write, NULL},
    {"remove-backup", "remove the backups and the extracted SQL", 6, NULL, do_remove_backup, NULL},
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
    if (rec.present && rec.has_step) {
        from = (size_t)rec.index + (rec.state == ENGINE_DONE ? 1 : 0);
        say(u, "Resuming the upgrade from step %s (the journal records %s %s).",
            from < inplace_plan.n ? inplace_plan.steps[from].name : "(none)",
            inplace_plan.steps[rec.index].name, rec.state == ENGINE_DONE ? "done" : "begun");
        if (from >= inplace_plan.n) {
            say(u, "The upgrade is at pre-commit already: run commit-upgrade or auto-rollback.");
            return 0;
        }
    } else if (rec.present) {
        return og_error_set(err, OG_E_UPGRADE_UNFINISHED,
                            "Upgrade is not finished, cannot do another task: %s holds a journal "
                            "ogup did not write (upgrade_step.dat %d); roll it back with the tool "
                            "that wrote it.",
                            u->dir, rec.og_step);
    }
    r = engine_run(&inplace_plan, from, u, &failed, err);
    if (r < 0) {
        say(u,
            "Failed to upgrade at step %s. Fix the cause, then run auto-upgrade again to "
            "resume, or auto-rollback to return to %s.",
            failed >= 0 ? inplace_plan.steps[failed].name : "?", u->oldv.version);
        return r;
    }
    say(u,
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
        say(u, "No need to rollback.");
        return 0;
    }
    if (rec.committed)
        return og_error_set(err, OG_E_ALREADY_COMMITTED,
                            "Upgrade has already been committed, can not execute rollback command "
                            "any more.");
    if (!rec.has_step) {
        /* openGauss's own journal: the recorded dat step; nothing of ours to undo */
        return og_error_set(err, OG_E_UPGRADE_UNFINISHED,
                            "Upgrade is not finished, cannot do another task: %s was not written "
                            "by ogup.",
                            u->dir);
    }
    say(u, "Rolling back from step %s.",
        rec.index >= 0 ? inplace_plan.steps[rec.index].name : "record");
    r = engine_rollback(&inplace_plan, rec.index, u, err);
    if (r == 0 && u->skipped.len) {
        /* something was skipped: the journal keeps the step the rollback
         * started from, so a later auto-rollback does it all again (every
         * undo is idempotent) and finishes what was skipped */
        r = record_step(u, rec.index, rec.state, true, err);
        if (r == 0)
            say(u, "Rollback done on the reachable nodes; the journal still records step %s.",
                inplace_plan.steps[rec.index].name);
        return r;
    }
    if (r == 0)
        say(u, "Rollback succeeded: every node runs %s.", u->oldv.version);
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
        say(u, "Commit upgrade succeeded.");
    return r;
}
