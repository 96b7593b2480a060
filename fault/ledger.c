/* SPDX-License-Identifier: MulanPSL-2.0 */
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "failpoint.h"
#include "fs.h"
#include "ledger.h"
#include "strtable.h"
#include "banned.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(json_object *, json_object_put)

static const char *const fault_state_table[] = {
    [FAULT_INSTALLING] = "installing",
    [FAULT_ACTIVE] = "active",
    [FAULT_HEALED] = "healed",
};
STRTABLE_TO_STRING(fault_state_name, enum fault_state, fault_state_table, "?");
STRTABLE_FROM_STRING(fault_state_from_name, int, fault_state_table, -1);

static const struct failpoint_def ledger_points[] = {
    {"fault.ledger.mid-write", "the ledger's temp file is half written (crash-safety tests)"},
};

int ledger_register_failpoints(void)
{
    return failpoint_register_all(ledger_points, ELEMENTSOF(ledger_points));
}

void ledger_now(char *buf, size_t size)
{
    time_t t = time(NULL);
    struct tm tm;

    gmtime_r(&t, &tm);
    strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

int ledger_new(const char *cluster, struct ledger **ret, struct og_error *err)
{
    struct ledger *l = calloc(1, sizeof(*l));

    if (!l)
        return og_error_set(err, OG_E_NOMEM, "ledger");
    snprintf(l->cluster, sizeof(l->cluster), "%s", cluster ? cluster : "");
    l->next_id = 1;
    *ret = l;
    return 0;
}

void ledger_free(struct ledger *l)
{
    if (!l)
        return;
    free(l->entries);
    free(l);
}

/* ---- JSON out ------------------------------------------------------------------ */

static json_object *str_array(const char *const *v, size_t n)
{
    json_object *a = json_object_new_array();

    for (size_t i = 0; a && i < n; i++)
        json_object_array_add(a, json_object_new_string(v[i]));
    return a;
}

static json_object *entry_json(const struct ledger_entry *e)
{
    json_object *o = json_object_new_object(), *p, *u, *nodes;
    const char *nv[2] = {e->nodes[0], e->nodes[1]};

    if (!o)
        return NULL;
    nodes = str_array(nv, e->n_nodes);
    p = json_object_new_object();
    u = json_object_new_object();
    json_object_object_add(o, "id", json_object_new_int(e->id));
    json_object_object_add(o, "kind", json_object_new_string(fault_kind_name(e->kind)));
    json_object_object_add(o, "nodes", nodes);
    json_object_object_add(o, "state", json_object_new_string(fault_state_name(e->state)));
    json_object_object_add(o, "created", json_object_new_string(e->created));
    json_object_object_add(o, "installed", json_object_new_string(e->installed));
    json_object_object_add(o, "healed", json_object_new_string(e->healed));
    json_object_object_add(o, "error", json_object_new_string(e->error));

    switch (e->kind) {
    case FAULT_DISK_FULL:
        json_object_object_add(p, "free_bytes", json_object_new_int64(e->params.free_bytes));
        json_object_object_add(p, "ballast_bytes", json_object_new_int64(e->params.ballast_bytes));
        json_object_object_add(u, "domain", json_object_new_string(e->undo.domain));
        json_object_object_add(u, "path", json_object_new_string(e->undo.path));
        break;
    case FAULT_NET_CUT:
        json_object_object_add(u, "veth", json_object_new_string(e->undo.veth));
        break;
    case FAULT_NET_LOSS:
        json_object_object_add(p, "percent", json_object_new_int(e->params.percent));
        /* fall through */
    case FAULT_PARTITION: {
        json_object *rules = json_object_new_array();
        json_object_object_add(u, "chain", json_object_new_string(e->undo.chain));
        for (size_t i = 0; i < e->undo.n_rules; i++) {
            char buf[LEDGER_RULE_MAX];
            const char *tok[LEDGER_RULE_MAX / 2];
            int n = ledger_rule_split(e->undo.rules[i], buf, sizeof(buf), tok, ELEMENTSOF(tok));
            json_object_array_add(rules, str_array(tok, n > 0 ? (size_t)n : 0));
        }
        json_object_object_add(u, "rules", rules);
        break;
    }
    case FAULT_KILL_DB:
        json_object_object_add(u, "pid", json_object_new_int64(e->undo.pid));
        json_object_object_add(u, "restart_db", json_object_new_boolean(e->undo.restart_db));
        break;
    case FAULT_KILL_UPGRADER: {
        json_object *pids = json_object_new_array();
        for (size_t i = 0; i < e->params.n_pids; i++)
            json_object_array_add(pids, json_object_new_int64(e->params.pids[i]));
        json_object_object_add(p, "pids", pids);
        break;
    }
    case FAULT_POWER_OFF:
        json_object_object_add(u, "domain", json_object_new_string(e->undo.domain));
        json_object_object_add(u, "restart_db", json_object_new_boolean(e->undo.restart_db));
        break;
    case FAULT_FREEZE:
        json_object_object_add(u, "domain", json_object_new_string(e->undo.domain));
        break;
    case FAULT_FAILPOINT:
        json_object_object_add(p, "spec", json_object_new_string(e->params.spec));
        break;
    case FAULT_KIND_COUNT:
        break;
    }
    json_object_object_add(o, "params", p);
    json_object_object_add(o, "undo", u);
    return o;
}

static int to_text(json_object *o, struct dynbuf *out)
{
    const char *s;

    if (!o)
        return -OG_E_NOMEM;
    s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
                                              JSON_C_TO_STRING_NOSLASHESCAPE);
    if (!s)
        return -OG_E_NOMEM;
    return dynbuf_appendf(out, "%s\n", s);
}

