/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * The pre-checks' logic without a cluster: frozen GUC records, the node-local
 * checks on temporary directories, the worker's error line round trip, the
 * journal dump format, and the check table's stable ids and codes.
 */
#include <criterion/criterion.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "command.h"
#include "fs.h"
#include "jdist.h"
#include "pkgsum.h"
#include "precheck.h"

#include "../helpers/tmpdir.h"

static char tmp[PATH_MAX];

static void setup(void)
{
    cr_assert_eq(tmpdir_make("precheck", tmp, sizeof(tmp)), 0);
}

static void teardown(void)
{
    char small[PATH_MAX + 16];

    snprintf(small, sizeof(small), "%s/small", tmp);
    umount2(small, MNT_DETACH); /* a failed test's tmpfs (none: EINVAL, fine) */
    tmpdir_remove(tmp);
}

TestSuite(precheck, .init = setup, .fini = teardown);

static void put_file(const char *name, const char *text)
{
    char p[PATH_MAX + 64], d[PATH_MAX + 64];
    struct og_error err = {0};
    snprintf(p, sizeof(p), "%s/%s", tmp, name);
    snprintf(d, sizeof(d), "%s", p);
    *strrchr(d, '/') = '\0';
    cr_assert_eq(fs_mkdir_p(d, 0755, &err), 0, "%s", err.detail);
    cr_assert_eq(fs_replace_file(p, text, strlen(text), 0644, &err), 0, "%s", err.detail);
}

Test(precheck, table_ids_and_codes_are_stable)
{
    size_t n = 0;
    const struct precheck *t = precheck_table(&n);
    const char *ids[] = {"not-root",       "environment",   "cluster-lock",   "static-config",
                         "ssh-trust",      "cluster-state", "disk-usage",     "stream-replication",
                         "kerberos",       "frozen-gucs",   "standby-replay", "om-kernel",
                         "package-sha256", "app-size",      "backup-space",   "datadir-writable"};
    const int codes[] = {50105, 51800, 52936, 51217, 51100, 51601, 52922, 60052,
                         50200, 60051, 60053, 52929, 51635, 50401, 50400, 50205};

    cr_assert_eq(n, sizeof(ids) / sizeof(ids[0]));
    for (size_t i = 0; i < n; i++) {
        cr_assert_str_eq(t[i].id, ids[i]);
        cr_assert_eq(t[i].code, codes[i], "%s", ids[i]);
        cr_assert(og_code_known(t[i].code));
        cr_assert_eq(precheck_find(ids[i]), &t[i]);
    }
    cr_assert_null(precheck_find("nope"));
}

Test(precheck, frozen_gucs_round_trip_and_compare)
{
    struct frozen_gucs a, b;
    _cleanup_dynbuf_ struct dynbuf out = {0};
    struct og_error err = {0};

    dynbuf_init(&out, 1 << 16);
    memset(&a, 0, sizeof(a));
    a.n = 2;
    for (size_t i = 0; i < 2; i++) {
        snprintf(a.nodes[i].node, sizeof(a.nodes[i].node), "node%zu", i + 1);
        snprintf(a.nodes[i].value[0], 64, "hot_standby");
        snprintf(a.nodes[i].value[1], 64, "200");
        snprintf(a.nodes[i].value[2], 64, "0");
        snprintf(a.nodes[i].value[3], 64, "64");
    }
    cr_assert_eq(frozen_gucs_format(&a, &out), 0);
    cr_assert_eq(
        strncmp(dynbuf_str(&out), "node1 wal_level=hot_standby\nnode1 max_connections=200\n", 53),
        0, "%s", dynbuf_str(&out));
    cr_assert_eq(frozen_gucs_parse(dynbuf_str(&out), &b, &err), 0, "%s", err.detail);
    cr_assert_eq(b.n, 2);
    cr_assert_eq(frozen_gucs_compare(&a, &b, &err), 0);
    cr_assert_eq(frozen_gucs_compare(NULL, &b, &err), 0);

    /* one value changed on node2 */
    snprintf(b.nodes[1].value[1], 64, "333");
    cr_assert_eq(frozen_gucs_compare(&a, &b, &err), -OG_E_FROZEN_GUC);
    cr_assert_not_null(strstr(err.detail, "max_connections"), "%s", err.detail);
    cr_assert_not_null(strstr(err.detail, "node2 has 333"), "%s", err.detail);
    memset(&err, 0, sizeof(err));
    cr_assert_eq(frozen_gucs_compare(NULL, &b, &err), -OG_E_FROZEN_GUC);

    /* a node not recorded */
    snprintf(b.nodes[1].node, sizeof(b.nodes[1].node), "node9");
    memset(&err, 0, sizeof(err));
    cr_assert_eq(frozen_gucs_compare(&a, &b, &err), -OG_E_FROZEN_GUC);
    cr_assert_not_null(strstr(err.detail, "node9"), "%s", err.detail);

    /* malformed records */
    cr_assert_eq(frozen_gucs_parse("node1 shared_buffers=1\n", &b, &err), -OG_E_CONTENT_INVALID);
    cr_assert_eq(frozen_gucs_parse("garbage\n", &b, &err), -OG_E_CONTENT_INVALID);
    cr_assert_eq(frozen_gucs_parse("node1 wal_level=replica\n", &b, &err), -OG_E_CONTENT_INVALID,
                 "a node must have all four");
}

