/* SPDX-License-Identifier: MulanPSL-2.0 */
#include <criterion/criterion.h>
#include <json-c/json.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "dynbuf.h"
#include "parse.h"
#include "upfixture.h"

struct command_result upres;

int up_sh(const struct sim_cluster *c, const char *node, const char *user, const char *script)
{
    const char *argv[] = {"bash", "-lc", script, NULL};
    struct og_error err = {0};

    command_result_done(&upres);
    cr_assert_eq(sim_exec(c, node, user, argv, 900000, &upres, &err), 0, "%s", err.detail);
    return upres.exit_status;
}

void up_sh_ok(const struct sim_cluster *c, const char *node, const char *user, const char *script)
{
    cr_assert_eq(up_sh(c, node, user, script), 0, "%s on %s: %s %s", script, node, upres.out,
                 upres.err);
}

void up_cluster(struct sim_cluster *c, const char *name, const char *version, int dbs)
{
    struct sim_up_opts o = {.name = name,
                            .nodes = 3,
                            .version = version,
                            .databases = dbs,
                            .data_mib = 384,
                            .quiet = true};
    struct og_error err = {0};

    sim_down(name, NULL, NULL);
    cr_assert_eq(sim_up(&o, c, &err), 0, "%s", err.detail);
}

void up_prepare(const struct sim_cluster *c, const char *version)
{
    char pkg[PATH_MAX + 32], script[4096];
    const char *argv[] = {OGSIM_PATH, "package", "build", "--version", version, "--out", pkg, NULL};
    _cleanup_command_ struct command *cmd = NULL;
    struct og_error err = {0};

    snprintf(pkg, sizeof(pkg), "%s/pkg-%s", c->state_dir, version);
    cmd = command_new(argv);
    command_set_timeout_ms(cmd, 120000);
    command_result_done(&upres);
    cr_assert_eq(command_run(cmd, &upres, &err), 0, "%s", err.detail);
    cr_assert_eq(upres.exit_status, 0, "%s %s", upres.out, upres.err);
    snprintf(script, sizeof(script),
             "set -e; d=/tmp/gaussdb_upgrade_%s; rm -rf $d; mkdir -p $d; "
             "tar -xzf %s/openGauss-%s-Debian-64bit-all.tar.gz -C $d; "
             "tar -xzf $d/openGauss-%s-Debian-64bit-om.tar.gz -C $d; "
             "cd $d/script && ./gs_preinstall -U omm -G dbgrp -X /home/omm/clusterconfig.xml",
             version, pkg, version, version);
    up_sh_ok(c, "node1", "root", script);
    cr_assert_not_null(strstr(upres.out, "Preinstallation succeeded."), "%s", upres.out);
}

int up_ctl(const struct sim_cluster *c, const char *action, const char *flags,
           const char *failpoints)
{
    char script[2048];

    snprintf(script, sizeof(script), "%s%s%sgs_upgradectl -t %s -X ~/clusterconfig.xml %s",
             failpoints ? "OGUP_FAILPOINTS='" : "", failpoints ? failpoints : "",
             failpoints ? "' " : "", action, flags ? flags : "");
    return up_sh(c, "node1", "omm", script);
}

void up_assert_version(const struct sim_cluster *c, const char *version)
{
    char want[64];

    snprintf(want, sizeof(want), "gaussdb (openGauss %s build ", version);
    for (size_t i = 0; i < c->n_nodes; i++) {
        up_sh_ok(c, c->nodes[i].name, "omm", "gaussdb -V");
        cr_assert_not_null(strstr(upres.out, want), "%s: %s", c->nodes[i].name, upres.out);
    }
}

void up_assert_normal(const struct sim_cluster *c)
{
    for (int i = 0; i < 200; i++) {
        if (up_sh(c, "node1", "omm", "gs_om -t status") == 0 &&
            strstr(upres.out, "cluster_state   : Normal"))
            return;
        usleep(300000);
    }
    cr_assert_fail("cluster not Normal: %s %s", upres.out, upres.err);
}

bool up_no_journal(const struct sim_cluster *c)
{
    for (size_t i = 0; i < c->n_nodes; i++)
        if (up_sh(c, c->nodes[i].name, "omm", "test -e $PGHOST/binary_upgrade") == 0)
            return false;
    return true;
}

