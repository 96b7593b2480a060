/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * gs_collector --begin-time "YYYYMMDD HH:MM" --end-time "YYYYMMDD HH:MM"
 * [-h NODES] [-o DIR]: openGauss's log collector (script/gs_collector,
 * impl/collect/OLAP/CollectImplOLAP.py, local/LocalCollect.py).
 *
 * Every node runs this program (`gs_collector --local-collect`, after its env
 * file, through the SSH transport); it writes ONE gzip'd tar to stdout
 * holding
 *   systemfiles/database_system_info_<time>.txt  gs_ctl query, gaussdb
 *                                                --version, /proc/version,
 *                                                the pg_log listing
 *   logfiles/<path under $GAUSSLOG>              *.log, *.log.gz, *.prf in
 *                                                the time window
 *   configfiles/config_<time>/dn_<id>/           the instance's conf files
 * and one "OGUP-TASK\t<job>\t<ok|failed>\t<detail>" line per job on stderr.
 * The invoking node captures each stream (bounded: over --max-size is
 * OGUP-60010), checks every member (relative, no "..", files and dirs only)
 * and writes collector_<time>.tar.gz (0600) with collector_<time>/<node>/...
 * and Summary.log into -o DIR (default $GAUSSLOG).
 *
 * A file is in the window when it was modified at or after --begin-time and
 * started (the time in its name, else on its first line, else its mtime) no
 * later than the end of --end-time's minute: openGauss's rule (LocalCollect
 * find_log) with the mtime standing in when no start time can be read.
 */
#include <archive.h>
#include <archive_entry.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "command.h"
#include "dynbuf.h"
#include "fs.h"
#include "oglog.h"
#include "ogup-config.h"
#include "omtools.h"
#include "staticconfig.h"
#include "transport.h"
#include "banned.h"

#define TOOL            "gs_collector"
#define DEFAULT_MAX_MIB 64     /* per node, compressed */
#define MAX_DEPTH       16     /* under $GAUSSLOG */
#define MAX_FILES       20000  /* per node */
#define MAX_MEMBERS     100000 /* per node stream */
#define CHUNK           (64 * 1024)
#define TASK_MARK       "OGUP-TASK\t"

DEFINE_TRIVIAL_CLEANUP_FUNC(struct archive *, archive_write_free)
DEFINE_TRIVIAL_CLEANUP_FUNC(struct archive *, archive_read_free)
DEFINE_TRIVIAL_CLEANUP_FUNC(struct archive_entry *, archive_entry_free)

/* The jobs, in openGauss's order (doCollector), with its job names. */
enum job { JOB_SYSTEM, JOB_LOG, JOB_CONFIG, N_JOBS };
static const struct {
    const char *type; /* TypeName in gs_collector.json */
    const char *name; /* LocalCollect's g_jobInfo.jobName */
    const char *start, *ok, *failed;
} jobs[N_JOBS] = {
    {"System", "Collecting OS information", "Collecting OS information.",
     "Successfully collected OS information.", "Failed to collect OS information."},
    {"Log", "Collecting pg_log information", "Collecting Log files.",
     "Successfully collected Log files.", "Failed collected Log files."},
    {"Config", "Collecting Config information", "Collecting Config files.",
     "Successfully collected Config files.", "Failed collected Config files."},
};

/* "YYYYMMDD HH:MM" (openGauss dateCheck: strptime plus exact lengths) in
 * local time; -1 when malformed. */
static time_t parse_time(const char *s)
{
    struct tm tm = {0};
    const char *end;

    if (!s || strlen(s) != 14 || s[8] != ' ' || s[11] != ':')
        return -1;
    for (int i = 0; i < 14; i++)
        if (i != 8 && i != 11 && !isdigit((unsigned char)s[i]))
            return -1;
    end = strptime(s, "%Y%m%d %H:%M", &tm);
    if (!end || *end)
        return -1;
    tm.tm_isdst = -1;
    {
        struct tm chk = tm;
        time_t t = mktime(&tm);
        /* refuse what mktime had to normalise (Feb 30, 25:00) */
        if (t == (time_t)-1 || tm.tm_mday != chk.tm_mday || tm.tm_hour != chk.tm_hour ||
            tm.tm_min != chk.tm_min || tm.tm_mon != chk.tm_mon)
            return -1;
        return t;
    }
}

/* ===================================================================== */
/* The node side                                                          */
/* ===================================================================== */

struct local {
    struct archive *a;
    time_t begin, end; /* end: the last second of --end-time's minute */
    const char *stamp;
    const char *gausslog;
    size_t n_files;
    bool write_failed;
    struct og_error err;
};

_printf_(3, 4) static void task(enum job j, bool ok, const char *fmt, ...)
{
    char detail[1024];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(detail, sizeof(detail), fmt, ap);
    va_end(ap);
    for (char *p = detail; *p; p++)
        if (*p == '\t' || *p == '\n')
            *p = ' ';
    fprintf(stderr, TASK_MARK "%s\t%s\t%s\n", jobs[j].type, ok ? "ok" : "failed", detail);
}

