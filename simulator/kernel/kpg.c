/* SPDX-License-Identifier: MulanPSL-2.0 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "fs.h"
#include "kconf.h"
#include "kpg.h"
#include "parse.h"
#include "banned.h"

static bool pid_exited(pid_t pid);

long long kpg_now_ms(void)
{
    return og_now_ms();
}

/* The number on the line at p (up to its '\n'), as PostgreSQL and the
 * gatekeeper write one ("%d\n"): 0 when the line is not a number, as atoi()
 * took garbage. */
static int line_int(const char *p)
{
    char buf[32];
    size_t len = strcspn(p, "\n");
    int v;

    if (len >= sizeof(buf))
        return 0;
    memcpy(buf, p, len);
    buf[len] = '\0';
    return safe_atoi(buf, &v) == 0 ? v : 0;
}

int kpg_read_pidfile(const char *datadir, struct kpg_pidfile *ret)
{
    _cleanup_free_ char *text = NULL;
    char path[4096];
    struct kpg_pidfile pf = {0};
    const char *p;
    int line = 0;

    snprintf(path, sizeof(path), "%s/postmaster.pid", datadir);
    if (fs_read_file(path, 65536, &text, NULL, NULL) < 0)
        return -OG_E_NOT_EXIST;
    /* pid, datadir, start time, port, socket dir, listen addr, shmem key, status */
    for (p = text; *p && line < 8; line++) {
        const char *nl = strchrnul(p, '\n');
        int len = (int)(nl - p);
        switch (line) {
        case 0:
            pf.pid = (pid_t)line_int(p);
            break;
        case 3:
            pf.port = line_int(p);
            break;
        case 4:
            snprintf(pf.sockdir, sizeof(pf.sockdir), "%.*s", len, p);
            break;
        case 7:
            snprintf(pf.status, sizeof(pf.status), "%.*s", len, p);
            for (char *s = pf.status + strlen(pf.status); s > pf.status && s[-1] == ' '; s--)
                s[-1] = '\0';
            break;
        }
        p = *nl ? nl + 1 : nl;
    }
    if (pf.pid <= 0)
        return -OG_E_CONTENT_INVALID;
    /* A comma-separated socket list: the first one. */
    pf.sockdir[strcspn(pf.sockdir, ",")] = '\0';
    *ret = pf;
    return 0;
}

/* pid is the server of datadir: a postmaster's working directory is its
 * data directory (a killed server leaves postmaster.pid behind, and its pid
 * can be any process's by now). Where /proc cannot tell, trust the pid. */
static bool serves(pid_t pid, const char *datadir)
{
    char link[64], cwd[4096], want[4096];
    ssize_t n;

    snprintf(link, sizeof(link), "/proc/%ld/cwd", (long)pid);
    n = readlink(link, cwd, sizeof(cwd) - 1);
    if (n < 0 || !realpath(datadir, want))
        return true;
    cwd[n] = '\0';
    return strcmp(cwd, want) == 0;
}

bool kpg_gate_open(const char *datadir, pid_t pid)
{
    _cleanup_free_ char *text = NULL;
    char path[4096];

    snprintf(path, sizeof(path), "%s/%s", datadir, KCONF_GATE_OPEN);
    return fs_read_file(path, 64, &text, NULL, NULL) == 0 && line_int(text) == (int)pid;
}

bool kpg_running(const char *datadir, pid_t *ret_pid)
{
    struct kpg_pidfile pf;

    if (kpg_read_pidfile(datadir, &pf) < 0)
        return false;
    if (!kpg_pid_alive(pf.pid) || !serves(pf.pid, datadir))
        return false;
    if (ret_pid)
        *ret_pid = pf.pid;
    return true;
}

