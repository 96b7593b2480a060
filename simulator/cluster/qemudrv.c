/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * qemudrv.c - the QEMU driver: every node a full VM with its own kernel
 * (vmimage.h), booted by ogsim-vminit into the same root, mounts, address
 * and init an LXC node gets (domxml_qemu). Commands run inside a node
 * through the QEMU guest agent (guest-exec over a virtio-serial port, which
 * ogsim-init runs qemu-ga on): no network fault cuts the harness off a node,
 * as entering a container's namespaces does not go through its network.
 * The argv becomes env -i -C CWD VARS timeout -k 5 SECS [setpriv ...] ARGV:
 * the environment, directory and user an LXC entry gives, and a deadline
 * that holds inside the guest too.
 */
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <libvirt/libvirt-qemu.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "domxml.h"
#include "fs.h"
#include "simdriver_impl.h"
#include "banned.h"

#define AGENT_WAIT_MS (90 * 1000) /* qemu-ga answering after a (TCG) boot */
#define AGENT_CALL_S  10          /* one agent call */
#define KILL_AFTER_S  5           /* timeout(1)'s TERM -> KILL */

DEFINE_TRIVIAL_CLEANUP_FUNC(json_object *, json_object_put)

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

/* One agent command; its "return" object (a reference of *doc). A guest
 * agent not (yet) connected is -OG_E_SIM_NODE_DOWN with *not_up set. */
static int agent_call(virDomainPtr dom, const char *domain, json_object *cmd, json_object **doc,
                      json_object **ret, bool *not_up, struct og_error *err)
{
    char *out =
        virDomainQemuAgentCommand(dom, json_object_to_json_string_ext(cmd, 0), AGENT_CALL_S, 0);
    virErrorPtr e;

    *not_up = false;
    if (!out) {
        e = virGetLastError();
        *not_up = e && e->code == VIR_ERR_AGENT_UNRESPONSIVE;
        return og_error_set(err, OG_E_SIM_NODE_DOWN, "the guest agent of \"%s\": %s", domain,
                            simdriver_lv_err());
    }
    *doc = json_tokener_parse(out);
    free(out);
    if (!*doc || !json_object_object_get_ex(*doc, "return", ret))
        return og_error_set(err, OG_E_SIM_NODE_DOWN,
                            "the guest agent of \"%s\" answered no \"return\"", domain);
    return 0;
}

/* base64 (the agent's out-data) into a NUL-terminated buffer. */
static int unbase64(json_object *o, const char *key, char **buf, size_t *len, struct og_error *err)
{
    json_object *v;
    const char *b64 = json_object_object_get_ex(o, key, &v) ? json_object_get_string(v) : "";
    size_t n = strlen(b64), pad = 0;
    int got;

    *buf = malloc(n / 4 * 3 + 4);
    if (!*buf)
        return og_error_set(err, OG_E_NOMEM, "command output");
    got = n ? EVP_DecodeBlock((unsigned char *)*buf, (const unsigned char *)b64, (int)n) : 0;
    if (got < 0)
        return og_error_set(err, OG_E_REMOTE_EXEC, "the guest agent's output is not base64");
    for (size_t i = n; i > 0 && b64[i - 1] == '='; i--)
        pad++;
    *len = (size_t)got - pad;
    (*buf)[*len] = '\0';
    return 0;
}

static json_object *exec_request(const char *const *a)
{
    json_object *cmd = json_object_new_object(), *args = json_object_new_object();
    json_object *arg = json_object_new_array();

    for (size_t i = 1; a[i]; i++)
        json_object_array_add(arg, json_object_new_string(a[i]));
    json_object_object_add(args, "path", json_object_new_string(a[0]));
    json_object_object_add(args, "arg", arg);
    json_object_object_add(args, "capture-output", json_object_new_boolean(1));
    json_object_object_add(cmd, "execute", json_object_new_string("guest-exec"));
    json_object_object_add(cmd, "arguments", args);
    return cmd;
}

/* guest-exec (retried while the agent is not up yet, after a boot); the
 * guest's pid. */
static int agent_spawn(virDomainPtr dom, const char *domain, const char *const *a, long long *pid,
                       struct og_error *err)
{
    _cleanup_(json_object_putp) json_object *cmd = exec_request(a);
    long long deadline = og_now_ms() + AGENT_WAIT_MS;

    for (;;) {
        _cleanup_(json_object_putp) json_object *doc = NULL;
        json_object *ret = NULL, *v;
        bool not_up = false;
        int r = agent_call(dom, domain, cmd, &doc, &ret, &not_up, err);
        if (r == 0 && json_object_object_get_ex(ret, "pid", &v)) {
            *pid = json_object_get_int64(v);
            return 0;
        }
        if (r == 0)
            return og_error_set(err, OG_E_REMOTE_EXEC, "guest-exec on \"%s\" gave no pid", domain);
        if (!not_up || og_now_ms() > deadline)
            return r;
        og_error_clear(err);
        usleep(200 * 1000);
    }
}

