/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * qemudrv.c - the QEMU driver: every node a full VM with its own kernel
 * (vmimage.h), booted by ogsim-vminit into the same root, mounts, address
 * and init an LXC node gets (domxml_qemu). Commands run inside a node over
 * SSH as root with the harness key (the transport: host keys verified, the
 * argv quoted by shquote_argv, a deadline on both sides), dropping to the
 * user with setpriv: there is no namespace to enter in a VM. How to reach a
 * node is in its domain's <metadata>, so any process can exec on a node
 * another one made.
 */
#include <fcntl.h>
#include <libvirt/libvirt.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "domxml.h"
#include "fs.h"
#include "simdriver_impl.h"
#include "transport.h"
#include "banned.h"

#define QEMU_NODES_MAX 64

struct qemu_node {
    char domain[64];
    struct transport *t;
};

struct qemu_priv {
    struct qemu_node nodes[QEMU_NODES_MAX];
    size_t n;
};

static void priv_free(void *p)
{
    struct qemu_priv *q = p;

    for (size_t i = 0; i < q->n; i++)
        transport_free(q->nodes[i].t);
    free(q);
}

bool simdriver_qemu_kvm(char *why, size_t size)
{
    const char *e = getenv("OGSIM_QEMU_ACCEL");
    _cleanup_free_ char *cpu = NULL;
    int fd;

    if (e && (strcmp(e, "kvm") == 0 || strcmp(e, "tcg") == 0)) {
        snprintf(why, size, "%s (OGSIM_QEMU_ACCEL)", e);
        return strcmp(e, "kvm") == 0;
    }
    fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
    if (fd < 0) {
        snprintf(why, size, "tcg (no usable /dev/kvm)");
        return false;
    }
    close(fd);
    /* a /dev/kvm without vmx/svm (a paravirtualised host) hangs its guests
     * at "Booting from ROM" */
    if (fs_read_file("/proc/cpuinfo", 16 << 20, &cpu, NULL, NULL) < 0 ||
        (!strstr(cpu, " vmx") && !strstr(cpu, " svm"))) {
        snprintf(why, size, "tcg (/dev/kvm without vmx/svm)");
        return false;
    }
    snprintf(why, size, "kvm");
    return true;
}

static int qemu_node_create(struct simdriver *d, const struct node_spec *n, struct og_error *err)
{
    _cleanup_dynbuf_ struct dynbuf xml = {0};
    _cleanup_(virDomainFreep) virDomainPtr dom = NULL;
    int r;

    dynbuf_init(&xml, 256 * 1024);
    r = domxml_qemu(n, &xml);
    if (r == -OG_E_PARAM_INVALID)
        return og_error_set(err, OG_E_PARAM_INVALID,
                            "the node %s cannot be a VM: a mount path or init argument has a "
                            "space or ':', or the kernel command line is too long",
                            n->hostname);
    if (r < 0)
        return og_error_set(err, -r, "domain XML");
    dom = virDomainCreateXML(d->conn, xml.buf, 0);
    if (!dom) {
        const char *m = simdriver_lv_err();
        if (strstr(m, "already exists"))
            return og_error_set(err, OG_E_SIM_EXISTS, "domain \"%s\" already exists", n->domain);
        return og_error_set(err, OG_E_SIM_NODE_DOWN,
                            "cannot start \"%s\": %s (logs: /var/log/libvirt/qemu/%s.log, %s)",
                            n->domain, m, n->domain, n->console_log);
    }
    return 0;
}

/* The transport to a node, from its domain's metadata (cached per driver). */
static int node_transport(struct simdriver *d, const char *domain, struct transport **ret,
                          struct og_error *err)
{
    struct qemu_priv *q = d->priv;
    _cleanup_(virDomainFreep) virDomainPtr dom = NULL;
    _cleanup_free_ char *meta = NULL;
    xmlDocPtr doc = NULL;
    xmlChar *ip = NULL, *key = NULL, *known = NULL;
    struct transport *t = NULL;
    int r;

