/* SPDX-License-Identifier: MulanPSL-2.0 */
#include <arpa/inet.h>
#include <ifaddrs.h>
#include <libssh2.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <pwd.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "clock.h"
#include "dynbuf.h"
#include "oglog.h"
#include "parallel.h"
#include "shquote.h"
#include "transport_int.h"
#include "banned.h"

/* The longest remote command line (OpenSSH accepts packets of 256 KiB). */
#define COMMAND_LINE_MAX (200u * 1024)
/* How long the node's timeout(1) waits after TERM before it sends KILL. */
#define REMOTE_KILL_AFTER "--kill-after=5s"
/* Stack of a fan-out thread: libssh2 + OpenSSL need far less. */
#define FANOUT_STACK (512u * 1024)

DEFINE_TRIVIAL_CLEANUP_FUNC(struct ifaddrs *, freeifaddrs)

static pthread_once_t libssh2_once = PTHREAD_ONCE_INIT;
static int libssh2_init_rc;

static void libssh2_init_once(void)
{
    libssh2_init_rc = libssh2_init(0);
}

/* ------------------------------------------------------------------------ */
/* Nodes                                                                    */

static void node_free(struct node *nd)
{
    if (!nd)
        return;
    free(nd->name);
    free(nd->host);
    pthread_mutex_destroy(&nd->lock);
    free(nd);
}

static struct node *node_find(const struct transport *t, const char *name)
{
    for (size_t i = 0; i < t->n_nodes; i++)
        if (strcmp(t->nodes[i]->name, name) == 0)
            return t->nodes[i];
    return NULL;
}

static int unknown_node(struct og_error *err, const char *name)
{
    return og_error_set(err, OG_E_NODE_UNKNOWN, "The host name [%s] is not in the cluster.", name);
}

/* ------------------------------------------------------------------------ */
/* Is a node this host?                                                     */

static bool addr_is_local(const struct sockaddr *sa, const struct ifaddrs *ifs)
{
    if (sa->sa_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)sa;

        if ((ntohl(in->sin_addr.s_addr) >> 24) == 127)
            return true;
        for (const struct ifaddrs *i = ifs; i; i = i->ifa_next)
            if (i->ifa_addr && i->ifa_addr->sa_family == AF_INET &&
                ((const struct sockaddr_in *)i->ifa_addr)->sin_addr.s_addr == in->sin_addr.s_addr)
                return true;
    } else if (sa->sa_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;

        if (IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr) ||
            (IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr) && in6->sin6_addr.s6_addr[12] == 127))
            return true;
        for (const struct ifaddrs *i = ifs; i; i = i->ifa_next)
            if (i->ifa_addr && i->ifa_addr->sa_family == AF_INET6 &&
                memcmp(&((const struct sockaddr_in6 *)i->ifa_addr)->sin6_addr, &in6->sin6_addr,
                       sizeof(in6->sin6_addr)) == 0)
                return true;
    }
    return false;
}

static bool host_is_local(const char *host)
{
    _cleanup_(freeaddrinfop) struct addrinfo *ai = NULL;
    _cleanup_(freeifaddrsp) struct ifaddrs *ifs = NULL;
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM};

    if (getaddrinfo(host, NULL, &hints, &ai) != 0)
        return false;
    if (getifaddrs(&ifs) < 0)
        ifs = NULL;
    for (const struct addrinfo *p = ai; p; p = p->ai_next)
        if (addr_is_local(p->ai_addr, ifs))
            return true;
    return false;
}

/* Called with the node locked. The node's address decides, never its name:
 * a node named like this host (or its first label) may be another machine. */
static bool node_is_local(const struct transport *t, struct node *nd)
{
    if (nd->local < 0)
        nd->local = t->local_mode == TRANSPORT_LOCAL_DETECT && host_is_local(nd->host);
    return nd->local == 1;
}

/* ------------------------------------------------------------------------ */
/* Transport                                                                */

static int dup_or_default(const char *value, const char *home, const char *rel, char **ret)
{
    char *s = NULL;

    if (value)
        s = strdup(value);
    else if (asprintf(&s, "%s/%s", home, rel) < 0)
        s = NULL;
    if (!s)
        return -OG_E_NOMEM;
    *ret = s;
    return 0;
}

