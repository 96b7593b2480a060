/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * gs_checkos -i ITEMS [--detail]: openGauss's OS check (script/gs_checkos and
 * script/local/LocalCheckOS.py, LocalCheck.py), for nodes that are Debian 12
 * LXC containers over a shared host kernel.
 *
 * The invoking node runs the same program on every node to check
 * (`gs_checkos --local-items A1,A2`, after the node's env file, through the
 * SSH transport); each prints one line per fact, "<item>\t<kind>\t<text>",
 * which this side aggregates: per-node verdicts (warn/abnormal lines) and the
 * cross-node comparisons openGauss makes (OS type, kernel, LANG, time zone,
 * MTU, clock). The output is openGauss's: "Checking items:", one line per
 * item ("    A1. [ OS version status ]" padded to 60 + ": Normal"), the
 * details with --detail, then "Total numbers:N. Abnormal numbers:N. Warning
 * numbers:N.". Exit 0 once the check ran (whatever it found), 1 on an error.
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

#include "dynbuf.h"
#include "ogup-config.h"
#include "fs.h"
#include "oglog.h"
#include "omtools.h"
#include "staticconfig.h"
#include "transport.h"
#include "banned.h"

#define TOOL          "gs_checkos"
#define N_ITEMS       14
#define LINE_MAX_OUT  (64 * 1024) /* one node's --local-items output */
#define DISK_WARN_PCT 80          /* the upgrade guide, 2.2.6: below 80 % */
#define TIME_SKEW_S   60          /* gs_checkos DEFAULT_INTERVAL */
#define EXPECT_MTU    8192        /* check_list.conf [/sbin/ifconfig] MTU */

DEFINE_TRIVIAL_CLEANUP_FUNC(FILE *, endmntent)

enum level { LV_NORMAL = 0, LV_WARNING = 1, LV_ABNORMAL = 2 };
static const char *const level_names[] = {"Normal", "Warning", "Abnormal"};

/* openGauss's g_OSCheckOpts; cmp: the level of a cross-node difference
 * (-1: no comparison); ok: the detail of a Normal item. */
static const struct item_def {
    const char *title;
    bool nonroot; /* in NO_ROOT_USER_CHECK_ITEMNUMLIST */
    bool supported;
    int cmp;
    const char *ok;
} items[N_ITEMS] = {
    {"[ OS version status ]", true, true, LV_ABNORMAL, NULL},
    {"[ Kernel version status ]", true, true, LV_WARNING,
     "The names about all kernel versions are same."},
    {"[ Unicode status ]", true, true, LV_ABNORMAL, "The values of all unicode are same."},
    {"[ Time zone status ]", true, true, LV_ABNORMAL,
     "The informations about all timezones are same."},
    {"[ Swap memory status ]", true, true, -1, "The value about swap memory is correct."},
    {"[ System control parameters status ]", false, true, -1,
     "All values about system control  parameters are correct."},
    {"[ File system configuration status ]", false, true, -1,
     "Both soft nofile and hard nofile are correct."},
    {"[ Disk configuration status ]", true, true, -1,
     "The value about XFS mount parameters is correct."},
    {"[ Pre-read block size status ]", false, false, -1, NULL},
    {"[ IO scheduler status ]", false, false, -1, NULL},
    {"[ Network card configuration status ]", false, true, LV_ABNORMAL,
     "The configuration about network card is correct."},
    {"[ Time consistency status ]", true, true, LV_ABNORMAL, "The system time is consistent."},
    {"[ Firewall service status ]", true, true, -1, "The firewall service is stopped."},
    {"[ THP service status ]", false, true, -1, "The THP service is stopped."},
};

/* ---- the node side: facts as "<item>\t<kind>\t<text>" lines ------------ */

_printf_(4, 5) static void emit(struct dynbuf *o, int item, const char *kind, const char *fmt, ...)
{
    char text[1024];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(text, sizeof(text), fmt, ap);
    va_end(ap);
    for (char *p = text; *p; p++)
        if (*p == '\t' || *p == '\n' || *p == '\r')
            *p = ' ';
    dynbuf_appendf(o, "A%d\t%s\t%s\n", item + 1, kind, text);
}

/* The first line of a small file, without the newline. */
static int read_line(const char *path, char *buf, size_t size)
{
    _cleanup_fclose_ FILE *f = fopen(path, "re");

    if (!f || !fgets(buf, (int)size, f))
        return -1;
    buf[strcspn(buf, "\n")] = '\0';
    return 0;
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
        emit(o, 0, "abnormal", "Failed to obtain platform information.");
        return;
    }
    emit(o, 0, "value", "%s", id);
    emit(o, 0, "info", "%s_%s_%dbit", id, ver, (int)sizeof(void *) * 8);
    if (!ok)
        emit(o, 0, "abnormal", "%s_%s_%dbit", id, ver, (int)sizeof(void *) * 8);
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
        emit(o, 4, "abnormal", "Failed to obtain memory information from /proc/meminfo.");
    else if (swap > mem)
        emit(o, 4, "warn", "SwapMemory %lld TotalMemory %lld", swap, mem);
}

