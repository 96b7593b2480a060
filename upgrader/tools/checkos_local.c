/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * gs_checkos's node side for the checking items A1..A14: what openGauss's
 * script/local/LocalCheckOS.py and LocalCheck.py (v5.0.0) read on one node,
 * printed as "<item>\t<kind>\t<text>" lines (checkos.h). The nodes are
 * Debian 12 LXC containers over a shared host kernel: what a container
 * cannot see as openGauss does (fdisk, blockdev on /dev nodes it lacks) is
 * read from /proc and /sys, which show the host's values.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <ifaddrs.h>
#include <limits.h>
#include <mntent.h>
#include <net/if.h>
#include <netdb.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/timex.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <sys/sysmacros.h>

#include "checkos.h"
#include "fs.h"
#include "parse.h"
#include "staticconfig.h"
#include "banned.h"

#define DISK_WARN_PCT 80   /* the upgrade guide, 2.2.6: below 80 % */
#define EXPECT_MTU    8192 /* check_list.conf [/sbin/ifconfig] MTU */

DEFINE_TRIVIAL_CLEANUP_FUNC(FILE *, endmntent)

void checkos_emit(struct dynbuf *o, int item, const char *kind, const char *fmt, ...)
{
    char text[1024];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(text, sizeof(text), fmt, ap);
    va_end(ap);
    for (char *p = text; *p; p++)
        if (*p == '\t' || *p == '\n' || *p == '\r')
            *p = ' ';
    if (!o)
        return;
    if (item < CHECKOS_N_A)
        dynbuf_addf(o, "A%d\t%s\t%s\n", item + 1, kind, text);
    else
        dynbuf_addf(o, "B%d\t%s\t%s\n", item - CHECKOS_N_A + 1, kind, text);
}

/* The first line of a small file, without the newline. */
int checkos_read_line(const char *path, char *buf, size_t size)
{
    _cleanup_fclose_ FILE *f = fopen(path, "re");

    if (!f || !fgets(buf, (int)size, f))
        return -1;
    buf[strcspn(buf, "\n")] = '\0';
    return 0;
}

long long checkos_kernel_num(const char *s)
{
    char buf[64];
    size_t n;
    long long v;

    s += strspn(s, " \t\n");
    n = strlen(s);
    while (n && strchr(" \t\n", s[n - 1]))
        n--;
    if (n >= sizeof(buf))
        return 0;
    snprintf(buf, sizeof(buf), "%.*s", (int)n, s);
    return safe_atolli(buf, &v) == 0 ? v : 0;
}

/* The installed cluster and this node in it, when the env says where. */
struct local_ctx {
    bool have_cfg;
    struct cluster_config cfg;
    const struct cluster_node *self;
};

static void local_ctx_init(struct local_ctx *l)
{
    const char *home = getenv("GAUSSHOME");
    char path[PATH_MAX], host[256] = "";

    memset(l, 0, sizeof(*l));
    if (!home || !home[0])
        return;
    snprintf(path, sizeof(path), "%s/bin/cluster_static_config", home);
    if (staticconfig_read(path, &l->cfg, NULL) < 0)
        return;
    l->have_cfg = true;
    gethostname(host, sizeof(host) - 1);
    l->self = clusterconfig_find_node(&l->cfg, host);
}

static void check_os_version(struct dynbuf *o)
{
    static const char *const known[] = {"debian",   "openEuler", "centos", "redhat",  "euleros",
                                        "FusionOS", "kylin",     "uos",    "asianux", "H3Linux",
                                        "NingOS",   "bclinux",   "sles",   "SuSE"};
    _cleanup_fclose_ FILE *f = fopen("/etc/os-release", "re");
    char line[512], id[64] = "", ver[64] = "";
    bool ok = false;

    while (f && fgets(line, sizeof(line), f)) {
        char *v = strchr(line, '=');
        if (!v)
            continue;
        *v++ = '\0';
        v[strcspn(v, "\n")] = '\0';
        if (*v == '"') {
            v++;
            v[strcspn(v, "\"")] = '\0';
        }
        if (strcmp(line, "ID") == 0)
            snprintf(id, sizeof(id), "%s", v);
        else if (strcmp(line, "VERSION_ID") == 0)
            snprintf(ver, sizeof(ver), "%s", v);
    }
    for (size_t i = 0; i < ELEMENTSOF(known); i++)
        ok = ok || strcasecmp(id, known[i]) == 0;
    if (!id[0]) {
        checkos_emit(o, 0, "abnormal", "Failed to obtain platform information.");
        return;
    }
    checkos_emit(o, 0, "value", "%s", id);
    checkos_emit(o, 0, "info", "%s_%s_%dbit", id, ver, (int)sizeof(void *) * 8);
    if (!ok)
        checkos_emit(o, 0, "abnormal", "%s_%s_%dbit", id, ver, (int)sizeof(void *) * 8);
}

