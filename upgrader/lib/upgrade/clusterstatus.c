/* SPDX-License-Identifier: MulanPSL-2.0 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "clusterstatus.h"
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

int clusterstatus_query(const struct cluster_config *cfg, struct transport *t,
                        struct cluster_status *ret, struct og_error *err)
{
    struct cluster_status st = {0};
    char bin[PATH_MAX + 16];

    snprintf(bin, sizeof(bin), "%s/bin/gs_ctl", cfg->app_path);
    for (size_t i = 0; i < cfg->n_nodes; i++) {
        const struct cluster_node *n = &cfg->nodes[i];
        const char *argv[] = {bin, "query", "-D", n->datadir, NULL};
        struct transport_run_opts o = {.timeout_ms = 60 * 1000};
        struct command_result res = {0};
        struct dn_status *s = &st.dn[st.n++];
        struct og_error e = {0};

        snprintf(s->node, sizeof(s->node), "%s", n->name);
        snprintf(s->local_role, sizeof(s->local_role), "Down");
        snprintf(s->db_state, sizeof(s->db_state), "Unknown");
        if (transport_run(t, n->name, argv, &o, &res, &e) < 0)
            continue; /* unreachable: Down/Unknown, as openGauss shows it */
        s->reachable = true;
        if (res.exit_status == 0) {
            s->running = true;
            clusterstatus_parse_query(res.out, s);
        } else {
            snprintf(s->db_state, sizeof(s->db_state), "Manually stopped");
        }
        command_result_done(&res);
    }
    (void)err;
    snprintf(st.cluster_state, sizeof(st.cluster_state), "%s", clusterstatus_state(st.dn, st.n));
    *ret = st;
    return 0;
}

int clusterstatus_format(const struct cluster_config *cfg, const struct cluster_status *st,
                         enum clusterstatus_format f, struct dynbuf *out)
{
    const char *line = "-----------------------------------------------------------------------";
    int r;

    if (f == CS_BRIEF)
        return dynbuf_appendf(out,
                              "%s\n\ncluster_name    : %s\ncluster_state   : %s\n"
                              "redistributing  : No\n\n%s\n",
                              line, cfg->name, st->cluster_state, line);
    r = dynbuf_appendf(out,
                       "[   Cluster State   ]\n\ncluster_state   : %s\nredistributing  : No\n"
                       "current_az      : AZ_ALL\n\n[  Datanode State   ]\n\n"
                       "    node    node_ip         port      instance                state\n"
                       "------------------------------------------------------------------------"
                       "\n",
                       st->cluster_state);
    for (size_t i = 0; r == 0 && i < st->n && i < cfg->n_nodes; i++) {
        const struct cluster_node *n = &cfg->nodes[i];
        char inst[PATH_MAX + 32];
        const char *letter = n->instance_type == CLUSTER_INST_PRIMARY   ? "P"
                             : n->instance_type == CLUSTER_INST_CASCADE ? "C"
                                                                        : "S";
        if (f == CS_DETAIL)
            snprintf(inst, sizeof(inst), "%d %s", n->instance_id, n->datadir);
        else
            snprintf(inst, sizeof(inst), "%d", n->instance_id);
        r = dynbuf_appendf(out, "%zu  %s %-15s %-10d %s  %s %s %s\n", i + 1, n->name, n->back_ip,
                           n->port, inst, letter, st->dn[i].local_role, st->dn[i].db_state);
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
