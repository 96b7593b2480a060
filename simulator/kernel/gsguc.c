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
#include "parse.h"
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

/* An INTEGER parameter's value, as PostgreSQL reads one: a number, maybe a
 * unit after it ("64MB", "10s": left to PostgreSQL); a number alone must be
 * within min..max. */
static int validate_integer(const struct pg_guc_info *g, const char *name, const char *raw,
                            const char *v)
{
    size_t n = strspn(v, " \t\n\v\f\r");
    long long x = 0, min, max;
    int r;

    if (v[n] == '+' || v[n] == '-')
        n++;
    if (!isdigit((unsigned char)v[n])) {
        printf("ERROR: The parameter \"%s\" requires an integer value.\n", name);
        printf("ERROR: The value \"%s\" for parameter \"%s\" is incorrect, requires a "
               "integer value\n",
               raw, name);
        return -1;
    }
    n += strspn(v + n, "0123456789");
    if (v[n] != '\0')
        return 0;
    r = safe_atolli(v, &x); /* 0, or -ERANGE: past what any parameter holds */
    if (safe_atolli(g->min, &min) == 0 && safe_atolli(g->max, &max) == 0 &&
        (r < 0 || x < min || x > max)) {
        printf("ERROR: The value \"%s\" is outside the valid range for parameter \"%s\" "
               "(%s .. %s).\n",
               raw, name, g->min, g->max);
        return -1;
    }
    return 0;
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
    if (strcmp(g->type, "INTEGER") == 0)
        return validate_integer(g, name, raw, v);
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

struct guc_opts {
    const char *action;  /* set | reload | check */
    const char *datadir; /* -D, else PGDATA */
    const char *settings[MAX_SETTINGS], *hba[MAX_SETTINGS];
    int nset, nhba;
    char main_conf[4096], og_conf[4096], hba_conf[4096];
};

/* The arguments into o. 0 to go on, 1 when answered (-V, --help: exit 0),
 * -1 when refused (printed: exit 1). */
static int parse_args(const struct kenv *k, int argc, char **argv, struct guc_opts *o)
{
    if (argc >= 2 && (strcmp(argv[1], "-V") == 0 || strcmp(argv[1], "--version") == 0)) {
        char line[512];
        kenv_version_line(k, "gs_guc", line, sizeof(line));
        puts(line);
        return 1;
    }
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if ((strcmp(a, "-c") == 0 || strcmp(a, "-h") == 0 || strcmp(a, "-D") == 0 ||
             strcmp(a, "-Z") == 0 || strcmp(a, "-N") == 0 || strcmp(a, "-I") == 0) &&
            i + 1 >= argc) {
            printf("ERROR: option %s requires a value\n", a);
            return -1;
        }
        if (strcmp(a, "-c") == 0 && o->nset < MAX_SETTINGS)
            o->settings[o->nset++] = argv[++i];
        else if (strcmp(a, "-h") == 0 && o->nhba < MAX_SETTINGS)
            o->hba[o->nhba++] = argv[++i];
        else if (strcmp(a, "-D") == 0)
            o->datadir = argv[++i];
        else if (strcmp(a, "-Z") == 0 || strcmp(a, "-N") == 0 || strcmp(a, "-I") == 0)
            i++; /* one local datanode instance: -Z datanode -N all -I all */
        else if (strcmp(a, "--help") == 0 || strcmp(a, "-?") == 0) {
            usage();
            return 1;
        } else if (!o->action && a[0] != '-')
            o->action = a;
        else {
            printf("ERROR: unrecognized option \"%s\"\n", a);
            usage();
            return -1;
        }
    }
    return 0;
}

/* An action, a data directory, something to do. 0, or -1 (printed). */
static int check_args(struct guc_opts *o)
{
    const char *a = o->action;

    if (!a || (strcmp(a, "set") && strcmp(a, "reload") && strcmp(a, "check"))) {
        printf("ERROR: gs_guc needs an action: set, reload or check\n");
        return -1;
    }
    if (!o->datadir) {
        printf("ERROR: -D DATADIR (or PGDATA) is required\n");
        return -1;
    }
    if (o->nset == 0 && o->nhba == 0) {
        printf("ERROR: nothing to do: give -c \"parameter=value\" or -h \"...\"\n");
        return -1;
    }
    snprintf(o->main_conf, sizeof(o->main_conf), "%s/%s", o->datadir, KCONF_MAIN);
    snprintf(o->og_conf, sizeof(o->og_conf), "%s/%s", o->datadir, KCONF_OG);
    snprintf(o->hba_conf, sizeof(o->hba_conf), "%s/%s", o->datadir, KCONF_HBA);
    return 0;
}

/* The name of -c "name=value" into name (blanks before '=' dropped); its
 * '=', or NULL when there is none. */
static const char *setting_name(const char *setting, char *name, size_t size)
{
    const char *eq = strchr(setting, '=');
    size_t nl = eq ? (size_t)(eq - setting) : strlen(setting);

    while (nl > 0 && setting[nl - 1] == ' ')
        nl--;
    snprintf(name, size, "%.*s", (int)nl, setting);
    return eq;
}

