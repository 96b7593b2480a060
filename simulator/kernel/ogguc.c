/* SPDX-License-Identifier: MulanPSL-2.0 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "cleanup.h"
#include "ogguc.h"
#include "banned.h"

static const struct ogguc table[] = {
    {"upgrade_mode", "0", true},
    {"enable_stream_replication", "on", true},
    {"enable_mot_server", "off", true},
    {"most_available_sync", "off", true},
    {"enable_thread_pool", "off", true},
    {"pgxc_node_name", "", true},
    {"enable_wdr_snapshot", "off", true},
    {"support_extended_features", "off", true},
    {"enable_cbm_tracking", "off", true},
    {"enable_incremental_checkpoint", "on", true},
    {"upgrade_from", "0", true},
    {"IsInplaceUpgrade", "off", false},
    {"inplace_upgrade_next_system_object_oids", "", false},
    {"d_format_behavior_compat_options", "", false},
};

/* PostgreSQL GUCs whose value openGauss reports differently: SHOW name
 * answers with the expression (real openGauss 3.0.0/5.0.0, observed:
 * server_version 9.2.4, server_version_num 90204, wal_level hot_standby). */
static const struct {
    const char *name, *expr;
} reported[] = {
    {"server_version", "'9.2.4'"},
    {"server_version_num", "'90204'"},
    {"wal_level", "CASE pg_catalog.current_setting('wal_level') WHEN 'replica' THEN "
                  "'hot_standby' ELSE pg_catalog.current_setting('wal_level') END"},
};

static const char *reported_expr(const char *name)
{
    for (size_t i = 0; i < ELEMENTSOF(reported); i++)
        if (strcasecmp(reported[i].name, name) == 0)
            return reported[i].expr;
    return NULL;
}

/* replconninfo1 .. replconninfo8 share one entry. */
static const struct ogguc replconninfo = {"replconninfo", "", true};

const struct ogguc *ogguc_find(const char *name)
{
    if (strncasecmp(name, "replconninfo", 12) == 0 && name[12] >= '1' && name[12] <= '8' &&
        name[13] == '\0')
        return &replconninfo;
    for (size_t i = 0; i < ELEMENTSOF(table); i++)
        if (strcasecmp(table[i].name, name) == 0)
            return &table[i];
    return NULL;
}

static bool ident_char(char c)
{
    return isalnum((unsigned char)c) || c == '_';
}

/* Case-insensitive keyword at p followed by a non-identifier char. */
static size_t keyword(const char *p, const char *kw)
{
    size_t n = strlen(kw);

    return strncasecmp(p, kw, n) == 0 && !ident_char(p[n]) ? n : 0;
}

static const char *skip_ws(const char *p)
{
    while (isspace((unsigned char)*p))
        p++;
    return p;
}

/* Try to rewrite one statement starting at p. On a match append the
 * rewritten head to out, set *consumed to the bytes replaced, return 1. */
static int rewrite_stmt(const char *p, struct dynbuf *out, size_t *consumed, int *r)
{
    const char *q = p, *name;
    char ident[128], lower[128];
    size_t k, n = 0;
    bool is_show = false, is_reset = false;
    const char *head_end;
    const struct ogguc *g;

    if ((k = keyword(q, "SHOW"))) {
        is_show = true;
    } else if ((k = keyword(q, "RESET"))) {
        is_reset = true;
    } else if (!(k = keyword(q, "SET"))) {
        return 0;
    }
    q = skip_ws(q + k);
    head_end = q; /* SET [SESSION|LOCAL] part ends here */
    if (!is_show && !is_reset) {
        if ((k = keyword(q, "LOCAL")) || (k = keyword(q, "SESSION")))
            q = skip_ws(q + k);
        head_end = q;
    }
    name = q;
    while (ident_char(*q) && n + 1 < sizeof(ident))
        ident[n++] = *q++;
    ident[n] = '\0';
    if (n == 0 || *q == '.')
        return 0;
    for (size_t i = 0; i <= n; i++)
        lower[i] = (char)tolower((unsigned char)ident[i]);
    if (is_show && reported_expr(ident)) {
        *r = dynbuf_appendf(out, "SELECT %s AS %s", reported_expr(ident), lower);
        *consumed = (size_t)(q - p);
        return 1;
    }
    g = ogguc_find(ident);
    if (!g)
        return 0;
    if (is_show) {
        *r = dynbuf_appendf(out,
                            "SELECT COALESCE(pg_catalog.current_setting('og.%s', true), "
                            "'%s') AS %s",
                            lower, g->def, lower);
        *consumed = (size_t)(q - p);
        return 1;
    }
    *r = dynbuf_append(out, p, (size_t)(head_end - p));
    if (*r == 0)
        *r = dynbuf_appendf(out, "og.%s", ident);
    (void)name;
    *consumed = (size_t)(q - p);
    return 1;
}