int ledger_entry_format(const struct ledger_entry *e, struct dynbuf *out)
{
    _cleanup_(json_object_putp) json_object *o = entry_json(e);

    return to_text(o, out);
}

int ledger_format(const struct ledger *l, struct dynbuf *out)
{
    _cleanup_(json_object_putp) json_object *o = json_object_new_object();
    json_object *faults = json_object_new_array();

    if (!o || !faults) {
        json_object_put(faults);
        return -OG_E_NOMEM;
    }
    json_object_object_add(o, "format", json_object_new_int(LEDGER_FORMAT));
    json_object_object_add(o, "cluster", json_object_new_string(l->cluster));
    json_object_object_add(o, "next_id", json_object_new_int(l->next_id));
    json_object_object_add(o, "faults", faults);
    for (size_t i = 0; i < l->n; i++) {
        json_object *e = entry_json(&l->entries[i]);
        if (!e)
            return -OG_E_NOMEM;
        json_object_array_add(faults, e);
    }
    return to_text(o, out);
}

/* ---- JSON in ------------------------------------------------------------------- */

/* Strict getters: a missing key or a wrong type fails the parse. */
static int get(json_object *o, const char *k, json_type t, json_object **v, struct og_error *err)
{
    if (!json_object_object_get_ex(o, k, v) || !json_object_is_type(*v, t))
        return og_error_set(err, OG_E_FAULT_LEDGER, "the ledger's \"%s\" is missing or not a%s %s",
                            k, t == json_type_int || t == json_type_array ? "n" : "",
                            json_type_to_name(t));
    return 0;
}

static int get_str(json_object *o, const char *k, char *buf, size_t size, struct og_error *err)
{
    json_object *v;
    int r = get(o, k, json_type_string, &v, err);

    if (r < 0)
        return r;
    if ((size_t)json_object_get_string_len(v) >= size)
        return og_error_set(err, OG_E_FAULT_LEDGER, "the ledger's \"%s\" is too long", k);
    snprintf(buf, size, "%s", json_object_get_string(v));
    return 0;
}

static int get_int64(json_object *o, const char *k, long long lo, long long hi, long long *ret,
                     struct og_error *err)
{
    json_object *v;
    int r = get(o, k, json_type_int, &v, err);
    long long x;

    if (r < 0)
        return r;
    x = (long long)json_object_get_int64(v);
    if (x < lo || x > hi)
        return og_error_set(err, OG_E_FAULT_LEDGER, "the ledger's \"%s\" (%lld) is out of range", k,
                            x);
    *ret = x;
    return 0;
}

static int get_bool(json_object *o, const char *k, bool *ret, struct og_error *err)
{
    json_object *v;
    int r = get(o, k, json_type_boolean, &v, err);

    if (r == 0)
        *ret = json_object_get_boolean(v);
    return r;
}

