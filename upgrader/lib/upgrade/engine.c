/* SPDX-License-Identifier: MulanPSL-2.0 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "failpoint.h"
#include "banned.h"

#define FP_NAME_MAX 128

static const char *const fp_kinds[ENGINE_FP_KINDS] = {"before", "after-effect", "after-journal"};

void engine_failpoint_name(const struct engine_plan *p, bool undo, size_t i, size_t kind, char *buf,
                           size_t size)
{
    snprintf(buf, size, "%s%s.%s.%s", p->name, undo ? "-rollback" : "", p->steps[i].name,
             fp_kinds[kind]);
}

static int hit(const struct engine_plan *p, bool undo, size_t i, size_t kind, struct og_error *err)
{
    char name[FP_NAME_MAX];

    engine_failpoint_name(p, undo, i, kind, name, sizeof(name));
    return failpoint_hit(name, err);
}

/* Registered plans (failpoint_register_all keeps the array). */
#define PLANS_MAX 8
static const struct engine_plan *registered[PLANS_MAX];

int engine_register_failpoints(const struct engine_plan *p)
{
    struct failpoint_def *defs;
    size_t k = 0, n_plans;

    for (n_plans = 0; n_plans < PLANS_MAX && registered[n_plans]; n_plans++)
        if (registered[n_plans] == p)
            return 0;
    if (n_plans == PLANS_MAX)
        return -OG_E_INVALID_ARG;
    defs = calloc(p->n * 6, sizeof(*defs));
    if (!defs)
        return -OG_E_NOMEM;
    for (int undo = 0; undo < 2; undo++)
        for (size_t i = 0; i < p->n; i++) {
            if (undo && !p->steps[i].undo_fn)
                continue;
            for (size_t kind = 0; kind < 3; kind++) {
                char name[FP_NAME_MAX], desc[256];
                engine_failpoint_name(p, undo, i, kind, name, sizeof(name));
                snprintf(desc, sizeof(desc), "%s %s: %s", undo ? "undo" : "do", fp_kinds[kind],
                         p->steps[i].title);
                defs[k].name = strdup(name);
                defs[k].description = strdup(desc);
                if (!defs[k].name || !defs[k].description)
                    return -OG_E_NOMEM;
                k++;
            }
        }
    registered[n_plans] = p;
    return failpoint_register_all(defs, k);
}

int engine_record_none(void *ctx, int index, enum engine_state state, bool undoing,
                       struct og_error *err)
{
    (void)ctx;
    (void)index;
    (void)state;
    (void)undoing;
    (void)err;
    return 0;
}

int engine_record_only(void *ctx, struct og_error *err)
{
    (void)ctx;
    (void)err;
    return 0;
}

int engine_step_index(const struct engine_plan *p, const char *name)
{
    for (size_t i = 0; i < p->n; i++)
        if (strcmp(p->steps[i].name, name) == 0)
            return (int)i;
    return -1;
}

static bool applies(const struct engine_plan *p, size_t i, void *ctx)
{
    return !p->steps[i].applies || p->steps[i].applies(ctx);
}

int engine_run(const struct engine_plan *p, size_t from, void *ctx, int *failed,
               struct og_error *err)
{
    for (size_t i = from; i < p->n; i++) {
        int r;
        if (!applies(p, i, ctx))
            continue;
        r = hit(p, false, i, 0, err);
        if (r == 0)
            r = p->record(ctx, (int)i, ENGINE_BEGIN, false, err);
        if (r == 0)
            r = p->steps[i].do_fn(ctx, err);
        if (r == 0)
            r = hit(p, false, i, 1, err);
        if (r == 0)
            r = p->record(ctx, (int)i, ENGINE_DONE, false, err);
        if (r == 0)
            r = hit(p, false, i, 2, err);
        if (r < 0) {
            og_error_prefix(err, "step %s", p->steps[i].name);
            if (failed)
                *failed = (int)i;
            return r;
        }
        if (p->progress)
            p->progress(ctx, (int)i, (int)((i + 1) * 100 / p->n));
    }
    return 0;
}

int engine_rollback(const struct engine_plan *p, int from, void *ctx, struct og_error *err)
{
    if (from >= (int)p->n)
        from = (int)p->n - 1;
    for (int i = from; i >= 0; i--) {
        /* decided once: the record below may change what applies (grey's
         * post-catalog applies while every node is at 4) */
        bool undo = p->steps[i].undo_fn && applies(p, (size_t)i, ctx);
        int r = 0;
        if (undo) {
            r = hit(p, true, (size_t)i, 0, err);
            if (r == 0)
                r = p->record(ctx, i, ENGINE_BEGIN, true, err);
            if (r == 0)
                r = p->steps[i].undo_fn(ctx, err);
            if (r == 0)
                r = hit(p, true, (size_t)i, 1, err);
        }
        /* undone: the record moves below this step */
        if (r == 0)
            r = p->record(ctx, i - 1, ENGINE_DONE, true, err);
        if (r == 0 && undo)
            r = hit(p, true, (size_t)i, 2, err);
        if (r < 0) {
            og_error_prefix(err, "rollback of step %s", p->steps[i].name);
            return r;
        }
        if (p->progress)
            p->progress(ctx, i, (int)((p->n - (size_t)i) * 100 / p->n));
    }
    return 0;
}
