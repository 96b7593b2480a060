/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * clock.h - the one clock for deadlines and durations: CLOCK_MONOTONIC in
 * milliseconds (never the wall clock, which an operator or NTP may move);
 * and the one wall-clock stamp of the logs.
 */
#pragma once

#include <stddef.h>

long long og_now_ms(void);
/* The same clock in nanoseconds (workload latencies, rate pacing). */
long long og_now_ns(void);

/* Now, local time, "YYYY-MM-DD HH:MM:SS" into buf; *usec (may be NULL) the
 * microseconds within that second (the logs' stamps, openGauss's format). */
void og_wall_stamp(char *buf, size_t size, long *usec);