PGconn *kpg_connect(const char *sockdir, int port, const char *db, struct og_error *err)
{
    char portstr[16];
    const char *keys[] = {"host", "port", "dbname", "connect_timeout", "application_name", NULL};
    const char *vals[] = {sockdir, portstr, db, "10", "ogkernel", NULL};
    PGconn *c;

    snprintf(portstr, sizeof(portstr), "%d", port);
    c = PQconnectdbParams(keys, vals, 0);
    if (!c || PQstatus(c) != CONNECTION_OK) {
        og_error_set(err, OG_E_DN_CONNECTIONS, "cannot connect to database \"%s\" at %s:%d: %s", db,
                     sockdir, port, c ? PQerrorMessage(c) : "out of memory");
        if (c)
            PQfinish(c);
        return NULL;
    }
    return c;
}

PGconn *kpg_connect_datadir(const char *datadir, const char *db, struct og_error *err)
{
    struct kpg_pidfile pf;

    if (kpg_read_pidfile(datadir, &pf) < 0 || !pf.sockdir[0]) {
        og_error_set(err, OG_E_DN_CONNECTIONS, "no running server in \"%s\"", datadir);
        return NULL;
    }
    return kpg_connect(pf.sockdir, pf.port, db, err);
}

int kpg_value(PGconn *c, const char *sql, char *buf, size_t size, struct og_error *err)
{
    PGresult *res = PQexec(c, sql);
    int r = 0;

    if (PQresultStatus(res) != PGRES_TUPLES_OK)
        r = og_error_set(err, OG_E_SQL, "Failed to execute SQL: %s: %s", sql, PQerrorMessage(c));
    else if (PQntuples(res) < 1)
        r = -OG_E_NOT_EXIST;
    else
        snprintf(buf, size, "%s", PQgetvalue(res, 0, 0));
    PQclear(res);
    return r;
}

int kpg_exec(PGconn *c, const char *sql, struct og_error *err)
{
    PGresult *res = PQexec(c, sql);
    ExecStatusType st = PQresultStatus(res);
    int r = 0;

    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK && st != PGRES_EMPTY_QUERY)
        r = og_error_set(err, OG_E_SQL, "Failed to execute SQL: %s", PQerrorMessage(c));
    PQclear(res);
    return r;
}

/* Gone = reaped, no such process, or a zombie nobody reaped yet (an init
 * that does not reap must not make a stopped server look alive). */
static bool pid_exited(pid_t pid)
{
    char path[64], buf[256];
    int status, fd;
    ssize_t n;
    char *rp;

    if (pid <= 0)
        return false;
    if (waitpid(pid, &status, WNOHANG) == pid)
        return true;
    if (kill(pid, 0) < 0 && errno == ESRCH)
        return true;
    snprintf(path, sizeof(path), "/proc/%ld/stat", (long)pid);
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return true;
    n = read(fd, buf, sizeof(buf) - 1);
    close(fd);
    if (n <= 0)
        return true;
    buf[n] = '\0';
    rp = strrchr(buf, ')');
    return rp && (rp[2] == 'Z' || rp[2] == 'X');
}

bool kpg_pid_alive(pid_t pid)
{
    return pid > 0 && !pid_exited(pid);
}

int kpg_wait_ready(const char *sockdir, int port, pid_t pid, int timeout_ms, struct og_error *err)
{
    long long deadline = kpg_now_ms() + timeout_ms;
    char portstr[16];
    const char *keys[] = {"host", "port", "dbname", "connect_timeout", NULL};
    const char *vals[] = {sockdir, portstr, "postgres", "2", NULL};

    snprintf(portstr, sizeof(portstr), "%d", port);
    for (;;) {
        if (PQpingParams(keys, vals, 0) == PQPING_OK)
            return 0;
        if (pid_exited(pid))
            return og_error_set(err, OG_E_EXEC_FAILED, "the server process %ld exited", (long)pid);
        if (kpg_now_ms() > deadline)
            return og_error_set(err, OG_E_TIMEOUT, "the server did not accept connections in %d ms",
                                timeout_ms);
        usleep(50 * 1000);
    }
}

int kpg_conf_port(const char *datadir)
{
    char path[4096], val[32];
    int port;

    snprintf(path, sizeof(path), "%s/%s", datadir, KCONF_MAIN);
    if (kconf_get(path, "port", val, sizeof(val)) == 0 &&
        safe_atoi_range(val, 1, INT_MAX, &port) == 0)
        return port;
    return 5432;
}

