/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * collector_pack.c - gs_collector's result (collector_pack.h; CI =
 * openGauss-OM v5.0.0 script/impl/collect/OLAP/CollectImplOLAP.py).
 */
#include <archive.h>
#include <archive_entry.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "collector_local.h"
#include "collector_pack.h"
#include "dynbuf.h"
#include "fs.h"
#include "banned.h"

#define MAX_MEMBERS 100000 /* per node stream */

DEFINE_TRIVIAL_CLEANUP_FUNC(struct archive *, archive_write_free)
DEFINE_TRIVIAL_CLEANUP_FUNC(struct archive *, archive_read_free)
DEFINE_TRIVIAL_CLEANUP_FUNC(struct archive_entry *, archive_entry_free)

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

/* The stream: a gzip'd tar of files and directories under one top dir. */
static int check_stream(struct collect_node *n)
{
    _cleanup_(archive_read_freep) struct archive *in = archive_read_new();
    struct archive_entry *e;
    size_t members = 0;
    int r;

    if (!in)
        return og_error_set(&n->err, OG_E_NOMEM, "archive reader");
    archive_read_support_filter_gzip(in);
    archive_read_support_format_tar(in);
    if (archive_read_open_memory(in, n->res.out, n->res.out_len) != ARCHIVE_OK)
        return og_error_set(&n->err, OG_E_CONTENT_INVALID,
                            "The content of the collection of node %s is not correct: %s.", n->name,
                            archive_error_string(in));
    while ((r = archive_read_next_header(in, &e)) == ARCHIVE_OK) {
        const char *name = archive_entry_pathname(e);
        mode_t type = archive_entry_filetype(e);
        size_t top = name ? strcspn(name, "/") : 0;
        if (members++ == 0 && top > 0 && top < sizeof(n->top))
            snprintf(n->top, sizeof(n->top), "%.*s", (int)top, name);
        if (members > MAX_MEMBERS || !safe_member(name) || (type != AE_IFREG && type != AE_IFDIR) ||
            !n->top[0] || strncmp(name, n->top, strlen(n->top)) != 0 ||
            (name[strlen(n->top)] != '/' && name[strlen(n->top)] != '\0'))
            return og_error_set(&n->err, OG_E_CONTENT_INVALID,
                                "The content of the collection of node %s is not correct: member "
                                "\"%s\".",
                                n->name, name ? name : "(null)");
        archive_read_data_skip(in);
    }
    if (r != ARCHIVE_EOF || members == 0)
        return og_error_set(&n->err, OG_E_CONTENT_INVALID,
                            "The content of the collection of node %s is not correct: %s.", n->name,
                            members ? archive_error_string(in) : "empty");
    return 0;
}

void collect_node_parse(struct collect_node *n)
{
    const char *p = n->res.err;

    while (p && (p = strstr(p, COLLECT_JOB_MARK)) && n->n_jobs < COLLECT_MAX_RUNS) {
        size_t len;
        _cleanup_free_ char *line = NULL;
        json_object *o;
        p += strlen(COLLECT_JOB_MARK);
        len = strcspn(p, "\n");
        line = strndup(p, len);
        o = line ? json_tokener_parse(line) : NULL;
        if (o && json_object_is_type(o, json_type_object) &&
            json_object_is_type(json_object_object_get(o, "jobName"), json_type_string))
            n->jobs[n->n_jobs++] = o;
        else
            json_object_put(o);
        p += len;
    }
    n->sent = n->err.code == 0 && n->res.exit_status == 0 && check_stream(n) == 0;
}

bool collect_run_failed(const struct collect_node *n, size_t r)
{
    json_object *f;

    if (r >= n->n_jobs)
        return true;
    f = json_object_object_get(n->jobs[r], "failedTask");
    return !json_object_is_type(f, json_type_object) || json_object_object_length(f) > 0;
}

