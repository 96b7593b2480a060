/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * scenarios: the file format (tests/data/scenarios/good parses into the
 * model; every file of bad/ fails with OGUP-60060 naming the file, the line
 * and the rule its first comment expects), the checked-in suites validate
 * and cover what the issue asks, plan printing, expectations judged against
 * observed facts, journal records, and the JUnit / JSON / HTML writers.
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <libxml/parser.h>
#include <limits.h>
#include <libxml/xpath.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "expect.h"
#include "fs.h"
#include "plan.h"
#include "report.h"
#include "scenario.h"

#include "../helpers/tmpdir.h"

#define DATA SCENARIO_DATA /* tests/data/scenarios */

static struct scenario *parse_ok(const char *path)
{
    struct scenario *sc = NULL;
    struct og_error err = {0};

    cr_assert_eq(scenario_parse_file(path, &sc, &err), 0, "%s: %s", path, err.detail);
    return sc;
}

static struct scenario *parse_text(const char *text, struct og_error *err)
{
    struct scenario *sc = NULL;
    int r = scenario_parse_memory(text, strlen(text), "mem/t.xml", &sc, err);

    cr_assert((r == 0) == (sc != NULL));
    return sc;
}

/* ---- the format ------------------------------------------------------------------------------ */

Test(scenario, good_file_into_the_model)
{
    struct scenario *sc = parse_ok(DATA "/good/full.xml");
    const struct scn_step *u;

    cr_assert_str_eq(sc->id, "good-full");
    cr_assert_str_eq(sc->suite, "unit");
    cr_assert_str_eq(sc->title, "every element");
    cr_assert_str_eq(sc->tags, "alpha beta");
    cr_assert_str_eq(sc->version, "2.0.0");
    cr_assert_eq(sc->nodes, 3);
    cr_assert_eq(sc->databases, 1);
    cr_assert_eq(sc->n_mot, 1);
    cr_assert_str_eq(sc->mot[0].database, "db1");
    cr_assert(sc->workload);
    cr_assert_eq(sc->writers, 3);
    cr_assert_eq(sc->readers, 0);
    cr_assert_eq(sc->n_steps, 12);
    cr_assert_eq(sc->steps[0].kind, SCN_PREPARE);
    cr_assert_str_eq(sc->steps[0].version, "3.0.0");
    u = &sc->steps[1];
    cr_assert_eq(u->kind, SCN_UPGRADE);
    cr_assert_eq(u->exit_code, SCN_EXIT_KILLED);
    cr_assert_eq(u->timeout_s, 600);
    cr_assert_str_eq(u->flags, "--bypass-stale-check");
    cr_assert_eq(u->n_fps, 2);
    cr_assert_str_eq(u->fps[0].name, "inplace.catalog.after-effect");
    cr_assert_str_eq(u->fps[0].action, "kill");
    cr_assert_str_eq(u->fps[1].action, "exit:7");
    cr_assert_eq(u->fps[1].hit, 2);
    cr_assert_eq(u->n_during, 1);
    cr_assert_eq(u->during[0].kind, FAULT_DISK_FULL);
    cr_assert_str_eq(u->during[0].when_step, "start");
    cr_assert(u->during[0].when_done);
    cr_assert_eq(u->during[0].free_bytes, 4096);
    cr_assert_str_eq(u->during[0].id, "disk");
    cr_assert_eq(sc->steps[2].kind, SCN_CHECK);
    cr_assert_eq(sc->steps[2].n_expects, 2);
    cr_assert_str_eq(sc->steps[2].expects[0].node, "node2");
    cr_assert_eq(sc->steps[2].expects[0].step, 5);
    cr_assert_eq(sc->steps[3].fault.kind, FAULT_NET_LOSS);
    cr_assert_eq(sc->steps[3].fault.percent, 30);
    cr_assert_eq(sc->steps[4].fault.kind, FAULT_PARTITION);
    cr_assert_str_eq(sc->steps[4].fault.peer, "node3");
    cr_assert_eq(sc->steps[4].fault.free_bytes, -1);
    cr_assert_str_eq(sc->steps[5].heal_id, "disk");
    cr_assert_str_eq(sc->steps[6].heal_id, "");
    cr_assert_eq(sc->steps[7].wait_ms, 250);
    cr_assert(sc->steps[8].wait_normal);
    cr_assert_eq(sc->steps[8].wait_timeout_s, 30);
    cr_assert_eq(sc->steps[9].kind, SCN_RERUN);
    cr_assert_eq(sc->steps[9].exit_code, 0);
    cr_assert_str_eq(sc->steps[9].output, "Successfully upgraded");
    cr_assert(sc->steps[10].force);
    cr_assert_str_eq(sc->steps[10].code, "GAUSS-51626");
    cr_assert_eq(sc->steps[11].exit_code, SCN_EXIT_DEFAULT);
    cr_assert_eq(sc->n_expects, 7);
    cr_assert_eq(sc->expects[0].kind, SCN_E_CLUSTER_STATE);
    cr_assert_str_eq(sc->expects[0].value, "Normal");
    cr_assert_eq(sc->expects[0].timeout_s, 10);
    cr_assert_str_eq(sc->expects[1].node, "all");
    cr_assert(sc->expects[2].absent);
    cr_assert_eq(sc->expects[4].max, 5000);
    cr_assert(sc->expects[5].user_scope);
    cr_assert_not(sc->expects[6].user_scope);
    cr_assert_eq(sc->expects[6].line, 38);
    scenario_free(sc);
}

/* "<!-- expect: line N rule R [words...] -->" of a bad file. */
static void expectation_of(const char *text, int *line, char *rule, size_t rsize, char *words,
                           size_t wsize)
{
    const char *p = strstr(text, "<!-- expect:"), *end;

    cr_assert_not_null(p, "no expect comment");
    p += strlen("<!-- expect:");
    *line = 0;
    if (sscanf(p, " line %d", line) == 1)
        p = strstr(p, "rule");
    else
        p = strstr(p, "rule");
    cr_assert_not_null(p);
    cr_assert_eq(sscanf(p, "rule %63s", rule), 1);
    (void)rsize;
    p += 5 + strlen(rule);
    end = strstr(p, "-->");
    snprintf(words, wsize, "%.*s", (int)(end - p), p);
    while (strlen(words) && words[strlen(words) - 1] == ' ')
        words[strlen(words) - 1] = '\0';
    while (words[0] == ' ')
        memmove(words, words + 1, strlen(words));
}

