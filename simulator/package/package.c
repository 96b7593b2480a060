/* SPDX-License-Identifier: MulanPSL-2.0 */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "tarball.h"
#include "catalogsql.h"
#include "cleanup.h"
#include "dynbuf.h"
#include "fs.h"
#include "package.h"
#include "pkgsig.h"
#include "pkgsum.h"
#include "simversion.h"
#include "tartree.h"
#include "versioncfg.h"
#include "banned.h"

#ifndef OGSIM_DEFAULT_KERNEL
#define OGSIM_DEFAULT_KERNEL "ogkernel"
#endif
#ifndef OGSIM_DEFAULT_OM
#define OGSIM_DEFAULT_OM "ogom"
#endif
#ifndef OGSIM_DEFAULT_OM_MAN
#define OGSIM_DEFAULT_OM_MAN "upgrader/man"
#endif
#ifndef OGSIM_DEFAULT_OM_COLLECTOR_JSON
#define OGSIM_DEFAULT_OM_COLLECTOR_JSON "upgrader/conf/gs_collector.json"
#endif

/* The OM tools binary: $OGSIM_OM, else the build tree's upgrader/tools/ogom. */
static const char *om_path(void)
{
    const char *e = getenv("OGSIM_OM");

    return e && *e ? e : OGSIM_DEFAULT_OM;
}

/* The OM tools' man pages: $OGSIM_OM_MAN, else the source tree's upgrader/man. */
static const char *om_man_dir(void)
{
    const char *e = getenv("OGSIM_OM_MAN");

    return e && *e ? e : OGSIM_DEFAULT_OM_MAN;
}

/* gs_collector's default configuration: $OGSIM_OM_COLLECTOR_JSON, else the
 * source tree's upgrader/conf/gs_collector.json. */
static const char *om_collector_json(void)
{
    const char *e = getenv("OGSIM_OM_COLLECTOR_JSON");

    return e && *e ? e : OGSIM_DEFAULT_OM_COLLECTOR_JSON;
}

/* The symlinks next to bin/gaussdb (the kernel is one multi-call program). */
static const char *const kernel_links[] = {"gs_ctl",    "gsql",    "gs_guc",
                                           "gs_initdb", "gs_dump", "gs_dumpall"};

/* Links to the node's PostgreSQL 15 (see simulator/kernel/kenv.h). */
static const struct {
    const char *name, *target;
} pg_links[] = {
    {"lib/postgresql/gaussdb", "/usr/lib/postgresql/15/bin/postgres"},
    {"lib/postgresql/gsql", "/usr/lib/postgresql/15/bin/psql"},
    /* openGauss ships it; its upgrade reads the checkpoint's REDO WAL file */
    {"bin/pg_controldata", "/usr/lib/postgresql/15/bin/pg_controldata"},
};

#define SQL_FILE_MAX (1u << 20)

DEFINE_TRIVIAL_CLEANUP_FUNC(json_object *, json_object_put)

/* --- names ------------------------------------------------------------------ */

void package_file_name(const struct sim_version *v, enum package_file f, char *buf, size_t size)
{
    switch (f) {
    case PACKAGE_BUNDLE:
        snprintf(buf, size, "openGauss-%s-%s-64bit-all.tar.gz", v->version, SIM_PACKAGE_OS);
        return;
    case PACKAGE_KERNEL:
        snprintf(buf, size, "openGauss-%s-%s-64bit.tar.bz2", v->version, SIM_PACKAGE_OS);
        return;
    case PACKAGE_OM:
        snprintf(buf, size, "openGauss-%s-%s-64bit-om.tar.gz", v->version, SIM_PACKAGE_OS);
        return;
    case PACKAGE_OM_SUM:
        snprintf(buf, size, "openGauss-%s-%s-64bit-om.sha256", v->version, SIM_PACKAGE_OS);
        return;
    case PACKAGE_KERNEL_SUM:
        snprintf(buf, size, "openGauss-%s-%s-64bit.sha256", v->version, SIM_PACKAGE_OS);
        return;
    case PACKAGE_UPGRADE_SQL:
        snprintf(buf, size, "upgrade_sql.tar.gz");
        return;
    case PACKAGE_UPGRADE_SQL_SUM:
        snprintf(buf, size, "upgrade_sql.sha256");
        return;
    }
    snprintf(buf, size, "unknown");
}

