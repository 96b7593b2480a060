/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * upgpath: version and upgrade-path rules. The expectations below are
 * written out by hand from the rules (upgpath.h, the upgrade guide's table
 * 1-1, §1.1 grey, §1.3 MOT; reference §2.2), never computed.
 *
 * UPGPATH_MATRIX=<file> makes the matrix test write the 10x10 markdown
 * matrix (from the expectation tables, for upgrader/README.md) to <file>.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "upgpath.h"
#include "versioncfg.h"

/* The ten simulated releases (copied from simulator/lib/simversion.c:
 * version, kernel number, build id, compile time of the official packages). */
static const struct upgpath_release sim[] = {
    {"1.0.0", 92072, "0bd0ce80", "2020-06-30 18:19:27"},
    {"1.0.1", 92072, "13b34b53", "2020-10-12 02:00:59"},
    {"1.1.0", 92298, "392c0438", "2020-12-31 20:07:42"},
    {"2.0.0", 92298, "78689da9", "2021-03-31 21:04:03"},
    {"2.0.1", 92298, "d97c0e8a", "2021-06-02 19:37:16"},
    {"2.1.0", 92421, "590b0f8e", "2021-09-30 14:29:04"},
    {"3.0.0", 92605, "02c14696", "2022-04-01 18:12:34"},
    {"3.1.0", 92780, "4e931f9a", "2022-09-29 14:19:24"},
    {"5.0.0", 92848, "a07d57c3", "2023-03-29 03:07:56"},
    {"6.0.0", 92954, "aee4abd5", "2024-09-29 19:14:27"},
};
#define NSIM (sizeof(sim) / sizeof(sim[0]))

struct expect {
    bool allowed;
    enum upgpath_strategy strategy;
    bool large;
    int code; /* literal numbers, not the enum: the table stands on its own */
    enum upgpath_rule rule;
};

struct row {
    const char *from, *to;
    struct expect e;
};

/* Allowed: in-place small/large, grey small/large. */
#define IP_S                                                                                       \
    {                                                                                              \
        true, UPGPATH_INPLACE, false, 0, UPGPATH_RULE_NONE                                         \
    }
#define IP_L                                                                                       \
    {                                                                                              \
        true, UPGPATH_INPLACE, true, 0, UPGPATH_RULE_NONE                                          \
    }
#define SMALL                                                                                      \
    {                                                                                              \
        true, UPGPATH_SMALL, false, 0, UPGPATH_RULE_NONE                                           \
    }
#define LARGE                                                                                      \
    {                                                                                              \
        true, UPGPATH_LARGE, true, 0, UPGPATH_RULE_NONE                                            \
    }
/* Refused. */
#define SAME                                                                                       \
    {                                                                                              \
        false, UPGPATH_NONE, false, 52901, UPGPATH_RULE_SAME_COMMIT                                \
    }
#define OLDER                                                                                      \
    {                                                                                              \
        false, UPGPATH_NONE, false, 52902, UPGPATH_RULE_OLDER                                      \
    }
#define NUMBER                                                                                     \
    {                                                                                              \
        false, UPGPATH_NONE, false, 51629, UPGPATH_RULE_NUMBER                                     \
    }
#define STALE                                                                                      \
    {                                                                                              \
        false, UPGPATH_NONE, false, 52945, UPGPATH_RULE_STALE                                      \
    }
#define TABLE                                                                                      \
    {                                                                                              \
        false, UPGPATH_NONE, false, 52902, UPGPATH_RULE_PATH_TABLE                                 \
    }
#define GREY                                                                                       \
    {                                                                                              \
        false, UPGPATH_NONE, false, 52904, UPGPATH_RULE_GREY                                       \
    }
#define MOT                                                                                        \
    {                                                                                              \
        false, UPGPATH_NONE, false, 60070, UPGPATH_RULE_MOT                                        \
    }

/* In-place (--inplace-upgrade), real release dates, stale check on, no MOT. */
static const struct row inplace_rows[] = {
    {"1.0.0", "1.0.0", SAME},  {"1.0.0", "1.0.1", TABLE}, {"1.0.0", "1.1.0", TABLE},
    {"1.0.0", "2.0.0", TABLE}, {"1.0.0", "2.0.1", TABLE}, {"1.0.0", "2.1.0", TABLE},
    {"1.0.0", "3.0.0", TABLE}, {"1.0.0", "3.1.0", TABLE}, {"1.0.0", "5.0.0", TABLE},
    {"1.0.0", "6.0.0", TABLE},

    {"1.0.1", "1.0.0", OLDER}, {"1.0.1", "1.0.1", SAME},  {"1.0.1", "1.1.0", IP_L},
    {"1.0.1", "2.0.0", TABLE}, {"1.0.1", "2.0.1", TABLE}, {"1.0.1", "2.1.0", TABLE},
    {"1.0.1", "3.0.0", TABLE}, {"1.0.1", "3.1.0", TABLE}, {"1.0.1", "5.0.0", TABLE},
    {"1.0.1", "6.0.0", TABLE},

    {"1.1.0", "1.0.0", OLDER}, {"1.1.0", "1.0.1", OLDER}, {"1.1.0", "1.1.0", SAME},
    {"1.1.0", "2.0.0", IP_S},  {"1.1.0", "2.0.1", IP_S},  {"1.1.0", "2.1.0", IP_L},
    {"1.1.0", "3.0.0", IP_L},  {"1.1.0", "3.1.0", IP_L},  {"1.1.0", "5.0.0", IP_L},
    {"1.1.0", "6.0.0", IP_L},

    {"2.0.0", "1.0.0", OLDER}, {"2.0.0", "1.0.1", OLDER}, {"2.0.0", "1.1.0", OLDER},
    {"2.0.0", "2.0.0", SAME},  {"2.0.0", "2.0.1", IP_S},  {"2.0.0", "2.1.0", IP_L},
    {"2.0.0", "3.0.0", IP_L},  {"2.0.0", "3.1.0", IP_L},  {"2.0.0", "5.0.0", IP_L},
    {"2.0.0", "6.0.0", IP_L},

    {"2.0.1", "1.0.0", OLDER}, {"2.0.1", "1.0.1", OLDER}, {"2.0.1", "1.1.0", OLDER},
    {"2.0.1", "2.0.0", OLDER}, {"2.0.1", "2.0.1", SAME},  {"2.0.1", "2.1.0", IP_L},
    {"2.0.1", "3.0.0", IP_L},  {"2.0.1", "3.1.0", IP_L},  {"2.0.1", "5.0.0", IP_L},
    {"2.0.1", "6.0.0", IP_L},

    {"2.1.0", "1.0.0", OLDER}, {"2.1.0", "1.0.1", OLDER}, {"2.1.0", "1.1.0", OLDER},
    {"2.1.0", "2.0.0", OLDER}, {"2.1.0", "2.0.1", OLDER}, {"2.1.0", "2.1.0", SAME},
    {"2.1.0", "3.0.0", IP_L},  {"2.1.0", "3.1.0", IP_L},  {"2.1.0", "5.0.0", IP_L},
    {"2.1.0", "6.0.0", IP_L},

    {"3.0.0", "1.0.0", OLDER}, {"3.0.0", "1.0.1", OLDER}, {"3.0.0", "1.1.0", OLDER},
    {"3.0.0", "2.0.0", OLDER}, {"3.0.0", "2.0.1", OLDER}, {"3.0.0", "2.1.0", OLDER},
    {"3.0.0", "3.0.0", SAME},  {"3.0.0", "3.1.0", IP_L},  {"3.0.0", "5.0.0", IP_L},
    {"3.0.0", "6.0.0", IP_L},

    {"3.1.0", "1.0.0", OLDER}, {"3.1.0", "1.0.1", OLDER}, {"3.1.0", "1.1.0", OLDER},
    {"3.1.0", "2.0.0", OLDER}, {"3.1.0", "2.0.1", OLDER}, {"3.1.0", "2.1.0", OLDER},
    {"3.1.0", "3.0.0", OLDER}, {"3.1.0", "3.1.0", SAME},  {"3.1.0", "5.0.0", IP_L},
    {"3.1.0", "6.0.0", IP_L},

    {"5.0.0", "1.0.0", OLDER}, {"5.0.0", "1.0.1", OLDER}, {"5.0.0", "1.1.0", OLDER},
    {"5.0.0", "2.0.0", OLDER}, {"5.0.0", "2.0.1", OLDER}, {"5.0.0", "2.1.0", OLDER},
    {"5.0.0", "3.0.0", OLDER}, {"5.0.0", "3.1.0", OLDER}, {"5.0.0", "5.0.0", SAME},
    {"5.0.0", "6.0.0", IP_L},

    {"6.0.0", "1.0.0", OLDER}, {"6.0.0", "1.0.1", OLDER}, {"6.0.0", "1.1.0", OLDER},
    {"6.0.0", "2.0.0", OLDER}, {"6.0.0", "2.0.1", OLDER}, {"6.0.0", "2.1.0", OLDER},
    {"6.0.0", "3.0.0", OLDER}, {"6.0.0", "3.1.0", OLDER}, {"6.0.0", "5.0.0", OLDER},
    {"6.0.0", "6.0.0", SAME},
};

