/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * report.c - results of a run; the JUnit XML writer (JSON: report_json.c,
 * HTML: report_html.c).
 */
#include <json-c/json.h>
#include <libxml/xmlwriter.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fs.h"
#include "matrix.h"
#include "report.h"
#include "strtable.h"
#include "banned.h"

static const char *const scn_verdict_table[] = {
    [SCN_PASS] = "pass",
    [SCN_FAIL] = "fail",
    [SCN_ERROR] = "error",
    [SCN_SKIP] = "skip",
};
STRTABLE_TO_STRING(scn_verdict_name, enum scn_verdict, scn_verdict_table, "error");
STRTABLE_FROM_STRING(scn_verdict_from_name, enum scn_verdict, scn_verdict_table, SCN_ERROR);

/* The matrix's columns: the failpoint actions, then the fault kinds a
 * scenario injects, from fault/'s one table (faultkind.c) */
static const char *const fp_columns[] = {"kill", "exit", "fail"};
static const char *columns[ELEMENTSOF(fp_columns) + FAULT_KIND_COUNT];

size_t scn_report_columns(const char *const **ret)
{
    static size_t n;

    if (n == 0) {
        for (size_t i = 0; i < ELEMENTSOF(fp_columns); i++)
            columns[n++] = fp_columns[i];
        for (int k = 0; k < FAULT_KIND_COUNT; k++)
            if (fault_kind_info((enum fault_kind)k)->in_scenarios)
                columns[n++] = fault_kind_name((enum fault_kind)k);
    }
    *ret = columns;
    return n;
}

void scn_report_init(struct scn_report *r, const char *run_id)
{
    memset(r, 0, sizeof(*r));
    snprintf(r->run_id, sizeof(r->run_id), "%s", run_id ? run_id : "");
}

void scn_result_done(struct scn_result *res)
{
    free(res->steps);
    free(res->checks);
    free(res->cells);
    free(res->events);
}

void scn_report_done(struct scn_report *r)
{
    for (size_t i = 0; i < r->n; i++)
        scn_result_done(&r->v[i]);
    free(r->v);
    for (size_t i = 0; i < r->n_rows; i++)
        free(r->rows[i]);
    free(r->rows);
    memset(r, 0, sizeof(*r));
}

struct scn_result *scn_report_add(struct scn_report *r, const char *id, const char *suite,
                                  const char *title, const char *file)
{
    struct scn_result *nv = realloc(r->v, (r->n + 1) * sizeof(*r->v)), *res;

    if (!nv)
        return NULL;
    r->v = nv;
    res = &r->v[r->n++];
    memset(res, 0, sizeof(*res));
    snprintf(res->id, sizeof(res->id), "%s", id ? id : "");
    snprintf(res->suite, sizeof(res->suite), "%s", suite ? suite : "");
    snprintf(res->title, sizeof(res->title), "%s", title ? title : "");
    snprintf(res->file, sizeof(res->file), "%s", file ? file : "");
    return res;
}

#define PUSH(arr, n, item)                                                                         \
    do {                                                                                           \
        void *nv_ = realloc((arr), ((n) + 1) * sizeof(*(arr)));                                    \
        if (!nv_)                                                                                  \
            return -OG_E_NOMEM;                                                                    \
        (arr) = nv_;                                                                               \
        (arr)[(n)++] = (item);                                                                     \
    } while (0)

int scn_result_add_step(struct scn_result *res, const struct scn_step_result *s)
{
    PUSH(res->steps, res->n_steps, *s);
    return 0;
}

int scn_result_add_check(struct scn_result *res, const struct scn_check *c)
{
    PUSH(res->checks, res->n_checks, *c);
    return 0;
}

int scn_result_add_event(struct scn_result *res, long long t_ms, const char *kind, const char *text)
{
    struct scn_event e = {.t_ms = t_ms};

    snprintf(e.kind, sizeof(e.kind), "%s", kind);
    snprintf(e.text, sizeof(e.text), "%s", text ? text : "");
    PUSH(res->events, res->n_events, e);
    return 0;
}

