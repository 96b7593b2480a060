/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * fuzz.h - helpers shared by the libFuzzer targets (tests/fuzz/fuzz_*.c):
 * the input as a NUL-terminated string, as a file, and a scratch directory
 * removed after each input. See README.md beside this file.
 */
#pragma once

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A finding that is not a sanitizer report (a broken round trip): abort so
 * libFuzzer saves the input. */
#define FUZZ_ASSERT(cond)                                                                          \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "%s:%d: FUZZ_ASSERT(%s) failed\n", __FILE__, __LINE__, #cond);         \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

/* data as a malloc'ed NUL-terminated string (an embedded NUL ends it early,
 * as it would for a file read into a C string). */
static inline char *fuzz_strdup(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);

    if (!s)
        abort();
    memcpy(s, data, size);
    s[size] = '\0';
    return s;
}

/* Write data to path (created or truncated). */
static inline void fuzz_write_file(const char *path, const uint8_t *data, size_t size)
{
    FILE *f = fopen(path, "wb");

    if (!f || (size && fwrite(data, 1, size, f) != size) || fclose(f) != 0)
        abort();
}

/* A fresh directory under $TMPDIR (or /tmp); abort on failure. */
static inline char *fuzz_mkdtemp(void)
{
    const char *tmp = getenv("TMPDIR");
    char *dir = NULL;

    if (asprintf(&dir, "%s/ogup-fuzz-XXXXXX", tmp && *tmp ? tmp : "/tmp") < 0 || !mkdtemp(dir))
        abort();
    return dir;
}

static inline int fuzz_rm_one(const char *path, const struct stat *st, int type, struct FTW *f)
{
    (void)st, (void)type, (void)f;
    return remove(path) < 0 ? -1 : 0;
}

/* rm -rf dir: never follows symlinks (FTW_PHYS); directories made
 * unreadable by an extracted mode are opened up first. */
static inline int fuzz_chmod_one(const char *path, const struct stat *st, int type, struct FTW *f)
{
    (void)f;
    if (type == FTW_D || type == FTW_DNR)
        (void)chmod(path, 0700);
    (void)st;
    return 0;
}

static inline void fuzz_rm_rf(const char *dir)
{
    (void)nftw(dir, fuzz_chmod_one, 16, FTW_PHYS);
    if (nftw(dir, fuzz_rm_one, 16, FTW_PHYS | FTW_DEPTH) < 0) {
        fprintf(stderr, "fuzz: cannot remove %s\n", dir);
        abort();
    }
}

static char *fuzz_scratch_path;

static inline void fuzz_scratch_rm(void)
{
    if (fuzz_scratch_path)
        fuzz_rm_rf(fuzz_scratch_path);
}

/* One scratch directory for the whole run, removed at exit. */
static inline const char *fuzz_scratch_dir(void)
{
    if (!fuzz_scratch_path) {
        fuzz_scratch_path = fuzz_mkdtemp();
        atexit(fuzz_scratch_rm);
    }
    return fuzz_scratch_path;
}
