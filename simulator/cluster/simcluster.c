/* SPDX-License-Identifier: MulanPSL-2.0 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <json-c/json.h>
#include <libpq-fe.h>
#include <stdarg.h>
#include <dirent.h>
#include <netinet/in.h>
#include <pthread.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "clusterconfig.h"
#include "clusterstatus.h"
#include "fs.h"
#include "package.h"
#include "shquote.h"
#include "simcluster.h"
#include "workload.h"
#include "simdriver.h"
#include "vmimage.h"
#include "noderoot.h"
#include "simfs.h"
#include "simversion.h"
#include "staticconfig.h"
#include "versioncfg.h"
#include "banned.h"

#ifndef OGSIM_INIT_PATH
#define OGSIM_INIT_PATH "/usr/lib/ogsim/ogsim-init"
#endif
#ifndef OGSIM_VMINIT_PATH
#define OGSIM_VMINIT_PATH "/usr/lib/ogsim/ogsim-vminit"
#endif
#define VM_INITRD "vm-initrd.img" /* in the state dir: the QEMU nodes' initramfs */

#define DEFAULT_PORT  15400
#define SSH_WAIT_MS   20000
#define VM_WAIT_MS    (180 * 1000) /* a TCG boot: ~5 s alone, longer beside others */
#define DB_TIMEOUT_MS (5 * 60 * 1000)
#define INSTALL_ROOT  "/opt/ogsim"

DEFINE_TRIVIAL_CLEANUP_FUNC(json_object *, json_object_put)

typedef int (*node_job_fn)(struct simdriver *d, const struct sim_cluster *c, size_t i,
                           const char *arg, struct og_error *err);
static int for_each_node(const struct sim_cluster *c, size_t from, node_job_fn fn, const char *arg,
                         struct og_error *err);
static void trace(const char *what, long long t0);

static void say(const struct sim_up_opts *o, const char *fmt, ...) _printf_(2, 3);
static void say(const struct sim_up_opts *o, const char *fmt, ...)
{
    va_list ap;

    if (o && o->quiet)
        return;
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    putchar('\n');
    fflush(stdout);
}

const char *sim_state_root(void)
{
    const char *e = getenv("OGSIM_STATE_DIR");

    return e && e[0] == '/' ? e : "/var/lib/ogsim";
}

static int omm_ids(uid_t *uid, gid_t *gid, struct og_error *err)
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

/* sshd without PAM refuses a locked account ("!" in /etc/shadow) even
 * for key logins: say so before building anything. */
