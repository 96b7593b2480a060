/* SPDX-License-Identifier: MulanPSL-2.0 */
#include <string.h>

#include "cleanup.h"
#include "simversion.h"
#include "banned.h"

static const struct sim_version versions[] = {
    {"1.0.0", 92072, "0bd0ce80", "2020-06-30 18:19:27", false, true},
    {"1.0.1", 92072, "13b34b53", "2020-10-12 02:00:59", false, true},
    {"1.1.0", 92298, "392c0438", "2020-12-31 20:07:42", true, true},
    {"2.0.0", 92298, "78689da9", "2021-03-31 21:04:03", true, false},
    {"2.0.1", 92298, "d97c0e8a", "2021-06-02 19:37:16", true, false},
    {"2.1.0", 92421, "590b0f8e", "2021-09-30 14:29:04", true, false},
    {"3.0.0", 92605, "02c14696", "2022-04-01 18:12:34", true, false},
    {"3.1.0", 92780, "4e931f9a", "2022-09-29 14:19:24", true, false},
    {"5.0.0", 92848, "a07d57c3", "2023-03-29 03:07:56", true, false},
    {"6.0.0", 92954, "aee4abd5", "2024-09-29 19:14:27", false, false},
};

const struct sim_version *sim_version_find(const char *version)
{
    if (!version)
        return NULL;
    if (strncmp(version, "openGauss-", 10) == 0)
        version += 10;
    for (size_t i = 0; i < ELEMENTSOF(versions); i++)
        if (strcmp(versions[i].version, version) == 0)
            return &versions[i];
    return NULL;
}

size_t sim_version_count(void)
{
    return ELEMENTSOF(versions);
}

const struct sim_version *sim_version_at(size_t i)
{
    return i < ELEMENTSOF(versions) ? &versions[i] : NULL;
}
