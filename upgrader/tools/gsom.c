/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * gs_om: openGauss's cluster command, for the single-inst primary/standby
 * cluster without CM (openGauss-OM v5.0.0, where versions differ said so: script/gs_om "GO",
 * impl/om/OLAP/OmImplOLAP.py "OI", impl/om/OmImpl.py "OM",
 * gspylib/common/DbClusterInfo.py "DCI", ParameterParsecheck.py "PP").
 *
 *   -t start|stop|restart [-h NODE] [-D DIR] [--time-out=S] [-m MODE]
 *   -t status [-h NODE] [-o FILE] [--detail] [--all] [--az=AZ]
 *   -t query [-o FILE] | -t view [-o FILE] [--dynamic] | -t refreshconf
 *   -t generateconf -X XML [--distribute] | --old-values=.. --new-values=..
 *   -t cert, -t kerberos: their arguments checked as openGauss does, then
 *   refused (OGUP-60092): ogup manages neither SSL certificates nor Kerberos.
 *
 * The order of the checks is openGauss's: the options (omopt, PP), what
 * parseCommandLine checks (-h once, --nodeId, -o, cert and kerberos
 * pairs), root refused (GO:521), each action's values (GO:582-720), then
 * the environment and the installed cluster. Failure: exit 1.
 */
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clusterstatus.h"
#include "fs.h"
#include "omopt.h"
#include "omtools.h"
#include "parse.h"
#include "precheck.h"
#include "staticconfig.h"
#include "versioncfg.h"
#include "gsom.h"
#include "banned.h"

#define TIMEOUT_CLUSTER_START 300 /* DefaultValue.TIMEOUT_CLUSTER_START */

static const struct omopt om_opts[] = {
    OMOPT("-?", false, OMOPT_PLAIN),
    OMOPT("--help", false, OMOPT_PLAIN),
    OMOPT("-V", false, OMOPT_PLAIN),
    OMOPT("--version", false, OMOPT_PLAIN),
    OMOPT("-t", true, OMOPT_VALUE),
    OMOPT("-h", true, OMOPT_VALUE),
    OMOPT("-I", true, OMOPT_PLAIN),
    OMOPT("-m", true, OMOPT_VALUE),
    OMOPT("-D", true, OMOPT_PLAIN),
    OMOPT("-l", true, OMOPT_PATH),
    OMOPT("-o", true, OMOPT_PATH),
    OMOPT("-X", true, OMOPT_FILE),
    OMOPT("-U", true, OMOPT_VALUE),
    OMOPT("-L", false, OMOPT_PLAIN),
    OMOPT("--time-out", true, OMOPT_VALUE),
    OMOPT("--az", true, OMOPT_PLAIN),
    OMOPT("--nodeId", true, OMOPT_PLAIN),
    OMOPT("--security-mode", true, OMOPT_PLAIN),
    OMOPT("--cluster-number", true, OMOPT_PLAIN),
    OMOPT("--mode", true, OMOPT_VALUE),
    OMOPT("--detail", false, OMOPT_PLAIN),
    OMOPT("--all", false, OMOPT_PLAIN),
    OMOPT("--distribute", false, OMOPT_PLAIN),
    OMOPT("--old-values", true, OMOPT_PLAIN),
    OMOPT("--new-values", true, OMOPT_PLAIN),
    OMOPT("--cert-file", true, OMOPT_PLAIN),
    OMOPT("--rollback", false, OMOPT_PLAIN),
    OMOPT("--krb-server", false, OMOPT_PLAIN),
    OMOPT("--krb-client", false, OMOPT_PLAIN),
    OMOPT("--dynamic", false, OMOPT_PLAIN),
};

/* PP:104-122 (before v3.0.1: view without --dynamic) */
static const char *const start_names[] = {
    "-h", "-I", "--time-out", "--az", "-l", "--nodeId", "-D", "--security-mode", "--cluster-number",
    NULL};
