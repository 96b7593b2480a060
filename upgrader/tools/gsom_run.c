/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * gs_om's actions on the installed cluster, without CM, as openGauss-OM
 * v5.0.0 runs them (impl/om/OLAP/OmImplOLAP.py "OI", impl/om/OmImpl.py
 * "OM", gspylib/common/DbClusterInfo.py "DCI"). The output goes to stdout
 * and, with -o, is appended to that file too (DCI:1635 __fprintContent).
 *
 * The dynamic configuration (refreshconf, view --dynamic) is ogup's own
 * text file $GAUSSHOME/bin/cluster_dynamic_config: the roles the instances
 * run with ("<node> primary|standby" a line), as the journal keeps them;
 * openGauss's is a binary file with the same purpose.
 */
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "clusterstatus.h"
#include "dynbuf.h"
#include "fs.h"
#include "omtools.h"
#include "parse.h"
#include "staticconfig.h"
#include "strtable.h"
#include "gsom.h"
#include "banned.h"

#define DYNAMIC_MAGIC "ogup-cluster-dynamic-config 1\n"
#define START_CHECK_S 30 /* OI:255: cluster_state Normal within 30 s */
#define RULE60        "============================================================"

/* stdout, and appended to -o (made 0600 in a directory made 0700) */
static int emit(const struct gsom_args *a, const struct dynbuf *out, struct og_error *err)
{
    char dir[PATH_MAX];
    char *slash;
    int fd, r;

    fputs(dynbuf_str(out), stdout);
    if (!a->out)
        return 0;
    snprintf(dir, sizeof(dir), "%s", a->out);
    slash = strrchr(dir, '/');
    if (slash && slash != dir) {
        *slash = '\0';
        if (fs_mkdir_p(dir, 0700, err) < 0)
            return -OG_E_CREATE_FAILED;
    }
    fd = open(a->out, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0)
        return og_error_set(err, OG_E_WRITE_FAILED, "Failed to write %s.", a->out);
    r = fs_write_all(fd, dynbuf_str(out), out->len);
    close(fd);
    return r < 0 ? og_error_set(err, OG_E_WRITE_FAILED, "Failed to write %s.", a->out) : 0;
}

/* The 1-based position of -h's node; 51619 when it is not one */
static int node_index(const struct cluster_config *cfg, const char *name, size_t *ret,
                      struct og_error *err)
{
    for (size_t i = 0; i < cfg->n_nodes; i++)
        if (strcmp(cfg->nodes[i].name, name) == 0) {
            *ret = i + 1;
            return 0;
        }
    return og_error_set(err, OG_E_NODE_UNKNOWN, "The host name [%s] is not in the cluster.", name);
}

/* OM:200-262 getQueryStatusWithoutCm; query: OI:360-375 */
static int do_status(const struct gsom_args *a, const struct cluster_config *cfg,
                     struct transport *t, struct og_error *err)
{
    _cleanup_dynbuf_ struct dynbuf out = {0};
    struct cluster_status *st = calloc(1, sizeof(*st));
    size_t node = 0;
    int r = st ? 0 : og_error_set(err, OG_E_NOMEM, "status");

    dynbuf_init(&out, 1 << 20);
    if (r == 0 && a->node[0])
        r = node_index(cfg, a->node, &node, err);
    if (r == 0)
        r = clusterstatus_query(cfg, t, st, err);
    if (r == 0 && strcmp(a->action, "query") == 0)
        r = clusterstatus_format(cfg, st, CS_QUERY, &out);
    else if (r == 0 && a->detail)
        r = clusterstatus_format(cfg, st, CS_DETAIL, &out);
    else if (r == 0 && (node || (a->az && a->az[0]) || a->all))
        r = clusterstatus_format_nodes(cfg, st, node, a->az, &out);
    else if (r == 0)
        r = clusterstatus_format(cfg, st, CS_BRIEF, &out);
    free(st);
    if (r == -OG_E_NOMEM && !err->code)
        og_error_set(err, OG_E_NOMEM, "status output");
    return r < 0 ? r : emit(a, &out, err);
}

/* The nodes -h and -D pick, in the order an action takes them: start the
 * primary first, stop the standbys first */
static size_t pick(const struct gsom_args *a, const struct cluster_config *cfg, bool primary_first,
                   size_t *idx)
{
    size_t n = 0;

    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < cfg->n_nodes; i++) {
            const struct cluster_node *c = &cfg->nodes[i];
            if (c->primary != (primary_first ? pass == 0 : pass == 1))
                continue;
            if ((a->node[0] && strcmp(a->node, c->name) != 0) ||
                (a->data_dir && strcmp(a->data_dir, c->datadir) != 0))
                continue;
            idx[n++] = i;
        }
    return n;
}

