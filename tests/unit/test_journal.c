/* SPDX-License-Identifier: MulanPSL-2.0 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <fiu.h>
#include <fiu-control.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fs.h"
#include "journal.h"

#include "../helpers/tmpdir.h"

static char root[64];  /* plays $PGHOST */
static char jdir[128]; /* $PGHOST/binary_upgrade */

#define ACTION      "large-binary-upgrade"
#define VERSION_CFG "openGauss-3.0.0\n92.605\n02c14696\n"

static void setup(void)
{
    cr_assert_eq(tmpdir_make("journal", root, sizeof(root)), 0);
    snprintf(jdir, sizeof(jdir), "%s/binary_upgrade", root);
    fiu_init(0);
}

static void teardown(void)
{
    tmpdir_remove(root);
}

TestSuite(journal, .init = setup, .fini = teardown);

static struct journal *open_journal(void)
{
    struct journal *j = NULL;
    struct og_error err = {0};

    cr_assert_eq(journal_open(jdir, &j, &err), 0, "%s", err.detail);
    return j;
}

static char *slurp(const char *name)
{
    char path[256];
    char *data = NULL;
    struct og_error err = {0};

    snprintf(path, sizeof(path), "%s/%s", jdir, name);
    cr_assert_eq(fs_read_file(path, 1 << 24, &data, NULL, &err), 0, "%s", err.detail);
    return data;
}

static void put(const char *name, const char *text)
{
    char path[256];
    struct og_error err = {0};

    snprintf(path, sizeof(path), "%s/%s", jdir, name);
    cr_assert_eq(fs_replace_file(path, text, strlen(text), 0600, &err), 0, "%s", err.detail);
}

static void mode_is(const char *path, mode_t mode)
{
    struct stat st;

    cr_assert_eq(stat(path, &st), 0, "%s", path);
    cr_assert_eq(st.st_mode & 07777, mode, "%s mode %o", path, st.st_mode & 07777);
}

static void two_nodes(struct journal_steps *s, int a, int b)
{
    memset(s, 0, sizeof(*s));
    snprintf(s->action, sizeof(s->action), "%s", ACTION);
    s->n = 2;
    snprintf(s->rows[0].node, sizeof(s->rows[0].node), "node1");
    s->rows[0].step = a;
    snprintf(s->rows[1].node, sizeof(s->rows[1].node), "node2");
    s->rows[1].step = b;
}

/* ---- upgrade_step.csv ---- */

Test(journal, steps_csv_is_byte_exact_with_crlf)
{
    _cleanup_journal_ struct journal *j = open_journal();
    _cleanup_free_ char *text = NULL;
    struct og_error err = {0};
    struct journal_steps s;
    char path[256];

    mode_is(jdir, 0700);
    two_nodes(&s, 4, 0);
    cr_assert_eq(journal_write_steps(j, &s, &err), 0, "%s", err.detail);
    text = slurp(JOURNAL_STEPS_FILE);
    cr_assert_str_eq(text, "node_host,upgrade_action,step\r\n"
                           "node1,large-binary-upgrade,4\r\n"
                           "node2,large-binary-upgrade,0\r\n");
    snprintf(path, sizeof(path), "%s/%s", jdir, JOURNAL_STEPS_FILE);
    mode_is(path, 0600);
    cr_assert_str_eq(journal_dir(j), jdir);
}

Test(journal, steps_round_trip_and_set)
{
    _cleanup_journal_ struct journal *j = open_journal();
    struct og_error err = {0};
    struct journal_steps s, back;

    two_nodes(&s, 1, 0);
    cr_assert_eq(journal_steps_set(&s, "node2", 3, &err), 0);
    cr_assert_eq(journal_steps_set(&s, "node9", 3, &err), -OG_E_NODE_UNKNOWN);
    cr_assert_eq(journal_steps_set(&s, "node1", 7, &err), -OG_E_STEP_INVALID);
    cr_assert_eq(journal_write_steps(j, &s, &err), 0, "%s", err.detail);
    cr_assert_eq(journal_read_steps(j, ACTION, &back, &err), 0, "%s", err.detail);
    cr_assert_str_eq(back.action, ACTION);
    cr_assert_eq(back.n, 2);
    cr_assert_str_eq(back.rows[0].node, "node1");
    cr_assert_eq(back.rows[0].step, 1);
    cr_assert_str_eq(back.rows[1].node, "node2");
    cr_assert_eq(back.rows[1].step, 3);
    cr_assert_eq(journal_read_steps(j, NULL, &back, &err), 0);
}

Test(journal, steps_absent_is_not_exist)
{
    _cleanup_journal_ struct journal *j = open_journal();
    struct og_error err = {0};
    struct journal_steps s;

    cr_assert_eq(journal_read_steps(j, NULL, &s, &err), -OG_E_NOT_EXIST);
}

static int parse(const char *text, const char *expected)
{
    struct journal_steps s;
    struct og_error err = {0};
    int r = journal_steps_parse(text, "upgrade_step.csv", expected, &s, &err);

    if (r < 0)
        cr_assert_eq(err.code, -r);
    return r;
}

Test(journal, steps_parse_errors_are_coded)
{
    const char *h = "node_host,upgrade_action,step\r\n";
    char big[64 * 200];
    size_t o;

    cr_assert_eq(parse("node_host,upgrade_action,step\nn1,a,1\n\n", "a"), 0, "LF and blanks");
    cr_assert_eq(parse(h, "a"), 0, "header only");
    cr_assert_eq(parse("n1,a,1\r\n", NULL), -OG_E_CONTENT_INVALID);
    cr_assert_eq(parse("", NULL), -OG_E_CONTENT_INVALID);
    char t[256];
    snprintf(t, sizeof(t), "%sn1,a,x\r\n", h);
    cr_assert_eq(parse(t, NULL), -OG_E_STEP_NOT_DIGIT);
    snprintf(t, sizeof(t), "%sn1,a,\r\n", h);
    cr_assert_eq(parse(t, NULL), -OG_E_STEP_NOT_DIGIT);
    snprintf(t, sizeof(t), "%sn1,a,7\r\n", h);
    cr_assert_eq(parse(t, NULL), -OG_E_STEP_INVALID);
    snprintf(t, sizeof(t), "%sn1,a,-2\r\n", h);
    cr_assert_eq(parse(t, NULL), -OG_E_STEP_INVALID);
    snprintf(t, sizeof(t), "%sn1,a,-1\r\nn2,a,6\r\n", h);
    cr_assert_eq(parse(t, NULL), 0);
    snprintf(t, sizeof(t), "%sn1,a,1\r\nn2,b,1\r\n", h);
    cr_assert_eq(parse(t, NULL), -OG_E_ACTION_MISMATCH);
    snprintf(t, sizeof(t), "%sn1,a,1\r\n", h);
    cr_assert_eq(parse(t, "b"), -OG_E_ACTION_MISMATCH);
    snprintf(t, sizeof(t), "%sn1,a\r\n", h);
    cr_assert_eq(parse(t, NULL), -OG_E_CONTENT_INVALID);
    snprintf(t, sizeof(t), "%sn1,a,1,2\r\n", h);
    cr_assert_eq(parse(t, NULL), -OG_E_CONTENT_INVALID);
    snprintf(t, sizeof(t), "%s\"n1\",a,1\r\n", h);
    cr_assert_eq(parse(t, NULL), -OG_E_CONTENT_INVALID);
    snprintf(t, sizeof(t), "%s,a,1\r\n", h);
    cr_assert_eq(parse(t, NULL), -OG_E_CONTENT_INVALID);
    snprintf(t, sizeof(t), "%sn1,a,1\r\nn1,a,2\r\n", h);
    cr_assert_eq(parse(t, NULL), -OG_E_CONTENT_INVALID);

    o = (size_t)snprintf(big, sizeof(big), "%s", h);
    for (int i = 0; i <= JOURNAL_NODES_MAX; i++)
        o += (size_t)snprintf(big + o, sizeof(big) - o, "n%d,a,1\r\n", i);
    cr_assert_eq(parse(big, NULL), -OG_E_TOO_LARGE);
}

