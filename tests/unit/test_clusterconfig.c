/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * clusterconfig: the fixtures in tests/data/clusterconfig/ (good-*.xml parse,
 * bad-*.xml fail with a code and the line in the detail), then every other
 * error path as a one-line edit of good-3node.xml, then format round trips.
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clusterconfig.h"
#include "dynbuf.h"
#include "fs.h"

static char *slurp(const char *name)
{
    char path[PATH_MAX];
    char *text = NULL;
    struct og_error err = {0};

    snprintf(path, sizeof(path), "%s/%s", CLUSTERCONFIG_DATA, name);
    cr_assert_eq(fs_read_file(path, 4 << 20, &text, NULL, &err), 0, "%s", err.detail);
    return text;
}

/* text with the first occurrence of old replaced by new (must occur). */
static char *subst(const char *text, const char *old, const char *new)
{
    const char *hit = strstr(text, old);
    size_t a, b, c;
    char *out;

    cr_assert_not_null(hit, "\"%s\" not in the fixture", old);
    a = (size_t)(hit - text);
    b = strlen(new);
    c = strlen(hit + strlen(old));
    out = malloc(a + b + c + 1);
    cr_assert_not_null(out);
    memcpy(out, text, a);
    memcpy(out + a, new, b);
    memcpy(out + a + b, hit + strlen(old), c + 1);
    return out;
}

static struct cluster_config *new_config(void)
{
    struct cluster_config *c = calloc(1, sizeof(*c));

    cr_assert_not_null(c);
    return c;
}

static struct cluster_config *load_ok(const char *name)
{
    struct cluster_config *c = new_config();
    struct og_error err = {0};
    char path[PATH_MAX];

    snprintf(path, sizeof(path), "%s/%s", CLUSTERCONFIG_DATA, name);
    cr_assert_eq(clusterconfig_load(path, c, &err), 0, "%s: %s", name, err.detail);
    return c;
}

/* The code, and "<origin>:<line>:" in the detail. */
static void expect_error(int rc, const struct og_error *err, int code, int line)
{
    char where[32];

    cr_assert_eq(rc, -code, "expected %d, got %d: %s", code, -rc, err->detail);
    cr_assert_eq(err->code, code);
    if (line > 0) {
        snprintf(where, sizeof(where), ":%d: ", line);
        cr_assert_not_null(strstr(err->detail, where), "no line %d in: %s", line, err->detail);
    }
}

static void expect_file_error(const char *name, int code, int line)
{
    struct cluster_config *c = new_config();
    struct og_error err = {0};
    char path[PATH_MAX];
    int rc;

    snprintf(path, sizeof(path), "%s/%s", CLUSTERCONFIG_DATA, name);
    c->n_nodes = 77; /* must stay untouched on failure */
    rc = clusterconfig_load(path, c, &err);
    expect_error(rc, &err, code, line);
    cr_assert_not_null(strstr(err.detail, name), "file not named: %s", err.detail);
    cr_assert_eq(c->n_nodes, 77);
    free(c);
}

static void expect_text_error(const char *text, int code, int line)
{
    struct cluster_config *c = new_config();
    struct og_error err = {0};
    int rc = clusterconfig_parse_memory(text, strlen(text), "edited.xml", c, &err);

    expect_error(rc, &err, code, line);
    cr_assert_not_null(strstr(err.detail, "edited.xml"), "origin not named: %s", err.detail);
    free(c);
}

static void expect_text_ok(const char *text, struct cluster_config *ret)
{
    struct og_error err = {0};

    cr_assert_eq(clusterconfig_parse_memory(text, strlen(text), "edited.xml", ret, &err), 0, "%s",
                 err.detail);
}

/* good-3node.xml with one (or two) edits must fail with code at line. */
static void variant(const char *old, const char *new, const char *old2, const char *new2, int code,
                    int line)
{
    char *base = slurp("good-3node.xml");
    char *t1 = subst(base, old, new);
    char *t2 = old2 ? subst(t1, old2, new2) : NULL;

    expect_text_error(t2 ? t2 : t1, code, line);
    free(base);
    free(t1);
    free(t2);
}

static void assert_node_eq(const struct cluster_node *a, const struct cluster_node *b)
{
    cr_assert_str_eq(a->name, b->name);
    cr_assert_str_eq(a->back_ip, b->back_ip);
    cr_assert_str_eq(a->ssh_ip, b->ssh_ip);
    cr_assert_str_eq(a->az_name, b->az_name);
    cr_assert_eq(a->az_priority, b->az_priority);
    cr_assert_eq(a->primary, b->primary);
    cr_assert_eq(a->instance_type, b->instance_type);
    cr_assert_str_eq(a->datadir, b->datadir);
    cr_assert_eq(a->port, b->port);
    cr_assert_eq(a->instance_id, b->instance_id);
    cr_assert_eq(a->mirror_id, b->mirror_id);
    cr_assert_str_eq(a->listen_ip, b->listen_ip);
    cr_assert_str_eq(a->ha_ip, b->ha_ip);
}

static void assert_config_eq(const struct cluster_config *a, const struct cluster_config *b)
{
    cr_assert_str_eq(a->name, b->name);
    cr_assert_str_eq(a->app_path, b->app_path);
    cr_assert_str_eq(a->log_path, b->log_path);
    cr_assert_str_eq(a->tmp_path, b->tmp_path);
    cr_assert_str_eq(a->tool_path, b->tool_path);
    cr_assert_str_eq(a->core_path, b->core_path);
    cr_assert_str_eq(a->cluster_type, b->cluster_type);
    cr_assert_eq(a->sync_num, b->sync_num);
    cr_assert_eq(a->port, b->port);
    cr_assert_eq(a->n_nodes, b->n_nodes);
    for (size_t i = 0; i < a->n_nodes; i++)
        assert_node_eq(&a->nodes[i], &b->nodes[i]);
}

