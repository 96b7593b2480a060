/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * gs_preinstall's command line and its checks, in the order of openGauss-OM
 * v5.0.0 (GP = script/gs_preinstall, PP = ParameterParsecheck.py, CU =
 * domain_utils/cluster_os/cluster_user.py, PF = domain_utils/cluster_file/
 * profile_file.py; tests/data/contract/SOURCE-ROWS.md section 6):
 *
 *   root (GP:517, before the options, -V included) -- the options (PP:65,
 *   omopt: help, version, 50000/50004/50006, 50011 for -U -G and the paths,
 *   -X an existing readable file) -- -U and --sep-env-file characters 50219
 *   (GP:155, 174) -- -G (CU:97-107) -- -X (GP:328) -- -U (GP:189-214) --
 *   -L user/group (GP:217-225) -- the XML holds this host (GP:335-339) --
 *   --env-var (GP:252-261) -- --sep-env-file (GP:275-309) -- -l.
 *
 * Nothing is changed before all of them passed: openGauss already edited
 * /etc/profile by then (HISTTIMEFORMAT GP:519, HOST_IP GP:319); ogup never
 * edits /etc/profile (gs_preinstall(1), DIFFERENCES).
 */
#include <ctype.h>
#include <errno.h>
#include <grp.h>
#include <libgen.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmdkit.h"
#include "command.h"
#include "fs.h"
#include "oglog.h"
#include "omopt.h"
#include "omtools.h"
#include "preinstall.h"
#include "banned.h"

/* PP:65-68 */
static const struct omopt pi_opts[] = {
    {"-?", false, OMOPT_PLAIN},
    {"--help", false, OMOPT_PLAIN},
    {"-V", false, OMOPT_PLAIN},
    {"--version", false, OMOPT_PLAIN},
    {"-U", true, OMOPT_VALUE},
    {"-G", true, OMOPT_VALUE},
    {"-L", false, OMOPT_PLAIN},
    {"--skip-os-set", false, OMOPT_PLAIN},
    {"-X", true, OMOPT_FILE},
    {"--env-var", true, OMOPT_REPEAT},
    {"--sep-env-file", true, OMOPT_PATH},
    {"--skip-hostname-set", false, OMOPT_PLAIN},
    {"-l", true, OMOPT_PATH},
    {"--non-interactive", false, OMOPT_PLAIN},
    {"--delete-root-trust", false, OMOPT_PLAIN},
    {"--unused-third-party", false, OMOPT_PLAIN},
};
static const char *const pi_names[] = {"-U",
                                       "-G",
                                       "-L",
                                       "--skip-os-set",
                                       "-X",
                                       "--env-var",
                                       "--sep-env-file",
                                       "--skip-hostname-set",
                                       "-l",
                                       "--non-interactive",
                                       "--delete-root-trust",
                                       "--unused-third-party",
                                       NULL};
static const struct omopt_action pi_action[] = {{NULL, pi_names}};

#define OPT(name) omopt_get(&p, pi_opts, ELEMENTSOF(pi_opts), name)

int preinstall_usage(int rc)
{
    /* GP:94-133, the same options; the text is ogup's */
    printf("\n"
           "gs_preinstall is a utility to create an installation environment for a cluster.\n"
           "\n"
           "Usage:\n"
           "    gs_preinstall -? | --help\n"
           "    gs_preinstall -V | --version\n"
           "    gs_preinstall -U USER -G GROUP -X XMLFILE\n"
           "      [-L]  [--skip-os-set] [--env-var=\"ENVVAR\" [...]]\n"
           "      [--sep-env-file=ENVFILE] [--skip-hostname-set] [-l LOGFILE]\n"
           "      [--non-interactive] [--delete-root-trust] [--unused-third-party]\n"
           "\n"
           "General options:\n"
           "    -U                                 Cluster user (it must exist).\n"
           "    -G                                 Group of the cluster user.\n"
           "    -X                                 Path of the XML configuration file.\n"
           "    -L                                 Only perform preinstallation on the local\n"
           "                                       node.\n"
           "        --skip-os-set                  Accepted; ogup sets no OS parameter.\n"
           "        --env-var=\"ENVVAR\"             NAME=value for the user's environment\n"
           "                                       file (repeatable).\n"
           "        --sep-env-file=ENVFILE         The user's environment goes to ENVFILE;\n"
           "                                       ~/.bashrc exports MPPDB_ENV_SEPARATE_PATH.\n"
           "        --skip-hostname-set            Accepted; ogup writes no /etc/hosts line.\n"
           "    -l                                 Path of log file.\n"
           "    -?, --help                         Show help information for this\n"
           "                                       utility, and exit the command line mode.\n"
           "    -V, --version                      Show version information.\n"
           "        --non-interactive              Accepted; ogup never prompts.\n"
           "        --delete-root-trust            Accepted; ogup creates no root trust.\n"
           "        --unused-third-party           Accepted; ogup bundles no third party.\n"
           "\n"
           "Run as root from the script/ directory of the extracted package: on every node\n"
           "(this one with -L) the kernel's directory <gaussdbAppPath>_<commit>, the package\n"
           "and the OM tools in gaussdbToolPath, GPHOME in the user's environment file.\n");
    return rc;
}

