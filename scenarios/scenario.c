/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * scenario.c - read, validate (RelaxNG + semantic rules) and hold scenarios.
 */
#include <ctype.h>
#include <errno.h>
#include <json-c/json.h>
#include <libxml/tree.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "failpoint.h"
#include "fs.h"
#include "scenario.h"
#include "grey.h"
#include "parse.h"
#include "plan.h"
#include "simversion.h"
#include "strtable.h"
#include "xmlload.h"
#include "banned.h"

/* The schema, compiled in from schema/scenario.rng (xml_schema_gen). */
extern const struct xml_schema scenario_rng;

const char *scenario_schema(size_t *ret_len)
{
    if (ret_len)
        *ret_len = scenario_rng.len;
    return scenario_rng.text;
}

const char *scenario_schema_path(void)
{
    return scenario_rng.path;
}

/* ---- names ---------------------------------------------------------------------------- */

static const char *const scn_step_kind_table[] = {
    [SCN_PREPARE] = "prepare", [SCN_UPGRADE] = "upgrade", [SCN_ROLLBACK] = "rollback",
    [SCN_COMMIT] = "commit",   [SCN_RERUN] = "rerun",     [SCN_FAULT] = "fault",
    [SCN_HEAL] = "heal",       [SCN_WAIT] = "wait",       [SCN_CHECK] = "check",
};
STRTABLE_TO_STRING(scn_step_kind_name, enum scn_step_kind, scn_step_kind_table, "?");

static const char *const scn_expect_kind_table[] = {
    [SCN_E_CLUSTER_STATE] = "cluster-state",
    [SCN_E_VERSION] = "version",
    [SCN_E_JOURNAL] = "journal",
    [SCN_E_LOST_WRITES] = "lost-writes",
    [SCN_E_WRITE_GAP] = "write-gap",
    [SCN_E_DUMP] = "dump",
};
STRTABLE_TO_STRING(scn_expect_kind_name, enum scn_expect_kind, scn_expect_kind_table, "?");

/* gs_upgradectl's action (-t) for a step; rerun and the others have none: NULL */
static const char *const scn_action_table[] = {
    [SCN_UPGRADE] = "auto-upgrade",
    [SCN_ROLLBACK] = "auto-rollback",
    [SCN_COMMIT] = "commit-upgrade",
};
STRTABLE_TO_STRING(scn_action_name, enum scn_step_kind, scn_action_table, NULL);

int scn_action_success_exit(const struct scn_step *s, enum scn_step_kind k)
{
    switch (k) {
    case SCN_ROLLBACK:
        return 2;
    case SCN_COMMIT:
        /* grey 5; in place 0 (UpgradeImpl.py v5.0.0 :2652, :4062) */
        return s->grey ? 5 : 0;
    default:
        return 0;
    }
}

int scn_action_failure_exit(enum scn_step_kind k)
{
    /* openGauss's exitWithRetCode: a failed auto-rollback exits 3, anything
     * else 1 (openGauss-OM v5.0.0 UpgradeImpl.py:117-121) */
    return k == SCN_ROLLBACK ? 3 : 1;
}

bool scn_step_has_kill_upgrader(const struct scn_step *s)
{
    for (size_t k = 0; k < s->n_during; k++)
        if (s->during[k].kind == FAULT_KILL_UPGRADER)
            return true;
    return false;
}

/* ---- the upgrader's failpoints ------------------------------------------------------------ */

#define MAX_FP 256
static char *fp_names[MAX_FP];
static size_t n_fp;

size_t scn_failpoints(const char *const **ret)
{
    if (n_fp == 0) {
        _cleanup_dynbuf_ struct dynbuf b = {0};
        json_object *a;

        dynbuf_init(&b, 1 << 20);
        (void)grey_register_failpoints(); /* the upgrade's one registry */
        if (failpoint_list_json(&b) == 0 && (a = json_tokener_parse(dynbuf_str(&b)))) {
            for (size_t i = 0; i < json_object_array_length(a) && n_fp < MAX_FP; i++) {
                json_object *o = json_object_array_get_idx(a, i), *nm;
                /* only the upgrade's points (libogup registers others) */
                if (json_object_object_get_ex(o, "name", &nm) &&
                    (strncmp(json_object_get_string(nm), "inplace", 7) == 0 ||
                     strncmp(json_object_get_string(nm), "grey", 4) == 0 ||
                     strncmp(json_object_get_string(nm), "journal.", 8) == 0))
                    fp_names[n_fp++] = strdup(json_object_get_string(nm));
            }
            json_object_put(a);
        }
    }
    *ret = (const char *const *)fp_names;
    return n_fp;
}

