/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * ogscenario end to end on a real 3-node LXC cluster (root, libvirtd): the
 * fast subset of the suites -- 2.0.0 -> 2.0.1 (allowed, small, committed),
 * the upgrader killed in the binary switch then re-run (retry), 2.0.0 ->
 * 2.0.0 (refused) -- plus a scenario expecting the wrong exit code, which
 * must be reported failed. One cluster for the four (one group), one run.
 * Then: the JUnit file has one testcase per scenario and exactly that one
 * failure; results.json and the bundles hold what they should; `rerun
 * --failed` plays only the failed one again; `report` rewrites the reports;
 * no cluster is left; and headless Chromium renders report.html into a
 * non-trivial PNG (kept as report.png in the run directory).
 */
#include <criterion/criterion.h>
#include <json-c/json.h>
#include <pthread.h>
#include <libxml/parser.h>
#include <libxml/xpath.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "command.h"
#include "dynbuf.h"
#include "fs.h"
#include "simcluster.h"

static char out_dir[PATH_MAX];
static char prefix[32];
static struct command_result res;

static void setup(void)
{
    snprintf(prefix, sizeof(prefix), "its%d", (int)(getpid() % 10000));
    snprintf(out_dir, sizeof(out_dir), "/tmp/test_scenarios.%d", (int)getpid());
}

/* Also after a failure: no cluster of ours left (the runner downs its own;
 * a crashed runner's are removed here). */
static void teardown(void)
{
    for (int g = 1; g <= 4; g++) {
        static const char *const tails[] = {"", "a", "b"};
        for (size_t t = 0; t < 3; t++) {
            char name[48];
            snprintf(name, sizeof(name), "%s%s-%d", prefix, tails[t], g);
            sim_down(name, NULL, NULL);
        }
    }
    command_result_done(&res);
    if (!getenv("KEEP_SCENARIO_RESULTS"))
        fs_remove_tree(out_dir, NULL);
}

TestSuite(scenarios, .init = setup, .fini = teardown, .timeout = 2400);

/* ogscenario args...; its exit status (output in res, echoed to the log). */
static int ogscenario(const char *const *args)
{
    const char *argv[32];
    size_t n = 0;
    _cleanup_command_ struct command *cmd = NULL;
    struct og_error err = {0};

    argv[n++] = OGSCENARIO_PATH;
    for (size_t i = 0; args[i]; i++)
        argv[n++] = args[i];
    argv[n] = NULL;
    cmd = command_new(argv);
    command_set_timeout_ms(cmd, 2000 * 1000);
    command_set_output_max(cmd, 64u * 1024 * 1024);
    command_result_done(&res);
    cr_assert_eq(command_run(cmd, &res, &err), 0, "%s", err.detail);
    fprintf(stderr, "$ ogscenario %s ...\n%s%s", args[0], res.out, res.err);
    return res.exit_status;
}

static int xpath_count(xmlDocPtr doc, const char *expr)
{
    xmlXPathContextPtr ctx = xmlXPathNewContext(doc);
    xmlXPathObjectPtr x = xmlXPathEvalExpression(BAD_CAST expr, ctx);
    int n = x && x->nodesetval ? x->nodesetval->nodeNr : -1;

    xmlXPathFreeObject(x);
    xmlXPathFreeContext(ctx);
    return n;
}

static const char *verdict_of(json_object *report, const char *id)
{
    json_object *v, *s, *f;

    cr_assert(json_object_object_get_ex(report, "scenarios", &v));
    for (size_t i = 0; i < json_object_array_length(v); i++) {
        s = json_object_array_get_idx(v, i);
        if (json_object_object_get_ex(s, "id", &f) && strcmp(json_object_get_string(f), id) == 0)
            return json_object_object_get_ex(s, "verdict", &f) ? json_object_get_string(f) : "";
    }
    return "missing";
}

/* The fast subset's verdicts, in one run or merged from shards. */
static void assert_fast_subset_verdicts(json_object *report)
{
    cr_assert_str_eq(verdict_of(report, "paths-2.0.0-to-2.0.1"), "pass");
    cr_assert_str_eq(verdict_of(report, "retry-kill-switch-bin"), "pass");
    cr_assert_str_eq(verdict_of(report, "paths-2.0.0-to-2.0.0"), "pass");
    cr_assert_str_eq(verdict_of(report, "it-wrong-exit"), "fail");
}

static json_object *load_json(const char *path)
{
    char *text = NULL;
    struct og_error err = {0};
    json_object *o;

    cr_assert_eq(fs_read_file(path, 64u << 20, &text, NULL, &err), 0, "%s", err.detail);
    o = json_tokener_parse(text);
    cr_assert_not_null(o, "%s is not JSON", path);
    free(text);
    return o;
}

