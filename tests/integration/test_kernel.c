/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * Node kernel integration tests: real PostgreSQL 15 processes on loopback,
 * run as omm from packages built and installed by the real package builder.
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "catalogsel.h"
#include "fs.h"
#include "kfixture.h"
#include "package.h"

static struct kfix fx;
static struct command_result res;

static void done(void)
{
    command_result_done(&res);
    kfix_teardown(&fx);
}

#define RUN(...) (command_result_done(&res), kfix_run(&fx, &res, __VA_ARGS__, NULL))

/* Poll sql on port until it returns want (or 20 s). */
static void eventually(int port, const char *db, const char *sql, const char *want)
{
    const char *got = "";

    for (int i = 0; i < 200; i++) {
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
            got = "(other value)";
        }
        command_result_done(&r);
        usleep(100 * 1000);
    }
    cr_assert_fail("on port %d, \"%s\" never returned \"%s\" %s", port, sql, want, got);
}

/* Assemble the catalog SQL of mode for db kind from the extracted package
 * tree, openGauss's way (reference §3.5): one transaction, the header, the
 * selected files in order, COMMIT. Returns the file path (static). */
static const char *assemble(const char *sqltree, const char *mode, const char *db, int old_num,
                            int new_num)
{
    static char path[512];
    _cleanup_dynbuf_ struct dynbuf sql = {0};
    const char *names[256], *sel[256];
    char folder[400];
    size_t n = 0;
    int k;
    DIR *d;
    struct dirent *de;
    struct og_error err = {0};

    snprintf(folder, sizeof(folder), "%s/upgrade_sql/%s_catalog_%s", sqltree,
             strncmp(mode, "upgrade", 7) == 0 ? "upgrade" : "rollback", db);
    d = opendir(folder);
    cr_assert_not_null(d, "%s", folder);
    while ((de = readdir(d)) && n < 256)
        if (de->d_name[0] != '.')
            names[n++] = strdup(de->d_name);
    closedir(d);
    k = catalogsel_select(names, n, mode, db, old_num, new_num, sel, 256);
    cr_assert_geq(k, 0);
    dynbuf_init(&sql, 16u << 20);
    dynbuf_adds(&sql, "START TRANSACTION;\nSET IsInplaceUpgrade = on;\n"
                      "SET search_path = 'pg_catalog';\n"
                      "SET local client_min_messages = NOTICE;\n"
                      "SET local log_min_messages = NOTICE;\n");
    for (int i = 0; i < k; i++) {
        char fp[700];
        _cleanup_free_ char *text = NULL;
        snprintf(fp, sizeof(fp), "%s/%s", folder, sel[i]);
        cr_assert_eq(fs_read_file(fp, 1 << 20, &text, NULL, &err), 0, "%s", err.detail);
        dynbuf_adds(&sql, text);
    }
    dynbuf_adds(&sql, "COMMIT;\n");
    snprintf(path, sizeof(path), "%s/%s_catalog_%s_tmp.sql", fx.root, mode, db);
    cr_assert_eq(fs_replace_file(path, sql.buf, sql.len, 0644, &err), 0);
    for (size_t i = 0; i < n; i++)
        free((char *)names[i]);
    return path;
}

/* Run mode's SQL on every database: maindb on postgres, otherdb on the rest
 * (template0 and template1 included), each with ON_ERROR_STOP. */
static void run_catalog(const char *sqltree, int port, const char *mode, int old_num, int new_num)
{
    char p[16], dbs[4096], *save = NULL;
    const char *main_sql = assemble(sqltree, mode, "maindb", old_num, new_num);
    char main_copy[512];

    snprintf(main_copy, sizeof(main_copy), "%s", main_sql);
    snprintf(p, sizeof(p), "%d", port);
    cr_assert_eq(RUN("gsql", "-X", "-q", "-p", p, "-d", "postgres", "--set", "ON_ERROR_STOP=on",
                     "-f", main_copy),
                 0, "%s maindb: %s", mode, res.err);
    snprintf(dbs, sizeof(dbs), "%s",
             kfix_sql(&fx, port, "postgres",
                      "SELECT string_agg(datname, ' ' ORDER BY datname) FROM pg_database"));
    cr_assert_not_null(strstr(dbs, "template0"));
    for (char *db = strtok_r(dbs, " ", &save); db; db = strtok_r(NULL, " ", &save)) {
        char other[512];
        if (strcmp(db, "postgres") == 0)
            continue;
        snprintf(other, sizeof(other), "%s", assemble(sqltree, mode, "otherdb", old_num, new_num));
        cr_assert_eq(
            RUN("gsql", "-X", "-q", "-p", p, "-d", db, "--set", "ON_ERROR_STOP=on", "-f", other), 0,
            "%s otherdb on %s: %s", mode, db, res.err);
    }
}