Test(scenario, bad_files_name_file_line_and_rule)
{
    DIR *d = opendir(DATA "/bad");
    struct dirent *de;
    size_t n = 0;

    cr_assert_not_null(d);
    while ((de = readdir(d))) {
        char path[PATH_MAX], rule[64], words[256], want[PATH_MAX + 128];
        char *text = NULL;
        struct scenario *sc = NULL;
        struct og_error err = {0};
        int line;

        if (!strstr(de->d_name, ".xml"))
            continue;
        snprintf(path, sizeof(path), "%s/bad/%s", DATA, de->d_name);
        cr_assert_eq(fs_read_file(path, 1 << 20, &text, NULL, &err), 0);
        expectation_of(text, &line, rule, sizeof(rule), words, sizeof(words));
        cr_assert_lt(scenario_parse_file(path, &sc, &err), 0, "%s parsed", path);
        cr_assert_null(sc);
        cr_assert_eq(err.code, OG_E_XML_INVALID, "%s: code %d: %s", path, err.code, err.detail);
        snprintf(want, sizeof(want), "%s:%d: rule %s: ", path, line, rule);
        cr_assert(strncmp(err.detail, want, strlen(want)) == 0, "%s: want \"%s...\", got \"%s\"",
                  de->d_name, want, err.detail);
        if (words[0])
            cr_assert_not_null(strstr(err.detail, words), "%s: \"%s\" not in \"%s\"", de->d_name,
                               words, err.detail);
        free(text);
        n++;
    }
    closedir(d);
    cr_assert_geq(n, 15, "the bad fixtures: %zu", n);
}

Test(scenario, duplicate_ids_in_a_set)
{
    const char *paths[] = {DATA "/dup"};
    struct scn_set set;
    struct og_error err = {0};

    cr_assert_eq(scn_set_load(paths, 1, &set, &err), 0, "%s", err.detail);
    cr_assert_eq(set.n, 1);
    cr_assert_eq(set.n_errors, 1);
    cr_assert_not_null(strstr(dynbuf_str(&set.errors), "dup/b.xml:1: rule id-unique: id "
                                                       "\"same-id\" is also the id of"),
                       "%s", dynbuf_str(&set.errors));
    scn_set_done(&set);
}

Test(scenario, limits_and_defaults)
{
    struct og_error err = {0};
    struct scenario *sc;
    char *big;

    sc = parse_text("<scenario id=\"d\"><cluster version=\"3.0.0\"/><steps><commit/>"
                    "</steps></scenario>",
                    &err);
    cr_assert_not_null(sc, "%s", err.detail);
    cr_assert_eq(sc->nodes, 3);
    cr_assert_eq(sc->databases, 2);
    cr_assert_str_eq(sc->suite, "mem");
    cr_assert_eq(sc->steps[0].exit_code, SCN_EXIT_DEFAULT);
    cr_assert_eq(sc->steps[0].timeout_s, 900);
    cr_assert_str_eq(sc->driver, "", "no driver: the run's");
    scenario_free(sc);

    /* issue 17: a scenario that needs full VMs says so; only lxc or qemu */
    sc = parse_text("<scenario id=\"v\"><cluster version=\"3.0.0\" driver=\"qemu\"/><steps>"
                    "<commit/></steps></scenario>",
                    &err);
    cr_assert_not_null(sc, "%s", err.detail);
    cr_assert_str_eq(sc->driver, "qemu");
    scenario_free(sc);
    cr_assert_null(parse_text("<scenario id=\"v\"><cluster version=\"3.0.0\" driver=\"xen\"/>"
                              "<steps><commit/></steps></scenario>",
                              &err));
    cr_assert_eq(err.code, OG_E_XML_INVALID, "%s", err.detail);

    /* over the size limit: its own error, not a truncation */
    big = calloc(1, SCN_MAX_FILE_SIZE + 2);
    cr_assert_not_null(big);
    memset(big, ' ', SCN_MAX_FILE_SIZE + 1);
    cr_assert_null(parse_text(big, &err));
    cr_assert_eq(err.code, OG_E_TOO_LARGE);
    free(big);

    /* 65 steps */
    {
        struct dynbuf b;
        dynbuf_init(&b, 1 << 20);
        dynbuf_adds(&b, "<scenario id=\"m\"><cluster version=\"2.0.0\"/><steps>");
        for (int i = 0; i < SCN_MAX_STEPS + 1; i++)
            dynbuf_adds(&b, "<wait ms=\"1\"/>");
        dynbuf_adds(&b, "</steps></scenario>");
        cr_assert_null(parse_text(dynbuf_str(&b), &err));
        cr_assert_not_null(strstr(err.detail, "rule steps: more than 64 steps"), "%s", err.detail);
        dynbuf_done(&b);
    }
}

/* Integers as the schema's XSD types allow them (blanks around, a sign,
 * leading zeros; nonNegativeInteger of any size) read as strtoll read them;
 * node names checked against the cluster's size. */
Test(scenario, integer_spellings_the_schema_allows)
{
    struct og_error err = {0};
    struct scenario *sc;

    sc = parse_text("<scenario id=\"i\"><cluster version=\"2.0.0\" nodes=\" 9 \" "
                    "databases=\"+02\"><workload writers=\"02\" rate=\" 10\"/></cluster><steps>"
                    "<prepare version=\"3.0.0\"/>"
                    "<upgrade exit=\"1|003\" timeout-s=\" 600\">"
                    "<fault kind=\"disk-full\" node=\"node9\" when=\"catalog:begin\" "
                    "free-bytes=\"99999999999999999999999\" for-ms=\"+100\"/></upgrade>"
                    "<fault kind=\"net-loss\" node=\"node1\" percent=\" 50 \"/>"
                    "<rerun exit=\"killed\"/>"
                    "<check><journal step=\" -1 \"/></check></steps>"
                    "<expect><lost-writes max=\"0007\"/><write-gap max-ms=\" 5 \"/></expect>"
                    "</scenario>",
                    &err);
    cr_assert_not_null(sc, "%s", err.detail);
    cr_assert_eq(sc->nodes, 9);
    cr_assert_eq(sc->databases, 2);
    cr_assert_eq(sc->writers, 2);
    cr_assert_eq(sc->rate, 10);
    cr_assert_eq(sc->steps[1].exit_code, 1);
    cr_assert(sc->steps[1].has_exit_alt);
    cr_assert_eq(sc->steps[1].exit_alt, 3);
    cr_assert_eq(sc->steps[1].timeout_s, 600);
    cr_assert_eq(sc->steps[1].during[0].free_bytes, LLONG_MAX);
    cr_assert_eq(sc->steps[1].during[0].for_ms, 100);
    cr_assert_eq(sc->steps[2].fault.percent, 50);
    cr_assert_eq(sc->steps[3].exit_code, SCN_EXIT_KILLED);
    cr_assert_not(sc->steps[3].has_exit_alt);
    cr_assert_eq(sc->steps[4].expects[0].step, -1);
    cr_assert_eq(sc->expects[0].max, 7);
    cr_assert_eq(sc->expects[1].max, 5);
    scenario_free(sc);

    /* node10 is a node name, not one of a 9-node cluster's */
    cr_assert_null(parse_text("<scenario id=\"n\"><cluster version=\"2.0.0\" nodes=\"9\"/>"
                              "<steps><fault kind=\"net-cut\" node=\"node10\"/></steps>"
                              "</scenario>",
                              &err));
    cr_assert_not_null(strstr(err.detail, "rule node-in-cluster"), "%s", err.detail);
}

