/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * gs_collector --begin-time="yyyymmdd hh:mm" --end-time="yyyymmdd hh:mm"
 *     [-h HOSTS | -f HOSTFILE] [--keyword=K] [--speed-limit=MBPS] [-o DIR]
 *     [-l LOG] [-C CONFIG] [--max-size=MIB]
 * openGauss-OM v5.0.0's log collector: GC = script/gs_collector, CI =
 * script/impl/collect/OLAP/CollectImplOLAP.py, LC = script/local/
 * LocalCollect.py, PP = script/gspylib/common/ParameterParsecheck.py.
 *
 * The checks come in GC's order, all before any node is contacted: root
 * (GC:387), the options (omopt: PP), --begin-time / --end-time formats and
 * --speed-limit (GC:187-220), -h with -f, the host file (GC:233-253), the
 * -C file or the default one (collector_conf.c, GC:255-330), the times
 * required and in order (GC:332-356), then the cluster (env, static config,
 * -h names: CI:62-88). Each node then runs this program's node side
 * (collector_local.c) once, after its env file (OM_USER_ENV), through the SSH transport:
 * every job of the configuration, in CI doCollector's order, into one
 * <HOSTNAME>.tar.gz on its stdout (at most --speed-limit MB/s in all, shared
 * by the nodes: openGauss uses rsync --bwlimit) and one job record per run on
 * its stderr. This side prints CI's lines per job run, checks each stream
 * (bounded by --max-size, an ogup extension: over it is OGUP-60010) and
 * writes <-o or $GAUSSLOG>/collector_<YYYYmmdd_HHMMSS>.tar.gz (0600) holding
 * collector_<ts>/<HOSTNAME>.tar.gz per node, Summary.log and Detail.log.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "collector_conf.h"
#include "collector_local.h"
#include "collector_pack.h"
#include "fs.h"
#include "oglog.h"
#include "omopt.h"
#include "omtools.h"
#include "parse.h"
#include "precheck.h"
#include "transport.h"
#include "banned.h"

#define TOOL            "gs_collector"
#define DEFAULT_MAX_MIB 64 /* per node, compressed */

/* PP:88-91, and ogup's --max-size */
static const struct omopt opts[] = {
    {"-?", false, OMOPT_PLAIN},
    {"--help", false, OMOPT_PLAIN},
    {"-V", false, OMOPT_PLAIN},
    {"--version", false, OMOPT_PLAIN},
    {"--begin-time", true, OMOPT_PLAIN},
    {"--end-time", true, OMOPT_PLAIN},
    {"--keyword", true, OMOPT_PLAIN},
    {"--speed-limit", true, OMOPT_PLAIN},
    {"-h", true, OMOPT_VALUE},
    {"-f", true, OMOPT_FILE},
    {"-o", true, OMOPT_PATH},
    {"-l", true, OMOPT_PATH},
    {"-C", true, OMOPT_PLAIN},
    {"--max-size", true, OMOPT_PLAIN},
};
static const char *const names[] = {"--begin-time", "--end-time", "--keyword", "--speed-limit",
                                    "-h",           "-f",         "-o",        "-l",
                                    "-C",           "--max-size", NULL};
static const struct omopt_action action[] = {{NULL, names}};