static const char *const stop_names[] = {"-h",     "-I",       "-m",         "--az", "-l",
                                         "--mode", "--nodeId", "--time-out", "-D",   NULL};
static const char *const restart_names[] = {"-h",     "-I",       "--time-out", "--az",
                                            "-l",     "--nodeId", "-D",         "--security-mode",
                                            "--mode", "-m",       NULL};
static const char *const status_names[] = {"-h", "-o",   "--detail",   "--all",
                                           "-l", "--az", "--time-out", NULL};
static const char *const genconf_names[] = {"-X",           "--distribute", "-l",
                                            "--old-values", "--new-values", NULL};
static const char *const cert_names[] = {"-L", "-l", "--cert-file", "--rollback", NULL};
static const char *const krb_names[] = {"-m",           "-U",           "-X", "-l",
                                        "--krb-server", "--krb-client", NULL};
static const char *const view_names[] = {"-o", "-l", "--dynamic", NULL};
static const char *const view300_names[] = {"-o", "-l", NULL};
static const char *const query_names[] = {"-o", "-l", "--time-out", NULL};
static const char *const refresh_names[] = {"-l", NULL};

static const struct omopt_action om_actions[] = {
    {"start", start_names},
    {"stop", stop_names},
    {"status", status_names},
    {"restart", restart_names},
    {"generateconf", genconf_names},
    {"kerberos", krb_names},
    {"cert", cert_names},
    {"view", view_names},
    {"query", query_names},
    {"refreshconf", refresh_names},
};

static const char *opt(const struct omopt_result *p, const char *name)
{
    return omopt_get(p, om_opts, ELEMENTSOF(om_opts), name);
}

static bool is(const struct gsom_args *a, const char *action)
{
    return strcmp(a->action, action) == 0;
}

/* Python's int(): optional blanks and sign, then digits, optional blanks;
 * unbounded, so a number out of range is the nearest end of it */
static bool py_int(const char *s, long long *ret)
{
    _cleanup_free_ char *t = NULL;
    size_t n;
    int r;

    s += strspn(s, " \t");
    n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    t = strndup(s, n);
    if (!t)
        return false;
    r = safe_atolli(t, ret);
    if (r == -ERANGE)
        *ret = t[strspn(t, " \t\n\v\f\r")] == '-' ? LLONG_MIN : LLONG_MAX;
    return r == 0 || r == -ERANGE;
}

/* DefaultValue.checkOutputFile (Common.py :1649-1660), from the parser
 * (PP:407-410); the missing parent is made later, after the root check */
static int check_output(const char *path, struct og_error *err)
{
    char parent[PATH_MAX];
    struct stat st;
    char *slash;

    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
        return og_error_set(err, OG_E_MUST_BE_FILE, "The output file must be a file.");
    snprintf(parent, sizeof(parent), "%s", path);
    slash = strrchr(parent, '/');
    if (slash && slash != parent)
        *slash = '\0';
    if (stat(parent, &st) == 0 && S_ISREG(st.st_mode))
        return og_error_set(err, OG_E_MUST_BE_DIR,
                            "The base directory of output file must be a directory.");
    return 0;
}

/* -h once (GO:286-293), --nodeId >= 1 (GO:295-300) */
static int read_node(const struct omopt_result *p, struct gsom_args *a, struct og_error *err)
{
    const char *h = opt(p, "-h"), *id = opt(p, "--nodeId");

    if (h) {
        size_t n = strcspn(h, ",");
        if (h[n])
            return og_error_set(err, OG_E_PARAM_TOO_MANY,
                                "Too many command-line arguments (first is \"%.*s\"). Please "
                                "check it.",
                                (int)n, h);
        snprintf(a->node, sizeof(a->node), "%s", h);
    }
    if (id) {
        long long v;
        /* openGauss: int() raises for a non-number (a Python message);
         * ogup gives it the code of the < 1 case */
        if (!py_int(id, &v) || v < 1)
            return og_error_set(err, OG_E_PARAM_INVALID,
                                "The parameter '-%s' value is incorrect. Please check it.", id);
    }
    return 0;
}