/* Poll guest-exec-status until the process exited, or until the deadline
 * (timeout(1) in the guest has killed it by then) and a grace. */
static int agent_wait(virDomainPtr dom, const char *domain, long long pid, long long deadline,
                      struct command_result *res, struct og_error *err)
{
    _cleanup_(json_object_putp) json_object *cmd = json_object_new_object();
    json_object *args = json_object_new_object();
    useconds_t nap = 2000;

    json_object_object_add(args, "pid", json_object_new_int64(pid));
    json_object_object_add(cmd, "execute", json_object_new_string("guest-exec-status"));
    json_object_object_add(cmd, "arguments", args);
    for (;;) {
        _cleanup_(json_object_putp) json_object *doc = NULL;
        json_object *ret = NULL, *v;
        bool not_up = false;
        int r = agent_call(dom, domain, cmd, &doc, &ret, &not_up, err);
        if (r < 0)
            return r;
        if (json_object_object_get_ex(ret, "exited", &v) && json_object_get_boolean(v)) {
            int code = json_object_object_get_ex(ret, "exitcode", &v) ? json_object_get_int(v) : -1;
            int sig = json_object_object_get_ex(ret, "signal", &v) ? json_object_get_int(v) : 0;
            if ((json_object_object_get_ex(ret, "out-truncated", &v) &&
                 json_object_get_boolean(v)) ||
                (json_object_object_get_ex(ret, "err-truncated", &v) && json_object_get_boolean(v)))
                return og_error_set(err, OG_E_OUTPUT_LIMIT, "the output of a command on \"%s\"",
                                    domain);
            r = unbase64(ret, "out-data", &res->out, &res->out_len, err);
            if (r == 0)
                r = unbase64(ret, "err-data", &res->err, &res->err_len, err);
            if (r < 0) {
                command_result_done(res);
                return r;
            }
            res->exit_status = sig ? -1 : code;
            res->term_signal = sig;
            /* timeout(1) ended it: what command_run says of a deadline */
            if ((code == 124 || code == 137) && og_now_ms() >= deadline) {
                command_result_done(res);
                return og_error_set(err, OG_E_TIMEOUT, "a command on \"%s\" timed out", domain);
            }
            return 0;
        }
        if (og_now_ms() > deadline + (KILL_AFTER_S + 10) * 1000LL)
            return og_error_set(err, OG_E_TIMEOUT, "a command on \"%s\" did not end", domain);
        usleep(nap);
        nap = nap < 50000 ? nap * 2 : 50000;
    }
}

static int qemu_node_exec(struct simdriver *d, const char *domain, uid_t uid, gid_t gid,
                          const char *cwd, const char *const *argv, const char *const *env,
                          int timeout_ms, struct command_result *res, struct og_error *err)
{
    _cleanup_(virDomainFreep) virDomainPtr dom = virDomainLookupByName(d->conn, domain);
    _cleanup_free_ const char **a = NULL;
    long long deadline, pid = 0;
    char u[40], g[40], secs[32], kill_after[32];
    size_t n = 0, ne = 0, na = 0;
    int r;

    for (; env && env[ne]; ne++)
        ;
    for (; argv && argv[na]; na++)
        ;
    if (!na)
        return og_error_set(err, OG_E_INVALID_ARG, "empty command");
    if (!dom)
        return og_error_set(err, OG_E_SIM_NODE_DOWN, "no running domain \"%s\"", domain);
    if (timeout_ms <= 0)
        timeout_ms = COMMAND_DEFAULT_TIMEOUT_MS;
    a = calloc(ne + na + 16, sizeof(*a));
    if (!a)
        return og_error_set(err, OG_E_NOMEM, "command");
    snprintf(secs, sizeof(secs), "%d.%03d", timeout_ms / 1000, timeout_ms % 1000);
    snprintf(kill_after, sizeof(kill_after), "--kill-after=%d", KILL_AFTER_S);
    a[n++] = "/usr/bin/env";
    a[n++] = "-i";
    a[n++] = "-C";
    a[n++] = cwd ? cwd : "/";
    for (size_t i = 0; i < ne; i++)
        if (strchr(env[i], '=') && env[i][0] != '=')
            a[n++] = env[i];
    a[n++] = "/usr/bin/timeout";
    a[n++] = kill_after;
    a[n++] = secs;
    if (uid != 0 || gid != 0) {
        snprintf(u, sizeof(u), "--reuid=%u", (unsigned)uid);
        snprintf(g, sizeof(g), "--regid=%u", (unsigned)gid);
        a[n++] = "/usr/bin/setpriv";
        a[n++] = u;
        a[n++] = g;
        a[n++] = "--init-groups";
        a[n++] = "--";
    }
    for (size_t i = 0; i < na; i++)
        a[n++] = argv[i];
    a[n] = NULL;
    deadline = og_now_ms() + timeout_ms;
    r = agent_spawn(dom, domain, a, &pid, err);
    if (r == 0)
        r = agent_wait(dom, domain, pid, deadline, res, err);
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