/* ---- good files ---------------------------------------------------------------- */

Test(clusterconfig, good_1node)
{
    struct cluster_config *c = load_ok("good-1node.xml");
    const struct cluster_node *n = &c->nodes[0];

    cr_assert_str_eq(c->name, "single");
    cr_assert_str_eq(c->app_path, "/gaussdb/app");
    cr_assert_str_eq(c->log_path, "/gaussdb/log");
    cr_assert_str_eq(c->tmp_path, "/gaussdb/om/omm_mppdb");
    cr_assert_str_eq(c->tool_path, "/gaussdb/om");
    cr_assert_str_eq(c->core_path, "/gaussdb/corefile");
    cr_assert_str_eq(c->cluster_type, "");
    cr_assert_eq(c->sync_num, -1);
    cr_assert_eq(c->port, 5432);
    cr_assert_eq(c->n_nodes, 1);
    cr_assert_str_eq(n->name, "db1");
    cr_assert_str_eq(n->back_ip, "10.0.0.1");
    cr_assert_str_eq(n->ssh_ip, "10.0.0.1"); /* no sshIp1: backIp1 */
    cr_assert_str_eq(n->listen_ip, "10.0.0.1");
    cr_assert_str_eq(n->ha_ip, "10.0.0.1");
    cr_assert(n->primary);
    cr_assert_eq(n->instance_type, CLUSTER_INST_PRIMARY);
    cr_assert_eq(n->instance_id, 6001);
    cr_assert_eq(n->mirror_id, 1);
    cr_assert_eq(n->port, 5432);
    cr_assert_str_eq(n->datadir, "/gaussdb/data/db1");
    cr_assert_eq(clusterconfig_primary(c), n);
    free(c);
}

Test(clusterconfig, good_3node)
{
    struct cluster_config *c = load_ok("good-3node.xml");
    static const char *const names[] = {"node1", "node2", "node3"};

    cr_assert_str_eq(c->name, "dbCluster");
    cr_assert_str_eq(c->cluster_type, "single-inst");
    cr_assert_eq(c->sync_num, 1);
    cr_assert_eq(c->port, 15400);
    cr_assert_eq(c->n_nodes, 3);
    for (size_t i = 0; i < 3; i++) {
        const struct cluster_node *n = &c->nodes[i];

        cr_assert_str_eq(n->name, names[i]);
        cr_assert_eq(n->instance_id, 6001 + (int)i);
        cr_assert_eq(n->mirror_id, 1);
        cr_assert_eq(n->port, 15400);
        cr_assert_str_eq(n->datadir, "/opt/og/data/dn1");
        cr_assert_eq(n->primary, i == 0);
        cr_assert_eq(n->instance_type, i == 0 ? CLUSTER_INST_PRIMARY : CLUSTER_INST_STANDBY);
        cr_assert_str_eq(n->listen_ip, n->back_ip);
        cr_assert_str_eq(n->ha_ip, n->back_ip);
        cr_assert_eq(clusterconfig_find_node(c, names[i]), n);
    }
    cr_assert_str_eq(c->nodes[2].az_name, "AZ2");
    cr_assert_eq(c->nodes[2].az_priority, 2);
    cr_assert_str_eq(c->nodes[1].back_ip, "192.168.122.12");
    cr_assert_eq(clusterconfig_primary(c), &c->nodes[0]);
    cr_assert_null(clusterconfig_find_node(c, "node4"));
    cr_assert_null(clusterconfig_find_node(c, NULL));
    cr_assert_null(clusterconfig_find_node(NULL, "node1"));
    cr_assert_null(clusterconfig_primary(NULL));
    free(c);
}

Test(clusterconfig, good_5node_ids_follow_datanode1_order)
{
    struct cluster_config *c = load_ok("good-5node.xml");
    /* nodeNames order n1..n5; dataNode1 order n3 (primary), n1, n4, n2, n5. */
    static const int ids[] = {6002, 6004, 6001, 6003, 6005};
    static const int types[] = {CLUSTER_INST_STANDBY, CLUSTER_INST_STANDBY, CLUSTER_INST_PRIMARY,
                                CLUSTER_INST_STANDBY, CLUSTER_INST_CASCADE};

    cr_assert_str_eq(c->name, "five_node-cluster.1");
    cr_assert_str_eq(c->app_path, "/srv/og/app"); /* trailing '/' normalized away */
    cr_assert_eq(c->n_nodes, 5);
    cr_assert_eq(c->port, 26000);
    cr_assert_eq(c->sync_num, 2);
    for (size_t i = 0; i < 5; i++) {
        const struct cluster_node *n = &c->nodes[i];
        char name[8], ip[32];

        snprintf(name, sizeof(name), "n%zu", i + 1);
        cr_assert_str_eq(n->name, name);
        cr_assert_eq(n->instance_id, ids[i], "%s: %d", name, n->instance_id);
        cr_assert_eq(n->instance_type, types[i]);
        cr_assert_eq(n->mirror_id, 1);
        cr_assert_eq(n->port, 26000);
        cr_assert_str_eq(n->datadir, "/srv/og/data/dn");
        snprintf(ip, sizeof(ip), "172.16.0.1%zu", i + 1);
        cr_assert_str_eq(n->back_ip, ip);
        snprintf(ip, sizeof(ip), "172.17.0.1%zu", i + 1);
        cr_assert_str_eq(n->ssh_ip, ip);
        snprintf(ip, sizeof(ip), "172.18.0.1%zu", i + 1);
        cr_assert_str_eq(n->listen_ip, ip);
        snprintf(ip, sizeof(ip), "172.19.0.1%zu", i + 1);
        cr_assert_str_eq(n->ha_ip, ip);
    }
    cr_assert_eq(clusterconfig_primary(c), &c->nodes[2]);
    free(c);
}

