/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * precheck.c - the pre-checks of gs_upgradectl, each its own function with
 * one stable code (see precheck.h and upgrader/README.md "Pre-checks").
 */
#include <dirent.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "clusterstatus.h"
#include "fs.h"
#include "journal.h"
#include "lockfile.h"
#include "oglog.h"
#include "parallel.h"
#include "pkgsig.h"
#include "pkgsum.h"
#include "appinstall.h"
#include "precheck.h"
#include "staticconfig.h"
#include "versioncfg.h"
#include "worker.h"
#include "banned.h"

const char *const frozen_guc_names[FROZEN_GUC_COUNT] = {
    "wal_level",
    "max_connections",
    "max_prepared_transactions",
    "max_locks_per_transaction",
};

/* ---- remote helpers -------------------------------------------------------------- */

int precheck_worker_all(const struct precheck_env *e, const char *const *nodes, size_t n,
                        const char *const *verb_argv, struct og_error *err)
{
    struct worker w = {.t = e->t, .path = e->worker};

    return worker_run_all(&w, nodes, n, verb_argv, NULL, 0, NULL, err);
}

/* ---- the checks --------------------------------------------------------------------- */

int precheck_not_root(const struct precheck_env *e, struct og_error *err)
{
    (void)e;
    if (geteuid() == 0)
        return og_error_set(err, OG_E_RUN_AS_ROOT,
                            "Cannot run this script as a user with the root permission.");
    return 0;
}

int precheck_environment(const struct precheck_env *e, struct og_error *err)
{
    /* gs_upgradectl's order: PGHOST (:189), then checkUser (:213-227) */
    const char *vars[] = {"PGHOST", "GAUSSHOME", "GS_CLUSTER_NAME", "GAUSS_ENV", "GPHOME"};

    (void)e;
    for (size_t i = 0; i < ELEMENTSOF(vars); i++) {
        const char *v = getenv(vars[i]);
        if (!v || !v[0] || strlen(v) >= PATH_MAX)
            return og_error_set(err, OG_E_ENV_EMPTY,
                                "The environmental variable $%s is empty. or variable has "
                                "exceeded maximum length",
                                vars[i]);
    }
    return 0;
}

int precheck_cluster_lock(const struct precheck_env *e, struct og_error *err)
{
    _cleanup_lockfile_ struct lockfile *l = NULL;
    char dir[PATH_MAX + 32];
    struct og_error le = {0};
    int r;

    if (e->lock_held)
        return 0;
    snprintf(dir, sizeof(dir), "%s/%s", e->pghost, JOURNAL_DIR_NAME);
    r = journal_lock(dir, "gs_upgradectl pre-check", &l, &le);
    if (r == -OG_E_LOCK_CLUSTER)
        return og_error_set(err, OG_E_UPGRADE_UNFINISHED,
                            "Upgrade is not finished, cannot do another task: %s", le.detail);
    if (r < 0) {
        *err = le;
        return r;
    }
    return 0;
}

int precheck_static_config(const struct precheck_env *e, struct og_error *err)
{
    if (!e->xml || !e->installed)
        return 0;
    return staticconfig_compare(e->installed, e->xml, err);
}

/* One ssh per pair: argv[k] is "ssh <options> <to> true" on from. */
struct trust_pair {
    const char *from, *to;
    const char *argv[12];
};

#define TRUST_AT_ONCE 64 /* pairs checked at once (each a session and an ssh) */

/* From this node to every node (the transport: host keys checked), then from
 * every node to every other node by name with OpenSSH in batch mode and
 * strict host key checking: the trust the upgrade's workers rely on. */
