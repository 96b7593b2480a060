/* SPDX-License-Identifier: MulanPSL-2.0 */
#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>

#include "ogerror.h"

/* Codes are a public contract: their numbers never change. */
Test(ogerror, codes_are_stable_numbers)
{
    cr_assert_eq(OG_E_RUN_AS_ROOT, 50105);
    cr_assert_eq(OG_E_STATIC_CONFIG, 51217);
    cr_assert_eq(OG_E_ENV_EMPTY, 51800);
    cr_assert_eq(OG_E_SAME_COMMIT, 52901);
    cr_assert_eq(OG_E_VERSION_OLDER, 52902);
    cr_assert_eq(OG_E_NOT_PRECOMMIT, 52916);
    cr_assert_eq(OG_E_ALREADY_COMMITTED, 52919);
    cr_assert_eq(OG_E_UPGRADE_UNFINISHED, 52936);
    cr_assert_eq(OG_E_STALE_RELEASE, 52945);
    cr_assert_eq(OG_E_SHA256, 51635);
    cr_assert_eq(OG_E_VERSION_LOWER, 51629);
    cr_assert_eq(OG_E_TIMEOUT, 60011);
    cr_assert_eq(OG_E_OUTPUT_LIMIT, 60010);
}

Test(ogerror, table_is_unique_and_complete)
{
    size_t n = og_code_count();

    cr_assert_gt(n, 40);
    for (size_t i = 0; i < n; i++) {
        int c = og_code_at(i);
        cr_assert(og_code_known(c), "code %d", c);
        cr_assert(c >= 50000 && c < 70000, "code %d out of range", c);
        cr_assert_neq(strcmp(og_code_text(c), "Unknown error."), 0, "code %d has no text", c);
        for (size_t j = i + 1; j < n; j++)
            cr_assert_neq(c, og_code_at(j), "code %d listed twice", c);
    }
    cr_assert_eq(og_code_at(n), 0);
    cr_assert_not(og_code_known(12345));
    cr_assert_str_eq(og_code_text(12345), "Unknown error.");
}

Test(ogerror, names_use_gauss_or_ogup_prefix)
{
    cr_assert_str_eq(og_code_name(OG_E_SAME_COMMIT), "GAUSS-52901");
    cr_assert_str_eq(og_code_name(-OG_E_SAME_COMMIT), "GAUSS-52901");
    cr_assert_str_eq(og_code_name(OG_E_TIMEOUT), "OGUP-60011");
    cr_assert_str_eq(og_code_name(99), "OGUP-UNKNOWN");
}

Test(ogerror, set_returns_negative_code_and_formats_like_opengauss)
{
    struct og_error e = {0};
    char buf[512];

    cr_assert_eq(
        og_error_set(&e, OG_E_ENV_EMPTY, "the environmental variable %s is empty", "GPHOME"),
        -OG_E_ENV_EMPTY);
    cr_assert_eq(e.code, OG_E_ENV_EMPTY);
    cr_assert_str_eq(og_error_format(&e, buf, sizeof(buf)),
                     "[GAUSS-51800] : the environmental variable GPHOME is empty");
    /* A negative code given is accepted the same way. */
    cr_assert_eq(og_error_set(&e, -OG_E_SHA256, "x"), -OG_E_SHA256);
    cr_assert_eq(e.code, OG_E_SHA256);
}

Test(ogerror, inner_detail_kept_as_context)
{
    struct og_error e = {0};

    og_error_set(&e, OG_E_IO, "cannot read \"%s\"", "/x");
    og_error_set(&e, OG_E_CONTENT_INVALID, "version.cfg unreadable");
    cr_assert_eq(e.code, OG_E_CONTENT_INVALID);
    cr_assert_str_eq(e.detail, "version.cfg unreadable (cannot read \"/x\")");
    og_error_prefix(&e, "node %s", "node2");
    cr_assert_str_eq(e.detail, "node node2: version.cfg unreadable (cannot read \"/x\")");
}

