/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * Workload integration tests: the real `ogsim workload` against a primary
 * and a standby of the node kernel (3.0.0 package) on loopback.
 *   (a) 5 s of writes and reads, stop, check: nothing lost on either node;
 *   (b) the primary is killed mid-workload and the standby failed over to:
 *       writers follow by themselves, check's numbers are consistent with
 *       the database and the longest write gap covers the failover window;
 *   (c) check with an unreachable host (and with no primary at all);
 *   and the cost of fsync'ing every ack, measured (printed, not asserted).
 */
#include <criterion/criterion.h>
#include <inttypes.h>
#include <json-c/json.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "command.h"
#include "dynbuf.h"
#include "fs.h"
#include "kfixture.h"
#include "workload.h"

static struct kfix fx;
static struct command_result res;
static char state[256];

#define RUN(...) (command_result_done(&res), kfix_run(&fx, &res, __VA_ARGS__, NULL))

/* Run `ogsim workload args...` (as root: the workload connects as omm over
 * TCP); returns the exit code, output in res. */
static int ogsim(const char *arg0, ...)
{
    _cleanup_command_ struct command *c = command_newl(OGSIM_PATH, "workload", NULL);
    struct og_error err = {0};
    va_list ap;

    cr_assert_not_null(c);
    command_add_arg(c, arg0);
    va_start(ap, arg0);
    for (const char *a = va_arg(ap, const char *); a; a = va_arg(ap, const char *))
        command_add_arg(c, a);
    va_end(ap);
    command_set_timeout_ms(c, 300 * 1000);
    command_result_done(&res);
    cr_assert_eq(command_run(c, &res, &err), 0, "ogsim: %s", err.detail);
    return res.exit_status;
}

static void done(void)
{
    if (state[0]) {
        char pidfile[300];
        snprintf(pidfile, sizeof(pidfile), "%s/workload.pid", state);
        if (access(pidfile, F_OK) == 0)
            ogsim("stop", "--state-dir", state, NULL);
    }
    command_result_done(&res);
    kfix_teardown(&fx);
    state[0] = '\0';
}

TestSuite(workload, .fini = done, .timeout = 600);

static int64_t mono_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* Poll sql on port until it returns want (or 30 s). */
static void eventually(int port, const char *db, const char *sql, const char *want)
{
    for (int i = 0; i < 300; i++) {
        struct command_result r = {0};
        char p[16];
        snprintf(p, sizeof(p), "%d", port);
        if (kfix_run(&fx, &r, "gsql", "-X", "-q", "-tA", "-p", p, "-d", db, "-c", sql, NULL) == 0) {
            char *nl = strchr(r.out, '\n');
            if (nl)
                *nl = '\0';
            if (strcmp(r.out, want) == 0) {
                command_result_done(&r);
                return;
            }
        }
        command_result_done(&r);
        usleep(100 * 1000);
    }
    cr_assert_fail("on port %d, \"%s\" never returned \"%s\"", port, sql, want);
}

/* A primary on p1 and a streaming standby on p2 (as test_kernel does). */
static void make_pair(int p1, int p2, char *d1, char *d2, size_t size)
{
    const char *versions[] = {"3.0.0", NULL};
    char rc1[256], rc2[256];

    kfix_setup(&fx, versions);
    kfix_initdb(&fx, "dn1", p1, d1, size);
    kfix_initdb(&fx, "dn2", p2, d2, size);
    snprintf(rc1, sizeof(rc1),
             "replconninfo1='localhost=127.0.0.1 localport=%d remotehost=127.0.0.1 remoteport=%d'",
             p1, p2);
    snprintf(rc2, sizeof(rc2),
             "replconninfo1='localhost=127.0.0.1 localport=%d remotehost=127.0.0.1 remoteport=%d'",
             p2, p1);
    cr_assert_eq(RUN("gs_guc", "set", "-D", d1, "-c", rc1), 0, "%s", res.out);
    cr_assert_eq(RUN("gs_guc", "set", "-D", d2, "-c", rc2), 0, "%s", res.out);
    cr_assert_eq(RUN("gs_ctl", "start", "-D", d1, "-M", "primary"), 0, "%s", res.out);
    cr_assert_eq(RUN("gs_ctl", "build", "-D", d2), 0, "%s", res.out);
    eventually(p2, "postgres", "SELECT status FROM pg_stat_wal_receiver", "streaming");
    /* the clients' user, once the standby streams (a primary with a configured
     * standby waits at commit for it, as openGauss's) */
    kfix_sql(&fx, p1, "postgres", "CREATE ROLE " WORKLOAD_DEFAULT_USER " LOGIN CREATEDB");
    snprintf(state, sizeof(state), "%s/wl", fx.root);
}

