/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * report.h - the results of a run and the three ways they are written:
 * JUnit XML (one testcase per scenario, libxml2's writer), JSON (json-c;
 * also read back by `ogscenario report` and `rerun --failed`) and one
 * self-contained HTML page (report_html.c: a summary bar, the fault
 * coverage per matrix plan, the phase x fault heatmap, a row per scenario
 * coloured by its verdict with its timeline and workload figures).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "dynbuf.h"
#include "expect.h"
#include "ogerror.h"

enum scn_verdict {
    SCN_PASS,
    SCN_FAIL,  /* an expectation did not hold */
    SCN_ERROR, /* the harness could not play it (cluster, command, sweep) */
    SCN_SKIP,
};

/* One step as played. */
struct scn_step_result {
    char label[200];
    int line;
    double seconds;
    bool ok;
    char detail[512];
};

/* A cell of the coverage matrix this scenario exercised: row = a plan step
 * ("inplace.catalog", "inplace-rollback.start", "no-journal"), column = a
 * fault kind ("kill", "exit", "fail" for failpoint actions; ogfault's kinds). */
struct scn_cell {
    char row[64];
    char column[24];
    char how[160]; /* "failpoint inplace.catalog.after-effect=kill" */
};

/* An event of the scenario's timeline, on one monotonic clock: ms since the
 * scenario started. kind: "step" (a step began), "fault", "heal",
 * "failpoint" (a paused one released), "gap" (the workload's longest). */
struct scn_event {
    long long t_ms;
    char kind[16];
    char text[256];
};

/* The client workload's figures (ogsim workload check), when it ran. */
struct scn_workload {
    bool have;
    long long acked, in_doubt, lost, read_only, reconnects;
    double p99_ms;
    double gap_ms;    /* the longest interval without an acknowledged write */
    long long gap_at; /* its start on the timeline (ms); -1 unknown */
};

struct scn_result {
    char id[96];
    char suite[48];
    char title[208];
    char file[4096];
    char bundle[4096];
    enum scn_verdict verdict;
    char message[1024]; /* the first failure or the error */
    double seconds;
    double reset_seconds;
    struct scn_step_result *steps;
    size_t n_steps;
    struct scn_check *checks;
    size_t n_checks;
    struct scn_cell *cells;
    size_t n_cells;
    struct scn_event *events;
    size_t n_events;
    struct scn_workload wl;
};

struct scn_report {
    char run_id[64];
    char started[32]; /* ISO 8601, UTC */
    double seconds;
    char host[64];
    struct scn_result *v;
    size_t n;
    /* the matrix rows, in plan order (the upgrader's failpoints' steps) */
    char **rows;
    size_t n_rows;
};

void scn_report_init(struct scn_report *r, const char *run_id);
void scn_report_done(struct scn_report *r);
/* A new result at the end (zeroed, id/suite/title/file set); NULL on ENOMEM. */
struct scn_result *scn_report_add(struct scn_report *r, const char *id, const char *suite,
                                  const char *title, const char *file);
int scn_result_add_step(struct scn_result *res, const struct scn_step_result *s);
int scn_result_add_check(struct scn_result *res, const struct scn_check *c);
int scn_result_add_event(struct scn_result *res, long long t_ms, const char *kind,
                         const char *text);
int scn_result_add_cell(struct scn_result *res, const char *row, const char *column,
                        const char *how);
/* Rows: from the failpoint names ("inplace.catalog.after-effect" ->
 * "inplace.catalog"), de-duplicated in order, plus "no-journal". */
int scn_report_set_rows(struct scn_report *r, const char *const *failpoints, size_t n);

const char *scn_verdict_name(enum scn_verdict v);      /* "pass", "fail", "error", "skip" */
enum scn_verdict scn_verdict_from_name(const char *s); /* unknown: error */
/* The result of scenario id in r, or NULL. */
struct scn_result *scn_report_find(const struct scn_report *r, const char *id);
/* A matrix row at the end unless it is there already. */
int scn_report_add_row(struct scn_report *r, const char *row);
/* The suite of result i, when i is its first result: how many results it
 * has, their counts per verdict and their time (false: not its first). */
bool scn_report_suite_tally(const struct scn_report *r, size_t i, size_t *n, size_t counts[4],
                            double *seconds);
/* counts per verdict into counts[4] */
void scn_report_counts(const struct scn_report *r, size_t counts[4]);

/* The matrix's columns (fault kinds), in display order. */
size_t scn_report_columns(const char *const **ret);

int scn_report_write_junit(const struct scn_report *r, const char *path, struct og_error *err);
int scn_report_write_json(const struct scn_report *r, const char *path, struct og_error *err);
int scn_report_write_html(const struct scn_report *r, const char *path, struct og_error *err);
/* The HTML page into a buffer (what write_html writes). */
int scn_report_html(const struct scn_report *r, struct dynbuf *out);
/* A result's checks ("ok  "/"FAIL" what (line N): detail), then its steps
 * and bundle, one a line: the JUnit testcase's text and the HTML details. */
void scn_result_failure_text(const struct scn_result *res, struct dynbuf *b);
void scn_result_steps_text(const struct scn_result *res, struct dynbuf *b);
/* Free what a result holds (its steps, checks, cells, events). */
void scn_result_done(struct scn_result *res);
/* Add the scenarios of the report at path into r (a result of an id r has
 * replaces it): shards' runs joined into one. */
int scn_report_merge_json(struct scn_report *r, const char *path, struct og_error *err);
/* Read a report written by scn_report_write_json. */
int scn_report_load_json(const char *path, struct scn_report *ret, struct og_error *err);
