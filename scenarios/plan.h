/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * plan.h - a scenario as the runner will play it, in words (printed before
 * every run and by `ogscenario plan`).
 */
#pragma once

#include <stddef.h>

#include "dynbuf.h"
#include "engine.h"
#include "scenario.h"

/* One line for step s (no newline): "upgrade: gs_upgradectl -t auto-upgrade ...". */
void scn_step_describe(const struct scenario *sc, size_t index, char *buf, size_t size);

/* The whole plan: header, cluster, numbered steps with their faults and
 * failpoints, the final expectations. */
int scn_plan(const struct scenario *sc, struct dynbuf *out);

/* The OGUP_FAILPOINTS value of a step ("" when none). */
void scn_failpoint_spec(const struct scn_step *s, char *buf, size_t size);

/* The previous action a rerun repeats (SCN_UPGRADE when none). */
enum scn_step_kind scn_rerun_action(const struct scenario *sc, size_t index);

/* The plan whose steps a fault's `when` names at step index: grey when the
 * upgrade at or before it asks for it (--grey, -h, --continue), else the
 * in-place plan. */
const struct engine_plan *scn_step_plan(const struct scenario *sc, size_t index);
