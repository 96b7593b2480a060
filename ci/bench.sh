#!/usr/bin/env bash
# ci/bench.sh - run the benchmarks (as root): set up, build without coverage,
# print medians, ratios and issue 18's target rows measured side by side in
# one run; write every result into one JSON file; with --compare, compare it
# with a saved one and exit 1 on a regression beyond the measured spread.
#
#   ci/bench.sh [--rounds N] [--only sim,upgrade,grey,catalog,fanout]
#               [--drivers lxc[,qemu]] [--out FILE] [--compare SAVED.json]
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=3 ONLY=sim,upgrade,grey,catalog,fanout DRIVERS=lxc OUT=bench-result.json COMPARE=
while [ $# -gt 0 ]; do
    case $1 in
    --rounds) ROUNDS=$2; shift 2 ;;
    --only) ONLY=$2; shift 2 ;;
    --drivers) DRIVERS=$2; shift 2 ;;
    --out) OUT=$2; shift 2 ;;
    --compare) COMPARE=$2; shift 2 ;;
    *) echo "usage: ci/bench.sh [--rounds N] [--only LIST] [--drivers LIST] [--out FILE] [--compare SAVED.json]" >&2; exit 2 ;;
    esac
done
[ -z "$COMPARE" ] || [ -r "$COMPARE" ] || { echo "ci/bench.sh: cannot read $COMPARE" >&2; exit 2; }
ci/setup.sh
BUILD=${BUILD_DIR:-build-bench}
[ -f "$BUILD/build.ninja" ] || meson setup "$BUILD" --buildtype=release -Dtests=disabled
ninja -C "$BUILD"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
files=()
run() { # NAME ARGS...: one benchmark, its result into $TMP/NAME.json
    local name=$1
    shift
    case ",$ONLY," in *",${name#bench_}",*) ;; *) return 0 ;; esac
    echo "== $name ($(uptime | sed 's/.*load/load/'))" >&2
    "$BUILD/bench/$name" --rounds "$ROUNDS" --json "$TMP/$name.json" "$@"
    files+=("$TMP/$name.json")
}
run bench_sim --drivers "$DRIVERS"
run bench_upgrade
run bench_grey
[ ! -x "$BUILD/bench/bench_catalog" ] || run bench_catalog
[ ! -x "$BUILD/bench/bench_fanout" ] || run bench_fanout
[ ${#files[@]} -gt 0 ] || { echo "ci/bench.sh: --only $ONLY names no benchmark" >&2; exit 2; }
"$BUILD/bench/bench_compare" merge "$OUT" "${files[@]}"
echo
echo "targets (issue 18), all from this run; the result is in $OUT:"
"$BUILD/bench/bench_compare" targets "$OUT"
[ -z "$COMPARE" ] || "$BUILD/bench/bench_compare" compare "$COMPARE" "$OUT"
