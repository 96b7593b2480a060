/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * worker.h - the node-local worker: `gs_upgradectl --local VERB ...` run on
 * cluster nodes through the transport (openGauss's script/local workers).
 * A worker that fails prints "[CODE] : detail" on stderr and exits non-zero;
 * worker_run_all() turns that back into the code, naming the node.
 *
 * Verbs (upgrader/tools/local.c): disk, sha256, om-kernel, kerberos,
 * app-size, backup-space, writable (pre-checks; `checks` asks several in one
 * call), put PATH MODE (stdin -> crash-safe file), rm PATH..., dump DIR (the
 * journal files of DIR as JSON), and the plans' own (local.c's table).
 */
#pragma once

#include <stddef.h>

#include "command.h"
#include "ogerror.h"
#include "transport.h"

struct worker {
    struct transport *t;
    const char *path; /* $GPHOME/script/gs_upgradectl */
    int timeout_ms;   /* per call; 0: the verb's own (worker_verb_timeout_ms) */
};

#define WORKER_TIMEOUT_MS (10 * 60 * 1000) /* the longest: an unknown verb's */
#define WORKER_JOURNAL_MS (60 * 1000)      /* a journal file: small, never minutes */

/* The bound of one worker verb: seconds for a journal file (put, dump) or a
 * removal, minutes for an install or the catalog backup; WORKER_TIMEOUT_MS
 * for a verb not in the table. */
int worker_verb_timeout_ms(const char *verb);
/* The verbs of the table, for tests and docs. */
size_t worker_verb_count(void);
const char *worker_verb_at(size_t i);

/* Run `path --local verb_argv...` on nodes at once, stdin = input (may be
 * NULL). outs (may be NULL) receives each node's stdout (malloc'ed, free()).
 * Returns 0, or the first failing node's code with the node in the detail:
 * its worker's own code, or GAUSS-53507 when the worker gave none. */
int worker_run_all(const struct worker *w, const char *const *nodes, size_t n,
                   const char *const *verb_argv, const void *input, size_t input_len, char **outs,
                   struct og_error *err);

/* One node's run as worker_run_all reports it: the transport's error (terr,
 * code 0: none), the worker's own code from its stderr, or GAUSS-53507; the
 * node named in the detail. Returns 0 or -code. */
int worker_outcome(const char *node, const char *verb, const struct command_result *res,
                   const struct og_error *terr, struct og_error *err);

/* Run on each nodes[i] its own `path --local verb_argvs[i]...`, all at once
 * (transport_run_each: one thread per node), the same verb on every node
 * (its bound is the first's); rcs[i] and errs[i] get each node's outcome as
 * worker_run_all would report it. Returns 0, or -OG_E_INVALID_ARG for more than CLUSTER_MAX_NODES.
 */
int worker_run_each(const struct worker *w, const char *const *nodes, size_t n,
                    const char *const *const *verb_argvs, int *rcs, struct og_error *errs);