static void check_meminfo(struct dynbuf *o)
{
    _cleanup_fclose_ FILE *f = fopen("/proc/meminfo", "re");
    char line[256];
    long long mem = -1, swap = -1, v;

    while (f && fgets(line, sizeof(line), f)) {
        if (sscanf(line, "MemTotal: %lld", &v) == 1)
            mem = v * 1024;
        else if (sscanf(line, "SwapTotal: %lld", &v) == 1)
            swap = v * 1024;
    }
    if (mem < 0 || swap < 0)
        checkos_emit(o, 4, "abnormal", "Failed to obtain memory information from /proc/meminfo.");
    else if (swap > mem)
        checkos_emit(o, 4, "warn", "SwapMemory %lld TotalMemory %lld", swap, mem);
}

/* Containers share the host's network sysctls: openGauss skips these
 * (LocalCheck.py docker_no_need_check) when /proc/1/cgroup says so. */
bool checkos_in_container(void)
{
    static const char *const marks[] = {"docker", "lxc", "kubepods", "machine.slice"};
    _cleanup_fclose_ FILE *f = fopen("/proc/1/cgroup", "re");
    char line[1024];

    if (access("/run/.containerenv", F_OK) == 0 || access("/.dockerenv", F_OK) == 0 ||
        access("/run/systemd/container", F_OK) == 0)
        return true;
    while (f && fgets(line, sizeof(line), f))
        for (size_t i = 0; i < ELEMENTSOF(marks); i++)
            if (strstr(line, marks[i]))
                return true;
    /* libvirt LXC gives pid 1 "container=lxc-libvirt" (readable by root
     * only, as systemd-detect-virt reads it) */
    {
        _cleanup_free_ char *env = NULL;
        size_t len = 0;
        if (fs_read_file("/proc/1/environ", 64 * 1024, &env, &len, NULL) == 0)
            for (size_t i = 0; i < len; i += strlen(env + i) + 1)
                if (strncmp(env + i, "container=", 10) == 0)
                    return true;
    }
    return false;
}

/* one key of openGauss's setParameterList */
static void sysctl_push(struct checkos_sysctl *set, size_t max, size_t *n_set, const char *key,
                        const char *value)
{
    if (!set || *n_set >= max)
        return;
    snprintf(set[*n_set].key, sizeof(set[0].key), "%s", key);
    snprintf(set[(*n_set)++].value, sizeof(set[0].value), "%s", value);
}

/* "a\tb  c" -> "a b c" (tabs in /proc, spaces in the conf) */
static void words_norm(const char *in, char *out, size_t size)
{
    char *w, *save = NULL, tmp[256];
    size_t n = 0;

    snprintf(tmp, sizeof(tmp), "%s", in);
    out[0] = '\0';
    for (w = strtok_r(tmp, " \t", &save); w; w = strtok_r(NULL, " \t", &save))
        n += (size_t)snprintf(out + n, n < size ? size - n : 0, "%s%s", n ? " " : "", w);
}

/* check_list.conf: [/etc/sysctl.conf] (a difference is Abnormal) and
 * [SUGGEST:/etc/sysctl.conf] (a Warning). */
