/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * workload_int.h - the workload's inside, shared by workload.c (options,
 * state files, libpq helpers), workload_start.c (start, stop),
 * workload_daemon.c (the background process), workload_report.c (the logs,
 * the report) and workload_check.c (the nodes compared with the logs).
 */
#pragma once

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cleanup.h"
#include "ogerror.h"
#include "workload.h"

/* The files of a state directory. */
#define CONF_FILE  "workload.conf"
#define LOCK_FILE  "workload.lock"
#define PID_FILE   "workload.pid"
#define STATS_FILE "workload.stats"
#define OUT_FILE   "workload.out"

#define CHECK_STMT_TIMEOUT_MS (120 * 1000)

DEFINE_TRIVIAL_CLEANUP_FUNC(PGconn *, PQfinish)
DEFINE_TRIVIAL_CLEANUP_FUNC(PGresult *, PQclear)
#define _cleanup_pgconn_ _cleanup_(PQfinishp)
#define _cleanup_pgres_  _cleanup_(PQclearp)

#define HOSTS_CSV_MAX (WORKLOAD_MAX_HOSTS * (WORKLOAD_HOST_MAX + 1) + 1)
#define PORTS_CSV_MAX (WORKLOAD_MAX_HOSTS * 6 + 1)

/* workload.conf: the options a run started with, and its number. */
struct wl_conf {
    struct workload_opts o;
    int run;
};

enum wl_outcome {
    WL_OK,     /* the server answered with the wanted status */
    WL_FAILED, /* the server reported an ERROR and the session lives: nothing committed */
    WL_DOUBT,  /* connection lost, FATAL, timeout: the outcome is unknown */
};

struct wl_conninfo {
    const char *keys[10];
    const char *values[10];
    char hosts[HOSTS_CSV_MAX];
    char ports[PORTS_CSV_MAX];
    char port1[8];
    char appname[64];
};

/* workload.c */
int64_t wl_mono_ns(void);
int64_t wl_unix_ms(void);
void wl_sleep_ms(int ms);
/* dir/name into buf. */
void wl_path_in(char *buf, size_t size, const char *dir, const char *name);
/* Strict decimal integer in [min, max]; -1 otherwise. */
int wl_parse_int64(const char *s, int64_t min, int64_t max, int64_t *ret);
int wl_conf_write(const struct wl_conf *c, struct og_error *err);
/* The workload.conf of state_dir, which must exist and hold one. */
int wl_conf_read(const char *state_dir, struct wl_conf *c, struct og_error *err);
int wl_stats_write(const char *state_dir, const struct workload_stats *s, struct og_error *err);
/* Multi-host (host_index < 0) or single-host connection parameters. */
void wl_conninfo_init(struct wl_conninfo *ci, const struct workload_opts *o, int host_index,
                      const char *dbname, const char *attrs, const char *appname);
PGconn *wl_connect(const struct wl_conninfo *ci);
/* libpq's message on one line, without its trailing newline. */
const char *wl_pq_msg(const char *m, char *buf, size_t size);
/* One statement, answered within timeout_ms, its outcome classified. */
enum wl_outcome wl_exec(PGconn *c, const char *sql, int nparams, const char *const *values,
                        ExecStatusType want, int timeout_ms, PGresult **ret_res);
/* sql bounded by CHECK_STMT_TIMEOUT_MS wanting status want; errors carry
 * their SQLSTATE. */
int wl_sql_run_params(PGconn *c, const char *sql, int nparams, const char *const *values,
                      ExecStatusType want, PGresult **ret, struct og_error *err);
int wl_sql_run(PGconn *c, const char *sql, ExecStatusType want, PGresult **ret,
               struct og_error *err);
/* A session on the primary (target_session_attrs=primary) of o's hosts. */
int wl_connect_primary(const struct workload_opts *o, const char *dbname, PGconn **ret,
                       struct og_error *err);

/* workload_daemon.c */
/* The background process: returns its exit status. ready_fd gets one
 * struct og_error (code 0 = started) and is closed. */
int wl_daemon_run(const struct wl_conf *conf, int ready_fd);
