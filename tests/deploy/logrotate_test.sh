#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# deploy/logrotate: logrotate parses it (-d), it never copytruncates, and the
# rename-then-signal scheme it relies on loses no line: a stand-in agent that
# reopens its log on SIGUSR1 writes through a real rotation.
# Usage: logrotate_test.sh SRCDIR
set -u
src=$1
conf=$src/deploy/logrotate
fails=0 passes=0
ok() { passes=$((passes + 1)); }
bad() { echo "FAIL: $*"; fails=$((fails + 1)); }

lr=$(command -v logrotate || echo /usr/sbin/logrotate)
[ -x "$lr" ] || { echo "SKIP: logrotate not found (Debian package logrotate)"; exit 77; }
tmp=$(mktemp -d)
agent=
trap '[ -n "$agent" ] && kill "$agent" 2>/dev/null; rm -rf "$tmp"' EXIT

# 1. Parse the file as shipped. logrotate ignores config files that others
#    can write, so use a 0644 copy.
install -m 0644 "$conf" "$tmp/palisade.conf"
out=$("$lr" -d -s "$tmp/state" "$tmp/palisade.conf" 2>&1)
rc=$?
[ $rc -eq 0 ] && ok || bad "logrotate -d exited $rc: $out"
grep -q 'rotating pattern: /var/log/palisade/\*\.log' <<<"$out" && ok ||
	bad "logrotate did not read the pattern: $out"
grep -qiE '^error|unknown option|unexpected' <<<"$out" && bad "logrotate complained: $out"

# 2. Required directives, and no copytruncate anywhere (comments aside).
directives=$(sed 's/#.*//' "$conf")
grep -qw copytruncate <<<"$directives" && bad "copytruncate is used" || ok
for d in compress delaycompress missingok notifempty postrotate endscript; do
	grep -qw "$d" <<<"$directives" && ok || bad "missing directive: $d"
done
grep -qE 'systemctl kill .*(-s|--signal=?) ?USR1 .*palisade\.service' <<<"$directives" && ok ||
	bad "postrotate does not send SIGUSR1 to palisade.service"

# 3. A real rotation with the shipped directives, on a scratch log. Only the
#    path and the postrotate command (which signals the stand-in agent
#    instead of the systemd unit) are changed.
mkdir -m 0700 "$tmp/log"
log=$tmp/log/audit.log
touch "$tmp/run"
(
	exec 3>>"$log"
	trap 'exec 3>>"$log"' USR1 # reopen, as palisade run does
	i=0
	while [ -e "$tmp/run" ]; do
		i=$((i + 1))
		echo "line $i" >&3
		[ $((i % 50)) -eq 0 ] && sleep 0.01
	done
	echo "$i" > "$tmp/written"
) &
agent=$!
sleep 0.3
sed -e "s#^/var/log/palisade/\*\.log#$tmp/log/*.log#" \
	-e "s#^\([[:space:]]*\)systemctl kill .*#\1kill -USR1 $agent#" \
	-e '/^[[:space:]]*create /d' "$conf" > "$tmp/scratch.conf"
chmod 0644 "$tmp/scratch.conf"
out=$("$lr" -f -s "$tmp/state2" "$tmp/scratch.conf" 2>&1) || bad "rotation failed: $out"
sleep 0.3
rm -f "$tmp/run"
wait "$agent"
agent=
written=$(cat "$tmp/written" 2>/dev/null || echo 0)
[ -f "$log.1" ] && ok || bad "no $log.1 after rotation ($(ls "$tmp/log"))"
[ -f "$log.1.gz" ] && bad "delaycompress ignored: the fresh rotation was compressed"
got=$(cat "$log".1 "$log" 2>/dev/null | wc -l)
[ "$written" -gt 0 ] && [ "$got" -eq "$written" ] && ok ||
	bad "lines written $written, found after rotation $got"
if [ -s "$log" ]; then ok; else bad "the agent did not reopen: $log is empty"; fi
# Every line exactly once, in order.
seq_ok=$(cat "$log".1 "$log" | awk '{ if ($2 != NR) { print "gap at " NR; exit } }')
[ -z "$seq_ok" ] && ok || bad "$seq_ok"

echo "$passes passed, $fails failed"
[ $fails -eq 0 ]