int kpg_private_start(const struct kenv *k, const char *datadir, const char *logpath,
                      const char *const *extra, struct kpg_server *ret, struct og_error *err)
{
    char server[PATH_MAX], sockopt[300], portopt[32];
    struct kpg_server s = {0};
    const char *argv[64];
    size_t n = 0;
    pid_t pid;
    int r;

    snprintf(s.sockdir, sizeof(s.sockdir), "/tmp/ogkernel-%ld-XXXXXX", (long)getpid());
    if (!mkdtemp(s.sockdir))
        return og_error_set_errno(err, OG_E_CREATE_FAILED, errno, "private socket directory");
    s.port = kpg_conf_port(datadir);
    kenv_server_program(k, server, sizeof(server));
    snprintf(sockopt, sizeof(sockopt), "unix_socket_directories=%s", s.sockdir);
    snprintf(portopt, sizeof(portopt), "port=%d", s.port);
    argv[n++] = server; /* PostgreSQL finds its installation from argv[0] */
    argv[n++] = "-D";
    argv[n++] = datadir;
    argv[n++] = "-c";
    argv[n++] = "listen_addresses=";
    argv[n++] = "-c";
    argv[n++] = sockopt;
    argv[n++] = "-c";
    argv[n++] = portopt;
    argv[n++] = "-c";
    argv[n++] = "archive_mode=off";
    for (size_t i = 0; extra && extra[i] && n < ELEMENTSOF(argv) - 1; i++)
        argv[n++] = extra[i];
    argv[n] = NULL;

    pid = fork();
    if (pid < 0) {
        rmdir(s.sockdir);
        return og_error_set_errno(err, OG_E_EXEC_FAILED, errno, "fork");
    }
    if (pid == 0) {
        int fd = logpath ? open(logpath, O_WRONLY | O_CREAT | O_APPEND, 0600) : -1;
        int nul = open("/dev/null", O_RDONLY);
        if (fd >= 0) {
            dup2(fd, STDOUT_FILENO);
            dup2(fd, STDERR_FILENO);
        }
        if (nul >= 0)
            dup2(nul, STDIN_FILENO);
        setsid();
        execv(server, (char *const *)argv);
        _exit(127);
    }
    s.pid = pid;
    r = kpg_wait_ready(s.sockdir, s.port, pid, 120 * 1000, err);
    if (r < 0) {
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
        rmdir(s.sockdir);
        og_error_prefix(err, "maintenance start of \"%s\" failed (log: %s)", datadir,
                        logpath ? logpath : "none");
        return r;
    }
    *ret = s;
    return 0;
}

int kpg_stop_pid(pid_t pid, int sig, int timeout_ms, bool dots)
{
    long long deadline = kpg_now_ms() + timeout_ms, next_dot = kpg_now_ms() + 1000;

    if (kill(pid, sig) < 0)
        return errno == ESRCH ? 0 : -OG_E_EXEC_FAILED;
    while (!pid_exited(pid)) {
        if (kpg_now_ms() > deadline)
            return -OG_E_TIMEOUT;
        if (dots && kpg_now_ms() >= next_dot) {
            fputc('.', stdout);
            fflush(stdout);
            next_dot += 1000;
        }
        usleep(20 * 1000);
    }
    return 0;
}

int kpg_private_stop(struct kpg_server *s, struct og_error *err)
{
    int r = 0;

    if (s->pid > 0) {
        r = kpg_stop_pid(s->pid, SIGINT, 120 * 1000, false);
        if (r == -OG_E_TIMEOUT) {
            kill(s->pid, SIGKILL);
            r = og_error_set(err, OG_E_TIMEOUT, "maintenance server %ld did not stop",
                             (long)s->pid);
        }
        waitpid(s->pid, NULL, WNOHANG);
        s->pid = 0;
    }
    if (s->sockdir[0])
        rmdir(s->sockdir);
    s->sockdir[0] = '\0';
    return r;
}
