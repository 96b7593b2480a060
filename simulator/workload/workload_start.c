/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * workload_start.c - a workload started and stopped (workload.h): the
 * database and table made ready, the state directory checked and locked,
 * the background process forked and waited for; stop signals it and reads
 * its final counters.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libpq-fe.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "fs.h"
#include "lockfile.h"
#include "ogerror.h"
#include "workload.h"
#include "workload_int.h"
#include "banned.h"

#define READY_TIMEOUT_MS (30 * 1000)

static inline void pqfreememp(char **p)
{
    if (*p)
        PQfreemem(*p);
}

/* ---- start: the database side ------------------------------------------------ */

/* Create the database and the table if missing; the new run's number. */
static int prepare_database(const struct workload_opts *o, int *ret_run, struct og_error *err)
{
    _cleanup_pgconn_ PGconn *c = NULL;
    _cleanup_pgres_ PGresult *res = NULL;
    const char *params[1] = {o->dbname};
    int64_t run;
    int r;

    r = wl_connect_primary(o, "postgres", &c, err);
    if (r < 0)
        return r;
    r = wl_sql_run_params(c, "SELECT 1 FROM pg_database WHERE datname = $1", 1, params,
                          PGRES_TUPLES_OK, &res, err);
    if (r < 0)
        return r;
    if (PQntuples(res) == 0) {
        _cleanup_(pqfreememp) char *ident = PQescapeIdentifier(c, o->dbname, strlen(o->dbname));
        struct og_error e = {0};
        char sql[256];

        if (!ident)
            return og_error_set(err, OG_E_NOMEM, "quoting \"%s\"", o->dbname);
        snprintf(sql, sizeof(sql), "CREATE DATABASE %s", ident);
        r = wl_sql_run_params(c, sql, 0, NULL, PGRES_COMMAND_OK, NULL, &e);
        /* 42P04: created meanwhile by someone else, fine */
        if (r < 0 && !strstr(e.detail, "[42P04]"))
            return og_error_set(err, r, "%s", e.detail);
    }
    PQfinish(c);
    c = NULL;
    r = wl_connect_primary(o, o->dbname, &c, err);
    if (r < 0)
        return r;
    PQclear(res);
    res = NULL;
    /* a cluster read-only for an upgrade refuses even CREATE ... IF NOT
     * EXISTS: an existing table (a snapshot's) is only looked up */
    r = wl_sql_run_params(c, "SELECT to_regclass('wl_acked') IS NULL", 0, NULL, PGRES_TUPLES_OK,
                          &res, err);
    if (r == 0 && PQntuples(res) == 1 && strcmp(PQgetvalue(res, 0, 0), "t") == 0)
        r = wl_sql_run_params(c,
                              "CREATE TABLE IF NOT EXISTS wl_acked (id bigint PRIMARY KEY, "
                              "writer int NOT NULL, at timestamptz NOT NULL DEFAULT now())",
                              0, NULL, PGRES_COMMAND_OK, NULL, err);
    if (r < 0)
        return r;
    PQclear(res);
    res = NULL;
    r = wl_sql_run_params(c, "SELECT coalesce(max(id) >> 40, 0) + 1 FROM wl_acked", 0, NULL,
                          PGRES_TUPLES_OK, &res, err);
    if (r < 0)
        return r;
    if (PQntuples(res) != 1 || wl_parse_int64(PQgetvalue(res, 0, 0), 1, (1LL << 23) - 1, &run) < 0)
        return og_error_set(err, OG_E_SQL,
                            "Failed to execute SQL: the next run number is out of range");
    *ret_run = (int)run;
    return 0;
}

/* ---- start ---------------------------------------------------------------- */

static bool is_run_file(const char *name)
{
    const char *p = name + 7;

    if (strcmp(name, PID_FILE) == 0 || strcmp(name, STATS_FILE) == 0 || strcmp(name, OUT_FILE) == 0)
        return true;
    /* writer-<digits>.log, writer-<digits>.doubt */
    if (strncmp(name, "writer-", 7) != 0 || !isdigit((unsigned char)*p))
        return false;
    while (isdigit((unsigned char)*p))
        p++;
    return strcmp(p, ".log") == 0 || strcmp(p, ".doubt") == 0;
}

/* The dir must hold a previous workload (conf) or nothing else: anything
 * else is refused. With remove, the previous run's files are removed. */