static int add_entry(struct local *l, const char *path, mode_t type, mode_t perm, size_t size,
                     time_t mtime)
{
    _cleanup_(archive_entry_freep) struct archive_entry *e = archive_entry_new();

    if (!e)
        return og_error_set(&l->err, OG_E_NOMEM, "archive entry");
    archive_entry_set_pathname(e, path);
    archive_entry_set_filetype(e, type);
    archive_entry_set_perm(e, perm);
    archive_entry_set_size(e, (la_int64_t)size);
    archive_entry_set_mtime(e, mtime, 0);
    if (archive_write_header(l->a, e) != ARCHIVE_OK) {
        l->write_failed = true;
        return og_error_set(&l->err, OG_E_WRITE_FAILED, "Failed to write %s: %s", path,
                            archive_error_string(l->a));
    }
    return 0;
}

static int add_mem(struct local *l, const char *path, const char *data, size_t len)
{
    int r = add_entry(l, path, AE_IFREG, 0600, len, time(NULL));

    if (r == 0 && len && archive_write_data(l->a, data, len) < 0) {
        l->write_failed = true;
        return og_error_set(&l->err, OG_E_WRITE_FAILED, "Failed to write %s: %s", path,
                            archive_error_string(l->a));
    }
    return r;
}

/* A file as it is now: st_size bytes (a log growing meanwhile is cut at
 * that size, one that shrank is padded with zeros). */
static int add_file(struct local *l, const char *member, const char *path)
{
    _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    struct stat st;
    char buf[CHUNK];
    off_t left;
    int r;

    if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
        return -OG_E_READ_FAILED; /* vanished or unreadable: skipped */
    r = add_entry(l, member, AE_IFREG, 0600, (size_t)st.st_size, st.st_mtime);
    for (left = st.st_size; r == 0 && left > 0;) {
        ssize_t n = read(fd, buf, (size_t)(left < CHUNK ? left : CHUNK));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            memset(buf, 0, sizeof(buf));
            n = left < CHUNK ? left : CHUNK;
        }
        if (archive_write_data(l->a, buf, (size_t)n) < 0) {
            l->write_failed = true;
            return og_error_set(&l->err, OG_E_WRITE_FAILED, "Failed to write %s: %s", member,
                                archive_error_string(l->a));
        }
        left -= n;
    }
    return r;
}

/* A time at p into a local time; -1 when there is none: in a file name
 * "YYYY-MM-DD_hhmmss", on a log line "YYYY-MM-DD hh:mm:ss". */
static time_t stamp_at(const char *p, bool in_name)
{
    struct tm tm = {0};
    int y, mo, d, h, mi, s, n = 0;

    if (in_name) {
        if (sscanf(p, "%4d-%2d-%2d_%2d%2d%2d%n", &y, &mo, &d, &h, &mi, &s, &n) != 6 || n != 17)
            return -1;
    } else if (sscanf(p, "%4d-%2d-%2d %2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &s, &n) != 6 ||
               n != 19) {
        return -1;
    }
    if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60)
        return -1;
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = s;
    tm.tm_isdst = -1;
    return mktime(&tm);
}

/* When a log started: the "YYYY-MM-DD_hhmmss" in its name (gs_om-2024-01-
 * 01_120000.log), else a "YYYY-MM-DD hh:mm:ss" on its first line, else
 * its mtime. */
static time_t log_start(const char *path, const char *name, time_t mtime)
{
    char line[512];
    ssize_t n;
    _cleanup_close_ int fd = -1;

    for (const char *p = name; *p; p++)
        if (isdigit((unsigned char)*p)) {
            time_t t = stamp_at(p, true);
            if (t != -1)
                return t;
        }
    if (strstr(name, ".gz"))
        return mtime;
    fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    n = fd < 0 ? -1 : read(fd, line, sizeof(line) - 1);
    if (n <= 0)
        return mtime;
    line[n] = '\0';
    line[strcspn(line, "\n")] = '\0';
    for (const char *p = line; *p; p++)
        if (isdigit((unsigned char)*p)) {
            time_t t = stamp_at(p, false);
            if (t != -1)
                return t;
        }
    return mtime;
}

static bool is_log_name(const char *n)
{
    size_t len = strlen(n);

    return (len > 4 && strcmp(n + len - 4, ".log") == 0) ||
           (len > 7 && strcmp(n + len - 7, ".log.gz") == 0) ||
           (len > 4 && strcmp(n + len - 4, ".prf") == 0);
}

/* Walk dir (rel: its path under $GAUSSLOG) for logs in the window. */
static int walk_logs(struct local *l, const char *dir, const char *rel, int depth)
{
    _cleanup_(closedirp) DIR *d = opendir(dir);
    struct dirent *e;
    int r = 0;

    if (!d || depth > MAX_DEPTH)
        return 0;
    while (r == 0 && (e = readdir(d))) {
        char path[PATH_MAX], sub[PATH_MAX], member[PATH_MAX + 16];
        struct stat st;

        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0 ||
            strcmp(e->d_name, "tmp_gs_collector") == 0)
            continue;
        snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        snprintf(sub, sizeof(sub), "%s%s%s", rel, rel[0] ? "/" : "", e->d_name);
        if (lstat(path, &st) < 0)
            continue;
        if (S_ISDIR(st.st_mode)) {
            r = walk_logs(l, path, sub, depth + 1);
            continue;
        }
        if (!S_ISREG(st.st_mode) || !is_log_name(e->d_name))
            continue;
        if (st.st_mtime < l->begin || log_start(path, e->d_name, st.st_mtime) > l->end)
            continue;
        if (++l->n_files > MAX_FILES)
            return og_error_set(&l->err, OG_E_TOO_LARGE,
                                "The number of log files exceeds its limit of %d.", MAX_FILES);
        snprintf(member, sizeof(member), "logfiles/%s", sub);
        if (add_file(l, member, path) < 0 && l->write_failed)
            r = -l->err.code;
    }
    return r;
}

