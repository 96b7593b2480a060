/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * bench_sim - what the simulator costs, measured side by side in one run on
 * this machine (as root, libvirtd running), for each driver (LXC containers,
 * QEMU VMs):
 *   node power-on (domain create -> sshd answers), instance start (gs_ctl
 *   start with its catalog check), 1-node and 3-node `up`, snapshot, restore.
 * Prints each median with the spread per driver, the QEMU/LXC ratio of
 * each, then ratios between them.
 *   bench_sim [--rounds N] [--version V] [--drivers lxc,qemu]
 * (default: both, QEMU only when its guest kernel is installed).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "report.h"
#include "simcluster.h"
#include "vmimage.h"

enum { NODE, INST, UP1, UP3, SNAP, REST, N_SERIES };

static const char *const series_names[N_SERIES] = {"node power-on",     "instance start",
                                                   "up, 1 node",        "up, 3 nodes",
                                                   "snapshot, 3 nodes", "restore, 3 nodes"};

static void die(const char *what, const struct og_error *err)
{
    char msg[OG_ERROR_DETAIL_MAX + 64];

    fprintf(stderr, "bench_sim: %s: %s\n", what, og_error_format(err, msg, sizeof(msg)));
    sim_down("bench1", NULL, NULL);
    sim_down("bench3", NULL, NULL);
    exit(1);
}

static struct report R;

static const char *const series_keys[N_SERIES] = {"power_on", "instance_start", "up1",
                                                  "up3",      "snapshot3",      "restore3"};

static void progress(const char *driver, const char *what, int r, int rounds)
{
    report_progress(&R, "%s: %s, round %d/%d", driver, what, r + 1, rounds);
}

static void ups(const char *driver, const char *version, int rounds, struct series *s,
                struct sim_cluster *c)
{
    struct og_error err = {0};

    for (int r = 0; r < rounds; r++) {
        struct sim_up_opts o = {.name = "bench1",
                                .nodes = 1,
                                .version = version,
                                .driver = driver,
                                .databases = 1,
                                .data_mib = 256,
                                .quiet = true};
        long long t = now_ms();
        progress(driver, "up 1 node", r, rounds);
        if (sim_up(&o, c, &err) < 0)
            die("up 1", &err);
        s[UP1].v[s[UP1].n++] = now_ms() - t;
        if (sim_down("bench1", NULL, &err) < 0)
            die("down 1", &err);
    }
    for (int r = 0; r < rounds; r++) {
        struct sim_up_opts o = {.name = "bench3",
                                .nodes = 3,
                                .version = version,
                                .driver = driver,
                                .databases = 2,
                                .data_mib = 256,
                                .quiet = true};
        long long t = now_ms();
        progress(driver, "up 3 nodes", r, rounds);
        if (sim_up(&o, c, &err) < 0)
            die("up 3", &err);
        s[UP3].v[s[UP3].n++] = now_ms() - t;
        if (r + 1 < rounds && sim_down("bench3", NULL, &err) < 0)
            die("down 3", &err);
    }
}

/* Every series of one driver; the 3-node cluster is down at the end. */
static void measure(const char *driver, const char *version, int rounds, struct series *s)
{
    struct og_error err = {0};
    struct sim_cluster c;
    int twice = rounds * 2 < MAX_ROUNDS ? rounds * 2 : MAX_ROUNDS;

    ups(driver, version, rounds, s, &c);
    for (int r = 0; r < rounds; r++) {
        long long t = now_ms();
        progress(driver, "snapshot", r, rounds);
        if (sim_snapshot(&c, "bench", &err) < 0)
            die("snapshot", &err);
        s[SNAP].v[s[SNAP].n++] = now_ms() - t;
    }
    for (int r = 0; r < twice; r++) {
        long long t = now_ms();
        progress(driver, "restore", r, twice);
        if (sim_restore(&c, "bench", &err) < 0)
            die("restore", &err);
        s[REST].v[s[REST].n++] = now_ms() - t;
    }
    for (int r = 0; r < twice; r++) {
        const char *stop[] = {"gs_ctl", "stop", "-D", c.datadir, NULL};
        const char *start[] = {"gs_ctl", "start", "-D", c.datadir, NULL};
        struct command_result res = {0};
        long long t;

        progress(driver, "instance start", r, twice);
        if (sim_exec(&c, "node3", "omm", stop, 120000, &res, &err) < 0)
            die("stop", &err);
        command_result_done(&res);
        t = now_ms();
        if (sim_exec(&c, "node3", "omm", start, 300000, &res, &err) < 0 || res.exit_status != 0)
            die("instance start", &err);
        s[INST].v[s[INST].n++] = now_ms() - t;
        command_result_done(&res);
    }
    for (int r = 0; r < twice; r++) {
        long long t;
        progress(driver, "node power-on", r, twice);
        if (sim_node_power(&c, "node3", false, &err) < 0)
            die("power off", &err);
        t = now_ms();
        if (sim_node_power(&c, "node3", true, &err) < 0)
            die("power on", &err);
        s[NODE].v[s[NODE].n++] = now_ms() - t;
    }
    sim_down("bench3", NULL, NULL);
}