static bool safe_token(const char *s)
{
    if (!s[0])
        return false;
    for (; *s; s++)
        if (*s == ' ' || *s == '\n' || *s == '\t' || (unsigned char)*s < 0x20)
            return false;
    return true;
}

static int parse_rules(json_object *u, struct fault_undo *undo, struct og_error *err)
{
    json_object *rules;
    int r = get(u, "rules", json_type_array, &rules, err);

    if (r < 0)
        return r;
    if (json_object_array_length(rules) > LEDGER_RULES_MAX)
        return og_error_set(err, OG_E_FAULT_LEDGER, "the ledger holds too many rules in a fault");
    for (size_t i = 0; i < json_object_array_length(rules); i++) {
        json_object *rule = json_object_array_get_idx(rules, i);
        size_t o = 0;
        if (!json_object_is_type(rule, json_type_array) || json_object_array_length(rule) == 0)
            return og_error_set(err, OG_E_FAULT_LEDGER, "a rule in the ledger is not a list");
        for (size_t j = 0; j < json_object_array_length(rule); j++) {
            json_object *t = json_object_array_get_idx(rule, j);
            const char *s = json_object_get_string(t);
            if (!json_object_is_type(t, json_type_string) || !safe_token(s))
                return og_error_set(err, OG_E_FAULT_LEDGER,
                                    "a rule token in the ledger is empty or holds a blank");
            if (o + strlen(s) + 2 > LEDGER_RULE_MAX)
                return og_error_set(err, OG_E_FAULT_LEDGER, "a rule in the ledger is too long");
            o += (size_t)snprintf(undo->rules[i] + o, LEDGER_RULE_MAX - o, "%s%s", j ? " " : "", s);
        }
        undo->n_rules++;
    }
    return 0;
}

static int parse_nodes(json_object *nodes, struct ledger_entry *e, struct og_error *err)
{
    if (json_object_array_length(nodes) > 2)
        return og_error_set(err, OG_E_FAULT_LEDGER, "fault %d names more than two nodes", e->id);
    for (size_t i = 0; i < json_object_array_length(nodes); i++) {
        json_object *n = json_object_array_get_idx(nodes, i);
        const char *ns = json_object_get_string(n);
        if (!json_object_is_type(n, json_type_string) || !safe_token(ns) || ns[0] == '-' ||
            strlen(ns) >= sizeof(e->nodes[0]))
            return og_error_set(err, OG_E_FAULT_LEDGER, "fault %d names a bad node", e->id);
        snprintf(e->nodes[e->n_nodes++], sizeof(e->nodes[0]), "%s", ns);
    }
    return 0;
}

/* id, kind, state, the times, error and nodes: what every fault has; p and
 * u its params and undo objects, for parse_kind. */
static int parse_common(json_object *o, struct ledger_entry *e, json_object **p, json_object **u,
                        struct og_error *err)
{
    char kind[32], state[32];
    json_object *nodes;
    long long x;
    int r, k, s;

    if (!json_object_is_type(o, json_type_object))
        return og_error_set(err, OG_E_FAULT_LEDGER, "a fault in the ledger is not an object");
    r = get_int64(o, "id", 1, INT_MAX, &x, err);
    if (r < 0)
        return r;
    e->id = (int)x;
    if ((r = get_str(o, "kind", kind, sizeof(kind), err)) < 0 ||
        (r = get_str(o, "state", state, sizeof(state), err)) < 0 ||
        (r = get_str(o, "created", e->created, sizeof(e->created), err)) < 0 ||
        (r = get_str(o, "installed", e->installed, sizeof(e->installed), err)) < 0 ||
        (r = get_str(o, "healed", e->healed, sizeof(e->healed), err)) < 0 ||
        (r = get_str(o, "error", e->error, sizeof(e->error), err)) < 0 ||
        (r = get(o, "nodes", json_type_array, &nodes, err)) < 0 ||
        (r = get(o, "params", json_type_object, p, err)) < 0 ||
        (r = get(o, "undo", json_type_object, u, err)) < 0)
        return r;
    k = fault_kind_from_name(kind);
    s = fault_state_from_name(state);
    if (k < 0)
        return og_error_set(err, OG_E_FAULT_LEDGER, "the ledger names an unknown fault kind \"%s\"",
                            kind);
    if (s < 0)
        return og_error_set(err, OG_E_FAULT_LEDGER, "the ledger names an unknown state \"%s\"",
                            state);
    e->kind = (enum fault_kind)k;
    e->state = (enum fault_state)s;
    return parse_nodes(nodes, e, err);
}

