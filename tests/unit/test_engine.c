/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * The step engine without a cluster: a toy plan whose steps append to a
 * trace; records, skips, failures, resumes, rollbacks and the failpoints.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "dynbuf.h"
#include "engine.h"
#include "failpoint.h"

struct toy {
    char trace[2048];
    int fail_at; /* do of this index fails; -1 none */
    bool large;
    bool record_ends_large; /* the rollback's record below step two clears large */
};

static void add(struct toy *t, const char *what, int i)
{
    size_t len = strlen(t->trace);
    snprintf(t->trace + len, sizeof(t->trace) - len, "%s%d ", what, i);
}

#define STEP(n)                                                                                    \
    static int do_##n(void *ctx, struct og_error *err)                                             \
    {                                                                                              \
        struct toy *t = ctx;                                                                       \
        if (t->fail_at == n)                                                                       \
            return og_error_set(err, OG_E_EXEC_FAILED, "step %d failed", n);                       \
        add(t, "do", n);                                                                           \
        return 0;                                                                                  \
    }                                                                                              \
    static int undo_##n(void *ctx, struct og_error *err)                                           \
    {                                                                                              \
        (void)err;                                                                                 \
        add(ctx, "undo", n);                                                                       \
        return 0;                                                                                  \
    }
STEP(0)
static int (*const unused_undo0)(void *, struct og_error *) __attribute__((unused)) = undo_0;
STEP(1)
STEP(2)
STEP(3)

static bool only_large(void *ctx)
{
    return ((struct toy *)ctx)->large;
}

static int record(void *ctx, int index, enum engine_state state, bool undoing, struct og_error *err)
{
    struct toy *t = ctx;
    size_t len = strlen(t->trace);
    (void)err;
    snprintf(t->trace + len, sizeof(t->trace) - len, "[%s%d%s] ", undoing ? "u" : "", index,
             state == ENGINE_BEGIN ? "b" : "d");
    if (undoing && t->record_ends_large && index < 2)
        t->large = false;
    return 0;
}

static const struct engine_step steps[] = {
    {"zero", "step zero", 0, NULL, do_0, NULL}, /* undo_0 unused: no undo */
    {"one", "step one", 2, NULL, do_1, undo_1},
    {"two", "step two (large)", 4, only_large, do_2, undo_2},
    {"three", "step three", 6, NULL, do_3, undo_3},
};

static const struct engine_plan toy_plan = {
    .name = "toy",
    .steps = steps,
    .n = 4,
    .record = record,
    .progress = NULL,
};

static void setup(void)
{
    engine_register_failpoints(&toy_plan);
    failpoint_reset();
}

TestSuite(engine, .init = setup);

Test(engine, runs_every_step_recording_before_and_after)
{
    struct toy t = {.fail_at = -1, .large = true};
    struct og_error err = {0};

    cr_assert_eq(engine_run(&toy_plan, 0, &t, NULL, &err), 0);
    cr_assert_str_eq(t.trace, "[0b] do0 [0d] [1b] do1 [1d] [2b] do2 [2d] [3b] do3 [3d] ");
}

Test(engine, skips_steps_that_do_not_apply)
{
    struct toy t = {.fail_at = -1, .large = false};
    struct og_error err = {0};

    cr_assert_eq(engine_run(&toy_plan, 0, &t, NULL, &err), 0);
    cr_assert_str_eq(t.trace, "[0b] do0 [0d] [1b] do1 [1d] [3b] do3 [3d] ");
}

Test(engine, failure_stops_after_begin_naming_the_step)
{
    struct toy t = {.fail_at = 2, .large = true};
    struct og_error err = {0};
    int failed = -1;

    cr_assert_eq(engine_run(&toy_plan, 0, &t, &failed, &err), -OG_E_EXEC_FAILED);
    cr_assert_eq(failed, 2);
    cr_assert_str_eq(t.trace, "[0b] do0 [0d] [1b] do1 [1d] [2b] ");
    cr_assert_not_null(strstr(err.detail, "step two"), "%s", err.detail);
}

