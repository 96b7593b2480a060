/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * gs_ctl switchover, failover and build: a standby promoted with or without
 * its primary's consent, and a data directory rebuilt from the primary.
 */
#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "command.h"
#include "fs.h"
#include "gsctl_int.h"
#include "kconf.h"
#include "kpg.h"
#include "parse.h"
#include "shquote.h"
#include "banned.h"

/* ---- switchover / failover ------------------------------------------------------ */

static int term_of(PGconn *conn)
{
    char tli[16] = "1";
    int term;

    kpg_value(conn, "SELECT timeline_id FROM pg_catalog.pg_control_checkpoint()", tli, sizeof(tli),
              NULL);
    return safe_atoi_range(tli, 1, INT_MAX, &term) == 0 ? term : 1;
}

static PGconn *connect_str(const char *conninfo, struct og_error *err)
{
    PGconn *p = PQconnectdb(conninfo);

    if (!p || PQstatus(p) != CONNECTION_OK) {
        og_error_set(err, OG_E_DN_CONNECTIONS, "cannot connect (%s): %s", conninfo,
                     p ? PQerrorMessage(p) : "out of memory");
        if (p)
            PQfinish(p);
        return NULL;
    }
    return p;
}

/* Ask the server behind conn to run gs_ctl ARGS on its own host, detached:
 * COPY ... TO PROGRAM 'setsid -f <bin>/gs_ctl ARGS'. The command line is
 * built by the one quoting function. */
static int remote_gs_ctl(PGconn *conn, const char *const *args, struct og_error *err)
{
    _cleanup_dynbuf_ struct dynbuf line = {0}, sql = {0};
    char bin[PATH_MAX], ddir[PATH_MAX], exe[PATH_MAX + 16], logp[PATH_MAX + 32];
    const char *argv[32];
    char *lit;
    size_t n = 0;
    int r;

    dynbuf_init(&line, 64 * 1024);
    dynbuf_init(&sql, 128 * 1024);
    if (kpg_value(conn, "SELECT pg_catalog.current_setting('og.kernel_bin', true)", bin,
                  sizeof(bin), err) < 0 ||
        !bin[0])
        return og_error_set(err, OG_E_EXEC_FAILED, "the peer does not report og.kernel_bin");
    if (kpg_value(conn, "SHOW data_directory", ddir, sizeof(ddir), err) < 0)
        return -OG_E_SQL;
    snprintf(exe, sizeof(exe), "%s/gs_ctl", bin);
    snprintf(logp, sizeof(logp), "%s/gs_ctl_remote.log", ddir);
    argv[n++] = "setsid";
    argv[n++] = "-f";
    argv[n++] = exe;
    for (size_t i = 0; args[i] && n < ELEMENTSOF(argv) - 3; i++)
        argv[n++] = strcmp(args[i], "@DATADIR@") == 0 ? ddir : args[i];
    argv[n] = NULL;
    r = shquote_argv(&line, argv);
    if (r == 0)
        r = dynbuf_appends(&line, " >>");
    if (r == 0) {
        const char *lp[] = {logp, NULL};
        r = shquote_argv(&line, lp);
    }
    if (r == 0)
        r = dynbuf_appends(&line, " 2>&1 </dev/null");
    if (r < 0)
        return og_error_set(err, -r, "building the remote command");
    lit = PQescapeLiteral(conn, line.buf, line.len);
    if (!lit)
        return og_error_set(err, OG_E_NOMEM, "escaping the remote command");
    r = dynbuf_appendf(&sql, "COPY (SELECT 1) TO PROGRAM %s", lit);
    PQfreemem(lit);
    if (r < 0)
        return og_error_set(err, -r, "building the remote command");
    return kpg_exec(conn, sql.buf, err);
}

/* host/port of a connection, as a conninfo reaching that server alone
 * (with this instance's HA credential). */
