/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * bench_compare - the benchmarks' JSON results (report.h), merged, shown
 * and compared:
 *
 *   bench_compare merge OUT FILE...   one result file of several benchmarks
 *   bench_compare targets FILE        every target row with its verdict
 *   bench_compare compare OLD NEW     each series and ratio in both: the
 *                                     change, and whether it is beyond the
 *                                     measured spread; exit 1 on a regression
 *
 * Every measure is lower-is-better (times, ratios of times). A change is a
 * regression when the new median is above the old, the two runs' ranges do
 * not overlap (new min > old max) and the change exceeds --tolerance percent
 * (default 10: two runs under different loads differ by more than one run's
 * spread says). A target that held and now fails is a regression.
 */
#include <json-c/json.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static double tolerance = 10.0;

static json_object *load(const char *path)
{
    json_object *o = json_object_from_file(path), *all;

    if (!o) {
        fprintf(stderr, "bench_compare: %s: %s\n", path, json_util_get_last_err());
        exit(2);
    }
    if (!json_object_object_get_ex(o, "bench", NULL))
        return o; /* already merged */
    all = json_object_new_object();
    json_object_object_add(all, json_object_get_string(json_object_object_get(o, "bench")), o);
    o = json_object_new_object();
    json_object_object_add(o, "benchmarks", all);
    return o;
}

static json_object *benches(json_object *o)
{
    json_object *b = NULL;

    json_object_object_get_ex(o, "benchmarks", &b);
    return b;
}

static int merge(const char *out, int n, char **files)
{
    json_object *root = json_object_new_object(), *all = json_object_new_object();

    json_object_object_add(root, "benchmarks", all);
    for (int i = 0; i < n; i++) {
        json_object *one = load(files[i]);
        json_object_object_foreach(benches(one), k, v)
            json_object_object_add(all, k, json_object_get(v));
        json_object_put(one);
    }
    if (json_object_to_file_ext(out, root, JSON_C_TO_STRING_PRETTY) < 0) {
        fprintf(stderr, "bench_compare: %s: %s\n", out, json_util_get_last_err());
        return 2;
    }
    json_object_put(root);
    return 0;
}

static double num(json_object *o, const char *k)
{
    json_object *v = NULL;

    return json_object_object_get_ex(o, k, &v) ? json_object_get_double(v) : 0;
}

static const char *str(json_object *o, const char *k)
{
    json_object *v = NULL;

    return json_object_object_get_ex(o, k, &v) ? json_object_get_string(v) : "";
}

static int targets(const char *path)
{
    json_object *o = load(path);

    printf("%-4s %-58s %10s %19s %10s  %s\n", "id", "measure", "value", "range", "target",
           "verdict");
    json_object_object_foreach(benches(o), bench, b)
    {
        json_object *t = NULL;
        (void)bench;
        if (!json_object_object_get_ex(b, "targets", &t))
            continue;
        for (size_t i = 0; i < json_object_array_length(t); i++) {
            json_object *row = json_object_array_get_idx(t, i);
            char range[64], target[32];
            snprintf(range, sizeof(range), "%.3f..%.3f", num(row, "lo"), num(row, "hi"));
            snprintf(target, sizeof(target), "<= %g%s", num(row, "target"), str(row, "unit"));
            printf("%-4s %-58s %9.3f%s %19s %10s  %s\n", str(row, "id"), str(row, "measure"),
                   num(row, "value"), str(row, "unit"), range, target, str(row, "verdict"));
        }
    }
    json_object_put(o);
    return 0;
}

/* One measure in both runs: 1 when it regressed. */
static int compare_one(const char *what, double om, double olo, double ohi, int on, double nm,
                       double nlo, double nhi, int nn)
{
    double pct = om != 0 ? (nm - om) / om * 100.0 : 0;
    bool spread = on >= 3 && nn >= 3;
    bool worse = nm > om && nlo > ohi && pct > tolerance;
    bool better = nm < om && nhi < olo && -pct > tolerance;

    printf("  %-52s %10.3f -> %10.3f  %+7.1f%%  %s\n", what, om, nm, pct,
           worse    ? "REGRESSION"
           : better ? "better"
                    : (spread ? "within the spread or tolerance" : "within the tolerance (n < 3)"));
    (void)olo;
    return worse;
}

