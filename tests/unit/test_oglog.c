/* SPDX-License-Identifier: MulanPSL-2.0 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fs.h"
#include "oglog.h"

#include "../helpers/tmpdir.h"

static char dir[64];

static void setup(void)
{
    cr_assert_eq(tmpdir_make("oglog", dir, sizeof(dir)), 0);
}

static void teardown(void)
{
    oglog_close();
    tmpdir_remove(dir);
}

TestSuite(oglog, .init = setup, .fini = teardown);

static char *read_all(const char *p)
{
    char *data = NULL;
    struct og_error err = {0};

    cr_assert_eq(fs_read_file(p, 1 << 20, &data, NULL, &err), 0, "%s", err.detail);
    return data;
}

Test(oglog, file_under_gausslog_om_named_by_tool_and_time)
{
    struct og_error err = {0};
    _cleanup_free_ char *content = NULL;
    const char *p;
    struct stat st;
    char prefix[128];
    int y, mo, d, h;

    setenv("GAUSSLOG", dir, 1);
    cr_assert_eq(oglog_open("gs_upgradectl", NULL, &err), 0, "%s", err.detail);
    p = oglog_path();
    cr_assert_not_null(p);
    snprintf(prefix, sizeof(prefix), "%s/om/gs_upgradectl-", dir);
    cr_assert_eq(strncmp(p, prefix, strlen(prefix)), 0, "%s", p);
    cr_assert_eq(sscanf(p + strlen(prefix), "%4d-%2d-%2d_%6d.log", &y, &mo, &d, &h), 4, "%s", p);
    cr_assert_eq(strlen(p + strlen(prefix)), strlen("YYYY-MM-DD_hhmmss.log"));
    cr_assert_eq(stat(p, &st), 0);
    cr_assert_eq(st.st_mode & 0777, 0600);

    oglog_set_console_level(OGLOG_NONE);
    log_info("upgrade", "Static configuration matched with old static configuration files.");
    log_debug("ssh", "connected to \"%s\"", "node2");
    content = read_all(p);
    cr_assert_not_null(strstr(content, "][gs_upgradectl][LOG][upgrade]:Static configuration"));
    cr_assert_not_null(strstr(content, "][gs_upgradectl][DEBUG][ssh]:connected to \"node2\""));
    cr_assert_eq(content[0], '[');
}

Test(oglog, no_gausslog_means_console_only)
{
    struct og_error err = {0};

    unsetenv("GAUSSLOG");
    cr_assert_eq(oglog_open("gs_om", NULL, &err), 0);
    cr_assert_null(oglog_path());
    oglog_set_console_level(OGLOG_NONE);
    log_error("x", "nowhere to write: fine");
}

Test(oglog, unopenable_file_is_coded)
{
    struct og_error err = {0};

    cr_assert_eq(oglog_open("gs_om", "/no/such/dir/x.log", &err), -OG_E_LOG_OPEN);
    cr_assert_eq(err.code, OG_E_LOG_OPEN);
    setenv("GAUSSLOG", "/proc/ogup-not-creatable", 1);
    cr_assert_eq(oglog_open("gs_om", NULL, &err), -OG_E_LOG_OPEN);
}

Test(oglog, console_levels_and_file_levels)
{
    struct og_error err = {0};
    _cleanup_free_ char *content = NULL;
    char file[128], *con = NULL;
    size_t conlen = 0;
    FILE *mem = open_memstream(&con, &conlen);

    snprintf(file, sizeof(file), "%s/explicit.log", dir);
    cr_assert_eq(oglog_open("gs_ssh", file, &err), 0);
    cr_assert_str_eq(oglog_path(), file);
    oglog_set_console(mem);
    oglog_set_console_level(OGLOG_INFO);
    oglog_set_file_level(OGLOG_WARNING);
    log_debug("c", "debug-line");
    log_info("c", "info-line");
    log_warn("c", "warn-line");
    log_error("c", "[GAUSS-52901] : error-line");
    oglog_set_console_level(OGLOG_DEBUG);
    log_debug("cat", "debug-now");
    fflush(mem);
    cr_assert_str_eq(con, "info-line\nWARNING: warn-line\n[GAUSS-52901] : error-line\n"
                          "DEBUG: [cat] debug-now\n");
    oglog_set_console(NULL);
    fclose(mem);
    free(con);
    content = read_all(file);
    cr_assert_null(strstr(content, "info-line"));
    cr_assert_not_null(strstr(content, "[WARNING][c]:warn-line"));
    cr_assert_not_null(strstr(content, "[ERROR][c]:[GAUSS-52901] : error-line"));
    oglog_set_file_level(OGLOG_DEBUG);
    oglog_set_console_level(OGLOG_INFO);
}

Test(oglog, secrets_never_reach_the_log)
{
    struct og_error err = {0};
    _cleanup_free_ char *content = NULL;
    char file[128];

    snprintf(file, sizeof(file), "%s/secret.log", dir);
    cr_assert_eq(oglog_open("gsql", file, &err), 0);
    oglog_set_console_level(OGLOG_NONE);
    log_info("sql", "connect host=node1 password=Gauss@123 user=omm");
    log_info("sql", "run gsql -d postgres -W 'S3cr3t!pw' -c 'select 1'");
    log_info("env", "PGPASSWORD=hunter22 gsql");
    log_info("key", "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n"
                    "-----END OPENSSH PRIVATE KEY-----\n trailing");
    content = read_all(file);
    cr_assert_null(strstr(content, "Gauss@123"));
    cr_assert_null(strstr(content, "S3cr3t!pw"));
    cr_assert_null(strstr(content, "hunter22"));
    cr_assert_null(strstr(content, "b3BlbnNzaC1rZXktdjEAAAAA"));
    cr_assert_not_null(strstr(content, "user=omm"), "non-secrets stay");
    cr_assert_not_null(strstr(content, "[private key redacted]"));
    cr_assert_not_null(strstr(content, "select 1"));
}

Test(oglog, redact_cases)
{
    struct {
        const char *in, *out;
        int count;
    } cases[] = {
        {"password=abcdefgh next", "password=****** next", 1},
        {"Password: abcdefgh", "Password: ******", 1},
        {"passwd=\"quoted secret\" x", "passwd=\"******\" x", 1},
        {"-W 'with space!'", "-W '******'", 1},
        {"pwd=ab;", "pwd=**;", 1},
        {"token=t1 secret=s2", "token=** secret=**", 2},
        {"gsql -W pw12345678", "gsql -W ******", 1},
        {"gs_om --password abcdefghij", "gs_om --password ******", 1},
        {"password= x", "password= x", 0},
        {"nothing here", "nothing here", 0},
        {"-----BEGIN RSA PRIVATE KEY-----\nAAAA", "", 1},
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char buf[256];
        snprintf(buf, sizeof(buf), "%s", cases[i].in);
        cr_assert_eq(oglog_redact(buf), cases[i].count, "case %zu: %s", i, buf);
        cr_assert_str_eq(buf, cases[i].out, "case %zu", i);
    }
}

/* ---- root's log: O_NOFOLLOW on every component, directories checked ----
 * (issue 15 row 3). Root only: the walk is root's; a user opens its own. */

