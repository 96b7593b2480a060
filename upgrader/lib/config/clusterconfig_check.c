/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * clusterconfig_check.c - pass 3 of clusterconfig.xml: what the PARAM tables
 * mean. Each value checked, then the values against each other; the order
 * of the checks decides which error an operator sees (clusterconfig.h).
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "clusterconfig.h"
#include "clusterconfig_int.h"
#include "parse.h"
#include "banned.h"

#define MAX_LIST        (2 * CLUSTER_MAX_NODES + 1)
#define AZ_PRIORITY_MIN 1 /* DbClusterInfo AZPRIORITY_MIN/MAX */
#define AZ_PRIORITY_MAX 10
#define PORT_MIN        1024  /* DbClusterInfo.__isPortValid refuses 0..1023 */
#define PORT_MAX        65534 /* the HA port is port + 1 */

/* GAUSS-50011, openGauss's text plus the reason. */
static int bad_value(const struct parse *p, const struct xparam *x, const char *why)
{
    return clusterconfig_fail(p, OG_E_PARAM_VALUE, x->line,
                              "The parameter[%s] value[%s] is invalid: %s.", x->name, x->value,
                              why);
}

static int missing(const struct parse *p, const char *element, int line, const char *name)
{
    return clusterconfig_fail(p, OG_E_XML_INVALID, line,
                              "element %s: required PARAM \"%s\" is missing", element, name);
}

/* ---- value checks ----------------------------------------------------------- */

/* Host, cluster and AZ names: [A-Za-z0-9._-], starting with a letter or digit
 * (never '-': these end up on command lines). */
static bool valid_name(const char *s)
{
    size_t n = strlen(s);

    if (n == 0 || n >= CLUSTER_NAME_MAX || !isalnum((unsigned char)s[0]))
        return false;
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)s[i]) && !strchr("._-", s[i]))
            return false;
    return true;
}

/* Dotted-quad IPv4 (inet_pton: exactly four decimal parts, no leading zeros). */
static bool valid_ipv4(const char *s)
{
    struct in_addr a;

    return strlen(s) < CLUSTER_NAME_MAX && inet_pton(AF_INET, s, &a) == 1;
}

/* A decimal integer in [min, max], nothing else (no blank, no sign). */
static bool parse_int(const char *s, int min, int max, int *ret)
{
    return isdigit((unsigned char)s[0]) && safe_atoi_range(s, min, max, ret) == 0;
}

/* An absolute path without the characters openGauss's checkPathVaild refuses
 * (plus ',' which separates dataNode1 entries, and control characters),
 * normalized like os.path.normpath: no "//", "/./", "/x/../" or trailing '/'.
 * Returns NULL when fine, else why not. */
static const char *normalize_path(const char *s, char *out, size_t size)
{
    static const char illegal[] = " |;&$<>`\\'\"{}()[]~*?!,";
    size_t n = 0;

    if (s[0] != '/')
        return "the path must be absolute";
    if (strlen(s) >= size)
        return "the path is too long";
    for (const char *c = s; *c; c++)
        if (strchr(illegal, *c) || iscntrl((unsigned char)*c))
            return "there are illegal characters in the path";

    out[n++] = '/';
    for (const char *c = s; *c;) {
        const char *seg;
        size_t len;

        while (*c == '/')
            c++;
        seg = c;
        while (*c && *c != '/')
            c++;
        len = (size_t)(c - seg);
        if (len == 0 || (len == 1 && seg[0] == '.'))
            continue;
        if (len == 2 && seg[0] == '.' && seg[1] == '.') {
            while (n > 1 && out[n - 1] != '/')
                n--;
            if (n > 1)
                n--; /* the '/' before the dropped segment */
            continue;
        }
        if (n > 1)
            out[n++] = '/';
        memcpy(out + n, seg, len);
        n += len;
    }
    out[n] = '\0';
    return NULL;
}

