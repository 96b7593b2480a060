/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * gs_checkos -i ITEMS [-h HOSTS | -f HOSTFILE] [-X XML] [--detail] [-o FILE]
 * [-l LOG]: openGauss-OM v5.0.0's OS check and set (script/gs_checkos, "GC"
 * below), for root only (GC:1474). Checking items A1..A14 read the node
 * (checkos_local.c), setting items B1..B8 change it (checkos_set.c).
 *
 * Without -h/-f this host is checked, in process (GC:299, localMode). With
 * them each node runs `gs_checkos --local-items A1,A2` (the node side, which
 * the cluster user may run too) through the SSH transport, and prints one
 * fact a line (checkos.h); this side gathers the lines, makes openGauss's
 * cross-node comparisons (OS, kernel, LANG, time zone, MTU, clock) and
 * prints openGauss's report: "Checking items:" (or "Setting items"), one
 * line per item ("    A1. [ OS version status ]" padded to 60, ": Normal"),
 * the details with --detail, then "Total numbers:N. Abnormal numbers:N.
 * Warning numbers:N.". Exit 0 once the items ran, whatever they found
 * (GC:1574); 1 on an error (GaussLog.exitWithError).
 */
#include <ctype.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "checkos.h"
#include "clusterconfig.h"
#include "dynbuf.h"
#include "fs.h"
#include "oglog.h"
#include "omopt.h"
#include "omtools.h"
#include "parse.h"
#include "staticconfig.h"
#include "transport.h"
#include "banned.h"

#define TOOL        "gs_checkos"
#define TIME_SKEW_S 60 /* GC:100 DEFAULT_INTERVAL */

enum level { LV_NORMAL = 0, LV_WARNING = 1, LV_ABNORMAL = 2 };
static const char *const level_names[] = {"Normal", "Warning", "Abnormal"};

/* GC:58-99 g_OSCheckOpts; cmp: the level of a cross-node difference (-1:
 * none); ok: the detail of a Normal item; fail: the level a failed setting
 * gives (GC:1132-1245). */
static const struct item_def {
    const char *title;
    int cmp;
    const char *ok;
    int fail;
} items[CHECKOS_N] = {
    {"[ OS version status ]", LV_ABNORMAL, NULL, 0},
    {"[ Kernel version status ]", LV_WARNING, "The names about all kernel versions are same.", 0},
    {"[ Unicode status ]", LV_ABNORMAL, "The values of all unicode are same.", 0},
    {"[ Time zone status ]", LV_ABNORMAL, "The informations about all timezones are same.", 0},
    {"[ Swap memory status ]", -1, "The value about swap memory is correct.", 0},
    {"[ System control parameters status ]", -1,
     "All values about system control  parameters are correct.", 0},
    {"[ File system configuration status ]", -1, "Both soft nofile and hard nofile are correct.",
     0},
    {"[ Disk configuration status ]", -1, "The value about XFS mount parameters is correct.", 0},
    {"[ Pre-read block size status ]", -1, "The value about Logical block size is correct.", 0},
    {"[ IO scheduler status ]", -1, "The value of IO scheduler is correct.", 0},
    {"[ Network card configuration status ]", LV_ABNORMAL,
     "The configuration about network card is correct.", 0},
    {"[ Time consistency status ]", LV_ABNORMAL, "The system time is consistent.", 0},
    {"[ Firewall service status ]", -1, "The firewall service is stopped.", 0},
    {"[ THP service status ]", -1, "The THP service is stopped.", 0},
    {"[ Set system control parameters ]", -1, "Setting sysctl parameter values succeed.",
     LV_ABNORMAL},
    {"[ Set file system configuration value ]", -1,
     "Setting soft file and hard file parameters succeed.", LV_ABNORMAL},
    {"[ Set pre-read block size value ]", -1, "Setting Pre-read block size value succeed.",
     LV_ABNORMAL},
    {"[ Set IO scheduler value ]", -1, "Setting IO scheduler value succeed.", LV_ABNORMAL},
    {"[ Set network card configuration value ]", -1, "Seting network card configuration succeed.",
     LV_WARNING},
    {"[ Set THP service ]", -1, "Setting THP server succeed.", LV_ABNORMAL},
    {"[ Set RemoveIPC value ]", -1, "Setting sysctl         parameter values succeed.",
     LV_ABNORMAL},
    {"[ Set Session Process ]", -1, "Setting sysctl         parameter values succeed.",
     LV_ABNORMAL},
};

