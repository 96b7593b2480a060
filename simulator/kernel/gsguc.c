/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * gs_guc - set GUCs of an instance, openGauss's way:
 *   gs_guc set|reload [-Z datanode] [-N all] [-I all] -D DIR -c "name=value" ... [-h "hba line"]
 *   gs_guc check -D DIR -c name
 * PostgreSQL GUCs go to postgresql.conf; openGauss-only GUCs (ogguc.h) to
 * og_guc.conf as og.<name>. Every -c is validated before anything is
 * written: an unknown name or a bad value changes nothing and exits 1.
 * reload also signals the running server (SIGHUP).
 */
#include <ctype.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "command.h"
#include "fs.h"
#include "kconf.h"
#include "kpg.h"
#include "ogguc.h"
#include "tools.h"
#include "banned.h"

#define MAX_SETTINGS 64

struct pg_guc_info {
    char type[16];
    char min[32], max[32];
    bool found;
};

/* postgres --describe-config: name, context, group, type, default, min, max, ... */
static int describe_config(char **ret)
{
    _cleanup_command_ struct command *c = NULL;
    struct command_result res = {0};
    char prog[PATH_MAX];
    int r;

    c = command_newl(kenv_pg_program("postgres", prog, sizeof(prog)), "--describe-config", NULL);
    if (!c)
        return -OG_E_NOMEM;
    r = command_run_ok(c, &res, NULL);
    if (r < 0)
        return r;
    free(res.err);
    *ret = res.out;
    return 0;
}

static void pg_guc_lookup(const char *desc, const char *name, struct pg_guc_info *info)
{
    size_t nl = strlen(name);

    memset(info, 0, sizeof(*info));
    for (const char *p = desc; p && *p;) {
        const char *nlp = strchrnul(p, '\n');
        if (strncasecmp(p, name, nl) == 0 && p[nl] == '\t') {
            char fields[7][64] = {{0}};
            const char *f = p;
            for (int i = 0; i < 7 && f < nlp; i++) {
                const char *t = memchr(f, '\t', (size_t)(nlp - f));
                size_t len = t ? (size_t)(t - f) : (size_t)(nlp - f);
                snprintf(fields[i], sizeof(fields[i]), "%.*s", (int)len, f);
                f = t ? t + 1 : nlp;
            }
            snprintf(info->type, sizeof(info->type), "%s", fields[3]);
            snprintf(info->min, sizeof(info->min), "%s", fields[5]);
            snprintf(info->max, sizeof(info->max), "%s", fields[6]);
            info->found = true;
            return;
        }
        p = *nlp ? nlp + 1 : nlp;
    }
}

static bool bool_value(const char *v)
{
    static const char *const ok[] = {"on", "off", "true", "false", "yes", "no", "1", "0"};

    for (size_t i = 0; i < ELEMENTSOF(ok); i++)
        if (strcasecmp(v, ok[i]) == 0)
            return true;
    return false;
}

/* Strip one level of surrounding quotes. */
static void unquote(char *v)
{
    size_t n = strlen(v);

    if (n >= 2 && (v[0] == '\'' || v[0] == '"') && v[n - 1] == v[0]) {
        memmove(v, v + 1, n - 2);
        v[n - 2] = '\0';
    }
}

static int validate(const struct pg_guc_info *g, const char *name, const char *raw)
{
    char v[1024];

    snprintf(v, sizeof(v), "%s", raw);
    unquote(v);
    if (strcmp(g->type, "BOOLEAN") == 0 && !bool_value(v)) {
        printf("ERROR: The value \"%s\" for parameter \"%s\" is incorrect.\n", raw, name);
        return -1;
    }
    if (strcmp(g->type, "INTEGER") == 0) {
        char *end = NULL;
        long long x = strtoll(v, &end, 10);
        if (end == v) {
            printf("ERROR: The parameter \"%s\" requires an integer value.\n", name);
            printf("ERROR: The value \"%s\" for parameter \"%s\" is incorrect, requires a "
                   "integer value\n",
                   raw, name);
            return -1;
        }
        if (*end == '\0' && g->min[0] && g->max[0] && (x < atoll(g->min) || x > atoll(g->max))) {
            printf("ERROR: The value \"%s\" is outside the valid range for parameter \"%s\" "
                   "(%s .. %s).\n",
                   raw, name, g->min, g->max);
            return -1;
        }
    }
    return 0;
}

/* openGauss's first line: the arguments as given, the action moved last. */
static void print_invocation(int argc, char **argv, const char *action)
{
    printf("The gs_guc run with the following arguments: [gs_guc");
    for (int i = 1; i < argc; i++)
        if (argv[i] != action)
            printf(" %s", argv[i]);
    printf(" %s ].\n", action);
}

/* openGauss's refusal: its reasons are printed already. */
static int refuse(void)
{
    printf("Try \"gs_guc --help\" for more information.\n");
    return 1;
}