/* Output of argv (stdout then stderr) appended to out; never fails the job. */
static void append_command(struct dynbuf *out, const char *const *argv)
{
    _cleanup_command_ struct command *c = command_new(argv);
    static const char *const pass[] = {"GAUSSHOME",       "GAUSSLOG", "PGHOST",
                                       "GPHOME",          "PGPORT",   "LD_LIBRARY_PATH",
                                       "GS_CLUSTER_NAME", "GAUSS_ENV"};
    struct command_result res = {0};
    struct og_error err = {0};

    if (!c) {
        dynbuf_appends(out, "out of memory\n");
        return;
    }
    for (size_t i = 0; i < ELEMENTSOF(pass); i++)
        command_passenv(c, pass[i]);
    command_set_timeout_ms(c, 30 * 1000);
    command_set_output_max(c, 1 << 20);
    if (command_run(c, &res, &err) < 0) {
        char msg[OG_ERROR_DETAIL_MAX + 64];
        dynbuf_appendf(out, "%s\n", og_error_format(&err, msg, sizeof(msg)));
        return;
    }
    dynbuf_append(out, res.out, res.out_len);
    dynbuf_append(out, res.err, res.err_len);
    command_result_done(&res);
}

/* LocalCollect itemTitleCommand: the banner before each section. */
static void title(struct dynbuf *out, const char *what)
{
    static const char rule[] = "###########################################################";

    dynbuf_appendf(out, "\n%s\n#\n# %s\n#\n%s\n", rule, what, rule);
}

static int collect_system(struct local *l, const struct cluster_node *self,
                          const struct cluster_config *cfg)
{
    _cleanup_dynbuf_ struct dynbuf info;
    char bin[PATH_MAX + 32], path[PATH_MAX + 64], member[128];
    _cleanup_free_ char *version = NULL;
    int r;

    dynbuf_init(&info, 8 << 20);
    title(&info, "C L U S T E R    I N F O");
    if (self) {
        snprintf(bin, sizeof(bin), "%s/bin/gs_ctl", cfg->app_path);
        const char *q[] = {bin, "query", "-D", self->datadir, NULL};
        append_command(&info, q);
    } else {
        dynbuf_appends(&info, "This host is not a node of the installed cluster.\n");
    }
    title(&info, "V E R S I O N    I N F O");
    if (cfg) {
        snprintf(bin, sizeof(bin), "%s/bin/gaussdb", cfg->app_path);
        const char *v[] = {bin, "--version", NULL};
        append_command(&info, v);
    }
    if (fs_read_file("/proc/version", 64 * 1024, &version, NULL, NULL) == 0)
        dynbuf_appends(&info, version);
    title(&info, "P G_L O G    F I L E    I N F O");
    snprintf(path, sizeof(path), "%s/pg_log", l->gausslog);
    {
        _cleanup_(closedirp) DIR *d = opendir(path);
        struct dirent *e;
        while (d && (e = readdir(d))) {
            char sub[PATH_MAX + 300];
            if (e->d_name[0] == '.')
                continue;
            snprintf(sub, sizeof(sub), "%s/%s", path, e->d_name);
            dynbuf_appendf(&info, "\n******** %s pg_log file info *******\n", e->d_name);
            _cleanup_(closedirp) DIR *s = opendir(sub);
            struct dirent *f;
            while (s && (f = readdir(s))) {
                char fp[PATH_MAX * 2], when[32];
                struct stat st;
                struct tm tm;
                if (f->d_name[0] == '.')
                    continue;
                snprintf(fp, sizeof(fp), "%s/%s", sub, f->d_name);
                if (lstat(fp, &st) < 0)
                    continue;
                localtime_r(&st.st_mtime, &tm);
                strftime(when, sizeof(when), "%Y-%m-%d %H:%M", &tm);
                dynbuf_appendf(&info, "%10lld %s %s\n", (long long)st.st_size, when, f->d_name);
            }
        }
    }
    snprintf(member, sizeof(member), "systemfiles/database_system_info_%s.txt", l->stamp);
    r = add_entry(l, "systemfiles", AE_IFDIR, 0700, 0, time(NULL));
    if (r == 0)
        r = add_mem(l, member, info.buf ? info.buf : "", info.len);
    task(JOB_SYSTEM, r == 0, "%s", r == 0 ? "" : l->err.detail);
    return l->write_failed ? r : 0;
}

static int collect_logs(struct local *l)
{
    int r = add_entry(l, "logfiles", AE_IFDIR, 0700, 0, time(NULL));

    if (r == 0)
        r = walk_logs(l, l->gausslog, "", 0);
    if (r < 0)
        task(JOB_LOG, false, "%s", l->err.detail);
    else if (l->n_files == 0)
        task(JOB_LOG, false,
             "[GAUSS-53504] : There is no log files: please check start-time "
             "and end-time.");
    else
        task(JOB_LOG, true, "%zu files", l->n_files);
    return l->write_failed ? r : 0;
}

