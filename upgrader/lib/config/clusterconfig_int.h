/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * Internal to clusterconfig: what clusterconfig.c (passes 1 and 2, the tree
 * into PARAM tables, clusterconfig_parse_memory) and clusterconfig_check.c
 * (pass 3: the values and how they agree) share.
 */
#pragma once

#include "cleanup.h"
#include "clusterconfig.h"
#include "ogerror.h"

/* ---- the parse state ------------------------------------------------------ */

#define MAX_PARAMS 64 /* PARAMs per CLUSTER or DEVICE (the vocabulary has ~30) */

struct xparam {
    char *name;  /* @name */
    char *value; /* @value, leading/trailing blanks stripped (openGauss strips) */
    int line;
};

struct xparams {
    int line; /* of the CLUSTER / DEVICE element */
    size_t n;
    struct xparam v[MAX_PARAMS];
};

struct parse {
    const char *origin;
    struct og_error *err;
    struct xparams cluster;
    size_t n_dev;
    struct xparams dev[CLUSTER_MAX_NODES];
    int dev_of_node[CLUSTER_MAX_NODES]; /* node index -> dev index */
    struct cluster_config cfg;
};

/* The PARAM called name in ps, or NULL. */
const struct xparam *clusterconfig_get(const struct xparams *ps, const char *name);
/* "origin:line: message" */
int clusterconfig_fail(const struct parse *p, int code, int line, const char *fmt, ...)
    _printf_(4, 5);

/* Pass 3, in this order (clusterconfig_parse_memory): the order decides which
 * error an operator sees when several things are wrong. */
/* CLUSTER: the required PARAMs, clusterName, the paths, clusterType, the
 * modes ogup supports off only. */
int clusterconfig_check_cluster(struct parse *p) _warn_unused_result_;
/* nodeNames against the DEVICEs: p->cfg's nodes, their AZs and addresses. */
int clusterconfig_check_nodes(struct parse *p) _warn_unused_result_;
/* backIp1s: one valid IPv4 per node, each a node's backIp1. */
int clusterconfig_check_back_ips(struct parse *p) _warn_unused_result_;
/* The one DEVICE with dataNode1: ports, datanode ids, dataNode1_syncNum,
 * dataListenIp1 / dataHaIp1, dataNodeXlogPath1. */
int clusterconfig_check_datanodes(struct parse *p) _warn_unused_result_;
