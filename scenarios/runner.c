/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * runner.c - scenarios played on simulated clusters (see runner.h).
 */
#include <dirent.h>
#include <errno.h>
#include <json-c/json.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "command.h"
#include "engine.h"
#include "expect.h"
#include "fs.h"
#include "inplace.h"
#include "plan.h"
#include "runner.h"
#include "shquote.h"
#include "simcluster.h"
#include "simversion.h"
#include "banned.h"

#define MAX_GROUPS       64
#define MAX_CACHED       16
#define MAX_FAULTS       32
#define WATCH_POLL_US    20000
#define STATUS_POLL_MS   1000
#define CLUSTER_DATA_MIB 384
#define WORKLOAD_DB      "ogsim_wl"
#define CLUSTERCONFIG    "/home/omm/clusterconfig.xml"

static volatile sig_atomic_t stop_requested;

void scn_run_request_stop(void)
{
    stop_requested = 1;
}

struct group {
    char version[16];
    int nodes;
    int databases;
    char name[32];
    bool up;
    bool fresh; /* just brought up: the first scenario needs no restore */
    struct sim_cluster c;
    char cached[MAX_CACHED][24]; /* snapshot names of prepared clusters */
    size_t n_cached;
};

struct fault_map {
    char label[80];
    int ledger_id;
};

struct runner {
    const struct scn_run_opts *o;
    FILE *log;
    char run_dir[PATH_MAX];
    struct group groups[MAX_GROUPS];
    size_t n_groups;
    /* the scenario being played */
    struct group *g;
    const struct scenario *sc;
    struct scn_result *res;
    char bundle[PATH_MAX];
    struct fault_map faults[MAX_FAULTS];
    size_t n_faults;
    size_t n_cmd; /* outputs saved in the bundle */
    char *dump_pre_all, *dump_pre_user;
    bool workload_started;
    char wl_dir[PATH_MAX];
    bool steps_failed;
};

/* ---- small helpers ------------------------------------------------------------------------ */

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void say(struct runner *rn, const char *fmt, ...) _printf_(2, 3);
static void say(struct runner *rn, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vfprintf(rn->log, fmt, ap);
    va_end(ap);
    fflush(rn->log);
}

/* The first failure decides the message (one line); an error outranks a failure. */
static void set_message(struct runner *rn, enum scn_verdict v, const char *msg)
{
    if (rn->res->verdict == SCN_PASS || (v == SCN_ERROR && rn->res->verdict != SCN_ERROR)) {
        if (rn->res->verdict == SCN_PASS || !rn->res->message[0]) {
            snprintf(rn->res->message, sizeof(rn->res->message), "%s", msg);
            for (char *p = rn->res->message; *p; p++)
                if (*p == '\n' || *p == '\r' || *p == '\t')
                    *p = ' ';
        }
        rn->res->verdict = v;
    }
}

static void harness_error(struct runner *rn, const char *fmt, ...) _printf_(2, 3);
static void harness_error(struct runner *rn, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    say(rn, "    ERROR %s\n", msg);
    set_message(rn, SCN_ERROR, msg);
}

static void add_check(struct runner *rn, const struct scn_check *c)
{
    scn_result_add_check(rn->res, c);
    say(rn, "      %s %s: %s\n", c->pass ? "ok  " : "FAIL", c->what, c->detail);
    if (!c->pass) {
        char msg[1024];
        snprintf(msg, sizeof(msg), "%s (line %d): %s", c->what, c->line, c->detail);
        set_message(rn, SCN_FAIL, msg);
    }
}

static void add_step(struct runner *rn, const char *label, int line, double t0, bool ok,
                     const char *detail)
{
    struct scn_step_result s = {0};

    snprintf(s.label, sizeof(s.label), "%s", label);
    s.line = line;
    s.seconds = now_s() - t0;
    s.ok = ok;
    snprintf(s.detail, sizeof(s.detail), "%s", detail ? detail : "");
    scn_result_add_step(rn->res, &s);
}

static bool failed(const struct runner *rn)
{
    return rn->res->verdict != SCN_PASS;
}

/* A host command; 0 when it ran (exit status in res). */
static int host_run(const char *const *argv, int timeout_ms, struct command_result *res,
                    struct og_error *err)
{
    _cleanup_command_ struct command *cmd = command_new(argv);

    if (!cmd)
        return og_error_set(err, OG_E_NOMEM, "command");
    command_set_timeout_ms(cmd, timeout_ms);
    command_passenv(cmd, "OGSIM_STATE_DIR");
    return command_run(cmd, res, err);
}

/* bash -lc script on node as user (the openGauss environment). */
static int node_sh(const struct runner *rn, const char *node, const char *user, const char *script,
                   int timeout_ms, struct command_result *res, struct og_error *err)
{
    const char *argv[] = {"bash", "-lc", script, NULL};

    return sim_exec(&rn->g->c, node, user, argv, timeout_ms, res, err);
}

/* The bundle file <bundle>/<name> with text. */
static void bundle_write(struct runner *rn, const char *name, const char *text)
{
    char p[PATH_MAX + 64];

    snprintf(p, sizeof(p), "%s/%s", rn->bundle, name);
    fs_replace_file(p, text ? text : "", text ? strlen(text) : 0, 0644, NULL);
}

/* A command's record in <bundle>/commands/NN-name.txt. */
static void bundle_command(struct runner *rn, const char *name, const char *what, double secs,
                           const struct command_result *res, const char *error)
{
    _cleanup_dynbuf_ struct dynbuf b = {0};
    char file[128];

    dynbuf_init(&b, 16u * 1024 * 1024);
    dynbuf_appendf(&b, "$ %s\n# %.1f s", what, secs);
    if (error && error[0])
        dynbuf_appendf(&b, ", could not run: %s", error);
    else if (res)
        dynbuf_appendf(&b, ", exit %d%s", res->exit_status, res->term_signal ? " (signal)" : "");
    dynbuf_appendf(&b, "\n--- stdout\n%s\n--- stderr\n%s\n", res && res->out ? res->out : "",
                   res && res->err ? res->err : "");
    snprintf(file, sizeof(file), "commands/%02zu-%s.txt", ++rn->n_cmd, name);
    bundle_write(rn, file, dynbuf_str(&b));
}

/* Host path of a node path under the install root. */
static void host_path(const struct runner *rn, const char *node, const char *node_path, char *buf,
                      size_t size)
{
    const struct sim_cluster *c = &rn->g->c;
    size_t rl = strlen(c->install_root);

    snprintf(buf, size, "%s/nodes/%s/install%s", c->state_dir, node,
             strncmp(node_path, c->install_root, rl) == 0 ? node_path + rl : node_path);
}

static void journal_file(const struct runner *rn, const char *node, const char *file, char *buf,
                         size_t size)
{
    char p[PATH_MAX];

    snprintf(p, sizeof(p), "%s/binary_upgrade/%s", rn->g->c.tmp_path, file);
    host_path(rn, node, p, buf, size);
}

/* The first line of node1's binary_upgrade/ogup_step ("" when none). */
static void read_ogup_step(const struct runner *rn, char *buf, size_t size)
{
    char p[PATH_MAX];
    _cleanup_free_ char *text = NULL;

    buf[0] = '\0';
    journal_file(rn, "node1", "ogup_step", p, sizeof(p));
    if (fs_read_file(p, 4096, &text, NULL, NULL) == 0) {
        text[strcspn(text, "\n")] = '\0';
        snprintf(buf, size, "%s", text);
    }
}

/* ---- ogfault ------------------------------------------------------------------------------ */

static bool ogfault_present(const struct runner *rn)
{
    return rn->o->ogfault && access(rn->o->ogfault, X_OK) == 0;
}

/* ogfault --cluster NAME args...; its result in res. */
static int ogfault_run(struct runner *rn, const char *const *args, struct command_result *res,
                       struct og_error *err)
{
    const char *argv[16];
    size_t n = 0;

