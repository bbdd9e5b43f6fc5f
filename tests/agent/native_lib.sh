# SPDX-License-Identifier: GPL-2.0-only
# Shared by the native agent tests (bash), sourced after `set -uo pipefail`:
#   ok MSG / bad MSG     report a step (bad makes the test fail at its end)
#   check DESC CMD...    run CMD, report it as ok or bad
#   need_root WHY        exit 77 (skip) unless root
#   find_cg2             set CG2 to the cgroup v2 mount, or exit 77
#   udp_connect ERRNO CGROUP [PORT]  a UDP connect to 127.0.0.1:PORT ($port)
#                        from CGROUP ("": this one) must end in ERRNO (OK: success)
#   agent_wait_ready     wait until the agent in $agent logged its first
#                        generation ($tmp/audit.log) and listens on its control
#                        socket ("run: ready" in $tmp/agent.err), or fail
#   agent_bpffs_netdeny  mount a private bpffs at $tmp/bpf and write the policy
#                        no-test-port ($tmp/pol/net.yaml: UDP connects to
#                        127.0.0.0/8 port $port from /$name are denied)
#   agent_start_netdeny NAME  agent_sandbox NAME, the test cgroup, agent_bpffs_netdeny,
#                        then the agent ($agent; log $tmp/audit.log), ready
fail=0
ok() { echo "ok: $*"; }
bad() { echo "FAIL: $*"; fail=1; }
check() {
	local d=$1
	shift
	if "$@"; then ok "$d"; else bad "$d"; fi
}
need_root() {
	[ "$(id -u)" = 0 ] || { echo "SKIP: needs root ($1)"; exit 77; }
}
find_cg2() {
	CG2=
	for d in /sys/fs/cgroup /sys/fs/cgroup/unified; do
		[ "$(stat -fc %T "$d" 2>/dev/null)" = cgroup2fs ] && CG2=$d && break
	done
	[ -n "$CG2" ] || { echo "SKIP: no cgroup v2 mount"; exit 77; }
}

udp_connect() { # expected errno name, then the cgroup to run in (or ""), then the port
	sh -c '[ -n "$1" ] && echo $$ >"$1/cgroup.procs"; exec python3 -c "
import errno, socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
try:
    s.connect((\"127.0.0.1\", $2)); got = \"OK\"
except OSError as e:
    got = errno.errorcode[e.errno]
print(\"connect:\", got); sys.exit(0 if got == \"$3\" else 1)"' - "$2" "${3:-$port}" "$1"
}

# A test's sandbox: a temp dir ($tmp) and the name of a test cgroup
# ($cg = $CG2/palisade-test-NAME-PID, not created), with a trap that stops
# the agent in $agent and removes both, even on failure. Call find_cg2 first.
agent_sandbox() { # NAME
	tmp=$(mktemp -d)
	name=palisade-test-$1-$$
	cg=$CG2/$name
	agent=
	trap sandbox_cleanup EXIT
}
sandbox_cleanup() {
	[ -n "$agent" ] && kill -TERM "$agent" 2>/dev/null && wait "$agent" 2>/dev/null
	[ -d "$cg" ] && find "$cg" -mindepth 1 -depth -type d -exec rmdir {} + 2>/dev/null
	rmdir "$cg" 2>/dev/null
	umount "$tmp/bpf" 2>/dev/null
	rm -rf "$tmp"
}

agent_bpffs_netdeny() {
	mkdir -p "$tmp/bpf" "$tmp/pol"
	mount -t bpf bpf "$tmp/bpf" || { echo "FAIL: cannot mount a private bpffs"; exit 1; }
	port=$((20000 + $$ % 20000))
	cat >"$tmp/pol/net.yaml" <<YAML
apiVersion: palisade/v1
kind: Policy
name: no-test-port
target:
  cgroups: [/$name]
network:
  - connect: [127.0.0.0/8]
    ports: [$port]
    protocols: [udp]
    action: deny
YAML
}

agent_wait_ready() {
	for _ in $(seq 100); do
		grep -q '"event":"policy"' "$tmp/audit.log" 2>/dev/null &&
			grep -q 'run: ready:' "$tmp/agent.err" 2>/dev/null && break
		kill -0 "$agent" 2>/dev/null || break
		sleep 0.1
	done
	if ! grep -q 'run: ready:' "$tmp/agent.err" 2>/dev/null; then
		cat "$tmp/agent.err"
		echo "FAIL: the agent did not become ready"
		exit 1
	fi
	ok "agent ready"
}

agent_start_netdeny() { # NAME
	agent_sandbox "$1"
	mkdir "$cg" || { echo "FAIL: cannot create $cg"; exit 1; }
	agent_bpffs_netdeny
	"$PAL" run -d "$tmp/pol" -l "$tmp/audit.log" --pin-dir "$tmp/bpf/pal" \
		--socket "$tmp/ctl.sock" 2>"$tmp/agent.err" &
	agent=$!
	agent_wait_ready
}
