/* SPDX-License-Identifier: MulanPSL-2.0 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "cmdkit.h"
#include "dynbuf.h"
#include "ogerror.h"
#include "parse.h"
#include "workload.h"
#include "workload_cmd.h"
#include "banned.h"

#define CHECK_FAILED 1 /* check's exit code for anything but a full pass */

static int param_value(struct og_error *err, const char *name, const char *value)
{
    return og_error_set(err, OG_E_PARAM_VALUE, "The parameter[%s] value[%s] is invalid.", name,
                        value);
}

/* A strict decimal in [min, max] for option name. */
static int int_opt(const char *name, const char *value, int min, int max, int *ret,
                   struct og_error *err)
{
    if (safe_atoi_range(value, min, max, ret) < 0)
        return param_value(err, name, value);
    return 0;
}

static int path_opt(const char *name, const char *value, char *buf, size_t size,
                    struct og_error *err)
{
    if (!*value || value[0] == '-' || strlen(value) >= size)
        return param_value(err, name, value);
    snprintf(buf, size, "%s", value);
    return 0;
}

static void usage_workload(FILE *f)
{
    fprintf(f, "Usage: ogsim workload COMMAND [OPTIONS]\n"
               "\n"
               "A client workload that measures what users feel: writers insert unique ids and\n"
               "log every acknowledged commit, readers read, all through libpq multi-host\n"
               "connections that follow the primary. `check` proves every acknowledged write is\n"
               "on the primary and on every standby.\n"
               "\n"
               "Commands:\n"
               "  start   --hosts H1,H2 --port P [...]   start the workload in the background\n"
               "  stop    [--state-dir DIR]               stop it and print its counters\n"
               "  check   [--state-dir DIR] [--json]      verify the acknowledged writes\n"
               "\n"
               "Run `ogsim workload COMMAND --help` for a command's options.\n");
}

static void usage_start(FILE *f)
{
    fprintf(f,
            "Usage: ogsim workload start --hosts H1,H2,H3 --port P [OPTIONS]\n"
            "\n"
            "Create the database (on the primary, when missing) and the table wl_acked, then\n"
            "run W writer and R reader threads in a background process until `stop` (or for\n"
            "--duration seconds). Clients connect to host=H1,H2,H3 port=P,P,P with\n"
            "target_session_attrs=primary (readers: prefer-standby) and connect_timeout=2,\n"
            "and reconnect after any failure (backoff %d ms to %d ms).\n"
            "\n"
            "Options:\n"
            "  -H, --hosts H1,H2,...   the nodes (up to %d)\n"
            "  -p, --port P|P1,P2,...  one port for every host, or one per host\n"
            "  -d, --dbname NAME       database (default ogsim_wl)\n"
            "  -U, --user NAME         user (default " WORKLOAD_DEFAULT_USER ")\n"
            "  -w, --writers W         writer threads, 1-%d (default 4)\n"
            "  -r, --readers R         reader threads, 0-%d (default 2)\n"
            "  -s, --state-dir DIR     logs and counters (default $HOME/.ogsim/workload)\n"
            "  -t, --duration SECS     stop by itself after SECS (default 0: until stop)\n"
            "  -R, --rate N            commits per second per writer (default 0: as fast as\n"
            "                          it can; one unthrottled writer takes a core here)\n"
            "      --no-ack-fsync      do not fsync the ack logs (to measure their cost only:\n"
            "                          a crash of this host may then lose acks from the logs)\n"
            "  -h, --help              show this help\n",
            WORKLOAD_BACKOFF_MIN_MS, WORKLOAD_BACKOFF_MAX_MS, WORKLOAD_MAX_HOSTS,
            WORKLOAD_MAX_WRITERS, WORKLOAD_MAX_READERS);
}

static void usage_stop(FILE *f)
{
    fprintf(f, "Usage: ogsim workload stop [--state-dir DIR] [--timeout SECS]\n"
               "\n"
               "Signal the background process: it lets in-flight statements finish, flushes its\n"
               "logs and exits. Waits for it and prints its counters. A workload that already\n"
               "stopped by itself (--duration) is a success; one that died is an error.\n"
               "\n"
               "Options:\n"
               "  -s, --state-dir DIR   the workload's state directory (default\n"
               "                        $HOME/.ogsim/workload)\n"
               "  -T, --timeout SECS    how long to wait for it (default 60)\n"
               "  -h, --help            show this help\n");
}