static int collect_config(struct local *l, const struct cluster_node *self)
{
    static const char *const files[] = {"postgresql.conf", "pg_hba.conf",   "pg_ident.conf",
                                        "og_guc.conf",     "gaussdb.state", "postmaster.opts"};
    char dir[128];
    size_t n = 0;
    int r;

    if (!self) {
        task(JOB_CONFIG, false, "This host is not a node of the installed cluster.");
        return 0;
    }
    snprintf(dir, sizeof(dir), "configfiles/config_%s/dn_%d", l->stamp, self->instance_id);
    r = add_entry(l, "configfiles", AE_IFDIR, 0700, 0, time(NULL));
    for (size_t i = 0; r == 0 && i < ELEMENTSOF(files); i++) {
        char src[PATH_MAX + 64], member[256];
        snprintf(src, sizeof(src), "%s/%s", self->datadir, files[i]);
        snprintf(member, sizeof(member), "%s/%s", dir, files[i]);
        if (add_file(l, member, src) == 0)
            n++;
        else if (l->write_failed)
            r = -l->err.code;
    }
    task(JOB_CONFIG, r == 0 && n > 0, "%s", r < 0 ? l->err.detail : (n ? "" : "no config file"));
    return r;
}

static int archive_ok(struct local *l, int rc, const char *what)
{
    if (rc == ARCHIVE_OK)
        return 0;
    return og_error_set(&l->err, OG_E_WRITE_FAILED, "Failed to %s: %s", what,
                        archive_error_string(l->a));
}

/* gs_collector --local-collect: this node's part, a tar.gz on stdout. */
static int local_collect(time_t begin, time_t end, const char *stamp)
{
    _cleanup_(archive_write_freep) struct archive *a = archive_write_new();
    struct local l = {.a = a, .begin = begin, .end = end, .stamp = stamp};
    struct cluster_config cfg;
    const struct cluster_node *self = NULL;
    bool have_cfg = false;
    const char *home = getenv("GAUSSHOME");
    char path[PATH_MAX], host[256] = "";
    int r;

    oglog_set_console_level(OGLOG_NONE);
    l.gausslog = getenv("GAUSSLOG");
    if (!l.gausslog || !l.gausslog[0]) {
        og_error_set(&l.err, OG_E_ENV_EMPTY, "The environmental variable GAUSSLOG is empty.");
        goto cleanup;
    }
    if (home && home[0]) {
        snprintf(path, sizeof(path), "%s/bin/cluster_static_config", home);
        have_cfg = staticconfig_read(path, &cfg, NULL) == 0;
    }
    gethostname(host, sizeof(host) - 1);
    if (have_cfg)
        self = clusterconfig_find_node(&cfg, host);
    if (!a) {
        og_error_set(&l.err, OG_E_NOMEM, "archive");
        goto cleanup;
    }
    r = archive_ok(&l, archive_write_set_format_pax_restricted(a), "set the tar format");
    if (r == 0)
        r = archive_ok(&l, archive_write_add_filter_gzip(a), "set gzip compression");
    if (r == 0)
        r = archive_ok(&l, archive_write_open_fd(a, STDOUT_FILENO), "open stdout");
    if (r == 0)
        r = collect_system(&l, self, have_cfg ? &cfg : NULL);
    if (r == 0)
        r = collect_logs(&l);
    if (r == 0)
        r = collect_config(&l, self);
    if (r == 0)
        r = archive_ok(&l, archive_write_close(a), "finish the archive");
    if (r == 0)
        return 0;
cleanup : {
    char msg[OG_ERROR_DETAIL_MAX + 64];
    fprintf(stderr, "%s\n", og_error_format(&l.err, msg, sizeof(msg)));
}
    return 1;
}

/* ===================================================================== */
/* The invoking side                                                      */
/* ===================================================================== */

struct node_out {
    const char *name;
    struct command_result res;
    struct og_error err;
    bool ran; /* the command ran and gave a stream */
    bool job_ok[N_JOBS];
};

struct pack {
    const char *stamp;
    struct node_out *nodes;
    size_t n;
    const char *summary;
};

/* CPython str.center(width): left = pad / 2 + (pad & width & 1). */
static void center(struct dynbuf *b, const char *s, size_t width)
{
    size_t len = strlen(s), pad = width > len ? width - len : 0;
    size_t left = pad / 2 + (pad & width & 1);

    dynbuf_appendf(b, "%*s%s%*s", (int)left, "", s, (int)(pad - left), "");
}