/* CI doCollector, by TypeName: the "do" line, LC's job name, CI's lines */
static const struct {
    const char *do_name, *job, *start, *ok, *failed;
    bool once;    /* Count > 1: GAUSS-51246, collected once (CI:815-877) */
    bool long_do; /* "do <x> check interval I : count C", else "do <X> check I:C" */
} kinds[COLLECT_N_TYPES] = {
    [COLLECT_SYSTEM] = {"system", "Collecting OS information", "Collecting OS information.",
                        "Successfully collected OS information.",
                        "Failed to collect OS information.", false, true},
    [COLLECT_DATABASE] = {"database", "Collecting catalog information",
                          "Collecting catalog statistics.",
                          "Successfully collected catalog statistics.",
                          "Failed collected catalog statistics.", false, true},
    [COLLECT_LOG] = {"log", "Collecting pg_log information", "Collecting Log files.",
                     "Successfully collected Log files.", "Failed collected Log files.", true,
                     true},
    [COLLECT_XLOG] = {"XLog", "Collecting xlog information", "Collecting XLog files.",
                      "Successfully collected XLog files.", "Failed collected XLog files.", true},
    [COLLECT_COREDUMP] = {"CoreDump", "Collecting Core information", "Collecting CoreDump files.",
                          "Successfully collected CoreDump files.",
                          "Failed collected CoreDump files.", true},
    [COLLECT_CONFIG] = {"Config", "Collecting Config information", "Collecting Config files.",
                        "Successfully collected Config files.", "Failed collected Config files.",
                        true},
    [COLLECT_GSTACK] = {"Gstack", "Collecting Gstack information", "Collecting Gstack files.",
                        "Successfully collected Gstack files.", "Failed collected Gstack files.",
                        false},
    [COLLECT_TRACE] = {NULL, NULL, NULL, NULL, NULL, false},
    [COLLECT_PLAN] = {"Plan", "Collecting plan simulator information",
                      "Collecting plan simulator statistics.",
                      "Successfully collected plan simulator.", "Failed collected plan simulator.",
                      false},
};

static int usage(int rc)
{
    /* GC:100-147, the docstring's text; ogup's --max-size last */
    printf("\n"
           "gs_collector is a utility to collect information about the cluster.\n"
           "\n"
           "Usage:\n"
           "  gs_collector -? | --help\n"
           "  gs_collector -V | --version\n"
           "  gs_collector --begin-time=\"BEGINTIME\" --end-time=\"ENDTIME\" [-h HOSTNAME | -f "
           "HOSTFILE] \n"
           "                [--keyword=KEYWORD] [--speed-limit=SPEED] [-o OUTPUT] [-l LOGFILE] "
           "[-C CONFIGFILE]\n"
           "\n"
           "General options:\n"
           "      --begin-time=BEGINTIME      Time to start log file collection. Pattern:yyyymmdd "
           "hh:mm.\n"
           "      --end-time=ENDTIME          Time to end log file collection. Pattern:yyyymmdd "
           "hh:mm.\n"
           "      --speed-limit=SPEED         Bandwidth to copy files, a nonnegative integer, in "
           "MByte/s.\n"
           "                                  0 means unlimited. Only supported if rsync command "
           "exists.\n"
           "  -h                              Names of hosts whose information is to be "
           "collected.\n"
           "                                  Example: host1,host2.\n"
           "  -f                              File listing names of all the hosts to connect to.\n"
           "      --keyword=KEYWORD           Save log files containing the keyword.\n"
           "  -o                              Save the result to the specified file.\n"
           "  -l                              Path of log file.\n"
           "  -?, --help                      Show help information for this utility, and exit "
           "the command line mode.\n"
           "  -V, --version                   Show version information.\n"
           "  -C                              gs_collector config file, listing which info to "
           "collect\n"
           "  # gs_collector.json example\n"
           "  {\n"
           "    \"Collect\":\n"
           "    [\n"
           "        {\"TypeName\": \"name\", \"Content\": \"value\", \"Interval\": \"seconds\", "
           "\"Count\": \"counts\"} # interval is in Second\n"
           "    ]\n"
           "  }\n"
           "\n"
           "  # TypeName : content\n"
           "  COLLECT_INFO_MAP\n"
           "  {\n"
           "        \"System\" : \"HardWareInfo,RunTimeInfo\",\n"
           "        \"Database\" : \"pg_locks,pg_stat_activity,pg_thread_wait_status\",\n"
           "        \"Log\" : \"DataNode,ClusterManager\",\n"
           "        \"XLog\": \"DataNode\",\n"
           "        \"Config\" : \"DataNode\",\n"
           "        \"Gstack\" : \"DataNode\",\n"
           "        \"CoreDump\": \"gaussdb,GaussMaster,gs_ctl\"\n"
           "        \"Trace\": \"Dump\"\n"
           "        \"Plan\": \"*\"    # Any database name or character \"*\"\n"
           "   }\n"
           "\n"
           "ogup extension:\n"
           "      --max-size=MIB              The most one node may send, compressed (default "
           "%d).\n"
           "\n",
           DEFAULT_MAX_MIB);
    return rc;
}

