/* SPDX-License-Identifier: MulanPSL-2.0 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "strtable.h"
#include "upgpath.h"
#include "banned.h"

/* The versions the guide's rules name. */
static const struct version_cfg V_1_0_1 = {.major = 1, .minor = 0, .patch = 1};
static const struct version_cfg V_1_1_0 = {.major = 1, .minor = 1, .patch = 0};
static const struct version_cfg V_2_0_0 = {.major = 2, .minor = 0, .patch = 0};

static const char *const upgpath_strategy_table[] = {
    [UPGPATH_NONE] = "none",
    [UPGPATH_SMALL] = "small-binary-upgrade",
    [UPGPATH_LARGE] = "large-binary-upgrade",
    [UPGPATH_INPLACE] = "inplace-binary-upgrade",
};
STRTABLE_TO_STRING(upgpath_strategy_name, enum upgpath_strategy, upgpath_strategy_table, "none");

static const char *const upgpath_rule_table[] = {
    [UPGPATH_RULE_NONE] = "none",   [UPGPATH_RULE_SAME_COMMIT] = "same-commit",
    [UPGPATH_RULE_OLDER] = "older", [UPGPATH_RULE_NUMBER] = "number",
    [UPGPATH_RULE_STALE] = "stale", [UPGPATH_RULE_PATH_TABLE] = "path-table",
    [UPGPATH_RULE_GREY] = "grey",   [UPGPATH_RULE_MOT] = "mot",
};
STRTABLE_TO_STRING(upgpath_rule_name, enum upgpath_rule, upgpath_rule_table, "none");

static bool is_leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static bool digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!isdigit((unsigned char)s[i]))
            return false;
    return true;
}

int upgpath_date_parse(const char *text, int *ret)
{
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    size_t len;

    if (!text || !ret)
        return -OG_E_OBTAIN_VERSION;
    len = strlen(text);
    /* re.search(r'\d{4}-\d{2}-\d{2}'): the first place the pattern fits. */
    for (size_t i = 0; i + 10 <= len; i++) {
        const char *p = text + i;
        int y, m, d, dim;

        if (!digits(p, 4) || p[4] != '-' || !digits(p + 5, 2) || p[7] != '-' || !digits(p + 8, 2))
            continue;
        y = (p[0] - '0') * 1000 + (p[1] - '0') * 100 + (p[2] - '0') * 10 + (p[3] - '0');
        m = (p[5] - '0') * 10 + (p[6] - '0');
        d = (p[8] - '0') * 10 + (p[9] - '0');
        if (m < 1 || m > 12)
            return -OG_E_OBTAIN_VERSION;
        dim = mdays[m - 1] + (m == 2 && is_leap(y));
        if (d < 1 || d > dim)
            return -OG_E_OBTAIN_VERSION;
        *ret = y * 10000 + m * 100 + d;
        return 0;
    }
    return -OG_E_OBTAIN_VERSION;
}

static bool cfg_valid(const struct version_cfg *v)
{
    return v && v->number > 0 && v->commit[0] && v->version[0] && v->major >= 0 && v->minor >= 0 &&
           v->patch >= 0 && v->rc >= 0;
}

/* Fill a refusal: the inner text, wrapped the way choseStrategy wraps it. */
static _printf_(4, 5) int refuse(struct upgpath_verdict *v, int code, enum upgpath_rule rule,
                                 const char *fmt, ...)
{
    char inner[384];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(inner, sizeof(inner), fmt, ap);
    va_end(ap);
    memset(v, 0, sizeof(*v));
    v->allowed = false;
    v->strategy = UPGPATH_NONE;
    v->rule = rule;
    v->code = code;
    snprintf(v->detail, sizeof(v->detail), "Failed to upgrade strategy: %s. Do nothing this time.",
             inner);
    return 0;
}

static int allow(struct upgpath_verdict *v, bool large, bool inplace)
{
    memset(v, 0, sizeof(*v));
    v->allowed = true;
    v->large = large;
    v->strategy = inplace ? UPGPATH_INPLACE : large ? UPGPATH_LARGE : UPGPATH_SMALL;
    v->rule = UPGPATH_RULE_NONE;
    return 0;
}

