/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * The grey upgrade's node-local work on a scratch tree (greylocal.c):
 * postgresql.conf.bak.old taken once, put back, removed; switch_dn's kill of
 * an instance that runs another build (a real process standing in for the
 * postmaster, with a child) and leaving a stopped one alone; and -h's node
 * list checked against the cluster (grey_parse_hosts).
 */
#include <criterion/criterion.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fs.h"
#include "grey.h"
#include "greylocal.h"

#include "../helpers/tmpdir.h"

static char tmp[PATH_MAX];

static void setup(void)
{
    cr_assert_eq(tmpdir_make("greylocal", tmp, sizeof(tmp)), 0);
}

static void teardown(void)
{
    tmpdir_remove(tmp);
}

TestSuite(greylocal, .init = setup, .fini = teardown);

static void put(const char *name, const char *text)
{
    char p[PATH_MAX + 64];
    struct og_error err = {0};

    snprintf(p, sizeof(p), "%s/%s", tmp, name);
    cr_assert_eq(fs_replace_file(p, text, strlen(text), 0600, &err), 0, "%s", err.detail);
}

static char *get(const char *name)
{
    char p[PATH_MAX + 64], *text = NULL;

    snprintf(p, sizeof(p), "%s/%s", tmp, name);
    if (fs_read_file(p, 1 << 20, &text, NULL, NULL) < 0)
        return NULL;
    return text;
}

Test(greylocal, conf_bak_old_once_restore_clean)
{
    struct og_error err = {0};
    char *t;

    put("postgresql.conf", "port = 15400\n");
    cr_assert_eq(grey_local_conf_backup(tmp, &err), 0, "%s", err.detail);
    put("postgresql.conf", "port = 15400\nupgrade_mode = 2\n");
    /* taken once: a re-run keeps the file of before the upgrade */
    cr_assert_eq(grey_local_conf_backup(tmp, &err), 0, "%s", err.detail);
    t = get("postgresql.conf.bak.old");
    cr_assert_str_eq(t, "port = 15400\n");
    free(t);
    cr_assert_eq(grey_local_conf_restore(tmp, &err), 0, "%s", err.detail);
    t = get("postgresql.conf");
    cr_assert_str_eq(t, "port = 15400\n");
    free(t);
    cr_assert_eq(grey_local_conf_clean(tmp, &err), 0, "%s", err.detail);
    cr_assert_null(get("postgresql.conf.bak.old"));
    /* nothing taken: restore and clean change nothing */
    put("postgresql.conf", "port = 1\n");
    cr_assert_eq(grey_local_conf_restore(tmp, &err), 0, "%s", err.detail);
    cr_assert_eq(grey_local_conf_clean(tmp, &err), 0, "%s", err.detail);
    t = get("postgresql.conf");
    cr_assert_str_eq(t, "port = 1\n");
    free(t);
    /* no postgresql.conf: a coded error, no .bak.old */
    unlink(strcat(strcpy((char[PATH_MAX + 32]){0}, tmp), "/postgresql.conf"));
    cr_assert_lt(grey_local_conf_backup(tmp, &err), 0);
    cr_assert_eq(err.code, OG_E_NOT_EXIST, "%d", err.code);
    cr_assert_null(get("postgresql.conf.bak.old"));
}

static void target_app(void)
{
    char d[PATH_MAX + 16];

    snprintf(d, sizeof(d), "%s/app_new", tmp);
    cr_assert_eq(mkdir(d, 0755), 0);
    put("app_new/version.cfg", "openGauss-5.0.0\n92.848\na07d57c3\n");
}

Test(greylocal, switch_dn_kills_another_build)
{
    struct og_error err = {0};
    char pidfile[256], target[PATH_MAX + 16];
    bool killed = false;
    int st = 0;
    pid_t pm = fork();

    cr_assert_geq(pm, 0);
    if (pm == 0) {
        /* a postmaster with a backend: both must go */
        if (fork() == 0)
            execlp("sleep", "sleep", "300", (char *)NULL);
        execlp("sleep", "sleep", "300", (char *)NULL);
        _exit(127);
    }
    target_app();
    snprintf(target, sizeof(target), "%s/app_new", tmp);
    /* the instance cannot be asked its version (no gsql in the target): killed */
    snprintf(pidfile, sizeof(pidfile), "%d\n%s\n1\n15400\n/nonexistent\n", (int)pm, tmp);
    put("postmaster.pid", pidfile);
    usleep(100 * 1000);
    cr_assert_eq(grey_local_kill_other(target, tmp, &killed, &err), 0, "%s", err.detail);
    cr_assert(killed);
    cr_assert_eq(waitpid(pm, &st, 0), pm);
    cr_assert(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL, "status %#x", st);
}

