/* SPDX-License-Identifier: MulanPSL-2.0 */
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "clusterstatus.h"
#include "strtable.h"
#include "banned.h"

static void field(const char *out, const char *key, char *buf, size_t size)
{
    char pat[64];
    const char *p;

    buf[0] = '\0';
    snprintf(pat, sizeof(pat), "\t%s", key);
    p = strstr(out, pat);
    if (!p || !(p = strstr(p, " : ")))
        return;
    p += 3;
    snprintf(buf, size, "%.*s", (int)strcspn(p, "\n"), p);
}

void clusterstatus_parse_query(const char *out, struct dn_status *s)
{
    char detail[64];

    field(out, "local_role", s->local_role, sizeof(s->local_role));
    field(out, "db_state", s->db_state, sizeof(s->db_state));
    field(out, "detail_information", detail, sizeof(detail));
    field(out, "static_connections", s->static_connections, sizeof(s->static_connections));
    if (!s->local_role[0])
        snprintf(s->local_role, sizeof(s->local_role), "Unknown");
    if (!s->db_state[0])
        snprintf(s->db_state, sizeof(s->db_state), "Unknown");
    else if (strcmp(s->db_state, "Need repair") == 0 && detail[0] &&
             strcmp(detail, "Normal") != 0) {
        char d[64];
        snprintf(d, sizeof(d), "%s", detail);
        snprintf(s->db_state, sizeof(s->db_state), "Need repair(%s)", d);
    }
}

const char *clusterstatus_state(const struct dn_status *dn, size_t n)
{
    size_t primaries = 0;
    const struct dn_status *primary = NULL;
    bool degraded = false;

    for (size_t i = 0; i < n; i++) {
        const char *r = dn[i].local_role;
        if (strcmp(r, "Primary") == 0 || strcmp(r, "Main") == 0 || strcmp(r, "Normal") == 0) {
            primaries++;
            primary = &dn[i];
        } else if ((strcmp(r, "Standby") != 0 && strcmp(r, "Secondary") != 0 &&
                    strcmp(r, "Cascade Standby") != 0) ||
                   strcmp(dn[i].db_state, "Normal") != 0) {
            degraded = true;
        }
    }
    if (n == 1)
        return strcmp(dn[0].db_state, "Normal") == 0 ? "Normal" : "Unavailable";
    if (primaries != 1 || strcmp(primary->db_state, "Normal") != 0)
        return "Unavailable";
    return degraded ? "Degraded" : "Normal";
}

int cluster_tool_each(const struct cluster_config *cfg, struct transport *t,
                      const struct cluster_node *const *nodes, size_t n, const char *tool,
                      const char *verb, const char *const *extra, int timeout_ms,
                      struct command_result *res, struct og_error *errs)
{
    char bin[PATH_MAX + 16];
    const char *argv[CLUSTER_MAX_NODES][CLUSTER_TOOL_EXTRA + 5];
    const char *const *argvs[CLUSTER_MAX_NODES];
    const char *names[CLUSTER_MAX_NODES];
    struct transport_run_opts o = {.timeout_ms = timeout_ms};
    size_t w = 0;

    while (extra && extra[w])
        w++;
    if (n > CLUSTER_MAX_NODES || w > CLUSTER_TOOL_EXTRA)
        return -OG_E_INVALID_ARG;
    snprintf(bin, sizeof(bin), "%s/bin/%s", cfg->app_path, tool);
    for (size_t i = 0; i < n; i++) {
        argv[i][0] = bin;
        argv[i][1] = verb;
        argv[i][2] = "-D";
        argv[i][3] = nodes[i]->datadir;
        for (size_t k = 0; k <= w; k++) /* the NULL too */
            argv[i][4 + k] = extra ? extra[k] : NULL;
        argvs[i] = argv[i];
        names[i] = nodes[i]->name;
    }
    return transport_run_each(t, names, n, argvs, &o, res, errs);
}