/* gs_ctl start|stop on one node; the failure as 53600/53606 with the
 * command and its output (OI:251-254, 343-346) */
static int ctl(const struct gsom_args *a, struct transport *t, const struct cluster_config *cfg,
               size_t i, bool start, struct og_error *err)
{
    const struct cluster_node *n = &cfg->nodes[i];
    char bin[PATH_MAX + 16], secs[16];
    const char *mode = a->mode && (a->mode[0] == 'i') ? "immediate" : "fast";
    const char *sa[] = {bin,  "start", "-D", n->datadir, "-M", n->primary ? "primary" : "standby",
                        "-t", secs,    NULL};
    const char *so[] = {bin, "stop", "-D", n->datadir, "-m", mode, "-t", secs, NULL};
    struct transport_run_opts o = {.timeout_ms = (a->timeout_s + 60) * 1000};
    struct command_result res = {0};
    int r;

    snprintf(bin, sizeof(bin), "%s/bin/gs_ctl", cfg->app_path);
    snprintf(secs, sizeof(secs), "%d", a->timeout_s);
    if (!start && strcmp(a->action, "restart") == 0)
        so[5] = "fast"; /* parseMode reads -m for stop only (GO:325) */
    r = transport_run(t, n->name, start ? sa : so, &o, &res, err);
    if (r == 0 && res.exit_status != 0 && !(!start && strstr(res.out, "Is server running?")))
        r = og_error_set(
            err, start ? OG_E_DB_START : OG_E_DB_STOP,
            "Can not %s the database, the cmd is gs_ctl %s -D %s on %s,  Error:\n%s%s.",
            start ? "start" : "stop", start ? "start" : "stop", n->datadir, n->name, res.out,
            res.err);
    command_result_done(&res);
    return r;
}

/* OI:209-279: the cluster must be Normal within 30 s of a cluster start */
static int wait_normal(const struct cluster_config *cfg, struct transport *t, struct og_error *err)
{
    struct cluster_status *st = calloc(1, sizeof(*st));
    long long until = og_now_ms() + START_CHECK_S * 1000LL;
    int r = st ? 0 : og_error_set(err, OG_E_NOMEM, "status");

    while (r == 0) {
        r = clusterstatus_query(cfg, t, st, err);
        if (r < 0 || strcmp(st->cluster_state, "Normal") == 0)
            break;
        if (og_now_ms() >= until) {
            r = og_error_set(err, OG_E_START_FAILED,
                             "Failed to start cluster. After startup, the last check results "
                             "were %s. Please check manually.",
                             st->cluster_state);
            break;
        }
        printf("Waiting for check cluster state...\n");
        fflush(stdout);
        sleep(2); /* openGauss polls `gs_om -t status` every 5 s; the deadline holds */
    }
    free(st);
    return r;
}

/* start (the primary first) or stop (the standbys first) the instances -h
 * and -D pick, with openGauss's opening lines */
static int ctl_all(const struct gsom_args *a, const struct cluster_config *cfg, struct transport *t,
                   bool start, struct og_error *err)
{
    size_t idx[CLUSTER_MAX_NODES], n = pick(a, cfg, start, idx);
    int r = 0;

    if (n == 0)
        return og_error_set(err, OG_E_INSTANCE_INFO, "Failed to obtain %s instance information.",
                            a->data_dir ? a->data_dir : a->node);
    printf("%s %s.\n%s\n", start ? "Starting" : "Stopping", a->node[0] ? "node" : "cluster", RULE);
    fflush(stdout);
    for (size_t k = 0; r == 0 && k < n; k++)
        r = ctl(a, t, cfg, idx[k], start, err);
    return r;
}

static int do_start(const struct gsom_args *a, const struct cluster_config *cfg,
                    struct transport *t, struct og_error *err)
{
    int r = ctl_all(a, cfg, t, true, err);

    if (r == -OG_E_INSTANCE_INFO)
        return r;
    if (r == 0 && !a->node[0] && !a->data_dir)
        r = wait_normal(cfg, t, err);
    printf("%s\n", RULE);
    if (r == 0)
        printf("Successfully started.\n");
    return r;
}

static int do_stop(const struct gsom_args *a, const struct cluster_config *cfg, struct transport *t,
                   struct og_error *err)
{
    const char *what = a->node[0] ? "node" : "cluster";
    int r = ctl_all(a, cfg, t, false, err);

