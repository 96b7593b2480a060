/* SPDX-License-Identifier: MulanPSL-2.0 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>

#include "ogup-config.h"
#include "parse.h"
#include "banned.h"

int safe_atoi(const char *s, int *ret)
{
    char *end = NULL;
    long v;

    if (!s || !*s)
        return -EINVAL;
    errno = 0;
    v = strtol(s, &end, 10);
    if (end == s || *end != '\0')
        return -EINVAL;
    if (errno == ERANGE || v < INT_MIN || v > INT_MAX)
        return -ERANGE;
    *ret = (int)v;
    return 0;
}

int og_print_version(const char *tool)
{
    printf("%s (ogup) %s\n", tool, OGUP_VERSION);
    return 0;
}
