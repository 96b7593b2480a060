#!/usr/bin/env bash
# ci/bench.sh - run the benchmarks (as root): set up, build without coverage,
# print medians and ratios measured side by side in one run.
set -euo pipefail
cd "$(dirname "$0")/.."
ci/setup.sh
BUILD=${BUILD_DIR:-build-bench}
[ -f "$BUILD/build.ninja" ] || meson setup "$BUILD" --buildtype=release -Dtests=disabled
ninja -C "$BUILD"
"$BUILD/bench/bench_sim" "$@"
"$BUILD/bench/bench_upgrade" "$@"