/* Every -c and -h judged before anything is written: bad input changes
 * nothing. 0, or the exit code (printed). */
static int validate_all(const struct guc_opts *o, const char *desc)
{
    for (int i = 0; i < o->nset; i++) {
        char name[256];
        const char *eq = setting_name(o->settings[i], name, sizeof(name));
        struct pg_guc_info g;

        if (strcmp(o->action, "check") != 0 && !eq) {
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
    for (int i = 0; i < o->nhba; i++)
        if (strpbrk(o->hba[i], "\r\n")) {
            printf("ERROR: the -h value holds a line break\n");
            return 1;
        }
    return 0;
}

/* gs_guc check: every parameter's value, then openGauss's summary. */
static int run_check(const struct guc_opts *o)
{
    char(*vals)[2048] = calloc((size_t)o->nset, sizeof(*vals));

    if (!vals) {
        printf("ERROR: out of memory\n");
        return 1;
    }
    for (int i = 0; i < o->nset; i++)
        check_one(o->settings[i], o->main_conf, o->og_conf, vals[i], sizeof(vals[i]));
    printf("\nTotal GUC values: %d. Failed GUC values: 0.\n", o->nset);
    for (int i = 0; i < o->nset; i++)
        printf("The value of parameter %s is same on all instances.\n    %s=%s\n", o->settings[i],
               o->settings[i], vals[i]);
    free(vals);
    printf("\n");
    return 0;
}

/* Each -c written: openGauss-only parameters to og_guc.conf as og.<name>
 * (quoted), the others to postgresql.conf as given. */
static int write_settings(const struct guc_opts *o, struct og_error *err)
{
    for (int i = 0; i < o->nset; i++) {
        char name[256], val[2048];
        const char *v = setting_name(o->settings[i], name, sizeof(name)) + 1;
        int r;

        while (*v == ' ')
            v++;
        if (ogguc_find(name)) {
            char key[300], raw[1024];
            snprintf(raw, sizeof(raw), "%s", v);
            unquote(raw);
            kconf_quote(raw, val, sizeof(val));
            snprintf(key, sizeof(key), "og.%s", name);
            r = kconf_set(o->og_conf, key, val, err);
        } else {
            r = kconf_set(o->main_conf, name, v, err);
        }
        if (r < 0) {
            printf("ERROR: %s\n", err->detail);
            return r;
        }
        printf("gs_guc %s: %s=%s: [%s]\n", o->action, name, v, o->main_conf);
    }
    return 0;
}

/* Each -h added to pg_hba.conf; a running server reads the gate copy of it
 * (gaussdb.c): that is rewritten once the gate is open. */
static int write_hba(const struct guc_opts *o, struct og_error *err)
{
    _cleanup_dynbuf_ struct dynbuf text = {0};
    char gate[4096];
    pid_t pid;
    int r;

    dynbuf_init(&text, 16u << 20);
    for (int i = 0; i < o->nhba; i++) {
        r = kconf_add_line(o->hba_conf, o->hba[i], err);
        if (r < 0) {
            printf("ERROR: %s\n", err->detail);
            return r;
        }
        printf("gs_guc %s: %s: [%s]\n", o->action, o->hba[i], o->hba_conf);
    }
    if (o->nhba == 0 || !kpg_running(o->datadir, &pid) || !kpg_gate_open(o->datadir, pid))
        return 0;
    snprintf(gate, sizeof(gate), "%s/%s", o->datadir, KCONF_GATE);
    r = kconf_gate_text(o->datadir, &text, err);
    if (r == 0)
        r = fs_replace_file(gate, text.buf, text.len, 0600, err);
    return r;
}

/* gs_guc set / reload: 0, or 1 when an instance failed. */
static int run_set(const struct guc_opts *o)
{
    struct og_error err = {0};
    int failed = 0;

    printf("expected instance path: [%s]\n", o->main_conf);
    if (write_settings(o, &err) < 0 || write_hba(o, &err) < 0)
        failed = 1;
    if (!failed && strcmp(o->action, "reload") == 0) {
        pid_t pid;
        if (kpg_running(o->datadir, &pid)) {
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

int tool_gs_guc(const struct kenv *k, int argc, char **argv)
{
    struct guc_opts o = {.datadir = getenv("PGDATA")};
    _cleanup_free_ char *desc = NULL;
    int r = parse_args(k, argc, argv, &o);

    if (r != 0)
        return r < 0 ? 1 : 0;
    if (check_args(&o) < 0)
        return 1;
    print_invocation(argc, argv, o.action);
    if (access(o.main_conf, F_OK) < 0) {
        printf("ERROR: %s does not exist\n", o.main_conf);
        printf("\nTotal instances: 1. Failed instances: 1.\nFailure to perform gs_guc!\n\n");
        return 1;
    }
    if (describe_config(&desc) < 0) {
        printf("ERROR: cannot list PostgreSQL parameters\n");
        return 1;
    }
    r = validate_all(&o, desc);
    if (r != 0)
        return r;
    return strcmp(o.action, "check") == 0 ? run_check(&o) : run_set(&o);
}
