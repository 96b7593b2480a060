/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * journal_reconcile.c - the copies of the journal held by several nodes:
 * what each node holds (journal_view), ogup's manifest of generations
 * (ogup_manifest) and the reconciliation of the copies (journal.h).
 *
 * Why generations: the journal is written on this node, then copied to
 * every other node file by file. A node powered off, or an upgrader killed,
 * between two copies leaves copies that differ; a record that only says
 * "different" refuses every later run. Each write therefore gives the file
 * written the next generation in the writer's manifest, which reaches every
 * other node after the file: per file, the copy whose bytes are what its
 * node's manifest says, at the highest generation, is the newest. A copy a
 * node never got stands at its older generation; a copy that arrived
 * without its manifest, or a manifest without its copy, is torn. Both lose.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fs.h"
#include "journal.h"
#include "journal_int.h"
#include "banned.h"

#define MANIFEST_HEADER "ogup-manifest 1"
#define MANIFEST_MAX    (16 * 1024)

/* Reconciled on every node (the parsed upgrade_step.csv, upgrade_step.dat
 * and record_app_directory first), each because a difference changes what
 * a resume or a rollback does:
 *   upgrade_step.csv      grey: each node's step
 *   upgrade_step.dat      the step openGauss's tools resume or undo from
 *   record_app_directory  the old and the new app
 *   old_upgrade_version   the release a rollback returns to
 *   inplace_upgrade_flag  the kernel numbers: large or small, -u N
 *   touch_init_flag       whether the catalog must be rolled back
 *   ogup_step             the step to resume or undo from
 *   ogup_frozen_gucs      the GUCs every later step and the rollback check
 *   ogup_catalog_done     which databases the catalog SQL is done on
 *   ogup_roles            the roles a stopped cluster is started with
 *   ogup_catalog_files    what the physical catalog backup and restore take
 *   ogup_backup_done      whether the configuration backup must be there
 *   ogup_grey_nodes       grey: the batch under way
 * commitFlagFile is OR'ed (journal_reconcile), never ordered. */
const char *const journal_managed_files[] = {
    JOURNAL_STEPS_FILE,      JOURNAL_DAT_FILE,           JOURNAL_APPDIR_FILE,
    JOURNAL_OLDVER_FILE,     JOURNAL_INPLACE_FILE,       JOURNAL_TOUCH_INIT,
    JOURNAL_OGUP_STEP,       JOURNAL_OGUP_FROZEN,        JOURNAL_OGUP_CATALOG_DONE,
    JOURNAL_OGUP_ROLES,      JOURNAL_OGUP_CATALOG_FILES, JOURNAL_OGUP_BACKUP_DONE,
    JOURNAL_OGUP_GREY_NODES,
};
const size_t journal_n_managed = ELEMENTSOF(journal_managed_files);
_Static_assert(ELEMENTSOF(journal_managed_files) <= JOURNAL_MANAGED_MAX, "journal_view");

enum { F_STEPS, F_DAT, F_APPDIRS }; /* the parsed ones, first in the list */

int journal_managed_index(const char *name)
{
    for (size_t i = 0; name && i < journal_n_managed; i++)
        if (strcmp(journal_managed_files[i], name) == 0)
            return (int)i;
    return -1;
}

/* FNV-1a: which write a copy is, not a defence against forgery */
unsigned long long journal_digest(const void *data, size_t len)
{
    const unsigned char *s = data;
    unsigned long long h = 14695981039346656037ULL;

    for (size_t i = 0; i < len; i++)
        h = (h ^ s[i]) * 1099511628211ULL;
    return h;
}

/* ---- the manifest -------------------------------------------------------------- */

static bool parse_gen(const char *s, size_t len, unsigned long long *ret)
{
    unsigned long long v = 0;

    if (len == 0 || len > 18)
        return false;
    for (size_t i = 0; i < len; i++) {
        if (!isdigit((unsigned char)s[i]))
            return false;
        v = v * 10 + (unsigned long long)(s[i] - '0');
    }
    *ret = v;
    return true;
}

