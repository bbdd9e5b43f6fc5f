#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# A ConfigMap update hot-reloads the agent. The policy directory is laid out
# as the kubelet lays out a ConfigMap volume (a timestamped directory, the
# ..data symlink, one symlink per key, mode 1777, mounted read-only), and it
# is updated the way the kubelet updates it: a new timestamped directory,
# then an atomic rename of a temporary symlink over ..data. The real agent
# (`palisade run`, cgroup programs only, natively) must reload on each swap,
# keep the old generation on a broken update, and stop on SIGTERM.
#
# Needs root (bpffs, cgroups); runs in a private mount namespace, so its bpffs
# and bind mounts vanish with it. Label native.
# Usage: configmap_reload_test.sh PALISADE_BINARY
set -u
bin=$1
fails=0 passes=0
ok() { passes=$((passes + 1)); }
bad() { echo "FAIL: $*"; fails=$((fails + 1)); }
skip() { echo "SKIP: $*"; exit 77; }

[ "$(id -u)" -eq 0 ] || skip "needs root (bpffs, cgroups)"
[ -x "$bin" ] || { echo "FAIL: no palisade binary at '$bin'"; exit 1; }
if [ -z "${PAL_IN_NS:-}" ]; then
	command -v unshare >/dev/null || skip "unshare not found (util-linux)"
	exec unshare --mount --propagation private env PAL_IN_NS=1 "$0" "$@"
fi

cg2=
for d in /sys/fs/cgroup /sys/fs/cgroup/unified; do
	[ "$(stat -f -c %T "$d" 2>/dev/null)" = cgroup2fs ] && cg2=$d && break
done
[ -n "$cg2" ] || skip "no cgroup v2 mount"
mount -t bpf bpf /sys/fs/bpf 2>/dev/null || skip "cannot mount a bpffs"

tmp=$(mktemp -d)
cgname=paltest-configmap-$$
agent=
cleanup() {
	[ -n "$agent" ] && kill -KILL "$agent" 2>/dev/null
	rmdir "$cg2/$cgname" 2>/dev/null
	umount "$tmp/policies" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
mkdir "$cg2/$cgname" || skip "cannot create a cgroup under $cg2"

# The policy: connects from a scratch cgroup to a documentation prefix (no
# traffic is ever sent there) are denied.
policy() { # CIDR
	cat <<EOF
apiVersion: palisade/v1
kind: Policy
name: configmap-test
mode: enforce
target:
  cgroups: [/$cgname]
default: allow
network:
  - connect: [$1]
    action: deny
EOF
}

# The kubelet's layout: the volume directory (1777), ..<timestamp>/ holding
# the keys, ..data -> ..<timestamp>, and KEY -> ..data/KEY.
vol=$tmp/volume
mkdir -m 1777 "$vol"
n=0
publish() { # CONTENT: what the kubelet does for an update of key net.yaml
	n=$((n + 1))
	local ts=..2026_11_22_00_00_0$n.00000000$n old
	old=$(readlink "$vol/..data" 2>/dev/null)
	mkdir -m 0755 "$vol/$ts"
	printf '%s\n' "$1" > "$vol/$ts/net.yaml"
	ln -s "$ts" "$vol/..data_tmp"
	mv -T "$vol/..data_tmp" "$vol/..data" # rename(2): atomic
	[ -L "$vol/net.yaml" ] || ln -s ..data/net.yaml "$vol/net.yaml"
	[ -n "$old" ] && rm -rf "${vol:?}/$old"
}
publish "$(policy 192.0.2.0/24)"
# The pod sees the volume through a read-only bind mount.
mkdir "$tmp/policies"
mount --bind "$vol" "$tmp/policies" && mount -o remount,bind,ro "$tmp/policies" ||
	skip "cannot make a read-only bind mount"

log=$tmp/audit.log
wait_for() { # PATTERN SECONDS: a log line matching PATTERN appears
	local i
	for ((i = 0; i < $2 * 10; i++)); do
		grep -qE "$1" "$log" 2>/dev/null && return 0
		kill -0 "$agent" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}

# Kubernetes ConfigMap volumes are world-writable directories on read-only
# mounts: say whether the agent accepts one as it is.
"$bin" run -d "$tmp/policies" -l "$tmp/probe.log" >"$tmp/probe.out" 2>&1 &
probe=$!
sleep 1
if kill -0 $probe 2>/dev/null; then
	echo "note: the agent accepts a read-only ConfigMap volume as its policy directory"
	kill -TERM $probe
	wait $probe
else
	wait $probe
	echo "note: the agent refuses a read-only mode-1777 policy directory ($(head -1 "$tmp/probe.out"));" \
		"this test runs it with --allow-insecure-policy-dir"
fi

"$bin" run -d "$tmp/policies" -l "$log" --allow-insecure-policy-dir >"$tmp/agent.out" 2>&1 &
agent=$!
if ! wait_for '"event":"policy","generation":1,' 10; then
	if ! kill -0 "$agent" 2>/dev/null; then
		wait "$agent"
		rc=$?
		agent=
		[ $rc -eq 77 ] && skip "the kernel cannot run the cgroup programs: $(cat "$tmp/agent.out")"
	fi
	echo "FAIL: the agent did not load generation 1: $(cat "$tmp/agent.out") $(cat "$log" 2>/dev/null)"
	exit 1
fi
ok

# 1. An update: a new timestamped directory and a ..data swap.
publish "$(policy 198.51.100.0/24)"
wait_for '"event":"policy","generation":2,' 10 && ok ||
	bad "no reload to generation 2 after the ..data swap"

# 2. A broken update is refused, and generation 2 stays live.
publish "$(printf 'apiVersion: palisade/v1\nkind: Policy\nname: configmap-test\nacess: [read]\n')"
wait_for 'reload failed' 10 && ok || bad "a broken ConfigMap update was not reported"
# The kubelet's steps (new directory, then the ..data swap) may each wake the
# agent: a reload between them reads the old content and is a new generation
# of the same policy. The broken content itself must never go live.
live=$(grep -o '"event":"policy","generation":[0-9]*,' "$log" | tail -n 1 | tr -dc 0-9)
grep 'reload failed' "$log" | grep -q "generation $live stays live" && ok ||
	bad "the failure record does not say generation $live stays live"

# 3. The fix after it reloads again.
publish "$(policy 203.0.113.0/24)"
wait_for "\"event\":\"policy\",\"generation\":$((live + 1))," 10 && ok ||
	bad "no reload to generation $((live + 1)) after the fix"

# 4. SIGTERM stops the agent cleanly, and it says so.
kill -TERM "$agent"
for ((i = 0; i < 100; i++)); do
	kill -0 "$agent" 2>/dev/null || break
	sleep 0.1
done
if kill -0 "$agent" 2>/dev/null; then
	bad "the agent did not stop within 10 s of SIGTERM"
else
	wait "$agent"
	rc=$?
	agent=
	[ $rc -eq 0 ] && ok || bad "the agent exited $rc after SIGTERM: $(tail -3 "$tmp/agent.out")"
	grep -q '"event":"agent".*stopped' "$log" && ok || bad "no 'agent stopped' record"
fi

echo "$passes passed, $fails failed"
[ $fails -eq 0 ]
