/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * runner_int.h - the scenario runner's inside, shared by runner.c (one
 * scenario played, the run), runner_util.c (log, checks, bundle, host and
 * node commands), runner_fault.c (ogfault, faults during an action, heal,
 * sweep) and runner_group.c (one cluster per group, snapshots, reset).
 */
#pragma once

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>

#include "command.h"
#include "engine.h"
#include "failpoint.h"
#include "expect.h"
#include "plan.h"
#include "runner.h"
#include "simcluster.h"

#define MAX_GROUPS       64
#define MAX_CACHED       16
#define MAX_FAULTS       32
#define WATCH_POLL_US    20000
#define PAUSE_DEADLINE_S 180 /* a paused failpoint goes on by itself after this */
#define STATUS_POLL_MS   1000
#define CLUSTER_DATA_MIB 384
#define WORKLOAD_DB      "ogsim_wl"
#define CLUSTERCONFIG    "/home/omm/clusterconfig.xml"

struct group {
    char version[16];
    int nodes;
    int databases;
    char driver[8];
    char name[32];
    bool up;
    bool fresh; /* just brought up: the first scenario needs no restore */
    struct sim_cluster c;
    char cached[MAX_CACHED][24]; /* snapshot names of prepared clusters */
    char *cached_dump_all[MAX_CACHED], *cached_dump_user[MAX_CACHED]; /* taken before the
                                                                       * cached upgrade */
    size_t n_cached;
};

struct fault_map {
    char label[80];
    int ledger_id;
};

struct runner {
    const struct scn_run_opts *o;
    FILE *log;
    char run_dir[PATH_MAX];
    struct group groups[MAX_GROUPS];
    size_t n_groups;
    /* the scenario being played */
    struct group *g;
    const struct scenario *sc;
    struct scn_result *res;
    char bundle[PATH_MAX];
    struct fault_map faults[MAX_FAULTS];
    size_t n_faults;
    size_t n_cmd; /* outputs saved in the bundle */
    char *dump_pre_all, *dump_pre_user;
    bool workload_started;
    char wl_dir[PATH_MAX];
    bool steps_failed;
    double t0; /* the scenario's start: the timeline's zero */
};

/* runner_util.c */
double rn_now_s(void);
void rn_say(struct runner *rn, const char *fmt, ...) _printf_(2, 3);
void rn_set_message(struct runner *rn, enum scn_verdict v, const char *msg);
void rn_harness_error(struct runner *rn, const char *fmt, ...) _printf_(2, 3);
void rn_add_check(struct runner *rn, const struct scn_check *c);
void rn_add_step(struct runner *rn, const char *label, int line, double t0, bool ok,
                 const char *detail);
bool rn_failed(const struct runner *rn);
int rn_host_run(const char *const *argv, int timeout_ms, struct command_result *res,
                struct og_error *err);
int rn_node_sh(const struct runner *rn, const char *node, const char *user, const char *script,
               int timeout_ms, struct command_result *res, struct og_error *err);
void rn_bundle_write(struct runner *rn, const char *name, const char *text);
void rn_bundle_command(struct runner *rn, const char *name, const char *what, double secs,
                       const struct command_result *res, const char *error);
void rn_host_path(const struct runner *rn, const char *node, const char *node_path, char *buf,
                  size_t size);
/* The host path of file in node's journal (JOURNAL_DIR_NAME under $PGHOST);
 * file "": the journal directory itself. */
void rn_journal_file(const struct runner *rn, const char *node, const char *file, char *buf,
                     size_t size);
/* The first line of node1's ogup_step (INPLACE_STEP_FILE), "" when none. */
void rn_read_ogup_step(const struct runner *rn, char *buf, size_t size);
void rn_copy_tree(const char *src, const char *dst);
/* An event of the scenario's timeline, at t (rn_now_s() clock). */
void rn_event(struct runner *rn, double t, const char *kind, const char *fmt, ...) _printf_(4, 5);

/* runner_fault.c */
bool rn_ogfault_present(const struct runner *rn);
int rn_ogfault_run(struct runner *rn, const char *const *args, struct command_result *res,
                   struct og_error *err);
int rn_inject(struct runner *rn, const struct scn_fault *f, int *ret_id, char *detail,
              size_t dsize);
void rn_remember_fault(struct runner *rn, const struct scn_fault *f, int id);
void rn_play_fault(struct runner *rn, size_t index);
void rn_play_heal(struct runner *rn, size_t index);
void rn_sweep(struct runner *rn);

/* Faults during an action: a thread watches node1's journal record and the
 * pause file of a paused failpoint, strikes each fault at its moment (a
 * transient one, for-ms, is healed that long after), and records the step
 * it struck (a fault after "X done" struck the step that begins next). */
struct watch_fault {
    const struct scn_fault *f;
    int step_index; /* timed by the journal; -1: at the paused failpoint */
    bool fired, healed, row_pending;
    int ledger_id;
    int rc;
    double at_s, healed_at_s; /* since the watcher started */
    char row[64];
    char record[192];
    char detail[512];
    char heal_detail[256];
};

struct watcher {
    struct runner *rn;
    bool undo;
    struct watch_fault wf[SCN_MAX_DURING];
    size_t n;
    atomic_bool stop;
    double t0;
    char initial[256];
    struct stat st0;
    bool had_file;
    char pause_file[PATH_MAX]; /* host path; "" when no fault waits for a pause */
    char paused_at[128];
    bool released;
    double released_at_s;
    pthread_t th;
    bool running;
};

/* OGUP_FAILPOINT_PAUSE_FILE=... for the command line when s pauses. */
void rn_pause_env(const struct runner *rn, const struct scn_step *s, struct dynbuf *cmd);
int rn_watch_start(struct runner *rn, size_t index, bool undo, struct watcher *w);
void rn_watch_stop(struct watcher *w);
bool rn_watch_account(struct runner *rn, const struct watcher *w, size_t index,
                      enum scn_step_kind action);

/* runner.c */
void rn_play_action(struct runner *rn, size_t index);
char *rn_take_dump(struct runner *rn, bool user, struct og_error *err);

/* runner_workload.c: ogsim workload VERB for the scenario; start (once per
 * scenario: before a cached upgrade, else after the reset); the check's
 * figures into o and the result. */
int rn_workload_cmd(struct runner *rn, const char *verb, struct command_result *res,
                    struct og_error *err);
int rn_workload_start(struct runner *rn);
void rn_workload_report(struct runner *rn, struct scn_observed *o);

/* runner_group.c */
int rn_prepare(struct runner *rn, const char *version, char *detail, size_t dsize);
int rn_create_mot(struct runner *rn, char *detail, size_t dsize);
void rn_group_down(struct runner *rn, struct group *g);
int rn_reset(struct runner *rn, const struct scn_set *set, size_t *first_step);
struct group *rn_group_of(struct runner *rn, const struct scenario *sc);
