#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Benchmark (not a test), part "compile" of bench/run: compile times of
# pattern rules against exact rules of the same layout (bench/patterns.awk,
# with and without exact=1), at 100,000 rules and at 25,000 (a set of
# pattern rules the automaton's bounds admit). Each round runs every
# configuration once, in an order rotated by one a round. The compiler is
# bench/palbench_compile: what `palisade compile` does before printing,
# with patterns allowed (the command itself refuses them until the kernel
# runs the automaton). Prints one line per run:
#   @R compile ROUND CONFIG WALL_S LOAD_S EMIT_S ok|refused STATES
# Usage: bench/compile-patterns.sh BUILD_DIR ROUNDS
set -eu
here=$(cd "$(dirname "$0")" && pwd)
drv=$1/bench/palbench_compile
rounds=$2
[ -x "$drv" ] || { echo "@R error compile: no $drv (build first)"; exit 1; }
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

cfgs="exact-100000 pattern-100000 exact-25000 pattern-25000"
for c in $cfgs; do
	awk -v n="${c#*-}" -v name="$c" -v exact="$([ "${c%-*}" = exact ] && echo 1)" \
		-f "$here/patterns.awk" >"$dir/$c.yaml"
done
echo "@R meta compile configs $(echo "$cfgs" | tr ' ' ,) rounds $rounds" \
	"yaml_bytes $(wc -c <"$dir/pattern-100000.yaml")"

r=0
while [ $r -lt "$rounds" ]; do
	# shellcheck disable=SC2086 # the configurations are words
	set -- $cfgs
	k=$((r % $#))
	while [ $k -gt 0 ]; do # rotate by r
		c=$1
		shift
		set -- "$@" "$c"
		k=$((k - 1))
	done
	for c in "$@"; do
		t0=$(date +%s.%N)
		out=$("$drv" "$dir/$c.yaml") || { echo "@R error compile $c: $out"; exit 1; }
		t1=$(date +%s.%N)
		wall=$(echo "$t1 - $t0" | bc -l | sed 's/^\./0./' | cut -c1-6)
		# "load X s, emit Y s, ..., states S, ..." or "load X s, emit Y s, refused: ..."
		load=$(echo "$out" | sed -n 's/^load \([0-9.]*\) s.*/\1/p')
		emit=$(echo "$out" | sed -n 's/.*emit \([0-9.]*\) s.*/\1/p')
		states=$(echo "$out" | sed -n 's/.*states \([0-9]*\).*/\1/p')
		st=ok
		case $out in *refused*) st=refused ;; esac
		echo "@R compile $r $c $wall $load $emit $st ${states:-0}"
	done
	r=$((r + 1))
done