int clusterstatus_query(const struct cluster_config *cfg, struct transport *t,
                        struct cluster_status *ret, struct og_error *err)
{
    struct cluster_status st = {0};
    const struct cluster_node *of[CLUSTER_MAX_NODES] = {NULL};
    struct command_result res[CLUSTER_MAX_NODES];
    struct og_error errs[CLUSTER_MAX_NODES];
    size_t n = cfg->n_nodes < CLUSTER_MAX_NODES ? cfg->n_nodes : CLUSTER_MAX_NODES;

    /* every node at once; one that cannot be reached shows Down/Unknown */
    for (size_t i = 0; i < n; i++)
        of[i] = &cfg->nodes[i];
    memset(res, 0, sizeof(res));
    memset(errs, 0, sizeof(errs));
    (void)cluster_tool_each(cfg, t, of, n, "gs_ctl", "query", NULL, 60 * 1000, res, errs);
    for (size_t i = 0; i < n; i++) {
        struct dn_status *s = &st.dn[st.n++];

        snprintf(s->node, sizeof(s->node), "%s", of[i]->name);
        snprintf(s->local_role, sizeof(s->local_role), "Down");
        snprintf(s->db_state, sizeof(s->db_state), "Unknown");
        if (errs[i].code)
            continue; /* unreachable: Down/Unknown, as openGauss shows it */
        s->reachable = true;
        if (res[i].exit_status == 0) {
            s->running = true;
            clusterstatus_parse_query(res[i].out, s);
            if (strcmp(s->local_role, "Primary") == 0 && strstr(res[i].out, "Senders info:"))
                snprintf(st.senders, sizeof(st.senders), "%s", strstr(res[i].out, "Senders info:"));
        } else {
            snprintf(s->db_state, sizeof(s->db_state), "Manually stopped");
        }
        command_result_done(&res[i]);
    }
    (void)err;
    snprintf(st.cluster_state, sizeof(st.cluster_state), "%s", clusterstatus_state(st.dn, st.n));
    *ret = st;
    return 0;
}

/* DbClusterInfo.py v5.0.0 :144-150 */
#define NODE_ID_LEN     2
#define INSTANCE_ID_LEN 8
#define SPACE_LEN       1
#define STATE_LEN       17
#define SEPERATOR_LEN   1
#define IP_LEN          16
#define PORT_LEN        10
#define RULE71          "-----------------------------------------------------------------------"

/* __getDnRole, DbClusterInfo.py :1467-1482; "" for any other type */
static const char *const role_letter_table[] = {
    [CLUSTER_INST_PRIMARY] = "P",
    [CLUSTER_INST_STANDBY] = "S",
    [CLUSTER_INST_CASCADE] = "C",
};
static STRTABLE_TO_STRING(role_letter, int, role_letter_table, "");

/* queryClsInfo (DbClusterInfo.py v5.0.0 :1401-1463) for a single-inst
 * cluster: no AZ column; widths from the longest node name and data path */
