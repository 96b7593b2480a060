/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * The fault ledger: every kind through format and parse, the state rules,
 * strict parsing (a bad file is refused whole), a crash half-way through a
 * save (the old ledger survives), the lock between concurrent injectors.
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "failpoint.h"
#include "fault.h"
#include "fs.h"
#include "ledger.h"

#include "../helpers/tmpdir.h"

static char dir[PATH_MAX];
static char path[PATH_MAX + 64];

static void setup(void)
{
    cr_assert_eq(tmpdir_make("fault_ledger", dir, sizeof(dir)), 0);
    snprintf(path, sizeof(path), "%s/%s", dir, LEDGER_FILE);
}

static void teardown(void)
{
    tmpdir_remove(dir);
}

TestSuite(fault_ledger, .init = setup, .fini = teardown);

/* A ledger with one entry of every kind, as the injector fills them. */
static struct ledger *sample(void)
{
    struct ledger *l = NULL;
    struct ledger_entry *e;

    cr_assert_eq(ledger_new("ft1", &l, NULL), 0);
    cr_assert_eq(ledger_add(l, FAULT_DISK_FULL, &e, NULL), 0);
    snprintf(e->nodes[e->n_nodes++], sizeof(e->nodes[0]), "node1");
    e->params.free_bytes = 4096;
    e->params.ballast_bytes = 123456789;
    snprintf(e->undo.domain, sizeof(e->undo.domain), "ogsim-ft1-node1");
    snprintf(e->undo.path, sizeof(e->undo.path), "/opt/ogsim/data/ogfault-ballast-1");
    cr_assert_eq(ledger_add(l, FAULT_NET_CUT, &e, NULL), 0);
    snprintf(e->nodes[e->n_nodes++], sizeof(e->nodes[0]), "node3");
    snprintf(e->undo.veth, sizeof(e->undo.veth), "ogv1h13");
    cr_assert_eq(ledger_add(l, FAULT_NET_LOSS, &e, NULL), 0);
    snprintf(e->nodes[e->n_nodes++], sizeof(e->nodes[0]), "node2");
    e->params.percent = 35;
    snprintf(e->undo.chain, sizeof(e->undo.chain), "OGFAULT-ft1");
    snprintf(e->undo.rules[e->undo.n_rules++], LEDGER_RULE_MAX,
             "-m physdev --physdev-in ogv1h12 -m statistic --mode random --probability 0.35 "
             "-m comment --comment ogfault:ft1:3 -j DROP");
    snprintf(e->undo.rules[e->undo.n_rules++], LEDGER_RULE_MAX,
             "-s 10.213.1.1/32 -d 10.213.1.12/32 -j DROP");
    cr_assert_eq(ledger_add(l, FAULT_PARTITION, &e, NULL), 0);
    snprintf(e->nodes[e->n_nodes++], sizeof(e->nodes[0]), "node2");
    snprintf(e->nodes[e->n_nodes++], sizeof(e->nodes[0]), "node3");
    snprintf(e->undo.chain, sizeof(e->undo.chain), "OGFAULT-ft1");
    snprintf(e->undo.rules[e->undo.n_rules++], LEDGER_RULE_MAX,
             "-m physdev --physdev-in a --physdev-out b --physdev-is-bridged -j DROP");
    cr_assert_eq(ledger_add(l, FAULT_KILL_DB, &e, NULL), 0);
    snprintf(e->nodes[e->n_nodes++], sizeof(e->nodes[0]), "node2");
    e->undo.pid = 4242;
    e->undo.restart_db = true;
    cr_assert_eq(ledger_add(l, FAULT_KILL_UPGRADER, &e, NULL), 0);
    snprintf(e->nodes[e->n_nodes++], sizeof(e->nodes[0]), "node1");
    e->params.pids[e->params.n_pids++] = 77;
    e->params.pids[e->params.n_pids++] = 78;
    cr_assert_eq(ledger_add(l, FAULT_POWER_OFF, &e, NULL), 0);
    snprintf(e->nodes[e->n_nodes++], sizeof(e->nodes[0]), "node3");
    snprintf(e->undo.domain, sizeof(e->undo.domain), "ogsim-ft1-node3");
    e->undo.restart_db = false;
    cr_assert_eq(ledger_add(l, FAULT_FREEZE, &e, NULL), 0);
    snprintf(e->nodes[e->n_nodes++], sizeof(e->nodes[0]), "node2");
    snprintf(e->undo.domain, sizeof(e->undo.domain), "ogsim-ft1-node2");
    cr_assert_eq(ledger_add(l, FAULT_FAILPOINT, &e, NULL), 0);
    snprintf(e->params.spec, sizeof(e->params.spec), "inplace.switch-bin.before=kill");
    cr_assert_eq(ledger_entry_set_state(e, FAULT_ACTIVE, NULL), 0);
    return l;
}

