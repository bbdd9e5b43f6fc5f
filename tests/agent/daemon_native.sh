#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# The agent daemon on the host kernel, with cgroup programs only (this
# host refuses LSM programs): a network policy on a cgroup this test creates
# is enforced (EPERM) and logged, `status`, `reload`, metrics and `stop`
# work over the control socket, and a clean stop detaches everything.
# Run in the ASan build too (make test), so it is also the sanitizer-clean run.
# Usage: daemon_native.sh PALISADE
set -uo pipefail
PAL=$1
. "$(dirname "$0")/native_lib.sh"

need_root "cgroup programs"
find_cg2
command -v python3 >/dev/null || { echo "FAIL: python3 missing (scripts/setup installs it)"; exit 1; }

agent_sandbox daemon
mkdir "$cg" || { echo "FAIL: cannot create $cg"; exit 1; }
mkdir -p "$tmp/bpf" "$tmp/pol"
chmod 0755 "$tmp/pol"
agent_bpffs_netdeny

# A glob target: cgroups named "deep" anywhere below the test cgroup. One
# is made 36 levels down, past what the BPF ancestor walk sees: the agent
# must say that it is not enforced, not stay silent.
dport=$((port + 1))
cat >"$tmp/pol/deep.yaml" <<YAML
apiVersion: palisade/v1
kind: Policy
name: deep-cgroups
target:
  cgroups: ["/$name/**/deep"]
network:
  - connect: [127.0.0.0/8]
    ports: [$dport]
    protocols: [udp]
    action: deny
YAML


mport=$((40000 + $$ % 20000))
# A stand-in for systemd's notify socket: the agent must say READY=1 with a
# STATUS=, then WATCHDOG=1 (WATCHDOG_USEC is set as systemd sets it).
python3 -c "
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1]); s.settimeout(30)
msgs = []
while not any(m == b'WATCHDOG=1' for m in msgs):
    msgs.append(s.recv(256))
open(sys.argv[2], 'wb').write(b'\\n'.join(msgs))" "$tmp/notify.sock" "$tmp/notify.msg" &
notifier=$!
for _ in $(seq 50); do [ -S "$tmp/notify.sock" ] && break; sleep 0.1; done
WATCHDOG_USEC=2000000 NOTIFY_SOCKET=$tmp/notify.sock "$PAL" run -d "$tmp/pol" -l "$tmp/audit.log" \
	--pin-dir "$tmp/bpf/pal" --socket "$tmp/ctl.sock" --metrics "127.0.0.1:$mport" \
	2>"$tmp/agent.err" &
agent=$!
agent_wait_ready
wait "$notifier"
check "sd_notify: READY=1 sent to NOTIFY_SOCKET" grep -qx "READY=1" "$tmp/notify.msg"
check "sd_notify: STATUS= names the generation" \
	grep -qx "STATUS=enforcing generation 1: 2 policies, cgroup programs only (no BPF LSM)" \
	"$tmp/notify.msg"
check "sd_notify: WATCHDOG=1 while WATCHDOG_USEC is set" grep -qx "WATCHDOG=1" "$tmp/notify.msg"
check "a 'started' agent record comes first" \
	grep -q '^{"v":1,"time":"[^"]*","host":"[^"]*","event":"agent","message":"palisade [0-9.]* started"}$' \
	<(head -n1 "$tmp/audit.log")
check "no libbpf warning on a first start (no pins yet)" \
	sh -c '! grep -q "failed to open link" "$1"' - "$tmp/agent.err"

check "connect from the target cgroup is denied with EPERM" udp_connect EPERM "$cg"
check "connect from outside the cgroup is allowed" udp_connect OK ""
sleep 1.5
rec=$(grep '"event":"network"' "$tmp/audit.log")
echo "record: $rec"
check "exactly one network record" test "$(grep -c '"event":"network"' "$tmp/audit.log")" = 1
for f in '"action":"deny"' '"policy":"no-test-port"' '"op":"connect"' '"errno":1' \
	'"daddr":"127.0.0.1"' "\"dport\":$port" '"protocol":"udp"' "\"cgroup\":\"/$name\"" \
	'"rule":0' '"comm":"python3"'; do
	check "record has $f" grep -qF "$f" <<<"$rec"
done

st=$("$PAL" status --json --socket "$tmp/ctl.sock")
echo "status: $st"
for f in '"ok":true' '"name":"no-test-port"' '"denied":1' '"cgroups_attached":1' \
	'"events_lost":0' '"degraded":["files, exec, socket, self-protection: NOT enforced' \
	"\"kernel\":\"$(uname -r)\"" '"uptime_seconds":'; do
	check "status has $f" grep -qF "$f" <<<"$st"
done
txt=$("$PAL" status --socket "$tmp/ctl.sock")
echo "$txt"
check "status text: version, pid and kernel" \
	grep -qxF "palisade $("$PAL" --version | awk 'NR == 1 {print $2}'), pid $agent, kernel $(uname -r)" <<<"$txt"
check "status text: hooks in words" \
	grep -qx "hooks: 0 LSM programs, 1 cgroups attached, [0-9]* tracked; 0 containers seen, 0 waiting for their OCI state" <<<"$txt"
check "status text: no raw JSON" bash -c '! grep -q "[{}]" <<<"$1"' - "$txt"
if grep -q "this build has no metrics" "$tmp/agent.err"; then
	bad "metrics endpoint missing"
elif command -v curl >/dev/null; then
	m=$(curl -s "http://127.0.0.1:$mport/metrics")
	check "metrics count the denial" grep -qF \
		'palisade_decisions_total{policy="no-test-port",action="deny",event="network"} 1' <<<"$m"
fi