/* The uid of the login user on this host, (uid_t)-1 when it has none. */
static uid_t login_uid_of(const char *user, char *buf, size_t size)
{
    struct passwd pw, *pwp = NULL;

    if (getpwnam_r(user, &pw, buf, size, &pwp) != 0 || !pwp)
        return (uid_t)-1;
    return pwp->pw_uid;
}

int transport_new(const struct transport_opts *opts, struct transport **ret, struct og_error *err)
{
    static const struct transport_opts defaults = {0};
    _cleanup_transport_ struct transport *t = NULL;
    _cleanup_free_ char *pwbuf = NULL;
    struct passwd pw, *pwp = NULL;
    long pwmax = sysconf(_SC_GETPW_R_SIZE_MAX);
    const char *home = "/";
    int r;

    if (!opts)
        opts = &defaults;
    if (!ret)
        return og_error_set(err, OG_E_INVALID_ARG, "transport_new without a result");
    if (opts->user && (r = shquote_check_name("user", opts->user, err)) < 0)
        return r;
    if (opts->connect_timeout_ms < 0 || opts->session_open_ms < 0)
        return og_error_set(err, OG_E_INVALID_ARG, "negative connect or session-open timeout");
    pthread_once(&libssh2_once, libssh2_init_once);
    if (libssh2_init_rc != 0)
        return og_error_set(err, OG_E_SSH_CONNECT, "libssh2_init failed (%d)", libssh2_init_rc);

    pwbuf = malloc(pwmax > 0 ? (size_t)pwmax : 16384);
    if (!pwbuf)
        return og_error_set(err, OG_E_NOMEM, "transport_new");
    if (getpwuid_r(geteuid(), &pw, pwbuf, pwmax > 0 ? (size_t)pwmax : 16384, &pwp) == 0 && pwp &&
        pwp->pw_dir && pwp->pw_dir[0])
        home = pwp->pw_dir;
    if (!opts->user && !pwp)
        return og_error_set(err, OG_E_USER_NOT_EXIST, "User %u does not exist.",
                            (unsigned)geteuid());

    t = calloc(1, sizeof(*t));
    if (!t)
        return og_error_set(err, OG_E_NOMEM, "transport_new");
    t->connect_timeout_ms =
        opts->connect_timeout_ms ? opts->connect_timeout_ms : TRANSPORT_DEFAULT_CONNECT_TIMEOUT_MS;
    t->session_open_ms =
        opts->session_open_ms ? opts->session_open_ms : TRANSPORT_DEFAULT_SESSION_OPEN_MS;
    t->local_mode = opts->local_mode;
    t->user = strdup(opts->user ? opts->user : pwp->pw_name);
    if (!t->user || dup_or_default(opts->key_file, home, ".ssh/id_ed25519", &t->key_file) < 0 ||
        dup_or_default(opts->known_hosts, home, ".ssh/known_hosts", &t->known_hosts) < 0)
        return og_error_set(err, OG_E_NOMEM, "transport_new");
    if (!opts->user && (r = shquote_check_name("user", t->user, err)) < 0)
        return r;
    t->login_uid = login_uid_of(t->user, pwbuf, pwmax > 0 ? (size_t)pwmax : 16384);
    *ret = steal_ptr(t);
    return 0;
}

void transport_free(struct transport *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->n_nodes; i++) {
        for (size_t k = 0; k < t->nodes[i]->n_idle; k++)
            transport_conn_free(t->nodes[i]->idle[k], true);
        node_free(t->nodes[i]);
    }
    free(t->nodes);
    free(t->user);
    free(t->key_file);
    free(t->known_hosts);
    free(t);
}

int transport_add_node(struct transport *t, const char *name, const char *host, int port,
                       struct og_error *err)
{
    struct node *nd, **v;
    int r;

    if ((r = shquote_check_name("node name", name, err)) < 0 ||
        (r = shquote_check_name("host", host, err)) < 0)
        return r;
    if (port == 0)
        port = TRANSPORT_DEFAULT_PORT;
    if (port < 1 || port > 65535)
        return og_error_set(err, OG_E_PARAM_VALUE, "The parameter[port] value[%d] is invalid.",
                            port);
    if (node_find(t, name))
        return og_error_set(err, OG_E_EXISTS, "The node %s already exists.", name);

