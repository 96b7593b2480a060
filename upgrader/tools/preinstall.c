/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * gs_preinstall (options and checks: preinstall_args.c; the node-local
 * worker: preinstall_env.c; gs_preinstall(1)): what the upgrade guide (2.3
 * steps 3-5) runs as root from the new package's script/ directory before
 * gs_upgradectl. For an installed cluster it lays the new version down
 * beside the running one, on every node:
 *   <appPath>_<newcommit>   empty, for the new kernel (the $GAUSSHOME symlink
 *                           and the running app are never touched)
 *   $GPHOME                 the package files with their .sha256, the new
 *                           version.cfg and the OM tools (script/)
 *   the user's env file     GPHOME, $GPHOME/script in PATH, --env-var values
 *                           (~/.bashrc or --sep-env-file), the rest kept
 * All checks come first and change nothing: the command line in openGauss's
 * order (preinstall_args.c), every .sha256 of the package (GAUSS-51635),
 * $GAUSSHOME being a symlink or absent on EVERY node (GAUSS-50200), the
 * --sep-env-file writable on every node.
 *
 * Trust: openGauss creates SSH trust for root and works as root on every
 * node. The simulated nodes, like many hardened hosts, forbid root logins;
 * ogup works over the cluster user's trust instead: root drops to USER in a
 * child (initgroups/setgid/setuid) and that child does everything else
 * through the transport with USER's key and known_hosts (host keys checked),
 * this node included (locally, as USER). Files travel as a tar stream on the
 * stdin of `tar -x` (an argv, never a shell string); the per-node work is
 * this same program, run from the node's $GPHOME/script as the worker
 * (--local prepare-app-path | set-tool-env, as openGauss's Local_PreInstall).
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
#include "preinstall.h"
#include "pkgsum.h"
#include "transport.h"
#include "versioncfg.h"
#include "tarball.h"
#include "banned.h"

#define STREAM_MAX      (1024u * 1024 * 1024) /* the package as a tar stream */
#define PKG_FILES_MAX   PI_PKG_FILES
#define STEP_TIMEOUT_MS (10 * 60 * 1000)

DEFINE_TRIVIAL_CLEANUP_FUNC(struct archive *, archive_write_free)
DEFINE_TRIVIAL_CLEANUP_FUNC(struct archive_entry *, archive_entry_free)

static void preinstall_done(struct preinstall *pi)
{
    for (size_t i = 0; i < pi->n_files; i++)
        free(pi->files[i]);
    pi->n_files = 0;
    for (size_t i = 0; i < PI_ENV_VARS; i++) {
        free(pi->env_norm[i]);
        pi->env_norm[i] = NULL;
    }
}

/* ---- small helpers ------------------------------------------------------------ */

static bool ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);

    return a >= b && strcmp(s + a - b, suffix) == 0;
}

/* ---- the package --------------------------------------------------------------- */

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
    qsort(pi->files, pi->n_files, sizeof(pi->files[0]), strv_cmp);
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
    qsort(names, n, sizeof(names[0]), strv_cmp);
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

/* ---- the coordinator ------------------------------------------------------------- */

struct step_ctx {
    struct transport *t;
    const char *nodes[CLUSTER_MAX_NODES];
    size_t n;
};

/* Judges one node's result: 0, or the node's error. */
typedef int (*node_judge)(const void *ctx, const char *node, const struct command_result *res,
                          struct og_error *err);

/* argv on the given nodes at once; each node's result judged in array
 * order, and the first failure (its transport error, else the judge's) is
 * the error. */
static int run_judged(struct step_ctx *s, const char *const *nodes, size_t n,
                      const char *const *argv, const struct transport_run_opts *o, node_judge judge,
                      const void *ctx, struct og_error *err)
{
    struct command_result res[CLUSTER_MAX_NODES];
    struct og_error errs[CLUSTER_MAX_NODES];
    int r = 0;

    memset(res, 0, sizeof(res));
    memset(errs, 0, sizeof(errs));
    transport_run_all(s->t, nodes, n, argv, o, res, errs);
    for (size_t i = 0; i < n; i++) {
        if (r == 0 && errs[i].code)
            r = og_error_set(err, errs[i].code, "%s", errs[i].detail);
        else if (r == 0)
            r = judge(ctx, nodes[i], &res[i], err);
        command_result_done(&res[i]);
    }
    return r;
}