static json_object *parse_json(const char *text)
{
    json_object *o = json_tokener_parse(text);

    cr_assert_not_null(o, "not JSON: %s", text);
    return o;
}

static json_object *get(json_object *o, const char *key)
{
    json_object *v = NULL;

    cr_assert(json_object_object_get_ex(o, key, &v), "no \"%s\" in %s", key,
              json_object_to_json_string(o));
    return v;
}

static int64_t geti(json_object *o, const char *key)
{
    return json_object_get_int64(get(o, key));
}

static double getd(json_object *o, const char *key)
{
    return json_object_get_double(get(o, key));
}

static json_object *node(json_object *rep, size_t i)
{
    json_object *nodes = get(rep, "nodes");

    cr_assert_gt(json_object_array_length(nodes), i);
    return json_object_array_get_idx(nodes, i);
}

/* Every acked id from the logs, in a SQL file omm can read: the number of
 * them missing on port, counted by the database itself. */
static int64_t independent_lost(int port, const char *root)
{
    _cleanup_dynbuf_ struct dynbuf sql = {0};
    struct og_error err = {0};
    char path[300], file[300], p[16];
    bool first = true;

    dynbuf_init(&sql, 256u << 20);
    dynbuf_adds(&sql, "SELECT count(*) FROM unnest('{");
    for (int w = 1; w <= 16; w++) {
        _cleanup_free_ char *text = NULL;
        char *save = NULL;

        snprintf(path, sizeof(path), "%s/writer-%d.log", state, w);
        if (fs_read_file(path, 256u << 20, &text, NULL, NULL) < 0)
            continue;
        for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
            line[strcspn(line, "\t")] = '\0';
            dynbuf_addf(&sql, "%s%s", first ? "" : ",", line);
            first = false;
        }
    }
    dynbuf_adds(&sql, "}'::bigint[]) a(id) WHERE NOT EXISTS "
                      "(SELECT 1 FROM wl_acked w WHERE w.id = a.id);\n");
    snprintf(file, sizeof(file), "%s/lost.sql", root);
    cr_assert_eq(fs_replace_file(file, sql.buf, sql.len, 0644, &err), 0, "%s", err.detail);
    snprintf(p, sizeof(p), "%d", port);
    cr_assert_eq(RUN("gsql", "-X", "-q", "-tA", "-p", p, "-d", "ogsim_wl", "-f", file), 0, "%s",
                 res.err);
    return strtoll(res.out, NULL, 10);
}

/* The numbers of one node agree with each other and with the database. */
static void node_consistent(json_object *rep, size_t i, int port)
{
    json_object *n = node(rep, i);
    int64_t acked = geti(rep, "acked"), run = geti(rep, "run");
    int64_t rows = geti(n, "rows"), lost = geti(n, "lost"), extra = geti(n, "extra");
    char sql[256];

    cr_assert(json_object_get_boolean(get(n, "checked")));
    cr_assert_eq(rows, acked - lost + extra,
                 "rows %" PRId64 " acked %" PRId64 " lost %" PRId64 " extra %" PRId64, rows, acked,
                 lost, extra);
    /* every extra row is an in-doubt commit that landed */
    cr_assert_eq(geti(n, "extra_in_doubt"), extra);
    cr_assert_leq(extra, geti(rep, "in_doubt"));
    cr_assert_eq((int64_t)json_object_array_length(get(n, "lost_ids")), lost < 20 ? lost : 20);
    snprintf(sql, sizeof(sql),
             "SELECT count(*) FROM wl_acked WHERE id >= %" PRId64 " AND id < %" PRId64, run << 40,
             (run + 1) << 40);
    cr_assert_eq(strtoll(kfix_sql(&fx, port, "ogsim_wl", sql), NULL, 10), rows);
    cr_assert_eq(independent_lost(port, fx.root), lost);
    for (size_t k = 0; k < json_object_array_length(get(n, "lost_ids")); k++) {
        int64_t id = json_object_get_int64(json_object_array_get_idx(get(n, "lost_ids"), k));
        snprintf(sql, sizeof(sql), "SELECT count(*) FROM wl_acked WHERE id = %" PRId64, id);
        cr_assert_str_eq(kfix_sql(&fx, port, "ogsim_wl", sql), "0");
    }
}