static void catalog_numbers_are(int port, const char *want)
{
    const char *dbs[] = {"postgres", "template0", "template1", "db1"};

    for (size_t i = 0; i < 4; i++)
        cr_assert_str_eq(kfix_sql(&fx, port, dbs[i], "SELECT num FROM og_catalog.catalog_version"),
                         want, "database %s", dbs[i]);
}

TestSuite(kernel, .fini = done, .timeout = 240);

Test(kernel, large_upgrade_catalog_then_rollback)
{
    const char *versions[] = {"2.0.0", "3.0.0", NULL};
    struct og_error err = {0};
    char dn[256], sqltree[256], pkg[256], p[16];
    int port = kfix_free_port();

    kfix_setup(&fx, versions);
    kfix_initdb(&fx, "dn1", port, dn, sizeof(dn));
    snprintf(p, sizeof(p), "%d", port);

    /* 2.0.0: start, query, write data in a user database. */
    cr_assert_eq(RUN("gs_ctl", "start", "-D", dn), 0, "%s", res.out);
    cr_assert_not_null(strstr(res.out, "server started"));
    cr_assert_eq(RUN("gs_ctl", "query", "-D", dn), 0);
    cr_assert_not_null(strstr(res.out, "\tlocal_role                     : Normal\n"));
    cr_assert_not_null(strstr(res.out, "\tdb_state                       : Normal\n"));
    kfix_sql(&fx, port, "postgres", "CREATE DATABASE db1");
    kfix_sql(&fx, port, "db1", "CREATE TABLE t (id int PRIMARY KEY, v text)");
    kfix_sql(&fx, port, "db1",
             "INSERT INTO t SELECT g, md5(g::text) FROM generate_series(1,1000) g");
    cr_assert_str_eq(kfix_sql(&fx, port, "db1", "SELECT count(*) FROM t"), "1000");
    catalog_numbers_are(port, "92298");
    cr_assert_eq(RUN("gs_ctl", "stop", "-D", dn), 0);

    /* Switch the app to 3.0.0: a normal start is refused, nothing changes. */
    kfix_use(&fx, "3.0.0");
    cr_assert_eq(RUN("gaussdb", "-V"), 0);
    cr_assert_not_null(strstr(res.out, "gaussdb (openGauss 3.0.0 build 02c14696)"));
    cr_assert_eq(RUN("gs_ctl", "start", "-D", dn), 1, "%s", res.out);
    cr_assert_not_null(strstr(res.out, "could not start server"));
    cr_assert_not_null(strstr(res.out, "[OGUP-60050]"), "the reason is shown: %s", res.out);
    cr_assert_neq(access("postmaster.pid", F_OK), 0);
    cr_assert_eq(RUN("gs_ctl", "status", "-D", dn), 3);

    /* Grey's mechanism: the new binary in upgrade mode (-u old) runs on the
     * old catalog. */
    cr_assert_eq(RUN("gs_ctl", "start", "-D", dn, "-o", "-u 92298"), 0, "%s", res.out);
    catalog_numbers_are(port, "92298");
    cr_assert_eq(RUN("gs_ctl", "stop", "-D", dn), 0);

    /* In-place, openGauss's order (UpgradeImpl.py v5.0.0 :2430-2447): the
     * OLD binary, upgrade_mode=1, runs the non-post scripts ... */
    snprintf(pkg, sizeof(pkg), "%s/pkg-3.0.0/upgrade_sql.tar.gz", fx.root);
    snprintf(sqltree, sizeof(sqltree), "%s/sqltree", fx.root);
    cr_assert_eq(package_extract(pkg, sqltree, &err), 0, "%s", err.detail);
    kfix_use(&fx, "2.0.0");
    cr_assert_eq(RUN("gs_ctl", "start", "-D", dn), 0, "%s", res.out);
    cr_assert_eq(RUN("gs_guc", "reload", "-D", dn, "-c", "upgrade_mode=1"), 0, "%s", res.out);
    cr_assert_str_eq(kfix_sql(&fx, port, "postgres", "SHOW upgrade_mode"), "1");
    /* a post script refuses the old binary */
    cr_assert_neq(RUN("gsql", "-X", "-q", "-p", p, "-d", "postgres", "--set", "ON_ERROR_STOP=on",
                      "-f", assemble(sqltree, "upgrade-post", "maindb", 92298, 92605)),
                  0);
    cr_assert_not_null(strstr(res.err, "runs on the new binary, after the switch"), "%s", res.err);
    run_catalog(sqltree, port, "rollback", 92298, 92605);
    run_catalog(sqltree, port, "upgrade", 92298, 92605);
    catalog_numbers_are(port, "92605");
    /* ... and, in upgrade_mode=1, starts again on the newer catalog */
    cr_assert_eq(RUN("gs_ctl", "restart", "-D", dn), 0, "%s", res.out);
    catalog_numbers_are(port, "92605");
    cr_assert_eq(RUN("gs_ctl", "stop", "-D", dn), 0);

    /* the switch: the new binary starts normally on the upgraded catalog and
     * runs the post scripts; a non-post script refuses it */
    kfix_use(&fx, "3.0.0");
    cr_assert_eq(RUN("gs_ctl", "start", "-D", dn), 0, "%s", res.out);
    cr_assert_neq(RUN("gsql", "-X", "-q", "-p", p, "-d", "postgres", "--set", "ON_ERROR_STOP=on",
                      "-f", assemble(sqltree, "upgrade", "maindb", 92298, 92605)),
                  0);
    cr_assert_not_null(strstr(res.err, "runs on the old binary, before the switch"), "%s", res.err);
    run_catalog(sqltree, port, "rollback-post", 92298, 92605);
    run_catalog(sqltree, port, "upgrade-post", 92298, 92605);
    cr_assert_str_eq(kfix_sql(&fx, port, "db1", "SELECT og_catalog.gs_feature_92605()"), "92605");
    cr_assert_str_eq(kfix_sql(&fx, port, "postgres",
                              "SELECT count(*) FROM pg_roles WHERE rolname = 'gs_role_92605'"),
                     "1");
    cr_assert_str_eq(kfix_sql(&fx, port, "db1", "SELECT count(*) FROM t"), "1000");
    cr_assert_eq(RUN("gs_ctl", "stop", "-D", dn), 0);

    /* The SQL rollback (old kernels above 93.000 roll back this way): the
     * old binary refuses the newer catalog once upgrade_mode is 0 ... */
    kfix_use(&fx, "2.0.0");
    cr_assert_eq(RUN("gs_guc", "set", "-D", dn, "-c", "upgrade_mode=0"), 0, "%s", res.out);
    cr_assert_eq(RUN("gs_ctl", "start", "-D", dn), 1, "%s", res.out);
    cr_assert_not_null(strstr(res.out, "[OGUP-60050]"), "%s", res.out);
    /* ... accepts it with upgrade_mode=1; the scripts, descending */
    cr_assert_eq(RUN("gs_guc", "set", "-D", dn, "-c", "upgrade_mode=1"), 0, "%s", res.out);
    cr_assert_eq(RUN("gs_ctl", "start", "-D", dn), 0, "%s", res.out);
    run_catalog(sqltree, port, "rollback-post", 92298, 92605);
    run_catalog(sqltree, port, "rollback", 92298, 92605);
    catalog_numbers_are(port, "92298");
    cr_assert_str_eq(kfix_sql(&fx, port, "postgres",
                              "SELECT count(*) FROM pg_roles WHERE rolname = 'gs_role_92605'"),
                     "0");
    /* Rollback SQL is idempotent: a second run changes nothing and succeeds. */
    run_catalog(sqltree, port, "rollback", 92298, 92605);
    catalog_numbers_are(port, "92298");
    cr_assert_eq(RUN("gs_guc", "reload", "-D", dn, "-c", "upgrade_mode=0"), 0, "%s", res.out);
    cr_assert_eq(RUN("gs_ctl", "restart", "-D", dn), 0, "%s", res.out);
    cr_assert_str_eq(kfix_sql(&fx, port, "db1", "SELECT count(*) FROM t"), "1000");
    cr_assert_str_eq(kfix_sql(&fx, port, "db1", "SELECT sum(length(v)) FROM t"), "32000");
    (void)p;
}

