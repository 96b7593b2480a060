/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * runner_workload.c - the scenario's client workload: ogsim workload start,
 * stop and check, its figures into the result and its longest gap onto the
 * timeline (runner_int.h).
 */
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

#include "runner_int.h"
#include "banned.h"

/* ---- the workload -------------------------------------------------------------------------------
 */

int rn_workload_cmd(struct runner *rn, const char *verb, struct command_result *res,
                    struct og_error *err)
{
    char hosts[512], port[16], w[16], r[16], d[16], rate[16];
    const char *argv[24];
    size_t n = 0;
    double t0 = rn_now_s();
    int rc;

    sim_hosts_csv(&rn->g->c, hosts, sizeof(hosts));
    snprintf(port, sizeof(port), "%d", rn->g->c.port);
    argv[n++] = rn->o->ogsim;
    argv[n++] = "workload";
    argv[n++] = verb;
    argv[n++] = "--state-dir";
    argv[n++] = rn->wl_dir;
    if (strcmp(verb, "stop") != 0) {
        argv[n++] = "--hosts";
        argv[n++] = hosts;
        argv[n++] = "--port";
        argv[n++] = port;
    }
    if (strcmp(verb, "start") == 0) {
        snprintf(w, sizeof(w), "%d", rn->sc->writers);
        snprintf(r, sizeof(r), "%d", rn->sc->readers);
        argv[n++] = "--dbname";
        argv[n++] = WORKLOAD_DB;
        argv[n++] = "--writers";
        argv[n++] = w;
        argv[n++] = "--readers";
        argv[n++] = r;
        if (rn->sc->rate > 0) {
            snprintf(rate, sizeof(rate), "%d", rn->sc->rate);
            argv[n++] = "--rate";
            argv[n++] = rate;
        }
        if (rn->sc->duration_s > 0) {
            snprintf(d, sizeof(d), "%d", rn->sc->duration_s);
            argv[n++] = "--duration";
            argv[n++] = d;
        }
    }
    if (strcmp(verb, "check") == 0) {
        argv[n++] = "--json";
        argv[n++] = "--catchup-timeout";
        argv[n++] = "120";
    }
    argv[n] = NULL;
    rc = rn_host_run(argv, 300000, res, err);
    {
        char what[64];
        snprintf(what, sizeof(what), "ogsim workload %s", verb);
        rn_bundle_command(rn, "workload", what, rn_now_s() - t0, rc == 0 ? res : NULL,
                          rc < 0 ? err->detail : NULL);
    }
    return rc;
}

static double jnum(json_object *o, const char *a, const char *b)
{
    json_object *v;

    if (!json_object_object_get_ex(o, a, &v) || (b && !json_object_object_get_ex(v, b, &v)))
        return -1;
    return json_object_get_double(v);
}

/* The workload's figures into the result; its longest gap onto the
 * timeline (the workload runs on this host: the same monotonic clock). */
static void workload_figures(struct runner *rn, json_object *j, long long lost)
{
    struct scn_workload *w = &rn->res->wl;
    json_object *c;
    double from_ns = -1;

    w->have = true;
    w->acked = (long long)jnum(j, "acked", NULL);
    w->in_doubt = (long long)jnum(j, "in_doubt", NULL);
    w->lost = lost;
    w->p99_ms = jnum(j, "latency_ms", "p99");
    w->gap_ms = jnum(j, "longest_gap", "ms");
    w->reconnects = w->read_only = 0;
    if (json_object_object_get_ex(j, "clients", &c) && json_object_is_type(c, json_type_object)) {
        static const char *const kinds[] = {"writer", "reader"};
        for (size_t i = 0; i < ELEMENTSOF(kinds); i++) {
            json_object *cl;
            if (!json_object_object_get_ex(c, kinds[i], &cl))
                continue;
            w->reconnects += (long long)jnum(cl, "reconnects", NULL);
            w->read_only += (long long)jnum(cl, "read_only", NULL);
        }
    }
    from_ns = jnum(j, "longest_gap", "from_monotonic_ns");
    w->gap_at = from_ns > 0 ? (long long)(from_ns / 1e6 - rn->t0 * 1000) : -1;
    if (w->gap_at >= 0)
        scn_result_add_event(rn->res, w->gap_at, "gap",
                             "the workload's longest gap without an acknowledged write");
}

int rn_workload_start(struct runner *rn)
{
    _cleanup_command_result_ struct command_result wr = {0};
    struct og_error err = {0};

    snprintf(rn->wl_dir, sizeof(rn->wl_dir), "%s/workload", rn->bundle);
    if (rn_workload_cmd(rn, "start", &wr, &err) < 0 || wr.exit_status != 0) {
        rn_harness_error(rn, "workload start: %.300s", wr.err ? wr.err : err.detail);
        return -OG_E_CMD_FAILED;
    }
    rn->workload_started = true;
    rn_say(rn, "  workload started (%d writers, %d readers)\n", rn->sc->writers, rn->sc->readers);
    return 0;
}

void rn_workload_report(struct runner *rn, struct scn_observed *o)
{
    _cleanup_command_result_ struct command_result res = {0};
    struct og_error err = {0};
    json_object *j, *v, *nodes;

    o->have_workload = false;
    if (rn_workload_cmd(rn, "check", &res, &err) < 0) {
        snprintf(o->workload_error, sizeof(o->workload_error), "%s", err.detail);
        return;
    }
    rn_bundle_write(rn, "workload-report.json", res.out);
    j = json_tokener_parse(res.out);
    if (!j) {
        snprintf(o->workload_error, sizeof(o->workload_error), "check printed no JSON: %.200s",
                 res.err);
        return;
    }
    if (json_object_object_get_ex(j, "error", &v) && json_object_is_type(v, json_type_object)) {
        json_object *d;
        snprintf(o->workload_error, sizeof(o->workload_error), "%s",
                 json_object_object_get_ex(v, "detail", &d) ? json_object_get_string(d)
                                                            : "check failed");
        json_object_put(j);
        return;
    }
    o->have_workload = true;
    o->lost = 0;
    if (json_object_object_get_ex(j, "nodes", &nodes))
        for (size_t i = 0; i < json_object_array_length(nodes); i++) {
            json_object *n = json_object_array_get_idx(nodes, i), *f;
            if (json_object_object_get_ex(n, "lost", &f))
                o->lost += json_object_get_int64(f);
            if (json_object_object_get_ex(n, "checked", &f) && !json_object_get_boolean(f)) {
                size_t len = strlen(o->workload_error);
                json_object *h, *e;
                snprintf(o->workload_error + len, sizeof(o->workload_error) - len,
                         "%s%s not checked%s%s", len ? "; " : "",
                         json_object_object_get_ex(n, "host", &h) ? json_object_get_string(h) : "?",
                         json_object_object_get_ex(n, "error", &e) ? ": " : "",
                         json_object_object_get_ex(n, "error", &e) ? json_object_get_string(e)
                                                                   : "");
            }
        }
    o->read_only = 0;
    if (json_object_object_get_ex(j, "clients", &v) && json_object_object_get_ex(v, "writer", &v) &&
        json_object_object_get_ex(v, "read_only", &v))
        o->read_only = json_object_get_int64(v);
    o->gap_ms = -1;
    if (json_object_object_get_ex(j, "longest_gap", &v) && json_object_object_get_ex(v, "ms", &v))
        o->gap_ms = (long long)json_object_get_double(v);
    workload_figures(rn, j, o->lost);
    json_object_put(j);
    if (o->workload_error[0])
        o->have_workload = o->lost >= 0; /* judged, with the error noted */
}
