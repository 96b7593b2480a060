/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * precheck_local.c - the pre-checks answered on each node by the worker
 * (`gs_upgradectl --local VERB`): disk-usage, kerberos, om-kernel,
 * package-sha256, app-size, backup-space, datadir-writable.
 *
 * Run one by one, each is one worker call per node. precheck_run_all asks
 * every node for all of them at once first (`--local checks`: one session,
 * one process per node) and keeps the answers; each check then reads its
 * own, and calls the worker itself only where no answer came (a node that
 * could not be reached reports its error from that call, as before).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "oglog.h"
#include "parse.h"
#include "pkgsig.h"
#include "precheck.h"
#include "worker.h"
#include "banned.h"

#define LOCAL_ARGV_MAX 8

/* One node's answer to one verb. */
struct local_answer {
    char *key;  /* the verb's words, joined by '\x1f' */
    int rc;     /* the verb's result: 0 or -code */
    char *text; /* its error line, as it would print on stderr */
};

struct precheck_local {
    struct {
        struct local_answer a[PRECHECK_LOCAL_MAX];
        size_t n;
    } nodes[CLUSTER_MAX_NODES];
};

struct local_argv {
    const char *argv[LOCAL_ARGV_MAX];
    char limit[16];
};

/* The verb check id runs on node nd, the one source for the check and the
 * prefetch: false when it has none (not a node-local check; kerberos
 * without a Kerberos directory). */
static bool local_argv(const struct precheck_env *e, const char *id, const struct cluster_node *nd,
                       struct local_argv *a)
{
    const struct cluster_config *c = precheck_cfg(e);
    const char **v = a->argv;

    memset(a->argv, 0, sizeof(a->argv));
    snprintf(a->limit, sizeof(a->limit), "%d", PRECHECK_DISK_LIMIT_PCT);
    if (strcmp(id, "disk-usage") == 0) /* its data dir, the app and $PGHOST */
        v[0] = "disk", v[1] = a->limit, v[2] = nd->datadir, v[3] = c->app_path, v[4] = c->tmp_path;
    else if (strcmp(id, "kerberos") == 0 && e->kerberos_dir)
        v[0] = "kerberos", v[1] = e->kerberos_dir;
    else if (strcmp(id, "om-kernel") == 0)
        v[0] = "om-kernel", v[1] = e->gphome, v[2] = c->app_path;
    else if (strcmp(id, "package-sha256") == 0)
        v[0] = "sha256", v[1] = e->gphome;
    else if (strcmp(id, "app-size") == 0)
        v[0] = "app-size", v[1] = c->app_path;
    else if (strcmp(id, "backup-space") == 0)
        v[0] = "backup-space", v[1] = c->tmp_path;
    else if (strcmp(id, "datadir-writable") == 0)
        v[0] = "writable", v[1] = nd->datadir;
    return v[0] != NULL;
}

static char *join(const char *const *argv)
{
    size_t len = 1, o = 0;
    char *s;

    for (size_t i = 0; argv[i]; i++)
        len += strlen(argv[i]) + 1;
    s = malloc(len);
    for (size_t i = 0; s && argv[i]; i++) {
        size_t l = strlen(argv[i]);
        if (i)
            s[o++] = '\x1f';
        memcpy(s + o, argv[i], l);
        o += l;
    }
    if (s)
        s[o] = '\0';
    return s;
}

/* The kept answer of node i to argv: true (*rc, *text) when there is one. */
static bool cached(const struct precheck_local *l, size_t i, const char *const *argv, int *rc,
                   const char **text)
{
    char *key = l ? join(argv) : NULL;
    bool found = false;

    for (size_t k = 0; key && k < l->nodes[i].n && !found; k++)
        if (strcmp(l->nodes[i].a[k].key, key) == 0) {
            *rc = l->nodes[i].a[k].rc;
            *text = l->nodes[i].a[k].text;
            found = true;
        }
    free(key);
    return found;
}

