/* SPDX-License-Identifier: MulanPSL-2.0 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/close_range.h>
#include <sys/mman.h>
#include <sys/pidfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "command.h"
#include "dynbuf.h"
#include "banned.h"

#define CLEAN_PATH "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

struct command {
    char **argv;
    size_t argc;
    char **envp;
    size_t envc;
    int timeout_ms;
    size_t output_max;
    void *input;
    size_t input_len;
    char *cwd;
    bool inherit_stderr;
    command_child_fn hook;
    void *hook_arg;
    struct dynbuf desc;
};

static int strv_push(char ***v, size_t *n, char *s)
{
    char **p;

    if (!s)
        return -OG_E_NOMEM;
    p = realloc(*v, (*n + 2) * sizeof(char *));
    if (!p) {
        free(s);
        return -OG_E_NOMEM;
    }
    p[(*n)++] = s;
    p[*n] = NULL;
    *v = p;
    return 0;
}

static struct command *command_alloc(void)
{
    struct command *cmd = calloc(1, sizeof(*cmd));

    if (!cmd)
        return NULL;
    cmd->timeout_ms = COMMAND_DEFAULT_TIMEOUT_MS;
    cmd->output_max = COMMAND_DEFAULT_OUTPUT_MAX;
    dynbuf_init(&cmd->desc, 64 * 1024);
    if (strv_push(&cmd->envp, &cmd->envc, strdup(CLEAN_PATH)) < 0 ||
        strv_push(&cmd->envp, &cmd->envc, strdup("LC_ALL=C")) < 0) {
        command_free(cmd);
        return NULL;
    }
    return cmd;
}

struct command *command_new(const char *const *argv)
{
    struct command *cmd;

    if (!argv || !argv[0])
        return NULL;
    cmd = command_alloc();
    if (!cmd)
        return NULL;
    for (size_t i = 0; argv[i]; i++)
        if (command_add_arg(cmd, argv[i]) < 0) {
            command_free(cmd);
            return NULL;
        }
    return cmd;
}

struct command *command_newl(const char *arg0, ...)
{
    struct command *cmd;
    va_list ap;

    if (!arg0)
        return NULL;
    cmd = command_alloc();
    if (!cmd)
        return NULL;
    if (command_add_arg(cmd, arg0) < 0) {
        command_free(cmd);
        return NULL;
    }
    va_start(ap, arg0);
    for (const char *a = va_arg(ap, const char *); a; a = va_arg(ap, const char *))
        if (command_add_arg(cmd, a) < 0) {
            va_end(ap);
            command_free(cmd);
            return NULL;
        }
    va_end(ap);
    return cmd;
}

void command_free(struct command *cmd)
{
    if (!cmd)
        return;
    strv_free(cmd->argv);
    strv_free(cmd->envp);
    free(cmd->input);
    free(cmd->cwd);
    dynbuf_done(&cmd->desc);
    free(cmd);
}

int command_add_arg(struct command *cmd, const char *arg)
{
    return strv_push(&cmd->argv, &cmd->argc, strdup(arg));
}

int command_add_argf(struct command *cmd, const char *fmt, ...)
{
    char *s = NULL;
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vasprintf(&s, fmt, ap);
    va_end(ap);
    if (n < 0)
        return -OG_E_NOMEM;
    return strv_push(&cmd->argv, &cmd->argc, s);
}

int command_setenv(struct command *cmd, const char *name, const char *value)
{
    size_t nl = strlen(name);
    char *s = NULL;

    if (nl == 0 || strchr(name, '='))
        return -OG_E_INVALID_ARG;
    if (asprintf(&s, "%s=%s", name, value) < 0)
        return -OG_E_NOMEM;
    /* Replace an existing entry, so the last setting wins. */
    for (size_t i = 0; i < cmd->envc; i++)
        if (strncmp(cmd->envp[i], name, nl) == 0 && cmd->envp[i][nl] == '=') {
            free(cmd->envp[i]);
            cmd->envp[i] = s;
            return 0;
        }
    return strv_push(&cmd->envp, &cmd->envc, s);
}

int command_passenv(struct command *cmd, const char *name)
{
    const char *v = getenv(name);

    return v ? command_setenv(cmd, name, v) : 0;
}

void command_set_timeout_ms(struct command *cmd, int timeout_ms)
{
    cmd->timeout_ms = timeout_ms;
}

void command_set_output_max(struct command *cmd, size_t bytes)
{
    cmd->output_max = bytes;
}