/* gs_guc check of one parameter, openGauss's layout: the file it reads is
 * postgresql.conf (openGauss-only parameters are kept beside it). The value
 * (or "NULL") in val. */
static void check_one(const char *name, const char *main_conf, const char *og_conf, char *val,
                      size_t size)
{
    char host[256] = "localhost", key[300];
    const struct ogguc *og = ogguc_find(name);
    int last = 0, n;

    gethostname(host, sizeof(host));
    host[sizeof(host) - 1] = '\0';
    snprintf(key, sizeof(key), "%s%s", og ? "og." : "", name);
    printf("expected guc information: %s: %s=NULL: [%s]\n", host, name, main_conf);
    n = kconf_count(og ? og_conf : main_conf, key, &last);
    if (n > 1)
        printf("WARNING: There are %d '%s' not commented in \"postgresql.conf\", and only the "
               "last one in %dth line will be set and used.\n",
               n, name, last);
    snprintf(val, size, "NULL");
    kconf_get(og ? og_conf : main_conf, key, val, size);
    printf("gs_guc check: %s: %s=%s: [%s]\n", host, name, val, main_conf);
}

static void usage(void)
{
    printf("gs_guc sets instance parameters (ogup simulated kernel).\n\nUsage:\n"
           "  gs_guc {set | reload} [-Z datanode] [-N all] [-I all] -D DATADIR "
           "-c \"parameter=value\" [-c ...] [-h \"HOSTTYPE DATABASE USERNAME IPADDR "
           "IPMASK AUTHMEHOD\"]\n"
           "  gs_guc check -D DATADIR -c parameter\n  gs_guc -V\n");
}

