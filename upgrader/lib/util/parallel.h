/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * parallel.h - run the same function on every job of an array at once.
 *
 * The one way ogup does "every node at once": a thread per job; a job whose
 * thread cannot be had runs in the caller after the others started, so the
 * outcome is the same, only later. Each job keeps its own result in its own
 * struct; the caller reads them in array order afterwards (the order in which
 * openGauss's tools report, whatever order the jobs ended in).
 */
#pragma once

#include <stddef.h>

/* Runs fn(&jobs[i]) for each of the n jobs (job_size bytes each) and
 * returns when all have ended. stack: a thread's stack size, 0 for the
 * default. */
void parallel_each(void *jobs, size_t n, size_t job_size, void (*fn)(void *job), size_t stack);