bool scn_failpoint_known(const char *name)
{
    const char *const *v;
    size_t n = scn_failpoints(&v), len = strlen(name);
    bool prefix = len > 0 && name[len - 1] == '*';

    for (size_t i = 0; i < n; i++) {
        if (!v[i])
            continue;
        if (prefix ? strncmp(v[i], name, len - 1) == 0 : strcmp(v[i], name) == 0)
            return true;
    }
    return false;
}

/* ---- errors ------------------------------------------------------------------------------- */

struct parse {
    const char *origin;
    struct og_error *err;
};

/* "origin:line: rule RULE: message" */
static int fail(const struct parse *p, int line, const char *rule, const char *fmt, ...)
    _printf_(4, 5);
static int fail(const struct parse *p, int line, const char *rule, const char *fmt, ...)
{
    char msg[OG_ERROR_DETAIL_MAX];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    return og_error_set(p->err, OG_E_XML_INVALID, "%s:%d: rule %s: %s", p->origin,
                        line > 0 ? line : 1, rule, msg);
}

static void trim_right(char *s)
{
    size_t len = strlen(s);

    while (len > 0 && isspace((unsigned char)s[len - 1]))
        s[--len] = '\0';
}

/* The schema's messages: "origin:line: rule E: first; line N: next (schema
 * scenario.rng)", the rule the element (= the schema's rule of that name)
 * of the first located one. */
static int schema_fail(const struct parse *p, const struct xml_problems *s)
{
    char detail[OG_ERROR_DETAIL_MAX] = "", rule[64];
    const struct xml_msg *first = NULL;
    size_t n;

    for (int k = 0; k < s->n && !first; k++)
        if (s->m[k].line > 0)
            first = &s->m[k];
    if (!first && s->n)
        first = &s->m[0];
    if (!first)
        return fail(p, 1, "scenario", "the document does not validate (schema scenario.rng)");
    snprintf(detail, sizeof(detail), "%s", first->message);
    for (int k = 0; k < s->n; k++) {
        const struct xml_msg *m = &s->m[k];
        if (m == first)
            continue;
        n = strlen(detail);
        snprintf(detail + n, sizeof(detail) - n, "; line %d: %s", m->line, m->message);
    }
    n = strlen(detail);
    snprintf(detail + n, sizeof(detail) - n, " (schema scenario.rng)");
    snprintf(rule, sizeof(rule), "%.60s", first->element[0] ? first->element : "scenario");
    return fail(p, first->line, rule, "%s", detail);
}

/* At most SCN_MAX_FILE_SIZE of well-formed XML without a DTD that
 * validates against scenario.rng; what is wrong in this file's words. */
static int read_xml(const struct parse *p, const char *text, size_t len, xmlDocPtr *ret)
{
    _cleanup_xmldoc_ xmlDocPtr doc = NULL;
    struct xml_problems pr;
    int r = xml_read_memory(text, len, SCN_MAX_FILE_SIZE, p->origin, &doc, &pr, p->err);

    if (r == 0)
        r = xml_validate(doc, &scenario_rng, &pr, p->err);
    switch (r < 0 ? pr.kind : XML_OK) {
    case XML_TOO_LARGE:
        return og_error_set(p->err, OG_E_TOO_LARGE, "%s: %zu bytes, more than %d", p->origin, len,
                            SCN_MAX_FILE_SIZE);
    case XML_MALFORMED:
        return fail(p, pr.m[0].line, "well-formed", "malformed XML: %s", pr.m[0].message);
    case XML_DTD:
        return fail(p, 1, "no-dtd", "a DTD is not allowed in a scenario file");
    case XML_INVALID:
        return schema_fail(p, &pr);
    case XML_OK:
        break;
    }
    if (r < 0)
        return r; /* the program's fault, in err already */
    *ret = steal_ptr(doc);
    return 0;
}

