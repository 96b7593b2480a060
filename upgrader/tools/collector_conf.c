/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * collector_conf.c - gs_collector's -C file (collector_conf.h). GC below is
 * openGauss-OM v5.0.0 script/gs_collector, CM script/gspylib/common/Common.py.
 *
 * json-c keeps the last of two equal keys without a word, so the text is
 * first walked by dup_scan(): a strict JSON reader (RFC 8259 plus Python's
 * NaN/Infinity) that keeps each object's decoded keys and, when the object
 * closes, reports the first key seen a second time -- what GC:42-58's
 * object_pairs_hook does, innermost object first, and only for objects that
 * close before the first syntax error (json.loads calls the hook as each
 * object ends). Then json-c builds the tree that is validated.
 */
#include <ctype.h>
#include <errno.h>
#include <json-c/json.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "collector_conf.h"
#include "dynbuf.h"
#include "fs.h"
#include "strtable.h"
#include "banned.h"

#define CONF_MAX   (1 << 20)
#define JSON_DEPTH 64

DEFINE_TRIVIAL_CLEANUP_FUNC(json_object *, json_object_put)
DEFINE_TRIVIAL_CLEANUP_FUNC(json_tokener *, json_tokener_free)

static const char *const collect_type_table[COLLECT_N_TYPES] = {
    [COLLECT_SYSTEM] = "System", [COLLECT_DATABASE] = "Database", [COLLECT_LOG] = "Log",
    [COLLECT_XLOG] = "XLog",     [COLLECT_COREDUMP] = "CoreDump", [COLLECT_CONFIG] = "Config",
    [COLLECT_GSTACK] = "Gstack", [COLLECT_TRACE] = "Trace",       [COLLECT_PLAN] = "Plan",
};
STRTABLE_TO_STRING(collect_type_name, enum collect_type, collect_type_table, NULL);
STRTABLE_FROM_STRING(collect_type_from_name, int, collect_type_table, -1);

/* CM:473-497 COLLECT_CONF_MAP, by type */
static const char *const allowed[COLLECT_N_TYPES] = {
    "HardWareInfo,RunTimeInfo",
    "*",
    "Coordinator,DataNode,Gtm,ClusterManager,FFDC,AWRReport",
    "Coordinator,DataNode",
    "gaussdb,gs_gtm,gs_rewind,cm_server,cm_agent,gs_ctl,gaussdb_stack,gs_gtm_stack,"
    "gs_rewind_stack,cm_server_stack,cm_agent_stack,cm_server_stack,gs_ctl_stack,AioWorker,"
    "AlarmChecker,Archiver,Auditor,AutoVacLauncher,AutoVacWorker,AuxMain,BackendMode,BgWriter,"
    "BootStrap,Catchup,CBMWriter,Checkpointer,CommAuxStream,CommPoolCleaner,CommRcvStream,"
    "CommRcvWorker,CommSendStream,CpMonitor,DataRcvWriter,DataReceiver,DataSender,ExtremeRTO,"
    "FencedUDFMaster,GaussMaster,Heartbeater,JobExecutor,JobScheduler,LWLockMonitor,PageWriter,"
    "ParallelRecov,PercentileJob,Reaper,RemoteSrv,StartupProcess,StatCollector,Stream,SysLogger,"
    "ThdPoolListener,TwoPhaseCleaner,WalRcvWriter,WalReceiver,WalSender,WalWriter,WDRSnapshot,"
    "WlmArbiter,WlmCollector,WlmMonitor",
    "Coordinator,DataNode,Gtm",
    "Coordinator,DataNode,Gtm",
    "Dump",
    "*",
};