/* ---- the nodes' lines --------------------------------------------------- */

struct node_item {
    bool checked;
    char value[256];
    char info[256];
    int level;
    bool flagged;        /* a warn or abnormal line */
    struct dynbuf lines; /* "        reason\n" per warn/abnormal line */
};

struct node_res {
    char name[CLUSTER_NAME_MAX];
    struct node_item it[CHECKOS_N];
};

static void node_res_init(struct node_res *n, const char *name)
{
    memset(n, 0, sizeof(*n));
    snprintf(n->name, sizeof(n->name), "%s", name);
    for (int i = 0; i < CHECKOS_N; i++)
        dynbuf_init(&n->it[i].lines, CHECKOS_OUT_MAX);
}

static void node_res_done(struct node_res *n)
{
    for (int i = 0; i < CHECKOS_N; i++)
        dynbuf_done(&n->it[i].lines);
}

/* "A<n>" or "B<n>" before tab t1: the item, 1..CHECKOS_N; 0 when none. */
static int item_of(const char *line, const char *t1)
{
    char num[8];
    int n;

    if ((line[0] != 'A' && line[0] != 'B') || !t1 || t1 - line - 1 >= (long)sizeof(num))
        return 0;
    snprintf(num, sizeof(num), "%.*s", (int)(t1 - line - 1), line + 1);
    if (safe_atoi_range(num, 1, line[0] == 'A' ? CHECKOS_N_A : CHECKOS_N_B, &n) < 0)
        return 0;
    return line[0] == 'A' ? n : CHECKOS_N_A + n;
}

/* Parse one node's "<item>\t<kind>\t<text>" lines. */
static int node_res_parse(struct node_res *n, const char *text, struct og_error *err)
{
    const char *p = text;

    while (*p) {
        const char *nl = strchr(p, '\n'), *t1, *t2;
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        char line[1200], *kind, *val;
        int item;

        snprintf(line, sizeof(line), "%.*s", (int)(len < sizeof(line) ? len : sizeof(line) - 1), p);
        p += len + (nl ? 1 : 0);
        if (!line[0])
            continue;
        t1 = strchr(line, '\t');
        t2 = t1 ? strchr(t1 + 1, '\t') : NULL;
        item = item_of(line, t1);
        if (!t2 || item < 1)
            return og_error_set(err, OG_E_CONTENT_INVALID,
                                "The content of the check result of node %s is not correct: "
                                "\"%s\".",
                                n->name, line);
        kind = line + (t1 - line) + 1;
        kind[t2 - t1 - 1] = '\0';
        val = kind + (t2 - t1);
        {
            struct node_item *it = &n->it[item - 1];
            if (strcmp(kind, "checked") == 0) {
                it->checked = true;
            } else if (strcmp(kind, "value") == 0) {
                snprintf(it->value, sizeof(it->value), "%s", val);
            } else if (strcmp(kind, "info") == 0) {
                snprintf(it->info, sizeof(it->info), "%s", val);
            } else {
                int lv = strcmp(kind, "abnormal") == 0 ? LV_ABNORMAL
                         : strcmp(kind, "warn") == 0   ? LV_WARNING
                                                       : LV_NORMAL;
                if (lv > it->level)
                    it->level = lv;
                it->flagged = it->flagged || lv > LV_NORMAL;
                if (dynbuf_appendf(&it->lines, "        %s\n", val) < 0)
                    return og_error_set(err, OG_E_TOO_LARGE, "check result of node %s", n->name);
            }
        }
    }
    return 0;
}

struct item_result {
    int level;
    struct dynbuf detail; /* starts with "\n", as openGauss's [3] */
};

/* The node's value as openGauss compares it: the first word (A11: MTU). */
static void first_word(const char *s, char *buf, size_t size)
{
    snprintf(buf, size, "%.*s", (int)strcspn(s, " "), s);
}

