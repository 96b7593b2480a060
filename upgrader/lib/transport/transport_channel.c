/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * transport_channel.c - a command on an SSH channel: opening it within the
 * session-open bound, stdin in while stdout/stderr come out (each bounded),
 * the exit status or signal; the node's silence and the deadline.
 */
#include <errno.h>
#include <libssh2.h>
#include <signal.h>
#include <string.h>
#include <sys/types.h>

#include "clock.h"
#include "dynbuf.h"
#include "transport_int.h"
#include "banned.h"

/* How long closing a channel may take after its output went over the bound. */
#define CLOSE_GRACE_MS 1000

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

/* Close and free a channel before the deadline; false when it could not
 * be done (the session is then discarded). */
static bool channel_finish(struct ssh_conn *c, LIBSSH2_CHANNEL **ch, long long deadline)
{
    int rc;

    while ((rc = libssh2_channel_close(*ch)) == LIBSSH2_ERROR_EAGAIN)
        if (transport_wait_socket(c, deadline) < 0)
            return false;
    if (rc)
        return false;
    while ((rc = libssh2_channel_free(*ch)) == LIBSSH2_ERROR_EAGAIN)
        if (transport_wait_socket(c, deadline) < 0)
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
                        doing, transport_ssh_errmsg(c->session));
}

int transport_timed_out(const struct node *nd, struct exec_state *st, int timeout_ms,
                        struct og_error *err)
{
    st->discard = true;
    return og_error_set(err, OG_E_TIMEOUT, "command \"%s\" on node \"%s\" timed out after %d ms",
                        st->what, nd->name, timeout_ms);
}

/* transport_wait_socket for a command: its bound, or its node gone silent */
static int exec_wait(struct ssh_conn *c, const struct node *nd, struct exec_state *st,
                     const struct transport_run_opts *o, long long deadline, struct og_error *err)
{
    int r = transport_wait_socket(c, deadline);

    if (r == -EHOSTUNREACH) {
        st->discard = true;
        return og_error_set(err, OG_E_SSH_CONNECT,
                            "command \"%s\" on node \"%s\": the node has not answered for %d s "
                            "(its network is down or it is off)",
                            st->what, nd->name, KEEPALIVE_DEAD_MS / 1000);
    }
    return r < 0 ? transport_timed_out(nd, st, o->timeout_ms, err) : 0;
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
    if (transport_wait_socket(c, open_deadline) == 0) {
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

int transport_channel_exec(struct ssh_conn *c, const struct node *nd, const char *line,
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