const char *package_kernel_path(const char *explicit_path)
{
    const char *env;

    if (explicit_path && *explicit_path)
        return explicit_path;
    env = getenv(PACKAGE_KERNEL_ENV);
    if (env && *env)
        return env;
    return OGSIM_DEFAULT_KERNEL;
}

int package_known_versions(struct dynbuf *out)
{
    int r = 0;

    for (size_t i = 0; i < sim_version_count() && r == 0; i++)
        r = dynbuf_appendf(out, "%s%s", i ? ", " : "", sim_version_at(i)->version);
    return r;
}

int package_build_time(const struct sim_version *v, long long *ret)
{
    struct tm tm = {0};
    const char *end = strptime(v->build_time, "%Y-%m-%d %H:%M:%S", &tm);
    time_t t;

    if (!end || *end)
        return -OG_E_INVALID_ARG;
    t = timegm(&tm);
    if (t == (time_t)-1)
        return -OG_E_INVALID_ARG;
    *ret = (long long)t;
    return 0;
}

static int version_lookup(const char *version, const struct sim_version **ret, struct og_error *err)
{
    _cleanup_dynbuf_ struct dynbuf known = {0};
    const struct sim_version *v = sim_version_find(version);

    dynbuf_init(&known, 4096);
    if (!v) {
        package_known_versions(&known);
        return og_error_set(err, OG_E_PARAM_INVALID,
                            "The parameter '--version' value is incorrect: \"%s\" is not a "
                            "simulated version (known: %s)",
                            version ? version : "", dynbuf_str(&known));
    }
    *ret = v;
    return 0;
}

static char *path_join(const char *dir, const char *name)
{
    char *p = NULL;

    return asprintf(&p, "%s/%s", dir, name) < 0 ? NULL : p;
}

/* --- the package members ------------------------------------------------------ */

struct build_ctx {
    const struct sim_version *v;
    const char *kernel;
    const char *om; /* the OM tools binary (upgrader/tools: gs_om, gs_ssh) */
    time_t mtime;
};

static int nomem(struct og_error *err, const char *what)
{
    return og_error_set(err, OG_E_NOMEM, "building %s", what);
}

static int build_kernel(const struct build_ctx *ctx, const char *path, struct og_error *err)
{
    _cleanup_tar_tree_ struct tar_tree t = {0};
    _cleanup_dynbuf_ struct dynbuf cfg = {0}, readme = {0};
    struct version_cfg vc = {0};
    char number[16];

    dynbuf_init(&cfg, 4096);
    dynbuf_init(&readme, 4096);
    version_number_format(ctx->v->number, number, sizeof(number));
    snprintf(vc.product, sizeof(vc.product), "openGauss-%s", ctx->v->version);
    snprintf(vc.number_str, sizeof(vc.number_str), "%s", number);
    snprintf(vc.commit, sizeof(vc.commit), "%s", ctx->v->commit);
    if (version_cfg_format(&vc, &cfg) < 0 ||
        dynbuf_appendf(&readme,
                       "openGauss-%s (kernel %s, commit %s, built %s UTC)\n"
                       "\n"
                       "This is the ogup simulated kernel, packaged by `ogsim package build`.\n"
                       "bin/gaussdb is the ogup node kernel: one multi-call program (gaussdb,\n"
                       "gs_ctl, gsql, gs_guc, gs_initdb) that honours the openGauss %s contract\n"
                       "over PostgreSQL 15. It is not an openGauss binary.\n",
                       ctx->v->version, number, ctx->v->commit, ctx->v->build_time,
                       ctx->v->version) < 0)
        return nomem(err, "version.cfg");

    (void)tar_tree_add(&t, ENTRY_DIR, "bin", 0755, NULL, 0);
    (void)tar_tree_add(&t, ENTRY_DISK, "bin/gaussdb", 0755, ctx->kernel, 0);
    for (size_t i = 0; i < ELEMENTSOF(kernel_links); i++) {
        char link[64];
        snprintf(link, sizeof(link), "bin/%s", kernel_links[i]);
        (void)tar_tree_add(&t, ENTRY_SYMLINK, link, 0777, "gaussdb", 0);
    }
    (void)tar_tree_add_dirs(&t, (const char *const[]){"lib", "lib/postgresql", NULL});
    /* The kernel runs PostgreSQL's programs through these links, so the
     * server's process is named gaussdb and the client's messages say gsql. */
    for (size_t i = 0; i < ELEMENTSOF(pg_links); i++)
        (void)tar_tree_add(&t, ENTRY_SYMLINK, pg_links[i].name, 0777, pg_links[i].target, 0);
    /* where an installed cluster keeps what its upgrade carries to the new
     * app (openGauss's layout; the files come at install, ogsim up) */
    (void)tar_tree_add_dirs(&t, (const char *const[]){"lib/postgresql/pg_plugin", "etc", "share",
                                                      "share/postgresql", "share/sslcert",
                                                      "share/sslcert/om", NULL});
    (void)tar_tree_add(&t, ENTRY_MEM, PACKAGE_README_PATH, 0644, readme.buf, readme.len);
    (void)tar_tree_add(&t, ENTRY_MEM, "version.cfg", 0644, cfg.buf, cfg.len);
    return tar_tree_write(&t, TAR_BZIP2, ctx->mtime, path, "the kernel tarball", err);
}

