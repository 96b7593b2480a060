/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * plan.c - scenarios described in words.
 */
#include <stdio.h>
#include <string.h>

#include "expect.h"
#include "grey.h"
#include "plan.h"
#include "upgpath.h"
#include "versioncfg.h"
#include "banned.h"

void scn_failpoint_spec(const struct scn_step *s, char *buf, size_t size)
{
    size_t n = 0;

    buf[0] = '\0';
    for (size_t i = 0; i < s->n_fps && n < size; i++) {
        const struct scn_failpoint *f = &s->fps[i];
        char hit[16] = "";
        if (f->hit > 0)
            snprintf(hit, sizeof(hit), "@%d", f->hit);
        snprintf(buf + n, size - n, "%s%s=%s%s", i ? "," : "", f->name, f->action, hit);
        n = strlen(buf);
    }
}

enum scn_step_kind scn_rerun_action(const struct scenario *sc, size_t index)
{
    for (size_t i = index; i-- > 0;) {
        enum scn_step_kind k = sc->steps[i].kind;
        if (k == SCN_UPGRADE || k == SCN_ROLLBACK || k == SCN_COMMIT)
            return k;
    }
    return SCN_UPGRADE;
}

/* The plan an action runs: the last <upgrade>'s flags, else the OM tools of
 * the last <prepare>'s version (upgrader/lib/upgrade/upgpath: up to 5.0.1
 * in place, 5.0.2 on grey unless --inplace-upgrade, 6.0.0 grey only). */
const struct engine_plan *scn_step_plan(const struct scenario *sc, size_t index)
{
    const char *flags = NULL, *om = NULL;
    struct version_cfg v = {0};
    bool grey, inplace;

    for (size_t i = index + 1; i-- > 0;) {
        const struct scn_step *s = &sc->steps[i];
        if (!flags && s->kind == SCN_UPGRADE)
            flags = s->flags;
        if (!om && s->kind == SCN_PREPARE)
            om = s->version;
    }
    flags = flags ? flags : "";
    grey = strstr(flags, "--grey") || strstr(flags, "-h ") || strstr(flags, "--continue");
    inplace = strstr(flags, "--inplace-upgrade") != NULL;
    if (!om || version_parse_release(om, &v.major, &v.minor, &v.patch, &v.rc) < 0)
        return grey ? &grey_plan : &inplace_plan;
    return upgpath_default_mode(&v, grey, inplace) == UPGPATH_MODE_GREY ? &grey_plan
                                                                        : &inplace_plan;
}

static void fault_describe(const struct scn_fault *f, char *buf, size_t size)
{
    const struct fault_kind_info *k = fault_kind_info(f->kind);
    size_t n;

    snprintf(buf, size, "%s %s", fault_kind_name(f->kind), f->node);
    n = strlen(buf);
    switch (k ? k->arg : FAULT_ARG_NONE) {
    case FAULT_ARG_PEER:
        snprintf(buf + n, size - n, " | %s", f->peer);
        break;
    case FAULT_ARG_PERCENT:
        snprintf(buf + n, size - n, " %d%%", f->percent);
        break;
    case FAULT_ARG_FREE_BYTES:
        if (f->free_bytes >= 0)
            snprintf(buf + n, size - n, " leaving %lld bytes", f->free_bytes);
        break;
    default:
        break;
    }
    n = strlen(buf);
    if (f->id[0])
        snprintf(buf + n, size - n, " [%s]", f->id);
    n = strlen(buf);
    if (f->at_failpoint)
        snprintf(buf + n, size - n, " at the paused failpoint");
    else if (f->when_step[0])
        snprintf(buf + n, size - n, " when the journal records %s %s", f->when_step,
                 f->when_done ? "done" : "begin");
    n = strlen(buf);
    if (f->for_ms > 0)
        snprintf(buf + n, size - n, ", healed %d ms later", f->for_ms);
}

static void expect_exit(const struct scn_step *s, enum scn_step_kind action, char *buf, size_t size)
{
    size_t n;

    if (s->exit_code == SCN_EXIT_KILLED)
        snprintf(buf, size, "expect: killed");
    else if (s->exit_code == SCN_EXIT_CODED)
        snprintf(buf, size, "expect: exit %d or a coded error (exit %d, [GAUSS-/OGUP-])%s",
                 scn_action_success_exit(s, action), scn_action_failure_exit(action),
                 scn_step_has_kill_upgrader(s) ? " or killed" : "");
    else if (s->has_exit_alt)
        snprintf(buf, size, "expect: exit %d or %d", s->exit_code, s->exit_alt);
    else
        snprintf(buf, size, "expect: exit %d",
                 s->exit_code == SCN_EXIT_DEFAULT ? scn_action_success_exit(s, action)
                                                  : s->exit_code);
    n = strlen(buf);
    if (s->code[0])
        snprintf(buf + n, size - n, ", [%s]", s->code);
    n = strlen(buf);
    if (s->output[0])
        snprintf(buf + n, size - n, ", output \"%s\"", s->output);
}