Test(engine, resume_from_a_step)
{
    struct toy t = {.fail_at = -1, .large = true};
    struct og_error err = {0};

    cr_assert_eq(engine_run(&toy_plan, 2, &t, NULL, &err), 0);
    cr_assert_str_eq(t.trace, "[2b] do2 [2d] [3b] do3 [3d] ");
}

Test(engine, rollback_walks_down_moving_the_record)
{
    struct toy t = {.fail_at = -1, .large = true};
    struct og_error err = {0};

    cr_assert_eq(engine_rollback(&toy_plan, 3, &t, &err), 0);
    cr_assert_str_eq(t.trace, "[u3b] undo3 [u2d] [u2b] undo2 [u1d] [u1b] undo1 [u0d] [u-1d] ", "%s",
                     t.trace);
    /* from beyond the end: the last step */
    t.trace[0] = '\0';
    t.large = false;
    cr_assert_eq(engine_rollback(&toy_plan, 9, &t, &err), 0);
    cr_assert_str_eq(t.trace, "[u3b] undo3 [u2d] [u1d] [u1b] undo1 [u0d] [u-1d] ", "%s", t.trace);
}

Test(engine, failpoints_fire_at_their_places)
{
    struct toy t = {.fail_at = -1, .large = true};
    struct og_error err = {0};

    cr_assert_eq(failpoint_setup("toy.one.after-effect=fail:51400", &err), 0, "%s", err.detail);
    cr_assert_eq(engine_run(&toy_plan, 0, &t, NULL, &err), -51400);
    cr_assert_str_eq(t.trace, "[0b] do0 [0d] [1b] do1 ", "effect done, not recorded");
    failpoint_reset();
    t.trace[0] = '\0';
    cr_assert_eq(failpoint_setup("toy-rollback.three.before=fail:51626", &err), 0);
    cr_assert_eq(engine_rollback(&toy_plan, 3, &t, &err), -51626);
    cr_assert_str_eq(t.trace, "", "nothing undone before the point");
    failpoint_reset();
    /* a step without undo has no rollback points */
    cr_assert_eq(failpoint_setup("toy-rollback.zero.before=kill", &err), -OG_E_FAILPOINT);
}

/* What applies is decided once per step: a record that changes it (grey's
 * post-catalog applies while every node is at 4; its undo's record moves the
 * nodes to 3) still gets the step's after-journal point. */
Test(engine, rollback_point_after_a_record_that_changes_what_applies)
{
    struct toy t = {.fail_at = -1, .large = true, .record_ends_large = true};
    struct og_error err = {0};

    cr_assert_eq(failpoint_setup("toy-rollback.two.after-journal=fail:51626", &err), 0, "%s",
                 err.detail);
    cr_assert_eq(engine_rollback(&toy_plan, 3, &t, &err), -51626, "%s", t.trace);
    cr_assert_str_eq(t.trace, "[u3b] undo3 [u2d] [u2b] undo2 [u1d] ", "%s", t.trace);
    failpoint_reset();
}

Test(engine, failpoints_listed_and_step_lookup)
{
    _cleanup_dynbuf_ struct dynbuf out = {0};

    dynbuf_init(&out, 1 << 20);
    cr_assert_eq(failpoint_list_json(&out), 0);
    cr_assert_not_null(strstr(dynbuf_str(&out), "\"toy.two.after-journal\""));
    cr_assert_not_null(strstr(dynbuf_str(&out), "\"toy-rollback.one.before\""));
    cr_assert_null(strstr(dynbuf_str(&out), "\"toy-rollback.zero."));
    cr_assert_eq(engine_step_index(&toy_plan, "three"), 3);
    cr_assert_eq(engine_step_index(&toy_plan, "nope"), -1);
    cr_assert_eq(engine_register_failpoints(&toy_plan), 0, "idempotent");
}
