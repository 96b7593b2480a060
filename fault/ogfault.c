/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * ogfault - the fault injector's command line (a thin main over libfault).
 *
 *   ogfault [--cluster C] disk-full NODE [--free-bytes N]
 *   ogfault [--cluster C] net-cut NODE | net-loss NODE --percent P
 *   ogfault [--cluster C] partition NODE_A NODE_B
 *   ogfault [--cluster C] kill-db NODE | kill-upgrader NODE
 *   ogfault [--cluster C] power-off NODE | freeze NODE | thaw NODE
 *   ogfault [--cluster C] failpoint [NAME=ACTION[,...]]
 *   ogfault [--cluster C] list [--json]
 *   ogfault [--cluster C] heal ID | --all
 *   ogfault [--cluster C] sweep [--all]
 */
#include <ctype.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "failpoint.h"
#include "fault.h"
#include "simcluster.h"
#include "parse.h"
#include "banned.h"

#define LOCK_WAIT_MS (120 * 1000)

/* The usage: the head, a line per fault kind from the table (faultkind.c), the tail. */
static const char usage_head[] =
    "Usage: ogfault [--cluster NAME] COMMAND [ARGS] [--json]\n"
    "\n"
    "Faults (each written to the cluster's ledger before it is installed):\n";
static const char usage_tail[] =
    "Ledger:\n"
    "  list [--json]                           the faults of the cluster\n"
    "  heal ID | --all                         undo a fault (all: newest first)\n"
    "  sweep [--all]                           heal every fault not healed and remove what\n"
    "                                          no live fault owns (rules, ballast, veths\n"
    "                                          down, paused domains); --all: every cluster,\n"
    "                                          and the chains of clusters that are gone\n"
    "\n"
    "--cluster defaults to \"ogsim\" (as ogsim's --name). The ledger is\n"
    "$OGSIM_STATE_DIR/<cluster>/faults.json (default /var/lib/ogsim). OGUP_FAILPOINTS\n"
    "enables ogfault's own failpoints (fault.install.after-ledger, ...).\n"
    "-h, --help: this text. -V, --version: \"ogfault (ogup) VERSION\".\n";
#define USAGE_COLUMN 38 /* a kind's help starts 2 + 38 + 2 columns in */
static struct dynbuf usage;

static int usage_build(void)
{
    dynbuf_init(&usage, 1 << 14);
    dynbuf_adds(&usage, usage_head);
    for (int k = 0; k < FAULT_KIND_COUNT; k++) {
        const struct fault_kind_info *i = fault_kind_info((enum fault_kind)k);
        const char *h = i->help, *nl;
        dynbuf_addf(&usage, "  %-*s  ", USAGE_COLUMN, i->synopsis);
        for (; (nl = strchr(h, '\n')); h = nl + 1)
            dynbuf_addf(&usage, "%.*s\n%*s", (int)(nl - h), h, USAGE_COLUMN + 4, "");
        dynbuf_addf(&usage, "%s\n", h);
    }
    dynbuf_adds(&usage, usage_tail);
    return dynbuf_error(&usage);
}

struct args {
    const char *cluster;
    const char *cmd;
    const char *pos[3];
    size_t n_pos;
    const char *free_bytes;
    const char *percent;
    bool json, all, help, version;
};

#define bad(...) og_usage_error(dynbuf_str(&usage), __VA_ARGS__)

static int parse_args(int argc, char **argv, struct args *a)
{
    a->cluster = "ogsim";
    for (int i = 1; i < argc; i++) {
        const char *s = argv[i];
        const char **val = NULL;
        if (strcmp(s, "--cluster") == 0 || strcmp(s, "-c") == 0)
            val = &a->cluster;
        else if (strcmp(s, fault_arg_option(FAULT_ARG_FREE_BYTES)) == 0)
            val = &a->free_bytes;
        else if (strcmp(s, fault_arg_option(FAULT_ARG_PERCENT)) == 0)
            val = &a->percent;
        else if (strcmp(s, "--json") == 0)
            a->json = true;
        else if (strcmp(s, "--all") == 0)
            a->all = true;
        else if (strcmp(s, "--help") == 0 || strcmp(s, "-h") == 0)
            a->help = true;
        else if (strcmp(s, "--version") == 0 || strcmp(s, "-V") == 0)
            a->version = true;
        else if (s[0] == '-' && s[1])
            return bad("Unrecognized parameter: %s.", s);
        else if (!a->cmd)
            a->cmd = s;
        else if (a->n_pos < ELEMENTSOF(a->pos))
            a->pos[a->n_pos++] = s;
        else
            return bad("Too many arguments at \"%s\".", s);
        if (val) {
            if (i + 1 >= argc)
                return bad("Parameter '%s' needs a value.", s);
            *val = argv[++i];
        }
    }
    if (!sim_valid_name(a->cluster)) /* ogsim's --name rule: ogfault runs as root */
        return bad("The parameter '--cluster' value is incorrect: \"%s\" (use 1-20 characters "
                   "of a-z, 0-9 and '-', as ogsim --name).",
                   a->cluster);
    return 0;
}

