/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * The node kernel held against real openGauss: tests/data/conformance/
 * real-opengauss.rows holds what real openGauss 3.0.0 and 5.0.0 printed and
 * answered (../shared/reference/real-opengauss-observed.md), one command a row;
 * this program builds the observed cluster (a primary and two standbys on
 * loopback, from the real packages) for each version and plays the rows in
 * order, reporting every row that differs with the line that differs.
 * The row format is described at the top of the rows file.
 */
#include <criterion/criterion.h>
#include <ctype.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fs.h"
#include "kfixture.h"

#define MAX_ROWS  128
#define MAX_ARGS  32
#define MAX_LINES 80
#define NODES     3

enum match { MATCH_EXACT, MATCH_CONTAINS, MATCH_WORDS };

struct expect {
    bool set;
    size_t n;
    char *line[MAX_LINES];
    bool optional[MAX_LINES];
};

struct row {
    char id[64];
    int lineno;
    char cite[512];
    char versions[128]; /* space-separated; empty = the file's default */
    char run[1024];
    int exit_status;
    int retry_s;
    char differs[512]; /* a known, documented difference: the row must differ */
    enum match match;
    struct expect out, err;
};

struct rows {
    char versions[128];
    size_t n;
    struct row row[MAX_ROWS];
};

/* ---- the rows file ------------------------------------------------------------------ */

static char *expected_line(const char *text, int lineno)
{
    size_t n = strlen(text);
    char *s, *w;

    cr_assert(n > 0 && text[n - 1] == '$', "rows:%d: an expected line must end in '$'", lineno);
    s = calloc(1, n + 1);
    cr_assert_not_null(s);
    w = s;
    for (size_t i = 0; i + 1 < n; i++) {
        if (text[i] == '^' && text[i + 1] == 'I') {
            *w++ = '\t';
            i++;
        } else {
            *w++ = text[i];
        }
    }
    *w = '\0';
    return s;
}

static void parse_rows(const char *path, struct rows *rs)
{
    _cleanup_free_ char *text = NULL;
    struct og_error err = {0};
    struct row *cur = NULL;
    struct expect *block = NULL;
    char *save = NULL;
    int lineno = 0;

    cr_assert_eq(fs_read_file(path, 1u << 20, &text, NULL, &err), 0, "%s", err.detail);
    memset(rs, 0, sizeof(*rs));
    for (char *p = text, *nl; p && *p; p = nl ? nl + 1 : NULL) {
        char *line = p, *arg;
        nl = strchr(p, '\n');
        if (nl)
            *nl = '\0';
        lineno++;
        if (block) {
            if (strcmp(line, ".") == 0) {
                block = NULL;
                continue;
            }
            cr_assert_lt(block->n, MAX_LINES, "rows:%d: too many lines", lineno);
            block->optional[block->n] = strncmp(line, "<?>", 3) == 0;
            block->line[block->n] =
                expected_line(line + (block->optional[block->n] ? 3 : 0), lineno);
            block->n++;
            continue;
        }
        if (line[0] == '#' || line[0] == '\0')
            continue;
        arg = strchr(line, ' ');
        if (arg)
            *arg++ = '\0';
        if (strcmp(line, "versions") == 0 && !cur) {
            snprintf(rs->versions, sizeof(rs->versions), "%s", arg ? arg : "");
        } else if (strcmp(line, "row") == 0) {
            cr_assert_lt(rs->n, MAX_ROWS);
            cur = &rs->row[rs->n++];
            snprintf(cur->id, sizeof(cur->id), "%s", arg ? arg : "?");
            cur->lineno = lineno;
        } else if (!cur) {
            cr_assert_fail("rows:%d: \"%s\" before the first row", lineno, line);
        } else if (strcmp(line, "cite") == 0 && arg) {
            snprintf(cur->cite, sizeof(cur->cite), "%s", arg);
        } else if (strcmp(line, "versions") == 0 && arg) {
            snprintf(cur->versions, sizeof(cur->versions), "%s", arg);
        } else if (strcmp(line, "run") == 0 && arg) {
            snprintf(cur->run, sizeof(cur->run), "%s", arg);
        } else if (strcmp(line, "exit") == 0 && arg) {
            cur->exit_status = atoi(arg);
        } else if (strcmp(line, "differs") == 0 && arg) {
            snprintf(cur->differs, sizeof(cur->differs), "%s", arg);
        } else if (strcmp(line, "retry") == 0 && arg) {
            cur->retry_s = atoi(arg);
        } else if (strcmp(line, "match") == 0 && arg) {
            cur->match = strcmp(arg, "contains") == 0 ? MATCH_CONTAINS
                         : strcmp(arg, "words") == 0  ? MATCH_WORDS
                                                      : MATCH_EXACT;
            cr_assert(cur->match != MATCH_EXACT || strcmp(arg, "exact") == 0,
                      "rows:%d: unknown match \"%s\"", lineno, arg);
        } else if (strcmp(line, "stdout") == 0 || strcmp(line, "stderr") == 0) {
            block = line[3] == 'o' ? &cur->out : &cur->err;
            block->set = true;
        } else {
            cr_assert_fail("rows:%d: unknown directive \"%s\"", lineno, line);
        }
    }
    (void)save;
    cr_assert_null(block, "rows: an expected block is not closed with \".\"");
    for (size_t i = 0; i < rs->n; i++) {
        cr_assert(rs->row[i].cite[0], "row %s has no cite", rs->row[i].id);
        cr_assert(rs->row[i].run[0], "row %s has no run", rs->row[i].id);
    }
}

