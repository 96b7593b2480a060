/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * precheck.h - everything gs_upgradectl verifies before it changes anything.
 *
 * Each check is its own function with one stable code (the table below and
 * upgrader/README.md "Pre-checks"). The checks that need a node's own view
 * (its disks, files, packages) run there as the node-local worker
 * `gs_upgradectl --local <verb>` (openGauss's script/local/ workers); the
 * worker's verbs call the precheck_local_*() functions below, which the unit
 * tests also call directly. A worker failure prints "[CODE] : detail" on
 * stderr; the caller turns it back into that code (og_error_parse).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "clusterconfig.h"
#include "dynbuf.h"
#include "ogerror.h"
#include "transport.h"

#define PRECHECK_DISK_LIMIT_PCT 80 /* the guide: disk usage below 80% */
#define PRECHECK_REPLAY_WAIT_MS 30000
/* a standby not connected to the primary: twice the simulated nodes'
 * wal_receiver_timeout (10 s; openGauss's default is 6 s) */
#define PRECHECK_RECONNECT_MS 20000

/* The GUCs that must not change between the start of an upgrade and its end
 * or rollback (a standby refuses a primary with larger values of these). */
#define FROZEN_GUC_COUNT 4
extern const char *const frozen_guc_names[FROZEN_GUC_COUNT];

struct frozen_gucs {
    size_t n;
    struct {
        char node[CLUSTER_NAME_MAX];
        char value[FROZEN_GUC_COUNT][64];
    } nodes[CLUSTER_MAX_NODES];
};

struct precheck_env {
    const struct cluster_config *xml;       /* from -X (compared with installed) */
    const struct cluster_config *installed; /* $GAUSSHOME/bin/cluster_static_config: the
                                               nodes the checks talk to (NULL: xml) */
    struct transport *t;                    /* every node added by name */
    const char *gausshome, *gphome, *pghost;
    const char *worker;                 /* the worker on every node: $GPHOME/script/gs_upgradectl */
    const char *kerberos_dir;           /* dirname of the env file */
    const struct frozen_gucs *recorded; /* recorded at the start; NULL: compare across nodes */
    bool lock_held;                     /* the caller holds the cluster lock */
    int replay_wait_ms;                 /* 0: PRECHECK_REPLAY_WAIT_MS */
    /* the node-local answers fetched ahead (precheck_run_all); NULL: each
     * node-local check calls the worker itself */
    const struct precheck_local *local;
};

/* At most this many node-local checks are asked in one call */
#define PRECHECK_LOCAL_MAX 8
struct precheck_local;
/* Every node asked at once, one worker call each (`--local checks`), for the
 * node-local verbs of the checks ids; the answers kept for the checks. NULL
 * when nothing could be asked (no worker, no memory): the checks call it. */
struct precheck_local *precheck_local_fetch(const struct precheck_env *e, const char *const *ids,
                                            size_t n_ids);
void precheck_local_free(struct precheck_local *l);

struct precheck {
    const char *id;    /* stable name: "cluster-state", ... */
    const char *title; /* what is checked, one line */
    int code;          /* the code a failure carries */
    int (*fn)(const struct precheck_env *e, struct og_error *err);
};

/* The checks, in the order they run. */
const struct precheck *precheck_table(size_t *n);
const struct precheck *precheck_find(const char *id);

struct precheck_result {
    const struct precheck *check;
    struct og_error err; /* code 0 = passed */
};

/* Run every check (all of them, also after a failure, so the operator sees
 * every problem at once); results[] gets one entry per check. Returns 0 when
 * all passed, else the first failure's -code with its error in *err. */
int precheck_run_all(const struct precheck_env *e, struct precheck_result *results, size_t *n,
                     struct og_error *err);

/* One line per result: "[  OK  ] cluster-state  cluster_state is Normal ..." */
void precheck_format(const struct precheck_result *r, size_t n, struct dynbuf *out);

/* ---- the checks (each also callable alone) ---------------------------------- */
int precheck_not_root(const struct precheck_env *e, struct og_error *err);
int precheck_environment(const struct precheck_env *e, struct og_error *err);
int precheck_cluster_lock(const struct precheck_env *e, struct og_error *err);
int precheck_static_config(const struct precheck_env *e, struct og_error *err);
int precheck_ssh_trust(const struct precheck_env *e, struct og_error *err);
int precheck_cluster_state(const struct precheck_env *e, struct og_error *err);
int precheck_disk_usage(const struct precheck_env *e, struct og_error *err);
int precheck_stream_replication(const struct precheck_env *e, struct og_error *err);
int precheck_kerberos(const struct precheck_env *e, struct og_error *err);
int precheck_frozen_gucs(const struct precheck_env *e, struct og_error *err);
int precheck_standby_replay(const struct precheck_env *e, struct og_error *err);
int precheck_om_kernel(const struct precheck_env *e, struct og_error *err);
int precheck_package_sha256(const struct precheck_env *e, struct og_error *err);
/* openGauss's per-node CheckUpgrade (checkupgrade.c) */
int precheck_app_size(const struct precheck_env *e, struct og_error *err);
int precheck_backup_space(const struct precheck_env *e, struct og_error *err);
int precheck_datadir_writable(const struct precheck_env *e, struct og_error *err);

/* ---- node-local parts (the worker's verbs) ------------------------------------ */

/* Usage of the filesystems holding paths, each < limit_pct percent
 * (statvfs, as df computes Use%: used / (used + available), rounded up). */
int precheck_local_disk(const char *const *paths, size_t n, int limit_pct, struct og_error *err);
/* Every "<X>.sha256" in dir matches its tarball X.tar.bz2 / X.tar.gz
 * (GAUSS-51635); at least one pair must be there. */
int precheck_local_sha256(const char *dir, struct og_error *err);
/* $GPHOME/version.cfg and <app_path>_<its commit>/version.cfg are the same
 * release (GAUSS-52929). */
int precheck_local_om_kernel(const char *gphome, const char *app_path, struct og_error *err);
/* <dir>/auth_config/mppdb-site.xml must not exist (GAUSS-50200). */
int precheck_local_kerberos(const char *dir, struct og_error *err);

/* openGauss's UpgradeConst.MAX_APP_SIZE (MB). */
#define PRECHECK_MAX_APP_MB 2000
/* The app behind app_path (du, less lib/postgresql/pg_plugin) at most
 * PRECHECK_MAX_APP_MB (GAUSS-50401). */
int precheck_local_app_size(const char *app_path, struct og_error *err);
/* <pghost>/binary_upgrade (or pghost, before it exists: nothing is created)
 * has PRECHECK_MAX_APP_MB free (GAUSS-50400). */
int precheck_local_backup_space(const char *pghost, struct og_error *err);
/* dir exists (GAUSS-50201) and a new file can be made in it (GAUSS-50205). */
int precheck_local_writable(const char *dir, struct og_error *err);

/* ---- frozen GUCs --------------------------------------------------------------- */

/* Read the frozen GUCs of every node (SHOW through gsql on each node). */
int frozen_gucs_collect(const struct precheck_env *e, struct frozen_gucs *ret,
                        struct og_error *err);
/* "node name=value" lines, in node order. */
int frozen_gucs_format(const struct frozen_gucs *g, struct dynbuf *out);
int frozen_gucs_parse(const char *text, struct frozen_gucs *ret, struct og_error *err);
/* recorded vs now: the first difference is OGUP-60051 naming node, GUC and
 * both values; with recorded == NULL the nodes of now must agree. */
int frozen_gucs_compare(const struct frozen_gucs *recorded, const struct frozen_gucs *now,
                        struct og_error *err);

/* ---- helpers the upgrade engine shares ----------------------------------------- */

/* Run a worker verb on the given nodes at once; a node's failure is its own
 * code (parsed from the worker's stderr), else GAUSS-53507. Returns 0 or the
 * first failing node's code, its node named in the detail. */
int precheck_worker_all(const struct precheck_env *e, const char *const *nodes, size_t n,
                        const char *const *verb_argv, struct og_error *err);

/* SQL on one node's instance through gsql (-X -tA, db passed as a conninfo
 * dbname='...' so any name is a name): the first line in buf; a first line
 * longer than buf is OGUP-60003, never cut. */
int precheck_sql(const struct precheck_env *e, const struct cluster_node *node, const char *db,
                 const char *sql, char *buf, size_t size, struct og_error *err);

/* The same query on nodes[i], database dbs[i], for every i at once (a node
 * may appear more than once: one session each). res (n of them) receives
 * every run (the caller frees them: command_result_done); returns 0, or the
 * first failure in array order, its node named (OG_E_SQL for a query that
 * failed, the transport's code for a node not reached). */
int precheck_sql_each(const struct precheck_env *e, const struct cluster_node *const *nodes,
                      const char *const *dbs, size_t n, const char *sql, struct command_result *res,
                      struct og_error *err);

/* The bound of one query */
#define PRECHECK_SQL_TIMEOUT_MS 60000

/* The cluster the checks look at: the installed one (static config), else
 * the XML's */
const struct cluster_config *precheck_cfg(const struct precheck_env *e);

/* db as gsql's -d: the conninfo dbname='...' (\\ and ' escaped) */
int precheck_dbname_conninfo(const char *db, char *buf, size_t size, struct og_error *err);

/* The databases of node's instance (connectable: only those that take
 * connections), every name whole: read one per row, hex-encoded, so spaces,
 * quotes, newlines and UTF-8 pass; no bound but the transport's output
 * bound (OGUP-60010, never a cut). */
struct precheck_dblist {
    size_t n;
    char **names;
};
int precheck_databases(const struct precheck_env *e, const struct cluster_node *node,
                       bool connectable, struct precheck_dblist *ret, struct og_error *err);
void precheck_dblist_done(struct precheck_dblist *l);