Test(precheck, local_disk)
{
    const char *paths[] = {tmp};
    const char *missing[] = {"/nonexistent/ogup"};
    struct og_error err = {0};

    cr_assert_eq(precheck_local_disk(paths, 1, 101, &err), 0, "%s", err.detail);
    /* any filesystem in use is over 0% */
    cr_assert_eq(precheck_local_disk(paths, 1, 0, &err), -OG_E_DISK_USAGE_EXCEEDS);
    cr_assert_not_null(strstr(err.detail, tmp), "%s", err.detail);
    cr_assert_eq(precheck_local_disk(missing, 1, 80, &err), -OG_E_NOT_EXIST);
}

Test(precheck, local_sha256)
{
    char tar[PATH_MAX + 32], sum[PATH_MAX + 32];
    struct og_error err = {0};

    cr_assert_eq(precheck_local_sha256(tmp, &err), -OG_E_SHA256, "an empty dir has no package");
    put_file("pkg.tar.gz", "payload");
    snprintf(tar, sizeof(tar), "%s/pkg.tar.gz", tmp);
    snprintf(sum, sizeof(sum), "%s/pkg.sha256", tmp);
    cr_assert_eq(pkgsum_write(tar, sum, &err), 0, "%s", err.detail);
    cr_assert_eq(precheck_local_sha256(tmp, &err), 0, "%s", err.detail);
    put_file("pkg.tar.gz", "payload tampered");
    cr_assert_eq(precheck_local_sha256(tmp, &err), -OG_E_SHA256);
    put_file("pkg.tar.gz", "payload");
    put_file("orphan.sha256", "00\n");
    memset(&err, 0, sizeof(err));
    cr_assert_eq(precheck_local_sha256(tmp, &err), -OG_E_SHA256);
    cr_assert_not_null(strstr(err.detail, "orphan"), "%s", err.detail);
    cr_assert_eq(precheck_local_sha256("/nonexistent/ogup", &err), -OG_E_NOT_EXIST);
}

/* tool/<name> a bzip2 tarball holding version.cfg = cfg, with its .sha256 */
static void put_kernel_package(const char *name, const char *cfg)
{
    char src[PATH_MAX + 16], tar[PATH_MAX + 300], sum[PATH_MAX + 300];
    struct og_error err = {0};

    snprintf(src, sizeof(src), "%s/pkgsrc", tmp);
    cr_assert_eq(fs_mkdir_p(src, 0755, &err), 0);
    put_file("pkgsrc/version.cfg", cfg);
    snprintf(tar, sizeof(tar), "%s/tool/%s.tar.bz2", tmp, name);
    snprintf(sum, sizeof(sum), "%s/tool/%s.sha256", tmp, name);
    {
        _cleanup_command_ struct command *c =
            command_newl("tar", "-cjf", tar, "-C", src, "./version.cfg", NULL);
        cr_assert_eq(command_run_ok(c, NULL, &err), 0, "%s", err.detail);
    }
    cr_assert_eq(pkgsum_write(tar, sum, &err), 0, "%s", err.detail);
}

/* The OM tools and the server package beside them are one release (the new
 * app is installed from that package at step 4, not before). */
