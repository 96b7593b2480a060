/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * report.c - progress, ratios, target verdicts and the JSON result file of
 * a benchmark (report.h).
 */
#include <json-c/json.h>
#include <stdarg.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "parse.h"
#include "report.h"

int bench_opt_int(const char *prog, const char *opt, const char *val, int min, int max, int *ret)
{
    if (safe_atoi_range(val, min, max, ret) == 0)
        return 0;
    fprintf(stderr, "%s: %s \"%s\" is not a whole number in %d..%d\n", prog, opt, val, min, max);
    return -1;
}

static double loadavg(void)
{
    double l = -1;
    FILE *f = fopen("/proc/loadavg", "re");

    if (f) {
        if (fscanf(f, "%lf", &l) != 1)
            l = -1;
        fclose(f);
    }
    return l;
}

void report_init(struct report *r, const char *bench, int rounds)
{
    const char *path = r->json_path;

    *r = (struct report){.bench = bench, .json_path = path, .rounds = rounds};
    r->t0 = now_ms();
    r->load_start = loadavg();
    r->root = json_object_new_object();
    r->series = json_object_new_object();
    r->ratios = json_object_new_object();
    r->targets = json_object_new_array();
}

void report_progress(const struct report *r, const char *fmt, ...)
{
    char text[512];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(text, sizeof(text), fmt, ap);
    va_end(ap);
    fprintf(stderr, "[%s +%.1fs] %s\n", r->bench, (double)(now_ms() - r->t0) / 1000.0, text);
    fflush(stderr);
}

static json_object *dbl(double v)
{
    return json_object_new_double(v);
}

void report_series(struct report *r, const char *key, const struct series *s, const char *unit)
{
    json_object *o = json_object_new_object(), *v = json_object_new_array();

    for (int i = 0; i < s->n; i++)
        json_object_array_add(v, json_object_new_int64(s->v[i]));
    json_object_object_add(o, "unit", json_object_new_string(unit));
    json_object_object_add(o, "median", json_object_new_int64(median(s)));
    json_object_object_add(o, "min", json_object_new_int64(series_min(s)));
    json_object_object_add(o, "max", json_object_new_int64(series_max(s)));
    json_object_object_add(o, "n", json_object_new_int(s->n));
    json_object_object_add(o, "samples", v);
    json_object_object_add(r->series, key, o);
}

static int dbl_cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

struct ratio ratio_of(const struct series *a, const struct series *b, bool paired)
{
    struct ratio q = {.n = a->n < b->n ? a->n : b->n, .paired = paired && a->n == b->n};
    double v[MAX_ROUNDS];
    int n = 0;

    if (q.paired) {
        for (int i = 0; i < a->n; i++)
            if (b->v[i] > 0)
                v[n++] = (double)a->v[i] / (double)b->v[i];
        if (n) {
            qsort(v, (size_t)n, sizeof(v[0]), dbl_cmp);
            q.value = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
            q.lo = v[0];
            q.hi = v[n - 1];
        }
        q.n = n;
        return q;
    }
    if (median(b) > 0 && series_min(b) > 0) {
        q.value = (double)median(a) / (double)median(b);
        q.lo = (double)series_min(a) / (double)series_max(b);
        q.hi = (double)series_max(a) / (double)series_min(b);
    }
    return q;
}

struct ratio ratio_abs(const struct series *s, double scale)
{
    return (struct ratio){.value = (double)median(s) * scale,
                          .lo = (double)series_min(s) * scale,
                          .hi = (double)series_max(s) * scale,
                          .n = s->n};
}

static json_object *ratio_json(const struct ratio *q)
{
    json_object *o = json_object_new_object();

    json_object_object_add(o, "value", dbl(q->value));
    json_object_object_add(o, "lo", dbl(q->lo));
    json_object_object_add(o, "hi", dbl(q->hi));
    json_object_object_add(o, "n", json_object_new_int(q->n));
    json_object_object_add(o, "paired", json_object_new_boolean(q->paired));
    return o;
}

void report_ratio(struct report *r, const char *key, const struct ratio *q)
{
    json_object_object_add(r->ratios, key, ratio_json(q));
}

const char *report_target(struct report *r, const char *id, const char *measure,
                          const struct ratio *q, double target, const char *unit)
{
    const char *verdict = q->n == 0         ? "not measured"
                          : q->hi <= target ? "holds"
                          : q->lo > target  ? "fails"
                                            : "can't tell";
    json_object *o = ratio_json(q);

    printf("  %-4s %-58s %8.3f%s (%.3f..%.3f, n=%d)  target <= %g%s  %s\n", id, measure, q->value,
           unit, q->lo, q->hi, q->n, target, unit, verdict);
    json_object_object_add(o, "id", json_object_new_string(id));
    json_object_object_add(o, "measure", json_object_new_string(measure));
    json_object_object_add(o, "target", dbl(target));
    json_object_object_add(o, "unit", json_object_new_string(unit));
    json_object_object_add(o, "verdict", json_object_new_string(verdict));
    json_object_array_add(r->targets, o);
    return verdict;
}

int report_finish(struct report *r)
{
    char when[32];
    time_t t = time(NULL);
    struct tm tm;
    int rc = 0;

    strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&t, &tm));
    json_object_object_add(r->root, "bench", json_object_new_string(r->bench));
    json_object_object_add(r->root, "date", json_object_new_string(when));
    json_object_object_add(r->root, "rounds", json_object_new_int(r->rounds));
    json_object_object_add(r->root, "nproc",
                           json_object_new_int((int)sysconf(_SC_NPROCESSORS_ONLN)));
    json_object_object_add(r->root, "load_start", dbl(r->load_start));
    json_object_object_add(r->root, "load_end", dbl(loadavg()));
    json_object_object_add(r->root, "seconds", dbl((double)(now_ms() - r->t0) / 1000.0));
    json_object_object_add(r->root, "series", r->series);
    json_object_object_add(r->root, "ratios", r->ratios);
    json_object_object_add(r->root, "targets", r->targets);
    printf("(load average %.2f at the start, %.2f at the end; %ld CPUs)\n", r->load_start,
           loadavg(), sysconf(_SC_NPROCESSORS_ONLN));
    if (r->json_path &&
        json_object_to_file_ext(r->json_path, r->root, JSON_C_TO_STRING_PRETTY) < 0) {
        fprintf(stderr, "%s: cannot write %s: %s\n", r->bench, r->json_path,
                json_util_get_last_err());
        rc = -1;
    }
    json_object_put(r->root);
    r->root = NULL;
    return rc;
}
