/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * staticconfig: write -> read round trips, compare (each compared field
 * changed is GAUSS-51217, the others are ignored as openGauss ignores them),
 * and every kind of damage to the file (GAUSS-50222).
 */
#include <criterion/criterion.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clusterconfig.h"
#include "fs.h"
#include "staticconfig.h"

#include "../helpers/tmpdir.h"

static char dir[64];
static char path[128];

static void setup(void)
{
    cr_assert_eq(tmpdir_make("staticconfig", dir, sizeof(dir)), 0);
    snprintf(path, sizeof(path), "%s/cluster_static_config", dir);
}

static void teardown(void)
{
    tmpdir_remove(dir);
}

TestSuite(staticconfig, .init = setup, .fini = teardown);

static struct cluster_config *load(const char *name)
{
    struct cluster_config *c = calloc(1, sizeof(*c));
    struct og_error err = {0};
    char p[PATH_MAX];

    cr_assert_not_null(c);
    snprintf(p, sizeof(p), "%s/%s", CLUSTERCONFIG_DATA, name);
    cr_assert_eq(clusterconfig_load(p, c, &err), 0, "%s", err.detail);
    return c;
}

static struct cluster_config *copy(const struct cluster_config *c)
{
    struct cluster_config *d = malloc(sizeof(*d));

    cr_assert_not_null(d);
    memcpy(d, c, sizeof(*d));
    return d;
}

static void write_ok(const struct cluster_config *c)
{
    struct og_error err = {0};

    cr_assert_eq(staticconfig_write(c, path, &err), 0, "%s", err.detail);
}

static char *read_text(void)
{
    struct og_error err = {0};
    char *text = NULL;

    cr_assert_eq(fs_read_file(path, 4 << 20, &text, NULL, &err), 0, "%s", err.detail);
    return text;
}

static void put_text(const char *text, size_t len)
{
    struct og_error err = {0};

    cr_assert_eq(fs_replace_file(path, text, len, 0640, &err), 0, "%s", err.detail);
}

/* Replace the checksum line so that only the edit itself is wrong. */
static void put_resealed(const char *body)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    size_t n = strlen(body);
    char *text = malloc(n + 80);

    cr_assert_not_null(text);
    cr_assert_eq(EVP_Digest(body, n, md, &mdlen, EVP_sha256(), NULL), 1);
    memcpy(text, body, n);
    memcpy(text + n, "sha256=", 7);
    for (unsigned int i = 0; i < mdlen; i++)
        snprintf(text + n + 7 + 2 * i, 3, "%02x", md[i]);
    memcpy(text + n + 7 + 64, "\n", 2);
    put_text(text, strlen(text));
    free(text);
}

/* The file as written, without its checksum line. */
static char *body_of_written(void)
{
    char *text = read_text();
    char *sum = strstr(text, "sha256=");

    cr_assert_not_null(sum);
    *sum = '\0';
    return text;
}

static char *replace(const char *text, const char *old, const char *new)
{
    const char *hit = strstr(text, old);
    char *out;

    cr_assert_not_null(hit, "\"%s\" not found", old);
    out = malloc(strlen(text) + strlen(new) + 1);
    cr_assert_not_null(out);
    memcpy(out, text, (size_t)(hit - text));
    strcpy(out + (hit - text), new); /* NOLINT: sized above */
    strcat(out, hit + strlen(old));  /* NOLINT */
    return out;
}

static void expect_corrupt_what(const char *what)
{
    struct cluster_config *c = calloc(1, sizeof(*c));
    struct og_error err = {0};
    int rc;

    c->n_nodes = 99;
    rc = staticconfig_read(path, c, &err);
    cr_assert_eq(rc, -OG_E_CONTENT_INVALID, "%s: got %d: %s", what, rc, err.detail);
    cr_assert_eq(err.code, OG_E_CONTENT_INVALID);
    cr_assert_not_null(strstr(err.detail, path), "%s", err.detail);
    cr_assert_eq(c->n_nodes, 99); /* untouched on failure */
    free(c);
}

static void expect_corrupt(void)
{
    expect_corrupt_what("");
}

/* Edit the written file (old -> new), reseal it, expect GAUSS-50222. */
static void expect_corrupt_edit(const char *old, const char *new)
{
    char *body = body_of_written();
    char *edited = replace(body, old, new);

    put_resealed(edited);
    expect_corrupt_what(new);
    free(body);
    free(edited);
}

