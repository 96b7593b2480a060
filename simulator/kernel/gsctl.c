/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * gs_ctl - start, stop, restart, query, status, switchover, failover and
 * build an instance, printing what openGauss's gs_ctl prints (stdout, with
 * the "[time][pid][][gs_ctl]: " prefix on progress lines).
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <getopt.h>
#include <inttypes.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "command.h"
#include "fs.h"
#include "kconf.h"
#include "kpg.h"
#include "parse.h"
#include "shquote.h"
#include "tools.h"
#include "banned.h"

#define DEFAULT_WAIT_S 60

struct ctl {
    const struct kenv *k;
    const char *cmd;
    const char *datadir;
    const char *mode;       /* -M */
    const char *opts;       /* -o */
    const char *logfile;    /* -l */
    const char *stop_mode;  /* -m */
    const char *build_mode; /* -b */
    const char *conninfo;   /* -C */
    int wait_s;             /* -t */
    bool no_wait;           /* -W */
};

static void say(const char *fmt, ...) _printf_(1, 2);
static void say(const char *fmt, ...)
{
    char prefix[128];
    va_list ap;

    kenv_log_prefix("gs_ctl", prefix, sizeof(prefix));
    fputs(prefix, stdout);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    fflush(stdout);
}

static void field(const char *name, const char *value)
{
    printf("\t%-30s : %s\n", name, value);
}

static int stop_signal(const char *mode)
{
    if (!mode || strcmp(mode, "fast") == 0 || strcmp(mode, "f") == 0)
        return SIGINT;
    if (strcmp(mode, "immediate") == 0 || strcmp(mode, "i") == 0)
        return SIGQUIT;
    if (strcmp(mode, "smart") == 0 || strcmp(mode, "s") == 0)
        return SIGTERM;
    return 0;
}

/* ---- start ---------------------------------------------------------------- */

static void default_logfile(const struct ctl *c, char *buf, size_t size)
{
    const char *gl = getenv("GAUSSLOG");
    _cleanup_free_ char *copy = strdup(c->datadir);

    if (c->logfile) {
        snprintf(buf, size, "%s", c->logfile);
        return;
    }
    if (gl && gl[0] == '/' && copy) {
        char dir[4096];
        snprintf(dir, sizeof(dir), "%s/pg_log/%s", gl, basename(copy));
        if (fs_mkdir_p(dir, 0700, NULL) == 0) {
            snprintf(buf, size, "%s/gaussdb.log", dir);
            return;
        }
    }
    snprintf(buf, size, "%s/gaussdb.log", c->datadir);
}

/* Show what the server wrote to its log since offset (this start's lines):
 * every FATAL/PANIC line, then the last lines - "Examine the log output."
 * without making the operator go and find it. */
static void show_log_since(const char *path, size_t offset, int lines)
{
    _cleanup_free_ char *text = NULL;
    size_t len = 0;
    const char *start, *p;
    int n = 0;

    if (fs_read_file(path, 64 * 1024 * 1024, &text, &len, NULL) < 0 || len <= offset)
        return;
    start = text + offset;
    printf("gs_ctl: the server's log (%s) says:\n", path);
    for (p = start; *p;) {
        const char *nl = strchrnul(p, '\n');
        if (memmem(p, (size_t)(nl - p), "FATAL:", 6) || memmem(p, (size_t)(nl - p), "PANIC:", 6))
            printf("%.*s\n", (int)(nl - p), p);
        p = *nl ? nl + 1 : nl;
    }
    p = text + len;
    while (p > start && n <= lines) {
        p--;
        if (*p == '\n' && p != text + len - 1)
            n++;
    }
    if (*p == '\n')
        p++;
    printf("gs_ctl: last lines:\n%s", p);
    if (text[len - 1] != '\n')
        putchar('\n');
}

