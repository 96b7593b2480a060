/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * collector_local.c - gs_collector's node side (collector_local.h). LC is
 * openGauss-OM v5.0.0 script/local/LocalCollect.py, EC ErrorCode.py.
 *
 * What each TypeName collects here, as LC does it:
 *   System    systemfiles/OS_information_<t>.txt (hostname, ps ux, iostat -xm
 *             2 3, free -m: LC:478-541) and database_system_info_<t>.txt
 *             (LC:402-475; gs_ctl query stands for gs_om -t status --detail)
 *   Database  catalogfiles/dn_<id>_<view>_<t>.csv on a primary (LC:544-639)
 *   Log       logfiles/log_<t>.tar.gz, or with --keyword only
 *             logfiles/keyword_result.txt (LC:713-913)
 *   XLog      xlogfiles/xlogfile_<t>.tar.gz (LC:933-1057)
 *   CoreDump  coreDumpfiles/corefile_<t>/ when core_pattern is core-%e-%p-%t
 *             (LC:1076-1201)
 *   Config    configfiles/config_<t>/dn_<id>/ (LC:1286-1378)
 *   Gstack    gstackfiles/gstack_<t>/dn_<id>/ with gstack (LC:1383-1401)
 *   Plan      planSimulatorfiles/ by gs_plan_simulator.sh (LC:1236-1283)
 * Programs these nodes lack (iostat, gstack, gs_clean, gs_plan_simulator.sh)
 * are failed tasks naming them, as in openGauss; nothing is made up.
 */
#include <archive.h>
#include <archive_entry.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "collector_conf.h"
#include "collector_local.h"
#include "collector_node.h"
#include "command.h"
#include "dynbuf.h"
#include "fs.h"
#include "oglog.h"
#include "parse.h"
#include "staticconfig.h"
#include "banned.h"

#define CHUNK (64 * 1024)

DEFINE_TRIVIAL_CLEANUP_FUNC(struct archive *, archive_write_free)
DEFINE_TRIVIAL_CLEANUP_FUNC(struct archive_entry *, archive_entry_free)
DEFINE_TRIVIAL_CLEANUP_FUNC(json_object *, json_object_put)

/* ---- the job record (LC JobInfo) ------------------------------------------ */

void job_begin(struct local *l, const char *name)
{
    l->job = json_object_new_object();
    json_object_object_add(l->job, "jobName", json_object_new_string(name));
    json_object_object_add(l->job, "successTask", json_object_new_array());
    json_object_object_add(l->job, "failedTask", json_object_new_object());
}

void job_ok(struct local *l, const char *task)
{
    json_object *a = json_object_object_get(l->job, "successTask");

    json_object_array_add(a, json_object_new_string(task));
}

/* LC replaceInvalidStr: no quotes, backquotes or newlines in a reason */
void job_fail(struct local *l, const char *task, const char *reason)
{
    json_object *f = json_object_object_get(l->job, "failedTask");
    _cleanup_free_ char *r = strdup(reason ? reason : "");
    char *w = r;

    if (!r)
        return;
    for (const char *p = r; *p; p++)
        if (*p != '\'' && *p != '"' && *p != '`')
            *w++ = *p == '\n' ? ' ' : *p;
    *w = '\0';
    json_object_object_add(f, task, json_object_new_string(r));
}

void job_end(struct local *l)
{
    fprintf(stderr, COLLECT_JOB_MARK "%s\n",
            json_object_to_json_string_ext(l->job, JSON_C_TO_STRING_PLAIN));
    fflush(stderr);
    json_object_put(l->job);
    l->job = NULL;
}

/* ---- archive members ------------------------------------------------------ */

int add_entry(struct local *l, struct archive *a, const char *path, mode_t type, size_t size,
              time_t mtime)
{
    _cleanup_(archive_entry_freep) struct archive_entry *e = archive_entry_new();

    if (!e)
        return og_error_set(&l->err, OG_E_NOMEM, "archive entry");
    archive_entry_set_pathname(e, path);
    archive_entry_set_filetype(e, type);
    archive_entry_set_perm(e, type == AE_IFDIR ? 0700 : 0600);
    archive_entry_set_size(e, type == AE_IFDIR ? 0 : (la_int64_t)size);
    archive_entry_set_mtime(e, mtime, 0);
    if (archive_write_header(a, e) != ARCHIVE_OK) {
        l->write_failed = a == l->a;
        return og_error_set(&l->err, OG_E_WRITE_FAILED, "Failed to write %s: %s", path,
                            archive_error_string(a));
    }
    return 0;
}

