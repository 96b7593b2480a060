/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * The operator's contract of the OM tools, row by row: each row of
 * tests/data/contract/<tool>.tsv (argv, exit, a line the output contains,
 * the openGauss-OM source it comes from) run against the built tool -- as
 * `nobody` when this test is root (gs_upgradectl refuses root before it reads
 * its options), with an empty environment but for the row's env= words.
 * Rows that begin with "root" run as root (skipped when the test is not);
 * {DIR} is a scratch directory (readable.xml, secret.xml that the tool's user
 * cannot read, a$b.xml), {OM} an OM package made there (a copy of the tool in
 * script/, openGauss 5.0.0's version.cfg beside it).
 */
#include <criterion/criterion.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "command.h"
#include "fs.h"
#include "banned.h"

#include "../helpers/tmpdir.h"

#define MAX_WORDS 48

static char dir[PATH_MAX];
static const char *const linked[] = {"gs_upgradectl", "gs_ssh", "gs_checkos", "gs_collector",
                                     "gs_preinstall"};

static void put(const char *name, const char *text, mode_t mode)
{
    char p[PATH_MAX];

    snprintf(p, sizeof(p), "%s/%s", dir, name);
    cr_assert_eq(fs_replace_file(p, text, strlen(text), mode, NULL), 0, "%s", p);
    cr_assert_eq(chmod(p, mode), 0, "%s", p);
}

static void setup(void)
{
    char p[PATH_MAX], tool[PATH_MAX + 64];
    struct command_result res = {0};
    _cleanup_command_ struct command *c = NULL;

    cr_assert_eq(tmpdir_make("contract", dir, sizeof(dir)), 0);
    cr_assert_eq(chmod(dir, 0755), 0);
    put("readable.xml", "<ROOT/>\n", 0644);
    put("secret.xml", "<ROOT/>\n", 0000);
    put("a$b.xml", "<ROOT/>\n", 0644);
    /* gs_preinstall: a cluster of this host (the checks after the XML's,
     * GP:335-347), one of another host (51620), env files that fail
     * profile_file.py:83-140 (50219) and :153-185 (51808) */
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
            "<PARAM name=\"dataNode1\" "
            "value=\"/nonexistent/data\"/></DEVICE></DEVICELIST></ROOT>\n";
        char host[256] = "", text[4096];
        cr_assert_eq(gethostname(host, sizeof(host) - 1), 0);
        snprintf(text, sizeof(text), xml, host, host, host);
        put("local.xml", text, 0644);
        snprintf(text, sizeof(text), xml, "ogup-not-this-host", "ogup-not-this-host",
                 "ogup-not-this-host");
        put("other.xml", text, 0644);
        put("junk.env", "export GPHOME=/x\necho hello\n", 0644);
        put("bad.env", "export 1A=x\n", 0644);
    }
    snprintf(p, sizeof(p), "%s/om/script", dir);
    cr_assert_eq(fs_mkdir_p(p, 0755, NULL), 0);
    put("om/version.cfg", "openGauss-5.0.0\n92.848\na07d57c3\n", 0644);
    /* gs_collector: -f files, -C files (gs_collector:233-330), and the
     * default configuration in the package, where openGauss has it */
    {
        static const char *const files[][2] = {
            {"hosts.txt", "n1\n"},
            {"empty.txt", " \n\n"},
            {"c_ok.json", "{\"Collect\": [{\"TypeName\": \"Log\", \"Content\": \"DataNode\"}]}"},
            {"c_bad.json", "{\"Collect\": [\n"},
            {"c_type.json", "{\"Collect\": [{\"TypeName\": \"Foo\", \"Content\": \"x\"}]}"},
            {"c_intnum.json",
             "{\"Collect\": [{\"TypeName\": \"Log\", \"Content\": \"DataNode\", \"Count\": 1}]}"},
            {"c_topkey.json", "{\"Collect\": [], \"Foo\": []}"},
            {"c_itemkey.json",
             "{\"Collect\": [{\"TypeName\": \"Log\", \"Content\": \"DataNode\", \"Bar\": \"1\"}]}"},
            {"c_interval.json", "{\"Collect\": [{\"TypeName\": \"Log\", \"Content\": \"DataNode\", "
                                "\"Interval\": \"x\"}]}"},
            {"c_order.json", "{\"Collect\": [{\"Interval\": \"x\", \"TypeName\": \"Foo\"}]}"},
            {"c_count.json", "{\"Collect\": [{\"TypeName\": \"Log\", \"Content\": \"DataNode\", "
                             "\"Count\": \"-1\"}]}"},
            {"c_notype.json", "{\"Collect\": [{\"Content\": \"DataNode\"}]}"},
            {"c_nocontent.json", "{\"Collect\": [{\"TypeName\": \"Log\", \"Content\": \"\"}]}"},
            {"c_content.json", "{\"Collect\": [{\"TypeName\": \"Log\", \"Content\": \"Foo\"}]}"},
            {"c_substr.json", "{\"Collect\": [{\"TypeName\": \"Log\", \"Content\": \"Data\"}]}"},
            {"c_ffdc.json", "{\"Collect\": [{\"TypeName\": \"Log\", \"Content\": \"FFDC\"}]}"},
            {"c_trace.json", "{\"Collect\": [{\"TypeName\": \"Trace\", \"Content\": \"Dump\"}]}"},
            {"c_comma.json",
             "{\"Collect\": [{\"TypeName\": \"Log\", \"Content\": \"DataNode,\"}]}"},
            {"c_dup.json", "{\"Collect\": [{\"TypeName\": \"Log\", \"TypeName\": \"Log\", "
                           "\"Content\": \"DataNode\"}]}"},
            {"c_dupinner.json",
             "{\"Collect\": [], \"Collect\": [{\"Content\": \"a\", \"Content\": \"b\"}]}"},
            {"c_dupfirst.json", "{\"Collect\": [{\"a\": 1, \"a\": 2}, tru"},
            {"c_nothing.json", "{\"Collect\": []}"},
        };
        _cleanup_free_ char *json = NULL;
        char cp[PATH_MAX];
        for (size_t i = 0; i < ELEMENTSOF(files); i++)
            put(files[i][0], files[i][1], 0644);
        snprintf(cp, sizeof(cp), "%s/om/script/gspylib/etc/conf", dir);
        cr_assert_eq(fs_mkdir_p(cp, 0755, NULL), 0);
        cr_assert_eq(fs_read_file(SOURCE_ROOT "/upgrader/conf/gs_collector.json", 1 << 20, &json,
                                  NULL, NULL),
                     0);
        put("om/script/gspylib/etc/conf/gs_collector.json", json, 0644);
        for (const char *d = "om/script/gspylib/etc/conf"; d;) {
            snprintf(cp, sizeof(cp), "%s/%s", dir, d); /* fs_mkdir_p's mode under umask */
            cr_assert_eq(chmod(cp, 0755), 0, "%s", cp);
            d = strcmp(d, "om/script/gspylib/etc/conf") == 0 ? "om/script/gspylib/etc"
                : strcmp(d, "om/script/gspylib/etc") == 0    ? "om/script/gspylib"
                                                             : NULL;
        }
    }
    /* a copy, not a link: the tool finds its package from /proc/self/exe;
     * the other tools link to it, as in the OM package */
    snprintf(tool, sizeof(tool), "%s/gs_om", p);
    c = command_newl("cp", OGOM_PATH, tool, NULL);
    cr_assert(c && command_run(c, &res, NULL) == 0 && res.exit_status == 0);
    command_result_done(&res);
    cr_assert_eq(chmod(tool, 0755), 0);
    for (size_t i = 0; i < ELEMENTSOF(linked); i++) {
        snprintf(tool, sizeof(tool), "%s/%s", p, linked[i]);
        cr_assert_eq(symlink("gs_om", tool), 0, "%s", tool);
    }
    snprintf(p, sizeof(p), "%s/om", dir);
    cr_assert_eq(chmod(p, 0755), 0);
}

