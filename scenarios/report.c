/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * report.c - results of a run; JUnit XML, JSON and HTML writers; JSON reader.
 */
#include <json-c/json.h>
#include <libxml/xmlwriter.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fs.h"
#include "report.h"
#include "banned.h"

#define REPORT_FORMAT   1
#define REPORT_MAX_JSON (64u * 1024 * 1024)

static const char *const verdict_names[] = {"pass", "fail", "error", "skip"};

/* The matrix's columns: the failpoint actions, then the fault kinds a
 * scenario injects, from fault/'s one table (ledger.c) */
static const char *const fp_columns[] = {"kill", "exit", "fail"};
static const char *columns[ELEMENTSOF(fp_columns) + FAULT_KIND_COUNT];

const char *scn_verdict_name(enum scn_verdict v)
{
    return (size_t)v < ELEMENTSOF(verdict_names) ? verdict_names[v] : "error";
}

static enum scn_verdict verdict_from_name(const char *s)
{
    for (size_t i = 0; i < ELEMENTSOF(verdict_names); i++)
        if (strcmp(verdict_names[i], s) == 0)
            return (enum scn_verdict)i;
    return SCN_ERROR;
}

size_t scn_report_columns(const char *const **ret)
{
    static size_t n;

    if (n == 0) {
        for (size_t i = 0; i < ELEMENTSOF(fp_columns); i++)
            columns[n++] = fp_columns[i];
        for (int k = 0; k < FAULT_KIND_COUNT; k++)
            if (scn_fault_kind_from_name(fault_kind_name((enum fault_kind)k)) >= 0)
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

static void result_done(struct scn_result *res)
{
    free(res->steps);
    free(res->checks);
    free(res->cells);
}

void scn_report_done(struct scn_report *r)
{
    for (size_t i = 0; i < r->n; i++)
        result_done(&r->v[i]);
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

static int add_row(struct scn_report *r, const char *row)
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
        const char *dot = failpoints[i] ? strrchr(failpoints[i], '.') : NULL;
        if (!dot)
            continue;
        snprintf(row, sizeof(row), "%.*s", (int)(dot - failpoints[i]), failpoints[i]);
        rc = add_row(r, row);
    }
    if (rc == 0)
        rc = add_row(r, "no-journal");
    return rc;
}

void scn_report_counts(const struct scn_report *r, size_t counts[4])
{
    counts[0] = counts[1] = counts[2] = counts[3] = 0;
    for (size_t i = 0; i < r->n; i++)
        counts[r->v[i].verdict <= SCN_SKIP ? r->v[i].verdict : SCN_ERROR]++;
}

/* ---- JUnit ---------------------------------------------------------------------------------- */

static void failure_text(const struct scn_result *res, struct dynbuf *b)
{
    for (size_t i = 0; i < res->n_checks; i++) {
        const struct scn_check *c = &res->checks[i];
        dynbuf_appendf(b, "%s %s (line %d): %s\n", c->pass ? "ok  " : "FAIL", c->what, c->line,
                       c->detail);
    }
}

static void steps_text(const struct scn_result *res, struct dynbuf *b)
{
    for (size_t i = 0; i < res->n_steps; i++) {
        const struct scn_step_result *s = &res->steps[i];
        dynbuf_appendf(b, "%s %6.1fs %s%s%s\n", s->ok ? "ok  " : "FAIL", s->seconds, s->label,
                       s->detail[0] ? ": " : "", s->detail);
    }
    if (res->bundle[0])
        dynbuf_appendf(b, "bundle: %s\n", res->bundle);
}

#define W(call)                                                                                    \
    do {                                                                                           \
        if ((call) < 0)                                                                            \
            goto cleanup;                                                                          \
    } while (0)

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
        bool seen = false;
        size_t n = 0, c[4] = {0};
        double t = 0;

        for (size_t k = 0; k < i && !seen; k++)
            seen = strcmp(r->v[k].suite, r->v[i].suite) == 0;
        if (seen)
            continue;
        for (size_t k = i; k < r->n; k++)
            if (strcmp(r->v[k].suite, r->v[i].suite) == 0) {
                n++;
                c[r->v[k].verdict <= SCN_SKIP ? r->v[k].verdict : SCN_ERROR]++;
                t += r->v[k].seconds;
            }
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
                failure_text(res, &text);
                W(xmlTextWriterStartElement(
                    w, BAD_CAST(res->verdict == SCN_FAIL ? "failure" : "error")));
                W(xmlTextWriterWriteAttribute(w, BAD_CAST "message", BAD_CAST res->message));
                W(xmlTextWriterWriteString(w, BAD_CAST dynbuf_str(&text)));
                W(xmlTextWriterEndElement(w));
            } else if (res->verdict == SCN_SKIP) {
                W(xmlTextWriterStartElement(w, BAD_CAST "skipped"));
                W(xmlTextWriterWriteAttribute(w, BAD_CAST "message", BAD_CAST res->message));
                W(xmlTextWriterEndElement(w));
            }
            dynbuf_reset(&text);
            steps_text(res, &text);
            W(xmlTextWriterWriteElement(w, BAD_CAST "system-out", BAD_CAST dynbuf_str(&text)));
            W(xmlTextWriterEndElement(w)); /* testcase */
        }
        W(xmlTextWriterEndElement(w)); /* testsuite */
    }
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

