/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * ogscenario - validate, list, plan and run scenario files; re-run the
 * failed ones; rewrite a run's reports. A thin main over libscenario.
 */
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fs.h"
#include "ogup-config.h"
#include "matrix.h"
#include "plan.h"
#include "report.h"
#include "runner.h"
#include "scenario.h"
#include "parse.h"
#include "banned.h"

#ifndef OGSIM_PATH_DEFAULT
#define OGSIM_PATH_DEFAULT "ogsim"
#endif
#ifndef OGFAULT_PATH_DEFAULT
#define OGFAULT_PATH_DEFAULT "ogfault"
#endif

static const char usage_text[] =
    "Usage: ogscenario COMMAND [PATH...] [OPTIONS]\n"
    "\n"
    "PATH: scenario files or directories (*.xml below them); default " OGUP_SOURCE_ROOT
    "/scenarios\n"
    "\n"
    "Commands:\n"
    "  validate [PATH...]            check every file against the schema and the rules;\n"
    "                                one line per bad file: FILE:LINE: rule RULE: message\n"
    "  list [PATH...]                id, suite, cluster, steps, file of each scenario\n"
    "  plan [PATH...]                what run would do, scenario by scenario\n"
    "  run [PATH...]                 play the scenarios on simulated clusters (root)\n"
    "  rerun --failed                play again the failed scenarios of the last run\n"
    "  report [RUN_DIR]              rewrite a run's reports, print its summary\n"
    "  report --merge RUN_DIR...     join runs (shards) into one report in --out/--run-id\n"
    "  enumerate --plan PLANS        the fault matrix: every failpoint of the plans x every\n"
    "                                fault kind, applicable or N/A (why); --out DIR writes\n"
    "                                the applicable cells there as scenario files\n"
    "  schema                        print the RelaxNG schema compiled in\n"
    "\n"
    "Options:\n"
    "  --filter GLOB                 keep scenarios whose id, suite/id or a tag matches\n"
    "  --out DIR                     results root (default ./scenario-results); a run goes\n"
    "                                to DIR/<run-id>/, DIR/latest points at the last one\n"
    "  --run-id ID                   the run's directory name (default: UTC time)\n"
    "  --junit FILE                  also write the JUnit XML there\n"
    "  --from RUN_DIR                rerun/report: the run to read (default DIR/latest)\n"
    "  --keep-clusters               leave the clusters up at the end\n"
    "  --cluster-prefix P            cluster names P-1, P-2, ... (default sc<pid>)\n"
    "  --cache-min N                 snapshot a prepared cluster used by N scenarios (4)\n"
    "  --repeat N                    run: play each scenario N times in a row (ids ID~1..ID~N;\n"
    "                                a flakiness check, 1-100); the summary says k/N each\n"
    "  --plan PLANS, --matrix PLANS  the matrix of these plans (comma separated, or all):\n"
    "                                inplace, inplace-rollback, inplace-commit, grey,\n"
    "                                grey-rollback, grey-commit; run plays their cells\n"
    "  --shard K/N                   run only shard K of N (a deterministic split by id)\n"
    "  --driver lxc|qemu             the nodes: containers (default) or full VMs (own\n"
    "                                kernel; emulated without KVM, minutes a scenario)\n"
    "  --uri URI                     libvirt URI of the hypervisor host (lxc:///system,\n"
    "                                lxc+ssh://..., qemu+tcp://...; default the driver's)\n"
    "  --min-fault-coverage PCT      exit 1 when a plan's coverage (applicable cells\n"
    "                                passed) is below PCT; the line names the uncovered\n"
    "  --ogsim PATH, --ogfault PATH  the tools (defaults: this build's; env OGSIM, OGFAULT)\n"
    "  -h, --help                    this text\n"
    "  -V, --version                 \"ogscenario (ogup) VERSION\"\n"
    "\n"
    "Exit: 0 all passed; 1 a scenario failed or a file is invalid; usage errors as the\n"
    "OM tools ([GAUSS-500xx] exits 10).\n";