/* CM:397-471 COLLECT_CONF_CONTENT_MAP: a name maps to itself unless listed */
static const struct {
    const char *name, *value;
} content_map[] = {
    {"HardWareInfo", "cpuInfo,memInfo,disk"},
    {"RunTimeInfo", "ps,ioStat,netFlow,spaceUsage"},
    {"Coordinator", "CN"},
    {"DataNode", "DN"},
    {"Gtm", "GTM"},
    {"ClusterManager", "cm,om,bin"},
};
static const char *const content_same[] = {
    "gaussdb",         "gs_gtm",          "gs_rewind",     "cm_server",       "cm_agent",
    "gs_ctl",          "gaussdb_stack",   "gs_gtm_stack",  "gs_rewind_stack", "cm_server_stack",
    "cm_agent_stack",  "gs_ctl_stack",    "AioWorker",     "AlarmChecker",    "Archiver",
    "Auditor",         "AutoVacLauncher", "AutoVacWorker", "AuxMain",         "BackendMode",
    "BgWriter",        "BootStrap",       "Catchup",       "CBMWriter",       "Checkpointer",
    "CommAuxStream",   "CommPoolCleaner", "CommRcvStream", "CommRcvWorker",   "CommSendStream",
    "CpMonitor",       "DataRcvWriter",   "DataReceiver",  "DataSender",      "ExtremeRTO",
    "FencedUDFMaster", "GaussMaster",     "Heartbeater",   "JobExecutor",     "LWLockMonitor",
    "PageWriter",      "ParallelRecov",   "PercentileJob", "Reaper",          "RemoteSrv",
    "StartupProcess",  "StatCollector",   "Stream",        "SysLogger",       "ThdPoolListener",
    "TwoPhaseCleaner", "WalRcvWriter",    "WalReceiver",   "WalSender",       "WalWriter",
    "WDRSnapshot",     "WlmArbiter",      "WlmCollector",  "WlmMonitor",
};

static const char *map_content(const char *c)
{
    for (size_t i = 0; i < ELEMENTSOF(content_map); i++)
        if (strcmp(content_map[i].name, c) == 0)
            return content_map[i].value;
    for (size_t i = 0; i < ELEMENTSOF(content_same); i++)
        if (strcmp(content_same[i], c) == 0)
            return content_same[i];
    return NULL;
}

int collect_conf_default_path(char *buf, size_t size, struct og_error *err)
{
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    char *slash;

    if (n <= 0)
        return og_error_set_errno(err, OG_E_READ_FAILED, errno, "/proc/self/exe");
    exe[n] = '\0';
    slash = strrchr(exe, '/');
    if (slash)
        *slash = '\0';
    snprintf(buf, size, "%s/gspylib/etc/conf/gs_collector.json", exe);
    return 0;
}

/* ---- dup_scan: duplicated keys in the order json.loads reports them ---- */

struct scan {
    const char *p, *end;
    int depth;
    char *dup; /* the key found twice (malloc'd) */
};

static void ws(struct scan *s)
{
    while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' || *s->p == '\r'))
        s->p++;
}

static bool lit(struct scan *s, const char *w)
{
    size_t n = strlen(w);

    if ((size_t)(s->end - s->p) < n || strncmp(s->p, w, n) != 0)
        return false;
    s->p += n;
    return true;
}

/* A string token; *ret (when asked) its decoded text, by json-c. */
static bool str_tok(struct scan *s, char **ret)
{
    const char *start = s->p;

    if (s->p >= s->end || *s->p != '"')
        return false;
    for (s->p++; s->p < s->end && *s->p != '"'; s->p++) {
        if ((unsigned char)*s->p < 0x20)
            return false; /* json strict mode */
        if (*s->p != '\\')
            continue;
        if (++s->p >= s->end || !strchr("\"\\/bfnrtu", *s->p))
            return false;
        if (*s->p == 'u')
            for (int i = 0; i < 4; i++)
                if (++s->p >= s->end || !isxdigit((unsigned char)*s->p))
                    return false;
    }
    if (s->p >= s->end)
        return false;
    s->p++;
    if (ret) {
        _cleanup_(json_tokener_freep) json_tokener *tok = json_tokener_new();
        _cleanup_(json_object_putp) json_object *o = NULL;
        if (!tok)
            return false;
        o = json_tokener_parse_ex(tok, start, (int)(s->p - start));
        if (!o || !json_object_is_type(o, json_type_string))
            return false;
        *ret = strdup(json_object_get_string(o));
        return *ret != NULL;
    }
    return true;
}