    if (r == 0)
        printf("Successfully stopped %s.\n%s\nEnd stop %s.\n", what, RULE, what);
    return r;
}

/* DCI:111 DICT_INSTANCE; any other type is a standby */
static const char *const inst_type_table[] = {
    [CLUSTER_INST_PRIMARY] = "primary",
    [CLUSTER_INST_STANDBY] = "standby",
    [CLUSTER_INST_CASCADE] = "cascade_standby",
};
static STRTABLE_TO_STRING(inst_type_name, int, inst_type_table, "standby");

/* One node of printStaticConfig (DCI:1207-1277); peers: the other
 * datanodes of the group, at most 8 (MIRROR_COUNT_REPLICATION_MAX 9) */
static int view_node(const struct cluster_config *cfg, size_t i, int type, struct dynbuf *o)
{
    const struct cluster_node *n = &cfg->nodes[i];
    size_t peers = (cfg->n_nodes > 9 ? 9 : cfg->n_nodes) - 1, k = 0;
    int r =
        dynbuf_appendf(o,
                       "azName:%s\nazPriority:%d\nnode :%zu\nnodeName:%s\nssh channel :\n"
                       "sshChannel 1:%s\ndatanodeCount :1\ndatanodeInstanceType :%s\n"
                       "datanode 1:\ndatanodeLocalDataPath :%s\ndatanodeXlogPath :\n"
                       "datanodeListenIP 1:%s\ndatanodePort :%d\ndatanodeLocalHAIP 1:%s\n"
                       "datanodeLocalHAPort :%d\ndn_replication_num: %zu\n",
                       n->az_name, n->az_priority, i + 1, n->name, n->ssh_ip, inst_type_name(type),
                       n->datadir, n->listen_ip, n->port, n->ha_ip, n->port + 1, cfg->n_nodes);

    for (size_t j = 0; r == 0 && j < cfg->n_nodes && k < peers; j++) {
        const struct cluster_node *p = &cfg->nodes[j];
        if (j == i)
            continue;
        r = dynbuf_appendf(o,
                           "datanodePeer%zuDataPath :%s\ndatanodePeer%zuHAIP 1:%s\n"
                           "datanodePeer%zuHAPort :%d\n",
                           k, p->datadir, k, p->ha_ip, k, p->port + 1);
        k++;
    }
    return r == 0 ? dynbuf_appendf(o, "%s\n", RULE60) : r;
}

/* OI:351-358 doView; --dynamic: the instance types the dynamic
 * configuration records (GO:249) */
static int do_view(const struct gsom_args *a, struct cluster_config *cfg, struct og_error *err)
{
    _cleanup_dynbuf_ struct dynbuf out = {0};
    char path[PATH_MAX + 64], host[256] = "";
    struct stat st = {0};
    size_t local = 0;
    int r;

    snprintf(path, sizeof(path), "%s/bin/cluster_static_config", cfg->app_path);
    (void)stat(path, &st);
    if (a->dynamic) {
        _cleanup_free_ char *text = NULL;
        snprintf(path, sizeof(path), "%s/bin/cluster_dynamic_config", cfg->app_path);
        r = fs_read_file(path, 1 << 20, &text, NULL, err);
        if (r < 0)
            return og_error_set(err, OG_E_NOT_EXIST, "The %s does not exist.", path);
        if (strncmp(text, DYNAMIC_MAGIC, strlen(DYNAMIC_MAGIC)) != 0)
            return og_error_set(err, OG_E_CONTENT_INVALID, "The content of file %s is not correct.",
                                path);
        r = clusterstatus_roles_parse(cfg, text + strlen(DYNAMIC_MAGIC), err);
        if (r < 0)
            return r;
    }
    gethostname(host, sizeof(host) - 1);
    for (size_t i = 0; i < cfg->n_nodes; i++)
        if (strcmp(cfg->nodes[i].name, host) == 0)
            local = i + 1;
    dynbuf_init(&out, 1 << 20);
    r = dynbuf_appendf(&out, "NodeHeader:\nversion:301\ntime:%lld\nnodeCount:%zu\nnode:%zu\n%s\n",
                       (long long)st.st_mtime, cfg->n_nodes, local, RULE60);
    for (size_t i = 0; r == 0 && i < cfg->n_nodes; i++) {
        int type = cfg->nodes[i].instance_type;
        if (a->dynamic)
            type = cfg->nodes[i].primary          ? CLUSTER_INST_PRIMARY
                   : type == CLUSTER_INST_CASCADE ? CLUSTER_INST_CASCADE
                                                  : CLUSTER_INST_STANDBY;
        r = view_node(cfg, i, type, &out);
    }
    if (r < 0)
        return og_error_set(err, OG_E_NOMEM, "view");
    return emit(a, &out, err);
}