struct args {
    const char *cmd;
    const char *plans;
    unsigned shard_k, shard_n; /* 1-based k; n 0 = no sharding */
    double min_coverage;       /* -1: not enforced */
    int repeat;                /* run: each scenario this many times (0, 1: once) */
    bool merge;
    const char *paths[256];
    size_t n_paths;
    const char *filter;
    const char *from;
    bool failed;
    struct scn_run_opts run;
};

#define usage_error(...) og_usage_error(usage_text, __VA_ARGS__)

static void on_signal(int sig)
{
    (void)sig;
    scn_run_request_stop();
}

/* The plans named in a (comma separated, or "all") into v; -1 on a bad name. */
static int plans_of(const struct args *a, const struct scn_matrix_plan **v, size_t max)
{
    const struct scn_matrix_plan *all;
    size_t n_all = scn_matrix_plans(&all), n = 0;
    char copy[256], *save = NULL;

    snprintf(copy, sizeof(copy), "%s", a->plans ? a->plans : "");
    for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        if (strcmp(t, "all") == 0) {
            for (size_t i = 0; i < n_all && n < max; i++)
                v[n++] = &all[i];
            continue;
        }
        if (!scn_matrix_plan(t) || n == max)
            return -1;
        v[n++] = scn_matrix_plan(t);
    }
    return (int)n;
}

/* The matrix's cells of a's plans as scenario files: under the run's own
 * directory DIR/RUN-ID/matrix when the run has an id (shards sharing DIR
 * never write each other's files), else DIR/matrix. */
static int write_matrix(const struct args *a, char *dir, size_t size)
{
    const struct scn_matrix_plan *v[8];
    struct og_error err = {0};
    const char *out = a->run.out_dir ? a->run.out_dir : SCN_OUT_DEFAULT;
    int n = plans_of(a, v, ELEMENTSOF(v));

    if (a->run.run_id)
        snprintf(dir, size, "%s/%s/matrix", out, a->run.run_id);
    else
        snprintf(dir, size, "%s/matrix", out);
    for (int i = 0; i < n; i++) {
        size_t k;
        int r = scn_matrix_write(v[i], dir, &k, &err);
        if (r < 0)
            return og_error_report(&err, OG_ACTION_OTHER, r);
    }
    return 0;
}

static int load(const struct args *a, struct scn_set *set, bool report_errors)
{
    const char *def[] = {OGUP_SOURCE_ROOT "/scenarios"}, *paths[ELEMENTSOF(a->paths) + 1];
    struct og_error err = {0};
    char mdir[4096];
    size_t n = 0;
    int r;

    for (size_t i = 0; i < a->n_paths; i++)
        paths[n++] = a->paths[i];
    if (a->plans) {
        r = write_matrix(a, mdir, sizeof(mdir));
        if (r)
            return r;
        paths[n++] = mdir;
    }
    r = n ? scn_set_load(paths, n, set, &err) : scn_set_load(def, 1, set, &err);
    if (r < 0)
        return og_error_report(&err, OG_ACTION_OTHER, r);
    if (report_errors && set->n_errors) {
        fprintf(stderr, "%s", dynbuf_str(&set->errors));
        fprintf(stderr, "ogscenario: %zu invalid scenario file%s\n", set->n_errors,
                set->n_errors == 1 ? "" : "s");
        return 1;
    }
    scn_set_filter(set, a->filter);
    if (a->shard_n && (r = scn_set_shard(set, a->shard_k - 1, a->shard_n)) < 0)
        og_error_set(&err, -r, "sharding the scenarios");
    else if (a->repeat > 1)
        r = scn_set_repeat(set, (unsigned)a->repeat, &err);
    if (r < 0) {
        scn_set_done(set);
        return og_error_report(&err, OG_ACTION_OTHER, r);
    }
    return 0;
}