/* ---- the tree into struct scenario (the schema has checked shapes) --------------------------- */

static bool is_el(xmlNodePtr n, const char *name)
{
    return n && n->type == XML_ELEMENT_NODE && strcmp((const char *)n->name, name) == 0;
}

/* attribute into buf ("" when absent); true when present */
static bool attr(xmlNodePtr n, const char *name, char *buf, size_t size)
{
    _cleanup_xmlfree_ char *v = (char *)xmlGetProp(n, BAD_CAST name);

    snprintf(buf, size, "%s", v ? v : "");
    return v != NULL;
}

/* An integer attribute, def when absent. The schema has checked it: its
 * XSD types allow blanks around the number (whitespace collapse), a sign
 * and leading zeros, and nonNegativeInteger / positiveInteger any size,
 * which is LLONG_MAX here (as strtoll had it). */
static long long attr_ll(xmlNodePtr n, const char *name, long long def)
{
    char buf[64];
    long long v;
    int r;

    if (!attr(n, name, buf, sizeof(buf)))
        return def;
    trim_right(buf); /* the blanks before it: safe_atolli skips them */
    r = safe_atolli(buf, &v);
    if (r == -ERANGE)
        return buf[strspn(buf, " \t\n\r")] == '-' ? LLONG_MIN : LLONG_MAX;
    return r == 0 ? v : def;
}

static bool attr_bool(xmlNodePtr n, const char *name)
{
    char buf[16];

    return attr(n, name, buf, sizeof(buf)) && (strcmp(buf, "true") == 0 || strcmp(buf, "1") == 0);
}

static void text_of(xmlNodePtr n, char *buf, size_t size)
{
    _cleanup_xmlfree_ char *v = (char *)xmlNodeGetContent(n);
    const char *s = v ? v : "";

    while (isspace((unsigned char)*s))
        s++;
    snprintf(buf, size, "%s", s);
    trim_right(buf);
}

static int line_of(xmlNodePtr n)
{
    return (int)xmlGetLineNo(n);
}

static void read_fault(xmlNodePtr n, struct scn_fault *f)
{
    char kind[32], when[64];

    memset(f, 0, sizeof(*f));
    attr(n, "kind", kind, sizeof(kind));
    f->kind = (enum fault_kind)fault_kind_from_scenario_name(kind);
    attr(n, "node", f->node, sizeof(f->node));
    attr(n, fault_arg_attribute(FAULT_ARG_PEER), f->peer, sizeof(f->peer));
    f->percent = (int)attr_ll(n, fault_arg_attribute(FAULT_ARG_PERCENT), 0);
    f->free_bytes = attr_ll(n, fault_arg_attribute(FAULT_ARG_FREE_BYTES), -1);
    attr(n, "id", f->id, sizeof(f->id));
    f->for_ms = (int)attr_ll(n, "for-ms", 0);
    if (attr(n, "when", when, sizeof(when)) && strcmp(when, "failpoint") == 0) {
        f->at_failpoint = true;
    } else if (when[0]) {
        char *colon = strchr(when, ':');
        if (colon) {
            *colon = '\0';
            f->when_done = strcmp(colon + 1, "done") == 0;
        }
        snprintf(f->when_step, sizeof(f->when_step), "%s", when);
    }
    f->line = line_of(n);
}

static int read_expect(const struct parse *p, xmlNodePtr n, struct scn_expect *e)
{
    const char *name = (const char *)n->name;

    memset(e, 0, sizeof(*e));
    e->line = line_of(n);
    snprintf(e->node, sizeof(e->node), "all");
    if (strcmp(name, "cluster-state") == 0) {
        e->kind = SCN_E_CLUSTER_STATE;
        text_of(n, e->value, sizeof(e->value));
        e->timeout_s = (int)attr_ll(n, "timeout-s", 60);
    } else if (strcmp(name, "version") == 0) {
        e->kind = SCN_E_VERSION;
        text_of(n, e->value, sizeof(e->value));
        if (!attr(n, "node", e->node, sizeof(e->node)))
            snprintf(e->node, sizeof(e->node), "all");
    } else if (strcmp(name, "journal") == 0) {
        e->kind = SCN_E_JOURNAL;
        if (!attr(n, "node", e->node, sizeof(e->node)))
            snprintf(e->node, sizeof(e->node), "all");
        e->absent = attr_bool(n, "absent");
        e->step = (int)attr_ll(n, "step", 0);
    } else if (strcmp(name, "lost-writes") == 0) {
        e->kind = SCN_E_LOST_WRITES;
        e->max = attr_ll(n, "max", 0);
    } else if (strcmp(name, "write-gap") == 0) {
        e->kind = SCN_E_WRITE_GAP;
        e->max = attr_ll(n, "max-ms", 0);
    } else if (strcmp(name, "dump") == 0) {
        char scope[16];
        e->kind = SCN_E_DUMP;
        e->user_scope = attr(n, "scope", scope, sizeof(scope)) && strcmp(scope, "user") == 0;
    } else {
        return fail(p, e->line, name, "unknown expectation");
    }
    return 0;
}

