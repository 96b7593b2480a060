/* SPDX-License-Identifier: MulanPSL-2.0 */
/* clusterconfig_format.c - a struct cluster_config written back as clusterconfig.xml. */
#include <ctype.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "cleanup.h"
#include "clusterconfig.h"
#include "dynbuf.h"
#include "banned.h"

/* ---- writing ------------------------------------------------------------------ */

static bool has_control(const char *s)
{
    for (; *s; s++)
        if (iscntrl((unsigned char)*s))
            return true;
    return false;
}

static int append_escaped(struct dynbuf *out, const char *s)
{
    int r = 0;

    for (; *s && r == 0; s++) {
        switch (*s) {
        case '&':
            r = dynbuf_appends(out, "&amp;");
            break;
        case '<':
            r = dynbuf_appends(out, "&lt;");
            break;
        case '>':
            r = dynbuf_appends(out, "&gt;");
            break;
        case '"':
            r = dynbuf_appends(out, "&quot;");
            break;
        default:
            r = dynbuf_append(out, s, 1);
        }
    }
    return r;
}

static int param(struct dynbuf *out, const char *indent, const char *name, const char *value)
{
    int r = dynbuf_appendf(out, "%s<PARAM name=\"%s\" value=\"", indent, name);

    if (r == 0)
        r = append_escaped(out, value);
    if (r == 0)
        r = dynbuf_appends(out, "\"/>\n");
    return r;
}

static bool config_writable(const struct cluster_config *c)
{
    size_t primaries = 0;

    if (c->n_nodes == 0 || c->n_nodes > CLUSTER_MAX_NODES)
        return false;
    if (has_control(c->name) || has_control(c->app_path) || has_control(c->log_path) ||
        has_control(c->tmp_path) || has_control(c->tool_path) || has_control(c->core_path) ||
        has_control(c->cluster_type))
        return false;
    for (size_t i = 0; i < c->n_nodes; i++) {
        const struct cluster_node *n = &c->nodes[i];

        primaries += n->primary;
        if (has_control(n->name) || has_control(n->back_ip) || has_control(n->ssh_ip) ||
            has_control(n->az_name) || has_control(n->datadir) || has_control(n->listen_ip) ||
            has_control(n->ha_ip))
            return false;
    }
    return primaries == 1;
}

/* Node indexes in dataNode1 order: the primary, then the standbys by
 * instance_id (ties keep the nodeNames order). */
static size_t datanode_order(const struct cluster_config *c, size_t order[CLUSTER_MAX_NODES])
{
    size_t n = 0;

    for (size_t i = 0; i < c->n_nodes; i++)
        if (c->nodes[i].primary)
            order[n++] = i;
    for (size_t i = 0; i < c->n_nodes; i++) {
        size_t k;

        if (c->nodes[i].primary)
            continue;
        for (k = n; k > 1 && c->nodes[order[k - 1]].instance_id > c->nodes[i].instance_id; k--)
            order[k] = order[k - 1];
        order[k] = i;
        n++;
    }
    return n;
}

static int join(struct dynbuf *list, const struct cluster_config *c, const size_t *order, size_t n,
                size_t field_offset)
{
    int r = 0;

    dynbuf_reset(list);
    for (size_t k = 0; k < n && r == 0; k++) {
        const char *v = (const char *)&c->nodes[order[k]] + field_offset;
        r = dynbuf_appendf(list, "%s%s", k ? "," : "", v);
    }
    return r;
}