/* DefaultValue.checkPathVaild (Common.py:944-956, PATH_CHECK_LIST :321) */
static int check_path_valid(const char *v, struct og_error *err)
{
    static const char list[] = "|;&$<>`\\'\"{}()[]~*? !\n";

    if (v[strspn(v, " \t\n\r\f\v")] == '\0')
        return 0;
    if (strpbrk(v, list))
        return og_error_set(err, OG_E_OBTAIN_FAILED,
                            "Failed to obtain %s. There are illegal characters in the path.", v);
    return 0;
}

/* os.path.realpath, which also resolves a path that does not exist (PP:435) */
static void realpath_loose(const char *in, char *out, size_t size)
{
    char dir[PATH_MAX], base[PATH_MAX], real[PATH_MAX];

    if (realpath(in, real)) {
        snprintf(out, size, "%s", real);
        return;
    }
    snprintf(dir, sizeof(dir), "%s", in);
    snprintf(base, sizeof(base), "%s", in);
    if (realpath(dirname(dir), real))
        snprintf(out, size, "%s/%s", strcmp(real, "/") == 0 ? "" : real, basename(base));
    else
        snprintf(out, size, "%s", in);
}

/* CU:97-107 checkGroupParameter, GP:328 -X, GP:189-225 the user */
static int check_user(struct preinstall *pi, struct og_error *err)
{
    const char *u = pi->user ? pi->user : "", *g = pi->group ? pi->group : "";
    struct passwd *pw;
    struct group *gr;

    if (!g[0])
        return og_error_set(err, OG_E_PARAM_REQUIRED,
                            "Incorrect parameter. Parameter '-G' is required.");
    if (strcmp(u, "root") == 0 || strcmp(g, "root") == 0)
        return og_error_set(err, OG_E_ROOT_USER_GROUP,
                            "The cluster user/group cannot be a root user/group.User:Group[%s:%s].",
                            u, g);
    if (!pi->xml || !pi->xml[0])
        return og_error_set(err, OG_E_PARAM_REQUIRED,
                            "Incorrect parameter. Parameter '-X' is required.");
    if (!u[0])
        return og_error_set(err, OG_E_PARAM_REQUIRED,
                            "Incorrect parameter. Parameter '-U' is required.");
    if (strchr(u, ':'))
        return og_error_set(err, OG_E_PARAM_INVALID, "The parameter '-U' value is incorrect.");
    pw = getpwnam(u);
    if (pw && pw->pw_uid == 0)
        return og_error_set(err, OG_E_ROOT_PERMISSION,
                            "The cluster user cannot be a user with the root permission.");
    /* GP:210-214 with -L (DefaultValue.getUserId, Common.py:734-744); ogup
     * creates no user, so without -L too */
    if (!pw)
        return og_error_set(err, OG_E_USER_NOT_EXIST,
                            pi->local_only
                                ? "User %s does not exist.Detail msg: \"getpwnam(): name not "
                                  "found: '%s'\""
                                : "User %s does not exist.%.0s",
                            u, u);
    pi->uid = pw->pw_uid;
    pi->gid = pw->pw_gid;
    snprintf(pi->home, sizeof(pi->home), "%s", pw->pw_dir ? pw->pw_dir : "/");
    gr = getgrgid(pw->pw_gid);
    if (pi->local_only) { /* GP:217-225: the primary group by name */
        if (!gr || strcmp(gr->gr_name, g) != 0)
            return og_error_set(err, OG_E_USER_GROUP,
                                "The user is not matched with the user group.User:Group[%s:%s]", u,
                                g);
        return 0;
    }
    /* openGauss would create the group and put the user in it; ogup needs
     * both already: the group, the user in it by primary or supplementary
     * membership */
    gr = getgrnam(g);
    if (!gr)
        return og_error_set(err, OG_E_GROUP_NOT_EXIST, "Group [%s] does not exist.", g);
    if (gr->gr_gid == pw->pw_gid)
        return 0;
    for (char **m = gr->gr_mem; m && *m; m++)
        if (strcmp(*m, u) == 0)
            return 0;
    return og_error_set(err, OG_E_USER_GROUP,
                        "The user is not matched with the user group.User:Group[%s:%s]", u, g);
}