    if (!ogfault_present(rn))
        return og_error_set(err, OG_E_NOT_EXIST, "ogfault is not built (%s)",
                            rn->o->ogfault ? rn->o->ogfault : "no path");
    argv[n++] = rn->o->ogfault;
    argv[n++] = "--cluster";
    argv[n++] = rn->g->name;
    for (size_t i = 0; args[i] && n < ELEMENTSOF(argv) - 1; i++)
        argv[n++] = args[i];
    argv[n] = NULL;
    return host_run(argv, 300000, res, err);
}

/* The ledger id in ogfault's --json answer (an object with "id"), or its
 * text "fault N: ..."; -1 when none. */
static int ledger_id_of(const char *out)
{
    json_object *o = json_tokener_parse(out), *v;
    int id = -1;

    if (o && json_object_is_type(o, json_type_object) && json_object_object_get_ex(o, "id", &v))
        id = json_object_get_int(v);
    json_object_put(o);
    if (id < 0 && out) {
        const char *p = strstr(out, "fault ");
        if (p)
            id = atoi(p + 6) > 0 ? atoi(p + 6) : -1;
    }
    return id;
}

/* Inject f; *ret_id its ledger id. detail gets a one-line account. */
static int inject(struct runner *rn, const struct scn_fault *f, int *ret_id, char *detail,
                  size_t dsize)
{
    _cleanup_command_result_ struct command_result res = {0};
    struct og_error err = {0};
    char num[32], what[256];
    const char *args[10];
    size_t n = 0;
    double t0 = now_s();
    int r;

    args[n++] = "--json";
    args[n++] = fault_kind_name(f->kind);
    args[n++] = f->node;
    if (f->kind == FAULT_PARTITION)
        args[n++] = f->peer;
    if (f->kind == FAULT_NET_LOSS) {
        snprintf(num, sizeof(num), "%d", f->percent);
        args[n++] = "--percent";
        args[n++] = num;
    }
    if (f->kind == FAULT_DISK_FULL && f->free_bytes >= 0) {
        snprintf(num, sizeof(num), "%lld", f->free_bytes);
        args[n++] = "--free-bytes";
        args[n++] = num;
    }
    args[n] = NULL;
    snprintf(what, sizeof(what), "ogfault --cluster %s %s %s%s%s", rn->g->name,
             fault_kind_name(f->kind), f->node, f->peer[0] ? " " : "", f->peer);
    r = ogfault_run(rn, args, &res, &err);
    bundle_command(rn, "ogfault", what, now_s() - t0, r == 0 ? &res : NULL,
                   r < 0 ? err.detail : NULL);
    if (r < 0) {
        snprintf(detail, dsize, "%s", err.detail);
        return r;
    }
    if (res.exit_status != 0) {
        snprintf(detail, dsize, "ogfault exit %d: %.400s", res.exit_status,
                 res.err && res.err[0] ? res.err : res.out);
        return -OG_E_CMD_FAILED;
    }
    *ret_id = ledger_id_of(res.out);
    snprintf(detail, dsize, "fault %d installed in %.2f s", *ret_id, now_s() - t0);
    return 0;
}

static void remember_fault(struct runner *rn, const struct scn_fault *f, int id)
{
    if (f->id[0] && rn->n_faults < MAX_FAULTS) {
        snprintf(rn->faults[rn->n_faults].label, sizeof(rn->faults[0].label), "%s", f->id);
        rn->faults[rn->n_faults++].ledger_id = id;
    }
}

/* ---- the journal watcher: faults during an action
 * ------------------------------------------------ */

struct watch_fault {
    const struct scn_fault *f;
    int step_index;
    bool fired;
    int ledger_id;
    int rc;
    double at_s; /* since the action started */
    char row[64];
    char record[160];
    char detail[512];
};

struct watcher {
    struct runner *rn;
    bool undo;
    struct watch_fault wf[SCN_MAX_DURING];
    size_t n;
    atomic_bool stop;
    double t0;
    char initial[256];
    struct stat st0;
    bool had_file;
    pthread_t th;
};

static void *watch_main(void *arg)
{
    struct watcher *w = arg;
    char path[PATH_MAX];
    bool changed = false;

    journal_file(w->rn, "node1", "ogup_step", path, sizeof(path));
    while (!atomic_load(&w->stop)) {
        _cleanup_free_ char *text = NULL;
        struct scn_jrec rec;
        struct stat st;
        bool all = true;

        if (fs_read_file(path, 4096, &text, NULL, NULL) == 0 && stat(path, &st) == 0) {
            text[strcspn(text, "\n")] = '\0';
            /* a record left by an earlier run does not count: wait for a write */
            if (!changed)
                changed = !w->had_file || strcmp(text, w->initial) != 0 ||
                          st.st_ino != w->st0.st_ino ||
                          st.st_mtim.tv_nsec != w->st0.st_mtim.tv_nsec ||
                          st.st_mtim.tv_sec != w->st0.st_mtim.tv_sec;
            if (changed && scn_jrec_parse(text, &rec)) {
                for (size_t i = 0; i < w->n; i++) {
                    struct watch_fault *wf = &w->wf[i];
                    if (wf->fired ||
                        !scn_jrec_reached(&rec, wf->step_index, wf->f->when_done, w->undo))
                        continue;
                    wf->fired = true;
                    wf->at_s = now_s() - w->t0;
                    snprintf(wf->record, sizeof(wf->record), "%s", text);
                    scn_journal_row(text, wf->row, sizeof(wf->row));
                    wf->rc = inject(w->rn, wf->f, &wf->ledger_id, wf->detail, sizeof(wf->detail));
                }
            }
        }
        for (size_t i = 0; i < w->n; i++)
            all = all && w->wf[i].fired;
        if (all)
            break;
        usleep(WATCH_POLL_US);
    }
    return NULL;
}

/* ---- observations ------------------------------------------------------------------------------
 */

/* sim_status --json into o (cluster_state, per node version and reachability). */
static int observe_status(struct runner *rn, struct scn_observed *o, struct og_error *err)
{
    _cleanup_dynbuf_ struct dynbuf b = {0};
    json_object *j, *v, *nodes;
    int r;

    dynbuf_init(&b, 1 << 20);
    r = sim_status(&rn->g->c, true, &b, err);
    if (r < 0)
        return r;
    j = json_tokener_parse(dynbuf_str(&b));
    if (!j)
        return og_error_set(err, OG_E_CONTENT_INVALID, "sim_status printed no JSON");
    o->have_status = json_object_object_get_ex(j, "cluster_state", &v);
    snprintf(o->cluster_state, sizeof(o->cluster_state), "%s",
             o->have_status ? json_object_get_string(v) : "");
    if (json_object_object_get_ex(j, "nodes", &nodes))
        for (size_t i = 0; i < json_object_array_length(nodes) && i < SCN_OBS_MAX_NODES; i++) {
            json_object *n = json_object_array_get_idx(nodes, i), *f;
            struct scn_obs_node *on = &o->nodes[i];
            if (json_object_object_get_ex(n, "node", &f))
                snprintf(on->name, sizeof(on->name), "%s", json_object_get_string(f));
            if (json_object_object_get_ex(n, "version", &f))
                scn_version_of(json_object_get_string(f), on->version, sizeof(on->version));
            on->reachable = json_object_object_get_ex(n, "domain_state", &f) &&
                            strcmp(json_object_get_string(f), "running") == 0;
            if (i + 1 > o->n_nodes)
                o->n_nodes = i + 1;
        }
    json_object_put(j);
    return 0;
}

/* Every node's upgrade_step.dat, read on the host (works with a node off). */
static void observe_journal(struct runner *rn, struct scn_observed *o)
{
    const struct sim_cluster *c = &rn->g->c;

    o->n_nodes = c->n_nodes < SCN_OBS_MAX_NODES ? c->n_nodes : SCN_OBS_MAX_NODES;
    for (size_t i = 0; i < o->n_nodes; i++) {
        struct scn_obs_node *n = &o->nodes[i];
        _cleanup_free_ char *text = NULL;
        char p[PATH_MAX];

        snprintf(n->name, sizeof(n->name), "%s", c->nodes[i].name);
        journal_file(rn, n->name, "upgrade_step.dat", p, sizeof(p));
        n->journal = fs_read_file(p, 4096, &text, NULL, NULL) == 0;
        n->journal_step = n->journal ? scn_journal_step_of(text) : 0;
        if (n->journal) {
            text[strcspn(text, "\n")] = '\0';
            snprintf(n->journal_raw, sizeof(n->journal_raw), "%s", text);
        }
    }
}