static void aggregate_check(int i, struct node_res *nodes, size_t n, struct item_result *r)
{
    const struct item_def *d = &items[i];
    bool differ = false;
    char base[256];

    r->level = LV_NORMAL;
    for (size_t k = 0; k < n; k++)
        if (nodes[k].it[i].level > r->level)
            r->level = nodes[k].it[i].level;
    first_word(nodes[0].it[i].value, base, sizeof(base));
    if (d->cmp >= 0 && i != 11) {
        for (size_t k = 1; k < n; k++) {
            char v[256];
            first_word(nodes[k].it[i].value, v, sizeof(v));
            differ = differ || strcmp(v, base) != 0;
        }
    } else if (i == 11) { /* time: every node within 60 s of the first */
        long long t0 = checkos_kernel_num(nodes[0].it[i].value); /* check_time's %lld */
        for (size_t k = 1; k < n; k++) {
            long long t = checkos_kernel_num(nodes[k].it[i].value);
            differ = differ || t < t0 - TIME_SKEW_S || t > t0 + TIME_SKEW_S;
        }
    }
    if (differ && d->cmp > r->level)
        r->level = d->cmp;

    dynbuf_adds(&r->detail, "\n");
    if (differ) {
        /* openGauss: the first node's value, then each differing node's */
        for (size_t k = 0; k < n; k++) {
            char v[256];
            first_word(nodes[k].it[i].value, v, sizeof(v));
            if (i == 11) {
                time_t t = (time_t)checkos_kernel_num(nodes[k].it[i].value),
                       t0 = (time_t)checkos_kernel_num(base);
                struct tm tm;
                char a[32], b[32];
                if (k == 0 || llabs((long long)(t - t0)) <= TIME_SKEW_S)
                    continue;
                localtime_r(&t, &tm);
                strftime(a, sizeof(a), "%Y-%m-%d %H:%M:%S", &tm);
                localtime_r(&t0, &tm);
                strftime(b, sizeof(b), "%Y-%m-%d %H:%M:%S", &tm);
                dynbuf_addf(&r->detail,
                            "        [%s]\n        Variable:'current system time' "
                            "RealValue:'%s' ExpectedValue:'%s' [Abnormal]\n",
                            nodes[k].name, a, b);
            } else if (i == 10 && k > 0 && strcmp(v, base) != 0) {
                dynbuf_addf(
                    &r->detail,
                    "        [%s]\n        Abnormal: network '%s' 'mtu' value[%s:%s] "
                    "is different from the other node [%s:%s]\n",
                    nodes[k].name,
                    strchr(nodes[k].it[i].value, ' ') ? strchr(nodes[k].it[i].value, ' ') + 1 : "?",
                    nodes[k].name, v, nodes[0].name, base);
            } else if (i != 10 && (k == 0 || strcmp(v, base) != 0)) {
                dynbuf_addf(&r->detail, "        [%s]\n        %s\n", nodes[k].name,
                            i == 0 && nodes[k].it[i].info[0] ? nodes[k].it[i].info
                                                             : nodes[k].it[i].value);
            }
        }
    }
    for (size_t k = 0; k < n; k++)
        if (nodes[k].it[i].flagged)
            dynbuf_addf(&r->detail, "        [%s]\n%s", nodes[k].name,
                        dynbuf_str(&nodes[k].it[i].lines));
    if (r->level != LV_NORMAL)
        return;
    dynbuf_reset(&r->detail);
    if (i == 0) {
        dynbuf_adds(&r->detail, "\n");
        for (size_t k = 0; k < n; k++)
            dynbuf_addf(&r->detail, "        [%s]\n        %s\n", nodes[k].name,
                        nodes[k].it[i].info);
    } else if (d->cmp >= 0 && i != 11 && i != 10) {
        dynbuf_addf(&r->detail, "\n        %s The value is \"%s\".", d->ok, nodes[0].it[i].value);
    } else {
        dynbuf_addf(&r->detail, "\n        %s", d->ok);
    }
}

/* A setting item (GC:1100-1130 getSetOSPrintInfo): a node that could not
 * set something makes it the item's failure level and shows that node's
 * lines; else what was set on each node, then the item's success text. */
static void aggregate_set(int i, struct node_res *nodes, size_t n, struct item_result *r)
{
    r->level = LV_NORMAL;
    for (size_t k = 0; k < n; k++)
        if (nodes[k].it[i].flagged && nodes[k].it[i].level > LV_NORMAL)
            r->level = items[i].fail > nodes[k].it[i].level ? items[i].fail : nodes[k].it[i].level;
    dynbuf_adds(&r->detail, "\n");
    for (size_t k = 0; k < n; k++)
        if (nodes[k].it[i].lines.len && (r->level == LV_NORMAL || nodes[k].it[i].flagged))
            dynbuf_addf(&r->detail, "        [%s]\n%s", nodes[k].name,
                        dynbuf_str(&nodes[k].it[i].lines));
    if (r->level == LV_NORMAL)
        dynbuf_addf(&r->detail, "        %s", items[i].ok);
}