int precheck_ssh_trust(const struct precheck_env *e, struct og_error *err)
{
    const struct cluster_config *c = precheck_cfg(e);
    struct transport_run_opts o = {.timeout_ms = 30000};
    size_t total = c->n_nodes * (c->n_nodes ? c->n_nodes - 1 : 0), n = 0;
    _cleanup_free_ struct trust_pair *p = calloc(total + 1, sizeof(*p));
    _cleanup_free_ struct command_result *res = calloc(total + 1, sizeof(*res));
    _cleanup_free_ struct og_error *errs = calloc(total + 1, sizeof(*errs));
    _cleanup_dynbuf_ struct dynbuf bad = {0};
    int r = 0;

    if (!p || !res || !errs)
        return og_error_set(err, OG_E_NOMEM, "SSH trust check");
    dynbuf_init(&bad, 8192);
    /* every pair, TRUST_AT_ONCE at a time (a session each, from the
     * transport's pools), reported per target in node order as when they
     * ran target by target */
    for (size_t j = 0; j < c->n_nodes; j++)
        for (size_t i = 0; i < c->n_nodes; i++) {
            const char *a[] = {"ssh",
                               "-o",
                               "BatchMode=yes",
                               "-o",
                               "StrictHostKeyChecking=yes",
                               "-o",
                               "ConnectTimeout=5",
                               "-o",
                               "LogLevel=ERROR",
                               c->nodes[j].name,
                               "true",
                               NULL};
            if (i == j)
                continue;
            memcpy(p[n].argv, a, sizeof(a));
            p[n].from = c->nodes[i].name;
            p[n++].to = c->nodes[j].name;
        }
    for (size_t k = 0; k < n; k += TRUST_AT_ONCE) {
        const char *from[TRUST_AT_ONCE];
        const char *const *argvs[TRUST_AT_ONCE];
        size_t m = n - k < TRUST_AT_ONCE ? n - k : TRUST_AT_ONCE;
        for (size_t i = 0; i < m; i++) {
            from[i] = p[k + i].from;
            argvs[i] = p[k + i].argv;
        }
        transport_run_each(e->t, from, m, argvs, &o, res + k, errs + k);
    }
    for (size_t i = 0; i < n; i++) {
        if (errs[i].code) {
            char msg[OG_ERROR_DETAIL_MAX + 64];
            dynbuf_addf(&bad, "%s%s (from here: %s)", bad.len ? "; " : "", p[i].from,
                        og_error_format(&errs[i], msg, sizeof(msg)));
        } else if (res[i].exit_status != 0) {
            res[i].err[strcspn(res[i].err, "\r\n")] = '\0';
            dynbuf_addf(&bad, "%s%s->%s (%s)", bad.len ? "; " : "", p[i].from, p[i].to, res[i].err);
        }
        command_result_done(&res[i]);
    }
    if (bad.len)
        r = og_error_set(err, OG_E_SSH_TRUST, "Failed to verify SSH trust on these nodes: %s.",
                         dynbuf_str(&bad));
    return r;
}

int precheck_cluster_state(const struct precheck_env *e, struct og_error *err)
{
    const struct cluster_config *c = precheck_cfg(e);
    struct cluster_status st;
    _cleanup_dynbuf_ struct dynbuf why = {0};
    int r;

    dynbuf_init(&why, 8192);
    r = clusterstatus_query(c, e->t, &st, err);
    if (r < 0)
        return og_error_set(err, OG_E_CLUSTER_STATUS, "Failed to check cluster status.");
    if (strcmp(st.cluster_state, "Normal") == 0)
        return 0;
    for (size_t i = 0; i < st.n; i++)
        if (strcmp(st.dn[i].db_state, "Normal") != 0)
            dynbuf_addf(&why, ", %s: %s %s", st.dn[i].node, st.dn[i].local_role, st.dn[i].db_state);
    return og_error_set(err, OG_E_CLUSTER_STATUS,
                        "Failed to check cluster status. Cluster status does not match "
                        "condition: cluster_state is %s%s.",
                        st.cluster_state, dynbuf_str(&why));
}

int precheck_stream_replication(const struct precheck_env *e, struct og_error *err)
{
    const struct cluster_config *c = precheck_cfg(e);
    const char *on[] = {"on", "true", "1", "yes"};
    char v[64];
    int r;

    for (size_t i = 0; i < c->n_nodes; i++) {
        bool ok = false;
        r = precheck_sql(e, &c->nodes[i], "postgres", "SHOW enable_stream_replication", v,
                         sizeof(v), err);
        if (r < 0)
            return r;
        for (size_t k = 0; k < ELEMENTSOF(on); k++)
            ok |= strcasecmp(v, on[k]) == 0;
        if (!ok)
            return og_error_set(err, OG_E_STREAM_REPLICATION,
                                "Invalid value for GUC parameter: enable_stream_replication "
                                "(%s on %s; it must be on).",
                                v, c->nodes[i].name);
    }
    return 0;
}

