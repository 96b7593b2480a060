/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * matrix.c - the fault-coverage matrix (see matrix.h).
 */
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fs.h"
#include "grey.h"
#include "inplace.h"
#include "matrix.h"
#include "banned.h"

/* The plans and the upgrade each one's cells run: in-place 2.0.0 -> 3.0.0
 * (large: every step applies, the catalog steps too), grey 3.0.0 -> 5.0.0
 * (the first grey-capable pair the simulator has, as scenarios/grey). */
/* A cell's writer commits 50 times a second: enough to find a lost write
 * and to time a gap to 20 ms; an unthrottled writer took a whole core of
 * this 2-core machine (870 commits/s, measured with ogsim workload on a
 * 3-node cluster: 1661 CPU ticks in 15 s against 289 at 50/s), and the
 * cells' wall time was that writer's, not the upgrade's. */
#define MATRIX_WRITE_RATE "50"

/* The re-run's exit: the action's success, but run again over an action
 * the faulted run finished (a transient fault it rode through):
 *  - a grey auto-upgrade prints "All nodes have been upgrade, no need to
 *    upgrade again." and exits 1, as openGauss's does (openGauss-OM v5.0.0
 *    UpgradeImpl.py:5674 check_option_grey, exitWithRetCode(grey action,
 *    True) -> 1 at :133); the check after it holds the upgraded end state;
 *  - a commit-upgrade (success: 0 in place, 5 grey) exits 1 with
 *    GAUSS-52901 (the installed build is the
 *    package's now): openGauss's commit runs choseStrategy first (v3.0.0
 *    UpgradeImpl.py:254), which raises GAUSS-52901 (:443); the expectations
 *    hold the committed end state. */
static const struct scn_matrix_plan plans[] = {
    {"inplace", &inplace_plan, false, MX_UPGRADE, "2.0.0", "3.0.0", "", NULL, NULL},
    {"inplace-rollback", &inplace_plan, true, MX_ROLLBACK, "2.0.0", "3.0.0", "", NULL, NULL},
    {"inplace-commit", &inplace_commit_plan, false, MX_COMMIT, "2.0.0", "3.0.0", "", "0|1",
     "GAUSS-52901"},
    {"grey", &grey_plan, false, MX_UPGRADE, "3.0.0", "5.0.0", "--grey", "0|1", NULL},
    {"grey-rollback", &grey_plan, true, MX_ROLLBACK, "3.0.0", "5.0.0", "--grey", NULL, NULL},
    {"grey-commit", &grey_commit_plan, false, MX_COMMIT, "3.0.0", "5.0.0", "--grey", "5|1",
     "GAUSS-52901"},
};

/* Where each kind strikes, and why there (the node where it matters). */
static const struct kind_target {
    enum fault_kind kind;
    const char *node;
    const char *extra; /* more attributes of <fault> */
    const char *why;
} targets[] = {
    {FAULT_KILL_UPGRADER, "node1", "", "gs_upgradectl runs there: the failpoint kills it"},
    {FAULT_KILL_DB, "node1", "", "the primary: the catalog SQL and replication's source"},
    {FAULT_POWER_OFF, "node2", "", "a standby's host: the upgrader loses a node mid-step"},
    {FAULT_DISK_FULL, "node1", "",
     "the journal's first copy, the backups and the catalog SQL are there"},
    {FAULT_NET_CUT, "node2", "", "a standby cut off from the upgrader and the primary"},
    {FAULT_NET_LOSS, "node2", " percent=\"30\"", "a lossy link: SSH and replication retransmit"},
    {FAULT_PARTITION, "node1", " peer=\"node2\"",
     "the upgrader and the primary lose node2, which still reaches node3"},
    {FAULT_FREEZE, "node2", " for-ms=\"10000\"", "a standby stalls 10 s, then goes on"},
};

#define DB_DOWN                                                                                    \
    "no gaussdb runs on the primary at this point (the instances are stopped), so there is no "    \
    "process to kill: the same cell as power-off's effect on the database"

/* The reviewed table of cells that cannot apply (plan, failpoint glob,
 * kind): each with the reason. Everything else applies. */
