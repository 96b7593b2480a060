/* SPDX-License-Identifier: MulanPSL-2.0 */
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "kenv.h"
#include "banned.h"

int kenv_load(struct kenv *k, struct og_error *err)
{
    char exe[PATH_MAX], cfg[PATH_MAX + 32];
    ssize_t n;
    int r;

    memset(k, 0, sizeof(*k));
    n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    if (n < 0)
        return og_error_set_errno(err, OG_E_NOT_EXIST, errno, "cannot find the kernel binary");
    exe[n] = '\0';
    /* exe = <app>/bin/<name> */
    snprintf(k->bindir, sizeof(k->bindir), "%s", dirname(exe));
    snprintf(exe, sizeof(exe), "%s", k->bindir);
    snprintf(k->app, sizeof(k->app), "%s", dirname(exe));

    snprintf(cfg, sizeof(cfg), "%s/version.cfg", k->app);
    if (access(cfg, F_OK) < 0)
        snprintf(cfg, sizeof(cfg), "%s/upgrade_version", k->bindir);
    r = version_cfg_read(cfg, &k->ver, err);
    if (r < 0)
        return r;
    k->sim = sim_version_find(k->ver.version);
    k->build_time = k->sim ? k->sim->build_time : "2020-01-01 00:00:00";
    return 0;
}

void kenv_version_line(const struct kenv *k, const char *tool, char *buf, size_t size)
{
    bool legacy = k->sim && k->sim->ctl_pg_version &&
                  (strcmp(tool, "gs_ctl") == 0 || strcmp(tool, "gs_guc") == 0 ||
                   strcmp(tool, "gs_initdb") == 0);

    if (legacy)
        /* 1.1.0 .. 5.x: these tools printed PostgreSQL's version (fixed in 6.0.0). */
        snprintf(buf, size, "%s (openGauss) 9.2.4", tool);
    else
        snprintf(buf, size, "%s (openGauss %s build %s) compiled at %s commit 0 last mr  ", tool,
                 k->ver.version, k->ver.commit, k->build_time);
}

const char *kenv_pg_program(const char *name, char *buf, size_t size)
{
    snprintf(buf, size, "%s/%s", KENV_PG_BINDIR, name);
    return buf;
}

const char *kenv_server_program(const struct kenv *k, char *buf, size_t size)
{
    snprintf(buf, size, "%s/lib/postgresql/gaussdb", k->app);
    if (access(buf, X_OK) == 0)
        return buf;
    return kenv_pg_program("postgres", buf, size);
}

void kenv_log_prefix(const char *tool, char *buf, size_t size)
{
    char ts[32];
    long usec;

    og_wall_stamp(ts, sizeof(ts), &usec);
    snprintf(buf, size, "[%s.%03ld][%ld][][%s]: ", ts, usec / 1000, (long)getpid(), tool);
}