Test(journal, steps_format_refuses_bad_rows)
{
    _cleanup_journal_ struct journal *j = open_journal();
    struct og_error err = {0};
    struct journal_steps s;

    two_nodes(&s, 1, 1);
    snprintf(s.rows[1].node, sizeof(s.rows[1].node), "no,de");
    cr_assert_eq(journal_write_steps(j, &s, &err), -OG_E_INVALID_ARG);
    two_nodes(&s, 1, 1);
    snprintf(s.rows[1].node, sizeof(s.rows[1].node), "node1");
    cr_assert_eq(journal_write_steps(j, &s, &err), -OG_E_INVALID_ARG);
    two_nodes(&s, 1, 9);
    cr_assert_eq(journal_write_steps(j, &s, &err), -OG_E_INVALID_ARG);
    two_nodes(&s, 1, 1);
    s.action[0] = '\0';
    cr_assert_eq(journal_write_steps(j, &s, &err), -OG_E_INVALID_ARG);
    cr_assert_eq(journal_read_steps(j, NULL, &s, &err), -OG_E_NOT_EXIST, "nothing written");
}

/* ---- upgrade_step.dat ---- */

Test(journal, dat_is_byte_exact_and_round_trips)
{
    _cleanup_journal_ struct journal *j = open_journal();
    _cleanup_free_ char *text = NULL;
    struct og_error err = {0};
    struct journal_dat d;

    cr_assert_eq(journal_read_dat(j, &d, &err), -OG_E_NOT_EXIST);
    cr_assert_eq(journal_write_dat(j, "inplace-binary-upgrade", 3, &err), 0, "%s", err.detail);
    text = slurp(JOURNAL_DAT_FILE);
    cr_assert_str_eq(text, "inplace-binary-upgrade:3\n");
    cr_assert_eq(journal_read_dat(j, &d, &err), 0, "%s", err.detail);
    cr_assert_str_eq(d.action, "inplace-binary-upgrade");
    cr_assert_eq(d.step, 3);
    cr_assert_eq(journal_write_dat(j, "a:b", 3, &err), -OG_E_INVALID_ARG);
    cr_assert_eq(journal_write_dat(j, "a", 8, &err), -OG_E_STEP_INVALID);
}

Test(journal, dat_parse_errors_are_coded)
{
    _cleanup_journal_ struct journal *j = open_journal();
    struct og_error err = {0};
    struct journal_dat d;

    put(JOURNAL_DAT_FILE, "a");
    cr_assert_eq(journal_read_dat(j, &d, &err), -OG_E_CONTENT_INVALID);
    put(JOURNAL_DAT_FILE, "a:1:2\n");
    cr_assert_eq(journal_read_dat(j, &d, &err), -OG_E_CONTENT_INVALID);
    put(JOURNAL_DAT_FILE, ":1\n");
    cr_assert_eq(journal_read_dat(j, &d, &err), -OG_E_CONTENT_INVALID);
    put(JOURNAL_DAT_FILE, "a:1\nb:2\n");
    cr_assert_eq(journal_read_dat(j, &d, &err), -OG_E_CONTENT_INVALID);
    put(JOURNAL_DAT_FILE, "");
    cr_assert_eq(journal_read_dat(j, &d, &err), -OG_E_CONTENT_INVALID);
    put(JOURNAL_DAT_FILE, "a:x\n");
    cr_assert_eq(journal_read_dat(j, &d, &err), -OG_E_STEP_INVALID);
    put(JOURNAL_DAT_FILE, "a:9\n");
    cr_assert_eq(journal_read_dat(j, &d, &err), -OG_E_STEP_INVALID);
    put(JOURNAL_DAT_FILE, " a : 5 ");
    cr_assert_eq(journal_read_dat(j, &d, &err), 0, "%s", err.detail);
    cr_assert_str_eq(d.action, "a");
    cr_assert_eq(d.step, 5);
}

/* ---- record_app_directory ---- */

Test(journal, app_dirs_two_lines)
{
    _cleanup_journal_ struct journal *j = open_journal();
    _cleanup_free_ char *text = NULL;
    struct og_error err = {0};
    struct journal_app_dirs d;

    cr_assert_eq(journal_read_app_dirs(j, &d, &err), -OG_E_NOT_EXIST);
    cr_assert_eq(journal_write_app_dirs(j, "/opt/app_old", "/opt/app_new", &err), 0);
    text = slurp(JOURNAL_APPDIR_FILE);
    cr_assert_str_eq(text, "/opt/app_old\n/opt/app_new\n");
    cr_assert_eq(journal_read_app_dirs(j, &d, &err), 0, "%s", err.detail);
    cr_assert_str_eq(d.old_app, "/opt/app_old");
    cr_assert_str_eq(d.new_app, "/opt/app_new");

    cr_assert_eq(journal_write_app_dirs(j, "rel", "/opt/b", &err), -OG_E_INVALID_ARG);
    cr_assert_eq(journal_write_app_dirs(j, "/a\nb", "/opt/b", &err), -OG_E_INVALID_ARG);
    put(JOURNAL_APPDIR_FILE, "/opt/a\n");
    cr_assert_eq(journal_read_app_dirs(j, &d, &err), -OG_E_CONTENT_INVALID);
    put(JOURNAL_APPDIR_FILE, "/opt/a\n/opt/b\n/opt/c\n");
    cr_assert_eq(journal_read_app_dirs(j, &d, &err), -OG_E_CONTENT_INVALID);
    put(JOURNAL_APPDIR_FILE, "/opt/a\nrelative\n");
    cr_assert_eq(journal_read_app_dirs(j, &d, &err), -OG_E_CONTENT_INVALID);
    put(JOURNAL_APPDIR_FILE, "");
    cr_assert_eq(journal_read_app_dirs(j, &d, &err), -OG_E_CONTENT_INVALID);
}

/* ---- old_upgrade_version, inplace_upgrade_flag, markers ---- */

Test(journal, old_version_is_a_validated_copy)
{
    _cleanup_journal_ struct journal *j = open_journal();
    _cleanup_free_ char *text = NULL;
    struct og_error err = {0};
    struct version_cfg v;

    cr_assert_eq(journal_read_old_version(j, &v, &err), -OG_E_NOT_EXIST);
    cr_assert_eq(journal_write_old_version(j, "openGauss-3.0.0\n", &err), -OG_E_CONTENT_INVALID);
    cr_assert_eq(journal_read_old_version(j, &v, &err), -OG_E_NOT_EXIST, "nothing written");
    cr_assert_eq(journal_write_old_version(j, VERSION_CFG, &err), 0, "%s", err.detail);
    text = slurp(JOURNAL_OLDVER_FILE);
    cr_assert_str_eq(text, VERSION_CFG);
    cr_assert_eq(journal_read_old_version(j, &v, &err), 0, "%s", err.detail);
    cr_assert_eq(v.number, 92605);
    cr_assert_str_eq(v.commit, "02c14696");
}

