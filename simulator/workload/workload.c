/* SPDX-License-Identifier: MulanPSL-2.0 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <json-c/json.h>
#include <libpq-fe.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cleanup.h"
#include "dynbuf.h"
#include "fs.h"
#include "lockfile.h"
#include "ogerror.h"
#include "workload.h"
#include "banned.h"

#define CONF_FILE             "workload.conf"
#define LOCK_FILE             "workload.lock"
#define PID_FILE              "workload.pid"
#define STATS_FILE            "workload.stats"
#define OUT_FILE              "workload.out"
#define CONF_MARKER           "# ogsim workload state"
#define FILE_MAX              (64u * 1024)
#define FETCH_BATCH           50000
#define CHECK_STMT_TIMEOUT_MS (120 * 1000)
#define READY_TIMEOUT_MS      (30 * 1000)
#define READER_PAUSE_MS       10

DEFINE_TRIVIAL_CLEANUP_FUNC(PGconn *, PQfinish)
DEFINE_TRIVIAL_CLEANUP_FUNC(PGresult *, PQclear)
#define _cleanup_pgconn_ _cleanup_(PQfinishp)
#define _cleanup_pgres_  _cleanup_(PQclearp)
static inline void pqfreememp(char **p)
{
    if (*p)
        PQfreemem(*p);
}

static int64_t mono_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int64_t unix_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static void sleep_ms(int ms)
{
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L};

    while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
        ;
}

static void path_in(char *buf, size_t size, const char *dir, const char *name)
{
    snprintf(buf, size, "%s/%s", dir, name);
}

/* Strict decimal integer in [min, max]. */
static int parse_int64(const char *s, int64_t min, int64_t max, int64_t *ret)
{
    char *end = NULL;
    long long v;

    if (!s || !*s || isspace((unsigned char)*s))
        return -1;
    errno = 0;
    v = strtoll(s, &end, 10);
    if (errno || *end || v < min || v > max)
        return -1;
    *ret = v;
    return 0;
}

/* ---- options -------------------------------------------------------------- */

void workload_opts_init(struct workload_opts *o)
{
    memset(o, 0, sizeof(*o));
    snprintf(o->dbname, sizeof(o->dbname), "ogsim_wl");
    snprintf(o->user, sizeof(o->user), "%s", WORKLOAD_DEFAULT_USER);
    o->writers = 4;
    o->readers = 2;
    o->ack_fsync = true;
    if (workload_default_state_dir(o->state_dir, sizeof(o->state_dir), NULL) < 0)
        o->state_dir[0] = '\0';
}

int workload_default_state_dir(char *buf, size_t size, struct og_error *err)
{
    const char *home = getenv("HOME");

    if (!home || !*home)
        return og_error_set(err, OG_E_ENV_EMPTY,
                            "The environmental variable HOME is empty: use --state-dir");
    if ((size_t)snprintf(buf, size, "%s/.ogsim/workload", home) >= size)
        return og_error_set(err, OG_E_TOO_LARGE, "the state directory path under \"%s\"", home);
    return 0;
}

static bool host_char_ok(char c)
{
    return isalnum((unsigned char)c) || c == '.' || c == '-' || c == '_' || c == ':' || c == '/';
}

int workload_opts_set_hosts(struct workload_opts *o, const char *csv, struct og_error *err)
{
    size_t n = 0;
    const char *p = csv;

    if (!csv || !*csv)
        return og_error_set(err, OG_E_PARAM_VALUE, "The parameter[--hosts] value[] is invalid.");
    for (;;) {
        size_t len = strcspn(p, ",");

        if (n == WORKLOAD_MAX_HOSTS)
            return og_error_set(err, OG_E_PARAM_VALUE,
                                "The parameter[--hosts] value[%s] is invalid: more than %d hosts.",
                                csv, WORKLOAD_MAX_HOSTS);
        if (len == 0 || len > WORKLOAD_HOST_MAX || p[0] == '-')
            return og_error_set(err, OG_E_PARAM_VALUE,
                                "The parameter[--hosts] value[%s] is invalid: host %zu is empty, "
                                "too long or starts with '-'.",
                                csv, n + 1);
        for (size_t i = 0; i < len; i++)
            if (!host_char_ok(p[i]))
                return og_error_set(err, OG_E_PARAM_VALUE,
                                    "The parameter[--hosts] value[%s] is invalid: bad character "
                                    "in host %zu.",
                                    csv, n + 1);
        memcpy(o->hosts[n], p, len);
        o->hosts[n][len] = '\0';
        o->ports[n] = 0;
        n++;
        if (!p[len])
            break;
        p += len + 1;
    }
    o->n_hosts = n;
    return 0;
}

int workload_opts_set_ports(struct workload_opts *o, const char *csv, struct og_error *err)
{
    int ports[WORKLOAD_MAX_HOSTS];
    size_t n = 0;
    const char *p = csv;

    if (!csv || !*csv)
        return og_error_set(err, OG_E_PARAM_VALUE, "The parameter[--port] value[] is invalid.");
    for (;;) {
        size_t len = strcspn(p, ",");
        char one[16];
        int64_t v;

        if (n == WORKLOAD_MAX_HOSTS || len == 0 || len >= sizeof(one))
            return og_error_set(err, OG_E_PARAM_VALUE,
                                "The parameter[--port] value[%s] is invalid.", csv);
        memcpy(one, p, len);
        one[len] = '\0';
        if (parse_int64(one, 1, 65535, &v) < 0)
            return og_error_set(err, OG_E_PARAM_VALUE,
                                "The parameter[--port] value[%s] is invalid: \"%s\" is not a "
                                "port (1-65535).",
                                csv, one);
        ports[n++] = (int)v;
        if (!p[len])
            break;
        p += len + 1;
    }
    if (o->n_hosts == 0)
        return og_error_set(err, OG_E_PARAM_REQUIRED,
                            "Incorrect parameter. Parameter '--hosts' is required");
    if (n != 1 && n != o->n_hosts)
        return og_error_set(err, OG_E_PARAM_VALUE,
                            "The parameter[--port] value[%s] is invalid: give one port, or one "
                            "per host (%zu).",
                            csv, o->n_hosts);
    for (size_t i = 0; i < o->n_hosts; i++)
        o->ports[i] = ports[n == 1 ? 0 : i];
    return 0;
}

int workload_check_name(const char *what, const char *name, struct og_error *err)
{
    size_t len = name ? strlen(name) : 0;

    if (len == 0 || len > WORKLOAD_NAME_MAX || name[0] == '-')
        return og_error_set(err, OG_E_PARAM_VALUE,
                            "The parameter[%s] value[%s] is invalid: 1 to %d characters, not "
                            "starting with '-'.",
                            what, name ? name : "", WORKLOAD_NAME_MAX);
    for (size_t i = 0; i < len; i++)
        if (iscntrl((unsigned char)name[i]))
            return og_error_set(err, OG_E_PARAM_VALUE,
                                "The parameter[%s] value[%s] is invalid: control character.", what,
                                name);
    return 0;
}

