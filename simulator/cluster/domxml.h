/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * domxml.h - libvirt XML for the LXC driver, written with libxml2's
 * xmlTextWriter (escaping is libxml2's, not ours).
 *   network: isolated (no <forward>), a bridge, the host's IP, no DHCP;
 *   domain:  an application container (<os><type>exe</type><init>), private
 *            network (<privnet/>), the host root read-only then the node's
 *            private mounts, one interface with a fixed MAC, a fixed host-side
 *            name and a static IP configured by libvirt.
 *   qemu:    a full VM (TCG or KVM) booting the guest kernel with ogsim's
 *            initramfs; the same mounts as virtiofs shares (shared memfd
 *            memory), tmpfs made in the guest, the loop image as a virtio
 *            disk; the kernel command line tells vminit.c what goes where
 *            and a virtio-serial channel carries the guest agent.
 * A spec the guest cannot be told (a path with a space or ':', too long a
 * command line) is -OG_E_PARAM_INVALID.
 */
#pragma once

#include "dynbuf.h"
#include "nodespec.h"

int domxml_network(const struct net_spec *n, struct dynbuf *out);
int domxml_lxc(const struct node_spec *n, struct dynbuf *out);
int domxml_qemu(const struct node_spec *n, struct dynbuf *out);