/* parseCert / parseKerberos (GO:414-453) */
static int read_pairs(const struct omopt_result *p, struct gsom_args *a, struct og_error *err)
{
    if (is(a, "cert") && opt(p, "--cert-file") && opt(p, "--rollback"))
        return og_error_set(err, OG_E_PARAM_CONFLICT,
                            "The parameter '--cert-file' and '--rollback' can not be used "
                            "together.");
    if (!is(a, "kerberos") || !a->mode)
        return 0;
    if (strcmp(a->mode, "install") == 0) {
        if (opt(p, "--krb-server") && opt(p, "--krb-client"))
            return og_error_set(err, OG_E_PARAM_CONFLICT,
                                "The parameter '--krb-server' and '--krb-client' can not be used "
                                "together.");
        if (!opt(p, "--krb-server") && !opt(p, "--krb-client"))
            return og_error_set(err, OG_E_PARAM_REQUIRED,
                                "Incorrect parameter. Parameter '--krb-server' or '--krb-client' "
                                "is required");
    } else if (strcmp(a->mode, "uninstall") == 0) {
        const char *f = opt(p, "--krb-server")   ? "--krb-server"
                        : opt(p, "--krb-client") ? "--krb-client"
                                                 : NULL;
        if (f)
            return og_error_set(err, OG_E_PARAM_NOT_REQUIRED,
                                "Incorrect parameter. Parameter '%s' is not required", f);
    }
    return 0;
}

/* parseCommandLine: what the options mean, and the checks made there */
static int read_args(const struct omopt_result *p, struct gsom_args *a, struct og_error *err)
{
    const char *m = opt(p, "-m") ? opt(p, "-m") : opt(p, "--mode");
    int r;

    a->action = p->action->name;
    a->mode = m;
    a->data_dir = opt(p, "-D");
    a->out = opt(p, "-o");
    a->timeout = opt(p, "--time-out");
    a->az = opt(p, "--az");
    a->security = opt(p, "--security-mode") ? opt(p, "--security-mode") : "off";
    a->xml = opt(p, "-X");
    a->old_values = opt(p, "--old-values");
    a->new_values = opt(p, "--new-values");
    a->cert_file = opt(p, "--cert-file");
    a->detail = opt(p, "--detail") != NULL;
    a->all = opt(p, "--all") != NULL;
    a->distribute = opt(p, "--distribute") != NULL;
    a->dynamic = opt(p, "--dynamic") != NULL;
    a->rollback = opt(p, "--rollback") != NULL;
    r = read_node(p, a, err);
    if (r == 0 && a->out)
        r = check_output(a->out, err);
    if (r == 0)
        r = read_pairs(p, a, err);
    return r;
}

/* checkTimeOutParam (GO:601-618): digits only, 0 < t < 2147483647 */
static int check_timeout(struct gsom_args *a, struct og_error *err)
{
    int v;

    a->timeout_s = TIMEOUT_CLUSTER_START;
    if (!a->timeout)
        return 0;
    if (!a->timeout[0] || strspn(a->timeout, "0123456789") != strlen(a->timeout))
        return og_error_set(err, OG_E_PARAM_TYPE,
                            "The parameter '--time-out' type should be a nonnegative integer.");
    /* digits only: out of range is the one way to fail */
    if (safe_atoi_range(a->timeout, 1, INT_MAX - 1, &v) < 0)
        return og_error_set(err, OG_E_PARAM_INVALID,
                            "The parameter '--time-out' value is incorrect.");
    a->timeout_s = v;
    return 0;
}

static size_t count_values(const char *s)
{
    size_t n = 1;

    for (; s && *s; s++)
        n += *s == ',';
    return s ? n : 0;
}