/* CollectImplOLAP.printSummaryInfo, one sub-job per job. */
static void summary(struct dynbuf *b, struct node_out *nodes, size_t n)
{
    size_t name_w = strlen("SUCCESS HOSTNAME"), job_w = strlen("success"), title_len;
    _cleanup_dynbuf_ struct dynbuf tag, head;

    dynbuf_init(&tag, 4096);
    dynbuf_init(&head, 4096);
    for (size_t k = 0; k < n; k++)
        if (strlen(nodes[k].name) > name_w)
            name_w = strlen(nodes[k].name);
    for (int j = 0; j < N_JOBS; j++)
        if (strlen(jobs[j].name) + 2 > job_w)
            job_w = strlen(jobs[j].name) + 2; /* "<name>-1" */
    job_w += 4;
    name_w += 4;
    dynbuf_appends(&head, "|");
    center(&head, "TASK NAME", job_w);
    dynbuf_appends(&head, "|");
    center(&head, "SUCCESS HOSTNAME", name_w);
    dynbuf_appends(&head, "|");
    center(&head, "FAILED HOSTNAME", name_w);
    dynbuf_appends(&head, "|");
    title_len = head.len;
    for (size_t i = 0; i < title_len; i++)
        dynbuf_appends(&tag, "-");
#define EMPTY_ROW()                                                                                \
    dynbuf_appendf(b, "|%*s|%*s|%*s|\n", (int)job_w, "", (int)name_w, "", (int)name_w, "")
    dynbuf_appendf(b, "%s\n", dynbuf_str(&tag));
    EMPTY_ROW();
    dynbuf_appendf(b, "%s\n", dynbuf_str(&head));
    EMPTY_ROW();
    dynbuf_appendf(b, "%s\n", dynbuf_str(&tag));
#undef EMPTY_ROW
    for (int j = 0; j < N_JOBS; j++) {
        const char *ok[CLUSTER_MAX_NODES], *bad[CLUSTER_MAX_NODES];
        size_t n_ok = 0, n_bad = 0, rows;
        char job[128];
        snprintf(job, sizeof(job), "%s-1", jobs[j].name);
        for (size_t k = 0; k < n; k++) {
            if (nodes[k].job_ok[j])
                ok[n_ok++] = nodes[k].name;
            else
                bad[n_bad++] = nodes[k].name;
        }
        rows = n_ok > n_bad ? n_ok : n_bad;
        for (size_t r = 0; r < rows; r++) {
            dynbuf_appendf(b, "|%-*s|", (int)job_w, r == 0 ? job : "");
            center(b, r < n_ok ? ok[r] : "", name_w);
            dynbuf_appends(b, "|");
            center(b, r < n_bad ? bad[r] : "", name_w);
            dynbuf_appends(b, "|\n");
        }
        dynbuf_appendf(b, "%s\n", dynbuf_str(&tag));
    }
    dynbuf_appends(b, "\n\n");
}

static int arc_fail(struct archive *a, const char *what, struct og_error *err)
{
    return og_error_set(err, OG_E_WRITE_FAILED, "Failed to write %s: %s", what,
                        archive_error_string(a));
}

static int put_dir(struct archive *a, const char *path, struct og_error *err)
{
    _cleanup_(archive_entry_freep) struct archive_entry *e = archive_entry_new();

    if (!e)
        return og_error_set(err, OG_E_NOMEM, "archive entry");
    archive_entry_set_pathname(e, path);
    archive_entry_set_filetype(e, AE_IFDIR);
    archive_entry_set_perm(e, 0700);
    archive_entry_set_uid(e, getuid());
    archive_entry_set_gid(e, getgid());
    archive_entry_set_mtime(e, time(NULL), 0);
    return archive_write_header(a, e) == ARCHIVE_OK ? 0 : arc_fail(a, path, err);
}

/* A member name from a node: relative, no "." / ".." components, printable. */
static bool safe_member(const char *p)
{
    const char *s = p;

    if (!p || !*p || *p == '/' || strlen(p) > 1024)
        return false;
    for (const char *c = p; *c; c++)
        if ((unsigned char)*c < 0x20 || *c == 0x7f)
            return false;
    while (*s) {
        size_t n = strcspn(s, "/");
        if ((n == 1 && s[0] == '.') || (n == 2 && s[0] == '.' && s[1] == '.'))
            return false;
        s += n;
        while (*s == '/')
            s++;
    }
    return true;
}

/* Copy one node's stream under collector_<stamp>/<node>/. */
static int repack_node(struct archive *out, const struct pack *p, const struct node_out *n,
                       struct og_error *err)
{
    _cleanup_(archive_read_freep) struct archive *in = archive_read_new();
    struct archive_entry *e;
    char prefix[256];
    size_t members = 0;
    int r;

    snprintf(prefix, sizeof(prefix), "collector_%s/%s", p->stamp, n->name);
    r = put_dir(out, prefix, err);
    if (r < 0 || !n->ran)
        return r;
    if (!in)
        return og_error_set(err, OG_E_NOMEM, "archive reader");
    archive_read_support_filter_gzip(in);
    archive_read_support_format_tar(in);
    if (archive_read_open_memory(in, n->res.out, n->res.out_len) != ARCHIVE_OK)
        return og_error_set(err, OG_E_CONTENT_INVALID,
                            "The content of the collection of node %s is not correct: %s.", n->name,
                            archive_error_string(in));
    while ((r = archive_read_next_header(in, &e)) == ARCHIVE_OK) {
        const char *name = archive_entry_pathname(e);
        mode_t type = archive_entry_filetype(e);
        char full[2048];
        const void *buf;
        size_t len;
        la_int64_t off;

        if (++members > MAX_MEMBERS || !safe_member(name) || (type != AE_IFREG && type != AE_IFDIR))
            return og_error_set(err, OG_E_CONTENT_INVALID,
                                "The content of the collection of node %s is not correct: member "
                                "\"%s\".",
                                n->name, name ? name : "(null)");
        snprintf(full, sizeof(full), "%s/%s", prefix, name);
        archive_entry_set_pathname(e, full);
        archive_entry_set_perm(e, type == AE_IFDIR ? 0700 : 0600);
        archive_entry_set_uid(e, getuid());
        archive_entry_set_gid(e, getgid());
        archive_entry_set_uname(e, NULL);
        archive_entry_set_gname(e, NULL);
        if (archive_write_header(out, e) != ARCHIVE_OK)
            return arc_fail(out, full, err);
        while ((r = archive_read_data_block(in, &buf, &len, &off)) == ARCHIVE_OK)
            if (archive_write_data(out, buf, len) < 0)
                return arc_fail(out, full, err);
        if (r != ARCHIVE_EOF)
            return og_error_set(err, OG_E_CONTENT_INVALID,
                                "The content of the collection of node %s is not correct: %s.",
                                n->name, archive_error_string(in));
    }
    if (r != ARCHIVE_EOF)
        return og_error_set(err, OG_E_CONTENT_INVALID,
                            "The content of the collection of node %s is not correct: %s.", n->name,
                            archive_error_string(in));
    return 0;
}