/* ---- options ------------------------------------------------------------ */

struct checkos_opts {
    uint32_t mask;        /* items named */
    bool all;             /* -i A or -i B */
    bool set;             /* setting items */
    bool detail;          /* --detail */
    const char *hosts;    /* -h */
    const char *hostfile; /* -f */
    const char *xml;      /* -X */
    const char *output;   /* -o */
};

static void item_name(int i, char *buf, size_t size);

static int usage(int rc)
{
    printf("\ngs_checkos is a utility to check and set cluster OS information.\n\n"
           "Usage:\n"
           "  gs_checkos -? | --help\n"
           "  gs_checkos -V | --version\n"
           "  gs_checkos -i ITEM [-f HOSTFILE] [-h HOSTNAME] [-X XMLFILE] [--detail] [-o OUTPUT] "
           "[-l LOGFILE]\n\n"
           "General options:\n"
           "  -i                              Item number. To check all items, enter  \"-i A\". "
           "To set all parameters, enter \"-i B\".\n"
           "                                  To check multiple status, enter the items in the "
           "following format: \"-i A1,A2,A3\".\n"
           "  -f                              File listing names of all the hosts to connect to. "
           "The host names are separated by line breaks.\n"
           "  -h                              Name of the host to connect to.\n"
           "  -X                              Configuration file of the cluster.\n"
           "     --detail                     Show detailed information.\n"
           "  -o                              Save the result to the specified file.\n"
           "  -l                              Path of log file.\n"
           "  -? --help                       Show help information for this utility, and exit "
           "the command line mode.\n"
           "  -V --version                    Show version information.\n\n\n"
           "Item number description:\n");
    for (int i = 0; i < CHECKOS_N; i++) {
        char id[8];
        item_name(i, id, sizeof(id));
        /* GC:226-227 print B7 and B8 without the inner spaces */
        if (i >= CHECKOS_B(7))
            printf("  '%s':[%.*s]\n", id, (int)strlen(items[i].title) - 4, items[i].title + 2);
        else
            printf("  '%s':%s\n", id, items[i].title);
    }
    return rc;
}

/* One -i word, upper-cased (GC:256-273): its bit, or A / B for all. */
static int item_word(const char *w, uint32_t *bit, char *all)
{
    int n;

    if ((w[0] == 'A' || w[0] == 'a' || w[0] == 'B' || w[0] == 'b') && !w[1]) {
        *all = (char)toupper((unsigned char)w[0]);
        return 0;
    }
    if (!strchr("AaBb", w[0]) || !w[0] || !isdigit((unsigned char)w[1]) || w[1] == '0')
        return -1;
    if (safe_atoi_range(w + 1, 1, toupper((unsigned char)w[0]) == 'A' ? CHECKOS_N_A : CHECKOS_N_B,
                        &n) < 0)
        return -1;
    *bit = 1u << (toupper((unsigned char)w[0]) == 'A' ? n - 1 : CHECKOS_B(n));
    return 0;
}

/* GC:256-273 parseItemOpts, then GC:401-420: checking and setting items
 * are not mixed. */
static int parse_items(const char *s, struct checkos_opts *o, struct og_error *err)
{
    char buf[512], *tok, *p = buf;
    bool a = false, b = false, check = false, any = false;

    snprintf(buf, sizeof(buf), "%s", s);
    while ((tok = strsep(&p, ","))) {
        uint32_t bit = 0;
        char all = 0;
        size_t len;
        tok += strspn(tok, " \t");
        len = strlen(tok);
        while (len && isspace((unsigned char)tok[len - 1]))
            tok[--len] = '\0';
        if (!tok[0]) /* PP:411: empty words dropped */
            continue;
        any = true;
        if (item_word(tok, &bit, &all) < 0)
            return og_error_set(err, OG_E_PARAM_INVALID, "The parameter '-i' value is incorrect.");
        a = a || all == 'A';
        b = b || all == 'B';
        o->mask |= bit;
    }
    if (!any)
        return og_error_set(err, OG_E_PARAM_INVALID, "The parameter '-i' value is incorrect.");
    check = a || (o->mask & ((1u << CHECKOS_N_A) - 1));
    o->set = b || (o->mask >> CHECKOS_N_A);
    if (o->set && check)
        return og_error_set(err, OG_E_PARAM_INVALID,
                            "The parameter '-i' value is incorrect. Checking items and setting "
                            "items can't be used together.");
    o->all = a || b;
    return 0;
}

