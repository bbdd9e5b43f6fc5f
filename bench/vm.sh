# SPDX-License-Identifier: GPL-2.0-only
# pal-timeout: 5400
# The in-VM benchmarks (S1 open() overhead, S2 depth sweep, S5 reload with
# file rules, W real workloads), run by tests/vm/init as the only case of the benchmark image
# (bench/CMakeLists.txt). Prints one "@R ..." line per measurement; bench/run
# turns them into the table. Kernel command line switches:
#   palbench.mode=full|smoke   smoke: few rounds, short loops, small rule sets
#   palbench.only=s1,s5,wl     phases to run (default all three)
# Configurations are interleaved: every round measures each of them once, in
# an order rotated by one each round, so drift hits all of them alike.
set -u
export PATH=/bin:/sbin:/usr/bin:/usr/sbin

mode=full only=s1,s5,wl
for arg in $(cat /proc/cmdline); do
	case "$arg" in
	palbench.mode=*) mode=${arg#*=} ;;
	palbench.only=*) only=${arg#*=} ;;
	esac
done
if [ "$mode" = smoke ]; then
	ROUNDS=2 ITERS=200 BATCHES=3 SIZES="10 1000" RSIZES="10 1000" LSIZE=1000
	PSIZE=1000 LOPS=3000 PATSIZES="10 1000"
	WSIZES="10 1000" TAR_FILES=500 DD_COUNT=5000 READ_FILES=1000 WFIRST=1 WROUNDS=1
else
	ROUNDS=9 ITERS=1000 BATCHES=5 SIZES="10 1000 100000" RSIZES="10 10000 100000"
	LSIZE=10000 PSIZE=1000 LOPS=50000 PATSIZES="10 1000 25000 100000"
	WSIZES="10 100000" TAR_FILES=5000 DD_COUNT=100000 READ_FILES=10000 WFIRST=0 WROUNDS=5
fi
echo "@R meta mode $mode rounds $ROUNDS iters $ITERS batches $BATCHES"
echo "@R meta kernel $(uname -r) nproc $(nproc)"

W=/tmp/pb
PD=$W/policies # the agent's policy directory
ST=$W/stage    # policies are written here, then renamed into PD (one inotify event)
LOG=$W/audit.log
mkdir -p "$PD" "$ST"
chmod 0755 "$PD"
fail() {
	echo "@R error $*"
	exit 1
}
since() { # T0_MS: milliseconds since T0_MS
	read -r up _ </proc/uptime
	echo $((${up%.*} * 1000 + 1${up#*.} * 10 - 1000 - $1))
}
now_ms() { since 0; }

# The tree: /a is allowed, /x is denied. A file at depth D is
# /a/c2/.../c(D-1)/f (D path components); the denied one is at depth 6.
chain() { # ROOT DEPTH: create the file, print its path
	p=$1 i=2
	while [ $i -lt "$2" ]; do
		p=$p/c$i
		i=$((i + 1))
	done
	mkdir -p "$p"
	echo data >"$p/f"
	echo "$p/f"
}
F2=$(chain /a 2) F6=$(chain /a 6) F8=$(chain /a 8) F16=$(chain /a 16) F32=$(chain /a 32)
D6=$(chain /x 6)
mkdir -p /p
echo data >/p/q

# gen N NAME EXTRA [ACCESS]: a policy of N file rules (rule = one path of a
# paths: or dirs: list) to stdout, and the same rules as "d PATH" / "f PATH"
# lines (palbench_lsm's format) to $ST/NAME.rules. Always: deny ACCESS
# (default read) of dir /x; EXTRA (if set): deny it on that exact path. The
# rest are filler rules that never match: dirs at depths 2-5 and exact
# paths at depths 2-6, the first items covering every one of those depths,
# so that every size makes the hook look up the same depths and only the
# map size differs.
gen() {
	awk -v n="$1" -v name="$2" -v extra="$3" -v acc="${4:-read}" -v rules="$ST/$2.rules" '
	function path(pre, i, d,   p, k) {
		p = pre (i % 61) "/n" i
		for (k = 3; k <= d; k++)
			p = p "/k" k
		return p
	}
	BEGIN {
		printf "apiVersion: palisade/v1\nkind: Policy\nname: %s\ndefault: allow\nfiles:\n", name
		print "  - {dirs: [/x], access: [" acc "], action: deny}"
		print "d /x" >rules
		left = n - 1
		if (extra != "") {
			print "  - {paths: [" extra "], access: [" acc "], action: deny}"
			print "f " extra >rules
			left--
		}
		nd = ne = item = 0
		while (left > 0) {
			isdir = item % 2 == 0
			k = item == 0 ? 4 : item == 1 ? 5 : 8
			if (k > left)
				k = left
			line = "  - {" (isdir ? "dirs" : "paths") ": ["
			for (j = 0; j < k; j++) {
				if (isdir)
					p = path("/s", nd, 2 + nd % 4)
				else
					p = path("/e", ne, 2 + ne % 5)
				if (isdir)
					nd++
				else
					ne++
				line = line (j ? ", " : "") p
				print (isdir ? "d " : "f ") p >rules
			}
			print line "], access: [" acc "], action: deny}"
			left -= k
			item++
		}
	}'
}

# make_rule_paths RULES: create the paths of a rules file (dirs, and empty
# files in their directories), so that Landlock can hold a rule on each.
make_rule_paths() {
	awk '$1 == "d" { print $2 }' "$1" | xargs mkdir -p
	awk '$1 == "f" { p = $2; sub(/\/[^\/]*$/, "", p); print p }' "$1" | xargs mkdir -p
	awk '$1 == "f" { print $2 }' "$1" | xargs touch
}

# ---- the agent ---------------------------------------------------------------

AGENT_PID='' GEN=0
# Wait for the policy record of generation $1 (the reload is complete).
wait_gen() {
	i=0
	until grep -q "\"event\":\"policy\",\"generation\":$1," "$LOG" 2>/dev/null; do
		kill -0 "$AGENT_PID" 2>/dev/null || fail "agent died: $(tail -n 5 $W/agent.err)"
		i=$((i + 1))
		[ $i -lt 6000 ] || fail "generation $1 not live after 600 s"
		sleep 0.05
	done
}
agent_start() { # POLICY_FILE
	rm -f "$PD"/*
	cp "$1" "$PD/bench.yaml"
	: >"$LOG"
	t0=$(now_ms)
	palisade run -d "$PD" -l "$LOG" --socket "$W/ctl.sock" 2>"$W/agent.err" &
	AGENT_PID=$!
	GEN=1
	wait_gen 1
	echo "@R info agent_start $(basename "$1" .yaml) $(since "$t0") ms"
	i=0 # the agent's own account of its start-up, stage by stage
	until grep -q 'run: ready' "$W/agent.err" || [ $i -ge 200 ]; do
		i=$((i + 1))
		sleep 0.05
	done
	echo "@R info agent $(grep -m1 -o 'ready: .*' "$W/agent.err")"
}
# Replace the policy (editor-style rename) and wait until the reload is done.
agent_switch() { # POLICY_FILE
	cp "$1" "$ST/next.yaml"
	t0=$(now_ms)
	mv "$ST/next.yaml" "$PD/bench.yaml"
	GEN=$((GEN + 1))
	wait_gen $GEN
	echo "@R info agent_reload $(basename "$1" .yaml) $(since "$t0") ms"
}
# The agent refuses SIGTERM from anyone but PID 1 (its task_kill guard).
agent_stop() {
	palisade stop --socket "$W/ctl.sock" >/dev/null || fail "palisade stop failed"
	wait "$AGENT_PID" || fail "agent exit status $? on stop: $(tail -n 5 $W/agent.err)"
	AGENT_PID=
}

# ---- S1/S2: open() cost per configuration ----------------------------------

TARGETS="d6=$F6:OK d2=$F2:OK d8=$F8:OK d16=$F16:OK d32=$F32:OK"
# measure CONFIG ROUND DENIED_EXPECT [palbench_open options]
measure() {
	cfg=$1 round=$2 dexp=$3
	shift 3
	palbench_open measure "$@" --iters "$ITERS" --batches "$BATCHES" $TARGETS \
		"deny6=$D6:$dexp" >"$W/m.out" 2>"$W/m.err" ||
		fail "measure $cfg: $(cat "$W/m.err")"
	while read -r label med lo hi; do
		echo "@R s1 $cfg $round $label $med $lo $hi"
	done <"$W/m.out"
}

lsm_helper() { # empty|pathstr [RULES]: start palbench_lsm, wait until attached
	rm -f "$W/lsm.ready"
	palbench_lsm "$@" >"$W/lsm.out" 2>"$W/lsm.err" &
	LSM_PID=$!
	i=0
	until [ -e "$W/lsm.ready" ]; do
		kill -0 $LSM_PID 2>/dev/null || fail "palbench_lsm $1: $(cat "$W/lsm.err")"
		i=$((i + 1))
		[ $i -lt 1200 ] || fail "palbench_lsm $1 not ready"
		sleep 0.05
	done
}
lsm_helper_stop() {
	kill -TERM $LSM_PID
	wait $LSM_PID || fail "palbench_lsm exit $?: $(cat "$W/lsm.err")"
	while read -r l; do echo "@R info $l"; done <"$W/lsm.out"
}

# run_palisade ROUND FN CONFIG...: on one agent, each configuration in the
# round's rotated order: load the policy $ST/CONFIG.yaml, then FN CONFIG ROUND.
run_palisade() {
	r=$1 fn=$2
	shift 2
	# shellcheck disable=SC2046 # the sizes are words
	set -- $(rotate "$r" "$@")
	first=1
	for c in "$@"; do
		if [ $first = 1 ]; then
			agent_start "$ST/$c.yaml"
			first=0
		else
			agent_switch "$ST/$c.yaml"
		fi
		$fn "$c" "$r"
	done
	agent_stop
}
s1_palisade() { measure "$1" "$2" EACCES; }

# rounds FIRST LAST TAG FN CONFIG...: rounds FIRST..LAST, each running
# FN CONFIG ROUND for every configuration, in an order rotated by one a round.
rounds() {
	rd_last=$2 rd_tag=$3 rd_fn=$4 r=$1
	shift 4
	while [ "$r" -le "$rd_last" ]; do
		for cfg in $(rotate "$r" "$@"); do
			"$rd_fn" "$cfg" "$r"
		done
		echo "@R info $rd_tag round $r done at $(now_ms) ms"
		r=$((r + 1))
	done
}

rotate() { # K ITEM...: the items, starting at index K mod count
	k=$1
	shift
	c=$#
	k=$((k % c))
	i=0
	out=
	for it in "$@"; do
		if [ $i -ge $k ]; then out="$out $it"; fi
		i=$((i + 1))
	done
	i=0
	for it in "$@"; do
		if [ $i -lt $k ]; then out="$out $it"; fi
		i=$((i + 1))
	done
	echo $out
}

# prefix PREFIX WORD...: the words with PREFIX before each
prefix() {
	p=$1
	shift
	for w in "$@"; do printf '%s%s ' "$p" "$w"; done
}

# pattern_configs: write the pattern rule policies (patterns.awk) and add
# the configurations of those the agent's compiler accepts to S1_CFGS; for
# the others an "@R skip" line with the reason (e.g. a set over the
# automaton's bounds).
pattern_configs() {
	for n in $PATSIZES; do
		awk -v n="$n" -v name="pattern-$n" -f /usr/share/palbench/patterns.awk \
			>"$ST/pattern-$n.yaml" || fail "patterns.awk $n"
		if palisade compile "$ST/pattern-$n.yaml" >/dev/null 2>"$W/pc.err"; then
			S1_CFGS="$S1_CFGS pattern-$n"
		else
			echo "@R skip s1 pattern-$n refused by palisade compile: $(grep -m1 . "$W/pc.err")"
		fi
	done
}

s1() {
	for n in $SIZES; do
		gen "$n" "palisade-$n" "" >"$ST/palisade-$n.yaml"
	done
	gen "$PSIZE" "pathstr" "" >/dev/null
	make_rule_paths "$ST/pathstr.rules"
	echo "@R meta s1 sizes $SIZES pathstr_rules $PSIZE pattern_sizes $(echo "$PATSIZES" | tr ' ' ,)"
	# shellcheck disable=SC2086 # the sizes are words
	S1_CFGS=$(prefix palisade- $SIZES)
	pattern_configs
	# Round 0 is a warm-up of every configuration: not reported.
	rounds 0 "$ROUNDS" s1 s1_config none empty pathstr landlock palisade
}
s1_config() { # CONFIG ROUND
	# shellcheck disable=SC2086 # the configurations are words
	case $1 in
	none) measure none "$2" OK ;;
	empty)
		lsm_helper empty "$W/lsm.ready"
		measure empty "$2" OK
		lsm_helper_stop
		;;
	pathstr)
		lsm_helper pathstr "$W/lsm.ready" "$ST/pathstr.rules"
		measure "pathstr-$PSIZE" "$2" EACCES
		lsm_helper_stop
		;;
	landlock)
		measure "landlock-$PSIZE" "$2" EACCES --landlock /a --landlock-rules "$ST/pathstr.rules"
		echo "@R info $(grep '^landlock rules' "$W/m.err")"
		;;
	palisade) run_palisade "$2" s1_palisade $S1_CFGS ;;
	esac
}

# ---- S5: reload latency and open() tail latency during reloads -------------

s5() {
	for n in $RSIZES; do
		gen "$n" "ra-$n" /p/other >"$ST/ra-$n.yaml"
		gen "$n" "rb-$n" /p/q >"$ST/rb-$n.yaml"
	done
	echo "@R meta s5 sizes $RSIZES tail_rules $LSIZE tail_ops $LOPS"
	set -- $RSIZES
	agent_start "$ST/ra-$1.yaml"
	r=0
	while [ $r -le "$ROUNDS" ]; do
		for n in $(rotate $r $RSIZES); do
			# to A (/p/q allowed), then the sample: A -> B of the same size
			cp "$ST/ra-$n.yaml" "$ST/next.yaml"
			palbench_open flip "$ST/next.yaml" "$PD/bench.yaml" /p/q OK 600000 >/dev/null ||
				fail "reload to ra-$n"
			GEN=$((GEN + 1))
			wait_gen $GEN
			cp "$ST/rb-$n.yaml" "$ST/next.yaml"
			ms=$(palbench_open flip "$ST/next.yaml" "$PD/bench.yaml" /p/q EACCES 600000) ||
				fail "reload to rb-$n"
			GEN=$((GEN + 1))
			wait_gen $GEN
			agent_ms=$(grep "\"generation\":$GEN," "$LOG" | sed -n 's/.*, \([0-9.]*\) ms".*/\1/p')
			echo "@R s5 reload $r $n $ms ${agent_ms:-0}"
		done
		r=$((r + 1))
	done

	# Tail latency: the same open() loop with the agent idle (steady) and
	# while a writer replaces the policy every 300 ms (reloading).
	cp "$ST/ra-$LSIZE.yaml" "$ST/next.yaml"
	mv "$ST/next.yaml" "$PD/bench.yaml"
	GEN=$((GEN + 1))
	wait_gen $GEN
	r=0
	while [ $r -le "$ROUNDS" ]; do
		for cfg in $(rotate $r steady reloading); do
			g0=$(grep -c '"event":"policy"' "$LOG")
			if [ $cfg = reloading ]; then
				rm -f "$W/stop"
				(
					k=0
					while [ ! -e "$W/stop" ]; do
						if [ $((k % 2)) = 0 ]; then
							cp "$ST/rb-$LSIZE.yaml" "$ST/w.yaml"
						else
							cp "$ST/ra-$LSIZE.yaml" "$ST/w.yaml"
						fi
						mv "$ST/w.yaml" "$PD/bench.yaml"
						k=$((k + 1))
						sleep 0.3
					done
				) &
				wpid=$!
			fi
			out=$(palbench_open latency --ops "$LOPS" "$F6") || fail "latency"
			if [ $cfg = reloading ]; then
				: >"$W/stop"
				wait $wpid
				# let the last reloads finish, so the next window is steady
				sleep 1
				prev=-1
				while [ "$(grep -c '"event":"policy"' "$LOG")" != "$prev" ]; do
					prev=$(grep -c '"event":"policy"' "$LOG")
					sleep 1
				done
			fi
			g1=$(grep -c '"event":"policy"' "$LOG")
			echo "@R s5 tail $cfg $r $out $((g1 - g0))"
		done
		r=$((r + 1))
	done
	GEN=$(grep -c '"event":"policy"' "$LOG")
	agent_stop
}

# ---- W: real workloads -------------------------------------------------------

WL=/tmp/wl
# wl_tree DIR FILES: FILES files of 64-2,048 bytes, 100 per directory.
wl_tree() {
	d=0
	while [ $((d * 100)) -lt "$2" ]; do
		mkdir -p "$1/d$d"
		d=$((d + 1))
	done
	awk -v root="$1" -v n="$2" 'BEGIN {
		for (i = 0; i < n; i++) {
			f = root "/d" int(i / 100) "/f" i ".txt"
			for (b = 0; b < 1 + i % 32; b++)
				printf "%063d\n", i * 32 + b >f
			close(f)
		}
	}' || fail "wl: tree $1"
}

# Wait until the CPU has been idle for 0.2 s (at most 30 s): under icount
# every instruction on the one vCPU counts, so work left over from the
# previous step (an agent's teardown, freed maps) must not land in the next
# measurement.
settle() {
	i=0 prev=
	while [ $i -lt 150 ]; do
		# busy = user + nice + system + irq + softirq, in USER_HZ ticks
		busy=$(awk '/^cpu / { print $2 + $3 + $4 + $7 + $8; exit }' /proc/stat)
		[ -n "$prev" ] && [ $((busy - prev)) -le 1 ] && return 0
		prev=$busy
		i=$((i + 1))
		sleep 0.2
	done
	echo "@R info settle: still busy after 30 s"
}

# wl_run CFG ROUND NAME [palbench_open run options] -- CMD...: time CMD.
wl_run() {
	w_cfg=$1 w_round=$2 w_name=$3
	shift 3
	settle
	w_ns=$(palbench_open run "$@" 2>"$W/wl.err") || fail "wl $w_name $w_cfg: $(cat "$W/wl.err")"
	echo "@R wl $w_cfg $w_round $w_name $w_ns"
}

# wl_all CFG ROUND [Landlock options]: every workload once, in rotated order;
# each starts from the same state and its result is checked afterwards.
wl_all() {
	w_c=$1 w_r=$2
	shift 2
	for w in $(rotate "$w_r" untar dd find tcc); do
		case $w in
		untar)
			rm -rf "$WL/out" && mkdir "$WL/out"
			wl_run "$w_c" "$w_r" untar "$@" -- tar -xf "$WL/tree.tar" -C "$WL/out"
			w_got=$(find "$WL/out" -type f | wc -l)
			[ "$w_got" = "$TAR_FILES" ] || fail "wl untar $w_c: $w_got files"
			;;
		dd)
			rm -f "$WL/big"
			wl_run "$w_c" "$w_r" dd "$@" -- dd if=/dev/zero of="$WL/big" bs=4k count="$DD_COUNT"
			w_got=$(stat -c %s "$WL/big")
			[ "$w_got" = $((DD_COUNT * 4096)) ] || fail "wl dd $w_c: $w_got bytes"
			;;
		find)
			# find's status is non-zero when one cat fails
			wl_run "$w_c" "$w_r" find "$@" -- find "$WL/read" -type f -exec cat {} +
			;;
		tcc)
			[ -x /usr/bin/tcc ] || continue
			rm -rf "$WL/cc" && mkdir "$WL/cc"
			wl_run "$w_c" "$w_r" tcc "$@" -- sh -c "$WL_CC"
			"$WL/cc/palbench_open" 2>&1 | grep -q '^usage: palbench_open' ||
				fail "wl tcc $w_c: the compiled palbench_open does not run"
			;;
		esac
	done
}
wl() {
	mkdir -p "$WL"
	wl_tree "$WL/src" "$TAR_FILES"
	(cd "$WL" && tar -cf tree.tar src) || fail "wl: tar -cf"
	rm -rf "$WL/src"
	wl_tree "$WL/read" "$READ_FILES"
	[ "$(find "$WL/read" -type f | wc -l)" = "$READ_FILES" ] || fail "wl: read tree"
	# The same flags as bench/tcc-files.sh, which chose the image's headers.
	WL_CC="tcc -D_GNU_SOURCE -o $WL/cc/palbench_open /usr/src/palbench/palbench_open.c &&
		tcc -D_GNU_SOURCE -o $WL/cc/palbench_native /usr/src/palbench/palbench_native.c"
	# Landlock: every ABI-1 right beneath the work tree and /dev (dd reads
	# /dev/zero); execute, read and list beneath the system directories.
	WL_LL="--landlock $WL --landlock /dev"
	for d in /bin /sbin /usr /lib /lib64 /etc; do
		[ ! -d $d ] || WL_LL="$WL_LL --landlock-ro $d"
	done
	for n in $WSIZES; do
		[ -s "$ST/palisade-$n.yaml" ] || gen "$n" "palisade-$n" "" >"$ST/palisade-$n.yaml"
	done
	# The same 10 rules denying every access: no request skips the walk
	# (pal_gen_config.restricted), as with Landlock handling every right.
	gen 10 palisade-all-10 "" all >"$ST/palisade-all-10.yaml"
	[ -x /usr/bin/tcc ] || echo "@R skip wl tcc: no tcc in the image (install tcc, rebuild)"
	echo "@R meta wl sizes $(echo $WSIZES | tr ' ' ,) tar_files $TAR_FILES" \
		"dd_count $DD_COUNT read_files $READ_FILES rounds $WROUNDS"
	echo "@R meta wl_landlock $WL_LL"
	# Round 0 is a warm-up (smoke: none, it starts at round 1).
	rounds "$WFIRST" "$WROUNDS" wl wl_config none landlock palisade
}
wl_config() { # CONFIG ROUND
	# shellcheck disable=SC2086,SC2046 # the options and sizes are words
	case $1 in
	none) wl_all none "$2" ;;
	landlock) wl_all landlock "$2" $WL_LL ;;
	palisade) run_palisade "$2" wl_all $(prefix palisade- $WSIZES) palisade-all-10 ;;
	esac
}

case ",$only," in *,s1,*) s1 ;; esac
case ",$only," in *,s5,*) s5 ;; esac
case ",$only," in *,wl,*) wl ;; esac
echo "@R done"