/* fs_writer_fn: collector_<stamp>.tar.gz into fd. */
static int write_result(int fd, void *userdata, struct og_error *err)
{
    const struct pack *p = userdata;
    _cleanup_(archive_write_freep) struct archive *a = archive_write_new();
    _cleanup_(archive_entry_freep) struct archive_entry *e = archive_entry_new();
    char top[128], sum[160];
    size_t len = strlen(p->summary);
    int r;

    if (!a || !e)
        return og_error_set(err, OG_E_NOMEM, "archive");
    if (archive_write_set_format_pax_restricted(a) != ARCHIVE_OK ||
        archive_write_add_filter_gzip(a) != ARCHIVE_OK ||
        archive_write_open_fd(a, fd) != ARCHIVE_OK)
        return arc_fail(a, "the result", err);
    snprintf(top, sizeof(top), "collector_%s", p->stamp);
    r = put_dir(a, top, err);
    for (size_t k = 0; r == 0 && k < p->n; k++)
        r = repack_node(a, p, &p->nodes[k], err);
    if (r < 0)
        return r;
    snprintf(sum, sizeof(sum), "%s/Summary.log", top);
    archive_entry_set_pathname(e, sum);
    archive_entry_set_filetype(e, AE_IFREG);
    archive_entry_set_perm(e, 0600);
    archive_entry_set_uid(e, getuid());
    archive_entry_set_gid(e, getgid());
    archive_entry_set_size(e, (la_int64_t)len);
    archive_entry_set_mtime(e, time(NULL), 0);
    if (archive_write_header(a, e) != ARCHIVE_OK || archive_write_data(a, p->summary, len) < 0)
        return arc_fail(a, sum, err);
    if (archive_write_close(a) != ARCHIVE_OK)
        return arc_fail(a, "the result", err);
    return 0;
}

/* The job lines a node printed on stderr. */
static void parse_tasks(struct node_out *n)
{
    const char *p = n->res.err;

    while (p && (p = strstr(p, TASK_MARK))) {
        char type[32] = "", state[16] = "";
        p += strlen(TASK_MARK);
        if (sscanf(p, "%31[^\t]\t%15[^\t\n]", type, state) == 2)
            for (int j = 0; j < N_JOBS; j++)
                if (strcmp(type, jobs[j].type) == 0)
                    n->job_ok[j] = strcmp(state, "ok") == 0;
    }
}

static int usage(int rc)
{
    printf("gs_collector is a utility to collect information about the cluster (ogup).\n\n"
           "Usage:\n"
           "  gs_collector -? | --help\n"
           "  gs_collector -V | --version\n"
           "  gs_collector --begin-time=\"BEGINTIME\" --end-time=\"ENDTIME\" [-h HOSTNAME | -f "
           "HOSTFILE] [-o OUTPUT] [-l LOGFILE] [--max-size=MIB]\n\n"
           "General options:\n"
           "      --begin-time=BEGINTIME      Time to start log file collection. "
           "Pattern:yyyymmdd hh:mm.\n"
           "      --end-time=ENDTIME          Time to end log file collection. "
           "Pattern:yyyymmdd hh:mm.\n"
           "  -h                              Names of hosts whose information is to be "
           "collected.\n"
           "                                  Example: host1,host2.\n"
           "  -f                              File listing names of all the hosts to connect to.\n"
           "  -o                              Save the result to the specified folder.\n"
           "  -l                              Path of log file.\n"
           "      --max-size=MIB              ogup: the most one node may send, compressed "
           "(default %d).\n"
           "  -?, --help                      Show help information for this utility, and exit "
           "the command line mode.\n"
           "  -V, --version                   Show version information.\n",
           DEFAULT_MAX_MIB);
    return rc;
}

static int fail(int rc, const struct og_error *err)
{
    om_fail(TOOL, rc, err);
    return 1; /* GaussLog.exitWithError / logExit: 1 */
}

struct collector_opts {
    const char *begin, *end, *out, *hosts, *hostfile;
    long max_mib;
    bool local;
    long long begin_epoch, end_epoch;
    const char *stamp;
};

/* "--opt=value" or "--opt value". */
static const char *opt_value(int argc, char **argv, int *i, const char *name)
{
    size_t n = strlen(name);

    if (strncmp(argv[*i], name, n) != 0)
        return NULL;
    if (argv[*i][n] == '=')
        return argv[*i] + n + 1;
    if (argv[*i][n] == '\0' && *i + 1 < argc)
        return argv[++*i];
    return NULL;
}

