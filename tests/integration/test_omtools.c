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
    int ids[24]; /* A<n>: n, B<n>: 100 + n */
    char status[24][16];
    int total, abnormal, warning;
    bool result_abnormal, notice;
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
        if ((strncmp(line, "    A", 5) == 0 || strncmp(line, "    B", 5) == 0) && len >= 66 &&
            line[64] == ':') {
            int id = atoi(line + 5);
            char st[16] = "";
            cr_assert_lt(o->n, 24);
            cr_assert(id >= 1 && id <= (line[4] == 'A' ? 14 : 8), "item line: %s", line);
            cr_assert_eq(line[65], ' ', "%s", line);
            sscanf(line + 66, "%15s", st);
            cr_assert(strcmp(st, "Normal") == 0 || strcmp(st, "Warning") == 0 ||
                          strcmp(st, "Abnormal") == 0,
                      "state of: %s", line);
            /* "A1. [" / "A11.[" */
            cr_assert_eq(line[id < 10 ? 7 : 8], id < 10 ? ' ' : '[', "label of: %s", line);
            o->ids[o->n] = line[4] == 'A' ? id : 100 + id;
            snprintf(o->status[o->n++], sizeof(o->status[0]), "%s", st);
        } else if (sscanf(line, "Total numbers:%d. Abnormal numbers:%d. Warning numbers:%d.",
                          &o->total, &o->abnormal, &o->warning) == 3) {
            continue;
        } else if (strcmp(line, "Do checking operation finished. Result: Abnormal.") == 0 ||
                   strcmp(line, "Do setting operation finished. Result: Abnormal.") == 0) {
            o->result_abnormal = true;
        } else if (strcmp(line, "NOTICE: MTU value and some warning items can NOT be set. "
                                "Please do it manually.") == 0) {
            o->notice = true;
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

/* root on node: "gs_checkos <args>", exit 0, parsed */
static void checkos_root(const char *node, const char *args, struct checkos_out *o)
{
    char cmd[512];

    snprintf(cmd, sizeof(cmd), "gs_checkos %s", args);
    cr_assert_eq(sh(node, "root", cmd), 0, "%s: %s%s", cmd, res.out, res.err);
    parse_checkos(res.out, o);
    check_summary(o, res.out);
}

/* The disks A10 looks at, by the node's shell: not loop or dm
 * (disk_util.py:250); A9 leaves out the disk of "/" too
 * (LocalCheckOS.py:197-215). Each with a queue. */
#define NODE_DISKS_ALL                                                                             \
    "for d in /sys/block/*; do n=${d##*/}; case $n in loop*|dm-*|$r) continue;; esac; "            \
    "[ -d $d/queue ] || continue; "
#define NODE_DISKS "r=$(basename $(readlink -f /sys/dev/block/$(mountpoint -d /))); " NODE_DISKS_ALL

/* A9 and A10 against what the node's /sys says. */
static void checkos_block(void)
{
    struct checkos_out o;
    char expect[4096], cmd[512];

    /* A9: the devices reading ahead less than 16384 sectors, as the shell
     * finds them, are those named, with their value */
    cr_assert_eq(sh("node1", "root",
                    NODE_DISKS "k=$(cat $d/queue/read_ahead_kb); [ $((k * 2)) -lt 16384 ] && "
                               "printf \"On device (/dev/%s) 'blockdev readahead' RealValue '%s' "
                               "ExpectedValue '16384'.\\n\" $n $((k * 2)); done; true"),
                 0, "%s", res.err);
    snprintf(expect, sizeof(expect), "%s", res.out);
    checkos_root("node1", "-i A9 --detail", &o);
    cr_assert_str_eq(status_of(&o, 9), expect[0] ? "Abnormal" : "Normal", "%s\n%s", expect,
                     res.out);
    for (char *l = expect, *nl; l && *l; l = nl ? nl + 1 : NULL) {
        if ((nl = strchr(l, '\n')))
            *nl = '\0';
        cr_assert_not_null(strstr(res.out, l), "%s not in:\n%s", l, res.out);
    }
    /* B3 sets them, or says why not; A9 then tells the truth */
    checkos_root("node1", "-i B3 --detail", &o);
    cr_assert_str_eq(o.header, "Setting items", "%s", res.out);
    cr_assert(o.notice, "%s", res.out);
    if (strcmp(status_of(&o, 103), "Abnormal") == 0)
        cr_assert_not_null(strstr(res.out, "Failed to set block dev '/dev/"), "%s", res.out);
    checkos_root("node1", "-i A9", &o);
    cr_assert_eq(sh("node1", "root",
                    NODE_DISKS "k=$(cat $d/queue/read_ahead_kb); [ $((k * 2)) -lt 16384 ] && "
                               "echo $n; done; true"),
                 0);
    cr_assert_str_eq(status_of(&o, 9), res.out[0] ? "Abnormal" : "Normal", "%s", res.out);

    /* A10: a device whose scheduler is not (mq-)deadline is named with its
     * scheduler; none: Normal. Not in -i A (v5.0.0), so named. */
    checkos_root("node1", "-i A10 --detail", &o);
    snprintf(expect, sizeof(expect), "%s", res.out);
    cr_assert_eq(sh("node1", "root",
                    "r=; " NODE_DISKS_ALL "[ -f $d/queue/scheduler ] || continue; "
                    "s=$(sed 's/.*\\[\\(.*\\)\\].*/\\1/' $d/queue/scheduler); "
                    "case $s in deadline|mq-deadline) ;; *) echo \"($n) 'IO scheduler' "
                    "RealValue '$s'\";; esac; done; true"),
                 0);
    cr_assert_str_eq(status_of(&o, 10), res.out[0] ? "Abnormal" : "Normal", "%s\n%s", res.out,
                     expect);
    if (res.out[0]) {
        snprintf(cmd, sizeof(cmd), "%.*s", (int)strcspn(res.out, "\n"), res.out);
        cr_assert_not_null(strstr(expect, cmd), "%s not in:\n%s", cmd, expect);
    }
}

/* B1 sets what the node lets it set: on these nodes net.ipv4 is writable,
 * the rest of /proc/sys and /etc are not. */
static void checkos_set_sysctl(void)
{
    struct checkos_out o;

    cr_assert_eq(sh("node1", "root", "echo 7200 > /proc/sys/net/ipv4/tcp_keepalive_time"), 0, "%s",
                 res.err);
    checkos_root("node1", "-i A6 --detail", &o);
    cr_assert_str_eq(status_of(&o, 6), "Abnormal", "%s", res.out);
    cr_assert_not_null(strstr(res.out, "Abnormal reason: variable 'net.ipv4.tcp_keepalive_time' "
                                       "RealValue '7200' ExpectedValue '30'."),
                       "%s", res.out);

    checkos_root("node1", "-i B1 --detail", &o);
    cr_assert_str_eq(o.header, "Setting items", "%s", res.out);
    cr_assert_eq(o.n, 1, "%s", res.out);
    cr_assert(o.notice, "%s", res.out);
    cr_assert_not_null(strstr(res.out, "    B1. [ Set system control parameters ]"), "%s", res.out);
    cr_assert_not_null(strstr(res.out, "Set variable 'net.ipv4.tcp_keepalive_time' to '30'"), "%s",
                       res.out);
    /* /etc is read-only here: the setting is not made permanent, and B1
     * says so instead of "succeed" */
    {
        char out[16384];
        snprintf(out, sizeof(out), "%s", res.out);
        if (sh("node1", "root", "test -w /etc/sysctl.conf") != 0) {
            cr_assert_str_eq(status_of(&o, 101), "Abnormal", "%s", out);
            cr_assert_not_null(strstr(out, "in /etc/sysctl.conf (it is set until the next boot)"),
                               "%s", out);
        }
    }
    cr_assert_eq(sh("node1", "root", "cat /proc/sys/net/ipv4/tcp_keepalive_time"), 0);
    cr_assert_str_eq(res.out, "30\n");
    checkos_root("node1", "-i A6 --detail", &o);
    cr_assert_null(strstr(res.out, "'net.ipv4.tcp_keepalive_time'"), "%s", res.out);
}

/* -i B: every setting item but B4 (v5.0.0); each one it could not set
 * gives the reason; the THP item did not pretend. */
static void checkos_set_all(void)
{
    static const int b_items[] = {101, 102, 103, 105, 106, 107, 108};
    struct checkos_out o;
    char thp_before[256];

    cr_assert_eq(sh("node2", "root", "cat /sys/kernel/mm/transparent_hugepage/enabled"), 0);
    snprintf(thp_before, sizeof(thp_before), "%s", res.out);
    checkos_root("node2", "-i B --detail", &o);
    cr_assert_str_eq(o.header, "Setting items:", "%s", res.out);
    cr_assert_eq(o.n, (int)ELEMENTSOF(b_items), "%s", res.out);
    for (size_t i = 0; i < ELEMENTSOF(b_items); i++)
        cr_assert_eq(o.ids[i], b_items[i], "%s", res.out);
    cr_assert(o.notice, "%s", res.out);
    cr_assert_eq(sh("node2", "root", "cat /sys/kernel/mm/transparent_hugepage/enabled"), 0);
    if (!strstr(thp_before, "[never]") && strcmp(res.out, thp_before) == 0)
        cr_assert_str_eq(status_of(&o, 106), "Abnormal", "THP %s unchanged", thp_before);
    /* named, B4 runs (GC:1498) */
    checkos_root("node2", "-i B4 --detail", &o);
    cr_assert_eq(o.n, 1, "%s", res.out);
    cr_assert_eq(o.ids[0], 104, "%s", res.out);
}

Test(omtools, checkos)
{
    struct checkos_out o;
    static const int a_items[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12, 13, 14};

    up();

    /* Root only (GC:1474), before the options; the node side stays the
     * cluster user's (ogup's --local-items). */
    cr_assert_eq(sh("node1", "omm", "gs_checkos -i A"), 1, "%s", res.out);
    cr_assert_not_null(strstr(res.err, "[GAUSS-50104] : Only a user with the root permission can "
                                       "run this script."),
                       "%s", res.err);
    cr_assert_eq(sh("node1", "omm", "gs_checkos -V"), 1);
    cr_assert_eq(sh("node1", "omm", "gs_checkos --local-items A1"), 0, "%s", res.err);
    cr_assert_not_null(strstr(res.out, "A1\tchecked\tyes\n"), "%s", res.out);

    /* The guide's command, verbatim, as root: every item but A10 (v5.0.0),
     * this host only. */
    checkos_root("node1", "-i A", &o);
    cr_assert_str_eq(o.header, "Checking items:", "%s", res.out);
    cr_assert_eq(o.n, (int)ELEMENTSOF(a_items), "%s", res.out);
    for (size_t i = 0; i < ELEMENTSOF(a_items); i++)
        cr_assert_eq(o.ids[i], a_items[i], "%s", res.out);
    cr_assert_not_null(strstr(res.out, "    A1. [ OS version status ]                        "
                                       "           : Normal\n"),
                       "%s", res.out);
    checkos_root("node1", "-i A1 --detail", &o);
    cr_assert_not_null(strstr(res.out, "[node1]"), "%s", res.out);
    cr_assert_null(strstr(res.out, "[node2]"), "%s", res.out);

    /* A list: sorted as strings (A10 before A2), "Checking items" */
    checkos_root("node1", "-i A9,A2,A10", &o);
    cr_assert_str_eq(o.header, "Checking items", "%s", res.out);
    cr_assert_eq(o.n, 3, "%s", res.out);
    cr_assert(o.ids[0] == 10 && o.ids[1] == 2 && o.ids[2] == 9, "%s", res.out);

    /* -h: every node, over SSH as the cluster user */
    checkos_root("node2", "-i A1,A4,A11 -h node1,node2,node3 --detail", &o);
    cr_assert_str_eq(o.header, "Checking items", "%s", res.out);
    cr_assert_eq(o.n, 3, "%s", res.out);
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
    checkos_root("node1", "-i A4 -h node1,node2,node3 --detail", &o);
    cr_assert_str_eq(status_of(&o, 4), "Abnormal", "%s", res.out);
    cr_assert_not_null(strstr(res.out, "        [node2]\n        +0900\n"), "%s", res.out);
    cr_assert_not_null(strstr(res.out, "Total numbers:1. Abnormal numbers:1. Warning numbers:0.\n"
                                       "Do checking operation finished. Result: Abnormal.\n"),
                       "%s", res.out);
    cr_assert_eq(sh("node2", "omm", "sed -i '/^export TZ=JST-9$/d' ~/.bashrc"), 0);
    checkos_root("node1", "-i A4 -h node1,node2,node3", &o);
    cr_assert_str_eq(status_of(&o, 4), "Normal", "%s", res.out);

    /* Break A8 on node3: its data filesystem over 80 % used. */
    checkos_root("node1", "-i A8 -h node1,node2,node3", &o);
    cr_assert_str_eq(status_of(&o, 8), "Normal", "before: %s", res.out);
    {
        char fill[512];
        snprintf(fill, sizeof(fill),
                 "d=%s; a=$(( $(stat -f -c %%a $d) * $(stat -f -c %%S $d) )); "
                 "fallocate -l $(( a - 8 * 1048576 )) $d/ogup_ballast",
                 c.data_mount);
        cr_assert_eq(sh("node3", "omm", fill), 0, "%s", res.err);
    }
    checkos_root("node1", "-i A8 -h node1,node2,node3 --detail", &o);
    cr_assert_str_eq(status_of(&o, 8), "Warning", "%s", res.out);
    cr_assert_not_null(strstr(res.out, "        [node3]\n        Warning reason: The usage of the "
                                       "device"),
                       "%s", res.out);
    cr_assert_null(strstr(res.out, "[node1]"), "%s", res.out);
    {
        char rm[512];
        snprintf(rm, sizeof(rm), "rm -f %s/ogup_ballast", c.data_mount);
        cr_assert_eq(sh("node3", "omm", rm), 0);
    }

    checkos_block();
    checkos_set_sysctl();
    checkos_set_all();

    /* A bad item: GAUSS-50004 (exit 1, as openGauss's exitWithError); the
     * rest of the command line is tests/data/contract/gs_checkos.tsv */
    cr_assert_eq(sh("node1", "root", "gs_checkos -i A99"), 1, "%s", res.out);
    cr_assert_not_null(strstr(res.err, "[GAUSS-50004]"), "%s", res.err);

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

/* The tarball named by "All results are stored in <path>." */
static void stored(const char *out, char *tarball, size_t size)
{
    const char *at = strstr(out, "All results are stored in /tmp/ogupc/collector_");

    cr_assert_not_null(at, "%s", out);
    snprintf(tarball, size, "%.*s", (int)strcspn(at + 26, "\n"), at + 26);
    cr_assert_eq(tarball[strlen(tarball) - 1], '.', "%s", tarball);
    tarball[strlen(tarball) - 1] = '\0';
}

/* Unpack the result and every node's tarball under /tmp/ogupx on node1;
 * the listing (find, sorted) in res.out. */
static void unpack(const char *tarball)
{
    char cmd[1024];

    snprintf(cmd, sizeof(cmd),
             "rm -rf /tmp/ogupx && mkdir /tmp/ogupx && tar -xzf %s -C /tmp/ogupx && "
             "cd /tmp/ogupx/collector_* && for t in *.tar.gz; do tar -xzf $t; done && "
             "for t in */logfiles/log_*.tar.gz; do [ -f $t ] || continue; "
             "mkdir -p $t.d && tar -xzf $t -C $t.d; done && find . | sort",
             tarball);
    cr_assert_eq(sh("node1", "omm", cmd), 0, "%s", res.err);
}

static int count(const char *hay, const char *needle)
{
    int n = 0;

    for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
        n++;
    return n;
}

/* Milliseconds gs_collector took on node, by the node's clock. */
static long timed(const char *node, const char *args)
{
    char cmd[1024];
    long ms = -1;
    const char *at;

    snprintf(cmd, sizeof(cmd),
             "t0=$(date +%%s%%N); gs_collector %s; rc=$?; t1=$(date +%%s%%N); "
             "echo \"ELAPSED $(( (t1 - t0) / 1000000 ))\"; exit $rc",
             args);
    cr_assert_eq(sh(node, "omm", cmd), 0, "%s%s", res.out, res.err);
    at = strstr(res.out, "ELAPSED ");
    cr_assert_not_null(at, "%s", res.out);
    sscanf(at + 8, "%ld", &ms);
    return ms;
}

Test(omtools, collector)
{
    char b[16], e[16], cmd[2048], tarball[512] = "";
    time_t now = time(NULL);

    up();
    /* In every node's $GAUSSLOG: a log started now (openGauss reads the
     * start from the name, LocalCollect.py:916-930), one from 2020, one
     * without a time in its name, one whose path names no content. */
    for (int k = 1; k <= 3; k++) {
        char node[16];
        snprintf(node, sizeof(node), "node%d", k);
        snprintf(cmd, sizeof(cmd),
                 "s=$(date +%%Y-%%m-%%d_%%H%%M%%S) && mkdir -p $GAUSSLOG/om $GAUSSLOG/zz && "
                 "printf 'ogup probe %%s KEYHIT\\nother line\\n' %s > "
                 "$GAUSSLOG/om/gs_probe-$s.log && "
                 "printf 'old\\n' > $GAUSSLOG/om/gs_old-2020-01-01_000000.log && "
                 "touch -d '2020-01-01 00:10' $GAUSSLOG/om/gs_old-2020-01-01_000000.log && "
                 "printf 'x\\n' > $GAUSSLOG/om/ogup_nostamp.log && "
                 "printf 'x\\n' > $GAUSSLOG/zz/probe-$s.log",
                 node);
        cr_assert_eq(sh(node, "omm", cmd), 0, "%s", res.err);
    }
    window(now - 3600, now + 3600, b, e);

    /* The default configuration (script/gspylib/etc/conf/gs_collector.json):
     * System, Log, Database, Config; CI's lines, in doCollector's order. */
    snprintf(cmd, sizeof(cmd), "gs_collector --begin-time \"%s\" --end-time \"%s\" -o /tmp/ogupc",
             b, e);
    cr_assert_eq(sh("node1", "omm", cmd), 0, "%s%s", res.out, res.err);
    {
        static const char *const want[] = {
            "Successfully parsed the configuration file.\ncreate Dir.\nSuccessfully create dir.\n",
            "do system check interval 0 : count 1\nCollecting OS information.\n",
            "do database check interval 0 : count 1\nCollecting catalog statistics.\nFailed "
            "collected catalog statistics.\n",
            "do log check interval 0 : count 1\nCollecting Log files.\nSuccessfully collected Log "
            "files.\n",
            "do Config check 0:1\nCollecting Config files.\n",
            "Collecting files.\nSuccessfully collected files.\nAll results are stored in "};
        const char *at = res.out;
        for (size_t i = 0; i < ELEMENTSOF(want); i++) {
            at = strstr(at, want[i]);
            cr_assert_not_null(at, "no (in order) %s in:\n%s", want[i], res.out);
        }
    }
    stored(res.out, tarball, sizeof(tarball));
    snprintf(cmd, sizeof(cmd), "stat -c %%a %s", tarball);
    cr_assert_eq(sh("node1", "omm", cmd), 0);
    cr_assert_str_eq(res.out, "600\n");
    snprintf(cmd, sizeof(cmd), "tar -tzf %s | sed 's/collector_[0-9_]*/C/' | sort", tarball);
    cr_assert_eq(sh("node1", "omm", cmd), 0);
    cr_assert_str_eq(res.out, "C/\nC/Detail.log\nC/Summary.log\nC/node1.tar.gz\nC/node2.tar.gz\n"
                              "C/node3.tar.gz\n");
    unpack(tarball);
    {
        _cleanup_free_ char *list = strdup(res.out);
        static const char *const dirs[] = {"systemfiles", "catalogfiles",  "xlogfiles",
                                           "gstackfiles", "coreDumpfiles", "planSimulatorfiles",
                                           "logfiles",    "configfiles"};
        for (int k = 1; k <= 3; k++) {
            char s[160];
            for (size_t d = 0; d < ELEMENTSOF(dirs); d++) {
                snprintf(s, sizeof(s), "./node%d/%s\n", k, dirs[d]);
                cr_assert_not_null(strstr(list, s), "no %s in:\n%s", s, list);
            }
            snprintf(s, sizeof(s), "./node%d/systemfiles/OS_information_", k);
            cr_assert_not_null(strstr(list, s), "no %s in:\n%s", s, list);
            snprintf(s, sizeof(s), "/dn_600%d/postgresql.conf\n", k);
            cr_assert_not_null(strstr(list, s), "no %s in:\n%s", s, list);
            snprintf(s, sizeof(s), "./node%d/logfiles/log_", k);
            cr_assert_not_null(strstr(list, s), "no %s in:\n%s", s, list);
        }
        cr_assert_not_null(strstr(list, "./node1/catalogfiles/dn_6001_pg_locks_"), "%s", list);
        cr_assert_null(strstr(list, "./node2/catalogfiles/dn_"), "a standby: %s", list);
        cr_assert_not_null(strstr(list, ".tar.gz.d/om/gs_probe-"), "%s", list);
        cr_assert_null(strstr(list, "gs_old-"), "outside the window:\n%s", list);
        cr_assert_null(strstr(list, "ogup_nostamp"), "no start time in the name:\n%s", list);
        cr_assert_null(strstr(list, "zz/"), "a path naming no content:\n%s", list);
    }
    cr_assert_eq(sh("node1", "omm", "cat /tmp/ogupx/collector_*/node2/logfiles/*.d/om/gs_probe-*"),
                 0);
    cr_assert_str_eq(res.out, "ogup probe node2 KEYHIT\nother line\n");
    cr_assert_eq(
        sh("node1", "omm", "cat /tmp/ogupx/collector_*/node3/systemfiles/database_system_info_*"),
        0);
    cr_assert_not_null(strstr(res.out, "# C L U S T E R    I N F O\n"), "%s", res.out);
    cr_assert_not_null(strstr(res.out, "gaussdb (openGauss 2.0.0 build 78689da9)"), "%s", res.out);
    cr_assert_eq(sh("node1", "omm", "cat /tmp/ogupx/collector_*/Summary.log"), 0);
    cr_assert_not_null(strstr(res.out, "|Collecting pg_log information-1"), "%s", res.out);
    cr_assert_not_null(strstr(res.out, "TASK NAME"), "%s", res.out);
    /* what these nodes lack is said, not pretended (Detail.log, CI:311-373) */
    cr_log_info("Summary.log:\n%s", res.out);
    cr_assert_eq(sh("node1", "omm", "cat /tmp/ogupx/collector_*/Detail.log"), 0);
    cr_log_info("Detail.log:\n%s", res.out);
    cr_assert_not_null(strstr(res.out, "node1 - Collecting catalog information - Failed"), "%s",
                       res.out);
    cr_assert_not_null(strstr(res.out, "pg_thread_wait_status: [GAUSS-53514]"), "%s", res.out);
    cr_assert_not_null(strstr(res.out, "node2 - Collecting pg_log information - Success"), "%s",
                       res.out);

    /* -C: only what it names; Count 3 of Config is collected once with
     * GAUSS-51246 (CI:870-884). */
    cr_assert_eq(sh("node2", "omm",
                    "printf '{\"Collect\": [{\"TypeName\": \"Config\", \"Content\": \"DataNode\", "
                    "\"Count\": \"3\"}]}' > /tmp/ogup_c1.json"),
                 0);
    snprintf(cmd, sizeof(cmd),
             "gs_collector --begin-time \"%s\" --end-time \"%s\" -o /tmp/ogupc -h node2 "
             "-C /tmp/ogup_c1.json",
             b, e);
    cr_assert_eq(sh("node2", "omm", cmd), 0, "%s%s", res.out, res.err);
    cr_assert_not_null(strstr(res.out, "do Config check 0:3\n[GAUSS-51246] : Config info only "
                                       "support one time collect.\nCollecting Config files.\n"
                                       "Successfully collected Config files.\nCollecting "
                                       "files.\n"),
                       "%s", res.out);
    cr_assert_eq(count(res.out, "Collecting Config files."), 1, "%s", res.out);
    cr_assert_null(strstr(res.out, "Collecting OS information."), "%s", res.out);
    stored(res.out, tarball, sizeof(tarball));
    snprintf(cmd, sizeof(cmd),
             "rm -rf /tmp/ogupy && mkdir /tmp/ogupy && cd /tmp/ogupy && tar -xzf %s && "
             "cd collector_* && tar -xzf node2.tar.gz && find node2 -type f | sort",
             tarball);
    cr_assert_eq(sh("node2", "omm", cmd), 0, "%s", res.err);
    cr_assert_not_null(strstr(res.out, "/dn_6002/postgresql.conf\n"), "%s", res.out);
    cr_assert_null(strstr(res.out, "systemfiles/"), "%s", res.out);
    cr_assert_null(strstr(res.out, "logfiles/"), "%s", res.out);

    /* --keyword: only the lines holding it, in logfiles/keyword_result.txt
     * (LocalCollect.py:853-875: grep "<keyword>" -r *), no log tarball. */
    cr_assert_eq(sh("node2", "omm",
                    "printf '{\"Collect\": [{\"TypeName\": \"Log\", \"Content\": "
                    "\"ClusterManager\"}]}' > /tmp/ogup_c2.json"),
                 0);
    snprintf(cmd, sizeof(cmd),
             "gs_collector --begin-time \"%s\" --end-time \"%s\" -o /tmp/ogupc -h node2,node3 "
             "-C /tmp/ogup_c2.json --keyword=KEYHIT",
             b, e);
    cr_assert_eq(sh("node2", "omm", cmd), 0, "%s%s", res.out, res.err);
    stored(res.out, tarball, sizeof(tarball));
    snprintf(cmd, sizeof(cmd),
             "rm -rf /tmp/ogupy && mkdir /tmp/ogupy && cd /tmp/ogupy && tar -xzf %s && "
             "cd collector_* && tar -xzf node3.tar.gz && ls node3/logfiles && "
             "cat node3/logfiles/keyword_result.txt",
             tarball);
    cr_assert_eq(sh("node2", "omm", cmd), 0, "%s", res.err);
    cr_assert_eq(strncmp(res.out, "keyword_result.txt\nom/gs_probe-", 31), 0, "%s", res.out);
    cr_assert_not_null(strstr(res.out, ".log:ogup probe node3 KEYHIT\n"), "%s", res.out);
    cr_assert_null(strstr(res.out, "other line"), "%s", res.out);

    /* --speed-limit=1 (MB/s, shared by the nodes): 3 MB that gzip cannot
     * shrink take 3 s where they took far less unbounded. */
    cr_assert_eq(sh("node3", "omm",
                    "head -c 3145728 /dev/urandom > $GAUSSLOG/om/gs_big-$(date "
                    "+%Y-%m-%d_%H%M%S).log"),
                 0);
    {
        char args[512];
        long fast, slow;
        snprintf(
            args, sizeof(args),
            "--begin-time \"%s\" --end-time \"%s\" -o /tmp/ogupc -h node3 -C /tmp/ogup_c2.json", b,
            e);
        cr_assert_eq(sh("node3", "omm",
                        "printf '{\"Collect\": [{\"TypeName\": \"Log\", \"Content\": "
                        "\"ClusterManager\"}]}' > /tmp/ogup_c2.json"),
                     0);
        fast = timed("node3", args);
        snprintf(args + strlen(args), sizeof(args) - strlen(args), " --speed-limit=1");
        slow = timed("node3", args);
        cr_assert_not_null(strstr(res.out, "check gs_collector command.\nSuccessfully check "
                                           "gs_collector command.\n"),
                           "%s", res.out);
        cr_log_info("gs_collector -h node3, 3 MB of log: %ld ms, --speed-limit=1: %ld ms", fast,
                    slow);
        cr_assert_geq(slow, 2800, "bounded: %ld ms, unbounded %ld ms", slow, fast);
        cr_assert_geq(slow - fast, 1500, "bounded: %ld ms, unbounded %ld ms", slow, fast);
    }
    cr_assert_eq(sh("node3", "omm", "rm -f $GAUSSLOG/om/gs_big-*"), 0);

    /* A window with no logs: the log task fails on every node, the rest is
     * collected, exit 0 (openGauss goes on). */
    cr_assert_eq(sh("node2", "omm",
                    "gs_collector --begin-time \"20190101 00:00\" --end-time \"20190101 01:00\" "
                    "-h node2,node3 -o /tmp/ogupc"),
                 0, "%s%s", res.out, res.err);
    cr_assert_not_null(strstr(res.out, "Failed collected Log files.\n"), "%s", res.out);
    cr_assert_not_null(strstr(res.out, "Successfully collected files.\n"), "%s", res.out);

    /* Over the bound: a node sending more than --max-size is OGUP-60010. */
    cr_assert_eq(sh("node2", "omm",
                    "head -c 3000000 /dev/urandom > $GAUSSLOG/om/gs_big-$(date "
                    "+%Y-%m-%d_%H%M%S).log"),
                 0);
    snprintf(cmd, sizeof(cmd),
             "gs_collector --begin-time \"%s\" --end-time \"%s\" -o /tmp/ogupc --max-size=1", b, e);
    cr_assert_eq(sh("node1", "omm", cmd), 1, "%s", res.out);
    cr_assert_not_null(strstr(res.err, "[OGUP-60010]"), "%s", res.err);
    cr_assert_not_null(strstr(res.err, "node2"), "%s", res.err);
    cr_assert_eq(sh("node2", "omm", "rm -f $GAUSSLOG/om/gs_big-*"), 0);

    /* Refusals that need the cluster (the others: tests/data/contract/
     * gs_collector.tsv): -h not a node, GAUSS-51619 on stdout (CI:72-75). */
    cr_assert_eq(sh("node1", "omm",
                    "gs_collector --begin-time '20240101 00:00' --end-time '20240101 01:00' "
                    "-h node9"),
                 1);
    cr_assert_not_null(strstr(res.out, "[GAUSS-51619] : The host name [node9] is not in the "
                                       "cluster.\n"),
                       "%s", res.out);
    cr_assert_eq(sh("node1", "root",
                    "gs_collector --begin-time '20240101 00:00' --end-time '20240101 01:00'"),
                 1);
    cr_assert_not_null(strstr(res.err, "[GAUSS-50105]"), "%s", res.err);
}