/* pg_dumpall (user = false) or the user databases without og_catalog, the
 * workload's database left out; malloc'ed. */
static char *take_dump(struct runner *rn, bool user, struct og_error *err)
{
    _cleanup_command_result_ struct command_result res = {0};
    char script[1536];
    double t0 = now_s();
    int r;

    if (user)
        snprintf(script, sizeof(script),
                 "set -o pipefail; for d in $(gsql -d postgres -X -tA -c \"SELECT datname FROM "
                 "pg_database WHERE datname NOT IN ('postgres','template0','template1','%s') "
                 "ORDER BY 1\"); do echo \"== $d\"; /usr/lib/postgresql/15/bin/pg_dump "
                 "--restrict-key=ogup -h $PGHOST -p %d --exclude-schema=og_catalog $d || exit 1; "
                 "done",
                 WORKLOAD_DB, rn->g->c.port);
    else
        snprintf(script, sizeof(script),
                 "/usr/lib/postgresql/15/bin/pg_dumpall --restrict-key=ogup --no-role-passwords "
                 "-h $PGHOST -p %d "
                 "--exclude-database=%s",
                 rn->g->c.port, WORKLOAD_DB);
    r = node_sh(rn, "node1", "omm", script, 300000, &res, err);
    bundle_command(rn, user ? "dump-user" : "dumpall", script, now_s() - t0, r == 0 ? &res : NULL,
                   r < 0 ? err->detail : NULL);
    if (r < 0)
        return NULL;
    if (res.exit_status != 0) {
        og_error_set(err, OG_E_CMD_FAILED, "the dump failed (exit %d): %.300s", res.exit_status,
                     res.err);
        return NULL;
    }
    return strdup(res.out);
}

static bool needs_kind(const struct scenario *sc, enum scn_expect_kind k, bool *user)
{
    bool any = false;

    for (size_t i = 0; i < sc->n_expects; i++)
        if (sc->expects[i].kind == k) {
            any = true;
            if (user && k == SCN_E_DUMP)
                user[sc->expects[i].user_scope] = true;
        }
    for (size_t s = 0; s < sc->n_steps; s++)
        for (size_t i = 0; i < sc->steps[s].n_expects; i++)
            if (sc->steps[s].expects[i].kind == k) {
                any = true;
                if (user && k == SCN_E_DUMP)
                    user[sc->steps[s].expects[i].user_scope] = true;
            }
    return any;
}

/* ---- the workload -------------------------------------------------------------------------------
 */

static int workload_cmd(struct runner *rn, const char *verb, struct command_result *res,
                        struct og_error *err)
{
    char hosts[512], port[16], w[16], r[16], d[16];
    const char *argv[24];
    size_t n = 0;
    double t0 = now_s();
    int rc;

    sim_hosts_csv(&rn->g->c, hosts, sizeof(hosts));
    snprintf(port, sizeof(port), "%d", rn->g->c.port);
    argv[n++] = rn->o->ogsim;
    argv[n++] = "workload";
    argv[n++] = verb;
    argv[n++] = "--state-dir";
    argv[n++] = rn->wl_dir;
    if (strcmp(verb, "stop") != 0) {
        argv[n++] = "--hosts";
        argv[n++] = hosts;
        argv[n++] = "--port";
        argv[n++] = port;
    }
    if (strcmp(verb, "start") == 0) {
        snprintf(w, sizeof(w), "%d", rn->sc->writers);
        snprintf(r, sizeof(r), "%d", rn->sc->readers);
        argv[n++] = "--dbname";
        argv[n++] = WORKLOAD_DB;
        argv[n++] = "--writers";
        argv[n++] = w;
        argv[n++] = "--readers";
        argv[n++] = r;
        if (rn->sc->duration_s > 0) {
            snprintf(d, sizeof(d), "%d", rn->sc->duration_s);
            argv[n++] = "--duration";
            argv[n++] = d;
        }
    }
    if (strcmp(verb, "check") == 0) {
        argv[n++] = "--json";
        argv[n++] = "--catchup-timeout";
        argv[n++] = "120";
    }
    argv[n] = NULL;
    rc = host_run(argv, 300000, res, err);
    {
        char what[64];
        snprintf(what, sizeof(what), "ogsim workload %s", verb);
        bundle_command(rn, "workload", what, now_s() - t0, rc == 0 ? res : NULL,
                       rc < 0 ? err->detail : NULL);
    }
    return rc;
}

static void workload_report(struct runner *rn, struct scn_observed *o)
{
    _cleanup_command_result_ struct command_result res = {0};
    struct og_error err = {0};
    json_object *j, *v, *nodes;

    o->have_workload = false;
    if (workload_cmd(rn, "check", &res, &err) < 0) {
        snprintf(o->workload_error, sizeof(o->workload_error), "%s", err.detail);
        return;
    }
    bundle_write(rn, "workload-report.json", res.out);
    j = json_tokener_parse(res.out);
    if (!j) {
        snprintf(o->workload_error, sizeof(o->workload_error), "check printed no JSON: %.200s",
                 res.err);
        return;
    }
    if (json_object_object_get_ex(j, "error", &v) && json_object_is_type(v, json_type_object)) {
        json_object *d;
        snprintf(o->workload_error, sizeof(o->workload_error), "%s",
                 json_object_object_get_ex(v, "detail", &d) ? json_object_get_string(d)
                                                            : "check failed");
        json_object_put(j);
        return;
    }
    o->have_workload = true;
    o->lost = 0;
    if (json_object_object_get_ex(j, "nodes", &nodes))
        for (size_t i = 0; i < json_object_array_length(nodes); i++) {
            json_object *n = json_object_array_get_idx(nodes, i), *f;
            if (json_object_object_get_ex(n, "lost", &f))
                o->lost += json_object_get_int64(f);
            if (json_object_object_get_ex(n, "checked", &f) && !json_object_get_boolean(f)) {
                size_t len = strlen(o->workload_error);
                json_object *h, *e;
                snprintf(o->workload_error + len, sizeof(o->workload_error) - len,
                         "%s%s not checked%s%s", len ? "; " : "",
                         json_object_object_get_ex(n, "host", &h) ? json_object_get_string(h) : "?",
                         json_object_object_get_ex(n, "error", &e) ? ": " : "",
                         json_object_object_get_ex(n, "error", &e) ? json_object_get_string(e)
                                                                   : "");
            }
        }
    o->read_only = 0;
    if (json_object_object_get_ex(j, "clients", &v) && json_object_object_get_ex(v, "writer", &v) &&
        json_object_object_get_ex(v, "read_only", &v))
        o->read_only = json_object_get_int64(v);
    o->gap_ms = -1;
    if (json_object_object_get_ex(j, "longest_gap", &v) && json_object_object_get_ex(v, "ms", &v))
        o->gap_ms = (long long)json_object_get_double(v);
    json_object_put(j);
    if (o->workload_error[0])
        o->have_workload = o->lost >= 0; /* judged, with the error noted */
}

/* ---- expectations
 * --------------------------------------------------------------------------------- */

/* Poll the status until cluster_state is want (or timeout); o filled. */
static int wait_state(struct runner *rn, const char *want, int timeout_s, struct scn_observed *o,
                      struct og_error *err)
{
    double end = now_s() + timeout_s;
    int r;

    for (;;) {
        memset(o, 0, sizeof(*o));
        r = observe_status(rn, o, err);
        if (r == 0 && strcmp(o->cluster_state, want) == 0)
            return 0;
        if (now_s() >= end || stop_requested)
            return r;
        usleep(STATUS_POLL_MS * 1000);
    }
}