int frozen_gucs_collect(const struct precheck_env *e, struct frozen_gucs *ret, struct og_error *err)
{
    const struct cluster_config *c = precheck_cfg(e);
    const struct cluster_node *nodes[CLUSTER_MAX_NODES];
    const char *dbs[CLUSTER_MAX_NODES];
    struct command_result res[CLUSTER_MAX_NODES] = {0};
    char q[512];
    size_t k = 0;
    int r;

    /* one query per node: the four values, '|'-separated */
    k += (size_t)snprintf(q + k, sizeof(q) - k, "SELECT concat_ws('|'");
    for (size_t g = 0; g < FROZEN_GUC_COUNT; g++)
        k += (size_t)snprintf(q + k, sizeof(q) - k, ", current_setting('%s')", frozen_guc_names[g]);
    snprintf(q + k, sizeof(q) - k, ")");
    memset(ret, 0, sizeof(*ret));
    for (size_t i = 0; i < c->n_nodes; i++) {
        nodes[i] = &c->nodes[i];
        dbs[i] = "postgres";
    }
    /* every node at once */
    r = precheck_sql_each(e, nodes, dbs, c->n_nodes, q, res, err);
    for (size_t i = 0; r == 0 && i < c->n_nodes; i++) {
        char v[512], *save = NULL, *tok;
        size_t g = 0;
        snprintf(ret->nodes[i].node, sizeof(ret->nodes[i].node), "%s", c->nodes[i].name);
        snprintf(v, sizeof(v), "%.*s", (int)strcspn(res[i].out, "\n"), res[i].out);
        for (tok = strtok_r(v, "|", &save); tok && g < FROZEN_GUC_COUNT;
             tok = strtok_r(NULL, "|", &save), g++)
            snprintf(ret->nodes[i].value[g], sizeof(ret->nodes[i].value[g]), "%s", tok);
        if (g != FROZEN_GUC_COUNT)
            r = og_error_set(err, OG_E_SQL, "Failed to execute SQL: %s on %s: %zu values", q,
                             c->nodes[i].name, g);
        else
            ret->n++;
    }
    for (size_t i = 0; i < c->n_nodes; i++)
        command_result_done(&res[i]);
    return r;
}

int frozen_gucs_format(const struct frozen_gucs *g, struct dynbuf *out)
{
    for (size_t i = 0; i < g->n; i++)
        for (size_t k = 0; k < FROZEN_GUC_COUNT; k++)
            if (dynbuf_appendf(out, "%s %s=%s\n", g->nodes[i].node, frozen_guc_names[k],
                               g->nodes[i].value[k]) < 0)
                return -OG_E_TOO_LARGE;
    return 0;
}

int frozen_gucs_parse(const char *text, struct frozen_gucs *ret, struct og_error *err)
{
    struct frozen_gucs g;
    unsigned line = 0;

    memset(&g, 0, sizeof(g));
    for (const char *p = text; p && *p;) {
        size_t len = strcspn(p, "\n");
        char node[CLUSTER_NAME_MAX], name[64], value[64];
        size_t k, i;
        line++;
        if (len == 0 || len >= 256 || sscanf(p, "%63s %63[^=]=%63[^\n]", node, name, value) != 3)
            return og_error_set(err, OG_E_CONTENT_INVALID,
                                "The content of file frozen GUCs is not correct: line %u", line);
        for (k = 0; k < FROZEN_GUC_COUNT && strcmp(frozen_guc_names[k], name) != 0; k++)
            ;
        if (k == FROZEN_GUC_COUNT)
            return og_error_set(err, OG_E_CONTENT_INVALID,
                                "The content of file frozen GUCs is not correct: line %u: "
                                "unknown GUC %s",
                                line, name);
        for (i = 0; i < g.n && strcmp(g.nodes[i].node, node) != 0; i++)
            ;
        if (i == g.n) {
            if (g.n == CLUSTER_MAX_NODES)
                return og_error_set(err, OG_E_CONTENT_INVALID, "too many nodes in frozen GUCs");
            snprintf(g.nodes[g.n++].node, sizeof(g.nodes[0].node), "%s", node);
        }
        snprintf(g.nodes[i].value[k], sizeof(g.nodes[i].value[k]), "%s", value);
        p += len;
        if (*p == '\n')
            p++;
    }
    for (size_t i = 0; i < g.n; i++)
        for (size_t k = 0; k < FROZEN_GUC_COUNT; k++)
            if (!g.nodes[i].value[k][0])
                return og_error_set(err, OG_E_CONTENT_INVALID,
                                    "The content of file frozen GUCs is not correct: %s has no "
                                    "%s",
                                    g.nodes[i].node, frozen_guc_names[k]);
    *ret = g;
    return 0;
}

