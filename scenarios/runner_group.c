/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * runner_group.c - one cluster per group of scenarios, the prepared snapshots, the reset before
 * each scenario (runner_int.h).
 */
#include <errno.h>
#include <json-c/json.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fs.h"
#include "simversion.h"
#include "runner_int.h"
#include "shquote.h"
#include "banned.h"

/* ---- steps
 * ---------------------------------------------------------------------------------------- */

int rn_prepare(struct runner *rn, const char *version, char *detail, size_t dsize)
{
    _cleanup_command_result_ struct command_result res = {0};
    struct og_error err = {0};
    char pkg[PATH_MAX], all[PATH_MAX + 128], script[3 * PATH_MAX];
    double t0 = rn_now_s();
    int r;

    snprintf(pkg, sizeof(pkg), "%s/pkg-%s", rn->g->c.state_dir, version);
    snprintf(all, sizeof(all), "%s/openGauss-%s-%s-64bit-all.tar.gz", pkg, version, SIM_PACKAGE_OS);
    if (access(all, F_OK) < 0) {
        const char *argv[] = {rn->o->ogsim, "package", "build", "--version",
                              version,      "--out",   pkg,     NULL};
        r = rn_host_run(argv, 600000, &res, &err);
        rn_bundle_command(rn, "package", "ogsim package build", rn_now_s() - t0,
                          r == 0 ? &res : NULL, r < 0 ? err.detail : NULL);
        if (r < 0 || res.exit_status != 0) {
            snprintf(detail, dsize, "ogsim package build --version %s: %s", version,
                     r < 0 ? err.detail : res.err);
            return r < 0 ? r : -OG_E_CMD_FAILED;
        }
        command_result_done(&res);
    }
    snprintf(script, sizeof(script),
             "set -e; d=/tmp/gaussdb_upgrade_%s; rm -rf $d; mkdir -p $d; "
             "tar -xzf %s -C $d; tar -xzf $d/openGauss-%s-%s-64bit-om.tar.gz -C $d; "
             "cd $d/script && ./gs_preinstall -U omm -G dbgrp -X %s",
             version, all, version, SIM_PACKAGE_OS, CLUSTERCONFIG);
    t0 = rn_now_s();
    r = rn_node_sh(rn, "node1", "root", script, 600000, &res, &err);
    rn_bundle_command(rn, "preinstall", script, rn_now_s() - t0, r == 0 ? &res : NULL,
                      r < 0 ? err.detail : NULL);
    if (r < 0 || res.exit_status != 0 || !strstr(res.out, "Preinstallation succeeded.")) {
        snprintf(detail, dsize, "gs_preinstall of %s: %.400s", version,
                 r < 0        ? err.detail
                 : res.err[0] ? res.err
                              : res.out);
        return r < 0 ? r : -OG_E_CMD_FAILED;
    }
    snprintf(detail, dsize, "gs_preinstall of %s done", version);
    return 0;
}

int rn_create_mot(struct runner *rn, char *detail, size_t dsize)
{
    for (size_t i = 0; i < rn->sc->n_mot; i++) {
        _cleanup_command_result_ struct command_result res = {0};
        _cleanup_dynbuf_ struct dynbuf q = {0};
        struct og_error err = {0};
        char sql[256];
        int r;

        dynbuf_init(&q, 4096);
        snprintf(sql, sizeof(sql), "CREATE FOREIGN TABLE %s (id int) SERVER mot_server",
                 rn->sc->mot[i].table);
        {
            const char *argv[] = {"gsql", "-X", "-d", rn->sc->mot[i].database, "-c", sql, NULL};
            shquote_argv(&q, argv);
        }
        r = rn_node_sh(rn, "node1", "omm", dynbuf_str(&q), 120000, &res, &err);
        rn_bundle_command(rn, "mot", dynbuf_str(&q), 0, r == 0 ? &res : NULL,
                          r < 0 ? err.detail : NULL);
        if (r < 0 || res.exit_status != 0) {
            snprintf(detail, dsize, "MOT table %s: %.300s", rn->sc->mot[i].table,
                     r < 0 ? err.detail : res.err);
            return r < 0 ? r : -OG_E_CMD_FAILED;
        }
    }
    return 0;
}

/* The gs_upgradectl step at index. */

