/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * workload_daemon.c - the workload's background process (workload.h): the
 * writer, reader and probe threads, their counters, and the loop that
 * writes workload.stats until a signal or the duration ends it.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libpq-fe.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cleanup.h"
#include "fs.h"
#include "ogerror.h"
#include "workload.h"
#include "workload_int.h"
#include "banned.h"

#define READER_PAUSE_MS 10

/* read_only_sql_transaction: "cannot execute INSERT in a read-only transaction" */
#define SQLSTATE_READ_ONLY "25006"

/* ---- the background process ------------------------------------------------------ */

struct wl_daemon;

struct wl_client {
    struct wl_daemon *d;
    bool writer;
    int num; /* 1-based */
    pthread_t thread;
    bool started;
    int log_fd, doubt_fd;
    atomic_uint_fast64_t acked, in_doubt, queries, errors, connects, reconnects, connect_errors,
        log_errors, read_only;
};

struct wl_probe {
    struct wl_daemon *d;
    size_t index; /* the host's */
    pthread_t thread;
    bool started;
    pthread_mutex_t lock; /* last_ok_ns, s */
    int64_t last_ok_ns;
    struct workload_probe_stats s;
};

struct wl_daemon {
    struct wl_conf conf;
    atomic_bool stop;
    int64_t start_ns;
    int64_t start_unix_ms;
    struct wl_client *clients;
    size_t n_clients;
    struct wl_probe probes[WORKLOAD_MAX_HOSTS];
    size_t n_probes;
};

static bool stopping(const struct wl_daemon *d)
{
    return atomic_load_explicit(&d->stop, memory_order_relaxed);
}

static void wl_sleep(const struct wl_daemon *d, int ms)
{
    while (ms > 0 && !stopping(d)) {
        int s = ms > 50 ? 50 : ms;
        wl_sleep_ms(s);
        ms -= s;
    }
}

#define INC(c, field) atomic_fetch_add_explicit(&(c)->field, 1, memory_order_relaxed)

/* A client's session to the cluster: where it connects, the connection in
 * use, the back-off before the next try, and whether it ever connected. */
struct wl_link {
    struct wl_conninfo ci;
    PGconn *conn;
    int backoff_ms;
    bool ever;
};

/* role "writer"/"reader" names the session (application_name); target is
 * libpq's target_session_attrs. */
static void link_init(struct wl_link *l, const struct wl_client *cl, const char *role,
                      const char *target)
{
    char appname[64];

    snprintf(appname, sizeof(appname), "ogsim-workload-%s-%d", role, cl->num);
    *l = (struct wl_link){.backoff_ms = WORKLOAD_BACKOFF_MIN_MS};
    wl_conninfo_init(&l->ci, &cl->d->conf.o, -1, cl->d->conf.o.dbname, target, appname);
}

static void link_backoff(const struct wl_daemon *d, struct wl_link *l)
{
    wl_sleep(d, l->backoff_ms);
    l->backoff_ms =
        l->backoff_ms * 2 > WORKLOAD_BACKOFF_MAX_MS ? WORKLOAD_BACKOFF_MAX_MS : l->backoff_ms * 2;
}

/* Connect (or back off): true with l->conn set. */
static bool client_connect(struct wl_client *cl, struct wl_link *l)
{
    PGconn *c = wl_connect(&l->ci);

    if (!c || PQstatus(c) != CONNECTION_OK) {
        PQfinish(c);
        INC(cl, connect_errors);
        link_backoff(cl->d, l);
        return false;
    }
    INC(cl, connects);
    if (l->ever)
        INC(cl, reconnects);
    l->ever = true;
    l->conn = c;
    return true;
}

static int log_line(struct wl_client *cl, int fd, int64_t id, int64_t t_ns, int64_t lat_us)
{
    char line[96];
    int n =
        snprintf(line, sizeof(line), "%" PRId64 "\t%" PRId64 "\t%" PRId64 "\n", id, t_ns, lat_us);
    int r = fs_write_all(fd, line, (size_t)n);

    if (r == 0 && cl->d->conf.o.ack_fsync && fsync(fd) < 0)
        r = -errno;
    if (r < 0) {
        INC(cl, log_errors);
        fprintf(stderr, "writer %d: cannot log id %" PRId64 ": %s; the writer stops\n", cl->num, id,
                strerror(-r));
    }
    return r;
}

