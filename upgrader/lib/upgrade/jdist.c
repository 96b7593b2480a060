/* SPDX-License-Identifier: MulanPSL-2.0 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-c/json.h>

#include "clusterconfig.h"
#include "failpoint.h"
#include "fs.h"
#include "jdist.h"
#include "banned.h"

/* Journal files are small: a node that does not take one in a minute is
 * not answering (a cut network), not busy. */
static const struct worker *journal_worker(const struct worker *w, struct worker *copy)
{
    *copy = *w;
    if (!copy->timeout_ms)
        copy->timeout_ms = WORKER_JOURNAL_MS;
    return copy;
}

static const struct failpoint_def jdist_points[] = {
    {JDIST_FP_AFTER_LOCAL, "a journal file written on this node, not yet copied to the others"},
};

void jdist_register_failpoints(void)
{
    static bool done;

    if (!done && failpoint_register_all(jdist_points, ELEMENTSOF(jdist_points)) == 0)
        done = true;
}

static bool plain_name(const char *name)
{
    return name[0] && name[0] != '.' && !strchr(name, '/');
}

int jdist_push_file(const struct worker *w, const char *const *nodes, size_t n, const char *dir,
                    const char *name, struct og_error *err)
{
    struct worker jw;
    _cleanup_free_ char *text = NULL;
    char path[PATH_MAX];
    size_t len = 0;
    int r;

    if (n == 0)
        return 0;
    if (!plain_name(name))
        return og_error_set(err, OG_E_INVALID_ARG, "journal file name \"%s\"", name);
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    r = fs_read_file(path, JOURNAL_CARRIED_MAX, &text, &len, err);
    if (r < 0)
        return r;
    {
        const char *verb[] = {"put", path, "0600", NULL};
        return worker_run_all(journal_worker(w, &jw), nodes, n, verb, text, len, NULL, err);
    }
}

int jdist_push_dir(const struct worker *w, const char *const *nodes, size_t n, const char *dir,
                   struct og_error *err)
{
    _cleanup_closedir_ DIR *d = opendir(dir);
    struct dirent *de;
    int r = 0;

    if (!d)
        return og_error_set_errno(err, OG_E_NOT_EXIST, errno, "The %s does not exist.", dir);
    while (r == 0 && (de = readdir(d))) {
        char p[PATH_MAX];
        struct stat st;
        if (!plain_name(de->d_name))
            continue;
        snprintf(p, sizeof(p), "%s/%s", dir, de->d_name);
        if (lstat(p, &st) == 0 && S_ISREG(st.st_mode))
            r = jdist_push_file(w, nodes, n, dir, de->d_name, err);
    }
    return r;
}

static int remove_on(const struct worker *w, const char *const *nodes, size_t n, const char *dir,
                     const char *name, struct og_error *err)
{
    struct worker jw;
    char path[PATH_MAX];
    const char *verb[] = {"rm", path, NULL};

    if (name)
        snprintf(path, sizeof(path), "%s/%s", dir, name);
    else
        snprintf(path, sizeof(path), "%s", dir);
    return worker_run_all(journal_worker(w, &jw), nodes, n, verb, NULL, 0, NULL, err);
}

/* A file the journal orders (journal_managed_files) is removed as it is
 * written: with the next generation, a tombstone in the manifest, which
 * reaches the nodes after the removal (torn between: the removal is undone
 * by the next reconciliation, never a disagreement). */
int jdist_remove(const struct worker *w, const char *const *nodes, size_t n, const char *dir,
                 const char *name, struct og_error *err)
{
    bool ordered = name && journal_managed_index(name) >= 0 && access(dir, F_OK) == 0;
    unsigned long long gen = 0;
    int r;

    if (n == 0)
        return 0;
    if (name && !plain_name(name))
        return og_error_set(err, OG_E_INVALID_ARG, "journal file name \"%s\"", name);
    r = ordered ? journal_manifest_next(dir, &gen, err) : 0;
    if (r == 0)
        r = remove_on(w, nodes, n, dir, name, err);
    if (r == 0 && ordered)
        r = journal_manifest_note(dir, &name, 1, gen, err);
    if (r == 0 && ordered) {
        /* written here already: to the others */
        const char *others[CLUSTER_MAX_NODES];
        size_t k = 0;
        for (size_t i = 0; i < n && k < CLUSTER_MAX_NODES; i++) {
            bool local = false;
            if (transport_node_is_local(w->t, nodes[i], &local, NULL) < 0 || !local)
                others[k++] = nodes[i];
        }
        r = jdist_push_file(w, others, k, dir, JOURNAL_MANIFEST_FILE, err);
    }
    return r;
}