static const struct sysctl_param {
    const char *key, *expect;
    bool suggest, container_skip;
} sysctl_params[] = {
    {"net.ipv4.tcp_max_tw_buckets", "10000", false, true},
    {"net.ipv4.tcp_tw_reuse", "1", false, true},
    {"net.ipv4.tcp_tw_recycle", "1", false, true},
    {"net.ipv4.tcp_keepalive_time", "30", false, false},
    {"net.ipv4.tcp_keepalive_intvl", "30", false, false},
    {"net.ipv4.tcp_keepalive_probes", "9", false, false},
    {"net.ipv4.tcp_retries2", "12", false, true},
    {"net.core.wmem_max", "21299200", false, true},
    {"net.core.rmem_max", "21299200", false, true},
    {"net.core.wmem_default", "21299200", false, true},
    {"net.core.rmem_default", "21299200", false, true},
    {"kernel.sem", "250 6400000 1000 25600", false, false},
    {"net.ipv4.tcp_rmem", "8192 250000 16777216", false, true},
    {"net.ipv4.tcp_wmem", "8192 250000 16777216", false, true},
    {"vm.min_free_kbytes", NULL, false, false},
    {"net.core.netdev_max_backlog", "65535", false, true},
    {"net.ipv4.tcp_max_syn_backlog", "65535", false, true},
    {"net.core.somaxconn", "65535", false, false},
    {"net.ipv4.tcp_syncookies", "1", false, true},
    {"vm.overcommit_memory", "0", false, false},
    {"kernel.shmall", "1152921504606846720", false, false},
    {"kernel.shmmax", "18446744073709551615", false, false},
    {"net.ipv4.ip_local_port_range", "26000 65535", true, false},
    {"net.ipv4.tcp_fin_timeout", "60", true, true},
    {"net.ipv4.tcp_sack", "1", true, true},
    {"net.ipv4.tcp_timestamps", "1", true, true},
    {"net.ipv4.tcp_retries1", "5", true, true},
    {"net.ipv4.tcp_syn_retries", "5", true, true},
    {"net.ipv4.tcp_synack_retries", "5", true, true},
    {"vm.extfrag_threshold", "500", true, false},
    {"vm.overcommit_ratio", "90", true, false},
};

/* Where the A6 check reports (o) and what B1 would set (set, may be NULL). */
struct sysctl_out {
    struct dynbuf *o;
    struct checkos_sysctl *set;
    size_t max, *n_set;
};

/* vm.min_free_kbytes: 5 % of memory, +-10 % */
static void check_min_free_kbytes(struct sysctl_out *s, const char *key, const char *real,
                                  const char *norm_real)
{
    _cleanup_fclose_ FILE *f = fopen("/proc/meminfo", "re");
    char line[256], want[64];
    long long kb = 0, v = checkos_kernel_num(real);

    while (f && fgets(line, sizeof(line), f) && sscanf(line, "MemTotal: %lld", &kb) != 1)
        ;
    snprintf(want, sizeof(want), "%lld", kb * 5 / 100);
    if (kb > 0 && (v > kb * 5 / 100 * 11 / 10 || v < kb * 5 / 100 * 9 / 10)) {
        checkos_emit(s->o, 5, "warn",
                     "Warning reason: variable '%s' RealValue '%s' ExpectedValue '%s'.", key,
                     norm_real, want);
        sysctl_push(s->set, s->max, s->n_set, key, want);
    }
}

