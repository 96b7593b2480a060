/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * scenario.h - one scenario file: the cluster it starts from, the steps the
 * runner plays, and what must hold (expectations).
 *
 * A file is read with libxml2, validated against the schema compiled into
 * the program (schema/scenario.rng), then checked for what a schema cannot
 * say (the semantic rules below). Every error is OGUP-60060 with the detail
 * "FILE:LINE: rule RULE: message", RULE being the schema's element or one of
 *     version-known     a version the simulator has (cluster, prepare, version)
 *     node-in-cluster   node/peer within the cluster's nodes
 *     failpoint-known   a failpoint gs_upgradectl registers (--list-failpoints)
 *     when-step-known   a step of the plan the action runs (fault when=)
 *     when-failpoint    when="failpoint" needs a failpoint with action pause
 *     fault-params      partition needs peer, net-loss percent
 *     fault-id-unique / heal-known   fault ids
 *     rerun-after-action             rerun repeats an earlier action
 *     workload-required lost-writes/write-gap need a <workload>
 *     id-unique         one id per scenario in a set of files
 */
#pragma once

#include "faultkind.h"

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#include "cleanup.h"
#include "dynbuf.h"
#include "ogerror.h"

#define SCN_MAX_STEPS     64
#define SCN_MAX_EXPECTS   32
#define SCN_MAX_FPS       8
#define SCN_MAX_DURING    4
#define SCN_MAX_MOT       8
#define SCN_MAX_FILE_SIZE (256 * 1024) /* a scenario file is small */
#define SCN_MAX_FILES     2048
#define SCN_EXIT_DEFAULT  -1 /* the action's success code (upgrade 0, rollback 2, commit 5) */
#define SCN_EXIT_KILLED   -2 /* killed by SIGKILL (bash reports 137) */
/* the action's success code, or exit 1 with a [GAUSS-/OGUP-] code, or (only with a
 * kill-upgrader fault in the step) killed: a fault whose timing decides whether the
 * run rides through it; the scenario asserts the recovery that follows */
#define SCN_EXIT_CODED -3

enum scn_step_kind {
    SCN_PREPARE,
    SCN_UPGRADE,
    SCN_ROLLBACK,
    SCN_COMMIT,
    SCN_RERUN,
    SCN_FAULT,
    SCN_HEAL,
    SCN_WAIT,
    SCN_CHECK,
};

enum scn_expect_kind {
    SCN_E_CLUSTER_STATE,
    SCN_E_VERSION,
    SCN_E_JOURNAL,
    SCN_E_LOST_WRITES,
    SCN_E_WRITE_GAP,
    SCN_E_DUMP,
};

struct scn_failpoint {
    char name[128];
    char action[16]; /* kill, pause, exit:N, fail:CODE */
    int hit;         /* 0: every hit; K: the K-th only */
    int line;
};

struct scn_fault {
    enum fault_kind kind; /* fault/faultkind.h: the one table of fault kinds */
    char node[16];
    char peer[16];        /* partition */
    int percent;          /* net-loss; 0 = unset */
    long long free_bytes; /* disk-full; -1 = unset */
    char id[80];          /* the scenario's label for heal ("" = none) */
    char when_step[32];   /* during an action: the journal's step; "" = between steps */
    bool when_done;       /* when the step is recorded done (else begin) */
    bool at_failpoint;    /* when="failpoint": at the step's paused failpoint */
    int for_ms;           /* during an action: healed this long after it struck; 0 = not */
    int line;
};

struct scn_expect {
    enum scn_expect_kind kind;
    char node[16];   /* version, journal: "all" or nodeN */
    char value[32];  /* cluster-state, version */
    int step;        /* journal */
    bool absent;     /* journal: no binary_upgrade */
    long long max;   /* lost-writes, write-gap (ms) */
    bool user_scope; /* dump: user databases without og_catalog */
    int timeout_s;   /* cluster-state: how long to wait for it */
    int line;
};

struct scn_step {
    enum scn_step_kind kind;
    int line;
    char version[16]; /* prepare */
    /* upgrade / rollback / commit / rerun */
    char flags[320];
    bool force;
    int exit_code;     /* SCN_EXIT_DEFAULT, _KILLED, _CODED or a number */
    bool has_exit_alt; /* exit="0|1": exit_alt is accepted too */
    int exit_alt;
    bool grey;     /* the action runs the grey plan (set at load: scn_step_plan) */
    char code[16]; /* "GAUSS-52902" / "OGUP-60070" or "" */
    char output[208];
    int timeout_s;
    struct scn_failpoint fps[SCN_MAX_FPS];
    size_t n_fps;
    struct scn_fault during[SCN_MAX_DURING];
    size_t n_during;
    /* fault */
    struct scn_fault fault;
    /* heal: "" = all */
    char heal_id[80];
    /* wait */
    int wait_ms;
    bool wait_normal;
    int wait_timeout_s;
    /* check */
    struct scn_expect expects[SCN_MAX_EXPECTS];
    size_t n_expects;
};