static char *text_of(const struct ledger *l)
{
    struct dynbuf b;

    dynbuf_init(&b, LEDGER_MAX_BYTES);
    cr_assert_eq(ledger_format(l, &b), 0);
    return dynbuf_steal(&b);
}

Test(fault_ledger, every_kind_survives_format_and_parse)
{
    _cleanup_ledger_ struct ledger *l = sample(), *back = NULL;
    _cleanup_free_ char *t1 = text_of(l), *t2 = NULL;
    struct og_error err = {0};

    cr_assert_eq(ledger_parse(t1, &back, &err), 0, "%s", err.detail);
    cr_assert_eq(back->n, FAULT_KIND_COUNT);
    cr_assert_eq(back->next_id, FAULT_KIND_COUNT + 1);
    cr_assert_str_eq(back->cluster, "ft1");
    for (size_t i = 0; i < back->n; i++) {
        const struct ledger_entry *a = &l->entries[i], *b = &back->entries[i];
        cr_assert_eq(b->id, (int)i + 1);
        cr_assert_eq(b->kind, a->kind);
        cr_assert_eq(b->state, a->state);
        cr_assert_eq(b->n_nodes, a->n_nodes);
        for (size_t k = 0; k < a->n_nodes; k++)
            cr_assert_str_eq(b->nodes[k], a->nodes[k]);
        cr_assert_str_eq(b->created, a->created);
        cr_assert_eq(b->undo.n_rules, a->undo.n_rules);
        for (size_t k = 0; k < a->undo.n_rules; k++)
            cr_assert_str_eq(b->undo.rules[k], a->undo.rules[k]);
    }
    cr_assert_eq(back->entries[0].params.free_bytes, 4096);
    cr_assert_eq(back->entries[0].params.ballast_bytes, 123456789);
    cr_assert_str_eq(back->entries[0].undo.path, "/opt/ogsim/data/ogfault-ballast-1");
    cr_assert_str_eq(back->entries[1].undo.veth, "ogv1h13");
    cr_assert_eq(back->entries[2].params.percent, 35);
    cr_assert_str_eq(back->entries[2].undo.chain, "OGFAULT-ft1");
    cr_assert_eq(back->entries[4].undo.pid, 4242);
    cr_assert(back->entries[4].undo.restart_db);
    cr_assert_eq(back->entries[5].params.n_pids, 2);
    cr_assert_eq(back->entries[5].params.pids[1], 78);
    cr_assert_not(back->entries[6].undo.restart_db);
    cr_assert_str_eq(back->entries[7].undo.domain, "ogsim-ft1-node2");
    cr_assert_str_eq(back->entries[8].params.spec, "inplace.switch-bin.before=kill");
    /* the same text again: nothing lost, nothing added */
    t2 = text_of(back);
    cr_assert_str_eq(t1, t2);
}