/* checkParameter's per-action part (GO:582-720) */
static int check_action(struct gsom_args *a, struct og_error *err)
{
    int r = 0;

    if (is(a, "start") || is(a, "restart") || is(a, "stop") || is(a, "status") || is(a, "query"))
        r = check_timeout(a, err);
    if (r == 0 && (is(a, "start") || is(a, "restart")) && strcmp(a->security, "on") != 0 &&
        strcmp(a->security, "off") != 0)
        r = og_error_set(err, OG_E_PARAM_INVALID,
                         "The parameter '--security-mode' value is incorrect.");
    if (r == 0 && is(a, "stop")) { /* parseMode reads -m for stop only (GO:325) */
        const char *m = a->mode ? a->mode : "fast";
        if (strcmp(m, "fast") && strcmp(m, "immediate") && strcmp(m, "f") && strcmp(m, "i"))
            r = og_error_set(err, OG_E_PARAM_INVALID, "The parameter '-m' value is incorrect.");
    }
    if (r == 0 && is(a, "generateconf")) {
        if (!a->old_values && !a->xml)
            r = og_error_set(err, OG_E_PARAM_REQUIRED,
                             "Incorrect parameter. Parameter '-X' is required.");
        else if (a->old_values && count_values(a->old_values) != count_values(a->new_values))
            r = og_error_set(err, OG_E_COUNT_MISMATCH,
                             "The number of old-values must equal to new-values.");
    }
    if (r == 0 && is(a, "cert")) {
        size_t n = a->cert_file ? strlen(a->cert_file) : 0;
        if (!a->cert_file && !a->rollback)
            r = og_error_set(err, OG_E_PARAM_REQUIRED,
                             "Incorrect parameter. Parameter '--cert-file or --rollback' is "
                             "required");
        else if (a->cert_file && (n < 4 || strcmp(a->cert_file + n - 4, ".zip") != 0))
            r = og_error_set(err, OG_E_PARAM_REQUIRED,
                             "Incorrect parameter. Parameter '--cert-file type is not 'zip'' is "
                             "required");
    }
    if (r == 0 && is(a, "kerberos") &&
        (!a->mode || (strcmp(a->mode, "install") && strcmp(a->mode, "uninstall"))))
        r = og_error_set(err, OG_E_PARAM_INVALID, "The parameter '-m' value is incorrect.Value: %s",
                         a->mode ? a->mode : "");
    if (r == 0 && (is(a, "cert") || is(a, "kerberos")))
        r = og_error_set(err, OG_E_NOT_MODELLED,
                         "gs_om -t %s is not provided by ogup: it manages neither SSL "
                         "certificates nor Kerberos.",
                         a->action);
    if (r == 0 && (is(a, "start") || is(a, "restart")) && strcmp(a->security, "on") == 0)
        r = og_error_set(err, OG_E_NOT_MODELLED,
                         "--security-mode=on is not provided by ogup: the node kernel has no "
                         "security mode.");
    return r;
}

