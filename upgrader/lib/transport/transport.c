/* SPDX-License-Identifier: MulanPSL-2.0 */
#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <libssh2.h>
#include <limits.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/evp.h>
#include <poll.h>
#include <pthread.h>
#include <pwd.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "dynbuf.h"
#include "fs.h"
#include "oglog.h"
#include "parallel.h"
#include "shquote.h"
#include "transport.h"
#include "banned.h"

/* A known_hosts file bigger than this is not one. */
#define KNOWN_HOSTS_MAX (16u * 1024 * 1024)
/* The longest remote command line (OpenSSH accepts packets of 256 KiB). */
#define COMMAND_LINE_MAX (200u * 1024)
/* How long closing a channel may take after its output went over the bound. */
#define CLOSE_GRACE_MS 1000
/* How long the node's timeout(1) waits after TERM before it sends KILL. */
#define REMOTE_KILL_AFTER "--kill-after=5s"
/* Stack of a fan-out thread: libssh2 + OpenSSL need far less. */
#define FANOUT_STACK (512u * 1024)

struct ssh_conn {
    int sock;
    LIBSSH2_SESSION *session;
};

/* A peer that answers nothing, not even keepalives, for KEEPALIVE_DEAD_MS is
 * gone (a cut network leaves the TCP connection open: without this a
 * command waited for its whole bound -- 10 min -- found by the grey fault
 * scenarios) */
#define KEEPALIVE_S       5
#define KEEPALIVE_DEAD_MS 20000

struct node {
    char *name;
    char *host;
    int port;
    int local; /* -1: not decided yet, 0: remote, 1: local */
    bool local_forced;
    pthread_mutex_t lock; /* guards local and the idle sessions */
    /* idle pooled sessions; a command takes one (or opens one) and puts
     * it back, so commands on one node run at once on sessions of their own */
    struct ssh_conn *idle[TRANSPORT_POOL_MAX];
    size_t n_idle;
};

struct transport {
    char *user;
    uid_t login_uid; /* the login user's uid on this host, (uid_t)-1 if none */
    char *key_file;
    char *known_hosts;
    int connect_timeout_ms;
    int session_open_ms;
    enum transport_local_mode local_mode;
    struct node **nodes;
    size_t n_nodes;
    atomic_uint sessions_opened;
};

DEFINE_TRIVIAL_CLEANUP_FUNC(LIBSSH2_KNOWNHOSTS *, libssh2_knownhost_free)
DEFINE_TRIVIAL_CLEANUP_FUNC(struct addrinfo *, freeaddrinfo)
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

static void conn_free(struct ssh_conn *c, bool graceful);

