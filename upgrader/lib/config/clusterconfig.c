/* SPDX-License-Identifier: MulanPSL-2.0 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/tree.h>

#include "cleanup.h"
#include "clusterconfig.h"
#include "clusterconfig_int.h"
#include "fs.h"
#include "xmlload.h"
#include "banned.h"

/* clusterconfig_rng.c, generated from clusterconfig.rng (xml_schema_gen). */
extern const struct xml_schema clusterconfig_rng;

const char *clusterconfig_schema_path(void)
{
    return clusterconfig_rng.path;
}

const char *clusterconfig_schema_text(size_t *ret_len)
{
    if (ret_len)
        *ret_len = clusterconfig_rng.len;
    return clusterconfig_rng.text;
}

/* ---- the parse state ------------------------------------------------------ */

static void xparams_done(struct xparams *ps)
{
    for (size_t i = 0; i < ps->n; i++) {
        free(ps->v[i].name);
        free(ps->v[i].value);
    }
    ps->n = 0;
}

static void parse_free(struct parse *p)
{
    if (!p)
        return;
    xparams_done(&p->cluster);
    for (size_t i = 0; i < p->n_dev; i++)
        xparams_done(&p->dev[i]);
    free(p);
}
DEFINE_TRIVIAL_CLEANUP_FUNC(struct parse *, parse_free)

const struct xparam *clusterconfig_get(const struct xparams *ps, const char *name)
{
    for (size_t i = 0; i < ps->n; i++)
        if (strcmp(ps->v[i].name, name) == 0)
            return &ps->v[i];
    return NULL;
}

/* "origin:line: message" */
int clusterconfig_fail(const struct parse *p, int code, int line, const char *fmt, ...)
{
    char msg[OG_ERROR_DETAIL_MAX];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    return og_error_set(p->err, code, "%s:%d: %s", p->origin, line, msg);
}

/* ---- pass 1 and 2: XML and schema (xmlload.h), worded here ---------------- */

/* RelaxNG reports one problem as several messages, and not always the
 * useful one first (or with a line): "element E: msg; line L2: element E2:
 * msg2..." from the first located one. */
static int schema_fail(const struct parse *p, const struct xml_problems *s)
{
    char detail[OG_ERROR_DETAIL_MAX] = "";
    int first = 0, line = 1;
    size_t n;

    while (first < s->n && s->m[first].line <= 0)
        first++;
    if (first == s->n)
        first = 0;
    if (s->n)
        line = s->m[first].line > 0 ? s->m[first].line : 1;
    for (int k = 0; k < s->n; k++) {
        const struct xml_msg *m = &s->m[(first + k) % s->n];
        bool here = m->line == line || m->line <= 0;

        n = strlen(detail);
        snprintf(detail + n, sizeof(detail) - n, "%s", k ? "; " : "");
        n = strlen(detail);
        if (!here)
            snprintf(detail + n, sizeof(detail) - n, "line %d: ", m->line);
        n = strlen(detail);
        if (m->element[0] && (k == 0 || !here)) {
            if (m->has_name && strcmp(m->element, "PARAM") == 0)
                snprintf(detail + n, sizeof(detail) - n, "element PARAM name=\"%.32s\": ", m->name);
            else
                snprintf(detail + n, sizeof(detail) - n, "element %.40s: ", m->element);
        }
        n = strlen(detail);
        snprintf(detail + n, sizeof(detail) - n, "%s", m->message);
    }
    return clusterconfig_fail(p, OG_E_XML_INVALID, line, "%s (schema clusterconfig.rng)",
                              detail[0] ? detail : "the document does not validate");
}

/* What is wrong with the document, in this file's words. */
static int xml_fail(const struct parse *p, int r, const struct xml_problems *pr)
{
    switch (pr->kind) {
    case XML_TOO_LARGE:
        return og_error_set(p->err, OG_E_TOO_LARGE, "the file %s is larger than %d bytes",
                            p->origin, CLUSTERCONFIG_MAX_BYTES);
    case XML_MALFORMED:
        return clusterconfig_fail(p, OG_E_XML_INVALID, pr->m[0].line, "malformed XML: %s",
                                  pr->m[0].message);
    case XML_DTD:
        return clusterconfig_fail(
            p, OG_E_XML_INVALID, pr->m[0].line,
            "element !DOCTYPE: a DTD is not allowed in a cluster configuration file");
    case XML_INVALID:
        return schema_fail(p, pr);
    case XML_OK:
        break;
    }
    return r; /* the program's fault, in err already */
}

/* Passes 1 and 2: at most CLUSTERCONFIG_MAX_BYTES of well-formed XML
 * without a DTD that validates against clusterconfig.rng. */
static int read_xml(struct parse *p, const char *xml, size_t len, xmlDocPtr *ret)
{
    _cleanup_xmldoc_ xmlDocPtr doc = NULL;
    struct xml_problems pr;
    int r = xml_read_memory(xml, len, CLUSTERCONFIG_MAX_BYTES, p->origin, &doc, &pr, p->err);

    if (r == 0)
        r = xml_validate(doc, &clusterconfig_rng, &pr, p->err);
    if (r < 0)
        return xml_fail(p, r, &pr);
    *ret = steal_ptr(doc);
    return 0;
}

/* ---- pass 3: the tree into PARAM tables ------------------------------------- */

