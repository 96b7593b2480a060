/* SPDX-License-Identifier: MulanPSL-2.0 */
/* tools.h - the programs of the multi-call kernel binary. */
#pragma once

#include "kenv.h"

int tool_gaussdb(const struct kenv *k, int argc, char **argv);
int tool_gs_ctl(const struct kenv *k, int argc, char **argv);
int tool_gsql(const struct kenv *k, int argc, char **argv);
int tool_gs_guc(const struct kenv *k, int argc, char **argv);
int tool_gs_initdb(const struct kenv *k, int argc, char **argv);
int tool_gs_dump(const struct kenv *k, int argc, char **argv);
int tool_gs_dumpall(const struct kenv *k, int argc, char **argv);

/* Read every database's catalog number through the server at sockdir:port
 * and compare with the kernel's own (and upgrade_from when non-zero). 0 when
 * the data directory may serve; -OG_E_CATALOG_MISMATCH. */
int kernel_catalog_check(const struct kenv *k, const char *sockdir, int port, int upgrade_from,
                         struct og_error *err);
