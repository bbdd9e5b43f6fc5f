#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Hostile files in the agent's policy directory, on the host kernel (a
# network policy on a cgroup this test creates): a FIFO named x.yaml, a
# symlink that leads out of the directory, a world-writable file. Each makes
# the reload fail with a policy record and an error naming the file, the
# agent never blocks (status answers at once), and the old generation keeps
# enforcing: connect from the cgroup still gets EPERM, with its record. A
# symlink within the directory (kubelet's ConfigMap layout) still loads.
# Usage: policy_input_native.sh PALISADE
set -uo pipefail
PAL=$1
. "$(dirname "$0")/native_lib.sh"

need_root "cgroup programs"
find_cg2

tmp=$(mktemp -d)
name=palisade-test-input-$$
cg=$CG2/$name
agent=
cleanup() {
	[ -n "$agent" ] && "$PAL" stop --socket "$tmp/ctl.sock" >/dev/null 2>&1
	[ -n "$agent" ] && { kill -TERM "$agent" 2>/dev/null; wait "$agent" 2>/dev/null; }
	rmdir "$cg" 2>/dev/null
	umount "$tmp/bpf" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
mkdir "$cg" "$tmp/bpf" "$tmp/pol" "$tmp/elsewhere"
chmod 0755 "$tmp/pol"
mount -t bpf bpf "$tmp/bpf" || { echo "FAIL: cannot mount a private bpffs"; exit 1; }
port=$((20000 + $$ % 20000))
cat >"$tmp/pol/net.yaml" <<YAML
apiVersion: palisade/v1
kind: Policy
name: input-net
target:
  cgroups: [/$name]
network:
  - connect: [127.0.0.0/8]
    ports: [$port]
    protocols: [udp]
    action: deny
YAML


"$PAL" run -d "$tmp/pol" -l "$tmp/audit.log" --pin-dir "$tmp/bpf/pal" \
	--socket "$tmp/ctl.sock" 2>"$tmp/agent.err" &
agent=$!
agent_wait_ready
check "generation 1 live" grep -q '"event":"policy","generation":1' "$tmp/audit.log"

# try NAME: a reload over the hostile file NAME fails, names it, and blocks nothing.
try() {
	local what=$1 file=$2 before
	before=$(grep -c '"event":"policy"' "$tmp/audit.log")
	timeout 10 "$PAL" reload --socket "$tmp/ctl.sock" >"$tmp/reload.out" 2>&1
	check "$what: reload refused" test $? -ne 0
	check "$what: the agent names the file" grep -q "$file: error: refusing it" "$tmp/agent.err"
	check "$what: status answers at once" \
		sh -c 'timeout 2 "$1" status --json --socket "$2" >/dev/null' - "$PAL" "$tmp/ctl.sock"
	check "$what: a failed-reload policy record" \
		sh -c 'test "$(grep -c "\"event\":\"policy\"" "$1")" -gt "$2" &&
			tail -n 5 "$1" | grep "\"event\":\"policy\"" | grep -q "reload failed"' \
		- "$tmp/audit.log" "$before"
	check "$what: generation 1 still enforces (EPERM)" udp_connect EPERM "$cg"
}

mkfifo "$tmp/pol/fifo.yaml"
try "FIFO" "$tmp/pol/fifo.yaml"
rm "$tmp/pol/fifo.yaml"

cp "$tmp/pol/net.yaml" "$tmp/elsewhere/x.yaml"
sed -i 's/name: input-net/name: escaped/' "$tmp/elsewhere/x.yaml"
ln -s ../elsewhere/x.yaml "$tmp/pol/escape.yaml"
try "symlink out of the directory" "$tmp/pol/escape.yaml"
rm "$tmp/pol/escape.yaml"

sed 's/name: input-net/name: writable/' "$tmp/pol/net.yaml" >"$tmp/pol/writable.yaml"
chmod 0666 "$tmp/pol/writable.yaml"
try "world-writable file" "$tmp/pol/writable.yaml"
rm "$tmp/pol/writable.yaml"

# ConfigMap layout: policy.yaml -> ..data/policy.yaml, all inside the directory.
mkdir "$tmp/pol/..data"
sed 's/name: input-net/name: via-link/; s/ports: \[[0-9]*\]/ports: [1]/' "$tmp/pol/net.yaml" \
	>"$tmp/pol/..data/linked.yaml"
ln -s ..data/linked.yaml "$tmp/pol/linked.yaml"
check "a symlink within the directory loads" "$PAL" reload --socket "$tmp/ctl.sock"
st=$("$PAL" status --json --socket "$tmp/ctl.sock")
check "both policies live" sh -c 'echo "$1" | grep -q "\"name\":\"via-link\"" &&
	echo "$1" | grep -q "\"name\":\"input-net\""' - "$st"
check "still denied after the good reload" udp_connect EPERM "$cg"
sleep 1.5
rec=$(grep '"event":"network"' "$tmp/audit.log" | tail -n 1)
echo "record: $rec"
for f in '"action":"deny"' '"policy":"input-net"' '"errno":1' "\"dport\":$port"; do
	check "deny record has $f" grep -qF "$f" <<<"$rec"
done
check "palisade stop" "$PAL" stop --socket "$tmp/ctl.sock"
wait "$agent"
agent=
[ $fail = 0 ] || { echo "agent stderr:"; cat "$tmp/agent.err"; }
exit $fail
