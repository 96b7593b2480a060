/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * workload_check.c - the check (workload.h): every node reached, the
 * primary's WAL position replayed by each standby, and each node's ids of
 * the run compared with the logs.
 */
#include <inttypes.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "ogerror.h"
#include "parse.h"
#include "workload.h"
#include "workload_int.h"
#include "banned.h"

#define FETCH_BATCH 50000

/* ---- check: the nodes ------------------------------------------------------------- */

static PGconn *node_connect(const struct workload_opts *o, size_t i, const char *dbname,
                            struct workload_node *n)
{
    struct wl_conninfo ci;
    PGconn *c;

    wl_conninfo_init(&ci, o, (int)i, dbname, "any", "ogsim-workload-check");
    c = wl_connect(&ci);
    if (!c || PQstatus(c) != CONNECTION_OK) {
        wl_pq_msg(c ? PQerrorMessage(c) : "out of memory", n->error, sizeof(n->error));
        PQfinish(c);
        return NULL;
    }
    return c;
}

static int node_one_value(PGconn *c, const char *sql, char *buf, size_t size, struct og_error *err)
{
    _cleanup_pgres_ PGresult *res = NULL;
    int r = wl_sql_run(c, sql, PGRES_TUPLES_OK, &res, err);

    if (r < 0)
        return r;
    if (PQntuples(res) != 1 || PQnfields(res) < 1)
        return og_error_set(err, OG_E_SQL, "Failed to execute SQL: \"%s\": not one row", sql);
    snprintf(buf, size, "%s", PQgetisnull(res, 0, 0) ? "" : PQgetvalue(res, 0, 0));
    return 0;
}

/* Wait until the standby replayed target; false on timeout (n->error set). */
static bool node_catch_up(PGconn *c, const char *target, int timeout_s, struct workload_node *n)
{
    int64_t t0 = wl_mono_ns(), deadline = t0 + (int64_t)timeout_s * 1000000000LL;
    const char *params[1] = {target};

    for (;;) {
        PGresult *res = NULL;
        enum wl_outcome o = wl_exec(c,
                                    "SELECT coalesce(pg_last_wal_replay_lsn()::text, ''), "
                                    "coalesce(pg_last_wal_replay_lsn() >= $1::pg_lsn, false)",
                                    1, params, PGRES_TUPLES_OK, CHECK_STMT_TIMEOUT_MS, &res);
        bool done = false;

        if (o == WL_OK && PQntuples(res) == 1) {
            snprintf(n->lsn, sizeof(n->lsn), "%s", PQgetvalue(res, 0, 0));
            done = strcmp(PQgetvalue(res, 0, 1), "t") == 0;
        } else {
            char msg[400];
            wl_pq_msg(res ? PQresultErrorMessage(res) : PQerrorMessage(c), msg, sizeof(msg));
            snprintf(n->error, sizeof(n->error), "reading the replay position: %s", msg);
            PQclear(res);
            return false;
        }
        PQclear(res);
        n->catchup_ms = (wl_mono_ns() - t0) / 1000000;
        if (done)
            return true;
        if (wl_mono_ns() >= deadline) {
            snprintf(n->error, sizeof(n->error),
                     "did not replay the primary's WAL position %s within %d s (replayed %s)",
                     target, timeout_s, n->lsn[0] ? n->lsn : "nothing");
            return false;
        }
        wl_sleep_ms(100);
    }
}

/* Stream the run's ids of the node (ascending) through the merge. */
static int node_compare(PGconn *c, const struct workload_report *r, struct workload_node *n,
                        struct og_error *err)
{
    _cleanup_free_ int64_t *batch = malloc(FETCH_BATCH * sizeof(int64_t));
    struct workload_merge m;
    char sql[256], fetch[64];
    int rc;

