/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * collector_conf.h - gs_collector's -C configuration file (openGauss-OM
 * v5.0.0 script/gs_collector:42-58, 255-330; the maps of
 * script/gspylib/common/Common.py:391-497):
 *
 *   { "Collect": [ {"TypeName": T, "Content": "c1,c2", "Interval": "0",
 *                   "Count": "1"}, ... ] }
 *
 * validated with openGauss's codes, in its order: a duplicated key anywhere
 * GAUSS-51245 (the innermost object first, as json.loads' object_pairs_hook
 * sees them), not JSON or not of that shape GAUSS-51239, a key other than
 * Collect / Content, TypeName, Interval, Count GAUSS-51242, Interval or Count
 * not a string of digits GAUSS-51241, TypeName or Content missing or empty
 * GAUSS-51240, a content not in the TypeName's list GAUSS-51243 (a substring
 * test, as openGauss's), one the content map lacks GAUSS-51244, nothing to
 * collect GAUSS-53516.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "ogerror.h"

/* In CollectImplOLAP.doCollector's order (CollectImplOLAP.py:776-921). */
enum collect_type {
    COLLECT_SYSTEM,
    COLLECT_DATABASE,
    COLLECT_LOG,
    COLLECT_XLOG,
    COLLECT_COREDUMP,
    COLLECT_CONFIG,
    COLLECT_GSTACK,
    COLLECT_TRACE,
    COLLECT_PLAN,
    COLLECT_N_TYPES,
};

struct collect_item {
    enum collect_type type;
    /* The content after COLLECT_CONF_CONTENT_MAP ("DN,cm,om,bin,"), or as
     * written for Database and Plan (gs_collector:299-311). */
    char *content;
    bool has_interval, has_count;
    long interval, count;
};

struct collect_conf {
    struct collect_item *items; /* in the file's order */
    size_t n;
};

/* "System", "Log", ... (the TypeName); NULL out of range. */
const char *collect_type_name(enum collect_type t);
/* TypeName to type; -1 when not one. */
int collect_type_from_name(const char *name);

/* The default file: <the directory of the running program>/gspylib/etc/conf/
 * gs_collector.json, where openGauss looks for it (gs_collector:255-258). */
int collect_conf_default_path(char *buf, size_t size, struct og_error *err);

/* Read and validate path; GAUSS-50201 when it does not exist. */
int collect_conf_load(const char *path, struct collect_conf *ret, struct og_error *err)
    _warn_unused_result_;

void collect_conf_done(struct collect_conf *c);