static void free_rows(struct rows *rs)
{
    for (size_t i = 0; i < rs->n; i++)
        for (size_t j = 0; j < MAX_LINES; j++) {
            free(rs->row[i].out.line[j]);
            free(rs->row[i].err.line[j]);
        }
}

static bool applies(const struct rows *rs, const struct row *r, const char *version)
{
    const char *list = r->versions[0] ? r->versions : rs->versions;
    size_t n = strlen(version);

    for (const char *p = strstr(list, version); p; p = strstr(p + 1, version))
        if ((p == list || p[-1] == ' ') && (p[n] == '\0' || p[n] == ' '))
            return true;
    return false;
}

/* ---- the cluster and its values ------------------------------------------------------- */

struct cluster {
    struct kfix fx;
    const struct sim_version *ver;
    char dn[NODES][256];
    int port[NODES];
    char hostname[256];
};

static struct cluster cl;

/* Replace the value placeholders (<dnK>, <portK>, <version>, ...) in s. The
 * pattern placeholders (<time>, <pid>, ...) are left for template_regex. */
static void substitute(const char *s, char *out, size_t size)
{
    size_t w = 0;

    while (*s && w + 1 < size) {
        char val[300] = "";
        const char *end = *s == '<' ? strchr(s, '>') : NULL;
        size_t n = end ? (size_t)(end - s + 1) : 0;

        if (n == 5 && strncmp(s, "<dn", 3) == 0 && s[3] >= '1' && s[3] <= '0' + NODES)
            snprintf(val, sizeof(val), "%s", cl.dn[s[3] - '1']);
        else if (n == 7 && strncmp(s, "<port", 5) == 0 && s[5] >= '1' && s[5] <= '0' + NODES)
            snprintf(val, sizeof(val), "%d", cl.port[s[5] - '1']);
        else if (n && strncmp(s, "<version>", n) == 0)
            snprintf(val, sizeof(val), "%s", cl.ver->version);
        else if (n && strncmp(s, "<build>", n) == 0)
            snprintf(val, sizeof(val), "%s", cl.ver->commit);
        else if (n && strncmp(s, "<compiled>", n) == 0)
            snprintf(val, sizeof(val), "%s", cl.ver->build_time);
        else if (n && strncmp(s, "<hostname>", n) == 0)
            snprintf(val, sizeof(val), "%s", cl.hostname);
        else
            n = 0;
        if (n) {
            w += (size_t)snprintf(out + w, size - w, "%s", val);
            s += n;
        } else {
            out[w++] = *s++;
        }
        if (w >= size)
            w = size - 1;
    }
    out[w] = '\0';
}

