/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * Internal to the transport: what transport.c (nodes, the session pool,
 * transport_run, fan-out), transport_ssh.c (connecting, host keys, login)
 * and transport_channel.c (a command on a channel: stdin, bounded output,
 * exit status) share.
 */
#pragma once

#include <libssh2.h>
#include <netdb.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <sys/types.h>

#include "cleanup.h"
#include "transport.h"

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

struct exec_state {
    const char *what; /* argv[0], for messages */
    bool started;     /* a channel was opened: the command may have started */
    bool discard;     /* the session must not be reused */
    int open_ms;      /* the session-open bound */
    bool no_session;  /* the session did not open within open_ms */
    long long heard;  /* while it opens: when the server last sent something */
};

DEFINE_TRIVIAL_CLEANUP_FUNC(struct addrinfo *, freeaddrinfo)

/* transport_ssh.c */
const char *transport_ssh_errmsg(LIBSSH2_SESSION *s);
/* Wait until the socket is ready in the direction libssh2 is blocked on,
 * sending keepalives while it is quiet. 0; -ETIMEDOUT at the deadline;
 * -EHOSTUNREACH when the peer answered nothing for KEEPALIVE_DEAD_MS. */
int transport_wait_socket(struct ssh_conn *c, long long deadline);
void transport_conn_free(struct ssh_conn *c, bool graceful);
/* Connect, handshake, verify the host key, authenticate. Before setup_deadline
 * (a failure past it is OG_E_SSH_CONNECT, or OG_E_TIMEOUT when it is the
 * command's own deadline). */
int transport_conn_open(struct transport *t, const struct node *nd, long long setup_deadline,
                        bool deadline_is_command, struct ssh_conn **ret, struct og_error *err);

/* transport_channel.c */
int transport_timed_out(const struct node *nd, struct exec_state *st, int timeout_ms,
                        struct og_error *err);
/* Run line on a channel of c (opened within st->open_ms) before deadline:
 * its output and exit status into *ret. st->discard: c must not be reused. */
int transport_channel_exec(struct ssh_conn *c, const struct node *nd, const char *line,
                           const struct transport_run_opts *o, long long deadline,
                           struct exec_state *st, struct command_result *ret, struct og_error *err);