int scn_result_add_cell(struct scn_result *res, const char *row, const char *column,
                        const char *how)
{
    struct scn_cell c = {0};

    for (size_t i = 0; i < res->n_cells; i++)
        if (strcmp(res->cells[i].row, row) == 0 && strcmp(res->cells[i].column, column) == 0)
            return 0;
    snprintf(c.row, sizeof(c.row), "%s", row);
    snprintf(c.column, sizeof(c.column), "%s", column);
    snprintf(c.how, sizeof(c.how), "%s", how ? how : "");
    PUSH(res->cells, res->n_cells, c);
    return 0;
}

int scn_report_add_row(struct scn_report *r, const char *row)
{
    char *dup;

    for (size_t i = 0; i < r->n_rows; i++)
        if (strcmp(r->rows[i], row) == 0)
            return 0;
    dup = strdup(row);
    if (!dup)
        return -OG_E_NOMEM;
    PUSH(r->rows, r->n_rows, dup);
    return 0;
}

int scn_report_set_rows(struct scn_report *r, const char *const *failpoints, size_t n)
{
    int rc = 0;

    for (size_t i = 0; rc == 0 && i < n; i++) {
        char row[128];
        if (!failpoints[i] || !strchr(failpoints[i], '.'))
            continue;
        scn_failpoint_row(failpoints[i], row, sizeof(row));
        rc = scn_report_add_row(r, row);
    }
    if (rc == 0)
        rc = scn_report_add_row(r, "no-journal");
    return rc;
}

bool scn_report_suite_tally(const struct scn_report *r, size_t i, size_t *n, size_t counts[4],
                            double *seconds)
{
    for (size_t k = 0; k < i; k++)
        if (strcmp(r->v[k].suite, r->v[i].suite) == 0)
            return false;
    *n = 0;
    *seconds = 0;
    counts[0] = counts[1] = counts[2] = counts[3] = 0;
    for (size_t k = i; k < r->n; k++)
        if (strcmp(r->v[k].suite, r->v[i].suite) == 0) {
            (*n)++;
            counts[r->v[k].verdict <= SCN_SKIP ? r->v[k].verdict : SCN_ERROR]++;
            *seconds += r->v[k].seconds;
        }
    return true;
}

struct scn_result *scn_report_find(const struct scn_report *r, const char *id)
{
    for (size_t i = 0; i < r->n; i++)
        if (strcmp(r->v[i].id, id) == 0)
            return &r->v[i];
    return NULL;
}

void scn_report_counts(const struct scn_report *r, size_t counts[4])
{
    counts[0] = counts[1] = counts[2] = counts[3] = 0;
    for (size_t i = 0; i < r->n; i++)
        counts[r->v[i].verdict <= SCN_SKIP ? r->v[i].verdict : SCN_ERROR]++;
}

/* ---- JUnit ---------------------------------------------------------------------------------- */

void scn_result_failure_text(const struct scn_result *res, struct dynbuf *b)
{
    for (size_t i = 0; i < res->n_checks; i++) {
        const struct scn_check *c = &res->checks[i];
        dynbuf_addf(b, "%s %s (line %d): %s\n", c->pass ? "ok  " : "FAIL", c->what, c->line,
                    c->detail);
    }
}

void scn_result_steps_text(const struct scn_result *res, struct dynbuf *b)
{
    for (size_t i = 0; i < res->n_steps; i++) {
        const struct scn_step_result *s = &res->steps[i];
        dynbuf_addf(b, "%s %6.1fs %s%s%s\n", s->ok ? "ok  " : "FAIL", s->seconds, s->label,
                    s->detail[0] ? ": " : "", s->detail);
    }
    if (res->bundle[0])
        dynbuf_addf(b, "bundle: %s\n", res->bundle);
}

#define W(call)                                                                                    \
    do {                                                                                           \
        if ((call) < 0)                                                                            \
            goto cleanup;                                                                          \
    } while (0)

/* Per matrix plan in the run: one <testsuite name="matrix-PLAN.na"> with a
 * skipped <testcase> per N/A cell (its reason), and the plan's coverage as
 * properties: the cells that cannot apply are counted apart, not hidden. */
