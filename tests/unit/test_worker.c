/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * The node-local worker (`gs_upgradectl --local`) and the journal's
 * distribution through it, on "nodes" that run locally (the transport's
 * local path): the real worker binary, its verbs, its coded errors turned
 * back into codes with the node named.
 */
#include <criterion/criterion.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "command.h"
#include "fs.h"
#include "jdist.h"
#include "precheck.h"
#include "worker.h"

#include "../helpers/tmpdir.h"

static char tmp[PATH_MAX], worker_path[PATH_MAX + 32];
static struct transport *t;
static struct worker w;
static const char *nodes[] = {"n1", "n2"};

static void setup(void)
{
    struct og_error err = {0};
    struct transport_opts o = {.local_mode = TRANSPORT_LOCAL_NEVER};

    /* the worker refuses root (issue 15): it runs as the cluster user */
    if (geteuid() == 0)
        cr_assert(setgid(65534) == 0 && setuid(65534) == 0, "cannot become nobody");
    cr_assert_eq(tmpdir_make("worker", tmp, sizeof(tmp)), 0);
    snprintf(worker_path, sizeof(worker_path), "%s/gs_upgradectl", tmp);
    cr_assert_eq(symlink(OGOM_PATH, worker_path), 0);
    cr_assert_eq(transport_new(&o, &t, &err), 0, "%s", err.detail);
    for (size_t i = 0; i < 2; i++) {
        cr_assert_eq(transport_add_node(t, nodes[i], "127.0.0.1", 22, &err), 0);
        cr_assert_eq(transport_set_local(t, nodes[i], true, &err), 0);
    }
    w = (struct worker){.t = t, .path = worker_path};
}

static void teardown(void)
{
    transport_free(t);
    tmpdir_remove(tmp);
}

TestSuite(worker, .init = setup, .fini = teardown, .timeout = 60);

Test(worker, put_dump_reconcile_remove)
{
    struct og_error err = {0};
    char dir[PATH_MAX + 16], path[PATH_MAX + 64];
    char *outs[2] = {0};
    struct journal_view v;
    struct stat st;
    const char *dump[] = {"dump", dir, NULL};

    snprintf(dir, sizeof(dir), "%s/binary_upgrade", tmp);
    snprintf(path, sizeof(path), "%s/upgrade_step.dat", dir);
    {
        const char *put[] = {"put", path, "0600", NULL};
        const char *text = "inplace-binary-upgrade:4\n";
        /* one writer: both "nodes" share this host's file system */
        cr_assert_eq(worker_run_all(&w, nodes, 1, put, text, strlen(text), NULL, &err), 0, "%s",
                     err.detail);
    }
    cr_assert_eq(stat(path, &st), 0);
    cr_assert_eq(st.st_mode & 0777, 0600);
    cr_assert_eq(stat(dir, &st), 0);
    cr_assert_eq(st.st_mode & 0777, 0700, "the journal dir is private");

    cr_assert_eq(worker_run_all(&w, nodes, 2, dump, NULL, 0, outs, &err), 0, "%s", err.detail);
    cr_assert_not_null(strstr(outs[1], "\"upgrade_step.dat\":\"inplace-binary-upgrade:4\\n\""),
                       "%s", outs[1]);
    free(outs[0]);
    free(outs[1]);

    cr_assert_eq(jdist_reconcile(&w, nodes, 2, dir, tmp, true, &v, &err), 0, "%s", err.detail);
    cr_assert(v.present && v.has_dat);
    cr_assert_eq(v.dat.step, 4);

    cr_assert_eq(jdist_push_dir(&w, nodes, 1, dir, &err), 0, "%s", err.detail);
    cr_assert_eq(jdist_remove(&w, nodes, 2, dir, "upgrade_step.dat", &err), 0);
    cr_assert_neq(access(path, F_OK), 0);
    cr_assert_eq(jdist_remove(&w, nodes, 2, dir, NULL, &err), 0);
    cr_assert_neq(access(dir, F_OK), 0);
    cr_assert_eq(jdist_remove(&w, nodes, 2, dir, "../x", &err), -OG_E_INVALID_ARG);
}

