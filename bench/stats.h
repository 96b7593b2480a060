/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * stats.h - what the benchmarks share: a monotonic clock in ms and a series
 * of samples with its median (the mean of the two middle values for an even
 * count) and its spread.
 */
#pragma once

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "clock.h"

#define MAX_ROUNDS 20

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

/* Sorts the samples (so v[0] and v[n-1] are the spread afterwards). */
static inline long long median(struct series *s)
{
    qsort(s->v, (size_t)s->n, sizeof(s->v[0]), series_cmp);
    if (!s->n)
        return 0;
    return s->n % 2 ? s->v[s->n / 2] : (s->v[s->n / 2 - 1] + s->v[s->n / 2]) / 2;
}

static inline void add(struct series *s, long long v)
{
    if (s->n < MAX_ROUNDS)
        s->v[s->n++] = v;
}