void scn_step_describe(const struct scenario *sc, size_t index, char *buf, size_t size)
{
    const struct scn_step *s = &sc->steps[index];
    char fp[512], ex[300];

    switch (s->kind) {
    case SCN_PREPARE:
        snprintf(buf, size, "prepare %s: build its package, gs_preinstall on node1", s->version);
        break;
    case SCN_UPGRADE:
    case SCN_ROLLBACK:
    case SCN_COMMIT:
    case SCN_RERUN: {
        enum scn_step_kind action = s->kind == SCN_RERUN ? scn_rerun_action(sc, index) : s->kind;
        scn_failpoint_spec(s, fp, sizeof(fp));
        expect_exit(s, action, ex, sizeof(ex));
        snprintf(buf, size, "%s: %s%s%sgs_upgradectl -t %s%s%s%s (omm@node1); %s",
                 scn_step_kind_name(s->kind), fp[0] ? "OGUP_FAILPOINTS=" : "", fp, fp[0] ? " " : "",
                 scn_action_name(action), s->force ? " --force" : "", s->flags[0] ? " " : "",
                 s->flags, ex);
        break;
    }
    case SCN_FAULT:
        fault_describe(&s->fault, fp, sizeof(fp));
        snprintf(buf, size, "fault: ogfault %s", fp);
        break;
    case SCN_HEAL:
        if (s->heal_id[0])
            snprintf(buf, size, "heal: the fault [%s]", s->heal_id);
        else
            snprintf(buf, size, "heal: every fault (ogfault heal --all)");
        break;
    case SCN_WAIT:
        if (s->wait_normal)
            snprintf(buf, size, "wait: until cluster_state is Normal (at most %d s)",
                     s->wait_timeout_s);
        else
            snprintf(buf, size, "wait: %d ms", s->wait_ms);
        break;
    case SCN_CHECK: {
        size_t n;
        snprintf(buf, size, "check:");
        for (size_t i = 0; i < s->n_expects; i++) {
            char d[160];
            scn_expect_describe(&s->expects[i], d, sizeof(d));
            n = strlen(buf);
            snprintf(buf + n, size - n, "%s %s", i ? ";" : "", d);
        }
        break;
    }
    }
}

int scn_plan(const struct scenario *sc, struct dynbuf *out)
{
    char line[2048];

    dynbuf_addf(out, "scenario %s (suite %s)%s%s\n", sc->id, sc->suite[0] ? sc->suite : "-",
                sc->title[0] ? ": " : "", sc->title);
    dynbuf_addf(out, "  file     %s\n", sc->file);
    dynbuf_addf(out, "  cluster  %d node%s, openGauss %s, %d user database%s", sc->nodes,
                sc->nodes == 1 ? "" : "s", sc->version, sc->databases,
                sc->databases == 1 ? "" : "s");
    if (sc->driver[0])
        dynbuf_addf(out, " on %s nodes", sc->driver);
    for (size_t i = 0; i < sc->n_mot; i++)
        dynbuf_addf(out, "%s%s.%s", i ? ", " : "; MOT tables ", sc->mot[i].database,
                    sc->mot[i].table);
    if (sc->workload)
        dynbuf_addf(out, "; workload %d writer%s, %d reader%s", sc->writers,
                    sc->writers == 1 ? "" : "s", sc->readers, sc->readers == 1 ? "" : "s");
    if (sc->workload && sc->rate)
        dynbuf_addf(out, " at %d commits/s each", sc->rate);
    if (sc->workload && sc->duration_s)
        dynbuf_addf(out, " for %d s", sc->duration_s);
    dynbuf_adds(out, "\n");
    for (size_t i = 0; i < sc->n_steps; i++) {
        const struct scn_step *s = &sc->steps[i];
        scn_step_describe(sc, i, line, sizeof(line));
        dynbuf_addf(out, "  %2zu. %s\n", i + 1, line);
        for (size_t k = 0; k < s->n_during; k++) {
            fault_describe(&s->during[k], line, sizeof(line));
            dynbuf_addf(out, "        during: ogfault %s\n", line);
        }
    }
    if (sc->n_expects) {
        for (size_t i = 0; i < sc->n_expects; i++) {
            scn_expect_describe(&sc->expects[i], line, sizeof(line));
            dynbuf_addf(out, "  %-8s %s\n", i ? "" : "expect", line);
        }
    }
    return dynbuf_appends(out, "  then     workload check, bundle, fault sweep\n");
}
