/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * The workload's pure logic (no database): options, log parsing (torn last
 * line), the longest gap across writers, percentiles, the lost/extra merge,
 * the report's JSON shape, start/stop/check refusals and the command layer's
 * exit codes. The database side is tests/integration/test_workload.c.
 */
#include <criterion/criterion.h>
#include <criterion/redirect.h>
#include <fcntl.h>
#include <inttypes.h>
#include <json-c/json.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "dynbuf.h"
#include "fs.h"
#include "lockfile.h"
#include "workload.h"
#include "workload_cmd.h"

#include "../helpers/tmpdir.h"

static char dir[64];

static void setup(void)
{
    cr_assert_eq(tmpdir_make("workload", dir, sizeof(dir)), 0);
}

static void teardown(void)
{
    tmpdir_remove(dir);
}

TestSuite(workload, .init = setup, .fini = teardown, .timeout = 60);

static void write_file(const char *name, const char *content)
{
    struct og_error err = {0};
    char path[256];

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    cr_assert_eq(fs_replace_file(path, content, strlen(content), 0600, &err), 0, "%s", err.detail);
}

#define ID(run, w, seq) (((int64_t)(run) << 40) | ((int64_t)(w) << 32) | (int64_t)(seq))

static void write_conf(int run, int writers, const char *ports)
{
    char conf[512];

    snprintf(conf, sizeof(conf),
             "# ogsim workload state\nformat=1\nrun=%d\nhosts=127.0.0.1\nports=%s\n"
             "dbname=ogsim_wl\nuser=omm\nwriters=%d\nreaders=1\nduration=0\nack_fsync=1\n",
             run, ports, writers);
    write_file("workload.conf", conf);
}

static void write_stats(bool running, int64_t start_ns, int64_t end_ns)
{
    char st[1024];

    snprintf(st, sizeof(st),
             "# ogsim workload counters\nstate=%s\npid=%d\nstart_mono_ns=%" PRId64
             "\nend_mono_ns=%" PRId64 "\nstart_unix_ms=1700000000000\nwriter.acked=5\n"
             "writer.in_doubt=1\nwriter.errors=2\nwriter.reconnects=1\nwriter.connect_errors=4\n"
             "reader.queries=9\nreader.errors=1\nreader.reconnects=2\n",
             running ? "running" : "stopped", (int)getpid(), start_ns, end_ns);
    write_file("workload.stats", st);
}

/* ---- options --------------------------------------------------------------------- */

Test(workload, hosts_and_ports)
{
    struct workload_opts o;
    struct og_error err = {0};
    char many[512] = "";

    workload_opts_init(&o);
    cr_assert_str_eq(o.dbname, "ogsim_wl");
    cr_assert_str_eq(o.user, WORKLOAD_DEFAULT_USER);
    cr_assert_eq(o.writers, 4);
    cr_assert_eq(o.readers, 2);
    cr_assert(o.ack_fsync);
    cr_assert_eq(workload_opts_set_hosts(&o, "h1,10.0.0.2,node-3.example", &err), 0);
    cr_assert_eq(o.n_hosts, 3);
    cr_assert_str_eq(o.hosts[2], "node-3.example");
    cr_assert_eq(workload_opts_set_ports(&o, "5432", &err), 0);
    cr_assert_eq(o.ports[0], 5432);
    cr_assert_eq(o.ports[2], 5432);
    cr_assert_eq(workload_opts_set_ports(&o, "1,2,3", &err), 0);
    cr_assert_eq(o.ports[1], 2);
    cr_assert_eq(workload_opts_set_ports(&o, "1,2", &err), -OG_E_PARAM_VALUE);
    cr_assert_eq(workload_opts_set_ports(&o, "0", &err), -OG_E_PARAM_VALUE);
    cr_assert_eq(workload_opts_set_ports(&o, "65536", &err), -OG_E_PARAM_VALUE);
    cr_assert_eq(workload_opts_set_ports(&o, "54x", &err), -OG_E_PARAM_VALUE);
    cr_assert_eq(workload_opts_set_ports(&o, "", &err), -OG_E_PARAM_VALUE);
    cr_assert_eq(workload_opts_set_ports(&o, "1,,2", &err), -OG_E_PARAM_VALUE);

    cr_assert_eq(workload_opts_set_hosts(&o, "", &err), -OG_E_PARAM_VALUE);
    cr_assert_eq(workload_opts_set_hosts(&o, "a,,b", &err), -OG_E_PARAM_VALUE);
    cr_assert_eq(workload_opts_set_hosts(&o, "a,-oProxyCommand", &err), -OG_E_PARAM_VALUE);
    cr_assert_eq(workload_opts_set_hosts(&o, "a b", &err), -OG_E_PARAM_VALUE);
    cr_assert_eq(workload_opts_set_hosts(&o, "a;rm", &err), -OG_E_PARAM_VALUE);
    for (int i = 0; i < 17; i++)
        snprintf(many + strlen(many), sizeof(many) - strlen(many), "%sh%d", i ? "," : "", i);
    cr_assert_eq(workload_opts_set_hosts(&o, many, &err), -OG_E_PARAM_VALUE);
    many[strlen(many) - 4] = '\0'; /* 16 hosts */
    cr_assert_eq(workload_opts_set_hosts(&o, many, &err), 0, "%s", err.detail);
    cr_assert_eq(o.n_hosts, 16);

    /* ports before hosts */
    workload_opts_init(&o);
    cr_assert_eq(workload_opts_set_ports(&o, "5432", &err), -OG_E_PARAM_REQUIRED);
}