/* Grey (the default), real release dates, stale check on, no MOT. */
static const struct row grey_rows[] = {
    {"1.0.0", "1.0.0", SAME},  {"1.0.0", "1.0.1", TABLE}, {"1.0.0", "1.1.0", TABLE},
    {"1.0.0", "2.0.0", TABLE}, {"1.0.0", "2.0.1", TABLE}, {"1.0.0", "2.1.0", TABLE},
    {"1.0.0", "3.0.0", TABLE}, {"1.0.0", "3.1.0", TABLE}, {"1.0.0", "5.0.0", TABLE},
    {"1.0.0", "6.0.0", TABLE},

    {"1.0.1", "1.0.0", OLDER}, {"1.0.1", "1.0.1", SAME},  {"1.0.1", "1.1.0", GREY},
    {"1.0.1", "2.0.0", TABLE}, {"1.0.1", "2.0.1", TABLE}, {"1.0.1", "2.1.0", TABLE},
    {"1.0.1", "3.0.0", TABLE}, {"1.0.1", "3.1.0", TABLE}, {"1.0.1", "5.0.0", TABLE},
    {"1.0.1", "6.0.0", TABLE},

    {"1.1.0", "1.0.0", OLDER}, {"1.1.0", "1.0.1", OLDER}, {"1.1.0", "1.1.0", SAME},
    {"1.1.0", "2.0.0", GREY},  {"1.1.0", "2.0.1", GREY},  {"1.1.0", "2.1.0", GREY},
    {"1.1.0", "3.0.0", GREY},  {"1.1.0", "3.1.0", GREY},  {"1.1.0", "5.0.0", GREY},
    {"1.1.0", "6.0.0", GREY},

    {"2.0.0", "1.0.0", OLDER}, {"2.0.0", "1.0.1", OLDER}, {"2.0.0", "1.1.0", OLDER},
    {"2.0.0", "2.0.0", SAME},  {"2.0.0", "2.0.1", SMALL}, {"2.0.0", "2.1.0", LARGE},
    {"2.0.0", "3.0.0", LARGE}, {"2.0.0", "3.1.0", LARGE}, {"2.0.0", "5.0.0", LARGE},
    {"2.0.0", "6.0.0", LARGE},

    {"2.0.1", "1.0.0", OLDER}, {"2.0.1", "1.0.1", OLDER}, {"2.0.1", "1.1.0", OLDER},
    {"2.0.1", "2.0.0", OLDER}, {"2.0.1", "2.0.1", SAME},  {"2.0.1", "2.1.0", LARGE},
    {"2.0.1", "3.0.0", LARGE}, {"2.0.1", "3.1.0", LARGE}, {"2.0.1", "5.0.0", LARGE},
    {"2.0.1", "6.0.0", LARGE},

    {"2.1.0", "1.0.0", OLDER}, {"2.1.0", "1.0.1", OLDER}, {"2.1.0", "1.1.0", OLDER},
    {"2.1.0", "2.0.0", OLDER}, {"2.1.0", "2.0.1", OLDER}, {"2.1.0", "2.1.0", SAME},
    {"2.1.0", "3.0.0", LARGE}, {"2.1.0", "3.1.0", LARGE}, {"2.1.0", "5.0.0", LARGE},
    {"2.1.0", "6.0.0", LARGE},

    {"3.0.0", "1.0.0", OLDER}, {"3.0.0", "1.0.1", OLDER}, {"3.0.0", "1.1.0", OLDER},
    {"3.0.0", "2.0.0", OLDER}, {"3.0.0", "2.0.1", OLDER}, {"3.0.0", "2.1.0", OLDER},
    {"3.0.0", "3.0.0", SAME},  {"3.0.0", "3.1.0", LARGE}, {"3.0.0", "5.0.0", LARGE},
    {"3.0.0", "6.0.0", LARGE},

    {"3.1.0", "1.0.0", OLDER}, {"3.1.0", "1.0.1", OLDER}, {"3.1.0", "1.1.0", OLDER},
    {"3.1.0", "2.0.0", OLDER}, {"3.1.0", "2.0.1", OLDER}, {"3.1.0", "2.1.0", OLDER},
    {"3.1.0", "3.0.0", OLDER}, {"3.1.0", "3.1.0", SAME},  {"3.1.0", "5.0.0", LARGE},
    {"3.1.0", "6.0.0", LARGE},

    {"5.0.0", "1.0.0", OLDER}, {"5.0.0", "1.0.1", OLDER}, {"5.0.0", "1.1.0", OLDER},
    {"5.0.0", "2.0.0", OLDER}, {"5.0.0", "2.0.1", OLDER}, {"5.0.0", "2.1.0", OLDER},
    {"5.0.0", "3.0.0", OLDER}, {"5.0.0", "3.1.0", OLDER}, {"5.0.0", "5.0.0", SAME},
    {"5.0.0", "6.0.0", LARGE},

    {"6.0.0", "1.0.0", OLDER}, {"6.0.0", "1.0.1", OLDER}, {"6.0.0", "1.1.0", OLDER},
    {"6.0.0", "2.0.0", OLDER}, {"6.0.0", "2.0.1", OLDER}, {"6.0.0", "2.1.0", OLDER},
    {"6.0.0", "3.0.0", OLDER}, {"6.0.0", "3.1.0", OLDER}, {"6.0.0", "5.0.0", OLDER},
    {"6.0.0", "6.0.0", SAME},
};

