/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * precheck_sql.c - SQL on the cluster's instances through gsql, for the
 * checks and the plans: one query on one node, the same query on several
 * nodes (or databases) at once, and the database list.
 */
#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "precheck.h"
#include "banned.h"

/* The running cluster is the installed one; the XML is compared with it
 * (static-config) and used only when nothing is installed. */
const struct cluster_config *precheck_cfg(const struct precheck_env *e)
{
    return e->installed ? e->installed : e->xml;
}

/* libpq's conninfo value: dbname='...' with \ and ' escaped, so a
 * database name is never read as options (a name holding '=' or spaces) */
int precheck_dbname_conninfo(const char *db, char *buf, size_t size, struct og_error *err)
{
    size_t o = 0;

    for (const char *p = "dbname='"; *p && o < size; p++)
        buf[o++] = *p;
    for (; *db && o + 3 < size; db++) {
        if (*db == '\\' || *db == '\'')
            buf[o++] = '\\';
        buf[o++] = *db;
    }
    if (*db || o + 2 > size)
        return og_error_set(err, OG_E_TOO_LARGE, "database name too long");
    buf[o++] = '\'';
    buf[o] = '\0';
    return 0;
}

/* gsql's argv for sql on node's instance, database db (conninfo in conn) */
struct sql_argv {
    char bin[PATH_MAX + 16], port[16], conn[600];
    const char *argv[13];
};

static int sql_argv(const struct precheck_env *e, const struct cluster_node *node, const char *db,
                    const char *sql, struct sql_argv *a, struct og_error *err)
{
    const struct cluster_config *c = precheck_cfg(e);
    const char *argv[] = {a->bin,  "-X", "-q",    "-tA", "-h", c->tmp_path, "-p",
                          a->port, "-d", a->conn, "-c",  sql,  NULL};

    snprintf(a->bin, sizeof(a->bin), "%s/bin/gsql", e->gausshome ? e->gausshome : c->app_path);
    snprintf(a->port, sizeof(a->port), "%d", node->port);
    memcpy(a->argv, argv, sizeof(argv));
    return precheck_dbname_conninfo(db, a->conn, sizeof(a->conn), err);
}

/* A run's outcome as a code: the transport's, or OG_E_SQL naming the node. */
static int sql_result(const struct cluster_node *node, const char *sql,
                      const struct command_result *res, const struct og_error *terr,
                      struct og_error *err)
{
    if (terr->code) {
        *err = *terr;
        return -terr->code;
    }
    if (res->exit_status != 0)
        return og_error_set(err, OG_E_SQL, "%s on %s: %s", sql, node->name,
                            res->err && res->err[0] ? res->err
                            : res->out              ? res->out
                                                    : "");
    return 0;
}

static int sql_run(const struct precheck_env *e, const struct cluster_node *node, const char *db,
                   const char *sql, struct command_result *res, struct og_error *err)
{
    struct transport_run_opts o = {.timeout_ms = PRECHECK_SQL_TIMEOUT_MS};
    struct og_error terr = {0};
    struct sql_argv a;
    int r = sql_argv(e, node, db, sql, &a, err);

    if (r == 0 && transport_run(e->t, node->name, a.argv, &o, res, &terr) < 0 && !terr.code)
        terr.code = OG_E_EXEC_FAILED;
    return r < 0 ? r : sql_result(node, sql, res, &terr, err);
}

int precheck_sql_each(const struct precheck_env *e, const struct cluster_node *const *nodes,
                      const char *const *dbs, size_t n, const char *sql, struct command_result *res,
                      struct og_error *err)
{
    struct transport_run_opts o = {.timeout_ms = PRECHECK_SQL_TIMEOUT_MS};
    struct sql_argv *a = calloc(n ? n : 1, sizeof(*a));
    const char **names = calloc(n ? n : 1, sizeof(*names));
    const char *const **argvs = calloc(n ? n : 1, sizeof(*argvs));
    struct og_error *terrs = calloc(n ? n : 1, sizeof(*terrs));
    int r = a && names && argvs && terrs ? 0 : og_error_set(err, OG_E_NOMEM, "SQL fan-out");

    for (size_t i = 0; r == 0 && i < n; i++) {
        r = sql_argv(e, nodes[i], dbs[i], sql, &a[i], err);
        names[i] = nodes[i]->name;
        argvs[i] = a[i].argv;
    }
    if (r == 0 && n)
        transport_run_each(e->t, names, n, argvs, &o, res, terrs);
    for (size_t i = 0; r == 0 && i < n; i++)
        r = sql_result(nodes[i], sql, &res[i], &terrs[i], err);
    free(a);
    free(names);
    free(argvs);
    free(terrs);
    return r;
}

int precheck_sql(const struct precheck_env *e, const struct cluster_node *node, const char *db,
                 const char *sql, char *buf, size_t size, struct og_error *err)
{
    struct command_result res = {0};
    int r = sql_run(e, node, db, sql, &res, err);
    size_t len = r == 0 ? strcspn(res.out, "\n") : 0;

    if (r == 0 && len >= size)
        r = og_error_set(err, OG_E_TOO_LARGE, "%s on %s: the answer is over %zu bytes", sql,
                         node->name, size - 1);
    if (r == 0)
        snprintf(buf, size, "%.*s", (int)len, res.out);
    command_result_done(&res);
    return r;
}

static int unhex(const char *h, size_t n, char **ret)
{
    char *s = n % 2 == 0 && n > 0 ? malloc(n / 2 + 1) : NULL;

    for (size_t i = 0; s && i < n / 2; i++) {
        unsigned v = 0;
        if (sscanf(h + 2 * i, "%2x", &v) != 1 || v == 0 || !isxdigit((unsigned char)h[2 * i]) ||
            !isxdigit((unsigned char)h[2 * i + 1])) {
            free(s);
            return -1;
        }
        s[i] = (char)v;
    }
    if (!s)
        return -1;
    s[n / 2] = '\0';
    *ret = s;
    return 0;
}

void precheck_dblist_done(struct precheck_dblist *l)
{
    for (size_t i = 0; l && i < l->n; i++)
        free(l->names[i]);
    if (l)
        free(l->names);
}

int precheck_databases(const struct precheck_env *e, const struct cluster_node *node,
                       bool connectable, struct precheck_dblist *ret, struct og_error *err)
{
    struct command_result res = {0};
    struct precheck_dblist l = {0};
    const char *sql = connectable ? "SELECT encode(convert_to(datname, 'UTF8'), 'hex') FROM "
                                    "pg_database WHERE datallowconn ORDER BY datname"
                                  : "SELECT encode(convert_to(datname, 'UTF8'), 'hex') FROM "
                                    "pg_database ORDER BY datname";
    int r = sql_run(e, node, "postgres", sql, &res, err);

    for (const char *p = r == 0 ? res.out : ""; r == 0 && *p;) {
        size_t len = strcspn(p, "\n");
        char **nn = len ? reallocarray(l.names, l.n + 1, sizeof(*nn)) : l.names;
        if (!nn)
            r = og_error_set(err, OG_E_NOMEM, "database list");
        else if (len && (l.names = nn, unhex(p, len, &l.names[l.n]) < 0))
            r = og_error_set(err, OG_E_CONTENT_INVALID, "The database list is invalid: %.*s",
                             (int)len, p);
        else if (len)
            l.n++;
        p += len + (p[len] == '\n');
    }
    command_result_done(&res);
    if (r < 0) {
        precheck_dblist_done(&l);
        return r;
    }
    *ret = l;
    return 0;
}