static int read_expects(const struct parse *p, xmlNodePtr parent, struct scn_expect *v, size_t *n)
{
    for (xmlNodePtr c = parent->children; c; c = c->next) {
        int r;
        if (c->type != XML_ELEMENT_NODE)
            continue;
        if (*n == SCN_MAX_EXPECTS)
            return fail(p, line_of(c), (const char *)parent->name, "more than %d expectations",
                        SCN_MAX_EXPECTS);
        r = read_expect(p, c, &v[*n]);
        if (r < 0)
            return r;
        (*n)++;
    }
    return 0;
}

/* An exit status of exit="N|M" (the schema's pattern: 1-3 digits). */
static int exit_number(const char *s, size_t len)
{
    char buf[16];
    int v;

    snprintf(buf, sizeof(buf), "%.*s", (int)len, s);
    return safe_atoi(buf, &v) == 0 ? v : 0;
}

/* exit="N", "N|M" (either: the schema allows one alternative), "killed" or "coded" */
static void read_exit(const char *v, struct scn_step *s)
{
    const char *bar = strchr(v, '|');

    if (strcmp(v, "killed") == 0)
        s->exit_code = SCN_EXIT_KILLED;
    else if (strcmp(v, "coded") == 0)
        s->exit_code = SCN_EXIT_CODED;
    else
        s->exit_code = exit_number(v, bar ? (size_t)(bar - v) : strlen(v));
    if (bar) {
        s->has_exit_alt = true;
        s->exit_alt = exit_number(bar + 1, strlen(bar + 1));
    }
}

static int read_action(const struct parse *p, xmlNodePtr n, struct scn_step *s)
{
    char exit_s[16];

    attr(n, "flags", s->flags, sizeof(s->flags));
    s->force = attr_bool(n, "force");
    s->exit_code = SCN_EXIT_DEFAULT;
    if (attr(n, "exit", exit_s, sizeof(exit_s)))
        read_exit(exit_s, s);
    attr(n, "code", s->code, sizeof(s->code));
    attr(n, "output", s->output, sizeof(s->output));
    s->timeout_s = (int)attr_ll(n, "timeout-s", 900);
    for (xmlNodePtr c = n->children; c; c = c->next) {
        if (is_el(c, "failpoint")) {
            struct scn_failpoint *f;
            if (s->n_fps == SCN_MAX_FPS)
                return fail(p, line_of(c), "failpoint", "more than %d failpoints in one step",
                            SCN_MAX_FPS);
            f = &s->fps[s->n_fps++];
            attr(c, "name", f->name, sizeof(f->name));
            if (!attr(c, "action", f->action, sizeof(f->action)))
                snprintf(f->action, sizeof(f->action), "kill");
            f->hit = (int)attr_ll(c, "hit", 0);
            f->line = line_of(c);
        } else if (is_el(c, "fault")) {
            if (s->n_during == SCN_MAX_DURING)
                return fail(p, line_of(c), "fault-during", "more than %d faults in one step",
                            SCN_MAX_DURING);
            read_fault(c, &s->during[s->n_during++]);
        }
    }
    return 0;
}

