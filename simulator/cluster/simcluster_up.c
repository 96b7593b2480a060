/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * simcluster_up.c - a simulated cluster brought up (simcluster.h): checks,
 * the plan, the install on every node, the nodes started, the instances
 * (gs_initdb, the primary, the standbys' builds, the user databases); and
 * taken down again, with or without a state file.
 */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clock.h"
#include "fs.h"
#include "noderoot.h"
#include "package.h"
#include "simcluster.h"
#include "simcluster_int.h"
#include "simdriver.h"
#include "simfs.h"
#include "simversion.h"
#include "vmimage.h"
#include "workload.h"
#include "banned.h"

#ifndef OGSIM_INIT_PATH
#define OGSIM_INIT_PATH "/usr/lib/ogsim/ogsim-init"
#endif
#ifndef OGSIM_VMINIT_PATH
#define OGSIM_VMINIT_PATH "/usr/lib/ogsim/ogsim-vminit"
#endif

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
    int r = remove ? 0 : simcluster_omm_ids(&uid, &gid, err);

    if (!remove && r == 0) {
        if (getrandom(raw, sizeof(raw), 0) != (ssize_t)sizeof(raw))
            return og_error_set_errno(err, OG_E_IO, errno, "getrandom");
        for (size_t k = 0; k < sizeof(raw); k++)
            snprintf(pw + 2 * k, 3, "%02x", raw[k]);
        pw[2 * sizeof(raw)] = '\n';
    }
    for (size_t i = 0; r == 0 && i < c->n_nodes; i++) {
        simcluster_node_dir(c, i, "home/" INITDB_PWFILE, p, sizeof(p));
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
        r = simcluster_exec_ok(d, c, i, a, err);
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
    return simcluster_exec_ok(d, c, i, gs_guc_argv, err);
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
    return simcluster_exec_ok(d, c, i, a, err);
}

static int sql_on(struct simdriver *d, const struct sim_cluster *c, size_t i, const char *db,
                  const char *sql, struct og_error *err)
{
    char bin[PATH_MAX + 16], port[16];
    const char *a[] = {bin,  "-X", "-q", "-d", db, "-p", port, "--set", "ON_ERROR_STOP=on",
                       "-c", sql,  NULL};

    snprintf(bin, sizeof(bin), "%s/bin/gsql", c->app_path);
    snprintf(port, sizeof(port), "%d", c->port);
    return simcluster_exec_ok(d, c, i, a, err);
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
    return simcluster_start_node(d, c, i, err);
}

/* Every node's gs_initdb at once; then the primary; then the builds, which
 * all read from the primary, at once too; then the user databases. */
static int setup_instances(struct simdriver *d, const struct sim_cluster *c, struct og_error *err)
{
    int r = initdb_pwfiles(c, false, err);

    if (r == 0)
        r = simcluster_for_each_node(c, 0, setup_instance, NULL, err);
    initdb_pwfiles(c, true, NULL);
    if (r == 0)
        r = ctl(d, c, 0, "start", "primary", err);
    if (r == 0)
        r = simcluster_for_each_node(c, 1, build_standby, NULL, err);
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

/* The cluster o asks for, named and checked before anything is made: the
 * name and version valid, the name free on the host, LXC and omm usable. */
static int up_begin(const struct sim_up_opts *o, struct sim_cluster *c, struct og_error *err)
{
    snprintf(c->name, sizeof(c->name), "%s", o->name ? o->name : "ogsim");
    if (!sim_valid_name(c->name))
        return og_error_set(err, OG_E_PARAM_INVALID,
                            "cluster name \"%s\": use 1-20 characters of a-z, 0-9 and '-'",
                            c->name);
    if (!o->version || !sim_version_find(o->version))
        return og_error_set(err, OG_E_PARAM_INVALID,
                            "unknown version \"%s\" (ogsim package "
                            "list shows the versions)",
                            o->version ? o->version : "");
    snprintf(c->version, sizeof(c->version), "%s", o->version);
    snprintf(c->driver, sizeof(c->driver), "%s", o->driver ? o->driver : "lxc");
    c->shape = o->shape;
    c->data_mib = c->shape == SIM_SHAPE_LIGHT ? 0 : o->data_mib ? o->data_mib : 512;
    c->databases = c->shape == SIM_SHAPE_LIGHT ? 0 : o->databases >= 0 ? o->databases : 2;
    snprintf(c->state_dir, sizeof(c->state_dir), "%s/%s", sim_state_root(), c->name);
    if (access(c->state_dir, F_OK) == 0)
        return og_error_set(err, OG_E_SIM_EXISTS,
                            "The name %s is already in use: a cluster with state in %s exists "
                            "(ogsim down --name %s removes it)",
                            c->name, c->state_dir, c->name);
    if (strcmp(c->driver, "lxc") == 0 && !lxc_usable(err))
        return -OG_E_SIM_LXC;
    return omm_unlocked(err);
}

/* -OG_E_SIM_EXISTS when libvirt already has the cluster's network or a
 * domain of one of its nodes. */
static int up_names_free(struct simdriver *d, const struct sim_cluster *c, struct og_error *err)
{
    if (simdriver_ops(d)->net_exists(d, c->net_name))
        return og_error_set(err, OG_E_SIM_EXISTS,
                            "The name %s is already in use: libvirt "
                            "network \"%s\" exists",
                            c->name, c->net_name);
    for (size_t i = 0; i < c->n_nodes; i++)
        if (simdriver_ops(d)->node_state(d, c->nodes[i].domain) != NODE_ABSENT)
            return og_error_set(err, OG_E_SIM_EXISTS,
                                "The name %s is already in use: domain "
                                "\"%s\" exists",
                                c->name, c->nodes[i].domain);
    return 0;
}

/* Everything on the host before the nodes start: the package built and
 * installed on every node, SSH trust, the environment, the cluster's files,
 * the node init (and the VMs' initramfs). */
static int up_install(const struct sim_up_opts *o, const struct sim_cluster *c,
                      struct og_error *err)
{
    char pkg[PATH_MAX + 16], p[PATH_MAX + 16];
    int r;

    snprintf(pkg, sizeof(pkg), "%s/packages", c->state_dir);
    r = package_build(c->version, pkg, NULL, err);
    for (size_t i = 0; r == 0 && i < c->n_nodes; i++)
        r = simcluster_prepare_node(c, i, pkg, err);
    if (r == 0)
        r = simcluster_setup_ssh(c, err);
    if (r == 0)
        r = simcluster_write_env(c, err);
    if (r == 0)
        r = simcluster_write_cluster_files(c, o->xml, err);
    /* Every node needs the install root as a mount point on the host root. */
    if (r == 0)
        r = fs_mkdir_p(c->install_root, 0755, err);
    if (r == 0) {
        const char *init = getenv("OGSIM_INIT");
        snprintf(p, sizeof(p), "%s/ogsim-init", c->state_dir);
        r = simfs_copy_file(init && init[0] == '/' ? init : OGSIM_INIT_PATH, p, err);
    }
    if (r == 0 && simcluster_is_vm(c))
        r = vm_initrd(o, c, err);
    return r;
}

/* The cluster's network, then every node until its sshd answers. */
static int up_nodes(struct simdriver *d, const struct sim_cluster *c, struct og_error *err)
{
    struct net_spec n = {0};
    int r;

    snprintf(n.name, sizeof(n.name), "%s", c->net_name);
    snprintf(n.bridge, sizeof(n.bridge), "%s", c->bridge);
    snprintf(n.host_ip, sizeof(n.host_ip), "%s", c->host_ip);
    n.prefix = c->prefix;
    r = simdriver_ops(d)->net_create(d, &n, err);
    /* VMs boot at once (seconds each); containers one by one (loop devices
     * of parallel creates collide) */
    if (r == 0 && simcluster_is_vm(c))
        r = simcluster_for_each_node(c, 0, start_job, NULL, err);
    for (size_t i = 0; r == 0 && !simcluster_is_vm(c) && i < c->n_nodes; i++)
        r = simcluster_start_node(d, c, i, err);
    return r;
}

int sim_up(const struct sim_up_opts *o, struct sim_cluster *ret, struct og_error *err)
{
    _cleanup_(simdriver_closep) struct simdriver *d = NULL;
    struct sim_cluster c = {0};
    char p[PATH_MAX + 16];
    long long t0 = og_now_ms();
    int r = up_begin(o, &c, err);

    if (r < 0)
        return r;
    r = simdriver_open(c.driver, o->uri, &d, err);
    if (r < 0)
        return r;
    snprintf(c.uri, sizeof(c.uri), "%s", simdriver_uri(d));
    r = simcluster_plan(o, &c, err);
    if (r == 0)
        r = up_names_free(d, &c, err);
    if (r < 0)
        return r;

    /* From here on, state.json says what exists, so down can clean up. */
    r = fs_mkdir_p(c.state_dir, 0755, err);
    if (r == 0)
        r = simcluster_save_state(&c, err);
    if (r < 0)
        return r;
    say(o, "ogsim: cluster %s: %zu %s%s nodes on %s/%d, openGauss %s", c.name, c.n_nodes,
        c.shape == SIM_SHAPE_LIGHT ? "light " : "", c.driver, c.host_ip, c.prefix, c.version);

    r = up_install(o, &c, err);
    if (r < 0)
        goto fail;
    say(o, "ogsim: installed the package on every node (%lld ms)", og_now_ms() - t0);

    r = up_nodes(d, &c, err);
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