/* The end of the quoted identifier or string, dollar-quoted string or
 * comment that starts at p; NULL when none starts there. */
static const char *skip_quoted(const char *p)
{
    if (*p == '\'' || *p == '"') {
        char qc = *p;
        const char *e = p + 1;
        while (*e && !(*e == qc && e[1] != qc)) {
            if (*e == qc)
                e++;
            e++;
        }
        return *e ? e + 1 : e;
    }
    if (*p == '$') {
        const char *t = p + 1;
        while (ident_char(*t) && !isdigit((unsigned char)p[1]))
            t++;
        if (*t == '$') {
            size_t tl = (size_t)(t - p + 1);
            const char *e = p + tl;
            while (*e && strncmp(e, p, tl) != 0)
                e++;
            return *e ? e + tl : e;
        }
    }
    if (p[0] == '-' && p[1] == '-')
        return strchrnul(p, '\n');
    if (p[0] == '/' && p[1] == '*') {
        const char *e = strstr(p + 2, "*/");
        return e ? e + 2 : p + strlen(p);
    }
    return NULL;
}

/* Copies *p..e to out (when there is one) and moves *p to e. */
static int emit(struct dynbuf *out, const char **p, const char *e)
{
    int r = out ? dynbuf_append(out, *p, (size_t)(e - *p)) : 0;

    *p = e;
    return r;
}

/* At a statement's start (blanks and "--" comments before it copied): the
 * statement rewritten when it is one of ours. */
static int statement_start(const char **p, struct dynbuf *out, bool *found)
{
    struct dynbuf scratch;
    size_t consumed;
    int r = 0;

    dynbuf_init(&scratch, 4096);
    if (rewrite_stmt(*p, out ? out : &scratch, &consumed, &r)) {
        *found = true;
        *p += consumed;
    }
    dynbuf_done(&scratch);
    return r;
}

/* Scan SQL; at each statement start try a rewrite. Quotes, dollar quotes
 * and comments are skipped so a ';' inside them does not start a statement. */
static int scan(const char *sql, struct dynbuf *out, bool *found)
{
    const char *p = sql, *e;
    bool at_start = true;
    int r = 0;

    while (*p && r == 0) {
        if (at_start) {
            r = emit(out, &p, skip_ws(p));
            if (!*p || r)
                break;
            if (p[0] == '-' && p[1] == '-') {
                r = emit(out, &p, strchrnul(p, '\n'));
                continue;
            }
            r = statement_start(&p, out, found);
            at_start = false;
            continue;
        }
        if ((e = skip_quoted(p))) {
            r = emit(out, &p, e);
            continue;
        }
        if (*p == ';')
            at_start = true;
        r = emit(out, &p, p + 1);
    }
    return r;
}

int ogguc_rewrite_sql(const char *sql, struct dynbuf *out)
{
    bool found = false;

    return scan(sql, out, &found);
}

bool ogguc_sql_needs_rewrite(const char *sql)
{
    bool found = false;

    scan(sql, NULL, &found);
    return found;
}