/* The OM tools, as openGauss ships them: script/ under $GPHOME. One
 * multi-call binary; its name picks the tool. */
static const char *const om_links[] = {"gs_ssh", "gs_upgradectl", "gs_preinstall", "gs_checkos",
                                       "gs_collector"};

/* Their man pages, shipped as man/man1/<tool>.1 (MANPATH=$GPHOME/man). */
static const char *const om_man[] = {"gs_om",         "gs_ssh",       "gs_checkos",
                                     "gs_preinstall", "gs_collector", "gs_upgradectl"};

static int build_om(const struct build_ctx *ctx, const char *path, struct og_error *err)
{
    _cleanup_tar_tree_ struct tar_tree t = {0};

    (void)tar_tree_add(&t, ENTRY_DIR, "script", 0755, NULL, 0);
    (void)tar_tree_add(&t, ENTRY_DISK, "script/gs_om", 0755, ctx->om, 0);
    for (size_t i = 0; i < ELEMENTSOF(om_links); i++) {
        char link[64];
        snprintf(link, sizeof(link), "script/%s", om_links[i]);
        (void)tar_tree_add(&t, ENTRY_SYMLINK, link, 0777, "gs_om", 0);
    }
    /* gs_collector's default -C file, where openGauss-OM ships it
     * (script/gspylib/etc/conf/gs_collector.json; gs_collector:255-258) */
    (void)tar_tree_add_dirs(&t, (const char *const[]){"script/gspylib", "script/gspylib/etc",
                                                      "script/gspylib/etc/conf", NULL});
    (void)tar_tree_add(&t, ENTRY_DISK, "script/gspylib/etc/conf/gs_collector.json", 0644,
                       om_collector_json(), 0);
    (void)tar_tree_add_dirs(&t, (const char *const[]){"man", "man/man1", NULL});
    for (size_t i = 0; i < ELEMENTSOF(om_man); i++) {
        char src[PATH_MAX], dst[64];
        snprintf(src, sizeof(src), "%s/%s.1", om_man_dir(), om_man[i]);
        snprintf(dst, sizeof(dst), "man/man1/%s.1", om_man[i]);
        (void)tar_tree_add(&t, ENTRY_DISK, dst, 0644, src, 0);
    }
    return tar_tree_write(&t, TAR_GZIP, ctx->mtime, path, "the OM tarball", err);
}

static const enum catalog_mode all_modes[] = {
    CATALOG_UPGRADE,
    CATALOG_UPGRADE_POST,
    CATALOG_ROLLBACK,
    CATALOG_ROLLBACK_POST,
};
static const enum catalog_db all_dbs[] = {CATALOG_MAINDB, CATALOG_OTHERDB};

