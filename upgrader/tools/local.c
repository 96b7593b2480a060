/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * `gs_upgradectl --local VERB ...`: the node-local worker the upgrader runs
 * on every node through the transport (openGauss's script/local workers).
 * It trusts nothing in its environment (a local run has a clean one): every
 * path comes in argv, absolute, without "..". Success prints what the verb
 * yields (or nothing); failure prints "[CODE] : detail" on stderr, exit 1.
 *
 *   disk LIMIT PATH...     every filesystem of PATHs below LIMIT% used
 *   sha256 DIR             every .sha256 in DIR matches its tarball
 *   om-kernel GPHOME APP   OM tools and <APP>_<commit> from one package
 *   kerberos DIR           DIR/auth_config/mppdb-site.xml absent
 *   app-size APP, backup-space PGHOST, writable DATADIR   the other pre-checks
 *   checks N VERB ARG... [N VERB ARG...]   several pre-check verbs in one
 *                          call, each answered on stdout (verb_checks)
 *   put PATH MODE          stdin (<= 64 MiB: a catalog SQL file) -> PATH,
 *                          crash-safe, dirs 0700; MODE octal, at most 0777
 *   rm PATH...             remove files or directory trees (absent is fine)
 *   dump DIR               DIR's journal files as JSON (jdist_dump's bounds)
 *   relink LINK TARGET     LINK -> TARGET atomically (symlink + rename); TARGET
 *                          must be a directory; LINK must not be a real directory
 *   copy SRC DST           copy a file crash-safely (mode kept)
 *   backup-conf DATADIR DIR   DATADIR's *.conf files into DIR (kept if there)
 *   restore-conf DIR DATADIR  DIR's *.conf files back into DATADIR; DIR
 *                          missing or without one: OGUP-60093 (the caller asks
 *                          only for a backup the journal records)
 *   install-app GPHOME APP    GPHOME's server package installed as APP
 *   carry-app FROM TO         what an app carries (appinstall.h) FROM -> TO
 *   backup-app FROM TO        the same, an entry already in TO kept
 *   restore-app FROM TO       carry-app; FROM absent: nothing to restore
 *   backup-catalog APP DATADIR LIST OLDNUM   the physical catalog backup
 *   restore-catalog DATADIR   ... put back;   clean-catalog DATADIR  ... removed
 *   adopt-backup DIR          openGauss's own backups in DIR into ogup's layout
 *   conf-bak-old DATADIR      grey: postgresql.conf kept as postgresql.conf.bak.old
 *   conf-restore-old DATADIR  ... put back;   conf-clean-old DATADIR  ... removed
 *   switch-dn LINK TARGET DATADIR   grey: the instance killed unless it runs
 *                             TARGET's build, then LINK -> TARGET
 *   stop-primary APP DATADIR  --rolling: gs_ctl stop -m fast, then print where
 *                             its WAL ends (pg_controldata's latest checkpoint)
 *   promote-after APP DATADIR LSN   --rolling: once this standby replayed past
 *                             LSN, gs_ctl failover
 */
#include <dirent.h>
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "appinstall.h"
#include "catalogphys.h"
#include "command.h"
#include "dynbuf.h"
#include "fs.h"
#include "greylocal.h"
#include "inplace.h"
#include "jdist.h"
#include "omtools.h"
#include "parse.h"
#include "precheck.h"
#include "upgradectl.h"
#include "banned.h"

#define PUT_MAX (64u << 20) /* the largest thing put carries: a catalog SQL file */

static bool safe_path(const char *p)
{
    return p[0] == '/' && !strstr(p, "/../") &&
           strcmp(p + strlen(p) - (strlen(p) >= 3 ? 3 : 0), "/..") != 0;
}

static int check_paths(char **paths, int n, struct og_error *err)
{
    for (int i = 0; i < n; i++)
        if (!safe_path(paths[i]))
            return og_error_set(err, OG_E_UNSAFE_ARG, "unsafe path \"%s\"", paths[i]);
    return 0;
}

static int read_stdin(struct dynbuf *in, const char *what, struct og_error *err)
{
    char buf[65536];
    ssize_t k;

    dynbuf_init(in, PUT_MAX);
    while ((k = read(STDIN_FILENO, buf, sizeof(buf))) != 0) {
        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0)
            return og_error_set_errno(err, OG_E_READ_FAILED, errno, "Failed to read stdin.");
        if (dynbuf_append(in, buf, (size_t)k) < 0)
            return og_error_set(err, OG_E_TOO_LARGE, "input for %s over %u bytes", what, PUT_MAX);
    }
    return 0;
}