static void judge(struct runner *rn, const struct scn_expect *v, size_t n, bool final)
{
    struct scn_observed o = {0};
    _cleanup_free_ char *dump_all = NULL, *dump_user = NULL;
    bool need_status = false, need_journal = false, need_wl = false, dumps[2] = {false, false};
    struct og_error err = {0};

    for (size_t i = 0; i < n; i++) {
        switch (v[i].kind) {
        case SCN_E_CLUSTER_STATE:
        case SCN_E_VERSION:
            need_status = true;
            break;
        case SCN_E_JOURNAL:
            need_journal = true;
            break;
        case SCN_E_LOST_WRITES:
        case SCN_E_WRITE_GAP:
            need_wl = true;
            break;
        case SCN_E_DUMP:
            dumps[v[i].user_scope] = true;
            break;
        }
    }
    if (need_status) {
        const struct scn_expect *cs = NULL;
        for (size_t i = 0; i < n && !cs; i++)
            if (v[i].kind == SCN_E_CLUSTER_STATE)
                cs = &v[i];
        if ((cs ? wait_state(rn, cs->value, cs->timeout_s, &o, &err)
                : observe_status(rn, &o, &err)) < 0)
            harness_error(rn, "cluster status: %s", err.detail);
    }
    if (need_journal) {
        struct scn_observed oj = {0};
        observe_journal(rn, &oj);
        for (size_t i = 0; i < oj.n_nodes; i++) {
            struct scn_obs_node *dst = NULL;
            for (size_t k = 0; k < o.n_nodes && !dst; k++)
                if (strcmp(o.nodes[k].name, oj.nodes[i].name) == 0)
                    dst = &o.nodes[k];
            if (!dst && o.n_nodes < SCN_OBS_MAX_NODES) {
                dst = &o.nodes[o.n_nodes++];
                snprintf(dst->name, sizeof(dst->name), "%s", oj.nodes[i].name);
            }
            if (dst) {
                dst->journal = oj.nodes[i].journal;
                dst->journal_step = oj.nodes[i].journal_step;
                snprintf(dst->journal_raw, sizeof(dst->journal_raw), "%s", oj.nodes[i].journal_raw);
            }
        }
    }
    if (need_wl) {
        if (!final || !rn->workload_started)
            snprintf(o.workload_error, sizeof(o.workload_error), "%s",
                     rn->workload_started ? "the workload is judged at the end"
                                          : "the workload did not start");
        else
            workload_report(rn, &o);
    }
    if (dumps[0] && !(dump_all = take_dump(rn, false, &err)))
        harness_error(rn, "final dump: %s", err.detail);
    if (dumps[1] && !(dump_user = take_dump(rn, true, &err)))
        harness_error(rn, "final dump: %s", err.detail);
    o.dump_pre_all = rn->dump_pre_all;
    o.dump_pre_user = rn->dump_pre_user;
    o.dump_now_all = dump_all;
    o.dump_now_user = dump_user;
    if (dump_all && rn->dump_pre_all && strcmp(dump_all, rn->dump_pre_all) != 0)
        bundle_write(rn, "dumpall-after.sql", dump_all);
    if (dump_user && rn->dump_pre_user && strcmp(dump_user, rn->dump_pre_user) != 0)
        bundle_write(rn, "dump-user-after.sql", dump_user);
    for (size_t i = 0; i < n; i++) {
        struct scn_check c;
        scn_expect_eval(&v[i], &o, &c);
        add_check(rn, &c);
    }
}

/* ---- steps
 * ---------------------------------------------------------------------------------------- */

static int prepare(struct runner *rn, const char *version, char *detail, size_t dsize)
{
    _cleanup_command_result_ struct command_result res = {0};
    struct og_error err = {0};
    char pkg[PATH_MAX], all[PATH_MAX + 128], script[3 * PATH_MAX];
    double t0 = now_s();
    int r;

    snprintf(pkg, sizeof(pkg), "%s/pkg-%s", rn->g->c.state_dir, version);
    snprintf(all, sizeof(all), "%s/openGauss-%s-%s-64bit-all.tar.gz", pkg, version, SIM_PACKAGE_OS);
    if (access(all, F_OK) < 0) {
        const char *argv[] = {rn->o->ogsim, "package", "build", "--version",
                              version,      "--out",   pkg,     NULL};
        r = host_run(argv, 600000, &res, &err);
        bundle_command(rn, "package", "ogsim package build", now_s() - t0, r == 0 ? &res : NULL,
                       r < 0 ? err.detail : NULL);
        if (r < 0 || res.exit_status != 0) {
            snprintf(detail, dsize, "ogsim package build --version %s: %s", version,
                     r < 0 ? err.detail : res.err);
            return r < 0 ? r : -OG_E_CMD_FAILED;
        }
        command_result_done(&res);
    }
    snprintf(script, sizeof(script),
             "set -e; d=/tmp/gaussdb_upgrade_%s; rm -rf $d; mkdir -p $d; "
             "tar -xzf %s -C $d; tar -xzf $d/openGauss-%s-%s-64bit-om.tar.gz -C $d; "
             "cd $d/script && ./gs_preinstall -U omm -G dbgrp -X %s",
             version, all, version, SIM_PACKAGE_OS, CLUSTERCONFIG);
    t0 = now_s();
    r = node_sh(rn, "node1", "root", script, 600000, &res, &err);
    bundle_command(rn, "preinstall", script, now_s() - t0, r == 0 ? &res : NULL,
                   r < 0 ? err.detail : NULL);
    if (r < 0 || res.exit_status != 0 || !strstr(res.out, "Preinstallation succeeded.")) {
        snprintf(detail, dsize, "gs_preinstall of %s: %.400s", version,
                 r < 0        ? err.detail
                 : res.err[0] ? res.err
                              : res.out);
        return r < 0 ? r : -OG_E_CMD_FAILED;
    }
    snprintf(detail, dsize, "gs_preinstall of %s done", version);
    return 0;
}

static int create_mot(struct runner *rn, char *detail, size_t dsize)
{
    for (size_t i = 0; i < rn->sc->n_mot; i++) {
        _cleanup_command_result_ struct command_result res = {0};
        _cleanup_dynbuf_ struct dynbuf q = {0};
        struct og_error err = {0};
        char sql[256];
        int r;

        dynbuf_init(&q, 4096);
        snprintf(sql, sizeof(sql), "CREATE FOREIGN TABLE %s (id int) SERVER mot_server",
                 rn->sc->mot[i].table);
        {
            const char *argv[] = {"gsql", "-X", "-d", rn->sc->mot[i].database, "-c", sql, NULL};
            shquote_argv(&q, argv);
        }
        r = node_sh(rn, "node1", "omm", dynbuf_str(&q), 120000, &res, &err);
        bundle_command(rn, "mot", dynbuf_str(&q), 0, r == 0 ? &res : NULL,
                       r < 0 ? err.detail : NULL);
        if (r < 0 || res.exit_status != 0) {
            snprintf(detail, dsize, "MOT table %s: %.300s", rn->sc->mot[i].table,
                     r < 0 ? err.detail : res.err);
            return r < 0 ? r : -OG_E_CMD_FAILED;
        }
    }
    return 0;
}

