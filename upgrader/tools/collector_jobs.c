/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * collector_jobs.c - gs_collector's node-side jobs but System and Database
 * (collector_node.h; LC = openGauss-OM v5.0.0 script/local/LocalCollect.py).
 */
#include <archive.h>
#include <archive_entry.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "collector_node.h"
#include "fs.h"
#include "parse.h"
#include "banned.h"

/* ---- Log (LC:713-913) ------------------------------------------------------- */

struct found {
    char **v; /* paths under $GAUSSLOG, "om/x.log" */
    size_t n;
};

static void found_done(struct found *f)
{
    for (size_t i = 0; i < f->n; i++)
        free(f->v[i]);
    free(f->v);
}

/* LC formatTime: the first "YYYY-MM-DD_hhmmss" in the path as YYYYmmddHHMM */
static long long name_minute(const char *path)
{
    for (const char *p = path; *p; p++) {
        int y, mo, d, h, mi, s, n = 0;
        if (sscanf(p, "%4d-%2d-%2d_%2d%2d%2d%n", &y, &mo, &d, &h, &mi, &s, &n) == 6 && n == 17 &&
            isdigit((unsigned char)p[0]) && isdigit((unsigned char)p[11]) &&
            isdigit((unsigned char)p[16]))
            return ((((long long)y * 100 + mo) * 100 + d) * 100 + h) * 100 + mi;
    }
    return -1;
}

/* LC log_check: a content word (spaces out, lower case) in the path */
static bool log_check(const char *content, const char *path)
{
    _cleanup_free_ char *c = strdup(content), *low = strdup(path);
    char *save = NULL;

    if (!c || !low)
        return false;
    for (char *p = low; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    for (char *w = strtok_r(c, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
        char *o = w;
        for (char *p = w; *p; p++)
            if (*p != ' ')
                *o++ = (char)tolower((unsigned char)*p);
        *o = '\0';
        if (w[0] && strstr(low, w))
            return true;
    }
    return false;
}

static bool ends_with_ci(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);

    return n >= k && strcasecmp(s + n - k, suffix) == 0;
}

/* find . -type f -iname '*.log' [-o '*.prf'], in the window (LC:738-768) */
static int find_logs(struct local *l, const char *content, const char *dir, const char *rel,
                     int depth, struct found *f)
{
    _cleanup_closedir_ DIR *d = opendir(dir);
    struct dirent *e;

    if (!d || depth > MAX_DEPTH)
        return 0;
    while ((e = readdir(d))) {
        char path[PATH_MAX], sub[PATH_MAX], dotted[PATH_MAX + 4], **grown;
        struct stat st;
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..") ||
            (depth == 0 && !strcmp(e->d_name, "tmp_gs_collector")))
            continue;
        snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        snprintf(sub, sizeof(sub), "%s%s%s", rel, rel[0] ? "/" : "", e->d_name);
        if (lstat(path, &st) < 0)
            continue;
        if (S_ISDIR(st.st_mode)) {
            int r = find_logs(l, content, path, sub, depth + 1, f);
            if (r < 0)
                return r;
            continue;
        }
        if (!S_ISREG(st.st_mode) ||
            !(ends_with_ci(e->d_name, ".log") || (!l->keyword && ends_with_ci(e->d_name, ".prf"))))
            continue;
        snprintf(dotted, sizeof(dotted), "./%s", sub);
        long long start = name_minute(dotted);
        if (start < 0 || !(minute_of(st.st_mtime) > l->begin && start < l->end) ||
            !log_check(content, dotted))
            continue;
        if (f->n >= MAX_FILES)
            return og_error_set(&l->err, OG_E_TOO_LARGE,
                                "The number of log files exceeds its limit of %d.", MAX_FILES);
        grown = realloc(f->v, (f->n + 1) * sizeof(*grown));
        if (!grown || !(grown[f->n] = strdup(sub))) {
            if (grown)
                f->v = grown;
            return og_error_set(&l->err, OG_E_NOMEM, "log list");
        }
        f->v = grown;
        f->n++;
    }
    return 0;
}