Test(workload, names_and_validation)
{
    struct workload_opts o;
    struct og_error err = {0};
    char longname[80];

    memset(longname, 'a', 64);
    longname[64] = '\0';
    cr_assert_eq(workload_check_name("--dbname", "ogsim_wl", &err), 0);
    cr_assert_eq(workload_check_name("--dbname", "", &err), -OG_E_PARAM_VALUE);
    cr_assert_eq(workload_check_name("--dbname", "-x", &err), -OG_E_PARAM_VALUE);
    cr_assert_eq(workload_check_name("--dbname", longname, &err), -OG_E_PARAM_VALUE);
    cr_assert_eq(workload_check_name("--user", "a\nb", &err), -OG_E_PARAM_VALUE);

    workload_opts_init(&o);
    snprintf(o.state_dir, sizeof(o.state_dir), "%s", dir);
    cr_assert_eq(workload_opts_validate(&o, &err), -OG_E_PARAM_REQUIRED); /* no hosts */
    cr_assert_eq(workload_opts_set_hosts(&o, "h1,h2", &err), 0);
    cr_assert_eq(workload_opts_validate(&o, &err), -OG_E_PARAM_REQUIRED); /* no port */
    cr_assert_eq(workload_opts_set_ports(&o, "5432", &err), 0);
    cr_assert_eq(workload_opts_validate(&o, &err), 0, "%s", err.detail);
    o.writers = 0;
    cr_assert_eq(workload_opts_validate(&o, &err), -OG_E_PARAM_VALUE);
    o.writers = 256;
    cr_assert_eq(workload_opts_validate(&o, &err), -OG_E_PARAM_VALUE);
    o.writers = 255;
    o.readers = -1;
    cr_assert_eq(workload_opts_validate(&o, &err), -OG_E_PARAM_VALUE);
    o.readers = 0;
    o.duration_s = -1;
    cr_assert_eq(workload_opts_validate(&o, &err), -OG_E_PARAM_VALUE);
    o.duration_s = 0;
    o.rate = -1;
    cr_assert_eq(workload_opts_validate(&o, &err), -OG_E_PARAM_VALUE);
    o.rate = WORKLOAD_MAX_RATE + 1;
    cr_assert_eq(workload_opts_validate(&o, &err), -OG_E_PARAM_VALUE);
    o.rate = 50;
    cr_assert_eq(workload_opts_validate(&o, &err), 0, "%s", err.detail);
    snprintf(o.state_dir, sizeof(o.state_dir), "-rf");
    cr_assert_eq(workload_opts_validate(&o, &err), -OG_E_UNSAFE_ARG);
    o.state_dir[0] = '\0';
    cr_assert_eq(workload_opts_validate(&o, &err), -OG_E_PARAM_REQUIRED);
}

Test(workload, default_state_dir)
{
    char buf[256];
    struct og_error err = {0};
    struct workload_opts o;

    setenv("HOME", "/home/someone", 1);
    cr_assert_eq(workload_default_state_dir(buf, sizeof(buf), &err), 0);
    cr_assert_str_eq(buf, "/home/someone/.ogsim/workload");
    unsetenv("HOME");
    cr_assert_eq(workload_default_state_dir(buf, sizeof(buf), &err), -OG_E_ENV_EMPTY);
    workload_opts_init(&o);
    cr_assert_str_eq(o.state_dir, "");
}

/* ---- logs ------------------------------------------------------------------------- */

Test(workload, log_parsing_torn_last_line)
{
    struct workload_acks a = {0};
    struct og_error err = {0};
    uint64_t torn = 0;
    char path[128];

    write_file("w.log", "4398046511105\t100\t5\n4398046511106\t200\t7\n43980465111");
    snprintf(path, sizeof(path), "%s/w.log", dir);
    cr_assert_eq(workload_log_read(path, &a, 100, &torn, &err), 0, "%s", err.detail);
    cr_assert_eq(a.n, 2);
    cr_assert_eq(torn, 1);
    cr_assert_eq(a.v[1].id, 4398046511106LL);
    cr_assert_eq(a.v[1].t_ns, 200);
    cr_assert_eq(a.v[1].lat_us, 7);

    /* a missing file is empty; an empty file too */
    snprintf(path, sizeof(path), "%s/none.log", dir);
    cr_assert_eq(workload_log_read(path, &a, 100, &torn, &err), 0);
    write_file("empty.log", "");
    snprintf(path, sizeof(path), "%s/empty.log", dir);
    cr_assert_eq(workload_log_read(path, &a, 100, &torn, &err), 0);
    cr_assert_eq(a.n, 2);

    /* a bad complete line is corruption, not a torn write */
    write_file("bad.log", "1\t2\t3\nx\t2\t3\n4\t5\t6\n");
    snprintf(path, sizeof(path), "%s/bad.log", dir);
    cr_assert_eq(workload_log_read(path, &a, 100, &torn, &err), -OG_E_CONTENT_INVALID);
    write_file("bad2.log", "1\t2\n");
    snprintf(path, sizeof(path), "%s/bad2.log", dir);
    cr_assert_eq(workload_log_read(path, &a, 100, &torn, &err), -OG_E_CONTENT_INVALID);
    write_file("bad3.log", "1\t-2\t3\n");
    snprintf(path, sizeof(path), "%s/bad3.log", dir);
    cr_assert_eq(workload_log_read(path, &a, 100, &torn, &err), -OG_E_CONTENT_INVALID);

    /* the line limit */
    workload_acks_done(&a);
    write_file("many.log", "1\t1\t1\n2\t2\t2\n3\t3\t3\n");
    snprintf(path, sizeof(path), "%s/many.log", dir);
    cr_assert_eq(workload_log_read(path, &a, 2, &torn, &err), -OG_E_TOO_LARGE);
    workload_acks_done(&a);
}

/* ---- computations ------------------------------------------------------------------- */

static int by_time(const void *x, const void *y)
{
    const struct workload_ack *a = x, *b = y;
    return a->t_ns < b->t_ns ? -1 : a->t_ns > b->t_ns;
}

Test(workload, longest_gap_across_writers)
{
    /* writer 1 acks at 0,10,20,...; writer 2 stalls from 30 to 95 but
     * writer 1 keeps going: the gap over ALL writers is what users feel */
    struct workload_ack acks[] = {
        {ID(1, 1, 1), 0, 1},   {ID(1, 1, 2), 10, 1}, {ID(1, 1, 3), 20, 1},
        {ID(1, 1, 4), 100, 1}, {ID(1, 2, 1), 5, 1},  {ID(1, 2, 2), 30, 1},
        {ID(1, 2, 3), 95, 1},  {ID(1, 3, 1), 31, 1}, {ID(1, 3, 2), 60, 1},
    };
    struct workload_gap g;

    qsort(acks, ELEMENTSOF(acks), sizeof(acks[0]), by_time);
    workload_longest_gap(acks, ELEMENTSOF(acks), &g);
    cr_assert_eq(g.gap_ns, 35); /* 60 (w3) -> 95 (w2) */
    cr_assert_eq(g.from_ns, 60);
    cr_assert_eq(g.from_id, ID(1, 3, 2));
    cr_assert_eq(g.to_id, ID(1, 2, 3));
    workload_longest_gap(acks, 1, &g);
    cr_assert_eq(g.gap_ns, 0);
    workload_longest_gap(NULL, 0, &g);
    cr_assert_eq(g.gap_ns, 0);
}