static const struct {
    const char *name, *re;
} patterns[] = {
    {"<time>", "[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{3}"},
    {"<pid>", "[0-9]+"},
    {"<n>", "[0-9]+"},
    {"<lsn>", "[0-9A-F]+/[0-9A-F]+"},
    {"<dots>", "\\.*"},
    {"<*>", ".*"},
};

/* An anchored POSIX ERE for one expected line. */
static void template_regex(const char *tmpl, regex_t *re)
{
    char sub[2048], rx[8192];
    size_t w = 0;
    int rc;

    substitute(tmpl, sub, sizeof(sub));
    rx[w++] = '^';
    for (const char *s = sub; *s && w + 64 < sizeof(rx);) {
        size_t k;
        for (k = 0; k < ELEMENTSOF(patterns); k++) {
            size_t n = strlen(patterns[k].name);
            if (strncmp(s, patterns[k].name, n) == 0) {
                w += (size_t)snprintf(rx + w, sizeof(rx) - w, "%s", patterns[k].re);
                s += n;
                break;
            }
        }
        if (k < ELEMENTSOF(patterns))
            continue;
        if (strchr("\\^$.|?*+()[]{}", *s))
            rx[w++] = '\\';
        rx[w++] = *s++;
    }
    rx[w++] = '$';
    rx[w] = '\0';
    rc = regcomp(re, rx, REG_EXTENDED | REG_NOSUB);
    cr_assert_eq(rc, 0, "bad template \"%s\"", tmpl);
}

static bool line_matches(const char *tmpl, const char *line)
{
    regex_t re;
    bool ok;

    template_regex(tmpl, &re);
    ok = regexec(&re, line, 0, NULL, 0) == 0;
    regfree(&re);
    return ok;
}

/* Split text into lines (in place); returns the count. */
static size_t split_lines(char *text, char **lines, size_t max)
{
    size_t n = 0, len = strlen(text);

    if (len && text[len - 1] == '\n')
        text[len - 1] = '\0';
    else if (!len)
        return 0;
    for (char *p = text; p && n < max; n++) {
        char *nl = strchr(p, '\n');
        lines[n] = p;
        if (nl)
            *nl = '\0';
        p = nl ? nl + 1 : NULL;
    }
    return n;
}

/* Why output differs from e (NULL when it matches). */
static const char *compare(const struct expect *e, enum match m, const char *output)
{
    static char why[1024];
    _cleanup_free_ char *copy = strdup(output);
    char *lines[400];
    size_t n = split_lines(copy, lines, 400), j = 0;

    if (m == MATCH_WORDS) {
        for (size_t k = 0; k < e->n; k++) {
            _cleanup_free_ char *want = strdup(e->line[k]);
            char *save = NULL;
            for (char *wd = strtok_r(want, " ", &save); wd; wd = strtok_r(NULL, " ", &save)) {
                bool found = false;
                for (size_t i = 0; i < n && !found; i++) {
                    _cleanup_free_ char *l = strdup(lines[i]);
                    char *s2 = NULL;
                    for (char *g = strtok_r(l, " \t", &s2); g && !found;
                         g = strtok_r(NULL, " \t", &s2))
                        found = strcmp(g, wd) == 0;
                }
                if (!found) {
                    snprintf(why, sizeof(why), "no entry \"%s\"", wd);
                    return why;
                }
            }
        }
        return NULL;
    }
    for (size_t start = 0; start <= n; start++) {
        size_t i = start, k;
        for (k = 0; k < e->n; k++) {
            if (i < n && line_matches(e->line[k], lines[i]))
                i++;
            else if (!e->optional[k])
                break;
        }
        if (k == e->n && (m == MATCH_CONTAINS || (start == 0 && i == n)))
            return NULL;
        if (m == MATCH_EXACT) {
            if (k == e->n)
                snprintf(why, sizeof(why), "%zu extra line(s), first: \"%s\"", n - i, lines[i]);
            else
                snprintf(why, sizeof(why), "line %zu: got \"%s\", want \"%s\"", i + 1,
                         i < n ? lines[i] : "(end of output)", e->line[k]);
            return why;
        }
        j = k > j ? k : j;
    }
    snprintf(why, sizeof(why), "the lines from \"%s\" do not appear (best run: %zu of %zu)",
             e->line[0], j, e->n);
    return why;
}

