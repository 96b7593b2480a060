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

int jdist_remove(const struct worker *w, const char *const *nodes, size_t n, const char *dir,
                 const char *name, struct og_error *err)
{
    struct worker jw;
    char path[PATH_MAX];
    const char *verb[] = {"rm", path, NULL};

    if (n == 0)
        return 0;
    if (name && !plain_name(name))
        return og_error_set(err, OG_E_INVALID_ARG, "journal file name \"%s\"", name);
    if (name)
        snprintf(path, sizeof(path), "%s/%s", dir, name);
    else
        snprintf(path, sizeof(path), "%s", dir);
    return worker_run_all(journal_worker(w, &jw), nodes, n, verb, NULL, 0, NULL, err);
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

int jdist_reconcile(const struct worker *w, const char *const *nodes, size_t n, const char *dir,
                    const char *scratch, bool repair, struct journal_view *ret,
                    struct og_error *err)
{
    struct worker jw;
    char *outs[CLUSTER_MAX_NODES] = {0};
    _cleanup_free_ struct journal_view *views = NULL;
    char tmpl[PATH_MAX];
    const char *verb[] = {"dump", dir, NULL};
    const char *missing[CLUSTER_MAX_NODES];
    size_t n_missing = 0, holder = 0;
    int r;

    if (n == 0 || n > CLUSTER_MAX_NODES)
        return og_error_set(err, OG_E_INVALID_ARG, "journal reconcile over %zu nodes", n);
    views = calloc(n, sizeof(*views));
    if (!views)
        return og_error_set(err, OG_E_NOMEM, "journal views");
    r = worker_run_all(journal_worker(w, &jw), nodes, n, verb, NULL, 0, outs, err);
    if (r < 0)
        return r;
    snprintf(tmpl, sizeof(tmpl), "%s/.ogup_journal_XXXXXX", scratch);
    if (!mkdtemp(tmpl)) {
        r = og_error_set_errno(err, OG_E_CREATE_FAILED, errno, "Failed to create %s.", tmpl);
        goto out;
    }
    for (size_t i = 0; r == 0 && i < n; i++) {
        char sub[PATH_MAX + 16];
        bool present = false;
        snprintf(sub, sizeof(sub), "%s/%zu", tmpl, i);
        r = jdist_undump(outs[i], sub, &present, err);
        if (r == 0)
            r = journal_view_load(sub, nodes[i], &views[i], err);
        if (r == 0 && !present)
            missing[n_missing++] = nodes[i];
        else if (r == 0 && views[holder].present == false)
            holder = i;
    }
    if (r == 0)
        r = journal_reconcile(views, n, ret, err);
    if (r == 0 && repair && ret->present && n_missing > 0) {
        char sub[PATH_MAX + 16];
        snprintf(sub, sizeof(sub), "%s/%zu", tmpl, holder);
        /* the agreed copy goes to the nodes that miss it: put creates dir */
        {
            _cleanup_closedir_ DIR *d = opendir(sub);
            struct dirent *de;
            while (r == 0 && d && (de = readdir(d))) {
                _cleanup_free_ char *text = NULL;
                char p[PATH_MAX + 300], dst[PATH_MAX + 300];
                size_t len = 0;
                if (!plain_name(de->d_name))
                    continue;
                snprintf(p, sizeof(p), "%s/%s", sub, de->d_name);
                snprintf(dst, sizeof(dst), "%s/%s", dir, de->d_name);
                r = fs_read_file(p, JOURNAL_CARRIED_MAX, &text, &len, err);
                if (r == 0) {
                    const char *put[] = {"put", dst, "0600", NULL};
                    r = worker_run_all(journal_worker(w, &jw), missing, n_missing, put, text, len,
                                       NULL, err);
                }
            }
        }
    }
    fs_remove_tree(tmpl, NULL);
out:
    for (size_t i = 0; i < n; i++)
        free(outs[i]);
    return r;
}