/* A session to use: one lost after its last answer is dropped first (a
 * writer reconnects before using an id); false while none could be had. */
static bool client_ready(struct wl_client *cl, struct wl_link *l)
{
    if (l->conn && PQstatus(l->conn) != CONNECTION_OK) {
        PQfinish(l->conn);
        l->conn = NULL;
    }
    return l->conn || client_connect(cl, l);
}

/* After any failure: reconnect next time (the primary may have moved); a
 * refused statement (not one in doubt) backs off first, doubling. */
static void client_drop(const struct wl_daemon *d, enum wl_outcome o, struct wl_link *l)
{
    PQfinish(l->conn);
    l->conn = NULL;
    if (o == WL_FAILED)
        link_backoff(d, l);
}

/* --rate: the next commit is due 1/rate s after the last one was; a writer
 * that fell behind (a slow or refused stretch) starts afresh rather than
 * catching up in a burst. */
static void pace(const struct wl_daemon *d, int64_t *due, int64_t now_ns)
{
    int64_t step;

    if (d->conf.o.rate <= 0)
        return;
    step = 1000000000LL / d->conf.o.rate;
    *due = *due && now_ns - *due < 1000000000LL ? *due + step : now_ns + step;
    if (*due > now_ns)
        wl_sleep(d, (int)((*due - now_ns + 999999) / 1000000));
}

static void *writer_main(void *arg)
{
    struct wl_client *cl = arg;
    struct wl_daemon *d = cl->d;
    struct wl_link l;
    char idtxt[24], wtxt[8];
    const char *params[2] = {idtxt, wtxt};
    int64_t base =
        ((int64_t)d->conf.run << WORKLOAD_RUN_SHIFT) | ((int64_t)cl->num << WORKLOAD_WRITER_SHIFT);
    int64_t seq = 0, due = 0;

    snprintf(wtxt, sizeof(wtxt), "%d", cl->num);
    link_init(&l, cl, "writer", "primary");
    while (!stopping(d)) {
        PGresult *res = NULL;
        enum wl_outcome o;
        int64_t id, t0, t1;

        if (!client_ready(cl, &l))
            continue;
        if (++seq >= (1LL << WORKLOAD_WRITER_SHIFT))
            break; /* 4G ids per writer and run */
        id = base | seq;
        snprintf(idtxt, sizeof(idtxt), "%" PRId64, id);
        t0 = wl_mono_ns();
        o = wl_exec(l.conn, "INSERT INTO wl_acked (id, writer) VALUES ($1, $2)", 2, params,
                    PGRES_COMMAND_OK, WORKLOAD_STMT_TIMEOUT_MS, &res);
        t1 = wl_mono_ns();
        if (o == WL_FAILED && res && PQresultErrorField(res, PG_DIAG_SQLSTATE) &&
            strcmp(PQresultErrorField(res, PG_DIAG_SQLSTATE), SQLSTATE_READ_ONLY) == 0)
            INC(cl, read_only);
        PQclear(res);
        if (o == WL_OK) {
            l.backoff_ms = WORKLOAD_BACKOFF_MIN_MS;
            INC(cl, acked);
            if (log_line(cl, cl->log_fd, id, t1, (t1 - t0) / 1000) < 0)
                break;
            pace(d, &due, t1);
            continue;
        }
        INC(cl, errors);
        if (o == WL_DOUBT) {
            INC(cl, in_doubt);
            if (log_line(cl, cl->doubt_fd, id, t1, (t1 - t0) / 1000) < 0)
                break;
        }
        client_drop(d, o, &l);
    }
    PQfinish(l.conn);
    return NULL;
}