Test(fault_ledger, rule_specs_are_exact_argv_lists)
{
    _cleanup_ledger_ struct ledger *l = sample();
    _cleanup_free_ char *t = text_of(l);
    char buf[LEDGER_RULE_MAX];
    const char *argv[8];

    /* the JSON holds each token as a string of its own */
    cr_assert_not_null(strstr(t, "\"--physdev-in\""));
    cr_assert_not_null(strstr(t, "\"ogfault:ft1:3\""));
    cr_assert_eq(ledger_rule_split("-s 1.2.3.4 -j DROP", buf, sizeof(buf), argv, 8), 4);
    cr_assert_str_eq(argv[1], "1.2.3.4");
    cr_assert_null(argv[4]);
    cr_assert_eq(ledger_rule_split("a b c d e f g h i", buf, sizeof(buf), argv, 8),
                 -OG_E_TOO_LARGE);
}

Test(fault_ledger, states_move_forward_only)
{
    _cleanup_ledger_ struct ledger *l = NULL;
    struct ledger_entry *a, *b;
    struct og_error err = {0};

    cr_assert_eq(ledger_new("ft1", &l, NULL), 0);
    cr_assert_eq(ledger_add(l, FAULT_NET_CUT, &a, NULL), 0);
    cr_assert_eq(a->state, FAULT_INSTALLING);
    cr_assert_neq(a->created[0], '\0');
    cr_assert_eq(a->installed[0], '\0');
    cr_assert_eq(ledger_entry_set_state(a, FAULT_INSTALLING, &err), -OG_E_FAULT_STATE);
    cr_assert_eq(ledger_entry_set_state(a, FAULT_ACTIVE, NULL), 0);
    cr_assert_neq(a->installed[0], '\0');
    cr_assert_eq(ledger_entry_set_state(a, FAULT_ACTIVE, &err), -OG_E_FAULT_STATE);
    cr_assert_eq(ledger_entry_set_state(a, FAULT_INSTALLING, &err), -OG_E_FAULT_STATE);
    cr_assert_eq(err.code, OG_E_FAULT_STATE);
    cr_assert_eq(ledger_entry_set_state(a, FAULT_HEALED, NULL), 0);
    cr_assert_neq(a->healed[0], '\0');
    cr_assert_eq(ledger_entry_set_state(a, FAULT_ACTIVE, NULL), -OG_E_FAULT_STATE);
    cr_assert_eq(ledger_entry_set_state(a, FAULT_HEALED, NULL), -OG_E_FAULT_STATE);
    /* an install that failed (or a sweep) heals straight from installing */
    cr_assert_eq(ledger_add(l, FAULT_FREEZE, &b, NULL), 0);
    cr_assert_eq(b->id, 2);
    cr_assert_eq(ledger_entry_set_state(b, FAULT_HEALED, NULL), 0);
    cr_assert_eq(ledger_find(l, 2), &l->entries[1]);
    cr_assert_null(ledger_find(l, 3));
}

/* Replace the first occurrence of from by to in a copy of text. */
static char *edit(const char *text, const char *from, const char *to)
{
    const char *p = strstr(text, from);
    size_t n = strlen(text) + strlen(to) + 1;
    char *out = malloc(n);

    cr_assert_not_null(p, "\"%s\" not in the ledger", from);
    snprintf(out, n, "%.*s%s%s", (int)(p - text), text, to, p + strlen(from));
    return out;
}

static void refused(const char *text, const char *why)
{
    struct ledger *l = NULL;
    struct og_error err = {0};

    cr_assert_eq(ledger_parse(text, &l, &err), -OG_E_FAULT_LEDGER, "accepted: %s", why);
    cr_assert_null(l, "%s", why);
    cr_assert_eq(err.code, OG_E_FAULT_LEDGER);
}

