/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * gs_preinstall -U USER -G GROUP -X XMLFILE [-L] [-l LOGFILE]: what the
 * upgrade guide (2.3 steps 3-5) runs as root from the new package's script/
 * directory before gs_upgradectl. For an installed cluster it lays the new
 * version down beside the running one, on every node:
 *   <appPath>_<newcommit>   the new kernel (the $GAUSSHOME symlink and the
 *                           running app are never touched)
 *   $GPHOME                 the package files with their .sha256, the new
 *                           version.cfg and the OM tools (script/)
 *   ~USER/.bashrc           GPHOME and $GPHOME/script in PATH, the rest kept
 * All checks come first and change nothing: user/group (GAUSS-503xx), the
 * XML (clusterconfig.h), every .sha256 of the package (GAUSS-51635), and
 * $GAUSSHOME being a symlink or absent on EVERY node (GAUSS-50200).
 *
 * Trust: openGauss creates SSH trust for root and works as root on every
 * node. The simulated nodes, like many hardened hosts, forbid root logins;
 * ogup works over the cluster user's trust instead: root drops to USER in a
 * child (initgroups/setgid/setuid) and that child does everything else
 * through the transport with USER's key and known_hosts (host keys checked),
 * this node included (locally, as USER). Files travel as a tar stream on the
 * stdin of `tar -x` (an argv, never a shell string); the per-node work is
 * this same program, run from the node's $GPHOME/script with an internal
 * action (-t prepare_app_path | set_tool_env, as openGauss's Local_PreInstall).
 */
#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <libgen.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "appinstall.h"
#include "clusterconfig.h"
#include "command.h"
#include "dynbuf.h"
#include "fs.h"
#include "oglog.h"
#include "omtools.h"
#include "pkgsum.h"
#include "transport.h"
#include "versioncfg.h"
#include "archive_util.h"
#include "banned.h"

#define TOOL            "gs_preinstall"
#define STREAM_MAX      (1024u * 1024 * 1024) /* the package as a tar stream */
#define ENV_FILE_MAX    (1024u * 1024)
#define PKG_FILES_MAX   64
#define STEP_TIMEOUT_MS (10 * 60 * 1000)

DEFINE_TRIVIAL_CLEANUP_FUNC(struct archive *, archive_write_free)
DEFINE_TRIVIAL_CLEANUP_FUNC(struct archive_entry *, archive_entry_free)

struct preinstall {
    const char *user, *group, *xml;
    bool local_only;
    uid_t uid;
    gid_t gid;
    char pkg_dir[PATH_MAX]; /* script/.. of this program */
    struct cluster_config cfg;
    const struct cluster_node *local;
    struct version_cfg ver; /* the new version (the kernel's version.cfg) */
    char version_text[256];
    char *files[PKG_FILES_MAX]; /* package files with a .sha256, and those */
    size_t n_files;
};

static void preinstall_done(struct preinstall *pi)
{
    for (size_t i = 0; i < pi->n_files; i++)
        free(pi->files[i]);
    pi->n_files = 0;
}

/* ---- small helpers ------------------------------------------------------------ */

static bool ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);

    return a >= b && strcmp(s + a - b, suffix) == 0;
}

/* A path that goes into a shell env file and a remote argv: absolute, and
 * none of the characters openGauss refuses in paths (clusterconfig.c). */
static int check_path_arg(const char *opt, const char *p, struct og_error *err)
{
    static const char illegal[] = " |;&$<>`\\'\"{}()[]~*?!,";

    if (!p || p[0] != '/')
        return og_error_set(err, OG_E_PARAM_INVALID,
                            "The parameter '-%s' value is incorrect: "
                            "\"%s\" is not an absolute path.",
                            opt, p ? p : "");
    for (const char *c = p; *c; c++)
        if (strchr(illegal, *c) || (unsigned char)*c < 0x20)
            return og_error_set(err, OG_E_PARAM_INVALID,
                                "The parameter '-%s' value is incorrect: there are illegal "
                                "characters in the path \"%s\".",
                                opt, p);
    return 0;
}

/* ---- the package --------------------------------------------------------------- */

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every X.sha256 in dir against its X.tar.bz2 / X.tar.gz (GAUSS-51635 on a
 * mismatch); the server package's own .sha256 must be there. The pairs are
 * what goes to $GPHOME. */
