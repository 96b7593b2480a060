/* SPDX-License-Identifier: MulanPSL-2.0 */
#include <ctype.h>
#include <errno.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "fs.h"
#include "kconf.h"
#include "parse.h"
#include "banned.h"

#define CONF_MAX (4u * 1024 * 1024)

/* If line sets name, return a pointer to its value text, else NULL. */
static const char *line_sets(const char *line, size_t len, const char *name)
{
    size_t nl = strlen(name), i = 0;

    while (i < len && (line[i] == ' ' || line[i] == '\t'))
        i++;
    if (len - i < nl || strncasecmp(line + i, name, nl) != 0)
        return NULL;
    i += nl;
    while (i < len && (line[i] == ' ' || line[i] == '\t'))
        i++;
    if (i < len && line[i] == '=')
        i++;
    else if (!(i < len && i > 0 && (line[i - 1] == ' ' || line[i - 1] == '\t')))
        return NULL; /* "name value" is legal too, "namex" is not */
    while (i < len && (line[i] == ' ' || line[i] == '\t'))
        i++;
    return line + i;
}

int kconf_set(const char *path, const char *name, const char *value, struct og_error *err)
{
    _cleanup_free_ char *text = NULL;
    _cleanup_dynbuf_ struct dynbuf out = {0};
    const char *p, *last = NULL;
    size_t last_len = 0;
    int r;

    dynbuf_init(&out, CONF_MAX);
    r = fs_read_file(path, CONF_MAX, &text, NULL, err);
    if (r == -OG_E_NOT_EXIST) {
        og_error_clear(err);
        text = strdup("");
    } else if (r < 0) {
        return r;
    }
    if (!text)
        return og_error_set(err, OG_E_NOMEM, "conf");
    for (p = text; *p;) {
        const char *nl = strchrnul(p, '\n');
        if (line_sets(p, (size_t)(nl - p), name)) {
            last = p;
            last_len = (size_t)(nl - p);
        }
        p = *nl ? nl + 1 : nl;
    }
    if (last) {
        r = dynbuf_append(&out, text, (size_t)(last - text));
        if (r == 0)
            r = dynbuf_appendf(&out, "%s = %s", name, value);
        if (r == 0)
            r = dynbuf_appends(&out, last + last_len);
    } else {
        size_t tl = strlen(text);
        r = dynbuf_append(&out, text, tl);
        if (r == 0 && tl && text[tl - 1] != '\n')
            r = dynbuf_append(&out, "\n", 1);
        if (r == 0)
            r = dynbuf_appendf(&out, "%s = %s\n", name, value);
    }
    if (r < 0)
        return og_error_set(err, -r, "editing \"%s\"", path);
    return fs_replace_file(path, out.buf, out.len, 0600, err);
}

int kconf_get(const char *path, const char *name, char *buf, size_t size)
{
    _cleanup_free_ char *text = NULL;
    const char *found = NULL, *p;
    size_t flen = 0;

    if (fs_read_file(path, CONF_MAX, &text, NULL, NULL) < 0)
        return -OG_E_NOT_EXIST;
    for (p = text; *p;) {
        const char *nl = strchrnul(p, '\n');
        const char *v = line_sets(p, (size_t)(nl - p), name);
        if (v) {
            found = v;
            flen = (size_t)(nl - v);
        }
        p = *nl ? nl + 1 : nl;
    }
    if (!found)
        return -OG_E_NOT_EXIST;
    if (flen && found[0] == '\'') {
        /* 'quoted '' value' # comment */
        size_t o = 0;
        for (size_t i = 1; i < flen && o + 1 < size; i++) {
            if (found[i] == '\'') {
                if (i + 1 < flen && found[i + 1] == '\'') {
                    buf[o++] = '\'';
                    i++;
                    continue;
                }
                break;
            }
            buf[o++] = found[i];
        }
        buf[o] = '\0';
    } else {
        size_t e = 0;
        while (e < flen && found[e] != '#' && !isspace((unsigned char)found[e]))
            e++;
        snprintf(buf, size, "%.*s", (int)e, found);
    }
    return 0;
}

int kconf_count(const char *path, const char *name, int *ret_last_line)
{
    _cleanup_free_ char *text = NULL;
    int n = 0, lineno = 0;

    if (fs_read_file(path, CONF_MAX, &text, NULL, NULL) < 0)
        return -OG_E_NOT_EXIST;
    for (const char *p = text; *p;) {
        const char *nl = strchrnul(p, '\n');
        lineno++;
        if (line_sets(p, (size_t)(nl - p), name)) {
            n++;
            *ret_last_line = lineno;
        }
        p = *nl ? nl + 1 : nl;
    }
    return n;
}