/* N, or N with a unit K, M or G (KiB, MiB, GiB; either case): the suffix
 * split off, the digits by safe_atolli, at most what fits once scaled. */
static int parse_size(const char *s, long long *ret)
{
    static const char units[] = "KMG";
    size_t len = strlen(s);
    const char *u = len ? strchr(units, toupper((unsigned char)s[len - 1])) : NULL;
    _cleanup_free_ char *digits = NULL;
    int shift = 0;
    long long v;

    if (u && *u) {
        shift = 10 * (int)(u - units + 1);
        len--;
    }
    digits = strndup(s, len);
    if (!digits || safe_atolli_range(digits, 0, LLONG_MAX >> shift, &v) < 0)
        return -1;
    *ret = v << shift;
    return 0;
}

static void print_entry(const struct ledger_entry *e, bool json)
{
    if (json) {
        _cleanup_dynbuf_ struct dynbuf b = {0};
        dynbuf_init(&b, LEDGER_MAX_BYTES);
        if (ledger_entry_format(e, &b) == 0)
            fputs(dynbuf_str(&b), stdout);
        return;
    }
    printf("fault %d: %s%s%s%s%s %s", e->id, fault_kind_name(e->kind), e->n_nodes ? " " : "",
           e->n_nodes ? e->nodes[0] : "", e->n_nodes > 1 ? " " : "",
           e->n_nodes > 1 ? e->nodes[1] : "", fault_state_name(e->state));
    if (e->error[0])
        printf(" (%s)", e->error);
    putchar('\n');
}

static void detail(const struct ledger_entry *e, char *buf, size_t size)
{
    switch (e->kind) {
    case FAULT_DISK_FULL:
        snprintf(buf, size, "%s (%lld bytes, free %lld)", e->undo.path, e->params.ballast_bytes,
                 e->params.free_bytes);
        break;
    case FAULT_NET_CUT:
        snprintf(buf, size, "veth %s", e->undo.veth);
        break;
    case FAULT_NET_LOSS:
        snprintf(buf, size, "%d%% in %s", e->params.percent, e->undo.chain);
        break;
    case FAULT_PARTITION:
        snprintf(buf, size, "%zu rules in %s", e->undo.n_rules, e->undo.chain);
        break;
    case FAULT_KILL_DB:
        snprintf(buf, size, "pid %ld", e->undo.pid);
        break;
    case FAULT_KILL_UPGRADER:
        snprintf(buf, size, "%zu process%s", e->params.n_pids, e->params.n_pids == 1 ? "" : "es");
        break;
    case FAULT_POWER_OFF:
    case FAULT_FREEZE:
        snprintf(buf, size, "domain %s", e->undo.domain);
        break;
    case FAULT_FAILPOINT:
        snprintf(buf, size, "%s", e->params.spec);
        break;
    default:
        buf[0] = '\0';
    }
}

static int cmd_list(const struct args *a)
{
    _cleanup_ledger_ struct ledger *l = NULL;
    _cleanup_dynbuf_ struct dynbuf b = {0};
    struct og_error err = {0};
    char path[PATH_MAX];
    struct sim_cluster c;
    int r;

    dynbuf_init(&b, LEDGER_MAX_BYTES);
    r = sim_load(a->cluster, &c, &err);
    if (r < 0)
        return og_error_report(&err, OG_ACTION_OTHER, r);
    /* no lock: the file is always whole */
    fault_ledger_path(a->cluster, path, sizeof(path));
    r = ledger_load(path, a->cluster, &l, &err);
    if (r < 0)
        return og_error_report(&err, OG_ACTION_OTHER, r);
    if (a->json) {
        r = ledger_format(l, &b);
        if (r < 0)
            return og_error_report(&err, OG_ACTION_OTHER, og_error_set(&err, -r, "list"));
        fputs(dynbuf_str(&b), stdout);
        return 0;
    }
    printf("%-4s %-14s %-14s %-10s %-20s %s\n", "ID", "KIND", "NODES", "STATE", "CREATED",
           "DETAIL");
    for (size_t i = 0; i < l->n; i++) {
        const struct ledger_entry *e = &l->entries[i];
        char nodes[140], d[PATH_MAX + 64];
        snprintf(nodes, sizeof(nodes), "%s%s%s", e->n_nodes ? e->nodes[0] : "-",
                 e->n_nodes > 1 ? "," : "", e->n_nodes > 1 ? e->nodes[1] : "");
        detail(e, d, sizeof(d));
        printf("%-4d %-14s %-14s %-10s %-20s %s%s%s\n", e->id, fault_kind_name(e->kind), nodes,
               fault_state_name(e->state), e->created, d, e->error[0] ? " error: " : "", e->error);
    }
    return 0;
}