static int check_path(const struct parse *p, const struct xparam *x, char *out, size_t size)
{
    const char *why = normalize_path(x->value, out, size);

    return why ? bad_value(p, x, why) : 0;
}

/* Split a comma-separated value (entries stripped, none empty) into a strv. */
static int split_list(const struct parse *p, const struct xparam *x, char ***ret, size_t *ret_n)
{
    _cleanup_strv_ char **v = calloc(MAX_LIST + 1, sizeof(char *));
    const char *s = x->value;
    size_t n = 0;

    if (!v)
        return og_error_set(p->err, OG_E_NOMEM, "parsing %s", p->origin);
    for (;;) {
        const char *comma = strchr(s, ',');
        size_t len = comma ? (size_t)(comma - s) : strlen(s);

        while (len > 0 && isspace((unsigned char)*s)) {
            s++;
            len--;
        }
        while (len > 0 && isspace((unsigned char)s[len - 1]))
            len--;
        if (len == 0)
            return bad_value(p, x, "an entry of the list is empty");
        if (n == MAX_LIST)
            return bad_value(p, x, "the list has too many entries");
        v[n] = strndup(s, len);
        if (!v[n])
            return og_error_set(p->err, OG_E_NOMEM, "parsing %s", p->origin);
        n++;
        if (!comma)
            break;
        s = comma + 1;
    }
    *ret_n = n;
    *ret = steal_ptr(v);
    return 0;
}

static int copy_ipv4(const struct parse *p, const struct xparam *x, char out[CLUSTER_NAME_MAX])
{
    if (!valid_ipv4(x->value))
        return bad_value(p, x, "not an IPv4 address");
    snprintf(out, CLUSTER_NAME_MAX, "%s", x->value);
    return 0;
}

/* ---- pass 3: meaning -------------------------------------------------------- */

static const char *const cluster_required[] = {
    "clusterName",  "nodeNames",       "gaussdbAppPath", "gaussdbLogPath",
    "tmpMppdbPath", "gaussdbToolPath", "corePath",       "backIp1s",
};
static const char *const device_required[] = {"name", "azName", "azPriority", "backIp1"};
/* Parameters of the primary's datanode: only on the DEVICE with dataNode1. */
static const char *const primary_only[] = {
    "dataPortBase", "dataNode1_syncNum", "dataListenIp1", "dataHaIp1", "dataNodeXlogPath1",
};

int clusterconfig_check_cluster(struct parse *p)
{
    struct cluster_config *c = &p->cfg;
    const struct xparam *x;
    static const char *const off_only[] = {"enable_dcf", "enable_dss", "enable_uwal"};
    struct {
        const char *name;
        char *out;
    } paths[] = {
        {"gaussdbAppPath", c->app_path}, {"gaussdbLogPath", c->log_path},
        {"tmpMppdbPath", c->tmp_path},   {"gaussdbToolPath", c->tool_path},
        {"corePath", c->core_path},
    };
    int r;

    for (size_t i = 0; i < ELEMENTSOF(cluster_required); i++)
        if (!clusterconfig_get(&p->cluster, cluster_required[i]))
            return missing(p, "CLUSTER", p->cluster.line, cluster_required[i]);

    x = clusterconfig_get(&p->cluster, "clusterName");
    if (!valid_name(x->value))
        return bad_value(p, x, "a name is 1-63 characters of [A-Za-z0-9._-]");
    snprintf(c->name, sizeof(c->name), "%s", x->value);

    for (size_t i = 0; i < ELEMENTSOF(paths); i++) {
        r = check_path(p, clusterconfig_get(&p->cluster, paths[i].name), paths[i].out, PATH_MAX);
        if (r < 0)
            return r;
    }

    x = clusterconfig_get(&p->cluster, "clusterType");
    if (x && strcmp(x->value, "single-inst") != 0)
        return bad_value(p, x, "ogup supports clusterType single-inst only");
    snprintf(c->cluster_type, sizeof(c->cluster_type), "%s", x ? x->value : "");

    for (size_t i = 0; i < ELEMENTSOF(off_only); i++) {
        x = clusterconfig_get(&p->cluster, off_only[i]);
        if (x && x->value[0] && strcmp(x->value, "off") != 0)
            return bad_value(p, x, "ogup does not support this mode (off only)");
    }
    return 0;
}

