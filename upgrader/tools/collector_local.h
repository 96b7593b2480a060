/* SPDX-License-Identifier: MulanPSL-2.0 */
/*
 * collector_local.h - gs_collector's node side (openGauss-OM v5.0.0
 * script/local/LocalCollect.py, "LC" below), run on every node by the
 * invoking gs_collector through the SSH transport:
 *
 *   gs_collector --local-collect --stamp YYYYmmdd_HHMMSS
 *       --begin YYYYmmddHHMM --end YYYYmmddHHMM [--bwlimit KBPS]
 *       [--keyword K] [--max-bytes N]
 *       --job TYPE INTERVAL COUNT CONTENT ...      (INTERVAL/COUNT "-": none)
 *
 * It writes <HOSTNAME>.tar.gz to stdout -- <HOSTNAME>/ with systemfiles/
 * catalogfiles/ xlogfiles/ gstackfiles/ coreDumpfiles/ planSimulatorfiles/
 * logfiles/ configfiles/ (LC:353-385) -- at most KBPS KB/s when --bwlimit is
 * given (openGauss: rsync --bwlimit), and for each job run one line
 * "OGUP-JOB\t{"jobName": .., "successTask": [..], "failedTask": {..}}" on
 * stderr: LC's g_jobInfo as it prints it (json.dumps(g_jobInfo.__dict__)).
 */
#pragma once

#define COLLECT_JOB_MARK "OGUP-JOB\t"

int collector_local_main(int argc, char **argv);