struct collector_opts {
    const char *begin, *end, *keyword, *speed, *hosts, *hostfile, *out, *log, *conf, *max_size;
    char begin_min[16], end_min[16]; /* YYYYmmddHHMM (GC:338, 346) */
    long speed_mb;                   /* -1: no --speed-limit */
    long max_mib;
    char conf_path[PATH_MAX];
    const char *nodes[CLUSTER_MAX_NODES];
    size_t n_nodes;
    char *hostfile_text; /* the -f names point into it */
};

/* GC:149-163 dateCheck: time.strptime(s, "%Y%m%d %H:%M") with the date part
 * exactly 8 characters and the time part exactly 5. */
static bool date_ok(const char *s, char *minute)
{
    struct tm tm = {0}, chk;
    const char *end;

    if (!s || strlen(s) != 14 || s[8] != ' ' || s[11] != ':')
        return false;
    end = strptime(s, "%Y%m%d %H:%M", &tm);
    if (!end || *end)
        return false;
    chk = tm; /* strptime takes 30 February; Python does not */
    chk.tm_isdst = -1;
    if (mktime(&chk) == (time_t)-1 || chk.tm_mday != tm.tm_mday || chk.tm_mon != tm.tm_mon)
        return false;
    snprintf(minute, 16, "%.8s%.2s%.2s", s, s + 9, s + 12);
    return true;
}

/* GC:187-220 parseCommandLine's checks */
static int check_values(struct collector_opts *o, struct og_error *err)
{
    if (o->begin && !date_ok(o->begin, o->begin_min))
        return og_error_set(err, OG_E_PARAM_TYPE,
                            "The parameter '--begin-time' type should be date. Pattern: yyyymmdd "
                            "hh:mm.");
    if (o->end && !date_ok(o->end, o->end_min))
        return og_error_set(err, OG_E_PARAM_TYPE,
                            "The parameter '--end-time' type should be date. Pattern: yyyymmdd "
                            "hh:mm.");
    o->speed_mb = -1;
    if (o->speed) {
        size_t n = strspn(o->speed, "0123456789");
        long long v;
        if (n == 0 || o->speed[n] || n > 9 || safe_atolli(o->speed, &v) < 0)
            return og_error_set(err, OG_E_PARAM_TYPE,
                                "The parameter '--speed-limit' type should be a nonnegative "
                                "integer.");
        o->speed_mb = v ? (long)v : 1024; /* 0: GC:376-377 */
    }
    o->max_mib = DEFAULT_MAX_MIB;
    if (o->max_size) {
        long long v;
        if (safe_atolli_range(o->max_size, 1, 4096, &v) < 0)
            return og_error_set(err, OG_E_PARAM_TYPE,
                                "The parameter '--max-size' type should be an integer from 1 to "
                                "4096.");
        o->max_mib = (long)v;
    }
    return 0;
}