/* MODE of put / put-files: octal permission bits, at most 0777. */
static int parse_mode(const char *verb, const char *s, unsigned *ret, struct og_error *err)
{
    if (safe_atou_base(s, 8, ret) < 0 || *ret > 0777)
        return og_error_set(err, OG_E_PARAM_INVALID, "%s: mode \"%s\"", verb, s);
    return 0;
}

static int put_one(const char *path, const char *data, size_t len, unsigned mode,
                   struct og_error *err)
{
    char dir[PATH_MAX];
    int r;

    snprintf(dir, sizeof(dir), "%s", path);
    r = fs_mkdir_p(dirname(dir), 0700, err);
    if (r == 0)
        r = fs_replace_file(path, data, len, (mode_t)mode, err);
    return r;
}

static int verb_put(const char *path, const char *mode_s, struct og_error *err)
{
    _cleanup_dynbuf_ struct dynbuf in = {0};
    unsigned mode;
    int r = parse_mode("put", mode_s, &mode, err);

    if (r == 0)
        r = read_stdin(&in, path, err);
    return r < 0 ? r : put_one(path, in.buf ? in.buf : "", in.len, mode, err);
}

/* put-files MODE PATH LEN [PATH LEN]...: stdin holds the files one after
 * another; each is replaced in turn, in the order given (a journal record's
 * files, its manifest last), LEN "-" removes PATH. Every length is checked
 * against stdin before anything is written. One process per node for a
 * whole journal record, where put took one per file. */
static int verb_put_files(char **a, int n, struct og_error *err)
{
    _cleanup_dynbuf_ struct dynbuf in = {0};
    _cleanup_free_ int *lens = NULL; /* per file; -1: remove it */
    unsigned mode;
    size_t total = 0, off = 0;
    int r;

    if (n < 3 || n % 2 == 0)
        return og_error_set(err, OG_E_PARAM_INVALID,
                            "gs_upgradectl --local put-files MODE PATH LEN [PATH LEN]...");
    lens = calloc((size_t)n / 2, sizeof(*lens));
    if (!lens)
        return og_error_set(err, OG_E_NOMEM, "put-files");
    r = parse_mode("put-files", a[0], &mode, err);
    if (r < 0)
        return r;
    for (int i = 1; i < n; i += 2) {
        int *len = &lens[i / 2];
        if (!safe_path(a[i]))
            return og_error_set(err, OG_E_UNSAFE_ARG, "unsafe path \"%s\"", a[i]);
        if (strcmp(a[i + 1], "-") == 0)
            *len = -1;
        else if (safe_atoi(a[i + 1], len) < 0 || *len < 0)
            return og_error_set(err, OG_E_PARAM_INVALID, "put-files: length \"%s\" of \"%s\"",
                                a[i + 1], a[i]);
        else
            total += (size_t)*len;
    }
    r = read_stdin(&in, a[1], err);
    if (r == 0 && in.len != total)
        r = og_error_set(err, OG_E_CONTENT_INVALID,
                         "put-files: %zu bytes on stdin for files of %zu bytes: nothing written",
                         in.len, total);
    for (int i = 1; r == 0 && i < n; i += 2) {
        int len = lens[i / 2];
        if (len < 0) {
            if (unlink(a[i]) < 0 && errno != ENOENT)
                r = og_error_set_errno(err, OG_E_WRITE_FAILED, errno, "removing \"%s\"", a[i]);
            continue;
        }
        r = put_one(a[i], in.buf ? in.buf + off : "", (size_t)len, mode, err);
        off += (size_t)len;
    }
    return r;
}

static int verb_rm(char **paths, int n, struct og_error *err)
{
    for (int i = 0; i < n; i++) {
        _cleanup_command_ struct command *c = command_newl("rm", "-rf", "--", paths[i], NULL);
        struct command_result res = {0};
        int r = c ? command_run(c, &res, err) : og_error_set(err, OG_E_NOMEM, "rm");
        if (r == 0 && res.exit_status != 0)
            r = og_error_set(err, OG_E_EXEC_FAILED, "Failed to execute the command: rm -rf %s: %s",
                             paths[i], res.err);
        command_result_done(&res);
        if (r < 0)
            return r;
    }
    return 0;
}