static int cmd_enumerate(const struct args *a)
{
    const struct scn_matrix_plan *v[8];
    struct og_error err = {0};
    int n = plans_of(a, v, ELEMENTSOF(v));

    if (n <= 0)
        return usage_error("enumerate needs --plan PLANS");
    for (int i = 0; i < n; i++) {
        _cleanup_free_ struct scn_cell_def *cells = NULL;
        size_t nc = 0, na = 0, written = 0;
        int r = scn_matrix_cells(v[i], &cells, &nc, &err);
        if (r < 0)
            return og_error_report(&err, OG_ACTION_OTHER, r);
        printf("%-58s %-14s %s\n", "CELL", "KIND", "APPLIES");
        for (size_t k = 0; k < nc; k++) {
            na += cells[k].na != NULL;
            printf("%-58s %-14s %s%s\n", cells[k].id, fault_kind_name(cells[k].kind),
                   cells[k].na ? "N/A: " : "yes", cells[k].na ? cells[k].na : "");
        }
        if (a->run.out_dir) {
            r = scn_matrix_write(v[i], a->run.out_dir, &written, &err);
            if (r < 0)
                return og_error_report(&err, OG_ACTION_OTHER, r);
        }
        printf("plan %s: %zu cells, %zu applicable, %zu N/A%s%s%s\n\n", v[i]->name, nc, nc - na, na,
               written ? "; written to " : "", written ? a->run.out_dir : "",
               written ? "/<plan>/" : "");
    }
    return 0;
}

static int cmd_validate(const struct args *a)
{
    struct scn_set set;
    int r = load(a, &set, false);

    if (r)
        return r;
    if (set.n_errors)
        fprintf(stderr, "%s", dynbuf_str(&set.errors));
    fflush(stderr);
    printf("ogscenario: %zu valid, %zu invalid\n", set.n, set.n_errors);
    r = set.n_errors ? 1 : 0;
    scn_set_done(&set);
    return r;
}

static int cmd_list(const struct args *a)
{
    struct scn_set set;
    int r = load(a, &set, true);

    if (r)
        return r;
    printf("%-44s %-9s %-20s %5s  %s\n", "ID", "SUITE", "CLUSTER", "STEPS", "FILE");
    for (size_t i = 0; i < set.n; i++) {
        const struct scenario *sc = set.v[i];
        char cl[64];
        snprintf(cl, sizeof(cl), "%s/%dn/%ddb%s%s", sc->version, sc->nodes, sc->databases,
                 sc->n_mot ? "/mot" : "", sc->workload ? "/wl" : "");
        printf("%-44s %-9s %-20s %5zu  %s\n", sc->id, sc->suite, cl, sc->n_steps, sc->file);
    }
    printf("%zu scenario%s\n", set.n, set.n == 1 ? "" : "s");
    scn_set_done(&set);
    return 0;
}

static int cmd_plan(const struct args *a)
{
    struct scn_set set;
    int r = load(a, &set, true);

    if (r)
        return r;
    for (size_t i = 0; i < set.n; i++) {
        _cleanup_dynbuf_ struct dynbuf b = {0};
        dynbuf_init(&b, 1 << 20);
        scn_plan(set.v[i], &b);
        printf("%s%s", i ? "\n" : "", dynbuf_str(&b));
    }
    scn_set_done(&set);
    return 0;
}

/* Per matrix plan: passed / applicable; false when one is below min. */
static bool coverage_lines(const struct scn_report *rep, double min)
{
    struct scn_coverage cov[8];
    size_t n = scn_matrix_coverage(rep, cov, ELEMENTSOF(cov));
    bool ok = true;

    for (size_t i = 0; i < n; i++) {
        double pct = scn_coverage_percent(&cov[i]);
        bool below = min >= 0 && pct + 1e-9 < min;
        printf("  coverage %s: %zu/%zu applicable cells passed (%.1f%%), %zu failed, %zu not "
               "run, %zu N/A%s%s\n",
               cov[i].plan, cov[i].passed, cov[i].applicable, pct, cov[i].failed, cov[i].not_run,
               cov[i].na, cov[i].uncovered[0] ? "; uncovered: " : "", cov[i].uncovered);
        if (below) {
            printf("ogscenario: fault coverage of %s is %.1f%%, below %.1f%% (uncovered: %s)\n",
                   cov[i].plan, pct, min, cov[i].uncovered);
            ok = false;
        }
    }
    if (min >= 0 && n == 0) {
        printf("ogscenario: --min-fault-coverage: the run has no cell of any plan\n");
        ok = false;
    }
    return ok;
}

