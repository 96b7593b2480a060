/* SPDX-License-Identifier: MulanPSL-2.0 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cleanup.h"
#include "cmdkit.h"
#include "dynbuf.h"
#include "ogerror.h"
#include "package.h"
#include "package_cmd.h"
#include "banned.h"

static int param_unknown(struct og_error *err, const char *arg)
{
    return cmdkit_fail(cmdkit_unknown(err, arg), err);
}

static int param_required(struct og_error *err, const char *name)
{
    return cmdkit_fail(cmdkit_required(err, name), err);
}

static void print_known(FILE *f)
{
    _cleanup_dynbuf_ struct dynbuf known = {0};

    dynbuf_init(&known, 4096);
    package_known_versions(&known);
    fprintf(f, "Versions: %s\n", dynbuf_str(&known));
}

static void usage_package(FILE *f)
{
    fprintf(f, "Usage: ogsim package COMMAND [OPTIONS]\n"
               "\n"
               "Build, list and verify the packages of the simulated openGauss releases.\n"
               "\n"
               "Commands:\n"
               "  build   --version V --out DIR [--kernel PATH]  build the package of V into DIR\n"
               "  list    [--json]                               list the simulated releases\n"
               "  verify  DIR --version V                        check the .sha256 files in DIR\n"
               "\n"
               "Run `ogsim package COMMAND --help` for a command's options.\n");
}

static void usage_build(FILE *f)
{
    fprintf(f,
            "Usage: ogsim package build --version V --out DIR [--kernel PATH]\n"
            "\n"
            "Write the openGauss package of the simulated release V into DIR (created when\n"
            "missing): openGauss-V-" SIM_PACKAGE_OS "-64bit-all.tar.gz and, unpacked next to it,\n"
            "openGauss-V-" SIM_PACKAGE_OS "-64bit.tar.bz2, openGauss-V-" SIM_PACKAGE_OS
            "-64bit.sha256,\n"
            "upgrade_sql.tar.gz and upgrade_sql.sha256. The same V and kernel binary give\n"
            "byte-identical files.\n"
            "\n"
            "Options:\n"
            "  -v, --version V     the release to package (see `ogsim package list`)\n"
            "  -o, --out DIR       the output directory\n"
            "  -k, --kernel PATH   the node kernel binary shipped as bin/gaussdb; default\n"
            "                      $" PACKAGE_KERNEL_ENV ", else the build tree's ogkernel\n"
            "                      (%s)\n"
            "  -h, --help          show this help\n",
            package_kernel_path(NULL));
    print_known(f);
}

static void usage_list(FILE *f)
{
    fprintf(f, "Usage: ogsim package list [--json]\n"
               "\n"
               "Print the simulated releases: version, kernel number, commit id, build time\n"
               "and whether users may create MOT tables.\n"
               "\n"
               "Options:\n"
               "  -j, --json   print a JSON array instead of a table\n"
               "  -h, --help   show this help\n");
}

static void usage_verify(FILE *f)
{
    fprintf(f, "Usage: ogsim package verify DIR --version V\n"
               "\n"
               "Check openGauss-V-" SIM_PACKAGE_OS "-64bit.sha256 and upgrade_sql.sha256 in DIR\n"
               "against their tarballs; a mismatch is [GAUSS-51635].\n"
               "\n"
               "Options:\n"
               "  -v, --version V   the release the directory holds\n"
               "  -h, --help        show this help\n");
}

static int cmd_build(int argc, char **argv)
{
    static const struct option opts[] = {
        {"version", required_argument, NULL, 'v'},
        {"out", required_argument, NULL, 'o'},
        {"kernel", required_argument, NULL, 'k'},
        {"help", no_argument, NULL, 'h'},
        {0},
    };
    const char *version = NULL, *out = NULL, *kernel = NULL;
    struct og_error err = {0};
    int c, r;

    while ((c = cmdkit_next_opt(argc, argv, ":v:o:k:h", opts)) != -1) {
        switch (c) {
        case 'v':
            version = optarg;
            break;
        case 'o':
            out = optarg;
            break;
        case 'k':
            kernel = optarg;
            break;
        case 'h':
            usage_build(stdout);
            return 0;
        default:
            return cmdkit_fail(cmdkit_bad_opt(c, argv, &err), &err);
        }
    }
    if (optind < argc)
        return param_unknown(&err, argv[optind]);
    if (!version)
        return param_required(&err, "--version");
    if (!out)
        return param_required(&err, "--out");

    r = package_build(version, out, package_kernel_path(kernel), &err);
    if (r < 0)
        return cmdkit_fail(r, &err);
    printf("Successfully built the openGauss-%s package in \"%s\".\n",
           sim_version_find(version)->version, out);
    return 0;
}

static int cmd_list(int argc, char **argv)
{
    static const struct option opts[] = {
        {"json", no_argument, NULL, 'j'},
        {"help", no_argument, NULL, 'h'},
        {0},
    };
    _cleanup_dynbuf_ struct dynbuf out = {0};
    struct og_error err = {0};
    bool json = false;
    int c, r;

    dynbuf_init(&out, 1 << 20);
    while ((c = cmdkit_next_opt(argc, argv, ":jh", opts)) != -1) {
        switch (c) {
        case 'j':
            json = true;
            break;
        case 'h':
            usage_list(stdout);
            return 0;
        default:
            return cmdkit_fail(cmdkit_bad_opt(c, argv, &err), &err);
        }
    }
    if (optind < argc)
        return param_unknown(&err, argv[optind]);
    r = package_list(json, &out, &err);
    if (r < 0)
        return cmdkit_fail(r, &err);
    fputs(dynbuf_str(&out), stdout);
    return 0;
}

static int cmd_verify(int argc, char **argv)
{
    static const struct option opts[] = {
        {"version", required_argument, NULL, 'v'},
        {"help", no_argument, NULL, 'h'},
        {0},
    };
    const char *version = NULL, *dir = NULL;
    struct og_error err = {0};
    int c, r;

    while ((c = cmdkit_next_opt(argc, argv, ":v:h", opts)) != -1) {
        switch (c) {
        case 'v':
            version = optarg;
            break;
        case 'h':
            usage_verify(stdout);
            return 0;
        default:
            return cmdkit_fail(cmdkit_bad_opt(c, argv, &err), &err);
        }
    }
    if (optind < argc)
        dir = argv[optind++];
    if (optind < argc)
        return param_unknown(&err, argv[optind]);
    if (!dir)
        return param_required(&err, "DIR");
    if (!version)
        return param_required(&err, "--version");

    r = package_verify(dir, version, &err);
    if (r < 0)
        return cmdkit_fail(r, &err);
    printf("Successfully checked SHA256 of the openGauss-%s package in \"%s\".\n",
           sim_version_find(version)->version, dir);
    return 0;
}

static const struct cmdkit_sub commands[] = {
    {"build", cmd_build, NULL},
    {"list", cmd_list, NULL},
    {"verify", cmd_verify, NULL},
};

int package_cmd_main(int argc, char **argv)
{
    return cmdkit_dispatch(NULL, commands, ELEMENTSOF(commands), usage_package, argc, argv);
}
