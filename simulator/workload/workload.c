/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * workload.c - the workload's options and state files (workload.h): the
 * options and their checks, workload.conf and workload.stats, and the libpq
 * helpers every part uses. The rest is in workload_start.c (the database
 * side, start, stop), workload_daemon.c (the background process),
 * workload_report.c (the logs, the report and its formats) and
 * workload_check.c (the nodes compared with the logs).
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <libpq-fe.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "cleanup.h"
#include "dynbuf.h"
#include "fs.h"
#include "ogerror.h"
#include "parse.h"
#include "workload.h"
#include "workload_int.h"
#include "banned.h"

#define CONF_MARKER "# ogsim workload state"
#define FILE_MAX    (64u * 1024)

int64_t wl_mono_ns(void)
{
    return og_now_ns();
}

int64_t wl_unix_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

void wl_sleep_ms(int ms)
{
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L};

    while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
        ;
}

void wl_path_in(char *buf, size_t size, const char *dir, const char *name)
{
    snprintf(buf, size, "%s/%s", dir, name);
}

/* Strict decimal integer in [min, max]. */
int wl_parse_int64(const char *s, int64_t min, int64_t max, int64_t *ret)
{
    long long v;

    /* safe_atolli() lets leading blanks through: not here */
    if (!s || isspace((unsigned char)*s) || safe_atolli_range(s, min, max, &v) < 0)
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
        if (wl_parse_int64(one, 1, 65535, &v) < 0)
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

int wl_conf_write(const struct wl_conf *c, struct og_error *err)
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
    wl_path_in(path, sizeof(path), c->o.state_dir, CONF_FILE);
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
        if (wl_parse_int64(value, 1, (1LL << 23) - 1, &v) < 0)
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
        if (wl_parse_int64(value, 1, WORKLOAD_MAX_WRITERS, &v) < 0)
            return -1;
        c->o.writers = (int)v;
    } else if (strcmp(key, "readers") == 0) {
        if (wl_parse_int64(value, 0, WORKLOAD_MAX_READERS, &v) < 0)
            return -1;
        c->o.readers = (int)v;
    } else if (strcmp(key, "duration") == 0) {
        if (wl_parse_int64(value, 0, WORKLOAD_MAX_DURATION, &v) < 0)
            return -1;
        c->o.duration_s = (int)v;
    } else if (strcmp(key, "rate") == 0) {
        if (wl_parse_int64(value, 0, WORKLOAD_MAX_RATE, &v) < 0)
            return -1;
        c->o.rate = (int)v;
    } else if (strcmp(key, "ack_fsync") == 0) {
        if (wl_parse_int64(value, 0, 1, &v) < 0)
            return -1;
        c->o.ack_fsync = v == 1;
    }
    /* unknown keys: written by a newer ogsim, ignored */
    return 0;
}

/* The conf of state_dir: -OG_E_NOT_EXIST when the dir or the file is
 * missing, -OG_E_CONTENT_INVALID when it is not a workload's. */
int wl_conf_read(const char *state_dir, struct wl_conf *c, struct og_error *err)
{
    _cleanup_free_ char *text = NULL;
    char path[WORKLOAD_PATH_MAX + 32];
    struct stat st;
    int r;

    if (stat(state_dir, &st) < 0 || !S_ISDIR(st.st_mode))
        return og_error_set(err, OG_E_NOT_EXIST,
                            "The workload state directory \"%s\" does not exist.", state_dir);
    wl_path_in(path, sizeof(path), state_dir, CONF_FILE);
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
    const char *dot = strchr(key, '.');
    char num[16];
    unsigned i;

    if (!dot || (size_t)(dot - key) >= sizeof(num))
        return -1;
    snprintf(num, sizeof(num), "%.*s", (int)(dot - key), key);
    if (safe_atou_base(num, 10, &i) < 0 || i >= WORKLOAD_MAX_HOSTS)
        return -1;
    p = &s->probes[i];
    key = dot + 1;
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
    if (wl_parse_int64(value, 0, INT64_MAX, &v) < 0)
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

    wl_path_in(path, sizeof(path), state_dir, STATS_FILE);
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

int wl_stats_write(const char *state_dir, const struct workload_stats *s, struct og_error *err)
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
    wl_path_in(path, sizeof(path), state_dir, STATS_FILE);
    return fs_replace_file(path, b.buf, b.len, 0600, err);
}

/* ---- libpq helpers ---------------------------------------------------------- */

/* Multi-host (host_index < 0) or single-host connection parameters. */
void wl_conninfo_init(struct wl_conninfo *ci, const struct workload_opts *o, int host_index,
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

PGconn *wl_connect(const struct wl_conninfo *ci)
{
    return PQconnectdbParams(ci->keys, ci->values, 0);
}

/* libpq's message on one line, without its trailing newline. */
const char *wl_pq_msg(const char *m, char *buf, size_t size)
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
        int64_t left = deadline_ns - wl_mono_ns();
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
enum wl_outcome wl_exec(PGconn *c, const char *sql, int nparams, const char *const *values,
                        ExecStatusType want, int timeout_ms, PGresult **ret_res)
{
    int64_t deadline = wl_mono_ns() + (int64_t)timeout_ms * 1000000LL;
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
int wl_sql_run_params(PGconn *c, const char *sql, int nparams, const char *const *values,
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
    wl_pq_msg(res ? PQresultErrorMessage(res) : PQerrorMessage(c), msg, sizeof(msg));
    og_error_set(err, OG_E_SQL, "Failed to execute SQL: \"%s\": [%s] %s", sql, state ? state : "-",
                 msg[0] ? msg : "no answer in time");
    PQclear(res);
    return -OG_E_SQL;
}

int wl_sql_run(PGconn *c, const char *sql, ExecStatusType want, PGresult **ret,
               struct og_error *err)
{
    return wl_sql_run_params(c, sql, 0, NULL, want, ret, err);
}

int wl_connect_primary(const struct workload_opts *o, const char *dbname, PGconn **ret,
                       struct og_error *err)
{
    struct wl_conninfo ci;
    PGconn *c;
    char msg[1024];

    wl_conninfo_init(&ci, o, -1, dbname, "primary", "ogsim-workload");
    c = wl_connect(&ci);
    if (!c)
        return og_error_set(err, OG_E_NOMEM, "connecting to the primary");
    if (PQstatus(c) != CONNECTION_OK) {
        wl_pq_msg(PQerrorMessage(c), msg, sizeof(msg));
        PQfinish(c);
        return og_error_set(err, OG_E_DN_CONNECTIONS,
                            "Failed to get DN connections: no primary reachable at host=%s "
                            "port=%s dbname=%s: %s",
                            ci.hosts, ci.ports, dbname, msg);
    }
    *ret = c;
    return 0;
}
