/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * gsql - the client. -V prints openGauss's version line; everything else
 * runs PostgreSQL's psql (named gsql in its messages) with gsql's options
 * translated, after rewriting statements that name openGauss-only GUCs
 * (see ogguc.h). psql's exit codes are gsql's: 0 ok, 1 error, 2 bad
 * connection, 3 script error with ON_ERROR_STOP.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fs.h"
#include "ogguc.h"
#include "tools.h"
#include "banned.h"

#define SQL_FILE_MAX (256u * 1024 * 1024)

/* An fd (inheritable) holding the rewritten script; -1 on failure. */
static int rewritten_fd(const char *sql)
{
    _cleanup_dynbuf_ struct dynbuf out = {0};
    int fd;

    dynbuf_init(&out, SQL_FILE_MAX);
    if (ogguc_rewrite_sql(sql, &out) < 0)
        return -1;
    fd = memfd_create("gsql-script", 0);
    if (fd < 0)
        return -1;
    if (fs_write_all(fd, out.buf ? out.buf : "", out.len) < 0 || lseek(fd, 0, SEEK_SET) < 0) {
        close(fd);
        return -1;
    }
    return fd;
}

static char *rewrite_string(const char *sql)
{
    struct dynbuf out;

    dynbuf_init(&out, SQL_FILE_MAX);
    if (ogguc_rewrite_sql(sql, &out) < 0) {
        dynbuf_done(&out);
        return NULL;
    }
    return dynbuf_steal(&out);
}

int tool_gsql(const struct kenv *k, int argc, char **argv)
{
    char psql[PATH_MAX];
    char **args = calloc((size_t)argc + 8, sizeof(char *));
    char fdpath[64];
    int n = 0;

    if (argc >= 2 && (strcmp(argv[1], "-V") == 0 || strcmp(argv[1], "--version") == 0)) {
        char line[512];
        kenv_version_line(k, "gsql", line, sizeof(line));
        puts(line);
        free(args);
        return 0;
    }
    if (!args)
        return 1;
    args[n++] = (char *)"gsql";
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];

        if ((strcmp(a, "-W") == 0 || strcmp(a, "--password") == 0) && i + 1 < argc) {
            /* gsql -W takes the password; psql must never see it in argv. */
            setenv("PGPASSWORD", argv[++i], 1);
            continue;
        }
        if (strncmp(a, "--password=", 11) == 0) {
            setenv("PGPASSWORD", a + 11, 1);
            continue;
        }
        if (strcmp(a, "-r") == 0 || strcmp(a, "--no-libedit") == 0)
            continue; /* gsql's readline switch: psql decides by itself */
        if ((strcmp(a, "-c") == 0 || strcmp(a, "--command") == 0) && i + 1 < argc) {
            char *sql = rewrite_string(argv[++i]);
            args[n++] = (char *)"-c";
            args[n++] = sql ? sql : argv[i];
            continue;
        }
        if ((strcmp(a, "-f") == 0 || strcmp(a, "--file") == 0) && i + 1 < argc) {
            _cleanup_free_ char *text = NULL;
            const char *file = argv[++i];

            args[n++] = (char *)"-f";
            if (strcmp(file, "-") != 0 &&
                fs_read_file(file, SQL_FILE_MAX, &text, NULL, NULL) == 0 &&
                ogguc_sql_needs_rewrite(text)) {
                int fd = rewritten_fd(text);
                if (fd >= 0) {
                    snprintf(fdpath, sizeof(fdpath), "/dev/fd/%d", fd);
                    args[n++] = fdpath;
                    continue;
                }
            }
            args[n++] = (char *)file;
            continue;
        }
        args[n++] = (char *)a;
    }
    args[n] = NULL;
    /* psql finds its installation from argv[0] and names itself after it:
     * <app>/lib/postgresql/gsql links to psql. */
    snprintf(psql, sizeof(psql), "%s/lib/postgresql/gsql", k->app);
    if (access(psql, X_OK) < 0)
        kenv_pg_program("psql", psql, sizeof(psql));
    args[0] = psql;
    execv(psql, args);
    fprintf(stderr, "gsql: cannot execute %s: %s\n", psql, strerror(errno));
    return 1;
}

/* gs_dump / gs_dumpall: PostgreSQL's pg_dump / pg_dumpall with openGauss's
 * -V line (observed: "gs_dump (openGauss 5.0.0 build ...) compiled at ..."). */
static int dump_tool(const struct kenv *k, const char *tool, const char *pg, int argc, char **argv)
{
    char prog[PATH_MAX];

    if (argc >= 2 && (strcmp(argv[1], "-V") == 0 || strcmp(argv[1], "--version") == 0)) {
        char line[512];
        kenv_version_line(k, tool, line, sizeof(line));
        puts(line);
        return 0;
    }
    argv[0] = (char *)kenv_pg_program(pg, prog, sizeof(prog));
    execv(prog, argv);
    fprintf(stderr, "%s: cannot execute %s: %s\n", tool, prog, strerror(errno));
    return 1;
}

int tool_gs_dump(const struct kenv *k, int argc, char **argv)
{
    return dump_tool(k, "gs_dump", "pg_dump", argc, argv);
}

int tool_gs_dumpall(const struct kenv *k, int argc, char **argv)
{
    return dump_tool(k, "gs_dumpall", "pg_dumpall", argc, argv);
}