Test(workload, percentiles_nearest_rank)
{
    int64_t v[1000];

    for (int i = 0; i < 1000; i++)
        v[i] = i + 1;
    cr_assert_eq(workload_percentile(v, 0, 50), 0);
    cr_assert_eq(workload_percentile(v, 1, 50), 1);
    cr_assert_eq(workload_percentile(v, 1, 99), 1);
    cr_assert_eq(workload_percentile(v, 100, 50), 50);
    cr_assert_eq(workload_percentile(v, 100, 99), 99);
    cr_assert_eq(workload_percentile(v, 100, 100), 100);
    cr_assert_eq(workload_percentile(v, 1000, 99), 990);
    cr_assert_eq(workload_percentile(v, 1000, 99.9), 999);
    cr_assert_eq(workload_percentile(v, 3, 50), 2);
    cr_assert_eq(workload_percentile(v, 2, 50), 1);
    cr_assert_eq(workload_percentile(v, 10, 0), 1);
}

Test(workload, merge_small_cases)
{
    int64_t acked[] = {1, 3, 5, 7}, doubt[] = {4, 8}, db[] = {2, 3, 4, 5, 8, 9};
    struct workload_merge m;
    struct og_error err = {0};

    /* both empty */
    workload_merge_init(&m, NULL, 0, NULL, 0);
    cr_assert_eq(workload_merge_feed(&m, NULL, 0, &err), 0);
    workload_merge_finish(&m);
    cr_assert_eq(m.lost + m.extra + m.rows, 0);

    /* nothing in the database: everything lost, the first ids listed */
    workload_merge_init(&m, acked, 4, doubt, 2);
    workload_merge_finish(&m);
    cr_assert_eq(m.lost, 4);
    cr_assert_eq(m.n_lost_ids, 4);
    cr_assert_eq(m.lost_ids[3], 7);

    /* nothing acked: every row is extra */
    workload_merge_init(&m, NULL, 0, doubt, 2);
    cr_assert_eq(workload_merge_feed(&m, db, 6, &err), 0);
    workload_merge_finish(&m);
    cr_assert_eq(m.extra, 6);
    cr_assert_eq(m.extra_in_doubt, 2);
    cr_assert_eq(m.lost, 0);

    /* mixed, fed in uneven batches */
    workload_merge_init(&m, acked, 4, doubt, 2);
    cr_assert_eq(workload_merge_feed(&m, db, 1, &err), 0);
    cr_assert_eq(workload_merge_feed(&m, db + 1, 4, &err), 0);
    cr_assert_eq(workload_merge_feed(&m, db + 5, 1, &err), 0);
    workload_merge_finish(&m);
    cr_assert_eq(m.rows, 6);
    cr_assert_eq(m.present, 2); /* 3, 5 */
    cr_assert_eq(m.lost, 2);    /* 1, 7 */
    cr_assert_eq(m.lost_ids[0], 1);
    cr_assert_eq(m.lost_ids[1], 7);
    cr_assert_eq(m.extra, 4);          /* 2, 4, 8, 9 */
    cr_assert_eq(m.extra_in_doubt, 2); /* 4, 8 */

    /* the database must answer in ascending order */
    workload_merge_init(&m, acked, 4, NULL, 0);
    cr_assert_eq(workload_merge_feed(&m, (int64_t[]){3, 2}, 2, &err), -OG_E_CONTENT_INVALID);
    workload_merge_init(&m, acked, 4, NULL, 0);
    cr_assert_eq(workload_merge_feed(&m, (int64_t[]){3}, 1, &err), 0);
    cr_assert_eq(workload_merge_feed(&m, (int64_t[]){3}, 1, &err), -OG_E_CONTENT_INVALID);
}

Test(workload, merge_a_million_ids)
{
    const size_t n = 1000000, batch = 50000;
    int64_t *acked = malloc(n * sizeof(*acked)), *db = malloc((n + n / 500) * sizeof(*db));
    int64_t doubt[] = {ID(1, 9, 3), ID(1, 9, 5)};
    struct workload_merge m;
    struct og_error err = {0};
    size_t k = 0;

    cr_assert_not_null(acked);
    cr_assert_not_null(db);
    for (size_t i = 0; i < n; i++) {
        acked[i] = ID(1, 1, 0) + (int64_t)i * 2;
        /* every 1000th acked id is missing; an extra odd id every 1000 */
        if (i % 1000 != 999)
            db[k++] = acked[i];
        if (i % 1000 == 0)
            db[k++] = acked[i] + 1;
    }
    workload_merge_init(&m, acked, n, doubt, 2);
    for (size_t off = 0; off < k; off += batch)
        cr_assert_eq(workload_merge_feed(&m, db + off, k - off < batch ? k - off : batch, &err), 0);
    workload_merge_finish(&m);
    cr_assert_eq(m.rows, k);
    cr_assert_eq(m.lost, n / 1000);
    cr_assert_eq(m.n_lost_ids, WORKLOAD_LOST_LIST_MAX);
    cr_assert_eq(m.lost_ids[0], acked[999]);
    cr_assert_eq(m.lost_ids[19], acked[19999]);
    cr_assert_eq(m.extra, n / 1000);
    cr_assert_eq(m.extra_in_doubt, 0);
    cr_assert_eq(m.present, n - n / 1000);
    free(acked);
    free(db);
}

/* ---- the report from a state dir -------------------------------------------------------- */