static void item_name(int i, char *buf, size_t size)
{
    snprintf(buf, size, "%c%d", i < CHECKOS_N_A ? 'A' : 'B',
             i < CHECKOS_N_A ? i + 1 : i - CHECKOS_N_A + 1);
}

/* GC:1490-1500: -i A is A1..A14 but A10, -i B B1..B8 but B4 (v5.0.0; v3.0.0
 * ran them), a list runs in sorted() order: A1, A10, A11, ..., A2. */
static size_t item_order(const struct checkos_opts *o, int *order)
{
    int from = o->set ? CHECKOS_N_A : 0, to = o->set ? CHECKOS_N : CHECKOS_N_A;
    size_t n = 0;

    for (int i = from; i < to; i++)
        if (o->all ? i != 9 && i != CHECKOS_B(4) : (o->mask & (1u << i)) != 0)
            order[n++] = i;
    if (o->all)
        return n;
    for (size_t x = 1; x < n; x++) /* by name, as strings */
        for (size_t y = x; y > 0; y--) {
            char a[8], b[8];
            int t = order[y - 1];
            item_name(order[y - 1], a, sizeof(a));
            item_name(order[y], b, sizeof(b));
            if (strcmp(a, b) <= 0)
                break;
            order[y - 1] = order[y];
            order[y] = t;
        }
    return n;
}

/* PP:95-97; -i and -h values checked (PP:44), -o -l paths, -f -X files */
static const struct omopt opts[] = {
    {"-?", false, OMOPT_PLAIN},       {"--help", false, OMOPT_PLAIN},
    {"-V", false, OMOPT_PLAIN},       {"--version", false, OMOPT_PLAIN},
    {"-h", true, OMOPT_VALUE},        {"-f", true, OMOPT_FILE},
    {"-o", true, OMOPT_PATH},         {"-i", true, OMOPT_VALUE},
    {"--detail", false, OMOPT_PLAIN}, {"-l", true, OMOPT_PATH},
    {"-X", true, OMOPT_FILE},
};
static const char *const opt_names[] = {"-h", "-f", "-o", "-i", "--detail", "-l", "-X", NULL};
static const struct omopt_action action[] = {{NULL, opt_names}};

#define OPT(name) omopt_get(&p, opts, ELEMENTSOF(opts), name)

/* PP:407 createOutputDir: DefaultValue.checkOutputFile (Common.py:1649) */
static int check_output(const char *path, struct og_error *err)
{
    char real[PATH_MAX], *slash;
    struct stat st;

    if (!realpath(path, real))
        snprintf(real, sizeof(real), "%s", path);
    if (stat(real, &st) == 0 && S_ISDIR(st.st_mode))
        return og_error_set(err, OG_E_MUST_BE_FILE, "The output file must be a file.");
    if ((slash = strrchr(real, '/')) && slash != real) {
        *slash = '\0';
        if (stat(real, &st) == 0 && S_ISREG(st.st_mode))
            return og_error_set(err, OG_E_MUST_BE_DIR,
                                "The base directory of output file must be a directory.");
    }
    return 0;
}

/* PP parsing, then GC:376-421 checkParameter's order: -h with -f (50005),
 * -i given (50001), its items (50004), checking with setting (50004). */
static int parse_args(int argc, char **argv, struct checkos_opts *o, int *done,
                      struct og_error *err)
{
    struct omopt_result p;
    const char *items_arg;
    int r = omopt_parse("checkos", false, argc, argv, opts, ELEMENTSOF(opts), action, 1, &p, err);

    *done = -1;
    if (r < 0)
        return r;
    if (p.help || p.version) {
        *done = p.help ? usage(0) : om_version(TOOL);
        return 0;
    }
    o->hosts = OPT("-h");
    o->hostfile = OPT("-f");
    o->xml = OPT("-X");
    o->output = OPT("-o");
    o->detail = OPT("--detail") != NULL;
    items_arg = OPT("-i");
    if (o->output && (r = check_output(o->output, err)) < 0)
        return r;
    /* root's -l: a path through a link or a directory others may write is
     * refused (OGUP-60041, oglog.h); any other trouble leaves the console */
    if (OPT("-l") && oglog_open(TOOL, OPT("-l"), err) == -OG_E_LOG_UNSAFE)
        return -OG_E_LOG_UNSAFE;
    if (o->hosts && o->hostfile)
        return og_error_set(err, OG_E_PARAM_CONFLICT,
                            "The parameter '-h' and '-f' can not be used together.");
    if (!items_arg || !items_arg[0])
        return og_error_set(err, OG_E_PARAM_REQUIRED,
                            "Incorrect parameter. Parameter '-i' is required.");
    return parse_items(items_arg, o, err);
}