static int compare_group(json_object *ob, json_object *nb, const char *bench, const char *group)
{
    json_object *og = NULL, *ng = NULL;
    int bad = 0;

    if (!json_object_object_get_ex(ob, group, &og) || !json_object_object_get_ex(nb, group, &ng))
        return 0;
    json_object_object_foreach(ng, k, nv)
    {
        json_object *ov = NULL;
        char what[256];
        bool s = strcmp(group, "series") == 0;
        if (!json_object_object_get_ex(og, k, &ov))
            continue;
        snprintf(what, sizeof(what), "%s %s%s", bench, k, s ? " (ms)" : "");
        bad += compare_one(what, num(ov, s ? "median" : "value"), num(ov, s ? "min" : "lo"),
                           num(ov, s ? "max" : "hi"), (int)num(ov, "n"),
                           num(nv, s ? "median" : "value"), num(nv, s ? "min" : "lo"),
                           num(nv, s ? "max" : "hi"), (int)num(nv, "n"));
    }
    return bad;
}

static const char *verdict_of(json_object *b, const char *id)
{
    json_object *t = NULL;

    if (json_object_object_get_ex(b, "targets", &t))
        for (size_t i = 0; i < json_object_array_length(t); i++)
            if (strcmp(str(json_object_array_get_idx(t, i), "id"), id) == 0)
                return str(json_object_array_get_idx(t, i), "verdict");
    return "";
}

static int compare(const char *oldf, const char *newf)
{
    json_object *o = load(oldf), *n = load(newf);
    int bad = 0;

    printf("%s -> %s (lower is better; a regression is beyond the measured spread)\n", oldf, newf);
    json_object_object_foreach(benches(n), bench, nb)
    {
        json_object *ob = NULL, *t = NULL;
        if (!json_object_object_get_ex(benches(o), bench, &ob))
            continue;
        bad += compare_group(ob, nb, bench, "series");
        bad += compare_group(ob, nb, bench, "ratios");
        if (json_object_object_get_ex(nb, "targets", &t))
            for (size_t i = 0; i < json_object_array_length(t); i++) {
                const char *id = str(json_object_array_get_idx(t, i), "id");
                const char *nv = str(json_object_array_get_idx(t, i), "verdict");
                bool lost = strcmp(verdict_of(ob, id), "holds") == 0 && strcmp(nv, "fails") == 0;
                printf("  target %-4s %s -> %s%s\n", id, verdict_of(ob, id), nv,
                       lost ? "  REGRESSION" : "");
                bad += lost;
            }
    }
    printf("%d regression%s\n", bad, bad == 1 ? "" : "s");
    json_object_put(o);
    json_object_put(n);
    return bad ? 1 : 0;
}

static int usage(void)
{
    fprintf(stderr, "usage: bench_compare merge OUT FILE...\n"
                    "       bench_compare targets FILE\n"
                    "       bench_compare [--tolerance PCT] compare OLD NEW\n");
    return 2;
}

int main(int argc, char **argv)
{
    int i = 1;

    if (i + 1 < argc && strcmp(argv[i], "--tolerance") == 0) {
        char *end;
        tolerance = strtod(argv[i + 1], &end);
        if (*end || tolerance < 0)
            return usage();
        i += 2;
    }
    if (i < argc && strcmp(argv[i], "merge") == 0 && argc - i >= 3)
        return merge(argv[i + 1], argc - i - 2, argv + i + 2);
    if (i < argc && strcmp(argv[i], "targets") == 0 && argc - i == 2)
        return targets(argv[i + 1]);
    if (i < argc && strcmp(argv[i], "compare") == 0 && argc - i == 3)
        return compare(argv[i + 1], argv[i + 2]);
    return usage();
}
