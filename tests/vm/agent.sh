# SPDX-License-Identifier: GPL-2.0-only
# Helpers for VM cases that run the agent (busybox sh). Source after $PAL_LIB.
#   pal_policy FILE        write stdin as policy FILE into $PAL_POLICY_DIR
#   pal_agent_start [ARGS] start `palisade run` on it, wait until ready
#                          (PAL_AGENT_READY_S seconds, 120 unless set: an agent start
#                          verifies every program, slow under TCG on a busy host)
#   pal_agent_settle [S]   wait S seconds (0.5) and until the ring buffer is drained
#   pal_agent_stop         `palisade stop` (the agent refuses SIGTERM from
#                          anyone but PID 1), and check it exits 0
#   pal_in_cgroup SUB CMD  run CMD inside $PAL_CGROUP/SUB
PAL_POLICY_DIR=$PAL_TMP/policies
PAL_LOG=$PAL_TMP/audit.log
PAL_AGENT_ERR=$PAL_TMP/agent.err
PAL_SOCK=$PAL_TMP/ctl.sock
mkdir -p "$PAL_POLICY_DIR"
chmod 0755 "$PAL_POLICY_DIR"

pal_policy() {
	cat >"$PAL_POLICY_DIR/$1"
}

pal_agent_start() {
	: >"$PAL_LOG"
	"$PAL_AGENT" run -d "$PAL_POLICY_DIR" -l "$PAL_LOG" --socket "$PAL_SOCK" "$@" \
		2>"$PAL_AGENT_ERR" &
	PAL_AGENT_PID=$!
	i=0
	# ready: the first generation is live and the control socket listens
	until grep -q '"event":"policy"' "$PAL_LOG" 2>/dev/null &&
		grep -q 'run: ready:' "$PAL_AGENT_ERR" 2>/dev/null; do
		if ! kill -0 "$PAL_AGENT_PID" 2>/dev/null; then
			cat "$PAL_AGENT_ERR"
			pal_fail "the agent exited before it was ready"
		fi
		i=$((i + 1))
		[ $i -lt $((${PAL_AGENT_READY_S:-120} * 10)) ] ||
			{ cat "$PAL_AGENT_ERR"; pal_fail "agent not ready after ${PAL_AGENT_READY_S:-120} s"; }
		sleep 0.1
	done
	echo "ok: agent ready (pid $PAL_AGENT_PID)"
}

pal_agent_settle() { # [SECONDS]: at least that long, and until the ring buffer is drained
	sleep "${1:-0.5}"
	_i=0
	while [ $_i -lt 100 ]; do
		"$PAL_AGENT" status --json --socket "$PAL_SOCK" 2>/dev/null |
			grep -q '"ringbuf_used_bytes":0,' && return 0
		sleep 0.1
		_i=$((_i + 1))
	done
}

# pal_pinned NAME: NAME is in the pin dir. By the shell's glob, which only
# reads the dir: while an agent runs no other task may look a name up there
# (so no test -e, and no ls, which stats every entry).
pal_pinned() {
	for _f in /sys/fs/bpf/palisade/*; do
		[ "$_f" = "/sys/fs/bpf/palisade/$1" ] && return 0
	done
	return 1
}

pal_agent_wait_gen() { # N: true once generation N is live; false after 60 s
	_i=0
	until grep -q "\"event\":\"policy\",\"generation\":$1," "$PAL_LOG"; do
		[ $_i -lt 600 ] || return 1
		_i=$((_i + 1))
		sleep 0.1
	done
}

pal_agent_stop() {
	"$PAL_AGENT" stop --socket "$PAL_SOCK" >/dev/null || kill -TERM "$PAL_AGENT_PID"
	wait "$PAL_AGENT_PID"
	rc=$?
	echo "agent stderr:"
	sed 's/^/  /' "$PAL_AGENT_ERR"
	[ "$rc" = 0 ] || pal_fail "agent exited with $rc after SIGTERM"
	echo "ok: agent stopped cleanly"
}

pal_in_cgroup() {
	_sub=$1
	shift
	sh -c 'echo $$ >"$1/cgroup.procs" && shift && exec "$@"' - "$PAL_CGROUP/$_sub" "$@"
}

# log DESC PALREC-ARGS...: a check of the audit log's records (palrec)
log() {
	_d=$1
	shift
	pal_check "$_d" palrec "$PAL_LOG" -q "$@"
}
