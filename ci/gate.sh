#!/usr/bin/env bash
# ci/gate.sh - the release gate: everything ci/test.sh runs, plus the slow
# suites (every failpoint of the in-place plan and of its rollback, each
# killed then rolled back / resumed on a real cluster), and every fuzz target
# for 10 minutes (ci/sanitize.sh). Exits non-zero on any failure. Long: plan
# ~2 h on 2 cores.
#
#   BUILD_DIR=build-gate   build directory (created when absent)
#   SAN_BUILD_DIR=build-gate-san, FUZZ_SECONDS=600, FUZZ_JOBS=2 (ci/sanitize.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD_DIR:-build-gate}
export LC_ALL=C

ci/setup.sh
if [ ! -f "$BUILD/build.ninja" ]; then
  meson setup "$BUILD" -Dwarning_level=2 --werror -Dtests=enabled
fi
ninja -C "$BUILD"
chmod -R a+rwX "$BUILD"
umask 0000
status=0
meson test -C "$BUILD" --print-errorlogs --num-processes 2 || status=$?
# Every scenario suite (scenarios/paths, retry, rollback, faults): any failed
# scenario fails the gate. Reports in $BUILD/scenario-results/latest/.
"$BUILD/scenarios/ogscenario" run scenarios/ --out "$BUILD/scenario-results" \
  --junit "$BUILD/scenarios-junit.xml" || status=$?
# The unit suite under ASan + UBSan, and every fuzz target for 10 minutes
# (two at a time: >= 10 CPU-minutes each, ~1 h for the 12 targets).
SAN_BUILD_DIR=${SAN_BUILD_DIR:-build-gate-san} FUZZ_SECONDS=${FUZZ_SECONDS:-600} \
  FUZZ_JOBS=${FUZZ_JOBS:-2} ci/sanitize.sh || status=$?
python3 ci/summary.py "$BUILD/meson-logs/testlog.json" gate:
exit $status