static int verify_package(struct preinstall *pi, const char *kernel, struct og_error *err)
{
    _cleanup_closedir_ DIR *d = opendir(pi->pkg_dir);
    char kernel_sum[NAME_MAX + 1];
    bool kernel_sum_seen = false;
    struct dirent *e;
    int r;

    if (!d)
        return og_error_set_errno(err, OG_E_READ_FAILED, errno, "Failed to read %s.", pi->pkg_dir);
    snprintf(kernel_sum, sizeof(kernel_sum), "%.*s.sha256",
             (int)(strlen(kernel) - strlen(".tar.bz2")), kernel);
    while ((e = readdir(d))) {
        static const char *const exts[] = {".tar.bz2", ".tar.gz"};
        char stem[NAME_MAX + 1], sum[PATH_MAX + 300], file[PATH_MAX + 300];
        const char *found = NULL;

        if (!ends_with(e->d_name, ".sha256") || e->d_name[0] == '.')
            continue;
        snprintf(stem, sizeof(stem), "%.*s", (int)(strlen(e->d_name) - strlen(".sha256")),
                 e->d_name);
        for (size_t i = 0; i < ELEMENTSOF(exts) && !found; i++) {
            snprintf(file, sizeof(file), "%s/%s%s", pi->pkg_dir, stem, exts[i]);
            if (access(file, F_OK) == 0)
                found = exts[i];
        }
        if (!found)
            return og_error_set(err, OG_E_NOT_EXIST, "The %s/%s.tar.* does not exist.", pi->pkg_dir,
                                stem);
        snprintf(sum, sizeof(sum), "%s/%s", pi->pkg_dir, e->d_name);
        r = pkgsum_verify(file, sum, err);
        if (r < 0)
            return r;
        if (strcmp(e->d_name, kernel_sum) == 0)
            kernel_sum_seen = true;
        if (pi->n_files + 2 > PKG_FILES_MAX)
            return og_error_set(err, OG_E_TOO_LARGE, "more than %d package files in %s",
                                PKG_FILES_MAX, pi->pkg_dir);
        pi->files[pi->n_files] = strdup(e->d_name);
        if (!pi->files[pi->n_files])
            return og_error_set(err, OG_E_NOMEM, "package files");
        pi->n_files++;
        if (asprintf(&pi->files[pi->n_files], "%s%s", stem, found) < 0)
            return og_error_set(err, OG_E_NOMEM, "package files");
        pi->n_files++;
    }
    if (!kernel_sum_seen)
        return og_error_set(err, OG_E_NOT_EXIST, "The %s/%s does not exist.", pi->pkg_dir,
                            kernel_sum);
    qsort(pi->files, pi->n_files, sizeof(pi->files[0]), cmp_str);
    return 0;
}

/* ---- the tar stream sent to every $GPHOME ------------------------------------- */

struct stream_sink {
    struct dynbuf *out;
    int rc; /* the dynbuf's error (over the limit: OGUP-60003) */
};

static la_ssize_t stream_write(struct archive *a, void *ud, const void *buf, size_t len)
{
    struct stream_sink *sink = ud;

    (void)a;
    sink->rc = dynbuf_append(sink->out, buf, len);
    return sink->rc < 0 ? -1 : (la_ssize_t)len;
}

static int stream_fail(struct archive *a, const char *what, struct og_error *err)
{
    return og_error_set(err, OG_E_WRITE_FAILED, "Failed to write the package stream (%s): %s.",
                        what, archive_error_string(a) ? archive_error_string(a) : "unknown");
}

/* One entry: a directory, symlink or regular file from disk (path), or
 * regular content from memory (data). */
static int stream_add(struct archive *a, const char *name, const char *path, const char *data,
                      struct og_error *err)
{
    _cleanup_(archive_entry_freep) struct archive_entry *e = archive_entry_new();
    _cleanup_close_ int fd = -1;
    struct stat st = {.st_mode = S_IFREG | 0644};
    char buf[64 * 1024], target[PATH_MAX];

    if (!e)
        return og_error_set(err, OG_E_NOMEM, "stream entry");
    if (path && lstat(path, &st) < 0)
        return og_error_set_errno(err, OG_E_READ_FAILED, errno, "Failed to read %s.", path);
    if (data)
        st.st_size = (off_t)strlen(data);
    archive_entry_set_pathname(e, name);
    archive_entry_set_perm(e, st.st_mode & 0777);
    archive_entry_set_mtime(e, path ? st.st_mtime : time(NULL), 0);
    if (S_ISDIR(st.st_mode)) {
        archive_entry_set_filetype(e, AE_IFDIR);
    } else if (S_ISLNK(st.st_mode)) {
        ssize_t n = readlink(path, target, sizeof(target) - 1);
        if (n < 0)
            return og_error_set_errno(err, OG_E_READ_FAILED, errno, "Failed to read %s.", path);
        target[n] = '\0';
        archive_entry_set_filetype(e, AE_IFLNK);
        archive_entry_set_symlink(e, target);
    } else if (S_ISREG(st.st_mode)) {
        archive_entry_set_filetype(e, AE_IFREG);
        archive_entry_set_size(e, st.st_size);
        if (path && (fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) < 0)
            return og_error_set_errno(err, OG_E_READ_FAILED, errno, "Failed to read %s.", path);
    } else {
        return 0; /* sockets, fifos: not part of a package */
    }
    if (archive_write_header(a, e) != ARCHIVE_OK)
        return stream_fail(a, name, err);
    if (data && archive_write_data(a, data, strlen(data)) < 0)
        return stream_fail(a, name, err);
    for (off_t left = fd >= 0 ? st.st_size : 0; left > 0;) {
        ssize_t n = read(fd, buf, sizeof(buf) < (size_t)left ? sizeof(buf) : (size_t)left);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return og_error_set_errno(err, OG_E_READ_FAILED, n < 0 ? errno : EIO,
                                      "Failed to read %s.", path);
        if (archive_write_data(a, buf, (size_t)n) < 0)
            return stream_fail(a, name, err);
        left -= n;
    }
    return 0;
}

