/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * gs_checkos and gs_collector on a real 3-node LXC cluster, run on a node as
 * the guide runs them (as omm after the env file; gs_checkos also as root):
 * openGauss's output layout, the summary agreeing with the item lines, items
 * broken on purpose going Abnormal/Warning on the node that broke them, the
 * collected tarball's layout and window, the bound on what a node may send,
 * and the coded refusals.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "command.h"
#include "simcluster.h"

static char name[32];
static struct command_result res;
static struct sim_cluster c;

static void setup(void)
{
    snprintf(name, sizeof(name), "om%d", (int)(getpid() % 10000));
    sim_down(name, NULL, NULL); /* a crashed earlier run is harmless */
}

static void teardown(void)
{
    command_result_done(&res);
    sim_down(name, NULL, NULL); /* also after a failed assertion */
}

TestSuite(omtools, .init = setup, .fini = teardown, .timeout = 900);

static void up(void)
{
    struct sim_up_opts o = {.name = name,
                            .nodes = 3,
                            .version = "2.0.0",
                            .databases = 1,
                            .data_mib = 256,
                            .quiet = true};
    struct og_error err = {0};

    cr_assert_eq(sim_up(&o, &c, &err), 0, "%s", err.detail);
    cr_assert_eq(c.n_nodes, 3);
}

/* script in bash on node as user; login shell for omm (its env file). */
static int sh(const char *node, const char *user, const char *script)
{
    struct og_error err = {0};
    bool root = strcmp(user, "root") == 0;
    const char *argv[] = {"bash", root ? "-c" : "-lc", script, NULL};

    command_result_done(&res);
    cr_assert_eq(sim_exec(&c, node, user, argv, 300000, &res, &err), 0, "%s", err.detail);
    return res.exit_status;
}

/* ---- gs_checkos ------------------------------------------------------- */

struct checkos_out {
    char header[32];
    int n;
    int ids[16];
    char status[16][16];
    int total, abnormal, warning;
    bool result_abnormal;
};

/* Parse gs_checkos output; every item line must have openGauss's layout:
 * 4 spaces, "A<n>." padded to 4, the title, all padded to 60, ": ", state. */
static void parse_checkos(const char *out, struct checkos_out *o)
{
    const char *p = out;

    memset(o, 0, sizeof(*o));
    o->total = -1;
    while (*p) {
        char line[4096];
        size_t len = strcspn(p, "\n");
        snprintf(line, sizeof(line), "%.*s", (int)len, p);
        p += len + (p[len] ? 1 : 0);
        if (!o->header[0]) {
            snprintf(o->header, sizeof(o->header), "%s", line);
            continue;
        }
        if (strncmp(line, "    A", 5) == 0 && len >= 66 && line[64] == ':') {
            int id = atoi(line + 5);
            char st[16] = "";
            cr_assert_lt(o->n, 16);
            cr_assert(id >= 1 && id <= 14, "item line: %s", line);
            cr_assert_eq(line[65], ' ', "%s", line);
            sscanf(line + 66, "%15s", st);
            cr_assert(strcmp(st, "Normal") == 0 || strcmp(st, "Warning") == 0 ||
                          strcmp(st, "Abnormal") == 0,
                      "state of: %s", line);
            /* "A1. [" / "A11.[" */
            cr_assert_eq(line[id < 10 ? 7 : 8], id < 10 ? ' ' : '[', "label of: %s", line);
            o->ids[o->n] = id;
            snprintf(o->status[o->n++], sizeof(o->status[0]), "%s", st);
        } else if (sscanf(line, "Total numbers:%d. Abnormal numbers:%d. Warning numbers:%d.",
                          &o->total, &o->abnormal, &o->warning) == 3) {
            continue;
        } else if (strcmp(line, "Do checking operation finished. Result: Abnormal.") == 0) {
            o->result_abnormal = true;
        }
    }
}

