/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * The man pages -- the gs_* OM tools' (upgrader/man) and ogup's own tools'
 * (ogsim, ogfault, ogscenario) -- each renders with `groff -man -ww -z`
 * without a single warning, has the sections a man page needs, and names
 * every option its tool's --help lists (so the page cannot fall behind the
 * tool silently).
 */
#include <criterion/criterion.h>
#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "command.h"
#include "fs.h"

#include "../helpers/tmpdir.h"

static const char *const pages[] = {"gs_om",         "gs_ssh",       "gs_checkos",
                                    "gs_preinstall", "gs_collector", "gs_upgradectl",
                                    "ogsim",         "ogfault",      "ogscenario"};

/* ogup's own tools: their page beside their sources, their own binary */
static const struct {
    const char *name, *dir, *exe;
} own[] = {
    {"ogsim", "simulator/man", OGSIM_PATH},
    {"ogfault", "fault/man", OGFAULT_PATH},
    {"ogscenario", "scenarios/man", OGSCENARIO_PATH},
};

static const char *own_exe(const char *tool)
{
    for (size_t i = 0; i < ELEMENTSOF(own); i++)
        if (strcmp(own[i].name, tool) == 0)
            return own[i].exe;
    return NULL;
}

static void page_path(const char *tool, char *buf, size_t size)
{
    for (size_t i = 0; i < ELEMENTSOF(own); i++)
        if (strcmp(own[i].name, tool) == 0) {
            snprintf(buf, size, "%s/%s/%s.1", SOURCE_ROOT, own[i].dir, tool);
            return;
        }
    snprintf(buf, size, "%s/%s.1", OM_MAN_DIR, tool);
}

static int run(const char *const *argv, struct command_result *res)
{
    _cleanup_command_ struct command *c = command_new(argv);
    struct og_error err = {0};

    cr_assert_not_null(c);
    command_set_timeout_ms(c, 30000);
    cr_assert_eq(command_run(c, res, &err), 0, "%s: %s", argv[0], err.detail);
    return res->exit_status;
}

Test(manpages, groff_renders_without_warnings)
{
    for (size_t i = 0; i < ELEMENTSOF(pages); i++) {
        char path[1024];
        struct command_result res = {0};
        page_path(pages[i], path, sizeof(path));
        const char *argv[] = {"groff", "-man", "-ww", "-z", path, NULL};
        cr_expect_eq(run(argv, &res), 0, "%s: groff exited %d: %s", path, res.exit_status, res.err);
        cr_expect_eq(res.err_len, 0, "%s: groff warned:\n%s", path, res.err);
        command_result_done(&res);
    }
}

/* a test's own scratch directory, removed by its .fini */
static char scratch[PATH_MAX];

static void scratch_done(void)
{
    tmpdir_remove(scratch);
}

/* The lint catches a bad page: a misspelt request and an unknown font. */
Test(manpages, lint_fails_on_a_broken_page, .fini = scratch_done)
{
    char path[PATH_MAX + 16];
    struct command_result res = {0};
    static const char broken[] = ".TH X 1\n.SH NAME\nx \\- y\n.BX bogus\n\\f[Q]z\\fP\n";

    cr_assert_eq(tmpdir_make("manpages", scratch, sizeof(scratch)), 0);
    snprintf(path, sizeof(path), "%s/x.1", scratch);
    cr_assert_eq(fs_replace_file(path, broken, sizeof(broken) - 1, 0644, NULL), 0);
    const char *argv[] = {"groff", "-man", "-ww", "-z", path, NULL};
    run(argv, &res);
    cr_assert_gt(res.err_len, 0, "groff should warn about %s", path);
    command_result_done(&res);
}

Test(manpages, sections_present)
{
    static const char *const sections[] = {".SH NAME",    ".SH SYNOPSIS",    ".SH DESCRIPTION",
                                           ".SH OPTIONS", ".SH EXIT STATUS", ".SH SEE ALSO"};
    for (size_t i = 0; i < ELEMENTSOF(pages); i++) {
        char path[1024], th[64];
        _cleanup_free_ char *text = NULL;
        page_path(pages[i], path, sizeof(path));
        cr_assert_eq(fs_read_file(path, 1 << 20, &text, NULL, NULL), 0, "%s", path);
        snprintf(th, sizeof(th), ".TH ");
        for (const char *p = pages[i]; *p; p++)
            snprintf(th + strlen(th), sizeof(th) - strlen(th), "%c", toupper((unsigned char)*p));
        cr_expect_not_null(strstr(text, th), "%s: no \"%s\"", path, th);
        for (size_t k = 0; k < ELEMENTSOF(sections); k++)
            cr_expect_not_null(strstr(text, sections[k]), "%s: no %s", path, sections[k]);
    }
}