/* path on node, written whole or not at all (umask 077), through the
 * transport: the path travels as $1, quoted by the one quoting function */
static int put_file(struct transport *t, const char *node, const char *path, const char *data,
                    struct og_error *err)
{
    const char *argv[] = {"sh", "-c", "umask 077 && cat > \"$1.tmp\" && mv -f \"$1.tmp\" \"$1\"",
                          "sh", path, NULL};
    struct transport_run_opts o = {
        .timeout_ms = 60 * 1000, .input = data, .input_len = strlen(data), .check_exit = true};
    struct command_result res = {0};
    int r = transport_run(t, node, argv, &o, &res, err);

    command_result_done(&res);
    return r;
}

/* OI:377-397 doRefreshConf */
static int do_refresh(const struct cluster_config *cfg, struct transport *t, struct og_error *err)
{
    _cleanup_dynbuf_ struct dynbuf text = {0};
    struct cluster_config live = *cfg;
    struct cluster_status *st;
    char path[PATH_MAX + 64];
    int r;

    if (cfg->n_nodes == 1) {
        printf("No need to generate dynamic configuration file for one node.\n");
        return 0;
    }
    printf("Generating dynamic configuration file for all nodes.\n");
    fflush(stdout);
    st = calloc(1, sizeof(*st));
    r = st ? clusterstatus_query(cfg, t, st, err) : og_error_set(err, OG_E_NOMEM, "status");
    if (r == 0 && clusterstatus_live_roles(&live, st) < 0)
        r = og_error_set(err, OG_E_CLUSTER_STATUS,
                         "Failed to check cluster status: not exactly one primary is running.");
    free(st);
    dynbuf_init(&text, 1 << 16);
    if (r == 0 && (dynbuf_append(&text, DYNAMIC_MAGIC, strlen(DYNAMIC_MAGIC)) < 0 ||
                   clusterstatus_roles_format(&live, &text) < 0))
        r = og_error_set(err, OG_E_NOMEM, "dynamic configuration");
    snprintf(path, sizeof(path), "%s/bin/cluster_dynamic_config", cfg->app_path);
    for (size_t i = 0; r == 0 && i < cfg->n_nodes; i++)
        r = put_file(t, cfg->nodes[i].name, path, dynbuf_str(&text), err);
    if (r == 0)
        printf("Successfully generated dynamic configuration file.\n");
    return r;
}

/* --old-values/--new-values (OM:270-311 change_cluster_info): each old
 * host name, IP or port becomes the new one wherever it appears */
static int change_values(struct cluster_config *c, const char *olds, const char *news,
                         struct og_error *err)
{
    _cleanup_free_ char *o = strdup(olds), *n = strdup(news);
    char *so = NULL, *sn = NULL;

    if (!o || !n)
        return og_error_set(err, OG_E_NOMEM, "values");
    for (char *ov = strtok_r(o, ",", &so), *nv = strtok_r(n, ",", &sn); ov && nv;
         ov = strtok_r(NULL, ",", &so), nv = strtok_r(NULL, ",", &sn)) {
        int op = 0, np = 0; /* a port for a port: both numbers > 0 */
        bool port = safe_atoi(ov, &op) == 0 && op > 0 && safe_atoi(nv, &np) == 0 && np > 0;
        for (size_t i = 0; i < c->n_nodes; i++) {
            struct cluster_node *x = &c->nodes[i];
            char *strs[] = {x->name, x->back_ip, x->ssh_ip, x->listen_ip, x->ha_ip};
            for (size_t k = 0; k < ELEMENTSOF(strs); k++)
                if (strcmp(strs[k], ov) == 0)
                    snprintf(strs[k], CLUSTER_NAME_MAX, "%s", nv);
            if (port && x->port == op)
                x->port = np;
        }
        if (port && c->port == op)
            c->port = np;
    }
    return 0;
}

/* <the tool's directory>/static_config_files: openGauss's script/
 * static_config_files (OM:332-336) */
static int genconf_dir(char *buf, size_t size, struct og_error *err)
{
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    char *slash;

    if (n <= 0)
        return og_error_set(err, OG_E_CREATE_FAILED, "Failed to create temporary directory.");
    exe[n] = '\0';
    if ((slash = strrchr(exe, '/')))
        *slash = '\0';
    snprintf(buf, size, "%s/static_config_files", exe);
    return fs_mkdir_p(buf, 0700, err);
}