void up_assert_no_journal(const struct sim_cluster *c)
{
    for (size_t i = 0; i < c->n_nodes; i++)
        cr_assert_neq(up_sh(c, c->nodes[i].name, "omm", "test -e $PGHOST/binary_upgrade"), 0,
                      "%s still holds binary_upgrade", c->nodes[i].name);
}

char *up_links(const struct sim_cluster *c)
{
    struct dynbuf b;

    dynbuf_init(&b, 1 << 16);
    for (size_t i = 0; i < c->n_nodes; i++) {
        up_sh_ok(c, c->nodes[i].name, "omm", "readlink $GAUSSHOME");
        dynbuf_addf(&b, "%s:%s", c->nodes[i].name, upres.out);
    }
    return b.buf ? b.buf : strdup("");
}

char *up_dump(const struct sim_cluster *c, bool user_only)
{
    char script[1024];

    if (user_only)
        snprintf(script, sizeof(script),
                 "for d in $(gsql -d postgres -X -tA -c \"SELECT datname FROM pg_database WHERE "
                 "datname NOT IN ('postgres','template0','template1') ORDER BY 1\"); do "
                 "echo \"== $d\"; /usr/lib/postgresql/15/bin/pg_dump --restrict-key=ogup -h "
                 "$PGHOST -p %d "
                 "--exclude-schema=og_catalog $d || exit 1; done",
                 c->port);
    else
        snprintf(script, sizeof(script),
                 "/usr/lib/postgresql/15/bin/pg_dumpall --restrict-key=ogup --no-role-passwords "
                 "-h $PGHOST -p %d",
                 c->port);
    up_sh_ok(c, "node1", "omm", script);
    return strdup(upres.out);
}

void up_snapshot(const struct sim_cluster *c, const char *snap)
{
    struct og_error err = {0};
    cr_assert_eq(sim_snapshot(c, snap, &err), 0, "%s", err.detail);
}

void up_restore(const struct sim_cluster *c, const char *snap)
{
    struct og_error err = {0};
    cr_assert_eq(sim_restore(c, snap, &err), 0, "%s", err.detail);
}

void up_expect_code(int rc, int want_rc, const char *code)
{
    cr_assert_eq(rc, want_rc, "exit %d, want %d: %s %s", rc, want_rc, upres.out, upres.err);
    if (code)
        cr_assert(strstr(upres.out, code) || strstr(upres.err, code), "want %s: %s %s", code,
                  upres.out, upres.err);
}

/* The cluster is exactly as before: links, pg_dumpall, no journal. */
void up_expect_unchanged(const struct sim_cluster *c, const char *dump0, const char *links0,
                         const char *what)
{
    char *dump, *links;

    up_assert_no_journal(c);
    links = up_links(c);
    cr_assert_str_eq(links, links0, "%s: links", what);
    dump = up_dump(c, false);
    cr_assert_str_eq(dump, dump0, "%s: pg_dumpall", what);
    free(dump);
    free(links);
}

/* Every node on version, Normal, the user data as user0. */
void up_expect_upgraded(const struct sim_cluster *c, const char *version, const char *user0)
{
    char *dump;

    up_assert_version(c, version);
    up_assert_normal(c);
    dump = up_dump(c, true);
    cr_assert_str_eq(dump, user0, "user data differs on %s", version);
    free(dump);
}

/* The failpoints of the plan named prefix ("inplace." / "inplace-rollback."). */
size_t up_failpoints(const struct sim_cluster *c, const char *prefix, char names[][128], size_t max)
{
    json_object *a;
    size_t n = 0;

    up_sh_ok(c, "node1", "omm", "gs_upgradectl --list-failpoints");
    a = json_tokener_parse(upres.out);
    cr_assert_not_null(a, "%s", upres.out);
    for (size_t i = 0; i < json_object_array_length(a) && n < max; i++) {
        json_object *o = json_object_array_get_idx(a, i), *nm;
        if (json_object_object_get_ex(o, "name", &nm) &&
            strncmp(json_object_get_string(nm), prefix, strlen(prefix)) == 0)
            snprintf(names[n++], 128, "%s", json_object_get_string(nm));
    }
    json_object_put(a);
    return n;
}

/* "shard:K/N": every N-th point of the run's order, from the K-th (1-based),
 * so N processes side by side cover every point once. */