/* A worker's own "[GAUSS-NNNNN] : detail" becomes the error; another
 * failure names the command (ctx: argv[0]) and the node. */
static int judge_exit(const void *ctx, const char *node, const struct command_result *res,
                      struct og_error *err)
{
    struct og_error w = {0};

    if (res->exit_status == 0)
        return 0;
    if (og_error_parse(res->err, &w) < 0)
        return og_error_set(err, w.code, "%s (on %s)", w.detail, node);
    return og_error_set(err, OG_E_EXEC_FAILED,
                        "Failed to execute the command: %s on %s (exit %d): %.1000s",
                        (const char *)ctx, node, res->exit_status, res->err);
}

/* argv on the given nodes at once; the first failure (array order) names
 * its node. */
static int run_on(struct step_ctx *s, const char *const *nodes, size_t n, const char *const *argv,
                  const void *input, size_t input_len, struct og_error *err)
{
    struct transport_run_opts o = {
        .timeout_ms = STEP_TIMEOUT_MS, .input = input, .input_len = input_len};

    return run_judged(s, nodes, n, argv, &o, judge_exit, argv[0], err);
}

/* stat -c %F of $GAUSSHOME: a symlink, or absent */
static int judge_app_path(const void *ctx, const char *node, const struct command_result *res,
                          struct og_error *err)
{
    const struct preinstall *pi = ctx;

    if (res->exit_status == 0 && strcmp(res->out, "symbolic link\n") != 0)
        return og_error_set(err, OG_E_EXISTS,
                            "The %s already exists. Please remove it. It should be a symbolic "
                            "link to $GAUSSHOME if it exists (on %s).",
                            pi->cfg.app_path, node);
    if (res->exit_status != 0 && !strstr(res->err, "No such file"))
        return og_error_set(err, OG_E_EXEC_FAILED,
                            "Failed to execute the command: stat %s on %s: %s", pi->cfg.app_path,
                            node, res->err);
    return 0;
}

/* $GAUSSHOME must be a symlink or absent on every node, before anything
 * changes anywhere. */
static int precheck_app_path(struct step_ctx *s, const struct preinstall *pi, struct og_error *err)
{
    const char *argv[] = {"env", "LC_ALL=C", "stat", "-c", "%F", "--", pi->cfg.app_path, NULL};
    struct transport_run_opts o = {.timeout_ms = 60 * 1000};

    return run_judged(s, s->nodes, s->n, argv, &o, judge_app_path, pi, err);
}

/* the env-file script's answer: ok, link, dir, or "no <path>" */
static int judge_env_file(const void *ctx, const char *node, const struct command_result *res,
                          struct og_error *err)
{
    const struct preinstall *pi = ctx;
    const char *out = res->out ? res->out : "";

    if (strcmp(out, "link\n") == 0)
        return og_error_set(err, OG_E_ROOT_GROUP_OR_LINK,
                            "The %s cannot be a root user group or a link (on %s).", pi->sep_env,
                            node);
    if (strcmp(out, "dir\n") == 0)
        return og_error_set(err, OG_E_PARAM_INVALID,
                            "The parameter '--sep-env-file' value is incorrect. The file [%s] can "
                            "not be a directory (on %s).",
                            pi->sep_env, node);
    if (strcmp(out, "ok\n") != 0)
        return og_error_set(
            err, OG_E_CREATE_FAILED, "Failed to create %s. The user %s cannot write %.*s on %s.",
            pi->sep_env, pi->user, (int)(strncmp(out, "no ", 3) == 0 ? strcspn(out + 3, "\n") : 0),
            strncmp(out, "no ", 3) == 0 ? out + 3 : "", node);
    return 0;
}

/* --sep-env-file on every node, before anything changes: no link, no
 * directory, a file the user can rewrite or create (GP:287-299 checks this
 * node only; the worker writes it as the user). FILE is $1 of a fixed
 * script, never part of it. */