static void *reader_main(void *arg)
{
    struct wl_client *cl = arg;
    struct wl_daemon *d = cl->d;
    struct wl_link l;
    char lo[24], hi[24];
    const char *params[2] = {lo, hi};

    link_init(&l, cl, "reader", "prefer-standby");
    snprintf(lo, sizeof(lo), "%" PRId64, (int64_t)d->conf.run << WORKLOAD_RUN_SHIFT);
    snprintf(hi, sizeof(hi), "%" PRId64, (int64_t)(d->conf.run + 1) << WORKLOAD_RUN_SHIFT);
    while (!stopping(d)) {
        PGresult *res = NULL;
        enum wl_outcome o;

        if (!client_ready(cl, &l))
            continue;
        o = wl_exec(l.conn, "SELECT max(id) FROM wl_acked WHERE id >= $1 AND id < $2", 2, params,
                    PGRES_TUPLES_OK, WORKLOAD_STMT_TIMEOUT_MS, &res);
        PQclear(res);
        if (o == WL_OK) {
            l.backoff_ms = WORKLOAD_BACKOFF_MIN_MS;
            INC(cl, queries);
            wl_sleep(d, READER_PAUSE_MS);
            continue;
        }
        INC(cl, errors);
        client_drop(d, o, &l);
    }
    PQfinish(l.conn);
    return NULL;
}

void workload_probe_note(struct workload_probe_stats *s, int64_t since_ns, int64_t t_ns)
{
    if (t_ns - since_ns > s->longest_ns) {
        s->longest_ns = t_ns - since_ns;
        s->longest_from_ns = since_ns;
    }
}

/* SELECT 1 on one host every WORKLOAD_PROBE_MS; a failure drops the session */
static void *probe_main(void *arg)
{
    struct wl_probe *p = arg;
    struct wl_daemon *d = p->d;
    struct wl_conninfo ci;
    PGconn *conn = NULL;
    char appname[64];

    snprintf(appname, sizeof(appname), "ogsim-workload-probe-%zu", p->index + 1);
    wl_conninfo_init(&ci, &d->conf.o, (int)p->index, d->conf.o.dbname, "any", appname);
    while (!stopping(d)) {
        PGresult *res = NULL;
        enum wl_outcome o = WL_DOUBT;

        if (!conn)
            conn = wl_connect(&ci);
        if (conn && PQstatus(conn) == CONNECTION_OK)
            o = wl_exec(conn, "SELECT 1", 0, NULL, PGRES_TUPLES_OK, WORKLOAD_PROBE_TIMEOUT_MS,
                        &res);
        PQclear(res);
        pthread_mutex_lock(&p->lock);
        if (o == WL_OK) {
            int64_t t = wl_mono_ns();
            workload_probe_note(&p->s, p->last_ok_ns, t);
            p->last_ok_ns = t;
            p->s.answers++;
        } else {
            p->s.errors++;
        }
        pthread_mutex_unlock(&p->lock);
        if (o != WL_OK) {
            PQfinish(conn);
            conn = NULL;
        }
        wl_sleep(d, WORKLOAD_PROBE_MS);
    }
    PQfinish(conn);
    return NULL;
}

static void probes_snapshot(const struct wl_daemon *d, struct workload_stats *s)
{
    int64_t now = wl_mono_ns();

    s->n_probes = d->n_probes;
    for (size_t i = 0; i < d->n_probes; i++) {
        struct wl_probe *p = (struct wl_probe *)&d->probes[i];
        pthread_mutex_lock(&p->lock);
        s->probes[i] = p->s;
        /* an outage still open counts up to now */
        workload_probe_note(&s->probes[i], p->last_ok_ns, now);
        pthread_mutex_unlock(&p->lock);
    }
}

static void daemon_snapshot(const struct wl_daemon *d, bool running, struct workload_stats *s)
{
    memset(s, 0, sizeof(*s));
    s->running = running;
    s->pid = getpid();
    s->start_mono_ns = d->start_ns;
    s->end_mono_ns = running ? 0 : wl_mono_ns();
    s->start_unix_ms = d->start_unix_ms;
    for (size_t i = 0; i < d->n_clients; i++) {
        struct wl_client *cl = &d->clients[i];
        struct workload_kind_stats *k = cl->writer ? &s->writer : &s->reader;
#define ADD(f) k->f += atomic_load_explicit(&cl->f, memory_order_relaxed)
        ADD(acked);
        ADD(in_doubt);
        ADD(queries);
        ADD(errors);
        ADD(connects);
        ADD(reconnects);
        ADD(connect_errors);
        ADD(log_errors);
        ADD(read_only);
#undef ADD
    }
    probes_snapshot(d, s);
}

