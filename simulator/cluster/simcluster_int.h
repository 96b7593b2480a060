/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * simcluster_int.h - the simulated cluster's inside, shared by simcluster.c
 * (state, node directories, commands on the nodes, status),
 * simcluster_topo.c (the plan, the cluster's files), simcluster_node.c (a
 * node prepared, made and started), simcluster_up.c (up, down, the
 * instances) and simcluster_snap.c (start/stop all, snapshot, restore,
 * power).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "command.h"
#include "ogerror.h"
#include "simcluster.h"
#include "simdriver.h"

#define VM_INITRD "vm-initrd.img" /* in the state dir: the QEMU nodes' initramfs */

/* A job run on node i of c (simcluster_for_each_node). */
typedef int (*node_job_fn)(struct simdriver *d, const struct sim_cluster *c, size_t i,
                           const char *arg, struct og_error *err);

/* simcluster.c */
/* The uid and gid of omm (-OG_E_USER_NOT_EXIST without one). */
int simcluster_omm_ids(uid_t *uid, gid_t *gid, struct og_error *err);
/* $state_dir/state.json, replaced as a whole. */
int simcluster_save_state(const struct sim_cluster *c, struct og_error *err);
/* $state_dir/nodes/<node>/sub ("" for the node's directory itself). */
void simcluster_node_dir(const struct sim_cluster *c, size_t i, const char *sub, char *buf,
                         size_t size);
void simcluster_host_path(const struct sim_cluster *c, size_t i, const char *node_path, char *buf,
                          size_t size);
/* path without its last component (unchanged when its only '/' leads). */
void simcluster_parent_of(const char *path, char *buf, size_t size);
/* argv on node i as omm (or root) with the openGauss environment. */
int simcluster_exec_on(struct simdriver *d, const struct sim_cluster *c, size_t i, bool as_root,
                       const char *const *argv, int timeout_ms, struct command_result *res,
                       struct og_error *err);
int simcluster_exec_as(struct simdriver *d, const struct sim_cluster *c, size_t i, bool as_root,
                       const char *const *argv, struct og_error *err);
/* simcluster_exec_as() as omm. */
int simcluster_exec_ok(struct simdriver *d, const struct sim_cluster *c, size_t i,
                       const char *const *argv, struct og_error *err);
int simcluster_open_node(const struct sim_cluster *c, const char *name, struct simdriver **d,
                         size_t *ret, struct og_error *err);
int simcluster_for_each_node(const struct sim_cluster *c, size_t from, node_job_fn fn,
                             const char *arg, struct og_error *err);
/* With $OGSIM_TRACE: what, and the ms since t0, on stderr. */
void simcluster_trace(const char *what, long long t0);

/* simcluster_topo.c */
/* The cluster's names, addresses and paths: generated, or o->xml's. */
int simcluster_plan(const struct sim_up_opts *o, struct sim_cluster *c, struct og_error *err);
int simcluster_write_cluster_files(const struct sim_cluster *c, const char *xml_in,
                                   struct og_error *err);

/* simcluster_node.c */
/* Node i's directories, install root and data filesystem on the host. */
int simcluster_prepare_node(const struct sim_cluster *c, size_t i, const char *pkg_dir,
                            struct og_error *err);
int simcluster_setup_ssh(const struct sim_cluster *c, struct og_error *err);
/* omm's and root's shell profiles on every node. */
int simcluster_write_env(const struct sim_cluster *c, struct og_error *err);
/* Whether the nodes are QEMU VMs. */
bool simcluster_is_vm(const struct sim_cluster *c);
int simcluster_start_node(struct simdriver *d, const struct sim_cluster *c, size_t i,
                          struct og_error *err);