static int genconf_distribute(const struct cluster_config *cfg, const char *dir,
                              struct og_error *err)
{
    _cleanup_transport_ struct transport *t = NULL;
    int r = transport_new(NULL, &t, err);

    printf("Distributing static configuration files to all nodes.\n");
    fflush(stdout);
    for (size_t i = 0; r == 0 && i < cfg->n_nodes; i++)
        r = transport_add_node(t, cfg->nodes[i].name, cfg->nodes[i].back_ip, 22, err);
    for (size_t i = 0; r == 0 && i < cfg->n_nodes; i++) {
        _cleanup_free_ char *text = NULL;
        char src[PATH_MAX + 128], dst[PATH_MAX + 64];
        snprintf(src, sizeof(src), "%s/cluster_static_config_%s", dir, cfg->nodes[i].name);
        snprintf(dst, sizeof(dst), "%s/bin/cluster_static_config", cfg->app_path);
        r = fs_read_file(src, STATICCONFIG_MAX, &text, NULL, err);
        if (r == 0 && put_file(t, cfg->nodes[i].name, dst, text, err) < 0)
            r = og_error_set(err, OG_E_REMOTE_COPY,
                             "Failed to remote copy static configuration file.Node: %s.\n"
                             "Error: \n%s",
                             cfg->nodes[i].name, err->detail);
    }
    if (r == 0)
        printf("Successfully distributed static configuration files.\n");
    return r;
}

/* OM:313-395 doRebuildConf */
static int gsom_genconf(const struct gsom_args *a, struct og_error *err)
{
    struct cluster_config cfg;
    char dir[PATH_MAX], path[PATH_MAX + 128];
    int r;

    printf("Generating static configuration files for all nodes.\n");
    fflush(stdout);
    if (a->old_values) {
        const char *home = getenv("GAUSSHOME");
        if (!home || !home[0])
            return og_error_set(err, OG_E_ENV_EMPTY,
                                "The environmental variable GAUSSHOME is "
                                "empty.");
        snprintf(path, sizeof(path), "%s/bin/cluster_static_config", home);
        r = staticconfig_read(path, &cfg, err);
        if (r == 0)
            r = change_values(&cfg, a->old_values, a->new_values, err);
    } else {
        r = clusterconfig_load(a->xml, &cfg, err);
    }
    if (r < 0)
        return r;
    printf("Creating temp directory to store static configuration files.\n");
    r = genconf_dir(dir, sizeof(dir), err);
    if (r < 0)
        return r;
    printf("Successfully created the temp directory.\nGenerating static configuration files.\n");
    for (size_t i = 0; r == 0 && i < cfg.n_nodes; i++) {
        snprintf(path, sizeof(path), "%s/cluster_static_config_%s", dir, cfg.nodes[i].name);
        r = staticconfig_write(&cfg, path, err);
    }
    if (r == 0)
        printf("Successfully generated static configuration files.\n"
               "Static configuration files for all nodes are saved in %s.\n",
               dir);
    if (r == 0 && a->distribute)
        r = genconf_distribute(&cfg, dir, err);
    if (r < 0)
        fs_remove_tree(dir, NULL); /* OM:393-395 */
    return r;
}

int gsom_run(const struct gsom_args *a, struct og_error *err)
{
    _cleanup_transport_ struct transport *t = NULL;
    struct cluster_config cfg;
    int r;

    if (strcmp(a->action, "generateconf") == 0)
        return gsom_genconf(a, err);
    r = om_open_cluster(&cfg, &t, err);
    if (r < 0)
        return r;
    if (strcmp(a->action, "status") == 0 || strcmp(a->action, "query") == 0)
        return do_status(a, &cfg, t, err);
    if (strcmp(a->action, "start") == 0)
        return do_start(a, &cfg, t, err);
    if (strcmp(a->action, "stop") == 0)
        return do_stop(a, &cfg, t, err);
    if (strcmp(a->action, "restart") == 0) { /* GO:809-810 */
        r = do_stop(a, &cfg, t, err);
        return r < 0 ? r : do_start(a, &cfg, t, err);
    }
    if (strcmp(a->action, "view") == 0)
        return do_view(a, &cfg, err);
    if (strcmp(a->action, "refreshconf") == 0)
        return do_refresh(&cfg, t, err);
    return og_error_set(err, OG_E_PARAM_INVALID, "The parameter '-t' value is incorrect.");
}
