/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * The quoting function is checked the way it is used: the quoted line runs
 * through a real shell (/bin/sh and bash) and a helper prints the argv the
 * shell produced, which must equal the input byte for byte.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "command.h"
#include "dynbuf.h"
#include "shquote.h"

static const char *const hostile[] = {
    "plain",
    "",
    "with space",
    "it's",
    "''",
    "'\\''",
    "\"double\"",
    "$(touch /tmp/ogup-shquote-pwned)",
    "`touch /tmp/ogup-shquote-pwned`",
    "${HOME}",
    "$HOME",
    "a;rm -rf /tmp/ogup-shquote-pwned",
    "x && touch /tmp/ogup-shquote-pwned",
    "x | cat",
    "line1\nline2\n",
    "tab\there",
    "*",
    "/etc/*",
    "?[a-z]",
    "~root",
    "back\\slash\\",
    "#comment",
    "!event",
    "> /tmp/ogup-shquote-pwned",
    "-n",
    "--",
    "数据库 升级 ✓",
    "\x01\x7f\xff",
    NULL,
};

/* Run `shell -c "<argv_dump> <quoted args>"` and compare the dump. */
static void roundtrip(const char *shell, const char *const *args)
{
    _cleanup_dynbuf_ struct dynbuf line = {0}, expect = {0};
    _cleanup_command_result_ struct command_result res = {0};
    _cleanup_command_ struct command *cmd = NULL;
    const char *argv[64];
    struct og_error err = {0};
    size_t n = 0;

    argv[n++] = ARGV_DUMP_PATH;
    for (size_t i = 0; args[i]; i++)
        argv[n++] = args[i];
    argv[n] = NULL;

    dynbuf_init(&line, 1 << 20);
    dynbuf_init(&expect, 1 << 20);
    cr_assert_eq(shquote_argv(&line, argv), 0);
    for (size_t i = 0; args[i]; i++)
        dynbuf_addf(&expect, "%zu:%s\n", strlen(args[i]), args[i]);

    cmd = command_newl(shell, "-c", dynbuf_str(&line), NULL);
    cr_assert_not_null(cmd);
    cr_assert_eq(command_run(cmd, &res, &err), 0, "%s", err.detail);
    cr_assert_eq(res.exit_status, 0, "shell said: %s", res.err);
    cr_assert_eq(res.out_len, expect.len);
    cr_assert_eq(memcmp(res.out, expect.buf, expect.len), 0, "got:\n%s\nwant:\n%s", res.out,
                 expect.buf);
}

Test(shquote, hostile_arguments_survive_sh)
{
    unlink("/tmp/ogup-shquote-pwned");
    roundtrip("/bin/sh", hostile);
    cr_assert_neq(access("/tmp/ogup-shquote-pwned", F_OK), 0, "an argument was executed");
}

Test(shquote, hostile_arguments_survive_bash)
{
    unlink("/tmp/ogup-shquote-pwned");
    roundtrip("/bin/bash", hostile);
    cr_assert_neq(access("/tmp/ogup-shquote-pwned", F_OK), 0, "an argument was executed");
}

Test(shquote, each_argument_alone)
{
    for (size_t i = 0; hostile[i]; i++) {
        const char *one[2] = {hostile[i], NULL};
        roundtrip("/bin/sh", one);
    }
}

Test(shquote, exact_text)
{
    _cleanup_dynbuf_ struct dynbuf b = {0};
    const char *argv[] = {"gs_ctl", "query", "-D", "/data/it's dn", "", NULL};

    dynbuf_init(&b, 1024);
    cr_assert_eq(shquote_argv(&b, argv), 0);
    cr_assert_str_eq(dynbuf_str(&b), "'gs_ctl' 'query' '-D' '/data/it'\\''s dn' ''");
}

Test(shquote, empty_argv_refused)
{
    _cleanup_dynbuf_ struct dynbuf b = {0};
    const char *none[] = {NULL};

    dynbuf_init(&b, 1024);
    cr_assert_eq(shquote_argv(&b, none), -OG_E_INVALID_ARG);
    cr_assert_eq(shquote_argv(&b, NULL), -OG_E_INVALID_ARG);
}

/* A line over the buffer's limit fails and leaves the buffer untouched. */
Test(shquote, over_limit_leaves_buffer_unchanged)
{
    _cleanup_dynbuf_ struct dynbuf b = {0};
    const char *argv[] = {"echo", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", NULL};

    dynbuf_init(&b, 20);
    dynbuf_adds(&b, "prefix ");
    cr_assert_eq(shquote_argv(&b, argv), -OG_E_TOO_LARGE);
    cr_assert_str_eq(dynbuf_str(&b), "prefix ");
}

Test(shquote, names_beginning_with_dash_refused)
{
    struct og_error err = {0};

    cr_assert_eq(shquote_check_name("host", "-oProxyCommand=touch /tmp/x", &err), -OG_E_UNSAFE_ARG);
    cr_assert_eq(err.code, OG_E_UNSAFE_ARG);
    cr_assert_eq(shquote_check_name("user", "-l", NULL), -OG_E_UNSAFE_ARG);
    cr_assert_eq(shquote_check_name("path", "--help", NULL), -OG_E_UNSAFE_ARG);
    cr_assert_eq(shquote_check_name("path", "", NULL), -OG_E_UNSAFE_ARG);
    cr_assert_eq(shquote_check_name("path", NULL, NULL), -OG_E_UNSAFE_ARG);
    cr_assert_eq(shquote_check_name("host", "node1\n-x", NULL), -OG_E_UNSAFE_ARG);
    cr_assert_eq(shquote_check_name("host", "node\x7f", NULL), -OG_E_UNSAFE_ARG);
    cr_assert_eq(shquote_check_name("host", "node1", NULL), 0);
    cr_assert_eq(shquote_check_name("path", "/opt/og/data-1", NULL), 0);
    cr_assert_eq(shquote_check_name("user", "omm", NULL), 0);
}