/* The worker's "ogup-check RC LEN\n" + LEN bytes, one per verb asked, in
 * order; an answer that does not parse ends the list (those verbs are asked
 * again by their checks). */
static void parse_answers(struct precheck_local *l, size_t i, const char *out,
                          const char *const *const *verbs, size_t n)
{
    const char *p = out;

    for (size_t k = 0; k < n && p && strncmp(p, "ogup-check ", 11) == 0; k++) {
        struct local_answer *a = &l->nodes[i].a[l->nodes[i].n];
        char rc_s[16], len_s[24];
        int rc = 0, len = 0;
        const char *nl = strchr(p, '\n');
        if (!nl || sscanf(p, "ogup-check %15s %23s", rc_s, len_s) != 2 ||
            safe_atoi(rc_s, &rc) < 0 || safe_atoi(len_s, &len) < 0 || len < 0 ||
            (size_t)len > strlen(nl + 1))
            return;
        a->key = join(verbs[k]);
        a->text = strndup(nl + 1, (size_t)len);
        a->rc = rc;
        if (!a->key || !a->text) {
            free(a->key);
            free(a->text);
            return;
        }
        l->nodes[i].n++;
        p = nl + 1 + (size_t)len;
    }
}

struct precheck_local *precheck_local_fetch(const struct precheck_env *e, const char *const *ids,
                                            size_t n_ids)
{
    const struct cluster_config *c = precheck_cfg(e);
    struct precheck_local *l = e->worker ? calloc(1, sizeof(*l)) : NULL;
    struct local_argv *la = calloc(CLUSTER_MAX_NODES * PRECHECK_LOCAL_MAX, sizeof(*la));
    const char *(*argv)[3 + PRECHECK_LOCAL_MAX * (LOCAL_ARGV_MAX + 1) + 1] =
        calloc(CLUSTER_MAX_NODES, sizeof(*argv));
    const char *const *verbs[CLUSTER_MAX_NODES][PRECHECK_LOCAL_MAX];
    char counts[CLUSTER_MAX_NODES][PRECHECK_LOCAL_MAX][8];
    const char *names[CLUSTER_MAX_NODES];
    const char *const *argvs[CLUSTER_MAX_NODES];
    size_t nv[CLUSTER_MAX_NODES] = {0};
    struct command_result *res = calloc(CLUSTER_MAX_NODES, sizeof(*res));
    struct transport_run_opts o = {.timeout_ms = worker_verb_timeout_ms("checks")};

    if (!l || !la || !argv || !res || c->n_nodes > CLUSTER_MAX_NODES) {
        free(l);
        l = NULL;
        goto out;
    }
    for (size_t i = 0; i < c->n_nodes; i++) {
        size_t a = 0;
        argv[i][a++] = e->worker;
        argv[i][a++] = "--local";
        argv[i][a++] = "checks";
        for (size_t k = 0; k < n_ids && nv[i] < PRECHECK_LOCAL_MAX; k++) {
            struct local_argv *v = &la[i * PRECHECK_LOCAL_MAX + nv[i]];
            size_t w = 0;
            if (!local_argv(e, ids[k], &c->nodes[i], v))
                continue;
            while (v->argv[w])
                w++;
            snprintf(counts[i][nv[i]], sizeof(counts[i][nv[i]]), "%zu", w);
            argv[i][a++] = counts[i][nv[i]];
            for (size_t j = 0; j < w; j++)
                argv[i][a++] = v->argv[j];
            verbs[i][nv[i]++] = v->argv;
        }
        names[i] = c->nodes[i].name;
        argvs[i] = argv[i];
    }
    transport_run_each(e->t, names, c->n_nodes, argvs, &o, res, NULL);
    for (size_t i = 0; i < c->n_nodes; i++) {
        if (res[i].exit_status == 0 && res[i].out)
            parse_answers(l, i, res[i].out, verbs[i], nv[i]);
        command_result_done(&res[i]);
    }
out:
    free(la);
    free(argv);
    free(res);
    return l;
}

