/* SPDX-License-Identifier: MulanPSL-2.0 */
#include <dirent.h>
#include <errno.h>
#include <json-c/json.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "catalogphys.h"
#include "command.h"
#include "fs.h"
#include "banned.h"

#define VERSION_64BIT_XID 91208
#define LIST_MAX          (16u << 20)

DEFINE_TRIVIAL_CLEANUP_FUNC(json_object *, json_object_put)

static const char *const dirs_base[] = {"global", "pg_clog", "pg_csnlog"};
static const char *const dirs_64bit_xid[] = {"pg_multixact", "pg_replslot", "pg_notify",
                                             "pg_subtrans", "pg_twophase"};

/* The relations of the catalog: the system ones (below FirstNormalObjectId)
 * and the catalog schema's, their TOAST tables and TOAST indexes; one line,
 * paths separated by blanks (the list file takes blanks or newlines). */
const char catalogphys_list_sql[] =
    "WITH cat AS (SELECT c.oid, c.reltoastrelid FROM pg_catalog.pg_class c JOIN "
    "pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE c.oid < 16384 OR n.nspname = "
    "'og_catalog'), rels AS (SELECT oid FROM cat UNION SELECT reltoastrelid FROM cat WHERE "
    "reltoastrelid <> 0 UNION SELECT i.indexrelid FROM pg_catalog.pg_index i JOIN cat ON "
    "i.indrelid = cat.reltoastrelid) SELECT string_agg(p, ' ' ORDER BY p) FROM (SELECT "
    "pg_catalog.pg_relation_filepath(oid) AS p FROM rels) f WHERE p LIKE 'base/%'";

static bool is_segment(const char *name)
{
    return strlen(name) == 24 && strspn(name, "0123456789ABCDEF") == 24;
}

/* The i-th directory backed up; old kernels before 64-bit xids add five. */
static const char *dir_at(size_t i, int old_number)
{
    if (i < ELEMENTSOF(dirs_base))
        return dirs_base[i];
    i -= ELEMENTSOF(dirs_base);
    return i < ELEMENTSOF(dirs_64bit_xid) && old_number < VERSION_64BIT_XID ? dirs_64bit_xid[i]
                                                                            : NULL;
}

/* ---- WAL --------------------------------------------------------------------------- */

static int redo_file(const char *app, const char *datadir, char *buf, size_t size,
                     struct og_error *err)
{
    static const char key[] = "Latest checkpoint's REDO WAL file:";
    char bin[PATH_MAX + 32];
    _cleanup_command_ struct command *c = NULL;
    struct command_result res = {0};
    const char *p;
    int r;

    snprintf(bin, sizeof(bin), "%s/bin/pg_controldata", app);
    c = command_newl(bin, datadir, NULL);
    if (!c)
        return og_error_set(err, OG_E_NOMEM, "pg_controldata");
    command_set_timeout_ms(c, 60 * 1000);
    r = command_run_ok(c, &res, err); /* LC_ALL=C: the English labels */
    p = r == 0 ? strstr(res.out, key) : NULL;
    if (r == 0 && !p)
        r = og_error_set(err, OG_E_CONTENT_INVALID, "%s %s: no \"%s\" line", bin, datadir, key);
    if (r == 0) {
        p += strlen(key);
        p += strspn(p, " \t");
        snprintf(buf, size, "%.*s", (int)strcspn(p, " \t\n"), p);
        if (!is_segment(buf))
            r = og_error_set(err, OG_E_CONTENT_INVALID, "%s %s: REDO WAL file \"%s\"", bin, datadir,
                             buf);
    }
    command_result_done(&res);
    return r;
}

