/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * bench_sim - what the simulator costs, measured side by side in one run on
 * this machine (as root, libvirtd running):
 *   node power-on (domain create -> sshd answers), instance start (gs_ctl
 *   start with its catalog check), 1-node and 3-node `up`, snapshot, restore.
 * Prints each median with the spread, then ratios between them.
 *   bench_sim [--rounds N] [--version V]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "simcluster.h"
#include "stats.h"

static void die(const char *what, const struct og_error *err)
{
    char msg[OG_ERROR_DETAIL_MAX + 64];

    fprintf(stderr, "bench_sim: %s: %s\n", what, og_error_format(err, msg, sizeof(msg)));
    sim_down("bench1", NULL, NULL);
    sim_down("bench3", NULL, NULL);
    exit(1);
}

int main(int argc, char **argv)
{
    struct series up1 = {.name = "up, 1 node"}, up3 = {.name = "up, 3 nodes"},
                  node = {.name = "node power-on"}, inst = {.name = "instance start"},
                  snap = {.name = "snapshot, 3 nodes"}, rest = {.name = "restore, 3 nodes"};
    struct series *all[] = {&node, &inst, &up1, &up3, &snap, &rest};
    const char *version = "2.0.0";
    struct og_error err = {0};
    struct sim_cluster c;
    int rounds = 3;

    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--rounds") == 0 && i + 1 < argc)
            rounds = atoi(argv[++i]);
        else if (strcmp(argv[i], "--version") == 0 && i + 1 < argc)
            version = argv[++i];
        else {
            fprintf(stderr, "usage: bench_sim [--rounds N] [--version V]\n");
            return 2;
        }
    }
    if (rounds < 1 || rounds > MAX_ROUNDS)
        rounds = 3;
    sim_down("bench1", NULL, NULL);
    sim_down("bench3", NULL, NULL);

    for (int r = 0; r < rounds; r++) {
        struct sim_up_opts o = {.name = "bench1",
                                .nodes = 1,
                                .version = version,
                                .databases = 1,
                                .data_mib = 256,
                                .quiet = true};
        long long t = now_ms();
        if (sim_up(&o, &c, &err) < 0)
            die("up 1", &err);
        up1.v[up1.n++] = now_ms() - t;
        if (sim_down("bench1", NULL, &err) < 0)
            die("down 1", &err);
    }
    {
        struct sim_up_opts o = {.name = "bench3",
                                .nodes = 3,
                                .version = version,
                                .databases = 2,
                                .data_mib = 256,
                                .quiet = true};
        for (int r = 0; r < rounds; r++) {
            long long t = now_ms();
            if (sim_up(&o, &c, &err) < 0)
                die("up 3", &err);
            up3.v[up3.n++] = now_ms() - t;
            if (r + 1 < rounds && sim_down("bench3", NULL, &err) < 0)
                die("down 3", &err);
        }
    }
    for (int r = 0; r < rounds; r++) {
        long long t = now_ms();
        if (sim_snapshot(&c, "bench", &err) < 0)
            die("snapshot", &err);
        snap.v[snap.n++] = now_ms() - t;
    }
    for (int r = 0; r < rounds * 2 && r < MAX_ROUNDS; r++) {
        long long t = now_ms();
        if (sim_restore(&c, "bench", &err) < 0)
            die("restore", &err);
        rest.v[rest.n++] = now_ms() - t;
    }
    for (int r = 0; r < rounds * 2 && r < MAX_ROUNDS; r++) {
        const char *stop[] = {"gs_ctl", "stop", "-D", c.datadir, NULL};
        const char *start[] = {"gs_ctl", "start", "-D", c.datadir, NULL};
        struct command_result res = {0};
        long long t;

        if (sim_exec(&c, "node3", "omm", stop, 60000, &res, &err) < 0)
            die("stop", &err);
        command_result_done(&res);
        t = now_ms();
        if (sim_exec(&c, "node3", "omm", start, 60000, &res, &err) < 0 || res.exit_status != 0)
            die("instance start", &err);
        inst.v[inst.n++] = now_ms() - t;
        command_result_done(&res);
    }
    for (int r = 0; r < rounds * 2 && r < MAX_ROUNDS; r++) {
        long long t;
        if (sim_node_power(&c, "node3", false, &err) < 0)
            die("power off", &err);
        t = now_ms();
        if (sim_node_power(&c, "node3", true, &err) < 0)
            die("power on", &err);
        node.v[node.n++] = now_ms() - t;
    }
    sim_down("bench3", NULL, NULL);

    printf("ogsim benchmark (openGauss %s, %d rounds, medians; min..max)\n", version, rounds);
    for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
        struct series *s = all[i];
        long long m = median(s);
        printf("  %-20s %7lld ms   (%lld..%lld, n=%d)\n", s->name, m, s->v[0], s->v[s->n - 1],
               s->n);
    }
    printf("ratios:\n");
    printf("  restore / up (3 nodes)          %.2f\n",
           (double)median(&rest) / (double)median(&up3));
    printf("  up 3 nodes / up 1 node          %.2f\n", (double)median(&up3) / (double)median(&up1));
    printf("  restore / instance start        %.2f\n",
           (double)median(&rest) / (double)median(&inst));
    printf("  instance start / node power-on  %.2f\n",
           (double)median(&inst) / (double)median(&node));
    return 0;
}
