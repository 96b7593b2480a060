/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * gs_upgradectl: openGauss's upgrade tool over libogup.
 */
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clusterstatus.h"
#include "command.h"
#include "fs.h"
#include "journal.h"
#include "omopt.h"
#include "oglog.h"
#include "omtools.h"
#include "parse.h"
#include "staticconfig.h"
#include "transport.h"
#include "versioncfg.h"
#include "failpoint.h"
#include "precheck.h"
#include "upgradectl.h"
#include "appinstall.h"
#include "grey.h"
#include "inplace.h"
#include "jdist.h"
#include "lockfile.h"
#include "upgpath.h"
#include "banned.h"

/* openGauss 5.0.0's usage (gs_upgradectl:123-157; upgrade-cm left out:
 * no CM in these clusters), then ogup's extensions, each with the
 * openGauss behaviour it differs from. */
static int usage_gs_upgradectl(int rc)
{
    printf("\ngs_upgradectl is a utility to upgrade a cluster.\n\nUsage:\n"
           "  gs_upgradectl -? | --help\n"
           "  gs_upgradectl -V | --version\n"
           "  gs_upgradectl -t chose-strategy [-l LOGFILE]\n"
           "  gs_upgradectl -t auto-upgrade -X XMLFILE [-l LOGFILE] [--grey]\n"
           "  gs_upgradectl -t auto-rollback -X XMLFILE [-l LOGFILE] [--force]\n"
           "  gs_upgradectl -t commit-upgrade -X XMLFILE [-l LOGFILE]\n\n"
           "General options:\n"
           "  -?, --help                      Show help information for this utility,\n"
           "                                  and exit the command line mode.\n"
           "  -V, --version                   Show version information.\n"
           "  -t                              Subcommand for upgrade. It can be\n"
           "                                  chose-strategy, auto-upgrade, auto-rollback,\n"
           "                                  commit-upgrade.\n"
           "  -X                              Path of the XML configuration file of the\n"
           "                                  later version cluster.\n"
           "  -l                              Path of log file.\n"
           "  --force                         Force to rollback when cluster status is\n"
           "                                  not normal\n"
           "  --grey                          Use grey-binary-upgrade\n"
           "Option for grey upgrade\n"
           "  -h                              Under grey upgrade, specified nodes name.\n"
           "  --continue                      Under grey upgrade, continue to upgrade\n"
           "                                  remain nodes.\n\n"
           "ogup extensions (not in openGauss 5.0.0's gs_upgradectl):\n"
           "  --inplace-upgrade               In-place where the OM tools upgrade grey by\n"
           "                                  default (openGauss 5.0.2 on; 6.0.0 refuses it).\n"
           "  --rolling                       Grey: standbys one at a time, then one planned\n"
           "                                  switchover (openGauss restarts the batch's\n"
           "                                  instances together, the primary's too).\n"
           "  --parallel N                    The catalog SQL on N databases at once, each\n"
           "                                  its own transaction (default: twice the CPUs,\n"
           "                                  2 to 8; openGauss runs them one by one).\n"
           "  -t pre-check -X XMLFILE         Every pre-check, nothing changed (openGauss\n"
           "                                  checks only inside auto-upgrade).\n"
           "  -S show-step | -t show-step     The upgrade mode and each node's step\n"
           "                                  (openGauss 6.0.0's -S; 5.0.0 has neither).\n"
           "  --skip-resource-check           Skip the disk-usage pre-check.\n"
           "  --bypass-stale-check            Allow a new package built before the old one.\n"
           "  --list-failpoints               The failpoints of this build, as JSON.\n"
           "  A failed auto-upgrade keeps its journal: run it again to resume, or\n"
           "  auto-rollback (openGauss rolls a failed in-place upgrade back at once).\n");
    return rc;
}

/* grey steps as 6.0.0's show-step describes them (UpgradeImpl.py v6.0.0 :275-295) */
static const char *const step_text[] = {
    "make sure the cluster is Normal and the database could be connected",
    "upgrade catalog",
    "switch new bin",
    "upgrade process",
    "Upgrade post catalog",
    "pre-commit",
    "begin commit",
};

/* openGauss 6.0.0's show-step (doShowUpgradeStep, UpgradeImpl.py v6.0.0
 * :253-300; 5.0.0 has none): the nodes, `gs_ssh -c "gsql -V"`, then by
 * upgrade_mode on the primary (0 none, 1 in-place, 2 grey) the mode and,
 * grey, each node's step from upgrade_step.csv. ogup adds: a small in-place
 * upgrade (upgrade_mode stays 0) is told from its journal. */