static int junit_na(xmlTextWriterPtr w, const struct scn_report *r)
{
    struct scn_coverage cov[8];
    size_t n = scn_matrix_coverage(r, cov, ELEMENTSOF(cov));

    for (size_t i = 0; i < n; i++) {
        const struct scn_matrix_plan *p = scn_matrix_plan(cov[i].plan);
        _cleanup_free_ struct scn_cell_def *cells = NULL;
        char suite[64];
        size_t nc = 0;

        if (!p || scn_matrix_cells(p, &cells, &nc, NULL) < 0)
            return -1;
        snprintf(suite, sizeof(suite), "matrix-%s.na", p->name);
        W(xmlTextWriterStartElement(w, BAD_CAST "testsuite"));
        W(xmlTextWriterWriteAttribute(w, BAD_CAST "name", BAD_CAST suite));
        W(xmlTextWriterWriteFormatAttribute(w, BAD_CAST "tests", "%zu", cov[i].na));
        W(xmlTextWriterWriteFormatAttribute(w, BAD_CAST "skipped", "%zu", cov[i].na));
        W(xmlTextWriterStartElement(w, BAD_CAST "properties"));
        W(xmlTextWriterStartElement(w, BAD_CAST "property"));
        W(xmlTextWriterWriteAttribute(w, BAD_CAST "name", BAD_CAST "fault-coverage"));
        W(xmlTextWriterWriteFormatAttribute(w, BAD_CAST "value", "%zu/%zu (%.1f%%), %zu N/A",
                                            cov[i].passed, cov[i].applicable,
                                            scn_coverage_percent(&cov[i]), cov[i].na));
        W(xmlTextWriterEndElement(w));
        W(xmlTextWriterEndElement(w));
        for (size_t k = 0; k < nc; k++) {
            char msg[600];
            if (!cells[k].na)
                continue;
            snprintf(msg, sizeof(msg), "N/A: %s", cells[k].na);
            W(xmlTextWriterStartElement(w, BAD_CAST "testcase"));
            W(xmlTextWriterWriteAttribute(w, BAD_CAST "classname", BAD_CAST suite));
            W(xmlTextWriterWriteAttribute(w, BAD_CAST "name", BAD_CAST cells[k].id));
            W(xmlTextWriterStartElement(w, BAD_CAST "skipped"));
            W(xmlTextWriterWriteAttribute(w, BAD_CAST "message", BAD_CAST msg));
            W(xmlTextWriterEndElement(w));
            W(xmlTextWriterEndElement(w));
        }
        W(xmlTextWriterEndElement(w));
    }
    return 0;
cleanup:
    return -1;
}