/* ---- JSON ----------------------------------------------------------------------------------- */

static json_object *jstr(const char *s)
{
    return json_object_new_string(s ? s : "");
}

static json_object *result_json(const struct scn_result *res)
{
    json_object *o = json_object_new_object(), *steps = json_object_new_array(),
                *checks = json_object_new_array(), *cells = json_object_new_array();

    json_object_object_add(o, "id", jstr(res->id));
    json_object_object_add(o, "suite", jstr(res->suite));
    json_object_object_add(o, "title", jstr(res->title));
    json_object_object_add(o, "file", jstr(res->file));
    json_object_object_add(o, "bundle", jstr(res->bundle));
    json_object_object_add(o, "verdict", jstr(scn_verdict_name(res->verdict)));
    json_object_object_add(o, "message", jstr(res->message));
    json_object_object_add(o, "seconds", json_object_new_double(res->seconds));
    json_object_object_add(o, "reset_seconds", json_object_new_double(res->reset_seconds));
    for (size_t i = 0; i < res->n_steps; i++) {
        json_object *s = json_object_new_object();
        json_object_object_add(s, "label", jstr(res->steps[i].label));
        json_object_object_add(s, "line", json_object_new_int(res->steps[i].line));
        json_object_object_add(s, "seconds", json_object_new_double(res->steps[i].seconds));
        json_object_object_add(s, "ok", json_object_new_boolean(res->steps[i].ok));
        json_object_object_add(s, "detail", jstr(res->steps[i].detail));
        json_object_array_add(steps, s);
    }
    for (size_t i = 0; i < res->n_checks; i++) {
        json_object *c = json_object_new_object();
        json_object_object_add(c, "what", jstr(res->checks[i].what));
        json_object_object_add(c, "pass", json_object_new_boolean(res->checks[i].pass));
        json_object_object_add(c, "detail", jstr(res->checks[i].detail));
        json_object_object_add(c, "line", json_object_new_int(res->checks[i].line));
        json_object_array_add(checks, c);
    }
    for (size_t i = 0; i < res->n_cells; i++) {
        json_object *c = json_object_new_object();
        json_object_object_add(c, "row", jstr(res->cells[i].row));
        json_object_object_add(c, "column", jstr(res->cells[i].column));
        json_object_object_add(c, "how", jstr(res->cells[i].how));
        json_object_array_add(cells, c);
    }
    json_object_object_add(o, "steps", steps);
    json_object_object_add(o, "checks", checks);
    json_object_object_add(o, "cells", cells);
    return o;
}

int scn_report_write_json(const struct scn_report *r, const char *path, struct og_error *err)
{
    json_object *o = json_object_new_object(), *rows = json_object_new_array(),
                *v = json_object_new_array(), *counts = json_object_new_object();
    size_t c[4];
    const char *text;
    int rc;

    scn_report_counts(r, c);
    json_object_object_add(o, "format", json_object_new_int(REPORT_FORMAT));
    json_object_object_add(o, "run_id", jstr(r->run_id));
    json_object_object_add(o, "started", jstr(r->started));
    json_object_object_add(o, "seconds", json_object_new_double(r->seconds));
    json_object_object_add(o, "host", jstr(r->host));
    for (size_t i = 0; i < 4; i++)
        json_object_object_add(counts, verdict_names[i], json_object_new_int64((int64_t)c[i]));
    json_object_object_add(o, "counts", counts);
    for (size_t i = 0; i < r->n_rows; i++)
        json_object_array_add(rows, jstr(r->rows[i]));
    json_object_object_add(o, "rows", rows);
    for (size_t i = 0; i < r->n; i++)
        json_object_array_add(v, result_json(&r->v[i]));
    json_object_object_add(o, "scenarios", v);
    text =
        json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE);
    rc = text ? fs_replace_file(path, text, strlen(text), 0644, err)
              : og_error_set(err, OG_E_NOMEM, "JSON report");
    json_object_put(o);
    return rc;
}

