/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * gs_preinstall's node-local worker, as the cluster user on every node
 * (openGauss's script/local/PreInstallUtility.py, "PIU", v5.0.0), run by the
 * coordinator through the transport as $GPHOME/script/gs_preinstall --local:
 *
 *   prepare-app-path APP GPHOME   <APP>_<commit> of GPHOME's server package
 *   set-tool-env GPHOME [-s FILE] [-e NAME=value]...
 *                                 GPHOME, PATH, the --env-var values into the
 *                                 user's env file (~/.bashrc, or FILE with
 *                                 MPPDB_ENV_SEPARATE_PATH=FILE in ~/.bashrc)
 *
 * `--local` is ogup's (gs_upgradectl --local is the other worker): it is
 * looked at before the root check; the worker refuses root (GAUSS-50105).
 */
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmdkit.h"
#include "appinstall.h"
#include "dynbuf.h"
#include "fs.h"
#include "oglog.h"
#include "omtools.h"
#include "preinstall.h"
#include "precheck.h"
#include "banned.h"

#define PI_SETS_MAX (PI_ENV_VARS + 1)

/* ---- the env file's text ------------------------------------------------- */

/* An "export NAME=" line (leading blanks allowed). */
static bool is_export_of(const char *line, const char *name, size_t name_len)
{
    line += strspn(line, " \t");
    if (strncmp(line, "export", 6) != 0 || (line[6] != ' ' && line[6] != '\t'))
        return false;
    line += 6 + strspn(line + 6, " \t");
    return strncmp(line, name, name_len) == 0 && line[name_len] == '=';
}

static bool mentions(const char *line, size_t n, const char *what)
{
    return memmem(line, n, what, strlen(what)) != NULL;
}

/* PF = domain_utils/cluster_file/profile_file.py:83-140 */
int preinstall_env_text_check(const char *text, struct og_error *err)
{
    static const char *const white[] = {"ELK_CONFIG_DIR",
                                        "ELK_SYSTEM_TABLESPACE",
                                        "MPPDB_ENV_SEPARATE_PATH",
                                        "GPHOME",
                                        "UNPACKPATH",
                                        "PATH",
                                        "LD_LIBRARY_PATH",
                                        "PYTHONPATH",
                                        "GAUSS_WARNING_TYPE",
                                        "GAUSSHOME",
                                        "S3_CLIENT_CRT_FILE",
                                        "GAUSS_VERSION",
                                        "PGHOST",
                                        "GS_CLUSTER_NAME",
                                        "GAUSSLOG",
                                        "GAUSS_ENV",
                                        "umask"};

    for (const char *p = text; *p; p += strcspn(p, "\n"), p += *p == '\n') {
        size_t n = strcspn(p, "\n"), b = strspn(p, " \t\r\f\v");
        bool ok = n > b && strncmp(p + b, "export", 6) == 0;

        if (n <= b)
            continue; /* blank */
        while (n > b && strchr(" \t\r\f\v", p[n - 1]))
            n--;
        for (size_t i = 0; !ok && i < ELEMENTSOF(white); i++)
            ok = mentions(p, n, white[i]);
        for (size_t i = b; ok && i < n; i++)
            ok = !strchr("|;&<>`\\!", p[i]);
        if (!ok)
            return og_error_set(err, OG_E_OBTAIN_FAILED,
                                "Failed to obtain %.*s. There are illegal characters in local "
                                "host.",
                                (int)(n - b), p + b);
    }
    return 0;
}

struct env_set {
    const char *name;
    size_t name_len;
    const char *value;
};

struct env_edit {
    const char *gphome;               /* GPHOME and $GPHOME/script in PATH; NULL: not */
    struct env_set sets[PI_SETS_MAX]; /* "export NAME=value" each */
    size_t n_sets;
};

static int env_set_of(const struct env_edit *e, const char *line)
{
    for (size_t i = 0; i < e->n_sets; i++)
        if (is_export_of(line, e->sets[i].name, e->sets[i].name_len))
            return (int)i;
    return -1;
}

/* text -> out: "export GPHOME=<gphome>" replaces the line that set it, or
 * goes in before the first line that uses $GPHOME (at the end when none
 * does); $GPHOME/script goes into PATH unless a PATH line already puts it
 * there (PIU:1544-1646 setToolEnv). Each set replaces the first line that
 * exported its name, repeats dropped, or is appended (PIU:1445-1494). The
 * rest stays. */