static bool exists(const char *dir, const char *name)
{
    char p[PATH_MAX + 256];

    snprintf(p, sizeof(p), "%s/%s", dir, name);
    return access(p, F_OK) == 0;
}

Test(scenarios, fast_subset_and_a_failing_expectation)
{
    char junit[PATH_MAX + 32], run[PATH_MAX + 32], p[PATH_MAX + 64], png[PATH_MAX + 32],
        url[PATH_MAX + 64], shot[PATH_MAX + 64];
    const char *files[] = {
        SOURCE_ROOT "/scenarios/paths/2.0.0-to-2.0.1.xml",
        SOURCE_ROOT "/scenarios/retry/kill-switch-bin.xml",
        SOURCE_ROOT "/scenarios/paths/2.0.0-to-2.0.0.xml",
        SOURCE_ROOT "/tests/data/scenarios/fail/wrong-exit.xml",
    };
    json_object *report;
    xmlDocPtr doc;
    struct stat st;
    struct dynbuf list;
    struct og_error err = {0};

    snprintf(junit, sizeof(junit), "%s/ci-junit.xml", out_dir);
    snprintf(run, sizeof(run), "%s/first", out_dir);
    {
        const char *args[] = {
            "run",      files[0], files[1],  files[2], files[3],           "--out", out_dir,
            "--run-id", "first",  "--junit", junit,    "--cluster-prefix", prefix,  NULL};
        /* one scenario fails, so the run exits 1 */
        cr_assert_eq(ogscenario(args), 1, "%s %s", res.out, res.err);
    }
    cr_assert_not_null(strstr(res.out, "ogscenario: 3 passed, 1 failed, 0 errors, 0 skipped"), "%s",
                       res.out);
    /* the plan is printed before each scenario runs */
    cr_assert_not_null(strstr(res.out, "scenario retry-kill-switch-bin (suite retry)"));
    cr_assert_lt(strstr(res.out, "   2. upgrade: OGUP_FAILPOINTS=inplace.switch-bin.after-effect"),
                 strstr(res.out, "  [2/4] upgrade: OGUP_FAILPOINTS="));
    /* one cluster for the four, restored from its snapshot */
    cr_assert_not_null(strstr(res.out, "reset: restore"), "%s", res.out);

    /* JUnit: one testcase per scenario, the wrong exit its only failure */
    doc = xmlReadFile(junit, NULL, XML_PARSE_NONET);
    cr_assert_not_null(doc);
    cr_assert_eq(xpath_count(doc, "//testcase"), 4);
    cr_assert_eq(xpath_count(doc, "//testcase/failure"), 1);
    cr_assert_eq(xpath_count(doc, "//testcase/error"), 0);
    cr_assert_eq(xpath_count(doc, "//testcase[@name='it-wrong-exit']/failure"
                                  "[contains(@message,'step 1 upgrade: exit 0')]"),
                 1);
    xmlFreeDoc(doc);

    /* results.json */
    snprintf(p, sizeof(p), "%s/results.json", run);
    report = load_json(p);
    assert_fast_subset_verdicts(report);
    json_object_put(report);

    /* a bundle per scenario */
    snprintf(p, sizeof(p), "%s/retry-kill-switch-bin", run);
    cr_assert(exists(p, "plan.txt") && exists(p, "scenario.xml") && exists(p, "status.json") &&
              exists(p, "faults.json") && exists(p, "result.json"));
    cr_assert(exists(p, "nodes/node1/om") && exists(p, "nodes/node3/pg_log") &&
              exists(p, "nodes/node2/binary_upgrade/upgrade_step.dat"));
    cr_assert(exists(p, "commands/03-auto-upgrade.txt") ||
              exists(p, "commands/04-auto-upgrade.txt"));
    /* the HTML: the rows and the heatmap cell of the killed switch */
    snprintf(p, sizeof(p), "%s/report.html", run);
    {
        char *html = NULL;
        cr_assert_eq(fs_read_file(p, 64u << 20, &html, NULL, &err), 0, "%s", err.detail);
        cr_assert_not_null(strstr(html, "<tr class=\"row-fail\" id=\"s-it-wrong-exit\">"));
        cr_assert_not_null(strstr(html, "<tr class=\"row-pass\" id=\"s-paths-2.0.0-to-2.0.1\">"));
        cr_assert_not_null(strstr(html, "<td class=\"pass\" title=\"retry-kill-switch-bin (pass): "
                                        "failpoint inplace.switch-bin.after-effect=kill\">1</td>"));
        free(html);
    }

    /* headless Chromium renders it */
    snprintf(png, sizeof(png), "%s/report.png", run);
    snprintf(url, sizeof(url), "file://%s", p);
    snprintf(shot, sizeof(shot), "--screenshot=%s", png);
    {
        const char *argv[] = {"chromium",
                              "--headless",
                              "--no-sandbox",
                              "--disable-gpu",
                              "--hide-scrollbars",
                              shot,
                              "--window-size=1200,900",
                              url,
                              NULL};
        _cleanup_command_ struct command *cmd = command_new(argv);
        command_set_timeout_ms(cmd, 120000);
        command_passenv(cmd, "HOME");
        command_result_done(&res);
        cr_assert_eq(command_run(cmd, &res, &err), 0, "chromium: %s", err.detail);
        cr_assert_eq(stat(png, &st), 0, "no screenshot: %s %s", res.out, res.err);
        cr_assert_gt(st.st_size, 20000, "a blank page is a few KB: %lld", (long long)st.st_size);
        {
            unsigned char sig[8];
            FILE *f = fopen(png, "rb");
            cr_assert_not_null(f);
            cr_assert_eq(fread(sig, 1, 8, f), 8);
            fclose(f);
            cr_assert_eq(memcmp(sig, "\x89PNG\r\n\x1a\n", 8), 0, "not a PNG");
        }
    }

    /* rerun --failed: only the failing scenario, failing again */
    {
        const char *args[] = {
            "rerun", "--failed",         "--out", out_dir, "--from", run, "--run-id",
            "again", "--cluster-prefix", prefix,  NULL};
        cr_assert_eq(ogscenario(args), 1);
        cr_assert_not_null(strstr(res.out, "re-running 1 scenario of"), "%s", res.out);
        cr_assert_not_null(strstr(res.out, "ogscenario: 0 passed, 1 failed"), "%s", res.out);
    }
    /* report rewrites the reports of a run and says how it went */
    {
        const char *args[] = {"report", run, NULL};
        snprintf(p, sizeof(p), "%s/junit.xml", run);
        unlink(p);
        cr_assert_eq(ogscenario(args), 1);
        cr_assert(exists(run, "junit.xml"));
        cr_assert_not_null(strstr(res.out, "3 passed, 1 failed"), "%s", res.out);
    }
    /* no cluster left behind */
    dynbuf_init(&list, 1 << 16);
    cr_assert_eq(sim_list(&list, &err), 0, "%s", err.detail);
    cr_assert_null(strstr(dynbuf_str(&list), prefix), "left: %s", dynbuf_str(&list));
    dynbuf_done(&list);
}

