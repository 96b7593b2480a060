/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * The SSH transport against a real OpenSSH sshd on loopback: each test
 * starts its own sshd (generated ed25519 host key, a free port, public keys
 * only, AllowUsers omm) as a child, and kills it by its pid afterwards. The
 * test process is root; commands run as omm.
 */
#include <criterion/criterion.h>
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "command.h"
#include "dynbuf.h"
#include "fs.h"
#include "transport.h"

#include "../helpers/tmpdir.h"

static struct {
    char dir[64];
    char known_hosts[128]; /* the right entry for [127.0.0.1]:port */
    char key[128];         /* authorized client key */
    char wrong_key[128];   /* a key sshd does not know */
    char log[128];
    char host_pub[256];  /* "ssh-ed25519 AAAA..." of the sshd */
    char other_pub[256]; /* another ed25519 host key */
    int port;
    pid_t pid;
} sd;

static struct og_error err;
static struct command_result res;

static long long now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void run_ok(const char *const *argv)
{
    _cleanup_command_ struct command *c = command_new(argv);
    struct og_error e = {0};

    cr_assert_not_null(c);
    cr_assert_eq(command_run_ok(c, NULL, &e), 0, "%s: %s", argv[0], e.detail);
}

static void keygen(const char *path)
{
    const char *argv[] = {"ssh-keygen", "-q",        "-t", "ed25519", "-N", "",
                          "-C",         "ogup-test", "-f", path,      NULL};
    run_ok(argv);
}

/* "ssh-ed25519 AAAA..." (the first two fields) of a .pub file. */
static void read_pub(const char *path, char *buf, size_t size)
{
    _cleanup_free_ char *data = NULL;
    struct og_error e = {0};
    char *sp;

    cr_assert_eq(fs_read_file(path, 4096, &data, NULL, &e), 0, "%s", e.detail);
    sp = strchr(data, ' ');
    cr_assert_not_null(sp);
    sp = strchr(sp + 1, ' ');
    if (sp)
        *sp = '\0';
    data[strcspn(data, "\n")] = '\0';
    snprintf(buf, size, "%s", data);
}

static void write_file(const char *path, const char *text, mode_t mode)
{
    struct og_error e = {0};

    cr_assert_eq(fs_replace_file(path, text, strlen(text), mode, &e), 0, "%s", e.detail);
}

static void path_in_dir(char *buf, size_t size, const char *name)
{
    snprintf(buf, size, "%s/%s", sd.dir, name);
}

static int free_port(void)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof(a);
    int fd = socket(AF_INET, SOCK_STREAM, 0), port;

    cr_assert_geq(fd, 0);
    cr_assert_eq(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
    cr_assert_eq(getsockname(fd, (struct sockaddr *)&a, &len), 0);
    port = ntohs(a.sin_port);
    close(fd);
    return port;
}

static size_t count_in_log(const char *needle)
{
    _cleanup_free_ char *data = NULL;
    size_t n = 0;

    if (fs_read_file(sd.log, 1 << 22, &data, NULL, NULL) < 0)
        return 0;
    for (const char *p = data; (p = strstr(p, needle)); p++)
        n++;
    return n;
}