/* put-files: one process writes a journal record's files in order, removes
 * those given "-", and writes nothing when stdin does not match the lengths. */
Test(worker, put_files_in_order_in_one_process)
{
    struct og_error err = {0};
    char dir[PATH_MAX + 16], a[PATH_MAX + 32], b[PATH_MAX + 32], gone[PATH_MAX + 32];
    _cleanup_free_ char *ta = NULL, *tb = NULL;

    snprintf(dir, sizeof(dir), "%s/binary_upgrade", tmp);
    snprintf(a, sizeof(a), "%s/upgrade_step.csv", dir);
    snprintf(b, sizeof(b), "%s/ogup_manifest", dir);
    snprintf(gone, sizeof(gone), "%s/old_flag", dir);
    cr_assert_eq(fs_mkdir_p(dir, 0700, &err), 0);
    cr_assert_eq(fs_replace_file(gone, "x", 1, 0600, &err), 0);
    {
        const char *v[] = {"put-files", "0600", gone, "-", a, "4", b, "3", NULL};
        cr_assert_eq(worker_run_all(&w, nodes, 1, v, "stepgen", 7, NULL, &err), 0, "%s",
                     err.detail);
    }
    cr_assert_neq(access(gone, F_OK), 0, "removed");
    cr_assert_eq(fs_read_file(a, 64, &ta, NULL, &err), 0);
    cr_assert_eq(fs_read_file(b, 64, &tb, NULL, &err), 0);
    cr_assert_str_eq(ta, "step");
    cr_assert_str_eq(tb, "gen");
    {
        /* 6 bytes for 7: OGUP content invalid, both files as they were */
        const char *v[] = {"put-files", "0600", a, "4", b, "3", NULL};
        cr_assert_eq(worker_run_all(&w, nodes, 1, v, "STEPGE", 6, NULL, &err),
                     -OG_E_CONTENT_INVALID);
        cr_assert_not_null(strstr(err.detail, "nothing written"), "%s", err.detail);
    }
    free(ta);
    ta = NULL;
    cr_assert_eq(fs_read_file(a, 64, &ta, NULL, &err), 0);
    cr_assert_str_eq(ta, "step");
    {
        const char *v[] = {"put-files", "0600", "relative/x", "1", NULL};
        cr_assert_eq(worker_run_all(&w, nodes, 1, v, "x", 1, NULL, &err), -OG_E_UNSAFE_ARG);
    }
    {
        const char *v[] = {"put-files", "0600", a, NULL};
        cr_assert_eq(worker_run_all(&w, nodes, 1, v, "x", 1, NULL, &err), -OG_E_PARAM_INVALID);
    }
    /* a MODE is octal permission bits: anything else is refused, nothing written */
    {
        const char *bad[] = {"0680", "rw", "", "-600", "01777"};
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
            const char *v[] = {"put-files", bad[i], a, "1", NULL};
            const char *put[] = {"put", a, bad[i], NULL};
            cr_assert_eq(worker_run_all(&w, nodes, 1, v, "x", 1, NULL, &err), -OG_E_PARAM_INVALID,
                         "put-files mode \"%s\"", bad[i]);
            cr_assert_not_null(strstr(err.detail, "put-files: mode"), "%s", err.detail);
            cr_assert_eq(worker_run_all(&w, nodes, 1, put, "x", 1, NULL, &err), -OG_E_PARAM_INVALID,
                         "put mode \"%s\"", bad[i]);
            cr_assert_not_null(strstr(err.detail, "put: mode"), "%s", err.detail);
        }
    }
    free(ta);
    ta = NULL;
    cr_assert_eq(fs_read_file(a, 64, &ta, NULL, &err), 0);
    cr_assert_str_eq(ta, "step");
}

