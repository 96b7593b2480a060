/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * simdriver.c - opening a driver, and the libvirt calls both drivers make
 * the same way. Networks and domains are transient (created from XML, gone
 * when destroyed), so a crashed run leaves nothing defined.
 */
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domxml.h"
#include "simdriver_impl.h"
#include "strtable.h"
#include "banned.h"

static void quiet(void *ud, virErrorPtr e)
{
    (void)ud;
    (void)e; /* errors are read with virGetLastErrorMessage() where they matter */
}

const char *simdriver_lv_err(void)
{
    const char *m = virGetLastErrorMessage();
    return m ? m : "unknown libvirt error";
}

int simdriver_open(const char *driver, const char *uri, struct simdriver **ret,
                   struct og_error *err)
{
    const struct simdriver_ops *ops = NULL;
    struct simdriver *d;

    if (!driver || strcmp(driver, "lxc") == 0)
        ops = &simdriver_lxc;
    else if (strcmp(driver, "qemu") == 0)
        ops = &simdriver_qemu;
    else
        return og_error_set(err, OG_E_PARAM_INVALID,
                            "unknown driver \"%s\" (this build has: lxc, qemu)", driver);
    virSetErrorFunc(NULL, quiet);
    d = calloc(1, sizeof(*d));
    if (!d)
        return og_error_set(err, OG_E_NOMEM, "driver");
    d->ops = ops;
    snprintf(d->uri, sizeof(d->uri), "%s", uri ? uri : ops->default_uri);
    d->conn = virConnectOpen(d->uri);
    if (!d->conn) {
        int r = og_error_set(err, OG_E_SIM_LIBVIRT,
                             "libvirt does not answer at %s: %s (is libvirtd running? "
                             "ci/setup.sh starts it)",
                             d->uri, simdriver_lv_err());
        free(d);
        return r;
    }
    *ret = d;
    return 0;
}

void simdriver_close(struct simdriver *d)
{
    if (!d)
        return;
    if (d->conn)
        virConnectClose(d->conn);
    free(d);
}

const struct simdriver_ops *simdriver_ops(const struct simdriver *d)
{
    return d->ops;
}

const char *simdriver_uri(const struct simdriver *d)
{
    return d->uri;
}

int simdriver_net_create(struct simdriver *d, const struct net_spec *n, struct og_error *err)
{
    _cleanup_dynbuf_ struct dynbuf xml = {0};
    _cleanup_(virNetworkFreep) virNetworkPtr net = NULL;

    dynbuf_init(&xml, 64 * 1024);
    if (domxml_network(n, &xml) < 0)
        return og_error_set(err, OG_E_NOMEM, "network XML");
    net = virNetworkCreateXML(d->conn, xml.buf);
    if (!net)
        return og_error_set(
            err, strstr(simdriver_lv_err(), "already") ? OG_E_SIM_EXISTS : OG_E_SIM_ADDRESS,
            "cannot create network \"%s\" (%s/%d on %s): %s", n->name, n->host_ip, n->prefix,
            n->bridge, simdriver_lv_err());
    return 0;
}

int simdriver_net_destroy(struct simdriver *d, const char *name, struct og_error *err)
{
    _cleanup_(virNetworkFreep) virNetworkPtr net = virNetworkLookupByName(d->conn, name);

    if (!net)
        return 0; /* already gone: idempotent */
    if (virNetworkDestroy(net) < 0)
        return og_error_set(err, OG_E_EXEC_FAILED, "cannot destroy network \"%s\": %s", name,
                            simdriver_lv_err());
    return 0;
}

bool simdriver_net_exists(struct simdriver *d, const char *name)
{
    _cleanup_(virNetworkFreep) virNetworkPtr net = virNetworkLookupByName(d->conn, name);

    return net != NULL;
}

int simdriver_node_destroy(struct simdriver *d, const char *domain, struct og_error *err)
{
    _cleanup_(virDomainFreep) virDomainPtr dom = virDomainLookupByName(d->conn, domain);

    if (!dom)
        return 0;
    if (virDomainDestroy(dom) < 0 && virDomainIsActive(dom) == 1)
        return og_error_set(err, OG_E_EXEC_FAILED, "cannot destroy \"%s\": %s", domain,
                            simdriver_lv_err());
    return 0;
}

enum node_state simdriver_node_state(struct simdriver *d, const char *domain)
{
    _cleanup_(virDomainFreep) virDomainPtr dom = virDomainLookupByName(d->conn, domain);
    int state = 0, reason = 0;

    if (!dom)
        return NODE_ABSENT;
    if (virDomainGetState(dom, &state, &reason, 0) < 0)
        return NODE_OTHER;
    switch (state) {
    case VIR_DOMAIN_RUNNING:
        return NODE_RUNNING;
    case VIR_DOMAIN_PAUSED:
        return NODE_PAUSED;
    case VIR_DOMAIN_SHUTOFF:
        return NODE_SHUTOFF;
    default:
        return NODE_OTHER;
    }
}

static const char *const node_state_table[] = {
    [NODE_ABSENT] = "absent",   [NODE_RUNNING] = "running", [NODE_PAUSED] = "paused",
    [NODE_SHUTOFF] = "shutoff", [NODE_OTHER] = "other",
};
STRTABLE_TO_STRING(simdriver_state_name, enum node_state, node_state_table, "other");

int simdriver_node_suspend(struct simdriver *d, const char *domain, bool suspend,
                           struct og_error *err)
{
    _cleanup_(virDomainFreep) virDomainPtr dom = virDomainLookupByName(d->conn, domain);

    if (!dom)
        return og_error_set(err, OG_E_SIM_NODE_DOWN, "no domain \"%s\"", domain);
    if ((suspend ? virDomainSuspend(dom) : virDomainResume(dom)) < 0)
        return og_error_set(err, OG_E_EXEC_FAILED, "cannot %s \"%s\": %s",
                            suspend ? "suspend" : "resume", domain, simdriver_lv_err());
    return 0;
}