static void round_trip(const char *name)
{
    struct cluster_config *a = load(name), *b = calloc(1, sizeof(*b));
    struct og_error err = {0};
    struct stat st;

    write_ok(a);
    cr_assert_eq(stat(path, &st), 0);
    cr_assert_eq(st.st_mode & 07777, 0640);
    cr_assert_eq(staticconfig_read(path, b, &err), 0, "%s", err.detail);
    /* every field, not only the compared ones */
    cr_assert_eq(memcmp(a, b, sizeof(*a)), 0);
    cr_assert_eq(staticconfig_compare(b, a, &err), 0, "%s", err.detail);
    free(a);
    free(b);
}

Test(staticconfig, round_trip_1node)
{
    round_trip("good-1node.xml");
}

Test(staticconfig, round_trip_3node)
{
    round_trip("good-3node.xml");
}

Test(staticconfig, round_trip_5node)
{
    round_trip("good-5node.xml");
}

Test(staticconfig, documented_layout)
{
    struct cluster_config *a = load("good-3node.xml");
    char *text;

    write_ok(a);
    text = read_text();
    cr_assert_eq(strncmp(text, "ogup-cluster-static-config 1\ncluster.name=dbCluster\n", 52), 0,
                 "%s", text);
    cr_assert_not_null(strstr(text, "\nnodes=3\nnode.1.name=node1\n"));
    cr_assert_not_null(strstr(text, "\nnode.3.instance_id=6003\n"));
    cr_assert_not_null(strstr(text, "\nnode.3.ha_ip=192.168.122.13\nsha256="));
    cr_assert_eq(strlen(strstr(text, "\nsha256=")), 1 + 7 + 64 + 1);
    free(text);
    free(a);
}

Test(staticconfig, rewrite_replaces)
{
    struct cluster_config *a = load("good-3node.xml"), *b = load("good-1node.xml");
    struct cluster_config *r = calloc(1, sizeof(*r));
    struct og_error err = {0};

    write_ok(a);
    write_ok(b);
    cr_assert_eq(staticconfig_read(path, r, &err), 0, "%s", err.detail);
    cr_assert_eq(r->n_nodes, 1);
    free(a);
    free(b);
    free(r);
}

/* ---- compare ------------------------------------------------------------------- */

static void expect_differs(const struct cluster_config *installed, const struct cluster_config *xml,
                           const char *what)
{
    struct og_error err = {0};

    cr_assert_eq(staticconfig_compare(installed, xml, &err), -OG_E_STATIC_CONFIG, "%s", what);
    cr_assert_eq(err.code, OG_E_STATIC_CONFIG);
    cr_assert_not_null(strstr(err.detail, what), "\"%s\" not in: %s", what, err.detail);
}

Test(staticconfig, compare_each_field)
{
    struct cluster_config *base = load("good-3node.xml"), *x;

    cr_assert_eq(staticconfig_compare(base, base, NULL), 0);

#define CHANGE(stmt, what)                                                                         \
    do {                                                                                           \
        x = copy(base);                                                                            \
        stmt;                                                                                      \
        expect_differs(base, x, what);                                                             \
        free(x);                                                                                   \
    } while (0)

    CHANGE(snprintf(x->name, sizeof(x->name), "other"), "cluster name");
    CHANGE(snprintf(x->app_path, sizeof(x->app_path), "/other"), "appPath");
    CHANGE(snprintf(x->log_path, sizeof(x->log_path), "/other"), "logPath");
    CHANGE(x->n_nodes = 2, "number of nodes");
    CHANGE(x->nodes[1].instance_id = 6009, "instanceId");
    CHANGE(x->nodes[2].mirror_id = 2, "mirrorId");
    CHANGE(x->nodes[0].port = 15401, "port");
    CHANGE(snprintf(x->nodes[1].datadir, sizeof(x->nodes[1].datadir), "/d2"), "datadir");
    CHANGE(x->nodes[2].instance_type = CLUSTER_INST_CASCADE, "instanceType");
    CHANGE(snprintf(x->nodes[2].listen_ip, sizeof(x->nodes[2].listen_ip), "10.0.0.9"), "listenIps");
    CHANGE(snprintf(x->nodes[0].ha_ip, sizeof(x->nodes[0].ha_ip), "10.0.0.9"), "haIps");
#undef CHANGE

    /* What openGauss does not compare does not matter. */
    x = copy(base);
    snprintf(x->tmp_path, sizeof(x->tmp_path), "/elsewhere");
    snprintf(x->tool_path, sizeof(x->tool_path), "/elsewhere");
    snprintf(x->core_path, sizeof(x->core_path), "/elsewhere");
    snprintf(x->nodes[1].name, sizeof(x->nodes[1].name), "renamed");
    snprintf(x->nodes[1].ssh_ip, sizeof(x->nodes[1].ssh_ip), "10.0.0.8");
    snprintf(x->nodes[1].back_ip, sizeof(x->nodes[1].back_ip), "10.0.0.8");
    snprintf(x->nodes[1].az_name, sizeof(x->nodes[1].az_name), "AZ9");
    x->nodes[1].az_priority = 9;
    x->sync_num = 0;
    cr_assert_eq(staticconfig_compare(base, x, NULL), 0);
    free(x);
    free(base);
}