Test(fault_ledger, a_bad_ledger_is_refused_whole)
{
    _cleanup_ledger_ struct ledger *l = sample();
    _cleanup_free_ char *t = text_of(l);
    static const struct {
        const char *from, *to, *why;
    } cases[] = {
        {"\"format\": 1", "\"format\": 2", "a future format"},
        {"\"format\": 1", "\"format\": \"1\"", "format as a string"},
        {"\"kind\": \"net-cut\"", "\"kind\": \"net-cut2\"", "unknown kind"},
        {"\"state\": \"active\"", "\"state\": \"gone\"", "unknown state"},
        {"\"next_id\": 10", "\"next_id\": 5", "an id at or above next_id"},
        {"\"id\": 2,", "\"id\": 1,", "a duplicate id"},
        {"\"percent\": 35", "\"percent\": 101", "percent out of range"},
        {"\"ogfault:ft1:3\"", "\"ogfault ft1\"", "a rule token with a blank"},
        {"\"veth\": \"ogv1h13\"", "\"veth\": \"-x\"", "an interface name like an option"},
        {"\"veth\": \"ogv1h13\"", "\"vethx\": \"ogv1h13\"", "the undo info missing"},
        {"\"path\": \"/opt/ogsim/data/ogfault-ballast-1\"", "\"path\": \"rel/ballast\"",
         "a relative ballast path"},
        {"\"node3\"", "\"-node3\"", "a node name like an option"},
        {"\"restart_db\": true", "\"restart_db\": 1", "restart_db not a boolean"},
    };

    for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
        _cleanup_free_ char *bad = edit(t, cases[i].from, cases[i].to);
        refused(bad, cases[i].why);
    }
    refused("", "empty");
    refused("[1,2]", "not an object");
    refused("{\"format\": 1, \"cluster\": \"x\", \"next_id\": 1", "truncated");
    refused(t + 1, "half a file");
    {
        /* over the limit: refused, never truncated */
        size_t n = LEDGER_MAX_BYTES + 16;
        _cleanup_free_ char *big = malloc(n + 1);
        memset(big, ' ', n);
        big[n] = '\0';
        big[0] = '{';
        refused(big, "too large");
    }
}

Test(fault_ledger, save_is_0600_and_load_reads_it_back)
{
    _cleanup_ledger_ struct ledger *l = sample(), *back = NULL, *empty = NULL;
    struct og_error err = {0};
    struct stat st;

    cr_assert_eq(ledger_load(path, "ft1", &empty, &err), 0, "%s", err.detail);
    cr_assert_eq(empty->n, 0);
    cr_assert_eq(empty->next_id, 1);
    cr_assert_str_eq(empty->cluster, "ft1");
    cr_assert_eq(ledger_save(l, path, &err), 0, "%s", err.detail);
    cr_assert_eq(stat(path, &st), 0);
    cr_assert_eq(st.st_mode & 07777, 0600);
    cr_assert_eq(ledger_load(path, "ft1", &back, &err), 0, "%s", err.detail);
    cr_assert_eq(back->n, FAULT_KIND_COUNT);
    {
        _cleanup_free_ char *a = text_of(l), *b = text_of(back);
        cr_assert_str_eq(a, b);
    }
    /* a corrupt file is an error with its path, not an empty ledger */
    cr_assert_eq(fs_replace_file(path, "{\"format\": 1,", 13, 0600, NULL), 0);
    ledger_free(back);
    back = NULL;
    cr_assert_eq(ledger_load(path, "ft1", &back, &err), -OG_E_FAULT_LEDGER);
    cr_assert_not_null(strstr(err.detail, path));
}

static size_t stray_temps(void)
{
    _cleanup_closedir_ DIR *d = opendir(dir);
    struct dirent *de;
    size_t n = 0;

    while (d && (de = readdir(d)))
        if (strstr(de->d_name, ".tmp"))
            n++;
    return n;
}