/* ---- shards on two libvirt connections, merged -------------------------------------- */

struct shard_run {
    const char **args;
    struct command_result res;
    int rc;
    char error[512];
};

static void *shard_main(void *arg)
{
    struct shard_run *s = arg;
    const char *argv[40];
    size_t n = 0;
    _cleanup_command_ struct command *cmd = NULL;
    struct og_error err = {0};

    argv[n++] = OGSCENARIO_PATH;
    for (size_t i = 0; s->args[i] && n < 39; i++)
        argv[n++] = s->args[i];
    argv[n] = NULL;
    cmd = command_new(argv);
    command_set_timeout_ms(cmd, 2000 * 1000);
    command_set_output_max(cmd, 64u * 1024 * 1024);
    s->rc = command_run(cmd, &s->res, &err);
    snprintf(s->error, sizeof(s->error), "%s", err.detail);
    return NULL;
}

/* The fast subset and one cell of the in-place matrix, split in two shards
 * played side by side, each on its own libvirt connection (the default
 * socket, and the same daemon through the remote driver's unix transport:
 * a second "host" on this machine), then merged: the verdicts and the
 * coverage are those of one run (the first test's verdicts; one cell of
 * 231 applicable). Dealt in the order of their ids' FNV-1a hashes, shard 1
 * holds the 2.0.1 path, the wrong exit and the cell, shard 2 the retry and
 * the 2.0.0 refusal. */
