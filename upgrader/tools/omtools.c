/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * What the OM tools share, and gs_ssh (ogom.c picks the tool by the name
 * it is called by), installed in $GPHOME/script:
 *   gs_ssh -c "command" (gs_om is gsom.c)
 * The cluster is the one installed: $GAUSSHOME/bin/cluster_static_config.
 * Remote work goes through the SSH transport (host keys checked, argv quoted
 * by the one quoting function); this node's own work runs locally.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "clusterstatus.h"
#include "fs.h"
#include "journal.h"
#include "command.h"
#include "oglog.h"
#include "staticconfig.h"
#include "transport.h"
#include "versioncfg.h"
#include "omopt.h"
#include "omtools.h"
#include "precheck.h"
#include "banned.h"

/* Log the error once, where the command decides; the exit: 1, as every
 * OM tool's GaussLog.exitWithError (GaussLog.py v5.0.0 :446-454; nothing
 * calls ErrorCode.getErrorCodeAsInt) */
int om_fail(const char *tool, int rc, const struct og_error *err)
{
    char msg[OG_ERROR_DETAIL_MAX + 64];

    (void)tool;
    log_error("om", "%s", og_error_format(err, msg, sizeof(msg)));
    return rc < 0 ? 1 : 0;
}

/* $GAUSSHOME etc. must be set (GAUSS-51800), the cluster loaded, and a
 * transport with every node. */
int om_open_cluster(struct cluster_config *cfg, struct transport **t, struct og_error *err)
{
    const char *vars[] = {"GAUSSHOME", "GPHOME", "PGHOST", "GAUSS_ENV", NULL};
    char path[PATH_MAX];
    int r;

    for (size_t i = 0; vars[i]; i++) {
        const char *v = getenv(vars[i]);
        if (!v || !v[0])
            return og_error_set(err, OG_E_ENV_EMPTY, "The environmental variable %s is empty.",
                                vars[i]);
    }
    snprintf(path, sizeof(path), "%s/bin/cluster_static_config", getenv("GAUSSHOME"));
    r = staticconfig_read(path, cfg, err);
    if (r < 0)
        return r;
    r = transport_new(NULL, t, err);
    for (size_t i = 0; r == 0 && i < cfg->n_nodes; i++)
        r = transport_add_node(*t, cfg->nodes[i].name, cfg->nodes[i].back_ip, 22, err);
    return r;
}

int om_help_version(const char *tool, int argc, char **argv, int (*usage)(int rc))
{
    bool help = false, version = false;

    for (int i = 1; i < argc; i++) {
        help |= strcmp(argv[i], "-?") == 0 || strcmp(argv[i], "--help") == 0;
        version |= strcmp(argv[i], "-V") == 0 || strcmp(argv[i], "--version") == 0;
    }
    if (help)
        return usage(0);
    return version ? om_version(tool) : -1;
}

int om_package_version(struct version_cfg *v, char *when, size_t when_size)
{
    char exe[PATH_MAX], cfg[PATH_MAX + 32];
    struct stat st;
    struct tm tm;
    ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    char *slash;

    if (n <= 0)
        return -OG_E_NOT_EXIST;
    exe[n] = '\0';
    if ((slash = strrchr(exe, '/')))
        *slash = '\0';
    snprintf(cfg, sizeof(cfg), "%s/../version.cfg", exe);
    if (version_cfg_read(cfg, v, NULL) < 0 || stat(cfg, &st) < 0 || !gmtime_r(&st.st_mtime, &tm))
        return -OG_E_NOT_EXIST;
    if (when)
        strftime(when, when_size, "%Y-%m-%d %H:%M:%S", &tm);
    return 0;
}

/* PP:250 printVersionInfo with build.sh's COMMON_VERSION: "<tool> (openGauss
 * OM <version> build <commit>) compiled at <time> commit 0 last mr" (echo
 * collapses the empty MR id's spaces). The version and commit are those of
 * the package the running tool was installed from, the time when the package
 * was made (that file's time); a tool outside a package names ogup. */