static int verb_relink(const char *link, const char *target, struct og_error *err)
{
    char tmp[PATH_MAX + 16];
    struct stat st;

    if (stat(target, &st) < 0 || !S_ISDIR(st.st_mode))
        return og_error_set(err, OG_E_NOT_EXIST, "The %s does not exist.", target);
    if (lstat(link, &st) == 0 && !S_ISLNK(st.st_mode))
        return og_error_set(err, OG_E_NOT_SYMLINK, "$GAUSSHOME is not a symbolic link: %s.", link);
    snprintf(tmp, sizeof(tmp), "%s.ogup-tmp", link);
    unlink(tmp);
    {
        /* beside the link: a relative link, as the install makes it */
        const char *ls = strrchr(link, '/'), *ts = strrchr(target, '/');
        if (ls && ts && ls - link == ts - target && strncmp(link, target, (size_t)(ls - link)) == 0)
            target = ts + 1;
    }
    if (symlink(target, tmp) < 0 || rename(tmp, link) < 0) {
        int e = errno;
        unlink(tmp);
        return og_error_set_errno(err, OG_E_SWITCH_LINK, e,
                                  "Failed to switch the symbolic link %s.", link);
    }
    {
        char dir[PATH_MAX];
        snprintf(dir, sizeof(dir), "%s", link);
        return fs_fsync_dir(dirname(dir), err);
    }
}

static int copy_file(const char *src, const char *dst, struct og_error *err)
{
    _cleanup_free_ char *text = NULL;
    struct stat st;
    size_t n = 0;
    int r;

    if (stat(src, &st) < 0 || !S_ISREG(st.st_mode))
        return og_error_set(err, OG_E_NOT_EXIST, "The %s does not exist.", src);
    r = fs_read_file(src, 64u << 20, &text, &n, err);
    if (r == 0)
        r = fs_replace_file(dst, text ? text : "", n, st.st_mode & 0777, err);
    return r;
}

/* Copy the *.conf files of from into to (created 0700). keep: a file that
 * is already in to is kept (a backup taken once is not overwritten). */
static int copy_confs(const char *from, const char *to, bool keep, struct og_error *err)
{
    _cleanup_closedir_ DIR *d = opendir(from);
    struct dirent *de;
    size_t copied = 0;
    int r;

    if (!d && errno == ENOENT && !keep)
        return og_error_set(err, OG_E_BACKUP_MISSING, "\"%s\" (the configuration)", from);
    if (!d)
        return og_error_set_errno(err, OG_E_NOT_EXIST, errno, "The %s does not exist.", from);
    r = fs_mkdir_p(to, 0700, err);
    while (r == 0 && (de = readdir(d))) {
        size_t len = strlen(de->d_name);
        char src[PATH_MAX], dst[PATH_MAX];
        _cleanup_free_ char *text = NULL;
        size_t n = 0;
        struct stat st;
        if (len < 6 || strcmp(de->d_name + len - 5, ".conf") != 0 || de->d_name[0] == '.')
            continue;
        snprintf(src, sizeof(src), "%s/%s", from, de->d_name);
        snprintf(dst, sizeof(dst), "%s/%s", to, de->d_name);
        if (lstat(src, &st) < 0 || !S_ISREG(st.st_mode) || (keep && access(dst, F_OK) == 0))
            continue;
        r = fs_read_file(src, 64u << 20, &text, &n, err);
        if (r == 0)
            r = fs_replace_file(dst, text ? text : "", n, st.st_mode & 0777, err);
        copied++;
    }
    if (r == 0 && !keep && copied == 0)
        return og_error_set(err, OG_E_BACKUP_MISSING, "\"%s\" holds no *.conf", from);
    return r;
}

static int verb_install_app(char **a, struct og_error *err)
{
    return appinstall_install(a[0], a[1], err);
}

static int verb_carry_app(char **a, struct og_error *err)
{
    return appinstall_carry(a[0], a[1], false, err);
}

static int verb_restore_app(char **a, struct og_error *err)
{
    return appinstall_restore(a[0], a[1], err);
}

static int verb_backup_app(char **a, struct og_error *err)
{
    return appinstall_carry(a[0], a[1], true, err);
}

static int verb_backup_catalog(char **a, struct og_error *err)
{
    int old = 0;

    if (safe_atoi(a[3], &old) < 0 || old <= 0)
        return og_error_set(err, OG_E_PARAM_INVALID, "old kernel number \"%s\"", a[3]);
    return catalogphys_backup(a[0], a[1], a[2], old, err);
}

