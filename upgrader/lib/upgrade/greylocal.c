/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * greylocal.c - what the grey plan does on one node (greylocal.h), run by
 * `gs_upgradectl --local`.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "command.h"
#include "fs.h"
#include "greylocal.h"
#include "parse.h"
#include "versioncfg.h"
#include "banned.h"

#define CONF_FILE       "postgresql.conf"
#define CONF_MAX        (16u << 20)
#define KILL_DEADLINE   (30 * 1000)
#define QUERY_TIMEOUT   (20 * 1000)
#define STOP_TIMEOUT    (120 * 1000)
#define REPLAY_DEADLINE (60 * 1000)

static int copy_conf(const char *src, const char *dst, struct og_error *err)
{
    _cleanup_free_ char *text = NULL;
    size_t n = 0;
    int r = fs_read_file(src, CONF_MAX, &text, &n, err);

    if (r == 0)
        r = fs_replace_file(dst, text ? text : "", n, 0600, err);
    return r;
}

int grey_local_conf_backup(const char *datadir, struct og_error *err)
{
    char conf[PATH_MAX], bak[PATH_MAX + 16];

    snprintf(conf, sizeof(conf), "%s/%s", datadir, CONF_FILE);
    snprintf(bak, sizeof(bak), "%s%s", conf, GREY_CONF_BAK_SUFFIX);
    if (access(bak, F_OK) == 0)
        return 0; /* taken before: the file of before the upgrade */
    /* fs_replace_file writes a temporary file beside it and renames it: the
     * .bak.old appears complete or not at all (openGauss: via .bak.old.temp) */
    return copy_conf(conf, bak, err);
}

int grey_local_conf_restore(const char *datadir, struct og_error *err)
{
    char conf[PATH_MAX], bak[PATH_MAX + 16];

    snprintf(conf, sizeof(conf), "%s/%s", datadir, CONF_FILE);
    snprintf(bak, sizeof(bak), "%s%s", conf, GREY_CONF_BAK_SUFFIX);
    if (access(bak, F_OK) != 0)
        return 0; /* never taken: nothing changed */
    return copy_conf(bak, conf, err);
}

int grey_local_conf_clean(const char *datadir, struct og_error *err)
{
    char bak[PATH_MAX + 32];

    snprintf(bak, sizeof(bak), "%s/%s%s", datadir, CONF_FILE, GREY_CONF_BAK_SUFFIX);
    if (unlink(bak) < 0 && errno != ENOENT)
        return og_error_set_errno(err, OG_E_WRITE_FAILED, errno, "Failed to remove %s.", bak);
    return 0;
}

/* postmaster.pid: line 1 the pid, 4 the port, 5 the socket directory. */
static int read_pidfile(const char *datadir, pid_t *pid, char *port, size_t psize, char *sock,
                        size_t ssize)
{
    char path[PATH_MAX + 32], *save = NULL, *line;
    _cleanup_free_ char *text = NULL;
    int n = 0, v = 0;

    snprintf(path, sizeof(path), "%s/postmaster.pid", datadir);
    if (fs_read_file(path, 1 << 16, &text, NULL, NULL) < 0)
        return -1;
    *pid = 0;
    for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        n++;
        if (n == 1 && safe_atoi(line, &v) == 0 && v > 0)
            *pid = v;
        else if (n == 4)
            snprintf(port, psize, "%s", line);
        else if (n == 5)
            snprintf(sock, ssize, "%s", line);
    }
    return *pid > 0 ? 0 : -1;
}

/* Alive and not a zombie. */
static bool alive(pid_t pid)
{
    char path[64], *text = NULL, *rp;
    bool ret;

    if (kill(pid, 0) < 0)
        return false;
    snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
    if (fs_read_file(path, 4096, &text, NULL, NULL) < 0)
        return false;
    rp = strrchr(text, ')');
    ret = !(rp && rp[1] == ' ' && rp[2] == 'Z');
    free(text);
    return ret;
}

/* The children of pid (its backends, its auxiliary processes). */
static size_t children(pid_t pid, pid_t *out, size_t max)
{
    _cleanup_closedir_ DIR *d = opendir("/proc");
    struct dirent *de;
    size_t n = 0;

    while (d && (de = readdir(d)) && n < max) {
        char path[300], *text = NULL, *rp;
        int ppid = 0, child = 0;
        if (safe_atoi(de->d_name, &child) < 0 || child <= 0)
            continue;
        snprintf(path, sizeof(path), "/proc/%s/stat", de->d_name);
        if (fs_read_file(path, 4096, &text, NULL, NULL) < 0)
            continue;
        rp = strrchr(text, ')');
        if (rp && sscanf(rp + 2, "%*c %d", &ppid) == 1 && ppid == (int)pid)
            out[n++] = child;
        free(text);
    }
    return n;
}