static int parse_args(int argc, char **argv, struct collector_opts *o, bool *help,
                      struct og_error *err)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v;
        if (strcmp(a, "-?") == 0 || strcmp(a, "--help") == 0) {
            *help = true;
            return 0;
        }
        if ((v = opt_value(argc, argv, &i, "--begin-time")))
            o->begin = v;
        else if ((v = opt_value(argc, argv, &i, "--end-time")))
            o->end = v;
        else if ((v = opt_value(argc, argv, &i, "--max-size"))) {
            char *e;
            o->max_mib = strtol(v, &e, 10);
            if (*e || o->max_mib < 1 || o->max_mib > 4096)
                return og_error_set(err, OG_E_PARAM_TYPE,
                                    "The parameter '--max-size' type should be an integer from 1 "
                                    "to 4096.");
        } else if ((v = opt_value(argc, argv, &i, "-o")))
            o->out = v;
        else if ((v = opt_value(argc, argv, &i, "-h")))
            o->hosts = v;
        else if ((v = opt_value(argc, argv, &i, "-f")))
            o->hostfile = v;
        else if ((v = opt_value(argc, argv, &i, "-l")))
            oglog_open(TOOL, v, NULL);
        else if (strcmp(a, "--local-collect") == 0)
            o->local = true;
        else if ((v = opt_value(argc, argv, &i, "--begin-epoch")))
            o->begin_epoch = atoll(v);
        else if ((v = opt_value(argc, argv, &i, "--end-epoch")))
            o->end_epoch = atoll(v);
        else if ((v = opt_value(argc, argv, &i, "--stamp")))
            o->stamp = v;
        else
            return og_error_set(err, OG_E_PARAM_UNKNOWN, "Unrecognized parameter: %s.", a);
    }
    return 0;
}

/* openGauss's checks, in its order. */
static int check_args(const struct collector_opts *o, time_t *begin, time_t *end,
                      struct og_error *err)
{
    if (o->begin && (*begin = parse_time(o->begin)) == -1)
        return og_error_set(err, OG_E_PARAM_TYPE,
                            "The parameter '--begin-time' type should be date. Pattern: yyyymmdd "
                            "hh:mm.");
    if (o->end && (*end = parse_time(o->end)) == -1)
        return og_error_set(err, OG_E_PARAM_TYPE,
                            "The parameter '--end-time' type should be date. Pattern: yyyymmdd "
                            "hh:mm.");
    if (o->hosts && o->hostfile)
        return og_error_set(err, OG_E_PARAM_CONFLICT,
                            "The parameter '-h' and '-f' can not be used together.");
    if (!o->begin)
        return og_error_set(err, OG_E_PARAM_REQUIRED,
                            "Incorrect parameter. Parameter '--begin-time' is required for "
                            "[gs_collector].");
    if (!o->end)
        return og_error_set(err, OG_E_PARAM_REQUIRED,
                            "Incorrect parameter. Parameter '--end-time' is required for "
                            "[gs_collector].");
    if (*end < *begin)
        return og_error_set(err, OG_E_PARAM_INVALID,
                            "The parameter '--end-time or --begin-time' value is incorrect.The "
                            "value of '--end-time' must be greater than the value of "
                            "'--begin-time'.");
    return 0;
}

/* The nodes to collect from: -h / -f (each must be in the cluster,
 * GAUSS-51619), else every node. */
static int pick_nodes(const struct collector_opts *o, const struct cluster_config *cfg,
                      const char **names, size_t *n, struct og_error *err)
{
    _cleanup_free_ char *text = NULL;
    char *tok, *save = NULL;

    *n = 0;
    if (!o->hosts && !o->hostfile) {
        for (size_t k = 0; k < cfg->n_nodes; k++)
            names[(*n)++] = cfg->nodes[k].name;
        return 0;
    }
    if (o->hostfile) {
        int r = fs_read_file(o->hostfile, 1 << 20, &text, NULL, err);
        if (r == -OG_E_NOT_EXIST)
            return og_error_set(err, OG_E_NOT_EXIST, "The %s does not exist.", o->hostfile);
        if (r < 0)
            return r;
    } else if (!(text = strdup(o->hosts))) {
        return og_error_set(err, OG_E_NOMEM, "host list");
    }
    for (tok = strtok_r(text, ",\n", &save); tok; tok = strtok_r(NULL, ",\n", &save)) {
        const struct cluster_node *cn;
        bool dup = false;
        while (isspace((unsigned char)*tok))
            tok++;
        tok[strcspn(tok, " \t\r")] = '\0';
        if (!tok[0])
            continue;
        if (!(cn = clusterconfig_find_node(cfg, tok)))
            return og_error_set(err, OG_E_NODE_UNKNOWN, "The host name [%s] is not in the cluster.",
                                tok);
        for (size_t k = 0; k < *n; k++)
            dup = dup || names[k] == cn->name;
        if (!dup)
            names[(*n)++] = cn->name;
    }
    if (*n == 0)
        return og_error_set(err, OG_E_PARAM_INVALID, "The parameter '-%s' value is incorrect.",
                            o->hosts ? "h" : "f");
    return 0;
}