static void check_sysctl_param(struct sysctl_out *s, const struct sysctl_param *p)
{
    char path[256], real[256], norm_real[256];

    snprintf(path, sizeof(path), "/proc/sys/%s", p->key);
    for (char *c = path + 10; *c; c++)
        if (*c == '.')
            *c = '/';
    if (checkos_read_line(path, real, sizeof(real)) < 0) {
        /* newer kernels dropped tcp_tw_recycle: openGauss skips it */
        if (strcmp(p->key, "net.ipv4.tcp_tw_recycle") == 0 && errno == ENOENT)
            return;
        checkos_emit(s->o, 5, "abnormal",
                     "Abnormal reason: Failed to obtain the OS kernel parameter [%s].", p->key);
        if (p->expect)
            sysctl_push(s->set, s->max, s->n_set, p->key, p->expect);
        return;
    }
    words_norm(real, norm_real, sizeof(norm_real));
    if (!p->expect) {
        check_min_free_kbytes(s, p->key, real, norm_real);
        return;
    }
    if (strcmp(p->key, "net.ipv4.ip_local_port_range") == 0) {
        int lo = 0, hi = 0;
        if (sscanf(norm_real, "%d %d", &lo, &hi) == 2 && (lo < 26000 || hi > 65535))
            checkos_emit(s->o, 5, "warn",
                         "Warning reason: variable '%s' RealValue '%s' ExpectedValue '%s'.", p->key,
                         norm_real, p->expect);
        return;
    }
    if (strcmp(norm_real, p->expect) == 0)
        return;
    if (strcmp(p->key, "vm.overcommit_ratio") == 0) {
        char oc[32];
        if (checkos_read_line("/proc/sys/vm/overcommit_memory", oc, sizeof(oc)) == 0 &&
            strcmp(oc, "0") == 0)
            return;
    }
    checkos_emit(s->o, 5, p->suggest ? "warn" : "abnormal",
                 "%s reason: variable '%s' RealValue '%s' ExpectedValue '%s'.",
                 p->suggest ? "Warning" : "Abnormal", p->key, norm_real, p->expect);
    if (!p->suggest) /* LocalCheck.py:269-275: only these are set */
        sysctl_push(s->set, s->max, s->n_set, p->key, p->expect);
}

void checkos_check_sysctl(struct dynbuf *o, struct checkos_sysctl *set, size_t max, size_t *n_set)
{
    struct sysctl_out s = {.o = o, .set = set, .max = max, .n_set = n_set};
    bool container = checkos_in_container();

    if (n_set)
        *n_set = 0;
    for (size_t i = 0; i < ELEMENTSOF(sysctl_params); i++)
        if (!container || !sysctl_params[i].container_skip)
            check_sysctl_param(&s, &sysctl_params[i]);
}

/* soft and hard of item, openGauss's table (LocalCheck.py:411-441) */
static void limit_push(struct checkos_limit *set, size_t max, size_t *n_set, const char *item,
                       const char *value)
{
    if (!set || *n_set >= max)
        return;
    snprintf(set[*n_set].item, sizeof(set[0].item), "%s", item);
    snprintf(set[(*n_set)++].value, sizeof(set[0].value), "%s", value);
}

void checkos_check_limits(struct dynbuf *o, struct checkos_limit *set, size_t max, size_t *n_set)
{
    /* check_list.conf [/etc/security/limits.conf], as `ulimit -a` reports */
    static const struct {
        const char *name;
        int res;
        long long want; /* -1: unlimited */
        long long unit;
        bool abnormal;
        const char *conf; /* its limits.conf item */
    } lim[] = {
        {"open files", RLIMIT_NOFILE, 1000000, 1, false, "nofile"},
        {"stack size", RLIMIT_STACK, 3072, 1024, true, "stack"},
        {"virtual memory", RLIMIT_AS, -1, 1024, false, "as"},
        {"max user processes", RLIMIT_NPROC, -1, 1, false, "nproc"},
    };

    if (n_set)
        *n_set = 0;

    for (size_t i = 0; i < ELEMENTSOF(lim); i++) {
        struct rlimit rl;
        char real[32];
        if (getrlimit(lim[i].res, &rl) < 0) {
            checkos_emit(o, 6, "abnormal", "Failed to obtain '%s'.", lim[i].name);
            continue;
        }
        if (rl.rlim_cur == RLIM_INFINITY)
            snprintf(real, sizeof(real), "unlimited");
        else
            snprintf(real, sizeof(real), "%llu",
                     (unsigned long long)rl.rlim_cur / (unsigned long long)lim[i].unit);
        if (lim[i].want < 0) {
            if (rl.rlim_cur != RLIM_INFINITY) {
                checkos_emit(o, 6, "warn",
                             "Warning reason: variable '%s' RealValue '%s' ExpectedValue "
                             "'unlimited'",
                             lim[i].name, real);
                limit_push(set, max, n_set, lim[i].conf, "unlimited");
            }
        } else if (rl.rlim_cur != RLIM_INFINITY &&
                   (long long)(rl.rlim_cur / (rlim_t)lim[i].unit) < lim[i].want) {
            char want[32];
            snprintf(want, sizeof(want), "%lld", lim[i].want);
            checkos_emit(o, 6, lim[i].abnormal ? "abnormal" : "warn",
                         "%s reason: variable '%s' RealValue '%s' ExpectedValue '%lld'",
                         lim[i].abnormal ? "Abnormal" : "Warning", lim[i].name, real, lim[i].want);
            limit_push(set, max, n_set, lim[i].conf, want);
        }
    }
}