/* ---- playing a row ----------------------------------------------------------------------- */

static size_t split_argv(const char *run, char words[MAX_ARGS][512], const char **argv)
{
    size_t n = 0;
    const char *p = run;

    while (*p && n + 1 < MAX_ARGS) {
        char raw[512];
        size_t w = 0;
        while (*p == ' ')
            p++;
        if (!*p)
            break;
        while (*p && *p != ' ' && w + 1 < sizeof(raw)) {
            if (*p == '"') {
                for (p++; *p && *p != '"' && w + 1 < sizeof(raw); p++)
                    raw[w++] = *p;
                if (*p == '"')
                    p++;
            } else {
                raw[w++] = *p++;
            }
        }
        raw[w] = '\0';
        substitute(raw, words[n], sizeof(words[n]));
        argv[n] = words[n];
        n++;
    }
    argv[n] = NULL;
    return n;
}

static int run_row(const struct row *r, struct command_result *res)
{
    char words[MAX_ARGS][512];
    const char *argv[MAX_ARGS];
    size_t n = split_argv(r->run, words, argv);

    cr_assert_gt(n, 0);
    /* openGauss's tools (gaussdb, gs_*, gsql) come from the app; a missing one
     * is a difference (runuser's exit 127), not an error of the test */
    if (strncmp(argv[0], "gs", 2) == 0 || strcmp(argv[0], "gaussdb") == 0)
        return kfix_runv(&cl.fx, res, argv[0], argv + 1);
    {
        _cleanup_command_ struct command *c = command_new(argv);
        struct og_error err = {0};
        cr_assert_not_null(c);
        cr_assert_eq(command_run(c, res, &err), 0, "%s", err.detail);
        return res->exit_status;
    }
}

/* NULL when row r's output is as observed. */
static const char *check_row(const struct row *r, const struct command_result *res)
{
    static char why[1200];
    const char *d;

    if (res->exit_status != r->exit_status) {
        snprintf(why, sizeof(why), "exit %d, want %d", res->exit_status, r->exit_status);
        return why;
    }
    if (r->out.set && (d = compare(&r->out, r->match, res->out))) {
        snprintf(why, sizeof(why), "stdout: %s", d);
        return why;
    }
    if (r->err.set && (d = compare(&r->err, r->match, res->err))) {
        snprintf(why, sizeof(why), "stderr: %s", d);
        return why;
    }
    return NULL;
}

static int play(const struct rows *rs, const char *version)
{
    int failed = 0, played = 0;

    for (size_t i = 0; i < rs->n; i++) {
        const struct row *r = &rs->row[i];
        struct command_result res = {0};
        const char *why;
        time_t deadline = time(NULL) + r->retry_s;

        if (!applies(rs, r, version))
            continue;
        for (;;) {
            command_result_done(&res);
            run_row(r, &res);
            why = check_row(r, &res);
            if (!why || time(NULL) >= deadline)
                break;
            usleep(500 * 1000);
        }
        played++;
        if (r->differs[0]) {
            /* documented in simulator/README.md; a match means the note is stale */
            if (!why) {
                failed++;
                cr_log_error("%s row %s (rows:%d) now matches real openGauss: drop its "
                             "\"differs\" line and the README's entry",
                             version, r->id, r->lineno);
            } else {
                cr_log_info("%s row %s differs as documented (%s): %s", version, r->id, r->differs,
                            why);
            }
        } else if (why) {
            failed++;
            cr_log_error("%s row %s (rows:%d; %s): %s\n--- stdout:\n%s--- stderr:\n%s", version,
                         r->id, r->lineno, r->cite, why, res.out, res.err);
        }
        command_result_done(&res);
    }
    cr_log_info("%s: %d rows played, %d differ", version, played, failed);
    cr_assert_gt(played, 0);
    return failed;
}

