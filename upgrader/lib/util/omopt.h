/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * omopt.h - the OM tools' command line, by openGauss's rules
 * (openGauss-OM v5.0.0 script/gspylib/common/ParameterParsecheck.py,
 * "PP" below): one table of options per tool, the options each -t action
 * accepts, and the same checks in the same order with the same codes:
 *
 *  1. no argument at all (tools with -t): GAUSS-50014 (PP:577)
 *  2. -? or --help anywhere: help, nothing else checked (PP:268, 542)
 *  3. -V or --version anywhere: the version (PP:250, 272)
 *  4. -t (tools with -t): last token 50004 "option -t requires argument."
 *     (PP:581), given twice 50006 (PP:585), missing 50001 (PP:593), not an
 *     action 50004 (PP:597) -- -t must be a token of its own
 *  5. every "--x" must start with a long option of the action, else 50000
 *     with the whole token (PP:200)
 *  6. Python getopt: short options glued or not (-Xa.xml, -X a.xml),
 *     long options by unique prefix (--gre is not --grey: see 5), "--x=v";
 *     parsing stops at the first non-option; an option the action does not
 *     take 50000 (PP:225), a missing value 50004 "... Error:\noption -X
 *     requires argument" (PP:220), "--flag=v" 50000 "option --flag must not
 *     have an argument" (PP:231), a leftover argument 50000 (PP:235)
 *  7. values: OMOPT_VALUE options refuse the characters of PP:44 (50011,
 *     the first of that list found), OMOPT_FILE options must name an
 *     existing readable regular file (50236, 50210, 50100: file_util.py:99)
 *
 * Every error is one og_error; the caller prints it and exits 1 (GaussLog.
 * exitWithError: every OM tool's failure exit).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "ogerror.h"

enum omopt_check {
    OMOPT_PLAIN,
    OMOPT_VALUE,  /* PARA_CHECK_LIST (PP:44): the value's characters checked */
    OMOPT_PATH,   /* PATH_CHEKC_LIST (PP:52): the same check on its realpath */
    OMOPT_FILE,   /* -X: an existing, readable, regular file, then as PATH */
    OMOPT_REPEAT, /* not checked, may be given again: every value kept (PP:432 --env-var) */
};

struct omopt {
    const char *name; /* "-t", "-X", "--grey", "--time-out" */
    bool arg;         /* takes a value */
    enum omopt_check check;
};

struct omopt_action {
    const char *name;         /* the -t value; NULL for a tool without -t */
    const char *const *names; /* the options it takes, NULL-terminated (-t, -?, --help, -V
                               * and --version are always taken) */
};

#define OMOPT_MAX        48
#define OMOPT_REPEAT_MAX 64 /* values of repeat options, all together */

struct omopt_result {
    bool help, version;
    const struct omopt_action *action; /* NULL only with help or version */
    const char *value[OMOPT_MAX];      /* by index in the option table; "" for a flag given */
    struct {
        int opt; /* index in the option table */
        const char *value;
    } repeated[OMOPT_REPEAT_MAX]; /* the values of repeat options, in argv order */
    size_t n_repeated;
};

/* module names the tool in GAUSS-50014 ("upgradectl", "gs_om"); with_t: the
 * tool has -t actions (else actions[0] is the only one, its name NULL). */
int omopt_parse(const char *module, bool with_t, int argc, char **argv, const struct omopt *opts,
                size_t n_opts, const struct omopt_action *actions, size_t n_actions,
                struct omopt_result *r, struct og_error *err) _warn_unused_result_;

/* The value of option name (NULL when not given; "" for a flag given). */
const char *omopt_get(const struct omopt_result *r, const struct omopt *opts, size_t n_opts,
                      const char *name);

/* The values of a repeat option, in argv order: up to max into ret, the count
 * returned (0: not given). */
size_t omopt_get_all(const struct omopt_result *r, const struct omopt *opts, size_t n_opts,
                     const char *name, const char **ret, size_t max);

/* The first character of openGauss's refused list (PP:44) in value, or 0. */
char omopt_bad_char(const char *value);

/* One row of an option table (the fields not named are zero). */
#define OMOPT(n, a, c)                                                                             \
    {                                                                                              \
        .name = (n), .arg = (a), .check = (c)                                                      \
    }
