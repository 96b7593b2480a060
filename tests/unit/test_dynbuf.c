/* SPDX-License-Identifier: MulanPSL-2.0 */
#include <criterion/criterion.h>
#include <string.h>

#include "dynbuf.h"
#include "ogerror.h"

Test(dynbuf, append_and_nul_terminate)
{
    _cleanup_dynbuf_ struct dynbuf b = {0};

    dynbuf_init(&b, 1024);
    cr_assert_str_eq(dynbuf_str(&b), "");
    cr_assert_eq(dynbuf_appends(&b, "abc"), 0);
    cr_assert_eq(dynbuf_appendf(&b, "-%d-", 42), 0);
    cr_assert_eq(dynbuf_append(&b, "xyz", 2), 0);
    cr_assert_str_eq(dynbuf_str(&b), "abc-42-xy");
    cr_assert_eq(b.len, 9);
}

Test(dynbuf, grows_past_initial_allocation)
{
    _cleanup_dynbuf_ struct dynbuf b = {0};
    char chunk[1000];

    memset(chunk, 'q', sizeof(chunk));
    dynbuf_init(&b, 1 << 20);
    for (int i = 0; i < 100; i++)
        cr_assert_eq(dynbuf_append(&b, chunk, sizeof(chunk)), 0);
    cr_assert_eq(b.len, 100000);
    cr_assert_eq(b.buf[99999], 'q');
    cr_assert_eq(b.buf[100000], '\0');
}

/* Over the limit is an error and the content stays as it was; the error
 * is sticky: later appends are refused with it, until a reset. */
Test(dynbuf, limit_is_an_error_not_a_truncation)
{
    _cleanup_dynbuf_ struct dynbuf b = {0};

    dynbuf_init(&b, 8);
    cr_assert_eq(dynbuf_appends(&b, "12345"), 0);
    cr_assert_eq(dynbuf_error(&b), 0);
    cr_assert_eq(dynbuf_appends(&b, "6789"), -OG_E_TOO_LARGE);
    cr_assert_str_eq(dynbuf_str(&b), "12345");
    cr_assert_eq(dynbuf_error(&b), -OG_E_TOO_LARGE);
    /* what would fit now is refused too: the content is not whole */
    cr_assert_eq(dynbuf_appends(&b, "678"), -OG_E_TOO_LARGE);
    cr_assert_eq(dynbuf_appendf(&b, "%s", "a"), -OG_E_TOO_LARGE);
    cr_assert_str_eq(dynbuf_str(&b), "12345");
    dynbuf_reset(&b);
    cr_assert_eq(dynbuf_error(&b), 0);
    cr_assert_eq(dynbuf_appends(&b, "12345678"), 0);
    cr_assert_eq(dynbuf_append(&b, "", 0), 0);
    cr_assert_eq(dynbuf_append(&b, "x", 1), -OG_E_TOO_LARGE);
    dynbuf_reset(&b);
    cr_assert_eq(dynbuf_append(&b, "x", (size_t)-1), -OG_E_TOO_LARGE);
}

/* A builder's pieces go in unchecked; the first failure is kept for the
 * one check at the end, a failed piece built apart carries over, and a
 * failed buffer is not handed out as if whole. */
Test(dynbuf, builder_failure_is_checked_once_at_the_end)
{
    _cleanup_dynbuf_ struct dynbuf b = {0}, part = {0};

    dynbuf_init(&b, 16);
    dynbuf_init(&part, 4);
    dynbuf_adds(&b, "head ");
    dynbuf_addf(&b, "%d ", 42);
    dynbuf_add(&b, "tail", 4);
    cr_assert_eq(dynbuf_error(&b), 0);
    cr_assert_str_eq(dynbuf_str(&b), "head 42 tail");
    dynbuf_adds(&b, "-too-long-for-it");
    dynbuf_adds(&b, "!");
    cr_assert_eq(dynbuf_error(&b), -OG_E_TOO_LARGE);
    cr_assert_str_eq(dynbuf_str(&b), "head 42 tail", "the middle is never dropped");
    cr_assert_null(dynbuf_steal(&b), "a failed buffer is not stolen as whole");
    cr_assert_eq(dynbuf_error(&b), 0, "steal resets");

    dynbuf_adds(&part, "abc");
    dynbuf_add_buf(&b, &part);
    cr_assert_str_eq(dynbuf_str(&b), "abc");
    dynbuf_adds(&part, "de"); /* 5 > 4 */
    dynbuf_add_buf(&b, &part);
    cr_assert_eq(dynbuf_error(&b), -OG_E_TOO_LARGE, "the piece's failure carries over");
    dynbuf_reset(&b);
    dynbuf_fail(&b, -OG_E_NOMEM);
    dynbuf_fail(&b, -OG_E_TOO_LARGE);
    cr_assert_eq(dynbuf_error(&b), -OG_E_NOMEM, "the first failure stays");
}

Test(dynbuf, steal_and_reset)
{
    struct dynbuf b;
    char *s;

    dynbuf_init(&b, 100);
    s = dynbuf_steal(&b);
    cr_assert_str_eq(s, "");
    free(s);
    dynbuf_adds(&b, "hello");
    s = dynbuf_steal(&b);
    cr_assert_str_eq(s, "hello");
    cr_assert_null(b.buf);
    cr_assert_eq(b.len, 0);
    cr_assert_eq(b.max, 100);
    free(s);
    dynbuf_adds(&b, "x");
    dynbuf_reset(&b);
    cr_assert_str_eq(dynbuf_str(&b), "");
    dynbuf_done(&b);
    dynbuf_done(NULL);
}
