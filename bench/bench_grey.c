/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * bench_grey - what clients feel during an upgrade, measured side by side in
 * one run on one cluster (as root, libvirtd running): 3.0.0 -> 5.0.0 (large)
 * of 3 nodes under 16 writer clients (ogsim workload: libpq multi-host,
 * following the primary, every acknowledged id logged and checked after):
 *   (a) gs_upgradectl --grey              openGauss's way: the batch's
 *                                         instances killed and restarted together
 *   (b) gs_upgradectl --grey --rolling    ogup's extension: standbys one at a
 *                                         time, one planned switchover
 *   (c) gs_upgradectl (in place)          the cluster read-only, then stopped
 *   (d) a bare script                     the raw operations of (a) alone
 *                                         (bare_grey): issue 18's P2g is a/d
 * Every run starts from the same snapshot and ends with commit-upgrade (in
 * place the cluster is read-only until then). For each: the upgrade's time,
 * the longest interval between two acknowledged writes (the client-visible
 * write gap), per node the longest interval a client of that node alone got
 * no answer to SELECT 1 (the workload's probes, every 50 ms: the node's own
 * restart as its readers feel it), the failed and in-doubt commits, the
 * writers' reconnects (each a retry after a failure), the writes refused as
 * read-only, and the acknowledged writes lost (must be 0). Medians over the
 * rounds.
 *   bench_grey [--rounds N] [--writers W] [--modes abcd] [--json FILE]
 */
#include <json-c/json.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "benchcluster.h"
#include "report.h"
#include "stats.h"
#include "banned.h"

#define NAME  "benchgrey"
#define FROM  "3.0.0"
#define TO    "5.0.0"
#define WLDIR "/tmp/bench_grey_workload"

static struct bench B = {.prog = "bench_grey", .name = NAME};

/* "P=<primary>; S='<standbys>'; D=<datadir>; PORT=<port>" for the bare script */
static char head[1024];

/* (d), after head and bench_bare_lib: the raw operations of the same grey
 * large upgrade (grey.c's steps without the record, the checks and the
 * journal): upgrade_mode=2, the new app unpacked on every node, the catalog
 * SQL (rollback then upgrade scripts) on the old binary, every
 * node's $GAUSSHOME to the new app, a checkpoint, every instance killed and
 * the new binary started with -u <old> (every node at once, as the upgrader
 * does), the upgrade-post SQL.
 * Its "commit" is upgrade_mode=0 (bare_commit, untimed). */
static const char bare_grey[] =
    "ph start\n"
    "each \"gs_guc reload -D $D -c upgrade_mode=2\"\n"
    "install\n"
    "catalog rollback\n"
    "catalog upgrade\n"
    "relink\n"
    "gsql -X -q -h \"$PGHOST\" -p $PORT -d postgres -c CHECKPOINT\n"
    "for n in $P $S; do\n"
    "  on \"$n\" \"p=\\$(head -1 $D/postmaster.pid); k=\\$(pgrep -P \\$p || true); "
    "kill -9 \\$p \\$k 2>/dev/null || true; "
    "for q in \\$p \\$k; do while kill -0 \\$q 2>/dev/null; do sleep 0.02; done; done\"\n"
    "done\n"
    "start_all \"-u $old\"\n"
    "catalog rollback-post\n"
    "catalog upgrade-post\n"
    "ph end\n";

static const char bare_commit[] = "each \"gs_guc reload -D $D -c upgrade_mode=0\"\n";

#define NODES 3

struct mode {
    const char *name, *flags;
    struct series time, gap, failed, doubt, reconnects, ro, lost;
    struct series node_gap[NODES]; /* the workload's probe of each node alone */
};

/* ogsim workload VERB ...; stdout in out (malloc'ed) */
static int workload(const char *verb, int writers, char **out)
{
    char hosts[512], port[16], w[16];
    const char *argv[20];
    size_t n = 0;
    struct command_result res = {0};
    struct og_error err = {0};
    _cleanup_command_ struct command *cmd = NULL;
    int rc;

    sim_hosts_csv(&B.c, hosts, sizeof(hosts));
    snprintf(port, sizeof(port), "%d", B.c.port);
    snprintf(w, sizeof(w), "%d", writers);
    argv[n++] = OGSIM_PATH;
    argv[n++] = "workload";
    argv[n++] = verb;
    argv[n++] = "--state-dir";
    argv[n++] = WLDIR;
    if (strcmp(verb, "start") == 0) {
        const char *more[] = {"--hosts",  hosts,       "--port", port,        "--dbname",
                              "ogsim_wl", "--writers", w,        "--readers", "0"};
        for (size_t i = 0; i < sizeof(more) / sizeof(more[0]); i++)
            argv[n++] = more[i];
    } else if (strcmp(verb, "check") == 0) {
        argv[n++] = "--json";
        argv[n++] = "--catchup-timeout";
        argv[n++] = "120";
    }
    argv[n] = NULL;
    cmd = command_new(argv);
    command_set_timeout_ms(cmd, BENCH_SHORT_TIMEOUT);
    rc = cmd && command_run(cmd, &res, &err) == 0 ? res.exit_status : -1;
    if (out)
        *out = res.out ? strdup(res.out) : NULL;
    if (rc != 0 && strcmp(verb, "check") != 0)
        fprintf(stderr, "bench_grey: workload %s: %s %s\n", verb, res.out ? res.out : "",
                res.err ? res.err : err.detail);
    command_result_done(&res);
    return rc;
}