/* Each node its own argv, all at once; each outcome apart, naming its node. */
Test(worker, run_each_gives_every_node_its_own_argv_and_outcome)
{
    struct og_error errs[2];
    char a[PATH_MAX + 16], b[PATH_MAX + 16];
    const char *va[] = {"writable", a, NULL}, *vb[] = {"writable", b, NULL};
    const char *const *argvs[] = {va, vb};
    int rcs[2] = {1, 1};

    snprintf(a, sizeof(a), "%s/a", tmp);
    snprintf(b, sizeof(b), "relative/b");
    cr_assert_eq(fs_mkdir_p(a, 0700, &errs[0]), 0);
    memset(errs, 0, sizeof(errs));
    cr_assert_eq(worker_run_each(&w, nodes, 2, argvs, rcs, errs), 0);
    cr_assert_eq(rcs[0], 0, "%s", errs[0].detail);
    cr_assert_eq(rcs[1], -OG_E_UNSAFE_ARG, "%d %s", rcs[1], errs[1].detail);
    cr_assert_not_null(strstr(errs[1].detail, nodes[1]), "%s", errs[1].detail);
    cr_assert_eq(errs[0].code, 0);
}

Test(worker, relink_copy_and_confs)
{
    struct og_error err = {0};
    char link[PATH_MAX + 16], a[PATH_MAX + 16], b[PATH_MAX + 16], got[PATH_MAX];
    char data[PATH_MAX + 16], bak[PATH_MAX + 16], p[PATH_MAX + 64];
    _cleanup_free_ char *text = NULL;
    ssize_t n;

    snprintf(link, sizeof(link), "%s/app", tmp);
    snprintf(a, sizeof(a), "%s/app_aaaa", tmp);
    snprintf(b, sizeof(b), "%s/app_bbbb", tmp);
    cr_assert_eq(fs_mkdir_p(a, 0755, &err), 0);
    cr_assert_eq(fs_mkdir_p(b, 0755, &err), 0);
    {
        const char *v[] = {"relink", link, b, NULL};
        cr_assert_eq(worker_run_all(&w, nodes, 1, v, NULL, 0, NULL, &err), 0, "%s", err.detail);
    }
    n = readlink(link, got, sizeof(got) - 1);
    cr_assert_gt(n, 0);
    got[n] = '\0';
    cr_assert_str_eq(got, "app_bbbb", "a relative link beside its target");
    {
        const char *v[] = {"relink", link, "/nonexistent/app", NULL};
        cr_assert_eq(worker_run_all(&w, nodes, 1, v, NULL, 0, NULL, &err), -OG_E_NOT_EXIST);
        cr_assert_not_null(strstr(err.detail, "n1"), "the node is named: %s", err.detail);
    }
    {
        /* a real directory at $GAUSSHOME is never replaced */
        const char *v[] = {"relink", a, b, NULL};
        cr_assert_eq(worker_run_all(&w, nodes, 1, v, NULL, 0, NULL, &err), -OG_E_NOT_SYMLINK);
    }
    /* configuration backup: taken once, restored on request */
    snprintf(data, sizeof(data), "%s/dn1", tmp);
    snprintf(bak, sizeof(bak), "%s/backup", tmp);
    cr_assert_eq(fs_mkdir_p(data, 0700, &err), 0);
    snprintf(p, sizeof(p), "%s/postgresql.conf", data);
    cr_assert_eq(fs_replace_file(p, "port = 1\n", 9, 0600, &err), 0);
    {
        const char *v[] = {"backup-conf", data, bak, NULL};
        cr_assert_eq(worker_run_all(&w, nodes, 1, v, NULL, 0, NULL, &err), 0, "%s", err.detail);
        cr_assert_eq(fs_replace_file(p, "port = 2\n", 9, 0600, &err), 0);
        cr_assert_eq(worker_run_all(&w, nodes, 1, v, NULL, 0, NULL, &err), 0);
    }
    {
        const char *v[] = {"restore-conf", bak, data, NULL};
        cr_assert_eq(worker_run_all(&w, nodes, 1, v, NULL, 0, NULL, &err), 0, "%s", err.detail);
    }
    cr_assert_eq(fs_read_file(p, 4096, &text, NULL, &err), 0);
    cr_assert_str_eq(text, "port = 1\n", "the first backup is the one restored");
    {
        char src[PATH_MAX + 64], dst[PATH_MAX + 64];
        snprintf(src, sizeof(src), "%s/postgresql.conf", data);
        snprintf(dst, sizeof(dst), "%s/copied.conf", tmp);
        const char *v[] = {"copy", src, dst, NULL};
        cr_assert_eq(worker_run_all(&w, nodes, 1, v, NULL, 0, NULL, &err), 0, "%s", err.detail);
        cr_assert_eq(access(dst, F_OK), 0);
    }
}