/* ---- groups and snapshots
 * --------------------------------------------------------------------------- */

/* The driver a scenario's cluster runs on: its own, else the run's. */
static const char *driver_of(const struct runner *rn, const struct scenario *sc)
{
    return sc->driver[0] ? sc->driver : rn->o->driver ? rn->o->driver : "lxc";
}

static bool same_cluster(const struct runner *rn, const struct group *g, const struct scenario *sc)
{
    return strcmp(g->version, sc->version) == 0 && g->nodes == sc->nodes &&
           g->databases == sc->databases && strcmp(g->driver, driver_of(rn, sc)) == 0;
}

struct group *rn_group_of(struct runner *rn, const struct scenario *sc)
{
    for (size_t i = 0; i < rn->n_groups; i++) {
        struct group *g = &rn->groups[i];
        if (same_cluster(rn, g, sc))
            return g;
    }
    if (rn->n_groups == MAX_GROUPS)
        return NULL;
    {
        struct group *g = &rn->groups[rn->n_groups++];
        memset(g, 0, sizeof(*g));
        snprintf(g->version, sizeof(g->version), "%s", sc->version);
        g->nodes = sc->nodes;
        g->databases = sc->databases;
        snprintf(g->driver, sizeof(g->driver), "%s", driver_of(rn, sc));
        snprintf(g->name, sizeof(g->name), "%.16s-%zu", rn->o->cluster_prefix, rn->n_groups);
        return g;
    }
}

/* A plain auto-upgrade a snapshot can stand for: no failpoint, no fault,
 * the default exit and nothing else expected, no flags but the mode. */
static bool plain_upgrade(const struct scn_step *s, bool *grey)
{
    *grey = strcmp(s->flags, "--grey") == 0;
    return s->kind == SCN_UPGRADE && !s->n_fps && !s->n_during &&
           s->exit_code == SCN_EXIT_DEFAULT && !s->has_exit_alt && !s->code[0] && !s->output[0] &&
           (!s->flags[0] || *grey);
}

/* The leading <prepare> steps, then perhaps one plain <upgrade>, and no MOT
 * tables: a cacheable preparation; its snapshot name ("r-3-0-0", or
 * "r-3-0-0-u" / "-ug" with the upgrade), or "" when not cacheable. */
static size_t ready_key(const struct scenario *sc, char *buf, size_t size)
{
    size_t n = 0, len;
    bool grey;

    buf[0] = '\0';
    if (sc->n_mot)
        return 0;
    snprintf(buf, size, "r");
    while (n < sc->n_steps && sc->steps[n].kind == SCN_PREPARE) {
        len = strlen(buf);
        snprintf(buf + len, size - len, "-%s", sc->steps[n].version);
        n++;
    }
    if (n && n < sc->n_steps && plain_upgrade(&sc->steps[n], &grey)) {
        len = strlen(buf);
        snprintf(buf + len, size - len, "-u%s", grey ? "g" : "");
        n++;
    }
    if (n == 0 || strlen(buf) > 20) {
        buf[0] = '\0';
        return 0;
    }
    for (char *p = buf; *p; p++)
        if (*p == '.')
            *p = '-';
    return n;
}

static void forget_cache(struct group *g)
{
    for (size_t i = 0; i < g->n_cached; i++) {
        free(g->cached_dump_all[i]);
        free(g->cached_dump_user[i]);
        g->cached_dump_all[i] = g->cached_dump_user[i] = NULL;
    }
    g->n_cached = 0;
}

/* The cache slot of key, or -1. */
static int cached_slot(const struct group *g, const char *key)
{
    for (size_t i = 0; i < g->n_cached; i++)
        if (strcmp(g->cached[i], key) == 0)
            return (int)i;
    return -1;
}

void rn_group_down(struct runner *rn, struct group *g)
{
    struct og_error err = {0};

    if (!g->up)
        return;
    if (rn_ogfault_present(rn)) {
        _cleanup_command_result_ struct command_result res = {0};
        const char *argv[] = {rn->o->ogfault, "--cluster", g->name, "sweep", NULL};
        rn_host_run(argv, 300000, &res, NULL);
    }
    if (rn->o->keep_clusters) {
        rn_say(rn, "== cluster %s left up (--keep-clusters)\n", g->name);
    } else if (sim_down(g->name, rn->o->uri, &err) < 0) {
        rn_say(rn, "== cluster %s: down failed: %s\n", g->name, err.detail);
    } else {
        rn_say(rn, "== cluster %s down\n", g->name);
    }
    g->up = false;
    forget_cache(g);
}