static int usage(int rc)
{
    printf("\ngs_om is a utility to manage a cluster.\n\n"
           "Usage:\n  gs_om -? | --help\n  gs_om -V | --version\n"
           "    gs_om -t start [-h HOSTNAME] [-D dataDir] [--time-out=SECS]\n"
           "                   [--security-mode=MODE] [-l LOGFILE]\n"
           "    gs_om -t stop [-h HOSTNAME] [-D dataDir] [--time-out=SECS] [-m MODE]\n"
           "                  [-l LOGFILE]\n"
           "    gs_om -t restart [-h HOSTNAME] [-D dataDir] [--time-out=SECS]\n"
           "                   [--security-mode=MODE] [-l LOGFILE] [-m MODE]\n"
           "    gs_om -t status [-h HOSTNAME] [-o OUTPUT] [--detail] [--all] [--az=AZ]\n"
           "                    [-l LOGFILE] [--time-out=SECS]\n"
           "    gs_om -t generateconf -X XMLFILE [--distribute] [-l LOGFILE]\n"
           "    gs_om -t generateconf --old-values=old --new-values=new [--distribute]\n"
           "    gs_om -t view [-o OUTPUT] [--dynamic]\n"
           "    gs_om -t query [-o OUTPUT] [--time-out=SECS]\n"
           "    gs_om -t refreshconf\n\n"
           "General options:\n"
           "  -t                              Type of the OM command.\n"
           "  -l                              Path of log file.\n"
           "  -?, --help                      Show help information for this utility,\n"
           "                                  and exit the command line mode.\n"
           "  -V, --version                   Show version information.\n\n"
           "Options for start, stop and restart\n"
           "  -h                              Name of the host to be started or stopped.\n"
           "  -D                              Path of dn\n"
           "  -m, --mode=MODE                 Shutdown mode (stop): f (fast) or i (immediate).\n"
           "      --time-out=SECS             Maximum waiting time (default 300).\n"
           "      --security-mode=MODE        on or off (ogup: only off).\n\n"
           "Options for status\n"
           "  -h                              Name of the host whose status is to be queried.\n"
           "  --az=AZ                         Name of the single az to be queried.\n"
           "  -o                              Save the result to the specified file.\n"
           "      --detail                    Show detailed status information.\n"
           "      --all                       Show all database node status information.\n\n"
           "Options for generating configuration files\n"
           "  -X                              Path of the XML configuration file.\n"
           "  --old-values, --new-values      Host names, IPs or ports to change, \"a,b\".\n"
           "      --distribute                Distribute the static configuration file\n"
           "                                  to installation directory of cluster nodes.\n\n"
           "ogup: -t cert and -t kerberos check their arguments and then refuse\n"
           "(OGUP-60092): ogup manages neither SSL certificates nor Kerberos.\n");
    return rc;
}

/* Whether the tools are those of openGauss before 3.0.1 (their package's
 * version.cfg; a tool outside a package is the newest) */
static bool om_before_3_0_1(void)
{
    struct version_cfg v;
    int x = 0, y = 0, z = 0;

    if (om_package_version(&v, NULL, 0) < 0 || sscanf(v.version, "%d.%d.%d", &x, &y, &z) < 2)
        return false;
    return x < 3 || (x == 3 && y == 0 && z < 1);
}

int tool_gs_om(int argc, char **argv)
{
    struct omopt_action actions[ELEMENTSOF(om_actions)];
    struct og_error err = {0};
    struct omopt_result p;
    struct gsom_args a = {0};
    int r;

    memcpy(actions, om_actions, sizeof(actions));
    if (om_before_3_0_1()) /* --dynamic: PP from v3.0.1 on (v5.0.0 :112) */
        for (size_t i = 0; i < ELEMENTSOF(actions); i++)
            if (strcmp(actions[i].name, "view") == 0)
                actions[i].names = view300_names;
    r = omopt_parse("gs_om", true, argc, argv, om_opts, ELEMENTSOF(om_opts), actions,
                    ELEMENTSOF(actions), &p, &err);
    if (r == 0 && p.help)
        return usage(0);
    if (r == 0 && p.version)
        return om_version("gs_om");
    if (r == 0)
        r = read_args(&p, &a, &err);
    if (r == 0 && geteuid() == 0) /* GO:521-527, after the command line */
        r = og_error_set(&err, OG_E_RUN_AS_ROOT,
                         "Cannot run this script as a user with the root permission. When the "
                         "parameter '-t' value is not dailyAlarm or not estimate install consume "
                         "or not extension connector with add, delete, restart, upgrade in -m "
                         "parameter.");
    if (r == 0)
        r = check_action(&a, &err);
    if (r == 0)
        r = gsom_run(&a, &err);
    if (r < 0)
        return om_fail("gs_om", r, &err);
    return 0;
}