mkdir -p "$cg/a/deep"
deep=$cg$(printf '/l%d' $(seq 34))/deep
mkdir -p "$deep"
sleep 0.5
check "a new glob-matched cgroup is enforced" udp_connect EPERM "$cg/a/deep" "$dport"
check "its sibling is not" udp_connect OK "$cg/a" "$dport"
rec=$(grep '"event":"agent"' "$tmp/audit.log" | grep -F "levels deep")
echo "record: $rec"
check "the too-deep cgroup is reported as not under policy" \
	grep -qF "cgroup /$name$(printf '/l%d' $(seq 34))/deep is 36 levels deep" <<<"$rec"
check "the report says it is not enforced" grep -qF "NOT under policy" <<<"$rec"
check "the agent logged it as an error" grep -q "cgroups: cgroup .*NOT under policy" "$tmp/agent.err"

check "palisade reload succeeds" "$PAL" reload --socket "$tmp/ctl.sock"
check "a reload makes generation 2" grep -q '"event":"policy","generation":2' "$tmp/audit.log"
check "still enforced after the reload" udp_connect EPERM "$cg"

# SIGKILL: pinned links and rule maps keep enforcing; a restarted agent
# adopts them and flips to its own generation with no window in which a
# connect gets through (a loop in the cgroup hammers it meanwhile).
sh -c 'echo $$ >"$1/cgroup.procs"; exec python3 -c "
import socket, sys, time
end, ok, n = time.time() + float(sys.argv[2]), 0, 0
while time.time() < end:
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        s.connect((\"127.0.0.1\", int(sys.argv[1]))); ok += 1
    except OSError:
        pass
    s.close(); n += 1
open(sys.argv[3], \"w\").write(\"%d %d\" % (ok, n))" "$2" 6 "$3"' - "$cg" "$port" "$tmp/loop" &
loop=$!
sleep 0.5
kill -KILL "$agent"
wait "$agent" 2>/dev/null
agent=
check "after SIGKILL the denial stands" udp_connect EPERM "$cg"
# Pins of another map layout (an agent of another version) are refused, loudly.
marker=$(cd "$tmp/bpf/pal" && ls -d pal_abi_v* 2>/dev/null)
check "the pins carry a map-layout marker ($marker)" test -n "$marker"
mv "$tmp/bpf/pal/$marker" "$tmp/bpf/pal/pal_abi_v0"
timeout 20 "$PAL" run -d "$tmp/pol" -l "$tmp/stale.log" --pin-dir "$tmp/bpf/pal" \
	--socket "$tmp/stale.sock" 2>"$tmp/stale.err"
rc=$?
cat "$tmp/stale.err"
check "pins of another layout: the agent refuses to adopt them (exit $rc)" test "$rc" = 2
check "and says why, with a hint" grep -q "have another layout than this agent.*Hint: stop that agent, or remove the pins" "$tmp/stale.err"
mv "$tmp/bpf/pal/pal_abi_v0" "$tmp/bpf/pal/$marker"
"$PAL" run -d "$tmp/pol" -l "$tmp/audit.log" --pin-dir "$tmp/bpf/pal" \
	--socket "$tmp/ctl.sock" 2>"$tmp/agent2.err" &
agent=$!
for _ in $(seq 100); do
	[ "$(grep -c '"event":"policy"' "$tmp/audit.log")" -ge 3 ] && break
	sleep 0.1
done
check "the restarted agent is live (generation 3)" \
	grep -q '"event":"policy","generation":3' "$tmp/audit.log"
"$PAL" reload --socket "$tmp/ctl.sock" >/dev/null
wait "$loop"
read -r got total <"$tmp/loop"
check "no connect got through during kill, restart and reload ($got of $total)" \
	test "$got" = 0 -a "$total" -gt 50
st=$("$PAL" status --json --socket "$tmp/ctl.sock")
check "one attached cgroup after the restart (no duplicates)" grep -qF '"cgroups_attached":1' <<<"$st"
check "still denied after restart and reload" udp_connect EPERM "$cg"

# A broken policy: reload says where (FILE:LINE:COL) and exits 1, as check
# does; the policy record says the same, and enforcement is unchanged.
printf 'apiVersion: palisade/v1\nkind: Policy\nname: broken\nfiles:\n  - pahts: [/x]\n' \
	>"$tmp/pol/broken.yaml"
"$PAL" reload --socket "$tmp/ctl.sock" >"$tmp/rl.out" 2>"$tmp/rl.err"
rc=$?
cat "$tmp/rl.err"
check "a failed reload exits 1 (got $rc)" test "$rc" = 1
check "and prints FILE:LINE:COL of the error" \
	grep -q "^reload failed: $tmp/pol/broken.yaml:5:5: error: .*; the old generation stays live$" \
	"$tmp/rl.err"
check "the policy record carries the same error" grep -q \
	'"event":"policy","message":"reload failed: [^"]*broken.yaml:5:5: error: ' "$tmp/audit.log"
check "still denied after the failed reload" udp_connect EPERM "$cg"
rm "$tmp/pol/broken.yaml"

check "palisade stop is accepted" "$PAL" stop --socket "$tmp/ctl.sock"
wait "$agent"
rc=$?
agent=
check "the agent exited 0 after stop (got $rc)" test "$rc" = 0
check "stop removed the pins, the marker too" test ! -e "$tmp/bpf/pal"
check "stop detached the programs: connect allowed again" udp_connect OK "$cg"
check "the agent's stderr has no sanitizer report" sh -c '! grep -q "Sanitizer\|runtime error" "$1"' - "$tmp/agent.err"
[ $fail = 0 ] || { echo "agent stderr:"; cat "$tmp/agent.err"; }
exit $fail
