/* SPDX-License-Identifier: MulanPSL-2.0 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>

#include "ogup-config.h"
#include "parse.h"
#include "banned.h"

int safe_atolli(const char *s, long long *ret)
{
    char *end = NULL;
    long long v;

    if (!s || !*s)
        return -EINVAL;
    errno = 0;
    v = strtoll(s, &end, 10);
    if (end == s || *end != '\0')
        return -EINVAL;
    if (errno == ERANGE)
        return -ERANGE;
    *ret = v;
    return 0;
}

int safe_atolli_range(const char *s, long long min, long long max, long long *ret)
{
    long long v;
    int r = safe_atolli(s, &v);

    if (r < 0)
        return r;
    if (v < min || v > max)
        return -ERANGE;
    *ret = v;
    return 0;
}

int safe_atoi_range(const char *s, int min, int max, int *ret)
{
    long long v;
    int r = safe_atolli_range(s, min, max, &v);

    if (r == 0)
        *ret = (int)v;
    return r;
}

int safe_atoi(const char *s, int *ret)
{
    return safe_atoi_range(s, INT_MIN, INT_MAX, ret);
}

int safe_atou_base(const char *s, unsigned base, unsigned *ret)
{
    char *end = NULL;
    unsigned long v;

    /* strtoul takes "-1" as ULONG_MAX: a sign (after any blanks, which
     * strtoul skips) is refused before it */
    if (!s || !*s)
        return -EINVAL;
    for (const char *b = s; *b; b++)
        if (!isspace((unsigned char)*b)) {
            if (*b == '-' || *b == '+')
                return -EINVAL;
            break;
        }
    errno = 0;
    v = strtoul(s, &end, (int)base);
    if (end == s || *end != '\0')
        return -EINVAL;
    if (errno == ERANGE || v > UINT_MAX)
        return -ERANGE;
    *ret = (unsigned)v;
    return 0;
}

int og_print_version(const char *tool)
{
    printf("%s (ogup) %s\n", tool, OGUP_VERSION);
    return 0;
}