static bool parse_digest(const char *s, size_t len, struct journal_manifest_entry *e)
{
    unsigned long long v = 0;

    if (len == 1 && s[0] == '-') {
        e->present = false;
        return true;
    }
    if (len != 16)
        return false;
    for (size_t i = 0; i < len; i++) {
        int c = tolower((unsigned char)s[i]);
        if (!isxdigit(c))
            return false;
        v = v * 16 + (unsigned long long)(isdigit(c) ? c - '0' : c - 'a' + 10);
    }
    e->present = true;
    e->digest = v;
    return true;
}

/* "<gen> <digest|-> <name>" into m; names ogup does not manage are skipped
 * (a newer ogup's), a name twice is malformed. */
static bool parse_entry(const char *line, size_t len, struct journal_manifest *m)
{
    const char *sp1 = memchr(line, ' ', len), *sp2, *name;
    struct journal_manifest_entry e = {.set = true};
    char buf[JOURNAL_NAME_MAX];
    int i;

    sp2 = sp1 ? memchr(sp1 + 1, ' ', len - (size_t)(sp1 + 1 - line)) : NULL;
    if (!sp2 || !parse_gen(line, (size_t)(sp1 - line), &e.gen) ||
        !parse_digest(sp1 + 1, (size_t)(sp2 - sp1 - 1), &e))
        return false;
    name = sp2 + 1;
    if (!journal_copy_str(buf, sizeof(buf), name, len - (size_t)(name - line)))
        return true; /* longer than any name ogup manages */
    i = journal_managed_index(buf);
    if (i < 0)
        return true;
    if (m->e[i].set)
        return false;
    m->e[i] = e;
    return true;
}

int journal_manifest_parse(const char *text, const char *origin, struct journal_manifest *ret,
                           struct og_error *err)
{
    struct journal_manifest m;
    const char *p = text, *line;
    size_t len, lineno = 1;

    memset(&m, 0, sizeof(m));
    if (!journal_next_line(&p, &line, &len) || len != strlen(MANIFEST_HEADER) ||
        memcmp(line, MANIFEST_HEADER, len) != 0)
        return og_error_set(err, OG_E_CONTENT_INVALID,
                            "the content of file %s is not correct: line 1 is not \"%s\"", origin,
                            MANIFEST_HEADER);
    while (journal_next_line(&p, &line, &len)) {
        lineno++;
        if (len > 0 && !parse_entry(line, len, &m))
            return og_error_set(err, OG_E_CONTENT_INVALID,
                                "the content of file %s is not correct: line %zu is not "
                                "\"generation digest name\" (or names a file twice)",
                                origin, lineno);
    }
    *ret = m;
    return 0;
}

int journal_manifest_format(const struct journal_manifest *m, struct dynbuf *out,
                            struct og_error *err)
{
    int r = dynbuf_appends(out, MANIFEST_HEADER "\n");

    for (size_t i = 0; r == 0 && i < journal_n_managed; i++) {
        const struct journal_manifest_entry *e = &m->e[i];
        char digest[20] = "-";

        if (!e->set)
            continue;
        if (e->present)
            snprintf(digest, sizeof(digest), "%016llx", e->digest);
        r = dynbuf_appendf(out, "%llu %s %s\n", e->gen, digest, journal_managed_files[i]);
    }
    return r < 0 ? og_error_set(err, -r, "formatting %s", JOURNAL_MANIFEST_FILE) : 0;
}

unsigned long long journal_manifest_max(const struct journal_manifest *m)
{
    unsigned long long max = 0;

    for (size_t i = 0; i < journal_n_managed; i++)
        if (m->e[i].set && m->e[i].gen > max)
            max = m->e[i].gen;
    return max;
}

static int read_manifest_text(const char *dir, char **ret, size_t *ret_len, struct og_error *err)
{
    char path[JOURNAL_PATH_MAX + 32];

    snprintf(path, sizeof(path), "%s/%s", dir, JOURNAL_MANIFEST_FILE);
    return fs_read_file(path, MANIFEST_MAX, ret, ret_len, err);
}

int journal_manifest_read(const char *dir, struct journal_manifest *ret, bool *ret_found,
                          struct og_error *err)
{
    _cleanup_free_ char *text = NULL;
    int r = read_manifest_text(dir, &text, NULL, err);