Test(staticconfig, compare_names_the_first_difference)
{
    struct cluster_config *a = load("good-3node.xml"), *b = copy(a);
    struct og_error err = {0};

    b->nodes[1].port = 1;
    b->nodes[2].port = 2;
    cr_assert_eq(staticconfig_compare(a, b, &err), -OG_E_STATIC_CONFIG);
    cr_assert_not_null(strstr(err.detail, "node 2 (\"node2\")"), "%s", err.detail);
    cr_assert_not_null(strstr(err.detail, "\"15400\" in cluster_static_config, \"1\" in the XML"),
                       "%s", err.detail);
    cr_assert_eq(staticconfig_compare(NULL, b, &err), -OG_E_INVALID_ARG);
    cr_assert_eq(staticconfig_compare(a, NULL, &err), -OG_E_INVALID_ARG);
    free(a);
    free(b);
}

/* The gs_upgradectl prologue: the installed file against an edited XML. */
Test(staticconfig, installed_against_edited_xml)
{
    struct cluster_config *a = load("good-3node.xml"), *installed = calloc(1, sizeof(*a));
    struct cluster_config *xml = calloc(1, sizeof(*a));
    struct og_error err = {0};
    char *text = NULL, *edited;
    char p[PATH_MAX];

    write_ok(a);
    cr_assert_eq(staticconfig_read(path, installed, &err), 0, "%s", err.detail);
    snprintf(p, sizeof(p), "%s/good-3node.xml", CLUSTERCONFIG_DATA);
    cr_assert_eq(fs_read_file(p, 1 << 20, &text, NULL, &err), 0);
    /* swap the standbys in dataNode1: instance ids move */
    edited =
        replace(text, "dn1,node2,/opt/og/data/dn1,node3,", "dn1,node3,/opt/og/data/dn1,node2,");
    cr_assert_eq(clusterconfig_parse_memory(edited, strlen(edited), "new.xml", xml, &err), 0, "%s",
                 err.detail);
    expect_differs(installed, xml, "instanceId");
    free(edited);
    free(text);
    free(a);
    free(installed);
    free(xml);
}

/* ---- damage ---------------------------------------------------------------------- */

Test(staticconfig, flipped_byte)
{
    struct cluster_config *a = load("good-3node.xml");
    char *text;

    write_ok(a);
    text = read_text();
    text[40] ^= 0x01;
    put_text(text, strlen(text));
    expect_corrupt();
    free(text);
    free(a);
}

Test(staticconfig, truncated)
{
    struct cluster_config *a = load("good-3node.xml");
    char *text;
    size_t len;

    write_ok(a);
    text = read_text();
    len = strlen(text);
    for (size_t cut = 0; cut < len; cut += 53) {
        put_text(text, cut);
        expect_corrupt();
    }
    put_text(text, len - 1); /* the last newline */
    expect_corrupt();
    free(text);
    free(a);
}

Test(staticconfig, checksum_line_damaged)
{
    struct cluster_config *a = load("good-1node.xml");
    char *body;

    write_ok(a);
    body = body_of_written();
    put_text(body, strlen(body)); /* no checksum line at all */
    expect_corrupt();
    free(body);
    free(a);
}

Test(staticconfig, trailing_garbage)
{
    struct cluster_config *a = load("good-1node.xml");
    char *text, *more;

    write_ok(a);
    text = read_text();
    more = malloc(strlen(text) + 8);
    strcpy(more, text);    /* NOLINT */
    strcat(more, "x=1\n"); /* NOLINT */
    put_text(more, strlen(more));
    expect_corrupt();
    free(more);
    free(text);
    free(a);
}

