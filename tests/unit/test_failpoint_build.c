/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * The failpoints of this build, built both ways (no Criterion: it runs in a
 * build without the test suites too). EXPECT_FAILPOINTS=1 (a test build):
 * OGUP_FAILPOINTS fires, the shipped gs_upgradectl reads it. 0 (the shipped
 * build, -Dtests=disabled or -Dfailpoints=disabled): the library ignores the
 * variable and refuses a spec handed in, gs_upgradectl ignores it and
 * --list-failpoints says there are none. Exit 0 when all holds.
 */
#include <grp.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "command.h"
#include "failpoint.h"
#include "fs.h"

#include "../helpers/tmpdir.h"

static int failures;

#define CHECK(cond, ...)                                                                           \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__);                                   \
            fprintf(stderr, __VA_ARGS__);                                                          \
            fputc('\n', stderr);                                                                   \
            failures++;                                                                            \
        }                                                                                          \
    } while (0)

static const struct failpoint_def defs[] = {{"build.check.point", "the test's own point"}};

/* The library: OGUP_FAILPOINTS and a spec handed in. */
static void library(void)
{
    struct og_error err = {0};
    int r;

    failpoint_register_all(defs, 1);
    setenv(FAILPOINT_ENV, "build.check.point=fail:51400", 1);
    CHECK(failpoint_setup(NULL, &err) == 0, "setup from the environment: %s", err.detail);
    r = failpoint_hit("build.check.point", &err);
    CHECK(r == (EXPECT_FAILPOINTS ? -51400 : 0), "hit returned %d", r);
    failpoint_reset();
    unsetenv(FAILPOINT_ENV);
    r = failpoint_setup("build.check.point=kill", &err);
    CHECK(r == (EXPECT_FAILPOINTS ? 0 : -OG_E_FAILPOINT), "explicit spec returned %d", r);
    failpoint_reset();
    CHECK(failpoint_available() == EXPECT_FAILPOINTS, "failpoint_available()");
}

/* The tool runs as nobody when this test is root (gs_upgradectl refuses root). */
static int drop_root(void *arg)
{
    (void)arg;
    if (geteuid() != 0)
        return 0;
    return setgroups(0, NULL) == 0 && setgid(65534) == 0 && setuid(65534) == 0 ? 0 : -1;
}

/* gs_upgradectl (the built ogom under that name) with OGUP_FAILPOINTS=fp. */
static void run_tool(const char *tool, const char *arg1, const char *arg2, const char *fp,
                     struct command_result *res)
{
    _cleanup_command_ struct command *c = command_newl(tool, arg1, arg2, NULL);

    if (fp)
        command_setenv(c, FAILPOINT_ENV, fp);
    command_set_child_hook(c, drop_root, NULL);
    command_set_timeout_ms(c, 30000);
    if (command_run(c, res, NULL) < 0) {
        fprintf(stderr, "FAIL: cannot run %s\n", tool);
        exit(1);
    }
}

static void tool(void)
{
    char dir[PATH_MAX], link[PATH_MAX + 16];
    struct command_result res = {0};

    if (tmpdir_make("failpoint_build", dir, sizeof(dir)) < 0 || chmod(dir, 0755) < 0)
        exit(1);
    snprintf(link, sizeof(link), "%s/gs_upgradectl", dir);
    if (symlink(OGOM_PATH, link) < 0)
        exit(1);

    run_tool(link, "--list-failpoints", NULL, NULL, &res);
    CHECK(res.exit_status == 0, "--list-failpoints exit %d", res.exit_status);
    if (EXPECT_FAILPOINTS)
        CHECK(strstr(res.out, "\"inplace."), "--list-failpoints: %s", res.out);
    else
        CHECK(strcmp(res.out, "[]\n") == 0 && strstr(res.err, "no failpoints"),
              "--list-failpoints: %.200s%.200s", res.out, res.err);
    command_result_done(&res);

    /* an unknown name: refused by a tool with the hook, never read without */
    run_tool(link, "-t", "chose-strategy", "no.such.point=kill", &res);
    CHECK(res.exit_status == 1, "exit %d", res.exit_status);
    if (EXPECT_FAILPOINTS)
        CHECK(strstr(res.err, "[OGUP-60091]"), "OGUP_FAILPOINTS not read: %s", res.err);
    else
        CHECK(!strstr(res.err, "OGUP-60091") && strstr(res.err, "[GAUSS-"),
              "OGUP_FAILPOINTS read by the shipped tool: %.200s%.200s", res.out, res.err);
    command_result_done(&res);
    tmpdir_remove(dir);
}

int main(void)
{
    library();
    tool();
    if (failures)
        return 1;
    printf("ok: this build %s failpoints\n", EXPECT_FAILPOINTS ? "has" : "has no");
    return 0;
}
