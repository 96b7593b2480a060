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

static char dir[64];

static void setup(void)
{
    snprintf(dir, sizeof(dir), "/tmp/ogup-log-XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
}

TestSuite(oglog, .init = setup, .fini = oglog_close);

static char *read_all(const char *p)
{
    char *data = NULL;
    struct og_error err = { 0 };

    cr_assert_eq(fs_read_file(p, 1 << 20, &data, NULL, &err), 0, "%s", err.detail);
    return data;
}

Test(oglog, file_under_gausslog_om_named_by_tool_and_time)
{
    struct og_error err = { 0 };
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
    struct og_error err = { 0 };

    unsetenv("GAUSSLOG");
    cr_assert_eq(oglog_open("gs_om", NULL, &err), 0);
    cr_assert_null(oglog_path());
    oglog_set_console_level(OGLOG_NONE);
    log_error("x", "nowhere to write: fine");
}

Test(oglog, unopenable_file_is_coded)
{
    struct og_error err = { 0 };

    cr_assert_eq(oglog_open("gs_om", "/no/such/dir/x.log", &err), -OG_E_LOG_OPEN);
    cr_assert_eq(err.code, OG_E_LOG_OPEN);
    setenv("GAUSSLOG", "/proc/ogup-not-creatable", 1);
    cr_assert_eq(oglog_open("gs_om", NULL, &err), -OG_E_LOG_OPEN);
}

Test(oglog, console_levels_and_file_levels)
{
    struct og_error err = { 0 };
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
    struct og_error err = { 0 };
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
        { "password=abcdefgh next", "password=****** next", 1 },
        { "Password: abcdefgh", "Password: ******", 1 },
        { "passwd=\"quoted secret\" x", "passwd=\"******\" x", 1 },
        { "-W 'with space!'", "-W '******'", 1 },
        { "pwd=ab;", "pwd=**;", 1 },
        { "token=t1 secret=s2", "token=** secret=**", 2 },
        { "gsql -W pw12345678", "gsql -W ******", 1 },
        { "gs_om --password abcdefghij", "gs_om --password ******", 1 },
        { "password= x", "password= x", 0 },
        { "nothing here", "nothing here", 0 },
        { "-----BEGIN RSA PRIVATE KEY-----\nAAAA", "", 1 },
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char buf[256];
        snprintf(buf, sizeof(buf), "%s", cases[i].in);
        cr_assert_eq(oglog_redact(buf), cases[i].count, "case %zu: %s", i, buf);
        cr_assert_str_eq(buf, cases[i].out, "case %zu", i);
    }
}