Test(workload, report_from_interleaved_logs)
{
    _cleanup_workload_report_ struct workload_report *r = workload_report_new();
    struct og_error err = {0};
    char line[4096];
    int64_t start = 1000000000;

    cr_assert_not_null(r);
    write_conf(3, 2, "5432");
    write_stats(false, start, start + 10 * 1000000000LL);
    /* writer 1 acks every 100 ms from +0.1 s to +2.0 s, latency 1..20 ms */
    line[0] = '\0';
    for (int i = 1; i <= 20; i++)
        snprintf(line + strlen(line), sizeof(line) - strlen(line), "%" PRId64 "\t%" PRId64 "\t%d\n",
                 ID(3, 1, i), (int64_t)(start + i * 100000000LL), i * 1000);
    write_file("writer-1.log", line);
    /* writer 2: +0.15 s, then nothing until +4.5 s (the gap), then +4.6 s,
     * and a torn last line */
    snprintf(line, sizeof(line),
             "%" PRId64 "\t%" PRId64 "\t500\n%" PRId64 "\t%" PRId64 "\t700\n%" PRId64 "\t%" PRId64
             "\t900\n%" PRId64 "\t123",
             ID(3, 2, 1), (int64_t)(start + 150000000LL), ID(3, 2, 2),
             (int64_t)(start + 4500000000LL), ID(3, 2, 3), (int64_t)(start + 4600000000LL),
             ID(3, 2, 4));
    write_file("writer-2.log", line);
    snprintf(line, sizeof(line), "%" PRId64 "\t%" PRId64 "\t10000000\n", ID(3, 2, 9),
             (int64_t)(start + 2100000000LL));
    write_file("writer-2.doubt", line);

    cr_assert_eq(workload_report_load(r, dir, &err), 0, "%s", err.detail);
    cr_assert_eq(r->run, 3);
    cr_assert_eq(r->writers, 2);
    cr_assert_not(r->running);
    cr_assert_eq(r->acked, 23);
    cr_assert_eq(r->in_doubt, 1);
    cr_assert_eq(r->torn_lines, 1);
    cr_assert_eq(r->duplicate_acks, 0);
    cr_assert_float_eq(r->duration_s, 10.0, 1e-9);
    /* the gap: writer 1's last ack (+2.0 s) to writer 2's (+4.5 s) */
    cr_assert_eq(r->gap.gap_ns, 2500000000LL);
    cr_assert_eq(r->gap.from_ns - r->start_mono_ns, 2000000000LL);
    cr_assert_eq(r->gap.from_id, ID(3, 1, 20));
    cr_assert_eq(r->gap.to_id, ID(3, 2, 2));
    cr_assert_eq(r->first_ack_ms, 100);
    cr_assert_eq(r->last_ack_ms, 4600);
    /* 23 latencies: 500, 700, 900, 1000..20000 us */
    cr_assert_eq(r->lat_p50_us, 9000);
    cr_assert_eq(r->lat_p99_us, 20000);
    cr_assert_eq(r->lat_max_us, 20000);
    cr_assert_eq(r->acked_ids[0], ID(3, 1, 1));
    cr_assert_eq(r->doubt_ids[0], ID(3, 2, 9));
    cr_assert_eq(r->writer.reconnects, 1);
    cr_assert_eq(r->reader.queries, 9);

    /* an id of another run is corruption */
    snprintf(line, sizeof(line), "%" PRId64 "\t5\t5\n", ID(2, 1, 1));
    write_file("writer-1.log", line);
    cr_assert_eq(workload_report_load(r, dir, &err), -OG_E_CONTENT_INVALID);
}

/* a probe's longest interval without an answer: from the start (or the answer
 * before), and an outage still open at a snapshot counts up to it */
Test(workload, probe_longest_unanswered)
{
    struct workload_probe_stats s = {0};
    int64_t last = 1000;

    workload_probe_note(&s, last, 1050); /* answered 50 ns after the start */
    last = 1050;
    cr_assert_eq(s.longest_ns, 50);
    cr_assert_eq(s.longest_from_ns, 1000);
    workload_probe_note(&s, last, 1100);
    last = 1100;
    cr_assert_eq(s.longest_ns, 50); /* equal is not longer: the first one stays */
    cr_assert_eq(s.longest_from_ns, 1000);
    workload_probe_note(&s, last, 4100); /* the node restarted */
    last = 4100;
    cr_assert_eq(s.longest_ns, 3000);
    cr_assert_eq(s.longest_from_ns, 1100);
    workload_probe_note(&s, last, 4150);
    cr_assert_eq(s.longest_ns, 3000);
    workload_probe_note(&s, last, 9100); /* still down at the snapshot */
    cr_assert_eq(s.longest_ns, 5000);
    cr_assert_eq(s.longest_from_ns, 4100);
}

/* workload.stats carries the probes by host index; the report names the hosts */
Test(workload, report_carries_the_probes)
{
    _cleanup_workload_report_ struct workload_report *r = workload_report_new();
    _cleanup_dynbuf_ struct dynbuf out = {0};
    struct og_error err = {0};
    int64_t start = 1000000000;
    char st[1024];
    json_object *root, *a, *o, *v;

    cr_assert_not_null(r);
    write_conf(3, 1, "5432");
    write_file("writer-1.log", "");
    snprintf(st, sizeof(st),
             "state=stopped\npid=1\nstart_mono_ns=%" PRId64 "\nend_mono_ns=%" PRId64
             "\nprobes=1\nprobe.0.longest_ns=2500000000\nprobe.0.longest_from_ns=%" PRId64
             "\nprobe.0.answers=180\nprobe.0.errors=7\n",
             start, start + (int64_t)10000000000LL, start + (int64_t)4000000000LL);
    write_file("workload.stats", st);
    cr_assert_eq(workload_report_load(r, dir, &err), 0, "%s", err.detail);
    cr_assert_eq(r->n_probes, 1);
    cr_assert_str_eq(r->probe_hosts[0], "127.0.0.1:5432");
    cr_assert_eq(r->probes[0].longest_ns, 2500000000LL);
    cr_assert_eq(r->probes[0].answers, 180);
    cr_assert_eq(r->probes[0].errors, 7);
    dynbuf_init(&out, 1 << 20);
    cr_assert_eq(workload_report_format_text(r, &out), 0);
    cr_assert(strstr(dynbuf_str(&out), "probe 127.0.0.1:5432       longest without an answer "
                                       "2500.0 ms, from +4.000 s (answers 180, failures 7)"),
              "%s", dynbuf_str(&out));
    dynbuf_reset(&out);
    cr_assert_eq(workload_report_format_json(r, &out), 0);
    root = json_tokener_parse(dynbuf_str(&out));
    cr_assert(json_object_object_get_ex(root, "availability", &a) &&
              json_object_array_length(a) == 1);
    o = json_object_array_get_idx(a, 0);
    cr_assert(json_object_object_get_ex(o, "host", &v));
    cr_assert_str_eq(json_object_get_string(v), "127.0.0.1:5432");
    cr_assert(json_object_object_get_ex(o, "longest_unavailable_ms", &v));
    cr_assert_float_eq(json_object_get_double(v), 2500.0, 1e-9);
    cr_assert(json_object_object_get_ex(o, "at_ms", &v));
    cr_assert_float_eq(json_object_get_double(v), 4000.0, 1e-9);
    cr_assert(json_object_object_get_ex(o, "failures", &v) && json_object_get_int(v) == 7);
    json_object_put(root);
    /* a probe index or count out of range is not a workload.stats */
    snprintf(st, sizeof(st), "state=stopped\nstart_mono_ns=5\nprobe.16.answers=1\n");
    write_file("workload.stats", st);
    cr_assert_eq(workload_report_load(r, dir, &err), -OG_E_CONTENT_INVALID);
    snprintf(st, sizeof(st), "state=stopped\nstart_mono_ns=5\nprobes=17\n");
    write_file("workload.stats", st);
    cr_assert_eq(workload_report_load(r, dir, &err), -OG_E_CONTENT_INVALID);
    snprintf(st, sizeof(st), "state=stopped\nstart_mono_ns=5\nprobe.x.answers=1\n");
    write_file("workload.stats", st);
    cr_assert_eq(workload_report_load(r, dir, &err), -OG_E_CONTENT_INVALID);
    static const char *const bad_keys[] = {"probe..answers", "probe.-1.answers", "probe.+0.answers",
                                           "probe.0x.answers",
                                           "probe.99999999999999999999.answers"};
    for (size_t i = 0; i < ELEMENTSOF(bad_keys); i++) {
        snprintf(st, sizeof(st), "state=stopped\nstart_mono_ns=5\n%s=1\n", bad_keys[i]);
        write_file("workload.stats", st);
        cr_assert_eq(workload_report_load(r, dir, &err), -OG_E_CONTENT_INVALID, "%s", bad_keys[i]);
    }
}

