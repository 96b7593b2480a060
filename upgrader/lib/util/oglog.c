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
} st = {
    .lock = PTHREAD_MUTEX_INITIALIZER,
    .tool = "ogup",
    .console_level = OGLOG_INFO,
    .file_level = OGLOG_DEBUG,
};

static const char *const level_names[] = { "DEBUG", "LOG", "WARNING", "ERROR" };

int oglog_open(const char *tool, const char *path, struct og_error *err)
{
    _cleanup_free_ char *p = NULL, *dir = NULL;
    const char *gausslog;
    FILE *f;
    int fd, r;

    oglog_close();
    snprintf(st.tool, sizeof(st.tool), "%s", tool ? tool : "ogup");
    if (path) {
        p = strdup(path);
    } else {
        char stamp[32];
        time_t now = time(NULL);
        struct tm tm;

        gausslog = getenv("GAUSSLOG");
        if (!gausslog || !gausslog[0])
            return 0;
        localtime_r(&now, &tm);
        strftime(stamp, sizeof(stamp), "%Y-%m-%d_%H%M%S", &tm);
        if (asprintf(&dir, "%s/om", gausslog) < 0 ||
            asprintf(&p, "%s/%s-%s.log", dir, st.tool, stamp) < 0)
            return og_error_set(err, OG_E_NOMEM, "log path");
        r = fs_mkdir_p(dir, 0700, err);
        if (r < 0)
            return og_error_set(err, OG_E_LOG_OPEN, "cannot create log directory \"%s\"", dir);
    }
    if (!p)
        return og_error_set(err, OG_E_NOMEM, "log path");
    fd = open(p, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0)
        return og_error_set_errno(err, OG_E_LOG_OPEN, errno, "cannot open log file \"%s\"", p);
    if (fchmod(fd, 0600) < 0 || !(f = fdopen(fd, "a"))) {
        int e = errno;
        close(fd);
        return og_error_set_errno(err, OG_E_LOG_OPEN, e, "cannot open log file \"%s\"", p);
    }
    setvbuf(f, NULL, _IOLBF, 0);
    pthread_mutex_lock(&st.lock);
    st.file = f;
    st.path = steal_ptr(p);
    pthread_mutex_unlock(&st.lock);
    return 0;
}

void oglog_close(void)
{
    pthread_mutex_lock(&st.lock);
    if (st.file)
        fclose(st.file);
    st.file = NULL;
    free(st.path);
    st.path = NULL;
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

static const char *const secret_keys[] = { "pgpassword", "password", "passwd", "pwd",
                                           "secret",     "token",    "passphrase" };

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
        struct timeval tv;
        struct tm tm;
        char ts[32];

        gettimeofday(&tv, NULL);
        localtime_r(&tv.tv_sec, &tm);
        strftime(ts, sizeof(ts), "%Y-%m-%d %H:%M:%S", &tm);
        fprintf(st.file, "[%s.%06ld][%ld][%s][%s][%s]:%s\n", ts, (long)tv.tv_usec,
                (long)getpid(), st.tool, level_names[level], category ? category : "-", msg);
    }
    pthread_mutex_unlock(&st.lock);
}