static bool shard_sampled(const char *spec)
{
    static unsigned seen;
    char nbuf[16];
    const char *slash = strchr(spec, '/');
    int k, n;

    cr_assert(slash && (size_t)(slash - spec) < sizeof(nbuf), "UPGRADE_FAILPOINTS=shard:K/N");
    snprintf(nbuf, sizeof(nbuf), "%.*s", (int)(slash - spec), spec);
    cr_assert(safe_atoi_range(nbuf, 1, 64, &k) == 0 && safe_atoi_range(slash + 1, k, 64, &n) == 0,
              "UPGRADE_FAILPOINTS=shard:K/N with 1 <= K <= N <= 64, not shard:%s", spec);
    return (int)(seen++ % (unsigned)n) == k - 1;
}

/* UPGRADE_FAILPOINTS: "all" (the slow suite), "shard:K/N" (its K-th of N
 * parts), "from:NAME" (every point from NAME on, to finish an interrupted
 * run), "only:A,B" (those), else the sample. */
bool up_sampled(const char *fp, const char *const *sample, size_t n)
{
    const char *all = getenv("UPGRADE_FAILPOINTS");
    static bool from_reached;

    if (all && strcmp(all, "all") == 0)
        return true;
    if (all && strncmp(all, "shard:", 6) == 0)
        return shard_sampled(all + 6);
    if (all && strncmp(all, "from:", 5) == 0) {
        from_reached |= strcmp(fp, all + 5) == 0;
        return from_reached;
    }
    /* "only:A,B": those points */
    if (all && strncmp(all, "only:", 5) == 0) {
        size_t len = strlen(fp);
        for (const char *p = all + 5; (p = strstr(p, fp)); p += len)
            if ((p == all + 5 || p[-1] == ',') && (p[len] == ',' || !p[len]))
                return true;
        return false;
    }
    for (size_t k = 0; k < n; k++)
        if (strcmp(fp, sample[k]) == 0)
            return true;
    return false;
}

/* commit-upgrade killed at each sampled point of the plan's commit, then
 * re-run: the same exit and end state as an uninterrupted commit. Runs after
 * the do and undo points (UPGRADE_FAILPOINTS=from: follows that order). */
static size_t commit_kills(struct sim_cluster *c, const char *plan, const char *flags,
                           const char *new_v, size_t want, const char *const *sample,
                           size_t n_sample)
{
    char fps[64][128], prefix[64], *done_dump = NULL, *done_links = NULL;
    size_t n, ran = 0;
    int done_rc = -1;

    snprintf(prefix, sizeof(prefix), "%s-commit.", plan);
    n = up_failpoints(c, prefix, fps, 64);
    cr_assert_eq(n, want, "%s: %zu commit points", plan, n);
    for (size_t i = 0; i < n; i++) {
        char fp[160], *d, *l;
        if (!up_sampled(fps[i], sample, n_sample))
            continue;
        if (!done_dump) { /* the uninterrupted commit, once */
            up_restore(c, "ready");
            up_expect_code(up_ctl(c, "auto-upgrade", flags, NULL), 0, NULL);
            done_rc = up_ctl(c, "commit-upgrade", NULL, NULL);
            up_assert_no_journal(c);
            done_dump = up_dump(c, false);
            done_links = up_links(c);
        }
        ran++;
        snprintf(fp, sizeof(fp), "%s=kill", fps[i]);
        up_restore(c, "ready");
        up_expect_code(up_ctl(c, "auto-upgrade", flags, NULL), 0, NULL);
        up_expect_code(up_ctl(c, "commit-upgrade", NULL, fp), 137, NULL);
        /* killed after the journal was gone from every node (the commit's
         * last effect, cleanBinaryUpgradeBakFiles: UpgradeImpl.py v5.0.0
         * :2641, :4056) the commit is finished, and a re-run meets
         * openGauss's refusal: commit-upgrade asks choseStrategy (:312-313),
         * which finds the old commit id equal to the new (:529-530,
         * GAUSS-52901 in 52900, :569-572); else the uninterrupted exit */
        if (up_no_journal(c))
            up_expect_code(up_ctl(c, "commit-upgrade", NULL, NULL), 1, "GAUSS-52901");
        else
            up_expect_code(up_ctl(c, "commit-upgrade", NULL, NULL), done_rc, NULL);
        up_assert_version(c, new_v);
        up_assert_normal(c);
        up_assert_no_journal(c);
        l = up_links(c);
        cr_assert_str_eq(l, done_links, "%s: links after the re-run commit", fps[i]);
        free(l);
        d = up_dump(c, false);
        cr_assert_str_eq(d, done_dump, "%s: re-run commit differs from an uninterrupted one",
                         fps[i]);
        free(d);
        cr_log_info("%s: re-run commit converged", fps[i]);
    }
    free(done_dump);
    free(done_links);
    return ran;
}

