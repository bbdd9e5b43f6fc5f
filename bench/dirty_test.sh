#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# A full `bench/run` refuses a tree with uncommitted changes (its results
# would name a commit they did not measure) and says how to go on.
#   dirty_test.sh BENCH_RUN KERNELS_FILE
set -u
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/repo/bench" "$tmp/repo/tests/vm" "$tmp/build"
cp "$1" "$tmp/repo/bench/run"
cp "$2" "$tmp/repo/tests/vm/kernels"
git -C "$tmp/repo" init -q
git -C "$tmp/repo" add -A
git -C "$tmp/repo" -c user.name=t -c user.email=t@t commit -qm t
echo "# changed" >>"$tmp/repo/tests/vm/kernels"
"$tmp/repo/bench/run" --build-dir "$tmp/build" >"$tmp/out" 2>&1
rc=$?
[ "$rc" = 2 ] || { echo "FAIL: a full run on a dirty tree: exit $rc, want 2"; cat "$tmp/out"; exit 1; }
grep -q "uncommitted changes.*--allow-dirty" "$tmp/out" ||
	{ echo "FAIL: the refusal does not say why and what to do:"; cat "$tmp/out"; exit 1; }
echo "bench dirty tree: refused"