Test(precheck, local_om_kernel)
{
    char gphome[PATH_MAX + 16], app[PATH_MAX + 16], tar[PATH_MAX + 64];
    struct og_error err = {0};

    snprintf(gphome, sizeof(gphome), "%s/tool", tmp);
    snprintf(app, sizeof(app), "%s/app", tmp);
    cr_assert_eq(fs_mkdir_p(gphome, 0755, &err), 0);
    put_file("tool/version.cfg", "openGauss-3.0.0\n92.605\n02c14696\n");
    cr_assert_eq(precheck_local_om_kernel(gphome, app, &err), -OG_E_APP_VERSION,
                 "no server package");
    cr_assert_not_null(strstr(err.detail, "server package"), "%s", err.detail);
    put_kernel_package("openGauss-3.0.0-openEuler-64bit", "openGauss-3.0.0\n92.605\n02c14696\n");
    cr_assert_eq(precheck_local_om_kernel(gphome, app, &err), 0, "%s", err.detail);
    /* a tampered package: its sha256 no longer matches */
    snprintf(tar, sizeof(tar), "%s/openGauss-3.0.0-openEuler-64bit.tar.bz2", gphome);
    {
        int fd = open(tar, O_WRONLY | O_APPEND);
        cr_assert_geq(fd, 0);
        cr_assert_eq(write(fd, "x", 1), 1);
        close(fd);
    }
    cr_assert_eq(precheck_local_om_kernel(gphome, app, &err), -OG_E_APP_VERSION);
    cr_assert_not_null(strstr(err.detail, "SHA256"), "%s", err.detail);
    put_kernel_package("openGauss-3.0.0-openEuler-64bit", "openGauss-3.1.0\n92.780\n02c14696\n");
    cr_assert_eq(precheck_local_om_kernel(gphome, app, &err), -OG_E_APP_VERSION);
    cr_assert_not_null(strstr(err.detail, "not from the same package"), "%s", err.detail);
    put_file("tool/version.cfg", "garbage\n");
    cr_assert_eq(precheck_local_om_kernel(gphome, app, &err), -OG_E_APP_VERSION);
}

Test(precheck, local_kerberos)
{
    struct og_error err = {0};

    cr_assert_eq(precheck_local_kerberos(tmp, &err), 0);
    put_file("auth_config/mppdb-site.xml", "<x/>");
    cr_assert_eq(precheck_local_kerberos(tmp, &err), -OG_E_EXISTS);
}

Test(precheck, worker_error_line_round_trip)
{
    struct og_error err = {0}, back = {0};
    char line[OG_ERROR_DETAIL_MAX + 64];

    og_error_set(&err, OG_E_DISK_USAGE_EXCEEDS, "Disk usage exceeds 80%%: /data is 91%% full.");
    snprintf(line, sizeof(line), "some noise\n%s\n", og_error_format(&err, line + 0, sizeof(line)));
    {
        char text[sizeof(line) + 32];
        snprintf(text, sizeof(text), "noise [x]\n%s\n", og_error_format(&err, line, sizeof(line)));
        cr_assert_eq(og_error_parse(text, &back), -OG_E_DISK_USAGE_EXCEEDS);
        cr_assert_str_eq(back.detail, err.detail);
    }
    memset(&back, 0, sizeof(back));
    cr_assert_eq(og_error_parse("[OGUP-60053] : node2 lags\n", &back), -OG_E_STANDBY_LAG);
    cr_assert_str_eq(back.detail, "node2 lags");
    memset(&back, 0, sizeof(back));
    cr_assert_eq(og_error_parse("[GAUSS-99999] : unknown code\n", &back), 0);
    cr_assert_eq(og_error_parse("no code at all", &back), 0);
    cr_assert_eq(og_error_parse(NULL, &back), 0);
    cr_assert_eq(back.code, 0);
}

Test(precheck, journal_dump_round_trip)
{
    _cleanup_dynbuf_ struct dynbuf out = {0};
    char src[PATH_MAX + 16], dst[PATH_MAX + 16], p[PATH_MAX + 64];
    _cleanup_free_ char *text = NULL;
    struct og_error err = {0};
    struct stat st;
    bool present = true;

    dynbuf_init(&out, 1 << 20);
    snprintf(src, sizeof(src), "%s/src", tmp);
    snprintf(dst, sizeof(dst), "%s/dst", tmp);
    cr_assert_eq(jdist_dump(src, &out, &err), 0, "%s", err.detail);
    cr_assert_str_eq(dynbuf_str(&out), "{\"present\":false,\"files\":{}}");
    cr_assert_eq(jdist_undump(dynbuf_str(&out), dst, &present, &err), 0);
    cr_assert(!present);
    cr_assert_neq(access(dst, F_OK), 0, "nothing is created for an absent journal");

    put_file("src/upgrade_step.dat", "inplace-binary-upgrade:4\n");
    put_file("src/upgrade_step.csv", "node_host,upgrade_action,step\r\nnode1,x,1\r\n");
    dynbuf_reset(&out);
    cr_assert_eq(jdist_dump(src, &out, &err), 0, "%s", err.detail);
    cr_assert_eq(jdist_undump(dynbuf_str(&out), dst, &present, &err), 0, "%s", err.detail);
    cr_assert(present);
    snprintf(p, sizeof(p), "%s/upgrade_step.csv", dst);
    cr_assert_eq(fs_read_file(p, 4096, &text, NULL, &err), 0);
    cr_assert_str_eq(text, "node_host,upgrade_action,step\r\nnode1,x,1\r\n", "CRLF kept");
    cr_assert_eq(stat(p, &st), 0);
    cr_assert_eq(st.st_mode & 0777, 0600);

    cr_assert_eq(jdist_undump("{\"present\":true,\"files\":{\"../x\":\"y\"}}", dst, &present, &err),
                 -OG_E_CONTENT_INVALID, "a path outside the directory is refused");
    cr_assert_eq(jdist_undump("not json", dst, &present, &err), -OG_E_CONTENT_INVALID);
}