/* nodeNames: at most CLUSTER_MAX_NODES valid names, each once. */
static int check_node_names(struct parse *p, const struct xparam *names, char **list, size_t n)
{
    if (n > CLUSTER_MAX_NODES)
        return clusterconfig_fail(
            p, OG_E_TOO_LARGE, names->line,
            "element PARAM: nodeNames lists %zu nodes, at most %d are supported", n,
            CLUSTER_MAX_NODES);
    for (size_t i = 0; i < n; i++) {
        if (!valid_name(list[i]))
            return bad_value(p, names, "a name is 1-63 characters of [A-Za-z0-9._-]");
        for (size_t j = 0; j < i; j++)
            if (strcmp(list[i], list[j]) == 0)
                return clusterconfig_fail(
                    p, OG_E_PARAM_INVALID, names->line,
                    "The parameter 'nodeNames' value is incorrect: node \"%s\" is "
                    "listed twice.",
                    list[i]);
    }
    return 0;
}

/* Each DEVICE: its own parameters, and a distinct name. */
static int check_devices(struct parse *p)
{
    for (size_t d = 0; d < p->n_dev; d++) {
        const struct xparams *dev = &p->dev[d];
        const struct xparam *x;

        for (size_t i = 0; i < ELEMENTSOF(device_required); i++)
            if (!clusterconfig_get(dev, device_required[i]))
                return missing(p, "DEVICE", dev->line, device_required[i]);
        x = clusterconfig_get(dev, "name");
        if (!valid_name(x->value))
            return bad_value(p, x, "a name is 1-63 characters of [A-Za-z0-9._-]");
        for (size_t e = 0; e < d; e++)
            if (strcmp(clusterconfig_get(&p->dev[e], "name")->value, x->value) == 0)
                return clusterconfig_fail(
                    p, OG_E_PARAM_INVALID, x->line,
                    "The parameter 'name' value is incorrect: two DEVICEs are "
                    "named \"%s\" (the other on line %d).",
                    x->value, p->dev[e].line);
    }
    return 0;
}

/* The DEVICE named like node i of nodeNames (p->dev_of_node[i] set). */
static int node_device(struct parse *p, const struct xparam *names, const char *name, size_t i,
                       const struct xparams **ret)
{
    for (size_t d = 0; d < p->n_dev; d++)
        if (strcmp(clusterconfig_get(&p->dev[d], "name")->value, name) == 0) {
            p->dev_of_node[i] = (int)d;
            *ret = &p->dev[d];
            return 0;
        }
    return clusterconfig_fail(
        p, OG_E_PARAM_INVALID, names->line,
        "The parameter 'nodeNames' value is incorrect: there is no DEVICE for "
        "node \"%s\".",
        name);
}

/* A node's own parameters from its DEVICE: AZ, addresses, cascadeRole. */
static int read_node(struct parse *p, const struct xparams *dev, struct cluster_node *node)
{
    const struct xparam *x = clusterconfig_get(dev, "azName");
    int r;

    if (!valid_name(x->value))
        return bad_value(p, x, "a name is 1-63 characters of [A-Za-z0-9._-]");
    snprintf(node->az_name, sizeof(node->az_name), "%s", x->value);
    x = clusterconfig_get(dev, "azPriority");
    if (!parse_int(x->value, AZ_PRIORITY_MIN, AZ_PRIORITY_MAX, &node->az_priority))
        return bad_value(p, x, "azPriority is an integer in 1..10");
    r = copy_ipv4(p, clusterconfig_get(dev, "backIp1"), node->back_ip);
    if (r < 0)
        return r;
    x = clusterconfig_get(dev, "sshIp1");
    r = copy_ipv4(p, x ? x : clusterconfig_get(dev, "backIp1"), node->ssh_ip);
    if (r < 0)
        return r;
    x = clusterconfig_get(dev, "cascadeRole");
    if (x && strcmp(x->value, "on") != 0 && strcmp(x->value, "off") != 0)
        return bad_value(p, x, "cascadeRole is on or off");
    node->instance_type =
        x && strcmp(x->value, "on") == 0 ? CLUSTER_INST_CASCADE : CLUSTER_INST_STANDBY;
    return 0;
}

