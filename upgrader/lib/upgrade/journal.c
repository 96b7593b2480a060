/* SPDX-License-Identifier: MulanPSL-2.0 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fs.h"
#include "journal.h"
#include "journal_int.h"
#include "strtable.h"
#include "banned.h"

#define JOURNAL_FILE_MAX (256 * 1024) /* any one journal file */
#define STEPS_HEADER     "node_host,upgrade_action,step"

struct journal {
    char *dir;
};

/* ---- small helpers ------------------------------------------------------- */

static int path_in(const char *dir, const char *name, char **ret, struct og_error *err)
{
    if (asprintf(ret, "%s/%s", dir, name) < 0)
        return og_error_set(err, OG_E_NOMEM, "journal path");
    return 0;
}

/* Copy at most size-1 bytes; false when it does not fit. */
bool journal_copy_str(char *dst, size_t size, const char *src, size_t len)
{
    if (len >= size)
        return false;
    memcpy(dst, src, len);
    dst[len] = '\0';
    return true;
}

/* Next line of *p (without "\n" or "\r\n"); false at the end of text. */
bool journal_next_line(const char **p, const char **ret, size_t *ret_len)
{
    const char *s = *p, *nl;
    size_t len;

    if (!*s)
        return false;
    nl = strchr(s, '\n');
    len = nl ? (size_t)(nl - s) : strlen(s);
    *p = nl ? nl + 1 : s + len;
    if (len > 0 && s[len - 1] == '\r')
        len--;
    *ret = s;
    *ret_len = len;
    return true;
}

/* "-1", "0".."6" style: optional '-', then 1..6 digits. */
static bool parse_int(const char *s, size_t len, int *ret)
{
    size_t i = 0;
    int v = 0;

    if (len > 0 && s[0] == '-')
        i = 1;
    if (i == len || len - i > 6)
        return false;
    for (size_t k = i; k < len; k++) {
        if (!isdigit((unsigned char)s[k]))
            return false;
        v = v * 10 + (s[k] - '0');
    }
    *ret = i ? -v : v;
    return true;
}

static bool step_in_range(int step)
{
    return step >= JOURNAL_STEP_MIN && step <= JOURNAL_STEP_MAX;
}

/* A token we write into a file: non-empty, no separators or control chars. */
bool journal_safe_token(const char *s, const char *forbidden)
{
    if (!s || !*s)
        return false;
    for (const char *c = s; *c; c++)
        if ((unsigned char)*c < 0x20 || *c == 0x7f || strchr(forbidden, *c))
            return false;
    return true;
}

void journal_trim(const char **s, size_t *len)
{
    while (*len > 0 && isspace((unsigned char)**s)) {
        (*s)++;
        (*len)--;
    }
    while (*len > 0 && isspace((unsigned char)(*s)[*len - 1]))
        (*len)--;
}

static int read_in(const char *dir, const char *name, char **ret, struct og_error *err)
{
    _cleanup_free_ char *path = NULL;
    int r = path_in(dir, name, &path, err);

    if (r < 0)
        return r;
    return fs_read_file(path, JOURNAL_FILE_MAX, ret, NULL, err);
}

static int write_in(const char *dir, const char *name, const char *data, size_t len,
                    struct og_error *err)
{
    _cleanup_free_ char *path = NULL;
    int r = path_in(dir, name, &path, err);

    if (r < 0)
        return r;
    return fs_replace_file(path, data, len, 0600, err);
}

/* ---- open / free ----------------------------------------------------------- */

int journal_open(const char *dir, struct journal **ret, struct og_error *err)
{
    _cleanup_free_ struct journal *j = NULL;
    int r;

    if (!dir || !*dir || !ret)
        return og_error_set(err, OG_E_INVALID_ARG, "journal_open: no directory");
    r = fs_mkdir_p(dir, 0700, err);
    if (r < 0)
        return r;
    j = calloc(1, sizeof(*j));
    if (!j || !(j->dir = strdup(dir)))
        return og_error_set(err, OG_E_NOMEM, "journal \"%s\"", dir);
    *ret = steal_ptr(j);
    return 0;
}

void journal_free(struct journal *j)
{
    if (!j)
        return;
    free(j->dir);
    free(j);
}

