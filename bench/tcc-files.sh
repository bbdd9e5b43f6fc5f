#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# The files tcc reads to compile and link each SRC (headers, crt objects,
# libc's link script and archives), one absolute path a line, for
# mkinitramfs --copy-list: the benchmark image carries exactly those. Uses
# the flags of the compile workload in bench/vm.sh (-D_GNU_SOURCE).
# Usage: bench/tcc-files.sh TCC OUT SRC...
set -eu
tcc=$1 out=$2
shift 2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for src in "$@"; do
	# -vv names every file it opens as "-> PATH", indented by include depth.
	"$tcc" -vv -D_GNU_SOURCE -o "$tmp/a.out" "$src" >"$tmp/log" 2>&1 ||
		{ cat "$tmp/log" >&2; exit 1; }
	sed -n 's/^-> *\(\/.*\)$/\1/p' "$tmp/log" | grep -vxF "$src"
done | LC_ALL=C sort -u >"$tmp/list"
mv "$tmp/list" "$out"