void precheck_local_free(struct precheck_local *l)
{
    for (size_t i = 0; l && i < CLUSTER_MAX_NODES; i++)
        for (size_t k = 0; k < l->nodes[i].n; k++) {
            free(l->nodes[i].a[k].key);
            free(l->nodes[i].a[k].text);
        }
    free(l);
}

/* Check id on every node: each node's kept answer, or its own worker call
 * (every such node at once). The first failure in node order is returned,
 * its node named, as one call after another would have. */
static int local_check(const struct precheck_env *e, const char *id, struct og_error *err)
{
    const struct cluster_config *c = precheck_cfg(e);
    struct local_argv a[CLUSTER_MAX_NODES];
    const char *miss[CLUSTER_MAX_NODES];
    const char *const *miss_argv[CLUSTER_MAX_NODES];
    size_t at[CLUSTER_MAX_NODES], m = 0;
    int rcs[CLUSTER_MAX_NODES] = {0}, mrcs[CLUSTER_MAX_NODES] = {0};
    struct og_error errs[CLUSTER_MAX_NODES], merrs[CLUSTER_MAX_NODES];
    struct worker w = {.t = e->t, .path = e->worker};

    memset(errs, 0, sizeof(errs));
    for (size_t i = 0; i < c->n_nodes && i < CLUSTER_MAX_NODES; i++) {
        const char *text = NULL;
        struct command_result res = {.exit_status = 1};
        struct og_error none = {0};
        if (!local_argv(e, id, &c->nodes[i], &a[i]))
            continue;
        if (!cached(e->local, i, a[i].argv, &rcs[i], &text)) {
            at[m] = i;
            miss[m] = c->nodes[i].name;
            miss_argv[m++] = a[i].argv;
            continue;
        }
        res.err = (char *)text;
        if (rcs[i] < 0)
            rcs[i] = worker_outcome(c->nodes[i].name, a[i].argv[0], &res, &none, &errs[i]);
    }
    if (m && worker_run_each(&w, miss, m, miss_argv, mrcs, merrs) < 0)
        return og_error_set(err, OG_E_INVALID_ARG, "too many nodes");
    for (size_t k = 0; k < m; k++) {
        rcs[at[k]] = mrcs[k];
        errs[at[k]] = merrs[k];
    }
    for (size_t i = 0; i < c->n_nodes && i < CLUSTER_MAX_NODES; i++)
        if (rcs[i] < 0) {
            *err = errs[i];
            return rcs[i];
        }
    return 0;
}

int precheck_disk_usage(const struct precheck_env *e, struct og_error *err)
{
    return local_check(e, "disk-usage", err);
}

int precheck_kerberos(const struct precheck_env *e, struct og_error *err)
{
    return local_check(e, "kerberos", err);
}

int precheck_om_kernel(const struct precheck_env *e, struct og_error *err)
{
    return local_check(e, "om-kernel", err);
}

int precheck_package_sha256(const struct precheck_env *e, struct og_error *err)
{
    int r = local_check(e, "package-sha256", err);

    /* every node checked each .sig it has with its key (pkgsig.h) */
    if (r == 0 && access(PKGSIG_KEY_PATH, F_OK) != 0)
        log_warn("precheck",
                 "the packages in \"%s\" are checked for integrity only, not authenticity: "
                 "no package signing key \"%s\" (gs_upgradectl(1), PACKAGE CHECKS)",
                 e->gphome, PKGSIG_KEY_PATH);
    return r;
}

/* openGauss's per-node CheckUpgrade (checkupgrade.c) */
int precheck_app_size(const struct precheck_env *e, struct og_error *err)
{
    return local_check(e, "app-size", err);
}

int precheck_backup_space(const struct precheck_env *e, struct og_error *err)
{
    return local_check(e, "backup-space", err);
}

int precheck_datadir_writable(const struct precheck_env *e, struct og_error *err)
{
    return local_check(e, "datadir-writable", err);
}
