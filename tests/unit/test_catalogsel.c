/* SPDX-License-Identifier: MulanPSL-2.0 */
#include <criterion/criterion.h>
#include <string.h>

#include "catalogsel.h"
#include "catalogsql.h"
#include "simversion.h"

static const char *const names[] = {
    "upgrade_catalog_maindb_92_298.sql",
    "upgrade_catalog_maindb_92_421.sql",
    "upgrade_catalog_maindb_92_605.sql",
    "upgrade_catalog_maindb_92_780.sql",
    "upgrade-post_catalog_maindb_92_605.sql",
    "upgrade_catalog_otherdb_92_605.sql",
    "rollback_catalog_maindb_92_421.sql",
    "rollback_catalog_maindb_92_506.sql",
    "rollback_catalog_maindb_92_605.sql",
    "rollback-post_catalog_maindb_92_605.sql",
    "upgrade_catalog_maindb_92_605.sql.bak",
    "upgrade_catalog_maindb_92.sql",
    "README",
    "upgrade_catalog_maindb_x_605.sql",
    "upgrade_catalog_maindb_92_605_extra.sql",
};
#define N (sizeof(names) / sizeof(names[0]))

Test(catalogsel, upgrade_ascending_in_range)
{
    const char *out[16];
    int k = catalogsel_select(names, N, "upgrade", "maindb", 92298, 92605, out, 16);

    cr_assert_eq(k, 2);
    cr_assert_str_eq(out[0], "upgrade_catalog_maindb_92_421.sql");
    cr_assert_str_eq(out[1], "upgrade_catalog_maindb_92_605.sql");
    /* old is exclusive, new inclusive */
    k = catalogsel_select(names, N, "upgrade", "maindb", 92072, 92298, out, 16);
    cr_assert_eq(k, 1);
    cr_assert_str_eq(out[0], "upgrade_catalog_maindb_92_298.sql");
    /* a small upgrade selects nothing */
    cr_assert_eq(catalogsel_select(names, N, "upgrade", "maindb", 92298, 92298, out, 16), 0);
    /* mode and db must match exactly ("upgrade" is not "upgrade-post") */
    k = catalogsel_select(names, N, "upgrade-post", "maindb", 92298, 92605, out, 16);
    cr_assert_eq(k, 1);
    cr_assert_str_eq(out[0], "upgrade-post_catalog_maindb_92_605.sql");
    k = catalogsel_select(names, N, "upgrade", "otherdb", 92298, 92605, out, 16);
    cr_assert_eq(k, 1);
}

Test(catalogsel, rollback_descending_with_92_506_last)
{
    const char *out[16];
    int k = catalogsel_select(names, N, "rollback", "maindb", 92298, 92605, out, 16);

    cr_assert_eq(k, 3);
    cr_assert_str_eq(out[0], "rollback_catalog_maindb_92_605.sql");
    cr_assert_str_eq(out[1], "rollback_catalog_maindb_92_421.sql");
    cr_assert_str_eq(out[2], "rollback_catalog_maindb_92_506.sql", "92_506 is forced last");
}

Test(catalogsel, limits_and_numbers)
{
    const char *out[1];

    cr_assert_eq(catalogsel_select(names, N, "upgrade", "maindb", 92000, 93000, out, 1),
                 -OG_E_TOO_LARGE);
    cr_assert_eq(catalogsel_number("upgrade_catalog_maindb_92_605.sql"), 92605);
    cr_assert_eq(catalogsel_number("upgrade_catalog_maindb_93_6.sql"), 93600);
    cr_assert_eq(catalogsel_number("upgrade_catalog_maindb_92_605.txt"), -1);
    cr_assert_eq(catalogsel_number("upgrade_catalog_maindb_92_6055.sql"), -1);
    cr_assert_eq(catalogsel_number("a_b"), -1);
    /* a number whose value * 1000 would not fit an int is no catalog file */
    cr_assert_eq(catalogsel_number("upgrade_catalog_maindb_2147482_999.sql"), 2147482999);
    cr_assert_eq(catalogsel_number("upgrade_catalog_maindb_2147483_0.sql"), -1);
    cr_assert_eq(catalogsel_number("upgrade_catalog_maindb_99999999999_0.sql"), -1);
}

/* The simulator's generated file names are selected exactly as expected. */
Test(catalogsel, generated_names_roundtrip)
{
    char buf[64][96];
    const char *gen[64], *out[64];
    size_t n = 0;
    int k;

    for (size_t i = 0; i < catalog_step_count(); i++) {
        catalog_sql_filename(CATALOG_UPGRADE, CATALOG_OTHERDB, catalog_step_at(i), buf[n],
                             sizeof(buf[n]));
        gen[n] = buf[n];
        n++;
    }
    cr_assert_eq(n, 6, "steps 92.298 .. 92.954");
    k = catalogsel_select(gen, n, "upgrade", "otherdb", 92298, 92954, out, 64);
    cr_assert_eq(k, 5);
    cr_assert_eq(catalogsel_number(out[0]), 92421);
    cr_assert_eq(catalogsel_number(out[4]), 92954);
    cr_assert_eq(catalog_step_prev(92421), 92298);
    cr_assert_eq(catalog_step_prev(92298), CATALOG_BASE_NUMBER);
    cr_assert_eq(catalog_step_prev(12345), -1);
}

Test(catalogsql, step_sql_shape)
{
    _cleanup_dynbuf_ struct dynbuf b = {0};

    dynbuf_init(&b, 1 << 20);
    cr_assert_eq(catalog_sql_generate(CATALOG_UPGRADE, CATALOG_MAINDB, 92605, &b), 0);
    cr_assert_not_null(
        strstr(b.buf, "UPDATE og_catalog.catalog_version SET num = 92605 WHERE num = 92421;"));
    cr_assert_not_null(strstr(b.buf, "CREATE ROLE gs_role_92605"),
                       "maindb creates the shared role");
    dynbuf_reset(&b);
    cr_assert_eq(catalog_sql_generate(CATALOG_UPGRADE, CATALOG_OTHERDB, 92605, &b), 0);
    cr_assert_null(strstr(b.buf, "CREATE ROLE"), "otherdb does not");
    dynbuf_reset(&b);
    cr_assert_eq(catalog_sql_generate(CATALOG_ROLLBACK, CATALOG_MAINDB, 92605, &b), 0);
    cr_assert_not_null(strstr(b.buf, "DROP TABLE IF EXISTS og_catalog.gs_catalog_92605;"));
    cr_assert_not_null(strstr(b.buf, "SET num = 92421 WHERE num = 92605;"));
    cr_assert_eq(catalog_sql_generate(CATALOG_UPGRADE, CATALOG_MAINDB, 92299, &b),
                 -OG_E_INVALID_ARG, "not a step");
}