static int add_step_files(struct tar_tree *t, int number, struct og_error *err)
{
    _cleanup_dynbuf_ struct dynbuf sql = {0};
    char folder[64], name[128], path[256];
    int r;

    dynbuf_init(&sql, SQL_FILE_MAX);
    for (size_t m = 0; m < ELEMENTSOF(all_modes); m++)
        for (size_t d = 0; d < ELEMENTSOF(all_dbs); d++) {
            dynbuf_reset(&sql);
            r = catalog_sql_generate(all_modes[m], all_dbs[d], number, &sql);
            if (r < 0)
                return og_error_set(err, r, "cannot generate the catalog SQL of step %d", number);
            catalog_sql_folder(all_modes[m], all_dbs[d], folder, sizeof(folder));
            catalog_sql_filename(all_modes[m], all_dbs[d], number, name, sizeof(name));
            snprintf(path, sizeof(path), "upgrade_sql/%s/%s", folder, name);
            (void)tar_tree_add(t, ENTRY_MEM, path, 0644, sql.buf, sql.len);
        }
    return 0;
}

static int build_upgrade_sql(const struct build_ctx *ctx, const char *path, struct og_error *err)
{
    static const char *const dirs[] = {"upgrade_sql", "upgrade_sql/check_upgrade",
                                       "upgrade_sql/set_guc", NULL};
    static const char *const empty_files[] = {"upgrade_sql/set_guc/add_guc",
                                              "upgrade_sql/set_guc/delete_guc"};
    _cleanup_tar_tree_ struct tar_tree t = {0};
    char folder[64], dir[128];
    int r = 0;

    (void)tar_tree_add_dirs(&t, dirs);
    for (size_t i = 0; i < ELEMENTSOF(empty_files); i++)
        (void)tar_tree_add(&t, ENTRY_MEM, empty_files[i], 0644, "", 0);
    /* The four catalog folders: upgrade/rollback x maindb/otherdb. */
    for (size_t m = 0; m < ELEMENTSOF(all_modes); m += 2)
        for (size_t d = 0; d < ELEMENTSOF(all_dbs); d++) {
            catalog_sql_folder(all_modes[m], all_dbs[d], folder, sizeof(folder));
            snprintf(dir, sizeof(dir), "upgrade_sql/%s", folder);
            (void)tar_tree_add(&t, ENTRY_DIR, dir, 0755, NULL, 0);
        }
    for (size_t i = 0; i < catalog_step_count(); i++) {
        int number = catalog_step_at(i);
        if (number > ctx->v->number)
            break;
        r = add_step_files(&t, number, err);
        if (r < 0)
            return r;
    }
    return tar_tree_write(&t, TAR_GZIP, ctx->mtime, path, "upgrade_sql", err);
}

typedef int (*member_build_fn)(const struct build_ctx *ctx, const char *path, struct og_error *err);

/* The members of the -all bundle, each a tarball and its .sha256, built in
 * this order into the output directory and then bundled.
 *
 * THE place for the OM tools: add a row
 *     { PACKAGE_OM, PACKAGE_OM_SUM, build_om }
 * with PACKAGE_OM/PACKAGE_OM_SUM ("openGauss-V-Debian-64bit-om.tar.gz" /
 * "openGauss-V-Debian-64bit-om.sha256") in enum package_file and
 * package_file_name(); the bundle, verify and the tests follow the table. */
static const struct member {
    enum package_file file;
    enum package_file sum;
    member_build_fn build;
} members[] = {
    {PACKAGE_KERNEL, PACKAGE_KERNEL_SUM, build_kernel},
    {PACKAGE_OM, PACKAGE_OM_SUM, build_om},
    {PACKAGE_UPGRADE_SQL, PACKAGE_UPGRADE_SQL_SUM, build_upgrade_sql},
};

/* With OGSIM_PACKAGE_SIGN_KEY set (a private key, PEM), each member also
 * gets <member>.sig (pkgsig.h), beside it and in the bundle: signed test
 * packages for the nodes' package checks (PKGSIG_KEY_PATH). */
#define PACKAGE_SIGN_KEY_ENV "OGSIM_PACKAGE_SIGN_KEY"

static int sign_member(struct tar_tree *bundle, const char *file, const char *name,
                       struct og_error *err)
{
    const char *key = getenv(PACKAGE_SIGN_KEY_ENV);
    char sig[PATH_MAX], signame[300];
    int r;

