/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * The fault-coverage matrix without a cluster: its cells come from the
 * upgrader's registry (every failpoint of the plan, by index) x fault/'s
 * kinds; N/A cells are the reviewed table's; every cell is a valid scenario
 * striking at its failpoint; shards split deterministically; coverage and
 * the merge of shards' results count what they should.
 */
#include <criterion/criterion.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine.h"
#include "fs.h"
#include "inplace.h"
#include "matrix.h"
#include "report.h"
#include "runner.h"
#include "scenario.h"

#include "../helpers/tmpdir.h"

/* The kinds a scenario injects: fault/'s table without "failpoint". */
static size_t kinds(void)
{
    size_t n = 0;

    for (int k = 0; k < FAULT_KIND_COUNT; k++)
        n += fault_kind_info((enum fault_kind)k)->in_scenarios;
    return n;
}

Test(matrix, inplace_cells_are_the_registry_times_the_kinds)
{
    const struct scn_matrix_plan *p = scn_matrix_plan("inplace");
    struct scn_cell_def *cells = NULL;
    struct og_error err = {0};
    size_t n = 0, na = 0, points = 0;
    const char *const *fps;
    size_t n_fps = scn_failpoints(&fps);

    cr_assert_not_null(p);
    for (size_t i = 0; i < n_fps; i++)
        points += strncmp(fps[i], "inplace.", 8) == 0;
    cr_assert_eq(points, inplace_plan.n * ENGINE_FP_KINDS, "every step has three points");
    cr_assert_eq(scn_matrix_cells(p, &cells, &n, &err), 0, "%s", err.detail);
    cr_assert_eq(n, points * kinds(), "%zu cells for %zu points", n, points);
    for (size_t i = 0; i < n; i++) {
        cr_assert(scn_failpoint_known(cells[i].point), "%s", cells[i].point);
        if (cells[i].na) {
            na++;
            /* the reviewed table: only kill-db while no database runs */
            cr_assert_eq(cells[i].kind, FAULT_KILL_DB, "%s", cells[i].id);
        }
    }
    cr_assert_eq(na, 9, "stop-cluster's effect (2), backup (3), install (3), start.before (1)");
    cr_assert_geq(n - na, 100, "the issue asks for at least 100 applicable cells");
    cr_assert_str_eq(cells[0].id, "inplace.record.before.kill-upgrader");
    free(cells);
}

Test(matrix, rollback_has_points_only_where_a_step_undoes)
{
    const struct scn_matrix_plan *p = scn_matrix_plan("inplace-rollback");
    struct scn_cell_def *cells = NULL;
    size_t n = 0, undo = 0;

    for (size_t i = 0; i < inplace_plan.n; i++)
        undo += inplace_plan.steps[i].undo_fn != NULL;
    size_t na = 0;

    cr_assert_eq(scn_matrix_cells(p, &cells, &n, NULL), 0);
    cr_assert_eq(n, undo * ENGINE_FP_KINDS * kinds());
    for (size_t i = 0; i < n; i++) {
        cr_assert(strncmp(cells[i].point, "inplace-rollback.", 17) == 0, "%s", cells[i].point);
        na += cells[i].na != NULL;
    }
    /* kill-db where the rollback runs on stopped instances: switch-bin's
     * effect (2), catalog, start, install, backup (12), stop-cluster.before */
    cr_assert_eq(na, 15);
    free(cells);
    cr_assert_null(scn_matrix_plan("inplace-sideways"));
}

/* Every applicable cell of every plan is a valid scenario; the faulted
 * action strikes at its failpoint. */
