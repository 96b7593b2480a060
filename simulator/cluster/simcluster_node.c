/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * simcluster_node.c - a node of a simulated cluster (simcluster.h): its
 * host-side directories prepared (the install root, the data filesystem,
 * SSH keys and trust, the environment), its libvirt spec, and the node
 * made and started until its sshd answers.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
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
#include "banned.h"

#define SSH_WAIT_MS 20000
#define VM_WAIT_MS  (180 * 1000) /* a TCG boot: ~5 s alone, longer beside others */

/* ---- host-side preparation --------------------------------------------------------- */

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

/* Node i's $GPHOME: the package's files, the app's version.cfg and the OM
 * tools ($GPHOME/script/gs_om, gs_ssh). */
static int fill_tool_dir(const struct sim_cluster *c, size_t i, const struct sim_version *v,
                         const char *pkg_dir, const char *app, struct og_error *err)
{
    enum package_file files[] = {PACKAGE_KERNEL, PACKAGE_KERNEL_SUM,  PACKAGE_OM,
                                 PACKAGE_OM_SUM, PACKAGE_UPGRADE_SQL, PACKAGE_UPGRADE_SQL_SUM};
    char tool[PATH_MAX], p[PATH_MAX + 64], sub[PATH_MAX];
    int r;

    simcluster_host_path(c, i, c->tool_path, tool, sizeof(tool));
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
    return package_extract(p, tool, err);
}

/* Node i's data filesystem: a sparse ext4 image of c->data_mib, its root
 * owned by uid:gid. */
static int make_data_image(const struct sim_cluster *c, size_t i, uid_t uid, gid_t gid,
                           struct og_error *err)
{
    char p[PATH_MAX + 64], size[32], owner[64];
    const char *tr[] = {"truncate", "-s", size, p, NULL};
    const char *mk[] = {"mkfs.ext4", "-q", "-F", "-m", "0", "-E", owner, p, NULL};
    int r;

    simcluster_node_dir(c, i, "data.img", p, sizeof(p));
    snprintf(size, sizeof(size), "%uM", c->data_mib);
    snprintf(owner, sizeof(owner), "root_owner=%u:%u", (unsigned)uid, (unsigned)gid);
    unlink(p);
    r = run_ok(tr, err);
    if (r == 0)
        r = run_ok(mk, err);
    return r;
}

int simcluster_prepare_node(const struct sim_cluster *c, size_t i, const char *pkg_dir,
                            struct og_error *err)
{
    const struct sim_version *v = sim_version_find(c->version);
    char dir[PATH_MAX], p[PATH_MAX + 64], app[PATH_MAX + 64], sub[PATH_MAX];
    const char *subs[] = {"install", "home", "tmp", "sshd", "roothome", NULL};
    uid_t uid = 0;
    gid_t gid = 0;
    int r;

    r = simcluster_omm_ids(&uid, &gid, err);
    if (r < 0)
        return r;
    for (size_t k = 0; subs[k]; k++) {
        simcluster_node_dir(c, i, subs[k], dir, sizeof(dir));
        r = fs_mkdir_p(dir, 0755, err);
        if (r < 0)
            return r;
    }
    simcluster_node_dir(c, i, "tmp", dir, sizeof(dir));
    chmod(dir, 01777);
    simcluster_node_dir(c, i, "sshd", dir, sizeof(dir));
    chmod(dir, 0700);
    simcluster_node_dir(c, i, "roothome", dir, sizeof(dir));
    chmod(dir, 0700);