Test(workload, primary_standby_nothing_lost)
{
    char d1[256], d2[256], ports[32], wrong[64];
    int p1 = kfix_free_port(), p2 = kfix_free_port();
    int64_t read_only = 0;
    json_object *rep;

    make_pair(p1, p2, d1, d2, sizeof(d1));
    snprintf(ports, sizeof(ports), "%d,%d", p1, p2);
    cr_assert_eq(ogsim("start", "--hosts", "127.0.0.1,127.0.0.1", "--port", ports, "--writers", "3",
                       "--readers", "1", "--state-dir", state, NULL),
                 0, "%s%s", res.out, res.err);
    cr_assert_not_null(strstr(res.out, "Started the workload (pid "), "%s", res.out);
    /* a second start on the same state dir is refused */
    cr_assert_eq(ogsim("start", "--hosts", "127.0.0.1,127.0.0.1", "--port", ports, "--state-dir",
                       state, NULL),
                 9, "%s%s", res.out, res.err);
    cr_assert_not_null(strstr(res.err, "[OGUP-60020]"), "%s", res.err);
    sleep(5);
    /* check while it runs: consistent (what was acked when it read the logs) */
    cr_assert_eq(ogsim("check", "--state-dir", state, "--json", NULL), 0, "%s%s", res.out, res.err);
    rep = parse_json(res.out);
    cr_assert(json_object_get_boolean(get(rep, "running")));
    json_object_put(rep);

    /* the upgrade's read-only window (default_transaction_read_only by gs_guc
     * reload, as gs_upgradectl sets it): writes are refused and counted apart
     * (SQLSTATE 25006), never as acked, in doubt or lost; after it, accepted */
    cr_assert_eq(RUN("gs_guc", "reload", "-D", d1, "-c", "default_transaction_read_only=true"), 0,
                 "%s", res.out);
    for (int i = 0; i < 100 && read_only == 0; i++) {
        usleep(100 * 1000);
        cr_assert_eq(ogsim("check", "--state-dir", state, "--json", NULL), 0, "%s", res.err);
        rep = parse_json(res.out);
        read_only = geti(get(get(rep, "clients"), "writer"), "read_only");
        json_object_put(rep);
    }
    cr_assert_gt(read_only, 0, "no write was refused as read-only");
    cr_assert_eq(RUN("gs_guc", "reload", "-D", d1, "-c", "default_transaction_read_only=false"), 0,
                 "%s", res.out);
    sleep(2);

    cr_assert_eq(ogsim("stop", "--state-dir", state, NULL), 0, "%s%s", res.out, res.err);
    cr_assert_not_null(strstr(res.out, "Stopped the workload"), "%s", res.out);
    cr_assert_eq(ogsim("check", "--state-dir", state, "--json", NULL), 0, "%s%s", res.out, res.err);
    rep = parse_json(res.out);
    cr_assert(json_object_get_boolean(get(rep, "ok")));
    cr_assert_not(json_object_get_boolean(get(rep, "running")));
    cr_assert_gt(geti(rep, "acked"), 0);
    cr_assert_eq(geti(rep, "in_doubt"), 0);
    cr_assert_eq(geti(rep, "torn_lines"), 0);
    cr_assert_eq(geti(get(get(rep, "clients"), "writer"), "count"), 3);
    cr_assert_eq(geti(get(get(rep, "clients"), "writer"), "acked"), geti(rep, "acked"));
    cr_assert_geq(geti(get(get(rep, "clients"), "writer"), "read_only"), read_only);
    cr_assert_geq(geti(get(get(rep, "clients"), "writer"), "errors"), read_only);
    cr_assert_gt(geti(get(get(rep, "clients"), "reader"), "queries"), 0);
    cr_assert_gt(getd(get(rep, "latency_ms"), "p50"), 0);
    cr_assert_geq(getd(get(rep, "latency_ms"), "p99"), getd(get(rep, "latency_ms"), "p50"));
    cr_assert_geq(getd(get(rep, "latency_ms"), "max"), getd(get(rep, "latency_ms"), "p99"));
    cr_assert_gt(getd(get(rep, "longest_gap"), "ms"), 0);
    cr_assert_geq(getd(rep, "duration_s"), 4.5);
    cr_assert_str_eq(json_object_get_string(get(node(rep, 0), "role")), "primary");
    cr_assert_str_eq(json_object_get_string(get(node(rep, 1), "role")), "standby");
    cr_assert(json_object_get_boolean(get(node(rep, 1), "caught_up")));
    for (size_t i = 0; i < 2; i++) {
        cr_assert_eq(geti(node(rep, i), "lost"), 0);
        node_consistent(rep, i, i == 0 ? p1 : p2);
    }
    fprintf(stderr,
            "(a) acked %" PRId64 " in %.1f s, p50 %.3f ms p99 %.3f ms max %.3f ms, "
            "longest gap %.1f ms\n",
            geti(rep, "acked"), getd(rep, "duration_s"), getd(get(rep, "latency_ms"), "p50"),
            getd(get(rep, "latency_ms"), "p99"), getd(get(rep, "latency_ms"), "max"),
            getd(get(rep, "longest_gap"), "ms"));
    json_object_put(rep);

    /* text report */
    cr_assert_eq(ogsim("check", "--state-dir", state, NULL), 0, "%s%s", res.out, res.err);
    cr_assert_not_null(strstr(res.out, "Result: OK"), "%s", res.out);
    cr_assert_not_null(strstr(res.out, "longest write gap: "), "%s", res.out);
    fprintf(stderr, "%s", res.out);

    /* stopping again: already stopped, fine */
    cr_assert_eq(ogsim("stop", "--state-dir", state, NULL), 0, "%s%s", res.out, res.err);
    cr_assert_not_null(strstr(res.out, "Already stopped"), "%s", res.out);

    /* a second run in the same state dir: new run number, old files gone */
    cr_assert_eq(ogsim("start", "--hosts", "127.0.0.1,127.0.0.1", "--port", ports, "--writers", "1",
                       "--readers", "0", "--duration", "1", "--state-dir", state, NULL),
                 0, "%s%s", res.out, res.err);
    cr_assert_not_null(strstr(res.out, "run 2)"), "%s", res.out);
    sleep(2);
    cr_assert_eq(ogsim("check", "--state-dir", state, "--json", NULL), 0, "%s%s", res.out, res.err);
    rep = parse_json(res.out);
    cr_assert_eq(geti(rep, "run"), 2);
    cr_assert_eq(geti(get(get(rep, "clients"), "writer"), "count"), 1);
    node_consistent(rep, 0, p1);
    json_object_put(rep);

    /* the hosts given to check must hold the primary */
    snprintf(wrong, sizeof(wrong), "%d", p2);
    cr_assert_eq(
        ogsim("check", "--state-dir", state, "--hosts", "127.0.0.1", "--port", wrong, NULL), 1,
        "%s%s", res.out, res.err);
    cr_assert_not_null(strstr(res.err, "[GAUSS-51624]"), "%s", res.err);
}