Test(scenario, embedded_schema_is_the_source)
{
    char *text = NULL;
    size_t len = 0, elen = 0;
    struct og_error err = {0};
    const char *embedded = scenario_schema(&elen);

    cr_assert_eq(fs_read_file(scenario_schema_path(), 1 << 20, &text, &len, &err), 0, "%s",
                 err.detail);
    cr_assert_eq(len, elen);
    cr_assert_eq(memcmp(text, embedded, len), 0);
    free(text);
}

Test(scenario, failpoints_are_the_upgraders)
{
    const char *const *v;
    size_t n = scn_failpoints(&v);

    cr_assert_geq(n, 27 + 18 + 12, "in-place 27, rollback 18, commit 12: %zu", n);
    cr_assert_str_eq(v[0], "inplace.record.before");
    cr_assert(scn_failpoint_known("inplace.catalog.after-effect"));
    cr_assert(scn_failpoint_known("inplace-rollback.*"));
    cr_assert_not(scn_failpoint_known("inplace.catalog"));
    cr_assert_not(scn_failpoint_known("nothing*"));
}

/* ---- the suites checked in --------------------------------------------------------------------
 */

static size_t suite_count(const struct scn_set *set, const char *suite)
{
    size_t n = 0;

    for (size_t i = 0; i < set->n; i++)
        n += strcmp(set->v[i]->suite, suite) == 0;
    return n;
}

Test(scenario, checked_in_suites)
{
    const char *paths[] = {SCENARIO_SUITES};
    struct scn_set set;
    struct og_error err = {0};
    char kill_steps[16][64];
    size_t n_kill = 0, n_rb = 0, allowed = 0, refused = 0;
    bool force_dead = false, after_commit = false, disk = false, cut = false, off = false;

    cr_assert_eq(scn_set_load(paths, 1, &set, &err), 0, "%s", err.detail);
    cr_assert_eq(set.n_errors, 0, "%s", dynbuf_str(&set.errors));
    /* paths: every pair of the 10 versions (in place; grey for targets of 6.0.0),
     * plus MOT, plus every pair in place allows with --grey (15 allowed from 2.0.0
     * on, 7 refused from 1.0.1 and 1.1.0: GAUSS-52904) */
    cr_assert_eq(suite_count(&set, "paths"), 123);
    cr_assert_geq(suite_count(&set, "grey"), 11);
    for (size_t i = 0; i < set.n; i++) {
        const struct scenario *sc = set.v[i];
        if (strcmp(sc->suite, "paths") == 0) {
            bool ok = strstr(sc->tags, "allowed") != NULL;
            allowed += ok;
            refused += !ok;
        }
        for (size_t k = 0; k < sc->n_steps; k++) {
            const struct scn_step *s = &sc->steps[k];
            if (strcmp(sc->suite, "retry") == 0 && s->kind == SCN_UPGRADE &&
                s->exit_code == SCN_EXIT_KILLED && s->n_fps && k + 1 < sc->n_steps) {
                char step[64];
                bool dup = false;
                snprintf(step, sizeof(step), "%.*s",
                         (int)(strrchr(s->fps[0].name, '.') - s->fps[0].name), s->fps[0].name);
                for (size_t j = 0; j < n_kill; j++)
                    dup = dup || strcmp(kill_steps[j], step) == 0;
                if (!dup && n_kill < 16)
                    snprintf(kill_steps[n_kill++], 64, "%s", step);
            }
            if (strcmp(sc->suite, "rollback") == 0 && s->kind == SCN_ROLLBACK) {
                n_rb += k > 0 && sc->steps[k - 1].kind == SCN_UPGRADE;
                force_dead =
                    force_dead || (s->force && k >= 2 && sc->steps[k - 2].kind == SCN_FAULT &&
                                   sc->steps[k - 2].fault.kind == FAULT_POWER_OFF);
                after_commit = after_commit || (k >= 1 && sc->steps[k - 1].kind == SCN_COMMIT &&
                                                strcmp(s->output, "No need to rollback.") == 0);
            }
            for (size_t j = 0; strcmp(sc->suite, "faults") == 0 && j < s->n_during; j++) {
                disk = disk ||
                       (s->during[j].kind == FAULT_DISK_FULL &&
                        (strcmp(s->during[j].when_step, "catalog") == 0 ||
                         (strcmp(s->during[j].when_step, "start") == 0 && s->during[j].when_done)));
                cut = cut || (s->during[j].kind == FAULT_NET_CUT &&
                              strcmp(s->during[j].node, "node1") != 0 &&
                              strcmp(s->during[j].when_step, "start") == 0);
                off = off || (s->during[j].kind == FAULT_POWER_OFF &&
                              strcmp(s->during[j].when_step, "switch-bin") == 0);
            }
        }
    }
    cr_assert_eq(allowed, 43);
    cr_assert_eq(refused, 80);
    cr_assert_geq(n_kill, 5, "retry: killed at %zu distinct steps", n_kill);
    cr_assert_geq(n_rb, 5, "rollback from %zu steps", n_rb);
    cr_assert(force_dead, "rollback --force with a dead node");
    cr_assert(after_commit, "rollback after commit: nothing to roll back");
    cr_assert(disk && cut && off, "faults: disk %d cut %d off %d", disk, cut, off);
    scn_set_done(&set);
}

Test(scenario, filter)
{
    const char *paths[] = {SCENARIO_SUITES};
    struct scn_set set;
    struct og_error err = {0};

    cr_assert_eq(scn_set_load(paths, 1, &set, &err), 0, "%s", err.detail);
    scn_set_filter(&set, "paths-2.0.0-to-*");
    cr_assert_eq(set.n, 15, "10 in place, 5 grey: %zu", set.n);
    scn_set_done(&set);
    cr_assert_eq(scn_set_load(paths, 1, &set, &err), 0, "%s", err.detail);
    scn_set_filter(&set, "rollback/*");
    cr_assert_eq(set.n, suite_count(&set, "rollback"));
    cr_assert_geq(set.n, 7);
    scn_set_done(&set);
    cr_assert_eq(scn_set_load(paths, 1, &set, &err), 0, "%s", err.detail);
    scn_set_filter(&set, "workload");
    cr_assert_geq(set.n, 2);
    for (size_t i = 0; i < set.n; i++)
        cr_assert(set.v[i]->workload, "%s", set.v[i]->id);
    scn_set_done(&set);
}

