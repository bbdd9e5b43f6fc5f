#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# report.py's pattern lines: S1's pattern ratios (computed per round from
# the raw lines), a refused pattern size, and the compile part's table.
#   report_lines_test.sh REPORT_PY
set -u
raw=$(mktemp -d)
trap 'rm -rf "$raw"' EXIT
fail() {
	echo "FAIL: $*"
	cat "$raw/out"
	exit 1
}
# added over none: palisade-10 4,000, pattern-10 4,500 (1.125), palisade-1000
# 4,000 + r, pattern-1000 4,600 + r; round 0 (warm-up) is off by 10x.
for r in 0 1 2; do
	w=1
	[ $r = 0 ] && w=10
	for c in none:10000 palisade-10:14000 pattern-10:14500 palisade-1000:$((14000 + r)) \
		pattern-1000:$((14600 + r)); do
		echo "@R s1 ${c%%:*} $r d6 $((${c##*:} * w)) 0 0"
	done
	echo "@R compile $r pattern-100000 1.9 1"
	echo "@R compile $r exact-100000 1.$((4 + r)) 0"
done >"$raw/vm-smoke.txt"
{
	echo "@R compile_set pattern-100000 refused palisade compile: too many"
	echo "@R compile_set exact-100000 ok 0"
} >>"$raw/vm-smoke.txt"
echo "@R skip s1 pattern-100000 refused by palisade compile: states" >>"$raw/vm-smoke.txt"
echo vm-smoke.txt >"$raw/run.files"
python3 "$1" --raw "$raw" --out "$raw/r.json" >"$raw/out" 2>&1 || fail "report.py exit $?"
grep -q '^  pattern-1000/pattern-10 total .* 1\.0[0-9][0-9] \[.*target <= 1.15: met' "$raw/out" ||
	fail "no pattern-1000/pattern-10 line"
grep -q '^  added pattern-10 / added palisade-10 *1\.125 \[1\.125\.\.1\.125\]  target <= 1.25: met' \
	"$raw/out" || fail "added pattern-10 / added palisade-10 is not 1.125"
grep -q '^  added pattern-1000 / added palisade-1000 *1\.150 \[1\.150\.\.1\.150\]' "$raw/out" ||
	fail "added pattern-1000 / added palisade-1000 is not 1.150"
grep -q '^S1 skipped: pattern-100000 refused' "$raw/out" || fail "the refused size is not said"
grep -q '^pattern-100000 .*REFUSED: palisade compile: too many$' "$raw/out" ||
	fail "compile: the refusal and its reason are not shown"
grep -q '^  pattern-100000 / exact, wall *1\.227 \[1\.18.\.\.1\.267\]' "$raw/out" ||
	fail "compile: pattern/exact is not the median of rounds 1 and 2"
grep -q 'target < 2 s to compile 100,000 pattern rules: not met: the set is refused' "$raw/out" ||
	fail "compile: the target line does not say the set is refused"
echo "bench report: pattern lines"
