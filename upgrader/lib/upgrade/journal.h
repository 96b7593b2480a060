/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * journal.h - the upgrade journal: openGauss's own files under
 * $PGHOST/binary_upgrade/ (the directory is given by the caller), in
 * openGauss's formats, so either tool can read what the other wrote.
 *
 *   upgrade_step.csv      CRLF lines, header "node_host,upgrade_action,step",
 *                         one row per node ("node1,large-binary-upgrade,4")
 *   upgrade_step.dat      one line "<action>:<step>\n" (in-place's only record)
 *   record_app_directory  two lines: old app realpath, new app realpath
 *   old_upgrade_version   a copy of the old version.cfg text
 *   inplace_upgrade_flag  "newClusterNumber:x\n" "oldClusterNumber:y\n"
 *   touch_init_flag, commitFlagFile   presence markers (empty files)
 *
 * Every setter replaces its file crash-safely (fs_replace_file, 0600): a
 * reader sees the old journal or the new one. Getters return -OG_E_NOT_EXIST
 * (GAUSS-50201) for an absent file and a content code for a malformed one:
 * a step that is not a number GAUSS-52926, a number outside [-1..6]
 * GAUSS-51633, a recorded action other than the expected one GAUSS-52925
 * (GAUSS-50222 in journal_max_step, as openGauss's rollback reports it),
 * anything else GAUSS-50222.
 *
 * Also here: openGauss's rollback max-step rule, reconciliation of the
 * copies held by several nodes (journal_reconcile.c: the newest generation
 * of each file wins, OGUP-60090 when two copies cannot be ordered), the
 * $GPHOME/upgradeRecord.txt history, the cluster lock and isUnderUpgrade.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "dynbuf.h"
#include "lockfile.h"
#include "ogerror.h"
#include "versioncfg.h"

#define JOURNAL_DIR_NAME     "binary_upgrade" /* the journal: $PGHOST/binary_upgrade */
#define JOURNAL_STEPS_FILE   "upgrade_step.csv"
#define JOURNAL_DAT_FILE     "upgrade_step.dat"
#define JOURNAL_APPDIR_FILE  "record_app_directory"
#define JOURNAL_OLDVER_FILE  "old_upgrade_version"
#define JOURNAL_INPLACE_FILE "inplace_upgrade_flag"
#define JOURNAL_TOUCH_INIT   "touch_init_flag"
/* ogup's own files beside openGauss's (the plans name them INPLACE_* and
 * GREY_*; journal_managed_files lists them all) */
#define JOURNAL_OGUP_STEP          "ogup_step"
#define JOURNAL_OGUP_FROZEN        "ogup_frozen_gucs"
#define JOURNAL_OGUP_CATALOG_DONE  "ogup_catalog_done"
#define JOURNAL_OGUP_ROLES         "ogup_roles"         /* the live roles when the upgrade began */
#define JOURNAL_OGUP_CATALOG_FILES "ogup_catalog_files" /* catalog relation files, large */
#define JOURNAL_OGUP_BACKUP_DONE   "ogup_backup_done"   /* the configuration backup is complete */
#define JOURNAL_OGUP_GREY_NODES    "ogup_grey_nodes"    /* grey: the batch under way */
#define JOURNAL_COMMIT_FLAG        "commitFlagFile"
#define JOURNAL_LOCK_FILE          ".ogup_upgrade_lock" /* beside the directory */
#define JOURNAL_RECORD_FILE        "upgradeRecord.txt"  /* in $GPHOME */

#define JOURNAL_STEP_MIN    (-1) /* INVALID_UPRADE_STEP */
#define JOURNAL_STEP_MAX    6    /* STEP_BEGIN_COMMIT / PRE_COMMIT */
#define JOURNAL_NO_ROLLBACK (-2) /* BINARY_UPGRADE_NO_NEED_ROLLBACK */

#define JOURNAL_NAME_MAX 64 /* node names, actions (incl. NUL) */
/* Any one file the journal carries between nodes (`--local dump`/`put`):
 * ogup_catalog_files, the largest, lists the catalog relation files of
 * every database. A whole dump is bounded by JOURNAL_DUMP_MAX. Over either
 * is OGUP-60003, never a cut. */
#define JOURNAL_CARRIED_MAX (4u << 20)
#define JOURNAL_DUMP_MAX    (4u << 20) /* = the transport's output bound */
#define JOURNAL_NODES_MAX   128        /* rows in upgrade_step.csv */
#define JOURNAL_PATH_MAX    4096

struct journal;

struct journal_step_row {
    char node[JOURNAL_NAME_MAX];
    int step;
};

/* upgrade_step.csv: rows in file order; every row carries the same action. */
struct journal_steps {
    char action[JOURNAL_NAME_MAX];
    size_t n;
    struct journal_step_row rows[JOURNAL_NODES_MAX];
};

/* upgrade_step.dat */
struct journal_dat {
    char action[JOURNAL_NAME_MAX];
    int step;
};

/* record_app_directory */
struct journal_app_dirs {
    char old_app[JOURNAL_PATH_MAX];
    char new_app[JOURNAL_PATH_MAX];
};

/* inplace_upgrade_flag: the numbers as written ("92.605") */
struct journal_cluster_numbers {
    char new_number[16];
    char old_number[16];
};

enum journal_marker {
    JOURNAL_MARK_TOUCH_INIT, /* touch_init_flag */
    JOURNAL_MARK_COMMIT,     /* commitFlagFile */
};

/* Open the journal in dir (created 0700 with its parents when missing). */
int journal_open(const char *dir, struct journal **ret, struct og_error *err);
void journal_free(struct journal *j);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct journal *, journal_free)
#define _cleanup_journal_ _cleanup_(journal_freep)
const char *journal_dir(const struct journal *j);

/* upgrade_step.csv. expected_action NULL accepts any (one) action. */
int journal_steps_parse(const char *text, const char *origin, const char *expected_action,
                        struct journal_steps *ret, struct og_error *err);
int journal_steps_format(const struct journal_steps *s, struct dynbuf *out, struct og_error *err);
int journal_write_steps(struct journal *j, const struct journal_steps *s, struct og_error *err);
int journal_read_steps(struct journal *j, const char *expected_action, struct journal_steps *ret,
                       struct og_error *err);
/* Set the step of the named node; -OG_E_NODE_UNKNOWN when it has no row. */
int journal_steps_set(struct journal_steps *s, const char *node, int step, struct og_error *err);

/* upgrade_step.dat */
int journal_write_dat(struct journal *j, const char *action, int step, struct og_error *err);
int journal_read_dat(struct journal *j, struct journal_dat *ret, struct og_error *err);
/* The same in dir, which is never created (a reader from outside: the
 * scenario runner reads each node's copy from the host). */
int journal_read_dat_in(const char *dir, struct journal_dat *ret, struct og_error *err);

/* ogup_step (INPLACE_STEP_FILE, inplace.h): ogup's step record, one line
 *     <plan> <index> <step> begin|done do|undo seq=<generation> writer=<node>
 * ("inplace 5 catalog begin do seq=11 writer=node1"); seq is the record's
 * generation in ogup_manifest. journal_step_record_parse (journal_parse.c)
 * checks the shape only; whether plan and index name a step of a plan is the
 * caller's. false for NULL or any other text; *ret only on success. */
struct journal_step_record {
    char plan[JOURNAL_NAME_MAX];
    int index;
    char step[JOURNAL_NAME_MAX];
    bool done; /* "done", else "begin" */
    bool undo; /* "undo" (a rollback), else "do" */
    unsigned long long seq;
    char writer[JOURNAL_NAME_MAX];
};
bool journal_step_record_parse(const char *text, struct journal_step_record *ret);

/* record_app_directory */
int journal_write_app_dirs(struct journal *j, const char *old_app, const char *new_app,
                           struct og_error *err);
int journal_read_app_dirs(struct journal *j, struct journal_app_dirs *ret, struct og_error *err);

/* old_upgrade_version: text must parse as a version.cfg; stored as given. */
int journal_write_old_version(struct journal *j, const char *text, struct og_error *err);
int journal_read_old_version(struct journal *j, struct version_cfg *ret, struct og_error *err);

/* inplace_upgrade_flag: both numbers must parse as floats (GAUSS-51628). */
int journal_write_cluster_numbers(struct journal *j, const char *new_number, const char *old_number,
                                  struct og_error *err);
int journal_read_cluster_numbers(struct journal *j, struct journal_cluster_numbers *ret,
                                 struct og_error *err);

/* Markers: set creates an empty file; test returns 1 present, 0 absent. */
int journal_mark_set(struct journal *j, enum journal_marker m, struct og_error *err);
int journal_mark_test(struct journal *j, enum journal_marker m, struct og_error *err);
int journal_mark_clear(struct journal *j, enum journal_marker m, struct og_error *err);

/* openGauss getNodeStepFile (grey rollback): no dir -2, empty dir 0, no CSV
 * -2, else max(step) over the rows (-1 for no rows); a row whose action is
 * not action is GAUSS-50222 (as openGauss reports it there). */
int journal_max_step(const char *dir, const char *action, int *ret, struct og_error *err);

/* openGauss DefaultValue.isUnderUpgrade: dir exists and is not empty. When it
 * holds, expansion/shrink and the like refuse with GAUSS-52936. */
bool journal_under_upgrade(const char *dir);

/* The cluster lock, <parent of dir>/.ogup_upgrade_lock (outside the journal,
 * so taking it never makes the cluster look "under upgrade"). Held by
 * someone else: GAUSS-51608 whose detail quotes the holder. */
int journal_lock(const char *dir, const char *tool, struct lockfile **ret, struct og_error *err);

/* The files reconciled across nodes (journal_managed_files; the list and
 * why each in journal_reconcile.c): the parsed upgrade_step.csv,
 * upgrade_step.dat and record_app_directory first, then files compared byte
 * for byte. commitFlagFile is not among them: it is OR'ed. */
#define JOURNAL_MANAGED_MAX 16
extern const char *const journal_managed_files[];
extern const size_t journal_n_managed;
/* The index of name in journal_managed_files, or -1. */
int journal_managed_index(const char *name);

/* ogup_manifest: ogup's own sidecar beside openGauss's files (which keep
 * their exact content). Every write of a managed file, or its removal, gives
 * the file the next generation of the writer's manifest and the digest of
 * what it wrote (a removal: absent), on the writer's node first, then on
 * every other node after the file itself:
 *     ogup-manifest 1
 *     <generation> <16 hex digits, or "-" for absent> <file name>
 * A copy is at its manifest's generation only when its bytes are what its
 * manifest says; otherwise it is torn (JOURNAL_GEN_TORN: older than any
 * other copy). A file the manifest does not name (an older ogup, openGauss's
 * own journal) is at generation 0. */
#define JOURNAL_MANIFEST_FILE "ogup_manifest"
#define JOURNAL_GEN_TORN      (-1LL)

struct journal_manifest_entry {
    bool set;
    bool present;
    unsigned long long gen;
    unsigned long long digest;
};

struct journal_manifest {
    struct journal_manifest_entry e[JOURNAL_MANAGED_MAX]; /* by managed index */
};

unsigned long long journal_digest(const void *data, size_t len);
int journal_manifest_parse(const char *text, const char *origin, struct journal_manifest *ret,
                           struct og_error *err);
int journal_manifest_format(const struct journal_manifest *m, struct dynbuf *out,
                            struct og_error *err);
unsigned long long journal_manifest_max(const struct journal_manifest *m);
/* dir's manifest; none: an empty one (*ret_found false when wanted). */
int journal_manifest_read(const char *dir, struct journal_manifest *ret, bool *ret_found,
                          struct og_error *err);
/* The generation of the next write in dir: one above its manifest's highest. */
int journal_manifest_next(const char *dir, unsigned long long *ret, struct og_error *err);
/* names were just written or removed in dir: each managed one gets
 * generation gen and the digest of what dir holds now, in dir's manifest
 * (replaced crash-safely); the others (commitFlagFile) are not ordered. */
int journal_manifest_note(const char *dir, const char *const *names, size_t k,
                          unsigned long long gen, struct og_error *err);

/* What one node holds. present = the directory exists on that node. */
struct journal_view {
    char node[JOURNAL_NAME_MAX];
    bool present;
    bool committed; /* commitFlagFile: OR'ed across nodes, never compared */
    /* journal_managed_files[i]: present, and a digest of its bytes */
    bool has_file[JOURNAL_MANAGED_MAX];
    unsigned long long digest[JOURNAL_MANAGED_MAX];
    bool has_manifest;
    unsigned long long manifest_digest;
    struct journal_manifest manifest;
    bool has_steps;
    struct journal_steps steps;
    bool has_dat;
    struct journal_dat dat;
    bool has_app_dirs;
    struct journal_app_dirs app_dirs;
    /* journal_reconcile's result only: for each managed file the view its
     * newest copy is in (an index into the views) and its generation */
    size_t from[JOURNAL_MANAGED_MAX];
    long long gen[JOURNAL_MANAGED_MAX];
};

/* Load a node's view from its directory (absent dir: present = false). */
int journal_view_load(const char *dir, const char *node, struct journal_view *ret,
                      struct og_error *err);
/* The generation of file i's copy in v (journal_manifest: the manifest's,
 * 0 when unnamed, JOURNAL_GEN_TORN when the bytes are not the manifest's). */
long long journal_view_gen(const struct journal_view *v, size_t i);

/* Reconcile the nodes' views, file by file: the copy of the newest
 * generation wins (a copy a node never got, or got torn, is older by
 * construction), so copies left different by a crash or a power-off between
 * the copies always converge. ret: the winning copies, ret->from/gen saying
 * where each comes from, ret->manifest the merged manifest, ret->node the
 * first node holding a directory; no node present: ret is not present.
 * OGUP-60090 naming both nodes and the file only when two copies of one
 * file differ at the same, highest, generation: that cannot be ordered
 * (two writers: ogup runs from different nodes over one journal, hand
 * edits, or journals of an ogup without manifests, which all stand at
 * generation 0 and must be identical as before). Never a silent pick. The
 * one exception: commitFlagFile is OR'ed (ret->committed when any node
 * holds it): a commit killed while copying its flag is a commit, never a
 * cluster to roll back. */
int journal_reconcile(const struct journal_view *views, size_t n, struct journal_view *ret,
                      struct og_error *err);

/* $GPHOME/upgradeRecord.txt (openGauss upgradePathRecord): '|'-separated,
 * Python str.center()-padded columns of widths 19,20,22,50,50,70,70,70 under
 * the header row "action,status,time,oldVersionInfo,newVersionInfo,
 * oldPkgSha256,newPkgSha256,details"; "\n" line ends. */
#define JOURNAL_DETAILS_CHARS 512 /* openGauss MAX_MSG_LEN, in characters */
#define JOURNAL_DETAILS_SIZE  (JOURNAL_DETAILS_CHARS * 4 + sizeof("......"))
struct journal_record {
    char action[JOURNAL_NAME_MAX];
    char status[JOURNAL_NAME_MAX];
    char time[32];         /* "YYYY-MM-DD hh:mm:ss"; empty = now on append */
    char old_version[160]; /* "3.0.0 92.605 02c14696" or empty */
    char new_version[160];
    char old_sha256[80];
    char new_sha256[80];
    /* newlines become spaces; over JOURNAL_DETAILS_CHARS characters cut +
     * "......": what the writer emits the reader takes (4-byte UTF-8 too) */
    char details[JOURNAL_DETAILS_SIZE];
};

/* Append a row (the header first when the file is new), crash-safely. */
int journal_record_append(const char *path, const struct journal_record *r, struct og_error *err);
/* Parse the whole file; *ret is a malloc'ed array (free()). */
int journal_record_parse(const char *text, const char *origin, struct journal_record **ret,
                         size_t *ret_n, struct og_error *err);
int journal_record_read(const char *path, struct journal_record **ret, size_t *ret_n,
                        struct og_error *err);
