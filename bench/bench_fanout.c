/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * bench_fanout - one small command on 1, 8 and 64 nodes, side by side in one
 * run, on one light cluster (ogsim up --shape light: real nodes, sshd and
 * SSH trust, no database instance), as root on the host:
 *   - the SSH transport's parallel exec (transport_run_all: a pooled libssh2
 *     session per node, a thread per node) of `hostname` from the host as
 *     omm, cold (a fresh transport: connect, key exchange, host key check,
 *     auth) and warm (the same transport again: sessions pooled);
 *   - `gs_ssh -c hostname` as omm on node1 as the guide runs it (bash -l),
 *     timed inside the node; its hosts are the installed cluster's
 *     ($GAUSSHOME/bin/cluster_static_config): for 1 and 8 nodes an install
 *     dir on node1 whose static config lists node2, or node1..node8.
 * Prints medians (min..max), the paired ratios 8/1 and 64/1 of each series
 * and issue 18's P4 rows.
 *   bench_fanout [--rounds N] [--nodes N] [--version V] [--json FILE]
 */
#include <pwd.h>
#include <stdio.h>
#include <sys/resource.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fs.h"
#include "report.h"
#include "simcluster.h"
#include "staticconfig.h"
#include "transport.h"

#define NAME       "fanout"
#define CMD_MS     (2 * 60 * 1000)
#define N_SIZES    3
#define SUBSET_DIR "fanout-%zu" /* under the install root on node1 */

/* The times, then where the transport's time went: this process's CPU
 * (libssh2, threads) and how busy the whole machine was (every node's sshd
 * and shells included), in percent of all CPUs. */
enum {
    COLD,
    WARM,
    GSSSH,
    GSSSH_EXEC,
    N_TIMES,
    COLD_CPU = N_TIMES,
    WARM_CPU,
    COLD_BUSY,
    WARM_BUSY,
    N_SERIES
};

static const char *const series_names[N_SERIES] = {"transport, cold (connect + auth + exec)",
                                                   "transport, warm (pooled sessions)",
                                                   "gs_ssh -c hostname (inside node1)",
                                                   "gs_ssh via ogsim exec (bash -l)",
                                                   "cold: this process's CPU, ms",
                                                   "warm: this process's CPU, ms",
                                                   "cold: machine busy, % of all CPUs",
                                                   "warm: machine busy, % of all CPUs"};
static const char *const series_keys[N_SERIES] = {"transport_cold", "transport_warm", "gs_ssh",
                                                  "gs_ssh_exec",    "cold_cpu",       "warm_cpu",
                                                  "cold_busy",      "warm_busy"};
static const char *const series_units[N_SERIES] = {"ms", "ms", "ms", "ms", "ms", "ms", "%", "%"};

struct fanout {
    struct sim_cluster c;
    const char *nodes[SIM_MAX_NODES];
    char key[PATH_MAX + 32], known[PATH_MAX + 32];
    size_t sizes[N_SIZES];
    struct series s[N_SERIES][N_SIZES];
};

static struct report R;

_noreturn_ static void die(const char *what, const struct og_error *err, const char *out)
{
    char msg[OG_ERROR_DETAIL_MAX + 64];

    fprintf(stderr, "bench_fanout: %s: %s%s\n", what,
            err && err->code ? og_error_format(err, msg, sizeof(msg)) : "", out ? out : "");
    sim_down(NAME, NULL, NULL);
    exit(1);
}

/* ---- CPU accounting ------------------------------------------------------------------ */

struct cpu {
    long long self_ms;   /* this process, all threads, user + system */
    long long busy, all; /* the machine's ticks (/proc/stat), busy and all */
};

static void cpu_now(struct cpu *c)
{
    struct rusage ru;
    unsigned long long v[8] = {0};
    FILE *f = fopen("/proc/stat", "re");

    getrusage(RUSAGE_SELF, &ru);
    c->self_ms = (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000LL +
                 (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1000;
    c->busy = c->all = 0;
    if (f && fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2], &v[3],
                    &v[4], &v[5], &v[6], &v[7]) == 8) {
        for (int i = 0; i < 8; i++)
            c->all += (long long)v[i];
        c->busy = c->all - (long long)v[3] - (long long)v[4]; /* minus idle, iowait */
    }
    if (f)
        fclose(f);
}