/* The gs_upgradectl step at index. */
static void play_action(struct runner *rn, size_t index)
{
    const struct scenario *sc = rn->sc;
    const struct scn_step *s = &sc->steps[index];
    enum scn_step_kind action = s->kind == SCN_RERUN ? scn_rerun_action(sc, index) : s->kind;
    const struct scn_step *as = s; /* whose flags and --force */
    _cleanup_command_result_ struct command_result res = {0};
    _cleanup_dynbuf_ struct dynbuf cmd = {0};
    struct og_error err = {0};
    struct scn_check checks[3];
    struct watcher w;
    char spec[1100], label[400], desc[2048];
    bool watching = false, ok = true;
    double t0;
    size_t n;
    int r;

    if (s->kind == SCN_RERUN)
        for (size_t i = index; i-- > 0;)
            if (sc->steps[i].kind == action) {
                as = &sc->steps[i];
                break;
            }
    dynbuf_init(&cmd, 8192);
    scn_failpoint_spec(s, spec, sizeof(spec));
    if (spec[0]) {
        const char *v[] = {spec, NULL};
        dynbuf_appends(&cmd, "OGUP_FAILPOINTS=");
        shquote_argv(&cmd, v);
        dynbuf_appends(&cmd, " ");
    }
    {
        const char *argv[16];
        char flags[sizeof(as->flags)], *save = NULL;
        size_t k = 0;
        argv[k++] = "gs_upgradectl";
        argv[k++] = "-t";
        argv[k++] = scn_action_name(action);
        argv[k++] = "-X";
        argv[k++] = CLUSTERCONFIG;
        if (action == SCN_ROLLBACK && as->force)
            argv[k++] = "--force";
        snprintf(flags, sizeof(flags), "%s", as->flags);
        for (char *t = strtok_r(flags, " ", &save); t && k < ELEMENTSOF(argv) - 1;
             t = strtok_r(NULL, " ", &save))
            argv[k++] = t;
        argv[k] = NULL;
        shquote_argv(&cmd, argv);
    }
    scn_step_describe(sc, index, desc, sizeof(desc));
    snprintf(label, sizeof(label), "%zu. %s", index + 1, desc);

    memset(&w, 0, sizeof(w));
    if (s->n_during) {
        char p[PATH_MAX];
        w.rn = rn;
        w.undo = action == SCN_ROLLBACK;
        for (size_t i = 0; i < s->n_during; i++) {
            w.wf[i].f = &s->during[i];
            w.wf[i].step_index =
                engine_step_index(scn_step_plan(sc, index), s->during[i].when_step);
        }
        w.n = s->n_during;
        journal_file(rn, "node1", "ogup_step", p, sizeof(p));
        {
            _cleanup_free_ char *text = NULL;
            w.had_file = fs_read_file(p, 4096, &text, NULL, NULL) == 0 && stat(p, &w.st0) == 0;
            if (w.had_file) {
                text[strcspn(text, "\n")] = '\0';
                snprintf(w.initial, sizeof(w.initial), "%s", text);
            }
        }
        atomic_init(&w.stop, false);
        w.t0 = now_s();
        watching = pthread_create(&w.th, NULL, watch_main, &w) == 0;
        if (!watching)
            harness_error(rn, "cannot start the journal watcher");
    }
    t0 = now_s();
    r = node_sh(rn, "node1", "omm", dynbuf_str(&cmd), s->timeout_s * 1000, &res, &err);
    if (watching) {
        atomic_store(&w.stop, true);
        pthread_join(w.th, NULL);
    }
    bundle_command(rn, scn_action_name(action), dynbuf_str(&cmd), now_s() - t0,
                   r == 0 ? &res : NULL, r < 0 ? err.detail : NULL);
    say(rn, "    %.1f s, exit %d%s\n", now_s() - t0, r == 0 ? res.exit_status : -1,
        r < 0 ? " (did not run)" : "");
    if (r < 0) {
        harness_error(rn, "step %zu: gs_upgradectl did not run: %s", index + 1, err.detail);
        add_step(rn, label, s->line, t0, false, err.detail);
        return;
    }
    /* faults during the action */
    for (size_t i = 0; i < w.n; i++) {
        struct watch_fault *wf = &w.wf[i];
        char how[160];
        if (!wf->fired) {
            struct scn_check c = {.line = wf->f->line, .pass = false};
            snprintf(c.what, sizeof(c.what), "step %zu: %s on %s when %s %s", index + 1,
                     fault_kind_name(wf->f->kind), wf->f->node, wf->f->when_step,
                     wf->f->when_done ? "done" : "begin");
            snprintf(c.detail, sizeof(c.detail),
                     "the journal never reached it: the fault did not strike");
            add_check(rn, &c);
            ok = false;
            continue;
        }
        say(rn, "    fault %s on %s at %.2f s (journal: %s): %s\n", fault_kind_name(wf->f->kind),
            wf->f->node, wf->at_s, wf->record, wf->detail);
        if (wf->rc < 0) {
            harness_error(rn, "step %zu: %s on %s: %s", index + 1, fault_kind_name(wf->f->kind),
                          wf->f->node, wf->detail);
            ok = false;
            continue;
        }
        remember_fault(rn, wf->f, wf->ledger_id);
        snprintf(how, sizeof(how), "%s on %s during %s (%s)", fault_kind_name(wf->f->kind),
                 wf->f->node, scn_action_name(action), wf->record);
        scn_result_add_cell(rn->res, wf->row, fault_kind_name(wf->f->kind), how);
    }
    /* failpoints: their own cells */
    for (size_t i = 0; i < s->n_fps; i++) {
        const struct scn_failpoint *f = &s->fps[i];
        char row[128], col[16], how[160];
        const char *dot = strrchr(f->name, '.');
        snprintf(row, sizeof(row), "%.*s", dot ? (int)(dot - f->name) : (int)strlen(f->name),
                 f->name);
        snprintf(col, sizeof(col), "%.*s", (int)strcspn(f->action, ":"), f->action);
        snprintf(how, sizeof(how), "failpoint %s=%s", f->name, f->action);
        scn_result_add_cell(rn->res, row, col, how);
    }
    n = scn_action_eval(s, action, index + 1, res.exit_status, res.term_signal, res.out, res.err,
                        checks, ELEMENTSOF(checks));
    for (size_t i = 0; i < n; i++) {
        add_check(rn, &checks[i]);
        ok = ok && checks[i].pass;
    }
    add_step(rn, label, s->line, t0, ok, checks[0].detail);
}

static void play_fault(struct runner *rn, size_t index)
{
    const struct scn_step *s = &rn->sc->steps[index];
    char desc[1024], label[1100], detail[512], rec[256], row[64], how[160];
    double t0 = now_s();
    int id = -1;

    scn_step_describe(rn->sc, index, desc, sizeof(desc));
    snprintf(label, sizeof(label), "%zu. %s", index + 1, desc);
    read_ogup_step(rn, rec, sizeof(rec));
    scn_journal_row(rec, row, sizeof(row));
    if (inject(rn, &s->fault, &id, detail, sizeof(detail)) < 0) {
        harness_error(rn, "step %zu: %s", index + 1, detail);
        add_step(rn, label, s->line, t0, false, detail);
        return;
    }
    remember_fault(rn, &s->fault, id);
    snprintf(how, sizeof(how), "%s on %s between steps (journal: %s)",
             fault_kind_name(s->fault.kind), s->fault.node, rec[0] ? rec : "none");
    scn_result_add_cell(rn->res, row, fault_kind_name(s->fault.kind), how);
    say(rn, "    %s\n", detail);
    add_step(rn, label, s->line, t0, true, detail);
}

static void play_heal(struct runner *rn, size_t index)
{
    const struct scn_step *s = &rn->sc->steps[index];
    _cleanup_command_result_ struct command_result res = {0};
    struct og_error err = {0};
    char desc[512], label[600], num[16];
    const char *args[4] = {"heal", "--all", NULL, NULL};
    double t0 = now_s();
    int r;

    scn_step_describe(rn->sc, index, desc, sizeof(desc));
    snprintf(label, sizeof(label), "%zu. %s", index + 1, desc);
    if (s->heal_id[0]) {
        int id = -1;
        for (size_t i = 0; i < rn->n_faults; i++)
            if (strcmp(rn->faults[i].label, s->heal_id) == 0)
                id = rn->faults[i].ledger_id;
        if (id < 0) {
            harness_error(rn, "step %zu: the fault [%s] was not installed", index + 1, s->heal_id);
            add_step(rn, label, s->line, t0, false, "no such fault");
            return;
        }
        snprintf(num, sizeof(num), "%d", id);
        args[1] = num;
    }
    r = ogfault_run(rn, args, &res, &err);
    bundle_command(rn, "heal", label, now_s() - t0, r == 0 ? &res : NULL,
                   r < 0 ? err.detail : NULL);
    if (r < 0 || res.exit_status != 0) {
        harness_error(rn, "step %zu: heal: %.400s", index + 1,
                      r < 0        ? err.detail
                      : res.err[0] ? res.err
                                   : res.out);
        add_step(rn, label, s->line, t0, false, r < 0 ? err.detail : res.err);
        return;
    }
    say(rn, "    healed in %.1f s\n", now_s() - t0);
    add_step(rn, label, s->line, t0, true, "");
}