Test(greylocal, switch_dn_leaves_a_stopped_instance)
{
    struct og_error err = {0};
    char target[PATH_MAX + 16];
    bool killed = true;

    target_app();
    snprintf(target, sizeof(target), "%s/app_new", tmp);
    /* no postmaster.pid */
    cr_assert_eq(grey_local_kill_other(target, tmp, &killed, &err), 0, "%s", err.detail);
    cr_assert_not(killed);
    /* a stale one: its pid is gone */
    put("postmaster.pid", "999999\n/x\n1\n15400\n/tmp\n");
    cr_assert_eq(grey_local_kill_other(target, tmp, &killed, &err), 0, "%s", err.detail);
    cr_assert_not(killed);
}

/* --rolling's handover: the LSN is checked before it reaches SQL; the stop
 * reads where the WAL ends from pg_controldata (stand-in tools) */
static void tool(const char *name, const char *script)
{
    char p[PATH_MAX + 64];

    snprintf(p, sizeof(p), "%s/app/bin", tmp);
    cr_assert_eq(fs_mkdir_p(p, 0700, NULL), 0);
    snprintf(p, sizeof(p), "%s/app/bin/%s", tmp, name);
    cr_assert_eq(fs_replace_file(p, script, strlen(script), 0700, NULL), 0);
}

Test(greylocal, handover_lsn_and_stop)
{
    struct og_error err = {0};
    char app[PATH_MAX + 8], lsn[32] = "";

    cr_assert(grey_local_lsn_valid("0/5000028"));
    cr_assert(grey_local_lsn_valid("FFFFFFFF/ab"));
    cr_assert_not(grey_local_lsn_valid(""));
    cr_assert_not(grey_local_lsn_valid("0/"));
    cr_assert_not(grey_local_lsn_valid("/1"));
    cr_assert_not(grey_local_lsn_valid("123456789/1"));
    cr_assert_not(grey_local_lsn_valid("0/1'::pg_lsn; DROP TABLE t; --"));
    cr_assert_not(grey_local_lsn_valid("0/1 "));
    snprintf(app, sizeof(app), "%s/app", tmp);
    cr_assert_eq(grey_local_promote_after(app, tmp, "0/1';--", &err), -OG_E_PARAM_INVALID);
    /* no instance running: nothing to promote */
    cr_assert_eq(grey_local_promote_after(app, tmp, "0/1", &err), -OG_E_CLUSTER_STATUS);

    /* already stopped is fine; the control file says where the WAL ends */
    tool("gs_ctl", "#!/bin/sh\necho 'gs_ctl: PID file does not exist'\n"
                   "echo 'Is server running?'\nexit 1\n");
    tool("pg_controldata", "#!/bin/sh\necho 'Latest checkpoint location:           0/5000028'\n"
                           "echo \"Latest checkpoint's REDO location:    0/5000028\"\n");
    cr_assert_eq(grey_local_stop_primary(app, tmp, lsn, sizeof(lsn), &err), 0, "%s", err.detail);
    cr_assert_str_eq(lsn, "0/5000028");
    /* a stop that fails otherwise, a control file without the line */
    tool("gs_ctl", "#!/bin/sh\necho 'could not send stop signal' >&2\nexit 1\n");
    cr_assert_eq(grey_local_stop_primary(app, tmp, lsn, sizeof(lsn), &err), -OG_E_EXEC_FAILED);
    cr_assert(strstr(err.detail, "could not send stop signal"), "%s", err.detail);
    tool("gs_ctl", "#!/bin/sh\nexit 0\n");
    tool("pg_controldata", "#!/bin/sh\necho 'Latest checkpoint location: 0/x;'\n");
    cr_assert_eq(grey_local_stop_primary(app, tmp, lsn, sizeof(lsn), &err), -OG_E_EXEC_FAILED);
}

Test(greylocal, hosts_checked_against_the_cluster)
{
    struct cluster_config cfg = {0};
    struct og_error err = {0};
    const char *out[CLUSTER_MAX_NODES];
    char list[64];
    size_t n = 0;

    cfg.n_nodes = 3;
    for (size_t i = 0; i < 3; i++)
        snprintf(cfg.nodes[i].name, sizeof(cfg.nodes[i].name), "node%zu", i + 1);
    snprintf(list, sizeof(list), "node2,node3,node2");
    cr_assert_eq(grey_parse_hosts(&cfg, list, out, &n, &err), 0, "%s", err.detail);
    cr_assert_eq(n, 2, "duplicates dropped: %zu", n);
    cr_assert_str_eq(out[0], "node2");
    cr_assert_str_eq(out[1], "node3");
    snprintf(list, sizeof(list), "node1,node9");
    cr_assert_lt(grey_parse_hosts(&cfg, list, out, &n, &err), 0);
    cr_assert_eq(err.code, OG_E_NODE_UNKNOWN);
    cr_assert_not_null(strstr(err.detail, "The host name [node9] is not in the cluster."), "%s",
                       err.detail);
    snprintf(list, sizeof(list), ",");
    cr_assert_lt(grey_parse_hosts(&cfg, list, out, &n, &err), 0);
    cr_assert_eq(err.code, OG_E_PARAM_VALUE);
}