int add_mem(struct local *l, struct archive *a, const char *path, const void *data, size_t len)
{
    int r = add_entry(l, a, path, AE_IFREG, len, time(NULL));

    if (r == 0 && len && archive_write_data(a, data, len) < 0) {
        l->write_failed = a == l->a;
        return og_error_set(&l->err, OG_E_WRITE_FAILED, "Failed to write %s: %s", path,
                            archive_error_string(a));
    }
    return r;
}

int add_buf(struct local *l, struct archive *a, const char *member, const struct dynbuf *b)
{
    char note[PATH_MAX + 32], text[96];
    int r = add_mem(l, a, member, dynbuf_str(b), b->len);

    if (r == 0 && dynbuf_error(b)) {
        snprintf(note, sizeof(note), "%s.truncated", member);
        snprintf(text, sizeof(text), "the rest did not fit in %zu bytes\n", b->max);
        r = add_mem(l, a, note, text, strlen(text));
    }
    return r;
}

/* A file as it is now (a log growing meanwhile is cut at that size, one
 * that shrank padded with zeros); -OG_E_READ_FAILED when it cannot be read. */
int add_file(struct local *l, struct archive *a, const char *member, const char *path)
{
    _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    struct stat st;
    char buf[CHUNK];
    off_t left;
    int r;

    if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
        return og_error_set_errno(&l->err, OG_E_READ_FAILED, fd < 0 ? errno : EINVAL,
                                  "cannot read %s", path);
    r = add_entry(l, a, member, AE_IFREG, (size_t)st.st_size, st.st_mtime);
    for (left = st.st_size; r == 0 && left > 0;) {
        ssize_t n = read(fd, buf, (size_t)(left < CHUNK ? left : CHUNK));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            memset(buf, 0, sizeof(buf));
            n = left < CHUNK ? left : CHUNK;
        }
        if (archive_write_data(a, buf, (size_t)n) < 0) {
            l->write_failed = a == l->a;
            return og_error_set(&l->err, OG_E_WRITE_FAILED, "Failed to write %s: %s", member,
                                archive_error_string(a));
        }
        left -= n;
    }
    return r;
}

static la_ssize_t memtar_write(struct archive *a, void *data, const void *buf, size_t len)
{
    struct memtar *m = data;

    if (dynbuf_append(&m->buf, buf, len) < 0) {
        m->l->over = m->l->write_failed = true;
        archive_set_error(a, EFBIG, "over its bound");
        return -1;
    }
    return (la_ssize_t)len;
}

int memtar_open(struct local *l, struct memtar *m)
{
    dynbuf_init(&m->buf, l->max_bytes);
    m->l = l;
    m->a = archive_write_new();
    if (!m->a || archive_write_set_format_pax_restricted(m->a) != ARCHIVE_OK ||
        archive_write_add_filter_gzip(m->a) != ARCHIVE_OK ||
        archive_write_set_bytes_in_last_block(m->a, 1) != ARCHIVE_OK ||
        archive_write_open2(m->a, m, NULL, memtar_write, NULL, NULL) != ARCHIVE_OK)
        return og_error_set(&l->err, OG_E_NOMEM, "archive");
    return 0;
}

/* Close m and store it as member in the node's stream. */
int memtar_store(struct local *l, struct memtar *m, const char *member)
{
    int r = archive_write_close(m->a) == ARCHIVE_OK
                ? add_mem(l, l->a, member, m->buf.buf ? m->buf.buf : "", m->buf.len)
                : og_error_set(&l->err, OG_E_OUTPUT_LIMIT, "%s exceeds --max-size (%zu bytes)",
                               member, l->max_bytes);
    archive_write_free(m->a);
    m->a = NULL;
    dynbuf_done(&m->buf);
    return r;
}

void memtar_drop(struct memtar *m)
{
    if (m->a)
        archive_write_free(m->a);
    m->a = NULL;
    dynbuf_done(&m->buf);
}

/* ---- helpers ---------------------------------------------------------------- */

