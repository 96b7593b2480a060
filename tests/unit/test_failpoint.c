/* SPDX-License-Identifier: MulanPSL-2.0 */
#include <criterion/criterion.h>
#include <json-c/json.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <time.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "failpoint.h"

#include "../helpers/tmpdir.h"

static const struct failpoint_def defs[] = {
    {"inplace.stop.before", "before the cluster stops"},
    {"inplace.stop.after-effect", "the cluster stopped, not yet recorded"},
    {"inplace.switch-bin.before", "before the symlink switch"},
    {"grey.catalog.before", "before the catalog SQL"},
};

static void setup(void)
{
    cr_assert_eq(failpoint_register_all(defs, sizeof(defs) / sizeof(defs[0])), 0);
    failpoint_reset();
    unsetenv(FAILPOINT_ENV);
}

TestSuite(failpoint, .init = setup);

Test(failpoint, inert_unless_enabled)
{
    struct og_error err = {0};

    cr_assert_eq(failpoint_setup(NULL, &err), 0);
    cr_assert_eq(failpoint_hit("inplace.stop.before", &err), 0);
    cr_assert_eq(failpoint_count(), 4);
    /* registering twice does not duplicate */
    cr_assert_eq(failpoint_register_all(defs, 2), 0);
    cr_assert_eq(failpoint_count(), 4);
}

Test(failpoint, fail_with_a_code_and_nth_hit)
{
    struct og_error err = {0};

    setenv(FAILPOINT_ENV, "inplace.stop.before=fail:51400,grey.catalog.before=fail:51300@2", 1);
    cr_assert_eq(failpoint_setup(NULL, &err), 0, "%s", err.detail);
    cr_assert_eq(failpoint_hit("inplace.stop.before", &err), -51400);
    cr_assert_eq(err.code, 51400);
    cr_assert_eq(failpoint_hit("inplace.stop.before", &err), -51400, "every hit");
    cr_assert_eq(failpoint_hit("inplace.switch-bin.before", &err), 0, "not enabled");
    cr_assert_eq(failpoint_hit("grey.catalog.before", &err), 0, "first hit passes");
    cr_assert_eq(failpoint_hit("grey.catalog.before", &err), -51300, "second fires");
    cr_assert_eq(failpoint_hit("grey.catalog.before", &err), 0, "third passes");
    failpoint_reset();
    cr_assert_eq(failpoint_hit("inplace.stop.before", &err), 0, "reset");
}

Test(failpoint, prefix_enables_a_family)
{
    struct og_error err = {0};

    cr_assert_eq(failpoint_setup("inplace.stop.*=fail:52934", &err), 0, "%s", err.detail);
    cr_assert_eq(failpoint_hit("inplace.stop.before", &err), -52934);
    cr_assert_eq(failpoint_hit("inplace.stop.after-effect", &err), -52934);
    cr_assert_eq(failpoint_hit("inplace.switch-bin.before", &err), 0);
}

/* A bad spec is refused and enables nothing. */
Test(failpoint, bad_specs_are_coded_and_change_nothing)
{
    const char *bad[] = {
        "inplace.stop.before",            /* no action */
        "inplace.stop.before=explode",    /* unknown action */
        "inplace.stop.before=fail:12345", /* unknown code */
        "inplace.stop.before=exit:300",   /* status out of range */
        "inplace.stop.before=kill@0",     /* hits count from 1 */
        "inplace.stop.before=kill@2x",    /* a count is digits only */
        "inplace.stop.before=kill@",
        "inplace.stop.before=exit:1x", /* a status is digits only */
        "inplace.stop.before=exit:",
        "inplace.stop.before=fail:51400x@2",
        "inplace.stop.before=fail:99999999999999999999", /* beyond int: not a code */
        "no.such.point=kill",                            /* typo: never silent */
        "nomatch.*=kill",
        "inplace.stop.before=fail:51400,no.such=kill", /* one bad: none enabled */
        "=kill",
    };
    struct og_error err = {0};

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        cr_assert_eq(failpoint_setup(bad[i], &err), -OG_E_FAILPOINT, "%s", bad[i]);
        cr_assert_eq(err.code, OG_E_FAILPOINT);
    }
    cr_assert_eq(failpoint_hit("inplace.stop.before", &err), 0);
}