static const struct na_rule {
    const char *plan;
    const char *points; /* fnmatch pattern */
    enum fault_kind kind;
    const char *reason;
} na_rules[] = {
    {"inplace", "inplace.stop-cluster.after-*", FAULT_KILL_DB, DB_DOWN},
    {"inplace", "inplace.backup.*", FAULT_KILL_DB, DB_DOWN},
    {"inplace", "inplace.install.*", FAULT_KILL_DB, DB_DOWN},
    {"inplace", "inplace.start.before", FAULT_KILL_DB, DB_DOWN},
    /* the rollback from pre-commit (inplace.c undo_*): undo switch-bin stops
     * every instance; undo catalog (2.0.0: the physical files), start,
     * install, backup run on stopped instances; undo stop-cluster starts them */
    {"inplace-rollback", "inplace-rollback.switch-bin.after-*", FAULT_KILL_DB, DB_DOWN},
    {"inplace-rollback", "inplace-rollback.catalog.*", FAULT_KILL_DB, DB_DOWN},
    {"inplace-rollback", "inplace-rollback.start.*", FAULT_KILL_DB, DB_DOWN},
    {"inplace-rollback", "inplace-rollback.install.*", FAULT_KILL_DB, DB_DOWN},
    {"inplace-rollback", "inplace-rollback.backup.*", FAULT_KILL_DB, DB_DOWN},
    {"inplace-rollback", "inplace-rollback.stop-cluster.before", FAULT_KILL_DB, DB_DOWN},
};

size_t scn_matrix_plans(const struct scn_matrix_plan **ret)
{
    *ret = plans;
    return ELEMENTSOF(plans);
}

const struct scn_matrix_plan *scn_matrix_plan(const char *name)
{
    for (size_t i = 0; name && i < ELEMENTSOF(plans); i++)
        if (strcmp(plans[i].name, name) == 0)
            return &plans[i];
    return NULL;
}

void scn_matrix_suite(const struct scn_matrix_plan *p, char *buf, size_t size)
{
    snprintf(buf, size, "matrix-%s", p->name);
}

static const char *na_reason(const struct scn_matrix_plan *p, const char *point,
                             enum fault_kind kind)
{
    for (size_t i = 0; i < ELEMENTSOF(na_rules); i++)
        if (strcmp(na_rules[i].plan, p->name) == 0 && na_rules[i].kind == kind &&
            fnmatch(na_rules[i].points, point, 0) == 0)
            return na_rules[i].reason;
    return NULL;
}

int scn_matrix_cells(const struct scn_matrix_plan *p, struct scn_cell_def **ret, size_t *n,
                     struct og_error *err)
{
    size_t max = p->plan->n * ENGINE_FP_KINDS * ELEMENTSOF(targets), k = 0;
    struct scn_cell_def *v = calloc(max ? max : 1, sizeof(*v));

    if (!v)
        return og_error_set(err, OG_E_NOMEM, "matrix");
    for (size_t i = 0, row = 0; i < p->plan->n; i++) {
        if (p->undo && !p->plan->steps[i].undo_fn)
            continue; /* a rollback has points only where there is an undo */
        for (size_t fk = 0; fk < ENGINE_FP_KINDS; fk++, row++)
            for (size_t t = 0; t < ELEMENTSOF(targets); t++) {
                struct scn_cell_def *c = &v[k++];
                c->plan = p;
                c->rollback_first = p->action == MX_UPGRADE && (row + t) % 2 == 1;
                c->kind = targets[t].kind;
                engine_failpoint_name(p->plan, p->undo, i, fk, c->point, sizeof(c->point));
                snprintf(c->id, sizeof(c->id), "%s.%s", c->point, fault_kind_name(c->kind));
                c->na = na_reason(p, c->point, c->kind);
            }
    }
    *ret = v;
    *n = k;
    return 0;
}

static const struct kind_target *target_of(enum fault_kind kind)
{
    for (size_t i = 0; i < ELEMENTSOF(targets); i++)
        if (targets[i].kind == kind)
            return &targets[i];
    return NULL;
}

/* The faulted action: the failpoint kills gs_upgradectl, or pauses it while
 * the fault strikes; the action ends killed, successful or with a code. */
