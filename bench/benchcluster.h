/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * benchcluster.h - what the upgrade benchmarks share: a 3-node cluster with
 * the new package preinstalled as the guide says and snapshotted, commands
 * in a login shell on a node, waiting for Normal, dying cleanly (the cluster
 * removed).
 */
#pragma once

#include "command.h"
#include "simcluster.h"

#define BENCH_RUN_TIMEOUT   (15 * 60 * 1000)
#define BENCH_SHORT_TIMEOUT (2 * 60 * 1000)

struct bench {
    const char *prog;  /* for messages */
    const char *name;  /* the cluster */
    unsigned data_mib; /* each node's data filesystem; 0: 384 */
    struct sim_cluster c;
    struct command_result res; /* the last bench_sh's */
};

_noreturn_ void bench_die(struct bench *b, const char *what, const struct og_error *err,
                          const char *out);
/* bash -lc script as user on node (the env file sourced); the exit status. */
int bench_sh(struct bench *b, const char *node, const char *user, const char *script,
             int timeout_ms);
/* The ms until gs_om says Normal (up to a minute), or die. */
long long bench_wait_normal(struct bench *b, const char *after);
/* A 3-node cluster on from with dbs user databases, to's package built on
 * the host and gs_preinstall'ed on node1 as root, snapshot "ready"; the ms
 * it took. */
long long bench_setup(struct bench *b, const char *from, const char *to, int dbs);