/* grep "<keyword>" -r * > logfiles/keyword_result.txt (LC:853-875): the
 * lines matching the keyword as a basic regular expression, "path:line". */
static int keyword_filter(struct local *l, const struct found *f)
{
    _cleanup_dynbuf_ struct dynbuf hits = {0};
    char member[PATH_MAX], why[512];
    regex_t re;
    int rc = regcomp(&re, l->keyword, REG_NOSUB);

    if (rc != 0) {
        char e[256];
        regerror(rc, &re, e, sizeof(e));
        snprintf(why, sizeof(why), "keywords: %s, Error: grep: %s", l->keyword, e);
        job_fail(l, "filter keyword", why);
        return 0;
    }
    dynbuf_init(&hits, l->max_bytes);
    for (size_t i = 0; i < f->n; i++) {
        _cleanup_free_ char *text = NULL;
        char path[PATH_MAX * 2];
        size_t len = 0;
        snprintf(path, sizeof(path), "%s/%s", l->gausslog, f->v[i]);
        if (fs_read_file(path, l->max_bytes, &text, &len, NULL) < 0)
            continue;
        for (char *line = text, *nl; line && line < text + len; line = nl ? nl + 1 : NULL) {
            nl = memchr(line, '\n', (size_t)(text + len - line));
            if (nl)
                *nl = '\0';
            if (regexec(&re, line, 0, NULL, 0) == 0)
                dynbuf_addf(&hits, "%s:%s\n", f->v[i], line);
        }
    }
    regfree(&re);
    snprintf(member, sizeof(member), "%s/logfiles/keyword_result.txt", l->host);
    rc = add_buf(l, l->a, member, &hits);
    if (rc == 0 && f->n) {
        snprintf(why, sizeof(why), "filter keyword: %s", l->keyword);
        job_ok(l, why);
    }
    return rc;
}

/* tar -czf logfiles/log_<t>.tar.gz . of the copies (LC:890-900) */
static int log_tarball(struct local *l, const struct found *f)
{
    struct memtar m = {0};
    _cleanup_dynbuf_ struct dynbuf dirs = {0};
    char member[PATH_MAX], when[40];
    int r = memtar_open(l, &m);

    dynbuf_init(&dirs, 1 << 20);
    dynbuf_adds(&dirs, "\n");
    if (r == 0)
        r = add_entry(l, m.a, "./", AE_IFDIR, 0, time(NULL));
    for (size_t i = 0; r == 0 && i < f->n; i++) {
        char path[PATH_MAX * 2], name[PATH_MAX + 4], parent[PATH_MAX + 8];
        for (char *s = f->v[i]; (s = strchr(s, '/')); s++) {
            snprintf(parent, sizeof(parent), "\n./%.*s/\n", (int)(s - f->v[i]), f->v[i]);
            if (strstr(dynbuf_str(&dirs), parent))
                continue;
            dynbuf_adds(&dirs, parent + 1);
            parent[strlen(parent) - 1] = '\0';
            r = add_entry(l, m.a, parent + 1, AE_IFDIR, 0, time(NULL));
        }
        snprintf(path, sizeof(path), "%s/%s", l->gausslog, f->v[i]);
        snprintf(name, sizeof(name), "./%s", f->v[i]);
        if (r == 0 && add_file(l, m.a, name, path) < 0 && l->err.code != OG_E_READ_FAILED)
            r = -l->err.code; /* a log removed meanwhile is skipped (cp: Permission denied) */
    }
    now_stamp(when, sizeof(when));
    snprintf(member, sizeof(member), "%s/logfiles/log_%s.tar.gz", l->host, when);
    if (r == 0)
        return memtar_store(l, &m, member);
    memtar_drop(&m);
    return r;
}

