/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * faultkind.c - the one table of fault kinds (see faultkind.h).
 */
#include <string.h>

#include "cleanup.h"
#include "faultkind.h"
#include "banned.h"

static const struct fault_kind_info kinds[] = {
    [FAULT_DISK_FULL] = {.name = "disk-full",
                         .arg = FAULT_ARG_FREE_BYTES,
                         .in_scenarios = true,
                         .synopsis = "disk-full NODE [--free-bytes N[K|M|G]]",
                         .help = "fill the node's data filesystem (ballast file)"},
    [FAULT_NET_CUT] = {.name = "net-cut",
                       .arg = FAULT_ARG_NONE,
                       .in_scenarios = true,
                       .synopsis = "net-cut NODE",
                       .help = "the node's host-side interface down"},
    [FAULT_NET_LOSS] = {.name = "net-loss",
                        .arg = FAULT_ARG_PERCENT,
                        .in_scenarios = true,
                        .synopsis = "net-loss NODE --percent P",
                        .help = "drop P% of the node's packets (iptables)"},
    [FAULT_PARTITION] = {.name = "partition",
                         .arg = FAULT_ARG_PEER,
                         .in_scenarios = true,
                         .synopsis = "partition NODE_A NODE_B",
                         .help = "drop everything between the two nodes"},
    [FAULT_KILL_DB] = {.name = "kill-db",
                       .arg = FAULT_ARG_NONE,
                       .in_scenarios = true,
                       .synopsis = "kill-db NODE",
                       .help = "SIGKILL the node's gaussdb (heal: start it)"},
    [FAULT_KILL_UPGRADER] = {.name = "kill-upgrader",
                             .arg = FAULT_ARG_NONE,
                             .in_scenarios = true,
                             .synopsis = "kill-upgrader NODE",
                             .help = "SIGKILL every gs_upgradectl of omm on the node"},
    [FAULT_POWER_OFF] = {.name = "power-off",
                         .arg = FAULT_ARG_NONE,
                         .in_scenarios = true,
                         .synopsis = "power-off NODE",
                         .help = "destroy the domain (heal: power on, start)"},
    [FAULT_FREEZE] = {.name = "freeze",
                      .arg = FAULT_ARG_NONE,
                      .in_scenarios = true,
                      .synopsis = "freeze NODE | thaw NODE",
                      .help = "suspend / resume the domain"},
    /* a scenario names failpoints in their own element (<failpoint>) */
    [FAULT_FAILPOINT] = {.name = "failpoint",
                         .arg = FAULT_ARG_SPEC,
                         .in_scenarios = false,
                         .synopsis = "failpoint [NAME=ACTION[,...]]",
                         .help = "record a failpoint spec for gs_upgradectl and\n"
                                 "print OGUP_FAILPOINTS=...; without an argument,\n"
                                 "print the spec of every active one"},
};
_Static_assert(ELEMENTSOF(kinds) == FAULT_KIND_COUNT, "a row for every fault kind");

static const struct {
    const char *option, *attribute;
} args[] = {
    [FAULT_ARG_NONE] = {NULL, NULL},
    [FAULT_ARG_PEER] = {NULL, "peer"},
    [FAULT_ARG_PERCENT] = {"--percent", "percent"},
    [FAULT_ARG_FREE_BYTES] = {"--free-bytes", "free-bytes"},
    [FAULT_ARG_SPEC] = {NULL, NULL},
};

const struct fault_kind_info *fault_kind_info(enum fault_kind k)
{
    return (unsigned)k < FAULT_KIND_COUNT ? &kinds[k] : NULL;
}

const char *fault_kind_name(enum fault_kind k)
{
    return (unsigned)k < FAULT_KIND_COUNT ? kinds[k].name : "?";
}

int fault_kind_from_name(const char *name)
{
    for (int k = 0; name && k < FAULT_KIND_COUNT; k++)
        if (strcmp(kinds[k].name, name) == 0)
            return k;
    return -1;
}

int fault_kind_from_scenario_name(const char *name)
{
    int k = fault_kind_from_name(name);

    return k >= 0 && kinds[k].in_scenarios ? k : -1;
}

const char *fault_arg_option(enum fault_arg a)
{
    return (unsigned)a < ELEMENTSOF(args) ? args[a].option : NULL;
}

const char *fault_arg_attribute(enum fault_arg a)
{
    return (unsigned)a < ELEMENTSOF(args) ? args[a].attribute : NULL;
}