/* The mount entry holding path (longest mount point prefix). */
static int mount_of(const char *path, char *dev, size_t dsize, char *dir, size_t dirsize)
{
    _cleanup_(endmntentp) FILE *f = setmntent("/proc/self/mounts", "re");
    struct mntent *m;
    size_t best = 0;

    if (!f)
        return -1;
    while ((m = getmntent(f))) {
        size_t n = strlen(m->mnt_dir);
        if (strncmp(path, m->mnt_dir, n) == 0 && (path[n] == '/' || path[n] == '\0' || n == 1) &&
            n >= best) {
            best = n;
            snprintf(dev, dsize, "%s", m->mnt_fsname);
            snprintf(dir, dirsize, "%s", m->mnt_dir);
        }
    }
    return best ? 0 : -1;
}

static void check_disk(struct dynbuf *o, const struct local_ctx *l)
{
    const char *paths[8];
    dev_t seen[8];
    size_t n = 0, n_seen = 0;

    /* XFS without inode64 (LocalCheckOS CheckLinuxMounts) */
    {
        _cleanup_(endmntentp) FILE *f = setmntent("/proc/self/mounts", "re");
        struct mntent *m;
        while (f && (m = getmntent(f)))
            if (strcmp(m->mnt_type, "xfs") == 0 && !hasmntopt(m, "inode64"))
                checkos_emit(
                    o, 7, "warn",
                    "Warning reason: XFS filesystem on device %s is missing the recommended "
                    "mount option 'inode64'.",
                    m->mnt_fsname);
    }
    /* the usage of the filesystems the instance and the install live on */
    if (l->self)
        paths[n++] = l->self->datadir;
    if (l->have_cfg) {
        paths[n++] = l->cfg.app_path;
        paths[n++] = l->cfg.log_path;
        paths[n++] = l->cfg.tmp_path;
        paths[n++] = l->cfg.tool_path;
    } else {
        const char *vars[] = {"GAUSSHOME", "GAUSSLOG", "PGHOST", "GPHOME"};
        for (size_t i = 0; i < ELEMENTSOF(vars); i++)
            if (getenv(vars[i]) && getenv(vars[i])[0])
                paths[n++] = getenv(vars[i]);
    }
    for (size_t i = 0; i < n; i++) {
        struct statvfs vfs;
        struct stat st;
        char real[PATH_MAX], dev[256] = "?", dir[PATH_MAX] = "?";
        bool dup = false;
        unsigned long long used, total;
        unsigned pct;

        if (!realpath(paths[i], real) || stat(real, &st) < 0 || statvfs(real, &vfs) < 0)
            continue;
        for (size_t k = 0; k < n_seen; k++)
            dup = dup || seen[k] == st.st_dev;
        if (dup || vfs.f_blocks == 0)
            continue;
        seen[n_seen++] = st.st_dev;
        /* df's Use%: used / (used + available), rounded up */
        used = (unsigned long long)(vfs.f_blocks - vfs.f_bfree);
        total = used + (unsigned long long)vfs.f_bavail;
        pct = total ? (unsigned)((used * 100 + total - 1) / total) : 0;
        mount_of(real, dev, sizeof(dev), dir, sizeof(dir));
        if (pct > DISK_WARN_PCT)
            checkos_emit(
                o, 7, "warn",
                "Warning reason: The usage of the device [%s] mounted on %s is %u%%, greater "
                "than %d%% (path %s).",
                dev, dir, pct, DISK_WARN_PCT, paths[i]);
    }
}

