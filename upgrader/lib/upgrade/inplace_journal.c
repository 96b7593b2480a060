/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * inplace_journal.c - the in-place plan's record on every node: ogup_step
 * (with its generation and its writer) and upgrade_step.dat, journal files
 * written here then copied to the others with their generation
 * (jdist_put_record), read back and reconciled.
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

#include "clusterstatus.h"
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

/* One record: the files (written here already) get the next generation
 * here, then go to every other node with the manifest after them
 * (jdist_put_record). Killed or powered off anywhere, each node's copy of
 * each file is the newest or recognisably older (torn or behind), and the
 * next run brings every node level from the newest (inplace_read_record). */
static int put_record(struct inplace *u, const char *const *names, size_t k, unsigned long long gen,
                      struct og_error *err)
{
    const char *others[CLUSTER_MAX_NODES];
    size_t n = inplace_other_nodes(u, others);

    return jdist_put_record(&u->w, others, n, u->dir, names, k, gen, err);
}

static int next_gen(struct inplace *u, unsigned long long *gen, struct og_error *err)
{
    int r = fs_mkdir_p(u->dir, 0700, err);

    return r < 0 ? r : journal_manifest_next(u->dir, gen, err);
}

int inplace_journal_put_files(struct inplace *u, const char *const *names, const char *const *texts,
                              size_t k, struct og_error *err)
{
    unsigned long long gen = 0;
    int r = next_gen(u, &gen, err);

    for (size_t i = 0; r == 0 && i < k; i++)
        r = write_local(u, names[i], texts[i], err);
    if (r == 0)
        r = put_record(u, names, k, gen, err);
    return r;
}

int inplace_journal_put(struct inplace *u, const char *name, const char *text, struct og_error *err)
{
    return inplace_journal_put_files(u, &name, &text, 1, err);
}

/* The other nodes' copies first, this node's last: the copy here is what
 * the next run reads first (inplace_init, the app dirs) and what a node
 * that missed the removal is reconciled against. Removed here first (as
 * before), a cut node kept the only copy, the next commit brought it back
 * everywhere with the old app unknown ($GAUSSHOME already the new one) and
 * failed GAUSS-50233 (fault matrix: net-cut on node2 at
 * inplace-commit.remove-old-app.after-journal). */
int inplace_journal_remove_everywhere(struct inplace *u, struct og_error *err)
{
    const char *others[CLUSTER_MAX_NODES];
    size_t n = inplace_other_nodes(u, others);
    int r = jdist_remove(&u->w, others, n, u->dir, NULL, err);

    /* the extracted and assembled catalog SQL beside it (INPLACE_SQL_DIR) */
    if (r == 0)
        r = jdist_remove(&u->w, u->nodes, u->n_nodes, u->pghost, INPLACE_SQL_DIR, err);
    if (r == 0)
        r = fs_remove_tree(u->dir, err);
    return r;
}

int inplace_record_step(void *ctx, int index, enum engine_state state, bool undoing,
                        struct og_error *err)
{
    struct inplace *u = ctx;
    const struct engine_plan *p = u->plan;
    const char *names[] = {JOURNAL_DAT_FILE, INPLACE_STEP_FILE};
    unsigned long long gen = 0;
    char dat[128], line[512];
    int r;

    if (index < 0 && undoing && (u->skipped.len || dynbuf_error(&u->skipped)))
        return 0; /* --force skipped something: inplace_rollback rewinds the record */
    if (index < 0 && undoing)
        return inplace_journal_remove_everywhere(u, err);
    r = next_gen(u, &gen, err);
    /* ogup_step's "seq" is the record's generation (the scenario runner
     * reads it); the manifest orders the copies */
    snprintf(line, sizeof(line), "%s %d %s %s %s seq=%llu writer=%s\n", p->name, index,
             p->steps[index].name, state == ENGINE_BEGIN ? "begin" : "done",
             undoing ? "undo" : "do", gen, this_node(u));
    snprintf(dat, sizeof(dat), "%s:%d\n", u->action, p->steps[index].og_step);
    if (r == 0)
        r = write_local(u, INPLACE_STEP_FILE, line, err);
    if (r == 0)
        r = write_local(u, JOURNAL_DAT_FILE, dat, err);
    if (r == 0)
        r = put_record(u, names, 2, gen, err);
    return r;
}

static int parse_step_line(const struct engine_plan *p, const char *text,
                           struct inplace_record *ret)
{
    struct journal_step_record rec;