#define NROWS(a) (sizeof(a) / sizeof((a)[0]))

/* ---- helpers ------------------------------------------------------------------------ */

static const struct upgpath_release *find(const char *v)
{
    for (size_t i = 0; i < NSIM; i++)
        if (strcmp(sim[i].version, v) == 0)
            return &sim[i];
    cr_assert_fail("no simulated version %s", v);
    return NULL;
}

static size_t index_of(const char *v)
{
    return (size_t)(find(v) - sim);
}

/* version.cfg text -> struct, through the real parser (not upgpath_release_cfg). */
static struct version_cfg cfg(const char *version, const char *number, const char *commit)
{
    struct version_cfg v;
    char text[128];

    snprintf(text, sizeof(text), "openGauss-%s\n%s\n%s\n", version, number, commit);
    cr_assert_eq(version_cfg_parse(text, "test", &v, NULL), 0, "%s", text);
    return v;
}

static struct version_cfg sim_cfg(const struct upgpath_release *r)
{
    char num[16];

    snprintf(num, sizeof(num), "%d.%03d", r->number / 1000, r->number % 1000);
    return cfg(r->version, num, r->commit);
}

static void assert_verdict(const char *what, int r, const struct upgpath_verdict *v,
                           const struct og_error *err, const struct expect *e)
{
    if (e->allowed) {
        cr_assert_eq(r, 0, "%s: allowed expected, got %d (%s)", what, r, err->detail);
        cr_assert(v->allowed, "%s", what);
        cr_assert_eq(v->strategy, e->strategy, "%s: strategy %s, expected %s", what,
                     upgpath_strategy_name(v->strategy), upgpath_strategy_name(e->strategy));
        cr_assert_eq(v->large, e->large, "%s: large flag", what);
        cr_assert_eq(v->code, 0, "%s", what);
        cr_assert_eq(v->rule, UPGPATH_RULE_NONE, "%s", what);
        cr_assert_eq(err->code, 0, "%s: err untouched when allowed", what);
        return;
    }
    cr_assert_eq(r, -e->code, "%s: expected -%d (%s), got %d (%s)", what, e->code,
                 upgpath_rule_name(e->rule), r, err->detail);
    cr_assert_not(v->allowed, "%s", what);
    cr_assert_eq(v->strategy, UPGPATH_NONE, "%s", what);
    cr_assert_eq(v->code, e->code, "%s", what);
    cr_assert_eq(v->rule, e->rule, "%s: rule %s, expected %s", what, upgpath_rule_name(v->rule),
                 upgpath_rule_name(e->rule));
    /* The inner code is returned; the 52900 wording is the detail. */
    cr_assert_eq(err->code, e->code, "%s", what);
    cr_assert_str_eq(err->detail, v->detail, "%s", what);
    cr_assert(strncmp(v->detail, "Failed to upgrade strategy: ", 28) == 0, "%s: %s", what,
              v->detail);
    cr_assert_not_null(strstr(v->detail, ". Do nothing this time."), "%s: %s", what, v->detail);
    if (e->rule == UPGPATH_RULE_PATH_TABLE)
        cr_assert_not_null(strstr(v->detail, "table 1-1"), "%s: %s", what, v->detail);
}

/* Judge a pair of releases (dates from build_time, overridable) both through
 * upgpath_check on parsed version.cfg texts and through upgpath_check_release. */
static void judge_rel(const struct upgpath_release *o, const struct upgpath_release *n,
                      const struct upgpath_options *opt, const struct expect *e)
{
    struct version_cfg oc = sim_cfg(o), nc = sim_cfg(n);
    struct upgpath_verdict v, v2;
    struct og_error err = {0}, err2 = {0};
    char what[160];
    int r, r2;

    snprintf(what, sizeof(what), "%s(%s) -> %s(%s) %s%s%s", o->version, o->build_time, n->version,
             n->build_time, opt && opt->inplace ? "in-place" : "grey",
             opt && opt->bypass_stale_check ? " bypass" : "", opt && opt->mot_in_use ? " MOT" : "");
    memset(&v, 0x5a, sizeof(v));
    r = upgpath_check(&oc, o->build_time, &nc, n->build_time, opt, &v, &err);
    assert_verdict(what, r, &v, &err, e);

    r2 = upgpath_check_release(o, n, opt, &v2, &err2);
    cr_assert_eq(r2, r, "%s: check_release", what);
    cr_assert_eq(v2.allowed, v.allowed, "%s", what);
    cr_assert_eq(v2.strategy, v.strategy, "%s", what);
    cr_assert_eq(v2.rule, v.rule, "%s", what);
}

static void run_table(const struct row *rows, size_t n, const struct upgpath_options *opt)
{
    bool seen[NSIM][NSIM] = {{false}};

    cr_assert_eq(n, NSIM * NSIM, "all %zu ordered pairs are written out", NSIM * NSIM);
    for (size_t i = 0; i < n; i++) {
        size_t a = index_of(rows[i].from), b = index_of(rows[i].to);

        cr_assert_not(seen[a][b], "row %s -> %s appears twice", rows[i].from, rows[i].to);
        seen[a][b] = true;
        judge_rel(&sim[a], &sim[b], opt, &rows[i].e);
    }
}

/* ---- the 100 pairs ------------------------------------------------------------------ */

