/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * workload.h - the client workload that measures what users feel (libpq).
 *
 * `start` creates the database and the table wl_acked, then forks a
 * background process (setsid) running W writer and R reader threads. Every
 * client connects with libpq multi-host (target_session_attrs=read-write for
 * writers, prefer-standby for readers) and reconnects after any failure with
 * a bounded backoff. A writer inserts unique ids, one autocommit INSERT each,
 * and appends "id\tmonotonic_ns\tlatency_us\n" to its own log, fsync'd, ONLY
 * after the server acknowledged the commit. An INSERT whose outcome is
 * unknown (the connection was lost, the statement timed out) goes to the
 * writer's in-doubt log instead: it is never counted as acked or lost.
 *
 * `stop` signals that process and waits (bounded) for it to exit.
 *
 * `check` reads the logs, finds the primary (read-write), waits until every
 * standby has replayed the primary's current WAL position, and proves that
 * every acknowledged id is on the primary and on every standby. See
 * README.md for the exact definitions and the file formats.
 *
 * The state directory (default $HOME/.ogsim/workload, 0700, files 0600):
 *   workload.conf      the options of the run (key=value), written at start
 *   workload.lock      held by the background process while it runs
 *   workload.pid       its pid (removed when it exits cleanly)
 *   workload.stats     counters (key=value), rewritten every second and at exit
 *   workload.out       the background process's stdout/stderr
 *   writer-N.log       writer N's acknowledged ids
 *   writer-N.doubt     writer N's in-doubt ids
 *
 * Ids: (run << 40) | (writer << 32) | sequence. The run number is one more
 * than the largest run found in wl_acked at start, so ids never repeat across
 * runs against the same database (one workload per database at a time).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "cleanup.h"
#include "dynbuf.h"
#include "ogerror.h"

/* The user the workload logs in as: openGauss admits its initial user over TCP
 * only with its password, so clients have their own (ogsim up creates it). */
#define WORKLOAD_DEFAULT_USER    "ogapp"
#define WORKLOAD_MAX_HOSTS       16
#define WORKLOAD_HOST_MAX        255
#define WORKLOAD_NAME_MAX        63 /* dbname, user: PostgreSQL's NAMEDATALEN - 1 */
#define WORKLOAD_PATH_MAX        1024
#define WORKLOAD_MAX_WRITERS     255 /* 8 bits of the id */
#define WORKLOAD_MAX_READERS     256
#define WORKLOAD_MAX_DURATION    (366 * 24 * 3600)
#define WORKLOAD_MAX_RATE        100000 /* commits per second per writer */
#define WORKLOAD_LOST_LIST_MAX   20
#define WORKLOAD_MAX_IDS         (64u * 1024 * 1024) /* lines over all logs */
#define WORKLOAD_RUN_SHIFT       40
#define WORKLOAD_WRITER_SHIFT    32
#define WORKLOAD_STMT_TIMEOUT_MS 10000 /* a statement not answered by then is in doubt */
#define WORKLOAD_BACKOFF_MIN_MS  50
#define WORKLOAD_BACKOFF_MAX_MS  1000
#define WORKLOAD_CONNECT_TIMEOUT "2" /* libpq connect_timeout, seconds per host */

/* ---- options ------------------------------------------------------------ */

struct workload_opts {
    char hosts[WORKLOAD_MAX_HOSTS][WORKLOAD_HOST_MAX + 1];
    int ports[WORKLOAD_MAX_HOSTS];
    size_t n_hosts;
    char dbname[WORKLOAD_NAME_MAX + 1];
    char user[WORKLOAD_NAME_MAX + 1];
    int writers;
    int readers;
    int duration_s; /* 0 = until stop */
    int rate;       /* commits per second per writer; 0 = as fast as it can (default) */
    bool ack_fsync; /* fsync the ack log per line (default true) */
    char state_dir[WORKLOAD_PATH_MAX];
};

/* Defaults: dbname ogsim_wl, user omm, 4 writers, 2 readers, duration 0,
 * ack_fsync on, state dir $HOME/.ogsim/workload ("" when HOME is unset). */
void workload_opts_init(struct workload_opts *o);

/* "H1,H2,H3": 1..16 hosts, each 1..255 of [A-Za-z0-9._:/-], not starting
 * with '-'. Resets the ports. */
int workload_opts_set_hosts(struct workload_opts *o, const char *csv, struct og_error *err);
/* "P" (every host) or "P1,P2,P3" (one per host, libpq's rule); call after
 * workload_opts_set_hosts. */
int workload_opts_set_ports(struct workload_opts *o, const char *csv, struct og_error *err);
/* A database or user name: 1..63 bytes, not starting with '-', no control
 * characters. */
int workload_check_name(const char *what, const char *name, struct og_error *err);
/* Everything start needs is present and in range. */
int workload_opts_validate(const struct workload_opts *o, struct og_error *err);
/* $HOME/.ogsim/workload into buf; -OG_E_ENV_EMPTY when HOME is unset. */
int workload_default_state_dir(char *buf, size_t size, struct og_error *err);