/* GP:252-261, then what PIU:1532-1535 refuses on the node (GAUSS-50000),
 * and a name bash can export (ogup's, before anything changes) */
static int check_env_vars(struct preinstall *pi, struct og_error *err)
{
    for (size_t i = 0; i < pi->n_env_vars; i++) {
        const char *v = pi->env_vars[i], *eq = strchr(v, '=');
        size_t n, k;

        if (strpbrk(v, "|;&$><`\\!\n"))
            return og_error_set(err, OG_E_PARAM_INVALID,
                                "The parameter '--env-var' value is incorrect. There are illegal "
                                "characters in the parameter.");
        if (!eq || strchr(eq + 1, '='))
            return cmdkit_unknown(err, v);
        v += strspn(v, " \t");
        n = (size_t)(eq - v);
        while (n && (v[n - 1] == ' ' || v[n - 1] == '\t'))
            n--;
        for (k = 0; k < n + (n == 0); k++)
            if (n == 0 || !(isalpha((unsigned char)v[k]) || v[k] == '_' ||
                            (k > 0 && isdigit((unsigned char)v[k]))))
                return og_error_set(err, OG_E_PARAM_INVALID,
                                    "The parameter '--env-var' value is incorrect. The name "
                                    "[%.*s] is not a variable name.",
                                    (int)n, v);
        eq++;
        eq += strspn(eq, " \t");
        k = strlen(eq);
        while (k && (eq[k - 1] == ' ' || eq[k - 1] == '\t'))
            k--;
        if (asprintf(&pi->env_norm[i], "%.*s=%.*s", (int)n, v, (int)k, eq) < 0) {
            pi->env_norm[i] = NULL;
            return og_error_set(err, OG_E_NOMEM, "--env-var");
        }
    }
    return 0;
}

/* The user's child: no way back to root */
static int drop_to_user(void *arg)
{
    const struct preinstall *pi = arg;

    if (initgroups(pi->user, pi->gid) < 0 || setgid(pi->gid) < 0 || setuid(pi->uid) < 0)
        return -1;
    return setuid(0) == 0 ? -1 : 0;
}

/* PF:153-185 check_env_file: /etc/profile and the file sourced without a
 * word of output -- as the cluster user (root sources no file a user may
 * write) */
static int check_env_sources(const struct preinstall *pi, struct og_error *err)
{
    const char *argv[] = {"/bin/bash", "--noprofile", "--norc", "-c", ". /etc/profile && . \"$1\"",
                          "bash",      pi->sep_env,   NULL};
    _cleanup_command_ struct command *c = command_new(argv);
    _cleanup_(command_result_donep) struct command_result res = {0};
    int r;

    if (!c || command_setenv(c, "HOME", pi->home) < 0 || command_setenv(c, "USER", pi->user) < 0)
        return og_error_set(err, OG_E_NOMEM, "env file check");
    command_set_child_hook(c, drop_to_user, (void *)pi);
    command_set_timeout_ms(c, 30000);
    r = command_run(c, &res, err);
    if (r < 0)
        return r;
    if (res.exit_status != 0 || res.out_len || res.err_len)
        return og_error_set(err, OG_E_ENV_FILE_ERRMSG,
                            "The env file contains errmsg: %.2000s%.2000s.Please check %s and "
                            "/etc/profile.",
                            res.out, res.err, pi->sep_env);
    return 0;
}

/* GP:275-309 checkMpprcFile (the path already absolute: PP:435) */
static int check_sep_env(const struct preinstall *pi, struct og_error *err)
{
    _cleanup_free_ char *text = NULL;
    char home[PATH_MAX + 8];
    struct stat st;
    int r;

    if (!pi->sep_env[0])
        return 0;
    if (lstat(pi->sep_env, &st) == 0 && S_ISLNK(st.st_mode))
        return og_error_set(err, OG_E_ROOT_GROUP_OR_LINK,
                            "The %s cannot be a root user group or a link.", pi->sep_env);
    snprintf(home, sizeof(home), "/home/%s", pi->user);
    if (strcmp(pi->sep_env, home) == 0)
        return og_error_set(err, OG_E_PARAM_INVALID,
                            "The parameter '--sep-env-file' value is incorrect. The file [%s] can "
                            "not be a reserved home directory.",
                            pi->sep_env);
    if (stat(pi->sep_env, &st) == 0 && S_ISDIR(st.st_mode))
        return og_error_set(err, OG_E_PARAM_INVALID,
                            "The parameter '--sep-env-file' value is incorrect. The file [%s] can "
                            "not be a directory.",
                            pi->sep_env);
    if (lstat(pi->sep_env, &st) < 0)
        return 0; /* made by the preinstall (PIU:310 prepareMpprcFile) */
    if (!S_ISREG(st.st_mode))
        return og_error_set(err, OG_E_MUST_BE_FILE, "The %s must be a file.", pi->sep_env);
    r = fs_read_file(pi->sep_env, PI_ENV_FILE_MAX, &text, NULL, err);
    if (r == 0)
        r = preinstall_env_text_check(text, err);
    return r < 0 ? r : check_env_sources(pi, err);
}