    if (!batch)
        return og_error_set(err, OG_E_NOMEM, "comparing ids");
    workload_merge_init(&m, r->acked_ids, r->acked, r->doubt_ids, r->in_doubt);
    rc = wl_sql_run(c, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", PGRES_COMMAND_OK, NULL,
                    err);
    if (rc < 0)
        return rc;
    snprintf(sql, sizeof(sql),
             "DECLARE wl_ids NO SCROLL CURSOR FOR SELECT id FROM wl_acked WHERE id >= %" PRId64
             " AND id < %" PRId64 " ORDER BY id",
             (int64_t)r->run << WORKLOAD_RUN_SHIFT, (int64_t)(r->run + 1) << WORKLOAD_RUN_SHIFT);
    rc = wl_sql_run(c, sql, PGRES_COMMAND_OK, NULL, err);
    if (rc < 0)
        return rc;
    snprintf(fetch, sizeof(fetch), "FETCH FORWARD %d FROM wl_ids", FETCH_BATCH);
    for (;;) {
        _cleanup_pgres_ PGresult *res = NULL;
        int rows;

        rc = wl_sql_run(c, fetch, PGRES_TUPLES_OK, &res, err);
        if (rc < 0)
            return rc;
        rows = PQntuples(res);
        if (rows == 0)
            break;
        if (rows > FETCH_BATCH)
            return og_error_set(err, OG_E_TOO_LARGE,
                                "The FETCH answer exceeds its limit of %d "
                                "rows.",
                                FETCH_BATCH);
        for (int i = 0; i < rows; i++)
            if (wl_parse_int64(PQgetvalue(res, i, 0), INT64_MIN, INT64_MAX, &batch[i]) < 0)
                return og_error_set(err, OG_E_SQL,
                                    "Failed to execute SQL: id \"%s\" is not a "
                                    "number",
                                    PQgetvalue(res, i, 0));
        rc = workload_merge_feed(&m, batch, (size_t)rows, err);
        if (rc < 0)
            return rc;
    }
    rc = wl_sql_run(c, "COMMIT", PGRES_COMMAND_OK, NULL, err);
    if (rc < 0)
        return rc;
    workload_merge_finish(&m);
    n->rows = m.rows;
    n->lost = m.lost;
    n->extra = m.extra;
    n->extra_in_doubt = m.extra_in_doubt;
    n->n_lost_ids = m.n_lost_ids;
    memcpy(n->lost_ids, m.lost_ids, sizeof(n->lost_ids));
    return 0;
}

static void node_verify(PGconn *c, const struct workload_report *r, struct workload_node *n)
{
    struct og_error e = {0};

    /* once more on a failure (e.g. a recovery conflict on a busy standby) */
    for (int attempt = 0; attempt < 2; attempt++) {
        og_error_clear(&e);
        if (node_compare(c, r, n, &e) == 0) {
            n->checked = true;
            return;
        }
        PQclear(PQexec(c, "ROLLBACK"));
    }
    snprintf(n->error, sizeof(n->error), "comparing ids: %s", e.detail);
}

/* A session on every node (conns[i], NULL where none) and its role. */
static void connect_nodes(struct workload_report *r, const struct workload_opts *hosts,
                          const char *dbname, PGconn **conns)
{
    for (size_t i = 0; i < r->n_nodes; i++) {
        struct workload_node *n = &r->nodes[i];
        char rec[8];
        struct og_error e = {0};

        conns[i] = node_connect(hosts, i, dbname, n);
        if (!conns[i])
            continue;
        if (node_one_value(conns[i], "SELECT pg_is_in_recovery()", rec, sizeof(rec), &e) < 0) {
            snprintf(n->error, sizeof(n->error), "%s", e.detail);
            PQfinish(conns[i]);
            conns[i] = NULL;
            continue;
        }
        if (strcmp(rec, "t") == 0)
            n->role = WORKLOAD_ROLE_STANDBY;
        else
            n->role = (int)i == r->primary ? WORKLOAD_ROLE_PRIMARY : WORKLOAD_ROLE_OTHER_PRIMARY;
        if ((int)i == r->primary && n->role != WORKLOAD_ROLE_PRIMARY)
            snprintf(n->error, sizeof(n->error), "it was the primary a moment ago, now a standby");
    }
}

/* The primary's WAL position into target ("" when unknown), through its
 * session pc (may be NULL). */