Test(matrix, every_cell_is_a_valid_scenario)
{
    const struct scn_matrix_plan *plans;
    size_t n_plans = scn_matrix_plans(&plans), total = 0, rollback_first = 0;

    for (size_t k = 0; k < n_plans; k++) {
        struct scn_cell_def *cells = NULL;
        size_t n = 0;
        cr_assert_eq(scn_matrix_cells(&plans[k], &cells, &n, NULL), 0);
        for (size_t i = 0; i < n; i++) {
            _cleanup_dynbuf_ struct dynbuf b = {0};
            struct og_error err = {0};
            struct scenario *sc = NULL;
            const struct scn_step *s = NULL;
            if (cells[i].na)
                continue;
            dynbuf_init(&b, 1 << 16);
            cr_assert_eq(scn_matrix_cell_xml(&cells[i], &b), 0);
            cr_assert_eq(scenario_parse_memory(b.buf, b.len, cells[i].id, &sc, &err), 0,
                         "%s: %s\n%s", cells[i].id, err.detail, b.buf);
            cr_assert_str_eq(sc->id, cells[i].id);
            for (size_t j = 0; j < sc->n_steps && !s; j++)
                if (sc->steps[j].n_fps)
                    s = &sc->steps[j];
            cr_assert_not_null(s, "%s: no faulted action", cells[i].id);
            cr_assert_str_eq(s->fps[0].name, cells[i].point);
            if (cells[i].kind == FAULT_KILL_UPGRADER) {
                cr_assert_str_eq(s->fps[0].action, "kill");
                cr_assert_eq(s->exit_code, SCN_EXIT_KILLED);
                cr_assert_eq(s->n_during, 0);
            } else {
                cr_assert_str_eq(s->fps[0].action, "pause");
                cr_assert_eq(s->n_during, 1);
                cr_assert(s->during[0].at_failpoint);
                cr_assert_eq(s->during[0].kind, cells[i].kind);
            }
            /* both recoveries from the faulted state, in the chessboard's
             * order, each checked; the user data equal to before at the end */
            if (cells[i].rollback_first) {
                const struct scn_step *last = &sc->steps[sc->n_steps - 1];
                cr_assert_eq(cells[i].plan->action, MX_UPGRADE);
                cr_assert_eq(last->kind, SCN_UPGRADE, "%s: a fresh upgrade last", cells[i].id);
                cr_assert_eq(sc->steps[sc->n_steps - 2].kind, SCN_CHECK);
                cr_assert_eq(sc->steps[sc->n_steps - 3].kind, SCN_ROLLBACK);
                rollback_first++;
            } else {
                cr_assert(sc->steps[sc->n_steps - 1].kind == SCN_ROLLBACK ||
                          sc->steps[sc->n_steps - 1].kind == SCN_RERUN);
            }
            cr_assert_eq(sc->expects[sc->n_expects - 1].kind, SCN_E_DUMP);
            scenario_free(sc);
            total++;
        }
        free(cells);
    }
    cr_assert_gt(total, 600);
    /* half of the upgrade plans' cells (inplace 240, grey 192), N/A ones aside */
    cr_assert(rollback_first > 190 && rollback_first < 216, "%zu rollback-first", rollback_first);
}

Test(matrix, shards_partition_deterministically_and_evenly)
{
    const struct scn_matrix_plan *p = scn_matrix_plan("inplace");
    struct scn_cell_def *cells = NULL;
    size_t n = 0;

    cr_assert_eq(scn_matrix_cells(p, &cells, &n, NULL), 0);
    const char **ids = calloc(n, sizeof(*ids)), **rev = calloc(n, sizeof(*rev));
    unsigned *to = calloc(n, sizeof(*to)), *to_rev = calloc(n, sizeof(*to_rev));
    cr_assert(ids && rev && to && to_rev);
    for (size_t i = 0; i < n; i++)
        ids[i] = rev[n - 1 - i] = cells[i].id;
    for (unsigned shards = 1; shards <= 5; shards++) {
        size_t count[5] = {0}, kind_count[5][FAULT_KIND_COUNT] = {{0}};

        cr_assert_eq(scn_shard_assign(ids, n, shards, to), 0);
        cr_assert_eq(scn_shard_assign(rev, n, shards, to_rev), 0);
        for (size_t i = 0; i < n; i++) {
            cr_assert_lt(to[i], shards);
            cr_assert_eq(to_rev[n - 1 - i], to[i], "%s: the load order does not matter", ids[i]);
            count[to[i]]++;
            kind_count[to[i]][cells[i].kind]++;
        }
        for (unsigned s = 0; s < shards; s++) {
            cr_assert_geq(count[s], n / shards, "shard %u of %u: %zu of %zu", s, shards, count[s],
                          n);
            cr_assert_leq(count[s], n / shards + 1, "shard %u of %u: %zu of %zu", s, shards,
                          count[s], n);
            /* Every shard gets some of each kind (29 of each kind are dealt). */
            for (int k = 0; k < FAULT_KIND_COUNT && shards > 1; k++)
                if (fault_kind_info((enum fault_kind)k)->in_scenarios)
                    cr_assert_gt(kind_count[s][k], 0, "shard %u of %u has no %s", s, shards,
                                 fault_kind_name((enum fault_kind)k));
        }
    }
    free(ids);
    free(rev);
    free(to);
    free(to_rev);
    free(cells);
}

static void add(struct scn_report *r, const char *id, const char *suite, enum scn_verdict v)
{
    struct scn_result *res = scn_report_add(r, id, suite, "t", "f");
    cr_assert_not_null(res);
    res->verdict = v;
}

