/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * ogom: the OM tools of the upgrade guide as one multi-call program, shipped
 * in $GPHOME/script as gs_om with the other names linked to it; the name it
 * is called by picks the tool (table below).
 */
#include <libgen.h>
#include <stdio.h>
#include <string.h>

#include "oglog.h"
#include "omtools.h"
#include "banned.h"

static const struct om_tool tools[] = {
    {"gs_om", tool_gs_om},
    {"gs_ssh", tool_gs_ssh},
    {"gs_upgradectl", tool_gs_upgradectl},
    {"gs_checkos", tool_gs_checkos},
    {"gs_collector", tool_gs_collector},
    {"gs_preinstall", tool_gs_preinstall},
};

int main(int argc, char **argv)
{
    char self[256];
    const char *name;

    snprintf(self, sizeof(self), "%s", argc > 0 ? argv[0] : "gs_om");
    name = basename(self);
    oglog_open(name, NULL, NULL);
    for (size_t i = 0; i < sizeof(tools) / sizeof(tools[0]); i++)
        if (strcmp(name, tools[i].name) == 0)
            return tools[i].main(argc, argv);
    return tool_gs_om(argc, argv);
}