int scn_report_write_junit(const struct scn_report *r, const char *path, struct og_error *err)
{
    xmlBufferPtr buf = xmlBufferCreate();
    xmlTextWriterPtr w = buf ? xmlNewTextWriterMemory(buf, 0) : NULL;
    size_t counts[4];
    int rc = -1;

    if (!w) {
        if (buf)
            xmlBufferFree(buf);
        return og_error_set(err, OG_E_NOMEM, "JUnit report");
    }
    scn_report_counts(r, counts);
    xmlTextWriterSetIndent(w, 1);
    W(xmlTextWriterStartDocument(w, NULL, "UTF-8", NULL));
    W(xmlTextWriterStartElement(w, BAD_CAST "testsuites"));
    W(xmlTextWriterWriteAttribute(w, BAD_CAST "name", BAD_CAST "ogscenario"));
    W(xmlTextWriterWriteFormatAttribute(w, BAD_CAST "tests", "%zu", r->n));
    W(xmlTextWriterWriteFormatAttribute(w, BAD_CAST "failures", "%zu", counts[SCN_FAIL]));
    W(xmlTextWriterWriteFormatAttribute(w, BAD_CAST "errors", "%zu", counts[SCN_ERROR]));
    W(xmlTextWriterWriteFormatAttribute(w, BAD_CAST "skipped", "%zu", counts[SCN_SKIP]));
    W(xmlTextWriterWriteFormatAttribute(w, BAD_CAST "time", "%.3f", r->seconds));
    /* one <testsuite> per suite, in order of first appearance */
    for (size_t i = 0; i < r->n; i++) {
        size_t n = 0, c[4] = {0};
        double t = 0;

        if (!scn_report_suite_tally(r, i, &n, c, &t))
            continue;
        W(xmlTextWriterStartElement(w, BAD_CAST "testsuite"));
        W(xmlTextWriterWriteAttribute(w, BAD_CAST "name", BAD_CAST r->v[i].suite));
        W(xmlTextWriterWriteFormatAttribute(w, BAD_CAST "tests", "%zu", n));
        W(xmlTextWriterWriteFormatAttribute(w, BAD_CAST "failures", "%zu", c[SCN_FAIL]));
        W(xmlTextWriterWriteFormatAttribute(w, BAD_CAST "errors", "%zu", c[SCN_ERROR]));
        W(xmlTextWriterWriteFormatAttribute(w, BAD_CAST "skipped", "%zu", c[SCN_SKIP]));
        W(xmlTextWriterWriteFormatAttribute(w, BAD_CAST "time", "%.3f", t));
        if (r->started[0])
            W(xmlTextWriterWriteAttribute(w, BAD_CAST "timestamp", BAD_CAST r->started));
        for (size_t k = i; k < r->n; k++) {
            const struct scn_result *res = &r->v[k];
            _cleanup_dynbuf_ struct dynbuf text = {0};

            if (strcmp(res->suite, r->v[i].suite) != 0)
                continue;
            dynbuf_init(&text, 1 << 20);
            W(xmlTextWriterStartElement(w, BAD_CAST "testcase"));
            W(xmlTextWriterWriteAttribute(w, BAD_CAST "classname", BAD_CAST res->suite));
            W(xmlTextWriterWriteAttribute(w, BAD_CAST "name", BAD_CAST res->id));
            W(xmlTextWriterWriteAttribute(w, BAD_CAST "file", BAD_CAST res->file));
            W(xmlTextWriterWriteFormatAttribute(w, BAD_CAST "time", "%.3f", res->seconds));
            if (res->verdict == SCN_FAIL || res->verdict == SCN_ERROR) {
                scn_result_failure_text(res, &text);
                W(xmlTextWriterStartElement(
                    w, BAD_CAST(res->verdict == SCN_FAIL ? "failure" : "error")));
                W(xmlTextWriterWriteAttribute(w, BAD_CAST "message", BAD_CAST res->message));
                W(xmlTextWriterWriteString(w, BAD_CAST dynbuf_str(&text)));
                if (dynbuf_error(&text))
                    W(xmlTextWriterWriteString(w, BAD_CAST " [... the rest did not fit]"));
                W(xmlTextWriterEndElement(w));
            } else if (res->verdict == SCN_SKIP) {
                W(xmlTextWriterStartElement(w, BAD_CAST "skipped"));
                W(xmlTextWriterWriteAttribute(w, BAD_CAST "message", BAD_CAST res->message));
                W(xmlTextWriterEndElement(w));
            }
            dynbuf_reset(&text);
            scn_result_steps_text(res, &text);
            W(xmlTextWriterStartElement(w, BAD_CAST "system-out"));
            W(xmlTextWriterWriteString(w, BAD_CAST dynbuf_str(&text)));
            if (dynbuf_error(&text))
                W(xmlTextWriterWriteString(w, BAD_CAST " [... the rest did not fit]"));
            W(xmlTextWriterEndElement(w));
            W(xmlTextWriterEndElement(w)); /* testcase */
        }
        W(xmlTextWriterEndElement(w)); /* testsuite */
    }
    W(junit_na(w, r));
    W(xmlTextWriterEndElement(w));
    W(xmlTextWriterEndDocument(w));
    rc = 0;
cleanup:
    xmlFreeTextWriter(w);
    if (rc == 0)
        rc = fs_replace_file(path, xmlBufferContent(buf), (size_t)xmlBufferLength(buf), 0644, err);
    else
        rc = og_error_set(err, OG_E_WRITE_FAILED, "writing the JUnit report %s", path);
    xmlBufferFree(buf);
    return rc;
}
