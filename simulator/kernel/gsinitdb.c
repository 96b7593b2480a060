/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * gs_initdb - create a data directory for this kernel:
 *   gs_initdb -D DIR --nodename=NAME [-U USER] [-E ENCODING] [--locale=L] [-w PASSWORD]
 * PostgreSQL's initdb makes the cluster; then postgresql.conf gets the
 * settings a replicated openGauss instance needs, og_guc.conf the
 * openGauss-only defaults, and every database (template0 included, which
 * accepts connections as openGauss's does for the catalog upgrade) the
 * og_catalog schema at this kernel's catalog number.
 */
#include <errno.h>
#include <getopt.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "catalogsql.h"
#include "command.h"
#include "fs.h"
#include "kconf.h"
#include "kpg.h"
#include "tools.h"
#include "banned.h"

static int bootstrap_db(const struct kenv *k, const struct kpg_server *srv, const char *db,
                        enum catalog_db kind, struct og_error *err)
{
    _cleanup_pgconn_ PGconn *c = kpg_connect(srv->sockdir, srv->port, db, err);
    _cleanup_dynbuf_ struct dynbuf sql = {0};
    int r;

    if (!c)
        return -OG_E_DN_CONNECTIONS;
    dynbuf_init(&sql, 4u * 1024 * 1024);
    r = catalog_sql_bootstrap(k->ver.number, kind, k->sim && k->sim->mot, &sql);
    if (r < 0)
        return og_error_set(err, -r, "building the catalog of \"%s\"", db);
    r = kpg_exec(c, sql.buf, err);
    if (r < 0)
        og_error_prefix(err, "bootstrapping the catalog of database \"%s\"", db);
    return r;
}

static int og_settings(const char *datadir, const char *nodename, struct og_error *err)
{
    _cleanup_dynbuf_ struct dynbuf conf = {0}, og = {0};
    const char *pghost = getenv("PGHOST");
    char path[4096], name[600];
    int r;

    dynbuf_init(&conf, 65536);
    dynbuf_init(&og, 65536);
    kconf_quote(nodename, name, sizeof(name));
    r = dynbuf_appendf(&conf,
                       "\n# ---- openGauss instance settings (ogup simulated kernel) ----\n"
                       "listen_addresses = '*'\n"
                       "unix_socket_directories = '%s'\n"
                       "wal_level = hot_standby\n"
                       "hot_standby = on\n"
                       "max_wal_senders = 16\n"
                       "wal_keep_size = '64MB'\n"
                       "min_wal_size = '32MB'\n"
                       "max_wal_size = '128MB'\n"
                       "wal_retrieve_retry_interval = '200ms'\n"
                       "wal_receiver_timeout = '10s'\n"
                       "wal_sender_timeout = '10s'\n"
                       "shared_buffers = '32MB'\n"
                       "max_connections = 200\n"
                       "max_prepared_transactions = 200\n"
                       "max_locks_per_transaction = 256\n"
                       "fsync = on\n"
                       "log_line_prefix = '%%m [%%p] '\n"
                       "include_if_exists = '%s'\n"
                       "include_if_exists = '%s'\n",
                       pghost && pghost[0] == '/' ? pghost : "/tmp", KCONF_REPL, KCONF_OG);
    if (r == 0)
        r = dynbuf_appendf(&og,
                           "# openGauss-only parameters (gs_guc writes og.<name>)\n"
                           "og.pgxc_node_name = %s\n"
                           "og.upgrade_mode = '0'\n"
                           "og.enable_stream_replication = 'on'\n",
                           name);
    if (r < 0)
        return og_error_set(err, -r, "settings");
    snprintf(path, sizeof(path), "%s/%s", datadir, KCONF_MAIN);
    {
        _cleanup_free_ char *old = NULL;
        _cleanup_dynbuf_ struct dynbuf all = {0};
        dynbuf_init(&all, 16u * 1024 * 1024);
        r = fs_read_file(path, 16u * 1024 * 1024, &old, NULL, err);
        if (r < 0)
            return r;
        if (dynbuf_appends(&all, old) < 0 || dynbuf_append(&all, conf.buf, conf.len) < 0)
            return og_error_set(err, OG_E_NOMEM, "settings");
        r = fs_replace_file(path, all.buf, all.len, 0600, err);
        if (r < 0)
            return r;
    }
    snprintf(path, sizeof(path), "%s/%s", datadir, KCONF_OG);
    r = fs_replace_file(path, og.buf, og.len, 0600, err);
    if (r < 0)
        return r;
    snprintf(path, sizeof(path), "%s/%s", datadir, KCONF_REPL);
    return fs_replace_file(path, "", 0, 0600, err);
}

/* First line of f without its line end; NULL when there is none. */
static const char *read_password_line(FILE *f, char *buf, size_t size)
{
    if (!fgets(buf, (int)size, f))
        return NULL;
    buf[strcspn(buf, "\r\n")] = '\0';
    return buf;
}

/* openGauss's initial user: the password (when given) is set, and kept in
 * og_ha.pgpass for the kernel's own TCP connections to its peers; the gate
 * (kconf_gate_text) then admits the user over TCP only with it. */
static int initial_user_password(PGconn *c, const char *datadir, const char *user,
                                 const char *password, struct og_error *err)
{
    _cleanup_dynbuf_ struct dynbuf sql = {0}, pass = {0};
    char path[4096];
    int r = 0;

    dynbuf_init(&sql, 4096);
    dynbuf_init(&pass, 4096);
    if (password && password[0]) {
        char *id = PQescapeIdentifier(c, user, strlen(user));
        char *lit = PQescapeLiteral(c, password, strlen(password));
        r = id && lit ? dynbuf_appendf(&sql, "ALTER ROLE %s PASSWORD %s", id, lit) : -OG_E_NOMEM;
        PQfreemem(id);
        PQfreemem(lit);
        if (r == 0)
            r = kpg_exec(c, sql.buf, err);
        else
            og_error_set(err, -r, "setting the initial user's password");
        if (r < 0)
            return r;
    }
    /* passfile fields escape ':' and '\\' */
    r = dynbuf_appendf(&pass, "*:*:*:%s:", user);
    for (const char *p = password ? password : ""; r == 0 && *p; p++)
        r = (*p == ':' || *p == '\\') ? dynbuf_appendf(&pass, "\\%c", *p)
                                      : dynbuf_append(&pass, p, 1);
    if (r == 0)
        r = dynbuf_appends(&pass, "\n");
    if (r < 0)
        return og_error_set(err, -r, "building %s", KCONF_HA_PASS);
    snprintf(path, sizeof(path), "%s/%s", datadir, KCONF_HA_PASS);
    return fs_replace_file(path, pass.buf, pass.len, 0600, err);
}

struct initdb_opts {
    const char *datadir;  /* -D, else PGDATA */
    const char *nodename; /* --nodename */
    const char *user;     /* -U, else the effective user */
    const char *encoding; /* -E */
    const char *locale;   /* --locale */
    const char *password; /* -w, -W, --pwfile: NULL when none */
    char pwbuf[256];
};

static void usage(void)
{
    printf("gs_initdb initializes an openGauss data directory (ogup simulated "
           "kernel).\n\nUsage:\n  gs_initdb -D DATADIR --nodename=NAME [-U USER] "
           "[-E ENCODING] [--locale=LOCALE]\n"
           "            [-w PASSWORD | -W | --pwfile=FILE]\n\n"
           "The initial user USER logs in over the local socket; over TCP only with\n"
           "its password, which the instance keeps for its HA channel (og_ha.pgpass).\n");
}

/* --pwfile: its first line. 0, or -1 (printed). */
static int password_from_file(const char *path, struct initdb_opts *o)
{
    FILE *f = fopen(path, "re");

    if (!f || !(o->password = read_password_line(f, o->pwbuf, sizeof(o->pwbuf)))) {
        fprintf(stderr, "gs_initdb: could not read the password from \"%s\"\n", path);
        if (f)
            fclose(f);
        return -1;
    }
    fclose(f);
    return 0;
}

/* The arguments into o. 0 to go on, 1 when answered (-V, --help: exit 0),
 * -1 when refused (exit 1). */
static int parse_args(const struct kenv *k, int argc, char **argv, struct initdb_opts *o)
{
    static const struct option longopts[] = {
        {"pgdata", required_argument, NULL, 'D'},
        {"nodename", required_argument, NULL, 'n'},
        {"username", required_argument, NULL, 'U'},
        {"encoding", required_argument, NULL, 'E'},
        {"locale", required_argument, NULL, 'L'},
        {"pwpasswd", required_argument, NULL, 'w'},
        {"pwprompt", no_argument, NULL, 'W'},
        {"pwfile", required_argument, NULL, 'f'},
        {"version", no_argument, NULL, 'V'},
        {"help", no_argument, NULL, '?'},
        {NULL, 0, NULL, 0},
    };
    int opt;

    if (argc >= 2 && (strcmp(argv[1], "-V") == 0 || strcmp(argv[1], "--version") == 0)) {
        char line[512];
        kenv_version_line(k, "gs_initdb", line, sizeof(line));
        puts(line);
        return 1;
    }
    while ((opt = getopt_long(argc, argv, "D:U:E:w:W", longopts, NULL)) != -1) {
        switch (opt) {
        case 'D':
            o->datadir = optarg;
            break;
        case 'n':
            o->nodename = optarg;
            break;
        case 'U':
            o->user = optarg;
            break;
        case 'E':
            o->encoding = optarg;
            break;
        case 'L':
            o->locale = optarg;
            break;
        case 'w':
            o->password = optarg;
            break;
        case 'W':
            o->password = read_password_line(stdin, o->pwbuf, sizeof(o->pwbuf));
            break;
        case 'f':
            if (password_from_file(optarg, o) < 0)
                return -1;
            break;
        case '?':
            usage();
            return optopt ? -1 : 1; /* an unknown option, or --help */
        default:
            return -1;
        }
    }
    return 0;
}

/* The data directory and the node name given; the user defaulted. 0, or -1
 * (printed). */
static int check_args(struct initdb_opts *o)
{
    if (!o->datadir || !o->nodename) {
        fprintf(stderr, "gs_initdb: -D DATADIR and --nodename=NAME are required\n");
        return -1;
    }
    if (!o->user) {
        struct passwd *pw = getpwuid(geteuid());
        o->user = pw ? pw->pw_name : "omm";
    }
    return 0;
}

/* PostgreSQL's initdb, its output passed on. 0, 1 when it failed (printed),
 * or a negative code in err. */
static int run_initdb(const struct kenv *k, const struct initdb_opts *o, struct og_error *err)
{
    _cleanup_command_ struct command *init = NULL;
    _cleanup_command_result_ struct command_result res = {0};
    char prog[PATH_MAX], locopt[128];
    int r;

    snprintf(locopt, sizeof(locopt), "--locale=%s", o->locale);
    init =
        command_newl(kenv_pg_program("initdb", prog, sizeof(prog)), "-D", o->datadir, "-U", o->user,
                     "-E", o->encoding, locopt, "-A", "trust", "--no-instructions", NULL);
    command_passenv(init, "HOME");
    command_set_timeout_ms(init, 10 * 60 * 1000);
    r = command_run(init, &res, err);
    if (r < 0)
        return r;
    fputs(res.out, stdout);
    fputs(res.err, stderr);
    if (res.exit_status != 0) {
        fprintf(stderr, "gs_initdb: initdb failed (exit %d)\n", res.exit_status);
        return 1;
    }
    return 0;
}

/* Through a private server: template0 open to connections (as openGauss's),
 * the initial user's password, every database's og_catalog. */
static int bootstrap(const struct kenv *k, const struct initdb_opts *o, struct og_error *err)
{
    _cleanup_pgconn_ PGconn *c = NULL; /* open until after the stop */
    struct kpg_server srv = {0};
    int r = kpg_private_start(k, o->datadir, NULL, NULL, &srv, err);

    if (r < 0)
        return r;
    c = kpg_connect(srv.sockdir, srv.port, "postgres", err);
    r = c ? kpg_exec(c,
                     "UPDATE pg_catalog.pg_database SET datallowconn = true "
                     "WHERE datname = 'template0'",
                     err)
          : -OG_E_DN_CONNECTIONS;
    if (r == 0)
        r = initial_user_password(c, o->datadir, o->user, o->password, err);
    if (r == 0)
        r = bootstrap_db(k, &srv, "postgres", CATALOG_MAINDB, err);
    if (r == 0)
        r = bootstrap_db(k, &srv, "template1", CATALOG_OTHERDB, err);
    if (r == 0)
        r = bootstrap_db(k, &srv, "template0", CATALOG_OTHERDB, err);
    if (kpg_private_stop(&srv, r == 0 ? err : NULL) < 0 && r == 0)
        r = -1;
    return r;
}

int tool_gs_initdb(const struct kenv *k, int argc, char **argv)
{
    struct initdb_opts o = {.datadir = getenv("PGDATA"), .encoding = "UTF8", .locale = "C"};
    struct og_error err = {0};
    char msg[OG_ERROR_DETAIL_MAX + 64];
    int r = parse_args(k, argc, argv, &o);

    if (r != 0)
        return r < 0 ? 1 : 0;
    if (check_args(&o) < 0)
        return 1;
    r = run_initdb(k, &o, &err);
    if (r > 0)
        return 1;
    if (r == 0)
        r = og_settings(o.datadir, o.nodename, &err);
    if (r == 0)
        r = kconf_og_layout(o.datadir, &err);
    if (r == 0)
        r = bootstrap(k, &o, &err);
    if (r < 0) {
        fprintf(stderr, "gs_initdb: %s\n", og_error_format(&err, msg, sizeof(msg)));
        return 1;
    }
    printf("Success. You can now start the database server of single node using:\n\n"
           "    gaussdb -D %s --single_node\nor\n"
           "    gs_ctl start -D %s -Z single_node -l logfile\n\n",
           o.datadir, o.datadir);
    return 0;
}
