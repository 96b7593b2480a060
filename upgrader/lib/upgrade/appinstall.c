/* SPDX-License-Identifier: MulanPSL-2.0 */
#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "appinstall.h"
#include "tarball.h"
#include "fs.h"
#include "pkgsig.h"
#include "pkgsum.h"
#include "banned.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(struct archive *, archive_read_free)

/* UpgradeUtility.py v5.0.0 backupConfig :1294-1460 and copyCerts :2383. */
static const char *const carried[] = {
    "bin/*cluster_static_config*",  "bin/cluster_dynamic_config", "bin/logic_cluster_name.txt",
    "etc/gscgroup_*.cfg",           "lib/postgresql/pg_plugin",   "bin/server.key.cipher",
    "bin/server.key.rand",          "bin/datasource.key.cipher",  "bin/datasource.key.rand",
    "bin/usermapping.key.cipher",   "bin/usermapping.key.rand",   "bin/subscription.key.cipher",
    "bin/subscription.key.rand",    "bin/obsserver.key.cipher",   "bin/obsserver.key.rand",
    "bin/trans_encrypt.key.cipher", "bin/trans_encrypt.key.rand", "bin/trans_encrypt_ak_sk.key",
    "bin/gs_tde_keys.cipher",       "share/sslcert/om",           "share/sslcert/etcd",
};

size_t appinstall_carried_count(void)
{
    return ELEMENTSOF(carried);
}

const char *appinstall_carried_at(size_t i)
{
    return i < ELEMENTSOF(carried) ? carried[i] : NULL;
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);

    return a >= b && strcmp(s + a - b, suffix) == 0;
}

int appinstall_find_kernel(const char *dir, const char *version, char *name, size_t size,
                           struct og_error *err)
{
    _cleanup_closedir_ DIR *d = opendir(dir);
    char prefix[64];
    struct dirent *e;
    int found = 0;

    if (!d)
        return og_error_set_errno(err, errno == ENOENT ? OG_E_NOT_EXIST : OG_E_READ_FAILED, errno,
                                  "The package directory %s does not exist.", dir);
    snprintf(prefix, sizeof(prefix), "openGauss-%s%s", version ? version : "", version ? "-" : "");
    while ((e = readdir(d))) {
        if (strncmp(e->d_name, prefix, strlen(prefix)) != 0 ||
            !ends_with(e->d_name, APPINSTALL_KERNEL_SUFFIX))
            continue;
        if (found++ == 0)
            snprintf(name, size, "%s", e->d_name);
    }
    if (found == 0)
        return og_error_set(err, OG_E_NOT_EXIST, "The server package %s*%s does not exist in %s.",
                            prefix, APPINSTALL_KERNEL_SUFFIX, dir);
    if (found > 1)
        return og_error_set(err, OG_E_CHECK_FAILED,
                            "Failed to check the server package: %d files match %s*%s in %s.",
                            found, prefix, APPINSTALL_KERNEL_SUFFIX, dir);
    return 0;
}

/* The tarball opened and positioned at member's header (*e): 0, or an error
 * (-OG_E_NOT_EXIST when it has no such member). *a is the caller's to free. */
static int seek_member(const char *tarball, const char *member, struct archive **ret,
                       struct archive_entry **e, struct og_error *err)
{
    struct archive *a = archive_read_new();
    int r;

    *ret = a;
    if (!a)
        return og_error_set(err, OG_E_NOMEM, "reading %s", tarball);
    archive_read_support_filter_all(a);
    archive_read_support_format_all(a);
    if (archive_read_open_filename(a, tarball, 64 * 1024) != ARCHIVE_OK)
        return og_error_set(err, OG_E_READ_FAILED, "Failed to read %s: %s.", tarball,
                            archive_error_string(a));
    while ((r = archive_read_next_header(a, e)) == ARCHIVE_OK) {
        const char *p = archive_entry_pathname(*e);
        if (p &&
            (strcmp(p, member) == 0 || (strncmp(p, "./", 2) == 0 && strcmp(p + 2, member) == 0)))
            return 0;
    }
    if (r != ARCHIVE_EOF)
        return og_error_set(err, OG_E_READ_FAILED, "Failed to read %s: %s.", tarball,
                            archive_error_string(a));
    return og_error_set(err, OG_E_NOT_EXIST, "The %s in %s does not exist.", member, tarball);
}