/* ---- start / stop -------------------------------------------------------- */

struct workload_started {
    pid_t pid;     /* the background process */
    int run;       /* the run number (ids' high bits) */
    bool is_child; /* true in the background process once it has finished:
                    * the caller must return exit_status from main */
    int exit_status;
};

/* Create the database and table (on the primary), prepare the state dir,
 * fork the background process and wait until its clients are started.
 * Returns 0 in the caller with ret->pid set; returns 0 a second time, in the
 * background process after it stopped, with ret->is_child set.
 * -OG_E_LOCKED when a workload already runs in the state dir,
 * -OG_E_CONTENT_INVALID when the dir holds something else,
 * -OG_E_DN_CONNECTIONS when no primary is reachable, -OG_E_SQL. */
int workload_start(const struct workload_opts *o, struct workload_started *ret,
                   struct og_error *err);

struct workload_kind_stats {
    uint64_t acked;          /* writers: acknowledged commits */
    uint64_t in_doubt;       /* writers: outcome unknown */
    uint64_t queries;        /* readers: successful SELECTs */
    uint64_t errors;         /* failed statements (in-doubt ones included) */
    uint64_t connects;       /* successful connections */
    uint64_t reconnects;     /* successful connections after a client's first */
    uint64_t connect_errors; /* failed connection attempts */
    uint64_t log_errors;     /* writers: ack/doubt log write or fsync failures */
    uint64_t read_only;      /* writers: refused by a read-only cluster (SQLSTATE 25006, the
                              * upgrade's read-only window): counted in errors, never
                              * committed, so neither acked nor in doubt nor lost */
};

/* A node's availability as a client of that node alone sees it: a probe per
 * host asks "SELECT 1" of it every WORKLOAD_PROBE_MS (single-host connection,
 * any role) and keeps the longest interval without an answer -- from the
 * start (or the previous answer) to the next answer, or to now while the
 * outage lasts. What "per node" means in an upgrade: the node's own restart. */
#define WORKLOAD_PROBE_MS         50
#define WORKLOAD_PROBE_TIMEOUT_MS 1000
struct workload_probe_stats {
    int64_t longest_ns;      /* longest interval without an answer */
    int64_t longest_from_ns; /* CLOCK_MONOTONIC when it began (the answer before it) */
    uint64_t answers, errors;
};
/* The interval [since_ns, t_ns] had no answer: the longest yet? */
void workload_probe_note(struct workload_probe_stats *s, int64_t since_ns, int64_t t_ns);

struct workload_stats {
    bool running; /* state=running in the file */
    pid_t pid;
    int64_t start_mono_ns; /* CLOCK_MONOTONIC when the clients started */
    int64_t end_mono_ns;   /* 0 while running */
    int64_t start_unix_ms;
    struct workload_kind_stats writer, reader;
    struct workload_probe_stats probes[WORKLOAD_MAX_HOSTS]; /* by the host's index */
    size_t n_probes;
};

/* Signal the background process and wait up to timeout_s for it to exit;
 * *ret (may be NULL) gets its final counters. A workload that already
 * stopped cleanly is a success (*was_running = false); one that died
 * without stopping is -OG_E_NOT_EXIST. -OG_E_TIMEOUT when it did not exit. */
int workload_stop(const char *state_dir, int timeout_s, struct workload_stats *ret,
                  bool *was_running, struct og_error *err);

/* workload.stats of a state dir. */
int workload_stats_read(const char *state_dir, struct workload_stats *ret, struct og_error *err);

/* ---- the logs and the report computations (pure) ----------------------- */

struct workload_ack {
    int64_t id;
    int64_t t_ns;   /* CLOCK_MONOTONIC when the acknowledgement arrived */
    int64_t lat_us; /* INSERT sent -> acknowledged */
};

struct workload_acks {
    struct workload_ack *v;
    size_t n, alloc;
};
void workload_acks_done(struct workload_acks *a);

/* Append the lines of a log ("id\tns\tus\n") to a. A last line without its
 * newline (a torn write) is ignored and counted in *torn; any other bad line
 * is -OG_E_CONTENT_INVALID. A missing file is empty. More than max lines in
 * a is -OG_E_TOO_LARGE. */
int workload_log_read(const char *path, struct workload_acks *a, size_t max, uint64_t *torn,
                      struct og_error *err);

struct workload_gap {
    int64_t gap_ns;  /* longest interval between consecutive acks (0: < 2 acks) */
    int64_t from_ns; /* monotonic time of the ack that opens it */
    int64_t from_id, to_id;
};

/* acks sorted by t_ns (any writer interleaving). */
void workload_longest_gap(const struct workload_ack *acks, size_t n, struct workload_gap *ret);

