#!/usr/bin/env bash
# ci/gate.sh - the release gate: everything ci/test.sh runs, plus the slow
# suites (every failpoint of the in-place plan and of its rollback, each
# killed then rolled back / resumed on a real cluster), the vm suite and one
# scenario of each suite and the demo on QEMU VMs, the fault-coverage
# matrix (ogscenario --matrix: every failpoint of each plan x every fault
# kind, enforced at --min-fault-coverage, sharded), and every fuzz target for
# 10 minutes (ci/sanitize.sh). Exits non-zero on any failure. Long.
#
#   BUILD_DIR=build-gate   build directory (created when absent)
#   SAN_BUILD_DIR=build-gate-san, FUZZ_SECONDS=600, FUZZ_JOBS=2 (ci/sanitize.sh)
#   GATE_REPEAT=10         plays of each scenario tagged repeat10 (issue 16's bugs)
#   GATE_PLANS=inplace,inplace-rollback,inplace-commit   the matrix's plans
#   GATE_MIN_COVERAGE=100  per plan: applicable cells passed / applicable (%)
#   GATE_VM_SCENARIOS      the scenarios played on QEMU VMs (one per suite)
#   GATE_SLOW_JOBS=3       slow-suite parts played side by side
#   GATE_SHARDS=1          shards played side by side, each its own libvirt
#                          connection (GATE_URIS, blank separated; default
#                          lxc:///system and the same daemon through the
#                          remote driver's unix transport), then merged
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
meson test -C "$BUILD" --print-errorlogs --num-processes 2 --no-suite slow || status=$?
# The slow suite: every failpoint of both plans, each plan in three parts, each
# part its own cluster; GATE_SLOW_JOBS parts side by side (the work waits on
# the nodes more than it computes: three grey parts together took ~18 min,
# the grey plan whole ~1 h; five parts at once beside two fuzzers overloaded
# 2 CPUs: sshd banners timed out). Its log is slowlog.json beside testlog.json.
meson test -C "$BUILD" --print-errorlogs --num-processes "${GATE_SLOW_JOBS:-3}" --suite slow \
  --logbase slowlog || status=$?
# Every scenario suite (scenarios/paths, retry, rollback, faults): any failed
# scenario fails the gate. Reports in $BUILD/scenario-results/latest/.
"$BUILD/scenarios/ogscenario" run scenarios/ --out "$BUILD/scenario-results" \
  --junit "$BUILD/scenarios-junit.xml" || status=$?
# Issue 16's bugs, each scenario (tag repeat10) played GATE_REPEAT times in a
# row: every play must pass (the summary prints k/N per scenario).
"$BUILD/scenarios/ogscenario" run scenarios/faults --filter repeat10 \
  --repeat "${GATE_REPEAT:-10}" --out "$BUILD/repeat-results" \
  --junit "$BUILD/repeat-junit.xml" || status=$?
# The fault-coverage matrix: shards side by side, merged into one report and
# one coverage figure; below GATE_MIN_COVERAGE (or any failing cell) fails
# the gate, and the summary line names the uncovered cells.
PLANS=${GATE_PLANS:-inplace,inplace-rollback,inplace-commit}
SHARDS=${GATE_SHARDS:-1}
read -r -a URIS <<<"${GATE_URIS:-lxc:///system lxc+unix:///system?socket=/var/run/libvirt/libvirt-sock}"
MX="$BUILD/matrix-results"
pids=()
for k in $(seq 1 "$SHARDS"); do
  uri=${URIS[$(((k - 1) % ${#URIS[@]}))]}
  "$BUILD/scenarios/ogscenario" run --matrix "$PLANS" --shard "$k/$SHARDS" --uri "$uri" \
    --out "$MX" --run-id "shard-$k" --cluster-prefix "mx$k" >"$MX-shard-$k.log" 2>&1 &
  pids+=($!)
done
for p in "${pids[@]}"; do wait "$p" || true; done
shards=()
for k in $(seq 1 "$SHARDS"); do shards+=("$MX/shard-$k"); done
"$BUILD/scenarios/ogscenario" report --merge "${shards[@]}" --out "$MX" --run-id merged \
  --junit "$BUILD/matrix-junit.xml" --min-fault-coverage "${GATE_MIN_COVERAGE:-100}" || status=$?
# Full VMs (issue 17): the meson run above played the vm suite (every fault
# kind and the guide's command lines on QEMU nodes); here one scenario of
# each suite and the demo on QEMU VMs.
read -r -a VM_SCENARIOS <<<"${GATE_VM_SCENARIOS:-scenarios/paths/2.0.0-to-3.0.0.xml
  scenarios/retry/kill-catalog.xml scenarios/rollback/from-catalog.xml
  scenarios/faults/power-off-switch-bin.xml scenarios/grey/two-batches.xml}"
"$BUILD/scenarios/ogscenario" run "${VM_SCENARIOS[@]}" --driver qemu \
  --out "$BUILD/vm-results" --junit "$BUILD/vm-junit.xml" --cluster-prefix vm || status=$?
BUILD_DIR="$BUILD-demo" OUT="$BUILD/vm-demo" ci/demo.sh --driver qemu || status=$?
# The unit suite under ASan + UBSan, and every fuzz target for 10 minutes
# (two at a time: >= 10 CPU-minutes each, ~1 h for the 12 targets).
SAN_BUILD_DIR=${SAN_BUILD_DIR:-build-gate-san} FUZZ_SECONDS=${FUZZ_SECONDS:-600} \
  FUZZ_JOBS=${FUZZ_JOBS:-2} ci/sanitize.sh || status=$?
python3 ci/summary.py "$BUILD/meson-logs/slowlog.json" gate-slow:
python3 ci/summary.py "$BUILD/meson-logs/testlog.json" gate:
exit $status
