/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * The HTML report (scenarios/report_html.c) of a run built in memory: the
 * fault coverage per matrix plan, the heatmap's N/A cells and fault cells'
 * node and ledger id, each scenario's timeline and workload figures, and
 * every text escaped. TEST_REPORT_HTML_OUT=path keeps the page (to look at
 * it in a browser).
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "matrix.h"
#include "report.h"

#define CELL_OK  "inplace.catalog.after-effect.disk-full"
#define CELL_BAD "inplace.record.before.kill-db"
#define ODD_ID   "odd<&>\"id"
#define ODD_MSG  "exit 1 <GAUSS-51300> & \"quoted\""
#define HOW_FAULT                                                                                  \
    "disk-full on node1 during auto-upgrade (paused at failpoint "                                 \
    "inplace.catalog.after-effect), ledger 3"

static void matrix_report(struct scn_report *r)
{
    const char *fps[] = {"inplace.record.before", "inplace.catalog.after-effect"};
    struct scn_check ok = {.what = "lost acknowledged writes <= 0", .pass = true, .line = 26};
    struct scn_check bad = {.what = "step 4 rerun: exit 0", .pass = false, .line = 15};
    struct scn_step_result st = {.label = "2. upgrade", .line = 10, .seconds = 8.1, .ok = true};
    struct scn_result *a, *b, *c;

    scn_report_init(r, "run-<h3>");
    snprintf(r->started, sizeof(r->started), "2026-12-03T10:00:00Z");
    r->seconds = 300;
    cr_assert_eq(scn_report_set_rows(r, fps, ELEMENTSOF(fps)), 0);

    a = scn_report_add(r, CELL_OK, "matrix-inplace", "disk-full at the catalog", "m/a.xml");
    a->seconds = 12.5;
    scn_result_add_check(a, &ok);
    scn_result_add_step(a, &st);
    scn_result_add_cell(a, "inplace.catalog", "disk-full", HOW_FAULT);
    scn_result_add_cell(a, "inplace.catalog", "pause",
                        "failpoint inplace.catalog.after-effect=pause");
    scn_result_add_event(a, 1200, "step", "2. upgrade: gs_upgradectl -t auto-upgrade");
    scn_result_add_event(a, 5300, "fault", "disk-full on node1 (ledger 3) at inplace.catalog");
    scn_result_add_event(a, 5600, "failpoint", "inplace.catalog.after-effect released");
    scn_result_add_event(a, 9100, "heal", "disk-full on node1 (ledger 3): <freed> & \"ok\"");
    scn_result_add_event(a, 9400, "step", "3. rerun: gs_upgradectl -t auto-upgrade");
    /* the runner adds the gap last, at its start: the page puts it in order */
    scn_result_add_event(a, 4000, "gap",
                         "the workload's longest gap without an acknowledged "
                         "write");
    a->wl = (struct scn_workload){.have = true,
                                  .acked = 1234,
                                  .in_doubt = 2,
                                  .lost = 0,
                                  .read_only = 100,
                                  .reconnects = 3,
                                  .p99_ms = 12.5,
                                  .gap_ms = 4500,
                                  .gap_at = 4000};

    b = scn_report_add(r, CELL_BAD, "matrix-inplace", "kill-db at record", "m/b.xml");
    b->verdict = SCN_FAIL;
    b->seconds = 30;
    scn_result_add_check(b, &bad);
    snprintf(b->message, sizeof(b->message), "step 4 rerun: exit 0 (line 15): exit 1");
    scn_result_add_cell(b, "inplace.record", "kill-db",
                        "kill-db on node1 during auto-upgrade "
                        "(paused at failpoint "
                        "inplace.record.before), ledger 1");
    scn_result_add_event(b, 0, "step", "2. upgrade");
    scn_result_add_event(b, 700, "fault", "kill-db on node1 (ledger 1) at inplace.record");

    c = scn_report_add(r, ODD_ID, "faults", "a <b> & \"c\"", "f/odd.xml");
    c->verdict = SCN_ERROR;
    snprintf(c->message, sizeof(c->message), "%s", ODD_MSG);
    scn_result_add_cell(c, "inplace.switch-bin", "freeze", "freeze on node2 <x>, ledger 9");
}