Test(workload, failover_writers_follow_the_new_primary)
{
    char d1[256], d2[256], ports[32];
    int p1 = kfix_free_port(), p2 = kfix_free_port();
    int64_t t_kill, t_failover, start_ns, from_ns, gap_ns, lost1, lost2;
    json_object *rep;
    int rc;

    make_pair(p1, p2, d1, d2, sizeof(d1));
    snprintf(ports, sizeof(ports), "%d,%d", p1, p2);
    cr_assert_eq(ogsim("start", "--hosts", "127.0.0.1,127.0.0.1", "--port", ports, "--writers", "3",
                       "--readers", "1", "--state-dir", state, NULL),
                 0, "%s%s", res.out, res.err);
    sleep(3);

    /* The primary dies; for 2 s there is none; then the standby takes over. */
    cr_assert_eq(RUN("gs_ctl", "stop", "-D", d1, "-m", "immediate"), 0, "%s", res.out);
    t_kill = mono_ns();
    sleep(2);
    t_failover = mono_ns();
    cr_assert_eq(RUN("gs_ctl", "failover", "-D", d2), 0, "%s", res.out);
    eventually(p2, "postgres", "SELECT pg_is_in_recovery()", "f");
    sleep(3); /* the writers found the new primary by themselves */

    /* The old primary comes back as a standby of the new one. */
    cr_assert_eq(RUN("gs_ctl", "build", "-D", d1), 0, "%s", res.out);
    eventually(p1, "postgres", "SELECT status FROM pg_stat_wal_receiver", "streaming");
    sleep(1);
    cr_assert_eq(ogsim("stop", "--state-dir", state, NULL), 0, "%s%s", res.out, res.err);

    rc = ogsim("check", "--state-dir", state, "--json", NULL);
    rep = parse_json(res.out);
    start_ns = geti(rep, "start_monotonic_ns");
    gap_ns = (int64_t)(getd(get(rep, "longest_gap"), "ms") * 1e6);
    from_ns = geti(get(rep, "longest_gap"), "from_monotonic_ns");
    lost1 = geti(node(rep, 0), "lost");
    lost2 = geti(node(rep, 1), "lost");
    fprintf(stderr,
            "(b) failover: acked %" PRId64 ", in doubt %" PRId64 ", lost on new primary %" PRId64
            ", on rebuilt old primary %" PRId64 ", extra %" PRId64 " (in doubt %" PRId64
            "), writer reconnects %" PRId64 ", errors %" PRId64 "; kill->failover %.0f ms, "
            "longest gap %.1f ms at +%.3f s (kill at +%.3f s)\n",
            geti(rep, "acked"), geti(rep, "in_doubt"), lost2, lost1, geti(node(rep, 1), "extra"),
            geti(node(rep, 1), "extra_in_doubt"),
            geti(get(get(rep, "clients"), "writer"), "reconnects"),
            geti(get(get(rep, "clients"), "writer"), "errors"), (t_failover - t_kill) / 1e6,
            gap_ns / 1e6, (from_ns - start_ns) / 1e9, (t_kill - start_ns) / 1e9);

    {
        char want[64];
        snprintf(want, sizeof(want), "127.0.0.1:%d", p2);
        cr_assert_str_eq(json_object_get_string(get(rep, "primary")), want);
    }
    cr_assert_str_eq(json_object_get_string(get(node(rep, 1), "role")), "primary");
    cr_assert_str_eq(json_object_get_string(get(node(rep, 0), "role")), "standby");
    cr_assert(json_object_get_boolean(get(node(rep, 0), "caught_up")));
    cr_assert_gt(geti(rep, "acked"), 0);
    /* every writer lost its primary and found the new one */
    cr_assert_geq(geti(get(get(rep, "clients"), "writer"), "reconnects"), 3);
    cr_assert_gt(start_ns + geti(rep, "last_ack_ms") * 1000000LL, t_failover,
                 "no write was acknowledged after the failover");
    /* the numbers agree with each other and with each database */
    node_consistent(rep, 1, p2);
    node_consistent(rep, 0, p1);
    cr_assert_eq(lost1, lost2, "the rebuilt standby differs from the new primary");
    /* exit code: 0 exactly when nothing acknowledged was lost */
    cr_assert_eq(rc, lost2 == 0 ? 0 : 1, "%s", res.err);
    cr_assert_eq(json_object_get_boolean(get(rep, "ok")), lost2 == 0);
    /* no write was acknowledged while there was no primary */
    cr_assert_geq(gap_ns, t_failover - t_kill);
    cr_assert_leq(from_ns, t_kill);
    cr_assert_geq(from_ns + gap_ns, t_failover);
    /* the probes: the killed primary went unanswered from before the kill until
     * it was rebuilt (at least the 2 s without a primary); the standby that took
     * over never stopped answering for that long */
    {
        json_object *av = get(rep, "availability");
        json_object *a0 = json_object_array_get_idx(av, 0), *a1 = json_object_array_get_idx(av, 1);
        int64_t un0 = (int64_t)(getd(a0, "longest_unavailable_ms") * 1e6);
        int64_t un1 = (int64_t)(getd(a1, "longest_unavailable_ms") * 1e6);
        int64_t at0 = start_ns + (int64_t)(getd(a0, "at_ms") * 1e6);

        cr_assert_eq(json_object_array_length(av), 2);
        fprintf(stderr, "(b) probes: unanswered %.1f ms (old primary), %.1f ms (new)\n", un0 / 1e6,
                un1 / 1e6);
        cr_assert_geq(un0, t_failover - t_kill);
        cr_assert_leq(at0, t_kill + 1000000); /* ms rounding in at_ms */
        cr_assert_lt(un1, un0);
        cr_assert_gt(geti(a0, "answers"), 0);
        cr_assert_gt(geti(a1, "answers"), 0);
        cr_assert_gt(geti(a0, "failures"), 0);
    }
    json_object_put(rep);
    ogsim("check", "--state-dir", state, NULL);
    fprintf(stderr, "%s", res.out);
}

