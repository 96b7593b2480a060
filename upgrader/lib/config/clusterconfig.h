/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * clusterconfig.h - openGauss's cluster configuration file (clusterconfig.xml,
 * the "-X" file of gs_preinstall, gs_install, gs_om and gs_upgradectl):
 *
 *   <ROOT><CLUSTER><PARAM name="clusterName" value="dbCluster"/>...</CLUSTER>
 *         <DEVICELIST><DEVICE sn="node1"><PARAM name="name" value="node1"/>...
 *         </DEVICE>...</DEVICELIST></ROOT>
 *
 * ogup models the single-inst primary/standby cluster: one DEVICE carries
 * dataNum=1, dataPortBase and dataNode1="<dir>,<host2>,<dir2>[,<host3>,<dir3>..]";
 * every node hosts exactly one datanode (the primary or one standby of
 * dataNode1).
 *
 * Loading is three passes, each with its own error:
 *  1. size (at most CLUSTERCONFIG_MAX_BYTES: OGUP-60003) and well-formed XML
 *     without a DTD (OGUP-60060);
 *  2. the RelaxNG schema clusterconfig.rng, embedded in the library
 *     (OGUP-60060; the detail is "file:line: element PARAM: message");
 *  3. the rules RelaxNG cannot express, in C, with "file:line: " in the detail:
 *     - a duplicate PARAM, a missing required PARAM      -> OGUP-60060
 *     - one value that is wrong (not an IPv4 address, port outside
 *       1024..65534, relative path or illegal path character, bad name,
 *       bad integer, unsupported clusterType/enable_dcf/enable_dss)
 *                                                         -> GAUSS-50011
 *     - values that disagree with each other (nodeNames vs the DEVICE names,
 *       backIp1s vs the backIp1s of the DEVICEs, a name or IP used twice,
 *       not exactly one DEVICE with dataNode1, a node without a datanode,
 *       data parameters on a DEVICE without dataNode1)    -> GAUSS-50004
 *     - dataNode1 names a host that is not a DEVICE       -> GAUSS-51619
 *  A missing file is GAUSS-50201.
 *
 * Required CLUSTER params: clusterName, nodeNames, gaussdbAppPath,
 * gaussdbLogPath, tmpMppdbPath, gaussdbToolPath, corePath, backIp1s; optional
 * clusterType (only "single-inst"). Required DEVICE params: name, azName,
 * azPriority (1..10), backIp1; optional sshIp1 (defaults to backIp1),
 * cascadeRole (on|off, standbys only). On the primary's DEVICE: dataNum (=1),
 * dataPortBase, dataNode1; optional dataNode1_syncNum, dataListenIp1,
 * dataHaIp1 (one IPv4 per datanode, in dataNode1 order; default: each node's
 * backIp1). The other names of openGauss's vocabulary (CM, DCF/DSS/UWAL,
 * float IPs, streaming DR, xlog path...) are accepted and not modelled;
 * clusterconfig_format() does not write them back.
 */
#pragma once

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#include "dynbuf.h"
#include "ogerror.h"

#define CLUSTER_MAX_NODES       64
#define CLUSTER_MAX_STANDBYS    8 /* openGauss: "be less than 9" */
#define CLUSTERCONFIG_MAX_BYTES (1024 * 1024)
#define CLUSTER_NAME_MAX        64

/* openGauss DN instance ids and types (DbClusterInfo.py). */
#define CLUSTER_BASE_ID_DATANODE 6001
enum cluster_inst_type {
    CLUSTER_INST_PRIMARY = 0, /* MASTER_INSTANCE */
    CLUSTER_INST_STANDBY = 1, /* STANDBY_INSTANCE */
    CLUSTER_INST_CASCADE = 3, /* CASCADE_STANDBY (cascadeRole=on) */
};

struct cluster_node {
    char name[CLUSTER_NAME_MAX];    /* hostname, DEVICE PARAM name */
    char back_ip[CLUSTER_NAME_MAX]; /* backIp1 */
    char ssh_ip[CLUSTER_NAME_MAX];  /* sshIp1 (backIp1 when absent) */
    char az_name[CLUSTER_NAME_MAX];
    int az_priority;
    /* The node's datanode. */
    bool primary;      /* instance_type == CLUSTER_INST_PRIMARY */
    int instance_type; /* enum cluster_inst_type */
    char datadir[PATH_MAX];
    int port;                         /* dataPortBase; the HA port is port + 1 */
    int instance_id;                  /* 6001 primary, 6002.. standbys in dataNode1 order */
    int mirror_id;                    /* 1: the one primary/standby group */
    char listen_ip[CLUSTER_NAME_MAX]; /* dataListenIp1 entry, else back_ip */
    char ha_ip[CLUSTER_NAME_MAX];     /* dataHaIp1 entry, else back_ip */
};

struct cluster_config {
    char name[CLUSTER_NAME_MAX]; /* clusterName */
    char app_path[PATH_MAX];     /* gaussdbAppPath = $GAUSSHOME (a symlink) */
    char log_path[PATH_MAX];     /* gaussdbLogPath = $GAUSSLOG */
    char tmp_path[PATH_MAX];     /* tmpMppdbPath = $PGHOST */
    char tool_path[PATH_MAX];    /* gaussdbToolPath = $GPHOME */
    char core_path[PATH_MAX];    /* corePath */
    char cluster_type[32];       /* clusterType as written ("" when absent) */
    int sync_num;                /* dataNode1_syncNum, -1 when absent */
    int port;                    /* the datanodes' port (dataPortBase) */
    size_t n_nodes;              /* nodes in nodeNames order */
    struct cluster_node nodes[CLUSTER_MAX_NODES];
};

/* Read, validate and interpret a clusterconfig.xml. *ret is written only on
 * success. Codes: see the header comment. */
int clusterconfig_load(const char *path, struct cluster_config *ret, struct og_error *err);

/* The same from memory; origin names the text in error details. */
int clusterconfig_parse_memory(const char *xml, size_t len, const char *origin,
                               struct cluster_config *ret, struct og_error *err);

/* Append a clusterconfig.xml describing c (which clusterconfig_parse_memory
 * reads back to an equal struct). Standbys are written to dataNode1 in
 * instance_id order. 0, -OG_E_INVALID_ARG (no nodes, too many, not exactly
 * one primary, a value with a control character) or a dynbuf error. */
int clusterconfig_format(const struct cluster_config *c, struct dynbuf *out);

/* The node called name, or NULL. */
const struct cluster_node *clusterconfig_find_node(const struct cluster_config *c,
                                                   const char *name);

/* The node hosting the primary datanode, or NULL. */
const struct cluster_node *clusterconfig_primary(const struct cluster_config *c);

/* The schema: the source file the build embedded (for humans and xmllint; the
 * library never reads it) and the embedded text itself. */
const char *clusterconfig_schema_path(void);
const char *clusterconfig_schema_text(size_t *ret_len);