static int job_log(struct local *l, const char *content)
{
    struct found f = {0};
    int r;

    job_begin(l, "Collecting pg_log information");
    r = find_logs(l, content, l->gausslog, "", 0, &f);
    if (r == 0) {
        qsort(f.v, f.n, sizeof(*f.v), strv_cmp);
        if (f.n)
            job_ok(l, "find log files");
        else
            job_fail(
                l, "find log files",
                "[GAUSS-53504] : There is no log files: please check start-time and end-time.");
        job_ok(l, "copy log files");
        r = l->keyword ? keyword_filter(l, &f) : log_tarball(l, &f);
    }
    if (r < 0)
        job_fail(l, l->keyword ? "filter keyword" : "copy result file and delete tmp file",
                 l->err.detail);
    found_done(&f);
    job_end(l);
    return l->write_failed ? r : 0;
}

/* ---- XLog (LC:933-1057) ----------------------------------------------------- */

/* LC getTargetFile: files whose ctime is strictly inside the window, not
 * under a name holding "archive" */
static int xlog_files(struct local *l, struct memtar *m, const char *dir, const char *into,
                      int depth, size_t *n)
{
    _cleanup_closedir_ DIR *d = opendir(dir);
    struct dirent *e;
    int r = 0;

    while (r == 0 && d && depth <= MAX_DEPTH && (e = readdir(d))) {
        char path[PATH_MAX], member[PATH_MAX + 300];
        struct stat st;
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..") || strstr(e->d_name, "archive"))
            continue;
        snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        if (stat(path, &st) < 0)
            continue;
        if (S_ISDIR(st.st_mode)) {
            r = xlog_files(l, m, path, into, depth + 1, n);
            continue;
        }
        if (!S_ISREG(st.st_mode) ||
            !(l->begin < minute_of(st.st_ctime) && minute_of(st.st_ctime) < l->end))
            continue;
        if (*n == 0)
            r = add_entry(l, m->a, into, AE_IFDIR, 0, time(NULL));
        snprintf(member, sizeof(member), "%s%s", into, e->d_name);
        if (r == 0 && add_file(l, m->a, member, path) == 0)
            (*n)++;
        else if (l->err.code != OG_E_READ_FAILED)
            r = -l->err.code;
    }
    return r;
}

static int job_xlog(struct local *l, const char *content)
{
    struct memtar m = {0};
    char dir[PATH_MAX], into[128], member[PATH_MAX], task[64];
    size_t n = 0;
    int r = 0;

    job_begin(l, "Collecting xlog information");
    if (l->self && content_has(content, "dn")) {
        snprintf(dir, sizeof(dir), "%s/pg_xlog", l->self->datadir);
        if (access(dir, F_OK) != 0) /* the PostgreSQL 15 under ogup's kernel */
            snprintf(dir, sizeof(dir), "%s/pg_wal", l->self->datadir);
        snprintf(into, sizeof(into), "xlogfile_%s/dn_%d/", l->stamp, l->self->instance_id);
        snprintf(task, sizeof(task), "find dn_%d xlog files", l->self->instance_id);
        snprintf(member, sizeof(member), "xlogfile_%s/", l->stamp);
        r = memtar_open(l, &m);
        if (r == 0)
            r = add_entry(l, m.a, member, AE_IFDIR, 0, time(NULL));
        if (r == 0)
            r = xlog_files(l, &m, dir, into, 0, &n);
        if (r == 0 && n == 0) {
            job_fail(l, task,
                     "[GAUSS-53504] : There is no xlog files: please check start-time and "
                     "end-time.");
        } else if (r == 0) {
            job_ok(l, task);
            snprintf(member, sizeof(member), "%s/xlogfiles/xlogfile_%s.tar.gz", l->host, l->stamp);
            r = memtar_store(l, &m, member);
            if (r == 0)
                job_ok(l, "compress xlog files");
        }
        if (r < 0)
            job_fail(l, "compress xlog files", l->err.detail);
        memtar_drop(&m);
    }
    job_end(l);
    return l->write_failed ? r : 0;
}

/* ---- Config and Gstack (LC:1204-1233, 1366-1401) -------------------------- */