/* The base id of a repeated scenario's result (ID of ID~k), its length. */
static size_t repeat_base(const char *id)
{
    const char *t = strrchr(id, '~');

    return t && t[1] && strspn(t + 1, "0123456789") == strlen(t + 1) ? (size_t)(t - id) : 0;
}

/* --repeat: per scenario, how many of its plays passed. */
static void repeat_lines(const struct scn_report *rep)
{
    for (size_t i = 0; i < rep->n; i++) {
        size_t len = repeat_base(rep->v[i].id), runs = 0, passed = 0;
        bool first = len > 0;

        for (size_t j = 0; j < rep->n && first; j++) {
            bool same =
                repeat_base(rep->v[j].id) == len && strncmp(rep->v[j].id, rep->v[i].id, len) == 0;
            if (same && j < i)
                first = false;
            runs += same;
            passed += same && rep->v[j].verdict == SCN_PASS;
        }
        if (first)
            printf("  repeat %.*s: %zu/%zu passed\n", (int)len, rep->v[i].id, passed, runs);
    }
}

static int summary(const struct scn_report *rep, const char *dir, double min_coverage)
{
    size_t c[4];
    bool covered;

    scn_report_counts(rep, c);
    for (size_t i = 0; i < rep->n; i++)
        if (rep->v[i].verdict == SCN_FAIL || rep->v[i].verdict == SCN_ERROR)
            printf("  %-5s %s: %s\n", scn_verdict_name(rep->v[i].verdict), rep->v[i].id,
                   rep->v[i].message);
    printf("ogscenario: %zu passed, %zu failed, %zu errors, %zu skipped in %.0f s\n", c[SCN_PASS],
           c[SCN_FAIL], c[SCN_ERROR], c[SCN_SKIP], rep->seconds);
    repeat_lines(rep);
    covered = coverage_lines(rep, min_coverage);
    printf("  %s/report.html  %s/junit.xml  %s/results.json\n", dir, dir, dir);
    return c[SCN_FAIL] || c[SCN_ERROR] || c[SCN_SKIP] || rep->n == 0 || !covered ? 1 : 0;
}

static int run_set(const struct args *a, const struct scn_set *set)
{
    struct scn_report rep;
    struct og_error err = {0};
    char dir[4096];
    int r;

    if (geteuid() != 0) {
        og_error_set(&err, OG_E_PARAM_INVALID,
                     "run must be root: it drives libvirt and the nodes' namespaces");
        return og_error_report(&err, OG_ACTION_OTHER, -OG_E_PARAM_INVALID);
    }
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    r = scn_run(set, &a->run, &rep, dir, sizeof(dir), &err);
    if (r < 0) {
        scn_report_done(&rep);
        return og_error_report(&err, OG_ACTION_OTHER, r);
    }
    r = summary(&rep, dir, a->min_coverage);
    scn_report_done(&rep);
    return r;
}

static int cmd_run(struct args *a)
{
    struct scn_set set;
    char id[64];
    int r;

    if (!a->run.run_id) {
        /* The run's id now, so its matrix files go into its own directory. */
        struct og_error err = {0};
        r = scn_run_claim_id(a->run.out_dir ? a->run.out_dir : SCN_OUT_DEFAULT, a->shard_k,
                             a->shard_n, id, sizeof(id), &err);
        if (r < 0)
            return og_error_report(&err, OG_ACTION_OTHER, r);
        a->run.run_id = id;
    }
    r = load(a, &set, true);
    if (r)
        return r;
    if (set.n == 0) {
        printf("ogscenario: no scenario matches\n");
        scn_set_done(&set);
        return 1;
    }
    r = run_set(a, &set);
    scn_set_done(&set);
    return r;
}

