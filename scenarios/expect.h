/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * expect.h - expectations judged against what the runner observed. Pure
 * functions: the runner gathers the facts (struct scn_observed, a command's
 * result), these decide, so the rules are unit-tested without a cluster.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "journal.h"
#include "scenario.h"

#define SCN_OBS_MAX_NODES 16

struct scn_check {
    char what[160]; /* "step 3 upgrade: exit 0", "version 3.0.0 on every node" */
    bool pass;
    char detail[1024]; /* what was seen, when it failed (also when it passed, briefly) */
    int line;          /* in the scenario file */
};

struct scn_obs_node {
    char name[16];
    bool reachable;   /* answered (domain running) */
    char version[16]; /* "3.0.0" ("" when unknown) */
    bool journal;     /* binary_upgrade/upgrade_step.dat exists */
    int journal_step; /* its step */
    char journal_raw[96];
};

struct scn_observed {
    bool have_status;
    char cluster_state[16];
    size_t n_nodes;
    struct scn_obs_node nodes[SCN_OBS_MAX_NODES];
    /* the workload's check */
    bool have_workload;
    char workload_error[256];
    long long lost;      /* acknowledged writes missing, summed over nodes */
    long long gap_ms;    /* longest write gap */
    long long read_only; /* writes refused as read-only (not lost: never committed) */
    /* dumps: before the first upgrade, and now (NULL when not taken) */
    const char *dump_pre_all, *dump_now_all;
    const char *dump_pre_user, *dump_now_user;
};

/* "cluster_state Normal", "version 3.0.0 on every node", "journal step 6 on node2"... */
void scn_expect_describe(const struct scn_expect *e, char *buf, size_t size);

/* Judge e against o into ret (what, pass, detail, line). */
void scn_expect_eval(const struct scn_expect *e, const struct scn_observed *o,
                     struct scn_check *ret);

/* The checks of a gs_upgradectl step: exit (the step's or the action's
 * success code), code (its "[GAUSS-NNNNN]" in stdout or stderr), output (a
 * substring of stdout or stderr). exit_status / term_signal as in struct
 * command_result. Appends up to 3 checks to v (capacity max); returns how
 * many. index = the step's number (1-based) for the labels. */
size_t scn_action_eval(const struct scn_step *s, enum scn_step_kind action, size_t index,
                       int exit_status, int term_signal, const char *out, const char *err,
                       struct scn_check *v, size_t max);

/* "2.0.0" from sim_status's "2.0.0 (78689da9)" or gaussdb -V's
 * "gaussdb (openGauss 2.0.0 build ...)"; "" when none. */
void scn_version_of(const char *text, char *buf, size_t size);

/* scn_obs_node.journal_step of an upgrade_step.dat the journal's reader
 * refuses (journal_read_dat_in) */
#define SCN_JOURNAL_STEP_BAD (-100)

/* Where the journal is: the row of the coverage matrix for a record of
 * binary_upgrade/ogup_step ("inplace 5 catalog begin do seq=.." ->
 * "inplace.catalog", "... undo ..." -> "inplace-rollback.catalog"); "no-journal"
 * for NULL/empty. */
void scn_journal_row(const char *ogup_step, char *buf, size_t size);
/* The heatmap row of a failpoint: its name without the last component
 * ("inplace.catalog.after-effect" -> "inplace.catalog"). */
void scn_failpoint_row(const char *failpoint, char *buf, size_t size);

/* Has a record of binary_upgrade/ogup_step (journal_step_record_parse)
 * reached step index's begin (or done) in its direction (undo: a rollback
 * walks down)? A record past it counts: a poll may miss a short step. */
bool scn_jrec_reached(const struct journal_step_record *r, int step_index, bool done, bool undo);