int frozen_gucs_compare(const struct frozen_gucs *recorded, const struct frozen_gucs *now,
                        struct og_error *err)
{
    for (size_t i = 0; i < now->n; i++) {
        for (size_t k = 0; k < FROZEN_GUC_COUNT; k++) {
            const char *want = NULL, *from = NULL;
            if (recorded) {
                for (size_t j = 0; j < recorded->n; j++)
                    if (strcmp(recorded->nodes[j].node, now->nodes[i].node) == 0)
                        want = recorded->nodes[j].value[k], from = "recorded at the start";
                if (!want)
                    return og_error_set(err, OG_E_FROZEN_GUC,
                                        "The GUC parameters of %s were not recorded at the "
                                        "start of the upgrade.",
                                        now->nodes[i].node);
            } else {
                want = now->nodes[0].value[k];
                from = now->nodes[0].node;
            }
            if (strcmp(want, now->nodes[i].value[k]) != 0)
                return og_error_set(err, OG_E_FROZEN_GUC,
                                    "The GUC parameter %s changed during the upgrade: %s has "
                                    "%s, %s: %s. Set it back before going on.",
                                    frozen_guc_names[k], now->nodes[i].node, now->nodes[i].value[k],
                                    from, want);
        }
    }
    return 0;
}

int precheck_frozen_gucs(const struct precheck_env *e, struct og_error *err)
{
    struct frozen_gucs now;
    int r = frozen_gucs_collect(e, &now, err);

    if (r < 0)
        return r;
    return frozen_gucs_compare(e->recorded, &now, err);
}

/* The primary's pg_stat_replication must show every standby streaming with
 * its replay position at the primary's current WAL position. */