/* The summary agrees with the lines. */
static void check_summary(const struct checkos_out *o, const char *out)
{
    int ab = 0, wa = 0;

    for (int i = 0; i < o->n; i++) {
        ab += strcmp(o->status[i], "Abnormal") == 0;
        wa += strcmp(o->status[i], "Warning") == 0;
    }
    cr_assert_eq(o->total, o->n, "%s", out);
    cr_assert_eq(o->abnormal, ab, "%s", out);
    cr_assert_eq(o->warning, wa, "%s", out);
    cr_assert_eq(o->result_abnormal, ab > 0, "%s", out);
}

static const char *status_of(const struct checkos_out *o, int id)
{
    for (int i = 0; i < o->n; i++)
        if (o->ids[i] == id)
            return o->status[i];
    return "(missing)";
}

Test(omtools, checkos)
{
    struct checkos_out o;
    static const int omm_items[] = {1, 2, 3, 4, 5, 8, 12, 13};
    static const int root_items[] = {1, 2, 3, 4, 5, 6, 7, 8, 11, 12, 13, 14};

    up();

    /* The guide's command, verbatim, as omm: openGauss's non-root items,
     * checked on all three nodes. */
    cr_assert_eq(sh("node1", "omm", "gs_checkos -i A"), 0, "%s%s", res.out, res.err);
    parse_checkos(res.out, &o);
    cr_assert_str_eq(o.header, "Checking items:", "%s", res.out);
    cr_assert_eq(o.n, (int)ELEMENTSOF(omm_items), "%s", res.out);
    for (size_t i = 0; i < ELEMENTSOF(omm_items); i++)
        cr_assert_eq(o.ids[i], omm_items[i], "%s", res.out);
    check_summary(&o, res.out);
    cr_assert_not_null(strstr(res.out, "    A1. [ OS version status ]                        "
                                       "           : Normal\n"),
                       "%s", res.out);
    /* identical nodes: the cross-node items agree */
    for (int id = 1; id <= 4; id++)
        cr_assert_str_eq(status_of(&o, id), "Normal", "A%d: %s", id, res.out);

    /* --detail: every node reported; a list gets "Checking items" */
    cr_assert_eq(sh("node2", "omm", "gs_checkos -i A1,A4,A11 --detail"), 0, "%s", res.err);
    parse_checkos(res.out, &o);
    cr_assert_str_eq(o.header, "Checking items", "%s", res.out);
    cr_assert_eq(o.n, 3, "%s", res.out);
    check_summary(&o, res.out);
    for (int k = 1; k <= 3; k++) {
        char want[64];
        snprintf(want, sizeof(want), "        [node%d]\n        debian_12_64bit\n", k);
        cr_assert_not_null(strstr(res.out, want), "%s", res.out);
    }
    cr_assert_not_null(strstr(res.out, "The informations about all timezones are same. The "
                                       "value is \"+"),
                       "%s", res.out);

    /* Break A4 on node2 (its env file sets another time zone): Abnormal,
     * node2 named; healed, Normal again. */
    cr_assert_eq(sh("node2", "omm", "echo 'export TZ=JST-9' >> ~/.bashrc"), 0);
    cr_assert_eq(sh("node1", "omm", "gs_checkos -i A4 --detail"), 0, "%s", res.err);
    parse_checkos(res.out, &o);
    cr_assert_str_eq(status_of(&o, 4), "Abnormal", "%s", res.out);
    cr_assert_not_null(strstr(res.out, "        [node2]\n        +0900\n"), "%s", res.out);
    cr_assert_not_null(strstr(res.out, "Total numbers:1. Abnormal numbers:1. Warning numbers:0.\n"
                                       "Do checking operation finished. Result: Abnormal.\n"),
                       "%s", res.out);
    cr_assert_eq(sh("node2", "omm", "sed -i '/^export TZ=JST-9$/d' ~/.bashrc"), 0);
    cr_assert_eq(sh("node1", "omm", "gs_checkos -i A4"), 0, "%s", res.err);
    parse_checkos(res.out, &o);
    cr_assert_str_eq(status_of(&o, 4), "Normal", "%s", res.out);

    /* Break A8 on node3: its data filesystem over 80 % used. */
    cr_assert_eq(sh("node1", "omm", "gs_checkos -i A8"), 0, "%s", res.err);
    parse_checkos(res.out, &o);
    cr_assert_str_eq(status_of(&o, 8), "Normal", "before: %s", res.out);
    {
        char fill[512];
        snprintf(fill, sizeof(fill),
                 "d=%s; a=$(( $(stat -f -c %%a $d) * $(stat -f -c %%S $d) )); "
                 "fallocate -l $(( a - 8 * 1048576 )) $d/ogup_ballast",
                 c.data_mount);
        cr_assert_eq(sh("node3", "omm", fill), 0, "%s", res.err);
    }
    cr_assert_eq(sh("node1", "omm", "gs_checkos -i A8 --detail"), 0, "%s", res.err);
    parse_checkos(res.out, &o);
    cr_assert_str_eq(status_of(&o, 8), "Warning", "%s", res.out);
    cr_assert_not_null(strstr(res.out, "        [node3]\n        Warning reason: The usage of the "
                                       "device"),
                       "%s", res.out);
    cr_assert_null(strstr(res.out, "[node1]"), "%s", res.out);
    check_summary(&o, res.out);
    {
        char rm[512];
        snprintf(rm, sizeof(rm), "rm -f %s/ogup_ballast", c.data_mount);
        cr_assert_eq(sh("node3", "omm", rm), 0);
    }

    /* Bad items: GAUSS-50004 (exit 1, as openGauss's exitWithError) */
    cr_assert_eq(sh("node1", "omm", "gs_checkos -i A99"), 1, "%s", res.out);
    cr_assert_not_null(strstr(res.err, "[GAUSS-50004]"), "%s", res.err);
    cr_assert_eq(sh("node1", "omm", "gs_checkos -i A1,X2"), 1);
    cr_assert_not_null(strstr(res.err, "[GAUSS-50004]"), "%s", res.err);
    cr_assert_eq(sh("node1", "omm", "gs_checkos -i A9"), 1);
    cr_assert_not_null(strstr(res.err, "[GAUSS-50004]"), "%s", res.err);
    cr_assert_eq(sh("node1", "omm", "gs_checkos -i B1"), 1);
    cr_assert_not_null(strstr(res.err, "[GAUSS-50004]"), "%s", res.err);
    cr_assert_eq(sh("node1", "omm", "gs_checkos --detail"), 1);
    cr_assert_not_null(strstr(res.err, "[GAUSS-50001]"), "%s", res.err);
    cr_assert_eq(sh("node1", "omm", "gs_checkos -i A -h node1 -f /etc/hosts"), 1);
    cr_assert_not_null(strstr(res.err, "[GAUSS-50005]"), "%s", res.err);
    cr_assert_eq(sh("node1", "omm", "gs_checkos -?"), 0);
    cr_assert_not_null(strstr(res.out, "'A14':[ THP service status ]"), "%s", res.out);

    /* As root (the guide's user), verbatim: every item, this host only. */
    cr_assert_eq(sh("node1", "root", "gs_checkos -i A"), 0, "%s%s", res.out, res.err);
    parse_checkos(res.out, &o);
    cr_assert_str_eq(o.header, "Checking items:", "%s", res.out);
    cr_assert_eq(o.n, (int)ELEMENTSOF(root_items), "%s", res.out);
    for (size_t i = 0; i < ELEMENTSOF(root_items); i++)
        cr_assert_eq(o.ids[i], root_items[i], "%s", res.out);
    check_summary(&o, res.out);
    cr_assert_eq(sh("node1", "root", "gs_checkos -i A1 --detail"), 0, "%s", res.err);
    cr_assert_not_null(strstr(res.out, "[node1]"), "%s", res.out);
    cr_assert_null(strstr(res.out, "[node2]"), "%s", res.out);

    /* The man pages came with the OM tools. */
    {
        char t[1024];
        snprintf(t, sizeof(t),
                 "for p in gs_om gs_ssh gs_checkos gs_collector gs_preinstall gs_upgradectl; do "
                 "test -s %s/man/man1/$p.1 || exit 1; done",
                 c.tool_path);
        cr_assert_eq(sh("node2", "omm", t), 0, "man pages missing under %s/man/man1", c.tool_path);
    }
}