int appinstall_read_member(const char *tarball, const char *member, char *buf, size_t size,
                           struct og_error *err)
{
    _cleanup_(archive_read_freep) struct archive *a = NULL;
    struct archive_entry *e = NULL;
    la_ssize_t n;
    int r = seek_member(tarball, member, &a, &e, err);

    if (r < 0)
        return r;
    if (archive_entry_size(e) >= (la_int64_t)size)
        return og_error_set(err, OG_E_TOO_LARGE, "%s in %s is larger than %zu bytes", member,
                            tarball, size - 1);
    n = archive_read_data(a, buf, size - 1);
    if (n < 0)
        return og_error_set(err, OG_E_READ_FAILED, "Failed to read %s in %s: %s.", member, tarball,
                            archive_error_string(a));
    buf[n] = '\0';
    return 0;
}

int appinstall_kernel_package(const char *gphome, struct version_cfg *om, char *tarball,
                              size_t size, struct og_error *err)
{
    char cfg_path[PATH_MAX], kernel[NAME_MAX + 1], sum[PATH_MAX + 300];
    bool authentic;
    int r;

    snprintf(cfg_path, sizeof(cfg_path), "%s/version.cfg", gphome);
    r = version_cfg_read(cfg_path, om, err);
    if (r == 0)
        r = appinstall_find_kernel(gphome, om->version, kernel, sizeof(kernel), err);
    if (r < 0)
        return r;
    snprintf(tarball, size, "%s/%s", gphome, kernel);
    snprintf(sum, sizeof(sum), "%s/%.*s.sha256", gphome, (int)(strlen(kernel) - strlen(".tar.bz2")),
             kernel);
    r = pkgsum_verify(tarball, sum, err);
    if (r == 0) /* its .sig with the node's key: pkgsig.h */
        r = pkgsig_check(tarball, PKGSIG_KEY_PATH, &authentic, err);
    return r;
}

int appinstall_kernel_version(const char *gphome, struct version_cfg *ret, struct og_error *err)
{
    char tarball[PATH_MAX + 300], text[4096];
    struct version_cfg om;
    int r = appinstall_kernel_package(gphome, &om, tarball, sizeof(tarball), err);

    if (r == 0)
        r = appinstall_read_member(tarball, "version.cfg", text, sizeof(text), err);
    if (r == 0)
        r = version_cfg_parse(text, tarball, ret, err);
    return r;
}

int appinstall_kernel_build_time(const char *gphome, char *buf, size_t size, struct og_error *err)
{
    _cleanup_(archive_read_freep) struct archive *a = NULL;
    char tarball[PATH_MAX + 300];
    struct archive_entry *e = NULL;
    struct version_cfg v;
    struct tm tm;
    time_t t;
    int r = appinstall_kernel_package(gphome, &v, tarball, sizeof(tarball), err);

    if (r == 0)
        r = seek_member(tarball, "bin/gaussdb", &a, &e, err);
    if (r < 0)
        return r;
    t = archive_entry_mtime(e);
    if (!gmtime_r(&t, &tm) || strftime(buf, size, "%Y-%m-%d %H:%M:%S", &tm) == 0)
        return og_error_set(err, OG_E_CONTENT_INVALID, "bin/gaussdb's time in %s", tarball);
    return 0;
}

