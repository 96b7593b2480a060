/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * The package builder (simulator/package) and `ogsim package`. The kernel
 * binary is /bin/true: these tests never need the real node kernel.
 */
#include <archive.h>
#include <archive_entry.h>
#include <criterion/criterion.h>
#include <dirent.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "catalogsql.h"
#include "command.h"
#include "fs.h"
#include "package.h"
#include "pkgsum.h"
#include "simversion.h"
#include "versioncfg.h"

#include "../helpers/tmpdir.h"

#define TEST_KERNEL "/bin/true"
#define FILE_MAX    (64u << 20)

static char tmp[64];

static void setup(void)
{
    cr_assert_eq(tmpdir_make("package", tmp, sizeof(tmp)), 0);
}

static void teardown(void)
{
    tmpdir_remove(tmp);
}

TestSuite(package, .init = setup, .fini = teardown, .timeout = 120);

/* --- helpers ---------------------------------------------------------------- */

static char *pathf(const char *dir, const char *name)
{
    char *p = NULL;

    cr_assert_geq(asprintf(&p, "%s/%s", dir, name), 0);
    return p;
}

static char *file_of(const char *dir, const struct sim_version *v, enum package_file f)
{
    char name[256];

    package_file_name(v, f, name, sizeof(name));
    return pathf(dir, name);
}

static char *slurp(const char *path, size_t *len)
{
    struct og_error err = {0};
    char *data = NULL;

    cr_assert_eq(fs_read_file(path, FILE_MAX, &data, len, &err), 0, "%s", err.detail);
    return data;
}

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void build(const char *version, const char *dir)
{
    struct og_error err = {0};

    cr_assert_eq(package_build(version, dir, TEST_KERNEL, &err), 0, "%s: %s", version, err.detail);
}

static int count_entries(const char *dir)
{
    _cleanup_(closedirp) DIR *d = opendir(dir);
    struct dirent *de;
    int n = 0;

    cr_assert_not_null(d);
    while ((de = readdir(d)))
        if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
            n++;
    return n;
}

static void flip_byte(const char *path, size_t at)
{
    _cleanup_close_ int fd = open(path, O_RDWR);
    unsigned char c;

    cr_assert_geq(fd, 0);
    cr_assert_eq(pread(fd, &c, 1, (off_t)at), 1);
    c ^= 0x01;
    cr_assert_eq(pwrite(fd, &c, 1, (off_t)at), 1);
}

/* One archive, read back with libarchive. */
struct listed {
    char *path;
    unsigned type; /* AE_IFREG, AE_IFDIR, AE_IFLNK */
    unsigned perm;
    char *symlink;
    char *data;
    size_t size;
    time_t mtime;
    long long uid, gid;
};

struct listing {
    struct listed v[512];
    size_t n;
};

static void listing_done(struct listing *l)
{
    for (size_t i = 0; i < l->n; i++) {
        free(l->v[i].path);
        free(l->v[i].symlink);
        free(l->v[i].data);
    }
    l->n = 0;
}

