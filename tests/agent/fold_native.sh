#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Folding never drops an actor: two processes with different uids are
# denied the same connect, several times each, within one folding window.
# The log must name both (pid, uid), and the counts of each one's records
# must add up to exactly the connects it made; a fold that leaves the actor
# out of its identity writes one folded record naming only the last actor.
# Usage: fold_native.sh PALISADE
set -uo pipefail
PAL=$1
. "$(dirname "$0")/native_lib.sh"

need_root "cgroup programs"
find_cg2
command -v python3 >/dev/null || { echo "FAIL: python3 missing (scripts/setup installs it)"; exit 1; }

agent_start_netdeny fold

# The parent (uid 0) connects 3 times, a child (uid 65534) 5 times, then
# the parent 2 more: interleaved, all inside one second.
sh -c 'echo $$ >"$1/cgroup.procs"; exec python3 -c "
import errno, os, socket, sys
port = int(sys.argv[1])
def deny(n):
    for _ in range(n):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            s.connect((\"127.0.0.1\", port)); sys.exit(\"connect allowed\")
        except OSError as e:
            if e.errno != errno.EPERM: raise
        s.close()
deny(3)
r, w = os.pipe()
child = os.fork()
if child == 0:
    os.setgid(65534); os.setuid(65534); deny(5); os._exit(0)
_, st = os.waitpid(child, 0)
deny(2)
print(os.getpid(), child, st)" "$2"' - "$cg" "$port" >"$tmp/pids"
read -r ppid cpid cst <"$tmp/pids"
check "both actors were denied every connect (child status $cst)" test "$cst" = 0
sleep 2.5 # past the folding window and a tick: every count is written

sum_counts() { # pid uid: the sum of "count" of that actor's network records
	grep '"event":"network"' "$tmp/audit.log" | grep -F "\"pid\":$1," |
		grep -F "\"uid\":$2," | sed -n 's/.*"count":\([0-9]*\)}$/\1/p' |
		awk '{s += $1} END {print s + 0}'
}
cat "$tmp/audit.log" | grep '"event":"network"'
check "the parent (pid $ppid, uid 0) is named in records counting 5 denials" \
	test "$(sum_counts "$ppid" 0)" = 5
check "the child (pid $cpid, uid 65534) is named in records counting 5 denials" \
	test "$(sum_counts "$cpid" 65534)" = 5
total=$(grep '"event":"network"' "$tmp/audit.log" | sed -n 's/.*"count":\([0-9]*\)}$/\1/p' |
	awk '{s += $1} END {print s + 0}')
check "all records count exactly the 10 denials (got $total)" test "$total" = 10
check "no record counts a denial of another actor" test "$(grep '"event":"network"' \
	"$tmp/audit.log" | grep -vcF -e "\"pid\":$ppid," -e "\"pid\":$cpid,")" = 0
check "repeats of one actor are still folded (fewer than 10 records)" \
	test "$(grep -c '"event":"network"' "$tmp/audit.log")" -lt 10
[ $fail = 0 ] || { echo "agent stderr:"; cat "$tmp/agent.err"; }
exit $fail