static char *strip_dup(const char *s)
{
    size_t len;

    while (isspace((unsigned char)*s))
        s++;
    len = strlen(s);
    while (len > 0 && isspace((unsigned char)s[len - 1]))
        len--;
    return strndup(s, len);
}

static int collect(struct parse *p, xmlNodePtr parent, struct xparams *ps)
{
    ps->line = (int)xmlGetLineNo(parent);
    for (xmlNodePtr c = parent->children; c; c = c->next) {
        _cleanup_xmlfree_ char *name = NULL, *value = NULL;
        const struct xparam *dup;
        int line;

        if (c->type != XML_ELEMENT_NODE)
            continue;
        line = (int)xmlGetLineNo(c);
        name = (char *)xmlGetProp(c, BAD_CAST "name");
        value = (char *)xmlGetProp(c, BAD_CAST "value");
        if (!name || !value) /* the schema requires both */
            return og_error_set(p->err, OG_E_NOMEM, "parsing %s", p->origin);
        dup = clusterconfig_get(ps, name);
        if (dup)
            return clusterconfig_fail(p, OG_E_XML_INVALID, line,
                                      "element PARAM: duplicate PARAM \"%s\" (first on line %d)",
                                      name, dup->line);
        if (ps->n == MAX_PARAMS)
            return clusterconfig_fail(p, OG_E_TOO_LARGE, line, "element %s: more than %d PARAMs",
                                      (const char *)parent->name, MAX_PARAMS);
        ps->v[ps->n].name = strdup(name);
        ps->v[ps->n].value = strip_dup(value);
        ps->v[ps->n].line = line;
        if (!ps->v[ps->n].name || !ps->v[ps->n].value) {
            ps->n++; /* freed by xparams_done */
            return og_error_set(p->err, OG_E_NOMEM, "parsing %s", p->origin);
        }
        ps->n++;
    }
    return 0;
}

static int collect_tree(struct parse *p, xmlDocPtr doc)
{
    xmlNodePtr root = xmlDocGetRootElement(doc);
    int r;

    /* The schema guarantees ROOT > (CLUSTER & DEVICELIST > DEVICE+) > PARAM+. */
    for (xmlNodePtr c = root->children; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE)
            continue;
        if (strcmp((const char *)c->name, "CLUSTER") == 0) {
            r = collect(p, c, &p->cluster);
            if (r < 0)
                return r;
            continue;
        }
        for (xmlNodePtr d = c->children; d; d = d->next) {
            if (d->type != XML_ELEMENT_NODE)
                continue;
            if (p->n_dev == CLUSTER_MAX_NODES)
                return clusterconfig_fail(p, OG_E_TOO_LARGE, (int)xmlGetLineNo(d),
                                          "element DEVICE: more than %d DEVICEs",
                                          CLUSTER_MAX_NODES);
            r = collect(p, d, &p->dev[p->n_dev++]);
            if (r < 0)
                return r;
        }
    }
    return 0;
}

int clusterconfig_parse_memory(const char *xml, size_t len, const char *origin,
                               struct cluster_config *ret, struct og_error *err)
{
    _cleanup_(parse_freep) struct parse *p = NULL;
    _cleanup_xmldoc_ xmlDocPtr doc = NULL;
    int r;

    origin = origin ? origin : "clusterconfig.xml";
    if (!xml)
        return og_error_set(err, OG_E_INVALID_ARG, "no XML text for %s", origin);
    p = calloc(1, sizeof(*p));
    if (!p)
        return og_error_set(err, OG_E_NOMEM, "parsing %s", origin);
    p->origin = origin;
    p->err = err;

    r = read_xml(p, xml, len, &doc);
    if (r < 0)
        return r;
    r = collect_tree(p, doc);
    if (r < 0)
        return r;
    r = clusterconfig_check_cluster(p);
    if (r < 0)
        return r;
    r = clusterconfig_check_nodes(p);
    if (r < 0)
        return r;
    r = clusterconfig_check_back_ips(p);
    if (r < 0)
        return r;
    r = clusterconfig_check_datanodes(p);
    if (r < 0)
        return r;
    memcpy(ret, &p->cfg, sizeof(*ret));
    return 0;
}

int clusterconfig_load(const char *path, struct cluster_config *ret, struct og_error *err)
{
    _cleanup_free_ char *text = NULL;
    size_t len = 0;
    int r;

    r = fs_read_file(path, CLUSTERCONFIG_MAX_BYTES, &text, &len, err);
    if (r == -OG_E_NOT_EXIST)
        return og_error_set(err, OG_E_NOT_EXIST,
                            "The cluster configuration file %s does not "
                            "exist.",
                            path);
    if (r < 0)
        return r;
    return clusterconfig_parse_memory(text, len, path, ret, err);
}

/* ---- lookup ------------------------------------------------------------------ */

const struct cluster_node *clusterconfig_find_node(const struct cluster_config *c, const char *name)
{
    if (!c || !name)
        return NULL;
    for (size_t i = 0; i < c->n_nodes && i < CLUSTER_MAX_NODES; i++)
        if (strcmp(c->nodes[i].name, name) == 0)
            return &c->nodes[i];
    return NULL;
}

const struct cluster_node *clusterconfig_primary(const struct cluster_config *c)
{
    if (!c)
        return NULL;
    for (size_t i = 0; i < c->n_nodes && i < CLUSTER_MAX_NODES; i++)
        if (c->nodes[i].primary)
            return &c->nodes[i];
    return NULL;
}