void up_kill_matrix(struct sim_cluster *c, const char *plan, const char *flags, const char *old_v,
                    const char *new_v, size_t want_do, size_t want_undo, size_t want_commit,
                    const char *const *sample, size_t n_sample)
{
    char fps[64][128], rfps[64][128], *dump0, *links0, *done_dump, *done_links, prefix[64];
    size_t n, nr, ran = 0;

    dump0 = up_dump(c, false);
    links0 = up_links(c);
    up_snapshot(c, "ready");
    snprintf(prefix, sizeof(prefix), "%s.", plan);
    n = up_failpoints(c, prefix, fps, 64);
    snprintf(prefix, sizeof(prefix), "%s-rollback.", plan);
    nr = up_failpoints(c, prefix, rfps, 64);
    cr_assert_eq(n, want_do, "%s: %zu do points", plan, n);
    cr_assert_eq(nr, want_undo, "%s: %zu undo points", plan, nr);

    /* the uninterrupted result */
    up_expect_code(up_ctl(c, "auto-upgrade", flags, NULL), 0, NULL);
    done_dump = up_dump(c, false);
    done_links = up_links(c);

    for (size_t i = 0; i < n; i++) {
        char fp[160], *d, *l;
        if (!up_sampled(fps[i], sample, n_sample))
            continue;
        ran++;
        snprintf(fp, sizeof(fp), "%s=kill", fps[i]);
        /* killed, then rolled back */
        up_restore(c, "ready");
        up_expect_code(up_ctl(c, "auto-upgrade", flags, fp), 137, NULL);
        up_expect_code(up_ctl(c, "auto-rollback", NULL, NULL), 2, NULL);
        up_assert_version(c, old_v);
        up_assert_normal(c);
        up_expect_unchanged(c, dump0, links0, fps[i]);
        /* killed, then resumed */
        up_restore(c, "ready");
        up_expect_code(up_ctl(c, "auto-upgrade", flags, fp), 137, NULL);
        {
            /* killed once every node reached pre-commit: the re-run finds
             * nothing to do, and a grey one exits 1 as openGauss's does
             * ("All nodes have been upgrade", UpgradeImpl.py v5.0.0 :5675) */
            int rc = up_ctl(c, "auto-upgrade", flags, NULL);
            if (rc == 1 && strcmp(plan, "grey") == 0 &&
                strstr(upres.out, "All nodes have been upgrade, no need to upgrade again."))
                rc = 0;
            up_expect_code(rc, 0, NULL);
        }
        up_assert_version(c, new_v);
        up_assert_normal(c);
        l = up_links(c);
        cr_assert_str_eq(l, done_links, "%s: links after resume", fps[i]);
        free(l);
        d = up_dump(c, false);
        cr_assert_str_eq(d, done_dump, "%s: resumed result differs from an uninterrupted one",
                         fps[i]);
        free(d);
        cr_log_info("%s: rollback and resume ok", fps[i]);
    }
    /* the rollback killed at its own failpoints, then re-run */
    for (size_t i = 0; i < nr; i++) {
        char fp[160];
        if (!up_sampled(rfps[i], sample, n_sample))
            continue;
        ran++;
        snprintf(fp, sizeof(fp), "%s=kill", rfps[i]);
        up_restore(c, "ready");
        up_expect_code(up_ctl(c, "auto-upgrade", flags, NULL), 0, NULL);
        up_expect_code(up_ctl(c, "auto-rollback", NULL, fp), 137, NULL);
        up_expect_code(up_ctl(c, "auto-rollback", NULL, NULL), 2, NULL);
        up_assert_version(c, old_v);
        up_assert_normal(c);
        up_expect_unchanged(c, dump0, links0, rfps[i]);
        cr_log_info("%s: re-run rollback converged", rfps[i]);
    }
    ran += commit_kills(c, plan, flags, new_v, want_commit, sample, n_sample);
    cr_assert_gt(ran, 0);
    free(dump0);
    free(links0);
    free(done_dump);
    free(done_links);
}
