/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * ogsim-init - PID 1 of a simulated node:
 *   ogsim-init HOSTNAME SSHD_CONFIG [--agent]
 * and, run inside a node by `ogsim restore`:
 *   ogsim-init --sync SRC DST
 * which makes the tree DST equal to SRC copying only what differs (type,
 * size, mtime to the nanosecond, mode, owner), and removing what SRC lacks:
 * a restore costs what changed since the snapshot, not the whole data dir.
 * leaves the console (its output to /run/ogsim-init.log, /dev/null as stdin),
 * sets the host name, prepares /run/sshd, runs sshd in the foreground as its
 * child (restarting it if it dies) and, on a VM, the QEMU guest agent the
 * same way (the harness's channel into it), reaps every orphan (the node's gaussdb
 * processes are re-parented here), and exits on SIGTERM/SIGPWR.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define SSHD_LOG   "/run/ogsim-sshd.log" /* the node's own /run (tmpfs, kept by restores) */
#define INIT_LOG   "/run/ogsim-init.log"
#define AGENT_LOG  "/run/ogsim-agent.log"
#define AGENT_PORT "org.qemu.guest_agent.0"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
    (void)sig;
    stop = 1;
}

/* A daemon in the foreground, its output to log (never the console). */
static pid_t start_daemon(char *const argv[], const char *log_path)
{
    pid_t pid = fork();

    if (pid == 0) {
        char *const envp[] = {(char *)"PATH=/usr/sbin:/usr/bin:/sbin:/bin", NULL};
        int log = open(log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
        sigset_t none;
        if (log >= 0) {
            dup2(log, STDOUT_FILENO);
            dup2(log, STDERR_FILENO);
        }
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        execve(argv[0], argv, envp);
        fprintf(stderr, "ogsim-init: cannot run %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    return pid;
}

static pid_t start_sshd(const char *config)
{
    /* its log to a file, never to the console: the domain's console is a
     * pty nobody reads, so once its buffer is full every write blocks, and
     * sshd logs each connection from the monitor before the session starts:
     * after a few hundred connections new sessions hung ("sshd: omm
     * [priv]" with a defunct child), the flake the slow suites hit after
     * many snapshot restores */
    char *const argv[] = {
        (char *)"/usr/sbin/sshd", (char *)"-D", (char *)"-E", (char *)SSHD_LOG, (char *)"-f",
        (char *)config,           NULL};

    return start_daemon(argv, SSHD_LOG);
}

/* On a VM (the QEMU driver): the guest agent on its virtio port, the
 * harness's way in that no network fault cuts. No udev here: the port is
 * found by its name in sysfs. 0 when the node has none (a container). */
static pid_t start_agent(void)
{
    static char dev[64];
    char *const argv[] = {(char *)"/usr/sbin/qemu-ga",
                          (char *)"-m",
                          (char *)"virtio-serial",
                          (char *)"-p",
                          dev,
                          NULL};
    DIR *d = opendir("/sys/class/virtio-ports");
    struct dirent *de;

    dev[0] = '\0';
    while (d && !dev[0] && (de = readdir(d))) {
        char p[300], name[64] = "";
        FILE *f;
        snprintf(p, sizeof(p), "/sys/class/virtio-ports/%s/name", de->d_name);
        f = fopen(p, "re");
        if (f && fgets(name, sizeof(name), f) && strncmp(name, AGENT_PORT, strlen(AGENT_PORT)) == 0)
            snprintf(dev, sizeof(dev), "/dev/%.50s", de->d_name);
        if (f)
            fclose(f);
    }
    if (d)
        closedir(d);
    return dev[0] ? start_daemon(argv, AGENT_LOG) : 0;
}

/* Nothing in a node may hold its console for writing: the console is a pty
 * nobody reads, so once its buffer is full (a few KiB) every write to it
 * blocks for good -- the sshd monitors blocked so ("sshd: omm [priv]" with a
 * defunct child) until sshd logged to a file. This init wrote its own lines
 * there and handed it to sshd as stdin: its lines go to INIT_LOG, and every
 * child gets /dev/null as stdin. */
static void leave_console(void)
{
    int log = open(INIT_LOG, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    int nul = open("/dev/null", O_RDONLY | O_CLOEXEC);

    if (nul >= 0)
        dup2(nul, STDIN_FILENO);
    if (log >= 0) {
        dup2(log, STDOUT_FILENO);
        dup2(log, STDERR_FILENO);
    }
    if (nul > STDERR_FILENO)
        close(nul);
    if (log > STDERR_FILENO)
        close(log);
}

/* ---- --sync --------------------------------------------------------------- */

static const char *sync_src, *sync_dst;
static int sync_failed;
static unsigned long sync_copied, sync_removed;

static void sync_fail(const char *what, const char *path)
{
    fprintf(stderr, "ogsim-init --sync: %s \"%s\": %s\n", what, path, strerror(errno));
    sync_failed = 1;
}

static int copy_file(const char *src, const struct stat *st, const char *dst)
{
    int in = open(src, O_RDONLY | O_CLOEXEC), out;
    struct timespec times[2] = {st->st_atim, st->st_mtim};
    off_t left = st->st_size;

    if (in < 0)
        return -1;
    unlink(dst);
    out = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (out < 0) {
        close(in);
        return -1;
    }
    while (left > 0) {
        ssize_t n = copy_file_range(in, NULL, out, NULL, (size_t)left, 0);
        if (n < 0 && (errno == EXDEV || errno == EOPNOTSUPP || errno == ENOSYS)) {
            /* across filesystems (the snapshot is on the host's): plain copy */
            char buf[65536];
            n = read(in, buf, sizeof(buf));
            if (n > 0) {
                for (ssize_t off = 0; off < n;) {
                    ssize_t w = write(out, buf + off, (size_t)(n - off));
                    if (w < 0 && errno != EINTR)
                        goto fail;
                    off += w > 0 ? w : 0;
                }
            }
        }
        if (n <= 0) {
            if (n < 0 && errno == EINTR)
                continue;
            goto fail;
        }
        left -= n;
    }
    close(in);
    if (fchown(out, st->st_uid, st->st_gid) < 0 || fchmod(out, st->st_mode & 07777) < 0 ||
        futimens(out, times) < 0) {
        close(out);
        return -1;
    }
    return close(out);
fail:
    close(in);
    close(out);
    return -1;
}

static int sync_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    char dst[PATH_MAX], target[PATH_MAX], have[PATH_MAX];
    struct stat ds;
    bool exists;

    (void)ftw;
    snprintf(dst, sizeof(dst), "%s%s", sync_dst, path + strlen(sync_src));
    exists = lstat(dst, &ds) == 0;
    if (flag == FTW_D) {
        if (exists && !S_ISDIR(ds.st_mode))
            unlink(dst), exists = false;
        if (!exists && mkdir(dst, st->st_mode & 07777) < 0)
            sync_fail("mkdir", dst);
        if (lchown(dst, st->st_uid, st->st_gid) < 0 || chmod(dst, st->st_mode & 07777) < 0)
            sync_fail("chown/chmod", dst);
    } else if (flag == FTW_SL) {
        ssize_t n = readlink(path, target, sizeof(target) - 1), m = -1;
        target[n > 0 ? n : 0] = '\0';
        if (exists && S_ISLNK(ds.st_mode)) {
            m = readlink(dst, have, sizeof(have) - 1);
            have[m > 0 ? m : 0] = '\0';
        }
        if (m < 0 || strcmp(have, target) != 0) {
            unlink(dst);
            if (symlink(target, dst) < 0 || lchown(dst, st->st_uid, st->st_gid) < 0)
                sync_fail("symlink", dst);
            sync_copied++;
        }
    } else if (flag == FTW_F) {
        if (!exists || !S_ISREG(ds.st_mode) || ds.st_size != st->st_size ||
            ds.st_mtim.tv_sec != st->st_mtim.tv_sec || ds.st_mtim.tv_nsec != st->st_mtim.tv_nsec) {
            if (exists && S_ISDIR(ds.st_mode))
                sync_fail("a directory is in the way of", dst);
            else if (copy_file(path, st, dst) < 0)
                sync_fail("copy to", dst);
            else
                sync_copied++;
        } else if ((ds.st_mode & 07777) != (st->st_mode & 07777) || ds.st_uid != st->st_uid ||
                   ds.st_gid != st->st_gid) {
            if (chown(dst, st->st_uid, st->st_gid) < 0 || chmod(dst, st->st_mode & 07777) < 0)
                sync_fail("chown/chmod", dst);
        }
    }
    return 0;
}

static int prune_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    char src[PATH_MAX];
    struct stat ss;

    (void)st;
    if (ftw->level == 0)
        return 0;
    snprintf(src, sizeof(src), "%s%s", sync_src, path + strlen(sync_dst));
    if (lstat(src, &ss) == 0)
        return 0;
    if ((flag == FTW_DP ? rmdir(path) : unlink(path)) < 0)
        sync_fail("remove", path);
    else
        sync_removed++;
    return 0;
}

static int sync_main(const char *src, const char *dst)
{
    struct stat st;

    sync_src = src;
    sync_dst = dst;
    if (lstat(src, &st) < 0 || !S_ISDIR(st.st_mode)) {
        sync_fail("not a directory:", src);
        return 1;
    }
    if (nftw(src, sync_entry, 64, FTW_PHYS) != 0)
        sync_fail("walk", src);
    if (nftw(dst, prune_entry, 64, FTW_DEPTH | FTW_PHYS) != 0)
        sync_fail("walk", dst);
    printf("synced %s: %lu copied, %lu removed\n", dst, sync_copied, sync_removed);
    return sync_failed;
}

int main(int argc, char **argv)
{
    if (argc == 4 && strcmp(argv[1], "--sync") == 0)
        return sync_main(argv[2], argv[3]);
    struct sigaction sa = {.sa_handler = on_signal};
    pid_t sshd, agent;
    time_t last_start, agent_start;

    if (argc != 3 && !(argc == 4 && strcmp(argv[3], "--agent") == 0)) {
        fprintf(stderr, "usage: ogsim-init HOSTNAME SSHD_CONFIG [--agent]\n");
        return 2;
    }
    leave_console();
    if (sethostname(argv[1], strlen(argv[1])) < 0)
        fprintf(stderr, "ogsim-init: sethostname: %s\n", strerror(errno));
    mkdir("/run/sshd", 0755);
    chmod("/run/sshd", 0755);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGPWR, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGHUP, SIG_IGN);

    sshd = start_sshd(argv[2]);
    last_start = time(NULL);
    agent = argc == 4 ? start_agent() : 0; /* a container's /sys is the host's */
    agent_start = last_start;
    fprintf(stderr, "ogsim-init: node %s up, sshd pid %ld\n", argv[1], (long)sshd);
    while (!stop) {
        int status;
        pid_t pid = waitpid(-1, &status, 0);

        if (pid < 0) {
            if (errno == ECHILD)
                pause();
            continue;
        }
        if (pid == sshd && !stop) {
            fprintf(stderr, "ogsim-init: sshd exited (status %d), restarting\n", status);
            if (time(NULL) - last_start < 1)
                sleep(1);
            sshd = start_sshd(argv[2]);
            last_start = time(NULL);
        } else if (pid == agent && agent > 0 && !stop) {
            fprintf(stderr, "ogsim-init: qemu-ga exited (status %d), restarting\n", status);
            if (time(NULL) - agent_start < 1)
                sleep(1);
            agent = start_agent();
            agent_start = time(NULL);
        }
    }
    kill(-1, SIGTERM);
    return 0;
}
