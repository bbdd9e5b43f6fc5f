#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Golden-output tests of `palisade logs` and `palisade suggest`: the table
# (non-TTY, fixed width), the summary and histogram, --json pass-through,
# bad input, gzip, stdin, rotated inputs, the configured log, usage errors,
# and colour and terminal width on a pseudo-terminal.
#
#   golden.sh BIN FIXTURES GOLDEN     (PAL_UPDATE_GOLDEN=1 rewrites GOLDEN/*)
set -euo pipefail

bin=$1
fx=$2
gold=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export NO_COLOR=1 PALISADE_NOW=2026-11-22T13:00:00Z LC_ALL=C.UTF-8 TZ=UTC
unset COLUMNS PALISADE_LOG
cd "$fx"
fail=0
pass=0

ok() {
	pass=$((pass + 1))
}

bad() {
	echo "FAIL: $*" >&2
	fail=$((fail + 1))
}

# golden NAME ARGS...: stdout, stderr and exit status against GOLDEN/NAME.txt
golden() {
	local name=$1 rc=0
	shift
	"$bin" "$@" >"$work/out" 2>"$work/err" || rc=$?
	{
		cat "$work/out"
		echo "--- stderr"
		cat "$work/err"
		echo "--- exit $rc"
	} >"$work/$name.txt"
	if [ "${PAL_UPDATE_GOLDEN:-}" = 1 ]; then
		cp "$work/$name.txt" "$gold/$name.txt"
	fi
	if diff -u "$gold/$name.txt" "$work/$name.txt" >&2; then ok; else bad "golden $name"; fi
}

# same CMD-OUTPUT FILE: the first output equals the file
same() {
	local what=$1 file=$2
	if cmp -s "$work/out" "$file"; then ok; else
		diff -u "$file" "$work/out" | head -20 >&2
		bad "$what"
	fi
}

golden table-120 logs --width 120 basic.log
golden table-80-filtered logs --width 80 --action deny --path '/etc/**' basic.log
golden table-nolimit logs --width 0 --event network,device basic.log
golden table-malformed logs --width 120 malformed.log
golden summary logs --summary --width 100 basic.log
golden summary-filtered logs --summary --width 100 --top 3 --policy protect-secrets basic.log
golden histogram-days logs --summary --width 90 --top 2 --buckets 16 spread.log
golden histogram-window logs --summary --width 90 --top 1 --since 2026-11-21T00:00:00Z \
	--until 2026-11-21T23:59:59Z spread.log
golden summary-containers logs --summary --width 100 containers.log
golden table-containers logs --width 0 --namespace prod --pod 'web-7d4b9c-*' --container nginx \
	--event exec,network containers.log
golden suggest-web suggest --policy web basic.log
golden suggest-container suggest --container nginx --namespace prod --pod 'web-7d4b9c-*' \
	--name web-nginx containers.log
golden suggest-cgroup suggest --cgroup '/kubepods/**' --collapse 2 --name ctr-allow \
	--include-denied spread.log
golden usage-bad-action logs --action allow basic.log
golden usage-bad-since logs --since yesterday basic.log
golden usage-json-summary logs --json --summary basic.log
golden missing-file logs --width 120 no-such.log basic.log
golden suggest-nothing suggest --policy nope basic.log

# --json passes the matching lines through byte for byte (line 7 has "\/")
"$bin" logs --json --policy web basic.log >"$work/out"
grep -E '"policy": ?"web"' basic.log >"$work/want"
same "--json pass-through" "$work/want"
[ "$(wc -l <"$work/out")" -eq 12 ] && ok || bad "--json: 12 web records"

# gzip and stdin give the same table as the plain file
gzip -c basic.log >"$work/basic.log.gz"
"$bin" logs --width 120 "$work/basic.log.gz" >"$work/out" 2>/dev/null
sed -n '/^--- stderr$/q;p' "$gold/table-120.txt" >"$work/want"
same "gzip input" "$work/want"
"$bin" logs --width 120 - <basic.log >"$work/out" 2>/dev/null
same "stdin input" "$work/want"
gzip -c basic.log | "$bin" logs --width 120 - >"$work/out" 2>/dev/null
same "gzip on stdin" "$work/want"

# rotated generations are read oldest first, whatever the argument order
head -n 9 basic.log | gzip -c >"$work/audit.log.2.gz"
sed -n '10,18p' basic.log >"$work/audit.log.1"
tail -n +19 basic.log >"$work/audit.log"
"$bin" logs --json "$work/audit.log" "$work/audit.log.1" "$work/audit.log.2.gz" >"$work/out" 2>/dev/null
same "rotated inputs in time order" basic.log

# no FILE: the configured log
PALISADE_LOG=$fx/basic.log "$bin" logs --json >"$work/out" 2>/dev/null
same "PALISADE_LOG" basic.log

# a truncated gzip file: what could be read is used, and the error is reported
head -c 400 "$work/basic.log.gz" >"$work/cut.gz"
rc=0
"$bin" logs --json "$work/cut.gz" >"$work/out" 2>"$work/err" || rc=$?
[ "$rc" -eq 2 ] && grep -q "error reading" "$work/err" && ok || bad "truncated gzip: exit $rc"

# a log big enough for several threads: the summary does not depend on how many
# read it, and a bad line is reported at its own line number from any part
big=$work/big.log
for _ in $(seq 200); do grep -v '"lost"\|"suppressed"' basic.log; done >"$big"
sed -i '3001s/^{/x{/; 3500s/"v":1/"v":7/' "$big"
for t in 1 2 4; do
	PALISADE_THREADS=$t "$bin" logs --summary --json "$big" >"$work/sum$t" 2>"$work/err$t"
done
cmp -s "$work/sum1" "$work/sum2" && cmp -s "$work/sum1" "$work/sum4" && ok ||
	bad "summary with 1, 2 and 4 threads"
grep -q 'skipped 2 lines (1 not JSON, 1 schema version other than 1); the first at .*:3001$' \
	"$work/err2" && cmp -s "$work/err1" "$work/err2" && cmp -s "$work/err1" "$work/err4" && ok ||
	bad "bad line numbers with threads: $(cat "$work/err2")"

# colour and width on a terminal: ANSI colour, NO_COLOR honoured, rows fit 100 columns
if command -v script >/dev/null; then
	env -u NO_COLOR script -qec "stty cols 100 rows 50; '$bin' logs basic.log 2>/dev/null" /dev/null \
		>"$work/tty" </dev/null
	grep -q $'\033\[31mdeny' "$work/tty" && ok || bad "colour on a terminal"
	longest=$(sed $'s/\033\\[[0-9;]*m//g; s/\r$//' "$work/tty" | wc -L)
	[ "$longest" -le 100 ] && [ "$longest" -ge 90 ] && ok || bad "terminal width: longest row $longest"
	NO_COLOR=1 script -qec "stty cols 100 rows 50; '$bin' logs basic.log 2>/dev/null" /dev/null \
		>"$work/tty" </dev/null
	grep -q $'\033\[' "$work/tty" && bad "NO_COLOR on a terminal" || ok
else
	echo "golden.sh: no 'script' command: terminal checks not run" >&2
fi

echo "golden: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