static void play_wait(struct runner *rn, size_t index)
{
    const struct scn_step *s = &rn->sc->steps[index];
    char desc[512], label[600], detail[128];
    double t0 = now_s();

    scn_step_describe(rn->sc, index, desc, sizeof(desc));
    snprintf(label, sizeof(label), "%zu. %s", index + 1, desc);
    if (s->wait_normal) {
        struct scn_observed o;
        struct og_error err = {0};
        int r = wait_state(rn, "Normal", s->wait_timeout_s, &o, &err);
        bool ok = r == 0 && strcmp(o.cluster_state, "Normal") == 0;
        snprintf(detail, sizeof(detail), "cluster_state %s after %.1f s",
                 r == 0 ? o.cluster_state : "unknown", now_s() - t0);
        if (!ok) {
            struct scn_check c = {.line = s->line, .pass = false};
            snprintf(c.what, sizeof(c.what), "step %zu wait: cluster_state Normal", index + 1);
            snprintf(c.detail, sizeof(c.detail), "%s%s%s", detail, r < 0 ? ": " : "",
                     r < 0 ? err.detail : "");
            add_check(rn, &c);
        }
        add_step(rn, label, s->line, t0, ok, detail);
        return;
    }
    usleep((useconds_t)s->wait_ms * 1000);
    add_step(rn, label, s->line, t0, true, "");
}

static void play_check(struct runner *rn, size_t index)
{
    const struct scn_step *s = &rn->sc->steps[index];
    char desc[2048], label[2100];
    double t0 = now_s();
    enum scn_verdict before = rn->res->verdict;

    scn_step_describe(rn->sc, index, desc, sizeof(desc));
    snprintf(label, sizeof(label), "%zu. %s", index + 1, desc);
    judge(rn, s->expects, s->n_expects, false);
    add_step(rn, label, s->line, t0, rn->res->verdict == before, "");
}

/* ---- groups and snapshots
 * --------------------------------------------------------------------------- */

static struct group *group_of(struct runner *rn, const struct scenario *sc)
{
    for (size_t i = 0; i < rn->n_groups; i++) {
        struct group *g = &rn->groups[i];
        if (strcmp(g->version, sc->version) == 0 && g->nodes == sc->nodes &&
            g->databases == sc->databases)
            return g;
    }
    if (rn->n_groups == MAX_GROUPS)
        return NULL;
    {
        struct group *g = &rn->groups[rn->n_groups++];
        memset(g, 0, sizeof(*g));
        snprintf(g->version, sizeof(g->version), "%s", sc->version);
        g->nodes = sc->nodes;
        g->databases = sc->databases;
        snprintf(g->name, sizeof(g->name), "%.16s-%zu", rn->o->cluster_prefix, rn->n_groups);
        return g;
    }
}

/* The leading <prepare> steps and no MOT tables: a cacheable preparation;
 * its snapshot name ("r-3-0-0"), or "" when not cacheable. */
static size_t ready_key(const struct scenario *sc, char *buf, size_t size)
{
    size_t n = 0, len;

    buf[0] = '\0';
    if (sc->n_mot)
        return 0;
    snprintf(buf, size, "r");
    while (n < sc->n_steps && sc->steps[n].kind == SCN_PREPARE) {
        len = strlen(buf);
        snprintf(buf + len, size - len, "-%s", sc->steps[n].version);
        n++;
    }
    if (n == 0 || strlen(buf) > 20) {
        buf[0] = '\0';
        return 0;
    }
    for (char *p = buf; *p; p++)
        if (*p == '.')
            *p = '-';
    return n;
}

static bool is_cached(const struct group *g, const char *key)
{
    for (size_t i = 0; i < g->n_cached; i++)
        if (strcmp(g->cached[i], key) == 0)
            return true;
    return false;
}

static void group_down(struct runner *rn, struct group *g)
{
    struct og_error err = {0};

    if (!g->up)
        return;
    if (ogfault_present(rn)) {
        _cleanup_command_result_ struct command_result res = {0};
        const char *argv[] = {rn->o->ogfault, "--cluster", g->name, "sweep", NULL};
        host_run(argv, 300000, &res, NULL);
    }
    if (rn->o->keep_clusters) {
        say(rn, "== cluster %s left up (--keep-clusters)\n", g->name);
    } else if (sim_down(g->name, NULL, &err) < 0) {
        say(rn, "== cluster %s: down failed: %s\n", g->name, err.detail);
    } else {
        say(rn, "== cluster %s down\n", g->name);
    }
    g->up = false;
    g->n_cached = 0;
}

static int group_up(struct runner *rn, struct group *g, struct og_error *err)
{
    struct sim_up_opts uo = {.name = g->name,
                             .nodes = g->nodes,
                             .version = g->version,
                             .databases = g->databases,
                             .data_mib = CLUSTER_DATA_MIB,
                             .quiet = true};
    double t0 = now_s();
    int r;

    for (size_t i = 0; i < rn->n_groups; i++)
        if (&rn->groups[i] != g)
            group_down(rn, &rn->groups[i]); /* one cluster at a time */
    sim_down(g->name, NULL, NULL);
    say(rn, "== cluster %s: %d nodes, openGauss %s, %d databases: up\n", g->name, g->nodes,
        g->version, g->databases);
    r = sim_up(&uo, &g->c, err);
    if (r < 0) {
        sim_down(g->name, NULL, NULL);
        return r;
    }
    g->up = true;
    say(rn, "   up in %.1f s; snapshot base\n", now_s() - t0);
    t0 = now_s();
    r = sim_snapshot(&g->c, "base", err);
    if (r < 0)
        return r;
    say(rn, "   snapshot in %.1f s\n", now_s() - t0);
    g->fresh = true;
    g->n_cached = 0;
    return 0;
}

/* Count the scenarios of the set in group g with ready key key. */
static size_t key_users(const struct runner *rn, const struct scn_set *set, const char *key)
{
    size_t n = 0;

    for (size_t i = 0; i < set->n; i++) {
        char k[32];
        const struct scenario *sc = set->v[i];
        if (strcmp(sc->version, rn->g->version) != 0 || sc->nodes != rn->g->nodes ||
            sc->databases != rn->g->databases)
            continue;
        if (ready_key(sc, k, sizeof(k)) && strcmp(k, key) == 0)
            n++;
    }
    return n;
}

/* Reset the cluster for sc; returns the index of the first step to play
 * (leading prepares done here count as played). */