static void check_network(struct dynbuf *o, const struct local_ctx *l)
{
    struct ifaddrs *ifa = NULL;
    char ip[64] = "", ifname[IFNAMSIZ + 1] = "", path[128], mtu[32];

    if (l->self) {
        snprintf(ip, sizeof(ip), "%s", l->self->back_ip);
    } else {
        char host[256] = "";
        struct addrinfo hints = {.ai_family = AF_INET}, *ai = NULL;
        gethostname(host, sizeof(host) - 1);
        if (getaddrinfo(host, NULL, &hints, &ai) == 0 && ai) {
            inet_ntop(AF_INET, &((struct sockaddr_in *)ai->ai_addr)->sin_addr, ip, sizeof(ip));
            freeaddrinfo(ai);
        }
    }
    if (getifaddrs(&ifa) == 0) {
        for (struct ifaddrs *p = ifa; p; p = p->ifa_next) {
            char a[64];
            if (!p->ifa_addr || p->ifa_addr->sa_family != AF_INET)
                continue;
            inet_ntop(AF_INET, &((struct sockaddr_in *)p->ifa_addr)->sin_addr, a, sizeof(a));
            if (strcmp(a, ip) == 0) {
                snprintf(ifname, sizeof(ifname), "%s", p->ifa_name);
                break;
            }
        }
        freeifaddrs(ifa);
    }
    if (!ifname[0]) {
        checkos_emit(o, 10, "abnormal",
                     "Abnormal reason: Failed to obtain the network card of IP [%s].",
                     ip[0] ? ip : "unknown");
        return;
    }
    snprintf(path, sizeof(path), "/sys/class/net/%s/mtu", ifname);
    if (checkos_read_line(path, mtu, sizeof(mtu)) < 0) {
        checkos_emit(o, 10, "abnormal",
                     "Abnormal reason: Failed to obtain the networkCard parameter [MTU] of %s.",
                     ifname);
        return;
    }
    checkos_emit(o, 10, "value", "%s %s", mtu, ifname);
    snprintf(path, sizeof(path), "/proc/net/bonding/%s", ifname);
    checkos_emit(o, 10, "info", "BondMode %s", access(path, F_OK) == 0 ? "bonded" : "Null");
    if (checkos_kernel_num(mtu) != EXPECT_MTU)
        checkos_emit(o, 10, "warn",
                     "Warning reason: network '%s' 'mtu' RealValue '%s' ExpectedValue '%d'", ifname,
                     mtu, EXPECT_MTU);
}

/* A process called name runs (as far as this pid namespace shows). */
static bool process_runs(const char *name)
{
    _cleanup_(closedirp) DIR *d = opendir("/proc");
    struct dirent *e;

    while (d && (e = readdir(d))) {
        char path[300], comm[64];
        if (!isdigit((unsigned char)e->d_name[0]))
            continue;
        snprintf(path, sizeof(path), "/proc/%s/comm", e->d_name);
        if (checkos_read_line(path, comm, sizeof(comm)) == 0 && strcmp(comm, name) == 0)
            return true;
    }
    return false;
}

static void check_time(struct dynbuf *o)
{
    struct timex tx = {0};
    time_t now = time(NULL);
    struct tm tm;
    char when[32];
    /* synchronised: the kernel clock says so (shared with the host in a
     * container), or ntpd/chronyd run here */
    bool synced = adjtimex(&tx) >= 0 && !(tx.status & STA_UNSYNC);

    synced = synced || process_runs("ntpd") || process_runs("chronyd");
    localtime_r(&now, &tm);
    strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm);
    checkos_emit(o, 11, "value", "%lld", (long long)now);
    if (!synced)
        checkos_emit(o, 11, "warn",
                     "Neither nptd nor chrony was detected on machine and local time is \"%s\".",
                     when);
}

static void check_firewall(struct dynbuf *o)
{
    char line[256];
    bool enabled = process_runs("firewalld");
    _cleanup_fclose_ FILE *f = fopen("/etc/ufw/ufw.conf", "re");

    while (!enabled && f && fgets(line, sizeof(line), f))
        enabled = strncmp(line, "ENABLED=yes", 11) == 0;
    if (enabled)
        checkos_emit(o, 12, "warn",
                     "Warning reason: The firewall service status RealVaue 'enabled' ExpectedValue "
                     "'disabled'");
}