    for (size_t i = 0; q && i < q->n; i++) {
        if (strcmp(q->nodes[i].domain, domain) == 0) {
            *ret = q->nodes[i].t;
            return 0;
        }
    }
    if (!q) {
        q = d->priv = calloc(1, sizeof(*q));
        if (!q)
            return og_error_set(err, OG_E_NOMEM, "driver");
        d->priv_free = priv_free;
    }
    if (q->n == QEMU_NODES_MAX)
        return og_error_set(err, OG_E_TOO_LARGE, "more than %d nodes", QEMU_NODES_MAX);
    dom = virDomainLookupByName(d->conn, domain);
    if (!dom)
        return og_error_set(err, OG_E_SIM_NODE_DOWN, "no running domain \"%s\"", domain);
    meta = virDomainGetMetadata(dom, VIR_DOMAIN_METADATA_ELEMENT, DOMXML_NS, 0);
    doc = meta ? xmlReadMemory(meta, (int)strlen(meta), "meta.xml", NULL, XML_PARSE_NONET) : NULL;
    if (doc && xmlDocGetRootElement(doc)) {
        ip = xmlGetProp(xmlDocGetRootElement(doc), BAD_CAST "ip");
        key = xmlGetProp(xmlDocGetRootElement(doc), BAD_CAST "key");
        known = xmlGetProp(xmlDocGetRootElement(doc), BAD_CAST "known_hosts");
    }
    if (!ip || !key || !known) {
        r = og_error_set(err, OG_E_SIM_NODE_DOWN, "the domain \"%s\" is not an ogsim VM node",
                         domain);
    } else {
        struct transport_opts o = {.user = "root",
                                   .key_file = (const char *)key,
                                   .known_hosts = (const char *)known,
                                   .local_mode = TRANSPORT_LOCAL_NEVER};
        r = transport_new(&o, &t, err);
        if (r == 0)
            r = transport_add_node(t, domain, (const char *)ip, 22, err);
    }
    xmlFree(ip);
    xmlFree(key);
    xmlFree(known);
    xmlFreeDoc(doc);
    if (r < 0) {
        transport_free(t);
        return r;
    }
    snprintf(q->nodes[q->n].domain, sizeof(q->nodes[q->n].domain), "%s", domain);
    q->nodes[q->n++].t = t;
    *ret = t;
    return 0;
}

/* env -i -C CWD VAR=... [setpriv --reuid --regid --init-groups] ARGV: the
 * environment, directory and user an LXC entry gives. */
static int qemu_node_exec(struct simdriver *d, const char *domain, uid_t uid, gid_t gid,
                          const char *cwd, const char *const *argv, const char *const *env,
                          int timeout_ms, struct command_result *res, struct og_error *err)
{
    struct transport_run_opts o = {.timeout_ms = timeout_ms};
    struct transport *t = NULL;
    const char **a;
    char u[40], g[40];
    size_t n = 0, ne = 0, na = 0;
    int r;

    for (; env && env[ne]; ne++)
        ;
    for (; argv && argv[na]; na++)
        ;
    if (!na)
        return og_error_set(err, OG_E_INVALID_ARG, "empty command");
    r = node_transport(d, domain, &t, err);
    if (r < 0)
        return r;
    a = calloc(ne + na + 12, sizeof(*a));
    if (!a)
        return og_error_set(err, OG_E_NOMEM, "command");
    a[n++] = "env";
    a[n++] = "-i";
    a[n++] = "-C";
    a[n++] = cwd ? cwd : "/";
    for (size_t i = 0; i < ne; i++)
        if (strchr(env[i], '=') && env[i][0] != '=')
            a[n++] = env[i];
    if (uid != 0 || gid != 0) {
        snprintf(u, sizeof(u), "--reuid=%u", (unsigned)uid);
        snprintf(g, sizeof(g), "--regid=%u", (unsigned)gid);
        a[n++] = "setpriv";
        a[n++] = u;
        a[n++] = g;
        a[n++] = "--init-groups";
        a[n++] = "--";
    }
    for (size_t i = 0; i < na; i++)
        a[n++] = argv[i];
    a[n] = NULL;
    r = transport_run(t, domain, a, &o, res, err);
    free(a);
    if (r < 0)
        og_error_prefix(err, "on node \"%s\"", domain);
    return r;
}

const struct simdriver_ops simdriver_qemu = {
    .name = "qemu",
    .default_uri = "qemu:///system",
    .net_create = simdriver_net_create,
    .net_destroy = simdriver_net_destroy,
    .net_exists = simdriver_net_exists,
    .node_create = qemu_node_create,
    .node_destroy = simdriver_node_destroy,
    .node_state = simdriver_node_state,
    .node_exec = qemu_node_exec,
    .node_suspend = simdriver_node_suspend,
};