Test(kernel, catalog_sql_refuses_without_inplace_upgrade)
{
    const char *versions[] = {"2.0.0", NULL};
    char dn[256], p[16];
    int port = kfix_free_port();

    kfix_setup(&fx, versions);
    kfix_initdb(&fx, "dn1", port, dn, sizeof(dn));
    cr_assert_eq(RUN("gs_ctl", "start", "-D", dn), 0);
    snprintf(p, sizeof(p), "%d", port);
    /* The step SQL guards itself: without IsInplaceUpgrade it raises. */
    cr_assert_eq(RUN("gsql", "-X", "-p", p, "-d", "postgres", "--set", "ON_ERROR_STOP=on", "-c",
                     "DO $$BEGIN IF coalesce(current_setting('og.isinplaceupgrade', true), 'off') "
                     "<> 'on' THEN RAISE EXCEPTION 'no'; END IF; END$$"),
                 1);
    /* gsql maps openGauss's session GUC onto the placeholder. */
    cr_assert_eq(RUN("gsql", "-X", "-q", "-tA", "-p", p, "-d", "postgres", "-c",
                     "SET IsInplaceUpgrade = on; SHOW IsInplaceUpgrade;"),
                 0, "%s", res.err);
    cr_assert_str_eq(res.out, "on\n");
    cr_assert_eq(RUN("gsql", "-X", "-tA", "-p", p, "-d", "postgres", "-c", "show upgrade_mode;"),
                 0);
    cr_assert_str_eq(res.out, "0\n");
    cr_assert_eq(RUN("gs_guc", "reload", "-D", dn, "-c", "upgrade_mode=2"), 0);
    cr_assert_not_null(strstr(res.out, "server signaled"));
    eventually(port, "postgres", "show upgrade_mode", "2");
}

