/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * gs_checkos's node side for the setting items B1..B8 (openGauss-OM v5.0.0
 * script/local/LocalCheck.py and LocalCheckOS.py, called by script/gs_checkos
 * :466-486, 1132-1245): each sets, on this node, what the matching check
 * finds wrong, and prints what it did as "<item>\t<kind>\t<text>" lines
 * (checkos.h): "note" for a value set, "abnormal" (B5: "warn") for a value
 * it could not set, with the reason. Nothing is pretended: on container
 * nodes /proc/sys (but net.ipv4), /sys and often /etc are read-only, and a
 * write refused there is reported, not skipped.
 *
 * Files are rewritten whole (fs_replace_file: temp, fsync, rename), keeping
 * their mode; kernel values are written to /proc/sys and /sys directly.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "checkos.h"
#include "fs.h"
#include "banned.h"

#define THP_FILE    "/sys/kernel/mm/transparent_hugepage/enabled"
#define SYSCTL_CONF "/etc/sysctl.conf"
#define LIMITS_DIR  "/etc/security/limits.d"
#define LIMITS_CONF "/etc/security/limits.conf"
#define LOGIND_CONF "/etc/systemd/logind.conf"
#define PAM_SSHD    "/etc/pam.d/sshd"

/* Write value to a kernel file (/proc/sys, /sys); 0 or -errno. */
static int write_kernel(const char *path, const char *value)
{
    int fd = open(path, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
    int r = 0;

    if (fd < 0)
        return -errno;
    if (fs_write_all(fd, value, strlen(value)) < 0)
        r = -errno;
    if (close(fd) < 0 && r == 0)
        r = -errno;
    return r == 0 ? 0 : r;
}

/* Decides whether a line of a config file is replaced. */
typedef bool (*line_match_fn)(const char *line, const void *arg);

/* path without the lines match() takes, then add appended; a missing file
 * is created with mode 0644. 0 or -errno; text tells the error. */
static int conf_replace(const char *path, line_match_fn match, const void *arg, const char *add,
                        char *text, size_t size)
{
    _cleanup_free_ char *old = NULL;
    _cleanup_dynbuf_ struct dynbuf out = {0};
    struct og_error rerr = {0}, err = {0};
    struct stat st;
    size_t len = 0;
    mode_t mode = 0644;
    int r = fs_read_file(path, 1 << 20, &old, &len, &rerr);

    dynbuf_init(&out, 2 << 20);
    if (r < 0 && r != -OG_E_NOT_EXIST) {
        snprintf(text, size, "%s", rerr.detail);
        return r;
    }
    if (stat(path, &st) == 0)
        mode = st.st_mode & 07777;
    for (char *l = old, *nl; l && *l; l = nl) {
        nl = strchr(l, '\n');
        if (nl)
            *nl++ = '\0';
        if (!match(l, arg))
            dynbuf_addf(&out, "%s\n", l);
    }
    dynbuf_addf(&out, "%s\n", add);
    r = dynbuf_error(&out) ? og_error_set(&err, -dynbuf_error(&out), "%s", path)
                           : fs_replace_file(path, out.buf, out.len, mode, &err);
    if (r < 0)
        snprintf(text, size, "%s", err.detail);
    return r;
}

/* ---- B1: LocalCheck.py:306-356 ------------------------------------------ */

static bool match_sysctl(const char *line, const void *arg)
{
    const char *key = arg;
    size_t n = strlen(key);

    line += strspn(line, " \t");
    return strncmp(line, key, n) == 0 && line[n + strspn(line + n, " ")] == '=';
}

static void set_sysctl(struct dynbuf *o)
{
    struct checkos_sysctl set[48];
    size_t n = 0;

    checkos_check_sysctl(NULL, set, ELEMENTSOF(set), &n);
    for (size_t i = 0; i < n; i++) {
        char path[128], line[160], why[OG_ERROR_DETAIL_MAX];
        int r;

        snprintf(path, sizeof(path), "/proc/sys/%s", set[i].key);
        for (char *p = path + 10; *p; p++)
            if (*p == '.')
                *p = '/';
        r = write_kernel(path, set[i].value);
        if (r < 0) {
            checkos_emit(o, CHECKOS_B(1), "abnormal",
                         "Failed to enforce sysctl kernel variable '%s'. Error: %s.", set[i].key,
                         strerror(-r));
            continue;
        }
        checkos_emit(o, CHECKOS_B(1), "note", "Set variable '%s' to '%s'", set[i].key,
                     set[i].value);
        snprintf(line, sizeof(line), "%s = %s", set[i].key, set[i].value);
        if (conf_replace(SYSCTL_CONF, match_sysctl, set[i].key, line, why, sizeof(why)) < 0)
            checkos_emit(o, CHECKOS_B(1), "abnormal",
                         "Failed to set variable '%s %s' in %s (it is set until the next "
                         "boot). Error: %s",
                         set[i].key, set[i].value, SYSCTL_CONF, why);
    }
}

/* ---- B2: LocalCheck.py:446-514 ------------------------------------------ */

/* The cluster user: the owner of the OM package this program runs from
 * (openGauss's getClusterUser); "" when that is root. */
void checkos_cluster_user(char *name, size_t size)
{
    char exe[PATH_MAX], *slash;
    ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    struct stat st;
    struct passwd pw, *res = NULL;
    char buf[4096];

    name[0] = '\0';
    if (n <= 0)
        return;
    exe[n] = '\0';
    for (int up = 0; up < 2 && (slash = strrchr(exe, '/')); up++)
        *slash = '\0';
    if (stat(exe[0] ? exe : "/", &st) == 0 && st.st_uid != 0 &&
        getpwuid_r(st.st_uid, &pw, buf, sizeof(buf), &res) == 0 && res)
        snprintf(name, size, "%s", pw.pw_name);
}

struct limit_line {
    const char *user, *type, *item;
};

/* sed '/^.*<user> * <type> *<item> .*$/d' */
static bool match_limit(const char *line, const void *arg)
{
    const struct limit_line *l = arg;
    char w[3][64] = {"", "", ""};
    size_t n = strlen(l->user);

    if (sscanf(line, "%63s %63s %63s", w[0], w[1], w[2]) != 3)
        return false;
    return strlen(w[0]) >= n && strcmp(w[0] + strlen(w[0]) - n, l->user) == 0 &&
           strcmp(w[1], l->type) == 0 && strcmp(w[2], l->item) == 0;
}

/* SetLimitsConf: root's line, then the cluster user's */
static int limits_write(const char *path, const char *type, const struct checkos_limit *lim,
                        const char *user, char *why, size_t size)
{
    const char *users[] = {"root", user};
    int r = 0;

    for (size_t u = 0; r == 0 && u < ELEMENTSOF(users); u++) {
        struct limit_line m = {users[u], type, lim->item};
        char line[160];
        if (!users[u][0])
            continue;
        snprintf(line, sizeof(line), "%s       %s    %s  %s", users[u], type, lim->item,
                 lim->value);
        r = conf_replace(path, match_limit, &m, line, why, size);
    }
    return r;
}

/* nofile and nproc: every conf file of limits.d and 9x-nofile.conf; stack, as and
 * nproc: limits.conf (LocalCheck.py:452-470) */
static int limits_set_one(const struct checkos_limit *lim, const char *type, const char *user,
                          char *why, size_t size)
{
    bool d = strcmp(lim->item, "nofile") == 0 || strcmp(lim->item, "nproc") == 0;
    glob_t g = {0};
    int r = 0;

    if (d && glob(LIMITS_DIR "/*.conf", 0, NULL, &g) == 0)
        for (size_t k = 0; r == 0 && k < g.gl_pathc; k++)
            r = limits_write(g.gl_pathv[k], type, lim, user, why, size);
    globfree(&g);
    if (r < 0)
        return r;
    if (strcmp(lim->item, "nofile") == 0)
        return limits_write(access(LIMITS_DIR "/91-nofile.conf", F_OK) == 0
                                ? LIMITS_DIR "/91-nofile.conf"
                                : LIMITS_DIR "/90-nofile.conf",
                            type, lim, user, why, size);
    return limits_write(LIMITS_CONF, type, lim, user, why, size);
}

static void set_limits(struct dynbuf *o)
{
    struct checkos_limit set[8];
    size_t n = 0;
    char user[64];

    checkos_cluster_user(user, sizeof(user));
    checkos_check_limits(NULL, set, ELEMENTSOF(set), &n);
    for (size_t i = 0; i < n; i++) {
        static const char *const types[] = {"soft", "hard"};
        for (size_t t = 0; t < ELEMENTSOF(types); t++) {
            char why[OG_ERROR_DETAIL_MAX];
            if (limits_set_one(&set[i], types[t], user, why, sizeof(why)) < 0)
                checkos_emit(o, CHECKOS_B(2), "abnormal",
                             "Abnormal reason: Failed to set variable '%s %s'. Error: %s", types[t],
                             set[i].item, why);
            else
                checkos_emit(o, CHECKOS_B(2), "note", "Set variable '%s %s' to '%s'", types[t],
                             set[i].item, set[i].value);
        }
    }
}

/* ---- B3, B4: LocalCheckOS.py:1514-1745 ---------------------------------- */

static void set_readahead(struct dynbuf *o)
{
    char devs[64][64], path[PATH_MAX], v[64], want[32];
    size_t n;

    snprintf(want, sizeof(want), "%d", CHECKOS_READAHEAD / 2); /* KiB */
    n = checkos_block_devices(devs, ELEMENTSOF(devs), CHECKOS_DEV_BLOCKDEV);
    for (size_t i = 0; i < n; i++) {
        int r;
        snprintf(path, sizeof(path), "/sys/block/%s/queue/read_ahead_kb", devs[i]);
        if (checkos_read_line(path, v, sizeof(v)) < 0 ||
            checkos_kernel_num(v) * 2 >= CHECKOS_READAHEAD)
            continue;
        r = write_kernel(path, want);
        if (r < 0)
            checkos_emit(o, CHECKOS_B(3), "abnormal",
                         "Failed to set block dev '/dev/%s'. Error: %s", devs[i], strerror(-r));
        else
            checkos_emit(o, CHECKOS_B(3), "note",
                         "On device (/dev/%s) set 'blockdev readahead' from '%lld' to '%d'.",
                         devs[i], checkos_kernel_num(v) * 2, CHECKOS_READAHEAD);
    }
}

static void set_aio(struct dynbuf *o)
{
    char v[64], want[32];
    int r;

    if (checkos_read_line("/proc/sys/fs/aio-max-nr", v, sizeof(v)) < 0) {
        checkos_emit(o, CHECKOS_B(4), "note", "WARNING:Not find AsynchronousIORequest file.");
        return;
    }
    if (checkos_kernel_num(v) >= CHECKOS_AIO_MAX_NR)
        return;
    snprintf(want, sizeof(want), "%d", CHECKOS_AIO_MAX_NR);
    r = write_kernel("/proc/sys/fs/aio-max-nr", want);
    if (r < 0)
        checkos_emit(o, CHECKOS_B(4), "abnormal",
                     "Failed to set Asynchronous IO Maximum Request. Error: %s", strerror(-r));
    else
        checkos_emit(o, CHECKOS_B(4), "note", "Set 'aio-max-nr' from '%s' to '%s'.", v, want);
}

static void set_io(struct dynbuf *o)
{
    char devs[64][64], path[PATH_MAX], v[64], cur[64], want[64], nr[32];
    size_t n = checkos_block_devices(devs, ELEMENTSOF(devs), CHECKOS_DEV_ALL);

    snprintf(nr, sizeof(nr), "%d", CHECKOS_NR_REQUESTS);
    for (size_t i = 0; i < n; i++) {
        int r;
        snprintf(path, sizeof(path), "/sys/block/%s/queue/nr_requests", devs[i]);
        if (checkos_read_line(path, v, sizeof(v)) < 0 ||
            checkos_kernel_num(v) == CHECKOS_NR_REQUESTS)
            continue;
        checkos_emit(o, CHECKOS_B(4), "note",
                     "WARNING:On device (%s) 'IO Request' RealValue '%s' ExpectedValue '%s'",
                     devs[i], v, nr);
        r = write_kernel(path, nr);
        if (r < 0)
            checkos_emit(o, CHECKOS_B(4), "abnormal",
                         "WARNING:Failed to set dev '%s' IO Request. Error: %s", devs[i],
                         strerror(-r));
    }
    set_aio(o);
    n = checkos_block_devices(devs, ELEMENTSOF(devs), CHECKOS_DEV_DISKS);
    for (size_t i = 0; i < n; i++) {
        int r;
        if (checkos_scheduler(devs[i], cur, sizeof(cur), want, sizeof(want)) < 0 ||
            strcmp(cur, want) == 0)
            continue;
        snprintf(path, sizeof(path), "/sys/block/%s/queue/scheduler", devs[i]);
        r = write_kernel(path, want);
        if (r < 0)
            checkos_emit(o, CHECKOS_B(4), "abnormal",
                         "Failed to set dev '%s' IO Schedulers. Error: %s", devs[i], strerror(-r));
        else
            checkos_emit(o, CHECKOS_B(4), "note",
                         "On device (%s) set 'IO scheduler' from '%s' to '%s'.", devs[i], cur,
                         want);
    }
}

/* ---- B5: LocalCheckOS.py:1237-1285 (the MTU is never set: the NOTICE) --- */

static void set_network(struct dynbuf *o)
{
    _cleanup_(closedirp) DIR *d = opendir("/sys/class/net");
    struct dirent *e;

    /* openGauss raises the RX/TX rings of cards of 10 Gb/s and more
     * (netWorkLevel, :84) with ethtool; ogup does not set them. */
    while (d && (e = readdir(d))) {
        char path[PATH_MAX], speed[32];
        if (e->d_name[0] == '.' || strcmp(e->d_name, "lo") == 0)
            continue;
        snprintf(path, sizeof(path), "/sys/class/net/%s/speed", e->d_name);
        if (checkos_read_line(path, speed, sizeof(speed)) == 0 &&
            checkos_kernel_num(speed) >= 10000)
            checkos_emit(o, CHECKOS_B(5), "warn",
                         "Warning reason: network '%s' 'rx'/'tx' ring buffers are not set by "
                         "ogup (speed %s Mb/s): set them with ethtool -G.",
                         e->d_name, speed);
    }
}

/* ---- B6, B7, B8: LocalCheckOS.py:656-786 -------------------------------- */

static void set_thp(struct dynbuf *o)
{
    static const char tmpfile[] = "w " THP_FILE " - - - - never\n";
    struct og_error err = {0};
    char cur[256];
    int r;

    if (checkos_read_line(THP_FILE, cur, sizeof(cur)) < 0 || strstr(cur, "[never]"))
        return;
    r = write_kernel(THP_FILE, "never");
    if (r < 0) {
        checkos_emit(o, CHECKOS_B(6), "abnormal",
                     "[GAUSS-51002] : Failed to close THP service. Error: %s: %s", THP_FILE,
                     strerror(-r));
        return;
    }
    /* at boot too: systemd-tmpfiles, where openGauss appends to rc.local */
    if (fs_replace_file("/etc/tmpfiles.d/ogup-thp.conf", tmpfile, strlen(tmpfile), 0644, &err) < 0)
        checkos_emit(o, CHECKOS_B(6), "abnormal",
                     "Failed to write /etc/tmpfiles.d/ogup-thp.conf (THP is off until the next "
                     "boot). Error: %s",
                     err.detail);
}

static bool match_removeipc(const char *line, const void *arg)
{
    (void)arg;
    return strncmp(line, "RemoveIPC=", 10) == 0;
}

static void set_removeipc(struct dynbuf *o)
{
    _cleanup_fclose_ FILE *f = fopen(LOGIND_CONF, "re");
    char line[512], why[OG_ERROR_DETAIL_MAX];
    int no = 0, other = 0;

    if (!f)
        return; /* no logind here: nothing removes IPC */
    while (fgets(line, sizeof(line), f)) {
        line[strcspn(line, "\n")] = '\0';
        if (strcmp(line, "RemoveIPC=no") == 0)
            no++;
        else if (match_removeipc(line, NULL))
            other++;
    }
    if (no > 0 && other == 0)
        return;
    if (conf_replace(LOGIND_CONF, match_removeipc, NULL, "RemoveIPC=no", why, sizeof(why)) < 0)
        checkos_emit(o, CHECKOS_B(7), "abnormal",
                     "[GAUSS-51002] : Failed to set RemoveIPC=no in %s. Error: %s", LOGIND_CONF,
                     why);
    else
        checkos_emit(o, CHECKOS_B(7), "note",
                     "Set RemoveIPC=no in %s (systemd-logind reads it when it starts).",
                     LOGIND_CONF);
}

/* sed '/.*session\+.*pam_limits\.so/d' */
static bool match_pam_limits(const char *line, const void *arg)
{
    const char *s = strstr(line, "session");

    (void)arg;
    return s && strstr(s, "pam_limits.so");
}

static void set_session(struct dynbuf *o)
{
    static const char want[] = "session    required     pam_limits.so";
    _cleanup_fclose_ FILE *f = fopen(PAM_SSHD, "re");
    char line[512], why[OG_ERROR_DETAIL_MAX];
    int seen = 0, other = 0;

    if (!f)
        return;
    while (fgets(line, sizeof(line), f)) {
        line[strcspn(line, "\n")] = '\0';
        if (strcmp(line, want) == 0)
            seen++;
        else if (match_pam_limits(line, NULL))
            other++;
    }
    if (seen == 1 && other == 0)
        return; /* already as openGauss writes it */
    if (conf_replace(PAM_SSHD, match_pam_limits, NULL, want, why, sizeof(why)) < 0)
        checkos_emit(o, CHECKOS_B(8), "abnormal",
                     "[GAUSS-51003] : Failed to set session process. Error: %s", why);
}

void checkos_local_set(uint32_t mask, struct dynbuf *o)
{
    static void (*const set[CHECKOS_N_B])(struct dynbuf *) = {
        set_sysctl,  set_limits, set_readahead, set_io,
        set_network, set_thp,    set_removeipc, set_session,
    };

    for (int i = 0; i < CHECKOS_N_B; i++) {
        if (!(mask & (1u << CHECKOS_B(i + 1))))
            continue;
        checkos_emit(o, CHECKOS_B(i + 1), "checked", "yes");
        set[i](o);
    }
}
