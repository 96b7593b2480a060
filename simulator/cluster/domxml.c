/* SPDX-License-Identifier: MulanPSL-2.0 */
#include <libxml/xmlwriter.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "domxml.h"
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

/* <name a="v"/> */
static int el1(xmlTextWriterPtr w, const char *name, const char *a, const char *v)
{
    if (start(w, name) < 0 || attr(w, a, v) < 0)
        return -1;
    return end(w);
}

/* <interface type='network'> with the node's fixed MAC, network and
 * host-side name, left open for the driver's own children. */
static int interface_start(xmlTextWriterPtr w, const struct node_spec *n)
{
    W(start(w, "interface"));
    W(attr(w, "type", "network"));
    W(el1(w, "mac", "address", n->mac));
    W(el1(w, "source", "network", n->network));
    W(el1(w, "target", "dev", n->veth));
    return 0;
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

int domxml_network(const struct net_spec *n, struct dynbuf *out)
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

int domxml_lxc(const struct node_spec *n, struct dynbuf *out)
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
    r = interface_start(w, n);
    if (r < 0)
        return r;
    W(el1(w, "guest", "dev", "eth0"));
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

/* ---- qemu -------------------------------------------------------------------------------- */

#define CMDLINE_MAX 2000 /* x86's COMMAND_LINE_SIZE is 2048 */

/* A word vminit.c can split: no space, no ':' (its field separator). */
static bool cmdline_safe(const char *s)
{
    for (; *s; s++)
        if (*s <= ' ' || *s == ':' || *s == 0x7f)
            return false;
    return true;
}

static int share(xmlTextWriterPtr w, const char *tag, const char *dir, bool cached)
{
    W(start(w, "filesystem"));
    W(attr(w, "type", "mount"));
    W(attr(w, "accessmode", "passthrough"));
    W(start(w, "driver"));
    W(attr(w, "type", "virtiofs"));
    W(attr(w, "queue", "1024"));
    W(end(w));
    /* virtiofsd's default sandbox (a namespace, pivot_root) fails on this
     * kind of host ("pivot_root ... busy"); chroot works */
    W(start(w, "binary"));
    W(attr(w, "path", "/usr/lib/qemu/virtiofsd"));
    W(start(w, "cache"));
    /* the host changes the shares under a running node (restore copies
     * trees): no cache, or the guest sees old files for a second; the root
     * only changes with the node off */
    W(attr(w, "mode", cached ? "always" : "none"));
    W(end(w));
    W(start(w, "sandbox"));
    W(attr(w, "mode", "chroot"));
    W(end(w));
    W(end(w));
    W(start(w, "source"));
    W(attr(w, "dir", dir));
    W(end(w));
    W(start(w, "target"));
    W(attr(w, "dir", tag));
    W(end(w));
    return end(w) < 0 ? -OG_E_NOMEM : 0;
}

/* The kernel command line (vminit.c reads it) and the devices it names. */
static int guest_mounts(xmlTextWriterPtr w, const struct node_spec *n, struct dynbuf *cmd)
{
    int disks = 0, r;

    for (size_t i = 0; i < n->n_mounts; i++) {
        const struct mount_spec *m = &n->mounts[i];
        char tag[16], dir[PATH_MAX];
        struct stat st;
        snprintf(tag, sizeof(tag), "m%zu", i);
        if (!cmdline_safe(m->target) || !cmdline_safe(m->source))
            return -OG_E_PARAM_INVALID;
        if (strcmp(m->target, "/") == 0) {
            r = share(w, "r", m->source, true);
            dynbuf_add(cmd, " ogsim.root=r", 13);
        } else if (m->kind == MOUNT_RAM) {
            dynbuf_addf(cmd, " ogsim.m=ram:%lu:%s", m->size_kib, m->target);
            r = 0;
        } else if (m->kind == MOUNT_LOOP) {
            char dev[8] = "vda";
            dev[2] = (char)('a' + disks++);
            W(start(w, "disk"));
            W(attr(w, "type", "file"));
            W(attr(w, "device", "disk"));
            W(start(w, "driver"));
            W(attr(w, "name", "qemu"));
            W(attr(w, "type", "raw"));
            W(end(w));
            W(start(w, "source"));
            W(attr(w, "file", m->source));
            W(end(w));
            W(start(w, "target"));
            W(attr(w, "dev", dev));
            W(attr(w, "bus", "virtio"));
            W(end(w));
            W(end(w));
            dynbuf_addf(cmd, " ogsim.m=blk:%s:%s", dev, m->target);
            r = 0;
        } else if (stat(m->source, &st) == 0 && !S_ISDIR(st.st_mode)) {
            /* a file (/etc/hosts): its directory shared, the file bound */
            const char *slash = strrchr(m->source, '/');
            snprintf(dir, sizeof(dir), "%.*s", (int)(slash - m->source), m->source);
            r = share(w, tag, dir[0] ? dir : "/", false);
            dynbuf_addf(cmd, " ogsim.m=file:%s:%s:%s", tag, slash + 1, m->target);
        } else {
            r = share(w, tag, m->source, false);
            dynbuf_addf(cmd, " ogsim.m=%s:%s:%s", m->kind == MOUNT_BIND_RO ? "fsro" : "fs", tag,
                        m->target);
        }
        if (r < 0)
            return r;
    }
    return 0;
}

static int qemu_devices(xmlTextWriterPtr w, const struct node_spec *n, struct dynbuf *cmd)
{
    int r = guest_mounts(w, n, cmd);

    if (r < 0)
        return r;
    r = interface_start(w, n);
    if (r < 0)
        return r;
    W(el1(w, "model", "type", "virtio"));
    W(end(w));
    W(start(w, "serial"));
    W(attr(w, "type", "file"));
    W(start(w, "source"));
    W(attr(w, "path", n->console_log));
    W(end(w));
    W(start(w, "target"));
    W(attr(w, "port", "0"));
    W(end(w));
    W(end(w));
    /* the guest agent's port: the harness's way in (qemudrv.c) */
    W(start(w, "channel"));
    W(attr(w, "type", "unix"));
    W(start(w, "target"));
    W(attr(w, "type", "virtio"));
    W(attr(w, "name", "org.qemu.guest_agent.0"));
    W(end(w));
    W(end(w));
    W(start(w, "memballoon"));
    W(attr(w, "model", "none"));
    W(end(w));
    return 0;
}

int domxml_qemu(const struct node_spec *n, struct dynbuf *out)
{
    _cleanup_(xmlBufferFreep) xmlBufferPtr buf = NULL;
    _cleanup_(xmlFreeTextWriterp) xmlTextWriterPtr w = NULL;
    _cleanup_dynbuf_ struct dynbuf cmd = {0};
    char mem[32];
    int r = new_writer(&buf, &w);

    if (r < 0)
        return r;
    dynbuf_init(&cmd, 4096);
    dynbuf_addf(&cmd, "console=ttyS0 panic=-1 quiet ogsim.ip=%s/%d ogsim.init=%s", n->ip, n->prefix,
                n->init);
    for (size_t i = 0; i < n->n_init_args; i++) {
        if (!cmdline_safe(n->init_args[i]))
            return -OG_E_PARAM_INVALID;
        dynbuf_addf(&cmd, " ogsim.arg=%s", n->init_args[i]);
    }
    snprintf(mem, sizeof(mem), "%u", n->memory_mib);
    W(start(w, "domain"));
    W(attr(w, "type", n->kvm ? "kvm" : "qemu"));
    W(text_elem(w, "name", n->domain));
    W(start(w, "memory"));
    W(attr(w, "unit", "MiB"));
    W(xmlTextWriterWriteString(w, BAD_CAST mem));
    W(end(w));
    W(text_elem(w, "vcpu", "1"));
    /* virtiofs needs the guest's memory shared with virtiofsd */
    W(start(w, "memoryBacking"));
    W(start(w, "source"));
    W(attr(w, "type", "memfd"));
    W(end(w));
    W(start(w, "access"));
    W(attr(w, "mode", "shared"));
    W(end(w));
    W(end(w));
    W(start(w, "os"));
    W(start(w, "type"));
    W(attr(w, "arch", "x86_64"));
    W(attr(w, "machine", "q35"));
    W(xmlTextWriterWriteString(w, BAD_CAST "hvm"));
    W(end(w));
    W(text_elem(w, "kernel", n->kernel));
    W(text_elem(w, "initrd", n->initrd));
    W(start(w, "cmdline"));
    /* written last: the devices add their mounts to cmd first */
    {
        _cleanup_(xmlBufferFreep) xmlBufferPtr dbuf = xmlBufferCreate();
        _cleanup_(xmlFreeTextWriterp) xmlTextWriterPtr dw =
            dbuf ? xmlNewTextWriterMemory(dbuf, 0) : NULL;
        if (!dw)
            return -OG_E_NOMEM;
        xmlTextWriterSetIndent(dw, 1);
        xmlTextWriterSetIndentString(dw, BAD_CAST "  ");
        W(start(dw, "devices"));
        r = qemu_devices(dw, n, &cmd);
        if (r < 0)
            return r;
        W(end(dw));
        W(xmlTextWriterFlush(dw));
        if (dynbuf_error(&cmd))
            return -dynbuf_error(&cmd);
        if (cmd.len > CMDLINE_MAX)
            return -OG_E_PARAM_INVALID;
        W(xmlTextWriterWriteString(w, BAD_CAST cmd.buf));
        W(end(w)); /* cmdline */
        W(end(w)); /* os */
        W(start(w, "features"));
        W(start(w, "acpi"));
        W(end(w));
        if (!n->kvm) { /* TCG's code cache: unbounded, each VM grew to 1.8 GiB */
            W(start(w, "tcg"));
            W(start(w, "tb-cache"));
            W(attr(w, "unit", "MiB"));
            W(xmlTextWriterWriteString(w, BAD_CAST "256"));
            W(end(w));
            W(end(w));
        }
        W(end(w));
        if (n->kvm) {
            W(start(w, "cpu"));
            W(attr(w, "mode", "host-passthrough"));
            W(end(w));
        }
        W(text_elem(w, "on_poweroff", "destroy"));
        W(text_elem(w, "on_reboot", "destroy"));
        W(text_elem(w, "on_crash", "destroy"));
        /* QEMU as root and no relabelling: the images stay the harness's */
        W(start(w, "seclabel"));
        W(attr(w, "type", "static"));
        W(attr(w, "model", "dac"));
        W(attr(w, "relabel", "no"));
        W(text_elem(w, "label", "+0:+0"));
        W(end(w));
        W(xmlTextWriterWriteRaw(w, xmlBufferContent(dbuf)));
    }
    W(end(w)); /* domain */
    return finish(w, buf, out);
}