Test(journal, inplace_flag_numbers)
{
    _cleanup_journal_ struct journal *j = open_journal();
    _cleanup_free_ char *text = NULL;
    struct og_error err = {0};
    struct journal_cluster_numbers c;

    cr_assert_eq(journal_read_cluster_numbers(j, &c, &err), -OG_E_NOT_EXIST);
    cr_assert_eq(journal_write_cluster_numbers(j, "92.848", "92.605", &err), 0, "%s", err.detail);
    text = slurp(JOURNAL_INPLACE_FILE);
    cr_assert_str_eq(text, "newClusterNumber:92.848\noldClusterNumber:92.605\n");
    cr_assert_eq(journal_read_cluster_numbers(j, &c, &err), 0, "%s", err.detail);
    cr_assert_str_eq(c.new_number, "92.848");
    cr_assert_str_eq(c.old_number, "92.605");

    cr_assert_eq(journal_write_cluster_numbers(j, "x", "92.605", &err), -OG_E_VERSION_NUMBER);
    put(JOURNAL_INPLACE_FILE, "newClusterNumber:92.848\n");
    cr_assert_eq(journal_read_cluster_numbers(j, &c, &err), -OG_E_CONTENT_INVALID);
    put(JOURNAL_INPLACE_FILE, "newClusterNumber:92.848\nnewClusterNumber:92.848\n");
    cr_assert_eq(journal_read_cluster_numbers(j, &c, &err), -OG_E_CONTENT_INVALID);
    put(JOURNAL_INPLACE_FILE, "newClusterNumber:92.848\nother:1\n");
    cr_assert_eq(journal_read_cluster_numbers(j, &c, &err), -OG_E_CONTENT_INVALID);
    put(JOURNAL_INPLACE_FILE, "oldClusterNumber:abc\nnewClusterNumber:92.848\n");
    cr_assert_eq(journal_read_cluster_numbers(j, &c, &err), -OG_E_VERSION_NUMBER);
}

Test(journal, markers)
{
    _cleanup_journal_ struct journal *j = open_journal();
    struct og_error err = {0};
    char path[256];
    struct stat st;

    cr_assert_eq(journal_mark_test(j, JOURNAL_MARK_COMMIT, &err), 0);
    cr_assert_eq(journal_mark_set(j, JOURNAL_MARK_COMMIT, &err), 0, "%s", err.detail);
    cr_assert_eq(journal_mark_test(j, JOURNAL_MARK_COMMIT, &err), 1);
    cr_assert_eq(journal_mark_test(j, JOURNAL_MARK_TOUCH_INIT, &err), 0);
    snprintf(path, sizeof(path), "%s/commitFlagFile", jdir);
    cr_assert_eq(stat(path, &st), 0);
    cr_assert_eq(st.st_size, 0);
    mode_is(path, 0600);
    cr_assert_eq(journal_mark_set(j, JOURNAL_MARK_TOUCH_INIT, &err), 0);
    snprintf(path, sizeof(path), "%s/touch_init_flag", jdir);
    cr_assert_eq(access(path, F_OK), 0);
    cr_assert_eq(journal_mark_clear(j, JOURNAL_MARK_COMMIT, &err), 0);
    cr_assert_eq(journal_mark_test(j, JOURNAL_MARK_COMMIT, &err), 0);
    cr_assert_eq(journal_mark_clear(j, JOURNAL_MARK_COMMIT, &err), 0, "absent is fine");
}

/* ---- max step (reference §3.7) and isUnderUpgrade ---- */

Test(journal, max_step_table)
{
    struct og_error err = {0};
    int step = 99;

    cr_assert_eq(journal_max_step(jdir, ACTION, &step, &err), 0);
    cr_assert_eq(step, -2, "no dir");
    cr_assert_not(journal_under_upgrade(jdir));

    _cleanup_journal_ struct journal *j = open_journal();
    cr_assert_eq(journal_max_step(jdir, ACTION, &step, &err), 0);
    cr_assert_eq(step, 0, "empty dir");
    cr_assert_not(journal_under_upgrade(jdir));

    cr_assert_eq(journal_write_dat(j, ACTION, 2, &err), 0);
    cr_assert(journal_under_upgrade(jdir));
    cr_assert_eq(journal_max_step(jdir, ACTION, &step, &err), 0);
    cr_assert_eq(step, -2, "no CSV");

    put(JOURNAL_STEPS_FILE, "node_host,upgrade_action,step\r\n");
    cr_assert_eq(journal_max_step(jdir, ACTION, &step, &err), 0);
    cr_assert_eq(step, -1, "no rows");

    struct journal_steps s;
    two_nodes(&s, 3, 5);
    cr_assert_eq(journal_write_steps(j, &s, &err), 0);
    cr_assert_eq(journal_max_step(jdir, ACTION, &step, &err), 0);
    cr_assert_eq(step, 5);

    cr_assert_eq(journal_max_step(jdir, "inplace-binary-upgrade", &step, &err),
                 -OG_E_CONTENT_INVALID, "openGauss rollback: GAUSS-50222 for the action");
    put(JOURNAL_STEPS_FILE, "node_host,upgrade_action,step\r\nnode1," ACTION ",x\r\n");
    cr_assert_eq(journal_max_step(jdir, ACTION, &step, &err), -OG_E_STEP_INVALID);
    cr_assert_eq(step, 5, "output untouched on error");
}

/* ---- crash safety ---- */

static void write_two(struct journal *j, int a, int b, int expect)
{
    struct og_error err = {0};
    struct journal_steps s;

    two_nodes(&s, a, b);
    cr_assert_eq(journal_write_steps(j, &s, &err), expect, "%s", err.detail);
}

static void assert_steps(struct journal *j, int a, int b)
{
    struct og_error err = {0};
    struct journal_steps s;

    cr_assert_eq(journal_read_steps(j, ACTION, &s, &err), 0, "%s", err.detail);
    cr_assert_eq(s.rows[0].step, a);
    cr_assert_eq(s.rows[1].step, b);
}

Test(journal, failed_write_leaves_old_journal)
{
    _cleanup_journal_ struct journal *j = open_journal();

    write_two(j, 1, 1, 0);
    cr_assert_eq(fiu_enable("util/fs/replace/before-fsync", 1, NULL, 0), 0);
    write_two(j, 4, 4, -OG_E_WRITE_FAILED);
    fiu_disable("util/fs/replace/before-fsync");
    assert_steps(j, 1, 1);
}

static int die_now(const char *name, int *failnum, void **failinfo, unsigned int *flags)
{
    (void)name;
    (void)failnum;
    (void)failinfo;
    (void)flags;
    _exit(42); /* the writer dies between write and fsync/rename */
}

static int count_entries(void)
{
    _cleanup_(closedirp) DIR *d = opendir(jdir);
    struct dirent *de;
    int n = 0;

    while ((de = readdir(d)))
        if (de->d_name[0] != '.')
            n++;
    return n;
}