static void check_thp(struct dynbuf *o)
{
    char line[256];

    if (checkos_read_line("/sys/kernel/mm/transparent_hugepage/enabled", line, sizeof(line)) == 0 &&
        !strstr(line, "[never]"))
        checkos_emit(o, 13, "abnormal",
                     "The THP service status RealValue 'enabled' ExpectedValue 'disabled'.");
}

/* The disk holding dev (a partition's parent), by name under /sys/block. */
static void disk_of(dev_t dev, char *name, size_t size)
{
    char link[64], real[PATH_MAX], part[PATH_MAX + 16], *slash;

    name[0] = '\0';
    snprintf(link, sizeof(link), "/sys/dev/block/%u:%u", major(dev), minor(dev));
    if (!realpath(link, real))
        return;
    snprintf(part, sizeof(part), "%s/partition", real);
    if (access(part, F_OK) == 0 && (slash = strrchr(real, '/')))
        *slash = '\0';
    slash = strrchr(real, '/');
    snprintf(name, size, "%s", slash ? slash + 1 : real);
}

size_t checkos_block_devices(char (*names)[64], size_t max, unsigned which)
{
    _cleanup_(closedirp) DIR *d = opendir("/sys/block");
    struct dirent *e;
    struct stat st;
    char root[64] = "";
    size_t n = 0;

    if ((which & CHECKOS_DEV_NOT_ROOT) && stat("/", &st) == 0)
        disk_of(st.st_dev, root, sizeof(root));
    while (d && (e = readdir(d)) && n < max) {
        char q[PATH_MAX];
        if (e->d_name[0] == '.' || strcmp(e->d_name, root) == 0 ||
            ((which & CHECKOS_DEV_DISKS) &&
             (strncmp(e->d_name, "loop", 4) == 0 || strncmp(e->d_name, "dm-", 3) == 0)))
            continue;
        snprintf(q, sizeof(q), "/sys/block/%s/queue", e->d_name);
        if (access(q, F_OK) == 0)
            snprintf(names[n++], 64, "%s", e->d_name);
    }
    return n;
}

/* A9: LocalCheckOS.py:1514-1532 CheckBlockdev (blockdev --getra: sectors,
 * read here as read_ahead_kb * 2) and :1708-1726 CheckClogicalBlock. */
static void check_blockdev(struct dynbuf *o)
{
    char devs[64][64], path[PATH_MAX], v[64];
    size_t n = checkos_block_devices(devs, ELEMENTSOF(devs), CHECKOS_DEV_BLOCKDEV), found = 0;

    for (size_t i = 0; i < n; i++) {
        snprintf(path, sizeof(path), "/sys/block/%s/queue/read_ahead_kb", devs[i]);
        if (checkos_read_line(path, v, sizeof(v)) < 0)
            continue;
        if (checkos_kernel_num(v) * 2 < CHECKOS_READAHEAD)
            checkos_emit(o, 8, "abnormal",
                         "On device (/dev/%s) 'blockdev readahead' RealValue '%lld' "
                         "ExpectedValue '%d'.",
                         devs[i], checkos_kernel_num(v) * 2, CHECKOS_READAHEAD);
    }
    n = checkos_block_devices(devs, ELEMENTSOF(devs), CHECKOS_DEV_ALL);
    for (size_t i = 0; i < n; i++) {
        snprintf(path, sizeof(path), "/sys/block/%s/queue/logical_block_size", devs[i]);
        if (checkos_read_line(path, v, sizeof(v)) < 0)
            continue;
        found++;
        if (checkos_kernel_num(v) < 512) /* detail only: its flag never matches (gs_checkos:843) */
            checkos_emit(o, 8, "note",
                         "Warning:On device (%s) ' ClogicalBlock Request' RealValue '%lld' "
                         "ExpectedValue '512'",
                         devs[i], checkos_kernel_num(v));
    }
    if (!found)
        checkos_emit(o, 8, "note", "Warning:Not find clogical block file,please check it.");
}