static int verb_restore_catalog(char **a, struct og_error *err)
{
    return catalogphys_restore(a[0], err);
}

static int verb_adopt_backup(char **a, struct og_error *err)
{
    return inplace_adopt_local(a[0], err);
}

static int verb_clean_catalog(char **a, struct og_error *err)
{
    return catalogphys_clean(a[0], err);
}

static int verb_conf_bak_old(char **a, struct og_error *err)
{
    return grey_local_conf_backup(a[0], err);
}

static int verb_conf_restore_old(char **a, struct og_error *err)
{
    return grey_local_conf_restore(a[0], err);
}

static int verb_conf_clean_old(char **a, struct og_error *err)
{
    return grey_local_conf_clean(a[0], err);
}

static int verb_switch_dn(char **a, struct og_error *err)
{
    bool killed = false;
    int r = grey_local_kill_other(a[1], a[2], &killed, err);

    if (r == 0)
        r = verb_relink(a[0], a[1], err);
    if (r == 0)
        printf("%s\n", killed ? "killed" : "kept");
    return r;
}

static int verb_stop_primary(char **a, struct og_error *err)
{
    char lsn[32];
    int r = grey_local_stop_primary(a[0], a[1], lsn, sizeof(lsn), err);

    if (r == 0)
        printf("%s\n", lsn);
    return r;
}

static int verb_promote_after(char **a, struct og_error *err)
{
    return grey_local_promote_after(a[0], a[1], a[2], err);
}

/* verbs with a fixed number of arguments; the last `plain` ones are not paths */
static const struct {
    const char *name;
    int nargs, plain;
    int (*fn)(char **args, struct og_error *err);
} verbs[] = {
    {"install-app", 2, 0, verb_install_app},
    {"carry-app", 2, 0, verb_carry_app},
    {"backup-app", 2, 0, verb_backup_app},
    {"restore-app", 2, 0, verb_restore_app},
    {"backup-catalog", 4, 1, verb_backup_catalog},
    {"restore-catalog", 1, 0, verb_restore_catalog},
    {"clean-catalog", 1, 0, verb_clean_catalog},
    {"adopt-backup", 1, 0, verb_adopt_backup},
    {"conf-bak-old", 1, 0, verb_conf_bak_old},
    {"conf-restore-old", 1, 0, verb_conf_restore_old},
    {"conf-clean-old", 1, 0, verb_conf_clean_old},
    {"switch-dn", 3, 0, verb_switch_dn},
    {"stop-primary", 2, 0, verb_stop_primary},
    {"promote-after", 3, 1, verb_promote_after},
};

/* A verb of the table: true when it is one (*ret its result). */
static bool local_table_verb(const char *verb, int argc, char **argv, int *ret,
                             struct og_error *err)
{
    for (size_t i = 0; i < ELEMENTSOF(verbs); i++) {
        if (strcmp(verb, verbs[i].name) != 0 || argc - 1 != verbs[i].nargs)
            continue;
        *ret = check_paths(argv + 1, verbs[i].nargs - verbs[i].plain, err);
        if (*ret == 0)
            *ret = verbs[i].fn(argv + 1, err);
        return true;
    }
    return false;
}

/* A pre-check verb (read-only; its answer is its error or none): true when
 * it is one (*ret its result). LIMIT, disk's first argument, is no path. */
static bool local_check_verb(int argc, char **argv, int *ret, struct og_error *err)
{
    const char *verb = argv[0];
    bool disk = strcmp(verb, "disk") == 0;
    int limit = 0;

    if (!(disk && argc >= 3) && !(strcmp(verb, "om-kernel") == 0 && argc == 3) &&
        !((strcmp(verb, "sha256") == 0 || strcmp(verb, "kerberos") == 0 ||
           strcmp(verb, "app-size") == 0 || strcmp(verb, "backup-space") == 0 ||
           strcmp(verb, "writable") == 0) &&
          argc == 2))
        return false;
    if ((*ret = check_paths(argv + 1 + disk, argc - 1 - disk, err)) < 0)
        return true;
    if (disk && safe_atoi(argv[1], &limit) < 0)
        *ret =
            og_error_set(err, OG_E_PARAM_INVALID, "gs_upgradectl --local disk: limit %s", argv[1]);
    else if (disk)
        *ret = precheck_local_disk((const char *const *)argv + 2, (size_t)argc - 2, limit, err);
    else if (strcmp(verb, "sha256") == 0)
        *ret = precheck_local_sha256(argv[1], err);
    else if (strcmp(verb, "om-kernel") == 0)
        *ret = precheck_local_om_kernel(argv[1], argv[2], err);
    else if (strcmp(verb, "kerberos") == 0)
        *ret = precheck_local_kerberos(argv[1], err);
    else if (strcmp(verb, "app-size") == 0)
        *ret = precheck_local_app_size(argv[1], err);
    else if (strcmp(verb, "backup-space") == 0)
        *ret = precheck_local_backup_space(argv[1], err);
    else
        *ret = precheck_local_writable(argv[1], err);
    return true;
}