static char *page(const struct scn_report *r, struct dynbuf *b)
{
    const char *keep = getenv("TEST_REPORT_HTML_OUT");
    struct og_error err = {0};

    dynbuf_init(b, 1 << 24);
    cr_assert_eq(scn_report_html(r, b), 0);
    if (keep && *keep)
        cr_assert_eq(scn_report_write_html(r, keep, &err), 0, "%s", err.detail);
    return (char *)dynbuf_str(b);
}

#define HAS(h, s) cr_assert_not_null(strstr(h, s), "\"%s\" not in the page", s)

/* The cells of a plan: how many, how many N/A, the N/A reason of one. */
static void plan_cells(const char *plan, size_t *n, size_t *na, const char *id, const char **why)
{
    struct scn_cell_def *cells = NULL;
    struct og_error err = {0};
    size_t nc = 0;

    cr_assert_eq(scn_matrix_cells(scn_matrix_plan(plan), &cells, &nc, &err), 0, "%s", err.detail);
    *n = nc;
    *na = 0;
    for (size_t i = 0; i < nc; i++) {
        *na += cells[i].na != NULL;
        if (id && strcmp(cells[i].id, id) == 0)
            *why = cells[i].na;
    }
    free(cells);
}

Test(report_html, coverage_table)
{
    struct scn_report r;
    struct dynbuf b;
    size_t n, na, applicable;
    char want[1024];
    const char *h;

    matrix_report(&r);
    h = page(&r, &b);
    plan_cells("inplace", &n, &na, NULL, NULL);
    applicable = n - na;
    cr_assert_gt(na, 0);
    HAS(h, "<h2>Fault coverage</h2>");
    /* one row, the inplace plan: 1 passed of the applicable, 1 failed, the rest not run */
    snprintf(want, sizeof(want),
             "<tr class=\"row-fail\"><td>inplace</td><td class=\"num\">1 / %zu</td>"
             "<td class=\"num\"><span class=\"pbar\"><span style=\"width:%.1f%%\"></span></span>"
             "%.1f%%</td><td class=\"num\">1</td><td class=\"num\">%zu</td>"
             "<td class=\"num\">%zu</td><td class=\"ids\">",
             applicable, 100.0 / (double)applicable, 100.0 / (double)applicable, applicable - 2,
             na);
    HAS(h, want);
    /* the uncovered cells: the failed one first, linked to its row; then the others */
    snprintf(want, sizeof(want),
             "<td class=\"ids\"><a href=\"#s-" CELL_BAD "\">" CELL_BAD "</a> <details>"
             "<summary>%zu not run</summary><span>inplace.record.before.kill-upgrader</span>",
             applicable - 2);
    HAS(h, want);
    cr_assert_null(strstr(h, "<span>" CELL_OK "</span>"), "a passed cell is covered");
    cr_assert_null(strstr(h, "#s-" CELL_OK "\""));
    HAS(h, "<tr class=\"row-fail\" id=\"s-" CELL_BAD "\">");
    /* under the summary bar, before the suites */
    cr_assert_lt(strstr(h, "id=\"summary\""), strstr(h, "id=\"coverage\""));
    cr_assert_lt(strstr(h, "id=\"coverage\""), strstr(h, "id=\"suites\""));
    dynbuf_done(&b);
    scn_report_done(&r);
}

Test(report_html, no_coverage_without_a_matrix_cell)
{
    struct scn_report r;
    struct scn_result *a;
    struct dynbuf b;
    const char *h;

    scn_report_init(&r, "run-2");
    a = scn_report_add(&r, "paths-2.0.0-to-3.0.0", "paths", "upgrade", "p.xml");
    scn_result_add_event(a, 0, "step", "1. prepare 2.0.0");
    h = page(&r, &b);
    cr_assert_null(strstr(h, "Fault coverage"));
    cr_assert_null(strstr(h, "id=\"coverage\""));
    cr_assert_null(strstr(h, "<td class=\"na\""), "no matrix plan, no N/A cell");
    cr_assert_null(strstr(h, "class=\"wl\""), "no workload, no figures");
    HAS(h, "<svg class=\"tl\"");
    dynbuf_done(&b);
    scn_report_done(&r);
}