Test(kernel, primary_standby_build_switchover_failover)
{
    const char *versions[] = {"3.0.0", NULL};
    char d1[256], d2[256], rc1[256], rc2[256];
    int p1 = kfix_free_port(), p2 = kfix_free_port();

    kfix_setup(&fx, versions);
    kfix_initdb(&fx, "dn1", p1, d1, sizeof(d1));
    kfix_initdb(&fx, "dn2", p2, d2, sizeof(d2));
    snprintf(rc1, sizeof(rc1),
             "replconninfo1='localhost=127.0.0.1 localport=%d remotehost=127.0.0.1 remoteport=%d'",
             p1, p2);
    snprintf(rc2, sizeof(rc2),
             "replconninfo1='localhost=127.0.0.1 localport=%d remotehost=127.0.0.1 remoteport=%d'",
             p2, p1);
    /* rows are written before the standby exists: without most_available_sync a
     * primary with a configured standby waits at commit for it, as openGauss's */
    cr_assert_eq(RUN("gs_guc", "set", "-D", d1, "-c", rc1, "-c", "most_available_sync=on"), 0, "%s",
                 res.out);
    cr_assert_eq(RUN("gs_guc", "set", "-D", d2, "-c", rc2), 0, "%s", res.out);
    cr_assert_eq(RUN("gs_ctl", "start", "-D", d1, "-M", "primary"), 0, "%s", res.out);
    kfix_sql(&fx, p1, "postgres", "CREATE TABLE r (id int PRIMARY KEY)");
    kfix_sql(&fx, p1, "postgres", "INSERT INTO r SELECT generate_series(1, 100)");

    /* Build the standby from the primary found through replconninfo. */
    cr_assert_eq(RUN("gs_ctl", "build", "-D", d2), 0, "%s", res.out);
    cr_assert_not_null(strstr(res.out, "full build build completed("), "%s", res.out);
    cr_assert_not_null(strstr(res.out, "server started"));
    eventually(p2, "postgres", "SELECT count(*) FROM r", "100");
    eventually(p2, "postgres", "SELECT status FROM pg_stat_wal_receiver", "streaming");

    cr_assert_eq(RUN("gs_ctl", "query", "-D", d1), 0);
    cr_assert_not_null(strstr(res.out, "\tlocal_role                     : Primary\n"), "%s",
                       res.out);
    cr_assert_not_null(strstr(res.out, "\tstatic_connections             : 1\n"));
    cr_assert_not_null(strstr(res.out, "\tpeer_role                      : Standby\n"));
    cr_assert_not_null(strstr(res.out, "\tstate                          : Streaming\n"));
    cr_assert_not_null(strstr(res.out, " Receiver info:      \nNo information \n"));
    cr_assert_eq(RUN("gs_ctl", "query", "-D", d2), 0);
    cr_assert_not_null(strstr(res.out, "\tlocal_role                     : Standby\n"), "%s",
                       res.out);
    cr_assert_not_null(strstr(res.out, "\tdb_state                       : Normal\n"));
    cr_assert_not_null(strstr(res.out, " Senders info:       \nNo information \n"));
    cr_assert_not_null(strstr(res.out, "\treceiver_pid"));

    /* Switchover on the standby: roles swap, nothing lost. */
    cr_assert_eq(RUN("gs_ctl", "switchover", "-D", d2), 0, "%s", res.out);
    cr_assert_not_null(strstr(res.out, "switchover completed (%s)") ||
                           strstr(res.out, "switchover completed ("),
                       "%s", res.out);
    eventually(p2, "postgres", "SELECT pg_is_in_recovery()", "f");
    eventually(p1, "postgres", "SELECT pg_is_in_recovery()", "t");
    kfix_sql(&fx, p2, "postgres", "INSERT INTO r SELECT generate_series(101, 200)");
    eventually(p1, "postgres", "SELECT count(*) FROM r", "200");

    /* And back, run on the old primary (now a standby). */
    cr_assert_eq(RUN("gs_ctl", "switchover", "-D", d1), 0, "%s", res.out);
    eventually(p1, "postgres", "SELECT pg_is_in_recovery()", "f");
    eventually(p2, "postgres", "SELECT pg_is_in_recovery()", "t");
    kfix_sql(&fx, p1, "postgres", "INSERT INTO r SELECT generate_series(201, 300)");
    eventually(p2, "postgres", "SELECT count(*) FROM r", "300");
    eventually(p2, "postgres", "SELECT sum(id) FROM r", "45150");

    /* Switchover on a primary is a no-op that succeeds, as in openGauss. */
    cr_assert_eq(RUN("gs_ctl", "switchover", "-D", d1), 0);

    /* Failover: the primary dies, the standby takes over with every row. */
    cr_assert_eq(RUN("gs_ctl", "stop", "-D", d1, "-m", "immediate"), 0);
    cr_assert_eq(RUN("gs_ctl", "failover", "-D", d2), 0, "%s", res.out);
    cr_assert_not_null(strstr(res.out, " failover completed ("));
    eventually(p2, "postgres", "SELECT pg_is_in_recovery()", "f");
    cr_assert_str_eq(kfix_sql(&fx, p2, "postgres", "SELECT count(*) FROM r"), "300");
    /* failover on a primary is refused */
    cr_assert_eq(RUN("gs_ctl", "failover", "-D", d2), 1);
}

