/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * transport.h - run an argv on a cluster node: over SSH (libssh2) for a
 * remote node, through command_run() for this host.
 *
 * A transport knows the nodes (name, host, port) and how to log in (user,
 * private key, known_hosts). Each remote node has a pool of SSH sessions: a
 * command takes an idle one (or opens one when none is idle) and gives it
 * back when done, so one command after another reuses ONE session, and
 * commands run at once on one node (the catalog SQL of several databases)
 * each have their own; at most TRANSPORT_POOL_MAX idle ones are kept. A
 * session that timed out or broke is thrown away.
 *
 * What it guarantees:
 *  - Host keys are verified against known_hosts (plain and hashed entries,
 *    "[host]:port" for ports other than 22, exactly as OpenSSH writes them;
 *    "@revoked" keys are refused). An unknown key is -OG_E_SSH_HOSTKEY_UNKNOWN,
 *    a different key -OG_E_SSH_HOSTKEY_CHANGED: never trust on first use.
 *  - Public key authentication only (-OG_E_SSH_AUTH when refused).
 *  - The private key and known_hosts are used only when owned by this user,
 *    root or the login user, not group/world-writable, and (the key) not
 *    group/world-readable: else -OG_E_SSH_FILE_UNSAFE before connecting.
 *  - The remote command line is built from the argv by shquote_argv() and
 *    nowhere else: the remote shell sees each argument as one literal word.
 *  - stdout and stderr are captured, each bounded (-OG_E_OUTPUT_LIMIT, the
 *    channel is closed); the whole call is bounded in time (-OG_E_TIMEOUT,
 *    the node's session is discarded). The node enforces the same deadline:
 *    the argv runs under coreutils' "timeout --kill-after=5s <left>", which
 *    TERMs the command's process group when the time is up (KILL 5 s later),
 *    so a command given up on does not run on, even when the network is cut.
 *    (Within the remote command, $PPID is therefore timeout(1).)
 *  - A node that is this host runs the argv locally with command_run(): its
 *    result looks the same as a remote one. "This host" is decided by the
 *    node's address only (loopback or one of getifaddrs()), never its name.
 *  - Connection failures are -OG_E_SSH_CONNECT (with a connect timeout); a
 *    command that could not be run or lost its connection is GAUSS-53507
 *    (-OG_E_REMOTE_EXEC). A non-zero exit is not an error unless asked for
 *    (check_exit).
 *  - Opening the session (channel open, exec confirmed) has its own bound
 *    (session_open_ms), never a wait for the command's whole bound: a node
 *    silent meanwhile is -OG_E_SSH_CONNECT, one that answers but opens
 *    nothing -OG_E_SSH_SESSION, both naming the node. The connection is
 *    thrown away and, when no channel was opened (the command cannot have
 *    started) and there is time to connect, one fresh connection is tried.
 *
 * Threads: transport_run() may be called from several threads at once, for
 * one node too; a session is used by one command at a time. Add all nodes
 * before running commands. transport_run_all() runs one thread per node.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "cleanup.h"
#include "command.h"
#include "ogerror.h"

#define TRANSPORT_DEFAULT_PORT               22
#define TRANSPORT_DEFAULT_CONNECT_TIMEOUT_MS (10 * 1000)
/* From the channel request to the server's confirmation of the exec: sshd
 * does it in milliseconds, a wedged one never. */
#define TRANSPORT_DEFAULT_SESSION_OPEN_MS (15 * 1000)
/* Idle sessions kept per node (sshd's MaxStartups lets 10 connect at once). */
#define TRANSPORT_POOL_MAX 8

struct transport;

enum transport_local_mode {
    /* A node is local when its host resolves to a loopback address or one
     * of this host's interface addresses. Its name plays no part: a node
     * named like this host (or its first label) at another address is
     * remote. */
    TRANSPORT_LOCAL_DETECT = 0,
    /* Never detect: only nodes marked with transport_set_local() run
     * locally (e.g. tests that talk to an sshd on loopback). */
    TRANSPORT_LOCAL_NEVER,
};

struct transport_opts {
    const char *user;        /* NULL: the current user */
    const char *key_file;    /* private key; NULL: ~/.ssh/id_ed25519 */
    const char *known_hosts; /* NULL: ~/.ssh/known_hosts */
    int connect_timeout_ms;  /* TCP connect + handshake + auth; 0: 10 s */
    int session_open_ms;     /* channel open + exec confirmed; 0: 15 s */
    enum transport_local_mode local_mode;
};

struct transport_run_opts {
    int timeout_ms;    /* whole call, connecting included; 0: COMMAND_DEFAULT_TIMEOUT_MS */
    size_t output_max; /* per stream; 0: COMMAND_DEFAULT_OUTPUT_MAX */
    const void *input; /* stdin (NULL: empty stdin) */
    size_t input_len;
    /* A non-zero exit or a signal is -OG_E_CMD_FAILED (end of stderr in the
     * detail, no result written). */
    bool check_exit;
};

/* opts may be NULL (all defaults). A user beginning with '-' (or empty, or
 * with control characters) is -OG_E_UNSAFE_ARG. Nothing connects yet. */
int transport_new(const struct transport_opts *opts, struct transport **ret, struct og_error *err);
/* Closes every pooled session. Accepts NULL. */
void transport_free(struct transport *t);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct transport *, transport_free)
#define _cleanup_transport_ _cleanup_(transport_freep)

/* port 0 = 22. A name or host beginning with '-' is -OG_E_UNSAFE_ARG, a port
 * out of 1..65535 -OG_E_PARAM_VALUE, a name already added -OG_E_EXISTS; on
 * error nothing is added. */
int transport_add_node(struct transport *t, const char *name, const char *host, int port,
                       struct og_error *err);
/* Mark a node local (run with command_run(), no SSH) or remote, overriding
 * detection. Unknown name: -OG_E_NODE_UNKNOWN. */
int transport_set_local(struct transport *t, const char *name, bool local, struct og_error *err);
/* Whether a node runs locally (detection result, cached). */
int transport_node_is_local(struct transport *t, const char *name, bool *ret, struct og_error *err);

/* Run argv on one node. opts may be NULL. ret is written only on success
 * (command_result_done() frees it). Unknown node: -OG_E_NODE_UNKNOWN. */
int transport_run(struct transport *t, const char *node, const char *const *argv,
                  const struct transport_run_opts *opts, struct command_result *ret,
                  struct og_error *err);

/* Run argv on n nodes at once, a thread per node. results[i] and errs[i]
 * (both arrays of n, errs may be NULL) receive node i's outcome: errs[i].code
 * is 0 and results[i] filled when it succeeded. Returns 0 when every node
 * succeeded, else the code of the first failed node in array order. */
int transport_run_all(struct transport *t, const char *const *nodes, size_t n,
                      const char *const *argv, const struct transport_run_opts *opts,
                      struct command_result *results, struct og_error *errs);
/* The same with each node its own argv (argvs[i] on nodes[i]). */
int transport_run_each(struct transport *t, const char *const *nodes, size_t n,
                       const char *const *const *argvs, const struct transport_run_opts *opts,
                       struct command_result *results, struct og_error *errs);

/* How many SSH sessions were opened so far (pool statistics, for tests and
 * debug logs). */
unsigned transport_sessions_opened(const struct transport *t);