void transport_free(struct transport *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->n_nodes; i++) {
        for (size_t k = 0; k < t->nodes[i]->n_idle; k++)
            conn_free(t->nodes[i]->idle[k], true);
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
/* SSH connections                                                          */

static const char *ssh_errmsg(LIBSSH2_SESSION *s)
{
    char *msg = NULL;

    libssh2_session_last_error(s, &msg, NULL, 0);
    return msg && msg[0] ? msg : "unknown libssh2 error";
}

/* Wait until the socket is ready in the direction libssh2 is blocked on,
 * sending keepalives while it is quiet. 0; -ETIMEDOUT at the deadline;
 * -EHOSTUNREACH when the peer answered nothing for KEEPALIVE_DEAD_MS. */
static int wait_socket(struct ssh_conn *c, long long deadline)
{
    int dir = libssh2_session_block_directions(c->session);
    struct pollfd p = {.fd = c->sock, .events = POLLIN};
    long long quiet_since = og_now_ms();

    if (dir & LIBSSH2_SESSION_BLOCK_OUTBOUND)
        p.events |= POLLOUT;
    for (;;) {
        long long now = og_now_ms(), left = deadline - now;
        long long slice = left < KEEPALIVE_S * 1000 ? left : KEEPALIVE_S * 1000;
        int r, next = 0;

        if (left <= 0)
            return -ETIMEDOUT;
        if (now - quiet_since > KEEPALIVE_DEAD_MS)
            return -EHOSTUNREACH;
        r = poll(&p, 1, (int)slice);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return -errno;
        if (r > 0)
            return 0; /* libssh2 reads what came, keepalive replies included */
        /* quiet: ask the peer to answer (keepalive@openssh.com, want reply) */
        libssh2_keepalive_send(c->session, &next);
    }
}

static void conn_free(struct ssh_conn *c, bool graceful)
{
    if (!c)
        return;
    if (c->session) {
        if (graceful) {
            long long deadline = og_now_ms() + 200;

            while (libssh2_session_disconnect(c->session, "ogup: done") == LIBSSH2_ERROR_EAGAIN &&
                   wait_socket(c, deadline) == 0)
                ;
        }
        /* No more traffic: libssh2_session_free() cannot block on a shut
         * down socket, so it may run in blocking mode and free everything. */
        if (c->sock >= 0)
            shutdown(c->sock, SHUT_RDWR);
        libssh2_session_set_blocking(c->session, 1);
        libssh2_session_free(c->session);
    }
    safe_close(c->sock);
    free(c);
}

static void conn_freep(struct ssh_conn **c)
{
    conn_free(*c, false);
}

/* Non-blocking TCP connect to host:port before the deadline. */
static int tcp_connect(const struct node *nd, long long deadline, int *ret_fd, struct og_error *err)
{
    _cleanup_(freeaddrinfop) struct addrinfo *ai = NULL;
    struct addrinfo hints = {
        .ai_family = AF_UNSPEC,
        .ai_socktype = SOCK_STREAM,
        .ai_flags = AI_NUMERICSERV,
    };
    char port[16];
    int e = ECONNREFUSED, g;

    snprintf(port, sizeof(port), "%d", nd->port);
    g = getaddrinfo(nd->host, port, &hints, &ai);
    if (g != 0)
        return og_error_set(err, OG_E_SSH_CONNECT,
                            "cannot connect to node \"%s\": cannot resolve host \"%s\": %s",
                            nd->name, nd->host, gai_strerror(g));
    for (const struct addrinfo *p = ai; p; p = p->ai_next) {
        _cleanup_close_ int fd =
            socket(p->ai_family, p->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, p->ai_protocol);
        int one = 1;

        if (fd < 0) {
            e = errno;
            continue;
        }
        if (connect(fd, p->ai_addr, p->ai_addrlen) < 0) {
            struct pollfd pfd = {.fd = fd, .events = POLLOUT};
            socklen_t len = sizeof(e);
            long long left;
            int pr;

            if (errno != EINPROGRESS) {
                e = errno;
                continue;
            }
            do {
                left = deadline - og_now_ms();
                pr = left > 0 ? poll(&pfd, 1, left > INT_MAX ? INT_MAX : (int)left) : 0;
            } while (pr < 0 && errno == EINTR);
            if (pr <= 0) {
                e = pr == 0 ? ETIMEDOUT : errno;
                break; /* the deadline is shared by all addresses */
            }
            if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &len) < 0)
                e = errno;
            if (e != 0)
                continue;
        }
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
        *ret_fd = steal_fd(&fd);
        return 0;
    }
    return og_error_set_errno(err, OG_E_SSH_CONNECT, e,
                              "cannot connect to node \"%s\" (%s port %d)", nd->name, nd->host,
                              nd->port);
}

/* "host" for port 22, "[host]:port" otherwise: how OpenSSH names a host in
 * known_hosts (hashed entries hash this same string). */
static void host_spec(const struct node *nd, char *buf, size_t size)
{
    if (nd->port == TRANSPORT_DEFAULT_PORT)
        snprintf(buf, size, "%s", nd->host);
    else
        snprintf(buf, size, "[%s]:%d", nd->host, nd->port);
}

/* Base64 of data (OpenSSL), NUL-terminated; NULL on allocation failure. */
static char *base64(const unsigned char *data, size_t len)
{
    char *out = malloc(4 * ((len + 2) / 3) + 1);

    if (out)
        EVP_EncodeBlock((unsigned char *)out, data, (int)len);
    return out;
}

static int strv_add(char ***v, size_t *n, const char *s, size_t len)
{
    char **p = realloc(*v, (*n + 2) * sizeof(char *));

    if (!p)
        return -OG_E_NOMEM;
    *v = p;
    p[*n] = strndup(s, len);
    if (!p[*n])
        return -OG_E_NOMEM;
    p[++*n] = NULL;
    return 0;
}

/* The n-th (0-based) blank-separated field of line[0..len): *ret_len bytes. */
static const char *field(const char *line, size_t len, int n, size_t *ret_len)
{
    size_t i = 0;

    for (int f = 0;; f++) {
        size_t start;

        while (i < len && (line[i] == ' ' || line[i] == '\t'))
            i++;
        start = i;
        while (i < len && line[i] != ' ' && line[i] != '\t')
            i++;
        if (start == i)
            return NULL;
        if (f == n) {
            *ret_len = i - start;
            return line + start;
        }
    }
}