static int stream_add_tree(struct archive *a, const char *root, const char *rel, int depth,
                           struct og_error *err)
{
    char path[PATH_MAX], sub[PATH_MAX];
    _cleanup_closedir_ DIR *d = NULL;
    struct dirent *e;
    struct stat st;
    char *names[1024];
    size_t n = 0;
    int r;

    snprintf(path, sizeof(path), "%s/%s", root, rel);
    r = stream_add(a, rel, path, NULL, err);
    if (r < 0 || lstat(path, &st) < 0 || !S_ISDIR(st.st_mode))
        return r;
    if (depth > 16)
        return og_error_set(err, OG_E_TOO_LARGE, "%s is nested too deeply", path);
    d = opendir(path);
    if (!d)
        return og_error_set_errno(err, OG_E_READ_FAILED, errno, "Failed to read %s.", path);
    while ((e = readdir(d))) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        if (n == ELEMENTSOF(names) || !(names[n] = strdup(e->d_name))) {
            for (size_t i = 0; i < n; i++)
                free(names[i]);
            return og_error_set(err, n == ELEMENTSOF(names) ? OG_E_TOO_LARGE : OG_E_NOMEM,
                                "the entries of %s", path);
        }
        n++;
    }
    qsort(names, n, sizeof(names[0]), cmp_str);
    for (size_t i = 0; i < n; i++) {
        snprintf(sub, sizeof(sub), "%s/%s", rel, names[i]);
        if (r == 0)
            r = stream_add_tree(a, root, sub, depth + 1, err);
        free(names[i]);
    }
    return r;
}

/* The package files, version.cfg and script/ as one tar, in memory. */
static int build_stream(const struct preinstall *pi, struct dynbuf *out, struct og_error *err)
{
    _cleanup_(archive_write_freep) struct archive *a = archive_write_new();
    struct stream_sink sink = {out, 0};
    char path[PATH_MAX + NAME_MAX + 2];
    int r = 0;

    if (!a)
        return og_error_set(err, OG_E_NOMEM, "the package stream");
    if (archive_write_set_format_pax_restricted(a) != ARCHIVE_OK ||
        archive_write_set_bytes_in_last_block(a, 1) != ARCHIVE_OK ||
        archive_write_open(a, &sink, NULL, stream_write, NULL) != ARCHIVE_OK)
        return stream_fail(a, "open", err);
    for (size_t i = 0; r == 0 && i < pi->n_files; i++) {
        snprintf(path, sizeof(path), "%s/%s", pi->pkg_dir, pi->files[i]);
        r = stream_add(a, pi->files[i], path, NULL, err);
    }
    if (r == 0)
        r = stream_add(a, "version.cfg", NULL, pi->version_text, err);
    if (r == 0)
        r = stream_add_tree(a, pi->pkg_dir, "script", 0, err);
    if (r == 0 && archive_write_close(a) != ARCHIVE_OK)
        r = stream_fail(a, "close", err);
    if (sink.rc < 0) {
        og_error_clear(err);
        r = og_error_set(err, -sink.rc, "The package in %s is larger than %u bytes.", pi->pkg_dir,
                         STREAM_MAX);
    }
    return r;
}

/* ---- node-local actions (run as the cluster user on each node) ---------------- */

/* openGauss PreInstallUtility.prepareInstallPath: $GAUSSHOME, when it
 * exists, must be a symbolic link. */
static int check_app_link(const char *app, struct og_error *err)
{
    struct stat st;

    if (lstat(app, &st) < 0 || S_ISLNK(st.st_mode))
        return 0;
    return og_error_set(err, OG_E_EXISTS,
                        "The %s already exists. Please remove it. It should be a symbolic link "
                        "to $GAUSSHOME if it exists.",
                        app);
}

/* <app>_<commit>: the directory the upgrade installs the new kernel into
 * (its step 4), created empty as openGauss's Local_PreInstall
 * prepareInstallPath does (PreInstallUtility.py v5.0.0 :1066-1105): the
 * server package is only checked here. A directory already there is left
 * as it is (a node an earlier run already upgraded keeps its binaries). */