static int upgradectl_show_step(void)
{
    _cleanup_transport_ struct transport *t = NULL;
    _cleanup_free_ char *csv = NULL;
    struct cluster_config cfg;
    struct og_error err = {0};
    struct command_result res = {0};
    const struct cluster_node *pri;
    char bin[PATH_MAX + 16], port[16], path[PATH_MAX], names[CLUSTER_MAX_NODES * 80] = "";
    int r = om_open_cluster(&cfg, &t, &err), mode;

    if (r < 0)
        return om_fail("gs_upgradectl", r, &err);
    printf("doShowUpgradeStep in UpgradeImpl\n");
    for (size_t i = 0; i < cfg.n_nodes; i++)
        snprintf(names + strlen(names), sizeof(names) - strlen(names), "%s'%s'", i ? ", " : "",
                 cfg.nodes[i].name);
    printf("Cluster Nodes are [%s]. \n", names);
    fflush(stdout);
    {
        char *ssh[] = {"gs_ssh", "-c", "gsql -V", NULL};
        tool_gs_ssh(3, ssh);
        printf("\n");
    }
    pri = clusterconfig_primary(&cfg);
    snprintf(bin, sizeof(bin), "%s/bin/gsql", cfg.app_path);
    snprintf(port, sizeof(port), "%d", pri->port);
    {
        /* the socket dir is the cluster's tmpMppdbPath ($PGHOST), on every node */
        const char *argv[] = {bin,  "-d", "postgres", "-h", cfg.tmp_path,         "-p", port,
                              "-X", "-q", "-tA",      "-c", "show upgrade_mode;", NULL};
        struct transport_run_opts o = {.timeout_ms = 60 * 1000, .check_exit = true};
        r = transport_run(t, pri->name, argv, &o, &res, &err);
    }
    if (r < 0)
        return om_fail(
            "gs_upgradectl",
            og_error_set(&err, OG_E_SQL, "Failed to execute SQL: %s.", "show upgrade_mode;"), &err);
    { /* upgrade_mode, its first line; not a number: 0, as atoi read it */
        char line[32];
        snprintf(line, sizeof(line), "%.*s", (int)strcspn(res.out, "\n"), res.out);
        if (safe_atoi(line, &mode) < 0)
            mode = 0;
    }
    command_result_done(&res);
    snprintf(path, sizeof(path), "%s/%s", getenv("PGHOST"), JOURNAL_DIR_NAME);
    if (mode == 0 && grey_journal_here(path))
        mode = 2;
    snprintf(path, sizeof(path), "%s/%s/%s", getenv("PGHOST"), JOURNAL_DIR_NAME, JOURNAL_DAT_FILE);
    if (mode == 0 && access(path, F_OK) == 0)
        mode = 1; /* small in place: upgrade_mode stays 0 */
    if (mode == 0) {
        printf("Cluster Not in Upgrading or have been run `upgrade-commit`.\n");
        return 0;
    }
    printf("Upgrade mode is `%s upgrade`.\n", mode == 1 ? "inplace" : "grey");
    snprintf(path, sizeof(path), "%s/binary_upgrade/upgrade_step.csv", getenv("PGHOST"));
    if (mode == 2 && fs_read_file(path, 1 << 20, &csv, NULL, NULL) == 0) {
        struct journal_steps steps;
        if (journal_steps_parse(csv, path, NULL, &steps, &err) < 0)
            return om_fail("gs_upgradectl", -err.code, &err);
        for (size_t i = 0; i < steps.n; i++) {
            int st = steps.rows[i].step;
            printf("step of Node [%s] is :%d\n%s\n", steps.rows[i].node, st,
                   st >= 0 && st < (int)ELEMENTSOF(step_text) ? step_text[st] : "unknown step");
        }
    }
    printf("You have Not run `upgrade-commit` yet.\n");
    return 0;
}

/* Which node is primary now: the roles an upgrade under way recorded, else
 * the running cluster's (gs_om -t query), as openGauss's tool resolves them
 * (a switchover or failover since the install moves the primary); the static
 * config's only when neither says. */
static int live_roles(struct upgctl *u, struct og_error *err)
{
    _cleanup_free_ char *text = NULL;
    struct cluster_status st;
    char path[PATH_MAX + 64];

    snprintf(path, sizeof(path), "%s/binary_upgrade/%s", getenv("PGHOST"), INPLACE_ROLES_FILE);
    if (fs_read_file(path, 1 << 16, &text, NULL, NULL) == 0)
        return clusterstatus_roles_parse(&u->installed, text, err);
    if (clusterstatus_query(&u->installed, u->t, &st, NULL) == 0)
        clusterstatus_live_roles(&u->installed, &st);
    return 0;
}

