/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * expect.c - expectations judged against observed facts (no I/O).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "expect.h"
#include "banned.h"

static const char *where(const char *node)
{
    return strcmp(node, "all") == 0 ? "every node" : node;
}

void scn_expect_describe(const struct scn_expect *e, char *buf, size_t size)
{
    switch (e->kind) {
    case SCN_E_CLUSTER_STATE:
        snprintf(buf, size, "cluster_state %s", e->value);
        break;
    case SCN_E_VERSION:
        snprintf(buf, size, "version %s on %s", e->value, where(e->node));
        break;
    case SCN_E_JOURNAL:
        if (e->absent)
            snprintf(buf, size, "no journal on %s", where(e->node));
        else
            snprintf(buf, size, "journal step %d on %s", e->step, where(e->node));
        break;
    case SCN_E_LOST_WRITES:
        snprintf(buf, size, "lost acknowledged writes <= %lld", e->max);
        break;
    case SCN_E_WRITE_GAP:
        snprintf(buf, size, "longest write gap <= %lld ms", e->max);
        break;
    case SCN_E_DUMP:
        snprintf(buf, size, "%s equal to the pre-upgrade dump",
                 e->user_scope ? "user databases' dump" : "pg_dumpall");
        break;
    }
}

/* The first line where a and b differ, for the detail. */
static void first_difference(const char *a, const char *b, char *buf, size_t size)
{
    int line = 1;
    const char *la = a, *lb = b;

    while (*a && *a == *b) {
        if (*a == '\n') {
            line++;
            la = a + 1;
            lb = b + 1;
        }
        a++;
        b++;
    }
    snprintf(buf, size, "first difference at line %d: before \"%.*s\", now \"%.*s\"", line,
             (int)strcspn(la, "\n") > 120 ? 120 : (int)strcspn(la, "\n"), la,
             (int)strcspn(lb, "\n") > 120 ? 120 : (int)strcspn(lb, "\n"), lb);
}

/* "node2: seen" appended to buf, "; "-separated */
static void append(char *buf, size_t size, const char *node, const char *seen)
{
    size_t n = strlen(buf);

    if (n < size)
        snprintf(buf + n, size - n, "%s%s: %s", n ? "; " : "", node, seen);
}

static void eval_nodes(const struct scn_expect *e, const struct scn_observed *o,
                       struct scn_check *ret)
{
    size_t matched = 0;

    ret->pass = true;
    for (size_t i = 0; i < o->n_nodes; i++) {
        const struct scn_obs_node *n = &o->nodes[i];
        char seen[128];
        bool ok;

        if (strcmp(e->node, "all") != 0 && strcmp(e->node, n->name) != 0)
            continue;
        matched++;
        if (e->kind == SCN_E_VERSION) {
            ok = strcmp(n->version, e->value) == 0;
            snprintf(seen, sizeof(seen), "%s", n->version[0] ? n->version : "unknown");
        } else if (e->absent) {
            ok = !n->journal;
            snprintf(seen, sizeof(seen), "%s", n->journal ? n->journal_raw : "none");
        } else {
            ok = n->journal && n->journal_step == e->step;
            snprintf(seen, sizeof(seen), "%s", n->journal ? n->journal_raw : "none");
        }
        if (!ok)
            ret->pass = false;
        append(ret->detail, sizeof(ret->detail), n->name, seen);
    }
    if (matched == 0) {
        ret->pass = false;
        snprintf(ret->detail, sizeof(ret->detail), "no such node observed (%s)", e->node);
    }
}