Test(clusterconfig, paths_are_normalized)
{
    char *base = slurp("good-1node.xml");
    char *t1 = subst(base, "value=\"/gaussdb/app\"", "value=\"/gaussdb/x/../app/./\"");
    char *t2 = subst(t1, "value=\"/gaussdb/log\"", "value=\"/../..//\"");
    char *t3 = subst(t2, "value=\"/gaussdb/om\"", "value=\"  /a/b/../../c \"");
    struct cluster_config *c = new_config();

    expect_text_ok(t3, c);
    cr_assert_str_eq(c->app_path, "/gaussdb/app");
    cr_assert_str_eq(c->log_path, "/");
    cr_assert_str_eq(c->tool_path, "/c");
    free(base);
    free(t1);
    free(t2);
    free(t3);
    free(c);
}

/* ---- the bad fixtures: one test each ------------------------------------------ */

Test(clusterconfig, missing_file)
{
    struct cluster_config *c = new_config();
    struct og_error err = {0};

    cr_assert_eq(clusterconfig_load(CLUSTERCONFIG_DATA "/no-such.xml", c, &err), -OG_E_NOT_EXIST);
    cr_assert_eq(err.code, OG_E_NOT_EXIST);
    cr_assert_not_null(strstr(err.detail, "no-such.xml"));
    free(c);
}

Test(clusterconfig, malformed_xml)
{
    /* line 9 opens a PARAM that is never closed; libxml2 sees it at line 15 */
    expect_file_error("bad-malformed.xml", OG_E_XML_INVALID, 15);
}

Test(clusterconfig, schema_wrong_root)
{
    expect_file_error("bad-wrong-root.xml", OG_E_XML_INVALID, 4);
}

Test(clusterconfig, missing_required_param)
{
    expect_file_error("bad-missing-param.xml", OG_E_XML_INVALID, 5);
}

Test(clusterconfig, unknown_node_in_datanode1)
{
    expect_file_error("bad-unknown-node.xml", OG_E_NODE_UNKNOWN, 25);
}

Test(clusterconfig, duplicate_ip)
{
    expect_file_error("bad-dup-ip.xml", OG_E_PARAM_INVALID, 39);
}

Test(clusterconfig, bad_port)
{
    expect_file_error("bad-port.xml", OG_E_PARAM_VALUE, 24);
}

Test(clusterconfig, relative_path)
{
    expect_file_error("bad-relative-path.xml", OG_E_PARAM_VALUE, 9);
}

Test(clusterconfig, nodenames_mismatch)
{
    expect_file_error("bad-nodenames-mismatch.xml", OG_E_PARAM_INVALID, 7);
}

Test(clusterconfig, oversized_file)
{
    char path[] = "/tmp/ogup-cc-big-XXXXXX";
    char *base = slurp("good-3node.xml");
    struct cluster_config *c = new_config();
    struct og_error err = {0};
    size_t pad = CLUSTERCONFIG_MAX_BYTES;
    char *big = malloc(strlen(base) + pad + 16);
    int fd = mkstemp(path);

    cr_assert_geq(fd, 0);
    close(fd);
    /* A valid file made large by a comment. */
    strcpy(big, base); /* NOLINT: test code, sizes computed above */
    char *root = strstr(big, "<ROOT>");
    memmove(root + pad + 7, root, strlen(root) + 1);
    memcpy(root, "<!--", 4);
    memset(root + 4, 'x', pad);
    memcpy(root + 4 + pad, "-->", 3);
    cr_assert_eq(fs_replace_file(path, big, strlen(big), 0644, &err), 0, "%s", err.detail);
    cr_assert_eq(clusterconfig_load(path, c, &err), -OG_E_TOO_LARGE, "%s", err.detail);
    cr_assert_eq(clusterconfig_parse_memory(big, strlen(big), "big.xml", c, &err), -OG_E_TOO_LARGE);
    /* just under the limit it is fine */
    cr_assert_eq(clusterconfig_parse_memory(base, strlen(base), "ok.xml", c, &err), 0);
    unlink(path);
    free(big);
    free(base);
    free(c);
}

Test(clusterconfig, unreadable_path_is_not_missing)
{
    struct cluster_config *c = new_config();
    struct og_error err = {0};

    /* a directory: open() works, read() fails with EISDIR */
    int rc = clusterconfig_load(CLUSTERCONFIG_DATA, c, &err);
    cr_assert(rc < 0 && rc != -OG_E_NOT_EXIST, "%d %s", rc, err.detail);
    free(c);
}

Test(clusterconfig, null_text)
{
    struct cluster_config *c = new_config();
    struct og_error err = {0};

    cr_assert_eq(clusterconfig_parse_memory(NULL, 0, NULL, c, &err), -OG_E_INVALID_ARG);
    free(c);
}

/* ---- XML and schema --------------------------------------------------------------- */

Test(clusterconfig, empty_text)
{
    expect_text_error("", OG_E_XML_INVALID, 1);
}

Test(clusterconfig, doctype_refused)
{
    variant("<ROOT>", "<!DOCTYPE ROOT [ <!ENTITY x \"y\"> ]>\n<ROOT>", NULL, NULL, OG_E_XML_INVALID,
            4);
}

