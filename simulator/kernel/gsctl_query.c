/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * gs_ctl query and status: the HA state, senders and receiver of an instance
 * as openGauss's gs_ctl query prints them, and whether a server runs.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>

#include "fs.h"
#include "gsctl_int.h"
#include "kconf.h"
#include "kpg.h"
#include "banned.h"

static void field(const char *name, const char *value)
{
    printf("\t%-30s : %s\n", name, value);
}

/* ---- query ----------------------------------------------------------------- */

uint64_t gsctl_lsn(const char *s)
{
    unsigned hi = 0, lo = 0;

    if (!s || sscanf(s, "%X/%X", &hi, &lo) != 2)
        return 0;
    return ((uint64_t)hi << 32) | lo;
}

static void percent(const char *have, const char *want, char *buf, size_t size)
{
    uint64_t h = gsctl_lsn(have), w = gsctl_lsn(want);

    if (w == 0 || h >= w)
        snprintf(buf, size, "100%%");
    else
        snprintf(buf, size, "%d%%", (int)(h * 100 / w > 99 ? 99 : h * 100 / w));
}

static const char *sender_state(const char *s)
{
    if (strcmp(s, "streaming") == 0)
        return "Streaming";
    if (strcmp(s, "catchup") == 0)
        return "Catchup";
    if (strcmp(s, "backup") == 0)
        return "Backup";
    if (strcmp(s, "startup") == 0)
        return "Startup";
    if (strcmp(s, "stopping") == 0)
        return "Stopping";
    return "Unknown";
}

static const char *sync_state(const char *s)
{
    if (strcmp(s, "sync") == 0)
        return "Sync";
    if (strcmp(s, "quorum") == 0)
        return "Quorum";
    if (strcmp(s, "potential") == 0)
        return "Potential";
    return "Async";
}

static void local_host(const char *datadir, char *buf, size_t size)
{
    struct replconn rc[8];

    if (kconf_read_replconns(datadir, rc, 8) > 0 && rc[0].localhost[0])
        snprintf(buf, size, "%s", rc[0].localhost);
    else
        snprintf(buf, size, "127.0.0.1");
}

/* openGauss's display_query when the server is up but not answering SQL. */
static void query_unanswered(int nrepl, const struct kpg_pidfile *pf, const char *detail)
{
    printf(" HA state:\n");
    printf("        %-30s: %s\n", "local_role", "Unknown");
    printf("        %-30s: %d\n", "static_connections", nrepl);
    printf("        %-30s: %s\n", "db_state",
           strcmp(pf->status, "starting") == 0 ? "Starting" : "Unknown");
    printf("        %-30s: %s\n", "detail_information", detail);
    printf("        %-30s: %s\n", "sync_mode", "Async");
    printf("\n Senders info:\n        No information\n");
    printf(" Receiver info:\n        No information\n");
}

/* A standby's db_state and detail_information, from its WAL receiver. */
static void standby_state(PGconn *conn, const char **db_state, const char **detail)
{
    PGresult *res = PQexec(conn, "SELECT status, flushed_lsn, latest_end_lsn FROM "
                                 "pg_catalog.pg_stat_wal_receiver");

    *db_state = "Need repair";
    *detail = "Disconnected";
    if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) > 0) {
        const char *st = PQgetvalue(res, 0, 0);
        if (strcmp(st, "streaming") == 0) {
            uint64_t have = gsctl_lsn(PQgetvalue(res, 0, 1)),
                     want = gsctl_lsn(PQgetvalue(res, 0, 2));
            *db_state = want > have && want - have > 16u * 1024 * 1024 ? "Catchup" : "Normal";
            *detail = "Normal";
        } else {
            *detail = "Connecting...";
        }
    }
    PQclear(res);
}

static void query_ha_state(PGconn *conn, bool standby, int nrepl)
{
    const char *db_state = "Normal", *detail = "Normal";
    char buf[64];

    printf(" %-20s\n", "HA state:");
    if (standby)
        standby_state(conn, &db_state, &detail);
    field("local_role", standby ? "Standby" : nrepl > 0 ? "Primary" : "Normal");
    snprintf(buf, sizeof(buf), "%d", nrepl);
    field("static_connections", buf);
    field("db_state", db_state);
    field("detail_information", detail);
    printf("\n");
}

/* One walsender of a primary (row i of the query in query_senders). */
static void sender_fields(PGresult *res, int i, const char *host, int port)
{
    char pct[16], chan[600];
    const char *cur = PQgetvalue(res, i, 10), *flush = PQgetvalue(res, i, 11);

    field("sender_pid", PQgetvalue(res, i, 0));
    field("local_role", "Primary");
    field("peer_role", "Standby");
    field("peer_state", "Normal");
    field("state", sender_state(PQgetvalue(res, i, 1)));
    field("sender_sent_location", PQgetvalue(res, i, 2));
    field("sender_write_location", cur);
    field("sender_flush_location", flush);
    field("sender_replay_location", flush);
    field("receiver_received_location", PQgetvalue(res, i, 3));
    field("receiver_write_location", PQgetvalue(res, i, 3));
    field("receiver_flush_location", PQgetvalue(res, i, 4));
    field("receiver_replay_location", PQgetvalue(res, i, 5));
    percent(PQgetvalue(res, i, 4), flush, pct, sizeof(pct));
    field("sync_percent", pct);
    field("sync_state", sync_state(PQgetvalue(res, i, 6)));
    field("sync_priority", PQgetvalue(res, i, 7));
    field("sync_most_available", "Off");
    snprintf(chan, sizeof(chan), "%s:%d-->%s:%s", host, port, PQgetvalue(res, i, 8),
             PQgetvalue(res, i, 9));
    field("channel", chan);
    printf("\n");
}