static int omm_unlocked(struct og_error *err)
{
    _cleanup_free_ char *text = NULL;
    const char *p;

    if (fs_read_file("/etc/shadow", 1 << 20, &text, NULL, NULL) < 0)
        return 0; /* cannot tell: sshd will */
    p = strstr(text, "\nomm:");
    if (!p && strncmp(text, "omm:", 4) == 0)
        p = text - 1;
    if (p && p[5] == '!')
        return og_error_set(err, OG_E_SIM_NODE_DOWN,
                            "the omm account is locked (\"!\" in /etc/shadow): sshd would refuse "
                            "it; unlock it with usermod -p '*' omm (ci/setup.sh does)");
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

static int save_state(const struct sim_cluster *c, struct og_error *err)
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

/* ---- topology ----------------------------------------------------------------- */

static bool subnet_in_use(unsigned octet)
{
    struct ifaddrs *ifa, *i;
    bool used = false;

    if (getifaddrs(&ifa) < 0)
        return false;
    for (i = ifa; i && !used; i = i->ifa_next) {
        if (!i->ifa_addr || i->ifa_addr->sa_family != AF_INET)
            continue;
        uint32_t a = ntohl(((struct sockaddr_in *)i->ifa_addr)->sin_addr.s_addr);
        used = (a >> 8) == ((10u << 16) | (213u << 8) | octet);
    }
    freeifaddrs(ifa);
    return used;
}

static unsigned name_hash(const char *s)
{
    unsigned h = 2166136261u;

    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

static void set_paths(struct sim_cluster *c)
{
    snprintf(c->install_root, sizeof(c->install_root), "%s", INSTALL_ROOT);
    snprintf(c->app_path, sizeof(c->app_path), "%s/app", INSTALL_ROOT);
    snprintf(c->log_path, sizeof(c->log_path), "%s/log", INSTALL_ROOT);
    snprintf(c->tmp_path, sizeof(c->tmp_path), "%s/tmp", INSTALL_ROOT);
    snprintf(c->tool_path, sizeof(c->tool_path), "%s/tool", INSTALL_ROOT);
    snprintf(c->core_path, sizeof(c->core_path), "%s/corefile", INSTALL_ROOT);
    snprintf(c->data_mount, sizeof(c->data_mount), "%s/data", INSTALL_ROOT);
    snprintf(c->datadir, sizeof(c->datadir), "%s/data/dn1", INSTALL_ROOT);
}

static void name_node(struct sim_cluster *c, size_t i, unsigned octet, unsigned host_part)
{
    struct sim_node *s = &c->nodes[i];

    snprintf(s->mac, sizeof(s->mac), "52:54:00:d5:%02x:%02x", octet & 0xff, host_part & 0xff);
    snprintf(s->veth, sizeof(s->veth), "ogv%02xh%u", octet & 0xff, host_part & 0xff);
    char node[sizeof(s->name)], cluster[sizeof(c->name)];

    snprintf(node, sizeof(node), "%s", s->name);
    snprintf(cluster, sizeof(cluster), "%s", c->name);
    snprintf(s->domain, sizeof(s->domain), "ogsim-%s-%s", cluster, node);
}

/* The longest common directory of two absolute paths ("/" at least). */
static void common_dir(char *acc, const char *path)
{
    size_t n = 0, last = 0;

    while (acc[n] && acc[n] == path[n]) {
        if (acc[n] == '/')
            last = n;
        n++;
    }
    if (!acc[n] && (path[n] == '/' || !path[n]))
        return; /* acc is a prefix directory of path */
    acc[last ? last : 1] = '\0';
}

static void parent_of(const char *path, char *buf, size_t size)
{
    char *slash;

    snprintf(buf, size, "%s", path);
    slash = strrchr(buf, '/');
    if (slash && slash != buf)
        *slash = '\0';
}

/* Topology from an operator's clusterconfig.xml: names, IPs, port and paths
 * exactly as written. The simulator needs every path under one directory (it
 * is bind-mounted per node) and the data directory's parent inside it (the
 * data filesystem is mounted there). */
static int plan_from_xml(const char *xml, struct sim_cluster *c, struct og_error *err)
{
    static const char *const forbidden[] = {"/tmp",           "/run", "/home", "/dev",
                                            "/proc",          "/sys", "/etc",  "/usr",
                                            "/var/lib/ogsim", "/bin", "/lib"};
    struct cluster_config cc;
    const struct cluster_node *pri;
    struct in_addr a;
    unsigned octet;
    char root[PATH_MAX], dparent[PATH_MAX];
    int r = clusterconfig_load(xml, &cc, err);

    if (r < 0)
        return r;
    if (cc.n_nodes > SIM_MAX_NODES)
        return og_error_set(err, OG_E_PARAM_INVALID, "at most %d nodes", SIM_MAX_NODES);
    pri = clusterconfig_primary(&cc);
    for (size_t i = 0; i < cc.n_nodes; i++)
        if (strcmp(cc.nodes[i].datadir, pri->datadir) != 0)
            return og_error_set(err, OG_E_PARAM_VALUE,
                                "The parameter[dataNode1] value[%s] is invalid: the simulator "
                                "needs the same data directory on every node",
                                cc.nodes[i].datadir);
    snprintf(c->app_path, sizeof(c->app_path), "%s", cc.app_path);
    snprintf(c->log_path, sizeof(c->log_path), "%s", cc.log_path);
    snprintf(c->tmp_path, sizeof(c->tmp_path), "%s", cc.tmp_path);
    snprintf(c->tool_path, sizeof(c->tool_path), "%s", cc.tool_path);
    snprintf(c->core_path, sizeof(c->core_path), "%s", cc.core_path);
    snprintf(c->datadir, sizeof(c->datadir), "%s", pri->datadir);
    parent_of(pri->datadir, dparent, sizeof(dparent));
    snprintf(c->data_mount, sizeof(c->data_mount), "%s", dparent);
    parent_of(cc.app_path, root, sizeof(root));
    common_dir(root, cc.log_path);
    common_dir(root, cc.tmp_path);
    common_dir(root, cc.tool_path);
    common_dir(root, cc.core_path);
    common_dir(root, dparent);
    if (strcmp(root, "/") == 0 || strcmp(root, dparent) == 0)
        return og_error_set(err, OG_E_PARAM_VALUE,
                            "The parameter[gaussdbAppPath] value[%s] is invalid: the simulator "
                            "needs the app, log, tmp, tool, core paths and the data directory's "
                            "parent under one directory other than /",
                            cc.app_path);
    for (size_t k = 0; k < ELEMENTSOF(forbidden); k++) {
        size_t fl = strlen(forbidden[k]);
        if (strncmp(root, forbidden[k], fl) == 0 && (root[fl] == '/' || !root[fl]))
            return og_error_set(err, OG_E_PARAM_VALUE,
                                "The parameter[gaussdbAppPath] value[%s] is invalid: %s is "
                                "private or read-only on a simulated node",
                                cc.app_path, forbidden[k]);
    }
    snprintf(c->install_root, sizeof(c->install_root), "%s", root);
    c->port = cc.port;
    if (inet_pton(AF_INET, cc.nodes[0].back_ip, &a) != 1)
        return og_error_set(err, OG_E_PARAM_VALUE, "The parameter[backIp1] value[%s] is invalid",
                            cc.nodes[0].back_ip);
    octet = (ntohl(a.s_addr) >> 8) & 0xff;
    c->n_nodes = cc.n_nodes;
    c->prefix = 24;
    {
        uint32_t net = ntohl(a.s_addr) & 0xffffff00u;
        bool dot1_used = false;
        for (size_t i = 0; i < cc.n_nodes; i++) {
            struct in_addr b;
            inet_pton(AF_INET, cc.nodes[i].back_ip, &b);
            if ((ntohl(b.s_addr) & 0xffffff00u) != net)
                return og_error_set(err, OG_E_PARAM_VALUE,
                                    "The parameter[backIp1] value[%s] is invalid: the simulator "
                                    "puts every node in one /24 (%s's)",
                                    cc.nodes[i].back_ip, cc.nodes[0].back_ip);
            dot1_used |= (ntohl(b.s_addr) & 0xff) == 1;
            snprintf(c->nodes[i].name, sizeof(c->nodes[i].name), "%s", cc.nodes[i].name);
            snprintf(c->nodes[i].ip, sizeof(c->nodes[i].ip), "%s", cc.nodes[i].back_ip);
            c->nodes[i].primary = cc.nodes[i].primary;
            name_node(c, i, octet, ntohl(b.s_addr) & 0xff);
        }
        a.s_addr = htonl(net | (dot1_used ? 254u : 1u));
        inet_ntop(AF_INET, &a, c->host_ip, sizeof(c->host_ip));
        /* the primary goes first: it is initialised first */
        for (size_t i = 1; i < c->n_nodes; i++)
            if (c->nodes[i].primary) {
                struct sim_node t = c->nodes[0];
                c->nodes[0] = c->nodes[i];
                c->nodes[i] = t;
            }
        {
            struct ifaddrs *ifa, *it;
            bool used = false;
            if (getifaddrs(&ifa) == 0) {
                for (it = ifa; it; it = it->ifa_next)
                    if (it->ifa_addr && it->ifa_addr->sa_family == AF_INET &&
                        (ntohl(((struct sockaddr_in *)it->ifa_addr)->sin_addr.s_addr) &
                         0xffffff00u) == net)
                        used = true;
                freeifaddrs(ifa);
            }
            if (used)
                return og_error_set(err, OG_E_SIM_ADDRESS,
                                    "The address %s/24 is already in use on this host",
                                    cc.nodes[0].back_ip);
        }
    }
    snprintf(c->net_name, sizeof(c->net_name), "ogsim-%s", c->name);
    snprintf(c->bridge, sizeof(c->bridge), "ogbr%02x", octet);
    return 0;
}

static int plan(const struct sim_up_opts *o, struct sim_cluster *c, struct og_error *err)
{
    unsigned octet = 10 + name_hash(c->name) % 240, tries;
    int n = o->nodes > 0 ? o->nodes : 3;

    if (o->xml)
        return plan_from_xml(o->xml, c, err);
    if (n > SIM_MAX_NODES)
        return og_error_set(err, OG_E_PARAM_INVALID, "at most %d nodes", SIM_MAX_NODES);
    for (tries = 0; tries < 240 && subnet_in_use(octet); tries++)
        octet = 10 + (octet - 10 + 1) % 240;
    if (tries == 240)
        return og_error_set(err, OG_E_SIM_ADDRESS, "no free 10.213.x.0/24 subnet on this host");
    snprintf(c->host_ip, sizeof(c->host_ip), "10.213.%u.1", octet);
    c->prefix = 24;
    snprintf(c->net_name, sizeof(c->net_name), "ogsim-%s", c->name);
    snprintf(c->bridge, sizeof(c->bridge), "ogbr%02x", octet);
    c->port = DEFAULT_PORT;
    set_paths(c);
    c->n_nodes = (size_t)n;
    for (int i = 0; i < n; i++) {
        struct sim_node *s = &c->nodes[i];
        snprintf(s->name, sizeof(s->name), "node%d", i + 1);
        snprintf(s->ip, sizeof(s->ip), "10.213.%u.%d", octet, 11 + i);
        s->primary = i == 0;
        name_node(c, (size_t)i, octet, (unsigned)(11 + i));
    }
    return 0;
}

/* The cluster as openGauss's clusterconfig.xml describes it. */
static void to_config(const struct sim_cluster *c, struct cluster_config *cc)
{
    memset(cc, 0, sizeof(*cc));
    snprintf(cc->name, sizeof(cc->name), "%s", c->name);
    snprintf(cc->app_path, sizeof(cc->app_path), "%s", c->app_path);
    snprintf(cc->log_path, sizeof(cc->log_path), "%s", c->log_path);
    snprintf(cc->tmp_path, sizeof(cc->tmp_path), "%s", c->tmp_path);
    snprintf(cc->tool_path, sizeof(cc->tool_path), "%s", c->tool_path);
    snprintf(cc->core_path, sizeof(cc->core_path), "%s", c->core_path);
    snprintf(cc->cluster_type, sizeof(cc->cluster_type), "single-inst");
    cc->sync_num = -1;
    cc->port = c->port;
    cc->n_nodes = c->n_nodes;
    for (size_t i = 0; i < c->n_nodes; i++) {
        struct cluster_node *n = &cc->nodes[i];
        snprintf(n->name, sizeof(n->name), "%s", c->nodes[i].name);
        snprintf(n->back_ip, sizeof(n->back_ip), "%s", c->nodes[i].ip);
        snprintf(n->ssh_ip, sizeof(n->ssh_ip), "%s", c->nodes[i].ip);
        snprintf(n->listen_ip, sizeof(n->listen_ip), "%s", c->nodes[i].ip);
        snprintf(n->ha_ip, sizeof(n->ha_ip), "%s", c->nodes[i].ip);
        snprintf(n->az_name, sizeof(n->az_name), "AZ1");
        n->az_priority = 1;
        n->primary = c->nodes[i].primary;
        n->instance_type = n->primary ? CLUSTER_INST_PRIMARY : CLUSTER_INST_STANDBY;
        snprintf(n->datadir, sizeof(n->datadir), "%s", c->datadir);
        n->port = c->port;
        n->instance_id = (int)(CLUSTER_BASE_ID_DATANODE + i);
        n->mirror_id = 1;
    }
}

/* clusterconfig.xml in omm's home on every node (and in the state dir), and
 * cluster_static_config in $GAUSSHOME/bin as openGauss's install writes it. */
static void node_dir(const struct sim_cluster *c, size_t i, const char *sub, char *buf,
                     size_t size);
static void host_path(const struct sim_cluster *c, size_t i, const char *node_path, char *buf,
                      size_t size);

/* What openGauss's install leaves in the app besides the package: the
 * server key's cipher and rand (gs_guc encrypt), the cgroup config
 * (gs_cgroup); random per install, so an upgrade that carries them to the
 * new app (and a rollback that keeps them) can be checked byte for byte. */
static int write_install_files(const char *app, uid_t uid, gid_t gid, struct og_error *err)
{
    static const char *const names[] = {"bin/server.key.cipher", "bin/server.key.rand",
                                        "etc/gscgroup_omm.cfg"};
    int r = 0;

    for (size_t i = 0; r == 0 && i < ELEMENTSOF(names); i++) {
        unsigned char raw[32];
        char text[128], p[PATH_MAX + 64];
        size_t n = 0;
        if (getrandom(raw, sizeof(raw), 0) != (ssize_t)sizeof(raw))
            return og_error_set_errno(err, OG_E_IO, errno, "getrandom");
        n = (size_t)snprintf(text, sizeof(text), "%s:", names[i]);
        for (size_t k = 0; k < sizeof(raw); k++)
            n += (size_t)snprintf(text + n, sizeof(text) - n, "%02x", raw[k]);
        text[n++] = '\n';
        snprintf(p, sizeof(p), "%s/%s", app, names[i]);
        *strrchr(p, '/') = '\0';
        r = fs_mkdir_p(p, 0755, err);
        snprintf(p, sizeof(p), "%s/%s", app, names[i]);
        if (r == 0)
            r = fs_replace_file(p, text, n, 0600, err);
        if (r == 0 && chown(p, uid, gid) < 0)
            r = og_error_set_errno(err, OG_E_WRITE_FAILED, errno, "chown \"%s\"", p);
    }
    return r;
}

static int write_cluster_files(const struct sim_cluster *c, const char *xml_in,
                               struct og_error *err)
{
    _cleanup_dynbuf_ struct dynbuf xml = {0};
    struct cluster_config cc;
    const struct sim_version *v = sim_version_find(c->version);
    char p[PATH_MAX + 64];
    int r = 0;
    /* The XML's one datanode group holds at most 1 + 8 nodes, and every node
     * needs a datanode: a larger light cluster has only the static config. */
    bool with_xml = xml_in || c->shape == SIM_SHAPE_FULL || c->n_nodes <= CLUSTER_MAX_STANDBYS + 1;

    dynbuf_init(&xml, CLUSTERCONFIG_MAX_BYTES);
    if (xml_in) {
        r = clusterconfig_load(xml_in, &cc, err);
        if (r == 0) {
            _cleanup_free_ char *text = NULL;
            size_t len = 0;
            r = fs_read_file(xml_in, CLUSTERCONFIG_MAX_BYTES, &text, &len, err);
            if (r == 0 && dynbuf_append(&xml, text, len) < 0)
                r = og_error_set(err, OG_E_NOMEM, "xml");
        }
    } else {
        to_config(c, &cc);
        if (with_xml && clusterconfig_format(&cc, &xml) < 0)
            r = og_error_set(err, OG_E_NOMEM, "clusterconfig.xml");
        /* what we write must be what we would accept */
        if (r == 0 && with_xml)
            r = clusterconfig_parse_memory(xml.buf, xml.len, "generated clusterconfig.xml", &cc,
                                           err);
    }
    snprintf(p, sizeof(p), "%s/clusterconfig.xml", c->state_dir);
    if (r == 0 && with_xml)
        r = fs_replace_file(p, xml.buf, xml.len, 0644, err);
    for (size_t i = 0; r == 0 && i < c->n_nodes; i++) {
        uid_t uid = 0;
        gid_t gid = 0;
        node_dir(c, i, "home/clusterconfig.xml", p, sizeof(p));
        if (with_xml)
            r = fs_replace_file(p, xml.buf, xml.len, 0644, err);
        if (r == 0)
            r = omm_ids(&uid, &gid, err);
        if (r == 0 && with_xml && chown(p, uid, gid) < 0)
            r = og_error_set_errno(err, OG_E_WRITE_FAILED, errno, "chown \"%s\"", p);
        host_path(c, i, c->app_path, p, sizeof(p));
        snprintf(p + strlen(p), sizeof(p) - strlen(p), "_%s/bin/cluster_static_config", v->commit);
        if (r == 0)
            r = staticconfig_write(&cc, p, err);
        if (r == 0 && chown(p, uid, gid) < 0)
            r = og_error_set_errno(err, OG_E_WRITE_FAILED, errno, "chown \"%s\"", p);
        host_path(c, i, c->app_path, p, sizeof(p));
        snprintf(p + strlen(p), sizeof(p) - strlen(p), "_%s", v->commit);
        if (r == 0)
            r = write_install_files(p, uid, gid, err);
    }
    return r;
}

/* ---- host-side preparation --------------------------------------------------------- */

static void node_dir(const struct sim_cluster *c, size_t i, const char *sub, char *buf, size_t size)
{
    snprintf(buf, size, "%s/nodes/%s%s%s", c->state_dir, c->nodes[i].name, sub[0] ? "/" : "", sub);
}

static int run_ok(const char *const *argv, struct og_error *err)
{
    _cleanup_command_ struct command *cmd = command_new(argv);

    if (!cmd)
        return og_error_set(err, OG_E_NOMEM, "command");
    command_set_timeout_ms(cmd, 120 * 1000);
    return command_run_ok(cmd, NULL, err);
}

static int keygen(const char *path, const char *comment, struct og_error *err)
{
    const char *argv[] = {"ssh-keygen", "-q",    "-t", "ed25519", "-N", "",
                          "-C",         comment, "-f", path,      NULL};

    unlink(path);
    return run_ok(argv, err);
}

static int read_pub(const char *keypath, char *buf, size_t size, struct og_error *err)
{
    char p[PATH_MAX + 8];
    _cleanup_free_ char *text = NULL;
    int r;

    snprintf(p, sizeof(p), "%s.pub", keypath);
    r = fs_read_file(p, 4096, &text, NULL, err);
    if (r < 0)
        return r;
    text[strcspn(text, "\n")] = '\0';
    snprintf(buf, size, "%s", text);
    return 0;
}

static int write_file(const char *path, const char *text, mode_t mode, struct og_error *err)
{
    return fs_replace_file(path, text, strlen(text), mode, err);
}

/* The host path of a node path under the install root. */
static void host_path(const struct sim_cluster *c, size_t i, const char *node_path, char *buf,
                      size_t size)
{
    char dir[PATH_MAX];

    node_dir(c, i, "install", dir, sizeof(dir));
    snprintf(buf, size, "%s%s", dir, node_path + strlen(c->install_root));
}

static int prepare_node(const struct sim_cluster *c, size_t i, const char *pkg_dir,
                        struct og_error *err)
{
    const struct sim_version *v = sim_version_find(c->version);
    char dir[PATH_MAX], p[PATH_MAX + 64], app[PATH_MAX + 64], sub[PATH_MAX];
    const char *subs[] = {"install", "home", "tmp", "sshd", "roothome", NULL};
    char size[32];
    uid_t uid = 0;
    gid_t gid = 0;
    int r;

    r = omm_ids(&uid, &gid, err);
    if (r < 0)
        return r;
    for (size_t k = 0; subs[k]; k++) {
        node_dir(c, i, subs[k], dir, sizeof(dir));
        r = fs_mkdir_p(dir, 0755, err);
        if (r < 0)
            return r;
    }
    node_dir(c, i, "tmp", dir, sizeof(dir));
    chmod(dir, 01777);
    node_dir(c, i, "sshd", dir, sizeof(dir));
    chmod(dir, 0700);
    node_dir(c, i, "roothome", dir, sizeof(dir));
    chmod(dir, 0700);

    /* The install root, as gs_preinstall + gs_install lay it out:
     * $GAUSSHOME -> $GAUSSHOME_<commit>, $GPHOME with the package, $PGHOST,
     * $GAUSSLOG, the core dir and the data filesystem's mount point. */
    node_dir(c, i, "install", dir, sizeof(dir));
    host_path(c, i, c->app_path, p, sizeof(p));
    snprintf(app, sizeof(app), "%s_%s", p, v->commit);
    r = package_install_kernel(pkg_dir, c->version, app, err);
    if (r < 0)
        return r;
    snprintf(sub, sizeof(sub), "%s_%s", strrchr(c->app_path, '/') + 1, v->commit);
    unlink(p);
    if (symlink(sub, p) < 0)
        return og_error_set_errno(err, OG_E_CREATE_FAILED, errno, "symlink \"%s\"", p);
    {
        const char *mk[] = {c->tool_path, c->log_path, c->tmp_path, c->core_path, c->data_mount};
        for (size_t k = 0; k < ELEMENTSOF(mk); k++) {
            host_path(c, i, mk[k], p, sizeof(p));
            r = fs_mkdir_p(p, mk[k] == c->tmp_path ? 0700 : 0750, err);
            if (r < 0)
                return r;
        }
    }
    /* $GPHOME holds the package (the upgrader reads version.cfg and the
     * tarballs there). */
    {
        enum package_file files[] = {PACKAGE_KERNEL, PACKAGE_KERNEL_SUM,  PACKAGE_OM,
                                     PACKAGE_OM_SUM, PACKAGE_UPGRADE_SQL, PACKAGE_UPGRADE_SQL_SUM};
        char tool[PATH_MAX];
        host_path(c, i, c->tool_path, tool, sizeof(tool));
        for (size_t k = 0; k < ELEMENTSOF(files); k++) {
            char name[256], src[PATH_MAX + 256], dst[PATH_MAX + 256];
            package_file_name(v, files[k], name, sizeof(name));
            snprintf(src, sizeof(src), "%s/%s", pkg_dir, name);
            snprintf(dst, sizeof(dst), "%s/%s", tool, name);
            r = simfs_copy_file(src, dst, err);
            if (r < 0)
                return r;
        }
        snprintf(p, sizeof(p), "%s/version.cfg", app);
        snprintf(sub, sizeof(sub), "%s/version.cfg", tool);
        r = simfs_copy_file(p, sub, err);
        if (r < 0)
            return r;
        /* the OM tools: $GPHOME/script/gs_om, gs_ssh */
        package_file_name(v, PACKAGE_OM, sub, sizeof(sub));
        snprintf(p, sizeof(p), "%s/%s", pkg_dir, sub);
        r = package_extract(p, tool, err);
        if (r < 0)
            return r;
    }
    r = simfs_chown_tree(dir, uid, gid, err);
    if (r < 0 || c->shape == SIM_SHAPE_LIGHT)
        return r;

    /* The data filesystem: a sparse ext4 image, root owned by omm. */
    node_dir(c, i, "data.img", p, sizeof(p));
    snprintf(size, sizeof(size), "%uM", c->data_mib);
    {
        char owner[64];
        const char *tr[] = {"truncate", "-s", size, p, NULL};
        snprintf(owner, sizeof(owner), "root_owner=%u:%u", (unsigned)uid, (unsigned)gid);
        const char *mk[] = {"mkfs.ext4", "-q", "-F", "-m", "0", "-E", owner, p, NULL};
        unlink(p);
        r = run_ok(tr, err);
        if (r == 0)
            r = run_ok(mk, err);
        if (r < 0)
            return r;
    }
    return 0;
}

/* Keys and trust: every node's omm key is authorized on every node, with the
 * harness key; every node knows every node's host key, by name and IP. */
/* A user's ~/.ssh on a node: its key pair made earlier, who may log in, the
 * nodes' host keys, strict checking. */
static int write_ssh_dir(const char *dir, const char *auth, const char *known, struct og_error *err)
{
    char p[PATH_MAX + 32];
    int r;

    snprintf(p, sizeof(p), "%s/authorized_keys", dir);
    r = write_file(p, auth, 0600, err);
    snprintf(p, sizeof(p), "%s/known_hosts", dir);
    if (r == 0)
        r = write_file(p, known, 0600, err);
    snprintf(p, sizeof(p), "%s/config", dir);
    if (r == 0)
        r = write_file(p, "StrictHostKeyChecking yes\nBatchMode yes\nConnectTimeout 5\n", 0600,
                       err);
    return r;
}

/* A key pair in dir/id_ed25519 (dir made 0700); its public line appended to auth. */
static int node_key(const char *dir, const char *comment, struct dynbuf *auth, struct og_error *err)
{
    char p[PATH_MAX + 32], pub[1024];
    int r = fs_mkdir_p(dir, 0700, err);

    snprintf(p, sizeof(p), "%s/id_ed25519", dir);
    if (r == 0)
        r = keygen(p, comment, err);
    if (r == 0)
        r = read_pub(p, pub, sizeof(pub), err);
    if (r == 0 && dynbuf_appendf(auth, "%s\n", pub) < 0)
        r = og_error_set(err, OG_E_NOMEM, "authorized keys");
    return r;
}

/* SSH trust as gs_preinstall leaves it: omm between every two nodes, and
 * root too (the upgrade guide's section 2.2 wants root's mutual trust and
 * gs_checkos runs as root); the harness key logs in as either. Each node
 * has its own host key, listed for every node by name and address. */
static int setup_ssh(const struct sim_cluster *c, struct og_error *err)
{
    _cleanup_dynbuf_ struct dynbuf auth = {0}, rauth = {0}, known = {0}, hosts = {0};
    char p[PATH_MAX + 64], pub[1024], hk[PATH_MAX + 64];
    uid_t uid = 0;
    gid_t gid = 0;
    int r;

    dynbuf_init(&auth, 1 << 20);
    dynbuf_init(&rauth, 1 << 20);
    dynbuf_init(&known, 1 << 20);
    dynbuf_init(&hosts, 1 << 20);
    r = omm_ids(&uid, &gid, err);
    if (r < 0)
        return r;
    snprintf(p, sizeof(p), "%s/ssh", c->state_dir);
    r = node_key(p, "ogsim-harness", &auth, err);
    if (r == 0 && dynbuf_appends(&rauth, dynbuf_str(&auth)) < 0)
        r = og_error_set(err, OG_E_NOMEM, "authorized keys");
    if (r < 0)
        return r;
    dynbuf_adds(&hosts, "127.0.0.1 localhost\n");
    for (size_t i = 0; i < c->n_nodes; i++) {
        char dir[PATH_MAX], who[96];
        node_dir(c, i, "home/.ssh", dir, sizeof(dir));
        r = node_key(dir, c->nodes[i].name, &auth, err);
        node_dir(c, i, "roothome/.ssh", dir, sizeof(dir));
        snprintf(who, sizeof(who), "root@%s", c->nodes[i].name);
        if (r == 0)
            r = node_key(dir, who, &rauth, err);
        node_dir(c, i, "sshd/ssh_host_ed25519_key", hk, sizeof(hk));
        if (r == 0)
            r = keygen(hk, c->nodes[i].name, err);
        if (r == 0)
            r = read_pub(hk, pub, sizeof(pub), err);
        if (r < 0)
            return r;
        /* "name,ip ssh-ed25519 AAAA..." minus the comment */
        {
            char *sp = strchr(pub, ' ');
            char *sp2 = sp ? strchr(sp + 1, ' ') : NULL;
            if (sp2)
                *sp2 = '\0';
        }
        dynbuf_addf(&known, "%s,%s %s\n", c->nodes[i].name, c->nodes[i].ip, pub);
        dynbuf_addf(&hosts, "%s %s\n", c->nodes[i].ip, c->nodes[i].name);
    }
    if (dynbuf_error(&known) || dynbuf_error(&hosts) || dynbuf_error(&auth) || dynbuf_error(&rauth))
        return og_error_set(err, OG_E_TOO_LARGE, "the cluster's keys and hosts");
    snprintf(p, sizeof(p), "%s/ssh/known_hosts", c->state_dir);
    r = write_file(p, known.buf, 0600, err);
    if (r == 0) {
        snprintf(p, sizeof(p), "%s/hosts", c->state_dir);
        r = write_file(p, hosts.buf, 0644, err);
    }
    for (size_t i = 0; r == 0 && i < c->n_nodes; i++) {
        char dir[PATH_MAX], cfg[4096];
        node_dir(c, i, "home/.ssh", dir, sizeof(dir));
        r = write_ssh_dir(dir, auth.buf, known.buf, err);
        node_dir(c, i, "roothome/.ssh", dir, sizeof(dir));
        if (r == 0)
            r = write_ssh_dir(dir, rauth.buf, known.buf, err);
        node_dir(c, i, "home", dir, sizeof(dir));
        if (r == 0)
            r = simfs_chown_tree(dir, uid, gid, err);
        chmod(dir, 0755);
        /* sshd: its own host key, listening on the node's address only;
         * root by key only, as a host gs_preinstall prepared */
        node_dir(c, i, "sshd/ssh_host_ed25519_key", hk, sizeof(hk));
        snprintf(cfg, sizeof(cfg),
                 "# ogsim node %s\nListenAddress %s\nPort 22\nHostKey %s\n"
                 "PidFile /run/sshd.pid\nUsePAM no\nPasswordAuthentication no\n"
                 "KbdInteractiveAuthentication no\nPubkeyAuthentication yes\n"
                 "PermitRootLogin prohibit-password\nAllowUsers omm root\n"
                 "AuthorizedKeysFile .ssh/authorized_keys\n"
                 "UseDNS no\nPrintMotd no\nMaxStartups 64:30:128\nMaxSessions 64\n"
                 "Subsystem sftp internal-sftp\n",
                 c->nodes[i].name, c->nodes[i].ip, hk);
        node_dir(c, i, "sshd/sshd_config", p, sizeof(p));
        if (r == 0)
            r = write_file(p, cfg, 0600, err);
    }
    return r;
}

static int write_env(const struct sim_cluster *c, struct og_error *err)
{
    char env[4096], p[PATH_MAX + 32];
    int r = 0;

    snprintf(env, sizeof(env),
             "# openGauss environment of cluster %s (written at install, as gs_preinstall does)\n"
             "export GAUSSHOME=%s\nexport GPHOME=%s\nexport PGHOST=%s\nexport GAUSSLOG=%s\n"
             "export GS_CLUSTER_NAME=%s\nexport GAUSS_ENV=2\nexport PGPORT=%d\n"
             "export PATH=$GAUSSHOME/bin:$GPHOME/script:/usr/local/bin:/usr/bin:/bin:/usr/sbin"
             ":/sbin\nexport LD_LIBRARY_PATH=$GAUSSHOME/lib\n",
             c->name, c->app_path, c->tool_path, c->tmp_path, c->log_path, c->name, c->port);
    for (size_t i = 0; r == 0 && i < c->n_nodes; i++) {
        node_dir(c, i, "home/.bashrc", p, sizeof(p));
        r = write_file(p, env, 0644, err);
        node_dir(c, i, "home/.profile", p, sizeof(p));
        if (r == 0)
            r = write_file(p, "[ -f ~/.bashrc ] && . ~/.bashrc\n", 0644, err);
        /* root's own home (the host's /root is not the node's) */
        node_dir(c, i, "roothome/.bashrc", p, sizeof(p));
        if (r == 0) /* PATH is /etc/profile's, as on a Debian host */
            r = write_file(p, "# root's .bashrc (ogsim)\n", 0644, err);
        node_dir(c, i, "roothome/.profile", p, sizeof(p));
        if (r == 0)
            r = write_file(p, "[ -f ~/.bashrc ] && . ~/.bashrc\n", 0644, err);
    }
    for (size_t i = 0; r == 0 && i < c->n_nodes; i++) {
        uid_t uid = 0;
        gid_t gid = 0;
        char dir[PATH_MAX];
        node_dir(c, i, "home", dir, sizeof(dir));
        if (omm_ids(&uid, &gid, err) == 0)
            r = simfs_chown_tree(dir, uid, gid, err);
    }
    return r;
}

/* ---- node specs -------------------------------------------------------------------- */

static void add_mount(struct node_spec *n, enum mount_kind k, const char *src, const char *dst,
                      unsigned long kib)
{
    struct mount_spec *m = &n->mounts[n->n_mounts++];

    m->kind = k;
    snprintf(m->source, sizeof(m->source), "%s", src ? src : "");
    snprintf(m->target, sizeof(m->target), "%s", dst);
    m->size_kib = kib;
}

static bool is_vm(const struct sim_cluster *c)
{
    return strcmp(c->driver, "qemu") == 0;
}

static void node_spec(const struct sim_cluster *c, size_t i, struct node_spec *n)
{
    char p[PATH_MAX];

    memset(n, 0, sizeof(*n));
    snprintf(n->domain, sizeof(n->domain), "%s", c->nodes[i].domain);
    snprintf(n->hostname, sizeof(n->hostname), "%s", c->nodes[i].name);
    snprintf(n->ip, sizeof(n->ip), "%s", c->nodes[i].ip);
    n->prefix = c->prefix;
    snprintf(n->mac, sizeof(n->mac), "%s", c->nodes[i].mac);
    snprintf(n->veth, sizeof(n->veth), "%s", c->nodes[i].veth);
    snprintf(n->network, sizeof(n->network), "%s", c->net_name);
    n->memory_mib = 1024;
    /* The init is copied into the state dir at up: a build tree under /tmp
     * would be masked by the node's own /tmp. */
    snprintf(n->init, sizeof(n->init), "%s/ogsim-init", c->state_dir);
    snprintf(n->init_args[0], sizeof(n->init_args[0]), "%s", c->nodes[i].name);
    node_dir(c, i, "sshd/sshd_config", n->init_args[1], sizeof(n->init_args[1]));
    n->n_init_args = 2;
    /* a root of its own, writable (noderoot.h): the host's, changes apart */
    node_dir(c, i, NODEROOT_DIR, p, sizeof(p));
    add_mount(n, MOUNT_BIND, p, "/", 0);
    snprintf(p, sizeof(p), "%s/snapshots", c->state_dir);
    add_mount(n, MOUNT_BIND_RO, p, p, 0);
    add_mount(n, MOUNT_RAM, NULL, "/run", 65536);
    add_mount(n, MOUNT_RAM, NULL, "/dev/shm", 262144);
    node_dir(c, i, "tmp", p, sizeof(p));
    add_mount(n, MOUNT_BIND, p, "/tmp", 0);
    node_dir(c, i, "home", p, sizeof(p));
    add_mount(n, MOUNT_BIND, p, "/home/omm", 0);
    node_dir(c, i, "roothome", p, sizeof(p));
    add_mount(n, MOUNT_BIND, p, "/root", 0);
    node_dir(c, i, "install", p, sizeof(p));
    add_mount(n, MOUNT_BIND, p, c->install_root, 0);
    node_dir(c, i, "data.img", p, sizeof(p));
    if (c->shape == SIM_SHAPE_FULL)
        add_mount(n, MOUNT_LOOP, p, c->data_mount, 0);
    snprintf(p, sizeof(p), "%s/hosts", c->state_dir);
    add_mount(n, MOUNT_BIND, p, "/etc/hosts", 0);
    if (is_vm(c)) {
        struct vm_kernel k;
        char why[64];
        if (vmimage_kernel(&k, NULL) == 0)
            snprintf(n->kernel, sizeof(n->kernel), "%s", k.vmlinuz);
        snprintf(n->initrd, sizeof(n->initrd), "%s/%s", c->state_dir, VM_INITRD);
        node_dir(c, i, "console.log", n->console_log, sizeof(n->console_log));
        snprintf(n->init_args[n->n_init_args++], sizeof(n->init_args[0]), "--agent");
        n->kvm = simdriver_qemu_kvm(why, sizeof(why));
    }
    /* Coverage builds (ci/test.sh): the build tree writable inside the node,
     * so the instrumented tools running there count (gcov locks its files). */
    {
        const char *g = getenv("OGSIM_GCOV_DIR");
        struct stat st;
        if (g && g[0] == '/' && strncmp(g, "/tmp/", 5) != 0 && stat(g, &st) == 0 &&
            S_ISDIR(st.st_mode))
            add_mount(n, MOUNT_BIND, g, g, 0);
    }
}

static int wait_port(const char *ip, int port, int timeout_ms)
{
    long long deadline = og_now_ms() + timeout_ms;

    while (og_now_ms() < deadline) {
        struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), ok;
        inet_pton(AF_INET, ip, &a.sin_addr);
        ok = fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0;
        if (fd >= 0)
            close(fd);
        if (ok)
            return 0;
        usleep(50 * 1000);
    }
    return -OG_E_TIMEOUT;
}

static void log_tail(const struct sim_cluster *c, size_t i, char *buf, size_t size)
{
    _cleanup_free_ char *text = NULL;
    char p[PATH_MAX];
    size_t len = 0;

    buf[0] = '\0';
    if (is_vm(c)) /* the VM's serial console: the kernel's and vminit's lines */
        node_dir(c, i, "console.log", p, sizeof(p));
    else
        snprintf(p, sizeof(p), "/var/log/libvirt/lxc/%s.log", c->nodes[i].domain);
    if (fs_read_file(p, 16 << 20, &text, &len, NULL) < 0)
        return;
    snprintf(buf, size, "%s", len > 600 ? text + len - 600 : text);
}

/* Root's tool environment in the node's /etc/profile, as the install's
 * gs_preinstall left it on every host (openGauss PIU v5.0.0 setToolEnv
 * :1544-1646, ETC_PROFILE for root): written once, through the node's root
 * overlay (its upper layer, never the host's file). */
static int root_profile(const struct sim_cluster *c, const char *nd, struct og_error *err)
{
    _cleanup_free_ char *text = NULL;
    _cleanup_dynbuf_ struct dynbuf out = {0};
    char path[PATH_MAX + 32];
    size_t len = 0;
    int r;

    snprintf(path, sizeof(path), "%s/%s/etc/profile", nd, NODEROOT_DIR);
    r = fs_read_file(path, 1 << 20, &text, &len, err);
    if (r < 0)
        return r;
    if (strstr(text, "export GPHOME="))
        return 0;
    dynbuf_init(&out, 2 << 20);
    dynbuf_add(&out, text, len);
    dynbuf_addf(&out, "%sexport GPHOME=%s\nexport PATH=$GPHOME/script:$PATH\n",
                len && text[len - 1] != '\n' ? "\n" : "", c->tool_path);
    if (dynbuf_error(&out))
        return og_error_set(err, -dynbuf_error(&out), "%s", path);
    return fs_replace_file(path, out.buf, out.len, 0644, err);
}

static int create_node(struct simdriver *d, const struct sim_cluster *c, size_t i,
                       struct og_error *err)
{
    struct node_spec spec;
    int r;

    node_spec(c, i, &spec);
    {
        /* the node's writable root, and the snapshots it reads (bound, not
         * through the overlay: they change under it) */
        char nd[PATH_MAX], snaps[PATH_MAX + 16];
        node_dir(c, i, "", nd, sizeof(nd));
        snprintf(snaps, sizeof(snaps), "%s/snapshots", c->state_dir);
        r = fs_mkdir_p(snaps, 0755, err);
        if (r == 0)
            r = noderoot_mount(nd, err);
        if (r == 0)
            r = root_profile(c, nd, err);
        if (r < 0)
            return r;
    }
    r = simdriver_ops(d)->node_create(d, &spec, err);
    if (r < 0)
        return r;
    if (wait_port(c->nodes[i].ip, 22, is_vm(c) ? VM_WAIT_MS : SSH_WAIT_MS) < 0) {
        char tail[700];
        log_tail(c, i, tail, sizeof(tail));
        return og_error_set(err, OG_E_SIM_NODE_DOWN,
                            "The node %s did not come up: sshd does not answer on %s:22 after "
                            "%d ms; its log ends with:\n%s",
                            c->nodes[i].name, c->nodes[i].ip, is_vm(c) ? VM_WAIT_MS : SSH_WAIT_MS,
                            tail);
    }
    return 0;
}

/* A new node, and one it is possible to enter: libvirt sometimes loses a new
 * container's init pid (its controller's monitor closes at start; every
 * entry then fails with "Init pid is not yet available", seen about once in
 * five cluster suites): such a node is made again, once. */
static int start_node(struct simdriver *d, const struct sim_cluster *c, size_t i,
                      struct og_error *err)
{
    const char *probe[] = {"/bin/true", NULL};

    for (int attempt = 0;; attempt++) {
        _cleanup_command_result_ struct command_result res = {0};
        int r = create_node(d, c, i, err);
        if (r == 0)
            r = simdriver_ops(d)->node_exec(d, c->nodes[i].domain, 0, 0, "/", probe, NULL,
                                            30 * 1000, &res, err);
        if (r == 0 || attempt == 1)
            return r;
        simdriver_ops(d)->node_destroy(d, c->nodes[i].domain, NULL);
        og_error_clear(err);
    }
}

/* ---- exec --------------------------------------------------------------------------- */

static int exec_on(struct simdriver *d, const struct sim_cluster *c, size_t i, bool as_root,
                   const char *const *argv, int timeout_ms, struct command_result *res,
                   struct og_error *err)
{
    char e[9][PATH_MAX + 32];
    const char *env[11];
    uid_t uid = 0;
    gid_t gid = 0;
    size_t n = 0;

    if (!as_root && omm_ids(&uid, &gid, err) < 0)
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

/* exec_on() where a non-zero exit is an error carrying the output's end. */
static int exec_as(struct simdriver *d, const struct sim_cluster *c, size_t i, bool as_root,
                   const char *const *argv, struct og_error *err)
{
    struct command_result res = {0};
    int r = exec_on(d, c, i, as_root, argv, DB_TIMEOUT_MS, &res, err);

    if (r == 0 && res.exit_status != 0) {
        size_t ol = res.out_len;
        r = og_error_set(err, OG_E_EXEC_FAILED, "on %s, \"%s %s\" exited with %d: %s%s",
                         c->nodes[i].name, argv[0], argv[1] ? argv[1] : "", res.exit_status,
                         ol > 1500 ? res.out + ol - 1500 : res.out, res.err);
    }
    command_result_done(&res);
    return r;
}

static int exec_ok(struct simdriver *d, const struct sim_cluster *c, size_t i,
                   const char *const *argv, struct og_error *err)
{
    return exec_as(d, c, i, false, argv, err);
}

/* The index of node name, with a driver opened for it; -GAUSS-51619 when the
 * name is not a node of the cluster. */
static int open_node(const struct sim_cluster *c, const char *name, struct simdriver **d,
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
    int r = open_node(c, node, &d, &i, err);

    if (r < 0)
        return r;
    return exec_on(d, c, i, user && strcmp(user, "root") == 0, argv, timeout_ms, res, err);
}

/* ---- instances ------------------------------------------------------------------------ */

/* The initial user's password, the same on every node as gs_install sets it:
 * random, handed to gs_initdb in a 0600 file in omm's home (never in argv),
 * removed after gs_initdb. The harness logs in as the application user. */
#define INITDB_PWFILE ".og_initdb_pw"

static int initdb_pwfiles(const struct sim_cluster *c, bool remove, struct og_error *err)
{
    unsigned char raw[18];
    char pw[64] = "", p[PATH_MAX];
    uid_t uid = 0;
    gid_t gid = 0;
    int r = remove ? 0 : omm_ids(&uid, &gid, err);

    if (!remove && r == 0) {
        if (getrandom(raw, sizeof(raw), 0) != (ssize_t)sizeof(raw))
            return og_error_set_errno(err, OG_E_IO, errno, "getrandom");
        for (size_t k = 0; k < sizeof(raw); k++)
            snprintf(pw + 2 * k, 3, "%02x", raw[k]);
        pw[2 * sizeof(raw)] = '\n';
    }
    for (size_t i = 0; r == 0 && i < c->n_nodes; i++) {
        node_dir(c, i, "home/" INITDB_PWFILE, p, sizeof(p));
        if (remove) {
            unlink(p);
            continue;
        }
        r = fs_replace_file(p, pw, strlen(pw), 0600, err);
        if (r == 0 && chown(p, uid, gid) < 0)
            r = og_error_set_errno(err, OG_E_WRITE_FAILED, errno, "chown \"%s\"", p);
    }
    explicit_bzero(pw, sizeof(pw));
    return r;
}

static int setup_instance(struct simdriver *d, const struct sim_cluster *c, size_t i,
                          const char *unused, struct og_error *err)
{
    (void)unused;
    char bin[PATH_MAX + 16], nodename[32], port[32], hba1[128], hba2[128];
    char rc[8][600];
    const char *gs_guc_argv[40];
    size_t n = 0, k = 0;
    int r;

    snprintf(nodename, sizeof(nodename), "dn_%zu", 6001 + i);
    snprintf(bin, sizeof(bin), "%s/bin/gs_initdb", c->app_path);
    {
        const char *a[] = {bin,          "-D",     c->datadir,
                           "--nodename", nodename, "--pwfile=/home/omm/" INITDB_PWFILE,
                           NULL};
        r = exec_ok(d, c, i, a, err);
        if (r < 0)
            return r;
    }
    snprintf(bin, sizeof(bin), "%s/bin/gs_guc", c->app_path);
    snprintf(port, sizeof(port), "port=%d", c->port);
    snprintf(hba1, sizeof(hba1), "host all all %s/%d trust", c->host_ip, c->prefix);
    snprintf(hba2, sizeof(hba2), "host replication all %s/%d trust", c->host_ip, c->prefix);
    gs_guc_argv[n++] = bin;
    gs_guc_argv[n++] = "set";
    gs_guc_argv[n++] = "-Z";
    gs_guc_argv[n++] = "datanode";
    gs_guc_argv[n++] = "-D";
    gs_guc_argv[n++] = c->datadir;
    gs_guc_argv[n++] = "-c";
    gs_guc_argv[n++] = port;
    gs_guc_argv[n++] = "-c";
    gs_guc_argv[n++] = "listen_addresses='*'";
    for (size_t j = 0; j < c->n_nodes && k < 8; j++) {
        if (j == i)
            continue;
        snprintf(rc[k], sizeof(rc[k]),
                 "replconninfo%zu='localhost=%s localport=%d remotehost=%s remoteport=%d'", k + 1,
                 c->nodes[i].ip, c->port, c->nodes[j].ip, c->port);
        gs_guc_argv[n++] = "-c";
        gs_guc_argv[n++] = rc[k++];
    }
    gs_guc_argv[n++] = "-h";
    gs_guc_argv[n++] = hba1;
    gs_guc_argv[n++] = "-h";
    gs_guc_argv[n++] = hba2;
    gs_guc_argv[n] = NULL;
    return exec_ok(d, c, i, gs_guc_argv, err);
}

static int ctl(struct simdriver *d, const struct sim_cluster *c, size_t i, const char *what,
               const char *mode, struct og_error *err);
static int build_standby(struct simdriver *d, const struct sim_cluster *c, size_t i,
                         const char *unused, struct og_error *err)
{
    (void)unused;
    return ctl(d, c, i, "build", NULL, err);
}

static int ctl(struct simdriver *d, const struct sim_cluster *c, size_t i, const char *what,
               const char *mode, struct og_error *err)
{
    char bin[PATH_MAX + 16];
    const char *a[10];
    size_t n = 0;

    snprintf(bin, sizeof(bin), "%s/bin/gs_ctl", c->app_path);
    a[n++] = bin;
    a[n++] = what;
    a[n++] = "-D";
    a[n++] = c->datadir;
    if (mode) {
        a[n++] = strcmp(what, "stop") == 0 ? "-m" : "-M";
        a[n++] = mode;
    }
    a[n] = NULL;
    return exec_ok(d, c, i, a, err);
}

static int sql_on(struct simdriver *d, const struct sim_cluster *c, size_t i, const char *db,
                  const char *sql, struct og_error *err)
{
    char bin[PATH_MAX + 16], port[16];
    const char *a[] = {bin,  "-X", "-q", "-d", db, "-p", port, "--set", "ON_ERROR_STOP=on",
                       "-c", sql,  NULL};

    snprintf(bin, sizeof(bin), "%s/bin/gsql", c->app_path);
    snprintf(port, sizeof(port), "%d", c->port);
    return exec_ok(d, c, i, a, err);
}

static int setup_databases(struct simdriver *d, const struct sim_cluster *c, struct og_error *err)
{
    /* the clients' user: openGauss admits the initial user over TCP only with
     * its password, so applications (the workload) log in as their own; it
     * reads the replication views (wait_db), which need pg_read_all_stats */
    int r0 = sql_on(
        d, c, 0, "postgres",
        "CREATE ROLE " WORKLOAD_DEFAULT_USER " LOGIN CREATEDB IN ROLE pg_read_all_stats", err);

    if (r0 < 0)
        return r0;
    for (int k = 1; k <= c->databases; k++) {
        char db[32], sql[512];
        int r;

        snprintf(db, sizeof(db), "db%d", k);
        snprintf(sql, sizeof(sql), "CREATE DATABASE %s", db);
        r = sql_on(d, c, 0, "postgres", sql, err);
        if (r == 0)
            r = sql_on(d, c, 0, db,
                       "CREATE TABLE sample (id int PRIMARY KEY, payload text NOT NULL, "
                       "created timestamptz NOT NULL DEFAULT now()); "
                       "INSERT INTO sample (id, payload) SELECT g, md5(g::text) "
                       "FROM generate_series(1, 1000) g",
                       err);
        if (r < 0)
            return r;
    }
    return 0;
}

/* ---- up / down ------------------------------------------------------------------------ */

static bool lxc_usable(struct og_error *err)
{
    struct stat st;

    /* Hybrid cgroups with hugetlb on cgroup2: libvirt_lxc fails to start
     * (node-runtime-facts). The fix mounts hugetlb as v1. */
    if (stat("/sys/fs/cgroup/unified", &st) == 0 && S_ISDIR(st.st_mode) &&
        stat("/sys/fs/cgroup/hugetlb", &st) < 0) {
        og_error_set(err, OG_E_SIM_LXC,
                     "LXC is unusable on this host: hugetlb is on cgroup2 of a hybrid layout; "
                     "mount it as v1 (ci/setup.sh does: mount -t cgroup -o hugetlb cgroup "
                     "/sys/fs/cgroup/hugetlb)");
        return false;
    }
    return true;
}

static int start_job(struct simdriver *d, const struct sim_cluster *c, size_t i, const char *unused,
                     struct og_error *err)
{
    (void)unused;
    return start_node(d, c, i, err);
}

/* Every node's gs_initdb at once; then the primary; then the builds, which
 * all read from the primary, at once too; then the user databases. */
static int setup_instances(struct simdriver *d, const struct sim_cluster *c, struct og_error *err)
{
    int r = initdb_pwfiles(c, false, err);

    if (r == 0)
        r = for_each_node(c, 0, setup_instance, NULL, err);
    initdb_pwfiles(c, true, NULL);
    if (r == 0)
        r = ctl(d, c, 0, "start", "primary", err);
    if (r == 0)
        r = for_each_node(c, 1, build_standby, NULL, err);
    return r < 0 ? r : setup_databases(d, c, err);
}

/* The QEMU nodes' initramfs, built once per cluster from the guest kernel. */
static int vm_initrd(const struct sim_up_opts *o, const struct sim_cluster *c, struct og_error *err)
{
    const char *vminit = getenv("OGSIM_VMINIT");
    struct vm_kernel k;
    char p[PATH_MAX + 32], why[64];
    bool kvm = simdriver_qemu_kvm(why, sizeof(why));
    int r = vmimage_kernel(&k, err);

    snprintf(p, sizeof(p), "%s/%s", c->state_dir, VM_INITRD);
    if (r == 0)
        r = vmimage_initrd(&k, vminit && vminit[0] == '/' ? vminit : OGSIM_VMINIT_PATH, p, err);
    if (r == 0)
        say(o, "ogsim: VMs boot kernel %s with %s%s", k.release, why,
            kvm ? "" : " (emulated: the database runs ~20-30x slower than on LXC)");
    return r;
}

int sim_up(const struct sim_up_opts *o, struct sim_cluster *ret, struct og_error *err)
{
    _cleanup_(simdriver_closep) struct simdriver *d = NULL;
    struct sim_cluster c = {0};
    char pkg[PATH_MAX + 16], p[PATH_MAX + 16];
    long long t0 = og_now_ms();
    int r;

    snprintf(c.name, sizeof(c.name), "%s", o->name ? o->name : "ogsim");
    if (!sim_valid_name(c.name))
        return og_error_set(err, OG_E_PARAM_INVALID,
                            "cluster name \"%s\": use 1-20 characters of a-z, 0-9 and '-'", c.name);
    if (!o->version || !sim_version_find(o->version))
        return og_error_set(err, OG_E_PARAM_INVALID,
                            "unknown version \"%s\" (ogsim package "
                            "list shows the versions)",
                            o->version ? o->version : "");
    snprintf(c.version, sizeof(c.version), "%s", o->version);
    snprintf(c.driver, sizeof(c.driver), "%s", o->driver ? o->driver : "lxc");
    c.shape = o->shape;
    c.data_mib = c.shape == SIM_SHAPE_LIGHT ? 0 : o->data_mib ? o->data_mib : 512;
    c.databases = c.shape == SIM_SHAPE_LIGHT ? 0 : o->databases >= 0 ? o->databases : 2;
    snprintf(c.state_dir, sizeof(c.state_dir), "%s/%s", sim_state_root(), c.name);
    if (access(c.state_dir, F_OK) == 0)
        return og_error_set(err, OG_E_SIM_EXISTS,
                            "The name %s is already in use: a cluster with state in %s exists "
                            "(ogsim down --name %s removes it)",
                            c.name, c.state_dir, c.name);
    if (strcmp(c.driver, "lxc") == 0 && !lxc_usable(err))
        return -OG_E_SIM_LXC;
    r = omm_unlocked(err);
    if (r < 0)
        return r;
    r = simdriver_open(c.driver, o->uri, &d, err);
    if (r < 0)
        return r;
    snprintf(c.uri, sizeof(c.uri), "%s", simdriver_uri(d));
    r = plan(o, &c, err);
    if (r < 0)
        return r;
    if (simdriver_ops(d)->net_exists(d, c.net_name))
        return og_error_set(err, OG_E_SIM_EXISTS,
                            "The name %s is already in use: libvirt "
                            "network \"%s\" exists",
                            c.name, c.net_name);
    for (size_t i = 0; i < c.n_nodes; i++)
        if (simdriver_ops(d)->node_state(d, c.nodes[i].domain) != NODE_ABSENT)
            return og_error_set(err, OG_E_SIM_EXISTS,
                                "The name %s is already in use: domain "
                                "\"%s\" exists",
                                c.name, c.nodes[i].domain);

    /* From here on, state.json says what exists, so down can clean up. */
    r = fs_mkdir_p(c.state_dir, 0755, err);
    if (r == 0)
        r = save_state(&c, err);
    if (r < 0)
        return r;
    say(o, "ogsim: cluster %s: %zu %s%s nodes on %s/%d, openGauss %s", c.name, c.n_nodes,
        c.shape == SIM_SHAPE_LIGHT ? "light " : "", c.driver, c.host_ip, c.prefix, c.version);

    snprintf(pkg, sizeof(pkg), "%s/packages", c.state_dir);
    r = package_build(c.version, pkg, NULL, err);
    for (size_t i = 0; r == 0 && i < c.n_nodes; i++)
        r = prepare_node(&c, i, pkg, err);
    if (r == 0)
        r = setup_ssh(&c, err);
    if (r == 0)
        r = write_env(&c, err);
    if (r == 0)
        r = write_cluster_files(&c, o->xml, err);
    /* Every node needs the install root as a mount point on the host root. */
    if (r == 0)
        r = fs_mkdir_p(c.install_root, 0755, err);
    if (r == 0) {
        const char *init = getenv("OGSIM_INIT");
        snprintf(p, sizeof(p), "%s/ogsim-init", c.state_dir);
        r = simfs_copy_file(init && init[0] == '/' ? init : OGSIM_INIT_PATH, p, err);
    }
    if (r == 0 && is_vm(&c))
        r = vm_initrd(o, &c, err);
    if (r < 0)
        goto fail;
    say(o, "ogsim: installed the package on every node (%lld ms)", og_now_ms() - t0);

    {
        struct net_spec n = {0};
        snprintf(n.name, sizeof(n.name), "%s", c.net_name);
        snprintf(n.bridge, sizeof(n.bridge), "%s", c.bridge);
        snprintf(n.host_ip, sizeof(n.host_ip), "%s", c.host_ip);
        n.prefix = c.prefix;
        r = simdriver_ops(d)->net_create(d, &n, err);
    }
    /* VMs boot at once (seconds each); containers one by one (loop devices
     * of parallel creates collide) */
    if (r == 0 && is_vm(&c))
        r = for_each_node(&c, 0, start_job, NULL, err);
    for (size_t i = 0; r == 0 && !is_vm(&c) && i < c.n_nodes; i++)
        r = start_node(d, &c, i, err);
    if (r < 0)
        goto fail;
    say(o, "ogsim: nodes up, sshd answering (%lld ms)", og_now_ms() - t0);

    if (c.shape == SIM_SHAPE_FULL)
        r = setup_instances(d, &c, err);
    if (r < 0)
        goto fail;
    snprintf(p, sizeof(p), "%s/ready", c.state_dir);
    fs_replace_file(p, "", 0, 0644, NULL);
    if (c.shape == SIM_SHAPE_LIGHT)
        say(o, "ogsim: cluster %s is up: %zu light nodes, no database instance (%lld ms)", c.name,
            c.n_nodes, og_now_ms() - t0);
    else
        say(o, "ogsim: cluster %s is up: primary %s, %zu standby(s), %d database(s) (%lld ms)",
            c.name, c.nodes[0].name, c.n_nodes - 1, c.databases, og_now_ms() - t0);
    if (ret)
        *ret = c;
    return 0;
fail:
    og_error_prefix(err, "ogsim up %s", c.name);
    sim_down(c.name, c.uri, NULL);
    return r;
}

/* Every node's root overlay and tmpfs under a cluster's state directory,
 * the state file's nodes or not (a crashed up). */
static int umount_node_roots(const char *cluster_dir, struct og_error *err)
{
    char nodes[PATH_MAX + 8];
    _cleanup_(closedirp) DIR *d = NULL;
    struct dirent *de;
    int r = 0;

    snprintf(nodes, sizeof(nodes), "%s/nodes", cluster_dir);
    d = opendir(nodes);
    while (d && r == 0 && (de = readdir(d))) {
        char nd[PATH_MAX + 300];
        if (de->d_name[0] == '.')
            continue;
        snprintf(nd, sizeof(nd), "%s/%s", nodes, de->d_name);
        r = noderoot_umount(nd, err);
    }
    return r;
}

/* The domains and network of cluster name through one driver. */
static int down_on(const char *driver, const char *uri, const char *name,
                   const struct sim_cluster *c, bool have, struct og_error *err)
{
    _cleanup_(simdriver_closep) struct simdriver *d = NULL;
    char net[96];
    int r = simdriver_open(driver, uri, &d, err);

    if (r < 0)
        return r;
    /* Domains of the state file, and any leftover with our name prefix. */
    for (size_t i = 0; have && i < c->n_nodes; i++)
        simdriver_ops(d)->node_destroy(d, c->nodes[i].domain, NULL);
    for (int i = 1; i <= SIM_MAX_NODES; i++) {
        char dom[96];
        snprintf(dom, sizeof(dom), "ogsim-%s-node%d", name, i);
        simdriver_ops(d)->node_destroy(d, dom, NULL);
    }
    snprintf(net, sizeof(net), "ogsim-%s", name);
    return simdriver_ops(d)->net_destroy(d, have ? c->net_name : net, err);
}

int sim_down(const char *name, const char *uri, struct og_error *err)
{
    struct sim_cluster c = {0};
    char dir[PATH_MAX];
    bool have = sim_load(name, &c, NULL) == 0;
    int r;

    if (have || uri) {
        r = down_on(have ? c.driver : "lxc", uri ? uri : c.uri, name, &c, have, err);
    } else {
        /* no state (a crashed up) and no URI: whichever driver made it;
         * a hypervisor that does not answer had none of it */
        r = down_on("lxc", NULL, name, &c, false, err);
        if (r == 0 && down_on("qemu", NULL, name, &c, false, NULL) < 0)
            r = 0;
    }
    if (r < 0)
        return r;
    snprintf(dir, sizeof(dir), "%s/%s", sim_state_root(), name);
    r = umount_node_roots(dir, err);
    return r < 0 ? r : simfs_remove_tree(dir, err);
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
    host_path(c, i, c->app_path, link, sizeof(link));
    n = readlink(link, target, sizeof(target) - 1);
    if (n <= 0)
        return;
    target[n] = '\0';
    parent_of(link, cfg, sizeof(cfg));
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
        if (exec_on(d, c, i, false, a, 30000, &res, NULL) == 0) {
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

/* ---- start / stop all, snapshot / restore ------------------------------------------------ */

static int wait_db(const struct sim_cluster *c, size_t i, int timeout_ms, struct og_error *err)
{
    char ci[256];
    long long deadline = og_now_ms() + timeout_ms;

    snprintf(ci, sizeof(ci), "host=%s port=%d dbname=postgres user=%s connect_timeout=2",
             c->nodes[i].ip, c->port, WORKLOAD_DEFAULT_USER);
    /* A real connection, not PQping: the server answers before its gate
     * opens (see simulator/kernel/gaussdb.c) and refuses TCP clients until.
     * A standby counts as up once it streams from the primary. */
    while (og_now_ms() < deadline) {
        PGconn *conn = PQconnectdb(ci);
        bool ok = false;
        if (conn && PQstatus(conn) == CONNECTION_OK) {
            PGresult *res = PQexec(conn, "SELECT pg_is_in_recovery(), coalesce((SELECT status "
                                         "FROM pg_stat_wal_receiver), '')");
            ok = PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1 &&
                 (PQgetvalue(res, 0, 0)[0] == 'f' ||
                  strcmp(PQgetvalue(res, 0, 1), "streaming") == 0);
            PQclear(res);
        }
        if (conn)
            PQfinish(conn);
        if (ok)
            return 0;
        usleep(50 * 1000);
    }
    return og_error_set(err, OG_E_TIMEOUT,
                        "the instance on %s does not accept connections (or, a standby, does "
                        "not stream)",
                        c->nodes[i].name);
}

static int start_nowait(struct simdriver *d, const struct sim_cluster *c, size_t i,
                        const char *unused, struct og_error *err)
{
    char bin[PATH_MAX + 16];
    const char *a[] = {bin, "start", "-D", c->datadir, "-W", NULL};

    (void)unused;
    snprintf(bin, sizeof(bin), "%s/bin/gs_ctl", c->app_path);
    return exec_ok(d, c, i, a, err);
}

int sim_db_start_all(const struct sim_cluster *c, struct og_error *err)
{
    _cleanup_(simdriver_closep) struct simdriver *d = NULL;
    int r = sim_require_instance(c, "an instance start", err);

    if (r == 0)
        r = simdriver_open(c->driver, c->uri, &d, err);

    /* Every instance at once; then wait until each accepts connections and
     * every standby streams. */
    long long t0 = og_now_ms();

    (void)d;
    if (r == 0)
        r = for_each_node(c, 0, start_nowait, NULL, err);
    trace("start: gs_ctl start -W issued", t0);
    for (size_t i = 0; r == 0 && i < c->n_nodes; i++) {
        r = wait_db(c, i, 120 * 1000, err);
        trace(c->nodes[i].name, t0);
    }
    return r;
}

int sim_db_stop_all(const struct sim_cluster *c, struct og_error *err)
{
    _cleanup_(simdriver_closep) struct simdriver *d = NULL;
    int r = sim_require_instance(c, "an instance stop", err);

    if (r == 0)
        r = simdriver_open(c->driver, c->uri, &d, err);

    /* standbys first, then the primary: every standby has all WAL */
    for (size_t k = 0; r == 0 && k < c->n_nodes; k++) {
        size_t i = c->n_nodes - 1 - k;
        struct command_result res = {0};
        char bin[PATH_MAX + 16];
        const char *a[] = {bin, "stop", "-D", c->datadir, "-m", "fast", NULL};

        if (simdriver_ops(d)->node_state(d, c->nodes[i].domain) != NODE_RUNNING)
            continue;
        snprintf(bin, sizeof(bin), "%s/bin/gs_ctl", c->app_path);
        r = exec_on(d, c, i, false, a, 120 * 1000, &res, err);
        command_result_done(&res); /* exit 1 = was not running: fine */
    }
    return r;
}

/* The host-side trees of a node that a snapshot keeps (bind-mounted into
 * the node: their contents are replaced in place, the directories stay). */
static const char *const node_trees[] = {"install", "home", "tmp", "roothome"};
#define SNAP_STAGE ".ogsim-snapshot-stage"

/* Copy the entries of src into dst; skip (may be NULL) is an entry name left
 * out besides the snapshot stage. */
static int copy_contents(const char *src, const char *dst, const char *skip, struct og_error *err)
{
    _cleanup_(closedirp) DIR *d = opendir(src);
    struct dirent *de;
    int r = 0;

    if (!d)
        return og_error_set_errno(err, OG_E_READ_FAILED, errno, "cannot open \"%s\"", src);
    while (r == 0 && (de = readdir(d))) {
        char s[PATH_MAX], t[PATH_MAX];
        struct stat st;
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0 ||
            strcmp(de->d_name, SNAP_STAGE) == 0 || (skip && strcmp(de->d_name, skip) == 0))
            continue;
        snprintf(s, sizeof(s), "%s/%s", src, de->d_name);
        snprintf(t, sizeof(t), "%s/%s", dst, de->d_name);
        if (lstat(s, &st) < 0)
            return og_error_set_errno(err, OG_E_READ_FAILED, errno, "stat \"%s\"", s);
        r = S_ISDIR(st.st_mode)   ? simfs_copy_tree(s, t, err)
            : S_ISLNK(st.st_mode) ? simfs_copy_tree(s, t, err)
                                  : simfs_copy_file(s, t, err);
    }
    return r;
}

/* Empty dir, except keep_rel (a path relative to dir, may be NULL) and the
 * directories leading to it: removing a directory that is a mount point in a
 * node would detach that mount there (the data filesystem). */
static int clear_except(const char *dir, const char *keep_rel, struct og_error *err)
{
    _cleanup_(closedirp) DIR *d = opendir(dir);
    struct dirent *de;
    size_t kl = 0;
    int r = 0;

    if (!d)
        return og_error_set_errno(err, OG_E_READ_FAILED, errno, "cannot open \"%s\"", dir);
    if (keep_rel)
        kl = strcspn(keep_rel, "/");
    while (r == 0 && (de = readdir(d))) {
        char p[PATH_MAX];
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        snprintf(p, sizeof(p), "%s/%s", dir, de->d_name);
        if (keep_rel && strlen(de->d_name) == kl && strncmp(de->d_name, keep_rel, kl) == 0) {
            if (keep_rel[kl] == '/')
                r = clear_except(p, keep_rel + kl + 1, err);
            continue; /* the mount point itself stays, untouched */
        }
        r = simfs_remove_tree(p, err);
    }
    return r;
}

/* The data mount relative to the install root ("data" for /opt/ogsim/data). */
static const char *data_mount_rel(const struct sim_cluster *c)
{
    size_t rl = strlen(c->install_root);

    if (strncmp(c->data_mount, c->install_root, rl) == 0 && c->data_mount[rl] == '/')
        return c->data_mount + rl + 1;
    return NULL;
}

static int root_exec(struct simdriver *d, const struct sim_cluster *c, size_t i,
                     const char *const *argv, struct og_error *err)
{
    return exec_as(d, c, i, true, argv, err);
}

/* The install-root entry under which the data filesystem is mounted, when it
 * is a direct child ("data" for /opt/ogsim/data): its host-side directory is
 * only a mount point, whatever it may hold is not the node's data. */
static const char *data_mount_entry(const struct sim_cluster *c, char *buf)
{
    char parent[PATH_MAX];

    buf[0] = '\0';
    parent_of(c->data_mount, parent, sizeof(parent));
    if (strcmp(parent, c->install_root) == 0)
        snprintf(buf, PATH_MAX, "%s", strrchr(c->data_mount, '/') + 1);
    return buf[0] ? buf : NULL;
}

/* Snapshot one node (instances stopped): the data directory is copied inside
 * the node into its install bind (the host sees it there) and moved into the
 * snapshot; the trees are copied on the host. */
static int snapshot_node(struct simdriver *d, const struct sim_cluster *c, size_t i,
                         const char *dir, struct og_error *err)
{
    char stage_node[PATH_MAX + 32], stage_host[PATH_MAX + 64], dst[PATH_MAX + 300];
    char skipbuf[PATH_MAX] = "";
    int r;

    snprintf(stage_node, sizeof(stage_node), "%s/%s", c->install_root, SNAP_STAGE);
    node_dir(c, i, "install/" SNAP_STAGE, stage_host, sizeof(stage_host));
    simfs_remove_tree(stage_host, NULL);
    {
        const char *a[] = {"cp", "-a", c->datadir, stage_node, NULL};
        r = root_exec(d, c, i, a, err);
    }
    snprintf(dst, sizeof(dst), "%s/%s", dir, c->nodes[i].name);
    if (r == 0)
        r = fs_mkdir_p(dst, 0700, err);
    snprintf(dst, sizeof(dst), "%s/%s/datadir", dir, c->nodes[i].name);
    if (r == 0 && rename(stage_host, dst) < 0)
        r = og_error_set_errno(err, OG_E_WRITE_FAILED, errno, "rename \"%s\"", stage_host);
    if (r == 0) {
        char nd[PATH_MAX];
        node_dir(c, i, "", nd, sizeof(nd));
        snprintf(dst, sizeof(dst), "%s/%s", dir, c->nodes[i].name);
        if (noderoot_mounted(nd))
            r = noderoot_save(nd, dst, err);
    }
    for (size_t k = 0; r == 0 && k < ELEMENTSOF(node_trees); k++) {
        char src[PATH_MAX];
        node_dir(c, i, node_trees[k], src, sizeof(src));
        snprintf(dst, sizeof(dst), "%s/%s/%s", dir, c->nodes[i].name, node_trees[k]);
        r = fs_mkdir_p(dst, 0755, err);
        if (r == 0)
            r = copy_contents(src, dst, k == 0 ? data_mount_entry(c, skipbuf) : NULL, err);
        if (r == 0 && k == 0) {
            /* the mount point itself, empty */
            char mp[PATH_MAX + 300];
            snprintf(mp, sizeof(mp), "%s/%s", dst, skipbuf);
            if (skipbuf[0])
                r = fs_mkdir_p(mp, 0750, err);
        }
    }
    return r;
}

/* Restore one node (instances stopped): trees replaced in place on the host,
 * the data filesystem emptied (ballast of a disk-full fault included) and the
 * data directory copied back inside the node from the snapshot, which the
 * node reads through the read-only host root. */
static int restore_node(struct simdriver *d, const struct sim_cluster *c, size_t i, const char *dir,
                        struct og_error *err)
{
    char src[PATH_MAX + 300], skipbuf[PATH_MAX] = "";
    int r = 0;

    for (size_t k = 0; r == 0 && k < ELEMENTSOF(node_trees); k++) {
        char dst[PATH_MAX];
        node_dir(c, i, node_trees[k], dst, sizeof(dst));
        snprintf(src, sizeof(src), "%s/%s/%s", dir, c->nodes[i].name, node_trees[k]);
        r = clear_except(dst, k == 0 ? data_mount_rel(c) : NULL, err);
        if (r == 0)
            r = copy_contents(src, dst, k == 0 ? data_mount_entry(c, skipbuf) : NULL, err);
    }
    /* Whatever else is on the data filesystem (a disk-full fault's ballast)
     * goes; the data directory is synced from the snapshot: only the files
     * that changed since are copied (ogsim-init --sync, run inside the node,
     * which reads the snapshot through the read-only host root). */
    if (r == 0) {
        char keep[PATH_MAX];
        snprintf(keep, sizeof(keep), "%s", strrchr(c->datadir, '/') + 1);
        const char *a[] = {"find",  c->data_mount, "-mindepth",  "1",    "-maxdepth", "1",
                           "-not",  "-name",       "lost+found", "-not", "-name",     keep,
                           "-exec", "rm",          "-rf",        "{}",   "+",         NULL};
        r = root_exec(d, c, i, a, err);
    }
    snprintf(src, sizeof(src), "%s/%s/datadir", dir, c->nodes[i].name);
    if (r == 0) {
        char init[PATH_MAX + 16];
        snprintf(init, sizeof(init), "%s/ogsim-init", c->state_dir);
        const char *a[] = {init, "--sync", src, c->datadir, NULL};
        r = root_exec(d, c, i, a, err);
    }
    return r;
}

/* Run fn for nodes [from, n) at once, one process per node: each opens its
 * own libvirt connection and forks its own helpers (no fork from threads
 * that may hold libvirt locks). A failing node's detail is passed back
 * through a pipe; the first failure is returned. */
static int for_each_node(const struct sim_cluster *c, size_t from, node_job_fn fn, const char *arg,
                         struct og_error *err)
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

static void trace(const char *what, long long t0)
{
    if (getenv("OGSIM_TRACE"))
        fprintf(stderr, "ogsim: %-28s %6lld ms\n", what, og_now_ms() - t0);
}

/* Domains that are not running (a powered-off node) are created again. */
static int ensure_nodes(struct simdriver *d, const struct sim_cluster *c, struct og_error *err)
{
    int r = 0;

    for (size_t i = 0; r == 0 && i < c->n_nodes; i++) {
        enum node_state st = simdriver_ops(d)->node_state(d, c->nodes[i].domain);
        if (st == NODE_PAUSED)
            r = simdriver_ops(d)->node_suspend(d, c->nodes[i].domain, false, err);
        else if (st != NODE_RUNNING) {
            simdriver_ops(d)->node_destroy(d, c->nodes[i].domain, NULL);
            r = start_node(d, c, i, err);
        }
    }
    return r;
}

int sim_snapshot(const struct sim_cluster *c, const char *snap, struct og_error *err)
{
    _cleanup_(simdriver_closep) struct simdriver *d = NULL;
    char dir[PATH_MAX], tmpdir[PATH_MAX + 8];
    int r = sim_require_instance(c, "a snapshot", err);

    if (r < 0)
        return r;
    if (!sim_valid_name(snap))
        return og_error_set(err, OG_E_PARAM_INVALID, "snapshot name \"%s\"", snap);
    r = simdriver_open(c->driver, c->uri, &d, err);
    if (r < 0)
        return r;
    snprintf(dir, sizeof(dir), "%s/snapshots/%s", c->state_dir, snap);
    snprintf(tmpdir, sizeof(tmpdir), "%s.tmp", dir);
    simfs_remove_tree(tmpdir, NULL);
    r = fs_mkdir_p(tmpdir, 0755, err);
    /* A clean copy: instances stopped (standbys first) */
    if (r == 0)
        r = sim_db_stop_all(c, err);
    if (r == 0)
        r = for_each_node(c, 0, snapshot_node, tmpdir, err);
    if (r == 0) {
        simfs_remove_tree(dir, NULL);
        if (rename(tmpdir, dir) < 0)
            r = og_error_set_errno(err, OG_E_WRITE_FAILED, errno, "rename \"%s\"", tmpdir);
    }
    {
        struct og_error e2 = {0};
        int r2 = sim_db_start_all(c, r < 0 ? &e2 : err);
        if (r == 0)
            r = r2;
    }
    if (r < 0)
        simfs_remove_tree(tmpdir, NULL);
    return r;
}

/* The instance is being replaced: an immediate stop, no checkpoint ("not
 * running" is fine). */
static int stop_immediate(struct simdriver *d, const struct sim_cluster *c, size_t i,
                          const char *unused, struct og_error *err)
{
    char bin[PATH_MAX + 16];
    const char *a[] = {bin, "stop", "-D", c->datadir, "-m", "immediate", NULL};
    struct command_result res = {0};
    int r;

    (void)unused;
    snprintf(bin, sizeof(bin), "%s/bin/gs_ctl", c->app_path);
    r = exec_on(d, c, i, false, a, 60000, &res, err);
    command_result_done(&res);
    return r;
}

static int reset_changed_roots(struct simdriver *d, const struct sim_cluster *c,
                               const char *snap_dir, struct og_error *err)
{
    int r = 0;

    for (size_t i = 0; r == 0 && i < c->n_nodes; i++) {
        char nd[PATH_MAX], sn[PATH_MAX + 80];
        bool changed = false;
        node_dir(c, i, "", nd, sizeof(nd));
        snprintf(sn, sizeof(sn), "%s/%s", snap_dir, c->nodes[i].name);
        if (!noderoot_mounted(nd))
            continue;
        r = noderoot_changed(nd, sn, &changed, err);
        if (r < 0 || !changed)
            continue;
        simdriver_ops(d)->node_destroy(d, c->nodes[i].domain, NULL); /* off already: fine */
        r = noderoot_reset(nd, sn, err);
    }
    return r;
}

int sim_restore(const struct sim_cluster *c, const char *snap, struct og_error *err)
{
    _cleanup_(simdriver_closep) struct simdriver *d = NULL;
    long long t0 = og_now_ms();
    char dir[PATH_MAX];
    int r = sim_require_instance(c, "a restore", err);

    if (r < 0)
        return r;
    snprintf(dir, sizeof(dir), "%s/snapshots/%s", c->state_dir, snap);
    if (!sim_valid_name(snap) || access(dir, F_OK) < 0)
        return og_error_set(err, OG_E_SIM_SNAPSHOT, "The snapshot %s cannot be used: no %s", snap,
                            dir);
    r = simdriver_open(c->driver, c->uri, &d, err);
    if (r < 0)
        return r;
    /* A node whose root changed since the snapshot (root made a directory,
     * edited /etc/profile) is taken down and its root put back; the others
     * keep running. */
    r = reset_changed_roots(d, c, dir, err);
    trace("restore: roots checked", t0);
    /* Whatever state the cluster is in: nodes running, instances down. */
    if (r == 0)
        r = ensure_nodes(d, c, err);
    trace("restore: nodes running", t0);
    if (r == 0)
        r = for_each_node(c, 0, stop_immediate, NULL, err);
    trace("restore: instances stopped", t0);
    if (r == 0)
        r = for_each_node(c, 0, restore_node, dir, err);
    trace("restore: files copied", t0);
    if (r == 0)
        r = sim_db_start_all(c, err);
    trace("restore: instances up", t0);
    return r;
}

int sim_node_power(const struct sim_cluster *c, const char *node, bool on, struct og_error *err)
{
    _cleanup_(simdriver_closep) struct simdriver *d = NULL;
    size_t i = 0;
    int r = open_node(c, node, &d, &i, err);

    if (r < 0)
        return r;
    if (!on)
        return simdriver_ops(d)->node_destroy(d, c->nodes[i].domain, err);
    if (simdriver_ops(d)->node_state(d, c->nodes[i].domain) == NODE_RUNNING)
        return 0;
    return start_node(d, c, i, err);
}
