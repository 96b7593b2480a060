#!/usr/bin/env bash
# ci/fuzz.sh BUILD - run every libFuzzer target built in BUILD (by
# ci/sanitize.sh, -Dfuzz=true): first replay its regression inputs
# (tests/fuzz/regressions/<target>/: every crash ever found), then fuzz it
# from its seed corpus (tests/fuzz/corpus/<target>/) for FUZZ_SECONDS.
# New corpus entries go to BUILD/fuzz/corpus/<target>/ (never into the
# source tree); a crash is written to BUILD/fuzz/artifacts/<target>/ and
# fails the run (minimise it with -minimize_crash=1 and commit it under
# regressions/, see tests/fuzz/README.md).
#
#   FUZZ_SECONDS=5  seconds of fuzzing per target (ci/gate.sh: 600)
#   FUZZ_JOBS=1     targets fuzzed at once (each uses one core)
#   FUZZ_TARGETS    the targets to run (default: all)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
BUILD=${1:?usage: ci/fuzz.sh BUILD}
SECONDS_EACH=${FUZZ_SECONDS:-5}
JOBS=${FUZZ_JOBS:-1}
export LC_ALL=C
export ASAN_OPTIONS=abort_on_error=1:detect_leaks=1:strict_string_checks=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export LSAN_OPTIONS=suppressions=$ROOT/ci/lsan.supp:print_suppressions=0

targets=${FUZZ_TARGETS:-$(cd tests/fuzz && ls fuzz_*.c | sed 's/\.c$//')}
for t in $targets; do
  [ -x "$BUILD/tests/fuzz/$t" ] || { echo "fuzz: $BUILD/tests/fuzz/$t not built" >&2; exit 1; }
done

one() { # TARGET: replay, then fuzz; output in BUILD/fuzz/<t>.log
  local t=$1 exe=$BUILD/tests/fuzz/$1 out=$BUILD/fuzz reg=tests/fuzz/regressions/$1
  local log=$out/$t.log rc=0
  mkdir -p "$out/corpus/$t" "$out/artifacts/$t"
  : >"$log"
  if compgen -G "$reg/*" >/dev/null; then
    "$exe" -runs=1 "$reg"/* >>"$log" 2>&1 || rc=$?
    if [ $rc -ne 0 ]; then
      echo "fuzz: $t: FAILED replaying $reg (see $log)"; tail -40 "$log"; return 1
    fi
  fi
  "$exe" -max_total_time="$SECONDS_EACH" -timeout=20 -rss_limit_mb=2048 -max_len=65536 \
    -artifact_prefix="$out/artifacts/$t/" -print_final_stats=1 \
    "$out/corpus/$t" "tests/fuzz/corpus/$t" >>"$log" 2>&1 || rc=$?
  if [ $rc -ne 0 ]; then
    echo "fuzz: $t: FAILED (see $log; input in $out/artifacts/$t/)"; tail -60 "$log"; return 1
  fi
  echo "fuzz: $t: ok, $(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1) runs," \
    "corpus $(ls "$out/corpus/$t" | wc -l) + $(ls "tests/fuzz/corpus/$t" | wc -l) seeds"
}
export -f one
export BUILD SECONDS_EACH

# shellcheck disable=SC2086 # one target per word
printf '%s\n' $targets | xargs -P "$JOBS" -I{} bash -c 'one {}'