/* What version() of the running instance says (empty when it cannot tell). */
static void running_version(const char *app, const char *port, const char *sock, char *buf,
                            size_t size)
{
    char gsql[PATH_MAX + 16];
    _cleanup_command_ struct command *c = NULL;
    struct command_result res = {0};

    buf[0] = '\0';
    snprintf(gsql, sizeof(gsql), "%s/bin/gsql", app);
    c = command_newl(gsql, "-h", sock, "-p", port, "-d", "postgres", "-X", "-q", "-tA", "-c",
                     "select version()", NULL);
    if (!c)
        return;
    command_set_timeout_ms(c, QUERY_TIMEOUT);
    if (command_run(c, &res, NULL) == 0 && res.exit_status == 0)
        snprintf(buf, size, "%s", res.out);
    command_result_done(&res);
}

int grey_local_kill_other(const char *target, const char *datadir, bool *killed,
                          struct og_error *err)
{
    char port[32] = "", sock[PATH_MAX] = "", ver[1024], want[96], cfg[PATH_MAX + 16];
    pid_t pid = 0, kids[256];
    struct version_cfg v;
    size_t nk;
    long long t0;
    int r;

    *killed = false;
    if (read_pidfile(datadir, &pid, port, sizeof(port), sock, sizeof(sock)) < 0 || !alive(pid))
        return 0; /* not running: nothing to switch */
    snprintf(cfg, sizeof(cfg), "%s/version.cfg", target);
    r = version_cfg_read(cfg, &v, err);
    if (r < 0)
        return r;
    /* openGauss's isKillDn: the running instance's version() against the
     * target's build (UpgradeUtility.py v5.0.0 :4323, checkExistsVersion) */
    running_version(target, port, sock, ver, sizeof(ver));
    snprintf(want, sizeof(want), "build %s)", v.commit);
    if (ver[0] && strstr(ver, want))
        return 0;
    /* pkill -9 gaussdb (:4330), this instance's processes only */
    nk = children(pid, kids, ELEMENTSOF(kids));
    if (kill(pid, SIGKILL) < 0 && errno != ESRCH)
        return og_error_set_errno(err, OG_E_EXEC_FAILED, errno, "Failed to kill gaussdb (pid %d).",
                                  (int)pid);
    for (size_t i = 0; i < nk; i++)
        kill(kids[i], SIGKILL);
    *killed = true;
    t0 = og_now_ms();
    for (;;) {
        bool any = alive(pid);
        for (size_t i = 0; !any && i < nk; i++)
            any = alive(kids[i]);
        if (!any)
            return 0;
        if (og_now_ms() - t0 > KILL_DEADLINE)
            return og_error_set(err, OG_E_TIMEOUT,
                                "gaussdb (pid %d) of %s still runs %d s after SIGKILL.", (int)pid,
                                datadir, KILL_DEADLINE / 1000);
        {
            struct timespec ts = {0, 20 * 1000000};
            nanosleep(&ts, NULL);
        }
    }
}

/* ---- ogup's --rolling handover (an extension: openGauss has none) ----------------------- */

bool grey_local_lsn_valid(const char *lsn)
{
    size_t hi = strspn(lsn, "0123456789ABCDEFabcdef"), lo;

    if (hi == 0 || hi > 8 || lsn[hi] != '/')
        return false;
    lo = strspn(lsn + hi + 1, "0123456789ABCDEFabcdef");
    return lo > 0 && lo <= 8 && lsn[hi + 1 + lo] == '\0';
}

/* bin/TOOL of app with args, bounded; its result in res (exit status checked by the caller) */
static int run_tool(const char *app, const char *tool, const char *const *args, int timeout_ms,
                    struct command_result *res, struct og_error *err)
{
    char bin[PATH_MAX + 32];
    const char *argv[16];
    _cleanup_command_ struct command *c = NULL;
    size_t k = 0;