#define NOBODY 65534

static void need_root(void)
{
    if (geteuid() != 0)
        cr_skip_test("the checks are root's");
    oglog_trust_user((uid_t)-1);
}

static char *sub(const char *name)
{
    char *p = NULL;

    cr_assert_geq(asprintf(&p, "%s/%s", dir, name), 0);
    return p;
}

static void mkdir_mode(const char *name, mode_t mode)
{
    _cleanup_free_ char *p = sub(name);

    cr_assert_eq(mkdir(p, 0700), 0, "%s", p);
    cr_assert_eq(chmod(p, mode), 0);
}

static size_t entries(const char *name)
{
    _cleanup_free_ char *p = sub(name);
    DIR *d = opendir(p);
    struct dirent *e;
    size_t n = 0;

    cr_assert_not_null(d, "%s", p);
    while ((e = readdir(d)))
        n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
    closedir(d);
    return n;
}

Test(oglog, root_never_follows_a_symlinked_om_into_a_root_only_dir)
{
    struct og_error err = {0};
    _cleanup_free_ char *gl = sub("gl"), *om = sub("gl/om");

    need_root();
    mkdir_mode("rootonly", 0700);
    mkdir_mode("gl", 0755);
    cr_assert_eq(symlink("../rootonly", om), 0);
    setenv("GAUSSLOG", gl, 1);
    cr_assert_eq(oglog_open("gs_preinstall", NULL, &err), -OG_E_LOG_UNSAFE, "%s", err.detail);
    cr_assert_null(oglog_path());
    cr_assert_eq(entries("rootonly"), 0, "a file was created through the link");
    cr_assert_eq(oglog_give(NOBODY, NOBODY, &err), 0, "nothing to give");
}

