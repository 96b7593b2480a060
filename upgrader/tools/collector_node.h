/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * collector_node.h - what gs_collector's node side (collector_local.c: the
 * stream, the job record, helpers, System and Database; collector_jobs.c:
 * the other TypeNames) shares. Internal to those two files.
 */
#pragma once

#include <archive.h>
#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <time.h>

#include "clusterconfig.h"
#include "collector_conf.h"
#include "dynbuf.h"
#include "ogerror.h"

#define MAX_DEPTH    16
#define MAX_FILES    20000
#define CORE_PATTERN "core-%e-%p-%t" /* LC g_core_pattern */

struct pacer { /* the stream's bound: rsync --bwlimit (LC:197, 799) */
    int fd;
    long long bytes_per_s; /* 0: none */
    long long sent;
    long long t0_ns; /* og_now_ns() at the start */
};

struct local {
    struct archive *a; /* <host>.tar.gz on stdout */
    char host[256];
    const char *stamp;    /* the invoker's time: LC g_current_time */
    long long begin, end; /* YYYYmmddHHMM */
    const char *keyword, *gausslog;
    size_t max_bytes; /* a nested archive's bound */
    const struct cluster_config *cfg;
    const struct cluster_node *self; /* NULL: not a node of the cluster */
    json_object *job;                /* LC g_jobInfo */
    bool write_failed;               /* the node's stream is lost: stop */
    bool over;                       /* a nested archive went over --max-size (OGUP-60010) */
    struct og_error err;
};

/* A nested .tar.gz built in memory, bounded by max_bytes. */
struct memtar {
    struct archive *a;
    struct dynbuf buf;
    struct local *l; /* over the bound: l->over */
};

/* LC g_jobInfo: begin a job, record a task that worked or failed (the
 * reason without quotes or newlines: LC replaceInvalidStr), print it. */
void job_begin(struct local *l, const char *name);
void job_ok(struct local *l, const char *task);
void job_fail(struct local *l, const char *task, const char *reason);
void job_end(struct local *l);

/* Members of archive a (the node's stream, l->a, or a nested one). */
int add_entry(struct local *l, struct archive *a, const char *path, mode_t type, size_t size,
              time_t mtime);
int add_mem(struct local *l, struct archive *a, const char *path, const void *data, size_t len);
/* A text built in b as member; one that did not all fit (b failed) is
 * followed by <member>.truncated saying so, never cut silently. */
int add_buf(struct local *l, struct archive *a, const char *member, const struct dynbuf *b);
int add_file(struct local *l, struct archive *a, const char *member, const char *path);
/* In the node's stream: the directory <host>/<rel> ("" or ending in '/'). */
int dir_entry(struct local *l, const char *rel);

int memtar_open(struct local *l, struct memtar *m);
int memtar_store(struct local *l, struct memtar *m, const char *member);
void memtar_drop(struct memtar *m);

void now_stamp(char *buf, size_t size);
long long minute_of(time_t t);
int run_into(struct dynbuf *out, const char *const *argv);
bool content_has(const char *content, const char *word);
void app_bin(const struct local *l, const char *prog, char *buf, size_t size);
int gsql(const struct local *l, const char *db, const char *sql, struct dynbuf *out);

int job_system(struct local *l);
int job_database(struct local *l, const char *content);
/* One run of the job of TypeName t (collector_jobs.c). */
int run_job(struct local *l, enum collect_type t, const char *content);