static int child_status(const char *spec, const char *point)
{
    int st = 0;
    pid_t pid = fork();

    cr_assert_geq(pid, 0);
    if (pid == 0) {
        struct og_error err = {0};
        if (failpoint_setup(spec, &err) < 0)
            _exit(99);
        failpoint_hit(point, &err);
        _exit(0);
    }
    cr_assert_eq(waitpid(pid, &st, 0), pid);
    return st;
}

Test(failpoint, exit_and_kill_actions)
{
    int st = child_status("inplace.switch-bin.before=exit:7", "inplace.switch-bin.before");

    cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 7, "status %#x", st);
    st = child_status("inplace.switch-bin.before=kill", "inplace.switch-bin.before");
    cr_assert(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL, "status %#x", st);
    st = child_status("inplace.switch-bin.before=kill", "inplace.stop.before");
    cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "another point: no effect");
}

/* the pause test's scratch directory, removed by its .fini */
static char pause_dir[PATH_MAX];

static void pause_dir_done(void)
{
    tmpdir_remove(pause_dir);
}

/* pause: the file names the point and the pid; the process goes on only
 * when the file is removed (the harness's strike), or at its deadline. */
Test(failpoint, pause_waits_for_the_file_to_go, .fini = pause_dir_done)
{
    char file[PATH_MAX + 16], text[128] = {0};
    struct og_error err = {0};
    struct timespec t = {0, 5 * 1000 * 1000};
    FILE *f = NULL;
    int st = 0;
    pid_t pid;

    cr_assert_eq(tmpdir_make("failpoint", pause_dir, sizeof(pause_dir)), 0);
    snprintf(file, sizeof(file), "%s/paused", pause_dir);
    unsetenv(FAILPOINT_PAUSE_FILE_ENV);
    cr_assert_eq(failpoint_setup("inplace.stop.before=pause", &err), -OG_E_FAILPOINT,
                 "pause without a file to write is refused");
    setenv(FAILPOINT_PAUSE_FILE_ENV, "relative/path", 1);
    cr_assert_eq(failpoint_setup("inplace.stop.before=pause", &err), -OG_E_FAILPOINT);
    setenv(FAILPOINT_PAUSE_FILE_ENV, file, 1);
    pid = fork();
    cr_assert_geq(pid, 0);
    if (pid == 0) {
        if (failpoint_setup("inplace.stop.before=pause", &err) < 0)
            _exit(99);
        failpoint_hit("inplace.stop.before", &err);
        _exit(access(file, F_OK) == 0 ? 98 : 0);
    }
    for (int i = 0; i < 2000 && !f; i++) {
        f = fopen(file, "r");
        if (!f)
            nanosleep(&t, NULL);
    }
    cr_assert_not_null(f, "the paused process wrote %s", file);
    cr_assert_not_null(fgets(text, sizeof(text), f));
    fclose(f);
    cr_assert_eq(waitpid(pid, &st, WNOHANG), 0, "still paused while the file is there");
    cr_assert(strncmp(text, "inplace.stop.before ", 20) == 0 && atoi(text + 20) == pid, "%s", text);
    cr_assert_eq(unlink(file), 0);
    cr_assert_eq(waitpid(pid, &st, 0), pid);
    cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "released: status %#x", st);
    /* nobody removes it: the deadline does */
    setenv(FAILPOINT_PAUSE_S_ENV, "1", 1);
    st = child_status("inplace.stop.before=pause", "inplace.stop.before");
    cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "status %#x", st);
    cr_assert_neq(access(file, F_OK), 0, "the deadline removed the file");
    unsetenv(FAILPOINT_PAUSE_S_ENV);
    unsetenv(FAILPOINT_PAUSE_FILE_ENV);
}

Test(failpoint, list_is_json)
{
    _cleanup_dynbuf_ struct dynbuf b = {0};
    json_object *o, *first, *name;

    dynbuf_init(&b, 1 << 16);
    cr_assert_eq(failpoint_list_json(&b), 0);
    o = json_tokener_parse(b.buf);
    cr_assert_not_null(o, "%s", b.buf);
    cr_assert_eq(json_object_array_length(o), 4);
    first = json_object_array_get_idx(o, 0);
    cr_assert(json_object_object_get_ex(first, "name", &name));
    cr_assert_str_eq(json_object_get_string(name), "inplace.stop.before");
    json_object_put(o);
}
