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