Test(clusterconfig, undeclared_entity_is_malformed)
{
    variant("value=\"dbCluster\"", "value=\"&x;\"", NULL, NULL, OG_E_XML_INVALID, 6);
}

Test(clusterconfig, schema_unknown_param_name)
{
    variant("name=\"azName\" value=\"AZ2\"", "name=\"azname\" value=\"AZ2\"", NULL, NULL,
            OG_E_XML_INVALID, 37);
}

Test(clusterconfig, schema_password_refused)
{
    variant("<PARAM name=\"clusterType\"",
            "<PARAM name=\"password\" value=\"x\"/><PARAM name=\"clusterType\"", NULL, NULL,
            OG_E_XML_INVALID, 14);
}

Test(clusterconfig, schema_text_content)
{
    variant("<PARAM name=\"clusterType\" value=\"single-inst\"/>",
            "<PARAM name=\"clusterType\" value=\"single-inst\">text</PARAM>", NULL, NULL,
            OG_E_XML_INVALID, 14);
}

Test(clusterconfig, schema_device_without_sn)
{
    variant("<DEVICE sn=\"node2\">", "<DEVICE>", NULL, NULL, OG_E_XML_INVALID, 28);
}

Test(clusterconfig, schema_param_without_value)
{
    variant("<PARAM name=\"corePath\" value=\"/opt/og/corefile\"/>", "<PARAM name=\"corePath\"/>",
            NULL, NULL, OG_E_XML_INVALID, 12);
}

Test(clusterconfig, schema_two_clusters)
{
    variant("  <DEVICELIST>",
            "  <CLUSTER><PARAM name=\"clusterName\" value=\"x\"/></CLUSTER>\n  <DEVICELIST>", NULL,
            NULL, OG_E_XML_INVALID, 16);
}

Test(clusterconfig, schema_accepts_patterns)
{
    char *base = slurp("good-3node.xml");
    char *t1 = subst(base, "<PARAM name=\"clusterType\"",
                     "<PARAM name=\"floatIp1\" value=\"1.2.3.4\"/><PARAM name=\"clusterType\"");
    char *t2 =
        subst(t1, "<PARAM name=\"dataNum\"",
              "<PARAM name=\"syncNode_node1\" value=\"ANY 1(node2)\"/><PARAM name=\"dataNum\"");
    struct cluster_config *c = new_config();

    expect_text_ok(t2, c);
    free(base);
    free(t1);
    free(t2);
    free(c);
}

Test(clusterconfig, schema_embedded_copy_is_the_source_file)
{
    char *src = NULL;
    size_t len = 0, elen = 0;
    struct og_error err = {0};
    const char *text = clusterconfig_schema_text(&elen);

    cr_assert_str_eq(clusterconfig_schema_path(), CLUSTERCONFIG_RNG_SOURCE);
    cr_assert_eq(fs_read_file(clusterconfig_schema_path(), 1 << 20, &src, &len, &err), 0, "%s",
                 err.detail);
    cr_assert_eq(elen, len);
    cr_assert_eq(memcmp(text, src, len), 0);
    cr_assert_not_null(clusterconfig_schema_text(NULL));
    free(src);
}

/* ---- C checks: duplicates and required PARAMs (OGUP-60060) ------------------------ */

Test(clusterconfig, duplicate_param)
{
    variant("<PARAM name=\"clusterType\" value=\"single-inst\"/>",
            "<PARAM name=\"clusterType\" value=\"single-inst\"/>\n<PARAM name=\"clusterName\" "
            "value=\"x\"/>",
            NULL, NULL, OG_E_XML_INVALID, 15);
}

Test(clusterconfig, device_missing_azname)
{
    variant("<PARAM name=\"azName\" value=\"AZ2\"/>", "", NULL, NULL, OG_E_XML_INVALID, 35);
}

Test(clusterconfig, datanum_1_without_datanode1)
{
    variant(
        "<PARAM name=\"sshIp1\" value=\"192.168.122.12\"/>",
        "<PARAM name=\"sshIp1\" value=\"192.168.122.12\"/><PARAM name=\"dataNum\" value=\"1\"/>",
        NULL, NULL, OG_E_XML_INVALID, 28);
}

Test(clusterconfig, datanode1_without_datanum)
{
    variant("<PARAM name=\"dataNum\" value=\"1\"/>", "", NULL, NULL, OG_E_XML_INVALID, 17);
}

Test(clusterconfig, datanode1_without_port)
{
    variant("<PARAM name=\"dataPortBase\" value=\"15400\"/>", "", NULL, NULL, OG_E_XML_INVALID, 17);
}

Test(clusterconfig, too_many_params)
{
    char *base = slurp("good-3node.xml");
    char many[64 * 64] = "";
    char *t;

    for (int i = 0; i < 62; i++) {
        size_t n = strlen(many);
        snprintf(many + n, sizeof(many) - n, "<PARAM name=\"syncNode_%d\" value=\"x\"/>", i);
    }
    t = subst(base, "<PARAM name=\"backIp1\" value=\"192.168.122.13\"/>", many);
    expect_text_error(t, OG_E_TOO_LARGE, 39);
    free(base);
    free(t);
}