/* checks N VERB ARG... [N VERB ARG...]: several pre-check verbs in one call
 * (one session and one process per node for all of them), each group N
 * words long; each answered on stdout, in order, as "ogup-check RC LEN\n"
 * and the LEN bytes it would have printed on stderr alone (its error line,
 * none on success). A malformed group list is this call's own error. */
static int verb_checks(int argc, char **argv, struct og_error *err)
{
    for (int i = 0; i < argc;) {
        char msg[OG_ERROR_DETAIL_MAX + 64];
        struct og_error ce = {0};
        const char *text = "";
        int k = 0, r = 0;

        if (safe_atoi(argv[i], &k) < 0 || k < 1 || k > argc - i - 1)
            return og_error_set(err, OG_E_PARAM_INVALID,
                                "gs_upgradectl --local checks: group %d has no valid size", i);
        if (!local_check_verb(k, argv + i + 1, &r, &ce))
            r = og_error_set(&ce, OG_E_PARAM_INVALID,
                             "gs_upgradectl --local: unknown verb or arguments: %s", argv[i + 1]);
        if (r < 0)
            text = og_error_format(&ce, msg, sizeof(msg));
        printf("ogup-check %d %zu\n%s", r, strlen(text), text);
        i += k + 1;
    }
    return fflush(stdout) == 0 ? 0 : og_error_set(err, OG_E_WRITE_FAILED, "stdout");
}

int upgradectl_local(int argc, char **argv)
{
    struct og_error err = {0};
    const char *verb = argc > 0 ? argv[0] : "";
    int r;

    /* before anything is opened: the worker runs as the cluster user */
    if ((r = precheck_not_root(NULL, &err)) < 0)
        ; /* GAUSS-50105 */
    else if (argc < 2)
        r = og_error_set(&err, OG_E_PARAM_REQUIRED,
                         "gs_upgradectl --local: verb and arguments "
                         "required");
    else if (local_table_verb(verb, argc, argv, &r, &err))
        ;
    else if (local_check_verb(argc, argv, &r, &err))
        ;
    else if (strcmp(verb, "checks") == 0)
        r = verb_checks(argc - 1, argv + 1, &err);
    else if (strcmp(verb, "put-files") == 0) /* checks its paths itself */
        r = verb_put_files(argv + 1, argc - 1, &err);
    else if ((r = check_paths(argv + 1, argc - 1 - (strcmp(verb, "put") == 0), &err)) < 0)
        ;
    else if (strcmp(verb, "put") == 0 && argc == 3)
        r = verb_put(argv[1], argv[2], &err);
    else if (strcmp(verb, "relink") == 0 && argc == 3)
        r = verb_relink(argv[1], argv[2], &err);
    else if (strcmp(verb, "copy") == 0 && argc == 3)
        r = copy_file(argv[1], argv[2], &err);
    else if (strcmp(verb, "backup-conf") == 0 && argc == 3)
        r = copy_confs(argv[1], argv[2], true, &err);
    else if (strcmp(verb, "restore-conf") == 0 && argc == 3)
        r = copy_confs(argv[1], argv[2], false, &err);
    else if (strcmp(verb, "rm") == 0)
        r = verb_rm(argv + 1, argc - 1, &err);
    else if (strcmp(verb, "dump") == 0 && argc == 2) {
        _cleanup_dynbuf_ struct dynbuf out = {0};
        dynbuf_init(&out, JOURNAL_DUMP_MAX);
        r = jdist_dump(argv[1], &out, &err);
        if (r == 0)
            fputs(dynbuf_str(&out), stdout);
    } else
        r = og_error_set(&err, OG_E_PARAM_INVALID,
                         "gs_upgradectl --local: unknown verb or "
                         "arguments: %s",
                         verb);
    return og_error_report(&err, OG_ACTION_UPGRADE, r);
}