Test(upgpath, all_pairs_inplace)
{
    struct upgpath_options opt = {.inplace = true};

    run_table(inplace_rows, NROWS(inplace_rows), &opt);
}

Test(upgpath, all_pairs_grey)
{
    struct upgpath_options opt = {0};

    run_table(grey_rows, NROWS(grey_rows), &opt);
    /* NULL options are the defaults: grey, stale check on, no MOT. */
    run_table(grey_rows, NROWS(grey_rows), NULL);
}

/* With --bypass-stale-check nothing changes for the real dates: every release
 * is newer than the ones before it, so no pair of the table is stale. */
Test(upgpath, all_pairs_bypass_same_verdicts)
{
    struct upgpath_options ip = {.inplace = true, .bypass_stale_check = true};
    struct upgpath_options grey = {.bypass_stale_check = true};

    run_table(inplace_rows, NROWS(inplace_rows), &ip);
    run_table(grey_rows, NROWS(grey_rows), &grey);
}

/* ---- MOT (guide §1.3) --------------------------------------------------------------- */

static const struct row mot_inplace_rows[] = {
    {"1.1.0", "2.0.0", MOT},                             /* the one pair the rule refuses */
    {"1.1.0", "2.0.1", IP_S},                            /* the guide names 2.0.0 only */
    {"1.1.0", "2.1.0", IP_L},  {"1.0.1", "1.1.0", IP_L}, /* 1.1.0 is not 2.0.0 */
    {"1.0.0", "2.0.0", TABLE},                           /* table 1-1 refuses first */
    {"1.0.1", "2.0.0", TABLE}, {"2.0.0", "2.0.0", SAME}, {"2.0.1", "2.0.0", OLDER},
};

Test(upgpath, mot_rows)
{
    struct upgpath_options ip = {.inplace = true, .mot_in_use = true};
    struct upgpath_options grey = {.mot_in_use = true};
    const struct expect grey_first = GREY, ip_s = IP_S, small = SMALL, mot = MOT;

    for (size_t i = 0; i < NROWS(mot_inplace_rows); i++)
        judge_rel(find(mot_inplace_rows[i].from), find(mot_inplace_rows[i].to), &ip,
                  &mot_inplace_rows[i].e);
    /* grey from 1.1.0 is refused before the MOT rule is looked at */
    judge_rel(find("1.1.0"), find("2.0.0"), &grey, &grey_first);
    /* without MOT tables 1.1.0 -> 2.0.0 in place is a small upgrade */
    ip.mot_in_use = false;
    judge_rel(find("1.1.0"), find("2.0.0"), &ip, &ip_s);
    ip.mot_in_use = true;

    /* A 2.0.0 RC is 2.0.0 for the rule. */
    {
        const struct upgpath_release rc = {"2.0.0-RC1", 92298, "20rc1aaa", "2021-02-01 10:00:00"};
        judge_rel(find("1.1.0"), &rc, &ip, &mot);
    }
    /* The rule is about MOT tables made before 2.0.0: a 2.0.0 rebuild is fine. */
    {
        const struct upgpath_release rebuild = {"2.0.0", 92298, "78689daa", "2021-04-30 10:00:00"};
        judge_rel(find("2.0.0"), &rebuild, &ip, &ip_s);
        judge_rel(find("2.0.0"), &rebuild, &grey, &small);
    }
}

/* Over all 100 pairs, MOT tables change exactly one in-place verdict. */
Test(upgpath, mot_changes_only_one_pair)
{
    struct upgpath_options ip = {.inplace = true, .mot_in_use = true};
    struct upgpath_options grey = {.mot_in_use = true};
    const struct expect mot = MOT;

    for (size_t i = 0; i < NROWS(inplace_rows); i++) {
        const struct row *r = &inplace_rows[i];
        bool the_one = strcmp(r->from, "1.1.0") == 0 && strcmp(r->to, "2.0.0") == 0;

        judge_rel(find(r->from), find(r->to), &ip, the_one ? &mot : &r->e);
    }
    for (size_t i = 0; i < NROWS(grey_rows); i++)
        judge_rel(find(grey_rows[i].from), find(grey_rows[i].to), &grey, &grey_rows[i].e);
}

/* ---- release dates (--bypass-stale-check) ------------------------------------------- */

/* 3.0.5 came out after 5.0.0 (reference §7: gaussdb -V of 3.0.5 "compiled at
 * 2023-09-23"; 5.0.0 was built 2023-03-29); the reference's matrix lists
 * 3.0.5 -> 5.0.0 as not supported. Its kernel number here is 3.0.x's 92.605. */
static const struct upgpath_release v305 = {"3.0.5", 92605, "b54d05de", "2023-09-23 09:26:03"};

Test(upgpath, stale_rows)
{
    struct upgpath_options ip = {.inplace = true};
    struct upgpath_options ip_bypass = {.inplace = true, .bypass_stale_check = true};
    struct upgpath_options grey = {0};
    struct upgpath_options grey_bypass = {.bypass_stale_check = true};
    const struct expect stale = STALE, ip_l = IP_L, large = LARGE, table = TABLE, ip_s = IP_S,
                        number = NUMBER, small = SMALL;

    judge_rel(&v305, find("5.0.0"), &ip, &stale);
    judge_rel(&v305, find("5.0.0"), &grey, &stale);
    judge_rel(&v305, find("5.0.0"), &ip_bypass, &ip_l);
    judge_rel(&v305, find("5.0.0"), &grey_bypass, &large);
    /* 3.0.5 -> 6.0.0 is newer by date as well */
    judge_rel(&v305, find("6.0.0"), &grey, &large);
    /* 3.0.0 -> 3.0.5: same kernel number, later date */
    judge_rel(find("3.0.0"), &v305, &grey, &small);

    /* Stale comes before table 1-1: a 1.0.1 rebuilt after 2.0.0. */
    {
        const struct upgpath_release late101 = {"1.0.1", 92072, "13b34b5a", "2021-04-01 00:00:00"};
        judge_rel(&late101, find("2.0.0"), &ip, &stale);
        judge_rel(&late101, find("2.0.0"), &ip_bypass, &table);
    }
    /* Only the date counts (openGauss compares YYYY-MM-DD strings). */
    {
        const struct upgpath_release late300 = {"3.0.0", 92605, "02c1469a", "2022-04-01 23:59:59"};
        const struct upgpath_release early301 = {"3.0.1", 92605, "0301aaaa", "2022-04-01 00:00:01"};
        const struct upgpath_release day_before = {"3.0.1", 92605, "0301aaab",
                                                   "2022-03-31 23:59:59"};
        const struct upgpath_release mid300 = {"3.0.0", 92605, "02c1469b", "2022-04-15 00:00:00"};
        const struct upgpath_release mid301 = {"3.0.1", 92605, "0301aaad", "2022-04-14 23:59:59"};
        judge_rel(&late300, &early301, &ip, &ip_s);
        judge_rel(&late300, &day_before, &ip, &stale);
        judge_rel(&mid300, &mid301, &ip, &stale);
    }
    /* 51629 comes before the date check. */
    {
        const struct upgpath_release low = {"3.0.1", 92600, "0301aaac", "2022-01-01 00:00:00"};
        judge_rel(find("3.0.0"), &low, &ip, &number);
        judge_rel(find("3.0.0"), &low, &ip_bypass, &number);
    }
}