static int reset(struct runner *rn, const struct scn_set *set, size_t *first_step)
{
    const struct scenario *sc = rn->sc;
    struct og_error err = {0};
    char key[32], detail[600];
    size_t n_prep = ready_key(sc, key, sizeof(key));
    bool cached = n_prep && is_cached(rn->g, key);
    double t0 = now_s();
    int r = 0;

    *first_step = 0;
    for (int attempt = 0; attempt < 2; attempt++) {
        if (!rn->g->up) {
            r = group_up(rn, rn->g, &err);
            if (r < 0) {
                harness_error(rn, "cluster up: %s", err.detail);
                return r;
            }
        }
        if (rn->g->fresh && !cached) {
            rn->g->fresh = false;
            say(rn, "  reset: fresh cluster\n");
            r = 0;
            break;
        }
        r = sim_restore(&rn->g->c, cached ? key : "base", &err);
        rn->g->fresh = false;
        if (r == 0) {
            say(rn, "  reset: restore %s in %.1f s\n", cached ? key : "base", now_s() - t0);
            break;
        }
        say(rn, "  reset: restore failed (%s); the cluster is brought up again\n", err.detail);
        group_down(rn, rn->g);
    }
    if (r < 0) {
        harness_error(rn, "reset: %s", err.detail);
        return r;
    }
    rn->res->reset_seconds = now_s() - t0;
    if (cached) {
        for (size_t i = 0; i < n_prep; i++) {
            char label[128];
            snprintf(label, sizeof(label), "%zu. prepare %s (from snapshot %s)", i + 1,
                     sc->steps[i].version, key);
            add_step(rn, label, sc->steps[i].line, now_s(), true, "");
        }
        *first_step = n_prep;
        return 0;
    }
    r = create_mot(rn, detail, sizeof(detail));
    if (r < 0) {
        harness_error(rn, "reset: %s", detail);
        return r;
    }
    if (n_prep) {
        for (size_t i = 0; i < n_prep; i++) {
            double ts = now_s();
            char label[128];
            snprintf(label, sizeof(label), "%zu. prepare %s", i + 1, sc->steps[i].version);
            say(rn, "  [%zu/%zu] %s\n", i + 1, sc->n_steps, label + 3);
            r = prepare(rn, sc->steps[i].version, detail, sizeof(detail));
            add_step(rn, label, sc->steps[i].line, ts, r == 0, detail);
            if (r < 0) {
                harness_error(rn, "step %zu: %s", i + 1, detail);
                return r;
            }
        }
        *first_step = n_prep;
        if (rn->g->n_cached < MAX_CACHED &&
            key_users(rn, set, key) >= (size_t)(rn->o->cache_min > 0 ? rn->o->cache_min : 4)) {
            double ts = now_s();
            if (sim_snapshot(&rn->g->c, key, &err) == 0) {
                snprintf(rn->g->cached[rn->g->n_cached++], sizeof(rn->g->cached[0]), "%s", key);
                say(rn, "  cached as snapshot %s in %.1f s\n", key, now_s() - ts);
            } else {
                say(rn, "  snapshot %s failed: %s\n", key, err.detail);
            }
        }
    }
    return 0;
}

/* ---- the bundle and the sweep
 * ------------------------------------------------------------------------ */

static void copy_tree(const char *src, const char *dst)
{
    _cleanup_command_result_ struct command_result res = {0};
    const char *argv[] = {"cp", "-a", "--", src, dst, NULL};

    if (access(src, F_OK) == 0)
        host_run(argv, 120000, &res, NULL);
}

static void collect_bundle(struct runner *rn)
{
    const struct sim_cluster *c = &rn->g->c;
    _cleanup_dynbuf_ struct dynbuf b = {0};
    struct og_error err = {0};

    for (size_t i = 0; i < c->n_nodes; i++) {
        const char *node = c->nodes[i].name;
        char dir[PATH_MAX + 64], src[PATH_MAX], p[PATH_MAX + 64];

        snprintf(dir, sizeof(dir), "%s/nodes/%s", rn->bundle, node);
        fs_mkdir_p(dir, 0755, NULL);
        snprintf(p, sizeof(p), "%s/om", c->log_path);
        host_path(rn, node, p, src, sizeof(src));
        copy_tree(src, dir);
        snprintf(p, sizeof(p), "%s/pg_log", c->log_path);
        host_path(rn, node, p, src, sizeof(src));
        copy_tree(src, dir);
        snprintf(p, sizeof(p), "%s/binary_upgrade", c->tmp_path);
        host_path(rn, node, p, src, sizeof(src));
        copy_tree(src, dir);
        snprintf(p, sizeof(p), "%s/upgradeRecord.txt", c->tool_path);
        host_path(rn, node, p, src, sizeof(src));
        copy_tree(src, dir);
    }
    dynbuf_init(&b, 1 << 20);
    if (sim_status(c, true, &b, &err) == 0)
        bundle_write(rn, "status.json", dynbuf_str(&b));
    else
        bundle_write(rn, "status.json", err.detail);
}

/* The ledger into the bundle, then the sweep; a residual fault (or a sweep
 * that fails) is an error, and the cluster is rebuilt for the next one. */
static void sweep(struct runner *rn)
{
    _cleanup_command_result_ struct command_result res = {0}, res2 = {0}, res3 = {0};
    struct og_error err = {0};
    const char *list[] = {"list", "--json", NULL}, *sw[] = {"sweep", NULL};
    json_object *j, *faults = NULL;
    size_t active = 0;
    double t0 = now_s();
    int r;

    if (!ogfault_present(rn)) {
        bundle_write(rn, "faults.json", "ogfault is not built: no ledger, no sweep\n");
        return;
    }
    if (ogfault_run(rn, list, &res, &err) == 0)
        bundle_write(rn, "faults.json", res.out);
    r = ogfault_run(rn, sw, &res2, &err);
    bundle_command(rn, "sweep", "ogfault sweep", now_s() - t0, r == 0 ? &res2 : NULL,
                   r < 0 ? err.detail : NULL);
    if (r < 0 || res2.exit_status != 0) {
        harness_error(rn, "fault sweep failed: %.300s",
                      r < 0         ? err.detail
                      : res2.err[0] ? res2.err
                                    : res2.out);
        group_down(rn, rn->g);
        return;
    }
    if (ogfault_run(rn, list, &res3, &err) == 0 && (j = json_tokener_parse(res3.out))) {
        if (json_object_is_type(j, json_type_array))
            faults = j;
        else
            json_object_object_get_ex(j, "faults", &faults);
        for (size_t i = 0; faults && i < json_object_array_length(faults); i++) {
            json_object *st;
            if (json_object_object_get_ex(json_object_array_get_idx(faults, i), "state", &st) &&
                strcmp(json_object_get_string(st), "healed") != 0)
                active++;
        }
        json_object_put(j);
    }
    if (active) {
        harness_error(rn, "%zu fault(s) still active after the sweep", active);
        group_down(rn, rn->g);
    }
}

/* ---- one scenario
 * -------------------------------------------------------------------------------------- */

static bool first_upgrade(const struct scenario *sc, size_t i)
{
    for (size_t k = 0; k < i; k++)
        if (sc->steps[k].kind == SCN_UPGRADE)
            return false;
    return sc->steps[i].kind == SCN_UPGRADE;
}

static void play(struct runner *rn, const struct scn_set *set, const struct scenario *sc,
                 struct scn_result *res)
{
    _cleanup_dynbuf_ struct dynbuf plan = {0};
    struct og_error err = {0};
    double t0 = now_s();
    size_t first = 0;
    bool dumps[2] = {false, false};

    rn->sc = sc;
    rn->res = res;
    rn->n_faults = 0;
    rn->n_cmd = 0;
    rn->workload_started = false;
    free(rn->dump_pre_all);
    free(rn->dump_pre_user);
    rn->dump_pre_all = rn->dump_pre_user = NULL;
    needs_kind(sc, SCN_E_DUMP, dumps);

    snprintf(rn->bundle, sizeof(rn->bundle), "%s/%s", rn->run_dir, sc->id);
    snprintf(res->bundle, sizeof(res->bundle), "%s", sc->id);
    fs_mkdir_p(rn->bundle, 0755, NULL);
    {
        char p[PATH_MAX + 32];
        snprintf(p, sizeof(p), "%s/commands", rn->bundle);
        fs_mkdir_p(p, 0755, NULL);
        snprintf(p, sizeof(p), "%s/scenario.xml", rn->bundle);
        copy_tree(sc->file, p);
    }
    dynbuf_init(&plan, 1 << 20);
    scn_plan(sc, &plan);
    say(rn, "\n%s", dynbuf_str(&plan));
    bundle_write(rn, "plan.txt", dynbuf_str(&plan));

    rn->g = group_of(rn, sc);
    if (!rn->g) {
        harness_error(rn, "more than %d clusters in one run", MAX_GROUPS);
        goto out;
    }
    if (reset(rn, set, &first) < 0)
        goto out;

    if (sc->workload) {
        _cleanup_command_result_ struct command_result wr = {0};
        snprintf(rn->wl_dir, sizeof(rn->wl_dir), "%s/workload", rn->bundle);
        if (workload_cmd(rn, "start", &wr, &err) < 0 || wr.exit_status != 0) {
            harness_error(rn, "workload start: %.300s", wr.err ? wr.err : err.detail);
            goto out;
        }
        rn->workload_started = true;
        say(rn, "  workload started (%d writers, %d readers)\n", sc->writers, sc->readers);
    }