const char *journal_dir(const struct journal *j)
{
    return j->dir;
}

/* ---- upgrade_step.csv ------------------------------------------------------ */

static int steps_parse(const char *text, const char *origin, const char *expected,
                       int mismatch_code, int notdigit_code, struct journal_steps *ret,
                       struct og_error *err)
{
    _cleanup_free_ struct journal_steps *s = calloc(1, sizeof(*s));
    const char *p = text, *line;
    size_t len, lineno = 1;

    if (!s)
        return og_error_set(err, OG_E_NOMEM, "parsing \"%s\"", origin);
    if (!journal_next_line(&p, &line, &len) || len != strlen(STEPS_HEADER) ||
        memcmp(line, STEPS_HEADER, len) != 0)
        return og_error_set(err, OG_E_CONTENT_INVALID,
                            "the content of file %s is not correct: line 1 is not \"%s\"", origin,
                            STEPS_HEADER);
    while (journal_next_line(&p, &line, &len)) {
        const char *c1, *c2;
        struct journal_step_row row = {0};
        char action[JOURNAL_NAME_MAX];

        lineno++;
        if (len == 0)
            continue; /* Python's csv.DictReader skips blank rows too */
        c1 = memchr(line, ',', len);
        c2 = c1 ? memchr(c1 + 1, ',', len - (size_t)(c1 + 1 - line)) : NULL;
        if (!c2 || memchr(c2 + 1, ',', len - (size_t)(c2 + 1 - line)) || memchr(line, '"', len))
            return og_error_set(err, OG_E_CONTENT_INVALID,
                                "the content of file %s is not correct: line %zu is not "
                                "\"node,action,step\"",
                                origin, lineno);
        if (c1 == line ||
            !journal_copy_str(row.node, sizeof(row.node), line, (size_t)(c1 - line)) ||
            c2 == c1 + 1 ||
            !journal_copy_str(action, sizeof(action), c1 + 1, (size_t)(c2 - c1 - 1)))
            return og_error_set(err, OG_E_CONTENT_INVALID,
                                "the content of file %s is not correct: line %zu: empty or "
                                "over-long node or action",
                                origin, lineno);
        if (!journal_safe_token(row.node, ",\"") || !journal_safe_token(action, ",\""))
            return og_error_set(err, OG_E_CONTENT_INVALID,
                                "the content of file %s is not correct: line %zu: a control "
                                "character in the node or action",
                                origin, lineno); /* journal_steps_format refuses them too */
        if (!parse_int(c2 + 1, len - (size_t)(c2 + 1 - line), &row.step))
            return og_error_set(err, notdigit_code,
                                "the step of node \"%s\" in %s should be digit: \"%.*s\"", row.node,
                                origin, (int)(len - (size_t)(c2 + 1 - line)), c2 + 1);
        if (!step_in_range(row.step))
            return og_error_set(err, OG_E_STEP_INVALID,
                                "the step %d of node \"%s\" in %s is not in [%d..%d]", row.step,
                                row.node, origin, JOURNAL_STEP_MIN, JOURNAL_STEP_MAX);
        if (expected && strcmp(action, expected) != 0)
            return og_error_set(err, mismatch_code,
                                "input upgrade type [%s] is not same with record upgrade type "
                                "[%s] (node \"%s\" in %s)",
                                expected, action, row.node, origin);
        if (s->n > 0 && strcmp(action, s->action) != 0)
            return og_error_set(err, mismatch_code,
                                "%s records upgrade type [%s] for node \"%s\" but [%s] for "
                                "node \"%s\"",
                                origin, s->action, s->rows[0].node, action, row.node);
        for (size_t i = 0; i < s->n; i++)
            if (strcmp(s->rows[i].node, row.node) == 0)
                return og_error_set(err, OG_E_CONTENT_INVALID,
                                    "the content of file %s is not correct: node \"%s\" "
                                    "listed twice",
                                    origin, row.node);
        if (s->n == JOURNAL_NODES_MAX)
            return og_error_set(err, OG_E_TOO_LARGE, "%s has more than %d rows", origin,
                                JOURNAL_NODES_MAX);
        if (s->n == 0)
            memcpy(s->action, action, sizeof(action));
        s->rows[s->n++] = row;
    }
    *ret = *s;
    return 0;
}

