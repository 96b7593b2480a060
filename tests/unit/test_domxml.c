/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * The libvirt XML the LXC and QEMU drivers write, parsed back with libxml2 and checked
 * element by element; the driver's lifecycle calls against libvirt's test
 * driver (test:///default), which needs no daemon.
 */
#include <archive.h>
#include <archive_entry.h>
#include <criterion/criterion.h>
#include <libxml/parser.h>
#include <libxml/xpath.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "domxml.h"
#include "fs.h"
#include "simdriver.h"
#include "vmimage.h"

#include "../helpers/tmpdir.h"

static xmlDocPtr parse(const struct dynbuf *b)
{
    xmlDocPtr d = xmlReadMemory(b->buf, (int)b->len, "x.xml", NULL, XML_PARSE_NONET);

    cr_assert_not_null(d, "not XML:\n%s", b->buf);
    return d;
}

static int count(xmlDocPtr d, const char *xpath)
{
    xmlXPathContextPtr ctx = xmlXPathNewContext(d);
    xmlXPathObjectPtr o = xmlXPathEvalExpression(BAD_CAST xpath, ctx);
    int n = o && o->nodesetval ? o->nodesetval->nodeNr : 0;

    xmlXPathFreeObject(o);
    xmlXPathFreeContext(ctx);
    return n;
}

static void fill_node(struct node_spec *n)
{
    memset(n, 0, sizeof(*n));
    snprintf(n->domain, sizeof(n->domain), "ogsim-c1-node1");
    snprintf(n->hostname, sizeof(n->hostname), "node1");
    snprintf(n->ip, sizeof(n->ip), "10.213.7.11");
    n->prefix = 24;
    snprintf(n->mac, sizeof(n->mac), "52:54:00:d5:07:0b");
    snprintf(n->veth, sizeof(n->veth), "ogv07n1");
    snprintf(n->network, sizeof(n->network), "ogsim-c1");
    n->memory_mib = 1024;
    snprintf(n->init, sizeof(n->init), "/var/lib/ogsim/c1/ogsim-init");
    snprintf(n->init_args[0], sizeof(n->init_args[0]), "node1");
    snprintf(n->init_args[1], sizeof(n->init_args[1]), "/x/sshd <config> & 'q'");
    n->n_init_args = 2;
    n->mounts[0] = (struct mount_spec){.kind = MOUNT_BIND_RO, .source = "/", .target = "/"};
    n->mounts[1] = (struct mount_spec){.kind = MOUNT_RAM, .target = "/run", .size_kib = 65536};
    n->mounts[2] =
        (struct mount_spec){.kind = MOUNT_BIND, .source = "/s/home", .target = "/home/omm"};
    n->mounts[3] = (struct mount_spec){
        .kind = MOUNT_LOOP, .source = "/s/data.img", .target = "/opt/ogsim/data"};
    n->n_mounts = 4;
}

Test(domxml, network_is_isolated)
{
    struct net_spec n = {
        .name = "ogsim-c1", .bridge = "ogbr07", .host_ip = "10.213.7.1", .prefix = 24};
    _cleanup_dynbuf_ struct dynbuf b = {0};
    xmlDocPtr d;

    dynbuf_init(&b, 1 << 16);
    cr_assert_eq(domxml_network(&n, &b), 0);
    d = parse(&b);
    cr_assert_eq(count(d, "/network/forward"), 0, "no <forward>: isolated");
    cr_assert_eq(count(d, "/network/ip/dhcp"), 0);
    cr_assert_eq(count(d, "/network/name[text()='ogsim-c1']"), 1);
    cr_assert_eq(count(d, "/network/bridge[@name='ogbr07']"), 1);
    cr_assert_eq(count(d, "/network/ip[@address='10.213.7.1' and @prefix='24']"), 1);
    xmlFreeDoc(d);
}

Test(domxml, domain_layout)
{
    struct node_spec n;
    _cleanup_dynbuf_ struct dynbuf b = {0};
    xmlDocPtr d;

    fill_node(&n);
    dynbuf_init(&b, 1 << 16);
    cr_assert_eq(domxml_lxc(&n, &b), 0);
    d = parse(&b);
    cr_assert_eq(count(d, "/domain[@type='lxc']/os/type[text()='exe']"), 1);
    cr_assert_eq(count(d, "/domain/os/init[text()='/var/lib/ogsim/c1/ogsim-init']"), 1);
    /* arguments are escaped by libxml2, and read back exactly */
    cr_assert_eq(count(d, "/domain/os/initarg[text()=\"/x/sshd <config> & 'q'\"]"), 1);
    cr_assert_eq(count(d, "/domain/features/privnet"), 1);
    /* the host root comes first, read-only */
    cr_assert_eq(count(d, "/domain/devices/filesystem[1][@type='mount']/readonly"), 1);
    cr_assert_eq(count(d, "/domain/devices/filesystem[1]/target[@dir='/']"), 1);
    cr_assert_eq(
        count(d, "/domain/devices/filesystem[@type='ram']/source[@usage='65536' and @units='KiB']"),
        1);
    cr_assert_eq(
        count(d, "/domain/devices/filesystem[@type='file']/driver[@type='loop' and @format='raw']"),
        1);
    cr_assert_eq(
        count(d, "/domain/devices/filesystem[@type='file']/target[@dir='/opt/ogsim/data']"), 1);
    cr_assert_eq(
        count(d,
              "/domain/devices/filesystem[@type='mount' and not(readonly)]/source[@dir='/s/home']"),
        1);
    /* fixed MAC, fixed host-side name, static IP */
    cr_assert_eq(
        count(d, "/domain/devices/interface[@type='network']/mac[@address='52:54:00:d5:07:0b']"),
        1);
    cr_assert_eq(count(d, "/domain/devices/interface/target[@dev='ogv07n1']"), 1);
    cr_assert_eq(count(d, "/domain/devices/interface/source[@network='ogsim-c1']"), 1);
    cr_assert_eq(count(d, "/domain/devices/interface/ip[@address='10.213.7.11' and @prefix='24']"),
                 1);
    cr_assert_eq(count(d, "/domain/memory[@unit='MiB' and text()='1024']"), 1);
    xmlFreeDoc(d);
}

Test(domxml, output_limit_is_an_error)
{
    struct node_spec n;
    _cleanup_dynbuf_ struct dynbuf b = {0};

    fill_node(&n);
    dynbuf_init(&b, 100);
    cr_assert_eq(domxml_lxc(&n, &b), -OG_E_TOO_LARGE);
}

/* The mounts a VM node gets (root, a tmpfs, a directory, a file, the disk). */
static void fill_vm(struct node_spec *n, const char *hosts)
{
    fill_node(n);
    snprintf(n->init_args[1], sizeof(n->init_args[1]), "/s/sshd_config");
    snprintf(n->init_args[2], sizeof(n->init_args[2]), "--agent");
    n->n_init_args = 3;
    n->mounts[0] = (struct mount_spec){.kind = MOUNT_BIND, .source = "/s/root", .target = "/"};
    n->mounts[4] =
        (struct mount_spec){.kind = MOUNT_BIND_RO, .source = "/s/snaps", .target = "/s/snaps"};
    n->mounts[5] = (struct mount_spec){.kind = MOUNT_BIND, .target = "/etc/hosts"};
    snprintf(n->mounts[5].source, sizeof(n->mounts[5].source), "%s", hosts);
    n->n_mounts = 6;
    snprintf(n->kernel, sizeof(n->kernel), "/k/vmlinuz-6.1");
    snprintf(n->initrd, sizeof(n->initrd), "/s/vm-initrd.img");
    snprintf(n->console_log, sizeof(n->console_log), "/s/console.log");
}

static char *text_of(xmlDocPtr d, const char *xpath)
{
    xmlXPathContextPtr ctx = xmlXPathNewContext(d);
    xmlXPathObjectPtr o = xmlXPathEvalExpression(BAD_CAST xpath, ctx);
    char *t = NULL;

    if (o && o->nodesetval && o->nodesetval->nodeNr == 1)
        t = (char *)xmlNodeGetContent(o->nodesetval->nodeTab[0]);
    xmlXPathFreeObject(o);
    xmlXPathFreeContext(ctx);
    cr_assert_not_null(t, "no single %s", xpath);
    return t;
}

/* Issue 17: the QEMU node's XML, and the kernel command line vminit.c reads. */
Test(domxml, qemu_domain_layout)
{
    struct node_spec n;
    _cleanup_dynbuf_ struct dynbuf b = {0};
    xmlDocPtr d;
    char *cmd;

    fill_vm(&n, "/etc/hostname"); /* a file: shared through its directory */
    dynbuf_init(&b, 1 << 16);
    cr_assert_eq(domxml_qemu(&n, &b), 0);
    d = parse(&b);
    cr_assert_eq(count(d, "/domain[@type='qemu']/os/type[@machine='q35' and text()='hvm']"), 1);
    cr_assert_eq(count(d, "/domain/os/kernel[text()='/k/vmlinuz-6.1']"), 1);
    cr_assert_eq(count(d, "/domain/os/initrd[text()='/s/vm-initrd.img']"), 1);
    cr_assert_eq(count(d, "/domain/features/tcg/tb-cache[@unit='MiB' and text()='256']"), 1);
    cr_assert_eq(count(d, "/domain/memoryBacking/source[@type='memfd']"), 1);
    cr_assert_eq(count(d, "/domain/memoryBacking/access[@mode='shared']"), 1);
    /* the root (cached), the home, the snapshots and /etc's share: virtiofs, chroot sandbox */
    cr_assert_eq(count(d, "/domain/devices/filesystem/driver[@type='virtiofs']"), 4);
    cr_assert_eq(count(d, "/domain/devices/filesystem/binary/sandbox[@mode='chroot']"), 4);
    cr_assert_eq(count(d, "/domain/devices/filesystem[source/@dir='/s/root' and target/@dir='r']"
                          "/binary/cache[@mode='always']"),
                 1);
    cr_assert_eq(count(d, "/domain/devices/filesystem[source/@dir='/s/home']/binary/cache[@mode="
                          "'none']"),
                 1);
    cr_assert_eq(count(d, "/domain/devices/filesystem/source[@dir='/etc']"), 1);
    /* the data image as a virtio disk; the NIC; the agent's port; the console in a file */
    cr_assert_eq(count(d, "/domain/devices/disk[source/@file='/s/data.img']/target[@dev='vda' "
                          "and @bus='virtio']"),
                 1);
    cr_assert_eq(count(d, "/domain/devices/interface[mac/@address='52:54:00:d5:07:0b']"
                          "/model[@type='virtio']"),
                 1);
    cr_assert_eq(count(d, "/domain/devices/interface/target[@dev='ogv07n1']"), 1);
    cr_assert_eq(count(d, "/domain/devices/channel/target[@name='org.qemu.guest_agent.0']"), 1);
    cr_assert_eq(count(d, "/domain/devices/serial[@type='file']/source[@path='/s/console.log']"),
                 1);
    cr_assert_eq(count(d, "/domain/seclabel[@model='dac' and @relabel='no']"), 1);
    cmd = text_of(d, "/domain/os/cmdline");
    cr_assert_not_null(strstr(cmd, " ogsim.ip=10.213.7.11/24 "), "%s", cmd);
    cr_assert_not_null(strstr(cmd, " ogsim.init=/var/lib/ogsim/c1/ogsim-init "), "%s", cmd);
    cr_assert_not_null(strstr(cmd, " ogsim.arg=node1 ogsim.arg=/s/sshd_config ogsim.arg=--agent"),
                       "%s", cmd);
    /* the mounts in spec order: tmpfs, share, disk, read-only share, file */
    cr_assert_not_null(strstr(cmd, " ogsim.root=r ogsim.m=ram:65536:/run ogsim.m=fs:m2:/home/omm "
                                   "ogsim.m=blk:vda:/opt/ogsim/data ogsim.m=fsro:m4:/s/snaps "
                                   "ogsim.m=file:m5:hostname:/etc/hosts"),
                       "%s", cmd);
    xmlFree(cmd);
    xmlFreeDoc(d);
    /* KVM: no TCG cache, the host's CPU */
    n.kvm = true;
    dynbuf_reset(&b);
    cr_assert_eq(domxml_qemu(&n, &b), 0);
    d = parse(&b);
    cr_assert_eq(count(d, "/domain[@type='kvm']/cpu[@mode='host-passthrough']"), 1);
    cr_assert_eq(count(d, "/domain/features/tcg"), 0);
    xmlFreeDoc(d);
}

/* What the guest's init could not split is refused, nothing written. */
Test(domxml, qemu_refuses_what_the_command_line_cannot_carry)
{
    struct node_spec n;
    _cleanup_dynbuf_ struct dynbuf b = {0};

    dynbuf_init(&b, 1 << 16);
    fill_vm(&n, "/etc/hostname");
    snprintf(n.mounts[2].target, sizeof(n.mounts[2].target), "/home/o mm");
    cr_assert_eq(domxml_qemu(&n, &b), -OG_E_PARAM_INVALID);
    fill_vm(&n, "/etc/hostname");
    snprintf(n.mounts[2].source, sizeof(n.mounts[2].source), "/s/a:b");
    cr_assert_eq(domxml_qemu(&n, &b), -OG_E_PARAM_INVALID);
    fill_vm(&n, "/etc/hostname");
    snprintf(n.init_args[1], sizeof(n.init_args[1]), "two words");
    cr_assert_eq(domxml_qemu(&n, &b), -OG_E_PARAM_INVALID);
    fill_vm(&n, "/etc/hostname");
    for (size_t i = 6; i < NODESPEC_MAX_MOUNTS; i++) { /* ~2.2 KiB of command line */
        n.mounts[i] = (struct mount_spec){.kind = MOUNT_RAM, .size_kib = 1};
        memset(n.mounts[i].target, 'x', 300);
        n.mounts[i].target[0] = '/';
    }
    n.n_mounts = NODESPEC_MAX_MOUNTS;
    cr_assert_eq(domxml_qemu(&n, &b), -OG_E_PARAM_INVALID);
    cr_assert_eq(b.len, 0);
}

/* libvirt's test driver: network lifecycle and the coded errors. */
Test(simdriver, lifecycle_on_test_driver)
{
    struct simdriver *d = NULL;
    struct og_error err = {0};
    struct net_spec n = {
        .name = "ogsim-unit", .bridge = "ogbrunit", .host_ip = "10.213.250.1", .prefix = 24};
    struct command_result res = {0};
    const char *argv[] = {"true", NULL};

    cr_assert_eq(simdriver_open("lxc", "test:///default", &d, &err), 0, "%s", err.detail);
    cr_assert_str_eq(simdriver_uri(d), "test:///default");
    cr_assert_str_eq(simdriver_ops(d)->name, "lxc");
    cr_assert_not(simdriver_ops(d)->net_exists(d, "ogsim-unit"));
    cr_assert_eq(simdriver_ops(d)->net_create(d, &n, &err), 0, "%s", err.detail);
    cr_assert(simdriver_ops(d)->net_exists(d, "ogsim-unit"));
    cr_assert_eq(simdriver_ops(d)->net_create(d, &n, &err), -OG_E_SIM_EXISTS, "%s", err.detail);
    cr_assert_eq(simdriver_ops(d)->net_destroy(d, "ogsim-unit", &err), 0);
    cr_assert_not(simdriver_ops(d)->net_exists(d, "ogsim-unit"));
    cr_assert_eq(simdriver_ops(d)->net_destroy(d, "ogsim-unit", &err), 0, "idempotent");
    /* the test driver's own domain "test" exists; ours do not */
    cr_assert_eq(simdriver_ops(d)->node_state(d, "test"), NODE_RUNNING);
    cr_assert_eq(simdriver_ops(d)->node_state(d, "ogsim-none"), NODE_ABSENT);
    cr_assert_eq(simdriver_ops(d)->node_destroy(d, "ogsim-none", &err), 0, "idempotent");
    cr_assert_eq(simdriver_ops(d)->node_suspend(d, "test", true, &err), 0, "%s", err.detail);
    cr_assert_eq(simdriver_ops(d)->node_state(d, "test"), NODE_PAUSED);
    cr_assert_eq(simdriver_ops(d)->node_suspend(d, "test", false, &err), 0);
    cr_assert_eq(simdriver_ops(d)->node_suspend(d, "ogsim-none", true, &err), -OG_E_SIM_NODE_DOWN);
    cr_assert_eq(
        simdriver_ops(d)->node_exec(d, "ogsim-none", 0, 0, "/", argv, NULL, 1000, &res, &err),
        -OG_E_SIM_NODE_DOWN);
    simdriver_close(d);
    simdriver_close(NULL);
}

Test(simdriver, bad_driver_and_uri_are_coded)
{
    struct simdriver *d = NULL;
    struct og_error err = {0};

    cr_assert_eq(simdriver_open("vmware", NULL, &d, &err), -OG_E_PARAM_INVALID);
    cr_assert_eq(simdriver_open("lxc", "bogus:///nowhere", &d, &err), -OG_E_SIM_LIBVIRT);
    cr_assert_eq(err.code, OG_E_SIM_LIBVIRT);
}

/* The initramfs: read back with libarchive, entry by entry. */
static void touch(const char *dir, const char *rel, const char *text)
{
    char p[512];
    FILE *f;

    snprintf(p, sizeof(p), "%s/%s", dir, rel);
    for (char *s = strchr(p + strlen(dir) + 1, '/'); s; s = strchr(s + 1, '/')) {
        *s = '\0';
        mkdir(p, 0755);
        *s = '/';
    }
    f = fopen(p, "w");
    cr_assert_not_null(f, "%s", p);
    fputs(text, f);
    fclose(f);
}

/* the initramfs test's scratch directory, removed by its .fini when the
 * test stopped before removing it itself */
static char vm_dir[256];

static void vm_dir_done(void)
{
    tmpdir_remove(vm_dir);
}

Test(vmimage, initramfs_holds_init_console_and_modules_in_order, .fini = vm_dir_done)
{
    char out[600];
    struct og_error err = {0};
    struct vm_kernel k;
    struct archive *a;
    struct archive_entry *e;
    size_t n_mod = 0;
    bool saw_init = false, saw_console = false;

    cr_assert_eq(tmpdir_make("domxml", vm_dir, sizeof(vm_dir)), 0);
    setenv("OGSIM_VM_KERNEL_DIR", vm_dir, 1);
    /* no kernel yet: coded, naming ci/setup.sh */
    cr_assert_eq(vmimage_kernel(&k, &err), -OG_E_NOT_EXIST);
    cr_assert_not_null(strstr(err.detail, "ci/setup.sh"), "%s", err.detail);
    touch(vm_dir, "boot/vmlinuz-6.1.0-test", "kernel");
    cr_assert_eq(vmimage_kernel(&k, &err), 0, "%s", err.detail);
    cr_assert_str_eq(k.release, "6.1.0-test");
    snprintf(out, sizeof(out), "%s/initrd.img", vm_dir);
    /* a module missing: refused, nothing written */
    cr_assert_eq(vmimage_initrd(&k, "/bin/true", out, &err), -OG_E_NOT_EXIST);
    cr_assert_neq(access(out, F_OK), 0);
    for (size_t i = 0; vmimage_modules[i]; i++) {
        char rel[256];
        snprintf(rel, sizeof(rel), "lib/modules/6.1.0-test/kernel/%s.ko", vmimage_modules[i]);
        touch(vm_dir, rel, vmimage_modules[i]);
    }
    cr_assert_eq(vmimage_initrd(&k, "/bin/true", out, &err), 0, "%s", err.detail);
    a = archive_read_new();
    archive_read_support_format_cpio(a);
    cr_assert_eq(archive_read_open_filename(a, out, 16384), ARCHIVE_OK);
    while (archive_read_next_header(a, &e) == ARCHIVE_OK) {
        const char *p = archive_entry_pathname(e);
        if (strcmp(p, "init") == 0) {
            saw_init = true;
            cr_assert_eq(archive_entry_perm(e), 0755);
        } else if (strcmp(p, "dev/console") == 0) {
            saw_console = archive_entry_filetype(e) == AE_IFCHR &&
                          archive_entry_rdevmajor(e) == 5 && archive_entry_rdevminor(e) == 1;
        } else if (strncmp(p, "modules/", 8) == 0 && archive_entry_filetype(e) == AE_IFREG) {
            char want[80], body[256] = "";
            snprintf(want, sizeof(want), "modules/%02zu-%s.ko", n_mod,
                     strrchr(vmimage_modules[n_mod], '/') + 1);
            cr_assert_str_eq(p, want, "module %zu out of order", n_mod);
            archive_read_data(a, body, sizeof(body) - 1);
            cr_assert_str_eq(body, vmimage_modules[n_mod]); /* the right file's content */
            n_mod++;
        }
    }
    archive_read_free(a);
    cr_assert(saw_init && saw_console);
    cr_assert_eq(vmimage_modules[n_mod], NULL, "only %zu modules packed", n_mod);
    unsetenv("OGSIM_VM_KERNEL_DIR");
    cr_assert_eq(fs_remove_tree(vm_dir, NULL), 0);
}
