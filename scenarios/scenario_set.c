/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * scenario_set.c - sets of scenarios: loaded from files and directories,
 * filtered, split into shards, repeated.
 */
#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cleanup.h"
#include "fs.h"
#include "scenario.h"
#include "banned.h"

/* ---- sets -------------------------------------------------------------------------------------
 */

/* Every *.xml below dir (recursively), appended to files. */
static int walk(const char *dir, char ***files, size_t *n, struct og_error *err)
{
    _cleanup_closedir_ DIR *d = opendir(dir);
    char **names = NULL;
    size_t n_names = 0;
    struct dirent *de;
    int r = 0;

    if (!d)
        return og_error_set_errno(err, OG_E_READ_FAILED, errno, "cannot read \"%s\"", dir);
    while ((de = readdir(d))) {
        char **nv;
        if (de->d_name[0] == '.')
            continue;
        nv = realloc(names, (n_names + 1) * sizeof(*names));
        if (!nv) {
            r = og_error_set(err, OG_E_NOMEM, "listing %s", dir);
            break;
        }
        names = nv;
        names[n_names++] = strdup(de->d_name);
    }
    if (r == 0 && n_names)
        qsort(names, n_names, sizeof(*names), strv_cmp);
    for (size_t i = 0; r == 0 && i < n_names; i++) {
        char path[PATH_MAX];
        struct stat st;
        size_t len = names[i] ? strlen(names[i]) : 0;

        if (!names[i]) {
            r = og_error_set(err, OG_E_NOMEM, "listing %s", dir);
            break;
        }
        snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
        if (stat(path, &st) < 0)
            continue;
        if (S_ISDIR(st.st_mode))
            r = walk(path, files, n, err);
        else if (S_ISREG(st.st_mode) && len > 4 && strcmp(names[i] + len - 4, ".xml") == 0) {
            char **nv;
            if (*n >= SCN_MAX_FILES) {
                r = og_error_set(err, OG_E_TOO_LARGE, "more than %d scenario files", SCN_MAX_FILES);
                break;
            }
            nv = realloc(*files, (*n + 1) * sizeof(**files));
            if (!nv) {
                r = og_error_set(err, OG_E_NOMEM, "listing %s", dir);
                break;
            }
            *files = nv;
            (*files)[(*n)++] = strdup(path);
        }
    }
    for (size_t i = 0; i < n_names; i++)
        free(names[i]);
    free(names);
    return r;
}

int scn_set_load(const char *const *paths, size_t n_paths, struct scn_set *ret,
                 struct og_error *err)
{
    char **files = NULL;
    size_t n = 0;
    int r = 0;

    memset(ret, 0, sizeof(*ret));
    dynbuf_init(&ret->errors, 1 << 20);
    for (size_t i = 0; r == 0 && i < n_paths; i++) {
        struct stat st;
        char path[PATH_MAX];
        size_t len;

        snprintf(path, sizeof(path), "%s", paths[i]);
        len = strlen(path);
        while (len > 1 && path[len - 1] == '/')
            path[--len] = '\0';
        if (stat(path, &st) < 0) {
            r = og_error_set_errno(err, OG_E_NOT_EXIST, errno, "scenario path \"%s\"", path);
            break;
        }
        if (S_ISDIR(st.st_mode)) {
            r = walk(path, &files, &n, err);
        } else {
            char **nv = realloc(files, (n + 1) * sizeof(*files));
            if (!nv) {
                r = og_error_set(err, OG_E_NOMEM, "scenario paths");
                break;
            }
            files = nv;
            files[n++] = strdup(path);
        }
    }
    for (size_t i = 0; r == 0 && i < n; i++) {
        struct og_error e = {0};
        struct scenario *sc = NULL;
        char line[OG_ERROR_DETAIL_MAX + 64];

        if (!files[i]) {
            r = og_error_set(err, OG_E_NOMEM, "scenario paths");
            break;
        }
        if (scenario_parse_file(files[i], &sc, &e) == 0) {
            for (size_t k = 0; k < ret->n; k++)
                if (strcmp(ret->v[k]->id, sc->id) == 0) {
                    og_error_set(&e, OG_E_XML_INVALID,
                                 "%s:1: rule id-unique: id \"%s\" is "
                                 "also the id of %s",
                                 files[i], sc->id, ret->v[k]->file);
                    scenario_free(sc);
                    sc = NULL;
                    break;
                }
        }
        if (sc) {
            struct scenario **nv = realloc(ret->v, (ret->n + 1) * sizeof(*ret->v));
            if (!nv) {
                scenario_free(sc);
                r = og_error_set(err, OG_E_NOMEM, "scenarios");
                break;
            }
            ret->v = nv;
            ret->v[ret->n++] = sc;
        } else {
            og_error_format(&e, line, sizeof(line));
            dynbuf_addf(&ret->errors, "%s\n", line);
            ret->n_errors++;
        }
    }
    for (size_t i = 0; i < n; i++)
        free(files[i]);
    free(files);
    if (r < 0)
        scn_set_done(ret);
    return r;
}

