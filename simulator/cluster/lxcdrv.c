/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * lxcdrv.c - the LXC driver over the libvirt C API (libvirt + libvirt-lxc).
 * Networks and domains are transient (created from XML, gone when
 * destroyed), so a crashed run leaves nothing defined. Commands run inside a
 * node by entering its namespaces (virDomainLxcEnterNamespace), as
 * `virsh lxc-enter-namespace` does, never through a shell.
 */
#include <errno.h>
#include <grp.h>
#include <libvirt/libvirt-lxc.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "domxml.h"
#include "simdriver_impl.h"
#include "banned.h"

static int lxc_node_create(struct simdriver *d, const struct node_spec *n, struct og_error *err)
{
    _cleanup_dynbuf_ struct dynbuf xml = {0};
    _cleanup_(virDomainFreep) virDomainPtr dom = NULL;

    dynbuf_init(&xml, 256 * 1024);
    if (domxml_lxc(n, &xml) < 0)
        return og_error_set(err, OG_E_NOMEM, "domain XML");
    /* Retried (three tries in all) on the two transient failures: loop
     * devices of parallel creates colliding ("Device or resource busy"), and
     * a controller too slow to hand over under load ("Timed out while
     * reading log output": libvirt's virLXCProcessStart gives up after ~1 s
     * of silence and stops the domain), so only when no such domain is left. */
    enum { LXC_START_TRIES = 3 };
    char m[1024] = "";
    for (int attempt = 1;; attempt++) {
        dom = virDomainCreateXML(d->conn, xml.buf, 0);
        if (dom)
            break;
        snprintf(m, sizeof(m), "%s", simdriver_lv_err());
        bool busy = strstr(m, "busy") != NULL;
        if (attempt == LXC_START_TRIES ||
            (!busy && !strstr(m, "Timed out while reading log output")))
            break;
        _cleanup_(virDomainFreep) virDomainPtr left = virDomainLookupByName(d->conn, n->domain);
        if (left)
            break;
        usleep(busy ? 200 * 1000 : 1000 * 1000);
    }
    if (!dom) {
        if (strstr(m, "already exists"))
            return og_error_set(err, OG_E_SIM_EXISTS, "domain \"%s\" already exists", n->domain);
        if (strstr(m, "cgroup"))
            return og_error_set(err, OG_E_SIM_LXC,
                                "cannot start \"%s\": %s (is the hugetlb cgroup fix applied? "
                                "ci/setup.sh applies it)",
                                n->domain, m);
        return og_error_set(err, OG_E_SIM_NODE_DOWN,
                            "cannot start \"%s\": %s (log: "
                            "/var/log/libvirt/lxc/%s.log)",
                            n->domain, m, n->domain);
    }
    return 0;
}

/* --- exec inside a node ----------------------------------------------------------- */

struct enter_ctx {
    virDomainPtr dom;
    int *fds;
    int nfds;
    uid_t uid;
    gid_t gid;
    const char *cwd;
};

/* In command's child: enter the container's namespaces, fork (a new PID
 * namespace applies to children), drop to uid/gid; the middle process
 * relays the exit status. */
static int enter_hook(void *arg)
{
    struct enter_ctx *c = arg;
    pid_t pid;

    if (virDomainLxcEnterNamespace(c->dom, (unsigned)c->nfds, c->fds, NULL, NULL, 0) < 0) {
        errno = EPERM;
        return -1;
    }
    pid = fork();
    if (pid < 0)
        return -1;
    if (pid > 0) {
        int st = 0;
        while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
            ;
        _exit(WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
    }
    if (c->gid != (gid_t)-1 && (setgroups(1, &c->gid) < 0 || setresgid(c->gid, c->gid, c->gid) < 0))
        return -1;
    if (c->uid != (uid_t)-1 && setresuid(c->uid, c->uid, c->uid) < 0)
        return -1;
    if (c->cwd && chdir(c->cwd) < 0)
        return -1;
    return 0;
}

static int lxc_node_exec(struct simdriver *d, const char *domain, uid_t uid, gid_t gid,
                         const char *cwd, const char *const *argv, const char *const *env,
                         int timeout_ms, struct command_result *res, struct og_error *err)
{
    _cleanup_(virDomainFreep) virDomainPtr dom = virDomainLookupByName(d->conn, domain);
    _cleanup_command_ struct command *cmd = NULL;
    struct enter_ctx ctx = {0};
    int *fds = NULL, n, r;

    if (!dom)
        return og_error_set(err, OG_E_SIM_NODE_DOWN, "no running domain \"%s\"", domain);
    /* Right after a start libvirt may not know the init pid yet
     * (VIR_ERR_OPERATION_INVALID "Init pid is not yet available"): retry
     * for up to 10 s. */
    for (int tries = 0; (n = virDomainLxcOpenNamespace(dom, &fds, 0)) < 0 && tries < 100; tries++) {
        virErrorPtr e = virGetLastError();
        if (!e || e->code != VIR_ERR_OPERATION_INVALID)
            break;
        usleep(100 * 1000);
    }
    if (n < 0)
        return og_error_set(err, OG_E_SIM_NODE_DOWN, "cannot open the namespaces of \"%s\": %s",
                            domain, simdriver_lv_err());
    /* A bare program name is looked up inside the node (its PATH, its
     * mounts): env does that after the namespaces are entered. */
    if (argv[0] && !strchr(argv[0], '/')) {
        cmd = command_newl("/usr/bin/env", NULL);
        for (size_t i = 0; cmd && argv[i]; i++)
            command_add_arg(cmd, argv[i]);
    } else {
        cmd = command_new(argv);
    }
    if (!cmd) {
        r = og_error_set(err, OG_E_INVALID_ARG, "empty command");
        goto out;
    }
    for (size_t i = 0; env && env[i]; i++) {
        const char *eq = strchr(env[i], '=');
        char name[128];
        if (!eq || (size_t)(eq - env[i]) >= sizeof(name))
            continue;
        snprintf(name, sizeof(name), "%.*s", (int)(eq - env[i]), env[i]);
        command_setenv(cmd, name, eq + 1);
    }
    ctx = (struct enter_ctx){dom, fds, n, uid, gid, cwd};
    command_set_child_hook(cmd, enter_hook, &ctx);
    command_set_timeout_ms(cmd, timeout_ms);
    r = command_run(cmd, res, err);
    if (r < 0)
        og_error_prefix(err, "on node \"%s\"", domain);
out:
    for (int i = 0; i < n; i++)
        close(fds[i]);
    free(fds);
    return r;
}

const struct simdriver_ops simdriver_lxc = {
    .name = "lxc",
    .default_uri = "lxc:///system",
    .net_create = simdriver_net_create,
    .net_destroy = simdriver_net_destroy,
    .net_exists = simdriver_net_exists,
    .node_create = lxc_node_create,
    .node_destroy = simdriver_node_destroy,
    .node_state = simdriver_node_state,
    .node_exec = lxc_node_exec,
    .node_suspend = simdriver_node_suspend,
};