int checkos_scheduler(const char *dev, char *cur, size_t size, char *want, size_t wsize)
{
    char path[PATH_MAX], line[256], *l, *r, *w, *save = NULL;
    bool deadline = false, mq = false;

    snprintf(path, sizeof(path), "/sys/block/%s/queue/scheduler", dev);
    if (checkos_read_line(path, line, sizeof(line)) < 0 || !(l = strchr(line, '[')) ||
        !(r = strchr(l, ']')) || strchr(r, '['))
        return -1;
    snprintf(cur, size, "%.*s", (int)(r - l - 1), l + 1);
    for (w = strtok_r(line, " []", &save); w; w = strtok_r(NULL, " []", &save)) {
        deadline = deadline || strcmp(w, "deadline") == 0;
        mq = mq || strcmp(w, "mq-deadline") == 0;
    }
    /* "deadline", or "mq-deadline" where only that exists (:1566-1571) */
    snprintf(want, wsize, "%s", !deadline && mq ? "mq-deadline" : "deadline");
    return 0;
}

/* A10: LocalCheckOS.py:1602-1619 CheckIORequest (detail only: its flag
 * "request" never matches the text, gs_checkos:853) and :1553-1581
 * CheckIOSchedulers (Abnormal); aio-max-nr prints nothing when checked. */
static void check_io(struct dynbuf *o)
{
    char devs[64][64], path[PATH_MAX], v[64], cur[64], want[64];
    size_t n = checkos_block_devices(devs, ELEMENTSOF(devs), CHECKOS_DEV_ALL), found = 0;

    for (size_t i = 0; i < n; i++) {
        snprintf(path, sizeof(path), "/sys/block/%s/queue/nr_requests", devs[i]);
        if (checkos_read_line(path, v, sizeof(v)) < 0)
            continue;
        found++;
        if (checkos_kernel_num(v) != CHECKOS_NR_REQUESTS)
            checkos_emit(o, 9, "note",
                         "WARNING:On device (%s) 'IO Request' RealValue '%s' ExpectedValue "
                         "'%d'",
                         devs[i], v, CHECKOS_NR_REQUESTS);
    }
    if (!found)
        checkos_emit(o, 9, "note", "WARNING:Not find IO Request file.");
    n = checkos_block_devices(devs, ELEMENTSOF(devs), CHECKOS_DEV_DISKS);
    for (size_t i = 0; i < n; i++)
        if (checkos_scheduler(devs[i], cur, sizeof(cur), want, sizeof(want)) == 0 &&
            strcmp(cur, want) != 0)
            checkos_emit(o, 9, "abnormal",
                         "On device (%s) 'IO scheduler' RealValue '%s' ExpectedValue '%s'.",
                         devs[i], cur, want);
}

static void check_simple(int i, struct dynbuf *o)
{
    if (i == 1) {
        struct utsname u;
        if (uname(&u) == 0)
            checkos_emit(o, 1, "value", "%s", u.release);
        else
            checkos_emit(o, 1, "warn", "Failed to obtain kernel version information.");
    } else if (i == 2) {
        const char *lang = getenv("LANG");
        checkos_emit(o, 2, "value", "LANG=%s", lang ? lang : "");
    } else if (i == 3) {
        time_t now = time(NULL);
        struct tm tm;
        char z[16];
        localtime_r(&now, &tm);
        strftime(z, sizeof(z), "%z", &tm);
        checkos_emit(o, 3, "value", "%s", z);
    }
}

/* Check the A items of mask on this node; the lines go to o. */
void checkos_local_check(uint32_t mask, struct dynbuf *o)
{
    struct local_ctx l;

    local_ctx_init(&l);
    for (int i = 0; i < CHECKOS_N_A; i++) {
        if (!(mask & (1u << i)))
            continue;
        checkos_emit(o, i, "checked", "yes");
        switch (i) {
        case 0:
            check_os_version(o);
            break;
        case 4:
            check_meminfo(o);
            break;
        case 5:
            checkos_check_sysctl(o, NULL, 0, NULL);
            break;
        case 6:
            checkos_check_limits(o, NULL, 0, NULL);
            break;
        case 7:
            check_disk(o, &l);
            break;
        case 8:
            check_blockdev(o);
            break;
        case 9:
            check_io(o);
            break;
        case 10:
            check_network(o, &l);
            break;
        case 11:
            check_time(o);
            break;
        case 12:
            check_firewall(o);
            break;
        case 13:
            check_thp(o);
            break;
        default:
            check_simple(i, o);
            break;
        }
    }
}