int precheck_standby_replay(const struct precheck_env *e, struct og_error *err)
{
    const struct cluster_config *c = precheck_cfg(e);
    const struct cluster_node *primary = NULL;
    int wait = e->replay_wait_ms > 0 ? e->replay_wait_ms : PRECHECK_REPLAY_WAIT_MS;
    long long t0;
    char target[64], q[8192];
    int r;

    for (size_t i = 0; i < c->n_nodes; i++)
        if (c->nodes[i].primary)
            primary = &c->nodes[i];
    if (!primary)
        return og_error_set(err, OG_E_NODE_INFO,
                            "Failed to get cluster node info.exception "
                            "is: no primary datanode.");
    /* caught up = replayed everything the primary had written when the check
     * began (a running workload keeps writing: "now" is never reached) */
    r = precheck_sql(e, primary, "postgres", "SELECT pg_current_wal_lsn()", target, sizeof(target),
                     err);
    if (r < 0)
        return og_error_set(err, OG_E_STANDBY_LAG,
                            "The standbys have not caught up with the primary: the primary %s "
                            "cannot be asked.",
                            primary->name);
    /* one query asks for every standby (in node order, '|'-separated) */
    {
        size_t m = 0,
               k = (size_t)snprintf(
                   q, sizeof(q),
                   "SELECT string_agg(coalesce((SELECT state || ' ' || CASE WHEN replay_lsn >= "
                   "'%s'::pg_lsn THEN 'caught-up' ELSE pg_wal_lsn_diff('%s'::pg_lsn, "
                   "replay_lsn)::bigint || ' bytes behind' END FROM pg_stat_replication WHERE "
                   "client_addr = v.ip::inet ORDER BY backend_start DESC LIMIT 1), 'absent'), '|' "
                   "ORDER BY v.k) FROM (VALUES ",
                   target, target);
        for (size_t i = 0; i < c->n_nodes && k < sizeof(q); i++)
            if (&c->nodes[i] != primary)
                k += (size_t)snprintf(q + k, sizeof(q) - k, "%s(%zu, '%s')", m++ ? ", " : "", i,
                                      c->nodes[i].ha_ip);
        if (m == 0)
            return 0; /* no standby */
        if (k < sizeof(q))
            k += (size_t)snprintf(q + k, sizeof(q) - k, ") v(k, ip)");
        if (k >= sizeof(q))
            return og_error_set(err, OG_E_TOO_LARGE, "the standby query is over %zu bytes",
                                sizeof(q));
    }
    t0 = og_now_ms();
    for (;;) {
        char v[4096], *save = NULL;
        const char *lagging = NULL, *tok;
        bool absent = false;
        char detail[256] = "";
        r = precheck_sql(e, primary, "postgres", q, v, sizeof(v), err);
        if (r < 0)
            return og_error_set(err, OG_E_STANDBY_LAG,
                                "The standbys have not caught up with the primary: the primary "
                                "%s cannot be asked.",
                                primary->name);
        tok = strtok_r(v, "|", &save);
        for (size_t i = 0; i < c->n_nodes && !lagging; i++) {
            if (&c->nodes[i] == primary)
                continue;
            if (!tok || strcmp(tok, "streaming caught-up") != 0) {
                lagging = c->nodes[i].name;
                absent = !tok || strcmp(tok, "absent") == 0;
                snprintf(detail, sizeof(detail), "%s",
                         absent ? "not connected to the primary" : tok);
            }
            tok = strtok_r(NULL, "|", &save);
        }
        if (!lagging)
            return 0;
        /* a standby that is not connected gets PRECHECK_RECONNECT_MS to
         * reconnect (its walreceiver notices a dead connection after
         * wal_receiver_timeout -- a network healed under it, found by the
         * grey fault scenarios); one that streams gets the whole wait */
        if (og_now_ms() - t0 >=
            (absent && wait > PRECHECK_RECONNECT_MS ? PRECHECK_RECONNECT_MS : wait))
            return og_error_set(err, OG_E_STANDBY_LAG,
                                "The standby %s has not caught up with the primary %s: %s.",
                                lagging, primary->name, detail);
        {
            struct timespec ts = {0, 200 * 1000000};
            nanosleep(&ts, NULL);
        }
    }
}

/* ---- node-local parts ---------------------------------------------------------------- */

int precheck_local_disk(const char *const *paths, size_t n, int limit_pct, struct og_error *err)
{
    for (size_t i = 0; i < n; i++) {
        struct statvfs s;
        unsigned long long used, avail;
        int pct;
        if (statvfs(paths[i], &s) < 0)
            return og_error_set_errno(err, OG_E_NOT_EXIST, errno, "The %s does not exist.",
                                      paths[i]);
        used = (unsigned long long)(s.f_blocks - s.f_bfree) * s.f_frsize;
        avail = (unsigned long long)s.f_bavail * s.f_frsize;
        if (used + avail == 0)
            continue;
        pct = (int)((used * 100 + used + avail - 1) / (used + avail));
        if (pct >= limit_pct)
            return og_error_set(err, OG_E_DISK_USAGE_EXCEEDS,
                                "Disk usage exceeds %d%%, please clean up before upgrading: "
                                "%s is %d%% full.",
                                limit_pct, paths[i], pct);
    }
    return 0;
}