Test(oglog, root_refuses_a_symlink_anywhere_on_the_path)
{
    struct og_error err = {0};
    _cleanup_free_ char *link = sub("link"), *gl = sub("link/gl"), *l = sub("link/x.log");

    need_root();
    mkdir_mode("real", 0755);
    mkdir_mode("real/gl", 0755);
    cr_assert_eq(symlink("real", link), 0);
    setenv("GAUSSLOG", gl, 1);
    cr_assert_eq(oglog_open("gs_checkos", NULL, &err), -OG_E_LOG_UNSAFE, "%s", err.detail);
    cr_assert_eq(oglog_open("gs_checkos", l, &err), -OG_E_LOG_UNSAFE, "%s", err.detail);
    cr_assert_eq(entries("real/gl"), 0);
    cr_assert_eq(entries("real"), 1);
    /* the final component too (as before) */
    {
        _cleanup_free_ char *target = sub("real/target"), *fl = sub("real/f.log");
        cr_assert_eq(symlink(target, fl), 0);
        cr_assert_eq(oglog_open("gs_checkos", fl, &err), -OG_E_LOG_UNSAFE, "%s", err.detail);
        cr_assert_eq(access(target, F_OK), -1);
    }
}

Test(oglog, root_logs_only_in_dirs_of_root_or_the_cluster_user)
{
    struct og_error err = {0};
    _cleanup_free_ char *u = sub("u"), *l = sub("u/x.log"), *w = sub("w/x.log"),
                        *s = sub("s/x.log");

    need_root();
    mkdir_mode("u", 0755);
    cr_assert_eq(chown(u, NOBODY, NOBODY), 0);
    cr_assert_eq(oglog_open("gs_preinstall", l, &err), -OG_E_LOG_UNSAFE, "%s", err.detail);
    cr_assert_eq(access(l, F_OK), -1);
    oglog_trust_user(NOBODY); /* the cluster user's directory */
    cr_assert_eq(oglog_open("gs_preinstall", l, &err), 0, "%s", err.detail);
    oglog_close();
    oglog_trust_user((uid_t)-1);
    mkdir_mode("w", 0777); /* anyone may swap its entries */
    cr_assert_eq(oglog_open("gs_preinstall", w, &err), -OG_E_LOG_UNSAFE, "%s", err.detail);
    cr_assert_eq(access(w, F_OK), -1);
    mkdir_mode("s", 01777); /* sticky, as /tmp */
    cr_assert_eq(oglog_open("gs_preinstall", s, &err), 0, "%s", err.detail);
}

Test(oglog, root_appends_only_to_a_lone_regular_file)
{
    struct og_error err = {0};
    _cleanup_free_ char *target = sub("target"), *hard = sub("hard.log"), *fifo = sub("fifo.log"),
                        *theirs = sub("theirs.log");
    struct stat st;

    need_root();
    cr_assert_eq(fs_replace_file(target, "keep\n", 5, 0600, &err), 0);
    cr_assert_eq(link(target, hard), 0);
    cr_assert_eq(oglog_open("gs_checkos", hard, &err), -OG_E_LOG_UNSAFE, "%s", err.detail);
    cr_assert_eq(stat(target, &st), 0);
    cr_assert_eq(st.st_size, 5, "the hard link's target was written");
    cr_assert_eq(mkfifo(fifo, 0600), 0);
    cr_assert_lt(oglog_open("gs_checkos", fifo, &err), 0);
    cr_assert_eq(fs_replace_file(theirs, "x\n", 2, 0644, &err), 0);
    cr_assert_eq(chown(theirs, NOBODY, NOBODY), 0);
    cr_assert_eq(oglog_open("gs_checkos", theirs, &err), -OG_E_LOG_UNSAFE, "%s", err.detail);
}

Test(oglog, root_gives_only_what_it_made_by_descriptor)
{
    struct og_error err = {0};
    _cleanup_free_ char *gl = sub("g"), *om = sub("g/om"), *pre = sub("pre.log");
    struct stat st;

    need_root();
    mkdir_mode("g", 0755);
    setenv("GAUSSLOG", gl, 1);
    cr_assert_eq(oglog_open("gs_preinstall", NULL, &err), 0, "%s", err.detail);
    cr_assert_eq(oglog_give(NOBODY, NOBODY, &err), 0, "%s", err.detail);
    cr_assert_eq(stat(oglog_path(), &st), 0);
    cr_assert_eq(st.st_uid, NOBODY);
    cr_assert_eq(stat(om, &st), 0);
    cr_assert_eq(st.st_uid, NOBODY);
    cr_assert_eq(stat(gl, &st), 0);
    cr_assert_eq(st.st_uid, 0, "only the directory it made");
    /* a file that was there before is not this run's to give */
    cr_assert_eq(fs_replace_file(pre, "x\n", 2, 0600, &err), 0);
    cr_assert_eq(oglog_open("gs_preinstall", pre, &err), 0, "%s", err.detail);
    cr_assert_eq(oglog_give(NOBODY, NOBODY, &err), 0, "%s", err.detail);
    cr_assert_eq(stat(pre, &st), 0);
    cr_assert_eq(st.st_uid, 0);
}