    if (ret_found)
        *ret_found = r == 0;
    if (r == -OG_E_NOT_EXIST) {
        og_error_clear(err);
        memset(ret, 0, sizeof(*ret));
        return 0;
    }
    return r < 0 ? r : journal_manifest_parse(text, JOURNAL_MANIFEST_FILE, ret, err);
}

int journal_manifest_next(const char *dir, unsigned long long *ret, struct og_error *err)
{
    struct journal_manifest m;
    int r = journal_manifest_read(dir, &m, NULL, err);

    if (r == 0)
        *ret = journal_manifest_max(&m) + 1;
    return r;
}

/* The state of dir/name: present, and the digest of its bytes. */
static int file_state(const char *dir, const char *name, bool *present, unsigned long long *digest,
                      struct og_error *err)
{
    _cleanup_free_ char *text = NULL;
    char path[JOURNAL_PATH_MAX + JOURNAL_NAME_MAX];
    size_t len = 0;
    int r;

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    r = fs_read_file(path, JOURNAL_CARRIED_MAX, &text, &len, err);
    *present = r == 0;
    if (r == -OG_E_NOT_EXIST) {
        og_error_clear(err);
        return 0;
    }
    if (r == 0)
        *digest = journal_digest(text, len);
    return r;
}

int journal_manifest_note(const char *dir, const char *const *names, size_t k,
                          unsigned long long gen, struct og_error *err)
{
    _cleanup_dynbuf_ struct dynbuf b = {0};
    struct journal_manifest m;
    char path[JOURNAL_PATH_MAX + 32];
    int r = journal_manifest_read(dir, &m, NULL, err);

    for (size_t i = 0; r == 0 && i < k; i++) {
        int f = journal_managed_index(names[i]);
        struct journal_manifest_entry e = {.set = true, .gen = gen};

        if (f < 0)
            continue; /* not ordered: commitFlagFile (OR'ed) */
        r = file_state(dir, names[i], &e.present, &e.digest, err);
        m.e[f] = e;
    }
    dynbuf_init(&b, MANIFEST_MAX);
    if (r == 0)
        r = journal_manifest_format(&m, &b, err);
    if (r < 0)
        return r;
    snprintf(path, sizeof(path), "%s/%s", dir, JOURNAL_MANIFEST_FILE);
    return fs_replace_file(path, b.buf, b.len, 0600, err);
}

/* ---- views ---------------------------------------------------------------------- */

static int load_optional(int r, bool *has, struct og_error *err)
{
    if (r == -OG_E_NOT_EXIST) {
        og_error_clear(err);
        *has = false;
        return 0;
    }
    *has = r == 0;
    return r;
}

static int load_managed(const char *dir, struct journal_view *v, struct og_error *err)
{
    _cleanup_free_ char *text = NULL;
    char path[JOURNAL_PATH_MAX + 32];
    size_t len = 0;
    int r;

    snprintf(path, sizeof(path), "%s/%s", dir, JOURNAL_COMMIT_FLAG);
    v->committed = access(path, F_OK) == 0;
    for (size_t i = 0; i < journal_n_managed; i++) {
        r = file_state(dir, journal_managed_files[i], &v->has_file[i], &v->digest[i], err);
        if (r < 0)
            return r;
    }
    r = read_manifest_text(dir, &text, &len, err);
    if (r == -OG_E_NOT_EXIST) {
        og_error_clear(err);
        return 0;
    }
    if (r == 0)
        r = journal_manifest_parse(text, JOURNAL_MANIFEST_FILE, &v->manifest, err);
    v->has_manifest = r == 0;
    v->manifest_digest = r == 0 ? journal_digest(text, len) : 0;
    return r;
}

int journal_view_load(const char *dir, const char *node, struct journal_view *ret,
                      struct og_error *err)
{
    _cleanup_free_ struct journal_view *v = calloc(1, sizeof(*v));
    struct stat st;
    int r;