static void ready_send(int *fd, int code, const char *detail)
{
    struct og_error msg = {0};

    if (*fd < 0)
        return;
    msg.code = code;
    snprintf(msg.detail, sizeof(msg.detail), "%s", detail ? detail : "");
    if (fs_write_all(*fd, &msg, sizeof(msg)) < 0) {
        /* the parent is gone: nobody to tell */
    }
    *fd = safe_close(*fd);
}

static void daemon_stop_clients(struct wl_daemon *d)
{
    atomic_store(&d->stop, true);
    for (size_t i = 0; i < d->n_clients; i++)
        if (d->clients[i].started)
            pthread_join(d->clients[i].thread, NULL);
    for (size_t i = 0; i < d->n_probes; i++)
        if (d->probes[i].started)
            pthread_join(d->probes[i].thread, NULL);
}

static void close_logs(struct wl_daemon *d)
{
    for (size_t i = 0; i < d->n_clients; i++) {
        d->clients[i].log_fd = safe_close(d->clients[i].log_fd);
        d->clients[i].doubt_fd = safe_close(d->clients[i].doubt_fd);
    }
}

/* The clients, writers first; every writer's ack and doubt logs created
 * (and the directory synced). On a failure the logs are closed. */
static int daemon_open_logs(struct wl_daemon *d, struct og_error *err)
{
    const char *dir = d->conf.o.state_dir;
    char path[WORKLOAD_PATH_MAX + 32];
    int r;

    for (size_t i = 0; i < d->n_clients; i++) {
        struct wl_client *cl = &d->clients[i];
        cl->d = d;
        cl->writer = i < (size_t)d->conf.o.writers;
        cl->num = cl->writer ? (int)i + 1 : (int)(i - (size_t)d->conf.o.writers) + 1;
        cl->log_fd = cl->doubt_fd = -1;
        if (!cl->writer)
            continue;
        snprintf(path, sizeof(path), "%s/writer-%d.log", dir, cl->num);
        cl->log_fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0600);
        if (cl->log_fd >= 0) {
            snprintf(path, sizeof(path), "%s/writer-%d.doubt", dir, cl->num);
            cl->doubt_fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0600);
        }
        if (cl->log_fd < 0 || cl->doubt_fd < 0) {
            r = og_error_set_errno(err, OG_E_CREATE_FAILED, errno, "Failed to create \"%s\"", path);
            close_logs(d);
            return r;
        }
    }
    r = fs_fsync_dir(dir, err);
    if (r < 0)
        close_logs(d);
    return r;
}

/* The pid file, the first counters, then every client and probe thread. */
static int daemon_start_threads(struct wl_daemon *d, struct og_error *err)
{
    const char *dir = d->conf.o.state_dir;
    struct workload_stats st;
    char path[WORKLOAD_PATH_MAX + 32], pid[32];
    int r;

    d->start_ns = wl_mono_ns();
    d->start_unix_ms = wl_unix_ms();
    d->n_probes = d->conf.o.n_hosts;
    for (size_t i = 0; i < d->n_probes; i++) {
        d->probes[i].d = d;
        d->probes[i].index = i;
        d->probes[i].last_ok_ns = d->start_ns;
        pthread_mutex_init(&d->probes[i].lock, NULL);
    }
    daemon_snapshot(d, true, &st);
    wl_path_in(path, sizeof(path), dir, PID_FILE);
    snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
    r = fs_replace_file(path, pid, strlen(pid), 0600, err);
    if (r == 0)
        r = wl_stats_write(dir, &st, err);
    for (size_t i = 0; r == 0 && i < d->n_clients; i++) {
        struct wl_client *cl = &d->clients[i];
        int e = pthread_create(&cl->thread, NULL, cl->writer ? writer_main : reader_main, cl);
        if (e) {
            r = og_error_set_errno(err, OG_E_SPAWN, e, "Failed to start client thread %zu", i);
            break;
        }
        cl->started = true;
    }
    for (size_t i = 0; r == 0 && i < d->n_probes; i++) {
        int e = pthread_create(&d->probes[i].thread, NULL, probe_main, &d->probes[i]);
        if (e) {
            r = og_error_set_errno(err, OG_E_SPAWN, e, "Failed to start probe thread %zu", i);
            break;
        }
        d->probes[i].started = true;
    }
    return r;
}