    if (!key || !*key)
        return 0;
    if (snprintf(sig, sizeof(sig), "%s" PKGSIG_SUFFIX, file) >= (int)sizeof(sig) ||
        snprintf(signame, sizeof(signame), "%s" PKGSIG_SUFFIX, name) >= (int)sizeof(signame))
        return og_error_set(err, OG_E_TOO_LARGE, "the path \"%s\" is too long", file);
    r = pkgsig_sign(file, key, err);
    if (r == 0)
        (void)tar_tree_add(bundle, ENTRY_DISK, signame, 0644, sig, 0);
    return r;
}

static int check_kernel(const char *kernel, struct og_error *err)
{
    struct stat st;

    if (stat(kernel, &st) < 0)
        return og_error_set_errno(err, OG_E_NOT_EXIST, errno,
                                  "The kernel binary \"%s\" does not exist (give --kernel PATH "
                                  "or set " PACKAGE_KERNEL_ENV ")",
                                  kernel);
    if (!S_ISREG(st.st_mode) || access(kernel, X_OK) < 0)
        return og_error_set(err, OG_E_NOT_EXIST,
                            "The kernel binary \"%s\" does not exist as an executable file",
                            kernel);
    return 0;
}

/* Member i's file and .sha256 in dir (malloc'ed; -1: no memory) */
static int member_paths(const struct sim_version *v, size_t i, const char *dir, char **file,
                        char **sum)
{
    char name[256];

    package_file_name(v, members[i].file, name, sizeof(name));
    *file = path_join(dir, name);
    package_file_name(v, members[i].sum, name, sizeof(name));
    *sum = path_join(dir, name);
    return *file && *sum ? 0 : -1;
}

int package_build(const char *version, const char *out_dir, const char *kernel,
                  struct og_error *err)
{
    _cleanup_tar_tree_ struct tar_tree bundle = {0};
    const struct sim_version *v = NULL;
    struct build_ctx ctx;
    char name[256];
    long long mtime;
    int r;

    if (!out_dir || !*out_dir)
        return og_error_set(err, OG_E_PARAM_REQUIRED,
                            "Incorrect parameter. Parameter '--out' is required");
    r = version_lookup(version, &v, err);
    if (r < 0)
        return r;
    kernel = kernel ? kernel : package_kernel_path(NULL);
    r = check_kernel(kernel, err);
    if (r < 0)
        return r;
    if (package_build_time(v, &mtime) < 0)
        return og_error_set(err, OG_E_INVALID_ARG, "bad build time \"%s\" of version %s",
                            v->build_time, v->version);
    r = check_kernel(om_path(), err);
    if (r < 0)
        return r;
    ctx = (struct build_ctx){v, kernel, om_path(), (time_t)mtime};

    r = fs_mkdir_p(out_dir, 0755, err);
    if (r < 0)
        return r;

    for (size_t i = 0; i < ELEMENTSOF(members); i++) {
        _cleanup_free_ char *file = NULL, *sum = NULL;

        if (member_paths(v, i, out_dir, &file, &sum) < 0)
            return nomem(err, "file names");
        r = members[i].build(&ctx, file, err);
        if (r == 0)
            r = pkgsum_write(file, sum, err);
        if (r < 0) {
            og_error_prefix(err, "cannot build the openGauss-%s package", v->version);
            return r;
        }
        /* The bundle holds the members flat, as openGauss's `tar zcf` does. */
        package_file_name(v, members[i].file, name, sizeof(name));
        (void)tar_tree_add(&bundle, ENTRY_DISK, name, 0644, file, 0);
        r = sign_member(&bundle, file, name, err);
        if (r < 0)
            return r;
        package_file_name(v, members[i].sum, name, sizeof(name));
        (void)tar_tree_add(&bundle, ENTRY_DISK, name, 0644, sum, 0);
    }

    package_file_name(v, PACKAGE_BUNDLE, name, sizeof(name));
    {
        _cleanup_free_ char *path = path_join(out_dir, name);
        if (!path)
            return nomem(err, "file names");
        r = tar_tree_write(&bundle, TAR_GZIP, ctx.mtime, path, "the bundle", err);
    }
    if (r < 0)
        og_error_prefix(err, "cannot build the openGauss-%s package", v->version);
    return r;
}