static int parse_disk_full(json_object *p, json_object *u, struct ledger_entry *e,
                           struct og_error *err)
{
    int r;

    if ((r = get_int64(p, "free_bytes", -1, LLONG_MAX, &e->params.free_bytes, err)) < 0 ||
        (r = get_int64(p, "ballast_bytes", 0, LLONG_MAX, &e->params.ballast_bytes, err)) < 0 ||
        (r = get_str(u, "domain", e->undo.domain, sizeof(e->undo.domain), err)) < 0 ||
        (r = get_str(u, "path", e->undo.path, sizeof(e->undo.path), err)) < 0)
        return r;
    if (e->undo.path[0] != '/' || strstr(e->undo.path, "/../"))
        return og_error_set(err, OG_E_FAULT_LEDGER,
                            "fault %d: the ballast path is not "
                            "absolute",
                            e->id);
    return 0;
}

/* net-loss (its percent first) and partition: the chain and its rules */
static int parse_chain(json_object *p, json_object *u, struct ledger_entry *e, struct og_error *err)
{
    long long x;
    int r;

    if (e->kind == FAULT_NET_LOSS) {
        if ((r = get_int64(p, "percent", 1, 100, &x, err)) < 0)
            return r;
        e->params.percent = (int)x;
    }
    if ((r = get_str(u, "chain", e->undo.chain, sizeof(e->undo.chain), err)) < 0 ||
        (r = parse_rules(u, &e->undo, err)) < 0)
        return r;
    if (!safe_token(e->undo.chain) || e->undo.chain[0] == '-')
        return og_error_set(err, OG_E_FAULT_LEDGER, "fault %d: bad chain name", e->id);
    return 0;
}

static int parse_pids(json_object *p, struct ledger_entry *e, struct og_error *err)
{
    json_object *pids;
    int r = get(p, "pids", json_type_array, &pids, err);

    if (r < 0)
        return r;
    if (json_object_array_length(pids) > LEDGER_PIDS_MAX)
        return og_error_set(err, OG_E_FAULT_LEDGER, "fault %d: too many pids", e->id);
    for (size_t i = 0; i < json_object_array_length(pids); i++)
        e->params.pids[e->params.n_pids++] =
            (long)json_object_get_int64(json_object_array_get_idx(pids, i));
    return 0;
}

/* The kind's own params and undo fields. */
static int parse_kind(json_object *p, json_object *u, struct ledger_entry *e, struct og_error *err)
{
    long long x;
    int r = 0;

    e->params.free_bytes = -1;
    switch (e->kind) {
    case FAULT_DISK_FULL:
        return parse_disk_full(p, u, e, err);
    case FAULT_NET_CUT:
        if ((r = get_str(u, "veth", e->undo.veth, sizeof(e->undo.veth), err)) < 0)
            return r;
        if (!safe_token(e->undo.veth) || e->undo.veth[0] == '-')
            return og_error_set(err, OG_E_FAULT_LEDGER, "fault %d: bad interface name", e->id);
        break;
    case FAULT_NET_LOSS:
    case FAULT_PARTITION:
        return parse_chain(p, u, e, err);
    case FAULT_KILL_DB:
        if ((r = get_int64(u, "pid", 0, INT_MAX, &x, err)) < 0 ||
            (r = get_bool(u, "restart_db", &e->undo.restart_db, err)) < 0)
            return r;
        e->undo.pid = (long)x;
        break;
    case FAULT_KILL_UPGRADER:
        return parse_pids(p, e, err);
    case FAULT_POWER_OFF:
        if ((r = get_str(u, "domain", e->undo.domain, sizeof(e->undo.domain), err)) < 0 ||
            (r = get_bool(u, "restart_db", &e->undo.restart_db, err)) < 0)
            return r;
        break;
    case FAULT_FREEZE:
        r = get_str(u, "domain", e->undo.domain, sizeof(e->undo.domain), err);
        break;
    case FAULT_FAILPOINT:
        r = get_str(p, "spec", e->params.spec, sizeof(e->params.spec), err);
        break;
    case FAULT_KIND_COUNT:
        break;
    }
    return r;
}

