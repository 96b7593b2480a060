/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * kpg.h - the kernel's handle on PostgreSQL: postmaster.pid, libpq
 * connections to the local server, and a private "maintenance" server
 * (no TCP, socket in a private directory) used to read or bootstrap the
 * catalog before the real server starts.
 */
#pragma once

#include <libpq-fe.h>
#include <stdbool.h>
#include <sys/types.h>

#include "cleanup.h"
#include "kenv.h"
#include "ogerror.h"

struct kpg_pidfile {
    pid_t pid;
    int port;
    char sockdir[1024];
    char status[32]; /* "starting", "ready", "standby", "stopping" */
};

/* 0, -OG_E_NOT_EXIST (no file) or -OG_E_CONTENT_INVALID. */
int kpg_read_pidfile(const char *datadir, struct kpg_pidfile *ret);

/* The process exists and is not a zombie (reaps it when it is our child). */
bool kpg_pid_alive(pid_t pid);

/* The gatekeeper opened the gate of the server pid: og_gate.open names it
 * (gaussdb.c). */
bool kpg_gate_open(const char *datadir, pid_t pid);

/* The postmaster of datadir is running: pid file present and the pid alive. */
bool kpg_running(const char *datadir, pid_t *ret_pid);

/* Connect over the unix socket in sockdir at port to db. */
PGconn *kpg_connect(const char *sockdir, int port, const char *db, struct og_error *err);
/* Connect to the running server of datadir (from postmaster.pid). */
PGconn *kpg_connect_datadir(const char *datadir, const char *db, struct og_error *err);
static inline void kpg_finishp(PGconn **c)
{
    if (*c)
        PQfinish(*c);
}
#define _cleanup_pgconn_ _cleanup_(kpg_finishp)

/* First column of the first row into buf ("" for NULL); -OG_E_SQL on error,
 * -OG_E_NOT_EXIST when no row. */
int kpg_value(PGconn *c, const char *sql, char *buf, size_t size, struct og_error *err);
/* Run SQL (may hold several statements); -OG_E_SQL on error. */
int kpg_exec(PGconn *c, const char *sql, struct og_error *err);

/* Wait until the server at sockdir:port accepts connections, or pid exits,
 * or timeout. 0, -OG_E_TIMEOUT, or -OG_E_EXEC_FAILED (server exited). */
int kpg_wait_ready(const char *sockdir, int port, pid_t pid, int timeout_ms, struct og_error *err);

/* The port in <datadir>/postgresql.conf (5432 when unset). */
int kpg_conf_port(const char *datadir);

struct kpg_server {
    pid_t pid;
    int port;
    char sockdir[256];
};

/* Start a private server on datadir: listen_addresses='', socket in a fresh
 * 0700 directory, output appended to logpath (NULL: our stdout/stderr). extra: NULL-terminated
 * server arguments appended, may be NULL. */
int kpg_private_start(const struct kenv *k, const char *datadir, const char *logpath,
                      const char *const *extra, struct kpg_server *ret, struct og_error *err);
/* Fast shutdown and wait; removes the socket directory. */
int kpg_private_stop(struct kpg_server *s, struct og_error *err);

/* Signal the postmaster and wait until it is gone (timeout_ms). sig:
 * SIGTERM smart, SIGINT fast, SIGQUIT immediate. dots: print '.' each second. */
int kpg_stop_pid(pid_t pid, int sig, int timeout_ms, bool dots);

/* Milliseconds of a monotonic clock. */
long long kpg_now_ms(void);