/* CPython str.center(width): left = pad / 2 + (pad & width & 1). */
static void center(struct dynbuf *b, const char *s, size_t width)
{
    size_t len = strlen(s), pad = width > len ? width - len : 0;
    size_t left = pad / 2 + (pad & width & 1);

    dynbuf_addf(b, "%*s%s%*s", (int)left, "", s, (int)(pad - left), "");
}

static void repeat(struct dynbuf *b, char c, size_t n)
{
    for (size_t i = 0; i < n; i++)
        dynbuf_add(b, &c, 1);
}

/* The runs of one job name, in order (CI generalJobInfo). */
static size_t runs_of(const struct collect_run *runs, size_t n_runs, const char *name, size_t *idx)
{
    size_t k = 0;

    for (size_t r = 0; r < n_runs; r++)
        if (strcmp(runs[r].job_name, name) == 0)
            idx[k++] = r;
    return k;
}

static void summary_rows(struct dynbuf *b, const struct collect_node *nodes, size_t n,
                         const char *job, size_t run, size_t job_w, size_t name_w)
{
    const char *okn[CLUSTER_MAX_NODES], *bad[CLUSTER_MAX_NODES];
    size_t n_ok = 0, n_bad = 0, rows;

    for (size_t k = 0; k < n; k++) {
        if (collect_run_failed(&nodes[k], run))
            bad[n_bad++] = nodes[k].name;
        else
            okn[n_ok++] = nodes[k].name;
    }
    rows = n_ok > n_bad ? n_ok : n_bad;
    for (size_t r = 0; r < rows; r++) {
        dynbuf_addf(b, "|%-*s|", (int)job_w, r == 0 ? job : "");
        center(b, r < n_ok ? okn[r] : "", name_w);
        dynbuf_adds(b, "|");
        center(b, r < n_bad ? bad[r] : "", name_w);
        dynbuf_adds(b, "|\n");
    }
}

/* CI:235-309 printSummaryInfo */
static void summary(struct dynbuf *b, const struct collect_node *nodes, size_t n,
                    const struct collect_run *runs, size_t n_runs)
{
    size_t name_w = strlen("SUCCESS HOSTNAME"), job_w = strlen("success"), title_len;
    size_t idx[COLLECT_MAX_RUNS];
    _cleanup_dynbuf_ struct dynbuf head = {0};

    dynbuf_init(&head, 4096);
    for (size_t k = 0; k < n; k++)
        if (strlen(nodes[k].name) > name_w)
            name_w = strlen(nodes[k].name);
    for (size_t r = 0; r < n_runs; r++) { /* "<name>-<runs>" (CI:245-252) */
        size_t k = runs_of(runs, n_runs, runs[r].job_name, idx);
        size_t w = strlen(runs[r].job_name) + 1 + (size_t)snprintf(NULL, 0, "%zu", k);
        job_w = w > job_w ? w : job_w;
    }
    job_w += 4;
    name_w += 4;
    dynbuf_adds(&head, "|");
    center(&head, "TASK NAME", job_w);
    dynbuf_adds(&head, "|");
    center(&head, "SUCCESS HOSTNAME", name_w);
    dynbuf_adds(&head, "|");
    center(&head, "FAILED HOSTNAME", name_w);
    dynbuf_adds(&head, "|");
    title_len = head.len;
    repeat(b, '-', title_len);
    dynbuf_addf(b, "\n|%*s|%*s|%*s|\n", (int)job_w, "", (int)name_w, "", (int)name_w, "");
    dynbuf_add_buf(b, &head);
    dynbuf_adds(b, "\n");
    dynbuf_addf(b, "|%*s|%*s|%*s|\n", (int)job_w, "", (int)name_w, "", (int)name_w, "");
    repeat(b, '-', title_len);
    dynbuf_adds(b, "\n");
    for (size_t r = 0; r < n_runs; r++) {
        size_t k = runs_of(runs, n_runs, runs[r].job_name, idx);
        if (idx[0] != r)
            continue; /* a name once, its runs last to first (CI:248-252) */
        for (size_t j = k; j > 0; j--) {
            char job[160];
            snprintf(job, sizeof(job), "%s-%zu", runs[r].job_name, j);
            summary_rows(b, nodes, n, job, idx[j - 1], job_w, name_w);
            repeat(b, '-', title_len);
            dynbuf_adds(b, "\n");
        }
    }
    dynbuf_adds(b, "\n\n");
}

