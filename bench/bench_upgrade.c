/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * bench_upgrade - what gs_upgradectl costs over the raw operations of the
 * same upgrade, measured side by side in one run on one cluster (as root,
 * libvirtd running):
 *   (a) `gs_upgradectl -t auto-upgrade` as omm on node1: the in-place large
 *       upgrade 2.0.0 -> 3.0.0 of 3 nodes with 3 user databases;
 *   (b) a bare bash script as omm on node1 doing only the raw operations:
 *       stop the datanodes, switch $GAUSSHOME on every node, start in
 *       upgrade mode, the catalog SQL on every database, restart normally.
 * The cluster is brought up once, the 3.0.0 package preinstalled, then
 * snapshotted; every run starts from that snapshot. Both ends are verified
 * the same way (every node's gaussdb -V, gs_om status Normal, every
 * database's catalog version). Prints medians with the spread, the ratio
 * a/b, and where the time goes, phase by phase.
 *   bench_upgrade [--rounds N]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "benchcluster.h"
#include "report.h"
#include "banned.h"

#define NAME          "benchup"
#define FROM          "2.0.0"
#define TO            "3.0.0"
#define RUN_TIMEOUT   BENCH_RUN_TIMEOUT
#define SHORT_TIMEOUT BENCH_SHORT_TIMEOUT

static struct report R;

static void print_series(const struct series *s, const char *key)
{
    printf("  %-34s %7lld ms   (%lld..%lld, n=%d)\n", s->name, median(s), series_min(s),
           series_max(s), s->n);
    report_series(&R, key, s, "ms");
}

/* Both scripts print "@<epoch usec> <text>" lines (bench_upgradectl_stamped,
 * bench_bare_lib's ph) so the phases can be told apart afterwards. */

/* After the head and bench_bare_lib: the raw operations of the in-place
 * upgrade in the upgrader's order (inplace.c's steps without the record, the
 * checks, the backups and the journal), stamped at each phase: stop, the new
 * app unpacked, the old binary started with upgrade_mode=1 and the catalog
 * SQL run on it (the rollback scripts first, then the upgrade ones, as
 * openGauss and the upgrader run them), stop, $GAUSSHOME switched, the new
 * binary started, the rollback-post then the upgrade-post SQL. Whatever the
 * upgrader does on every node at once (stop, start, GUC reloads: openGauss
 * too), the script does at once as well. */
static const char bare_script[] = "ph start\n"
                                  "each \"gs_ctl stop -D $D -m fast\"\n"
                                  "ph stopped\n"
                                  "install\n"
                                  "ph installed\n"
                                  "start_all\n"
                                  "each \"gs_guc reload -D $D -c upgrade_mode=1\"\n"
                                  "ph started\n"
                                  "catalog rollback\n"
                                  "catalog upgrade\n"
                                  "ph catalog\n"
                                  "each \"gs_ctl stop -D $D -m fast\"\n"
                                  "relink\n"
                                  "start_all\n"
                                  "ph switched\n"
                                  "catalog rollback-post\n"
                                  "catalog upgrade-post\n"
                                  "ph end\n";

/* Every database's catalog is the new kernel's number. */
static const char catalog_check[] =
    "want=$(sed -n 2p \"$GPHOME/version.cfg\" | tr -d .)\n"
    "for d in $(gsql -X -tA -d postgres -c 'SELECT datname FROM pg_database ORDER BY 1'); do\n"
    "  v=$(gsql -X -tA -d \"$d\" -c 'SELECT max(num) FROM og_catalog.catalog_version') || exit 1\n"
    "  [ \"$v\" = \"$want\" ] || { echo \"$d: catalog $v, want $want\"; exit 1; }\n"
    "done\n";

static struct bench B = {.prog = "bench_upgrade", .name = NAME};

/* The same end for both: every node runs TO, Normal, every catalog new. */
static long long verify(const struct sim_cluster *c, const char *what)
{
    char want[64];
    long long normal = bench_wait_normal(&B, what);

    snprintf(want, sizeof(want), "gaussdb (openGauss %s build ", TO);
    for (size_t i = 0; i < c->n_nodes; i++)
        if (bench_sh(&B, c->nodes[i].name, "omm", "gaussdb -V", SHORT_TIMEOUT) != 0 ||
            !strstr(B.res.out, want)) {
            fprintf(stderr, "bench_upgrade: after %s, %s does not run %s\n", what, c->nodes[i].name,
                    TO);
            bench_die(&B, "version", NULL, B.res.out);
        }
    if (bench_sh(&B, "node1", "omm", catalog_check, SHORT_TIMEOUT) != 0) {
        fprintf(stderr, "bench_upgrade: after %s, a catalog is not %s's\n", what, TO);
        bench_die(&B, "catalog", NULL, B.res.out);
    }
    return normal;
}

/* The phases: markers in (a)'s and (b)'s output, NULL where the run has no
 * such phase. gs_upgradectl reports after each of its 10 steps (record,
 * stop-cluster, backup, install, start, catalog, switch-bin, post-catalog,
 * post-check, pre-commit: 10%, 20%, ...). */
struct phase {
    const char *name;
    const char *a_from, *a_to, *b_from, *b_to;
    struct series a, b;
};

#define PR(n) "Progress report: (" #n "%)"

static struct phase phases[] = {
    {.name = "setup + strategy", .a_from = "phase start", .a_to = "Upgrade from "},
    {.name = "pre-checks + record", .a_from = "Upgrade from ", .a_to = PR(10)},
    {.name = "stop datanodes",
     .a_from = PR(10),
     .a_to = PR(20),
     .b_from = "phase start",
     .b_to = "phase stopped"},
    {.name = "back up (conf, app, catalog)", .a_from = PR(20), .a_to = PR(30)},
    {.name = "install the new app",
     .a_from = PR(30),
     .a_to = PR(40),
     .b_from = "phase stopped",
     .b_to = "phase installed"},
    {.name = "start, upgrade_mode=1",
     .a_from = PR(40),
     .a_to = PR(50),
     .b_from = "phase installed",
     .b_to = "phase started"},
    {.name = "catalog SQL (old binary)",
     .a_from = PR(50),
     .a_to = PR(60),
     .b_from = "phase started",
     .b_to = "phase catalog"},
    {.name = "stop, switch, start new",
     .a_from = PR(60),
     .a_to = PR(70),
     .b_from = "phase catalog",
     .b_to = "phase switched"},
    {.name = "post catalog SQL",
     .a_from = PR(70),
     .a_to = PR(80),
     .b_from = "phase switched",
     .b_to = "phase end"},
    {.name = "post-check", .a_from = PR(80), .a_to = PR(90)},
    {.name = "pre-commit + exit", .a_from = PR(90), .a_to = "phase end"},
};

#define N_PHASES (sizeof(phases) / sizeof(phases[0]))

static void add_phases(const char *out, bool a, long long total_ms, struct series *outside)
{
    long long s = bench_stamp(out, "phase start"), e = bench_stamp(out, "phase end");

    for (size_t i = 0; i < N_PHASES; i++) {
        struct phase *p = &phases[i];
        const char *from = a ? p->a_from : p->b_from, *to = a ? p->a_to : p->b_to;
        long long f, t;
        if (!from)
            continue;
        f = bench_stamp(out, from);
        t = bench_stamp(out, to);
        if (f >= 0 && t >= f)
            add(a ? &p->a : &p->b, (t - f + 500) / 1000);
    }
    if (s >= 0 && e >= s)
        add(outside, total_ms - (e - s + 500) / 1000);
}

static void print_phase(const struct series *s)
{
    if (s->n)
        printf(" %7lld", median(s));
    else
        printf(" %7s", "-");
}

/* What every round measures: (a) and (b), the restore before each, what
 * gs_om says after, the exec and login shell outside the scripts' phases. */
struct measured {
    struct series ta, tb, rest, na, nb, oa, ob;
};

/* --rounds N, --json FILE (--version is refused politely: the versions are
 * fixed); 0, or the exit code 2. */
static int parse_args(int argc, char **argv, int *rounds)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--rounds") == 0 && i + 1 < argc) {
            if (bench_opt_int("bench_upgrade", "--rounds", argv[++i], 1, MAX_ROUNDS / 2, rounds) <
                0)
                return 2;
        } else if (strcmp(argv[i], "--version") == 0 && i + 1 < argc) {
            fprintf(stderr, "bench_upgrade: --version %s ignored: the upgrade is %s -> %s\n",
                    argv[++i], FROM, TO);
        } else if (strcmp(argv[i], "--json") == 0 && i + 1 < argc) {
            R.json_path = argv[++i];
        } else {
            fprintf(stderr, "usage: bench_upgrade [--rounds N] [--json FILE]\n");
            return 2;
        }
    }
    return 0;
}

