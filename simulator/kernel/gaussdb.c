/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * gaussdb - the server. Writes the replication settings, closes the
 * connection gate, starts a gatekeeper, then becomes PostgreSQL's postgres
 * (exec: the pid, postmaster.pid and signals are the real server's).
 *
 * The gate: the server runs with hba_file = og_hba_gate.conf, which at start
 * admits only local (unix socket) connections. The gatekeeper checks over
 * the socket that every database's catalog matches this kernel (or the -u
 * number of an upgrade-mode start); then it opens the gate (the gate file
 * becomes pg_hba.conf's copy, SIGHUP, marker og_gate.open = the server's
 * pid) — or, on a mismatch, logs FATAL and shuts the server down (fast):
 * nothing was ever served. One server start instead of a check server and a
 * real one. gs_ctl start waits for the gate; gs_guc -h keeps the copy current.
 *
 *   gaussdb -V | --version
 *   gaussdb -D DIR [-u NUM] [-M primary|standby|pending] [PostgreSQL options...]
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fs.h"
#include "kconf.h"
#include "kpg.h"
#include "parallel.h"
#include "parse.h"
#include "tools.h"
#include "banned.h"

#define MAX_DBS 256

struct db_probe {
    const char *sockdir;
    int port;
    const char *db;
    int num; /* the catalog number, -1 when it cannot be read */
};

static void probe_db(void *arg)
{
    struct db_probe *p = arg;
    _cleanup_pgconn_ PGconn *dc = kpg_connect(p->sockdir, p->port, p->db, NULL);
    char num[32] = "";

    /* a row whose number is not one (NULL) reads as 0, a mismatch */
    if (dc &&
        kpg_value(dc, "SELECT num FROM og_catalog.catalog_version", num, sizeof(num), NULL) == 0 &&
        safe_atoi(num, &p->num) < 0)
        p->num = 0;
}

int kernel_catalog_check(const struct kenv *k, const char *sockdir, int port, int upgrade_from,
                         struct og_error *err)
{
    struct db_probe probes[MAX_DBS];
    _cleanup_pgconn_ PGconn *c = NULL;
    char bad[1024] = "";
    size_t blen = 0;
    PGresult *res;
    char mode[16] = "0";
    int r = 0, ndb;
    bool inplace;

    c = kpg_connect(sockdir, port, "postgres", err);
    if (!c)
        return -OG_E_DN_CONNECTIONS;
    /* upgrade_mode=1 (in-place) or 2 (grey) under way: the old binary works
     * on the catalog the upgrade scripts moved forward, as openGauss's old
     * binary runs the catalog scripts and is restarted on them at a rollback
     * (openGauss-OM v5.0.0 UpgradeImpl.py:3207 doUpgradeCatalog, :4759; grey
     * :1530 updateCatalog, :4291 switchExistsProcess(rollback)) */
    kpg_value(c, "SELECT coalesce(current_setting('og.upgrade_mode', true), '0')", mode,
              sizeof(mode), NULL);
    inplace = strcmp(mode, "1") == 0 || strcmp(mode, "2") == 0;
    res = PQexec(c, "SELECT datname FROM pg_catalog.pg_database WHERE datallowconn "
                    "ORDER BY datname");
    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
        r = og_error_set(err, OG_E_SQL, "listing databases: %s", PQerrorMessage(c));
        PQclear(res);
        return r;
    }
    ndb = PQntuples(res) < MAX_DBS ? PQntuples(res) : MAX_DBS;
    /* one connection per database, all at once (a backend start each) */
    for (int i = 0; i < ndb; i++)
        probes[i] = (struct db_probe){
            .sockdir = sockdir, .port = port, .db = PQgetvalue(res, i, 0), .num = -1};
    parallel_each(probes, (size_t)ndb, sizeof(probes[0]), probe_db, 0);
    for (int i = 0; i < ndb; i++) {
        const char *db = probes[i].db;
        int n = probes[i].num;

        if (n == k->ver.number || (upgrade_from > 0 && n == upgrade_from) ||
            (inplace && n > k->ver.number))
            continue;
        if (blen < sizeof(bad) - 1) {
            if (n < 0)
                blen += (size_t)snprintf(bad + blen, sizeof(bad) - blen, "%s\"%s\" has none",
                                         blen ? ", " : "", db);
            else
                blen += (size_t)snprintf(bad + blen, sizeof(bad) - blen, "%s\"%s\" is %d.%03d",
                                         blen ? ", " : "", db, n / 1000, n % 1000);
        }
    }
    PQclear(res);
    if (bad[0]) {
        if (upgrade_from > 0)
            return og_error_set(err, OG_E_CATALOG_MISMATCH,
                                "catalog of database %s; this kernel is %d.%03d and was started "
                                "in upgrade mode for %d.%03d",
                                bad, k->ver.number / 1000, k->ver.number % 1000,
                                upgrade_from / 1000, upgrade_from % 1000);
        return og_error_set(err, OG_E_CATALOG_MISMATCH,
                            "catalog of database %s; this kernel (openGauss %s) is %d.%03d. "
                            "Start in upgrade mode (-u <catalog number>) to update the catalog",
                            bad, k->ver.version, k->ver.number / 1000, k->ver.number % 1000);
    }
    return 0;
}