/* The pre-checks' environment from the installed cluster, the XML and the
 * process environment. */
static int precheck_env_init(struct upgctl *u, struct og_error *err)
{
    const char *envfile = getenv("MPPDB_ENV_SEPARATE_PATH");
    char path[PATH_MAX + 64];
    int r;

    r = om_open_cluster(&u->installed, &u->t, err);
    if (r < 0)
        return r;
    if (u->xml) {
        r = clusterconfig_load(u->xml, &u->xmlcfg, err);
        if (r < 0)
            return r;
    }
    snprintf(u->worker, sizeof(u->worker), "%s/script/gs_upgradectl", getenv("GPHOME"));
    if (envfile && envfile[0])
        snprintf(u->krb_dir, sizeof(u->krb_dir), "%s", envfile);
    else
        snprintf(u->krb_dir, sizeof(u->krb_dir), "%s/.bashrc",
                 getenv("HOME") ? getenv("HOME") : "/");
    {
        char tmp[PATH_MAX];
        snprintf(tmp, sizeof(tmp), "%s", u->krb_dir);
        snprintf(u->krb_dir, sizeof(u->krb_dir), "%s", dirname(tmp));
    }
    u->env = (struct precheck_env){
        .xml = u->xml ? &u->xmlcfg : NULL,
        .installed = &u->installed,
        .t = u->t,
        .gausshome = getenv("GAUSSHOME"),
        .gphome = getenv("GPHOME"),
        .pghost = getenv("PGHOST"),
        .worker = u->worker,
        .kerberos_dir = u->krb_dir,
    };
    /* frozen GUCs recorded by an upgrade under way */
    snprintf(path, sizeof(path), "%s/binary_upgrade/%s", getenv("PGHOST"), INPLACE_FROZEN_FILE);
    {
        _cleanup_free_ char *text = NULL;
        if (fs_read_file(path, 1 << 20, &text, NULL, NULL) == 0) {
            r = frozen_gucs_parse(text, &u->recorded, err);
            if (r < 0)
                return r;
            u->env.recorded = &u->recorded;
        }
    }
    return live_roles(u, err);
}

static int upgradectl_pre_check(struct upgctl *u)
{
    struct precheck_result res[32];
    _cleanup_dynbuf_ struct dynbuf out = {0};
    struct og_error err = {0};
    size_t n = 0;
    int r;

    dynbuf_init(&out, 1 << 20);
    r = precheck_env_init(u, &err);
    if (r < 0)
        return om_fail("gs_upgradectl", r, &err);
    printf("Checking the cluster before upgrade.\n");
    fflush(stdout);
    r = precheck_run_all(&u->env, res, &n, &err);
    precheck_format(res, n, &out);
    fputs(dynbuf_str(&out), stdout);
    if (r < 0) {
        printf("Failed to check pre upgrade.\n");
        return om_fail("gs_upgradectl", r, &err);
    }
    printf("Successfully checked the cluster: all %zu items passed.\n", n);
    return 0;
}

/* "compiled at YYYY-MM-DD" from <app>/bin/gaussdb -V on this node. */
static int release_date(const char *app, char *buf, size_t size, struct og_error *err)
{
    char bin[PATH_MAX + 16];
    _cleanup_command_ struct command *c = NULL;
    struct command_result res = {0};
    const char *at;
    int r;

    snprintf(bin, sizeof(bin), "%s/bin/gaussdb", app);
    c = command_newl(bin, "-V", NULL);
    if (!c)
        return og_error_set(err, OG_E_NOMEM, "gaussdb -V");
    r = command_run(c, &res, err);
    if (r == 0 && (at = strstr(res.out, "compiled at ")))
        snprintf(buf, size, "%.19s", at + 12);
    else if (r == 0)
        r = og_error_set(err, OG_E_OBTAIN_VERSION, "Failed to obtain version: %s -V printed %s",
                         bin, res.out);
    command_result_done(&res);
    return r;
}

/* MOT tables in any database (foreign tables on mot_server). */
static int mot_in_use(struct upgctl *u, bool *ret, struct og_error *err)
{
    const struct cluster_node *p = clusterconfig_primary(&u->installed);
    struct precheck_dblist dbs = {0};
    char v[64];
    long long count;
    int r = precheck_databases(&u->env, p, true, &dbs, err);

    *ret = false;
    for (size_t i = 0; r == 0 && i < dbs.n; i++) {
        r = precheck_sql(&u->env, p, dbs.names[i],
                         "SELECT count(*) FROM pg_foreign_table t JOIN pg_foreign_server s ON "
                         "s.oid = t.ftserver WHERE s.srvname = 'mot_server'",
                         v, sizeof(v), err);
        if (r == 0 && safe_atolli(v, &count) == 0 && count > 0)
            *ret = true;
    }
    precheck_dblist_done(&dbs);
    return r;
}