/* The box of one node's job (CI:311-373 printDetailSummaryInfo). */
static void detail_box(struct dynbuf *b, const char *node, json_object *job)
{
    const size_t status_w = strlen("SuccessfulTask") + 4;
    json_object *succ = json_object_object_get(job, "successTask");
    json_object *failed = json_object_object_get(job, "failedTask");
    size_t n_succ = json_object_is_type(succ, json_type_array) ? json_object_array_length(succ) : 0;
    _cleanup_dynbuf_ struct dynbuf lines = {0}, title = {0};
    size_t succ_w = 0, fail_w = 0, max_w, title_w, total;
    const char *p;

    dynbuf_init(&lines, 1 << 20);
    dynbuf_init(&title, 4096);
    for (size_t i = 0; i < n_succ; i += 5) { /* "; ".join(successTask[i:i+5]) */
        size_t start = lines.len;
        for (size_t k = i; k < i + 5 && k < n_succ; k++)
            dynbuf_addf(&lines, "%s%s", k > i ? "; " : "",
                        json_object_get_string(json_object_array_get_idx(succ, k)));
        succ_w = lines.len - start > succ_w ? lines.len - start : succ_w;
        dynbuf_adds(&lines, "\n");
    }
    dynbuf_adds(&lines, "\x01"); /* successes above, failures below */
    if (json_object_is_type(failed, json_type_object)) {
        json_object_object_foreach(failed, task, reason)
        {
            size_t start = lines.len;
            dynbuf_addf(&lines, "%s: %s", task, json_object_get_string(reason));
            fail_w = lines.len - start > fail_w ? lines.len - start : fail_w;
            dynbuf_adds(&lines, "\n");
        }
    }
    dynbuf_addf(&title, "%s - %s - %s", node,
                json_object_get_string(json_object_object_get(job, "jobName")),
                fail_w == 0 ? "Success" : "Failed");
    max_w = (fail_w > succ_w ? fail_w : succ_w) + 6;
    max_w = title.len > max_w ? title.len : max_w;
    title_w = max_w + status_w + 1;
    total = title_w + 2;
    repeat(b, '-', total);
    if (dynbuf_error(&lines) || dynbuf_error(&title))
        dynbuf_fail(b, dynbuf_error(&lines) ? dynbuf_error(&lines) : dynbuf_error(&title));
    dynbuf_addf(b, "\n|%*s|\n|", (int)title_w, "");
    center(b, dynbuf_str(&title), title_w);
    dynbuf_addf(b, "|\n|%*s|\n", (int)title_w, "");
    repeat(b, '-', total);
    dynbuf_adds(b, "\n");
    p = dynbuf_str(&lines);
    for (bool failures = false; *p; p++) {
        size_t len = strcspn(p, "\n\x01");
        _cleanup_free_ char *one = strndup(p, len);
        if (*p == '\x01') {
            failures = true;
            continue;
        }
        dynbuf_adds(b, "|");
        center(b, failures ? "FailedTask" : "SuccessfulTask", status_w);
        dynbuf_adds(b, "|");
        center(b, one ? one : "", max_w);
        dynbuf_adds(b, "|\n");
        repeat(b, '-', total);
        dynbuf_adds(b, "\n");
        p += len;
    }
    dynbuf_adds(b, "\n\n\n");
}

