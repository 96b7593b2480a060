/* SPDX-License-Identifier: MulanPSL-2.0 */
#include <sys/time.h>
#include <time.h>

#include "clock.h"

long long og_now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

long long og_now_ms(void)
{
    return og_now_ns() / 1000000;
}

void og_wall_stamp(char *buf, size_t size, long *usec)
{
    struct timeval tv;
    struct tm tm;

    gettimeofday(&tv, NULL);
    localtime_r(&tv.tv_sec, &tm);
    strftime(buf, size, "%Y-%m-%d %H:%M:%S", &tm);
    if (usec)
        *usec = (long)tv.tv_usec;
}
