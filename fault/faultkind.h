/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * faultkind.h - the one table of fault kinds: the ledger's "kind", ogfault's
 * commands and --help, a scenario's <fault kind> and its attributes, the
 * heatmap's columns all come from it.
 *
 * A kind takes a NODE (but failpoint) and at most one argument more:
 *
 *   kind            argument         ogfault            a scenario's <fault>
 *   partition       the other node   NODE_B             peer="NODE_B"
 *   net-loss        the loss, 1..100 --percent P        percent="P" (required)
 *   disk-full       bytes left free  --free-bytes N     free-bytes="N" (optional)
 *   failpoint       the spec         NAME=ACTION[,...]  (not a kind there: <failpoint>)
 *
 * Every kind applies to every driver (lxc, qemu). The order is the ledger's
 * and the heatmap's; names and order never change (ledgers on disk, reports).
 */
#pragma once

#include <stdbool.h>

enum fault_kind {
    FAULT_DISK_FULL,
    FAULT_NET_CUT,
    FAULT_NET_LOSS,
    FAULT_PARTITION,
    FAULT_KILL_DB,
    FAULT_KILL_UPGRADER,
    FAULT_POWER_OFF,
    FAULT_FREEZE,
    FAULT_FAILPOINT,
    FAULT_KIND_COUNT,
};

/* The argument a kind takes besides its NODE. */
enum fault_arg {
    FAULT_ARG_NONE,
    FAULT_ARG_PEER,       /* the second node (ogfault: a positional NODE_B) */
    FAULT_ARG_PERCENT,    /* required */
    FAULT_ARG_FREE_BYTES, /* optional */
    FAULT_ARG_SPEC,       /* instead of a NODE (ogfault: a positional spec) */
};

struct fault_kind_info {
    const char *name;     /* ledger, ogfault command, scenario kind="" */
    enum fault_arg arg;   /* what it takes besides NODE */
    bool in_scenarios;    /* a scenario's <fault kind> may name it */
    const char *synopsis; /* ogfault --help: the command's line ... */
    const char *help;     /* ... and what it does ('\n': a continuation line) */
};

/* The kind's row; NULL when k is not a kind. */
const struct fault_kind_info *fault_kind_info(enum fault_kind k);
/* "?" when k is not a kind. */
const char *fault_kind_name(enum fault_kind k);
/* -1 when name is not a kind. */
int fault_kind_from_name(const char *name);
/* The kinds a scenario may inject: fault_kind_from_name() of those with
 * in_scenarios; -1 otherwise. */
int fault_kind_from_scenario_name(const char *name);

/* ogfault's option for an argument ("--percent", "--free-bytes"); NULL for a
 * positional one (peer, spec) or none. */
const char *fault_arg_option(enum fault_arg a);
/* A scenario's attribute for it ("peer", "percent", "free-bytes"); NULL for
 * spec and none. */
const char *fault_arg_attribute(enum fault_arg a);
