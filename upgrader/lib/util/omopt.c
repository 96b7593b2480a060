/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * omopt.c - the OM tools' command line by openGauss's rules (omopt.h; PP =
 * openGauss-OM v5.0.0 script/gspylib/common/ParameterParsecheck.py).
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmdkit.h"
#include "omopt.h"
#include "banned.h"

/* PP:58 VALUE_CHECK_LIST, in its order: the first found is the one named */
static const char refused[] = "|;&$<>`\\'\"{}()[]~*?!\n";

char omopt_bad_char(const char *value)
{
    for (const char *c = refused; *c; c++)
        if (strchr(value, *c))
            return *c;
    return 0;
}

static int find_opt(const struct omopt *opts, size_t n, const char *name, size_t len)
{
    for (size_t i = 0; i < n; i++)
        if (strlen(opts[i].name) == len && strncmp(opts[i].name, name, len) == 0)
            return (int)i;
    return -1;
}

/* The action takes option i (its table name) */
static bool takes(const struct omopt_action *a, const char *name)
{
    static const char *const always[] = {"-t", "-?", "--help", "-V", "--version", NULL};

    for (size_t i = 0; always[i]; i++)
        if (strcmp(always[i], name) == 0)
            return true;
    for (size_t i = 0; a->names[i]; i++)
        if (strcmp(a->names[i], name) == 0)
            return true;
    return false;
}

/* PP:577-601: the action from -t, before anything else is parsed */
static int find_action(const char *module, int argc, char **argv,
                       const struct omopt_action *actions, size_t n,
                       const struct omopt_action **ret, struct og_error *err)
{
    const char *value = NULL;

    if (strcmp(argv[argc - 1], "-t") == 0)
        return og_error_set(err, OG_E_PARAM_INVALID,
                            "The parameter '-t' value is incorrect. option -t requires argument.");
    for (int i = 1; i + 1 < argc; i++) {
        if (strcmp(argv[i], "-t") != 0)
            continue;
        if (value)
            return og_error_set(err, OG_E_PARAM_TOO_MANY,
                                "Too many command-line arguments (first is \"%s\").", value);
        value = argv[++i];
    }
    if (!value)
        return og_error_set(err, OG_E_PARAM_REQUIRED,
                            "Incorrect parameter. Parameter '-t' is required.");
    for (size_t i = 0; i < n; i++)
        if (strcmp(actions[i].name, value) == 0) {
            *ret = &actions[i];
            return 0;
        }
    (void)module;
    return og_error_set(err, OG_E_PARAM_INVALID, "The parameter '-t' value is incorrect.");
}

/* file_util.py:99 check_file_permission(path, read) */
static int check_file(const char *path, struct og_error *err)
{
    struct stat st;

    if (stat(path, &st) < 0)
        return og_error_set(err, OG_E_NOT_EXIST_OR_DENIED,
                            "The %s does not exist or the permission on the upper-layer "
                            "directory is insufficient.",
                            path);
    if (!S_ISREG(st.st_mode))
        return og_error_set(err, OG_E_MUST_BE_FILE, "The %s must be a file.", path);
    if (access(path, R_OK) < 0)
        return og_error_set(err, OG_E_NOT_READABLE,
                            "The %s is not readable for the user. Error:\n%s: Permission denied.",
                            path, path);
    return 0;
}

/* PP:496 checkParaVaild, after the option's own handling (PP:479) */
static int check_value(const struct omopt *o, const char *value, struct og_error *err)
{
    char real[PATH_MAX], bad;
    const char *seen = value;
    int r = o->check == OMOPT_FILE ? check_file(value, err) : 0;

    if (r < 0 || o->check == OMOPT_PLAIN || o->check == OMOPT_REPEAT)
        return r;
    if (o->check != OMOPT_VALUE)
        seen = realpath(value, real) ? real : value; /* os.path.realpath never fails */
    bad = omopt_bad_char(seen);
    if (bad)
        return og_error_set(err, OG_E_PARAM_VALUE,
                            "The parameter[%s] value[%s] is invalid. Invaild value: %c.", o->name,
                            value, bad);
    return 0;
}

/* The value of option k; a repeat option keeps every one (PP:432-433) */
static int store(const struct omopt *opts, int k, const char *value, struct omopt_result *r,
                 struct og_error *err)
{
    r->value[k] = value;
    if (opts[k].check != OMOPT_REPEAT)
        return 0;
    if (r->n_repeated == OMOPT_REPEAT_MAX)
        return og_error_set(err, OG_E_TOO_LARGE, "The parameter '%s' is given more than %d times.",
                            opts[k].name, OMOPT_REPEAT_MAX);
    r->repeated[r->n_repeated].opt = k;
    r->repeated[r->n_repeated++].value = value;
    return 0;
}

/* One short option cluster (-X, -Xvalue, -Lq); *i advances past a value. */
static int short_opts(const struct omopt *opts, size_t n, const struct omopt_action *a, int argc,
                      char **argv, int *i, struct omopt_result *r, struct og_error *err)
{
    const char *s = argv[*i] + 1;

    while (*s) {
        char name[3] = {'-', *s, '\0'};
        int k = find_opt(opts, n, name, 2);
        if (k < 0 || !takes(a, name))
            return cmdkit_unknown(err, name);
        s++;
        if (!opts[k].arg) {
            r->value[k] = "";
            continue;
        }
        if (!*s && *i + 1 >= argc)
            return og_error_set(err, OG_E_PARAM_INVALID,
                                "The parameter '%s' value is incorrect. Error:\noption %s "
                                "requires argument",
                                name, name);
        int rc = store(opts, k, *s ? s : argv[++*i], r, err);
        return rc < 0 ? rc : check_value(&opts[k], r->value[k], err);
    }
    return 0;
}

