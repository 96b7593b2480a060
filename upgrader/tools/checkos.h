/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * checkos.h - what gs_checkos's three files share: the node side reads
 * (checkos_local.c) or sets (checkos_set.c) the items on this node and
 * prints one fact a line, "<item>\t<kind>\t<text>" (item "A9", "B1"); the
 * invoking side (checkos.c) gathers the nodes' lines and prints openGauss's
 * report (openGauss-OM v5.0.0 script/gs_checkos, script/local/LocalCheckOS.py,
 * script/local/LocalCheck.py).
 *
 * Kinds: "checked" (the item ran), "value" (compared across nodes), "info",
 * "warn" and "abnormal" (a reason, raising the item's level), "note" (a
 * line of the detail that leaves the level alone: "Set variable ...").
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cleanup.h"
#include "dynbuf.h"

#define CHECKOS_N_A     14 /* A1..A14: index 0..13 */
#define CHECKOS_N_B     8  /* B1..B8: index 14..21 */
#define CHECKOS_N       (CHECKOS_N_A + CHECKOS_N_B)
#define CHECKOS_B(n)    (CHECKOS_N_A + (n)-1)
#define CHECKOS_OUT_MAX (64 * 1024) /* one node's --local-items output */

/* One fact of item (index) on this node; tabs and newlines become spaces. */
void checkos_emit(struct dynbuf *o, int item, const char *kind, const char *fmt, ...)
    _printf_(4, 5);

/* The first line of a small file, without its newline; -1 (errno set) when
 * it cannot be read. */
int checkos_read_line(const char *path, char *buf, size_t size);
/* A number the tools read from text they trust (/proc, /sys, a node's
 * check_time value), blanks around it dropped; 0
 * when it is not one (as atoi read such a value). */
long long checkos_kernel_num(const char *s);

/* This node is a container (openGauss's DefaultValue.checkDockerEnv, and
 * libvirt LXC's container=lxc-libvirt). */
bool checkos_in_container(void);

/* A key of check_list.conf [/etc/sysctl.conf] this node should be given:
 * openGauss's setParameterList (LocalCheck.py:233-303). */
struct checkos_sysctl {
    char key[64];
    char value[64];
};
/* The A6 check (o may be NULL); the keys B1 would set go to set (may be
 * NULL, up to max; *n_set counts them). */
void checkos_check_sysctl(struct dynbuf *o, struct checkos_sysctl *set, size_t max, size_t *n_set);

/* A limit of check_list.conf [/etc/security/limits.conf] below its value:
 * openGauss's table (LocalCheck.py:395-445), e.g. "nofile" "1000000". */
struct checkos_limit {
    char item[16];
    char value[32];
};
void checkos_check_limits(struct dynbuf *o, struct checkos_limit *set, size_t max, size_t *n_set);

/* The block devices under /sys/block with a queue: CHECKOS_DEV_ALL as
 * LocalCheckOS.py's globs (nr_requests, logical_block_size);
 * CHECKOS_DEV_DISKS as DiskUtil.getDevices (disk_util.py:250: not loop or
 * device-mapper ones; the schedulers); CHECKOS_DEV_BLOCKDEV also without
 * the disk of "/" (LocalCheckOS.py:197-215 collectBlockdev; read-ahead). */
#define CHECKOS_DEV_ALL      0u
#define CHECKOS_DEV_DISKS    1u
#define CHECKOS_DEV_NOT_ROOT 2u
#define CHECKOS_DEV_BLOCKDEV (CHECKOS_DEV_DISKS | CHECKOS_DEV_NOT_ROOT)
size_t checkos_block_devices(char (*names)[64], size_t max, unsigned which);

/* The node side: check the A items of mask, set the B items of mask. */
void checkos_local_check(uint32_t mask, struct dynbuf *o);
void checkos_local_set(uint32_t mask, struct dynbuf *o);

/* What A9/A10 expect (LocalCheckOS.py:1520, 1605): read-ahead in 512-byte
 * sectors, the block queue length. */
#define CHECKOS_READAHEAD   16384
#define CHECKOS_NR_REQUESTS 32768
#define CHECKOS_AIO_MAX_NR  104857600

/* dev's scheduler now and the one openGauss wants; -1 without one. */
int checkos_scheduler(const char *dev, char *cur, size_t size, char *want, size_t wsize);

/* The cluster user: the owner of the OM package this program runs from
 * (openGauss's LocalCheck.py getClusterUser); "" when that is root. */
void checkos_cluster_user(char *name, size_t size);
