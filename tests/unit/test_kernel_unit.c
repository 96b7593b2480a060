/* SPDX-License-Identifier: MulanPSL-2.0 */
#include <criterion/criterion.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "fs.h"
#include "kconf.h"
#include "kenv.h"
#include "kpg.h"
#include "ogguc.h"

#include "../helpers/tmpdir.h"

/* a test's own scratch directory, removed by its .fini */
static char scratch[PATH_MAX];

static void scratch_done(void)
{
    tmpdir_remove(scratch);
}

static const char *rewrite(const char *in)
{
    static char out[4096];
    _cleanup_dynbuf_ struct dynbuf b = {0};

    dynbuf_init(&b, sizeof(out) - 1);
    cr_assert_eq(ogguc_rewrite_sql(in, &b), 0);
    snprintf(out, sizeof(out), "%s", dynbuf_str(&b));
    return out;
}

Test(ogguc, rewrites_opengauss_only_gucs)
{
    cr_assert_str_eq(rewrite("show upgrade_mode;"),
                     "SELECT COALESCE(pg_catalog.current_setting('og.upgrade_mode', true), '0') "
                     "AS upgrade_mode;");
    cr_assert_str_eq(rewrite("SET IsInplaceUpgrade = on;"), "SET og.IsInplaceUpgrade = on;");
    cr_assert_str_eq(rewrite("SET local inplace_upgrade_next_system_object_oids = IUO_PROC, 1;"),
                     "SET local og.inplace_upgrade_next_system_object_oids = IUO_PROC, 1;");
    cr_assert_str_eq(rewrite("RESET upgrade_mode"), "RESET og.upgrade_mode");
    cr_assert_str_eq(rewrite("  SHOW   enable_stream_replication"),
                     "  SELECT COALESCE(pg_catalog.current_setting('og.enable_stream_replication', "
                     "true), 'on') AS enable_stream_replication");
    cr_assert_str_eq(rewrite("show replconninfo3;"),
                     "SELECT COALESCE(pg_catalog.current_setting('og.replconninfo3', true), '') AS "
                     "replconninfo3;");
}

Test(ogguc, leaves_everything_else_alone)
{
    const char *same[] = {
        "SET search_path = 'pg_catalog';",
        "SHOW work_mem;",
        "select 'SET IsInplaceUpgrade = on;' as s;",
        "DO $$ BEGIN PERFORM 1; SET IsInplaceUpgrade = on; END $$;",
        "-- SET IsInplaceUpgrade = on;\nselect 1;",
        "/* ; SET upgrade_mode = 1 */ select 1;",
        "SET og.upgrade_mode = 1;",
        "SHOW upgrade_modex;",
        "select $1;",
        "SET \"it's\" = 1;",
    };

    for (size_t i = 0; i < sizeof(same) / sizeof(same[0]); i++) {
        cr_assert_str_eq(rewrite(same[i]), same[i], "case %zu", i);
        cr_assert_not(ogguc_sql_needs_rewrite(same[i]), "case %zu", i);
    }
    cr_assert_str_eq(rewrite("select 1; SET IsInplaceUpgrade = on; select 'x'';y';"),
                     "select 1; SET og.IsInplaceUpgrade = on; select 'x'';y';");
    cr_assert(ogguc_sql_needs_rewrite("START TRANSACTION;\nSET IsInplaceUpgrade = on;\n"));
}

Test(ogguc, table)
{
    cr_assert_not_null(ogguc_find("UPGRADE_MODE"));
    cr_assert_not_null(ogguc_find("replconninfo8"));
    cr_assert_null(ogguc_find("replconninfo9"));
    cr_assert_null(ogguc_find("replconninfo"));
    cr_assert_null(ogguc_find("work_mem"));
    cr_assert(ogguc_find("upgrade_mode")->instance);
    cr_assert_not(ogguc_find("IsInplaceUpgrade")->instance);
}