static int env_rewrite(const char *text, const struct env_edit *e, struct dynbuf *out)
{
    char line_gphome[PATH_MAX + 32] = "";
    bool had_gphome = false, done_gphome = !e->gphome, have_path = !e->gphome;
    bool done[PI_SETS_MAX] = {false};
    int r = 0;

    if (e->gphome)
        snprintf(line_gphome, sizeof(line_gphome), "export GPHOME=%s\n", e->gphome);
    for (const char *p = text; *p; p += strcspn(p, "\n"), p += *p == '\n')
        had_gphome = had_gphome || is_export_of(p, "GPHOME", 6);
    for (const char *p = text; *p && r == 0;) {
        size_t n = strcspn(p, "\n");
        bool uses = mentions(p, n, "$GPHOME") || mentions(p, n, "${GPHOME}");
        int k = env_set_of(e, p);

        if (k >= 0) {
            if (!done[k])
                r = dynbuf_appendf(out, "export %.*s=%s\n", (int)e->sets[k].name_len,
                                   e->sets[k].name, e->sets[k].value);
            done[k] = true;
        } else if (e->gphome && is_export_of(p, "GPHOME", 6)) {
            if (!done_gphome) /* the first one is replaced, repeats go */
                r = dynbuf_appends(out, line_gphome);
            done_gphome = true;
        } else {
            if (!had_gphome && !done_gphome && uses) {
                r = dynbuf_appends(out, line_gphome);
                done_gphome = true;
            }
            if (is_export_of(p, "PATH", 4) &&
                (mentions(p, n, "$GPHOME/script") || mentions(p, n, "${GPHOME}/script")))
                have_path = true;
            if (r == 0)
                r = dynbuf_appendf(out, "%.*s\n", (int)n, p);
        }
        p += n + (p[n] == '\n');
    }
    if (r == 0 && !done_gphome)
        r = dynbuf_appends(out, line_gphome);
    if (r == 0 && !have_path)
        r = dynbuf_appends(out, "export PATH=$GPHOME/script:$PATH\n");
    for (size_t k = 0; r == 0 && k < e->n_sets; k++)
        if (!done[k])
            r = dynbuf_appendf(out, "export %.*s=%s\n", (int)e->sets[k].name_len, e->sets[k].name,
                               e->sets[k].value);
    return r;
}

/* path edited as e says; an absent file is made with new_mode, an existing
 * one keeps its mode; an unchanged file is not rewritten. */
static int env_edit_file(const char *path, mode_t new_mode, const struct env_edit *e,
                         struct og_error *err)
{
    _cleanup_dynbuf_ struct dynbuf out = {0};
    _cleanup_free_ char *text = NULL;
    mode_t mode = new_mode;
    struct stat st;
    size_t len = 0;
    int r;

    if (lstat(path, &st) == 0) {
        if (S_ISLNK(st.st_mode))
            return og_error_set(err, OG_E_ROOT_GROUP_OR_LINK,
                                "The %s cannot be a root user group or a link.", path);
        if (!S_ISREG(st.st_mode))
            return og_error_set(err, OG_E_WRITE_FAILED,
                                "Failed to write %s: it is not a regular file.", path);
        mode = st.st_mode & 07777;
    }
    r = fs_read_file(path, PI_ENV_FILE_MAX, &text, &len, err);
    if (r == -OG_E_NOT_EXIST) {
        og_error_clear(err);
        text = strdup("");
        r = text ? 0 : og_error_set(err, OG_E_NOMEM, "env file");
    }
    if (r < 0)
        return r;
    dynbuf_init(&out, PI_ENV_FILE_MAX + 4096);
    if (env_rewrite(text, e, &out) < 0)
        return og_error_set(err, OG_E_TOO_LARGE, "The env file %s is too large.", path);
    if (out.len == len && memcmp(out.buf, text, len) == 0)
        return 0;
    return fs_replace_file(path, out.buf, out.len, mode, err);
}

#define ETC_PROFILE "/etc/profile"

int preinstall_root_profile(const char *gphome, struct og_error *err)
{
    struct env_edit e = {.gphome = gphome};

    return env_edit_file(ETC_PROFILE, 0644, &e, err);
}

/* Every path absolute, without "..": the worker trusts nothing it is given */
static bool safe_path(const char *p)
{
    return p && p[0] == '/' && !strstr(p, "/../") &&
           !(strlen(p) >= 3 && strcmp(p + strlen(p) - 3, "/..") == 0) && !strpbrk(p, "\n\r");
}

/* ---- the verbs ----------------------------------------------------------- */

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
 * prepareInstallPath does (PIU:1066-1105): the server package is only
 * checked here. A directory already there is left as it is (a node an
 * earlier run already upgraded keeps its binaries). */
static int verb_prepare_app_path(const char *app, const char *gphome, struct og_error *err)
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

/* Before anything changes: FILE is no link, no directory, a file the user
 * can rewrite, or one it can create (its nearest existing directory
 * writable); an existing one passes PF:83-140. */
