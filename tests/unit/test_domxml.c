/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * The libvirt XML the LXC driver writes, parsed back with libxml2 and checked
 * element by element; the driver's lifecycle calls against libvirt's test
 * driver (test:///default), which needs no daemon.
 */
#include <criterion/criterion.h>
#include <libxml/parser.h>
#include <libxml/xpath.h>
#include <string.h>

#include "domxml.h"
#include "simdriver.h"

static xmlDocPtr parse(const struct dynbuf *b)
{
    xmlDocPtr d = xmlReadMemory(b->buf, (int)b->len, "x.xml", NULL, XML_PARSE_NONET);

    cr_assert_not_null(d, "not XML:\n%s", b->buf);
    return d;
}

static int count(xmlDocPtr d, const char *xpath)
{
    xmlXPathContextPtr ctx = xmlXPathNewContext(d);
    xmlXPathObjectPtr o = xmlXPathEvalExpression(BAD_CAST xpath, ctx);
    int n = o && o->nodesetval ? o->nodesetval->nodeNr : 0;

    xmlXPathFreeObject(o);
    xmlXPathFreeContext(ctx);
    return n;
}

static void fill_node(struct node_spec *n)
{
    memset(n, 0, sizeof(*n));
    snprintf(n->domain, sizeof(n->domain), "ogsim-c1-node1");
    snprintf(n->hostname, sizeof(n->hostname), "node1");
    snprintf(n->ip, sizeof(n->ip), "10.213.7.11");
    n->prefix = 24;
    snprintf(n->mac, sizeof(n->mac), "52:54:00:d5:07:0b");
    snprintf(n->veth, sizeof(n->veth), "ogv07n1");
    snprintf(n->network, sizeof(n->network), "ogsim-c1");
    n->memory_mib = 1024;
    snprintf(n->init, sizeof(n->init), "/var/lib/ogsim/c1/ogsim-init");
    snprintf(n->init_args[0], sizeof(n->init_args[0]), "node1");
    snprintf(n->init_args[1], sizeof(n->init_args[1]), "/x/sshd <config> & 'q'");
    n->n_init_args = 2;
    n->mounts[0] = (struct mount_spec){.kind = MOUNT_BIND_RO, .source = "/", .target = "/"};
    n->mounts[1] = (struct mount_spec){.kind = MOUNT_RAM, .target = "/run", .size_kib = 65536};
    n->mounts[2] =
        (struct mount_spec){.kind = MOUNT_BIND, .source = "/s/home", .target = "/home/omm"};
    n->mounts[3] = (struct mount_spec){
        .kind = MOUNT_LOOP, .source = "/s/data.img", .target = "/opt/ogsim/data"};
    n->n_mounts = 4;
}

Test(domxml, network_is_isolated)
{
    struct net_spec n = {
        .name = "ogsim-c1", .bridge = "ogbr07", .host_ip = "10.213.7.1", .prefix = 24};
    _cleanup_dynbuf_ struct dynbuf b = {0};
    xmlDocPtr d;

    dynbuf_init(&b, 1 << 16);
    cr_assert_eq(domxml_network(&n, &b), 0);
    d = parse(&b);
    cr_assert_eq(count(d, "/network/forward"), 0, "no <forward>: isolated");
    cr_assert_eq(count(d, "/network/ip/dhcp"), 0);
    cr_assert_eq(count(d, "/network/name[text()='ogsim-c1']"), 1);
    cr_assert_eq(count(d, "/network/bridge[@name='ogbr07']"), 1);
    cr_assert_eq(count(d, "/network/ip[@address='10.213.7.1' and @prefix='24']"), 1);
    xmlFreeDoc(d);
}

Test(domxml, domain_layout)
{
    struct node_spec n;
    _cleanup_dynbuf_ struct dynbuf b = {0};
    xmlDocPtr d;

    fill_node(&n);
    dynbuf_init(&b, 1 << 16);
    cr_assert_eq(domxml_lxc(&n, &b), 0);
    d = parse(&b);
    cr_assert_eq(count(d, "/domain[@type='lxc']/os/type[text()='exe']"), 1);
    cr_assert_eq(count(d, "/domain/os/init[text()='/var/lib/ogsim/c1/ogsim-init']"), 1);
    /* arguments are escaped by libxml2, and read back exactly */
    cr_assert_eq(count(d, "/domain/os/initarg[text()=\"/x/sshd <config> & 'q'\"]"), 1);
    cr_assert_eq(count(d, "/domain/features/privnet"), 1);
    /* the host root comes first, read-only */
    cr_assert_eq(count(d, "/domain/devices/filesystem[1][@type='mount']/readonly"), 1);
    cr_assert_eq(count(d, "/domain/devices/filesystem[1]/target[@dir='/']"), 1);
    cr_assert_eq(
        count(d, "/domain/devices/filesystem[@type='ram']/source[@usage='65536' and @units='KiB']"),
        1);
    cr_assert_eq(
        count(d, "/domain/devices/filesystem[@type='file']/driver[@type='loop' and @format='raw']"),
        1);
    cr_assert_eq(
        count(d, "/domain/devices/filesystem[@type='file']/target[@dir='/opt/ogsim/data']"), 1);
    cr_assert_eq(
        count(d,
              "/domain/devices/filesystem[@type='mount' and not(readonly)]/source[@dir='/s/home']"),
        1);
    /* fixed MAC, fixed host-side name, static IP */
    cr_assert_eq(
        count(d, "/domain/devices/interface[@type='network']/mac[@address='52:54:00:d5:07:0b']"),
        1);
    cr_assert_eq(count(d, "/domain/devices/interface/target[@dev='ogv07n1']"), 1);
    cr_assert_eq(count(d, "/domain/devices/interface/source[@network='ogsim-c1']"), 1);
    cr_assert_eq(count(d, "/domain/devices/interface/ip[@address='10.213.7.11' and @prefix='24']"),
                 1);
    cr_assert_eq(count(d, "/domain/memory[@unit='MiB' and text()='1024']"), 1);
    xmlFreeDoc(d);
}

Test(domxml, output_limit_is_an_error)
{
    struct node_spec n;
    _cleanup_dynbuf_ struct dynbuf b = {0};

    fill_node(&n);
    dynbuf_init(&b, 100);
    cr_assert_eq(domxml_lxc(&n, &b), -OG_E_TOO_LARGE);
}

/* libvirt's test driver: network lifecycle and the coded errors. */
Test(simdriver, lifecycle_on_test_driver)
{
    struct simdriver *d = NULL;
    struct og_error err = {0};
    struct net_spec n = {
        .name = "ogsim-unit", .bridge = "ogbrunit", .host_ip = "10.213.250.1", .prefix = 24};
    struct command_result res = {0};
    const char *argv[] = {"true", NULL};

    cr_assert_eq(simdriver_open("lxc", "test:///default", &d, &err), 0, "%s", err.detail);
    cr_assert_str_eq(simdriver_uri(d), "test:///default");
    cr_assert_str_eq(simdriver_ops(d)->name, "lxc");
    cr_assert_not(simdriver_ops(d)->net_exists(d, "ogsim-unit"));
    cr_assert_eq(simdriver_ops(d)->net_create(d, &n, &err), 0, "%s", err.detail);
    cr_assert(simdriver_ops(d)->net_exists(d, "ogsim-unit"));
    cr_assert_eq(simdriver_ops(d)->net_create(d, &n, &err), -OG_E_SIM_EXISTS, "%s", err.detail);
    cr_assert_eq(simdriver_ops(d)->net_destroy(d, "ogsim-unit", &err), 0);
    cr_assert_not(simdriver_ops(d)->net_exists(d, "ogsim-unit"));
    cr_assert_eq(simdriver_ops(d)->net_destroy(d, "ogsim-unit", &err), 0, "idempotent");
    /* the test driver's own domain "test" exists; ours do not */
    cr_assert_eq(simdriver_ops(d)->node_state(d, "test"), NODE_RUNNING);
    cr_assert_eq(simdriver_ops(d)->node_state(d, "ogsim-none"), NODE_ABSENT);
    cr_assert_eq(simdriver_ops(d)->node_destroy(d, "ogsim-none", &err), 0, "idempotent");
    cr_assert_eq(simdriver_ops(d)->node_suspend(d, "test", true, &err), 0, "%s", err.detail);
    cr_assert_eq(simdriver_ops(d)->node_state(d, "test"), NODE_PAUSED);
    cr_assert_eq(simdriver_ops(d)->node_suspend(d, "test", false, &err), 0);
    cr_assert_eq(simdriver_ops(d)->node_suspend(d, "ogsim-none", true, &err), -OG_E_SIM_NODE_DOWN);
    cr_assert_eq(
        simdriver_ops(d)->node_exec(d, "ogsim-none", 0, 0, "/", argv, NULL, 1000, &res, &err),
        -OG_E_SIM_NODE_DOWN);
    simdriver_close(d);
    simdriver_close(NULL);
}

Test(simdriver, bad_driver_and_uri_are_coded)
{
    struct simdriver *d = NULL;
    struct og_error err = {0};

    cr_assert_eq(simdriver_open("vmware", NULL, &d, &err), -OG_E_PARAM_INVALID);
    cr_assert_eq(simdriver_open("lxc", "bogus:///nowhere", &d, &err), -OG_E_SIM_LIBVIRT);
    cr_assert_eq(err.code, OG_E_SIM_LIBVIRT);
}