static int precheck_env_file(struct step_ctx *s, const struct preinstall *pi, struct og_error *err)
{
    static const char script[] =
        "f=$1; if [ -L \"$f\" ]; then echo link; exit 0; fi; "
        "if [ -d \"$f\" ]; then echo dir; exit 0; fi; d=$(dirname -- \"$f\"); "
        "while [ ! -e \"$d\" ]; do d=$(dirname -- \"$d\"); done; "
        "if [ -e \"$f\" ] && { [ ! -f \"$f\" ] || [ ! -w \"$f\" ]; }; then echo \"no $f\"; "
        "elif [ -d \"$d\" ] && [ -w \"$d\" ] && [ -x \"$d\" ]; then echo ok; "
        "else echo \"no $d\"; fi";
    const char *argv[] = {"sh", "-c", script, "sh", pi->sep_env, NULL};
    struct transport_run_opts o = {.timeout_ms = 60 * 1000};

    return run_judged(s, s->nodes, s->n, argv, &o, judge_env_file, pi, err);
}

static void step(const char *msg)
{
    printf("%s\n", msg);
    fflush(stdout);
    log_debug("preinstall", "%s", msg); /* the log file's copy */
}

/* The nodes this run reaches, added to t (this node as the local one):
 * s's nodes; those other than this node also in remote. */
static int apply_nodes(const struct preinstall *pi, struct transport *t, struct step_ctx *s,
                       const char **remote, size_t *n_remote, struct og_error *err)
{
    int r = 0;

    for (size_t i = 0; r == 0 && i < pi->cfg.n_nodes; i++) {
        const struct cluster_node *n = &pi->cfg.nodes[i];
        if (pi->local_only && n != pi->local)
            continue;
        r = transport_add_node(t, n->name, n->ssh_ip, 22, err);
        if (r == 0 && n == pi->local)
            r = transport_set_local(t, n->name, true, err);
        s->nodes[s->n++] = n->name;
        if (n != pi->local)
            remote[(*n_remote)++] = n->name;
    }
    s->t = t;
    return r;
}

/* The package into the tool path: here unless it is there already, then
 * on the other nodes. */
static int distribute_tools(struct step_ctx *s, const struct preinstall *pi,
                            const struct dynbuf *stream, const char *const *remote, size_t n_remote,
                            struct og_error *err)
{
    const char *mk[] = {"mkdir", "-p", "--", pi->cfg.tool_path, NULL};
    const char *untar[] = {
        "tar", "-x", "--no-same-owner", "--no-overwrite-dir", "-f", "-", "-C", pi->cfg.tool_path,
        NULL};
    const char *local[] = {pi->local->name};
    char real_pkg[PATH_MAX], real_tool[PATH_MAX];
    bool same_dir = realpath(pi->pkg_dir, real_pkg) && realpath(pi->cfg.tool_path, real_tool) &&
                    strcmp(real_pkg, real_tool) == 0;
    int r;

    if (!same_dir) {
        r = run_on(s, local, 1, mk, NULL, 0, err);
        if (r == 0)
            r = run_on(s, local, 1, untar, stream->buf, stream->len, err);
        if (r < 0)
            return r;
    }
    step("Successfully installed the tools on the local node.");
    if (n_remote == 0)
        return 0;
    step("Distributing package.");
    r = run_on(s, remote, n_remote, mk, NULL, 0, err);
    if (r == 0)
        r = run_on(s, remote, n_remote, untar, stream->buf, stream->len, err);
    if (r < 0)
        return r;
    step("Successfully distributed package.");
    return 0;
}

/* The user's environment file on every node (the worker's set-tool-env). */
static int set_user_env(struct step_ctx *s, const struct preinstall *pi, const char *worker,
                        struct og_error *err)
{
    const char *argv[8 + 2 * PI_ENV_VARS];
    size_t n = 0;