    nd = calloc(1, sizeof(*nd));
    if (!nd)
        return og_error_set(err, OG_E_NOMEM, "adding node \"%s\"", name);
    nd->name = strdup(name);
    nd->host = strdup(host);
    nd->port = port;
    nd->local = -1;
    pthread_mutex_init(&nd->lock, NULL);
    v = realloc(t->nodes, (t->n_nodes + 1) * sizeof(*v));
    if (!nd->name || !nd->host || !v) {
        if (v)
            t->nodes = v;
        node_free(nd);
        return og_error_set(err, OG_E_NOMEM, "adding node \"%s\"", name);
    }
    v[t->n_nodes++] = nd;
    t->nodes = v;
    return 0;
}

int transport_set_local(struct transport *t, const char *name, bool local, struct og_error *err)
{
    struct node *nd = node_find(t, name);

    if (!nd)
        return unknown_node(err, name);
    pthread_mutex_lock(&nd->lock);
    nd->local = local;
    nd->local_forced = true;
    pthread_mutex_unlock(&nd->lock);
    return 0;
}

int transport_node_is_local(struct transport *t, const char *name, bool *ret, struct og_error *err)
{
    struct node *nd = node_find(t, name);

    if (!nd)
        return unknown_node(err, name);
    pthread_mutex_lock(&nd->lock);
    *ret = node_is_local(t, nd);
    pthread_mutex_unlock(&nd->lock);
    return 0;
}

unsigned transport_sessions_opened(const struct transport *t)
{
    return atomic_load(&t->sessions_opened);
}

/* ------------------------------------------------------------------------ */
/* Running a command                                                        */

/* The command line for argv with deadline_ms left: argv under coreutils'
 * timeout(1), so the node itself ends the command at the deadline (TERM to
 * its process group, KILL 5 s later), even when this side
 * gave up on a silent network. Quoted by shquote_argv() like any argv. */
static int remote_line(struct dynbuf *line, const char *const *argv, long long left_ms)
{
    _cleanup_free_ const char **wrapped = NULL;
    char secs[32];
    size_t n = 0;

    while (argv[n])
        n++;
    wrapped = calloc(n + 4, sizeof(*wrapped));
    if (!wrapped)
        return -OG_E_NOMEM;
    snprintf(secs, sizeof(secs), "%lld.%03llds", left_ms / 1000, left_ms % 1000);
    wrapped[0] = "timeout";
    wrapped[1] = REMOTE_KILL_AFTER;
    wrapped[2] = secs;
    memcpy(wrapped + 3, argv, n * sizeof(*argv));
    dynbuf_reset(line);
    return shquote_argv(line, wrapped);
}

static int line_error(struct og_error *err, int r, const char *what)
{
    return og_error_set(err, r, "Failed to execute %s command. Its command line is too long", what);
}

/* An idle session of the node's pool, or NULL (a new one is opened). */
static struct ssh_conn *pool_take(struct node *nd)
{
    struct ssh_conn *c = NULL;

    pthread_mutex_lock(&nd->lock);
    if (nd->n_idle)
        c = nd->idle[--nd->n_idle];
    pthread_mutex_unlock(&nd->lock);
    return c;
}

/* Back into the pool (beyond TRANSPORT_POOL_MAX idle ones: closed). */
static void pool_put(struct node *nd, struct ssh_conn *c)
{
    if (!c)
        return;
    pthread_mutex_lock(&nd->lock);
    if (nd->n_idle < TRANSPORT_POOL_MAX) {
        nd->idle[nd->n_idle++] = c;
        c = NULL;
    }
    pthread_mutex_unlock(&nd->lock);
    transport_conn_free(c, true);
}

static int run_remote(struct transport *t, struct node *nd, const char *const *argv,
                      const struct transport_run_opts *o, long long start,
                      struct command_result *ret, struct og_error *err)
{
    _cleanup_dynbuf_ struct dynbuf line = {0};
    long long deadline = start + o->timeout_ms;
    struct ssh_conn *c = pool_take(nd);
    int r;