/* openGauss's choseStrategy plus the guide's rules (lib/upgrade/upgpath). */
static int strategy(struct upgctl *u, struct inplace *ip, struct upgpath_verdict *v,
                    struct og_error *err)
{
    char old_date[32], new_date[32];
    struct upgpath_options o = {.inplace = !u->grey, .bypass_stale_check = u->bypass_stale_check};
    int r = release_date(ip->old_app, old_date, sizeof(old_date), err);

    /* the new app is installed at step 4: its package says when it was built */
    if (r == 0)
        r = appinstall_kernel_build_time(ip->gphome, new_date, sizeof(new_date), err);
    if (r == 0 && ip->oldv.major < 2 && strcmp(ip->newv.version, "2.0.0") == 0)
        r = mot_in_use(u, &o.mot_in_use, err);
    if (r == 0)
        r = upgpath_check(&ip->oldv, old_date, &ip->newv, new_date, &o, v, err);
    if (r == 0 && !v->allowed)
        r = og_error_set(err, v->code, "%s", v->detail);
    return r;
}

/* The checks a resumed run can make with the cluster in any state. */
static int resume_checks(struct upgctl *u, struct og_error *err)
{
    const char *ids[] = {"static-config", "ssh-trust", "disk-usage",
                         "kerberos",      "om-kernel", "package-sha256"};
    int r = 0;

    for (size_t i = 0; r == 0 && i < ELEMENTSOF(ids); i++)
        r = precheck_find(ids[i])->fn(&u->env, err);
    return r;
}

static void history(struct upgctl *u, struct inplace *ip, const char *action, const char *status,
                    const struct og_error *err)
{
    struct journal_record rec = {0};
    char path[PATH_MAX + 32], msg[OG_ERROR_DETAIL_MAX + 64];
    const char *others[CLUSTER_MAX_NODES];
    size_t n = 0;
    struct og_error e = {0};

    snprintf(rec.action, sizeof(rec.action), "%s", action);
    snprintf(rec.status, sizeof(rec.status), "%s", status);
    snprintf(rec.old_version, sizeof(rec.old_version), "%s %s %s", ip->oldv.version,
             ip->oldv.number_str, ip->oldv.commit);
    snprintf(rec.new_version, sizeof(rec.new_version), "%s %s %s", ip->newv.version,
             ip->newv.number_str, ip->newv.commit);
    if (err && err->code)
        snprintf(rec.details, sizeof(rec.details), "%s", og_error_format(err, msg, sizeof(msg)));
    snprintf(path, sizeof(path), "%s/%s", getenv("GPHOME"), JOURNAL_RECORD_FILE);
    if (journal_record_append(path, &rec, &e) < 0) {
        log_warn("upgrade", "upgradeRecord.txt: %s", og_error_format(&e, msg, sizeof(msg)));
        return;
    }
    for (size_t i = 0; i < u->installed.n_nodes; i++) {
        bool local = false;
        if (transport_node_is_local(u->t, u->installed.nodes[i].name, &local, NULL) == 0 && !local)
            others[n++] = u->installed.nodes[i].name;
    }
    if (jdist_push_file(&ip->w, others, n, getenv("GPHOME"), JOURNAL_RECORD_FILE, &e) < 0)
        log_warn("upgrade", "upgradeRecord.txt not copied: %s",
                 og_error_format(&e, msg, sizeof(msg)));
}

/* Which plan runs: an upgrade under way keeps its own (upgrade_step.csv
 * means grey, openGauss's canDoRollbackOrCommit :604); a new one goes by
 * the OM tools doing it: up to 5.0.1 in-place unless --grey, 5.0.2 on grey
 * unless --inplace-upgrade, 6.0.0 on grey only. */