Test(clusterconfig, too_many_devices)
{
    char *base = slurp("good-3node.xml");
    size_t size = 64 * (CLUSTER_MAX_NODES + 2);
    char *many = calloc(1, size);
    char *t;

    for (int i = 0; i <= CLUSTER_MAX_NODES; i++) {
        size_t n = strlen(many);
        snprintf(many + n, size - n,
                 "<DEVICE sn=\"x%d\"><PARAM name=\"name\" value=\"x\"/></DEVICE>\n", i);
    }
    strcat(many, "  </DEVICELIST>"); /* NOLINT */
    t = subst(base, "  </DEVICELIST>", many);
    /* DEVICE number CLUSTER_MAX_NODES + 1 is the one added after the first
     * CLUSTER_MAX_NODES - 3, one a line from line 42 */
    expect_text_error(t, OG_E_TOO_LARGE, 42 + CLUSTER_MAX_NODES - 3);
    free(base);
    free(t);
    free(many);
}

/* ---- C checks: one bad value (GAUSS-50011) ------------------------------------------ */

Test(clusterconfig, bad_cluster_name)
{
    variant("value=\"dbCluster\"", "value=\"-rf\"", NULL, NULL, OG_E_PARAM_VALUE, 6);
}

Test(clusterconfig, bad_cluster_type)
{
    variant("value=\"single-inst\"", "value=\"single-inst-one-node\"", NULL, NULL, OG_E_PARAM_VALUE,
            14);
}

Test(clusterconfig, unsupported_mode)
{
    variant("<PARAM name=\"clusterType\" value=\"single-inst\"/>",
            "<PARAM name=\"enable_dss\" value=\"on\"/>", NULL, NULL, OG_E_PARAM_VALUE, 14);
}

Test(clusterconfig, illegal_path_character)
{
    variant("value=\"/opt/og/tmp\"", "value=\"/opt/og/t$mp\"", NULL, NULL, OG_E_PARAM_VALUE, 10);
}

Test(clusterconfig, path_too_long)
{
    char *base = slurp("good-3node.xml");
    char *longp = malloc(PATH_MAX + 32);
    char *t;

    strcpy(longp, "value=\"/"); /* NOLINT */
    memset(longp + 8, 'a', PATH_MAX);
    strcpy(longp + 8 + PATH_MAX, "\""); /* NOLINT */
    t = subst(base, "value=\"/opt/og/corefile\"", longp);
    expect_text_error(t, OG_E_PARAM_VALUE, 12);
    free(base);
    free(t);
    free(longp);
}

Test(clusterconfig, nodenames_empty_entry)
{
    variant("value=\"node1,node2,node3\"", "value=\"node1,,node2,node3\"", NULL, NULL,
            OG_E_PARAM_VALUE, 7);
}

Test(clusterconfig, nodenames_bad_name)
{
    variant("value=\"node1,node2,node3\"", "value=\"node1,node 2,node3\"", NULL, NULL,
            OG_E_PARAM_VALUE, 7);
}

Test(clusterconfig, nodenames_too_many)
{
    char *base = slurp("good-3node.xml");
    char list[8 * (CLUSTER_MAX_NODES + 2)] = "value=\"";
    char *t;

    for (int i = 0; i <= CLUSTER_MAX_NODES; i++) {
        size_t n = strlen(list);
        snprintf(list + n, sizeof(list) - n, "%sh%d", i ? "," : "", i);
    }
    strcat(list, "\""); /* NOLINT */
    t = subst(base, "value=\"node1,node2,node3\"", list);
    expect_text_error(t, OG_E_TOO_LARGE, 7);
    free(base);
    free(t);
}

Test(clusterconfig, list_with_too_many_entries)
{
    char *base = slurp("good-3node.xml");
    char list[12 * (2 * CLUSTER_MAX_NODES + 8)] = "value=\"";
    char *t;

    /* more than the longest list (a dir and a host per node, and one) */
    for (int i = 0; i < 2 * CLUSTER_MAX_NODES + 6; i++) {
        size_t n = strlen(list);
        snprintf(list + n, sizeof(list) - n, "%s1.1.1.%d", i ? "," : "", i);
    }
    strcat(list, "\""); /* NOLINT */
    t = subst(base, "value=\"192.168.122.11,192.168.122.12,192.168.122.13\"", list);
    expect_text_error(t, OG_E_PARAM_VALUE, 13);
    free(base);
    free(t);
}

Test(clusterconfig, device_bad_name)
{
    variant("value=\"node2\"/>", "value=\"node_2!\"/>", NULL, NULL, OG_E_PARAM_VALUE, 29);
}

Test(clusterconfig, bad_az_name)
{
    variant("value=\"AZ2\"", "value=\"\"", NULL, NULL, OG_E_PARAM_VALUE, 37);
}

Test(clusterconfig, bad_az_priority)
{
    variant("<PARAM name=\"azPriority\" value=\"2\"/>", "<PARAM name=\"azPriority\" value=\"11\"/>",
            NULL, NULL, OG_E_PARAM_VALUE, 38);
    variant("<PARAM name=\"azPriority\" value=\"2\"/>", "<PARAM name=\"azPriority\" value=\"x\"/>",
            NULL, NULL, OG_E_PARAM_VALUE, 38);
}

Test(clusterconfig, bad_back_ip)
{
    variant("<PARAM name=\"backIp1\" value=\"192.168.122.13\"/>",
            "<PARAM name=\"backIp1\" value=\"192.168.122.013\"/>", NULL, NULL, OG_E_PARAM_VALUE,
            39);
}

Test(clusterconfig, bad_ssh_ip)
{
    variant("<PARAM name=\"sshIp1\" value=\"192.168.122.13\"/>",
            "<PARAM name=\"sshIp1\" value=\"fe80::1\"/>", NULL, NULL, OG_E_PARAM_VALUE, 40);
}

