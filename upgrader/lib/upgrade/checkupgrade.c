/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * checkupgrade.c - openGauss's per-node CheckUpgrade (openGauss-OM v5.0.0
 * script/local/CheckUpgrade.py) as pre-check items: each node's old app
 * holds no personal data (du of the app less lib/postgresql/pg_plugin at
 * most MAX_APP_SIZE, :123-145, GAUSS-50401), its backup directory
 * $PGHOST/binary_upgrade (or $PGHOST before it exists) has MAX_APP_SIZE free
 * (:241-267, GAUSS-50400), its
 * data directory exists and takes a new file (:269-284, GAUSS-50201/50205).
 * MAX_APP_SIZE is 2000 MB (script/impl/upgrade/UpgradeConst.py:206).
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "fs.h"
#include "journal.h"
#include "precheck.h"
#include "banned.h"

/* ---- node-local parts ----------------------------------------------------------------- */

/* du -ms: allocated blocks, every entry once (no links followed). nftw has no
 * context argument: the worker process is single-threaded. */
static unsigned long long du_bytes;

static int du_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)path;
    (void)flag;
    (void)ftw;
    du_bytes += (unsigned long long)st->st_blocks * 512;
    return 0;
}

static unsigned long long du_mb(const char *dir)
{
    du_bytes = 0;
    if (nftw(dir, du_entry, 32, FTW_PHYS) < 0)
        return 0;
    return du_bytes / (1024 * 1024);
}

int precheck_local_app_size(const char *app_path, struct og_error *err)
{
    char real[PATH_MAX], plugin[PATH_MAX + 32];
    unsigned long long app, plug;

    if (!realpath(app_path, real))
        return og_error_set_errno(err, OG_E_NOT_EXIST, errno, "The %s does not exist.", app_path);
    snprintf(plugin, sizeof(plugin), "%s/lib/postgresql/pg_plugin", real);
    app = du_mb(real);
    plug = du_mb(plugin);
    if (app > plug && app - plug > PRECHECK_MAX_APP_MB)
        return og_error_set(err, OG_E_DISK_USAGE,
                            "The usage of the device [%s] space cannot be greater than %dM.\n"
                            "There may be personal data in path %s, please move your data to "
                            "other directory (it holds %lluM besides pg_plugin).",
                            app_path, PRECHECK_MAX_APP_MB, app_path, app - plug);
    return 0;
}

int precheck_local_backup_space(const char *pghost, struct og_error *err)
{
    char dir[PATH_MAX + 32];
    struct statvfs s;
    unsigned long long avail_mb;

    /* openGauss creates binary_upgrade here; a pre-check changes nothing, so
     * the filesystem it would be made on is measured when it is not there
     * (an empty binary_upgrade would read as a journal) */
    snprintf(dir, sizeof(dir), "%s/%s", pghost, JOURNAL_DIR_NAME);
    if (statvfs(dir, &s) < 0 && statvfs(pghost, &s) < 0)
        return og_error_set_errno(err, OG_E_NOT_EXIST, errno, "The %s does not exist.", pghost);
    avail_mb = (unsigned long long)s.f_bavail * s.f_frsize / (1024 * 1024);
    if (avail_mb < PRECHECK_MAX_APP_MB)
        return og_error_set(err, OG_E_DISK_SPACE,
                            "The remaining space of device [BakDir] cannot be less than %dM: "
                            "%s has %lluM free.",
                            PRECHECK_MAX_APP_MB, dir, avail_mb);
    return 0;
}

int precheck_local_writable(const char *dir, struct og_error *err)
{
    char probe[PATH_MAX + 64];
    struct stat st;
    int fd;

    if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode))
        return og_error_set_errno(err, OG_E_NOT_EXIST, errno ? errno : ENOTDIR,
                                  "The %s does not exist.", dir);
    /* as FileUtil.checkDirWriteable: a new file must be creatable */
    snprintf(probe, sizeof(probe), "%s/.ogup_write_probe.%ld", dir, (long)getpid());
    fd = open(probe, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0)
        return og_error_set_errno(err, OG_E_WRITE_FAILED, errno, "Failed to write %s.", dir);
    close(fd);
    unlink(probe);
    return 0;
}
