/* SPDX-License-Identifier: MulanPSL-2.0 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fs.h"
#include "lockfile.h"
#include "banned.h"

struct lockfile {
    int fd;
};

static int try_lock(int fd)
{
    struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0};

    return fcntl(fd, F_OFD_SETLK, &fl);
}

int lockfile_acquire(const char *path, const char *owner, int timeout_ms, struct lockfile **ret,
                     struct og_error *err)
{
    _cleanup_close_ int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    struct lockfile *lock;
    char info[256];
    int waited = 0;

    if (fd < 0)
        return og_error_set_errno(err, errno == ENOENT ? OG_E_NOT_EXIST : OG_E_IO, errno,
                                  "cannot open lock file \"%s\"", path);
    while (try_lock(fd) < 0) {
        char holder[256] = "";
        ssize_t n;

        if (errno != EAGAIN && errno != EACCES && errno != EINTR)
            return og_error_set_errno(err, OG_E_IO, errno, "cannot lock \"%s\"", path);
        if (errno != EINTR && waited >= timeout_ms) {
            n = pread(fd, holder, sizeof(holder) - 1, 0);
            holder[n > 0 ? n : 0] = '\0';
            holder[strcspn(holder, "\n")] = '\0';
            return og_error_set(err, OG_E_LOCKED, "the lock \"%s\" is held by another process (%s)",
                                path, holder[0] ? holder : "holder unknown");
        }
        usleep(50 * 1000);
        waited += 50;
    }
    snprintf(info, sizeof(info), "pid=%ld tool=%s since=%lld\n", (long)getpid(),
             owner ? owner : "-", (long long)time(NULL));
    if (ftruncate(fd, 0) < 0 || fs_write_all(fd, info, strlen(info)) < 0 ||
        lseek(fd, 0, SEEK_SET) < 0 || fsync(fd) < 0)
        return og_error_set_errno(err, OG_E_IO, errno, "cannot record the holder in \"%s\"", path);
    lock = malloc(sizeof(*lock));
    if (!lock)
        return og_error_set(err, OG_E_NOMEM, "locking \"%s\"", path);
    lock->fd = steal_fd(&fd);
    *ret = lock;
    return 0;
}

void lockfile_release(struct lockfile *lock)
{
    if (!lock)
        return;
    safe_close(lock->fd);
    free(lock);
}
