/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * ogom: the OM tools of the upgrade guide as one multi-call program, shipped
 * in $GPHOME/script as gs_om with the other names linked to it; the name it
 * is called by picks the tool (table below).
 */
#include <libgen.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

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

/* The default log ($GAUSSLOG/om/<tool>-<time>.log) before the tool runs:
 * for a user, its own. For root only gs_checkos's (root-only, root-owned
 * directories only: oglog's walk); gs_preinstall opens its own once -U names
 * the cluster user, and the tools that refuse root (gs_upgradectl, gs_ssh,
 * gs_collector, gs_om) open no file before they have. */
static void open_default_log(const char *name)
{
    struct og_error err = {0};
    char msg[OG_ERROR_DETAIL_MAX + 64];

    if (geteuid() == 0 && strcmp(name, "gs_checkos") != 0)
        return;
    if (oglog_open(name, NULL, &err) == -OG_E_LOG_UNSAFE)
        log_warn("om", "%s", og_error_format(&err, msg, sizeof(msg)));
}

int main(int argc, char **argv)
{
    char self[256];
    const char *name;

    snprintf(self, sizeof(self), "%s", argc > 0 ? argv[0] : "gs_om");
    name = basename(self);
    open_default_log(name);
    for (size_t i = 0; i < sizeof(tools) / sizeof(tools[0]); i++)
        if (strcmp(name, tools[i].name) == 0)
            return tools[i].main(argc, argv);
    return tool_gs_om(argc, argv);
}
