/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * bench_catalog - the catalog phase of a large in-place upgrade (2.0.0 ->
 * 3.0.0, 3 nodes) against the number of databases, and what --parallel buys:
 * on one cluster restored from one of two snapshots before every run,
 *   (a) 10 user databases, the default --parallel;
 *   (b) 100 user databases, the default --parallel;
 *   (c) 100 user databases, --parallel 1 (openGauss's one by one).
 * The catalog phase is the catalog step plus the post-catalog step, cut out
 * of gs_upgradectl's own output at its "Progress report" lines (stamped as
 * they are written). Prints medians, the paired ratios b/a (issue 18's P3,
 * target <= 5, linear would be 10) and c/b, and --json.
 *   bench_catalog [--rounds N] [--json FILE]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "benchcluster.h"
#include "report.h"
#include "banned.h"

#define NAME "benchcat"
#define FROM "2.0.0"
#define TO   "3.0.0"
#define FEW  10
#define MANY 100

static struct bench B = {.prog = "bench_catalog", .name = NAME, .data_mib = 2560};
static struct report R;

/* The catalog and post-catalog steps (the 6th and the 8th of the 10-step
 * plan) end at these progress lines; each begins at the one before. */
#define PR(n) "Progress report: (" #n "%)"

/* One upgrade from snapshot snap with flags: the catalog phase in ms. */
static long long one_run(const char *snap, const char *flags, struct series *total)
{
    char script[1024];
    struct og_error err = {0};
    long long st[4], t;
    const char *marks[] = {PR(50), PR(60), PR(70), PR(80)};

    if (sim_restore(&B.c, snap, &err) < 0)
        bench_die(&B, "restore", &err, NULL);
    bench_wait_normal(&B, "restore");
    bench_upgradectl_stamped(script, sizeof(script), flags);
    t = now_ms();
    if (bench_sh(&B, "node1", "omm", script, BENCH_RUN_TIMEOUT) != 0)
        bench_die(&B, "gs_upgradectl -t auto-upgrade", NULL, B.res.out);
    add(total, now_ms() - t);
    for (size_t i = 0; i < ELEMENTSOF(marks); i++)
        if ((st[i] = bench_stamp(B.res.out, marks[i])) < 0)
            bench_die(&B, marks[i], NULL, B.res.out);
    if (bench_sh(&B, "node1", "omm",
                 "for d in $(gsql -d postgres -X -A -t -c 'SELECT datname FROM pg_database WHERE "
                 "datallowconn'); do gsql -d \"$d\" -X -A -t -c 'SELECT num FROM "
                 "og_catalog.catalog_version'; done | sort -u",
                 BENCH_SHORT_TIMEOUT) != 0 ||
        strcmp(B.res.out, "92605\n") != 0)
        bench_die(&B, "a database's catalog is not 3.0.0's", NULL, B.res.out);
    return ((st[1] - st[0]) + (st[3] - st[2]) + 500) / 1000;
}

int main(int argc, char **argv)
{
    struct series a = {.name = "(a) 10 databases"}, b = {.name = "(b) 100 databases"},
                  c = {.name = "(c) 100 databases, --parallel 1"}, ta = {0}, tb = {0}, tc = {0};
    char create[512];
    struct og_error err = {0};
    int rounds = 3;

    setvbuf(stdout, NULL, _IOLBF, 0);
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--rounds") == 0 && i + 1 < argc) {
            if (bench_opt_int("bench_catalog", "--rounds", argv[++i], 1, MAX_ROUNDS, &rounds) < 0)
                return 2;
        } else if (strcmp(argv[i], "--json") == 0 && i + 1 < argc)
            R.json_path = argv[++i];
        else {
            fprintf(stderr, "usage: bench_catalog [--rounds N] [--json FILE]\n");
            return 2;
        }
    }
    report_init(&R, "bench_catalog", rounds);
    report_progress(&R, "setup: cluster %s %s with %d databases, the %s package", NAME, FROM, FEW,
                    TO);
    bench_setup(&B, FROM, TO, FEW);
    report_progress(&R, "setup: %d more databases, snapshot", MANY - FEW);
    snprintf(create, sizeof(create),
             "set -e; for i in $(seq %d %d); do echo \"CREATE DATABASE extra$i STRATEGY "
             "file_copy;\"; done | gsql -d postgres -X -q -v ON_ERROR_STOP=1",
             FEW + 1, MANY);
    if (bench_sh(&B, "node1", "omm", create, BENCH_RUN_TIMEOUT) != 0)
        bench_die(&B, "create databases", NULL, B.res.err);
    if (sim_snapshot(&B.c, "many", &err) < 0)
        bench_die(&B, "snapshot", &err, NULL);
    for (int r = 0; r < rounds; r++)
        for (int k = 0; k < 3; k++) {
            int which = (k + r) % 3; /* the order rotates */
            report_progress(&R, "round %d/%d: %s", r + 1, rounds,
                            which == 0   ? a.name
                            : which == 1 ? b.name
                                         : c.name);
            if (which == 0)
                add(&a, one_run("ready", "", &ta));
            else if (which == 1)
                add(&b, one_run("many", "", &tb));
            else
                add(&c, one_run("many", "--parallel 1", &tc));
        }
    sim_down(NAME, NULL, NULL);
    command_result_done(&B.res);

    printf("catalog phase (catalog + post-catalog steps) of %s -> %s, 3 nodes\n"
           "(%d rounds, order rotated; medians; min..max)\n",
           FROM, TO, rounds);
    for (struct series *s = &a; s; s = s == &a ? &b : s == &b ? &c : NULL) {
        printf("  %-36s %7lld ms   (%lld..%lld, n=%d)\n", s->name, median(s), series_min(s),
               series_max(s), s->n);
        report_series(&R, s->name, s, "ms");
    }
    report_series(&R, "(a) whole upgrade", &ta, "ms");
    report_series(&R, "(b) whole upgrade", &tb, "ms");
    report_series(&R, "(c) whole upgrade", &tc, "ms");
    {
        struct ratio ba = ratio_of(&b, &a, true), cb = ratio_of(&c, &b, true);
        report_ratio(&R, "many_over_few", &ba);
        report_ratio(&R, "one_by_one_over_parallel", &cb);
        printf("ratios (paired by round):\n  (c) / (b), one by one / parallel   %.2f "
               "(%.2f..%.2f)\n",
               cb.value, cb.lo, cb.hi);
        printf("targets (issue 18):\n");
        report_target(&R, "P3", "catalog phase, 100 user databases / 10", &ba, 5.0, "x");
    }
    return report_finish(&R) < 0 ? 1 : 0;
}