/* A directory's files under member (cp -rf dir/ dest/), bounded depth. */
static int add_tree(struct local *l, const char *dir, const char *member, int depth)
{
    _cleanup_closedir_ DIR *d = opendir(dir);
    struct dirent *e;
    int r = add_entry(l, l->a, member, AE_IFDIR, 0, time(NULL));

    while (r == 0 && d && depth < MAX_DEPTH && (e = readdir(d))) {
        char path[PATH_MAX], sub[PATH_MAX + 300];
        struct stat st;
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        snprintf(sub, sizeof(sub), "%s%s%s", member, e->d_name,
                 lstat(path, &st) == 0 && S_ISDIR(st.st_mode) ? "/" : "");
        if (S_ISDIR(st.st_mode))
            r = add_tree(l, path, sub, depth + 1);
        else if (S_ISREG(st.st_mode) && add_file(l, l->a, sub, path) < 0 && l->write_failed)
            r = -l->err.code;
    }
    return r;
}

static int job_config(struct local *l, const char *content)
{
    static const char *const files[] = {"postgresql.conf", "pg_hba.conf", "gaussdb.state",
                                        "pg_ident.conf"};
    _cleanup_dynbuf_ struct dynbuf why = {0};
    char dir[PATH_MAX], src[PATH_MAX * 2], member[PATH_MAX * 2];
    int r = 0;

    job_begin(l, "Collecting Config information");
    dynbuf_init(&why, 64 * 1024);
    if (l->self && content_has(content, "dn")) {
        snprintf(dir, sizeof(dir), "%s/configfiles/config_%s/dn_%d/", l->host, l->stamp,
                 l->self->instance_id);
        snprintf(src, sizeof(src), "configfiles/config_%s/", l->stamp);
        r = dir_entry(l, src);
        if (r == 0)
            r = add_entry(l, l->a, dir, AE_IFDIR, 0, time(NULL));
        for (size_t i = 0; r == 0 && i < ELEMENTSOF(files); i++) {
            snprintf(src, sizeof(src), "%s/%s", l->self->datadir, files[i]);
            snprintf(member, sizeof(member), "%s%s", dir, files[i]);
            if (add_file(l, l->a, member, src) < 0) {
                if (l->write_failed)
                    r = -l->err.code;
                dynbuf_addf(&why, "cp: cannot stat '%s': No such file or directory\n", src);
            }
        }
        snprintf(src, sizeof(src), "%s/pg_replslot", l->self->datadir);
        snprintf(member, sizeof(member), "%spg_replslot/", dir);
        if (r == 0 && access(src, F_OK) == 0)
            r = add_tree(l, src, member, 0);
        else if (r == 0)
            dynbuf_addf(&why, "cp: cannot stat '%s/': No such file or directory\n", src);
        if (why.len)
            job_fail(l, "collect configuration files", dynbuf_str(&why));
        else
            job_ok(l, "collect Config information");
    }
    job_end(l);
    return l->write_failed ? r : 0;
}

/* An executable name on $PATH, into buf. */
static bool on_path(const char *name, char *buf, size_t size)
{
    _cleanup_free_ char *path = strdup(getenv("PATH") ? getenv("PATH") : "/usr/bin:/bin");
    char *save = NULL;

    for (char *d = path ? strtok_r(path, ":", &save) : NULL; d; d = strtok_r(NULL, ":", &save)) {
        snprintf(buf, size, "%s/%s", d, name);
        if (access(buf, X_OK) == 0)
            return true;
    }
    return false;
}

/* The pid on the first line of a postmaster.pid; 0 when it is none. */
static int pidfile_pid(const char *text)
{
    char line[32];
    int pid;

    snprintf(line, sizeof(line), "%.*s", (int)strcspn(text, "\n"), text);
    return safe_atoi(line, &pid) == 0 && pid > 0 ? pid : 0;
}