static int action_prepare_app_path(const char *app, const char *gphome, struct og_error *err)
{
    char tarball[PATH_MAX + 300], target[PATH_MAX + 16], parent[PATH_MAX + 16];
    struct version_cfg v;
    struct stat st;
    int r = appinstall_kernel_package(gphome, &v, tarball, sizeof(tarball), err);

    if (r == 0)
        r = check_app_link(app, err);
    if (r < 0)
        return r;
    snprintf(target, sizeof(target), "%s_%s", app, v.commit);
    if (lstat(target, &st) == 0) {
        if (!S_ISDIR(st.st_mode))
            return og_error_set(err, OG_E_EXISTS, "The %s already exists and is not a directory.",
                                target);
        log_debug("preinstall", "%s is there: left as it is", target);
        return 0;
    }
    if (mkdir(target, 0750) < 0)
        return og_error_set_errno(err, OG_E_CREATE_FAILED, errno, "Failed to create %s.", target);
    snprintf(parent, sizeof(parent), "%s", target);
    return fs_fsync_dir(dirname(parent), err);
}

/* An "export NAME=" line (leading blanks allowed). */
static bool is_export_of(const char *line, const char *name)
{
    line += strspn(line, " \t");
    if (strncmp(line, "export", 6) != 0 || (line[6] != ' ' && line[6] != '\t'))
        return false;
    line += 6 + strspn(line + 6, " \t");
    return strncmp(line, name, strlen(name)) == 0 && line[strlen(name)] == '=';
}

static bool mentions(const char *line, size_t n, const char *what)
{
    return memmem(line, n, what, strlen(what)) != NULL;
}

/* The user's ~/.bashrc, as openGauss's set_tool_env: "export GPHOME=<gphome>"
 * replaces the line that set it, or goes in before the first line that uses
 * $GPHOME (at the end when none does); $GPHOME/script goes into PATH unless
 * a PATH line already puts it there. Everything else stays; an unchanged
 * file is not rewritten. */
static int action_set_tool_env(const char *gphome, struct og_error *err)
{
    _cleanup_dynbuf_ struct dynbuf out;
    _cleanup_free_ char *text = NULL;
    struct passwd *pw = getpwuid(geteuid());
    char path[PATH_MAX], line_gphome[PATH_MAX + 32];
    bool had_gphome = false, done_gphome = false, have_path = false;
    mode_t mode = 0644;
    struct stat st;
    size_t len = 0;
    int r;

    if (!pw || !pw->pw_dir)
        return og_error_set(err, OG_E_USER_NOT_EXIST, "User %u does not exist.",
                            (unsigned)geteuid());
    snprintf(path, sizeof(path), "%s/.bashrc", pw->pw_dir);
    if (lstat(path, &st) == 0) {
        if (!S_ISREG(st.st_mode))
            return og_error_set(err, OG_E_WRITE_FAILED,
                                "Failed to write %s: it is not a regular file.", path);
        mode = st.st_mode & 07777;
    }
    r = fs_read_file(path, ENV_FILE_MAX, &text, &len, err);
    if (r == -OG_E_NOT_EXIST) {
        og_error_clear(err);
        text = strdup("");
        r = text ? 0 : og_error_set(err, OG_E_NOMEM, "env file");
    }
    if (r < 0)
        return r;
    snprintf(line_gphome, sizeof(line_gphome), "export GPHOME=%s\n", gphome);
    for (const char *p = text; *p; p += strcspn(p, "\n"), p += *p == '\n')
        had_gphome = had_gphome || is_export_of(p, "GPHOME");

    dynbuf_init(&out, ENV_FILE_MAX + 4096);
    for (const char *p = text; *p && r == 0;) {
        size_t n = strcspn(p, "\n");
        bool uses = mentions(p, n, "$GPHOME") || mentions(p, n, "${GPHOME}");

        if (is_export_of(p, "GPHOME")) {
            if (!done_gphome) /* the first one is replaced, repeats go */
                r = dynbuf_appends(&out, line_gphome);
            done_gphome = true;
        } else {
            if (!had_gphome && !done_gphome && uses) {
                r = dynbuf_appends(&out, line_gphome);
                done_gphome = true;
            }
            if (is_export_of(p, "PATH") &&
                (mentions(p, n, "$GPHOME/script") || mentions(p, n, "${GPHOME}/script")))
                have_path = true;
            if (r == 0)
                r = dynbuf_appendf(&out, "%.*s\n", (int)n, p);
        }
        p += n + (p[n] == '\n');
    }
    if (r == 0 && !done_gphome)
        r = dynbuf_appends(&out, line_gphome);
    if (r == 0 && !have_path)
        r = dynbuf_appends(&out, "export PATH=$GPHOME/script:$PATH\n");
    if (r < 0)
        return og_error_set(err, OG_E_TOO_LARGE, "The env file %s is too large.", path);
    if (out.len == len && memcmp(out.buf, text, len) == 0)
        return 0;
    return fs_replace_file(path, out.buf, out.len, mode, err);
}