static int write_gate(const char *datadir, bool open, struct og_error *err)
{
    _cleanup_dynbuf_ struct dynbuf text = {0};
    char gate[4096];
    int r;

    dynbuf_init(&text, 16u << 20); /* before any return: the cleanup frees it */
    snprintf(gate, sizeof(gate), "%s/%s", datadir, KCONF_GATE);
    if (!open) {
        const char *closed = "# og gate: closed until the catalog check passes\n"
                             "local all all trust\n";
        return fs_replace_file(gate, closed, strlen(closed), 0600, err);
    }
    r = kconf_gate_text(datadir, &text, err);
    if (r == 0)
        r = fs_replace_file(gate, text.buf, text.len, 0600, err);
    return r;
}

/* A standby is judged on the catalog it will serve: hot standby opens at the
 * consistency point, while the WAL of the catalog scripts (which a stop may
 * have left unsent or unreplayed) is still to come from the primary. Wait
 * until it streams and has replayed up to the primary's end of WAL as last
 * reported (pg_stat_wal_receiver.latest_end_lsn), at most STANDBY_CATCHUP_MS,
 * or STANDBY_NO_PRIMARY_MS without streaming: then judge what it has.
 * openGauss's own kernel has no such check; a standby started on the new
 * binary simply replays the catalog changes (found by the fault matrix:
 * net-loss on a standby during the catalog phase). */
#define STANDBY_CATCHUP_MS    60000
#define STANDBY_NO_PRIMARY_MS 5000

/* (postmaster.pid says "ready" on a PG 15 hot standby too: asked by SQL.)
 * False on a primary. */
static bool standby_catch_up(const char *sockdir, int port)
{
    long long t0 = kpg_now_ms(), streamed = t0;
    char target[64] = ""; /* the primary's end when first seen streaming */
    _cleanup_pgconn_ PGconn *c = NULL;

    for (;;) {
        char q[512], v[64] = "";
        long long now;

        if (c && PQstatus(c) != CONNECTION_OK) {
            PQfinish(c);
            c = NULL;
        }
        if (!c)
            c = kpg_connect(sockdir, port, "postgres", NULL); /* one session, polled */

        /* a running workload keeps the primary writing: the target is its
         * end of WAL when the standby first streams, not "now" */
        if (!target[0])
            snprintf(q, sizeof(q),
                     "SELECT CASE WHEN NOT pg_is_in_recovery() THEN 'primary' ELSE "
                     "coalesce((SELECT latest_end_lsn::text FROM pg_stat_wal_receiver WHERE "
                     "status = 'streaming'), '') END");
        else
            snprintf(q, sizeof(q),
                     "SELECT CASE WHEN pg_last_wal_replay_lsn() >= '%s'::pg_lsn THEN "
                     "'caught-up' ELSE 'behind' END",
                     target);
        if (c && kpg_value(c, q, v, sizeof(v), NULL) == 0 && !target[0] && v[0] &&
            strcmp(v, "primary") != 0)
            snprintf(target, sizeof(target), "%s", v);
        now = kpg_now_ms();
        if (strcmp(v, "caught-up") == 0 || strcmp(v, "primary") == 0)
            return strcmp(v, "primary") != 0;
        if (target[0])
            streamed = now;
        if (now - t0 >= STANDBY_CATCHUP_MS || now - streamed >= STANDBY_NO_PRIMARY_MS)
            return true;
        usleep(50 * 1000);
    }
}

/* The gatekeeper (a grandchild of gaussdb, so not the postmaster's child):
 * waits for the server, checks the catalog, opens the gate or stops it. */