    if (!v)
        return og_error_set(err, OG_E_NOMEM, "journal view");
    if (!journal_copy_str(v->node, sizeof(v->node), node, strlen(node)))
        return og_error_set(err, OG_E_INVALID_ARG, "node name \"%s\" too long", node);
    if (stat(dir, &st) < 0) {
        if (errno != ENOENT)
            return og_error_set_errno(err, OG_E_READ_FAILED, errno, "cannot stat \"%s\"", dir);
        *ret = *v;
        return 0;
    }
    v->present = true;
    r = load_optional(
        journal_read_steps_in(dir, NULL, OG_E_ACTION_MISMATCH, OG_E_STEP_NOT_DIGIT, &v->steps, err),
        &v->has_steps, err);
    if (r == 0)
        r = load_optional(journal_read_dat_in(dir, &v->dat, err), &v->has_dat, err);
    if (r == 0)
        r = load_optional(journal_read_app_dirs_in(dir, &v->app_dirs, err), &v->has_app_dirs, err);
    if (r == 0)
        r = load_managed(dir, v, err);
    if (r < 0) {
        og_error_prefix(err, "node \"%s\"", node);
        return r;
    }
    *ret = *v;
    return 0;
}

long long journal_view_gen(const struct journal_view *v, size_t i)
{
    const struct journal_manifest_entry *e = &v->manifest.e[i];

    if (!v->has_manifest || !e->set)
        return 0;
    if (e->present != v->has_file[i] || (e->present && e->digest != v->digest[i]))
        return JOURNAL_GEN_TORN;
    return (long long)e->gen;
}

/* ---- reconciliation --------------------------------------------------------------- */

static const struct journal_step_row *find_row(const struct journal_steps *s, const char *node)
{
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->rows[i].node, node) == 0)
            return &s->rows[i];
    return NULL;
}

/* Describe the first difference between a and b into buf; false when equal. */
static bool steps_differ(const struct journal_steps *a, const struct journal_steps *b, char *buf,
                         size_t size)
{
    if (strcmp(a->action, b->action) != 0) {
        snprintf(buf, size, "upgrade_step.csv upgrade_action (\"%s\" vs \"%s\")", a->action,
                 b->action);
        return true;
    }
    for (int pass = 0; pass < 2; pass++) {
        const struct journal_steps *x = pass ? b : a, *y = pass ? a : b;

        for (size_t i = 0; i < x->n; i++) {
            const struct journal_step_row *o = find_row(y, x->rows[i].node);

            if (!o) {
                snprintf(buf, size, "upgrade_step.csv row \"%s\" (only in one copy)",
                         x->rows[i].node);
                return true;
            }
            if (o->step != x->rows[i].step) {
                snprintf(buf, size, "upgrade_step.csv step of row \"%s\" (%d vs %d)",
                         x->rows[i].node, pass ? o->step : x->rows[i].step,
                         pass ? x->rows[i].step : o->step);
                return true;
            }
        }
    }
    return false;
}

static bool parsed_differ(const struct journal_view *a, const struct journal_view *b, size_t f,
                          char *buf, size_t size)
{
    bool ha = f == F_STEPS ? a->has_steps : f == F_DAT ? a->has_dat : a->has_app_dirs;
    bool hb = f == F_STEPS ? b->has_steps : f == F_DAT ? b->has_dat : b->has_app_dirs;

    if (ha != hb) {
        snprintf(buf, size, "%s (present vs absent)", journal_managed_files[f]);
        return true;
    }
    if (!ha)
        return false;
    if (f == F_STEPS)
        return steps_differ(&a->steps, &b->steps, buf, size);
    if (f == F_DAT && (strcmp(a->dat.action, b->dat.action) != 0 || a->dat.step != b->dat.step)) {
        snprintf(buf, size, "upgrade_step.dat (\"%s:%d\" vs \"%s:%d\")", a->dat.action, a->dat.step,
                 b->dat.action, b->dat.step);
        return true;
    }
    if (f == F_APPDIRS && (strcmp(a->app_dirs.old_app, b->app_dirs.old_app) != 0 ||
                           strcmp(a->app_dirs.new_app, b->app_dirs.new_app) != 0)) {
        snprintf(buf, size, "record_app_directory (\"%s\",\"%s\" vs \"%s\",\"%s\")",
                 a->app_dirs.old_app, a->app_dirs.new_app, b->app_dirs.old_app,
                 b->app_dirs.new_app);
        return true;
    }
    return false;
}

/* Whether file f differs between a and b (the parsed files by what they
 * say, the others byte for byte), described into buf. */