/* Check 5: the guide's table 1-1. NULL when allowed, else why not. */
static const char *path_table(const struct version_cfg *old, const struct version_cfg *new)
{
    /* Equal product versions are not a path between versions. */
    if (version_compare(old, new) == 0)
        return NULL;
    if (version_compare(old, &V_1_0_1) < 0)
        return version_compare(new, &V_1_0_1) < 0
                   ? NULL
                   : "a version before 1.0.1 can only upgrade to a version before 1.0.1";
    if (version_compare(old, &V_1_1_0) < 0)
        /* equal to the 1.1.0 release: version_compare puts 1.1.0-RCn before it */
        return version_compare(new, &V_1_1_0) == 0
                   ? NULL
                   : "1.0.1 (or a version up to 1.1.0) can only upgrade to 1.1.0";
    return NULL; /* 1.1.0 and later: any later version (older ones failed check 2) */
}

/* 0 with *ret written, or an input error (*ret untouched: every input error
 * comes before the first write). */
static int judge(const struct version_cfg *old, const char *old_date, const struct version_cfg *new,
                 const char *new_date, const struct upgpath_options *opt,
                 struct upgpath_verdict *ret, struct og_error *err)
{
    static const struct upgpath_options defaults = {0};
    const char *why;

    if (!ret)
        return og_error_set(err, OG_E_INVALID_ARG, "upgpath: no verdict to write");
    if (!cfg_valid(old) || !cfg_valid(new))
        return og_error_set(err, OG_E_INVALID_ARG, "upgpath: %s version is missing or incomplete",
                            cfg_valid(old) ? "new" : "old");
    if (!opt)
        opt = &defaults;

    /* 1-4: openGauss choseStrategy, in its order. */
    if (strcmp(old->commit, new->commit) == 0) {
        return refuse(ret, OG_E_SAME_COMMIT, UPGPATH_RULE_SAME_COMMIT,
                      "New cluster commitid cannot be same with old cluster commitid (%s)",
                      new->commit);
    }
    if (version_compare(old, new) > 0) {
        return refuse(ret, OG_E_VERSION_OLDER, UPGPATH_RULE_OLDER,
                      "Can not support upgrade from %s to %s", old->version, new->version);
    }
    if (new->number < old->number) {
        char o[16], n[16];

        version_number_format(old->number, o, sizeof(o));
        version_number_format(new->number, n, sizeof(n));
        return refuse(
            ret, OG_E_VERSION_LOWER, UPGPATH_RULE_NUMBER,
            "The version number of new cluster is [%s]. It should be greater than or equal "
            "to the old version [%s]",
            n, o);
    }
    if (!opt->bypass_stale_check) {
        int od, nd;

        if (upgpath_date_parse(old_date, &od) < 0)
            return og_error_set(err, OG_E_OBTAIN_VERSION,
                                "Failed to obtain the release date (YYYY-MM-DD) of the old "
                                "cluster %s from \"%s\"",
                                old->version, old_date ? old_date : "");
        if (upgpath_date_parse(new_date, &nd) < 0)
            return og_error_set(err, OG_E_OBTAIN_VERSION,
                                "Failed to obtain the release date (YYYY-MM-DD) of the new "
                                "cluster %s from \"%s\"",
                                new->version, new_date ? new_date : "");
        if (od > nd) {
            return refuse(ret, OG_E_STALE_RELEASE, UPGPATH_RULE_STALE,
                          "It is generally not allowed to upgrade to a previous release, from "
                          "%04d-%02d-%02d to %04d-%02d-%02d. If required, consider using the "
                          "--bypass-stale-check option",
                          od / 10000, od / 100 % 100, od % 100, nd / 10000, nd / 100 % 100,
                          nd % 100);
        }
    }

    /* 5-7: the upgrade guide's rules. */
    why = path_table(old, new);
    if (why) {
        return refuse(
            ret, OG_E_VERSION_OLDER, UPGPATH_RULE_PATH_TABLE,
            "Can not support upgrade from %s to %s: the upgrade guide's table 1-1 (upgrade "
            "paths) forbids it (%s)",
            old->version, new->version, why);
    }
    if (!opt->inplace && version_compare(old, &V_1_1_0) <= 0) {
        return refuse(
            ret, OG_E_STRATEGY_UNSUPPORTED, UPGPATH_RULE_GREY,
            "Please choose right upgrade strategy. Grey upgrade needs a source later than "
            "1.1.0, and the old cluster is %s: upgrade in place",
            old->version);
    }
    if (opt->mot_in_use && version_compare(old, &V_2_0_0) < 0 && new->major == 2 &&
        new->minor == 0 && new->patch == 0) {
        return refuse(ret, OG_E_MOT_IN_USE, UPGPATH_RULE_MOT,
                      "MOT tables are in use: upgrading to %s is not supported (upgrade guide 1.3)",
                      new->version);
    }