void scn_expect_eval(const struct scn_expect *e, const struct scn_observed *o,
                     struct scn_check *ret)
{
    memset(ret, 0, sizeof(*ret));
    ret->line = e->line;
    scn_expect_describe(e, ret->what, sizeof(ret->what));
    switch (e->kind) {
    case SCN_E_CLUSTER_STATE:
        ret->pass = o->have_status && strcmp(o->cluster_state, e->value) == 0;
        snprintf(ret->detail, sizeof(ret->detail), "cluster_state %s",
                 o->have_status ? o->cluster_state : "unknown (no status)");
        break;
    case SCN_E_VERSION:
    case SCN_E_JOURNAL:
        if (e->kind == SCN_E_VERSION && !o->have_status) {
            snprintf(ret->detail, sizeof(ret->detail), "no status of the cluster");
            break;
        }
        eval_nodes(e, o, ret);
        break;
    case SCN_E_LOST_WRITES:
    case SCN_E_WRITE_GAP:
        if (!o->have_workload) {
            snprintf(ret->detail, sizeof(ret->detail), "no workload report%s%s",
                     o->workload_error[0] ? ": " : "", o->workload_error);
            break;
        }
        if (e->kind == SCN_E_LOST_WRITES) {
            ret->pass = o->lost >= 0 && o->lost <= e->max;
            /* refused writes (the read-only window) are not lost: say how many */
            snprintf(ret->detail, sizeof(ret->detail),
                     "%lld acknowledged writes lost (%lld refused as read-only)", o->lost,
                     o->read_only);
        } else {
            ret->pass = o->gap_ms >= 0 && o->gap_ms <= e->max;
            snprintf(ret->detail, sizeof(ret->detail), "longest write gap %lld ms", o->gap_ms);
        }
        if (o->workload_error[0]) {
            size_t n = strlen(ret->detail);
            snprintf(ret->detail + n, sizeof(ret->detail) - n, " (%s)", o->workload_error);
        }
        break;
    case SCN_E_DUMP: {
        const char *pre = e->user_scope ? o->dump_pre_user : o->dump_pre_all;
        const char *now = e->user_scope ? o->dump_now_user : o->dump_now_all;
        if (!pre || !now) {
            snprintf(ret->detail, sizeof(ret->detail), "no %s dump was taken",
                     !pre ? "pre-upgrade" : "final");
            break;
        }
        ret->pass = strcmp(pre, now) == 0;
        if (ret->pass)
            snprintf(ret->detail, sizeof(ret->detail), "equal (%zu bytes)", strlen(now));
        else
            first_difference(pre, now, ret->detail, sizeof(ret->detail));
        break;
    }
    }
}

/* The last "[GAUSS-NNNNN]" / "[OGUP-NNNNN]" in text, into buf ("" when none). */
static void last_code(const char *text, char *buf, size_t size)
{
    const char *p = text;

    buf[0] = '\0';
    while (p && (p = strchr(p, '['))) {
        const char *q = p + 1;
        size_t pre = strncmp(q, "GAUSS-", 6) == 0 ? 6 : strncmp(q, "OGUP-", 5) == 0 ? 5 : 0;
        if (pre && strspn(q + pre, "0123456789") == 5 && q[pre + 5] == ']')
            snprintf(buf, size, "%.*s", (int)(pre + 5), q);
        p++;
    }
}

/* exit="coded": success; the action's failure exit (1, an auto-rollback's 3)
 * naming a GAUSS/OGUP code; killed only when the step itself injects
 * kill-upgrader */
static bool coded_outcome(const struct scn_step *s, enum scn_step_kind action, int exit_status,
                          int term_signal, bool killed, const char *code)
{
    if (killed)
        return scn_step_has_kill_upgrader(s);
    if (term_signal)
        return false;
    return exit_status == scn_action_success_exit(s, action) ||
           (exit_status == scn_action_failure_exit(action) && code[0]);
}

size_t scn_action_eval(const struct scn_step *s, enum scn_step_kind action, size_t index,
                       int exit_status, int term_signal, const char *out, const char *err,
                       struct scn_check *v, size_t max)
{
    const char *name = scn_step_kind_name(s->kind);
    char code[16], want[32];
    size_t n = 0;
    bool killed = term_signal == 9 || exit_status == 137;

