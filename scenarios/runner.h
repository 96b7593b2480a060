/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * runner.h - play scenarios on simulated clusters.
 *
 * Scenarios are grouped by cluster (version, nodes, databases): one cluster
 * per group is brought up once (libogcluster sim_up) and snapshotted
 * ("base"); each scenario then starts from a restore of that snapshot
 * (~2-5 s instead of ~30 s for an up). Leading <prepare> steps shared by
 * several scenarios of a group are cached as snapshots too ("r-<version>").
 * Per scenario: reset, print the plan, start the workload, play the steps
 * (gs_upgradectl as omm on node1 with OGUP_FAILPOINTS; faults through
 * ogfault, between steps or when node1's journal reaches a step), check the
 * workload, judge the expectations, keep a bundle (plan, every command's
 * output, each node's $GAUSSLOG/om, pg_log and binary_upgrade, status, the
 * fault ledger, the workload report) and sweep the faults: the verdict
 * waits for the sweep, and a residual fault is an error.
 */
#pragma once

#include <stdbool.h>
#include <stdio.h>

#include "report.h"
#include "scenario.h"

#define SCN_OUT_DEFAULT "scenario-results"

struct scn_run_opts {
    const char *out_dir;        /* default "scenario-results" */
    const char *run_id;         /* default: scn_run_claim_id() */
    const char *junit;          /* also write the JUnit report here */
    const char *ogsim;          /* the ogsim binary (package build, workload) */
    const char *ogfault;        /* the ogfault binary */
    const char *cluster_prefix; /* cluster names <prefix>-<group>; default "sc<pid>" */
    bool keep_clusters;         /* leave the clusters up at the end */
    int cache_min;              /* cache a prepared cluster used by this many scenarios (4) */
    const char *uri;            /* libvirt URI of the hypervisor host (NULL: the driver's) */
    const char *driver;         /* "lxc" (NULL) or "qemu" */
    FILE *log;                  /* progress (default stdout) */
};

/* The default run id: the UTC time now, YYYYMMDD-HHMMSS. */
void scn_run_default_id(char *buf, size_t size);

/* A run id of one's own: the time now (with -s<K>of<N> for a shard), and
 * -2, -3 ... when another run made that directory under out_dir first
 * (shards started in the same second); the directory is made here. */
int scn_run_claim_id(const char *out_dir, unsigned shard_k, unsigned shard_n, char *buf,
                     size_t size, struct og_error *err) _warn_unused_result_;

/* Run every scenario of set, in groups; ret gets the results (init'ed
 * here). Writes results.json, junit.xml and report.html into
 * <out_dir>/<run_id>/ and points <out_dir>/latest at it. Returns 0 when
 * the run happened (look at the verdicts), or a negative code when it could
 * not (output directory). */
int scn_run(const struct scn_set *set, const struct scn_run_opts *o, struct scn_report *ret,
            char *run_dir, size_t run_dir_size, struct og_error *err);

/* Write the three reports of r into dir (and junit to extra_junit when set). */
int scn_write_reports(const struct scn_report *r, const char *dir, const char *extra_junit,
                      struct og_error *err);

/* Ask a running scn_run to stop after the current step (signal-safe). */
void scn_run_request_stop(void);
