/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * package_cmd.h - `ogsim package build|list|verify`, the command layer over
 * package.h. argv[0] is "package"; returns the process exit code (0, or
 * og_exit_code(OG_ACTION_OTHER, rc) after printing "[GAUSS-NNNNN] : detail"
 * on stderr).
 */
#pragma once

int package_cmd_main(int argc, char **argv);
