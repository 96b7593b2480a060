/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * simlight.c - the light node shape (simcluster.h, enum sim_shape): its
 * name, the refusal of what needs a database instance, and the check that
 * a node's sshd answers (a light node's whole job).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "clock.h"
#include "simcluster.h"
#include "strtable.h"
#include "banned.h"

static const char *const sim_shape_table[] = {
    [SIM_SHAPE_FULL] = "full",
    [SIM_SHAPE_LIGHT] = "light",
};
STRTABLE_TO_STRING(sim_shape_name, enum sim_shape, sim_shape_table, "full");
static STRTABLE_FROM_STRING(sim_shape_from_name, int, sim_shape_table, -1);

int sim_shape_parse(const char *s, enum sim_shape *ret, struct og_error *err)
{
    int shape = sim_shape_from_name(s);

    if (shape >= 0) {
        *ret = (enum sim_shape)shape;
        return 0;
    }
    return og_error_set(err, OG_E_PARAM_VALUE,
                        "The parameter[shape] value[%s] is invalid: full or light", s ? s : "");
}

int sim_require_instance(const struct sim_cluster *c, const char *what, struct og_error *err)
{
    if (c->shape == SIM_SHAPE_FULL)
        return 0;
    return og_error_set(err, OG_E_SIM_NO_INSTANCE,
                        "The simulated cluster %s has no database instance (shape %s): %s needs "
                        "one",
                        c->name, sim_shape_name(c->shape), what);
}

/* Wait for fd to be ready for events until deadline; 1 ready, 0 not. */
static int ready(int fd, short events, long long deadline)
{
    for (;;) {
        long long left = deadline - og_now_ms();
        struct pollfd p = {.fd = fd, .events = events};
        int n;
        if (left <= 0)
            return 0;
        n = poll(&p, 1, (int)left);
        if (n > 0)
            return 1;
        if (n < 0 && errno != EINTR)
            return 0;
    }
}

bool sim_sshd_answers(const char *ip, int timeout_ms)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(22)};
    long long deadline = og_now_ms() + timeout_ms;
    _cleanup_close_ int fd = -1;
    char banner[8] = "";
    size_t got = 0;
    int soerr = 0;
    socklen_t len = sizeof(soerr);

    if (inet_pton(AF_INET, ip, &a.sin_addr) != 1)
        return false;
    fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0 || (connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0 && errno != EINPROGRESS))
        return false;
    if (!ready(fd, POLLOUT, deadline) || getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len) < 0 ||
        soerr != 0)
        return false;
    /* the server speaks first: "SSH-2.0-OpenSSH_..." */
    while (got < sizeof(banner) && ready(fd, POLLIN, deadline)) {
        ssize_t n = read(fd, banner + got, sizeof(banner) - got);
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    return got == sizeof(banner) && memcmp(banner, "SSH-2.0-", 8) == 0;
}