/* Load known_hosts into kh. A missing file is an empty one. Lines libssh2
 * cannot parse (other key types, "@cert-authority") are skipped: they can
 * only ever fail to vouch for a key. "@revoked" keys go to *revoked. */
static int load_known_hosts(const struct transport *t, const struct node *nd,
                            LIBSSH2_KNOWNHOSTS *kh, char ***revoked, struct og_error *err)
{
    _cleanup_free_ char *data = NULL;
    size_t len = 0, n_revoked = 0;
    int r;

    r = fs_read_file(t->known_hosts, KNOWN_HOSTS_MAX, &data, &len, err);
    if (r == -OG_E_NOT_EXIST) {
        og_error_clear(err);
        return 0;
    }
    if (r < 0)
        return og_error_set(err, r, "Failed to verify SSH trust on these nodes: %s.", nd->name);
    for (size_t off = 0; off < len;) {
        char *line = data + off;
        const char *nl = memchr(line, '\n', len - off);
        size_t ll = nl ? (size_t)(nl - line) : len - off, fl = 0;
        bool ends_nl = nl != NULL;
        const char *f0;

        off += ll + (nl ? 1 : 0);
        if (ll && line[ll - 1] == '\r') {
            line[--ll] = '\n'; /* "\r\n" -> "\n" */
            ends_nl = true;
        }
        f0 = field(line, ll, 0, &fl);
        if (!f0 || f0[0] == '#')
            continue;
        if (f0[0] == '@') {
            size_t kl = 0;
            const char *key = field(line, ll, 3, &kl);

            if (fl == 8 && memcmp(f0, "@revoked", 8) == 0 && key &&
                strv_add(revoked, &n_revoked, key, kl) < 0)
                return og_error_set(err, OG_E_NOMEM, "reading \"%s\"", t->known_hosts);
            continue;
        }
        /* libssh2 reads up to a newline or NUL, so the newline goes along.
         * A line it does not understand vouches for nothing. */
        (void)libssh2_knownhost_readline(kh, line, ll + (ends_nl ? 1 : 0),
                                         LIBSSH2_KNOWNHOST_FILE_OPENSSH);
    }
    return 0;
}

static const struct {
    int kh_type;
    const char *alg;
} host_key_algs[] = {
    {LIBSSH2_KNOWNHOST_KEY_ED25519, "ssh-ed25519"},
    {LIBSSH2_KNOWNHOST_KEY_ECDSA_256, "ecdsa-sha2-nistp256"},
    {LIBSSH2_KNOWNHOST_KEY_ECDSA_384, "ecdsa-sha2-nistp384"},
    {LIBSSH2_KNOWNHOST_KEY_ECDSA_521, "ecdsa-sha2-nistp521"},
    {LIBSSH2_KNOWNHOST_KEY_SSHRSA, "ssh-rsa"},
};

/* Ask the server for a host key type known_hosts holds for this host (as
 * OpenSSH does), ed25519 first: a lookup with a key that cannot match says
 * MISMATCH exactly when an entry of that type exists. */
static void prefer_known_key_types(LIBSSH2_SESSION *s, LIBSSH2_KNOWNHOSTS *kh, const char *spec)
{
    char prefs[256] = "";
    size_t n = 0;

    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < ELEMENTSOF(host_key_algs); i++) {
            int rc = libssh2_knownhost_checkp(kh, spec, -1, "-", 1,
                                              LIBSSH2_KNOWNHOST_TYPE_PLAIN |
                                                  LIBSSH2_KNOWNHOST_KEYENC_BASE64 |
                                                  host_key_algs[i].kh_type,
                                              NULL);
            bool known = rc == LIBSSH2_KNOWNHOST_CHECK_MISMATCH;

            if (known == (pass == 0))
                n += (size_t)snprintf(prefs + n, sizeof(prefs) - n, "%s%s", n ? "," : "",
                                      host_key_algs[i].alg);
        }
    libssh2_session_method_pref(s, LIBSSH2_METHOD_HOSTKEY, prefs);
}