Test(workload, check_reports_unreachable_hosts)
{
    const char *versions[] = {"3.0.0", NULL};
    char d1[256], ports[32], all_dead[32];
    int p1 = kfix_free_port(), dead = kfix_free_port();
    json_object *rep, *n;

    kfix_setup(&fx, versions);
    kfix_initdb(&fx, "dn1", p1, d1, sizeof(d1));
    cr_assert_eq(RUN("gs_ctl", "start", "-D", d1, "-M", "primary"), 0, "%s", res.out);
    kfix_sql(&fx, p1, "postgres", "CREATE ROLE " WORKLOAD_DEFAULT_USER " LOGIN CREATEDB");
    snprintf(state, sizeof(state), "%s/wl", fx.root);
    snprintf(ports, sizeof(ports), "%d", p1);
    cr_assert_eq(ogsim("start", "--hosts", "127.0.0.1", "--port", ports, "--writers", "2",
                       "--readers", "1", "--duration", "2", "--state-dir", state, NULL),
                 0, "%s%s", res.out, res.err);
    {
        /* --duration: it stops by itself (its pid file goes when it exits) */
        char pidfile[300];
        snprintf(pidfile, sizeof(pidfile), "%s/workload.pid", state);
        for (int i = 0; i < 300 && access(pidfile, F_OK) == 0; i++)
            usleep(100 * 1000);
        cr_assert_neq(access(pidfile, F_OK), 0, "the workload did not stop after --duration");
    }
    cr_assert_eq(ogsim("stop", "--state-dir", state, NULL), 0, "%s%s", res.out, res.err);
    cr_assert_not_null(strstr(res.out, "Already stopped"), "%s", res.out);

    /* the primary and a host nobody listens on */
    snprintf(ports, sizeof(ports), "%d,%d", p1, dead);
    cr_assert_eq(ogsim("check", "--state-dir", state, "--hosts", "127.0.0.1,127.0.0.1", "--port",
                       ports, "--json", NULL),
                 1, "%s%s", res.out, res.err);
    rep = parse_json(res.out);
    cr_assert_not(json_object_get_boolean(get(rep, "ok")));
    n = node(rep, 1);
    cr_assert_str_eq(json_object_get_string(get(n, "role")), "unreachable");
    cr_assert_not(json_object_get_boolean(get(n, "reachable")));
    cr_assert_not(json_object_get_boolean(get(n, "checked")));
    cr_assert_not_null(strstr(json_object_get_string(get(n, "error")), "127.0.0.1"));
    /* the reachable node was checked all the same */
    cr_assert_eq(geti(node(rep, 0), "lost"), 0);
    node_consistent(rep, 0, p1);
    json_object_put(rep);
    cr_assert_eq(ogsim("check", "--state-dir", state, "--hosts", "127.0.0.1,127.0.0.1", "--port",
                       ports, NULL),
                 1);
    cr_assert_not_null(strstr(res.out, "unreachable: "), "%s", res.out);
    cr_assert_not_null(strstr(res.out, "Result: FAILED"), "%s", res.out);

    /* no primary at all: an error, exit 1, and JSON saying so */
    snprintf(all_dead, sizeof(all_dead), "%d", dead);
    cr_assert_eq(ogsim("check", "--state-dir", state, "--hosts", "127.0.0.1", "--port", all_dead,
                       "--json", NULL),
                 1);
    cr_assert_not_null(strstr(res.err, "[GAUSS-51624]"), "%s", res.err);
    rep = parse_json(res.out);
    cr_assert_str_eq(json_object_get_string(get(get(rep, "error"), "code")), "GAUSS-51624");
    json_object_put(rep);
    /* start with no primary: refused before anything runs */
    cr_assert_eq(
        ogsim("start", "--hosts", "127.0.0.1", "--port", all_dead, "--state-dir", state, NULL), 26,
        "%s", res.err);
    cr_assert_not_null(strstr(res.err, "[GAUSS-51624]"), "%s", res.err);
}