int kconf_add_line(const char *path, const char *line, struct og_error *err)
{
    _cleanup_free_ char *text = NULL;
    _cleanup_dynbuf_ struct dynbuf out = {0};
    size_t ll = strlen(line);
    int r;

    dynbuf_init(&out, CONF_MAX);
    r = fs_read_file(path, CONF_MAX, &text, NULL, err);
    if (r < 0)
        return r;
    for (const char *p = text; *p;) {
        const char *nl = strchrnul(p, '\n');
        if ((size_t)(nl - p) == ll && strncmp(p, line, ll) == 0)
            return 0;
        p = *nl ? nl + 1 : nl;
    }
    r = dynbuf_appends(&out, text);
    if (r == 0 && out.len && out.buf[out.len - 1] != '\n')
        r = dynbuf_append(&out, "\n", 1);
    if (r == 0)
        r = dynbuf_appendf(&out, "%s\n", line);
    if (r < 0)
        return og_error_set(err, -r, "editing \"%s\"", path);
    return fs_replace_file(path, out.buf, out.len, 0600, err);
}

void kconf_quote(const char *value, char *buf, size_t size)
{
    size_t o = 0;

    if (size < 3)
        return;
    buf[o++] = '\'';
    for (const char *p = value; *p && o + 3 < size; p++) {
        if (*p == '\'')
            buf[o++] = '\'';
        buf[o++] = *p;
    }
    buf[o++] = '\'';
    buf[o] = '\0';
}

/* A port of replconninfo: 0 when it is not a number (a remoteport of 0
 * makes the whole setting invalid). */
static int port_or_zero(const char *s)
{
    int v;

    return safe_atoi(s, &v) == 0 ? v : 0;
}

int kconf_parse_replconninfo(const char *text, struct replconn *ret)
{
    struct replconn rc = {0};
    const char *p = text;

    while (*p) {
        char key[64], val[256];
        int n = 0;

        while (isspace((unsigned char)*p))
            p++;
        if (!*p)
            break;
        if (sscanf(p, "%63[^= ]=%255s%n", key, val, &n) != 2 || n <= 0)
            return -OG_E_CONTENT_INVALID;
        p += n;
        if (strcmp(key, "localhost") == 0)
            snprintf(rc.localhost, sizeof(rc.localhost), "%s", val);
        else if (strcmp(key, "localport") == 0)
            rc.localport = port_or_zero(val);
        else if (strcmp(key, "remotehost") == 0)
            snprintf(rc.remotehost, sizeof(rc.remotehost), "%s", val);
        else if (strcmp(key, "remoteport") == 0)
            rc.remoteport = port_or_zero(val);
    }
    if (!rc.remotehost[0] || rc.remoteport <= 0)
        return -OG_E_CONTENT_INVALID;
    *ret = rc;
    return 0;
}

int kconf_read_replconns(const char *datadir, struct replconn *out, int max)
{
    char path[4096], name[32], val[1024];
    int n = 0;

    snprintf(path, sizeof(path), "%s/%s", datadir, KCONF_OG);
    for (int i = 1; i <= 8 && n < max; i++) {
        snprintf(name, sizeof(name), "og.replconninfo%d", i);
        if (kconf_get(path, name, val, sizeof(val)) == 0 && val[0] &&
            kconf_parse_replconninfo(val, &out[n]) == 0)
            n++;
    }
    return n;
}

int kconf_peers_conninfo(const char *datadir, struct dynbuf *out)
{
    struct replconn rc[8];
    int n = kconf_read_replconns(datadir, rc, 8), r = 0;

    if (n == 0)
        return -OG_E_NOT_EXIST;
    r = dynbuf_appends(out, "host=");
    for (int i = 0; r == 0 && i < n; i++)
        r = dynbuf_appendf(out, "%s%s", i ? "," : "", rc[i].remotehost);
    if (r == 0)
        r = dynbuf_appends(out, " port=");
    for (int i = 0; r == 0 && i < n; i++)
        r = dynbuf_appendf(out, "%s%d", i ? "," : "", rc[i].remoteport);
    if (r == 0)
        r = dynbuf_appends(out, " target_session_attrs=primary connect_timeout=3");
    if (r == 0)
        r = kconf_append_ha_auth(datadir, out);
    return r;
}

