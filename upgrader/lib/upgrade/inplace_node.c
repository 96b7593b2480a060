/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * inplace_node.c - what the in-place plan does to the nodes: output, gs_ctl
 * start/stop on every node at once, --force's bookkeeping, gs_guc reload on every
 * node (the read-only window), waiting for Normal.
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

#include "clock.h"
#include "clusterstatus.h"
#include "fs.h"
#include "greylocal.h"
#include "inplace_int.h"
#include "jdist.h"
#include "journal.h"
#include "oglog.h"
#include "parallel.h"
#include "banned.h"

#define CTL_TIMEOUT_MS INPLACE_CTL_TIMEOUT_MS

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

/* UpgradeImpl.py v5.0.0 :3992-4006, both plans: three log lines, five
 * printed (an empty one, the command with 4 spaces before and 3 after, an
 * empty one); -X resolved, "XMLFILE" without one */
void inplace_banner(const struct inplace *u)
{
    char real[PATH_MAX];
    const char *xml = u->xml_path && realpath(u->xml_path, real) ? real : "XMLFILE";

    inplace_say(u, "Upgrade main process has been finished, user can do some check now.");
    inplace_say(u, "Once the check done, please execute following command to commit upgrade:");
    inplace_say(u, "\n    gs_upgradectl -t commit-upgrade -X %s   \n", xml);
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
    dynbuf_addf(&u->skipped, "  %s: %s skipped: %s\n", n->name, what,
                og_error_format(err, msg, sizeof(msg)));
    og_error_clear(err);
    return 0;
}

int inplace_worker_each(struct inplace *u, const struct cluster_node *const *of, size_t n,
                        const char *const *const *argvs, const char *what, struct og_error *err)
{
    const char *nodes[CLUSTER_MAX_NODES] = {NULL};
    struct og_error errs[CLUSTER_MAX_NODES];
    int rcs[CLUSTER_MAX_NODES], r;

    if (n == 0)
        return 0;
    if (n > CLUSTER_MAX_NODES)
        return og_error_set(err, OG_E_INVALID_ARG, "%s: too many nodes", what);
    for (size_t i = 0; i < n; i++)
        nodes[i] = of[i]->name;
    memset(errs, 0, sizeof(errs));
    r = worker_run_each(&u->w, nodes, n, argvs, rcs, errs);
    if (r < 0)
        return og_error_set(err, -r, "%s", what);
    for (size_t i = 0; r == 0 && i < n; i++) {
        if (rcs[i] < 0)
            *err = errs[i];
        r = inplace_node_result(u, of[i], rcs[i], what, err);
    }
    return r;
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
    dynbuf_addf(&u->skipped, "  %s: %s skipped: the node is unreachable\n", n->name, what);
    return true;
}

/* One node's stop or start, on a thread of its own. */
struct node_job {
    struct inplace *u;
    const struct cluster_node *n;
    bool start;
    int upgrade_from;
    int r;
    struct og_error err;
};

static void node_job_main(void *arg)
{
    struct node_job *j = arg;

    j->r = j->start ? start_node(j->u, j->n, j->upgrade_from, &j->err)
                    : stop_node(j->u, j->n, &j->err);
}

/* Every datanode at once, as openGauss does: Local_StopInstance /
 * Local_StartInstance go to every host together (openGauss-OM v5.0.0
 * UpgradeImpl.py:780-822 stopCluster/startCluster -> cmd_executor.py:60-91
 * execCommandWithMode -> SshTool.executeCommand, pssh with parallel_num=300,
 * SshTool.py:374); no role order. A standby starts on its own WAL and finds
 * the primary when it is up (the wait for Normal follows); a primary's fast
 * stop does not wait for its standbys. The outcomes are taken in node order,
 * as when they ran one after another; with --force each failure is noted. */
static int all_at_once(struct inplace *u, bool start, int upgrade_from, struct og_error *err)
{
    const char *what = start ? "starting the datanode" : "stopping the datanode";
    struct node_job jobs[CLUSTER_MAX_NODES];
    size_t n = 0;
    int r = 0;

    for (size_t i = 0; i < u->cfg->n_nodes && n < CLUSTER_MAX_NODES; i++) {
        const struct cluster_node *nd = &u->cfg->nodes[i];
        if (inplace_gone(u, nd, what))
            continue;
        jobs[n] = (struct node_job){.u = u, .n = nd, .start = start, .upgrade_from = upgrade_from};
        n++;
    }
    parallel_each(jobs, n, sizeof(jobs[0]), node_job_main, 0);
    for (size_t i = 0; i < n && r == 0; i++) {
        if (jobs[i].r < 0)
            *err = jobs[i].err;
        r = inplace_node_result(u, jobs[i].n, jobs[i].r, what, err);
    }
    return r;
}

int inplace_stop_all(struct inplace *u, struct og_error *err)
{
    return all_at_once(u, false, 0, err);
}