/* Until a signal of set or the end of the duration: the counters into
 * workload.stats every second. */
static void daemon_wait(struct wl_daemon *d, const sigset_t *set)
{
    const struct wl_conf *conf = &d->conf;
    struct workload_stats st;
    struct og_error err = {0};

    for (;;) {
        int64_t left_ms = 1000;
        struct timespec ts;
        int sig;

        if (conf->o.duration_s > 0) {
            int64_t end = d->start_ns + (int64_t)conf->o.duration_s * 1000000000LL;
            left_ms = (end - wl_mono_ns()) / 1000000;
            if (left_ms <= 0)
                break;
            if (left_ms > 1000)
                left_ms = 1000;
        }
        ts.tv_sec = left_ms / 1000;
        ts.tv_nsec = (long)(left_ms % 1000) * 1000000L;
        sig = sigtimedwait(set, NULL, &ts);
        if (sig > 0) {
            fprintf(stderr, "workload: signal %d, stopping\n", sig);
            break;
        }
        daemon_snapshot(d, true, &st);
        if (wl_stats_write(conf->o.state_dir, &st, &err) < 0)
            fprintf(stderr, "workload: %s\n", err.detail);
    }
}

int wl_daemon_run(const struct wl_conf *conf, int ready_fd)
{
    _cleanup_free_ struct wl_client *clients = NULL;
    const char *dir = conf->o.state_dir;
    struct wl_daemon d = {.conf = *conf};
    struct workload_stats st;
    struct og_error err = {0};
    char path[WORKLOAD_PATH_MAX + 32];
    sigset_t set;
    size_t n = (size_t)conf->o.writers + (size_t)conf->o.readers;
    int r;

    atomic_init(&d.stop, false);
    clients = calloc(n, sizeof(*clients));
    if (!clients) {
        ready_send(&ready_fd, OG_E_NOMEM, "starting the clients");
        return 1;
    }
    d.clients = clients;
    d.n_clients = n;
    if (daemon_open_logs(&d, &err) < 0) {
        ready_send(&ready_fd, err.code, err.detail);
        return 1;
    }

    /* Signals go to this thread only (sigtimedwait below). */
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);

    r = daemon_start_threads(&d, &err);
    if (r < 0) {
        daemon_stop_clients(&d);
        close_logs(&d);
        wl_path_in(path, sizeof(path), dir, PID_FILE);
        unlink(path);
        ready_send(&ready_fd, err.code, err.detail);
        return 1;
    }
    ready_send(&ready_fd, 0, "");
    fprintf(stderr, "workload run %d started: pid %ld, %d writers, %d readers\n", conf->run,
            (long)getpid(), conf->o.writers, conf->o.readers);
    daemon_wait(&d, &set);

    /* In-flight statements finish (bounded by the statement timeout). */
    daemon_stop_clients(&d);
    close_logs(&d);
    daemon_snapshot(&d, false, &st);
    r = wl_stats_write(dir, &st, &err);
    if (r < 0)
        fprintf(stderr, "workload: %s\n", err.detail);
    wl_path_in(path, sizeof(path), dir, PID_FILE);
    unlink(path);
    fprintf(stderr, "workload run %d stopped: %" PRIu64 " acked, %" PRIu64 " in doubt\n", conf->run,
            st.writer.acked, st.writer.in_doubt);
    return r < 0 ? 1 : 0;
}