/* One put-files argument pair: dir/name with its length, or "-" when it is
 * gone here; its content appended to in. */
static int record_member(const char *dir, const char *name, char *path, size_t path_size, char *len,
                         size_t len_size, struct dynbuf *in, struct og_error *err)
{
    _cleanup_free_ char *text = NULL;
    size_t n = 0;
    int r;

    snprintf(path, path_size, "%s/%s", dir, name);
    if (access(path, F_OK) != 0) {
        snprintf(len, len_size, "-");
        return 0;
    }
    r = fs_read_file(path, JOURNAL_CARRIED_MAX, &text, &n, err);
    if (r == 0 && dynbuf_append(in, text, n) < 0)
        r = og_error_set(err, OG_E_TOO_LARGE, "journal record over %u bytes", JOURNAL_DUMP_MAX);
    snprintf(len, len_size, "%zu", n);
    return r;
}

int jdist_put_record(const struct worker *w, const char *const *others, size_t n, const char *dir,
                     const char *const *names, size_t k, unsigned long long gen,
                     struct og_error *err)
{
    enum { MAX_FILES = 8 };
    char paths[MAX_FILES + 1][PATH_MAX], lens[MAX_FILES + 1][24];
    const char *verb[3 + 2 * (MAX_FILES + 1) + 1] = {"put-files", "0600"};
    _cleanup_dynbuf_ struct dynbuf in = {0};
    struct worker jw;
    size_t a = 2;
    int r;

    if (k > MAX_FILES)
        return og_error_set(err, OG_E_INVALID_ARG, "a journal record of %zu files", k);
    r = journal_manifest_note(dir, names, k, gen, err);
    if (r == 0)
        r = failpoint_hit(JDIST_FP_AFTER_LOCAL, err);
    if (r < 0 || n == 0)
        return r;
    /* the files, then the manifest: each node replaces them in this order */
    dynbuf_init(&in, JOURNAL_DUMP_MAX);
    for (size_t i = 0; r == 0 && i <= k; i++) {
        const char *name = i < k ? names[i] : JOURNAL_MANIFEST_FILE;
        if (!plain_name(name))
            return og_error_set(err, OG_E_INVALID_ARG, "journal file name \"%s\"", name);
        r = record_member(dir, name, paths[i], sizeof(paths[i]), lens[i], sizeof(lens[i]), &in,
                          err);
        verb[a++] = paths[i];
        verb[a++] = lens[i];
    }
    verb[a] = NULL;
    if (r == 0)
        r = worker_run_all(journal_worker(w, &jw), others, n, verb, in.buf ? in.buf : "", in.len,
                           NULL, err);
    return r;
}

int jdist_dump(const char *dir, struct dynbuf *out, struct og_error *err)
{
    _cleanup_closedir_ DIR *d = opendir(dir);
    json_object *root = json_object_new_object(), *files = json_object_new_object();
    struct dirent *de;
    int r = 0;

    if (!root || !files) {
        json_object_put(root);
        json_object_put(files);
        return og_error_set(err, OG_E_NOMEM, "journal dump");
    }
    json_object_object_add(root, "present", json_object_new_boolean(d != NULL));
    json_object_object_add(root, "files", files);
    if (!d && errno != ENOENT)
        r = og_error_set_errno(err, OG_E_READ_FAILED, errno, "Failed to read %s.", dir);
    while (r == 0 && d && (de = readdir(d))) {
        char p[PATH_MAX];
        struct stat st;
        _cleanup_free_ char *text = NULL;
        size_t len = 0;
        if (!plain_name(de->d_name))
            continue;
        snprintf(p, sizeof(p), "%s/%s", dir, de->d_name);
        if (lstat(p, &st) < 0 || !S_ISREG(st.st_mode))
            continue;
        r = fs_read_file(p, JOURNAL_CARRIED_MAX, &text, &len, err);
        if (r == 0)
            json_object_object_add(files, de->d_name, json_object_new_string_len(text, (int)len));
    }
    if (r == 0 &&
        dynbuf_appends(out, json_object_to_json_string_ext(root, JSON_C_TO_STRING_PLAIN)) < 0)
        r = og_error_set(err, OG_E_TOO_LARGE, "journal dump of %s", dir);
    json_object_put(root);
    return r;
}