static void conn_target(PGconn *conn, const char *datadir, char *buf, size_t size)
{
    _cleanup_dynbuf_ struct dynbuf ci = {0};

    dynbuf_init(&ci, size);
    if (dynbuf_appendf(&ci, "host=%s port=%s dbname=postgres connect_timeout=2", PQhost(conn),
                       PQport(conn)) < 0 ||
        kconf_append_ha_auth(datadir, &ci) < 0)
        buf[0] = '\0';
    else
        snprintf(buf, size, "%s", dynbuf_str(&ci));
}

/* Wait until the server at conninfo answers and is (in_recovery) a standby. */
static PGconn *wait_role(const char *conninfo, bool in_recovery, long long deadline, bool dots)
{
    long long next_dot = kpg_now_ms() + 1000;

    while (kpg_now_ms() < deadline) {
        PGconn *p = PQconnectdb(conninfo);
        if (p && PQstatus(p) == CONNECTION_OK) {
            char v[8] = "";
            if (kpg_value(p, "SELECT pg_is_in_recovery()", v, sizeof(v), NULL) == 0 &&
                (v[0] == 't') == in_recovery)
                return p;
        }
        if (p)
            PQfinish(p);
        if (dots && kpg_now_ms() >= next_dot) {
            printf(".");
            fflush(stdout);
            next_dot += 1000;
        }
        usleep(200 * 1000);
    }
    return NULL;
}

/* A standby streams from the server behind conn. */
static bool has_standby(PGconn *conn)
{
    char n[16] = "0";
    int senders;

    kpg_value(conn, "SELECT count(*) FROM pg_catalog.pg_stat_replication", n, sizeof(n), NULL);
    return safe_atoi(n, &senders) == 0 && senders > 0;
}

/* switchover/failover's opening: the banner, this instance's connection
 * (NULL after openGauss's "Is server running?" lines), its term, and
 * whether it is a standby. */
static PGconn *ha_open(const struct ctl *c, const char *verb, bool *standby)
{
    struct og_error err = {0};
    char inrec[8] = "";
    PGconn *self;

    gsctl_say("gs_ctl %s ,datadir is %s \n", verb, c->datadir);
    self = kpg_connect_datadir(c->datadir, "postgres", &err);
    if (!self) {
        gsctl_say(" PID file \"%s/postmaster.pid\" does not exist\n", c->datadir);
        gsctl_say("Is server running?\n");
        return NULL;
    }
    gsctl_say("%s term (%d)\n", verb, term_of(self));
    kpg_value(self, "SELECT pg_is_in_recovery()", inrec, sizeof(inrec), NULL);
    *standby = inrec[0] == 't';
    return self;
}

