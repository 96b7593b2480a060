/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * The built OM tools run as root (issue 15 rows 3 and 4): the tools that
 * refuse root do so before they open any file (-l, the default log in
 * $GAUSSLOG/om); `gs_upgradectl --local` refuses root; the root tools
 * (gs_preinstall, gs_checkos) never create a log through a symlinked
 * $GAUSSLOG/om into a root-only directory. Skipped when not root.
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "command.h"
#include "fs.h"

#include "../helpers/tmpdir.h"

static char dir[64];

static void setup(void)
{
    if (geteuid() != 0)
        cr_skip_test("root's behaviour");
    cr_assert_eq(tmpdir_make("rootsafety", dir, sizeof(dir)), 0);
}

static void teardown(void)
{
    tmpdir_remove(dir); /* "" when skipped */
}

TestSuite(rootsafety, .init = setup, .fini = teardown, .timeout = 60);

static char *sub(const char *name)
{
    char *p = NULL;

    cr_assert_geq(asprintf(&p, "%s/%s", dir, name), 0);
    return p;
}

static void mkdir_mode(const char *name, mode_t mode)
{
    _cleanup_free_ char *p = sub(name);

    cr_assert_eq(mkdir(p, mode), 0, "%s", p);
    cr_assert_eq(chmod(p, mode), 0);
}

/* Entries of dir/name; -1 when it does not exist. */
static int entries(const char *name)
{
    _cleanup_free_ char *p = sub(name);
    DIR *d = opendir(p);
    struct dirent *e;
    int n = 0;

    if (!d)
        return -1;
    while ((e = readdir(d)))
        n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
    closedir(d);
    return n;
}

/* The built ogom as tool (argv[0] names it), as root, GAUSSLOG=dir/gausslog. */
static void run(const char *tool, const char *gausslog, const char *const *args,
                struct command_result *res)
{
    _cleanup_free_ char *link = sub(tool), *gl = sub(gausslog);
    const char *argv[32] = {link};
    _cleanup_command_ struct command *c = NULL;
    size_t n = 1;

    if (access(link, F_OK) != 0)
        cr_assert_eq(symlink(OGOM_PATH, link), 0);
    for (; args[n - 1]; n++)
        argv[n] = args[n - 1];
    argv[n] = NULL;
    c = command_new(argv);
    cr_assert_not_null(c);
    command_setenv(c, "GAUSSLOG", gl);
    command_set_timeout_ms(c, 30000);
    cr_assert_eq(command_run(c, res, NULL), 0);
}

Test(rootsafety, upgradectl_l_as_root_refused_before_any_file)
{
    _cleanup_free_ char *l = sub("x.log");
    const char *args[] = {"-l", l, "-t", "chose-strategy", NULL};
    struct command_result res = {0};

    mkdir_mode("gl", 0755);
    run("gs_upgradectl", "gl", args, &res);
    cr_assert_eq(res.exit_status, 1);
    cr_assert_not_null(strstr(res.err, "[GAUSS-50105]"), "%s%s", res.out, res.err);
    cr_assert_eq(access(l, F_OK), -1, "-l was opened");
    cr_assert_eq(entries("gl"), 0, "the default log was opened");
    command_result_done(&res);
}

Test(rootsafety, upgradectl_local_refuses_root)
{
    _cleanup_free_ char *victim = sub("victim");
    const char *args[] = {"--local", "rm", victim, NULL};
    struct command_result res = {0};

    cr_assert_eq(fs_replace_file(victim, "x\n", 2, 0600, NULL), 0);
    mkdir_mode("gl", 0755);
    run("gs_upgradectl", "gl", args, &res);
    cr_assert_neq(res.exit_status, 0);
    cr_assert_not_null(strstr(res.err, "[GAUSS-50105]"), "%s%s", res.out, res.err);
    cr_assert_eq(access(victim, F_OK), 0, "the worker ran as root");
    cr_assert_eq(entries("gl"), 0);
    command_result_done(&res);
}

Test(rootsafety, tools_refusing_root_open_no_file_first)
{
    static const struct {
        const char *tool, *args[6];
    } runs[] = {
        {"gs_ssh", {"-c", "true", NULL}},
        {"gs_collector", {"--begin-time=20240101 00:00", NULL}},
        {"gs_om", {"-t", "status", NULL}},
        {"gs_upgradectl", {"-t", "chose-strategy", NULL}},
    };

    mkdir_mode("gl", 0755);
    for (size_t i = 0; i < sizeof(runs) / sizeof(runs[0]); i++) {
        struct command_result res = {0};
        run(runs[i].tool, "gl", runs[i].args, &res);
        cr_assert_neq(res.exit_status, 0, "%s", runs[i].tool);
        cr_assert_not_null(strstr(res.err, "[GAUSS-50105]"), "%s: %s%s", runs[i].tool, res.out,
                           res.err);
        cr_assert_eq(entries("gl"), 0, "%s opened its log before refusing root", runs[i].tool);
        command_result_done(&res);
    }
}

