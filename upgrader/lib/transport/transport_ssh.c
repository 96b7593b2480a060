/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * transport_ssh.c - an SSH connection to a node: TCP connect, handshake,
 * the host key checked against known_hosts, public key login; waiting on
 * the socket with keepalives.
 */
#include <errno.h>
#include <libssh2.h>
#include <limits.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/evp.h>
#include <poll.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clock.h"
#include "fs.h"
#include "transport_int.h"
#include "banned.h"

/* A known_hosts file bigger than this is not one. */
#define KNOWN_HOSTS_MAX (16u * 1024 * 1024)

DEFINE_TRIVIAL_CLEANUP_FUNC(LIBSSH2_KNOWNHOSTS *, libssh2_knownhost_free)

/* ------------------------------------------------------------------------ */
/* SSH connections                                                          */

const char *transport_ssh_errmsg(LIBSSH2_SESSION *s)
{
    char *msg = NULL;

    libssh2_session_last_error(s, &msg, NULL, 0);
    return msg && msg[0] ? msg : "unknown libssh2 error";
}

/* Wait until the socket is ready in the direction libssh2 is blocked on,
 * sending keepalives while it is quiet. 0; -ETIMEDOUT at the deadline;
 * -EHOSTUNREACH when the peer answered nothing for KEEPALIVE_DEAD_MS. */
int transport_wait_socket(struct ssh_conn *c, long long deadline)
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

void transport_conn_free(struct ssh_conn *c, bool graceful)
{
    if (!c)
        return;
    if (c->session) {
        if (graceful) {
            long long deadline = og_now_ms() + 200;

            while (libssh2_session_disconnect(c->session, "ogup: done") == LIBSSH2_ERROR_EAGAIN &&
                   transport_wait_socket(c, deadline) == 0)
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
    transport_conn_free(*c, false);
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
                            nd->name, spec, transport_ssh_errmsg(s));
    }
}

/* The setup steps share one deadline; a step stuck past it is a connection
 * failure (a host that accepts TCP but never speaks SSH). */
static int setup_wait(struct ssh_conn *c, const struct node *nd, long long deadline,
                      bool deadline_is_command, const char *what, struct og_error *err)
{
    if (transport_wait_socket(c, deadline) == 0)
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
int transport_conn_open(struct transport *t, const struct node *nd, long long setup_deadline,
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
                            nd->name, nd->host, nd->port, transport_ssh_errmsg(c->session));

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
                            nd->name, t->user, t->key_file, spec, transport_ssh_errmsg(c->session));
    atomic_fetch_add(&t->sessions_opened, 1);
    *ret = steal_ptr(c);
    return 0;
}