static void teardown(void)
{
    tmpdir_remove(dir);
}

TestSuite(contract, .init = setup, .fini = teardown, .timeout = 300);

/* {DIR} and {OM} replaced */
static void expand(const char *in, char *out, size_t size)
{
    char om[PATH_MAX];
    size_t n = 0;

    snprintf(om, sizeof(om), "%s/om", dir);
    while (*in && n + 1 < size) {
        const char *with = NULL;
        size_t skip = 0;
        if (strncmp(in, "{DIR}", 5) == 0)
            with = dir, skip = 5;
        else if (strncmp(in, "{OM}", 4) == 0)
            with = om, skip = 4;
        if (with) {
            n += (size_t)snprintf(out + n, size - n, "%s", with);
            in += skip;
        } else {
            out[n++] = *in++;
        }
    }
    out[n < size ? n : size - 1] = '\0';
}

/* Each "{SP}" of an argv word into a space, in place (gs_collector's times,
 * "yyyymmdd hh:mm", are one argument with a space). */
static void unspace(char *w)
{
    char *o = w;

    for (const char *p = w; *p;) {
        if (strncmp(p, "{SP}", 4) == 0) {
            *o++ = ' ';
            p += 4;
        } else {
            *o++ = *p++;
        }
    }
    *o = '\0';
}