Test(kconf, set_get_and_replconninfo, .fini = scratch_done)
{
    char path[PATH_MAX + 32], val[256], og[PATH_MAX + 32];
    struct og_error err = {0};
    struct replconn rc[8];
    _cleanup_dynbuf_ struct dynbuf ci = {0};

    cr_assert_eq(tmpdir_make("kernel_unit-kconf", scratch, sizeof(scratch)), 0);
    snprintf(path, sizeof(path), "%s/postgresql.conf", scratch);
    cr_assert_eq(
        fs_replace_file(path, "#port = 5432\nport = 5432 # comment\nportx = 1\n", 44, 0600, &err),
        0);
    cr_assert_eq(kconf_get(path, "port", val, sizeof(val)), 0);
    cr_assert_str_eq(val, "5432");
    cr_assert_eq(kconf_set(path, "port", "25400", &err), 0);
    cr_assert_eq(kconf_get(path, "port", val, sizeof(val)), 0);
    cr_assert_str_eq(val, "25400");
    cr_assert_eq(kconf_get(path, "portx", val, sizeof(val)), 0);
    cr_assert_str_eq(val, "1");
    cr_assert_eq(kconf_set(path, "listen_addresses", "'a, b''c'", &err), 0);
    cr_assert_eq(kconf_get(path, "listen_addresses", val, sizeof(val)), 0);
    cr_assert_str_eq(val, "a, b'c");
    cr_assert_eq(kconf_get(path, "nosuch", val, sizeof(val)), -OG_E_NOT_EXIST);
    kconf_quote("it's", val, sizeof(val));
    cr_assert_str_eq(val, "'it''s'");

    snprintf(og, sizeof(og), "%s/og_guc.conf", scratch);
    cr_assert_eq(kconf_set(og, "og.replconninfo1",
                           "'localhost=10.0.0.1 localport=15401 remotehost=10.0.0.2 "
                           "remoteport=15400'",
                           &err),
                 0);
    cr_assert_eq(kconf_set(og, "og.replconninfo2",
                           "'localhost=10.0.0.1 localport=15401 remotehost=10.0.0.3 "
                           "remoteport=15400'",
                           &err),
                 0);
    cr_assert_eq(kconf_read_replconns(scratch, rc, 8), 2);
    cr_assert_str_eq(rc[1].remotehost, "10.0.0.3");
    cr_assert_eq(rc[0].remoteport, 15400);
    dynbuf_init(&ci, 4096);
    cr_assert_eq(kconf_peers_conninfo(scratch, &ci), 0);
    cr_assert_str_eq(dynbuf_str(&ci), "host=10.0.0.2,10.0.0.3 port=15400,15400 "
                                      "target_session_attrs=primary connect_timeout=3");
    cr_assert_eq(kconf_write_replication(scratch, "dn_6001", &err), 0);
    cr_assert_eq(kconf_parse_replconninfo("localhost=a", &rc[0]), -OG_E_CONTENT_INVALID);
    cr_assert_eq(kconf_add_line(path, "host all all 10.0.0.0/24 trust", &err), 0);
    cr_assert_eq(kconf_add_line(path, "host all all 10.0.0.0/24 trust", &err), 0);
    {
        _cleanup_free_ char *text = NULL;
        cr_assert_eq(fs_read_file(path, 65536, &text, NULL, &err), 0);
        const char *first = strstr(text, "host all all 10.0.0.0/24 trust\n");
        cr_assert_not_null(first);
        cr_assert_null(strstr(first + 20, "10.0.0.0/24"), "added once");
    }
}