int package_verify(const char *dir, const char *version, struct og_error *err)
{
    const struct sim_version *v = NULL;
    int r;

    r = version_lookup(version, &v, err);
    if (r < 0)
        return r;
    for (size_t i = 0; i < ELEMENTSOF(members); i++) {
        _cleanup_free_ char *file = NULL, *sum = NULL;

        if (member_paths(v, i, dir, &file, &sum) < 0)
            return nomem(err, "file names");
        r = pkgsum_verify(file, sum, err);
        if (r < 0)
            return r;
    }
    return 0;
}

/* --- list ----------------------------------------------------------------- */

static int list_json(struct dynbuf *out, struct og_error *err)
{
    _cleanup_(json_object_putp) json_object *arr = json_object_new_array();
    char number[16];

    if (!arr)
        return nomem(err, "the version list");
    for (size_t i = 0; i < sim_version_count(); i++) {
        const struct sim_version *v = sim_version_at(i);
        json_object *o = json_object_new_object();

        if (!o || json_object_array_add(arr, o) < 0) {
            json_object_put(o);
            return nomem(err, "the version list");
        }
        version_number_format(v->number, number, sizeof(number));
        if (json_object_object_add(o, "version", json_object_new_string(v->version)) < 0 ||
            json_object_object_add(o, "kernel_number", json_object_new_string(number)) < 0 ||
            json_object_object_add(o, "commit", json_object_new_string(v->commit)) < 0 ||
            json_object_object_add(o, "build_time", json_object_new_string(v->build_time)) < 0 ||
            json_object_object_add(o, "mot", json_object_new_boolean(v->mot)) < 0)
            return nomem(err, "the version list");
    }
    if (dynbuf_appends(out, json_object_to_json_string_ext(
                                arr, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
                                         JSON_C_TO_STRING_NOSLASHESCAPE)) < 0 ||
        dynbuf_appends(out, "\n") < 0)
        return nomem(err, "the version list");
    return 0;
}

int package_list(bool json, struct dynbuf *out, struct og_error *err)
{
    char number[16];

    if (json)
        return list_json(out, err);
    if (dynbuf_appendf(out, "%-8s  %-7s  %-8s  %-19s  %s\n", "VERSION", "KERNEL", "COMMIT",
                       "BUILD TIME", "MOT") < 0)
        return nomem(err, "the version list");
    for (size_t i = 0; i < sim_version_count(); i++) {
        const struct sim_version *v = sim_version_at(i);

        version_number_format(v->number, number, sizeof(number));
        if (dynbuf_appendf(out, "%-8s  %-7s  %-8s  %-19s  %s\n", v->version, number, v->commit,
                           v->build_time, v->mot ? "yes" : "no") < 0)
            return nomem(err, "the version list");
    }
    return 0;
}

/* --- install ------------------------------------------------------------------ */

int package_extract(const char *tarball, const char *dest, struct og_error *err)
{
    return tarball_extract(tarball, dest, err);
}

int package_install_kernel(const char *pkg_dir, const char *version, const char *app_dir,
                           struct og_error *err)
{
    const struct sim_version *v = sim_version_find(version);
    char name[256], tarball[PATH_MAX], cfg[PATH_MAX], upv[PATH_MAX];
    _cleanup_free_ char *text = NULL;
    size_t len = 0;
    int r;

    if (!v)
        return og_error_set(err, OG_E_PARAM_INVALID, "unknown version \"%s\"", version);
    r = package_verify(pkg_dir, version, err);
    if (r < 0)
        return r;
    package_file_name(v, PACKAGE_KERNEL, name, sizeof(name));
    snprintf(tarball, sizeof(tarball), "%s/%s", pkg_dir, name);
    r = fs_mkdir_p(app_dir, 0755, err);
    if (r == 0)
        r = package_extract(tarball, app_dir, err);
    if (r < 0)
        return r;
    /* As openGauss's install does: the old version's record for a later upgrade. */
    snprintf(cfg, sizeof(cfg), "%s/version.cfg", app_dir);
    snprintf(upv, sizeof(upv), "%s/bin/upgrade_version", app_dir);
    r = fs_read_file(cfg, 4096, &text, &len, err);
    if (r == 0)
        r = fs_replace_file(upv, text, len, 0644, err);
    return r;
}