Test(worker, refusals_keep_their_codes)
{
    struct og_error err = {0};
    const char *rel[] = {"rm", "relative/path", NULL};
    const char *unknown[] = {"frobnicate", "/x", NULL};
    const char *disk[] = {"disk", "0", "/", NULL};

    cr_assert_eq(worker_run_all(&w, nodes, 2, rel, NULL, 0, NULL, &err), -OG_E_UNSAFE_ARG);
    cr_assert_eq(worker_run_all(&w, nodes, 1, unknown, NULL, 0, NULL, &err), -OG_E_PARAM_INVALID);
    cr_assert_eq(worker_run_all(&w, nodes, 1, disk, NULL, 0, NULL, &err), -OG_E_DISK_USAGE_EXCEEDS);
    cr_assert_not_null(strstr(err.detail, "n1"), "%s", err.detail);
}

/* `--local checks`: several pre-check verbs in one call, each answered in
 * order with its own result and error line; a malformed group list is the
 * call's own GAUSS-50004 */
Test(worker, checks_answers_each_verb_in_order)
{
    struct og_error err = {0};
    char missing[PATH_MAX + 16], *outs[1] = {0};
    const char *bad[] = {"checks", "9", "writable", tmp, NULL};
    const char *unknown[] = {"checks", "2", "put", tmp, NULL};

    snprintf(missing, sizeof(missing), "%s/missing", tmp);
    {
        const char *v[] = {"checks", "2", "writable", tmp, "2", "writable",
                           missing,  "2", "kerberos", tmp, NULL};
        const char *p;
        cr_assert_eq(worker_run_all(&w, nodes, 1, v, NULL, 0, outs, &err), 0, "%s", err.detail);
        const char first[] = "ogup-check 0 0\nogup-check -50201 ";
        cr_assert(strncmp(outs[0], first, sizeof(first) - 1) == 0, "%s", outs[0]);
        p = strstr(outs[0], "[GAUSS-50201] : The ");
        cr_assert_not_null(p, "%s", outs[0]);
        cr_assert_not_null(strstr(p, "missing does not exist."), "%s", outs[0]);
        cr_assert_str_eq(outs[0] + strlen(outs[0]) - 15, "ogup-check 0 0\n", "%s", outs[0]);
        free(outs[0]);
    }
    cr_assert_eq(worker_run_all(&w, nodes, 1, bad, NULL, 0, NULL, &err), -OG_E_PARAM_INVALID);
    /* a verb that is no pre-check is answered as unknown, never run */
    cr_assert_eq(worker_run_all(&w, nodes, 1, unknown, NULL, 0, outs, &err), 0, "%s", err.detail);
    cr_assert(strncmp(outs[0], "ogup-check -50004 ", strlen("ogup-check -50004 ")) == 0, "%s",
              outs[0]);
    free(outs[0]);
}

/* The pre-checks' prefetch: every node asked once for all its node-local
 * verbs; the checks then answer from it (the worker gone afterwards changes
 * nothing) with the first failing node named, as their own calls would. */