Test(fault_ledger, a_writer_killed_mid_save_leaves_the_old_ledger)
{
    _cleanup_ledger_ struct ledger *l = sample(), *back = NULL;
    _cleanup_free_ char *before = NULL, *after = NULL;
    struct og_error err = {0};
    struct ledger_entry *e;
    int status = 0;
    pid_t pid;

    cr_assert_eq(ledger_save(l, path, &err), 0, "%s", err.detail);
    cr_assert_eq(fs_read_file(path, LEDGER_MAX_BYTES, &before, NULL, NULL), 0);
    cr_assert_eq(ledger_add(l, FAULT_NET_CUT, &e, NULL), 0);
    snprintf(e->nodes[e->n_nodes++], sizeof(e->nodes[0]), "node1");
    snprintf(e->undo.veth, sizeof(e->undo.veth), "ogv1h11");
    pid = fork();
    cr_assert_geq(pid, 0);
    if (pid == 0) {
        /* the child dies half-way through writing the new ledger */
        fault_register_failpoints();
        if (failpoint_setup("fault.ledger.mid-write=kill", NULL) < 0)
            _exit(2);
        ledger_save(l, path, NULL);
        _exit(3);
    }
    cr_assert_eq(waitpid(pid, &status, 0), pid);
    cr_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL, "status %d", status);
    /* the reader sees the old ledger exactly, the half-written one aside */
    cr_assert_eq(fs_read_file(path, LEDGER_MAX_BYTES, &after, NULL, NULL), 0);
    cr_assert_str_eq(after, before);
    cr_assert_eq(stray_temps(), 1);
    cr_assert_eq(ledger_load(path, "ft1", &back, &err), 0, "%s", err.detail);
    cr_assert_eq(back->n, FAULT_KIND_COUNT);
    /* the next save goes through and removes the stray temp file */
    cr_assert_eq(ledger_save(l, path, &err), 0, "%s", err.detail);
    cr_assert_eq(stray_temps(), 0);
    ledger_free(back);
    back = NULL;
    cr_assert_eq(ledger_load(path, "ft1", &back, &err), 0, "%s", err.detail);
    cr_assert_eq(back->n, FAULT_KIND_COUNT + 1);
    cr_assert_str_eq(back->entries[FAULT_KIND_COUNT].undo.veth, "ogv1h11");
}

Test(fault_ledger, the_lock_serialises_injectors)
{
    enum { WRITERS = 6, EACH = 5 };
    _cleanup_ledger_ struct ledger *l = NULL;
    struct og_error err = {0};
    pid_t pids[WRITERS];

    for (int w = 0; w < WRITERS; w++) {
        pids[w] = fork();
        cr_assert_geq(pids[w], 0);
        if (pids[w] == 0) {
            for (int k = 0; k < EACH; k++) {
                struct lockfile *lock = NULL;
                struct ledger *x = NULL;
                struct ledger_entry *e;
                if (ledger_lock(dir, 30000, &lock, NULL) < 0 ||
                    ledger_load(path, "ft1", &x, NULL) < 0 ||
                    ledger_add(x, FAULT_FREEZE, &e, NULL) < 0)
                    _exit(1);
                snprintf(e->nodes[e->n_nodes++], sizeof(e->nodes[0]), "w%d", w);
                if (ledger_save(x, path, NULL) < 0)
                    _exit(1);
                ledger_free(x);
                lockfile_release(lock);
            }
            _exit(0);
        }
    }
    for (int w = 0; w < WRITERS; w++) {
        int status = 0;
        cr_assert_eq(waitpid(pids[w], &status, 0), pids[w]);
        cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    }
    /* no update lost: every id once, in order */
    cr_assert_eq(ledger_load(path, "ft1", &l, &err), 0, "%s", err.detail);
    cr_assert_eq(l->n, WRITERS * EACH);
    cr_assert_eq(l->next_id, WRITERS * EACH + 1);
    for (size_t i = 0; i < l->n; i++)
        cr_assert_eq(l->entries[i].id, (int)i + 1);
}