/* ---- the nodes ---------------------------------------------------------- */

/* -h (GC:229 parseHostnameOpts) or -f (GC:276 readHostFile): the names,
 * without repeats; none: this host, in process. */
static int pick_hosts(const struct checkos_opts *o, char names[][CLUSTER_NAME_MAX], size_t *n,
                      struct og_error *err)
{
    _cleanup_free_ char *text = NULL;
    char *tok, *save = NULL;

    *n = 0;
    if (!o->hosts && !o->hostfile)
        return 0;
    if (o->hostfile) {
        int r = fs_read_file(o->hostfile, 1 << 20, &text, NULL, err);
        if (r < 0)
            return og_error_set(err, OG_E_READ_FAILED, "Failed to read %s. Error: \n%s",
                                o->hostfile, err->detail);
    } else if (!(text = strdup(o->hosts))) {
        return og_error_set(err, OG_E_NOMEM, "host list");
    }
    for (tok = strtok_r(text, ",\n", &save); tok; tok = strtok_r(NULL, ",\n", &save)) {
        bool dup = false;
        tok += strspn(tok, " \t");
        tok[strcspn(tok, " \t\r")] = '\0';
        for (size_t k = 0; tok[0] && k < *n; k++)
            dup = dup || strcmp(names[k], tok) == 0;
        if (!tok[0] || dup)
            continue;
        if (*n >= CLUSTER_MAX_NODES)
            return og_error_set(err, OG_E_TOO_LARGE, "The host list exceeds its limit of %d.",
                                CLUSTER_MAX_NODES);
        snprintf(names[(*n)++], CLUSTER_NAME_MAX, "%s", tok);
    }
    return 0;
}

/* The program on the nodes: this one's path (the OM package sits at the
 * same place on every node). */
