/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * xmlload.c - XML from outside, read safely and checked against a RelaxNG
 * schema compiled in (xmlload.h).
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/relaxng.h>
#include <libxml/xmlerror.h>

#include "xmlload.h"
#include "banned.h"

#if LIBXML_VERSION >= 21200
typedef const xmlError *xml_error_ptr;
#else
typedef xmlError *xml_error_ptr;
#endif

DEFINE_TRIVIAL_CLEANUP_FUNC(xmlParserCtxtPtr, xmlFreeParserCtxt)
DEFINE_TRIVIAL_CLEANUP_FUNC(xmlRelaxNGParserCtxtPtr, xmlRelaxNGFreeParserCtxt)
DEFINE_TRIVIAL_CLEANUP_FUNC(xmlRelaxNGPtr, xmlRelaxNGFree)
DEFINE_TRIVIAL_CLEANUP_FUNC(xmlRelaxNGValidCtxtPtr, xmlRelaxNGFreeValidCtxt)

static void trim_right(char *s)
{
    size_t len = strlen(s);

    while (len > 0 && isspace((unsigned char)s[len - 1]))
        s[--len] = '\0';
}

static int line_of(const char *text, size_t len, const char *needle)
{
    const char *hit = memmem(text, len, needle, strlen(needle));
    int line = 1;

    for (const char *c = text; hit && c < hit; c++)
        line += *c == '\n';
    return line;
}

/* The parser's errors: keep the first (later ones are often consequences). */
static void parse_error(void *data, xml_error_ptr e)
{
    xmlParserCtxtPtr ctxt = data; /* libxml2 passes ctxt->userData, the context */
    struct xml_msg *m = ctxt ? ctxt->_private : NULL;

    if (!m || !e || m->message[0] || e->level < XML_ERR_ERROR)
        return;
    m->line = e->line;
    snprintf(m->message, sizeof(m->message), "%s", e->message ? e->message : "not well-formed");
    trim_right(m->message);
}

int xml_read_memory(const char *text, size_t len, size_t max, const char *origin, xmlDocPtr *ret,
                    struct xml_problems *problems, struct og_error *err)
{
    _cleanup_(xmlFreeParserCtxtp) xmlParserCtxtPtr ctxt = NULL;
    _cleanup_xmldoc_ xmlDocPtr doc = NULL;
    struct xml_msg *m = &problems->m[0];
    /* No network, no entity substitution (XML_PARSE_NOENT stays off), no DTD
     * loading, nothing printed; errors come to parse_error(). */
    int options = XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_BIG_LINES;

    memset(problems, 0, sizeof(*problems));
    if (len > max) {
        problems->kind = XML_TOO_LARGE;
        return -OG_E_TOO_LARGE;
    }
    xmlInitParser();
    ctxt = xmlNewParserCtxt();
    if (!ctxt)
        return og_error_set(err, OG_E_NOMEM, "parsing %s", origin);
    ctxt->_private = m;
    ctxt->sax->serror = parse_error;
    doc = xmlCtxtReadMemory(ctxt, text, (int)len, origin, NULL, options);
    if (!doc || !ctxt->wellFormed) {
        problems->kind = XML_MALFORMED;
        problems->n = 1;
        if (m->line <= 0)
            m->line = 1;
        if (!m->message[0])
            snprintf(m->message, sizeof(m->message), "not well-formed");
        return -OG_E_XML_INVALID;
    }
    /* A DTD can declare entities: refused, as openGauss refuses such a
     * clusterconfig.xml (ClusterConfigFile.checkXMLFile). */
    if (doc->intSubset || doc->extSubset) {
        memset(m, 0, sizeof(*m));
        problems->kind = XML_DTD;
        problems->n = 1;
        m->line = line_of(text, len, "<!DOCTYPE");
        snprintf(m->element, sizeof(m->element), "!DOCTYPE");
        snprintf(m->message, sizeof(m->message), "a DTD is not allowed");
        return -OG_E_XML_INVALID;
    }
    memset(problems, 0, sizeof(*problems));
    *ret = steal_ptr(doc);
    return 0;
}

/* RelaxNG's structured errors: the line, the element being checked and
 * the message; the first few, in order. */
static void schema_error(void *data, xml_error_ptr e)
{
    struct xml_problems *s = data;
    xmlNodePtr node;
    struct xml_msg *m;

    if (!e || !e->message || s->n == XML_PROBLEM_MSGS)
        return;
    node = e->node;
    m = &s->m[s->n++];
    memset(m, 0, sizeof(*m));
    m->line = e->line;
    if (m->line <= 0 && node)
        m->line = (int)xmlGetLineNo(node);
    if (node && node->type == XML_ELEMENT_NODE) {
        _cleanup_xmlfree_ char *name = (char *)xmlGetProp(node, BAD_CAST "name");
        snprintf(m->element, sizeof(m->element), "%s", (const char *)node->name);
        m->has_name = name != NULL;
        if (name)
            snprintf(m->name, sizeof(m->name), "%s", name);
    }
    snprintf(m->message, XML_SCHEMA_MSG_MAX, "%s", e->message);
    trim_right(m->message);
}

int xml_validate(xmlDocPtr doc, const struct xml_schema *schema, struct xml_problems *problems,
                 struct og_error *err)
{
    _cleanup_(xmlRelaxNGFreeParserCtxtp) xmlRelaxNGParserCtxtPtr pctxt = NULL;
    _cleanup_(xmlRelaxNGFreep) xmlRelaxNGPtr rng = NULL;
    _cleanup_(xmlRelaxNGFreeValidCtxtp) xmlRelaxNGValidCtxtPtr vctxt = NULL;

    memset(problems, 0, sizeof(*problems));
    pctxt = xmlRelaxNGNewMemParserCtxt(schema->text, (int)schema->len);
    if (!pctxt)
        return og_error_set(err, OG_E_NOMEM, "loading the schema %s", schema->path);
    xmlRelaxNGSetParserStructuredErrors(pctxt, schema_error, problems);
    rng = xmlRelaxNGParse(pctxt);
    vctxt = rng ? xmlRelaxNGNewValidCtxt(rng) : NULL;
    if (!vctxt) { /* the embedded schema is part of the build: cannot happen */
        int r = og_error_set(err, OG_E_XML_INVALID, "the schema %s does not load: %s", schema->path,
                             problems->n ? problems->m[0].message : "?");
        memset(problems, 0, sizeof(*problems));
        return r;
    }
    problems->n = 0;
    xmlRelaxNGSetValidStructuredErrors(vctxt, schema_error, problems);
    if (xmlRelaxNGValidateDoc(vctxt, doc) == 0) {
        memset(problems, 0, sizeof(*problems));
        return 0;
    }
    problems->kind = XML_INVALID;
    return -OG_E_XML_INVALID;
}
