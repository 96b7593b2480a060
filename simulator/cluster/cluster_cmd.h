/* SPDX-License-Identifier: MulanPSL-2.0 */
/* cluster_cmd.h - `ogsim up|down|status|exec|list|snapshot|restore`. */
#pragma once

int cluster_cmd_up(int argc, char **argv);
int cluster_cmd_down(int argc, char **argv);
int cluster_cmd_status(int argc, char **argv);
int cluster_cmd_exec(int argc, char **argv);
int cluster_cmd_list(int argc, char **argv);
int cluster_cmd_snapshot(int argc, char **argv);
int cluster_cmd_restore(int argc, char **argv);