/* Nearest-rank percentile of sorted values: the value of rank ceil(p/100*n)
 * (1-based); 0 when n == 0. */
int64_t workload_percentile(const int64_t *sorted, size_t n, double p);

/* Merge-compare a node's ids, fed in ascending batches, against the sorted
 * acked set (and the sorted in-doubt set, to explain extra rows). */
struct workload_merge {
    const int64_t *acked;
    size_t n_acked, i;
    const int64_t *doubt;
    size_t n_doubt, j;
    int64_t last;
    bool any;
    uint64_t rows, present, lost, extra, extra_in_doubt;
    int64_t lost_ids[WORKLOAD_LOST_LIST_MAX];
    size_t n_lost_ids;
};
void workload_merge_init(struct workload_merge *m, const int64_t *acked, size_t n_acked,
                         const int64_t *doubt, size_t n_doubt);
/* -OG_E_CONTENT_INVALID when ids are not strictly ascending. */
int workload_merge_feed(struct workload_merge *m, const int64_t *ids, size_t n,
                        struct og_error *err);
void workload_merge_finish(struct workload_merge *m);

/* ---- check ---------------------------------------------------------------- */

enum workload_role {
    WORKLOAD_ROLE_UNREACHABLE,
    WORKLOAD_ROLE_PRIMARY, /* the one read-write clients reach */
    WORKLOAD_ROLE_STANDBY,
    WORKLOAD_ROLE_OTHER_PRIMARY, /* also not in recovery: split brain */
};
const char *workload_role_name(enum workload_role r);

struct workload_node {
    char host[WORKLOAD_HOST_MAX + 1];
    int port;
    enum workload_role role;
    bool checked;   /* ids compared completely */
    bool caught_up; /* standby replayed the primary's WAL position (primary: true) */
    char lsn[32];   /* primary: current WAL position; standby: replayed */
    int64_t catchup_ms;
    char error[512]; /* why unreachable / not checked / not caught up */
    uint64_t rows, lost, extra, extra_in_doubt;
    int64_t lost_ids[WORKLOAD_LOST_LIST_MAX];
    size_t n_lost_ids;
};

struct workload_report {
    char state_dir[WORKLOAD_PATH_MAX];
    int run;
    int writers, readers;
    bool running;
    bool ack_fsync;
    double duration_s;
    int64_t start_mono_ns;
    int64_t start_unix_ms;
    uint64_t acked, in_doubt, torn_lines, duplicate_acks;
    int64_t lat_p50_us, lat_p99_us, lat_max_us;
    struct workload_gap gap;
    int64_t first_ack_ms, last_ack_ms; /* relative to start; -1 without acks */
    struct workload_kind_stats writer, reader;
    /* the probes, by the index of workload.conf's hosts (named in probe_hosts) */
    struct workload_probe_stats probes[WORKLOAD_MAX_HOSTS];
    char probe_hosts[WORKLOAD_MAX_HOSTS][WORKLOAD_HOST_MAX + 8]; /* "host:port" */
    size_t n_probes;
    struct workload_node nodes[WORKLOAD_MAX_HOSTS];
    size_t n_nodes;
    int primary; /* index in nodes, -1 when none */
    bool ok;     /* every node checked and caught up, lost == 0 everywhere */
    /* the sorted id sets (owned) */
    int64_t *acked_ids;
    int64_t *doubt_ids;
};

struct workload_check_opts {
    char state_dir[WORKLOAD_PATH_MAX];
    struct workload_opts hosts; /* n_hosts == 0: the hosts/ports of workload.conf */
    int catchup_timeout_s;      /* default 60 */
};
void workload_check_opts_init(struct workload_check_opts *o);

struct workload_report *workload_report_new(void);
void workload_report_free(struct workload_report *r);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct workload_report *, workload_report_free)
#define _cleanup_workload_report_ _cleanup_(workload_report_freep)

/* Read workload.conf, workload.stats and every log of state_dir into r and
 * compute acked, in doubt, latencies and the longest gap (no database). */
int workload_report_load(struct workload_report *r, const char *state_dir, struct og_error *err);

/* The whole check. On success *ret holds the report, r->ok says whether it
 * passed (nodes unreachable, not caught up or with lost ids make it fail).
 * -OG_E_DN_CONNECTIONS when no primary is reachable (the detail names every
 * host's state). */
int workload_check(const struct workload_check_opts *o, struct workload_report **ret,
                   struct og_error *err);

/* Recompute r->ok from the nodes. */
void workload_report_finish(struct workload_report *r);

int workload_report_format_text(const struct workload_report *r, struct dynbuf *out);
int workload_report_format_json(const struct workload_report *r, struct dynbuf *out);
/* {"ok": false, "error": {"code": "GAUSS-51624", "detail": "..."}} for a
 * check that could not produce a report. */
int workload_error_format_json(const struct og_error *err, struct dynbuf *out);