/* The td of column col in the heatmap's row (the page's text, malloc'ed). */
static char *heat_cell(const char *h, const char *row, const char *col)
{
    const char *const *cols;
    size_t n_cols = scn_report_columns(&cols), c = n_cols;
    char key[160];
    const char *p, *end, *td;

    for (size_t i = 0; i < n_cols; i++)
        if (strcmp(cols[i], col) == 0)
            c = i;
    cr_assert_lt(c, n_cols, "no column %s", col);
    snprintf(key, sizeof(key), "<td class=\"rowname\">%s</td>", row);
    p = strstr(h, key);
    cr_assert_not_null(p, "no heatmap row %s", row);
    p += strlen(key);
    end = strstr(p, "</tr>");
    for (size_t i = 0; i < c; i++) {
        p = strstr(p, "</td>");
        cr_assert(p && p < end);
        p += 5;
    }
    td = strstr(p, "</td>");
    cr_assert(td && td < end);
    return strndup(p, (size_t)(td + 5 - p));
}

Test(report_html, heatmap_na_and_fault_titles)
{
    struct scn_report r;
    struct dynbuf b;
    size_t n, na;
    const char *h, *why = NULL;
    char want[1024], *td;

    matrix_report(&r);
    h = page(&r, &b);
    /* the matrix declares kill-db N/A at every inplace.backup.* point */
    plan_cells("inplace", &n, &na, "inplace.backup.before.kill-db", &why);
    cr_assert_not_null(why);
    td = heat_cell(h, "inplace.backup", "kill-db");
    snprintf(want, sizeof(want), "<td class=\"na\" title=\"%s\">N/A</td>", why);
    cr_assert_str_eq(td, want);
    free(td);
    /* inplace.backup is not in the run's row list: the plan's rows come too */
    cr_assert_lt(strstr(h, "<td class=\"rowname\">inplace.catalog</td>"),
                 strstr(h, "<td class=\"rowname\">inplace.backup</td>"));
    /* stop-cluster: kill-db N/A only after it (before it, the database runs) */
    td = heat_cell(h, "inplace.stop-cluster", "kill-db");
    cr_assert_str_eq(td, "<td class=\"none\">&middot;</td>");
    free(td);
    td = heat_cell(h, "inplace.backup", "disk-full");
    cr_assert_str_eq(td, "<td class=\"none\">&middot;</td>");
    free(td);
    /* a fault's cell: the scenario, its verdict, the node and the ledger id */
    td = heat_cell(h, "inplace.catalog", "disk-full");
    cr_assert_str_eq(td, "<td class=\"pass\" title=\"" CELL_OK " (pass): " HOW_FAULT "\">1</td>");
    free(td);
    td = heat_cell(h, "inplace.record", "kill-db");
    HAS(td, "<td class=\"fail\" title=\"" CELL_BAD " (fail): kill-db on node1");
    HAS(td, "ledger 1\">1/1</td>");
    free(td);
    HAS(h, "rows: the upgrader's plan steps (the step the fault struck)");
    cr_assert_null(strstr(h, "where the journal was"));
    dynbuf_done(&b);
    scn_report_done(&r);
}