int journal_steps_parse(const char *text, const char *origin, const char *expected_action,
                        struct journal_steps *ret, struct og_error *err)
{
    return steps_parse(text, origin, expected_action, OG_E_ACTION_MISMATCH, OG_E_STEP_NOT_DIGIT,
                       ret, err);
}

int journal_steps_format(const struct journal_steps *s, struct dynbuf *out, struct og_error *err)
{
    int r;

    if (s->n > JOURNAL_NODES_MAX || (s->n > 0 && !journal_safe_token(s->action, ",\"")))
        return og_error_set(err, OG_E_INVALID_ARG, "upgrade_step.csv: bad action or row count");
    for (size_t i = 0; i < s->n; i++) {
        if (!journal_safe_token(s->rows[i].node, ",\"") || !step_in_range(s->rows[i].step))
            return og_error_set(err, OG_E_INVALID_ARG, "upgrade_step.csv: bad row %zu (\"%s\")",
                                i + 1, s->rows[i].node);
        for (size_t k = 0; k < i; k++)
            if (strcmp(s->rows[k].node, s->rows[i].node) == 0)
                return og_error_set(err, OG_E_INVALID_ARG,
                                    "upgrade_step.csv: node \"%s\" listed twice", s->rows[i].node);
    }
    r = dynbuf_appends(out, STEPS_HEADER "\r\n");
    for (size_t i = 0; r == 0 && i < s->n; i++)
        r = dynbuf_appendf(out, "%s,%s,%d\r\n", s->rows[i].node, s->action, s->rows[i].step);
    return r < 0 ? og_error_set(err, -r, "formatting upgrade_step.csv") : 0;
}

int journal_write_steps(struct journal *j, const struct journal_steps *s, struct og_error *err)
{
    _cleanup_dynbuf_ struct dynbuf b = {0};
    int r;

    dynbuf_init(&b, JOURNAL_FILE_MAX);
    r = journal_steps_format(s, &b, err);
    if (r < 0)
        return r;
    return write_in(j->dir, JOURNAL_STEPS_FILE, b.buf, b.len, err);
}

int journal_read_steps_in(const char *dir, const char *expected, int mismatch_code,
                          int notdigit_code, struct journal_steps *ret, struct og_error *err)
{
    _cleanup_free_ char *text = NULL, *path = NULL;
    int r = path_in(dir, JOURNAL_STEPS_FILE, &path, err);

    if (r == 0)
        r = fs_read_file(path, JOURNAL_FILE_MAX, &text, NULL, err);
    if (r < 0)
        return r;
    return steps_parse(text, path, expected, mismatch_code, notdigit_code, ret, err);
}

int journal_read_steps(struct journal *j, const char *expected_action, struct journal_steps *ret,
                       struct og_error *err)
{
    return journal_read_steps_in(j->dir, expected_action, OG_E_ACTION_MISMATCH, OG_E_STEP_NOT_DIGIT,
                                 ret, err);
}

int journal_steps_set(struct journal_steps *s, const char *node, int step, struct og_error *err)
{
    if (!step_in_range(step))
        return og_error_set(err, OG_E_STEP_INVALID, "step %d is not in [%d..%d]", step,
                            JOURNAL_STEP_MIN, JOURNAL_STEP_MAX);
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->rows[i].node, node) == 0) {
            s->rows[i].step = step;
            return 0;
        }
    return og_error_set(err, OG_E_NODE_UNKNOWN, "node \"%s\" has no row in upgrade_step.csv", node);
}

/* ---- upgrade_step.dat ------------------------------------------------------ */

int journal_write_dat(struct journal *j, const char *action, int step, struct og_error *err)
{
    char line[JOURNAL_NAME_MAX + 16];
    int n;

    if (!journal_safe_token(action, ":") || strlen(action) >= JOURNAL_NAME_MAX)
        return og_error_set(err, OG_E_INVALID_ARG, "upgrade_step.dat: bad action");
    if (!step_in_range(step))
        return og_error_set(err, OG_E_STEP_INVALID, "step %d is not in [%d..%d]", step,
                            JOURNAL_STEP_MIN, JOURNAL_STEP_MAX);
    n = snprintf(line, sizeof(line), "%s:%d\n", action, step);
    return write_in(j->dir, JOURNAL_DAT_FILE, line, (size_t)n, err);
}