static int backup_xlog(const char *app, const char *datadir, struct og_error *err)
{
    char xdir[PATH_MAX], info[PATH_MAX + 64], redo[64];
    _cleanup_(json_object_putp) json_object *o = json_object_new_object();
    json_object *list = json_object_new_array();
    DIR *d;
    struct dirent *de;
    const char *text;
    int r;

    snprintf(xdir, sizeof(xdir), "%s/pg_xlog", datadir);
    snprintf(info, sizeof(info), "%s/%s", xdir, CATALOGPHYS_XLOG_INFO);
    if (!o || !list) {
        json_object_put(list);
        return og_error_set(err, OG_E_NOMEM, "xlog backup info");
    }
    json_object_object_add(o, "backup_xlog_list", list);
    r = redo_file(app, datadir, redo, sizeof(redo), err);
    if (r < 0)
        return r;
    json_object_object_add(o, "latest_checkpoint_redo_xlog_file", json_object_new_string(redo));
    d = opendir(xdir);
    if (!d)
        return og_error_set_errno(err, OG_E_READ_FAILED, errno, "Failed to read %s.", xdir);
    while (r == 0 && (de = readdir(d))) {
        char s[PATH_MAX + 64], t[PATH_MAX + 96];
        if (!is_segment(de->d_name) || strcmp(de->d_name, redo) < 0)
            continue;
        snprintf(s, sizeof(s), "%s/%s", xdir, de->d_name);
        snprintf(t, sizeof(t), "%s%s", s, CATALOGPHYS_XLOG_SUFFIX);
        r = fs_copy_tree_unsynced(s, t, err);
        json_object_array_add(list, json_object_new_string(de->d_name));
    }
    closedir(d);
    if (r == 0 && json_object_array_length(list) == 0)
        r = og_error_set(err, OG_E_NOT_EXIST, "There is no xlog to backup in %s.", xdir);
    text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
    if (r == 0)
        r = fs_replace_file(info, text, strlen(text), 0600, err);
    return r;
}

static int restore_xlog(const char *datadir, struct og_error *err)
{
    char xdir[PATH_MAX], info[PATH_MAX + 64];
    _cleanup_free_ char *text = NULL;
    _cleanup_(json_object_putp) json_object *o = NULL;
    json_object *redo, *list;
    DIR *d;
    struct dirent *de;
    int r;

    snprintf(xdir, sizeof(xdir), "%s/pg_xlog", datadir);
    snprintf(info, sizeof(info), "%s/%s", xdir, CATALOGPHYS_XLOG_INFO);
    r = fs_read_file(info, 1 << 20, &text, NULL, err);
    if (r < 0)
        return r;
    o = json_tokener_parse(text);
    if (!o || !json_object_object_get_ex(o, "latest_checkpoint_redo_xlog_file", &redo) ||
        !json_object_object_get_ex(o, "backup_xlog_list", &list) ||
        !json_object_is_type(list, json_type_array))
        return og_error_set(err, OG_E_CONTENT_INVALID, "The %s is invalid.", info);
    /* the WAL written since the backup goes first */
    d = opendir(xdir);
    if (!d)
        return og_error_set_errno(err, OG_E_READ_FAILED, errno, "Failed to read %s.", xdir);
    while ((de = readdir(d))) {
        char s[PATH_MAX + 64];
        if (!is_segment(de->d_name) || strcmp(de->d_name, json_object_get_string(redo)) < 0)
            continue;
        snprintf(s, sizeof(s), "%s/%s", xdir, de->d_name);
        if (unlink(s) < 0 && errno != ENOENT) {
            r = og_error_set_errno(err, OG_E_IO, errno, "Failed to remove %s.", s);
            break;
        }
    }
    closedir(d);
    for (size_t i = 0; r == 0 && i < json_object_array_length(list); i++) {
        const char *seg = json_object_get_string(json_object_array_get_idx(list, i));
        char s[PATH_MAX + 96], t[PATH_MAX + 64];
        if (!seg || !is_segment(seg))
            return og_error_set(err, OG_E_CONTENT_INVALID, "The %s is invalid.", info);
        snprintf(t, sizeof(t), "%s/%s", xdir, seg);
        snprintf(s, sizeof(s), "%s%s", t, CATALOGPHYS_XLOG_SUFFIX);
        if (access(s, F_OK) != 0)
            return og_error_set(err, OG_E_NOT_EXIST, "The %s does not exist.", s);
        r = fs_copy_tree_unsynced(s, t, err);
    }
    return r;
}

/* ---- base ----------------------------------------------------------------------------- */

/* One database directory's names, sorted: the list names every catalog
 * relation of a database in a row, so each directory is read once, not once
 * a relation (about 300 relations of about 300 files each). */
struct dirnames {
    char dir[PATH_MAX];
    char **names;
    size_t n;
};

static void dirnames_clear(struct dirnames *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->names[i]);
    free(l->names);
    *l = (struct dirnames){0};
}