    if (!journal_step_record_parse(text, &rec) || strcmp(rec.plan, p->name) != 0 ||
        rec.index < -1 || rec.index >= (int)p->n)
        return -1;
    ret->has_step = true;
    ret->index = rec.index;
    ret->state = rec.done ? ENGINE_DONE : ENGINE_BEGIN;
    ret->undoing = rec.undo;
    return 0;
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
            dynbuf_addf(&u->skipped, "  %s: unreachable, nothing done there: %s\n", u->nodes[i],
                        og_error_format(&e, msg, sizeof(msg)));
        command_result_done(&res);
    }
    u->n_nodes = k;
    if (k == 0)
        return og_error_set(err, OG_E_SSH_CONNECT, "no node answers");
    return 0;
}

/* Every node's copy, reconciled file by file (jdist_reconcile_repair): the
 * newest generation of each file wins, and the nodes holding an older or
 * torn copy (a crash or a power-off between the writer's copies) are
 * brought level, logged. OGUP-60090 only for copies that cannot be
 * ordered. The record is then this node's copy, the agreed one. */
int inplace_read_record(struct inplace *u, struct inplace_record *ret, struct og_error *err)
{
    _cleanup_free_ char *text = NULL;
    unsigned long long repaired = 0;
    struct journal_view view;
    char path[PATH_MAX + 64];
    int r;

    memset(ret, 0, sizeof(*ret));
    ret->og_step = -1;
    if (u->force && !u->probed) {
        u->probed = true;
        r = drop_unreachable(u, err);
        if (r < 0)
            return r;
    }
    r = jdist_reconcile_repair(&u->w, u->nodes, u->n_nodes, u->dir, u->pghost, true, &view,
                               &repaired, err);
    for (size_t i = 0; r == 0 && i < u->n_nodes && i < 64; i++)
        if (repaired & (1ULL << i))
            inplace_say(u,
                        "The journal of %s is behind (a copy older than the newest, or torn): "
                        "copying the newest.",
                        u->nodes[i]);
    if (r < 0 || !view.present)
        return r;
    ret->present = true;
    snprintf(path, sizeof(path), "%s/%s", u->dir, INPLACE_STEP_FILE);
    if (fs_read_file(path, 4096, &text, NULL, NULL) == 0)
        parse_step_line(u->plan, text, ret);
    if (view.has_dat)
        ret->og_step = view.dat.step;
    ret->has_steps = view.has_steps;
    if (view.has_steps)
        ret->steps = view.steps;
    ret->committed = view.committed; /* commitFlagFile on any node */
    return 0;
}

int inplace_record_base(struct inplace *u, const char *name, const char *text, struct og_error *err)
{
    _cleanup_free_ char *oldcfg = NULL;
    _cleanup_dynbuf_ struct dynbuf roles = {0};
    _cleanup_dynbuf_ struct dynbuf frozen = {0};
    char dirs[2 * PATH_MAX + 8], p[PATH_MAX + 32];
    const char *names[5], *texts[5];
    struct frozen_gucs g;
    size_t k = 0;
    int r;

    dynbuf_init(&roles, 1 << 16);
    dynbuf_init(&frozen, 1 << 20);
    snprintf(dirs, sizeof(dirs), "%s\n%s\n", u->old_app, u->new_app);
    snprintf(p, sizeof(p), "%s/version.cfg", u->old_app);
    r = fs_read_file(p, 4096, &oldcfg, NULL, err);
    if (r == 0 && clusterstatus_roles_format(u->cfg, &roles) < 0)
        r = og_error_set(err, OG_E_NOMEM, "roles");
    names[k] = JOURNAL_APPDIR_FILE, texts[k++] = dirs;
    names[k] = JOURNAL_OLDVER_FILE, texts[k++] = oldcfg;
    names[k] = INPLACE_ROLES_FILE, texts[k++] = dynbuf_str(&roles);
    snprintf(p, sizeof(p), "%s/%s", u->dir, INPLACE_FROZEN_FILE);
    if (r == 0 && access(p, F_OK) != 0) { /* an existing record is kept */
        r = frozen_gucs_collect(u->env, &g, err);
        if (r == 0 && frozen_gucs_format(&g, &frozen) < 0)
            r = og_error_set(err, OG_E_NOMEM, "GUCs");
        names[k] = INPLACE_FROZEN_FILE, texts[k++] = dynbuf_str(&frozen);
    }
    if (name)
        names[k] = name, texts[k++] = text;
    return r < 0 ? r : inplace_journal_put_files(u, names, texts, k, err);
}

int inplace_record_roles(struct inplace *u, struct og_error *err)
{
    _cleanup_dynbuf_ struct dynbuf roles = {0};

    dynbuf_init(&roles, 1 << 16);
    return clusterstatus_roles_format(u->cfg, &roles) < 0
               ? og_error_set(err, OG_E_NOMEM, "roles")
               : inplace_journal_put(u, INPLACE_ROLES_FILE, dynbuf_str(&roles), err);
}