Test(upgpath, dates_from_gaussdb_v_and_missing_dates)
{
    struct version_cfg o = sim_cfg(&v305), n = sim_cfg(find("5.0.0"));
    struct upgpath_options bypass = {.bypass_stale_check = true};
    struct upgpath_verdict v;
    struct og_error err = {0};

    /* a whole `gaussdb -V` line works as the date text */
    cr_assert_eq(upgpath_check(&o,
                               "gaussdb (openGauss 3.0.5 build b54d05de) compiled at "
                               "2023-09-23 09:26:03 commit 0 last mr",
                               &n,
                               "gaussdb (openGauss 5.0.0 build a07d57c3) compiled at "
                               "2023-03-29 03:07:56 commit 0 last mr",
                               NULL, &v, &err),
                 -52945);
    cr_assert_not_null(strstr(err.detail, "from 2023-09-23 to 2023-03-29"), "%s", err.detail);

    /* dates are not needed with --bypass-stale-check */
    cr_assert_eq(upgpath_check(&o, NULL, &n, NULL, &bypass, &v, NULL), 0);
    cr_assert_eq(v.strategy, UPGPATH_LARGE);

    /* ... and needed without it: -GAUSS-51623, verdict untouched */
    memset(&v, 0x5a, sizeof(v));
    og_error_clear(&err);
    cr_assert_eq(upgpath_check(&o, NULL, &n, "2023-03-29", NULL, &v, &err), -51623);
    cr_assert_eq(err.code, 51623);
    cr_assert_eq(((unsigned char *)&v)[0], 0x5a, "verdict untouched on an input error");
    cr_assert_eq(upgpath_check(&o, "2023-09-23", &n, NULL, NULL, &v, NULL), -51623);
    cr_assert_eq(upgpath_check(&o, "2023-13-01", &n, "2023-03-29", NULL, &v, NULL), -51623);
    cr_assert_eq(upgpath_check(&o, "2023-09-23", &n, "compiled at yesterday", NULL, &v, NULL),
                 -51623);

    /* a refusal before check 4 does not read the dates */
    cr_assert_eq(upgpath_check(&n, NULL, &o, NULL, NULL, &v, NULL), -52902);
    cr_assert_eq(upgpath_check(&o, NULL, &o, NULL, NULL, &v, NULL), -52901);
}

Test(upgpath, date_parse)
{
    int d = 0;

    cr_assert_eq(upgpath_date_parse("2022-04-01 18:12:34", &d), 0);
    cr_assert_eq(d, 20220401);
    cr_assert_eq(upgpath_date_parse("gaussdb (openGauss 3.0.5 build b54d05de) compiled at "
                                    "2023-09-23 09:26:03 commit 0 last mr",
                                    &d),
                 0);
    cr_assert_eq(d, 20230923);
    cr_assert_eq(upgpath_date_parse("2024-09-29", &d), 0);
    cr_assert_eq(d, 20240929);
    /* re.search semantics: the first place \d{4}-\d{2}-\d{2} fits */
    cr_assert_eq(upgpath_date_parse("build 12345-01-02", &d), 0);
    cr_assert_eq(d, 23450102);
    cr_assert_eq(upgpath_date_parse("1-2-3 then 2020-02-29", &d), 0, "leap day");
    cr_assert_eq(d, 20200229);
    cr_assert_eq(upgpath_date_parse("2000-02-29", &d), 0);

    d = 7;
    cr_assert_eq(upgpath_date_parse("2021-02-29", &d), -51623);
    cr_assert_eq(upgpath_date_parse("1900-02-29", &d), -51623);
    cr_assert_eq(upgpath_date_parse("2022-00-10", &d), -51623);
    cr_assert_eq(upgpath_date_parse("2022-04-31", &d), -51623);
    cr_assert_eq(upgpath_date_parse("2022-04-00", &d), -51623);
    cr_assert_eq(upgpath_date_parse("2022-4-01", &d), -51623);
    cr_assert_eq(upgpath_date_parse("2022-04-0", &d), -51623);
    cr_assert_eq(upgpath_date_parse("", &d), -51623);
    cr_assert_eq(upgpath_date_parse(NULL, &d), -51623);
    cr_assert_eq(upgpath_date_parse("2022-04-01", NULL), -51623);
    cr_assert_eq(d, 7, "output written only on success");
}

/* ---- release candidates --------------------------------------------------------------- */

Test(upgpath, release_candidates)
{
    const struct upgpath_release rc1 = {"7.0.0-RC1", 93000, "70rc1aaa", "2025-03-30 10:00:00"};
    const struct upgpath_release rc1_same_number = {"7.0.0-RC1", 93039, "70rc1aab",
                                                    "2025-03-30 10:00:00"};
    const struct upgpath_release rc2 = {"7.0.0-RC2", 93039, "70rc2aaa", "2025-04-30 10:00:00"};
    const struct upgpath_release rc2_low = {"7.0.0-RC2", 92999, "70rc2aab", "2025-04-30 10:00:00"};
    const struct upgpath_release rel = {"7.0.0", 93039, "70000aaa", "2025-06-30 10:00:00"};
    const struct upgpath_release v110rc = {"1.1.0-RC1", 92298, "110rc1aa", "2020-11-30 10:00:00"};
    struct upgpath_options ip = {.inplace = true};
    struct upgpath_options grey = {0};
    struct upgpath_options grey_bypass = {.bypass_stale_check = true};
    const struct expect large = LARGE, small = SMALL, older = OLDER, stale = STALE, number = NUMBER,
                        same = SAME, ip_l = IP_L, ip_s = IP_S, grey_no = GREY, table = TABLE;

    /* 6.0.0 -> 7.0.0-RC1 -> 7.0.0 */
    judge_rel(find("6.0.0"), &rc1, &grey, &large);
    judge_rel(find("6.0.0"), &rc1, &ip, &ip_l);
    judge_rel(&rc1, &rel, &grey, &large);
    judge_rel(&rc1, &rel, &ip, &ip_l);
    judge_rel(&rc1_same_number, &rel, &grey, &small);
    /* the release back to its RC: an older product version */
    judge_rel(&rel, &rc1, &grey, &older);
    judge_rel(&rel, &rc1, &grey_bypass, &older);
    /* RC to RC: openGauss compares two RCs of one release as equal, so no
     * 52902; the kernel number and the date decide. */
    judge_rel(&rc1_same_number, &rc2, &grey, &small);
    judge_rel(&rc1, &rc2, &grey, &large);
    judge_rel(&rc2, &rc1_same_number, &grey, &stale);
    judge_rel(&rc2, &rc1_same_number, &grey_bypass, &small);
    judge_rel(&rc1, &rc2_low, &grey, &number);
    judge_rel(&rc1, &rc1, &grey, &same);

    /* RCs of the guide's versions: 1.1.0-RC1 is before 1.1.0 */
    judge_rel(&v110rc, find("1.1.0"), &ip, &ip_s);
    judge_rel(&v110rc, find("1.1.0"), &grey, &grey_no);
    judge_rel(&v110rc, find("2.0.0"), &ip, &table); /* the 1.0.1 row: only to 1.1.0 */
    judge_rel(find("1.0.1"), &v110rc, &ip, &table); /* 1.0.1 -> 1.1.0 means the release */
}