static const char *gets_(json_object *o, const char *key)
{
    json_object *v;

    return json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_string)
               ? json_object_get_string(v)
               : "";
}

static double getd(json_object *o, const char *key)
{
    json_object *v;

    return json_object_object_get_ex(o, key, &v) ? json_object_get_double(v) : 0;
}

static json_object *geta(json_object *o, const char *key)
{
    json_object *v;

    return json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_array) ? v
                                                                                            : NULL;
}

static int load_result(struct scn_report *r, json_object *s)
{
    struct scn_result *res =
        scn_report_add(r, gets_(s, "id"), gets_(s, "suite"), gets_(s, "title"), gets_(s, "file"));
    json_object *a, *v;
    int rc = 0;

    if (!res)
        return -OG_E_NOMEM;
    snprintf(res->bundle, sizeof(res->bundle), "%s", gets_(s, "bundle"));
    snprintf(res->message, sizeof(res->message), "%s", gets_(s, "message"));
    res->verdict = verdict_from_name(gets_(s, "verdict"));
    res->seconds = getd(s, "seconds");
    res->reset_seconds = getd(s, "reset_seconds");
    if ((a = geta(s, "steps")))
        for (size_t i = 0; rc == 0 && i < json_object_array_length(a); i++) {
            struct scn_step_result st = {0};
            json_object *e = json_object_array_get_idx(a, i);
            snprintf(st.label, sizeof(st.label), "%s", gets_(e, "label"));
            snprintf(st.detail, sizeof(st.detail), "%s", gets_(e, "detail"));
            st.line = (int)getd(e, "line");
            st.seconds = getd(e, "seconds");
            st.ok = json_object_object_get_ex(e, "ok", &v) && json_object_get_boolean(v);
            rc = scn_result_add_step(res, &st);
        }
    if ((a = geta(s, "checks")))
        for (size_t i = 0; rc == 0 && i < json_object_array_length(a); i++) {
            struct scn_check c = {0};
            json_object *e = json_object_array_get_idx(a, i);
            snprintf(c.what, sizeof(c.what), "%s", gets_(e, "what"));
            snprintf(c.detail, sizeof(c.detail), "%s", gets_(e, "detail"));
            c.line = (int)getd(e, "line");
            c.pass = json_object_object_get_ex(e, "pass", &v) && json_object_get_boolean(v);
            rc = scn_result_add_check(res, &c);
        }
    if ((a = geta(s, "cells")))
        for (size_t i = 0; rc == 0 && i < json_object_array_length(a); i++) {
            json_object *e = json_object_array_get_idx(a, i);
            rc = scn_result_add_cell(res, gets_(e, "row"), gets_(e, "column"), gets_(e, "how"));
        }
    return rc;
}

int scn_report_load_json(const char *path, struct scn_report *ret, struct og_error *err)
{
    _cleanup_free_ char *text = NULL;
    json_object *o, *a;
    int rc = fs_read_file(path, REPORT_MAX_JSON, &text, NULL, err);

    if (rc < 0)
        return rc;
    o = json_tokener_parse(text);
    if (!o || !json_object_is_type(o, json_type_object)) {
        json_object_put(o);
        return og_error_set(err, OG_E_CONTENT_INVALID, "%s is not a report of ogscenario", path);
    }
    scn_report_init(ret, gets_(o, "run_id"));
    snprintf(ret->started, sizeof(ret->started), "%s", gets_(o, "started"));
    snprintf(ret->host, sizeof(ret->host), "%s", gets_(o, "host"));
    ret->seconds = getd(o, "seconds");
    if ((a = geta(o, "rows")))
        for (size_t i = 0; rc == 0 && i < json_object_array_length(a); i++)
            rc = add_row(ret, json_object_get_string(json_object_array_get_idx(a, i)));
    if ((a = geta(o, "scenarios")))
        for (size_t i = 0; rc == 0 && i < json_object_array_length(a); i++)
            rc = load_result(ret, json_object_array_get_idx(a, i));
    json_object_put(o);
    if (rc < 0) {
        scn_report_done(ret);
        return og_error_set(err, -rc, "reading %s", path);
    }
    return 0;
}

