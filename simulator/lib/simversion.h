/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * simversion.h - the openGauss releases the simulator can build and run.
 *
 * Build ids and compile times are those of the official packages; kernel
 * numbers follow openGauss's GRAND_VERSION_NUM (reference §2.1), except
 * 2.0.1, which shares 92.298 with 1.1.0 and 2.0.0 so that 2.0.0 -> 2.0.1 is
 * a small (binary-only) upgrade as the upgrade guide treats it (the real
 * 2.0.1 kernel was 92.299).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

struct sim_version {
    const char *version;    /* "3.0.0" */
    int number;             /* 92605 */
    const char *commit;     /* "02c14696" */
    const char *build_time; /* "2022-04-01 18:12:34" */
    bool ctl_pg_version;    /* gs_ctl/gs_guc -V print "(openGauss) 9.2.4" (1.1.0 .. 5.x) */
    bool mot;               /* users may create MOT tables (before 2.0.0) */
};

/* NULL when the version is not simulated. */
const struct sim_version *sim_version_find(const char *version);
size_t sim_version_count(void);
const struct sim_version *sim_version_at(size_t i);

/* The OS name in package file names: openGauss-<v>-<os>-64bit-all.tar.gz */
#define SIM_PACKAGE_OS "Debian"