static int dat_parse(const char *text, const char *origin, struct journal_dat *ret,
                     struct og_error *err)
{
    struct journal_dat d = {0};
    const char *p = text, *line, *colon, *a, *s;
    size_t len, alen, slen;

    if (!journal_next_line(&p, &line, &len) || *p)
        return og_error_set(err, OG_E_CONTENT_INVALID,
                            "the content of file %s is not correct: not one line", origin);
    colon = memchr(line, ':', len);
    if (!colon || memchr(colon + 1, ':', len - (size_t)(colon + 1 - line)))
        return og_error_set(err, OG_E_CONTENT_INVALID,
                            "the content of file %s is not correct: not \"action:step\"", origin);
    a = line;
    alen = (size_t)(colon - line);
    s = colon + 1;
    slen = len - alen - 1;
    journal_trim(&a, &alen);
    journal_trim(&s, &slen);
    if (alen == 0 || !journal_copy_str(d.action, sizeof(d.action), a, alen))
        return og_error_set(err, OG_E_CONTENT_INVALID,
                            "the content of file %s is not correct: empty or over-long action",
                            origin);
    /* openGauss getNodeStepInplace: a non-digit or out-of-range step is 51633 */
    if (!parse_int(s, slen, &d.step) || !step_in_range(d.step))
        return og_error_set(err, OG_E_STEP_INVALID, "the step \"%.*s\" in %s is invalid", (int)slen,
                            s, origin);
    *ret = d;
    return 0;
}

int journal_read_dat_in(const char *dir, struct journal_dat *ret, struct og_error *err)
{
    _cleanup_free_ char *text = NULL;
    int r = read_in(dir, JOURNAL_DAT_FILE, &text, err);

    return r < 0 ? r : dat_parse(text, JOURNAL_DAT_FILE, ret, err);
}

int journal_read_dat(struct journal *j, struct journal_dat *ret, struct og_error *err)
{
    return journal_read_dat_in(j->dir, ret, err);
}

/* ---- record_app_directory -------------------------------------------------- */

int journal_write_app_dirs(struct journal *j, const char *old_app, const char *new_app,
                           struct og_error *err)
{
    _cleanup_free_ char *text = NULL;
    int n;

    if (!journal_safe_token(old_app, "") || !journal_safe_token(new_app, "") || old_app[0] != '/' ||
        new_app[0] != '/' || strlen(old_app) >= JOURNAL_PATH_MAX ||
        strlen(new_app) >= JOURNAL_PATH_MAX)
        return og_error_set(err, OG_E_INVALID_ARG, "record_app_directory: bad app path");
    n = asprintf(&text, "%s\n%s\n", old_app, new_app);
    if (n < 0)
        return og_error_set(err, OG_E_NOMEM, "record_app_directory");
    return write_in(j->dir, JOURNAL_APPDIR_FILE, text, (size_t)n, err);
}

static int app_dirs_parse(const char *text, const char *origin, struct journal_app_dirs *ret,
                          struct og_error *err)
{
    _cleanup_free_ struct journal_app_dirs *d = calloc(1, sizeof(*d));
    const char *p = text, *line;
    size_t len;
    int n = 0;

    if (!d)
        return og_error_set(err, OG_E_NOMEM, "parsing \"%s\"", origin);
    while (journal_next_line(&p, &line, &len)) {
        char *dst = n == 0 ? d->old_app : d->new_app;

        if (++n > 2 || len == 0 || line[0] != '/' ||
            !journal_copy_str(dst, JOURNAL_PATH_MAX, line, len))
            return og_error_set(err, OG_E_CONTENT_INVALID,
                                "the content of file %s is not correct: line %d", origin, n);
    }
    if (n != 2)
        return og_error_set(err, OG_E_CONTENT_INVALID,
                            "the content of file %s is not correct: %d lines, not 2", origin, n);
    *ret = *d;
    return 0;
}

