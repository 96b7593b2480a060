/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * gs_ctl - start, stop, restart, query, status, switchover, failover and
 * build an instance, printing what openGauss's gs_ctl prints (stdout, with
 * the "[time][pid][][gs_ctl]: " prefix on progress lines).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fs.h"
#include "gsctl_int.h"
#include "kpg.h"
#include "parse.h"
#include "tools.h"
#include "banned.h"

#define DEFAULT_WAIT_S 60

void gsctl_say(const char *fmt, ...)
{
    char prefix[128];
    va_list ap;

    kenv_log_prefix("gs_ctl", prefix, sizeof(prefix));
    fputs(prefix, stdout);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    fflush(stdout);
}

static int stop_signal(const char *mode)
{
    if (!mode || strcmp(mode, "fast") == 0 || strcmp(mode, "f") == 0)
        return SIGINT;
    if (strcmp(mode, "immediate") == 0 || strcmp(mode, "i") == 0)
        return SIGQUIT;
    if (strcmp(mode, "smart") == 0 || strcmp(mode, "s") == 0)
        return SIGTERM;
    return 0;
}

/* ---- start ---------------------------------------------------------------- */

static void default_logfile(const struct ctl *c, char *buf, size_t size)
{
    const char *gl = getenv("GAUSSLOG");
    _cleanup_free_ char *copy = strdup(c->datadir);

    if (c->logfile) {
        snprintf(buf, size, "%s", c->logfile);
        return;
    }
    if (gl && gl[0] == '/' && copy) {
        char dir[4096];
        snprintf(dir, sizeof(dir), "%s/pg_log/%s", gl, basename(copy));
        if (fs_mkdir_p(dir, 0700, NULL) == 0) {
            snprintf(buf, size, "%s/gaussdb.log", dir);
            return;
        }
    }
    snprintf(buf, size, "%s/gaussdb.log", c->datadir);
}

/* Show what the server wrote to its log since offset (this start's lines):
 * every FATAL/PANIC line, then the last lines - "Examine the log output."
 * without making the operator go and find it. */
static void show_log_since(const char *path, size_t offset, int lines)
{
    _cleanup_free_ char *text = NULL;
    size_t len = 0;
    const char *start, *p;
    int n = 0;

    if (fs_read_file(path, 64 * 1024 * 1024, &text, &len, NULL) < 0 || len <= offset)
        return;
    start = text + offset;
    printf("gs_ctl: the server's log (%s) says:\n", path);
    for (p = start; *p;) {
        const char *nl = strchrnul(p, '\n');
        if (memmem(p, (size_t)(nl - p), "FATAL:", 6) || memmem(p, (size_t)(nl - p), "PANIC:", 6))
            printf("%.*s\n", (int)(nl - p), p);
        p = *nl ? nl + 1 : nl;
    }
    p = text + len;
    while (p > start && n <= lines) {
        p--;
        if (*p == '\n' && p != text + len - 1)
            n++;
    }
    if (*p == '\n')
        p++;
    printf("gs_ctl: last lines:\n%s", p);
    if (text[len - 1] != '\n')
        putchar('\n');
}

/* Split -o "a b 'c d'" into argv entries (appended to out). */
static int split_opts(const char *s, char **out, int max)
{
    int n = 0;

    while (s && *s && n < max) {
        char word[1024];
        size_t w = 0;
        char q = 0;

        while (*s == ' ' || *s == '\t')
            s++;
        if (!*s)
            break;
        while (*s && (q || (*s != ' ' && *s != '\t'))) {
            if (!q && (*s == '\'' || *s == '"')) {
                q = *s++;
                continue;
            }
            if (q && *s == q) {
                q = 0;
                s++;
                continue;
            }
            if (w + 1 < sizeof(word))
                word[w++] = *s;
            s++;
        }
        word[w] = '\0';
        out[n] = strdup(word);
        if (!out[n])
            break;
        n++;
    }
    return n;
}