static bool file_differs(const struct journal_view *a, const struct journal_view *b, size_t f,
                         char *buf, size_t size)
{
    if (f <= F_APPDIRS)
        return parsed_differ(a, b, f, buf, size);
    if (a->has_file[f] != b->has_file[f] || a->digest[f] != b->digest[f]) {
        snprintf(buf, size, "%s (%s)", journal_managed_files[f],
                 a->has_file[f] != b->has_file[f] ? "present vs absent" : "content");
        return true;
    }
    return false;
}

/* ret's copy of file f is src's */
static void take_file(struct journal_view *ret, const struct journal_view *src, size_t f)
{
    ret->has_file[f] = src->has_file[f];
    ret->digest[f] = src->digest[f];
    if (f == F_STEPS) {
        ret->has_steps = src->has_steps;
        ret->steps = src->steps;
    } else if (f == F_DAT) {
        ret->has_dat = src->has_dat;
        ret->dat = src->dat;
    } else if (f == F_APPDIRS) {
        ret->has_app_dirs = src->has_app_dirs;
        ret->app_dirs = src->app_dirs;
    }
}

/* File f: the present copy of the highest generation. Copies at that
 * generation must agree. The one conflict kept (OGUP-60090): two copies
 * that differ at the same, highest, generation, which no single writer
 * makes (each write takes a new generation on its node first): two
 * upgraders over one journal from different nodes, a hand edit, or copies
 * no manifest orders (generation 0: an older ogup's journal, openGauss's
 * own, or every copy torn). */
static int reconcile_file(const struct journal_view *views, size_t n, size_t f,
                          struct journal_view *ret, struct og_error *err)
{
    size_t best = SIZE_MAX;
    long long gen = JOURNAL_GEN_TORN - 1;
    char what[1024];

    for (size_t i = 0; i < n; i++)
        if (views[i].present && journal_view_gen(&views[i], f) > gen) {
            gen = journal_view_gen(&views[i], f);
            best = i;
        }
    for (size_t i = best + 1; i < n; i++) {
        if (!views[i].present || journal_view_gen(&views[i], f) != gen ||
            !file_differs(&views[best], &views[i], f, what, sizeof(what)))
            continue;
        if (gen > 0)
            return og_error_set(err, OG_E_JOURNAL_DISAGREE,
                                "nodes \"%s\" and \"%s\" disagree on %s, both at generation %lld: "
                                "two writers",
                                views[best].node, views[i].node, what, gen);
        return og_error_set(err, OG_E_JOURNAL_DISAGREE, "nodes \"%s\" and \"%s\" disagree on %s",
                            views[best].node, views[i].node, what);
    }
    take_file(ret, &views[best], f);
    ret->from[f] = best;
    ret->gen[f] = gen;
    /* the merged manifest: the winner's generation; an unordered copy
     * everyone agrees on is taken as it is, at 0 */
    ret->manifest.e[f] = (struct journal_manifest_entry){
        .set = gen > 0 || views[best].has_file[f],
        .present = views[best].has_file[f],
        .gen = gen > 0 ? (unsigned long long)gen : 0,
        .digest = views[best].has_file[f] ? views[best].digest[f] : 0,
    };
    return 0;
}

int journal_reconcile(const struct journal_view *views, size_t n, struct journal_view *ret,
                      struct og_error *err)
{
    const struct journal_view *ref = NULL;
    struct journal_view *out;
    int r = 0;

    if (!views && n > 0)
        return og_error_set(err, OG_E_INVALID_ARG, "journal_reconcile: no views");
    for (size_t i = 0; i < n && !ref; i++)
        if (views[i].present)
            ref = &views[i];
    if (!ref) {
        memset(ret, 0, sizeof(*ret));
        return 0;
    }
    out = malloc(sizeof(*out));
    if (!out)
        return og_error_set(err, OG_E_NOMEM, "journal view");
    *out = *ref;
    memset(&out->manifest, 0, sizeof(out->manifest));
    for (size_t f = 0; r == 0 && f < journal_n_managed; f++)
        r = reconcile_file(views, n, f, out, err);
    for (size_t i = 0; i < n; i++)
        if (views[i].present && views[i].committed)
            out->committed = true;
    out->has_manifest = journal_manifest_max(&out->manifest) > 0;
    if (r == 0)
        *ret = *out;
    free(out);
    return r;
}
