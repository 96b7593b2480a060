/* SPDX-License-Identifier: MulanPSL-2.0 */
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>

#include "cleanup.h"
#include "parallel.h"
#include "banned.h"

struct thread_arg {
    void (*fn)(void *job);
    void *job;
};

static void *thread_main(void *arg)
{
    struct thread_arg *a = arg;

    a->fn(a->job);
    return NULL;
}

void parallel_each(void *jobs, size_t n, size_t job_size, void (*fn)(void *job), size_t stack)
{
    _cleanup_free_ pthread_t *th = calloc(n ? n : 1, sizeof(*th));
    _cleanup_free_ struct thread_arg *args = calloc(n ? n : 1, sizeof(*args));
    _cleanup_free_ bool *started = calloc(n ? n : 1, sizeof(*started));
    pthread_attr_t attr;
    bool with_attr;

    if (!th || !args || !started) { /* no memory for threads: one after another */
        for (size_t i = 0; i < n; i++)
            fn((char *)jobs + i * job_size);
        return;
    }
    with_attr = stack && pthread_attr_init(&attr) == 0;
    if (with_attr)
        (void)pthread_attr_setstacksize(&attr, stack);
    for (size_t i = 0; i < n; i++) {
        args[i] = (struct thread_arg){fn, (char *)jobs + i * job_size};
        started[i] = pthread_create(&th[i], with_attr ? &attr : NULL, thread_main, &args[i]) == 0;
    }
    if (with_attr)
        pthread_attr_destroy(&attr);
    for (size_t i = 0; i < n; i++)
        if (!started[i])
            fn(args[i].job);
    for (size_t i = 0; i < n; i++)
        if (started[i])
            pthread_join(th[i], NULL);
}