int jdist_undump(const char *json, const char *dir, bool *present, struct og_error *err)
{
    json_object *root = json_tokener_parse(json), *p = NULL, *files = NULL;
    int r = 0;

    if (!root || !json_object_object_get_ex(root, "present", &p) ||
        !json_object_object_get_ex(root, "files", &files) ||
        !json_object_is_type(files, json_type_object)) {
        json_object_put(root);
        return og_error_set(err, OG_E_CONTENT_INVALID,
                            "The content of file journal dump is not correct.");
    }
    *present = json_object_get_boolean(p);
    if (*present)
        r = fs_mkdir_p(dir, 0700, err);
    json_object_object_foreach(files, name, val)
    {
        char path[PATH_MAX];
        if (r < 0)
            break;
        if (!plain_name(name) || !json_object_is_type(val, json_type_string)) {
            r = og_error_set(err, OG_E_CONTENT_INVALID, "journal dump: bad entry \"%s\"", name);
            break;
        }
        snprintf(path, sizeof(path), "%s/%s", dir, name);
        r = fs_replace_file(path, json_object_get_string(val),
                            (size_t)json_object_get_string_len(val), 0600, err);
    }
    json_object_put(root);
    return r;
}

/* Every node's copy of dir, unpacked under tmpl/<i>, and its view. */
static int load_views(const struct worker *jw, const char *const *nodes, size_t n, const char *dir,
                      const char *tmpl, struct journal_view *views, struct og_error *err)
{
    char *outs[CLUSTER_MAX_NODES] = {0};
    const char *verb[] = {"dump", dir, NULL};
    int r = worker_run_all(jw, nodes, n, verb, NULL, 0, outs, err);

    for (size_t i = 0; r == 0 && i < n; i++) {
        char sub[PATH_MAX + 16];
        bool present = false;
        snprintf(sub, sizeof(sub), "%s/%zu", tmpl, i);
        r = jdist_undump(outs[i], sub, &present, err);
        if (r == 0) /* a node without the directory: not present */
            r = journal_view_load(sub, nodes[i], &views[i], err);
    }
    for (size_t i = 0; i < n; i++)
        free(outs[i]);
    return r;
}

/* Put srcdir/name (a node's unpacked copy) to dir/name on node. */
static int put_from(const struct worker *jw, const char *node, const char *dir, const char *srcdir,
                    const char *name, struct og_error *err)
{
    _cleanup_free_ char *text = NULL;
    char src[PATH_MAX + 300], dst[PATH_MAX + 300];
    const char *one[] = {node}, *put[] = {"put", dst, "0600", NULL};
    size_t len = 0;
    int r;

    snprintf(src, sizeof(src), "%s/%s", srcdir, name);
    snprintf(dst, sizeof(dst), "%s/%s", dir, name);
    r = fs_read_file(src, JOURNAL_CARRIED_MAX, &text, &len, err);
    return r < 0 ? r : worker_run_all(jw, one, 1, put, text, len, NULL, err);
}

/* A node missing the directory first gets the files no generation orders
 * (the holder's: commitFlagFile, the catalog SQL of a grey run). */
static int put_unordered(const struct worker *jw, const char *node, const char *dir,
                         const char *holder, struct og_error *err)
{
    _cleanup_closedir_ DIR *d = opendir(holder);
    struct dirent *de;
    int r = 0;

    while (r == 0 && d && (de = readdir(d)))
        if (plain_name(de->d_name) && journal_managed_index(de->d_name) < 0 &&
            strcmp(de->d_name, JOURNAL_MANIFEST_FILE) != 0)
            r = put_from(jw, node, dir, holder, de->d_name, err);
    return r;
}

struct repair {
    const struct worker *jw;
    const char *dir;
    const char *tmpl;
    const struct journal_view *views;
    const struct journal_view *agreed;
    size_t holder;
    struct dynbuf manifest; /* the merged manifest */
};

/* Bring node i level with the agreed journal, file by file: each file
 * whose copy is not the newest, then the merged manifest last (killed
 * half-way, the node's copies that arrived are torn, still older: the next
 * run goes on). Never a whole directory: backup/ (which a dump does not
 * carry) stays. *changed: anything was sent. */