/* Writer throughput with and without fsync'ing each ack line (printed). */
Test(workload, measure_ack_fsync_cost)
{
    const char *versions[] = {"3.0.0", NULL};
    const char *modes[] = {NULL, "--no-ack-fsync"};
    double rate[2], p50[2];
    char d1[256], port[16];
    int p1 = kfix_free_port();

    kfix_setup(&fx, versions);
    kfix_initdb(&fx, "dn1", p1, d1, sizeof(d1));
    cr_assert_eq(RUN("gs_ctl", "start", "-D", d1, "-M", "primary"), 0, "%s", res.out);
    kfix_sql(&fx, p1, "postgres", "CREATE ROLE " WORKLOAD_DEFAULT_USER " LOGIN CREATEDB");
    snprintf(state, sizeof(state), "%s/wl", fx.root);
    snprintf(port, sizeof(port), "%d", p1);
    for (int m = 0; m < 2; m++) {
        json_object *rep;

        /* modes[m] ends the argument list when NULL */
        cr_assert_eq(ogsim("start", "--hosts", "127.0.0.1", "--port", port, "--writers", "4",
                           "--readers", "0", "--duration", "5", "--state-dir", state, modes[m],
                           NULL),
                     0, "%s%s", res.out, res.err);
        sleep(6);
        cr_assert_eq(ogsim("stop", "--state-dir", state, NULL), 0, "%s", res.err);
        cr_assert_eq(ogsim("check", "--state-dir", state, "--json", NULL), 0, "%s", res.err);
        rep = parse_json(res.out);
        cr_assert_eq(json_object_get_boolean(get(rep, "ack_fsync")), m == 0);
        rate[m] = (double)geti(rep, "acked") / getd(rep, "duration_s");
        p50[m] = getd(get(rep, "latency_ms"), "p50");
        json_object_put(rep);
    }
    fprintf(stderr,
            "ack log fsync cost, 4 writers, 5 s: with fsync %.0f acks/s (commit p50 %.3f ms), "
            "without %.0f acks/s (p50 %.3f ms): %.0f%% of the throughput\n",
            rate[0], p50[0], rate[1], p50[1], rate[1] > 0 ? 100.0 * rate[0] / rate[1] : 0.0);
}