Test(workload, report_refuses_what_is_not_a_workload)
{
    _cleanup_workload_report_ struct workload_report *r = workload_report_new();
    struct og_error err = {0};
    char missing[128];

    snprintf(missing, sizeof(missing), "%s/nope", dir);
    cr_assert_eq(workload_report_load(r, missing, &err), -OG_E_NOT_EXIST);
    cr_assert_eq(workload_report_load(r, dir, &err), -OG_E_NOT_EXIST); /* no conf */
    write_file("workload.conf", "hosts=a\n");
    cr_assert_eq(workload_report_load(r, dir, &err), -OG_E_CONTENT_INVALID);
    write_file("workload.conf", "# ogsim workload state\nformat=2\nrun=1\nhosts=a\nports=1\n");
    cr_assert_eq(workload_report_load(r, dir, &err), -OG_E_CONTENT_INVALID);
    write_file("workload.conf", "# ogsim workload state\nrun=1\nhosts=a\nports=1\nwriters=0\n");
    cr_assert_eq(workload_report_load(r, dir, &err), -OG_E_CONTENT_INVALID);
    write_conf(1, 1, "5432");
    cr_assert_eq(workload_report_load(r, dir, &err), -OG_E_NOT_EXIST); /* never started */
    write_file("workload.stats", "state=maybe\n");
    cr_assert_eq(workload_report_load(r, dir, &err), -OG_E_CONTENT_INVALID);
    write_stats(true, 5, 0);
    cr_assert_eq(workload_report_load(r, dir, &err), 0, "%s", err.detail);
    cr_assert(r->running);
    cr_assert_eq(r->acked, 0);
    cr_assert_eq(r->first_ack_ms, -1);
    cr_assert_eq(r->lat_p99_us, 0);
}

/* ---- formatting --------------------------------------------------------------------- */

static struct workload_report *sample_report(void)
{
    struct workload_report *r = workload_report_new();

    cr_assert_not_null(r);
    snprintf(r->state_dir, sizeof(r->state_dir), "/s/wl");
    r->run = 2;
    r->writers = 3;
    r->readers = 1;
    r->ack_fsync = true;
    r->duration_s = 5.5;
    r->start_mono_ns = 1000;
    r->acked = 100;
    r->in_doubt = 2;
    r->lat_p50_us = 1234;
    r->lat_p99_us = 5678;
    r->lat_max_us = 9999;
    r->gap = (struct workload_gap){
        .gap_ns = 2500000000LL, .from_ns = 1000 + 3000000000LL, .from_id = 7, .to_id = 8};
    r->writer.reconnects = 3;
    r->reader.errors = 1;
    r->n_nodes = 3;
    snprintf(r->nodes[0].host, sizeof(r->nodes[0].host), "10.0.0.1");
    r->nodes[0].port = 5432;
    r->nodes[0].role = WORKLOAD_ROLE_PRIMARY;
    r->nodes[0].checked = r->nodes[0].caught_up = true;
    r->nodes[0].rows = 101;
    r->nodes[0].extra = r->nodes[0].extra_in_doubt = 1;
    snprintf(r->nodes[1].host, sizeof(r->nodes[1].host), "10.0.0.2");
    r->nodes[1].port = 5432;
    r->nodes[1].role = WORKLOAD_ROLE_STANDBY;
    r->nodes[1].checked = r->nodes[1].caught_up = true;
    r->nodes[1].rows = 99;
    r->nodes[1].lost = 2;
    r->nodes[1].n_lost_ids = 2;
    r->nodes[1].lost_ids[0] = 41;
    r->nodes[1].lost_ids[1] = 42;
    snprintf(r->nodes[1].lsn, sizeof(r->nodes[1].lsn), "0/3000060");
    snprintf(r->nodes[2].host, sizeof(r->nodes[2].host), "10.0.0.3");
    r->nodes[2].port = 5432;
    snprintf(r->nodes[2].error, sizeof(r->nodes[2].error), "connection refused");
    r->primary = 0;
    workload_report_finish(r);
    return r;
}

Test(workload, report_ok_rules)
{
    _cleanup_workload_report_ struct workload_report *r = sample_report();

    cr_assert_not(r->ok); /* lost on node 1, node 2 unreachable */
    r->nodes[1].lost = 0;
    workload_report_finish(r);
    cr_assert_not(r->ok); /* node 2 still unreachable */
    r->n_nodes = 2;
    workload_report_finish(r);
    cr_assert(r->ok);
    r->nodes[1].caught_up = false;
    workload_report_finish(r);
    cr_assert_not(r->ok);
    r->nodes[1].caught_up = true;
    r->primary = -1;
    workload_report_finish(r);
    cr_assert_not(r->ok);
}