/* Since a: this process's CPU ms, the machine's busy percent. */
static void cpu_since(const struct cpu *a, long long *self_ms, long long *busy_pct)
{
    struct cpu b;

    cpu_now(&b);
    *self_ms = b.self_ms - a->self_ms;
    *busy_pct = b.all > a->all ? (b.busy - a->busy) * 100 / (b.all - a->all) : 0;
}

/* ---- the transport, from the host ------------------------------------------------ */

static struct transport *transport_of(struct fanout *f, size_t k)
{
    struct transport_opts to = {.user = "omm",
                                .key_file = f->key,
                                .known_hosts = f->known,
                                .local_mode = TRANSPORT_LOCAL_NEVER};
    struct transport *t = NULL;
    struct og_error err = {0};

    if (transport_new(&to, &t, &err) < 0)
        die("transport_new", &err, NULL);
    for (size_t i = 0; i < k; i++)
        if (transport_add_node(t, f->c.nodes[i].name, f->c.nodes[i].ip, 22, &err) < 0)
            die("transport_add_node", &err, NULL);
    return t;
}

/* `hostname` on the first k nodes at once; each must answer its own name. */
static void run_hostname(struct fanout *f, struct transport *t, size_t k)
{
    static struct command_result res[SIM_MAX_NODES];
    static struct og_error errs[SIM_MAX_NODES];
    const char *argv[] = {"hostname", NULL};
    struct transport_run_opts o = {.timeout_ms = CMD_MS, .check_exit = true};
    int r = transport_run_all(t, f->nodes, k, argv, &o, res, errs);

    for (size_t i = 0; i < k; i++) {
        char want[80];
        snprintf(want, sizeof(want), "%s\n", f->nodes[i]);
        if (r < 0 && errs[i].code)
            die(f->nodes[i], &errs[i], NULL);
        if (strcmp(res[i].out, want) != 0)
            die(f->nodes[i], NULL, res[i].out);
        command_result_done(&res[i]);
    }
    if (r < 0)
        die("transport_run_all", NULL, "failed");
}

/* One cold and one warm fan-out on k nodes: the ms of each, and their CPU. */
static void measure_transport(struct fanout *f, size_t k, long long *v)
{
    struct cpu c0;
    long long t0 = (cpu_now(&c0), now_ms());
    _cleanup_transport_ struct transport *t = transport_of(f, k);

    run_hostname(f, t, k);
    v[COLD] = now_ms() - t0;
    cpu_since(&c0, &v[COLD_CPU], &v[COLD_BUSY]);
    cpu_now(&c0);
    t0 = now_ms();
    run_hostname(f, t, k);
    v[WARM] = now_ms() - t0;
    cpu_since(&c0, &v[WARM_CPU], &v[WARM_BUSY]);
    if (transport_sessions_opened(t) != k) /* warm must not have connected */
        die("transport", NULL, "the warm run opened sessions of its own");
}

/* ---- gs_ssh, on node1 -------------------------------------------------------------- */

/* An install dir on node1 whose static config lists the subset k of the
 * cluster: node2 alone for 1 (a node gs_ssh reaches over SSH), node1..k
 * otherwise. k = all nodes is the cluster's own install. */
static void write_subset(struct fanout *f, size_t k)
{
    static struct cluster_config cfg;
    struct og_error err = {0};
    char p[PATH_MAX * 2], dir[PATH_MAX + 32];
    struct passwd *pw = getpwnam("omm");

    snprintf(p, sizeof(p), "%s/nodes/node1/install%s/bin/cluster_static_config", f->c.state_dir,
             f->c.app_path + strlen(f->c.install_root));
    if (staticconfig_read(p, &cfg, &err) < 0)
        die("the cluster's static config", &err, NULL);
    if (k == 1) {
        cfg.nodes[0] = cfg.nodes[1];
        cfg.nodes[0].primary = true;
        cfg.nodes[0].instance_type = CLUSTER_INST_PRIMARY;
    }
    cfg.n_nodes = k;
    snprintf(dir, sizeof(dir), SUBSET_DIR "/bin", k);
    snprintf(p, sizeof(p), "%s/nodes/node1/install/%s", f->c.state_dir, dir);
    if (fs_mkdir_p(p, 0755, &err) < 0)
        die(p, &err, NULL);
    snprintf(p + strlen(p), sizeof(p) - strlen(p), "/cluster_static_config");
    if (staticconfig_write(&cfg, p, &err) < 0)
        die(p, &err, NULL);
    if (!pw || chown(p, pw->pw_uid, pw->pw_gid) < 0)
        die(p, NULL, "chown to omm");
}