int command_set_input(struct command *cmd, const void *data, size_t len)
{
    void *p = malloc(len ? len : 1);

    if (!p)
        return -OG_E_NOMEM;
    if (len)
        memcpy(p, data, len);
    free(cmd->input);
    cmd->input = p;
    cmd->input_len = len;
    return 0;
}

int command_set_cwd(struct command *cmd, const char *dir)
{
    char *p = strdup(dir);

    if (!p)
        return -OG_E_NOMEM;
    free(cmd->cwd);
    cmd->cwd = p;
    return 0;
}

void command_inherit_stderr(struct command *cmd, bool inherit)
{
    cmd->inherit_stderr = inherit;
}

void command_set_child_hook(struct command *cmd, command_child_fn fn, void *arg)
{
    cmd->hook = fn;
    cmd->hook_arg = arg;
}

const char *command_describe(struct command *cmd)
{
    dynbuf_reset(&cmd->desc);
    for (size_t i = 0; i < cmd->argc; i++)
        if ((i && dynbuf_append(&cmd->desc, " ", 1) < 0) ||
            dynbuf_appends(&cmd->desc, cmd->argv[i]) < 0)
            break;
    return dynbuf_str(&cmd->desc);
}

void command_result_done(struct command_result *r)
{
    if (!r)
        return;
    free(r->out);
    free(r->err);
    memset(r, 0, sizeof(*r));
}

/* A memfd holding the input: the child reads it as stdin, and we never write
 * to a pipe that may close on us (no SIGPIPE games in a library). */
static int input_fd(struct command *cmd)
{
    int fd;

    if (!cmd->input)
        return open("/dev/null", O_RDONLY | O_CLOEXEC);
    fd = memfd_create("ogup-stdin", MFD_CLOEXEC);
    if (fd < 0)
        return -1;
    for (size_t off = 0; off < cmd->input_len;) {
        ssize_t n = write(fd, (char *)cmd->input + off, cmd->input_len - off);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return safe_close(fd);
        }
        off += (size_t)n;
    }
    if (lseek(fd, 0, SEEK_SET) < 0)
        return safe_close(fd);
    return fd;
}

/* Resolve argv[0] against the CHILD's PATH (the clean one unless the caller
 * set another), before fork: the parent's PATH never decides what runs. */
static char *resolve_program(struct command *cmd)
{
    const char *path = CLEAN_PATH + 5;
    const char *name = cmd->argv[0];

    if (strchr(name, '/'))
        return strdup(name);
    for (size_t i = 0; i < cmd->envc; i++)
        if (strncmp(cmd->envp[i], "PATH=", 5) == 0)
            path = cmd->envp[i] + 5;
    for (const char *p = path; *p;) {
        const char *end = strchrnul(p, ':');
        char *cand = NULL;

        if (end > p && asprintf(&cand, "%.*s/%s", (int)(end - p), p, name) >= 0) {
            if (access(cand, X_OK) == 0)
                return cand;
            free(cand);
        }
        p = *end ? end + 1 : end;
    }
    errno = ENOENT;
    return NULL;
}

/* In the child, between fork and exec: only async-signal-safe calls. */
static _noreturn_ void child_exec(struct command *cmd, const char *path, int in, int out, int errfd,
                                  int report)
{
    int e;

    setpgid(0, 0);
    /* Restore default dispositions a parent may have changed. */
    signal(SIGPIPE, SIG_DFL);
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    if (dup2(in, STDIN_FILENO) < 0 || dup2(out, STDOUT_FILENO) < 0 ||
        (errfd >= 0 && dup2(errfd, STDERR_FILENO) < 0))
        goto fail;
    /* The hook may change the mount namespace: cwd is set after it. */
    if (cmd->hook && cmd->hook(cmd->hook_arg) < 0)
        goto fail;
    if (cmd->cwd && chdir(cmd->cwd) < 0)
        goto fail;
    /* Every other descriptor closes at exec (the report pipe included). */
    if (close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) < 0)
        for (int fd = 3; fd < 65536; fd++)
            if (fd != report)
                close(fd);
    execve(path, cmd->argv, cmd->envp);
fail:
    e = errno;
    if (write(report, &e, sizeof(e)) < 0) {
        /* nothing more can be done */
    }
    _exit(127);
}

static void kill_group(pid_t pid)
{
    kill(-pid, SIGKILL);
    kill(pid, SIGKILL);
}

/* One run: the child, its pidfd, and our ends of its pipes (-1 once closed). */
enum { RUN_OUT, RUN_ERR, RUN_REPORT, RUN_FDS };

struct run {
    pid_t pid;
    int pidfd; /* -1: the kernel has no pidfd_open, waitpid is polled */
    int fds[RUN_FDS];
    struct dynbuf bufs[2]; /* stdout, stderr */
    int status;
    int child_errno;
    bool reaped;
    long long deadline;
};