int appinstall_install(const char *gphome, const char *target, struct og_error *err)
{
    char tarball[PATH_MAX + 300], tmp[PATH_MAX + 32];
    char upv[PATH_MAX + 64], cfg_new[PATH_MAX + 64], parent[PATH_MAX + 16];
    _cleanup_free_ char *cfg_text = NULL;
    struct version_cfg v;
    size_t len = 0;
    int r = appinstall_kernel_package(gphome, &v, tarball, sizeof(tarball), err);

    if (r < 0)
        return r;
    snprintf(tmp, sizeof(tmp), "%s.install", target);
    r = fs_remove_tree(tmp, err);
    if (r == 0 && mkdir(tmp, 0750) < 0)
        r = og_error_set_errno(err, OG_E_CREATE_FAILED, errno, "Failed to create %s.", tmp);
    if (r == 0)
        r = tarball_extract(tarball, tmp, err);
    /* as openGauss's install: the version record of the app */
    snprintf(cfg_new, sizeof(cfg_new), "%s/version.cfg", tmp);
    snprintf(upv, sizeof(upv), "%s/bin/upgrade_version", tmp);
    if (r == 0)
        r = fs_read_file(cfg_new, 4096, &cfg_text, &len, err);
    if (r == 0)
        r = fs_replace_file(upv, cfg_text, len, 0644, err);
    if (r == 0 && rename(tmp, target) < 0) {
        if (errno != EEXIST && errno != ENOTEMPTY)
            r = og_error_set_errno(err, OG_E_CREATE_FAILED, errno, "Failed to create %s.", target);
        else if (renameat2(AT_FDCWD, tmp, AT_FDCWD, target, RENAME_EXCHANGE) < 0)
            r = og_error_set_errno(err, OG_E_CREATE_FAILED, errno, "Failed to replace %s.", target);
    }
    snprintf(parent, sizeof(parent), "%s", target);
    if (r == 0)
        r = fs_fsync_dir(dirname(parent), err);
    if (r < 0) {
        fs_remove_tree(tmp, NULL);
        return r;
    }
    return fs_remove_tree(tmp, err); /* the earlier copy, after an exchange */
}

/* ---- carrying ---------------------------------------------------------------- */

/* One carried pattern: a plain relative path, or a glob in its last part. */
static int carry_one(const char *from, const char *to, const char *rel, bool keep,
                     struct og_error *err)
{
    char sdir[PATH_MAX], s[PATH_MAX], t[PATH_MAX];
    const char *slash = strrchr(rel, '/'), *base = slash ? slash + 1 : rel;
    _cleanup_closedir_ DIR *d = NULL;
    struct dirent *de;
    int r = 0;

    if (!strchr(base, '*')) {
        snprintf(s, sizeof(s), "%s/%s", from, rel);
        snprintf(t, sizeof(t), "%s/%s", to, rel);
        return fs_copy_tree(s, t, keep, err);
    }
    snprintf(sdir, sizeof(sdir), "%s/%.*s", from, (int)(slash ? slash - rel : 0), rel);
    d = opendir(sdir);
    if (!d)
        return errno == ENOENT
                   ? 0
                   : og_error_set_errno(err, OG_E_READ_FAILED, errno, "Failed to read %s.", sdir);
    while (r == 0 && (de = readdir(d))) {
        if (de->d_name[0] == '.' || fnmatch(base, de->d_name, 0) != 0)
            continue;
        snprintf(s, sizeof(s), "%s/%s", sdir, de->d_name);
        snprintf(t, sizeof(t), "%s/%.*s/%s", to, (int)(slash ? slash - rel : 0), rel, de->d_name);
        r = fs_copy_tree(s, t, keep, err);
    }
    return r;
}

int appinstall_carry(const char *from, const char *to, bool keep, struct og_error *err)
{
    struct stat st;
    int r = 0;

    if (stat(from, &st) < 0 || !S_ISDIR(st.st_mode))
        return og_error_set(err, OG_E_NOT_EXIST, "The %s does not exist.", from);
    r = fs_mkdir_p(to, 0700, err);
    for (size_t i = 0; r == 0 && i < ELEMENTSOF(carried); i++)
        r = carry_one(from, to, carried[i], keep, err);
    return r;
}

int appinstall_restore(const char *from, const char *to, struct og_error *err)
{
    struct stat st;

    if (lstat(from, &st) < 0 && errno == ENOENT)
        return 0; /* the app was never changed from it */
    return appinstall_carry(from, to, false, err);
}
