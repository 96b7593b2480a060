#!/usr/bin/env bash
# ci/demo.sh - the first command of the README: on a fresh Debian 12 machine
# (as root) set up, build, bring up a 3-node simulated openGauss cluster on
# 2.0.0 with a running workload, upgrade it in place to 3.0.0 while a fault
# (node1's disk fills during the catalog SQL) makes a step fail, heal, re-run
# to success, commit, prove 0 lost acknowledged writes, print a short report
# and where the HTML report is. Exits non-zero when anything fails.
#
#   ci/demo.sh [--driver lxc|qemu]   the nodes: containers (default) or full
#                                    VMs with their own kernel (slower: TCG)
#   BUILD_DIR=build-demo   build directory (release, no tests)
#   OUT=demo-results       where the reports go
set -euo pipefail
DRIVER=lxc
while [ $# -gt 0 ]; do
  case "$1" in
    --driver) DRIVER=${2:?--driver needs lxc or qemu}; shift 2 ;;
    --driver=*) DRIVER=${1#--driver=}; shift ;;
    *) echo "usage: ci/demo.sh [--driver lxc|qemu]" >&2; exit 2 ;;
  esac
done
case "$DRIVER" in lxc|qemu) ;; *) echo "ci/demo.sh: --driver $DRIVER: lxc or qemu" >&2; exit 2 ;; esac
cd "$(dirname "$0")/.."
ROOT=$PWD
BUILD=${BUILD_DIR:-build-demo}
OUT=${OUT:-$ROOT/demo-results}
export LC_ALL=C
t0=$(date +%s)

echo "== 1/3 setting up the machine (packages, libvirtd, users)"
ci/setup.sh
echo "== 2/3 building ($BUILD)"
if [ ! -f "$BUILD/build.ninja" ]; then
  meson setup "$BUILD" --buildtype=release -Dtests=disabled >/dev/null
fi
ninja -C "$BUILD" >/dev/null
echo "== 3/3 the scenario: scenarios/demo/upgrade-under-fault.xml on $DRIVER nodes"
"$BUILD/scenarios/ogscenario" plan scenarios/demo
rm -rf "$OUT/demo"
status=0
"$BUILD/scenarios/ogscenario" run scenarios/demo --out "$OUT" --run-id demo --driver "$DRIVER" \
  --junit "$OUT/demo/junit.xml" || status=$?

echo
echo "== report"
"$BUILD/scenarios/ogscenario" report "$OUT/demo" || true
echo "HTML report: $OUT/demo/report.html"
echo "JSON report: $OUT/demo/results.json   JUnit: $OUT/demo/junit.xml"
echo "bundle (journals, node logs, fault ledger, workload report): $OUT/demo/"
echo "demo took $(( $(date +%s) - t0 )) s; $([ $status -eq 0 ] && echo PASSED || echo FAILED)"
exit $status