static void list_archive(const char *file, struct listing *l)
{
    struct archive *a = archive_read_new();
    struct archive_entry *e;
    int r;

    l->n = 0;
    archive_read_support_filter_all(a);
    archive_read_support_format_all(a);
    cr_assert_eq(archive_read_open_filename(a, file, 16384), ARCHIVE_OK, "%s: %s", file,
                 archive_error_string(a));
    while ((r = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
        struct listed *x = &l->v[l->n++];
        size_t size = (size_t)archive_entry_size(e);

        cr_assert_lt(l->n, ELEMENTSOF(l->v));
        x->path = strdup(archive_entry_pathname(e));
        x->type = archive_entry_filetype(e);
        x->perm = archive_entry_perm(e);
        x->symlink = archive_entry_symlink(e) ? strdup(archive_entry_symlink(e)) : NULL;
        x->mtime = archive_entry_mtime(e);
        x->uid = archive_entry_uid(e);
        x->gid = archive_entry_gid(e);
        x->size = size;
        x->data = malloc(size + 1);
        cr_assert_not_null(x->data);
        cr_assert_eq(archive_read_data(a, x->data, size), (la_ssize_t)size, "%s", x->path);
        x->data[size] = '\0';
    }
    cr_assert_eq(r, ARCHIVE_EOF, "%s: %s", file, archive_error_string(a));
    archive_read_free(a);
}

static const struct listed *find(const struct listing *l, const char *path)
{
    for (size_t i = 0; i < l->n; i++)
        if (strcmp(l->v[i].path, path) == 0)
            return &l->v[i];
    return NULL;
}

static void expect_dir(const struct listing *l, const char *path)
{
    const struct listed *x = find(l, path);

    cr_assert_not_null(x, "no directory %s", path);
    cr_assert_eq(x->type, AE_IFDIR, "%s", path);
    cr_assert_eq(x->perm, 0755, "%s mode %o", path, x->perm);
}

static const struct listed *expect_file(const struct listing *l, const char *path, unsigned perm)
{
    const struct listed *x = find(l, path);

    cr_assert_not_null(x, "no file %s", path);
    cr_assert_eq(x->type, AE_IFREG, "%s", path);
    cr_assert_eq(x->perm, perm, "%s mode %o", path, x->perm);
    return x;
}

/* --- builds ------------------------------------------------------------------ */

Test(package, every_version_builds_and_verifies)
{
    for (size_t i = 0; i < sim_version_count(); i++) {
        const struct sim_version *v = sim_version_at(i);
        _cleanup_free_ char *dir = pathf(tmp, v->version);
        struct og_error err = {0};
        struct listing bundle;
        double t0, dt;

        t0 = now_s();
        build(v->version, dir);
        dt = now_s() - t0;
        printf("package build openGauss-%s: %.3f s\n", v->version, dt);
        fflush(stdout);

        cr_assert_eq(package_verify(dir, v->version, &err), 0, "%s: %s", v->version, err.detail);
        cr_assert_eq(count_entries(dir), 7, "%s: bundle + 6 members, no temp files", v->version);

        /* The bundle holds the six members (kernel, OM tools, upgrade SQL and
         * their sums) flat, byte-identical to the unpacked copies next to it. */
        _cleanup_free_ char *bpath = file_of(dir, v, PACKAGE_BUNDLE);
        list_archive(bpath, &bundle);
        cr_assert_eq(bundle.n, 6, "%s: %zu bundle members", v->version, bundle.n);
        for (size_t k = 0; k < bundle.n; k++) {
            _cleanup_free_ char *p = pathf(dir, bundle.v[k].path);
            _cleanup_free_ char *data = NULL;
            size_t len = 0;

            cr_assert_null(strchr(bundle.v[k].path, '/'), "%s", bundle.v[k].path);
            cr_assert_eq(bundle.v[k].perm, 0644);
            data = slurp(p, &len);
            cr_assert_eq(len, bundle.v[k].size, "%s", p);
            cr_assert_eq(memcmp(data, bundle.v[k].data, len), 0, "%s", p);
        }
        listing_done(&bundle);
    }
}

Test(package, same_input_gives_identical_bytes)
{
    static const enum package_file files[] = {
        PACKAGE_BUNDLE, PACKAGE_KERNEL,      PACKAGE_KERNEL_SUM,     PACKAGE_OM,
        PACKAGE_OM_SUM, PACKAGE_UPGRADE_SQL, PACKAGE_UPGRADE_SQL_SUM};

    for (size_t i = 0; i < sim_version_count(); i++) {
        const struct sim_version *v = sim_version_at(i);
        _cleanup_free_ char *a = NULL, *b = NULL;
        char name[64];

        snprintf(name, sizeof(name), "a-%s", v->version);
        a = pathf(tmp, name);
        snprintf(name, sizeof(name), "b-%s", v->version);
        b = pathf(tmp, name);
        build(v->version, a);
        if (i == 0)
            usleep(1100 * 1000); /* a second apart: wall-clock time must not leak in */
        build(v->version, b);
        for (size_t k = 0; k < ELEMENTSOF(files); k++) {
            _cleanup_free_ char *fa = file_of(a, v, files[k]), *fb = file_of(b, v, files[k]);
            _cleanup_free_ char *da = NULL, *db = NULL;
            size_t la = 0, lb = 0;

            da = slurp(fa, &la);
            db = slurp(fb, &lb);
            cr_assert_eq(la, lb, "%s differs in size", fa);
            cr_assert_eq(memcmp(da, db, la), 0, "%s differs", fa);
        }
    }
}

Test(package, rebuild_in_place_is_identical)
{
    const struct sim_version *v = sim_version_find("3.0.0");
    _cleanup_free_ char *bundle = file_of(tmp, v, PACKAGE_BUNDLE);
    _cleanup_free_ char *first = NULL, *second = NULL;
    size_t l1 = 0, l2 = 0;

    build("3.0.0", tmp);
    first = slurp(bundle, &l1);
    build("openGauss-3.0.0", tmp);
    second = slurp(bundle, &l2);
    cr_assert_eq(l1, l2);
    cr_assert_eq(memcmp(first, second, l1), 0);
    cr_assert_eq(count_entries(tmp), 7);
}

Test(package, gzip_headers_carry_no_time_or_name)
{
    const struct sim_version *v = sim_version_find("2.1.0");
    static const enum package_file gz[] = {PACKAGE_BUNDLE, PACKAGE_UPGRADE_SQL};

    build(v->version, tmp);
    for (size_t k = 0; k < ELEMENTSOF(gz); k++) {
        _cleanup_free_ char *p = file_of(tmp, v, gz[k]);
        _cleanup_free_ char *d = NULL;
        size_t len = 0;

        d = slurp(p, &len);
        cr_assert_gt(len, 10);
        cr_assert_eq((unsigned char)d[0], 0x1f);
        cr_assert_eq((unsigned char)d[1], 0x8b);
        cr_assert_eq(d[3] & 0x08, 0, "%s: FNAME set", p);
        cr_assert_eq(d[4] | d[5] | d[6] | d[7], 0, "%s: MTIME set", p);
    }
}

/* --- content ----------------------------------------------------------------- */

static void check_kernel_tarball(const struct sim_version *v, const char *dir)
{
    _cleanup_free_ char *tarball = file_of(dir, v, PACKAGE_KERNEL);
    _cleanup_free_ char *kernel = NULL;
    static const char *const links[] = {"bin/gs_ctl",    "bin/gsql",    "bin/gs_guc",
                                        "bin/gs_initdb", "bin/gs_dump", "bin/gs_dumpall"};
    struct listing l;
    const struct listed *x;
    char cfg[128], number[16];
    long long mtime = 0;
    size_t klen = 0;

    list_archive(tarball, &l);
    cr_assert_eq(package_build_time(v, &mtime), 0);

    expect_dir(&l, "bin/");
    x = expect_file(&l, "bin/gaussdb", 0755);
    kernel = slurp(TEST_KERNEL, &klen);
    cr_assert_eq(x->size, klen);
    cr_assert_eq(memcmp(x->data, kernel, klen), 0, "bin/gaussdb is the kernel binary");
    for (size_t i = 0; i < ELEMENTSOF(links); i++) {
        x = find(&l, links[i]);
        cr_assert_not_null(x, "no %s", links[i]);
        cr_assert_eq(x->type, AE_IFLNK, "%s", links[i]);
        cr_assert_str_eq(x->symlink, "gaussdb");
    }
    version_number_format(v->number, number, sizeof(number));
    snprintf(cfg, sizeof(cfg), "openGauss-%s\n%s\n%s\n", v->version, number, v->commit);
    x = expect_file(&l, "version.cfg", 0644);
    cr_assert_str_eq(x->data, cfg);
    expect_dir(&l, "lib/");
    expect_dir(&l, "lib/postgresql/");
    x = find(&l, "lib/postgresql/gaussdb");
    cr_assert(x && x->type == AE_IFLNK &&
              strcmp(x->symlink, "/usr/lib/postgresql/15/bin/postgres") == 0);
    x = find(&l, "lib/postgresql/gsql");
    cr_assert(x && x->type == AE_IFLNK &&
              strcmp(x->symlink, "/usr/lib/postgresql/15/bin/psql") == 0);
    x = find(&l, "bin/pg_controldata");
    cr_assert(x && x->type == AE_IFLNK &&
              strcmp(x->symlink, "/usr/lib/postgresql/15/bin/pg_controldata") == 0);
    /* where an installed cluster keeps what its upgrade carries */
    expect_dir(&l, "lib/postgresql/pg_plugin/");
    expect_dir(&l, "etc/");
    expect_dir(&l, "share/");
    expect_dir(&l, "share/postgresql/");
    expect_dir(&l, "share/sslcert/");
    expect_dir(&l, "share/sslcert/om/");
    x = expect_file(&l, PACKAGE_README_PATH, 0644);
    cr_assert_not_null(strstr(x->data, "simulated"));
    cr_assert_null(find(&l, "bin/upgrade_version"), "upgrade_version is made at install");
    cr_assert_eq(l.n, 21, "%zu entries", l.n);

    for (size_t i = 0; i < l.n; i++) {
        cr_assert_eq(l.v[i].mtime, (time_t)mtime, "%s mtime", l.v[i].path);
        cr_assert_eq(l.v[i].uid, 0);
        cr_assert_eq(l.v[i].gid, 0);
        if (i)
            cr_assert_lt(strcmp(l.v[i - 1].path, l.v[i].path), 0, "entries sorted");
    }
    listing_done(&l);
}

static const enum catalog_mode modes[] = {CATALOG_UPGRADE, CATALOG_UPGRADE_POST, CATALOG_ROLLBACK,
                                          CATALOG_ROLLBACK_POST};
static const enum catalog_db dbs[] = {CATALOG_MAINDB, CATALOG_OTHERDB};

static void check_upgrade_sql(const struct sim_version *v, const char *dir)
{
    _cleanup_free_ char *tarball = file_of(dir, v, PACKAGE_UPGRADE_SQL);
    struct listing l;
    size_t sql_files = 0, expected = 0;

    list_archive(tarball, &l);
    expect_dir(&l, "upgrade_sql/");
    expect_dir(&l, "upgrade_sql/upgrade_catalog_maindb/");
    expect_dir(&l, "upgrade_sql/upgrade_catalog_otherdb/");
    expect_dir(&l, "upgrade_sql/rollback_catalog_maindb/");
    expect_dir(&l, "upgrade_sql/rollback_catalog_otherdb/");
    expect_dir(&l, "upgrade_sql/check_upgrade/");
    expect_dir(&l, "upgrade_sql/set_guc/");
    cr_assert_eq(expect_file(&l, "upgrade_sql/set_guc/add_guc", 0644)->size, 0);
    cr_assert_eq(expect_file(&l, "upgrade_sql/set_guc/delete_guc", 0644)->size, 0);

    for (size_t s = 0; s < catalog_step_count(); s++) {
        int number = catalog_step_at(s);

        for (size_t m = 0; m < ELEMENTSOF(modes); m++)
            for (size_t d = 0; d < ELEMENTSOF(dbs); d++) {
                char folder[64], name[128], path[256];
                _cleanup_dynbuf_ struct dynbuf sql = {0};
                const struct listed *x;

                dynbuf_init(&sql, 1 << 20);
                catalog_sql_folder(modes[m], dbs[d], folder, sizeof(folder));
                catalog_sql_filename(modes[m], dbs[d], number, name, sizeof(name));
                snprintf(path, sizeof(path), "upgrade_sql/%s/%s", folder, name);
                x = find(&l, path);
                if (number > v->number) {
                    cr_assert_null(x, "%s: %s is above the kernel number", v->version, path);
                    continue;
                }
                expected++;
                cr_assert_not_null(x, "%s: no %s", v->version, path);
                cr_assert_eq(x->perm, 0644);
                cr_assert_eq(catalog_sql_generate(modes[m], dbs[d], number, &sql), 0);
                cr_assert_str_eq(x->data, dynbuf_str(&sql), "%s", path);
            }
    }
    for (size_t i = 0; i < l.n; i++)
        if (strstr(l.v[i].path, ".sql"))
            sql_files++;
    cr_assert_eq(sql_files, expected, "%s: %zu .sql files, %zu expected", v->version, sql_files,
                 expected);
    listing_done(&l);
}

/* The numbers ("92_298") of the step files in a version's upgrade_sql. */
static void step_numbers(const char *version, char *buf, size_t size)
{
    const struct sim_version *v = sim_version_find(version);
    _cleanup_free_ char *dir = pathf(tmp, version);
    _cleanup_free_ char *tarball = NULL;
    struct listing l;
    size_t used = 0;

    build(version, dir);
    tarball = file_of(dir, v, PACKAGE_UPGRADE_SQL);
    list_archive(tarball, &l);
    buf[0] = '\0';
    for (size_t i = 0; i < l.n; i++) {
        const char *p = strstr(l.v[i].path, "/upgrade_catalog_maindb_");
        if (!p)
            continue;
        p += strlen("/upgrade_catalog_maindb_");
        used += (size_t)snprintf(buf + used, size - used, "%s%.6s", used ? " " : "", p);
    }
    listing_done(&l);
}

/* The OM tools tarball: script/gs_om (the OM binary), the other tools as
 * links to it, and their man pages in man/man1/. */
Test(package, om_tarball_content)
{
    static const char *const tools[] = {"gs_ssh", "gs_upgradectl", "gs_checkos", "gs_collector"};
    static const char *const pages[] = {"gs_om",         "gs_ssh",       "gs_checkos",
                                        "gs_preinstall", "gs_collector", "gs_upgradectl"};
    const struct sim_version *v = sim_version_find("2.0.0");
    _cleanup_free_ char *dir = pathf(tmp, "om"), *om = NULL;
    struct listing l;
    const struct listed *x;
    char path[128];

    build(v->version, dir);
    om = file_of(dir, v, PACKAGE_OM);
    list_archive(om, &l);
    expect_dir(&l, "script/");
    expect_file(&l, "script/gs_om", 0755);
    for (size_t i = 0; i < ELEMENTSOF(tools); i++) {
        snprintf(path, sizeof(path), "script/%s", tools[i]);
        x = find(&l, path);
        cr_assert(x && x->type == AE_IFLNK && strcmp(x->symlink, "gs_om") == 0, "%s", path);
    }
    expect_dir(&l, "man/man1/");
    for (size_t i = 0; i < ELEMENTSOF(pages); i++) {
        snprintf(path, sizeof(path), "man/man1/%s.1", pages[i]);
        x = expect_file(&l, path, 0644);
        cr_assert(x->size > 0 && strncmp(x->data, ".\\\"", 3) == 0, "%s is a man page", path);
    }
    /* gs_collector's default configuration, where openGauss-OM has it */
    x = expect_file(&l, "script/gspylib/etc/conf/gs_collector.json", 0644);
    cr_assert(x->size > 0 && strstr(x->data, "\"Collect\""), "gs_collector.json");
    /* nothing else: every other script/ entry is a link to gs_om */
    for (size_t i = 0; i < l.n; i++) {
        x = &l.v[i];
        cr_assert(strcmp(x->path, "script/") == 0 || strcmp(x->path, "script/gs_om") == 0 ||
                      strncmp(x->path, "script/gspylib/", 15) == 0 ||
                      strcmp(x->path, "man/") == 0 || strncmp(x->path, "man/man1/", 9) == 0 ||
                      (strncmp(x->path, "script/gs_", 10) == 0 && x->type == AE_IFLNK &&
                       strcmp(x->symlink, "gs_om") == 0),
                  "unexpected %s", x->path);
    }
    listing_done(&l);
}

Test(package, kernel_tarball_content)
{
    for (size_t i = 0; i < sim_version_count(); i++) {
        const struct sim_version *v = sim_version_at(i);
        _cleanup_free_ char *dir = pathf(tmp, v->version);

        build(v->version, dir);
        check_kernel_tarball(v, dir);
    }
}

Test(package, upgrade_sql_content)
{
    for (size_t i = 0; i < sim_version_count(); i++) {
        const struct sim_version *v = sim_version_at(i);
        _cleanup_free_ char *dir = pathf(tmp, v->version);

        build(v->version, dir);
        check_upgrade_sql(v, dir);
    }
}

Test(package, upgrade_sql_steps_by_version)
{
    char steps[256];

    step_numbers("1.0.1", steps, sizeof(steps));
    cr_assert_str_eq(steps, "");
    step_numbers("2.0.0", steps, sizeof(steps));
    cr_assert_str_eq(steps, "92_298");
    step_numbers("3.0.0", steps, sizeof(steps));
    cr_assert_str_eq(steps, "92_298 92_421 92_605");
    step_numbers("6.0.0", steps, sizeof(steps));
    cr_assert_str_eq(steps, "92_298 92_421 92_605 92_780 92_848 92_954");
}

/* --- verification failures ------------------------------------------------------ */

Test(package, tampered_kernel_tarball_fails)
{
    const struct sim_version *v = sim_version_find("3.0.0");
    _cleanup_free_ char *tarball = file_of(tmp, v, PACKAGE_KERNEL);
    struct og_error err = {0};
    struct stat st;

    build(v->version, tmp);
    cr_assert_eq(stat(tarball, &st), 0);
    flip_byte(tarball, (size_t)st.st_size / 2);
    cr_assert_eq(package_verify(tmp, v->version, &err), -OG_E_SHA256);
    cr_assert_eq(err.code, OG_E_SHA256);
    cr_assert_not_null(strstr(err.detail, tarball), "%s", err.detail);
}

Test(package, tampered_upgrade_sql_fails)
{
    const struct sim_version *v = sim_version_find("3.0.0");
    _cleanup_free_ char *tarball = file_of(tmp, v, PACKAGE_UPGRADE_SQL);
    struct og_error err = {0};
    struct stat st;

    build(v->version, tmp);
    cr_assert_eq(stat(tarball, &st), 0);
    flip_byte(tarball, (size_t)st.st_size - 5);
    cr_assert_eq(package_verify(tmp, v->version, &err), -OG_E_SHA256);
    cr_assert_eq(err.code, OG_E_SHA256);
    cr_assert_not_null(strstr(err.detail, "upgrade_sql.tar.gz"), "%s", err.detail);
}

Test(package, missing_member_is_not_exist)
{
    const struct sim_version *v = sim_version_find("5.0.0");
    _cleanup_free_ char *sum = file_of(tmp, v, PACKAGE_UPGRADE_SQL_SUM);
    struct og_error err = {0};

    build(v->version, tmp);
    cr_assert_eq(unlink(sum), 0);
    cr_assert_eq(package_verify(tmp, v->version, &err), -OG_E_NOT_EXIST);
    cr_assert_eq(package_verify(tmp, "9.9.9", &err), -OG_E_PARAM_INVALID);
}

/* --- refusals ------------------------------------------------------------------- */

Test(package, unknown_version_changes_nothing)
{
    _cleanup_free_ char *absent = pathf(tmp, "absent");
    struct og_error err = {0};

    cr_assert_eq(package_build("9.9.9", tmp, TEST_KERNEL, &err), -OG_E_PARAM_INVALID);
    cr_assert_eq(err.code, OG_E_PARAM_INVALID);
    cr_assert_not_null(strstr(err.detail, "3.0.0"), "lists known versions: %s", err.detail);
    cr_assert_eq(count_entries(tmp), 0, "out dir left empty");
    cr_assert_eq(package_build(NULL, absent, TEST_KERNEL, &err), -OG_E_PARAM_INVALID);
    cr_assert_eq(access(absent, F_OK), -1, "out dir not created");
}

Test(package, missing_kernel_is_not_exist)
{
    _cleanup_free_ char *out = pathf(tmp, "out");
    _cleanup_free_ char *plain = pathf(tmp, "plain");
    struct og_error err = {0};

    cr_assert_eq(package_build("3.0.0", out, "/nonexistent/ogkernel", &err), -OG_E_NOT_EXIST);
    cr_assert_eq(err.code, OG_E_NOT_EXIST);
    cr_assert_eq(fs_replace_file(plain, "x", 1, 0644, &err), 0);
    cr_assert_eq(package_build("3.0.0", out, plain, &err), -OG_E_NOT_EXIST,
                 "a file without x bits is no kernel");
    cr_assert_eq(package_build("3.0.0", out, tmp, &err), -OG_E_NOT_EXIST,
                 "a directory is no kernel");
    cr_assert_eq(access(out, F_OK), -1, "nothing written");
}

Test(package, kernel_path_precedence)
{
    setenv(PACKAGE_KERNEL_ENV, "/from/env", 1);
    cr_assert_str_eq(package_kernel_path("/explicit"), "/explicit");
    cr_assert_str_eq(package_kernel_path(NULL), "/from/env");
    unsetenv(PACKAGE_KERNEL_ENV);
    cr_assert_not_null(strstr(package_kernel_path(NULL), "kernel/ogkernel"), "%s",
                       package_kernel_path(NULL));
    /* package_build(…, NULL kernel) takes the environment's. */
    setenv(PACKAGE_KERNEL_ENV, TEST_KERNEL, 1);
    build("1.0.0", tmp);
    unsetenv(PACKAGE_KERNEL_ENV);
}

Test(package, build_time_is_utc)
{
    long long t = 0;

    cr_assert_eq(package_build_time(sim_version_find("3.0.0"), &t), 0);
    cr_assert_eq(t, 1648836754LL); /* 2022-04-01 18:12:34 UTC */
}

/* --- list ----------------------------------------------------------------------- */

Test(package, list_table_and_json)
{
    _cleanup_dynbuf_ struct dynbuf out = {0};
    struct og_error err = {0};
    json_object *arr, *o, *f;
    size_t lines = 0;

    dynbuf_init(&out, 1 << 20);
    cr_assert_eq(package_list(false, &out, &err), 0);
    for (const char *p = dynbuf_str(&out); *p; p++)
        lines += *p == '\n';
    cr_assert_eq(lines, sim_version_count() + 1);
    cr_assert_not_null(
        strstr(dynbuf_str(&out), "3.0.0     92.605   02c14696  2022-04-01 18:12:34  no"), "%s",
        dynbuf_str(&out));
    cr_assert_not_null(strstr(dynbuf_str(&out), "1.1.0     92.298   392c0438"));

    dynbuf_reset(&out);
    cr_assert_eq(package_list(true, &out, &err), 0);
    arr = json_tokener_parse(dynbuf_str(&out));
    cr_assert_not_null(arr, "%s", dynbuf_str(&out));
    cr_assert_eq(json_object_array_length(arr), sim_version_count());
    for (size_t i = 0; i < sim_version_count(); i++) {
        const struct sim_version *v = sim_version_at(i);
        char number[16];

        o = json_object_array_get_idx(arr, i);
        version_number_format(v->number, number, sizeof(number));
        cr_assert(json_object_object_get_ex(o, "version", &f));
        cr_assert_str_eq(json_object_get_string(f), v->version);
        cr_assert(json_object_object_get_ex(o, "kernel_number", &f));
        cr_assert_str_eq(json_object_get_string(f), number);
        cr_assert(json_object_object_get_ex(o, "commit", &f));
        cr_assert_str_eq(json_object_get_string(f), v->commit);
        cr_assert(json_object_object_get_ex(o, "build_time", &f));
        cr_assert_str_eq(json_object_get_string(f), v->build_time);
        cr_assert(json_object_object_get_ex(o, "mot", &f));
        cr_assert_eq(json_object_get_boolean(f), v->mot);
    }
    json_object_put(arr);
}

/* --- the ogsim binary ----------------------------------------------------------- */

static void run_ogsim(struct command_result *res, const char *const *args)
{
    _cleanup_command_ struct command *cmd = command_newl(OGSIM_PATH, NULL);
    struct og_error err = {0};

    cr_assert_not_null(cmd);
    for (const char *const *a = args; *a; a++)
        cr_assert_eq(command_add_arg(cmd, *a), 0);
    command_set_timeout_ms(cmd, 60000);
    cr_assert_eq(command_run(cmd, res, &err), 0, "%s", err.detail);
}

Test(package, ogsim_package_list)
{
    _cleanup_command_result_ struct command_result res = {0};
    _cleanup_command_result_ struct command_result js = {0};
    json_object *arr;

    run_ogsim(&res, (const char *const[]){"package", "list", NULL});
    cr_assert_eq(res.exit_status, 0, "%s", res.err);
    cr_assert_not_null(strstr(res.out, "VERSION"));
    cr_assert_not_null(strstr(res.out, "6.0.0     92.954   aee4abd5"), "%s", res.out);

    run_ogsim(&js, (const char *const[]){"package", "list", "--json", NULL});
    cr_assert_eq(js.exit_status, 0, "%s", js.err);
    arr = json_tokener_parse(js.out);
    cr_assert_not_null(arr);
    cr_assert_eq(json_object_array_length(arr), sim_version_count());
    json_object_put(arr);
}

Test(package, ogsim_unknown_version_fails)
{
    _cleanup_command_result_ struct command_result res = {0};
    _cleanup_free_ char *out = pathf(tmp, "out");

    run_ogsim(&res, (const char *const[]){"package", "build", "--version", "9.9.9", "--out", out,
                                          "--kernel", TEST_KERNEL, NULL});
    cr_assert_eq(res.exit_status, og_exit_code(OG_ACTION_OTHER, -OG_E_PARAM_INVALID), "%d: %s",
                 res.exit_status, res.err);
    cr_assert_neq(res.exit_status, 0);
    cr_assert_not_null(strstr(res.err, "[GAUSS-50004]"), "%s", res.err);
    cr_assert_eq(access(out, F_OK), -1);
}

Test(package, ogsim_build_verify_tamper)
{
    _cleanup_command_result_ struct command_result b = {0}, ok = {0}, bad = {0};
    const struct sim_version *v = sim_version_find("2.0.1");
    _cleanup_free_ char *out = pathf(tmp, "out");
    _cleanup_free_ char *tarball = file_of(out, v, PACKAGE_KERNEL);

    run_ogsim(&b, (const char *const[]){"package", "build", "--version", "2.0.1", "--out", out,
                                        "--kernel", TEST_KERNEL, NULL});
    cr_assert_eq(b.exit_status, 0, "%s", b.err);
    run_ogsim(&ok, (const char *const[]){"package", "verify", out, "--version", "2.0.1", NULL});
    cr_assert_eq(ok.exit_status, 0, "%s", ok.err);
    flip_byte(tarball, 100);
    run_ogsim(&bad, (const char *const[]){"package", "verify", out, "--version", "2.0.1", NULL});
    cr_assert_eq(bad.exit_status, og_exit_code(OG_ACTION_OTHER, -OG_E_SHA256));
    cr_assert_not_null(strstr(bad.err, "[GAUSS-51635]"), "%s", bad.err);
}

Test(package, ogsim_usage)
{
    const char *const *cases[] = {
        (const char *const[]){"--help", NULL},
        (const char *const[]){"--version", NULL},
        (const char *const[]){"package", "--help", NULL},
        (const char *const[]){"package", "build", "--help", NULL},
        (const char *const[]){"package", "list", "--help", NULL},
        (const char *const[]){"package", "verify", "--help", NULL},
    };
    const char *const *bad[] = {
        (const char *const[]){NULL},
        (const char *const[]){"frobnicate", NULL},
        (const char *const[]){"package", NULL},
        (const char *const[]){"package", "explode", NULL},
        (const char *const[]){"package", "build", "--out", "/tmp/x", NULL},
        (const char *const[]){"package", "build", "--version", NULL},
        (const char *const[]){"package", "list", "--bogus", NULL},
        (const char *const[]){"package", "verify", "--version", "3.0.0", NULL},
    };

    for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
        _cleanup_command_result_ struct command_result res = {0};

        run_ogsim(&res, cases[i]);
        cr_assert_eq(res.exit_status, 0, "case %zu: %s", i, res.err);
        cr_assert_gt(res.out_len, 0);
    }
    for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
        _cleanup_command_result_ struct command_result res = {0};

        run_ogsim(&res, bad[i]);
        cr_assert_eq(res.exit_status, 10, "bad case %zu: %d %s", i, res.exit_status, res.err);
        cr_assert_not_null(strstr(res.err, "[GAUSS-500"), "bad case %zu: %s", i, res.err);
    }
}