static void print_driver(const char *driver, const char *name, struct series *s)
{
    printf("%s:\n", name);
    for (int i = 0; i < N_SERIES; i++) {
        char key[64];
        printf("  %-20s %7lld ms   (%lld..%lld, n=%d)\n", series_names[i], median(&s[i]),
               series_min(&s[i]), series_max(&s[i]), s[i].n);
        snprintf(key, sizeof(key), "%s.%s", driver, series_keys[i]);
        report_series(&R, key, &s[i], "ms");
    }
    printf("  ratios: restore/up3 %.2f, up3/up1 %.2f, restore/instance start %.2f, "
           "instance start/node power-on %.2f\n",
           (double)median(&s[REST]) / (double)median(&s[UP3]),
           (double)median(&s[UP3]) / (double)median(&s[UP1]),
           (double)median(&s[REST]) / (double)median(&s[INST]),
           (double)median(&s[INST]) / (double)median(&s[NODE]));
}

int main(int argc, char **argv)
{
    static struct series lxc[N_SERIES], qemu[N_SERIES];
    const char *version = "2.0.0", *drivers = NULL;
    bool do_lxc, do_qemu;
    struct vm_kernel k;
    int rounds = 3;

    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--rounds") == 0 && i + 1 < argc) {
            if (bench_opt_int("bench_sim", "--rounds", argv[++i], 1, MAX_ROUNDS, &rounds) < 0)
                return 2;
        } else if (strcmp(argv[i], "--version") == 0 && i + 1 < argc)
            version = argv[++i];
        else if (strcmp(argv[i], "--drivers") == 0 && i + 1 < argc)
            drivers = argv[++i];
        else if (strcmp(argv[i], "--json") == 0 && i + 1 < argc)
            R.json_path = argv[++i];
        else {
            fprintf(stderr, "usage: bench_sim [--rounds N] [--version V] [--drivers lxc,qemu] "
                            "[--json FILE]\n");
            return 2;
        }
    }
    report_init(&R, "bench_sim", rounds);
    do_lxc = !drivers || strstr(drivers, "lxc");
    do_qemu = drivers ? strstr(drivers, "qemu") != NULL : vmimage_kernel(&k, NULL) == 0;
    sim_down("bench1", NULL, NULL);
    sim_down("bench3", NULL, NULL);
    if (do_lxc)
        measure("lxc", version, rounds, lxc);
    if (do_qemu)
        measure("qemu", version, rounds, qemu);

    printf("ogsim benchmark (openGauss %s, %d rounds, medians; min..max)\n", version, rounds);
    if (do_lxc)
        print_driver("lxc", "lxc", lxc);
    if (do_qemu)
        print_driver("qemu", "qemu (VMs)", qemu);
    if (do_lxc && do_qemu) {
        printf("qemu / lxc, side by side:\n");
        for (int i = 0; i < N_SERIES; i++)
            printf("  %-20s %7.1fx\n", series_names[i],
                   (double)median(&qemu[i]) / (double)median(&lxc[i]));
    }
    if (do_lxc) {
        struct ratio rest = ratio_abs(&lxc[REST], 0.001), on = ratio_abs(&lxc[NODE], 0.001);
        printf("targets (issue 18):\n");
        report_target(&R, "P6a", "restore of a 3-node LXC cluster to Normal", &rest, 2.0, " s");
        report_target(&R, "P6b", "LXC node power-on to sshd", &on, 0.3, " s");
    }
    return report_finish(&R) < 0 ? 1 : 0;
}