int clusterconfig_format(const struct cluster_config *c, struct dynbuf *out)
{
    _cleanup_dynbuf_ struct dynbuf list = {0};
    size_t order[CLUSTER_MAX_NODES];
    const struct cluster_node *pn;
    bool listen = false, ha = false;
    char num[32];
    size_t n;
    int r;

    dynbuf_init(&list, 64 * 1024);
    if (!c || !out || !config_writable(c))
        return -OG_E_INVALID_ARG;
    pn = clusterconfig_primary(c);
    n = datanode_order(c, order);

    r = dynbuf_appends(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ROOT>\n  <CLUSTER>\n");
    if (r == 0)
        r = param(out, "    ", "clusterName", c->name);
    for (size_t i = 0; i < c->n_nodes && r == 0; i++)
        r = dynbuf_appendf(&list, "%s%s", i ? "," : "", c->nodes[i].name);
    if (r == 0)
        r = param(out, "    ", "nodeNames", dynbuf_str(&list));
    if (r == 0)
        r = param(out, "    ", "gaussdbAppPath", c->app_path);
    if (r == 0)
        r = param(out, "    ", "gaussdbLogPath", c->log_path);
    if (r == 0)
        r = param(out, "    ", "tmpMppdbPath", c->tmp_path);
    if (r == 0)
        r = param(out, "    ", "gaussdbToolPath", c->tool_path);
    if (r == 0)
        r = param(out, "    ", "corePath", c->core_path);
    dynbuf_reset(&list);
    for (size_t i = 0; i < c->n_nodes && r == 0; i++)
        r = dynbuf_appendf(&list, "%s%s", i ? "," : "", c->nodes[i].back_ip);
    if (r == 0)
        r = param(out, "    ", "backIp1s", dynbuf_str(&list));
    if (r == 0 && c->cluster_type[0])
        r = param(out, "    ", "clusterType", c->cluster_type);
    if (r == 0)
        r = dynbuf_appends(out, "  </CLUSTER>\n  <DEVICELIST>\n");

    for (size_t k = 0; k < n; k++) {
        const struct cluster_node *node = &c->nodes[order[k]];
        listen |= strcmp(node->listen_ip, node->back_ip) != 0;
        ha |= strcmp(node->ha_ip, node->back_ip) != 0;
    }

    for (size_t i = 0; i < c->n_nodes && r == 0; i++) {
        const struct cluster_node *node = &c->nodes[i];

        r = dynbuf_appends(out, "    <DEVICE sn=\"");
        if (r == 0)
            r = append_escaped(out, node->name);
        if (r == 0)
            r = dynbuf_appends(out, "\">\n");
        if (r == 0)
            r = param(out, "      ", "name", node->name);
        if (r == 0)
            r = param(out, "      ", "azName", node->az_name);
        snprintf(num, sizeof(num), "%d", node->az_priority);
        if (r == 0)
            r = param(out, "      ", "azPriority", num);
        if (r == 0)
            r = param(out, "      ", "backIp1", node->back_ip);
        if (r == 0)
            r = param(out, "      ", "sshIp1", node->ssh_ip);
        if (r == 0 && !node->primary && node->instance_type == CLUSTER_INST_CASCADE)
            r = param(out, "      ", "cascadeRole", "on");
        if (r == 0 && node == pn) {
            r = param(out, "      ", "dataNum", "1");
            snprintf(num, sizeof(num), "%d", node->port);
            if (r == 0)
                r = param(out, "      ", "dataPortBase", num);
            dynbuf_reset(&list);
            for (size_t k = 0; k < n && r == 0; k++)
                r = k ? dynbuf_appendf(&list, ",%s,%s", c->nodes[order[k]].name,
                                       c->nodes[order[k]].datadir)
                      : dynbuf_appends(&list, c->nodes[order[k]].datadir);
            if (r == 0)
                r = param(out, "      ", "dataNode1", dynbuf_str(&list));
            snprintf(num, sizeof(num), "%d", c->sync_num);
            if (r == 0 && c->sync_num >= 0)
                r = param(out, "      ", "dataNode1_syncNum", num);
            if (r == 0 && listen)
                r = join(&list, c, order, n, offsetof(struct cluster_node, listen_ip));
            if (r == 0 && listen)
                r = param(out, "      ", "dataListenIp1", dynbuf_str(&list));
            if (r == 0 && ha)
                r = join(&list, c, order, n, offsetof(struct cluster_node, ha_ip));
            if (r == 0 && ha)
                r = param(out, "      ", "dataHaIp1", dynbuf_str(&list));
        }
        if (r == 0)
            r = dynbuf_appends(out, "    </DEVICE>\n");
    }
    if (r == 0)
        r = dynbuf_appends(out, "  </DEVICELIST>\n</ROOT>\n");
    return r;
}
