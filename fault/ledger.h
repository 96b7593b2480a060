/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * ledger.h - the host-side record of every fault of one cluster.
 *
 * The ledger is one JSON file per cluster ($OGSIM_STATE_DIR/<name>/faults.json),
 * mode 0600, replaced crash-safely (fs_replace_file: temp, fsync, rename,
 * fsync dir): a reader sees the old ledger or the new one, never half.
 * Read-modify-write happens under an OFD lock on faults.lock beside it (the
 * kernel drops it when the holder dies). An entry is written BEFORE its fault
 * is installed (state installing) and carries the exact undo information, so
 * a sweep can heal whatever a crashed injector left behind.
 *
 * States: installing -> active -> healed, or installing -> healed (the
 * install failed and was undone, or a sweep healed it). healed is final.
 */
#pragma once

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#include "cleanup.h"
#include "dynbuf.h"
#include "faultkind.h"
#include "lockfile.h"
#include "ogerror.h"

#define LEDGER_FORMAT      1
#define LEDGER_FILE        "faults.json"
#define LEDGER_LOCK        "faults.lock"
#define LEDGER_MAX_BYTES   (4u << 20) /* a bigger file is refused, never truncated */
#define LEDGER_MAX_ENTRIES 4096
#define LEDGER_RULES_MAX   4
#define LEDGER_RULE_MAX    512
#define LEDGER_PIDS_MAX    16

enum fault_state {
    FAULT_INSTALLING,
    FAULT_ACTIVE,
    FAULT_HEALED,
};

/* What was asked for, and what the install measured. */
struct fault_params {
    long long free_bytes;    /* disk-full: bytes left available (-1: not given) */
    long long ballast_bytes; /* disk-full: size of the ballast once installed */
    int percent;             /* net-loss: 1..100 */
    char spec[512];          /* failpoint: the OGUP_FAILPOINTS spec */
    size_t n_pids;           /* kill-upgrader: the processes killed */
    long pids[LEDGER_PIDS_MAX];
};

/* The exact undo information, known before the fault is installed. */
struct fault_undo {
    char domain[64];     /* power-off, freeze, disk-full: the libvirt domain */
    char veth[16];       /* net-cut: the host-side interface */
    char path[PATH_MAX]; /* disk-full: the ballast file (a path inside the node) */
    char chain[32];      /* net-loss, partition: the iptables chain */
    size_t n_rules;      /* ... and the rule specs in it, tokens separated by one space */
    char rules[LEDGER_RULES_MAX][LEDGER_RULE_MAX];
    long pid;        /* kill-db: the server killed */
    bool restart_db; /* kill-db, power-off: the instance ran and is started again */
};

struct ledger_entry {
    int id;
    enum fault_kind kind;
    size_t n_nodes;
    char nodes[2][64];
    struct fault_params params;
    struct fault_undo undo;
    enum fault_state state;
    char created[32]; /* UTC, ISO 8601; "" when not yet */
    char installed[32];
    char healed[32];
    char error[512]; /* why an install or heal failed ("" when none) */
};

struct ledger {
    char cluster[32];
    int next_id;
    size_t n;
    struct ledger_entry *entries;
};

const char *fault_state_name(enum fault_state s);
int fault_state_from_name(const char *name);

/* An empty ledger for cluster. */
int ledger_new(const char *cluster, struct ledger **ret, struct og_error *err);
void ledger_free(struct ledger *l);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct ledger *, ledger_free)
#define _cleanup_ledger_ _cleanup_(ledger_freep)

/* Parse a ledger's JSON; anything malformed is -OG_E_FAULT_LEDGER and no
 * ledger is returned (a bad file is never half-trusted). */
int ledger_parse(const char *text, struct ledger **ret, struct og_error *err);
/* The ledger as JSON (pretty, ends with a newline). */
int ledger_format(const struct ledger *l, struct dynbuf *out);
/* One entry as a JSON object text (for `ogfault list --json` per entry). */
int ledger_entry_format(const struct ledger_entry *e, struct dynbuf *out);

/* Load path; a missing file is an empty ledger for cluster. */
int ledger_load(const char *path, const char *cluster, struct ledger **ret, struct og_error *err);
/* Replace path crash-safely, mode 0600. */
int ledger_save(const struct ledger *l, const char *path, struct og_error *err);

/* Take the ledger's lock (LEDGER_LOCK in dir), waiting up to timeout_ms. */
int ledger_lock(const char *dir, int timeout_ms, struct lockfile **ret, struct og_error *err);

/* Append a new entry (id = next_id++, state installing, created = now);
 * the returned pointer stays valid until the next ledger_add. */
int ledger_add(struct ledger *l, enum fault_kind kind, struct ledger_entry **ret,
               struct og_error *err);
struct ledger_entry *ledger_find(struct ledger *l, int id);

/* Move e to state s (stamping the time); -OG_E_FAULT_STATE unless
 * installing->active, installing->healed or active->healed. */
int ledger_entry_set_state(struct ledger_entry *e, enum fault_state s, struct og_error *err);

/* Split a rule spec into argv tokens (pointers into buf, a copy of spec);
 * returns the count or -OG_E_TOO_LARGE beyond max-1 tokens. */
int ledger_rule_split(const char *spec, char *buf, size_t bufsize, const char **argv, size_t max);

/* Register the ledger's failpoint (fault.ledger.mid-write). */
int ledger_register_failpoints(void);

/* Now as "YYYY-MM-DDTHH:MM:SSZ". */
void ledger_now(char *buf, size_t size);
