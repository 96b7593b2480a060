/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * report_html.c - the run as one self-contained HTML page (inline CSS and
 * SVG; no script, nothing fetched) for a QA engineer: the summary bar, the
 * fault coverage per matrix plan, the suites, the phase x fault heatmap
 * (N/A cells greyed with their reason), then a row per scenario, failures
 * first, whose details hold the workload's figures, the timeline (steps,
 * faults, heals, failpoint releases and the longest write gap on one ms
 * axis), the events, the checks and the steps.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fs.h"
#include "matrix.h"
#include "report.h"
#include "banned.h"

static void esc(struct dynbuf *b, const char *s)
{
    for (; s && *s; s++) {
        switch (*s) {
        case '<':
            dynbuf_adds(b, "&lt;");
            break;
        case '>':
            dynbuf_adds(b, "&gt;");
            break;
        case '&':
            dynbuf_adds(b, "&amp;");
            break;
        case '"':
            dynbuf_adds(b, "&quot;");
            break;
        default:
            dynbuf_add(b, s, 1);
        }
    }
}

/* A text built apart, escaped; one that did not fit says so. */
static void esc_buf(struct dynbuf *b, const struct dynbuf *t)
{
    esc(b, dynbuf_str(t));
    if (dynbuf_error(t))
        dynbuf_adds(b, " [... the rest did not fit]");
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
    ".t,.note{color:#5b6372;font-size:12px}.note{margin:0 0 6px;max-width:1100px}\n"
    "tr.row-pass td.msg{color:#5b6372}\n"
    "tr.row-fail td.msg,tr.row-error td.msg{color:#a11}\n"
    "details summary{cursor:pointer;color:#3b5bdb}td.msg details{color:#1d2330}\n"
    "details pre{white-space:pre-wrap;font-size:12px;margin:4px 0;max-width:900px;color:#1d2330}\n"
    ".pbar{display:inline-block;width:80px;height:8px;border-radius:4px;background:#e8ebef;"
    "margin-right:8px;vertical-align:middle;overflow:hidden}.pbar span{display:block;height:8px;"
    "background:#2e9e4f}\n"
    "#coverage td.ids{font:12px monospace;max-width:720px}#coverage td.ids a{margin-right:8px}\n"
    "#coverage td.ids span{margin-right:8px;color:#5b6372}#coverage td.ids a,#coverage td.ids "
    "span{display:inline-block;white-space:nowrap}\n"
    "#coverage tr.row-fail td:first-child{border-left:4px solid #d73a3a}\n"
    "#coverage tr.row-pass td:first-child{border-left:4px solid #2e9e4f}\n"
    "#coverage tr.row-partial td:first-child{border-left:4px solid #e0a030}\n"
    ".heat td{text-align:center;min-width:58px;font-weight:600}\n"
    ".heat td.rowname{text-align:left;font-family:monospace;font-weight:400;white-space:nowrap}\n"
    ".heat td.pass,.heat td.fail{color:#fff}\n"
    ".heat td.na,.legend span.na{background:#c9ced6;color:#4a5261;font-weight:400;font-size:12px}"
    "\n"
    ".legend span{display:inline-block;padding:2px 10px;margin-right:6px;border-radius:3px;"
    "color:#fff}\n"
    ".legend span.none{color:#5b6372}\n"
    ".wl{color:#1d2330;margin:6px 0;font-size:13px}.wl span{margin-right:14px;white-space:nowrap}"
    "\n.wl .bad{color:#d73a3a}\n"
    "svg.tl{display:block;background:#fff;border:1px solid #dde1e6;margin:6px 0 2px}\n"
    ".tlkey{font-size:12px;color:#5b6372}.tlkey i{display:inline-block;width:10px;height:10px;"
    "margin:0 4px 0 10px;vertical-align:-1px}\n"
    "table.ev{font-size:12px;box-shadow:none;margin:4px 0}table.ev td{padding:1px 6px}\n"
    "td.k-fault{color:#d73a3a;font-weight:600}td.k-heal{color:#2e9e4f;font-weight:600}"
    "td.k-failpoint{color:#3b5bdb;font-weight:600}td.k-gap{color:#d9822b;font-weight:600}\n";

/* ---- the matrix cells of the run's plans ---------------------------------------------------- */

struct mx_cell {
    const char *plan; /* the scn_matrix_plan's name (static) */
    char id[96];
    char row[128];   /* the failpoint without its kind: "inplace.backup" */
    const char *col; /* the fault kind */
    const char *na;  /* why it cannot apply; NULL: applicable */
};

struct mx {
    struct mx_cell *v;
    size_t n;
};

static void mx_load(const struct scn_coverage *cov, size_t n_cov, struct mx *m)
{
    memset(m, 0, sizeof(*m));
    for (size_t i = 0; i < n_cov; i++) {
        const struct scn_matrix_plan *p = scn_matrix_plan(cov[i].plan);
        _cleanup_free_ struct scn_cell_def *cells = NULL;
        struct mx_cell *nv;
        size_t nc = 0;

        if (!p || scn_matrix_cells(p, &cells, &nc, NULL) < 0)
            continue;
        nv = realloc(m->v, (m->n + nc + 1) * sizeof(*m->v));
        if (!nv)
            continue;
        m->v = nv;
        for (size_t k = 0; k < nc; k++) {
            struct mx_cell *c = &m->v[m->n++];
            c->plan = p->name;
            snprintf(c->id, sizeof(c->id), "%s", cells[k].id);
            scn_failpoint_row(cells[k].point, c->row, sizeof(c->row));
            c->col = fault_kind_name(cells[k].kind);
            c->na = cells[k].na;
        }
    }
}

/* The reason when every matrix cell of (row, col) is N/A; else NULL. */
static const char *mx_na(const struct mx *m, const char *row, const char *col)
{
    const char *why = NULL;

    for (size_t i = 0; i < m->n; i++) {
        if (strcmp(m->v[i].row, row) != 0 || strcmp(m->v[i].col, col) != 0)
            continue;
        if (!m->v[i].na)
            return NULL;
        why = why ? why : m->v[i].na;
    }
    return why;
}

static void id_link(const struct scn_report *r, const char *id, struct dynbuf *b)
{
    if (!scn_report_find(r, id)) {
        dynbuf_adds(b, "<span>");
        esc(b, id);
        dynbuf_adds(b, "</span> ");
        return;
    }
    dynbuf_adds(b, "<a href=\"#s-");
    esc(b, id);
    dynbuf_adds(b, "\">");
    esc(b, id);
    dynbuf_adds(b, "</a> ");
}

/* Per plan: applicable cells passed / applicable, then the cells not
 * passed: those that ran (linked to their row), then those that did not. */
static void html_coverage(const struct scn_report *r, const struct scn_coverage *cov, size_t n,
                          const struct mx *m, struct dynbuf *b)
{
    if (n == 0)
        return;
    dynbuf_adds(b, "<h2>Fault coverage</h2>\n<p class=\"note\">Per plan of the fault matrix: "
                   "the applicable cells (failpoint &times; fault kind) whose scenario "
                   "passed, out of the applicable ones. Cells that cannot apply are counted "
                   "apart (N/A, matrix.c's reviewed table). Uncovered: the applicable cells "
                   "that failed (linked to their row) or did not run.</p>\n"
                   "<table id=\"coverage\">\n<tr><th>plan</th><th>passed / applicable</th>"
                   "<th>coverage</th><th>failed</th><th>not run</th><th>N/A</th>"
                   "<th>uncovered cells</th></tr>\n");
    for (size_t i = 0; i < n; i++) {
        const struct scn_coverage *c = &cov[i];
        double pct = scn_coverage_percent(c);
        size_t shown = 0;

        dynbuf_addf(b, "<tr class=\"row-%s\"><td>",
                    c->failed                    ? "fail"
                    : c->passed == c->applicable ? "pass"
                                                 : "partial");
        esc(b, c->plan);
        dynbuf_addf(b,
                    "</td><td class=\"num\">%zu / %zu</td><td class=\"num\"><span "
                    "class=\"pbar\"><span style=\"width:%.1f%%\"></span></span>%.1f%%</td>"
                    "<td class=\"num\">%zu</td><td class=\"num\">%zu</td>"
                    "<td class=\"num\">%zu</td><td class=\"ids\">",
                    c->passed, c->applicable, pct, pct, c->failed, c->not_run, c->na);
        for (int ran = 1; ran >= 0; ran--) {
            size_t k = 0;
            for (size_t j = 0; j < m->n; j++) {
                const struct mx_cell *x = &m->v[j];
                const struct scn_result *res;
                if (x->na || strcmp(x->plan, c->plan) != 0)
                    continue;
                res = scn_report_find(r, x->id);
                if ((res && res->verdict == SCN_PASS) || (ran != (res && res->verdict != SCN_SKIP)))
                    continue;
                if (!ran && k++ == 0)
                    dynbuf_addf(b, "<details><summary>%zu not run</summary>", c->not_run);
                id_link(r, x->id, b);
                shown++;
            }
            if (!ran && k)
                dynbuf_adds(b, "</details>");
        }
        dynbuf_adds(b, shown ? "</td></tr>\n" : "&mdash;</td></tr>\n");
    }
    dynbuf_adds(b, "</table>\n");
}

/* ---- the heatmap ------------------------------------------------------------------------------
 */

struct cell_tally {
    size_t pass, fail;
    struct dynbuf who; /* "id (verdict): how", one a line */
};

static void tally(const struct scn_report *r, const char *row, const char *col,
                  struct cell_tally *t)
{
    t->pass = t->fail = 0;
    dynbuf_reset(&t->who);
    for (size_t i = 0; i < r->n; i++)
        for (size_t k = 0; k < r->v[i].n_cells; k++) {
            const struct scn_cell *c = &r->v[i].cells[k];
            if (strcmp(c->row, row) != 0 || strcmp(c->column, col) != 0)
                continue;
            if (r->v[i].verdict == SCN_PASS)
                t->pass++;
            else if (r->v[i].verdict != SCN_SKIP)
                t->fail++;
            dynbuf_addf(&t->who, "%s%s (%s)%s%s", t->who.len ? "\n" : "", r->v[i].id,
                        scn_verdict_name(r->v[i].verdict), c->how[0] ? ": " : "", c->how);
        }
}

/* A row at the end of extra unless rows or extra have it. */
static void add_row(const char ***extra, size_t *n_extra, char **rows, size_t n_rows,
                    const char *row)
{
    const char **nv;

    for (size_t j = 0; j < n_rows; j++)
        if (strcmp(rows[j], row) == 0)
            return;
    for (size_t j = 0; j < *n_extra; j++)
        if (strcmp((*extra)[j], row) == 0)
            return;
    nv = realloc(*extra, (*n_extra + 1) * sizeof(**extra));
    if (!nv)
        return;
    *extra = nv;
    nv[(*n_extra)++] = row;
}

static void html_heatmap(const struct scn_report *r, const struct mx *m, struct dynbuf *b)
{
    _cleanup_free_ const char **extra = NULL;
    const char *const *cols;
    size_t n_extra = 0, n_cols;
    struct cell_tally t = {0};

    /* rows the results or the run's matrix plans name that the row list lacks come last */
    for (size_t i = 0; i < r->n; i++)
        for (size_t k = 0; k < r->v[i].n_cells; k++)
            add_row(&extra, &n_extra, r->rows, r->n_rows, r->v[i].cells[k].row);
    for (size_t i = 0; i < m->n; i++)
        add_row(&extra, &n_extra, r->rows, r->n_rows, m->v[i].row);
    dynbuf_adds(b, "<h2>Phase &times; fault</h2>\n<p class=\"legend note\">"
                   "<span class=\"pass\">pass</span><span class=\"fail\">fail</span>"
                   "<span class=\"na\">N/A</span><span class=\"none\">not covered</span> "
                   "rows: the upgrader's plan steps (the step the fault struck); columns: "
                   "failpoint actions and ogfault's faults. The number is how many scenarios "
                   "hit the cell (failed/all when one failed); hover a cell for the scenarios, "
                   "the node and the fault's ledger id. N/A: every matrix cell of that step "
                   "and kind cannot apply (hover for why).</p>\n"
                   "<table class=\"heat\" id=\"heatmap\">\n<tr><th>step</th>");
    n_cols = scn_report_columns(&cols);
    for (size_t c = 0; c < n_cols; c++) {
        dynbuf_adds(b, "<th>");
        esc(b, cols[c]);
        dynbuf_adds(b, "</th>");
    }
    dynbuf_adds(b, "</tr>\n");
    dynbuf_init(&t.who, 1 << 20);
    for (size_t i = 0; i < r->n_rows + n_extra; i++) {
        const char *row = i < r->n_rows ? r->rows[i] : extra[i - r->n_rows];
        dynbuf_adds(b, "<tr><td class=\"rowname\">");
        esc(b, row);
        dynbuf_adds(b, "</td>");
        for (size_t c = 0; c < n_cols; c++) {
            const char *na;
            tally(r, row, cols[c], &t);
            if (t.pass + t.fail == 0) {
                na = mx_na(m, row, cols[c]);
                if (!na) {
                    dynbuf_adds(b, "<td class=\"none\">&middot;</td>");
                    continue;
                }
                dynbuf_adds(b, "<td class=\"na\" title=\"");
                esc(b, na);
                dynbuf_adds(b, "\">N/A</td>");
                continue;
            }
            dynbuf_addf(b, "<td class=\"%s\" title=\"", t.fail ? "fail" : "pass");
            esc_buf(b, &t.who);
            if (t.fail)
                dynbuf_addf(b, "\">%zu/%zu</td>", t.fail, t.pass + t.fail);
            else
                dynbuf_addf(b, "\">%zu</td>", t.pass);
        }
        dynbuf_adds(b, "</tr>\n");
    }
    dynbuf_adds(b, "</table>\n");
    dynbuf_done(&t.who);
}

/* ---- a scenario's timeline --------------------------------------------------------------------
 */

#define TL_W  800 /* px */
#define TL_H  92
#define TL_X0 10
#define TL_X1 (TL_W - 14)

static double tl_x(long long t, long long span)
{
    return TL_X0 + (double)(TL_X1 - TL_X0) * (double)(t > 0 ? t : 0) / (double)span;
}

static const char *tl_colour(const char *kind)
{
    return strcmp(kind, "fault") == 0       ? "#d73a3a"
           : strcmp(kind, "heal") == 0      ? "#2e9e4f"
           : strcmp(kind, "failpoint") == 0 ? "#3b5bdb"
           : strcmp(kind, "gap") == 0       ? "#d9822b"
                                            : "#5b6372";
}

/* A step's label in w px: its text up to the ':', cut with an ellipsis. */
static void tl_label(struct dynbuf *b, const char *text, double w)
{
    char s[160];
    size_t fit = w > 14 ? (size_t)((w - 8) / 6.2) : 0, len = strcspn(text, ":");

    if (fit < 3)
        return;
    if (len > fit) {
        len = fit - 1;
        while (len && ((unsigned char)text[len] & 0xc0) == 0x80)
            len--; /* not in the middle of a UTF-8 sequence */
    }
    snprintf(s, sizeof(s), "%.*s", (int)(len < sizeof(s) - 1 ? len : sizeof(s) - 1), text);
    esc(b, s);
    if (text[len] && text[len] != ':')
        dynbuf_adds(b, "\xe2\x80\xa6");
}

/* The events by time (stable: the order they were recorded within a ms). */
static const struct scn_event **tl_sorted(const struct scn_result *res)
{
    const struct scn_event **v = calloc(res->n_events + 1, sizeof(*v));

    for (size_t i = 0; v && i < res->n_events; i++) {
        size_t k = i;
        for (; k > 0 && v[k - 1]->t_ms > res->events[i].t_ms; k--)
            v[k] = v[k - 1];
        v[k] = &res->events[i];
    }
    return v;
}

static void tl_svg(const struct scn_result *res, const struct scn_event **ev, struct dynbuf *b)
{
    long long span = (long long)(res->seconds * 1000), tick = 1;
    bool band = res->wl.have && res->wl.gap_at >= 0 && res->wl.gap_ms > 0;

    for (size_t i = 0; i < res->n_events; i++)
        span = ev[i]->t_ms > span ? ev[i]->t_ms : span;
    if (band && res->wl.gap_at + (long long)res->wl.gap_ms > span)
        span = res->wl.gap_at + (long long)res->wl.gap_ms;
    span = span > 0 ? span : 1;
    dynbuf_addf(b,
                "<svg class=\"tl\" xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" "
                "height=\"%d\" viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" "
                "font-size=\"11\">",
                TL_W, TL_H, TL_W, TL_H);
    if (band) {
        double x = tl_x(res->wl.gap_at, span), w = tl_x((long long)res->wl.gap_ms, span) - TL_X0;
        dynbuf_addf(b,
                    "<g><title>the longest gap without an acknowledged write: %.0f ms from "
                    "%lld ms</title><rect x=\"%.1f\" y=\"2\" width=\"%.1f\" height=\"62\" "
                    "fill=\"#f5a25d\" fill-opacity=\".45\" stroke=\"#d9822b\"/></g>",
                    res->wl.gap_ms, res->wl.gap_at, x, w > 2 ? w : 2);
    }
    /* the steps: a segment from each to the next */
    for (size_t i = 0, n = 0; i < res->n_events; i++) {
        long long end = span;
        double x, w;
        if (strcmp(ev[i]->kind, "step") != 0)
            continue;
        for (size_t k = i + 1; k < res->n_events; k++)
            if (strcmp(ev[k]->kind, "step") == 0) {
                end = ev[k]->t_ms;
                break;
            }
        x = tl_x(ev[i]->t_ms, span);
        w = tl_x(end, span) - x;
        dynbuf_addf(b, "<g><title>%lld ms: ", ev[i]->t_ms);
        esc(b, ev[i]->text);
        dynbuf_addf(b,
                    "</title><rect x=\"%.1f\" y=\"24\" width=\"%.1f\" height=\"24\" "
                    "fill=\"%s\" stroke=\"#fff\"/><line x1=\"%.1f\" y1=\"20\" x2=\"%.1f\" "
                    "y2=\"52\" stroke=\"#1d2330\"/><text x=\"%.1f\" y=\"40\" fill=\"#1d2330\">",
                    x, w > 1 ? w : 1, n++ % 2 ? "#c5d3fb" : "#dbe4ff", x, x, x + 4);
        tl_label(b, ev[i]->text, w);
        dynbuf_adds(b, "</text></g>");
    }
    /* fault: a line headed by a triangle on top; heal, failpoint release (often a few ms
     * after the fault): a dot at the bottom; a gap without its band: a line */
    for (size_t i = 0; i < res->n_events; i++) {
        const char *k = ev[i]->kind, *c = tl_colour(k);
        double x = tl_x(ev[i]->t_ms, span);
        if (strcmp(k, "step") == 0 || (band && strcmp(k, "gap") == 0))
            continue;
        dynbuf_addf(b, "<g><title>%lld ms, ", ev[i]->t_ms);
        esc(b, k);
        dynbuf_adds(b, ": ");
        esc(b, ev[i]->text);
        dynbuf_addf(b,
                    "</title><line x1=\"%.1f\" y1=\"10\" x2=\"%.1f\" y2=\"62\" "
                    "stroke=\"%s\" stroke-width=\"2\"/>",
                    x, x, c);
        if (strcmp(k, "fault") == 0)
            dynbuf_addf(b, "<path d=\"M%.1f 3 l6 0 l-6 9 l-6 -9 z\" fill=\"%s\"/></g>", x, c);
        else
            dynbuf_addf(b, "<circle cx=\"%.1f\" cy=\"60\" r=\"4.5\" fill=\"%s\"/></g>", x, c);
    }
    /* the axis: ms since the scenario started, 1-2-5 ticks */
    for (long long mag = 1; tick * 8 < span; mag *= 10)
        for (size_t i = 0; i < 3 && tick * 8 < span; i++)
            tick = mag * (i == 0 ? 1 : i == 1 ? 2 : 5);
    dynbuf_addf(b, "<line x1=\"%d\" y1=\"68\" x2=\"%d\" y2=\"68\" stroke=\"#8a93a3\"/>", TL_X0,
                TL_X1);
    for (long long t = 0; t <= span; t += tick) {
        double x = tl_x(t, span);
        const char *anchor = t == 0 ? "start" : x > TL_X1 - 30 ? "end" : "middle";
        dynbuf_addf(b,
                    "<line x1=\"%.1f\" y1=\"68\" x2=\"%.1f\" y2=\"72\" stroke=\"#8a93a3\"/>"
                    "<text x=\"%.1f\" y=\"85\" fill=\"#5b6372\" font-size=\"10\" "
                    "text-anchor=\"%s\">%lld</text>",
                    x, x, t == 0 ? x - 2 : x, anchor, t);
    }
    dynbuf_adds(b, "</svg>\n");
}

static void html_timeline(const struct scn_result *res, struct dynbuf *b)
{
    _cleanup_free_ const struct scn_event **ev = NULL;

    if (res->n_events == 0)
        return;
    ev = tl_sorted(res);
    if (!ev)
        return;
    tl_svg(res, ev, b);
    dynbuf_adds(b, "<div class=\"tlkey\">ms since the scenario started:"
                   "<i style=\"background:#dbe4ff\"></i>steps"
                   "<i style=\"background:#d73a3a\"></i>fault"
                   "<i style=\"background:#2e9e4f\"></i>heal"
                   "<i style=\"background:#3b5bdb\"></i>failpoint released"
                   "<i style=\"background:#f5a25d\"></i>longest write gap</div>\n"
                   "<table class=\"ev\"><tr><th>t (ms)</th><th>kind</th><th>event</th></tr>");
    for (size_t i = 0; i < res->n_events; i++) {
        dynbuf_addf(b, "<tr><td class=\"num\">%lld</td><td class=\"k-", ev[i]->t_ms);
        esc(b, ev[i]->kind);
        dynbuf_adds(b, "\">");
        esc(b, ev[i]->kind);
        dynbuf_adds(b, "</td><td>");
        esc(b, ev[i]->text);
        dynbuf_adds(b, "</td></tr>");
    }
    dynbuf_adds(b, "</table>\n");
}

static void html_workload(const struct scn_workload *w, struct dynbuf *b)
{
    if (!w->have)
        return;
    dynbuf_addf(b,
                "<div class=\"wl\">workload: <span><b>%lld</b> acknowledged</span>"
                "<span><b>%lld</b> in doubt</span><span%s><b>%lld</b> lost</span>"
                "<span><b>%lld</b> refused read-only</span><span><b>%lld</b> reconnects"
                "</span><span>p99 latency <b>%.1f ms</b></span><span>longest gap <b>%.0f ms"
                "</b>",
                w->acked, w->in_doubt, w->lost > 0 ? " class=\"bad\"" : "", w->lost, w->read_only,
                w->reconnects, w->p99_ms, w->gap_ms);
    if (w->gap_at >= 0)
        dynbuf_addf(b, " at <b>%lld ms</b>", w->gap_at);
    dynbuf_adds(b, "</span></div>\n");
}

/* ---- the page ---------------------------------------------------------------------------------
 */

static void html_row(const struct scn_result *res, struct dynbuf *b)
{
    const char *v = scn_verdict_name(res->verdict);
    bool bad = res->verdict == SCN_FAIL || res->verdict == SCN_ERROR;
    _cleanup_dynbuf_ struct dynbuf t = {0};

    dynbuf_init(&t, 1 << 20);
    dynbuf_addf(b, "<tr class=\"row-%s\" id=\"s-", v);
    esc(b, res->id);
    dynbuf_addf(b, "\"><td class=\"v %s\">%s</td><td>", v, v);
    esc(b, res->suite);
    dynbuf_adds(b, "</td><td><b>");
    esc(b, res->id);
    dynbuf_adds(b, "</b><div class=\"t\">");
    esc(b, res->title);
    dynbuf_addf(b, "</div></td><td class=\"num\">%.1f s</td><td class=\"msg\">", res->seconds);
    esc(b, res->message[0] ? res->message : "all expectations held");
    if (!res->wl.have && !res->n_events && !res->n_checks && !res->n_steps && !res->bundle[0]) {
        dynbuf_adds(b, "</td></tr>\n"); /* nothing played: nothing to fold out */
        return;
    }
    /* what went wrong is open: its timeline at a glance */
    dynbuf_addf(b, "<details%s><summary>%s%schecks, steps", bad ? " open" : "",
                res->wl.have ? "workload, " : "", res->n_events ? "timeline, " : "");
    if (res->bundle[0])
        dynbuf_adds(b, ", bundle");
    dynbuf_adds(b, "</summary>");
    html_workload(&res->wl, b);
    html_timeline(res, b);
    scn_result_failure_text(res, &t);
    if (t.len && (res->n_steps || res->bundle[0]))
        dynbuf_adds(&t, "\n");
    scn_result_steps_text(res, &t);
    if (t.len) {
        dynbuf_adds(b, "<pre>");
        esc_buf(b, &t);
        dynbuf_adds(b, "</pre>");
    }
    if (res->bundle[0]) {
        dynbuf_adds(b, "<a href=\"");
        esc(b, res->bundle);
        dynbuf_adds(b, "/\">bundle</a> &middot; <a href=\"");
        esc(b, res->bundle);
        dynbuf_adds(b, "/scenario.xml\">scenario file</a> &middot; <a href=\"");
        esc(b, res->bundle);
        dynbuf_adds(b, "/plan.txt\">plan</a>");
    }
    dynbuf_adds(b, "</details></td></tr>\n");
}

static void html_suites(const struct scn_report *r, struct dynbuf *b)
{
    dynbuf_adds(b, "<h2>Suites</h2>\n<table id=\"suites\">\n<tr><th>suite</th><th>scenarios"
                   "</th><th>passed</th><th>failed</th><th>errors</th><th>time</th></tr>\n");
    for (size_t i = 0; i < r->n; i++) {
        size_t n = 0, k4[4] = {0};
        double t = 0;

        if (!scn_report_suite_tally(r, i, &n, k4, &t))
            continue;
        dynbuf_addf(b, "<tr class=\"row-%s\"><td>",
                    k4[SCN_FAIL] || k4[SCN_ERROR] ? "fail" : "pass");
        esc(b, r->v[i].suite);
        dynbuf_addf(b,
                    "</td><td class=\"num\">%zu</td><td class=\"num\">%zu</td>"
                    "<td class=\"num\">%zu</td><td class=\"num\">%zu</td>"
                    "<td class=\"num\">%.0f s</td></tr>\n",
                    n, k4[SCN_PASS], k4[SCN_FAIL], k4[SCN_ERROR], t);
    }
    dynbuf_adds(b, "</table>\n");
}

int scn_report_html(const struct scn_report *r, struct dynbuf *b)
{
    static const char *const labels[] = {"passed", "failed", "errors", "skipped"};
    struct scn_coverage cov[16];
    size_t c[4], n_cov = scn_matrix_coverage(r, cov, ELEMENTSOF(cov));
    struct mx m;

    mx_load(cov, n_cov, &m);
    scn_report_counts(r, c);
    dynbuf_adds(b, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
                   "<title>ogscenario ");
    esc(b, r->run_id);
    dynbuf_addf(b, ": %zu passed, %zu failed</title>\n<style>\n%s</style></head>\n<body>\n",
                c[SCN_PASS], c[SCN_FAIL] + c[SCN_ERROR], css);
    dynbuf_adds(b, "<h1>ogscenario run ");
    esc(b, r->run_id);
    dynbuf_adds(b, "</h1>\n<div class=\"meta\">");
    esc(b, r->started);
    dynbuf_addf(b, " &middot; %zu scenarios &middot; %.0f s", r->n, r->seconds);
    if (r->host[0]) {
        dynbuf_adds(b, " &middot; ");
        esc(b, r->host);
    }
    dynbuf_adds(b, "</div>\n<div class=\"counts\" id=\"summary\">");
    for (size_t i = 0; i < 4; i++)
        dynbuf_addf(b, "<span class=\"c-%s\">%zu %s</span>", scn_verdict_name((enum scn_verdict)i),
                    c[i], labels[i]);
    dynbuf_adds(b, "</div>\n<div class=\"bar\">");
    for (size_t i = 0; i < 4; i++)
        if (c[i])
            dynbuf_addf(b, "<div class=\"%s\" style=\"flex:%zu\">%zu %s</div>",
                        scn_verdict_name((enum scn_verdict)i), c[i], c[i], labels[i]);
    if (r->n == 0)
        dynbuf_adds(b, "<div class=\"none\" style=\"flex:1\">no scenarios</div>");
    dynbuf_adds(b, "</div>\n");

    html_coverage(r, cov, n_cov, &m, b);
    html_suites(r, b);
    html_heatmap(r, &m, b);
    free(m.v);
    dynbuf_adds(b, "<h2>Scenarios</h2>\n<table id=\"scenarios\">\n<tr><th>verdict</th>"
                   "<th>suite</th><th>scenario</th><th>time</th><th>first failure / "
                   "details</th></tr>\n");
    /* what went wrong first, then the rest, each in run order */
    for (size_t i = 0; i < r->n; i++)
        if (r->v[i].verdict == SCN_FAIL || r->v[i].verdict == SCN_ERROR)
            html_row(&r->v[i], b);
    for (size_t i = 0; i < r->n; i++)
        if (r->v[i].verdict != SCN_FAIL && r->v[i].verdict != SCN_ERROR)
            html_row(&r->v[i], b);
    dynbuf_adds(b, "</table>\n");
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
