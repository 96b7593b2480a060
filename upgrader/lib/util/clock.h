/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * clock.h - the one clock for deadlines and durations: CLOCK_MONOTONIC in
 * milliseconds (never the wall clock, which an operator or NTP may move).
 */
#pragma once

long long og_now_ms(void);
