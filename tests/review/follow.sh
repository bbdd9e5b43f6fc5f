#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# `palisade logs --follow`: new records only, a line written in two parts,
# rotation by rename (logrotate's default) and by truncation (copytruncate),
# and a clean end on SIGTERM and on SIGINT.
#
#   follow.sh BIN
set -euo pipefail

bin=$1
work=$(cd "$(mktemp -d)" && pwd -P)
pid=
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT
cd "$work"

# wait_polling: until the follower sleeps between its looks for a missing file,
# blocked in clock_nanosleep (/proc/PID/syscall). Where that cannot be seen, a
# fixed pause.
wait_polling() {
	local nr want

	case $(uname -m) in
	x86_64) want=230 ;;
	aarch64 | riscv64) want=115 ;;
	*) sleep 0.3 && return 0 ;;
	esac
	for _ in $(seq 200); do
		read -r nr _ </proc/"$pid"/syscall 2>/dev/null || { sleep 0.3 && return 0; }
		[ "$nr" = "$want" ] && return 0
		sleep 0.025
	done
	echo "FAIL: the follower never waited for a missing file" >&2
	exit 1
}

rec() {
	printf '{"v":1,"time":"2026-11-22T10:00:%02d.000000Z","host":"h","event":"file","action":"deny","policy":"p","rule":0,"path":"/f/%s"}\n' "$2" "$1"
}

# wait_for N: until the output has N lines (5 s at most)
wait_for() {
	for _ in $(seq 100); do
		[ "$(wc -l <out)" -ge "$1" ] && return 0
		sleep 0.05
	done
	echo "FAIL: waited for $1 lines, have $(wc -l <out):" >&2
	cat out >&2
	exit 1
}

# wait_open FILE: until the follower has FILE open (it starts at its end)
wait_open() {
	for _ in $(seq 200); do
		for fd in /proc/"$pid"/fd/*; do
			[ "$(readlink "$fd" 2>/dev/null)" = "$work/$1" ] && return 0
		done
		sleep 0.025
	done
	echo "FAIL: the follower never opened $1" >&2
	exit 1
}

rec old 1 >audit.log
rec old2 2 >>audit.log
: >out
"$bin" logs --follow --json audit.log >out 2>err &
pid=$!
wait_open audit.log # it starts at the end of the file: the old records are not shown

rec A 3 >>audit.log
wait_for 1

# logrotate: rename, the writer finishes a line in the old file, then a new file
mv audit.log audit.log.1
rec B 4 >>audit.log.1
rec C 5 >audit.log
wait_for 3

# copytruncate: the file is emptied in place
rec D 6 >>audit.log
wait_for 4
: >audit.log
rec E 7 >>audit.log
wait_for 5

# a line written in two parts comes out once, whole
line=$(rec F 8)
printf '%s' "${line:0:40}" >>audit.log
sleep 0.3
printf '%s\n' "${line:40}" >>audit.log
wait_for 6

kill -TERM "$pid"
rc=0
wait "$pid" || rc=$?
pid=
[ "$rc" -eq 0 ] || { echo "FAIL: exit status $rc after SIGTERM" >&2; exit 1; }

{ rec A 3; rec B 4; rec C 5; rec D 6; rec E 7; rec F 8; } >want
if ! cmp -s want out; then
	echo "FAIL: output differs" >&2
	diff -u want out >&2 || true
	exit 1
fi
[ ! -s err ] || { echo "FAIL: stderr:" >&2; cat err >&2; exit 1; }

# --since reads what is there first; SIGINT ends it too
: >out2
"$bin" logs --follow --since 2026-11-22T10:00:07Z --json audit.log >out2 2>&1 &
pid=$!
for _ in $(seq 100); do
	[ "$(wc -l <out2)" -ge 2 ] && break
	sleep 0.05
done
kill -INT "$pid"
rc=0
wait "$pid" || rc=$?
pid=
[ "$rc" -eq 0 ] || { echo "FAIL: exit status $rc after SIGINT" >&2; exit 1; }
{ rec E 7; rec F 8; } >want2
cmp -s want2 out2 || { echo "FAIL: --since output" >&2; diff -u want2 out2 >&2; exit 1; }

# a file that does not exist yet is waited for, and read from its start
: >out3
"$bin" logs --follow --json later.log >out3 2>&1 &
pid=$!
wait_polling # created before the follower's first look, it would be read from its end
{ rec G 9; rec H 10; } >later.log
for _ in $(seq 100); do
	[ "$(wc -l <out3)" -ge 2 ] && break
	sleep 0.05
done
kill -TERM "$pid"
wait "$pid" || true
pid=
{ rec G 9; rec H 10; } >want3
cmp -s want3 out3 || { echo "FAIL: a log created after the start" >&2; diff -u want3 out3 >&2; exit 1; }

echo "follow: 1 passed, 0 failed"