/* A run that dies (bench_die exits) or a leftover of one leaves no workload
 * running. */
static void stop_workload(void)
{
    workload("stop", 1, NULL);
}

static long long jint(json_object *o, const char *a, const char *b)
{
    json_object *v = NULL;

    if (!json_object_object_get_ex(o, a, &v))
        return -1;
    if (b && !json_object_object_get_ex(v, b, &v))
        return -1;
    return (long long)json_object_get_double(v);
}

static void one_run(struct mode *m, int writers)
{
    char script[16384], *report = NULL, want[64];
    struct og_error err = {0};
    json_object *o, *nodes, *wr;
    long long t, lost = 0;

    if (sim_restore(&B.c, "ready", &err) < 0)
        bench_die(&B, "restore", &err, NULL);
    bench_wait_normal(&B, "restore");
    if (workload("start", writers, NULL) != 0)
        bench_die(&B, "workload start", NULL, NULL);
    sleep(3); /* the clients settle: a gap is measured against a steady flow */
    if (m->flags)
        snprintf(script, sizeof(script),
                 "gs_upgradectl -t auto-upgrade -X /home/omm/clusterconfig.xml %s", m->flags);
    else
        snprintf(script, sizeof(script), "%s%s%s", head, bench_bare_lib, bare_grey);
    t = now_ms();
    if (bench_sh(&B, "node1", "omm", script, BENCH_RUN_TIMEOUT) != 0)
        bench_die(&B, script, NULL, B.res.out);
    add(&m->time, now_ms() - t);
    /* committed, so that in place takes writes again: its gap spans the
     * read-only window and the stop, until the commit */
    /* commit exits 5 grey, 0 in place (UpgradeImpl.py v5.0.0 :4062, :2652) */
    if (m->flags && bench_sh(&B, "node1", "omm",
                             "gs_upgradectl -t commit-upgrade -X /home/omm/clusterconfig.xml",
                             BENCH_RUN_TIMEOUT) != (strstr(m->flags, "--grey") ? 5 : 0))
        bench_die(&B, "commit-upgrade", NULL, B.res.out);
    if (!m->flags) {
        snprintf(script, sizeof(script), "%s%s%s", head, bench_bare_lib, bare_commit);
        if (bench_sh(&B, "node1", "omm", script, BENCH_RUN_TIMEOUT) != 0)
            bench_die(&B, "the bare script's commit", NULL, B.res.err);
    }
    sleep(3);
    if (workload("stop", writers, NULL) != 0 || workload("check", writers, &report) < 0 ||
        !report || !(o = json_tokener_parse(report)))
        bench_die(&B, "workload check", NULL, report);
    add(&m->gap, jint(o, "longest_gap", "ms"));
    json_object_object_get_ex(o, "clients", &wr);
    json_object_object_get_ex(wr, "writer", &wr);
    add(&m->failed, jint(wr, "errors", NULL));
    add(&m->doubt, jint(wr, "in_doubt", NULL));
    add(&m->reconnects, jint(wr, "reconnects", NULL));
    add(&m->ro, jint(wr, "read_only", NULL));
    /* availability[i] is the probe of the i-th host of --hosts: node i+1 */
    if (!json_object_object_get_ex(o, "availability", &nodes) ||
        json_object_array_length(nodes) != NODES)
        bench_die(&B, "workload check: no probe per node", NULL, report);
    for (size_t i = 0; i < NODES; i++)
        add(&m->node_gap[i],
            jint(json_object_array_get_idx(nodes, i), "longest_unavailable_ms", NULL));
    if (json_object_object_get_ex(o, "nodes", &nodes))
        for (size_t i = 0; i < json_object_array_length(nodes); i++)
            lost += jint(json_object_array_get_idx(nodes, i), "lost", NULL);
    add(&m->lost, lost);
    json_object_put(o);
    free(report);
    bench_wait_normal(&B, m->name);
    snprintf(want, sizeof(want), "gaussdb (openGauss %s build ", TO);
    for (size_t i = 0; i < B.c.n_nodes; i++)
        if (bench_sh(&B, B.c.nodes[i].name, "omm", "gaussdb -V", BENCH_SHORT_TIMEOUT) != 0 ||
            !strstr(B.res.out, want))
            bench_die(&B, "version after the upgrade", NULL, B.res.out);
    fprintf(stderr,
            "%s: %lld ms, longest write gap %lld ms, per node %lld/%lld/%lld ms, lost %lld\n",
            m->name, m->time.v[m->time.n - 1], m->gap.v[m->gap.n - 1],
            m->node_gap[0].v[m->node_gap[0].n - 1], m->node_gap[1].v[m->node_gap[1].n - 1],
            m->node_gap[2].v[m->node_gap[2].n - 1], lost);
}