static bool number_tok(struct scan *s)
{
    const char *p = s->p;

    if (lit(s, "NaN") || lit(s, "Infinity") || lit(s, "-Infinity"))
        return true;
    if (p < s->end && *p == '-')
        p++;
    if (p >= s->end || !isdigit((unsigned char)*p))
        return false;
    if (*p == '0')
        p++;
    else
        while (p < s->end && isdigit((unsigned char)*p))
            p++;
    if (p + 1 < s->end && *p == '.' && isdigit((unsigned char)p[1]))
        for (p++; p < s->end && isdigit((unsigned char)*p); p++)
            ;
    if (p < s->end && (*p == 'e' || *p == 'E')) {
        const char *q = p + 1;
        if (q < s->end && (*q == '+' || *q == '-'))
            q++;
        if (q < s->end && isdigit((unsigned char)*q)) {
            for (p = q; p < s->end && isdigit((unsigned char)*p); p++)
                ;
        }
    }
    s->p = p;
    return true;
}

static bool value_tok(struct scan *s);

/* An object; at its end the first key whose second occurrence comes first. */
static bool object_tok(struct scan *s)
{
    char **keys = NULL;
    size_t n = 0;
    bool ok = false;

    s->p++;
    ws(s);
    if (s->p < s->end && *s->p == '}') {
        s->p++;
        return true;
    }
    for (;;) {
        char *k = NULL, **grown;
        ws(s);
        if (!str_tok(s, &k))
            break;
        grown = realloc(keys, (n + 1) * sizeof(*keys));
        if (!grown) {
            free(k);
            break;
        }
        keys = grown;
        keys[n++] = k;
        ws(s);
        if (s->p >= s->end || *s->p++ != ':' || !value_tok(s) || s->dup)
            break;
        ws(s);
        if (s->p < s->end && *s->p == ',') {
            s->p++;
            continue;
        }
        if (s->p < s->end && *s->p == '}') {
            s->p++;
            ok = true;
        }
        break;
    }
    for (size_t i = 1; ok && !s->dup && i < n; i++)
        for (size_t j = 0; j < i && !s->dup; j++)
            if (strcmp(keys[i], keys[j]) == 0)
                s->dup = strdup(keys[i]);
    for (size_t i = 0; i < n; i++)
        free(keys[i]);
    free(keys);
    return ok;
}

static bool array_tok(struct scan *s)
{
    s->p++;
    ws(s);
    if (s->p < s->end && *s->p == ']') {
        s->p++;
        return true;
    }
    for (;;) {
        if (!value_tok(s) || s->dup)
            return false;
        ws(s);
        if (s->p < s->end && *s->p == ',') {
            s->p++;
            continue;
        }
        if (s->p < s->end && *s->p == ']') {
            s->p++;
            return true;
        }
        return false;
    }
}

static bool value_tok(struct scan *s)
{
    bool ok;

    ws(s);
    if (s->p >= s->end || ++s->depth > JSON_DEPTH)
        return false;
    switch (*s->p) {
    case '{':
        ok = object_tok(s);
        break;
    case '[':
        ok = array_tok(s);
        break;
    case '"':
        ok = str_tok(s, NULL);
        break;
    default:
        ok = lit(s, "true") || lit(s, "false") || lit(s, "null") || number_tok(s);
    }
    s->depth--;
    return ok;
}

/* ---- validation of the tree (GC:266-330) ------------------------------- */

/* Interval / Count: a string whose digits, once spaces are removed, make
 * a number (GC:289-294; Python's isdigit, here ASCII digits). */
static int parse_number(const char *conf, const char *key, json_object *v, long *ret,
                        struct og_error *err)
{
    const char *s;
    long n = 0;
    size_t digits = 0;

