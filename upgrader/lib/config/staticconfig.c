/* SPDX-License-Identifier: MulanPSL-2.0 */
#include <ctype.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "dynbuf.h"
#include "fs.h"
#include "parse.h"
#include "pkgsum.h"
#include "staticconfig.h"
#include "banned.h"

#define SUM_PREFIX "sha256="

/* One table drives the writer, the reader and the documented order. */
enum kind { K_STR, K_INT };

struct field {
    const char *key;
    enum kind kind;
    size_t off;
    size_t size; /* K_STR: the buffer */
};

#define CF_STR(k, m)                                                                               \
    {                                                                                              \
        k, K_STR, offsetof(struct cluster_config, m), sizeof(((struct cluster_config *)0)->m)      \
    }
#define CF_INT(k, m)                                                                               \
    {                                                                                              \
        k, K_INT, offsetof(struct cluster_config, m), sizeof(int)                                  \
    }
#define NF_STR(k, m)                                                                               \
    {                                                                                              \
        k, K_STR, offsetof(struct cluster_node, m), sizeof(((struct cluster_node *)0)->m)          \
    }
#define NF_INT(k, m)                                                                               \
    {                                                                                              \
        k, K_INT, offsetof(struct cluster_node, m), sizeof(int)                                    \
    }

static const struct field cluster_fields[] = {
    CF_STR("name", name),         CF_STR("app_path", app_path),   CF_STR("log_path", log_path),
    CF_STR("tmp_path", tmp_path), CF_STR("tool_path", tool_path), CF_STR("core_path", core_path),
    CF_STR("type", cluster_type), CF_INT("port", port),           CF_INT("sync_num", sync_num),
};

static const struct field node_fields[] = {
    NF_STR("name", name),
    NF_STR("back_ip", back_ip),
    NF_STR("ssh_ip", ssh_ip),
    NF_STR("az_name", az_name),
    NF_INT("az_priority", az_priority),
    NF_INT("instance_type", instance_type),
    NF_INT("instance_id", instance_id),
    NF_INT("mirror_id", mirror_id),
    NF_INT("port", port),
    NF_STR("datadir", datadir),
    NF_STR("listen_ip", listen_ip),
    NF_STR("ha_ip", ha_ip),
};

static bool valid_type(int t)
{
    return t == CLUSTER_INST_PRIMARY || t == CLUSTER_INST_STANDBY || t == CLUSTER_INST_CASCADE;
}

/* ---- write ----------------------------------------------------------------- */

static bool str_ok(const char *s, size_t size)
{
    size_t n = strnlen(s, size);

    if (n == size)
        return false;
    for (size_t i = 0; i < n; i++)
        if (iscntrl((unsigned char)s[i]))
            return false;
    return true;
}

static int put_fields(struct dynbuf *b, const char *prefix, const void *base, const struct field *f,
                      size_t nf)
{
    int r = 0;

    for (size_t i = 0; i < nf && r == 0; i++) {
        const char *p = (const char *)base + f[i].off;

        if (f[i].kind == K_STR) {
            if (!str_ok(p, f[i].size))
                return -OG_E_INVALID_ARG;
            r = dynbuf_appendf(b, "%s%s=%s\n", prefix, f[i].key, p);
        } else {
            int v;
            memcpy(&v, p, sizeof(v));
            r = dynbuf_appendf(b, "%s%s=%d\n", prefix, f[i].key, v);
        }
    }
    return r;
}

int staticconfig_write(const struct cluster_config *c, const char *path, struct og_error *err)
{
    _cleanup_dynbuf_ struct dynbuf b = {0};
    char hex[PKGSUM_HEX_LEN + 1];
    char prefix[32];
    int r;

    dynbuf_init(&b, STATICCONFIG_MAX);
    if (!c || !path)
        return og_error_set(err, OG_E_INVALID_ARG, "staticconfig_write: no config or path");
    if (c->n_nodes == 0 || c->n_nodes > CLUSTER_MAX_NODES)
        return og_error_set(err, OG_E_INVALID_ARG, "the static configuration for %s: %zu nodes",
                            path, c->n_nodes);
    r = dynbuf_appendf(&b, "%s %d\n", STATICCONFIG_MAGIC, STATICCONFIG_VERSION);
    if (r == 0)
        r = put_fields(&b, "cluster.", c, cluster_fields, ELEMENTSOF(cluster_fields));
    if (r == 0)
        r = dynbuf_appendf(&b, "nodes=%zu\n", c->n_nodes);
    for (size_t i = 0; i < c->n_nodes && r == 0; i++) {
        snprintf(prefix, sizeof(prefix), "node.%zu.", i + 1);
        r = put_fields(&b, prefix, &c->nodes[i], node_fields, ELEMENTSOF(node_fields));
    }
    if (r == -OG_E_INVALID_ARG)
        return og_error_set(err, OG_E_INVALID_ARG,
                            "the static configuration for %s has an unterminated value or one "
                            "with a control character",
                            path);
    if (r == 0)
        r = pkgsum_buffer(b.buf, b.len, hex);
    if (r == 0)
        r = dynbuf_appendf(&b, SUM_PREFIX "%s\n", hex);
    if (r < 0)
        return og_error_set(err, r, "formatting the static configuration %s", path);
    return fs_replace_file(path, b.buf, b.len, 0640, err);
}

