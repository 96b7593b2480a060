/* SPDX-License-Identifier: MulanPSL-2.0 */
#include <getopt.h>
#include <string.h>

#include "cmdkit.h"
#include "parse.h"
#include "banned.h"

int cmdkit_unknown(struct og_error *err, const char *arg)
{
    return og_error_set(err, OG_E_PARAM_UNKNOWN, "Unrecognized parameter: %s.", arg);
}

int cmdkit_required(struct og_error *err, const char *name)
{
    return og_error_set(err, OG_E_PARAM_REQUIRED, "Incorrect parameter. Parameter '%s' is required",
                        name);
}

int cmdkit_fail(int rc, const struct og_error *err)
{
    return og_error_report(err, OG_ACTION_OTHER, rc);
}

int cmdkit_next_opt(int argc, char **argv, const char *shortopts, const struct option *longopts)
{
    opterr = 0;
    return getopt_long(argc, argv, shortopts, longopts, NULL);
}

int cmdkit_bad_opt(int c, char **argv, struct og_error *err)
{
    const char *arg = optind > 0 && argv[optind - 1] ? argv[optind - 1] : "?";

    if (c == ':')
        return og_error_set(err, OG_E_PARAM_INVALID,
                            "The parameter '%s' value is incorrect: it needs a value", arg);
    return cmdkit_unknown(err, arg);
}

int cmdkit_dispatch(const char *tool, const struct cmdkit_sub *subs, size_t n,
                    void (*usage)(FILE *f), int argc, char **argv)
{
    struct og_error err = {0};

    if (argc < 2) {
        usage(stderr);
        return cmdkit_fail(cmdkit_required(&err, "COMMAND"), &err);
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        usage(stdout);
        return 0;
    }
    if (tool && (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0))
        return og_print_version(tool);
    for (size_t i = 0; i < n; i++)
        if (strcmp(argv[1], subs[i].name) == 0) {
            optind = 0; /* GNU getopt: start over on the command's argv */
            return subs[i].run(argc - 1, argv + 1);
        }
    return cmdkit_fail(cmdkit_unknown(&err, argv[1]), &err);
}