Test(workload, json_shape)
{
    _cleanup_workload_report_ struct workload_report *r = sample_report();
    _cleanup_dynbuf_ struct dynbuf out = {0};
    json_object *root, *v, *n;

    dynbuf_init(&out, 1 << 20);
    cr_assert_eq(workload_report_format_json(r, &out), 0);
    root = json_tokener_parse(dynbuf_str(&out));
    cr_assert_not_null(root, "%s", dynbuf_str(&out));
#define HAS(o, k, t)                                                                               \
    do {                                                                                           \
        cr_assert(json_object_object_get_ex(o, k, &v), "no %s", k);                                \
        cr_assert(json_object_is_type(v, t), "%s has the wrong type", k);                          \
    } while (0)
    HAS(root, "state_dir", json_type_string);
    HAS(root, "run", json_type_int);
    cr_assert_eq(json_object_get_int(v), 2);
    HAS(root, "running", json_type_boolean);
    HAS(root, "ack_fsync", json_type_boolean);
    HAS(root, "duration_s", json_type_double);
    HAS(root, "acked", json_type_int);
    cr_assert_eq(json_object_get_int64(v), 100);
    HAS(root, "in_doubt", json_type_int);
    HAS(root, "torn_lines", json_type_int);
    HAS(root, "duplicate_acks", json_type_int);
    HAS(root, "first_ack_ms", json_type_int);
    HAS(root, "last_ack_ms", json_type_int);
    HAS(root, "start_monotonic_ns", json_type_int);
    HAS(root, "start_unix_ms", json_type_int);
    HAS(root, "latency_ms", json_type_object);
    n = v;
    HAS(n, "p50", json_type_double);
    cr_assert_float_eq(json_object_get_double(v), 1.234, 1e-9);
    HAS(n, "p99", json_type_double);
    HAS(n, "max", json_type_double);
    cr_assert_not_null(strstr(dynbuf_str(&out), "\"max\": 9.999"), "%s", dynbuf_str(&out));
    HAS(root, "longest_gap", json_type_object);
    n = v;
    HAS(n, "ms", json_type_double);
    cr_assert_float_eq(json_object_get_double(v), 2500.0, 1e-9);
    HAS(n, "at_ms", json_type_double);
    cr_assert_float_eq(json_object_get_double(v), 3000.0, 1e-9);
    HAS(n, "from_id", json_type_int);
    HAS(n, "to_id", json_type_int);
    HAS(n, "from_monotonic_ns", json_type_int);
    HAS(root, "clients", json_type_object);
    n = v;
    HAS(n, "writer", json_type_object);
    {
        json_object *w = v;
        HAS(w, "count", json_type_int);
        cr_assert_eq(json_object_get_int(v), 3);
        HAS(w, "reconnects", json_type_int);
        cr_assert_eq(json_object_get_int(v), 3);
        HAS(w, "errors", json_type_int);
        HAS(w, "connect_errors", json_type_int);
        HAS(w, "in_doubt", json_type_int);
    }
    HAS(n, "reader", json_type_object);
    HAS(root, "primary", json_type_string);
    cr_assert_str_eq(json_object_get_string(v), "10.0.0.1:5432");
    HAS(root, "ok", json_type_boolean);
    cr_assert_not(json_object_get_boolean(v));
    HAS(root, "nodes", json_type_array);
    cr_assert_eq(json_object_array_length(v), 3);
    n = json_object_array_get_idx(v, 1);
    HAS(n, "role", json_type_string);
    cr_assert_str_eq(json_object_get_string(v), "standby");
    HAS(n, "lost", json_type_int);
    cr_assert_eq(json_object_get_int(v), 2);
    HAS(n, "lost_ids", json_type_array);
    cr_assert_eq(json_object_array_length(v), 2);
    cr_assert_eq(json_object_get_int64(json_object_array_get_idx(v, 1)), 42);
    HAS(n, "lsn", json_type_string);
    HAS(n, "error", json_type_null);
    HAS(n, "rows", json_type_int);
    HAS(n, "extra", json_type_int);
    HAS(n, "extra_in_doubt", json_type_int);
    HAS(n, "checked", json_type_boolean);
    HAS(n, "caught_up", json_type_boolean);
    HAS(n, "catchup_ms", json_type_int);
    n = json_object_array_get_idx(json_object_object_get(root, "nodes"), 2);
    HAS(n, "role", json_type_string);
    cr_assert_str_eq(json_object_get_string(v), "unreachable");
    HAS(n, "reachable", json_type_boolean);
    cr_assert_not(json_object_get_boolean(v));
    HAS(n, "error", json_type_string);
    HAS(n, "lsn", json_type_null);
    json_object_put(root);

    /* no primary: null */
    r->primary = -1;
    dynbuf_reset(&out);
    cr_assert_eq(workload_report_format_json(r, &out), 0);
    root = json_tokener_parse(dynbuf_str(&out));
    HAS(root, "primary", json_type_null);
    json_object_put(root);
#undef HAS
}

Test(workload, text_report)
{
    _cleanup_workload_report_ struct workload_report *r = sample_report();
    _cleanup_dynbuf_ struct dynbuf out = {0};
    const char *s;

    dynbuf_init(&out, 1 << 20);
    cr_assert_eq(workload_report_format_text(r, &out), 0);
    s = dynbuf_str(&out);
    cr_assert_not_null(strstr(s, "(run 2, stopped, 5.5 s)"), "%s", s);
    cr_assert_not_null(strstr(s, "acknowledged writes: 100  in doubt: 2"), "%s", s);
    cr_assert_not_null(strstr(s, "p50 1.234 ms, p99 5.678 ms, max 9.999 ms"), "%s", s);
    cr_assert_not_null(strstr(s, "longest write gap: 2500.0 ms, from +3.000 s"), "%s", s);
    cr_assert_not_null(strstr(s, "10.0.0.3:5432"), "%s", s);
    cr_assert_not_null(strstr(s, "unreachable: connection refused"), "%s", s);
    cr_assert_not_null(strstr(s, "lost ids: 41 42"), "%s", s);
    cr_assert_not_null(strstr(s, "Result: FAILED: 2 of 3 nodes"), "%s", s);
    r->nodes[1].lost = r->nodes[1].n_lost_ids = 0;
    r->n_nodes = 2;
    workload_report_finish(r);
    dynbuf_reset(&out);
    cr_assert_eq(workload_report_format_text(r, &out), 0);
    cr_assert_not_null(strstr(dynbuf_str(&out), "Result: OK"), "%s", dynbuf_str(&out));
}

Test(workload, error_json)
{
    _cleanup_dynbuf_ struct dynbuf out = {0};
    struct og_error err = {0};
    json_object *root, *e;

    dynbuf_init(&out, 1 << 16);
    og_error_set(&err, OG_E_DN_CONNECTIONS, "no primary: \"h1\" refused\n");
    cr_assert_eq(workload_error_format_json(&err, &out), 0);
    root = json_tokener_parse(dynbuf_str(&out));
    cr_assert_not_null(root);
    cr_assert_not(json_object_get_boolean(json_object_object_get(root, "ok")));
    e = json_object_object_get(root, "error");
    cr_assert_str_eq(json_object_get_string(json_object_object_get(e, "code")), "GAUSS-51624");
    cr_assert_str_eq(json_object_get_string(json_object_object_get(e, "detail")),
                     "no primary: \"h1\" refused\n");
    json_object_put(root);
}