/* ---- read ------------------------------------------------------------------ */

struct reader {
    const char *path;
    struct og_error *err;
    char *pos; /* next line */
    char *end; /* the checksum line */
    int line;
};

static int corrupt(struct reader *rd, const char *why)
{
    return og_error_set(rd->err, OG_E_CONTENT_INVALID,
                        "The content of file %s is not correct: line %d: %s.", rd->path, rd->line,
                        why);
}

/* The next line (NUL-terminated in place), or NULL at the checksum line. */
static char *next_line(struct reader *rd)
{
    char *s = rd->pos, *nl;

    if (s >= rd->end)
        return NULL;
    nl = memchr(s, '\n', (size_t)(rd->end - s)); /* the part before end ends in '\n' */
    *nl = '\0';
    rd->pos = nl + 1;
    rd->line++;
    return s;
}

/* The line must be "<key>=<value>"; returns the value or NULL. */
static const char *expect(struct reader *rd, const char *key)
{
    char *s = next_line(rd);
    size_t n = strlen(key);

    if (!s || strncmp(s, key, n) != 0 || s[n] != '=')
        return NULL;
    return s + n + 1;
}

/* A decimal int, a '-' at most before its digits (no blank, no '+'). */
static bool parse_int(const char *s, int *ret)
{
    if (!isdigit((unsigned char)s[0]) && !(s[0] == '-' && isdigit((unsigned char)s[1])))
        return false;
    return safe_atoi_range(s, INT_MIN, INT_MAX, ret) == 0;
}

static int get_fields(struct reader *rd, const char *prefix, void *base, const struct field *f,
                      size_t nf)
{
    char key[64];

    for (size_t i = 0; i < nf; i++) {
        char *p = (char *)base + f[i].off;
        const char *v;
        int iv;

        snprintf(key, sizeof(key), "%s%s", prefix, f[i].key);
        v = expect(rd, key);
        if (!v) {
            char why[128];
            snprintf(why, sizeof(why), "\"%s\" expected", key);
            return corrupt(rd, why);
        }
        if (f[i].kind == K_STR) {
            if (strlen(v) >= f[i].size)
                return corrupt(rd, "the value is too long");
            memcpy(p, v, strlen(v) + 1);
        } else {
            if (!parse_int(v, &iv))
                return corrupt(rd, "the value is not an integer");
            memcpy(p, &iv, sizeof(iv));
        }
    }
    return 0;
}

static int parse_text(struct reader *rd, char *text, size_t len, struct cluster_config *c)
{
    char hex[PKGSUM_HEX_LEN + 1], header[64], prefix[32];
    char *last, *s;
    const char *v;
    size_t primaries = 0;
    int nodes, r;

    if (len == 0 || text[len - 1] != '\n' || memchr(text, '\0', len))
        return corrupt(rd, "the file is empty, truncated or binary");
    /* The last line is the checksum of everything before it. */
    text[len - 1] = '\0';
    last = strrchr(text, '\n');
    last = last ? last + 1 : text;
    if (strncmp(last, SUM_PREFIX, strlen(SUM_PREFIX)) != 0 ||
        strlen(last) != strlen(SUM_PREFIX) + PKGSUM_HEX_LEN) {
        rd->line = 1;
        for (const char *p = text; p < last; p++)
            rd->line += *p == '\n';
        return corrupt(rd, "the last line is not \"" SUM_PREFIX "<64 hex>\" (truncated?)");
    }
    r = pkgsum_buffer(text, (size_t)(last - text), hex);
    if (r < 0)
        return og_error_set(rd->err, r, "hashing %s", rd->path);
    if (strcmp(hex, last + strlen(SUM_PREFIX)) != 0) {
        og_error_set(rd->err, OG_E_CONTENT_INVALID,
                     "The content of file %s is not correct: checksum mismatch (file says %s, "
                     "content is %s).",
                     rd->path, last + strlen(SUM_PREFIX), hex);
        return -OG_E_CONTENT_INVALID;
    }
    rd->pos = text;
    rd->end = last;

    s = next_line(rd);
    snprintf(header, sizeof(header), "%s %d", STATICCONFIG_MAGIC, STATICCONFIG_VERSION);
    if (!s || strcmp(s, header) != 0)
        return corrupt(rd,
                       s && strncmp(s, STATICCONFIG_MAGIC " ", strlen(STATICCONFIG_MAGIC) + 1) == 0
                           ? "unsupported format version"
                           : "not an ogup cluster_static_config");
    r = get_fields(rd, "cluster.", c, cluster_fields, ELEMENTSOF(cluster_fields));
    if (r < 0)
        return r;
    v = expect(rd, "nodes");
    if (!v || !parse_int(v, &nodes) || nodes < 1 || nodes > CLUSTER_MAX_NODES) {
        char why[48];
        snprintf(why, sizeof(why), "\"nodes\" (1..%d) expected", CLUSTER_MAX_NODES);
        return corrupt(rd, why);
    }
    c->n_nodes = (size_t)nodes;
    for (size_t i = 0; i < c->n_nodes; i++) {
        struct cluster_node *n = &c->nodes[i];

        snprintf(prefix, sizeof(prefix), "node.%zu.", i + 1);
        r = get_fields(rd, prefix, n, node_fields, ELEMENTSOF(node_fields));
        if (r < 0)
            return r;
        if (!valid_type(n->instance_type))
            return corrupt(rd, "bad instance_type");
        n->primary = n->instance_type == CLUSTER_INST_PRIMARY;
        primaries += n->primary;
    }
    if (next_line(rd)) {
        return corrupt(rd, "unexpected line before the checksum");
    }
    if (primaries != 1) {
        return corrupt(rd, "not exactly one primary datanode");
    }
    return 0;
}

