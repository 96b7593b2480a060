/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * simcluster.c - the cluster's state: the state root and names, state.json,
 * the host-side layout of a node's directories, commands on the nodes (one
 * or every node at once) and the status. The rest of simcluster.h is in
 * simcluster_topo.c (the plan, the cluster's files), simcluster_node.c (a
 * node prepared, made and started), simcluster_up.c (up, down, the
 * instances) and simcluster_snap.c (start/stop all, snapshot, restore,
 * power).
 */
#include <fcntl.h>
#include <json-c/json.h>
#include <dirent.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "clock.h"
#include "clusterstatus.h"
#include "fs.h"
#include "simcluster.h"
#include "simcluster_int.h"
#include "simdriver.h"
#include "versioncfg.h"
#include "banned.h"

#define DB_TIMEOUT_MS (5 * 60 * 1000)

DEFINE_TRIVIAL_CLEANUP_FUNC(json_object *, json_object_put)

const char *sim_state_root(void)
{
    const char *e = getenv("OGSIM_STATE_DIR");

    return e && e[0] == '/' ? e : "/var/lib/ogsim";
}

int simcluster_omm_ids(uid_t *uid, gid_t *gid, struct og_error *err)
{
    struct passwd *pw = getpwnam("omm");

    if (!pw)
        return og_error_set(err, OG_E_USER_NOT_EXIST,
                            "User omm does not exist (ci/setup.sh "
                            "creates it)");
    *uid = pw->pw_uid;
    *gid = pw->pw_gid;
    return 0;
}

bool sim_valid_name(const char *s)
{
    size_t n = strlen(s);

    if (n == 0 || n > 20 || s[0] == '-')
        return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '-'))
            return false;
    return true;
}

/* ---- state file --------------------------------------------------------------- */

int simcluster_save_state(const struct sim_cluster *c, struct og_error *err)
{
    _cleanup_(json_object_putp) json_object *o = json_object_new_object();
    json_object *nodes = json_object_new_array();
    char path[PATH_MAX + 16];
    const char *text;

#define S(k, v) json_object_object_add(o, k, json_object_new_string(v))
#define I(k, v) json_object_object_add(o, k, json_object_new_int(v))
    S("name", c->name);
    S("driver", c->driver);
    S("uri", c->uri);
    S("version", c->version);
    S("shape", sim_shape_name(c->shape));
    S("net_name", c->net_name);
    S("bridge", c->bridge);
    S("host_ip", c->host_ip);
    I("prefix", c->prefix);
    I("port", c->port);
    I("data_mib", (int)c->data_mib);
    I("databases", c->databases);
    S("install_root", c->install_root);
    S("app_path", c->app_path);
    S("log_path", c->log_path);
    S("tmp_path", c->tmp_path);
    S("tool_path", c->tool_path);
    S("core_path", c->core_path);
    S("data_mount", c->data_mount);
    S("datadir", c->datadir);
#undef S
#undef I
    for (size_t i = 0; i < c->n_nodes; i++) {
        json_object *n = json_object_new_object();
        json_object_object_add(n, "name", json_object_new_string(c->nodes[i].name));
        json_object_object_add(n, "ip", json_object_new_string(c->nodes[i].ip));
        json_object_object_add(n, "mac", json_object_new_string(c->nodes[i].mac));
        json_object_object_add(n, "veth", json_object_new_string(c->nodes[i].veth));
        json_object_object_add(n, "domain", json_object_new_string(c->nodes[i].domain));
        json_object_object_add(n, "primary", json_object_new_boolean(c->nodes[i].primary));
        json_object_array_add(nodes, n);
    }
    json_object_object_add(o, "nodes", nodes);
    text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY);
    snprintf(path, sizeof(path), "%s/state.json", c->state_dir);
    return fs_replace_file(path, text, strlen(text), 0600, err);
}

static void jstr(json_object *o, const char *k, char *buf, size_t size)
{
    json_object *v;

    buf[0] = '\0';
    if (json_object_object_get_ex(o, k, &v))
        snprintf(buf, size, "%s", json_object_get_string(v));
}

static int jint(json_object *o, const char *k)
{
    json_object *v;

    return json_object_object_get_ex(o, k, &v) ? json_object_get_int(v) : 0;
}