/* ---- start / stop / check refusals (no database needed) ------------------------------------ */

static void opts_for(struct workload_opts *o, const char *state_dir, int port)
{
    char p[16];
    struct og_error err = {0};

    workload_opts_init(o);
    snprintf(o->state_dir, sizeof(o->state_dir), "%s", state_dir);
    snprintf(p, sizeof(p), "%d", port);
    cr_assert_eq(workload_opts_set_hosts(o, "127.0.0.1", &err), 0);
    cr_assert_eq(workload_opts_set_ports(o, p, &err), 0);
}

Test(workload, start_refusals)
{
    struct workload_opts o;
    struct workload_started st;
    struct og_error err = {0};
    struct lockfile *lock = NULL;
    char sd[128], lockp[160], other[128];

    /* nobody listens on port 1 of loopback: no primary */
    snprintf(sd, sizeof(sd), "%s/wl", dir);
    opts_for(&o, sd, 1);
    cr_assert_eq(workload_start(&o, &st, &err), -OG_E_DN_CONNECTIONS);
    cr_assert_not(st.is_child);
    cr_assert_not_null(strstr(err.detail, "no primary reachable"), "%s", err.detail);
    cr_assert_eq(access(sd, F_OK), 0); /* the state dir was made, 0700 */

    /* a directory holding something else is refused */
    snprintf(other, sizeof(other), "%s/other", dir);
    cr_assert_eq(mkdir(other, 0700), 0);
    opts_for(&o, other, 1);
    write_file("other/precious.txt", "x");
    og_error_clear(&err);
    cr_assert_eq(workload_start(&o, &st, &err), -OG_E_CONTENT_INVALID);
    cr_assert_not_null(strstr(err.detail, "precious.txt"), "%s", err.detail);

    /* a running workload (its lock held) is refused */
    snprintf(lockp, sizeof(lockp), "%s/workload.lock", sd);
    cr_assert_eq(lockfile_acquire(lockp, "test", 0, &lock, &err), 0, "%s", err.detail);
    {
        char pidf[160], pid[32];
        snprintf(pidf, sizeof(pidf), "%s/workload.pid", sd);
        snprintf(pid, sizeof(pid), "%d\n", (int)getpid());
        cr_assert_eq(fs_replace_file(pidf, pid, strlen(pid), 0600, &err), 0);
    }
    opts_for(&o, sd, 1);
    cr_assert_eq(workload_start(&o, &st, &err), -OG_E_LOCKED);
    cr_assert_not_null(strstr(err.detail, "already running"), "%s", err.detail);
    lockfile_release(lock);

    /* invalid options never touch anything */
    o.writers = 0;
    cr_assert_eq(workload_start(&o, &st, &err), -OG_E_PARAM_VALUE);
}

/* A stand-in for the background process: holds the lock, writes its pid,
 * and on SIGTERM (unless it ignores it) writes final stats and exits. */
static pid_t fake_daemon(const char *sd, bool ignore_term)
{
    int p[2];
    pid_t pid;
    char c;

    cr_assert_eq(pipe(p), 0);
    pid = fork();
    cr_assert_geq(pid, 0);
    if (pid == 0) {
        struct lockfile *lock = NULL;
        char path[160], txt[32], st[256];
        sigset_t set;
        int sig = 0;

        sigemptyset(&set);
        sigaddset(&set, SIGTERM);
        sigprocmask(SIG_BLOCK, &set, NULL);
        snprintf(path, sizeof(path), "%s/workload.lock", sd);
        if (lockfile_acquire(path, "fake", 0, &lock, NULL) < 0)
            _exit(2);
        snprintf(path, sizeof(path), "%s/workload.pid", sd);
        snprintf(txt, sizeof(txt), "%d\n", (int)getpid());
        fs_replace_file(path, txt, strlen(txt), 0600, NULL);
        if (write(p[1], "r", 1) != 1)
            _exit(3);
        if (ignore_term) {
            for (;;)
                pause();
        }
        sigwait(&set, &sig);
        snprintf(path, sizeof(path), "%s/workload.stats", sd);
        snprintf(st, sizeof(st),
                 "state=stopped\npid=%d\nstart_mono_ns=5\nend_mono_ns=2000000005\n"
                 "writer.acked=42\n",
                 (int)getpid());
        fs_replace_file(path, st, strlen(st), 0600, NULL);
        _exit(0);
    }
    close(p[1]);
    cr_assert_eq(read(p[0], &c, 1), 1);
    close(p[0]);
    return pid;
}

Test(workload, stop_paths)
{
    struct workload_stats st;
    struct og_error err = {0};
    bool was = true;
    char missing[128];
    pid_t pid;
    int status;

    snprintf(missing, sizeof(missing), "%s/nope", dir);
    cr_assert_eq(workload_stop(missing, 1, &st, &was, &err), -OG_E_NOT_EXIST);
    cr_assert_eq(workload_stop(dir, 1, &st, &was, &err), -OG_E_NOT_EXIST); /* no conf */

    write_conf(1, 1, "5432");
    write_stats(false, 5, 15);
    cr_assert_eq(workload_stop(dir, 1, &st, &was, &err), 0, "%s", err.detail);
    cr_assert_not(was);
    cr_assert_eq(st.writer.acked, 5);

    /* it died without stopping */
    write_stats(true, 5, 0);
    cr_assert_eq(workload_stop(dir, 1, &st, &was, &err), -OG_E_NOT_EXIST);
    cr_assert_not_null(strstr(err.detail, "died"), "%s", err.detail);

    /* a running one is signalled and waited for */
    pid = fake_daemon(dir, false);
    cr_assert_eq(workload_stop(dir, 10, &st, &was, &err), 0, "%s", err.detail);
    cr_assert(was);
    cr_assert_eq(st.writer.acked, 42);
    cr_assert_not(st.running);
    cr_assert_eq(waitpid(pid, &status, 0), pid);
    cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);

    /* one that does not exit in time */
    pid = fake_daemon(dir, true);
    cr_assert_eq(workload_stop(dir, 1, &st, &was, &err), -OG_E_TIMEOUT);
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);

    /* a lock held but the pid file is garbage */
    pid = fake_daemon(dir, true);
    write_file("workload.pid", "not a pid\n");
    cr_assert_eq(workload_stop(dir, 1, &st, &was, &err), -OG_E_CONTENT_INVALID);
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
}