int inplace_start_all(struct inplace *u, int upgrade_from, struct og_error *err)
{
    return all_at_once(u, true, upgrade_from, err);
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
    const char *const extra[] = {"-c", setting, NULL};
    const struct cluster_node *of[CLUSTER_MAX_NODES] = {NULL};
    struct command_result res[CLUSTER_MAX_NODES];
    struct og_error errs[CLUSTER_MAX_NODES];
    size_t n = 0;
    int r = 0;

    /* every node at once, the outcomes taken in node order as when they ran
     * one after another */
    for (size_t i = 0; i < u->cfg->n_nodes && n < CLUSTER_MAX_NODES; i++)
        if (!inplace_gone(u, &u->cfg->nodes[i], setting))
            of[n++] = &u->cfg->nodes[i];
    memset(res, 0, sizeof(res));
    memset(errs, 0, sizeof(errs));
    (void)cluster_tool_each(u->cfg, u->env->t, of, n, "gs_guc", "reload", extra, 60000, res, errs);
    for (size_t i = 0; i < n; i++) {
        int ri = errs[i].code ? -errs[i].code : res[i].exit_status != 0 ? -OG_E_EXEC_FAILED : 0;
        if (r == 0 && ri < 0) {
            char why[OG_ERROR_DETAIL_MAX];
            snprintf(why, sizeof(why), "%s",
                     ri == -OG_E_EXEC_FAILED && res[i].out ? res[i].out : errs[i].detail);
            ri = og_error_set(err, code, "%s on %s: %s", failure, of[i]->name, why);
        }
        if (r == 0)
            r = inplace_node_result(u, of[i], ri, setting, err);
        command_result_done(&res[i]);
    }
    return r;
}

int inplace_set_read_only(struct inplace *u, bool on, struct og_error *err)
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
    long long t0 = og_now_ms();
    struct cluster_status st;

    for (;;) {
        int r = clusterstatus_query(u->cfg, u->env->t, &st, err);
        if (r == 0 && (strcmp(st.cluster_state, "Normal") == 0 ||
                       (u->degraded_ok && strcmp(st.cluster_state, "Degraded") == 0)))
            return 0;
        if (og_now_ms() - t0 > timeout_ms)
            return og_error_set(err, OG_E_CLUSTER_STATUS,
                                "Failed to check cluster status. Cluster status is %s after %d s.",
                                r == 0 ? st.cluster_state : "unknown", timeout_ms / 1000);
        {
            struct timespec ts = {0, 300 * 1000000};
            nanosleep(&ts, NULL);
        }
    }
}

int inplace_handover(struct inplace *u, const struct cluster_node *from,
                     const struct cluster_node *to, struct og_error *err)
{
    /* two calls, one on each node, while no primary takes writes: the fast
     * stop ships every WAL record and says where it ends; the standby
     * promotes itself once it has replayed past that point */
    const char *stop[] = {"stop-primary", u->cfg->app_path, from->datadir, NULL};
    const char *from_name[] = {from->name}, *to_name[] = {to->name};
    char *out = NULL, lsn[32] = "";
    struct cluster_status st;
    int r = worker_run_all(&u->w, from_name, 1, stop, NULL, 0, &out, err);

    if (r == 0 && (sscanf(out, "%31s", lsn) != 1 || !grey_local_lsn_valid(lsn)))
        r = og_error_set(err, OG_E_EXEC_FAILED, "stop-primary on %s: \"%s\"", from->name, out);
    free(out);
    if (r == 0) {
        const char *promote[] = {"promote-after", u->cfg->app_path, to->datadir, lsn, NULL};
        inplace_say(u, "%s stopped; its WAL ends at %s.", from->name, lsn);
        r = worker_run_all(&u->w, to_name, 1, promote, NULL, 0, NULL, err);
    }
    if (r == 0)
        inplace_say(u, "%s is the primary.", to->name);
    /* the roles every later step starts and connects by */
    if (r == 0)
        r = clusterstatus_query(u->cfg, u->env->t, &st, err);
    if (r == 0)
        clusterstatus_live_roles((struct cluster_config *)u->cfg, &st);
    if (r == 0 && !clusterconfig_find_node(u->cfg, to->name)->primary)
        r = og_error_set(err, OG_E_CLUSTER_STATUS, "%s is not primary after the handover.",
                         to->name);
    if (r == 0)
        r = inplace_record_roles(u, err);
    return r;
}

int inplace_check_version(struct inplace *u, const char *const *nodes, size_t n, int code,
                          const char *failure, struct og_error *err)
{
    char bin[PATH_MAX + 16], want[96];
    const char *argv[] = {bin, "-V", NULL};
    struct command_result res[CLUSTER_MAX_NODES];
    struct og_error errs[CLUSTER_MAX_NODES];
    struct transport_run_opts o = {.timeout_ms = 60000};
    int r = 0;

    snprintf(bin, sizeof(bin), "%s/bin/gaussdb", u->cfg->app_path);
    snprintf(want, sizeof(want), "(openGauss %s build %s)", u->newv.version, u->newv.commit);
    memset(res, 0, sizeof(res));
    memset(errs, 0, sizeof(errs));
    transport_run_all(u->env->t, nodes, n, argv, &o, res, errs);
    for (size_t i = 0; i < n; i++) {
        if (r == 0 && (errs[i].code || !strstr(res[i].out, want)))
            r = og_error_set(err, code, "%s: %s reports %s", failure, nodes[i],
                             errs[i].code ? errs[i].detail : res[i].out);
        command_result_done(&res[i]);
    }
    return r;
}