static int kh_type_of(int hostkey_type)
{
    switch (hostkey_type) {
    case LIBSSH2_HOSTKEY_TYPE_RSA:
        return LIBSSH2_KNOWNHOST_KEY_SSHRSA;
    case LIBSSH2_HOSTKEY_TYPE_DSS:
        return LIBSSH2_KNOWNHOST_KEY_SSHDSS;
    case LIBSSH2_HOSTKEY_TYPE_ECDSA_256:
        return LIBSSH2_KNOWNHOST_KEY_ECDSA_256;
    case LIBSSH2_HOSTKEY_TYPE_ECDSA_384:
        return LIBSSH2_KNOWNHOST_KEY_ECDSA_384;
    case LIBSSH2_HOSTKEY_TYPE_ECDSA_521:
        return LIBSSH2_KNOWNHOST_KEY_ECDSA_521;
    case LIBSSH2_HOSTKEY_TYPE_ED25519:
        return LIBSSH2_KNOWNHOST_KEY_ED25519;
    default:
        return 0;
    }
}

/* "SHA256:..." as ssh-keygen -l prints it. */
static void fingerprint(LIBSSH2_SESSION *s, char *buf, size_t size)
{
    const unsigned char *h =
        (const unsigned char *)libssh2_hostkey_hash(s, LIBSSH2_HOSTKEY_HASH_SHA256);
    _cleanup_free_ char *b64 = h ? base64(h, 32) : NULL;
    size_t n;

    if (!b64) {
        snprintf(buf, size, "SHA256:?");
        return;
    }
    n = strlen(b64);
    while (n && b64[n - 1] == '=')
        b64[--n] = '\0';
    snprintf(buf, size, "SHA256:%s", b64);
}

static int verify_host_key(const struct transport *t, const struct node *nd, LIBSSH2_SESSION *s,
                           LIBSSH2_KNOWNHOSTS *kh, char **revoked, const char *spec,
                           struct og_error *err)
{
    _cleanup_free_ char *b64 = NULL;
    const char *key;
    size_t len = 0;
    int type = 0, kh_type, rc;
    char fp[128];

    key = libssh2_session_hostkey(s, &len, &type);
    kh_type = kh_type_of(type);
    fingerprint(s, fp, sizeof(fp));
    if (!key || !kh_type)
        return og_error_set(err, OG_E_SSH_HOSTKEY_UNKNOWN,
                            "Failed to verify SSH trust on these nodes: %s. The host key of %s "
                            "has a type ogup does not know (%d)",
                            nd->name, spec, type);
    b64 = base64((const unsigned char *)key, len);
    if (!b64)
        return og_error_set(err, OG_E_NOMEM, "checking the host key of %s", spec);
    for (char **r = revoked; r && *r; r++)
        if (strcmp(*r, b64) == 0)
            return og_error_set(err, OG_E_SSH_HOSTKEY_CHANGED,
                                "Failed to verify SSH trust on these nodes: %s. The host key of "
                                "%s (%s) is marked @revoked in %s",
                                nd->name, spec, fp, t->known_hosts);
    rc = libssh2_knownhost_checkp(
        kh, spec, -1, key, len,
        LIBSSH2_KNOWNHOST_TYPE_PLAIN | LIBSSH2_KNOWNHOST_KEYENC_RAW | kh_type, NULL);
    switch (rc) {
    case LIBSSH2_KNOWNHOST_CHECK_MATCH:
        return 0;
    case LIBSSH2_KNOWNHOST_CHECK_MISMATCH:
        return og_error_set(err, OG_E_SSH_HOSTKEY_CHANGED,
                            "Failed to verify SSH trust on these nodes: %s. The host key of %s "
                            "(%s) differs from the one in %s: it has CHANGED (possible "
                            "man-in-the-middle attack, or the node was reinstalled)",
                            nd->name, spec, fp, t->known_hosts);
    case LIBSSH2_KNOWNHOST_CHECK_NOTFOUND:
        return og_error_set(err, OG_E_SSH_HOSTKEY_UNKNOWN,
                            "Failed to verify SSH trust on these nodes: %s. The host key of %s "
                            "(%s) is not in %s",
                            nd->name, spec, fp, t->known_hosts);
    default:
        return og_error_set(err, OG_E_SSH_HOSTKEY_UNKNOWN,
                            "Failed to verify SSH trust on these nodes: %s. Checking the host "
                            "key of %s failed: %s",
                            nd->name, spec, ssh_errmsg(s));
    }
}

/* The setup steps share one deadline; a step stuck past it is a connection
 * failure (a host that accepts TCP but never speaks SSH). */
static int setup_wait(struct ssh_conn *c, const struct node *nd, long long deadline,
                      bool deadline_is_command, const char *what, struct og_error *err)
{
    if (wait_socket(c, deadline) == 0)
        return 0;
    return og_error_set(err, deadline_is_command ? OG_E_TIMEOUT : OG_E_SSH_CONNECT,
                        "cannot connect to node \"%s\" (%s port %d): %s timed out", nd->name,
                        nd->host, nd->port, what);
}