static int state_dir_prepare(const char *dir, bool remove, struct og_error *err)
{
    _cleanup_(closedirp) DIR *d = NULL;
    char path[WORKLOAD_PATH_MAX + 32];
    struct dirent *de;
    bool has_conf;

    wl_path_in(path, sizeof(path), dir, CONF_FILE);
    has_conf = access(path, F_OK) == 0;
    if (has_conf) {
        struct wl_conf old;
        int r = wl_conf_read(dir, &old, err);
        if (r < 0)
            return r;
    }
    d = opendir(dir);
    if (!d)
        return og_error_set_errno(err, OG_E_READ_FAILED, errno, "Failed to read \"%s\"", dir);
    while ((de = readdir(d))) {
        const char *name = de->d_name;
        if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0 || strcmp(name, LOCK_FILE) == 0 ||
            strcmp(name, CONF_FILE) == 0 || strncmp(name, CONF_FILE ".tmp-", 18) == 0 ||
            strncmp(name, STATS_FILE ".tmp-", 19) == 0 || strncmp(name, PID_FILE ".tmp-", 17) == 0)
            continue;
        if (!has_conf || !is_run_file(name))
            return og_error_set(err, OG_E_CONTENT_INVALID,
                                "The directory \"%s\" is not a workload state directory (it "
                                "holds \"%s\"): give an empty or a workload's --state-dir.",
                                dir, name);
    }
    if (!remove)
        return 0;
    rewinddir(d);
    while ((de = readdir(d)))
        if (is_run_file(de->d_name) && unlinkat(dirfd(d), de->d_name, 0) < 0 && errno != ENOENT)
            return og_error_set_errno(err, OG_E_WRITE_FAILED, errno, "Failed to remove \"%s/%s\"",
                                      dir, de->d_name);
    return 0;
}

static int read_pid_file(const char *dir, pid_t *ret)
{
    _cleanup_free_ char *text = NULL;
    char path[WORKLOAD_PATH_MAX + 32];
    int64_t v;

    wl_path_in(path, sizeof(path), dir, PID_FILE);
    if (fs_read_file(path, 64, &text, NULL, NULL) < 0)
        return -1;
    text[strcspn(text, "\n")] = '\0';
    if (wl_parse_int64(text, 2, INT32_MAX, &v) < 0)
        return -1;
    *ret = (pid_t)v;
    return 0;
}

static int lock_state_dir(const char *dir, int timeout_ms, struct lockfile **ret,
                          struct og_error *err)
{
    char path[WORKLOAD_PATH_MAX + 32];
    struct og_error lerr = {0};
    int r;

    wl_path_in(path, sizeof(path), dir, LOCK_FILE);
    r = lockfile_acquire(path, "ogsim-workload", timeout_ms, ret, &lerr);
    if (r == -OG_E_LOCKED) {
        pid_t pid = 0;
        if (read_pid_file(dir, &pid) == 0)
            return og_error_set(err, OG_E_LOCKED,
                                "A workload is already running in \"%s\" (pid %ld): stop it first.",
                                dir, (long)pid);
        return og_error_set(err, OG_E_LOCKED, "A workload is already running in \"%s\" (%s).", dir,
                            lerr.detail);
    }
    if (r < 0 && err)
        *err = lerr;
    return r;
}

static void redirect_stdio(const char *dir)
{
    char path[WORKLOAD_PATH_MAX + 32];
    int in = open("/dev/null", O_RDONLY | O_CLOEXEC), out;

    wl_path_in(path, sizeof(path), dir, OUT_FILE);
    out = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (out < 0)
        out = open("/dev/null", O_WRONLY | O_CLOEXEC);
    if (in >= 0)
        dup2(in, STDIN_FILENO);
    if (out >= 0) {
        dup2(out, STDOUT_FILENO);
        dup2(out, STDERR_FILENO);
    }
    safe_close(in);
    safe_close(out);
    setvbuf(stderr, NULL, _IOLBF, 0);
}

/* Wait for the background process's first message. */
static int ready_wait(int fd, const char *dir, struct og_error *err)
{
    struct og_error msg = {0};
    size_t got = 0;
    int64_t deadline = wl_mono_ns() + (int64_t)READY_TIMEOUT_MS * 1000000LL;

    while (got < sizeof(msg)) {
        struct pollfd pfd = {.fd = fd, .events = POLLIN};
        int64_t left = (deadline - wl_mono_ns()) / 1000000;
        ssize_t n;

        if (left <= 0)
            return og_error_set(err, OG_E_TIMEOUT,
                                "The workload process did not start within %d s (see \"%s/" OUT_FILE
                                "\").",
                                READY_TIMEOUT_MS / 1000, dir);
        if (poll(&pfd, 1, (int)left) < 0 && errno != EINTR)
            return og_error_set_errno(err, OG_E_IO, errno, "waiting for the workload process");
        n = read(fd, (char *)&msg + got, sizeof(msg) - got);
        if (n < 0 && (errno == EINTR || errno == EAGAIN))
            continue;
        if (n <= 0)
            return og_error_set(
                err, OG_E_SPAWN,
                "The workload process exited before it started (see \"%s/" OUT_FILE "\").", dir);
        got += (size_t)n;
    }
    if (msg.code != 0) {
        msg.detail[sizeof(msg.detail) - 1] = '\0';
        return og_error_set(err, msg.code, "%s", msg.detail);
    }
    return 0;
}