int journal_read_app_dirs_in(const char *dir, struct journal_app_dirs *ret, struct og_error *err)
{
    _cleanup_free_ char *text = NULL;
    int r = read_in(dir, JOURNAL_APPDIR_FILE, &text, err);

    return r < 0 ? r : app_dirs_parse(text, JOURNAL_APPDIR_FILE, ret, err);
}

int journal_read_app_dirs(struct journal *j, struct journal_app_dirs *ret, struct og_error *err)
{
    return journal_read_app_dirs_in(j->dir, ret, err);
}

/* ---- old_upgrade_version --------------------------------------------------- */

int journal_write_old_version(struct journal *j, const char *text, struct og_error *err)
{
    struct version_cfg v;
    int r = version_cfg_parse(text, JOURNAL_OLDVER_FILE, &v, err);

    if (r < 0)
        return r;
    return write_in(j->dir, JOURNAL_OLDVER_FILE, text, strlen(text), err);
}

int journal_read_old_version(struct journal *j, struct version_cfg *ret, struct og_error *err)
{
    _cleanup_free_ char *path = NULL;
    int r = path_in(j->dir, JOURNAL_OLDVER_FILE, &path, err);

    return r < 0 ? r : version_cfg_read(path, ret, err);
}

/* ---- inplace_upgrade_flag -------------------------------------------------- */

int journal_write_cluster_numbers(struct journal *j, const char *new_number, const char *old_number,
                                  struct og_error *err)
{
    char text[96];
    int n, v;

    if (!new_number || !old_number || strlen(new_number) >= 16 || strlen(old_number) >= 16 ||
        version_number_parse(new_number, &v) < 0 || version_number_parse(old_number, &v) < 0)
        return og_error_set(err, OG_E_VERSION_NUMBER,
                            "the cluster numbers \"%s\" and \"%s\" should be float",
                            new_number ? new_number : "", old_number ? old_number : "");
    n = snprintf(text, sizeof(text), "newClusterNumber:%s\noldClusterNumber:%s\n", new_number,
                 old_number);
    return write_in(j->dir, JOURNAL_INPLACE_FILE, text, (size_t)n, err);
}

int journal_read_cluster_numbers(struct journal *j, struct journal_cluster_numbers *ret,
                                 struct og_error *err)
{
    static const char *const keys[2] = {"newClusterNumber:", "oldClusterNumber:"};
    _cleanup_free_ char *text = NULL;
    struct journal_cluster_numbers c = {{0}, {0}};
    bool seen[2] = {false, false};
    const char *p, *line;
    size_t len;
    int r = read_in(j->dir, JOURNAL_INPLACE_FILE, &text, err), v;

    if (r < 0)
        return r;
    p = text;
    while (journal_next_line(&p, &line, &len)) {
        int k = -1;

        for (int i = 0; i < 2; i++)
            if (len >= strlen(keys[i]) && memcmp(line, keys[i], strlen(keys[i])) == 0)
                k = i;
        if (k < 0 || seen[k])
            return og_error_set(err, OG_E_CONTENT_INVALID,
                                "the content of file %s is not correct: \"%.*s\"",
                                JOURNAL_INPLACE_FILE, (int)len, line);
        seen[k] = true;
        char *dst = k == 0 ? c.new_number : c.old_number;
        if (!journal_copy_str(dst, 16, line + strlen(keys[k]), len - strlen(keys[k])) ||
            version_number_parse(dst, &v) < 0)
            return og_error_set(err, OG_E_VERSION_NUMBER,
                                "the cluster number in %s should be float: \"%.*s\"",
                                JOURNAL_INPLACE_FILE, (int)len, line);
    }
    if (!seen[0] || !seen[1])
        return og_error_set(err, OG_E_CONTENT_INVALID,
                            "the content of file %s is not correct: a cluster number is missing",
                            JOURNAL_INPLACE_FILE);
    *ret = c;
    return 0;
}

/* ---- markers --------------------------------------------------------------- */

static const char *const journal_marker_table[] = {
    [JOURNAL_MARK_TOUCH_INIT] = JOURNAL_TOUCH_INIT,
    [JOURNAL_MARK_COMMIT] = JOURNAL_COMMIT_FLAG,
};
static STRTABLE_TO_STRING(marker_name, enum journal_marker, journal_marker_table,
                          JOURNAL_TOUCH_INIT);