static int group_up(struct runner *rn, struct group *g, struct og_error *err)
{
    struct sim_up_opts uo = {.name = g->name,
                             .nodes = g->nodes,
                             .version = g->version,
                             .databases = g->databases,
                             .data_mib = CLUSTER_DATA_MIB,
                             .uri = rn->o->uri,
                             .driver = g->driver,
                             .quiet = true};
    double t0 = rn_now_s();
    int r;

    for (size_t i = 0; i < rn->n_groups; i++)
        if (&rn->groups[i] != g)
            rn_group_down(rn, &rn->groups[i]); /* one cluster at a time */
    sim_down(g->name, rn->o->uri, NULL);
    rn_say(rn, "== cluster %s: %d %s nodes, openGauss %s, %d databases: up%s%s\n", g->name,
           g->nodes, g->driver, g->version, g->databases, rn->o->uri ? " on " : "",
           rn->o->uri ? rn->o->uri : "");
    r = sim_up(&uo, &g->c, err);
    if (r < 0) {
        sim_down(g->name, rn->o->uri, NULL);
        return r;
    }
    g->up = true;
    rn_say(rn, "   up in %.1f s; snapshot base\n", rn_now_s() - t0);
    t0 = rn_now_s();
    r = sim_snapshot(&g->c, "base", err);
    if (r < 0)
        return r;
    rn_say(rn, "   snapshot in %.1f s\n", rn_now_s() - t0);
    g->fresh = true;
    forget_cache(g);
    return 0;
}

/* Count the scenarios of the set in group g with ready key key. */
static size_t key_users(const struct runner *rn, const struct scn_set *set, const char *key)
{
    size_t n = 0;

    for (size_t i = 0; i < set->n; i++) {
        char k[32];
        const struct scenario *sc = set->v[i];
        if (!same_cluster(rn, rn->g, sc))
            continue;
        if (ready_key(sc, k, sizeof(k)) && strcmp(k, key) == 0)
            n++;
    }
    return n;
}

/* The restored prefix: its steps recorded as played, the dumps taken
 * before its upgrade handed over. */
static void from_cache(struct runner *rn, int slot, size_t n_prep, const char *key)
{
    const struct scenario *sc = rn->sc;

    for (size_t i = 0; i < n_prep; i++) {
        char label[128];
        snprintf(label, sizeof(label), "%zu. %s %s (from snapshot %s)", i + 1,
                 sc->steps[i].kind == SCN_PREPARE ? "prepare" : "upgrade",
                 sc->steps[i].kind == SCN_PREPARE ? sc->steps[i].version : sc->steps[i].flags, key);
        rn_add_step(rn, label, sc->steps[i].line, rn_now_s(), true, "");
        rn_event(rn, rn_now_s(), "step", "%s", label);
    }
    free(rn->dump_pre_all);
    free(rn->dump_pre_user);
    rn->dump_pre_all = rn->g->cached_dump_all[slot] ? strdup(rn->g->cached_dump_all[slot]) : NULL;
    rn->dump_pre_user =
        rn->g->cached_dump_user[slot] ? strdup(rn->g->cached_dump_user[slot]) : NULL;
}

/* Play the prefix: the prepares, then the plain upgrade (with the
 * pre-upgrade dumps taken first, as play() would). */