static int put(struct archive *a, const char *path, mode_t type, const void *data, size_t len,
               struct og_error *err)
{
    _cleanup_(archive_entry_freep) struct archive_entry *e = archive_entry_new();

    if (!e)
        return og_error_set(err, OG_E_NOMEM, "archive entry");
    archive_entry_set_pathname(e, path);
    archive_entry_set_filetype(e, type);
    archive_entry_set_perm(e, type == AE_IFDIR ? 0700 : 0600);
    archive_entry_set_uid(e, getuid());
    archive_entry_set_gid(e, getgid());
    archive_entry_set_size(e, (la_int64_t)len);
    archive_entry_set_mtime(e, time(NULL), 0);
    if (archive_write_header(a, e) != ARCHIVE_OK || (len && archive_write_data(a, data, len) < 0))
        return og_error_set(err, OG_E_WRITE_FAILED, "Failed to write %s: %s", path,
                            archive_error_string(a));
    return 0;
}

struct pack {
    const char *stamp;
    const struct collect_node *nodes;
    size_t n;
    const char *summary, *detail;
};

/* fs_writer_fn: collector_<stamp>.tar.gz into fd. */
static int write_result(int fd, void *userdata, struct og_error *err)
{
    const struct pack *p = userdata;
    _cleanup_(archive_write_freep) struct archive *a = archive_write_new();
    char top[128], path[512];
    int r;

    if (!a || archive_write_set_format_pax_restricted(a) != ARCHIVE_OK ||
        archive_write_add_filter_gzip(a) != ARCHIVE_OK ||
        archive_write_open_fd(a, fd) != ARCHIVE_OK)
        return og_error_set(err, OG_E_WRITE_FAILED, "Failed to write the result: %s",
                            a ? archive_error_string(a) : "out of memory");
    snprintf(top, sizeof(top), "collector_%s", p->stamp);
    r = put(a, top, AE_IFDIR, NULL, 0, err);
    for (size_t k = 0; r == 0 && k < p->n; k++) {
        if (!p->nodes[k].sent)
            continue;
        snprintf(path, sizeof(path), "%s/%s.tar.gz", top, p->nodes[k].top);
        r = put(a, path, AE_IFREG, p->nodes[k].res.out, p->nodes[k].res.out_len, err);
    }
    snprintf(path, sizeof(path), "%s/Summary.log", top);
    if (r == 0)
        r = put(a, path, AE_IFREG, p->summary, strlen(p->summary), err);
    snprintf(path, sizeof(path), "%s/Detail.log", top);
    if (r == 0)
        r = put(a, path, AE_IFREG, p->detail, strlen(p->detail), err);
    if (r == 0 && archive_write_close(a) != ARCHIVE_OK)
        r = og_error_set(err, OG_E_WRITE_FAILED, "Failed to write the result: %s",
                         archive_error_string(a));
    return r;
}

int collect_pack(const char *path, const char *stamp, const struct collect_node *nodes, size_t n,
                 const struct collect_run *runs, size_t n_runs, struct og_error *err)
{
    _cleanup_dynbuf_ struct dynbuf sum = {0}, det = {0};
    struct pack p = {.stamp = stamp, .nodes = nodes, .n = n};

    dynbuf_init(&sum, 4 << 20);
    dynbuf_init(&det, 16 << 20);
    summary(&sum, nodes, n, runs, n_runs);
    for (size_t k = 0; k < n; k++)
        for (size_t j = 0; j < nodes[k].n_jobs; j++)
            detail_box(&det, nodes[k].name, nodes[k].jobs[j]);
    if (dynbuf_error(&sum) || dynbuf_error(&det))
        return og_error_set(err, OG_E_TOO_LARGE,
                            "the collection's summary and details of %zu nodes", n);
    p.summary = dynbuf_str(&sum);
    p.detail = dynbuf_str(&det);
    return fs_replace_file_with(path, 0600, write_result, &p, err);
}
