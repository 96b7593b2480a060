/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * simcluster.h - a simulated openGauss cluster: libvirt nodes on an isolated
 * network, each with sshd, the omm user with SSH trust, an installed
 * package, and one instance (a primary, the rest standbys).
 *
 * Host-side state lives in $OGSIM_STATE_DIR (default /var/lib/ogsim)/<name>/:
 *   state.json        the cluster (written before anything is created, so
 *                     `down` can always clean up, also after a crash)
 *   packages/         the package built for the version
 *   ssh/              the harness's key and known_hosts (host -> nodes)
 *   hosts             the nodes' /etc/hosts
 *   nodes/<node>/     install/ (-> the install root), home/ (-> /home/omm),
 *                     tmp/ (-> /tmp), sshd/ (host key, sshd_config, read by
 *                     the node through the read-only host root), data.img
 *                     (the size-limited data filesystem, loop-mounted)
 *   snapshots/<snap>/ copies of every node's dirs and image
 */
#pragma once

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#include "command.h"
#include "dynbuf.h"
#include "ogerror.h"

#define SIM_MAX_NODES 64 /* node IPs .11-.74 of the cluster's /24 */

/* What a node holds. Full: the package installed, a data filesystem and
 * one database instance. Light (simlight.c): the same root, users, sshd and
 * SSH trust, the package and the cluster's files, but no data filesystem
 * and no instance (no gs_initdb, builds or databases): many nodes fit on a
 * small host, for what needs only SSH (the transport's fan-out). */
enum sim_shape {
    SIM_SHAPE_FULL = 0,
    SIM_SHAPE_LIGHT,
};

struct sim_node {
    char name[64];
    char ip[16];
    char mac[18];
    char veth[16];
    char domain[64];
    bool primary;
};

struct sim_cluster {
    char name[32];
    char driver[16];
    char uri[256];
    char version[16];
    enum sim_shape shape;
    char state_dir[PATH_MAX];
    char net_name[64];
    char bridge[16];
    char host_ip[16];
    int prefix;
    int port;
    unsigned data_mib;
    int databases;
    /* node-side paths (as in clusterconfig.xml) */
    char install_root[PATH_MAX]; /* bind-mounted per node */
    char app_path[PATH_MAX];     /* $GAUSSHOME (a symlink to app_<commit>) */
    char log_path[PATH_MAX];     /* $GAUSSLOG */
    char tmp_path[PATH_MAX];     /* $PGHOST */
    char tool_path[PATH_MAX];    /* $GPHOME */
    char core_path[PATH_MAX];
    char data_mount[PATH_MAX]; /* where the data filesystem is mounted */
    char datadir[PATH_MAX];    /* the instance's data directory */
    size_t n_nodes;
    struct sim_node nodes[SIM_MAX_NODES];
};

struct sim_up_opts {
    const char *name;    /* default "ogsim" */
    const char *xml;     /* clusterconfig.xml, or NULL to generate */
    int nodes;           /* without xml; default 3 */
    const char *version; /* required */
    const char *driver;  /* "lxc" */
    const char *uri;     /* NULL: the driver's default */
    unsigned data_mib;   /* default 512 */
    int databases;       /* user databases with sample data; default 2 */
    enum sim_shape shape;
    bool quiet;
};

/* The host-side state root. */
const char *sim_state_root(void);

/* A cluster or snapshot name: 1-20 of a-z, 0-9 and '-', not leading '-'
 * (joined to state directories that root writes: never a path). */
bool sim_valid_name(const char *s);

/* "full" / "light"; parse: -OG_E_PARAM_VALUE for anything else. */
const char *sim_shape_name(enum sim_shape s);
int sim_shape_parse(const char *s, enum sim_shape *ret, struct og_error *err);
/* 0 when c has database instances, else -OG_E_SIM_NO_INSTANCE naming what
 * needed one. */
int sim_require_instance(const struct sim_cluster *c, const char *what, struct og_error *err);
/* Whether an SSH server greets on ip:22 ("SSH-2.0-...") within timeout_ms. */
bool sim_sshd_answers(const char *ip, int timeout_ms);

int sim_up(const struct sim_up_opts *o, struct sim_cluster *ret, struct og_error *err);
/* Remove everything of cluster name (domains, network, files); idempotent;
 * works without a state file too (by libvirt name prefix). */
int sim_down(const char *name, const char *uri, struct og_error *err);
int sim_load(const char *name, struct sim_cluster *ret, struct og_error *err);
/* Names of the clusters with state on this host, one per line. */
int sim_list(struct dynbuf *out, struct og_error *err);

/* Run argv on node as user ("omm" or "root") with the openGauss environment. */
int sim_exec(const struct sim_cluster *c, const char *node, const char *user,
             const char *const *argv, int timeout_ms, struct command_result *res,
             struct og_error *err);

/* Status: per node IP, domain state, role, db_state, version; cluster_state
 * computed the openGauss way (reference §7). A light cluster: role "-",
 * db_state "absent", whether sshd answers, cluster_state "absent". */
int sim_status(const struct sim_cluster *c, bool json, struct dynbuf *out, struct og_error *err);

/* Snapshot, restore and the instances' start/stop need a full cluster. */
int sim_snapshot(const struct sim_cluster *c, const char *snap, struct og_error *err);
int sim_restore(const struct sim_cluster *c, const char *snap, struct og_error *err);

/* Power a node off (the domain is destroyed: a crash, not a clean
 * shutdown) or on (created again; returns once its sshd answers). The
 * instance is not started. */
int sim_node_power(const struct sim_cluster *c, const char *node, bool on, struct og_error *err);

/* Start / stop every instance (primary first on start). */
int sim_db_start_all(const struct sim_cluster *c, struct og_error *err);
int sim_db_stop_all(const struct sim_cluster *c, struct og_error *err);

/* The conninfo hosts list "ip1,ip2,..." and the port, for clients. */
void sim_hosts_csv(const struct sim_cluster *c, char *buf, size_t size);