static _noreturn_ void gatekeeper(const struct kenv *k, const char *datadir, pid_t pm,
                                  int upgrade_from)
{
    struct og_error err = {0};
    struct kpg_pidfile pf = {0};
    char marker[4096], pidtext[32], msg[OG_ERROR_DETAIL_MAX + 64];
    bool standby;
    int r;

    setsid();
    for (;;) {
        if (!kpg_pid_alive(pm))
            _exit(1);
        if (kpg_read_pidfile(datadir, &pf) == 0 && pf.pid == pm &&
            (strcmp(pf.status, "ready") == 0 || strcmp(pf.status, "standby") == 0))
            break;
        usleep(20 * 1000);
    }
    standby = standby_catch_up(pf.sockdir, pf.port); /* at once on a primary */
    r = kernel_catalog_check(k, pf.sockdir, pf.port, upgrade_from, &err);
    if (r == 0)
        r = write_gate(datadir, true, &err);
    if (r < 0) {
        fprintf(stderr, "FATAL:  %s\n", og_error_format(&err, msg, sizeof(msg)));
        fflush(stderr);
        kill(pm, SIGINT);
        _exit(1);
    }
    kill(pm, SIGHUP);
    kconf_write_state(datadir, standby ? "standby" : "primary", "Normal", (long)pm, NULL);
    snprintf(marker, sizeof(marker), "%s/%s", datadir, KCONF_GATE_OPEN);
    snprintf(pidtext, sizeof(pidtext), "%ld\n", (long)pm);
    fs_replace_file(marker, pidtext, strlen(pidtext), 0600, NULL);
    _exit(0);
}

/* -u 92298 or -u 92.298 */
static int parse_upgrade_from(const char *s, int *ret)
{
    if (strchr(s, '.'))
        return version_number_parse(s, ret);
    if (safe_atoi_range(s, 1, 999999, ret) < 0)
        return -OG_E_PARAM_INVALID;
    return 0;
}

static int apply_mode(const char *datadir, const char *mode, struct og_error *err)
{
    char path[4096];

    snprintf(path, sizeof(path), "%s/standby.signal", datadir);
    if (strcmp(mode, "standby") == 0 || strcmp(mode, "cascade_standby") == 0)
        return access(path, F_OK) == 0 ? 0 : fs_replace_file(path, "", 0, 0600, err);
    if (strcmp(mode, "primary") == 0) {
        if (unlink(path) < 0 && errno != ENOENT)
            return og_error_set_errno(err, OG_E_WRITE_FAILED, errno, "remove \"%s\"", path);
        return 0;
    }
    if (strcmp(mode, "pending") == 0)
        return 0;
    return og_error_set(err, OG_E_PARAM_INVALID, "The parameter '-M' value is incorrect: %s", mode);
}

/* The application_name standbys report: pgxc_node_name, else the host name. */
static void node_name(const char *datadir, char *buf, size_t size)
{
    char path[4096];

    snprintf(path, sizeof(path), "%s/%s", datadir, KCONF_OG);
    if (kconf_get(path, "og.pgxc_node_name", buf, size) == 0 && buf[0])
        return;
    if (gethostname(buf, size) < 0)
        snprintf(buf, size, "gaussdb");
}

#define MAX_PASS 200 /* PostgreSQL options passed on */

struct gaussdb_opts {
    const char *datadir; /* -D, else PGDATA */
    const char *mode;    /* -M */
    int upgrade_from;    /* -u, 0 when not given */
    const char *pass[MAX_PASS];
    int npass;
};

/* -V and --help as the first argument: answered here (exit 0). */
static bool answer_info(const struct kenv *k, int argc, char **argv)
{
    char line[512];

    if (argc >= 2 && (strcmp(argv[1], "-V") == 0 || strcmp(argv[1], "--version") == 0)) {
        kenv_version_line(k, "gaussdb", line, sizeof(line));
        puts(line);
        return true;
    }
    if (argc >= 2 && (strcmp(argv[1], "-?") == 0 || strcmp(argv[1], "--help") == 0)) {
        printf("gaussdb is the openGauss-compatible server of the ogup simulator.\n\n"
               "Usage:\n  gaussdb -D DATADIR [-u NUM] [-M primary|standby|pending] "
               "[PostgreSQL server options]\n  gaussdb -V\n\n"
               "  -u NUM   upgrade mode: also accept a catalog at kernel number NUM\n");
        return true;
    }
    return false;
}

/* The kernel's options into o, the rest kept for PostgreSQL. 0, or -1 with
 * the FATAL line printed. */
static int parse_args(int argc, char **argv, struct gaussdb_opts *o)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "-D") == 0 && i + 1 < argc) {
            o->datadir = argv[++i];
        } else if (strcmp(a, "-u") == 0 && i + 1 < argc) {
            if (parse_upgrade_from(argv[++i], &o->upgrade_from) < 0) {
                fprintf(stderr, "FATAL:  invalid upgrade number \"%s\"\n", argv[i]);
                return -1;
            }
        } else if (strcmp(a, "-M") == 0 && i + 1 < argc) {
            o->mode = argv[++i];
        } else if (strcmp(a, "--single_node") == 0) {
            continue;
        } else if (strcmp(a, "-Z") == 0 && i + 1 < argc) {
            i++; /* -Z single_node / datanode: one kind of instance here */
        } else if (o->npass < MAX_PASS) {
            o->pass[o->npass++] = a;
        }
    }
    return 0;
}