static int repair_node(const struct repair *rp, const char *node, size_t i, bool *changed,
                       struct og_error *err)
{
    const struct journal_view *v = &rp->views[i], *a = rp->agreed;
    const char *one[] = {node};
    char src[PATH_MAX + 16];
    int r = 0;

    *changed = false;
    if (!v->present) {
        snprintf(src, sizeof(src), "%s/%zu", rp->tmpl, rp->holder);
        r = put_unordered(rp->jw, node, rp->dir, src, err);
        *changed = true;
    }
    for (size_t f = 0; r == 0 && f < journal_n_managed; f++) {
        const char *name = journal_managed_files[f];
        if (v->present == true && v->has_file[f] == a->has_file[f] &&
            (!a->has_file[f] || v->digest[f] == a->digest[f]))
            continue;
        if (!v->present && !a->has_file[f])
            continue;
        *changed = true;
        snprintf(src, sizeof(src), "%s/%zu", rp->tmpl, a->from[f]);
        if (a->has_file[f]) {
            r = put_from(rp->jw, node, rp->dir, src, name, err);
        } else {
            char path[PATH_MAX + 300];
            const char *rm[] = {"rm", path, NULL};
            snprintf(path, sizeof(path), "%s/%s", rp->dir, name);
            r = worker_run_all(rp->jw, one, 1, rm, NULL, 0, NULL, err);
        }
    }
    if (r == 0 && (a->has_manifest || v->has_manifest) &&
        (!v->has_manifest ||
         v->manifest_digest != journal_digest(rp->manifest.buf, rp->manifest.len))) {
        char dst[PATH_MAX + 32];
        const char *put[] = {"put", dst, "0600", NULL};
        snprintf(dst, sizeof(dst), "%s/%s", rp->dir, JOURNAL_MANIFEST_FILE);
        r = worker_run_all(rp->jw, one, 1, put, rp->manifest.buf, rp->manifest.len, NULL, err);
        *changed = true;
    }
    return r;
}

static int repair_all(struct repair *rp, const char *const *nodes, size_t n,
                      unsigned long long *repaired, struct og_error *err)
{
    int r;

    dynbuf_init(&rp->manifest, 1 << 16);
    r = journal_manifest_format(&rp->agreed->manifest, &rp->manifest, err);
    for (size_t i = 0; i < n && rp->views[i].present == false; i++)
        rp->holder = i + 1;
    for (size_t i = 0; r == 0 && i < n; i++) {
        bool changed = false;
        r = repair_node(rp, nodes[i], i, &changed, err);
        if (r == 0 && changed && i < 64)
            *repaired |= 1ULL << i;
    }
    dynbuf_done(&rp->manifest);
    return r;
}

int jdist_reconcile_repair(const struct worker *w, const char *const *nodes, size_t n,
                           const char *dir, const char *scratch, bool repair,
                           struct journal_view *ret, unsigned long long *ret_repaired,
                           struct og_error *err)
{
    struct worker jw;
    _cleanup_free_ struct journal_view *views = NULL;
    unsigned long long repaired = 0;
    char tmpl[PATH_MAX];
    int r;

    if (n == 0 || n > CLUSTER_MAX_NODES)
        return og_error_set(err, OG_E_INVALID_ARG, "journal reconcile over %zu nodes", n);
    views = calloc(n, sizeof(*views));
    if (!views)
        return og_error_set(err, OG_E_NOMEM, "journal views");
    snprintf(tmpl, sizeof(tmpl), "%s/.ogup_journal_XXXXXX", scratch);
    if (!mkdtemp(tmpl))
        return og_error_set_errno(err, OG_E_CREATE_FAILED, errno, "Failed to create %s.", tmpl);
    r = load_views(journal_worker(w, &jw), nodes, n, dir, tmpl, views, err);
    if (r == 0)
        r = journal_reconcile(views, n, ret, err);
    if (r == 0 && repair && ret->present) {
        struct repair rp = {.jw = &jw, .dir = dir, .tmpl = tmpl, .views = views, .agreed = ret};
        r = repair_all(&rp, nodes, n, &repaired, err);
    }
    fs_remove_tree(tmpl, NULL);
    if (r == 0 && ret_repaired)
        *ret_repaired = repaired;
    return r;
}

int jdist_reconcile(const struct worker *w, const char *const *nodes, size_t n, const char *dir,
                    const char *scratch, bool repair, struct journal_view *ret,
                    struct og_error *err)
{
    return jdist_reconcile_repair(w, nodes, n, dir, scratch, repair, ret, NULL, err);
}