static int choose_mode(struct upgctl *u, bool upgrade, struct og_error *err)
{
    char dir[PATH_MAX + 32], p[PATH_MAX + 64];
    struct version_cfg om;
    bool inplace_journal;
    int r;

    snprintf(dir, sizeof(dir), "%s/binary_upgrade", getenv("PGHOST"));
    snprintf(p, sizeof(p), "%s/%s", dir, JOURNAL_DAT_FILE);
    inplace_journal = !grey_journal_here(dir) && access(p, F_OK) == 0;
    bool asked_grey = u->grey || u->cont || u->hosts || u->rolling;

    snprintf(p, sizeof(p), "%s/version.cfg", getenv("GPHOME"));
    r = version_cfg_read(p, &om, err);
    if (r < 0)
        return r;
    if (upgpath_grey_only(&om)) {
        if (u->inplace_opt)
            printf("We no longer maintain inplace-upgrade and use grey upgrade as default.\n");
        if (u->force)
            printf("We no longer support force rollback. and '--force' is no longer in effect.\n");
        u->force = false;
        u->inplace_opt = false;
    }
    u->grey = upgpath_default_mode(&om, u->grey, u->inplace_opt) == UPGPATH_MODE_GREY;
    if (grey_journal_here(dir)) {
        if (upgrade && u->inplace_opt)
            return og_error_set(err, OG_E_UPGRADE_UNFINISHED,
                                "The %s exists. In grey upgrade process, cannot do inplace "
                                "upgrade!",
                                JOURNAL_STEPS_FILE);
        u->grey = true;
    } else if (inplace_journal) {
        if (upgrade && asked_grey)
            return og_error_set(err, OG_E_UPGRADE_UNFINISHED,
                                "In inplace upgrade process, cannot do grey upgrade! Finish or "
                                "roll back the in-place upgrade first.");
        u->grey = false;
    }
    if (upgrade && !u->grey && (u->cont || u->hosts || u->rolling))
        return og_error_set(err, OG_E_PARAM_INVALID,
                            "The parameter '--continue, -h%s' should be used in grey upgrade",
                            u->rolling ? ", --rolling" : "");
    return 0;
}

/* choseStrategy's refusals (UpgradeImpl.py v5.0.0 :461-693) reach the
 * operator wrapped (:571-574): "[GAUSS-52900] : Failed to upgrade strategy:
 * [GAUSS-52902] : Can not support upgrade from A to B. Do nothing this
 * time." -- the inner text's own period kept, so ".." as openGauss prints. */
static int strategy_failed(int r, struct og_error *err)
{
    char inner[OG_ERROR_DETAIL_MAX + 64];
    const char *tail = " Do nothing this time.";
    size_t n;

    if (r >= 0 || err->code == OG_E_STRATEGY)
        return r;
    og_error_format(err, inner, sizeof(inner));
    n = strlen(inner);
    if (n > strlen(tail) && strcmp(inner + n - strlen(tail), tail) == 0)
        inner[n - strlen(tail)] = '\0';
    og_error_clear(err);
    return og_error_set(err, OG_E_STRATEGY, "Failed to upgrade strategy: %s. Do nothing this time.",
                        inner);
}

/* exitWithRetCode(action, ok) (UpgradeImpl.py v5.0.0 :93-143) with the
 * action openGauss passes: an in-place commit exits as the in-place upgrade
 * (0, :2652); a grey auto-upgrade with every node upgraded already as
 * "auto-upgrade", which has no success code (1, :5675). */
static int exit_code(enum og_action act, const struct inplace *ip, int r)
{
    if (r == 0 && act == OG_ACTION_COMMIT && !ip->noop && !ip->grey)
        return og_exit_code(OG_ACTION_UPGRADE, 0);
    if (r == 0 && act == OG_ACTION_UPGRADE && ip->noop && ip->grey)
        return og_exit_code(OG_ACTION_UPGRADE, -OG_E_ALL_UPGRADED);
    return og_exit_code(act, r);
}

/* What every action needs: the environment, the journal's lock, the plan
 * (grey or in place) and its hosts; ip's options are set whatever fails
 * (exit_code reads them). */
static int action_setup(struct upgctl *u, enum og_action act, struct inplace *ip,
                        struct lockfile **lock, const char **hosts, size_t *n_hosts,
                        struct og_error *err)
{
    char dir[PATH_MAX + 32];
    int r = precheck_env_init(u, err);

    if (r == 0) {
        snprintf(dir, sizeof(dir), "%s/binary_upgrade", getenv("PGHOST"));
        r = journal_lock(dir, "gs_upgradectl", lock, err);
        u->env.lock_held = true;
    }
    if (r == 0)
        r = strategy_failed(choose_mode(u, act == OG_ACTION_UPGRADE, err), err);
    if (r == 0)
        r = strategy_failed(u->grey ? grey_init(ip, &u->env, err) : inplace_init(ip, &u->env, err),
                            err);
    ip->xml_path = u->xml;
    if (r == 0 && u->hosts)
        r = grey_parse_hosts(&u->installed, u->hosts, hosts, n_hosts, err);
    ip->force = u->force;
    ip->rolling = u->rolling;
    ip->parallel = u->parallel ? u->parallel : inplace_parallel_default();
    return r;
}

