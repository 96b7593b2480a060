/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * inplace_journal.c - the in-place plan's record on every node: ogup_step
 * (with a sequence number and its writer) and upgrade_step.dat, journal
 * files written here then copied to the others, read back and reconciled.
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

#include "clusterstatus.h"
#include "failpoint.h"
#include "fs.h"
#include "inplace_int.h"
#include "jdist.h"
#include "journal.h"
#include "oglog.h"
#include "banned.h"

#define CTL_TIMEOUT_MS INPLACE_CTL_TIMEOUT_MS

static const char *this_node(const struct inplace *u)
{
    for (size_t i = 0; i < u->n_nodes; i++) {
        bool local = false;
        if (transport_node_is_local(u->env->t, u->nodes[i], &local, NULL) == 0 && local)
            return u->nodes[i];
    }
    return "?";
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

static unsigned long long seq_counter;
/* the current ogup_step line without its "seq=N writer=W" tail (empty:
 * no step recorded yet) */
static char step_head[256];

static int write_step_local(struct inplace *u, struct og_error *err)
{
    char line[512];

    snprintf(line, sizeof(line), "%s seq=%llu writer=%s\n", step_head, ++seq_counter, this_node(u));
    return write_local(u, INPLACE_STEP_FILE, line, err);
}

/* Every journal write is a record: here ogup_step with the next sequence
 * number first, then the file; on every other node the file first, then
 * ogup_step. Killed anywhere, the nodes holding the older sequence are
 * brought level from the newest copy by the next run (inplace_read_record):
 * the journal never holds two versions of a file under one sequence. */
int inplace_journal_put(struct inplace *u, const char *name, const char *text, struct og_error *err)
{
    const char *others[CLUSTER_MAX_NODES];
    size_t n = inplace_other_nodes(u, others);
    bool seq = step_head[0] && strcmp(name, INPLACE_STEP_FILE) != 0;
    int r = seq ? write_step_local(u, err) : 0;

    if (r == 0)
        r = write_local(u, name, text, err);
    if (r == 0)
        r = failpoint_hit(JDIST_FP_AFTER_LOCAL, err);
    if (r == 0)
        r = jdist_push_file(&u->w, others, n, u->dir, name, err);
    if (r == 0 && seq)
        r = jdist_push_file(&u->w, others, n, u->dir, INPLACE_STEP_FILE, err);
    return r;
}

int inplace_journal_remove_everywhere(struct inplace *u, struct og_error *err)
{
    int r = jdist_remove(&u->w, u->nodes, u->n_nodes, u->dir, NULL, err);

    /* the extracted and assembled catalog SQL beside it (INPLACE_SQL_DIR) */
    if (r == 0)
        r = jdist_remove(&u->w, u->nodes, u->n_nodes, u->pghost, INPLACE_SQL_DIR, err);
    if (r == 0)
        r = fs_remove_tree(u->dir, err);
    if (r == 0)
        step_head[0] = '\0';
    return r;
}

int inplace_record_step(void *ctx, int index, enum engine_state state, bool undoing,
                        struct og_error *err)
{
    struct inplace *u = ctx;
    const struct engine_plan *p = u->plan;
    char dat[128];
    int r;

    if (index < 0 && undoing && u->skipped.len)
        return 0; /* --force skipped something: inplace_rollback rewinds the record */
    if (index < 0 && undoing)
        return inplace_journal_remove_everywhere(u, err);
    snprintf(step_head, sizeof(step_head), "%s %d %s %s %s", p->name, index, p->steps[index].name,
             state == ENGINE_BEGIN ? "begin" : "done", undoing ? "undo" : "do");
    snprintf(dat, sizeof(dat), "%s:%d\n", u->action, p->steps[index].og_step);
    /* ogup_step (the sequence number) first here, last on every other node
     * (inplace_journal_put): a node that missed any file of this record
     * (powered off half-way) has the older sequence and is brought level
     * from the newest copy by the next run (inplace_read_record) */
    r = write_step_local(u, err);
    if (r == 0)
        r = write_local(u, JOURNAL_DAT_FILE, dat, err);
    if (r == 0)
        r = failpoint_hit(JDIST_FP_AFTER_LOCAL, err);
    if (r == 0) {
        const char *others[CLUSTER_MAX_NODES];
        size_t n = inplace_other_nodes(u, others);
        r = jdist_push_file(&u->w, others, n, u->dir, JOURNAL_DAT_FILE, err);
        if (r == 0)
            r = jdist_push_file(&u->w, others, n, u->dir, INPLACE_STEP_FILE, err);
    }
    return r;
}

static int parse_step_line(const struct engine_plan *p, const char *text,
                           struct inplace_record *ret, unsigned long long *seq, char *writer,
                           size_t wsize, char *head, size_t hsize)
{
    char plan[64], name[64], state[16], dir[16], w[CLUSTER_NAME_MAX];
    int idx;

    if (!text ||
        sscanf(text, "%63s %d %63s %15s %15s seq=%llu writer=%63s", plan, &idx, name, state, dir,
               seq, w) != 7 ||
        strcmp(plan, p->name) != 0 || idx < -1 || idx >= (int)p->n)
        return -1;
    ret->has_step = true;
    ret->index = idx;
    ret->state = strcmp(state, "begin") == 0 ? ENGINE_BEGIN : ENGINE_DONE;
    ret->undoing = strcmp(dir, "undo") == 0;
    snprintf(writer, wsize, "%s", w);
    if (head)
        snprintf(head, hsize, "%.*s", (int)(strstr(text, " seq=") - text), text);
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

static int put_one(const struct worker *jw, const char *node, const char *dir, const char *name,
                   json_object *val, struct og_error *err)
{
    char path[PATH_MAX + 300];
    const char *one[] = {node}, *put[] = {"put", path, "0600", NULL};

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    return worker_run_all(jw, one, 1, put, json_object_get_string(val),
                          (size_t)json_object_get_string_len(val), NULL, err);
}

/* A lagging node brought level file by file from the newest copy: its
 * files that copy has not are removed one by one, ogup_step written last
 * (killed half-way, the node still lags and the next run goes on). Never a
 * whole directory: backup/ (which a dump does not carry) stays. */
static int level_node(struct inplace *u, const struct worker *jw, const char *node,
                      json_object *mine, json_object *newest, struct og_error *err)
{
    const char *one[] = {node};
    json_object *files = NULL, *have = NULL, *step = NULL;
    int r = 0;

    json_object_object_get_ex(newest, "files", &files);
    if (mine)
        json_object_object_get_ex(mine, "files", &have);
    if (have) {
        json_object_object_foreach(have, gone, v0)
        {
            (void)v0;
            if (r == 0 && !json_object_object_get_ex(files, gone, NULL))
                r = jdist_remove(jw, one, 1, u->dir, gone, err);
        }
    }
    json_object_object_foreach(files, name, val)
    {
        if (r < 0)
            break;
        if (strcmp(name, INPLACE_STEP_FILE) == 0)
            step = val;
        else
            r = put_one(jw, node, u->dir, name, val, err);
    }
    if (r == 0 && step)
        r = put_one(jw, node, u->dir, INPLACE_STEP_FILE, step, err);
    return r;
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
    struct worker jw = u->w;
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
    /* journal files are small: a minute, not the workers' ten */
    jw.timeout_ms = WORKER_JOURNAL_MS;
    r = worker_run_all(&jw, u->nodes, u->n_nodes, verb, NULL, 0, outs, err);
    if (r < 0)
        return r;
    for (size_t i = 0; i < u->n_nodes; i++) {
        char writer[CLUSTER_NAME_MAX];
        dumps[i] = json_tokener_parse(outs[i]);
        if (parse_step_line(u->plan, dump_file(dumps[i], INPLACE_STEP_FILE), &rec[i], &seqs[i],
                            writer, sizeof(writer), NULL, 0) == 0 &&
            (best == SIZE_MAX || seqs[i] > seqs[best]))
            best = i;
    }
    if (best != SIZE_MAX) {
        char writer[CLUSTER_NAME_MAX];
        struct inplace_record tmp;
        seq_counter = seqs[best];
        parse_step_line(u->plan, dump_file(dumps[best], INPLACE_STEP_FILE), &tmp, &seqs[best],
                        writer, sizeof(writer), step_head, sizeof(step_head));
        for (size_t i = 0; r == 0 && i < u->n_nodes; i++) {
            if (i == best || seqs[i] == seqs[best])
                continue;
            inplace_say(u,
                        "The journal of %s is behind (record %llu, newest %llu on %s): copying it.",
                        u->nodes[i], seqs[i], seqs[best], u->nodes[best]);
            r = level_node(u, &jw, u->nodes[i], dumps[i], dumps[best], err);
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
        ret->has_steps = view.has_steps;
        if (view.has_steps)
            ret->steps = view.steps;
        ret->committed = view.committed; /* commitFlagFile on any node */
    }
    for (size_t i = 0; i < u->n_nodes; i++) {
        free(outs[i]);
        json_object_put(dumps[i]);
    }
    return r;
}

int inplace_record_dirs(struct inplace *u, struct og_error *err)
{
    _cleanup_free_ char *oldcfg = NULL;
    char a[2 * PATH_MAX + 8], p[PATH_MAX + 32];
    int r;

    snprintf(a, sizeof(a), "%s\n%s\n", u->old_app, u->new_app);
    r = inplace_journal_put(u, JOURNAL_APPDIR_FILE, a, err);
    snprintf(p, sizeof(p), "%s/version.cfg", u->old_app);
    if (r == 0)
        r = fs_read_file(p, 4096, &oldcfg, NULL, err);
    if (r == 0)
        r = inplace_journal_put(u, JOURNAL_OLDVER_FILE, oldcfg, err);
    return r;
}

int inplace_record_roles(struct inplace *u, struct og_error *err)
{
    _cleanup_dynbuf_ struct dynbuf roles = {0};

    dynbuf_init(&roles, 1 << 16);
    return clusterstatus_roles_format(u->cfg, &roles) < 0
               ? og_error_set(err, OG_E_NOMEM, "roles")
               : inplace_journal_put(u, INPLACE_ROLES_FILE, dynbuf_str(&roles), err);
}

int inplace_record_frozen(struct inplace *u, struct og_error *err)
{
    _cleanup_dynbuf_ struct dynbuf text = {0};
    char p[PATH_MAX + 32];
    struct frozen_gucs g;
    int r;

    snprintf(p, sizeof(p), "%s/%s", u->dir, INPLACE_FROZEN_FILE);
    if (access(p, F_OK) == 0)
        return 0; /* an existing record is kept */
    dynbuf_init(&text, 1 << 20);
    r = frozen_gucs_collect(u->env, &g, err);
    if (r == 0)
        r = frozen_gucs_format(&g, &text) < 0 ? og_error_set(err, OG_E_NOMEM, "GUCs") : 0;
    if (r == 0)
        r = inplace_journal_put(u, INPLACE_FROZEN_FILE, dynbuf_str(&text), err);
    return r;
}