/* A private key (key) or known_hosts that another user could have written
 * (or, for a key, read) vouches for nothing: owned by this user, root or
 * the login user, not group/world-writable, a key not group/world-readable
 * either (OpenSSH's rule). A missing file is left to its user's check. */
static int check_ssh_file(const struct transport *t, const struct node *nd, const char *path,
                          bool key, struct og_error *err)
{
    const char *what = key ? "private key" : "known_hosts file";
    mode_t loose = key ? 077 : 022;
    struct stat st;

    if (stat(path, &st) < 0)
        return 0;
    if (st.st_uid != geteuid() && st.st_uid != 0 && st.st_uid != t->login_uid)
        return og_error_set(err, OG_E_SSH_FILE_UNSAFE,
                            "Failed to verify SSH trust on these nodes: %s. The %s \"%s\" is "
                            "owned by uid %u, not by this user, root or \"%s\"",
                            nd->name, what, path, (unsigned)st.st_uid, t->user);
    if (st.st_mode & loose)
        return og_error_set(err, OG_E_SSH_FILE_UNSAFE,
                            "Failed to verify SSH trust on these nodes: %s. The %s \"%s\" has "
                            "mode %04o: it must not be %s by group or others",
                            nd->name, what, path, (unsigned)(st.st_mode & 07777),
                            key ? "readable or writable" : "writable");
    return 0;
}

/* Connect, handshake, verify the host key, authenticate. Before setup_deadline
 * (a failure past it is OG_E_SSH_CONNECT, or OG_E_TIMEOUT when it is the
 * command's own deadline). */
