/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * report_json.c - a run's results as JSON (json-c): written after every
 * scenario, read back by `ogscenario report`, `rerun --failed` and
 * `report --merge`.
 */
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fs.h"
#include "matrix.h"
#include "report.h"
#include "banned.h"

#define REPORT_FORMAT   1
#define REPORT_MAX_JSON (64u * 1024 * 1024)

/* ---- JSON ----------------------------------------------------------------------------------- */

static json_object *jstr(const char *s)
{
    return json_object_new_string(s ? s : "");
}

static json_object *result_json(const struct scn_result *res)
{
    json_object *o = json_object_new_object(), *steps = json_object_new_array(),
                *checks = json_object_new_array(), *cells = json_object_new_array(),
                *events = json_object_new_array();

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
    for (size_t i = 0; i < res->n_events; i++) {
        json_object *e = json_object_new_object();
        json_object_object_add(e, "t_ms", json_object_new_int64(res->events[i].t_ms));
        json_object_object_add(e, "kind", jstr(res->events[i].kind));
        json_object_object_add(e, "text", jstr(res->events[i].text));
        json_object_array_add(events, e);
    }
    json_object_object_add(o, "events", events);
    if (res->wl.have) {
        json_object *w = json_object_new_object();
        json_object_object_add(w, "acked", json_object_new_int64(res->wl.acked));
        json_object_object_add(w, "in_doubt", json_object_new_int64(res->wl.in_doubt));
        json_object_object_add(w, "lost", json_object_new_int64(res->wl.lost));
        json_object_object_add(w, "read_only", json_object_new_int64(res->wl.read_only));
        json_object_object_add(w, "reconnects", json_object_new_int64(res->wl.reconnects));
        json_object_object_add(w, "p99_ms", json_object_new_double(res->wl.p99_ms));
        json_object_object_add(w, "gap_ms", json_object_new_double(res->wl.gap_ms));
        json_object_object_add(w, "gap_at_ms", json_object_new_int64(res->wl.gap_at));
        json_object_object_add(o, "workload", w);
    }
    return o;
}

/* Per matrix plan in the run: cells, applicable, N/A, passed, failed, not
 * run, percent and the uncovered cells (recomputed from the matrix when
 * the report is read back or merged, never trusted from the file). */
static json_object *coverage_json(const struct scn_report *r)
{
    struct scn_coverage cov[8];
    size_t n = scn_matrix_coverage(r, cov, ELEMENTSOF(cov));
    json_object *a = json_object_new_array();

    for (size_t i = 0; i < n; i++) {
        json_object *c = json_object_new_object();
        json_object_object_add(c, "plan", jstr(cov[i].plan));
        json_object_object_add(c, "cells", json_object_new_int64((int64_t)cov[i].cells));
        json_object_object_add(c, "applicable", json_object_new_int64((int64_t)cov[i].applicable));
        json_object_object_add(c, "na", json_object_new_int64((int64_t)cov[i].na));
        json_object_object_add(c, "passed", json_object_new_int64((int64_t)cov[i].passed));
        json_object_object_add(c, "failed", json_object_new_int64((int64_t)cov[i].failed));
        json_object_object_add(c, "not_run", json_object_new_int64((int64_t)cov[i].not_run));
        json_object_object_add(c, "percent", json_object_new_double(scn_coverage_percent(&cov[i])));
        json_object_object_add(c, "uncovered", jstr(cov[i].uncovered));
        json_object_array_add(a, c);
    }
    return a;
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
        json_object_object_add(counts, scn_verdict_name((enum scn_verdict)i),
                               json_object_new_int64((int64_t)c[i]));
    json_object_object_add(o, "counts", counts);
    for (size_t i = 0; i < r->n_rows; i++)
        json_object_array_add(rows, jstr(r->rows[i]));
    json_object_object_add(o, "rows", rows);
    for (size_t i = 0; i < r->n; i++)
        json_object_array_add(v, result_json(&r->v[i]));
    json_object_object_add(o, "scenarios", v);
    json_object_object_add(o, "coverage", coverage_json(r));
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
    res->verdict = scn_verdict_from_name(gets_(s, "verdict"));
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
    if (json_object_object_get_ex(s, "workload", &v) && json_object_is_type(v, json_type_object)) {
        res->wl.have = true;
        res->wl.acked = (long long)getd(v, "acked");
        res->wl.in_doubt = (long long)getd(v, "in_doubt");
        res->wl.lost = (long long)getd(v, "lost");
        res->wl.read_only = (long long)getd(v, "read_only");
        res->wl.reconnects = (long long)getd(v, "reconnects");
        res->wl.p99_ms = getd(v, "p99_ms");
        res->wl.gap_ms = getd(v, "gap_ms");
        res->wl.gap_at = (long long)getd(v, "gap_at_ms");
    }
    if ((a = geta(s, "events")))
        for (size_t i = 0; rc == 0 && i < json_object_array_length(a); i++) {
            json_object *e = json_object_array_get_idx(a, i);
            rc = scn_result_add_event(res, (long long)getd(e, "t_ms"), gets_(e, "kind"),
                                      gets_(e, "text"));
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
            rc = scn_report_add_row(ret, json_object_get_string(json_object_array_get_idx(a, i)));
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

int scn_report_merge_json(struct scn_report *r, const char *path, struct og_error *err)
{
    struct scn_report add;
    int rc = scn_report_load_json(path, &add, err);

    if (rc < 0)
        return rc;
    for (size_t i = 0; rc == 0 && i < add.n_rows; i++)
        rc = scn_report_add_row(r, add.rows[i]);
    for (size_t i = 0; rc == 0 && i < add.n; i++) {
        struct scn_result *old = scn_report_find(r, add.v[i].id), *slot = old;
        if (!slot) {
            slot = scn_report_add(r, add.v[i].id, "", "", "");
            if (!slot) {
                rc = og_error_set(err, OG_E_NOMEM, "merge");
                break;
            }
        } else {
            scn_result_done(slot);
        }
        *slot = add.v[i]; /* moved: its arrays now belong to r */
        memset(&add.v[i], 0, sizeof(add.v[i]));
    }
    if (rc == 0) {
        if (!r->started[0] || (add.started[0] && strcmp(add.started, r->started) < 0))
            snprintf(r->started, sizeof(r->started), "%s", add.started);
        if (add.seconds > r->seconds)
            r->seconds = add.seconds; /* shards run side by side: the longest */
        if (!r->host[0])
            snprintf(r->host, sizeof(r->host), "%s", add.host);
        else if (strcmp(r->host, add.host) != 0 && !strstr(r->host, "+"))
            snprintf(r->host + strlen(r->host), sizeof(r->host) - strlen(r->host), "+%s", add.host);
    }
    scn_report_done(&add);
    return rc;
}
