/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * simcluster_snap.c - a running cluster's instances and nodes
 * (simcluster.h): every instance started or stopped, a snapshot of every
 * node and its restore, a node powered off or on.
 */
#include <errno.h>
#include <dirent.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clock.h"
#include "fs.h"
#include "noderoot.h"
#include "simcluster.h"
#include "simcluster_int.h"
#include "simdriver.h"
#include "simfs.h"
#include "workload.h"
#include "banned.h"

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
    return simcluster_exec_ok(d, c, i, a, err);
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
        r = simcluster_for_each_node(c, 0, start_nowait, NULL, err);
    simcluster_trace("start: gs_ctl start -W issued", t0);
    for (size_t i = 0; r == 0 && i < c->n_nodes; i++) {
        r = wait_db(c, i, 120 * 1000, err);
        simcluster_trace(c->nodes[i].name, t0);
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
        r = simcluster_exec_on(d, c, i, false, a, 120 * 1000, &res, err);
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
    return simcluster_exec_as(d, c, i, true, argv, err);
}

/* The install-root entry under which the data filesystem is mounted, when it
 * is a direct child ("data" for /opt/ogsim/data): its host-side directory is
 * only a mount point, whatever it may hold is not the node's data. */
static const char *data_mount_entry(const struct sim_cluster *c, char *buf)
{
    char parent[PATH_MAX];

    buf[0] = '\0';
    simcluster_parent_of(c->data_mount, parent, sizeof(parent));
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
    simcluster_node_dir(c, i, "install/" SNAP_STAGE, stage_host, sizeof(stage_host));
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
        simcluster_node_dir(c, i, "", nd, sizeof(nd));
        snprintf(dst, sizeof(dst), "%s/%s", dir, c->nodes[i].name);
        if (noderoot_mounted(nd))
            r = noderoot_save(nd, dst, err);
    }
    for (size_t k = 0; r == 0 && k < ELEMENTSOF(node_trees); k++) {
        char src[PATH_MAX];
        simcluster_node_dir(c, i, node_trees[k], src, sizeof(src));
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
        simcluster_node_dir(c, i, node_trees[k], dst, sizeof(dst));
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
            r = simcluster_start_node(d, c, i, err);
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
        r = simcluster_for_each_node(c, 0, snapshot_node, tmpdir, err);
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
    r = simcluster_exec_on(d, c, i, false, a, 60000, &res, err);
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
        simcluster_node_dir(c, i, "", nd, sizeof(nd));
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
    simcluster_trace("restore: roots checked", t0);
    /* Whatever state the cluster is in: nodes running, instances down. */
    if (r == 0)
        r = ensure_nodes(d, c, err);
    simcluster_trace("restore: nodes running", t0);
    if (r == 0)
        r = simcluster_for_each_node(c, 0, stop_immediate, NULL, err);
    simcluster_trace("restore: instances stopped", t0);
    if (r == 0)
        r = simcluster_for_each_node(c, 0, restore_node, dir, err);
    simcluster_trace("restore: files copied", t0);
    if (r == 0)
        r = sim_db_start_all(c, err);
    simcluster_trace("restore: instances up", t0);
    return r;
}

int sim_node_power(const struct sim_cluster *c, const char *node, bool on, struct og_error *err)
{
    _cleanup_(simdriver_closep) struct simdriver *d = NULL;
    size_t i = 0;
    int r = simcluster_open_node(c, node, &d, &i, err);

    if (r < 0)
        return r;
    if (!on)
        return simdriver_ops(d)->node_destroy(d, c->nodes[i].domain, err);
    if (simdriver_ops(d)->node_state(d, c->nodes[i].domain) == NODE_RUNNING)
        return 0;
    return simcluster_start_node(d, c, i, err);
}