/* GC:233-253: -h with -f, the host file's names */
static int check_hosts(struct collector_opts *o, struct og_error *err)
{
    char real[PATH_MAX], *save = NULL;

    if (o->hosts && o->hostfile)
        return og_error_set(err, OG_E_PARAM_CONFLICT,
                            "The parameter '-h' and '-f' can not be used together.");
    if (o->hosts) { /* PP:393-399: split on commas, each name once */
        o->hostfile_text = strdup(o->hosts);
        if (!o->hostfile_text)
            return og_error_set(err, OG_E_NOMEM, "host list");
        for (char *t = strtok_r(o->hostfile_text, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
            bool dup = false;
            for (size_t k = 0; k < o->n_nodes; k++)
                dup = dup || strcmp(o->nodes[k], t) == 0;
            if (!dup && o->n_nodes < CLUSTER_MAX_NODES)
                o->nodes[o->n_nodes++] = t;
        }
        return 0;
    }
    if (!o->hostfile)
        return 0;
    if (!realpath(o->hostfile, real))
        snprintf(real, sizeof(real), "%s", o->hostfile);
    if (fs_read_file(o->hostfile, 1 << 20, &o->hostfile_text, NULL, err) < 0)
        return -err->code;
    for (char *t = strtok_r(o->hostfile_text, "\n", &save); t; t = strtok_r(NULL, "\n", &save)) {
        char *e = t + strlen(t);
        bool dup = false;
        while (*t == ' ' || *t == '\t' || *t == '\r' || *t == '\v' || *t == '\f')
            t++;
        while (e > t && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
            *--e = '\0';
        for (size_t k = 0; k < o->n_nodes; k++)
            dup = dup || strcmp(o->nodes[k], t) == 0;
        if (t[0] && !dup && o->n_nodes < CLUSTER_MAX_NODES)
            o->nodes[o->n_nodes++] = t;
    }
    if (o->n_nodes == 0)
        return og_error_set(err, OG_E_FILE_EMPTY, "The %s cannot be empty.", real);
    return 0;
}

/* Everything GC checks before it touches the cluster, in its order. */
static int check_all(struct collector_opts *o, struct collect_conf *conf, struct og_error *err)
{
    int r = check_values(o, err);

    if (r == 0)
        r = check_hosts(o, err);
    if (r == 0 && o->conf)
        snprintf(o->conf_path, sizeof(o->conf_path), "%s", o->conf);
    else if (r == 0)
        r = collect_conf_default_path(o->conf_path, sizeof(o->conf_path), err);
    if (r == 0)
        r = collect_conf_load(o->conf_path, conf, err);
    if (r == 0 && !o->begin)
        r = og_error_set(err, OG_E_PARAM_REQUIRED,
                         "Incorrect parameter. Parameter '--begin-time' is required for "
                         "[gs_collector].");
    if (r == 0 && !o->end)
        r = og_error_set(err, OG_E_PARAM_REQUIRED,
                         "Incorrect parameter. Parameter '--end-time' is required for "
                         "[gs_collector].");
    if (r == 0 && strcmp(o->end_min, o->begin_min) < 0)
        r = og_error_set(err, OG_E_PARAM_INVALID,
                         "The parameter '--end-time or --begin-time' value is incorrect.The value "
                         "of '--end-time' must be greater than the value of '--begin-time'.");
    return r;
}

/* CI:72-79: the -h / -f names must be nodes (GAUSS-51619 by logExit, on
 * stdout); none given: every node. */
static int pick_nodes(struct collector_opts *o, const struct cluster_config *cfg,
                      struct og_error *err)
{
    if (o->n_nodes == 0) {
        for (size_t k = 0; k < cfg->n_nodes; k++)
            o->nodes[o->n_nodes++] = cfg->nodes[k].name;
        return 0;
    }
    for (size_t k = 0; k < o->n_nodes; k++) {
        const struct cluster_node *cn = clusterconfig_find_node(cfg, o->nodes[k]);
        if (!cn)
            return og_error_set(err, OG_E_NODE_UNKNOWN, "The host name [%s] is not in the cluster.",
                                o->nodes[k]);
        o->nodes[k] = cn->name;
    }
    return 0;
}

/* CI:126-165 checkCommand, for what ogup's bound needs: the node's own
 * gs_collector (it paces its stream; rsync is not used). */
static int check_command(struct transport *t, const char *prog, const struct collector_opts *o)
{
    const char *argv[] = {"test", "-x", prog, NULL};
    struct command_result res[CLUSTER_MAX_NODES];
    struct og_error errs[CLUSTER_MAX_NODES];
    char failed[CLUSTER_MAX_NODES * 80] = "";
    struct transport_run_opts ro = {.timeout_ms = 60 * 1000};

    printf("check gs_collector command.\n");
    memset(res, 0, sizeof(res));
    memset(errs, 0, sizeof(errs));
    transport_run_all(t, o->nodes, o->n_nodes, argv, &ro, res, errs);
    for (size_t k = 0; k < o->n_nodes; k++) {
        if (errs[k].code || res[k].exit_status != 0)
            snprintf(failed + strlen(failed), sizeof(failed) - strlen(failed), "%s'%s'",
                     failed[0] ? ", " : "", o->nodes[k]);
        command_result_done(&res[k]);
    }
    if (!failed[0]) {
        printf("Successfully check gs_collector command.\n");
        return 0;
    }
    printf("gs_collector command not found on hosts: [%s].\n --speed-limit parameters cannot be "
           "used \n",
           failed);
    return -1;
}

/* The node side's argv and the runs it makes (CI doCollector's order, Count
 * times each; Count > 1 of Log, XLog, CoreDump, Config: once). */
struct plan {
    const char **argv;
    size_t argc;
    char (*num)[2][24];
    struct collect_run runs[COLLECT_MAX_RUNS];
    size_t n_runs;
};

static int make_plan(const struct collect_conf *conf, struct plan *p, struct og_error *err)
{
    p->argv = calloc(1 + 5 * conf->n, sizeof(*p->argv));
    p->num = calloc(conf->n + 1, sizeof(*p->num));
    if (!p->argv || !p->num)
        return og_error_set(err, OG_E_NOMEM, "arguments");
    for (int t = 0; t < COLLECT_N_TYPES; t++)
        for (size_t i = 0; i < conf->n; i++) {
            const struct collect_item *it = &conf->items[i];
            long count = it->has_count ? it->count : 1;
            if ((int)it->type != t || t == COLLECT_TRACE)
                continue;
            if (kinds[t].once && count > 1)
                count = 1;
            if (p->n_runs + (size_t)count > COLLECT_MAX_RUNS)
                return og_error_set(err, OG_E_TOO_LARGE,
                                    "The number of collections exceeds its limit of %d.",
                                    COLLECT_MAX_RUNS);
            snprintf(p->num[i][0], sizeof(p->num[i][0]), "%ld", it->interval);
            snprintf(p->num[i][1], sizeof(p->num[i][1]), "%ld", count);
            p->argv[p->argc++] = "--job";
            p->argv[p->argc++] = collect_type_name(it->type);
            p->argv[p->argc++] = p->num[i][0];
            p->argv[p->argc++] = p->num[i][1];
            p->argv[p->argc++] = it->content;
            for (long c = 0; c < count; c++)
                p->runs[p->n_runs++] = (struct collect_run){kinds[t].job, t == COLLECT_PLAN};
        }
    return 0;
}

/* CI:776-921: per item the "do" line, GAUSS-51246, and per run the job's
 * lines (CI resultCheck: failed when a node failed; planResultCheck: done
 * when a node did it). */
static void print_jobs(const struct collect_conf *conf, const struct collect_node *nodes, size_t n)
{
    size_t run = 0;

    for (int t = 0; t < COLLECT_N_TYPES; t++) {
        bool trace = false;
        for (size_t i = 0; i < conf->n; i++) {
            const struct collect_item *it = &conf->items[i];
            long count = it->has_count ? it->count : 1;
            if ((int)it->type != t)
                continue;
            if (t == COLLECT_TRACE) {
                trace = true;
                continue;
            }
            if (it->has_count && kinds[t].long_do)
                printf("do %s check interval %ld : count %ld\n", kinds[t].do_name, it->interval,
                       it->count);
            else if (it->has_count)
                printf("do %s check %ld:%ld\n", kinds[t].do_name, it->interval, it->count);
            if (kinds[t].once && count > 1) {
                printf("[GAUSS-51246] : %s info only support one time collect.\n",
                       collect_type_name(it->type));
                count = 1;
            }
            for (long c = 0; c < count; c++, run++) {
                size_t bad = 0;
                for (size_t k = 0; k < n; k++)
                    bad += collect_run_failed(&nodes[k], run);
                printf("%s\n%s\n", kinds[t].start,
                       (t == COLLECT_PLAN ? bad < n : bad == 0) ? kinds[t].ok : kinds[t].failed);
            }
        }
        if (trace)
            printf("do config check\n");
    }
}

/* Every node's part, at once (CI's per-job SSH calls folded into one). */
static void collect(struct transport *t, const struct cluster_config *cfg,
                    const struct collector_opts *o, struct plan *p, const char *stamp,
                    struct collect_node *nodes)
{
    static char prog[PATH_MAX + 32], bw[32], maxb[32];
    struct command_result res[CLUSTER_MAX_NODES];
    struct og_error errs[CLUSTER_MAX_NODES];
    struct transport_run_opts ro = {.timeout_ms = 60 * 60 * 1000,
                                    .output_max = (size_t)o->max_mib << 20};
    const char *head[] = {"bash",
                          "-c",
                          OM_USER_ENV "exec \"$0\" \"$@\"",
                          prog,
                          "--local-collect",
                          "--stamp",
                          stamp,
                          "--begin",
                          o->begin_min,
                          "--end",
                          o->end_min,
                          "--max-bytes",
                          maxb};
    _cleanup_free_ const char **argv = calloc(ELEMENTSOF(head) + 5 + p->argc, sizeof(*argv));
    size_t k = ELEMENTSOF(head);

    snprintf(prog, sizeof(prog), "%s/script/%s", cfg->tool_path, TOOL);
    snprintf(maxb, sizeof(maxb), "%lld", (long long)o->max_mib << 20);
    if (!argv)
        return;
    memcpy(argv, head, sizeof(head));
    if (o->speed_mb >= 0) { /* the bound shared by the nodes, at least 1 KB/s */
        long long kb = (long long)o->speed_mb * 1024 / (long long)o->n_nodes;
        snprintf(bw, sizeof(bw), "%lld", kb > 0 ? kb : 1);
        argv[k++] = "--bwlimit";
        argv[k++] = bw;
    }
    if (o->keyword && o->keyword[0]) {
        argv[k++] = "--keyword";
        argv[k++] = o->keyword;
    }
    memcpy(argv + k, p->argv, p->argc * sizeof(*argv));
    memset(res, 0, sizeof(res));
    memset(errs, 0, sizeof(errs));
    log_debug("om", "collecting from %zu nodes, window %s..%s", o->n_nodes, o->begin_min,
              o->end_min);
    transport_run_all(t, o->nodes, o->n_nodes, argv, &ro, res, errs);
    for (size_t i = 0; i < o->n_nodes; i++) {
        nodes[i].name = o->nodes[i];
        nodes[i].res = res[i];
        nodes[i].err = errs[i];
        if (!errs[i].code && res[i].exit_status != 0 && strstr(res[i].err, "[OGUP-60010]"))
            og_error_set(&nodes[i].err, OG_E_OUTPUT_LIMIT, "%.*s", /* a nested archive */
                         (int)strcspn(strstr(res[i].err, "[OGUP-60010]"), "\n"),
                         strstr(res[i].err, "[OGUP-60010]"));
        collect_node_parse(&nodes[i]);
        if (!nodes[i].sent)
            log_warn("om", "collection on %s failed: %s", nodes[i].name,
                     nodes[i].err.code ? nodes[i].err.detail
                     : res[i].err      ? res[i].err
                                       : "");
    }
}

static void nodes_done(struct collect_node *nodes, size_t n)
{
    for (size_t k = 0; k < n; k++) {
        command_result_done(&nodes[k].res);
        for (size_t j = 0; j < nodes[k].n_jobs; j++)
            json_object_put(nodes[k].jobs[j]);
    }
}

/* From the configuration parsed on: CI doCollector. */
static int run(struct transport *t, const struct cluster_config *cfg, struct collector_opts *o,
               const struct collect_conf *conf, struct og_error *err)
{
    struct collect_node nodes[CLUSTER_MAX_NODES];
    struct plan p = {0};
    char stamp[32], dir[PATH_MAX], result[PATH_MAX + 64];
    time_t now = time(NULL);
    struct tm tm;
    size_t sent = 0;
    int r = make_plan(conf, &p, err);

    memset(nodes, 0, sizeof(nodes));
    if (r == 0 && o->speed_mb >= 0) {
        char prog[PATH_MAX + 32];
        snprintf(prog, sizeof(prog), "%s/script/%s", cfg->tool_path, TOOL);
        if (check_command(t, prog, o) < 0)
            r = -OG_E_CMD_NOT_FOUND; /* already printed: logExit */
    }
    snprintf(dir, sizeof(dir), "%s",
             o->out ? o->out : (getenv("GAUSSLOG") ? getenv("GAUSSLOG") : cfg->log_path));
    if (r == 0) {
        printf("create Dir.\n");
        r = fs_mkdir_p(dir, 0700, err);
    }
    if (r == 0) {
        printf("Successfully create dir.\n");
        fflush(stdout);
        localtime_r(&now, &tm);
        strftime(stamp, sizeof(stamp), "%Y%m%d_%H%M%S", &tm);
        collect(t, cfg, o, &p, stamp, nodes);
        for (size_t k = 0; k < o->n_nodes; k++)
            if (nodes[k].err.code == OG_E_OUTPUT_LIMIT && r == 0) {
                *err = nodes[k].err; /* over the bound: its own error, never a cut */
                og_error_prefix(err, "The collection of node %s exceeds --max-size=%ld MiB",
                                nodes[k].name, o->max_mib);
                r = -OG_E_OUTPUT_LIMIT;
            }
    }
    if (r == 0) {
        print_jobs(conf, nodes, o->n_nodes);
        for (size_t k = 0; k < o->n_nodes; k++)
            sent += nodes[k].sent;
        printf("Collecting files.\n%s\n", sent ? "Successfully collected files."
                                               : "Failed to collect files: All collection tasks "
                                                 "failed"); /* CI:713-717: goes on */
        snprintf(result, sizeof(result), "%s/collector_%s.tar.gz", dir, stamp);
        r = collect_pack(result, stamp, nodes, o->n_nodes, p.runs, p.n_runs, err);
    }
    if (r == 0)
        printf("All results are stored in %s.\n", result);
    nodes_done(nodes, o->n_nodes);
    free(p.argv);
    free(p.num);
    return r;
}

int tool_gs_collector(int argc, char **argv)
{
    struct collector_opts o = {0};
    struct collect_conf conf = {0};
    struct og_error err = {0};
    struct omopt_result p;
    _cleanup_transport_ struct transport *t = NULL;
    struct cluster_config cfg;
    int r = precheck_not_root(NULL, &err); /* GC:387-388, before anything */

    if (r == 0 && argc > 1 && strcmp(argv[1], "--local-collect") == 0)
        return collector_local_main(argc, argv);
    if (r == 0)
        r = omopt_parse("collector", false, argc, argv, opts, ELEMENTSOF(opts), action, 1, &p,
                        &err);
    if (r < 0)
        return om_fail(TOOL, r, &err);
    if (p.help)
        return usage(0);
    if (p.version)
        return om_version(TOOL);
#define GET(n) omopt_get(&p, opts, ELEMENTSOF(opts), n)
    o.begin = GET("--begin-time");
    o.end = GET("--end-time");
    o.keyword = GET("--keyword");
    o.speed = GET("--speed-limit");
    o.hosts = GET("-h");
    o.hostfile = GET("-f");
    o.out = GET("-o");
    o.log = GET("-l");
    o.conf = GET("-C");
    o.max_size = GET("--max-size");
#undef GET
    r = check_all(&o, &conf, &err);
    if (r == 0 && o.log)
        oglog_open(TOOL, o.log, NULL);
    if (r == 0)
        r = om_open_cluster(&cfg, &t, &err);
    if (r == 0 && pick_nodes(&o, &cfg, &err) < 0) {
        printf("[GAUSS-51619] : %s\n", err.detail); /* logExit: stdout */
        r = -OG_E_NODE_UNKNOWN;
    } else if (r == 0) {
        printf("Successfully parsed the configuration file.\n");
        r = run(t, &cfg, &o, &conf, &err);
    }
    free(o.hostfile_text);
    collect_conf_done(&conf);
    if (r < 0 && r != -OG_E_NODE_UNKNOWN && r != -OG_E_CMD_NOT_FOUND)
        return om_fail(TOOL, r, &err);
    return r < 0 ? 1 : 0;
}