static void faulted_action(struct dynbuf *b, const struct scn_cell_def *c, const char *element)
{
    const struct kind_target *t = target_of(c->kind);
    bool kill = c->kind == FAULT_KILL_UPGRADER;
    bool flags = c->plan->flags[0] && strcmp(element, "upgrade") == 0; /* the others: journal's */

    dynbuf_addf(b, "    <%s%s%s%s exit=\"%s\" timeout-s=\"420\">\n", element,
                flags ? " flags=\"" : "", flags ? c->plan->flags : "", flags ? "\"" : "",
                kill ? "killed" : "coded");
    dynbuf_addf(b, "      <failpoint name=\"%s\" action=\"%s\"/>\n", c->point,
                kill ? "kill" : "pause");
    if (!kill)
        dynbuf_addf(b, "      <fault kind=\"%s\" node=\"%s\"%s when=\"failpoint\"/>\n",
                    fault_kind_name(c->kind), t->node, t->extra);
    dynbuf_addf(b, "    </%s>\n", element);
    if (!kill)
        dynbuf_adds(b, "    <heal/>\n");
}

static void end_state(struct dynbuf *b, const char *version, bool journal_absent)
{
    dynbuf_addf(b,
                "    <cluster-state>Normal</cluster-state>\n"
                "    <version>%s</version>\n",
                version);
    if (journal_absent)
        dynbuf_adds(b, "    <journal absent=\"true\"/>\n");
}

int scn_matrix_cell_xml(const struct scn_cell_def *c, struct dynbuf *out)
{
    const struct scn_matrix_plan *p = c->plan;
    const struct kind_target *t = target_of(c->kind);
    static const char *const what[] = {"auto-upgrade", "auto-rollback", "commit-upgrade"};
    char suite[48];

    scn_matrix_suite(p, suite, sizeof(suite));
    dynbuf_addf(out,
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                "<!-- generated by ogscenario enumerate, plan %s: one cell of the matrix -->\n"
                "<!-- %s on %s: %s -->\n"
                "<scenario id=\"%s\" suite=\"%s\">\n"
                "  <title>%s %s-%s: %s on %s at %s; %s converge</title>\n"
                "  <tags>matrix %s %s</tags>\n"
                "  <cluster version=\"%s\" nodes=\"3\" databases=\"1\">\n"
                "    <workload writers=\"1\" readers=\"1\" rate=\"" MATRIX_WRITE_RATE "\"/>\n"
                "  </cluster>\n"
                "  <steps>\n"
                "    <prepare version=\"%s\"/>\n",
                p->name, fault_kind_name(c->kind), t->node, t->why, c->id, suite, what[p->action],
                p->from, p->to, fault_kind_name(c->kind), t->node, c->point,
                c->rollback_first ? "the auto-rollback, then a fresh auto-upgrade,"
                                  : "the re-run and auto-rollback",
                p->name, fault_kind_name(c->kind), p->from, p->to);
    if (p->action != MX_UPGRADE)
        dynbuf_addf(out, "    <upgrade%s%s%s/>\n", p->flags[0] ? " flags=\"" : "", p->flags,
                    p->flags[0] ? "\"" : "");
    faulted_action(out, c,
                   p->action == MX_UPGRADE    ? "upgrade"
                   : p->action == MX_ROLLBACK ? "rollback"
                                              : "commit");
    if (c->rollback_first) {
        /* from the faulted state back to the exact pre-upgrade data, then
         * the upgrade again from the start */
        dynbuf_adds(out, "    <rollback/>\n    <check>\n");
        end_state(out, p->from, true);
        dynbuf_addf(out,
                    "    <dump equals=\"pre-upgrade\" scope=\"user\"/>\n    </check>\n"
                    "    <upgrade%s%s%s/>\n",
                    p->flags[0] ? " flags=\"" : "", p->flags, p->flags[0] ? "\"" : "");
    } else if (p->rerun_exit) {
        dynbuf_addf(out, "    <rerun exit=\"%s\"%s%s%s/>\n", p->rerun_exit,
                    p->rerun_code ? " code=\"" : "", p->rerun_code ? p->rerun_code : "",
                    p->rerun_code ? "\"" : "");
    } else {
        dynbuf_adds(out, "    <rerun/>\n");
    }
    if (p->action == MX_UPGRADE && !c->rollback_first) {
        dynbuf_adds(out, "    <check>\n");
        end_state(out, p->to, false);
        dynbuf_adds(out, "    </check>\n    <rollback/>\n");
    }
    dynbuf_adds(out, "  </steps>\n  <expect>\n");
    if (c->rollback_first)
        end_state(out, p->to, false);
    else
        end_state(out, p->action == MX_COMMIT ? p->to : p->from, true);
    return dynbuf_appends(out, "    <lost-writes max=\"0\"/>\n"
                               "    <dump equals=\"pre-upgrade\" scope=\"user\"/>\n"
                               "  </expect>\n"
                               "</scenario>\n");
}

