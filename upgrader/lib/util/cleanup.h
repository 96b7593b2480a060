/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * cleanup.h - scope-bound cleanup without GLib (systemd style).
 *
 *   _cleanup_free_ char *s = strdup("x");
 *   _cleanup_close_ int fd = open(...);
 *   return steal_ptr(s);       // hand ownership out
 *
 * Every destructor used here accepts NULL / -1.
 */
#pragma once

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <errno.h>

#define _cleanup_(f)         __attribute__((cleanup(f)))
#define _printf_(a, b)       __attribute__((format(printf, a, b)))
#define _unused_             __attribute__((unused))
#define _noreturn_           __attribute__((noreturn))
#define _warn_unused_result_ __attribute__((warn_unused_result))
#define _sentinel_           __attribute__((sentinel))

#define ELEMENTSOF(a) (sizeof(a) / sizeof((a)[0]))

/* Define `name##p(type *p)` calling `func(*p)` when *p is non-NULL. */
#define DEFINE_TRIVIAL_CLEANUP_FUNC(type, func)                                                    \
    static inline void func##p(type *p)                                                            \
    {                                                                                              \
        if (*p)                                                                                    \
            func(*p);                                                                              \
    }

static inline void freep(void *p)
{
    free(*(void **)p);
}

/* close() that keeps errno, for use in cleanup paths. */
static inline int safe_close(int fd)
{
    if (fd >= 0) {
        int saved = errno;
        close(fd);
        errno = saved;
    }
    return -1;
}

static inline void closep(int *fd)
{
    safe_close(*fd);
}

static inline void fclosep(FILE **f)
{
    if (*f)
        fclose(*f);
}

/* A NULL-terminated vector of heap strings. */
static inline void strv_free(char **v)
{
    if (!v)
        return;
    for (char **i = v; *i; i++)
        free(*i);
    free(v);
}
DEFINE_TRIVIAL_CLEANUP_FUNC(char **, strv_free)

/* qsort()/bsearch() order of an array of strings (char *[]), by strcmp. */
static inline int strv_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

DEFINE_TRIVIAL_CLEANUP_FUNC(DIR *, closedir)

#define _cleanup_free_     _cleanup_(freep)
#define _cleanup_close_    _cleanup_(closep)
#define _cleanup_fclose_   _cleanup_(fclosep)
#define _cleanup_strv_     _cleanup_(strv_freep)
#define _cleanup_closedir_ _cleanup_(closedirp)

/* Take a pointer out of a cleanup variable: the variable becomes NULL. */
static inline void *steal_ptr_impl(void **p)
{
    void *v = *p;
    *p = NULL;
    return v;
}
#define steal_ptr(p) steal_ptr_impl((void **)&(p))

static inline int steal_fd(int *fd)
{
    int v = *fd;
    *fd = -1;
    return v;
}