/* $GAUSSLOG/om a link into a root-only directory */
static void symlinked_om(void)
{
    _cleanup_free_ char *om = sub("gl/om");

    mkdir_mode("rootonly", 0700);
    mkdir_mode("gl", 0755);
    cr_assert_eq(symlink("../rootonly", om), 0);
}

/* gs_preinstall's checks pass (nobody, this host in the XML) up to the log */
static void local_xml(void)
{
    static const char xml[] =
        "<ROOT><CLUSTER><PARAM name=\"clusterName\" value=\"c\"/>"
        "<PARAM name=\"nodeNames\" value=\"%s\"/>"
        "<PARAM name=\"gaussdbAppPath\" value=\"/nonexistent/app\"/>"
        "<PARAM name=\"gaussdbLogPath\" value=\"/nonexistent/log\"/>"
        "<PARAM name=\"tmpMppdbPath\" value=\"/nonexistent/tmp\"/>"
        "<PARAM name=\"gaussdbToolPath\" value=\"/nonexistent/om\"/>"
        "<PARAM name=\"corePath\" value=\"/nonexistent/core\"/>"
        "<PARAM name=\"backIp1s\" value=\"10.0.0.1\"/></CLUSTER>"
        "<DEVICELIST><DEVICE sn=\"%s\"><PARAM name=\"name\" value=\"%s\"/>"
        "<PARAM name=\"azName\" value=\"AZ1\"/><PARAM name=\"azPriority\" value=\"1\"/>"
        "<PARAM name=\"backIp1\" value=\"10.0.0.1\"/><PARAM name=\"dataNum\" value=\"1\"/>"
        "<PARAM name=\"dataPortBase\" value=\"5432\"/>"
        "<PARAM name=\"dataNode1\" value=\"/nonexistent/data\"/></DEVICE></DEVICELIST></ROOT>\n";
    _cleanup_free_ char *p = sub("local.xml");
    char host[256] = "", text[sizeof(xml) + 1024];

    cr_assert_eq(gethostname(host, sizeof(host) - 1), 0);
    snprintf(text, sizeof(text), xml, host, host, host);
    cr_assert_eq(fs_replace_file(p, text, strlen(text), 0644, NULL), 0);
}

Test(rootsafety, preinstall_never_logs_through_a_symlinked_om)
{
    _cleanup_free_ char *xml = sub("local.xml");
    const char *args[] = {"-U", "nobody", "-G", "nogroup", "-X", xml, NULL};
    const char *none[] = {NULL};
    struct command_result res = {0};

    symlinked_om();
    local_xml();
    run("gs_preinstall", "gl", none, &res);
    cr_assert_eq(res.exit_status, 1, "%s%s", res.out, res.err);
    cr_assert_eq(entries("rootonly"), 0, "a log was made through the link");
    command_result_done(&res);
    run("gs_preinstall", "gl", args, &res);
    /* it goes on to the package (none here), console only */
    cr_assert_eq(res.exit_status, 1, "%s%s", res.out, res.err);
    cr_assert_not_null(strstr(res.out, "Parsing the configuration file."), "%s%s", res.out,
                       res.err);
    cr_assert_not_null(strstr(res.err, "[OGUP-60041]"), "%s%s", res.out, res.err);
    cr_assert_eq(entries("rootonly"), 0, "a log was made through the link");
    command_result_done(&res);
}

Test(rootsafety, preinstall_gives_the_log_it_made)
{
    _cleanup_free_ char *xml = sub("local.xml"), *om = sub("gl/om");
    const char *args[] = {"-U", "nobody", "-G", "nogroup", "-X", xml, NULL};
    struct command_result res = {0};
    struct stat st;

    mkdir_mode("gl", 0755);
    local_xml();
    run("gs_preinstall", "gl", args, &res);
    cr_assert_eq(entries("gl/om"), 1, "%s%s", res.out, res.err);
    cr_assert_eq(stat(om, &st), 0);
    cr_assert_eq(st.st_uid, 65534, "om/ is the cluster user's");
    command_result_done(&res);
}

Test(rootsafety, checkos_never_logs_through_a_symlinked_om)
{
    const char *args[] = {"--bogus", NULL};
    struct command_result res = {0};

    symlinked_om();
    run("gs_checkos", "gl", args, &res);
    cr_assert_eq(res.exit_status, 1, "%s%s", res.out, res.err);
    cr_assert_eq(entries("rootonly"), 0, "a log was made through the link");
    cr_assert_not_null(strstr(res.err, "[OGUP-60041]"), "%s%s", res.out, res.err);
    command_result_done(&res);
    /* in root's own directories it logs */
    mkdir_mode("g2", 0755);
    run("gs_checkos", "g2", args, &res);
    cr_assert_eq(entries("g2/om"), 1, "%s%s", res.out, res.err);
    command_result_done(&res);
}
