/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * upgpath.h - may this cluster go from the old version to the new one, and
 * with which strategy (openGauss UpgradeImpl.choseStrategy, reference §2.2,
 * plus the upgrade guide's documented paths, §1.1-§1.3 / reference §2.3).
 *
 * The checks run in this order; the first that fails decides:
 *   1. same commit id                                   -> GAUSS-52901
 *   2. older product version (version_compare > 0)     -> GAUSS-52902
 *   3. new kernel number lower than the old one         -> GAUSS-51629
 *   4. without --bypass-stale-check: the old release
 *      date (YYYY-MM-DD only, as openGauss compares)
 *      later than the new one                           -> GAUSS-52945
 *   5. the guide's table 1-1 (upgrade paths):           -> GAUSS-52902
 *        before 1.0.1          -> only to versions before 1.0.1
 *        1.0.1 (up to 1.1.0)   -> only to the 1.1.0 release
 *        1.1.0 and later       -> any later version
 *      openGauss has no code for "the documented path table forbids it";
 *      52902 ("Can not support upgrade from %s to %s") is the closest, and
 *      the detail says that table 1-1 forbids the pair. Two equal product
 *      versions (a rebuild with another commit, or two RCs of one release)
 *      are not a path between versions: the table does not apply to them.
 *   6. grey upgrade from a source not later than 1.1.0  -> GAUSS-52904
 *   7. MOT tables in use on a source before 2.0.0 and a
 *      2.0.0 target (X.Y.Z = 2.0.0, any -RC)            -> OGUP-60070
 * Checks 1-4 are openGauss's own, in its order; 5-7 are the guide's rules,
 * which no openGauss code enforces.
 *
 * Allowed: equal kernel numbers -> small-binary-upgrade (binary only),
 * otherwise large-binary-upgrade (catalog SQL runs); in in-place mode either
 * is inplace-binary-upgrade, with `large` telling which.
 *
 * openGauss wraps every strategy error as GAUSS-52900 "Failed to upgrade
 * strategy: %s. Do nothing this time."; here the returned code stays the
 * INNER one (52901, 52902, ...: callers and tests assert it) and the 52900
 * wording is the detail: "Failed to upgrade strategy: <inner text>. Do
 * nothing this time."
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "ogerror.h"
#include "versioncfg.h"

enum upgpath_strategy {
    UPGPATH_NONE = 0, /* refused */
    UPGPATH_SMALL,    /* small-binary-upgrade (grey, equal kernel numbers) */
    UPGPATH_LARGE,    /* large-binary-upgrade (grey, numbers differ) */
    UPGPATH_INPLACE,  /* inplace-binary-upgrade (large flag tells which) */
};

/* Which check refused the pair (docs and tests tell the two 52902s apart). */
enum upgpath_rule {
    UPGPATH_RULE_NONE = 0,    /* allowed */
    UPGPATH_RULE_SAME_COMMIT, /* 52901 */
    UPGPATH_RULE_OLDER,       /* 52902, product version older */
    UPGPATH_RULE_NUMBER,      /* 51629 */
    UPGPATH_RULE_STALE,       /* 52945 */
    UPGPATH_RULE_PATH_TABLE,  /* 52902, the guide's table 1-1 */
    UPGPATH_RULE_GREY,        /* 52904 */
    UPGPATH_RULE_MOT,         /* 60070 */
};

/* Zero-initialised (or NULL) = grey, stale check on, no MOT tables. */
struct upgpath_options {
    bool inplace;            /* --inplace-upgrade (otherwise grey) */
    bool bypass_stale_check; /* --bypass-stale-check */
    bool mot_in_use;         /* the old cluster has MOT tables */
};

struct upgpath_verdict {
    bool allowed;
    enum upgpath_strategy strategy; /* UPGPATH_NONE when refused */
    bool large;                     /* kernel numbers differ: catalog SQL runs */
    enum upgpath_rule rule;         /* UPGPATH_RULE_NONE when allowed */
    int code;                       /* positive og_code when refused, else 0 */
    char detail[512];               /* the 52900-wrapped text when refused */
};

/* One release as the simulator (and openGauss's packages) describe it. */
struct upgpath_release {
    const char *version;    /* "3.0.0" or "7.0.0-RC1" */
    int number;             /* kernel number * 1000: 92605 */
    const char *commit;     /* "02c14696" */
    const char *build_time; /* "2022-04-01 18:12:34" (gaussdb -V "compiled at") */
};

/*
 * Judge old -> new. old_date/new_date are any text holding the release date
 * as YYYY-MM-DD ("2022-04-01 18:12:34" or a whole `gaussdb -V` line); they
 * are read only by check 4 and may be NULL with bypass_stale_check.
 *
 * Returns 0 when allowed, the refusing -code (see above) when refused; in
 * both cases *ret holds the verdict and, on refusal, err the code and the
 * same detail. Input errors leave *ret alone: -OG_E_INVALID_ARG (NULL
 * pointers, a kernel number <= 0, an empty commit or version),
 * -OG_E_OBTAIN_VERSION (check 4 needs a date that is missing or not a
 * valid YYYY-MM-DD).
 */
int upgpath_check(const struct version_cfg *old, const char *old_date,
                  const struct version_cfg *new, const char *new_date,
                  const struct upgpath_options *opt, struct upgpath_verdict *ret,
                  struct og_error *err);

/* upgpath_check over two releases (dates from build_time). */
int upgpath_check_release(const struct upgpath_release *old, const struct upgpath_release *new,
                          const struct upgpath_options *opt, struct upgpath_verdict *ret,
                          struct og_error *err);

/* The version_cfg a release's package carries ("openGauss-<version>",
 * "92.605", commit); -OG_E_INVALID_ARG for a bad version, number or commit. */
int upgpath_release_cfg(const struct upgpath_release *rel, struct version_cfg *ret,
                        struct og_error *err);

/* The first YYYY-MM-DD in text (openGauss's RELEASE_DATE_PATTERN search) as
 * yyyymmdd; -OG_E_OBTAIN_VERSION when there is none or it is not a date. */
int upgpath_date_parse(const char *text, int *ret);

/* openGauss's action string: "small-binary-upgrade", "large-binary-upgrade",
 * "inplace-binary-upgrade"; "none" for UPGPATH_NONE or an unknown value. */
const char *upgpath_strategy_name(enum upgpath_strategy s);

/* A short name for a rule ("same-commit", "older", "number", "stale",
 * "path-table", "grey", "mot"; "none" when allowed). */
const char *upgpath_rule_name(enum upgpath_rule r);

/* The releases all[0..n) that old may upgrade to with opt (its own entry is
 * refused as the same commit): their indexes into out[0..max), ascending.
 * Returns the count, -OG_E_TOO_LARGE when more than max, or an input error
 * of upgpath_check_release. */
int upgpath_targets(const struct upgpath_release *old, const struct upgpath_release *all, size_t n,
                    const struct upgpath_options *opt, size_t *out, size_t max,
                    struct og_error *err);

/* Which plan a new upgrade runs by the OM tools doing it (om: the new
 * package's version.cfg) and what the operator asked for: up to 5.0.1 in
 * place unless grey was asked; 5.0.2 to 5.x grey unless in place was asked;
 * 6.0.0 on grey only (the real tool prints that it ignores
 * --inplace-upgrade and --force). */
enum upgpath_mode { UPGPATH_MODE_INPLACE, UPGPATH_MODE_GREY };
enum upgpath_mode upgpath_default_mode(const struct version_cfg *om, bool asked_grey,
                                       bool asked_inplace);
/* The OM tools support only grey (6.0.0 on). */
bool upgpath_grey_only(const struct version_cfg *om);
