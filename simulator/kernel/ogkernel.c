/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * ogkernel - the openGauss-compatible node kernel, one multi-call program.
 * Installed in an app directory as bin/gaussdb, with bin/gs_ctl, bin/gsql,
 * bin/gs_guc and bin/gs_initdb pointing at it; the name it is called by
 * picks the tool, and <app>/version.cfg says which openGauss release it is.
 * "ogkernel TOOL args..." works too.
 */
#include <libgen.h>
#include <stdio.h>
#include <string.h>

#include "tools.h"
#include "banned.h"

static const struct {
    const char *name;
    int (*fn)(const struct kenv *, int, char **);
} tools[] = {
    {"gaussdb", tool_gaussdb},       {"gs_ctl", tool_gs_ctl},       {"gsql", tool_gsql},
    {"gs_guc", tool_gs_guc},         {"gs_initdb", tool_gs_initdb}, {"gs_dump", tool_gs_dump},
    {"gs_dumpall", tool_gs_dumpall},
};

int main(int argc, char **argv)
{
    struct og_error err = {0};
    struct kenv k;
    char self[256], msg[OG_ERROR_DETAIL_MAX + 64];
    const char *name;

    snprintf(self, sizeof(self), "%s", argc > 0 ? argv[0] : "gaussdb");
    name = basename(self);
    if (strcmp(name, "ogkernel") == 0 && argc >= 2) {
        argv++;
        argc--;
        snprintf(self, sizeof(self), "%s", argv[0]);
        name = basename(self);
    }
    for (size_t i = 0; i < sizeof(tools) / sizeof(tools[0]); i++) {
        if (strcmp(name, tools[i].name) != 0)
            continue;
        if (kenv_load(&k, &err) < 0) {
            fprintf(stderr, "%s: %s\n", name, og_error_format(&err, msg, sizeof(msg)));
            return 1;
        }
        return tools[i].fn(&k, argc, argv);
    }
    fprintf(stderr, "ogkernel: unknown tool \"%s\" (gaussdb, gs_ctl, gsql, gs_guc, gs_initdb)\n",
            name);
    return 1;
}