Test(staticconfig, binary_content)
{
    struct cluster_config *a = load("good-1node.xml");
    char *text;
    size_t len;

    write_ok(a);
    text = read_text();
    len = strlen(text);
    text[10] = '\0';
    put_text(text, len);
    expect_corrupt();
    put_text("", 0);
    expect_corrupt();
    free(text);
    free(a);
}

Test(staticconfig, resealed_edits_are_still_refused)
{
    struct cluster_config *a = load("good-3node.xml");

    write_ok(a);
    expect_corrupt_edit("ogup-cluster-static-config 1", "ogup-cluster-static-config 2");
    write_ok(a);
    expect_corrupt_edit("ogup-cluster-static-config 1", "openGauss static config");
    write_ok(a);
    expect_corrupt_edit("cluster.app_path=", "cluster.appPath=");
    write_ok(a);
    expect_corrupt_edit("cluster.port=15400", "cluster.port=15400x");
    write_ok(a);
    expect_corrupt_edit("node.2.port=15400", "node.2.port=99999999999");
    write_ok(a);
    expect_corrupt_edit("nodes=3", "nodes=0");
    write_ok(a);
    expect_corrupt_edit("nodes=3", "nodes=2"); /* node 3's lines are extra */
    write_ok(a);
    expect_corrupt_edit("nodes=3", "nodes=4"); /* node 4 missing */
    write_ok(a);
    expect_corrupt_edit("node.2.instance_type=1", "node.2.instance_type=2");
    write_ok(a);
    expect_corrupt_edit("node.2.instance_type=1", "node.2.instance_type=0"); /* two primaries */
    write_ok(a);
    expect_corrupt_edit("node.1.instance_type=0", "node.1.instance_type=1"); /* none */
    write_ok(a);
    expect_corrupt_edit(
        "cluster.name=dbCluster",
        "cluster.name=a-cluster-name-that-is-much-much-longer-than-sixty-three-characters");
    write_ok(a);
    expect_corrupt_edit("cluster.type=single-inst\n", "");
    free(a);
}

Test(staticconfig, missing_file)
{
    struct cluster_config *c = calloc(1, sizeof(*c));
    struct og_error err = {0};

    cr_assert_eq(staticconfig_read(path, c, &err), -OG_E_NOT_EXIST);
    cr_assert_eq(err.code, OG_E_NOT_EXIST);
    cr_assert_eq(staticconfig_read(NULL, c, &err), -OG_E_INVALID_ARG);
    cr_assert_eq(staticconfig_read(path, NULL, &err), -OG_E_INVALID_ARG);
    free(c);
}

Test(staticconfig, too_large)
{
    struct cluster_config *c = calloc(1, sizeof(*c));
    struct og_error err = {0};
    size_t n = STATICCONFIG_MAX + 1;
    char *big = malloc(n);

    memset(big, 'x', n);
    put_text(big, n);
    cr_assert_eq(staticconfig_read(path, c, &err), -OG_E_TOO_LARGE, "%s", err.detail);
    free(big);
    free(c);
}

Test(staticconfig, write_refuses_bad_structs)
{
    struct cluster_config *a = load("good-3node.xml");
    struct og_error err = {0};

    cr_assert_eq(staticconfig_write(NULL, path, &err), -OG_E_INVALID_ARG);
    cr_assert_eq(staticconfig_write(a, NULL, &err), -OG_E_INVALID_ARG);
    a->n_nodes = 0;
    cr_assert_eq(staticconfig_write(a, path, &err), -OG_E_INVALID_ARG);
    a->n_nodes = CLUSTER_MAX_NODES + 1;
    cr_assert_eq(staticconfig_write(a, path, &err), -OG_E_INVALID_ARG);
    a->n_nodes = 3;
    a->nodes[1].datadir[2] = '\n';
    cr_assert_eq(staticconfig_write(a, path, &err), -OG_E_INVALID_ARG);
    a->nodes[1].datadir[2] = 'x';
    memset(a->name, 'n', sizeof(a->name)); /* unterminated */
    cr_assert_eq(staticconfig_write(a, path, &err), -OG_E_INVALID_ARG);
    cr_assert_neq(access(path, F_OK), 0); /* nothing written */
    free(a);
}

Test(staticconfig, write_into_missing_directory)
{
    struct cluster_config *a = load("good-1node.xml");
    struct og_error err = {0};
    char p[200];

    snprintf(p, sizeof(p), "%s/no/such/dir/cluster_static_config", dir);
    cr_assert_lt(staticconfig_write(a, p, &err), 0);
    cr_assert_neq(err.code, 0);
    free(a);
}
