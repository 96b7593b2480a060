/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * The light node shape on real libvirt LXC nodes (ogsim up --shape light):
 * sshd and SSH trust as on full nodes (host to node through the transport,
 * node to node with gs_ssh as omm and ssh as root), no data filesystem and
 * no instance, status saying so, what needs an instance refused, and a down
 * that leaves nothing behind (also when an assertion fails: the fixture).
 */
#include <criterion/criterion.h>
#include <json-c/json.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "command.h"
#include "dynbuf.h"
#include "fs.h"
#include "simcluster.h"
#include "transport.h"

static char name[32];

static void setup(void)
{
    snprintf(name, sizeof(name), "lt%d", (int)(getpid() % 10000));
    sim_down(name, NULL, NULL); /* a crashed earlier run is harmless */
}

static void teardown(void)
{
    sim_down(name, NULL, NULL);
}

TestSuite(light, .init = setup, .fini = teardown, .timeout = 300);

static int on_node(const struct sim_cluster *c, const char *n, const char *user, const char *sh,
                   struct command_result *res)
{
    const char *argv[] = {"bash", "-lc", sh, NULL};
    struct og_error err = {0};

    command_result_done(res);
    cr_assert_eq(sim_exec(c, n, user, argv, 60000, res, &err), 0, "%s", err.detail);
    return res->exit_status;
}

static int on_host(const char *const *argv, struct command_result *res)
{
    _cleanup_command_ struct command *cmd = command_new(argv);
    struct og_error err = {0};

    command_result_done(res);
    cr_assert_eq(command_run(cmd, res, &err), 0, "%s", err.detail);
    return res->exit_status;
}

/* From the host as omm through the transport, host keys checked. */
static void transport_to_every_node(const struct sim_cluster *c)
{
    char key[PATH_MAX + 32], kh[PATH_MAX + 32];
    struct transport_opts to = {
        .user = "omm", .key_file = key, .known_hosts = kh, .local_mode = TRANSPORT_LOCAL_NEVER};
    struct transport_run_opts ro = {.timeout_ms = 20000, .check_exit = true};
    const char *argv[] = {"hostname", NULL}, *nodes[3];
    struct command_result rs[3];
    struct og_error es[3], err = {0};
    _cleanup_transport_ struct transport *t = NULL;

    snprintf(key, sizeof(key), "%s/ssh/id_ed25519", c->state_dir);
    snprintf(kh, sizeof(kh), "%s/ssh/known_hosts", c->state_dir);
    cr_assert_eq(transport_new(&to, &t, &err), 0, "%s", err.detail);
    for (size_t i = 0; i < c->n_nodes; i++) {
        nodes[i] = c->nodes[i].name;
        cr_assert(sim_sshd_answers(c->nodes[i].ip, 5000), "%s: no sshd", nodes[i]);
        cr_assert_eq(transport_add_node(t, nodes[i], c->nodes[i].ip, 22, &err), 0);
    }
    cr_assert_eq(transport_run_all(t, nodes, c->n_nodes, argv, &ro, rs, es), 0);
    for (size_t i = 0; i < c->n_nodes; i++) {
        char want[80];
        snprintf(want, sizeof(want), "%s\n", nodes[i]);
        cr_assert_str_eq(rs[i].out, want);
        command_result_done(&rs[i]);
    }
}

static void status_says_absent(const struct sim_cluster *c)
{
    _cleanup_dynbuf_ struct dynbuf st = {0};
    struct og_error err = {0};
    json_object *o, *nodes, *v;

    dynbuf_init(&st, 1 << 20);
    cr_assert_eq(sim_status(c, true, &st, &err), 0, "%s", err.detail);
    o = json_tokener_parse(st.buf);
    cr_assert_not_null(o, "%s", st.buf);
    cr_assert(json_object_object_get_ex(o, "shape", &v));
    cr_assert_str_eq(json_object_get_string(v), "light");
    cr_assert(json_object_object_get_ex(o, "cluster_state", &v));
    cr_assert_str_eq(json_object_get_string(v), "absent");
    cr_assert(json_object_object_get_ex(o, "nodes", &nodes));
    cr_assert_eq(json_object_array_length(nodes), c->n_nodes);
    for (size_t i = 0; i < c->n_nodes; i++) {
        json_object *n = json_object_array_get_idx(nodes, i);
        cr_assert(json_object_object_get_ex(n, "db_state", &v));
        cr_assert_str_eq(json_object_get_string(v), "absent");
        cr_assert(json_object_object_get_ex(n, "sshd", &v) && json_object_get_boolean(v), "%s",
                  st.buf);
    }
    json_object_put(o);
}