static int action_chose_strategy(struct upgctl *u, struct inplace *ip, struct og_error *err)
{
    struct upgpath_verdict v;
    int r = strategy_failed(strategy(u, ip, &v, err), err);

    if (r == 0)
        printf("Upgrade strategy: %s%s.\n", upgpath_strategy_name(v.strategy),
               v.large ? " (large: the catalog SQL runs)" : " (small: binaries only)");
    return r;
}

/* A new upgrade: every check first, nothing changed on failure. */
static int new_upgrade_checks(struct upgctl *u, struct inplace *ip, struct og_error *err)
{
    struct precheck_result res[32];
    _cleanup_dynbuf_ struct dynbuf out = {0};
    struct upgpath_verdict v;
    size_t n = 0;
    int r;

    dynbuf_init(&out, 1 << 20);
    r = strategy_failed(strategy(u, ip, &v, err), err);
    if (r < 0)
        return r;
    printf("Upgrade from %s (%s) to %s (%s): %s.\n", ip->oldv.version, ip->oldv.number_str,
           ip->newv.version, ip->newv.number_str,
           ip->large ? "large, the catalog SQL runs" : "small, binaries only");
    fflush(stdout);
    r = precheck_run_all(&u->env, res, &n, err);
    if (r < 0) {
        precheck_format(res, n, &out);
        fputs(dynbuf_str(&out), stdout);
        printf("Failed to check pre upgrade.\n");
    }
    return r;
}

static int action_upgrade(struct upgctl *u, struct inplace *ip, const char *const *hosts,
                          size_t n_hosts, struct og_error *err)
{
    struct inplace_record rec;
    int r = inplace_read_record(ip, &rec, err);

    if (r == 0 && !rec.present)
        r = new_upgrade_checks(u, ip, err);
    else if (r == 0)
        r = resume_checks(u, err);
    if (r < 0)
        return r;
    history(u, ip, "auto-upgrade", "begin", NULL);
    r = u->grey ? grey_upgrade(ip, hosts, n_hosts, u->cont, err) : inplace_upgrade(ip, err);
    history(u, ip, "auto-upgrade", r == 0 ? "success" : "failed", err);
    return r;
}

static int action_rollback(struct upgctl *u, struct inplace *ip, struct og_error *err)
{
    struct inplace_record rec;
    int r = inplace_read_record(ip, &rec, err);

    if (r < 0)
        return r;
    history(u, ip, "auto-rollback", "begin", NULL);
    r = u->grey ? grey_rollback(ip, err) : inplace_rollback(ip, err);
    if (ip->skipped.len) {
        printf("The rollback skipped (--force):\n%s"
               "When those nodes are back, run auto-rollback again to finish them.\n",
               dynbuf_str(&ip->skipped));
        if (r == 0)
            r = og_error_set(err, OG_E_ROLLBACK_FAILED,
                             "Failed to rollback: parts were skipped (listed above).");
    }
    history(u, ip, "auto-rollback", r == 0 ? "success" : "failed", err);
    return r;
}

static int action_commit(struct upgctl *u, struct inplace *ip, struct og_error *err)
{
    int r = u->grey ? grey_commit(ip, err) : inplace_commit(ip, err);

    /* a commit after a finished one: choseStrategy's refusal, wrapped */
    if (r == -OG_E_SAME_COMMIT)
        r = strategy_failed(r, err);
    if (r == 0 && !ip->noop)
        history(u, ip, "commit-upgrade", "success", NULL);
    return r;
}

static int upgradectl_action(struct upgctl *u)
{
    _cleanup_lockfile_ struct lockfile *lock = NULL;
    struct inplace ip = {0};
    struct og_error err = {0};
    enum og_action act = strcmp(u->action, "auto-rollback") == 0    ? OG_ACTION_ROLLBACK
                         : strcmp(u->action, "commit-upgrade") == 0 ? OG_ACTION_COMMIT
                         : strcmp(u->action, "chose-strategy") == 0 ? OG_ACTION_CHOSE_STRATEGY
                                                                    : OG_ACTION_UPGRADE;
    const char *hosts[CLUSTER_MAX_NODES];
    size_t n_hosts = 0;
    int r = action_setup(u, act, &ip, &lock, hosts, &n_hosts, &err);

    if (r == 0 && act == OG_ACTION_CHOSE_STRATEGY)
        r = action_chose_strategy(u, &ip, &err);
    else if (r == 0 && act == OG_ACTION_UPGRADE)
        r = action_upgrade(u, &ip, hosts, n_hosts, &err);
    else if (r == 0 && act == OG_ACTION_ROLLBACK)
        r = action_rollback(u, &ip, &err);
    else if (r == 0)
        r = action_commit(u, &ip, &err);
    inplace_done(&ip);
    if (u->t) {
        transport_free(u->t);
        u->t = NULL;
    }
    if (r < 0) {
        char msg[OG_ERROR_DETAIL_MAX + 64];
        log_error("upgrade", "%s", og_error_format(&err, msg, sizeof(msg)));
    }
    return exit_code(act, &ip, r);
}

