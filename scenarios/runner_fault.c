/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * runner_fault.c - faults in a scenario: ogfault, faults during an action (the journal watcher),
 * heal, the sweep (runner_int.h).
 */
#include <errno.h>
#include <json-c/json.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fs.h"
#include "inplace.h"
#include "parse.h"
#include "runner_int.h"
#include "shquote.h"
#include "banned.h"

/* ---- ogfault ------------------------------------------------------------------------------ */

bool rn_ogfault_present(const struct runner *rn)
{
    return rn->o->ogfault && access(rn->o->ogfault, X_OK) == 0;
}

/* ogfault --cluster NAME args...; its result in res. */
int rn_ogfault_run(struct runner *rn, const char *const *args, struct command_result *res,
                   struct og_error *err)
{
    const char *argv[16];
    size_t n = 0;

    if (!rn_ogfault_present(rn))
        return og_error_set(err, OG_E_NOT_EXIST, "ogfault is not built (%s)",
                            rn->o->ogfault ? rn->o->ogfault : "no path");
    argv[n++] = rn->o->ogfault;
    argv[n++] = "--cluster";
    argv[n++] = rn->g->name;
    for (size_t i = 0; args[i] && n < ELEMENTSOF(argv) - 1; i++)
        argv[n++] = args[i];
    argv[n] = NULL;
    return rn_host_run(argv, 300000, res, err);
}

/* The id the digits at s spell (up to the first other character); -1 when
 * there are none or they spell no id (above 0). */
static int id_at(const char *s)
{
    char digits[16];
    size_t len = strspn(s, "0123456789");
    int id;

    if (len == 0 || len >= sizeof(digits))
        return -1;
    memcpy(digits, s, len);
    digits[len] = '\0';
    return safe_atoi(digits, &id) == 0 && id > 0 ? id : -1;
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
            id = id_at(p + 6);
    }
    return id;
}

/* Inject f; *ret_id its ledger id. detail gets a one-line account. The
 * command line is the kind's, from fault/'s table (faultkind.h): ogfault
 * KIND NODE, then the peer as NODE_B or --percent / --free-bytes. */