Test(journal, crash_mid_write_leaves_old_journal)
{
    _cleanup_journal_ struct journal *j = open_journal();
    int status;
    pid_t pid;

    write_two(j, 2, 2, 0);
    pid = fork();
    cr_assert_geq(pid, 0);
    if (pid == 0) {
        struct og_error err = {0};
        struct journal_steps s;

        fiu_enable_external("util/fs/replace/before-fsync", 1, NULL, 0, die_now);
        two_nodes(&s, 4, 4);
        journal_write_steps(j, &s, &err);
        _exit(0);
    }
    cr_assert_eq(waitpid(pid, &status, 0), pid);
    cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 42, "writer died in the failpoint");
    assert_steps(j, 2, 2);
    cr_assert_eq(count_entries(), 2, "the old CSV and the dead writer's temp file");
    write_two(j, 3, 3, 0);
    assert_steps(j, 3, 3);
    cr_assert_eq(count_entries(), 1, "the next write removed the leftover");
}

/* ---- reconciliation ---- */

static void view(struct journal_view *v, const char *node, int a, int b)
{
    memset(v, 0, sizeof(*v));
    snprintf(v->node, sizeof(v->node), "%s", node);
    v->present = true;
    v->has_steps = true;
    two_nodes(&v->steps, a, b);
    v->has_dat = true;
    snprintf(v->dat.action, sizeof(v->dat.action), "%s", ACTION);
    v->dat.step = b;
    v->has_app_dirs = true;
    snprintf(v->app_dirs.old_app, sizeof(v->app_dirs.old_app), "/opt/old");
    snprintf(v->app_dirs.new_app, sizeof(v->app_dirs.new_app), "/opt/new");
}

static struct journal_view views[3], out;

Test(journal, reconcile_agree_and_missing)
{
    struct og_error err = {0};

    view(&views[0], "node1", 3, 3);
    view(&views[1], "node2", 3, 3);
    view(&views[2], "node3", 3, 3);
    cr_assert_eq(journal_reconcile(views, 3, &out, &err), 0, "%s", err.detail);
    cr_assert(out.present);
    cr_assert_str_eq(out.node, "node1");
    cr_assert_eq(out.steps.rows[1].step, 3);

    /* node1 lost its directory: the copy on node2 (identical to node3's) wins */
    memset(&views[0], 0, sizeof(views[0]));
    snprintf(views[0].node, sizeof(views[0].node), "node1");
    cr_assert_eq(journal_reconcile(views, 3, &out, &err), 0, "%s", err.detail);
    cr_assert(out.present);
    cr_assert_str_eq(out.node, "node2");
    cr_assert_str_eq(out.app_dirs.new_app, "/opt/new");
    cr_assert_eq(out.dat.step, 3);

    /* nobody has it */
    views[1].present = views[2].present = false;
    cr_assert_eq(journal_reconcile(views, 3, &out, &err), 0);
    cr_assert_not(out.present);
    cr_assert_eq(journal_reconcile(NULL, 0, &out, &err), 0);
    cr_assert_eq(journal_reconcile(NULL, 2, &out, &err), -OG_E_INVALID_ARG);
}

static void disagree(const char *field)
{
    struct og_error err = {0};

    cr_assert_eq(journal_reconcile(views, 3, &out, &err), -OG_E_JOURNAL_DISAGREE);
    cr_assert_eq(err.code, OG_E_JOURNAL_DISAGREE);
    cr_assert_not_null(strstr(err.detail, "\"node1\""), "%s", err.detail);
    cr_assert_not_null(strstr(err.detail, "\"node3\""), "%s", err.detail);
    cr_assert_not_null(strstr(err.detail, field), "%s", err.detail);
}

Test(journal, reconcile_disagreement_is_never_a_silent_pick)
{
    view(&views[0], "node1", 4, 3);
    view(&views[1], "node2", 4, 3);
    view(&views[2], "node3", 3, 3);
    disagree("step of row \"node1\" (4 vs 3)");

    view(&views[2], "node3", 4, 3);
    snprintf(views[2].steps.action, sizeof(views[2].steps.action), "small-binary-upgrade");
    disagree("upgrade_action");

    view(&views[2], "node3", 4, 3);
    views[2].steps.n = 1;
    disagree("upgrade_step.csv row \"node2\"");
    view(&views[0], "node1", 4, 3);
    views[0].steps.n = 1;
    views[1].steps.n = 1;
    view(&views[2], "node3", 4, 3);
    disagree("upgrade_step.csv row \"node2\"");
    view(&views[1], "node2", 4, 3);

    view(&views[0], "node1", 4, 3);
    view(&views[2], "node3", 4, 3);
    views[2].has_steps = false;
    disagree("upgrade_step.csv (present vs absent)");

    view(&views[2], "node3", 4, 3);
    views[2].dat.step = 2;
    disagree("upgrade_step.dat");
    view(&views[2], "node3", 4, 3);
    views[2].has_dat = false;
    disagree("upgrade_step.dat");

    view(&views[2], "node3", 4, 3);
    snprintf(views[2].app_dirs.old_app, sizeof(views[2].app_dirs.old_app), "/opt/other");
    disagree("record_app_directory");
    view(&views[2], "node3", 4, 3);
    views[2].has_app_dirs = false;
    disagree("record_app_directory");
}

Test(journal, view_load_from_directories)
{
    _cleanup_journal_ struct journal *j = open_journal();
    struct og_error err = {0};
    struct journal_steps s;
    char missing[160];

    snprintf(missing, sizeof(missing), "%s/nowhere", root);
    cr_assert_eq(journal_view_load(missing, "node2", &views[1], &err), 0);
    cr_assert_not(views[1].present);
    cr_assert_eq(journal_view_load(jdir, "node1", &views[0], &err), 0, "%s", err.detail);
    cr_assert(views[0].present);
    cr_assert_not(views[0].has_steps || views[0].has_dat || views[0].has_app_dirs);

    two_nodes(&s, 4, 1);
    cr_assert_eq(journal_write_steps(j, &s, &err), 0);
    cr_assert_eq(journal_write_dat(j, ACTION, 4, &err), 0);
    cr_assert_eq(journal_write_app_dirs(j, "/opt/a", "/opt/b", &err), 0);
    cr_assert_eq(journal_view_load(jdir, "node1", &views[0], &err), 0, "%s", err.detail);
    cr_assert(views[0].has_steps && views[0].has_dat && views[0].has_app_dirs);
    cr_assert_eq(views[0].steps.rows[0].step, 4);
    cr_assert_eq(journal_reconcile(views, 2, &out, &err), 0);
    cr_assert_str_eq(out.node, "node1");

    put(JOURNAL_DAT_FILE, "garbage");
    cr_assert_eq(journal_view_load(jdir, "node1", &views[0], &err), -OG_E_CONTENT_INVALID);
    cr_assert_not_null(strstr(err.detail, "node1"), "%s", err.detail);
}

/* ---- upgradeRecord.txt ---- */

#define REC_HEADER                                                                                 \
    "|       action      |       status       |         time         |                  oldVe"     \
    "rsionInfo                  |                  newVersionInfo                  |         "     \
    "                    oldPkgSha256                             |                          "     \
    "   newPkgSha256                             |                               details     "     \
    "                           |\n"