/* One row: true when it ran (false: skipped) */
static bool run_row(const char *tool, char *row, int line)
{
    char *f[4], *save = NULL, *w, words[4096], link[PATH_MAX], want_text[4096];
    const char *argv[MAX_WORDS + 8], *envv[MAX_WORDS];
    size_t na = 0, ne = 0, k = 0;
    bool as_root = false, own_exe = false;
    struct command_result res = {0};
    _cleanup_command_ struct command *c = NULL;
    int want;

    /* argv may be empty: split by hand on tabs */
    for (char *p = row; k < 4; k++) {
        f[k] = p;
        p = strchr(p, '\t');
        cr_assert(p || k == 3, "%s.tsv:%d: want 4 columns", tool, line);
        if (p)
            *p++ = '\0';
    }
    want = atoi(f[1]);
    expand(f[0], words, sizeof(words));
    expand(f[2], want_text, sizeof(want_text));
    f[2] = want_text;
    envv[ne++] = "env";
    envv[ne++] = "-i";
    envv[ne++] = "PATH=/usr/bin:/bin";
    for (w = strtok_r(words, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
        unspace(w); /* "{SP}": a space inside one argument */
        if (na == 0 && ne == 3 && strcmp(w, "root") == 0 && !as_root) {
            as_root = true;
            continue;
        }
        if (strncmp(w, "env=", 4) == 0) {
            envv[ne++] = w + 4;
            continue;
        }
        if (na == 0 && w[0] == '/' && strstr(w, "/script/")) {
            argv[na++] = w; /* the tool of a package */
            own_exe = true;
            continue;
        }
        if (na == 0)
            argv[na++] = NULL; /* the tool, filled in below */
        argv[na++] = w;
    }
    if (na == 0)
        argv[na++] = NULL;
    argv[na] = NULL;
    if (as_root && geteuid() != 0)
        return false;
    if (!own_exe) {
        snprintf(link, sizeof(link), "%s/%s", dir, tool);
        if (access(link, F_OK) != 0)
            cr_assert_eq(symlink(OGOM_PATH, link), 0, "%s", link);
        argv[0] = link;
    }
    {
        const char *full[MAX_WORDS * 2 + 16];
        size_t n = 0;
        if (geteuid() == 0 && !as_root) {
            full[n++] = "runuser";
            full[n++] = "-u";
            full[n++] = "nobody";
            full[n++] = "--";
        }
        for (size_t i = 0; i < ne; i++)
            full[n++] = envv[i];
        for (size_t i = 0; i < na; i++)
            full[n++] = argv[i];
        full[n] = NULL;
        c = command_new(full);
    }
    cr_assert_not_null(c);
    command_set_timeout_ms(c, 30000);
    cr_assert_eq(command_run(c, &res, NULL), 0);
    cr_expect_eq(res.exit_status, want, "%s.tsv:%d (%s): exit %d, want %d\n%s%s", tool, line, f[3],
                 res.exit_status, want, res.out, res.err);
    cr_expect(strstr(res.out, f[2]) || strstr(res.err, f[2]),
              "%s.tsv:%d (%s): \"%s\" not in the output:\n%s%s", tool, line, f[3], f[2], res.out,
              res.err);
    command_result_done(&res);
    return true;
}

static void run_table(const char *tool, size_t min_rows)
{
    char path[PATH_MAX];
    _cleanup_free_ char *text = NULL;
    char *save = NULL;
    size_t rows = 0, ran = 0;
    int line = 0;

    snprintf(path, sizeof(path), "%s/tests/data/contract/%s.tsv", SOURCE_ROOT, tool);
    cr_assert_eq(fs_read_file(path, 1 << 20, &text, NULL, NULL), 0, "%s", path);
    for (char *l = text, *nl; l && *l; l = nl) {
        nl = strchr(l, '\n');
        if (nl)
            *nl++ = '\0';
        line++;
        if (l[0] == '#' || l[0] == '\0')
            continue;
        rows++;
        ran += run_row(tool, l, line);
    }
    (void)save;
    cr_log_info("%s: %zu rows, %zu run", tool, rows, ran);
    cr_assert_geq(rows, min_rows, "%s.tsv has %zu rows", tool, rows);
    cr_assert_gt(ran, 0);
}

Test(contract, gs_upgradectl)
{
    run_table("gs_upgradectl", 50);
}

Test(contract, gs_ssh)
{
    run_table("gs_ssh", 10);
}

Test(contract, om_version)
{
    run_table("om_version", 10);
}

Test(contract, gs_om)
{
    run_table("gs_om", 30);
}

Test(contract, gs_checkos)
{
    run_table("gs_checkos", 20);
}

Test(contract, gs_collector)
{
    run_table("gs_collector", 20);
}

Test(contract, gs_preinstall)
{
    run_table("gs_preinstall", 15);
}