static int cmd_sweep_all(void)
{
    _cleanup_dynbuf_ struct dynbuf names = {0}, report = {0};
    struct og_error err = {0};
    char *save = NULL, *name;
    int first = 0, r;

    dynbuf_init(&names, 1 << 20);
    dynbuf_init(&report, 1 << 20);
    r = sim_list(&names, &err);
    if (r < 0)
        return og_error_report(&err, OG_ACTION_OTHER, r);
    for (name = strtok_r(names.buf ? names.buf : (char *)"", "\n", &save); name;
         name = strtok_r(NULL, "\n", &save)) {
        _cleanup_fault_ struct fault *f = NULL;
        struct og_error e2 = {0};
        r = fault_open(name, LOCK_WAIT_MS, &f, &e2);
        if (r == 0)
            r = fault_sweep(f, &report, &e2);
        if (r < 0) {
            og_error_prefix(&e2, "sweep %s", name);
            og_error_report(&e2, OG_ACTION_OTHER, r);
            if (!first) {
                first = r;
                err = e2;
            }
        }
    }
    r = fault_sweep_orphan_chains(&report, first ? NULL : &err);
    if (r < 0 && !first)
        first = r;
    fputs(dynbuf_str(&report), stdout);
    printf("ogfault: sweep of every cluster %s\n", first ? "incomplete" : "done");
    return first ? og_exit_code(OG_ACTION_OTHER, first) : 0;
}

static int inject(const struct args *a, struct fault_req *q)
{
    _cleanup_fault_ struct fault *f = NULL;
    struct og_error err = {0};
    int id = 0, r = fault_open(a->cluster, LOCK_WAIT_MS, &f, &err);

    if (r == 0)
        r = fault_inject(f, q, &id, &err);
    if (id > 0) {
        const struct ledger_entry *e = ledger_find((struct ledger *)fault_ledger(f), id);
        if (e && (r == 0 || a->json))
            print_entry(e, a->json);
    }
    if (r == 0 && q->kind == FAULT_FAILPOINT && !a->json)
        printf("%s=%s\n", FAILPOINT_ENV, q->spec);
    return og_error_report(&err, OG_ACTION_OTHER, r);
}

static int need_pos(const struct args *a, size_t n, const char *what)
{
    if (a->n_pos != n)
        return bad("Incorrect parameter. %s", what);
    return 0;
}

static int cmd_sweep(const struct args *a)
{
    _cleanup_fault_ struct fault *f = NULL;
    _cleanup_dynbuf_ struct dynbuf report = {0};
    struct og_error err = {0};
    int r;

    if (a->all)
        return cmd_sweep_all();
    dynbuf_init(&report, 1 << 20);
    r = fault_open(a->cluster, LOCK_WAIT_MS, &f, &err);
    if (r == 0)
        r = fault_sweep(f, &report, &err);
    fputs(dynbuf_str(&report), stdout);
    if (r == 0)
        printf("ogfault: sweep of %s done\n", a->cluster);
    return og_error_report(&err, OG_ACTION_OTHER, r);
}

/* heal ID, heal --all, thaw NODE (the newest freeze of NODE healed) */
static int cmd_heal(const struct args *a)
{
    _cleanup_fault_ struct fault *f = NULL;
    struct og_error err = {0};
    bool thaw = a->cmd[0] == 't';
    size_t n = 0;
    int id = 0, r;

    if (thaw ? a->n_pos != 1 : (a->all ? a->n_pos != 0 : a->n_pos != 1))
        return bad("Incorrect parameter. %s", thaw ? "thaw NODE" : "heal ID | --all");
    if (!thaw && !a->all && safe_atoi_range(a->pos[0], 1, INT_MAX, &id) < 0)
        return bad("The fault id \"%s\" is not a number.", a->pos[0]);
    r = fault_open(a->cluster, LOCK_WAIT_MS, &f, &err);
    if (r == 0 && thaw)
        r = fault_thaw(f, a->pos[0], &id, &err);
    else if (r == 0 && a->all)
        r = fault_heal_all(f, &n, &err);
    else if (r == 0)
        r = fault_heal(f, id, &err);
    if (r == 0 && a->all)
        printf("ogfault: healed %zu fault%s\n", n, n == 1 ? "" : "s");
    else if (r == 0)
        print_entry(ledger_find((struct ledger *)fault_ledger(f), id), a->json);
    return og_error_report(&err, OG_ACTION_OTHER, r);
}

