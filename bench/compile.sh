#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Benchmark (not a test): compile 100,000 file rules, in two policy files of
# 50,000 rules with one distinct path each, and print the elapsed seconds of
# `palisade check` and `palisade compile` (table to /dev/null). Host lookups
# (stat of every path, identity keys) are on, as in the agent; a second run
# with --no-host shows the pure compiler.
# Usage: bench/compile.sh [PALISADE]   (default: build/agent/palisade)
# Use an optimised, unsanitised build (the default RelWithDebInfo).
set -eu
PAL=${1:-build/agent/palisade}
[ -x "$PAL" ] || { echo "bench: no palisade binary at '$PAL'" >&2; exit 2; }
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

for p in 0 1; do
	awk -v p="$p" 'BEGIN {
		printf "apiVersion: palisade/v1\nkind: Policy\nname: bench-%d\nfiles:\n", p
		for (i = 0; i < 50000; i++)
			printf "  - {paths: [/srv/bench%d/d%d/file-%d], access: [read, write], action: deny}\n", p, i % 100, i
	}' >"$dir/p$p.yaml"
done

elapsed() { # elapsed LABEL CMD...: run CMD, print its wall time in seconds
	label=$1
	shift
	t0=$(date +%s.%N)
	"$@" >/dev/null
	t1=$(date +%s.%N)
	echo "$label $(echo "$t1 - $t0" | bc -l | sed 's/^\./0./' | cut -c1-6) s"
}

echo "bench: 100000 file rules in $(du -cb "$dir"/*.yaml | tail -n1 | cut -f1) bytes of YAML"
elapsed "check             " "$PAL" check -q "$dir"
elapsed "compile           " "$PAL" compile "$dir"
elapsed "compile --no-host " "$PAL" compile --no-host "$dir"
elapsed "compile --json    " "$PAL" compile --json "$dir"