int gsctl_do_switchover(const struct ctl *c)
{
    _cleanup_pgconn_ PGconn *self = NULL, *primary = NULL, *old = NULL;
    _cleanup_dynbuf_ struct dynbuf peers = {0};
    struct og_error err = {0};
    char target[1200], old_end[64] = "", mine[64] = "";
    bool standby = false;
    int wait_s = c->wait_s > 0 ? c->wait_s : 120;
    long long deadline;
    const char *restart_standby[] = {"restart", "-D", "@DATADIR@", "-M",
                                     "standby", "-m", "fast",      NULL};

    dynbuf_init(&peers, 8192);
    self = ha_open(c, "switchover", &standby);
    if (!self)
        return 1;
    if (!standby) {
        gsctl_say("switchover completed (%s)\n", c->datadir);
        return 0;
    }
    if (kconf_peers_conninfo(c->datadir, &peers) < 0 ||
        dynbuf_appends(&peers, " dbname=postgres") < 0 ||
        !(primary = connect_str(peers.buf, &err))) {
        gsctl_say(" cannot switchover server; no primary is reachable: %s\n", err.detail);
        return 1;
    }
    conn_target(primary, c->datadir, target, sizeof(target));
    gsctl_say("waiting for server to switchover...");
    /* 1. the old primary restarts itself as a standby (fast shutdown ships
     *    all its WAL to the standbys first) */
    if (remote_gs_ctl(primary, restart_standby, &err) < 0) {
        printf("\n");
        gsctl_say(" switchover failed: %s\n", err.detail);
        return 1;
    }
    PQfinish(steal_ptr(primary));
    deadline = kpg_now_ms() + (long long)wait_s * 1000;
    old = wait_role(target, true, deadline, true);
    if (!old) {
        printf("\n");
        gsctl_say(
            "\n switchover timeout after %d seconds. please manually check the cluster status "
            "or backtrack log.\n",
            wait_s);
        return 1;
    }
    /* 2. this standby must hold every byte of the old primary's WAL */
    kpg_value(old, "SELECT pg_catalog.pg_last_wal_replay_lsn()", old_end, sizeof(old_end), NULL);
    for (;;) {
        kpg_value(self, "SELECT pg_catalog.pg_last_wal_replay_lsn()", mine, sizeof(mine), NULL);
        if (gsctl_lsn(mine) >= gsctl_lsn(old_end))
            break;
        if (kpg_now_ms() > deadline) {
            const char *back[] = {"restart", "-D", "@DATADIR@", "-M", "primary", NULL};
            printf("\n");
            gsctl_say(" switchover failed: this standby replayed %s but the primary ended at %s; "
                      "the old primary is made primary again\n",
                      mine, old_end);
            remote_gs_ctl(old, back, NULL);
            return 1;
        }
        usleep(100 * 1000);
    }
    /* 3. promote */
    if (kpg_exec(self, "SELECT pg_catalog.pg_promote(true, 60)", &err) < 0) {
        printf("\n");
        gsctl_say(" switchover failed: promote: %s\n", err.detail);
        return 1;
    }
    /* 4. the old primary follows us (its primary_conninfo targets read-write) */
    while (kpg_now_ms() < deadline && !has_standby(self))
        usleep(200 * 1000);
    printf("\n");
    gsctl_say("done\n");
    gsctl_say("switchover completed (%s)\n", c->datadir);
    return 0;
}

int gsctl_do_failover(const struct ctl *c)
{
    _cleanup_pgconn_ PGconn *self = NULL;
    struct og_error err = {0};
    bool standby = false;

    self = ha_open(c, "failover", &standby);
    if (!self)
        return 1;
    if (!standby) {
        gsctl_say(" cannot failover server; server is not in standby mode\n");
        return 1;
    }
    gsctl_say(" waiting for server to failover...\n");
    if (kpg_exec(self, "SELECT pg_catalog.pg_promote(true, 60)", &err) < 0) {
        gsctl_say(" failover failed (%s): %s\n", c->datadir, err.detail);
        return 1;
    }
    gsctl_say(" done\n");
    gsctl_say(" failover completed (%s)\n", c->datadir);
    return 0;
}

/* ---- build -------------------------------------------------------------------- */

static const char *const kept_files[] = {KCONF_MAIN, KCONF_OG, KCONF_HBA, "pg_ident.conf"};

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    if (ftw->level == 0)
        return 0; /* keep the directory itself: it may be a mount point */
    return (flag == FTW_DP ? rmdir(path) : unlink(path)) < 0 && errno != ENOENT ? -1 : 0;
}