    argv[n++] = worker;
    argv[n++] = "--local";
    argv[n++] = "set-tool-env";
    argv[n++] = pi->cfg.tool_path;
    if (pi->sep_env[0]) {
        argv[n++] = "-s";
        argv[n++] = pi->sep_env;
    }
    for (size_t i = 0; i < pi->n_env_vars; i++) {
        argv[n++] = "-e";
        argv[n++] = pi->env_norm[i];
    }
    argv[n] = NULL;
    return run_on(s, s->nodes, s->n, argv, NULL, 0, err);
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
    int r;

    r = transport_new(NULL, &t, err);
    if (r == 0)
        r = apply_nodes(pi, t, &s, remote, &n_remote, err);
    if (r == 0)
        r = precheck_app_path(&s, pi, err);
    if (r == 0 && pi->sep_env[0])
        r = precheck_env_file(&s, pi, err);
    if (r == 0)
        r = distribute_tools(&s, pi, stream, remote, n_remote, err);
    if (r < 0)
        return r;

    snprintf(worker, sizeof(worker), "%s/script/gs_preinstall", pi->cfg.tool_path);
    step("Creating cluster's path.");
    {
        const char *argv[] = {worker,           "--local",         "prepare-app-path",
                              pi->cfg.app_path, pi->cfg.tool_path, NULL};
        r = run_on(&s, s.nodes, s.n, argv, NULL, 0, err);
        if (r < 0)
            return r;
    }
    step("Successfully created cluster's path.");
    step("Setting user environmental variables.");
    r = set_user_env(&s, pi, worker, err);
    if (r < 0)
        return r;
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
        _exit(r < 0 ? om_fail(PI_TOOL, r, &cerr) : 0);
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
 * openGauss changes the owner of its log path: the file and its om/
 * directory when this run made them, by descriptor (oglog_give); an -l file
 * is left alone. */
static void give_log_to_user(const struct preinstall *pi)
{
    struct og_error err = {0};

    if (geteuid() != 0 || pi->log || !oglog_path())
        return;
    if (oglog_give(pi->uid, pi->gid, &err) < 0)
        log_debug("preinstall", "cannot give the log to %s: %s", pi->user, err.detail);
}

static int preinstall_run(struct preinstall *pi)
{
    _cleanup_dynbuf_ struct dynbuf stream = {0};
    struct og_error err = {0};
    char kernel[NAME_MAX + 1], tarball[PATH_MAX + NAME_MAX + 2];
    int r;

    dynbuf_init(&stream, STREAM_MAX);
    give_log_to_user(pi);
    /* the XML was read by the checks (GP:333 initClusterInfo); its steps as
     * openGauss prints them (GP:431, 446) */
    step("Parsing the configuration file.");
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
        return om_fail(PI_TOOL, r, &err);
    log_debug("preinstall", "package %s: openGauss %s commit %s, %zu files", pi->pkg_dir,
              pi->ver.version, pi->ver.commit, pi->n_files);

    {
        int status = 0;
        r = apply_as_user(pi, &stream, &status, &err);
        if (r < 0)
            return om_fail(PI_TOOL, r, &err);
        if (status != 0)
            return status;
    }
    /* root's environment here, so gs_checkos -i A, gs_om and gs_ssh resolve
     * in a root login shell on this node (the guide's section 2.2.5);
     * openGauss sets it on every host over root's trust, ogup works over the
     * cluster user's (above) and sets root's on the node it runs on */
    if (geteuid() == 0 && !pi->sep_env[0]) {
        r = preinstall_root_profile(pi->cfg.tool_path, &err);
        if (r < 0)
            return om_fail(PI_TOOL, r, &err);
    }
    step("Preinstallation succeeded.");
    return 0;
}

/* `--local VERB` first: the worker (preinstall_env.c); then root, the
 * options and every check (preinstall_args.c), then the run. */
int tool_gs_preinstall(int argc, char **argv)
{
    struct preinstall pi = {0};
    struct og_error err = {0};
    int r;

    if (argc >= 2 && strcmp(argv[1], "--local") == 0)
        return preinstall_local(argc - 2, argv + 2);
    r = preinstall_args(&pi, argc, argv, &err);
    if (r == 0)
        r = preinstall_run(&pi);
    else if (r < 0)
        r = om_fail(PI_TOOL, r, &err);
    else
        r = 0;
    preinstall_done(&pi);
    return r;
}