static int play_prefix(struct runner *rn, size_t n_prep)
{
    const struct scenario *sc = rn->sc;
    struct og_error err = {0};
    char detail[600];

    for (size_t i = 0; i < n_prep; i++) {
        double ts = rn_now_s();
        char label[128];
        int r;
        if (sc->steps[i].kind == SCN_UPGRADE) {
            rn_say(rn, "  [%zu/%zu] upgrade (the cached prefix)\n", i + 1, sc->n_steps);
            rn_event(rn, rn_now_s(), "step", "%zu. upgrade (the cached prefix)", i + 1);
            /* the workload's database exists before the cluster turns read-only */
            if (sc->workload && !rn->workload_started && rn_workload_start(rn) < 0)
                return -OG_E_CMD_FAILED;
            if (!(rn->dump_pre_all = rn_take_dump(rn, false, &err)) ||
                !(rn->dump_pre_user = rn_take_dump(rn, true, &err))) {
                rn_harness_error(rn, "pre-upgrade dump: %s", err.detail);
                return -OG_E_CMD_FAILED;
            }
            rn_play_action(rn, i);
            if (rn_failed(rn))
                return -OG_E_CMD_FAILED;
            continue;
        }
        snprintf(label, sizeof(label), "%zu. prepare %s", i + 1, sc->steps[i].version);
        rn_say(rn, "  [%zu/%zu] %s\n", i + 1, sc->n_steps, label + 3);
        rn_event(rn, ts, "step", "%s", label);
        r = rn_prepare(rn, sc->steps[i].version, detail, sizeof(detail));
        rn_add_step(rn, label, sc->steps[i].line, ts, r == 0, detail);
        if (r < 0) {
            rn_harness_error(rn, "step %zu: %s", i + 1, detail);
            return r;
        }
    }
    return 0;
}

/* Snapshot the prepared cluster as key when enough scenarios share it. */
static void cache_prefix(struct runner *rn, const struct scn_set *set, const char *key)
{
    struct group *g = rn->g;
    struct og_error err = {0};
    double ts = rn_now_s();

    if (g->n_cached >= MAX_CACHED ||
        key_users(rn, set, key) < (size_t)(rn->o->cache_min > 0 ? rn->o->cache_min : 4))
        return;
    if (sim_snapshot(&g->c, key, &err) < 0) {
        rn_say(rn, "  snapshot %s failed: %s\n", key, err.detail);
        return;
    }
    snprintf(g->cached[g->n_cached], sizeof(g->cached[0]), "%s", key);
    g->cached_dump_all[g->n_cached] = rn->dump_pre_all ? strdup(rn->dump_pre_all) : NULL;
    g->cached_dump_user[g->n_cached] = rn->dump_pre_user ? strdup(rn->dump_pre_user) : NULL;
    g->n_cached++;
    rn_say(rn, "  cached as snapshot %s in %.1f s\n", key, rn_now_s() - ts);
}

/* Reset the cluster for sc; returns the index of the first step to play
 * (a leading prefix restored or played here counts as played). */
int rn_reset(struct runner *rn, const struct scn_set *set, size_t *first_step)
{
    const struct scenario *sc = rn->sc;
    struct og_error err = {0};
    char key[32], detail[600];
    size_t n_prep = ready_key(sc, key, sizeof(key));
    int slot = n_prep ? cached_slot(rn->g, key) : -1;
    double t0 = rn_now_s();
    int r = 0;

    *first_step = 0;
    for (int attempt = 0; attempt < 2; attempt++) {
        if (!rn->g->up) {
            r = group_up(rn, rn->g, &err);
            if (r < 0) {
                rn_harness_error(rn, "cluster up: %s", err.detail);
                return r;
            }
            slot = -1;
        }
        if (rn->g->fresh && slot < 0) {
            rn->g->fresh = false;
            rn_say(rn, "  reset: fresh cluster\n");
            r = 0;
            break;
        }
        r = sim_restore(&rn->g->c, slot >= 0 ? key : "base", &err);
        rn->g->fresh = false;
        if (r == 0) {
            rn_say(rn, "  reset: restore %s in %.1f s\n", slot >= 0 ? key : "base",
                   rn_now_s() - t0);
            break;
        }
        rn_say(rn, "  reset: restore failed (%s); the cluster is brought up again\n", err.detail);
        rn_group_down(rn, rn->g);
    }
    if (r < 0) {
        rn_harness_error(rn, "reset: %s", err.detail);
        return r;
    }
    rn->res->reset_seconds = rn_now_s() - t0;
    if (slot >= 0) {
        from_cache(rn, slot, n_prep, key);
        *first_step = n_prep;
        return 0;
    }
    r = rn_create_mot(rn, detail, sizeof(detail));
    if (r < 0) {
        rn_harness_error(rn, "reset: %s", detail);
        return r;
    }
    if (n_prep) {
        r = play_prefix(rn, n_prep);
        if (r < 0)
            return r;
        *first_step = n_prep;
        cache_prefix(rn, set, key);
    }
    return 0;
}