void scn_set_done(struct scn_set *set)
{
    for (size_t i = 0; i < set->n; i++)
        scenario_free(set->v[i]);
    free(set->v);
    set->v = NULL;
    set->n = 0;
    dynbuf_done(&set->errors);
    set->n_errors = 0;
}

static bool tag_match(const char *tags, const char *pattern)
{
    char buf[sizeof(((struct scenario *)0)->tags)], *save = NULL;

    snprintf(buf, sizeof(buf), "%s", tags);
    for (char *t = strtok_r(buf, " ", &save); t; t = strtok_r(NULL, " ", &save))
        if (fnmatch(pattern, t, 0) == 0)
            return true;
    return false;
}

void scn_set_filter(struct scn_set *set, const char *pattern)
{
    size_t k = 0;

    if (!pattern || !pattern[0])
        return;
    for (size_t i = 0; i < set->n; i++) {
        struct scenario *sc = set->v[i];
        char both[sizeof(sc->suite) + sizeof(sc->id) + 2];
        snprintf(both, sizeof(both), "%s/%s", sc->suite, sc->id);
        if (fnmatch(pattern, sc->id, 0) == 0 || fnmatch(pattern, both, 0) == 0 ||
            tag_match(sc->tags, pattern))
            set->v[k++] = sc;
        else
            scenario_free(sc);
    }
    set->n = k;
}

/* ---- shards ---------------------------------------------------------------------------- */

static unsigned long long fnv1a(const char *id)
{
    unsigned long long h = 1469598103934665603ULL;

    for (const unsigned char *p = (const unsigned char *)id; *p; p++) {
        h ^= *p;
        h *= 1099511628211ULL;
    }
    return h;
}

struct shard_key {
    unsigned long long h;
    const char *id;
    size_t at;
};

static int shard_key_cmp(const void *a, const void *b)
{
    const struct shard_key *x = a, *y = b;

    if (x->h != y->h)
        return x->h < y->h ? -1 : 1;
    return strcmp(x->id, y->id);
}

int scn_shard_assign(const char *const *ids, size_t n, unsigned shards, unsigned *ret)
{
    _cleanup_free_ struct shard_key *k = calloc(n ? n : 1, sizeof(*k));

    if (!k)
        return -OG_E_NOMEM;
    for (size_t i = 0; i < n; i++)
        k[i] = (struct shard_key){fnv1a(ids[i]), ids[i], i};
    qsort(k, n, sizeof(*k), shard_key_cmp);
    for (size_t i = 0; i < n; i++)
        ret[k[i].at] = shards ? (unsigned)(i % shards) : 0;
    return 0;
}

int scn_set_shard(struct scn_set *set, unsigned k, unsigned n)
{
    _cleanup_free_ const char **ids = calloc(set->n ? set->n : 1, sizeof(*ids));
    _cleanup_free_ unsigned *to = calloc(set->n ? set->n : 1, sizeof(*to));
    size_t j = 0;

    if (n <= 1)
        return 0;
    if (!ids || !to)
        return -OG_E_NOMEM;
    for (size_t i = 0; i < set->n; i++)
        ids[i] = set->v[i]->id;
    if (scn_shard_assign(ids, set->n, n, to) < 0)
        return -OG_E_NOMEM;
    for (size_t i = 0; i < set->n; i++) {
        if (to[i] == k)
            set->v[j++] = set->v[i];
        else
            scenario_free(set->v[i]);
    }
    set->n = j;
    return 0;
}

/* The copies first (set untouched if one fails), then the ids. */
int scn_set_repeat(struct scn_set *set, unsigned times, struct og_error *err)
{
    struct scenario **v;
    int r = 0;

    if (times <= 1)
        return 0;
    v = calloc(set->n * times + 1, sizeof(*v));
    if (!v)
        return og_error_set(err, OG_E_NOMEM, "repeating the scenarios");
    for (size_t i = 0; i < set->n && r == 0; i++) {
        if (strlen(set->v[i]->id) + 12 > sizeof(set->v[i]->id))
            r = og_error_set(err, OG_E_PARAM_INVALID, "scenario id \"%s\" too long to repeat",
                             set->v[i]->id);
        for (unsigned k = 1; k < times && r == 0; k++)
            r = scenario_parse_file(set->v[i]->file, &v[i * times + k], err);
    }
    if (r < 0) {
        for (size_t x = 0; x < set->n * times; x++)
            scenario_free(v[x]);
        free(v);
        return r;
    }
    for (size_t i = 0; i < set->n; i++) {
        char base[sizeof(set->v[i]->id)];

        snprintf(base, sizeof(base), "%s", set->v[i]->id);
        v[i * times] = set->v[i];
        for (unsigned k = 0; k < times; k++)
            snprintf(v[i * times + k]->id, sizeof(base), "%s~%u", base, k + 1);
    }
    free(set->v);
    set->v = v;
    set->n *= times;
    return 0;
}