Test(kernel, bad_input_is_refused_and_changes_nothing)
{
    const char *versions[] = {"1.1.0", NULL};
    _cleanup_free_ char *before = NULL, *after = NULL, *og_before = NULL, *og_after = NULL;
    struct og_error err = {0};
    char dn[256], conf[300], og[300], p[16];
    int port = kfix_free_port();

    kfix_setup(&fx, versions);
    kfix_initdb(&fx, "dn1", port, dn, sizeof(dn));
    snprintf(conf, sizeof(conf), "%s/postgresql.conf", dn);
    snprintf(og, sizeof(og), "%s/og_guc.conf", dn);
    cr_assert_eq(fs_read_file(conf, 1 << 20, &before, NULL, &err), 0);
    cr_assert_eq(fs_read_file(og, 1 << 20, &og_before, NULL, &err), 0);
    /* an unknown name anywhere in the list: nothing is written */
    cr_assert_eq(RUN("gs_guc", "set", "-D", dn, "-c", "upgrade_mode=1", "-c", "no_such_guc=1"), 1);
    cr_assert_not_null(strstr(res.out, "The name of parameter \"no_such_guc\" is incorrect"));
    cr_assert_eq(RUN("gs_guc", "set", "-D", dn, "-c", "max_connections=lots"), 1);
    cr_assert_eq(RUN("gs_guc", "set", "-D", dn, "-c", "max_connections=99999999"), 1);
    cr_assert_eq(RUN("gs_guc", "set", "-D", dn, "-c", "hot_standby=maybe"), 1);
    cr_assert_eq(RUN("gs_guc", "set", "-D", dn, "-c", "IsInplaceUpgrade=on"), 1, "session only");
    cr_assert_eq(RUN("gs_guc", "set", "-D", dn, "-h", "host all all 0.0.0.0/0 trust\nlocal x"), 1);
    cr_assert_eq(fs_read_file(conf, 1 << 20, &after, NULL, &err), 0);
    cr_assert_eq(fs_read_file(og, 1 << 20, &og_after, NULL, &err), 0);
    cr_assert_str_eq(before, after);
    cr_assert_str_eq(og_before, og_after);

    cr_assert_eq(RUN("gs_ctl", "start", "-D", "/no/such/dir"), 1);
    cr_assert_eq(RUN("gs_ctl", "stop", "-D", dn), 1, "not running");
    cr_assert_not_null(strstr(res.out, "Is server running?"));
    cr_assert_eq(RUN("gs_ctl", "query", "-D", dn), 1);
    cr_assert_eq(RUN("gs_ctl", "frobnicate", "-D", dn), 1);
    cr_assert_eq(RUN("gs_ctl", "start", "-D", dn, "-M", "sideways"), 1);
    cr_assert_eq(RUN("gaussdb", "-D", dn, "-u", "bogus"), 1);
    /* version strings of a 1.1.0 kernel */
    cr_assert_eq(RUN("gs_ctl", "-V"), 0);
    cr_assert_str_eq(res.out, "gs_ctl (openGauss) 9.2.4\n");
    cr_assert_eq(RUN("gsql", "--version"), 0);
    cr_assert_str_eq(res.out,
                     "gsql (openGauss 1.1.0 build 392c0438) compiled at 2020-12-31 20:07:42 "
                     "commit 0 last mr  \n");

    /* gsql's exit codes: 2 = no connection, 3 = script error with ON_ERROR_STOP */
    snprintf(p, sizeof(p), "%d", port);
    cr_assert_eq(RUN("gsql", "-X", "-p", p, "-d", "postgres", "-c", "select 1"), 2);
    cr_assert_eq(RUN("gs_ctl", "start", "-D", dn), 0);
    {
        char script[300];
        snprintf(script, sizeof(script), "%s/bad.sql", fx.root);
        cr_assert_eq(
            fs_replace_file(script, "select 1;\nselect nosuch;\nselect 2;\n", 34, 0644, &err), 0);
        cr_assert_eq(
            RUN("gsql", "-X", "-p", p, "-d", "postgres", "--set", "ON_ERROR_STOP=on", "-f", script),
            3);
    }
    /* MOT (before 2.0.0): foreign tables on mot_server can be created. */
    kfix_sql(&fx, port, "postgres", "CREATE FOREIGN TABLE mot_t (id int) SERVER mot_server");
    cr_assert_str_eq(kfix_sql(&fx, port, "postgres",
                              "SELECT count(*) FROM pg_foreign_table ft JOIN pg_foreign_server s "
                              "ON s.oid = ft.ftserver WHERE s.srvname = 'mot_server'"),
                     "1");
}

