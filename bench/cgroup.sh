#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Benchmark of the cgroup programs (not a test; needs root and cgroup2):
# connect() cost with 0, 10 and 100,000 CIDR rules (interleaved rounds,
# median and spread, ratio 100k/10 against the 1.3 target) and the
# mkdir-to-attached latency of a new cgroup matching a glob.
# Usage: bench/cgroup.sh [ROUNDS [CONNECTS_PER_ROUND]]   (default 9 200000)
set -eu
src=$(cd "$(dirname "$0")/.." && pwd)
build=${PAL_BUILD_DIR:-$src/build-bench}
cmake -S "$src" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
ninja -C "$build" -j2 bench_cgroup >/dev/null
uname -r
nproc
exec "$build/tests/cgroup/bench_cgroup" "${1:-9}" "${2:-200000}"
