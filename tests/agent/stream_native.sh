#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# The audit stream under a deny storm and after it. While records come as a
# stream the agent reads the ring buffer in pauses (agent/events.c, pace);
# this checks that nothing is lost or stalls that way: every denial of the
# storm is in a record (network counts + lost + suppressed == EPERMs), and
# single denials after it reach the log well within the agent's 1 s tick,
# which would be the only thing left to drain a ring buffer that was never
# polled again.
# Usage: stream_native.sh PALISADE
set -uo pipefail
PAL=$1
. "$(dirname "$0")/native_lib.sh"

need_root "cgroup programs"
find_cg2
command -v python3 >/dev/null || { echo "FAIL: python3 missing (scripts/setup installs it)"; exit 1; }

agent_start_netdeny stream

# In the test cgroup: 1.5 s of denied connects to 127.1.x.y (4,096 objects
# of one rule), then 5 single ones to 127.9.9.N, 150 ms apart, each timed
# from its EPERM until its record is in the log.
sh -c 'echo $$ >"$1/cgroup.procs"; exec python3 -c "
import errno, socket, sys, time
port, log = int(sys.argv[1]), sys.argv[2]
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
def denied(addr):
    try:
        s.connect((addr, port)); sys.exit(\"connect allowed\")
    except OSError as e:
        if e.errno != errno.EPERM: raise
n, end = 0, time.monotonic() + 1.5
while time.monotonic() < end:
    for i in range(256):
        denied(\"127.1.%d.%d\" % (n % 4096 // 256, n % 256)); n += 1
print(n)
time.sleep(0.2)
for k in range(1, 6):
    time.sleep(0.15)
    f = open(log, \"rb\"); f.seek(0, 2)
    denied(\"127.9.9.%d\" % k)
    t0, want, got = time.monotonic(), (\"\\\"daddr\\\":\\\"127.9.9.%d\\\"\" % k).encode(), b\"\"
    while want not in got and time.monotonic() - t0 < 3:
        time.sleep(0.002); got += f.read()
    print(\"%.3f\" % (time.monotonic() - t0))
" "$2" "$3"' - "$cg" "$port" "$tmp/audit.log" >"$tmp/out" || bad "the storm failed"
read -r denials <"$tmp/out"
lat=$(tail -n 5 "$tmp/out" | tr '\n' ' ')
ok "storm: $denials denials; single denials reached the log after (s): $lat"
sleep 2.5 # a tick past the last record: lost and suppressed counts are written

counts() { # EVENT [FILTER]: the sum of "count" of those records
	grep "\"event\":\"$1\"" "$tmp/audit.log" | grep -F -- "${2:-}" |
		sed -n 's/.*"count":\([0-9]*\)}$/\1/p' | awk '{s += $1} END {print s + 0}'
}
storm=$(counts network '"daddr":"127.1.')
lost=$(counts lost)
supp=$(counts suppressed)
check "storm records count every denial: $storm + lost $lost + suppressed $supp == $denials" \
	test $((storm + lost + supp)) = "$denials"
check "some of the storm reached the log as records ($storm)" test "$storm" -gt 0
for k in 1 2 3 4 5; do
	check "single denial $k is one record" test "$(counts network "\"daddr\":\"127.9.9.$k\"")" = 1
done
check "every single denial was logged within 0.4 s ($lat)" \
	awk -v l="$lat" 'BEGIN { n = split(l, a, " "); for (i = 1; i <= n; i++) if (a[i] >= 0.4) exit 1; exit n != 5 }'
[ $fail = 0 ] || { echo "agent stderr:"; cat "$tmp/agent.err"; }
exit $fail