Test(clusterconfig, bad_cascade_role)
{
    variant("<PARAM name=\"sshIp1\" value=\"192.168.122.13\"/>",
            "<PARAM name=\"sshIp1\" value=\"192.168.122.13\"/><PARAM name=\"cascadeRole\" "
            "value=\"yes\"/>",
            NULL, NULL, OG_E_PARAM_VALUE, 40);
}

Test(clusterconfig, bad_back_ip1s_entry)
{
    variant("192.168.122.11,192.168.122.12,192.168.122.13", "192.168.122.11,192.168.122.12,host3",
            NULL, NULL, OG_E_PARAM_VALUE, 13);
}

Test(clusterconfig, bad_datanum)
{
    variant("<PARAM name=\"dataNum\" value=\"1\"/>", "<PARAM name=\"dataNum\" value=\"2\"/>", NULL,
            NULL, OG_E_PARAM_VALUE, 23);
    variant("<PARAM name=\"dataNum\" value=\"1\"/>", "<PARAM name=\"dataNum\" value=\"0\"/>", NULL,
            NULL, OG_E_PARAM_VALUE, 23);
}

Test(clusterconfig, port_too_low)
{
    variant("value=\"15400\"", "value=\"1023\"", NULL, NULL, OG_E_PARAM_VALUE, 24);
    variant("value=\"15400\"", "value=\"65535\"", NULL, NULL, OG_E_PARAM_VALUE, 24);
    variant("value=\"15400\"", "value=\"15400x\"", NULL, NULL, OG_E_PARAM_VALUE, 24);
}

Test(clusterconfig, datanode1_even_entries)
{
    variant(",node3,/opt/og/data/dn1\"", ",node3\"", NULL, NULL, OG_E_PARAM_VALUE, 25);
}

Test(clusterconfig, datanode1_too_many_standbys)
{
    char *base = slurp("good-3node.xml");
    char list[64 * 16] = "value=\"/d";
    char *t;

    for (int i = 0; i < 9; i++) {
        size_t n = strlen(list);
        snprintf(list + n, sizeof(list) - n, ",s%d,/d", i);
    }
    strcat(list, "\""); /* NOLINT */
    t = subst(base, "value=\"/opt/og/data/dn1,node2,/opt/og/data/dn1,node3,/opt/og/data/dn1\"",
              list);
    expect_text_error(t, OG_E_PARAM_VALUE, 25);
    free(base);
    free(t);
}

Test(clusterconfig, datanode1_relative_dir)
{
    variant(",node3,/opt/og/data/dn1\"", ",node3,data/dn1\"", NULL, NULL, OG_E_PARAM_VALUE, 25);
    variant("value=\"/opt/og/data/dn1,", "value=\"dn1,", NULL, NULL, OG_E_PARAM_VALUE, 25);
}

Test(clusterconfig, bad_sync_num)
{
    /* 3 datanodes: 0..2 */
    variant("name=\"dataNode1_syncNum\" value=\"1\"", "name=\"dataNode1_syncNum\" value=\"3\"",
            NULL, NULL, OG_E_PARAM_VALUE, 26);
}

Test(clusterconfig, listen_ips)
{
    char *base = slurp("good-3node.xml");
    char *t = subst(base, "<PARAM name=\"dataNode1_syncNum\" value=\"1\"/>",
                    "<PARAM name=\"dataListenIp1\" value=\"10.1.0.1,10.1.0.2,10.1.0.3\"/>");
    struct cluster_config *c = new_config();

    expect_text_ok(t, c);
    cr_assert_str_eq(c->nodes[2].listen_ip, "10.1.0.3");
    cr_assert_str_eq(c->nodes[2].ha_ip, "192.168.122.13");
    free(base);
    free(t);
    free(c);
    variant("<PARAM name=\"dataNode1_syncNum\" value=\"1\"/>",
            "<PARAM name=\"dataListenIp1\" value=\"10.1.0.1,10.1.0.2\"/>", NULL, NULL,
            OG_E_PARAM_VALUE, 26);
    variant("<PARAM name=\"dataNode1_syncNum\" value=\"1\"/>",
            "<PARAM name=\"dataHaIp1\" value=\"10.1.0.1,10.1.0.2,10.1.0.256\"/>", NULL, NULL,
            OG_E_PARAM_VALUE, 26);
    variant("<PARAM name=\"dataNode1_syncNum\" value=\"1\"/>",
            "<PARAM name=\"dataHaIp1\" value=\"10.1.0.1,,10.1.0.3\"/>", NULL, NULL,
            OG_E_PARAM_VALUE, 26);
}

Test(clusterconfig, xlog_paths)
{
    char *base = slurp("good-3node.xml");
    char *t = subst(base, "<PARAM name=\"dataNode1_syncNum\" value=\"1\"/>",
                    "<PARAM name=\"dataNodeXlogPath1\" value=\"/x/1,/x/2,/x/3\"/>");
    struct cluster_config *c = new_config();

    expect_text_ok(t, c); /* accepted, not modelled */
    free(base);
    free(t);
    free(c);
    variant("<PARAM name=\"dataNode1_syncNum\" value=\"1\"/>",
            "<PARAM name=\"dataNodeXlogPath1\" value=\"/x/1,/x/2\"/>", NULL, NULL, OG_E_PARAM_VALUE,
            26);
    variant("<PARAM name=\"dataNode1_syncNum\" value=\"1\"/>",
            "<PARAM name=\"dataNodeXlogPath1\" value=\"/x/1,x/2,/x/3\"/>", NULL, NULL,
            OG_E_PARAM_VALUE, 26);
    variant("<PARAM name=\"dataNode1_syncNum\" value=\"1\"/>",
            "<PARAM name=\"dataNodeXlogPath1\" value=\"/x/1, ,/x/3\"/>", NULL, NULL,
            OG_E_PARAM_VALUE, 26);
}