    out = out ? out : "";
    err = err ? err : "";
    last_code(err, code, sizeof(code));
    if (!code[0])
        last_code(out, code, sizeof(code));
    if (n < max) {
        struct scn_check *c = &v[n++];
        int exp =
            s->exit_code == SCN_EXIT_DEFAULT ? scn_action_success_exit(s, action) : s->exit_code;
        memset(c, 0, sizeof(*c));
        c->line = s->line;
        if (s->exit_code == SCN_EXIT_KILLED)
            snprintf(want, sizeof(want), "killed");
        else if (s->exit_code == SCN_EXIT_CODED)
            snprintf(want, sizeof(want), "%d or a coded error", scn_action_success_exit(s, action));
        else if (s->has_exit_alt)
            snprintf(want, sizeof(want), "%d or %d", exp, s->exit_alt);
        else
            snprintf(want, sizeof(want), "%d", exp);
        snprintf(c->what, sizeof(c->what), "step %zu %s: exit %s", index, name, want);
        if (s->exit_code == SCN_EXIT_KILLED)
            c->pass = killed;
        else if (s->exit_code == SCN_EXIT_CODED)
            c->pass = coded_outcome(s, action, exit_status, term_signal, killed, code);
        else
            c->pass = term_signal == 0 &&
                      (exit_status == exp || (s->has_exit_alt && exit_status == s->exit_alt));
        if (term_signal)
            snprintf(c->detail, sizeof(c->detail), "killed by signal %d%s%s", term_signal,
                     code[0] ? ", last error " : "", code);
        else
            snprintf(c->detail, sizeof(c->detail), "exit %d%s%s", exit_status,
                     code[0] ? ", last error " : "", code);
    }
    /* exit="A|B" with a code: the code is what the alternative B must name
     * ("exit A, or B with this error"); A stands alone */
    if (s->code[0] && n < max &&
        !(s->has_exit_alt && term_signal == 0 && exit_status != s->exit_alt)) {
        struct scn_check *c = &v[n++];
        char bracket[24];
        memset(c, 0, sizeof(*c));
        c->line = s->line;
        snprintf(bracket, sizeof(bracket), "[%s]", s->code);
        snprintf(c->what, sizeof(c->what), "step %zu %s: error %s", index, name, s->code);
        c->pass = strstr(err, bracket) || strstr(out, bracket);
        snprintf(c->detail, sizeof(c->detail), "%s%s", code[0] ? "last error " : "no error code",
                 code);
    }
    if (s->output[0] && n < max) {
        struct scn_check *c = &v[n++];
        memset(c, 0, sizeof(*c));
        c->line = s->line;
        snprintf(c->what, sizeof(c->what), "step %zu %s: output \"%.100s\"", index, name,
                 s->output);
        c->pass = strstr(out, s->output) || strstr(err, s->output);
        snprintf(c->detail, sizeof(c->detail), "%s", c->pass ? "found" : "not in the output");
    }
    return n;
}

void scn_version_of(const char *text, char *buf, size_t size)
{
    const char *p = text ? strstr(text, "openGauss ") : NULL;
    const char *s = p ? p + 10 : text;
    size_t n;

    buf[0] = '\0';
    if (!s)
        return;
    while (*s == ' ')
        s++;
    n = strspn(s, "0123456789.");
    if (n == 0 || n >= size)
        return;
    snprintf(buf, size, "%.*s", (int)n, s);
}

bool scn_jrec_reached(const struct journal_step_record *r, int step_index, bool done, bool undo)
{
    if (r->undo != undo)
        return false;
    if (r->index == step_index)
        return r->done || !done;
    return undo ? r->index < step_index : r->index > step_index;
}

void scn_failpoint_row(const char *failpoint, char *buf, size_t size)
{
    const char *dot = strrchr(failpoint, '.');

    snprintf(buf, size, "%.*s", dot ? (int)(dot - failpoint) : (int)strlen(failpoint), failpoint);
}

void scn_journal_row(const char *ogup_step, char *buf, size_t size)
{
    struct journal_step_record r;

    if (!journal_step_record_parse(ogup_step, &r)) {
        snprintf(buf, size, "no-journal");
        return;
    }
    snprintf(buf, size, "%s%s.%s", r.plan, r.undo ? "-rollback" : "", r.step);
}