Test(kenv, version_lines)
{
    struct kenv k = {0};
    char line[256];

    cr_assert_eq(version_cfg_parse("openGauss-3.0.0\n92.605\n02c14696\n", NULL, &k.ver, NULL), 0);
    k.sim = sim_version_find("3.0.0");
    k.build_time = k.sim->build_time;
    kenv_version_line(&k, "gaussdb", line, sizeof(line));
    cr_assert_str_eq(line, "gaussdb (openGauss 3.0.0 build 02c14696) compiled at 2022-04-01 "
                           "18:12:34 commit 0 last mr  ");
    kenv_version_line(&k, "gs_ctl", line, sizeof(line));
    cr_assert_str_eq(line, "gs_ctl (openGauss) 9.2.4", "1.1.0 .. 5.x quirk");
    cr_assert_eq(version_cfg_parse("openGauss-6.0.0\n92.954\naee4abd5\n", NULL, &k.ver, NULL), 0);
    k.sim = sim_version_find("6.0.0");
    k.build_time = k.sim->build_time;
    kenv_version_line(&k, "gs_ctl", line, sizeof(line));
    cr_assert_str_eq(line, "gs_ctl (openGauss 6.0.0 build aee4abd5) compiled at 2024-09-29 "
                           "19:14:27 commit 0 last mr  ");
    kenv_version_line(&k, "gsql", line, sizeof(line));
    cr_assert_str_eq(line, "gsql (openGauss 6.0.0 build aee4abd5) compiled at 2024-09-29 "
                           "19:14:27 commit 0 last mr  ");
}

/* A server's postmaster.pid names a live process: running only if that
 * process works in the data directory (a killed server leaves the file, its
 * pid can belong to anything by now). */
Test(kpg, running_only_when_the_pid_serves_the_data_directory, .fini = scratch_done)
{
    char file[PATH_MAX + 32], text[PATH_MAX + 128], old[4096];
    struct og_error err = {0};
    pid_t pid = 0;
    int n;

    cr_assert_eq(tmpdir_make("kernel_unit-kpg", scratch, sizeof(scratch)), 0);
    cr_assert_not_null(getcwd(old, sizeof(old)));
    snprintf(file, sizeof(file), "%s/postmaster.pid", scratch);
    n = snprintf(text, sizeof(text), "%ld\n%s\n1700000000\n5432\n/tmp\n*\n1 2\nready   \n",
                 (long)getpid(), scratch);
    cr_assert_eq(fs_replace_file(file, text, (size_t)n, 0600, &err), 0, "%s", err.detail);
    cr_assert_not(kpg_running(scratch, &pid), "a live pid working elsewhere is not the server");
    cr_assert_eq(chdir(scratch), 0);
    cr_assert(kpg_running(scratch, &pid), "the pid works in the data directory");
    cr_assert_eq(pid, getpid());
    cr_assert_eq(chdir(old), 0);
    n = snprintf(text, sizeof(text), "%d\n%s\n1700000000\n5432\n/tmp\n*\n1 2\nready   \n",
                 4194304 + 7, scratch); /* above any pid_max */
    cr_assert_eq(fs_replace_file(file, text, (size_t)n, 0600, &err), 0, "%s", err.detail);
    cr_assert_not(kpg_running(scratch, NULL), "a dead pid");
    unlink(file);
    cr_assert_not(kpg_running(scratch, NULL), "no postmaster.pid");
}

/* Numbers the kernel reads from files: postmaster.pid (PostgreSQL's), the
 * gatekeeper's og_gate.open and postgresql.conf's port. What is not a number
 * reads as 0 (or the default port), as atoi() took garbage; a number with
 * something after it is no longer taken for its digits. */
