/* SPDX-License-Identifier: MulanPSL-2.0 */
#include <criterion/criterion.h>
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <netinet/in.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fs.h"
#include "kfixture.h"
#include "package.h"

#include "../helpers/tmpdir.h"

/* root/tmp/.s.PGSQL.<port> must fit a unix socket path (108 bytes with its
 * NUL): root is made shorter than this or not at all */
#define KFIX_ROOT_MAX (108 - sizeof("/tmp/.s.PGSQL.65535"))

static uid_t omm_uid;
static gid_t omm_gid;

static int chown_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    lchown(path, omm_uid, omm_gid);
    return 0;
}

void kfix_setup(struct kfix *f, const char *const *versions)
{
    struct og_error err = {0};
    struct passwd *pw = getpwnam("omm");
    const char *name = program_invocation_short_name;
    int r;

    cr_assert_not_null(pw, "user omm is missing (ci/setup.sh creates it)");
    omm_uid = pw->pw_uid;
    omm_gid = pw->pw_gid;
    if (strncmp(name, "test_", 5) == 0)
        name += 5;
    r = tmpdir_make(name, f->root,
                    sizeof(f->root) < KFIX_ROOT_MAX ? sizeof(f->root) : KFIX_ROOT_MAX);
    cr_assert_eq(r, 0, "scratch directory under \"%s\": %s", tmpdir_base(), strerror(-r));
    chmod(f->root, 0755); /* omm's way in: $TMPDIR must be searchable by omm (/tmp is) */
    snprintf(f->pghost, sizeof(f->pghost), "%s/tmp", f->root);
    snprintf(f->log, sizeof(f->log), "%s/log", f->root);
    cr_assert_eq(fs_mkdir_p(f->pghost, 0700, &err), 0);
    cr_assert_eq(fs_mkdir_p(f->log, 0700, &err), 0);
    for (size_t i = 0; versions[i]; i++) {
        const struct sim_version *v = sim_version_find(versions[i]);
        char pkg[256], app[256];

        cr_assert_not_null(v);
        snprintf(pkg, sizeof(pkg), "%s/pkg-%s", f->root, v->version);
        snprintf(app, sizeof(app), "%s/app_%s", f->root, v->commit);
        cr_assert_eq(package_build(v->version, pkg, OGKERNEL_PATH, &err), 0, "%s", err.detail);
        cr_assert_eq(package_install_kernel(pkg, v->version, app, &err), 0, "%s", err.detail);
    }
    kfix_use(f, versions[0]);
    nftw(f->root, chown_entry, 32, FTW_PHYS);
}

void kfix_use(struct kfix *f, const char *version)
{
    const struct sim_version *v = sim_version_find(version);
    char link[256], target[64], tmp[280];

    cr_assert_not_null(v);
    snprintf(link, sizeof(link), "%s/app", f->root);
    snprintf(tmp, sizeof(tmp), "%s/app.tmp", f->root);
    snprintf(target, sizeof(target), "app_%s", v->commit);
    unlink(tmp);
    cr_assert_eq(symlink(target, tmp), 0);
    cr_assert_eq(rename(tmp, link), 0);
}

void kfix_teardown(struct kfix *f)
{
    _cleanup_(closedirp) DIR *d = NULL;
    struct dirent *de;

    if (!f->root[0])
        return;
    d = opendir(f->root);
    while (d && (de = readdir(d))) {
        char pid_path[512];
        if (strncmp(de->d_name, "dn", 2) != 0)
            continue;
        snprintf(pid_path, sizeof(pid_path), "%s/%s/postmaster.pid", f->root, de->d_name);
        if (access(pid_path, F_OK) == 0) {
            char dir[300];
            const char *args[] = {"stop", "-D", dir, "-m", "immediate", NULL};
            struct command_result res = {0};
            snprintf(dir, sizeof(dir), "%s/%s", f->root, de->d_name);
            kfix_runv(f, &res, "gs_ctl", args);
            command_result_done(&res);
        }
    }
    tmpdir_remove(f->root);
}

int kfix_runv(struct kfix *f, struct command_result *res, const char *tool, const char *const *args)
{
    _cleanup_command_ struct command *c = NULL;
    struct og_error err = {0};
    char bin[300], e1[200], e2[200];
    int r;

    snprintf(bin, sizeof(bin), "%s/app/bin/%s", f->root, tool);
    snprintf(e1, sizeof(e1), "PGHOST=%s", f->pghost);
    snprintf(e2, sizeof(e2), "GAUSSLOG=%s", f->log);
    if (geteuid() == 0)
        c = command_newl("runuser", "-u", "omm", "--", "env", e1, e2, bin, NULL);
    else
        c = command_newl("env", e1, e2, bin, NULL);
    cr_assert_not_null(c);
    for (size_t i = 0; args && args[i]; i++)
        command_add_arg(c, args[i]);
    command_set_timeout_ms(c, 180 * 1000);
    r = command_run(c, res, &err);
    cr_assert_eq(r, 0, "running %s: %s", tool, err.detail);
    return res->exit_status;
}

int kfix_run(struct kfix *f, struct command_result *res, const char *tool, ...)
{
    const char *args[64];
    size_t n = 0;
    va_list ap;

    va_start(ap, tool);
    for (const char *a = va_arg(ap, const char *); a && n < 63; a = va_arg(ap, const char *))
        args[n++] = a;
    va_end(ap);
    args[n] = NULL;
    return kfix_runv(f, res, tool, args);
}

int kfix_free_port(void)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = 0};
    socklen_t len = sizeof(a);
    int fd = socket(AF_INET, SOCK_STREAM, 0), port;

    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    cr_assert_geq(fd, 0);
    cr_assert_eq(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
    cr_assert_eq(getsockname(fd, (struct sockaddr *)&a, &len), 0);
    port = ntohs(a.sin_port);
    close(fd);
    return port;
}

void kfix_initdb(struct kfix *f, const char *name, int port, char *buf, size_t size)
{
    struct command_result res = {0};
    char portset[32];

    snprintf(buf, size, "%s/%s", f->root, name);
    /* one initial-user password for the fixture's instances, as gs_install sets
     * one for a cluster: the kernel's HA channel (build, switchover) needs it */
    cr_assert_eq(
        kfix_run(f, &res, "gs_initdb", "-D", buf, "--nodename", name, "-w", KFIX_PASSWORD, NULL), 0,
        "gs_initdb: %s %s", res.out, res.err);
    command_result_done(&res);
    snprintf(portset, sizeof(portset), "port=%d", port);
    cr_assert_eq(kfix_run(f, &res, "gs_guc", "set", "-D", buf, "-c", portset, "-c",
                          "listen_addresses='127.0.0.1'", NULL),
                 0, "gs_guc: %s", res.out);
    command_result_done(&res);
}

const char *kfix_sql(struct kfix *f, int port, const char *db, const char *sql)
{
    static char out[8192];
    struct command_result res = {0};
    char p[16];
    size_t n;

    snprintf(p, sizeof(p), "%d", port);
    cr_assert_eq(kfix_run(f, &res, "gsql", "-X", "-q", "-tA", "-p", p, "-d", db, "-c", sql, NULL),
                 0, "gsql %s: %s", sql, res.err);
    snprintf(out, sizeof(out), "%s", res.out);
    n = strlen(out);
    while (n > 0 && (out[n - 1] == '\n' || out[n - 1] == ' '))
        out[--n] = '\0';
    command_result_done(&res);
    return out;
}
