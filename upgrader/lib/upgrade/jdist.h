/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * jdist.h - the journal on every node. The upgrader writes its journal
 * ($PGHOST/binary_upgrade/) locally, crash-safely, then copies each changed
 * file to every other node through the node-local worker (`--local put`,
 * crash-safe there too); reading back loads every node's copy (`--local
 * dump`) and reconciles them (journal_reconcile: a disagreement is
 * OGUP-60090, never a silent pick). Nodes that miss the directory while the
 * others agree get the others' copy.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "journal.h"
#include "worker.h"

/* The crash window between a journal file written on this node and its
 * copies on the others (the in-place and grey plans hit it). */
#define JDIST_FP_AFTER_LOCAL "journal.put.after-local"
void jdist_register_failpoints(void);

/* Copy the file dir/name (read locally) to nodes (0600, crash-safe). */
int jdist_push_file(const struct worker *w, const char *const *nodes, size_t n, const char *dir,
                    const char *name, struct og_error *err);
/* Copy every regular file of dir to nodes. */
int jdist_push_dir(const struct worker *w, const char *const *nodes, size_t n, const char *dir,
                   struct og_error *err);
/* One journal write: names, just written (or removed) in dir on this node,
 * get generation gen (journal_manifest_next) in this node's manifest; then,
 * after the failpoint JDIST_FP_AFTER_LOCAL, each is copied to (or removed
 * from) others, and the manifest after them. */
int jdist_put_record(const struct worker *w, const char *const *others, size_t n, const char *dir,
                     const char *const *names, size_t k, unsigned long long gen,
                     struct og_error *err);
/* Remove name from dir on nodes (name NULL: the whole directory). A file
 * the journal orders is removed with the next generation (a tombstone in
 * the manifest of every node, after the removal). */
int jdist_remove(const struct worker *w, const char *const *nodes, size_t n, const char *dir,
                 const char *name, struct og_error *err);
/* Load every node's copy of dir (scratch: a private directory to unpack the
 * copies in, removed after), reconcile, and (when repair) bring every node
 * level with the agreed journal file by file, the merged manifest last: a
 * node missing the directory gets all of it, a node holding an older or torn
 * copy of a file gets the newest. ret: the agreed view (not present when no
 * node has one); *ret_repaired (may be NULL): bit i set when nodes[i] was
 * given anything. */
int jdist_reconcile_repair(const struct worker *w, const char *const *nodes, size_t n,
                           const char *dir, const char *scratch, bool repair,
                           struct journal_view *ret, unsigned long long *ret_repaired,
                           struct og_error *err);
int jdist_reconcile(const struct worker *w, const char *const *nodes, size_t n, const char *dir,
                    const char *scratch, bool repair, struct journal_view *ret,
                    struct og_error *err);

/* The worker side of `--local dump DIR`: the top-level regular files of dir
 * (each <= JOURNAL_CARRIED_MAX, the whole <= JOURNAL_DUMP_MAX; over is
 * OGUP-60003, never a cut) as JSON {"present":bool,"files":{"name":"content",...}}. */
int jdist_dump(const char *dir, struct dynbuf *out, struct og_error *err);
/* The caller side: write the files of a dump into dir (created 0700);
 * *present = whether the node had the directory. */
int jdist_undump(const char *json, const char *dir, bool *present, struct og_error *err);