static int parse_entry(json_object *o, struct ledger_entry *e, struct og_error *err)
{
    json_object *p, *u;
    int r = parse_common(o, e, &p, &u, err);

    return r < 0 ? r : parse_kind(p, u, e, err);
}

int ledger_parse(const char *text, struct ledger **ret, struct og_error *err)
{
    _cleanup_(json_object_putp) json_object *o = NULL;
    _cleanup_ledger_ struct ledger *l = NULL;
    enum json_tokener_error jerr = json_tokener_success;
    json_object *faults;
    long long x;
    size_t n;
    int r;

    if (strlen(text) > LEDGER_MAX_BYTES)
        return og_error_set(err, OG_E_FAULT_LEDGER, "the ledger is larger than %u bytes",
                            LEDGER_MAX_BYTES);
    o = json_tokener_parse_verbose(text, &jerr);
    if (!o || !json_object_is_type(o, json_type_object))
        return og_error_set(err, OG_E_FAULT_LEDGER, "the ledger is not a JSON object (%s)",
                            json_tokener_error_desc(jerr));
    r = ledger_new(NULL, &l, err);
    if (r < 0)
        return r;
    if ((r = get_int64(o, "format", 1, 1000, &x, err)) < 0)
        return r;
    if (x != LEDGER_FORMAT)
        return og_error_set(err, OG_E_FAULT_LEDGER, "the ledger's format %lld is not %d", x,
                            LEDGER_FORMAT);
    if ((r = get_str(o, "cluster", l->cluster, sizeof(l->cluster), err)) < 0 ||
        (r = get_int64(o, "next_id", 1, INT_MAX, &x, err)) < 0 ||
        (r = get(o, "faults", json_type_array, &faults, err)) < 0)
        return r;
    l->next_id = (int)x;
    n = json_object_array_length(faults);
    if (n > LEDGER_MAX_ENTRIES)
        return og_error_set(err, OG_E_FAULT_LEDGER, "the ledger holds more than %d faults",
                            LEDGER_MAX_ENTRIES);
    l->entries = calloc(n ? n : 1, sizeof(*l->entries));
    if (!l->entries)
        return og_error_set(err, OG_E_NOMEM, "ledger");
    for (size_t i = 0; i < n; i++) {
        struct ledger_entry *e = &l->entries[i];
        r = parse_entry(json_object_array_get_idx(faults, i), e, err);
        if (r < 0)
            return r;
        if (e->id >= l->next_id)
            return og_error_set(err, OG_E_FAULT_LEDGER, "fault %d is not below next_id %d", e->id,
                                l->next_id);
        for (size_t j = 0; j < i; j++)
            if (l->entries[j].id == e->id)
                return og_error_set(err, OG_E_FAULT_LEDGER, "fault %d is listed twice", e->id);
        l->n++;
    }
    *ret = steal_ptr(l);
    return 0;
}

/* ---- file ------------------------------------------------------------------------ */

int ledger_load(const char *path, const char *cluster, struct ledger **ret, struct og_error *err)
{
    _cleanup_free_ char *text = NULL;
    int r = fs_read_file(path, LEDGER_MAX_BYTES, &text, NULL, err);

    if (r == -OG_E_NOT_EXIST) {
        og_error_clear(err);
        return ledger_new(cluster, ret, err);
    }
    if (r == -OG_E_TOO_LARGE)
        return og_error_set(err, OG_E_FAULT_LEDGER, "the ledger %s is larger than %u bytes", path,
                            LEDGER_MAX_BYTES);
    if (r < 0)
        return r;
    r = ledger_parse(text, ret, err);
    if (r < 0)
        og_error_prefix(err, "%s", path);
    return r;
}

struct save_ctx {
    const char *data;
    size_t len;
};

/* Writes in two halves with a failpoint between: a test kills the writer
 * there and proves the old ledger survives. */