    /* The install root, as gs_preinstall + gs_install lay it out:
     * $GAUSSHOME -> $GAUSSHOME_<commit>, $GPHOME with the package, $PGHOST,
     * $GAUSSLOG, the core dir and the data filesystem's mount point. */
    simcluster_node_dir(c, i, "install", dir, sizeof(dir));
    simcluster_host_path(c, i, c->app_path, p, sizeof(p));
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
            simcluster_host_path(c, i, mk[k], p, sizeof(p));
            r = fs_mkdir_p(p, mk[k] == c->tmp_path ? 0700 : 0750, err);
            if (r < 0)
                return r;
        }
    }
    /* $GPHOME holds the package (the upgrader reads version.cfg and the
     * tarballs there). */
    r = fill_tool_dir(c, i, v, pkg_dir, app, err);
    if (r < 0)
        return r;
    r = simfs_chown_tree(dir, uid, gid, err);
    if (r < 0 || c->shape == SIM_SHAPE_LIGHT)
        return r;

    /* The data filesystem: a sparse ext4 image, root owned by omm. */
    return make_data_image(c, i, uid, gid, err);
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
int simcluster_setup_ssh(const struct sim_cluster *c, struct og_error *err)
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
    r = simcluster_omm_ids(&uid, &gid, err);
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
        simcluster_node_dir(c, i, "home/.ssh", dir, sizeof(dir));
        r = node_key(dir, c->nodes[i].name, &auth, err);
        simcluster_node_dir(c, i, "roothome/.ssh", dir, sizeof(dir));
        snprintf(who, sizeof(who), "root@%s", c->nodes[i].name);
        if (r == 0)
            r = node_key(dir, who, &rauth, err);
        simcluster_node_dir(c, i, "sshd/ssh_host_ed25519_key", hk, sizeof(hk));
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
        simcluster_node_dir(c, i, "home/.ssh", dir, sizeof(dir));
        r = write_ssh_dir(dir, auth.buf, known.buf, err);
        simcluster_node_dir(c, i, "roothome/.ssh", dir, sizeof(dir));
        if (r == 0)
            r = write_ssh_dir(dir, rauth.buf, known.buf, err);
        simcluster_node_dir(c, i, "home", dir, sizeof(dir));
        if (r == 0)
            r = simfs_chown_tree(dir, uid, gid, err);
        chmod(dir, 0755);
        /* sshd: its own host key, listening on the node's address only;
         * root by key only, as a host gs_preinstall prepared */
        simcluster_node_dir(c, i, "sshd/ssh_host_ed25519_key", hk, sizeof(hk));
        snprintf(cfg, sizeof(cfg),
                 "# ogsim node %s\nListenAddress %s\nPort 22\nHostKey %s\n"
                 "PidFile /run/sshd.pid\nUsePAM no\nPasswordAuthentication no\n"
                 "KbdInteractiveAuthentication no\nPubkeyAuthentication yes\n"
                 "PermitRootLogin prohibit-password\nAllowUsers omm root\n"
                 "AuthorizedKeysFile .ssh/authorized_keys\n"
                 "UseDNS no\nPrintMotd no\nMaxStartups 64:30:128\nMaxSessions 64\n"
                 "Subsystem sftp internal-sftp\n",
                 c->nodes[i].name, c->nodes[i].ip, hk);
        simcluster_node_dir(c, i, "sshd/sshd_config", p, sizeof(p));
        if (r == 0)
            r = write_file(p, cfg, 0600, err);
    }
    return r;
}