static struct report R;

static void row(const char *what, struct mode *modes, size_t n, size_t off)
{
    printf("  %-32s", what);
    for (size_t i = 0; i < n; i++) {
        const struct series *s = (const struct series *)((char *)&modes[i] + off);
        char key[128];
        printf(" %12lld", median(s));
        snprintf(key, sizeof(key), "%s: %s", modes[i].name, what);
        report_series(&R, key, s, strstr(what, "(ms)") ? "ms" : "count");
    }
    printf("\n");
}

int main(int argc, char **argv)
{
    struct mode modes[] = {
        {.name = "(a) grey", .flags = "--grey"},
        {.name = "(b) grey --rolling", .flags = "--grey --rolling"},
        {.name = "(c) in place", .flags = "--inplace-upgrade"},
        {.name = "(d) bare grey script", .flags = NULL},
    };
    const size_t n = sizeof(modes) / sizeof(modes[0]);
    int rounds = 1, writers = 16;
    const char *only = "abcd"; /* --modes: which of (a)..(d) run */
    long long setup;

    setvbuf(stdout, NULL, _IOLBF, 0);
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--rounds") == 0 && i + 1 < argc) {
            if (bench_opt_int("bench_grey", "--rounds", argv[++i], 1, MAX_ROUNDS, &rounds) < 0)
                return 2;
        } else if (strcmp(argv[i], "--writers") == 0 && i + 1 < argc) {
            if (bench_opt_int("bench_grey", "--writers", argv[++i], 1, 255, &writers) < 0)
                return 2;
        } else if (strcmp(argv[i], "--json") == 0 && i + 1 < argc)
            R.json_path = argv[++i];
        else if (strcmp(argv[i], "--modes") == 0 && i + 1 < argc)
            only = argv[++i];
        else {
            fprintf(stderr, "usage: bench_grey [--rounds N] [--writers W] [--modes abcd] "
                            "[--json FILE]\n");
            return 2;
        }
    }
    report_init(&R, "bench_grey", rounds);
    stop_workload();
    atexit(stop_workload);
    report_progress(&R, "setup: cluster %s %s, the %s package, snapshot", NAME, FROM, TO);
    setup = bench_setup(&B, FROM, TO, 2);
    bench_head(&B, head, sizeof(head));
    for (int r = 0; r < rounds; r++)
        for (size_t k = 0; k < n; k++) {
            struct mode *m = &modes[(k + (size_t)r) % n]; /* the order rotates */
            if (!strchr(only, m->name[1]))
                continue;
            report_progress(&R, "round %d/%d: %s", r + 1, rounds, m->name);
            one_run(m, writers);
        }
    sim_down(NAME, NULL, NULL);
    command_result_done(&B.res);

    printf("%s -> %s (large), 3 nodes, %d writer clients: what clients feel\n"
           "(%d rounds, order rotated; medians; setup %lld ms)\n",
           FROM, TO, writers, rounds, setup);
    printf("  %-32s %12s %12s %12s %12s\n", "", "grey", "--rolling", "in place", "bare grey");
    row("upgrade (ms)", modes, n, offsetof(struct mode, time));
    row("longest write gap (ms)", modes, n, offsetof(struct mode, gap));
    for (size_t i = 0; i < NODES; i++) {
        char what[64];
        snprintf(what, sizeof(what), "%s unanswered (ms)", B.c.nodes[i].name);
        row(what, modes, n, offsetof(struct mode, node_gap) + i * sizeof(struct series));
    }
    row("failed commits", modes, n, offsetof(struct mode, failed));
    row("in-doubt commits", modes, n, offsetof(struct mode, doubt));
    row("writer reconnects (retries)", modes, n, offsetof(struct mode, reconnects));
    row("refused as read-only", modes, n, offsetof(struct mode, ro));
    row("acknowledged writes lost", modes, n, offsetof(struct mode, lost));
    if (modes[0].gap.n && modes[1].gap.n && modes[2].gap.n)
        printf("ratios of the longest write gap:\n  grey / in place   %.3f\n  rolling / grey    "
               "%.3f\n",
               (double)median(&modes[0].gap) / (double)(median(&modes[2].gap) ?: 1),
               (double)median(&modes[1].gap) / (double)(median(&modes[0].gap) ?: 1));
    {
        struct ratio q = ratio_of(&modes[0].time, &modes[3].time, true);
        report_ratio(&R, "grey_over_bare", &q);
        printf("targets (issue 18):\n");
        report_target(&R, "P2g", "grey auto-upgrade / its bare script (3 nodes, large)", &q, 1.15,
                      "x");
    }
    for (size_t i = 0; i < n; i++)
        if (median(&modes[i].lost) != 0) {
            fprintf(stderr, "bench_grey: %s lost acknowledged writes\n", modes[i].name);
            return 1;
        }
    return report_finish(&R) < 0 ? 1 : 0;
}
