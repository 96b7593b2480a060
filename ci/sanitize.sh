#!/usr/bin/env bash
# ci/sanitize.sh - the unit suite under ASan + UBSan, and the libFuzzer
# targets (tests/fuzz): one clang build in its own directory serves both.
# ci/test.sh runs it with the brief fuzz runs; ci/gate.sh with long ones.
#
#   SAN_BUILD_DIR=build-san  build directory (created when absent)
#   FUZZ_SECONDS=5           seconds of fuzzing per target (ci/fuzz.sh)
#   FUZZ_JOBS=1              targets fuzzed at once (ci/fuzz.sh)
#   SAN_SKIP_UNIT=1          only build and run the fuzz targets
#
# The build: CC=clang, -Db_sanitize=address,undefined with
# -fno-sanitize-recover=undefined (a UBSan finding fails the test), and
# -Dfuzz=true (libFuzzer's coverage instrumentation everywhere, its main in
# the fuzz targets only). Only what the unit suite and the fuzz targets need
# is built (not the node kernel, the integration tests or their tools).
# Leak reports are on (LSan); ci/lsan.supp lists the third-party leaks
# suppressed, each explained. Exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
BUILD=${SAN_BUILD_DIR:-build-san}
export LC_ALL=C

if [ ! -f "$BUILD/build.ninja" ]; then
  CC=clang meson setup "$BUILD" -Dtests=enabled -Dfuzz=true -Dwarning_level=2 \
    -Db_sanitize=address,undefined -Db_lundef=false \
    -Dc_args='-fno-sanitize-recover=undefined -fno-omit-frame-pointer'
fi

# The unit suite's executables and what they run, and the fuzz targets.
targets=$(meson introspect --tests --targets "$BUILD" | python3 -c '
import json, os, sys
intro = json.load(sys.stdin)
root = os.path.realpath(sys.argv[1])
files = {t["id"]: t["filename"] for t in intro["targets"]}
want = set()
for t in intro["tests"]:
    if any(s.split(":")[-1] == "unit" for s in t["suite"]):
        want.update(t["depends"])
for t in intro["targets"]:
    if t["name"].startswith("fuzz_"):
        want.add(t["id"])
for i in sorted(want):
    for f in files[i]:
        print(os.path.relpath(f, root))
' "$BUILD")
# shellcheck disable=SC2086 # one target per word
ninja -C "$BUILD" $targets

status=0
if [ -z "${SAN_SKIP_UNIT:-}" ]; then
  # halt on the first report; leaks too; suppressions explained in the file
  export ASAN_OPTIONS=abort_on_error=1:halt_on_error=1:detect_leaks=1:strict_string_checks=1:detect_stack_use_after_return=1
  export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
  export LSAN_OPTIONS=suppressions=$ROOT/ci/lsan.supp:print_suppressions=0
  echo "== unit suite under ASan + UBSan ($BUILD) =="
  # ASan makes the tools the tests run (ogom, ogsim) 2-3x slower: 3x the timeouts
  meson test -C "$BUILD" --no-rebuild --suite unit --print-errorlogs --num-processes 2 \
    --timeout-multiplier 3 \
    || status=$?
  python3 ci/summary.py "$BUILD/meson-logs/testlog.json" sanitize:
fi

echo "== fuzz targets ($BUILD, ${FUZZ_SECONDS:-5} s each) =="
ci/fuzz.sh "$BUILD" || status=$?
exit $status