int sim_load(const char *name, struct sim_cluster *ret, struct og_error *err)
{
    _cleanup_(json_object_putp) json_object *o = NULL;
    _cleanup_free_ char *text = NULL;
    struct sim_cluster c = {0};
    json_object *nodes;
    char path[PATH_MAX], shape[16];
    int r;

    snprintf(path, sizeof(path), "%s/%s/state.json", sim_state_root(), name);
    r = fs_read_file(path, 1 << 20, &text, NULL, err);
    if (r == -OG_E_NOT_EXIST)
        return og_error_set(err, OG_E_SIM_NO_CLUSTER,
                            "There is no simulated cluster \"%s\" "
                            "(no %s)",
                            name, path);
    if (r < 0)
        return r;
    o = json_tokener_parse(text);
    if (!o || !json_object_object_get_ex(o, "nodes", &nodes))
        return og_error_set(err, OG_E_CONTENT_INVALID, "The content of file %s is not correct",
                            path);
#define GS(f) jstr(o, #f, c.f, sizeof(c.f))
    GS(name);
    GS(driver);
    GS(uri);
    GS(version);
    GS(net_name);
    GS(bridge);
    GS(host_ip);
    GS(install_root);
    GS(app_path);
    GS(log_path);
    GS(tmp_path);
    GS(tool_path);
    GS(core_path);
    GS(data_mount);
    GS(datadir);
#undef GS
    jstr(o, "shape", shape, sizeof(shape)); /* absent in states made before shapes */
    if (shape[0] && sim_shape_parse(shape, &c.shape, NULL) < 0)
        return og_error_set(err, OG_E_CONTENT_INVALID, "The content of file %s is not correct",
                            path);
    c.prefix = jint(o, "prefix");
    c.port = jint(o, "port");
    c.data_mib = (unsigned)jint(o, "data_mib");
    c.databases = jint(o, "databases");
    snprintf(c.state_dir, sizeof(c.state_dir), "%s/%s", sim_state_root(), name);
    for (size_t i = 0; i < json_object_array_length(nodes) && i < SIM_MAX_NODES; i++) {
        json_object *n = json_object_array_get_idx(nodes, i);
        struct sim_node *s = &c.nodes[c.n_nodes++];
        json_object *p;
        jstr(n, "name", s->name, sizeof(s->name));
        jstr(n, "ip", s->ip, sizeof(s->ip));
        jstr(n, "mac", s->mac, sizeof(s->mac));
        jstr(n, "veth", s->veth, sizeof(s->veth));
        jstr(n, "domain", s->domain, sizeof(s->domain));
        s->primary = json_object_object_get_ex(n, "primary", &p) && json_object_get_boolean(p);
    }
    *ret = c;
    return 0;
}

int sim_list(struct dynbuf *out, struct og_error *err)
{
    _cleanup_(closedirp) DIR *d = opendir(sim_state_root());
    struct dirent *de;

    (void)err;
    while (d && (de = readdir(d))) {
        char p[PATH_MAX];
        if (de->d_name[0] == '.')
            continue;
        snprintf(p, sizeof(p), "%s/%s/state.json", sim_state_root(), de->d_name);
        if (access(p, F_OK) == 0 && dynbuf_appendf(out, "%s\n", de->d_name) < 0)
            return -OG_E_NOMEM;
    }
    return 0;
}

/* ---- node directories -------------------------------------------------------- */

void simcluster_node_dir(const struct sim_cluster *c, size_t i, const char *sub, char *buf,
                         size_t size)
{
    snprintf(buf, size, "%s/nodes/%s%s%s", c->state_dir, c->nodes[i].name, sub[0] ? "/" : "", sub);
}

/* The host path of a node path under the install root. */
void simcluster_host_path(const struct sim_cluster *c, size_t i, const char *node_path, char *buf,
                          size_t size)
{
    char dir[PATH_MAX];

    simcluster_node_dir(c, i, "install", dir, sizeof(dir));
    snprintf(buf, size, "%s%s", dir, node_path + strlen(c->install_root));
}

void simcluster_parent_of(const char *path, char *buf, size_t size)
{
    char *slash;

    snprintf(buf, size, "%s", path);
    slash = strrchr(buf, '/');
    if (slash && slash != buf)
        *slash = '\0';
}