int staticconfig_read(const char *path, struct cluster_config *ret, struct og_error *err)
{
    _cleanup_free_ struct cluster_config *c = NULL;
    _cleanup_free_ char *text = NULL;
    struct reader rd = {.path = path, .err = err};
    size_t len = 0;
    int r;

    if (!path || !ret)
        return og_error_set(err, OG_E_INVALID_ARG, "staticconfig_read: no path or result");
    r = fs_read_file(path, STATICCONFIG_MAX, &text, &len, err);
    if (r == -OG_E_NOT_EXIST)
        return og_error_set(err, OG_E_NOT_EXIST,
                            "The static configuration file %s does not "
                            "exist.",
                            path);
    if (r < 0)
        return r;
    c = calloc(1, sizeof(*c));
    if (!c)
        return og_error_set(err, OG_E_NOMEM, "reading %s", path);
    r = parse_text(&rd, text, len, c);
    if (r < 0)
        return r;
    memcpy(ret, c, sizeof(*ret));
    return 0;
}

/* ---- compare ------------------------------------------------------------------ */

static int differ(struct og_error *err, const char *what, const char *installed, const char *xml)
{
    return og_error_set(err, OG_E_STATIC_CONFIG,
                        "The cluster's static configuration does not match the new configuration "
                        "file: %s is \"%s\" in cluster_static_config, \"%s\" in the XML.",
                        what, installed, xml);
}

static int differ_int(struct og_error *err, const char *what, long installed, long xml)
{
    char a[32], b[32];

    snprintf(a, sizeof(a), "%ld", installed);
    snprintf(b, sizeof(b), "%ld", xml);
    return differ(err, what, a, b);
}

int staticconfig_compare(const struct cluster_config *installed, const struct cluster_config *xml,
                         struct og_error *err)
{
    char what[160];

    if (!installed || !xml)
        return og_error_set(err, OG_E_INVALID_ARG, "staticconfig_compare: no config");
    if (strcmp(installed->name, xml->name) != 0)
        return differ(err, "the cluster name", installed->name, xml->name);
    if (strcmp(installed->app_path, xml->app_path) != 0)
        return differ(err, "appPath", installed->app_path, xml->app_path);
    if (strcmp(installed->log_path, xml->log_path) != 0)
        return differ(err, "logPath", installed->log_path, xml->log_path);
    if (installed->n_nodes != xml->n_nodes)
        return differ_int(err, "the number of nodes", (long)installed->n_nodes, (long)xml->n_nodes);
    /* openGauss compares node by node, in order, without the node names. */
    for (size_t i = 0; i < installed->n_nodes && i < CLUSTER_MAX_NODES; i++) {
        const struct cluster_node *a = &installed->nodes[i], *b = &xml->nodes[i];
        const char *field = NULL;
        long ia = 0, ib = 0;
        const char *sa = NULL, *sb = NULL;

        if (a->instance_id != b->instance_id)
            field = "instanceId", ia = a->instance_id, ib = b->instance_id;
        else if (a->mirror_id != b->mirror_id)
            field = "mirrorId", ia = a->mirror_id, ib = b->mirror_id;
        else if (a->port != b->port)
            field = "port", ia = a->port, ib = b->port;
        else if (strcmp(a->datadir, b->datadir) != 0)
            field = "datadir", sa = a->datadir, sb = b->datadir;
        else if (a->instance_type != b->instance_type)
            field = "instanceType", ia = a->instance_type, ib = b->instance_type;
        else if (strcmp(a->listen_ip, b->listen_ip) != 0)
            field = "listenIps", sa = a->listen_ip, sb = b->listen_ip;
        else if (strcmp(a->ha_ip, b->ha_ip) != 0)
            field = "haIps", sa = a->ha_ip, sb = b->ha_ip;
        if (!field)
            continue;
        snprintf(what, sizeof(what), "the %s of the datanode on node %zu (\"%s\")", field, i + 1,
                 b->name);
        return sa ? differ(err, what, sa, sb) : differ_int(err, what, ia, ib);
    }
    return 0;
}