/* openGauss's option lists per action (PP:125-137) plus ogup's extensions
 * (--rolling, --skip-resource-check, --bypass-stale-check; --inplace-upgrade
 * is 5.0.2's; -t pre-check and -t show-step; -S show-step is 6.0.0's). */
static const struct omopt ctl_opts[] = {
    OMOPT("-t", true, OMOPT_VALUE),
    OMOPT("-S", true, OMOPT_VALUE),
    OMOPT("-?", false, OMOPT_PLAIN),
    OMOPT("--help", false, OMOPT_PLAIN),
    OMOPT("-V", false, OMOPT_PLAIN),
    OMOPT("--version", false, OMOPT_PLAIN),
    OMOPT("-l", true, OMOPT_PATH),
    OMOPT("-X", true, OMOPT_FILE),
    OMOPT("--grey", false, OMOPT_PLAIN),
    OMOPT("-h", true, OMOPT_VALUE),
    OMOPT("--continue", false, OMOPT_PLAIN),
    OMOPT("--force", false, OMOPT_PLAIN),
    OMOPT("--inplace-upgrade", false, OMOPT_PLAIN),
    OMOPT("--rolling", false, OMOPT_PLAIN),
    OMOPT("--parallel", true, OMOPT_VALUE),
    OMOPT("--skip-resource-check", false, OMOPT_PLAIN),
    OMOPT("--bypass-stale-check", false, OMOPT_PLAIN),
};
static const char *const opts_chose[] = {"-l", NULL};
static const char *const opts_upgrade[] = {"-l",
                                           "-X",
                                           "--grey",
                                           "-h",
                                           "--continue",
                                           "--inplace-upgrade",
                                           "--rolling",
                                           "--parallel",
                                           "--skip-resource-check",
                                           "--bypass-stale-check",
                                           NULL};
static const char *const opts_rollback[] = {"-l", "-X", "--force", "--parallel", NULL};
static const char *const opts_x[] = {"-l", "-X", NULL};
static const char *const opts_none[] = {NULL};
static const struct omopt_action ctl_actions[] = {
    {"chose-strategy", opts_chose},
    {"auto-upgrade", opts_upgrade},
    {"auto-rollback", opts_rollback},
    {"commit-upgrade", opts_x},
    {"pre-check", opts_x},
    {"show-step", opts_none},
};
static const char *const opts_dash_s[] = {"-S", NULL};
static const struct omopt_action ctl_show_step[] = {{NULL, opts_dash_s}};

#define OPT(name) omopt_get(&p, ctl_opts, ELEMENTSOF(ctl_opts), name)

/* -S show-step (openGauss 6.0.0: -S, no -t): < 0 an error, 1 done (help,
 * version), 0 go on */
static int parse_show_step(int argc, char **argv, struct og_error *err)
{
    struct omopt_result p;
    int r = omopt_parse("upgradectl", false, argc, argv, ctl_opts, ELEMENTSOF(ctl_opts),
                        ctl_show_step, 1, &p, err);

    if (r < 0)
        return r;
    if (p.help)
        return usage_gs_upgradectl(1);
    if (p.version)
        return om_version("gs_upgradectl") + 1;
    if (strcmp(OPT("-S"), "show-step") != 0)
        return og_error_set(err, OG_E_PARAM_INVALID, "The parameter '-S' value is incorrect.");
    return 0;
}

/* The command line into u, in openGauss's order (gs_upgradectl main:458-479):
 * root refused first, then the options (help, version, -t, the action's
 * options), then the environment (PGHOST, GAUSSHOME, GS_CLUSTER_NAME,
 * GAUSS_ENV, GPHOME), then -X. 1 when the tool is done (help, version),
 * 0 to go on, < 0 an error. */
