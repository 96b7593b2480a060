/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * ogsim-vminit - PID 1 of a QEMU node's initramfs (static; vmimage.c packs
 * it with the guest kernel's modules). It turns the kernel command line the
 * QEMU driver wrote into the node LXC nodes get from libvirt, then hands
 * over to the node's own init (nodeinit.c):
 *   1. proc, sys, devtmpfs; the modules in /modules in name order;
 *   2. the node's root from the virtiofs share ogsim.root=TAG (the host-side
 *      overlay noderoot.c made: the same root an LXC node has);
 *   3. the root switched to it (/dev, /proc, /sys moved in), then every
 *      ogsim.m=SPEC in order:
 *        fs:TAG:TARGET      a virtiofs share, read-write
 *        fsro:TAG:TARGET    the same, read-only
 *        file:TAG:NAME:TARGET  NAME of share TAG bound on the file TARGET
 *        ram:KIB:TARGET     a tmpfs of KIB KiB
 *        blk:DEV:TARGET     the ext4 disk /dev/DEV (the data disk: real ENOSPC)
 *   4. eth0 at ogsim.ip=A.B.C.D/PREFIX, lo up;
 *   5. ogsim.init run with each ogsim.arg=ARG.
 * Anything that fails is printed on the console (the domain's log file) and
 * the VM powers off: the driver sees sshd never answer and shows that log.
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "parse.h"

#define NEWROOT  "/newroot"
#define MAX_ARGS 8
#define MAX_MNTS 16

static char *root_tag, *ip_arg, *init_path, *init_args[MAX_ARGS + 2], *mounts[MAX_MNTS];
static int n_args, n_mounts;

static void die(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    fputs("ogsim-vminit: ", stderr);
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, " (%s)\n", strerror(errno));
    va_end(ap);
    sync();
    reboot(RB_POWER_OFF);
    _exit(1);
}

static void mkdirs(const char *path)
{
    char p[4096];

    snprintf(p, sizeof(p), "%s", path);
    for (char *s = p + 1; *s; s++) {
        if (*s == '/') {
            *s = '\0';
            mkdir(p, 0755);
            *s = '/';
        }
    }
    mkdir(p, 0755);
}

/* Devices appear as their drivers probe: retried for up to 10 s. */
static void mount_retry(const char *src, const char *dst, const char *type, unsigned long flags,
                        const char *data)
{
    for (int i = 0; mount(src, dst, type, flags, data) < 0; i++) {
        if (i == 200)
            die("mount %s (%s) on %s", src, type, dst);
        usleep(50 * 1000);
    }
}

static void load_modules(void)
{
    struct dirent **names;
    int n = scandir("/modules", &names, NULL, alphasort);

    for (int i = 0; i < n; i++) {
        char p[512];
        int fd;
        snprintf(p, sizeof(p), "/modules/%s", names[i]->d_name);
        fd = names[i]->d_name[0] == '.' ? -1 : open(p, O_RDONLY | O_CLOEXEC);
        if (fd >= 0 && syscall(SYS_finit_module, fd, "", 0) < 0 && errno != EEXIST)
            fprintf(stderr, "ogsim-vminit: module %s: %s\n", p, strerror(errno));
        if (fd >= 0)
            close(fd);
        free(names[i]);
    }
    free(names);
}

static void parse_cmdline(void)
{
    static char buf[4096];
    int fd = open("/proc/cmdline", O_RDONLY);
    ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);

    if (n <= 0)
        die("read /proc/cmdline");
    buf[n] = '\0';
    for (char *save = NULL, *w = strtok_r(buf, " \n", &save); w; w = strtok_r(NULL, " \n", &save)) {
        if (strncmp(w, "ogsim.root=", 11) == 0)
            root_tag = w + 11;
        else if (strncmp(w, "ogsim.ip=", 9) == 0)
            ip_arg = w + 9;
        else if (strncmp(w, "ogsim.init=", 11) == 0)
            init_path = w + 11;
        else if (strncmp(w, "ogsim.arg=", 10) == 0 && n_args < MAX_ARGS)
            init_args[1 + n_args++] = w + 10;
        else if (strncmp(w, "ogsim.m=", 8) == 0 && n_mounts < MAX_MNTS)
            mounts[n_mounts++] = w + 8;
    }
    if (!root_tag || !ip_arg || !init_path)
        die("ogsim.root, ogsim.ip and ogsim.init are needed on the command line");
    init_args[0] = init_path;
}

/* "kind:a:b[:c]" split in place; the number of fields. */
static int fields(char *spec, char **f, int max)
{
    int n = 0;

    for (char *s = spec; n < max; n++) {
        f[n] = s;
        s = strchr(s, ':');
        if (!s)
            return n + 1;
        *s++ = '\0';
    }
    return n;
}