/* No two nodes share an address: node i against the nodes before it. */
static int check_node_addresses(struct parse *p, const struct xparams *dev, size_t i)
{
    const struct cluster_config *c = &p->cfg;
    const struct cluster_node *node = &c->nodes[i];

    for (size_t j = 0; j < i; j++) {
        if (strcmp(c->nodes[j].back_ip, node->back_ip) == 0)
            return clusterconfig_fail(
                p, OG_E_PARAM_INVALID, clusterconfig_get(dev, "backIp1")->line,
                "The parameter 'backIp1' value is incorrect: nodes \"%s\" and "
                "\"%s\" both have %s.",
                c->nodes[j].name, node->name, node->back_ip);
        if (strcmp(c->nodes[j].ssh_ip, node->ssh_ip) == 0)
            return clusterconfig_fail(p, OG_E_PARAM_INVALID,
                                      clusterconfig_get(dev, "sshIp1")
                                          ? clusterconfig_get(dev, "sshIp1")->line
                                          : dev->line,
                                      "The parameter 'sshIp1' value is incorrect: nodes \"%s\" and "
                                      "\"%s\" both have %s.",
                                      c->nodes[j].name, node->name, node->ssh_ip);
    }
    return 0;
}

int clusterconfig_check_nodes(struct parse *p)
{
    struct cluster_config *c = &p->cfg;
    const struct xparam *names = clusterconfig_get(&p->cluster, "nodeNames");
    _cleanup_strv_ char **list = NULL;
    size_t n = 0;
    int r;

    r = split_list(p, names, &list, &n);
    if (r == 0)
        r = check_node_names(p, names, list, n);
    if (r == 0)
        r = check_devices(p);
    if (r < 0)
        return r;
    if (p->n_dev != n)
        return clusterconfig_fail(
            p, OG_E_PARAM_INVALID, names->line,
            "The parameter 'nodeNames' value is incorrect: it lists %zu node(s), the "
            "DEVICELIST has %zu DEVICE(s).",
            n, p->n_dev);
    c->n_nodes = n;
    for (size_t i = 0; r == 0 && i < n; i++) {
        const struct xparams *dev = NULL;

        r = node_device(p, names, list[i], i, &dev);
        if (r == 0) {
            snprintf(c->nodes[i].name, sizeof(c->nodes[i].name), "%s", list[i]);
            r = read_node(p, dev, &c->nodes[i]);
        }
        if (r == 0)
            r = check_node_addresses(p, dev, i);
    }
    return r;
}

int clusterconfig_check_back_ips(struct parse *p)
{
    const struct cluster_config *c = &p->cfg;
    const struct xparam *x = clusterconfig_get(&p->cluster, "backIp1s");
    _cleanup_strv_ char **list = NULL;
    size_t n = 0;
    int r;

    r = split_list(p, x, &list, &n);
    if (r < 0)
        return r;
    for (size_t i = 0; i < n; i++)
        if (!valid_ipv4(list[i]))
            return bad_value(p, x, "an entry is not an IPv4 address");
    if (n != c->n_nodes)
        return clusterconfig_fail(
            p, OG_E_PARAM_INVALID, x->line,
            "The parameter 'backIp1s' value is incorrect: %zu address(es) for %zu "
            "node(s).",
            n, c->n_nodes);
    for (size_t i = 0; i < c->n_nodes; i++) {
        bool found = false;

        for (size_t j = 0; j < n && !found; j++)
            found = strcmp(list[j], c->nodes[i].back_ip) == 0;
        if (!found)
            return clusterconfig_fail(
                p, OG_E_PARAM_INVALID, x->line,
                "The parameter 'backIp1s' value is incorrect: it lacks %s, the "
                "backIp1 of node \"%s\".",
                c->nodes[i].back_ip, c->nodes[i].name);
    }
    return 0;
}

