/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * staticconfig.h - the installed topology, $GAUSSHOME/bin/cluster_static_config.
 *
 * openGauss writes this file as a packed BINARY struct (DbClusterInfo.
 * saveToStaticConfig, struct.pack); gs_upgradectl reads it back and compares
 * it with the -X XML before it changes anything (UpgradeImpl.
 * verifyClusterConfigInfo). ogup keeps the same file name and role but in
 * ITS OWN text format, which neither openGauss tool reads:
 *
 *     ogup-cluster-static-config 1          <- magic and format version
 *     cluster.name=dbCluster
 *     cluster.app_path=/opt/og/app
 *     cluster.log_path=/var/log/omm
 *     cluster.tmp_path=/opt/og/tmp
 *     cluster.tool_path=/opt/og/tool
 *     cluster.core_path=/opt/og/corefile
 *     cluster.type=single-inst              <- "" when the XML had none
 *     cluster.port=15400
 *     cluster.sync_num=-1
 *     nodes=3
 *     node.1.name=node1                     <- nodes 1..N in nodeNames order,
 *     node.1.back_ip=192.168.122.11            12 keys each, in this order
 *     node.1.ssh_ip=192.168.122.11
 *     node.1.az_name=AZ1
 *     node.1.az_priority=1
 *     node.1.instance_type=0                <- 0 primary, 1 standby, 3 cascade
 *     node.1.instance_id=6001
 *     node.1.mirror_id=1
 *     node.1.port=15400
 *     node.1.datadir=/opt/og/data/dn1
 *     node.1.listen_ip=192.168.122.11
 *     node.1.ha_ip=192.168.122.11
 *     ...
 *     sha256=<64 lower-case hex>            <- SHA-256 of every byte above
 *
 * Every line ends in '\n'; a value is everything after the first '=' (values
 * never hold control characters). The reader accepts exactly this layout:
 * keys in this order, the version 1, the checksum matching and nothing after
 * it. Anything else is GAUSS-50222 (the file is corrupt or not ours).
 */
#pragma once

#include "clusterconfig.h"
#include "ogerror.h"

#define STATICCONFIG_MAGIC   "ogup-cluster-static-config"
#define STATICCONFIG_VERSION 1
#define STATICCONFIG_MAX     (1024 * 1024)

/* Write c to path crash-safely (fs_replace_file, mode 0640).
 * -OG_E_INVALID_ARG when c cannot be written (no nodes, too many, a value
 * with a control character); fs errors otherwise. */
int staticconfig_write(const struct cluster_config *c, const char *path, struct og_error *err);

/* Read path. -OG_E_NOT_EXIST (GAUSS-50201) when missing, -OG_E_TOO_LARGE over
 * STATICCONFIG_MAX, -OG_E_CONTENT_INVALID (GAUSS-50222) for anything corrupt.
 * *ret is written only on success. */
int staticconfig_read(const char *path, struct cluster_config *ret, struct og_error *err);

/* Compare what gs_upgradectl compares (verifyClusterConfigInfo): cluster
 * name, appPath, logPath, the number of nodes and, node by node in order,
 * the datanode's instanceId, mirrorId, port, datadir, instanceType, listenIps
 * and haIps. 0 when equal, else -OG_E_STATIC_CONFIG (GAUSS-51217) with the
 * first difference in the detail. */
int staticconfig_compare(const struct cluster_config *installed, const struct cluster_config *xml,
                         struct og_error *err);
