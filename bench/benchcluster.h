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
/* Into buf: a script running gs_upgradectl -t auto-upgrade with flags, each
 * line of its output stamped "@<epoch usec> <text>" as it is written (stdout
 * line-buffered, bash's $EPOCHREALTIME: no fork), between "phase start" and
 * "phase end" lines; it exits with gs_upgradectl's status. */
void bench_upgradectl_stamped(char *buf, size_t size, const char *flags);
/* The stamp (usec) of the first "@usec text" line of out whose text starts
 * with marker, or -1. */
long long bench_stamp(const char *out, const char *marker);

/* The bare scripts' shell library, after "P=<primary>; S='<standbys>';
 * D=<datadir>; PORT=<port>": ph NAME (a stamped phase marker), on NODE CMD
 * (here or over ssh), old/new (kernel numbers), app/newapp, relink (every
 * node's $GAUSSHOME to the new app, the static config carried), install
 * (the server package in $GPHOME unpacked into the new app on every node at
 * once, as the upgrader's install step), catalog
 * MODE (the catalog SQL as inplace_catalog.c assembles it: one transaction
 * per database, openGauss's header, the files of MODE and kind with
 * old < number <= new, upgrade* ascending, rollback* descending with 92.506
 * last (catalogsel.h); maindb on postgres, otherdb on every other database,
 * one by one). */
extern const char bench_bare_lib[];
/* The head for bench_bare_lib, from b's cluster (or die: no primary). */
void bench_head(struct bench *b, char *buf, size_t size);

/* A 3-node cluster on from with dbs user databases, to's package built on
 * the host and gs_preinstall'ed on node1 as root, snapshot "ready"; the ms
 * it took. */
long long bench_setup(struct bench *b, const char *from, const char *to, int dbs);
