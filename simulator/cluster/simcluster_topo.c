/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * simcluster_topo.c - a cluster's topology (simcluster.h): names, addresses
 * and paths, generated or from an operator's clusterconfig.xml, and the
 * files that describe it on every node (clusterconfig.xml,
 * cluster_static_config, what the install leaves in the app).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "clusterconfig.h"
#include "fs.h"
#include "simcluster.h"
#include "simcluster_int.h"
#include "simversion.h"
#include "staticconfig.h"
#include "banned.h"

#define DEFAULT_PORT 15400
#define INSTALL_ROOT "/opt/ogsim"

/* Whether an IPv4 address of this host is in net (a /24, host order). */
static bool net_in_use(uint32_t net)
{
    struct ifaddrs *ifa, *i;
    bool used = false;

    if (getifaddrs(&ifa) < 0)
        return false;
    for (i = ifa; i && !used; i = i->ifa_next) {
        if (!i->ifa_addr || i->ifa_addr->sa_family != AF_INET)
            continue;
        uint32_t a = ntohl(((struct sockaddr_in *)i->ifa_addr)->sin_addr.s_addr);
        used = (a & 0xffffff00u) == net;
    }
    freeifaddrs(ifa);
    return used;
}

static bool subnet_in_use(unsigned octet)
{
    return net_in_use((10u << 24) | (213u << 16) | (octet << 8));
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

/* The paths of cc: the same data directory on every node, and every path
 * under one directory (the install root) that a node may have as its own. */
static int xml_paths(const struct cluster_config *cc, struct sim_cluster *c, struct og_error *err)
{
    static const char *const forbidden[] = {"/tmp",           "/run", "/home", "/dev",
                                            "/proc",          "/sys", "/etc",  "/usr",
                                            "/var/lib/ogsim", "/bin", "/lib"};
    const struct cluster_node *pri = clusterconfig_primary(cc);
    char root[PATH_MAX], dparent[PATH_MAX];

    for (size_t i = 0; i < cc->n_nodes; i++)
        if (strcmp(cc->nodes[i].datadir, pri->datadir) != 0)
            return og_error_set(err, OG_E_PARAM_VALUE,
                                "The parameter[dataNode1] value[%s] is invalid: the simulator "
                                "needs the same data directory on every node",
                                cc->nodes[i].datadir);
    snprintf(c->app_path, sizeof(c->app_path), "%s", cc->app_path);
    snprintf(c->log_path, sizeof(c->log_path), "%s", cc->log_path);
    snprintf(c->tmp_path, sizeof(c->tmp_path), "%s", cc->tmp_path);
    snprintf(c->tool_path, sizeof(c->tool_path), "%s", cc->tool_path);
    snprintf(c->core_path, sizeof(c->core_path), "%s", cc->core_path);
    snprintf(c->datadir, sizeof(c->datadir), "%s", pri->datadir);
    simcluster_parent_of(pri->datadir, dparent, sizeof(dparent));
    snprintf(c->data_mount, sizeof(c->data_mount), "%s", dparent);
    simcluster_parent_of(cc->app_path, root, sizeof(root));
    common_dir(root, cc->log_path);
    common_dir(root, cc->tmp_path);
    common_dir(root, cc->tool_path);
    common_dir(root, cc->core_path);
    common_dir(root, dparent);
    if (strcmp(root, "/") == 0 || strcmp(root, dparent) == 0)
        return og_error_set(err, OG_E_PARAM_VALUE,
                            "The parameter[gaussdbAppPath] value[%s] is invalid: the simulator "
                            "needs the app, log, tmp, tool, core paths and the data directory's "
                            "parent under one directory other than /",
                            cc->app_path);
    for (size_t k = 0; k < ELEMENTSOF(forbidden); k++) {
        size_t fl = strlen(forbidden[k]);
        if (strncmp(root, forbidden[k], fl) == 0 && (root[fl] == '/' || !root[fl]))
            return og_error_set(err, OG_E_PARAM_VALUE,
                                "The parameter[gaussdbAppPath] value[%s] is invalid: %s is "
                                "private or read-only on a simulated node",
                                cc->app_path, forbidden[k]);
    }
    snprintf(c->install_root, sizeof(c->install_root), "%s", root);
    return 0;
}

/* The nodes of cc, all in the /24 of the first one's back IP (free on this
 * host), the primary first; the host takes .1 of it (.254 when a node has
 * .1). */
static int xml_nodes(const struct cluster_config *cc, struct sim_cluster *c, struct og_error *err)
{
    struct in_addr a;
    unsigned octet;
    uint32_t net;
    bool dot1_used = false;

    if (inet_pton(AF_INET, cc->nodes[0].back_ip, &a) != 1)
        return og_error_set(err, OG_E_PARAM_VALUE, "The parameter[backIp1] value[%s] is invalid",
                            cc->nodes[0].back_ip);
    octet = (ntohl(a.s_addr) >> 8) & 0xff;
    c->n_nodes = cc->n_nodes;
    c->prefix = 24;
    net = ntohl(a.s_addr) & 0xffffff00u;
    for (size_t i = 0; i < cc->n_nodes; i++) {
        struct in_addr b;
        inet_pton(AF_INET, cc->nodes[i].back_ip, &b);
        if ((ntohl(b.s_addr) & 0xffffff00u) != net)
            return og_error_set(err, OG_E_PARAM_VALUE,
                                "The parameter[backIp1] value[%s] is invalid: the simulator "
                                "puts every node in one /24 (%s's)",
                                cc->nodes[i].back_ip, cc->nodes[0].back_ip);
        dot1_used |= (ntohl(b.s_addr) & 0xff) == 1;
        snprintf(c->nodes[i].name, sizeof(c->nodes[i].name), "%s", cc->nodes[i].name);
        snprintf(c->nodes[i].ip, sizeof(c->nodes[i].ip), "%s", cc->nodes[i].back_ip);
        c->nodes[i].primary = cc->nodes[i].primary;
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
    if (net_in_use(net))
        return og_error_set(err, OG_E_SIM_ADDRESS,
                            "The address %s/24 is already in use on this host",
                            cc->nodes[0].back_ip);
    snprintf(c->net_name, sizeof(c->net_name), "ogsim-%s", c->name);
    snprintf(c->bridge, sizeof(c->bridge), "ogbr%02x", octet);
    return 0;
}

/* Topology from an operator's clusterconfig.xml: names, IPs, port and paths
 * exactly as written. The simulator needs every path under one directory (it
 * is bind-mounted per node) and the data directory's parent inside it (the
 * data filesystem is mounted there). */
static int plan_from_xml(const char *xml, struct sim_cluster *c, struct og_error *err)
{
    struct cluster_config cc;
    int r = clusterconfig_load(xml, &cc, err);

    if (r < 0)
        return r;
    if (cc.n_nodes > SIM_MAX_NODES)
        return og_error_set(err, OG_E_PARAM_INVALID, "at most %d nodes", SIM_MAX_NODES);
    r = xml_paths(&cc, c, err);
    if (r < 0)
        return r;
    c->port = cc.port;
    return xml_nodes(&cc, c, err);
}

int simcluster_plan(const struct sim_up_opts *o, struct sim_cluster *c, struct og_error *err)
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

/* clusterconfig.xml in omm's home on every node (and in the state dir), and
 * cluster_static_config in $GAUSSHOME/bin as openGauss's install writes it. */
int simcluster_write_cluster_files(const struct sim_cluster *c, const char *xml_in,
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
        simcluster_node_dir(c, i, "home/clusterconfig.xml", p, sizeof(p));
        if (with_xml)
            r = fs_replace_file(p, xml.buf, xml.len, 0644, err);
        if (r == 0)
            r = simcluster_omm_ids(&uid, &gid, err);
        if (r == 0 && with_xml && chown(p, uid, gid) < 0)
            r = og_error_set_errno(err, OG_E_WRITE_FAILED, errno, "chown \"%s\"", p);
        simcluster_host_path(c, i, c->app_path, p, sizeof(p));
        snprintf(p + strlen(p), sizeof(p) - strlen(p), "_%s/bin/cluster_static_config", v->commit);
        if (r == 0)
            r = staticconfig_write(&cc, p, err);
        if (r == 0 && chown(p, uid, gid) < 0)
            r = og_error_set_errno(err, OG_E_WRITE_FAILED, errno, "chown \"%s\"", p);
        simcluster_host_path(c, i, c->app_path, p, sizeof(p));
        snprintf(p + strlen(p), sizeof(p) - strlen(p), "_%s", v->commit);
        if (r == 0)
            r = write_install_files(p, uid, gid, err);
    }
    return r;
}
