/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * fuzz.h - helpers shared by the libFuzzer targets (tests/fuzz/fuzz_*.c):
 * the input as a NUL-terminated string, as a file, and a scratch directory
 * removed after each input (tests/helpers/tmpdir.h, as every test's). See
 * README.md beside this file.
 */
#pragma once

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../helpers/tmpdir.h"

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

/* A fresh directory $TMPDIR/ogup-test-<target>-XXXXXX (malloc'ed); abort
 * on failure. */
static inline char *fuzz_mkdtemp(void)
{
    char *dir = malloc(PATH_MAX);

    if (!dir || tmpdir_make(program_invocation_short_name, dir, PATH_MAX) < 0)
        abort();
    return dir;
}

/* rm -rf dir (a fuzz_mkdtemp one): never follows symlinks; directories made
 * unreadable by an extracted mode are opened up first. OGUP_KEEP_TMP=1 keeps
 * every input's directory: leave it unset while fuzzing. */
static inline void fuzz_rm_rf(const char *dir)
{
    if (tmpdir_remove(dir) < 0) {
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
