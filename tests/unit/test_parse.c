/* SPDX-License-Identifier: MulanPSL-2.0 */
/* util/parse: the one integer parser family. What atoi()/strtol() let through
 * (trailing text, empty strings, overflow, a sign on an unsigned) is refused
 * with -EINVAL or -ERANGE and the result is left untouched. */
#include <criterion/criterion.h>
#include <errno.h>
#include <limits.h>

#include "parse.h"

Test(parse, atoi_accepts_decimal_with_sign_and_leading_blanks)
{
    int v = 0;

    cr_assert_eq(safe_atoi("42", &v), 0);
    cr_assert_eq(v, 42);
    cr_assert_eq(safe_atoi("-7", &v), 0);
    cr_assert_eq(v, -7);
    cr_assert_eq(safe_atoi("  +9", &v), 0);
    cr_assert_eq(v, 9);
    cr_assert_eq(safe_atoi("2147483647", &v), 0);
    cr_assert_eq(v, INT_MAX);
    cr_assert_eq(safe_atoi("-2147483648", &v), 0);
    cr_assert_eq(v, INT_MIN);
}

Test(parse, atoi_refuses_what_atoi_lets_through)
{
    static const char *const bad[] = {"", "x", "12x", "1 ", "0x10", "1.5", " ", "-"};
    int v = 1234;

    cr_assert_eq(safe_atoi(NULL, &v), -EINVAL);
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        cr_assert_eq(safe_atoi(bad[i], &v), -EINVAL, "'%s'", bad[i]);
    cr_assert_eq(safe_atoi("2147483648", &v), -ERANGE);
    cr_assert_eq(safe_atoi("-2147483649", &v), -ERANGE);
    cr_assert_eq(safe_atoi("99999999999999999999999", &v), -ERANGE);
    cr_assert_eq(v, 1234, "the result is untouched on error");
}

Test(parse, ranges_are_inclusive)
{
    int v = 0;
    long long w = 0;

    cr_assert_eq(safe_atoi_range("1", 1, 65535, &v), 0);
    cr_assert_eq(safe_atoi_range("65535", 1, 65535, &v), 0);
    cr_assert_eq(v, 65535);
    cr_assert_eq(safe_atoi_range("0", 1, 65535, &v), -ERANGE);
    cr_assert_eq(safe_atoi_range("65536", 1, 65535, &v), -ERANGE);
    cr_assert_eq(safe_atoi_range("6x", 1, 65535, &v), -EINVAL);
    cr_assert_eq(v, 65535);
    cr_assert_eq(safe_atolli("9223372036854775807", &w), 0);
    cr_assert_eq(w, LLONG_MAX);
    cr_assert_eq(safe_atolli("9223372036854775808", &w), -ERANGE);
    cr_assert_eq(safe_atolli_range("-1", 0, 10, &w), -ERANGE);
    cr_assert_eq(w, LLONG_MAX);
}

Test(parse, unsigned_in_a_base)
{
    unsigned v = 0;

    cr_assert_eq(safe_atou_base("0600", 8, &v), 0);
    cr_assert_eq(v, 0600u);
    cr_assert_eq(safe_atou_base("755", 8, &v), 0);
    cr_assert_eq(v, 0755u);
    cr_assert_eq(safe_atou_base("8", 8, &v), -EINVAL, "8 is no octal digit");
    cr_assert_eq(safe_atou_base("-1", 10, &v), -EINVAL, "strtoul's -1 wrap refused");
    cr_assert_eq(safe_atou_base("+1", 10, &v), -EINVAL);
    cr_assert_eq(safe_atou_base(" -0", 10, &v), -EINVAL, "a sign after blanks too");
    cr_assert_eq(safe_atou_base("4294967296", 10, &v), -ERANGE);
    cr_assert_eq(safe_atou_base("ff", 16, &v), 0);
    cr_assert_eq(v, 255u);
}