    dynbuf_init(&line, COMMAND_LINE_MAX);
    if ((r = remote_line(&line, argv, o->timeout_ms)) < 0) { /* refused before connecting */
        pool_put(nd, c);
        return line_error(err, r, argv[0]);
    }
    for (int attempt = 0;; attempt++) {
        struct exec_state st = {.what = argv[0], .open_ms = t->session_open_ms};
        bool reused = c != NULL;

        if (!c) {
            /* connecting has its own bound, from now (a retry connects late) */
            long long setup = (attempt == 0 ? start : og_now_ms()) + t->connect_timeout_ms;
            bool cmd_deadline = deadline <= setup;

            r = transport_conn_open(t, nd, cmd_deadline ? deadline : setup, cmd_deadline, &c, err);
            if (r < 0)
                return r;
        }
        if (deadline <= og_now_ms()) {
            pool_put(nd, c);
            return transport_timed_out(nd, &st, o->timeout_ms, err);
        }
        /* the node's own deadline: what is left of ours */
        if ((r = remote_line(&line, argv, deadline - og_now_ms())) < 0) {
            pool_put(nd, c);
            return line_error(err, r, argv[0]);
        }
        r = transport_channel_exec(c, nd, dynbuf_str(&line), o, deadline, &st, ret, err);
        if (st.discard) {
            transport_conn_free(c, false);
            c = NULL;
        }
        /* A pooled session the server dropped while idle fails before the
         * command starts; a connection that opened no channel in time is
         * wedged (or its node gone): open a fresh one, once, when there is
         * time to learn which -- a node that is gone then fails to connect
         * (OGUP-60083). */
        if (((r == -OG_E_REMOTE_EXEC && reused) ||
             (st.no_session && deadline - og_now_ms() > t->connect_timeout_ms)) &&
            !st.started && attempt == 0) {
            og_error_clear(err);
            if (c) { /* not discarded: a fresh one all the same */
                transport_conn_free(c, false);
                c = NULL;
            }
            continue;
        }
        pool_put(nd, c);
        return r;
    }
}

static int run_local(const char *const *argv, const struct transport_run_opts *o, long long start,
                     struct command_result *ret, struct og_error *err)
{
    _cleanup_command_ struct command *cmd = command_new(argv);
    long long left = start + o->timeout_ms - og_now_ms();
    int r;

    if (!cmd)
        return og_error_set(err, OG_E_NOMEM, "preparing \"%s\"", argv[0]);
    command_set_timeout_ms(cmd, left > 1 ? (int)left : 1);
    command_set_output_max(cmd, o->output_max);
    if (o->input && (r = command_set_input(cmd, o->input, o->input_len)) < 0)
        return og_error_set(err, r, "preparing \"%s\"", argv[0]);
    return command_run(cmd, ret, err);
}

/* The end of stderr, at most max bytes without trailing blanks. */
static const char *tail_of(const char *s, size_t len, size_t max, int *ret_len)
{
    while (len > 0 && (s[len - 1] == '\n' || s[len - 1] == ' '))
        len--;
    *ret_len = (int)(len > max ? max : len);
    return s + len - (size_t)*ret_len;
}

/* Every command into the log file at DEBUG, as openGauss's tools log theirs
 * ("Command for ...: ..."): node, time, outcome, the argv quoted (secrets
 * masked by the logger). */
static void log_command(const char *node, const char *const *argv, long long start,
                        const struct command_result *res)
{
    _cleanup_dynbuf_ struct dynbuf line = {0};

    if (!oglog_enabled(OGLOG_DEBUG))
        return;
    dynbuf_init(&line, 4096);
    if (shquote_argv(&line, argv) < 0)
        dynbuf_reset(&line);
    if (!res)
        log_debug("transport", "Command on %s failed to run (%lld ms): %s", node,
                  og_now_ms() - start, dynbuf_str(&line));
    else if (res->exit_status < 0)
        log_debug("transport", "Command on %s killed by signal %d (%lld ms): %s", node,
                  res->term_signal, og_now_ms() - start, dynbuf_str(&line));
    else
        log_debug("transport", "Command on %s exited %d (%lld ms): %s", node, res->exit_status,
                  og_now_ms() - start, dynbuf_str(&line));
}