int tool_gs_guc(const struct kenv *k, int argc, char **argv)
{
    const char *action = NULL, *datadir = getenv("PGDATA");
    const char *settings[MAX_SETTINGS], *hba[MAX_SETTINGS];
    int nset = 0, nhba = 0, failed = 0;
    _cleanup_free_ char *desc = NULL;
    char main_conf[4096], og_conf[4096], hba_conf[4096];
    struct og_error err = {0};

    if (argc >= 2 && (strcmp(argv[1], "-V") == 0 || strcmp(argv[1], "--version") == 0)) {
        char line[512];
        kenv_version_line(k, "gs_guc", line, sizeof(line));
        puts(line);
        return 0;
    }
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if ((strcmp(a, "-c") == 0 || strcmp(a, "-h") == 0 || strcmp(a, "-D") == 0 ||
             strcmp(a, "-Z") == 0 || strcmp(a, "-N") == 0 || strcmp(a, "-I") == 0) &&
            i + 1 >= argc) {
            printf("ERROR: option %s requires a value\n", a);
            return 1;
        }
        if (strcmp(a, "-c") == 0 && nset < MAX_SETTINGS)
            settings[nset++] = argv[++i];
        else if (strcmp(a, "-h") == 0 && nhba < MAX_SETTINGS)
            hba[nhba++] = argv[++i];
        else if (strcmp(a, "-D") == 0)
            datadir = argv[++i];
        else if (strcmp(a, "-Z") == 0 || strcmp(a, "-N") == 0 || strcmp(a, "-I") == 0)
            i++; /* one local datanode instance: -Z datanode -N all -I all */
        else if (strcmp(a, "--help") == 0 || strcmp(a, "-?") == 0) {
            usage();
            return 0;
        } else if (!action && a[0] != '-')
            action = a;
        else {
            printf("ERROR: unrecognized option \"%s\"\n", a);
            usage();
            return 1;
        }
    }
    if (!action || (strcmp(action, "set") && strcmp(action, "reload") && strcmp(action, "check"))) {
        printf("ERROR: gs_guc needs an action: set, reload or check\n");
        return 1;
    }
    if (!datadir) {
        printf("ERROR: -D DATADIR (or PGDATA) is required\n");
        return 1;
    }
    if (nset == 0 && nhba == 0) {
        printf("ERROR: nothing to do: give -c \"parameter=value\" or -h \"...\"\n");
        return 1;
    }
    print_invocation(argc, argv, action);
    snprintf(main_conf, sizeof(main_conf), "%s/%s", datadir, KCONF_MAIN);
    snprintf(og_conf, sizeof(og_conf), "%s/%s", datadir, KCONF_OG);
    snprintf(hba_conf, sizeof(hba_conf), "%s/%s", datadir, KCONF_HBA);
    if (access(main_conf, F_OK) < 0) {
        printf("ERROR: %s does not exist\n", main_conf);
        printf("\nTotal instances: 1. Failed instances: 1.\nFailure to perform gs_guc!\n\n");
        return 1;
    }
    if (describe_config(&desc) < 0) {
        printf("ERROR: cannot list PostgreSQL parameters\n");
        return 1;
    }

    /* Validate everything first: bad input changes nothing. */
    for (int i = 0; i < nset; i++) {
        char name[256];
        const char *eq = strchr(settings[i], '=');
        size_t nl = eq ? (size_t)(eq - settings[i]) : strlen(settings[i]);
        struct pg_guc_info g;

        while (nl > 0 && settings[i][nl - 1] == ' ')
            nl--;
        snprintf(name, sizeof(name), "%.*s", (int)nl, settings[i]);
        if (strcmp(action, "check") != 0 && !eq) {
            printf("ERROR: The parameter \"%s\" needs a value (name=value).\n", name);
            return 1;
        }
        pg_guc_lookup(desc, name, &g);
        if (!g.found && !ogguc_find(name)) {
            printf("ERROR: The name of parameter \"%s\" is incorrect. It is not within the "
                   "CN/DN support parameters or it is a read only parameter.\n",
                   name);
            return refuse();
        }
        if (g.found && eq && validate(&g, name, eq + 1) < 0)
            return refuse();
        if (!g.found && !ogguc_find(name)->instance) {
            printf("ERROR: The parameter \"%s\" is a session parameter; set it with SET.\n", name);
            return 1;
        }
    }
    for (int i = 0; i < nhba; i++)
        for (const char *p = hba[i]; *p; p++)
            if (*p == '\n' || *p == '\r') {
                printf("ERROR: the -h value holds a line break\n");
                return 1;
            }

    if (strcmp(action, "check") == 0) {
        char(*vals)[2048] = calloc((size_t)nset, sizeof(*vals));
        if (!vals) {
            printf("ERROR: out of memory\n");
            return 1;
        }
        for (int i = 0; i < nset; i++)
            check_one(settings[i], main_conf, og_conf, vals[i], sizeof(vals[i]));
        printf("\nTotal GUC values: %d. Failed GUC values: 0.\n", nset);
        for (int i = 0; i < nset; i++)
            printf("The value of parameter %s is same on all instances.\n    %s=%s\n", settings[i],
                   settings[i], vals[i]);
        free(vals);
        printf("\n");
        return 0;
    }

    printf("expected instance path: [%s]\n", main_conf);
    for (int i = 0; i < nset; i++) {
        char name[256], val[2048];
        const char *eq = strchr(settings[i], '=');
        size_t nl = (size_t)(eq - settings[i]);
        const char *v = eq + 1;
        int r;

        while (nl > 0 && settings[i][nl - 1] == ' ')
            nl--;
        while (*v == ' ')
            v++;
        snprintf(name, sizeof(name), "%.*s", (int)nl, settings[i]);
        if (ogguc_find(name)) {
            char key[300], raw[1024];
            snprintf(raw, sizeof(raw), "%s", v);
            unquote(raw);
            kconf_quote(raw, val, sizeof(val));
            snprintf(key, sizeof(key), "og.%s", name);
            r = kconf_set(og_conf, key, val, &err);
        } else {
            r = kconf_set(main_conf, name, v, &err);
        }
        if (r < 0) {
            printf("ERROR: %s\n", err.detail);
            failed = 1;
            break;
        }
        printf("gs_guc %s: %s=%s: [%s]\n", action, name, v, main_conf);
    }
    for (int i = 0; i < nhba && !failed; i++) {
        if (kconf_add_line(hba_conf, hba[i], &err) < 0) {
            printf("ERROR: %s\n", err.detail);
            failed = 1;
            break;
        }
        printf("gs_guc %s: %s: [%s]\n", action, hba[i], hba_conf);
    }
    /* A running server reads the gate copy of pg_hba.conf (gaussdb.c). */
    if (!failed && nhba > 0) {
        _cleanup_free_ char *open_pid = NULL;
        _cleanup_dynbuf_ struct dynbuf text = {0};
        char marker[4096], gate[4096];
        pid_t pid;
        dynbuf_init(&text, 16u << 20);
        snprintf(marker, sizeof(marker), "%s/%s", datadir, KCONF_GATE_OPEN);
        snprintf(gate, sizeof(gate), "%s/%s", datadir, KCONF_GATE);
        if (kpg_running(datadir, &pid) && fs_read_file(marker, 64, &open_pid, NULL, NULL) == 0 &&
            atol(open_pid) == (long)pid &&
            (kconf_gate_text(datadir, &text, &err) < 0 ||
             fs_replace_file(gate, text.buf, text.len, 0600, &err) < 0))
            failed = 1;
    }
    if (!failed && strcmp(action, "reload") == 0) {
        pid_t pid;
        if (kpg_running(datadir, &pid)) {
            if (kill(pid, SIGHUP) == 0)
                printf("server signaled\n");
            else
                failed = 1;
        }
    }
    printf("\nTotal instances: 1. Failed instances: %d.\n", failed);
    printf(failed ? "Failure to perform gs_guc!\n\n" : "Success to perform gs_guc!\n\n");
    return failed;
}