static void query_senders(PGconn *conn, bool standby, const char *host, int port)
{
    PGresult *res;

    printf(" %-20s\n", "Senders info:");
    res = PQexec(conn, "SELECT pid, state, sent_lsn, write_lsn, flush_lsn, replay_lsn, "
                       "sync_state, sync_priority, host(client_addr), client_port, "
                       "pg_catalog.pg_current_wal_lsn(), pg_catalog.pg_current_wal_flush_lsn() "
                       "FROM pg_catalog.pg_stat_replication ORDER BY pid");
    if (!standby && PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) > 0) {
        for (int i = 0; i < PQntuples(res); i++)
            sender_fields(res, i, host, port);
    } else {
        printf("No information \n");
    }
    PQclear(res);
}

static void query_receiver(PGconn *conn, bool standby, const char *host, int port)
{
    PGresult *res;

    printf(" %-20s\n", "Receiver info:");
    res = PQexec(conn, "SELECT pid, status, written_lsn, flushed_lsn, latest_end_lsn, "
                       "sender_host, sender_port, pg_catalog.pg_last_wal_replay_lsn() "
                       "FROM pg_catalog.pg_stat_wal_receiver");
    if (standby && PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) > 0) {
        char pct[16], chan[600];
        const char *latest = PQgetvalue(res, 0, 4);
        field("receiver_pid", PQgetvalue(res, 0, 0));
        field("local_role", "Standby");
        field("peer_role", "Primary");
        field("peer_state", "Normal");
        field("state", strcmp(PQgetvalue(res, 0, 1), "streaming") == 0 ? "Normal" : "Starting");
        field("sender_sent_location", latest);
        field("sender_write_location", latest);
        field("sender_flush_location", latest);
        field("sender_replay_location", latest);
        field("receiver_received_location", PQgetvalue(res, 0, 2));
        field("receiver_write_location", PQgetvalue(res, 0, 2));
        field("receiver_flush_location", PQgetvalue(res, 0, 3));
        field("receiver_replay_location", PQgetvalue(res, 0, 7));
        percent(PQgetvalue(res, 0, 3), latest, pct, sizeof(pct));
        field("sync_percent", pct);
        snprintf(chan, sizeof(chan), "%s:%d<--%s:%s", host, port, PQgetvalue(res, 0, 5),
                 PQgetvalue(res, 0, 6));
        field("channel", chan);
        printf("\n");
    } else {
        printf("No information \n");
    }
    PQclear(res);
}

int gsctl_do_query(const struct ctl *c)
{
    _cleanup_pgconn_ PGconn *conn = NULL;
    struct og_error err = {0};
    struct kpg_pidfile pf;
    struct replconn rc[8];
    char inrec[8] = "", host[256];
    int nrepl = kconf_read_replconns(c->datadir, rc, 8);
    bool standby;

    gsctl_say("gs_ctl query ,datadir is %s \n", c->datadir);
    if (kpg_read_pidfile(c->datadir, &pf) < 0) {
        gsctl_say(" PID file \"%s/postmaster.pid\" does not exist\n", c->datadir);
        gsctl_say("Is server running?\n");
        return 1;
    }
    if (!kpg_pid_alive(pf.pid)) {
        gsctl_say(
            " could not connect to the local server, the postmaster process %ld is not running",
            (long)pf.pid);
        printf("\n");
        return 1;
    }
    conn = kpg_connect_datadir(c->datadir, "postgres", &err);
    if (!conn || kpg_value(conn, "SELECT pg_is_in_recovery()", inrec, sizeof(inrec), &err) < 0) {
        query_unanswered(nrepl, &pf, err.detail);
        return 0;
    }
    standby = inrec[0] == 't';
    local_host(c->datadir, host, sizeof(host));
    query_ha_state(conn, standby, nrepl);
    query_senders(conn, standby, host, pf.port);
    query_receiver(conn, standby, host, pf.port);
    return 0;
}

/* ---- status ---------------------------------------------------------------- */

int gsctl_do_status(const struct ctl *c)
{
    _cleanup_free_ char *opts = NULL;
    char path[4096];
    pid_t pid;

    if (!kpg_running(c->datadir, &pid)) {
        printf("no server running\n");
        return 3;
    }
    printf("gs_ctl: server is running (PID: %ld)\n", (long)pid);
    snprintf(path, sizeof(path), "%s/postmaster.opts", c->datadir);
    if (fs_read_file(path, 65536, &opts, NULL, NULL) == 0)
        fputs(opts, stdout);
    return 0;
}