int gsctl_do_start(const struct ctl *c, bool banner)
{
    char logpath[4096], gaussdb[PATH_MAX + 16];
    char *argv[64];
    int argc = 0, wait_s = c->wait_s > 0 ? c->wait_s : DEFAULT_WAIT_S, status;
    long long deadline, next_dot;
    size_t log_offset;
    pid_t pid;

    if (banner)
        gsctl_say("gs_ctl started,datadir is %s \n", c->datadir);
    if (kpg_running(c->datadir, NULL)) {
        gsctl_say(" another server might be running; Please use the restart command\n");
        return 0;
    }
    default_logfile(c, logpath, sizeof(logpath));
    {
        struct stat st;
        log_offset = stat(logpath, &st) == 0 ? (size_t)st.st_size : 0;
    }
    snprintf(gaussdb, sizeof(gaussdb), "%s/gaussdb", c->k->bindir);
    argv[argc++] = (char *)"gaussdb";
    argv[argc++] = (char *)"-D";
    argv[argc++] = (char *)c->datadir;
    if (c->mode) {
        argv[argc++] = (char *)"-M";
        argv[argc++] = (char *)c->mode;
    }
    argc += split_opts(c->opts, argv + argc, 50);
    argv[argc] = NULL;

    fflush(stdout);
    pid = fork();
    if (pid < 0) {
        gsctl_say(" could not start server: fork: %s\n", strerror(errno));
        return 1;
    }
    if (pid == 0) {
        int fd = open(logpath, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
        int nul = open("/dev/null", O_RDONLY);
        setsid();
        if (fd >= 0) {
            dup2(fd, STDOUT_FILENO);
            dup2(fd, STDERR_FILENO);
        }
        if (nul >= 0)
            dup2(nul, STDIN_FILENO);
        execv(gaussdb, argv);
        _exit(127);
    }
    if (c->no_wait) {
        gsctl_say("server starting\n");
        return 0;
    }
    gsctl_say("waiting for server to start...\n");
    deadline = kpg_now_ms() + (long long)wait_s * 1000;
    next_dot = kpg_now_ms() + 1000;
    for (;;) {
        struct kpg_pidfile pf;

        if (waitpid(pid, &status, WNOHANG) == pid) {
            printf("\n");
            gsctl_say("stopped waiting\n");
            gsctl_say("could not start server\nExamine the log output.\n");
            if (WIFSIGNALED(status))
                gsctl_say("the server was killed by signal %d\n", WTERMSIG(status));
            else if (WEXITSTATUS(status) != 1)
                gsctl_say("the server exited with %d\n", WEXITSTATUS(status));
            show_log_since(logpath, log_offset, 8);
            return 1;
        }
        if (kpg_read_pidfile(c->datadir, &pf) == 0 && pf.pid == pid &&
            (strcmp(pf.status, "ready") == 0 || strcmp(pf.status, "standby") == 0) &&
            kpg_gate_open(c->datadir, pid)) {
            printf("\n");
            gsctl_say(" done\n");
            gsctl_say("server started (%s)\n", c->datadir);
            return 0;
        }
        if (kpg_now_ms() > deadline) {
            printf("\n");
            gsctl_say("stopped waiting\n");
            gsctl_say("server is still starting up\n");
            return 0;
        }
        if (kpg_now_ms() >= next_dot) {
            printf(".");
            fflush(stdout);
            next_dot += 1000;
        }
        usleep(50 * 1000);
    }
}

/* ---- stop ------------------------------------------------------------------ */

int gsctl_do_stop(const struct ctl *c, bool banner)
{
    int sig = stop_signal(c->stop_mode), r;
    int wait_s = c->wait_s > 0 ? c->wait_s : DEFAULT_WAIT_S;
    pid_t pid;

    if (banner)
        gsctl_say("gs_ctl stopped ,datadir is %s \n", c->datadir);
    if (!sig) {
        gsctl_say(" unrecognized shutdown mode \"%s\"\n", c->stop_mode);
        return 1;
    }
    if (!kpg_running(c->datadir, &pid)) {
        gsctl_say(" PID file \"%s/postmaster.pid\" does not exist\n", c->datadir);
        gsctl_say("Is server running?\n");
        return 1;
    }
    if (c->no_wait) {
        kill(pid, sig);
        printf("server shutting down\n");
        return 0;
    }
    printf("waiting for server to shut down...");
    fflush(stdout);
    r = kpg_stop_pid(pid, sig, wait_s * 1000, true);
    if (r < 0) {
        printf(" failed\n");
        gsctl_say(" server does not shut down (%s)\n", c->datadir);
        return 1;
    }
    printf(" done\nserver stopped\n");
    return 0;
}

/* ---- main ---------------------------------------------------------------------- */

static void usage(void)
{
    printf("gs_ctl is a utility to initialize, start, stop, or control an openGauss "
           "instance (ogup simulated kernel).\n\n"
           "Usage:\n"
           "  gs_ctl start   [-D DATADIR] [-M SERVERMODE] [-o \"OPTIONS\"] [-l FILENAME] [-t SECS] "
           "[-W]\n"
           "  gs_ctl stop    [-D DATADIR] [-m SHUTDOWN-MODE] [-t SECS] [-W]\n"
           "  gs_ctl restart [-D DATADIR] [-m SHUTDOWN-MODE] [-M SERVERMODE] [-o \"OPTIONS\"]\n"
           "  gs_ctl query   [-D DATADIR]\n"
           "  gs_ctl status  [-D DATADIR]\n"
           "  gs_ctl switchover [-D DATADIR] [-t SECS]\n"
           "  gs_ctl failover   [-D DATADIR]\n"
           "  gs_ctl build   [-D DATADIR] [-b full] [-C \"CONNSTR\"]\n"
           "  gs_ctl -V\n\n"
           "SERVERMODE: primary | standby | pending\n"
           "SHUTDOWN-MODE: fast (default) | immediate | smart\n"
           "Options of the upgrade: -o \"-u NUM\" starts in upgrade mode for catalog NUM.\n");
}

/* -V and --help as the first argument: answered here (exit 0). */
static bool answer_info(const struct kenv *k, int argc, char **argv)
{
    if (argc >= 2 && (strcmp(argv[1], "-V") == 0 || strcmp(argv[1], "--version") == 0)) {
        char line[512];
        kenv_version_line(k, "gs_ctl", line, sizeof(line));
        puts(line);
        return true;
    }
    if (argc >= 2 && (strcmp(argv[1], "-?") == 0 || strcmp(argv[1], "--help") == 0)) {
        usage();
        return true;
    }
    return false;
}

/* -t SECS: what is not a number is 0, the default wait (openGauss's gs_ctl
 * reads it with atoi). */
static int wait_seconds(const char *s)
{
    int v;

    return safe_atoi(s, &v) == 0 ? v : 0;
}

/* The options and the command into c. GNU getopt permutes argv: the command
 * may come before or after the options, as with gs_ctl; the non-options are
 * left at the end. 0, or -1 (usage printed). */
static int parse_args(int argc, char **argv, struct ctl *c)
{
    static const struct option longopts[] = {
        {"pgdata", required_argument, NULL, 'D'},
        {"version", no_argument, NULL, 'V'},
        {"help", no_argument, NULL, '?'},
        {NULL, 0, NULL, 0},
    };
    int opt;

    while ((opt = getopt_long(argc, argv, "D:M:o:l:m:b:C:t:wWZ:N:P:", longopts, NULL)) != -1) {
        switch (opt) {
        case 'D':
            c->datadir = optarg;
            break;
        case 'M':
            c->mode = optarg;
            break;
        case 'o':
            c->opts = optarg;
            break;
        case 'l':
            c->logfile = optarg;
            break;
        case 'm':
            c->stop_mode = optarg;
            break;
        case 'b':
            c->build_mode = optarg;
            break;
        case 'C':
            c->conninfo = optarg;
            break;
        case 't':
            c->wait_s = wait_seconds(optarg);
            break;
        case 'w':
            c->no_wait = false;
            break;
        case 'W':
            c->no_wait = true;
            break;
        case 'Z':
        case 'N':
        case 'P':
            break; /* -Z datanode/single_node, -N node, -P password: accepted */
        default:
            usage();
            return -1;
        }
    }
    if (optind < argc)
        c->cmd = argv[optind];
    return 0;
}

/* A command, a data directory, a known server mode. 0, or -1 (printed). */
static int check_args(const struct ctl *c)
{
    if (!c->cmd) {
        fprintf(stderr, "gs_ctl: no operation specified\n");
        return -1;
    }
    if (!c->datadir) {
        fprintf(stderr, "gs_ctl: no database directory specified and environment variable "
                        "PGDATA unset\n");
        return -1;
    }
    if (c->mode && strcmp(c->mode, "primary") != 0 && strcmp(c->mode, "standby") != 0 &&
        strcmp(c->mode, "pending") != 0 && strcmp(c->mode, "cascade_standby") != 0) {
        fprintf(stderr, "gs_ctl: unrecognized server mode \"%s\"\n", c->mode);
        return -1;
    }
    return 0;
}

static int do_restart(const struct ctl *c)
{
    gsctl_say("gs_ctl restarted ,datadir is %s \n", c->datadir);
    if (kpg_running(c->datadir, NULL) && gsctl_do_stop(c, false) != 0)
        return 1;
    return gsctl_do_start(c, false);
}

int tool_gs_ctl(const struct kenv *k, int argc, char **argv)
{
    struct ctl c = {.k = k, .datadir = getenv("PGDATA")};

    if (answer_info(k, argc, argv))
        return 0;
    if (parse_args(argc, argv, &c) < 0 || check_args(&c) < 0)
        return 1;
    if (strcmp(c.cmd, "start") == 0)
        return gsctl_do_start(&c, true);
    if (strcmp(c.cmd, "stop") == 0)
        return gsctl_do_stop(&c, true);
    if (strcmp(c.cmd, "restart") == 0)
        return do_restart(&c);
    if (strcmp(c.cmd, "query") == 0)
        return gsctl_do_query(&c);
    if (strcmp(c.cmd, "status") == 0)
        return gsctl_do_status(&c);
    if (strcmp(c.cmd, "switchover") == 0)
        return gsctl_do_switchover(&c);
    if (strcmp(c.cmd, "failover") == 0)
        return gsctl_do_failover(&c);
    if (strcmp(c.cmd, "build") == 0)
        return gsctl_do_build(&c);
    fprintf(stderr, "gs_ctl: unrecognized operation mode \"%s\"\n", c.cmd);
    return 1;
}