Test(scenarios, shards_over_two_uris_merge_as_one_run)
{
    char p1[48], p2[48], cells[PATH_MAX + 32], cell[PATH_MAX + 96], junit[PATH_MAX + 32],
        r1[PATH_MAX + 8], r2[PATH_MAX + 8], p[PATH_MAX + 64];
    const char *uri2 = "lxc+unix:///system?socket=/var/run/libvirt/libvirt-sock";
    struct shard_run s[2];
    pthread_t th[2];
    json_object *report;
    xmlDocPtr doc;

    memset(s, 0, sizeof(s));
    snprintf(p1, sizeof(p1), "%sa", prefix);
    snprintf(p2, sizeof(p2), "%sb", prefix);
    snprintf(cells, sizeof(cells), "%s/cells", out_dir);
    snprintf(cell, sizeof(cell), "%s/inplace/inplace.record.before.kill-upgrader.xml", cells);
    snprintf(junit, sizeof(junit), "%s/merged-junit.xml", out_dir);
    snprintf(r1, sizeof(r1), "%s/s1", out_dir);
    snprintf(r2, sizeof(r2), "%s/s2", out_dir);
    {
        const char *args[] = {"enumerate", "--plan", "inplace", "--out", cells, NULL};
        cr_assert_eq(ogscenario(args), 0);
        cr_assert_not_null(strstr(res.out, "plan inplace: 240 cells, 231 applicable, 9 N/A"));
    }
    {
        const char *uris[2] = {"lxc:///system", uri2};
        static const char *const shard[2] = {"1/2", "2/2"};
        const char *args[2][24];
        for (int i = 0; i < 2; i++) {
            const char *v[] = {"run",
                               SOURCE_ROOT "/scenarios/paths/2.0.0-to-2.0.1.xml",
                               SOURCE_ROOT "/scenarios/retry/kill-switch-bin.xml",
                               SOURCE_ROOT "/scenarios/paths/2.0.0-to-2.0.0.xml",
                               SOURCE_ROOT "/tests/data/scenarios/fail/wrong-exit.xml",
                               cell,
                               "--shard",
                               shard[i],
                               "--uri",
                               uris[i],
                               "--out",
                               out_dir,
                               "--run-id",
                               i ? "s2" : "s1",
                               "--cluster-prefix",
                               i ? p2 : p1,
                               NULL};
            memcpy(args[i], v, sizeof(v));
        }
        s[0].args = args[0];
        s[1].args = args[1];
        for (int i = 0; i < 2; i++)
            cr_assert_eq(pthread_create(&th[i], NULL, shard_main, &s[i]), 0);
        for (int i = 0; i < 2; i++)
            pthread_join(th[i], NULL);
    }
    for (int i = 0; i < 2; i++) {
        cr_assert_eq(s[i].rc, 0, "shard %d: %s", i + 1, s[i].error);
        fprintf(stderr, "$ ogscenario run --shard %d/2 ...\n%s%s", i + 1, s[i].res.out,
                s[i].res.err);
    }
    /* each shard played only its own, on its own connection */
    cr_assert_not_null(strstr(s[0].res.out, "ogscenario: 3 scenarios"), "%s", s[0].res.out);
    cr_assert_not_null(strstr(s[0].res.out, "on lxc:///system"), "%s", s[0].res.out);
    cr_assert_eq(s[0].res.exit_status, 1, "the wrong exit fails its shard");
    cr_assert_not_null(strstr(s[1].res.out, "ogscenario: 2 scenarios"), "%s", s[1].res.out);
    cr_assert_not_null(strstr(s[1].res.out, uri2), "%s", s[1].res.out);
    cr_assert_eq(s[1].res.exit_status, 0, "%s", s[1].res.out);
    for (int i = 0; i < 2; i++)
        command_result_done(&s[i].res);

    /* merged: the verdicts of one run, one coverage figure */
    {
        const char *args[] = {"report",   "--merge", r1,        r2,    "--out", out_dir,
                              "--run-id", "merged",  "--junit", junit, NULL};
        cr_assert_eq(ogscenario(args), 1);
    }
    cr_assert_not_null(strstr(res.out, "ogscenario: 4 passed, 1 failed, 0 errors, 0 skipped"), "%s",
                       res.out);
    cr_assert_not_null(strstr(res.out, "coverage inplace: 1/231 applicable cells passed"), "%s",
                       res.out);
    snprintf(p, sizeof(p), "%s/merged/results.json", out_dir);
    report = load_json(p);
    assert_fast_subset_verdicts(report);
    cr_assert_str_eq(verdict_of(report, "inplace.record.before.kill-upgrader"), "pass");
    json_object_put(report);
    doc = xmlReadFile(junit, NULL, XML_PARSE_NONET);
    cr_assert_not_null(doc);
    cr_assert_eq(xpath_count(doc, "//testsuite[not(contains(@name,'.na'))]/testcase"), 5);
    cr_assert_eq(xpath_count(doc, "//testsuite[@name='matrix-inplace.na']/testcase/skipped"), 9,
                 "the N/A cells, each a skipped testcase with its reason");
    cr_assert_eq(xpath_count(doc, "//testcase/failure"), 1);
    xmlFreeDoc(doc);
}
