/* SPDX-License-Identifier: MulanPSL-2.0 */
/* cluster_cmd.h - `ogsim up|down|status|exec|list|snapshot|restore`. */
#pragma once

int up_cmd_main(int argc, char **argv);
int down_cmd_main(int argc, char **argv);
int status_cmd_main(int argc, char **argv);
int exec_cmd_main(int argc, char **argv);
int list_cmd_main(int argc, char **argv);
int snapshot_cmd_main(int argc, char **argv);
int restore_cmd_main(int argc, char **argv);