int om_version(const char *tool)
{
    char when[32];
    struct version_cfg v;

    if (om_package_version(&v, when, sizeof(when)) == 0)
        printf("%s (openGauss OM %s build %s) compiled at %s commit 0 last mr\n", tool, v.version,
               v.commit, when);
    else
        printf("%s (ogup OM tools, not from a package) compiled at %s %s\n", tool, __DATE__,
               __TIME__);
    return 0;
}

static int usage_gs_ssh(int rc)
{
    printf("\ngs_ssh is a utility to execute one command on all openGauss cluster nodes.\n\n"
           "Usage:\n  gs_ssh -? | --help\n  gs_ssh -V | --version\n  gs_ssh -c COMMAND\n\n"
           "General options:\n"
           "  -c=COMMAND                     Command to be executed on all nodes\n"
           "                                 (its first word must be a program on every node).\n"
           "  -?, --help                     Show help information for this utility,\n"
           "                                 and exit the command line mode.\n"
           "  -V, --version                  Show version information.\n");
    return rc;
}

static const struct omopt ssh_opts[] = {
    OMOPT("-?", false, OMOPT_PLAIN), OMOPT("--help", false, OMOPT_PLAIN),
    OMOPT("-V", false, OMOPT_PLAIN), OMOPT("--version", false, OMOPT_PLAIN),
    OMOPT("-c", true, OMOPT_PLAIN),
};
static const char *const ssh_names[] = {"-c", NULL};
static const struct omopt_action ssh_action[] = {{NULL, ssh_names}};

/* Each node's env file, then the operator's command in bash (openGauss's
 * gs_ssh writes it into a script run by sh); one argv element, quoted by
 * the transport. */
static void ssh_run(struct transport *t, const struct cluster_config *cfg, const char *cmd,
                    struct command_result *res, struct og_error *errs)
{
    _cleanup_free_ char *script = NULL;
    const char *nodes[CLUSTER_MAX_NODES];
    struct transport_run_opts o = {.timeout_ms = 10 * 60 * 1000};

    memset(res, 0, sizeof(*res) * CLUSTER_MAX_NODES);
    memset(errs, 0, sizeof(*errs) * CLUSTER_MAX_NODES);
    for (size_t i = 0; i < cfg->n_nodes; i++)
        nodes[i] = cfg->nodes[i].name;
    if (asprintf(&script, OM_USER_ENV "%s", cmd) < 0) {
        for (size_t i = 0; i < cfg->n_nodes; i++)
            og_error_set(&errs[i], OG_E_NOMEM, "command");
        return;
    }
    {
        const char *argv2[] = {"bash", "-c", script, NULL};
        transport_run_all(t, nodes, cfg->n_nodes, argv2, &o, res, errs);
    }
}

/* gs_ssh:152-166: `which <first word>` on every node first (52403 names
 * the nodes where it is not, each followed by a space); the word travels as
 * bash's $1, quoted by the transport */
static int ssh_check_command(struct transport *t, const struct cluster_config *cfg, const char *cmd,
                             struct og_error *err)
{
    struct command_result res[CLUSTER_MAX_NODES];
    struct og_error errs[CLUSTER_MAX_NODES];
    char first[256], missing[CLUSTER_MAX_NODES * 80] = "";
    const char *nodes[CLUSTER_MAX_NODES];
    const char *skip = cmd + strspn(cmd, " \t");
    size_t n = strcspn(skip, " \t;&|");
    const char *argv[] = {"bash", "-c",  OM_USER_ENV "which -- \"$1\" >/dev/null 2>&1",
                          "bash", first, NULL};
    struct transport_run_opts o = {.timeout_ms = 60 * 1000};