/* ---- the observed cluster: dn1 primary, dn2 and dn3 standbys on loopback ------------- */

static void setup_cluster(const char *version)
{
    const char *versions[] = {version, NULL};
    struct command_result res = {0};

    memset(&cl, 0, sizeof(cl));
    cl.ver = sim_version_find(version);
    cr_assert_not_null(cl.ver);
    gethostname(cl.hostname, sizeof(cl.hostname));
    kfix_setup(&cl.fx, versions);
    for (int i = 0; i < NODES; i++) {
        char name[8];
        snprintf(name, sizeof(name), "dn%d", i + 1);
        cl.port[i] = kfix_free_port();
        kfix_initdb(&cl.fx, name, cl.port[i], cl.dn[i], sizeof(cl.dn[i]));
    }
    for (int i = 0; i < NODES; i++) {
        const char *args[2 * NODES + 4];
        char rc[NODES][256];
        size_t n = 0, k = 0;
        args[n++] = "set";
        args[n++] = "-D";
        args[n++] = cl.dn[i];
        for (int j = 0; j < NODES; j++) {
            if (j == i)
                continue;
            snprintf(rc[k], sizeof(rc[k]),
                     "replconninfo%zu='localhost=127.0.0.1 localport=%d remotehost=127.0.0.1 "
                     "remoteport=%d'",
                     k + 1, cl.port[i], cl.port[j]);
            args[n++] = "-c";
            args[n++] = rc[k++];
        }
        args[n] = NULL;
        cr_assert_eq(kfix_runv(&cl.fx, &res, "gs_guc", args), 0, "%s", res.out);
        command_result_done(&res);
    }
}

static void teardown(void)
{
    kfix_teardown(&cl.fx);
}

static void conform(const char *version)
{
    struct rows *rs = calloc(1, sizeof(*rs));
    int failed;

    cr_assert_not_null(rs);
    parse_rows(CONFORMANCE_ROWS, rs);
    setup_cluster(version);
    failed = play(rs, version);
    free_rows(rs);
    free(rs);
    cr_assert_eq(failed, 0, "%d row(s) differ from real openGauss %s (see the log above)", failed,
                 version);
}

TestSuite(conformance, .fini = teardown, .timeout = 400);

Test(conformance, opengauss_3_0_0)
{
    conform("3.0.0");
}

Test(conformance, opengauss_5_0_0)
{
    conform("5.0.0");
}

/* The matcher itself: a wrong line, a missing line and an extra line are caught. */
Test(conformance_matcher, catches_differences)
{
    struct expect e = {.set = true, .n = 2};
    char l1[] = "[<time>][<pid>][][gs_ctl]: done", l2[] = "^x <lsn> <n>";

    memset(&cl, 0, sizeof(cl));
    e.line[0] = l1;
    e.line[1] = l2;
    cr_assert_null(compare(&e, MATCH_EXACT,
                           "[2026-12-02 13:41:59.437][11956][][gs_ctl]: done\n"
                           "^x 0/5000168 42\n"));
    cr_assert_not_null(compare(&e, MATCH_EXACT,
                               "[2026-12-02 13:41:59][1][][gs_ctl]: done\n"
                               "^x 0/5000168 42\n"));
    cr_assert_not_null(compare(&e, MATCH_EXACT, "[2026-12-02 13:41:59.437][1][][gs_ctl]: done\n"));
    cr_assert_not_null(compare(&e, MATCH_EXACT,
                               "[2026-12-02 13:41:59.437][1][][gs_ctl]: done\n"
                               "^x 0/5000168 42\nextra\n"));
    cr_assert_null(compare(&e, MATCH_CONTAINS,
                           "before\n[2026-12-02 13:41:59.437][1][][gs_ctl]: "
                           "done\n^x 0/AB 1\nafter\n"));
    cr_assert_not_null(compare(&e, MATCH_CONTAINS, "^x 0/AB 1\n"));
    e.optional[0] = true;
    cr_assert_null(compare(&e, MATCH_EXACT, "^x 0/AB 1\n"));
}
