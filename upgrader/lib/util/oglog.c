/* SPDX-License-Identifier: MulanPSL-2.0 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "fs.h"
#include "clock.h"
#include "oglog.h"
#include "banned.h"

#define LOG_LINE_MAX 16384
#define REDACTED     "******"

static struct {
    pthread_mutex_t lock;
    FILE *file;
    char *path;
    char tool[64];
    FILE *console;
    enum oglog_level console_level;
    enum oglog_level file_level;
    uid_t trusted;  /* besides root, whose directories root logs into */
    int dirfd;      /* root: the directory of the file (walked), or -1 */
    bool made_file; /* root: this open created the file ... */
    bool made_dir;  /* ... and its directory */
} st = {
    .lock = PTHREAD_MUTEX_INITIALIZER,
    .tool = "ogup",
    .console_level = OGLOG_INFO,
    .file_level = OGLOG_DEBUG,
    .trusted = (uid_t)-1,
    .dirfd = -1,
};

static const char *const level_names[] = {"DEBUG", "LOG", "WARNING", "ERROR"};

/* Where the file goes: dir (absolute: a relative path or $GAUSSLOG is taken
 * from the working directory) and name; create: whether missing
 * directories are made ($GAUSSLOG/om only). Returns 1: no file (no $GAUSSLOG). */
static int log_location(const char *path, char **ret_dir, char **ret_name, bool *create,
                        struct og_error *err)
{
    _cleanup_free_ char *full = NULL, *cwd = NULL;
    const char *gausslog = getenv("GAUSSLOG");
    char *slash;

    *create = !path;
    if (!path) {
        char stamp[32];
        time_t now = time(NULL);
        struct tm tm;

        if (!gausslog || !gausslog[0])
            return 1;
        localtime_r(&now, &tm);
        strftime(stamp, sizeof(stamp), "%Y-%m-%d_%H%M%S", &tm);
        if (asprintf(&full, "%s/om/%s-%s.log", gausslog, st.tool, stamp) < 0)
            full = NULL;
    } else {
        full = strdup(path);
    }
    if (full && full[0] != '/' && (cwd = getcwd(NULL, 0))) {
        char *rel = steal_ptr(full);
        if (asprintf(&full, "%s/%s", cwd, rel) < 0)
            full = NULL;
        free(rel);
    }
    if (!full)
        return og_error_set(err, OG_E_NOMEM, "log path");
    slash = strrchr(full, '/');
    if (!slash || !slash[1])
        return og_error_set(err, OG_E_LOG_OPEN, "cannot open log file \"%s\": no file name", full);
    *ret_name = strdup(slash + 1);
    *slash = '\0';
    *ret_dir = steal_ptr(full);
    if (!*ret_name || !*ret_dir)
        return og_error_set(err, OG_E_NOMEM, "log path");
    return 0;
}

/* Root: a directory on the way may be root's or the trusted user's, and
 * writable by nobody else unless sticky (/tmp). */
static int check_dir(int fd, const char *dir, const char *name, struct og_error *err)
{
    struct stat s;

    if (fstat(fd, &s) < 0)
        return og_error_set_errno(err, OG_E_LOG_OPEN, errno, "cannot open log directory \"%s\"",
                                  dir);
    if (s.st_uid != 0 && s.st_uid != st.trusted)
        return og_error_set(err, OG_E_LOG_UNSAFE,
                            "log directory \"%s\" (at \"%s\") belongs to uid %u, not to root "
                            "or the cluster user",
                            dir, name, (unsigned)s.st_uid);
    if ((s.st_mode & (S_IWGRP | S_IWOTH)) && !(s.st_mode & S_ISVTX))
        return og_error_set(err, OG_E_LOG_UNSAFE,
                            "log directory \"%s\" (at \"%s\") is writable by group or others", dir,
                            name);
    return 0;
}