static int format_table(const struct cluster_config *cfg, const struct cluster_status *st,
                        bool paths, struct dynbuf *out)
{
    size_t name_len = 0, path_len = 0, node_len, inst_len, sep;
    int r;

    for (size_t i = 0; i < cfg->n_nodes; i++) {
        name_len = strlen(cfg->nodes[i].name) > name_len ? strlen(cfg->nodes[i].name) : name_len;
        path_len =
            strlen(cfg->nodes[i].datadir) > path_len ? strlen(cfg->nodes[i].datadir) : path_len;
    }
    node_len = NODE_ID_LEN + SPACE_LEN + name_len + SPACE_LEN;
    inst_len = INSTANCE_ID_LEN + SPACE_LEN + (paths ? path_len : 4);
    sep = node_len + inst_len + IP_LEN + SPACE_LEN + PORT_LEN + SPACE_LEN + STATE_LEN + SPACE_LEN +
          SEPERATOR_LEN;
    r = dynbuf_appendf(out,
                       "[   Cluster State   ]\n\ncluster_state   : %s\nredistributing  : No\n"
                       "current_az      : AZ_ALL\n\n[  Datanode State   ]\n\n"
                       "%-*s%-*s%-*s%-*s%s\n",
                       st->cluster_state, (int)node_len, "    node", IP_LEN, "node_ip", PORT_LEN,
                       "port", (int)inst_len, "instance", "state");
    for (size_t i = 0; r == 0 && i < sep; i++)
        r = dynbuf_append(out, "-", 1);
    if (r == 0)
        r = dynbuf_append(out, "\n", 1);
    for (size_t i = 0; r == 0 && i < st->n && i < cfg->n_nodes; i++) {
        const struct cluster_node *n = &cfg->nodes[i];
        r = dynbuf_appendf(out, "%-2zu %-*s %-15s %-10d %d ", i + 1, (int)name_len, n->name,
                           n->listen_ip, n->port, n->instance_id);
        if (r == 0)
            r = paths ? dynbuf_appendf(out, "%-*s ", (int)path_len, n->datadir)
                      : dynbuf_appendf(out, "    ");
        if (r == 0)
            r = dynbuf_appendf(out, "%3s %-7s %s\n", role_letter(n->instance_type),
                               st->n == 1 ? "Primary" : st->dn[i].local_role, st->dn[i].db_state);
    }
    return r;
}

int clusterstatus_format(const struct cluster_config *cfg, const struct cluster_status *st,
                         enum clusterstatus_format f, struct dynbuf *out)
{
    if (f == CS_BRIEF)
        return dynbuf_appendf(out,
                              "%s\n\ncluster_name    : %s\ncluster_state   : %s\n"
                              "redistributing  : No\n\n%s\n",
                              RULE71, cfg->name, st->cluster_state, RULE71);
    return format_table(cfg, st, f == CS_DETAIL, out);
}

/* The sender block of the primary's `gs_ctl query` whose channel ends at
 * ip ("host:port-->ip:port"), or NULL */
static const char *sender_block(const char *senders, const char *ip, size_t *len)
{
    char pat[CLUSTER_NAME_MAX + 8];

    snprintf(pat, sizeof(pat), "-->%s:", ip);
    for (const char *b = strstr(senders, "sender_pid"); b;) {
        const char *next = strstr(b + 1, "sender_pid");
        const char *hit = strstr(b, pat);
        if (hit && (!next || hit < next)) {
            *len = next ? (size_t)(next - b) : strlen(b);
            return b;
        }
        b = next;
    }
    return NULL;
}

static int node_info_standby(const struct cluster_status *st, const struct cluster_node *n,
                             struct dynbuf *out)
{
    static const char *const keys[][2] = {
        {"HA_state", "state"},
        {"sender_sent_location", NULL},
        {"sender_write_location", NULL},
        {"sender_flush_location", NULL},
        {"sender_replay_location", NULL},
        {"receiver_received_location", NULL},
        {"receiver_write_location", NULL},
        {"receiver_flush_location", NULL},
        {"receiver_replay_location", NULL},
        {"sync_percent", NULL},
        {"sync_state", NULL},
    };
    size_t len = 0;
    const char *b = sender_block(st->senders, n->listen_ip, &len);
    _cleanup_free_ char *block = b ? strndup(b, len) : NULL;
    int r = 0;

    if (!block) /* queryNodeInfo: no sender row for this standby, no lines */
        return 0;
    for (size_t k = 0; r == 0 && k < ELEMENTSOF(keys); k++) {
        char v[128];
        field(block, keys[k][1] ? keys[k][1] : keys[k][0], v, sizeof(v));
        if (strcmp(keys[k][0], "sync_state") == 0 && !v[0])
            snprintf(v, sizeof(v), "Unknown");
        r = dynbuf_appendf(out, "%-26s: %s\n", keys[k][0], v);
    }
    return r;
}