static void from_dir(const struct args *a, char *buf, size_t size)
{
    if (a->from)
        snprintf(buf, size, "%s", a->from);
    else
        snprintf(buf, size, "%s/latest", a->run.out_dir ? a->run.out_dir : SCN_OUT_DEFAULT);
}

static int cmd_rerun(struct args *a)
{
    struct scn_report prev;
    struct og_error err = {0};
    struct scn_set set;
    char dir[4096], p[4200];
    const char *files[1024];
    size_t n = 0;
    int r;

    if (!a->failed)
        return usage_error("rerun needs --failed");
    from_dir(a, dir, sizeof(dir));
    snprintf(p, sizeof(p), "%s/results.json", dir);
    r = scn_report_load_json(p, &prev, &err);
    if (r < 0)
        return og_error_report(&err, OG_ACTION_OTHER, r);
    for (size_t i = 0; i < prev.n && n < ELEMENTSOF(files); i++)
        if (prev.v[i].verdict != SCN_PASS)
            files[n++] = prev.v[i].file;
    if (n == 0) {
        printf("ogscenario: nothing failed in %s\n", dir);
        scn_report_done(&prev);
        return 0;
    }
    printf("ogscenario: re-running %zu scenario%s of %s\n", n, n == 1 ? "" : "s", dir);
    r = scn_set_load(files, n, &set, &err);
    scn_report_done(&prev);
    if (r < 0)
        return og_error_report(&err, OG_ACTION_OTHER, r);
    if (set.n_errors) {
        fprintf(stderr, "%s", dynbuf_str(&set.errors));
        scn_set_done(&set);
        return 1;
    }
    scn_set_filter(&set, a->filter);
    r = run_set(a, &set);
    scn_set_done(&set);
    return r;
}

/* Shards' results joined: every scenario once (a later run's result of the
 * same id replaces an earlier one), the time the longest shard took. */
static int cmd_merge(const struct args *a)
{
    struct scn_report rep;
    struct og_error err = {0};
    char dir[4096], p[4200], id[64];
    time_t t = time(NULL);
    struct tm tm;
    int r = 0;

    if (a->n_paths < 1)
        return usage_error("report --merge needs the runs' directories");
    gmtime_r(&t, &tm);
    strftime(id, sizeof(id), "merged-%Y%m%d-%H%M%S", &tm);
    scn_report_init(&rep, a->run.run_id ? a->run.run_id : id);
    for (size_t i = 0; r == 0 && i < a->n_paths; i++) {
        snprintf(p, sizeof(p), "%s/results.json", a->paths[i]);
        r = scn_report_merge_json(&rep, p, &err);
    }
    snprintf(dir, sizeof(dir), "%s/%s", a->run.out_dir ? a->run.out_dir : SCN_OUT_DEFAULT,
             rep.run_id);
    if (r == 0)
        r = fs_mkdir_p(dir, 0755, &err);
    if (r == 0)
        r = scn_write_reports(&rep, dir, a->run.junit, &err);
    if (r < 0) {
        scn_report_done(&rep);
        return og_error_report(&err, OG_ACTION_OTHER, r);
    }
    printf("ogscenario: merged %zu run%s into %s\n", a->n_paths, a->n_paths == 1 ? "" : "s", dir);
    r = summary(&rep, dir, a->min_coverage);
    scn_report_done(&rep);
    return r;
}