/* ---- the coordinator ------------------------------------------------------------- */

struct step_ctx {
    struct transport *t;
    const char *nodes[CLUSTER_MAX_NODES];
    size_t n;
};

/* argv on the given nodes at once; the first failure (array order) names
 * its node. A worker's own "[GAUSS-NNNNN] : detail" becomes the error. */
static int run_on(struct step_ctx *s, const char *const *nodes, size_t n, const char *const *argv,
                  const void *input, size_t input_len, struct og_error *err)
{
    struct command_result res[CLUSTER_MAX_NODES];
    struct og_error errs[CLUSTER_MAX_NODES];
    struct transport_run_opts o = {
        .timeout_ms = STEP_TIMEOUT_MS, .input = input, .input_len = input_len};
    int r = 0;

    memset(res, 0, sizeof(res));
    memset(errs, 0, sizeof(errs));
    transport_run_all(s->t, nodes, n, argv, &o, res, errs);
    for (size_t i = 0; i < n; i++) {
        if (r == 0 && errs[i].code) {
            r = og_error_set(err, errs[i].code, "%s", errs[i].detail);
        } else if (r == 0 && res[i].exit_status != 0) {
            struct og_error w = {0};
            if (og_error_parse(res[i].err, &w) < 0)
                r = og_error_set(err, w.code, "%s (on %s)", w.detail, nodes[i]);
            else
                r = og_error_set(err, OG_E_EXEC_FAILED,
                                 "Failed to execute the command: %s on %s (exit %d): %.1000s",
                                 argv[0], nodes[i], res[i].exit_status, res[i].err);
        }
        command_result_done(&res[i]);
    }
    return r;
}

/* $GAUSSHOME must be a symlink or absent on every node, before anything
 * changes anywhere. */
static int precheck_app_path(struct step_ctx *s, const struct preinstall *pi, struct og_error *err)
{
    const char *argv[] = {"env", "LC_ALL=C", "stat", "-c", "%F", "--", pi->cfg.app_path, NULL};
    struct command_result res[CLUSTER_MAX_NODES];
    struct og_error errs[CLUSTER_MAX_NODES];
    struct transport_run_opts o = {.timeout_ms = 60 * 1000};
    int r = 0;

    memset(res, 0, sizeof(res));
    memset(errs, 0, sizeof(errs));
    transport_run_all(s->t, s->nodes, s->n, argv, &o, res, errs);
    for (size_t i = 0; i < s->n; i++) {
        if (r == 0 && errs[i].code)
            r = og_error_set(err, errs[i].code, "%s", errs[i].detail);
        else if (r == 0 && res[i].exit_status == 0 && strcmp(res[i].out, "symbolic link\n") != 0)
            r = og_error_set(err, OG_E_EXISTS,
                             "The %s already exists. Please remove it. It should be a symbolic "
                             "link to $GAUSSHOME if it exists (on %s).",
                             pi->cfg.app_path, s->nodes[i]);
        else if (r == 0 && res[i].exit_status != 0 && !strstr(res[i].err, "No such file"))
            r = og_error_set(err, OG_E_EXEC_FAILED,
                             "Failed to execute the command: stat %s on %s: %s", pi->cfg.app_path,
                             s->nodes[i], res[i].err);
        command_result_done(&res[i]);
    }
    return r;
}

static void step(const char *msg)
{
    printf("%s\n", msg);
    fflush(stdout);
    log_debug("preinstall", "%s", msg); /* the log file's copy */
}

/* Everything that changes nodes, as the cluster user. */
static int preinstall_apply(const struct preinstall *pi, const struct dynbuf *stream,
                            struct og_error *err)
{
    _cleanup_transport_ struct transport *t = NULL;
    struct step_ctx s = {0};
    const char *remote[CLUSTER_MAX_NODES];
    size_t n_remote = 0;
    char worker[PATH_MAX + 32];
    bool same_dir;
    int r;

    r = transport_new(NULL, &t, err);
    for (size_t i = 0; r == 0 && i < pi->cfg.n_nodes; i++) {
        const struct cluster_node *n = &pi->cfg.nodes[i];
        if (pi->local_only && n != pi->local)
            continue;
        r = transport_add_node(t, n->name, n->ssh_ip, 22, err);
        if (r == 0 && n == pi->local)
            r = transport_set_local(t, n->name, true, err);
        s.nodes[s.n++] = n->name;
        if (n != pi->local)
            remote[n_remote++] = n->name;
    }
    if (r < 0)
        return r;
    s.t = t;
    r = precheck_app_path(&s, pi, err);
    if (r < 0)
        return r;

