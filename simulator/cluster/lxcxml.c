/* SPDX-License-Identifier: MulanPSL-2.0 */
#include <libxml/xmlwriter.h>
#include <stdio.h>
#include <string.h>

#include "lxcxml.h"
#include "ogerror.h"
#include "banned.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(xmlTextWriterPtr, xmlFreeTextWriter)
DEFINE_TRIVIAL_CLEANUP_FUNC(xmlBufferPtr, xmlBufferFree)

#define W(call)                                                                                    \
    do {                                                                                           \
        if ((call) < 0)                                                                            \
            return -OG_E_NOMEM;                                                                    \
    } while (0)

static int start(xmlTextWriterPtr w, const char *name)
{
    return xmlTextWriterStartElement(w, BAD_CAST name);
}

static int attr(xmlTextWriterPtr w, const char *name, const char *value)
{
    return xmlTextWriterWriteAttribute(w, BAD_CAST name, BAD_CAST value);
}

static int end(xmlTextWriterPtr w)
{
    return xmlTextWriterEndElement(w);
}

static int text_elem(xmlTextWriterPtr w, const char *name, const char *value)
{
    return xmlTextWriterWriteElement(w, BAD_CAST name, BAD_CAST value);
}

static int finish(xmlTextWriterPtr w, xmlBufferPtr buf, struct dynbuf *out)
{
    if (xmlTextWriterEndDocument(w) < 0)
        return -OG_E_NOMEM;
    xmlTextWriterFlush(w);
    return dynbuf_append(out, xmlBufferContent(buf), (size_t)xmlBufferLength(buf));
}

static int new_writer(xmlBufferPtr *buf, xmlTextWriterPtr *w)
{
    *buf = xmlBufferCreate();
    if (!*buf)
        return -OG_E_NOMEM;
    *w = xmlNewTextWriterMemory(*buf, 0);
    if (!*w)
        return -OG_E_NOMEM;
    xmlTextWriterSetIndent(*w, 1);
    xmlTextWriterSetIndentString(*w, BAD_CAST "  ");
    return xmlTextWriterStartDocument(*w, NULL, NULL, NULL) < 0 ? -OG_E_NOMEM : 0;
}

int lxcxml_network(const struct net_spec *n, struct dynbuf *out)
{
    _cleanup_(xmlBufferFreep) xmlBufferPtr buf = NULL;
    _cleanup_(xmlFreeTextWriterp) xmlTextWriterPtr w = NULL;
    char prefix[8];
    int r = new_writer(&buf, &w);

    if (r < 0)
        return r;
    snprintf(prefix, sizeof(prefix), "%d", n->prefix);
    W(start(w, "network"));
    W(text_elem(w, "name", n->name));
    /* No <forward>: the network is isolated, nothing leaves it. */
    W(start(w, "bridge"));
    W(attr(w, "name", n->bridge));
    W(attr(w, "stp", "off"));
    W(attr(w, "delay", "0"));
    W(end(w));
    W(start(w, "ip"));
    W(attr(w, "address", n->host_ip));
    W(attr(w, "prefix", prefix));
    W(end(w));
    W(end(w));
    return finish(w, buf, out);
}

static int filesystem(xmlTextWriterPtr w, const struct mount_spec *m)
{
    char size[32];

    W(start(w, "filesystem"));
    switch (m->kind) {
    case MOUNT_BIND:
    case MOUNT_BIND_RO:
        W(attr(w, "type", "mount"));
        W(attr(w, "accessmode", "passthrough"));
        W(start(w, "source"));
        W(attr(w, "dir", m->source));
        W(end(w));
        break;
    case MOUNT_RAM:
        W(attr(w, "type", "ram"));
        W(attr(w, "accessmode", "passthrough"));
        snprintf(size, sizeof(size), "%lu", m->size_kib);
        W(start(w, "source"));
        W(attr(w, "usage", size));
        W(attr(w, "units", "KiB"));
        W(end(w));
        break;
    case MOUNT_LOOP:
        W(attr(w, "type", "file"));
        W(attr(w, "accessmode", "passthrough"));
        W(start(w, "driver"));
        W(attr(w, "type", "loop"));
        W(attr(w, "format", "raw"));
        W(end(w));
        W(start(w, "source"));
        W(attr(w, "file", m->source));
        W(end(w));
        break;
    }
    W(start(w, "target"));
    W(attr(w, "dir", m->target));
    W(end(w));
    if (m->kind == MOUNT_BIND_RO) {
        W(start(w, "readonly"));
        W(end(w));
    }
    return end(w) < 0 ? -OG_E_NOMEM : 0;
}

int lxcxml_domain(const struct node_spec *n, struct dynbuf *out)
{
    _cleanup_(xmlBufferFreep) xmlBufferPtr buf = NULL;
    _cleanup_(xmlFreeTextWriterp) xmlTextWriterPtr w = NULL;
    char mem[32], prefix[8];
    int r = new_writer(&buf, &w);

    if (r < 0)
        return r;
    snprintf(mem, sizeof(mem), "%u", n->memory_mib);
    snprintf(prefix, sizeof(prefix), "%d", n->prefix);
    W(start(w, "domain"));
    W(attr(w, "type", "lxc"));
    W(text_elem(w, "name", n->domain));
    W(start(w, "memory"));
    W(attr(w, "unit", "MiB"));
    W(xmlTextWriterWriteString(w, BAD_CAST mem));
    W(end(w));
    W(start(w, "os"));
    W(text_elem(w, "type", "exe"));
    W(text_elem(w, "init", n->init));
    for (size_t i = 0; i < n->n_init_args; i++)
        W(text_elem(w, "initarg", n->init_args[i]));
    W(end(w));
    W(start(w, "features"));
    W(start(w, "privnet"));
    W(end(w));
    W(end(w));
    W(text_elem(w, "on_poweroff", "destroy"));
    W(text_elem(w, "on_reboot", "destroy"));
    W(text_elem(w, "on_crash", "destroy"));
    W(start(w, "devices"));
    for (size_t i = 0; i < n->n_mounts; i++) {
        r = filesystem(w, &n->mounts[i]);
        if (r < 0)
            return r;
    }
    W(start(w, "interface"));
    W(attr(w, "type", "network"));
    W(start(w, "mac"));
    W(attr(w, "address", n->mac));
    W(end(w));
    W(start(w, "source"));
    W(attr(w, "network", n->network));
    W(end(w));
    W(start(w, "target"));
    W(attr(w, "dev", n->veth));
    W(end(w));
    W(start(w, "guest"));
    W(attr(w, "dev", "eth0"));
    W(end(w));
    W(start(w, "ip"));
    W(attr(w, "address", n->ip));
    W(attr(w, "prefix", prefix));
    W(end(w));
    W(end(w));
    W(start(w, "console"));
    W(attr(w, "type", "pty"));
    W(end(w));
    W(end(w)); /* devices */
    W(end(w)); /* domain */
    return finish(w, buf, out);
}