/* --name, --name=value, --name value; a unique prefix of the action's options */
static int long_opt(const struct omopt *opts, size_t n, const struct omopt_action *a, int argc,
                    char **argv, int *i, struct omopt_result *r, struct og_error *err)
{
    const char *tok = argv[*i], *eq = strchr(tok, '=');
    size_t len = eq ? (size_t)(eq - tok) : strlen(tok);
    int k = find_opt(opts, n, tok, len), hits = 0, rc;

    if (k < 0 || !takes(a, opts[k].name)) {
        k = -1;
        for (size_t j = 0; j < n; j++)
            if (strncmp(opts[j].name, "--", 2) == 0 && strncmp(opts[j].name, tok, len) == 0 &&
                takes(a, opts[j].name))
                k = (int)j, hits++;
        if (hits > 1)
            return og_error_set(err, OG_E_PARAM_TOO_MANY,
                                "Too many command-line arguments (first is \"%.*s\").", (int)len,
                                tok);
        if (k < 0)
            return og_error_set(err, OG_E_PARAM_UNKNOWN, "Unrecognized parameter: %.*s.", (int)len,
                                tok);
    }
    if (!opts[k].arg) {
        if (eq)
            return og_error_set(err, OG_E_PARAM_UNKNOWN,
                                "Unrecognized parameter: option %s must not have an argument.",
                                opts[k].name);
        r->value[k] = "";
        return 0;
    }
    if (!eq && *i + 1 >= argc)
        return og_error_set(err, OG_E_PARAM_INVALID,
                            "The parameter '%s' value is incorrect. Error:\noption %s requires "
                            "argument",
                            opts[k].name, opts[k].name);
    rc = store(opts, k, eq ? eq + 1 : argv[++*i], r, err);
    return rc < 0 ? rc : check_value(&opts[k], r->value[k], err);
}

/* PP:200: every "--x" starts with a long option the action takes */
static int prescan(const struct omopt *opts, size_t n, const struct omopt_action *a, int argc,
                   char **argv, struct og_error *err)
{
    for (int i = 1; i < argc; i++) {
        bool ok = false;
        if (strncmp(argv[i], "--", 2) != 0)
            continue;
        for (size_t j = 0; j < n && !ok; j++)
            ok = strncmp(opts[j].name, "--", 2) == 0 && takes(a, opts[j].name) &&
                 strncmp(argv[i], opts[j].name, strlen(opts[j].name)) == 0;
        ok = ok || strncmp(argv[i], "--help", 6) == 0 || strncmp(argv[i], "--version", 9) == 0;
        if (!ok)
            return cmdkit_unknown(err, argv[i]);
    }
    return 0;
}

int omopt_parse(const char *module, bool with_t, int argc, char **argv, const struct omopt *opts,
                size_t n_opts, const struct omopt_action *actions, size_t n_actions,
                struct omopt_result *r, struct og_error *err)
{
    const struct omopt_action *a = with_t ? NULL : &actions[0];
    int rc = 0, i;

    memset(r, 0, sizeof(*r));
    if (n_opts > OMOPT_MAX)
        return og_error_set(err, OG_E_INVALID_ARG, "too many options");
    if (with_t && argc <= 1)
        return og_error_set(err, OG_E_PARAM_EMPTY, "Parameters of '%s' can not be empty.", module);
    for (i = 1; i < argc; i++) {
        r->help |= strcmp(argv[i], "-?") == 0 || strcmp(argv[i], "--help") == 0;
        r->version |= strcmp(argv[i], "-V") == 0 || strcmp(argv[i], "--version") == 0;
    }
    if (r->help || r->version)
        return 0;
    if (with_t)
        rc = find_action(module, argc, argv, actions, n_actions, &a, err);
    if (rc == 0)
        rc = prescan(opts, n_opts, a, argc, argv, err);
    for (i = 1; rc == 0 && i < argc; i++) {
        if (strcmp(argv[i], "--") == 0) {
            i++;
            break;
        }
        if (argv[i][0] != '-' || argv[i][1] == '\0')
            break; /* getopt stops at the first argument */
        rc = argv[i][1] == '-' ? long_opt(opts, n_opts, a, argc, argv, &i, r, err)
                               : short_opts(opts, n_opts, a, argc, argv, &i, r, err);
    }
    if (rc == 0 && i < argc)
        rc = cmdkit_unknown(err, argv[i]);
    r->action = a;
    return rc;
}

const char *omopt_get(const struct omopt_result *r, const struct omopt *opts, size_t n_opts,
                      const char *name)
{
    int k = find_opt(opts, n_opts, name, strlen(name));

    return k < 0 ? NULL : r->value[k];
}

size_t omopt_get_all(const struct omopt_result *r, const struct omopt *opts, size_t n_opts,
                     const char *name, const char **ret, size_t max)
{
    int k = find_opt(opts, n_opts, name, strlen(name));
    size_t n = 0;

    for (size_t i = 0; k >= 0 && i < r->n_repeated; i++)
        if (r->repeated[i].opt == k) {
            if (n < max)
                ret[n] = r->repeated[i].value;
            n++;
        }
    return n;
}