int simcluster_write_env(const struct sim_cluster *c, struct og_error *err)
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
        simcluster_node_dir(c, i, "home/.bashrc", p, sizeof(p));
        r = write_file(p, env, 0644, err);
        simcluster_node_dir(c, i, "home/.profile", p, sizeof(p));
        if (r == 0)
            r = write_file(p, "[ -f ~/.bashrc ] && . ~/.bashrc\n", 0644, err);
        /* root's own home (the host's /root is not the node's) */
        simcluster_node_dir(c, i, "roothome/.bashrc", p, sizeof(p));
        if (r == 0) /* PATH is /etc/profile's, as on a Debian host */
            r = write_file(p, "# root's .bashrc (ogsim)\n", 0644, err);
        simcluster_node_dir(c, i, "roothome/.profile", p, sizeof(p));
        if (r == 0)
            r = write_file(p, "[ -f ~/.bashrc ] && . ~/.bashrc\n", 0644, err);
    }
    for (size_t i = 0; r == 0 && i < c->n_nodes; i++) {
        uid_t uid = 0;
        gid_t gid = 0;
        char dir[PATH_MAX];
        simcluster_node_dir(c, i, "home", dir, sizeof(dir));
        if (simcluster_omm_ids(&uid, &gid, err) == 0)
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

bool simcluster_is_vm(const struct sim_cluster *c)
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
    simcluster_node_dir(c, i, "sshd/sshd_config", n->init_args[1], sizeof(n->init_args[1]));
    n->n_init_args = 2;
    /* a root of its own, writable (noderoot.h): the host's, changes apart */
    simcluster_node_dir(c, i, NODEROOT_DIR, p, sizeof(p));
    add_mount(n, MOUNT_BIND, p, "/", 0);
    snprintf(p, sizeof(p), "%s/snapshots", c->state_dir);
    add_mount(n, MOUNT_BIND_RO, p, p, 0);
    add_mount(n, MOUNT_RAM, NULL, "/run", 65536);
    add_mount(n, MOUNT_RAM, NULL, "/dev/shm", 262144);
    simcluster_node_dir(c, i, "tmp", p, sizeof(p));
    add_mount(n, MOUNT_BIND, p, "/tmp", 0);
    simcluster_node_dir(c, i, "home", p, sizeof(p));
    add_mount(n, MOUNT_BIND, p, "/home/omm", 0);
    simcluster_node_dir(c, i, "roothome", p, sizeof(p));
    add_mount(n, MOUNT_BIND, p, "/root", 0);
    simcluster_node_dir(c, i, "install", p, sizeof(p));
    add_mount(n, MOUNT_BIND, p, c->install_root, 0);
    simcluster_node_dir(c, i, "data.img", p, sizeof(p));
    if (c->shape == SIM_SHAPE_FULL)
        add_mount(n, MOUNT_LOOP, p, c->data_mount, 0);
    snprintf(p, sizeof(p), "%s/hosts", c->state_dir);
    add_mount(n, MOUNT_BIND, p, "/etc/hosts", 0);
    if (simcluster_is_vm(c)) {
        struct vm_kernel k;
        char why[64];
        if (vmimage_kernel(&k, NULL) == 0)
            snprintf(n->kernel, sizeof(n->kernel), "%s", k.vmlinuz);
        snprintf(n->initrd, sizeof(n->initrd), "%s/%s", c->state_dir, VM_INITRD);
        simcluster_node_dir(c, i, "console.log", n->console_log, sizeof(n->console_log));
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
    if (simcluster_is_vm(c)) /* the VM's serial console: the kernel's and vminit's lines */
        simcluster_node_dir(c, i, "console.log", p, sizeof(p));
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
        simcluster_node_dir(c, i, "", nd, sizeof(nd));
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
    if (wait_port(c->nodes[i].ip, 22, simcluster_is_vm(c) ? VM_WAIT_MS : SSH_WAIT_MS) < 0) {
        char tail[700];
        log_tail(c, i, tail, sizeof(tail));
        return og_error_set(err, OG_E_SIM_NODE_DOWN,
                            "The node %s did not come up: sshd does not answer on %s:22 after "
                            "%d ms; its log ends with:\n%s",
                            c->nodes[i].name, c->nodes[i].ip,
                            simcluster_is_vm(c) ? VM_WAIT_MS : SSH_WAIT_MS, tail);
    }
    return 0;
}

/* A new node, and one it is possible to enter: libvirt sometimes loses a new
 * container's init pid (its controller's monitor closes at start; every
 * entry then fails with "Init pid is not yet available", seen about once in
 * five cluster suites): such a node is made again, once. */
int simcluster_start_node(struct simdriver *d, const struct sim_cluster *c, size_t i,
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