/* ---- table 1-1 outside the simulated versions ---------------------------------------- */

Test(upgpath, path_table_edges)
{
    const struct upgpath_release v090 = {"0.9.0", 92060, "090aaaaa", "2020-05-01 10:00:00"};
    const struct upgpath_release v100_rebuild = {"1.0.0", 92072, "0bd0ce8a", "2020-07-30 10:00:00"};
    const struct upgpath_release v101_rebuild = {"1.0.1", 92072, "13b34b5b", "2020-11-12 10:00:00"};
    const struct upgpath_release v102 = {"1.0.2", 92072, "102aaaaa", "2020-11-30 10:00:00"};
    const struct upgpath_release v111 = {"1.1.1", 92298, "111aaaaa", "2021-01-30 10:00:00"};
    struct upgpath_options ip = {.inplace = true};
    struct upgpath_options grey = {0};
    const struct expect ip_s = IP_S, ip_l = IP_L, table = TABLE, small = SMALL;

    /* before 1.0.1 -> before 1.0.1 */
    judge_rel(&v090, find("1.0.0"), &ip, &ip_l);
    judge_rel(&v090, find("1.0.1"), &ip, &table);
    /* equal product versions are not a path: a rebuild is allowed */
    judge_rel(find("1.0.0"), &v100_rebuild, &ip, &ip_s);
    judge_rel(find("1.0.1"), &v101_rebuild, &ip, &ip_s);
    /* between 1.0.1 and 1.1.0: the 1.0.1 row */
    judge_rel(&v102, find("1.1.0"), &ip, &ip_l);
    judge_rel(&v102, find("2.0.0"), &ip, &table);
    /* 1.0.1 -> 1.1.1 is not 1.1.0 */
    judge_rel(find("1.0.1"), &v111, &ip, &table);
    /* later than 1.1.0: grey is allowed */
    judge_rel(&v111, find("2.0.0"), &grey, &small);
}

/* ---- same commit, bad inputs -------------------------------------------------------------- */

Test(upgpath, same_commit_first)
{
    struct version_cfg a = cfg("3.0.0", "92.605", "02c14696");
    struct version_cfg older = cfg("2.0.0", "92.298", "02c14696");
    struct version_cfg lower = cfg("3.1.0", "92.100", "02c14696");
    struct upgpath_verdict v;
    struct og_error err = {0};
    const char *want = "[GAUSS-52901] : Failed to upgrade strategy: New cluster commitid cannot "
                       "be same with old cluster commitid";
    char buf[1024];

    /* the commit check comes before the version and number checks */
    cr_assert_eq(upgpath_check(&a, "2022-04-01", &older, "2021-03-31", NULL, &v, &err), -52901);
    cr_assert_eq(v.rule, UPGPATH_RULE_SAME_COMMIT);
    cr_assert_eq(upgpath_check(&a, "2022-04-01", &lower, "2021-03-31", NULL, &v, NULL), -52901);
    /* printed the way the CLI prints it */
    og_error_format(&err, buf, sizeof(buf));
    cr_assert(strncmp(buf, want, strlen(want)) == 0, "%s", buf);
}

Test(upgpath, bad_inputs)
{
    struct version_cfg a = cfg("3.0.0", "92.605", "02c14696");
    struct version_cfg b = cfg("3.1.0", "92.780", "4e931f9a");
    struct version_cfg bad;
    struct upgpath_verdict v;
    struct og_error err = {0};

    memset(&v, 0x5a, sizeof(v));
    cr_assert_eq(upgpath_check(NULL, "2022-04-01", &b, "2022-09-29", NULL, &v, &err), -60002);
    cr_assert_eq(err.code, 60002);
    cr_assert_eq(upgpath_check(&a, "2022-04-01", NULL, "2022-09-29", NULL, &v, NULL), -60002);
    cr_assert_eq(upgpath_check(&a, "2022-04-01", &b, "2022-09-29", NULL, NULL, NULL), -60002);
    bad = b;
    bad.number = 0;
    cr_assert_eq(upgpath_check(&a, "2022-04-01", &bad, "2022-09-29", NULL, &v, NULL), -60002);
    bad = b;
    bad.commit[0] = '\0';
    cr_assert_eq(upgpath_check(&a, "2022-04-01", &bad, "2022-09-29", NULL, &v, NULL), -60002);
    bad = a;
    bad.version[0] = '\0';
    cr_assert_eq(upgpath_check(&bad, "2022-04-01", &b, "2022-09-29", NULL, &v, NULL), -60002);
    bad = a;
    bad.rc = -1;
    cr_assert_eq(upgpath_check(&bad, "2022-04-01", &b, "2022-09-29", NULL, &v, NULL), -60002);
    cr_assert_eq(((unsigned char *)&v)[0], 0x5a, "verdict untouched on input errors");

    /* the same pair judged properly */
    cr_assert_eq(upgpath_check(&a, "2022-04-01", &b, "2022-09-29", NULL, &v, NULL), 0);
    cr_assert_eq(v.strategy, UPGPATH_LARGE);
}

