/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * collector_pack.h - what gs_collector's invoking side makes of the nodes'
 * answers (CI = openGauss-OM v5.0.0 script/impl/collect/OLAP/
 * CollectImplOLAP.py): each node's <HOSTNAME>.tar.gz checked, Summary.log
 * (CI:235-309), Detail.log (CI:311-373), and the result
 * collector_<ts>.tar.gz = collector_<ts>/{<HOSTNAME>.tar.gz..., Summary.log,
 * Detail.log} (CI:719-741), written 0600 by rename.
 */
#pragma once

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>

#include "clusterconfig.h"
#include "command.h"
#include "ogerror.h"

#define COLLECT_MAX_RUNS 256

struct collect_node {
    const char *name;
    struct command_result res;
    struct og_error err;
    bool sent;                           /* its stream is a well-formed <top>.tar.gz */
    char top[256];                       /* <HOSTNAME>, the stream's one top directory */
    json_object *jobs[COLLECT_MAX_RUNS]; /* its job records, in run order */
    size_t n_jobs;
};

/* One run of a job: its name (LC jobName) and whether each node did it. */
struct collect_run {
    const char *job_name;
    bool plan; /* CI planResultCheck: one node is enough */
};

/* Parse the job lines of n->res.err; check n->res.out is a .tar.gz whose
 * members all lie under one plain directory (n->sent, n->top). Members
 * outside it, links, devices, "..", more than a bound: not sent, the reason
 * in n->err. */
void collect_node_parse(struct collect_node *n);

/* True when node k failed run r (no record, or a failed task). */
bool collect_run_failed(const struct collect_node *n, size_t r);

/* Write <dir>/collector_<stamp>.tar.gz. */
int collect_pack(const char *path, const char *stamp, const struct collect_node *nodes, size_t n,
                 const struct collect_run *runs, size_t n_runs, struct og_error *err);