static void primary_position(struct workload_report *r, PGconn *pc, char *target, size_t size)
{
    struct workload_node *p = &r->nodes[r->primary];
    struct og_error e = {0};

    if (pc && p->role == WORKLOAD_ROLE_PRIMARY) {
        if (node_one_value(pc, "SELECT pg_current_wal_lsn()::text", target, size, &e) < 0)
            snprintf(p->error, sizeof(p->error), "%s", e.detail);
        else
            p->caught_up = true;
        snprintf(p->lsn, sizeof(p->lsn), "%s", target);
    }
}

/* Which of hosts the server behind conn is; -1 when none. */
static int host_index(PGconn *conn, const struct workload_opts *hosts)
{
    int port;

    if (safe_atoi(PQport(conn), &port) < 0)
        return -1;
    for (size_t i = 0; i < hosts->n_hosts; i++)
        if (strcmp(PQhost(conn), hosts->hosts[i]) == 0 && port == hosts->ports[i])
            return (int)i;
    return -1;
}

int workload_check(const struct workload_check_opts *o, struct workload_report **ret,
                   struct og_error *err)
{
    _cleanup_workload_report_ struct workload_report *r = workload_report_new();
    _cleanup_pgconn_ PGconn *pc = NULL;
    PGconn *conns[WORKLOAD_MAX_HOSTS] = {0};
    struct workload_opts hosts;
    struct wl_conf conf;
    char target[64] = "";
    int rc;

    if (!r)
        return og_error_set(err, OG_E_NOMEM, "check");
    rc = wl_conf_read(o->state_dir, &conf, err);
    if (rc < 0)
        return rc;
    /* the logs first: every ack read was committed before the WAL position
     * read below */
    rc = workload_report_load(r, o->state_dir, err);
    if (rc < 0)
        return rc;
    hosts = conf.o;
    if (o->hosts.n_hosts > 0) {
        memcpy(hosts.hosts, o->hosts.hosts, sizeof(hosts.hosts));
        memcpy(hosts.ports, o->hosts.ports, sizeof(hosts.ports));
        hosts.n_hosts = o->hosts.n_hosts;
    }
    r->n_nodes = hosts.n_hosts;
    for (size_t i = 0; i < hosts.n_hosts; i++) {
        snprintf(r->nodes[i].host, sizeof(r->nodes[i].host), "%s", hosts.hosts[i]);
        r->nodes[i].port = hosts.ports[i];
    }

    /* The primary, as read-write clients find it. */
    rc = wl_connect_primary(&hosts, conf.o.dbname, &pc, err);
    if (rc < 0)
        return rc;
    r->primary = host_index(pc, &hosts);
    PQfinish(pc);
    pc = NULL;
    if (r->primary < 0)
        return og_error_set(err, OG_E_DN_CONNECTIONS,
                            "Failed to get DN connections: the primary "
                            "is none of the hosts given.");

    connect_nodes(r, &hosts, conf.o.dbname, conns);
    /* The primary's position, then every standby catches up to it. */
    primary_position(r, conns[r->primary], target, sizeof(target));
    for (size_t i = 0; i < r->n_nodes; i++) {
        struct workload_node *n = &r->nodes[i];

        if (!conns[i])
            continue;
        if (n->role == WORKLOAD_ROLE_STANDBY && target[0])
            n->caught_up = node_catch_up(conns[i], target, o->catchup_timeout_s, n);
        else if (n->role == WORKLOAD_ROLE_OTHER_PRIMARY)
            snprintf(n->error, sizeof(n->error),
                     "also accepts writes (split brain): compared as it is");
        else if (n->role == WORKLOAD_ROLE_STANDBY)
            snprintf(n->error, sizeof(n->error), "the primary's WAL position is unknown");
        if (n->role == WORKLOAD_ROLE_OTHER_PRIMARY)
            n->caught_up = true;
        /* compared even when not caught up: the report says which ids miss */
        node_verify(conns[i], r, n);
    }
    for (size_t i = 0; i < r->n_nodes; i++)
        PQfinish(conns[i]);
    workload_report_finish(r);
    *ret = steal_ptr(r);
    return 0;
}