int rn_inject(struct runner *rn, const struct scn_fault *f, int *ret_id, char *detail, size_t dsize)
{
    _cleanup_command_result_ struct command_result res = {0};
    const struct fault_kind_info *k = fault_kind_info(f->kind);
    struct og_error err = {0};
    char num[32], what[256];
    const char *args[10];
    size_t n = 0;
    double t0 = rn_now_s();
    int r;

    if (!k) {
        snprintf(detail, dsize, "fault kind %d", (int)f->kind);
        return -OG_E_INVALID_ARG;
    }
    args[n++] = "--json";
    args[n++] = k->name;
    args[n++] = f->node;
    switch (k->arg) {
    case FAULT_ARG_PEER:
        args[n++] = f->peer;
        break;
    case FAULT_ARG_PERCENT:
        snprintf(num, sizeof(num), "%d", f->percent);
        args[n++] = fault_arg_option(k->arg);
        args[n++] = num;
        break;
    case FAULT_ARG_FREE_BYTES:
        if (f->free_bytes < 0)
            break;
        snprintf(num, sizeof(num), "%lld", f->free_bytes);
        args[n++] = fault_arg_option(k->arg);
        args[n++] = num;
        break;
    default:
        break;
    }
    args[n] = NULL;
    snprintf(what, sizeof(what), "ogfault --cluster %s %s %s%s%s", rn->g->name, k->name, f->node,
             f->peer[0] ? " " : "", f->peer);
    r = rn_ogfault_run(rn, args, &res, &err);
    rn_bundle_command(rn, "ogfault", what, rn_now_s() - t0, r == 0 ? &res : NULL,
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
    snprintf(detail, dsize, "fault %d installed in %.2f s", *ret_id, rn_now_s() - t0);
    return 0;
}

void rn_remember_fault(struct runner *rn, const struct scn_fault *f, int id)
{
    if (f->id[0] && rn->n_faults < MAX_FAULTS) {
        snprintf(rn->faults[rn->n_faults].label, sizeof(rn->faults[0].label), "%s", f->id);
        rn->faults[rn->n_faults++].ledger_id = id;
    }
}

/* ---- faults during an action: the watcher ---------------------------------------------- */

/* Heal one fault the watcher installed (a transient fault's end). */
static void watch_heal(struct watcher *w, struct watch_fault *wf)
{
    _cleanup_command_result_ struct command_result res = {0};
    struct og_error err = {0};
    char num[16];
    const char *args[] = {"heal", num, NULL};
    int r;

    wf->healed = true;
    snprintf(num, sizeof(num), "%d", wf->ledger_id);
    r = rn_ogfault_run(w->rn, args, &res, &err);
    wf->healed_at_s = rn_now_s() - w->t0;
    if (r < 0 || res.exit_status != 0)
        snprintf(wf->heal_detail, sizeof(wf->heal_detail), "heal failed: %.200s",
                 r < 0 ? err.detail : res.err);
}

/* A transient fault that struck and is not healed yet. */
static bool heal_pending(const struct watch_fault *wf)
{
    return wf->fired && wf->rc == 0 && wf->f->for_ms > 0 && !wf->healed;
}

static void strike(struct watcher *w, struct watch_fault *wf, const char *record)
{
    wf->fired = true;
    wf->at_s = rn_now_s() - w->t0;
    snprintf(wf->record, sizeof(wf->record), "%s", record);
    wf->rc = rn_inject(w->rn, wf->f, &wf->ledger_id, wf->detail, sizeof(wf->detail));
}

/* A failpoint paused (its file names it): strike the faults waiting for it,
 * then remove the file, which lets gs_upgradectl go on. */
static void watch_pause(struct watcher *w)
{
    _cleanup_free_ char *text = NULL;
    char rec[192];

    if (w->released || fs_read_file(w->pause_file, 4096, &text, NULL, NULL) < 0)
        return;
    text[strcspn(text, " \n")] = '\0';
    snprintf(w->paused_at, sizeof(w->paused_at), "%s", text);
    snprintf(rec, sizeof(rec), "paused at failpoint %s", text);
    for (size_t i = 0; i < w->n; i++) {
        struct watch_fault *wf = &w->wf[i];
        if (wf->fired || !wf->f->at_failpoint)
            continue;
        scn_failpoint_row(text, wf->row, sizeof(wf->row));
        strike(w, wf, rec);
    }
    w->released = true;
    w->released_at_s = rn_now_s() - w->t0;
    unlink(w->pause_file);
}

/* A journal record: strike the faults timed by it; a fault struck after
 * step X is done hit the step that begins next (its heatmap row). */
static void watch_record(struct watcher *w, const char *text)
{
    struct journal_step_record rec;

    if (!journal_step_record_parse(text, &rec))
        return;
    for (size_t i = 0; i < w->n; i++) {
        struct watch_fault *wf = &w->wf[i];
        if (wf->row_pending && !rec.done && strcmp(text, wf->record) != 0) {
            scn_journal_row(text, wf->row, sizeof(wf->row));
            wf->row_pending = false;
        }
        if (wf->fired || wf->f->at_failpoint ||
            !scn_jrec_reached(&rec, wf->step_index, wf->f->when_done, w->undo))
            continue;
        scn_journal_row(text, wf->row, sizeof(wf->row));
        wf->row_pending = rec.done;
        strike(w, wf, text);
    }
}

/* Whether the watcher still has work: a fault to strike or heal, a row to
 * learn, a pause to release. */
static bool watch_busy(const struct watcher *w)
{
    if (w->pause_file[0] && !w->released)
        return true;
    for (size_t i = 0; i < w->n; i++) {
        const struct watch_fault *wf = &w->wf[i];
        if (!wf->fired || wf->row_pending || heal_pending(wf))
            return true;
    }
    return false;
}

static void *watch_main(void *arg)
{
    struct watcher *w = arg;
    char path[PATH_MAX];
    bool changed = false;

    rn_journal_file(w->rn, "node1", INPLACE_STEP_FILE, path, sizeof(path));
    while (!atomic_load(&w->stop) && watch_busy(w)) {
        _cleanup_free_ char *text = NULL;
        struct stat st;

        if (w->pause_file[0])
            watch_pause(w);
        if (fs_read_file(path, 4096, &text, NULL, NULL) == 0 && stat(path, &st) == 0) {
            text[strcspn(text, "\n")] = '\0';
            /* a record left by an earlier run does not count: wait for a write */
            if (!changed)
                changed = !w->had_file || strcmp(text, w->initial) != 0 ||
                          st.st_ino != w->st0.st_ino ||
                          st.st_mtim.tv_nsec != w->st0.st_mtim.tv_nsec ||
                          st.st_mtim.tv_sec != w->st0.st_mtim.tv_sec;
            if (changed)
                watch_record(w, text);
        }
        for (size_t i = 0; i < w->n; i++) {
            struct watch_fault *wf = &w->wf[i];
            if (heal_pending(wf) && (rn_now_s() - w->t0 - wf->at_s) * 1000 >= wf->f->for_ms)
                watch_heal(w, wf);
        }
        usleep(WATCH_POLL_US);
    }
    return NULL;
}

/* The node path of the pause file: in node1's $PGHOST, which omm writes
 * and the host sees through the install bind. */
static void pause_node_path(const struct runner *rn, char *buf, size_t size)
{
    snprintf(buf, size, "%s/ogup_failpoint_paused", rn->g->c.tmp_path);
}

void rn_pause_env(const struct runner *rn, const struct scn_step *s, struct dynbuf *cmd)
{
    char p[PATH_MAX];
    const char *v[] = {p, NULL};

    if (!scn_step_pauses(s))
        return;
    pause_node_path(rn, p, sizeof(p));
    dynbuf_adds(cmd, FAILPOINT_PAUSE_FILE_ENV "=");
    shquote_argv(cmd, v);
    dynbuf_addf(cmd, " " FAILPOINT_PAUSE_S_ENV "=%d ", PAUSE_DEADLINE_S);
}

int rn_watch_start(struct runner *rn, size_t index, bool undo, struct watcher *w)
{
    const struct scenario *sc = rn->sc;
    const struct scn_step *s = &sc->steps[index];
    char p[PATH_MAX];

    memset(w, 0, sizeof(*w));
    if (!s->n_during)
        return 0;
    w->rn = rn;
    w->undo = undo;
    for (size_t i = 0; i < s->n_during; i++) {
        w->wf[i].f = &s->during[i];
        w->wf[i].step_index =
            s->during[i].at_failpoint
                ? -1
                : engine_step_index(scn_step_plan(sc, index), s->during[i].when_step);
        if (s->during[i].at_failpoint && !w->pause_file[0]) {
            pause_node_path(rn, p, sizeof(p));
            rn_host_path(rn, "node1", p, w->pause_file, sizeof(w->pause_file));
            unlink(w->pause_file); /* a run killed while paused left it */
        }
    }
    w->n = s->n_during;
    rn_journal_file(rn, "node1", INPLACE_STEP_FILE, p, sizeof(p));
    w->had_file = stat(p, &w->st0) == 0;
    rn_read_ogup_step(rn, w->initial, sizeof(w->initial));
    atomic_init(&w->stop, false);
    w->t0 = rn_now_s();
    if (pthread_create(&w->th, NULL, watch_main, w) != 0)
        return -OG_E_NOMEM;
    w->running = true;
    return 0;
}

/* The action ended: stop watching; a transient fault still on is healed
 * now (it does not outlive its action). */
void rn_watch_stop(struct watcher *w)
{
    if (!w->running)
        return;
    atomic_store(&w->stop, true);
    pthread_join(w->th, NULL);
    w->running = false;
    for (size_t i = 0; i < w->n; i++)
        if (heal_pending(&w->wf[i]))
            watch_heal(w, &w->wf[i]);
    if (w->pause_file[0])
        unlink(w->pause_file);
}

static void watch_missed(struct runner *rn, const struct watch_fault *wf, size_t index)
{
    struct scn_check c = {.line = wf->f->line, .pass = false};

    if (wf->f->at_failpoint)
        snprintf(c.what, sizeof(c.what), "step %zu: %s on %s at the paused failpoint", index + 1,
                 fault_kind_name(wf->f->kind), wf->f->node);
    else
        snprintf(c.what, sizeof(c.what), "step %zu: %s on %s when %s %s", index + 1,
                 fault_kind_name(wf->f->kind), wf->f->node, wf->f->when_step,
                 wf->f->when_done ? "done" : "begin");
    snprintf(c.detail, sizeof(c.detail), "%s: the fault did not strike",
             wf->f->at_failpoint ? "gs_upgradectl never reached the failpoint"
                                 : "the journal never reached it");
    rn_add_check(rn, &c);
}

/* The faults of the action into the result (cells, timeline); false when
 * one did not strike or could not be installed. */
bool rn_watch_account(struct runner *rn, const struct watcher *w, size_t index,
                      enum scn_step_kind action)
{
    bool ok = true;

    for (size_t i = 0; i < w->n; i++) {
        const struct watch_fault *wf = &w->wf[i];
        char how[192];
        if (!wf->fired) {
            watch_missed(rn, wf, index);
            ok = false;
            continue;
        }
        rn_say(rn, "    fault %s on %s at %.2f s (%s): %s%s%s\n", fault_kind_name(wf->f->kind),
               wf->f->node, wf->at_s, wf->record, wf->detail, wf->heal_detail[0] ? "; " : "",
               wf->heal_detail);
        if (wf->rc < 0) {
            rn_harness_error(rn, "step %zu: %s on %s: %s", index + 1, fault_kind_name(wf->f->kind),
                             wf->f->node, wf->detail);
            ok = false;
            continue;
        }
        rn_remember_fault(rn, wf->f, wf->ledger_id);
        snprintf(how, sizeof(how), "%s on %s during %s (%s), ledger %d",
                 fault_kind_name(wf->f->kind), wf->f->node, scn_action_name(action), wf->record,
                 wf->ledger_id);
        scn_result_add_cell(rn->res, wf->row, fault_kind_name(wf->f->kind), how);
        rn_event(rn, w->t0 + wf->at_s, "fault", "%s on %s (ledger %d) at %s",
                 fault_kind_name(wf->f->kind), wf->f->node, wf->ledger_id, wf->row);
        if (wf->healed)
            rn_event(rn, w->t0 + wf->healed_at_s, "heal", "%s on %s (ledger %d)%s%s",
                     fault_kind_name(wf->f->kind), wf->f->node, wf->ledger_id,
                     wf->heal_detail[0] ? ": " : "", wf->heal_detail);
    }
    if (w->released)
        rn_event(rn, w->t0 + w->released_at_s, "failpoint", "%s released", w->paused_at);
    return ok;
}

void rn_play_fault(struct runner *rn, size_t index)
{
    const struct scn_step *s = &rn->sc->steps[index];
    char desc[1024], label[1100], detail[512], rec[256], row[64], how[160];
    double t0 = rn_now_s();
    int id = -1;

    scn_step_describe(rn->sc, index, desc, sizeof(desc));
    snprintf(label, sizeof(label), "%zu. %s", index + 1, desc);
    rn_read_ogup_step(rn, rec, sizeof(rec));
    scn_journal_row(rec, row, sizeof(row));
    if (rn_inject(rn, &s->fault, &id, detail, sizeof(detail)) < 0) {
        rn_harness_error(rn, "step %zu: %s", index + 1, detail);
        rn_add_step(rn, label, s->line, t0, false, detail);
        return;
    }
    rn_remember_fault(rn, &s->fault, id);
    snprintf(how, sizeof(how), "%s on %s between steps (journal: %s)",
             fault_kind_name(s->fault.kind), s->fault.node, rec[0] ? rec : "none");
    scn_result_add_cell(rn->res, row, fault_kind_name(s->fault.kind), how);
    rn_say(rn, "    %s\n", detail);
    rn_add_step(rn, label, s->line, t0, true, detail);
}

void rn_play_heal(struct runner *rn, size_t index)
{
    const struct scn_step *s = &rn->sc->steps[index];
    _cleanup_command_result_ struct command_result res = {0};
    struct og_error err = {0};
    char desc[512], label[600], num[16];
    const char *args[4] = {"heal", "--all", NULL, NULL};
    double t0 = rn_now_s();
    int r;

    scn_step_describe(rn->sc, index, desc, sizeof(desc));
    snprintf(label, sizeof(label), "%zu. %s", index + 1, desc);
    if (s->heal_id[0]) {
        int id = -1;
        for (size_t i = 0; i < rn->n_faults; i++)
            if (strcmp(rn->faults[i].label, s->heal_id) == 0)
                id = rn->faults[i].ledger_id;
        if (id < 0) {
            rn_harness_error(rn, "step %zu: the fault [%s] was not installed", index + 1,
                             s->heal_id);
            rn_add_step(rn, label, s->line, t0, false, "no such fault");
            return;
        }
        snprintf(num, sizeof(num), "%d", id);
        args[1] = num;
    }
    r = rn_ogfault_run(rn, args, &res, &err);
    rn_bundle_command(rn, "heal", label, rn_now_s() - t0, r == 0 ? &res : NULL,
                      r < 0 ? err.detail : NULL);
    if (r < 0 || res.exit_status != 0) {
        rn_harness_error(rn, "step %zu: heal: %.400s", index + 1,
                         r < 0        ? err.detail
                         : res.err[0] ? res.err
                                      : res.out);
        rn_add_step(rn, label, s->line, t0, false, r < 0 ? err.detail : res.err);
        return;
    }
    rn_say(rn, "    healed in %.1f s\n", rn_now_s() - t0);
    rn_add_step(rn, label, s->line, t0, true, "");
}

/* The ledger into the bundle, then the sweep; a residual fault (or a sweep
 * that fails) is an error, and the cluster is rebuilt for the next one. */
void rn_sweep(struct runner *rn)
{
    _cleanup_command_result_ struct command_result res = {0}, res2 = {0}, res3 = {0};
    struct og_error err = {0};
    const char *list[] = {"list", "--json", NULL}, *sw[] = {"sweep", NULL};
    json_object *j, *faults = NULL;
    size_t active = 0;
    double t0 = rn_now_s();
    int r;

    if (!rn_ogfault_present(rn)) {
        rn_bundle_write(rn, "faults.json", "ogfault is not built: no ledger, no sweep\n");
        return;
    }
    if (rn_ogfault_run(rn, list, &res, &err) == 0)
        rn_bundle_write(rn, "faults.json", res.out);
    r = rn_ogfault_run(rn, sw, &res2, &err);
    rn_bundle_command(rn, "sweep", "ogfault sweep", rn_now_s() - t0, r == 0 ? &res2 : NULL,
                      r < 0 ? err.detail : NULL);
    if (r < 0 || res2.exit_status != 0) {
        rn_harness_error(rn, "fault sweep failed: %.300s",
                         r < 0         ? err.detail
                         : res2.err[0] ? res2.err
                                       : res2.out);
        rn_group_down(rn, rn->g);
        return;
    }
    if (rn_ogfault_run(rn, list, &res3, &err) == 0 && (j = json_tokener_parse(res3.out))) {
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
        rn_harness_error(rn, "%zu fault(s) still active after the sweep", active);
        rn_group_down(rn, rn->g);
    }
}