/* gs_ssh -c hostname on k nodes: its own ms (inside node1), the whole exec's. */
static void measure_gs_ssh(struct fanout *f, size_t k, long long *inner, long long *outer)
{
    char script[PATH_MAX + 512], home[PATH_MAX + 32];
    const char *argv[] = {"bash", "-lc", script, NULL};
    struct command_result res = {0};
    struct og_error err = {0};
    double t0 = 0, t1 = 0;
    long long start = now_ms();
    size_t ok = 0;

    snprintf(home, sizeof(home), "%s/" SUBSET_DIR, f->c.install_root, k);
    snprintf(script, sizeof(script),
             "%s%s; s=$EPOCHREALTIME; out=$(gs_ssh -c hostname 2>&1); rc=$?; "
             "e=$EPOCHREALTIME; printf '%%s %%s %%s\\n%%s\\n' \"$s\" \"$e\" \"$rc\" \"$out\"",
             k == f->c.n_nodes ? "true" : "export GAUSSHOME=", k == f->c.n_nodes ? "" : home);
    if (sim_exec(&f->c, "node1", "omm", argv, CMD_MS, &res, &err) < 0)
        die("gs_ssh on node1", &err, NULL);
    *outer = now_ms() - start;
    if (res.exit_status != 0 || sscanf(res.out, "%lf %lf 0", &t0, &t1) != 2 ||
        !strstr(res.out, "Successfully execute command on all nodes."))
        die("gs_ssh on node1", NULL, res.out);
    for (const char *p = res.out; (p = strstr(p, "[SUCCESS] ")); p++)
        ok++;
    if (ok != k)
        die("gs_ssh on node1: not every node answered", NULL, res.out);
    command_result_done(&res);
    *inner = (long long)((t1 - t0) * 1000.0 + 0.5);
}

/* ---- the run ----------------------------------------------------------------------- */

static void round_once(struct fanout *f, int r, int rounds)
{
    for (int j = 0; j < N_SIZES; j++) {
        /* the order turns around every other round */
        int z = r % 2 ? N_SIZES - 1 - j : j;
        size_t k = f->sizes[z];
        long long v[N_SERIES];

        report_progress(&R, "round %d/%d: transport on %zu node(s), cold then warm", r + 1, rounds,
                        k);
        measure_transport(f, k, v);
        report_progress(&R, "round %d/%d: gs_ssh on %zu node(s)", r + 1, rounds, k);
        measure_gs_ssh(f, k, &v[GSSSH], &v[GSSSH_EXEC]);
        for (int s = 0; s < N_SERIES; s++)
            add(&f->s[s][z], v[s]);
    }
}

static void print_row(struct fanout *f, int s)
{
    printf("  %-40s", series_names[s]);
    for (int z = 0; z < N_SIZES; z++) {
        char key[64], cell[48];
        snprintf(cell, sizeof(cell), "%lld (%lld..%lld)", median(&f->s[s][z]),
                 series_min(&f->s[s][z]), series_max(&f->s[s][z]));
        printf(" %22s", cell);
        snprintf(key, sizeof(key), "%s.n%zu", series_keys[s], f->sizes[z]);
        /* a busier machine is not worse: only times and CPU go to the file */
        if (strcmp(series_units[s], "ms") == 0)
            report_series(&R, key, &f->s[s][z], series_units[s]);
    }
}