static int conn_open(struct transport *t, const struct node *nd, long long setup_deadline,
                     bool deadline_is_command, struct ssh_conn **ret, struct og_error *err)
{
    _cleanup_(conn_freep) struct ssh_conn *c = NULL;
    _cleanup_(libssh2_knownhost_freep) LIBSSH2_KNOWNHOSTS *kh = NULL;
    _cleanup_strv_ char **revoked = NULL;
    char spec[320];
    int rc, r;

    if ((r = check_ssh_file(t, nd, t->known_hosts, false, err)) < 0 ||
        (r = check_ssh_file(t, nd, t->key_file, true, err)) < 0)
        return r;
    c = calloc(1, sizeof(*c));
    if (!c)
        return og_error_set(err, OG_E_NOMEM, "connecting to node \"%s\"", nd->name);
    c->sock = -1;
    r = tcp_connect(nd, setup_deadline, &c->sock, err);
    if (r < 0)
        return deadline_is_command && og_now_ms() >= setup_deadline
                   ? og_error_set(err, OG_E_TIMEOUT, "timed out connecting to node \"%s\"",
                                  nd->name)
                   : r;
    c->session = libssh2_session_init();
    if (!c->session)
        return og_error_set(err, OG_E_NOMEM, "libssh2 session for node \"%s\"", nd->name);
    libssh2_session_set_blocking(c->session, 0);
    libssh2_keepalive_config(c->session, 1, KEEPALIVE_S);

    host_spec(nd, spec, sizeof(spec));
    kh = libssh2_knownhost_init(c->session);
    if (!kh)
        return og_error_set(err, OG_E_NOMEM, "known hosts for node \"%s\"", nd->name);
    r = load_known_hosts(t, nd, kh, &revoked, err);
    if (r < 0)
        return r;
    prefer_known_key_types(c->session, kh, spec);

    while ((rc = libssh2_session_handshake(c->session, c->sock)) == LIBSSH2_ERROR_EAGAIN)
        if ((r = setup_wait(c, nd, setup_deadline, deadline_is_command, "the SSH handshake", err)) <
            0)
            return r;
    if (rc)
        return og_error_set(err, OG_E_SSH_CONNECT,
                            "cannot connect to node \"%s\" (%s port %d): SSH handshake failed: %s",
                            nd->name, nd->host, nd->port, ssh_errmsg(c->session));

    r = verify_host_key(t, nd, c->session, kh, revoked, spec, err);
    if (r < 0)
        return r;

    if (access(t->key_file, R_OK) < 0)
        return og_error_set_errno(err, OG_E_SSH_AUTH, errno,
                                  "Failed to verify SSH trust on these nodes: %s. Cannot read the "
                                  "private key \"%s\"",
                                  nd->name, t->key_file);
    while ((rc = libssh2_userauth_publickey_fromfile_ex(c->session, t->user,
                                                        (unsigned)strlen(t->user), NULL,
                                                        t->key_file, NULL)) == LIBSSH2_ERROR_EAGAIN)
        if ((r = setup_wait(c, nd, setup_deadline, deadline_is_command, "public key authentication",
                            err)) < 0)
            return r;
    if (rc)
        return og_error_set(err, OG_E_SSH_AUTH,
                            "Failed to verify SSH trust on these nodes: %s. Public key "
                            "authentication of user \"%s\" with \"%s\" to %s failed: %s",
                            nd->name, t->user, t->key_file, spec, ssh_errmsg(c->session));
    atomic_fetch_add(&t->sessions_opened, 1);
    *ret = steal_ptr(c);
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Running a command                                                        */

static int signal_number(const char *name)
{
    if (strncmp(name, "SIG", 3) == 0)
        name += 3;
    for (int s = 1; s < NSIG; s++) {
        const char *abbrev = sigabbrev_np(s);

        if (abbrev && strcmp(abbrev, name) == 0)
            return s;
    }
    return 0;
}

struct exec_state {
    const char *what; /* argv[0], for messages */
    bool started;     /* a channel was opened: the command may have started */
    bool discard;     /* the session must not be reused */
    int open_ms;      /* the session-open bound */
    bool no_session;  /* the session did not open within open_ms */
    long long heard;  /* while it opens: when the server last sent something */
};

/* Close and free a channel before the deadline; false when it could not
 * be done (the session is then discarded). */
static bool channel_finish(struct ssh_conn *c, LIBSSH2_CHANNEL **ch, long long deadline)
{
    int rc;

    while ((rc = libssh2_channel_close(*ch)) == LIBSSH2_ERROR_EAGAIN)
        if (wait_socket(c, deadline) < 0)
            return false;
    if (rc)
        return false;
    while ((rc = libssh2_channel_free(*ch)) == LIBSSH2_ERROR_EAGAIN)
        if (wait_socket(c, deadline) < 0)
            return false;
    *ch = NULL;
    return rc == 0;
}

static int lost(struct ssh_conn *c, const struct node *nd, struct exec_state *st, const char *doing,
                struct og_error *err)
{
    st->discard = true;
    return og_error_set(err, OG_E_REMOTE_EXEC,
                        "Failed to execute %s command. On node \"%s\": %s: %s", st->what, nd->name,
                        doing, ssh_errmsg(c->session));
}

static int timed_out(const struct node *nd, struct exec_state *st, int timeout_ms,
                     struct og_error *err)
{
    st->discard = true;
    return og_error_set(err, OG_E_TIMEOUT, "command \"%s\" on node \"%s\" timed out after %d ms",
                        st->what, nd->name, timeout_ms);
}

/* wait_socket for a command: its bound, or its node gone silent */
static int exec_wait(struct ssh_conn *c, const struct node *nd, struct exec_state *st,
                     const struct transport_run_opts *o, long long deadline, struct og_error *err)
{
    int r = wait_socket(c, deadline);

    if (r == -EHOSTUNREACH) {
        st->discard = true;
        return og_error_set(err, OG_E_SSH_CONNECT,
                            "command \"%s\" on node \"%s\": the node has not answered for %d s "
                            "(its network is down or it is off)",
                            st->what, nd->name, KEEPALIVE_DEAD_MS / 1000);
    }
    return r < 0 ? timed_out(nd, st, o->timeout_ms, err) : 0;
}

/* Quiet this long while a session opens (two keepalive periods: a live
 * server answers each at once), the node is not answering at all. */
#define OPEN_SILENT_MS (2 * KEEPALIVE_S * 1000)

/* exec_wait while the session opens: past open_deadline (before the
 * command's own) no session: a wedged sshd or a node gone must not cost the
 * command's whole bound. A node silent all along is OGUP-60083 like any
 * node that stops answering; one that answers (keepalives) but opens
 * nothing OGUP-60085. */
static int open_wait(struct ssh_conn *c, const struct node *nd, struct exec_state *st,
                     const struct transport_run_opts *o, long long open_deadline,
                     long long deadline, const char *doing, struct og_error *err)
{
    long long quiet;

    if (open_deadline >= deadline)
        return exec_wait(c, nd, st, o, deadline, err);
    if (wait_socket(c, open_deadline) == 0) {
        st->heard = og_now_ms();
        return 0;
    }
    st->discard = true;
    st->no_session = true;
    quiet = og_now_ms() - st->heard;
    if (quiet >= OPEN_SILENT_MS)
        return og_error_set(err, OG_E_SSH_CONNECT,
                            "command \"%s\" on node \"%s\": the node has not answered for %lld s "
                            "(its network is down or it is off)",
                            st->what, nd->name, quiet / 1000);
    return og_error_set(err, OG_E_SSH_SESSION,
                        "command \"%s\" on node \"%s\": the node accepted the SSH login but %s "
                        "within %d s",
                        st->what, nd->name, doing, st->open_ms / 1000);
}

/* Open a session channel and exec line on it, within the session-open bound.
 * On failure the caller discards the session, which frees the channel. */
static int channel_start(struct ssh_conn *c, const struct node *nd, const char *line,
                         const struct transport_run_opts *o, long long deadline,
                         struct exec_state *st, LIBSSH2_CHANNEL **ret, struct og_error *err)
{
    long long open_deadline = og_now_ms() + st->open_ms;
    LIBSSH2_CHANNEL *ch;

    st->heard = og_now_ms();
    int rc, r;

    while (!(ch = libssh2_channel_open_session(c->session))) {
        if (libssh2_session_last_errno(c->session) != LIBSSH2_ERROR_EAGAIN)
            return lost(c, nd, st, "cannot open a channel", err);
        if ((r = open_wait(c, nd, st, o, open_deadline, deadline, "opened no channel", err)) < 0)
            return r;
    }
    st->started = true;
    st->heard = og_now_ms(); /* the server confirmed the channel */
    *ret = ch;
    while ((rc = libssh2_channel_exec(ch, line)) == LIBSSH2_ERROR_EAGAIN)
        if ((r = open_wait(c, nd, st, o, open_deadline, deadline, "did not start the command",
                           err)) < 0)
            return r;
    if (rc)
        return lost(c, nd, st, "the exec request failed", err);
    return 0;
}

/* What a running command sends and has sent: its stdin's progress, its
 * output so far. */
struct chan_io {
    LIBSSH2_CHANNEL *ch;
    size_t in_off;
    bool in_done, eof, progress;
    struct dynbuf *out, *errb;
};

/* As much of the input as the channel takes now; EOF after the last byte. */
static int feed_stdin(struct ssh_conn *c, const struct node *nd, struct exec_state *st,
                      const struct transport_run_opts *o, struct chan_io *io, struct og_error *err)
{
    if (!io->in_done && io->in_off < o->input_len) {
        ssize_t n = libssh2_channel_write(io->ch, o->input + io->in_off, o->input_len - io->in_off);

        if (n > 0) {
            io->in_off += (size_t)n;
            io->progress = true;
        } else if (n == LIBSSH2_ERROR_CHANNEL_CLOSED) {
            io->in_off = o->input_len; /* the command will not read more */
        } else if (n < 0 && n != LIBSSH2_ERROR_EAGAIN) {
            return lost(c, nd, st, "writing stdin", err);
        }
    }
    if (!io->in_done && io->in_off >= o->input_len) {
        int rc = libssh2_channel_send_eof(io->ch);

        if (rc == 0) {
            io->in_done = true;
            io->progress = true;
        } else if (rc != LIBSSH2_ERROR_EAGAIN) {
            return lost(c, nd, st, "closing stdin", err);
        }
    }
    return 0;
}

/* What stream (0 stdout, 1 stderr) has now; io->eof once neither has more. */
static int drain_stream(struct ssh_conn *c, const struct node *nd, struct exec_state *st,
                        const struct transport_run_opts *o, long long deadline, struct chan_io *io,
                        int stream, struct og_error *err)
{
    struct dynbuf *b = stream ? io->errb : io->out;
    char buf[16384];
    ssize_t n = libssh2_channel_read_ex(io->ch, stream, buf, sizeof(buf));
    int ar;

    if (n == 0 && libssh2_channel_eof(io->ch) == 1)
        io->eof = true; /* 0 with EOF: no data of either stream is left. */
    if (n == 0 || n == LIBSSH2_ERROR_EAGAIN)
        return 0;
    if (n < 0)
        return lost(c, nd, st, "reading the output", err);
    io->progress = true;
    ar = dynbuf_append(b, buf, (size_t)n);
    if (ar == -OG_E_NOMEM) {
        st->discard = true;
        return og_error_set(err, OG_E_NOMEM, "capturing output of \"%s\"", st->what);
    }
    if (ar < 0) {
        /* Close the channel (sshd closes the command's pipes) and keep the
         * session if that goes quickly. */
        long long grace = og_now_ms() + CLOSE_GRACE_MS;

        if (!channel_finish(c, &io->ch, grace < deadline ? grace : deadline))
            st->discard = true;
        return og_error_set(err, OG_E_OUTPUT_LIMIT,
                            "the %s of \"%s\" on node \"%s\" exceeds its limit of %zu bytes",
                            stream ? "stderr" : "stdout", st->what, nd->name, o->output_max);
    }
    return 0;
}

/* Input in, output out, until the command's output ends. */
static int channel_io(struct ssh_conn *c, const struct node *nd, struct exec_state *st,
                      const struct transport_run_opts *o, long long deadline, struct chan_io *io,
                      struct og_error *err)
{
    int r = 0;

    while (r == 0 && !io->eof) {
        io->progress = false;
        r = feed_stdin(c, nd, st, o, io, err);
        for (int stream = 0; r == 0 && stream < 2; stream++)
            r = drain_stream(c, nd, st, o, deadline, io, stream, err);
        if (r == 0 && !io->eof && !io->progress)
            r = exec_wait(c, nd, st, o, deadline, err);
    }
    return r;
}

/* The command's end: its exit status, or -1 and the signal that killed it. */
static int channel_status(struct ssh_conn *c, const struct node *nd, struct exec_state *st,
                          const struct transport_run_opts *o, long long deadline,
                          LIBSSH2_CHANNEL *ch, int *ret_status, int *ret_signal,
                          struct og_error *err)
{
    char *sig = NULL;
    size_t siglen = 0;
    int rc, r;

    /* exit-status / exit-signal arrive before the server closes the channel. */
    while ((rc = libssh2_channel_wait_closed(ch)) == LIBSSH2_ERROR_EAGAIN)
        if ((r = exec_wait(c, nd, st, o, deadline, err)) < 0)
            return r;
    if (rc)
        return lost(c, nd, st, "waiting for the command to end", err);
    libssh2_channel_get_exit_signal(ch, &sig, &siglen, NULL, NULL, NULL, NULL);
    if (sig) {
        *ret_status = -1;
        *ret_signal = signal_number(sig);
        libssh2_free(c->session, sig);
    } else {
        *ret_status = libssh2_channel_get_exit_status(ch);
        *ret_signal = 0;
    }
    return 0;
}

static int channel_exec(struct ssh_conn *c, const struct node *nd, const char *line,
                        const struct transport_run_opts *o, long long deadline,
                        struct exec_state *st, struct command_result *ret, struct og_error *err)
{
    /* Every early return discards the session, which frees its channels. */
    _cleanup_dynbuf_ struct dynbuf out = {0}, errb = {0};
    struct chan_io io = {.out = &out, .errb = &errb};
    int exit_status = -1, term_signal = 0, r;

    dynbuf_init(&out, o->output_max);
    dynbuf_init(&errb, o->output_max);
    r = channel_start(c, nd, line, o, deadline, st, &io.ch, err);
    if (r == 0)
        r = channel_io(c, nd, st, o, deadline, &io, err);
    if (r == 0)
        r = channel_status(c, nd, st, o, deadline, io.ch, &exit_status, &term_signal, err);
    if (r < 0)
        return r;
    if (!channel_finish(c, &io.ch, deadline))
        st->discard = true; /* the command's result stands */

    memset(ret, 0, sizeof(*ret));
    ret->exit_status = exit_status;
    ret->term_signal = term_signal;
    ret->out_len = out.len;
    ret->out = dynbuf_steal(&out);
    ret->err_len = errb.len;
    ret->err = dynbuf_steal(&errb);
    if (!ret->out || !ret->err) {
        command_result_done(ret);
        return og_error_set(err, OG_E_NOMEM, "capturing output of \"%s\"", st->what);
    }
    return 0;
}

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
    conn_free(c, true);
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

            r = conn_open(t, nd, cmd_deadline ? deadline : setup, cmd_deadline, &c, err);
            if (r < 0)
                return r;
        }
        if (deadline <= og_now_ms()) {
            pool_put(nd, c);
            return timed_out(nd, &st, o->timeout_ms, err);
        }
        /* the node's own deadline: what is left of ours */
        if ((r = remote_line(&line, argv, deadline - og_now_ms())) < 0) {
            pool_put(nd, c);
            return line_error(err, r, argv[0]);
        }
        r = channel_exec(c, nd, dynbuf_str(&line), o, deadline, &st, ret, err);
        if (st.discard) {
            conn_free(c, false);
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
                conn_free(c, false);
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