/* ---- exec --------------------------------------------------------------------------- */

int simcluster_exec_on(struct simdriver *d, const struct sim_cluster *c, size_t i, bool as_root,
                       const char *const *argv, int timeout_ms, struct command_result *res,
                       struct og_error *err)
{
    char e[9][PATH_MAX + 32];
    const char *env[11];
    uid_t uid = 0;
    gid_t gid = 0;
    size_t n = 0;

    if (!as_root && simcluster_omm_ids(&uid, &gid, err) < 0)
        return -OG_E_USER_NOT_EXIST;
    snprintf(e[n], sizeof(e[n]), "GAUSSHOME=%s", c->app_path), env[n] = e[n], n++;
    snprintf(e[n], sizeof(e[n]), "GPHOME=%s", c->tool_path), env[n] = e[n], n++;
    snprintf(e[n], sizeof(e[n]), "PGHOST=%s", c->tmp_path), env[n] = e[n], n++;
    snprintf(e[n], sizeof(e[n]), "GAUSSLOG=%s", c->log_path), env[n] = e[n], n++;
    snprintf(e[n], sizeof(e[n]), "GS_CLUSTER_NAME=%s", c->name), env[n] = e[n], n++;
    snprintf(e[n], sizeof(e[n]), "HOME=%s", as_root ? "/root" : "/home/omm"), env[n] = e[n], n++;
    snprintf(e[n], sizeof(e[n]),
             "PATH=%s/bin:%s/script:/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin", c->app_path,
             c->tool_path),
        env[n] = e[n], n++;
    snprintf(e[n], sizeof(e[n]), "USER=%s", as_root ? "root" : "omm"), env[n] = e[n], n++;
    snprintf(e[n], sizeof(e[n]), "PGPORT=%d", c->port), env[n] = e[n], n++;
    env[n++] = "GAUSS_ENV=2";
    env[n] = NULL;
    return simdriver_ops(d)->node_exec(d, c->nodes[i].domain, as_root ? 0 : uid, as_root ? 0 : gid,
                                       as_root ? "/" : "/home/omm", argv, env, timeout_ms, res,
                                       err);
}

/* simcluster_exec_on() where a non-zero exit is an error carrying the output's end. */
int simcluster_exec_as(struct simdriver *d, const struct sim_cluster *c, size_t i, bool as_root,
                       const char *const *argv, struct og_error *err)
{
    struct command_result res = {0};
    int r = simcluster_exec_on(d, c, i, as_root, argv, DB_TIMEOUT_MS, &res, err);

    if (r == 0 && res.exit_status != 0) {
        size_t ol = res.out_len;
        r = og_error_set(err, OG_E_EXEC_FAILED, "on %s, \"%s %s\" exited with %d: %s%s",
                         c->nodes[i].name, argv[0], argv[1] ? argv[1] : "", res.exit_status,
                         ol > 1500 ? res.out + ol - 1500 : res.out, res.err);
    }
    command_result_done(&res);
    return r;
}

int simcluster_exec_ok(struct simdriver *d, const struct sim_cluster *c, size_t i,
                       const char *const *argv, struct og_error *err)
{
    return simcluster_exec_as(d, c, i, false, argv, err);
}

/* The index of node name, with a driver opened for it; -GAUSS-51619 when the
 * name is not a node of the cluster. */
int simcluster_open_node(const struct sim_cluster *c, const char *name, struct simdriver **d,
                         size_t *ret, struct og_error *err)
{
    for (size_t i = 0; i < c->n_nodes; i++) {
        if (strcmp(c->nodes[i].name, name) != 0)
            continue;
        *ret = i;
        return simdriver_open(c->driver, c->uri, d, err);
    }
    return og_error_set(err, OG_E_NODE_UNKNOWN, "The host name [%s] is not in the cluster.", name);
}

int sim_exec(const struct sim_cluster *c, const char *node, const char *user,
             const char *const *argv, int timeout_ms, struct command_result *res,
             struct og_error *err)
{
    _cleanup_(simdriver_closep) struct simdriver *d = NULL;
    size_t i = 0;
    int r = simcluster_open_node(c, node, &d, &i, err);

    if (r < 0)
        return r;
    return simcluster_exec_on(d, c, i, user && strcmp(user, "root") == 0, argv, timeout_ms, res,
                              err);
}