/* the repeat test's scratch directory, removed by its .fini when the test
 * stopped before removing it itself */
static char repeat_dir[PATH_MAX];

static void repeat_dir_done(void)
{
    tmpdir_remove(repeat_dir);
}

Test(scenario, repeat_reads_each_scenario_again_under_numbered_ids, .fini = repeat_dir_done)
{
    const char *paths[] = {SCENARIO_SUITES "/faults"};
    struct scn_set set;
    struct og_error err = {0};
    size_t n;

    cr_assert_eq(scn_set_load(paths, 1, &set, &err), 0, "%s", err.detail);
    n = set.n;
    cr_assert_geq(n, 5);
    cr_assert_eq(scn_set_repeat(&set, 1, &err), 0);
    cr_assert_eq(set.n, n, "once is the set as it is");
    cr_assert_eq(scn_set_repeat(&set, 3, &err), 0, "%s", err.detail);
    cr_assert_eq(set.n, 3 * n);
    for (size_t i = 0; i < set.n; i++) {
        char want[128];
        size_t base = strlen(set.v[i]->id) - 2;

        snprintf(want, sizeof(want), "~%zu", i % 3 + 1);
        cr_assert_str_eq(set.v[i]->id + base, want, "%s", set.v[i]->id);
        if (i % 3) {
            cr_assert_neq(set.v[i], set.v[i - 1], "a copy of its own");
            cr_assert_eq(strncmp(set.v[i]->id, set.v[i - 1]->id, base), 0);
            cr_assert_eq(set.v[i]->n_steps, set.v[i - 1]->n_steps);
            cr_assert_str_eq(set.v[i]->file, set.v[i - 1]->file);
        }
    }
    scn_set_done(&set);

    /* A file gone before it is read again: an error, the set unchanged. */
    char file[PATH_MAX + 16];
    cr_assert_eq(tmpdir_make("scenario-repeat", repeat_dir, sizeof(repeat_dir)), 0);
    snprintf(file, sizeof(file), "%s/a.xml", repeat_dir);
    const char *text = "<scenario id=\"a\"><cluster version=\"3.0.0\"/><steps><commit/>"
                       "</steps></scenario>";
    cr_assert_eq(fs_replace_file(file, text, strlen(text), 0600, &err), 0, "%s", err.detail);
    paths[0] = repeat_dir;
    cr_assert_eq(scn_set_load(paths, 1, &set, &err), 0, "%s", err.detail);
    cr_assert_eq(set.n, 1);
    unlink(file);
    rmdir(repeat_dir);
    cr_assert_lt(scn_set_repeat(&set, 2, &err), 0);
    cr_assert_eq(set.n, 1);
    cr_assert_str_eq(set.v[0]->id, "a");
    scn_set_done(&set);
}

/* ---- the plan
 * -------------------------------------------------------------------------------------- */

Test(scenario, plan_printing)
{
    struct scenario *sc = parse_ok(DATA "/good/full.xml");
    struct dynbuf b;

    dynbuf_init(&b, 1 << 20);
    cr_assert_eq(scn_plan(sc, &b), 0);
#define HAS(s)                                                                                     \
    cr_assert_not_null(strstr(dynbuf_str(&b), s), "\"%s\" not in:\n%s", s, dynbuf_str(&b))
    HAS("scenario good-full (suite unit): every element\n");
    HAS("  cluster  3 nodes, openGauss 2.0.0, 1 user database; MOT tables db1.mot_t; workload "
        "3 writers, 0 readers\n");
    HAS("   1. prepare 3.0.0: build its package, gs_preinstall on node1\n");
    HAS("   2. upgrade: "
        "OGUP_FAILPOINTS=inplace.catalog.after-effect=kill,inplace.post-catalog.before="
        "exit:7@2 gs_upgradectl -t auto-upgrade --bypass-stale-check (omm@node1); expect: "
        "killed\n");
    HAS("        during: ogfault disk-full node1 leaving 4096 bytes [disk] when the journal "
        "records start done\n");
    HAS("   3. check: journal step 5 on node2; version 3.0.0 on node1\n");
    HAS("   5. fault: ogfault partition node2 | node3\n");
    HAS("   7. heal: every fault (ogfault heal --all)\n");
    HAS("   9. wait: until cluster_state is Normal (at most 30 s)\n");
    HAS("  10. rerun: gs_upgradectl -t auto-upgrade (omm@node1); expect: exit 0, output "
        "\"Successfully upgraded\"\n");
    HAS("  11. rollback: gs_upgradectl -t auto-rollback --force (omm@node1); expect: exit 3, "
        "[GAUSS-51626]\n");
    HAS("  12. commit: gs_upgradectl -t commit-upgrade (omm@node1); expect: exit 0\n");
    HAS("  expect   cluster_state Normal\n");
    HAS("           lost acknowledged writes <= 0\n");
    HAS("           pg_dumpall equal to the pre-upgrade dump\n");
#undef HAS
    cr_assert_eq(scn_rerun_action(sc, 9), SCN_UPGRADE);
    dynbuf_done(&b);
    scenario_free(sc);
}

/* ---- expectations
 * --------------------------------------------------------------------------------- */

static struct scn_observed observed(void)
{
    struct scn_observed o = {0};

    o.have_status = true;
    snprintf(o.cluster_state, sizeof(o.cluster_state), "Normal");
    o.n_nodes = 3;
    for (size_t i = 0; i < 3; i++) {
        snprintf(o.nodes[i].name, sizeof(o.nodes[i].name), "node%zu", i + 1);
        snprintf(o.nodes[i].version, sizeof(o.nodes[i].version), "3.0.0");
        o.nodes[i].reachable = true;
        o.nodes[i].journal = true;
        o.nodes[i].journal_step = 6;
        snprintf(o.nodes[i].journal_raw, sizeof(o.nodes[i].journal_raw),
                 "inplace-binary-upgrade:6");
    }
    return o;
}

static bool judged(const char *kind_xml, const struct scn_observed *o, char *detail)
{
    char text[1024];
    struct og_error err = {0};
    struct scenario *sc;
    struct scn_check c;

    snprintf(text, sizeof(text),
             "<scenario id=\"e\"><cluster version=\"2.0.0\"><workload/></cluster><steps>"
             "<upgrade/></steps><expect>%s</expect></scenario>",
             kind_xml);
    sc = parse_text(text, &err);
    cr_assert_not_null(sc, "%s: %s", kind_xml, err.detail);
    scn_expect_eval(&sc->expects[0], o, &c);
    if (detail)
        snprintf(detail, 1024, "%s", c.detail);
    scenario_free(sc);
    return c.pass;
}