Test(workload, check_without_a_primary)
{
    struct workload_check_opts o;
    struct workload_report *r = NULL;
    struct og_error err = {0};

    workload_check_opts_init(&o);
    cr_assert_eq(o.catchup_timeout_s, 60);
    snprintf(o.state_dir, sizeof(o.state_dir), "%s", dir);
    write_conf(1, 1, "1");
    write_stats(false, 5, 15);
    cr_assert_eq(workload_check(&o, &r, &err), -OG_E_DN_CONNECTIONS);
    cr_assert_null(r);
    cr_assert_not_null(strstr(err.detail, "127.0.0.1"), "%s", err.detail);
    cr_assert_eq(workload_opts_set_hosts(&o.hosts, "127.0.0.1,127.0.0.1", &err), 0);
    cr_assert_eq(workload_opts_set_ports(&o.hosts, "1,2", &err), 0);
    cr_assert_eq(workload_check(&o, &r, &err), -OG_E_DN_CONNECTIONS);
    cr_assert_not_null(strstr(err.detail, "port=1,2"), "%s", err.detail);
}

Test(workload, role_names)
{
    cr_assert_str_eq(workload_role_name(WORKLOAD_ROLE_PRIMARY), "primary");
    cr_assert_str_eq(workload_role_name(WORKLOAD_ROLE_STANDBY), "standby");
    cr_assert_str_eq(workload_role_name(WORKLOAD_ROLE_OTHER_PRIMARY), "other-primary");
    cr_assert_str_eq(workload_role_name(WORKLOAD_ROLE_UNREACHABLE), "unreachable");
}

/* ---- the command layer ---------------------------------------------------------------- */

static int cmd(const char *a0, ...)
{
    char *argv[32];
    int argc = 0;
    va_list ap;

    argv[argc++] = (char *)"workload";
    argv[argc++] = (char *)a0;
    va_start(ap, a0);
    for (char *a = va_arg(ap, char *); a && argc < 31; a = va_arg(ap, char *))
        argv[argc++] = a;
    va_end(ap);
    argv[argc] = NULL;
    return workload_cmd_main(argc, argv);
}

Test(workload, command_exit_codes)
{
    char *none[] = {(char *)"workload", NULL};
    char missing[128];

    cr_redirect_stdout();
    cr_redirect_stderr();
    snprintf(missing, sizeof(missing), "%s/nope", dir);
    cr_assert_eq(workload_cmd_main(1, none), 10); /* GAUSS-50001 */
    cr_assert_eq(cmd("--help", NULL), 0);
    cr_assert_eq(cmd("bogus", NULL), 10); /* GAUSS-50000 */
    cr_assert_eq(cmd("start", "--help", NULL), 0);
    cr_assert_eq(cmd("stop", "--help", NULL), 0);
    cr_assert_eq(cmd("check", "--help", NULL), 0);
    cr_assert_eq(cmd("start", "--port", "5432", NULL), 10); /* no --hosts */
    cr_assert_eq(cmd("start", "--hosts", "h1", NULL), 10);  /* no --port */
    cr_assert_eq(cmd("start", "--hosts", "h1", "--port", "0", NULL), 10);
    cr_assert_eq(cmd("start", "--hosts", "h1", "--port", "1", "--writers", "0", NULL), 10);
    cr_assert_eq(cmd("start", "--hosts", "h1", "--port", "1", "--writers", "x", NULL), 10);
    cr_assert_eq(cmd("start", "--hosts", "h1", "--port", "1", "--readers", "-1", NULL), 10);
    cr_assert_eq(cmd("start", "--hosts", "h1", "--port", "1", "--duration", "1e3", NULL), 10);
    cr_assert_eq(cmd("start", "--hosts", "h1", "--port", "1", "--writers", "", NULL), 10);
    cr_assert_eq(cmd("start", "--hosts", "h1", "--port", "1", "--writers", "99999999999", NULL),
                 10);
    cr_assert_eq(cmd("start", "--hosts", "h1", "--port", "1", "--rate", "-1", NULL), 10);
    cr_assert_eq(cmd("start", "--hosts", "h1", "--port", "1", "--rate", "100001", NULL), 10);
    cr_assert_eq(cmd("start", "--hosts", "h1", "--port", "1", "--dbname", "-x", NULL), 10);
    cr_assert_eq(cmd("start", "--hosts", "h1", "--port", "1", "--state-dir", "-x", NULL), 10);
    cr_assert_eq(cmd("start", "--hosts", "h1", "--port", "1", "--bogus", NULL), 10);
    cr_assert_eq(cmd("start", "--hosts", NULL), 10); /* GAUSS-50004 */
    cr_assert_eq(cmd("start", "--hosts", "h1", "--port", "1", "extra", NULL), 10);
    /* valid options, nobody listening: GAUSS-51624 -> 26 */
    cr_assert_eq(cmd("start", "--hosts", "127.0.0.1", "--port", "1", "--state-dir", missing,
                     "--no-ack-fsync", NULL),
                 26);
    cr_assert_eq(cmd("stop", "--state-dir", missing, "--bogus", NULL), 10);
    cr_assert_eq(cmd("stop", "--timeout", "0", NULL), 10);
    cr_assert_eq(cmd("stop", "--state-dir", dir, NULL), 12); /* GAUSS-50201 */
    cr_assert_eq(cmd("stop", "--state-dir", dir, "extra", NULL), 10);
    /* check: 1 for anything but a pass, usage errors included */
    cr_assert_eq(cmd("check", "--state-dir", dir, NULL), 1);
    cr_assert_eq(cmd("check", "--state-dir", dir, "--json", NULL), 1);
    cr_assert_eq(cmd("check", "--bogus", NULL), 1);
    cr_assert_eq(cmd("check", "--hosts", "h1", NULL), 1); /* --port missing */
    cr_assert_eq(cmd("check", "--port", "1", NULL), 1);   /* --hosts missing */
    cr_assert_eq(cmd("check", "--catchup-timeout", "-5", NULL), 1);
    cr_assert_eq(cmd("check", "--state-dir", dir, "extra", NULL), 1);
    write_conf(1, 1, "1");
    write_stats(false, 5, 15);
    cr_assert_eq(cmd("check", "--state-dir", dir, "--hosts", "127.0.0.1", "--port", "2",
                     "--catchup-timeout", "1", "--json", NULL),
                 1);
    /* HOME unset and no --state-dir */
    unsetenv("HOME");
    cr_assert_eq(cmd("stop", NULL), 28); /* GAUSS-51800 */
}