    {
        char real_pkg[PATH_MAX], real_tool[PATH_MAX];
        same_dir = realpath(pi->pkg_dir, real_pkg) && realpath(pi->cfg.tool_path, real_tool) &&
                   strcmp(real_pkg, real_tool) == 0;
    }
    {
        const char *mk[] = {"mkdir", "-p", "--", pi->cfg.tool_path, NULL};
        const char *untar[] = {"tar",
                               "-x",
                               "--no-same-owner",
                               "--no-overwrite-dir",
                               "-f",
                               "-",
                               "-C",
                               pi->cfg.tool_path,
                               NULL};
        const char *local[] = {pi->local->name};

        if (!same_dir) {
            r = run_on(&s, local, 1, mk, NULL, 0, err);
            if (r == 0)
                r = run_on(&s, local, 1, untar, stream->buf, stream->len, err);
            if (r < 0)
                return r;
        }
        step("Successfully installed the tools on the local node.");
        if (n_remote > 0) {
            step("Distributing package.");
            r = run_on(&s, remote, n_remote, mk, NULL, 0, err);
            if (r == 0)
                r = run_on(&s, remote, n_remote, untar, stream->buf, stream->len, err);
            if (r < 0)
                return r;
            step("Successfully distributed package.");
        }
    }

    snprintf(worker, sizeof(worker), "%s/script/gs_preinstall", pi->cfg.tool_path);
    step("Creating cluster's path.");
    {
        const char *argv[] = {worker,           "-t", "prepare_app_path", "-R",
                              pi->cfg.app_path, "-Q", pi->cfg.tool_path,  NULL};
        r = run_on(&s, s.nodes, s.n, argv, NULL, 0, err);
        if (r < 0)
            return r;
    }
    step("Successfully created cluster's path.");
    step("Setting user environmental variables.");
    {
        const char *argv[] = {worker, "-t", "set_tool_env", "-Q", pi->cfg.tool_path, NULL};
        r = run_on(&s, s.nodes, s.n, argv, NULL, 0, err);
        if (r < 0)
            return r;
    }
    step("Successfully set user environmental variables.");
    return 0;
}

/* Root: the rest runs in a child that is the cluster user (initgroups,
 * setgid, setuid; no way back), which reports its own error. Its exit
 * status, the tool's, goes to *ret_status. */
static int apply_as_user(const struct preinstall *pi, const struct dynbuf *stream, int *ret_status,
                         struct og_error *err)
{
    struct passwd *pw = getpwuid(pi->uid);
    int status = 0;
    pid_t pid;

    if (!pw)
        return og_error_set(err, OG_E_USER_NOT_EXIST, "User %s does not exist.", pi->user);
    fflush(stdout);
    fflush(stderr);
    pid = fork();
    if (pid < 0)
        return og_error_set_errno(err, OG_E_EXEC_FAILED, errno, "fork");
    if (pid == 0) {
        struct og_error cerr = {0};
        int r = 0;

        if (initgroups(pi->user, pi->gid) < 0 || setgid(pi->gid) < 0 || setuid(pi->uid) < 0 ||
            setuid(0) == 0)
            r = og_error_set_errno(&cerr, OG_E_EXEC_FAILED, errno,
                                   "Failed to switch to the user %s", pi->user);
        if (r == 0 && (setenv("HOME", pw->pw_dir, 1) < 0 || setenv("USER", pi->user, 1) < 0 ||
                       setenv("LOGNAME", pi->user, 1) < 0 || chdir("/") < 0))
            r = og_error_set_errno(&cerr, OG_E_EXEC_FAILED, errno, "environment of %s", pi->user);
        if (r == 0)
            r = preinstall_apply(pi, stream, &cerr);
        fflush(stdout);
        _exit(r < 0 ? om_fail(TOOL, r, &cerr) : 0);
    }
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return og_error_set_errno(err, OG_E_EXEC_FAILED, errno, "waitpid");
    if (WIFEXITED(status)) {
        *ret_status = WEXITSTATUS(status);
        return 0;
    }
    return og_error_set(err, OG_E_EXEC_FAILED,
                        "The preinstall process of user %s was killed by signal %d.", pi->user,
                        WTERMSIG(status));
}

/* openGauss's checkGroupParameter / checkUserParameter / checkUserAndGroup,
 * for root (a non-root caller must name itself: GAUSS-50324). A user is in
 * the group by its primary group or a supplementary membership. */
