/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * nodespec.h - what the simulator asks a driver to create: an isolated
 * network and nodes on it. Pure data; drivers turn it into libvirt XML.
 */
#pragma once

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#define NODESPEC_MAX_MOUNTS 12

struct net_spec {
    char name[64];    /* libvirt network name, e.g. "ogsim-c1" */
    char bridge[16];  /* host bridge, <= 15 chars */
    char host_ip[16]; /* the host's address on it, e.g. 10.213.7.1 */
    int prefix;       /* 24 */
};

enum mount_kind {
    MOUNT_BIND,    /* host directory (or file) at target */
    MOUNT_BIND_RO, /* read-only bind (the snapshots) */
    MOUNT_RAM,     /* tmpfs of size_kib */
    MOUNT_LOOP,    /* raw ext4 image file, loop-mounted */
};

struct mount_spec {
    enum mount_kind kind;
    char source[PATH_MAX];
    char target[PATH_MAX];
    unsigned long size_kib; /* MOUNT_RAM */
};

struct node_spec {
    char domain[64];   /* libvirt domain name */
    char hostname[64]; /* the node's own name */
    char ip[16];
    int prefix;
    char mac[18];     /* fixed: random MACs cause ARP black holes after restarts */
    char veth[16];    /* host-side interface name */
    char network[64]; /* libvirt network name */
    unsigned memory_mib;
    char init[PATH_MAX];         /* init program (on the host root under the node's) */
    char init_args[4][PATH_MAX]; /* its arguments */
    size_t n_init_args;
    struct mount_spec mounts[NODESPEC_MAX_MOUNTS];
    size_t n_mounts;
    /* full VMs (qemu) only */
    char kernel[PATH_MAX];      /* the guest kernel (vmimage.h) */
    char initrd[PATH_MAX];      /* its initramfs */
    char console_log[PATH_MAX]; /* the serial console, a file on the host */
    bool kvm;                   /* hardware acceleration, else TCG */
};