Test(kpg, numbers_read_from_files)
{
    char dir[] = "/tmp/ogup-kpgnum-XXXXXX", file[64], text[256];
    struct og_error err = {0};
    struct kpg_pidfile pf;
    int n;

    cr_assert_not_null(mkdtemp(dir));
    snprintf(file, sizeof(file), "%s/postmaster.pid", dir);
    n = snprintf(text, sizeof(text), "4242\n%s\n1700000000\n25400\n/tmp/s,/x\n*\n1 2\nready   \n",
                 dir);
    cr_assert_eq(fs_replace_file(file, text, (size_t)n, 0600, &err), 0, "%s", err.detail);
    cr_assert_eq(kpg_read_pidfile(dir, &pf), 0);
    cr_assert_eq(pf.pid, 4242);
    cr_assert_eq(pf.port, 25400);
    cr_assert_str_eq(pf.sockdir, "/tmp/s");
    cr_assert_str_eq(pf.status, "ready");
    n = snprintf(text, sizeof(text), "4242\n%s\n1700000000\nfive\n/tmp\n", dir);
    cr_assert_eq(fs_replace_file(file, text, (size_t)n, 0600, &err), 0, "%s", err.detail);
    cr_assert_eq(kpg_read_pidfile(dir, &pf), 0);
    cr_assert_eq(pf.port, 0, "a port that is not a number reads as 0");
    static const char *const bad_pids[] = {"garbage\n", "4242x\n", "-4242\n", "\n",
                                           "99999999999999999999\n"};
    for (size_t i = 0; i < sizeof(bad_pids) / sizeof(bad_pids[0]); i++) {
        cr_assert_eq(fs_replace_file(file, bad_pids[i], strlen(bad_pids[i]), 0600, &err), 0);
        cr_assert_eq(kpg_read_pidfile(dir, &pf), -OG_E_CONTENT_INVALID, "%s", bad_pids[i]);
    }
    unlink(file);
    cr_assert_eq(kpg_read_pidfile(dir, &pf), -OG_E_NOT_EXIST);

    snprintf(file, sizeof(file), "%s/%s", dir, KCONF_GATE_OPEN);
    cr_assert_not(kpg_gate_open(dir, 4242), "no marker");
    cr_assert_eq(fs_replace_file(file, "4242\n", 5, 0600, &err), 0);
    cr_assert(kpg_gate_open(dir, 4242));
    cr_assert_not(kpg_gate_open(dir, 4243));
    cr_assert_eq(fs_replace_file(file, "4242", 4, 0600, &err), 0);
    cr_assert(kpg_gate_open(dir, 4242), "no line end");
    cr_assert_eq(fs_replace_file(file, "4242abc\n", 8, 0600, &err), 0);
    cr_assert_not(kpg_gate_open(dir, 4242));
    unlink(file);

    snprintf(file, sizeof(file), "%s/%s", dir, KCONF_MAIN);
    cr_assert_eq(kpg_conf_port(dir), 5432, "no postgresql.conf");
    cr_assert_eq(fs_replace_file(file, "port = 25400 # x\n", 17, 0600, &err), 0);
    cr_assert_eq(kpg_conf_port(dir), 25400);
    cr_assert_eq(fs_replace_file(file, "port = '25401'\n", 15, 0600, &err), 0);
    cr_assert_eq(kpg_conf_port(dir), 25401);
    cr_assert_eq(fs_replace_file(file, "port = 0\n", 9, 0600, &err), 0);
    cr_assert_eq(kpg_conf_port(dir), 5432);
    cr_assert_eq(fs_replace_file(file, "port = 254x\n", 12, 0600, &err), 0);
    cr_assert_eq(kpg_conf_port(dir), 5432);
    unlink(file);
    rmdir(dir);
}

Test(kconf, replconninfo_ports)
{
    struct replconn rc;

    cr_assert_eq(kconf_parse_replconninfo("localhost=a localport=15401 remotehost=b "
                                          "remoteport=15400",
                                          &rc),
                 0);
    cr_assert_eq(rc.localport, 15401);
    cr_assert_eq(rc.remoteport, 15400);
    cr_assert_eq(
        kconf_parse_replconninfo("localhost=a localport=x remotehost=b remoteport=15400", &rc), 0);
    cr_assert_eq(rc.localport, 0, "a local port that is not a number reads as 0");
    cr_assert_eq(kconf_parse_replconninfo("remotehost=b remoteport=x", &rc), -OG_E_CONTENT_INVALID);
    cr_assert_eq(kconf_parse_replconninfo("remotehost=b remoteport=15400x", &rc),
                 -OG_E_CONTENT_INVALID);
    cr_assert_eq(kconf_parse_replconninfo("remotehost=b remoteport=0", &rc), -OG_E_CONTENT_INVALID);
}