Test(worker, precheck_local_answers_from_one_call_per_node)
{
    static struct cluster_config cfg;
    struct og_error err = {0};
    struct precheck_local *l;
    const char *ids[] = {"datadir-writable", "backup-space", "not-root"};
    struct precheck_env e = {.xml = &cfg, .t = t, .worker = worker_path, .gphome = tmp};

    memset(&cfg, 0, sizeof(cfg));
    cfg.n_nodes = 2;
    snprintf(cfg.app_path, sizeof(cfg.app_path), "%s", tmp);
    snprintf(cfg.tmp_path, sizeof(cfg.tmp_path), "%s", tmp);
    for (size_t i = 0; i < 2; i++)
        snprintf(cfg.nodes[i].name, sizeof(cfg.nodes[i].name), "%s", nodes[i]);
    snprintf(cfg.nodes[0].datadir, sizeof(cfg.nodes[0].datadir), "%s", tmp);
    snprintf(cfg.nodes[1].datadir, sizeof(cfg.nodes[1].datadir), "%s/gone", tmp);
    l = precheck_local_fetch(&e, ids, 3);
    cr_assert_not_null(l);
    e.local = l;
    e.worker = "/nonexistent/gs_upgradectl"; /* every answer must come from l */
    cr_assert_eq(precheck_datadir_writable(&e, &err), -OG_E_NOT_EXIST, "%s", err.detail);
    cr_assert_not_null(strstr(err.detail, "n2"), "%s", err.detail);
    cr_assert_not_null(strstr(err.detail, "gone does not exist"), "%s", err.detail);
    cr_assert_eq(precheck_backup_space(&e, &err), 0, "%s", err.detail);
    /* a check that was not asked for calls the worker (here: gone) */
    cr_assert_lt(precheck_app_size(&e, &err), 0);
    precheck_local_free(l);
}

/* restore-conf from a backup that is not there: a coded error, never a
 * rollback that silently keeps the new configuration (issue 15 row 7) */
Test(worker, restore_conf_missing_backup_is_an_error)
{
    struct og_error err = {0};
    char from[PATH_MAX + 16], to[PATH_MAX + 16], conf[PATH_MAX + 64];
    const char *verb[] = {"restore-conf", from, to, NULL};

    snprintf(from, sizeof(from), "%s/backup", tmp);
    snprintf(to, sizeof(to), "%s/data", tmp);
    cr_assert_eq(fs_mkdir_p(to, 0700, &err), 0);
    cr_assert_eq(worker_run_all(&w, nodes, 1, verb, NULL, 0, NULL, &err), -OG_E_BACKUP_MISSING,
                 "%s", err.detail);
    cr_assert_eq(fs_mkdir_p(from, 0700, &err), 0);
    cr_assert_eq(worker_run_all(&w, nodes, 1, verb, NULL, 0, NULL, &err), -OG_E_BACKUP_MISSING,
                 "an empty backup: %s", err.detail);
    snprintf(conf, sizeof(conf), "%s/postgresql.conf", from);
    cr_assert_eq(fs_replace_file(conf, "port = 1\n", 9, 0600, &err), 0);
    cr_assert_eq(worker_run_all(&w, nodes, 1, verb, NULL, 0, NULL, &err), 0, "%s", err.detail);
}

/* worker_root's scratch directory, removed by its .fini */
static char root_dir[PATH_MAX];

static void root_dir_done(void)
{
    tmpdir_remove(root_dir);
}

/* As root the worker refuses before it opens anything (GAUSS-50105). */
Test(worker_root, refused_before_anything, .fini = root_dir_done)
{
    char path[PATH_MAX + 16], tool[PATH_MAX + 16];
    struct command_result res = {0};
    struct og_error err = {0};
    struct command *c;

    if (geteuid() != 0)
        cr_skip_test("needs root");
    cr_assert_eq(tmpdir_make("worker-root", root_dir, sizeof(root_dir)), 0);
    snprintf(path, sizeof(path), "%s/x/put", root_dir);
    snprintf(tool, sizeof(tool), "%s/gs_upgradectl", root_dir);
    cr_assert_eq(symlink(OGOM_PATH, tool), 0);
    c = command_newl(tool, "--local", "put", path, "0600", NULL);
    cr_assert_not_null(c);
    cr_assert_eq(command_run(c, &res, &err), 0, "%s", err.detail);
    cr_assert_eq(res.exit_status, 1, "%s", res.err);
    cr_assert_not_null(strstr(res.err, "[GAUSS-50105]"), "%s", res.err);
    cr_assert_neq(access(path, F_OK), 0, "root's put wrote %s", path);
    command_result_done(&res);
    command_free(c);
}