static int read_steps(const struct parse *p, xmlNodePtr steps, struct scenario *sc)
{
    for (xmlNodePtr c = steps->children; c; c = c->next) {
        const char *name;
        struct scn_step *s;
        int r = 0;

        if (c->type != XML_ELEMENT_NODE)
            continue;
        if (sc->n_steps == SCN_MAX_STEPS)
            return fail(p, line_of(c), "steps", "more than %d steps", SCN_MAX_STEPS);
        name = (const char *)c->name;
        s = &sc->steps[sc->n_steps++];
        memset(s, 0, sizeof(*s));
        s->line = line_of(c);
        if (strcmp(name, "prepare") == 0) {
            s->kind = SCN_PREPARE;
            attr(c, "version", s->version, sizeof(s->version));
        } else if (strcmp(name, "upgrade") == 0) {
            s->kind = SCN_UPGRADE;
            r = read_action(p, c, s);
        } else if (strcmp(name, "rollback") == 0) {
            s->kind = SCN_ROLLBACK;
            r = read_action(p, c, s);
        } else if (strcmp(name, "commit") == 0) {
            s->kind = SCN_COMMIT;
            r = read_action(p, c, s);
        } else if (strcmp(name, "rerun") == 0) {
            s->kind = SCN_RERUN;
            r = read_action(p, c, s);
        } else if (strcmp(name, "fault") == 0) {
            s->kind = SCN_FAULT;
            read_fault(c, &s->fault);
        } else if (strcmp(name, "heal") == 0) {
            s->kind = SCN_HEAL;
            attr(c, "fault", s->heal_id, sizeof(s->heal_id));
        } else if (strcmp(name, "wait") == 0) {
            char f[16];
            s->kind = SCN_WAIT;
            s->wait_ms = (int)attr_ll(c, "ms", 0);
            s->wait_normal = attr(c, "for", f, sizeof(f));
            s->wait_timeout_s = (int)attr_ll(c, "timeout-s", 120);
        } else if (strcmp(name, "check") == 0) {
            s->kind = SCN_CHECK;
            r = read_expects(p, c, s->expects, &s->n_expects);
        } else {
            r = fail(p, s->line, name, "unknown step");
        }
        if (r < 0)
            return r;
    }
    return 0;
}

/* ---- semantic rules ---------------------------------------------------------------------------
 */

static int check_version(const struct parse *p, int line, const char *v)
{
    if (sim_version_find(v))
        return 0;
    return fail(p, line, "version-known", "version \"%s\" is not one of the simulated versions", v);
}

static int check_node(const struct parse *p, const struct scenario *sc, int line, const char *node,
                      bool all_ok)
{
    int k;

    if (!node[0] || (all_ok && strcmp(node, "all") == 0))
        return 0;
    if (strncmp(node, "node", 4) == 0 && safe_atoi_range(node + 4, 1, sc->nodes, &k) == 0)
        return 0;
    return fail(p, line, "node-in-cluster", "\"%s\" is not a node of this %d-node cluster", node,
                sc->nodes);
}

bool scn_step_pauses(const struct scn_step *s)
{
    for (size_t k = 0; k < s->n_fps; k++)
        if (strcmp(s->fps[k].action, "pause") == 0)
            return true;
    return false;
}

static int check_fault(const struct parse *p, const struct scenario *sc, const struct scn_fault *f)
{
    const struct fault_kind_info *k = fault_kind_info(f->kind);
    enum fault_arg arg = k ? k->arg : FAULT_ARG_NONE; /* the arguments it takes: the table's */
    int r = check_node(p, sc, f->line, f->node, false);

    if (r == 0)
        r = check_node(p, sc, f->line, f->peer, false);
    if (r < 0)
        return r;
    if (arg == FAULT_ARG_PEER && (!f->peer[0] || strcmp(f->peer, f->node) == 0))
        return fail(p, f->line, "fault-params", "a partition needs a peer other than its node");
    if (arg != FAULT_ARG_PEER && f->peer[0])
        return fail(p, f->line, "fault-params", "only a partition has a peer");
    if (arg == FAULT_ARG_PERCENT && f->percent == 0)
        return fail(p, f->line, "fault-params", "net-loss needs percent");
    if (arg != FAULT_ARG_PERCENT && f->percent)
        return fail(p, f->line, "fault-params", "only net-loss has percent");
    if (arg != FAULT_ARG_FREE_BYTES && f->free_bytes >= 0)
        return fail(p, f->line, "fault-params", "only disk-full has free-bytes");
    return 0;
}