/* openGauss's initial user: socket always; TCP only with the password that
 * gs_initdb --pwfile set, which the instance keeps (0600) for its HA channel. */
Test(kernel, initial_user_password_from_pwfile)
{
    const char *versions[] = {"3.0.0", NULL};
    _cleanup_free_ char *ha = NULL;
    struct og_error err = {0};
    struct stat st;
    char dn[256], pwfile[300], hapath[300], p[16];
    int port = kfix_free_port();

    kfix_setup(&fx, versions);
    snprintf(pwfile, sizeof(pwfile), "%s/pw", fx.root);
    cr_assert_eq(fs_replace_file(pwfile, "se:cr\\et\n", 9, 0644, &err), 0);
    snprintf(dn, sizeof(dn), "%s/dn1", fx.root);
    cr_assert_eq(RUN("gs_initdb", "-D", dn, "--nodename", "dn1", "--pwfile", pwfile), 0, "%s %s",
                 res.out, res.err);
    snprintf(hapath, sizeof(hapath), "%s/og_ha.pgpass", dn);
    cr_assert_eq(stat(hapath, &st), 0);
    cr_assert_eq(st.st_mode & 0777, 0600);
    cr_assert_eq(fs_read_file(hapath, 4096, &ha, NULL, &err), 0);
    cr_assert_str_eq(ha, "*:*:*:omm:se\\:cr\\\\et\n", "passfile escapes ':' and '\\'");
    /* a password file that cannot be read: refused */
    cr_assert_eq(RUN("gs_initdb", "-D", dn, "--nodename", "dn1", "--pwfile", "/no/such/file"), 1);

    snprintf(p, sizeof(p), "port=%d", port);
    cr_assert_eq(RUN("gs_guc", "set", "-D", dn, "-c", p, "-c", "listen_addresses='127.0.0.1'"), 0);
    cr_assert_eq(RUN("gs_ctl", "start", "-D", dn), 0, "%s", res.out);
    snprintf(p, sizeof(p), "%d", port);
    cr_assert_str_eq(kfix_sql(&fx, port, "postgres", "select 1"), "1", "socket: no password");
    cr_assert_eq(
        RUN("gsql", "-X", "-tA", "-h", "127.0.0.1", "-p", p, "-d", "postgres", "-c", "select 1"), 2,
        "TCP without the password is refused");
    cr_assert_eq(RUN("gsql", "-X", "-tA", "-h", "127.0.0.1", "-p", p, "-d", "postgres", "-W",
                     "se:cr\\et", "-c", "select 2"),
                 0, "TCP with the password: %s", res.err);
    cr_assert_str_eq(res.out, "2\n");
}