struct scn_mot {
    char table[64];
    char database[64];
};

struct scenario {
    char id[96];
    char suite[48];
    char title[208];
    char tags[208];
    char file[PATH_MAX];
    /* the cluster */
    char version[16];
    int nodes;
    int databases;
    char driver[8]; /* "lxc", "qemu"; "" = the run's */
    struct scn_mot mot[SCN_MAX_MOT];
    size_t n_mot;
    bool workload;
    int writers;
    int readers;
    int duration_s; /* 0: until the steps end */
    int rate;       /* commits per second per writer (0: as fast as they can) */
    /* what happens */
    struct scn_step steps[SCN_MAX_STEPS];
    size_t n_steps;
    /* what must hold at the end */
    struct scn_expect expects[SCN_MAX_EXPECTS];
    size_t n_expects;
};

/* The schema compiled in (schema/scenario.rng) and its source path. */
const char *scenario_schema(size_t *ret_len);
const char *scenario_schema_path(void);

/* Parse and validate one scenario held in memory; origin names it in
 * errors. The suite defaults to the name of the file's directory. */
int scenario_parse_memory(const char *text, size_t len, const char *origin, struct scenario **ret,
                          struct og_error *err);
int scenario_parse_file(const char *path, struct scenario **ret, struct og_error *err);
void scenario_free(struct scenario *s);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct scenario *, scenario_free)
#define _cleanup_scenario_ _cleanup_(scenario_freep)

/* A set of scenarios read from files and directories (*.xml, recursively,
 * in name order). Files that do not parse are kept as errors, one line each
 * ("[OGUP-60060] : detail"), so `validate` can name every bad file. */
struct scn_set {
    struct scenario **v;
    size_t n;
    struct dynbuf errors; /* one line per bad file */
    size_t n_errors;
};

int scn_set_load(const char *const *paths, size_t n_paths, struct scn_set *ret,
                 struct og_error *err);
void scn_set_done(struct scn_set *set);
/* Keep only the scenarios whose id, suite/id or tags match glob pattern
 * (fnmatch); NULL keeps all. */
void scn_set_filter(struct scn_set *set, const char *pattern);

/* The shard (0-based) of each of n ids, of shards: the ids ordered by their
 * FNV-1a hash (then by id) and dealt out in turn, so a split is
 * deterministic for a set whatever order it was loaded in, every shard is
 * self-contained, shard sizes differ by at most one, and the fault kinds
 * spread evenly (dealing in file order would give one shard every net-cut).
 * -OG_E_NOMEM on allocation failure. */
int scn_shard_assign(const char *const *ids, size_t n, unsigned shards, unsigned *ret);

/* Keep only shard k (0-based) of n of set (scn_shard_assign); 0 or
 * -OG_E_NOMEM (set unchanged). */
int scn_set_shard(struct scn_set *set, unsigned k, unsigned n) _warn_unused_result_;

/* Each scenario of set played times times in a row (a flakiness check):
 * the copies are read again from the scenario's file and get the ids
 * ID~1 ... ID~times. 0, or a negative code with set unchanged. */
int scn_set_repeat(struct scn_set *set, unsigned times, struct og_error *err) _warn_unused_result_;

/* Names for kinds (schema spelling). */
const char *scn_step_kind_name(enum scn_step_kind k);
const char *scn_expect_kind_name(enum scn_expect_kind k);

/* gs_upgradectl's action for a step (auto-upgrade, ...); rerun: NULL. */
const char *scn_action_name(enum scn_step_kind k);
/* The exit code action k of step s exits with when it succeeds (a commit:
 * by the plan, s->grey). */
int scn_action_success_exit(const struct scn_step *s, enum scn_step_kind k);
/* The exit of the action k failing: 3 for an auto-rollback, else 1. */
int scn_action_failure_exit(enum scn_step_kind k);
/* The step has a failpoint with action pause (its when="failpoint" faults strike there). */
bool scn_step_pauses(const struct scn_step *s);
/* The step injects kill-upgrader while it runs (exit="coded" then accepts killed). */
bool scn_step_has_kill_upgrader(const struct scn_step *s);

/* The failpoints gs_upgradectl registers (from libogup, as --list-failpoints
 * prints them): the names, in plan order. */
size_t scn_failpoints(const char *const **ret);
/* True when name (or a '*' prefix) matches a registered failpoint. */
bool scn_failpoint_known(const char *name);