Test(report_html, timeline_and_workload)
{
    struct scn_report r;
    struct dynbuf b;
    const char *h, *row, *next, *p;
    static const char *const order[] = {
        "<td class=\"num\">1200</td><td class=\"k-step\">step</td>"
        "<td>2. upgrade: gs_upgradectl -t auto-upgrade</td>",
        "<td class=\"num\">4000</td><td class=\"k-gap\">gap</td>",
        "<td class=\"num\">5300</td><td class=\"k-fault\">fault</td>"
        "<td>disk-full on node1 (ledger 3) at inplace.catalog</td>",
        "<td class=\"num\">5600</td><td class=\"k-failpoint\">failpoint</td>",
        "<td class=\"num\">9100</td><td class=\"k-heal\">heal</td>"
        "<td>disk-full on node1 (ledger 3): &lt;freed&gt; &amp; &quot;ok&quot;</td>",
        "<td class=\"num\">9400</td><td class=\"k-step\">step</td>",
    };

    matrix_report(&r);
    h = page(&r, &b);
    row = strstr(h, "<tr class=\"row-pass\" id=\"s-" CELL_OK "\">");
    cr_assert_not_null(row);
    next = strstr(row, "</tr>\n");
    cr_assert_not_null(next);
    /* the workload's figures in one line */
    p = strstr(row, "<div class=\"wl\">workload: <span><b>1234</b> acknowledged</span>"
                    "<span><b>2</b> in doubt</span><span><b>0</b> lost</span>"
                    "<span><b>100</b> refused read-only</span><span><b>3</b> reconnects</span>"
                    "<span>p99 latency <b>12.5 ms</b></span>"
                    "<span>longest gap <b>4500 ms</b> at <b>4000 ms</b></span></div>");
    cr_assert(p && p < next, "the workload line");
    /* the timeline: one SVG (steps, fault, heal, failpoint, the gap's band) */
    p = strstr(row, "<svg class=\"tl\"");
    cr_assert(p && p < next);
    cr_assert(strstr(p, "fill=\"#f5a25d\"") < next, "the gap band");
    cr_assert(strstr(p, "<path d=\"M") < next, "the fault marker");
    cr_assert(strstr(p, "fill=\"#2e9e4f\"/>") < next, "the heal marker");
    cr_assert(strstr(p, "fill=\"#3b5bdb\"/>") < next, "the failpoint marker");
    cr_assert(strstr(p, ">2. upgrade</text>") < next, "the step's label");
    cr_assert(strstr(p, "&lt;freed&gt; &amp; &quot;ok&quot;</title>") < next);
    /* then the events by time, the gap (recorded last) in its place */
    for (size_t i = 0; i < ELEMENTSOF(order); i++) {
        const char *q = strstr(p, order[i]);
        cr_assert(q && q < next, "event %zu \"%s\" not after the one before", i, order[i]);
        p = q;
    }
    /* a failure's details are open */
    HAS(h, "<tr class=\"row-fail\" id=\"s-" CELL_BAD "\">");
    p = strstr(h, "id=\"s-" CELL_BAD "\"");
    cr_assert_not_null(strstr(p, "<details open>"));
    cr_assert_lt(strstr(p, "<details open>"), strstr(p, "</tr>"));
    p = strstr(row, "<details");
    cr_assert(p && p < next && strncmp(p, "<details>", 9) == 0, "a pass's details are closed");
    dynbuf_done(&b);
    scn_report_done(&r);
}

Test(report_html, everything_escaped)
{
    struct scn_report r;
    struct dynbuf b;
    const char *h;

    matrix_report(&r);
    h = page(&r, &b);
    HAS(h, "<tr class=\"row-error\" id=\"s-odd&lt;&amp;&gt;&quot;id\">");
    HAS(h, "<b>odd&lt;&amp;&gt;&quot;id</b>");
    HAS(h, "exit 1 &lt;GAUSS-51300&gt; &amp; &quot;quoted&quot;");
    HAS(h, "a &lt;b&gt; &amp; &quot;c&quot;");
    HAS(h, "<h1>ogscenario run run-&lt;h3&gt;</h1>");
    HAS(h, "title=\"odd&lt;&amp;&gt;&quot;id (error): freeze on node2 &lt;x&gt;, ledger 9\"");
    cr_assert_null(strstr(h, ODD_ID));
    cr_assert_null(strstr(h, "<GAUSS"));
    cr_assert_null(strstr(h, "<freed>"));
    cr_assert_null(strstr(h, "<x>"));
    cr_assert_null(strstr(h, "<h3>"));
    /* self-contained */
    cr_assert_null(strstr(h, "<script"));
    cr_assert_null(strstr(h, "<link"));
    cr_assert_null(strstr(h, "src=\""));
    for (const char *p = strstr(h, "http"); p; p = strstr(p + 1, "http"))
        cr_assert_eq(strncmp(p, "http://www.w3.org/2000/svg\"", 27), 0,
                     "no address but the SVG namespace: %.40s", p);
    dynbuf_done(&b);
    scn_report_done(&r);
}
