/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * report.h - the results of a run and the three ways they are written:
 * JUnit XML (one testcase per scenario, libxml2's writer), JSON (json-c;
 * also read back by `ogscenario report` and `rerun --failed`) and one
 * self-contained HTML page (a summary bar, a row per scenario coloured by
 * its verdict, and the phase x fault heatmap).
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
int scn_result_add_cell(struct scn_result *res, const char *row, const char *column,
                        const char *how);
/* Rows: from the failpoint names ("inplace.catalog.after-effect" ->
 * "inplace.catalog"), de-duplicated in order, plus "no-journal". */
int scn_report_set_rows(struct scn_report *r, const char *const *failpoints, size_t n);

const char *scn_verdict_name(enum scn_verdict v); /* "pass", "fail", "error", "skip" */
/* counts per verdict into counts[4] */
void scn_report_counts(const struct scn_report *r, size_t counts[4]);

/* The matrix's columns (fault kinds), in display order. */
size_t scn_report_columns(const char *const **ret);

int scn_report_write_junit(const struct scn_report *r, const char *path, struct og_error *err);
int scn_report_write_json(const struct scn_report *r, const char *path, struct og_error *err);
int scn_report_write_html(const struct scn_report *r, const char *path, struct og_error *err);
/* The HTML page into a buffer (what write_html writes). */
int scn_report_html(const struct scn_report *r, struct dynbuf *out);
/* Read a report written by scn_report_write_json. */
int scn_report_load_json(const char *path, struct scn_report *ret, struct og_error *err);