/* ---- C checks: values that disagree (GAUSS-50004) and unknown hosts (GAUSS-51619) --- */

Test(clusterconfig, nodenames_duplicate)
{
    variant("value=\"node1,node2,node3\"", "value=\"node1,node2,node2\"", NULL, NULL,
            OG_E_PARAM_INVALID, 7);
}

Test(clusterconfig, nodenames_count_differs)
{
    variant("value=\"node1,node2,node3\"", "value=\"node1,node2\"", NULL, NULL, OG_E_PARAM_INVALID,
            7);
}

Test(clusterconfig, duplicate_device_name)
{
    variant("<PARAM name=\"name\" value=\"node3\"/>", "<PARAM name=\"name\" value=\"node2\"/>",
            NULL, NULL, OG_E_PARAM_INVALID, 36);
}

Test(clusterconfig, duplicate_ssh_ip)
{
    variant("<PARAM name=\"sshIp1\" value=\"192.168.122.13\"/>",
            "<PARAM name=\"sshIp1\" value=\"192.168.122.11\"/>", NULL, NULL, OG_E_PARAM_INVALID,
            40);
    /* without sshIp1 the DEVICE line is named */
    variant("<PARAM name=\"sshIp1\" value=\"192.168.122.13\"/>", "",
            "<PARAM name=\"sshIp1\" value=\"192.168.122.12\"/>",
            "<PARAM name=\"sshIp1\" value=\"192.168.122.13\"/>", OG_E_PARAM_INVALID, 35);
}

Test(clusterconfig, back_ip1s_count_differs)
{
    variant("value=\"192.168.122.11,192.168.122.12,192.168.122.13\"",
            "value=\"192.168.122.11,192.168.122.12\"", NULL, NULL, OG_E_PARAM_INVALID, 13);
}

Test(clusterconfig, back_ip1s_lacks_a_node)
{
    variant("value=\"192.168.122.11,192.168.122.12,192.168.122.13\"",
            "value=\"192.168.122.11,192.168.122.12,192.168.122.14\"", NULL, NULL,
            OG_E_PARAM_INVALID, 13);
}

Test(clusterconfig, data_param_on_a_standby_device)
{
    variant("<PARAM name=\"sshIp1\" value=\"192.168.122.12\"/>",
            "<PARAM name=\"sshIp1\" value=\"192.168.122.12\"/><PARAM name=\"dataPortBase\" "
            "value=\"1\"/>",
            NULL, NULL, OG_E_PARAM_INVALID, 33);
}

Test(clusterconfig, two_primaries)
{
    variant("<PARAM name=\"sshIp1\" value=\"192.168.122.12\"/>",
            "<PARAM name=\"sshIp1\" value=\"192.168.122.12\"/><PARAM name=\"dataNum\" value=\"1\"/>"
            "<PARAM name=\"dataNode1\" value=\"/d\"/>",
            NULL, NULL, OG_E_PARAM_INVALID, 33);
}

Test(clusterconfig, no_primary)
{
    variant("<PARAM name=\"dataNode1\"", "<PARAM name=\"dataNodeX\"", NULL, NULL, OG_E_XML_INVALID,
            25); /* the schema refuses the unknown name first */
    variant("<PARAM name=\"dataNum\" value=\"1\"/>\n"
            "      <PARAM name=\"dataPortBase\" value=\"15400\"/>\n"
            "      <PARAM name=\"dataNode1\" "
            "value=\"/opt/og/data/dn1,node2,/opt/og/data/dn1,node3,/opt/og/data/dn1\"/>\n"
            "      <PARAM name=\"dataNode1_syncNum\" value=\"1\"/>",
            "", NULL, NULL, OG_E_PARAM_INVALID, 7);
}

Test(clusterconfig, cascade_primary)
{
    variant("<PARAM name=\"dataNum\" value=\"1\"/>",
            "<PARAM name=\"dataNum\" value=\"1\"/><PARAM name=\"cascadeRole\" value=\"on\"/>", NULL,
            NULL, OG_E_PARAM_INVALID, 23);
}

Test(clusterconfig, standby_listed_twice)
{
    variant("node3,/opt/og/data/dn1\"", "node2,/opt/og/data/dn2\"", NULL, NULL, OG_E_PARAM_INVALID,
            25);
    variant("node3,/opt/og/data/dn1\"", "node1,/opt/og/data/dn2\"", NULL, NULL, OG_E_PARAM_INVALID,
            25);
}

Test(clusterconfig, node_without_datanode)
{
    variant(",node3,/opt/og/data/dn1\"", "\"", NULL, NULL, OG_E_PARAM_INVALID, 35);
}

/* ---- format --------------------------------------------------------------------------- */

static void round_trip(const char *name)
{
    struct cluster_config *a = load_ok(name), *b = new_config();
    _cleanup_dynbuf_ struct dynbuf out = {0};
    struct og_error err = {0};

    dynbuf_init(&out, CLUSTERCONFIG_MAX_BYTES);
    cr_assert_eq(clusterconfig_format(a, &out), 0);
    cr_assert_eq(clusterconfig_parse_memory(out.buf, out.len, "formatted.xml", b, &err), 0,
                 "%s: %s\n%s", name, err.detail, out.buf);
    assert_config_eq(a, b);
    free(a);
    free(b);
}

Test(clusterconfig, format_round_trip_1node)
{
    round_trip("good-1node.xml");
}