/* ---- each verb its own bound (issue 16) ----------------------------------- */

Test(worker_timeouts, each_verb_has_its_own_bound)
{
    /* the journal, small files and removals: seconds */
    cr_assert_leq(worker_verb_timeout_ms("put"), 60 * 1000);
    cr_assert_leq(worker_verb_timeout_ms("dump"), 60 * 1000);
    cr_assert_leq(worker_verb_timeout_ms("relink"), 60 * 1000);
    cr_assert_leq(worker_verb_timeout_ms("rm"), 2 * 60 * 1000);
    /* installs and the catalog backup: minutes, never over the longest */
    cr_assert_geq(worker_verb_timeout_ms("install-app"), 5 * 60 * 1000);
    cr_assert_geq(worker_verb_timeout_ms("backup-catalog"), 5 * 60 * 1000);
    cr_assert_geq(worker_verb_timeout_ms("restore-catalog"), 5 * 60 * 1000);
    /* a standby's promotion waits 60 s for replay, then up to 120 s */
    cr_assert_geq(worker_verb_timeout_ms("promote-after"), 3 * 60 * 1000);
    cr_assert_lt(worker_verb_timeout_ms("put"), worker_verb_timeout_ms("install-app"));
    /* a verb not in the table gets the longest bound, not none */
    cr_assert_eq(worker_verb_timeout_ms("no-such-verb"), WORKER_TIMEOUT_MS);
    cr_assert_eq(worker_verb_timeout_ms(NULL), WORKER_TIMEOUT_MS);
    cr_assert_null(worker_verb_at(worker_verb_count()));
}

Test(worker_timeouts, bounds_are_positive_unique_and_at_most_the_longest)
{
    size_t n = worker_verb_count();

    cr_assert_gt(n, 20);
    for (size_t i = 0; i < n; i++) {
        int ms = worker_verb_timeout_ms(worker_verb_at(i));
        cr_assert_gt(ms, 0, "%s", worker_verb_at(i));
        cr_assert_leq(ms, WORKER_TIMEOUT_MS, "%s", worker_verb_at(i));
        for (size_t j = i + 1; j < n; j++)
            cr_assert_str_neq(worker_verb_at(i), worker_verb_at(j));
    }
}

static bool in_table(const char *verb)
{
    for (size_t i = 0; i < worker_verb_count(); i++)
        if (strcmp(worker_verb_at(i), verb) == 0)
            return true;
    return false;
}

/* Every verb the worker dispatches (upgrader/tools/local.c: its table and its
 * strcmp chain) has a bound in the table: a new verb cannot silently fall
 * back to the 10-minute one. */
Test(worker_timeouts, every_worker_verb_is_in_the_table)
{
    _cleanup_free_ char *src = NULL;
    size_t len = 0, found = 0;
    const char *pats[] = {"strcmp(verb, \"", "    {\"", NULL};

    cr_assert_eq(fs_read_file(SOURCE_ROOT "/upgrader/tools/local.c", 1 << 20, &src, &len, NULL), 0);
    for (size_t k = 0; pats[k]; k++)
        for (const char *p = src; (p = strstr(p, pats[k])); p++) {
            const char *v = p + strlen(pats[k]);
            size_t vl = strcspn(v, "\"");
            char verb[64];

            size_t line = strcspn(v, "\n");

            /* a table row names its function on the same line */
            if (vl == 0 || vl >= sizeof(verb) ||
                (k == 1 && !memmem(v, line, ", verb_", strlen(", verb_"))))
                continue;
            snprintf(verb, sizeof(verb), "%.*s", (int)vl, v);
            cr_assert(in_table(verb), "worker verb \"%s\" has no bound in worker.c", verb);
            found++;
        }
    cr_assert_geq(found, worker_verb_count(), "verbs found in local.c: %zu", found);
}
