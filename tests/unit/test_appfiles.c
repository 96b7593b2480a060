/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * The node-local file work of the in-place upgrade, on a scratch tree: what
 * an app carries to the new one (appinstall.c), the physical catalog backup
 * and restore (catalogphys.c, openGauss's names and formats), and the
 * conversion of openGauss's own backups (inplace_adopt.c).
 */
#include <criterion/criterion.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "appinstall.h"
#include "catalogphys.h"
#include "command.h"
#include "fs.h"
#include "inplace.h"

#include "../helpers/tmpdir.h"

static char tmp[PATH_MAX];

static void setup(void)
{
    cr_assert_eq(tmpdir_make("appfiles", tmp, sizeof(tmp)), 0);
}

static void teardown(void)
{
    tmpdir_remove(tmp);
}

TestSuite(appfiles, .init = setup, .fini = teardown);

static void put(const char *name, const char *text, mode_t mode)
{
    char p[PATH_MAX + 64], d[PATH_MAX + 64];
    struct og_error err = {0};

    snprintf(p, sizeof(p), "%s/%s", tmp, name);
    snprintf(d, sizeof(d), "%s", p);
    *strrchr(d, '/') = '\0';
    cr_assert_eq(fs_mkdir_p(d, 0755, &err), 0, "%s", err.detail);
    cr_assert_eq(fs_replace_file(p, text, strlen(text), mode, &err), 0, "%s", err.detail);
}

/* the file's text, "" when absent */
static char *get(const char *name)
{
    char p[PATH_MAX + 64], *text = NULL;

    snprintf(p, sizeof(p), "%s/%s", tmp, name);
    if (fs_read_file(p, 1 << 20, &text, NULL, NULL) < 0)
        return strdup("");
    return text;
}

static bool exists(const char *name)
{
    char p[PATH_MAX + 64];
    struct stat st;

    snprintf(p, sizeof(p), "%s/%s", tmp, name);
    return lstat(p, &st) == 0;
}

#define EXPECT(name, text)                                                                         \
    do {                                                                                           \
        char *got_ = get(name);                                                                    \
        cr_assert_str_eq(got_, text, "%s", name);                                                  \
        free(got_);                                                                                \
    } while (0)

static void path(char *buf, size_t size, const char *name)
{
    snprintf(buf, size, "%s/%s", tmp, name);
}

Test(appfiles, carry_copies_the_list_and_only_it)
{
    char from[PATH_MAX + 8], to[PATH_MAX + 8];
    struct og_error err = {0};
    struct stat st;

    put("old/bin/cluster_static_config", "static", 0640);
    put("old/bin/server.key.cipher", "cipher", 0600);
    put("old/bin/server.key.rand", "rand", 0600);
    put("old/etc/gscgroup_omm.cfg", "cgroup", 0600);
    put("old/lib/postgresql/pg_plugin/ext.so", "plugin", 0700);
    put("old/lib/postgresql/pg_plugin/sub/more.so", "more", 0644);
    put("old/share/sslcert/om/server.crt", "cert", 0600);
    put("old/bin/gaussdb", "the old kernel", 0755); /* not carried */
    put("old/etc/other.cfg", "no", 0600);           /* not carried */
    path(from, sizeof(from), "old");
    path(to, sizeof(to), "new");
    put("new/bin/gaussdb", "the new kernel", 0755);
    put("new/bin/server.key.rand", "stale", 0600);
    cr_assert_eq(appinstall_carry(from, to, false, &err), 0, "%s", err.detail);
    EXPECT("new/bin/cluster_static_config", "static");
    EXPECT("new/bin/server.key.cipher", "cipher");
    EXPECT("new/bin/server.key.rand", "rand");
    EXPECT("new/etc/gscgroup_omm.cfg", "cgroup");
    EXPECT("new/lib/postgresql/pg_plugin/ext.so", "plugin");
    EXPECT("new/lib/postgresql/pg_plugin/sub/more.so", "more");
    EXPECT("new/share/sslcert/om/server.crt", "cert");
    EXPECT("new/bin/gaussdb", "the new kernel");
    cr_assert(!exists("new/etc/other.cfg"));
    path(to, sizeof(to), "new/bin/server.key.cipher");
    cr_assert_eq(stat(to, &st), 0);
    cr_assert_eq(st.st_mode & 0777, 0600, "modes kept");

    /* keep: a backup taken once is not overwritten */
    path(to, sizeof(to), "bak");
    cr_assert_eq(appinstall_carry(from, to, true, &err), 0);
    put("old/bin/server.key.rand", "changed", 0600);
    cr_assert_eq(appinstall_carry(from, to, true, &err), 0);
    EXPECT("bak/bin/server.key.rand", "rand");

    /* a missing source: an error to carry, nothing to restore */
    path(from, sizeof(from), "nothing");
    cr_assert_eq(appinstall_carry(from, to, false, &err), -OG_E_NOT_EXIST);
    cr_assert_eq(appinstall_restore(from, to, &err), 0);
}

/* A data directory as the kernel lays it out, stopped, and an app whose
 * pg_controldata names the REDO WAL file. */
static void datadir(void)
{
    char link[PATH_MAX + 32];

    put("app/bin/pg_controldata",
        "#!/bin/sh\necho \"pg_control version number:            1300\"\n"
        "echo \"Latest checkpoint's REDO WAL file:    000000010000000000000002\"\n",
        0755);
    put("dn/global/pg_control", "control-0", 0600);
    put("dn/global/1260", "authid-0", 0600);
    put("dn/pg_xact/0000", "clog-0", 0600);
    path(link, sizeof(link), "dn/pg_clog");
    cr_assert_eq(symlink("pg_xact", link), 0);
    put("dn/pg_csnlog/0000", "csn-0", 0600);
    put("dn/pg_wal/000000010000000000000001", "seg1-0", 0600);
    put("dn/pg_wal/000000010000000000000002", "seg2-0", 0600);
    path(link, sizeof(link), "dn/pg_xlog");
    cr_assert_eq(symlink("pg_wal", link), 0);
    put("dn/base/1/1247", "type-0", 0600);
    put("dn/base/1/1247_fsm", "fsm-0", 0600);
    put("dn/base/1/pg_filenode.map", "map-0", 0600);
    put("dn/base/1/16384", "user-table-0", 0600);
    put("list", "base/1/1247 base/1/1259\n", 0600);
    put("dn/base/1/1259", "class-0", 0600);
}

Test(appfiles, physical_catalog_backup_restore_clean)
{
    char app[PATH_MAX + 8], dn[PATH_MAX + 8], list[PATH_MAX + 8];
    struct og_error err = {0};
    char *info;

    datadir();
    path(app, sizeof(app), "app");
    path(dn, sizeof(dn), "dn");
    path(list, sizeof(list), "list");
    cr_assert_eq(catalogphys_backup(app, dn, list, 92298, &err), 0, "%s", err.detail);
    EXPECT("dn/global_bak/pg_control", "control-0");
    EXPECT("dn/pg_clog_bak/0000", "clog-0");
    EXPECT("dn/pg_csnlog_bak/0000", "csn-0");
    EXPECT("dn/base/1/1247_bak", "type-0");
    EXPECT("dn/base/1/1247_fsm_bak", "fsm-0");
    EXPECT("dn/base/1/pg_filenode.map_bak", "map-0");
    cr_assert(!exists("dn/base/1/16384_bak"), "a user table is not the catalog");
    /* the WAL from the REDO file on, openGauss's names */
    cr_assert(!exists("dn/pg_xlog/000000010000000000000001_upgrade_backup"));
    EXPECT("dn/pg_xlog/000000010000000000000002_upgrade_backup", "seg2-0");
    info = get("dn/pg_xlog/xlog_backup_info.json");
    cr_assert_not_null(
        strstr(info, "\"latest_checkpoint_redo_xlog_file\":\"000000010000000000000002\""), "%s",
        info);
    cr_assert_not_null(strstr(info, "\"backup_xlog_list\":[\"000000010000000000000002\"]"), "%s",
                       info);
    free(info);

    /* the upgrade writes: catalog pages, a new fork, new WAL, clog */
    put("dn/global/pg_control", "control-1", 0600);
    put("dn/pg_xact/0000", "clog-1", 0600);
    put("dn/pg_wal/000000010000000000000002", "seg2-1", 0600);
    put("dn/pg_wal/000000010000000000000003", "seg3-1", 0600);
    put("dn/base/1/1247", "type-1-longer", 0600);
    put("dn/base/1/1247_vm", "vm-1", 0600);
    put("dn/base/1/1259", "class-1", 0600);
    put("dn/base/1/16400", "new catalog table", 0600);
    /* a second backup keeps the first */
    cr_assert_eq(catalogphys_backup(app, dn, list, 92298, &err), 0, "%s", err.detail);
    EXPECT("dn/base/1/1247_bak", "type-0");
    EXPECT("dn/global_bak/pg_control", "control-0");

    cr_assert_eq(catalogphys_restore(dn, &err), 0, "%s", err.detail);
    EXPECT("dn/global/pg_control", "control-0");
    EXPECT("dn/pg_xact/0000", "clog-0");
    EXPECT("dn/base/1/1247", "type-0");
    EXPECT("dn/base/1/1247_fsm", "fsm-0");
    EXPECT("dn/base/1/1259", "class-0");
    cr_assert(!exists("dn/base/1/1247_vm"), "a fork made after the backup is dropped");
    EXPECT("dn/pg_wal/000000010000000000000001", "seg1-0");
    EXPECT("dn/pg_wal/000000010000000000000002", "seg2-0");
    cr_assert(!exists("dn/pg_wal/000000010000000000000003"), "newer WAL removed");
    EXPECT("dn/base/1/16384", "user-table-0");

    cr_assert_eq(catalogphys_clean(dn, &err), 0, "%s", err.detail);
    cr_assert(!exists("dn/global_bak") && !exists("dn/pg_clog_bak") && !exists("dn/pg_csnlog_bak"));
    cr_assert(!exists("dn/base/1/1247_bak") && !exists("dn/base/1/pg_filenode.map_bak"));
    cr_assert(!exists("dn/pg_xlog/xlog_backup_info.json") &&
              !exists("dn/pg_xlog/000000010000000000000002_upgrade_backup"));
    EXPECT("dn/base/1/1247", "type-0");
}

/* A backup cut short (files there, no mark) is not trusted: all is copied
 * again; the forks are told from look-alike names (12470 is not 1247's). */
Test(appfiles, physical_backup_redone_without_its_mark)
{
    char app[PATH_MAX + 8], dn[PATH_MAX + 8], list[PATH_MAX + 8];
    struct og_error err = {0};

    datadir();
    put("dn/base/1/12470", "other", 0600);
    put("dn/base/1/1247.1", "type-seg1", 0600);
    put("dn/base/5/1247", "type-db5", 0600);
    put("list", "base/1/1247 base/1/1259 base/5/1247\n", 0600);
    put("dn/base/1/1247_bak", "torn", 0600);
    put("dn/global_bak/pg_control", "torn", 0600);
    path(app, sizeof(app), "app");
    path(dn, sizeof(dn), "dn");
    path(list, sizeof(list), "list");
    cr_assert_eq(catalogphys_backup(app, dn, list, 92298, &err), 0, "%s", err.detail);
    EXPECT("dn/base/1/1247_bak", "type-0");
    EXPECT("dn/base/1/1247.1_bak", "type-seg1");
    EXPECT("dn/base/5/1247_bak", "type-db5");
    EXPECT("dn/global_bak/pg_control", "control-0");
    cr_assert(!exists("dn/base/1/12470_bak"), "not a fork of 1247");
    cr_assert(!exists("dn/base/5/pg_filenode.map_bak"), "no map there to copy");
    cr_assert(exists("dn/" CATALOGPHYS_BACKED_UP), "the mark after the sync");

    /* the clean takes the mark: the next backup is a new one */
    cr_assert_eq(catalogphys_clean(dn, &err), 0, "%s", err.detail);
    cr_assert(!exists("dn/" CATALOGPHYS_BACKED_UP) && !exists("dn/base/1/1247.1_bak"));
    put("dn/base/1/1247", "type-2", 0600);
    cr_assert_eq(catalogphys_backup(app, dn, list, 92298, &err), 0, "%s", err.detail);
    EXPECT("dn/base/1/1247_bak", "type-2");
}

/* Both copy modes: content past one buffer, modes, nested directories;
 * links below the top skipped; keep leaves what is there. */
Test(appfiles, copy_tree_synced_and_unsynced)
{
    char from[PATH_MAX + 8], to[PATH_MAX + 8], link[PATH_MAX + 16];
    struct og_error err = {0};
    struct stat st;
    size_t big = 300 * 1024 + 7;
    char *text = malloc(big + 1);

    cr_assert_not_null(text);
    for (size_t i = 0; i < big; i++)
        text[i] = (char)('a' + i % 23);
    text[big] = '\0';
    put("src/a/big", text, 0640);
    put("src/a/b/small", "small", 0600);
    path(link, sizeof(link), "src/a/ln");
    cr_assert_eq(symlink("big", link), 0);
    path(from, sizeof(from), "src");
    for (int mode = 0; mode < 2; mode++) {
        path(to, sizeof(to), mode ? "unsynced" : "synced");
        cr_assert_eq(mode ? fs_copy_tree_unsynced(from, to, &err)
                          : fs_copy_tree(from, to, false, &err),
                     0, "%s", err.detail);
        EXPECT(mode ? "unsynced/a/big" : "synced/a/big", text);
        EXPECT(mode ? "unsynced/a/b/small" : "synced/a/b/small", "small");
        cr_assert(!exists(mode ? "unsynced/a/ln" : "synced/a/ln"), "a link below the top");
        path(to, sizeof(to), mode ? "unsynced/a/big" : "synced/a/big");
        cr_assert_eq(stat(to, &st), 0);
        cr_assert_eq(st.st_mode & 0777, 0640);
    }
    /* unsynced overwrites a longer file in place; keep leaves it */
    put("src/a/b/small", "s", 0600);
    cr_assert_eq(fs_copy_tree_unsynced(from, to, &err), -OG_E_CREATE_FAILED,
                 "onto a file where a directory must be: %s", err.detail);
    path(to, sizeof(to), "unsynced");
    cr_assert_eq(fs_copy_tree_unsynced(from, to, &err), 0, "%s", err.detail);
    EXPECT("unsynced/a/b/small", "s");
    path(to, sizeof(to), "synced");
    cr_assert_eq(fs_copy_tree(from, to, true, &err), 0, "%s", err.detail);
    EXPECT("synced/a/b/small", "small");
    cr_assert_eq(fs_syncfs(to, &err), 0, "%s", err.detail);
    cr_assert_eq(fs_syncfs("/no/such/dir", &err), -OG_E_IO);
    free(text);
}

Test(appfiles, physical_backup_refuses_a_bad_list)
{
    char app[PATH_MAX + 8], dn[PATH_MAX + 8], list[PATH_MAX + 8];
    struct og_error err = {0};

    datadir();
    put("list", "base/1/../../etc/passwd\n", 0600);
    path(app, sizeof(app), "app");
    path(dn, sizeof(dn), "dn");
    path(list, sizeof(list), "list");
    cr_assert_eq(catalogphys_backup(app, dn, list, 92298, &err), -OG_E_CONTENT_INVALID);
    cr_assert_not_null(strstr(err.detail, "catalog file"), "%s", err.detail);
}

/* openGauss's own backups in binary_upgrade, converted beside them. */
Test(appfiles, adopt_opengauss_backups)
{
    char dir[PATH_MAX + 8];
    struct og_error err = {0};

    put("bu/parameter_node1/6001_postgresql.conf", "port = 15400\n", 0600);
    put("bu/parameter_node1/6001_pg_hba.conf", "local all all trust\n", 0600);
    put("bu/parameter_node1/HOSTNAME", "node1", 0600);
    {
        char d[PATH_MAX + 8];
        path(d, sizeof(d), "bu");
        _cleanup_command_ struct command *c =
            command_newl("tar", "-cf", "parameter_node1.tar", "parameter_node1", NULL);
        cr_assert_eq(command_set_cwd(c, d), 0);
        cr_assert_eq(command_run_ok(c, NULL, &err), 0, "%s", err.detail);
    }
    put("bu/cluster_static_config", "static", 0600);
    put("bu/server.key.cipher", "cipher", 0600);
    put("bu/gscgroup_omm.cfg", "cgroup", 0600);
    put("bu/pg_plugin/ext.so", "plugin", 0600);
    put("bu/oldClusterDBAndRel/dn_db_and_catalog_info_dn_6001.json",
        "{\"dblist\": [{\"dbname\": \"postgres\", \"dboid\": \"15\", \"spclocation\": \"\", "
        "\"CatalogList\": [{\"oid\": \"1247\", \"relname\": \"pg_type\", \"relfilenode\": "
        "\"1247\", \"relpersistence\": \"p\"}, {\"oid\": \"1259\", \"relname\": \"pg_class\", "
        "\"relfilenode\": \"0\", \"relpersistence\": \"p\"}]}, {\"dbname\": \"ts\", \"dboid\": "
        "\"16500\", \"spclocation\": \"tbs1\", \"CatalogList\": [{\"relfilenode\": \"1247\"}]}]}",
        0600);
    path(dir, sizeof(dir), "bu");
    cr_assert_eq(inplace_adopt_local(dir, &err), 0, "%s", err.detail);
    EXPECT("bu/backup/postgresql.conf", "port = 15400\n");
    EXPECT("bu/backup/pg_hba.conf", "local all all trust\n");
    cr_assert(!exists("bu/backup/HOSTNAME"));
    EXPECT("bu/backup/app/bin/cluster_static_config", "static");
    EXPECT("bu/backup/app/bin/server.key.cipher", "cipher");
    EXPECT("bu/backup/app/etc/gscgroup_omm.cfg", "cgroup");
    EXPECT("bu/backup/app/lib/postgresql/pg_plugin/ext.so", "plugin");
    /* mapped (relfilenode 0) and other tablespaces are not in base/ */
    EXPECT("bu/" INPLACE_CATALOG_LIST, "base/15/1247\n");
}