/* Every option token of `<tool> --help` ("-X", "--detail", "--begin-time")
 * appears in the rendered page. */
Test(manpages, every_help_option_is_documented, .fini = scratch_done)
{
    cr_assert_eq(tmpdir_make("manpages", scratch, sizeof(scratch)), 0);
    cr_assert_eq(chmod(scratch, 0755), 0);
    for (size_t i = 0; i < ELEMENTSOF(pages); i++) {
        char link[PATH_MAX + 64], path[1024];
        struct command_result help = {0}, page = {0};
        const char *out;
        snprintf(link, sizeof(link), "%s/%s", scratch, pages[i]);
        cr_assert_eq(symlink(own_exe(pages[i]) ? own_exe(pages[i]) : OGOM_PATH, link), 0, "%s",
                     link);
        /* gs_upgradectl refuses root before it reads its options (as
         * openGauss's): as root, ask as nobody; gs_preinstall refuses
         * everyone else (gs_preinstall:517): ask as root */
        const char *h[] = {link, "--help", NULL};
        const char *h_nobody[] = {"runuser", "-u", "nobody", "--", link, "--help", NULL};
        bool nobody = geteuid() == 0 && strcmp(pages[i], "gs_preinstall") != 0 &&
                      strcmp(pages[i], "gs_checkos") != 0; /* gs_checkos:1474 likewise */
        cr_assert_eq(run(nobody ? h_nobody : h, &help), 0, "%s --help: %s", pages[i], help.err);
        unlink(link);
        /* openGauss's usage texts begin with an empty line */
        out = help.out + strspn(help.out, "\n");
        /* a tool not in this build's table falls back to gs_om's usage */
        if (!own_exe(pages[i]) &&
            (strncmp(out, pages[i], strlen(pages[i])) != 0 || out[strlen(pages[i])] != ' ')) {
            fprintf(stderr, "%s is not in this build of ogom: its options are not compared\n",
                    pages[i]);
            command_result_done(&help);
            continue;
        }
        page_path(pages[i], path, sizeof(path));
        const char *g[] = {"groff",  "-man",      "-Tascii", "-P-cbou",
                           "-rHY=0", "-rLL=200n", path,      NULL};
        cr_assert_eq(run(g, &page), 0, "%s", page.err);
        for (const char *p = help.out; *p; p++) {
            char opt[64];
            size_t n = 0;
            if (*p != '-' || (p > help.out && !strchr(" [|(\t", p[-1])))
                continue;
            while (p[n] == '-' && n < 2)
                n++;
            if (!isalpha((unsigned char)p[n]) && p[n] != '?')
                continue;
            while (n < sizeof(opt) - 1 &&
                   (isalnum((unsigned char)p[n]) || p[n] == '-' || p[n] == '?' || p[n] == '_'))
                n++;
            snprintf(opt, sizeof(opt), "%.*s", (int)n, p);
            cr_expect_not_null(strstr(page.out, opt), "%s(1) does not mention %s (from --help)",
                               pages[i], opt);
            p += n - 1;
        }
        command_result_done(&help);
        command_result_done(&page);
    }
}

/* ogup's own tools answer --version and -V in one format, exit 0 */
Test(manpages, own_tools_print_one_version_format)
{
    for (size_t i = 0; i < ELEMENTSOF(own); i++) {
        static const char *const flags[] = {"--version", "-V"};
        for (size_t k = 0; k < ELEMENTSOF(flags); k++) {
            struct command_result res = {0};
            char want[64];
            const char *argv[] = {own[i].exe, flags[k], NULL};
            snprintf(want, sizeof(want), "%s (ogup) ", own[i].name);
            cr_expect_eq(run(argv, &res), 0, "%s %s: %s", own[i].name, flags[k], res.err);
            cr_expect(strncmp(res.out, want, strlen(want)) == 0, "%s %s: %s", own[i].name, flags[k],
                      res.out);
            command_result_done(&res);
        }
    }
}
