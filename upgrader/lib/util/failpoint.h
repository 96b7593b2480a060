/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * failpoint.h - named failpoints (libfiu) compiled into the upgrader, inert
 * unless enabled: the only bridge from the product to the test harness.
 *
 * A failpoint is declared once, in the static list a module passes to
 * failpoint_register_all() (the upgrade's plans and journal: one registry,
 * grey_register_failpoints() in grey.h), and hit with
 *     r = failpoint_hit("inplace.switch-bin.before", err);
 *     if (r < 0) return r;
 * The environment variable OGUP_FAILPOINTS enables points, comma separated:
 *     name=fail:CODE      the hit returns -CODE (e.g. fail:51400)
 *     name=exit:N         the process exits with status N (no cleanup)
 *     name=kill           the process SIGKILLs itself
 *     name=pause          the process writes "name pid" to the file
 *                         $OGUP_FAILPOINT_PAUSE_FILE (it appears whole:
 *                         written beside it, then linked) and waits until it is
 *                         removed (deadline $OGUP_FAILPOINT_PAUSE_S, 300 s):
 *                         the harness strikes a fault at exactly this point
 *     name=...@K          the action fires on the K-th hit only (1-based)
 * A name may end with '*' to enable every point with that prefix. Names not
 * registered are refused (OGUP-60091), so a typo never passes silently.
 * Only a test build has the hook (failpoint_available()).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "dynbuf.h"
#include "ogerror.h"

#define FAILPOINT_ENV            "OGUP_FAILPOINTS"
#define FAILPOINT_PAUSE_FILE_ENV "OGUP_FAILPOINT_PAUSE_FILE"
#define FAILPOINT_PAUSE_S_ENV    "OGUP_FAILPOINT_PAUSE_S"

struct failpoint_def {
    const char *name;
    const char *description;
};

/* Register points (the array must outlive the process). */
int failpoint_register_all(const struct failpoint_def *defs, size_t n);

/* Parse OGUP_FAILPOINTS (or spec when non-NULL) and enable the points.
 * 0, or -OG_E_FAILPOINT (unknown name / bad action); nothing is enabled then. */
int failpoint_setup(const char *spec, struct og_error *err);

/* Disable everything (tests). */
void failpoint_reset(void);

/* At a failpoint: 0 when inert; otherwise the action (fail returns -code). */
int failpoint_hit(const char *name, struct og_error *err);

/* The registered points as JSON: [{"name":…, "description":…}, …] */
int failpoint_list_json(struct dynbuf *out);

size_t failpoint_count(void);

/* Whether this build has the hook: a test build (meson -Dfailpoints, by
 * default on when the test suites are built). Without it OGUP_FAILPOINTS is
 * ignored, failpoint_setup() refuses a spec handed in (OGUP-60091) and no
 * point fires: the shipped tools are built so. */
bool failpoint_available(void);