/* ---- gs_collector ----------------------------------------------------- */

static void window(time_t from, time_t to, char *b, char *e)
{
    struct tm tm;

    localtime_r(&from, &tm);
    strftime(b, 16, "%Y%m%d %H:%M", &tm);
    localtime_r(&to, &tm);
    strftime(e, 16, "%Y%m%d %H:%M", &tm);
}

Test(omtools, collector)
{
    char b[16], e[16], cmd[1024], tarball[512] = "";
    const char *at;
    time_t now = time(NULL);

    up();
    /* In every node's $GAUSSLOG: a log written now, one from 2020. */
    for (int k = 1; k <= 3; k++) {
        char node[16];
        snprintf(node, sizeof(node), "node%d", k);
        snprintf(cmd, sizeof(cmd),
                 "mkdir -p $GAUSSLOG/om && "
                 "printf 'ogup probe %%s\\n' %s > $GAUSSLOG/om/ogup_probe.log && "
                 "printf 'old\\n' > $GAUSSLOG/om/ogup_old.log && "
                 "touch -d '2020-01-01 00:00' $GAUSSLOG/om/ogup_old.log",
                 node);
        cr_assert_eq(sh(node, "omm", cmd), 0, "%s", res.err);
    }
    window(now - 3600, now + 3600, b, e);

    snprintf(cmd, sizeof(cmd), "gs_collector --begin-time \"%s\" --end-time \"%s\" -o /tmp/ogupc",
             b, e);
    cr_assert_eq(sh("node1", "omm", cmd), 0, "%s%s", res.out, res.err);
    cr_assert_not_null(strstr(res.out, "Successfully parsed the configuration file.\n"), "%s",
                       res.out);
    cr_assert_not_null(strstr(res.out, "Collecting Log files.\nSuccessfully collected Log "
                                       "files.\n"),
                       "%s", res.out);
    cr_assert_not_null(strstr(res.out, "Successfully collected OS information.\n"), "%s", res.out);
    cr_assert_not_null(strstr(res.out, "Collecting files.\nSuccessfully collected files.\n"), "%s",
                       res.out);
    at = strstr(res.out, "All results are stored in /tmp/ogupc/collector_");
    cr_assert_not_null(at, "%s", res.out);
    sscanf(at + strlen("All results are stored in "), "%511[^\n]", tarball);
    cr_assert_eq(tarball[strlen(tarball) - 1], '.', "%s", tarball);
    tarball[strlen(tarball) - 1] = '\0';
    cr_assert_not_null(strstr(tarball, ".tar.gz"), "%s", tarball);

    snprintf(cmd, sizeof(cmd), "stat -c %%a %s", tarball);
    cr_assert_eq(sh("node1", "omm", cmd), 0);
    cr_assert_str_eq(res.out, "600\n");

    /* Untar: a directory per node with its files; the 2020 log is not. */
    snprintf(cmd, sizeof(cmd),
             "rm -rf /tmp/ogupx && mkdir /tmp/ogupx && tar -xzf %s -C /tmp/ogupx && "
             "cd /tmp/ogupx/collector_* && find . -type f | sort",
             tarball);
    cr_assert_eq(sh("node1", "omm", cmd), 0, "%s", res.err);
    {
        _cleanup_free_ char *list = strdup(res.out);
        for (int k = 1; k <= 3; k++) {
            const char *want[] = {
                "/logfiles/om/ogup_probe.log\n", "/logfiles/pg_log/dn1/gaussdb.log\n",
                "/systemfiles/database_system_info_", "/configfiles/config_", "/postgresql.conf\n"};
            char s[128];
            for (size_t w = 0; w < ELEMENTSOF(want); w++) {
                snprintf(s, sizeof(s), "./node%d%s", k, want[w]);
                if (w == 4)
                    snprintf(s, sizeof(s), "/dn_600%d%s", k, want[w]);
                cr_assert_not_null(strstr(list, s), "no %s in:\n%s", s, list);
            }
        }
        cr_assert_not_null(strstr(list, "./Summary.log\n"), "%s", list);
        cr_assert_null(strstr(list, "ogup_old.log"), "outside the window:\n%s", list);
    }
    cr_assert_eq(sh("node1", "omm", "cat /tmp/ogupx/collector_*/node2/logfiles/om/ogup_probe.log"),
                 0);
    cr_assert_str_eq(res.out, "ogup probe node2\n");
    cr_assert_eq(
        sh("node1", "omm", "cat /tmp/ogupx/collector_*/node3/systemfiles/database_system_info_*"),
        0);
    cr_assert_not_null(strstr(res.out, "# C L U S T E R    I N F O\n"), "%s", res.out);
    cr_assert_not_null(strstr(res.out, " HA state:"), "gs_ctl query: %s", res.out);
    cr_assert_not_null(strstr(res.out, "gaussdb (openGauss 2.0.0 build 78689da9)"), "%s", res.out);
    cr_assert_eq(sh("node1", "omm", "cat /tmp/ogupx/collector_*/Summary.log"), 0);
    cr_assert_not_null(strstr(res.out, "|Collecting pg_log information-1"), "%s", res.out);
    cr_assert_not_null(strstr(res.out, "TASK NAME"), "%s", res.out);

    /* A window with no logs: the log task fails on every node, the rest is
     * collected, exit 0 (openGauss goes on). */
    cr_assert_eq(sh("node2", "omm",
                    "gs_collector --begin-time \"20190101 00:00\" --end-time \"20190101 01:00\" "
                    "-h node2,node3 -o /tmp/ogupc"),
                 0, "%s%s", res.out, res.err);
    cr_assert_not_null(strstr(res.out, "Failed collected Log files.\n"), "%s", res.out);
    cr_assert_not_null(strstr(res.out, "Successfully collected files.\n"), "%s", res.out);

    /* Over the bound: a node sending more than --max-size is OGUP-60010. */
    cr_assert_eq(sh("node2", "omm", "head -c 3000000 /dev/urandom > $GAUSSLOG/om/ogup_big.log"), 0);
    snprintf(cmd, sizeof(cmd),
             "gs_collector --begin-time \"%s\" --end-time \"%s\" -o /tmp/ogupc --max-size=1", b, e);
    cr_assert_eq(sh("node1", "omm", cmd), 1, "%s", res.out);
    cr_assert_not_null(strstr(res.err, "[OGUP-60010]"), "%s", res.err);
    cr_assert_not_null(strstr(res.err, "node2"), "%s", res.err);
    cr_assert_eq(sh("node2", "omm", "rm -f $GAUSSLOG/om/ogup_big.log"), 0);

    /* Bad times and other refusals, with openGauss's codes (exit 1). */
    cr_assert_eq(sh("node1", "omm",
                    "gs_collector --begin-time '2024-01-01 00:00' --end-time '20240102 00:00'"),
                 1);
    cr_assert_not_null(strstr(res.err, "[GAUSS-50003]"), "%s", res.err);
    cr_assert_eq(sh("node1", "omm",
                    "gs_collector --begin-time='20240101 00:00' --end-time='20240101 24:00'"),
                 1);
    cr_assert_not_null(strstr(res.err, "[GAUSS-50003]"), "%s", res.err);
    cr_assert_eq(sh("node1", "omm",
                    "gs_collector --begin-time '20240102 00:00' --end-time '20240101 00:00'"),
                 1);
    cr_assert_not_null(strstr(res.err, "[GAUSS-50004]"), "%s", res.err);
    cr_assert_eq(sh("node1", "omm", "gs_collector --begin-time '20240101 00:00'"), 1);
    cr_assert_not_null(strstr(res.err, "[GAUSS-50001]"), "%s", res.err);
    cr_assert_eq(sh("node1", "omm",
                    "gs_collector --begin-time '20240101 00:00' --end-time '20240101 01:00' "
                    "-h node9"),
                 1);
    cr_assert_not_null(strstr(res.err, "[GAUSS-51619]"), "%s", res.err);
    cr_assert_eq(sh("node1", "root",
                    "gs_collector --begin-time '20240101 00:00' --end-time '20240101 01:00'"),
                 1);
    cr_assert_not_null(strstr(res.err, "[GAUSS-50105]"), "%s", res.err);
}