Test(ogerror, errno_text_appended)
{
    struct og_error e = {0};

    og_error_set_errno(&e, OG_E_WRITE_FAILED, ENOSPC, "write \"%s\"", "/d");
    cr_assert_eq(e.code, OG_E_WRITE_FAILED);
    cr_assert_str_eq(e.detail, "write \"/d\": No space left on device");
}

Test(ogerror, empty_detail_prints_default_text)
{
    struct og_error e = {.code = OG_E_NOT_PRECOMMIT};
    char buf[256];

    cr_assert_str_eq(og_error_format(&e, buf, sizeof(buf)),
                     "[GAUSS-52916] : Current upgrade status is not pre commit.");
    og_error_clear(&e);
    cr_assert_str_eq(og_error_format(&e, buf, sizeof(buf)), "success");
    cr_assert_str_eq(og_error_format(NULL, buf, sizeof(buf)), "success");
    cr_assert_null(og_error_format(&e, NULL, 0));
}

Test(ogerror, null_error_is_accepted)
{
    cr_assert_eq(og_error_set(NULL, OG_E_IO, "x"), -OG_E_IO);
    cr_assert_eq(og_error_set_errno(NULL, OG_E_IO, EIO, "x"), -OG_E_IO);
    og_error_prefix(NULL, "ctx");
    og_error_clear(NULL);
}

Test(ogerror, long_detail_is_truncated_safely)
{
    struct og_error e = {0};
    char big[OG_ERROR_DETAIL_MAX * 2];

    memset(big, 'a', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    og_error_set(&e, OG_E_IO, "%s", big);
    og_error_set_errno(&e, OG_E_IO, EIO, "%s", big);
    og_error_prefix(&e, "%s", big);
    cr_assert_eq(strlen(e.detail), OG_ERROR_DETAIL_MAX - 1);
}

/* openGauss exit codes: upgrade 0/1, rollback 2/3, chose-strategy 4, commit 5. */
Test(ogerror, exit_codes_follow_gs_upgradectl)
{
    cr_assert_eq(og_exit_code(OG_ACTION_UPGRADE, 0), 0);
    cr_assert_eq(og_exit_code(OG_ACTION_UPGRADE, -OG_E_SAME_COMMIT), 1);
    cr_assert_eq(og_exit_code(OG_ACTION_ROLLBACK, 0), 2);
    cr_assert_eq(og_exit_code(OG_ACTION_ROLLBACK, -OG_E_ALREADY_COMMITTED), 3);
    cr_assert_eq(og_exit_code(OG_ACTION_CHOSE_STRATEGY, 0), 4);
    cr_assert_eq(og_exit_code(OG_ACTION_CHOSE_STRATEGY, -OG_E_STRATEGY), 1);
    cr_assert_eq(og_exit_code(OG_ACTION_COMMIT, 0), 5);
    cr_assert_eq(og_exit_code(OG_ACTION_COMMIT, -OG_E_NOT_PRECOMMIT), 1);
    /* OM tools: GAUSS-5ABxx exits 5AB-490; own codes exit 9. */
    cr_assert_eq(og_exit_code(OG_ACTION_OTHER, 0), 0);
    cr_assert_eq(og_exit_code(OG_ACTION_OTHER, -OG_E_PARAM_REQUIRED), 10);
    cr_assert_eq(og_exit_code(OG_ACTION_OTHER, -OG_E_UPGRADE_UNFINISHED), 39);
    cr_assert_eq(og_exit_code(OG_ACTION_OTHER, -OG_E_TIMEOUT), 9);
}

Test(ogerror, report_returns_the_exit_code)
{
    struct og_error e = {0};

    cr_assert_eq(og_error_report(&e, OG_ACTION_ROLLBACK, 0), 2, "success prints nothing");
    og_error_set(&e, OG_E_PARAM_REQUIRED, "Parameter '-t' is required");
    cr_assert_eq(og_error_report(&e, OG_ACTION_OTHER, -OG_E_PARAM_REQUIRED), 10);
    cr_assert_eq(og_error_report(&e, OG_ACTION_UPGRADE, -OG_E_PARAM_REQUIRED), 1);
}
