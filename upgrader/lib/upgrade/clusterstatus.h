/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * clusterstatus.h - the cluster's state as openGauss's OM computes it
 * without CM (reference §7): `gs_ctl query` on every datanode, then
 * cluster_state Normal / Degraded / Unavailable, and gs_om's layouts.
 */
#pragma once

#include <stdbool.h>

#include "clusterconfig.h"
#include "dynbuf.h"
#include "ogerror.h"
#include "transport.h"

struct dn_status {
    char node[CLUSTER_NAME_MAX];
    bool reachable;      /* the node answered */
    bool running;        /* gs_ctl query succeeded */
    char local_role[32]; /* Primary, Standby, Normal, ..., Down */
    char db_state[64];   /* Normal, Catchup, Need repair(...), Manually stopped, Unknown */
    char static_connections[16];
};

struct cluster_status {
    char cluster_state[16]; /* Normal, Degraded, Unavailable */
    size_t n;
    struct dn_status dn[CLUSTER_MAX_NODES];
    char senders[8192]; /* the primary's "Senders info:" of gs_ctl query, on */
};

/* Parse `gs_ctl query` output into role and state (detail appended to
 * "Need repair" as openGauss shows it: Need repair(Disconnected)). */
void clusterstatus_parse_query(const char *out, struct dn_status *s);

/* cluster_state from the instances (reference §7 queryClsInfo rules). */
const char *clusterstatus_state(const struct dn_status *dn, size_t n);

/* On each of n datanodes at once (t, nodes added by name):
 *     <cfg->app_path>/bin/TOOL VERB -D <the node's datadir> EXTRA...
 * (extra: NULL-terminated, may be NULL; at most CLUSTER_TOOL_EXTRA words).
 * res[i] and errs[i] get node i's outcome as transport_run_each gives it.
 * -OG_E_INVALID_ARG (nothing run) for too many nodes or words. */
#define CLUSTER_TOOL_EXTRA 8
int cluster_tool_each(const struct cluster_config *cfg, struct transport *t,
                      const struct cluster_node *const *nodes, size_t n, const char *tool,
                      const char *verb, const char *const *extra, int timeout_ms,
                      struct command_result *res, struct og_error *errs);

/* Query every datanode of cfg through t (nodes added by name). */
int clusterstatus_query(const struct cluster_config *cfg, struct transport *t,
                        struct cluster_status *ret, struct og_error *err);

/* Live roles (openGauss's gs_om -t query, not the static config): the one
 * instance st reports Primary becomes cfg's primary, the others standbys
 * (in memory). -OG_E_CLUSTER_STATUS, cfg unchanged, without exactly one. */
int clusterstatus_live_roles(struct cluster_config *cfg, const struct cluster_status *st);

/* The roles as the journal keeps them ("<node> primary|standby" a line), so a
 * stopped cluster starts with the roles it ran with when the upgrade began. */
int clusterstatus_roles_format(const struct cluster_config *cfg, struct dynbuf *out);
/* Apply such a record; -OG_E_CONTENT_INVALID (cfg unchanged) unless it names
 * every node once and one primary. */
int clusterstatus_roles_parse(struct cluster_config *cfg, const char *text, struct og_error *err);

/* gs_om -t status (brief), --detail (with data paths) or -t query (without). */
enum clusterstatus_format { CS_BRIEF, CS_DETAIL, CS_QUERY };
int clusterstatus_format(const struct cluster_config *cfg, const struct cluster_status *st,
                         enum clusterstatus_format f, struct dynbuf *out) _warn_unused_result_;
/* gs_om -t status --all / -h / --az (queryNodeInfo, DbClusterInfo.py v5.0.0
 * :1093-1205): one block per datanode, labels padded to 26; node 0 = every
 * node, else the node-th (1-based); az NULL or "" = every AZ. */
int clusterstatus_format_nodes(const struct cluster_config *cfg, const struct cluster_status *st,
                               size_t node, const char *az, struct dynbuf *out)
    _warn_unused_result_;