int workload_opts_validate(const struct workload_opts *o, struct og_error *err)
{
    int r;

    if (o->n_hosts == 0)
        return og_error_set(err, OG_E_PARAM_REQUIRED,
                            "Incorrect parameter. Parameter '--hosts' is required");
    for (size_t i = 0; i < o->n_hosts; i++)
        if (o->ports[i] <= 0)
            return og_error_set(err, OG_E_PARAM_REQUIRED,
                                "Incorrect parameter. Parameter '--port' is required");
    r = workload_check_name("--dbname", o->dbname, err);
    if (r == 0)
        r = workload_check_name("--user", o->user, err);
    if (r < 0)
        return r;
    if (o->writers < 1 || o->writers > WORKLOAD_MAX_WRITERS)
        return og_error_set(err, OG_E_PARAM_VALUE,
                            "The parameter[--writers] value[%d] is invalid: 1 to %d.", o->writers,
                            WORKLOAD_MAX_WRITERS);
    if (o->readers < 0 || o->readers > WORKLOAD_MAX_READERS)
        return og_error_set(err, OG_E_PARAM_VALUE,
                            "The parameter[--readers] value[%d] is invalid: 0 to %d.", o->readers,
                            WORKLOAD_MAX_READERS);
    if (o->duration_s < 0 || o->duration_s > WORKLOAD_MAX_DURATION)
        return og_error_set(err, OG_E_PARAM_VALUE,
                            "The parameter[--duration] value[%d] is invalid.", o->duration_s);
    if (o->rate < 0 || o->rate > WORKLOAD_MAX_RATE)
        return og_error_set(err, OG_E_PARAM_VALUE,
                            "The parameter[--rate] value[%d] is invalid: 0 to %d.", o->rate,
                            WORKLOAD_MAX_RATE);
    if (!o->state_dir[0])
        return og_error_set(err, OG_E_PARAM_REQUIRED,
                            "Incorrect parameter. Parameter '--state-dir' is required (HOME is "
                            "not set)");
    if (o->state_dir[0] == '-')
        return og_error_set(err, OG_E_UNSAFE_ARG, "The state directory value \"%s\" is not safe.",
                            o->state_dir);
    return 0;
}

/* ---- workload.conf -------------------------------------------------------- */

struct wl_conf {
    struct workload_opts o;
    int run;
};

static void join_hosts(const struct workload_opts *o, char *hosts, size_t hsize, char *ports,
                       size_t psize)
{
    size_t hl = 0, pl = 0;

    hosts[0] = ports[0] = '\0';
    for (size_t i = 0; i < o->n_hosts; i++) {
        hl += (size_t)snprintf(hosts + hl, hl < hsize ? hsize - hl : 0, "%s%s", i ? "," : "",
                               o->hosts[i]);
        pl += (size_t)snprintf(ports + pl, pl < psize ? psize - pl : 0, "%s%d", i ? "," : "",
                               o->ports[i]);
    }
}

#define HOSTS_CSV_MAX (WORKLOAD_MAX_HOSTS * (WORKLOAD_HOST_MAX + 1) + 1)
#define PORTS_CSV_MAX (WORKLOAD_MAX_HOSTS * 6 + 1)

static int conf_write(const struct wl_conf *c, struct og_error *err)
{
    _cleanup_dynbuf_ struct dynbuf b = {0};
    char path[WORKLOAD_PATH_MAX + 32];
    char hosts[HOSTS_CSV_MAX], ports[PORTS_CSV_MAX];
    int r;

    dynbuf_init(&b, FILE_MAX);
    join_hosts(&c->o, hosts, sizeof(hosts), ports, sizeof(ports));
    r = dynbuf_appendf(&b,
                       CONF_MARKER "\nformat=1\nrun=%d\nhosts=%s\nports=%s\ndbname=%s\nuser=%s\n"
                                   "writers=%d\nreaders=%d\nduration=%d\nrate=%d\nack_fsync=%d\n",
                       c->run, hosts, ports, c->o.dbname, c->o.user, c->o.writers, c->o.readers,
                       c->o.duration_s, c->o.rate, c->o.ack_fsync ? 1 : 0);
    if (r < 0)
        return og_error_set(err, -r, "workload.conf");
    path_in(path, sizeof(path), c->o.state_dir, CONF_FILE);
    return fs_replace_file(path, b.buf, b.len, 0600, err);
}

/* Call fn(key, value) for each "key=value" line after an optional marker. */
typedef int (*kv_fn)(const char *key, const char *value, void *userdata);

static int kv_parse(char *text, kv_fn fn, void *userdata)
{
    char *save = NULL;

    for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char *eq;
        if (line[0] == '#')
            continue;
        eq = strchr(line, '=');
        if (!eq)
            return -1;
        *eq = '\0';
        if (fn(line, eq + 1, userdata) < 0)
            return -1;
    }
    return 0;
}

static int conf_kv(const char *key, const char *value, void *userdata)
{
    struct wl_conf *c = userdata;
    int64_t v;

    if (strcmp(key, "format") == 0)
        return strcmp(value, "1") == 0 ? 0 : -1;
    if (strcmp(key, "run") == 0) {
        if (parse_int64(value, 1, (1LL << 23) - 1, &v) < 0)
            return -1;
        c->run = (int)v;
    } else if (strcmp(key, "hosts") == 0) {
        if (workload_opts_set_hosts(&c->o, value, NULL) < 0)
            return -1;
    } else if (strcmp(key, "ports") == 0) {
        if (workload_opts_set_ports(&c->o, value, NULL) < 0)
            return -1;
    } else if (strcmp(key, "dbname") == 0) {
        if (workload_check_name("dbname", value, NULL) < 0)
            return -1;
        snprintf(c->o.dbname, sizeof(c->o.dbname), "%s", value);
    } else if (strcmp(key, "user") == 0) {
        if (workload_check_name("user", value, NULL) < 0)
            return -1;
        snprintf(c->o.user, sizeof(c->o.user), "%s", value);
    } else if (strcmp(key, "writers") == 0) {
        if (parse_int64(value, 1, WORKLOAD_MAX_WRITERS, &v) < 0)
            return -1;
        c->o.writers = (int)v;
    } else if (strcmp(key, "readers") == 0) {
        if (parse_int64(value, 0, WORKLOAD_MAX_READERS, &v) < 0)
            return -1;
        c->o.readers = (int)v;
    } else if (strcmp(key, "duration") == 0) {
        if (parse_int64(value, 0, WORKLOAD_MAX_DURATION, &v) < 0)
            return -1;
        c->o.duration_s = (int)v;
    } else if (strcmp(key, "rate") == 0) {
        if (parse_int64(value, 0, WORKLOAD_MAX_RATE, &v) < 0)
            return -1;
        c->o.rate = (int)v;
    } else if (strcmp(key, "ack_fsync") == 0) {
        if (parse_int64(value, 0, 1, &v) < 0)
            return -1;
        c->o.ack_fsync = v == 1;
    }
    /* unknown keys: written by a newer ogsim, ignored */
    return 0;
}

/* The conf of state_dir: -OG_E_NOT_EXIST when the dir or the file is
 * missing, -OG_E_CONTENT_INVALID when it is not a workload's. */
static int conf_read(const char *state_dir, struct wl_conf *c, struct og_error *err)
{
    _cleanup_free_ char *text = NULL;
    char path[WORKLOAD_PATH_MAX + 32];
    struct stat st;
    int r;

    if (stat(state_dir, &st) < 0 || !S_ISDIR(st.st_mode))
        return og_error_set(err, OG_E_NOT_EXIST,
                            "The workload state directory \"%s\" does not exist.", state_dir);
    path_in(path, sizeof(path), state_dir, CONF_FILE);
    r = fs_read_file(path, FILE_MAX, &text, NULL, NULL);
    if (r == -OG_E_NOT_EXIST)
        return og_error_set(err, OG_E_NOT_EXIST,
                            "The directory \"%s\" holds no workload (no " CONF_FILE ").",
                            state_dir);
    if (r < 0)
        return og_error_set(err, OG_E_READ_FAILED, "Failed to read \"%s\".", path);
    memset(c, 0, sizeof(*c));
    workload_opts_init(&c->o);
    snprintf(c->o.state_dir, sizeof(c->o.state_dir), "%s", state_dir);
    c->o.n_hosts = 0;
    if (strncmp(text, CONF_MARKER "\n", strlen(CONF_MARKER) + 1) != 0 ||
        kv_parse(text, conf_kv, c) < 0 || c->run == 0 || c->o.n_hosts == 0 || c->o.ports[0] == 0)
        return og_error_set(err, OG_E_CONTENT_INVALID,
                            "The content of file \"%s\" is not correct: not a workload state.",
                            path);
    return 0;
}

/* ---- workload.stats ------------------------------------------------------- */