static int parse_args(struct upgctl *u, int argc, char **argv, struct og_error *err)
{
    struct omopt_result p;
    bool dash_s = false;
    int r = precheck_not_root(NULL, err);

    for (int i = 1; i < argc; i++)
        dash_s |= strcmp(argv[i], "-S") == 0;
    if (r == 0 && dash_s) {
        r = parse_show_step(argc, argv, err);
        if (r == 0)
            u->action = "show-step";
        return r;
    }
    if (r == 0)
        r = omopt_parse("upgradectl", true, argc, argv, ctl_opts, ELEMENTSOF(ctl_opts), ctl_actions,
                        ELEMENTSOF(ctl_actions), &p, err);
    if (r < 0)
        return r;
    if (p.help) {
        usage_gs_upgradectl(0);
        return 1;
    }
    if (p.version) {
        om_version("gs_upgradectl");
        return 1;
    }
    u->action = p.action->name;
    u->xml = OPT("-X");
    u->hosts = (char *)OPT("-h");
    u->grey = OPT("--grey") != NULL;
    u->cont = OPT("--continue") != NULL;
    u->force = OPT("--force") != NULL;
    u->rolling = OPT("--rolling") != NULL;
    if (OPT("--parallel") && (safe_atoi(OPT("--parallel"), &u->parallel) < 0 || u->parallel < 1 ||
                              u->parallel > INPLACE_PARALLEL_MAX))
        return og_error_set(err, OG_E_PARAM_INVALID,
                            "The parameter '--parallel' value is incorrect: a number of "
                            "databases from 1 to %d.",
                            INPLACE_PARALLEL_MAX);
    u->inplace_opt = OPT("--inplace-upgrade") != NULL;
    u->skip_resource_check = OPT("--skip-resource-check") != NULL;
    u->bypass_stale_check = OPT("--bypass-stale-check") != NULL;
    if (OPT("-l"))
        oglog_open("gs_upgradectl", OPT("-l"), NULL);
    return 0;
}

/* gs_upgradectl:440-452 checkCommandConflicts: -h and --continue are
 * grey's, and one of them at a time (openGauss's own text for the latter
 * fails: ErrorCode.Gauss_500; this is the message it means) */
static int check_conflicts(const struct upgctl *u, struct og_error *err)
{
    if (u->cont && u->hosts)
        return og_error_set(err, OG_E_PARAM_CONFLICT,
                            "The parameter '---continue' and '--h' can not be used together.");
    return 0;
}

/* ogup's: the failpoints this build registers, as JSON (read only); a
 * build without them (meson -Dfailpoints) prints [] and says so. */
static int list_failpoints(void)
{
    _cleanup_dynbuf_ struct dynbuf out = {0};
    struct og_error err = {0};

    dynbuf_init(&out, 1 << 20);
    if (!failpoint_available()) {
        fprintf(stderr,
                "gs_upgradectl: this build has no failpoints (meson -Dfailpoints); "
                "%s is ignored\n",
                FAILPOINT_ENV);
        printf("[]\n");
        return 0;
    }
    (void)grey_register_failpoints();
    if (failpoint_list_json(&out) < 0)
        return om_fail("gs_upgradectl", og_error_set(&err, OG_E_NOMEM, "failpoints"), &err);
    printf("%s\n", dynbuf_str(&out));
    return 0;
}

int tool_gs_upgradectl(int argc, char **argv)
{
    _cleanup_free_ struct upgctl *u = calloc(1, sizeof(*u));
    struct og_error err = {0};
    int r = 0;

    if (!u)
        return om_fail("gs_upgradectl", og_error_set(&err, OG_E_NOMEM, "gs_upgradectl"), &err);
    /* the node-local worker: its own argv, its own rules; the cluster
     * user's, never root's (it writes the user's files) */
    if (argc >= 2 && strcmp(argv[1], "--local") == 0) {
        r = precheck_not_root(NULL, &err);
        if (r < 0)
            return og_error_report(&err, OG_ACTION_UPGRADE, r);
        return upgradectl_local(argc - 2, argv + 2);
    }
    if (argc == 2 && strcmp(argv[1], "--list-failpoints") == 0)
        return list_failpoints();
    r = parse_args(u, argc, argv, &err);
    if (r > 0)
        return 0;
    if (r == 0)
        r = check_conflicts(u, &err);
    if (r < 0)
        return om_fail("gs_upgradectl", r, &err);
    /* the console gets warnings and errors; progress goes to stdout */
    oglog_set_console_level(OGLOG_WARNING);
    /* failpoints: OGUP_FAILPOINTS names registered points only */
    (void)grey_register_failpoints();
    r = failpoint_setup(NULL, &err);
    if (r == 0)
        r = precheck_environment(NULL, &err);
    if (r < 0)
        return om_fail("gs_upgradectl", r, &err);
    if (strcmp(u->action, "show-step") == 0)
        return upgradectl_show_step();
    if (strcmp(u->action, "chose-strategy") == 0)
        return upgradectl_action(u);
    if (!u->xml)
        return om_fail("gs_upgradectl",
                       og_error_set(&err, OG_E_PARAM_REQUIRED,
                                    "Incorrect parameter. Parameter '-X' is required."),
                       &err);
    if (strcmp(u->action, "pre-check") == 0)
        return upgradectl_pre_check(u);
    return upgradectl_action(u);
}
