#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Rotation during a denial flood, with the real agent and the real
# logrotate running the shipped deploy/logrotate (only its path and its
# postrotate signal target changed): the records of the rotated file and
# the new one (their folded counts, plus `suppressed` and `lost` counts)
# add up to exactly the denials made: none lost, none written twice.
# Usage: rotate_native.sh PALISADE SRCDIR
set -uo pipefail
PAL=$1
SRC=$2
. "$(dirname "$0")/native_lib.sh"

need_root "cgroup programs"
find_cg2
command -v python3 >/dev/null || { echo "FAIL: python3 missing (scripts/setup installs it)"; exit 1; }
lr=$(command -v logrotate || echo /usr/sbin/logrotate)
[ -x "$lr" ] || { echo "FAIL: logrotate missing (scripts/setup installs it)"; exit 1; }

agent_sandbox rotate
mkdir "$cg" || { echo "FAIL: cannot create $cg"; exit 1; }
agent_bpffs_netdeny
# 64 denied ports: 64 rate-limit keys, so records and `suppressed` counts
# of many keys are in flight when the log is renamed.
sed -i "s/ports: \[$port\]/ports: [\"$port-$((port + 63))\"]/" "$tmp/pol/net.yaml"
mkdir -m 0700 "$tmp/log"
log=$tmp/log/audit.log
"$PAL" run -d "$tmp/pol" -l "$log" --pin-dir "$tmp/bpf/pal" \
	--socket "$tmp/ctl.sock" 2>"$tmp/agent.err" &
agent=$!
ln -s "$log" "$tmp/audit.log" # agent_wait_ready looks there
agent_wait_ready

# The flood: denied UDP connects from the cgroup, round-robin over the
# denied ports, until the test says stop (after the rotation, however slow
# the machine): every key floods (suppressed) and its records fold.
sh -c 'echo $$ >"$1/cgroup.procs"; exec python3 -c "
import errno, os, socket, sys, time
port, end, n = int(sys.argv[1]), time.time() + 120, 0
while time.time() < end and not os.path.exists(sys.argv[3]):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        s.connect((\"127.0.0.1\", port + n % 64)); sys.exit(\"connect allowed\")
    except OSError as e:
        if e.errno != errno.EPERM: raise
    s.close(); n += 1
open(sys.argv[2], \"w\").write(str(n))" "$2" "$3" "$4"' - "$cg" "$port" "$tmp/denials" "$tmp/stop" &
flood=$!
for _ in $(seq 200); do # rotate once the flood's records are arriving
	grep -q '"event":"network"' "$log" && break
	sleep 0.05
done
sleep 1.2 # and a tick has written folded counts and `suppressed` records
sed -e "s#^/var/log/palisade/\*\.log#$tmp/log/*.log#" \
	-e "s#^\([[:space:]]*\)systemctl kill .*#\1kill -USR1 $agent#" "$SRC/deploy/logrotate" \
	>"$tmp/scratch.conf"
chmod 0644 "$tmp/scratch.conf"
check "logrotate rotates the log during the flood" "$lr" -f -s "$tmp/lr.state" "$tmp/scratch.conf"
for _ in $(seq 200); do # the flood goes on until its records reach the new file
	grep -q '"event":"network"' "$log" && break
	sleep 0.05
done
touch "$tmp/stop"
wait "$flood"
check "the flood ran, every connect denied" test -s "$tmp/denials"
sleep 2.5 # past the folding window and a tick: every count is written
check "palisade stop" "$PAL" stop --socket "$tmp/ctl.sock"
wait "$agent"
agent=

denials=$(cat "$tmp/denials" 2>/dev/null || echo 0)
count_of() { # FILE...: decisions the network, suppressed and lost records count
	python3 -c '
import json, sys
n = 0
for f in sys.argv[1:]:
    for line in open(f):
        r = json.loads(line)
        if r["event"] in ("network", "suppressed", "lost"):
            n += r.get("count", 1)
print(n)' "$@"
}
check "the rotated file is there, not yet compressed (delaycompress)" test -f "$log.1"
old=$(count_of "$log.1")
new=$(count_of "$log")
echo "rotate: denials $denials, counted in audit.log.1 $old, in audit.log $new"
for f in "$log.1" "$log"; do
	echo "$f: $(grep -c . "$f") lines, $(grep -c '"event":"suppressed"' "$f") suppressed"
done
check "both files hold part of the flood" test "$old" -gt 0 -a "$new" -gt 0
check "records across both files count every denial exactly ($old + $new = $denials)" \
	test $((old + new)) = "$denials"
check "every line of both files is one JSON record" python3 -c '
import json, sys
for f in sys.argv[1:]:
    for line in open(f):
        assert line.endswith("\n"); json.loads(line)' "$log.1" "$log"
check "the new file was created by logrotate with mode 0600" test "$(stat -c %a "$log")" = 600
[ $fail = 0 ] || { echo "agent stderr:"; cat "$tmp/agent.err"; }
exit $fail
