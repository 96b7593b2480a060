/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * upfixture.h - the upgrade tests' fixture: a real simulator cluster, the
 * new package prepared as the guide says (built on the host, unpacked and
 * gs_preinstall'ed as root on node1), gs_upgradectl run as omm on node1, and
 * what the tests compare (versions, links, journals, dumps).
 */
#pragma once

#include <stdbool.h>

#include "command.h"
#include "simcluster.h"

extern struct command_result upres;

/* bash -lc script on a node as user; its exit status (output in upres). */
int up_sh(const struct sim_cluster *c, const char *node, const char *user, const char *script);
/* The same, asserting exit 0. */
void up_sh_ok(const struct sim_cluster *c, const char *node, const char *user, const char *script);

/* A 3-node cluster on version with dbs user databases (sample data). */
void up_cluster(struct sim_cluster *c, const char *name, const char *version, int dbs);
/* Build version's package and gs_preinstall it (side by side). */
void up_prepare(const struct sim_cluster *c, const char *version);
/* gs_upgradectl -t action -X ~/clusterconfig.xml [flags] as omm on node1,
 * with OGUP_FAILPOINTS=failpoints when non-NULL; exit status. */
int up_ctl(const struct sim_cluster *c, const char *action, const char *flags,
           const char *failpoints);

/* Every node's gaussdb -V names version (and nothing else). */
void up_assert_version(const struct sim_cluster *c, const char *version);
/* gs_om -t status says Normal (waits up to 60 s). */
void up_assert_normal(const struct sim_cluster *c);
/* No node holds $PGHOST/binary_upgrade. */
void up_assert_no_journal(const struct sim_cluster *c);
/* No node holds $PGHOST/binary_upgrade. */
bool up_no_journal(const struct sim_cluster *c);
/* "node1:<link>\nnode2:..." of $GAUSSHOME on every node (malloc'ed). */
char *up_links(const struct sim_cluster *c);
/* pg_dumpall of the cluster through the primary (malloc'ed); with
 * user_only, the user databases without the og_catalog schema. */
char *up_dump(const struct sim_cluster *c, bool user_only);

/* Snapshot / restore the cluster (ogsim), asserting success. */
void up_snapshot(const struct sim_cluster *c, const char *snap);
void up_restore(const struct sim_cluster *c, const char *snap);
/* rc is want_rc and, when code is not NULL, the output names it. */
void up_expect_code(int rc, int want_rc, const char *code);
/* The cluster is exactly as before: links, pg_dumpall, no journal. */
void up_expect_unchanged(const struct sim_cluster *c, const char *dump0, const char *links0,
                         const char *what);
/* Every node on version, Normal, the user data as user0. */
void up_expect_upgraded(const struct sim_cluster *c, const char *version, const char *user0);
/* The failpoints gs_upgradectl lists whose names start with prefix. */
size_t up_failpoints(const struct sim_cluster *c, const char *prefix, char names[][128],
                     size_t max);
/* Whether failpoint fp runs: UPGRADE_FAILPOINTS=all, from:NAME, only:A,B, else the
 * sample of n names. */
bool up_sampled(const char *fp, const char *const *sample, size_t n);
/* The failpoint matrix of plan ("inplace", "grey") on a cluster on old_v
 * with new_v prepared: gs_upgradectl [flags] SIGKILLed at each sampled
 * point, then auto-rollback gives back the old cluster exactly (version,
 * Normal, pg_dumpall, links, no journal) and a re-run ends as an
 * uninterrupted run (pg_dumpall, links); the rollback killed at each of its
 * sampled points, re-run, converges; commit-upgrade killed at each of its
 * sampled points, re-run, ends as an uninterrupted commit (exit, version,
 * Normal, no journal, pg_dumpall, links). want_do / want_undo / want_commit:
 * how many points the plan lists. */
void up_kill_matrix(struct sim_cluster *c, const char *plan, const char *flags, const char *old_v,
                    const char *new_v, size_t want_do, size_t want_undo, size_t want_commit,
                    const char *const *sample, size_t n_sample);
