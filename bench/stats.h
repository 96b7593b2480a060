/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * stats.h - what the benchmarks share: a monotonic clock in ms and a series
 * of samples kept in the order they were taken (round k is v[k], so two
 * series measured in the same rounds pair up), with its median (the mean of
 * the two middle values for an even count), minimum and maximum.
 */
#pragma once

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock.h"

#define MAX_ROUNDS 40

struct series {
    const char *name;
    long long v[MAX_ROUNDS];
    int n;
};

static inline long long now_ms(void)
{
    return og_now_ms();
}

static inline int series_cmp(const void *a, const void *b)
{
    long long x = *(const long long *)a, y = *(const long long *)b;
    return x < y ? -1 : x > y;
}

/* The samples stay in round order: the median sorts a copy. */
static inline long long median(const struct series *s)
{
    long long v[MAX_ROUNDS];

    if (!s->n)
        return 0;
    memcpy(v, s->v, (size_t)s->n * sizeof(v[0]));
    qsort(v, (size_t)s->n, sizeof(v[0]), series_cmp);
    return s->n % 2 ? v[s->n / 2] : (v[s->n / 2 - 1] + v[s->n / 2]) / 2;
}

static inline long long series_min(const struct series *s)
{
    long long m = s->n ? s->v[0] : 0;

    for (int i = 1; i < s->n; i++)
        m = s->v[i] < m ? s->v[i] : m;
    return m;
}

static inline long long series_max(const struct series *s)
{
    long long m = s->n ? s->v[0] : 0;

    for (int i = 1; i < s->n; i++)
        m = s->v[i] > m ? s->v[i] : m;
    return m;
}

static inline void add(struct series *s, long long v)
{
    if (s->n < MAX_ROUNDS)
        s->v[s->n++] = v;
}