static int write_halves(int fd, void *ud, struct og_error *err)
{
    struct save_ctx *s = ud;
    size_t half = s->len / 2;
    int r = fs_write_all(fd, s->data, half);

    if (r == 0)
        r = failpoint_hit("fault.ledger.mid-write", err);
    else
        return og_error_set_errno(err, OG_E_WRITE_FAILED, -r, "write the ledger");
    if (r < 0)
        return r;
    r = fs_write_all(fd, s->data + half, s->len - half);
    if (r < 0)
        return og_error_set_errno(err, OG_E_WRITE_FAILED, -r, "write the ledger");
    return 0;
}

int ledger_save(const struct ledger *l, const char *path, struct og_error *err)
{
    _cleanup_dynbuf_ struct dynbuf out = {0};
    struct save_ctx s;
    int r;

    dynbuf_init(&out, LEDGER_MAX_BYTES);
    r = ledger_format(l, &out);
    if (r == -OG_E_TOO_LARGE)
        return og_error_set(err, OG_E_FAULT_LEDGER, "the ledger would exceed %u bytes",
                            LEDGER_MAX_BYTES);
    if (r < 0)
        return og_error_set(err, OG_E_NOMEM, "ledger");
    s.data = dynbuf_str(&out);
    s.len = out.len;
    return fs_replace_file_with(path, 0600, write_halves, &s, err);
}

int ledger_lock(const char *dir, int timeout_ms, struct lockfile **ret, struct og_error *err)
{
    char path[PATH_MAX];

    snprintf(path, sizeof(path), "%s/%s", dir, LEDGER_LOCK);
    return lockfile_acquire(path, "ogfault", timeout_ms, ret, err);
}

/* ---- entries ---------------------------------------------------------------------- */

int ledger_add(struct ledger *l, enum fault_kind kind, struct ledger_entry **ret,
               struct og_error *err)
{
    struct ledger_entry *v, *e;

    if ((unsigned)kind >= FAULT_KIND_COUNT)
        return og_error_set(err, OG_E_INVALID_ARG, "fault kind %d", (int)kind);
    if (l->n >= LEDGER_MAX_ENTRIES)
        return og_error_set(err, OG_E_FAULT_LEDGER,
                            "the ledger holds %d faults already: heal "
                            "them and remove the ledger",
                            LEDGER_MAX_ENTRIES);
    if (l->next_id == INT_MAX)
        return og_error_set(err, OG_E_FAULT_LEDGER, "fault ids are exhausted");
    v = realloc(l->entries, (l->n + 1) * sizeof(*v));
    if (!v)
        return og_error_set(err, OG_E_NOMEM, "ledger");
    l->entries = v;
    e = &l->entries[l->n++];
    memset(e, 0, sizeof(*e));
    e->id = l->next_id++;
    e->kind = kind;
    e->state = FAULT_INSTALLING;
    e->params.free_bytes = -1;
    ledger_now(e->created, sizeof(e->created));
    *ret = e;
    return 0;
}

struct ledger_entry *ledger_find(struct ledger *l, int id)
{
    for (size_t i = 0; i < l->n; i++)
        if (l->entries[i].id == id)
            return &l->entries[i];
    return NULL;
}

int ledger_entry_set_state(struct ledger_entry *e, enum fault_state s, struct og_error *err)
{
    bool ok = (e->state == FAULT_INSTALLING && (s == FAULT_ACTIVE || s == FAULT_HEALED)) ||
              (e->state == FAULT_ACTIVE && s == FAULT_HEALED);

    if (!ok)
        return og_error_set(err, OG_E_FAULT_STATE, "fault %d is %s: it cannot become %s", e->id,
                            fault_state_name(e->state), fault_state_name(s));
    e->state = s;
    ledger_now(s == FAULT_ACTIVE ? e->installed : e->healed, sizeof(e->installed));
    return 0;
}

int ledger_rule_split(const char *spec, char *buf, size_t bufsize, const char **argv, size_t max)
{
    char *save = NULL, *t;
    size_t n = 0;

    if (strlen(spec) >= bufsize)
        return -OG_E_TOO_LARGE;
    snprintf(buf, bufsize, "%s", spec);
    for (t = strtok_r(buf, " ", &save); t; t = strtok_r(NULL, " ", &save)) {
        if (n + 1 >= max)
            return -OG_E_TOO_LARGE;
        argv[n++] = t;
    }
    argv[n] = NULL;
    return (int)n;
}