Test(light, up_trust_no_instance_down)
{
    struct sim_up_opts o = {
        .name = name, .nodes = 3, .version = "2.0.0", .shape = SIM_SHAPE_LIGHT, .quiet = true};
    struct command_result res = {0};
    struct og_error err = {0};
    struct sim_cluster c, l;
    char p[PATH_MAX + 64];

    cr_assert_eq(sim_up(&o, &c, &err), 0, "%s", err.detail);
    cr_assert_eq(sim_load(name, &l, &err), 0, "%s", err.detail);
    cr_assert_eq(l.shape, SIM_SHAPE_LIGHT);

    /* trust: host -> nodes (transport), node -> nodes as omm (gs_ssh, over
     * the installed static config) and as root (ssh, host keys checked) */
    transport_to_every_node(&c);
    cr_assert_eq(on_node(&c, "node1", "omm", "gs_ssh -c hostname", &res), 0, "%s%s", res.out,
                 res.err);
    cr_assert_not_null(strstr(res.out, "Successfully execute command on all nodes."), "%s",
                       res.out);
    cr_assert_not_null(strstr(res.out, "[SUCCESS] node3:\nnode3\n"), "%s", res.out);
    cr_assert_eq(on_node(&c, "node2", "root", "ssh node3 id -u", &res), 0, "%s", res.err);
    cr_assert_str_eq(res.out, "0\n");

    /* no data filesystem, no data directory, no server */
    snprintf(p, sizeof(p), "%s/nodes/node1/data.img", c.state_dir);
    cr_assert_neq(access(p, F_OK), 0, "a light node has a data image");
    for (size_t i = 0; i < c.n_nodes; i++) {
        char sh[PATH_MAX + 128];
        snprintf(sh, sizeof(sh), "findmnt -n %s || test -e %s || pgrep -x gaussdb", c.data_mount,
                 c.datadir);
        cr_assert_neq(on_node(&c, c.nodes[i].name, "root", sh, &res), 0, "%s: %s", c.nodes[i].name,
                      res.out);
    }
    status_says_absent(&c);

    /* what needs an instance is refused, and says why */
    cr_assert_eq(sim_snapshot(&c, "base", &err), -OG_E_SIM_NO_INSTANCE);
    cr_assert_eq(sim_db_start_all(&c, &err), -OG_E_SIM_NO_INSTANCE);

    /* down leaves nothing */
    cr_assert_eq(sim_down(name, NULL, &err), 0, "%s", err.detail);
    {
        const char *a[] = {"virsh", "-c", "lxc:///system", "list", "--all", "--name", NULL};
        const char *b[] = {"virsh", "-c", "lxc:///system", "net-list", "--all", "--name", NULL};
        _cleanup_free_ char *mounts = NULL;
        cr_assert_eq(on_host(a, &res), 0);
        cr_assert_null(strstr(res.out, name), "domains left: %s", res.out);
        cr_assert_eq(on_host(b, &res), 0);
        cr_assert_null(strstr(res.out, name), "networks left: %s", res.out);
        cr_assert_eq(fs_read_file("/proc/mounts", 1 << 22, &mounts, NULL, &err), 0);
        cr_assert_null(strstr(mounts, c.state_dir), "mounts left");
        cr_assert_neq(access(c.state_dir, F_OK), 0, "state dir left");
    }
    command_result_done(&res);
}