    for (size_t i = first; i < sc->n_steps && !failed(rn) && !stop_requested; i++) {
        const struct scn_step *s = &sc->steps[i];
        char desc[2048];

        if (first_upgrade(sc, i) && (dumps[0] || dumps[1])) {
            if (dumps[0] && !(rn->dump_pre_all = take_dump(rn, false, &err)))
                harness_error(rn, "pre-upgrade dump: %s", err.detail);
            if (dumps[1] && !(rn->dump_pre_user = take_dump(rn, true, &err)))
                harness_error(rn, "pre-upgrade dump: %s", err.detail);
            if (failed(rn))
                break;
        }
        scn_step_describe(sc, i, desc, sizeof(desc));
        say(rn, "  [%zu/%zu] %s\n", i + 1, sc->n_steps, desc);
        switch (s->kind) {
        case SCN_PREPARE: {
            char detail[600], label[64];
            double ts = now_s();
            int r = prepare(rn, s->version, detail, sizeof(detail));
            snprintf(label, sizeof(label), "%zu. prepare %s", i + 1, s->version);
            add_step(rn, label, s->line, ts, r == 0, detail);
            if (r < 0)
                harness_error(rn, "step %zu: %s", i + 1, detail);
            break;
        }
        case SCN_UPGRADE:
        case SCN_ROLLBACK:
        case SCN_COMMIT:
        case SCN_RERUN:
            play_action(rn, i);
            break;
        case SCN_FAULT:
            play_fault(rn, i);
            break;
        case SCN_HEAL:
            play_heal(rn, i);
            break;
        case SCN_WAIT:
            play_wait(rn, i);
            break;
        case SCN_CHECK:
            play_check(rn, i);
            break;
        }
    }
    if (stop_requested && !failed(rn))
        harness_error(rn, "interrupted");
    if (rn->workload_started) {
        _cleanup_command_result_ struct command_result wr = {0};
        if (workload_cmd(rn, "stop", &wr, &err) < 0 || wr.exit_status != 0)
            harness_error(rn, "workload stop: %.300s", wr.err ? wr.err : err.detail);
    }
    if (!failed(rn) && sc->n_expects) {
        double ts = now_s();
        say(rn, "  expectations\n");
        judge(rn, sc->expects, sc->n_expects, true);
        add_step(rn, "expectations", 0, ts, !failed(rn), "");
    } else if (rn->workload_started) {
        struct scn_observed o = {0};
        workload_report(rn, &o); /* kept in the bundle */
    }
out:
    if (rn->g && rn->g->up) {
        collect_bundle(rn);
        sweep(rn);
    }
    res->seconds = now_s() - t0;
    say(rn, "  => %s %s in %.1f s%s%s\n", scn_verdict_name(res->verdict), sc->id, res->seconds,
        res->message[0] ? ": " : "", res->message);
    {
        struct scn_report one = {0};
        char p[PATH_MAX + 32];
        one.v = res;
        one.n = 1;
        snprintf(one.run_id, sizeof(one.run_id), "%s", sc->id);
        snprintf(p, sizeof(p), "%s/result.json", rn->bundle);
        scn_report_write_json(&one, p, NULL);
    }
}

/* ---- the run
 * ------------------------------------------------------------------------------------------ */

int scn_write_reports(const struct scn_report *r, const char *dir, const char *extra_junit,
                      struct og_error *err)
{
    char p[PATH_MAX + 32];
    int rc;

    snprintf(p, sizeof(p), "%s/results.json", dir);
    rc = scn_report_write_json(r, p, err);
    if (rc == 0) {
        snprintf(p, sizeof(p), "%s/junit.xml", dir);
        rc = scn_report_write_junit(r, p, err);
    }
    if (rc == 0) {
        snprintf(p, sizeof(p), "%s/report.html", dir);
        rc = scn_report_write_html(r, p, err);
    }
    if (rc == 0 && extra_junit && extra_junit[0])
        rc = scn_report_write_junit(r, extra_junit, err);
    return rc;
}

/* Order of play: by group (first appearance), file order within. */
static size_t *play_order(const struct scn_set *set)
{
    size_t *order = calloc(set->n ? set->n : 1, sizeof(*order)), n = 0;
    bool *done = calloc(set->n ? set->n : 1, sizeof(*done));

    if (!order || !done) {
        free(order);
        free(done);
        return NULL;
    }
    for (size_t i = 0; i < set->n; i++) {
        const struct scenario *a = set->v[i];
        if (done[i])
            continue;
        for (size_t k = i; k < set->n; k++) {
            const struct scenario *b = set->v[k];
            if (!done[k] && strcmp(a->version, b->version) == 0 && a->nodes == b->nodes &&
                a->databases == b->databases) {
                order[n++] = k;
                done[k] = true;
            }
        }
    }
    free(done);
    return order;
}

int scn_run(const struct scn_set *set, const struct scn_run_opts *o, struct scn_report *ret,
            char *run_dir, size_t run_dir_size, struct og_error *err)
{
    _cleanup_free_ struct runner *rn = calloc(1, sizeof(*rn));
    _cleanup_free_ size_t *order = play_order(set);
    struct scn_run_opts opts = *o;
    char run_id[64], prefix[24], latest[PATH_MAX + 16];
    const char *const *fps;
    size_t n_fps;
    time_t t = time(NULL);
    struct tm tm;
    double t0 = now_s();
    int r;

    if (!rn || !order)
        return og_error_set(err, OG_E_NOMEM, "scenario run");
    gmtime_r(&t, &tm);
    if (!opts.out_dir)
        opts.out_dir = "scenario-results";
    if (!opts.run_id) {
        strftime(run_id, sizeof(run_id), "%Y%m%d-%H%M%S", &tm);
        opts.run_id = run_id;
    }
    if (!opts.cluster_prefix) {
        snprintf(prefix, sizeof(prefix), "sc%d", (int)(getpid() % 100000));
        opts.cluster_prefix = prefix;
    }
    rn->o = &opts;
    rn->log = opts.log ? opts.log : stdout;
    snprintf(rn->run_dir, sizeof(rn->run_dir), "%s/%s", opts.out_dir, opts.run_id);
    r = fs_mkdir_p(rn->run_dir, 0755, err);
    if (r < 0)
        return r;
    snprintf(run_dir, run_dir_size, "%s", rn->run_dir);
    snprintf(latest, sizeof(latest), "%s/latest", opts.out_dir);
    unlink(latest);
    if (symlink(opts.run_id, latest) < 0)
        say(rn, "cannot point %s at the run: %s\n", latest, strerror(errno));

    scn_report_init(ret, opts.run_id);
    strftime(ret->started, sizeof(ret->started), "%Y-%m-%dT%H:%M:%SZ", &tm);
    gethostname(ret->host, sizeof(ret->host) - 1);
    n_fps = scn_failpoints(&fps);
    scn_report_set_rows(ret, fps, n_fps);
    say(rn, "ogscenario: %zu scenario%s, results in %s\n", set->n, set->n == 1 ? "" : "s",
        rn->run_dir);
    if (!ogfault_present(rn))
        say(rn, "ogfault: not found at %s; fault steps will fail, no sweep\n",
            opts.ogfault ? opts.ogfault : "(none)");

    for (size_t k = 0; k < set->n; k++) {
        const struct scenario *sc = set->v[order[k]];
        struct scn_result *res = scn_report_add(ret, sc->id, sc->suite, sc->title, sc->file);
        if (!res)
            return og_error_set(err, OG_E_NOMEM, "results");
        if (stop_requested) {
            res->verdict = SCN_SKIP;
            snprintf(res->message, sizeof(res->message), "not run: interrupted");
            continue;
        }
        play(rn, set, sc, res);
        ret->seconds = now_s() - t0;
        scn_write_reports(ret, rn->run_dir, NULL, NULL); /* kept current while running */
    }
    for (size_t i = 0; i < rn->n_groups; i++)
        group_down(rn, &rn->groups[i]);
    free(rn->dump_pre_all);
    free(rn->dump_pre_user);
    ret->seconds = now_s() - t0;
    return scn_write_reports(ret, rn->run_dir, opts.junit, err);
}