/* The options into pi (PP:65-68, 344-435) */
static int parse(struct preinstall *pi, int argc, char **argv, struct og_error *err)
{
    struct omopt_result p;
    int r = omopt_parse("preinstall", false, argc, argv, pi_opts, ELEMENTSOF(pi_opts), pi_action, 1,
                        &p, err);

    if (r < 0)
        return r;
    if (p.help)
        return preinstall_usage(0), 1;
    if (p.version)
        return om_version(PI_TOOL), 1;
    pi->user = OPT("-U");
    pi->group = OPT("-G");
    pi->xml = OPT("-X");
    pi->log = OPT("-l");
    pi->local_only = OPT("-L") != NULL;
    pi->skip_os_set = OPT("--skip-os-set") != NULL;
    pi->skip_hostname_set = OPT("--skip-hostname-set") != NULL;
    pi->non_interactive = OPT("--non-interactive") != NULL;
    pi->delete_root_trust = OPT("--delete-root-trust") != NULL;
    pi->unused_third_party = OPT("--unused-third-party") != NULL;
    pi->n_env_vars =
        omopt_get_all(&p, pi_opts, ELEMENTSOF(pi_opts), "--env-var", pi->env_vars, PI_ENV_VARS);
    if (pi->n_env_vars > PI_ENV_VARS)
        return og_error_set(err, OG_E_TOO_LARGE,
                            "The parameter '--env-var' is given more than %d times.", PI_ENV_VARS);
    if (OPT("--sep-env-file"))
        realpath_loose(OPT("--sep-env-file"), pi->sep_env, sizeof(pi->sep_env));
    /* GP:155, 174 */
    r = pi->user ? check_path_valid(pi->user, err) : 0;
    if (r == 0 && pi->sep_env[0])
        r = check_path_valid(pi->sep_env, err);
    return r;
}

/* The log, once -U names the cluster user: root writes only through
 * directories of root's or that user's (oglog's walk). -l must open; the
 * default $GAUSSLOG/om file is skipped with a warning when it may not. */
static int open_log(const struct preinstall *pi, struct og_error *err)
{
    struct og_error e = {0};
    char msg[OG_ERROR_DETAIL_MAX + 64];

    oglog_trust_user(pi->uid);
    if (pi->log)
        return oglog_open(PI_TOOL, pi->log, err);
    if (oglog_open(PI_TOOL, NULL, &e) < 0)
        log_warn("preinstall", "%s", og_error_format(&e, msg, sizeof(msg)));
    return 0;
}

int preinstall_args(struct preinstall *pi, int argc, char **argv, struct og_error *err)
{
    char host[256] = "";
    int r;

    if (geteuid() != 0) /* GP:517-518 */
        return og_error_set(err, OG_E_ONLY_ROOT,
                            "Only a user with the root permission can run this script.");
    r = parse(pi, argc, argv, err);
    if (r != 0)
        return r;
    r = check_user(pi, err);
    if (r == 0)
        r = clusterconfig_load(pi->xml, &pi->cfg, err);
    if (r == 0 && gethostname(host, sizeof(host) - 1) < 0)
        r = og_error_set_errno(err, OG_E_INSTANCE_INFO, errno, "gethostname");
    if (r == 0 && !(pi->local = clusterconfig_find_node(&pi->cfg, host))) /* GP:335-339 */
        r = og_error_set(err, OG_E_INSTANCE_INFO,
                         "Failed to obtain local instance information. It is not a host name %s.",
                         host);
    if (r == 0)
        r = check_env_vars(pi, err);
    if (r == 0)
        r = check_sep_env(pi, err);
    if (r == 0) /* GP:263-272; the first file written */
        r = open_log(pi, err);
    return r;
}
