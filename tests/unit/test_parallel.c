/* SPDX-License-Identifier: MulanPSL-2.0 */
/* util/parallel: every job runs exactly once, and they run at the same time
 * (each job waits, bounded, until all have started: run one after another
 * they would each give up and say so). */
#include <criterion/criterion.h>
#include <pthread.h>
#include <time.h>

#include "parallel.h"

#define N 16

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static int arrived;

struct job {
    int index;
    int runs;
    bool saw_all;
};

static void meet(void *arg)
{
    struct job *j = arg;
    struct timespec until;

    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += 10;
    pthread_mutex_lock(&lock);
    j->runs++;
    arrived++;
    pthread_cond_broadcast(&cond);
    while (arrived < N && pthread_cond_timedwait(&cond, &lock, &until) == 0)
        ;
    j->saw_all = arrived >= N;
    pthread_mutex_unlock(&lock);
}

Test(parallel, every_job_once_and_all_at_once)
{
    struct job jobs[N] = {{0}};

    for (int i = 0; i < N; i++)
        jobs[i].index = i;
    arrived = 0;
    parallel_each(jobs, N, sizeof(jobs[0]), meet, 256 * 1024);
    for (int i = 0; i < N; i++) {
        cr_assert_eq(jobs[i].runs, 1, "job %d ran %d times", i, jobs[i].runs);
        cr_assert(jobs[i].saw_all, "job %d did not run beside the others", i);
        cr_assert_eq(jobs[i].index, i, "job %d's struct was not its own", i);
    }
}

static void count(void *arg)
{
    (*(int *)arg)++;
}

Test(parallel, no_jobs_and_one_job)
{
    int one = 0;

    parallel_each(NULL, 0, sizeof(int), count, 0);
    parallel_each(&one, 1, sizeof(one), count, 0);
    cr_assert_eq(one, 1);
}
