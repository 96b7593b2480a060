/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * Test helper run as a separate program (not a fork of the test runner):
 *   util_helper crash-write PATH CONTENT   replace PATH, SIGKILL self half-way
 *   util_helper hold-lock PATH MS          take the lock, print "locked",
 *                                          hold it MS ms (-1: until killed)
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fs.h"
#include "lockfile.h"

static int half_then_die(int fd, void *ud, struct og_error *err)
{
    const char *s = ud;

    (void)err;
    if (fs_write_all(fd, s, strlen(s) / 2) < 0)
        _exit(3);
    raise(SIGKILL);
    return 0;
}

int main(int argc, char **argv)
{
    struct og_error err = {0};

    if (argc == 4 && strcmp(argv[1], "crash-write") == 0) {
        fs_replace_file_with(argv[2], 0600, half_then_die, argv[3], &err);
        fprintf(stderr, "not killed: %s\n", err.detail);
        return 2;
    }
    if (argc == 4 && strcmp(argv[1], "hold-lock") == 0) {
        struct lockfile *l = NULL;
        int ms = atoi(argv[3]);

        if (lockfile_acquire(argv[2], "util_helper", 0, &l, &err) < 0) {
            fprintf(stderr, "%s\n", err.detail);
            return 2;
        }
        printf("locked\n");
        fflush(stdout);
        if (ms < 0)
            for (;;)
                pause();
        usleep((useconds_t)ms * 1000);
        lockfile_release(l);
        return 0;
    }
    fprintf(stderr, "usage: util_helper crash-write PATH CONTENT | hold-lock PATH MS\n");
    return 1;
}
