/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * runner.c - scenarios played on simulated clusters (see runner.h): one
 * scenario (observations, expectations, actions), the run.
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
#include "journal.h"
#include "plan.h"
#include "runner.h"
#include "shquote.h"
#include "simcluster.h"
#include "simversion.h"
#include "banned.h"
#include "runner_int.h"

static volatile sig_atomic_t stop_requested;

void scn_run_request_stop(void)
{
    stop_requested = 1;
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

/* Every node's upgrade_step.dat, read on the host (works with a node off)
 * and parsed by the journal's own reader. */
static void observe_journal(struct runner *rn, struct scn_observed *o)
{
    const struct sim_cluster *c = &rn->g->c;

    o->n_nodes = c->n_nodes < SCN_OBS_MAX_NODES ? c->n_nodes : SCN_OBS_MAX_NODES;
    for (size_t i = 0; i < o->n_nodes; i++) {
        struct scn_obs_node *n = &o->nodes[i];
        _cleanup_free_ char *text = NULL;
        struct journal_dat dat;
        char dir[PATH_MAX], p[PATH_MAX];

        snprintf(n->name, sizeof(n->name), "%s", c->nodes[i].name);
        rn_journal_file(rn, n->name, "", dir, sizeof(dir));
        rn_journal_file(rn, n->name, JOURNAL_DAT_FILE, p, sizeof(p));
        n->journal = fs_read_file(p, 4096, &text, NULL, NULL) == 0;
        n->journal_step = 0;
        if (n->journal) {
            n->journal_step =
                journal_read_dat_in(dir, &dat, NULL) == 0 ? dat.step : SCN_JOURNAL_STEP_BAD;
            text[strcspn(text, "\n")] = '\0';
            snprintf(n->journal_raw, sizeof(n->journal_raw), "%s", text);
        }
    }
}

/* pg_dumpall (user = false) or the user databases without og_catalog, the
 * workload's database left out; malloc'ed. */
char *rn_take_dump(struct runner *rn, bool user, struct og_error *err)
{
    _cleanup_command_result_ struct command_result res = {0};
    char script[1536];
    double t0 = rn_now_s();
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
    r = rn_node_sh(rn, "node1", "omm", script, 300000, &res, err);
    rn_bundle_command(rn, user ? "dump-user" : "dumpall", script, rn_now_s() - t0,
                      r == 0 ? &res : NULL, r < 0 ? err->detail : NULL);
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

/* ---- expectations
 * --------------------------------------------------------------------------------- */

/* Poll the status until cluster_state is want (or timeout); o filled. */
static int wait_state(struct runner *rn, const char *want, int timeout_s, struct scn_observed *o,
                      struct og_error *err)
{
    double end = rn_now_s() + timeout_s;
    int r;

    for (;;) {
        memset(o, 0, sizeof(*o));
        r = observe_status(rn, o, err);
        if (r == 0 && strcmp(o->cluster_state, want) == 0)
            return 0;
        if (rn_now_s() >= end || stop_requested)
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
            rn_harness_error(rn, "cluster status: %s", err.detail);
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
            rn_workload_report(rn, &o);
    }
    if (dumps[0] && !(dump_all = rn_take_dump(rn, false, &err)))
        rn_harness_error(rn, "final dump: %s", err.detail);
    if (dumps[1] && !(dump_user = rn_take_dump(rn, true, &err)))
        rn_harness_error(rn, "final dump: %s", err.detail);
    o.dump_pre_all = rn->dump_pre_all;
    o.dump_pre_user = rn->dump_pre_user;
    o.dump_now_all = dump_all;
    o.dump_now_user = dump_user;
    if (dump_all && rn->dump_pre_all && strcmp(dump_all, rn->dump_pre_all) != 0)
        rn_bundle_write(rn, "dumpall-after.sql", dump_all);
    if (dump_user && rn->dump_pre_user && strcmp(dump_user, rn->dump_pre_user) != 0)
        rn_bundle_write(rn, "dump-user-after.sql", dump_user);
    for (size_t i = 0; i < n; i++) {
        struct scn_check c;
        scn_expect_eval(&v[i], &o, &c);
        rn_add_check(rn, &c);
    }
}

void rn_play_action(struct runner *rn, size_t index)
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
    bool ok = true;
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
    rn_pause_env(rn, s, &cmd);
    if (spec[0]) {
        const char *v[] = {spec, NULL};
        dynbuf_adds(&cmd, "OGUP_FAILPOINTS=");
        shquote_argv(&cmd, v);
        dynbuf_adds(&cmd, " ");
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

    if (rn_watch_start(rn, index, action == SCN_ROLLBACK, &w) < 0)
        rn_harness_error(rn, "cannot start the journal watcher");
    t0 = rn_now_s();
    if (dynbuf_error(&cmd)) /* never a command cut short */
        r = og_error_set(&err, -dynbuf_error(&cmd), "the command line of step %zu", index + 1);
    else
        r = rn_node_sh(rn, "node1", "omm", dynbuf_str(&cmd), s->timeout_s * 1000, &res, &err);
    rn_watch_stop(&w);
    rn_bundle_command(rn, scn_action_name(action), dynbuf_str(&cmd), rn_now_s() - t0,
                      r == 0 ? &res : NULL, r < 0 ? err.detail : NULL);
    rn_say(rn, "    %.1f s, exit %d%s\n", rn_now_s() - t0, r == 0 ? res.exit_status : -1,
           r < 0 ? " (did not run)" : "");
    if (r < 0) {
        rn_harness_error(rn, "step %zu: gs_upgradectl did not run: %s", index + 1, err.detail);
        rn_add_step(rn, label, s->line, t0, false, err.detail);
        return;
    }
    ok = rn_watch_account(rn, &w, index, action);
    /* failpoints: their own cells */
    for (size_t i = 0; i < s->n_fps; i++) {
        const struct scn_failpoint *f = &s->fps[i];
        if (strcmp(f->action, "pause") == 0)
            continue; /* the faults struck there are the cells */
        char row[128], col[16], how[160];
        scn_failpoint_row(f->name, row, sizeof(row));
        snprintf(col, sizeof(col), "%.*s", (int)strcspn(f->action, ":"), f->action);
        snprintf(how, sizeof(how), "failpoint %s=%s", f->name, f->action);
        scn_result_add_cell(rn->res, row, col, how);
    }
    n = scn_action_eval(s, action, index + 1, res.exit_status, res.term_signal, res.out, res.err,
                        checks, ELEMENTSOF(checks));
    for (size_t i = 0; i < n; i++) {
        rn_add_check(rn, &checks[i]);
        ok = ok && checks[i].pass;
    }
    rn_add_step(rn, label, s->line, t0, ok, checks[0].detail);
}

static void play_wait(struct runner *rn, size_t index)
{
    const struct scn_step *s = &rn->sc->steps[index];
    char desc[512], label[600], detail[128];
    double t0 = rn_now_s();

    scn_step_describe(rn->sc, index, desc, sizeof(desc));
    snprintf(label, sizeof(label), "%zu. %s", index + 1, desc);
    if (s->wait_normal) {
        struct scn_observed o;
        struct og_error err = {0};
        int r = wait_state(rn, "Normal", s->wait_timeout_s, &o, &err);
        bool ok = r == 0 && strcmp(o.cluster_state, "Normal") == 0;
        snprintf(detail, sizeof(detail), "cluster_state %s after %.1f s",
                 r == 0 ? o.cluster_state : "unknown", rn_now_s() - t0);
        if (!ok) {
            struct scn_check c = {.line = s->line, .pass = false};
            snprintf(c.what, sizeof(c.what), "step %zu wait: cluster_state Normal", index + 1);
            snprintf(c.detail, sizeof(c.detail), "%s%s%s", detail, r < 0 ? ": " : "",
                     r < 0 ? err.detail : "");
            rn_add_check(rn, &c);
        }
        rn_add_step(rn, label, s->line, t0, ok, detail);
        return;
    }
    usleep((useconds_t)s->wait_ms * 1000);
    rn_add_step(rn, label, s->line, t0, true, "");
}

static void play_check(struct runner *rn, size_t index)
{
    const struct scn_step *s = &rn->sc->steps[index];
    char desc[2048], label[2100];
    double t0 = rn_now_s();
    enum scn_verdict before = rn->res->verdict;

    scn_step_describe(rn->sc, index, desc, sizeof(desc));
    snprintf(label, sizeof(label), "%zu. %s", index + 1, desc);
    judge(rn, s->expects, s->n_expects, false);
    rn_add_step(rn, label, s->line, t0, rn->res->verdict == before, "");
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
        rn_host_path(rn, node, p, src, sizeof(src));
        rn_copy_tree(src, dir);
        snprintf(p, sizeof(p), "%s/pg_log", c->log_path);
        rn_host_path(rn, node, p, src, sizeof(src));
        rn_copy_tree(src, dir);
        rn_journal_file(rn, node, "", src, sizeof(src));
        rn_copy_tree(src, dir);
        snprintf(p, sizeof(p), "%s/" JOURNAL_RECORD_FILE, c->tool_path);
        rn_host_path(rn, node, p, src, sizeof(src));
        rn_copy_tree(src, dir);
    }
    dynbuf_init(&b, 1 << 20);
    if (sim_status(c, true, &b, &err) == 0)
        rn_bundle_write(rn, "status.json", dynbuf_str(&b));
    else
        rn_bundle_write(rn, "status.json", err.detail);
}

/* ---- one scenario
 * -------------------------------------------------------------------------------------- */

/* The timeline in time order (the watcher's events arrive after the step's). */
static int event_cmp(const void *a, const void *b)
{
    const struct scn_event *x = a, *y = b;

    return (x->t_ms > y->t_ms) - (x->t_ms < y->t_ms);
}

static bool first_upgrade(const struct scenario *sc, size_t i)
{
    for (size_t k = 0; k < i; k++)
        if (sc->steps[k].kind == SCN_UPGRADE)
            return false;
    return sc->steps[i].kind == SCN_UPGRADE;
}

/* The runner's state for sc; its bundle directory with the file and the plan. */
static void play_begin(struct runner *rn, const struct scenario *sc, struct scn_result *res,
                       double t0)
{
    _cleanup_dynbuf_ struct dynbuf plan = {0};
    char p[PATH_MAX + 32];

    rn->sc = sc;
    rn->res = res;
    rn->t0 = t0;
    rn->n_faults = 0;
    rn->n_cmd = 0;
    rn->workload_started = false;
    free(rn->dump_pre_all);
    free(rn->dump_pre_user);
    rn->dump_pre_all = rn->dump_pre_user = NULL;

    snprintf(rn->bundle, sizeof(rn->bundle), "%s/%s", rn->run_dir, sc->id);
    snprintf(res->bundle, sizeof(res->bundle), "%s", sc->id);
    fs_mkdir_p(rn->bundle, 0755, NULL);
    snprintf(p, sizeof(p), "%s/commands", rn->bundle);
    fs_mkdir_p(p, 0755, NULL);
    snprintf(p, sizeof(p), "%s/scenario.xml", rn->bundle);
    rn_copy_tree(sc->file, p);
    dynbuf_init(&plan, 1 << 20);
    scn_plan(sc, &plan);
    rn_say(rn, "\n%s", dynbuf_str(&plan));
    rn_bundle_write(rn, "plan.txt", dynbuf_str(&plan));
}

/* Before the first upgrade: the dumps a dump expectation compares with
 * (dumps: [all databases, user databases]); false when one failed. */
static bool take_pre_dumps(struct runner *rn, const bool dumps[2])
{
    struct og_error err = {0};

    if (dumps[0] && !(rn->dump_pre_all = rn_take_dump(rn, false, &err)))
        rn_harness_error(rn, "pre-upgrade dump: %s", err.detail);
    if (dumps[1] && !(rn->dump_pre_user = rn_take_dump(rn, true, &err)))
        rn_harness_error(rn, "pre-upgrade dump: %s", err.detail);
    return !rn_failed(rn);
}

static void play_prepare(struct runner *rn, size_t index)
{
    const struct scn_step *s = &rn->sc->steps[index];
    char detail[600], label[64];
    double t0 = rn_now_s();
    int r = rn_prepare(rn, s->version, detail, sizeof(detail));

    snprintf(label, sizeof(label), "%zu. prepare %s", index + 1, s->version);
    rn_add_step(rn, label, s->line, t0, r == 0, detail);
    if (r < 0)
        rn_harness_error(rn, "step %zu: %s", index + 1, detail);
}

static void play_step(struct runner *rn, size_t index)
{
    const struct scenario *sc = rn->sc;
    char desc[2048];

    scn_step_describe(sc, index, desc, sizeof(desc));
    rn_say(rn, "  [%zu/%zu] %s\n", index + 1, sc->n_steps, desc);
    rn_event(rn, rn_now_s(), "step", "%zu. %s", index + 1, desc);
    switch (sc->steps[index].kind) {
    case SCN_PREPARE:
        play_prepare(rn, index);
        break;
    case SCN_UPGRADE:
    case SCN_ROLLBACK:
    case SCN_COMMIT:
    case SCN_RERUN:
        rn_play_action(rn, index);
        break;
    case SCN_FAULT:
        rn_play_fault(rn, index);
        break;
    case SCN_HEAL:
        rn_play_heal(rn, index);
        break;
    case SCN_WAIT:
        play_wait(rn, index);
        break;
    case SCN_CHECK:
        play_check(rn, index);
        break;
    }
}

/* The steps from first (those before it: the cached cluster's) until one fails or a stop. */
static void play_steps(struct runner *rn, size_t first)
{
    const struct scenario *sc = rn->sc;
    bool dumps[2] = {false, false};

    needs_kind(sc, SCN_E_DUMP, dumps);
    for (size_t i = first; i < sc->n_steps && !rn_failed(rn) && !stop_requested; i++) {
        if (first_upgrade(sc, i) && (dumps[0] || dumps[1]) && !take_pre_dumps(rn, dumps))
            break;
        play_step(rn, i);
    }
    if (stop_requested && !rn_failed(rn))
        rn_harness_error(rn, "interrupted");
}

/* After the steps: the workload stopped, the final expectations judged. */
static void play_finish(struct runner *rn)
{
    const struct scenario *sc = rn->sc;
    struct og_error err = {0};

    if (rn->workload_started) {
        _cleanup_command_result_ struct command_result wr = {0};
        if (rn_workload_cmd(rn, "stop", &wr, &err) < 0 || wr.exit_status != 0)
            rn_harness_error(rn, "workload stop: %.300s", wr.err ? wr.err : err.detail);
    }
    if (!rn_failed(rn) && sc->n_expects) {
        double ts = rn_now_s();
        rn_say(rn, "  expectations\n");
        judge(rn, sc->expects, sc->n_expects, true);
        rn_add_step(rn, "expectations", 0, ts, !rn_failed(rn), "");
    } else if (rn->workload_started) {
        struct scn_observed o = {0};
        rn_workload_report(rn, &o); /* kept in the bundle */
    }
}

/* However the scenario went: the bundle, the sweep, its result (result.json). */
static void play_end(struct runner *rn, double t0)
{
    const struct scenario *sc = rn->sc;
    struct scn_result *res = rn->res;
    struct scn_report one = {0};
    char p[PATH_MAX + 32];

    if (rn->g && rn->g->up) {
        collect_bundle(rn);
        rn_sweep(rn);
    }
    res->seconds = rn_now_s() - t0;
    qsort(res->events, res->n_events, sizeof(*res->events), event_cmp);
    rn_say(rn, "  => %s %s in %.1f s%s%s\n", scn_verdict_name(res->verdict), sc->id, res->seconds,
           res->message[0] ? ": " : "", res->message);
    one.v = res;
    one.n = 1;
    snprintf(one.run_id, sizeof(one.run_id), "%s", sc->id);
    snprintf(p, sizeof(p), "%s/result.json", rn->bundle);
    scn_report_write_json(&one, p, NULL);
}

static void play(struct runner *rn, const struct scn_set *set, const struct scenario *sc,
                 struct scn_result *res)
{
    double t0 = rn_now_s();
    size_t first = 0;

    play_begin(rn, sc, res, t0);
    rn->g = rn_group_of(rn, sc);
    if (!rn->g)
        rn_harness_error(rn, "more than %d clusters in one run", MAX_GROUPS);
    else if (rn_reset(rn, set, &first) >= 0 &&
             (!sc->workload || rn->workload_started || rn_workload_start(rn) >= 0)) {
        play_steps(rn, first);
        play_finish(rn);
    }
    play_end(rn, t0);
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

void scn_run_default_id(char *buf, size_t size)
{
    time_t t = time(NULL);
    struct tm tm;

    gmtime_r(&t, &tm);
    strftime(buf, size, "%Y%m%d-%H%M%S", &tm);
}

int scn_run_claim_id(const char *out_dir, unsigned shard_k, unsigned shard_n, char *buf,
                     size_t size, struct og_error *err)
{
    char base[64], dir[PATH_MAX];
    int r;

    scn_run_default_id(base, sizeof(base));
    if (shard_n)
        snprintf(base + strlen(base), sizeof(base) - strlen(base), "-s%uof%u", shard_k, shard_n);
    if ((r = fs_mkdir_p(out_dir, 0755, err)) < 0)
        return r;
    for (int k = 1; k <= 100; k++) {
        if (k == 1)
            snprintf(buf, size, "%s", base);
        else
            snprintf(buf, size, "%s-%d", base, k);
        snprintf(dir, sizeof(dir), "%s/%s", out_dir, buf);
        if (mkdir(dir, 0755) == 0)
            return 0;
        if (errno != EEXIST)
            return og_error_set_errno(err, OG_E_CREATE_FAILED, errno, "cannot create \"%s\"", dir);
    }
    return og_error_set(err, OG_E_EXISTS, "no free run id for %s in \"%s\"", base, out_dir);
}

int scn_run(const struct scn_set *set, const struct scn_run_opts *o, struct scn_report *ret,
            char *run_dir, size_t run_dir_size, struct og_error *err)
{
    _cleanup_free_ struct runner *rn = calloc(1, sizeof(*rn));
    _cleanup_free_ size_t *order = play_order(set);
    struct scn_run_opts opts = *o;
    char run_id[64], prefix[24], latest[PATH_MAX + 24], latest_final[PATH_MAX + 16];
    const char *const *fps;
    size_t n_fps;
    time_t t = time(NULL);
    struct tm tm;
    double t0 = rn_now_s();
    int r;

    if (!rn || !order)
        return og_error_set(err, OG_E_NOMEM, "scenario run");
    gmtime_r(&t, &tm);
    if (!opts.out_dir)
        opts.out_dir = SCN_OUT_DEFAULT;
    if (!opts.run_id) {
        r = scn_run_claim_id(opts.out_dir, 0, 0, run_id, sizeof(run_id), err);
        if (r < 0)
            return r;
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
    /* Replaced in one rename: shards sharing out_dir race for it harmlessly. */
    snprintf(latest, sizeof(latest), "%s/.latest-%d", opts.out_dir, (int)getpid());
    unlink(latest);
    snprintf(latest_final, sizeof(latest_final), "%s/latest", opts.out_dir);
    if (symlink(opts.run_id, latest) < 0 || rename(latest, latest_final) < 0)
        rn_say(rn, "cannot point %s/latest at the run: %s\n", opts.out_dir, strerror(errno));

    scn_report_init(ret, opts.run_id);
    strftime(ret->started, sizeof(ret->started), "%Y-%m-%dT%H:%M:%SZ", &tm);
    gethostname(ret->host, sizeof(ret->host) - 1);
    n_fps = scn_failpoints(&fps);
    scn_report_set_rows(ret, fps, n_fps);
    rn_say(rn, "ogscenario: %zu scenario%s, results in %s\n", set->n, set->n == 1 ? "" : "s",
           rn->run_dir);
    if (!rn_ogfault_present(rn))
        rn_say(rn, "ogfault: not found at %s; fault steps will fail, no sweep\n",
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
        ret->seconds = rn_now_s() - t0;
        scn_write_reports(ret, rn->run_dir, NULL, NULL); /* kept current while running */
    }
    for (size_t i = 0; i < rn->n_groups; i++)
        rn_group_down(rn, &rn->groups[i]);
    free(rn->dump_pre_all);
    free(rn->dump_pre_user);
    ret->seconds = rn_now_s() - t0;
    return scn_write_reports(ret, rn->run_dir, opts.junit, err);
}