Test(scenario, expectations)
{
    struct scn_observed o = observed();
    char d[1024];

    cr_assert(judged("<cluster-state>Normal</cluster-state>", &o, d));
    cr_assert_not(judged("<cluster-state>Degraded</cluster-state>", &o, d));
    cr_assert_str_eq(d, "cluster_state Normal");
    cr_assert(judged("<version>3.0.0</version>", &o, NULL));
    cr_assert_not(judged("<version>2.0.0</version>", &o, d));
    o.nodes[1].version[0] = '\0';
    cr_assert_not(judged("<version>3.0.0</version>", &o, d));
    cr_assert_str_eq(d, "node1: 3.0.0; node2: unknown; node3: 3.0.0");
    cr_assert(judged("<version node=\"node3\">3.0.0</version>", &o, NULL));
    cr_assert(judged("<journal step=\"6\"/>", &o, NULL));
    cr_assert_not(judged("<journal step=\"5\"/>", &o, NULL));
    cr_assert_not(judged("<journal absent=\"true\"/>", &o, d));
    o.nodes[2].journal = false;
    cr_assert(judged("<journal node=\"node3\" absent=\"true\"/>", &o, NULL));
    cr_assert_not(judged("<journal step=\"6\"/>", &o, d));
    cr_assert_str_eq(d, "node1: inplace-binary-upgrade:6; node2: inplace-binary-upgrade:6; "
                        "node3: none");
    o.have_status = false;
    cr_assert_not(judged("<version>3.0.0</version>", &o, d));

    /* the workload */
    o = observed();
    cr_assert_not(judged("<lost-writes max=\"0\"/>", &o, d));
    cr_assert_str_eq(d, "no workload report");
    o.have_workload = true;
    o.lost = 0;
    o.gap_ms = 2500;
    cr_assert(judged("<lost-writes max=\"0\"/>", &o, NULL));
    o.lost = 2;
    o.read_only = 7;
    cr_assert_not(judged("<lost-writes max=\"0\"/>", &o, d));
    cr_assert_str_eq(d, "2 acknowledged writes lost (7 refused as read-only)");
    cr_assert(judged("<lost-writes max=\"2\"/>", &o, NULL));
    cr_assert(judged("<write-gap max-ms=\"2500\"/>", &o, NULL));
    cr_assert_not(judged("<write-gap max-ms=\"2499\"/>", &o, d));
    cr_assert_str_eq(d, "longest write gap 2500 ms");

    /* dumps */
    o = observed();
    cr_assert_not(judged("<dump equals=\"pre-upgrade\"/>", &o, d));
    cr_assert_str_eq(d, "no pre-upgrade dump was taken");
    o.dump_pre_all = "a\nb\nc\n";
    o.dump_now_all = "a\nb\nc\n";
    cr_assert(judged("<dump equals=\"pre-upgrade\"/>", &o, NULL));
    o.dump_now_all = "a\nB\nc\n";
    cr_assert_not(judged("<dump equals=\"pre-upgrade\"/>", &o, d));
    cr_assert_str_eq(d, "first difference at line 2: before \"b\", now \"B\"");
    cr_assert_not(judged("<dump equals=\"pre-upgrade\" scope=\"user\"/>", &o, NULL));
}

Test(scenario, action_checks)
{
    struct scn_step s = {.kind = SCN_UPGRADE, .exit_code = SCN_EXIT_DEFAULT, .line = 9};
    struct scn_check v[3];
    size_t n;

    n = scn_action_eval(&s, SCN_UPGRADE, 2, 0, 0, "Progress report: (100%)\n", "", v, 3);
    cr_assert_eq(n, 1);
    cr_assert(v[0].pass);
    cr_assert_str_eq(v[0].what, "step 2 upgrade: exit 0");
    cr_assert_eq(v[0].line, 9);
    /* a wrong exit code fails, naming the last error code seen */
    n = scn_action_eval(&s, SCN_UPGRADE, 2, 1, 0, "",
                        "[GAUSS-51300] : step catalog: Failed to update catalog.\n", v, 3);
    cr_assert_not(v[0].pass);
    cr_assert_str_eq(v[0].detail, "exit 1, last error GAUSS-51300");
    /* rollback's success is 2; commit's 0 in place, 5 grey (UpgradeImpl.py
     * v5.0.0 :2652, :4062) */
    s.kind = SCN_RERUN;
    n = scn_action_eval(&s, SCN_ROLLBACK, 3, 2, 0, "", "", v, 3);
    cr_assert(v[0].pass);
    cr_assert_str_eq(v[0].what, "step 3 rerun: exit 2");
    cr_assert(scn_action_eval(&s, SCN_COMMIT, 3, 0, 0, "", "", v, 3) == 1 && v[0].pass);
    cr_assert(scn_action_eval(&s, SCN_COMMIT, 3, 5, 0, "", "", v, 3) == 1 && !v[0].pass);
    s.grey = true;
    cr_assert(scn_action_eval(&s, SCN_COMMIT, 3, 5, 0, "", "", v, 3) == 1 && v[0].pass);
    s.grey = false;
    /* exit="0|1" code=...: 0 alone, or 1 naming the code (a re-run over a
     * finished commit: GAUSS-52901) */
    s.kind = SCN_RERUN;
    s.has_exit_alt = true;
    s.exit_code = 0;
    s.exit_alt = 1;
    snprintf(s.code, sizeof(s.code), "GAUSS-52901");
    cr_assert_eq(
        scn_action_eval(&s, SCN_COMMIT, 5, 0, 0, "Commit binary upgrade succeeded.", "", v, 3), 1,
        "exit 0 needs no code");
    cr_assert(v[0].pass);
    n = scn_action_eval(&s, SCN_COMMIT, 5, 1, 0, "", "[GAUSS-52901] : New cluster commitid", v, 3);
    cr_assert(n == 2 && v[0].pass && v[1].pass);
    n = scn_action_eval(&s, SCN_COMMIT, 5, 1, 0, "", "[GAUSS-51400] : step x failed", v, 3);
    cr_assert(n == 2 && v[0].pass && !v[1].pass, "exit 1 without the code fails");
    s.has_exit_alt = false;
    s.code[0] = '\0';
    /* killed: bash's 137 or the signal */
    s.exit_code = SCN_EXIT_KILLED;
    scn_action_eval(&s, SCN_UPGRADE, 1, 137, 0, "", "", v, 3);
    cr_assert(v[0].pass);
    scn_action_eval(&s, SCN_UPGRADE, 1, -1, 9, "", "", v, 3);
    cr_assert(v[0].pass);
    scn_action_eval(&s, SCN_UPGRADE, 1, 0, 0, "", "", v, 3);
    cr_assert_not(v[0].pass);
    /* code and output */
    s.exit_code = 1;
    snprintf(s.code, sizeof(s.code), "GAUSS-52902");
    snprintf(s.output, sizeof(s.output), "Do nothing this time");
    n = scn_action_eval(&s, SCN_UPGRADE, 1, 1, 0, "",
                        "[GAUSS-52902] : Failed to upgrade strategy: Can not support upgrade "
                        "from 3.0.0 to 2.1.0. Do nothing this time.\n",
                        v, 3);
    cr_assert_eq(n, 3);
    cr_assert(v[0].pass && v[1].pass && v[2].pass);
    n = scn_action_eval(&s, SCN_UPGRADE, 1, 1, 0, "", "[GAUSS-52901] : same\n", v, 3);
    cr_assert(v[0].pass);
    cr_assert_not(v[1].pass);
    cr_assert_str_eq(v[1].detail, "last error GAUSS-52901");
    cr_assert_not(v[2].pass);
}

