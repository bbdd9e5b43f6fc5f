#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Native benchmarks with the real agent (`palisade run`, cgroup programs only,
# on the host kernel). Prints "@R ..." lines for bench/run:
#   S3  socket() and open("/dev/null") in a cgroup with socket and device
#       rules, against the same cgroup without Palisade (interleaved rounds)
#   S4  a deny storm through cgroup/connect4: events per second written to
#       the JSON log, the agent's CPU and max RSS, and the count check
#       delivered + lost + suppressed == denials
#   S5n time from a policy file write to enforcement, with 10, 10,000 and
#       100,000 CIDR rules
# Needs root and cgroup2. Works in a private mount namespace (its own bpffs
# for the pins) and a cgroup tree it creates and removes; the only traffic
# is connect() of UDP sockets to loopback, which sends nothing.
# Usage: native.sh BUILD_DIR [--smoke] [--only s3,s4,s5n]
set -euo pipefail

build=$1
shift
smoke=0 only=s3,s4,s5n
while [ $# -gt 0 ]; do
	case "$1" in
	--smoke) smoke=1; shift ;;
	--only) only=$2; shift 2 ;;
	*) echo "native.sh: unknown argument '$1'" >&2; exit 2 ;;
	esac
done
pal=$build/agent/palisade
nat=$build/bench/palbench_native
for b in "$pal" "$nat"; do
	[ -x "$b" ] || { echo "@R error native: no '$b' (build first)"; exit 1; }
done
if [ "$(id -u)" != 0 ]; then
	echo "@R skip native: needs root"
	exit 0
fi
if [ -z "${PALBENCH_IN_NS:-}" ]; then
	flags=(--only "$only")
	[ $smoke = 0 ] || flags+=(--smoke)
	exec unshare --mount --propagation private env PALBENCH_IN_NS=1 "$0" "$build" "${flags[@]}"
fi
mount -t bpf bpf /sys/fs/bpf || { echo "@R error native: cannot mount a bpffs"; exit 1; }

cg2=
for d in /sys/fs/cgroup /sys/fs/cgroup/unified; do
	[ "$(stat -f -c %T "$d" 2>/dev/null)" = cgroup2fs ] && cg2=$d && break
done
[ -n "$cg2" ] || { echo "@R skip native: no cgroup2 mount"; exit 0; }

if [ $smoke = 1 ]; then
	ROUNDS=3 OPS=20000 BATCHES=3 STORM_S=0.5 STORM_RULES=1024 RSIZES="10 1000"
else
	ROUNDS=9 OPS=200000 BATCHES=5 STORM_S=3 STORM_RULES=4096 RSIZES="10 10000 100000"
fi
echo "@R meta native rounds $ROUNDS ops $OPS batches $BATCHES"

