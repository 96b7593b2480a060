/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * Internal to the grey plan: what grey.c (the steps, the record) and
 * grey_run.c (the actions, the batches, the commit) share.
 */
#pragma once

#include "grey.h"
#include "inplace_int.h"

/* the grey plan's step indices */
enum {
    S_PREPARE,
    S_INSTALL,
    S_CATALOG,
    S_SYNC_CONFIG,
    S_SWITCH_PROCESS,
    S_POST_CHECK,
    S_POST_CATALOG,
    S_PRE_COMMIT,
};

int grey_step_of(const struct inplace *u, const char *node);
bool grey_every_node_at(const struct inplace *u, int step);
int grey_max_step(const struct inplace *u);
/* upgrade_step.csv as u->steps says, on every node */
int grey_put_steps(struct inplace *u, struct og_error *err) _warn_unused_result_;
/* the batch (u->targets) into GREY_NODES_FILE on every node */
int grey_put_targets(struct inplace *u, struct og_error *err) _warn_unused_result_;
/* a worker verb on each of nodes / verb DATADIR on each of nodes */
int grey_each_node(struct inplace *u, const char *const *nodes, size_t n, const char *const *verb,
                   const char *what, struct og_error *err) _warn_unused_result_;
int grey_each_datadir(struct inplace *u, const char *const *nodes, size_t n, const char *verb,
                      const char *what, struct og_error *err) _warn_unused_result_;
int grey_record(void *ctx, int index, enum engine_state state, bool undoing, struct og_error *err);
/* "['n1', 'n2']", as openGauss prints a node list */
void grey_list_nodes(const char *const *nodes, size_t n, char *buf, size_t size);
