#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# A `bench/run --only PART` report holds that part alone: raw files an
# earlier run of other parts left in the same directory stay out of it.
#   report_test.sh BENCH_DIR KERNELS_FILE
set -u
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() {
	echo "FAIL: $*"
	cat "$tmp/out"
	exit 1
}
mkdir -p "$tmp/repo/bench" "$tmp/repo/tests/vm" "$tmp/build/agent" "$tmp/build/bench/out/full"
cp "$1/run" "$1/report.py" "$1/compile.sh" "$tmp/repo/bench/"
cp "$2" "$tmp/repo/tests/vm/kernels"
git -C "$tmp/repo" init -q
git -C "$tmp/repo" add -A
git -C "$tmp/repo" -c user.name=t -c user.email=t@t commit -qm t
# S6 times this stand-in for the compiler; the numbers do not matter here.
printf '#!/bin/sh\nexit 0\n' >"$tmp/build/agent/palisade"
chmod +x "$tmp/build/agent/palisade"
# What an earlier `--only vm-open,s3` run left behind.
raw=$tmp/build/bench/out/full
printf '@R meta kernel 6.1 nproc 1\n' >"$raw/vm-open.txt"
for r in 1 2; do
	for c in none palisade-10; do
		printf '@R s1 %s %d d6 1000 990 1010\n' "$c" "$r" >>"$raw/vm-open.txt"
	done
done
printf '  no Palisade program   median 1.0 min 1.0 max 1.0 spread 0.0%%\n' >"$raw/s3-connect.txt"

# --vm-wait 0: this test may run beside the VM suite.
"$tmp/repo/bench/run" --build-dir "$tmp/build" --only s6 --vm-wait 0 --out "$tmp/r.json" \
	>"$tmp/out" 2>&1 ||
	fail "bench/run --only s6: exit $?"
grep -q '^S6 compile' "$tmp/out" || fail "no S6 table in the report"
! grep -q '^S1 \|^S3 \|guest kernel' "$tmp/out" || fail "the report shows parts of an earlier run"
python3 -c 'import json, sys
r = json.load(open(sys.argv[1]))
sys.exit("s1" in r or r.get("s3") or "s6" not in r or r["meta"].get("parts") != "s6")' \
	"$tmp/r.json" || fail "results.json holds parts of an earlier run: $(cat "$tmp/r.json")"
[ -s "$raw/vm-open.txt" ] || fail "the earlier run's raw files were removed"
echo "bench report: only this run's parts"