/* ---- HTML ------------------------------------------------------------------------------------ */

static void esc(struct dynbuf *b, const char *s)
{
    for (; s && *s; s++) {
        switch (*s) {
        case '<':
            dynbuf_appends(b, "&lt;");
            break;
        case '>':
            dynbuf_appends(b, "&gt;");
            break;
        case '&':
            dynbuf_appends(b, "&amp;");
            break;
        case '"':
            dynbuf_appends(b, "&quot;");
            break;
        default:
            dynbuf_append(b, s, 1);
        }
    }
}

static const char css[] =
    "body{font:14px/1.4 system-ui,-apple-system,'Segoe UI',sans-serif;margin:24px;color:#1d2330;"
    "background:#fafbfc}\n"
    "h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px}\n"
    ".meta{color:#5b6372;margin-bottom:14px}\n"
    ".bar{display:flex;height:34px;border-radius:6px;overflow:hidden;box-shadow:0 1px 2px "
    "#0002;margin:8px 0}\n"
    ".bar div{display:flex;align-items:center;justify-content:center;color:#fff;font-weight:600;"
    "white-space:nowrap;overflow:hidden;min-width:6em}\n"
    ".pass{background:#2e9e4f}.fail{background:#d73a3a}.error{background:#b5651d}"
    ".skip{background:#8a93a3}.none{background:#e8ebef;color:#8a93a3}\n"
    ".counts span{display:inline-block;margin-right:16px;font-weight:600}\n"
    ".counts .c-pass{color:#2e9e4f}.counts .c-fail{color:#d73a3a}.counts .c-error{color:#b5651d}"
    "\n"
    "table{border-collapse:collapse;background:#fff;box-shadow:0 1px 2px #0002}\n"
    "th,td{border:1px solid #dde1e6;padding:4px 8px;text-align:left;vertical-align:top}\n"
    "th{background:#f0f2f5;font-weight:600}\n"
    "td.v{color:#fff;font-weight:700;text-transform:uppercase;text-align:center;width:52px}\n"
    "td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}\n"
    ".t{color:#5b6372;font-size:12px}\n"
    "tr.row-pass td.msg{color:#5b6372}\n"
    "tr.row-fail td.msg,tr.row-error td.msg{color:#a11}\n"
    "details summary{cursor:pointer;color:#3b5bdb}\n"
    "details pre{white-space:pre-wrap;font-size:12px;margin:4px 0;max-width:900px}\n"
    ".heat td{text-align:center;min-width:58px;font-weight:600}\n"
    ".heat td.rowname{text-align:left;font-family:monospace;font-weight:400;white-space:nowrap}\n"
    ".heat td.pass,.heat td.fail{color:#fff}\n"
    ".legend span{display:inline-block;padding:2px 10px;margin-right:6px;border-radius:3px;"
    "color:#fff}\n"
    ".legend span.none{color:#5b6372}\n";

struct cell_tally {
    size_t pass, fail;
    char who[512];
};

static void tally(const struct scn_report *r, const char *row, const char *col,
                  struct cell_tally *t)
{
    memset(t, 0, sizeof(*t));
    for (size_t i = 0; i < r->n; i++)
        for (size_t k = 0; k < r->v[i].n_cells; k++) {
            const struct scn_cell *c = &r->v[i].cells[k];
            size_t n;
            if (strcmp(c->row, row) != 0 || strcmp(c->column, col) != 0)
                continue;
            if (r->v[i].verdict == SCN_PASS)
                t->pass++;
            else if (r->v[i].verdict != SCN_SKIP)
                t->fail++;
            n = strlen(t->who);
            snprintf(t->who + n, sizeof(t->who) - n, "%s%s (%s)", n ? ", " : "", r->v[i].id,
                     scn_verdict_name(r->v[i].verdict));
        }
}