static void run_done(struct run *rn)
{
    safe_close(rn->pidfd);
    for (int i = 0; i < RUN_FDS; i++)
        safe_close(rn->fds[i]);
    dynbuf_done(&rn->bufs[0]);
    dynbuf_done(&rn->bufs[1]);
}

/* Fork the child with its pipes; on success rn holds our ends and a pidfd. */
static int run_spawn(struct command *cmd, const char *path, struct run *rn, struct og_error *err)
{
    _cleanup_close_ int in = input_fd(cmd);
    int out[2] = {-1, -1}, errp[2] = {-1, -1}, report[2] = {-1, -1}, r = 0;

    if (in < 0)
        return og_error_set_errno(err, OG_E_SPAWN, errno, "cannot prepare stdin for \"%s\"",
                                  command_describe(cmd));
    if (pipe2(out, O_CLOEXEC) < 0 || (!cmd->inherit_stderr && pipe2(errp, O_CLOEXEC) < 0) ||
        pipe2(report, O_CLOEXEC) < 0)
        r = og_error_set_errno(err, OG_E_SPAWN, errno, "cannot create pipes for \"%s\"",
                               command_describe(cmd));
    if (r == 0 && (rn->pid = fork()) < 0)
        r = og_error_set_errno(err, OG_E_SPAWN, errno, "cannot fork for \"%s\"",
                               command_describe(cmd));
    if (r == 0 && rn->pid == 0)
        child_exec(cmd, path, in, out[1], errp[1], report[1]);
    if (r == 0) {
        setpgid(rn->pid, rn->pid); /* also done in the child; whichever runs first wins */
        rn->pidfd = pidfd_open(rn->pid, 0);
        rn->fds[RUN_OUT] = steal_fd(&out[0]);
        rn->fds[RUN_ERR] = steal_fd(&errp[0]);
        rn->fds[RUN_REPORT] = steal_fd(&report[0]);
    }
    for (int i = 0; i < 2; i++) {
        safe_close(out[i]);
        safe_close(errp[i]);
        safe_close(report[i]);
    }
    return r;
}

/* Something to read on fds[i]: output, or the report of a failed exec
 * (exec succeeded iff the report pipe closes with nothing written). */
static int run_read(struct command *cmd, struct run *rn, int i, struct og_error *err)
{
    char buf[16384];
    ssize_t n;

    if (i == RUN_REPORT) {
        int e = 0;

        n = read(rn->fds[i], &e, sizeof(e));
        if (n == (ssize_t)sizeof(e))
            rn->child_errno = e;
    } else {
        n = read(rn->fds[i], buf, sizeof(buf));
    }
    if (n < 0 && (errno == EINTR || errno == EAGAIN))
        return 0;
    if (i == RUN_REPORT || n <= 0) {
        rn->fds[i] = safe_close(rn->fds[i]);
        return 0;
    }
    if (dynbuf_append(&rn->bufs[i], buf, (size_t)n) < 0)
        return og_error_set(
            err, OG_E_OUTPUT_LIMIT, "the %s of \"%s\" exceeds its limit of %zu bytes",
            i == RUN_OUT ? "stdout" : "stderr", command_describe(cmd), cmd->output_max);
    return 0;
}

/* ECHILD: someone else reaped it (SIGCHLD ignored); its status is lost. */
static void run_reap(struct run *rn)
{
    pid_t w = rn->reaped ? 0 : waitpid(rn->pid, &rn->status, WNOHANG);

    if (w == rn->pid || (w < 0 && errno == ECHILD))
        rn->reaped = true;
}

/* Until the child has exited AND every pipe is closed, or the deadline: a
 * child that closed its pipes is still watched (its pidfd), and a child
 * that exited leaving its pipes to others is not done either. */
