/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * lxcxml.h - libvirt XML for the LXC driver, written with libxml2's
 * xmlTextWriter (escaping is libxml2's, not ours).
 *   network: isolated (no <forward>), a bridge, the host's IP, no DHCP;
 *   domain:  an application container (<os><type>exe</type><init>), private
 *            network (<privnet/>), the host root read-only then the node's
 *            private mounts, one interface with a fixed MAC, a fixed host-side
 *            name and a static IP configured by libvirt.
 */
#pragma once

#include "dynbuf.h"
#include "nodespec.h"

int lxcxml_network(const struct net_spec *n, struct dynbuf *out);
int lxcxml_domain(const struct node_spec *n, struct dynbuf *out);