int precheck_local_sha256(const char *dir, struct og_error *err)
{
    _cleanup_closedir_ DIR *d = opendir(dir);
    struct dirent *de;
    int pairs = 0, r;

    if (!d)
        return og_error_set_errno(err, OG_E_NOT_EXIST, errno, "The %s does not exist.", dir);
    while ((de = readdir(d))) {
        size_t len = strlen(de->d_name);
        char base[NAME_MAX + 1], sum[PATH_MAX], tar[PATH_MAX];
        const char *exts[] = {".tar.bz2", ".tar.gz"};
        bool found = false;
        if (len <= 7 || strcmp(de->d_name + len - 7, ".sha256") != 0)
            continue;
        snprintf(base, sizeof(base), "%.*s", (int)(len - 7), de->d_name);
        snprintf(sum, sizeof(sum), "%s/%s", dir, de->d_name);
        for (size_t k = 0; k < ELEMENTSOF(exts) && !found; k++) {
            snprintf(tar, sizeof(tar), "%s/%s%s", dir, base, exts[k]);
            if (access(tar, F_OK) == 0) {
                bool authentic;
                found = true;
                r = pkgsum_verify(tar, sum, err);
                if (r == 0)
                    r = pkgsig_check(tar, PKGSIG_KEY_PATH, &authentic, err);
                if (r < 0)
                    return r;
                pairs++;
            }
        }
        if (!found)
            return og_error_set(err, OG_E_SHA256, "Failed to check SHA256: %s has no tarball.",
                                sum);
    }
    if (pairs == 0)
        return og_error_set(err, OG_E_SHA256, "Failed to check SHA256: no package in %s.", dir);
    return 0;
}

int precheck_local_om_kernel(const char *gphome, const char *app_path, struct og_error *err)
{
    char om_path[PATH_MAX];
    struct version_cfg om, k;
    struct og_error e2 = {0};

    (void)app_path; /* the new app is installed at step 4, from this package */
    snprintf(om_path, sizeof(om_path), "%s/version.cfg", gphome);
    if (version_cfg_read(om_path, &om, &e2) < 0)
        return og_error_set(err, OG_E_APP_VERSION,
                            "Failed to check application version: the OM tools' %s: %s", om_path,
                            e2.detail);
    if (appinstall_kernel_version(gphome, &k, &e2) < 0)
        return og_error_set(err, OG_E_APP_VERSION,
                            "Failed to check application version: the OM tools are %s (commit "
                            "%s) but the server package of that version is not usable: %s",
                            om.product, om.commit, e2.detail);
    if (strcmp(om.product, k.product) != 0 || strcmp(om.commit, k.commit) != 0 ||
        strcmp(om.number_str, k.number_str) != 0)
        return og_error_set(err, OG_E_APP_VERSION,
                            "Failed to check application version: the OM tools (%s %s %s) and "
                            "the server package in %s (%s %s %s) are not from the same package.",
                            om.product, om.number_str, om.commit, gphome, k.product, k.number_str,
                            k.commit);
    return 0;
}

int precheck_local_kerberos(const char *dir, struct og_error *err)
{
    char p[PATH_MAX + 64];

    snprintf(p, sizeof(p), "%s/auth_config/mppdb-site.xml", dir);
    if (access(p, F_OK) == 0)
        return og_error_set(err, OG_E_EXISTS, "The kerberos already exists (%s).", p);
    return 0;
}

/* ---- the table ---------------------------------------------------------------------- */