static void print_results(struct fanout *f, const char *version, int rounds, long long setup)
{
    printf("SSH fan-out on one light cluster of %zu LXC nodes (openGauss %s package, no "
           "instance), %d rounds, medians in ms (min..max); setup %lld ms\n",
           f->c.n_nodes, version, rounds, setup);
    printf("  %-40s", "series");
    for (int z = 0; z < N_SIZES; z++)
        printf(" %14zu node(s)", f->sizes[z]);
    printf("   %-18s %zu / 1 (paired)\n", "8 / 1 (paired)", f->sizes[2]);
    for (int s = 0; s < N_TIMES; s++) {
        struct ratio q8 = ratio_of(&f->s[s][1], &f->s[s][0], true);
        struct ratio q64 = ratio_of(&f->s[s][2], &f->s[s][0], true);
        char key[64];

        print_row(f, s);
        printf("   %.2f (%.2f..%.2f)  %.2f (%.2f..%.2f)\n", q8.value, q8.lo, q8.hi, q64.value,
               q64.lo, q64.hi);
        snprintf(key, sizeof(key), "%s.%zu_over_1", series_keys[s], f->sizes[1]);
        report_ratio(&R, key, &q8);
        snprintf(key, sizeof(key), "%s.%zu_over_1", series_keys[s], f->sizes[2]);
        report_ratio(&R, key, &q64);
    }
    printf("where the transport's time went (the same runs):\n");
    for (int s = N_TIMES; s < N_SERIES; s++) {
        print_row(f, s);
        printf("\n");
    }
}

static void print_targets(struct fanout *f)
{
    struct ratio cold = ratio_of(&f->s[COLD][2], &f->s[COLD][0], true);
    struct ratio warm = ratio_of(&f->s[WARM][2], &f->s[WARM][0], true);
    char m[96];

    printf("targets (issue 18):\n");
    snprintf(m, sizeof(m), "one command on %zu nodes over the transport / on 1 node", f->sizes[2]);
    report_target(&R, "P4", m, &cold, 2.0, "");
    snprintf(m, sizeof(m), "the same, sessions pooled (warm)");
    report_target(&R, "P4w", m, &warm, 2.0, "");
}

static int usage(void)
{
    fprintf(stderr, "usage: bench_fanout [--rounds N] [--nodes N] [--version V] [--json FILE]\n");
    return 2;
}

int main(int argc, char **argv)
{
    static struct fanout f;
    const char *version = "2.0.0";
    struct og_error err = {0};
    int rounds = 5, n = 64;
    long long setup;

    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--rounds") == 0 && i + 1 < argc) {
            if (bench_opt_int("bench_fanout", "--rounds", argv[++i], 1, MAX_ROUNDS, &rounds) < 0)
                return 2;
        } else if (strcmp(argv[i], "--nodes") == 0 && i + 1 < argc) {
            if (bench_opt_int("bench_fanout", "--nodes", argv[++i], 9, SIM_MAX_NODES, &n) < 0)
                return 2;
        } else if (strcmp(argv[i], "--version") == 0 && i + 1 < argc)
            version = argv[++i];
        else if (strcmp(argv[i], "--json") == 0 && i + 1 < argc)
            R.json_path = argv[++i];
        else
            return usage();
    }
    report_init(&R, "bench_fanout", rounds);
    f.sizes[0] = 1, f.sizes[1] = 8, f.sizes[2] = (size_t)n;

    sim_down(NAME, NULL, NULL); /* a crashed earlier run */
    report_progress(&R, "up: %d light nodes", n);
    setup = now_ms();
    {
        struct sim_up_opts o = {
            .name = NAME, .nodes = n, .version = version, .shape = SIM_SHAPE_LIGHT, .quiet = true};
        if (sim_up(&o, &f.c, &err) < 0)
            die("up", &err, NULL);
    }
    setup = now_ms() - setup;
    for (size_t i = 0; i < f.c.n_nodes; i++)
        f.nodes[i] = f.c.nodes[i].name;
    snprintf(f.key, sizeof(f.key), "%s/ssh/id_ed25519", f.c.state_dir);
    snprintf(f.known, sizeof(f.known), "%s/ssh/known_hosts", f.c.state_dir);
    write_subset(&f, f.sizes[0]);
    write_subset(&f, f.sizes[1]);

    for (int r = 0; r < rounds; r++)
        round_once(&f, r, rounds);

    report_progress(&R, "down");
    if (sim_down(NAME, NULL, &err) < 0)
        die("down", &err, NULL);
    print_results(&f, version, rounds, setup);
    print_targets(&f);
    return report_finish(&R) < 0 ? 1 : 0;
}
