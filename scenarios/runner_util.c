/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * runner_util.c - the runner's small helpers: log, checks and steps of the result, host and node
 * commands, the bundle (runner_int.h).
 */
#include <errno.h>
#include <json-c/json.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "fs.h"
#include "inplace.h"
#include "journal.h"
#include "runner_int.h"
#include "shquote.h"
#include "banned.h"

/* ---- small helpers ------------------------------------------------------------------------ */

double rn_now_s(void)
{
    return (double)og_now_ns() / 1e9;
}

void rn_say(struct runner *rn, const char *fmt, ...) _printf_(2, 3);
void rn_say(struct runner *rn, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vfprintf(rn->log, fmt, ap);
    va_end(ap);
    fflush(rn->log);
}

/* The first failure decides the message (one line); an error outranks a failure. */
void rn_set_message(struct runner *rn, enum scn_verdict v, const char *msg)
{
    if (rn->res->verdict == SCN_PASS || (v == SCN_ERROR && rn->res->verdict != SCN_ERROR)) {
        if (rn->res->verdict == SCN_PASS || !rn->res->message[0]) {
            snprintf(rn->res->message, sizeof(rn->res->message), "%s", msg);
            for (char *p = rn->res->message; *p; p++)
                if (*p == '\n' || *p == '\r' || *p == '\t')
                    *p = ' ';
        }
        rn->res->verdict = v;
    }
}

void rn_harness_error(struct runner *rn, const char *fmt, ...) _printf_(2, 3);
void rn_harness_error(struct runner *rn, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    rn_say(rn, "    ERROR %s\n", msg);
    rn_set_message(rn, SCN_ERROR, msg);
}

void rn_add_check(struct runner *rn, const struct scn_check *c)
{
    scn_result_add_check(rn->res, c);
    rn_say(rn, "      %s %s: %s\n", c->pass ? "ok  " : "FAIL", c->what, c->detail);
    if (!c->pass) {
        char msg[1024];
        snprintf(msg, sizeof(msg), "%s (line %d): %s", c->what, c->line, c->detail);
        rn_set_message(rn, SCN_FAIL, msg);
    }
}

void rn_add_step(struct runner *rn, const char *label, int line, double t0, bool ok,
                 const char *detail)
{
    struct scn_step_result s = {0};

    snprintf(s.label, sizeof(s.label), "%s", label);
    s.line = line;
    s.seconds = rn_now_s() - t0;
    s.ok = ok;
    snprintf(s.detail, sizeof(s.detail), "%s", detail ? detail : "");
    scn_result_add_step(rn->res, &s);
}

bool rn_failed(const struct runner *rn)
{
    return rn->res->verdict != SCN_PASS;
}

/* A host command; 0 when it ran (exit status in res). */
int rn_host_run(const char *const *argv, int timeout_ms, struct command_result *res,
                struct og_error *err)
{
    _cleanup_command_ struct command *cmd = command_new(argv);

    if (!cmd)
        return og_error_set(err, OG_E_NOMEM, "command");
    command_set_timeout_ms(cmd, timeout_ms);
    command_passenv(cmd, "OGSIM_STATE_DIR");
    return command_run(cmd, res, err);
}

/* bash -lc script on node as user (the openGauss environment). */
int rn_node_sh(const struct runner *rn, const char *node, const char *user, const char *script,
               int timeout_ms, struct command_result *res, struct og_error *err)
{
    const char *argv[] = {"bash", "-lc", script, NULL};

    return sim_exec(&rn->g->c, node, user, argv, timeout_ms, res, err);
}

/* The bundle file <bundle>/<name> with text. */
void rn_bundle_write(struct runner *rn, const char *name, const char *text)
{
    char p[PATH_MAX + 64];

    snprintf(p, sizeof(p), "%s/%s", rn->bundle, name);
    fs_replace_file(p, text ? text : "", text ? strlen(text) : 0, 0644, NULL);
}

/* A command's record in <bundle>/commands/NN-name.txt. */
void rn_bundle_command(struct runner *rn, const char *name, const char *what, double secs,
                       const struct command_result *res, const char *error)
{
    _cleanup_dynbuf_ struct dynbuf b = {0};
    char file[128];

    dynbuf_init(&b, 16u * 1024 * 1024);
    dynbuf_addf(&b, "$ %s\n# %.1f s", what, secs);
    if (error && error[0])
        dynbuf_addf(&b, ", could not run: %s", error);
    else if (res)
        dynbuf_addf(&b, ", exit %d%s", res->exit_status, res->term_signal ? " (signal)" : "");
    dynbuf_addf(&b, "\n--- stdout\n%s\n--- stderr\n%s\n", res && res->out ? res->out : "",
                res && res->err ? res->err : "");
    if (dynbuf_error(&b)) { /* what fitted, and that it is not all */
        dynbuf_reset(&b);
        dynbuf_addf(&b, "$ %s\n# %.1f s; its output exceeds %zu bytes: see the node's logs\n", what,
                    secs, b.max);
    }
    snprintf(file, sizeof(file), "commands/%02zu-%s.txt", ++rn->n_cmd, name);
    rn_bundle_write(rn, file, dynbuf_str(&b));
}

/* Host path of a node path under the install root. */
void rn_host_path(const struct runner *rn, const char *node, const char *node_path, char *buf,
                  size_t size)
{
    const struct sim_cluster *c = &rn->g->c;
    size_t rl = strlen(c->install_root);

    snprintf(buf, size, "%s/nodes/%s/install%s", c->state_dir, node,
             strncmp(node_path, c->install_root, rl) == 0 ? node_path + rl : node_path);
}

void rn_journal_file(const struct runner *rn, const char *node, const char *file, char *buf,
                     size_t size)
{
    char p[PATH_MAX];

    snprintf(p, sizeof(p), "%s/" JOURNAL_DIR_NAME "%s%s", rn->g->c.tmp_path, *file ? "/" : "",
             file);
    rn_host_path(rn, node, p, buf, size);
}

void rn_read_ogup_step(const struct runner *rn, char *buf, size_t size)
{
    char p[PATH_MAX];
    _cleanup_free_ char *text = NULL;

    buf[0] = '\0';
    rn_journal_file(rn, "node1", INPLACE_STEP_FILE, p, sizeof(p));
    if (fs_read_file(p, 4096, &text, NULL, NULL) == 0) {
        text[strcspn(text, "\n")] = '\0';
        snprintf(buf, size, "%s", text);
    }
}

void rn_copy_tree(const char *src, const char *dst)
{
    _cleanup_command_result_ struct command_result res = {0};
    const char *argv[] = {"cp", "-a", "--", src, dst, NULL};

    if (access(src, F_OK) == 0)
        rn_host_run(argv, 120000, &res, NULL);
}

void rn_event(struct runner *rn, double t, const char *kind, const char *fmt, ...)
{
    char text[256];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(text, sizeof(text), fmt, ap);
    va_end(ap);
    scn_result_add_event(rn->res, (long long)((t - rn->t0) * 1000), kind, text);
}
