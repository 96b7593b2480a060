/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * matrix.h - the fault-coverage matrix: every failpoint of a plan (read
 * from the upgrader's step engine by index: engine_failpoint_name) x every
 * fault kind a scenario injects (fault/'s one table, enum fault_kind). Each
 * cell is a scenario: the fault strikes at that point (kill-upgrader: the
 * failpoint kills gs_upgradectl; the others: the failpoint pauses it, the
 * runner injects the fault and lets it go on), then both recoveries hold:
 * the re-run converges to the upgraded (or rolled back, or committed) end
 * state and auto-rollback converges to the exact pre-upgrade dump, with no
 * acknowledged write lost. Cells that cannot apply are declared in one
 * reviewed table (matrix.c: na_rules) with the reason, and counted apart.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "dynbuf.h"
#include "engine.h"
#include "faultkind.h"
#include "ogerror.h"
#include "report.h"
#include "scenario.h"

enum scn_matrix_action {
    MX_UPGRADE,  /* the fault strikes during auto-upgrade */
    MX_ROLLBACK, /* during auto-rollback from pre-commit */
    MX_COMMIT,   /* during commit-upgrade */
};

struct scn_matrix_plan {
    const char *name; /* "inplace", "inplace-rollback", "inplace-commit", "grey", ... */
    const struct engine_plan *plan;
    bool undo; /* the rollback's failpoints */
    enum scn_matrix_action action;
    const char *from, *to;  /* the upgrade the cells run */
    const char *flags;      /* gs_upgradectl's mode flags ("" or "--grey") */
    const char *rerun_exit; /* the re-run's exit attribute (NULL: the action's success) */
    const char *rerun_code; /* the code the re-run's alternative exit must name (or NULL) */
};

struct scn_cell_def {
    const struct scn_matrix_plan *plan;
    char point[128];
    enum fault_kind kind;
    char id[96];    /* "<point>.<kind>": the scenario's id */
    const char *na; /* NULL: applicable; else why it cannot apply */
    /* an upgrade cell recovered by auto-rollback first (from the faulted
     * state), then a fresh auto-upgrade; else the re-run first, then the
     * auto-rollback from the upgraded state. Alternating like a chessboard
     * (failpoint row + kind column odd), so every row and every kind is
     * recovered both ways from the faulted state. */
    bool rollback_first;
};

/* The plans, in order; one by name (NULL when unknown). */
size_t scn_matrix_plans(const struct scn_matrix_plan **ret);
const struct scn_matrix_plan *scn_matrix_plan(const char *name);

/* The cells of plan p, failpoints in plan order x kinds; *ret is malloc'ed. */
int scn_matrix_cells(const struct scn_matrix_plan *p, struct scn_cell_def **ret, size_t *n,
                     struct og_error *err);

/* One applicable cell as a scenario file (validated like any other). */
int scn_matrix_cell_xml(const struct scn_cell_def *c, struct dynbuf *out);

/* Every applicable cell of p into dir/<plan>/<id>.xml (dir created); *n
 * gets the count. */
int scn_matrix_write(const struct scn_matrix_plan *p, const char *dir, size_t *n,
                     struct og_error *err);

/* The suite of a plan's cells: "matrix-<plan>". */
void scn_matrix_suite(const struct scn_matrix_plan *p, char *buf, size_t size);

/* Coverage of one plan in a run: applicable cells passed / applicable. */
struct scn_coverage {
    char plan[32];
    size_t cells, applicable, na, passed, failed, not_run;
    char uncovered[2048]; /* the applicable cells not passed, blank separated (cut) */
};

/* Coverage of every plan with at least one cell in r (ret holds max). */
size_t scn_matrix_coverage(const struct scn_report *r, struct scn_coverage *ret, size_t max);

/* 100 * passed / applicable (100 when nothing applies). */
double scn_coverage_percent(const struct scn_coverage *c);