#define REC_BEGIN                                                                                  \
    "|    auto-upgrade   |       begin        | 2024-05-01 10:00:00  |                       "     \
    "                           |                                                  |         "     \
    "                                                             |                          "     \
    "                                            |                                           "     \
    "                           |\n"
#define SHA_A "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define SHA_B "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
#define REC_DONE                                                                                   \
    "|large-binary-upgrade|      success       | 2024-05-01 10:30:00  |              3.0.0 92"     \
    ".605 02c14696               |              5.0.0 92.848 c4e1bd6f               |   aaaaa"     \
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa   |   bbbbbbbbbbbbbbbbbbbbbb"     \
    "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb   |                                 done     "     \
    "                            |\n"

static void record(struct journal_record *r, const char *action, const char *status,
                   const char *time)
{
    memset(r, 0, sizeof(*r));
    snprintf(r->action, sizeof(r->action), "%s", action);
    snprintf(r->status, sizeof(r->status), "%s", status);
    snprintf(r->time, sizeof(r->time), "%s", time);
}

Test(journal, upgrade_record_is_opengauss_format)
{
    struct og_error err = {0};
    struct journal_record r;
    _cleanup_free_ struct journal_record *rows = NULL;
    _cleanup_free_ char *text = NULL;
    char path[160];
    size_t n = 0;

    snprintf(path, sizeof(path), "%s/%s", root, JOURNAL_RECORD_FILE);
    cr_assert_eq(journal_record_read(path, &rows, &n, &err), -OG_E_NOT_EXIST);
    record(&r, "auto-upgrade", "begin", "2024-05-01 10:00:00");
    cr_assert_eq(journal_record_append(path, &r, &err), 0, "%s", err.detail);
    record(&r, ACTION, "success", "2024-05-01 10:30:00");
    snprintf(r.old_version, sizeof(r.old_version), "3.0.0 92.605 02c14696");
    snprintf(r.new_version, sizeof(r.new_version), "5.0.0 92.848 c4e1bd6f");
    snprintf(r.old_sha256, sizeof(r.old_sha256), SHA_A);
    snprintf(r.new_sha256, sizeof(r.new_sha256), SHA_B);
    snprintf(r.details, sizeof(r.details), "done");
    cr_assert_eq(journal_record_append(path, &r, &err), 0, "%s", err.detail);
    cr_assert_eq(fs_read_file(path, 1 << 20, &text, NULL, &err), 0);
    cr_assert_str_eq(text, REC_HEADER REC_BEGIN REC_DONE);
    mode_is(path, 0600);

    cr_assert_eq(journal_record_read(path, &rows, &n, &err), 0, "%s", err.detail);
    cr_assert_eq(n, 2);
    cr_assert_str_eq(rows[0].action, "auto-upgrade");
    cr_assert_str_eq(rows[0].status, "begin");
    cr_assert_str_eq(rows[0].old_version, "");
    cr_assert_str_eq(rows[1].action, ACTION);
    cr_assert_str_eq(rows[1].time, "2024-05-01 10:30:00");
    cr_assert_str_eq(rows[1].new_version, "5.0.0 92.848 c4e1bd6f");
    cr_assert_str_eq(rows[1].new_sha256, SHA_B);
    cr_assert_str_eq(rows[1].details, "done");
}

Test(journal, upgrade_record_details_and_errors)
{
    struct og_error err = {0};
    struct journal_record r;
    _cleanup_free_ struct journal_record *rows = NULL;
    char path[160], longmsg[700];
    size_t n = 0;

    snprintf(path, sizeof(path), "%s/%s", root, JOURNAL_RECORD_FILE);
    memset(longmsg, 'x', sizeof(longmsg) - 1);
    longmsg[sizeof(longmsg) - 1] = '\0';
    longmsg[3] = '\n';
    longmsg[5] = '|';
    record(&r, "auto-rollback", "failed", "");
    snprintf(r.details, sizeof(r.details), "%s", longmsg);
    cr_assert_eq(journal_record_append(path, &r, &err), 0, "%s", err.detail);
    cr_assert_eq(journal_record_read(path, &rows, &n, &err), 0, "%s", err.detail);
    cr_assert_eq(n, 1);
    cr_assert_eq(strlen(rows[0].details), 512 + 6);
    cr_assert_eq(strncmp(rows[0].details, "xxx x xx", 8), 0, "%s", rows[0].details);
    cr_assert_str_eq(rows[0].details + 512, "......");
    cr_assert_eq(strlen(rows[0].time), 19, "time filled in: %s", rows[0].time);

    record(&r, "a|b", "begin", "");
    cr_assert_eq(journal_record_append(path, &r, &err), -OG_E_INVALID_ARG);
    record(&r, "", "begin", "");
    cr_assert_eq(journal_record_append(path, &r, &err), -OG_E_INVALID_ARG);

    free(steal_ptr(rows));
    cr_assert_eq(journal_record_parse("|a|b|\n", "t", &rows, &n, &err), -OG_E_CONTENT_INVALID);
    cr_assert_eq(journal_record_parse("", "t", &rows, &n, &err), -OG_E_CONTENT_INVALID);
    cr_assert_eq(journal_record_parse(REC_HEADER "|1|2|3|4|5|6|7|\n", "t", &rows, &n, &err),
                 -OG_E_CONTENT_INVALID);
    cr_assert_eq(journal_record_parse(REC_HEADER "1|2|3|4|5|6|7|8|\n", "t", &rows, &n, &err),
                 -OG_E_CONTENT_INVALID);
    cr_assert_eq(journal_record_parse(REC_HEADER "|1|2|3|4|5|6|7|8|9|\n", "t", &rows, &n, &err),
                 -OG_E_CONTENT_INVALID);
    cr_assert_eq(journal_record_parse("|action|status|time|oldVersionInfo|newVersionInfo|"
                                      "oldPkgSha256|newPkgSha256|detail|\n",
                                      "t", &rows, &n, &err),
                 -OG_E_CONTENT_INVALID);
    char over[1200];
    snprintf(over, sizeof(over), "%s|%080d|s|t|o|n|a|b|d|\n", REC_HEADER, 0);
    cr_assert_eq(journal_record_parse(over, "t", &rows, &n, &err), -OG_E_CONTENT_INVALID);
    cr_assert_eq(journal_record_parse(REC_HEADER "\n|1|2|3|4|5|6|7|8|\n", "t", &rows, &n, &err), 0);
    cr_assert_eq(n, 1);
    cr_assert_str_eq(rows[0].details, "8");

    /* a file that lost its final newline still gets whole rows */
    struct og_error e2 = {0};
    cr_assert_eq(
        fs_replace_file(path, REC_HEADER REC_BEGIN, strlen(REC_HEADER REC_BEGIN) - 1, 0600, &e2),
        0);
    record(&r, "auto-upgrade", "begin", "2024-05-01 10:00:00");
    cr_assert_eq(journal_record_append(path, &r, &e2), 0);
    free(steal_ptr(rows));
    cr_assert_eq(journal_record_read(path, &rows, &n, &e2), 0, "%s", e2.detail);
    cr_assert_eq(n, 2);
}

/* ---- cluster lock ---- */

