/* SPDX-License-Identifier: MulanPSL-2.0 */
/* util/strtable: the lookups STRTABLE_TO_STRING / STRTABLE_FROM_STRING define
 * over an enum-indexed table with a gap, public and static, with the callers'
 * fallbacks (a string, NULL, -1, -EINVAL, an enum value). */
#include <criterion/criterion.h>
#include <errno.h>

#include "strtable.h"

enum colour {
    COLOUR_RED,
    COLOUR_GREEN,
    COLOUR_UNNAMED, /* a gap in the table */
    COLOUR_BLUE,
    COLOUR_N,
};

static const char *const colour_table[] = {
    [COLOUR_RED] = "red",
    [COLOUR_GREEN] = "green",
    [COLOUR_BLUE] = "blue",
};

/* Public ones need a prototype (-Wmissing-prototypes), as in a module's header. */
const char *colour_name(enum colour c);
int colour_from_name(const char *s);

STRTABLE_TO_STRING(colour_name, enum colour, colour_table, "?");
STRTABLE_FROM_STRING(colour_from_name, int, colour_table, -1);
static STRTABLE_TO_STRING(colour_name_or_null, int, colour_table, NULL);
static STRTABLE_FROM_STRING(colour_parse, int, colour_table, -EINVAL);
static STRTABLE_FROM_STRING(colour_or_red, enum colour, colour_table, COLOUR_RED);

Test(strtable, to_string_names_every_entry)
{
    cr_assert_str_eq(colour_name(COLOUR_RED), "red");
    cr_assert_str_eq(colour_name(COLOUR_GREEN), "green");
    cr_assert_str_eq(colour_name(COLOUR_BLUE), "blue");
    cr_assert_str_eq(colour_name_or_null(COLOUR_BLUE), "blue");
}

Test(strtable, to_string_falls_back_outside_and_in_a_gap)
{
    cr_assert_str_eq(colour_name(COLOUR_UNNAMED), "?", "a gap is the fallback");
    cr_assert_str_eq(colour_name(COLOUR_N), "?", "one past the end");
    cr_assert_str_eq(colour_name((enum colour)42), "?");
    cr_assert_str_eq(colour_name((enum colour)(-1)), "?", "negative is outside");
    cr_assert_null(colour_name_or_null(COLOUR_UNNAMED));
    cr_assert_null(colour_name_or_null(-1));
    cr_assert_null(colour_name_or_null(4));
}

Test(strtable, from_string_finds_the_index)
{
    cr_assert_eq(colour_from_name("red"), COLOUR_RED);
    cr_assert_eq(colour_from_name("green"), COLOUR_GREEN);
    cr_assert_eq(colour_from_name("blue"), COLOUR_BLUE, "past the gap");
    cr_assert_eq(colour_parse("blue"), COLOUR_BLUE);
    cr_assert_eq(colour_or_red("green"), COLOUR_GREEN);
}

Test(strtable, from_string_refuses_unknown_null_and_near_misses)
{
    static const char *const bad[] = {"", "Red", "red ", "re", "reddish", "?"};

    cr_assert_eq(colour_from_name(NULL), -1);
    cr_assert_eq(colour_parse(NULL), -EINVAL);
    cr_assert_eq(colour_or_red(NULL), COLOUR_RED);
    for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
        cr_assert_eq(colour_from_name(bad[i]), -1, "'%s'", bad[i]);
        cr_assert_eq(colour_parse(bad[i]), -EINVAL, "'%s'", bad[i]);
        cr_assert_eq(colour_or_red(bad[i]), COLOUR_RED, "'%s'", bad[i]);
    }
}

Test(strtable, round_trip)
{
    for (int c = 0; c < COLOUR_N; c++) {
        const char *name = colour_name_or_null(c);
        if (name)
            cr_assert_eq(colour_from_name(name), c, "%s", name);
    }
}

Test(strtable, helpers_take_any_table)
{
    static const char *const t[] = {"a", NULL, "c"};

    cr_assert_str_eq(strtable_get(t, ELEMENTSOF(t), 2), "c");
    cr_assert_null(strtable_get(t, ELEMENTSOF(t), 1));
    cr_assert_null(strtable_get(t, ELEMENTSOF(t), 3));
    cr_assert_eq(strtable_find(t, ELEMENTSOF(t), "c"), 2);
    cr_assert_eq(strtable_find(t, ELEMENTSOF(t), "b"), -1);
    cr_assert_eq(strtable_find(t, 0, "a"), -1, "an empty table has nothing");
}
