/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * workload_cmd.h - `ogsim workload start|stop|check`, the command layer over
 * workload.h. argv[0] is "workload"; returns the process exit code.
 *
 * start/stop: 0, or og_exit_code(OG_ACTION_OTHER, rc) after printing
 * "[GAUSS-NNNNN] : detail" / "[OGUP-NNNNN] : detail" on stderr.
 * check: 0 when every node was checked and no acknowledged write is lost on
 * any node; 1 otherwise (lost writes, a node unreachable or not caught up,
 * or an error, printed as above).
 *
 * In the background process that `start` forks, workload_cmd_main returns
 * that process's exit status once the workload stopped: main must return it.
 */
#pragma once

int workload_cmd_main(int argc, char **argv);
