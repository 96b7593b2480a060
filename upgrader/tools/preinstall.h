/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * preinstall.h - what the three parts of gs_preinstall share:
 *   preinstall.c       the tool: the package, the tar stream, the coordinator
 *   preinstall_args.c  the command line and its checks, in openGauss's order
 *   preinstall_env.c   the node-local worker (`gs_preinstall --local VERB`):
 *                      the app directory and the user's env file
 * openGauss-OM v5.0.0: script/gs_preinstall ("GP"), ParameterParsecheck.py
 * ("PP"), impl/preinstall/PreinstallImpl.py, local/PreInstallUtility.py
 * ("PIU").
 */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include "clusterconfig.h"
#include "ogerror.h"
#include "versioncfg.h"

#define PI_TOOL         "gs_preinstall"
#define PI_ENV_VARS     32 /* --env-var values kept */
#define PI_PKG_FILES    64
#define PI_ENV_FILE_MAX (1024u * 1024)

struct preinstall {
    const char *user, *group, *xml, *log;
    char sep_env[PATH_MAX]; /* --sep-env-file, resolved as os.path.realpath; "" if none */
    const char *env_vars[PI_ENV_VARS]; /* --env-var values, in order */
    char *env_norm[PI_ENV_VARS];       /* each as NAME=value, blanks stripped (PIU:1535) */
    size_t n_env_vars;
    bool local_only;         /* -L */
    bool skip_os_set;        /* --skip-os-set: accepted; ogup sets no OS parameter */
    bool skip_hostname_set;  /* --skip-hostname-set: accepted; ogup writes no /etc/hosts */
    bool non_interactive;    /* --non-interactive: ogup never prompts */
    bool delete_root_trust;  /* --delete-root-trust: ogup creates no root trust */
    bool unused_third_party; /* --unused-third-party: ogup bundles no third party */
    uid_t uid;
    gid_t gid;
    char home[PATH_MAX];    /* the user's */
    char pkg_dir[PATH_MAX]; /* script/.. of this program */
    struct cluster_config cfg;
    const struct cluster_node *local;
    struct version_cfg ver; /* the new version (the kernel's version.cfg) */
    char version_text[256];
    char *files[PI_PKG_FILES]; /* package files with a .sha256, and those */
    size_t n_files;
};

/* preinstall_args.c: the options (omopt) and every check of GP:517-347 in
 * its order; nothing is changed anywhere. 1: done (help, version); 0: go
 * on; < 0: err set (the caller prints it, exit 1). */
int preinstall_args(struct preinstall *pi, int argc, char **argv, struct og_error *err);
int preinstall_usage(int rc);

/* preinstall_env.c: `gs_preinstall --local VERB ARGS` as the cluster user. */
int preinstall_local(int argc, char **argv);
/* ProfileFile.checkMpprcFileChange (profile_file.py:83-140) on text: every
 * line an export or naming a known variable, none of | ; & < > ` \ !. */
int preinstall_env_text_check(const char *text, struct og_error *err);
/* Root's tool environment in /etc/profile on this node, as openGauss's
 * setToolEnv (PIU v5.0.0 :1544-1646, run as root, ETC_PROFILE when there is
 * no --sep-env-file): GPHOME and $GPHOME/script in PATH, the rest kept, an
 * unchanged file not rewritten; a link is refused (GAUSS-51251). */
int preinstall_root_profile(const char *gphome, struct og_error *err);
