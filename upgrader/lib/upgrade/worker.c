/* SPDX-License-Identifier: MulanPSL-2.0 */
#include <stdlib.h>
#include <string.h>

#include "clusterconfig.h"
#include "worker.h"
#include "banned.h"

#define WORKER_ARGV_MAX 32

int worker_run_all(const struct worker *w, const char *const *nodes, size_t n,
                   const char *const *verb_argv, const void *input, size_t input_len, char **outs,
                   struct og_error *err)
{
    const char *argv[WORKER_ARGV_MAX];
    struct command_result res[CLUSTER_MAX_NODES];
    struct og_error errs[CLUSTER_MAX_NODES];
    struct transport_run_opts o = {.timeout_ms =
                                       w->timeout_ms > 0 ? w->timeout_ms : WORKER_TIMEOUT_MS,
                                   .input = input,
                                   .input_len = input_len};
    size_t k = 0;
    int r = 0;

    if (n > CLUSTER_MAX_NODES)
        return og_error_set(err, OG_E_INVALID_ARG, "too many nodes");
    argv[k++] = w->path;
    argv[k++] = "--local";
    for (size_t i = 0; verb_argv[i]; i++) {
        if (k == WORKER_ARGV_MAX - 1)
            return og_error_set(err, OG_E_INVALID_ARG, "too many worker arguments");
        argv[k++] = verb_argv[i];
    }
    argv[k] = NULL;
    memset(res, 0, sizeof(res));
    memset(errs, 0, sizeof(errs));
    transport_run_all(w->t, nodes, n, argv, &o, res, errs);
    for (size_t i = 0; i < n; i++) {
        if (outs)
            outs[i] = NULL;
        if (r == 0 && errs[i].code) {
            *err = errs[i];
            og_error_prefix(err, "%s", nodes[i]);
            r = -errs[i].code;
        } else if (r == 0 && res[i].exit_status != 0) {
            struct og_error pe = {0};
            if (og_error_parse(res[i].err, &pe) < 0) {
                *err = pe;
                og_error_prefix(err, "%s", nodes[i]);
                r = -pe.code;
            } else {
                r = og_error_set(err, OG_E_REMOTE_EXEC,
                                 "Failed to execute gs_upgradectl --local %s command on %s: %s",
                                 verb_argv[0], nodes[i], res[i].err);
            }
        } else if (outs && !errs[i].code && res[i].exit_status == 0) {
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
