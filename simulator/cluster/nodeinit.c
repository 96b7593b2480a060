/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * ogsim-init - PID 1 of a simulated node:
 *   ogsim-init HOSTNAME SSHD_CONFIG
 * sets the host name, prepares /run/sshd, runs sshd in the foreground as its
 * child (restarting it if it dies), reaps every orphan (the node's gaussdb
 * processes are re-parented here), and exits on SIGTERM/SIGPWR.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
    (void)sig;
    stop = 1;
}

static pid_t start_sshd(const char *config)
{
    pid_t pid = fork();

    if (pid == 0) {
        char *const argv[] = { (char *)"/usr/sbin/sshd", (char *)"-D", (char *)"-e",
                               (char *)"-f", (char *)config, NULL };
        char *const envp[] = { (char *)"PATH=/usr/sbin:/usr/bin:/sbin:/bin", NULL };
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        execve(argv[0], argv, envp);
        fprintf(stderr, "ogsim-init: cannot run sshd: %s\n", strerror(errno));
        _exit(127);
    }
    return pid;
}

int main(int argc, char **argv)
{
    struct sigaction sa = { .sa_handler = on_signal };
    pid_t sshd;
    time_t last_start;

    if (argc != 3) {
        fprintf(stderr, "usage: ogsim-init HOSTNAME SSHD_CONFIG\n");
        return 2;
    }
    if (sethostname(argv[1], strlen(argv[1])) < 0)
        fprintf(stderr, "ogsim-init: sethostname: %s\n", strerror(errno));
    mkdir("/run/sshd", 0755);
    chmod("/run/sshd", 0755);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGPWR, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGHUP, SIG_IGN);

    sshd = start_sshd(argv[2]);
    last_start = time(NULL);
    fprintf(stderr, "ogsim-init: node %s up, sshd pid %ld\n", argv[1], (long)sshd);
    while (!stop) {
        int status;
        pid_t pid = waitpid(-1, &status, 0);

        if (pid < 0) {
            if (errno == ECHILD)
                pause();
            continue;
        }
        if (pid == sshd && !stop) {
            fprintf(stderr, "ogsim-init: sshd exited (status %d), restarting\n", status);
            if (time(NULL) - last_start < 1)
                sleep(1);
            sshd = start_sshd(argv[2]);
            last_start = time(NULL);
        }
    }
    kill(-1, SIGTERM);
    return 0;
}