/* Round r: (a) and (b) from the snapshot, a first in even rounds. */
static void one_round(struct measured *m, int r, int rounds, const char *head)
{
    char script[16384];
    struct og_error err = {0};

    for (int k = 0; k < 2; k++) {
        bool a = (k == 0) == (r % 2 == 0); /* a first in even rounds */
        long long t, total;
        if (a)
            bench_upgradectl_stamped(script, sizeof(script), "");
        else
            snprintf(script, sizeof(script), "%s%s%s", head, bench_bare_lib, bare_script);
        report_progress(&R, "round %d/%d: restore, then %s", r + 1, rounds,
                        a ? "(a) gs_upgradectl" : "(b) the bare script");
        t = now_ms();
        if (sim_restore(&B.c, "ready", &err) < 0)
            bench_die(&B, "restore", &err, NULL);
        add(&m->rest, now_ms() - t);
        bench_wait_normal(&B, "restore");

        t = now_ms();
        if (bench_sh(&B, "node1", "omm", script, RUN_TIMEOUT) != 0)
            bench_die(&B, a ? "gs_upgradectl -t auto-upgrade" : "the bare script", NULL, B.res.out);
        total = now_ms() - t;
        add(a ? &m->ta : &m->tb, total);
        add_phases(B.res.out, a, total, a ? &m->oa : &m->ob);
        add(a ? &m->na : &m->nb, verify(&B.c, a ? "gs_upgradectl" : "the bare script"));
        report_progress(&R, "round %d/%d: %s %lld ms", r + 1, rounds, a ? "(a)" : "(b)", total);
    }
}