static int verb_check_env(const char *file, struct og_error *err)
{
    _cleanup_free_ char *text = NULL;
    char dir[PATH_MAX];
    struct stat st;
    int r;

    if (lstat(file, &st) == 0) {
        if (S_ISLNK(st.st_mode))
            return og_error_set(err, OG_E_ROOT_GROUP_OR_LINK,
                                "The %s cannot be a root user group or a link.", file);
        if (S_ISDIR(st.st_mode))
            return og_error_set(err, OG_E_PARAM_INVALID,
                                "The parameter '--sep-env-file' value is incorrect. The file [%s] "
                                "can not be a directory.",
                                file);
        r = fs_read_file(file, PI_ENV_FILE_MAX, &text, NULL, err);
        if (r == 0)
            r = preinstall_env_text_check(text, err);
        if (r < 0)
            return r;
    }
    snprintf(dir, sizeof(dir), "%s", file);
    do {
        char up[PATH_MAX];
        snprintf(up, sizeof(up), "%s", dir);
        snprintf(dir, sizeof(dir), "%s", dirname(up));
    } while (strcmp(dir, "/") != 0 && lstat(dir, &st) < 0);
    if (access(dir, W_OK | X_OK) < 0)
        return og_error_set_errno(err, OG_E_CREATE_FAILED, errno,
                                  "Failed to create %s. The directory %s is not writable", file,
                                  dir);
    return 0;
}

static int add_set(struct env_edit *e, const char *name, size_t len, const char *value)
{
    if (e->n_sets == PI_SETS_MAX)
        return -OG_E_TOO_LARGE;
    e->sets[e->n_sets++] = (struct env_set){name, len, value};
    return 0;
}

/* PIU:1544 setToolEnv, 1516 setDBUerProfile, 1333-1339 (MPPDB_ENV_SEPARATE_PATH
 * in ~/.bashrc) */
static int verb_set_tool_env(int argc, char **argv, struct og_error *err)
{
    struct passwd *pw = getpwuid(geteuid());
    struct env_edit e = {.gphome = argv[0]};
    char bashrc[PATH_MAX], dir[PATH_MAX];
    const char *file = NULL;
    int r = 0;

    if (!pw || !pw->pw_dir)
        return og_error_set(err, OG_E_USER_NOT_EXIST, "User %u does not exist.",
                            (unsigned)geteuid());
    snprintf(bashrc, sizeof(bashrc), "%s/.bashrc", pw->pw_dir);
    for (int i = 1; r == 0 && i + 1 < argc; i += 2) {
        const char *v = argv[i + 1], *eq = strchr(v, '=');
        if (strcmp(argv[i], "-s") == 0) {
            if (!safe_path(v))
                return og_error_set(err, OG_E_UNSAFE_ARG, "unsafe path \"%s\"", v);
            file = v;
            r = add_set(&e, "MPPDB_ENV_SEPARATE_PATH", 23, v);
        } else if (strcmp(argv[i], "-e") == 0 && eq && eq != v) {
            r = add_set(&e, v, (size_t)(eq - v), eq + 1); /* checked by the coordinator */
        } else {
            return og_error_set(err, OG_E_PARAM_UNKNOWN, "Unrecognized parameter: %s %s.", argv[i],
                                v);
        }
    }
    if (r < 0)
        return og_error_set(err, OG_E_TOO_LARGE, "too many --env-var values");
    if (!file)
        return env_edit_file(bashrc, 0644, &e, err);
    r = verb_check_env(file, err);
    snprintf(dir, sizeof(dir), "%s", file);
    if (r == 0)
        r = fs_mkdir_p(dirname(dir), 0700, err);
    if (r == 0) /* the tool env and the values into FILE (PIU:1318-1320) */
        r = env_edit_file(file, 0600, &e, err);
    if (r == 0) { /* ~/.bashrc names FILE (PIU:1333-1339) */
        struct env_edit b = {.gphome = NULL};
        add_set(&b, "MPPDB_ENV_SEPARATE_PATH", 23, file);
        r = env_edit_file(bashrc, 0644, &b, err);
    }
    return r;
}

int preinstall_local(int argc, char **argv)
{
    struct og_error err = {0};
    const char *verb = argc > 0 ? argv[0] : "";
    int r;

    if ((r = precheck_not_root(NULL, &err)) < 0)
        ; /* GAUSS-50105, before anything is opened */
    else if (strcmp(verb, "prepare-app-path") == 0 && argc == 3)
        r = !safe_path(argv[1]) || !safe_path(argv[2])
                ? og_error_set(&err, OG_E_UNSAFE_ARG, "unsafe path \"%s\"", argv[1])
                : verb_prepare_app_path(argv[1], argv[2], &err);
    else if (strcmp(verb, "set-tool-env") == 0 && argc >= 2 && argc % 2 == 0)
        r = !safe_path(argv[1]) ? og_error_set(&err, OG_E_UNSAFE_ARG, "unsafe path \"%s\"", argv[1])
                                : verb_set_tool_env(argc - 1, argv + 1, &err);
    else
        r = cmdkit_unknown(&err, verb);
    return r < 0 ? om_fail(PI_TOOL, r, &err) : 0;
}