Test(journal, lock_held_is_gauss_51608_naming_the_holder)
{
    _cleanup_journal_ struct journal *j = open_journal();
    (void)j; /* held open for its directories; closed at scope end */
    struct lockfile *a = NULL, *b = NULL;
    struct og_error err = {0};
    char expect[64], path[160], slash_dir[160];

    cr_assert_eq(journal_lock(jdir, "gs_upgradectl", &a, &err), 0, "%s", err.detail);
    snprintf(path, sizeof(path), "%s/%s", root, JOURNAL_LOCK_FILE);
    cr_assert_eq(access(path, F_OK), 0, "lock beside the journal");
    cr_assert_not(journal_under_upgrade(jdir), "the lock does not make the dir non-empty");

    snprintf(slash_dir, sizeof(slash_dir), "%s//", jdir);
    cr_assert_eq(journal_lock(slash_dir, "gs_expansion", &b, &err), -OG_E_LOCK_CLUSTER);
    cr_assert_eq(err.code, OG_E_LOCK_CLUSTER);
    cr_assert_null(b);
    snprintf(expect, sizeof(expect), "pid=%d tool=gs_upgradectl", getpid());
    cr_assert_not_null(strstr(err.detail, expect), "holder named: %s", err.detail);

    lockfile_release(a);
    cr_assert_eq(journal_lock(jdir, "gs_expansion", &b, &err), 0, "%s", err.detail);
    lockfile_release(b);
    cr_assert_eq(journal_lock("", "x", &b, &err), -OG_E_INVALID_ARG);
}

/* ---- issue 15 row 10: every safety-relevant file reconciled ---- */

/* Two nodes' directories with the same journal, then name changed on the
 * second: the reconciliation must refuse, naming the file. */
static void differ_in(const char *name, const char *a, const char *b)
{
    struct og_error err = {0};
    struct journal_view v[2];
    char d[2][192];

    for (int i = 0; i < 2; i++) {
        const char *text = i ? b : a;
        char p[320];
        snprintf(d[i], sizeof(d[i]), "%s/n%d-%s", root, i + 1, name);
        cr_assert_eq(fs_mkdir_p(d[i], 0700, &err), 0, "%s", err.detail);
        snprintf(p, sizeof(p), "%s/%s", d[i], JOURNAL_DAT_FILE);
        cr_assert_eq(fs_replace_file(p, ACTION ":5\n", strlen(ACTION ":5\n"), 0600, &err), 0);
        snprintf(p, sizeof(p), "%s/%s", d[i], name);
        if (text)
            cr_assert_eq(fs_replace_file(p, text, strlen(text), 0600, &err), 0);
        cr_assert_eq(journal_view_load(d[i], i ? "node2" : "node1", &v[i], &err), 0, "%s",
                     err.detail);
    }
    cr_assert_eq(journal_reconcile(v, 2, &out, &err), -OG_E_JOURNAL_DISAGREE,
                 "a difference in %s passed unseen", name);
    cr_assert_not_null(strstr(err.detail, name), "%s", err.detail);
    cr_assert_not_null(strstr(err.detail, "\"node2\""), "%s", err.detail);
}

Test(journal, reconcile_every_safety_file)
{
    differ_in("ogup_catalog_done", "upgrade postgres\n", "upgrade postgres\nupgrade db1\n");
    differ_in("ogup_frozen_gucs", "max_connections=100\n", "max_connections=200\n");
    differ_in("inplace_upgrade_flag", "newClusterNumber:92.605\noldClusterNumber:92.298\n",
              "newClusterNumber:92.605\noldClusterNumber:92.299\n");
    differ_in("old_upgrade_version", VERSION_CFG, "openGauss-2.0.0\n92.298\n78689da9\n");
    differ_in("touch_init_flag", "", NULL);
    differ_in("ogup_roles", "node1 primary\n", "node2 primary\n");
    differ_in("ogup_catalog_files", "base/1/1259\n", "base/1/1260\n");
    differ_in("ogup_step", "inplace 5 catalog begin do seq=9 writer=node1\n",
              "inplace 4 install done do seq=9 writer=node1\n");
}

/* commitFlagFile on one node only: a commit killed while copying its
 * flag. Not a disagreement: OR'ed, the upgrade is committed. */
Test(journal, commit_flag_ored_across_nodes)
{
    _cleanup_journal_ struct journal *j = open_journal();
    (void)j; /* held open for its directories; closed at scope end */
    struct og_error err = {0};

    put(JOURNAL_DAT_FILE, ACTION ":6\n");
    cr_assert_eq(journal_view_load(jdir, "node1", &views[0], &err), 0, "%s", err.detail);
    cr_assert_not(views[0].committed);
    put(JOURNAL_COMMIT_FLAG, "");
    cr_assert_eq(journal_view_load(jdir, "node2", &views[1], &err), 0, "%s", err.detail);
    cr_assert(views[1].committed);
    cr_assert_eq(journal_reconcile(views, 2, &out, &err), 0, "%s", err.detail);
    cr_assert(out.committed, "committed on node2 is committed");
    cr_assert_str_eq(out.node, "node1");
    cr_assert_eq(journal_reconcile(views + 1, 1, &out, &err), 0);
    cr_assert(out.committed);
}

/* The details column at its bound, in multi-byte UTF-8: what the writer
 * emits (openGauss's too: 512 characters + "......") the reader takes. */
static void details_round_trip(const char *ch, size_t nchars)
{
    struct og_error err = {0};
    struct journal_record r;
    _cleanup_free_ struct journal_record *rows = NULL;
    char path[160], want[4096];
    size_t n = 0, clen = strlen(ch), o = 0;

    snprintf(path, sizeof(path), "%s/rec-%zu-%zu", root, clen, nchars);
    record(&r, "auto-rollback", "failed", "2024-05-01 10:00:00");
    cr_assert_geq(sizeof(r.details), nchars * clen + 1, "%zu characters of %zu bytes do not fit",
                  nchars, clen);
    for (size_t i = 0; i < nchars; i++, o += clen)
        memcpy(r.details + o, ch, clen);
    r.details[o] = '\0';
    cr_assert_eq(journal_record_append(path, &r, &err), 0, "%s", err.detail);
    cr_assert_eq(journal_record_read(path, &rows, &n, &err), 0, "%zu x %zu bytes: %s", nchars, clen,
                 err.detail);
    cr_assert_eq(n, 1);
    o = 0;
    for (size_t i = 0; i < nchars && i < 512; i++, o += clen)
        memcpy(want + o, ch, clen);
    snprintf(want + o, sizeof(want) - o, "%s", nchars > 512 ? "......" : "");
    cr_assert_str_eq(rows[0].details, want, "%zu x %zu bytes", nchars, clen);
}

Test(journal, record_details_bound_utf8)
{
    details_round_trip("\xe4\xb8\xad", 511); /* 中 */
    details_round_trip("\xe4\xb8\xad", 512);
    details_round_trip("\xe4\xb8\xad", 513);
    details_round_trip("\xf0\x9f\x98\x80", 512); /* 😀 */
    details_round_trip("\xf0\x9f\x98\x80", 513);
}

/* A record openGauss's writer made (details cut at 512 characters of
 * 3-byte UTF-8, 1542 bytes): the reader takes it, never "too long". */