    snprintf(first, sizeof(first), "%.*s", (int)(n < sizeof(first) ? n : sizeof(first) - 1), skip);
    memset(res, 0, sizeof(res));
    memset(errs, 0, sizeof(errs));
    for (size_t i = 0; i < cfg->n_nodes; i++)
        nodes[i] = cfg->nodes[i].name;
    transport_run_all(t, nodes, cfg->n_nodes, argv, &o, res, errs);
    for (size_t i = 0; i < cfg->n_nodes; i++) {
        if (errs[i].code || res[i].exit_status != 0)
            snprintf(missing + strlen(missing), sizeof(missing) - strlen(missing), "%s ",
                     cfg->nodes[i].name);
        command_result_done(&res[i]);
    }
    if (missing[0])
        return og_error_set(err, OG_E_CMD_NOT_FOUND,
                            "Command \"%s\" does not exist or the user has no execute permission "
                            "on %s.",
                            first, missing);
    return 0;
}

/* gs_ssh:188-211 and SshTool.py:282-314: the verdict, "Output:", each
 * node's [SUCCESS]/[FAILURE] block; exit 0 whatever the nodes did (:249) */
int tool_gs_ssh(int argc, char **argv)
{
    _cleanup_transport_ struct transport *t = NULL;
    struct cluster_config cfg;
    struct og_error err = {0};
    struct omopt_result p;
    const char *cmd;
    struct command_result res[CLUSTER_MAX_NODES];
    struct og_error errs[CLUSTER_MAX_NODES];
    char ok_nodes[CLUSTER_MAX_NODES * 80] = "", bad_nodes[CLUSTER_MAX_NODES * 80] = "";
    size_t n_ok = 0;
    int r = precheck_not_root(NULL, &err); /* gs_ssh:240, before the options */

    if (r == 0)
        r = omopt_parse("ssh", false, argc, argv, ssh_opts, ELEMENTSOF(ssh_opts), ssh_action, 1, &p,
                        &err);
    if (r < 0)
        return om_fail("gs_ssh", r, &err);
    if (p.help)
        return usage_gs_ssh(0);
    if (p.version)
        return om_version("gs_ssh");
    cmd = omopt_get(&p, ssh_opts, ELEMENTSOF(ssh_opts), "-c");
    if (!cmd || !cmd[0])
        return om_fail("gs_ssh",
                       og_error_set(&err, OG_E_PARAM_REQUIRED,
                                    "Incorrect parameter. Parameter '-c' is required."),
                       &err);
    r = om_open_cluster(&cfg, &t, &err);
    if (r == 0)
        r = ssh_check_command(t, &cfg, cmd, &err);
    if (r < 0)
        return om_fail("gs_ssh", r, &err);
    ssh_run(t, &cfg, cmd, res, errs);
    for (size_t i = 0; i < cfg.n_nodes; i++) {
        bool ok = !errs[i].code && res[i].exit_status == 0;
        char *list = ok ? ok_nodes : bad_nodes;
        n_ok += ok;
        snprintf(list + strlen(list), sizeof(ok_nodes) - strlen(list), "%s ", cfg.nodes[i].name);
    }
    if (n_ok == cfg.n_nodes)
        printf("Successfully execute command on all nodes.\n");
    else if (n_ok == 0)
        printf("Failed to execute command on all nodes.\n");
    else
        printf("Failed to execute command on %s.\nSuccessfully execute command on %s.\n", bad_nodes,
               ok_nodes);
    printf("\nOutput:\n");
    if (n_ok < cfg.n_nodes)
        printf("[GAUSS-51400] : Failed to execute the command: %s. Error:\n", cmd);
    for (size_t i = 0; i < cfg.n_nodes; i++) {
        char msg[OG_ERROR_DETAIL_MAX + 64];
        bool ok = !errs[i].code && res[i].exit_status == 0;
        printf("[%s] %s:\n", ok ? "SUCCESS" : "FAILURE", cfg.nodes[i].name);
        if (errs[i].code)
            printf("%s\n", og_error_format(&errs[i], msg, sizeof(msg)));
        else
            printf("%s%s", res[i].out, res[i].err);
        command_result_done(&res[i]);
    }
    if (n_ok < cfg.n_nodes)
        printf(".\n");
    return 0;
}