static void tool_path(char *buf, size_t size)
{
    char self[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

    self[n > 0 ? n : 0] = '\0';
    if (strrchr(self, '/'))
        *strrchr(self, '/') = '\0';
    snprintf(buf, size, "%s/%s", self, TOOL);
}

/* Root reaches the other nodes as the cluster user (the OM package's
 * owner), with that user's key and known_hosts: the trust gs_preinstall
 * makes. openGauss uses root's own trust, which ogup's nodes do not give. */
static int open_transport(char names[][CLUSTER_NAME_MAX], size_t n, const char *xml,
                          struct transport **t, struct og_error *err)
{
    char user[64], key[PATH_MAX], known[PATH_MAX];
    struct transport_opts to = {0};
    struct cluster_config cfg;
    bool have_cfg = false;
    int r;

    if (xml) { /* GC:170-177: the back IPs of the named nodes */
        r = clusterconfig_load(xml, &cfg, err);
        if (r < 0)
            return r;
        have_cfg = true;
    }
    checkos_cluster_user(user, sizeof(user));
    if (user[0]) {
        struct passwd pw, *res = NULL;
        char buf[4096];
        if (getpwnam_r(user, &pw, buf, sizeof(buf), &res) == 0 && res) {
            snprintf(key, sizeof(key), "%s/.ssh/id_ed25519", pw.pw_dir);
            snprintf(known, sizeof(known), "%s/.ssh/known_hosts", pw.pw_dir);
            to.user = user;
            to.key_file = key;
            to.known_hosts = known;
        }
    }
    r = transport_new(&to, t, err);
    for (size_t k = 0; r == 0 && k < n; k++) {
        const struct cluster_node *cn = have_cfg ? clusterconfig_find_node(&cfg, names[k]) : NULL;
        r = transport_add_node(*t, names[k], cn ? cn->back_ip : names[k], 22, err);
    }
    return r;
}

/* GC:1489-1492 logExit: "[node]: \n[GAUSS-51632] : Failed to do <cmd>.
 * Error: \n<output>" on stdout, exit 1 */
static int node_failed(const char *node, const char *cmd, const char *out)
{
    printf("[%s]: \n[GAUSS-51632] : Failed to do %s. Error: \n%s\n", node, cmd, out);
    log_debug("om", "%s failed on %s", cmd, node);
    return -OG_E_EXEC_FAILED;
}

static int run_remote(char names[][CLUSTER_NAME_MAX], size_t n, const char *xml, const char *list,
                      struct node_res *res, struct og_error *err)
{
    _cleanup_transport_ struct transport *t = NULL;
    struct command_result cr[CLUSTER_MAX_NODES];
    struct og_error errs[CLUSTER_MAX_NODES];
    const char *nodes[CLUSTER_MAX_NODES];
    char prog[PATH_MAX + 32], cmd[PATH_MAX + 160];
    /* after the node's env file, as openGauss runs its local scripts */
    const char *argv[] = {"bash", "-c", OM_USER_ENV "exec \"$0\" \"$@\"", prog, "--local-items",
                          list,   NULL};
    struct transport_run_opts ro = {.timeout_ms = 5 * 60 * 1000, .output_max = CHECKOS_OUT_MAX};
    int r;

    for (size_t k = 0; k < n; k++) {
        nodes[k] = names[k];
        node_res_init(&res[k], names[k]);
    }
    r = open_transport(names, n, xml, &t, err);
    if (r < 0)
        return r;
    tool_path(prog, sizeof(prog));
    snprintf(cmd, sizeof(cmd), "%s --local-items %s", prog, list);
    memset(cr, 0, sizeof(cr));
    memset(errs, 0, sizeof(errs));
    transport_run_all(t, nodes, n, argv, &ro, cr, errs);
    r = 0;
    for (size_t k = 0; k < n; k++) {
        char msg[OG_ERROR_DETAIL_MAX + 64];
        if (r == 0 && errs[k].code)
            r = node_failed(names[k], cmd, og_error_format(&errs[k], msg, sizeof(msg)));
        else if (r == 0 && cr[k].exit_status != 0)
            r = node_failed(names[k], cmd, cr[k].err);
        else if (r == 0)
            r = node_res_parse(&res[k], cr[k].out, err);
        command_result_done(&cr[k]);
    }
    return r;
}

static int run_nodes(const struct checkos_opts *o, uint32_t mask, struct node_res *res,
                     size_t *n_res, struct og_error *err)
{
    char names[CLUSTER_MAX_NODES][CLUSTER_NAME_MAX], list[128] = "", host[256] = "";
    size_t n = 0, used = 0;
    int r = pick_hosts(o, names, &n, err);

    if (r < 0)
        return r;
    for (int i = 0; i < CHECKOS_N; i++)
        if (mask & (1u << i)) {
            char id[8];
            item_name(i, id, sizeof(id));
            used += (size_t)snprintf(list + used, sizeof(list) - used, "%s%s", used ? "," : "", id);
        }
    if (n > 0) {
        *n_res = n;
        return run_remote(names, n, o->xml, list, res, err);
    }
    { /* this host, in process (GC:1400-1410 localMode) */
        _cleanup_dynbuf_ struct dynbuf out = {0};
        dynbuf_init(&out, CHECKOS_OUT_MAX);
        gethostname(host, sizeof(host) - 1);
        node_res_init(&res[0], host);
        *n_res = 1;
        checkos_local_check(mask, &out);
        checkos_local_set(mask, &out);
        return node_res_parse(&res[0], dynbuf_str(&out), err);
    }
}

/* ---- the report --------------------------------------------------------- */

struct tally {
    int total, abnormal, warning;
};

/* GC:1247-1370 DisplayResultInformation: the group's heading before the
 * first item ("Checking items:" for -i A, "Checking items" for a list) */
static void report(const struct checkos_opts *o, const int *order, size_t n_order,
                   struct node_res *res, size_t n_res, struct dynbuf *out, struct tally *t)
{
    for (size_t x = 0; x < n_order; x++) {
        int i = order[x];
        struct item_result ir = {0};
        char label[128], id[8];

        dynbuf_init(&ir.detail, 1 << 20);
        if (i < CHECKOS_N_A)
            aggregate_check(i, res, n_res, &ir);
        else
            aggregate_set(i, res, n_res, &ir);
        item_name(i, id, sizeof(id));
        snprintf(label, sizeof(label), "%s.%s%s", id, strlen(id) < 3 ? " " : "", items[i].title);
        if (x == 0)
            dynbuf_addf(out, "%s%s\n", o->set ? "Setting items" : "Checking items",
                        o->all ? ":" : "");
        if (o->detail)
            dynbuf_addf(out, "    %-60s: %-10s %-60s\n", label, level_names[ir.level],
                        dynbuf_str(&ir.detail));
        else
            dynbuf_addf(out, "    %-60s: %s\n", label, level_names[ir.level]);
        t->total++;
        t->abnormal += ir.level == LV_ABNORMAL;
        t->warning += ir.level == LV_WARNING;
        dynbuf_done(&ir.detail);
    }
}

/* GC:1518-1572: the items (to -o's file), the NOTICE of a setting run, the
 * numbers, the verdict; exit 0 whatever the items found */
static int finish(const struct checkos_opts *o, const struct dynbuf *out, const struct tally *t)
{
    struct og_error err = {0};

    if (dynbuf_error(out)) {
        printf("[GAUSS-50205] : Failed to write the check's result: it exceeds %zu bytes.\n",
               out->max);
        return 1;
    }
    if (o->output) {
        printf("Performing operation system check/set. Output the result to the file %s.\n",
               o->output);
        if (fs_replace_file(o->output, out->buf, out->len, 0600, &err) < 0) {
            printf("[GAUSS-50205] : Failed to write %s.Error: %s\n", o->output, err.detail);
            return 1;
        }
        printf("Operation system check/set is completed.\n");
    } else {
        fputs(dynbuf_str(out), stdout);
    }
    if (o->set)
        printf("NOTICE: MTU value and some warning items can NOT be set. Please do it "
               "manually.\n");
    printf("Total numbers:%d. Abnormal numbers:%d. Warning numbers:%d.\n", t->total, t->abnormal,
           t->warning);
    if (t->abnormal > 0)
        printf("Do %s operation finished. Result: Abnormal.\n", o->set ? "setting" : "checking");
    return 0;
}

/* The node side: `gs_checkos --local-items A1,B3` (items as -i names them),
 * one fact a line; root or the cluster user (ogup's own, not openGauss's:
 * its node side is script/local/LocalCheckOS.py). */
static int local_items(int argc, char **argv)
{
    struct checkos_opts o = {0};
    struct og_error err = {0};
    _cleanup_dynbuf_ struct dynbuf out = {0}; /* freed on every return */

    oglog_set_console_level(OGLOG_NONE);
    if (argc != 3 || parse_items(argv[2], &o, &err) < 0 || o.all) {
        fprintf(stderr, "[GAUSS-50004] : The parameter '--local-items' value is incorrect.\n");
        return 1;
    }
    dynbuf_init(&out, CHECKOS_OUT_MAX);
    checkos_local_check(o.mask, &out);
    checkos_local_set(o.mask, &out);
    fputs(dynbuf_str(&out), stdout);
    if (dynbuf_error(&out)) { /* the coordinator sees no end line: a failed node */
        fprintf(stderr, "[GAUSS-50205] : Failed to write the items: more than %zu bytes.\n",
                out.max);
        return 1;
    }
    return 0;
}

int tool_gs_checkos(int argc, char **argv)
{
    struct checkos_opts o = {0};
    struct og_error err = {0};
    struct node_res res[CLUSTER_MAX_NODES];
    struct tally t = {0};
    int order[CHECKOS_N], done = -1, r;
    uint32_t mask = 0;
    size_t n_order, n_res = 0;
    _cleanup_dynbuf_ struct dynbuf out = {0}; /* freed on every return */

    if (argc >= 2 && strcmp(argv[1], "--local-items") == 0)
        return local_items(argc, argv);
    if (geteuid() != 0) /* GC:1474-1475, before the options */
        return om_fail(TOOL,
                       og_error_set(&err, OG_E_ONLY_ROOT,
                                    "Only a user with the root permission can run this script."),
                       &err);
    r = parse_args(argc, argv, &o, &done, &err);
    if (r < 0)
        return om_fail(TOOL, r, &err);
    if (done >= 0)
        return done;
    n_order = item_order(&o, order);
    for (size_t x = 0; x < n_order; x++)
        mask |= 1u << order[x];
    log_debug("om", "items 0x%x", mask);
    r = run_nodes(&o, mask, res, &n_res, &err);
    if (r == -OG_E_EXEC_FAILED) { /* printed by node_failed */
        for (size_t k = 0; k < n_res; k++)
            node_res_done(&res[k]);
        return 1;
    }
    if (r < 0) {
        for (size_t k = 0; k < n_res; k++)
            node_res_done(&res[k]);
        return om_fail(TOOL, r, &err);
    }
    dynbuf_init(&out, 1 << 20);
    report(&o, order, n_order, res, n_res, &out, &t);
    for (size_t k = 0; k < n_res; k++)
        node_res_done(&res[k]);
    return finish(&o, &out, &t);
}