    /* 10: classification by kernel number. */
    return allow(ret, new->number != old->number, opt->inplace);
}

int upgpath_check(const struct version_cfg *old, const char *old_date,
                  const struct version_cfg *new, const char *new_date,
                  const struct upgpath_options *opt, struct upgpath_verdict *ret,
                  struct og_error *err)
{
    int r = judge(old, old_date, new, new_date, opt, ret, err);

    if (r < 0)
        return r;
    if (!ret->allowed)
        return og_error_set(err, ret->code, "%s", ret->detail);
    return 0;
}

int upgpath_release_cfg(const struct upgpath_release *rel, struct version_cfg *ret,
                        struct og_error *err)
{
    char text[192];
    const char *ver;
    int r;

    if (!rel || !ret || !rel->version || !rel->commit || rel->number <= 0)
        return og_error_set(err, OG_E_INVALID_ARG, "upgpath: incomplete release");
    ver = rel->version;
    if (strncmp(ver, "openGauss-", 10) == 0)
        ver += 10;
    r = snprintf(text, sizeof(text), "openGauss-%s\n%d.%03d\n%s\n", ver, rel->number / 1000,
                 rel->number % 1000, rel->commit);
    if (r < 0 || (size_t)r >= sizeof(text))
        return og_error_set(err, OG_E_INVALID_ARG, "upgpath: release %s is too long", ver);
    r = version_cfg_parse(text, "release", ret, err);
    if (r < 0)
        return og_error_set(err, OG_E_INVALID_ARG, "upgpath: release %s", ver);
    return 0;
}

int upgpath_check_release(const struct upgpath_release *old, const struct upgpath_release *new,
                          const struct upgpath_options *opt, struct upgpath_verdict *ret,
                          struct og_error *err)
{
    struct version_cfg o, n;
    int r;

    r = upgpath_release_cfg(old, &o, err);
    if (r < 0)
        return r;
    r = upgpath_release_cfg(new, &n, err);
    if (r < 0)
        return r;
    return upgpath_check(&o, old->build_time, &n, new->build_time, opt, ret, err);
}

int upgpath_targets(const struct upgpath_release *old, const struct upgpath_release *all, size_t n,
                    const struct upgpath_options *opt, size_t *out, size_t max,
                    struct og_error *err)
{
    struct version_cfg o;
    size_t k = 0;
    int r;

    if (!all && n > 0)
        return og_error_set(err, OG_E_INVALID_ARG, "upgpath: no releases");
    r = upgpath_release_cfg(old, &o, err);
    if (r < 0)
        return r;
    for (size_t i = 0; i < n; i++) {
        struct upgpath_verdict v;
        struct version_cfg c;

        r = upgpath_release_cfg(&all[i], &c, err);
        if (r < 0)
            return r;
        r = judge(&o, old->build_time, &c, all[i].build_time, opt, &v, err);
        if (r < 0)
            return r;
        if (!v.allowed)
            continue;
        if (k >= max || !out)
            return og_error_set(err, OG_E_TOO_LARGE, "upgpath: more than %zu targets", max);
        out[k++] = i;
    }
    return (int)k;
}

bool upgpath_grey_only(const struct version_cfg *om)
{
    return om->major >= 6;
}

enum upgpath_mode upgpath_default_mode(const struct version_cfg *om, bool asked_grey,
                                       bool asked_inplace)
{
    if (upgpath_grey_only(om))
        return UPGPATH_MODE_GREY;
    if (asked_inplace)
        return UPGPATH_MODE_INPLACE;
    if (asked_grey)
        return UPGPATH_MODE_GREY;
    /* grey by default from 5.0.2 (openGauss-OM v5.0.2 gs_upgradectl) */
    return om->major == 5 && (om->minor > 0 || om->patch >= 2) ? UPGPATH_MODE_GREY
                                                               : UPGPATH_MODE_INPLACE;
}