static void html_heatmap(const struct scn_report *r, struct dynbuf *b)
{
    char **rows = r->rows;
    size_t n_rows = r->n_rows;
    const char **extra = NULL;
    const char *const *cols;
    size_t n_extra = 0, n_cols;

    /* rows the results name that the row list lacks come last */
    for (size_t i = 0; i < r->n; i++)
        for (size_t k = 0; k < r->v[i].n_cells; k++) {
            const char *row = r->v[i].cells[k].row;
            bool known = false;
            for (size_t j = 0; j < n_rows && !known; j++)
                known = strcmp(rows[j], row) == 0;
            for (size_t j = 0; j < n_extra && !known; j++)
                known = strcmp(extra[j], row) == 0;
            if (!known) {
                const char **nv = realloc(extra, (n_extra + 1) * sizeof(*extra));
                if (!nv)
                    continue;
                extra = nv;
                extra[n_extra++] = row;
            }
        }
    dynbuf_appends(b, "<h2>Phase &times; fault</h2>\n<p class=\"legend\">"
                      "<span class=\"pass\">pass</span><span class=\"fail\">fail</span>"
                      "<span class=\"none\">not covered</span> rows: the upgrader's plan steps "
                      "(where the journal was when the fault struck); columns: failpoint actions "
                      "and ogfault's faults. The number is how many scenarios hit the cell.</p>\n"
                      "<table class=\"heat\" id=\"heatmap\">\n<tr><th>step</th>");
    n_cols = scn_report_columns(&cols);
    for (size_t c = 0; c < n_cols; c++) {
        dynbuf_appends(b, "<th>");
        esc(b, cols[c]);
        dynbuf_appends(b, "</th>");
    }
    dynbuf_appends(b, "</tr>\n");
    for (size_t i = 0; i < n_rows + n_extra; i++) {
        const char *row = i < n_rows ? rows[i] : extra[i - n_rows];
        dynbuf_appends(b, "<tr><td class=\"rowname\">");
        esc(b, row);
        dynbuf_appends(b, "</td>");
        for (size_t c = 0; c < n_cols; c++) {
            struct cell_tally t;
            tally(r, row, cols[c], &t);
            if (t.pass + t.fail == 0) {
                dynbuf_appends(b, "<td class=\"none\">&middot;</td>");
                continue;
            }
            dynbuf_appendf(b, "<td class=\"%s\" title=\"", t.fail ? "fail" : "pass");
            esc(b, t.who);
            if (t.fail)
                dynbuf_appendf(b, "\">%zu/%zu</td>", t.fail, t.pass + t.fail);
            else
                dynbuf_appendf(b, "\">%zu</td>", t.pass);
        }
        dynbuf_appends(b, "</tr>\n");
    }
    dynbuf_appends(b, "</table>\n");
    free(extra);
}

static void html_row(const struct scn_result *res, struct dynbuf *b)
{
    const char *v = scn_verdict_name(res->verdict);
    _cleanup_dynbuf_ struct dynbuf t = {0};

    dynbuf_init(&t, 1 << 20);
    dynbuf_appendf(b, "<tr class=\"row-%s\" id=\"s-", v);
    esc(b, res->id);
    dynbuf_appendf(b, "\"><td class=\"v %s\">%s</td><td>", v, v);
    esc(b, res->suite);
    dynbuf_appends(b, "</td><td><b>");
    esc(b, res->id);
    dynbuf_appends(b, "</b><div class=\"t\">");
    esc(b, res->title);
    dynbuf_appendf(b, "</div></td><td class=\"num\">%.1f s</td><td class=\"msg\">", res->seconds);
    esc(b, res->message[0] ? res->message : "all expectations held");
    dynbuf_appends(b, "<details><summary>checks, steps");
    if (res->bundle[0])
        dynbuf_appends(b, ", bundle");
    dynbuf_appends(b, "</summary><pre>");
    failure_text(res, &t);
    dynbuf_appends(&t, "\n");
    steps_text(res, &t);
    esc(b, dynbuf_str(&t));
    dynbuf_appends(b, "</pre>");
    if (res->bundle[0]) {
        dynbuf_appends(b, "<a href=\"");
        esc(b, res->bundle);
        dynbuf_appends(b, "/\">bundle</a> &middot; <a href=\"");
        esc(b, res->bundle);
        dynbuf_appends(b, "/scenario.xml\">scenario file</a> &middot; <a href=\"");
        esc(b, res->bundle);
        dynbuf_appends(b, "/plan.txt\">plan</a>");
    }
    dynbuf_appends(b, "</details></td></tr>\n");
}