static int check_user_group(struct preinstall *pi, struct og_error *err)
{
    struct passwd *pw;
    struct group *gr;
    bool member;

    if (!pi->user || !pi->user[0])
        return og_error_set(err, OG_E_PARAM_REQUIRED,
                            "Incorrect parameter. Parameter '-U' is "
                            "required.");
    if (!pi->group || !pi->group[0])
        return og_error_set(err, OG_E_PARAM_REQUIRED,
                            "Incorrect parameter. Parameter '-G' is "
                            "required.");
    if (!pi->xml || !pi->xml[0])
        return og_error_set(err, OG_E_PARAM_REQUIRED,
                            "Incorrect parameter. Parameter '-X' is "
                            "required.");
    if (strcmp(pi->user, "root") == 0 || strcmp(pi->group, "root") == 0)
        return og_error_set(err, OG_E_ROOT_USER_GROUP,
                            "The cluster user/group cannot be a root user/group.User:Group[%s:%s].",
                            pi->user, pi->group);
    if (strchr(pi->user, ':') || pi->user[0] == '-')
        return og_error_set(err, OG_E_PARAM_INVALID, "The parameter '-U' value is incorrect.");
    pw = getpwnam(pi->user);
    if (!pw)
        return og_error_set(err, OG_E_USER_NOT_EXIST, "User %s does not exist.", pi->user);
    if (pw->pw_uid == 0)
        return og_error_set(err, OG_E_ROOT_PERMISSION,
                            "The cluster user cannot be a user with the root permission.");
    pi->uid = pw->pw_uid;
    pi->gid = pw->pw_gid;
    gr = getgrnam(pi->group);
    if (!gr)
        return og_error_set(err, OG_E_GROUP_NOT_EXIST, "Group [%s] does not exist.", pi->group);
    member = gr->gr_gid == pw->pw_gid;
    for (char **m = gr->gr_mem; !member && m && *m; m++)
        member = strcmp(*m, pi->user) == 0;
    if (!member)
        return og_error_set(err, OG_E_USER_GROUP,
                            "The user is not matched with the user group.User:Group[%s:%s]",
                            pi->user, pi->group);
    if (geteuid() != 0 && (geteuid() != pw->pw_uid || getegid() != gr->gr_gid))
        return og_error_set(err, OG_E_NON_ROOT_USER,
                            "Non root user, -U -G parameter must be "
                            "the current user and group.");
    return 0;
}

/* script/.. of the running program (the package openGauss's gs_preinstall
 * finds beside itself). */