int clusterstatus_format_nodes(const struct cluster_config *cfg, const struct cluster_status *st,
                               size_t node, const char *az, struct dynbuf *out)
{
    int r = dynbuf_appendf(out,
                           "%s\n\ncluster_state             : %s\nredistributing            "
                           ": No\n\n%s\n\n",
                           RULE71, st->cluster_state, RULE71);

    for (size_t i = 0; r == 0 && i < cfg->n_nodes && i < st->n; i++) {
        const struct cluster_node *n = &cfg->nodes[i];
        const struct dn_status *d = &st->dn[i];
        bool primary = strcmp(d->local_role, "Primary") == 0;
        if ((node && node != i + 1) || (az && az[0] && strcmp(az, n->az_name) != 0))
            continue;
        r = dynbuf_appendf(out,
                           "node                      : %zu\nnode_name                 : %s\n"
                           "instance_id               : %d\nnode_ip                   : %s\n"
                           "data_path                 : %s\ninstance_port             : %d\n"
                           "type                      : Datanode\n"
                           "instance_state            : %s\naz_name                   : %s\n",
                           i + 1, n->name, n->instance_id, n->listen_ip, n->datadir, n->port,
                           d->db_state, n->az_name);
        if (r == 0 && primary)
            r = dynbuf_appendf(out,
                               "static_connections        : %s\nHA_state                  : %s\n",
                               d->static_connections, st->cluster_state);
        if (r == 0)
            r = dynbuf_appendf(out, "instance_role             : %s\n", d->local_role);
        if (r == 0 && !primary)
            r = node_info_standby(st, n, out);
        if (r == 0)
            r = dynbuf_appendf(out, "\n%s\n\n", RULE71);
    }
    return r;
}

int clusterstatus_live_roles(struct cluster_config *cfg, const struct cluster_status *st)
{
    size_t primary = SIZE_MAX, n = 0;

    for (size_t i = 0; i < st->n; i++)
        if (strcmp(st->dn[i].local_role, "Primary") == 0) {
            primary = i;
            n++;
        }
    if (n != 1)
        return -OG_E_CLUSTER_STATUS;
    for (size_t i = 0; i < cfg->n_nodes; i++)
        cfg->nodes[i].primary = strcmp(cfg->nodes[i].name, st->dn[primary].node) == 0;
    return 0;
}

int clusterstatus_roles_format(const struct cluster_config *cfg, struct dynbuf *out)
{
    int r = 0;

    for (size_t i = 0; r == 0 && i < cfg->n_nodes; i++)
        r = dynbuf_appendf(out, "%s %s\n", cfg->nodes[i].name,
                           cfg->nodes[i].primary ? "primary" : "standby");
    return r;
}

int clusterstatus_roles_parse(struct cluster_config *cfg, const char *text, struct og_error *err)
{
    bool primary[CLUSTER_MAX_NODES] = {false};
    size_t seen = 0, primaries = 0;

    for (const char *p = text; *p;) {
        const char *nl = strchrnul(p, '\n');
        char name[CLUSTER_NAME_MAX], role[16];
        size_t i;

        if (sscanf(p, "%63s %15s", name, role) != 2 ||
            (strcmp(role, "primary") != 0 && strcmp(role, "standby") != 0))
            return og_error_set(err, OG_E_CONTENT_INVALID, "bad role record line \"%.*s\"",
                                (int)(nl - p), p);
        for (i = 0; i < cfg->n_nodes && strcmp(cfg->nodes[i].name, name) != 0; i++)
            ;
        if (i == cfg->n_nodes)
            return og_error_set(err, OG_E_CONTENT_INVALID,
                                "the role record names \"%s\", not a "
                                "node of the cluster",
                                name);
        primary[i] = strcmp(role, "primary") == 0;
        primaries += primary[i];
        seen++;
        p = *nl ? nl + 1 : nl;
    }
    if (seen != cfg->n_nodes || primaries != 1)
        return og_error_set(err, OG_E_CONTENT_INVALID,
                            "the role record names %zu of %zu nodes and "
                            "%zu primaries",
                            seen, cfg->n_nodes, primaries);
    for (size_t i = 0; i < cfg->n_nodes; i++)
        cfg->nodes[i].primary = primary[i];
    return 0;
}