static int dirnames_load(struct dirnames *l, const char *dir, struct og_error *err)
{
    DIR *d;
    struct dirent *de;
    size_t cap = 0;
    int r = 0;

    dirnames_clear(l);
    d = opendir(dir);
    if (!d)
        return og_error_set_errno(err, OG_E_READ_FAILED, errno, "Failed to read %s.", dir);
    while (r == 0 && (de = readdir(d))) {
        if (de->d_name[0] == '.')
            continue;
        if (l->n == cap) {
            char **g = realloc(l->names, (cap = cap ? 2 * cap : 512) * sizeof(*g));
            if (!g) {
                r = og_error_set(err, OG_E_NOMEM, "reading %s", dir);
                break;
            }
            l->names = g;
        }
        if (!(l->names[l->n] = strdup(de->d_name)))
            r = og_error_set(err, OG_E_NOMEM, "reading %s", dir);
        else
            l->n++;
    }
    closedir(d);
    if (r < 0) {
        dirnames_clear(l);
        return r;
    }
    qsort(l->names, l->n, sizeof(*l->names), strv_cmp);
    snprintf(l->dir, sizeof(l->dir), "%s", dir);
    return 0;
}

/* The first name not below key. */
static size_t dirnames_lower(const struct dirnames *l, const char *key)
{
    size_t lo = 0, hi = l->n;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(l->names[mid], key) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static int copy_to_bak(const char *dir, const char *name, struct og_error *err)
{
    char s[PATH_MAX + 256], t[PATH_MAX + 264];

    snprintf(s, sizeof(s), "%s/%s", dir, name);
    snprintf(t, sizeof(t), "%s_bak", s);
    return fs_copy_tree_unsynced(s, t, err);
}

/* rel (base/<db>/<filenode>): the file, its forks (_fsm, _vm, _init) and
 * segments (.1 ...) to <name>_bak; the directory's pg_filenode.map and
 * pg_internal.init when it is first read. */
static int backup_rel(const char *datadir, const char *rel, struct dirnames *l,
                      struct og_error *err)
{
    static const char *const maps[] = {"pg_filenode.map", "pg_internal.init"};
    char dir[PATH_MAX];
    const char *slash = strrchr(rel, '/'), *node;
    size_t k;
    int r = 0;

    if (!slash || strncmp(rel, "base/", 5) != 0 || strstr(rel, "..") ||
        strspn(slash + 1, "0123456789") != strlen(slash + 1) || !slash[1])
        return og_error_set(err, OG_E_CONTENT_INVALID, "catalog file \"%s\"", rel);
    node = slash + 1;
    k = strlen(node);
    snprintf(dir, sizeof(dir), "%s/%.*s", datadir, (int)(slash - rel), rel);
    if (strcmp(dir, l->dir) != 0) {
        r = dirnames_load(l, dir, err);
        for (size_t i = 0; r == 0 && i < ELEMENTSOF(maps); i++) {
            size_t at = dirnames_lower(l, maps[i]);
            if (at < l->n && strcmp(l->names[at], maps[i]) == 0)
                r = copy_to_bak(dir, maps[i], err);
        }
    }
    for (size_t i = dirnames_lower(l, node); r == 0 && i < l->n; i++) {
        const char *n = l->names[i];
        if (strncmp(n, node, k) != 0)
            break;
        if (n[k] == '\0' || ((n[k] == '_' || n[k] == '.') && !strstr(n, "_bak")))
            r = copy_to_bak(dir, n, err);
    }
    return r;
}

/* A fork or segment of a backed-up relation (<node>_bak there) that has
 * no backup of its own was made after the backup: gone with the restore
 * (a free space or visibility map left over would describe pages that are
 * no longer there). */
static int drop_new_forks(const char *dir, struct og_error *err)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    int r = 0;

    if (!d)
        return 0;
    while (r == 0 && (de = readdir(d))) {
        const char *n = de->d_name;
        size_t k = strspn(n, "0123456789");
        char main_bak[PATH_MAX + 320], own_bak[PATH_MAX + 320], path[PATH_MAX + 320];
        if (k == 0 || (n[k] != '_' && n[k] != '.') || strstr(n, "_bak"))
            continue;
        snprintf(main_bak, sizeof(main_bak), "%s/%.*s_bak", dir, (int)k, n);
        snprintf(own_bak, sizeof(own_bak), "%s/%s_bak", dir, n);
        snprintf(path, sizeof(path), "%s/%s", dir, n);
        if (access(main_bak, F_OK) == 0 && access(own_bak, F_OK) != 0 && unlink(path) < 0 &&
            errno != ENOENT)
            r = og_error_set_errno(err, OG_E_IO, errno, "Failed to remove %s.", path);
    }
    closedir(d);
    return r;
}