/* LC's datetime.now().strftime("%Y%m%d_%H%M%S%f") */
void now_stamp(char *buf, size_t size)
{
    struct timespec ts;
    struct tm tm;
    char s[32];

    clock_gettime(CLOCK_REALTIME, &ts);
    localtime_r(&ts.tv_sec, &tm);
    strftime(s, sizeof(s), "%Y%m%d_%H%M%S", &tm);
    snprintf(buf, size, "%s%06ld", s, ts.tv_nsec / 1000);
}

/* A time as YYYYmmddHHMM in local time (ls --time-style='+ %Y%m%d%H%M'). */
long long minute_of(time_t t)
{
    struct tm tm;

    localtime_r(&t, &tm);
    return (tm.tm_year + 1900LL) * 100000000LL + (tm.tm_mon + 1) * 1000000LL +
           tm.tm_mday * 10000LL + tm.tm_hour * 100LL + tm.tm_min;
}

/* argv's output (stdout then stderr) appended to out; the exit status, or
 * -1 when it could not run (the reason appended). */
int run_into(struct dynbuf *out, const char *const *argv)
{
    static const char *const pass[] = {"GAUSSHOME",       "GAUSSLOG",  "PGHOST",
                                       "GPHOME",          "PGPORT",    "LD_LIBRARY_PATH",
                                       "GS_CLUSTER_NAME", "GAUSS_ENV", "PATH"};
    _cleanup_command_ struct command *c = command_new(argv);
    struct command_result res = {0};
    struct og_error err = {0};
    int status;

    if (!c)
        return dynbuf_adds(out, "out of memory\n"), -1;
    for (size_t i = 0; i < ELEMENTSOF(pass); i++)
        command_passenv(c, pass[i]);
    command_set_timeout_ms(c, 60 * 1000);
    command_set_output_max(c, 4 << 20);
    if (command_run(c, &res, &err) < 0) {
        dynbuf_addf(out, "%s: command not found\n", argv[0]);
        return -1;
    }
    dynbuf_add(out, res.out, res.out_len);
    dynbuf_add(out, res.err, res.err_len);
    status = res.exit_status;
    command_result_done(&res);
    return status;
}

/* LC itemTitleCommand */
static void title(struct dynbuf *out, const char *what)
{
    static const char rule[] = "###########################################################";

    dynbuf_addf(out, "\n%s\n#\n# %s\n#\n%s\n", rule, what, rule);
}