/* failpoint without a setting: the OGUP_FAILPOINTS line of the active ones */
static int cmd_failpoint_env(const struct args *a)
{
    _cleanup_ledger_ struct ledger *l = NULL;
    _cleanup_dynbuf_ struct dynbuf b = {0};
    struct og_error err = {0};
    char path[PATH_MAX];
    int r;

    dynbuf_init(&b, LEDGER_MAX_BYTES);
    fault_ledger_path(a->cluster, path, sizeof(path));
    r = ledger_load(path, a->cluster, &l, &err);
    if (r == 0)
        r = fault_failpoint_env(l, &b) < 0 ? og_error_set(&err, OG_E_NOMEM, "failpoint") : 0;
    if (r == 0)
        printf("%s=%s\n", FAILPOINT_ENV, dynbuf_str(&b));
    return og_error_report(&err, OG_ACTION_OTHER, r);
}

/* The kind's positional arguments (its table row says which) into q. */
static int request_positional(const struct args *a, const struct fault_kind_info *info,
                              struct fault_req *q)
{
    int r;

    switch (info->arg) {
    case FAULT_ARG_PEER:
        if ((r = need_pos(a, 2, info->synopsis)) != 0)
            return r;
        q->node = a->pos[0];
        q->node2 = a->pos[1];
        break;
    case FAULT_ARG_SPEC:
        if ((r = need_pos(a, 1, "failpoint NAME=ACTION[,...]")) != 0)
            return r;
        q->spec = a->pos[0];
        break;
    default:
        if ((r = need_pos(a, 1, "the command takes one NODE")) != 0)
            return r;
        q->node = a->pos[0];
        break;
    }
    return 0;
}

/* --free-bytes and --percent into q: each only for the kind that takes it. */
static int request_options(const struct args *a, const struct fault_kind_info *info,
                           struct fault_req *q)
{
    if (a->free_bytes &&
        (info->arg != FAULT_ARG_FREE_BYTES || parse_size(a->free_bytes, &q->free_bytes) < 0))
        return bad("The parameter '%s' value is incorrect: %s",
                   fault_arg_option(FAULT_ARG_FREE_BYTES), a->free_bytes);
    if (info->arg == FAULT_ARG_PERCENT) {
        if (!a->percent || safe_atoi_range(a->percent, 1, 100, &q->percent) < 0)
            return bad("The parameter '%s' value is incorrect (1..100): %s",
                       fault_arg_option(FAULT_ARG_PERCENT), a->percent ? a->percent : "missing");
    } else if (a->percent) {
        return bad("Parameter '%s' is only for %s.", fault_arg_option(FAULT_ARG_PERCENT),
                   fault_kind_name(FAULT_NET_LOSS));
    }
    return 0;
}

/* A fault kind's command: its request from the arguments, then injected. */
static int cmd_inject(const struct args *a)
{
    struct fault_req q = {.free_bytes = 0, .percent = 0};
    const struct fault_kind_info *info;
    int kind = fault_kind_from_name(a->cmd), r;

    if (kind < 0)
        return bad("Unknown command \"%s\".", a->cmd);
    q.kind = (enum fault_kind)kind;
    info = fault_kind_info(q.kind);
    r = request_positional(a, info, &q);
    if (r == 0)
        r = request_options(a, info, &q);
    return r != 0 ? r : inject(a, &q);
}

static int run_command(const struct args *a)
{
    if (strcmp(a->cmd, "list") == 0)
        return cmd_list(a);
    if (strcmp(a->cmd, "sweep") == 0)
        return cmd_sweep(a);
    if (strcmp(a->cmd, "heal") == 0 || strcmp(a->cmd, "thaw") == 0)
        return cmd_heal(a);
    if (strcmp(a->cmd, "failpoint") == 0 && a->n_pos == 0)
        return cmd_failpoint_env(a);
    return cmd_inject(a);
}

int main(int argc, char **argv)
{
    struct og_error err = {0};
    struct args a = {0};
    int r;

    r = usage_build();
    if (r < 0)
        return og_error_report(&err, OG_ACTION_OTHER, og_error_set(&err, -r, "usage"));
    r = parse_args(argc, argv, &a);
    if (r != 0)
        return r;
    if (a.version && !a.help)
        return og_print_version("ogfault");
    if (a.help || !a.cmd) {
        fputs(dynbuf_str(&usage), a.help ? stdout : stderr);
        return a.help ? 0 : og_exit_code(OG_ACTION_OTHER, -OG_E_PARAM_REQUIRED);
    }
    r = fault_register_failpoints();
    if (r == 0)
        r = failpoint_setup(NULL, &err);
    if (r < 0)
        return og_error_report(&err, OG_ACTION_OTHER, r);
    return run_command(&a);
}
