/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * omtools.h - what the OM tools (one multi-call program, ogom.c) share.
 * One tool = one tool_<name>() main in its own .c, listed in ogom.c's table
 * and linked in the OM tarball (simulator/package/package.c om_links).
 */
#pragma once

#include "clusterconfig.h"
#include "ogerror.h"
#include "transport.h"

#define RULE "========================================="

/* The start of every shell line the tools run on a node: the cluster user's
 * environment as openGauss reads it (EnvUtil, SOURCE-ROWS G8): ~/.bashrc,
 * then $MPPDB_ENV_SEPARATE_PATH when it names a file (gs_preinstall
 * --sep-env-file). */
#define OM_USER_ENV                                                                                \
    "[ -f ~/.bashrc ] && . ~/.bashrc >/dev/null 2>&1; "                                            \
    "[ -n \"$MPPDB_ENV_SEPARATE_PATH\" ] && [ -f \"$MPPDB_ENV_SEPARATE_PATH\" ] && "               \
    ". \"$MPPDB_ENV_SEPARATE_PATH\" >/dev/null 2>&1; "

struct om_tool {
    const char *name;
    int (*main)(int argc, char **argv);
};

int tool_gs_om(int argc, char **argv);
int tool_gs_ssh(int argc, char **argv);
int tool_gs_upgradectl(int argc, char **argv);
int tool_gs_checkos(int argc, char **argv);
int tool_gs_collector(int argc, char **argv);
int tool_gs_preinstall(int argc, char **argv);

/* Log err once and return the tool's exit code: 1 on failure, as every OM
 * tool's GaussLog.exitWithError. */
int om_fail(const char *tool, int rc, const struct og_error *err);
/* -V / --version: "<tool> (openGauss OM 5.0.0 build a07d57c3) compiled at ... commit 0
 * last mr" from the package the tool belongs to; exit status 0. */
int om_version(const char *tool);
/* The version.cfg of the OM package the running tool came from
 * (<GPHOME>/script/<tool> -> <GPHOME>/version.cfg), with its time in *when
 * (may be NULL); -OG_E_NOT_EXIST when the tool is not in a package. */
struct version_cfg;
int om_package_version(struct version_cfg *v, char *when, size_t when_size);
/* openGauss's order (PP:268-274): -?/--help anywhere prints usage(0) and wins;
 * else -V/--version anywhere prints the version; both return the exit
 * status; -1 when neither was given. */
int om_help_version(const char *tool, int argc, char **argv, int (*usage)(int rc));

/* $GAUSSHOME, $GPHOME, $PGHOST, $GAUSS_ENV set (GAUSS-51800), the installed
 * cluster loaded from $GAUSSHOME/bin/cluster_static_config, and a transport
 * with every node (port 22, ~/.ssh keys and known_hosts). */
int om_open_cluster(struct cluster_config *cfg, struct transport **t, struct og_error *err);