/* (O_DIRECTORY | O_NOFOLLOW fails on a link with ENOTDIR or ELOOP) */
static bool is_symlink_at(int dirfd, const char *name)
{
    struct stat s;
    int e = errno;
    bool link = fstatat(dirfd, name, &s, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(s.st_mode);

    errno = e;
    return link;
}

/* Root: open dir from / one component at a time, never following a link,
 * each directory checked; create: make the missing ones (0700). */
static int open_dir_walk(const char *dir, bool create, int *ret_fd, bool *ret_made,
                         struct og_error *err)
{
    _cleanup_free_ char *copy = strdup(dir);
    _cleanup_close_ int fd = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    char *save = NULL, *c;
    bool made = false;
    int r = copy ? 0 : og_error_set(err, OG_E_NOMEM, "log path");

    if (r == 0 && fd < 0)
        r = og_error_set_errno(err, OG_E_LOG_OPEN, errno, "cannot open \"/\"");
    if (r == 0)
        r = check_dir(fd, dir, "/", err);
    for (c = r == 0 ? strtok_r(copy, "/", &save) : NULL; c && r == 0;
         c = strtok_r(NULL, "/", &save)) {
        int nfd = openat(fd, c, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

        made = false;
        if (nfd < 0 && errno == ENOENT && create) {
            made = mkdirat(fd, c, 0700) == 0;
            nfd = openat(fd, c, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        }
        if (nfd < 0 && is_symlink_at(fd, c))
            return og_error_set(err, OG_E_LOG_UNSAFE,
                                "log directory \"%s\" (at \"%s\") is a symbolic link", dir, c);
        if (nfd < 0)
            return og_error_set_errno(err, OG_E_LOG_OPEN, errno,
                                      "cannot open log directory \"%s\" (at \"%s\")", dir, c);
        safe_close(fd);
        fd = nfd;
        r = check_dir(fd, dir, c, err);
    }
    if (r < 0)
        return r;
    *ret_fd = steal_fd(&fd);
    *ret_made = made;
    return 0;
}

/* Root: the file in dirfd, made anew (O_EXCL) or an existing regular file
 * with one link, root's or the trusted user's; never a link. */
static int open_file_at(int dirfd, const char *name, const char *dir, int *ret_fd, bool *ret_made,
                        struct og_error *err)
{
    const int flags = O_WRONLY | O_APPEND | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC;
    _cleanup_close_ int fd = openat(dirfd, name, flags | O_CREAT | O_EXCL, 0600);
    bool made = fd >= 0;
    struct stat s;

    if (fd < 0 && errno == EEXIST)
        fd = openat(dirfd, name, flags | O_NONBLOCK);
    if (fd < 0)
        return og_error_set_errno(err, errno == ELOOP ? OG_E_LOG_UNSAFE : OG_E_LOG_OPEN, errno,
                                  "cannot open log file \"%s/%s\"", dir, name);
    if (fstat(fd, &s) < 0 || !S_ISREG(s.st_mode) || s.st_nlink != 1 ||
        (s.st_uid != 0 && s.st_uid != st.trusted))
        return og_error_set(err, OG_E_LOG_UNSAFE,
                            "log file \"%s/%s\" is not a regular file with one link of root or "
                            "the cluster user",
                            dir, name);
    if (fcntl(fd, F_SETFL, O_APPEND) < 0)
        return og_error_set_errno(err, OG_E_LOG_OPEN, errno, "log file \"%s/%s\"", dir, name);
    *ret_fd = steal_fd(&fd);
    *ret_made = made;
    return 0;
}

/* Not root: the user's own files, as openGauss opens them. */
static int open_plain(const char *dir, const char *name, bool create, int *ret_fd,
                      struct og_error *err)
{
    _cleanup_free_ char *p = NULL;
    int fd;

    if (create && fs_mkdir_p(dir, 0700, err) < 0)
        return og_error_set(err, OG_E_LOG_OPEN, "cannot create log directory \"%s\"", dir);
    if (asprintf(&p, "%s/%s", dir, name) < 0)
        return og_error_set(err, OG_E_NOMEM, "log path");
    fd = open(p, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0)
        return og_error_set_errno(err, OG_E_LOG_OPEN, errno, "cannot open log file \"%s\"", p);
    *ret_fd = fd;
    return 0;
}

void oglog_trust_user(uid_t uid)
{
    st.trusted = uid;
}

int oglog_open(const char *tool, const char *path, struct og_error *err)
{
    _cleanup_free_ char *dir = NULL, *name = NULL, *p = NULL;
    _cleanup_close_ int fd = -1, dirfd = -1;
    bool create, made_dir = false, made_file = false;
    FILE *f;
    int r;

    oglog_close();
    snprintf(st.tool, sizeof(st.tool), "%s", tool ? tool : "ogup");
    r = log_location(path, &dir, &name, &create, err);
    if (r != 0)
        return r < 0 ? r : 0;
    if (geteuid() != 0)
        r = open_plain(dir, name, create, &fd, err);
    else if ((r = open_dir_walk(dir, create, &dirfd, &made_dir, err)) == 0)
        r = open_file_at(dirfd, name, dir, &fd, &made_file, err);
    if (r < 0)
        return r;
    if (asprintf(&p, "%s/%s", dir, name) < 0)
        return og_error_set(err, OG_E_NOMEM, "log path");
    if (fchmod(fd, 0600) < 0 || !(f = fdopen(fd, "a")))
        return og_error_set_errno(err, OG_E_LOG_OPEN, errno, "cannot open log file \"%s\"", p);
    fd = -1;
    setvbuf(f, NULL, _IOLBF, 0);
    pthread_mutex_lock(&st.lock);
    st.file = f;
    st.path = steal_ptr(p);
    st.dirfd = steal_fd(&dirfd);
    st.made_dir = made_dir;
    st.made_file = made_file;
    pthread_mutex_unlock(&st.lock);
    return 0;
}

/* Only what this process made, through the descriptors it opened: never a
 * path a user could have changed since. */
int oglog_give(uid_t uid, gid_t gid, struct og_error *err)
{
    int r = 0;

    pthread_mutex_lock(&st.lock);
    if (st.file && st.made_file && fchown(fileno(st.file), uid, gid) < 0)
        r = og_error_set_errno(err, OG_E_IO, errno, "cannot give log file \"%s\"", st.path);
    if (r == 0 && st.dirfd >= 0 && st.made_dir && fchown(st.dirfd, uid, gid) < 0)
        r = og_error_set_errno(err, OG_E_IO, errno, "cannot give the directory of \"%s\"", st.path);
    pthread_mutex_unlock(&st.lock);
    return r;
}

void oglog_close(void)
{
    pthread_mutex_lock(&st.lock);
    if (st.file)
        fclose(st.file);
    st.file = NULL;
    free(st.path);
    st.path = NULL;
    st.dirfd = safe_close(st.dirfd);
    st.made_dir = st.made_file = false;
    pthread_mutex_unlock(&st.lock);
}

const char *oglog_path(void)
{
    return st.path;
}

void oglog_set_console_level(enum oglog_level level)
{
    st.console_level = level;
}

void oglog_set_file_level(enum oglog_level level)
{
    st.file_level = level;
}

void oglog_set_console(FILE *f)
{
    st.console = f;
}

static bool is_value_end(char c)
{
    return c == '\0' || isspace((unsigned char)c) || c == '\'' || c == '"' || c == ',' ||
           c == ';' || c == '&' || c == ')';
}

/* Mask the value starting at from, in place; the string never grows. A
 * value opened by a quote (quote != 0) runs to the closing quote.
 * Returns the position just after the mask. */
static char *mask(char *from, char quote)
{
    char *to = from;

    if (quote)
        while (*to && *to != quote)
            to++;
    else
        while (!is_value_end(*to))
            to++;
    if (to == from)
        return to;
    size_t rl = strlen(REDACTED);
    size_t vl = (size_t)(to - from);
    if (vl >= rl) {
        memcpy(from, REDACTED, rl);
        memmove(from + rl, to, strlen(to) + 1);
    } else {
        /* Value shorter than the mask: mask with as many stars, keep length. */
        memset(from, '*', vl);
    }
    return from + (vl >= rl ? rl : vl);
}

static const char *const secret_keys[] = {"pgpassword", "password", "passwd",    "pwd",
                                          "secret",     "token",    "passphrase"};

int oglog_redact(char *s)
{
    int count = 0;
    char *p;

    /* PEM private keys: drop the body between BEGIN and END lines. */
    while ((p = strstr(s, "-----BEGIN ")) && strstr(p, "PRIVATE KEY-----")) {
        char *end = strstr(p, "-----END ");
        char *close = end ? strstr(end + 9, "-----") : NULL;
        const char *rep = "[private key redacted]";

        if (!close) {
            *p = '\0';
            count++;
            break;
        }
        close += 5;
        memmove(p + strlen(rep), close, strlen(close) + 1);
        memcpy(p, rep, strlen(rep));
        count++;
    }

    for (p = s; *p; p++) {
        /* key=value / key: value with a secret-sounding key. */
        for (size_t k = 0; k < ELEMENTSOF(secret_keys); k++) {
            size_t kl = strlen(secret_keys[k]);
            char *v;

            if (strncasecmp(p, secret_keys[k], kl) != 0)
                continue;
            v = p + kl;
            if (*v == '=' || (*v == ':' && v[1] == ' ')) {
                v += (*v == '=') ? 1 : 2;
                char q = (*v == '\'' || *v == '"') ? *v++ : 0;
                if (q ? (*v && *v != q) : !is_value_end(*v)) {
                    p = mask(v, q) - 1;
                    count++;
                }
                break;
            }
        }
        if (!*p)
            break;
        /* -W word / --password word (gsql, gs_om style). */
        if ((p == s || isspace((unsigned char)p[-1])) &&
            (strncmp(p, "-W ", 3) == 0 || strncmp(p, "--password ", 11) == 0)) {
            char *v = p + (p[1] == 'W' ? 3 : 11);
            char q = (*v == '\'' || *v == '"') ? *v++ : 0;
            if (q ? (*v && *v != q) : !is_value_end(*v)) {
                p = mask(v, q) - 1;
                count++;
            }
        }
    }
    return count;
}

bool oglog_enabled(enum oglog_level level)
{
    return level >= st.console_level || (st.file && level >= st.file_level);
}

void oglog_msg(enum oglog_level level, const char *category, const char *fmt, ...)
{
    char msg[LOG_LINE_MAX];
    bool to_console, to_file;
    va_list ap;

    if (level < OGLOG_DEBUG || level > OGLOG_ERROR)
        return;
    to_console = level >= st.console_level;
    to_file = st.file && level >= st.file_level;
    if (!to_console && !to_file)
        return;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    oglog_redact(msg);

    pthread_mutex_lock(&st.lock);
    if (to_console) {
        FILE *c = st.console ? st.console : stderr;
        if (level == OGLOG_WARNING)
            fprintf(c, "WARNING: %s\n", msg);
        else if (level == OGLOG_DEBUG)
            fprintf(c, "DEBUG: [%s] %s\n", category ? category : "-", msg);
        else
            fprintf(c, "%s\n", msg);
        fflush(c);
    }
    if (st.file && level >= st.file_level) {
        char ts[32];
        long usec;

        og_wall_stamp(ts, sizeof(ts), &usec);
        fprintf(st.file, "[%s.%06ld][%ld][%s][%s][%s]:%s\n", ts, usec, (long)getpid(), st.tool,
                level_names[level], category ? category : "-", msg);
    }
    pthread_mutex_unlock(&st.lock);
}