bool content_has(const char *content, const char *word)
{
    _cleanup_free_ char *low = strdup(content);

    if (!low)
        return false;
    for (char *p = low; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    return strstr(low, word) != NULL;
}

void app_bin(const struct local *l, const char *prog, char *buf, size_t size)
{
    const char *home = getenv("GAUSSHOME");

    snprintf(buf, size, "%s/bin/%s", home && home[0] ? home : l->cfg ? l->cfg->app_path : "", prog);
}

/* The query's rows (-tA), or -1 with the client's message in out. */
int gsql(const struct local *l, const char *db, const char *sql, struct dynbuf *out)
{
    char bin[PATH_MAX + 16], port[16];
    const char *host = getenv("PGHOST");
    const char *argv[] = {
        bin, "-h", host && host[0] ? host : "/tmp", "-p", port, "-d", db, "-X", "-q", "-tA", "-c",
        sql, NULL};

    app_bin(l, "gsql", bin, sizeof(bin));
    snprintf(port, sizeof(port), "%d", l->self->port);
    return run_into(out, argv) == 0 ? 0 : -1;
}

/* In the node's stream: the directory <host>/<rel> ("" or ending in '/'). */
int dir_entry(struct local *l, const char *rel)
{
    char path[PATH_MAX];

    snprintf(path, sizeof(path), "%s/%s", l->host, rel);
    return add_entry(l, l->a, path, AE_IFDIR, 0, time(NULL));
}

/* ---- System (LC:478-541, 402-475) ------------------------------------------ */

static void section_ls(struct dynbuf *out, const char *banner, const char *dir)
{
    const char *ls[] = {"ls", "-lrt", dir, NULL};

    dynbuf_addf(out, "\n******** %s *******\n", banner);
    run_into(out, ls);
}

/* database_system_info_<t>.txt: the cluster, versions, core files, xlog and
 * pg_log listings. */
static int basic_info(struct local *l)
{
    _cleanup_dynbuf_ struct dynbuf info = {0};
    _cleanup_free_ char *pattern = NULL;
    char bin[PATH_MAX + 32], path[PATH_MAX + 300], when[40], member[PATH_MAX];

    dynbuf_init(&info, 16 << 20);
    title(&info, "C L U S T E R    I N F O");
    if (l->self) {
        app_bin(l, "gs_ctl", bin, sizeof(bin));
        const char *q[] = {bin, "query", "-D", l->self->datadir, NULL};
        run_into(&info, q);
    } else {
        dynbuf_adds(&info, "This host is not a node of the installed cluster.\n");
    }
    title(&info, "V E R S I O N    I N F O");
    app_bin(l, "gaussdb", bin, sizeof(bin));
    {
        const char *v[] = {bin, "--version", NULL}, *pv[] = {"cat", "/proc/version", NULL};
        run_into(&info, v);
        run_into(&info, pv);
    }
    title(&info, "C O R E    F I L E    I N F O");
    if (fs_read_file("/proc/sys/kernel/core_pattern", 4096, &pattern, NULL, NULL) == 0)
        pattern[strcspn(pattern, "\n")] = '\0';
    if (!pattern || !strrchr(pattern, '/') || strcmp(strrchr(pattern, '/') + 1, CORE_PATTERN)) {
        dynbuf_adds(&info, "Failed to collect core dump files, core pattern is not "
                           "core-e-p-t.\n");
    } else {
        *strrchr(pattern, '/') = '\0';
        const char *ls[] = {"ls", "-lrt", pattern[0] ? pattern : "/", NULL};
        run_into(&info, ls);
    }
    title(&info, "X L O G    F I L E    I N F O");
    if (l->self) {
        snprintf(when, sizeof(when), "dn_%d xlog file info", l->self->instance_id);
        snprintf(path, sizeof(path), "%s/pg_xlog", l->self->datadir);
        if (access(path, F_OK) != 0) /* the PostgreSQL 15 under ogup's kernel */
            snprintf(path, sizeof(path), "%s/pg_wal", l->self->datadir);
        section_ls(&info, when, path);
    }
    title(&info, "P G_L O G    F I L E    I N F O");
    snprintf(path, sizeof(path), "%s/pg_log", l->gausslog);
    {
        _cleanup_closedir_ DIR *d = opendir(path);
        struct dirent *e;
        while (d && (e = readdir(d))) {
            char sub[PATH_MAX + 600], banner[300];
            if (e->d_name[0] == '.' || e->d_type != DT_DIR)
                continue;
            snprintf(sub, sizeof(sub), "%s/%s", path, e->d_name);
            snprintf(banner, sizeof(banner), "%s pg_log file info", e->d_name);
            section_ls(&info, banner, sub);
        }
    }
    now_stamp(when, sizeof(when));
    snprintf(member, sizeof(member), "%s/systemfiles/database_system_info_%s.txt", l->host, when);
    return add_buf(l, l->a, member, &info);
}

int job_system(struct local *l)
{
    static const char *const cmds[][5] = {
        {"ps", "ux", NULL}, {"iostat", "-xm", "2", "3", NULL}, {"free", "-m", NULL}};
    static const char *const names[] = {"ps ux", "iostat -xm 2 3", "free -m"};
    static const char rule[] = "************************************";
    _cleanup_dynbuf_ struct dynbuf os = {0};
    char when[40], member[PATH_MAX];
    const char *hn[] = {"hostname", NULL};
    int r;

    job_begin(l, "Collecting OS information");
    dynbuf_init(&os, 16 << 20);
    dynbuf_addf(&os, "%s\n* OS information for host\n", rule);
    if (run_into(&os, hn) == 0)
        job_ok(l, "hostname");
    else
        job_fail(l, "hostname", "hostname failed");
    dynbuf_addf(&os, "%s\n", rule);
    for (size_t i = 0; i < ELEMENTSOF(cmds); i++) {
        _cleanup_dynbuf_ struct dynbuf one = {0};
        dynbuf_init(&one, 8 << 20);
        dynbuf_addf(&os, "\n%s\n* %s \n%s\n", rule, names[i], rule);
        if (run_into(&one, cmds[i]) == 0) {
            job_ok(l, names[i]);
        } else if (i == 1 && strstr(dynbuf_str(&one), "command not found")) {
            char why[256]; /* LC:511-514 */
            snprintf(why, sizeof(why), "[GAUSS-51405] : You need to install software: iostat.\n%s",
                     dynbuf_str(&one));
            job_fail(l, names[i], why);
        } else {
            job_fail(l, names[i], dynbuf_str(&one));
        }
        dynbuf_add_buf(&os, &one);
    }
    now_stamp(when, sizeof(when));
    snprintf(member, sizeof(member), "%s/systemfiles/OS_information_%s.txt", l->host, when);
    r = add_buf(l, l->a, member, &os);
    if (r == 0)
        r = basic_info(l);
    job_end(l);
    return l->write_failed ? r : 0;
}

/* ---- Database (LC:544-639) -------------------------------------------------- */

static bool plain_name(const char *s)
{
    if (!*s)
        return false;
    for (; *s; s++)
        if (!islower((unsigned char)*s) && !isdigit((unsigned char)*s) && *s != '_')
            return false;
    return true;
}

/* One view of the content: checked against the catalog's list, then
 * COPY'd as CSV (LC:577-633). */
static void one_view(struct local *l, const char *view, const char *list)
{
    char schema[128] = "pg_catalog", name[256], key[512], sql[1024], member[PATH_MAX], when[40];
    _cleanup_dynbuf_ struct dynbuf out = {0};
    const char *dot = strchr(view, '.');

    if (dot && strchr(dot + 1, '.')) {
        snprintf(key, sizeof(key),
                 "[GAUSS-53515] : Database content '%s' is invalid, only "
                 "support 'schema.relation'.",
                 view);
        job_fail(l, view, key);
        return;
    }
    snprintf(name, sizeof(name), "%s", dot ? dot + 1 : view);
    if (dot)
        snprintf(schema, sizeof(schema), "%.*s", (int)(dot - view), view);
    for (char *p = schema; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    for (char *p = name; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    if (strcmp(schema, "pg_catalog") && strcmp(schema, "dbe_perf")) {
        snprintf(key, sizeof(key), "[GAUSS-53513] : Schema '%s' is not in white list.", schema);
        job_fail(l, view, key);
        return;
    }
    snprintf(key, sizeof(key), "\n%s\n", name);
    if (!plain_name(name) || !strstr(list, key)) {
        snprintf(key, sizeof(key), "[GAUSS-53514] : Relation '%s' does not belong to '%s' schema.",
                 name, schema);
        job_fail(l, view, key);
        return;
    }
    dynbuf_init(&out, l->max_bytes);
    snprintf(sql, sizeof(sql), "COPY (select * from \"%s\".\"%s\") TO STDOUT WITH CSV HEADER",
             schema, name);
    if (gsql(l, "postgres", sql, &out) < 0) {
        const char *o = dynbuf_str(&out);
        if (strstr(o, "does not exist"))
            snprintf(key, sizeof(key), "[GAUSS-53500] : Relation %s does not exist.", view);
        else if (strstr(o, "Connection refused"))
            snprintf(key, sizeof(key),
                     "[GAUSS-53501] : Connect to server failed, connection "
                     "refused");
        else
            snprintf(key, sizeof(key), "[GAUSS-53502] : Please check database status");
        job_fail(l, view, key);
        return;
    }
    now_stamp(when, sizeof(when));
    snprintf(member, sizeof(member), "%s/catalogfiles/dn_%d_%s_%s.csv", l->host,
             l->self->instance_id, name, when);
    if (add_buf(l, l->a, member, &out) == 0)
        job_ok(l, view);
}

int job_database(struct local *l, const char *content)
{
    static const char list_sql[] =
        "SELECT viewname FROM pg_views Where schemaname IN ('dbe_perf','pg_catalog') union "
        "SELECT tablename FROM pg_tables Where schemaname IN ('dbe_perf','pg_catalog');";
    _cleanup_dynbuf_ struct dynbuf list = {0}, clean = {0};
    _cleanup_free_ char *views = strdup(content);
    char port[16], member[PATH_MAX], when[40], *save = NULL;

    job_begin(l, "Collecting catalog information");
    dynbuf_init(&list, 4 << 20);
    dynbuf_init(&clean, 1 << 20);
    if (!l->self || !l->self->primary || !views)
        goto done; /* LC:554: standbys are skipped */
    dynbuf_adds(&list, "\n");
    if (gsql(l, "postgres", list_sql, &list) < 0) {
        job_fail(l, "find views", "[GAUSS-53502] : Please check database status");
        goto done;
    }
    job_ok(l, "find views");
    dynbuf_adds(&list, "\n");
    for (char *v = strtok_r(views, ",", &save); v; v = strtok_r(NULL, ",", &save)) {
        char *w = v;
        for (char *p = v; *p; p++)
            if (*p != ' ')
                *w++ = *p;
        *w = '\0';
        if (v[0])
            one_view(l, v, dynbuf_str(&list));
    }
    /* LC:642-675 execute_sqls: the header, then gs_clean's output */
    snprintf(port, sizeof(port), "%d", l->self->port);
    dynbuf_addf(&clean,
                "************************************\n* Catalog statistics for host %s "
                "\n************************************",
                l->host);
    dynbuf_addf(&clean,
                "\n\n************************************\n gs_clean -a -N -s -p %s "
                "\n************************************\n",
                port);
    {
        const char *gc[] = {"gs_clean", "-a", "-N", "-s", "-p", port, NULL};
        run_into(&clean, gc);
    }
    now_stamp(when, sizeof(when));
    snprintf(member, sizeof(member), "%s/catalogfiles/gs_clean_%s.txt", l->host, when);
    add_buf(l, l->a, member, &clean);
done:
    job_end(l);
    return l->write_failed ? -l->err.code : 0;
}

/* ---- main ------------------------------------------------------------------- */

static la_ssize_t paced_write(struct archive *a, void *data, const void *buf, size_t len)
{
    struct pacer *p = data;

    if (fs_write_all(p->fd, buf, len) < 0) {
        archive_set_error(a, errno, "write");
        return -1;
    }
    p->sent += (long long)len;
    if (p->bytes_per_s > 0) {
        double due, took;
        due = (double)p->sent / (double)p->bytes_per_s;
        took = (double)(og_now_ns() - p->t0_ns) / 1e9;
        if (due > took) {
            struct timespec d = {(time_t)(due - took),
                                 (long)((due - took - (double)(time_t)(due - took)) * 1e9)};
            while (nanosleep(&d, &d) < 0 && errno == EINTR)
                ;
        }
    }
    return (la_ssize_t)len;
}

struct local_args {
    const char *stamp, *keyword;
    long long begin, end, bwlimit_kb, max_bytes;
    int first_job; /* argv index of the first --job */
};

/* A --job's INTERVAL or COUNT: a number >= 0, or "-" for def. */
static int job_number(const char *s, long long def, long long *ret)
{
    if (strcmp(s, "-") == 0) {
        *ret = def;
        return 0;
    }
    return safe_atolli_range(s, 0, LLONG_MAX, ret);
}

static int parse_local(int argc, char **argv, struct local_args *o)
{
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        long long *num = NULL, v;
        if (strcmp(a, "--job") == 0) {
            if (o->first_job == 0)
                o->first_job = i;
            if (i + 4 >= argc || collect_type_from_name(argv[i + 1]) < 0 ||
                job_number(argv[i + 2], 0, &v) < 0 || job_number(argv[i + 3], 1, &v) < 0)
                return -1;
            i += 4;
            continue;
        }
        if (i + 1 >= argc)
            return -1;
        if (strcmp(a, "--stamp") == 0)
            o->stamp = argv[i + 1];
        else if (strcmp(a, "--begin") == 0)
            num = &o->begin;
        else if (strcmp(a, "--end") == 0)
            num = &o->end;
        else if (strcmp(a, "--bwlimit") == 0)
            num = &o->bwlimit_kb;
        else if (strcmp(a, "--max-bytes") == 0)
            num = &o->max_bytes;
        else if (strcmp(a, "--keyword") == 0)
            o->keyword = argv[i + 1];
        else
            return -1;
        if (num && safe_atolli_range(argv[i + 1], 0, LLONG_MAX, num) < 0)
            return -1;
        i++;
    }
    return o->stamp ? 0 : -1;
}

/* Each --job TYPE INTERVAL COUNT CONTENT, COUNT times INTERVAL s apart. */
static int run_jobs(struct local *l, int argc, char **argv, int first)
{
    int r = 0;

    for (int i = first; r == 0 && i + 4 < argc; i += 5) {
        enum collect_type t = (enum collect_type)collect_type_from_name(argv[i + 1]);
        long long interval = 0, count = 0;
        /* parse_local checked both */
        (void)job_number(argv[i + 2], 0, &interval);
        (void)job_number(argv[i + 3], 1, &count);
        while (r == 0 && count-- > 0) {
            r = run_job(l, t, argv[i + 4]);
            if (r == 0 && l->write_failed)
                r = -OG_E_WRITE_FAILED; /* the stream is lost, or over the bound */
            if (count > 0 && interval > 0)
                sleep((unsigned)interval);
        }
    }
    return r;
}

static int open_stream(struct local *l, struct archive *a, struct pacer *p)
{
    static const char *const dirs[] = {"systemfiles", "catalogfiles",  "xlogfiles",
                                       "gstackfiles", "coreDumpfiles", "planSimulatorfiles",
                                       "logfiles",    "configfiles"};
    int r = 0;

    if (archive_write_set_format_pax_restricted(a) != ARCHIVE_OK ||
        archive_write_add_filter_gzip(a) != ARCHIVE_OK ||
        archive_write_set_bytes_in_last_block(a, 1) != ARCHIVE_OK ||
        archive_write_open2(a, p, NULL, paced_write, NULL, NULL) != ARCHIVE_OK)
        return og_error_set(&l->err, OG_E_WRITE_FAILED, "Failed to open stdout: %s",
                            archive_error_string(a));
    r = dir_entry(l, "");
    for (size_t i = 0; r == 0 && i < ELEMENTSOF(dirs); i++) {
        char rel[64];
        snprintf(rel, sizeof(rel), "%s/", dirs[i]);
        r = dir_entry(l, rel);
    }
    return r;
}

int collector_local_main(int argc, char **argv)
{
    _cleanup_(archive_write_freep) struct archive *a = archive_write_new();
    struct local_args o = {.max_bytes = 64 << 20};
    struct local l = {.a = a};
    struct pacer p = {.fd = STDOUT_FILENO};
    struct cluster_config cfg;
    const char *home = getenv("GAUSSHOME");
    char path[PATH_MAX], msg[OG_ERROR_DETAIL_MAX + 64];
    int r;

    oglog_set_console_level(OGLOG_NONE);
    if (parse_local(argc, argv, &o) < 0) {
        fprintf(stderr, "gs_collector --local-collect: bad arguments\n");
        return 1;
    }
    l.stamp = o.stamp;
    l.begin = o.begin;
    l.end = o.end;
    l.keyword = o.keyword && o.keyword[0] ? o.keyword : NULL;
    l.max_bytes = (size_t)o.max_bytes;
    l.gausslog = getenv("GAUSSLOG");
    p.bytes_per_s = o.bwlimit_kb * 1024;
    p.t0_ns = og_now_ns();
    if (gethostname(l.host, sizeof(l.host) - 1) < 0 || !l.host[0] || strchr(l.host, '/'))
        snprintf(l.host, sizeof(l.host), "localhost");
    if (home && home[0]) {
        snprintf(path, sizeof(path), "%s/bin/cluster_static_config", home);
        if (staticconfig_read(path, &cfg, NULL) == 0) {
            l.cfg = &cfg;
            l.self = clusterconfig_find_node(&cfg, l.host);
        }
    }
    if (!a)
        r = og_error_set(&l.err, OG_E_NOMEM, "archive");
    else if (!l.gausslog || !l.gausslog[0])
        r = og_error_set(&l.err, OG_E_ENV_EMPTY, "The environmental variable GAUSSLOG is empty.");
    else
        r = open_stream(&l, a, &p);
    if (r == 0 && o.first_job)
        r = run_jobs(&l, argc, argv, o.first_job);
    if (r == 0 && archive_write_close(a) != ARCHIVE_OK)
        r = og_error_set(&l.err, OG_E_WRITE_FAILED, "Failed to finish the archive: %s",
                         archive_error_string(a));
    if (r == 0 && !l.over)
        return 0;
    if (l.over) /* never a silent cut: the invoker fails with it */
        og_error_set(&l.err, OG_E_OUTPUT_LIMIT,
                     "The collection of %s exceeds --max-size (%zu bytes)", l.host, l.max_bytes);
    fprintf(stderr, "%s\n", og_error_format(&l.err, msg, sizeof(msg)));
    return 1;
}