Test(upgpath, release_cfg)
{
    struct version_cfg c, want = cfg("7.0.0-RC1", "93.000", "70rc1aaa");
    const struct upgpath_release ok = {"7.0.0-RC1", 93000, "70rc1aaa", NULL};
    const struct upgpath_release prefixed = {"openGauss-3.0.0", 92605, "02c14696", NULL};
    const struct upgpath_release bad_version = {"3.0", 92605, "02c14696", NULL};
    const struct upgpath_release bad_commit = {"3.0.0", 92605, "02c1469", NULL};
    const struct upgpath_release bad_number = {"3.0.0", 0, "02c14696", NULL};
    const struct upgpath_release no_version = {NULL, 92605, "02c14696", NULL};
    const struct upgpath_release long_version = {
        "3.0.0-RC1xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
        "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
        "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
        92605, "02c14696", NULL};
    struct og_error err = {0};

    cr_assert_eq(upgpath_release_cfg(&ok, &c, &err), 0);
    /* the same as version_cfg_parse gives for the package's version.cfg */
    cr_assert_str_eq(c.product, want.product);
    cr_assert_str_eq(c.version, want.version);
    cr_assert_eq(c.major, want.major);
    cr_assert_eq(c.minor, want.minor);
    cr_assert_eq(c.patch, want.patch);
    cr_assert_eq(c.rc, 1);
    cr_assert_eq(c.number, 93000);
    cr_assert_str_eq(c.commit, want.commit);
    cr_assert_str_eq(c.number_str, "93.000");
    cr_assert_eq(upgpath_release_cfg(&prefixed, &c, NULL), 0);
    cr_assert_str_eq(c.product, "openGauss-3.0.0");
    cr_assert_str_eq(c.version, "3.0.0");

    cr_assert_eq(upgpath_release_cfg(&bad_version, &c, &err), -60002);
    cr_assert_eq(err.code, 60002);
    cr_assert_eq(upgpath_release_cfg(&bad_commit, &c, NULL), -60002);
    cr_assert_eq(upgpath_release_cfg(&bad_number, &c, NULL), -60002);
    cr_assert_eq(upgpath_release_cfg(&no_version, &c, NULL), -60002);
    cr_assert_eq(upgpath_release_cfg(&long_version, &c, NULL), -60002);
    cr_assert_eq(upgpath_release_cfg(NULL, &c, NULL), -60002);
    cr_assert_eq(upgpath_release_cfg(&ok, NULL, NULL), -60002);

    /* check_release passes the input error on, for either side */
    {
        struct upgpath_verdict v;

        cr_assert_eq(upgpath_check_release(&bad_version, &ok, NULL, &v, NULL), -60002);
        cr_assert_eq(upgpath_check_release(&ok, &bad_commit, NULL, &v, NULL), -60002);
    }
}

/* ---- names, codes --------------------------------------------------------------------- */

Test(upgpath, names)
{
    cr_assert_str_eq(upgpath_strategy_name(UPGPATH_SMALL), "small-binary-upgrade");
    cr_assert_str_eq(upgpath_strategy_name(UPGPATH_LARGE), "large-binary-upgrade");
    cr_assert_str_eq(upgpath_strategy_name(UPGPATH_INPLACE), "inplace-binary-upgrade");
    cr_assert_str_eq(upgpath_strategy_name(UPGPATH_NONE), "none");
    cr_assert_str_eq(upgpath_strategy_name((enum upgpath_strategy)42), "none");

    cr_assert_str_eq(upgpath_rule_name(UPGPATH_RULE_NONE), "none");
    cr_assert_str_eq(upgpath_rule_name(UPGPATH_RULE_SAME_COMMIT), "same-commit");
    cr_assert_str_eq(upgpath_rule_name(UPGPATH_RULE_OLDER), "older");
    cr_assert_str_eq(upgpath_rule_name(UPGPATH_RULE_NUMBER), "number");
    cr_assert_str_eq(upgpath_rule_name(UPGPATH_RULE_STALE), "stale");
    cr_assert_str_eq(upgpath_rule_name(UPGPATH_RULE_PATH_TABLE), "path-table");
    cr_assert_str_eq(upgpath_rule_name(UPGPATH_RULE_GREY), "grey");
    cr_assert_str_eq(upgpath_rule_name(UPGPATH_RULE_MOT), "mot");
    cr_assert_str_eq(upgpath_rule_name((enum upgpath_rule)42), "none");
}

Test(upgpath, mot_code_in_table)
{
    cr_assert_eq(OG_E_MOT_IN_USE, 60070);
    cr_assert(og_code_known(60070));
    cr_assert_str_eq(og_code_name(60070), "OGUP-60070");
    cr_assert_str_eq(og_code_text(60070),
                     "MOT tables are in use: upgrading to %s is not supported.");
}

/* ---- the target list -------------------------------------------------------------------- */

struct targets_row {
    const char *from;
    const char *to[NSIM + 1]; /* NULL-terminated */
};

static const struct targets_row inplace_targets[] = {
    {"1.0.0", {NULL}},
    {"1.0.1", {"1.1.0", NULL}},
    {"1.1.0", {"2.0.0", "2.0.1", "2.1.0", "3.0.0", "3.1.0", "5.0.0", "6.0.0", NULL}},
    {"2.0.0", {"2.0.1", "2.1.0", "3.0.0", "3.1.0", "5.0.0", "6.0.0", NULL}},
    {"2.0.1", {"2.1.0", "3.0.0", "3.1.0", "5.0.0", "6.0.0", NULL}},
    {"2.1.0", {"3.0.0", "3.1.0", "5.0.0", "6.0.0", NULL}},
    {"3.0.0", {"3.1.0", "5.0.0", "6.0.0", NULL}},
    {"3.1.0", {"5.0.0", "6.0.0", NULL}},
    {"5.0.0", {"6.0.0", NULL}},
    {"6.0.0", {NULL}},
};

static const struct targets_row grey_targets[] = {
    {"1.0.0", {NULL}},
    {"1.0.1", {NULL}},
    {"1.1.0", {NULL}},
    {"2.0.0", {"2.0.1", "2.1.0", "3.0.0", "3.1.0", "5.0.0", "6.0.0", NULL}},
    {"2.0.1", {"2.1.0", "3.0.0", "3.1.0", "5.0.0", "6.0.0", NULL}},
    {"2.1.0", {"3.0.0", "3.1.0", "5.0.0", "6.0.0", NULL}},
    {"3.0.0", {"3.1.0", "5.0.0", "6.0.0", NULL}},
    {"3.1.0", {"5.0.0", "6.0.0", NULL}},
    {"5.0.0", {"6.0.0", NULL}},
    {"6.0.0", {NULL}},
};

static void check_targets(const struct targets_row *rows, const struct upgpath_options *opt)
{
    for (size_t i = 0; i < NSIM; i++) {
        size_t out[NSIM], want = 0;
        int k = upgpath_targets(find(rows[i].from), sim, NSIM, opt, out, NSIM, NULL);

        while (rows[i].to[want])
            want++;
        cr_assert_eq(k, (int)want, "%s: %d targets, expected %zu", rows[i].from, k, want);
        for (size_t j = 0; j < want; j++)
            cr_assert_str_eq(sim[out[j]].version, rows[i].to[j], "%s: target %zu", rows[i].from, j);
    }
}