static int find_pkg_dir(char *buf, size_t size, struct og_error *err)
{
    char self[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

    if (n < 0)
        return og_error_set_errno(err, OG_E_READ_FAILED, errno, "Failed to read /proc/self/exe.");
    self[n] = '\0';
    snprintf(buf, size, "%s", dirname(dirname(self)));
    return 0;
}

/* The default log ($GAUSSLOG/om/...) opened by root belongs to the user, as
 * openGauss changes the owner of its log path; an -l file is left alone. */
static void give_log_to_user(const struct preinstall *pi)
{
    const char *p = oglog_path(), *gausslog = getenv("GAUSSLOG");
    char dir[PATH_MAX];

    if (geteuid() != 0 || !p || !gausslog || !gausslog[0])
        return;
    snprintf(dir, sizeof(dir), "%s/om/", gausslog);
    if (strncmp(p, dir, strlen(dir)) != 0 || strchr(p + strlen(dir), '/'))
        return;
    dir[strlen(dir) - 1] = '\0';
    if (lchown(p, pi->uid, pi->gid) == 0 && lchown(dir, pi->uid, pi->gid) < 0)
        log_debug("preinstall", "cannot give %s to %s: %s", dir, pi->user, strerror(errno));
}

static int preinstall_run(struct preinstall *pi)
{
    _cleanup_dynbuf_ struct dynbuf stream;
    struct og_error err = {0};
    char host[256] = "", kernel[NAME_MAX + 1], tarball[PATH_MAX + NAME_MAX + 2];
    int r;

    dynbuf_init(&stream, STREAM_MAX);
    r = check_user_group(pi, &err);
    if (r < 0)
        return om_fail(TOOL, r, &err);
    give_log_to_user(pi);

    step("Parsing the configuration file.");
    r = clusterconfig_load(pi->xml, &pi->cfg, &err);
    if (r == 0 && gethostname(host, sizeof(host) - 1) < 0)
        r = og_error_set_errno(&err, OG_E_INSTANCE_INFO, errno, "gethostname");
    if (r == 0 && !(pi->local = clusterconfig_find_node(&pi->cfg, host)))
        r = og_error_set(&err, OG_E_INSTANCE_INFO,
                         "Failed to obtain local instance information. It is not a host name "
                         "%s.",
                         host);
    if (r < 0)
        return om_fail(TOOL, r, &err);
    step("Successfully parsed the configuration file.");

    step("Installing the tools on the local node.");
    r = find_pkg_dir(pi->pkg_dir, sizeof(pi->pkg_dir), &err);
    if (r == 0) {
        /* Run from an installed $GPHOME/script, version.cfg names the package. */
        struct version_cfg own;
        char own_cfg[PATH_MAX + 16];
        snprintf(own_cfg, sizeof(own_cfg), "%s/version.cfg", pi->pkg_dir);
        bool have = access(own_cfg, F_OK) == 0 && version_cfg_read(own_cfg, &own, NULL) == 0;
        r = appinstall_find_kernel(pi->pkg_dir, have ? own.version : NULL, kernel, sizeof(kernel),
                                   &err);
    }
    if (r == 0) {
        snprintf(tarball, sizeof(tarball), "%s/%s", pi->pkg_dir, kernel);
        r = appinstall_read_member(tarball, "version.cfg", pi->version_text,
                                   sizeof(pi->version_text), &err);
    }
    if (r == 0)
        r = version_cfg_parse(pi->version_text, tarball, &pi->ver, &err);
    if (r == 0)
        r = verify_package(pi, kernel, &err);
    if (r == 0)
        r = build_stream(pi, &stream, &err);
    if (r < 0)
        return om_fail(TOOL, r, &err);
    log_debug("preinstall", "package %s: openGauss %s commit %s, %zu files", pi->pkg_dir,
              pi->ver.version, pi->ver.commit, pi->n_files);

    if (geteuid() == 0) {
        int status = 0;
        r = apply_as_user(pi, &stream, &status, &err);
        if (r < 0)
            return om_fail(TOOL, r, &err);
        if (status != 0)
            return status;
    } else {
        r = preinstall_apply(pi, &stream, &err);
        if (r < 0)
            return om_fail(TOOL, r, &err);
    }
    step("Preinstallation succeeded.");
    return 0;
}

static int usage(int rc)
{
    printf("gs_preinstall prepares the nodes for a cluster's new version (ogup).\n\n"
           "Usage:\n"
           "  gs_preinstall -? | --help\n"
           "  gs_preinstall -U USER -G GROUP -X XMLFILE [-L] [-l LOGFILE]\n\n"
           "General options:\n"
           "  -U        Cluster user.\n"
           "  -G        Group of the cluster user.\n"
           "  -X        Path of the XML configuration file.\n"
           "  -L        Only perform preinstallation on the local node.\n"
           "  -l        Path of log file.\n"
           "  -?, --help  Show help information for this utility, and exit.\n\n"
           "Run as root from the script/ directory of the extracted package. For each node\n"
           "it installs the kernel into <gaussdbAppPath>_<commit> (beside the running\n"
           "version), the package, version.cfg and script/ into gaussdbToolPath, and sets\n"
           "GPHOME in the user's ~/.bashrc.\n");
    return rc;
}

int tool_gs_preinstall(int argc, char **argv)
{
    struct preinstall pi = {0};
    struct og_error err = {0};
    const char *action = NULL, *app = NULL, *gphome = NULL;
    int rc;

    rc = om_help_version(TOOL, argc, argv, usage);
    if (rc >= 0)
        return rc;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "-h") == 0)
            return usage(0);
        if (strcmp(a, "-L") == 0) {
            pi.local_only = true;
            continue;
        }
        if (!v || !(strcmp(a, "-U") == 0 || strcmp(a, "-G") == 0 || strcmp(a, "-X") == 0 ||
                    strcmp(a, "-l") == 0 || strcmp(a, "-t") == 0 || strcmp(a, "-R") == 0 ||
                    strcmp(a, "-Q") == 0))
            return om_fail(TOOL,
                           og_error_set(&err, OG_E_PARAM_UNKNOWN, "Unrecognized parameter: %s.", a),
                           &err);
        i++;
        if (strcmp(a, "-U") == 0)
            pi.user = v;
        else if (strcmp(a, "-G") == 0)
            pi.group = v;
        else if (strcmp(a, "-X") == 0)
            pi.xml = v;
        else if (strcmp(a, "-t") == 0)
            action = v;
        else if (strcmp(a, "-R") == 0)
            app = v;
        else if (strcmp(a, "-Q") == 0)
            gphome = v;
        else if (oglog_open(TOOL, v, &err) < 0)
            return om_fail(TOOL, -err.code, &err);
    }

    if (!action) {
        rc = preinstall_run(&pi);
        preinstall_done(&pi);
        return rc;
    }
    /* The per-node actions, as the cluster user. */
    if (geteuid() == 0)
        return om_fail(TOOL,
                       og_error_set(&err, OG_E_RUN_AS_ROOT,
                                    "Cannot run this script as a user with the root "
                                    "permission."),
                       &err);
    rc = check_path_arg("Q", gphome, &err);
    if (rc == 0 && strcmp(action, "prepare_app_path") == 0) {
        rc = check_path_arg("R", app, &err);
        if (rc == 0)
            rc = action_prepare_app_path(app, gphome, &err);
    } else if (rc == 0 && strcmp(action, "set_tool_env") == 0) {
        rc = action_set_tool_env(gphome, &err);
    } else if (rc == 0) {
        rc = og_error_set(&err, OG_E_PARAM_INVALID, "The parameter '-t' value is incorrect: %s",
                          action);
    }
    return rc < 0 ? om_fail(TOOL, rc, &err) : 0;
}