/* "N.field" of probe N */
static int probe_kv(struct workload_stats *s, const char *key, int64_t v)
{
    struct workload_probe_stats *p;
    char *end = NULL;
    unsigned long i;

    errno = 0;
    i = strtoul(key, &end, 10);
    if (errno || end == key || *end != '.' || i >= WORKLOAD_MAX_HOSTS)
        return -1;
    p = &s->probes[i];
    key = end + 1;
    if (strcmp(key, "longest_ns") == 0)
        p->longest_ns = v;
    else if (strcmp(key, "longest_from_ns") == 0)
        p->longest_from_ns = v;
    else if (strcmp(key, "answers") == 0)
        p->answers = (uint64_t)v;
    else if (strcmp(key, "errors") == 0)
        p->errors = (uint64_t)v;
    return 0;
}

static int stats_kv(const char *key, const char *value, void *userdata)
{
    struct workload_stats *s = userdata;
    struct workload_kind_stats *k = NULL;
    int64_t v;

    if (strcmp(key, "state") == 0) {
        if (strcmp(value, "running") != 0 && strcmp(value, "stopped") != 0)
            return -1;
        s->running = strcmp(value, "running") == 0;
        return 0;
    }
    if (parse_int64(value, 0, INT64_MAX, &v) < 0)
        return -1;
    if (strcmp(key, "pid") == 0)
        s->pid = (pid_t)v;
    else if (strcmp(key, "start_mono_ns") == 0)
        s->start_mono_ns = v;
    else if (strcmp(key, "end_mono_ns") == 0)
        s->end_mono_ns = v;
    else if (strcmp(key, "start_unix_ms") == 0)
        s->start_unix_ms = v;
    if (strcmp(key, "probes") == 0) {
        if (v > WORKLOAD_MAX_HOSTS)
            return -1;
        s->n_probes = (size_t)v;
        return 0;
    }
    if (strncmp(key, "probe.", 6) == 0)
        return probe_kv(s, key + 6, v);
    if (strncmp(key, "writer.", 7) == 0)
        k = &s->writer, key += 7;
    else if (strncmp(key, "reader.", 7) == 0)
        k = &s->reader, key += 7;
    if (!k)
        return 0;
#define KV(field)                                                                                  \
    if (strcmp(key, #field) == 0)                                                                  \
        k->field = (uint64_t)v;
    KV(acked)
    KV(in_doubt)
    KV(queries)
    KV(errors)
    KV(connects)
    KV(reconnects)
    KV(connect_errors)
    KV(log_errors)
    KV(read_only)
#undef KV
    return 0;
}

int workload_stats_read(const char *state_dir, struct workload_stats *ret, struct og_error *err)
{
    _cleanup_free_ char *text = NULL;
    struct workload_stats s = {0};
    char path[WORKLOAD_PATH_MAX + 32];
    int r;

    path_in(path, sizeof(path), state_dir, STATS_FILE);
    r = fs_read_file(path, FILE_MAX, &text, NULL, NULL);
    if (r == -OG_E_NOT_EXIST)
        return og_error_set(err, OG_E_NOT_EXIST,
                            "The workload in \"%s\" never started (no " STATS_FILE ").", state_dir);
    if (r < 0)
        return og_error_set(err, OG_E_READ_FAILED, "Failed to read \"%s\".", path);
    if (kv_parse(text, stats_kv, &s) < 0 || s.start_mono_ns == 0)
        return og_error_set(err, OG_E_CONTENT_INVALID, "The content of file \"%s\" is not correct.",
                            path);
    *ret = s;
    return 0;
}

static void kind_append(struct dynbuf *b, const char *kind, const struct workload_kind_stats *k)
{
    dynbuf_addf(
        b,
        "%s.acked=%" PRIu64 "\n%s.in_doubt=%" PRIu64 "\n%s.queries=%" PRIu64 "\n%s.errors=%" PRIu64
        "\n%s.connects=%" PRIu64 "\n%s.reconnects=%" PRIu64 "\n%s.connect_errors=%" PRIu64
        "\n%s.log_errors=%" PRIu64 "\n%s.read_only=%" PRIu64 "\n",
        kind, k->acked, kind, k->in_doubt, kind, k->queries, kind, k->errors, kind, k->connects,
        kind, k->reconnects, kind, k->connect_errors, kind, k->log_errors, kind, k->read_only);
}

static int stats_write(const char *state_dir, const struct workload_stats *s, struct og_error *err)
{
    _cleanup_dynbuf_ struct dynbuf b = {0};
    char path[WORKLOAD_PATH_MAX + 32];

    dynbuf_init(&b, FILE_MAX);
    dynbuf_addf(&b,
                "# ogsim workload counters\nstate=%s\npid=%ld\nstart_mono_ns=%" PRId64
                "\nend_mono_ns=%" PRId64 "\nstart_unix_ms=%" PRId64 "\n",
                s->running ? "running" : "stopped", (long)s->pid, s->start_mono_ns, s->end_mono_ns,
                s->start_unix_ms);
    kind_append(&b, "writer", &s->writer);
    kind_append(&b, "reader", &s->reader);
    dynbuf_addf(&b, "probes=%zu\n", s->n_probes);
    for (size_t i = 0; i < s->n_probes; i++) {
        const struct workload_probe_stats *p = &s->probes[i];
        dynbuf_addf(&b,
                    "probe.%zu.longest_ns=%" PRId64 "\nprobe.%zu.longest_from_ns=%" PRId64
                    "\nprobe.%zu.answers=%" PRIu64 "\nprobe.%zu.errors=%" PRIu64 "\n",
                    i, p->longest_ns, i, p->longest_from_ns, i, p->answers, i, p->errors);
    }
    if (dynbuf_error(&b))
        return og_error_set(err, -dynbuf_error(&b), "workload stats");
    path_in(path, sizeof(path), state_dir, STATS_FILE);
    return fs_replace_file(path, b.buf, b.len, 0600, err);
}

/* ---- libpq helpers ---------------------------------------------------------- */

enum wl_outcome {
    WL_OK,     /* the server answered with the wanted status */
    WL_FAILED, /* the server reported an ERROR and the session lives: nothing committed */
    WL_DOUBT,  /* connection lost, FATAL, timeout: the outcome is unknown */
};

/* read_only_sql_transaction: "cannot execute INSERT in a read-only transaction" */
#define SQLSTATE_READ_ONLY "25006"

struct wl_conninfo {
    const char *keys[10];
    const char *values[10];
    char hosts[HOSTS_CSV_MAX];
    char ports[PORTS_CSV_MAX];
    char port1[8];
    char appname[64];
};

/* Multi-host (host_index < 0) or single-host connection parameters. */
static void conninfo_init(struct wl_conninfo *ci, const struct workload_opts *o, int host_index,
                          const char *dbname, const char *attrs, const char *appname)
{
    size_t n = 0;

    if (host_index < 0) {
        join_hosts(o, ci->hosts, sizeof(ci->hosts), ci->ports, sizeof(ci->ports));
    } else {
        snprintf(ci->hosts, sizeof(ci->hosts), "%s", o->hosts[host_index]);
        snprintf(ci->ports, sizeof(ci->ports), "%d", o->ports[host_index]);
    }
    snprintf(ci->appname, sizeof(ci->appname), "%s", appname);
#define KV(k, v) (ci->keys[n] = (k), ci->values[n] = (v), n++)
    KV("host", ci->hosts);
    KV("port", ci->ports);
    KV("dbname", dbname);
    KV("user", o->user);
    KV("connect_timeout", WORKLOAD_CONNECT_TIMEOUT);
    KV("target_session_attrs", attrs);
    KV("application_name", ci->appname);
#undef KV
    ci->keys[n] = ci->values[n] = NULL;
}

static PGconn *wl_connect(const struct wl_conninfo *ci)
{
    return PQconnectdbParams(ci->keys, ci->values, 0);
}

/* libpq's message on one line, without its trailing newline. */
static const char *pq_msg(const char *m, char *buf, size_t size)
{
    size_t n;

    snprintf(buf, size, "%s", m ? m : "");
    for (char *p = buf; *p; p++)
        if (*p == '\n' || *p == '\t')
            *p = ' ';
    n = strlen(buf);
    while (n > 0 && buf[n - 1] == ' ')
        buf[--n] = '\0';
    return buf;
}

/* Wait until the socket is readable or the deadline passes (false). */
static bool wait_readable(PGconn *c, int64_t deadline_ns)
{
    for (;;) {
        int64_t left = deadline_ns - mono_ns();
        struct pollfd pfd = {.fd = PQsocket(c), .events = POLLIN};
        int pr;

        if (left <= 0)
            return false;
        pr = poll(&pfd, 1, (int)(left / 1000000 + 1));
        if (pr > 0)
            return true;
        if (pr < 0 && errno != EINTR)
            return true; /* let PQconsumeInput see the error */
    }
}

/* Run one statement, answered within timeout_ms, and classify the outcome.
 * *ret_res gets the result when it is WL_OK or WL_FAILED (else NULL). */
static enum wl_outcome wl_exec(PGconn *c, const char *sql, int nparams, const char *const *values,
                               ExecStatusType want, int timeout_ms, PGresult **ret_res)
{
    int64_t deadline = mono_ns() + (int64_t)timeout_ms * 1000000LL;
    PGresult *keep = NULL;
    const char *sev;
    enum wl_outcome o;

    *ret_res = NULL;
    if (!PQsendQueryParams(c, sql, nparams, NULL, values, NULL, NULL, 0))
        return WL_DOUBT;
    for (int guard = 0; guard < 64; guard++) {
        PGresult *res;

        while (PQisBusy(c) && PQstatus(c) == CONNECTION_OK) {
            if (!wait_readable(c, deadline)) {
                PQclear(keep);
                return WL_DOUBT;
            }
            if (!PQconsumeInput(c))
                break;
        }
        res = PQgetResult(c);
        if (!res)
            break;
        /* keep the first error, else the last result */
        if (!keep || (PQresultStatus(keep) == want && PQresultStatus(res) != want)) {
            PQclear(keep);
            keep = res;
        } else {
            PQclear(res);
        }
        if (PQstatus(c) != CONNECTION_OK && PQisBusy(c))
            break;
    }
    if (!keep)
        return WL_DOUBT;
    if (PQresultStatus(keep) == want && PQstatus(c) == CONNECTION_OK) {
        *ret_res = keep;
        return WL_OK;
    }
    sev = PQresultErrorField(keep, PG_DIAG_SEVERITY_NONLOCALIZED);
    if (PQresultStatus(keep) == want)
        o = WL_OK; /* answered, then the connection went: the answer stands */
    else if (PQstatus(c) == CONNECTION_OK && sev && strcmp(sev, "ERROR") == 0)
        o = WL_FAILED;
    else
        o = WL_DOUBT;
    if (o == WL_DOUBT)
        PQclear(keep);
    else
        *ret_res = keep;
    return o;
}

/* Run sql (bounded by CHECK_STMT_TIMEOUT_MS) wanting status want; an error
 * goes into err with its SQLSTATE: "... [42P04] message". */
static int sql_run_params(PGconn *c, const char *sql, int nparams, const char *const *values,
                          ExecStatusType want, PGresult **ret, struct og_error *err)
{
    PGresult *res = NULL;
    enum wl_outcome o = wl_exec(c, sql, nparams, values, want, CHECK_STMT_TIMEOUT_MS, &res);
    const char *state;
    char msg[512];

    if (o == WL_OK) {
        if (ret)
            *ret = res;
        else
            PQclear(res);
        return 0;
    }
    state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    pq_msg(res ? PQresultErrorMessage(res) : PQerrorMessage(c), msg, sizeof(msg));
    og_error_set(err, OG_E_SQL, "Failed to execute SQL: \"%s\": [%s] %s", sql, state ? state : "-",
                 msg[0] ? msg : "no answer in time");
    PQclear(res);
    return -OG_E_SQL;
}

static int sql_run(PGconn *c, const char *sql, ExecStatusType want, PGresult **ret,
                   struct og_error *err)
{
    return sql_run_params(c, sql, 0, NULL, want, ret, err);
}

/* ---- start: the database side ------------------------------------------------ */

static int connect_primary(const struct workload_opts *o, const char *dbname, PGconn **ret,
                           struct og_error *err)
{
    struct wl_conninfo ci;
    PGconn *c;
    char msg[1024];

    conninfo_init(&ci, o, -1, dbname, "primary", "ogsim-workload");
    c = wl_connect(&ci);
    if (!c)
        return og_error_set(err, OG_E_NOMEM, "connecting to the primary");
    if (PQstatus(c) != CONNECTION_OK) {
        pq_msg(PQerrorMessage(c), msg, sizeof(msg));
        PQfinish(c);
        return og_error_set(err, OG_E_DN_CONNECTIONS,
                            "Failed to get DN connections: no primary reachable at host=%s "
                            "port=%s dbname=%s: %s",
                            ci.hosts, ci.ports, dbname, msg);
    }
    *ret = c;
    return 0;
}

/* Create the database and the table if missing; the new run's number. */
static int prepare_database(const struct workload_opts *o, int *ret_run, struct og_error *err)
{
    _cleanup_pgconn_ PGconn *c = NULL;
    _cleanup_pgres_ PGresult *res = NULL;
    const char *params[1] = {o->dbname};
    int64_t run;
    int r;

    r = connect_primary(o, "postgres", &c, err);
    if (r < 0)
        return r;
    r = sql_run_params(c, "SELECT 1 FROM pg_database WHERE datname = $1", 1, params,
                       PGRES_TUPLES_OK, &res, err);
    if (r < 0)
        return r;
    if (PQntuples(res) == 0) {
        _cleanup_(pqfreememp) char *ident = PQescapeIdentifier(c, o->dbname, strlen(o->dbname));
        struct og_error e = {0};
        char sql[256];

        if (!ident)
            return og_error_set(err, OG_E_NOMEM, "quoting \"%s\"", o->dbname);
        snprintf(sql, sizeof(sql), "CREATE DATABASE %s", ident);
        r = sql_run_params(c, sql, 0, NULL, PGRES_COMMAND_OK, NULL, &e);
        /* 42P04: created meanwhile by someone else, fine */
        if (r < 0 && !strstr(e.detail, "[42P04]"))
            return og_error_set(err, r, "%s", e.detail);
    }
    PQfinish(c);
    c = NULL;
    r = connect_primary(o, o->dbname, &c, err);
    if (r < 0)
        return r;
    PQclear(res);
    res = NULL;
    /* a cluster read-only for an upgrade refuses even CREATE ... IF NOT
     * EXISTS: an existing table (a snapshot's) is only looked up */
    r = sql_run_params(c, "SELECT to_regclass('wl_acked') IS NULL", 0, NULL, PGRES_TUPLES_OK, &res,
                       err);
    if (r == 0 && PQntuples(res) == 1 && strcmp(PQgetvalue(res, 0, 0), "t") == 0)
        r = sql_run_params(c,
                           "CREATE TABLE IF NOT EXISTS wl_acked (id bigint PRIMARY KEY, "
                           "writer int NOT NULL, at timestamptz NOT NULL DEFAULT now())",
                           0, NULL, PGRES_COMMAND_OK, NULL, err);
    if (r < 0)
        return r;
    PQclear(res);
    res = NULL;
    r = sql_run_params(c, "SELECT coalesce(max(id) >> 40, 0) + 1 FROM wl_acked", 0, NULL,
                       PGRES_TUPLES_OK, &res, err);
    if (r < 0)
        return r;
    if (PQntuples(res) != 1 || parse_int64(PQgetvalue(res, 0, 0), 1, (1LL << 23) - 1, &run) < 0)
        return og_error_set(err, OG_E_SQL,
                            "Failed to execute SQL: the next run number is out of range");
    *ret_run = (int)run;
    return 0;
}

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
        sleep_ms(s);
        ms -= s;
    }
}