int scn_matrix_write(const struct scn_matrix_plan *p, const char *dir, size_t *n,
                     struct og_error *err)
{
    _cleanup_free_ struct scn_cell_def *cells = NULL;
    char sub[PATH_MAX];
    size_t nc = 0;
    int r = scn_matrix_cells(p, &cells, &nc, err);

    *n = 0;
    snprintf(sub, sizeof(sub), "%s/%s", dir, p->name);
    if (r == 0)
        r = fs_mkdir_p(sub, 0755, err);
    for (size_t i = 0; r == 0 && i < nc; i++) {
        _cleanup_dynbuf_ struct dynbuf b = {0};
        char path[PATH_MAX + 128];
        if (cells[i].na)
            continue;
        dynbuf_init(&b, 64 * 1024);
        r = scn_matrix_cell_xml(&cells[i], &b);
        if (r < 0)
            return og_error_set(err, -r, "matrix cell %s", cells[i].id);
        snprintf(path, sizeof(path), "%s/%s.xml", sub, cells[i].id);
        r = fs_replace_file(path, dynbuf_str(&b), b.len, 0644, err);
        if (r == 0)
            (*n)++;
    }
    return r;
}

/* ---- coverage -------------------------------------------------------------------------- */

static void note_uncovered(struct scn_coverage *c, const char *id)
{
    size_t len = strlen(c->uncovered);

    if (len + strlen(id) + 2 < sizeof(c->uncovered))
        snprintf(c->uncovered + len, sizeof(c->uncovered) - len, "%s%s", len ? " " : "", id);
    else if (len + 5 < sizeof(c->uncovered) && strcmp(c->uncovered + len - 3, "...") != 0)
        snprintf(c->uncovered + len, sizeof(c->uncovered) - len, " ...");
}

/* Counts, and the uncovered cells: the failed ones first, then those not run. */
static void cover_plan(const struct scn_report *r, const struct scn_matrix_plan *p,
                       const struct scn_cell_def *cells, size_t nc, struct scn_coverage *c)
{
    memset(c, 0, sizeof(*c));
    snprintf(c->plan, sizeof(c->plan), "%s", p->name);
    c->cells = nc;
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < nc; i++) {
            const struct scn_result *res = cells[i].na ? NULL : scn_report_find(r, cells[i].id);
            bool ran = res && res->verdict != SCN_SKIP;
            if (pass == 0) {
                c->na += cells[i].na != NULL;
                c->applicable += !cells[i].na;
                c->passed += res && res->verdict == SCN_PASS;
                c->failed += ran && res->verdict != SCN_PASS;
                c->not_run += !cells[i].na && !ran;
            }
            if (!cells[i].na && (!res || res->verdict != SCN_PASS) && ran == (pass == 0))
                note_uncovered(c, cells[i].id);
        }
}

size_t scn_matrix_coverage(const struct scn_report *r, struct scn_coverage *ret, size_t max)
{
    size_t k = 0;

    for (size_t i = 0; i < ELEMENTSOF(plans) && k < max; i++) {
        _cleanup_free_ struct scn_cell_def *cells = NULL;
        char suite[48];
        bool present = false;
        size_t nc = 0;

        scn_matrix_suite(&plans[i], suite, sizeof(suite));
        for (size_t j = 0; j < r->n && !present; j++)
            present = strcmp(r->v[j].suite, suite) == 0;
        if (!present || scn_matrix_cells(&plans[i], &cells, &nc, NULL) < 0)
            continue;
        cover_plan(r, &plans[i], cells, nc, &ret[k++]);
    }
    return k;
}

double scn_coverage_percent(const struct scn_coverage *c)
{
    return c->applicable ? 100.0 * (double)c->passed / (double)c->applicable : 100.0;
}
