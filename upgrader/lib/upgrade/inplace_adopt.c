/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * inplace_adopt.c - taking over a binary_upgrade directory that openGauss's
 * own gs_upgradectl (in-place, <= 5.x) laid down and left unfinished, so that
 * ogup resumes or rolls it back instead of refusing it.
 *
 * What openGauss leaves (openGauss-OM v5.0.0; reference §4.1):
 *   upgrade_step.dat          "inplace-binary-upgrade:<n>", n in 0 2 3 4 5 6
 *   record_app_directory      old app, new app (one a line)
 *   old_upgrade_version       the old app's bin/upgrade_version
 *   inplace_upgrade_flag      newClusterNumber:/oldClusterNumber:
 *   touch_init_flag           before the catalog SQL (UpgradeImpl.py :3158)
 *   parameter_<HOSTNAME>.tar  Local_Backup -p: parameter_<HOSTNAME>/<id>_<conf>
 *                             (script/local/Backup.py v5.0.0 :96, :240-355)
 *   binary_<HOSTNAME>.tar     Local_Backup -b: the old app
 *   flat copies of what the app carries (UpgradeUtility.py backupConfig
 *   :1283-1460): *cluster_static_config*, cluster_dynamic_config,
 *   gscgroup_*.cfg, pg_plugin/, *.key.cipher, *.key.rand, ...
 *   oldClusterDBAndRel/dn_db_and_catalog_info_<inst>.json  {"dblist": [
 *                             {"dbname", "dboid", "spclocation",
 *                              "CatalogList": [{"relfilenode", ...}]}]}
 *
 * Adoption converts, on every node, openGauss's backups into ogup's layout
 * (backup/NAME.conf, backup/app/..., ogup_catalog_files) beside them, and
 * writes ogup's step record from upgrade_step.dat:
 *   0 -> record, 2 -> stop-cluster, 3 -> backup, 4 -> install (each begun),
 *   5 -> start (large, $GAUSSHOME still on the old app), switch-bin (small,
 *        or $GAUSSHOME already on the new app: the catalog SQL ran),
 *   6 -> pre-commit done.
 */
#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <json-c/json.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "appinstall.h"
#include "tarball.h"
#include "fs.h"
#include "inplace_int.h"
#include "journal.h"
#include "banned.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(json_object *, json_object_put)

/* parameter_<host>.tar: <id>_<name>.conf -> backup/<name>.conf (kept if there) */
static int adopt_parameters(const char *dir, const char *tar, struct og_error *err)
{
    char tmp[PATH_MAX], backup[PATH_MAX];
    int r;

    snprintf(tmp, sizeof(tmp), "%s/.ogup-adopt", dir);
    snprintf(backup, sizeof(backup), "%s/backup", dir);
    r = fs_remove_tree(tmp, err);
    if (r == 0)
        r = fs_mkdir_p(tmp, 0700, err);
    if (r == 0)
        r = tarball_extract(tar, tmp, err);
    if (r == 0)
        r = fs_mkdir_p(backup, 0700, err);
    if (r == 0) {
        DIR *top = opendir(tmp);
        struct dirent *sub;
        while (r == 0 && top && (sub = readdir(top))) {
            char sd[PATH_MAX + 256];
            DIR *d;
            struct dirent *de;
            if (strncmp(sub->d_name, "parameter_", 10) != 0)
                continue;
            snprintf(sd, sizeof(sd), "%s/%s", tmp, sub->d_name);
            if (!(d = opendir(sd)))
                continue;
            while (r == 0 && (de = readdir(d))) {
                const char *us = strchr(de->d_name, '_');
                char s[PATH_MAX + 512], t[PATH_MAX + 300];
                size_t len = strlen(de->d_name);
                if (!us || len < 6 || strcmp(de->d_name + len - 5, ".conf") != 0 ||
                    strspn(de->d_name, "0123456789") != (size_t)(us - de->d_name))
                    continue;
                snprintf(s, sizeof(s), "%s/%s", sd, de->d_name);
                snprintf(t, sizeof(t), "%s/%s", backup, us + 1);
                r = fs_copy_tree(s, t, true, err);
            }
            closedir(d);
        }
        if (top)
            closedir(top);
    }
    fs_remove_tree(tmp, NULL);
    return r;
}

/* The flat copies of the carried files -> backup/app/<dir>/<name>: each
 * carried entry (appinstall.h) is found by the last part of its path. */
static int adopt_carried(const char *dir, struct og_error *err)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    int r = 0;

    if (!d)
        return og_error_set_errno(err, OG_E_READ_FAILED, errno, "Failed to read %s.", dir);
    while (r == 0 && (de = readdir(d)))
        for (size_t i = 0; r == 0 && i < appinstall_carried_count(); i++) {
            const char *rel = appinstall_carried_at(i), *base = strrchr(rel, '/');
            char s[PATH_MAX + 256], t[PATH_MAX + 512];
            if (!base || fnmatch(base + 1, de->d_name, 0) != 0)
                continue;
            snprintf(s, sizeof(s), "%s/%s", dir, de->d_name);
            snprintf(t, sizeof(t), "%s/backup/app/%.*s/%s", dir, (int)(base - rel), rel,
                     de->d_name);
            r = fs_copy_tree(s, t, true, err);
            break;
        }
    closedir(d);
    return r;
}