Test(upgpath, targets)
{
    struct upgpath_options ip = {.inplace = true};
    struct upgpath_options ip_mot = {.inplace = true, .mot_in_use = true};
    size_t out[NSIM];
    struct og_error err = {0};

    check_targets(inplace_targets, &ip);
    check_targets(grey_targets, NULL);

    /* MOT tables take 2.0.0 off 1.1.0's list */
    cr_assert_eq(upgpath_targets(find("1.1.0"), sim, NSIM, &ip_mot, out, NSIM, NULL), 6);
    cr_assert_str_eq(sim[out[0]].version, "2.0.1");

    /* limits and inputs */
    cr_assert_eq(upgpath_targets(find("1.1.0"), sim, NSIM, &ip, out, 3, &err), -60003);
    cr_assert_eq(err.code, 60003);
    cr_assert_eq(upgpath_targets(find("1.1.0"), sim, NSIM, &ip, NULL, 0, NULL), -60003);
    cr_assert_eq(upgpath_targets(find("6.0.0"), sim, NSIM, &ip, NULL, 0, NULL), 0);
    cr_assert_eq(upgpath_targets(find("1.1.0"), sim, 0, &ip, out, NSIM, NULL), 0);
    cr_assert_eq(upgpath_targets(find("1.1.0"), NULL, 3, &ip, out, NSIM, NULL), -60002);
    cr_assert_eq(upgpath_targets(NULL, sim, NSIM, &ip, out, NSIM, NULL), -60002);
    {
        const struct upgpath_release with_bad[] = {
            {"2.0.1", 92298, "d97c0e8a", "2021-06-02 19:37:16"},
            {"2.1.0", 92421, "bad", "2021-09-30 14:29:04"},
        };
        const struct upgpath_release no_date[] = {
            {"2.0.1", 92298, "d97c0e8a", NULL},
        };
        cr_assert_eq(upgpath_targets(find("2.0.0"), with_bad, 2, &ip, out, NSIM, NULL), -60002);
        cr_assert_eq(upgpath_targets(find("2.0.0"), no_date, 1, &ip, out, NSIM, NULL), -51623);
    }
}

/* ---- the matrix for upgrader/README.md --------------------------------------------------- */

static const char *cell(const struct expect *e)
{
    if (e->allowed)
        return e->large ? "L" : "S";
    switch (e->rule) {
    case UPGPATH_RULE_SAME_COMMIT:
        return "52901";
    case UPGPATH_RULE_OLDER:
        return "52902";
    case UPGPATH_RULE_PATH_TABLE:
        return "52902†";
    case UPGPATH_RULE_GREY:
        return "52904";
    default:
        return "?";
    }
}

static const struct expect *lookup(const struct row *rows, size_t n, const char *from,
                                   const char *to)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(rows[i].from, from) == 0 && strcmp(rows[i].to, to) == 0)
            return &rows[i].e;
    cr_assert_fail("no row %s -> %s", from, to);
    return NULL;
}

/* Written from the expectation tables (which the tests above prove the code
 * agrees with); UPGPATH_MATRIX=<file> saves it. */
Test(upgpath, matrix)
{
    const char *path = getenv("UPGPATH_MATRIX");
    char *text = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&text, &size);

    cr_assert_not_null(f);
    fprintf(f, "| from \\ to |");
    for (size_t j = 0; j < NSIM; j++)
        fprintf(f, " %s |", sim[j].version);
    fprintf(f, "\n|---|");
    for (size_t j = 0; j < NSIM; j++)
        fprintf(f, "---|");
    fprintf(f, "\n");
    for (size_t i = 0; i < NSIM; i++) {
        fprintf(f, "| **%s** (%d.%03d) |", sim[i].version, sim[i].number / 1000,
                sim[i].number % 1000);
        for (size_t j = 0; j < NSIM; j++) {
            const char *a =
                cell(lookup(inplace_rows, NROWS(inplace_rows), sim[i].version, sim[j].version));
            const char *b =
                cell(lookup(grey_rows, NROWS(grey_rows), sim[i].version, sim[j].version));

            if (strcmp(a, b) == 0)
                fprintf(f, " %s |", a);
            else
                fprintf(f, " %s / %s |", a, b);
        }
        fprintf(f, "\n");
    }
    cr_assert_eq(fclose(f), 0);
    cr_assert_not_null(strstr(text, "| **1.0.1** (92.072) | 52902 | 52901 | L / 52904 |"), "%s",
                       text);
    if (path) {
        FILE *out = fopen(path, "w");

        cr_assert_not_null(out, "%s", path);
        fputs(text, out);
        cr_assert_eq(fclose(out), 0);
    }
    free(text);
}

/* Which plan by the OM tools' version and the options (gs_upgradectl
 * choose_mode): in place up to 5.0.1, grey from 5.0.2, grey only from 6.0.0. */
Test(upgpath, default_mode_by_om_version)
{
    const struct {
        const char *cfg;
        bool grey, inplace;
        enum upgpath_mode want;
    } rows[] = {
        {"openGauss-3.0.0\n92.605\n02c14696\n", false, false, UPGPATH_MODE_INPLACE},
        {"openGauss-5.0.0\n92.848\na07d57c3\n", false, false, UPGPATH_MODE_INPLACE},
        {"openGauss-5.0.1\n92.848\na07d57c4\n", true, false, UPGPATH_MODE_GREY},
        {"openGauss-5.0.2\n92.848\na07d57c5\n", false, false, UPGPATH_MODE_GREY},
        {"openGauss-5.0.2\n92.848\na07d57c5\n", false, true, UPGPATH_MODE_INPLACE},
        {"openGauss-5.1.0\n92.901\na07d57c6\n", false, false, UPGPATH_MODE_GREY},
        {"openGauss-6.0.0\n92.954\naee4abd5\n", false, true, UPGPATH_MODE_GREY},
        {"openGauss-7.0.0-RC1\n93.001\nbbbbbbbb\n", false, true, UPGPATH_MODE_GREY},
    };
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        struct version_cfg v;
        cr_assert_eq(version_cfg_parse(rows[i].cfg, NULL, &v, NULL), 0, "%s", rows[i].cfg);
        cr_assert_eq(upgpath_default_mode(&v, rows[i].grey, rows[i].inplace), rows[i].want,
                     "row %zu: %s", i, rows[i].cfg);
        cr_assert_eq(upgpath_grey_only(&v), v.major >= 6);
    }
}
