/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * Internal to libfault's injector: what fault.c (open, the nodes, the
 * effects and their undo, inject, heal), fault_prepare.c (the undo
 * information per kind, before anything is written) and fault_sweep.c (what
 * no live entry owns) share.
 */
#pragma once

#include <limits.h>

#include "command.h"
#include "fault.h"
#include "ledger.h"
#include "ogerror.h"
#include "simcluster.h"
#include "simdriver.h"

#define EXEC_TIMEOUT_MS (60 * 1000)
#define BALLAST_PREFIX  "ogfault-ballast-"

struct fault {
    struct sim_cluster c;
    char ledger_path[PATH_MAX];
    struct lockfile *lock;
    struct ledger *l;
    struct simdriver *d; /* opened on first use */
};

/* ---- nodes (fault.c) ---- */
const struct sim_node *fault_find_node(const struct fault *f, const char *name,
                                       struct og_error *err);
int fault_driver(struct fault *f, struct simdriver **ret, struct og_error *err);
int fault_node_state(struct fault *f, const struct sim_node *n, enum node_state *ret,
                     struct og_error *err);
int fault_need_running(struct fault *f, const struct sim_node *n, struct og_error *err);
/* Run argv inside node as user; the result in res (exit status not checked). */
int fault_in_node(struct fault *f, const struct sim_node *n, const char *user,
                  const char *const *argv, int timeout_ms, struct command_result *res,
                  struct og_error *err);
/* ... and it must exit 0. */
int fault_in_node_ok(struct fault *f, const struct sim_node *n, const char *user,
                     const char *const *argv, int timeout_ms, struct command_result *res,
                     struct og_error *err);
/* The server's pid from postmaster.pid when it runs; 0 when it does not. */
int fault_db_pid(struct fault *f, const struct sim_node *n, long *ret, struct og_error *err);

/* ---- prepare (fault_prepare.c) ---- */
/* The entry's node(s), parameters and undo information, per kind, before
 * anything is written or installed. */
int fault_prepare(struct fault *f, const struct fault_req *q, struct ledger_entry *e,
                  struct og_error *err);