/* exit="0|1": either number */
Test(scenario, action_eval_alternative)
{
    struct scn_step s = {.kind = SCN_RERUN, .exit_code = 0, .has_exit_alt = true, .exit_alt = 1};
    struct scn_check v[3];

    scn_action_eval(&s, SCN_UPGRADE, 4, 1, 0, "", "", v, 3);
    cr_assert(v[0].pass);
    cr_assert_str_eq(v[0].what, "step 4 rerun: exit 0 or 1");
    scn_action_eval(&s, SCN_UPGRADE, 4, 0, 0, "", "", v, 3);
    cr_assert(v[0].pass);
    scn_action_eval(&s, SCN_UPGRADE, 4, 2, 0, "", "", v, 3);
    cr_assert_not(v[0].pass);
    scn_action_eval(&s, SCN_UPGRADE, 4, -1, 9, "", "", v, 3);
    cr_assert_not(v[0].pass);
}

/* exit="coded": success, or the failure exit (1; 3 for a rollback) with a
 * code; killed only with kill-upgrader in the step */
Test(scenario, action_eval_coded)
{
    struct scn_step s = {.kind = SCN_UPGRADE, .line = 4, .exit_code = SCN_EXIT_CODED};
    struct scn_check v[3];

    cr_assert_eq(scn_action_eval(&s, SCN_UPGRADE, 1, 0, 0, "", "", v, 3), 1);
    cr_assert(v[0].pass);
    cr_assert_str_eq(v[0].what, "step 1 upgrade: exit 0 or a coded error");
    scn_action_eval(&s, SCN_UPGRADE, 1, 1, 0, "", "[OGUP-60083] : node2 unreachable\n", v, 3);
    cr_assert(v[0].pass);
    /* a failure without a code, another exit, a signal or a kill do not pass */
    scn_action_eval(&s, SCN_UPGRADE, 1, 1, 0, "Traceback\n", "", v, 3);
    cr_assert_not(v[0].pass);
    scn_action_eval(&s, SCN_UPGRADE, 1, 3, 0, "", "[GAUSS-51300] : x\n", v, 3);
    cr_assert_not(v[0].pass);
    scn_action_eval(&s, SCN_UPGRADE, 1, -1, 11, "", "[GAUSS-51300] : x\n", v, 3);
    cr_assert_not(v[0].pass);
    scn_action_eval(&s, SCN_UPGRADE, 1, 137, 0, "", "", v, 3);
    cr_assert_not(v[0].pass);
    s.during[0].kind = FAULT_KILL_UPGRADER;
    s.n_during = 1;
    scn_action_eval(&s, SCN_UPGRADE, 1, 137, 0, "", "", v, 3);
    cr_assert(v[0].pass);
    /* rollback's success is 2, its failure 3 (exitWithRetCode): a faulted
     * auto-rollback ending 3 with a code passes (fault matrix:
     * inplace-rollback.backup.after-effect.net-cut, OGUP-60083) */
    scn_action_eval(&s, SCN_ROLLBACK, 1, 2, 0, "", "", v, 3);
    cr_assert(v[0].pass);
    scn_action_eval(&s, SCN_ROLLBACK, 1, 0, 0, "", "", v, 3);
    cr_assert_not(v[0].pass);
    scn_action_eval(&s, SCN_ROLLBACK, 1, 3, 0, "", "[OGUP-60083] : node2\n", v, 3);
    cr_assert(v[0].pass);
    scn_action_eval(&s, SCN_ROLLBACK, 1, 3, 0, "", "", v, 3);
    cr_assert_not(v[0].pass, "exit 3 without a code");
    scn_action_eval(&s, SCN_ROLLBACK, 1, 1, 0, "", "[OGUP-60083] : node2\n", v, 3);
    cr_assert_not(v[0].pass, "a rollback does not fail with 1");
}

Test(scenario, journal_records)
{
    struct journal_step_record r;
    char row[64];

    cr_assert(journal_step_record_parse("inplace 5 catalog begin do seq=11 writer=node1", &r));
    cr_assert_str_eq(r.plan, "inplace");
    cr_assert_eq(r.index, 5);
    cr_assert_str_eq(r.step, "catalog");
    cr_assert_str_eq(r.writer, "node1");
    cr_assert_not(r.done);
    cr_assert_not(r.undo);
    cr_assert_eq(r.seq, 11);
    /* reached: the step itself, or a later one (a poll may miss a short step) */
    cr_assert(scn_jrec_reached(&r, 5, false, false));
    cr_assert_not(scn_jrec_reached(&r, 5, true, false));
    cr_assert(scn_jrec_reached(&r, 4, true, false));
    cr_assert_not(scn_jrec_reached(&r, 6, false, false));
    cr_assert_not(scn_jrec_reached(&r, 5, false, true));
    /* a rollback walks down */
    cr_assert(journal_step_record_parse("inplace 3 switch-bin done undo seq=4 writer=node1", &r));
    cr_assert(r.undo && r.done);
    cr_assert(scn_jrec_reached(&r, 3, true, true));
    cr_assert(scn_jrec_reached(&r, 5, false, true));
    cr_assert_not(scn_jrec_reached(&r, 2, false, true));
    cr_assert_not(journal_step_record_parse("inplace x catalog begin do", &r));
    cr_assert_not(journal_step_record_parse("inplace 5 catalog maybe do seq=1", &r));
    cr_assert_not(
        journal_step_record_parse("inplace 5 catalog begin sideways seq=1 writer=node1", &r));
    cr_assert_not(journal_step_record_parse("inplace 5 catalog begin do seq=1", &r));
    cr_assert_not(journal_step_record_parse(NULL, &r));

    scn_journal_row("inplace 5 catalog begin do seq=11 writer=node1", row, sizeof(row));
    cr_assert_str_eq(row, "inplace.catalog");
    scn_journal_row("inplace 4 start done undo seq=2 writer=node1", row, sizeof(row));
    cr_assert_str_eq(row, "inplace-rollback.start");
    scn_journal_row("", row, sizeof(row));
    cr_assert_str_eq(row, "no-journal");
}