/* Every base/<db>/<name>_bak back to <name> (remove: drop the _bak). */
static int walk_base_bak(const char *datadir, bool restore, struct og_error *err)
{
    char base[PATH_MAX];
    DIR *b;
    struct dirent *db;
    int r = 0;

    snprintf(base, sizeof(base), "%s/base", datadir);
    b = opendir(base);
    if (!b)
        return og_error_set_errno(err, OG_E_READ_FAILED, errno, "Failed to read %s.", base);
    while (r == 0 && (db = readdir(b))) {
        char dir[PATH_MAX + 256];
        DIR *d;
        struct dirent *de;
        if (db->d_name[0] == '.')
            continue;
        snprintf(dir, sizeof(dir), "%s/%s", base, db->d_name);
        if (!(d = opendir(dir)))
            continue;
        while (r == 0 && (de = readdir(d))) {
            size_t len = strlen(de->d_name);
            char s[PATH_MAX + 512], t[PATH_MAX + 512];
            if (len < 5 || strcmp(de->d_name + len - 4, "_bak") != 0)
                continue;
            snprintf(s, sizeof(s), "%s/%s", dir, de->d_name);
            snprintf(t, sizeof(t), "%s/%.*s", dir, (int)(len - 4), de->d_name);
            if (restore)
                r = fs_copy_tree_unsynced(s, t, err);
            else if (unlink(s) < 0 && errno != ENOENT)
                r = og_error_set_errno(err, OG_E_IO, errno, "Failed to remove %s.", s);
        }
        closedir(d);
        if (r == 0 && restore)
            r = drop_new_forks(dir, err);
    }
    closedir(b);
    return r;
}

/* ---- the three actions ------------------------------------------------------------------ */

/* Everything copied unsynced so far made durable: the data directory's file
 * system and pg_xlog's (a link to another file system in some layouts). */
static int sync_datadir(const char *datadir, struct og_error *err)
{
    char xdir[PATH_MAX];
    int r = fs_syncfs(datadir, err);

    snprintf(xdir, sizeof(xdir), "%s/pg_xlog", datadir);
    return r == 0 ? fs_syncfs(xdir, err) : r;
}

int catalogphys_backup(const char *app, const char *datadir, const char *list, int old_number,
                       struct og_error *err)
{
    _cleanup_free_ char *text = NULL;
    _cleanup_(dirnames_clear) struct dirnames names = {0};
    char *save = NULL, mark[PATH_MAX + 32], done[PATH_MAX + 32];
    int r = 0;

    snprintf(mark, sizeof(mark), "%s/%s", datadir, CATALOGPHYS_RESTORED);
    snprintf(done, sizeof(done), "%s/%s", datadir, CATALOGPHYS_BACKED_UP);
    if (unlink(mark) < 0 && errno != ENOENT) /* a new backup: not restored yet */
        return og_error_set_errno(err, OG_E_IO, errno, "Failed to remove %s.", mark);
    if (access(done, F_OK) == 0)
        return 0; /* taken once, whole */
    /* no mark: nothing of an earlier attempt is trusted, all is copied again
     * (the datanode is stopped, its files are those of the first attempt) */
    for (size_t i = 0; r == 0 && dir_at(i, old_number); i++) {
        char s[PATH_MAX], t[PATH_MAX + 8], tmp[PATH_MAX + 16];
        snprintf(s, sizeof(s), "%s/%s", datadir, dir_at(i, old_number));
        snprintf(t, sizeof(t), "%s_bak", s);
        snprintf(tmp, sizeof(tmp), "%s_bak.tmp", s);
        if (access(s, F_OK) != 0)
            continue; /* a directory this kernel lacks */
        r = fs_remove_tree(tmp, err);
        if (r == 0)
            r = fs_remove_tree(t, err);
        if (r == 0)
            r = fs_copy_tree_unsynced(s, tmp, err);
        if (r == 0 && rename(tmp, t) < 0)
            r = og_error_set_errno(err, OG_E_IO, errno, "Failed to rename %s.", tmp);
    }
    if (r == 0)
        r = backup_xlog(app, datadir, err);
    if (r == 0)
        r = fs_read_file(list, LIST_MAX, &text, NULL, err);
    for (char *l = r == 0 ? strtok_r(text, " \n", &save) : NULL; r == 0 && l;
         l = strtok_r(NULL, " \n", &save))
        if (*l)
            r = backup_rel(datadir, l, &names, err);
    if (r == 0)
        r = sync_datadir(datadir, err);
    if (r == 0)
        r = fs_replace_file(done, "", 0, 0600, err);
    return r;
}