int workload_start(const struct workload_opts *o, struct workload_started *ret,
                   struct og_error *err)
{
    _cleanup_lockfile_ struct lockfile *lock = NULL;
    _cleanup_close_ int rfd = -1, wfd = -1;
    struct wl_conf conf = {.o = *o};
    int pipefd[2], r;
    pid_t pid;

    memset(ret, 0, sizeof(*ret));
    r = workload_opts_validate(o, err);
    if (r < 0)
        return r;
    r = fs_mkdir_p(o->state_dir, 0700, err);
    if (r < 0)
        return r;
    r = lock_state_dir(o->state_dir, 0, &lock, err);
    if (r < 0)
        return r;
    r = state_dir_prepare(o->state_dir, false, err);
    if (r < 0)
        return r;
    r = prepare_database(o, &conf.run, err);
    if (r < 0)
        return r;
    /* the previous run's files go only once this one can start */
    r = state_dir_prepare(o->state_dir, true, err);
    if (r < 0)
        return r;
    r = wl_conf_write(&conf, err);
    if (r < 0)
        return r;
    if (pipe2(pipefd, O_CLOEXEC) < 0)
        return og_error_set_errno(err, OG_E_SPAWN, errno, "Failed to start the workload process");
    rfd = pipefd[0];
    wfd = pipefd[1];
    fflush(NULL);
    pid = fork();
    if (pid < 0)
        return og_error_set_errno(err, OG_E_SPAWN, errno, "Failed to start the workload process");
    if (pid == 0) {
        /* The background process: its own session, quiet stdio, 0600 files. */
        rfd = safe_close(rfd);
        setsid();
        umask(077);
        redirect_stdio(o->state_dir);
        ret->is_child = true;
        ret->exit_status = wl_daemon_run(&conf, steal_fd(&wfd));
        return 0;
    }
    wfd = safe_close(wfd);
    r = ready_wait(rfd, o->state_dir, err);
    if (r < 0)
        return r;
    ret->pid = pid;
    ret->run = conf.run;
    return 0;
}

/* ---- stop --------------------------------------------------------------------- */

int workload_stop(const char *state_dir, int timeout_s, struct workload_stats *ret,
                  bool *was_running, struct og_error *err)
{
    _cleanup_lockfile_ struct lockfile *lock = NULL;
    struct workload_stats st;
    struct wl_conf conf;
    bool signalled = false;
    pid_t pid = 0;
    int r;

    r = wl_conf_read(state_dir, &conf, err);
    if (r < 0)
        return r;
    r = lock_state_dir(state_dir, 0, &lock, NULL);
    if (r == -OG_E_LOCKED) {
        char path[WORKLOAD_PATH_MAX + 32];

        wl_path_in(path, sizeof(path), state_dir, PID_FILE);
        if (read_pid_file(state_dir, &pid) == 0) {
            if (kill(pid, SIGTERM) < 0 && errno != ESRCH)
                return og_error_set_errno(err, OG_E_EXEC_FAILED, errno,
                                          "Failed to signal the workload process %ld", (long)pid);
            signalled = true;
        } else if (access(path, F_OK) == 0) {
            return og_error_set(err, OG_E_CONTENT_INVALID,
                                "The content of file \"%s\" is not correct.", path);
        }
        /* else: it removed its pid file, it is exiting by itself */
        r = lock_state_dir(state_dir, timeout_s * 1000, &lock, NULL);
        if (r == -OG_E_LOCKED)
            return og_error_set(err, OG_E_TIMEOUT,
                                "The workload process %ld did not exit within %d s.", (long)pid,
                                timeout_s);
    }
    if (r < 0)
        return og_error_set(err, OG_E_IO, "Failed to lock \"%s/" LOCK_FILE "\".", state_dir);
    /* nobody holds the lock any more: its counters are final */
    r = workload_stats_read(state_dir, &st, err);
    if (r < 0)
        return r;
    if (st.running)
        return og_error_set(err, OG_E_NOT_EXIST,
                            "The workload process (pid %ld) of \"%s\" does not exist: it "
                            "died without stopping (see \"%s/" OUT_FILE "\").",
                            (long)st.pid, state_dir, state_dir);
    if (was_running)
        *was_running = signalled;
    if (ret)
        *ret = st;
    return 0;
}
