/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * cmdkit.h - the command lines of ogup's own tools (ogsim and its
 * commands), the OM tools' way: a usage error is "[GAUSS-NNNNN] : detail"
 * on stderr with the OM tools' exit code (og_error_report, OG_ACTION_OTHER),
 * and a tool of subcommands dispatches through one table (git's style).
 * The OM tools' own option tables are omopt.h.
 */
#pragma once

#include <stddef.h>
#include <stdio.h>

#include "ogerror.h"

/* GAUSS-50000 "Unrecognized parameter: ARG." into err; returns -code */
int cmdkit_unknown(struct og_error *err, const char *arg);
/* GAUSS-50001 "Incorrect parameter. Parameter 'NAME' is required" into err;
 * returns -code */
int cmdkit_required(struct og_error *err, const char *name);
/* err printed when rc < 0; the exit code for rc */
int cmdkit_fail(int rc, const struct og_error *err);

/* getopt_long over a command's argv (argv[0] its name), silent: the option,
 * -1 at the end, '?' an unknown option, ':' a missing value (shortopts
 * start with ':'). */
struct option;
int cmdkit_next_opt(int argc, char **argv, const char *shortopts, const struct option *longopts);
/* What cmdkit_next_opt's '?' or ':' means, into err: GAUSS-50000 for an
 * unknown option, GAUSS-50004 for one without its value; returns -code */
int cmdkit_bad_opt(int c, char **argv, struct og_error *err);

struct cmdkit_sub {
    const char *name;
    int (*run)(int argc, char **argv); /* argv[0] is the subcommand */
    const char *summary;               /* one line for the usage (may be NULL) */
};

/* argv[1] looked up in subs: none given is GAUSS-50001 'COMMAND' (usage on
 * stderr first); --help, -h or help print the usage on stdout (0); with
 * tool set, --version or -V print its version line (og_print_version);
 * a known one runs with argv from itself (getopt started over); anything
 * else is GAUSS-50000. */
int cmdkit_dispatch(const char *tool, const struct cmdkit_sub *subs, size_t n,
                    void (*usage)(FILE *f), int argc, char **argv);