Test(clusterconfig, format_round_trip_3node)
{
    round_trip("good-3node.xml");
}

Test(clusterconfig, format_round_trip_5node)
{
    round_trip("good-5node.xml");
}

/* What the simulator does: fill the struct by hand, format, parse. */
Test(clusterconfig, format_hand_built)
{
    struct cluster_config *c = new_config(), *b = new_config();
    _cleanup_dynbuf_ struct dynbuf out = {0};
    struct og_error err = {0};

    dynbuf_init(&out, CLUSTERCONFIG_MAX_BYTES);
    snprintf(c->name, sizeof(c->name), "sim");
    snprintf(c->app_path, sizeof(c->app_path), "/opt/sim/app");
    snprintf(c->log_path, sizeof(c->log_path), "/opt/sim/log");
    snprintf(c->tmp_path, sizeof(c->tmp_path), "/opt/sim/tmp");
    snprintf(c->tool_path, sizeof(c->tool_path), "/opt/sim/tool");
    snprintf(c->core_path, sizeof(c->core_path), "/opt/sim/core&<\">");
    c->sync_num = -1;
    c->n_nodes = 2;
    for (size_t i = 0; i < 2; i++) {
        struct cluster_node *n = &c->nodes[i];
        snprintf(n->name, sizeof(n->name), "sim%zu", i + 1);
        snprintf(n->back_ip, sizeof(n->back_ip), "10.9.0.%zu", i + 1);
        snprintf(n->ssh_ip, sizeof(n->ssh_ip), "10.9.0.%zu", i + 1);
        snprintf(n->listen_ip, sizeof(n->listen_ip), "10.9.0.%zu", i + 1);
        snprintf(n->ha_ip, sizeof(n->ha_ip), "10.9.0.%zu", i + 1);
        snprintf(n->az_name, sizeof(n->az_name), "AZ1");
        snprintf(n->datadir, sizeof(n->datadir), "/opt/sim/data");
        n->az_priority = 1;
        n->port = 15400;
        n->primary = i == 1;
    }
    cr_assert_eq(clusterconfig_format(c, &out), 0);
    cr_assert_not_null(strstr(out.buf, "/opt/sim/core&amp;&lt;&quot;&gt;"), "%s", out.buf);
    /* the escaped path is read back, then refused for its characters */
    cr_assert_eq(clusterconfig_parse_memory(out.buf, out.len, "sim.xml", b, &err),
                 -OG_E_PARAM_VALUE, "%s", err.detail);
    snprintf(c->core_path, sizeof(c->core_path), "/opt/sim/core");
    dynbuf_reset(&out);
    cr_assert_eq(clusterconfig_format(c, &out), 0);
    cr_assert_eq(clusterconfig_parse_memory(out.buf, out.len, "sim.xml", b, &err), 0, "%s\n%s",
                 err.detail, out.buf);
    cr_assert_eq(b->nodes[1].instance_id, 6001);
    cr_assert_eq(b->nodes[0].instance_id, 6002);
    cr_assert(b->nodes[1].primary);
    cr_assert_eq(b->port, 15400);
    free(c);
    free(b);
}

Test(clusterconfig, format_refuses_bad_structs)
{
    struct cluster_config *c = load_ok("good-3node.xml");
    _cleanup_dynbuf_ struct dynbuf out = {0};

    dynbuf_init(&out, CLUSTERCONFIG_MAX_BYTES);
    cr_assert_eq(clusterconfig_format(NULL, &out), -OG_E_INVALID_ARG);
    cr_assert_eq(clusterconfig_format(c, NULL), -OG_E_INVALID_ARG);
    c->nodes[1].primary = true;
    cr_assert_eq(clusterconfig_format(c, &out), -OG_E_INVALID_ARG);
    c->nodes[1].primary = false;
    c->nodes[0].primary = false;
    cr_assert_eq(clusterconfig_format(c, &out), -OG_E_INVALID_ARG);
    c->nodes[0].primary = true;
    c->nodes[2].datadir[3] = '\n';
    cr_assert_eq(clusterconfig_format(c, &out), -OG_E_INVALID_ARG);
    c->nodes[2].datadir[3] = 'x';
    c->tmp_path[2] = '\t';
    cr_assert_eq(clusterconfig_format(c, &out), -OG_E_INVALID_ARG);
    c->tmp_path[2] = 'x';
    c->n_nodes = 0;
    cr_assert_eq(clusterconfig_format(c, &out), -OG_E_INVALID_ARG);
    c->n_nodes = CLUSTER_MAX_NODES + 1;
    cr_assert_eq(clusterconfig_format(c, &out), -OG_E_INVALID_ARG);
    c->n_nodes = 3;
    cr_assert_eq(clusterconfig_format(c, &out), 0);
    free(c);
}

Test(clusterconfig, format_over_the_buffer_limit)
{
    struct cluster_config *c = load_ok("good-5node.xml");
    struct dynbuf out;
    size_t full;

    dynbuf_init(&out, CLUSTERCONFIG_MAX_BYTES);
    cr_assert_eq(clusterconfig_format(c, &out), 0);
    full = out.len;
    dynbuf_done(&out);
    /* every size short of the whole document fails cleanly, none truncates */
    for (size_t max = 0; max < full; max += 7) {
        dynbuf_init(&out, max);
        cr_assert_eq(clusterconfig_format(c, &out), -OG_E_TOO_LARGE, "max %zu", max);
        dynbuf_done(&out);
    }
    dynbuf_init(&out, full);
    cr_assert_eq(clusterconfig_format(c, &out), 0);
    dynbuf_done(&out);
    free(c);
}
