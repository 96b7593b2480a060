/* SPDX-License-Identifier: MulanPSL-2.0 */
#include <ctype.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalogsel.h"
#include "cleanup.h"
#include "parse.h"
#include "banned.h"

#define FORCED_LAST 92506

/* Split a copy of name at '_' into at most 6 tokens; returns the count. */
static int split(const char *name, char *copy, size_t size, char **tok)
{
    int n = 0;
    char *save = NULL, *t;

    snprintf(copy, size, "%s", name);
    for (t = strtok_r(copy, "_", &save); t && n < 6; t = strtok_r(NULL, "_", &save))
        tok[n++] = t;
    return t ? 6 : n;
}

static bool all_digits(const char *s)
{
    if (!*s)
        return false;
    for (; *s; s++)
        if (!isdigit((unsigned char)*s))
            return false;
    return true;
}

int catalogsel_number(const char *name)
{
    char copy[512], *tok[6], frac[16];
    size_t fl;
    int major, f;

    if (split(name, copy, sizeof(copy), tok) != 5)
        return -1;
    /* tok[4] = "<frac>.sql" */
    fl = strlen(tok[4]);
    if (fl <= 4 || strcmp(tok[4] + fl - 4, ".sql") != 0 || fl - 4 >= sizeof(frac))
        return -1;
    snprintf(frac, sizeof(frac), "%.*s", (int)(fl - 4), tok[4]);
    if (!all_digits(tok[3]) || !all_digits(frac) || strlen(frac) > 3)
        return -1;
    /* "92_605" is the float 92.605; "92_6" would be 92.6 = 92600. */
    if (safe_atoi_range(tok[3], 0, INT_MAX / 1000 - 1, &major) < 0 || safe_atoi(frac, &f) < 0)
        return -1;
    for (size_t i = strlen(frac); i < 3; i++)
        f *= 10;
    return major * 1000 + f;
}

struct entry {
    const char *name;
    int number;
};

static int cmp_asc(const void *a, const void *b)
{
    const struct entry *x = a, *y = b;

    if (x->number != y->number)
        return x->number < y->number ? -1 : 1;
    return strcmp(x->name, y->name);
}

static int cmp_desc_forced_last(const void *a, const void *b)
{
    const struct entry *x = a, *y = b;

    if ((x->number == FORCED_LAST) != (y->number == FORCED_LAST))
        return x->number == FORCED_LAST ? 1 : -1;
    return -cmp_asc(a, b);
}

int catalogsel_select(const char *const *names, size_t n, const char *mode, const char *db,
                      int old_number, int new_number, const char **out, size_t max)
{
    _cleanup_free_ struct entry *sel = calloc(n ? n : 1, sizeof(*sel));
    bool rollback = strncmp(mode, "rollback", 8) == 0;
    size_t k = 0;

    if (!sel)
        return -OG_E_NOMEM;
    for (size_t i = 0; i < n; i++) {
        char copy[512], *tok[6];
        int num;

        if (split(names[i], copy, sizeof(copy), tok) != 5)
            continue;
        if (strcmp(tok[0], mode) != 0 || strcmp(tok[1], "catalog") != 0 || strcmp(tok[2], db) != 0)
            continue;
        num = catalogsel_number(names[i]);
        if (num < 0 || !(old_number < num && num <= new_number))
            continue;
        sel[k].name = names[i];
        sel[k].number = num;
        k++;
    }
    if (k > max)
        return -OG_E_TOO_LARGE;
    qsort(sel, k, sizeof(*sel), rollback ? cmp_desc_forced_last : cmp_asc);
    for (size_t i = 0; i < k; i++)
        out[i] = sel[i].name;
    return (int)k;
}