static int job_gstack(struct local *l, const char *content)
{
    char gstack[PATH_MAX], pidfile[PATH_MAX + 32], member[PATH_MAX], task[64], pid[32] = "";
    _cleanup_free_ char *text = NULL;
    _cleanup_dynbuf_ struct dynbuf out = {0};
    int r = 0;

    job_begin(l, "Collecting Gstack information");
    dynbuf_init(&out, 16 << 20);
    if (l->self && content_has(content, "dn")) {
        snprintf(pidfile, sizeof(pidfile), "%s/postmaster.pid", l->self->datadir);
        snprintf(task, sizeof(task), "collect dn_%d process stack info", l->self->instance_id);
        if (fs_read_file(pidfile, 64 * 1024, &text, NULL, NULL) < 0 || !pidfile_pid(text)) {
            job_fail(l, task, "[GAUSS-53511] : There is no DN process.");
        } else if (!on_path("gstack", gstack, sizeof(gstack))) {
            job_fail(l, "collect process stack info", "[GAUSS-53512] : Gstack command not found.");
        } else {
            snprintf(pid, sizeof(pid), "%d", pidfile_pid(text));
            const char *argv[] = {gstack, pid, NULL};
            if (run_into(&out, argv) != 0) {
                job_fail(l, "collect process stack info", dynbuf_str(&out));
            } else {
                snprintf(member, sizeof(member), "%s/gstackfiles/gstack_%s/dn_%d/dn_%d.stack",
                         l->host, l->stamp, l->self->instance_id, l->self->instance_id);
                r = add_buf(l, l->a, member, &out);
                if (r == 0)
                    job_ok(l, "collect Gstack information");
            }
        }
    }
    job_end(l);
    return l->write_failed ? r : 0;
}

/* ---- CoreDump (LC:1076-1201) ------------------------------------------------ */

static int core_files(struct local *l, struct memtar *m, const char *dir, const char *content,
                      size_t *found, size_t *copied)
{
    _cleanup_closedir_ DIR *d = opendir(dir);
    struct dirent *e;
    int r = 0;

    while (r == 0 && d && (e = readdir(d))) {
        char path[PATH_MAX], member[PATH_MAX], proc[256] = "";
        struct stat st;
        snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        if (e->d_name[0] == '.' || strstr(e->d_name, "archive") || stat(path, &st) < 0 ||
            !S_ISREG(st.st_mode) ||
            !(l->begin < minute_of(st.st_ctime) && minute_of(st.st_ctime) < l->end))
            continue;
        (*found)++;
        if (strncmp(e->d_name, "core-", 5) != 0)
            continue; /* not core-e-p-t */
        snprintf(proc, sizeof(proc), "%.*s", (int)strcspn(e->d_name + 5, "-"), e->d_name + 5);
        if (!proc[0] || !content_has(content, proc))
            continue;
        snprintf(member, sizeof(member), "corefile_%s/%s", l->stamp, e->d_name);
        if (add_file(l, m->a, member, path) == 0)
            (*copied)++;
        else if (l->err.code != OG_E_READ_FAILED)
            r = -l->err.code;
    }
    return r;
}