    snprintf(bin, sizeof(bin), "%s/bin/%s", app, tool);
    argv[k++] = bin;
    for (size_t i = 0; args[i] && k < ELEMENTSOF(argv) - 1; i++)
        argv[k++] = args[i];
    argv[k] = NULL;
    c = command_new(argv);
    if (!c)
        return og_error_set(err, OG_E_NOMEM, "running %s", tool);
    command_set_timeout_ms(c, timeout_ms);
    return command_run(c, res, err);
}

int grey_local_stop_primary(const char *app, const char *datadir, char *lsn, size_t size,
                            struct og_error *err)
{
    const char *stop[] = {"stop", "-D", datadir, "-m", "fast", NULL};
    const char *ctl[] = {datadir, NULL};
    struct command_result res = {0};
    const char *at;
    char got[32] = "";
    int r;

    /* not running (a re-run after a crash here): its control file still
     * says where its WAL ends */
    r = run_tool(app, "gs_ctl", stop, STOP_TIMEOUT, &res, err);
    if (r == 0 && res.exit_status != 0 && !strstr(res.out, "Is server running?") &&
        !strstr(res.err, "Is server running?"))
        r = og_error_set(err, OG_E_EXEC_FAILED, "Failed to execute the command: gs_ctl stop: %s%s",
                         res.out, res.err);
    command_result_done(&res);
    if (r == 0)
        r = run_tool(app, "pg_controldata", ctl, QUERY_TIMEOUT, &res, err);
    if (r == 0 && res.exit_status == 0 && (at = strstr(res.out, "Latest checkpoint location:")) &&
        sscanf(at + 27, " %31s", got) == 1 && grey_local_lsn_valid(got))
        snprintf(lsn, size, "%s", got);
    else if (r == 0)
        r = og_error_set(err, OG_E_EXEC_FAILED, "pg_controldata %s: %s%s", datadir, res.out,
                         res.err);
    command_result_done(&res);
    return r;
}

int grey_local_promote_after(const char *app, const char *datadir, const char *lsn,
                             struct og_error *err)
{
    const char *failover[] = {"failover", "-D", datadir, NULL};
    char port[32] = "", sock[PATH_MAX] = "", sql[128], gsql[PATH_MAX + 16];
    struct command_result res = {0};
    pid_t pid = 0;
    long long t0 = og_now_ms();
    bool replayed = false;
    int r = 0;

    if (!grey_local_lsn_valid(lsn))
        return og_error_set(err, OG_E_PARAM_INVALID, "LSN \"%s\"", lsn);
    if (read_pidfile(datadir, &pid, port, sizeof(port), sock, sizeof(sock)) < 0 || !alive(pid))
        return og_error_set(err, OG_E_CLUSTER_STATUS, "The instance of %s is not running.",
                            datadir);
    snprintf(gsql, sizeof(gsql), "%s/bin/gsql", app);
    snprintf(sql, sizeof(sql), "SELECT pg_catalog.pg_last_wal_replay_lsn() > '%s'::pg_lsn", lsn);
    /* every record the stopped primary wrote, its shutdown checkpoint
     * included, replayed here: nothing it acknowledged can be missing */
    while (r == 0 && !replayed) {
        _cleanup_command_ struct command *c = command_newl(
            gsql, "-h", sock, "-p", port, "-d", "postgres", "-X", "-q", "-tA", "-c", sql, NULL);
        if (!c)
            return og_error_set(err, OG_E_NOMEM, "running gsql");
        command_set_timeout_ms(c, QUERY_TIMEOUT);
        r = command_run(c, &res, err);
        replayed = r == 0 && res.exit_status == 0 && res.out[0] == 't';
        command_result_done(&res);
        if (r == 0 && !replayed && og_now_ms() - t0 > REPLAY_DEADLINE)
            r = og_error_set(err, OG_E_CLUSTER_STATUS,
                             "%s has not replayed the old primary's WAL (to %s) in %d s.", datadir,
                             lsn, REPLAY_DEADLINE / 1000);
        if (r == 0 && !replayed) {
            struct timespec ts = {0, 20 * 1000000};
            nanosleep(&ts, NULL);
        }
    }
    if (r == 0)
        r = run_tool(app, "gs_ctl", failover, STOP_TIMEOUT, &res, err);
    if (r == 0 && res.exit_status != 0)
        r = og_error_set(err, OG_E_EXEC_FAILED,
                         "Failed to execute the command: gs_ctl failover: %s%s", res.out, res.err);
    command_result_done(&res);
    return r;
}