int journal_mark_set(struct journal *j, enum journal_marker m, struct og_error *err)
{
    return write_in(j->dir, marker_name(m), "", 0, err);
}

int journal_mark_test(struct journal *j, enum journal_marker m, struct og_error *err)
{
    _cleanup_free_ char *path = NULL;
    struct stat st;
    int r = path_in(j->dir, marker_name(m), &path, err);

    if (r < 0)
        return r;
    if (stat(path, &st) == 0)
        return 1;
    if (errno == ENOENT)
        return 0;
    return og_error_set_errno(err, OG_E_READ_FAILED, errno, "cannot stat \"%s\"", path);
}

int journal_mark_clear(struct journal *j, enum journal_marker m, struct og_error *err)
{
    _cleanup_free_ char *path = NULL;
    int r = path_in(j->dir, marker_name(m), &path, err);

    if (r < 0)
        return r;
    if (unlink(path) < 0) {
        if (errno == ENOENT)
            return 0;
        return og_error_set_errno(err, OG_E_WRITE_FAILED, errno, "cannot remove \"%s\"", path);
    }
    return fs_fsync_dir(j->dir, err);
}

/* ---- max step, isUnderUpgrade, lock ------------------------------------------ */

/* 1 non-empty, 0 empty, -ENOENT missing, other -errno. */
static int dir_state(const char *dir)
{
    _cleanup_(closedirp) DIR *d = opendir(dir);
    struct dirent *de;

    if (!d)
        return -errno;
    while ((de = readdir(d)))
        if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
            return 1;
    return 0;
}

int journal_max_step(const char *dir, const char *action, int *ret, struct og_error *err)
{
    _cleanup_free_ struct journal_steps *s = calloc(1, sizeof(*s));
    int state = dir_state(dir), r, max = JOURNAL_STEP_MIN;

    if (!s)
        return og_error_set(err, OG_E_NOMEM, "max step");
    if (state == -ENOENT) {
        *ret = JOURNAL_NO_ROLLBACK;
        return 0;
    }
    if (state < 0)
        return og_error_set_errno(err, OG_E_READ_FAILED, -state, "cannot list \"%s\"", dir);
    if (state == 0) {
        *ret = 0; /* STEP_INIT_STATUS */
        return 0;
    }
    r = journal_read_steps_in(dir, action, OG_E_CONTENT_INVALID, OG_E_STEP_INVALID, s, err);
    if (r == -OG_E_NOT_EXIST) {
        og_error_clear(err);
        *ret = JOURNAL_NO_ROLLBACK;
        return 0;
    }
    if (r < 0)
        return r;
    for (size_t i = 0; i < s->n; i++)
        if (s->rows[i].step > max)
            max = s->rows[i].step;
    *ret = max;
    return 0;
}

bool journal_under_upgrade(const char *dir)
{
    return dir_state(dir) == 1;
}

int journal_lock(const char *dir, const char *tool, struct lockfile **ret, struct og_error *err)
{
    _cleanup_free_ char *parent = strdup(dir ? dir : ""), *path = NULL;
    const char *base;
    char *slash;
    size_t n;
    int r;

    if (!parent)
        return og_error_set(err, OG_E_NOMEM, "journal lock");
    n = strlen(parent);
    while (n > 1 && parent[n - 1] == '/')
        parent[--n] = '\0';
    if (n == 0)
        return og_error_set(err, OG_E_INVALID_ARG, "journal_lock: no directory");
    /* the lock lives beside the journal directory, in its parent */
    slash = strrchr(parent, '/');
    if (!slash)
        base = ".";
    else if (slash == parent)
        base = "";
    else {
        *slash = '\0';
        base = parent;
    }
    if (asprintf(&path, "%s/%s", base, JOURNAL_LOCK_FILE) < 0)
        return og_error_set(err, OG_E_NOMEM, "journal lock");
    r = lockfile_acquire(path, tool, 0, ret, err);
    if (r == -OG_E_LOCKED)
        return og_error_set(err, OG_E_LOCK_CLUSTER,
                            "failed to lock cluster: another upgrade or OM task is running");
    return r;
}