static int check_expects(const struct parse *p, const struct scenario *sc,
                         const struct scn_expect *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const struct scn_expect *e = &v[i];
        int r = 0;
        if (e->kind == SCN_E_VERSION)
            r = check_version(p, e->line, e->value);
        if (r == 0 && (e->kind == SCN_E_VERSION || e->kind == SCN_E_JOURNAL))
            r = check_node(p, sc, e->line, e->node, true);
        if (r == 0 && (e->kind == SCN_E_LOST_WRITES || e->kind == SCN_E_WRITE_GAP) && !sc->workload)
            r = fail(p, e->line, "workload-required", "%s needs a <workload> in <cluster>",
                     scn_expect_kind_name(e->kind));
        if (r < 0)
            return r;
    }
    return 0;
}

static int check_semantics(const struct parse *p, struct scenario *sc, int cluster_line)
{
    const char *ids[SCN_MAX_STEPS * (SCN_MAX_DURING + 1)];
    size_t n_ids = 0;
    enum scn_step_kind last_action = SCN_PREPARE;
    bool have_action = false;
    int r = check_version(p, cluster_line, sc->version);

    if (r < 0)
        return r;
    for (size_t i = 0; i < sc->n_steps; i++) {
        struct scn_step *s = &sc->steps[i];
        enum scn_step_kind action = s->kind == SCN_RERUN ? last_action : s->kind;

        switch (s->kind) {
        case SCN_PREPARE:
            r = check_version(p, s->line, s->version);
            break;
        case SCN_RERUN:
            if (!have_action)
                return fail(p, s->line, "rerun-after-action",
                            "rerun repeats the previous upgrade, rollback or commit: there is "
                            "none before it");
            /* fall through */
        case SCN_UPGRADE:
        case SCN_ROLLBACK:
        case SCN_COMMIT:
            s->grey = scn_step_plan(sc, i) == &grey_plan;
            for (size_t k = 0; r == 0 && k < s->n_fps; k++)
                if (!failpoint_available())
                    r = fail(p, s->fps[k].line, "failpoint-known",
                             "this build has no failpoints (meson -Dfailpoints): \"%s\" cannot "
                             "fire",
                             s->fps[k].name);
                else if (!scn_failpoint_known(s->fps[k].name))
                    r = fail(p, s->fps[k].line, "failpoint-known",
                             "\"%s\" is not a failpoint of gs_upgradectl (--list-failpoints)",
                             s->fps[k].name);
            for (size_t k = 0; r == 0 && k < s->n_during; k++) {
                const struct scn_fault *f = &s->during[k];
                r = check_fault(p, sc, f);
                if (r == 0 && f->at_failpoint) {
                    if (!scn_step_pauses(s))
                        r = fail(p, f->line, "when-failpoint",
                                 "when=\"failpoint\" strikes at the step's paused failpoint: "
                                 "add <failpoint name=... action=\"pause\"/>");
                } else if (r == 0 && action == SCN_COMMIT)
                    r = fail(p, f->line, "when-step-known",
                             "commit-upgrade records no steps in the journal: a fault during a "
                             "commit cannot be bound to one");
                if (r == 0 && !f->at_failpoint &&
                    engine_step_index(scn_step_plan(sc, i), f->when_step) < 0)
                    r = fail(p, f->line, "when-step-known", "\"%s\" is not a step of the %s plan",
                             f->when_step, scn_step_plan(sc, i)->name);
                if (r == 0 && f->id[0])
                    ids[n_ids++] = f->id;
            }
            if (s->kind != SCN_RERUN)
                last_action = s->kind;
            have_action = true;
            break;
        case SCN_FAULT:
            r = check_fault(p, sc, &s->fault);
            if (r == 0 && s->fault.id[0]) {
                for (size_t k = 0; k < n_ids; k++)
                    if (strcmp(ids[k], s->fault.id) == 0)
                        return fail(p, s->fault.line, "fault-id-unique",
                                    "fault id \"%s\" is used twice", s->fault.id);
                ids[n_ids++] = s->fault.id;
            }
            break;
        case SCN_HEAL:
            if (s->heal_id[0]) {
                bool found = false;
                for (size_t k = 0; k < n_ids && !found; k++)
                    found = strcmp(ids[k], s->heal_id) == 0;
                if (!found)
                    return fail(p, s->line, "heal-known",
                                "no fault with id \"%s\" before this heal", s->heal_id);
            }
            break;
        case SCN_CHECK:
            r = check_expects(p, sc, s->expects, s->n_expects);
            break;
        default:
            break;
        }
        if (r < 0)
            return r;
    }
    return check_expects(p, sc, sc->expects, sc->n_expects);
}