static void usage_check(FILE *f)
{
    fprintf(
        f, "Usage: ogsim workload check [--state-dir DIR] [--hosts H1,H2 --port P] [--json]\n"
           "                            [--catchup-timeout SECS]\n"
           "\n"
           "Find the primary (not in recovery) and the standbys among the hosts, wait until every\n"
           "standby replayed the primary's current WAL position, then prove every\n"
           "acknowledged id in the logs is on every node. Reports acked, in doubt, lost per\n"
           "node (up to 20 ids), extra rows, the longest write gap, commit latency\n"
           "percentiles, reconnects and errors. Works while the workload runs too (it checks\n"
           "the writes acknowledged when it read the logs).\n"
           "\n"
           "Exit code: 0 when every node was reached, caught up and checked, and no\n"
           "acknowledged write is missing on any node; 1 otherwise.\n"
           "\n"
           "Options:\n"
           "  -s, --state-dir DIR         the workload's state directory\n"
           "  -H, --hosts H1,H2,...       the nodes (default: those of `start`)\n"
           "  -p, --port P|P1,P2,...      their port(s) (with --hosts)\n"
           "  -j, --json                  print JSON instead of text\n"
           "  -c, --catchup-timeout SECS  how long standbys may take to catch up (default "
           "60)\n"
           "  -h, --help                  show this help\n");
}

static int cmd_start(int argc, char **argv)
{
    enum { OPT_NO_FSYNC = 1000 };
    static const struct option opts[] = {
        {"hosts", required_argument, NULL, 'H'},
        {"port", required_argument, NULL, 'p'},
        {"dbname", required_argument, NULL, 'd'},
        {"user", required_argument, NULL, 'U'},
        {"writers", required_argument, NULL, 'w'},
        {"readers", required_argument, NULL, 'r'},
        {"state-dir", required_argument, NULL, 's'},
        {"duration", required_argument, NULL, 't'},
        {"rate", required_argument, NULL, 'R'},
        {"no-ack-fsync", no_argument, NULL, OPT_NO_FSYNC},
        {"help", no_argument, NULL, 'h'},
        {0},
    };
    struct workload_opts o;
    struct workload_started st;
    struct og_error err = {0};
    const char *ports = NULL;
    int c, r = 0;

    workload_opts_init(&o);
    while (r == 0 && (c = cmdkit_next_opt(argc, argv, ":H:p:d:U:w:r:s:t:R:h", opts)) != -1) {
        switch (c) {
        case 'H':
            r = workload_opts_set_hosts(&o, optarg, &err);
            break;
        case 'p':
            ports = optarg;
            break;
        case 'd':
            r = workload_check_name("--dbname", optarg, &err);
            snprintf(o.dbname, sizeof(o.dbname), "%s", optarg);
            break;
        case 'U':
            r = workload_check_name("--user", optarg, &err);
            snprintf(o.user, sizeof(o.user), "%s", optarg);
            break;
        case 'w':
            r = int_opt("--writers", optarg, 1, WORKLOAD_MAX_WRITERS, &o.writers, &err);
            break;
        case 'r':
            r = int_opt("--readers", optarg, 0, WORKLOAD_MAX_READERS, &o.readers, &err);
            break;
        case 's':
            r = path_opt("--state-dir", optarg, o.state_dir, sizeof(o.state_dir), &err);
            break;
        case 't':
            r = int_opt("--duration", optarg, 0, WORKLOAD_MAX_DURATION, &o.duration_s, &err);
            break;
        case 'R':
            r = int_opt("--rate", optarg, 0, WORKLOAD_MAX_RATE, &o.rate, &err);
            break;
        case OPT_NO_FSYNC:
            o.ack_fsync = false;
            break;
        case 'h':
            usage_start(stdout);
            return 0;
        default:
            r = cmdkit_bad_opt(c, argv, &err);
        }
    }
    if (r == 0 && optind < argc)
        r = cmdkit_unknown(&err, argv[optind]);
    if (r == 0 && o.n_hosts == 0)
        r = og_error_set(&err, OG_E_PARAM_REQUIRED,
                         "Incorrect parameter. Parameter '--hosts' is required");
    if (r == 0 && !ports)
        r = og_error_set(&err, OG_E_PARAM_REQUIRED,
                         "Incorrect parameter. Parameter '--port' is required");
    if (r == 0)
        r = workload_opts_set_ports(&o, ports, &err);
    if (r == 0 && !o.state_dir[0])
        r = workload_default_state_dir(o.state_dir, sizeof(o.state_dir), &err);
    if (r == 0)
        r = workload_start(&o, &st, &err);
    if (r < 0)
        return cmdkit_fail(r, &err);
    if (st.is_child)
        return st.exit_status;
    printf("Started the workload (pid %ld, run %d): %d writers%s, %d readers%s; state in "
           "\"%s\".\n",
           (long)st.pid, st.run, o.writers, o.rate ? " (rate-limited)" : "", o.readers,
           o.ack_fsync ? "" : ", acks not fsync'd", o.state_dir);
    return 0;
}

static int state_dir_default(char *buf, size_t size, struct og_error *err)
{
    return buf[0] ? 0 : workload_default_state_dir(buf, size, err);
}