Test(journal, record_parses_opengauss_long_details)
{
    struct og_error err = {0};
    _cleanup_free_ struct journal_record *rows = NULL;
    _cleanup_dynbuf_ struct dynbuf t = {0};
    size_t n = 0;

    dynbuf_init(&t, 1 << 20);
    dynbuf_adds(&t, "|action|status|time|oldVersionInfo|newVersionInfo|oldPkgSha256|"
                    "newPkgSha256|details|\n|auto-upgrade|failed|2024-05-01 10:00:00|||||");
    for (int i = 0; i < 512; i++)
        dynbuf_adds(&t, "\xe4\xb8\xad");
    dynbuf_adds(&t, "......|\n");
    cr_assert_eq(journal_record_parse(dynbuf_str(&t), "upgradeRecord.txt", &rows, &n, &err), 0,
                 "%s", err.detail);
    cr_assert_eq(n, 1);
    cr_assert_eq(strlen(rows[0].details), 512 * 3 + 6, "%s", rows[0].details);
}

/* ---- issue 16: every write carries a generation (ogup_manifest) ---- */

#define NNODES 3
static char ndir[NNODES][192];

static void at(const char *dir, const char *name, const char *text)
{
    struct og_error err = {0};
    char p[320];

    snprintf(p, sizeof(p), "%s/%s", dir, name);
    if (!text)
        cr_assert(unlink(p) == 0 || errno == ENOENT);
    else
        cr_assert_eq(fs_replace_file(p, text, strlen(text), 0600, &err), 0, "%s", err.detail);
}

static void copy_file(const char *from, const char *to, const char *name)
{
    struct og_error err = {0};
    _cleanup_free_ char *text = NULL;
    char p[320];

    snprintf(p, sizeof(p), "%s/%s", from, name);
    if (fs_read_file(p, 1 << 20, &text, NULL, &err) == -OG_E_NOT_EXIST)
        at(to, name, NULL);
    else
        at(to, name, text);
}

/* One distributed write of names (texts; NULL: a removal) at generation
 * gen, as jdist_put_record does it, cut after `ops` of its atomic steps:
 * node 0 the files then its manifest, then each other node the files then
 * the manifest. ops < 0: the whole write. Returns the number of steps. */
static int write_torn(const char *const *names, const char *const *texts, size_t k,
                      unsigned long long gen, int ops)
{
    struct og_error err = {0};
    int done = 0;

    for (int n = 0; n < NNODES; n++) {
        for (size_t i = 0; i < k; i++, done++)
            if (ops < 0 || done < ops)
                at(ndir[n], names[i], texts[i]);
        if (ops < 0 || done < ops) {
            if (n == 0)
                cr_assert_eq(journal_manifest_note(ndir[0], names, k, gen, &err), 0, "%s",
                             err.detail);
            else
                copy_file(ndir[0], ndir[n], JOURNAL_MANIFEST_FILE);
        }
        done++;
    }
    return done;
}

static void load_all(struct journal_view *v)
{
    struct og_error err = {0};

    for (int n = 0; n < NNODES; n++) {
        char node[16];
        snprintf(node, sizeof(node), "node%d", n + 1);
        cr_assert_eq(journal_view_load(ndir[n], node, &v[n], &err), 0, "%s", err.detail);
    }
}

/* What jdist_reconcile's repair does: each file from the node holding the
 * newest copy, the merged manifest last. */
static void repair(const struct journal_view *agreed)
{
    struct og_error err = {0};
    _cleanup_dynbuf_ struct dynbuf m = {0};

    dynbuf_init(&m, 1 << 16);
    cr_assert_eq(journal_manifest_format(&agreed->manifest, &m, &err), 0);
    for (int n = 0; n < NNODES; n++) {
        for (size_t f = 0; f < journal_n_managed; f++)
            if ((int)agreed->from[f] != n)
                copy_file(ndir[agreed->from[f]], ndir[n], journal_managed_files[f]);
        at(ndir[n], JOURNAL_MANIFEST_FILE, dynbuf_str(&m));
    }
}

static const char *const rec_names[] = {JOURNAL_DAT_FILE, "ogup_step"};
static const char *const done_name[] = {"ogup_catalog_done"};

/* A journal at generation 2 on every node: a record, then a marker. */
static void base_journal(const char *tag)
{
    struct og_error err = {0};
    const char *rec1[] = {ACTION ":1\n", "inplace 1 record done do seq=1 writer=node1\n"};
    const char *mark[] = {"upgrade postgres\n"};

    for (int n = 0; n < NNODES; n++) {
        snprintf(ndir[n], sizeof(ndir[n]), "%s/%s-n%d", root, tag, n + 1);
        cr_assert_eq(fs_mkdir_p(ndir[n], 0700, &err), 0);
    }
    write_torn(rec_names, rec1, 2, 1, -1);
    write_torn(done_name, mark, 1, 2, -1);
}

/* The newest copy everywhere after a repair: a second reconciliation finds
 * every node identical, at the same generations. */
static void assert_converged(const struct journal_view *agreed)
{
    struct og_error err = {0};
    struct journal_view v[NNODES], again;

    repair(agreed);
    load_all(v);
    cr_assert_eq(journal_reconcile(v, NNODES, &again, &err), 0, "%s", err.detail);
    for (size_t f = 0; f < journal_n_managed; f++) {
        cr_assert_eq(again.gen[f], agreed->gen[f] < 0 ? 0 : agreed->gen[f], "%s",
                     journal_managed_files[f]);
        for (int n = 0; n < NNODES; n++) {
            cr_assert_eq(v[n].has_file[f], agreed->has_file[f], "%s node%d",
                         journal_managed_files[f], n + 1);
            cr_assert_eq(v[n].digest[f], agreed->digest[f]);
            cr_assert_eq(journal_view_gen(&v[n], f), again.gen[f], "%s torn on node%d",
                         journal_managed_files[f], n + 1);
        }
    }
}

/* A record (upgrade_step.dat and ogup_step) cut at every point of its
 * write: the newest complete write wins, whatever each node got. */
Test(journal, torn_record_converges_to_the_newest_at_every_cut)
{
    const char *rec3[] = {ACTION ":3\n", "inplace 3 switch-bin begin do seq=3 writer=node1\n"};
    struct og_error err = {0};
    struct journal_view v[NNODES], agreed;

    for (int ops = 0;; ops++) {
        char tag[32];
        int total;
        snprintf(tag, sizeof(tag), "cut%d", ops);
        base_journal(tag);
        total = write_torn(rec_names, rec3, 2, 3, ops);
        load_all(v);
        cr_assert_eq(journal_reconcile(v, NNODES, &agreed, &err), 0, "cut %d: %s", ops, err.detail);
        /* node1's manifest written: the record is made; before, it is not */
        cr_assert_eq(agreed.dat.step, ops >= 3 ? 3 : 1, "cut %d", ops);
        cr_assert_eq(agreed.gen[journal_managed_index("ogup_step")], ops >= 3 ? 3 : 1);
        cr_assert(agreed.has_file[journal_managed_index("ogup_catalog_done")]);
        assert_converged(&agreed);
        if (ops >= total)
            break;
    }
}

/* A removal (the catalog marker) cut at every point: a tombstone of a
 * newer generation wins; cut before node1's manifest, the marker stays. */