static void do_mount(char *spec)
{
    char *f[4], target[4096], share[4096], file[4096];
    int n = fields(spec, f, 4);

    snprintf(target, sizeof(target), "%s", f[n - 1]);
    if (n == 3 && (strcmp(f[0], "fs") == 0 || strcmp(f[0], "fsro") == 0)) {
        mkdirs(target);
        mount_retry(f[1], target, "virtiofs", f[0][2] ? MS_RDONLY : 0, NULL);
    } else if (n == 4 && strcmp(f[0], "file") == 0) {
        /* the share in the node's /run (mounted before: the spec order), the file bound */
        snprintf(share, sizeof(share), "/run/ogsim-share/%s", f[1]);
        snprintf(file, sizeof(file), "%s/%s", share, f[2]);
        mkdirs(share);
        mount_retry(f[1], share, "virtiofs", 0, NULL);
        mount_retry(file, target, NULL, MS_BIND, NULL);
    } else if (n == 3 && strcmp(f[0], "ram") == 0) {
        char opt[64];
        snprintf(opt, sizeof(opt), "size=%sk,mode=1777", f[1]);
        mkdirs(target);
        mount_retry("tmpfs", target, "tmpfs", MS_NOSUID | MS_NODEV, opt);
    } else if (n == 3 && strcmp(f[0], "blk") == 0) {
        snprintf(file, sizeof(file), "/dev/%s", f[1]);
        mkdirs(target);
        mount_retry(file, target, "ext4", 0, NULL);
    } else {
        errno = EINVAL;
        die("bad mount spec \"%s\"", f[0]);
    }
}

static void if_up(int s, const char *name, const char *ip, int prefix)
{
    struct ifreq ifr = {0};
    struct sockaddr_in *a = (struct sockaddr_in *)&ifr.ifr_addr;

    snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
    if (ip) {
        a->sin_family = AF_INET;
        if (inet_pton(AF_INET, ip, &a->sin_addr) != 1)
            die("bad address \"%s\"", ip);
        if (ioctl(s, SIOCSIFADDR, &ifr) < 0)
            die("address %s on %s", ip, name);
        a->sin_addr.s_addr = htonl(prefix ? ~0u << (32 - prefix) : 0);
        if (ioctl(s, SIOCSIFNETMASK, &ifr) < 0)
            die("netmask /%d on %s", prefix, name);
    }
    if (ioctl(s, SIOCGIFFLAGS, &ifr) < 0)
        die("flags of %s", name);
    ifr.ifr_flags |= IFF_UP;
    for (int i = 0; ioctl(s, SIOCSIFFLAGS, &ifr) < 0; i++) {
        if (i == 200)
            die("bring %s up", name);
        usleep(50 * 1000);
    }
}

static void network(void)
{
    char ip[64], *slash;
    int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), prefix;

    snprintf(ip, sizeof(ip), "%s", ip_arg);
    slash = strchr(ip, '/');
    if (s < 0 || !slash || safe_atoi_range(slash + 1, 0, 32, &prefix) < 0)
        die("network setup for \"%s\"", ip_arg);
    *slash = '\0';
    if_up(s, "lo", NULL, 0);
    if_up(s, "eth0", ip, prefix);
    close(s);
}

int main(void)
{
    mkdir("/proc", 0555);
    mkdir("/sys", 0555);
    mkdir("/dev", 0755);
    mount("proc", "/proc", "proc", 0, NULL);
    mount("sysfs", "/sys", "sysfs", 0, NULL);
    mount("devtmpfs", "/dev", "devtmpfs", 0, NULL);
    parse_cmdline();
    load_modules();
    mkdir(NEWROOT, 0755);
    mount_retry(root_tag, NEWROOT, "virtiofs", 0, NULL);
    /* moved first: a mount under /dev (the node's /dev/shm) lands on them */
    if (mount("/dev", NEWROOT "/dev", NULL, MS_MOVE, NULL) < 0 ||
        mount("/proc", NEWROOT "/proc", NULL, MS_MOVE, NULL) < 0 ||
        mount("/sys", NEWROOT "/sys", NULL, MS_MOVE, NULL) < 0)
        die("move /dev, /proc, /sys");
    /* the root switched before the mounts: they are made (and named, as
     * mount(8) and df show them) with the node's own paths */
    if (chdir(NEWROOT) < 0 || mount(".", "/", NULL, MS_MOVE, NULL) < 0 || chroot(".") < 0 ||
        chdir("/") < 0)
        die("switch to the node's root");
    mkdir("/dev/pts", 0755);
    mount("devpts", "/dev/pts", "devpts", 0, "gid=5,mode=620,ptmxmode=666");
    /* what udev (or libvirt, in a container) would add: programs read
     * /dev/fd/N (gsql -f /dev/fd/3 failed without it) and /dev/std* */
    symlink("/proc/self/fd", "/dev/fd");
    symlink("/proc/self/fd/0", "/dev/stdin");
    symlink("/proc/self/fd/1", "/dev/stdout");
    symlink("/proc/self/fd/2", "/dev/stderr");
    for (int i = 0; i < n_mounts; i++)
        do_mount(mounts[i]);
    network();
    execv(init_path, init_args);
    die("run %s", init_path);
}