int tool_gs_collector(int argc, char **argv)
{
    struct collector_opts o = {.max_mib = DEFAULT_MAX_MIB};
    struct og_error err = {0};
    _cleanup_transport_ struct transport *t = NULL;
    struct cluster_config cfg;
    struct node_out nodes[CLUSTER_MAX_NODES];
    const char *names[CLUSTER_MAX_NODES];
    struct command_result cr[CLUSTER_MAX_NODES];
    struct og_error errs[CLUSTER_MAX_NODES];
    char stamp[32], b_arg[32], e_arg[32], prog[PATH_MAX + 32], dir[PATH_MAX], result[PATH_MAX + 64];
    time_t begin = 0, end = 0, now = time(NULL);
    struct tm tm;
    size_t n = 0, n_ran = 0;
    bool help = false;
    int r = parse_args(argc, argv, &o, &help, &err);

    if (help)
        return usage(0);
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "-V") == 0 || strcmp(argv[i], "--version") == 0)
            return om_version("gs_collector");
    if (r == 0 && o.local)
        return local_collect((time_t)o.begin_epoch, (time_t)o.end_epoch, o.stamp ? o.stamp : "0");
    /* gs_collector's __main__: never as root, before anything else */
    if (geteuid() == 0)
        return fail(og_error_set(&err, OG_E_RUN_AS_ROOT,
                                 "Cannot run this script as a user with the root permission."),
                    &err);
    if (r == 0)
        r = check_args(&o, &begin, &end, &err);
    if (r == 0)
        r = om_open_cluster(&cfg, &t, &err);
    if (r == 0)
        r = pick_nodes(&o, &cfg, names, &n, &err);
    if (r < 0)
        return fail(r, &err);
    printf("Successfully parsed the configuration file.\n");

    snprintf(dir, sizeof(dir), "%s",
             o.out ? o.out : (getenv("GAUSSLOG") ? getenv("GAUSSLOG") : cfg.log_path));
    printf("create Dir.\n");
    r = fs_mkdir_p(dir, 0700, &err);
    if (r < 0)
        return fail(r, &err);
    printf("Successfully create dir.\n");
    fflush(stdout);

    localtime_r(&now, &tm);
    strftime(stamp, sizeof(stamp), "%Y%m%d_%H%M%S", &tm);
    snprintf(b_arg, sizeof(b_arg), "%lld", (long long)begin);
    snprintf(e_arg, sizeof(e_arg), "%lld", (long long)end + 59);
    snprintf(prog, sizeof(prog), "%s/script/%s", cfg.tool_path, TOOL);
    {
        /* after the node's env file, as openGauss runs LocalCollect.py */
        const char *rargv[] = {
            "bash",
            "-c",
            "[ -f ~/.bashrc ] && . ~/.bashrc >/dev/null 2>&1; exec \"$0\" \"$@\"",
            prog,
            "--local-collect",
            "--begin-epoch",
            b_arg,
            "--end-epoch",
            e_arg,
            "--stamp",
            stamp,
            NULL};
        struct transport_run_opts ro = {.timeout_ms = 60 * 60 * 1000,
                                        .output_max = (size_t)o.max_mib << 20};
        memset(cr, 0, sizeof(cr));
        memset(errs, 0, sizeof(errs));
        log_debug("om", "collecting from %zu nodes, window %lld..%lld", n, (long long)begin,
                  (long long)end + 59);
        transport_run_all(t, names, n, rargv, &ro, cr, errs);
    }
    memset(nodes, 0, sizeof(nodes));
    for (size_t k = 0; k < n; k++) {
        nodes[k].name = names[k];
        nodes[k].err = errs[k];
        if (errs[k].code == 0) {
            nodes[k].res = cr[k];
            nodes[k].ran = cr[k].exit_status == 0;
            parse_tasks(&nodes[k]);
            if (!nodes[k].ran)
                log_warn("om", "collection on %s failed: %s", names[k], cr[k].err);
        } else {
            char msg[OG_ERROR_DETAIL_MAX + 64];
            log_warn("om", "collection on %s failed: %s", names[k],
                     og_error_format(&errs[k], msg, sizeof(msg)));
        }
        n_ran += nodes[k].ran;
    }
    /* Over the bound is an error of its own, never a silent cut. */
    for (size_t k = 0; k < n; k++)
        if (errs[k].code == OG_E_OUTPUT_LIMIT) {
            err = errs[k];
            og_error_prefix(&err, "The collection of node %s exceeds --max-size=%ld MiB", names[k],
                            o.max_mib);
            r = -OG_E_OUTPUT_LIMIT;
            break;
        }
    for (int j = 0; r == 0 && j < N_JOBS; j++) {
        bool all_ok = n_ran == n;
        for (size_t k = 0; k < n; k++)
            all_ok = all_ok && nodes[k].job_ok[j];
        printf("do %s check 0:1\n%s\n%s\n", jobs[j].type, jobs[j].start,
               all_ok ? jobs[j].ok : jobs[j].failed);
    }
    if (r == 0) {
        printf("Collecting files.\n");
        if (n_ran == 0) {
            printf("Failed to collect files: All collection tasks failed\n");
            for (size_t k = 0; k < n; k++)
                if (errs[k].code) {
                    err = errs[k];
                    break;
                }
            r = err.code ? -err.code
                         : og_error_set(&err, OG_E_REMOTE_EXEC,
                                        "Failed to execute %s --local-collect command: %s", prog,
                                        nodes[0].res.err ? nodes[0].res.err : "");
        } else {
            printf("Successfully collected files.\n");
        }
    }
    if (r == 0) {
        _cleanup_dynbuf_ struct dynbuf sum;
        struct pack p = {.stamp = stamp, .nodes = nodes, .n = n};
        dynbuf_init(&sum, 1 << 20);
        summary(&sum, nodes, n);
        p.summary = dynbuf_str(&sum);
        snprintf(result, sizeof(result), "%s/collector_%s.tar.gz", dir, stamp);
        r = fs_replace_file_with(result, 0600, write_result, &p, &err);
    }
    for (size_t k = 0; k < n; k++)
        command_result_done(&cr[k]);
    if (r < 0)
        return fail(r, &err);
    printf("All results are stored in %s.\n", result);
    return 0;
}