    if (!json_object_is_type(v, json_type_string)) /* str.replace on an int: 51239 */
        return og_error_set(err, OG_E_COLLECT_JSON,
                            "Failed to parse json. gs_collect configuration file (%s) is invalid "
                            ", check key in json file",
                            conf);
    s = json_object_get_string(v);
    for (const char *c = s; *c; c++) {
        if (*c == ' ')
            continue;
        if (!isdigit((unsigned char)*c) || ++digits > 9) {
            digits = 0;
            break;
        }
        n = n * 10 + (*c - '0');
    }
    if (digits == 0)
        return og_error_set(err, OG_E_COLLECT_NUMBER,
                            "The parameter %s(%s) formate is wrong, or value is less than 0.", key,
                            s);
    *ret = n;
    return 0;
}

static int bad_json(const char *conf, struct og_error *err)
{
    return og_error_set(err, OG_E_COLLECT_JSON,
                        "Failed to parse json. gs_collect configuration file (%s) is invalid , "
                        "check key in json file",
                        conf);
}

/* The content of one item against its type's lists (GC:296-315). */
static int check_content(const char *conf, enum collect_type t, const char *written, char **ret,
                         struct og_error *err)
{
    _cleanup_free_ char *squeezed = malloc(strlen(written) + 1);
    _cleanup_dynbuf_ struct dynbuf out = {0};
    size_t n = 0;
    char *p;

    if (!squeezed)
        return og_error_set(err, OG_E_NOMEM, "content");
    if (t == COLLECT_DATABASE || t == COLLECT_PLAN) {
        *ret = strdup(written);
        return *ret ? 0 : og_error_set(err, OG_E_NOMEM, "content");
    }
    for (const char *c = written; *c; c++)
        if (*c != ' ')
            squeezed[n++] = *c;
    squeezed[n] = '\0';
    dynbuf_init(&out, CONF_MAX * 4);
    p = squeezed;
    for (;;) {
        size_t k = strcspn(p, ",");
        char c = p[k];
        const char *mapped;
        p[k] = '\0';
        if (!strstr(allowed[t], p)) /* `c not in d_c`: a substring test */
            return og_error_set(err, OG_E_COLLECT_CONTENT,
                                "content(%s) does not match the typename(%s) in gs_collect "
                                "configuration file(%s).",
                                p, collect_type_name(t), conf);
        if (!(mapped = map_content(p)))
            return og_error_set(err, OG_E_COLLECT_UNSUPPORTED, "(%s) doesn't yet support.", p);
        if (dynbuf_appendf(&out, "%s,", mapped) < 0)
            return og_error_set(err, OG_E_NOMEM, "content");
        if (!c)
            break;
        p += k + 1;
    }
    *ret = dynbuf_steal(&out);
    return *ret ? 0 : og_error_set(err, OG_E_NOMEM, "content");
}

/* One {"TypeName": ..} of the Collect list, its keys in the file's order. */
static int check_item(const char *conf, json_object *it, struct collect_item *ret,
                      struct og_error *err)
{
    const char *content = NULL;
    int type = -1, r;

    memset(ret, 0, sizeof(*ret));
    if (!json_object_is_type(it, json_type_object))
        return bad_json(conf, err);
    json_object_object_foreach(it, k, v)
    {
        if (strcmp(k, "TypeName") == 0) {
            if (!json_object_is_type(v, json_type_string) ||
                (type = collect_type_from_name(json_object_get_string(v))) < 0)
                return bad_json(conf, err); /* COLLECT_CONF_MAP[v]: KeyError */
        } else if (strcmp(k, "Content") == 0) {
            /* len() of a number fails; a list or object has no replace() */
            if (!json_object_is_type(v, json_type_string))
                return bad_json(conf, err);
            content = json_object_get_string(v);
        } else if (strcmp(k, "Interval") == 0 || strcmp(k, "Count") == 0) {
            bool iv = k[0] == 'I';
            r = parse_number(conf, k, v, iv ? &ret->interval : &ret->count, err);
            if (r < 0)
                return r;
            *(iv ? &ret->has_interval : &ret->has_count) = true;
        } else {
            return og_error_set(err, OG_E_COLLECT_KEY,
                                "gs_collect configuration file is invalid: %s, the key: (%s) is "
                                "invalid.",
                                conf, k);
        }
    }
    if (type < 0 || !content || !content[0])
        return og_error_set(err, OG_E_COLLECT_TYPENAME,
                            "gs_collect configuration file is invalid, TypeName or content must "
                            "in config file.");
    ret->type = (enum collect_type)type;
    return check_content(conf, ret->type, content, &ret->content, err);
}