#define INC(c, field) atomic_fetch_add_explicit(&(c)->field, 1, memory_order_relaxed)

/* Connect (or back off): true with *conn set. */
static bool client_connect(struct wl_client *cl, const struct wl_conninfo *ci, PGconn **conn,
                           int *backoff_ms, bool *ever)
{
    PGconn *c = wl_connect(ci);

    if (!c || PQstatus(c) != CONNECTION_OK) {
        PQfinish(c);
        INC(cl, connect_errors);
        wl_sleep(cl->d, *backoff_ms);
        *backoff_ms =
            *backoff_ms * 2 > WORKLOAD_BACKOFF_MAX_MS ? WORKLOAD_BACKOFF_MAX_MS : *backoff_ms * 2;
        return false;
    }
    INC(cl, connects);
    if (*ever)
        INC(cl, reconnects);
    *ever = true;
    *conn = c;
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
    struct wl_conninfo ci;
    PGconn *conn = NULL;
    int backoff = WORKLOAD_BACKOFF_MIN_MS;
    bool ever = false;
    char appname[64], idtxt[24], wtxt[8];
    const char *params[2] = {idtxt, wtxt};
    int64_t base =
        ((int64_t)d->conf.run << WORKLOAD_RUN_SHIFT) | ((int64_t)cl->num << WORKLOAD_WRITER_SHIFT);
    int64_t seq = 0, due = 0;

    snprintf(appname, sizeof(appname), "ogsim-workload-writer-%d", cl->num);
    snprintf(wtxt, sizeof(wtxt), "%d", cl->num);
    conninfo_init(&ci, &d->conf.o, -1, d->conf.o.dbname, "primary", appname);
    while (!stopping(d)) {
        PGresult *res = NULL;
        enum wl_outcome o;
        int64_t id, t0, t1;

        if (conn && PQstatus(conn) != CONNECTION_OK) {
            /* lost after its last answer: reconnect before using an id */
            PQfinish(conn);
            conn = NULL;
        }
        if (!conn && !client_connect(cl, &ci, &conn, &backoff, &ever))
            continue;
        if (++seq >= (1LL << WORKLOAD_WRITER_SHIFT))
            break; /* 4G ids per writer and run */
        id = base | seq;
        snprintf(idtxt, sizeof(idtxt), "%" PRId64, id);
        t0 = mono_ns();
        o = wl_exec(conn, "INSERT INTO wl_acked (id, writer) VALUES ($1, $2)", 2, params,
                    PGRES_COMMAND_OK, WORKLOAD_STMT_TIMEOUT_MS, &res);
        t1 = mono_ns();
        if (o == WL_FAILED && res && PQresultErrorField(res, PG_DIAG_SQLSTATE) &&
            strcmp(PQresultErrorField(res, PG_DIAG_SQLSTATE), SQLSTATE_READ_ONLY) == 0)
            INC(cl, read_only);
        PQclear(res);
        if (o == WL_OK) {
            backoff = WORKLOAD_BACKOFF_MIN_MS;
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
        /* any failure: reconnect (the primary may have moved) */
        PQfinish(conn);
        conn = NULL;
        if (o == WL_FAILED) {
            wl_sleep(d, backoff);
            backoff = backoff * 2 > WORKLOAD_BACKOFF_MAX_MS ? WORKLOAD_BACKOFF_MAX_MS : backoff * 2;
        }
    }
    PQfinish(conn);
    return NULL;
}

static void *reader_main(void *arg)
{
    struct wl_client *cl = arg;
    struct wl_daemon *d = cl->d;
    struct wl_conninfo ci;
    PGconn *conn = NULL;
    int backoff = WORKLOAD_BACKOFF_MIN_MS;
    bool ever = false;
    char appname[64], lo[24], hi[24];
    const char *params[2] = {lo, hi};

    snprintf(appname, sizeof(appname), "ogsim-workload-reader-%d", cl->num);
    snprintf(lo, sizeof(lo), "%" PRId64, (int64_t)d->conf.run << WORKLOAD_RUN_SHIFT);
    snprintf(hi, sizeof(hi), "%" PRId64, (int64_t)(d->conf.run + 1) << WORKLOAD_RUN_SHIFT);
    conninfo_init(&ci, &d->conf.o, -1, d->conf.o.dbname, "prefer-standby", appname);
    while (!stopping(d)) {
        PGresult *res = NULL;
        enum wl_outcome o;

        if (conn && PQstatus(conn) != CONNECTION_OK) {
            /* lost after its last answer: reconnect before using an id */
            PQfinish(conn);
            conn = NULL;
        }
        if (!conn && !client_connect(cl, &ci, &conn, &backoff, &ever))
            continue;
        o = wl_exec(conn, "SELECT max(id) FROM wl_acked WHERE id >= $1 AND id < $2", 2, params,
                    PGRES_TUPLES_OK, WORKLOAD_STMT_TIMEOUT_MS, &res);
        PQclear(res);
        if (o == WL_OK) {
            backoff = WORKLOAD_BACKOFF_MIN_MS;
            INC(cl, queries);
            wl_sleep(d, READER_PAUSE_MS);
            continue;
        }
        INC(cl, errors);
        PQfinish(conn);
        conn = NULL;
        if (o == WL_FAILED) {
            wl_sleep(d, backoff);
            backoff = backoff * 2 > WORKLOAD_BACKOFF_MAX_MS ? WORKLOAD_BACKOFF_MAX_MS : backoff * 2;
        }
    }
    PQfinish(conn);
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
    conninfo_init(&ci, &d->conf.o, (int)p->index, d->conf.o.dbname, "any", appname);
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
            int64_t t = mono_ns();
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
    int64_t now = mono_ns();

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
    s->end_mono_ns = running ? 0 : mono_ns();
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

/* The background process: returns its exit status. ready_fd gets one
 * struct og_error (code 0 = started) and is closed. */
static int daemon_run(const struct wl_conf *conf, int ready_fd)
{
    _cleanup_free_ struct wl_client *clients = NULL;
    const char *dir = conf->o.state_dir;
    struct wl_daemon d = {.conf = *conf};
    struct workload_stats st;
    struct og_error err = {0};
    char path[WORKLOAD_PATH_MAX + 32], pid[32];
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
    for (size_t i = 0; i < n; i++) {
        struct wl_client *cl = &clients[i];
        cl->d = &d;
        cl->writer = i < (size_t)conf->o.writers;
        cl->num = cl->writer ? (int)i + 1 : (int)(i - (size_t)conf->o.writers) + 1;
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
            og_error_set_errno(&err, OG_E_CREATE_FAILED, errno, "Failed to create \"%s\"", path);
            close_logs(&d);
            ready_send(&ready_fd, err.code, err.detail);
            return 1;
        }
    }
    if (fs_fsync_dir(dir, &err) < 0) {
        close_logs(&d);
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

    d.start_ns = mono_ns();
    d.start_unix_ms = unix_ms();
    d.n_probes = conf->o.n_hosts;
    for (size_t i = 0; i < d.n_probes; i++) {
        d.probes[i].d = &d;
        d.probes[i].index = i;
        d.probes[i].last_ok_ns = d.start_ns;
        pthread_mutex_init(&d.probes[i].lock, NULL);
    }
    daemon_snapshot(&d, true, &st);
    path_in(path, sizeof(path), dir, PID_FILE);
    snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
    r = fs_replace_file(path, pid, strlen(pid), 0600, &err);
    if (r == 0)
        r = stats_write(dir, &st, &err);
    for (size_t i = 0; r == 0 && i < n; i++) {
        struct wl_client *cl = &clients[i];
        int e = pthread_create(&cl->thread, NULL, cl->writer ? writer_main : reader_main, cl);
        if (e) {
            r = og_error_set_errno(&err, OG_E_SPAWN, e, "Failed to start client thread %zu", i);
            break;
        }
        cl->started = true;
    }
    for (size_t i = 0; r == 0 && i < d.n_probes; i++) {
        int e = pthread_create(&d.probes[i].thread, NULL, probe_main, &d.probes[i]);
        if (e) {
            r = og_error_set_errno(&err, OG_E_SPAWN, e, "Failed to start probe thread %zu", i);
            break;
        }
        d.probes[i].started = true;
    }
    if (r < 0) {
        daemon_stop_clients(&d);
        close_logs(&d);
        path_in(path, sizeof(path), dir, PID_FILE);
        unlink(path);
        ready_send(&ready_fd, err.code, err.detail);
        return 1;
    }
    ready_send(&ready_fd, 0, "");
    fprintf(stderr, "workload run %d started: pid %ld, %d writers, %d readers\n", conf->run,
            (long)getpid(), conf->o.writers, conf->o.readers);

    for (;;) {
        int64_t left_ms = 1000;
        struct timespec ts;
        int sig;

        if (conf->o.duration_s > 0) {
            int64_t end = d.start_ns + (int64_t)conf->o.duration_s * 1000000000LL;
            left_ms = (end - mono_ns()) / 1000000;
            if (left_ms <= 0)
                break;
            if (left_ms > 1000)
                left_ms = 1000;
        }
        ts.tv_sec = left_ms / 1000;
        ts.tv_nsec = (long)(left_ms % 1000) * 1000000L;
        sig = sigtimedwait(&set, NULL, &ts);
        if (sig > 0) {
            fprintf(stderr, "workload: signal %d, stopping\n", sig);
            break;
        }
        daemon_snapshot(&d, true, &st);
        if (stats_write(dir, &st, &err) < 0)
            fprintf(stderr, "workload: %s\n", err.detail);
    }

    /* In-flight statements finish (bounded by the statement timeout). */
    daemon_stop_clients(&d);
    close_logs(&d);
    daemon_snapshot(&d, false, &st);
    r = stats_write(dir, &st, &err);
    if (r < 0)
        fprintf(stderr, "workload: %s\n", err.detail);
    path_in(path, sizeof(path), dir, PID_FILE);
    unlink(path);
    fprintf(stderr, "workload run %d stopped: %" PRIu64 " acked, %" PRIu64 " in doubt\n", conf->run,
            st.writer.acked, st.writer.in_doubt);
    return r < 0 ? 1 : 0;
}

/* ---- start ---------------------------------------------------------------- */

static bool is_run_file(const char *name)
{
    const char *p = name + 7;

    if (strcmp(name, PID_FILE) == 0 || strcmp(name, STATS_FILE) == 0 || strcmp(name, OUT_FILE) == 0)
        return true;
    /* writer-<digits>.log, writer-<digits>.doubt */
    if (strncmp(name, "writer-", 7) != 0 || !isdigit((unsigned char)*p))
        return false;
    while (isdigit((unsigned char)*p))
        p++;
    return strcmp(p, ".log") == 0 || strcmp(p, ".doubt") == 0;
}

/* The dir must hold a previous workload (conf) or nothing else: anything
 * else is refused. With remove, the previous run's files are removed. */
static int state_dir_prepare(const char *dir, bool remove, struct og_error *err)
{
    _cleanup_(closedirp) DIR *d = NULL;
    char path[WORKLOAD_PATH_MAX + 32];
    struct dirent *de;
    bool has_conf;

    path_in(path, sizeof(path), dir, CONF_FILE);
    has_conf = access(path, F_OK) == 0;
    if (has_conf) {
        struct wl_conf old;
        int r = conf_read(dir, &old, err);
        if (r < 0)
            return r;
    }
    d = opendir(dir);
    if (!d)
        return og_error_set_errno(err, OG_E_READ_FAILED, errno, "Failed to read \"%s\"", dir);
    while ((de = readdir(d))) {
        const char *name = de->d_name;
        if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0 || strcmp(name, LOCK_FILE) == 0 ||
            strcmp(name, CONF_FILE) == 0 || strncmp(name, CONF_FILE ".tmp-", 18) == 0 ||
            strncmp(name, STATS_FILE ".tmp-", 19) == 0 || strncmp(name, PID_FILE ".tmp-", 17) == 0)
            continue;
        if (!has_conf || !is_run_file(name))
            return og_error_set(err, OG_E_CONTENT_INVALID,
                                "The directory \"%s\" is not a workload state directory (it "
                                "holds \"%s\"): give an empty or a workload's --state-dir.",
                                dir, name);
    }
    if (!remove)
        return 0;
    rewinddir(d);
    while ((de = readdir(d)))
        if (is_run_file(de->d_name) && unlinkat(dirfd(d), de->d_name, 0) < 0 && errno != ENOENT)
            return og_error_set_errno(err, OG_E_WRITE_FAILED, errno, "Failed to remove \"%s/%s\"",
                                      dir, de->d_name);
    return 0;
}

static int read_pid_file(const char *dir, pid_t *ret)
{
    _cleanup_free_ char *text = NULL;
    char path[WORKLOAD_PATH_MAX + 32];
    int64_t v;

    path_in(path, sizeof(path), dir, PID_FILE);
    if (fs_read_file(path, 64, &text, NULL, NULL) < 0)
        return -1;
    text[strcspn(text, "\n")] = '\0';
    if (parse_int64(text, 2, INT32_MAX, &v) < 0)
        return -1;
    *ret = (pid_t)v;
    return 0;
}

static int lock_state_dir(const char *dir, int timeout_ms, struct lockfile **ret,
                          struct og_error *err)
{
    char path[WORKLOAD_PATH_MAX + 32];
    struct og_error lerr = {0};
    int r;

    path_in(path, sizeof(path), dir, LOCK_FILE);
    r = lockfile_acquire(path, "ogsim-workload", timeout_ms, ret, &lerr);
    if (r == -OG_E_LOCKED) {
        pid_t pid = 0;
        if (read_pid_file(dir, &pid) == 0)
            return og_error_set(err, OG_E_LOCKED,
                                "A workload is already running in \"%s\" (pid %ld): stop it first.",
                                dir, (long)pid);
        return og_error_set(err, OG_E_LOCKED, "A workload is already running in \"%s\" (%s).", dir,
                            lerr.detail);
    }
    if (r < 0 && err)
        *err = lerr;
    return r;
}

static void redirect_stdio(const char *dir)
{
    char path[WORKLOAD_PATH_MAX + 32];
    int in = open("/dev/null", O_RDONLY | O_CLOEXEC), out;

    path_in(path, sizeof(path), dir, OUT_FILE);
    out = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (out < 0)
        out = open("/dev/null", O_WRONLY | O_CLOEXEC);
    if (in >= 0)
        dup2(in, STDIN_FILENO);
    if (out >= 0) {
        dup2(out, STDOUT_FILENO);
        dup2(out, STDERR_FILENO);
    }
    safe_close(in);
    safe_close(out);
    setvbuf(stderr, NULL, _IOLBF, 0);
}

/* Wait for the background process's first message. */
static int ready_wait(int fd, const char *dir, struct og_error *err)
{
    struct og_error msg = {0};
    size_t got = 0;
    int64_t deadline = mono_ns() + (int64_t)READY_TIMEOUT_MS * 1000000LL;

    while (got < sizeof(msg)) {
        struct pollfd pfd = {.fd = fd, .events = POLLIN};
        int64_t left = (deadline - mono_ns()) / 1000000;
        ssize_t n;

        if (left <= 0)
            return og_error_set(err, OG_E_TIMEOUT,
                                "The workload process did not start within %d s (see \"%s/" OUT_FILE
                                "\").",
                                READY_TIMEOUT_MS / 1000, dir);
        if (poll(&pfd, 1, (int)left) < 0 && errno != EINTR)
            return og_error_set_errno(err, OG_E_IO, errno, "waiting for the workload process");
        n = read(fd, (char *)&msg + got, sizeof(msg) - got);
        if (n < 0 && (errno == EINTR || errno == EAGAIN))
            continue;
        if (n <= 0)
            return og_error_set(
                err, OG_E_SPAWN,
                "The workload process exited before it started (see \"%s/" OUT_FILE "\").", dir);
        got += (size_t)n;
    }
    if (msg.code != 0) {
        msg.detail[sizeof(msg.detail) - 1] = '\0';
        return og_error_set(err, msg.code, "%s", msg.detail);
    }
    return 0;
}

int workload_start(const struct workload_opts *o, struct workload_started *ret,
                   struct og_error *err)
{
    _cleanup_lockfile_ struct lockfile *lock = NULL;
    _cleanup_close_ int rfd = -1, wfd = -1;
    struct wl_conf conf = {.o = *o};
    int pipefd[2], r;
    pid_t pid;

    memset(ret, 0, sizeof(*ret));
    r = workload_opts_validate(o, err);
    if (r < 0)
        return r;
    r = fs_mkdir_p(o->state_dir, 0700, err);
    if (r < 0)
        return r;
    r = lock_state_dir(o->state_dir, 0, &lock, err);
    if (r < 0)
        return r;
    r = state_dir_prepare(o->state_dir, false, err);
    if (r < 0)
        return r;
    r = prepare_database(o, &conf.run, err);
    if (r < 0)
        return r;
    /* the previous run's files go only once this one can start */
    r = state_dir_prepare(o->state_dir, true, err);
    if (r < 0)
        return r;
    r = conf_write(&conf, err);
    if (r < 0)
        return r;
    if (pipe2(pipefd, O_CLOEXEC) < 0)
        return og_error_set_errno(err, OG_E_SPAWN, errno, "Failed to start the workload process");
    rfd = pipefd[0];
    wfd = pipefd[1];
    fflush(NULL);
    pid = fork();
    if (pid < 0)
        return og_error_set_errno(err, OG_E_SPAWN, errno, "Failed to start the workload process");
    if (pid == 0) {
        /* The background process: its own session, quiet stdio, 0600 files. */
        rfd = safe_close(rfd);
        setsid();
        umask(077);
        redirect_stdio(o->state_dir);
        ret->is_child = true;
        ret->exit_status = daemon_run(&conf, steal_fd(&wfd));
        return 0;
    }
    wfd = safe_close(wfd);
    r = ready_wait(rfd, o->state_dir, err);
    if (r < 0)
        return r;
    ret->pid = pid;
    ret->run = conf.run;
    return 0;
}

/* ---- stop --------------------------------------------------------------------- */

int workload_stop(const char *state_dir, int timeout_s, struct workload_stats *ret,
                  bool *was_running, struct og_error *err)
{
    _cleanup_lockfile_ struct lockfile *lock = NULL;
    struct workload_stats st;
    struct wl_conf conf;
    bool signalled = false;
    pid_t pid = 0;
    int r;

    r = conf_read(state_dir, &conf, err);
    if (r < 0)
        return r;
    r = lock_state_dir(state_dir, 0, &lock, NULL);
    if (r == -OG_E_LOCKED) {
        char path[WORKLOAD_PATH_MAX + 32];

        path_in(path, sizeof(path), state_dir, PID_FILE);
        if (read_pid_file(state_dir, &pid) == 0) {
            if (kill(pid, SIGTERM) < 0 && errno != ESRCH)
                return og_error_set_errno(err, OG_E_EXEC_FAILED, errno,
                                          "Failed to signal the workload process %ld", (long)pid);
            signalled = true;
        } else if (access(path, F_OK) == 0) {
            return og_error_set(err, OG_E_CONTENT_INVALID,
                                "The content of file \"%s\" is not correct.", path);
        }
        /* else: it removed its pid file, it is exiting by itself */
        r = lock_state_dir(state_dir, timeout_s * 1000, &lock, NULL);
        if (r == -OG_E_LOCKED)
            return og_error_set(err, OG_E_TIMEOUT,
                                "The workload process %ld did not exit within %d s.", (long)pid,
                                timeout_s);
    }
    if (r < 0)
        return og_error_set(err, OG_E_IO, "Failed to lock \"%s/" LOCK_FILE "\".", state_dir);
    /* nobody holds the lock any more: its counters are final */
    r = workload_stats_read(state_dir, &st, err);
    if (r < 0)
        return r;
    if (st.running)
        return og_error_set(err, OG_E_NOT_EXIST,
                            "The workload process (pid %ld) of \"%s\" does not exist: it "
                            "died without stopping (see \"%s/" OUT_FILE "\").",
                            (long)st.pid, state_dir, state_dir);
    if (was_running)
        *was_running = signalled;
    if (ret)
        *ret = st;
    return 0;
}

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
    if (parse_int64(f1, 1, INT64_MAX, &x->id) < 0 || parse_int64(f2, 0, INT64_MAX, &x->t_ns) < 0 ||
        parse_int64(f3, 0, INT64_MAX, &x->lat_us) < 0)
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

const char *workload_role_name(enum workload_role r)
{
    switch (r) {
    case WORKLOAD_ROLE_PRIMARY:
        return "primary";
    case WORKLOAD_ROLE_STANDBY:
        return "standby";
    case WORKLOAD_ROLE_OTHER_PRIMARY:
        return "other-primary";
    case WORKLOAD_ROLE_UNREACHABLE:
        break;
    }
    return "unreachable";
}

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

    rc = conf_read(state_dir, &conf, err);
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
    r->duration_s =
        (double)((st.running || !st.end_mono_ns ? mono_ns() : st.end_mono_ns) - st.start_mono_ns) /
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

/* ---- check: the nodes ------------------------------------------------------------- */

static PGconn *node_connect(const struct workload_opts *o, size_t i, const char *dbname,
                            struct workload_node *n)
{
    struct wl_conninfo ci;
    PGconn *c;

    conninfo_init(&ci, o, (int)i, dbname, "any", "ogsim-workload-check");
    c = wl_connect(&ci);
    if (!c || PQstatus(c) != CONNECTION_OK) {
        pq_msg(c ? PQerrorMessage(c) : "out of memory", n->error, sizeof(n->error));
        PQfinish(c);
        return NULL;
    }
    return c;
}

static int node_one_value(PGconn *c, const char *sql, char *buf, size_t size, struct og_error *err)
{
    _cleanup_pgres_ PGresult *res = NULL;
    int r = sql_run(c, sql, PGRES_TUPLES_OK, &res, err);

    if (r < 0)
        return r;
    if (PQntuples(res) != 1 || PQnfields(res) < 1)
        return og_error_set(err, OG_E_SQL, "Failed to execute SQL: \"%s\": not one row", sql);
    snprintf(buf, size, "%s", PQgetisnull(res, 0, 0) ? "" : PQgetvalue(res, 0, 0));
    return 0;
}

/* Wait until the standby replayed target; false on timeout (n->error set). */
static bool node_catch_up(PGconn *c, const char *target, int timeout_s, struct workload_node *n)
{
    int64_t t0 = mono_ns(), deadline = t0 + (int64_t)timeout_s * 1000000000LL;
    const char *params[1] = {target};

    for (;;) {
        PGresult *res = NULL;
        enum wl_outcome o = wl_exec(c,
                                    "SELECT coalesce(pg_last_wal_replay_lsn()::text, ''), "
                                    "coalesce(pg_last_wal_replay_lsn() >= $1::pg_lsn, false)",
                                    1, params, PGRES_TUPLES_OK, CHECK_STMT_TIMEOUT_MS, &res);
        bool done = false;

        if (o == WL_OK && PQntuples(res) == 1) {
            snprintf(n->lsn, sizeof(n->lsn), "%s", PQgetvalue(res, 0, 0));
            done = strcmp(PQgetvalue(res, 0, 1), "t") == 0;
        } else {
            char msg[400];
            pq_msg(res ? PQresultErrorMessage(res) : PQerrorMessage(c), msg, sizeof(msg));
            snprintf(n->error, sizeof(n->error), "reading the replay position: %s", msg);
            PQclear(res);
            return false;
        }
        PQclear(res);
        n->catchup_ms = (mono_ns() - t0) / 1000000;
        if (done)
            return true;
        if (mono_ns() >= deadline) {
            snprintf(n->error, sizeof(n->error),
                     "did not replay the primary's WAL position %s within %d s (replayed %s)",
                     target, timeout_s, n->lsn[0] ? n->lsn : "nothing");
            return false;
        }
        sleep_ms(100);
    }
}

/* Stream the run's ids of the node (ascending) through the merge. */
static int node_compare(PGconn *c, const struct workload_report *r, struct workload_node *n,
                        struct og_error *err)
{
    _cleanup_free_ int64_t *batch = malloc(FETCH_BATCH * sizeof(int64_t));
    struct workload_merge m;
    char sql[256], fetch[64];
    int rc;

    if (!batch)
        return og_error_set(err, OG_E_NOMEM, "comparing ids");
    workload_merge_init(&m, r->acked_ids, r->acked, r->doubt_ids, r->in_doubt);
    rc = sql_run(c, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", PGRES_COMMAND_OK, NULL, err);
    if (rc < 0)
        return rc;
    snprintf(sql, sizeof(sql),
             "DECLARE wl_ids NO SCROLL CURSOR FOR SELECT id FROM wl_acked WHERE id >= %" PRId64
             " AND id < %" PRId64 " ORDER BY id",
             (int64_t)r->run << WORKLOAD_RUN_SHIFT, (int64_t)(r->run + 1) << WORKLOAD_RUN_SHIFT);
    rc = sql_run(c, sql, PGRES_COMMAND_OK, NULL, err);
    if (rc < 0)
        return rc;
    snprintf(fetch, sizeof(fetch), "FETCH FORWARD %d FROM wl_ids", FETCH_BATCH);
    for (;;) {
        _cleanup_pgres_ PGresult *res = NULL;
        int rows;

        rc = sql_run(c, fetch, PGRES_TUPLES_OK, &res, err);
        if (rc < 0)
            return rc;
        rows = PQntuples(res);
        if (rows == 0)
            break;
        if (rows > FETCH_BATCH)
            return og_error_set(err, OG_E_TOO_LARGE,
                                "The FETCH answer exceeds its limit of %d "
                                "rows.",
                                FETCH_BATCH);
        for (int i = 0; i < rows; i++)
            if (parse_int64(PQgetvalue(res, i, 0), INT64_MIN, INT64_MAX, &batch[i]) < 0)
                return og_error_set(err, OG_E_SQL,
                                    "Failed to execute SQL: id \"%s\" is not a "
                                    "number",
                                    PQgetvalue(res, i, 0));
        rc = workload_merge_feed(&m, batch, (size_t)rows, err);
        if (rc < 0)
            return rc;
    }
    rc = sql_run(c, "COMMIT", PGRES_COMMAND_OK, NULL, err);
    if (rc < 0)
        return rc;
    workload_merge_finish(&m);
    n->rows = m.rows;
    n->lost = m.lost;
    n->extra = m.extra;
    n->extra_in_doubt = m.extra_in_doubt;
    n->n_lost_ids = m.n_lost_ids;
    memcpy(n->lost_ids, m.lost_ids, sizeof(n->lost_ids));
    return 0;
}

static void node_verify(PGconn *c, const struct workload_report *r, struct workload_node *n)
{
    struct og_error e = {0};

    /* once more on a failure (e.g. a recovery conflict on a busy standby) */
    for (int attempt = 0; attempt < 2; attempt++) {
        og_error_clear(&e);
        if (node_compare(c, r, n, &e) == 0) {
            n->checked = true;
            return;
        }
        PQclear(PQexec(c, "ROLLBACK"));
    }
    snprintf(n->error, sizeof(n->error), "comparing ids: %s", e.detail);
}

int workload_check(const struct workload_check_opts *o, struct workload_report **ret,
                   struct og_error *err)
{
    _cleanup_workload_report_ struct workload_report *r = workload_report_new();
    _cleanup_pgconn_ PGconn *pc = NULL;
    PGconn *conns[WORKLOAD_MAX_HOSTS] = {0};
    struct workload_opts hosts;
    struct wl_conf conf;
    char target[64] = "";
    int rc;

    if (!r)
        return og_error_set(err, OG_E_NOMEM, "check");
    rc = conf_read(o->state_dir, &conf, err);
    if (rc < 0)
        return rc;
    /* the logs first: every ack read was committed before the WAL position
     * read below */
    rc = workload_report_load(r, o->state_dir, err);
    if (rc < 0)
        return rc;
    hosts = conf.o;
    if (o->hosts.n_hosts > 0) {
        memcpy(hosts.hosts, o->hosts.hosts, sizeof(hosts.hosts));
        memcpy(hosts.ports, o->hosts.ports, sizeof(hosts.ports));
        hosts.n_hosts = o->hosts.n_hosts;
    }
    r->n_nodes = hosts.n_hosts;
    for (size_t i = 0; i < hosts.n_hosts; i++) {
        snprintf(r->nodes[i].host, sizeof(r->nodes[i].host), "%s", hosts.hosts[i]);
        r->nodes[i].port = hosts.ports[i];
    }

    /* The primary, as read-write clients find it. */
    rc = connect_primary(&hosts, conf.o.dbname, &pc, err);
    if (rc < 0)
        return rc;
    for (size_t i = 0; i < hosts.n_hosts; i++)
        if (strcmp(PQhost(pc), hosts.hosts[i]) == 0 && atoi(PQport(pc)) == hosts.ports[i]) {
            r->primary = (int)i;
            break;
        }
    PQfinish(pc);
    pc = NULL;
    if (r->primary < 0)
        return og_error_set(err, OG_E_DN_CONNECTIONS,
                            "Failed to get DN connections: the primary "
                            "is none of the hosts given.");

    for (size_t i = 0; i < r->n_nodes; i++) {
        struct workload_node *n = &r->nodes[i];
        char rec[8];
        struct og_error e = {0};

        conns[i] = node_connect(&hosts, i, conf.o.dbname, n);
        if (!conns[i])
            continue;
        if (node_one_value(conns[i], "SELECT pg_is_in_recovery()", rec, sizeof(rec), &e) < 0) {
            snprintf(n->error, sizeof(n->error), "%s", e.detail);
            PQfinish(conns[i]);
            conns[i] = NULL;
            continue;
        }
        if (strcmp(rec, "t") == 0)
            n->role = WORKLOAD_ROLE_STANDBY;
        else
            n->role = (int)i == r->primary ? WORKLOAD_ROLE_PRIMARY : WORKLOAD_ROLE_OTHER_PRIMARY;
        if ((int)i == r->primary && n->role != WORKLOAD_ROLE_PRIMARY)
            snprintf(n->error, sizeof(n->error), "it was the primary a moment ago, now a standby");
    }
    /* The primary's position, then every standby catches up to it. */
    {
        struct workload_node *p = &r->nodes[r->primary];
        struct og_error e = {0};

        if (conns[r->primary] && p->role == WORKLOAD_ROLE_PRIMARY) {
            if (node_one_value(conns[r->primary], "SELECT pg_current_wal_lsn()::text", target,
                               sizeof(target), &e) < 0)
                snprintf(p->error, sizeof(p->error), "%s", e.detail);
            else
                p->caught_up = true;
            snprintf(p->lsn, sizeof(p->lsn), "%s", target);
        }
    }
    for (size_t i = 0; i < r->n_nodes; i++) {
        struct workload_node *n = &r->nodes[i];

        if (!conns[i])
            continue;
        if (n->role == WORKLOAD_ROLE_STANDBY && target[0])
            n->caught_up = node_catch_up(conns[i], target, o->catchup_timeout_s, n);
        else if (n->role == WORKLOAD_ROLE_OTHER_PRIMARY)
            snprintf(n->error, sizeof(n->error),
                     "also accepts writes (split brain): compared as it is");
        else if (n->role == WORKLOAD_ROLE_STANDBY)
            snprintf(n->error, sizeof(n->error), "the primary's WAL position is unknown");
        if (n->role == WORKLOAD_ROLE_OTHER_PRIMARY)
            n->caught_up = true;
        /* compared even when not caught up: the report says which ids miss */
        node_verify(conns[i], r, n);
    }
    for (size_t i = 0; i < r->n_nodes; i++)
        PQfinish(conns[i]);
    workload_report_finish(r);
    *ret = steal_ptr(r);
    return 0;
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