/* dataListenIp1 / dataHaIp1: one address per datanode, in dataNode1 order
 * (dn[0] is the primary's node index). Absent: each node's backIp1
 * (DbClusterInfo.appendInstance). */
static int assign_ips(struct parse *p, const struct xparams *dev, const char *key, const int *dn,
                      size_t n_dn, bool listen)
{
    struct cluster_config *c = &p->cfg;
    const struct xparam *x = clusterconfig_get(dev, key);
    _cleanup_strv_ char **list = NULL;
    size_t n = 0;
    int r;

    for (size_t i = 0; i < n_dn; i++) {
        struct cluster_node *node = &c->nodes[dn[i]];
        char *dst = listen ? node->listen_ip : node->ha_ip;
        memcpy(dst, node->back_ip, CLUSTER_NAME_MAX); /* same size, NUL-terminated */
    }
    if (!x)
        return 0;
    r = split_list(p, x, &list, &n);
    if (r < 0)
        return r;
    if (n != n_dn)
        return bad_value(p, x, "it needs one IPv4 address per datanode of dataNode1");
    for (size_t i = 0; i < n; i++) {
        struct cluster_node *node = &c->nodes[dn[i]];
        if (!valid_ipv4(list[i]))
            return bad_value(p, x, "an entry is not an IPv4 address");
        snprintf(listen ? node->listen_ip : node->ha_ip, CLUSTER_NAME_MAX, "%s", list[i]);
    }
    return 0;
}

/* Node i's DEVICE either carries dataNode1 (with dataNum 1: the primary's,
 * and only one DEVICE does) or no datanode parameter at all. */
static int check_device_datanode(struct parse *p, size_t i, const struct xparams **pdev,
                                 size_t *primary)
{
    const struct cluster_config *c = &p->cfg;
    const struct xparams *dev = &p->dev[p->dev_of_node[i]];
    const struct xparam *num = clusterconfig_get(dev, "dataNum"), *x;
    int v = 0;

    if (num && !parse_int(num->value, 0, 1, &v))
        return bad_value(p, num,
                         "ogup supports dataNum 1 on the primary's DEVICE, 0 on "
                         "the others");
    x = clusterconfig_get(dev, "dataNode1");
    if (!x) {
        if (v == 1)
            return missing(p, "DEVICE", dev->line, "dataNode1");
        for (size_t k = 0; k < ELEMENTSOF(primary_only); k++) {
            const struct xparam *o = clusterconfig_get(dev, primary_only[k]);
            if (o)
                return clusterconfig_fail(
                    p, OG_E_PARAM_INVALID, o->line,
                    "The parameter '%s' value is incorrect: it belongs on the "
                    "DEVICE with dataNode1, not on \"%s\".",
                    o->name, c->nodes[i].name);
        }
        return 0;
    }
    if (*pdev)
        return clusterconfig_fail(
            p, OG_E_PARAM_INVALID, x->line,
            "The parameter 'dataNode1' value is incorrect: nodes \"%s\" and \"%s\" "
            "both carry one; a single-inst cluster has one primary.",
            c->nodes[*primary].name, c->nodes[i].name);
    if (!num)
        return missing(p, "DEVICE", dev->line, "dataNum");
    if (v != 1)
        return bad_value(p, num, "the DEVICE with dataNode1 has dataNum 1");
    *pdev = dev;
    *primary = i;
    return 0;
}