static int run_wait(struct command *cmd, struct run *rn, struct og_error *err)
{
    int r = 0;

    while (r == 0 && (!rn->reaped || rn->fds[RUN_OUT] >= 0 || rn->fds[RUN_ERR] >= 0 ||
                      rn->fds[RUN_REPORT] >= 0)) {
        struct pollfd pfd[RUN_FDS + 1];
        int which[RUN_FDS + 1];
        long long left = rn->deadline - og_now_ms();
        nfds_t nfd = 0;
        int pr;

        if (left <= 0)
            return og_error_set(err, OG_E_TIMEOUT, "command \"%s\" timed out after %d ms",
                                command_describe(cmd), cmd->timeout_ms);
        for (int i = 0; i < RUN_FDS; i++)
            if (rn->fds[i] >= 0) {
                which[nfd] = i;
                pfd[nfd++] = (struct pollfd){.fd = rn->fds[i], .events = POLLIN};
            }
        if (!rn->reaped && rn->pidfd >= 0) {
            which[nfd] = RUN_FDS;
            pfd[nfd++] = (struct pollfd){.fd = rn->pidfd, .events = POLLIN};
        } else if (!rn->reaped && left > 20) {
            left = 20; /* no pidfd: look at the child again soon */
        }
        pr = poll(pfd, nfd, (int)(left > 1000000 ? 1000000 : left));
        if (pr < 0 && errno != EINTR)
            return og_error_set_errno(err, OG_E_IO, errno, "poll on \"%s\"", command_describe(cmd));
        for (nfds_t k = 0; pr > 0 && r == 0 && k < nfd; k++)
            if (pfd[k].revents)
                r = which[k] == RUN_FDS ? 0 : run_read(cmd, rn, which[k], err);
        run_reap(rn);
    }
    return r;
}

static int run_result(struct command *cmd, struct run *rn, struct command_result *ret,
                      struct og_error *err)
{
    memset(ret, 0, sizeof(*ret));
    if (WIFEXITED(rn->status)) {
        ret->exit_status = WEXITSTATUS(rn->status);
    } else {
        ret->exit_status = -1;
        ret->term_signal = WIFSIGNALED(rn->status) ? WTERMSIG(rn->status) : 0;
    }
    ret->out_len = rn->bufs[RUN_OUT].len;
    ret->out = dynbuf_steal(&rn->bufs[RUN_OUT]);
    ret->err_len = rn->bufs[RUN_ERR].len;
    ret->err = dynbuf_steal(&rn->bufs[RUN_ERR]);
    if (!ret->out || !ret->err) {
        command_result_done(ret);
        return og_error_set(err, OG_E_NOMEM, "capturing output of \"%s\"", cmd->argv[0]);
    }
    return 0;
}

int command_run(struct command *cmd, struct command_result *ret, struct og_error *err)
{
    _cleanup_free_ char *path = NULL;
    struct run rn = {.pid = -1, .pidfd = -1, .fds = {-1, -1, -1}};
    int r;

    dynbuf_init(&rn.bufs[RUN_OUT], cmd->output_max);
    dynbuf_init(&rn.bufs[RUN_ERR], cmd->output_max);
    path = resolve_program(cmd);
    if (!path)
        return og_error_set_errno(err, OG_E_SPAWN, errno, "cannot execute \"%s\"", cmd->argv[0]);
    rn.deadline = og_now_ms() + cmd->timeout_ms;
    r = run_spawn(cmd, path, &rn, err);
    if (r == 0) {
        r = run_wait(cmd, &rn, err);
        if (r < 0)
            kill_group(rn.pid);
        while (!rn.reaped && waitpid(rn.pid, &rn.status, 0) < 0 && errno == EINTR)
            ;
        /* A command that left children holding our pipes is over its time
         * too: nothing of its group may outlive the call. */
        kill(-rn.pid, SIGKILL);
    }
    if (r == 0 && rn.child_errno)
        r = og_error_set_errno(err, OG_E_SPAWN, rn.child_errno, "cannot execute \"%s\"",
                               cmd->argv[0]);
    if (r == 0 && ret)
        r = run_result(cmd, &rn, ret, err);
    run_done(&rn);
    return r;
}

/* The end of stderr, at most max bytes without trailing blanks: *ret_len. */
static const char *tail_of(const char *s, size_t len, size_t max, int *ret_len)
{
    while (len > 0 && (s[len - 1] == '\n' || s[len - 1] == ' '))
        len--;
    *ret_len = (int)(len > max ? max : len);
    return s + len - (size_t)*ret_len;
}

int command_run_ok(struct command *cmd, struct command_result *ret, struct og_error *err)
{
    _cleanup_command_result_ struct command_result local = {0};
    struct command_result *res = ret ? ret : &local;
    int r;

    r = command_run(cmd, res, err);
    if (r < 0)
        return r;
    if (res->exit_status == 0)
        return 0;
    int tl;
    const char *tail = tail_of(res->err, res->err_len, 512, &tl);

    if (res->exit_status < 0)
        r = og_error_set(err, OG_E_CMD_FAILED, "command \"%s\" was killed by signal %d",
                         command_describe(cmd), res->term_signal);
    else
        r = og_error_set(err, OG_E_CMD_FAILED, "command \"%s\" exited with %d: %.*s",
                         command_describe(cmd), res->exit_status, tl, tail);
    if (ret)
        command_result_done(ret);
    return r;
}
