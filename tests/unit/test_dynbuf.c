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

/* Over the limit is an error and the content stays as it was. */
Test(dynbuf, limit_is_an_error_not_a_truncation)
{
    _cleanup_dynbuf_ struct dynbuf b = {0};

    dynbuf_init(&b, 8);
    cr_assert_eq(dynbuf_appends(&b, "12345"), 0);
    cr_assert_eq(dynbuf_appends(&b, "6789"), -OG_E_TOO_LARGE);
    cr_assert_str_eq(dynbuf_str(&b), "12345");
    cr_assert_eq(dynbuf_appendf(&b, "%s", "abcd"), -OG_E_TOO_LARGE);
    cr_assert_eq(dynbuf_appends(&b, "678"), 0);
    cr_assert_str_eq(dynbuf_str(&b), "12345678");
    cr_assert_eq(dynbuf_append(&b, "", 0), 0);
    cr_assert_eq(dynbuf_append(&b, "x", 1), -OG_E_TOO_LARGE);
    cr_assert_eq(dynbuf_append(&b, "x", (size_t)-1), -OG_E_TOO_LARGE);
}

Test(dynbuf, steal_and_reset)
{
    struct dynbuf b;
    char *s;

    dynbuf_init(&b, 100);
    s = dynbuf_steal(&b);
    cr_assert_str_eq(s, "");
    free(s);
    dynbuf_appends(&b, "hello");
    s = dynbuf_steal(&b);
    cr_assert_str_eq(s, "hello");
    cr_assert_null(b.buf);
    cr_assert_eq(b.len, 0);
    cr_assert_eq(b.max, 100);
    free(s);
    dynbuf_appends(&b, "x");
    dynbuf_reset(&b);
    cr_assert_str_eq(dynbuf_str(&b), "");
    dynbuf_done(&b);
    dynbuf_done(NULL);
}