/* Exactly one DEVICE carries dataNode1; the others carry no datanode. */
static int find_primary(struct parse *p, const struct xparams **ret_dev, size_t *ret_primary)
{
    const struct xparams *pdev = NULL;
    size_t primary = 0;
    int r = 0;

    for (size_t i = 0; r == 0 && i < p->cfg.n_nodes; i++)
        r = check_device_datanode(p, i, &pdev, &primary);
    if (r < 0)
        return r;
    if (!pdev)
        return clusterconfig_fail(p, OG_E_PARAM_INVALID,
                                  clusterconfig_get(&p->cluster, "nodeNames")->line,
                                  "The parameter 'dataNode1' value is incorrect: no DEVICE carries "
                                  "dataNode1 (the primary datanode).");
    *ret_dev = pdev;
    *ret_primary = primary;
    return 0;
}

/* The primary's DEVICE: the datanodes' port; not a cascade standby. */
static int check_primary_device(struct parse *p, const struct xparams *pdev, size_t primary,
                                int *ret_port)
{
    const struct xparam *x = clusterconfig_get(pdev, "dataPortBase");

    if (!x)
        return missing(p, "DEVICE", pdev->line, "dataPortBase");
    if (!parse_int(x->value, PORT_MIN, PORT_MAX, ret_port))
        return bad_value(p, x, "a port is an integer in 1024..65534 (the HA port is port+1)");
    x = clusterconfig_get(pdev, "cascadeRole");
    if (x && strcmp(x->value, "on") == 0)
        return clusterconfig_fail(
            p, OG_E_PARAM_INVALID, x->line,
            "The parameter 'cascadeRole' value is incorrect: the primary's node "
            "\"%s\" cannot be a cascade standby.",
            p->cfg.nodes[primary].name);
    return 0;
}

/* Datanode k of dataNode1 (0: the primary's) on host, in dir; dn[k] its
 * node's index. */
static int place_datanode(struct parse *p, const struct xparam *dn1, size_t primary, size_t k,
                          const char *host, const char *dir, int port, int *dn)
{
    struct cluster_config *c = &p->cfg;
    struct cluster_node *node = NULL;
    const char *why;

    for (size_t i = 0; i < c->n_nodes && !node; i++)
        if (strcmp(c->nodes[i].name, host) == 0) {
            node = &c->nodes[i];
            dn[k] = (int)i;
        }
    if (!node)
        return clusterconfig_fail(p, OG_E_NODE_UNKNOWN, dn1->line,
                                  "The host name [%s] is not in the cluster (dataNode1 of \"%s\").",
                                  host, c->nodes[primary].name);
    if (k && node->instance_id)
        return clusterconfig_fail(
            p, OG_E_PARAM_INVALID, dn1->line,
            "The parameter 'dataNode1' value is incorrect: node \"%s\" appears "
            "twice.",
            host);
    why = normalize_path(dir, node->datadir, sizeof(node->datadir));
    if (why)
        return clusterconfig_fail(p, OG_E_PARAM_VALUE, dn1->line,
                                  "The parameter[dataNode1] value[%s] is invalid: %s: %s.",
                                  dn1->value, dir, why);
    /* Ids as openGauss-OM assigns them (script/gspylib/common/
     * DbClusterInfo.py, __readDataNodeConfigForMutilAZ): nodes are read
     * in nodeNames order; on the DEVICE with dataNum > 0 the primary
     * takes __assignNewInstanceId(INSTANCE_ROLE_DATANODE), counting from
     * BASE_ID_DATANODE = 6001, then each standby of dataNode1 in list
     * order takes the next id; all of them get mirrorId = groupId =
     * __assignNewGroupId(), which is 1 for the first (here the only)
     * dataNode1 group. The port is dataPortBase for all of them
     * (__setNodePortForSinglePrimaryMultiStandby). */
    node->instance_id = CLUSTER_BASE_ID_DATANODE + (int)k;
    node->mirror_id = 1;
    node->port = port;
    node->primary = k == 0;
    if (k == 0)
        node->instance_type = CLUSTER_INST_PRIMARY;
    return 0;
}

