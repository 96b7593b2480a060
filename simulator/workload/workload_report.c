/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * workload_report.c - what the workload's logs say (workload.h): the logs
 * read, the pure computations (longest gap, percentiles, the merge of a
 * node's ids against the logs), the report loaded from a state directory
 * and formatted as text or JSON.
 */
#include <errno.h>
#include <inttypes.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "dynbuf.h"
#include "ogerror.h"
#include "strtable.h"
#include "workload.h"
#include "workload_int.h"
#include "banned.h"

/* ---- the logs and the computations ------------------------------------------------ */

void workload_acks_done(struct workload_acks *a)
{
    free(a->v);
    a->v = NULL;
    a->n = a->alloc = 0;
}

static int acks_push(struct workload_acks *a, const struct workload_ack *x)
{
    if (a->n == a->alloc) {
        size_t na = a->alloc ? a->alloc * 2 : 1024;
        struct workload_ack *nv = reallocarray(a->v, na, sizeof(*nv));
        if (!nv)
            return -OG_E_NOMEM;
        a->v = nv;
        a->alloc = na;
    }
    a->v[a->n++] = *x;
    return 0;
}

static int parse_log_line(char *line, struct workload_ack *x)
{
    char *f1 = line, *f2, *f3;

    f2 = strchr(f1, '\t');
    if (!f2)
        return -1;
    *f2++ = '\0';
    f3 = strchr(f2, '\t');
    if (!f3)
        return -1;
    *f3++ = '\0';
    if (wl_parse_int64(f1, 1, INT64_MAX, &x->id) < 0 ||
        wl_parse_int64(f2, 0, INT64_MAX, &x->t_ns) < 0 ||
        wl_parse_int64(f3, 0, INT64_MAX, &x->lat_us) < 0)
        return -1;
    return 0;
}

int workload_log_read(const char *path, struct workload_acks *a, size_t max, uint64_t *torn,
                      struct og_error *err)
{
    _cleanup_fclose_ FILE *f = fopen(path, "re");
    _cleanup_free_ char *line = NULL;
    size_t cap = 0, lineno = 0;
    ssize_t len;

    if (!f) {
        if (errno == ENOENT)
            return 0;
        return og_error_set_errno(err, OG_E_READ_FAILED, errno, "Failed to read \"%s\"", path);
    }
    while ((len = getline(&line, &cap, f)) > 0) {
        struct workload_ack x;

        lineno++;
        if (line[len - 1] != '\n') {
            /* a torn last write: the ack was not recorded whole */
            if (torn)
                (*torn)++;
            break;
        }
        line[len - 1] = '\0';
        if (len > 80 || parse_log_line(line, &x) < 0)
            return og_error_set(err, OG_E_CONTENT_INVALID,
                                "The content of file \"%s\" is not correct: line %zu.", path,
                                lineno);
        if (a->n >= max)
            return og_error_set(err, OG_E_TOO_LARGE,
                                "The logs of \"%s\" exceed their limit of %zu "
                                "lines.",
                                path, max);
        if (acks_push(a, &x) < 0)
            return og_error_set(err, OG_E_NOMEM, "reading \"%s\"", path);
    }
    if (ferror(f))
        return og_error_set(err, OG_E_READ_FAILED, "Failed to read \"%s\".", path);
    return 0;
}

void workload_longest_gap(const struct workload_ack *acks, size_t n, struct workload_gap *ret)
{
    memset(ret, 0, sizeof(*ret));
    for (size_t i = 1; i < n; i++) {
        int64_t g = acks[i].t_ns - acks[i - 1].t_ns;
        if (g > ret->gap_ns) {
            ret->gap_ns = g;
            ret->from_ns = acks[i - 1].t_ns;
            ret->from_id = acks[i - 1].id;
            ret->to_id = acks[i].id;
        }
    }
}

int64_t workload_percentile(const int64_t *sorted, size_t n, double p)
{
    double rank;
    size_t k;

    if (n == 0)
        return 0;
    if (p <= 0)
        return sorted[0];
    /* ceil, tolerant of the binary representation of p (99.9% of 1000 is 999) */
    rank = p / 100.0 * (double)n - 1e-9;
    k = (size_t)rank;
    if ((double)k < rank)
        k++;
    if (k < 1)
        k = 1;
    if (k > n)
        k = n;
    return sorted[k - 1];
}

void workload_merge_init(struct workload_merge *m, const int64_t *acked, size_t n_acked,
                         const int64_t *doubt, size_t n_doubt)
{
    memset(m, 0, sizeof(*m));
    m->acked = acked;
    m->n_acked = n_acked;
    m->doubt = doubt;
    m->n_doubt = n_doubt;
}

static void merge_lost(struct workload_merge *m, int64_t id)
{
    if (m->n_lost_ids < WORKLOAD_LOST_LIST_MAX)
        m->lost_ids[m->n_lost_ids++] = id;
    m->lost++;
}

int workload_merge_feed(struct workload_merge *m, const int64_t *ids, size_t n,
                        struct og_error *err)
{
    for (size_t k = 0; k < n; k++) {
        int64_t x = ids[k];

        if (m->any && x <= m->last)
            return og_error_set(
                err, OG_E_CONTENT_INVALID,
                "The ids are not in ascending order (%" PRId64 " after %" PRId64 ").", x, m->last);
        m->any = true;
        m->last = x;
        m->rows++;
        while (m->i < m->n_acked && m->acked[m->i] < x)
            merge_lost(m, m->acked[m->i++]);
        if (m->i < m->n_acked && m->acked[m->i] == x) {
            m->i++;
            m->present++;
            continue;
        }
        m->extra++;
        while (m->j < m->n_doubt && m->doubt[m->j] < x)
            m->j++;
        if (m->j < m->n_doubt && m->doubt[m->j] == x)
            m->extra_in_doubt++;
    }
    return 0;
}

void workload_merge_finish(struct workload_merge *m)
{
    while (m->i < m->n_acked)
        merge_lost(m, m->acked[m->i++]);
}

/* ---- the report ----------------------------------------------------------------- */

static const char *const workload_role_table[] = {
    [WORKLOAD_ROLE_UNREACHABLE] = "unreachable",
    [WORKLOAD_ROLE_PRIMARY] = "primary",
    [WORKLOAD_ROLE_STANDBY] = "standby",
    [WORKLOAD_ROLE_OTHER_PRIMARY] = "other-primary",
};
STRTABLE_TO_STRING(workload_role_name, enum workload_role, workload_role_table, "unreachable");

void workload_check_opts_init(struct workload_check_opts *o)
{
    memset(o, 0, sizeof(*o));
    if (workload_default_state_dir(o->state_dir, sizeof(o->state_dir), NULL) < 0)
        o->state_dir[0] = '\0';
    workload_opts_init(&o->hosts);
    o->hosts.n_hosts = 0;
    o->catchup_timeout_s = 60;
}

struct workload_report *workload_report_new(void)
{
    struct workload_report *r = calloc(1, sizeof(*r));

    if (r) {
        r->primary = -1;
        r->first_ack_ms = r->last_ack_ms = -1;
    }
    return r;
}

void workload_report_free(struct workload_report *r)
{
    if (!r)
        return;
    free(r->acked_ids);
    free(r->doubt_ids);
    free(r);
}

static int cmp_time(const void *a, const void *b)
{
    const struct workload_ack *x = a, *y = b;

    if (x->t_ns != y->t_ns)
        return x->t_ns < y->t_ns ? -1 : 1;
    return x->id < y->id ? -1 : x->id > y->id;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

    return x < y ? -1 : x > y;
}

/* Sorted, duplicate-free ids of acks; the number of duplicates dropped. */
static int64_t *sorted_ids(const struct workload_acks *a, size_t *ret_n, uint64_t *dups)
{
    int64_t *v = malloc((a->n ? a->n : 1) * sizeof(*v));
    size_t n = 0;

    if (!v)
        return NULL;
    for (size_t i = 0; i < a->n; i++)
        v[i] = a->v[i].id;
    qsort(v, a->n, sizeof(*v), cmp_i64);
    for (size_t i = 0; i < a->n; i++) {
        if (n > 0 && v[n - 1] == v[i]) {
            if (dups)
                (*dups)++;
            continue;
        }
        v[n++] = v[i];
    }
    *ret_n = n;
    return v;
}

static int check_range(const struct workload_acks *a, int run, const char *dir,
                       struct og_error *err)
{
    int64_t lo = (int64_t)run << WORKLOAD_RUN_SHIFT, hi = (int64_t)(run + 1) << WORKLOAD_RUN_SHIFT;

    for (size_t i = 0; i < a->n; i++)
        if (a->v[i].id < lo || a->v[i].id >= hi)
            return og_error_set(err, OG_E_CONTENT_INVALID,
                                "The logs of \"%s\" are not correct: id %" PRId64
                                " is not of run %d.",
                                dir, a->v[i].id, run);
    return 0;
}

int workload_report_load(struct workload_report *r, const char *state_dir, struct og_error *err)
{
    _cleanup_(workload_acks_done) struct workload_acks acks = {0}, doubts = {0};
    _cleanup_free_ int64_t *lat = NULL;
    struct workload_stats st;
    struct wl_conf conf;
    char path[WORKLOAD_PATH_MAX + 32];
    size_t n_ids = 0, n_doubt = 0;
    int rc;

    rc = wl_conf_read(state_dir, &conf, err);
    if (rc < 0)
        return rc;
    rc = workload_stats_read(state_dir, &st, err);
    if (rc < 0)
        return rc;
    free(r->acked_ids);
    free(r->doubt_ids);
    memset(r, 0, sizeof(*r));
    r->primary = -1;
    r->first_ack_ms = r->last_ack_ms = -1;
    snprintf(r->state_dir, sizeof(r->state_dir), "%s", state_dir);
    r->run = conf.run;
    r->writers = conf.o.writers;
    r->readers = conf.o.readers;
    r->ack_fsync = conf.o.ack_fsync;
    r->running = st.running;
    r->start_mono_ns = st.start_mono_ns;
    r->start_unix_ms = st.start_unix_ms;
    r->writer = st.writer;
    r->reader = st.reader;
    r->n_probes = st.n_probes < conf.o.n_hosts ? st.n_probes : conf.o.n_hosts;
    for (size_t i = 0; i < r->n_probes; i++) {
        r->probes[i] = st.probes[i];
        snprintf(r->probe_hosts[i], sizeof(r->probe_hosts[i]), "%s:%d", conf.o.hosts[i],
                 conf.o.ports[i]);
    }
    r->duration_s = (double)((st.running || !st.end_mono_ns ? wl_mono_ns() : st.end_mono_ns) -
                             st.start_mono_ns) /
                    1e9;
    for (int w = 1; w <= conf.o.writers; w++) {
        snprintf(path, sizeof(path), "%s/writer-%d.log", state_dir, w);
        rc = workload_log_read(path, &acks, WORKLOAD_MAX_IDS, &r->torn_lines, err);
        if (rc < 0)
            return rc;
        snprintf(path, sizeof(path), "%s/writer-%d.doubt", state_dir, w);
        rc = workload_log_read(path, &doubts, WORKLOAD_MAX_IDS, &r->torn_lines, err);
        if (rc < 0)
            return rc;
    }
    rc = check_range(&acks, conf.run, state_dir, err);
    if (rc == 0)
        rc = check_range(&doubts, conf.run, state_dir, err);
    if (rc < 0)
        return rc;

    r->acked_ids = sorted_ids(&acks, &n_ids, &r->duplicate_acks);
    r->doubt_ids = sorted_ids(&doubts, &n_doubt, NULL);
    lat = malloc((acks.n ? acks.n : 1) * sizeof(*lat));
    if (!r->acked_ids || !r->doubt_ids || !lat)
        return og_error_set(err, OG_E_NOMEM, "loading the logs of \"%s\"", state_dir);
    r->acked = n_ids;
    r->in_doubt = n_doubt;

    if (acks.n > 0) /* acks.v is NULL when nothing was acknowledged */
        qsort(acks.v, acks.n, sizeof(*acks.v), cmp_time);
    workload_longest_gap(acks.v, acks.n, &r->gap);
    if (acks.n > 0) {
        r->first_ack_ms = (acks.v[0].t_ns - st.start_mono_ns) / 1000000;
        r->last_ack_ms = (acks.v[acks.n - 1].t_ns - st.start_mono_ns) / 1000000;
    }
    for (size_t i = 0; i < acks.n; i++)
        lat[i] = acks.v[i].lat_us;
    qsort(lat, acks.n, sizeof(*lat), cmp_i64);
    r->lat_p50_us = workload_percentile(lat, acks.n, 50);
    r->lat_p99_us = workload_percentile(lat, acks.n, 99);
    r->lat_max_us = acks.n ? lat[acks.n - 1] : 0;
    return 0;
}

void workload_report_finish(struct workload_report *r)
{
    bool ok = r->primary >= 0 && r->n_nodes > 0;

    for (size_t i = 0; i < r->n_nodes; i++) {
        const struct workload_node *n = &r->nodes[i];
        if (!n->checked || !n->caught_up || n->lost > 0)
            ok = false;
    }
    r->ok = ok;
}

/* ---- formatting -------------------------------------------------------------------- */

static double us_ms(int64_t us)
{
    return (double)us / 1000.0;
}

static void kind_text(struct dynbuf *b, const char *kind, int count,
                      const struct workload_kind_stats *k, bool writer)
{
    if (writer)
        dynbuf_addf(b,
                    "  %-8s %3d: acked %" PRIu64 ", in doubt %" PRIu64 ", errors %" PRIu64
                    " (read-only %" PRIu64 "), reconnects %" PRIu64 ", connect errors %" PRIu64
                    ", log errors %" PRIu64 "\n",
                    kind, count, k->acked, k->in_doubt, k->errors, k->read_only, k->reconnects,
                    k->connect_errors, k->log_errors);
    else
        dynbuf_addf(b,
                    "  %-8s %3d: queries %" PRIu64 ", errors %" PRIu64 ", reconnects %" PRIu64
                    ", connect errors %" PRIu64 "\n",
                    kind, count, k->queries, k->errors, k->reconnects, k->connect_errors);
}

int workload_report_format_text(const struct workload_report *r, struct dynbuf *out)
{
    size_t failed = 0;

    dynbuf_addf(out, "Workload check of \"%s\" (run %d, %s, %.1f s)\n", r->state_dir, r->run,
                r->running ? "still running" : "stopped", r->duration_s);
    dynbuf_addf(out,
                "  acknowledged writes: %" PRIu64 "  in doubt: %" PRIu64
                "  torn log lines: %" PRIu64 "%s\n",
                r->acked, r->in_doubt, r->torn_lines, r->ack_fsync ? "" : "  (acks not fsync'd)");
    if (r->duplicate_acks)
        dynbuf_addf(out, "  duplicate acked ids in the logs: %" PRIu64 "\n", r->duplicate_acks);
    dynbuf_addf(out, "  commit latency: p50 %.3f ms, p99 %.3f ms, max %.3f ms\n",
                us_ms(r->lat_p50_us), us_ms(r->lat_p99_us), us_ms(r->lat_max_us));
    dynbuf_addf(out,
                "  longest write gap: %.1f ms, from +%.3f s (after id %" PRId64 " until id %" PRId64
                ")\n",
                (double)r->gap.gap_ns / 1e6,
                r->gap.gap_ns ? (double)(r->gap.from_ns - r->start_mono_ns) / 1e9 : 0.0,
                r->gap.from_id, r->gap.to_id);
    kind_text(out, "writers", r->writers, &r->writer, true);
    kind_text(out, "readers", r->readers, &r->reader, false);
    for (size_t i = 0; i < r->n_probes; i++) {
        const struct workload_probe_stats *p = &r->probes[i];
        dynbuf_addf(out,
                    "  probe %-20s longest without an answer %.1f ms, from +%.3f s"
                    " (answers %" PRIu64 ", failures %" PRIu64 ")\n",
                    r->probe_hosts[i], (double)p->longest_ns / 1e6,
                    (double)(p->longest_from_ns - r->start_mono_ns) / 1e9, p->answers, p->errors);
    }
    for (size_t i = 0; i < r->n_nodes; i++) {
        const struct workload_node *n = &r->nodes[i];
        char where[WORKLOAD_HOST_MAX + 16];

        snprintf(where, sizeof(where), "%s:%d", n->host, n->port);
        if (n->role == WORKLOAD_ROLE_UNREACHABLE) {
            dynbuf_addf(out, "  node %-21s unreachable: %s\n", where, n->error);
            failed++;
            continue;
        }
        dynbuf_addf(out, "  node %-21s %-8s", where, workload_role_name(n->role));
        if (n->role == WORKLOAD_ROLE_STANDBY)
            dynbuf_addf(out, " replayed %s in %" PRId64 " ms,", n->lsn[0] ? n->lsn : "-",
                        n->catchup_ms);
        else
            dynbuf_addf(out, " WAL %s,", n->lsn[0] ? n->lsn : "-");
        if (n->checked)
            dynbuf_addf(out,
                        " rows %" PRIu64 ", lost %" PRIu64 ", extra %" PRIu64 " (%" PRIu64
                        " in doubt)\n",
                        n->rows, n->lost, n->extra, n->extra_in_doubt);
        else
            dynbuf_addf(out, " not checked\n");
        if (n->error[0])
            dynbuf_addf(out, "      %s\n", n->error);
        if (n->n_lost_ids) {
            dynbuf_addf(out, "      lost ids%s:", n->lost > n->n_lost_ids ? " (first 20)" : "");
            for (size_t k = 0; k < n->n_lost_ids; k++)
                dynbuf_addf(out, " %" PRId64, n->lost_ids[k]);
            dynbuf_adds(out, "\n");
        }
        if (!n->checked || !n->caught_up || n->lost)
            failed++;
    }
    if (r->ok)
        return dynbuf_appendf(out, "Result: OK: every acknowledged write is on every node.\n");
    if (r->primary < 0)
        return dynbuf_appendf(out, "Result: FAILED: no primary.\n");
    return dynbuf_appendf(out,
                          "Result: FAILED: %zu of %zu nodes lost acknowledged writes or "
                          "were not checked.\n",
                          failed, r->n_nodes);
}

static json_object *kind_json(int count, const struct workload_kind_stats *k)
{
    json_object *o = json_object_new_object();

    json_object_object_add(o, "count", json_object_new_int(count));
    json_object_object_add(o, "acked", json_object_new_int64((int64_t)k->acked));
    json_object_object_add(o, "in_doubt", json_object_new_int64((int64_t)k->in_doubt));
    json_object_object_add(o, "queries", json_object_new_int64((int64_t)k->queries));
    json_object_object_add(o, "errors", json_object_new_int64((int64_t)k->errors));
    json_object_object_add(o, "connects", json_object_new_int64((int64_t)k->connects));
    json_object_object_add(o, "reconnects", json_object_new_int64((int64_t)k->reconnects));
    json_object_object_add(o, "connect_errors", json_object_new_int64((int64_t)k->connect_errors));
    json_object_object_add(o, "log_errors", json_object_new_int64((int64_t)k->log_errors));
    json_object_object_add(o, "read_only", json_object_new_int64((int64_t)k->read_only));
    return o;
}

/* A number of milliseconds printed with 3 decimals (microseconds). */
static json_object *ms_json(double ms)
{
    char txt[48];

    snprintf(txt, sizeof(txt), "%.3f", ms);
    return json_object_new_double_s(ms, txt);
}

DEFINE_TRIVIAL_CLEANUP_FUNC(json_object *, json_object_put)

/* one per host: the longest interval a client of that node alone got no answer */
static json_object *probes_json(const struct workload_report *r)
{
    json_object *a = json_object_new_array();

    for (size_t i = 0; a && i < r->n_probes; i++) {
        const struct workload_probe_stats *p = &r->probes[i];
        json_object *o = json_object_new_object();

        json_object_object_add(o, "host", json_object_new_string(r->probe_hosts[i]));
        json_object_object_add(o, "longest_unavailable_ms", ms_json((double)p->longest_ns / 1e6));
        json_object_object_add(o, "at_ms",
                               ms_json((double)(p->longest_from_ns - r->start_mono_ns) / 1e6));
        json_object_object_add(o, "answers", json_object_new_int64((int64_t)p->answers));
        json_object_object_add(o, "failures", json_object_new_int64((int64_t)p->errors));
        json_object_array_add(a, o);
    }
    return a;
}

int workload_report_format_json(const struct workload_report *r, struct dynbuf *out)
{
    _cleanup_(json_object_putp) json_object *root = json_object_new_object();
    json_object *lat, *gap, *clients, *nodes;
    char prim[WORKLOAD_HOST_MAX + 16];

    if (!root)
        return -OG_E_NOMEM;
    json_object_object_add(root, "state_dir", json_object_new_string(r->state_dir));
    json_object_object_add(root, "run", json_object_new_int(r->run));
    json_object_object_add(root, "running", json_object_new_boolean(r->running));
    json_object_object_add(root, "ack_fsync", json_object_new_boolean(r->ack_fsync));
    {
        char txt[48];
        snprintf(txt, sizeof(txt), "%.3f", r->duration_s);
        json_object_object_add(root, "duration_s", json_object_new_double_s(r->duration_s, txt));
    }
    json_object_object_add(root, "start_unix_ms", json_object_new_int64(r->start_unix_ms));
    json_object_object_add(root, "start_monotonic_ns", json_object_new_int64(r->start_mono_ns));
    json_object_object_add(root, "acked", json_object_new_int64((int64_t)r->acked));
    json_object_object_add(root, "in_doubt", json_object_new_int64((int64_t)r->in_doubt));
    json_object_object_add(root, "torn_lines", json_object_new_int64((int64_t)r->torn_lines));
    json_object_object_add(root, "duplicate_acks",
                           json_object_new_int64((int64_t)r->duplicate_acks));
    lat = json_object_new_object();
    json_object_object_add(lat, "p50", ms_json(us_ms(r->lat_p50_us)));
    json_object_object_add(lat, "p99", ms_json(us_ms(r->lat_p99_us)));
    json_object_object_add(lat, "max", ms_json(us_ms(r->lat_max_us)));
    json_object_object_add(root, "latency_ms", lat);
    gap = json_object_new_object();
    json_object_object_add(gap, "ms", ms_json((double)r->gap.gap_ns / 1e6));
    json_object_object_add(
        gap, "at_ms",
        ms_json(r->gap.gap_ns ? (double)(r->gap.from_ns - r->start_mono_ns) / 1e6 : 0.0));
    json_object_object_add(gap, "from_monotonic_ns", json_object_new_int64(r->gap.from_ns));
    json_object_object_add(gap, "from_id", json_object_new_int64(r->gap.from_id));
    json_object_object_add(gap, "to_id", json_object_new_int64(r->gap.to_id));
    json_object_object_add(root, "longest_gap", gap);
    json_object_object_add(root, "first_ack_ms", json_object_new_int64(r->first_ack_ms));
    json_object_object_add(root, "last_ack_ms", json_object_new_int64(r->last_ack_ms));
    clients = json_object_new_object();
    json_object_object_add(clients, "writer", kind_json(r->writers, &r->writer));
    json_object_object_add(clients, "reader", kind_json(r->readers, &r->reader));
    json_object_object_add(root, "clients", clients);
    json_object_object_add(root, "availability", probes_json(r));
    if (r->primary >= 0) {
        snprintf(prim, sizeof(prim), "%s:%d", r->nodes[r->primary].host, r->nodes[r->primary].port);
        json_object_object_add(root, "primary", json_object_new_string(prim));
    } else {
        json_object_object_add(root, "primary", NULL);
    }
    nodes = json_object_new_array();
    for (size_t i = 0; i < r->n_nodes; i++) {
        const struct workload_node *n = &r->nodes[i];
        json_object *o = json_object_new_object(), *ids = json_object_new_array();

        json_object_object_add(o, "host", json_object_new_string(n->host));
        json_object_object_add(o, "port", json_object_new_int(n->port));
        json_object_object_add(o, "role", json_object_new_string(workload_role_name(n->role)));
        json_object_object_add(o, "reachable",
                               json_object_new_boolean(n->role != WORKLOAD_ROLE_UNREACHABLE));
        json_object_object_add(o, "checked", json_object_new_boolean(n->checked));
        json_object_object_add(o, "caught_up", json_object_new_boolean(n->caught_up));
        json_object_object_add(o, "lsn", n->lsn[0] ? json_object_new_string(n->lsn) : NULL);
        json_object_object_add(o, "catchup_ms", json_object_new_int64(n->catchup_ms));
        json_object_object_add(o, "rows", json_object_new_int64((int64_t)n->rows));
        json_object_object_add(o, "lost", json_object_new_int64((int64_t)n->lost));
        for (size_t k = 0; k < n->n_lost_ids; k++)
            json_object_array_add(ids, json_object_new_int64(n->lost_ids[k]));
        json_object_object_add(o, "lost_ids", ids);
        json_object_object_add(o, "extra", json_object_new_int64((int64_t)n->extra));
        json_object_object_add(o, "extra_in_doubt",
                               json_object_new_int64((int64_t)n->extra_in_doubt));
        json_object_object_add(o, "error", n->error[0] ? json_object_new_string(n->error) : NULL);
        json_object_array_add(nodes, o);
    }
    json_object_object_add(root, "nodes", nodes);
    json_object_object_add(root, "ok", json_object_new_boolean(r->ok));
    if (dynbuf_appends(out, json_object_to_json_string_ext(
                                root, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
                                          JSON_C_TO_STRING_NOSLASHESCAPE)) < 0)
        return -OG_E_NOMEM;
    return dynbuf_appends(out, "\n");
}

int workload_error_format_json(const struct og_error *err, struct dynbuf *out)
{
    _cleanup_(json_object_putp) json_object *root = json_object_new_object();
    json_object *e = json_object_new_object();

    if (!root || !e) {
        json_object_put(e);
        return -OG_E_NOMEM;
    }
    json_object_object_add(e, "code", json_object_new_string(og_code_name(err->code)));
    json_object_object_add(
        e, "detail",
        json_object_new_string(err->detail[0] ? err->detail : og_code_text(err->code)));
    json_object_object_add(root, "ok", json_object_new_boolean(false));
    json_object_object_add(root, "error", e);
    if (dynbuf_appends(out, json_object_to_json_string_ext(
                                root, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
                                          JSON_C_TO_STRING_NOSLASHESCAPE)) < 0)
        return -OG_E_NOMEM;
    return dynbuf_appends(out, "\n");
}