/* A data directory, and no server in it. 0, or -1 with the FATAL line printed. */
static int check_opts(const struct gaussdb_opts *o)
{
    if (!o->datadir) {
        fprintf(stderr, "FATAL:  no data directory given (-D or PGDATA)\n");
        return -1;
    }
    if (kpg_running(o->datadir, NULL)) {
        fprintf(stderr,
                "FATAL:  lock file \"postmaster.pid\" already exists: another server "
                "is running in \"%s\"\n",
                o->datadir);
        return -1;
    }
    return 0;
}

/* The gate closed, then the gatekeeper started for the server this process
 * becomes (detached: a grandchild). */
static int start_gatekeeper(const struct kenv *k, const struct gaussdb_opts *o,
                            struct og_error *err)
{
    char marker[4096];
    pid_t child, self = getpid();
    int r;

    snprintf(marker, sizeof(marker), "%s/%s", o->datadir, KCONF_GATE_OPEN);
    unlink(marker);
    r = write_gate(o->datadir, false, err);
    if (r < 0)
        return r;
    fflush(NULL);
    child = fork();
    if (child == 0) {
        if (fork() == 0)
            gatekeeper(k, o->datadir, self, o->upgrade_from);
        _exit(0);
    }
    if (child < 0)
        return og_error_set_errno(err, OG_E_EXEC_FAILED, errno, "cannot start the gatekeeper");
    waitpid(child, NULL, 0);
    return 0;
}

/* Everything before the server: -M, the replication settings, the gate. */
static int prepare(const struct kenv *k, const struct gaussdb_opts *o, struct og_error *err)
{
    char name[256];
    int r = o->mode ? apply_mode(o->datadir, o->mode, err) : 0;

    if (r < 0)
        return r;
    node_name(o->datadir, name, sizeof(name));
    r = kconf_write_replication(o->datadir, name, err);
    if (r < 0)
        return r;
    return start_gatekeeper(k, o, err);
}

/* Become the server; returns only when that failed. */
static int exec_server(const struct kenv *k, const struct gaussdb_opts *o, struct og_error *err)
{
    char line[512], server[PATH_MAX], binopt[PATH_MAX + 32], veropt[96], numopt[48];
    char hbaopt[PATH_MAX + 32], vstropt[640], workopt[64];
    char *args[MAX_PASS + 16];
    int n = 0;

    kenv_server_program(k, server, sizeof(server));
    snprintf(binopt, sizeof(binopt), "og.kernel_bin=%s", k->bindir);
    snprintf(veropt, sizeof(veropt), "og.kernel_version=%s", k->ver.version);
    snprintf(numopt, sizeof(numopt), "og.kernel_num=%d", k->ver.number);
    snprintf(hbaopt, sizeof(hbaopt), "hba_file=%s/%s", o->datadir, KCONF_GATE);
    /* what version() and working_version_num() answer (catalogsql.c) */
    kenv_version_line(k, "", line, sizeof(line));
    snprintf(
        vstropt, sizeof(vstropt),
        "og.version_string=%s on x86_64-unknown-linux-gnu, compiled by g++ (GCC) 7.3.0, 64-bit",
        line + 1);
    snprintf(workopt, sizeof(workopt), "og.working_version_num=%d",
             o->upgrade_from > 0 ? o->upgrade_from : k->ver.number);
    args[n++] = server; /* PostgreSQL finds its installation from argv[0] */
    args[n++] = (char *)"-D";
    args[n++] = (char *)o->datadir;
    args[n++] = (char *)"-c";
    args[n++] = binopt;
    args[n++] = (char *)"-c";
    args[n++] = veropt;
    args[n++] = (char *)"-c";
    args[n++] = numopt;
    args[n++] = (char *)"-c";
    args[n++] = hbaopt;
    args[n++] = (char *)"-c";
    args[n++] = vstropt;
    args[n++] = (char *)"-c";
    args[n++] = workopt;
    for (int i = 0; i < o->npass; i++)
        args[n++] = (char *)o->pass[i];
    args[n] = NULL;
    execv(server, args);
    return og_error_set_errno(err, OG_E_EXEC_FAILED, errno, "cannot execute \"%s\"", server);
}

int tool_gaussdb(const struct kenv *k, int argc, char **argv)
{
    struct gaussdb_opts o = {.datadir = getenv("PGDATA")};
    struct og_error err = {0};
    char msg[OG_ERROR_DETAIL_MAX + 64];

    if (answer_info(k, argc, argv))
        return 0;
    if (parse_args(argc, argv, &o) < 0 || check_opts(&o) < 0)
        return 1;
    if (prepare(k, &o, &err) == 0)
        exec_server(k, &o, &err);
    fprintf(stderr, "FATAL:  %s\n", og_error_format(&err, msg, sizeof(msg)));
    return 1;
}