/* Containers share the host's network sysctls: openGauss skips these
 * (LocalCheck.py docker_no_need_check) when /proc/1/cgroup says so. */
static bool in_container(void)
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

static void check_sysctl(struct dynbuf *o)
{
    /* check_list.conf: [/etc/sysctl.conf] (a difference is Abnormal) and
     * [SUGGEST:/etc/sysctl.conf] (a Warning). */
    static const struct {
        const char *key, *expect;
        bool suggest, container_skip;
    } params[] = {
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
    bool container = in_container();

    for (size_t i = 0; i < ELEMENTSOF(params); i++) {
        char path[256], real[256], want[64], norm_real[256], norm_want[256];
        const char *expect = params[i].expect;

        if (container && params[i].container_skip)
            continue;
        snprintf(path, sizeof(path), "/proc/sys/%s", params[i].key);
        for (char *p = path + 10; *p; p++)
            if (*p == '.')
                *p = '/';
        if (read_line(path, real, sizeof(real)) < 0) {
            /* newer kernels dropped tcp_tw_recycle: openGauss skips it */
            if (strcmp(params[i].key, "net.ipv4.tcp_tw_recycle") == 0 && errno == ENOENT)
                continue;
            emit(o, 5, "abnormal",
                 "Abnormal reason: Failed to obtain the OS kernel parameter [%s].", params[i].key);
            continue;
        }
        /* compare word by word (tabs in /proc, spaces in the conf) */
        {
            char *w, *save = NULL, tmp[256];
            size_t n = 0;
            snprintf(tmp, sizeof(tmp), "%s", real);
            norm_real[0] = '\0';
            for (w = strtok_r(tmp, " \t", &save); w; w = strtok_r(NULL, " \t", &save))
                n += (size_t)snprintf(norm_real + n,
                                      n < sizeof(norm_real) ? sizeof(norm_real) - n : 0, "%s%s",
                                      n ? " " : "", w);
        }
        if (!expect) { /* vm.min_free_kbytes: 5 % of memory, +-10 % */
            _cleanup_fclose_ FILE *f = fopen("/proc/meminfo", "re");
            char line[256];
            long long kb = 0, v = atoll(real);
            while (f && fgets(line, sizeof(line), f) && sscanf(line, "MemTotal: %lld", &kb) != 1)
                ;
            snprintf(want, sizeof(want), "%lld", kb * 5 / 100);
            if (kb > 0 && (v > kb * 5 / 100 * 11 / 10 || v < kb * 5 / 100 * 9 / 10))
                emit(o, 5, "warn",
                     "Warning reason: variable '%s' RealValue '%s' ExpectedValue '%s'.",
                     params[i].key, norm_real, want);
            continue;
        }
        snprintf(norm_want, sizeof(norm_want), "%s", expect);
        if (strcmp(params[i].key, "net.ipv4.ip_local_port_range") == 0) {
            int lo = 0, hi = 0;
            if (sscanf(norm_real, "%d %d", &lo, &hi) == 2 && (lo < 26000 || hi > 65535))
                emit(o, 5, "warn",
                     "Warning reason: variable '%s' RealValue '%s' ExpectedValue '%s'.",
                     params[i].key, norm_real, norm_want);
            continue;
        }
        if (strcmp(norm_real, norm_want) == 0)
            continue;
        if (strcmp(params[i].key, "vm.overcommit_ratio") == 0) {
            char oc[32];
            if (read_line("/proc/sys/vm/overcommit_memory", oc, sizeof(oc)) == 0 &&
                strcmp(oc, "0") == 0)
                continue;
        }
        emit(o, 5, params[i].suggest ? "warn" : "abnormal",
             "%s reason: variable '%s' RealValue '%s' ExpectedValue '%s'.",
             params[i].suggest ? "Warning" : "Abnormal", params[i].key, norm_real, norm_want);
    }
}

static void check_limits(struct dynbuf *o)
{
    /* check_list.conf [/etc/security/limits.conf], as `ulimit -a` reports */
    static const struct {
        const char *name;
        int res;
        long long want; /* -1: unlimited */
        long long unit;
        bool abnormal;
    } lim[] = {
        {"open files", RLIMIT_NOFILE, 1000000, 1, false},
        {"stack size", RLIMIT_STACK, 3072, 1024, true},
        {"virtual memory", RLIMIT_AS, -1, 1024, false},
        {"max user processes", RLIMIT_NPROC, -1, 1, false},
    };

    for (size_t i = 0; i < ELEMENTSOF(lim); i++) {
        struct rlimit rl;
        char real[32];
        if (getrlimit(lim[i].res, &rl) < 0) {
            emit(o, 6, "abnormal", "Failed to obtain '%s'.", lim[i].name);
            continue;
        }
        if (rl.rlim_cur == RLIM_INFINITY)
            snprintf(real, sizeof(real), "unlimited");
        else
            snprintf(real, sizeof(real), "%llu",
                     (unsigned long long)rl.rlim_cur / (unsigned long long)lim[i].unit);
        if (lim[i].want < 0) {
            if (rl.rlim_cur != RLIM_INFINITY)
                emit(o, 6, "warn",
                     "Warning reason: variable '%s' RealValue '%s' ExpectedValue "
                     "'unlimited'",
                     lim[i].name, real);
        } else if (rl.rlim_cur != RLIM_INFINITY &&
                   (long long)(rl.rlim_cur / (rlim_t)lim[i].unit) < lim[i].want) {
            emit(o, 6, lim[i].abnormal ? "abnormal" : "warn",
                 "%s reason: variable '%s' RealValue '%s' ExpectedValue '%lld'",
                 lim[i].abnormal ? "Abnormal" : "Warning", lim[i].name, real, lim[i].want);
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
                emit(o, 7, "warn",
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
            emit(o, 7, "warn",
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
        emit(o, 10, "abnormal", "Abnormal reason: Failed to obtain the network card of IP [%s].",
             ip[0] ? ip : "unknown");
        return;
    }
    snprintf(path, sizeof(path), "/sys/class/net/%s/mtu", ifname);
    if (read_line(path, mtu, sizeof(mtu)) < 0) {
        emit(o, 10, "abnormal",
             "Abnormal reason: Failed to obtain the networkCard parameter [MTU] of %s.", ifname);
        return;
    }
    emit(o, 10, "value", "%s %s", mtu, ifname);
    snprintf(path, sizeof(path), "/proc/net/bonding/%s", ifname);
    emit(o, 10, "info", "BondMode %s", access(path, F_OK) == 0 ? "bonded" : "Null");
    if (atoi(mtu) != EXPECT_MTU)
        emit(o, 10, "warn", "Warning reason: network '%s' 'mtu' RealValue '%s' ExpectedValue '%d'",
             ifname, mtu, EXPECT_MTU);
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
        if (read_line(path, comm, sizeof(comm)) == 0 && strcmp(comm, name) == 0)
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
    emit(o, 11, "value", "%lld", (long long)now);
    if (!synced)
        emit(o, 11, "warn",
             "Neither nptd nor chrony was detected on machine and local time is \"%s\".", when);
}

static void check_firewall(struct dynbuf *o)
{
    char line[256];
    bool enabled = process_runs("firewalld");
    _cleanup_fclose_ FILE *f = fopen("/etc/ufw/ufw.conf", "re");

    while (!enabled && f && fgets(line, sizeof(line), f))
        enabled = strncmp(line, "ENABLED=yes", 11) == 0;
    if (enabled)
        emit(o, 12, "warn",
             "Warning reason: The firewall service status RealVaue 'enabled' ExpectedValue "
             "'disabled'");
}

static void check_thp(struct dynbuf *o)
{
    char line[256];

    if (read_line("/sys/kernel/mm/transparent_hugepage/enabled", line, sizeof(line)) == 0 &&
        !strstr(line, "[never]"))
        emit(o, 13, "abnormal",
             "The THP service status RealValue 'enabled' ExpectedValue 'disabled'.");
}

/* Check the items of mask on this node; the lines go to o. */
static void local_check(unsigned mask, struct dynbuf *o)
{
    struct local_ctx l;

    local_ctx_init(&l);
    for (int i = 0; i < N_ITEMS; i++) {
        if (!(mask & (1u << i)))
            continue;
        emit(o, i, "checked", "yes");
        switch (i) {
        case 0:
            check_os_version(o);
            break;
        case 1: {
            struct utsname u;
            if (uname(&u) == 0)
                emit(o, 1, "value", "%s", u.release);
            else
                emit(o, 1, "warn", "Failed to obtain kernel version information.");
            break;
        }
        case 2: {
            const char *lang = getenv("LANG");
            emit(o, 2, "value", "LANG=%s", lang ? lang : "");
            break;
        }
        case 3: {
            time_t now = time(NULL);
            struct tm tm;
            char z[16];
            localtime_r(&now, &tm);
            strftime(z, sizeof(z), "%z", &tm);
            emit(o, 3, "value", "%s", z);
            break;
        }
        case 4:
            check_meminfo(o);
            break;
        case 5:
            check_sysctl(o);
            break;
        case 6:
            check_limits(o);
            break;
        case 7:
            check_disk(o, &l);
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
            break;
        }
    }
}

/* ---- the invoking side ------------------------------------------------ */

struct node_item {
    bool checked;
    char value[256];
    char info[256];
    int level;
    struct dynbuf lines; /* "        reason\n" per warn/abnormal line */
};

struct node_res {
    char name[CLUSTER_NAME_MAX];
    struct node_item it[N_ITEMS];
};

static void node_res_init(struct node_res *n, const char *name)
{
    memset(n, 0, sizeof(*n));
    snprintf(n->name, sizeof(n->name), "%s", name);
    for (int i = 0; i < N_ITEMS; i++)
        dynbuf_init(&n->it[i].lines, LINE_MAX_OUT);
}

static void node_res_done(struct node_res *n)
{
    for (int i = 0; i < N_ITEMS; i++)
        dynbuf_done(&n->it[i].lines);
}

/* Parse one node's "<item>\t<kind>\t<text>" lines. */
static int node_res_parse(struct node_res *n, const char *text, struct og_error *err)
{
    const char *p = text;

    while (*p) {
        const char *nl = strchr(p, '\n'), *t1, *t2;
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        char line[1200], *kind, *val;
        int item;

        snprintf(line, sizeof(line), "%.*s", (int)(len < sizeof(line) ? len : sizeof(line) - 1), p);
        p += len + (nl ? 1 : 0);
        if (!line[0])
            continue;
        t1 = strchr(line, '\t');
        t2 = t1 ? strchr(t1 + 1, '\t') : NULL;
        if (line[0] != 'A' || !t2 || (item = atoi(line + 1)) < 1 || item > N_ITEMS)
            return og_error_set(err, OG_E_CONTENT_INVALID,
                                "The content of the check result of node %s is not correct: "
                                "\"%s\".",
                                n->name, line);
        kind = line + (t1 - line) + 1;
        kind[t2 - t1 - 1] = '\0';
        val = kind + (t2 - t1);
        {
            struct node_item *it = &n->it[item - 1];
            if (strcmp(kind, "checked") == 0) {
                it->checked = true;
            } else if (strcmp(kind, "value") == 0) {
                snprintf(it->value, sizeof(it->value), "%s", val);
            } else if (strcmp(kind, "info") == 0) {
                snprintf(it->info, sizeof(it->info), "%s", val);
            } else {
                int lv = strcmp(kind, "abnormal") == 0 ? LV_ABNORMAL : LV_WARNING;
                if (lv > it->level)
                    it->level = lv;
                if (dynbuf_appendf(&it->lines, "        %s\n", val) < 0)
                    return og_error_set(err, OG_E_TOO_LARGE, "check result of node %s", n->name);
            }
        }
    }
    return 0;
}

struct item_result {
    int level;
    struct dynbuf detail; /* starts with "\n", as openGauss's [3] */
};

/* The node's value as openGauss compares it: the first word (A11: MTU). */
static void first_word(const char *s, char *buf, size_t size)
{
    snprintf(buf, size, "%.*s", (int)strcspn(s, " "), s);
}

static void aggregate(int i, struct node_res *nodes, size_t n, struct item_result *r)
{
    const struct item_def *d = &items[i];
    bool differ = false;
    char base[256];

    r->level = LV_NORMAL;
    for (size_t k = 0; k < n; k++)
        if (nodes[k].it[i].level > r->level)
            r->level = nodes[k].it[i].level;
    first_word(nodes[0].it[i].value, base, sizeof(base));
    if (d->cmp >= 0 && i != 11) {
        for (size_t k = 1; k < n; k++) {
            char v[256];
            first_word(nodes[k].it[i].value, v, sizeof(v));
            differ = differ || strcmp(v, base) != 0;
        }
    } else if (i == 11) { /* time: every node within 60 s of the first */
        long long t0 = atoll(nodes[0].it[i].value);
        for (size_t k = 1; k < n; k++) {
            long long t = atoll(nodes[k].it[i].value);
            differ = differ || t < t0 - TIME_SKEW_S || t > t0 + TIME_SKEW_S;
        }
    }
    if (differ && d->cmp > r->level)
        r->level = d->cmp;

    dynbuf_appends(&r->detail, "\n");
    if (differ) {
        /* openGauss: the first node's value, then each differing node's */
        for (size_t k = 0; k < n; k++) {
            char v[256];
            first_word(nodes[k].it[i].value, v, sizeof(v));
            if (i == 11) {
                time_t t = (time_t)atoll(nodes[k].it[i].value), t0 = (time_t)atoll(base);
                struct tm tm;
                char a[32], b[32];
                if (k == 0 || llabs((long long)(t - t0)) <= TIME_SKEW_S)
                    continue;
                localtime_r(&t, &tm);
                strftime(a, sizeof(a), "%Y-%m-%d %H:%M:%S", &tm);
                localtime_r(&t0, &tm);
                strftime(b, sizeof(b), "%Y-%m-%d %H:%M:%S", &tm);
                dynbuf_appendf(&r->detail,
                               "        [%s]\n        Variable:'current system time' "
                               "RealValue:'%s' ExpectedValue:'%s' [Abnormal]\n",
                               nodes[k].name, a, b);
            } else if (i == 10 && k > 0 && strcmp(v, base) != 0) {
                dynbuf_appendf(
                    &r->detail,
                    "        [%s]\n        Abnormal: network '%s' 'mtu' value[%s:%s] "
                    "is different from the other node [%s:%s]\n",
                    nodes[k].name,
                    strchr(nodes[k].it[i].value, ' ') ? strchr(nodes[k].it[i].value, ' ') + 1 : "?",
                    nodes[k].name, v, nodes[0].name, base);
            } else if (i != 10 && (k == 0 || strcmp(v, base) != 0)) {
                dynbuf_appendf(&r->detail, "        [%s]\n        %s\n", nodes[k].name,
                               i == 0 && nodes[k].it[i].info[0] ? nodes[k].it[i].info
                                                                : nodes[k].it[i].value);
            }
        }
    }
    for (size_t k = 0; k < n; k++)
        if (nodes[k].it[i].lines.len)
            dynbuf_appendf(&r->detail, "        [%s]\n%s", nodes[k].name,
                           dynbuf_str(&nodes[k].it[i].lines));
    if (r->level != LV_NORMAL)
        return;
    dynbuf_reset(&r->detail);
    if (i == 0) {
        dynbuf_appends(&r->detail, "\n");
        for (size_t k = 0; k < n; k++)
            dynbuf_appendf(&r->detail, "        [%s]\n        %s\n", nodes[k].name,
                           nodes[k].it[i].info);
    } else if (d->cmp >= 0 && i != 11 && i != 10) {
        dynbuf_appendf(&r->detail, "\n        %s The value is \"%s\".", d->ok,
                       nodes[0].it[i].value);
    } else {
        dynbuf_appendf(&r->detail, "\n        %s", d->ok);
    }
}

/* ---- options ----------------------------------------------------------- */

struct checkos_opts {
    unsigned mask;        /* items to check */
    bool all;             /* -i A */
    bool detail;          /* --detail */
    unsigned skip;        /* --skip-item-num */
    const char *hosts;    /* -h */
    const char *hostfile; /* -f */
    const char *xml;      /* -X */
    const char *output;   /* -o */
    const char *local;    /* --local-items (internal: this node only, lines out) */
};

static int usage(int rc)
{
    printf("gs_checkos is a utility to check cluster OS information (ogup).\n\n"
           "Usage:\n"
           "  gs_checkos -? | --help\n"
           "  gs_checkos -V | --version\n"
           "  gs_checkos -i ITEM [-f HOSTFILE] [-h HOSTNAME] [-X XMLFILE] [--detail] [-o OUTPUT] "
           "[-l LOGFILE] [--skip-item-num=ITEMNUM]\n\n"
           "General options:\n"
           "  -i                              Item number. To check all items, enter  \"-i A\".\n"
           "                                  To check multiple status, enter the items in the "
           "following format: \"-i A1,A2,A3\".\n"
           "  -f                              File listing names of all the hosts to connect to.\n"
           "  -h                              Name of the host to connect to (host1,host2).\n"
           "  -X                              Configuration file of the cluster.\n"
           "     --detail                     Show detailed information.\n"
           "     --skip-item-num=ITEMNUM      Skip the specified item number.\n"
           "  -o                              Save the result to the specified file.\n"
           "  -l                              Path of log file.\n"
           "  -? --help                       Show help information for this utility.\n"
           "  -V --version                    Show version information.\n\n"
           "Without -h/-f the cluster user checks every node of the installed cluster; root\n"
           "checks this host only. Setting items (-i B) are not provided by ogup.\n\n"
           "Item number description:\n");
    for (int i = 0; i < N_ITEMS; i++)
        printf("  'A%d':%s%s\n", i + 1, items[i].title,
               items[i].supported ? "" : " (not checked in containers)");
    return rc;
}

/* "A1,a2, A3" / "A" into a mask; GAUSS-50004 for anything else. */
static int parse_items(const char *s, bool allow_all, unsigned *mask, bool *all, const char *opt,
                       struct og_error *err)
{
    char buf[512], *tok, *save = NULL;
    bool any = false;

    snprintf(buf, sizeof(buf), "%s", s);
    for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        char *e;
        long n;
        while (isspace((unsigned char)*tok))
            tok++;
        tok[strcspn(tok, " \t")] = '\0';
        if (allow_all && strcasecmp(tok, "A") == 0) {
            *all = true;
            any = true;
            continue;
        }
        if (toupper((unsigned char)tok[0]) == 'B' && allow_all)
            return og_error_set(err, OG_E_PARAM_INVALID,
                                "The parameter '-i' value is incorrect. Setting items (%s) change "
                                "the OS and are not provided by ogup.",
                                tok);
        if (toupper((unsigned char)tok[0]) != 'A' || !isdigit((unsigned char)tok[1]))
            return og_error_set(err, OG_E_PARAM_INVALID, "The parameter '-%s' value is incorrect.",
                                opt);
        errno = 0;
        n = strtol(tok + 1, &e, 10);
        if (*e || n < 1 || n > N_ITEMS)
            return og_error_set(err, OG_E_PARAM_INVALID, "The parameter '-%s' value is incorrect.",
                                opt);
        if (!items[n - 1].supported && allow_all)
            return og_error_set(err, OG_E_PARAM_INVALID,
                                "The parameter '-i' value is incorrect. A%ld %s is not checked by "
                                "ogup: the block devices of container nodes belong to the host.",
                                n, items[n - 1].title);
        *mask |= 1u << (n - 1);
        any = true;
    }
    if (!any)
        return og_error_set(err, OG_E_PARAM_INVALID, "The parameter '-%s' value is incorrect.",
                            opt);
    return 0;
}

static int fail(int rc, const struct og_error *err)
{
    om_fail(TOOL, rc, err);
    return 1; /* GaussLog.exitWithError / logExit: 1 */
}

static int parse_args(int argc, char **argv, struct checkos_opts *o, bool *help,
                      struct og_error *err)
{
    const char *items_arg = NULL, *skip_arg = NULL;
    int r;

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
#define VALUE(opt) (strcmp(a, opt) == 0 && i + 1 < argc ? argv[++i] : NULL)
        const char *v;
        if (strcmp(a, "-?") == 0 || strcmp(a, "--help") == 0) {
            *help = true;
            return 0;
        }
        if ((v = VALUE("-i")))
            items_arg = v;
        else if (strncmp(a, "-i", 2) == 0 && a[2])
            items_arg = a + 2;
        else if ((v = VALUE("-h")))
            o->hosts = v;
        else if ((v = VALUE("-f")))
            o->hostfile = v;
        else if ((v = VALUE("-X")))
            o->xml = v;
        else if ((v = VALUE("-o")))
            o->output = v;
        else if ((v = VALUE("-l")))
            oglog_open(TOOL, v, NULL);
        else if (strcmp(a, "--detail") == 0)
            o->detail = true;
        else if ((v = VALUE("--skip-item-num")))
            skip_arg = v;
        else if (strncmp(a, "--skip-item-num=", 16) == 0)
            skip_arg = a + 16;
        else if ((v = VALUE("--local-items")))
            o->local = v;
        else
            return og_error_set(err, OG_E_PARAM_UNKNOWN, "Unrecognized parameter: %s.", a);
#undef VALUE
    }
    if (o->local)
        return parse_items(o->local, false, &o->mask, &o->all, "-local-items", err);
    if (!items_arg)
        return og_error_set(err, OG_E_PARAM_REQUIRED,
                            "Incorrect parameter. Parameter '-i' is required.");
    r = parse_items(items_arg, true, &o->mask, &o->all, "i", err);
    if (r == 0 && skip_arg) {
        bool dummy = false;
        r = parse_items(skip_arg, false, &o->skip, &dummy, "-skip-item-num", err);
    }
    if (r == 0 && o->hosts && o->hostfile)
        r = og_error_set(err, OG_E_PARAM_CONFLICT,
                         "The parameter '-h' and '-f' can not be used together.");
    if (r == 0 && o->xml && access(o->xml, R_OK) != 0)
        r = og_error_set(err, OG_E_NOT_EXIST, "The %s does not exist.", o->xml);
    return r;
}

/* The hosts to check: -h, -f, else the installed cluster (cluster user)
 * or this host (root, or no cluster). n == 0 means "this host, in process". */
static int pick_hosts(const struct checkos_opts *o, struct cluster_config *cfg, bool *have_cfg,
                      char names[][CLUSTER_NAME_MAX], size_t *n, struct og_error *err)
{
    struct og_error ignored = {0};
    char path[PATH_MAX];
    const char *home = getenv("GAUSSHOME");

    *n = 0;
    *have_cfg = false;
    if (home && home[0]) {
        snprintf(path, sizeof(path), "%s/bin/cluster_static_config", home);
        *have_cfg = staticconfig_read(path, cfg, &ignored) == 0;
    }
    if (o->hosts || o->hostfile) {
        _cleanup_free_ char *text = NULL;
        char *tok, *save = NULL;
        if (o->hostfile) {
            int r = fs_read_file(o->hostfile, 1 << 20, &text, NULL, err);
            if (r == -OG_E_NOT_EXIST)
                return og_error_set(err, OG_E_NOT_EXIST, "The %s does not exist.", o->hostfile);
            if (r < 0)
                return r;
        } else {
            text = strdup(o->hosts);
            if (!text)
                return og_error_set(err, OG_E_NOMEM, "host list");
        }
        for (tok = strtok_r(text, ",\n", &save); tok; tok = strtok_r(NULL, ",\n", &save)) {
            bool dup = false;
            while (isspace((unsigned char)*tok))
                tok++;
            tok[strcspn(tok, " \t\r")] = '\0';
            if (!tok[0])
                continue;
            for (size_t k = 0; k < *n; k++)
                dup = dup || strcmp(names[k], tok) == 0;
            if (dup)
                continue;
            if (*n >= CLUSTER_MAX_NODES)
                return og_error_set(err, OG_E_TOO_LARGE, "The host list exceeds its limit of %d.",
                                    CLUSTER_MAX_NODES);
            snprintf(names[(*n)++], CLUSTER_NAME_MAX, "%s", tok);
        }
        if (*n == 0)
            return og_error_set(err, OG_E_PARAM_INVALID, "The parameter '-%s' value is incorrect.",
                                o->hosts ? "h" : "f");
        return 0;
    }
    if (geteuid() != 0 && *have_cfg)
        for (size_t k = 0; k < cfg->n_nodes; k++)
            snprintf(names[(*n)++], CLUSTER_NAME_MAX, "%s", cfg->nodes[k].name);
    return 0;
}

/* Where the OM tools live on the nodes: the installed cluster's
 * $GPHOME/script, else this program's own directory. */
static void tool_path(const struct cluster_config *cfg, bool have_cfg, char *buf, size_t size)
{
    char self[PATH_MAX];
    ssize_t n;

    if (have_cfg && cfg->tool_path[0]) {
        snprintf(buf, size, "%s/script/%s", cfg->tool_path, TOOL);
        return;
    }
    n = readlink("/proc/self/exe", self, sizeof(self) - 1);
    self[n > 0 ? n : 0] = '\0';
    if (strrchr(self, '/'))
        *strrchr(self, '/') = '\0';
    snprintf(buf, size, "%s/%s", self, TOOL);
}

static int run_nodes(const struct checkos_opts *o, unsigned mask, struct node_res *res,
                     size_t *n_res, struct og_error *err)
{
    struct cluster_config cfg;
    bool have_cfg;
    char names[CLUSTER_MAX_NODES][CLUSTER_NAME_MAX], prog[PATH_MAX + 32], list[128] = "";
    size_t n = 0, used = 0;
    int r = pick_hosts(o, &cfg, &have_cfg, names, &n, err);

    if (r < 0)
        return r;
    for (int i = 0; i < N_ITEMS; i++)
        if (mask & (1u << i))
            used +=
                (size_t)snprintf(list + used, sizeof(list) - used, "%sA%d", used ? "," : "", i + 1);
    if (n == 0) { /* this host, in process */
        _cleanup_dynbuf_ struct dynbuf out;
        char host[256] = "";
        dynbuf_init(&out, LINE_MAX_OUT);
        gethostname(host, sizeof(host) - 1);
        node_res_init(&res[0], host);
        *n_res = 1;
        local_check(mask, &out);
        return node_res_parse(&res[0], dynbuf_str(&out), err);
    }
    {
        _cleanup_transport_ struct transport *t = NULL;
        struct command_result cr[CLUSTER_MAX_NODES];
        struct og_error errs[CLUSTER_MAX_NODES];
        const char *nodes[CLUSTER_MAX_NODES];
        /* after the node's env file, as openGauss runs its local scripts */
        const char *argv[] = {"bash",
                              "-c",
                              "[ -f ~/.bashrc ] && . ~/.bashrc >/dev/null 2>&1; exec \"$0\" \"$@\"",
                              prog,
                              "--local-items",
                              list,
                              NULL};
        struct transport_run_opts ro = {.timeout_ms = 5 * 60 * 1000, .output_max = LINE_MAX_OUT};

        tool_path(&cfg, have_cfg, prog, sizeof(prog));
        r = transport_new(NULL, &t, err);
        for (size_t k = 0; r == 0 && k < n; k++) {
            const struct cluster_node *cn =
                have_cfg ? clusterconfig_find_node(&cfg, names[k]) : NULL;
            r = transport_add_node(t, names[k], cn ? cn->back_ip : names[k], 22, err);
            nodes[k] = names[k];
        }
        if (r < 0)
            return r;
        memset(cr, 0, sizeof(cr));
        memset(errs, 0, sizeof(errs));
        r = transport_run_all(t, nodes, n, argv, &ro, cr, errs);
        for (size_t k = 0; k < n; k++)
            node_res_init(&res[k], names[k]);
        *n_res = n;
        for (size_t k = 0; k < n; k++) {
            if (r == 0 && cr[k].exit_status != 0)
                r = og_error_set(err, OG_E_EXEC_FAILED,
                                 "Failed to execute the command: %s --local-items %s on %s: %s",
                                 prog, list, names[k], cr[k].err);
            else if (r == 0)
                r = node_res_parse(&res[k], cr[k].out, err);
            else if (errs[k].code && !err->code)
                *err = errs[k];
            command_result_done(&cr[k]);
        }
        if (r < 0 && !err->code)
            for (size_t k = 0; k < n; k++)
                if (errs[k].code) {
                    *err = errs[k];
                    break;
                }
        return r;
    }
}

int tool_gs_checkos(int argc, char **argv)
{
    struct checkos_opts o = {0};
    struct og_error err = {0};
    struct node_res res[CLUSTER_MAX_NODES];
    size_t n_res = 0;
    unsigned mask;
    bool help = false, first = true;
    int r = parse_args(argc, argv, &o, &help, &err), total = 0, abnormal = 0, warning = 0;
    _cleanup_dynbuf_ struct dynbuf out;

    if (help)
        return usage(0);
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "-V") == 0 || strcmp(argv[i], "--version") == 0)
            return om_version("gs_checkos");
    if (r < 0)
        return fail(r, &err);
    if (o.local) { /* the node side */
        dynbuf_init(&out, LINE_MAX_OUT);
        oglog_set_console_level(OGLOG_NONE);
        local_check(o.mask, &out);
        fputs(dynbuf_str(&out), stdout);
        return 0;
    }
    /* -i A: every item (root), the non-root list otherwise (openGauss's
     * NO_ROOT_USER_CHECK_ITEMNUMLIST); items named one by one are checked
     * whoever asks (ogup reads them all without root). */
    mask = o.mask;
    for (int i = 0; o.all && i < N_ITEMS; i++)
        if (items[i].supported && (geteuid() == 0 || items[i].nonroot))
            mask |= 1u << i;
    mask &= ~o.skip;
    if (!mask)
        return fail(og_error_set(&err, OG_E_PARAM_INVALID,
                                 "The parameter '-i' value is incorrect: every item is skipped."),
                    &err);
    log_debug("om", "checking items 0x%x", mask);
    r = run_nodes(&o, mask, res, &n_res, &err);
    if (r < 0) {
        for (size_t k = 0; k < n_res; k++)
            node_res_done(&res[k]);
        return fail(r, &err);
    }

    dynbuf_init(&out, 1 << 20);
    for (int i = 0; i < N_ITEMS; i++) {
        struct item_result ir = {0};
        char label[128];
        if (!(mask & (1u << i)))
            continue;
        dynbuf_init(&ir.detail, 1 << 20);
        aggregate(i, res, n_res, &ir);
        snprintf(label, sizeof(label), "A%d.%s%s", i + 1, i + 1 < 10 ? " " : "", items[i].title);
        if (first)
            dynbuf_appends(&out, o.all ? "Checking items:\n" : "Checking items\n");
        first = false;
        if (o.detail)
            dynbuf_appendf(&out, "    %-60s: %-10s %-60s\n", label, level_names[ir.level],
                           dynbuf_str(&ir.detail));
        else
            dynbuf_appendf(&out, "    %-60s: %s\n", label, level_names[ir.level]);
        total++;
        abnormal += ir.level == LV_ABNORMAL;
        warning += ir.level == LV_WARNING;
        dynbuf_done(&ir.detail);
    }
    for (size_t k = 0; k < n_res; k++)
        node_res_done(&res[k]);

    if (o.output) {
        printf("Performing operation system check/set. Output the result to the file %s.\n",
               o.output);
        r = fs_replace_file(o.output, out.buf, out.len, 0600, &err);
        if (r < 0)
            return fail(r, &err);
        printf("Operation system check/set is completed.\n");
    } else {
        fputs(dynbuf_str(&out), stdout);
    }
    printf("Total numbers:%d. Abnormal numbers:%d. Warning numbers:%d.\n", total, abnormal,
           warning);
    if (abnormal > 0)
        printf("Do checking operation finished. Result: Abnormal.\n");
    log_debug("om", "Total numbers:%d. Abnormal numbers:%d. Warning numbers:%d.", total, abnormal,
              warning);
    return 0;
}