/* dn_db_and_catalog_info_*.json -> ogup_catalog_files (base/<dboid>/<relfilenode>) */
static int adopt_catalog_list(const char *dir, struct og_error *err)
{
    char jdir[PATH_MAX], out[PATH_MAX + 64];
    _cleanup_dynbuf_ struct dynbuf list = {0};
    DIR *d;
    struct dirent *de;
    int r = 0;

    dynbuf_init(&list, 16u << 20);
    snprintf(jdir, sizeof(jdir), "%s/oldClusterDBAndRel", dir);
    snprintf(out, sizeof(out), "%s/%s", dir, INPLACE_CATALOG_LIST);
    if (access(out, F_OK) == 0 || !(d = opendir(jdir)))
        return 0;
    while (r == 0 && (de = readdir(d))) {
        char p[PATH_MAX + 256];
        _cleanup_free_ char *text = NULL;
        _cleanup_(json_object_putp) json_object *o = NULL;
        json_object *dbs;
        if (fnmatch("dn_db_and_catalog_info_*.json", de->d_name, 0) != 0)
            continue;
        snprintf(p, sizeof(p), "%s/%s", jdir, de->d_name);
        r = fs_read_file(p, 64u << 20, &text, NULL, err);
        if (r < 0)
            break;
        o = json_tokener_parse(text);
        if (!o || !json_object_object_get_ex(o, "dblist", &dbs) ||
            !json_object_is_type(dbs, json_type_array)) {
            r = og_error_set(err, OG_E_CONTENT_INVALID, "The %s is invalid.", p);
            break;
        }
        for (size_t i = 0; r == 0 && i < json_object_array_length(dbs); i++) {
            json_object *db = json_object_array_get_idx(dbs, i), *oid, *spc, *cats;
            if (!json_object_object_get_ex(db, "dboid", &oid) ||
                !json_object_object_get_ex(db, "CatalogList", &cats) ||
                (json_object_object_get_ex(db, "spclocation", &spc) &&
                 json_object_get_string_len(spc) > 0))
                continue; /* a tablespace elsewhere: not in base/ */
            for (size_t k = 0; r == 0 && k < json_object_array_length(cats); k++) {
                json_object *rf;
                if (!json_object_object_get_ex(json_object_array_get_idx(cats, k), "relfilenode",
                                               &rf) ||
                    json_object_get_int(rf) <= 0)
                    continue;
                if (dynbuf_appendf(&list, "base/%d/%d\n", json_object_get_int(oid),
                                   json_object_get_int(rf)) < 0)
                    r = og_error_set(err, OG_E_TOO_LARGE, "catalog file list");
            }
        }
    }
    closedir(d);
    if (r == 0 && list.len)
        r = fs_replace_file(out, list.buf, list.len, 0600, err);
    return r;
}

int inplace_adopt_local(const char *dir, struct og_error *err)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    int r = 0;

    if (!d)
        return og_error_set_errno(err, OG_E_NOT_EXIST, errno, "The %s does not exist.", dir);
    while (r == 0 && (de = readdir(d))) {
        char p[PATH_MAX + 256];
        if (fnmatch("parameter_*.tar", de->d_name, 0) != 0)
            continue;
        snprintf(p, sizeof(p), "%s/%s", dir, de->d_name);
        r = adopt_parameters(dir, p, err);
    }
    closedir(d);
    if (r == 0)
        r = adopt_carried(dir, err);
    if (r == 0)
        r = adopt_catalog_list(dir, err);
    return r;
}

/* The engine step an openGauss step number resumes at. */
static int step_for(struct inplace *u, int og_step, bool switched, int *index,
                    enum engine_state *state)
{
    const char *name;

    *state = ENGINE_BEGIN;
    switch (og_step) {
    case 0:
        name = "record";
        break;
    case 2:
        name = "stop-cluster";
        break;
    case 3:
        name = "backup";
        break;
    case 4:
        name = "install";
        break;
    case 5:
        name = u->large && !switched ? "start" : "switch-bin";
        break;
    case 6:
        name = "pre-commit";
        *state = ENGINE_DONE;
        break;
    default:
        return -1;
    }
    *index = engine_step_index(&inplace_plan, name);
    return *index;
}

int inplace_adopt(struct inplace *u, const struct inplace_record *rec, struct inplace_record *ret,
                  struct og_error *err)
{
    _cleanup_journal_ struct journal *j = NULL;
    const char *verb[] = {"adopt-backup", u->dir, NULL};
    struct journal_dat dat;
    char real[PATH_MAX];
    bool switched;
    int r, index = -1;
    enum engine_state state;

    r = journal_open(u->dir, &j, err);
    if (r == 0)
        r = journal_read_dat(j, &dat, err);
    if (r < 0)
        return r;
    switched = realpath(u->cfg->app_path, real) && strcmp(real, u->new_app) == 0;
    if (strcmp(dat.action, INPLACE_ACTION) != 0 ||
        step_for(u, dat.step, switched, &index, &state) < 0)
        return og_error_set(err, OG_E_UPGRADE_UNFINISHED,
                            "Upgrade is not finished, cannot do another task: %s holds a %s "
                            "journal at step %d that ogup cannot take over; roll it back with "
                            "the tool that wrote it.",
                            u->dir, dat.action, dat.step);
    inplace_say(u,
                "Taking over the journal openGauss's gs_upgradectl left (%s:%d): ogup "
                "continues at step %s.",
                dat.action, dat.step, inplace_plan.steps[index].name);
    r = worker_run_all(&u->w, u->nodes, u->n_nodes, verb, NULL, 0, NULL, err);
    if (r == 0)
        r = inplace_record_step(u, index, state, false, err);
    /* its configuration backup complete (openGauss's step 3 done) */
    if (r == 0 && index > engine_step_index(&inplace_plan, "backup"))
        r = inplace_journal_put(u, INPLACE_BACKUP_DONE, "", err);
    if (r < 0)
        return r;
    *ret = *rec;
    ret->has_step = true;
    ret->index = index;
    ret->state = state;
    ret->undoing = false;
    return 0;
}