int transport_run(struct transport *t, const char *node, const char *const *argv,
                  const struct transport_run_opts *opts, struct command_result *ret,
                  struct og_error *err)
{
    static const struct transport_run_opts defaults = {0};
    struct transport_run_opts o = opts ? *opts : defaults;
    struct command_result res = {0};
    long long start = og_now_ms();
    struct node *nd;
    bool local;
    int r, tl;

    if (!t || !node || !argv || !argv[0] || !ret)
        return og_error_set(err, OG_E_INVALID_ARG, "transport_run: missing node, argv or result");
    if (o.timeout_ms < 0 || (o.input_len && !o.input))
        return og_error_set(err, OG_E_INVALID_ARG, "transport_run: bad timeout or input");
    if (o.timeout_ms == 0)
        o.timeout_ms = COMMAND_DEFAULT_TIMEOUT_MS;
    if (o.output_max == 0)
        o.output_max = COMMAND_DEFAULT_OUTPUT_MAX;
    nd = node_find(t, node);
    if (!nd)
        return unknown_node(err, node);

    pthread_mutex_lock(&nd->lock);
    local = node_is_local(t, nd);
    pthread_mutex_unlock(&nd->lock);
    r = local ? run_local(argv, &o, start, &res, err)
              : run_remote(t, nd, argv, &o, start, &res, err);
    if (r < 0) {
        log_command(node, argv, start, NULL);
        return r;
    }
    log_command(node, argv, start, &res);

    if (o.check_exit && (res.exit_status != 0 || res.term_signal != 0)) {
        const char *tail = tail_of(res.err, res.err_len, 512, &tl);

        if (res.exit_status < 0)
            r = og_error_set(err, OG_E_CMD_FAILED,
                             "command \"%s\" on node \"%s\" was killed by signal %d", argv[0], node,
                             res.term_signal);
        else
            r = og_error_set(err, OG_E_CMD_FAILED,
                             "command \"%s\" on node \"%s\" exited with %d: %.*s", argv[0], node,
                             res.exit_status, tl, tail);
        command_result_done(&res);
        return r;
    }
    *ret = res;
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Fan-out                                                                  */

struct fanout_job {
    struct transport *t;
    const char *node;
    const char *const *argv;
    const struct transport_run_opts *opts;
    struct command_result *res;
    struct og_error *err;
    int rc;
};

static void fanout_main(void *arg)
{
    struct fanout_job *j = arg;

    j->rc = transport_run(j->t, j->node, j->argv, j->opts, j->res, j->err);
}

int transport_run_all(struct transport *t, const char *const *nodes, size_t n,
                      const char *const *argv, const struct transport_run_opts *opts,
                      struct command_result *results, struct og_error *errs)
{
    _cleanup_free_ const char *const **argvs = calloc(n ? n : 1, sizeof(*argvs));

    if (!argvs)
        return -OG_E_NOMEM;
    for (size_t i = 0; i < n; i++)
        argvs[i] = argv;
    return transport_run_each(t, nodes, n, argvs, opts, results, errs);
}

int transport_run_each(struct transport *t, const char *const *nodes, size_t n,
                       const char *const *const *argvs, const struct transport_run_opts *opts,
                       struct command_result *results, struct og_error *errs)
{
    _cleanup_free_ struct fanout_job *jobs = NULL;
    _cleanup_free_ struct og_error *own_errs = NULL;
    int first = 0;

    if (n == 0)
        return 0;
    if (!t || !nodes || !argvs || !results)
        return -OG_E_INVALID_ARG;
    jobs = calloc(n, sizeof(*jobs));
    if (!errs)
        errs = own_errs = calloc(n, sizeof(*errs));
    if (!jobs || !errs)
        return -OG_E_NOMEM;

    for (size_t i = 0; i < n; i++) {
        memset(&results[i], 0, sizeof(results[i]));
        og_error_clear(&errs[i]);
        jobs[i] = (struct fanout_job){t, nodes[i], argvs[i], opts, &results[i], &errs[i], 0};
    }
    parallel_each(jobs, n, sizeof(jobs[0]), fanout_main, FANOUT_STACK);
    for (size_t i = 0; i < n && first == 0; i++)
        first = jobs[i].rc < 0 ? jobs[i].rc : 0;
    return first;
}