/* CheckUpgrade.py's app size: du of the app less pg_plugin, at most 2000M. */
Test(precheck, local_app_size)
{
    struct og_error err = {0};
    char app[PATH_MAX + 16], link[PATH_MAX + 16], big[PATH_MAX + 64], plugin[PATH_MAX + 64];
    int fd;

    snprintf(app, sizeof(app), "%s/app_1", tmp);
    snprintf(link, sizeof(link), "%s/app", tmp);
    put_file("app_1/bin/gaussdb", "x");
    cr_assert_eq(symlink("app_1", link), 0);
    cr_assert_eq(precheck_local_app_size(link, &err), 0, "%s", err.detail);
    /* 2001M of allocated blocks inside pg_plugin: exempt */
    put_file("app_1/lib/postgresql/pg_plugin/p", "");
    snprintf(plugin, sizeof(plugin), "%s/lib/postgresql/pg_plugin/big", app);
    fd = open(plugin, O_WRONLY | O_CREAT, 0600);
    cr_assert_geq(fd, 0);
    cr_assert_eq(fallocate(fd, 0, 0, (off_t)2001 << 20), 0, "fallocate: %m");
    close(fd);
    cr_assert_eq(precheck_local_app_size(link, &err), 0, "%s", err.detail);
    unlink(plugin);
    /* elsewhere in the app: personal data, GAUSS-50401; a sparse file holds no blocks */
    snprintf(big, sizeof(big), "%s/personal", app);
    fd = open(big, O_WRONLY | O_CREAT, 0600);
    cr_assert_geq(fd, 0);
    cr_assert_eq(ftruncate(fd, (off_t)3000 << 20), 0);
    cr_assert_eq(precheck_local_app_size(link, &err), 0, "sparse: %s", err.detail);
    cr_assert_eq(fallocate(fd, 0, 0, (off_t)2001 << 20), 0);
    close(fd);
    cr_assert_eq(precheck_local_app_size(link, &err), -OG_E_DISK_USAGE);
    cr_assert_not_null(strstr(err.detail, "personal data"), "%s", err.detail);
    unlink(big);
    cr_assert_eq(precheck_local_app_size("/no/such/app", &err), -OG_E_NOT_EXIST);
}

/* The backup directory is created; a data directory must take a new file. */
Test(precheck, local_backup_space_and_writable)
{
    struct og_error err = {0};
    char bak[PATH_MAX + 32], small[PATH_MAX + 16];

    cr_assert_eq(precheck_local_backup_space(tmp, &err), 0, "%s", err.detail);
    snprintf(bak, sizeof(bak), "%s/binary_upgrade", tmp);
    cr_assert_neq(access(bak, F_OK), 0, "a pre-check makes nothing (no binary_upgrade)");
    cr_assert_eq(precheck_local_writable(tmp, &err), 0, "%s", err.detail);
    cr_assert_eq(precheck_local_writable("/no/such/dir", &err), -OG_E_NOT_EXIST);
    if (geteuid() != 0)
        return; /* a small or read-only filesystem needs a mount */
    snprintf(small, sizeof(small), "%s/small", tmp);
    cr_assert_eq(mkdir(small, 0700), 0);
    cr_assert_eq(mount("tmpfs", small, "tmpfs", 0, "size=64m"), 0, "mount: %m");
    cr_assert_eq(precheck_local_backup_space(small, &err), -OG_E_DISK_SPACE);
    cr_assert_not_null(strstr(err.detail, "[BakDir]"), "%s", err.detail);
    cr_assert_eq(mount(NULL, small, NULL, MS_REMOUNT | MS_RDONLY, "size=64m"), 0, "%m");
    cr_assert_eq(precheck_local_writable(small, &err), -OG_E_WRITE_FAILED);
    cr_assert_eq(umount(small), 0);
}