static int cmd_stop(int argc, char **argv)
{
    static const struct option opts[] = {
        {"state-dir", required_argument, NULL, 's'},
        {"timeout", required_argument, NULL, 'T'},
        {"help", no_argument, NULL, 'h'},
        {0},
    };
    char dir[WORKLOAD_PATH_MAX] = "";
    struct workload_stats st;
    struct og_error err = {0};
    bool was_running = false;
    int c, r = 0, timeout = 60;

    while (r == 0 && (c = cmdkit_next_opt(argc, argv, ":s:T:h", opts)) != -1) {
        switch (c) {
        case 's':
            r = path_opt("--state-dir", optarg, dir, sizeof(dir), &err);
            break;
        case 'T':
            r = int_opt("--timeout", optarg, 1, 3600, &timeout, &err);
            break;
        case 'h':
            usage_stop(stdout);
            return 0;
        default:
            r = cmdkit_bad_opt(c, argv, &err);
        }
    }
    if (r == 0 && optind < argc)
        r = cmdkit_unknown(&err, argv[optind]);
    if (r == 0)
        r = state_dir_default(dir, sizeof(dir), &err);
    if (r == 0)
        r = workload_stop(dir, timeout, &st, &was_running, &err);
    if (r < 0)
        return cmdkit_fail(r, &err);
    printf("%s the workload in \"%s\" after %.1f s: writers acked %" PRIu64 ", in doubt %" PRIu64
           ", errors %" PRIu64 ", reconnects %" PRIu64 "; readers queries %" PRIu64
           ", errors %" PRIu64 ", reconnects %" PRIu64 ".\n",
           was_running ? "Stopped" : "Already stopped:", dir,
           (double)(st.end_mono_ns - st.start_mono_ns) / 1e9, st.writer.acked, st.writer.in_doubt,
           st.writer.errors, st.writer.reconnects, st.reader.queries, st.reader.errors,
           st.reader.reconnects);
    return 0;
}

/* check's failure: the message on stderr, and on stdout as JSON when asked. */
static int check_fail(int rc, const struct og_error *err, bool json)
{
    if (json) {
        _cleanup_dynbuf_ struct dynbuf b = {0};

        dynbuf_init(&b, 2 * OG_ERROR_DETAIL_MAX + 256);
        if (workload_error_format_json(err, &b) == 0)
            fputs(dynbuf_str(&b), stdout);
    }
    cmdkit_fail(rc, err);
    return CHECK_FAILED;
}

static int cmd_check(int argc, char **argv)
{
    static const struct option opts[] = {
        {"state-dir", required_argument, NULL, 's'},
        {"hosts", required_argument, NULL, 'H'},
        {"port", required_argument, NULL, 'p'},
        {"json", no_argument, NULL, 'j'},
        {"catchup-timeout", required_argument, NULL, 'c'},
        {"help", no_argument, NULL, 'h'},
        {0},
    };
    _cleanup_workload_report_ struct workload_report *rep = NULL;
    _cleanup_dynbuf_ struct dynbuf out = {0};
    struct workload_check_opts o;
    struct og_error err = {0};
    const char *ports = NULL;
    bool json = false;
    int c, r = 0;

    workload_check_opts_init(&o);
    o.state_dir[0] = '\0';
    dynbuf_init(&out, 16u << 20);
    while (r == 0 && (c = cmdkit_next_opt(argc, argv, ":s:H:p:jc:h", opts)) != -1) {
        switch (c) {
        case 's':
            r = path_opt("--state-dir", optarg, o.state_dir, sizeof(o.state_dir), &err);
            break;
        case 'H':
            r = workload_opts_set_hosts(&o.hosts, optarg, &err);
            break;
        case 'p':
            ports = optarg;
            break;
        case 'j':
            json = true;
            break;
        case 'c':
            r = int_opt("--catchup-timeout", optarg, 0, 86400, &o.catchup_timeout_s, &err);
            break;
        case 'h':
            usage_check(stdout);
            return 0;
        default:
            r = cmdkit_bad_opt(c, argv, &err);
        }
    }
    if (r == 0 && optind < argc)
        r = cmdkit_unknown(&err, argv[optind]);
    if (r == 0 && (o.hosts.n_hosts > 0) != (ports != NULL))
        r = og_error_set(&err, OG_E_PARAM_REQUIRED,
                         "Incorrect parameter. Parameter '%s' is required",
                         ports ? "--hosts" : "--port");
    if (r == 0 && ports)
        r = workload_opts_set_ports(&o.hosts, ports, &err);
    if (r == 0)
        r = state_dir_default(o.state_dir, sizeof(o.state_dir), &err);
    if (r == 0)
        r = workload_check(&o, &rep, &err);
    if (r < 0)
        return check_fail(r, &err, json);
    r = json ? workload_report_format_json(rep, &out) : workload_report_format_text(rep, &out);
    if (r < 0)
        return check_fail(og_error_set(&err, -r, "formatting the report"), &err, json);
    fputs(dynbuf_str(&out), stdout);
    return rep->ok ? 0 : CHECK_FAILED;
}

static const struct cmdkit_sub commands[] = {
    {"start", cmd_start, NULL},
    {"stop", cmd_stop, NULL},
    {"check", cmd_check, NULL},
};

int workload_cmd_main(int argc, char **argv)
{
    return cmdkit_dispatch(NULL, commands, ELEMENTSOF(commands), usage_workload, argc, argv);
}