/* dataNode1 = "<dir>[,<host>,<dir>]...": every node the primary or a
 * standby; dn[] their node indexes, in that order. */
static int place_datanodes(struct parse *p, const struct xparams *pdev, size_t primary, int port,
                           int *dn, size_t *ret_n_dn)
{
    struct cluster_config *c = &p->cfg;
    const struct xparam *dn1 = clusterconfig_get(pdev, "dataNode1");
    _cleanup_strv_ char **list = NULL;
    size_t n = 0, n_dn;
    int r;

    r = split_list(p, dn1, &list, &n);
    if (r < 0)
        return r;
    if (n % 2 == 0)
        return bad_value(p, dn1, "dataNode1 is <dir>[,<standby host>,<dir>]...");
    n_dn = (n + 1) / 2;
    if (n_dn - 1 > CLUSTER_MAX_STANDBYS)
        return bad_value(p, dn1, "at most 8 standbys");
    dn[0] = (int)primary;
    for (size_t k = 0; r == 0 && k < n_dn; k++)
        r = place_datanode(p, dn1, primary, k, k ? list[2 * k - 1] : c->nodes[primary].name,
                           list[k ? 2 * k : 0], port, dn);
    if (r < 0)
        return r;
    for (size_t i = 0; i < c->n_nodes; i++)
        if (!c->nodes[i].instance_id)
            return clusterconfig_fail(
                p, OG_E_PARAM_INVALID, p->dev[p->dev_of_node[i]].line,
                "The parameter 'dataNode1' value is incorrect: node \"%s\" hosts no "
                "datanode; every node must be the primary or a standby.",
                c->nodes[i].name);
    c->port = port;
    *ret_n_dn = n_dn;
    return 0;
}

/* dataNodeXlogPath1: one valid path per datanode (checked, not modelled). */
static int check_xlog_paths(struct parse *p, const struct xparams *pdev, size_t n_dn)
{
    const struct xparam *x = clusterconfig_get(pdev, "dataNodeXlogPath1");
    _cleanup_strv_ char **xl = NULL;
    char tmp[PATH_MAX];
    size_t nx = 0;
    int r;

    if (!x)
        return 0;
    r = split_list(p, x, &xl, &nx);
    if (r < 0)
        return r;
    if (nx != n_dn)
        return bad_value(p, x, "it needs one path per datanode of dataNode1");
    for (size_t i = 0; i < nx; i++)
        if (normalize_path(xl[i], tmp, sizeof(tmp)))
            return bad_value(p, x, "an entry is not a valid absolute path");
    return 0;
}

int clusterconfig_check_datanodes(struct parse *p)
{
    struct cluster_config *c = &p->cfg;
    const struct xparams *pdev = NULL;
    const struct xparam *x;
    int dn[CLUSTER_MAX_STANDBYS + 1];
    size_t n_dn = 0, primary = 0;
    int dn_port = 0, r;

    r = find_primary(p, &pdev, &primary);
    if (r == 0)
        r = check_primary_device(p, pdev, primary, &dn_port);
    if (r == 0)
        r = place_datanodes(p, pdev, primary, dn_port, dn, &n_dn);
    if (r < 0)
        return r;

    c->sync_num = -1;
    x = clusterconfig_get(pdev, "dataNode1_syncNum");
    /* DbClusterInfo: 0 <= syncNum < number of datanodes. */
    if (x && !parse_int(x->value, 0, (int)n_dn - 1, &c->sync_num))
        return bad_value(p, x, "dataNode1_syncNum is an integer from 0 to the number of standbys");

    r = assign_ips(p, pdev, "dataListenIp1", dn, n_dn, true);
    if (r == 0)
        r = assign_ips(p, pdev, "dataHaIp1", dn, n_dn, false);
    if (r == 0)
        r = check_xlog_paths(p, pdev, n_dn);
    return r;
}
