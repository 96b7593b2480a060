/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * command.h - run a local program from an argv (libvirt virCommand, git
 * run-command). Never a shell: the argv goes to execve() as is.
 *
 * The child gets a CLEAN environment: PATH=/usr/local/sbin:/usr/local/bin:
 * /usr/sbin:/usr/bin:/sbin:/bin and LC_ALL=C, plus what command_setenv() and
 * command_passenv() add. It runs in its own process group, with stdin from
 * command_set_input() (or /dev/null), and every other fd closed.
 *
 * stdout and stderr are captured, each bounded by the output limit: going
 * over kills the process group and fails with -OG_E_OUTPUT_LIMIT. A timeout
 * kills the process group and fails with -OG_E_TIMEOUT: the deadline holds
 * until the child has exited (watched through a pidfd) AND its pipes are
 * closed, so a child that closes stdout/stderr and runs on is still ended at
 * the deadline. Whatever is left of its group is killed before the call
 * returns. A program that cannot
 * be started fails with -OG_E_SPAWN. A non-zero exit is NOT an error of
 * command_run(): look at the result, or use command_run_ok().
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "cleanup.h"
#include "ogerror.h"

#define COMMAND_DEFAULT_TIMEOUT_MS (10 * 60 * 1000)
#define COMMAND_DEFAULT_OUTPUT_MAX (4u * 1024 * 1024)

struct command;

struct command_result {
    int exit_status; /* exit code, or -1 when killed by a signal */
    int term_signal; /* signal number, 0 when exited */
    char *out;       /* captured stdout, NUL-terminated, never NULL after run */
    size_t out_len;
    char *err; /* captured stderr */
    size_t err_len;
};

/* argv is copied. NULL on allocation failure or an empty argv. */
struct command *command_new(const char *const *argv);
struct command *command_newl(const char *arg0, ...) _sentinel_;
void command_free(struct command *cmd);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct command *, command_free)
#define _cleanup_command_ _cleanup_(command_freep)

int command_add_arg(struct command *cmd, const char *arg);
int command_add_argf(struct command *cmd, const char *fmt, ...) _printf_(2, 3);
/* "NAME=value" added to the child's environment. */
int command_setenv(struct command *cmd, const char *name, const char *value);
/* Copy NAME from this process's environment when set. */
int command_passenv(struct command *cmd, const char *name);
void command_set_timeout_ms(struct command *cmd, int timeout_ms);
void command_set_output_max(struct command *cmd, size_t bytes);
/* Data fed to stdin (copied). */
int command_set_input(struct command *cmd, const void *data, size_t len);
int command_set_cwd(struct command *cmd, const char *dir);
/* Let the child's stderr go to ours instead of being captured. */
void command_inherit_stderr(struct command *cmd, bool inherit);

/* A function run in the child after fork and before exec (after stdio is
 * set up, before descriptors are closed): e.g. entering a container's
 * namespaces. It returns 0, or -1 with errno set to fail the spawn. It may
 * fork and turn the child into a relay that waits for its own child and
 * _exit()s with its status: the relay keeps the pipes open until then. */
typedef int (*command_child_fn)(void *arg);
void command_set_child_hook(struct command *cmd, command_child_fn fn, void *arg);

/* argv[0..] joined with spaces, for messages (not for execution). */
const char *command_describe(struct command *cmd);

int command_run(struct command *cmd, struct command_result *ret, struct og_error *err);

/* command_run(), then -OG_E_CMD_FAILED (with the end of stderr in the detail)
 * unless the program exited 0. ret may be NULL when the output is unwanted. */
int command_run_ok(struct command *cmd, struct command_result *ret, struct og_error *err);

void command_result_done(struct command_result *r);
static inline void command_result_donep(struct command_result *r)
{
    command_result_done(r);
}
#define _cleanup_command_result_ _cleanup_(command_result_donep)