Test(scenario, versions_from_status)
{
    char v[16];

    scn_version_of("3.0.0 (02c14696)", v, sizeof(v));
    cr_assert_str_eq(v, "3.0.0");
    scn_version_of("gaussdb (openGauss 2.0.1 build d97c0e8a) compiled at 2021-06-02", v, sizeof(v));
    cr_assert_str_eq(v, "2.0.1");
    scn_version_of("", v, sizeof(v));
    cr_assert_str_eq(v, "");
    scn_version_of(NULL, v, sizeof(v));
    cr_assert_str_eq(v, "");
}

/* ---- reports
 * ------------------------------------------------------------------------------------------ */

static void sample_report(struct scn_report *r)
{
    const char *fps[] = {"inplace.catalog.before", "inplace.catalog.after-effect",
                         "inplace.switch-bin.before", "inplace-rollback.start.before"};
    struct scn_result *a, *b, *c;
    struct scn_check ok = {.what = "step 2 upgrade: exit 0", .pass = true, .line = 7};
    struct scn_check bad = {.what = "step 2 upgrade: exit 0", .pass = false, .line = 7};
    struct scn_step_result st = {.label = "2. upgrade", .line = 7, .seconds = 1.5, .ok = true};

    scn_report_init(r, "run-1");
    snprintf(r->started, sizeof(r->started), "2026-11-26T08:00:00Z");
    r->seconds = 42;
    cr_assert_eq(scn_report_set_rows(r, fps, 4), 0);
    a = scn_report_add(r, "paths-2.0.0-to-2.0.1", "paths", "small <one> & \"quoted\"",
                       "scenarios/paths/2.0.0-to-2.0.1.xml");
    scn_result_add_check(a, &ok);
    scn_result_add_step(a, &st);
    snprintf(a->bundle, sizeof(a->bundle), "paths-2.0.0-to-2.0.1");
    b = scn_report_add(r, "retry-kill-catalog", "retry", "killed", "scenarios/retry/k.xml");
    b->verdict = SCN_FAIL;
    snprintf(bad.detail, sizeof(bad.detail), "exit 1, last error GAUSS-51300");
    scn_result_add_check(b, &bad);
    snprintf(b->message, sizeof(b->message), "step 2 upgrade: exit 0 (line 7): exit 1");
    scn_result_add_cell(b, "inplace.catalog", "kill", "failpoint inplace.catalog.after-effect");
    scn_result_add_cell(b, "inplace.catalog", "kill", "twice is once");
    c = scn_report_add(r, "faults-disk", "faults", "disk", "scenarios/faults/d.xml");
    c->verdict = SCN_ERROR;
    snprintf(c->message, sizeof(c->message), "cluster up: no libvirt");
    scn_result_add_cell(c, "inplace.switch-bin", "power-off", "during");
    scn_result_add_cell(c, "odd.row", "disk-full", "");
    a = scn_report_add(r, "rollback-x", "rollback", "", "scenarios/rollback/x.xml");
    scn_result_add_cell(a, "inplace.catalog", "disk-full", "during catalog");
}

static char *tmpfile_path(const char *name)
{
    static char p[PATH_MAX];

    snprintf(p, sizeof(p), "/tmp/test_scenario.%d.%s", (int)getpid(), name);
    return p;
}

static int xpath_count(xmlDocPtr doc, const char *expr)
{
    xmlXPathContextPtr ctx = xmlXPathNewContext(doc);
    xmlXPathObjectPtr res = xmlXPathEvalExpression(BAD_CAST expr, ctx);
    int n = res && res->nodesetval ? res->nodesetval->nodeNr : -1;

    xmlXPathFreeObject(res);
    xmlXPathFreeContext(ctx);
    return n;
}

/* The schema's kinds are the table's (faultkind.c) that a scenario may name,
 * in the same order: the schema spells them for the reader and the validator,
 * the table for everything else. */
Test(scenario, schema_kinds_are_the_table_s)
{
    xmlDocPtr doc = xmlReadFile(SCENARIO_SUITES "/schema/scenario.rng", NULL, XML_PARSE_NONET);
    xmlXPathContextPtr ctx;
    xmlXPathObjectPtr o;
    int n = 0;

    cr_assert_not_null(doc);
    ctx = xmlXPathNewContext(doc);
    o = xmlXPathEvalExpression(
        (const xmlChar *)"//*[local-name()='define' and @name='fault-kind']"
                         "/*[local-name()='attribute' and @name='kind']//*[local-name()='value']",
        ctx);
    cr_assert(o && o->nodesetval);
    for (int k = 0; k < FAULT_KIND_COUNT; k++) {
        xmlChar *v;
        if (!fault_kind_info((enum fault_kind)k)->in_scenarios)
            continue;
        cr_assert_lt(n, o->nodesetval->nodeNr, "the schema lacks %s",
                     fault_kind_name((enum fault_kind)k));
        v = xmlNodeGetContent(o->nodesetval->nodeTab[n++]);
        cr_expect_str_eq((const char *)v, fault_kind_name((enum fault_kind)k));
        xmlFree(v);
    }
    cr_assert_eq(n, o->nodesetval->nodeNr, "the schema has kinds the table lacks");
    xmlXPathFreeObject(o);
    xmlXPathFreeContext(ctx);
    xmlFreeDoc(doc);
}

Test(scenario, junit_one_testcase_per_scenario)
{
    struct scn_report r;
    struct og_error err = {0};
    const char *p = tmpfile_path("junit.xml");
    xmlDocPtr doc;

    sample_report(&r);
    cr_assert_eq(scn_report_write_junit(&r, p, &err), 0, "%s", err.detail);
    doc = xmlReadFile(p, NULL, XML_PARSE_NONET);
    cr_assert_not_null(doc, "the JUnit file is not XML");
    cr_assert_eq(xpath_count(doc, "/testsuites/testsuite/testcase"), 4);
    cr_assert_eq(xpath_count(doc, "/testsuites[@tests='4' and @failures='1' and @errors='1']"), 1);
    cr_assert_eq(xpath_count(doc, "/testsuites/testsuite"), 4, "one per suite");
    cr_assert_eq(xpath_count(doc, "//testcase[@name='retry-kill-catalog' and "
                                  "@classname='retry']/failure[@message]"),
                 1);
    cr_assert_eq(xpath_count(doc, "//testcase[@name='faults-disk']/error"), 1);
    cr_assert_eq(xpath_count(doc, "//testcase[@name='paths-2.0.0-to-2.0.1']/failure"), 0);
    cr_assert_eq(xpath_count(doc, "//testcase[@name='paths-2.0.0-to-2.0.1']/system-out"), 1);
    xmlFreeDoc(doc);
    unlink(p);
    scn_report_done(&r);
}