static int job_coredump(struct local *l, const char *content)
{
    _cleanup_free_ char *pattern = NULL;
    _cleanup_dynbuf_ struct dynbuf ver = {0};
    struct memtar m = {0};
    char bin[PATH_MAX + 32], top[64], member[PATH_MAX];
    size_t found = 0, copied = 0;
    char *slash;
    int r;

    job_begin(l, "Collecting Core information");
    dynbuf_init(&ver, 1 << 20);
    if (fs_read_file("/proc/sys/kernel/core_pattern", 4096, &pattern, NULL, NULL) < 0) {
        job_fail(l, "read core pattern", "[GAUSS-53507] : Failed to execute cat command.");
        goto done;
    }
    pattern[strcspn(pattern, "\n")] = '\0';
    slash = strrchr(pattern, '/');
    if (!slash || strcmp(slash + 1, CORE_PATTERN) != 0) {
        job_fail(l, "check core pattern", "[GAUSS-53508] : Core pattern is not core-e-p-t.");
        goto done;
    }
    *slash = '\0';
    job_ok(l, "check core pattern");
    app_bin(l, "gaussdb", bin, sizeof(bin));
    {
        const char *v[] = {bin, "--version", NULL};
        if (run_into(&ver, v) != 0)
            job_fail(l, "check gaussdb version", dynbuf_str(&ver));
        job_ok(l, "check gaussdb version");
    }
    snprintf(top, sizeof(top), "corefile_%s/", l->stamp);
    snprintf(member, sizeof(member), "corefile_%s/version.txt", l->stamp);
    r = memtar_open(l, &m);
    if (r == 0)
        r = add_entry(l, m.a, top, AE_IFDIR, 0, time(NULL));
    if (r == 0)
        r = add_buf(l, m.a, member, &ver);
    if (r == 0)
        r = core_files(l, &m, pattern[0] ? pattern : "/", content, &found, &copied);
    if (r == 0 && found == 0) {
        job_fail(l, "find core files",
                 "[GAUSS-53504] : There is no core files: please check "
                 "start-time and end-time.");
    } else if (r == 0 && copied == 0) {
        job_ok(l, "find core files");
        job_fail(l, "copy core file",
                 "[GAUSS-53509] : There is no core files: please check core "
                 "file name pattern.");
    } else if (r == 0) {
        job_ok(l, "find core files");
        snprintf(member, sizeof(member), "%s/coreDumpfiles/corefile_%s.tar.gz", l->host, l->stamp);
        if (memtar_store(l, &m, member) == 0)
            job_ok(l, "compress core files");
        else
            job_fail(l, "compress core files", l->err.detail);
    }
    if (r < 0)
        job_fail(l, "copy core file", l->err.detail);
    memtar_drop(&m);
done:
    job_end(l);
    return l->write_failed ? -l->err.code : 0;
}

/* ---- Plan (LC:1236-1283) ---------------------------------------------------- */

static int job_plan(struct local *l, const char *content)
{
    _cleanup_dynbuf_ struct dynbuf dbs = {0};
    _cleanup_free_ char *list = NULL;
    char tool[PATH_MAX], *save = NULL;
    bool have = on_path("gs_plan_simulator.sh", tool, sizeof(tool));

    job_begin(l, "Collecting plan simulator information");
    dynbuf_init(&dbs, 1 << 20);
    if (!l->self) {
        job_fail(l, "dump database plan info",
                 "[GAUSS-53503] : There is no coordinator inst in this host");
        goto done;
    }
    if (strchr(content, '*')) {
        if (gsql(l, "postgres",
                 "SELECT datname FROM pg_database Where datname NOT IN ('template1', "
                 "'template0');",
                 &dbs) < 0) {
            job_fail(l, "find database", "[GAUSS-53502] : Please check database status");
            goto done;
        }
        job_ok(l, "find database");
        list = dynbuf_steal(&dbs);
    } else {
        list = strdup(content);
    }
    for (char *db = list ? strtok_r(list, ",\n", &save) : NULL; db;
         db = strtok_r(NULL, ",\n", &save)) {
        char task[512];
        snprintf(task, sizeof(task), "dump %s plan info", db);
        /* ogup's nodes have no plan simulator: the task fails saying so */
        job_fail(l, task,
                 have ? "[GAUSS-53510] : Please check db status or database name. "
                        "gs_plan_simulator.sh is not run by ogup"
                      : "[GAUSS-53510] : Please check db status or database name. "
                        "gs_plan_simulator.sh: command not found");
    }
done:
    job_end(l);
    return l->write_failed ? -l->err.code : 0;
}

int run_job(struct local *l, enum collect_type t, const char *content)
{
    switch (t) {
    case COLLECT_SYSTEM:
        return job_system(l);
    case COLLECT_DATABASE:
        return job_database(l, content);
    case COLLECT_LOG:
        return job_log(l, content);
    case COLLECT_XLOG:
        return job_xlog(l, content);
    case COLLECT_COREDUMP:
        return job_coredump(l, content);
    case COLLECT_CONFIG:
        return job_config(l, content);
    case COLLECT_GSTACK:
        return job_gstack(l, content);
    case COLLECT_PLAN:
        return job_plan(l, content);
    default:
        return 0; /* Trace: openGauss only prints "do config check" */
    }
}