int scn_report_html(const struct scn_report *r, struct dynbuf *b)
{
    size_t c[4];
    static const char *const labels[] = {"passed", "failed", "errors", "skipped"};

    scn_report_counts(r, c);
    dynbuf_appends(b, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
                      "<title>ogscenario ");
    esc(b, r->run_id);
    dynbuf_appendf(b, ": %zu passed, %zu failed</title>\n<style>\n%s</style></head>\n<body>\n",
                   c[SCN_PASS], c[SCN_FAIL] + c[SCN_ERROR], css);
    dynbuf_appends(b, "<h1>ogscenario run ");
    esc(b, r->run_id);
    dynbuf_appends(b, "</h1>\n<div class=\"meta\">");
    esc(b, r->started);
    dynbuf_appendf(b, " &middot; %zu scenarios &middot; %.0f s", r->n, r->seconds);
    if (r->host[0]) {
        dynbuf_appends(b, " &middot; ");
        esc(b, r->host);
    }
    dynbuf_appends(b, "</div>\n<div class=\"counts\" id=\"summary\">");
    for (size_t i = 0; i < 4; i++)
        dynbuf_appendf(b, "<span class=\"c-%s\">%zu %s</span>", verdict_names[i], c[i], labels[i]);
    dynbuf_appends(b, "</div>\n<div class=\"bar\">");
    for (size_t i = 0; i < 4; i++)
        if (c[i])
            dynbuf_appendf(b, "<div class=\"%s\" style=\"flex:%zu\">%zu %s</div>", verdict_names[i],
                           c[i], c[i], labels[i]);
    if (r->n == 0)
        dynbuf_appends(b, "<div class=\"none\" style=\"flex:1\">no scenarios</div>");
    dynbuf_appends(b, "</div>\n");

    /* per suite: how many, how they went, how long */
    dynbuf_appends(b, "<h2>Suites</h2>\n<table id=\"suites\">\n<tr><th>suite</th><th>scenarios"
                      "</th><th>passed</th><th>failed</th><th>errors</th><th>time</th></tr>\n");
    for (size_t i = 0; i < r->n; i++) {
        size_t n = 0, k4[4] = {0};
        double t = 0;
        bool seen = false;

        for (size_t k = 0; k < i && !seen; k++)
            seen = strcmp(r->v[k].suite, r->v[i].suite) == 0;
        if (seen)
            continue;
        for (size_t k = i; k < r->n; k++)
            if (strcmp(r->v[k].suite, r->v[i].suite) == 0) {
                n++;
                k4[r->v[k].verdict <= SCN_SKIP ? r->v[k].verdict : SCN_ERROR]++;
                t += r->v[k].seconds;
            }
        dynbuf_appendf(b, "<tr class=\"row-%s\"><td>",
                       k4[SCN_FAIL] || k4[SCN_ERROR] ? "fail" : "pass");
        esc(b, r->v[i].suite);
        dynbuf_appendf(b,
                       "</td><td class=\"num\">%zu</td><td class=\"num\">%zu</td>"
                       "<td class=\"num\">%zu</td><td class=\"num\">%zu</td>"
                       "<td class=\"num\">%.0f s</td></tr>\n",
                       n, k4[SCN_PASS], k4[SCN_FAIL], k4[SCN_ERROR], t);
    }
    dynbuf_appends(b, "</table>\n");

    html_heatmap(r, b);
    dynbuf_appends(b, "<h2>Scenarios</h2>\n<table id=\"scenarios\">\n<tr><th>verdict</th>"
                      "<th>suite</th><th>scenario</th><th>time</th><th>first failure / "
                      "details</th></tr>\n");
    /* what went wrong first, then the rest, each in run order */
    for (size_t i = 0; i < r->n; i++)
        if (r->v[i].verdict == SCN_FAIL || r->v[i].verdict == SCN_ERROR)
            html_row(&r->v[i], b);
    for (size_t i = 0; i < r->n; i++)
        if (r->v[i].verdict != SCN_FAIL && r->v[i].verdict != SCN_ERROR)
            html_row(&r->v[i], b);
    dynbuf_appends(b, "</table>\n");
    return dynbuf_appends(b, "</body></html>\n");
}

int scn_report_write_html(const struct scn_report *r, const char *path, struct og_error *err)
{
    _cleanup_dynbuf_ struct dynbuf b = {0};
    int rc;

    dynbuf_init(&b, 64u * 1024 * 1024);
    rc = scn_report_html(r, &b);
    if (rc < 0)
        return og_error_set(err, -rc, "HTML report");
    return fs_replace_file(path, b.buf ? b.buf : "", b.len, 0644, err);
}