int catalogphys_restore(const char *datadir, struct og_error *err)
{
    char mark[PATH_MAX + 32], info[PATH_MAX + 64];
    int r = 0;

    /* put back and cleaned by an earlier rollback (--force that left another
     * node out, then the auto-rollback finishing it): nothing to do here --
     * the instance may have run since, its files are not to be touched */
    snprintf(mark, sizeof(mark), "%s/%s", datadir, CATALOGPHYS_RESTORED);
    snprintf(info, sizeof(info), "%s/pg_xlog/%s", datadir, CATALOGPHYS_XLOG_INFO);
    if (access(mark, F_OK) == 0 && access(info, F_OK) != 0)
        return 0;
    /* idempotent: a restore cut short is done again from the same backup */
    for (size_t i = 0; r == 0 && dir_at(i, 0); i++) {
        const char *name = dir_at(i, 0);
        char s[PATH_MAX], t[PATH_MAX + 8];
        snprintf(s, sizeof(s), "%s/%s", datadir, name);
        snprintf(t, sizeof(t), "%s_bak", s);
        if (access(t, F_OK) == 0)
            r = fs_copy_tree_unsynced(t, s, err);
    }
    if (r == 0)
        r = restore_xlog(datadir, err);
    if (r == 0)
        r = walk_base_bak(datadir, true, err);
    if (r == 0)
        r = sync_datadir(datadir, err);
    if (r == 0)
        r = fs_replace_file(mark, "", 0, 0600, err);
    return r;
}

int catalogphys_clean(const char *datadir, struct og_error *err)
{
    char xdir[PATH_MAX], done[PATH_MAX + 32];
    DIR *d;
    struct dirent *de;
    int r = 0;

    /* the mark first: a clean cut short leaves no backup claimed whole */
    snprintf(done, sizeof(done), "%s/%s", datadir, CATALOGPHYS_BACKED_UP);
    if (unlink(done) < 0 && errno != ENOENT)
        return og_error_set_errno(err, OG_E_IO, errno, "Failed to remove %s.", done);

    for (size_t i = 0; r == 0 && dir_at(i, 0); i++) {
        const char *name = dir_at(i, 0);
        char t[PATH_MAX + 16];
        snprintf(t, sizeof(t), "%s/%s_bak", datadir, name);
        r = fs_remove_tree(t, err);
        if (r == 0) {
            snprintf(t, sizeof(t), "%s/%s_bak.tmp", datadir, name);
            r = fs_remove_tree(t, err);
        }
    }
    snprintf(xdir, sizeof(xdir), "%s/pg_xlog", datadir);
    d = r == 0 ? opendir(xdir) : NULL;
    while (d && r == 0 && (de = readdir(d))) {
        size_t len = strlen(de->d_name), sl = strlen(CATALOGPHYS_XLOG_SUFFIX);
        char s[PATH_MAX + 256];
        if (strcmp(de->d_name, CATALOGPHYS_XLOG_INFO) != 0 &&
            (len <= sl || strcmp(de->d_name + len - sl, CATALOGPHYS_XLOG_SUFFIX) != 0))
            continue;
        snprintf(s, sizeof(s), "%s/%s", xdir, de->d_name);
        if (unlink(s) < 0 && errno != ENOENT)
            r = og_error_set_errno(err, OG_E_IO, errno, "Failed to remove %s.", s);
    }
    if (d)
        closedir(d);
    if (r == 0)
        r = walk_base_bak(datadir, false, err);
    return r;
}