Test(matrix, coverage_counts_passed_over_applicable)
{
    struct scn_report r;
    struct scn_coverage cov[8];
    size_t n;

    scn_report_init(&r, "cov");
    add(&r, "inplace.record.before.disk-full", "matrix-inplace", SCN_PASS);
    add(&r, "inplace.record.before.net-cut", "matrix-inplace", SCN_PASS);
    add(&r, "inplace.catalog.after-effect.freeze", "matrix-inplace", SCN_FAIL);
    add(&r, "inplace.catalog.before.kill-db", "matrix-inplace", SCN_SKIP);
    add(&r, "retry-kill-switch-bin", "retry", SCN_PASS); /* not a cell */
    n = scn_matrix_coverage(&r, cov, 8);
    cr_assert_eq(n, 1, "only the plan with cells in the run");
    cr_assert_str_eq(cov[0].plan, "inplace");
    cr_assert_eq(cov[0].cells, 240);
    cr_assert_eq(cov[0].na, 9);
    cr_assert_eq(cov[0].applicable, 231);
    cr_assert_eq(cov[0].passed, 2);
    cr_assert_eq(cov[0].failed, 1);
    cr_assert_eq(cov[0].not_run, 228);
    cr_assert_not_null(strstr(cov[0].uncovered, "inplace.catalog.after-effect.freeze"));
    cr_assert_null(strstr(cov[0].uncovered, "inplace.record.before.disk-full"));
    cr_assert_float_eq(scn_coverage_percent(&cov[0]), 200.0 / 231, 1e-9);
    scn_report_done(&r);
}

/* a test's own scratch directory, removed by its .fini */
static char scratch[PATH_MAX];

static void scratch_done(void)
{
    tmpdir_remove(scratch);
}

/* Two shards' results merge into one report: every scenario once, a later
 * result of an id replacing the earlier, the coverage of the whole. */
Test(matrix, merge_joins_shards, .fini = scratch_done)
{
    char a[PATH_MAX + 16], b[PATH_MAX + 16];
    struct scn_report r1, r2, m;
    struct og_error err = {0};
    struct scn_coverage cov[8];

    cr_assert_eq(tmpdir_make("matrix", scratch, sizeof(scratch)), 0);
    snprintf(a, sizeof(a), "%s/a.json", scratch);
    snprintf(b, sizeof(b), "%s/b.json", scratch);
    scn_report_init(&r1, "s1");
    add(&r1, "inplace.record.before.disk-full", "matrix-inplace", SCN_PASS);
    add(&r1, "inplace.record.before.net-cut", "matrix-inplace", SCN_FAIL);
    r1.seconds = 100;
    scn_report_init(&r2, "s2");
    add(&r2, "inplace.record.before.freeze", "matrix-inplace", SCN_PASS);
    add(&r2, "inplace.record.before.net-cut", "matrix-inplace", SCN_PASS); /* re-run: passes */
    r2.seconds = 140;
    cr_assert_eq(scn_report_write_json(&r1, a, &err), 0, "%s", err.detail);
    cr_assert_eq(scn_report_write_json(&r2, b, &err), 0, "%s", err.detail);
    scn_report_init(&m, "merged");
    cr_assert_eq(scn_report_merge_json(&m, a, &err), 0, "%s", err.detail);
    cr_assert_eq(scn_report_merge_json(&m, b, &err), 0, "%s", err.detail);
    cr_assert_eq(m.n, 3);
    cr_assert_eq(m.seconds, 140, "shards run side by side: the longest");
    cr_assert_eq(scn_matrix_coverage(&m, cov, 8), 1);
    cr_assert_eq(cov[0].passed, 3);
    cr_assert_eq(cov[0].failed, 0);
    cr_assert_neq(scn_report_merge_json(&m, "/nonexistent/results.json", &err), 0);
    scn_report_done(&r1);
    scn_report_done(&r2);
    scn_report_done(&m);
}

/* Shards started in the same second get run directories of their own (two
 * shards sharing --out once replaced each other's cell files). */
Test(matrix, run_ids_are_claimed_not_shared, .fini = scratch_done)
{
    char out[PATH_MAX + 16], a[64], b[64], c[64], path[PATH_MAX + 96];
    struct og_error err = {0};

    cr_assert_eq(tmpdir_make("matrix", scratch, sizeof(scratch)), 0);
    snprintf(out, sizeof(out), "%s/out", scratch);
    cr_assert_eq(scn_run_claim_id(out, 1, 2, a, sizeof(a), &err), 0, "%s", err.detail);
    cr_assert_eq(scn_run_claim_id(out, 1, 2, b, sizeof(b), &err), 0, "%s", err.detail);
    cr_assert_eq(scn_run_claim_id(out, 2, 2, c, sizeof(c), &err), 0, "%s", err.detail);
    cr_assert_not_null(strstr(a, "-s1of2"), "%s", a);
    cr_assert_not_null(strstr(c, "-s2of2"), "%s", c);
    cr_assert_str_neq(a, b);
    snprintf(path, sizeof(path), "%s/%s", out, b);
    cr_assert_eq(access(path, F_OK), 0, "claimed means made: %s", path);
}