static int check_tree(const char *conf, json_object *root, struct collect_conf *c,
                      struct og_error *err)
{
    if (!json_object_is_type(root, json_type_object))
        return bad_json(conf, err);
    json_object_object_foreach(root, key, value)
    {
        size_t n;
        if (strcmp(key, "Collect") != 0)
            return og_error_set(err, OG_E_COLLECT_KEY,
                                "gs_collect configuration file is invalid: %s, the key: (%s) is "
                                "invalid.",
                                conf, key);
        /* `for it in value`: an empty string or object iterates nothing,
         * anything else but a list fails (str / dict members have no items()) */
        if ((json_object_is_type(value, json_type_string) && !json_object_get_string_len(value)) ||
            (json_object_is_type(value, json_type_object) && !json_object_object_length(value)))
            continue;
        if (!json_object_is_type(value, json_type_array))
            return bad_json(conf, err);
        n = json_object_array_length(value);
        for (size_t i = 0; i < n; i++) {
            struct collect_item *grown = realloc(c->items, (c->n + 1) * sizeof(*grown));
            int r;
            if (!grown)
                return og_error_set(err, OG_E_NOMEM, "configuration");
            c->items = grown;
            r = check_item(conf, json_object_array_get_idx(value, i), &c->items[c->n], err);
            if (r < 0)
                return r;
            c->n++;
        }
    }
    if (c->n == 0)
        return og_error_set(err, OG_E_COLLECT_NOTHING,
                            "There is no info should be collected ,gs_collector is finished. ");
    return 0;
}

void collect_conf_done(struct collect_conf *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->n; i++)
        free(c->items[i].content);
    free(c->items);
    c->items = NULL;
    c->n = 0;
}

int collect_conf_load(const char *path, struct collect_conf *ret, struct og_error *err)
{
    _cleanup_free_ char *text = NULL;
    _cleanup_(json_tokener_freep) json_tokener *tok = NULL;
    _cleanup_(json_object_putp) json_object *root = NULL;
    struct collect_conf c = {0};
    struct scan s = {0};
    struct stat st;
    size_t len = 0;
    bool whole;
    int r;

    if (stat(path, &st) < 0 && errno == ENOENT)
        return og_error_set(err, OG_E_NOT_EXIST, "The %s does not exist.", path);
    /* unreadable, a directory, over the bound: open()/read() raise, GC:325 */
    if (fs_read_file(path, CONF_MAX, &text, &len, NULL) < 0 || strlen(text) != len)
        return bad_json(path, err);
    s.p = text;
    s.end = text + len;
    whole = value_tok(&s);
    if (s.dup) {
        r = og_error_set(err, OG_E_COLLECT_DUP_KEY, "There are duplicate key(%s).", s.dup);
        free(s.dup);
        return r;
    }
    ws(&s);
    if (!whole || s.p != s.end || !(tok = json_tokener_new_ex(JSON_DEPTH + 1)))
        return bad_json(path, err);
    root = json_tokener_parse_ex(tok, text, (int)len);
    if (!root || json_tokener_get_error(tok) != json_tokener_success)
        return bad_json(path, err);
    r = check_tree(path, root, &c, err);
    if (r < 0) {
        collect_conf_done(&c);
        return r;
    }
    *ret = c;
    return 0;
}