tmp=$(mktemp -d)
top=palbench-$$
cg=$cg2/$top/m # the measured (and targeted) cgroup
pd=$tmp/policies
st=$tmp/stage
log=$tmp/audit.log
mkdir -p "$pd" "$st" "$cg"
chmod 0755 "$tmp" "$pd"
agent=
cleanup() {
	[ -z "$agent" ] || kill -KILL "$agent" 2>/dev/null || true
	[ -z "$agent" ] || wait "$agent" 2>/dev/null || true
	for c in "$cg2/$top"/*/ "$cg2/$top"; do
		[ -d "$c" ] || continue
		while read -r p; do kill -KILL "$p" 2>/dev/null || true; done <"$c/cgroup.procs"
		rmdir "$c" 2>/dev/null || true
	done
	rm -rf "$tmp"
}
trap cleanup EXIT

fail() {
	echo "@R error $*"
	exit 1
}
in_cg() { # CMD...: run CMD inside the measured cgroup
	sh -c 'echo $$ >"$1/cgroup.procs" && shift && exec "$@"' - "$cg" "$@"
}
rotate() { # K ITEM...
	local k=$1 i out=()
	shift
	local items=("$@") n=$#
	for ((i = 0; i < n; i++)); do out+=("${items[$(((i + k) % n))]}"); done
	echo "${out[@]}"
}
now_ms() { date +%s%3N; }

gen_count() { grep -c '"event":"policy"' "$log" 2>/dev/null || true; }
wait_gen() { # N: the policy record of generation N is in the log
	local i
	for ((i = 0; i < 3000; i++)); do
		grep -q "\"event\":\"policy\",\"generation\":$1," "$log" 2>/dev/null && return 0
		kill -0 "$agent" 2>/dev/null || fail "agent died: $(tail -n 5 "$tmp/agent.err")"
		sleep 0.02
	done
	fail "generation $1 not live after 60 s: $(tail -n 5 "$tmp/agent.err")"
}
agent_start() { # POLICY_FILE
	rm -f "$pd"/*
	cp "$1" "$pd/bench.yaml"
	: >"$log"
	"$pal" run -d "$pd" -l "$log" --socket "$tmp/ctl.sock" 2>"$tmp/agent.err" &
	agent=$!
	wait_gen 1
}
agent_stop() {
	"$pal" stop --socket "$tmp/ctl.sock" >/dev/null || fail "palisade stop failed"
	wait "$agent" || fail "agent exit status $? on stop: $(tail -n 5 "$tmp/agent.err")"
	agent=
}
header() { # NAME
	printf 'apiVersion: palisade/v1\nkind: Policy\nname: %s\ntarget:\n  cgroups: [/%s/m]\ndefault: allow\n' \
		"$1" "$top"
}

# ---- S3: socket() and /dev/null with socket and device rules ----------------
s3() {
	{
		header s3
		cat <<'EOF'
network:
  - socket: {family: inet, type: raw}
    action: deny
  - socket: {family: inet6, type: raw}
    action: deny
devices:
  - {type: char, major: 1, minor: 1, access: [read, write, mknod], action: deny}
  - {type: char, major: 10, minor: 200, access: [read, write, mknod], action: deny}
  - {type: block, major: 8, minor: '*', access: [read, write, mknod], action: deny}
EOF
	} >"$st/s3.yaml"
	local r cfg op out
	for ((r = 0; r <= ROUNDS; r++)); do
		for cfg in $(rotate $r none palisade); do
			[ $cfg = none ] || agent_start "$st/s3.yaml"
			for op in socket devnull; do
				out=$(in_cg "$nat" ops $op "$OPS" "$BATCHES") || fail "s3 $op ($cfg)"
				echo "@R s3 $cfg $r $op $out"
			done
			[ $cfg = none ] || agent_stop
		done
	done
}

# ---- S4: deny storm through cgroup/connect4 ---------------------------------
cpu_ticks() { # PID: utime + stime, in clock ticks
	awk '{ print $14 + $15 }' "/proc/$1/stat"
}
s4() {
	local i r hz out att denied other secs t0 t1 c0 c1 prev rss
	{
		header s4
		echo "network:"
		for ((i = 0; i < STORM_RULES; i++)); do
			echo "  - {connect: [127.1.$((i / 256)).$((i % 256))/32], action: deny}"
		done
	} >"$st/s4.yaml"
	hz=$(getconf CLK_TCK)
	echo "@R meta s4 rules $STORM_RULES seconds $STORM_S hz $hz"
	for ((r = 0; r <= ROUNDS; r++)); do
		agent_start "$st/s4.yaml"
		c0=$(cpu_ticks "$agent")
		t0=$(now_ms)
		out=$(in_cg "$nat" storm "$STORM_S" "$STORM_RULES") || fail "s4 storm"
		# Caught up: the agent's CPU time stops growing (and one tick passed,
		# so the lost/suppressed counters are reported).
		sleep 1.2
		prev=-1
		c1=$(cpu_ticks "$agent")
		while [ "$c1" != "$prev" ]; do
			prev=$c1
			sleep 0.3
			c1=$(cpu_ticks "$agent")
		done
		t1=$(now_ms)
		rss=$(awk '/^VmHWM:/ { print $2 }' "/proc/$agent/status")
		agent_stop
		read -r att denied other secs <<<"$out"
		# delivered: the network records' counts (a folded record counts its repeats)
		read -r records delivered lost suppressed < <(python3 -c '
import json, sys
rec = dl = lo = su = 0
for line in open(sys.argv[1]):
    r = json.loads(line)
    e, n = r.get("event"), r.get("count", 1)
    if e == "network": rec += 1; dl += n
    elif e == "lost": lo += n
    elif e == "suppressed": su += n
print(rec, dl, lo, su)' "$log")
		echo "@R s4 $r $att $denied $other $secs $delivered $records $lost $suppressed" \
			"$((c1 - c0)) $((t1 - t0)) $rss"
	done
}

# ---- S5n: reload latency with network rules ----------------------------------
gen_net() { # N NAME PROBE_CIDR: N CIDR rules, one of them PROBE_CIDR
	# (the filler in lists of 1,000: a list holds at most PAL_POLICY_CIDRS_MAX)
	{
		header "$2"
		echo "network:"
		echo "  - connect: [$3]"
		echo "    action: deny"
		awk -v n="$1" 'BEGIN {
			for (i = 0; i < n - 1; i++) {
				if (i % 1000 == 0)
					printf "%s  - action: deny\n    connect: [", i ? "]\n" : ""
				else
					printf ", "
				printf "127.%d.%d.%d/32", 2 + int(i / 65536), int(i / 256) % 256, i % 256
			}
			if (n > 1)
				print "]"
		}'
	} >"$st/$2.yaml"
}
s5n() {
	local n r g ms agent_ms
	for n in $RSIZES; do
		gen_net "$n" "ra-$n" 127.0.0.2/32
		gen_net "$n" "rb-$n" 127.0.0.1/32
	done
	set -- $RSIZES
	agent_start "$st/ra-$1.yaml"
	g=1
	for ((r = 0; r <= ROUNDS; r++)); do
		for n in $(rotate $r $RSIZES); do
			cp "$st/ra-$n.yaml" "$st/next.yaml"
			in_cg "$nat" flip "$st/next.yaml" "$pd/bench.yaml" OK 60000 >/dev/null ||
				fail "s5n reload to ra-$n"
			g=$((g + 1))
			wait_gen $g
			cp "$st/rb-$n.yaml" "$st/next.yaml"
			ms=$(in_cg "$nat" flip "$st/next.yaml" "$pd/bench.yaml" EPERM 60000) ||
				fail "s5n reload to rb-$n"
			g=$((g + 1))
			wait_gen $g
			agent_ms=$(grep "\"generation\":$g," "$log" | sed -n 's/.*, \([0-9.]*\) ms".*/\1/p')
			echo "@R s5n reload $r $n $ms ${agent_ms:-0}"
		done
	done
	agent_stop
}

case ",$only," in *,s3,*) s3 ;; esac
case ",$only," in *,s4,*) s4 ;; esac
case ",$only," in *,s5n,*) s5n ;; esac
echo "@R native done"