Test(fault_ledger, a_held_lock_refuses_a_second_injector_until_its_holder_dies)
{
    struct lockfile *lock = NULL;
    struct og_error err = {0};
    int ready[2], status = 0;
    char c;
    pid_t pid;

    cr_assert_eq(pipe(ready), 0);
    pid = fork();
    cr_assert_geq(pid, 0);
    if (pid == 0) {
        struct lockfile *mine = NULL;
        if (ledger_lock(dir, 0, &mine, NULL) < 0)
            _exit(1);
        if (write(ready[1], "x", 1) != 1)
            _exit(1);
        pause(); /* killed while holding it: a crashed injector */
        _exit(0);
    }
    cr_assert_eq(read(ready[0], &c, 1), 1);
    cr_assert_eq(ledger_lock(dir, 0, &lock, &err), -OG_E_LOCKED);
    kill(pid, SIGKILL);
    cr_assert_eq(waitpid(pid, &status, 0), pid);
    cr_assert_eq(ledger_lock(dir, 0, &lock, &err), 0, "%s", err.detail);
    lockfile_release(lock);
    close(ready[0]);
    close(ready[1]);
}

Test(fault_ledger, active_failpoint_specs_join_for_the_upgrader)
{
    _cleanup_ledger_ struct ledger *l = NULL;
    _cleanup_dynbuf_ struct dynbuf b = {0};
    struct ledger_entry *e;

    dynbuf_init(&b, 4096);
    cr_assert_eq(ledger_new("ft1", &l, NULL), 0);
    cr_assert_eq(fault_failpoint_env(l, &b), 0);
    cr_assert_str_eq(dynbuf_str(&b), "");
    cr_assert_eq(ledger_add(l, FAULT_FAILPOINT, &e, NULL), 0);
    snprintf(e->params.spec, sizeof(e->params.spec), "a.b.before=kill");
    cr_assert_eq(ledger_entry_set_state(e, FAULT_ACTIVE, NULL), 0);
    cr_assert_eq(ledger_add(l, FAULT_FAILPOINT, &e, NULL), 0);
    snprintf(e->params.spec, sizeof(e->params.spec), "x.y.after-effect=exit:3");
    cr_assert_eq(ledger_entry_set_state(e, FAULT_ACTIVE, NULL), 0);
    cr_assert_eq(ledger_add(l, FAULT_FAILPOINT, &e, NULL), 0); /* healed: not passed on */
    snprintf(e->params.spec, sizeof(e->params.spec), "gone=kill");
    cr_assert_eq(ledger_entry_set_state(e, FAULT_HEALED, NULL), 0);
    cr_assert_eq(fault_failpoint_env(l, &b), 0);
    cr_assert_str_eq(dynbuf_str(&b), "a.b.before=kill,x.y.after-effect=exit:3");
}

Test(fault_ledger, failpoint_specs_are_checked_against_the_upgrader)
{
    struct og_error err = {0};

    cr_assert_eq(fault_failpoint_check("inplace.switch-bin.before=kill", &err), 0, "%s",
                 err.detail);
    cr_assert_eq(fault_failpoint_check("inplace.*=fail:51400@2", &err), 0, "%s", err.detail);
    /* every point gs_upgradectl has (grey_register_failpoints): grey's, the journal's */
    cr_assert_eq(fault_failpoint_check("grey.switch-process.before=kill", &err), 0, "%s",
                 err.detail);
    cr_assert_eq(fault_failpoint_check("grey-commit.*=fail:51400", &err), 0, "%s", err.detail);
    cr_assert_eq(fault_failpoint_check("journal.put.after-local=exit:9@2", &err), 0, "%s",
                 err.detail);
    cr_assert_eq(fault_failpoint_check("inplace.no-such-step.before=kill", &err), -OG_E_FAILPOINT);
    cr_assert_eq(fault_failpoint_check("inplace.switch-bin.before=explode", &err), -OG_E_FAILPOINT);
    cr_assert_eq(fault_failpoint_check("a b=kill", &err), -OG_E_FAILPOINT);
    cr_assert_eq(fault_failpoint_check("", &err), -OG_E_FAILPOINT);
}
