/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * util/omopt: a repeat option (OMOPT_REPEAT, openGauss's --env-var:
 * ParameterParsecheck.py v5.0.0 :432-433 appends every value) keeps every
 * value in argv order, in both spellings; other options keep the last;
 * more than OMOPT_REPEAT_MAX values is an error, not a silent cut. And
 * util/cmdkit, the subcommand table of ogup's own tools.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "cmdkit.h"
#include "omopt.h"
#include "banned.h"

static const struct omopt opts[] = {
    {"-?", false, OMOPT_PLAIN}, {"--help", false, OMOPT_PLAIN},
    {"-V", false, OMOPT_PLAIN}, {"--version", false, OMOPT_PLAIN},
    {"-U", true, OMOPT_VALUE},  {"--env-var", true, OMOPT_REPEAT},
    {"-L", false, OMOPT_PLAIN},
};
static const char *const names[] = {"-U", "--env-var", "-L", NULL};
static const struct omopt_action action[] = {{NULL, names}};

static int parse(int argc, char **argv, struct omopt_result *r, struct og_error *err)
{
    return omopt_parse("test", false, argc, argv, opts, ELEMENTSOF(opts), action, 1, r, err);
}

Test(omopt, repeat_keeps_every_value_in_order)
{
    char *argv[] = {"t",  "--env-var=A=1", "-U", "u1", "--env-var", "B=2 x", "-U",
                    "u2", "--env-var=A=3", "-L", NULL};
    struct omopt_result r;
    struct og_error err = {0};
    const char *v[4] = {0};

    cr_assert_eq(parse(10, argv, &r, &err), 0, "%s", err.detail);
    cr_assert_eq(omopt_get_all(&r, opts, ELEMENTSOF(opts), "--env-var", v, 4), 3);
    cr_assert_str_eq(v[0], "A=1");
    cr_assert_str_eq(v[1], "B=2 x");
    cr_assert_str_eq(v[2], "A=3");
    /* the plain lookup gives the last, as for any option */
    cr_assert_str_eq(omopt_get(&r, opts, ELEMENTSOF(opts), "--env-var"), "A=3");
    cr_assert_str_eq(omopt_get(&r, opts, ELEMENTSOF(opts), "-U"), "u2");
    /* -U is no repeat option: nothing of it in the list */
    cr_assert_eq(omopt_get_all(&r, opts, ELEMENTSOF(opts), "-U", v, 4), 0);
    /* a short ret: the count is still the whole */
    cr_assert_eq(omopt_get_all(&r, opts, ELEMENTSOF(opts), "--env-var", v, 1), 3);
    cr_assert_str_eq(v[0], "A=1");
}

Test(omopt, repeat_values_are_not_checked_but_others_are)
{
    char *ok[] = {"t", "--env-var=A=$(x)", NULL};
    char *bad[] = {"t", "--env-var=A=1", "-U", "a;b", NULL};
    struct omopt_result r;
    struct og_error err = {0};

    cr_assert_eq(parse(2, ok, &r, &err), 0, "%s", err.detail);
    cr_assert_eq(r.n_repeated, 1);
    cr_assert_eq(parse(4, bad, &r, &err), -OG_E_PARAM_VALUE);
    cr_assert_not_null(strstr(err.detail, "Invaild value: ;."), "%s", err.detail);
}

Test(omopt, too_many_repeats_is_an_error)
{
    char *argv[OMOPT_REPEAT_MAX + 3];
    char buf[OMOPT_REPEAT_MAX + 1][16];
    struct omopt_result r;
    struct og_error err = {0};
    int argc = 0;

    argv[argc++] = "t";
    for (int i = 0; i <= OMOPT_REPEAT_MAX; i++) {
        snprintf(buf[i], sizeof(buf[i]), "--env-var=V%d=1", i);
        argv[argc++] = buf[i];
    }
    argv[argc] = NULL;
    cr_assert_eq(parse(argc, argv, &r, &err), -OG_E_TOO_LARGE);
    cr_assert_not_null(strstr(err.detail, "--env-var"), "%s", err.detail);
    /* exactly the limit is fine */
    cr_assert_eq(parse(argc - 1, argv, &r, &err), 0, "%s", err.detail);
    cr_assert_eq(r.n_repeated, OMOPT_REPEAT_MAX);
}

/* util/cmdkit: one subcommand table; help is 0, a missing or unknown
 * command the OM tools' usage-error exit, a known one runs on its own argv */
static int seen_argc;
static char seen_arg[32];

static int sub_run(int argc, char **argv)
{
    seen_argc = argc;
    snprintf(seen_arg, sizeof(seen_arg), "%s", argc > 1 ? argv[1] : "");
    return 7;
}

static void sub_usage(FILE *f)
{
    fprintf(f, "usage\n");
}

static const struct cmdkit_sub subs[] = {{"run", sub_run, "runs"}};

Test(cmdkit, dispatch_runs_helps_and_refuses)
{
    char *run[] = {"tool", "run", "x", NULL}, *help[] = {"tool", "help", NULL};
    char *none[] = {"tool", NULL}, *bad[] = {"tool", "nope", NULL};
    struct og_error err = {0};
    int usage_rc = og_exit_code(OG_ACTION_OTHER, -OG_E_PARAM_UNKNOWN);

    cr_assert_eq(cmdkit_dispatch(NULL, subs, 1, sub_usage, 3, run), 7);
    cr_assert_eq(seen_argc, 2);
    cr_assert_str_eq(seen_arg, "x");
    cr_assert_eq(cmdkit_dispatch(NULL, subs, 1, sub_usage, 2, help), 0);
    cr_assert_eq(cmdkit_dispatch(NULL, subs, 1, sub_usage, 1, none),
                 og_exit_code(OG_ACTION_OTHER, -OG_E_PARAM_REQUIRED));
    cr_assert_eq(cmdkit_dispatch(NULL, subs, 1, sub_usage, 2, bad), usage_rc);
    cr_assert_neq(usage_rc, 0);
    cr_assert_eq(cmdkit_unknown(&err, "--x"), -OG_E_PARAM_UNKNOWN);
    cr_assert_str_eq(err.detail, "Unrecognized parameter: --x.");
    og_error_clear(&err);
    cr_assert_eq(cmdkit_required(&err, "-X"), -OG_E_PARAM_REQUIRED);
    cr_assert_str_eq(err.detail, "Incorrect parameter. Parameter '-X' is required");
}