/* Split -o "a b 'c d'" into argv entries (appended to out). */
static int split_opts(const char *s, char **out, int max)
{
    int n = 0;

    while (s && *s && n < max) {
        char word[1024];
        size_t w = 0;
        char q = 0;

        while (*s == ' ' || *s == '\t')
            s++;
        if (!*s)
            break;
        while (*s && (q || (*s != ' ' && *s != '\t'))) {
            if (!q && (*s == '\'' || *s == '"')) {
                q = *s++;
                continue;
            }
            if (q && *s == q) {
                q = 0;
                s++;
                continue;
            }
            if (w + 1 < sizeof(word))
                word[w++] = *s;
            s++;
        }
        word[w] = '\0';
        out[n] = strdup(word);
        if (!out[n])
            break;
        n++;
    }
    return n;
}

static int do_start(const struct ctl *c, bool banner)
{
    char logpath[4096], gaussdb[PATH_MAX + 16];
    char *argv[64];
    int argc = 0, wait_s = c->wait_s > 0 ? c->wait_s : DEFAULT_WAIT_S, status;
    long long deadline, next_dot;
    size_t log_offset;
    pid_t pid;

    if (banner)
        say("gs_ctl started,datadir is %s \n", c->datadir);
    if (kpg_running(c->datadir, NULL)) {
        say(" another server might be running; Please use the restart command\n");
        return 0;
    }
    default_logfile(c, logpath, sizeof(logpath));
    {
        struct stat st;
        log_offset = stat(logpath, &st) == 0 ? (size_t)st.st_size : 0;
    }
    snprintf(gaussdb, sizeof(gaussdb), "%s/gaussdb", c->k->bindir);
    argv[argc++] = (char *)"gaussdb";
    argv[argc++] = (char *)"-D";
    argv[argc++] = (char *)c->datadir;
    if (c->mode) {
        argv[argc++] = (char *)"-M";
        argv[argc++] = (char *)c->mode;
    }
    argc += split_opts(c->opts, argv + argc, 50);
    argv[argc] = NULL;

    fflush(stdout);
    pid = fork();
    if (pid < 0) {
        say(" could not start server: fork: %s\n", strerror(errno));
        return 1;
    }
    if (pid == 0) {
        int fd = open(logpath, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
        int nul = open("/dev/null", O_RDONLY);
        setsid();
        if (fd >= 0) {
            dup2(fd, STDOUT_FILENO);
            dup2(fd, STDERR_FILENO);
        }
        if (nul >= 0)
            dup2(nul, STDIN_FILENO);
        execv(gaussdb, argv);
        _exit(127);
    }
    if (c->no_wait) {
        say("server starting\n");
        return 0;
    }
    say("waiting for server to start...\n");
    deadline = kpg_now_ms() + (long long)wait_s * 1000;
    next_dot = kpg_now_ms() + 1000;
    for (;;) {
        struct kpg_pidfile pf;

        if (waitpid(pid, &status, WNOHANG) == pid) {
            printf("\n");
            say("stopped waiting\n");
            say("could not start server\nExamine the log output.\n");
            if (WIFSIGNALED(status))
                say("the server was killed by signal %d\n", WTERMSIG(status));
            else if (WEXITSTATUS(status) != 1)
                say("the server exited with %d\n", WEXITSTATUS(status));
            show_log_since(logpath, log_offset, 8);
            return 1;
        }
        if (kpg_read_pidfile(c->datadir, &pf) == 0 && pf.pid == pid &&
            (strcmp(pf.status, "ready") == 0 || strcmp(pf.status, "standby") == 0) &&
            kpg_gate_open(c->datadir, pid)) {
            printf("\n");
            say(" done\n");
            say("server started (%s)\n", c->datadir);
            return 0;
        }
        if (kpg_now_ms() > deadline) {
            printf("\n");
            say("stopped waiting\n");
            say("server is still starting up\n");
            return 0;
        }
        if (kpg_now_ms() >= next_dot) {
            printf(".");
            fflush(stdout);
            next_dot += 1000;
        }
        usleep(50 * 1000);
    }
}

/* ---- stop ------------------------------------------------------------------ */

static int do_stop(const struct ctl *c, bool banner)
{
    int sig = stop_signal(c->stop_mode), r;
    int wait_s = c->wait_s > 0 ? c->wait_s : DEFAULT_WAIT_S;
    pid_t pid;

    if (banner)
        say("gs_ctl stopped ,datadir is %s \n", c->datadir);
    if (!sig) {
        say(" unrecognized shutdown mode \"%s\"\n", c->stop_mode);
        return 1;
    }
    if (!kpg_running(c->datadir, &pid)) {
        say(" PID file \"%s/postmaster.pid\" does not exist\n", c->datadir);
        say("Is server running?\n");
        return 1;
    }
    if (c->no_wait) {
        kill(pid, sig);
        printf("server shutting down\n");
        return 0;
    }
    printf("waiting for server to shut down...");
    fflush(stdout);
    r = kpg_stop_pid(pid, sig, wait_s * 1000, true);
    if (r < 0) {
        printf(" failed\n");
        say(" server does not shut down (%s)\n", c->datadir);
        return 1;
    }
    printf(" done\nserver stopped\n");
    return 0;
}

/* ---- query ----------------------------------------------------------------- */

static uint64_t lsn(const char *s)
{
    unsigned hi = 0, lo = 0;

    if (!s || sscanf(s, "%X/%X", &hi, &lo) != 2)
        return 0;
    return ((uint64_t)hi << 32) | lo;
}

static void percent(const char *have, const char *want, char *buf, size_t size)
{
    uint64_t h = lsn(have), w = lsn(want);

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
            uint64_t have = lsn(PQgetvalue(res, 0, 1)), want = lsn(PQgetvalue(res, 0, 2));
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

static int do_query(const struct ctl *c)
{
    _cleanup_pgconn_ PGconn *conn = NULL;
    struct og_error err = {0};
    struct kpg_pidfile pf;
    struct replconn rc[8];
    char inrec[8] = "", host[256];
    int nrepl = kconf_read_replconns(c->datadir, rc, 8);
    bool standby;

    say("gs_ctl query ,datadir is %s \n", c->datadir);
    if (kpg_read_pidfile(c->datadir, &pf) < 0) {
        say(" PID file \"%s/postmaster.pid\" does not exist\n", c->datadir);
        say("Is server running?\n");
        return 1;
    }
    if (!kpg_pid_alive(pf.pid)) {
        say(" could not connect to the local server, the postmaster process %ld is not running",
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

static int do_status(const struct ctl *c)
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

static int do_switchover(const struct ctl *c)
{
    _cleanup_pgconn_ PGconn *self = NULL, *primary = NULL, *old = NULL;
    _cleanup_dynbuf_ struct dynbuf peers = {0};
    struct og_error err = {0};
    char inrec[8] = "", target[1200], old_end[64] = "", mine[64] = "";
    int wait_s = c->wait_s > 0 ? c->wait_s : 120;
    long long deadline;
    const char *restart_standby[] = {"restart", "-D", "@DATADIR@", "-M",
                                     "standby", "-m", "fast",      NULL};

    dynbuf_init(&peers, 8192);
    say("gs_ctl switchover ,datadir is %s \n", c->datadir);
    self = kpg_connect_datadir(c->datadir, "postgres", &err);
    if (!self) {
        say(" PID file \"%s/postmaster.pid\" does not exist\n", c->datadir);
        say("Is server running?\n");
        return 1;
    }
    say("switchover term (%d)\n", term_of(self));
    kpg_value(self, "SELECT pg_is_in_recovery()", inrec, sizeof(inrec), NULL);
    if (inrec[0] != 't') {
        say("switchover completed (%s)\n", c->datadir);
        return 0;
    }
    if (kconf_peers_conninfo(c->datadir, &peers) < 0 ||
        dynbuf_appends(&peers, " dbname=postgres") < 0 ||
        !(primary = connect_str(peers.buf, &err))) {
        say(" cannot switchover server; no primary is reachable: %s\n", err.detail);
        return 1;
    }
    conn_target(primary, c->datadir, target, sizeof(target));
    say("waiting for server to switchover...");
    /* 1. the old primary restarts itself as a standby (fast shutdown ships
     *    all its WAL to the standbys first) */
    if (remote_gs_ctl(primary, restart_standby, &err) < 0) {
        printf("\n");
        say(" switchover failed: %s\n", err.detail);
        return 1;
    }
    PQfinish(steal_ptr(primary));
    deadline = kpg_now_ms() + (long long)wait_s * 1000;
    old = wait_role(target, true, deadline, true);
    if (!old) {
        printf("\n");
        say("\n switchover timeout after %d seconds. please manually check the cluster status "
            "or backtrack log.\n",
            wait_s);
        return 1;
    }
    /* 2. this standby must hold every byte of the old primary's WAL */
    kpg_value(old, "SELECT pg_catalog.pg_last_wal_replay_lsn()", old_end, sizeof(old_end), NULL);
    for (;;) {
        kpg_value(self, "SELECT pg_catalog.pg_last_wal_replay_lsn()", mine, sizeof(mine), NULL);
        if (lsn(mine) >= lsn(old_end))
            break;
        if (kpg_now_ms() > deadline) {
            const char *back[] = {"restart", "-D", "@DATADIR@", "-M", "primary", NULL};
            printf("\n");
            say(" switchover failed: this standby replayed %s but the primary ended at %s; "
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
        say(" switchover failed: promote: %s\n", err.detail);
        return 1;
    }
    /* 4. the old primary follows us (its primary_conninfo targets read-write) */
    while (kpg_now_ms() < deadline && !has_standby(self))
        usleep(200 * 1000);
    printf("\n");
    say("done\n");
    say("switchover completed (%s)\n", c->datadir);
    return 0;
}

static int do_failover(const struct ctl *c)
{
    _cleanup_pgconn_ PGconn *self = NULL;
    struct og_error err = {0};
    char inrec[8] = "";

    say("gs_ctl failover ,datadir is %s \n", c->datadir);
    self = kpg_connect_datadir(c->datadir, "postgres", &err);
    if (!self) {
        say(" PID file \"%s/postmaster.pid\" does not exist\n", c->datadir);
        say("Is server running?\n");
        return 1;
    }
    say("failover term (%d)\n", term_of(self));
    kpg_value(self, "SELECT pg_is_in_recovery()", inrec, sizeof(inrec), NULL);
    if (inrec[0] != 't') {
        say(" cannot failover server; server is not in standby mode\n");
        return 1;
    }
    say(" waiting for server to failover...\n");
    if (kpg_exec(self, "SELECT pg_catalog.pg_promote(true, 60)", &err) < 0) {
        say(" failover failed (%s): %s\n", c->datadir, err.detail);
        return 1;
    }
    say(" done\n");
    say(" failover completed (%s)\n", c->datadir);
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

static int do_build(const struct ctl *c)
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
    say("gs_ctl full build ,datadir is %s\n", c->datadir);
    if (c->conninfo) {
        dynbuf_adds(&src, c->conninfo);
        kconf_append_ha_auth(c->datadir, &src);
    } else if (kconf_peers_conninfo(c->datadir, &src) < 0) {
        say(" build failed: no replconninfo in %s/%s and no -C connection string\n", c->datadir,
            KCONF_OG);
        return 1;
    }
    dynbuf_adds(&src, " dbname=postgres");
    if (dynbuf_error(&src)) {
        say(" build failed: the connection string exceeds %zu bytes\n", src.max);
        return 1;
    }
    primary = connect_str(src.buf, &err);
    if (!primary) {
        say(" build failed: cannot reach the primary: %s\n", err.detail);
        return 1;
    }
    if (kpg_running(c->datadir, NULL)) {
        struct ctl stop = *c;
        stop.stop_mode = "fast";
        if (do_stop(&stop, false) != 0)
            return 1;
    }
    for (size_t i = 0; i < ELEMENTSOF(kept_files); i++) {
        snprintf(path, sizeof(path), "%s/%s", c->datadir, kept_files[i]);
        if (fs_read_file(path, 16 * 1024 * 1024, &saved[i], &saved_len[i], NULL) < 0)
            saved[i] = NULL;
    }
    if (fs_mkdir_p(c->datadir, 0700, &err) < 0 ||
        nftw(c->datadir, rm_entry, 32, FTW_DEPTH | FTW_PHYS) < 0) {
        say(" build failed: cannot clear %s: %s\n", c->datadir, strerror(errno));
        goto out;
    }
    chmod(c->datadir, 0700);
    say("connect to server success, build started.\n");
    say("receiving and unpacking files...\n");
    snprintf(portstr, sizeof(portstr), "%s", PQport(primary));
    bb = command_newl(kenv_pg_program("pg_basebackup", prog, sizeof(prog)), "-h", PQhost(primary),
                      "-p", portstr, "-D", c->datadir, "-X", "stream", "-c", "fast", "-w",
                      "--no-sync", NULL);
    command_passenv(bb, "HOME");
    command_passenv(bb, "USER");
    command_set_timeout_ms(bb, 30 * 60 * 1000);
    if (command_run_ok(bb, &res, &err) < 0) {
        say(" build failed(%s): %s\n", c->datadir, err.detail);
        goto out;
    }
    for (size_t i = 0; i < ELEMENTSOF(kept_files); i++) {
        if (!saved[i])
            continue;
        snprintf(path, sizeof(path), "%s/%s", c->datadir, kept_files[i]);
        if (fs_replace_file(path, saved[i], saved_len[i], 0600, &err) < 0) {
            say(" build failed(%s): %s\n", c->datadir, err.detail);
            goto out;
        }
    }
    if (kconf_og_layout(c->datadir, &err) < 0) {
        say(" build failed(%s): %s\n", c->datadir, err.detail);
        goto out;
    }
    snprintf(path, sizeof(path), "%s/postgresql.auto.conf", c->datadir);
    fs_replace_file(path, "# Do not edit this file manually!\n", 34, 0600, NULL);
    snprintf(path, sizeof(path), "%s/standby.signal", c->datadir);
    if (fs_replace_file(path, "", 0, 0600, &err) < 0) {
        say(" build failed(%s): %s\n", c->datadir, err.detail);
        goto out;
    }
    if (v3)
        say("full build build completed(%s).\n", c->datadir);
    else
        say("build completed(%s).\n", c->datadir);
    start.mode = "standby";
    rc = do_start(&start, false);
out:
    for (size_t i = 0; i < ELEMENTSOF(kept_files); i++)
        free(saved[i]);
    return rc;
}

/* ---- main ---------------------------------------------------------------------- */

static void usage(void)
{
    printf("gs_ctl is a utility to initialize, start, stop, or control an openGauss "
           "instance (ogup simulated kernel).\n\n"
           "Usage:\n"
           "  gs_ctl start   [-D DATADIR] [-M SERVERMODE] [-o \"OPTIONS\"] [-l FILENAME] [-t SECS] "
           "[-W]\n"
           "  gs_ctl stop    [-D DATADIR] [-m SHUTDOWN-MODE] [-t SECS] [-W]\n"
           "  gs_ctl restart [-D DATADIR] [-m SHUTDOWN-MODE] [-M SERVERMODE] [-o \"OPTIONS\"]\n"
           "  gs_ctl query   [-D DATADIR]\n"
           "  gs_ctl status  [-D DATADIR]\n"
           "  gs_ctl switchover [-D DATADIR] [-t SECS]\n"
           "  gs_ctl failover   [-D DATADIR]\n"
           "  gs_ctl build   [-D DATADIR] [-b full] [-C \"CONNSTR\"]\n"
           "  gs_ctl -V\n\n"
           "SERVERMODE: primary | standby | pending\n"
           "SHUTDOWN-MODE: fast (default) | immediate | smart\n"
           "Options of the upgrade: -o \"-u NUM\" starts in upgrade mode for catalog NUM.\n");
}

/* -V and --help as the first argument: answered here (exit 0). */
static bool answer_info(const struct kenv *k, int argc, char **argv)
{
    if (argc >= 2 && (strcmp(argv[1], "-V") == 0 || strcmp(argv[1], "--version") == 0)) {
        char line[512];
        kenv_version_line(k, "gs_ctl", line, sizeof(line));
        puts(line);
        return true;
    }
    if (argc >= 2 && (strcmp(argv[1], "-?") == 0 || strcmp(argv[1], "--help") == 0)) {
        usage();
        return true;
    }
    return false;
}

/* -t SECS: what is not a number is 0, the default wait (openGauss's gs_ctl
 * reads it with atoi). */
static int wait_seconds(const char *s)
{
    int v;

    return safe_atoi(s, &v) == 0 ? v : 0;
}

/* The options and the command into c. GNU getopt permutes argv: the command
 * may come before or after the options, as with gs_ctl; the non-options are
 * left at the end. 0, or -1 (usage printed). */
static int parse_args(int argc, char **argv, struct ctl *c)
{
    static const struct option longopts[] = {
        {"pgdata", required_argument, NULL, 'D'},
        {"version", no_argument, NULL, 'V'},
        {"help", no_argument, NULL, '?'},
        {NULL, 0, NULL, 0},
    };
    int opt;

    while ((opt = getopt_long(argc, argv, "D:M:o:l:m:b:C:t:wWZ:N:P:", longopts, NULL)) != -1) {
        switch (opt) {
        case 'D':
            c->datadir = optarg;
            break;
        case 'M':
            c->mode = optarg;
            break;
        case 'o':
            c->opts = optarg;
            break;
        case 'l':
            c->logfile = optarg;
            break;
        case 'm':
            c->stop_mode = optarg;
            break;
        case 'b':
            c->build_mode = optarg;
            break;
        case 'C':
            c->conninfo = optarg;
            break;
        case 't':
            c->wait_s = wait_seconds(optarg);
            break;
        case 'w':
            c->no_wait = false;
            break;
        case 'W':
            c->no_wait = true;
            break;
        case 'Z':
        case 'N':
        case 'P':
            break; /* -Z datanode/single_node, -N node, -P password: accepted */
        default:
            usage();
            return -1;
        }
    }
    if (optind < argc)
        c->cmd = argv[optind];
    return 0;
}

/* A command, a data directory, a known server mode. 0, or -1 (printed). */
static int check_args(const struct ctl *c)
{
    if (!c->cmd) {
        fprintf(stderr, "gs_ctl: no operation specified\n");
        return -1;
    }
    if (!c->datadir) {
        fprintf(stderr, "gs_ctl: no database directory specified and environment variable "
                        "PGDATA unset\n");
        return -1;
    }
    if (c->mode && strcmp(c->mode, "primary") != 0 && strcmp(c->mode, "standby") != 0 &&
        strcmp(c->mode, "pending") != 0 && strcmp(c->mode, "cascade_standby") != 0) {
        fprintf(stderr, "gs_ctl: unrecognized server mode \"%s\"\n", c->mode);
        return -1;
    }
    return 0;
}

static int do_restart(const struct ctl *c)
{
    say("gs_ctl restarted ,datadir is %s \n", c->datadir);
    if (kpg_running(c->datadir, NULL) && do_stop(c, false) != 0)
        return 1;
    return do_start(c, false);
}

int tool_gs_ctl(const struct kenv *k, int argc, char **argv)
{
    struct ctl c = {.k = k, .datadir = getenv("PGDATA")};

    if (answer_info(k, argc, argv))
        return 0;
    if (parse_args(argc, argv, &c) < 0 || check_args(&c) < 0)
        return 1;
    if (strcmp(c.cmd, "start") == 0)
        return do_start(&c, true);
    if (strcmp(c.cmd, "stop") == 0)
        return do_stop(&c, true);
    if (strcmp(c.cmd, "restart") == 0)
        return do_restart(&c);
    if (strcmp(c.cmd, "query") == 0)
        return do_query(&c);
    if (strcmp(c.cmd, "status") == 0)
        return do_status(&c);
    if (strcmp(c.cmd, "switchover") == 0)
        return do_switchover(&c);
    if (strcmp(c.cmd, "failover") == 0)
        return do_failover(&c);
    if (strcmp(c.cmd, "build") == 0)
        return do_build(&c);
    fprintf(stderr, "gs_ctl: unrecognized operation mode \"%s\"\n", c.cmd);
    return 1;
}
