/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * simdriver.h - how the simulator makes networks and nodes, whatever the
 * hypervisor: every driver goes through the libvirt API with a URI, so a
 * remote hypervisor (qemu+ssh://host/system) works the same way.
 *   lxc  - application containers (default): sub-second nodes, host kernel
 *   qemu - full VMs (qemudrv.c): own kernel, true power cuts, slower
 */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include "command.h"
#include "nodespec.h"
#include "ogerror.h"

struct simdriver;

enum node_state {
    NODE_ABSENT,
    NODE_RUNNING,
    NODE_PAUSED,
    NODE_SHUTOFF,
    NODE_OTHER,
};

struct simdriver_ops {
    const char *name;
    const char *default_uri;
    int (*net_create)(struct simdriver *d, const struct net_spec *n, struct og_error *err);
    int (*net_destroy)(struct simdriver *d, const char *name, struct og_error *err);
    bool (*net_exists)(struct simdriver *d, const char *name);
    int (*node_create)(struct simdriver *d, const struct node_spec *n, struct og_error *err);
    int (*node_destroy)(struct simdriver *d, const char *domain, struct og_error *err);
    enum node_state (*node_state)(struct simdriver *d, const char *domain);
    /* Run argv inside the node as uid/gid (root = 0/0), in dir cwd;
     * output captured as command_run() does. */
    int (*node_exec)(struct simdriver *d, const char *domain, uid_t uid, gid_t gid, const char *cwd,
                     const char *const *argv, const char *const *env, int timeout_ms,
                     struct command_result *res, struct og_error *err);
    int (*node_suspend)(struct simdriver *d, const char *domain, bool suspend,
                        struct og_error *err);
};

/* Open the driver "lxc" or "qemu" at uri (NULL: the driver's default).
 * -OG_E_SIM_LIBVIRT when libvirt does not answer. */
int simdriver_open(const char *driver, const char *uri, struct simdriver **ret,
                   struct og_error *err);
void simdriver_close(struct simdriver *d);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct simdriver *, simdriver_close)

const struct simdriver_ops *simdriver_ops(const struct simdriver *d);
/* "absent", "running", "paused", "shutoff", "other". */
const char *simdriver_state_name(enum node_state s);
const char *simdriver_uri(const struct simdriver *d);

/* Whether QEMU nodes get KVM (else TCG), with why in words ("tcg (no
 * usable /dev/kvm)"): OGSIM_QEMU_ACCEL=kvm|tcg decides when set, else a
 * /dev/kvm that opens on a CPU with vmx/svm. */
bool simdriver_qemu_kvm(char *why, size_t size);

/* Driver tables. */
extern const struct simdriver_ops simdriver_lxc;
extern const struct simdriver_ops simdriver_qemu;