/* The phases' medians, (a) beside (b), printed and recorded. */
static void print_phases(const struct measured *m)
{
    printf("phases (medians, ms; stamped in node1's shell):\n");
    printf("  %-34s %7s %7s\n", "", "(a)", "(b)");
    for (size_t i = 0; i < N_PHASES; i++) {
        printf("  %-34s", phases[i].name);
        print_phase(&phases[i].a);
        print_phase(&phases[i].b);
        printf("\n");
    }
    printf("  %-34s", "exec + login shell");
    print_phase(&m->oa);
    print_phase(&m->ob);
    printf("\n");
    for (size_t i = 0; i < N_PHASES; i++) {
        char key[96];
        snprintf(key, sizeof(key), "phase %s (a)", phases[i].name);
        if (phases[i].a.n)
            report_series(&R, key, &phases[i].a, "ms");
        snprintf(key, sizeof(key), "phase %s (b)", phases[i].name);
        if (phases[i].b.n)
            report_series(&R, key, &phases[i].b, "ms");
    }
}

int main(int argc, char **argv)
{
    struct measured m = {
        .ta = {.name = "(a) gs_upgradectl auto-upgrade"},
        .tb = {.name = "(b) bare operations script"},
        .rest = {.name = "restore from snapshot"},
        .na = {.name = "Normal after (a)"},
        .nb = {.name = "Normal after (b)"},
        .oa = {.name = "exec + login shell (a)"},
        .ob = {.name = "exec + login shell (b)"},
    };
    char head[1024];
    long long setup;
    struct ratio q;
    int rounds = 3, r;

    setvbuf(stdout, NULL, _IOLBF, 0);
    r = parse_args(argc, argv, &rounds);
    if (r != 0)
        return r;
    report_init(&R, "bench_upgrade", rounds);
    report_progress(&R, "setup: cluster %s %s, the %s package, snapshot", NAME, FROM, TO);
    /* the cluster, the new package preinstalled, the snapshot every run starts from */
    setup = bench_setup(&B, FROM, TO, 3);
    bench_head(&B, head, sizeof(head));
    for (int k = 0; k < rounds; k++)
        one_round(&m, k, rounds, head);
    sim_down(NAME, NULL, NULL);
    command_result_done(&B.res);

    printf("in-place upgrade %s -> %s (large), 3 nodes, 3 user databases: gs_upgradectl vs the "
           "bare operations\n(%d rounds, order alternated; medians; min..max; setup %lld ms)\n",
           FROM, TO, rounds, setup);
    print_series(&m.ta, "upgradectl");
    print_series(&m.tb, "bare");
    print_series(&m.rest, "restore");
    print_series(&m.na, "normal_after_a");
    print_series(&m.nb, "normal_after_b");
    q = ratio_of(&m.ta, &m.tb, true);
    report_ratio(&R, "upgradectl_over_bare", &q);
    printf("ratio (paired by round: median of the per-round ratios, their range):\n");
    printf("  (a) / (b), the upgrader's overhead   %.2f (%.2f..%.2f)   (+%lld ms)\n", q.value, q.lo,
           q.hi, median(&m.ta) - median(&m.tb));
    print_phases(&m);
    printf("targets (issue 18):\n");
    report_target(&R, "P2", "in-place auto-upgrade / its bare script (3 nodes, large)", &q, 1.10,
                  "x");
    return report_finish(&R) < 0 ? 1 : 0;
}