Test(scenario, json_round_trip)
{
    struct scn_report r, back;
    struct og_error err = {0};
    const char *p = tmpfile_path("results.json");
    struct dynbuf h1, h2;

    sample_report(&r);
    cr_assert_eq(scn_report_write_json(&r, p, &err), 0, "%s", err.detail);
    cr_assert_eq(scn_report_load_json(p, &back, &err), 0, "%s", err.detail);
    cr_assert_eq(back.n, 4);
    cr_assert_str_eq(back.run_id, "run-1");
    cr_assert_eq(back.v[1].verdict, SCN_FAIL);
    cr_assert_eq(back.v[2].verdict, SCN_ERROR);
    cr_assert_str_eq(back.v[0].title, "small <one> & \"quoted\"");
    cr_assert_eq(back.v[1].n_cells, 1, "a cell is counted once per scenario");
    cr_assert_eq(back.n_rows, r.n_rows);
    /* the same HTML from the reloaded report */
    dynbuf_init(&h1, 1 << 22);
    dynbuf_init(&h2, 1 << 22);
    scn_report_html(&r, &h1);
    scn_report_html(&back, &h2);
    cr_assert_str_eq(dynbuf_str(&h1), dynbuf_str(&h2));
    dynbuf_done(&h1);
    dynbuf_done(&h2);
    unlink(p);
    scn_report_done(&back);
    cr_assert_lt(scn_report_load_json("/nonexistent/results.json", &back, &err), 0);
    scn_report_done(&r);
}

Test(scenario, html_summary_rows_and_heatmap)
{
    struct scn_report r;
    struct dynbuf b;
    const char *h;

    sample_report(&r);
    dynbuf_init(&b, 1 << 22);
    cr_assert_eq(scn_report_html(&r, &b), 0);
    h = dynbuf_str(&b);
#define HAS(s) cr_assert_not_null(strstr(h, s), "\"%s\" not in the page", s)
    HAS("<!DOCTYPE html>");
    HAS("<style>");
    cr_assert_null(strstr(h, "<script"), "self-contained, no script");
    cr_assert_null(strstr(h, "<link"), "self-contained, no external CSS");
    HAS("<span class=\"c-pass\">2 passed</span><span class=\"c-fail\">1 failed</span>"
        "<span class=\"c-error\">1 errors</span>");
    HAS("<div class=\"pass\" style=\"flex:2\">2 passed</div>");
    /* one row per scenario, coloured by its verdict */
    HAS("<tr class=\"row-pass\" id=\"s-paths-2.0.0-to-2.0.1\"><td class=\"v pass\">pass</td>");
    HAS("<tr class=\"row-fail\" id=\"s-retry-kill-catalog\"><td class=\"v fail\">fail</td>");
    HAS("<tr class=\"row-error\" id=\"s-faults-disk\"><td class=\"v error\">error</td>");
    HAS("small &lt;one&gt; &amp; &quot;quoted&quot;");
    HAS("<a href=\"paths-2.0.0-to-2.0.1/\">bundle</a>");
    /* the heatmap: rows from the failpoints, then rows only results name */
    HAS("<table class=\"heat\" id=\"heatmap\">");
    HAS("<td class=\"rowname\">inplace.catalog</td>");
    HAS("<td class=\"rowname\">inplace-rollback.start</td>");
    HAS("<td class=\"rowname\">no-journal</td>");
    HAS("<td class=\"rowname\">odd.row</td>");
    /* inplace.catalog: kill failed (1 of 1), disk-full passed once */
    HAS("<td class=\"fail\" title=\"retry-kill-catalog (fail): failpoint "
        "inplace.catalog.after-effect\">1/1</td>");
    HAS("<td class=\"pass\" title=\"rollback-x (pass): during catalog\">1</td>");
    HAS("<td class=\"none\">&middot;</td>");
#undef HAS
    cr_assert_lt(strstr(h, "inplace.switch-bin</td>"), strstr(h, "odd.row</td>"));
    /* at a glance: summary, suites, heatmap, then the failures before the passes */
    cr_assert_lt(strstr(h, "id=\"summary\""), strstr(h, "id=\"suites\""));
    cr_assert_lt(strstr(h, "id=\"suites\""), strstr(h, "id=\"heatmap\""));
    cr_assert_lt(strstr(h, "id=\"heatmap\""), strstr(h, "id=\"scenarios\""));
    cr_assert_lt(strstr(h, "id=\"s-faults-disk\""), strstr(h, "id=\"s-paths-2.0.0-to-2.0.1\""));
    cr_assert_lt(strstr(h, "id=\"s-retry-kill-catalog\""), strstr(h, "id=\"s-rollback-x\""));
    dynbuf_done(&b);
    scn_report_done(&r);
}

Test(scenario, counts_and_names)
{
    struct scn_report r;
    size_t c[4];
    const char *const *cols;

    sample_report(&r);
    scn_report_counts(&r, c);
    cr_assert_eq(c[SCN_PASS], 2);
    cr_assert_eq(c[SCN_FAIL], 1);
    cr_assert_eq(c[SCN_ERROR], 1);
    cr_assert_eq(c[SCN_SKIP], 0);
    cr_assert_str_eq(scn_verdict_name(SCN_SKIP), "skip");
    cr_assert_eq(scn_report_columns(&cols), 11);
    cr_assert_str_eq(cols[0], "kill");
    /* one table of kinds with fault/ (faultkind.c): every kind but "failpoint" */
    for (int k = 0; k < FAULT_KIND_COUNT; k++)
        cr_assert_eq(fault_kind_from_scenario_name(fault_kind_name((enum fault_kind)k)),
                     k == FAULT_FAILPOINT ? -1 : k, "%s", fault_kind_name((enum fault_kind)k));
    cr_assert_eq(fault_kind_from_scenario_name("meteor"), -1);
    cr_assert_str_eq(scn_action_name(SCN_ROLLBACK), "auto-rollback");
    cr_assert_null(scn_action_name(SCN_WAIT));
    scn_report_done(&r);
}