int kconf_write_replication(const char *datadir, const char *application_name, struct og_error *err)
{
    _cleanup_dynbuf_ struct dynbuf ci = {0}, file = {0};
    char path[4096], q[2048];
    int r;

    dynbuf_init(&ci, 8192);
    dynbuf_init(&file, 16384);
    snprintf(path, sizeof(path), "%s/%s", datadir, KCONF_REPL);
    r = kconf_peers_conninfo(datadir, &ci);
    if (r == -OG_E_NOT_EXIST) {
        /* No peers: a single instance; an empty file keeps the include valid. */
        return fs_replace_file(path, "", 0, 0600, err);
    }
    if (r == 0 && application_name && application_name[0])
        r = dynbuf_appendf(&ci, " application_name=%s", application_name);
    if (r < 0)
        return og_error_set(err, -r, "building primary_conninfo");
    kconf_quote(dynbuf_str(&ci), q, sizeof(q));
    {
        /* openGauss's default: the first standby is Sync, the others Potential
         * (observed gs_ctl query), and a primary with no standby connected
         * waits at commit; most_available_sync=on lets it go on alone, which
         * PostgreSQL can only approximate by not waiting at all */
        char og[4096], mas[16] = "off";
        snprintf(og, sizeof(og), "%s/%s", datadir, KCONF_OG);
        kconf_get(og, "og.most_available_sync", mas, sizeof(mas));
        r = dynbuf_appendf(&file,
                           "# generated by gs_ctl/gaussdb from replconninfoN in og_guc.conf; do "
                           "not edit\nprimary_conninfo = %s\nsynchronous_standby_names = '%s'\n",
                           q, strcmp(mas, "on") == 0 || strcmp(mas, "true") == 0 ? "" : "*");
    }
    if (r < 0)
        return og_error_set(err, -r, "building %s", path);
    return fs_replace_file(path, file.buf, file.len, 0600, err);
}

int kconf_og_layout(const char *datadir, struct og_error *err)
{
    static const struct {
        const char *name, *target; /* target NULL: a directory */
    } entries[] = {
        {"pg_xlog", "pg_wal"},
        {"pg_clog", "pg_xact"},
        {"pg_csnlog", NULL},
        {"undo", NULL},
    };
    char path[4096];
    struct stat st;

    for (size_t i = 0; i < ELEMENTSOF(entries); i++) {
        snprintf(path, sizeof(path), "%s/%s", datadir, entries[i].name);
        if (lstat(path, &st) == 0)
            continue;
        if (entries[i].target ? symlink(entries[i].target, path) < 0 : mkdir(path, 0700) < 0)
            return og_error_set_errno(err, OG_E_IO, errno, "creating \"%s\"", path);
    }
    snprintf(path, sizeof(path), "%s/%s", datadir, KCONF_STATE);
    if (lstat(path, &st) == 0)
        return 0;
    return kconf_write_state(datadir, "unknown", "Unknown", 0, err);
}

int kconf_write_state(const char *datadir, const char *mode, const char *state, long pid,
                      struct og_error *err)
{
    char path[4096], text[256];
    int n;

    snprintf(path, sizeof(path), "%s/%s", datadir, KCONF_STATE);
    n = snprintf(text, sizeof(text), "mode=%s\nstate=%s\npid=%ld\n", mode, state, pid);
    return fs_replace_file(path, text, (size_t)n, 0600, err);
}

/* The user of the HA credential (its 4th field), or "" when there is none. */
static void ha_user(const char *datadir, char *buf, size_t size)
{
    _cleanup_free_ char *text = NULL;
    char path[4096];
    const char *p;
    size_t n = 0;

    buf[0] = '\0';
    snprintf(path, sizeof(path), "%s/%s", datadir, KCONF_HA_PASS);
    if (fs_read_file(path, 4096, &text, NULL, NULL) < 0 || strncmp(text, "*:*:*:", 6) != 0)
        return;
    for (p = text + 6; *p && *p != ':' && *p != '\n' && n + 1 < size; p++)
        buf[n++] = *p;
    buf[n] = '\0';
}

int kconf_gate_text(const char *datadir, struct dynbuf *out, struct og_error *err)
{
    _cleanup_free_ char *hba = NULL;
    char path[4096], user[128];
    int r;

    snprintf(path, sizeof(path), "%s/%s", datadir, KCONF_HBA);
    r = fs_read_file(path, 16u << 20, &hba, NULL, err);
    if (r < 0)
        return r;
    ha_user(datadir, user, sizeof(user));
    if (user[0])
        r = dynbuf_appendf(out,
                           "# openGauss: the initial user logs in over the local socket; over "
                           "TCP only\n# with its password (the kernel's HA channel)\n"
                           "host all \"%s\" all scram-sha-256\n",
                           user);
    if (r == 0)
        r = dynbuf_appends(out, hba);
    return r < 0 ? og_error_set(err, -r, "building the gate of \"%s\"", datadir) : 0;
}

int kconf_append_ha_auth(const char *datadir, struct dynbuf *conninfo)
{
    char path[4096];
    int r;

    snprintf(path, sizeof(path), "%s/%s", datadir, KCONF_HA_PASS);
    if (access(path, R_OK) < 0)
        return 0;
    r = dynbuf_appends(conninfo, " passfile='");
    for (const char *p = path; r == 0 && *p; p++)
        r = (*p == '\'' || *p == '\\') ? dynbuf_appendf(conninfo, "\\%c", *p)
                                       : dynbuf_append(conninfo, p, 1);
    return r == 0 ? dynbuf_appends(conninfo, "'") : r;
}
