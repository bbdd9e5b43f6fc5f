#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Benchmark (not a test), part "compile" of bench/run: `palisade compile`
# of pattern rules against exact rules of the same layout
# (bench/patterns.awk, with and without exact=1), at 100,000 rules and at
# 25,000 (a set of pattern rules the automaton's bounds admit). Each
# configuration is compiled once untimed for its outcome (the automaton's
# size, or why it was refused); then each round runs every configuration
# once, in an order rotated by one a round, table and warnings to /dev/null.
# Prints:
#   @R compile_set CONFIG ok STATES | CONFIG refused REASON...
#   @R compile ROUND CONFIG WALL_S EXIT_STATUS
# Usage: bench/compile-patterns.sh BUILD_DIR ROUNDS
set -eu
here=$(cd "$(dirname "$0")" && pwd)
pal=$1/agent/palisade
rounds=$2
[ -x "$pal" ] || { echo "@R error compile: no $pal (build first)"; exit 1; }
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

cfgs="exact-100000 pattern-100000 exact-25000 pattern-25000"
for c in $cfgs; do
	awk -v n="${c#*-}" -v name="$c" -v exact="$([ "${c%-*}" = exact ] && echo 1)" \
		-f "$here/patterns.awk" >"$dir/$c.yaml"
	if "$pal" compile "$dir/$c.yaml" >"$dir/out" 2>"$dir/err"; then
		echo "@R compile_set $c ok $(sed -n 's/^PATTERN AUTOMATON[^:]*: \([0-9]*\) states.*/\1/p' \
			"$dir/out" | grep . || echo 0)"
	else
		echo "@R compile_set $c refused $(grep -v warning "$dir/err" | grep -m1 .)"
	fi
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
		rc=0
		"$pal" compile "$dir/$c.yaml" >/dev/null 2>&1 || rc=$?
		t1=$(date +%s.%N)
		echo "@R compile $r $c $(echo "$t1 - $t0" | bc -l | sed 's/^\./0./' | cut -c1-6) $rc"
	done
	r=$((r + 1))
done