int gsctl_do_build(const struct ctl *c)
{
    _cleanup_dynbuf_ struct dynbuf src = {0};
    _cleanup_pgconn_ PGconn *primary = NULL;
    _cleanup_command_ struct command *bb = NULL;
    _cleanup_command_result_ struct command_result res = {0};
    struct og_error err = {0};
    char *saved[ELEMENTSOF(kept_files)] = {0};
    size_t saved_len[ELEMENTSOF(kept_files)] = {0};
    char prog[PATH_MAX], portstr[16], path[4096];
    bool v3 = c->k->ver.major >= 3;
    int rc = 1;
    struct ctl start = *c;

    dynbuf_init(&src, 8192);
    gsctl_say("gs_ctl full build ,datadir is %s\n", c->datadir);
    if (c->conninfo) {
        dynbuf_adds(&src, c->conninfo);
        kconf_append_ha_auth(c->datadir, &src);
    } else if (kconf_peers_conninfo(c->datadir, &src) < 0) {
        gsctl_say(" build failed: no replconninfo in %s/%s and no -C connection string\n",
                  c->datadir, KCONF_OG);
        return 1;
    }
    dynbuf_adds(&src, " dbname=postgres");
    if (dynbuf_error(&src)) {
        gsctl_say(" build failed: the connection string exceeds %zu bytes\n", src.max);
        return 1;
    }
    primary = connect_str(src.buf, &err);
    if (!primary) {
        gsctl_say(" build failed: cannot reach the primary: %s\n", err.detail);
        return 1;
    }
    if (kpg_running(c->datadir, NULL)) {
        struct ctl stop = *c;
        stop.stop_mode = "fast";
        if (gsctl_do_stop(&stop, false) != 0)
            return 1;
    }
    for (size_t i = 0; i < ELEMENTSOF(kept_files); i++) {
        snprintf(path, sizeof(path), "%s/%s", c->datadir, kept_files[i]);
        if (fs_read_file(path, 16 * 1024 * 1024, &saved[i], &saved_len[i], NULL) < 0)
            saved[i] = NULL;
    }
    if (fs_mkdir_p(c->datadir, 0700, &err) < 0 ||
        nftw(c->datadir, rm_entry, 32, FTW_DEPTH | FTW_PHYS) < 0) {
        gsctl_say(" build failed: cannot clear %s: %s\n", c->datadir, strerror(errno));
        goto out;
    }
    chmod(c->datadir, 0700);
    gsctl_say("connect to server success, build started.\n");
    gsctl_say("receiving and unpacking files...\n");
    snprintf(portstr, sizeof(portstr), "%s", PQport(primary));
    bb = command_newl(kenv_pg_program("pg_basebackup", prog, sizeof(prog)), "-h", PQhost(primary),
                      "-p", portstr, "-D", c->datadir, "-X", "stream", "-c", "fast", "-w",
                      "--no-sync", NULL);
    command_passenv(bb, "HOME");
    command_passenv(bb, "USER");
    command_set_timeout_ms(bb, 30 * 60 * 1000);
    if (command_run_ok(bb, &res, &err) < 0) {
        gsctl_say(" build failed(%s): %s\n", c->datadir, err.detail);
        goto out;
    }
    for (size_t i = 0; i < ELEMENTSOF(kept_files); i++) {
        if (!saved[i])
            continue;
        snprintf(path, sizeof(path), "%s/%s", c->datadir, kept_files[i]);
        if (fs_replace_file(path, saved[i], saved_len[i], 0600, &err) < 0) {
            gsctl_say(" build failed(%s): %s\n", c->datadir, err.detail);
            goto out;
        }
    }
    if (kconf_og_layout(c->datadir, &err) < 0) {
        gsctl_say(" build failed(%s): %s\n", c->datadir, err.detail);
        goto out;
    }
    snprintf(path, sizeof(path), "%s/postgresql.auto.conf", c->datadir);
    fs_replace_file(path, "# Do not edit this file manually!\n", 34, 0600, NULL);
    snprintf(path, sizeof(path), "%s/standby.signal", c->datadir);
    if (fs_replace_file(path, "", 0, 0600, &err) < 0) {
        gsctl_say(" build failed(%s): %s\n", c->datadir, err.detail);
        goto out;
    }
    if (v3)
        gsctl_say("full build build completed(%s).\n", c->datadir);
    else
        gsctl_say("build completed(%s).\n", c->datadir);
    start.mode = "standby";
    rc = gsctl_do_start(&start, false);
out:
    for (size_t i = 0; i < ELEMENTSOF(kept_files); i++)
        free(saved[i]);
    return rc;
}