/* Run fn for nodes [from, n) at once, one process per node: each opens its
 * own libvirt connection and forks its own helpers (no fork from threads
 * that may hold libvirt locks). A failing node's detail is passed back
 * through a pipe; the first failure is returned. */
int simcluster_for_each_node(const struct sim_cluster *c, size_t from, node_job_fn fn,
                             const char *arg, struct og_error *err)
{
    pid_t pids[SIM_MAX_NODES];
    int pipes[SIM_MAX_NODES][2];
    int r = 0;

    for (size_t i = from; i < c->n_nodes; i++) {
        pids[i] = -1;
        if (pipe2(pipes[i], O_CLOEXEC) < 0)
            continue;
        pids[i] = fork();
        if (pids[i] == 0) {
            struct simdriver *d = NULL;
            struct og_error e = {0};
            int jr = simdriver_open(c->driver, c->uri, &d, &e);
            if (jr == 0)
                jr = fn(d, c, i, arg, &e);
            simdriver_close(d);
            if (jr < 0 && write(pipes[i][1], &e, sizeof(e)) < 0)
                _exit(2);
            _exit(jr < 0 ? 1 : 0);
        }
        close(pipes[i][1]);
    }
    for (size_t i = from; i < c->n_nodes; i++) {
        struct og_error e = {0};
        int st = 0;
        bool failed =
            pids[i] < 0 || waitpid(pids[i], &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0;
        ssize_t n = pids[i] < 0 ? 0 : read(pipes[i][0], &e, sizeof(e));
        if (pids[i] >= 0)
            close(pipes[i][0]);
        if (failed && r == 0) {
            if (n == (ssize_t)sizeof(e) && e.code) {
                r = -e.code;
                if (err)
                    *err = e;
                og_error_prefix(err, "node %s", c->nodes[i].name);
            } else {
                r = og_error_set(err, OG_E_EXEC_FAILED, "node %s: the job failed",
                                 c->nodes[i].name);
            }
        }
    }
    return r;
}

void simcluster_trace(const char *what, long long t0)
{
    if (getenv("OGSIM_TRACE"))
        fprintf(stderr, "ogsim: %-28s %6lld ms\n", what, og_now_ms() - t0);
}

void sim_hosts_csv(const struct sim_cluster *c, char *buf, size_t size)
{
    size_t o = 0;

    buf[0] = '\0';
    for (size_t i = 0; i < c->n_nodes && o < size; i++)
        o += (size_t)snprintf(buf + o, size - o, "%s%s", i ? "," : "", c->nodes[i].ip);
}

/* ---- status ----------------------------------------------------------------------------- */

struct node_status {
    const char *domain_state;
    struct dn_status dn; /* role and db_state, parsed as gs_om does */
    char version[48];
    bool sshd; /* light nodes: sshd greets */
};

static void installed_version(const struct sim_cluster *c, size_t i, char *buf, size_t size)
{
    char link[PATH_MAX], target[256], cfg[PATH_MAX + 300];
    struct version_cfg v;
    ssize_t n;

    snprintf(buf, size, "?");
    simcluster_host_path(c, i, c->app_path, link, sizeof(link));
    n = readlink(link, target, sizeof(target) - 1);
    if (n <= 0)
        return;
    target[n] = '\0';
    simcluster_parent_of(link, cfg, sizeof(cfg));
    snprintf(cfg + strlen(cfg), sizeof(cfg) - strlen(cfg), "/%s/version.cfg", target);
    if (version_cfg_read(cfg, &v, NULL) == 0)
        snprintf(buf, size, "%s (%s)", v.version, v.commit);
}

static void node_status(struct simdriver *d, const struct sim_cluster *c, size_t i,
                        struct node_status *s)
{
    enum node_state st = simdriver_ops(d)->node_state(d, c->nodes[i].domain);

    memset(s, 0, sizeof(*s));
    s->domain_state = simdriver_state_name(st);
    snprintf(s->dn.node, sizeof(s->dn.node), "%s", c->nodes[i].name);
    snprintf(s->dn.local_role, sizeof(s->dn.local_role), "Down");
    snprintf(s->dn.db_state, sizeof(s->dn.db_state), "Unknown");
    installed_version(c, i, s->version, sizeof(s->version));
    if (c->shape == SIM_SHAPE_LIGHT) {
        snprintf(s->dn.local_role, sizeof(s->dn.local_role), "-");
        snprintf(s->dn.db_state, sizeof(s->dn.db_state), "absent");
        s->sshd = st == NODE_RUNNING && sim_sshd_answers(c->nodes[i].ip, 2000);
    } else if (st == NODE_RUNNING) {
        char bin[PATH_MAX + 16];
        const char *a[] = {bin, "query", "-D", c->datadir, NULL};
        struct command_result res = {0};

        snprintf(bin, sizeof(bin), "%s/bin/gs_ctl", c->app_path);
        if (simcluster_exec_on(d, c, i, false, a, 30000, &res, NULL) == 0) {
            if (res.exit_status == 0)
                clusterstatus_parse_query(res.out, &s->dn);
            else
                snprintf(s->dn.db_state, sizeof(s->dn.db_state), "Manually stopped");
        }
        command_result_done(&res);
    }
}

int sim_status(const struct sim_cluster *c, bool json, struct dynbuf *out, struct og_error *err)
{
    _cleanup_(simdriver_closep) struct simdriver *d = NULL;
    struct node_status s[SIM_MAX_NODES];
    struct dn_status dn[SIM_MAX_NODES];
    bool light = c->shape == SIM_SHAPE_LIGHT;
    const char *cs;
    size_t sshd = 0;
    int r = simdriver_open(c->driver, c->uri, &d, err);

    if (r < 0)
        return r;
    for (size_t i = 0; i < c->n_nodes; i++) {
        node_status(d, c, i, &s[i]);
        dn[i] = s[i].dn;
        sshd += s[i].sshd;
    }
    cs = light ? "absent" : clusterstatus_state(dn, c->n_nodes);
    if (json) {
        _cleanup_(json_object_putp) json_object *o = json_object_new_object();
        json_object *arr = json_object_new_array();
        json_object_object_add(o, "cluster_name", json_object_new_string(c->name));
        json_object_object_add(o, "cluster_state", json_object_new_string(cs));
        json_object_object_add(o, "driver", json_object_new_string(c->driver));
        json_object_object_add(o, "shape", json_object_new_string(sim_shape_name(c->shape)));
        json_object_object_add(o, "port", json_object_new_int(c->port));
        for (size_t i = 0; i < c->n_nodes; i++) {
            json_object *n = json_object_new_object();
            json_object_object_add(n, "node", json_object_new_string(c->nodes[i].name));
            json_object_object_add(n, "ip", json_object_new_string(c->nodes[i].ip));
            json_object_object_add(n, "domain_state", json_object_new_string(s[i].domain_state));
            json_object_object_add(n, "role", json_object_new_string(s[i].dn.local_role));
            json_object_object_add(n, "db_state", json_object_new_string(s[i].dn.db_state));
            json_object_object_add(n, "version", json_object_new_string(s[i].version));
            if (light)
                json_object_object_add(n, "sshd", json_object_new_boolean(s[i].sshd));
            json_object_array_add(arr, n);
        }
        json_object_object_add(o, "nodes", arr);
        return dynbuf_appendf(out, "%s\n",
                              json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY));
    }
    r = dynbuf_appendf(out,
                       "cluster_name    : %s\ncluster_state   : %s\ndriver          : %s (%s)\n",
                       c->name, cs, c->driver, c->uri);
    if (r == 0 && light)
        r = dynbuf_appendf(out,
                           "shape           : light (no database instance; sshd answers on "
                           "%zu/%zu nodes)\n",
                           sshd, c->n_nodes);
    if (r == 0)
        r = dynbuf_appendf(out, "\n%-8s %-15s %-9s %-8s %-18s %s\n", "node", "node_ip", "domain",
                           "role", "db_state", "version");
    for (size_t i = 0; r == 0 && i < c->n_nodes; i++)
        r = dynbuf_appendf(out, "%-8s %-15s %-9s %-8s %-18s %s\n", c->nodes[i].name, c->nodes[i].ip,
                           s[i].domain_state, s[i].dn.local_role,
                           light ? (s[i].sshd ? "absent, sshd up" : "absent, no sshd")
                                 : s[i].dn.db_state,
                           s[i].version);
    return r;
}
