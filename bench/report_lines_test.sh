#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# report.py's lines: S1's pattern ratios (computed per round from the raw
# lines), a refused pattern size, the compile part's table, the VM parts of
# two kernels reported apart, the agent's start, `palisade logs`, and the
# closing table of every target judged.
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
	# W untar: palisade-10 +2%, palisade-all-10 (every access denied) +20%
	for c in landlock:1010 palisade-all-10:1200 palisade-10:1020 none:1000; do
		echo "@R wl ${c%%:*} $r untar $((${c##*:} * 1000))"
	done
done >"$raw/vm-smoke.txt"
{
	echo "@R compile_set pattern-100000 refused palisade compile: too many"
	echo "@R compile_set exact-100000 ok 0"
} >>"$raw/vm-smoke.txt"
echo "@R skip s1 pattern-100000 refused by palisade compile: states" >>"$raw/vm-smoke.txt"
# A second kernel: palisade-10 adds 2,000 there (5,000 on the first), and
# three agent starts (vm-reload's, on the wall clock, is left out).
{
	echo "@R meta kernel 7.2.0-test nproc 1"
	for r in 0 1 2; do
		echo "@R s1 none $r d6 5000 0 0"
		echo "@R s1 palisade-10 $r d6 7000 0 0"
	done
	for ms in 900 1100 1300; do
		echo "@R info agent_start palisade-10 $ms ms"
		echo "@R info agent ready: generation 1 enforcing from '/p' after $((ms - 100)) ms (maps 20 ms, file programs $((ms - 200)) ms, policy 80 ms)"
	done
} >"$raw/vm-open@sid.txt"
printf '@R meta kernel 7.2.0-test nproc 2\n@R info agent_start palisade-10 99999 ms\n' >"$raw/vm-reload@sid.txt"
{
	echo "@R meta logs bytes 1073741824 lines 2500000 runs 3"
	echo "@R logs prefilter 0.91 0.70 1125 5000"
	echo "@R logs summary 6.20 6.00 165 9000"
} >"$raw/logs.txt"
printf '%s\n' vm-smoke.txt vm-open@sid.txt vm-reload@sid.txt logs.txt >"$raw/run.files"
python3 "$1" --raw "$raw" --out "$raw/r.json" >"$raw/out" 2>&1 || fail "report.py exit $?"
grep -q '^  pattern-1000/pattern-10 total .* 1\.0[0-9][0-9] \[.*target <= 1.15: met' "$raw/out" ||
	fail "no pattern-1000/pattern-10 line"
grep -q '^  added pattern-10 / added palisade-10 *1\.125 \[1\.125\.\.1\.125\]  target <= 1.25: met' \
	"$raw/out" || fail "added pattern-10 / added palisade-10 is not 1.125"
grep -q '^  added pattern-1000 / added palisade-1000 *1\.150 \[1\.150\.\.1\.150\]' "$raw/out" ||
	fail "added pattern-1000 / added palisade-1000 is not 1.150"
grep -q '^S1 skipped: pattern-100000 refused' "$raw/out" || fail "the refused size is not said"
sed -n '/^W untar/,/^$/p' "$raw/out" | awk '{ print $1 }' | tr '\n' ' ' |
	grep -q 'configuration none palisade-10 palisade-all-10 landlock ' ||
	fail "W: not none, palisade-10, palisade-all-10, landlock in that order"
grep -q '^palisade-all-10 .* +20.00% .*target <= 3: MISSED' "$raw/out" ||
	fail "W: palisade-all-10 is not judged"
grep -q '^pattern-100000 .*REFUSED: palisade compile: too many$' "$raw/out" ||
	fail "compile: the refusal and its reason are not shown"
grep -q '^  pattern-100000 / exact, wall *1\.227 \[1\.18.\.\.1\.267\]' "$raw/out" ||
	fail "compile: pattern/exact is not the median of rounds 1 and 2"
grep -q 'target < 2 s to compile 100,000 pattern rules: not met: the set is refused' "$raw/out" ||
	fail "compile: the target line does not say the set is refused"
grep -q '^==== VM parts on kernel sid: .*guest kernel 7.2.0-test ====' "$raw/out" ||
	fail "no section for the second kernel"
python3 -c 'import json, sys
r = json.load(open(sys.argv[1]))["vm"]
s = r["sid"]["s1"]["d6"]["configs"]["palisade-10"]["added"]["median"]
sys.exit(s != 2000 or len(r) != 2 or r["sid"]["agent_start"]["launch to generation 1 live"]["n"] != 3)' \
	"$raw/r.json" || fail "the two kernels are mixed, or vm-reload starts counted: $(cat "$raw/r.json")"
grep -q '^file programs  *900 ' "$raw/out" || fail "agent start: no file programs stage"
grep -q '^  launch to enforcing, 3 starts, median ms: target <= 1000: MISSED' "$raw/out" ||
	fail "agent start: the median of 900, 1100, 1300 is not judged against 1 s"
grep -q '^  --summary over 1,024 MB, s: target <= 5: MISSED' "$raw/out" ||
	fail "logs: --summary is not judged"
grep -q '^agent launch to enforcing, guest ms  *VM sid  *1,100  *<= 1000  *MISSED' \
	"$raw/out" || fail "the closing table has no agent start line for the second kernel"
grep -q '^S1 allowed file, depth 6: pattern-1000/pattern-10 total  *VM .* met$' "$raw/out" ||
	fail "the closing table has no S1 line"
grep -q '^[0-9]* of [0-9]* targets met$' "$raw/out" || fail "no count of targets met"
echo "bench report: pattern lines, kernels, agent start, logs, targets"
