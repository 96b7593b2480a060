#!/usr/bin/env bash
# ci/test.sh - THE test command: set up the machine, build with coverage and
# -Wall -Wextra -Werror, run every registered test suite, print coverage; then
# the unit suite under ASan + UBSan and each fuzz target briefly (ci/sanitize.sh).
# Exits non-zero when setup, the format check, the build, any test or the
# coverage floor fails.
#
#   BUILD_DIR=build-ci   build directory (created when absent)
#   MIN_UTIL_COVERAGE=85 line-coverage floor (%) for upgrader/lib/util
#   MIN_LIB_COVERAGE=85  line-coverage floor (%) for the whole upgrader/lib
#   SAN_BUILD_DIR=build-san  the sanitizer + fuzz build (ci/sanitize.sh)
#   FUZZ_SECONDS=5       fuzzing per target (ci/fuzz.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
BUILD=${BUILD_DIR:-build-ci}
MIN_UTIL_COVERAGE=${MIN_UTIL_COVERAGE:-85}
MIN_LIB_COVERAGE=${MIN_LIB_COVERAGE:-85}
export LC_ALL=C

ci/setup.sh

# One format (.clang-format): every C file as clang-format leaves it.
unformatted=$(git ls-files '*.c' '*.h' | while read -r f; do
  clang-format --dry-run --Werror "$f" >/dev/null 2>&1 || echo "$f"; done)
if [ -n "$unformatted" ]; then
  echo "test.sh: not formatted (clang-format -i them):" $unformatted >&2
  exit 1
fi

if [ ! -f "$BUILD/build.ninja" ]; then
  meson setup "$BUILD" -Db_coverage=true -Dwarning_level=2 --werror -Dtests=enabled
fi
ninja -C "$BUILD"
# Kernel integration tests run PostgreSQL as omm (it refuses root); their
# coverage counters are written into the build tree, so omm may write there,
# also into counter files that root's test processes create (umask 0).
chmod -R a+rwX "$BUILD"
# the instrumented tools running inside the simulated nodes write their
# counters into this tree too (bind-mounted into each node)
export OGSIM_GCOV_DIR="$ROOT/$BUILD"
umask 0000

# Coverage counts this run only.
lcov --quiet --zerocounters --directory "$BUILD" 2>/dev/null || true

status=0
meson test -C "$BUILD" --print-errorlogs --num-processes 2 --no-suite slow --no-suite vm || status=$?

# --- coverage -------------------------------------------------------------------
lcov_q() { lcov --quiet --rc lcov_branch_coverage=0 "$@" 2>/dev/null; }
cov=$BUILD/coverage
mkdir -p "$cov"
if lcov_q --capture --directory "$BUILD" --output-file "$cov/all.info"; then
  lcov_q --extract "$cov/all.info" "$ROOT/*" --output-file "$cov/project.info"
  lcov_q --remove "$cov/project.info" "$ROOT/tests/*" --output-file "$cov/project.info"
  echo "== line coverage (product code, unit + integration tests) =="
  lcov --rc lcov_branch_coverage=0 --list "$cov/project.info" 2>/dev/null | sed -n '1,200p'
  # floors: the util layer and the whole upgrader library (counted with the
  # tools running inside the simulated nodes)
  floor() { # NAME GLOB MIN
    local pct
    lcov_q --extract "$cov/project.info" "$ROOT/$2" --output-file "$cov/$1.info"
    pct=$(lcov --summary "$cov/$1.info" 2>&1 | sed -n 's/.*lines\.*: \([0-9.]*\)%.*/\1/p')
    echo "$1 line coverage: ${pct:-?}% (floor $3%)"
    if [ -z "$pct" ] || awk -v p="$pct" -v m="$3" 'BEGIN{exit !(p < m)}'; then
      echo "coverage of $2 is below $3%" >&2
      status=1
    fi
  }
  floor util 'upgrader/lib/util/*' "$MIN_UTIL_COVERAGE"
  floor upgrader-lib 'upgrader/lib/*' "$MIN_LIB_COVERAGE"
else
  echo "lcov capture failed" >&2
  status=1
fi

# --- the unit suite under ASan + UBSan, the fuzz targets briefly -----------------
# Its own clang build (SAN_BUILD_DIR, default build-san); every regression input
# replayed, then FUZZ_SECONDS (default 5) of fuzzing per target, two at a time.
SAN_BUILD_DIR=${SAN_BUILD_DIR:-build-san} FUZZ_SECONDS=${FUZZ_SECONDS:-5} FUZZ_JOBS=2 ci/sanitize.sh || status=1

# --- the closing line CI reads ----------------------------------------------------
# A copy of the logs outside the clone, which CI removes: the next session can
# read which test failed and why (OGUP_CI_LOGS, default /var/tmp/ogup-ci-logs).
logs=${OGUP_CI_LOGS:-/var/tmp/ogup-ci-logs}
if mkdir -p "$logs" 2>/dev/null; then
  cp "$BUILD/meson-logs/testlog.txt" "$BUILD/meson-logs/testlog.json" "$logs/" 2>/dev/null || true
  git rev-parse HEAD >"$logs/commit" 2>/dev/null || true
fi
python3 ci/summary.py "$BUILD/meson-logs/testlog.json"
exit $status