/* A killed instance (SIGKILL of the server) starts again: crash recovery, as
 * openGauss's. */
Test(kernel, killed_instance_starts_again)
{
    const char *versions[] = {"3.0.0", NULL};
    _cleanup_free_ char *pidtext = NULL;
    struct og_error err = {0};
    char dn[256], pidfile[300];
    int port = kfix_free_port();

    kfix_setup(&fx, versions);
    kfix_initdb(&fx, "dn1", port, dn, sizeof(dn));
    cr_assert_eq(RUN("gs_ctl", "start", "-D", dn), 0, "%s", res.out);
    kfix_sql(&fx, port, "postgres", "CREATE TABLE k (i int)");
    snprintf(pidfile, sizeof(pidfile), "%s/postmaster.pid", dn);
    cr_assert_eq(fs_read_file(pidfile, 4096, &pidtext, NULL, &err), 0);
    cr_assert_eq(kill((pid_t)atol(pidtext), SIGKILL), 0);
    for (int i = 0; i < 100 && kill((pid_t)atol(pidtext), 0) == 0; i++)
        usleep(50 * 1000);
    cr_assert_eq(RUN("gs_ctl", "start", "-D", dn), 0, "%s %s", res.out, res.err);
    cr_assert_str_eq(kfix_sql(&fx, port, "postgres", "SELECT count(*) FROM k"), "0");
}
