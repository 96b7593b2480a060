/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * report.h - what every benchmark reports the same way: progress lines on
 * stderr while it runs, ratios with their uncertainty, the target
 * rows with a verdict, and a JSON result file (--json FILE) that
 * bench_compare merges and compares (bench/README.md, "Results").
 *
 * A ratio measured side by side is paired: round k of the numerator and
 * round k of the denominator ran one after the other, so the per-round
 * ratios are its samples; its value is their median and its uncertainty
 * their range. An unpaired ratio is the ratio of the medians, bounded by
 * min/max and max/min. A target "<= T" holds when the whole range is at or
 * below T, fails when the whole range is above it, and otherwise the run
 * cannot tell (more rounds, or a quieter machine).
 */
#pragma once

#include <stdbool.h>

#include "cleanup.h"
#include "stats.h"

struct json_object;

struct ratio {
    double value, lo, hi;
    int n;
    bool paired;
};

struct report {
    const char *bench;
    const char *json_path; /* NULL: no result file */
    int rounds;
    long long t0;
    double load_start;
    struct json_object *root, *series, *ratios, *targets;
};

void report_init(struct report *r, const char *bench, int rounds);
/* "[bench +SECONDSs] text" on stderr, at once. */
void report_progress(const struct report *r, const char *fmt, ...) _printf_(2, 3);
/* Records a series (unit "ms" for times) under key. */
void report_series(struct report *r, const char *key, const struct series *s, const char *unit);
/* a / b: paired when both were measured in the same rounds (same n). */
struct ratio ratio_of(const struct series *a, const struct series *b, bool paired);
/* A series as a quantity in its unit times scale (e.g. ms -> s: 0.001). */
struct ratio ratio_abs(const struct series *s, double scale);
void report_ratio(struct report *r, const char *key, const struct ratio *q);
/* Prints the target row "ID measure value (lo..hi) target <= T verdict" and
 * records it; returns the verdict ("holds", "fails", "can't tell"). */
const char *report_target(struct report *r, const char *id, const char *measure,
                          const struct ratio *q, double target, const char *unit);
/* A whole number option of the benchmark prog: val in [min, max] into
 * *ret, 0; else -1, said on stderr ("prog: --rounds \"x\" is not a whole
 * number in 1..40"): the caller exits 2, as for its other bad options. */
int bench_opt_int(const char *prog, const char *opt, const char *val, int min, int max, int *ret);
/* The load average at the start and now, the time taken, the JSON file
 * when asked for. Frees the report. 0, or -1 (said on stderr). */
int report_finish(struct report *r);