static int cmd_report(const struct args *a)
{
    struct scn_report rep;
    struct og_error err = {0};
    char dir[4096], p[4200];
    int r;

    if (a->merge)
        return cmd_merge(a);
    if (a->n_paths)
        snprintf(dir, sizeof(dir), "%s", a->paths[0]);
    else
        from_dir(a, dir, sizeof(dir));
    snprintf(p, sizeof(p), "%s/results.json", dir);
    r = scn_report_load_json(p, &rep, &err);
    if (r == 0)
        r = scn_write_reports(&rep, dir, a->run.junit, &err);
    if (r < 0) {
        if (rep.v)
            scn_report_done(&rep);
        return og_error_report(&err, OG_ACTION_OTHER, r);
    }
    r = summary(&rep, dir, a->min_coverage);
    scn_report_done(&rep);
    return r;
}

static int parse_shard(const char *text, unsigned *k, unsigned *n)
{
    const char *slash = strchr(text, '/');
    char left[16];
    int vk, vn;

    if (!slash || (size_t)(slash - text) >= sizeof(left))
        return -1;
    snprintf(left, sizeof(left), "%.*s", (int)(slash - text), text);
    if (safe_atoi(left, &vk) < 0 || safe_atoi(slash + 1, &vn) < 0 || vn < 1 || vk < 1 || vk > vn ||
        vn > 1000)
        return -1;
    *k = (unsigned)vk;
    *n = (unsigned)vn;
    return 0;
}

static const struct option longopts[] = {
    {"filter", required_argument, NULL, 'f'},
    {"out", required_argument, NULL, 'o'},
    {"run-id", required_argument, NULL, 'i'},
    {"junit", required_argument, NULL, 'j'},
    {"from", required_argument, NULL, 'F'},
    {"failed", no_argument, NULL, 'x'},
    {"keep-clusters", no_argument, NULL, 'k'},
    {"cluster-prefix", required_argument, NULL, 'p'},
    {"cache-min", required_argument, NULL, 'c'},
    {"repeat", required_argument, NULL, 'r'},
    {"plan", required_argument, NULL, 'P'},
    {"matrix", required_argument, NULL, 'P'},
    {"shard", required_argument, NULL, 'S'},
    {"uri", required_argument, NULL, 'U'},
    {"driver", required_argument, NULL, 'D'},
    {"min-fault-coverage", required_argument, NULL, 'M'},
    {"merge", no_argument, NULL, 'm'},
    {"ogsim", required_argument, NULL, 's'},
    {"ogfault", required_argument, NULL, 'g'},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, 'V'},
    {NULL, 0, NULL, 0},
};

/* An option that only records its value (or that it was given) into a;
 * false when c is not one of them. */
static bool plain_opt(int c, const char *val, struct args *a)
{
    const char **str = NULL;
    bool *flag = NULL;

    switch (c) {
    case 'f':
        str = &a->filter;
        break;
    case 'o':
        str = &a->run.out_dir;
        break;
    case 'i':
        str = &a->run.run_id;
        break;
    case 'j':
        str = &a->run.junit;
        break;
    case 'F':
        str = &a->from;
        break;
    case 'p':
        str = &a->run.cluster_prefix;
        break;
    case 'U':
        str = &a->run.uri;
        break;
    case 's':
        str = &a->run.ogsim;
        break;
    case 'g':
        str = &a->run.ogfault;
        break;
    case 'x':
        flag = &a->failed;
        break;
    case 'k':
        flag = &a->run.keep_clusters;
        break;
    case 'm':
        flag = &a->merge;
        break;
    default:
        return false;
    }
    if (str)
        *str = val;
    else
        *flag = true;
    return true;
}

static int opt_min_coverage(const char *val, struct args *a)
{
    char *end = NULL;

    a->min_coverage = strtod(val, &end);
    if (!end || end == val || (*end && strcmp(end, "%") != 0) || a->min_coverage < 0 ||
        a->min_coverage > 100)
        return usage_error("--min-fault-coverage \"%s\" must be a percentage 0-100", val);
    return 0;
}