/* ---- parse -------------------------------------------------------------------------------------
 */

static void suite_from_origin(const char *origin, char *buf, size_t size)
{
    const char *end = strrchr(origin, '/'), *start;

    buf[0] = '\0';
    if (!end)
        return;
    start = end;
    while (start > origin && start[-1] != '/')
        start--;
    snprintf(buf, size, "%.*s", (int)(end - start), start);
}

int scenario_parse_memory(const char *text, size_t len, const char *origin, struct scenario **ret,
                          struct og_error *err)
{
    struct parse p = {.origin = origin, .err = err};
    _cleanup_xmldoc_ xmlDocPtr doc = NULL;
    _cleanup_scenario_ struct scenario *sc = NULL;
    xmlNodePtr root, cluster = NULL;
    int r = read_xml(&p, text, len, &doc);

    if (r < 0)
        return r;
    sc = calloc(1, sizeof(*sc));
    if (!sc)
        return og_error_set(err, OG_E_NOMEM, "parsing %s", origin);
    snprintf(sc->file, sizeof(sc->file), "%s", origin);
    root = xmlDocGetRootElement(doc);
    attr(root, "id", sc->id, sizeof(sc->id));
    if (!attr(root, "suite", sc->suite, sizeof(sc->suite)))
        suite_from_origin(origin, sc->suite, sizeof(sc->suite));
    for (xmlNodePtr c = root->children; c; c = c->next) {
        if (is_el(c, "title"))
            text_of(c, sc->title, sizeof(sc->title));
        else if (is_el(c, "tags"))
            text_of(c, sc->tags, sizeof(sc->tags));
        else if (is_el(c, "cluster")) {
            cluster = c;
            attr(c, "version", sc->version, sizeof(sc->version));
            sc->nodes = (int)attr_ll(c, "nodes", 3);
            sc->databases = (int)attr_ll(c, "databases", 2);
            attr(c, "driver", sc->driver, sizeof(sc->driver));
            for (xmlNodePtr m = c->children; m; m = m->next) {
                if (is_el(m, "mot")) {
                    struct scn_mot *t;
                    if (sc->n_mot == SCN_MAX_MOT)
                        return fail(&p, line_of(m), "mot", "more than %d MOT tables", SCN_MAX_MOT);
                    t = &sc->mot[sc->n_mot++];
                    attr(m, "table", t->table, sizeof(t->table));
                    if (!attr(m, "database", t->database, sizeof(t->database)))
                        snprintf(t->database, sizeof(t->database), "postgres");
                } else if (is_el(m, "workload")) {
                    sc->workload = true;
                    sc->writers = (int)attr_ll(m, "writers", 2);
                    sc->readers = (int)attr_ll(m, "readers", 1);
                    sc->duration_s = (int)attr_ll(m, "duration-s", 0);
                    sc->rate = (int)attr_ll(m, "rate", 0);
                }
            }
        } else if (is_el(c, "steps")) {
            r = read_steps(&p, c, sc);
        } else if (is_el(c, "expect")) {
            r = read_expects(&p, c, sc->expects, &sc->n_expects);
        }
        if (r < 0)
            return r;
    }
    r = check_semantics(&p, sc, cluster ? line_of(cluster) : 1);
    if (r < 0)
        return r;
    *ret = steal_ptr(sc);
    return 0;
}

int scenario_parse_file(const char *path, struct scenario **ret, struct og_error *err)
{
    _cleanup_free_ char *text = NULL;
    size_t len = 0;
    int r = fs_read_file(path, SCN_MAX_FILE_SIZE, &text, &len, err);

    if (r < 0) {
        og_error_prefix(err, "%s", path);
        return r;
    }
    return scenario_parse_memory(text, len, path, ret, err);
}

void scenario_free(struct scenario *s)
{
    free(s);
}
