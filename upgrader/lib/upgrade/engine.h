/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * engine.h - the step engine every upgrade plan runs on.
 *
 * A plan is an ordered list of steps; each has `do` and `undo`, both
 * idempotent (running one twice, or after a crash half-way, is safe). The
 * engine records every step in the journal before its effect ("begin") and
 * after it ("done") through the plan's record callback, and passes three
 * failpoints per step:
 *     <plan>.<step>.before         before the journal records "begin"
 *     <plan>.<step>.after-effect   the effect is done, the journal still says "begin"
 *     <plan>.<step>.after-journal  the journal says "done"
 * Rollback walks `undo` from the recorded step down to the first, recording
 * each step as undone as it goes (so an interrupted rollback resumes), with
 * the points <plan>-rollback.<step>.{before,after-effect,after-journal}.
 * The failpoint list is the row set of the fault-coverage matrix.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "ogerror.h"

enum engine_state {
    ENGINE_BEGIN, /* the step's effect may be partly done */
    ENGINE_DONE,  /* the step's effect is complete */
};

struct engine_step {
    const char *name;  /* "switch-bin" */
    const char *title; /* what it does, for the operator and the README */
    int og_step;       /* openGauss's step number recorded while it runs */
    /* NULL: always; false: skipped (e.g. the catalog steps of a small upgrade) */
    bool (*applies)(void *ctx);
    int (*do_fn)(void *ctx, struct og_error *err);
    int (*undo_fn)(void *ctx, struct og_error *err); /* NULL: nothing to undo */
};

struct engine_plan {
    const char *name; /* "inplace" */
    const struct engine_step *steps;
    size_t n;
    /* Record that step index is in state (undoing = the rollback's record).
     * index -1 with ENGINE_DONE: nothing is done any more (rolled back). */
    int (*record)(void *ctx, int index, enum engine_state state, bool undoing,
                  struct og_error *err);
    /* Progress for the operator (may be NULL). */
    void (*progress)(void *ctx, int index, int percent);
};

/* Run steps [from, n) (from = 0 for a new run; a resumed run passes the
 * recorded step: a step recorded "begin" is done again, "done" is skipped).
 * Returns 0, or the failing step's code (its name in err's detail prefix);
 * *failed (may be NULL) gets the failing index. */
int engine_run(const struct engine_plan *p, size_t from, void *ctx, int *failed,
               struct og_error *err);

/* Undo steps from down to 0 (from = the recorded step, begin or done).
 * Returns 0 or the failing undo's code. */
int engine_rollback(const struct engine_plan *p, int from, void *ctx, struct og_error *err);

/* The three failpoints of a step: before, after-effect, after-journal. */
#define ENGINE_FP_KINDS 3

/* The name of step i's failpoint kind (0..ENGINE_FP_KINDS-1) of plan p or,
 * undo, of its rollback ("inplace-rollback.start.before"); a rollback has
 * points only for the steps with an undo. The matrix reads them by index. */
void engine_failpoint_name(const struct engine_plan *p, bool undo, size_t i, size_t kind, char *buf,
                           size_t size);

/* Register the plan's failpoints (do and rollback); idempotent. */
int engine_register_failpoints(const struct engine_plan *p);

/* A plan that keeps no step record (a commit: its first step writes a flag
 * every later step is idempotent under). */
int engine_record_none(void *ctx, int index, enum engine_state state, bool undoing,
                       struct og_error *err);

/* A step whose record is its whole effect (pre-commit). */
int engine_record_only(void *ctx, struct og_error *err);

/* The index of the step named name, or -1. */
int engine_step_index(const struct engine_plan *p, const char *name);