Test(journal, torn_removal_converges_at_every_cut)
{
    const char *gone[] = {NULL};
    struct og_error err = {0};
    struct journal_view v[NNODES], agreed;
    int f = journal_managed_index("ogup_catalog_done");

    for (int ops = 0;; ops++) {
        char tag[32];
        int total;
        snprintf(tag, sizeof(tag), "rm%d", ops);
        base_journal(tag);
        total = write_torn(done_name, gone, 1, 3, ops);
        load_all(v);
        cr_assert_eq(journal_reconcile(v, NNODES, &agreed, &err), 0, "cut %d: %s", ops, err.detail);
        cr_assert_eq(agreed.has_file[f], ops < 2, "cut %d", ops);
        assert_converged(&agreed);
        if (ops >= total)
            break;
    }
}

/* The copies a power-off leaves when a copy is reported made but did not
 * land (seen: node2 with the new ogup_step and manifest, the old .dat):
 * the torn .dat loses to node1's; a node that missed whole records (a
 * --force run without it) is older by construction. */
Test(journal, a_copy_without_its_manifest_or_missed_is_older)
{
    const char *rec3[] = {ACTION ":3\n", "inplace 3 switch-bin begin do seq=3 writer=node1\n"};
    const char *rec4[] = {ACTION ":4\n", "inplace 4 start begin do seq=4 writer=node1\n"};
    struct og_error err = {0};
    struct journal_view v[NNODES], agreed;

    base_journal("lie");
    write_torn(rec_names, rec3, 2, 3, -1);
    at(ndir[1], JOURNAL_DAT_FILE, ACTION ":1\n");
    at(ndir[2], "ogup_step", "inplace 1 record done do seq=1 writer=node1\n");
    load_all(v);
    cr_assert_eq(journal_view_gen(&v[1], journal_managed_index(JOURNAL_DAT_FILE)),
                 JOURNAL_GEN_TORN);
    cr_assert_eq(journal_reconcile(v, NNODES, &agreed, &err), 0, "%s", err.detail);
    cr_assert_eq(agreed.dat.step, 3);
    cr_assert_eq(agreed.from[journal_managed_index("ogup_step")], 0);
    assert_converged(&agreed);

    /* node3 left out of two records, node2 of the last */
    base_journal("missed");
    write_torn(rec_names, rec3, 2, 3, 3 + 3);
    write_torn(rec_names, rec4, 2, 4, 3);
    load_all(v);
    cr_assert_eq(journal_reconcile(v, NNODES, &agreed, &err), 0, "%s", err.detail);
    cr_assert_eq(agreed.dat.step, 4);
    assert_converged(&agreed);
}

/* Two copies of one file at the same, highest, generation that differ:
 * two writers, which nothing orders: still OGUP-60090, naming both. Copies
 * without any manifest (an older ogup) are all at generation 0: as before. */
Test(journal, same_generation_different_copies_is_a_conflict)
{
    const char *rec3[] = {ACTION ":3\n", "inplace 3 switch-bin begin do seq=3 writer=node1\n"};
    const char *other[] = {ACTION ":2\n", "inplace 2 backup begin do seq=3 writer=node2\n"};
    struct og_error err = {0};
    struct journal_view v[NNODES], agreed;

    base_journal("conflict");
    write_torn(rec_names, rec3, 2, 3, -1);
    /* node2 wrote its own record 3 (another upgrader there) */
    at(ndir[1], JOURNAL_DAT_FILE, other[0]);
    at(ndir[1], "ogup_step", other[1]);
    cr_assert_eq(journal_manifest_note(ndir[1], rec_names, 2, 3, &err), 0);
    load_all(v);
    cr_assert_eq(journal_reconcile(v, NNODES, &agreed, &err), -OG_E_JOURNAL_DISAGREE);
    cr_assert_eq(err.code, OG_E_JOURNAL_DISAGREE);
    cr_assert_not_null(strstr(err.detail, "\"node1\" and \"node2\""), "%s", err.detail);
    cr_assert_not_null(strstr(err.detail, "upgrade_step.dat"), "%s", err.detail);
    cr_assert_not_null(strstr(err.detail, "generation 3"), "%s", err.detail);

    /* no manifest anywhere: generation 0, identical or refused */
    for (int n = 0; n < NNODES; n++)
        at(ndir[n], JOURNAL_MANIFEST_FILE, NULL);
    load_all(v);
    og_error_clear(&err);
    cr_assert_eq(journal_reconcile(v, NNODES, &agreed, &err), -OG_E_JOURNAL_DISAGREE);
    cr_assert_null(strstr(err.detail, "generation"), "%s", err.detail);
    at(ndir[1], JOURNAL_DAT_FILE, rec3[0]);
    at(ndir[1], "ogup_step", rec3[1]);
    load_all(v);
    cr_assert_eq(journal_reconcile(v, NNODES, &agreed, &err), 0, "%s", err.detail);
    cr_assert_not(agreed.has_manifest, "nothing ordered: no manifest to write");
}

Test(journal, manifest_format_round_trip_and_errors)
{
    struct og_error err = {0};
    struct journal_manifest m, back;
    _cleanup_dynbuf_ struct dynbuf b = {0};
    unsigned long long gen = 0;
    bool found = true;

    memset(&m, 0, sizeof(m));
    m.e[1] = (struct journal_manifest_entry){
        .set = true, .present = true, .gen = 7, .digest = 0x0123456789abcdefULL};
    m.e[5] = (struct journal_manifest_entry){.set = true, .gen = 9};
    dynbuf_init(&b, 4096);
    cr_assert_eq(journal_manifest_format(&m, &b, &err), 0);
    cr_assert_str_eq(dynbuf_str(&b), "ogup-manifest 1\n7 0123456789abcdef upgrade_step.dat\n"
                                     "9 - touch_init_flag\n");
    cr_assert_eq(journal_manifest_parse(dynbuf_str(&b), "t", &back, &err), 0, "%s", err.detail);
    for (size_t i = 0; i < journal_n_managed; i++) {
        cr_assert_eq(back.e[i].set, m.e[i].set, "%zu", i);
        cr_assert_eq(back.e[i].present, m.e[i].present);
        cr_assert_eq(back.e[i].gen, m.e[i].gen);
        cr_assert_eq(back.e[i].digest, m.e[i].digest);
    }
    cr_assert_eq(journal_manifest_max(&back), 9);
    cr_assert_eq(journal_manifest_parse("ogup-manifest 1\n3 - a_newer_file\n", "t", &back, &err), 0,
                 "a name ogup does not order is skipped");
    cr_assert_eq(journal_manifest_parse("x\n", "t", &back, &err), -OG_E_CONTENT_INVALID);
    cr_assert_eq(journal_manifest_parse("ogup-manifest 1\n3 zz ogup_step\n", "t", &back, &err),
                 -OG_E_CONTENT_INVALID);
    cr_assert_eq(
        journal_manifest_parse("ogup-manifest 1\n3 - ogup_step\n4 - ogup_step\n", "t", &back, &err),
        -OG_E_CONTENT_INVALID);
    cr_assert_eq(journal_manifest_read(root, &back, &found, &err), 0);
    cr_assert_not(found);
    cr_assert_eq(journal_manifest_next(root, &gen, &err), 0);
    cr_assert_eq(gen, 1);
    cr_assert_eq(journal_managed_index(JOURNAL_COMMIT_FLAG), -1, "commitFlagFile is OR'ed");
}