/* An option whose value is checked: 0, or the usage error's exit code. */
static int checked_opt(int c, const char *val, struct args *a)
{
    const struct scn_matrix_plan *v[8];

    switch (c) {
    case 'c':
        if (safe_atoi_range(val, 1, INT_MAX, &a->run.cache_min) < 0)
            return usage_error("--cache-min \"%s\" must be a positive integer", val);
        return 0;
    case 'r':
        if (safe_atoi_range(val, 1, 100, &a->repeat) < 0)
            return usage_error("--repeat \"%s\" must be an integer 1-100", val);
        return 0;
    case 'P':
        a->plans = val;
        if (plans_of(a, v, ELEMENTSOF(v)) <= 0)
            return usage_error("--plan \"%s\": the plans are inplace, inplace-rollback, "
                               "inplace-commit, grey, grey-rollback, grey-commit or all",
                               val);
        return 0;
    case 'S':
        if (parse_shard(val, &a->shard_k, &a->shard_n) < 0)
            return usage_error("--shard \"%s\" must be K/N with 1 <= K <= N", val);
        return 0;
    case 'D':
        if (strcmp(val, "lxc") != 0 && strcmp(val, "qemu") != 0)
            return usage_error("--driver \"%s\": the drivers are lxc and qemu", val);
        a->run.driver = val;
        return 0;
    case 'M':
        return opt_min_coverage(val, a);
    default:
        return usage_error("unrecognized parameter");
    }
}

#define ARGS_GO_ON -1 /* parse_args: run the command (else the exit code to stop with) */

/* The command line into a: the command and paths wherever they stand
 * among the options. */
static int parse_args(int argc, char **argv, struct args *a)
{
    int c, r;

    a->run.ogsim = getenv("OGSIM") ? getenv("OGSIM") : OGSIM_PATH_DEFAULT;
    a->run.ogfault = getenv("OGFAULT") ? getenv("OGFAULT") : OGFAULT_PATH_DEFAULT;
    while ((c = getopt_long(argc, argv, "+hV", longopts, NULL)) != -1 || optind < argc) {
        if (c == -1) { /* a positional argument: the command or a path */
            if (!a->cmd)
                a->cmd = argv[optind];
            else if (a->n_paths < ELEMENTSOF(a->paths))
                a->paths[a->n_paths++] = argv[optind];
            else
                return usage_error("too many paths at \"%s\"", argv[optind]);
            optind++;
            continue;
        }
        if (c == 'h') {
            fputs(usage_text, stdout);
            return 0;
        }
        if (c == 'V')
            return og_print_version("ogscenario");
        if (!plain_opt(c, optarg, a) && (r = checked_opt(c, optarg, a)) != 0)
            return r;
    }
    if (!a->cmd)
        return usage_error("a command is required");
    if (a->run.run_id && (strchr(a->run.run_id, '/') || a->run.run_id[0] == '.'))
        return usage_error("--run-id \"%s\" must be a plain name", a->run.run_id);
    return ARGS_GO_ON;
}

static int run_command(struct args *a)
{
    if (strcmp(a->cmd, "validate") == 0)
        return cmd_validate(a);
    if (strcmp(a->cmd, "list") == 0)
        return cmd_list(a);
    if (strcmp(a->cmd, "plan") == 0)
        return cmd_plan(a);
    if (strcmp(a->cmd, "enumerate") == 0)
        return cmd_enumerate(a);
    if (strcmp(a->cmd, "run") == 0)
        return cmd_run(a);
    if (strcmp(a->cmd, "rerun") == 0)
        return cmd_rerun(a);
    if (strcmp(a->cmd, "report") == 0)
        return cmd_report(a);
    if (strcmp(a->cmd, "schema") == 0) {
        fputs(scenario_schema(NULL), stdout);
        return 0;
    }
    return usage_error("unknown command \"%s\"", a->cmd);
}

int main(int argc, char **argv)
{
    struct args a = {.min_coverage = -1};
    int r = parse_args(argc, argv, &a);

    return r == ARGS_GO_ON ? run_command(&a) : r;
}