static const struct precheck table[] = {
    {"not-root", "not run as root", OG_E_RUN_AS_ROOT, precheck_not_root},
    {"environment", "GAUSSHOME, GS_CLUSTER_NAME, GAUSS_ENV, GPHOME, PGHOST set", OG_E_ENV_EMPTY,
     precheck_environment},
    {"cluster-lock", "no other task holds the cluster lock", OG_E_UPGRADE_UNFINISHED,
     precheck_cluster_lock},
    {"static-config", "clusterconfig.xml matches cluster_static_config", OG_E_STATIC_CONFIG,
     precheck_static_config},
    {"ssh-trust", "SSH trust between all nodes, host keys verified", OG_E_SSH_TRUST,
     precheck_ssh_trust},
    {"cluster-state", "cluster_state Normal (gs_ctl query on every node)", OG_E_CLUSTER_STATUS,
     precheck_cluster_state},
    {"disk-usage", "data, app and $PGHOST filesystems below 80% on every node",
     OG_E_DISK_USAGE_EXCEEDS, precheck_disk_usage},
    {"stream-replication", "enable_stream_replication on on every datanode",
     OG_E_STREAM_REPLICATION, precheck_stream_replication},
    {"kerberos", "Kerberos not configured", OG_E_EXISTS, precheck_kerberos},
    {"frozen-gucs",
     "wal_level, max_connections, max_prepared_transactions, "
     "max_locks_per_transaction unchanged",
     OG_E_FROZEN_GUC, precheck_frozen_gucs},
    {"standby-replay", "every standby streaming and caught up", OG_E_STANDBY_LAG,
     precheck_standby_replay},
    {"om-kernel", "OM tools and the kernel from the same package", OG_E_APP_VERSION,
     precheck_om_kernel},
    {"package-sha256", "the package in $GPHOME matches its .sha256 files", OG_E_SHA256,
     precheck_package_sha256},
    {"app-size", "the old app holds at most 2000M besides pg_plugin on every node", OG_E_DISK_USAGE,
     precheck_app_size},
    {"backup-space", "$PGHOST/binary_upgrade has 2000M free on every node", OG_E_DISK_SPACE,
     precheck_backup_space},
    {"datadir-writable", "every data directory exists and takes a new file", OG_E_WRITE_FAILED,
     precheck_datadir_writable},
};

const struct precheck *precheck_table(size_t *n)
{
    *n = ELEMENTSOF(table);
    return table;
}

const struct precheck *precheck_find(const char *id)
{
    for (size_t i = 0; i < ELEMENTSOF(table); i++)
        if (strcmp(table[i].id, id) == 0)
            return &table[i];
    return NULL;
}

struct check_job {
    const struct precheck_env *e;
    const struct precheck *check;
    struct precheck_result *res;
};

static void check_main(void *arg)
{
    struct check_job *j = arg;
    struct og_error ce = {0};
    int r = j->check->fn(j->e, &ce);

    if (r < 0 && ce.code == 0)
        ce.code = -r;
    j->res->check = j->check;
    j->res->err = r < 0 ? ce : (struct og_error){0};
}

/* Every check at once, a thread each: they only read, each from its own
 * sessions (the transport pools them per node), so the run takes as long as
 * the slowest check instead of the sum of them all; a check whose thread
 * cannot start runs in this one. The results and the error returned are in
 * the table's order, as when they ran one by one. */
int precheck_run_all(const struct precheck_env *e, struct precheck_result *results, size_t *n,
                     struct og_error *err)
{
    struct check_job jobs[ELEMENTSOF(table)];
    const char *ids[ELEMENTSOF(table)];
    struct precheck_env le = *e;
    struct precheck_local *local;
    int first = 0;

    /* the node-local facts first: one worker call per node for them all */
    for (size_t i = 0; i < ELEMENTSOF(table); i++)
        ids[i] = table[i].id;
    le.local = local = precheck_local_fetch(e, ids, ELEMENTSOF(table));
    for (size_t i = 0; i < ELEMENTSOF(table); i++)
        jobs[i] = (struct check_job){.e = &le, .check = &table[i], .res = &results[i]};
    parallel_each(jobs, ELEMENTSOF(table), sizeof(jobs[0]), check_main, 0);
    for (size_t i = 0; i < ELEMENTSOF(table); i++) {
        if (results[i].err.code != 0 && first == 0) {
            first = -results[i].err.code;
            *err = results[i].err;
        }
    }
    precheck_local_free(local);
    *n = ELEMENTSOF(table);
    return first;
}

void precheck_format(const struct precheck_result *r, size_t n, struct dynbuf *out)
{
    for (size_t i = 0; i < n; i++) {
        char msg[OG_ERROR_DETAIL_MAX + 64];
        if (r[i].err.code == 0)
            dynbuf_addf(out, "[  OK  ] %-19s %s\n", r[i].check->id, r[i].check->title);
        else
            dynbuf_addf(out, "[FAILED] %-19s %s\n         %s\n", r[i].check->id, r[i].check->title,
                        og_error_format(&r[i].err, msg, sizeof(msg)));
    }
}
