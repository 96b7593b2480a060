/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * xmlload: the safe reader (size, well-formedness, DTDs refused, no entity
 * expansion) and the RelaxNG check, with what is wrong in struct
 * xml_problems for the caller to word.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "xmlload.h"

static const char rng_text[] =
    "<element name=\"ROOT\" xmlns=\"http://relaxng.org/ns/structure/1.0\">"
    "<zeroOrMore><element name=\"PARAM\"><attribute name=\"name\"/>"
    "<attribute name=\"value\"><choice><value>a</value><value>b</value></choice></attribute>"
    "</element></zeroOrMore></element>";
static const struct xml_schema tiny_rng = {"tiny.rng", rng_text, sizeof(rng_text) - 1};

static int load(const char *text, size_t max, struct xml_problems *pr, struct og_error *err)
{
    _cleanup_xmldoc_ xmlDocPtr doc = NULL;
    int r = xml_read_memory(text, strlen(text), max, "t.xml", &doc, pr, err);

    if (r == 0)
        r = xml_validate(doc, &tiny_rng, pr, err);
    return r;
}

Test(xmlload, valid)
{
    struct xml_problems pr;
    struct og_error err = {0};

    cr_assert_eq(load("<ROOT><PARAM name=\"x\" value=\"a\"/></ROOT>", 1024, &pr, &err), 0);
    cr_assert_eq(pr.kind, XML_OK);
}

Test(xmlload, too_large)
{
    struct xml_problems pr;
    struct og_error err = {0};

    cr_assert_eq(load("<ROOT/>", 6, &pr, &err), -OG_E_TOO_LARGE);
    cr_assert_eq(pr.kind, XML_TOO_LARGE);
    cr_assert_eq(err.code, 0, "the caller words it");
}

Test(xmlload, malformed)
{
    struct xml_problems pr;
    struct og_error err = {0};

    cr_assert_eq(load("<ROOT>\n\n<PARAM>\n</ROOT>", 1024, &pr, &err), -OG_E_XML_INVALID);
    cr_assert_eq(pr.kind, XML_MALFORMED);
    cr_assert_eq(pr.m[0].line, 4);
    cr_assert(strstr(pr.m[0].message, "mismatch"), "%s", pr.m[0].message);
    cr_assert_eq(load("", 1024, &pr, &err), -OG_E_XML_INVALID);
    cr_assert_eq(pr.kind, XML_MALFORMED);
    cr_assert_geq(pr.m[0].line, 1);
    cr_assert_neq(pr.m[0].message[0], '\0');
}

/* Entities are never expanded: a DTD is refused before anything reads it. */
Test(xmlload, dtd_refused)
{
    struct xml_problems pr;
    struct og_error err = {0};

    cr_assert_eq(load("<?xml version=\"1.0\"?>\n\n<!DOCTYPE ROOT [<!ENTITY x \"a\">]>\n"
                      "<ROOT><PARAM name=\"x\" value=\"&x;\"/></ROOT>",
                      1024, &pr, &err),
                 -OG_E_XML_INVALID);
    cr_assert_eq(pr.kind, XML_DTD);
    cr_assert_eq(pr.m[0].line, 3);
    cr_assert_eq(
        load("<!DOCTYPE ROOT SYSTEM \"http://127.0.0.1:9/x.dtd\"><ROOT/>", 1024, &pr, &err),
        -OG_E_XML_INVALID);
    cr_assert_eq(pr.kind, XML_DTD);
}

Test(xmlload, schema_messages)
{
    struct xml_problems pr;
    struct og_error err = {0};

    cr_assert_eq(
        load("<ROOT>\n<PARAM name=\"x\" value=\"a\"/>\n<PARAM name=\"port\" value=\"c\"/>\n"
             "</ROOT>",
             1024, &pr, &err),
        -OG_E_XML_INVALID);
    cr_assert_eq(pr.kind, XML_INVALID);
    cr_assert_geq(pr.n, 1);
    cr_assert_leq(pr.n, XML_PROBLEM_MSGS);
    cr_assert_eq(err.code, 0);
    for (int k = 0; k < pr.n; k++)
        if (pr.m[k].line == 3) {
            cr_assert_str_eq(pr.m[k].element, "PARAM");
            cr_assert(pr.m[k].has_name);
            cr_assert_str_eq(pr.m[k].name, "port");
            return;
        }
    cr_assert_fail("no message on line 3: %s", pr.m[0].message);
}

Test(xmlload, schema_that_does_not_load)
{
    static const char bad[] = "<grammar/>";
    const struct xml_schema broken = {"broken.rng", bad, sizeof(bad) - 1};
    _cleanup_xmldoc_ xmlDocPtr doc = NULL;
    struct xml_problems pr;
    struct og_error err = {0};

    cr_assert_eq(xml_read_memory("<ROOT/>", 7, 1024, "t.xml", &doc, &pr, &err), 0);
    cr_assert_eq(xml_validate(doc, &broken, &pr, &err), -OG_E_XML_INVALID);
    cr_assert_eq(pr.kind, XML_OK, "the program's fault, not the document's");
    cr_assert(strstr(err.detail, "the schema broken.rng does not load"), "%s", err.detail);
}
