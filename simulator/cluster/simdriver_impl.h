/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * simdriver_impl.h - what the drivers share (simdriver.c): the handle, the
 * libvirt calls that are the same whatever the hypervisor (networks, a
 * domain's state, destroy, pause), and libvirt's last error.
 */
#pragma once

#include <libvirt/libvirt.h>

#include "simdriver.h"

struct simdriver {
    const struct simdriver_ops *ops;
    virConnectPtr conn;
    char uri[256];
};

DEFINE_TRIVIAL_CLEANUP_FUNC(virDomainPtr, virDomainFree)
DEFINE_TRIVIAL_CLEANUP_FUNC(virNetworkPtr, virNetworkFree)

const char *simdriver_lv_err(void);
int simdriver_net_create(struct simdriver *d, const struct net_spec *n, struct og_error *err);
int simdriver_net_destroy(struct simdriver *d, const char *name, struct og_error *err);
bool simdriver_net_exists(struct simdriver *d, const char *name);
int simdriver_node_destroy(struct simdriver *d, const char *domain, struct og_error *err);
enum node_state simdriver_node_state(struct simdriver *d, const char *domain);
int simdriver_node_suspend(struct simdriver *d, const char *domain, bool suspend,
                           struct og_error *err);
