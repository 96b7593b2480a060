/* SPDX-License-Identifier: MulanPSL-2.0 */
#include <stdlib.h>
#include <string.h>

#include "clusterconfig.h"
#include "worker.h"
#include "banned.h"

#define WORKER_ARGV_MAX 32

#define SEC 1000
#define MIN (60 * SEC)

/* Each verb's own bound (upgrader/tools/local.c): what it does on a node, with
 * room for a slow one. A node whose session never opens or that stops
 * answering is given up on far sooner by the transport (its session-open
 * bound and keepalives); these bound a verb that runs but does not end. */
static const struct {
    const char *verb;
    int ms;
} verb_timeouts[] = {
    /* the journal and small files: seconds */
    {"put", 30 * SEC},
    {"put-files", 30 * SEC},
    {"dump", 30 * SEC},
    {"relink", 30 * SEC},
    {"writable", 30 * SEC},
    {"kerberos", 30 * SEC},
    {"copy", 60 * SEC},
    {"backup-conf", 60 * SEC},
    {"restore-conf", 60 * SEC},
    {"conf-bak-old", 60 * SEC},
    {"conf-restore-old", 60 * SEC},
    {"conf-clean-old", 60 * SEC},
    {"disk", 60 * SEC},
    /* a directory tree removed (an app, a backup) */
    {"rm", 2 * MIN},
    {"app-size", 2 * MIN},
    {"backup-space", 2 * MIN},
    {"om-kernel", 2 * MIN},
    /* a package read through (sha256) */
    {"sha256", 5 * MIN},
    /* the pre-check verbs together (sha256 and du the longest) */
    {"checks", 10 * MIN},
    /* an instance stopped, a standby promoted (STOP_TIMEOUT + REPLAY_DEADLINE) */
    {"stop-primary", 5 * MIN},
    {"promote-after", 5 * MIN},
    {"switch-dn", 5 * MIN},
    /* an app carried or restored, the catalog files copied */
    {"carry-app", 5 * MIN},
    {"backup-app", 5 * MIN},
    {"restore-app", 5 * MIN},
    {"clean-catalog", 5 * MIN},
    /* a server package extracted, the catalog backed up or restored */
    {"install-app", 10 * MIN},
    {"backup-catalog", 10 * MIN},
    {"restore-catalog", 10 * MIN},
    {"adopt-backup", 10 * MIN},
};

int worker_verb_timeout_ms(const char *verb)
{
    for (size_t i = 0; verb && i < ELEMENTSOF(verb_timeouts); i++)
        if (strcmp(verb, verb_timeouts[i].verb) == 0)
            return verb_timeouts[i].ms;
    return WORKER_TIMEOUT_MS;
}

size_t worker_verb_count(void)
{
    return ELEMENTSOF(verb_timeouts);
}

const char *worker_verb_at(size_t i)
{
    return i < ELEMENTSOF(verb_timeouts) ? verb_timeouts[i].verb : NULL;
}

/* A call's bound: the worker's own when set, else the verb's. */
static int worker_timeout(const struct worker *w, const char *verb)
{
    return w->timeout_ms > 0 ? w->timeout_ms : worker_verb_timeout_ms(verb);
}

/* argv = path --local verb_argv... into out (WORKER_ARGV_MAX). */
static int worker_argv(const struct worker *w, const char *const *verb_argv, const char **out,
                       struct og_error *err)
{
    size_t k = 0;

    out[k++] = w->path;
    out[k++] = "--local";
    for (size_t i = 0; verb_argv[i]; i++) {
        if (k == WORKER_ARGV_MAX - 1)
            return og_error_set(err, OG_E_INVALID_ARG, "too many worker arguments");
        out[k++] = verb_argv[i];
    }
    out[k] = NULL;
    return 0;
}

/* One node's run as a code: the transport's error, the worker's own code
 * from its stderr, or GAUSS-53507; the node named in the detail. */
int worker_outcome(const char *node, const char *verb, const struct command_result *res,
                   const struct og_error *terr, struct og_error *err)
{
    struct og_error pe = {0};

    if (terr->code) {
        *err = *terr;
        og_error_prefix(err, "%s", node);
        return -terr->code;
    }
    if (res->exit_status == 0)
        return 0;
    if (og_error_parse(res->err, &pe) < 0) {
        *err = pe;
        og_error_prefix(err, "%s", node);
        return -pe.code;
    }
    return og_error_set(err, OG_E_REMOTE_EXEC,
                        "Failed to execute gs_upgradectl --local %s command on %s: %s", verb, node,
                        res->err);
}

int worker_run_all(const struct worker *w, const char *const *nodes, size_t n,
                   const char *const *verb_argv, const void *input, size_t input_len, char **outs,
                   struct og_error *err)
{
    const char *argv[WORKER_ARGV_MAX];
    struct command_result res[CLUSTER_MAX_NODES];
    struct og_error errs[CLUSTER_MAX_NODES];
    struct transport_run_opts o = {
        .timeout_ms = worker_timeout(w, verb_argv[0]), .input = input, .input_len = input_len};
    int r = 0;

    if (n > CLUSTER_MAX_NODES)
        return og_error_set(err, OG_E_INVALID_ARG, "too many nodes");
    if (worker_argv(w, verb_argv, argv, err) < 0)
        return -OG_E_INVALID_ARG;
    memset(res, 0, sizeof(res));
    memset(errs, 0, sizeof(errs));
    transport_run_all(w->t, nodes, n, argv, &o, res, errs);
    for (size_t i = 0; i < n; i++) {
        if (outs)
            outs[i] = NULL;
        if (r == 0)
            r = worker_outcome(nodes[i], verb_argv[0], &res[i], &errs[i], err);
        if (r == 0 && outs) {
            outs[i] = res[i].out;
            res[i].out = NULL;
        }
        command_result_done(&res[i]);
    }
    if (r < 0 && outs)
        for (size_t i = 0; i < n; i++) {
            free(outs[i]);
            outs[i] = NULL;
        }
    return r;
}

int worker_run_each(const struct worker *w, const char *const *nodes, size_t n,
                    const char *const *const *verb_argvs, int *rcs, struct og_error *errs)
{
    const char *argv[CLUSTER_MAX_NODES][WORKER_ARGV_MAX];
    const char *const *argvs[CLUSTER_MAX_NODES];
    struct command_result res[CLUSTER_MAX_NODES];
    struct og_error terrs[CLUSTER_MAX_NODES];
    struct transport_run_opts o = {0};

    if (n > CLUSTER_MAX_NODES)
        return -OG_E_INVALID_ARG;
    if (n == 0)
        return 0;
    o.timeout_ms = worker_timeout(w, verb_argvs[0][0]); /* one verb on every node */
    for (size_t i = 0; i < n; i++) {
        if (worker_argv(w, verb_argvs[i], argv[i], &errs[i]) < 0)
            return -OG_E_INVALID_ARG;
        argvs[i] = argv[i];
    }
    memset(res, 0, sizeof(res));
    memset(terrs, 0, sizeof(terrs));
    transport_run_each(w->t, nodes, n, argvs, &o, res, terrs);
    for (size_t i = 0; i < n; i++) {
        rcs[i] = worker_outcome(nodes[i], verb_argvs[i][0], &res[i], &terrs[i], &errs[i]);
        command_result_done(&res[i]);
    }
    return 0;
}
