/* SPDX-License-Identifier: MulanPSL-2.0 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "benchcluster.h"
#include "parse.h"
#include "stats.h"
#include "banned.h"

void bench_die(struct bench *b, const char *what, const struct og_error *err, const char *out)
{
    char msg[OG_ERROR_DETAIL_MAX + 64];

    fprintf(stderr, "%s: %s: %s\n", b->prog, what,
            err && err->code ? og_error_format(err, msg, sizeof(msg)) : "");
    if (out && *out)
        fprintf(stderr, "%s\n", out);
    if (out && b->res.err && *b->res.err && out != b->res.err)
        fprintf(stderr, "%s\n", b->res.err);
    sim_down(b->name, NULL, NULL);
    exit(1);
}

int bench_sh(struct bench *b, const char *node, const char *user, const char *script,
             int timeout_ms)
{
    const char *argv[] = {"bash", "-lc", script, NULL};
    struct og_error err = {0};

    command_result_done(&b->res);
    if (sim_exec(&b->c, node, user, argv, timeout_ms, &b->res, &err) < 0)
        bench_die(b, "exec", &err, NULL);
    return b->res.exit_status;
}

long long bench_wait_normal(struct bench *b, const char *after)
{
    long long t = now_ms();

    for (int i = 0; i < 200; i++) {
        if (bench_sh(b, "node1", "omm", "gs_om -t status", BENCH_SHORT_TIMEOUT) == 0 &&
            strstr(b->res.out, "cluster_state   : Normal"))
            return now_ms() - t;
        usleep(300000);
    }
    fprintf(stderr, "%s: cluster not Normal after %s\n", b->prog, after);
    bench_die(b, "status", NULL, b->res.out);
}

long long bench_setup(struct bench *b, const char *from, const char *to, int dbs)
{
    char pkg[PATH_MAX + 32], script[4096];
    struct og_error err = {0};
    long long t = now_ms();

    sim_down(b->name, NULL, NULL);
    {
        struct sim_up_opts o = {.name = b->name,
                                .nodes = 3,
                                .version = from,
                                .databases = dbs,
                                .data_mib = b->data_mib ? b->data_mib : 384,
                                .quiet = true};
        if (sim_up(&o, &b->c, &err) < 0)
            bench_die(b, "up", &err, NULL);
    }
    snprintf(pkg, sizeof(pkg), "%s/pkg-%s", b->c.state_dir, to);
    {
        const char *build[] = {OGSIM_PATH, "package", "build", "--version", to, "--out", pkg, NULL};
        _cleanup_command_ struct command *cmd = command_new(build);
        command_set_timeout_ms(cmd, BENCH_SHORT_TIMEOUT);
        command_result_done(&b->res);
        if (!cmd || command_run(cmd, &b->res, &err) < 0 || b->res.exit_status != 0)
            bench_die(b, "package build", &err, b->res.err);
    }
    snprintf(script, sizeof(script),
             "set -e; d=/tmp/gaussdb_upgrade_%s; rm -rf $d; mkdir -p $d; "
             "tar -xzf %s/openGauss-%s-Debian-64bit-all.tar.gz -C $d; "
             "tar -xzf $d/openGauss-%s-Debian-64bit-om.tar.gz -C $d; "
             "cd $d/script && ./gs_preinstall -U omm -G dbgrp -X /home/omm/clusterconfig.xml",
             to, pkg, to, to);
    if (bench_sh(b, "node1", "root", script, BENCH_RUN_TIMEOUT) != 0 ||
        !strstr(b->res.out, "Preinstallation succeeded."))
        bench_die(b, "gs_preinstall", NULL, b->res.out);
    if (sim_snapshot(&b->c, "ready", &err) < 0)
        bench_die(b, "snapshot", &err, NULL);
    return now_ms() - t;
}

void bench_upgradectl_stamped(char *buf, size_t size, const char *flags)
{
    snprintf(
        buf, size,
        "ts() { while IFS= read -r l; do echo \"@${EPOCHREALTIME/./} $l\"; done; }\n"
        "echo \"@${EPOCHREALTIME/./} phase start\"\n"
        "stdbuf -oL gs_upgradectl -t auto-upgrade -X /home/omm/clusterconfig.xml %s 2>&1 | ts\n"
        "rc=${PIPESTATUS[0]}\n"
        "echo \"@${EPOCHREALTIME/./} phase end\"\n"
        "exit $rc\n",
        flags);
}

long long bench_stamp(const char *out, const char *marker)
{
    size_t ml = strlen(marker);

    for (const char *l = out; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
        size_t len = strspn(l + 1, "0123456789");
        char digits[24];
        long long us;
        if (*l != '@' || len == 0 || len >= sizeof(digits) || l[1 + len] != ' ' ||
            strncmp(l + 2 + len, marker, ml) != 0)
            continue;
        memcpy(digits, l + 1, len);
        digits[len] = '\0';
        if (safe_atolli(digits, &us) == 0)
            return us;
    }
    return -1;
}

void bench_head(struct bench *b, char *buf, size_t size)
{
    char standbys[512] = "";
    const char *primary = NULL;

    for (size_t i = 0; i < b->c.n_nodes; i++) {
        if (b->c.nodes[i].primary)
            primary = b->c.nodes[i].name;
        else
            snprintf(standbys + strlen(standbys), sizeof(standbys) - strlen(standbys), "%s%s",
                     *standbys ? " " : "", b->c.nodes[i].name);
    }
    if (!primary)
        bench_die(b, "no primary in the cluster", NULL, NULL);
    snprintf(buf, size, "P=%s; S='%s'; D=%s; PORT=%d\n", primary, standbys, b->c.datadir,
             b->c.port);
}

const char bench_bare_lib[] =
    "set -eEuo pipefail\n"
    "trap 'echo \"bare script: failed ($?) at line $LINENO: $BASH_COMMAND\" >&2' ERR\n"
    "ph() { echo \"@${EPOCHREALTIME/./} phase $1\"; }\n"
    "me=$(hostname)\n"
    "on() { local n=$1; shift; if [ \"$n\" = \"$me\" ]; then bash -c \"$*\"; "
    "else ssh -n \"$n\" \"$*\"; fi; }\n"
    "num() { awk -F. '{ f = $2; while (length(f) < 3) f = f \"0\"; print $1 * 1000 + f }'; }\n"
    "old=$(sed -n 2p \"$GAUSSHOME/version.cfg\" | num)\n"
    "new=$(sed -n 2p \"$GPHOME/version.cfg\" | num)\n"
    "app=$(readlink -f \"$GAUSSHOME\")\n"
    "newapp=app_$(sed -n 3p \"$GPHOME/version.cfg\")\n"
    "w=$(mktemp -d); trap 'rm -rf \"$w\"' EXIT\n"
    "install() {\n"
    "  local v d pids=() p pkg\n"
    "  v=$(sed -n 1p \"$GPHOME/version.cfg\"); v=${v#openGauss-}\n"
    "  pkg=(\"$GPHOME\"/openGauss-\"$v\"-*-64bit.tar.bz2)\n"
    "  [ ${#pkg[@]} -eq 1 ] && [ -e \"${pkg[0]}\" ] || { echo \"not one server package in "
    "$GPHOME\" >&2; exit 1; }\n"
    "  d=$(dirname \"$app\")/$newapp\n"
    "  for n in $P $S; do\n"
    "    on \"$n\" \"rm -rf $d.bare && mkdir -p $d.bare && tar -xjf ${pkg[0]} -C $d.bare && "
    "rm -rf $d && mv $d.bare $d\" & pids+=($!)\n"
    "  done\n"
    "  for p in \"${pids[@]}\"; do wait \"$p\"; done\n"
    "}\n"
    "each() {\n" /* one command on every node at once, as the upgrader runs them */
    "  local pids=() n p\n"
    "  for n in $P $S; do on \"$n\" \"$1\" >/dev/null & pids+=($!); done\n"
    "  for p in \"${pids[@]}\"; do wait \"$p\"; done\n"
    "}\n"
    "start_all() {\n" /* every instance at once in its role; $1: gs_ctl -o's value */
    "  local pids=() n p role\n"
    "  for n in $P $S; do\n"
    "    role=standby; [ \"$n\" = \"$P\" ] && role=primary\n"
    "    on \"$n\" \"gs_ctl start -D $D -M $role ${1:+-o '$1'}\" >/dev/null & pids+=($!)\n"
    "  done\n"
    "  for p in \"${pids[@]}\"; do wait \"$p\"; done\n"
    "}\n"
    "relink() {\n"
    "  for n in $P $S; do\n"
    "    on \"$n\" \"cp $app/bin/cluster_static_config $(dirname \"$app\")/$newapp/bin/ && "
    "ln -sfn $newapp $GAUSSHOME\"\n"
    "  done\n"
    "}\n"
    "catalog() {\n"
    "  local mode=$1 kind db dir order=-n\n"
    "  [ -d \"$w/upgrade_sql\" ] || tar -xzf \"$GPHOME/upgrade_sql.tar.gz\" -C \"$w\"\n"
    "  case $mode in rollback*) dir=rollback order=-rn ;; *) dir=upgrade ;; esac\n"
    "  for kind in maindb otherdb; do\n"
    "    {\n"
    "      printf '%s\\n' 'START TRANSACTION;' 'SET IsInplaceUpgrade = on;' "
    "\"SET search_path = 'pg_catalog';\" 'SET local client_min_messages = NOTICE;' "
    "'SET local log_min_messages = NOTICE;'\n"
    "      for f in \"$w\"/upgrade_sql/${dir}_catalog_$kind/${mode}_catalog_${kind}_*_*.sql; do\n"
    "        [ -e \"$f\" ] || continue\n"
    "        k=$(basename \"$f\" .sql); k=${k#\"${mode}_catalog_${kind}_\"}\n"
    "        echo \"$(echo \"${k/_/.}\" | num) $f\"\n"
    "      done | sort $order | awk '$1 == 92506 && \"'$dir'\" == \"rollback\" { l = $0; next } "
    "{ print } END { if (l) print l }' | while read -r k f; do\n"
    "        if [ \"$k\" -gt \"$old\" ] && [ \"$k\" -le \"$new\" ]; then cat \"$f\"; fi\n"
    "      done\n"
    "      echo 'COMMIT;'\n"
    "    } >\"$w/$mode-$kind.sql\"\n"
    "  done\n"
    "  gsql -X -q -h \"$PGHOST\" -p $PORT -d postgres --set ON_ERROR_STOP=on "
    "-f \"$w/$mode-maindb.sql\"\n"
    "  for db in $(gsql -X -q -h \"$PGHOST\" -p $PORT -d postgres -tA "
    "-c \"SELECT datname FROM pg_database WHERE datname <> 'postgres' ORDER BY 1\"); do\n"
    "    gsql -X -q -h \"$PGHOST\" -p $PORT -d \"$db\" --set ON_ERROR_STOP=on "
    "-f \"$w/$mode-otherdb.sql\"\n"
    "  done\n"
    "}\n";
