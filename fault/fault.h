/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * fault.h - libfault: inject faults into the nodes of a simulated cluster,
 * heal them, and sweep up after a crashed injector.
 *
 * A struct fault holds one cluster (sim_load) and its ledger, under the
 * ledger's lock from fault_open() to fault_close(): one injector per cluster
 * at a time; `ogfault list` reads the ledger without the lock (it is always
 * whole). Every injection:
 *   1. prepare: the exact undo information (veth, rule specs, ballast path,
 *      the server's pid, whether the instance must be restarted);
 *   2. the entry is saved, state installing       (failpoint fault.install.after-ledger)
 *   3. the effect                                  (failpoint fault.install.after-effect)
 *   4. the entry becomes active and is saved.
 * A failed effect is undone at once and the entry saved healed with the
 * error. fault_heal() undoes an entry and marks it healed; an undo of
 * something already gone is fine. fault_sweep() heals every entry not yet
 * healed, newest first, then removes what no live entry owns: rules of the
 * cluster's chain (and the chain when empty), ballast files, veths left
 * down, domains left paused.
 */
#pragma once

#include <stdbool.h>

#include "dynbuf.h"
#include "ledger.h"
#include "ogerror.h"

struct fault;

struct fault_req {
    enum fault_kind kind;
    const char *node;     /* every kind but failpoint */
    const char *node2;    /* partition */
    long long free_bytes; /* disk-full: bytes left free (0: fill until ENOSPC) */
    int percent;          /* net-loss: 1..100 */
    const char *spec;     /* failpoint: NAME=ACTION[,NAME=ACTION...] */
};

/* Register libfault's failpoints (fault.install.after-ledger,
 * fault.install.after-effect, fault.heal.after-effect, fault.ledger.mid-write). */
int fault_register_failpoints(void);

/* Load cluster and its ledger, holding the ledger's lock (waits up to
 * timeout_ms for another injector). */
int fault_open(const char *cluster, int timeout_ms, struct fault **ret, struct og_error *err);
void fault_close(struct fault *f);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct fault *, fault_close)
#define _cleanup_fault_ _cleanup_(fault_closep)

const struct ledger *fault_ledger(const struct fault *f);
/* $OGSIM_STATE_DIR/<cluster>/faults.json */
void fault_ledger_path(const char *cluster, char *buf, size_t size);

/* Inject; *ret_id is the entry's id (also when the install failed: the
 * entry is then healed, with its error). */
int fault_inject(struct fault *f, const struct fault_req *q, int *ret_id, struct og_error *err);

/* Undo entry id and mark it healed (healed already: 0). */
int fault_heal(struct fault *f, int id, struct og_error *err);
/* Heal every entry not healed, newest first; *ret_count = how many. */
int fault_heal_all(struct fault *f, size_t *ret_count, struct og_error *err);
/* Heal the active freeze of node (`ogfault thaw`). */
int fault_thaw(struct fault *f, const char *node, int *ret_id, struct og_error *err);

/* heal_all, then remove what no live entry owns; one line per action in report. */
int fault_sweep(struct fault *f, struct dynbuf *report, struct og_error *err);
/* Chains OGFAULT-<name> of clusters that no longer exist: removed. */
int fault_sweep_orphan_chains(struct dynbuf *report, struct og_error *err);

/* Validate an OGUP_FAILPOINTS spec against the upgrader's failpoints. */
int fault_failpoint_check(const char *spec, struct og_error *err);
/* The specs of every active failpoint entry, comma-joined ("" when none). */
int fault_failpoint_env(const struct ledger *l, struct dynbuf *out);