static void start_sshd(void)
{
    char conf[160], hostkey[128], other[128], pub[160], text[2048];
    const char *sshd_argv[] = {"/usr/sbin/sshd", "-D", "-e", "-f", conf, NULL};
    long long until;

    memset(&sd, 0, sizeof(sd));
    og_error_clear(&err);
    memset(&res, 0, sizeof(res));
    mkdir("/run/sshd", 0755);
    cr_assert_eq(tmpdir_make("transport_sshd", sd.dir, sizeof(sd.dir)), 0);
    chmod(sd.dir, 0755); /* sshd reads authorized_keys as omm */

    path_in_dir(hostkey, sizeof(hostkey), "host_ed25519");
    path_in_dir(other, sizeof(other), "other_host_ed25519");
    path_in_dir(sd.key, sizeof(sd.key), "id_ed25519");
    path_in_dir(sd.wrong_key, sizeof(sd.wrong_key), "wrong_ed25519");
    path_in_dir(sd.known_hosts, sizeof(sd.known_hosts), "known_hosts");
    path_in_dir(sd.log, sizeof(sd.log), "sshd.log");
    keygen(hostkey);
    keygen(other);
    keygen(sd.key);
    keygen(sd.wrong_key);
    snprintf(pub, sizeof(pub), "%s.pub", hostkey);
    read_pub(pub, sd.host_pub, sizeof(sd.host_pub));
    snprintf(pub, sizeof(pub), "%s.pub", other);
    read_pub(pub, sd.other_pub, sizeof(sd.other_pub));
    snprintf(pub, sizeof(pub), "%s.pub", sd.key);
    read_pub(pub, conf, sizeof(conf));
    snprintf(text, sizeof(text), "%s\n", conf);
    path_in_dir(pub, sizeof(pub), "authorized_keys");
    write_file(pub, text, 0644);
    path_in_dir(conf, sizeof(conf), "sshd_config");

    sd.port = free_port();
    snprintf(text, sizeof(text),
             "Port %d\nListenAddress 127.0.0.1\nHostKey %s\nPidFile %s/sshd.pid\n"
             "UsePAM no\nPasswordAuthentication no\nKbdInteractiveAuthentication no\n"
             "PubkeyAuthentication yes\nAuthorizedKeysFile %s\nStrictModes no\n"
             "AllowUsers omm\nPrintMotd no\n",
             sd.port, hostkey, sd.dir, pub);
    write_file(conf, text, 0644);
    snprintf(text, sizeof(text), "[127.0.0.1]:%d %s\n", sd.port, sd.host_pub);
    write_file(sd.known_hosts, text, 0644);

    sd.pid = fork();
    cr_assert_geq(sd.pid, 0);
    if (sd.pid == 0) {
        int fd = open(sd.log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

        /* Never outlive the test process, even when it crashes. */
        prctl(PR_SET_PDEATHSIG, SIGTERM);
        if (fd < 0 || dup2(fd, STDERR_FILENO) < 0)
            _exit(127);
        execv(sshd_argv[0], (char *const *)sshd_argv);
        _exit(127);
    }
    until = now_ms() + 10000;
    while (count_in_log("Server listening on 127.0.0.1") == 0) {
        int st;

        cr_assert_eq(waitpid(sd.pid, &st, WNOHANG), 0, "sshd exited at start");
        cr_assert_lt(now_ms(), until, "sshd did not start listening");
        usleep(10000);
    }
}

static void stop_sshd(void)
{
    command_result_done(&res);
    if (sd.pid > 0) {
        kill(sd.pid, SIGTERM);
        waitpid(sd.pid, NULL, 0);
        sd.pid = 0;
    }
    tmpdir_remove(sd.dir);
}

TestSuite(sshd, .init = start_sshd, .fini = stop_sshd, .timeout = 120);

/* A transport as omm with the test's keys; nodes all point at our sshd. */
static struct transport *new_transport(const char *known_hosts, const char *key)
{
    struct transport_opts o = {
        .user = "omm",
        .key_file = key ? key : sd.key,
        .known_hosts = known_hosts ? known_hosts : sd.known_hosts,
        .connect_timeout_ms = 5000,
        .local_mode = TRANSPORT_LOCAL_NEVER, /* 127.0.0.1 is this host */
    };
    struct transport *t = NULL;

    cr_assert_eq(transport_new(&o, &t, &err), 0, "%s", err.detail);
    return t;
}

static void add(struct transport *t, const char *name, int port)
{
    cr_assert_eq(transport_add_node(t, name, "127.0.0.1", port, &err), 0, "%s", err.detail);
}

static struct transport *sshd_transport(void)
{
    struct transport *t = new_transport(NULL, NULL);

    add(t, "n1", sd.port);
    return t;
}

/* The client port of the session a command ran on ($SSH_CONNECTION). */
static int client_port(struct transport *t, const char *node)
{
    const char *argv[] = {"sh", "-c", "echo $SSH_CONNECTION", NULL};
    _cleanup_command_result_ struct command_result r = {0};
    struct og_error e = {0};
    int port = 0;

    cr_assert_eq(transport_run(t, node, argv, NULL, &r, &e), 0, "%s", e.detail);
    cr_assert_eq(sscanf(r.out, "127.0.0.1 %d 127.0.0.1 %*d", &port), 1, "got \"%s\"", r.out);
    return port;
}

Test(sshd, run_gives_stdout_stderr_and_exit_status)
{
    _cleanup_transport_ struct transport *t = sshd_transport();
    const char *argv[] = {"sh", "-c", "echo out; echo err >&2; id -un >&2; exit 3", NULL};

    cr_assert_eq(transport_run(t, "n1", argv, NULL, &res, &err), 0, "%s", err.detail);
    cr_assert_eq(res.exit_status, 3);
    cr_assert_eq(res.term_signal, 0);
    cr_assert_str_eq(res.out, "out\n");
    cr_assert_eq(res.out_len, 4);
    cr_assert_str_eq(res.err, "err\nomm\n");
    cr_assert_eq(res.err_len, 8);
    bool local = true;
    cr_assert_eq(transport_node_is_local(t, "n1", &local, &err), 0);
    cr_assert_not(local);
}

static const char *const hostile[] = {
    "plain",
    "",
    "with space",
    "it's",
    "''",
    "'\\''",
    "\"double\"",
    "$(touch /tmp/ogup-transport-pwned)",
    "`touch /tmp/ogup-transport-pwned`",
    "${HOME}",
    "a;touch /tmp/ogup-transport-pwned",
    "x && touch /tmp/ogup-transport-pwned",
    "x | cat",
    "line1\nline2\n",
    "tab\there",
    "*",
    "/etc/*",
    "~root",
    "back\\slash\\",
    "#comment",
    "!event",
    "> /tmp/ogup-transport-pwned",
    "-n",
    "--",
    "数据库 升级 ✓",
    "\x01\x7f\xff",
    "",
    NULL,
};

/* argv_dump's expected output for the hostile list. */
static void expected_dump(struct dynbuf *b)
{
    dynbuf_init(b, 1 << 20);
    for (size_t i = 0; hostile[i]; i++)
        dynbuf_addf(b, "%zu:%s\n", strlen(hostile[i]), hostile[i]);
}

static void dump_argv(const char **argv)
{
    size_t n = 0;

    argv[n++] = ARGV_DUMP_PATH;
    for (size_t i = 0; hostile[i]; i++)
        argv[n++] = hostile[i];
    argv[n] = NULL;
}

Test(sshd, hostile_arguments_round_trip_through_the_remote_shell)
{
    _cleanup_transport_ struct transport *t = sshd_transport();
    _cleanup_dynbuf_ struct dynbuf want = {0};
    const char *argv[64];

    unlink("/tmp/ogup-transport-pwned");
    dump_argv(argv);
    expected_dump(&want);
    cr_assert_eq(transport_run(t, "n1", argv, NULL, &res, &err), 0, "%s", err.detail);
    cr_assert_eq(res.exit_status, 0, "remote said: %s", res.err);
    cr_assert_eq(res.out_len, want.len);
    cr_assert_eq(memcmp(res.out, want.buf, want.len), 0, "got:\n%s\nwant:\n%s", res.out, want.buf);
    cr_assert_neq(access("/tmp/ogup-transport-pwned", F_OK), 0, "an argument was executed");
}

/* The same argv on a local node gives the same bytes: results look alike. */
Test(sshd, local_and_remote_results_are_the_same)
{
    _cleanup_transport_ struct transport *t = sshd_transport();
    _cleanup_command_result_ struct command_result local = {0};
    const char *argv[64];

    add(t, "self", sd.port);
    cr_assert_eq(transport_set_local(t, "self", true, &err), 0);
    dump_argv(argv);
    cr_assert_eq(transport_run(t, "n1", argv, NULL, &res, &err), 0, "%s", err.detail);
    cr_assert_eq(transport_run(t, "self", argv, NULL, &local, &err), 0, "%s", err.detail);
    cr_assert_eq(res.out_len, local.out_len);
    cr_assert_eq(memcmp(res.out, local.out, res.out_len), 0);
    cr_assert_eq(res.exit_status, local.exit_status);
    cr_assert_eq(transport_sessions_opened(t), 1);
}

Test(sshd, killed_by_a_signal)
{
    _cleanup_transport_ struct transport *t = sshd_transport();
    const char *argv[] = {"sh", "-c", "kill -TERM $$", NULL};
    struct transport_run_opts o = {.check_exit = true};

    cr_assert_eq(transport_run(t, "n1", argv, NULL, &res, &err), 0, "%s", err.detail);
    cr_assert_eq(res.exit_status, -1);
    cr_assert_eq(res.term_signal, SIGTERM);
    command_result_done(&res);
    cr_assert_eq(transport_run(t, "n1", argv, &o, &res, &err), -OG_E_CMD_FAILED);
    cr_assert_eq(err.code, OG_E_CMD_FAILED);
}

Test(sshd, check_exit_refuses_a_non_zero_exit)
{
    _cleanup_transport_ struct transport *t = sshd_transport();
    const char *bad[] = {"sh", "-c", "echo why >&2; exit 9", NULL};
    const char *good[] = {"true", NULL};
    struct transport_run_opts o = {.check_exit = true};

    cr_assert_eq(transport_run(t, "n1", bad, &o, &res, &err), -OG_E_CMD_FAILED);
    cr_assert_null(res.out, "no result on failure");
    cr_assert_not_null(strstr(err.detail, "why"));
    og_error_clear(&err);
    cr_assert_eq(transport_run(t, "n1", good, &o, &res, &err), 0, "%s", err.detail);
}

Test(sshd, stdin_is_fed_and_closed)
{
    _cleanup_transport_ struct transport *t = sshd_transport();
    const char *cat[] = {"cat", NULL};
    static const char bin[] = "line\n\0zero\xff";
    struct transport_run_opts o = {.input = bin, .input_len = sizeof(bin) - 1};

    cr_assert_eq(transport_run(t, "n1", cat, &o, &res, &err), 0, "%s", err.detail);
    cr_assert_eq(res.out_len, sizeof(bin) - 1);
    cr_assert_eq(memcmp(res.out, bin, sizeof(bin) - 1), 0);
    command_result_done(&res);

    /* No input: stdin is at EOF at once (cat ends). */
    cr_assert_eq(transport_run(t, "n1", cat, NULL, &res, &err), 0, "%s", err.detail);
    cr_assert_eq(res.out_len, 0);
}

/* A command that never reads its stdin still ends normally. */
Test(sshd, unread_stdin_does_not_hang)
{
    _cleanup_transport_ struct transport *t = sshd_transport();
    const char *argv[] = {"sh", "-c", "echo done", NULL};
    size_t len = 8u << 20;
    _cleanup_free_ char *big = calloc(1, len);
    struct transport_run_opts o = {.input_len = len, .timeout_ms = 20000};

    cr_assert_not_null(big);
    o.input = big;
    cr_assert_eq(transport_run(t, "n1", argv, &o, &res, &err), 0, "%s", err.detail);
    cr_assert_str_eq(res.out, "done\n");
    cr_assert_eq(res.exit_status, 0);
    command_result_done(&res);
    cr_assert_eq(client_port(t, "n1") > 0, true);
}

/* 4 MiB in while cat sends it back: writing and reading interleave. */
Test(sshd, large_stdin_and_stdout_do_not_deadlock)
{
    _cleanup_transport_ struct transport *t = sshd_transport();
    const char *cat[] = {"cat", NULL};
    size_t len = 4u << 20;
    _cleanup_free_ char *big = malloc(len);
    struct transport_run_opts o = {.input_len = len, .output_max = len, .timeout_ms = 60000};

    cr_assert_not_null(big);
    for (size_t i = 0; i < len; i++)
        big[i] = (char)(i * 7 + i / 4096);
    o.input = big;
    cr_assert_eq(transport_run(t, "n1", cat, &o, &res, &err), 0, "%s", err.detail);
    cr_assert_eq(res.out_len, len);
    cr_assert_eq(memcmp(res.out, big, len), 0);
}

Test(sshd, output_over_the_bound_is_an_error_and_the_next_command_works)
{
    _cleanup_transport_ struct transport *t = sshd_transport();
    const char *much[] = {"sh", "-c", "yes | head -c 300000", NULL};
    const char *endless_err[] = {"sh", "-c", "yes >&2", NULL};
    const char *small[] = {"echo", "fine", NULL};
    struct transport_run_opts o = {.output_max = 1000, .timeout_ms = 20000};
    long long t0 = now_ms();

    cr_assert_eq(transport_run(t, "n1", much, &o, &res, &err), -OG_E_OUTPUT_LIMIT, "%s",
                 err.detail);
    cr_assert_eq(err.code, OG_E_OUTPUT_LIMIT);
    cr_assert_null(res.out);
    og_error_clear(&err);
    cr_assert_eq(transport_run(t, "n1", endless_err, &o, &res, &err), -OG_E_OUTPUT_LIMIT, "%s",
                 err.detail);
    cr_assert_lt(now_ms() - t0, 10000);
    og_error_clear(&err);
    cr_assert_eq(transport_run(t, "n1", small, &o, &res, &err), 0, "%s", err.detail);
    cr_assert_str_eq(res.out, "fine\n");
    /* The channel was closed, the session kept. */
    cr_assert_eq(transport_sessions_opened(t), 1);
}

Test(sshd, timeout_discards_the_session_and_the_next_command_works)
{
    _cleanup_transport_ struct transport *t = sshd_transport();
    const char *sleep30[] = {"sleep", "30", NULL};
    struct transport_run_opts o = {.timeout_ms = 300};
    int before = client_port(t, "n1"), after;
    long long t0 = now_ms();

    cr_assert_eq(transport_run(t, "n1", sleep30, &o, &res, &err), -OG_E_TIMEOUT, "%s", err.detail);
    cr_assert_eq(err.code, OG_E_TIMEOUT);
    cr_assert_lt(now_ms() - t0, 2000, "took %lld ms", now_ms() - t0);
    after = client_port(t, "n1");
    cr_assert_neq(before, after, "the timed-out session was reused");
    cr_assert_eq(transport_sessions_opened(t), 2);
}

/* Whether "sleep <arg>" runs on the node: asked by a second command. */
static bool remote_sleep_runs(struct transport *t, const char *arg)
{
    char pattern[64];
    const char *argv[] = {"pgrep", "-x", "-f", pattern, NULL};
    _cleanup_command_result_ struct command_result r = {0};
    struct transport_run_opts o = {.timeout_ms = 5000};
    struct og_error e = {0};

    snprintf(pattern, sizeof(pattern), "sleep %s", arg);
    cr_assert_eq(transport_run(t, "n1", argv, &o, &r, &e), 0, "%s", e.detail);
    cr_assert(r.exit_status == 0 || r.exit_status == 1, "pgrep: %d %s", r.exit_status, r.err);
    return r.exit_status == 0;
}

/* Issue 15 row 5: a command that closed its output and outlives its bound
 * ends by the deadline, and the node kills it (timeout(1) around the remote
 * argv): it does not keep running after the transport gave up (on HEAD it
 * ran its 60 s). */
Test(sshd, a_timed_out_command_is_killed_on_the_node)
{
    _cleanup_transport_ struct transport *t = sshd_transport();
    char arg[32], script[96];
    const char *argv[] = {"sh", "-c", script, NULL};
    struct transport_run_opts o = {.timeout_ms = 1000};
    long long t0, took, until;
    bool runs = true;

    snprintf(arg, sizeof(arg), "60.0%d", sd.port); /* a marker only this test uses */
    snprintf(script, sizeof(script), "exec >/dev/null 2>&1; sleep %s", arg);
    cr_assert_not(remote_sleep_runs(t, arg));
    t0 = now_ms();
    cr_assert_eq(transport_run(t, "n1", argv, &o, &res, &err), -OG_E_TIMEOUT, "%s", err.detail);
    took = now_ms() - t0;
    /* a held deadline (1 s, and a loaded machine's teardown), not the 60 s */
    cr_assert(took >= 900 && took < 5000, "took %lld ms", took);
    /* The node's own deadline is the same instant; allow it a moment. */
    for (until = now_ms() + 3000; runs && now_ms() < until;)
        runs = remote_sleep_runs(t, arg);
    cr_assert_not(runs, "\"sleep %s\" still runs on the node", arg);
}

Test(sshd, one_session_serves_many_commands)
{
    _cleanup_transport_ struct transport *t = sshd_transport();
    int first = client_port(t, "n1");

    for (int i = 0; i < 9; i++)
        cr_assert_eq(client_port(t, "n1"), first);
    cr_assert_eq(transport_sessions_opened(t), 1);
    cr_assert_eq(count_in_log("Accepted publickey for omm"), 1);
}

/* In a remote "sh -c": p = the pid of sshd's session process. The shell's
 * parent is timeout(1), the transport's remote deadline; sshd is its parent. */
#define SSHD_OF_SH "p=$(ps -o ppid= -p $PPID); "

/* The server drops an idle pooled session: the next command reconnects. */
Test(sshd, a_dropped_pooled_session_is_replaced)
{
    _cleanup_transport_ struct transport *t = sshd_transport();
    const char *drop[] = {"sh", "-c", SSHD_OF_SH "(sleep 0.3; kill $p) >/dev/null 2>&1 &", NULL};
    int first;

    first = client_port(t, "n1");
    cr_assert_eq(transport_run(t, "n1", drop, NULL, &res, &err), 0, "%s", err.detail);
    usleep(1200 * 1000);
    cr_assert_neq(client_port(t, "n1"), first);
    cr_assert_eq(transport_sessions_opened(t), 2);
}

/* The sshd process serving t's pooled session to n1 (the session stays). */
static pid_t pooled_sshd(struct transport *t)
{
    const char *argv[] = {"sh", "-c", SSHD_OF_SH "echo $p", NULL};
    _cleanup_command_result_ struct command_result r = {0};
    struct og_error e = {0};

    cr_assert_eq(transport_run(t, "n1", argv, NULL, &r, &e), 0, "%s", e.detail);
    cr_assert_gt(atol(r.out), 1, "%s", r.out);
    return (pid_t)atol(r.out);
}

static struct transport *session_open_transport(int session_open_ms)
{
    struct transport_opts o = {.user = "omm",
                               .key_file = sd.key,
                               .known_hosts = sd.known_hosts,
                               .connect_timeout_ms = 5000,
                               .session_open_ms = session_open_ms,
                               .local_mode = TRANSPORT_LOCAL_NEVER};
    struct transport *t = NULL;

    cr_assert_eq(transport_new(&o, &t, &err), 0, "%s", err.detail);
    add(t, "n1", sd.port);
    return t;
}

/* A server that logged us in but opens no session and answers nothing (the
 * sshd serving the connection stopped, like the wedged sshd seen after
 * snapshot restores that made gs_upgradectl wait its whole worker bound):
 * given up on after the session-open bound, not the command's, as a node
 * that does not answer (OGUP-60083, the node named); then recovery. */
Test(sshd, a_session_that_never_opens_is_given_up_after_its_bound)
{
    _cleanup_transport_ struct transport *t = session_open_transport(12000);
    const char *ok[] = {"true", NULL};
    struct transport_run_opts o = {.timeout_ms = 14000}; /* no room for a second try */
    pid_t p = pooled_sshd(t);
    long long t0, took;

    cr_assert_eq(kill(p, SIGSTOP), 0);
    t0 = now_ms();
    cr_assert_eq(transport_run(t, "n1", ok, &o, &res, &err), -OG_E_SSH_CONNECT, "%s", err.detail);
    took = now_ms() - t0;
    kill(p, SIGKILL);
    cr_assert(strstr(err.detail, "node \"n1\": the node has not answered for 12 s"), "%s",
              err.detail);
    cr_assert(took >= 12000 && took < 13900, "took %lld ms", took);
    og_error_clear(&err);
    cr_assert_eq(transport_run(t, "n1", ok, NULL, &res, &err), 0, "%s", err.detail);
    cr_assert_eq(transport_sessions_opened(t), 2);
}

/* With time left, the same wedge costs the session-open bound and one fresh
 * connection: the command runs (it cannot have started on the wedged one). */
Test(sshd, a_wedged_session_is_replaced_by_a_fresh_connection)
{
    _cleanup_transport_ struct transport *t = session_open_transport(3000);
    const char *argv[] = {"echo", "ran", NULL};
    struct transport_run_opts o = {.timeout_ms = 60000};
    pid_t p = pooled_sshd(t);
    long long t0, took;

    cr_assert_eq(kill(p, SIGSTOP), 0);
    t0 = now_ms();
    cr_assert_eq(transport_run(t, "n1", argv, &o, &res, &err), 0, "%s", err.detail);
    took = now_ms() - t0;
    kill(p, SIGKILL);
    cr_assert_str_eq(res.out, "ran\n");
    cr_assert(took >= 3000 && took < 15000, "took %lld ms", took);
    cr_assert_eq(transport_sessions_opened(t), 2);
}

/* The connection dies under a running command: GAUSS-53507, then recovery. */
Test(sshd, connection_lost_mid_command)
{
    _cleanup_transport_ struct transport *t = sshd_transport();
    const char *die[] = {"sh", "-c", SSHD_OF_SH "kill -KILL $p; sleep 5", NULL};
    const char *ok[] = {"true", NULL};

    cr_assert_eq(transport_run(t, "n1", die, NULL, &res, &err), -OG_E_REMOTE_EXEC, "%s",
                 err.detail);
    cr_assert_eq(err.code, OG_E_REMOTE_EXEC);
    og_error_clear(&err);
    cr_assert_eq(transport_run(t, "n1", ok, NULL, &res, &err), 0, "%s", err.detail);
    cr_assert_eq(transport_sessions_opened(t), 2);
}

/* A command silent for longer than the transport's keepalive limit (20 s)
 * is not taken for a dead node: sshd answers the keepalives. */
Test(sshd, a_silent_command_outlives_the_keepalive_limit)
{
    _cleanup_transport_ struct transport *t = sshd_transport();
    const char *quiet[] = {"sh", "-c", "sleep 25; echo done", NULL};
    struct transport_run_opts o = {.timeout_ms = 60000};

    cr_assert_eq(transport_run(t, "n1", quiet, &o, &res, &err), 0, "%s", err.detail);
    cr_assert_str_eq(res.out, "done\n");
}

/* The node stops answering under a running command (its sshd frozen, as a
 * cut network leaves the TCP connection open): the run ends after the
 * keepalive limit with OGUP-60083, not at its own bound; then recovery. The
 * frozen sshd is resumed by the command itself 40 s later. */
Test(sshd, a_node_that_stops_answering_is_given_up_after_the_keepalive_limit)
{
    _cleanup_transport_ struct transport *t = sshd_transport();
    const char *freeze[] = {
        "sh", "-c", SSHD_OF_SH "(sleep 40; kill -CONT $p) >/dev/null 2>&1 & kill -STOP $p; sleep 1",
        NULL};
    const char *ok[] = {"true", NULL};
    struct transport_run_opts o = {.timeout_ms = 90000};
    long long t0 = now_ms(), took;

    cr_assert_eq(transport_run(t, "n1", freeze, &o, &res, &err), -OG_E_SSH_CONNECT, "%s",
                 err.detail);
    took = now_ms() - t0;
    cr_assert(strstr(err.detail, "has not answered for 20 s"), "%s", err.detail);
    cr_assert(took >= 20000 && took < 35000, "took %lld ms", took);
    og_error_clear(&err);
    cr_assert_eq(transport_run(t, "n1", ok, NULL, &res, &err), 0, "%s", err.detail);
    cr_assert_eq(transport_sessions_opened(t), 2);
}

static int run_true(const char *known_hosts, const char *key)
{
    _cleanup_transport_ struct transport *t = new_transport(known_hosts, key);
    const char *argv[] = {"true", NULL};

    add(t, "n1", sd.port);
    og_error_clear(&err);
    return transport_run(t, "n1", argv, NULL, &res, &err);
}

static void known_hosts_with(const char *name, const char *text, char *path, size_t size)
{
    path_in_dir(path, size, name);
    write_file(path, text, 0644);
}

Test(sshd, unknown_host_key_is_refused)
{
    char kh[128], text[512];

    known_hosts_with("kh_empty", "", kh, sizeof(kh));
    cr_assert_eq(run_true(kh, NULL), -OG_E_SSH_HOSTKEY_UNKNOWN, "%s", err.detail);
    cr_assert_eq(err.code, OG_E_SSH_HOSTKEY_UNKNOWN);
    cr_assert_not_null(strstr(err.detail, "Failed to verify SSH trust on these nodes: n1"));

    path_in_dir(kh, sizeof(kh), "no_such_known_hosts");
    cr_assert_eq(run_true(kh, NULL), -OG_E_SSH_HOSTKEY_UNKNOWN, "%s", err.detail);

    /* An entry for port 22 does not vouch for another port (OpenSSH rule). */
    snprintf(text, sizeof(text), "127.0.0.1 %s\n", sd.host_pub);
    known_hosts_with("kh_port22", text, kh, sizeof(kh));
    cr_assert_eq(run_true(kh, NULL), -OG_E_SSH_HOSTKEY_UNKNOWN, "%s", err.detail);

    /* Another host's entry does not either. */
    snprintf(text, sizeof(text), "[127.0.0.2]:%d %s\n", sd.port, sd.host_pub);
    known_hosts_with("kh_other_host", text, kh, sizeof(kh));
    cr_assert_eq(run_true(kh, NULL), -OG_E_SSH_HOSTKEY_UNKNOWN, "%s", err.detail);
    cr_assert_eq(count_in_log("Accepted publickey"), 0, "logged in to an unverified host");
}

Test(sshd, changed_host_key_is_refused)
{
    char kh[128], text[512];

    snprintf(text, sizeof(text), "[127.0.0.1]:%d %s\n", sd.port, sd.other_pub);
    known_hosts_with("kh_changed", text, kh, sizeof(kh));
    cr_assert_eq(run_true(kh, NULL), -OG_E_SSH_HOSTKEY_CHANGED, "%s", err.detail);
    cr_assert_eq(err.code, OG_E_SSH_HOSTKEY_CHANGED);
    cr_assert_not_null(strstr(err.detail, "Failed to verify SSH trust on these nodes: n1"));
    cr_assert_eq(count_in_log("Accepted publickey"), 0, "logged in to a changed host");
}

Test(sshd, hashed_known_hosts_entries)
{
    char kh[128], text[512];
    const char *hash[] = {"ssh-keygen", "-q", "-H", "-f", kh, NULL};

    snprintf(text, sizeof(text), "[127.0.0.1]:%d %s\n", sd.port, sd.host_pub);
    known_hosts_with("kh_hashed", text, kh, sizeof(kh));
    run_ok(hash);
    {
        _cleanup_free_ char *data = NULL;
        cr_assert_eq(fs_read_file(kh, 4096, &data, NULL, NULL), 0);
        cr_assert_eq(strncmp(data, "|1|", 3), 0, "not hashed: %s", data);
    }
    cr_assert_eq(run_true(kh, NULL), 0, "%s", err.detail);
    command_result_done(&res);

    snprintf(text, sizeof(text), "[127.0.0.1]:%d %s\n", sd.port, sd.other_pub);
    known_hosts_with("kh_hashed_changed", text, kh, sizeof(kh));
    run_ok(hash);
    cr_assert_eq(run_true(kh, NULL), -OG_E_SSH_HOSTKEY_CHANGED, "%s", err.detail);
}

/* Lines libssh2 cannot read are skipped, not fatal; @revoked is honoured. */
Test(sshd, known_hosts_odd_lines_and_revoked_keys)
{
    char kh[128], text[2048];

    snprintf(
        text, sizeof(text),
        "# comment\n\n   \n@cert-authority *.example ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAA\n"
        "weird-line\nhost9 sk-ssh-ed25519@openssh.com AAAAGnNrLXNzaC1lZDI1NTE5QG9wZW5zc2guY29t\n"
        "node7,[127.0.0.1]:%d %s comment here\r\n",
        sd.port, sd.host_pub);
    known_hosts_with("kh_odd", text, kh, sizeof(kh));
    cr_assert_eq(run_true(kh, NULL), 0, "%s", err.detail);
    command_result_done(&res);

    snprintf(text, sizeof(text), "[127.0.0.1]:%d %s\n@revoked * %s\n", sd.port, sd.host_pub,
             sd.host_pub);
    known_hosts_with("kh_revoked", text, kh, sizeof(kh));
    cr_assert_eq(run_true(kh, NULL), -OG_E_SSH_HOSTKEY_CHANGED, "%s", err.detail);
    cr_assert_not_null(strstr(err.detail, "@revoked"));
}

/* A known_hosts that cannot be read is no trust at all. */
Test(sshd, unreadable_known_hosts_is_an_error)
{
    cr_assert_eq(run_true(sd.dir, NULL), -OG_E_READ_FAILED, "%s", err.detail);
    cr_assert_not_null(strstr(err.detail, "Failed to verify SSH trust on these nodes: n1"));
    cr_assert_eq(count_in_log("Accepted publickey"), 0);
}

/* A copy of src at name in the test dir, with mode and owner. */
static void copy_as(const char *src, const char *name, mode_t mode, uid_t uid, char *path,
                    size_t size)
{
    _cleanup_free_ char *data = NULL;
    size_t len = 0;

    path_in_dir(path, size, name);
    cr_assert_eq(fs_read_file(src, 1 << 20, &data, &len, NULL), 0);
    cr_assert_eq(fs_replace_file(path, data, len, mode, NULL), 0);
    cr_assert_eq(chmod(path, mode), 0);
    cr_assert_eq(chown(path, uid, (gid_t)-1), 0);
}

/* Issue 15 row 11: the private key and known_hosts are trusted only when
 * owned by this user, root or the login user, and not writable by others
 * (the key not readable by others either, as OpenSSH requires):
 * OGUP-60084, before anything is sent with them. HEAD used them as they
 * were. nobody (65534) stands for another user. */
Test(sshd, key_and_known_hosts_owner_and_mode_are_checked)
{
    char key[128], kh[128];
    static const mode_t bad_key[] = {0640, 0604, 0660, 0644};
    static const mode_t bad_kh[] = {0664, 0646, 0666};

    for (size_t i = 0; i < ELEMENTSOF(bad_key); i++) {
        copy_as(sd.key, "key_loose", bad_key[i], 0, key, sizeof(key));
        cr_assert_eq(run_true(NULL, key), -OG_E_SSH_FILE_UNSAFE, "key mode %o: %s",
                     (unsigned)bad_key[i], err.detail);
        cr_assert_eq(err.code, OG_E_SSH_FILE_UNSAFE);
    }
    copy_as(sd.key, "key_foreign", 0600, 65534, key, sizeof(key));
    cr_assert_eq(run_true(NULL, key), -OG_E_SSH_FILE_UNSAFE, "%s", err.detail);
    for (size_t i = 0; i < ELEMENTSOF(bad_kh); i++) {
        copy_as(sd.known_hosts, "kh_loose", bad_kh[i], 0, kh, sizeof(kh));
        cr_assert_eq(run_true(kh, NULL), -OG_E_SSH_FILE_UNSAFE, "known_hosts mode %o: %s",
                     (unsigned)bad_kh[i], err.detail);
    }
    copy_as(sd.known_hosts, "kh_foreign", 0644, 65534, kh, sizeof(kh));
    cr_assert_eq(run_true(kh, NULL), -OG_E_SSH_FILE_UNSAFE, "%s", err.detail);
    cr_assert_eq(count_in_log("Accepted publickey"), 0, "logged in with an unsafe file");

    /* Safe ones: this user's 0600 key and 0644 known_hosts, and the login
     * user's (omm) own files. */
    copy_as(sd.key, "key_ok", 0600, 0, key, sizeof(key));
    copy_as(sd.known_hosts, "kh_ok", 0644, 0, kh, sizeof(kh));
    cr_assert_eq(run_true(kh, key), 0, "%s", err.detail);
    command_result_done(&res);
    {
        struct passwd *pw = getpwnam("omm");

        cr_assert_not_null(pw);
        copy_as(sd.key, "key_omm", 0400, pw->pw_uid, key, sizeof(key));
        copy_as(sd.known_hosts, "kh_omm", 0600, pw->pw_uid, kh, sizeof(kh));
        cr_assert_eq(run_true(kh, key), 0, "%s", err.detail);
    }
}

Test(sshd, wrong_or_missing_client_key_is_an_auth_error)
{
    char missing[128];

    cr_assert_eq(run_true(NULL, sd.wrong_key), -OG_E_SSH_AUTH, "%s", err.detail);
    cr_assert_eq(err.code, OG_E_SSH_AUTH);
    path_in_dir(missing, sizeof(missing), "no_such_key");
    cr_assert_eq(run_true(NULL, missing), -OG_E_SSH_AUTH, "%s", err.detail);
    cr_assert_eq(count_in_log("Accepted publickey"), 0);
}

Test(sshd, a_user_the_server_refuses_is_an_auth_error)
{
    _cleanup_transport_ struct transport *t = NULL;
    struct transport_opts o = {
        .user = "nobody",
        .key_file = sd.key,
        .known_hosts = sd.known_hosts,
        .local_mode = TRANSPORT_LOCAL_NEVER,
    };
    const char *argv[] = {"true", NULL};

    cr_assert_eq(transport_new(&o, &t, &err), 0);
    add(t, "n1", sd.port);
    cr_assert_eq(transport_run(t, "n1", argv, NULL, &res, &err), -OG_E_SSH_AUTH, "%s", err.detail);
}

/* Three nodes on the sshd, one unreachable, one unknown, one local: each
 * outcome lands in its own slot, and the remote ones ran at the same time. */
Test(sshd, fan_out_runs_in_parallel_with_per_node_outcomes)
{
    _cleanup_transport_ struct transport *t = sshd_transport();
    const char *nodes[] = {"n1", "n2", "down", "n3", "ghost", "self"};
    const size_t n = ELEMENTSOF(nodes);
    const char *argv[] = {"sh", "-c", "sleep 1; id -un; echo $SSH_CONNECTION >&2", NULL};
    struct command_result results[ELEMENTSOF(nodes)];
    struct og_error errs[ELEMENTSOF(nodes)];
    struct transport_run_opts o = {.timeout_ms = 20000};
    int ports[3], r;
    long long t0;

    add(t, "n2", sd.port);
    add(t, "n3", sd.port);
    add(t, "down", free_port());
    add(t, "self", sd.port);
    cr_assert_eq(transport_set_local(t, "self", true, &err), 0);

    t0 = now_ms();
    r = transport_run_all(t, nodes, n, argv, &o, results, errs);
    long long took = now_ms() - t0;

    cr_assert_eq(r, -OG_E_SSH_CONNECT, "first failure in node order, got %d", r);
    cr_assert_lt(took, 2900, "nodes did not run in parallel (%lld ms)", took);
    for (size_t i = 0, k = 0; i < n; i++) {
        if (strcmp(nodes[i], "down") == 0) {
            cr_assert_eq(errs[i].code, OG_E_SSH_CONNECT);
            cr_assert_null(results[i].out);
        } else if (strcmp(nodes[i], "ghost") == 0) {
            cr_assert_eq(errs[i].code, OG_E_NODE_UNKNOWN);
        } else if (strcmp(nodes[i], "self") == 0) {
            cr_assert_eq(errs[i].code, 0, "%s", errs[i].detail);
            cr_assert_str_eq(results[i].out, "root\n"); /* ran here, as the test user */
        } else {
            cr_assert_eq(errs[i].code, 0, "%s: %s", nodes[i], errs[i].detail);
            cr_assert_eq(results[i].exit_status, 0);
            cr_assert_str_eq(results[i].out, "omm\n");
            cr_assert_eq(sscanf(results[i].err, "127.0.0.1 %d", &ports[k]), 1);
            k++;
        }
    }
    /* One session per node. */
    cr_assert_neq(ports[0], ports[1]);
    cr_assert_neq(ports[1], ports[2]);
    cr_assert_neq(ports[0], ports[2]);
    cr_assert_eq(transport_sessions_opened(t), 3);
    for (size_t i = 0; i < n; i++)
        command_result_done(&results[i]);

    /* All good: 0, and the pooled sessions are reused. */
    const char *good[] = {"n1", "n2", "n3"};
    struct command_result gres[3];
    const char *true_argv[] = {"true", NULL};

    cr_assert_eq(transport_run_all(t, good, 3, true_argv, NULL, gres, NULL), 0);
    for (size_t i = 0; i < 3; i++)
        command_result_done(&gres[i]);
    cr_assert_eq(transport_sessions_opened(t), 3);
}

/* the fan-out test's scratch directory, removed by its .fini */
static char pool_dir[64];

static void pool_dir_done(void)
{
    tmpdir_remove(pool_dir);
}

/* The same node four times in one fan-out: the commands run at once, each on
 * a session of the node's pool -- each waits until all four have started, so
 * commands serialized on one session would never finish (timeout_ms). Then
 * one command after another reuses the pooled sessions: none is opened. */
Test(sshd, fan_out_to_the_same_node_runs_at_once, .fini = pool_dir_done)
{
    _cleanup_transport_ struct transport *t = sshd_transport();
    const char *nodes[] = {"n1", "n1", "n1", "n1"};
    const char *script = "touch \"$1/$$\"; while [ $(ls \"$1\" | wc -l) -lt 4 ]; do "
                         "sleep 0.05; done; echo hi";
    const char *argv[] = {"sh", "-c", script, "sh", pool_dir, NULL};
    const struct transport_run_opts o = {.timeout_ms = 20000};
    struct command_result results[4];
    struct og_error errs[4];

    cr_assert_eq(tmpdir_make("transport_sshd-pool", pool_dir, sizeof(pool_dir)), 0);
    cr_assert_eq(chmod(pool_dir, 0777), 0);
    cr_assert_eq(transport_run_all(t, nodes, 4, argv, &o, results, errs), 0, "%s", errs[0].detail);
    for (size_t i = 0; i < 4; i++) {
        cr_assert_str_eq(results[i].out, "hi\n");
        command_result_done(&results[i]);
    }
    cr_assert_eq(transport_sessions_opened(t), 4);
    for (int i = 0; i < 6; i++) {
        const char *echo[] = {"echo", "again", NULL};
        struct command_result one = {0};
        struct og_error e = {0};
        cr_assert_eq(transport_run(t, "n1", echo, NULL, &one, &e), 0, "%s", e.detail);
        command_result_done(&one);
    }
    cr_assert_eq(transport_sessions_opened(t), 4, "sequential commands reuse the pool");
}
